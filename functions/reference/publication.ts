import Papa from 'papaparse';
import { ICB_CODE_PATTERN as ICB_CODE, PCN_CODE_PATTERN } from '../contract/areas.ts';
import { PCN_PLACE_COLUMNS, pcnReferenceRow } from '../contract/reference.ts';

/**
 * NHS Digital's "Patients Registered at a GP Practice": one extract is two files, the mapping file (practice ->
 * PCN -> sub-ICB -> ICB -> region) and the totals file (patients per practice). Header names are as published.
 */
export const MAP_COLUMNS = [
  'EXTRACT_DATE',
  'PRACTICE_CODE',
  'ICB_CODE',
  'ICB_NAME',
  'COMM_REGION_CODE',
  'COMM_REGION_NAME',
  'PCN_CODE',
  'PCN_NAME',
] as const;
export const LIST_COLUMNS = ['EXTRACT_DATE', 'CODE', 'SEX', 'AGE', 'NUMBER_OF_PATIENTS'] as const;

/** Practices in no PCN carry this PCN code ("Unallocated"). */
export const UNALLOCATED = 'U';

/** Where a practice or PCN sits, as the mapping file has it (codes and names as published, trimmed). */
type Place = Readonly<Record<(typeof PCN_PLACE_COLUMNS)[number], string>>;

/** One practice of an extract: where it sits (`pcn_code` is `U` when it is in no PCN) and its registered list. */
export interface PracticeRow extends Place {
  readonly practice_code: string;
  readonly patients: number;
}

export const PRACTICE_COLUMNS = [
  'practice_code',
  ...PCN_PLACE_COLUMNS,
  'patients',
] as const satisfies readonly (keyof PracticeRow)[];

export interface Extract {
  /** YYYY-MM: the extract is dated the first of its month. */
  readonly month: string;
  readonly practices: readonly PracticeRow[];
}

/** A file that cannot be read as the publication: every problem names the file, line and column. */
export class PublicationError extends Error {
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    const shown = problems.slice(0, 20);
    super(
      `${shown.join('\n')}${problems.length > shown.length ? `\n… and ${problems.length - shown.length} more` : ''}`,
    );
    this.name = 'PublicationError';
    this.problems = problems;
  }
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/**
 * The extract date in either published form, `01Dec2025` or `2025-12-01`, as YYYY-MM; undefined when it is
 * neither or not the first of a month (extracts are taken on the first of the month).
 */
export function extractMonth(value: string): string | undefined {
  const short = /^01([A-Za-z]{3})(20\d\d)$/.exec(value.trim());
  if (short) {
    const m = MONTHS.indexOf((short[1] as string).toUpperCase());
    return m < 0 ? undefined : `${short[2]}-${String(m + 1).padStart(2, '0')}`;
  }
  const iso = /^(20\d\d)-(0[1-9]|1[0-2])-01$/.exec(value.trim());
  return iso ? `${iso[1]}-${iso[2]}` : undefined;
}

const PRACTICE_CODE = /^[A-Z]\d{5}$/;
const REGION_CODES = new Set(pcnReferenceRow.def.shape?.region_code?.options ?? []);

interface Parsed {
  readonly rows: Record<string, string>[];
  readonly problems: string[];
}

/**
 * Parses a published CSV (a leading byte-order mark dropped, header names trimmed); the header must hold every
 * column named (others are ignored) and there must be a row. Problems name the file, line and column.
 */
export function parsePublishedCsv(file: string, text: string, required: readonly string[]): Parsed {
  const problems: string[] = [];
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: true,
    transformHeader: (h) => h.trim(),
  });
  const header = parsed.meta.fields ?? [];
  for (const column of required)
    if (!header.includes(column)) problems.push(`${file}, line 1, column ${column}: missing from the header`);
  // papaparse counts data rows from 0; line 1 is the header
  for (const error of parsed.errors) problems.push(`${file}, line ${(error.row ?? 0) + 2}: ${error.message}`);
  if (parsed.data.length === 0) problems.push(`${file}: no rows`);
  return { rows: parsed.data, problems };
}

/**
 * Reads one extract (its mapping and totals files) and checks every row. The two files must be of the same
 * extract date and list the same practices; a PCN's list is later the sum of its practices'.
 */
export function readExtract(
  map: { readonly name: string; readonly text: string },
  list: { readonly name: string; readonly text: string },
): Extract {
  const mapped = parsePublishedCsv(map.name, map.text, MAP_COLUMNS);
  const totals = parsePublishedCsv(list.name, list.text, LIST_COLUMNS);
  const problems = [...mapped.problems, ...totals.problems];
  if (problems.length > 0) throw new PublicationError(problems);

  const months = new Map<string, string>();
  const checkDate = (file: string, line: number, value: string | undefined) => {
    const month = extractMonth(value ?? '');
    if (month === undefined)
      problems.push(
        `${file}, line ${line}, column EXTRACT_DATE: must be a first of the month as 01Dec2025 or 2025-12-01`,
      );
    else if (!months.has(month)) months.set(month, `${file}, line ${line}`);
  };

  const patients = new Map<string, { count: number; line: number }>();
  totals.rows.forEach((row, i) => {
    const line = i + 2;
    // The totals file may also carry rows by sex and age: the list is the ALL/ALL row.
    if ((row.SEX ?? '').trim() !== 'ALL' || (row.AGE ?? '').trim() !== 'ALL') return;
    checkDate(list.name, line, row.EXTRACT_DATE);
    const code = (row.CODE ?? '').trim();
    const count = Number((row.NUMBER_OF_PATIENTS ?? '').trim());
    if (!PRACTICE_CODE.test(code))
      problems.push(`${list.name}, line ${line}, column CODE: must be a practice code, a letter and 5 digits`);
    else if (patients.has(code))
      problems.push(
        `${list.name}, line ${line}, column CODE: practice listed twice (first on line ${patients.get(code)?.line})`,
      );
    if (!Number.isInteger(count) || count < 0 || (row.NUMBER_OF_PATIENTS ?? '').trim() === '')
      problems.push(`${list.name}, line ${line}, column NUMBER_OF_PATIENTS: must be a whole number, 0 or more`);
    else if (PRACTICE_CODE.test(code) && !patients.has(code)) patients.set(code, { count, line });
  });

  const practices: PracticeRow[] = [];
  const seen = new Map<string, number>();
  mapped.rows.forEach((row, i) => {
    const line = i + 2;
    const cell = (column: (typeof MAP_COLUMNS)[number]) => (row[column] ?? '').trim();
    const bad = (column: string, reason: string) =>
      problems.push(`${map.name}, line ${line}, column ${column}: ${reason}`);
    checkDate(map.name, line, row.EXTRACT_DATE);
    const code = cell('PRACTICE_CODE');
    const pcn = cell('PCN_CODE');
    if (!PRACTICE_CODE.test(code)) {
      bad('PRACTICE_CODE', 'must be a practice code, a letter and 5 digits');
      return;
    }
    if (seen.has(code)) {
      bad('PRACTICE_CODE', `practice listed twice (first on line ${seen.get(code)})`);
      return;
    }
    seen.set(code, line);
    if (pcn !== UNALLOCATED && !PCN_CODE_PATTERN.test(pcn))
      bad('PCN_CODE', 'must be U followed by 5 digits, or U for a practice in no PCN');
    if (pcn !== UNALLOCATED && cell('PCN_NAME') === '') bad('PCN_NAME', 'must not be empty');
    if (!ICB_CODE.test(cell('ICB_CODE'))) bad('ICB_CODE', 'must be an ICB code such as QWE');
    if (cell('ICB_NAME') === '') bad('ICB_NAME', 'must not be empty');
    if (!REGION_CODES.has(cell('COMM_REGION_CODE') as never))
      bad('COMM_REGION_CODE', `must be one of ${[...REGION_CODES].join(', ')}`);
    if (cell('COMM_REGION_NAME') === '') bad('COMM_REGION_NAME', 'must not be empty');
    const listed = patients.get(code);
    if (listed === undefined) {
      bad('PRACTICE_CODE', `practice not in the totals file ${list.name}`);
      return;
    }
    practices.push({
      practice_code: code,
      pcn_code: pcn,
      pcn_name: pcn === UNALLOCATED ? '' : cell('PCN_NAME'),
      icb_code: cell('ICB_CODE'),
      icb_name: cell('ICB_NAME'),
      region_code: cell('COMM_REGION_CODE'),
      region_name: cell('COMM_REGION_NAME'),
      patients: listed.count,
    });
  });
  for (const [code, { line }] of patients)
    if (!seen.has(code))
      problems.push(`${list.name}, line ${line}, column CODE: practice not in the mapping file ${map.name}`);
  if (months.size > 1)
    problems.push(
      `EXTRACT_DATE: the files hold more than one extract (${[...months.entries()].map(([m, where]) => `${m} at ${where}`).join(', ')})`,
    );
  if (problems.length > 0) throw new PublicationError(problems);
  return {
    month: [...months.keys()][0] as string,
    practices: practices.sort((a, b) => a.practice_code.localeCompare(b.practice_code)),
  };
}

/** A PCN as one extract shows it: its list is the sum of its practices' patients. */
export interface PcnSnapshot extends Place {
  readonly list_size: number;
  readonly practices: number;
}

/**
 * The PCNs of one extract, from its practices. A few PCNs have practices in two ICBs (or regions): the PCN is
 * placed in the ICB holding most of its patients (the lower code on a tie), so each PCN has one parent.
 */
export function pcnsOf(practices: readonly PracticeRow[]): Map<string, PcnSnapshot> {
  const groups = new Map<string, PracticeRow[]>();
  for (const p of practices) {
    if (p.pcn_code === UNALLOCATED) continue;
    const group = groups.get(p.pcn_code);
    if (group) group.push(p);
    else groups.set(p.pcn_code, [p]);
  }
  const pcns = new Map<string, PcnSnapshot>();
  for (const [code, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const byIcb = new Map<string, number>();
    for (const p of group) byIcb.set(p.icb_code, (byIcb.get(p.icb_code) ?? 0) + p.patients);
    const [icb] = [...byIcb].sort(([a, x], [b, y]) => y - x || a.localeCompare(b))[0] as [string, number];
    const home = group.find((p) => p.icb_code === icb) as PracticeRow;
    const names = new Map<string, number>();
    for (const p of group) names.set(p.pcn_name, (names.get(p.pcn_name) ?? 0) + p.patients);
    const [name] = [...names].sort(([a, x], [b, y]) => y - x || a.localeCompare(b))[0] as [string, number];
    pcns.set(code, {
      pcn_code: code,
      pcn_name: name,
      icb_code: home.icb_code,
      icb_name: home.icb_name,
      region_code: home.region_code,
      region_name: home.region_name,
      list_size: group.reduce((sum, p) => sum + p.patients, 0),
      practices: group.length,
    });
  }
  return pcns;
}
