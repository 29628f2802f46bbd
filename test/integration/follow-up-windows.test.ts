import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import { tempDir } from '../support/files.ts';
import { type GoldenEvent, publishGolden, referralEvent, rowFinder, writeEventFiles } from '../support/golden.ts';

/*
 * Outcomes are counted within a fixed follow-up window from the referral date, on referrals whose window has closed
 * (review2 F3; docs/methodology.md, "Cohorts"): engaged, connected and plans within 3 months, contacts, wellbeing
 * follow-up and discharge within 6. Two hand-worked programmes run through the whole pipeline (ingest, DuckDB,
 * refreshMetrics), and the published documents are read.
 */
const person = (id: string) => createHash('sha256').update(id).digest('hex');
let serial = 0;
const follow = (pcn: string, id: string, on: string, fields: GoldenEvent): GoldenEvent => ({
  event_id: `F-${++serial}`,
  pcn_code: pcn,
  referral_id: id,
  person_id: person(id),
  occurred_on: on,
  ...fields,
});
const contact = (pcn: string, id: string, on: string) =>
  follow(pcn, id, on, { event_type: 'contact', contact_mode: 'telephone', worker_role: 'splw', duration_minutes: 30 });

async function publish(name: string, reference: string, now: string, uploads: Record<string, GoldenEvent[]>) {
  const dir = tempDir(name);
  const docs = new Map<string, MetricDocument>();
  await publishGolden(`${dir.path}/data`, writeEventFiles(dir.path, uploads), reference, new Date(now), docs);
  return { dir, docs };
}

/*
 * The review's reproduction (review2 F3, spec e1): three PCNs (the review's two, and a third so that every England
 * month is made up by 3 PCNs, as a deployment publishes it: review 8, N5, test/integration/england-few-pcns.test.ts;
 * two are held), 20 referrals a month from 2024-04 to 2025-11 (on the
 * 1st to the 20th), the same process every month: referrals 0-11 get a first link worker contact 10 days after the
 * referral, 12-17 only 125 days after, 18-19 none. Data as of 2025-11-30 (the refresh on 2025-12-05), so the
 * engagement cohort is referrals on or before 2025-08-31 and the outcome cohort on or before 2025-05-31.
 * Worked by hand: 10 days is within 3 months of any referral; 125 days is not (3 calendar months from the 1st to the
 * 20th of a month are at most 92 days: 1 May + 3 months = 1 August, 92 days), but is within 6 (at least 181 days).
 *   Engaged, every month of England: 3 PCNs x 12 = 36 of 3 x 20 = 60 referrals = 60%, 2024-04 to 2025-08 alike.
 *   (Counted up to the data-as-of date instead, the old months had 3 x 18 = 54 of 60 = 90% and 2025-08, whose
 *   125-day contacts fall after 2025-11-30, 60%: the review's false special cause.)
 *   SPC of engagement_pct, England: 17 points 2024-04..2025-08, all 60: mean 60, every moving range 0, so the limits
 *   are 60 and 60; no point is beyond a limit (60 > 60 is false) or on either side of the mean, so no rule fires and
 *   the variation is common cause; alerts has no engagement row.
 *   Years: 2024/25 engagement cohort 12 months x 60 = 720, engaged 12 x 36 = 432, 60%; 2025/26 (months 2025-04 to
 *   2025-08 in the cohort) 5 x 60 = 300, engaged 5 x 36 = 180, 60%: equal.
 *   Link worker contacts within 6 months: 18 of every 20 referrals have one (10 or 125 days), so 0.9 per referral:
 *   2024/25 outcome cohort 720, contacts 648 (0.9); 2025/26 cohort 2025-04..2025-05, 120 referrals, 108 contacts (0.9).
 */
const STEADY_REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U00001,Alpha PCN,QAA,NHS Alpha ICB,Y56,London,30000,2019-04-01,
U00002,Bravo PCN,QBB,NHS Bravo ICB,Y58,South West,30000,2019-04-01,
U00003,Charlie PCN,QCC,NHS Charlie ICB,Y59,South East,30000,2019-04-01,
`;

function steady(pcn: string): GoldenEvent[] {
  const rows: GoldenEvent[] = [];
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  for (let m = 0; m < 20; m++) {
    const year = 2024 + Math.floor((3 + m) / 12);
    const month = ((3 + m) % 12) + 1;
    for (let i = 0; i < 20; i++) {
      const id = `${pcn}-${m}-${i}`;
      const day = new Date(Date.UTC(year, month - 1, 1 + i));
      rows.push(referralEvent(pcn, id, iso(day)));
      const lag = i < 12 ? 10 : i < 18 ? 125 : null;
      if (lag === null) continue;
      const on = iso(new Date(day.getTime() + lag * 86_400_000));
      if (on <= '2025-11-30') rows.push(contact(pcn, id, on));
    }
  }
  return rows;
}

describe('a steady service (the review reproduction): the same take-up every month and year', () => {
  let docs: Map<string, MetricDocument>;
  let cleanup: () => void;
  beforeAll(async () => {
    const published = await publish('windows-steady', STEADY_REFERENCE, '2025-12-05T00:00:00Z', {
      'U00001.jsonl': steady('U00001'),
      'U00002.jsonl': steady('U00002'),
      'U00003.jsonl': steady('U00003'),
    });
    docs = published.docs;
    cleanup = () => published.dir.remove();
  }, 300_000);
  afterAll(() => cleanup?.());

  it('gives England 60% engaged in every month charted, with no special cause and no alert', () => {
    const spc = docs
      .get('spc')
      ?.rows.find((r) => r.measure === 'engagement_pct' && r.level === 'national') as MetricRow;
    const months = Array.from({ length: 17 }, (_, k) => {
      const index = 2024 * 12 + 3 + k;
      return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
    });
    expect(spc).toMatchObject({
      points: 17,
      first_month: '2024-04',
      last_month: '2025-08',
      last_value: 60,
      mean: 60,
      upper_limit: 60,
      lower_limit: 60,
      rules: {},
      variation: 'common_cause',
      values: Object.fromEntries(months.map((m) => [m, 60])),
    });
    expect(docs.get('alerts')?.rows.filter((r) => r.measure === 'engagement_pct')).toEqual([]);
  });

  it('gives both years the same take-up and the same contacts per referral', () => {
    const row = rowFinder(docs);
    expect(row('cof_person', 'national', 'ENG', '2024/25')).toMatchObject({
      engagement_cohort: 720,
      engaged: 432,
      engaged_pct: 60,
      outcome_cohort: 720,
      splw_contacts: 648,
      mean_contacts: 0.9,
    });
    expect(row('cof_person', 'national', 'ENG', '2025/26')).toMatchObject({
      engagement_cohort: 300,
      engaged: 180,
      engaged_pct: 60,
      outcome_cohort: 120,
      splw_contacts: 108,
      mean_contacts: 0.9,
    });
  });
});

/*
 * The windows' ends, day by day. U00001 sends the referrals below; U00002 and U00003 send the same programme twice
 * each (their referral ids prefixed b-, c-, d-, e-), so that England is 1 + 2 + 2 = 5 times it and every England month
 * is made up by 3 PCNs, none dominating, with more than 3 counted (a deployment holds fewer: review 8, N5,
 * test/integration/england-few-pcns.test.ts; 3 equal PCNs of 1 each, as February's 1 + 1 + 1 referrals in
 * cof_person, would be held as no more than the number of PCNs). The refresh on 2025-05-05 with events up to 2025-04-30, so the data
 * are as of 2025-04-30: the engagement cohort is referrals on or before 2025-01-31 (3 months before), the outcome
 * cohort on or before 2024-10-31 (6 months). "Within N months" runs from the referral date to the same day N months
 * later, both counted; from 31 January, 3 months later is 30 April (April has no 31st).
 *   W1 2024-10-15 (outcome window to 2025-04-15): link worker contacts 2024-10-20, 2025-04-15 (the last day inside),
 *      2025-04-16 (the day after): 2 contacts; engaged (10-20 is within 3 months). SWEMWBS baseline 20 on 2024-10-20,
 *      follow-ups 22 on 2025-04-15 and 30 on 2025-04-16: the follow-up is 22 (the last inside), change 2, below the
 *      3-point threshold, so measured and not improved (30 would have been +10, improved). Discharged goals_met on
 *      2025-04-15 and disengaged on 2025-04-16: ended goals_met (the latest inside).
 *   W2 2024-11-01: contact 2024-11-05, engaged; its 6-month window ends 2025-05-01, after the data-as-of date, so it
 *      is outside the outcome cohort (and inside the engagement cohort, whose window ended 2025-02-01).
 *   A1 2025-01-31: contact 2025-04-30 (31 January + 3 months = 30 April, the last day inside): engaged.
 *   A2 2025-01-15: contact 2025-04-15 (the last day inside): engaged.
 *   A3 2025-01-15: contact 2025-04-16 (the day after): not engaged.
 *   A4 2025-01-15: contact 2025-01-20, declined 2025-04-16 (after the window): engaged.
 *   A5 2025-01-15: contact 2025-01-20, declined 2025-04-15 (inside the window): not engaged.
 *   A6 2025-01-15: no contact; attended a community activity 2025-04-15 (inside): connected; plan agreed 2025-04-16
 *      (the day after): no plan.
 *   B1 2025-02-01: contact 2025-02-02; its 3-month window ends 2025-05-01, after the data-as-of date: outside the
 *      engagement cohort, counted in no take-up yet, and the summary says so (referrals made by 2025-01-31).
 * England, cof_person (England's counts are published as they are): 5 times the programme's
 *   2024-10: episodes 5, engagement cohort 5, engaged 5, outcome cohort 5, link worker contacts 5 x 2 = 10, wellbeing
 *            measured 5, improved 0, discharged 5 (goals_met 5, disengaged 0).
 *   2024-11: episodes 5, engagement cohort 5, engaged 5, outcome cohort 0.
 *   2025-01: episodes 30, engagement cohort 30, engaged 15 (A1, A2, A4 x 5) = 50%, connected 5 (A6), plans 0.
 *   2025-02: episodes 5, engagement cohort 0, engaged 0.
 *   2024/25: episodes 5 x 9 = 45, engagement cohort 40, engaged 25 (W1, W2, A1, A2, A4 x 5), outcome cohort 5.
 * wellbeing, England 2024-10, SWEMWBS: 5 people, 0 improved, mean baseline 20, follow-up 22, change 2.
 * spc engagement_pct, England: months up to 2025-01 (2025-04 less 3 months), the last 2025-01 at 50.
 */
const WINDOW_REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U00001,Alpha PCN,QAA,NHS Alpha ICB,Y56,London,30000,2019-04-01,
U00002,Bravo PCN,QBB,NHS Bravo ICB,Y58,South West,30000,2019-04-01,
U00003,Charlie PCN,QCC,NHS Charlie ICB,Y59,South East,30000,2019-04-01,
`;

/** The programme above at PCN `p`, its referral ids prefixed `x` (none at U00001: W1, W2, A1 to A6, B1). */
function windows(p: string, x = ''): GoldenEvent[] {
  const wellbeing = (id: string, on: string, phase: string, score: number) =>
    follow(p, id, on, { event_type: 'wellbeing_measure', instrument: 'swemwbs', phase, score });
  const discharge = (id: string, on: string, reason: string) =>
    follow(p, id, on, { event_type: 'discharge', discharge_reason: reason });
  const declined = (id: string, on: string) =>
    follow(p, id, on, { event_type: 'declined', snomed_code: '871711000000103' });
  return [
    referralEvent(p, `${x}W1`, '2024-10-15'),
    contact(p, `${x}W1`, '2024-10-20'),
    contact(p, `${x}W1`, '2025-04-15'),
    contact(p, `${x}W1`, '2025-04-16'),
    wellbeing(`${x}W1`, '2024-10-20', 'baseline', 20),
    wellbeing(`${x}W1`, '2025-04-15', 'follow_up', 22),
    wellbeing(`${x}W1`, '2025-04-16', 'follow_up', 30),
    discharge(`${x}W1`, '2025-04-15', 'goals_met'),
    discharge(`${x}W1`, '2025-04-16', 'disengaged'),
    referralEvent(p, `${x}W2`, '2024-11-01'),
    contact(p, `${x}W2`, '2024-11-05'),
    referralEvent(p, `${x}A1`, '2025-01-31'),
    contact(p, `${x}A1`, '2025-04-30'),
    referralEvent(p, `${x}A2`, '2025-01-15'),
    contact(p, `${x}A2`, '2025-04-15'),
    referralEvent(p, `${x}A3`, '2025-01-15'),
    contact(p, `${x}A3`, '2025-04-16'),
    referralEvent(p, `${x}A4`, '2025-01-15'),
    contact(p, `${x}A4`, '2025-01-20'),
    declined(`${x}A4`, '2025-04-16'),
    referralEvent(p, `${x}A5`, '2025-01-15'),
    contact(p, `${x}A5`, '2025-01-20'),
    declined(`${x}A5`, '2025-04-15'),
    referralEvent(p, `${x}A6`, '2025-01-15'),
    follow(p, `${x}A6`, '2025-04-15', {
      event_type: 'community_connection',
      activity_category: 'arts_culture',
      provider_id: 'VCSE-1',
      attended: true,
    }),
    follow(p, `${x}A6`, '2025-04-16', { event_type: 'plan_agreed', worker_role: 'splw' }),
    referralEvent(p, `${x}B1`, '2025-02-01'),
    contact(p, `${x}B1`, '2025-02-02'),
  ];
}

describe('the follow-up windows, day by day (worked by hand above)', () => {
  let docs: Map<string, MetricDocument>;
  let cleanup: () => void;
  beforeAll(async () => {
    const published = await publish('windows-days', WINDOW_REFERENCE, '2025-05-05T00:00:00Z', {
      'U00001.jsonl': windows('U00001'),
      'U00002.jsonl': [...windows('U00002', 'b-'), ...windows('U00002', 'c-')],
      'U00003.jsonl': [...windows('U00003', 'd-'), ...windows('U00003', 'e-')],
    });
    docs = published.docs;
    cleanup = () => published.dir.remove();
  }, 300_000);
  afterAll(() => cleanup?.());

  it('counts a contact on the last day inside the engagement window, and not one the day after', () => {
    const row = rowFinder(docs);
    expect(docs.get('cof_person')?.data_as_of).toBe('2025-04-30');
    expect(row('cof_person', 'national', 'ENG', '2025-01')).toMatchObject({
      episodes: 30,
      engagement_cohort: 30,
      engaged: 15,
      engaged_pct: 50,
      connected: 5,
      plans_agreed: 0,
      outcome_cohort: 0,
    });
    expect(row('cof_person', 'national', 'ENG', '2024-11')).toMatchObject({
      episodes: 5,
      engagement_cohort: 5,
      engaged: 5,
      outcome_cohort: 0,
    });
  });

  it('counts contacts, the wellbeing follow-up and the discharge up to the last day of the 6-month window only', () => {
    const row = rowFinder(docs);
    expect(row('cof_person', 'national', 'ENG', '2024-10')).toMatchObject({
      episodes: 5,
      engagement_cohort: 5,
      engaged: 5,
      outcome_cohort: 5,
      splw_contacts: 10,
      wellbeing_measured: 5,
      wellbeing_improved: 0,
      discharged: 5,
      discharge_goals_met: 5,
      discharge_disengaged: 0,
    });
    expect(row('wellbeing', 'national', 'ENG', '2024-10', { instrument: 'swemwbs' })).toMatchObject({
      people: 5,
      improved: 0,
      mean_baseline: 20,
      mean_follow_up: 22,
      mean_change: 2,
    });
  });

  it('leaves a referral whose window has not closed out of the cohort, and says which referrals are covered', () => {
    const row = rowFinder(docs);
    expect(row('cof_person', 'national', 'ENG', '2025-02')).toMatchObject({
      episodes: 5,
      engagement_cohort: 0,
      engaged: 0,
    });
    expect(row('cof_person', 'national', 'ENG', '2024/25')).toMatchObject({
      episodes: 45,
      engagement_cohort: 40,
      engaged: 25,
      outcome_cohort: 5,
    });
    const person = docs.get('cof_person');
    expect(person?.summary?.cohorts).toEqual({
      engagement: { months: 3, referred_on_or_before: '2025-01-31' },
      outcomes: { months: 6, referred_on_or_before: '2024-10-31' },
    });
    expect(person?.definitions.engaged).toContain('within 3 months of the referral');
    expect(person?.definitions.splw_contacts).toContain('within 6 months of the referral');
    expect(person?.definitions.engagement_cohort).toContain('follow-up window has closed');
    const spc = docs
      .get('spc')
      ?.rows.find((r) => r.measure === 'engagement_pct' && r.level === 'national') as MetricRow;
    expect(spc).toMatchObject({ last_month: '2025-01', last_value: 50 });
  });
});
