import { describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import { cohortGapProblems } from '../support/disclosure-scan.ts';

/*
 * The disclosure scan's reading of England's referrals less its cohort (test/support/disclosure-scan.ts,
 * cohortGapProblems) applies the publisher's three rules (revisions.ts, cohortGapsMadeByFew via releasable), not only
 * the first (red-team review 29, R29-2: 100, 1 and 1 referrals of three stopped PCNs passed the scan).
 * Published release of 3 December 2025, data as of 30 November (engagement window 3 months: April is old enough).
 * U00009 reports every month, 50 referrals in April, all in the engagement cohort. The other PCNs' extracts stopped
 * after June (a list in rollout April to June, none July to November: before August, stoppedBefore of 3 December, so
 * stopped; end of observation 30 June): their April referrals (any April day + 3 months is in July, after it) are in
 * no engagement cohort. England's April: 50 + their referrals; cohort 50.
 *   dominated: U00001 100, U00002 1, U00003 1 (rows 100, `*`, `*`): England 152 less 50 = 102; shares as shown 100, 7,
 *              7 (`*` read as 7, its largest reading): the rest after the two largest, 7, under 10% of 100: a problem.
 *   net:       U00001-U00003 1 each (`*`): 53 less 50 = 3, no larger than the 3 PCNs (shares 7, 7, 7 pass the other
 *              two rules): a problem.
 *   few:       U00001, U00002 20 each: 90 less 50 = 40 of 2 PCNs: a problem (the one rule applied before).
 *   passes:    U00001-U00003 20 each: 110 less 50 = 60, 3 PCNs, rest 20 >= 2, 60 > 3: none.
 *   late:      U00001-U00003 20 each, their lists null in November only (a month late, not stopped: observation not
 *              ended), England's April cohort 110 (their referrals in it): 110 less 110 = 0: none; and were they read
 *              as ended at October (their last list), April is not in their window (August to October) either.
 */
const MONTHS = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11'];
const row = (r: Record<string, unknown>) => r as unknown as MetricRow;
const pcnRow = (code: string, period: string, listed: boolean, referrals: number | '*' | null) =>
  row({ level: 'pcn', code, period_type: 'month', period, list_size: listed ? 10000 : null, referrals });

function release(out: Record<string, number | '*'>, lastListed = '2025-06', cohort = 50): MetricDocument[] {
  const total = 50 + Object.values(out).reduce<number>((s, v) => s + (v === '*' ? 1 : v), 0);
  const rollout = {
    name: 'rollout',
    generated_at: '2025-12-03T06:00:00.000Z',
    data_as_of: '2025-11-30',
    keys: [],
    rows: [
      row({ level: 'national', code: 'ENG', period_type: 'month', period: '2025-04', referrals: total }),
      ...MONTHS.map((m) => pcnRow('U00009', m, true, m === '2025-04' ? 50 : 0)),
      ...Object.entries(out).flatMap(([pcn, shown]) =>
        MONTHS.map((m) => pcnRow(pcn, m, m <= lastListed, m === '2025-04' ? shown : m <= lastListed ? 0 : null)),
      ),
    ],
  };
  const person = {
    name: 'cof_person',
    generated_at: '2025-12-03T06:00:00.000Z',
    data_as_of: '2025-11-30',
    keys: [],
    summary: { cohorts: { engagement: { months: 3, referred_on_or_before: '2025-08-31' } } },
    rows: [
      row({
        level: 'national',
        code: 'ENG',
        period_type: 'month',
        period: '2025-04',
        episodes: total,
        engagement_cohort: cohort,
      }),
    ],
  };
  return [rollout, person] as unknown as MetricDocument[];
}

const problem = (total: number, cohort: number, pcns: string[], why: string) =>
  `England 2025-04: referrals ${total} less cof_person engagement_cohort ${cohort} are the ${total - cohort} referrals of ${pcns.length} PCNs whose data ended in their window (${pcns.join(', ')}): ${why}`;

describe("the scan's cohort-gap reading applies the publisher's three rules (R29-2)", () => {
  it('finds a difference dominated by one PCN', () => {
    const found = cohortGapProblems(release({ U00001: 100, U00002: '*', U00003: '*' }));
    expect(found).toEqual([problem(152, 50, ['U00001', 'U00002', 'U00003'], 'dominated by one (100, 7, 7 as shown)')]);
  });

  it('finds a difference no larger than the number of PCNs, and one of fewer than 3', () => {
    expect(cohortGapProblems(release({ U00001: '*', U00002: '*', U00003: '*' }))).toEqual([
      problem(53, 50, ['U00001', 'U00002', 'U00003'], 'no more than 1 each (3 of 3 PCNs)'),
    ]);
    expect(cohortGapProblems(release({ U00001: 20, U00002: 20 }))).toEqual([
      problem(90, 50, ['U00001', 'U00002'], 'fewer than 3'),
    ]);
  });

  it('finds nothing where three PCNs, none dominating, make it up, or where the PCNs are only late', () => {
    expect(cohortGapProblems(release({ U00001: 20, U00002: 20, U00003: 20 }))).toEqual([]);
    expect(cohortGapProblems(release({ U00001: 20, U00002: 20, U00003: 20 }, '2025-10', 110))).toEqual([]);
  });
});
