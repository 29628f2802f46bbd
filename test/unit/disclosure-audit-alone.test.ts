import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import { applyDisclosureControl } from '../../functions/refresh/disclosure.ts';
import {
  type AuditSpec,
  buildAuditSystem,
  type Disclosure,
  equationDisclosures,
  readerDisclosures,
} from '../../functions/refresh/disclosure-audit.ts';

/*
 * Each equation read alone (equationDisclosures), inside a component whose reading as a whole contradicts the figures.
 * The national release's cof_person, PCN U50573, 2024/25, discharge_other: the year shown `*` (7) beside months shown
 * `*`, `*`, `*`, 0, `*`, 0, 0, `*`, `*`, 0, 0, `*` (each `*` 1): the year's own equation pins the year at 7 and every
 * month at 1, but the component it sits in (England's month, the regions, ICBs and PCNs of that month, and every
 * area's year and months) cannot be read with every `*` as 1 to 7, and read loosely it pins nothing.
 *
 * Here: England = R1 + R2 + R3 (regions), R1 = I1 + I2 + I3 (ICBs), I1 = U1, I2 = U2, I3 = U3 (one PCN each; R2
 * and R3 have no ICB with a figure), by month; the PCN U1 has a year and twelve months.
 */
const FY_MONTHS = ['04', '05', '06', '07', '08', '09', '10', '11', '12', '01', '02', '03'].map(
  (m) => `${m < '04' ? 2025 : 2024}-${m}`,
);
const YEAR = '2024/25';
const PARENT: Record<string, string> = {
  R1: 'ENG',
  R2: 'ENG',
  R3: 'ENG',
  I1: 'R1',
  I2: 'R1',
  I3: 'R1',
  U1: 'I1',
  U2: 'I2',
  U3: 'I3',
};
const LEVEL: Record<string, string> = { E: 'national', R: 'region', I: 'icb', U: 'pcn' };
const AREAS: AuditSpec['areas'] = {
  partOf: (row) => (PARENT[String(row.code)] === undefined ? [] : [`${PARENT[String(row.code)]}|${row.period}`]),
  totalOf: (row) => `${row.code}|${row.period}`,
};
const SPEC: AuditSpec = {
  columns: ['discharge_other'],
  areas: AREAS,
  months: { columns: ['discharge_other'], keys: [] },
};
const RULES = { counts: ['discharge_other'], areas: AREAS, periodKeys: [], monthly: ['discharge_other'] };
const row = (code: string, period: string, n: number | '*'): Row => ({
  level: LEVEL[code[0] as string] as string,
  code,
  period_type: period.includes('/') ? 'fy' : 'month',
  period,
  discharge_other: n,
});
/** U50573's months: seven `*` (each 1) and five 0s. */
const U1_MONTHS: (number | '*')[] = ['*', '*', '*', 0, '*', 0, 0, '*', '*', 0, 0, '*'];
/**
 * What U1's year equation read alone pins when its months are U1_MONTHS and its year is `*` (1 to 7): the seven `*`
 * months add up to 7 at least and the year is 7 at most, so the year is 7 and each of those months 1.
 */
const U1_PINS = [
  'U1 2024-04 = 1',
  'U1 2024-05 = 1',
  'U1 2024-06 = 1',
  'U1 2024-08 = 1',
  'U1 2024-11 = 1',
  'U1 2024-12 = 1',
  'U1 2024/25 = 7',
  'U1 2025-03 = 1',
];
const u1 = (year: number | '*', months: readonly (number | '*')[]) => [
  row('U1', YEAR, year),
  ...months.map((n, i) => row('U1', FY_MONTHS[i] as string, n)),
];
/**
 * April below England: England 4 over three regions shown `*`, R1's three ICBs `*`. Read as 1 to 7, R1 is 3 or more
 * and R2, R3 1 or more: 5 or more, not 4, so some `*` hides a 0 or more than 7 (here zero regions hidden beside
 * England, as the publisher hides them: below). No one equation shows which: England's alone reads each region as 1
 * or 2.
 */
const april = (england: number) => [
  row('ENG', FY_MONTHS[0] as string, england),
  ...['R1', 'R2', 'R3', 'I1', 'I2', 'I3', 'U2', 'U3'].map((code) => row(code, FY_MONTHS[0] as string, '*')),
];
const named = (found: readonly Disclosure[]) =>
  found.map((d) => `${d.cell.row.code} ${d.cell.row.period} = ${d.value}`).sort();
const wholeAndAlone = (rows: Row[]) => {
  const system = buildAuditSystem(rows, SPEC);
  return {
    whole: named(system.components.flatMap((_, c) => readerDisclosures(system, c) ?? [])),
    alone: named(system.components.flatMap((_, c) => equationDisclosures(system, c).flatMap((e) => e.disclosures))),
  };
};

describe('each equation read alone, inside a component whose 1-to-7 reading contradicts', () => {
  it("finds U50573's year of 7 and its seven months of 1, which the component read whole does not", () => {
    const { whole, alone } = wholeAndAlone([...april(4), ...u1('*', U1_MONTHS)]);
    // Whole: the 1-to-7 reading contradicts (April above). Read loosely (a region's * 0 or more, any other 1 or more),
    // R1 is 3 (its ICBs) to 4 (England less R2 and R3 at 0), R2 and R3 0 or 1, each ICB of R1 and its PCN 1 or 2:
    // every bound still allows 1 to 7, so no * is marked secondary and the loose reading stands. U1's year is 7 or
    // more (seven months of 1 or more) with no upper bound: nothing is one value.
    expect(whole).toEqual([]);
    // Alone: U1's year = its months, each * 1 to 7: the seven * add up to 7 at least and the year is 7 at most, so the
    // year is 7 and each month 1. England's equation alone: 4 over three * of 1 to 7 leaves each region 1 or 2;
    // R1's: three * of 1 to 7 over a * leaves R1 3 to 7 and each ICB 1 to 5; one-PCN ICBs: both 1 to 7. Nothing else.
    expect(alone).toEqual(U1_PINS);
  });

  it('publishes that row protected within its own equation: its first 0 (July) made *', () => {
    // Exact April: U1, U2 1 and U3 2, so I1, I2 1 and I3 2, R1 4, R2 and R3 0 (rows of 0), England 4; U1 had 1 in each
    // of the seven months and 7 in the year. Every count of 1 to 7 is `*`. Secondary suppression: R1 is the only `*`
    // beside England's exact 4 (its other regions 0), so the first zero region, R2, is `*` too. The audit (areas): read
    // as 1 to 7, R1 is 3 or more (its three ICBs) and R2 1 or more, so with R3's 0, R1 is 3, R2 1, each ICB and PCN 1:
    // pinned; nothing published non-zero is left below England, so the component's zeros are suppressed: R3. Now the
    // April component contradicts the 1-to-7 reading as above and read loosely pins nothing. With the months: the
    // component read whole finds nothing (above), and U1's year equation alone pins the row; it has no count to
    // suppress, so its first 0 (July; the months in order) is made `*`. Read again alone: eight * of 1 to 7 add up to 8
    // or more beside a year of at most 7: that contradicts, and the equation itself shows the year (parts 8 to 56) and
    // each month (at most 7 less the other seven's 7: 0) cannot be 1 to 7, so all are read as 1 or more: the year 8
    // or more, each month 1 or more: nothing is one value. No other cell changes (July has no area rows here).
    const exactMonths = U1_MONTHS.map((n) => (n === '*' ? 1 : 0));
    const exactApril = Object.entries({ ENG: 4, R1: 4, R2: 0, R3: 0, I1: 1, I2: 1, I3: 2, U2: 1, U3: 2 }).map(
      ([code, n]) => row(code, FY_MONTHS[0] as string, n),
    );
    const published = applyDisclosureControl([...exactApril, ...u1(7, exactMonths)], RULES);
    const u1Row = published.filter((r) => r.code === 'U1').map((r) => r.discharge_other);
    expect(u1Row).toEqual(['*', '*', '*', '*', '*', '*', 0, 0, '*', '*', 0, 0, '*']);
    expect(published.filter((r) => r.code !== 'U1').map((r) => `${r.code} ${r.discharge_other}`)).toEqual([
      'ENG 4',
      'R1 *',
      'R2 *',
      'R3 *',
      'I1 *',
      'I2 *',
      'I3 *',
      'U2 *',
      'U3 *',
    ]);
    expect(wholeAndAlone(published)).toEqual({ whole: [], alone: [] });
  });

  it("withholds the rows below England where England's exact figure is its only region's, whatever they show", () => {
    // The metrics-golden fixture's cof_community in April, in small: England 30 connections, all of them U1's (R2, R3
    // and the other ICBs have no row: 0), in one kind of activity `a` (30) and none in `b` (0); connections = a + b.
    // England = R1 alone gives R1 = 30, R1 = I1 alone gives I1 = 30, I1 = U1 gives U1 = 30, however each is shown: a
    // `*` on any of them protects nothing. The audit of the component read whole makes them `*`, and then the zeros of
    // `b` (nothing else left), after which reading every `*` as 1 to 7 contradicts (R1's `b` * beside England's 0) and
    // the whole reading finds nothing; England = R1 read alone still gives 30 for R1's connections and `a`, whatever
    // is hidden, and nothing in that equation is left to suppress: the month's rows below England are withheld.
    const columns = { counts: ['connections', 'a', 'b'], groups: [{ total: 'connections', parts: ['a', 'b'] }] };
    const rules = { ...columns, areas: AREAS, periodKeys: [] };
    const april = FY_MONTHS[0] as string;
    const exact: Row[] = ['ENG', 'R1', 'I1', 'U1'].map((code) => ({
      level: LEVEL[code[0] as string] as string,
      code,
      period_type: 'month',
      period: april,
      connections: 30,
      a: 30,
      b: 0,
    }));
    const published = applyDisclosureControl(exact, rules);
    expect(published.map((r) => `${r.code} ${r.connections} ${r.a} ${r.b}`)).toEqual(['ENG 30 30 0']);
  });

  it('a region with a sibling keeps its rows: England over two `*` regions pins neither, whatever they hide', () => {
    // England 32 = R1 30 + R2 2 (R1 = I1 = U1, R2 = I2 = U2). R2's 2 is `*` (1 to 7), R1 `*` beside it (the only other
    // region). Read: R1 = I1, shown 30, so 28 to 32; R2 = 32 - R1 is 0 to 4, as a `*` 1 to 4, and R1 28 to 31: no value
    // pinned, so nothing is withheld and nothing more is suppressed (read as 0 or more, England = R1 + R2 pins neither).
    const april = FY_MONTHS[0] as string;
    const exact = Object.entries({ ENG: 32, R1: 30, R2: 2, I1: 30, I2: 2, U1: 30, U2: 2 }).map(([code, n]) =>
      row(code, april, n),
    );
    const published = applyDisclosureControl(exact, RULES);
    expect(published.map((r) => `${r.code} ${r.discharge_other}`)).toEqual([
      'ENG 32',
      'R1 *',
      'R2 *',
      'I1 30',
      'I2 *',
      'U1 30',
      'U2 *',
    ]);
  });

  it('a consistent component is read and published as before: its pins are found whole, none alone beyond them', () => {
    // England 5 instead: R1 3 to 7, R2 and R3 1 or more: 5 = R1 + R2 + R3 holds with R1 3, R2 1, R3 1 (every ICB of
    // R1 1): the 1-to-7 reading does not contradict, so the component read whole pins R1 = 3, R2 = R3 = 1, each ICB
    // and PCN of April 1, once in each copy (without and with the months); with the months, U1's year is at most 7
    // and at least its seven * months: 7, each month 1. Alone, U1's year pins the same; England's equation alone (5
    // over three * of 1 to 7: each 1 to 3) and R1's (3 to 7 over three *: each 1 to 5) pin nothing.
    const { whole, alone } = wholeAndAlone([...april(5), ...u1('*', U1_MONTHS)]);
    expect(alone).toEqual(U1_PINS);
    expect(whole.filter((d) => !d.startsWith('U1'))).toEqual([
      'I1 2024-04 = 1',
      'I1 2024-04 = 1',
      'I2 2024-04 = 1',
      'I2 2024-04 = 1',
      'I3 2024-04 = 1',
      'I3 2024-04 = 1',
      'R1 2024-04 = 3',
      'R1 2024-04 = 3',
      'R2 2024-04 = 1',
      'R2 2024-04 = 1',
      'R3 2024-04 = 1',
      'R3 2024-04 = 1',
      'U2 2024-04 = 1',
      'U2 2024-04 = 1',
      'U3 2024-04 = 1',
      'U3 2024-04 = 1',
    ]);
    // Every pin the equations show alone is among those the component shows whole (its two copies: with and without
    // the months): reading alone adds nothing to protect here.
    expect(alone.filter((d) => !whole.includes(d))).toEqual([]);
  });
});

/*
 * The property: after control, no equation read alone pins a published figure below England, with every `*` read as
 * 1 to 7 (where that does not contradict the equation's figures) or as 0 or more; a `*` pinned to 0 excepted (it says
 * no one was counted, as a published 0 does), and an equation whose figures below England are all `*` (England's
 * over its regions: nothing within it left to suppress, so the publisher leaves it). Checked by hand arithmetic here, not
 * by the audit: for total = sum of parts with each figure in [lo, hi], a part's values are [max(lo, total's lo - the
 * others' his), min(hi, total's hi - the others' los)], the total's [max(lo, parts' los), min(hi, parts' his)] (exact
 * for one equation of whole numbers).
 */
const PCNS = ['U1', 'U2', 'U3', 'U4'];
const AREA_CODES = ['ENG', 'R1', 'R2', 'R3', 'I1', 'I2', 'I3', 'I4', ...PCNS];
const MONTHS3 = FY_MONTHS.slice(0, 3);

/** Exact counts of each PCN in three months, summed up the areas and over the year; every area has a row. */
function exactDocument(counts: readonly number[]): Row[] {
  const sums = new Map<string, number>();
  PCNS.forEach((pcn, p) => {
    MONTHS3.forEach((month, m) => {
      const n = counts[(p * 3 + m) % counts.length] as number;
      for (let code: string | undefined = pcn; code !== undefined; code = PARENT[code])
        for (const period of [month, YEAR]) sums.set(`${code}|${period}`, (sums.get(`${code}|${period}`) ?? 0) + n);
    });
  });
  return AREA_CODES.flatMap((code) =>
    [...MONTHS3, YEAR].map((period) => row(code, period, sums.get(`${code}|${period}`) ?? 0)),
  );
}

/** The equations a reader knows, from the published rows (areas by period; below England, a year = its months). */
function equationsOf(published: Row[]): { total: Row; parts: (Row | undefined)[] }[] {
  const at = new Map(published.map((r) => [`${r.code}|${r.period}`, r]));
  const equations: { total: Row; parts: (Row | undefined)[] }[] = [];
  for (const period of [...MONTHS3, YEAR])
    for (const code of AREA_CODES) {
      const total = at.get(`${code}|${period}`);
      const parts = Object.keys(PARENT)
        .filter((c) => PARENT[c] === code)
        .flatMap((c) => (at.has(`${c}|${period}`) ? [at.get(`${c}|${period}`) as Row] : []));
      if (total !== undefined && parts.length > 0) equations.push({ total, parts });
    }
  for (const code of AREA_CODES.slice(1)) {
    const total = at.get(`${code}|${YEAR}`);
    if (total === undefined) continue;
    // A month withheld below England (no row below England has it): a part of the year of 0 or more (undefined).
    const withheld = (m: string) => !published.some((r) => r.period === m && r.level !== 'national');
    const parts = MONTHS3.flatMap((m) =>
      at.has(`${code}|${m}`) ? [at.get(`${code}|${m}`)] : withheld(m) ? [undefined] : [],
    );
    if (parts.some((p) => p !== undefined)) equations.push({ total, parts });
  }
  return equations;
}

/** The cells of an equation alone pinned to one value, `*` read as `star` (none where the figures contradict it). */
function pinnedAlone(
  equation: { total: Row; parts: (Row | undefined)[] },
  star: [number, number],
): string[] | undefined {
  const range = (r: Row | undefined): [number, number] => {
    if (r === undefined) return [0, Number.POSITIVE_INFINITY];
    const v = r.discharge_other;
    if (v === '*') return star;
    const n = Number(v);
    return r.level === 'national' || n === 0 ? [n, n] : [Math.max(8, n - 2), n + 2];
  };
  const cells = [equation.total, ...equation.parts];
  const ranges = cells.map(range);
  const partsLo = ranges.slice(1).reduce((a, [lo]) => a + lo, 0);
  const partsHi = ranges.slice(1).reduce((a, [, hi]) => a + hi, 0);
  const [tLo, tHi] = ranges[0] as [number, number];
  const total: [number, number] = [Math.max(tLo, partsLo), Math.min(tHi, partsHi)];
  const values = ranges.map(([lo, hi], i): [number, number] =>
    i === 0 ? total : [Math.max(lo, total[0] - (partsHi - hi)), Math.min(hi, total[1] - (partsLo - lo))],
  );
  if (values.some(([lo, hi]) => lo > hi)) return undefined;
  return cells.flatMap((cell, i) => {
    const [lo, hi] = values[i] as [number, number];
    const [shownLo, shownHi] = ranges[i] as [number, number];
    // A `*` pinned to 0 is not a disclosure (no one was counted: what a published 0 says).
    const zeroStar = cell?.discharge_other === '*' && lo === 0;
    return cell !== undefined && cell.level !== 'national' && lo === hi && shownLo < shownHi && !zeroStar
      ? [`${cell.code} ${cell.period} = ${lo}`]
      : [];
  });
}

describe('after control, no equation alone pins a figure (property)', () => {
  it('holds on random documents with zeros hidden as * (any * read as 1 to 7, or as 0 or more)', () => {
    let contradicting = 0;
    let leftAsIs = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.constant(1), fc.nat({ max: 3 }), fc.constant(8)), {
          minLength: 12,
          maxLength: 12,
        }),
        fc.array(fc.nat({ max: AREA_CODES.length * 4 - 1 }), { maxLength: 3 }),
        (counts, hidden) => {
          const exact = exactDocument(counts);
          // A few cells published `*` whatever they hold (as another document's control imposes): zeros hidden.
          const imposed = new Set(hidden.map((i) => exact[i] as Row).filter((r) => r.level !== 'national'));
          const published = applyDisclosureControl(exact, RULES, (r) => (imposed.has(r) ? ['discharge_other'] : []));
          for (const equation of equationsOf(published)) {
            // An equation with nothing below England left to suppress (England over regions all `*`) is left as it is
            // by the publisher (docs/methodology.md): counted, not checked.
            const below = [equation.total, ...equation.parts].filter((r) => r !== undefined && r.level !== 'national');
            if (below.every((r) => r?.discharge_other === '*')) {
              leftAsIs++;
              continue;
            }
            const strict = pinnedAlone(equation, [1, 7]);
            if (strict === undefined) contradicting++;
            else expect(strict).toEqual([]);
            expect(pinnedAlone(equation, [0, Number.POSITIVE_INFINITY])).toEqual([]);
          }
        },
      ),
      { numRuns: 200, seed: 20261205 },
    );
    // Some equations' 1-to-7 reading contradicts (a hidden zero, a secondary `*`): the 0-or-more reading is checked there.
    expect(contradicting).toBeGreaterThan(0);
    expect(leftAsIs).toBeGreaterThan(0);
  });
});

/*
 * A sealed equation: a `*` total over parts all `*` or 0, exactly 7 of them `*`. Read alone with each `*` as 1 to 7 it
 * gives the total as 7 and every `*` part as 1, whatever the rest shows, and nothing in it is left to suppress. The
 * synthetic demo's South West (region Y58, 7 ICBs, each `*`) was made `*` as the first of regions tied at 10 beside
 * another region's `*`, and the scan read it as 7 and its ICBs as 1 each (464 findings in 5 documents).
 *
 * Here, in one month: England = R1 + R2 + R3 + R4; R1 = I1 + ... + I7 (2 each: 14); R2 = J1 (14); R3 = K1 (3);
 * R4 = L1 (40). England 71.
 */
describe('secondary suppression does not seal an equation where another cell will do', () => {
  const ICBS = ['I1', 'I2', 'I3', 'I4', 'I5', 'I6', 'I7'];
  const PARENTS: Record<string, string> = {
    ...Object.fromEntries(['R1', 'R2', 'R3', 'R4'].map((r) => [r, 'ENG'])),
    ...Object.fromEntries(ICBS.map((i) => [i, 'R1'])),
    J1: 'R2',
    K1: 'R3',
    L1: 'R4',
  };
  const areas: AuditSpec['areas'] = {
    partOf: (r) => (PARENTS[String(r.code)] === undefined ? [] : [`${PARENTS[String(r.code)]}|${r.period}`]),
    totalOf: (r) => `${r.code}|${r.period}`,
  };
  const april = FY_MONTHS[0] as string;
  const exact = Object.entries({
    ENG: 71,
    R1: 14,
    R2: 14,
    R3: 3,
    R4: 40,
    ...Object.fromEntries(ICBS.map((i) => [i, 2])),
    J1: 14,
    K1: 3,
    L1: 40,
  }).map(([code, n]) => row(code, april, n));

  it('makes the next region of the tie `*`, not the one over seven `*` ICBs', () => {
    // Rounded and primary: R1 15, R2 15, R4 40, J1 15, L1 40; R3, K1 and every I 1 to 7, so `*`. Regions of England
    // (England exact, not their total in the rules): R3 alone `*`, so the smallest other, R1 and R2 tied at 15. R1
    // first would seal R1 = I1 + ... + I7: `*` over seven `*`, read as 7 and 2 (the truth: 14 and 2s) as 1 each; R2
    // seals nothing (its J1 is published), so R2 is made `*`. R1's family then has 7 `*` parts and its total shown:
    // no lone `*`. R2 = J1 with R2 `*` and J1 15: no `*` part. R3 = K1: both `*`.
    const published = applyDisclosureControl(exact, { counts: ['discharge_other'], areas, periodKeys: [] });
    expect(published.map((r) => `${r.code} ${r.discharge_other}`)).toEqual([
      'ENG 71',
      'R1 15',
      'R2 *',
      'R3 *',
      'R4 40',
      ...ICBS.map((i) => `${i} *`),
      'J1 15',
      'K1 *',
      'L1 40',
    ]);
    // What a reader works out, each equation alone and the component whole: R1 = the ICBs, 13 to 17 over seven of 1
    // to 7 (each 1 to 7 still). R2's * beside J1's 15 cannot be 1 to 7 (read as 1 or more: R2 = J1, 13 to 17).
    // England alone: 71 less R1 (13 to 17) and R4 (38 to 42) leaves R2 + R3 12 to 20, each * 1 to 7: R2 5 to 7, R3
    // 5 to 7. Whole: R2 13 to 17, so R3 (= 71 - R1 - R2 - R4) at most 71 - 13 - 13 - 38 = 7 and at least 1: K1 too.
    // Nothing is one value.
    const system = buildAuditSystem(published, { columns: ['discharge_other'], areas });
    expect(system.components.flatMap((_, c) => readerDisclosures(system, c) ?? [])).toEqual([]);
    expect(system.components.flatMap((_, c) => equationDisclosures(system, c))).toEqual([]);
  });
});
