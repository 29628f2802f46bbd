import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';
import { applyDisclosureControl, controlCount, rate } from '../../functions/refresh/disclosure.ts';

describe('controlCount', () => {
  it.each([
    [0, 0],
    [1, '*'],
    [7, '*'],
    [8, 10],
    [12, 10],
    [13, 15],
    [17, 15],
    [18, 20],
    [1234, 1235],
  ])('%i is published as %s', (n, published) => {
    expect(controlCount(n)).toBe(published);
  });
});

describe('rate', () => {
  it('is derived from published figures and suppressed with either of them', () => {
    expect(rate(35, 35_000, 1000)).toBe(1);
    expect(rate('*', 100, 100)).toBe('*');
    expect(rate(10, '*', 100)).toBe('*');
    expect(rate(10, 0, 100)).toBeNull();
  });
});

describe('applyDisclosureControl', () => {
  const rules = {
    counts: ['total', 'a', 'b', 'c'],
    groups: [{ total: 'total', parts: ['a', 'b', 'c'] }],
    means: [{ column: 'mean', contributors: 'total' }],
  };

  it('leaves England alone and controls every other level', () => {
    const rows: Row[] = [
      { level: 'national', code: 'ENG', period: '2025/26', total: 3, a: 1, b: 2, c: 0, mean: 4.2 },
      { level: 'pcn', code: 'U10001', period: '2025/26', total: 23, a: 3, b: 11, c: 9, mean: 4.2 },
      { level: 'pcn', code: 'U10002', period: '2025/26', total: 6, a: 0, b: 6, c: 0, mean: 3.3 },
      { level: 'pcn', code: 'U10003', period: '2025/26', total: 10, a: 3, b: 0, c: 0, mean: 5 },
    ];
    expect(applyDisclosureControl(rows, rules)).toEqual([
      { level: 'national', code: 'ENG', period: '2025/26', total: 3, a: 1, b: 2, c: 0, mean: 4.2 },
      // a = 3 is suppressed; with total 25 shown, the smallest other part is too (b and c both show 10: the first)
      { level: 'pcn', code: 'U10001', period: '2025/26', total: 25, a: '*', b: '*', c: 10, mean: 4.2 },
      // the total is itself suppressed: nothing to protect; the mean of 6 people is withheld
      { level: 'pcn', code: 'U10002', period: '2025/26', total: '*', a: 0, b: '*', c: 0, mean: '*' },
      // one part suppressed and the others zero: only suppressing the total protects it, and its mean goes with it
      // (a mean of whole numbers can say which count it was made from)
      { level: 'pcn', code: 'U10003', period: '2025/26', total: '*', a: '*', b: 0, c: 0, mean: '*' },
    ]);
  });

  it('suppresses a sibling when one row of a family is suppressed', () => {
    const rows: Row[] = [
      { level: 'pcn', code: 'U1', period: 'p', total: 30 },
      { level: 'pcn', code: 'U2', period: 'p', total: 5 },
      { level: 'pcn', code: 'U3', period: 'p', total: 12 },
    ];
    const out = applyDisclosureControl(rows, { counts: ['total'], siblings: [() => 'QWE|p'] });
    expect(out.map((r) => r.total)).toEqual([30, '*', '*']);
  });

  it('never lets a count from 1 to 7 out below England, whatever the figures (property)', () => {
    const count = fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 100_000 }));
    const row = fc.record({
      level: fc.constantFrom('region', 'icb', 'pcn'),
      code: fc.constantFrom('A', 'B', 'C', 'D'),
      period: fc.constantFrom('2024/25', '2025-04'),
      a: count,
      b: count,
      c: count,
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 30 }), (raw) => {
        const rows = raw.map((r) => ({ ...r, total: r.a + r.b + r.c })) as Row[];
        const out = applyDisclosureControl(rows, { ...rules, means: [], siblings: [(r) => `${r.level}|${r.period}`] });
        for (const r of out) {
          for (const column of ['total', 'a', 'b', 'c']) {
            const v = r[column];
            expect(v === '*' || (typeof v === 'number' && v % 5 === 0 && !(v >= 1 && v <= 7))).toBe(true);
          }
          // within a row, never exactly one suppressed part while the total shows
          const suppressedParts = ['a', 'b', 'c'].filter((c) => r[c] === '*').length;
          if (r.total !== '*') expect(suppressedParts).not.toBe(1);
        }
      }),
      { numRuns: 500, seed: 20261122 },
    );
  });

  it('every catalogue entry names only columns its rules can find', () => {
    for (const metric of CATALOGUE) {
      for (const group of metric.rules.groups ?? []) {
        expect(metric.rules.counts, metric.name).toContain(group.total);
        for (const part of group.parts) expect(metric.rules.counts, metric.name).toContain(part);
      }
      for (const column of metric.rules.counts)
        expect(metric.definitions[column], `${metric.name}.${column}`).toBeTypeOf('string');
      // A figure describing counts is controlled after them, never as one of them (it does not add up as they do).
      for (const rule of metric.rules.describing ?? []) {
        const counted = [...metric.rules.counts, ...(metric.rules.staff ?? []).map((s) => s.headcount)];
        for (const count of rule.counts) expect(counted, metric.name).toContain(count);
        for (const bound of [rule.atMost ?? []].flat()) {
          expect(counted, `${metric.name}: a bound is published exactly`).not.toContain(bound);
          expect(metric.definitions[bound], `${metric.name}.${bound}`).toBeTypeOf('string');
        }
        for (const column of rule.columns) {
          expect(metric.rules.counts, metric.name).not.toContain(column);
          expect(metric.definitions[column], `${metric.name}.${column}`).toBeTypeOf('string');
        }
      }
    }
  });
});

describe('secondary suppression across periods and staff figures', () => {
  const month = (period: string, referrals: number): Row => ({
    level: 'pcn',
    code: 'U10001',
    period_type: 'month',
    period,
    referrals,
  });

  it('a suppressed month beside a published year total takes the next smallest month with it', () => {
    // April 20, May 5, June 30; the year 55 is published as 55. May alone suppressed: 55 - 20 - 30 = 5 would
    // reveal it, so April (the smallest other) is suppressed too. Months of another year are not its parts.
    const rows: Row[] = [
      month('2025-04', 20),
      month('2025-05', 5),
      month('2025-06', 30),
      month('2025-03', 9),
      { level: 'pcn', code: 'U10001', period_type: 'fy', period: '2025/26', referrals: 55 },
    ];
    const out = applyDisclosureControl(rows, { counts: ['referrals'], periodKeys: [] });
    expect(out.map((r) => r.referrals)).toEqual(['*', '*', 30, 10, 55]);
    // Without period keys (a document with no months), nothing is added.
    expect(applyDisclosureControl(rows, { counts: ['referrals'] }).map((r) => r.referrals)).toEqual([
      20,
      '*',
      30,
      10,
      55,
    ]);
  });

  it('a headcount is a count of people, and an FTE needs 8 or more people in the role and is rounded to 5 (hand-worked rows)', () => {
    const staff = (level: string, headcount: number | null, fte: number, accredited: number | null): Row => ({
      level,
      code: level === 'national' ? 'ENG' : `U${headcount}-${fte}`,
      period_type: 'month',
      period: '2025-12',
      splw_headcount: headcount,
      splw_fte: fte,
      splw_accredited: accredited,
    });
    const rules = {
      counts: ['splw_accredited'],
      staff: [{ headcount: 'splw_headcount', fte: 'splw_fte', columns: ['splw_accredited'] }],
    };
    const out = applyDisclosureControl(
      [
        staff('pcn', 2, 1.5, 1),
        staff('pcn', 7, 6.2, 7),
        staff('pcn', 9, 6.4, 9), // 9 people: published, the headcount rounded (10) and the FTE too: 6.4 / 5 = 1.28 -> 5
        staff('pcn', 3, 0, 0), // the headcount is suppressed, so its FTE and training are too, even zeros
        staff('pcn', null, 0.6, null), // FTE only (as the national publication): 0.6 says one or a few people
        staff('pcn', null, 7.99, null),
        staff('pcn', null, 8.5, null), // 8.5 FTE is at least 9 people, one person being at most 1 FTE: 1.7 -> 10
        staff('pcn', 0, 0, 0),
        staff('pcn', 12, 9, 0), // 12 people, none trained: 0 stays 0; FTE 9 / 5 = 1.8 -> 10
        staff('pcn', 12, 9, 3), // 3 of 12 trained: the count of 3 is suppressed, not the FTE of 12 people
        staff('pcn', 13, 12.5, 13), // 12.5 / 5 = 2.5 rounds half up -> 15
        staff('pcn', 14, 12.49, 14), // 2.498 -> 10
        staff('pcn', 11, 7.38, 11), // 1.476 -> 5
        staff('pcn', 10, 2.5, 10), // 10 people at a quarter-time: 0.5 -> 5
        staff('pcn', 10, 2.4, 10), // 0.48 would show as 0 FTE beside 10 people: suppressed instead, training kept
        staff('national', 2, 1.5, 1),
        staff('national', 11, 7.38, 11), // England: exact
      ],
      rules,
    );
    expect(out.map((r) => [r.splw_headcount, r.splw_fte, r.splw_accredited])).toEqual([
      ['*', '*', '*'],
      ['*', '*', '*'],
      [10, 5, 10],
      ['*', '*', '*'],
      [null, '*', null],
      [null, '*', null],
      [null, 10, null],
      [0, 0, 0],
      [10, 10, 0],
      [10, 10, '*'],
      [15, 15, 15],
      [15, 10, 15],
      [10, 5, 10],
      [10, 5, 10],
      [10, '*', 10],
      [2, 1.5, 1],
      [11, 7.38, 11],
    ]);
  });
});

describe('staff figures in a hand-built geography: nothing suppressed comes back by difference', () => {
  // England -> regions Y56 (ICBs QAA, QBB), Y58 (QCC), Y59 (QDD) -> PCNs. A month's snapshot; the parents column
  // says which area a row is a part of (the refresh derives it from the PCN reference, effective-dated).
  const area = (level: string, code: string, parents: string, figures: Row): Row => ({
    level,
    code,
    period_type: 'month',
    period: '2025-12',
    parents,
    ...figures,
  });
  const rules = {
    counts: ['splw_accredited'],
    staff: [{ headcount: 'splw_headcount', fte: 'splw_fte', columns: ['splw_accredited'] }],
    areas: {
      partOf: (r: Row) => (r.parents === '' ? [] : String(r.parents).split(',')),
      totalOf: (r: Row) => String(r.code),
    },
  };
  const column = (rows: Row[], c: string) => Object.fromEntries(rows.map((r) => [r.code, r[c]]));

  it('FTE only (as the national publication): PCN, region minus PCNs, England minus regions', () => {
    const fte = (level: string, code: string, parents: string, splw_fte: number) =>
      area(level, code, parents, { splw_headcount: null, splw_fte });
    const rows = [
      fte('national', 'ENG', '', 80),
      fte('region', 'Y56', 'ENG', 45),
      fte('region', 'Y58', 'ENG', 5),
      fte('region', 'Y59', 'ENG', 30),
      fte('icb', 'QAA', 'Y56', 24),
      fte('icb', 'QBB', 'Y56', 21),
      fte('icb', 'QCC', 'Y58', 5),
      fte('icb', 'QDD', 'Y59', 30),
      fte('pcn', 'U1', 'QAA', 0.6),
      fte('pcn', 'U2', 'QAA', 14),
      fte('pcn', 'U3', 'QAA', 9.4),
      fte('pcn', 'U4', 'QBB', 10),
      fte('pcn', 'U5', 'QBB', 11),
      fte('pcn', 'U6', 'QCC', 5),
      fte('pcn', 'U7', 'QDD', 30),
    ];
    // Primary: U1 0.6, U6 5, QCC 5 and Y58 5 are under 8 FTE, so fewer than 8 people may share them. The others are
    // rounded to 5 below England: QAA 24 -> 25, QBB 21 -> 20, U2 14 -> 15, U3 9.4 -> 10, U5 11 -> 10.
    // QAA minus U2 and U3 would bound U1's 0.6: U3 (the smallest other, 10 against 15) goes too.
    // England 80 (exact) - Y56 - Y59 would bound Y58's 5: Y59 goes too (30, smaller than Y56's 45).
    // Y59 suppressed over QDD 30 published would be QDD: QDD goes, and with it U7 (QDD = U7).
    expect(column(applyDisclosureControl(rows, rules), 'splw_fte')).toEqual({
      ENG: 80,
      Y56: 45,
      Y58: '*',
      Y59: '*',
      QAA: 25,
      QBB: 20,
      QCC: '*',
      QDD: '*',
      U1: '*',
      U2: 15,
      U3: '*',
      U4: 10,
      U5: 10,
      U6: '*',
      U7: '*',
    });
  });

  it('a headcount suppressed second takes its FTE and training with it', () => {
    const staff = (level: string, code: string, parents: string, h: number, f: number, a: number) =>
      area(level, code, parents, { splw_headcount: h, splw_fte: f, splw_accredited: a });
    const rows = [
      staff('icb', 'QAA', 'Y56', 26, 18.5, 24),
      staff('pcn', 'U1', 'QAA', 3, 2.4, 3),
      staff('pcn', 'U2', 'QAA', 9, 8.2, 9),
      staff('pcn', 'U3', 'QAA', 14, 7.9, 12),
    ];
    const out = applyDisclosureControl(rows, rules);
    // U1's 3 people: headcount, FTE and training suppressed. QAA's headcount 26 (-> 25) minus U3's would bound U1's,
    // so the next smallest headcount, U2's 9, goes, and its FTE and training with it (with U2's headcount hidden,
    // its 8.2 FTE would say 8 or more people). Then two FTEs are suppressed (QAA - U3 = U1 + U2), so U3's FTE stays:
    // 14 people share it. The published FTEs are rounded to 5: QAA 18.5 -> 20, U3 7.9 -> 10.
    expect(column(out, 'splw_headcount')).toEqual({ QAA: 25, U1: '*', U2: '*', U3: 15 });
    expect(column(out, 'splw_fte')).toEqual({ QAA: 20, U1: '*', U2: '*', U3: 10 });
    expect(column(out, 'splw_accredited')).toEqual({ QAA: 25, U1: '*', U2: '*', U3: 10 });
  });
});

describe('regions of England', () => {
  it('a zero region is suppressed beside the only suppressed one, since England is published exactly', () => {
    const region = (code: string, referrals: number): Row => ({
      level: code === 'ENG' ? 'national' : 'region',
      code,
      period_type: 'fy',
      period: '2025/26',
      referrals,
    });
    const rows = [region('ENG', 7), region('Y56', 7), region('Y58', 0)];
    const out = applyDisclosureControl(rows, { counts: ['referrals'], siblings: [(r) => String(r.period)] });
    expect(out.map((r) => r.referrals)).toEqual([7, '*', '*']);
  });
});

describe('areas within areas', () => {
  const area = (level: string, code: string, referrals: number, parents: string[] = []): Row => ({
    level,
    code,
    period_type: 'fy',
    period: '2025/26',
    referrals,
    parents: parents.join(','),
  });
  const rules = {
    counts: ['referrals'],
    areas: {
      partOf: (r: Row) => (r.parents === '' ? [] : String(r.parents).split(',')),
      totalOf: (r: Row) => String(r.code),
    },
  };

  it('where no other part is left to suppress, the total is: ICB 10 = its only non-zero PCN', () => {
    // QAA's 10 (exact 10: published 10) is U1's 6 plus the 4 of PCNs that closed before the year's end and publish no row
    // here; U2 and U3 have 0.
    const rows = [
      area('icb', 'QAA', 10, ['Y56']),
      area('pcn', 'U1', 6, ['QAA']),
      area('pcn', 'U2', 0, ['QAA']),
      area('pcn', 'U3', 0, ['QAA']),
    ];
    // U1 6 -> *; the other parts are 0, so there is no other part to suppress; QAA's 10 minus the zeros would bound
    // U1 (8 to 12 less what the others hide), so QAA is suppressed.
    expect(applyDisclosureControl(rows, rules).map((r) => r.referrals)).toEqual(['*', '*', 0, 0]);
  });

  it("a PCN that moved ICB within the year is a part of both ICBs' totals", () => {
    // U9 moved from QAA to QBB in December: its 5 referrals (-> *), 2 before and 3 after, are in both ICBs' year
    // totals: QAA 40 + 2 = 42 (-> 40), QBB 20 + 30 + 3 = 53 (-> 55). In each it is the only suppressed part, so the
    // smallest other part goes with it: U1 (40) in QAA, U2 (20) in QBB.
    const rows = [
      area('icb', 'QAA', 42, ['Y56']),
      area('icb', 'QBB', 53, ['Y56']),
      area('pcn', 'U1', 40, ['QAA']),
      area('pcn', 'U2', 20, ['QBB']),
      area('pcn', 'U3', 30, ['QBB']),
      area('pcn', 'U9', 5, ['QAA', 'QBB']),
    ];
    expect(applyDisclosureControl(rows, rules).map((r) => r.referrals)).toEqual([40, 55, '*', '*', 30, '*']);
  });
});
