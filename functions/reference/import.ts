import Papa from 'papaparse';
import { ICB_CODE_PATTERN as ICB_CODE } from '../contract/areas.ts';
import { PCN_REFERENCE_COLUMNS, type PcnReferenceRow } from '../contract/reference.ts';
import { REFERENCE_PREFIX } from '../lib/keys.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import { currentReference, parseReference, stageReference } from '../lib/reference-versions.ts';
import { buildReferenceHistory, dayBefore, firstDay, ICB_CHANGE_COLUMNS, type IcbChange } from './history.ts';
import {
  type Extract,
  type PcnSnapshot,
  PRACTICE_COLUMNS,
  type PracticeRow,
  PublicationError,
  parsePublishedCsv,
  pcnsOf,
  UNALLOCATED,
} from './publication.ts';

/** Every imported extract is kept, practice by practice, so the reference can be rebuilt and changes told. */
export const EXTRACTS_PREFIX = 'reference/extracts/';
const SETTINGS_KEY = 'reference/import.json';

interface ImportSettings {
  /** YYYY-MM: the first extract's PCNs are taken to be in force from this month. */
  history_from?: string;
  icb_changes: IcbChange[];
}

/** Importing an extract older than one already imported would rewrite history that metrics have used. */
export class ExtractRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExtractRefusedError';
  }
}

export interface ExtractChanges {
  /** The extract compared with, YYYY-MM; undefined for the first import. */
  readonly since?: string;
  readonly opened: readonly string[];
  readonly closed: readonly string[];
  /** PCNs now in another ICB. */
  readonly movedIcb: readonly string[];
  readonly renamed: readonly string[];
  readonly listChanged: readonly string[];
  /** Practices now in another PCN (into or out of `U`, unallocated, included). */
  readonly practicesMoved: readonly string[];
  readonly practicesOpened: number;
  readonly practicesClosed: number;
}

export interface ImportResult {
  readonly month: string;
  readonly practices: number;
  readonly unallocatedPractices: number;
  readonly pcns: number;
  readonly pcnPatients: number;
  readonly unallocatedPatients: number;
  /** True when the extract (and settings) were already imported: nothing was written. */
  readonly unchanged: boolean;
  readonly changes: ExtractChanges;
  /** PCNs and versions in the reference after the import. */
  readonly referencePcns: number;
  readonly referenceVersions: number;
  /** The new reference version, when the reference changed. */
  readonly staged?: string;
  /** PCNs of the version in force that no imported extract has, kept in the new version (keptFromInForce). */
  readonly kept: readonly string[];
  /**
   * PCNs the new version leaves out of force in months they have accepted events in, as the extracts record them
   * (closed or merged) or as --allow-out-of-force allowed, one line each (R21-2); empty when none.
   */
  readonly outOfForce: readonly string[];
}

const decode = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : new TextDecoder().decode(bytes));

export function toCsv(columns: readonly string[], rows: readonly object[]): string {
  return `${Papa.unparse({ fields: [...columns], data: rows.map((r) => columns.map((c) => (r as Record<string, unknown>)[c] ?? '')) }, { newline: '\n' })}\n`;
}

function readPractices(text: string): PracticeRow[] {
  return Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data.map((r) => ({
    practice_code: r.practice_code as string,
    pcn_code: r.pcn_code as string,
    pcn_name: r.pcn_name as string,
    icb_code: r.icb_code as string,
    icb_name: r.icb_name as string,
    region_code: r.region_code as string,
    region_name: r.region_name as string,
    patients: Number(r.patients),
  }));
}

async function readSettings(store: ObjectStore): Promise<ImportSettings> {
  const text = decode(await store.get(SETTINGS_KEY));
  return text === undefined ? { icb_changes: [] } : (JSON.parse(text) as ImportSettings);
}

async function extractKeys(store: ObjectStore): Promise<string[]> {
  return (await store.list(EXTRACTS_PREFIX)).filter((k) => /\/\d{4}-\d\d\.csv$/.test(k)).sort();
}
const monthOfKey = (key: string) => key.slice(EXTRACTS_PREFIX.length, -'.csv'.length);

export async function referenceRowsInStore(store: ObjectStore): Promise<PcnReferenceRow[]> {
  const current = await currentReference(store);
  return current === undefined ? [] : parseReference(current.key, current.text);
}

function compare(
  since: string | undefined,
  before: readonly PracticeRow[],
  after: readonly PracticeRow[],
): ExtractChanges {
  const was = pcnsOf(before);
  const now = pcnsOf(after);
  const differs = (key: keyof PcnSnapshot) =>
    [...now.values()]
      .filter((p) => was.has(p.pcn_code) && was.get(p.pcn_code)?.[key] !== p[key])
      .map((p) => p.pcn_code);
  const practiceWas = new Map(before.map((p) => [p.practice_code, p.pcn_code]));
  const practiceNow = new Set(after.map((p) => p.practice_code));
  return {
    ...(since ? { since } : {}),
    opened: [...now.keys()].filter((code) => !was.has(code)),
    closed: [...was.keys()].filter((code) => !now.has(code)),
    movedIcb: differs('icb_code'),
    renamed: differs('pcn_name'),
    listChanged: differs('list_size'),
    practicesMoved: after
      .filter((p) => practiceWas.has(p.practice_code) && practiceWas.get(p.practice_code) !== p.pcn_code)
      .map((p) => p.practice_code),
    practicesOpened: since === undefined ? 0 : after.filter((p) => !practiceWas.has(p.practice_code)).length,
    practicesClosed: before.filter((p) => !practiceNow.has(p.practice_code)).length,
  };
}

/** A staging time after the latest version's, so versions keep sorting in the order they were made. */
function stagingTime(latestKey: string | undefined, now: Date): Date {
  const stamp = latestKey?.slice(REFERENCE_PREFIX.length).match(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)/);
  if (!stamp) return now;
  const [y, mo, d, h, mi, s] = stamp.slice(1).map(Number) as [number, number, number, number, number, number];
  const latest = Date.UTC(y, mo - 1, d, h, mi, s);
  return now.getTime() > latest + 999 ? now : new Date(latest + 1000);
}

export interface ImportOptions {
  /** YYYY-MM: the PCNs of the first extract are in force from this month (default: the extract's month). */
  readonly historyFrom?: string;
  readonly icbChanges?: readonly IcbChange[];
  readonly now?: Date;
  /** PCN codes allowed out of force over months they have events in that no extract records (stageReference). */
  readonly allowOutOfForce?: readonly string[];
}

/**
 * Adds one extract to the effective-dated PCN reference in the store and stages the reference it gives as the
 * version in force from the next refresh. The same extract again changes nothing; an extract older than the
 * latest imported is refused.
 */
export async function importExtract(
  store: ObjectStore,
  extract: Extract,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const keys = await extractKeys(store);
  const latest = keys.at(-1);
  if (latest !== undefined && extract.month < monthOfKey(latest))
    throw new ExtractRefusedError(
      `the extract of ${extract.month} is older than the latest imported, ${monthOfKey(latest)}: extracts are imported oldest first, so history already published is not rewritten`,
    );
  const previousKey = keys.filter((k) => monthOfKey(k) < extract.month).at(-1);
  const previous = previousKey === undefined ? [] : readPractices(decode(await store.get(previousKey)) ?? '');
  const changes = compare(previousKey && monthOfKey(previousKey), previous, extract.practices);

  const settings = await readSettings(store);
  const merged: ImportSettings = {
    ...((options.historyFrom ?? settings.history_from)
      ? { history_from: options.historyFrom ?? settings.history_from }
      : {}),
    icb_changes: [
      ...settings.icb_changes.filter(
        (c) =>
          !(options.icbChanges ?? []).some(
            (n) => n.old_icb_code === c.old_icb_code && n.effective_month === c.effective_month,
          ),
      ),
      ...(options.icbChanges ?? []),
    ].sort(
      (a, b) => a.effective_month.localeCompare(b.effective_month) || a.old_icb_code.localeCompare(b.old_icb_code),
    ),
  };
  const extractKey = `${EXTRACTS_PREFIX}${extract.month}.csv`;
  const extractText = toCsv(PRACTICE_COLUMNS, extract.practices);
  const sameExtract = decode(await store.get(extractKey)) === extractText;
  const canonical = (s: ImportSettings) => JSON.stringify([s.history_from ?? null, s.icb_changes ?? []]);
  const sameSettings = canonical(merged) === canonical(settings);

  const pcns = pcnsOf(extract.practices);
  const unallocated = extract.practices.filter((p) => p.pcn_code === UNALLOCATED);
  const summary = {
    month: extract.month,
    practices: extract.practices.length,
    unallocatedPractices: unallocated.length,
    pcns: pcns.size,
    pcnPatients: [...pcns.values()].reduce((sum, p) => sum + p.list_size, 0),
    unallocatedPatients: unallocated.reduce((sum, p) => sum + p.patients, 0),
    changes,
  };

  if (!sameExtract) await store.put(extractKey, extractText, { contentType: 'text/csv' });
  if (!sameSettings) await store.put(SETTINGS_KEY, `${JSON.stringify(merged, null, 1)}\n`);
  const extracts = await Promise.all(
    [...new Set([...keys, extractKey])].sort().map(async (key) => ({
      month: monthOfKey(key),
      pcns: pcnsOf(key === extractKey ? extract.practices : readPractices(decode(await store.get(key)) ?? '')),
    })),
  );
  const built = buildReferenceHistory(extracts, merged.icb_changes, merged.history_from);
  const current = await currentReference(store);
  const firstMonth = extracts[0]?.month as string;
  const kept = keptFromInForce(
    current === undefined ? [] : parseReference(current.key, current.text),
    built,
    merged.history_from !== undefined && merged.history_from < firstMonth ? merged.history_from : firstMonth,
  );
  const rows = [...built, ...kept].sort(
    (a, b) => a.pcn_code.localeCompare(b.pcn_code) || a.valid_from.localeCompare(b.valid_from),
  );
  const text = toCsv(PCN_REFERENCE_COLUMNS, rows);
  const result = {
    ...summary,
    unchanged: sameExtract && sameSettings,
    referencePcns: new Set(rows.map((r) => r.pcn_code)).size,
    referenceVersions: rows.length,
    kept: [...new Set(kept.map((r) => r.pcn_code))],
  };
  if (current?.text === text) return { ...result, outOfForce: [] };
  const outOfForce: string[] = [];
  const staged = await stageReference(store, text, stagingTime(current?.key, options.now ?? new Date()), undefined, {
    recordedOutOfForce: recordedOutOfForce(extracts),
    ...(options.allowOutOfForce ? { allowOutOfForce: options.allowOutOfForce } : {}),
    log: (line) => outOfForce.push(line),
  });
  return { ...result, staged, outOfForce };
}

/**
 * Whether the imported extracts record a PCN out of England's map in a month (YYYY-MM): the month is at or after the
 * first extract's, and the latest extract of that month or before does not list the PCN (it closed or merged). Months
 * before the first extract are the --history-from assumption, not a record: a version that re-dates a PCN there is
 * still refused (review 7, M7).
 */
export function recordedOutOfForce(
  extracts: readonly { readonly month: string; readonly pcns: ReadonlyMap<string, unknown> }[],
): (pcn: string, month: string) => boolean {
  const ordered = extracts.toSorted((a, b) => a.month.localeCompare(b.month));
  return (pcn, month) => {
    const inForce = ordered.filter((e) => e.month <= month).at(-1);
    return inForce !== undefined && !inForce.pcns.has(pcn);
  };
}

/**
 * The rows of the version in force whose PCN no imported extract has (a version staged by hand before the first
 * import, with PCNs that had closed before the extracts' history starts): the new version must keep every PCN of
 * the version in force (reference-versions.ts, droppedPcns), or the events of such a PCN would stop every refresh.
 * The extracts say the PCN was not in England's map from `historyStart` (YYYY-MM), so a row in force then is closed
 * the day before, as an extract closes a PCN it no longer has; a row starting on or after it is kept as it was
 * (nothing in the extracts speaks of that PCN, and a row cannot end before it starts).
 */
export function keptFromInForce(
  inForce: readonly PcnReferenceRow[],
  built: readonly PcnReferenceRow[],
  historyStart: string,
): PcnReferenceRow[] {
  const imported = new Set(built.map((r) => r.pcn_code));
  const start = firstDay(historyStart);
  return inForce
    .filter((r) => !imported.has(r.pcn_code))
    .map((r) =>
      r.valid_from < start && (r.valid_to === undefined || r.valid_to >= start)
        ? { ...r, valid_to: dayBefore(historyStart) }
        : r,
    );
}

/** The ICB changes file: `old_icb_code, new_icb_code, new_icb_name, effective_month` (YYYY-MM). */
export function readIcbChanges(file: string, text: string): IcbChange[] {
  const { rows, problems } = parsePublishedCsv(file, text, ICB_CHANGE_COLUMNS);
  if (problems.length > 0) throw new PublicationError(problems);
  const changes = rows.map((row, i) => {
    const cell = (c: (typeof ICB_CHANGE_COLUMNS)[number]) => (row[c] ?? '').trim();
    const bad = (c: string, reason: string) => problems.push(`${file}, line ${i + 2}, column ${c}: ${reason}`);
    if (!ICB_CODE.test(cell('old_icb_code'))) bad('old_icb_code', 'must be an ICB code such as QWE');
    if (!ICB_CODE.test(cell('new_icb_code'))) bad('new_icb_code', 'must be an ICB code such as QWE');
    if (cell('new_icb_name') === '') bad('new_icb_name', 'must not be empty');
    if (!/^20\d\d-(0[1-9]|1[0-2])$/.test(cell('effective_month'))) bad('effective_month', 'must be YYYY-MM');
    return {
      old_icb_code: cell('old_icb_code'),
      new_icb_code: cell('new_icb_code'),
      new_icb_name: cell('new_icb_name'),
      effective_month: cell('effective_month'),
    };
  });
  if (problems.length > 0) throw new PublicationError(problems);
  return changes;
}
