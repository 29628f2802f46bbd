import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { tempDir } from '../support/files.ts';
import {
  disclosureFindings,
  type GoldenEvent,
  publishGolden,
  referralEvent,
  rowFinder,
  writeEventFiles,
} from '../support/golden.ts';

/*
 * A referral is in the engagement (outcome) cohort only when its 3-month (6-month) window ends by England's cut-off and
 * by its PCN's own end of observation: the last day of the earlier of its last month reported and its last month in
 * force (red-team review 26, R26-1; sql/prepare/episodes.sql; docs/methodology.md, "Cohorts"). Before, a PCN whose data
 * ended first kept its last referrals in the cohorts with their follow-ups never seen: not engaged, 0 contacts, not
 * measured.
 *
 * Five PCNs, from October 2025, each referral on the 20th of its month, 10 a month, every referral with one link
 * worker contact and a SWEMWBS baseline 15 days later (the 4th or 5th of the next month) and a follow-up 45 days later
 * (the 3rd to 6th of the month after: 20 -> 24, improved by the threshold of 3). Each month's events are one file
 * received on the 2nd of the next month. Refreshed 4 December 2026: data as of 30 November 2026, so England's
 * engagement cut-off is 31 August 2026 and its outcome cut-off 31 May 2026.
 *   U00001 (QAA, Y56) merged on 31 March 2026 (valid_to): referrals October to March; its system still sends the
 *     follow-ups dated April and May under the old code (out of force). End of observation 31 March 2026: engagement
 *     cohort = referred by 31 December 2025 (20 December + 3 months = 20 March; 20 January + 3 months = 20 April,
 *     after it): October, November, December; outcome cohort = referred by 30 September 2025: none.
 *   U00002 (QAA, Y56) in force throughout, its extract stopped after June 2026 (its last file, received 2 July,
 *     covers June; stopped by 4 December: more than 3 months since): referrals October to June, nothing dated after
 *     June. End of observation 30 June 2026: engagement cohort October to March, outcome cohort October to December.
 *   U00003 (QAA, Y56), U00004 (QBB, Y58), U00005 (QCC, Y59): ordinary, referrals October 2025 to November 2026, every
 *     follow-up dated by 30 November sent. Engagement cohort October to August (England's cut-off), all engaged;
 *     outcome cohort October to May, each with 1 link worker contact and a pair, improved.
 *
 * England, cof_person, by month (episodes; engagement cohort and engaged; outcome cohort, link worker contacts,
 * wellbeing measured and improved):
 *   2025-10..12: 50 episodes; 30 + 10 (U00001) + 10 (U00002) = 50 engaged of 50; 30 + 10 (U00002) = 40 outcome.
 *   2026-01..03: 50 episodes; 30 + 10 (U00002) = 40 of 40; outcome 30.
 *   2026-04..05: 40 episodes (U00002's included); 30 of 30; outcome 30.
 *   2026-06:     40 episodes; 30 of 30; outcome none (after the cut-off).
 *   2026-07..08: 30 episodes; 30 of 30.   2026-09..11: 30 episodes, no cohort.
 *   2025/26 (October to March): 300 episodes; engagement 3 x 50 + 3 x 40 = 270, engaged 270 (100%); outcome 3 x 40 +
 *     3 x 30 = 210, contacts 210, measured 210, improved 210.
 *   2026/27 (April to November): 3 x 40 + 5 x 30 = 270 episodes; engagement April to August 5 x 30 = 150, engaged 150;
 *     outcome April and May 60, contacts 60, measured 60, improved 60.
 * Before the fix: U00001's January to March and U00002's April to June were in the engagement cohort (their March and
 * June referrals' contacts unseen: 0 of 10 engaged), U00001's October to March and U00002's January to May in the
 * outcome cohort; England's March was 40 engaged of 50 (80%), June 30 of 40 (75%), 2025/26 290 of 300 and 2026/27 170
 * of 180, and its 2025/26 outcome cohort 300 with 290 contacts (U00001's March referrals' contacts dated April).
 * Below England (rounded to 5; 10 stays 10): U00001's January has 10 episodes and an engagement cohort of 0 (before:
 * 10, engaged 10); U00002's June 10 episodes and a cohort of 0 (before: 10, engaged 0); ICB QAA's June 20 episodes
 * and a cohort of 10 (U00003's), all engaged; U00003's months as the other ordinary PCNs'.
 * contacts_distribution, equity and wellbeing read the same cohorts: England 2025/26 210 referrals with 1 contact
 * (before: 290, and 10 with 0), equity's 210 people measured of 300 referred, engagement 270 of 270; wellbeing's
 * SWEMWBS 210 people (before: U00001's October to January, 40, and U00002's October to March, 60, beside 180).
 *
 * As published: England's referrals less its cohort of a month old enough are the referrals of the PCNs whose data
 * ended in their window, so where fewer than 3 PCNs make that up England's figures of the month and its year are held
 * (revisions.ts, cohortGapsMadeByFew): here U00001 alone (engagement, January to March; outcome, October to December),
 * U00001 and U00002 (outcome, January to March), U00002 alone (engagement, April to June; outcome, April and May).
 * So England's cof_person months October 2025 to June 2026 and both years show no figure, as do equity's,
 * pcn_comparison's and the contacts distribution's years, named in revisions_held; July and August (U00002 referred
 * none then: a difference of 0) and the months not old enough are published. wellbeing is not held (none of its
 * figures counts the cohort's referrals): its 2025/26 SWEMWBS 210. The arithmetic above is checked below England
 * (ICB QAA's June) and, for England, in test/integration/cohort-gap-held.test.ts (three PCNs stopped: published).
 */
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U00001,PCN 1,QAA,NHS ICB A,Y56,London,10000,2019-04-01,2026-03-31
U00002,PCN 2,QAA,NHS ICB A,Y56,London,10000,2019-04-01,
U00003,PCN 3,QAA,NHS ICB A,Y56,London,10000,2019-04-01,
U00004,PCN 4,QBB,NHS ICB B,Y58,South West,10000,2019-04-01,
U00005,PCN 5,QCC,NHS ICB C,Y59,South East,10000,2019-04-01,
`;
const MONTHS = Array.from({ length: 14 }, (_, i) => {
  const index = 2025 * 12 + 9 + i;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
});
/** Each PCN's last referral month, and the last day an event of it is sent (its extract's end). */
const PCNS: Readonly<Record<string, { lastReferral: string; sentTo: string }>> = {
  U00001: { lastReferral: '2026-03', sentTo: '2026-11-30' },
  U00002: { lastReferral: '2026-06', sentTo: '2026-06-30' },
  U00003: { lastReferral: '2026-11', sentTo: '2026-11-30' },
  U00004: { lastReferral: '2026-11', sentTo: '2026-11-30' },
  U00005: { lastReferral: '2026-11', sentTo: '2026-11-30' },
};
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

function events(pcn: string): GoldenEvent[] {
  const rows: GoldenEvent[] = [];
  for (const month of MONTHS.filter((m) => m <= (PCNS[pcn]?.lastReferral ?? ''))) {
    for (let i = 0; i < 10; i++) {
      const id = `${pcn}-${month}-${i}`;
      const on = `${month}-20`;
      const referral = referralEvent(pcn, id, on);
      rows.push(referral);
      const follow = (suffix: string, days: number, fields: GoldenEvent): GoldenEvent => ({
        event_id: `${suffix}-${id}`,
        pcn_code: pcn,
        referral_id: id,
        person_id: referral.person_id as string,
        occurred_on: addDays(on, days),
        ...fields,
      });
      rows.push(
        follow('C', 15, {
          event_type: 'contact',
          contact_mode: 'telephone',
          worker_role: 'splw',
          duration_minutes: 30,
        }),
        follow('B', 15, { event_type: 'wellbeing_measure', instrument: 'swemwbs', phase: 'baseline', score: 20 }),
        follow('F', 45, { event_type: 'wellbeing_measure', instrument: 'swemwbs', phase: 'follow_up', score: 24 }),
      );
    }
  }
  return rows.filter((r) => String(r.occurred_on) <= (PCNS[pcn]?.sentTo ?? ''));
}

/** One file per PCN and month of its events, received on the 2nd of the next month at 07:00 UTC. */
const uploads: Record<string, GoldenEvent[]> = {};
const received = new Map<string, Date>();
for (const pcn of Object.keys(PCNS))
  for (const row of events(pcn)) {
    const month = String(row.occurred_on).slice(0, 7);
    const name = `${pcn}-${month}.csv`;
    uploads[name] = [...(uploads[name] ?? []), row];
    const [y, m] = month.split('-').map(Number) as [number, number];
    received.set(name, new Date(Date.UTC(y, m, 2, 7)));
  }

const dir = tempDir('cohort-observed');
const docs = new Map<string, MetricDocument>();
beforeAll(async () => {
  const files = writeEventFiles(dir.path, uploads);
  const byPath = new Map(files.map((f) => [f, received.get(f.slice(f.lastIndexOf('/') + 1)) as Date]));
  const receipts = await publishGolden(
    join(dir.path, 'data'),
    files,
    REFERENCE,
    new Date('2026-12-04T06:00:00Z'),
    docs,
    (file) => byPath.get(file) as Date,
  );
  expect(receipts.map((r) => r.status)).toEqual(files.map(() => 'accepted'));
}, 300_000);
afterAll(() => dir.remove());

const row = rowFinder(docs);
const pick = (r: Record<string, unknown>, columns: readonly string[]) => columns.map((c) => r[c]);
const COF = [
  'episodes',
  'engagement_cohort',
  'engaged',
  'outcome_cohort',
  'splw_contacts',
  'wellbeing_measured',
  'wellbeing_improved',
];

describe("cohorts end at their PCN's own end of observation (R26-1)", () => {
  it('states the cut-offs of data as of 30 November 2026', () => {
    expect(docs.get('cof_person')?.summary?.cohorts).toMatchObject({
      engagement: { referred_on_or_before: '2026-08-31' },
      outcomes: { referred_on_or_before: '2026-05-31' },
    });
  });

  it("England's months and years: held where one or two PCNs' referrals are out of the cohort, else published", () => {
    const none = [null, null, null, null, null, null, null];
    const expected: Record<string, (number | null)[]> = {
      '2025-10': none,
      '2025-12': none,
      '2026-01': none,
      '2026-03': none,
      '2026-04': none,
      '2026-05': none,
      '2026-06': none,
      '2026-07': [30, 30, 30, 0, 0, 0, 0],
      '2026-08': [30, 30, 30, 0, 0, 0, 0],
      '2026-09': [30, 0, 0, 0, 0, 0, 0],
      '2025/26': none,
      '2026/27': none,
    };
    const got = Object.fromEntries(
      Object.keys(expected).map((p) => [p, pick(row('cof_person', 'national', 'ENG', p), COF)]),
    );
    expect(got).toEqual(expected);
    expect(row('cof_person', 'national', 'ENG', '2026-08').engaged_pct).toBe(100);
    const held = (name: string) =>
      (docs.get(name)?.summary as { revisions_held?: { periods: string[] } } | undefined)?.revisions_held?.periods;
    expect(held('cof_person')).toEqual([
      '2025-10',
      '2025-11',
      '2025-12',
      '2025/26',
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
      '2026/27',
    ]);
    for (const name of ['equity', 'pcn_comparison', 'contacts_distribution'])
      expect(held(name), name).toEqual(['2025/26', '2026/27']);
    expect(held('rollout')).toBeUndefined();
    expect(held('wellbeing')).toBeUndefined();
  });

  it("below England: the PCN's months past its end have no cohort; an ordinary PCN's are unchanged", () => {
    expect(pick(row('cof_person', 'pcn', 'U00001', '2025-12'), ['episodes', 'engagement_cohort', 'engaged'])).toEqual([
      10, 10, 10,
    ]);
    expect(pick(row('cof_person', 'pcn', 'U00001', '2026-01'), ['episodes', 'engagement_cohort', 'engaged'])).toEqual([
      10, 0, 0,
    ]);
    expect(pick(row('cof_person', 'pcn', 'U00002', '2026-03'), ['episodes', 'engagement_cohort', 'engaged'])).toEqual([
      10, 10, 10,
    ]);
    expect(pick(row('cof_person', 'pcn', 'U00002', '2026-06'), ['episodes', 'engagement_cohort', 'engaged'])).toEqual([
      10, 0, 0,
    ]);
    expect(pick(row('cof_person', 'icb', 'QAA', '2026-06'), ['episodes', 'engagement_cohort', 'engaged'])).toEqual([
      20, 10, 10,
    ]);
    for (const period of ['2026-03', '2026-06', '2026-08'])
      expect(pick(row('cof_person', 'pcn', 'U00003', period), ['episodes', 'engagement_cohort', 'engaged'])).toEqual([
        10, 10, 10,
      ]);
  });

  it('contacts_distribution, equity and wellbeing read the same cohorts (England held where cof_person is)', () => {
    expect(row('contacts_distribution', 'national', 'ENG', '2025/26', { contacts: 1 }).episodes).toBeNull();
    expect(docs.get('contacts_distribution')?.rows.filter((r) => r.code === 'ENG' && r.contacts === 0)).toEqual([]);
    expect(
      pick(row('equity', 'national', 'ENG', '2025/26', { dimension: 'sex', group: 'female' }), [
        'people_referred',
        'engagement_cohort',
        'engaged',
        'wellbeing_people',
        'wellbeing_improved',
      ]),
    ).toEqual([null, null, null, null, null]);
    expect(
      pick(row('wellbeing', 'national', 'ENG', '2025/26', { instrument: 'swemwbs' }), ['people', 'improved']),
    ).toEqual([210, 210]);
  });

  it('pcn_comparison places the merged and the stopped PCN on their observed referrals', () => {
    expect(
      pick(row('pcn_comparison', 'pcn', 'U00001', '2025/26'), ['referrals', 'engagement_cohort', 'engaged']),
    ).toEqual([60, 30, 30]);
    expect(
      pick(row('pcn_comparison', 'pcn', 'U00002', '2026/27'), ['referrals', 'engagement_cohort', 'engaged']),
    ).toEqual([30, 0, 0]);
  });

  it('passes the disclosure scan', () => {
    expect(disclosureFindings(docs, REFERENCE)).toEqual([]);
  });
});
