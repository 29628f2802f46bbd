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
 *            equal pair; R6 5 (6) -> 5 (6); R7 4 (6) -> 4 (6) and 9 (12) -> 1 (12). A&E R1 1 (3) -> 0 (3).
 *            Outpatient R3 2 (12) -> 2 (12). A window has ended by the data-as-of date only for referrals on or before
 *            2025-09-30 (3 months), 2025-06-30 (6) or 2024-12-31 (12): no 12-month pair of 2025/26 has ended.
 *   R11-R20 referred 2025-08-15 (engagement cohort only): R11-R15 one splw contact; R11-R12 attended an activity.
 *   R21-R25 referred 2025-11-10 (in neither cohort): one splw contact each, R21's on 2025-12-31; R21 GP before 20
 *           (12), after 0 (12), sent 2025-11-20: its after window runs to 2026-11-10, so it is not counted.
 * U00070 (QSL, Y58 South West, 24,000 patients, closed 2025-05-31): S1-S2 referred 2025-04-20, nothing after.
 * Months with events: April, May, July to December 2025 (none in June). Workforce: U00203 in December 2025, 2 link
 * workers, 1.5 FTE, 1 with accredited training.
 */
type Event = GoldenEvent;
const person = (label: string) => createHash('sha256').update(label).digest('hex');
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const referral = referralEvent;
let serial = 0;
const follow = (id: string, on: string, fields: Event): Event => ({
  event_id: `F-${++serial}`,
  pcn_code: 'U00203',
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

function u30001(): Event[] {
  const rows: Event[] = [];
  for (const i of range(1, 10)) rows.push(referral('U00203', `R${i}`, '2025-04-10'));
  for (const i of range(11, 20)) rows.push(referral('U00203', `R${i}`, '2025-08-15'));
  for (const i of range(21, 25)) rows.push(referral('U00203', `R${i}`, '2025-11-10'));
  for (const i of range(1, 6)) {
    for (const _ of range(1, 8)) rows.push(contact(`R${i}`, '2025-04-20', 'splw'));
    for (const _ of range(1, 2)) rows.push(contact(`R${i}`, '2025-04-21', 'hwbc'));
  }
  for (const i of range(7, 8)) for (const _ of range(1, 3)) rows.push(contact(`R${i}`, '2025-04-20', 'splw'));
  rows.push(contact('R9', '2025-04-20', 'splw'));
  rows.push(follow('R9', '2025-04-22', { event_type: 'declined', snomed_code: '871711000000103' }));
  for (const i of range(1, 5)) rows.push(connection(`R${i}`, true));
  rows.push(connection('R6', false));
  const lifeSatisfaction = [6, 7, 8, 7];
  for (const i of range(1, 4)) {
    const id = `R${i}`;
    for (const item of ['ons4_life_satisfaction', 'ons4_worthwhile', 'ons4_happiness', 'ons4_anxiety'])
      rows.push(score(id, item, 'baseline', 5));
    rows.push(score(id, 'ons4_life_satisfaction', 'follow_up', lifeSatisfaction[i - 1] as number));
    rows.push(score(id, 'ons4_worthwhile', 'follow_up', 6));
    rows.push(score(id, 'ons4_happiness', 'follow_up', 5));
    rows.push(score(id, 'ons4_anxiety', 'follow_up', 4));
  }
  rows.push(score('R5', 'swemwbs', 'baseline', 20), score('R5', 'swemwbs', 'follow_up', 24));
  rows.push(score('R6', 'swemwbs', 'baseline', 20), score('R6', 'swemwbs', 'follow_up', 22));
  const use = (id: string, service: string, window: string, months: number, count: number) =>
    follow(id, window === 'before' ? '2025-04-10' : '2025-10-10', {
      event_type: 'service_use',
      service,
      window,
      window_months: months,
      count,
    });
  rows.push(
    use('R1', 'gp_appointment', 'before', 6, 2),
    use('R1', 'gp_appointment', 'after', 6, 4),
    use('R2', 'gp_appointment', 'before', 6, 3),
    use('R2', 'gp_appointment', 'after', 6, 3),
    use('R2', 'gp_appointment', 'before', 3, 1),
    use('R2', 'gp_appointment', 'after', 3, 2),
    use('R3', 'gp_appointment', 'before', 6, 8),
    use('R3', 'gp_appointment', 'after', 6, 5),
    use('R4', 'gp_appointment', 'before', 6, 10),
    use('R4', 'gp_appointment', 'after', 6, 6),
    use('R5', 'gp_appointment', 'before', 12, 5),
    use('R5', 'gp_appointment', 'after', 6, 4),
    use('R6', 'gp_appointment', 'before', 6, 5),
    use('R6', 'gp_appointment', 'after', 6, 5),
    use('R7', 'gp_appointment', 'before', 6, 4),
    use('R7', 'gp_appointment', 'after', 6, 4),
    use('R7', 'gp_appointment', 'before', 12, 9),
    use('R7', 'gp_appointment', 'after', 12, 1),
    { ...use('R21', 'gp_appointment', 'before', 12, 20), occurred_on: '2025-11-20' },
    { ...use('R21', 'gp_appointment', 'after', 12, 0), occurred_on: '2025-11-20' },
    use('R1', 'ae_attendance', 'before', 3, 1),
    use('R1', 'ae_attendance', 'after', 3, 0),
    use('R3', 'outpatient', 'before', 12, 2),
    use('R3', 'outpatient', 'after', 12, 2),
  );
  for (const i of range(11, 15)) rows.push(contact(`R${i}`, '2025-08-20', 'splw'));
  for (const i of range(11, 12)) rows.push({ ...connection(`R${i}`, true), occurred_on: '2025-09-01' });
  for (const i of range(22, 25)) rows.push(contact(`R${i}`, '2025-11-20', 'splw'));
  rows.push(contact('R21', '2025-12-31', 'splw'));
  return rows;
}

const UPLOADS: Record<string, Event[]> = {
  'u30001.jsonl': u30001(),
  'u30002.jsonl': [referral('U00070', 'S1', '2025-04-20'), referral('U00070', 'S2', '2025-04-20')],
};

const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U00203,Echo PCN,QWE,NHS South West London ICB,Y56,London,12000,2019-04-01,
U00070,Foxtrot PCN,QSL,NHS Somerset ICB,Y58,South West,24000,2019-04-01,2025-05-31
`;

const golden = goldenProgramme('measures-golden', {
  uploads: UPLOADS,
  otherFiles: {
    'u30001-workforce.csv':
      'pcn_code,snapshot_month,role,headcount,fte,accredited_training_headcount,vacancies_fte\nU00203,2025-12,splw,2,1.5,1,0\n',
  },
  reference: REFERENCE,
  // The clock of the one refresh.
  now: new Date('2026-01-05T00:00:00Z'),
  // England's figures here are of 2 to 4 PCNs (the hand-worked arithmetic of each measure), so every England period
  // is one that a deployment holds (fewer than 3 PCNs, or one dominating: review 8, N5,
  // test/integration/england-few-pcns.test.ts): published here to test the arithmetic.
  englandPeriodsOfFewPcns: 'published',
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

  it('England: engagement on R1-R20 and S1-S2, contacts, wellbeing and discharge on R1-R10 and S1-S2', () => {
    expect(row('cof_person', 'national', 'ENG', '2025/26')).toMatchObject({
      episodes: 27,
      engagement_cohort: 22,
      engaged: 13, // R1-R8 and R11-R15; R9 declined, R10, S1, S2 had no contact
      engaged_pct: 59.1, // 13 / 22
      connected: 7, // R1-R5, R11-R12
      connected_pct: 31.8, // 7 / 22
      outcome_cohort: 12,
      splw_contacts: 55, // 6 x 8 + 2 x 3 + 1
      other_contacts: 12, // 6 x 2 coach contacts, not counted for the 6-12 expectation
      mean_contacts: 4.6, // 55 / 12 = 4.58
      mean_other_contacts: 1, // 12 / 12
      episodes_6_to_12_contacts: 6,
      share_6_to_12_pct: 50,
      median_contacts: 5.5, // 0 0 0 1 3 3 | 8 8 8 8 8 8: (3 + 8) / 2
      wellbeing_measured: 6, // R1-R6: people, not the 18 instrument items they answered
      wellbeing_measured_pct: 50,
      wellbeing_improved: 5, // R1-R4 on ONS4 life satisfaction (+1 to +3), R5 on SWEMWBS (+4); R6's +2 is below 3
      wellbeing_improved_pct: 83.3,
      discharged: 0,
    });
  });

  it('a PCN: rounded to 5 with rates from the rounded figures', () => {
    // U00203: 25 referred; engagement cohort 20, connected 7 -> *; outcome cohort 10. Its 13 engaged and 55 contacts
    // are England's whole figures (no other PCN has any), so shown rounded they would still say 13 and 55 (the
    // disclosure audit): suppressed, with the rates made from them.
    expect(row('cof_person', 'pcn', 'U00203', '2025/26')).toMatchObject({
      episodes: 25,
      engagement_cohort: 20,
      engaged: '*',
      engaged_pct: '*',
      connected: '*',
      connected_pct: '*',
      outcome_cohort: 10,
      splw_contacts: '*',
      mean_contacts: '*',
    });
  });
});

describe('wellbeing in people per instrument, against each threshold, with a 95% interval', () => {
  it('ONS4 life satisfaction: 4 people, mean +2, t interval with 3 degrees of freedom', () => {
    // changes 1, 2, 3, 2: sd = sqrt(2/3) = 0.8165; 2 +- 3.182 x 0.8165 / 2 = 2 +- 1.299
    expect(row('wellbeing', 'national', 'ENG', '2025/26', { instrument: 'ons4_life_satisfaction' })).toMatchObject({
      people: 4,
      improved: 4,
      threshold: 1,
      mean_baseline: 5,
      mean_follow_up: 7,
      mean_change: 2,
      mean_change_ci_low: 0.7,
      mean_change_ci_high: 3.3,
      improved_pct: 100,
    });
  });

  it('ONS4 happiness unchanged, anxiety lower is better, SWEMWBS threshold 3 points', () => {
    expect(row('wellbeing', 'national', 'ENG', '2025/26', { instrument: 'ons4_happiness' })).toMatchObject({
      people: 4,
      improved: 0,
      mean_change: 0,
      mean_change_ci_low: 0,
      mean_change_ci_high: 0,
    });
    expect(row('wellbeing', 'national', 'ENG', '2025/26', { instrument: 'ons4_anxiety' })).toMatchObject({
      people: 4,
      improved: 4,
      mean_change: 1,
    });
    // +4 and +2: mean 3, sd sqrt(2); 3 +- 12.706 x sqrt(2) / sqrt(2) = 3 +- 12.706
    expect(row('wellbeing', 'national', 'ENG', '2025/26', { instrument: 'swemwbs' })).toMatchObject({
      people: 2,
      improved: 1,
      threshold: 3,
      mean_change: 3,
      mean_change_ci_low: -9.71,
      mean_change_ci_high: 15.71,
      improved_pct: 50,
    });
  });

  it('below England, a mean needs 8 people, and the interval is published for England only', () => {
    // U00203's 4 people are England's 4 (exact): shown as * below England they would still be 4 (the disclosure
    // audit), so the year's rows below England for the instrument are left out, means and all.
    expect(
      docs
        .get('wellbeing')
        ?.rows.filter(
          (r) => r.level !== 'national' && r.period === '2025/26' && r.instrument === 'ons4_life_satisfaction',
        ),
    ).toEqual([]);
    expect(docs.get('wellbeing')?.rows.some((r) => r.level !== 'national' && r.mean_change_ci_low !== null)).toBe(
      false,
    );
    expect(docs.get('wellbeing')?.rows.some((r) => 'pairs' in r || 'sd_change' in r)).toBe(false);
  });

  it('link worker contacts per person, outcome cohort only', () => {
    const distribution = docs
      .get('contacts_distribution')
      ?.rows.filter((r) => r.level === 'national' && r.period === '2025/26')
      .map((r) => [r.contacts, r.episodes]);
    expect(distribution).toEqual([
      [0, 3],
      [1, 1],
      [3, 2],
      [8, 6],
    ]);
  });
});

describe('GP, A&E, admissions and outpatients before and after: equal windows, with regression to the mean', () => {
  const system = (service: string, band = 'all') =>
    row('cof_system', 'national', 'ENG', '2025/26', { service, baseline_band: band });

  it('says which referrals each window length covers: those whose after window has ended', () => {
    expect(docs.get('cof_system')?.summary?.windows_ended).toEqual([
      { months: 3, referred_on_or_before: '2025-09-30' },
      { months: 6, referred_on_or_before: '2025-06-30' },
      { months: 12, referred_on_or_before: '2024-12-31' },
    ]);
  });

  it('GP: the 6 people with equal windows ended, their longest such pair, and a 95% interval', () => {
    // R1 2->4, R2 3->3 (its 6-month pair, not 3+1 -> 3+2), R3 8->5, R4 10->6, R6 5->5, R7 4->4 (its 6-month pair: the
    // 12-month one, 9->1, runs to 2026-04-10); R5 has no equal pair; R21's 12-month after window has not ended.
    // Differences +2, 0, -3, -4, 0, 0: sum -5, squares 29; sd sqrt((29 - 25 / 6) / 5) = 2.2286; mean use before
    // 32 / 6 = 5.333: change (27 - 32) / 32 = -15.625% -> -15.6; sd 2.2286 / 5.333 = 41.79% of it, t(5) 2.571 x
    // 41.79 / sqrt(6) = 43.86: -15.625 -+ 43.86 = -59.5% to 28.2%.
    expect(system('gp_appointment')).toMatchObject({
      people: 6,
      before_total: 32,
      after_total: 27,
      change_pct: -15.6,
      change_pct_ci_low: -59.5,
      change_pct_ci_high: 28.2,
      expected_change_pct: -14,
    });
  });

  it('GP by band of use before: light users rise, heavy users fall', () => {
    expect(system('gp_appointment', '0-3')).toMatchObject({
      people: 2,
      before_total: 5,
      after_total: 7,
      change_pct: 40,
    });
    // R6 5 -> 5 and R7 4 -> 4 (on its 12-month pair it would be 7+, 9 -> 1)
    expect(system('gp_appointment', '4-6')).toMatchObject({
      people: 2,
      before_total: 9,
      after_total: 9,
      change_pct: 0,
    });
    expect(system('gp_appointment', '7+')).toMatchObject({
      people: 2,
      before_total: 18,
      after_total: 11,
      change_pct: -38.9,
    });
  });

  it("A&E is published; outpatients not: R3's only pair is of 12 months, running to 2026-04-10", () => {
    expect(system('ae_attendance')).toMatchObject({
      people: 1,
      before_total: 1,
      after_total: 0,
      change_pct: -100,
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
    // U00203's 6 people are England's (exact), so its region's and ICB's `*` would be 6 (the disclosure audit):
    // nothing below England can hide that, and the year's rows below England for GP appointments are left out.
    expect(
      docs
        .get('cof_system')
        ?.rows.filter((r) => r.level !== 'national' && r.period === '2025/26' && r.service === 'gp_appointment'),
    ).toEqual([]);
    expect(
      row('cof_system', 'national', 'ENG', '2025/26', { service: 'gp_appointment', baseline_band: 'all' }),
    ).toMatchObject({
      change_pct_ci_low: expect.any(Number),
    });
  });
});

describe('part years and PCNs open part of the year', () => {
  it('England: 9 months so far (June, with no events, still a month), rates annualised x 12 / 9', () => {
    // list: (12,000 x 9 months + 24,000 x 2 months) / 9 = 17,333.3; 27 / 17,333.3 = 0.156% so far, 0.208% a year
    expect(row('rollout', 'national', 'ENG', '2025/26')).toMatchObject({
      referrals: 27,
      people_referred: 27,
      months: 9,
      pct_list_referred: 0.16,
      pct_list_referred_annualised: 0.21,
      referrals_per_1000: 1.6,
      referrals_per_1000_annualised: 2.1,
    });
    expect(row('rollout', 'national', 'ENG', '2025-06')).toMatchObject({ referrals: 0, pcns: 1, list_size: 12_000 });
  });

  it('a PCN open all year and one that closed in May: each over the months it was open', () => {
    // U00203: 25 people / 12,000 = 0.2083% in 9 months, 0.2778% a year
    expect(row('rollout', 'pcn', 'U00203', '2025/26')).toMatchObject({
      months: 9,
      list_size: 12_000,
      pct_list_referred: 0.21,
      pct_list_referred_annualised: 0.28,
    });
    expect(row('rollout', 'pcn', 'U00070', '2025/26')).toMatchObject({ months: 2, list_size: 24_000, referrals: '*' });
    // funnel denominators pro rata to the months open: 24,000 x 2 / 9 months = 5,333
    expect(row('pcn_comparison', 'pcn', 'U00070', '2025/26')).toMatchObject({
      list_size: 24_000,
      months_open: 2,
      exposure: 5_333,
    });
    expect(row('pcn_comparison', 'pcn', 'U00203', '2025/26')).toMatchObject({
      list_size: 12_000,
      months_open: 9,
      exposure: 12_000,
    });
  });

  it('months missing count only months a PCN was open', () => {
    // U00203: open April to December, no events in June. U00070: open April and May, sent April only.
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
    expect(row('workforce', 'national', 'ENG', '2025-12')).toMatchObject({
      splw_headcount: 2,
      splw_fte: 1.5,
      splw_accredited: 1,
    });
  });

  it('no caseload where a PCN that referred people sent no snapshot (review 6, K7)', () => {
    // 27 people referred in 9 months, 2 of them by U00070 (April), which sent no snapshot: 27 / 1.5 FTE = 18 so far
    // (24 a year) counted U00070's people against U00203's link workers. FTE per 10,000 in December is over U00203's
    // list alone, the only PCN reporting: 1.5 / 12,000 x 10,000 = 1.25.
    expect(row('workforce', 'national', 'ENG', '2025/26')).toMatchObject({
      people_referred: 27,
      splw_fte: 1.5,
      referral_months: 9,
      pcns_referring_without_snapshot: 1,
      caseload: null,
      caseload_annualised: null,
    });
    expect(row('workforce', 'national', 'ENG', '2025-12')).toMatchObject({
      pcns_reporting: 1,
      list_size_reporting: 12_000,
      splw_fte_per_10000: 1.25,
    });
  });
});

describe('comparing PCNs: take-up is engagement on the engagement cohort, as on the outcomes page', () => {
  it('U00203: engaged of referrals at least 3 months old, wellbeing of the outcome cohort', () => {
    // 25 referrals; engagement cohort R1-R20 = 20; engaged R1-R8 and R11-R15 = 13, which the outcomes page
    // (cof_person) suppresses: it is England's whole figure, and shown here as 15 beside England's exact 13 it would
    // say 13 again (review, finding 2). The same count, so the same cell: *, and no take-up. Connected R1-R5, R11-R12
    // = 7 -> *. Wellbeing: the outcome cohort R1-R10 has 6 people measured (R1-R6), 5 improved: both * below
    // England, so no wellbeing rate.
    expect(row('pcn_comparison', 'pcn', 'U00203', '2025/26')).toMatchObject({
      referrals: 25,
      engagement_cohort: 20,
      engaged: '*',
      connected: '*',
      wellbeing_measured: '*',
      wellbeing_improved: '*',
      take_up_pct: '*',
      wellbeing_improved_pct: '*',
    });
    const published = row('cof_person', 'pcn', 'U00203', '2025/26');
    for (const count of ['engagement_cohort', 'engaged', 'connected', 'wellbeing_measured', 'wellbeing_improved'])
      expect(row('pcn_comparison', 'pcn', 'U00203', '2025/26')[count], count).toBe(published[count]);
    expect(row('pcn_comparison', 'pcn', 'U00203', '2025/26').referrals).toBe(
      row('rollout', 'pcn', 'U00203', '2025/26').referrals,
    );
    // England's comparator would be England's exact figure, 13 engaged of 22 (R1-R20, and S1-S2 with no contact),
    // but with no PCN's take-up published there is nothing to compare it with: no comparator.
    const rates = docs.get('pcn_comparison')?.summary?.funnel_rates as Record<
      string,
      Record<string, { national: number | null }>
    >;
    expect(rates['2025/26']?.take_up_pct?.national).toBeNull();
    expect(docs.get('pcn_comparison')?.summary?.cohorts).toEqual(docs.get('cof_person')?.summary?.cohorts);
  });

  it('U00070, closed in May: its 2 referrals are an engagement cohort too small to publish, so it is not placed', () => {
    // S1-S2: engagement cohort 2 -> *, engaged 0, which the outcomes page suppresses (beside U00203's suppressed 13
    // and England's exact 13 it would say U00203's): the same cell here, *, and so take-up *.
    expect(row('cof_person', 'pcn', 'U00070', '2025/26')).toMatchObject({ engagement_cohort: '*', engaged: '*' });
    expect(row('pcn_comparison', 'pcn', 'U00070', '2025/26')).toMatchObject({
      engagement_cohort: '*',
      engaged: '*',
      take_up_pct: '*',
      take_up_pct_vs_national: null,
    });
  });
});

describe('equity: people, and access by the deprivation of the PCN', () => {
  it('no access rates by PCN IMD 2019 quintile: each quintile here is one PCN, whose figures they would be', () => {
    // U00203 is in IMD decile 2 among PCNs (quintile 1), U00070 in decile 10 (quintile 5): NHS Digital PCN IMD 2019.
    // A quintile is published for England or the regions only where each of its cells holds 3 or more PCNs; here
    // England's quintile 1 would be U00203's 25 people, exactly. The rates are worked in equity-quintiles.test.ts.
    expect(docs.get('equity')?.rows.filter((r) => r.dimension === 'pcn_imd_quintile')).toEqual([]);
  });

  it('by person: distinct people, engagement on the engagement cohort', () => {
    expect(row('equity', 'national', 'ENG', '2025/26', { dimension: 'sex', group: 'female' })).toMatchObject({
      people_referred: 27,
      engagement_cohort: 22,
      engaged: 13,
      engaged_pct: 59.1,
      wellbeing_people: 6,
      wellbeing_improved: 5,
    });
  });
});

describe('projection of people referred against the 900,000 a year', () => {
  it('complete months only, an interval, and "on track" only when the interval clears the target', () => {
    // Complete months: April (2 of 2 PCNs sent events), July to December (1 of 1); May (1 of 2) and June (0 of 1) are
    // incomplete. People in complete months: 12, 0, 10, 0, 0, 5, 0, each a rate on the list of the PCNs onboarded that
    // month (review 8, N7): April 12 / 36 (thousand: both PCNs) = 0.3333, July-December on U00203's 12: 0, 0.8333, 0,
    // 0, 0.4167, 0: mean 1.5833 / 7 = 0.22619, sd sqrt(0.621032 / 6) = 0.32172. No previous year, so a flat profile.
    // Unknown months: May, June, January to March (5), at December's list (12): projection 27 + 5 x 12 x 0.22619 =
    // 40.57; interval half-width t(6) 2.446912 x 0.32172 x 12 x sqrt(5 + 25 / 7) = 27.66: 12.9 (below the 27 already
    // referred, so 27) to 68.2. (Raw people, before: 27 + 5 x 3.857 = 46 to 84, April's two PCNs read as the pace.)
    expect(docs.get('rollout')?.summary?.target_progress).toEqual([
      {
        fy: '2025/26',
        measure: 'people referred',
        people_referred_to_date: 27,
        referrals_to_date: 27,
        target: 900_000,
        share_of_target_pct: 0,
        months_elapsed: 9,
        complete_months: ['2025-04', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12'],
        profile: 'flat',
        projection_to_year_end: 41,
        projection_low: 27,
        projection_high: 68,
        on_track: false,
        status: 'below target',
      },
    ]);
  });
});

describe('no disclosure by arithmetic', () => {
  it('no published figure below England recovers an unrounded count or a suppressed cell', () => {
    expect(golden.disclosureFindings()).toEqual([]);
  });
});
