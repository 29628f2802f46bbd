import { describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { applyDisclosureControl, type DisclosureRules } from '../../functions/refresh/disclosure.ts';
import { SCAN_SPEC, scanDocuments } from '../support/disclosure-scan.ts';

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
const scan = (rows: Row[]) =>
  scanDocuments(
    [{ name: 'staffyears', keys: [], rows } as unknown as MetricDocument],
    (r) => (r.level === 'region' ? 'ENG' : undefined),
    { ...SCAN_SPEC, counts: { staffyears: [] }, staff: { staffyears: [['hwbc_headcount', 'hwbc_fte', []]] } },
  ).filter((f) => f.includes('recovered'));

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
