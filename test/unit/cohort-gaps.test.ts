import { describe, expect, it } from 'vitest';
import { cohortGapsMadeByFew } from '../../functions/refresh/revisions.ts';

/*
 * England's referrals less its engagement cohort of a month old enough, PCN by PCN (revisions.ts, cohortGapsMadeByFew;
 * red-team review 26, R26-1), data as of 30 November 2025 (a 3-month window: months to August are old enough). Four
 * PCNs, each contribution its episodes less its cohort:
 *   2025-04: 0, 0, 0, 20        1 PCN: fewer than 3, held
 *   2025-05: 0, 200, 10, 10     3 PCNs, but the rest after the two largest (10) is under 10% of the largest (20): held
 *   2025-06: 10, 10, 10, 0      3 PCNs, rest 10 >= 1, total 30 > 3: published
 *   2025-07: 1, 1, 1, 0         3 PCNs, total 3 no larger than the 3 PCNs (each gave exactly 1): held
 *   2025-08: 0, 0, 0, 0         nothing out of the cohort: nothing to test
 *   2025-09: 20, 20, 20, 20     not old enough (its cohort is 0 everywhere): not tested
 *   2025/26: its old months added, 11, 211, 21, 30: rest 21 + 11 = 32 >= 21.1, total 273 > 4: published by its own
 *            test (its months held hold it in the refresh: a month with its year). Its own cell's contributions are
 *            0, 200, 0, 0 (1 PCN: it would be held), so the year is read from its months, not from its own cell
 *            (red-team review 29, R29-2: both readings passed before).
 */
const EPISODES = 'episodes';
const COHORT = 'engagement_cohort';
const cell = (period: string, episodes: number[], cohort: number[]) => {
  const periodType = period.includes('/') ? 'fy' : 'month';
  return [
    `${periodType}|${period}`,
    {
      id: `${periodType}|${period}`,
      period,
      periodType,
      keyId: '',
      england: null,
      values: new Map<string, number>(),
      contributions: new Map([
        [EPISODES, episodes],
        [COHORT, cohort],
      ]),
    },
  ] as const;
};
const CELLS = new Map([
  cell('2025-04', [20, 20, 20, 20], [20, 20, 20, 0]),
  cell('2025-05', [20, 200, 10, 10], [20, 0, 0, 0]),
  cell('2025-06', [10, 10, 10, 30], [0, 0, 0, 30]),
  cell('2025-07', [1, 1, 1, 5], [0, 0, 0, 5]),
  cell('2025-08', [5, 5, 5, 5], [5, 5, 5, 5]),
  cell('2025-09', [20, 20, 20, 20], [0, 0, 0, 0]),
  cell('2025/26', [76, 256, 66, 90], [76, 56, 66, 90]),
]);
const GAP = { total: EPISODES, cohort: COHORT, months: 3, heldIn: ['equity', 'pcn_comparison'] };

describe("England's referrals less its cohort, tested as a figure of its own (R26-1)", () => {
  it('holds a month of fewer than 3 PCNs, one dominated, one no larger than its PCNs; not a young month', () => {
    const found = cohortGapsMadeByFew([GAP], CELLS as never, '2025-11-30');
    expect(found.map((f) => [f.period, f.reason])).toEqual([
      ['2025-04', "referrals out of the cohort (their PCN's data ended in their window): fewer than 3 PCNs (1 PCN)"],
      [
        '2025-05',
        "referrals out of the cohort (their PCN's data ended in their window): dominated by one PCN (3 PCNs)",
      ],
      [
        '2025-07',
        "referrals out of the cohort (their PCN's data ended in their window): total no larger than the number of PCNs (3 PCNs)",
      ],
    ]);
    expect(
      found.every((f) => f.heldIn.join() === 'equity,pcn_comparison' && f.column === 'episodes - engagement_cohort'),
    ).toBe(true);
  });

  it('tests nothing before any month is old enough, or with no data-as-of date', () => {
    expect(cohortGapsMadeByFew([GAP], CELLS as never, '2025-06-30')).toEqual([]);
    expect(cohortGapsMadeByFew([GAP], CELLS as never, null)).toEqual([]);
  });
});
