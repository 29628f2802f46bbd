import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import { applyDisclosureControl, type DisclosureRules } from '../../functions/refresh/disclosure.ts';
import { recoveredStaff } from '../support/seeded-documents.ts';

/*
 * Review 32, R32-1, where the areas of a family sent different months: a year's headcount is its snapshots' headcounts
 * summed over its own `months` (published in its row), so figure x months is the area's person-months, and England's
 * are its regions' summed whatever months each sent.
 *
 * 2025/26, England's coaches from three regions: R1 8 in June and 8 in July (months 2, mean 8, shown 10), R2 1 in June
 * only (months 1, mean 1, `*`), R3 1 in July only (months 1, `*`). England: months 2, (16 + 1 + 1) / 2 = 9, 18
 * person-months. Read by hand: R1's 10 over 2 months is a mean of 8 to under 12.5, 16 to 24 person-months; R2's and
 * R3's `*` over 1 month 1 to 7 each. 18 = R1 + R2 + R3 leaves R1 at most 16: R1 is 16 exactly (mean 8.0), R2 and R3 1
 * each. Only the regions have rows, so the only published figure to suppress is R1's 10 (its FTE, 4.0 of 8 coaches,
 * shown 5, goes with it). Then 18 over `*` of 1 to 15, 1 to 7 and 1 to 7 pins nothing (R1 is 4 to 15, R2 and R3 1 to 7).
 * Before the fix only R2's and R3's years (months 1) were audited, beside a total (England's, months 2) that was no
 * variable: nothing was read.
 */
const RULES: DisclosureRules = {
  counts: [],
  staff: [{ headcount: 'hwbc_headcount', fte: 'hwbc_fte' }],
  staffMonths: 'months',
  areas: {
    partOf: (r) => (r.level === 'region' ? [`ENG|${r.period_type}|${r.period}`] : []),
    totalOf: (r) => `${r.code}|${r.period_type}|${r.period}`,
  },
};
const year = (level: string, code: string, months: number, coaches: number, fte: number): Row => ({
  level,
  code,
  period_type: 'fy',
  period: '2025/26',
  months,
  hwbc_headcount: coaches,
  hwbc_fte: fte,
});
const ROWS: Row[] = [
  year('national', 'ENG', 2, 9, 4.5),
  year('region', 'R1', 2, 8, 4),
  year('region', 'R2', 1, 1, 0.5),
  year('region', 'R3', 1, 1, 0.5),
];
/** The scan's findings of figures recovered; every area below England is a region. */
const scan = (rows: Row[]) => recoveredStaff(rows, (code) => (code === 'ENG' ? undefined : 'ENG'));

describe('a staff year whose areas sent different months is audited as person-months (review 32, R32-1)', () => {
  it("R1's 10 (16 person-months, pinned by England's 18 less R2's and R3's `*`) is suppressed with its FTE", () => {
    const out = applyDisclosureControl(ROWS, RULES);
    expect(out.map((r) => [r.code, r.hwbc_headcount, r.hwbc_fte])).toEqual([
      ['ENG', 9, 4.5],
      ['R1', '*', '*'],
      ['R2', '*', '*'],
      ['R3', '*', '*'],
    ]);
  });

  it('the scan reads the rows so: R1 shown 10 is recovered (16), R2 and R3 too (1 each); controlled, nothing is', () => {
    const shown = ROWS.map((r) =>
      r.level === 'national'
        ? r
        : { ...r, hwbc_headcount: r.code === 'R1' ? 10 : '*', hwbc_fte: r.code === 'R1' ? 5 : '*' },
    );
    const found = scan(shown);
    for (const code of ['R1', 'R2', 'R3'])
      expect(found.some((f) => f.includes(`region ${code} 2025/26`) && f.includes('hwbc_headcount'))).toBe(true);
    expect(scan(applyDisclosureControl(ROWS, RULES))).toEqual([]);
  });
});

/*
 * A year's person-months are its months' headcounts summed (an area's year = its months, as a count of events is):
 * the year beside its months can give a month back. Coaches of three regions: June R1 0, R2 0, R3 1 (England 1);
 * July R1 0, R2 9, R3 0 (England 9); 2025/26 over 2 months England 5 (10 person-months), R1 0, R2 4.5, R3 0.5.
 * Audited with the areas alone, as before, June's England 1 over R3's `*` pins R3 (no count to suppress: a zero is,
 * R1's), and July's 9 over R2's 10 and two 0s pins R2 (R1's and R3's zeros made `*`): published June R1 `*`, R2 0, R3
 * `*`; July R1 `*`, R2 10, R3 `*`; the year R1 0, R2 `*`, R3 `*`. Read by hand with the months: R1's year 0 is 0
 * person-months, so R1's June `*` and July `*` are 0 each; England's June 1 = R1 0 + R2 0 + R3 leaves R3's June `*`
 * exactly 1. Audited with the months, the year's 0 is no longer left beside them.
 */
const cell = (level: string, code: string, period: string, coaches: number): Row => ({
  level,
  code,
  period_type: period.includes('/') ? 'fy' : 'month',
  period,
  months: period.includes('/') ? 2 : 1,
  hwbc_headcount: coaches,
  hwbc_fte: coaches * 0.5,
});
const JUNE = [0, 0, 1];
const JULY = [0, 9, 0];
const WITH_MONTHS: Row[] = [
  cell('national', 'ENG', '2025-06', 1),
  cell('national', 'ENG', '2025-07', 9),
  cell('national', 'ENG', '2025/26', 5),
  ...['R1', 'R2', 'R3'].flatMap((code, i) => [
    cell('region', code, '2025-06', JUNE[i] as number),
    cell('region', code, '2025-07', JULY[i] as number),
    cell('region', code, '2025/26', ((JUNE[i] as number) + (JULY[i] as number)) / 2),
  ]),
];

describe("a staff year is read with its months: the year's person-months are its months' headcounts summed", () => {
  it("the scan reads the months with the year: R1's year 0 beside its June `*` and England's June 1 pins R3's June `*` to 1", () => {
    const shown = WITH_MONTHS.map((r) => {
      if (r.level === 'national') return r;
      const published: Record<string, number | '*'> = {
        'R1 2025-06': '*',
        'R1 2025-07': '*',
        'R1 2025/26': 0,
        'R2 2025-06': 0,
        'R2 2025-07': 10,
        'R2 2025/26': '*',
        'R3 2025-06': '*',
        'R3 2025-07': '*',
        'R3 2025/26': '*',
      };
      const value = published[`${r.code} ${r.period}`] as number | '*';
      return { ...r, hwbc_headcount: value, hwbc_fte: value === 0 ? 0 : value === 10 ? 5 : '*' };
    });
    expect(scan(shown).some((f) => f.includes('region R3 2025-06') && f.includes('hwbc_headcount = *'))).toBe(true);
  });

  it('controlled, the scan (months with the year) finds nothing recovered', () => {
    expect(scan(applyDisclosureControl(WITH_MONTHS, RULES))).toEqual([]);
  });
});
