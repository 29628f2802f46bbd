import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WITHHELD_REASON } from '../../functions/refresh/disclosure.ts';
import { type GoldenEvent, referralEvent } from '../support/golden.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * A hand-built programme whose every published figure below is worked out by hand:
 *
 *   PCN     ICB (region)            list    March 2025 (FY 2024/25)   April 2025 (FY 2025/26)
 *   U10001  QWE (Y56 London)      10,000    3 referrals               9 referrals, 1 retracted -> 8; 2 declines;
 *                                                                     one referral corrected from gp to self
 *   U10002  QKK (Y56 London)      20,000    -                         20 referrals of 19 people
 *   U10003  QWE until 2025-03-31,  5,000    4 referrals (in QWE)      5 referrals (in QKK)
 *           then QKK
 *   U10004  QSL (Y58 South West)  40,000    -                         40 referrals (10 self-referred), 5 declines,
 *                                                                     30 took up, 8 contacts each, wellbeing, GP use
 *   U10005  QWE (Y56 London)      10,000    3 referrals               - (closed 2025-03-31)
 *
 * Community connections (attended, arts and culture): U10004 30, U10001 4 (A6-A9), U10002 4 (B3-B6). Workforce
 * snapshots of April 2025: U10001, U10002 and U10004 (U10003 sends none).
 *
 * The correction and the retraction are uploaded before the rows they change: the rule must not depend on order.
 *
 * U10005, U10001's and U10002's connections and U10002's snapshot are there so that every England period is made up
 * by 3 PCNs, none dominating, as a deployment publishes it (review 8, N5: fewer, or one dominating, is held:
 * test/integration/england-few-pcns.test.ts). Each PCN's share of a period is the sum of its counts there:
 * - March 2025 (and 2024/25), rollout's referrals + people: U10001 3 + 3, U10003 4 + 4, U10005 3 + 3: all but the two
 *   largest (6) is at least 10% of the largest (8); total 20 above 3 PCNs.
 * - April 2025, cof_community's connections + recent connections + arts and culture connections (attendance and its
 *   cohort are 0: April is the latest month, its attendance waits a month, R19-12): U10004 3 x 30 = 90, U10001 3 x 4
 *   = 12, U10002 12: all but the two largest, 12, is at least 10% of 90 (9); total 114 above 3.
 * - April 2025, workforce's accredited link workers: U10001 1, U10002 1, U10004 3: 1 >= 0.3, total 5 above 3; its year
 *   (people referred by the PCNs with a snapshot + accredited): U10001 8 + 1, U10002 19 + 1, U10004 40 + 3: 9 >= 4.3.
 */
// Written as CSV with every column of the contract (writeEventFiles): the ones a row does not use are left empty.
type Event = GoldenEvent;
const person = (label: string) => createHash('sha256').update(label).digest('hex');

/** An accepted referral (referralEvent) of the person `who`, from `source`, recorded at 10:00 on the day unless said. */
const referral = (
  pcn: string,
  id: string,
  who: string,
  on: string,
  source = 'gp',
  recorded = `${on}T10:00:00Z`,
): Event => ({
  ...referralEvent(pcn, id, on),
  person_id: person(who),
  recorded_at: recorded,
  referral_source: source,
});
const decline = (pcn: string, id: string, who: string, on: string): Event => ({
  event_id: `E-${id}`,
  event_type: 'declined',
  pcn_code: pcn,
  referral_id: id,
  person_id: person(who),
  occurred_on: on,
  snomed_code: '871711000000103',
});
/** An attended arts and culture connection (provider VCSE-1) on 2025-04-25 for the referral `id` of `who`. */
const connection = (pcn: string, id: string, who: string): Event => ({
  event_id: `CC-${id}`,
  event_type: 'community_connection',
  pcn_code: pcn,
  referral_id: id,
  person_id: person(who),
  occurred_on: '2025-04-25',
  activity_category: 'arts_culture',
  provider_id: 'VCSE-1',
  attended: true,
});
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

function u10004(): Event[] {
  const rows: Event[] = [];
  for (const i of range(40)) {
    const id = `S${i}`;
    const who = `S-person-${i}`;
    const base = { pcn_code: 'U10004', referral_id: id, person_id: person(who) };
    rows.push(referral('U10004', id, who, '2025-04-02', i <= 10 ? 'self' : 'gp'));
    for (const c of range(8))
      rows.push({
        ...base,
        event_id: `C-${id}-${c}`,
        event_type: 'contact',
        occurred_on: '2025-04-20',
        contact_mode: 'telephone',
        worker_role: 'splw',
        duration_minutes: 30,
      });
    if (i <= 30)
      rows.push({
        ...base,
        event_id: `CC-${id}`,
        event_type: 'community_connection',
        occurred_on: '2025-04-25',
        activity_category: 'arts_culture',
        provider_id: `VCSE-${i % 3}`,
        attended: true,
      });
    if (i <= 10) {
      rows.push({
        ...base,
        event_id: `WB-${id}`,
        event_type: 'wellbeing_measure',
        occurred_on: '2025-04-03',
        instrument: 'swemwbs',
        phase: 'baseline',
        score: 20,
      });
      rows.push({
        ...base,
        event_id: `WF-${id}`,
        event_type: 'wellbeing_measure',
        occurred_on: '2025-04-28',
        instrument: 'swemwbs',
        phase: 'follow_up',
        score: 23,
      });
      rows.push({
        ...base,
        event_id: `GB-${id}`,
        event_type: 'service_use',
        occurred_on: '2025-04-02',
        service: 'gp_appointment',
        window: 'before',
        window_months: 6,
        count: 5,
      });
      rows.push({
        ...base,
        event_id: `GA-${id}`,
        event_type: 'service_use',
        occurred_on: '2025-04-29',
        service: 'gp_appointment',
        window: 'after',
        window_months: 6,
        count: 4,
      });
    }
  }
  for (const i of range(5)) rows.push(decline('U10004', `SD${i}`, `S-decliner-${i}`, '2025-04-05'));
  return rows;
}

const UPLOADS: Record<string, Event[]> = {
  // uploaded first: the correction (later recorded_at) and the retraction of rows not yet sent
  '1-u10001-correction.csv': [referral('U10001', 'A5', 'A-person-5', '2025-04-05', 'self', '2025-05-02T09:00:00Z')],
  '2-u10001-retraction.csv': [
    {
      event_id: 'X-A12',
      event_type: 'retraction',
      pcn_code: 'U10001',
      referral_id: 'A12',
      person_id: person('A-person-12'),
      occurred_on: '2025-04-30',
      retracts_event_id: 'E-A12',
    },
  ],
  '3-u10001-2025-03.csv': range(3).map((i) => referral('U10001', `A${i}`, `A-person-${i}`, '2025-03-10')),
  '4-u10001-2025-04.csv': [
    ...range(9).map((i) => referral('U10001', `A${i + 3}`, `A-person-${i + 3}`, '2025-04-05')),
    decline('U10001', 'AD1', 'A-decliner-1', '2025-04-06'),
    decline('U10001', 'AD2', 'A-decliner-2', '2025-04-06'),
    ...range(4).map((i) => connection('U10001', `A${i + 5}`, `A-person-${i + 5}`)),
  ],
  '5-u10002-2025-04.csv': [
    ...range(20).map((i) => referral('U10002', `B${i}`, i === 2 ? 'B-person-1' : `B-person-${i}`, '2025-04-07')),
    ...range(4).map((i) => connection('U10002', `B${i + 2}`, `B-person-${i + 2}`)),
  ],
  '6-u10003-2025-03.csv': range(4).map((i) => referral('U10003', `C${i}`, `C-person-${i}`, '2025-03-31')),
  '7-u10003-2025-04.csv': range(5).map((i) => referral('U10003', `C${i + 4}`, `C-person-${i + 4}`, '2025-04-01')),
  '8-u10004-2025-04.csv': u10004(),
  '8-u10005-2025-03.csv': range(3).map((i) => referral('U10005', `E${i}`, `E-person-${i}`, '2025-03-12')),
};

const WORKFORCE_HEADER = 'pcn_code,snapshot_month,role,headcount,fte,accredited_training_headcount,vacancies_fte';
const WORKFORCE = {
  '9-u10001-workforce.csv': `${WORKFORCE_HEADER}\nU10001,2025-04,splw,2,1.5,1,0.5\n`,
  '9-u10002-workforce.csv': `${WORKFORCE_HEADER}\nU10002,2025-04,splw,1,1,1,0\n`,
  '9-u10004-workforce.csv': `${WORKFORCE_HEADER}\nU10004,2025-04,splw,3,3,3,0\n`,
};

const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U10001,Alpha PCN,QWE,NHS South West London ICB,Y56,London,10000,2019-04-01,
U10002,Bravo PCN,QKK,NHS South East London ICB,Y56,London,20000,2019-04-01,
U10003,Charlie PCN,QWE,NHS South West London ICB,Y56,London,5000,2019-04-01,2025-03-31
U10003,Charlie PCN,QKK,NHS South East London ICB,Y56,London,5000,2025-04-01,
U10004,Delta PCN,QSL,NHS Somerset ICB,Y58,South West,40000,2019-04-01,
U10005,Echo PCN,QWE,NHS South West London ICB,Y56,London,10000,2019-04-01,2025-03-31
`;

const golden = goldenProgramme('golden', {
  uploads: UPLOADS,
  otherFiles: WORKFORCE,
  reference: REFERENCE,
  // The clock of the one refresh.
  now: new Date('2026-11-01T00:00:00Z'),
});
const { docs, row } = golden;

describe('rollout, worked out by hand', () => {
  it('England is published exactly, with corrections and retractions applied', () => {
    // FY 2024/25: U10001 3 + U10003 4 + U10005 3 = 10. FY 2025/26: U10001 8 (9 - retracted) + U10002 20 + U10003 5 +
    // U10004 40 = 73 (U10005 closed on 2025-03-31).
    // A PCN's list counts from its first month with events (review 6, K8): in 2024/25 (March 2025 only) U10001
    // (10,000), U10003 (5,000) and U10005 (10,000) had sent events, U10002 and U10004 nothing yet: 25,000 (85,000 with
    // all 5 lists), of 5 PCNs open.
    expect(row('rollout', 'national', 'ENG', '2024/25')).toMatchObject({
      referrals: 10,
      people_referred: 10,
      declines: 0,
      pcns_reporting: 3,
      pcns: 5,
      list_size: 25_000,
    });
    expect(row('rollout', 'national', 'ENG', '2025/26')).toMatchObject({
      referrals: 73,
      people_referred: 72, // B-person-1 referred twice
      declines: 7,
      pcns_reporting: 4,
      list_size: 75_000,
      decline_rate_pct: 8.8, // 7 / (73 + 7) = 8.75%
      referrals_per_1000: 1, // 73 / 75,000 x 1,000 = 0.97
      pct_list_referred: 0.1, // 72 / 75,000 x 100 = 0.096
    });
    expect(row('rollout', 'national', 'ENG', '2025-04')).toMatchObject({
      referrals: 73,
      people_referred: 72,
      declines: 7,
    });
    // Data as of 2025-04-30, the end of the last complete month: April 2025 has ended (refreshed November 2026) and all
    // 4 PCNs open sent it. March, the first month, was sent by 3 of the 5 open, but by all 3 PCNs uploading by then, so
    // it is complete too (of all PCNs open it would have been short). 2024/25 has ended, so its total is its own;
    // 2025/26 has one complete month, too few to project from.
    expect(docs.get('rollout')?.summary?.target_progress).toEqual([
      {
        fy: '2024/25',
        measure: 'people referred',
        people_referred_to_date: 10,
        referrals_to_date: 10,
        target: 900_000,
        share_of_target_pct: 0,
        months_elapsed: 12,
        complete_months: ['2025-03'],
        profile: 'flat',
        projection_to_year_end: 10,
        projection_low: 10,
        projection_high: 10,
        on_track: false,
        status: 'year complete',
        // An ended year is its own total; its ratio (10 monthly people, March, over 10 people) only reported (R26-5).
        repeats: { ratio: 1, from: 'the year itself', fy: '2024/25', year_so_far: 1, known: true },
        note: 'The year has ended: its people referred are its total.',
      },
      {
        fy: '2025/26',
        measure: 'people referred',
        people_referred_to_date: 72,
        referrals_to_date: 73,
        target: 900_000,
        share_of_target_pct: 0,
        months_elapsed: 1,
        complete_months: ['2025-04'],
        profile: 'flat',
        projection_to_year_end: null,
        projection_low: null,
        projection_high: null,
        on_track: false,
        status: 'too early to tell',
        // 2024/25 has one month (March): no complete year, so the year so far's ratio (72 / 72), repeats not known.
        repeats: { ratio: 1, from: 'year so far', fy: '2025/26', year_so_far: 1, known: false },
        note: 'Fewer than 2 complete months: too early to project.',
      },
    ]);
  });

  it('a PCN that has sent nothing yet is no 0 on the funnels: not placed, its list in no denominator (review 6, K8)', () => {
    // 2024/25 (March 2025 only): U10001, U10003 and U10005 had sent events; U10002 and U10004 were open but had sent
    // nothing.
    // On main before the fix all four had a row, U10002 and U10004 at 0 referrals on their whole lists.
    const compared = (period: string) =>
      docs
        .get('pcn_comparison')
        ?.rows.filter((r) => r.period === period)
        .map((r) => r.code)
        .sort();
    expect(compared('2024/25')).toEqual(['U10001', 'U10003', 'U10005']);
    expect(compared('2025/26')).toEqual(['U10001', 'U10002', 'U10003', 'U10004']);
  });

  it('regions and ICBs are rounded to 5 with 1-7 suppressed, and the moving PCN counts where it was on the day', () => {
    // 2024/25 (March 2025): only U10001, U10003 and U10005 had onboarded, all in Y56 (and in QWE), so no row below
    // England is published for the year (docs/methodology.md, K8: it would be England's exact 10). Until review 7's M11 U10004's region Y58
    // was published with referrals 0 (U10004 had sent nothing), which let Y56's `*` be read as England's 7 less 0.
    const belowEngland = (docs.get('rollout')?.rows ?? []).filter((r) => r.level !== 'national');
    expect(belowEngland.filter((r) => r.period === '2024/25' || r.period === '2025-03')).toEqual([]);
    // England's exact 10 is Y56's and QWE's whatever they show, and their PCNs' 3, 4 and 3 are all `*`: nothing is
    // left to suppress, so the rows are withheld, and the document says so, for a reader to tell them from no data
    // (review 7, M8): the periods and the levels left out, never how many rows.
    expect(docs.get('rollout')?.summary?.withheld_below_england).toEqual({
      reason: WITHHELD_REASON,
      withheld: [
        { period_type: 'fy', period: '2024/25', levels: ['region', 'icb', 'pcn'] },
        { period_type: 'month', period: '2025-03', levels: ['region', 'icb', 'pcn'] },
      ],
    });
    expect(row('rollout', 'region', 'Y56', '2025/26')).toMatchObject({
      referrals: 35,
      people_referred: 30,
      declines: '*',
      decline_rate_pct: '*',
      referrals_per_1000: 1,
    }); // 33, 32, 2; 35 / 35,000
    expect(row('rollout', 'region', 'Y58', '2025/26')).toMatchObject({
      referrals: 40,
      people_referred: 40,
      declines: '*',
    });
    expect(row('rollout', 'icb', 'QWE', '2025/26')).toMatchObject({
      referrals: 10,
      people_referred: 10,
      declines: '*',
      list_size: 10_000,
    }); // 8 -> 10
    expect(row('rollout', 'icb', 'QKK', '2025/26')).toMatchObject({
      referrals: 25,
      people_referred: 25,
      declines: 0,
      list_size: 25_000,
    }); // 20 + 5; 19 + 5 = 24 -> 25
  });

  it('PCNs: suppression, and secondary suppression where an ICB total would reveal a suppressed PCN', () => {
    expect(row('rollout', 'pcn', 'U10001', '2025/26')).toMatchObject({
      referrals: 10,
      people_referred: 10,
      declines: '*',
      referrals_per_1000: 1,
    });
    // QKK = 25 is published; U10003's 5 is suppressed, so U10002 (20) is suppressed too, or 25 - 20 would reveal it.
    expect(row('rollout', 'pcn', 'U10003', '2025/26')).toMatchObject({ referrals: '*', people_referred: '*' });
    expect(row('rollout', 'pcn', 'U10002', '2025/26')).toMatchObject({
      referrals: '*',
      people_referred: '*',
      declines: 0,
      referrals_per_1000: '*',
    });
    expect(row('rollout', 'pcn', 'U10004', '2025/26')).toMatchObject({
      referrals: 40,
      people_referred: 40,
      declines: '*',
      referrals_per_1000: 1,
      // One PCN with referrals: a count of 1 (docs/methodology.md, figures describing the people of a count).
      pcns_reporting: '*',
    });
  });
});

describe('the other catalogue documents, worked out by hand', () => {
  it('referral sources see the correction (gp to self) and keep the sources adding up', () => {
    expect(row('referral_sources', 'national', 'ENG', '2025/26')).toMatchObject({
      referrals: 73,
      source_self: 11,
      source_gp: 62,
      self_referral_pct: 15.1,
      source_types: 2,
    });
    expect(row('referral_sources', 'pcn', 'U10004', '2025/26')).toMatchObject({
      referrals: 40,
      source_self: 10,
      source_gp: 30,
      self_referral_pct: 25,
    });
  });

  it('outcomes for the person are not counted before they can have happened', () => {
    // Data as of 2025-04-30 (the end of April, the last complete month): the engagement cohort is referrals on or
    // before 2025-01-31, the outcome cohort on or before 2024-10-31. Every referral here is from March or April 2025: none is old
    // enough, so U10004's 30 connections and 320 contacts are not yet counted as outcomes.
    expect(docs.get('cof_person')?.summary?.cohorts).toEqual({
      engagement: { months: 3, referred_on_or_before: '2025-01-31' },
      outcomes: { months: 6, referred_on_or_before: '2024-10-31' },
    });
    expect(row('cof_person', 'national', 'ENG', '2025/26')).toMatchObject({
      episodes: 73,
      engagement_cohort: 0,
      engaged: 0,
      connected: 0,
      engaged_pct: null,
      outcome_cohort: 0,
      splw_contacts: 0,
      mean_contacts: null,
      median_contacts: null,
      episodes_6_to_12_contacts: 0,
    });
    expect(row('cof_person', 'pcn', 'U10004', '2025/26')).toMatchObject({
      episodes: 40,
      engagement_cohort: 0,
      engaged_pct: null,
      mean_contacts: null,
    });
    expect(row('cof_person', 'pcn', 'U10003', '2025/26')).toMatchObject({ episodes: '*', engaged_pct: null });
  });

  it('wellbeing and system use wait for their cohorts', () => {
    expect(docs.get('wellbeing')?.rows).toEqual([]);
    // 10 people at U10004, referred in April 2025, 5 GP appointments in the 6 months before and 4 so far in the 6
    // after: those after windows run to October 2025, past the data-as-of date, so no change is published yet.
    expect(docs.get('cof_system')?.data_as_of).toBe('2025-04-30');
    expect(docs.get('cof_system')?.summary?.windows_ended).toContainEqual({
      months: 6,
      referred_on_or_before: '2024-10-31',
    });
    expect(docs.get('cof_system')?.rows).toEqual([]);
  });

  it('community connections and providers', () => {
    // U10004 30 + U10001 4 + U10002 4 = 38 connections, all sent attended, all arts and culture; providers VCSE-0,
    // VCSE-1 and VCSE-2 (U10004's i % 3; U10001's and U10002's are VCSE-1). Every one is of April 2025, the latest
    // month (data as of 30 April): the attendance cohort is the connections made by 31 March 2025, none, so the 38 are
    // recent connections and their attendance waits for the next month's data (R19-12; before it, 38 attended, 100%).
    expect(row('cof_community', 'national', 'ENG', '2025/26')).toMatchObject({
      connections: 38,
      attendance_cohort: 0,
      recent_connections: 38,
      attended: 0,
      providers: 3,
      activity_arts_culture: 38,
      attended_arts_culture: 0,
      attendance_pct: null,
    });
    expect(docs.get('cof_community')?.summary?.attendance_cohort).toEqual({
      months: 1,
      connected_on_or_before: '2025-03-31',
    });
    // Below England, rounded to 5 with 1-7 suppressed: Y56 = U10001 4 + U10002 4 = 8 -> 10, Y58 = QSL = U10004 = 30;
    // QWE (U10001 alone in April: U10003 is in QKK from then, U10005 closed) 4 -> *, QKK (U10002) 4 -> *; U10001 and
    // U10002 4 -> *. Y56's two ICBs are both `*`, so neither is its region less the other. U10003 has no connection:
    // no row. The year and April are the same rows (every connection is of April).
    for (const period of ['2025/26', '2025-04']) {
      const connections = Object.fromEntries(
        (docs.get('cof_community')?.rows ?? [])
          .filter((r) => r.period === period && r.level !== 'national')
          .map((r) => [r.code, r.connections]),
      );
      expect(connections, period).toEqual({
        Y56: 10,
        Y58: 30,
        QWE: '*',
        QKK: '*',
        QSL: 30,
        U10001: '*',
        U10002: '*',
        U10004: 30,
      });
    }
    // Until England's connections needed 3 PCNs (review 8, N5), all 30 were U10004's, so Y58's, QSL's and U10004's
    // rows were England's exact figure and were withheld (that case, in small: test/unit/disclosure-audit-alone.test.ts;
    // rollout's March above). Now England's 38 less Y56's 8, shown as 10 (8 to 12 before rounding), puts Y58 at 26 to
    // 30: no row below England is England's figure alone, and none is withheld.
    expect(docs.get('cof_community')?.summary?.withheld_below_england).toBeUndefined();
  });

  it('workforce: FTE per 10,000 and caseload over the PCNs that sent a snapshot (review 6, K7)', () => {
    // April 2025: U10001 (10,000 patients) 2 link workers, 1.5 FTE, 1 accredited; U10002 (20,000) 1, 1 FTE, 1; U10004
    // (40,000) 3, 3 FTE, 3 sent snapshots; U10003 (5,000) sent none. 2 + 1 + 3 = 6 link workers, 1.5 + 1 + 3 = 5.5 FTE
    // over the 70,000 patients of the three = 0.786 -> 0.79 per 10,000 (over all 75,000 it would read 0.73); 1 + 1 + 3
    // = 5 of 6 accredited, 83.3%. 3 of the 4 PCNs open reporting (U10005 closed in March).
    expect(row('workforce', 'national', 'ENG', '2025-04')).toMatchObject({
      splw_headcount: 6,
      splw_fte: 5.5,
      splw_accredited: 5,
      pcns_reporting: 3,
      pcns: 4,
      list_size: 75_000,
      list_size_reporting: 70_000,
      splw_fte_per_10000: 0.79,
      splw_accredited_pct: 83.3,
    });
    // FY 2025/26: 72 people referred (U10001 8, U10002 19, U10003 5, U10004 40). U10003's 5 are in no FTE: 72 / 5.5 =
    // 13.1 a link worker read high (the reporting PCNs' 67 / 5.5 = 12.2). Its people alone would be a new count of a
    // group of PCNs, so no caseload is published where a PCN that referred people sent no snapshot.
    expect(row('workforce', 'national', 'ENG', '2025/26')).toMatchObject({
      people_referred: 72,
      pcns_referring_without_snapshot: 1,
      caseload: null,
      caseload_annualised: null,
    });
  });

  it('data quality counts every upload', () => {
    expect(row('data_quality', 'pcn', 'U10001', 'all')).toMatchObject({
      uploads: 5,
      files_rejected: 0,
      // 1 + 1 + 3 + 15 (9 referrals, 2 declines, 4 connections) + 1 = 21, published rounded up to a multiple of 5
      // (data_quality.sql).
      rows_accepted: 25,
      rows_rejected: 0,
      first_month: '2025-03',
      months_with_data: 2,
      months_missing: 0,
    });
  });

  it('the meta document lists the geography as it is now and the periods', () => {
    const meta = docs.get('meta') as unknown as {
      months: string[];
      financial_years: string[];
      icbs: { code: string; parent: string }[];
      pcns: { code: string; parent: string }[];
    };
    expect(meta.months).toEqual(['2025-03', '2025-04']);
    expect(meta.financial_years).toEqual(['2024/25', '2025/26']);
    expect(meta.pcns.find((p) => p.code === 'U10003')?.parent).toBe('QKK');
    expect(meta.icbs.map((i) => `${i.code}:${i.parent}`).sort()).toEqual(['QKK:Y56', 'QSL:Y58', 'QWE:Y56']);
  });
});

describe('no disclosure by arithmetic', () => {
  it('no published figure below England recovers an unrounded count or a suppressed cell', () => {
    expect(golden.disclosureFindings()).toEqual([]);
  });
});
