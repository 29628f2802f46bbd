import type { MetricDocument } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { applyDisclosureControl, type DisclosureRules } from '../../functions/refresh/disclosure.ts';
import { recoveredCells, SCAN_SPEC, scanDocuments } from './disclosure-scan.ts';

/*
 * Review 34's seeded fuzz of small disclosure documents, shared by the tests that replay it (counts, staff years): the
 * same generator and the same order of draws, so a seed and a document number name the same case everywhere.
 */

/** A linear congruential generator (the C library's constants): seed 7's document 357 is the same on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** A value drawn as the fuzz draws one: 0 below `zero`, 1 to `smallMax` below `small`, otherwise 8 to 27. */
export function valuePicker(
  rnd: () => number,
  { zero, small, smallMax }: { zero: number; small: number; smallMax: number },
): () => number {
  return () => {
    const x = rnd();
    return x < zero ? 0 : x < small ? 1 + Math.floor(rnd() * smallMax) : 8 + Math.floor(rnd() * 20);
  };
}

/** England (ENG) over 2 or 3 regions R<r> of 1 or 2 ICBs I<r><i> of 1 to 3 PCNs P<r><i><p>: each area's parent. */
export function randomGeography(rnd: () => number): { parent: Record<string, string>; pcns: string[] } {
  const parent: Record<string, string> = {};
  const pcns: string[] = [];
  const regions = 2 + Math.floor(rnd() * 2);
  for (let r = 1; r <= regions; r++) {
    parent[`R${r}`] = 'ENG';
    const icbs = 1 + Math.floor(rnd() * 2);
    for (let i = 1; i <= icbs; i++) {
      parent[`I${r}${i}`] = `R${r}`;
      const n = 1 + Math.floor(rnd() * 3);
      for (let p = 1; p <= n; p++) {
        parent[`P${r}${i}${p}`] = `I${r}${i}`;
        pcns.push(`P${r}${i}${p}`);
      }
    }
  }
  return { parent, pcns };
}

/** Each PCN's two months' values, drawn in the order of `pcns`. */
export function twoMonthsEach(pcns: readonly string[], pick: () => number): Record<string, [number, number]> {
  const values: Record<string, [number, number]> = {};
  for (const p of pcns) values[p] = [pick(), pick()];
  return values;
}

/*
 * The documents the tests build over such a geography, and the scan's reading of them: a plain count document
 * (splw_contacts, April, May and the year) and a staff year (coaches in June and July, the year's mean over its two
 * months), each area's figures its PCNs' summed. An area's parent is given as a record (code to parent; England has
 * none) or as a function of its code.
 */
export type AreaParents = Readonly<Record<string, string>> | ((code: string) => string | undefined);

const parentFunction = (parents: AreaParents) =>
  typeof parents === 'function' ? parents : (code: string): string | undefined => parents[code];

/** An area's level by its code: ENG England, R<r> a region, I<r><i> an ICB, P<r><i><p> a PCN. */
export const levelOf = (c: string) =>
  c === 'ENG' ? 'national' : c[0] === 'R' ? 'region' : c[0] === 'I' ? 'icb' : 'pcn';

/** Each area's two months: a PCN's own, an area's the sum of those of the areas whose parent it is. */
export function twoMonthTotals(
  parent: Readonly<Record<string, string>>,
  pcns: Readonly<Record<string, readonly [number, number]>>,
): (code: string) => [number, number] {
  const sum = (c: string): [number, number] => {
    const own = pcns[c];
    if (own) return [own[0], own[1]];
    return Object.keys(parent)
      .filter((k) => parent[k] === c)
      .map(sum)
      .reduce<[number, number]>((a, k) => [a[0] + k[0], a[1] + k[1]], [0, 0]);
  };
  return sum;
}

/** A count document's rows (April, May, the year) of England, then of each area in the order of `parent`'s keys. */
export function countRows(
  parent: Readonly<Record<string, string>>,
  pcns: Readonly<Record<string, readonly [number, number]>>,
): Row[] {
  const sum = twoMonthTotals(parent, pcns);
  return ['ENG', ...Object.keys(parent)].flatMap((c) => {
    const [april, may] = sum(c);
    return [
      { level: levelOf(c), code: c, period_type: 'month', period: '2025-04', splw_contacts: april },
      { level: levelOf(c), code: c, period_type: 'month', period: '2025-05', splw_contacts: may },
      { level: levelOf(c), code: c, period_type: 'fy', period: '2025/26', splw_contacts: april + may },
    ];
  });
}

/** The publisher's control of a count document: each area's row a part of its parent's, monthly counts. */
export function controlCounts(rows: readonly Row[], parents: AreaParents): Row[] {
  const parentOf = parentFunction(parents);
  const areas = {
    partOf: (r: Row) => {
      const parent = r.level === 'national' ? undefined : parentOf(String(r.code));
      return parent ? [`${parent}|${r.period}`] : [];
    },
    totalOf: (r: Row) => `${r.code}|${r.period}`,
  };
  return applyDisclosureControl(rows, { counts: ['splw_contacts'], areas, periodKeys: [], monthly: ['splw_contacts'] });
}

/** The cells of a count document (as cof_person) the scan recovers, each `CODE PERIOD = VALUE`, as often as found. */
export function recoveredCounts(rows: readonly Row[], parents: AreaParents): string[] {
  const parentOf = parentFunction(parents);
  const doc = { name: 'cof_person', keys: [], rows } as unknown as MetricDocument;
  return recoveredCells(doc, (r) => parentOf(r.code), SCAN_SPEC, [doc]).map(
    (f) => `${f.row.code} ${f.row.period}${f.part === undefined ? '' : ` part ${f.part}`} = ${f.value}`,
  );
}

/** A staff year's row (or a month's: `months` 1): coaches as headcount, FTE half of it (a `*` both). */
export function staffRow(
  c: string,
  period_type: string,
  period: string,
  months: number,
  coaches: number | string,
): Row {
  return {
    level: levelOf(c),
    code: c,
    period_type,
    period,
    months,
    hwbc_headcount: coaches,
    hwbc_fte: typeof coaches === 'number' ? coaches / 2 : coaches,
  };
}

/** A staff document's rows of England, then of each area in the order of `parent`'s keys: the year, then (where
 * `months`) June and July. */
export function staffRows(
  parent: Readonly<Record<string, string>>,
  pcns: Readonly<Record<string, readonly [number, number]>>,
  months = true,
): Row[] {
  const sum = twoMonthTotals(parent, pcns);
  return ['ENG', ...Object.keys(parent)].flatMap((c) => {
    const [june, july] = sum(c);
    const year = staffRow(c, 'fy', '2025/26', 2, (june + july) / 2);
    return months ? [year, staffRow(c, 'month', '2025-06', 1, june), staffRow(c, 'month', '2025-07', 1, july)] : [year];
  });
}

/** The publisher's rules for a staff document (coaches, as person-months): each area's row a part of its parent's. */
export function staffRules(parents: AreaParents): DisclosureRules {
  const parentOf = parentFunction(parents);
  return {
    counts: [],
    staff: [{ headcount: 'hwbc_headcount', fte: 'hwbc_fte' }],
    staffMonths: 'months',
    periodKeys: [],
    areas: {
      partOf: (r) => {
        const parent = parentOf(String(r.code));
        return parent ? [`${parent}|${r.period_type}|${r.period}`] : [];
      },
      totalOf: (r) => `${r.code}|${r.period_type}|${r.period}`,
    },
  };
}

/** Every finding of the scan on a staff document (as staffyears: its headcount and FTE as staff, no counts). */
export function scanStaffYears(rows: readonly Row[], parents: AreaParents): string[] {
  const parentOf = parentFunction(parents);
  return scanDocuments([{ name: 'staffyears', keys: [], rows } as unknown as MetricDocument], (r) => parentOf(r.code), {
    ...SCAN_SPEC,
    counts: { staffyears: [] },
    staff: { staffyears: [['hwbc_headcount', 'hwbc_fte', []]] },
  });
}

/** The scan's findings of figures recovered in a staff document (its other checks, FTE's among them, left out). */
export const recoveredStaff = (rows: readonly Row[], parents: AreaParents) =>
  scanStaffYears(rows, parents).filter((f) => f.includes('recovered'));
