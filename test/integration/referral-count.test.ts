import { describe, expect, it } from 'vitest';
import { type GoldenEvent, referralEvent } from '../support/golden.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * "Referrals" is one count on every page: an accepted referral (an episode: a referral_id of a PCN) counts once, in the
 * month of its first referral event, on the rollout page (rollout.referrals) as on the outcomes page
 * (cof_person.episodes). The Long Term Plan's 900,000 a year is people referred (rollout.people_referred).
 * docs/methodology.md, "Referrals or people". Worked out by hand; three PCNs, each sending every month from October
 * to December 2025, refreshed on 5 January 2026 (data as of 31 December 2025):
 *
 *   U40001  R1  person A  2025-10-06, and a second referral event for R1 (new event id) on 2025-11-12
 *           R3  person B  2025-10-15, corrected by a later upload of the same event id to 2025-10-16
 *           R8  person G  2025-11-05
 *           R2  person A  2025-12-01 (A's second referral)
 *           R4  person C  2025-12-03
 *   U40002  R5  person D  2025-10-09, declined on 2025-10-20
 *           R6  person E  2025-11-09
 *           R7  person F  2025-12-09
 *   U40003  2 referrals a month of 2 people each (T10-1, T10-2, T11-1, T11-2, T12-1, T12-2: 6 referrals, 6 people)
 *
 *   England      referrals (episodes)           people   referrals declined   (referral events, as counted before)
 *   2025-10      R1 R3 R5 T10-1 T10-2 = 5       5        1 (R5)               5
 *   2025-11      R8 R6 T11-1 T11-2 = 4          4        0                    5 (R1's second event too)
 *   2025-12      R2 R4 R7 T12-1 T12-2 = 5       5        0                    5
 *   2025/26      14                             13       1                    15
 *
 * R5's decline is on its referral (same referral_id): a referral declined, 1 of October's 5 (20%), not an offer
 * declined beside the referrals (no offer was declined: decline rate 0 / 5 = 0%; it was 1 / (5 + 1) = 16.7% before
 * review 6, K3). Review 31, R31-2: referrals declined are counted once the referral's 3 months have passed (data as
 * of 2025-12-31: referrals made by 2025-09-30), so October's R5 is not counted yet: 0 in October and the year, and no
 * % for either (their windows are open). A is referred twice (R1, R2): 2 referrals, 1 person in the year (13 people:
 * A to G and U40003's 6).
 * R1's second referral event in November is no referral and no person of November's.
 *
 * U40003 and U40001's R8 are there so that each England month is made up by 3 PCNs, none dominating (a deployment
 * holds an England period of fewer, review 8, N5: test/integration/england-few-pcns.test.ts). Rollout's counts
 * (referrals, people, declines, declined after referral) by PCN: October 2 + 2 = 4 (U40001), 1 + 1 + 1 = 3 (U40002),
 * 4 (U40003); November 2, 2, 4; December 4, 2, 4: all but the two largest (2 or 3) is at least 10% of the largest (4),
 * and each total (11, 8, 10) is above 3 PCNs.
 */
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U40001,One PCN,QWE,NHS South West London ICB,Y56,London,10000,2019-04-01,
U40002,Two PCN,QWE,NHS South West London ICB,Y56,London,20000,2019-04-01,
U40003,Three PCN,QKK,NHS South East London ICB,Y56,London,15000,2019-04-01,
`;
const r1 = referralEvent('U40001', 'R1', '2025-10-06');
const personA = { person_id: r1.person_id as string };
const UPLOADS: Record<string, GoldenEvent[]> = {
  'u40001-2025-10.csv': [r1, referralEvent('U40001', 'R3', '2025-10-15')],
  'u40002-2025-10.csv': [
    referralEvent('U40002', 'R5', '2025-10-09'),
    {
      ...referralEvent('U40002', 'R5', '2025-10-20', 'D-R5'),
      event_type: 'declined',
      snomed_code: '871711000000103',
      referral_source: '',
      referral_reasons: '',
      age_band: '',
      sex: '',
      ethnicity_group: '',
      imd_decile: '',
    },
  ],
  'u40001-2025-10-correction.csv': [referralEvent('U40001', 'R3', '2025-10-16')],
  'u40001-2025-11.csv': [
    { ...referralEvent('U40001', 'R1', '2025-11-12', 'E-R1-again'), ...personA },
    referralEvent('U40001', 'R8', '2025-11-05'),
  ],
  'u40002-2025-11.csv': [referralEvent('U40002', 'R6', '2025-11-09')],
  'u40001-2025-12.csv': [
    { ...referralEvent('U40001', 'R2', '2025-12-01'), ...personA },
    referralEvent('U40001', 'R4', '2025-12-03'),
  ],
  'u40002-2025-12.csv': [referralEvent('U40002', 'R7', '2025-12-09')],
};
for (const month of ['10', '11', '12'])
  UPLOADS[`u40003-2025-${month}.csv`] = [1, 2].map((i) =>
    referralEvent('U40003', `T${month}-${i}`, `2025-${month}-1${i}`),
  );

const { docs, row } = goldenProgramme('referral-count', {
  uploads: UPLOADS,
  reference: REFERENCE,
  now: new Date('2026-01-05T06:00:00Z'),
});

describe('referrals are episodes on every page; people are the target measure', () => {
  it('England by month and year: referrals, people referred and declines as worked out', () => {
    expect(docs.get('rollout')?.data_as_of).toBe('2025-12-31');
    const figures = (period: string) => {
      const r = row('rollout', 'national', 'ENG', period);
      return [r.referrals, r.people_referred, r.declines, r.declined_after_referral];
    };
    expect(['2025-10', '2025-11', '2025-12', '2025/26'].map(figures)).toEqual([
      [5, 5, 0, 0],
      [4, 4, 0, 0],
      [5, 5, 0, 0],
      [14, 13, 0, 0],
    ]);
    const october = row('rollout', 'national', 'ENG', '2025-10');
    expect([october.decline_rate_pct, october.declined_after_referral_pct]).toEqual([0, null]);
  });

  it("the rollout's referrals are the outcomes page's referrals (episodes) for every period", () => {
    const periods = ['2025-10', '2025-11', '2025-12', '2025/26'];
    expect(periods.map((p) => row('cof_person', 'national', 'ENG', p).episodes)).toEqual([5, 4, 5, 14]);
    expect(periods.map((p) => row('rollout', 'national', 'ENG', p).referrals)).toEqual(
      periods.map((p) => row('cof_person', 'national', 'ENG', p).episodes),
    );
  });

  it('the definitions say which is which', () => {
    expect(docs.get('rollout')?.definitions.referrals).toMatch(
      /^Accepted referrals \(episodes of care\): each referral once/,
    );
    expect(docs.get('rollout')?.definitions.people_referred).toMatch(/900,000 people a year target/);
    expect(docs.get('cof_system')?.definitions.people).toMatch(/^Referrals \(episodes\) with both windows/);
  });
});
