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
      // one part suppressed and the others zero: only suppressing the total protects it
      { level: 'pcn', code: 'U10003', period: '2025/26', total: '*', a: '*', b: 0, c: 0, mean: 5 },
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

  it('the FTE and training status of 1 or 2 staff are not published below England', () => {
    const staff = (level: string, headcount: number): Row => ({
      level,
      code: level === 'national' ? 'ENG' : 'X',
      period_type: 'month',
      period: '2025-12',
      splw_headcount: headcount,
      splw_fte: 1.5,
      splw_accredited: 1,
    });
    const rules = {
      counts: [],
      staff: [{ headcount: 'splw_headcount', columns: ['splw_fte', 'splw_accredited'] }],
    };
    const out = applyDisclosureControl(
      [staff('pcn', 2), staff('pcn', 1), staff('pcn', 3), staff('national', 2)],
      rules,
    );
    expect(out.map((r) => [r.splw_headcount, r.splw_fte, r.splw_accredited])).toEqual([
      [2, '*', '*'],
      [1, '*', '*'],
      [3, 1.5, 1],
      [2, 1.5, 1],
    ]);
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
