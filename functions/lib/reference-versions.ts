/**
 * Versions of the PCN reference file under reference/pcns/: checked when staged, the latest in force. The reference
 * import stages versions and the refresh publishes the one in force; both take the rule from here.
 */
import { createHash } from 'node:crypto';
import Papa from 'papaparse';
import { type PcnReferenceRow, pcnReferenceRow } from '../contract/reference.ts';
import { REFERENCE_PREFIX } from './keys.ts';
import type { ObjectStore } from './object-store.ts';

export class ReferenceDataError extends Error {
  constructor(
    /** The file (or the key it would be kept under). */
    readonly file: string,
    /** Every problem, each naming its row and field. */
    readonly problems: readonly string[],
  ) {
    super(
      `${file}: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? ` … and ${problems.length - 10} more` : ''}`,
    );
    this.name = 'ReferenceDataError';
  }
}

/** Reads and validates one version of the PCN reference file (CSV with the PCN_REFERENCE_COLUMNS header). */
export function parseReference(key: string, text: string): PcnReferenceRow[] {
  // Blank lines are skipped here, not by the parser, so that a row's number is its line in the file.
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), { header: true });
  const problems: string[] = [];
  const rows: NumberedRow[] = [];
  parsed.data.forEach((raw, i) => {
    if (Object.values(raw).every((v) => v === undefined || v.trim() === '')) return;
    const cells = Object.fromEntries(
      Object.entries(raw)
        .filter(([, v]) => v !== '' && v !== undefined)
        .map(([k, v]) => [k, k === 'list_size' ? Number(v) : v]),
    );
    const result = pcnReferenceRow.safeParse(cells);
    if (result.success) rows.push({ line: i + 2, row: result.data });
    else
      for (const issue of result.error.issues)
        problems.push(`row ${i + 2}, field ${String(issue.path[0] ?? '')}: ${issue.message}`);
  });
  problems.push(...overlappingVersions(rows));
  if (rows.length === 0 && problems.length === 0) problems.push('no rows');
  if (problems.length > 0) throw new ReferenceDataError(key, problems);
  return rows.map((r) => r.row);
}

interface NumberedRow {
  /** The row as a spreadsheet numbers it (the header is row 1). */
  readonly line: number;
  readonly row: PcnReferenceRow;
}

/**
 * Two versions of one PCN in force on the same day would join each of its events to both, and count it twice in
 * every metric by area: each version must start after the versions before it have ended. Names the rows and the
 * field by position (a PCN code is not personal; the dates are left to the rows named).
 */
function overlappingVersions(rows: readonly NumberedRow[]): string[] {
  const byPcn = new Map<string, NumberedRow[]>();
  for (const r of rows) {
    const versions = byPcn.get(r.row.pcn_code);
    if (versions === undefined) byPcn.set(r.row.pcn_code, [r]);
    else versions.push(r);
  }
  const problems: string[] = [];
  for (const [pcn, versions] of byPcn) {
    const ordered = versions.toSorted((a, b) => a.row.valid_from.localeCompare(b.row.valid_from) || a.line - b.line);
    // The earlier version that ends last: any later one starting on or before its end overlaps it.
    let open: NumberedRow | undefined;
    for (const version of ordered) {
      if (open !== undefined && (open.row.valid_to === undefined || version.row.valid_from <= open.row.valid_to)) {
        const [first, second] = open.line < version.line ? [open, version] : [version, open];
        problems.push(
          `rows ${first.line} and ${second.line}, fields valid_from and valid_to: two versions of PCN ${pcn} are in force on the same days (row ${version.line} starts on or before row ${open.line} ends${open.row.valid_to === undefined ? `, and row ${open.line} has no valid_to: it is still in force` : ''}); a PCN may have one version in force on any day, or its events would be counted twice`,
        );
      }
      const ends = (r: NumberedRow) => r.row.valid_to ?? '9999-12-31';
      if (open === undefined || ends(version) > ends(open)) open = version;
    }
  }
  return problems;
}

/**
 * Keeps a new version of the PCN reference file under reference/pcns/, after checking every row. Versions sort
 * by the date they were staged; the latest one is in force. `source` names the file in an error (default: the key
 * it would have been kept under).
 */
export async function stageReference(
  store: ObjectStore,
  text: string,
  now = new Date(),
  source?: string,
): Promise<string> {
  const key = `${REFERENCE_PREFIX}${now.toISOString().slice(0, 19).replace(/[-:]/g, '')}-${createHash('sha256').update(text).digest('hex').slice(0, 8)}.csv`;
  parseReference(source ?? key, text);
  await store.put(key, text, { contentType: 'text/csv' });
  return key;
}

/** The reference version in force now (the latest staged), or undefined. */
export async function currentReference(store: ObjectStore): Promise<{ key: string; text: string } | undefined> {
  const key = (await store.list(REFERENCE_PREFIX)).filter((k) => k.endsWith('.csv')).at(-1);
  const bytes = key === undefined ? undefined : await store.get(key);
  return key === undefined || bytes === undefined ? undefined : { key, text: new TextDecoder().decode(bytes) };
}
