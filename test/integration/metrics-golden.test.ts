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
 *
 * The correction and the retraction are uploaded before the rows they change: the rule must not depend on order.
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
  ],
  '5-u10002-2025-04.csv': range(20).map((i) =>
    referral('U10002', `B${i}`, i === 2 ? 'B-person-1' : `B-person-${i}`, '2025-04-07'),
  ),
  '6-u10003-2025-03.csv': range(4).map((i) => referral('U10003', `C${i}`, `C-person-${i}`, '2025-03-31')),
  '7-u10003-2025-04.csv': range(5).map((i) => referral('U10003', `C${i + 4}`, `C-person-${i + 4}`, '2025-04-01')),
  '8-u10004-2025-04.csv': u10004(),
};

const WORKFORCE_HEADER = 'pcn_code,snapshot_month,role,headcount,fte,accredited_training_headcount,vacancies_fte';
const WORKFORCE = {
  '9-u10001-workforce.csv': `${WORKFORCE_HEADER}\nU10001,2025-04,splw,2,1.5,1,0.5\n`,
  '9-u10004-workforce.csv': `${WORKFORCE_HEADER}\nU10004,2025-04,splw,3,3,3,0\n`,
};

const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U10001,Alpha PCN,QWE,NHS South West London ICB,Y56,London,10000,2019-04-01,
U10002,Bravo PCN,QKK,NHS South East London ICB,Y56,London,20000,2019-04-01,
U10003,Charlie PCN,QWE,NHS South West London ICB,Y56,London,5000,2019-04-01,2025-03-31
U10003,Charlie PCN,QKK,NHS South East London ICB,Y56,London,5000,2025-04-01,
U10004,Delta PCN,QSL,NHS Somerset ICB,Y58,South West,40000,2019-04-01,
`;

const golden = goldenProgramme('golden', {
  uploads: UPLOADS,
  otherFiles: WORKFORCE,
  reference: REFERENCE,
  // The clock of the one refresh.
  now: new Date('2026-11-01T00:00:00Z'),
  // England's figures here are of 2 to 4 PCNs (the hand-worked arithmetic of each measure), so every England period
  // is one that a deployment holds (fewer than 3 PCNs, or one dominating: review 8, N5,
  // test/integration/england-few-pcns.test.ts): published here to test the arithmetic.
  englandPeriodsOfFewPcns: 'published',
});
const { docs, row } = golden;

describe('rollout, worked out by hand', () => {
  it('England is published exactly, with corrections and retractions applied', () => {
    // FY 2024/25: U10001 3 + U10003 4. FY 2025/26: U10001 8 (9 - retracted) + U10002 20 + U10003 5 + U10004 40 = 73
    // A PCN's list counts from its first month with events (review 6, K8): in 2024/25 (March 2025 only) U10001
    // (10,000) and U10003 (5,000) had sent events, U10002 and U10004 nothing yet: 15,000 (75,000 with all 4 lists),
    // of 4 PCNs open.
    expect(row('rollout', 'national', 'ENG', '2024/25')).toMatchObject({
      referrals: 7,
      people_referred: 7,
      declines: 0,
      pcns_reporting: 2,
      pcns: 4,
      list_size: 15_000,
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
    // 4 PCNs open sent it. March, the first month, was sent by 2 of the 4 open, but by both PCNs uploading by then, so
    // it is complete too (of all PCNs open it would have been short). 2024/25 has ended, so its total is its own;
    // 2025/26 has one complete month, too few to project from.
    expect(docs.get('rollout')?.summary?.target_progress).toEqual([
      {
        fy: '2024/25',
        measure: 'people referred',
        people_referred_to_date: 7,
        referrals_to_date: 7,
        target: 900_000,
        share_of_target_pct: 0,
        months_elapsed: 12,
        complete_months: ['2025-03'],
        profile: 'flat',
        projection_to_year_end: 7,
        projection_low: 7,
        projection_high: 7,
        on_track: false,
        status: 'year complete',
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
      },
    ]);
  });

  it('a PCN that has sent nothing yet is no 0 on the funnels: not placed, its list in no denominator (review 6, K8)', () => {
    // 2024/25 (March 2025 only): U10001 and U10003 had sent events; U10002 and U10004 were open but had sent nothing.
    // On main before the fix all four had a row, U10002 and U10004 at 0 referrals on their whole lists.
    const compared = (period: string) =>
      docs
        .get('pcn_comparison')
        ?.rows.filter((r) => r.period === period)
        .map((r) => r.code)
        .sort();
    expect(compared('2024/25')).toEqual(['U10001', 'U10003']);
    expect(compared('2025/26')).toEqual(['U10001', 'U10002', 'U10003', 'U10004']);
  });

  it('regions and ICBs are rounded to 5 with 1-7 suppressed, and the moving PCN counts where it was on the day', () => {
    // 2024/25 (March 2025): only U10001 and U10003 had onboarded, both in Y56, so no row below England is published
    // for the year (docs/methodology.md, K8: it would be England's exact 7). Until review 7's M11 U10004's region Y58
    // was published with referrals 0 (U10004 had sent nothing), which let Y56's `*` be read as England's 7 less 0.
    const belowEngland = (docs.get('rollout')?.rows ?? []).filter((r) => r.level !== 'national');
    expect(belowEngland.filter((r) => r.period === '2024/25' || r.period === '2025-03')).toEqual([]);
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
    expect(row('cof_community', 'national', 'ENG', '2025/26')).toMatchObject({
      connections: 30,
      attended: 30,
      providers: 3,
      activity_arts_culture: 30,
      attended_arts_culture: 30,
      attendance_pct: 100,
    });
    // England's 30 connections are all U10004's (Y56 has none: no row), so England's exact 30 is Y58's, its only
    // ICB QSL's and U10004's whatever they show: a `*` there protects nothing (England = Y58 alone gives 30), and
    // nothing else below England is left to suppress, so the rows below England of the year and of April are
    // withheld (docs/methodology.md, each equation alone); England's rows stand.
    for (const period of ['2025/26', '2025-04'])
      expect(
        docs
          .get('cof_community')
          ?.rows.filter((r) => r.period === period)
          .map((r) => r.level),
      ).toEqual(['national']);
    // And the document says so, for a reader to tell them from no data (review 7, M8): the periods and the levels
    // left out (Y58, QSL and U10004's rows), never how many rows.
    expect(docs.get('cof_community')?.summary?.withheld_below_england).toEqual({
      reason: WITHHELD_REASON,
      withheld: [
        { period_type: 'fy', period: '2025/26', levels: ['region', 'icb', 'pcn'] },
        { period_type: 'month', period: '2025-04', levels: ['region', 'icb', 'pcn'] },
      ],
    });
  });

  it('workforce: FTE per 10,000 and caseload over the PCNs that sent a snapshot (review 6, K7)', () => {
    // April 2025: U10001 (10,000 patients) 1.5 FTE and U10004 (40,000) 3 FTE sent snapshots; U10002 (20,000) and
    // U10003 (5,000) sent none. 4.5 FTE over the 50,000 patients of the two = 0.9 per 10,000 (over all 75,000 it read
    // 0.6). 2 of the 4 PCNs reporting.
    expect(row('workforce', 'national', 'ENG', '2025-04')).toMatchObject({
      splw_headcount: 5,
      splw_fte: 4.5,
      splw_accredited: 4,
      pcns_reporting: 2,
      pcns: 4,
      list_size: 75_000,
      list_size_reporting: 50_000,
      splw_fte_per_10000: 0.9,
      splw_accredited_pct: 80,
    });
    // FY 2025/26: 72 people referred (U10001 8, U10002 19, U10003 5, U10004 40). U10002's and U10003's 24 are in no
    // FTE: 72 / 4.5 = 16 a link worker read high (the reporting PCNs' 48 / 4.5 = 10.7). Their people alone would be a
    // new count of a group of PCNs, so no caseload is published where a PCN that referred people sent no snapshot.
    expect(row('workforce', 'national', 'ENG', '2025/26')).toMatchObject({
      people_referred: 72,
      pcns_referring_without_snapshot: 2,
      caseload: null,
      caseload_annualised: null,
    });
  });

  it('data quality counts every upload', () => {
    expect(row('data_quality', 'pcn', 'U10001', 'all')).toMatchObject({
      uploads: 5,
      files_rejected: 0,
      // 1 + 1 + 3 + 11 + 1 = 17, published rounded up to a multiple of 5 (data_quality.sql).
      rows_accepted: 20,
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
