import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type GoldenEvent, referralEvent } from '../support/golden.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * Measures an analyst would sign off (docs/methodology.md), on a programme small enough to work out by hand.
 * Data as of 2025-12-31 (the last event), so the engagement cohort is referrals on or before 2025-09-30 and the
 * outcome cohort referrals on or before 2025-06-30.
 *
 * U00203 (QWE, Y56 London, 12,000 patients, open throughout), FY 2025/26:
 *   R1-R10  referred 2025-04-10 (in both cohorts)
 *     R1-R6  8 link worker (splw) contacts and 2 coach (hwbc) contacts each; R7-R8 3 splw contacts each;
 *     R9     1 splw contact, then declined: not engaged; R10 nothing.
 *     R1-R5  attended a community activity; R6 was connected but did not attend.
 *     R1-R4  ONS4, all four items, baseline 5: life satisfaction follow-up 6, 7, 8, 7 (change +1, +2, +3, +2);
 *            worthwhile 6 (+1); happiness 5 (0); anxiety 4 (+1, lower is better).
 *     R5-R6  SWEMWBS baseline 20, follow-up 24 (+4) and 22 (+2: below the 3-point threshold).
 *     Service use (window months in brackets): GP R1 before 2 (6), after 4 (6); R2 before 3 (6), after 3 (6) and
 *            before 1 (3), after 2 (3); R3 8 (6) -> 5 (6); R4 10 (6) -> 6 (6); R5 before 5 (12), after 4 (6): no
 *            equal pair; R6 5 (6) -> 5 (6); R7 4 (6) -> 4 (6) and 9 (12) -> 1 (12). A&E R1 1 (6) -> 0 (6).
 *            Outpatient R3 2 (12) -> 2 (12). Only 6-month pairs are counted (review 26, R26-3: R2's 3-month pair and
 *            R7's 12-month one are in no figure; A&E R1's pair was of 3 months before, the same figures), and only
 *            for referrals on or before 2025-06-30, 6 months before the data-as-of date.
 *   R11-R20 referred 2025-08-15 (engagement cohort only): R11-R15 one splw contact; R11-R12 attended an activity.
 *   R21-R25 referred 2025-11-10 (in neither cohort): one splw contact each, R21's on 2025-12-31; R21 GP before 20
 *           (12), after 0 (12), sent 2025-11-20: its after window runs to 2026-11-10, so it is not counted.
 * U00204 (QNX, Y59 South East) and U00205 (QHM, Y63 North East and Yorkshire), 12,000 patients each, open
 *   throughout: U00203's programme, the same events, twice at U00204 (referrals Q1-Q25, P1-P25) and three times at
 *   U00205 (T, V, W), each referral its own person, without R1's A&E pair (U00203's alone).
 * U00070 (QSL, Y58 South West, 24,000 patients, closed 2025-05-31): S1-S2 referred 2025-04-20, nothing after.
 * U00071 (QUE, Y61 East of England, 24,000 patients, closed 2025-05-31): X1-X2 referred 2025-04-20, nothing after.
 * U00072 (QOP, Y62 North West, 24,000 patients, closed 2025-05-31): Z1-Z2 referred 2025-04-20, nothing after.
 *   S1-S2, X1-X2 and Z1-Z2 are episodes in no cohort: their PCNs' data end with April (their last month reported),
 *   before the referrals' windows do (docs/methodology.md, "Cohorts"; review 26, R26-1). England's April and 2025/26
 *   referrals less their cohorts are these 6 referrals, 2 from each of 3 PCNs: made up by 3 PCNs, none dominating (the
 *   rest after the two largest, 2, is at least 10% of the largest), 6 more than 3, so published (with two such PCNs
 *   England's cohort figures of April and 2025/26 would be held: cohortGapsMadeByFew, test/integration/
 *   cohort-gap-held.test.ts).
 * Months with events: April, May, July to December 2025 (none in June). Workforce, December 2025: U00203 2 link
 * workers, 1.5 FTE, 1 with accredited training; U00204 3, 2.5 FTE, 2; U00205 2, 2 FTE, 1.
 *
 * England is 1 + 2 + 3 = 6 times U00203's programme (U00070's, U00071's and U00072's 2 + 2 + 2 referrals with it): its
 * counts are 6 times U00203's (and 6 more where those referrals count), so its means, medians and rates of them
 * are U00203's; its intervals are over 6 times the people. Why so many PCNs: every England period must be made up by 3
 * or more, none dominating, as a deployment publishes it (review 8, N5: fewer, or one dominating, is held, in every
 * document: test/integration/england-few-pcns.test.ts). U00203, U00204 and U00205 send a period's counts as 1 : 2 : 3
 * in every document (U00203's A&E pair aside: 1 + 1 + 0 more in cof_system's April), so all but the two largest is a
 * sixth of the total, never under 10% of the largest; the smallest, workforce's December (accredited link workers
 * 1 + 2 + 1 = 4), is above the 3 PCNs. Not 3 equal PCNs: England's exact 3 x 13 engaged beside three PCNs each shown
 * 15 (13 to 17) gives each 13, and pins of that kind withheld the rows below England this file tests. U00071 is
 * there beside U00070 so that U00070's `*` (2 people) has another `*` beside it among the regions, not a reporting
 * PCN's region whose `*` the workforce document (its rows: PCNs with a snapshot) would show alone.
 */
type Event = GoldenEvent;
const person = (label: string) => createHash('sha256').update(label).digest('hex');
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const referral = referralEvent;
let serial = 0;

/**
 * The programme of U00203 above, run the same by another PCN (`pcn`, its referrals `${prefix}1` to `${prefix}25`, its
 * people their own): `ae` false leaves out R1's A&E pair (U00203's alone).
 */
function programme(pcn: string, prefix: string, ae = true): Event[] {
  const R = (i: number | string) => `${prefix}${i}`;
  const follow = (id: string, on: string, fields: Event): Event => ({
    event_id: `F-${++serial}`,
    pcn_code: pcn,
    referral_id: id,
    person_id: person(id),
    occurred_on: on,
    ...fields,
  });
  const contact = (id: string, on: string, role: string) =>
    follow(id, on, { event_type: 'contact', contact_mode: 'telephone', worker_role: role, duration_minutes: 30 });
  const connection = (id: string, attended: boolean) =>
    follow(id, '2025-05-01', {
      event_type: 'community_connection',
      activity_category: 'arts_culture',
      provider_id: 'VCSE-1',
      attended,
    });
  const score = (id: string, instrument: string, phase: string, value: number) =>
    follow(id, phase === 'baseline' ? '2025-04-10' : '2025-07-01', {
      event_type: 'wellbeing_measure',
      instrument,
      phase,
      score: value,
    });
  const rows: Event[] = [];
  for (const i of range(1, 10)) rows.push(referral(pcn, R(i), '2025-04-10'));
  for (const i of range(11, 20)) rows.push(referral(pcn, R(i), '2025-08-15'));
  for (const i of range(21, 25)) rows.push(referral(pcn, R(i), '2025-11-10'));
  for (const i of range(1, 6)) {
    for (const _ of range(1, 8)) rows.push(contact(R(i), '2025-04-20', 'splw'));
    for (const _ of range(1, 2)) rows.push(contact(R(i), '2025-04-21', 'hwbc'));
  }
  for (const i of range(7, 8)) for (const _ of range(1, 3)) rows.push(contact(R(i), '2025-04-20', 'splw'));
  rows.push(contact(R(9), '2025-04-20', 'splw'));
  rows.push(follow(R(9), '2025-04-22', { event_type: 'declined', snomed_code: '871711000000103' }));
  for (const i of range(1, 5)) rows.push(connection(R(i), true));
  rows.push(connection(R(6), false));
  const lifeSatisfaction = [6, 7, 8, 7];
  for (const i of range(1, 4)) {
    const id = R(i);
    for (const item of ['ons4_life_satisfaction', 'ons4_worthwhile', 'ons4_happiness', 'ons4_anxiety'])
      rows.push(score(id, item, 'baseline', 5));
    rows.push(score(id, 'ons4_life_satisfaction', 'follow_up', lifeSatisfaction[i - 1] as number));
    rows.push(score(id, 'ons4_worthwhile', 'follow_up', 6));
    rows.push(score(id, 'ons4_happiness', 'follow_up', 5));
    rows.push(score(id, 'ons4_anxiety', 'follow_up', 4));
  }
  rows.push(score(R(5), 'swemwbs', 'baseline', 20), score(R(5), 'swemwbs', 'follow_up', 24));
  rows.push(score(R(6), 'swemwbs', 'baseline', 20), score(R(6), 'swemwbs', 'follow_up', 22));
  const use = (id: string, service: string, window: string, months: number, count: number) =>
    follow(id, window === 'before' ? '2025-04-10' : '2025-10-10', {
      event_type: 'service_use',
      service,
      window,
      window_months: months,
      count,
    });
  rows.push(
    use(R(1), 'gp_appointment', 'before', 6, 2),
    use(R(1), 'gp_appointment', 'after', 6, 4),
    use(R(2), 'gp_appointment', 'before', 6, 3),
    use(R(2), 'gp_appointment', 'after', 6, 3),
    use(R(2), 'gp_appointment', 'before', 3, 1),
    use(R(2), 'gp_appointment', 'after', 3, 2),
    use(R(3), 'gp_appointment', 'before', 6, 8),
    use(R(3), 'gp_appointment', 'after', 6, 5),
    use(R(4), 'gp_appointment', 'before', 6, 10),
    use(R(4), 'gp_appointment', 'after', 6, 6),
    use(R(5), 'gp_appointment', 'before', 12, 5),
    use(R(5), 'gp_appointment', 'after', 6, 4),
    use(R(6), 'gp_appointment', 'before', 6, 5),
    use(R(6), 'gp_appointment', 'after', 6, 5),
    use(R(7), 'gp_appointment', 'before', 6, 4),
    use(R(7), 'gp_appointment', 'after', 6, 4),
    use(R(7), 'gp_appointment', 'before', 12, 9),
    use(R(7), 'gp_appointment', 'after', 12, 1),
    { ...use(R(21), 'gp_appointment', 'before', 12, 20), occurred_on: '2025-11-20' },
    { ...use(R(21), 'gp_appointment', 'after', 12, 0), occurred_on: '2025-11-20' },
    use(R(3), 'outpatient', 'before', 12, 2),
    use(R(3), 'outpatient', 'after', 12, 2),
  );
  if (ae) rows.push(use(R(1), 'ae_attendance', 'before', 6, 1), use(R(1), 'ae_attendance', 'after', 6, 0));
  for (const i of range(11, 15)) rows.push(contact(R(i), '2025-08-20', 'splw'));
  for (const i of range(11, 12)) rows.push({ ...connection(R(i), true), occurred_on: '2025-09-01' });
  for (const i of range(22, 25)) rows.push(contact(R(i), '2025-11-20', 'splw'));
  rows.push(contact(R(21), '2025-12-31', 'splw'));
  return rows;
}

const UPLOADS: Record<string, Event[]> = {
  'u30001.jsonl': programme('U00203', 'R'),
  'u30003.jsonl': [...programme('U00204', 'Q', false), ...programme('U00204', 'P', false)],
  'u30004.jsonl': [
    ...programme('U00205', 'T', false),
    ...programme('U00205', 'V', false),
    ...programme('U00205', 'W', false),
  ],
  'u30002.jsonl': [referral('U00070', 'S1', '2025-04-20'), referral('U00070', 'S2', '2025-04-20')],
  'u30005.jsonl': [referral('U00071', 'X1', '2025-04-20'), referral('U00071', 'X2', '2025-04-20')],
  'u30006.jsonl': [referral('U00072', 'Z1', '2025-04-20'), referral('U00072', 'Z2', '2025-04-20')],
};

const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U00203,Echo PCN,QWE,NHS South West London ICB,Y56,London,12000,2019-04-01,
U00070,Foxtrot PCN,QSL,NHS Somerset ICB,Y58,South West,24000,2019-04-01,2025-05-31
U00204,Golf PCN,QNX,NHS Sussex ICB,Y59,South East,12000,2019-04-01,
U00205,Hotel PCN,QHM,NHS North East and North Cumbria ICB,Y63,North East and Yorkshire,12000,2019-04-01,
U00071,India PCN,QUE,NHS Cambridgeshire and Peterborough ICB,Y61,East of England,24000,2019-04-01,2025-05-31
U00072,Juliet PCN,QOP,NHS Greater Manchester ICB,Y62,North West,24000,2019-04-01,2025-05-31
`;

const golden = goldenProgramme('measures-golden', {
  uploads: UPLOADS,
  otherFiles: Object.fromEntries(
    [
      ['u30001', 'U00203,2025-12,splw,2,1.5,1,0'],
      ['u30003', 'U00204,2025-12,splw,3,2.5,2,0'],
      ['u30004', 'U00205,2025-12,splw,2,2,1,0'],
    ].map(([file, row]) => [
      `${file}-workforce.csv`,
      `pcn_code,snapshot_month,role,headcount,fte,accredited_training_headcount,vacancies_fte\n${row}\n`,
    ]),
  ),
  reference: REFERENCE,
  // The clock of the one refresh.
  now: new Date('2026-01-05T00:00:00Z'),
});
const { docs, row } = golden;

describe('outcomes for the person: cohorts old enough, engaged and connected, link worker contacts', () => {
  it('says which referrals each outcome covers', () => {
    expect(docs.get('cof_person')?.data_as_of).toBe('2025-12-31');
    expect(docs.get('cof_person')?.summary?.cohorts).toEqual({
      engagement: { months: 3, referred_on_or_before: '2025-09-30' },
      outcomes: { months: 6, referred_on_or_before: '2025-06-30' },
    });
  });

  it('England: engagement on R1-R20, contacts, wellbeing and discharge on R1-R10; S, X and Z in no cohort', () => {
    // 6 times U00203's (its R-numbers: R1-R25 and the same of the 5 other copies). S1-S2, X1-X2 and Z1-Z2 (referred 20
    // April) are episodes but in no cohort: U00070's, U00071's and U00072's data end with April (their last month
    // reported; closed 31 May), before their 3-month windows (to 20 July) do (review 26, R26-1; before: 126 and 66,
    // with them). Made up by 3 PCNs, England's 156 - 120 is published (cohortGapsMadeByFew).
    expect(row('cof_person', 'national', 'ENG', '2025/26')).toMatchObject({
      episodes: 156, // 6 x 25 + 6
      engagement_cohort: 120, // 6 x 20 (R1-R20)
      engaged: 78, // 6 x 13: R1-R8 and R11-R15; R9 declined, R10 had no contact
      engaged_pct: 65, // 78 / 120 = 65.0
      connected: 42, // 6 x 7: R1-R5, R11-R12
      connected_pct: 35, // 42 / 120 = 35.0
      outcome_cohort: 60, // 6 x 10 (R1-R10)
      splw_contacts: 330, // 6 x (6 x 8 + 2 x 3 + 1) = 6 x 55
      other_contacts: 72, // 6 x 6 x 2 coach contacts, not counted for the 6-12 expectation
      mean_contacts: 5.5, // 330 / 60
      mean_other_contacts: 1.2, // 72 / 60
      episodes_6_to_12_contacts: 36, // 6 x 6 (R1-R6)
      share_6_to_12_pct: 60, // 36 / 60
      // 60 in order: 0 x 6 (R10 x 6), 1 x 6 (R9), 3 x 12 (R7-R8), 8 x 36 (R1-R6): the 30th and 31st are 8
      median_contacts: 8,
      wellbeing_measured: 36, // 6 x R1-R6: people, not the 6 x 18 instrument items they answered
      wellbeing_measured_pct: 60, // 36 / 60
      // 6 x (R1-R4 on ONS4 life satisfaction (+1 to +3), R5 on SWEMWBS (+4)); R6's +2 is below 3
      wellbeing_improved: 30,
      wellbeing_improved_pct: 83.3, // 30 / 36
      discharged: 0,
    });
  });

  it('a PCN: rounded to 5 with rates from the rounded figures', () => {
    // U00203 (alone in QWE and in Y56): 25 referred; engagement cohort 20; engaged 13 -> 15, so take-up 15 / 20 = 75%
    // from the rounded figures; connected 7 -> *, with its rate; 55 contacts -> 55. Its outcome cohort, 10, is `*`, and
    // the mean over it: U00203's April referrals (10) are `*` in all three documents (a secondary `*` of the April
    // controls), and its April outcome cohort is its April episodes (every April referral is old enough: review 16,
    // R16-4), so `*` with them; the year's outcome cohort is April's alone (May to June none, later months too recent),
    // so it is `*` too, or the year less its months would give April back (before: 10, and a mean of 5.5, beside April's
    // `*`). None is pinned by England's exact figures: engaged 78 = Y56 13..17 (shown 15) +
    // Y59 23..27 (25) + Y63 38..42 (40) + 0 + 0, which leaves each region 4 either way; connected 42 = 1..7 (*) +
    // 13..17 (15) + 18..22 (20).
    expect(row('cof_person', 'pcn', 'U00203', '2025/26')).toMatchObject({
      episodes: 25,
      engagement_cohort: 20,
      engaged: 15,
      engaged_pct: 75,
      connected: '*',
      connected_pct: '*',
      outcome_cohort: '*',
      splw_contacts: 55,
      mean_contacts: '*',
    });
    expect(row('cof_person', 'pcn', 'U00203', '2025-04')).toMatchObject({
      episodes: '*',
      engagement_cohort: '*',
      outcome_cohort: '*',
    });
  });
});

describe('wellbeing in people per instrument, against each threshold, with a 95% interval', () => {
  it('ONS4 life satisfaction: 24 people, mean +2, t interval with 23 degrees of freedom', () => {
    // changes 1, 2, 3, 2 in each of the 6 copies: squares about the mean 2 add up to 6 x 2 = 12, sd = sqrt(12 / 23) =
    // 0.7223; 2 +- t(23) 2.068658 x 0.7223 / sqrt(24) = 2 +- 0.3050: 1.69 to 2.31
    expect(row('wellbeing', 'national', 'ENG', '2025/26', { instrument: 'ons4_life_satisfaction' })).toMatchObject({
      people: 24,
      improved: 24,
      threshold: 1,
      mean_baseline: 5,
      mean_follow_up: 7,
      mean_change: 2,
      mean_change_ci_low: 1.69,
      mean_change_ci_high: 2.31,
      improved_pct: 100,
    });
  });

  it('ONS4 happiness unchanged, anxiety lower is better, SWEMWBS threshold 3 points', () => {
    expect(row('wellbeing', 'national', 'ENG', '2025/26', { instrument: 'ons4_happiness' })).toMatchObject({
      people: 24,
      improved: 0,
      mean_change: 0,
      mean_change_ci_low: 0,
      mean_change_ci_high: 0,
    });
    expect(row('wellbeing', 'national', 'ENG', '2025/26', { instrument: 'ons4_anxiety' })).toMatchObject({
      people: 24,
      improved: 24,
      mean_change: 1,
    });
    // +4 and +2 in each of the 6 copies: mean 3, squares about it 12 x 1 = 12, sd sqrt(12 / 11) = 1.0445; 3 +- t(11)
    // 2.200985 x 1.0445 / sqrt(12) = 3 +- 0.6636: 2.34 to 3.66
    expect(row('wellbeing', 'national', 'ENG', '2025/26', { instrument: 'swemwbs' })).toMatchObject({
      people: 12,
      improved: 6,
      threshold: 3,
      mean_change: 3,
      mean_change_ci_low: 2.34,
      mean_change_ci_high: 3.66,
      improved_pct: 50,
    });
  });

  it('below England, a mean needs 8 people, and the interval is published for England only', () => {
    // ONS4 life satisfaction: U00203 has 4 people (1-7: *, and so its means); U00204 8 (shown 10) and U00205 12
    // (shown 10): 8 or more, so their means are published, to 1 decimal: baseline 5, follow-up 7, change 2.
    const lifeSatisfaction = (code: string) =>
      row('wellbeing', 'pcn', code, '2025/26', { instrument: 'ons4_life_satisfaction' });
    expect(lifeSatisfaction('U00203')).toMatchObject({
      people: '*',
      mean_baseline: '*',
      mean_follow_up: '*',
      mean_change: '*',
    });
    for (const code of ['U00204', 'U00205'])
      expect(lifeSatisfaction(code), code).toMatchObject({
        people: 10,
        improved: 10,
        mean_baseline: 5,
        mean_follow_up: 7,
        mean_change: 2,
      });
    // Wherever people is `*` (first or second), so are the means; no interval below England.
    const below = docs.get('wellbeing')?.rows.filter((r) => r.level !== 'national') ?? [];
    expect(below.filter((r) => r.people === '*' && r.mean_change !== '*')).toEqual([]);
    expect(below.some((r) => r.mean_change_ci_low !== null || r.mean_change_ci_high !== null)).toBe(false);
    expect(docs.get('wellbeing')?.rows.some((r) => 'pairs' in r || 'sd_change' in r)).toBe(false);
  });

  it('link worker contacts per person, outcome cohort only', () => {
    const distribution = docs
      .get('contacts_distribution')
      ?.rows.filter((r) => r.level === 'national' && r.period === '2025/26')
      .map((r) => [r.contacts, r.episodes]);
    // The outcome cohort's 60: 0 contacts R10 x 6; 1 R9 x 6; 3 R7-R8 x 6; 8 R1-R6 x 6 (S1-S2, X1-X2 and Z1-Z2 in no
    // cohort: their PCNs' data end before their windows do, R26-1; before, 0 contacts 12 with them)
    expect(distribution).toEqual([
      [0, 6],
      [1, 6],
      [3, 12],
      [8, 36],
    ]);
  });
});

describe('GP, A&E, admissions and outpatients before and after: equal windows, with regression to the mean', () => {
  const system = (service: string, band = 'all') =>
    row('cof_system', 'national', 'ENG', '2025/26', { service, baseline_band: band });

  it('says which referrals the figures cover: those whose 6-month after window has ended (one length)', () => {
    expect(docs.get('cof_system')?.summary?.windows_ended).toEqual([
      { months: 6, referred_on_or_before: '2025-06-30' },
    ]);
    // Every row is of 6-month windows (review 26, R26-3): R2's 3-month pair (1 -> 2) is in no row.
    expect(new Set(docs.get('cof_system')?.rows.map((r) => r.window_months))).toEqual(new Set([6]));
  });

  it('GP: the 36 people with 6-month windows ended, and a 95% interval', () => {
    // In each of the 6 copies: R1 2->4, R2 3->3 (its 6-month pair; its 3-month one, 1 -> 2, is of another length), R3
    // 8->5, R4 10->6, R6 5->5, R7 4->4 (its 6-month pair: the 12-month one, 9->1, runs to 2026-04-10); R5 has no
    // equal pair; R21's 12-month after window has not ended. Differences 6 x (+2, 0, -3, -4, 0, 0): sum -30, squares 174; sd sqrt((174 - 900 / 36) /
    // 35) = 2.0633; mean use before 192 / 36 = 5.333: change (162 - 192) / 192 = -15.625% -> -15.6; sd 2.0633 / 5.333
    // = 38.69% of it, t(35) 2.030108 x 38.69 / sqrt(36) = 13.09: -15.625 -+ 13.09 = -28.7% to -2.5%.
    expect(system('gp_appointment')).toMatchObject({
      people: 36,
      before_total: 192,
      after_total: 162,
      change_pct: -15.6,
      change_pct_ci_low: -28.7,
      change_pct_ci_high: -2.5,
      expected_change_pct: -14,
    });
  });

  it('GP by band of use before: light users rise, heavy users fall', () => {
    // 6 x (R1 2 -> 4 and R2 3 -> 3): 30 -> 42, +40%
    expect(system('gp_appointment', '0-3')).toMatchObject({
      people: 12,
      before_total: 30,
      after_total: 42,
      change_pct: 40,
    });
    // 6 x (R6 5 -> 5 and R7 4 -> 4; on its 12-month pair R7 would be 7+, 9 -> 1)
    expect(system('gp_appointment', '4-6')).toMatchObject({
      people: 12,
      before_total: 54,
      after_total: 54,
      change_pct: 0,
    });
    // 6 x (R3 8 -> 5 and R4 10 -> 6): 108 -> 66, -38.9%
    expect(system('gp_appointment', '7+')).toMatchObject({
      people: 12,
      before_total: 108,
      after_total: 66,
      change_pct: -38.9,
    });
  });

  it("A&E is held (one PCN's); outpatients not published: R3's only pair is of 12 months (and runs to 2026-04-10)", () => {
    // A&E: U00203's R1 alone (1 -> 0). Which services a PCN's system supplies is the PCN's, so England's A&E row, one
    // PCN's, is held as no figure (review 28, R28-5; until December 2026 people 1, 1 -> 0, -100%).
    expect(system('ae_attendance')).toMatchObject({
      people: null,
      before_total: null,
      after_total: null,
      change_pct: null,
      change_pct_ci_low: null,
      expected_change_pct: -12,
    });
    expect(docs.get('cof_system')?.rows.filter((r) => r.service === 'outpatient')).toEqual([]);
  });

  it('a referral whose after window is still running is not counted as using nothing after', () => {
    // R21, referred 2025-11-10: GP 20 before and 0 so far in a 12-month window. Counted, November would show 1 person,
    // 20 -> 0, -100%.
    expect(docs.get('cof_system')?.rows.filter((r) => r.period === '2025-11')).toEqual([]);
  });

  it('below England: counts rounded and suppressed, and no interval', () => {
    const gp = (code: string) =>
      row('cof_system', 'pcn', code, '2025/26', { service: 'gp_appointment', baseline_band: 'all' });
    // U00203: 6 people (1-7: *), and with them the totals and the change (fewer than 8 referrals).
    expect(gp('U00203')).toMatchObject({ people: '*', before_total: '*', after_total: '*', change_pct: '*' });
    // U00204: 12 people -> 10, 64 -> 65 before, 54 -> 55 after: (55 - 65) / 65 = -15.4% from the rounded totals.
    // U00205: 18 -> 20, 96 -> 95, 81 -> 80: (80 - 95) / 95 = -15.8%.
    expect(gp('U00204')).toMatchObject({ people: 10, before_total: 65, after_total: 55, change_pct: -15.4 });
    expect(gp('U00205')).toMatchObject({ people: 20, before_total: 95, after_total: 80, change_pct: -15.8 });
    // No interval below England (its midpoint is the exact change); England's is published.
    expect(
      docs
        .get('cof_system')
        ?.rows.some((r) => r.level !== 'national' && (r.change_pct_ci_low !== null || r.change_pct_ci_high !== null)),
    ).toBe(false);
    expect(
      row('cof_system', 'national', 'ENG', '2025/26', { service: 'gp_appointment', baseline_band: 'all' }),
    ).toMatchObject({
      change_pct_ci_low: expect.any(Number),
    });
  });
});

describe('part years and PCNs open part of the year', () => {
  it('England: 9 months so far (June, with no events, still a month), rates annualised x 12 / 9', () => {
    // list: (3 x 12,000 x 9 months + 3 x 24,000 x 1 month) / 9 = 44,000 (U00070, U00071 and U00072 report April
    // only: their one extract's rows stop in April, so it covers April, R16-1, and May is no data; before, May counted
    // their lists at 0 referrals); 156 / 44,000 = 0.3545% so far, 0.4727% a year; 3.55 per 1,000, 4.73 a year
    expect(row('rollout', 'national', 'ENG', '2025/26')).toMatchObject({
      referrals: 156,
      people_referred: 156,
      months: 9,
      pct_list_referred: 0.35,
      pct_list_referred_annualised: 0.47,
      referrals_per_1000: 3.5,
      referrals_per_1000_annualised: 4.7,
    });
    // June: the 3 PCNs open (U00070, U00071 and U00072 closed in May), 3 x 12,000
    expect(row('rollout', 'national', 'ENG', '2025-06')).toMatchObject({ referrals: 0, pcns: 3, list_size: 36_000 });
  });

  it('a PCN open all year and one that closed in May: each over the months it was open', () => {
    // U00203: 25 people / 12,000 = 0.2083% in 9 months, 0.2778% a year
    expect(row('rollout', 'pcn', 'U00203', '2025/26')).toMatchObject({
      months: 9,
      list_size: 12_000,
      pct_list_referred: 0.21,
      pct_list_referred_annualised: 0.28,
    });
    // U00070 reports April only (its rows stop in April: R16-1): its list over its 2 months open, 24,000 x 1 / 2
    expect(row('rollout', 'pcn', 'U00070', '2025/26')).toMatchObject({ months: 2, list_size: 12_000, referrals: '*' });
    // funnel denominators pro rata to the months reported: 24,000 x 1 / 9 months = 2,667
    expect(row('pcn_comparison', 'pcn', 'U00070', '2025/26')).toMatchObject({
      list_size: 24_000,
      months_open: 1,
      exposure: 2_667,
    });
    expect(row('pcn_comparison', 'pcn', 'U00203', '2025/26')).toMatchObject({
      list_size: 12_000,
      months_open: 9,
      exposure: 12_000,
    });
  });

  it('months missing count only months a PCN was open', () => {
    // U00203: open April to December, no events in June. U00070: open April and May, sent April only (May is missing
    // whether or not an extract covers it: it was open and sent nothing for it).
    expect(row('data_quality', 'pcn', 'U00203', 'all')).toMatchObject({ months_with_data: 8, months_missing: 1 });
    expect(row('data_quality', 'pcn', 'U00070', 'all')).toMatchObject({ months_with_data: 1, months_missing: 1 });
  });

  it('the headcount, FTE and training status of 2 link workers are not published below England', () => {
    // 2 people: a count from 1 to 7 (*), and an FTE of fewer than 8 people goes with its headcount.
    for (const [level, code] of [
      ['pcn', 'U00203'],
      ['icb', 'QWE'],
      ['region', 'Y56'],
    ] as const)
      expect(row('workforce', level, code, '2025-12')).toMatchObject({
        splw_headcount: '*',
        splw_fte: '*',
        splw_accredited: '*',
        splw_fte_per_10000: '*',
        splw_accredited_pct: '*',
      });
    // England: 2 + 3 + 2 link workers, 1.5 + 2.5 + 2 FTE, 1 + 2 + 1 accredited
    expect(row('workforce', 'national', 'ENG', '2025-12')).toMatchObject({
      splw_headcount: 7,
      splw_fte: 6,
      splw_accredited: 4,
    });
  });

  it('no caseload where a PCN that referred people sent no snapshot (review 6, K7)', () => {
    // 156 people referred in 9 months, 6 of them by U00070, U00071 and U00072 (April), which sent no snapshot: 156 / 6
    // FTE = 26 so far (34.7 a year) counted their people against the others' link workers. FTE per 10,000 in December is
    // over the lists of the 3 PCNs reporting: 6 / 36,000 x 10,000 = 1.67. The year's FTE is its one snapshot's, 6.
    expect(row('workforce', 'national', 'ENG', '2025/26')).toMatchObject({
      people_referred: 156,
      splw_fte: 6,
      referral_months: 9,
      pcns_referring_without_snapshot: 3,
      caseload: null,
      caseload_annualised: null,
    });
    expect(row('workforce', 'national', 'ENG', '2025-12')).toMatchObject({
      pcns_reporting: 3,
      list_size_reporting: 36_000,
      splw_fte_per_10000: 1.67,
    });
  });
});

describe('comparing PCNs: take-up is engagement on the engagement cohort, as on the outcomes page', () => {
  it('U00203: engaged of referrals at least 3 months old, wellbeing of the outcome cohort', () => {
    // 25 referrals; engagement cohort R1-R20 = 20; engaged R1-R8 and R11-R15 = 13 -> 15, as the outcomes page
    // (cof_person) shows it: take-up 15 / 20 = 75% from the rounded figures. Connected R1-R5, R11-R12 = 7 -> *.
    // Wellbeing: the outcome cohort R1-R10 has 6 people measured (R1-R6), 5 improved: both * below England, so its
    // wellbeing rate is * too.
    expect(row('pcn_comparison', 'pcn', 'U00203', '2025/26')).toMatchObject({
      referrals: 25,
      engagement_cohort: 20,
      engaged: 15,
      connected: '*',
      wellbeing_measured: '*',
      wellbeing_improved: '*',
      take_up_pct: 75,
      wellbeing_improved_pct: '*',
    });
    const published = row('cof_person', 'pcn', 'U00203', '2025/26');
    for (const count of ['engagement_cohort', 'engaged', 'connected', 'wellbeing_measured', 'wellbeing_improved'])
      expect(row('pcn_comparison', 'pcn', 'U00203', '2025/26')[count], count).toBe(published[count]);
    expect(row('pcn_comparison', 'pcn', 'U00203', '2025/26').referrals).toBe(
      row('rollout', 'pcn', 'U00203', '2025/26').referrals,
    );
    // England's comparator is England's exact figure, 78 engaged of 120 (6 x 13 of 6 x 20; S1-S2, X1-X2 and Z1-Z2 in
    // no cohort, R26-1; before: of 126 with them, 0.619048) = 0.65. U00203's 75% is (0.75 - 0.65) / sqrt(0.65 x 0.35 / 20)
    // = 0.9 standard errors above it: inside the 99.8% limits (the 3 placed PCNs, 75%, 62.5% and 66.7%, at 0.9, -0.3
    // and 0.3 standard errors, vary less than chance, phi < 1: no widening).
    const rates = docs.get('pcn_comparison')?.summary?.funnel_rates as Record<
      string,
      Record<string, { national: number | null }>
    >;
    expect(rates['2025/26']?.take_up_pct?.national).toBe(0.65);
    expect(row('pcn_comparison', 'pcn', 'U00203', '2025/26').take_up_pct_vs_national).toBe('within');
    expect(docs.get('pcn_comparison')?.summary?.cohorts).toEqual(docs.get('cof_person')?.summary?.cohorts);
  });

  it('U00070, closed in May: its 2 referrals are in no cohort, so it is not placed', () => {
    // S1-S2 (20 April): U00070's data end with April (its last month reported), before their 3-month windows do, so
    // they are in no cohort (review 26, R26-1; before: an engagement cohort of 2, `*`, with 0 engaged): engagement
    // cohort 0, engaged 0, as the outcomes page shows them. Not placed: no take-up from a cohort of 0.
    expect(row('cof_person', 'pcn', 'U00070', '2025/26')).toMatchObject({ engagement_cohort: 0, engaged: 0 });
    expect(row('pcn_comparison', 'pcn', 'U00070', '2025/26')).toMatchObject({
      engagement_cohort: 0,
      engaged: 0,
      take_up_pct: null,
      take_up_pct_vs_national: null,
    });
  });
});

describe('equity: people, and access by the deprivation of the PCN', () => {
  it('no access rates by PCN IMD 2019 quintile: quintiles 1 and 5 here are one PCN each, whose figures they would be', () => {
    // U00203 is in IMD decile 2 among PCNs (quintile 1), U00070 in decile 10 (quintile 5): NHS Digital PCN IMD 2019;
    // U00204, U00205, U00071 and U00072 are in no list ('unknown', 4 PCNs). A quintile is published for England or the regions
    // only where each of its cells holds 3 or more PCNs; here England's quintile 1 would be U00203's 25 people,
    // exactly. The rates are worked in equity-quintiles.test.ts.
    expect(docs.get('equity')?.rows.filter((r) => r.dimension === 'pcn_imd_quintile')).toEqual([]);
  });

  it('by person: distinct people, engagement on the engagement cohort', () => {
    // Everyone is female: as cof_person's, 6 x 25 + 6 people, 6 x 20 in the engagement cohort (S1-S2, X1-X2 and Z1-Z2
    // in none: R26-1), 6 x 13 engaged (78 / 120 = 65.0%), 6 x 6 measured, 6 x 5 improved.
    expect(row('equity', 'national', 'ENG', '2025/26', { dimension: 'sex', group: 'female' })).toMatchObject({
      people_referred: 156,
      engagement_cohort: 120,
      engaged: 78,
      engaged_pct: 65,
      wellbeing_people: 36,
      wellbeing_improved: 30,
    });
  });
});

describe('projection of people referred against the 900,000 a year', () => {
  it('complete months only, an interval, and "on track" only when the interval clears the target', () => {
    // Complete months: April (6 of 6 PCNs sent events), May (3 of 3 still sending: U00070, U00071 and U00072 report
    // April only, R16-1, and had stopped by the refresh, their last month reported more than 3 months ended before it),
    // July to December (3 of 3); June (0 of 3) is incomplete. People in complete months: 66, 0, 0, 60, 0, 0, 30, 0, each
    // a rate on the list of the PCNs reporting that month (review 8, N7): April 66 / 108 (thousand: all 6 PCNs) =
    // 0.611111, May and July-December on the 3 PCNs' 36: 0, 0, 1.666667, 0, 0, 0.833333, 0: mean 3.111111 / 8 =
    // 0.388889; squares about it 0.049383 + 5 x 0.151235 + 1.632716 + 0.197531 = 2.635803, sd sqrt(2.635803 / 7) =
    // 0.613631. No previous year, so a flat profile. Unknown months: June, January to March (4), at December's list
    // of the PCNs still sending (36): projection 156 + 4 x 36 x 0.388889 = 212.00; interval half-width t(7) 2.364624 x
    // 0.613631 x 36 x sqrt(4 + 16 / 8) = 127.95: 84.0 (below the 156 already referred, so 156) to 340.0.
    expect(docs.get('rollout')?.summary?.target_progress).toEqual([
      {
        fy: '2025/26',
        measure: 'people referred',
        people_referred_to_date: 156,
        referrals_to_date: 156,
        target: 900_000,
        share_of_target_pct: 0,
        months_elapsed: 9,
        complete_months: ['2025-04', '2025-05', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12'],
        profile: 'flat',
        projection_to_year_end: 212,
        projection_low: 156,
        projection_high: 340,
        on_track: false,
        status: 'below target',
        // No complete year: the year so far's ratio, 156 monthly people (June 0) over 156 people = 1, the repeats to
        // come not known (R26-5); "below target" stands (they would only lower it).
        repeats: { ratio: 1, from: 'year so far', fy: '2025/26', year_so_far: 1, known: false },
        note: "Monthly people are scaled to people in the year by 2025/26's ratio so far, 1.000: no year is complete, so the repeat referrals to come are not yet known and the projection reads high by them.",
      },
    ]);
  });
});

describe('no disclosure by arithmetic', () => {
  it('no published figure below England recovers an unrounded count or a suppressed cell', () => {
    expect(golden.disclosureFindings()).toEqual([]);
  });
});
