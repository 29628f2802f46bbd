import type { PcnReferenceRow } from '../contract/reference.ts';
import type { PcnSnapshot } from './publication.ts';

/** An ICB replaced by another from the first day of a month (the April 2026 mergers). */
export interface IcbChange {
  readonly old_icb_code: string;
  readonly new_icb_code: string;
  readonly new_icb_name: string;
  /** YYYY-MM */
  readonly effective_month: string;
}

export const ICB_CHANGE_COLUMNS = ['old_icb_code', 'new_icb_code', 'new_icb_name', 'effective_month'] as const;

export const firstDay = (month: string) => `${month}-01`;
/** The last day of the month before `month`: where a version ends when the next starts in `month`. */
export const dayBefore = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, 0)).toISOString().slice(0, 10);
};

type Version = Omit<PcnReferenceRow, 'valid_from' | 'valid_to'>;

const sameVersion = (a: Version, b: Version) =>
  a.pcn_name === b.pcn_name &&
  a.icb_code === b.icb_code &&
  a.icb_name === b.icb_name &&
  a.region_code === b.region_code &&
  a.region_name === b.region_name &&
  a.list_size === b.list_size;

function versionOf(pcn: PcnSnapshot, month: string, changes: readonly IcbChange[]): Version {
  let icb = { code: pcn.icb_code, name: pcn.icb_name };
  for (const change of changes)
    if (change.effective_month <= month && change.old_icb_code === icb.code)
      icb = { code: change.new_icb_code, name: change.new_icb_name };
  return {
    pcn_code: pcn.pcn_code,
    pcn_name: pcn.pcn_name,
    icb_code: icb.code,
    icb_name: icb.name,
    region_code: pcn.region_code as PcnReferenceRow['region_code'],
    region_name: pcn.region_name,
    list_size: pcn.list_size,
  };
}

/**
 * The effective-dated PCN reference from a run of extracts (oldest first) and ICB changes. Each extract is in
 * force from the first day of its month until the next: a PCN whose name, ICB, region or list differs from its
 * current version gets a new version from that month; a PCN missing from an extract is closed at the end of the
 * month before; a PCN new in an extract opens in its month. An ICB change gives every PCN then in the old ICB a
 * new version from its effective month. The first extract's PCNs are in force from `historyFrom` when given
 * (the PCNs as they stood before the first extract imported), else from its own month.
 */
export function buildReferenceHistory(
  extracts: readonly { readonly month: string; readonly pcns: ReadonlyMap<string, PcnSnapshot> }[],
  changes: readonly IcbChange[] = [],
  historyFrom?: string,
): PcnReferenceRow[] {
  const ordered = [...extracts].sort((a, b) => a.month.localeCompare(b.month));
  const first = ordered[0];
  if (first === undefined) return [];
  const sortedChanges = [...changes].sort((a, b) => a.effective_month.localeCompare(b.effective_month));
  const breakpoints = [
    ...new Set([
      ...ordered.map((e) => e.month),
      ...sortedChanges.map((c) => c.effective_month).filter((m) => m > first.month),
    ]),
  ].sort();
  const rows: PcnReferenceRow[] = [];
  const open = new Map<string, { version: Version; from: string }>();
  const close = (code: string, validTo: string) => {
    const current = open.get(code);
    if (current === undefined) return;
    rows.push({ ...current.version, valid_from: current.from, valid_to: validTo });
    open.delete(code);
  };
  for (const month of breakpoints) {
    const extract = ordered.filter((e) => e.month <= month).at(-1) ?? first;
    const from = month === first.month && historyFrom !== undefined && historyFrom < month ? historyFrom : month;
    for (const code of [...open.keys()]) if (!extract.pcns.has(code)) close(code, dayBefore(month));
    for (const pcn of extract.pcns.values()) {
      const version = versionOf(pcn, month, sortedChanges);
      const current = open.get(pcn.pcn_code);
      if (current !== undefined && sameVersion(current.version, version)) continue;
      if (current !== undefined) close(pcn.pcn_code, dayBefore(month));
      open.set(pcn.pcn_code, { version, from: firstDay(from) });
    }
  }
  for (const { version, from } of open.values()) rows.push({ ...version, valid_from: from });
  return rows.sort((a, b) => a.pcn_code.localeCompare(b.pcn_code) || a.valid_from.localeCompare(b.valid_from));
}

/** The versions in force on a date (YYYY-MM-DD): at most one per PCN. */
export function inForceOn(rows: readonly PcnReferenceRow[], date: string): PcnReferenceRow[] {
  return rows.filter((r) => r.valid_from <= date && (r.valid_to === undefined || r.valid_to >= date));
}
