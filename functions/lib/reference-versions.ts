/**
 * Versions of the PCN reference file under reference/pcns/: checked when staged, the latest in force. The reference
 * import stages versions and the refresh publishes the one in force; both take the rule from here, and every way of
 * staging a version (`reference FILE` and `reference import`, on a data folder or the data bucket with `--bucket`)
 * goes through stageReference.
 */
import { createHash } from 'node:crypto';
import Papa from 'papaparse';
import { AREA_CODE_SOURCE } from '../contract/areas.ts';
import type { Receipt } from '../contract/receipt.ts';
import { type PcnReferenceRow, pcnReferenceRow } from '../contract/reference.ts';
import { RECEIPTS_PREFIX, REFERENCE_PREFIX, uploadIdOfReceiptKey } from './keys.ts';
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

/** How a version is staged, beyond its text (R21-2). */
export interface StageOptions {
  /**
   * True when NHS Digital's extracts record that the PCN was not in England's map in the month (YYYY-MM): the imported
   * extract in force then does not list it (it closed, or merged into another). `reference import` passes it; a month a
   * PCN is out of force by that record is the extract's evidence, not a re-dating, so its events there are left out of
   * every figure and listed (data_quality, the refresh log) instead of the version being refused.
   */
  readonly recordedOutOfForce?: (pcn: string, month: string) => boolean;
  /**
   * PCN codes the operator allows, explicitly (`--allow-out-of-force`), to go out of force in months they have accepted
   * events in: the version is staged and each such PCN and its months are logged.
   */
  readonly allowOutOfForce?: readonly string[];
  /** Where a PCN left out of force over its events (by an extract's record or by the override) is told. */
  readonly log?: (line: string) => void;
}

/**
 * Keeps a new version of the PCN reference file under reference/pcns/, after checking every row and that it keeps
 * every PCN it must (droppedPcns) and keeps them in force over their events (uncoveredMonths). Versions sort by the
 * date they were staged; the latest one is in force. `source` names the file in an error (default: the key it would
 * have been kept under). Refused, nothing is written.
 */
export async function stageReference(
  store: ObjectStore,
  text: string,
  now = new Date(),
  source?: string,
  options: StageOptions = {},
): Promise<string> {
  const key = `${REFERENCE_PREFIX}${now.toISOString().slice(0, 19).replace(/[-:]/g, '')}-${createHash('sha256').update(text).digest('hex').slice(0, 8)}.csv`;
  const rows = parseReference(source ?? key, text);
  const dropped = await droppedPcns(store, rows);
  const notes: string[] = [];
  if (dropped.length === 0) {
    const uncovered = await uncoveredMonths(store, rows, pcnLines(text), options);
    dropped.push(...uncovered.problems);
    notes.push(...uncovered.notes);
  }
  if (dropped.length > 0) throw new ReferenceDataError(source ?? key, dropped);
  await store.put(key, text, { contentType: 'text/csv' });
  for (const note of notes) (options.log ?? console.warn)(`${key}: ${note}`);
  return key;
}

/** What a refused version is told to do: the one remedy that keeps every event counted (review 5, G8). */
export const KEEP_EVERY_PCN =
  "a reference version must keep every PCN of the version in force and every PCN that has sent events, or every later refresh stops (England counts a PCN's events, and they need its place): keep each one's rows, closed with valid_to (the last day it was in force), as `reference import` does; nothing was staged";

/** The PCN an upload id starts with. */
const SENDER = new RegExp(`^(${AREA_CODE_SOURCE.pcn})-`);

/** At most this many PCN codes are named in one problem; the rest are counted. */
const MAX_NAMED = 20;
const named = (items: readonly string[]) =>
  `${items.slice(0, MAX_NAMED).join(', ')}${items.length > MAX_NAMED ? ` … and ${items.length - MAX_NAMED} more` : ''}`;
const rowsText = (lines: readonly number[]) =>
  lines.length === 1 ? `row ${lines[0]}` : `rows ${lines.slice(0, -1).join(', ')} and ${lines.at(-1)}`;

/**
 * The PCNs a new version would drop, as problems naming them (review 5, G8). The refresh counts every event in
 * England, and places each PCN's by the reference's PCNs, closed ones included (their valid_to ends their time in
 * force, not their place): a PCN missing from the reference leaves England's figures more than the sum of its PCNs',
 * and every refresh stops. So a version must keep (1) every PCN of the version in force, which also covers a closed
 * PCN's late uploads, and (2) every PCN that has sent events (a receipt with accepted event rows), which the first
 * version or a version in force staged before this rule may lack. PCN codes are organisation codes, not personal.
 */
async function droppedPcns(store: ObjectStore, rows: readonly PcnReferenceRow[]): Promise<string[]> {
  const kept = new Set(rows.map((r) => r.pcn_code));
  const problems: string[] = [];
  const current = await currentReference(store);
  const inForce = current === undefined ? new Map<string, number[]>() : pcnLines(current.text);
  const droppedFromInForce = [...inForce].filter(([code]) => !kept.has(code));
  if (current !== undefined && droppedFromInForce.length > 0)
    problems.push(
      `the version in force, ${current.key}, lists ${droppedFromInForce.length === 1 ? 'PCN' : 'PCNs'} ${named(droppedFromInForce.map(([code, lines]) => `${code} (${rowsText(lines)})`))}, which this file does not have; ${KEEP_EVERY_PCN}`,
    );
  // Receipts are named by upload id, PCN first (keys.ts, uploadIdFor): only the receipts of a PCN that this file and
  // the version in force both lack are read, to tell an upload of events from a rejected file or a workforce return.
  const senders = new Set(
    (await store.list(RECEIPTS_PREFIX)).flatMap((key) => {
      const pcn = SENDER.exec(uploadIdOfReceiptKey(key))?.[1];
      return pcn === undefined || kept.has(pcn) || inForce.has(pcn) ? [] : [pcn];
    }),
  );
  const withEvents: string[] = [];
  for (const pcn of [...senders].sort()) {
    let events = false;
    const months: string[] = [];
    for (const key of await store.list(`${RECEIPTS_PREFIX}${pcn}-`)) {
      const bytes = await store.get(key);
      const receipt = bytes === undefined ? undefined : (JSON.parse(new TextDecoder().decode(bytes)) as Receipt);
      if (receipt?.kind !== 'events' || !(receipt.rows.accepted > 0)) continue;
      events = true;
      months.push(...Object.keys(receipt.partitions ?? {}));
    }
    if (events) withEvents.push(months.length > 0 ? `${pcn} (events from ${months.sort()[0]})` : pcn);
  }
  if (withEvents.length > 0)
    problems.push(
      `${withEvents.length === 1 ? 'PCN' : 'PCNs'} ${named(withEvents)} ${withEvents.length === 1 ? 'has' : 'have'} sent events but ${withEvents.length === 1 ? 'is' : 'are'} in neither this file nor the version in force; ${KEEP_EVERY_PCN}`,
    );
  return problems;
}

/** A PCN's versions' dates: from its valid_from to its valid_to (none: still in force). */
type Spans = Map<string, { from: string; to: string | undefined }[]>;

function spansOf(rows: readonly { pcn_code?: string; valid_from?: string; valid_to?: string }[]): Spans {
  const spans: Spans = new Map();
  for (const r of rows) {
    const code = r.pcn_code?.trim();
    const from = r.valid_from?.trim();
    if (!code || !from) continue;
    const to = r.valid_to?.trim() || undefined;
    spans.set(code, [...(spans.get(code) ?? []), { from, to }]);
  }
  return spans;
}

/** In force on the first day of the month (YYYY-MM), as pcn_months and the refresh place a month's events. */
const inForceIn = (spans: Spans, pcn: string, month: string) =>
  (spans.get(pcn) ?? []).some((s) => s.from <= `${month}-01` && (s.to === undefined || s.to >= `${month}-01`));

/** The months from the contract's first event date (2019-01) to the end of next year: every month events can be in. */
function eventMonths(now: Date): string[] {
  const months: string[] = [];
  for (let year = 2019; year <= now.getUTCFullYear() + 1; year++)
    for (let month = 1; month <= 12; month++) months.push(`${year}-${String(month).padStart(2, '0')}`);
  return months;
}

/**
 * PCNs this version would take out of force in a month they have events in (review 7, M7), as problems naming each
 * PCN, its rows in this file and the first such month. A month's events count only where their PCN is in force on
 * its first day (pcn_months): a version that re-dates a PCN (every PCN "from" the date of one extract) or closes it
 * early would leave its accepted events out of every figure (data_quality lists them, the refresh goes on). Only the
 * PCNs this version takes out of force in a month the version in force has them in force are checked, and only their
 * receipts read (a receipt lists its accepted rows by month): events already outside the version in force are not made
 * worse by it, and a version that changes a list size re-dates nothing. PCN codes and months are not personal.
 *
 * Not refused, but told (`notes`): months NHS Digital's extracts record the PCN out of England's map
 * (options.recordedOutOfForce: a PCN that closed or merged at a month end, whose own extract ran after it with rows
 * dated in the new month, R21-2; that is what happened, not a mistake in the version, and refusing it blocked every
 * later import), and PCNs the operator named in options.allowOutOfForce. Months before the first extract, and months a
 * hand-made version closes a PCN that the extracts still list, are refused as before.
 */
async function uncoveredMonths(
  store: ObjectStore,
  rows: readonly PcnReferenceRow[],
  lines: ReadonlyMap<string, readonly number[]>,
  options: StageOptions = {},
): Promise<{ problems: string[]; notes: string[] }> {
  const problems: string[] = [];
  const notes: string[] = [];
  const current = await currentReference(store);
  if (current === undefined) return { problems, notes };
  const before = spansOf(
    Papa.parse<Record<string, string>>(current.text.replace(/^\uFEFF/, ''), { header: true }).data,
  );
  const after = spansOf(rows);
  const months = eventMonths(new Date());
  const allowed = new Set(options.allowOutOfForce ?? []);
  for (const pcn of [...after.keys()].sort()) {
    const lost = new Set(months.filter((m) => inForceIn(before, pcn, m) && !inForceIn(after, pcn, m)));
    if (lost.size === 0) continue;
    const withEvents = new Set<string>();
    for (const key of await store.list(`${RECEIPTS_PREFIX}${pcn}-`)) {
      const bytes = await store.get(key);
      const receipt = bytes === undefined ? undefined : (JSON.parse(new TextDecoder().decode(bytes)) as Receipt);
      if (receipt?.kind !== 'events' || !(receipt.rows.accepted > 0)) continue;
      for (const [month, accepted] of Object.entries(receipt.partitions ?? {}))
        if (accepted > 0 && lost.has(month)) withEvents.add(month);
    }
    const recorded = [...withEvents].filter((m) => options.recordedOutOfForce?.(pcn, m) === true).sort();
    const refused = [...withEvents].filter((m) => !recorded.includes(m)).sort();
    const where = `PCN ${pcn} (${rowsText(lines.get(pcn) ?? [])})`;
    if (recorded.length > 0)
      notes.push(
        `${where} is out of force in ${monthsText(recorded)}, where it has accepted events, as NHS Digital's extracts record it (not in England's map then: closed or merged); those events are left out of every figure and listed in data_quality`,
      );
    const first = refused[0];
    if (first === undefined) continue;
    if (allowed.has(pcn))
      notes.push(
        `${where} is out of force in ${monthsText(refused)}, where it has accepted events, when the version in force has it in force: allowed by --allow-out-of-force; those events are left out of every figure and listed in data_quality`,
      );
    else
      problems.push(
        `${where} has accepted events dated ${first}${refused.length > 1 ? ` and ${refused.length - 1} later ${refused.length === 2 ? 'month' : 'months'}` : ''}, when the version in force, ${current.key}, has it in force and this file does not (on ${first}-01); ${KEEP_IN_FORCE}`,
      );
  }
  return { problems, notes };
}

const monthsText = (months: readonly string[]) =>
  months.length === 1 ? months[0] : `${months.slice(0, -1).join(', ')} and ${months.at(-1)}`;

/** What a version that takes a PCN out of force over its events is told to do (review 7, M7). */
export const KEEP_IN_FORCE =
  'a PCN must stay in force on the first day of every month it has events, or those events are left out of every figure: keep its valid_from no later than its first month with events and its valid_to (for a PCN that closed) no earlier than the last day of its last such month, as the version in force has them (or, where the PCN truly was not in force then, name it with --allow-out-of-force: its events there are then left out of every figure and listed); nothing was staged';

/**
 * The PCN codes of a reference version and the rows they are on, numbered as parseReference numbers them. Not
 * checked: a version in force that fails the checks (one copied in without them) must not stop a good one replacing it.
 */
function pcnLines(text: string): Map<string, number[]> {
  const lines = new Map<string, number[]>();
  Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), { header: true }).data.forEach((raw, i) => {
    const code = raw.pcn_code?.trim();
    if (code === undefined || code === '') return;
    const seen = lines.get(code);
    if (seen === undefined) lines.set(code, [i + 2]);
    else seen.push(i + 2);
  });
  return lines;
}

/** The reference version in force now (the latest staged), or undefined. */
export async function currentReference(store: ObjectStore): Promise<{ key: string; text: string } | undefined> {
  const key = (await store.list(REFERENCE_PREFIX)).filter((k) => k.endsWith('.csv')).at(-1);
  const bytes = key === undefined ? undefined : await store.get(key);
  return key === undefined || bytes === undefined ? undefined : { key, text: new TextDecoder().decode(bytes) };
}
