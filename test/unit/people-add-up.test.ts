import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthsOfFinancialYear } from '../../functions/contract/periods.ts';
import { loadSql } from '../../functions/lib/query-engine.ts';

/*
 * rollout, wellbeing, equity and workforce count each person once per PCN and add those counts up for every area, because a
 * person_id is a keyed hash under its PCN's own key and never belongs to two PCNs. The exception they handle apart:
 * a PCN that moves ICB during a year, with one person referred on both sides of the move. Worked out by hand:
 *
 *   PCN U00001 is in ICB QAA until June 2025 and in ICB QBB from July 2025; PCN U00002 is in ICB QBB; both in region
 *   Y56. Person A (U00001, female) is referred in May (ICB QAA) and again in August (ICB QBB); person B (U00001,
 *   male) in August; person C (U00002, female) in May. SWEMWBS pairs: A's May referral improves (20 to 25), A's
 *   August referral does not (20 to 21), B improves (20 to 24). U00001, U00002 and U00003 (in QBB, sending nothing
 *   any figure counts, from October) are in the most deprived PCN quintile (1). Person D (U00002, female) is referred in June aged 45-54 and again in
 *   September aged 55-64: her referrals disagree on age band, so she is in both bands (and once in her sex);
 *   SWEMWBS: her June referral improves (20 to 25), her September one does not (20 to 20).
 *
 * FY 2025/26, people referred: U00001 2 (A, B), U00002 2 (C, D), QAA 1 (A), QBB 4 (A, B, C, D), Y56 4 and England 4
 * (adding the ICBs' 1 + 4 would count A twice). Measured on SWEMWBS: U00001 2 (A, B; both improved), U00002 1 (D,
 * improved), QAA 1 (A, improved), QBB 3 (A not improved there, B and D improved), Y56 and England 3 people, 3 improved.
 * By age band: 45-54 U00001 2 (A, B), U00002 2 (C, D), QBB 4, England 4; 55-64 U00002, QBB and England 1 (D),
 * measured 1, not improved (D's September referral).
 */
const COLUMNS = `event_id VARCHAR, event_type VARCHAR, pcn_code VARCHAR, referral_id VARCHAR, person_id VARCHAR,
  occurred_on DATE, referral_source VARCHAR, referral_reasons VARCHAR, snomed_code VARCHAR, age_band VARCHAR,
  sex VARCHAR, ethnicity_group VARCHAR, imd_decile INTEGER, decline_reason VARCHAR, worker_role VARCHAR,
  activity_category VARCHAR, provider_id VARCHAR, attended BOOLEAN, instrument VARCHAR, phase VARCHAR, score DOUBLE,
  service VARCHAR, service_window VARCHAR, window_months INTEGER, service_count INTEGER, discharge_reason VARCHAR,
  icb_code VARCHAR, region_code VARCHAR, month VARCHAR, fy VARCHAR`;

const icbOf = (pcn: string, month: string) => (pcn === 'U00001' && month < '2025-07' ? 'QAA' : 'QBB');

function referral(id: string, pcn: string, person: string, on: string, sex: string, age = '45-54'): string {
  const month = on.slice(0, 7);
  return `('E-${id}', 'referral', '${pcn}', '${id}', '${person}', DATE '${on}', 'gp', 'mental_health',
    '871731000000106', '${age}', '${sex}', 'white', 3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    NULL, NULL, NULL, '${icbOf(pcn, month)}', 'Y56', '${month}', '2025/26')`;
}

function score(id: string, pcn: string, person: string, referredOn: string, phase: string, value: number): string {
  const on = phase === 'baseline' ? referredOn : '2025-10-01';
  const month = on.slice(0, 7);
  return `('W-${id}-${phase}', 'wellbeing_measure', '${pcn}', '${id}', '${person}', DATE '${on}', NULL, NULL, NULL,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'swemwbs', '${phase}', ${value}, NULL, NULL, NULL, NULL,
    NULL, '${icbOf(pcn, month)}', 'Y56', '${month}', '2025/26')`;
}

const EVENTS = [
  referral('A1', 'U00001', 'pA', '2025-05-10', 'female'),
  referral('A2', 'U00001', 'pA', '2025-08-10', 'female'),
  referral('B1', 'U00001', 'pB', '2025-08-12', 'male'),
  referral('C1', 'U00002', 'pC', '2025-05-20', 'female'),
  referral('D1', 'U00002', 'pD', '2025-06-01', 'female'),
  referral('D2', 'U00002', 'pD', '2025-09-01', 'female', '55-64'),
  score('A1', 'U00001', 'pA', '2025-05-10', 'baseline', 20),
  score('A1', 'U00001', 'pA', '2025-05-10', 'follow_up', 25),
  score('A2', 'U00001', 'pA', '2025-08-10', 'baseline', 20),
  score('A2', 'U00001', 'pA', '2025-08-10', 'follow_up', 21),
  score('B1', 'U00001', 'pB', '2025-08-12', 'baseline', 20),
  score('B1', 'U00001', 'pB', '2025-08-12', 'follow_up', 24),
  score('D1', 'U00002', 'pD', '2025-06-01', 'baseline', 20),
  score('D1', 'U00002', 'pD', '2025-06-01', 'follow_up', 25),
  score('D2', 'U00002', 'pD', '2025-09-01', 'baseline', 20),
  score('D2', 'U00002', 'pD', '2025-09-01', 'follow_up', 20),
];

// The whole year: U00001 and U00002 send events (that no figure here counts) to March 2026, so every referral's
// 6-month window ends by their end of observation (episodes.sql, review 26 R26-1) and is in the cohorts.
const MONTHS = monthsOfFinancialYear('2025/26');
const PCN_MONTHS = MONTHS.flatMap((m) =>
  ['U00001', 'U00002', 'U00003'].map((p) => `('${p}', '${icbOf(p, m)}', 'Y56', '${m}', '2025/26', 10000)`),
);

let instance: DuckDBInstance;
const results = new Map<string, Record<string, unknown>[]>();
let moved: unknown[][] = [];

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const run = (sql: string) => connection.run(sql);
  await run(`CREATE TABLE events_in_force (${COLUMNS})`);
  await run(`INSERT INTO events_in_force VALUES ${EVENTS.join(', ')}`);
  // event_months and wellbeing_pairs read the committed rows themselves, less the withdrawn ones (none here).
  await run(`CREATE VIEW committed_events AS
    SELECT *, month AS event_month, 'upload-1' AS upload_id, row_number() OVER () AS source_row,
      CAST(NULL AS TIMESTAMP) AS recorded_at FROM events_in_force`);
  // onboarded.sql groups the events table by upload (the committed uploads' groups read): every row here is one.
  await run('CREATE VIEW events AS SELECT * FROM committed_events');
  await run('CREATE TABLE withdrawn (upload_id VARCHAR, source_row INTEGER, event_type VARCHAR)');
  await run(`CREATE TABLE pcn_months (pcn_code VARCHAR, icb_code VARCHAR, region_code VARCHAR, month VARCHAR,
    fy VARCHAR, list_size BIGINT)`);
  await run(`INSERT INTO pcn_months VALUES ${PCN_MONTHS.join(', ')}`);
  // Every PCN's extract received after the last month (onboarded.sql: its reporting span runs to the last month).
  // (An upload of no rows of its own: onboarded.sql reads it as an extract covering every month before it; no event
  // is sent twice, so no upload is a correction.)
  await run(
    'CREATE TABLE candidates (pcn_code VARCHAR, event_id VARCHAR, retracts_event_id VARCHAR, received_at TIMESTAMP, upload_id VARCHAR)',
  );
  await run(`CREATE TABLE committed_uploads AS SELECT DISTINCT 'extract-' || pcn_code AS upload_id, pcn_code, 'events' AS kind, 'accepted' AS status,
    TIMESTAMP '2100-01-01 00:00:00' AS received_at FROM pcn_months`);
  await run(`CREATE TABLE pcn_deprivation AS SELECT * FROM (VALUES ('U00001', 1, 1), ('U00002', 2, 1), ('U00003', 1, 1))
    AS d (pcn_code, imd_decile, imd_quintile)`);
  await run(`CREATE VIEW rollups AS ${loadSql('prepare/rollups')}`);
  // Every month published (the last complete month is the refresh's to decide: data-as-of.ts).
  await run(`CREATE TABLE published_through AS SELECT '9999-12' AS month`);
  // No PCN's extract has stopped (the refresh keeps them as table stopped_pcns, and the months each PCN is expected
  // to send as view sending_pcns over it and onboarded: data-as-of.ts; rollout reads the view).
  await run('CREATE TABLE stopped_pcns (pcn_code VARCHAR, last_month VARCHAR)');
  for (const table of [
    'event_months',
    'onboarded',
    'populations',
    'moved_pcns',
    'unreported_months',
    'episodes',
    'repeated_people',
    'wellbeing_pairs',
  ]) {
    await run(`CREATE TABLE ${table} AS ${loadSql(`prepare/${table}`)}`);
    // U00003 sends its first events in October, none of which any figure here counts: onboarded, so it is one of its
    // quintile's PCNs (a quintile counts the PCNs onboarded: equity.sql).
    if (table === 'event_months')
      await run(`INSERT INTO event_months VALUES ('U00003', '2025-10', DATE '2025-10-01', 1),
        ('U00001', '2026-03', DATE '2026-03-01', 1), ('U00002', '2026-03', DATE '2026-03-01', 1)`);
    // pcn_months' months in each PCN's reporting span (as sql/prepare/pcn_months.sql marks them).
    if (table === 'onboarded') {
      await run('ALTER TABLE pcn_months ADD COLUMN reporting BOOLEAN');
      await run(`UPDATE pcn_months SET reporting = COALESCE((SELECT pcn_months.month BETWEEN o.first_month AND o.last_month
        FROM onboarded AS o WHERE o.pcn_code = pcn_months.pcn_code), false)`);
      await run(`CREATE VIEW sending_pcns AS ${loadSql('meta/sending_pcns')}`);
    }
  }
  const query = async (file: string, params: string[]) => {
    const reader = await connection.runAndReadAll(loadSql(`metrics/${file}`), params);
    results.set(
      file,
      reader
        .getRowObjectsJS()
        .map((row) =>
          Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
        ),
    );
  };
  await run(`CREATE TABLE workforce_in_force AS SELECT * FROM (VALUES
    ('U00001', 'QAA', 'Y56', '2025-05', '2025/26', 'splw', 1, 1.0, 1, 0.0),
    ('U00001', 'QBB', 'Y56', '2025-08', '2025/26', 'splw', 1, 1.0, 1, 0.0),
    ('U00002', 'QBB', 'Y56', '2025-05', '2025/26', 'splw', 1, 1.0, 1, 0.0))
    AS w (pcn_code, icb_code, region_code, month, fy, role, headcount, fte, accredited_training_headcount, vacancies_fte)`);
  // Workforce's FTE per 10,000 is over the lists of the PCNs that sent a snapshot, from the reference data.
  await run(`CREATE TABLE pcns AS SELECT DISTINCT pcn_code, list_size, DATE '2019-04-01' AS valid_from,
    CAST(NULL AS DATE) AS valid_to FROM pcn_months`);
  moved = (await connection.runAndReadAll('SELECT * FROM moved_pcns ORDER BY 1, 2, 3')).getRows();
  // The engagement cohort's cut-off: referrals declined are counted on referrals made by it (R31-2).
  await query('rollout', ['2025-12-31']);
  await query('wellbeing', ['2025-12-31']);
  await query('equity', ['2025-12-31', '2025-12-31']);
  await query('workforce', []);
  connection.closeSync();
});
afterAll(() => instance.closeSync());

const pick = (file: string, match: Record<string, unknown>, columns: string[]) =>
  (results.get(file) ?? [])
    .filter((r) => Object.entries(match).every(([k, v]) => r[k] === v))
    .map((r) => [r.level, r.code, ...columns.map((c) => r[c])]);

describe('people add up across PCNs, and a PCN that moved ICB during the year counts each person once', () => {
  it('moved_pcns lists the PCN-year in two ICBs, once, for all three metrics (no month: a month has one ICB)', () => {
    expect(moved).toEqual([['fy', '2025/26', 'U00001']]);
  });

  it('rollout: people referred in the year and in a month', () => {
    expect(pick('rollout', { period: '2025/26' }, ['people_referred', 'referrals'])).toEqual([
      ['icb', 'QAA', 1, 1],
      ['icb', 'QBB', 4, 5],
      ['national', 'ENG', 4, 6],
      ['pcn', 'U00001', 2, 3],
      ['pcn', 'U00002', 2, 3],
      ['pcn', 'U00003', 0, 0],
      ['region', 'Y56', 4, 6],
    ]);
    expect(pick('rollout', { level: 'national', period_type: 'month' }, ['period', 'people_referred'])).toEqual([
      // April: no PCN had sent anything yet (the first referrals are in May): no data, not 0 (review 7, M11).
      ['national', 'ENG', '2025-04', null],
      ['national', 'ENG', '2025-05', 2],
      ['national', 'ENG', '2025-06', 1],
      ['national', 'ENG', '2025-07', 0],
      ['national', 'ENG', '2025-08', 2],
      ['national', 'ENG', '2025-09', 1],
      ['national', 'ENG', '2025-10', 0],
      // U00001 and U00002 send events no figure here counts to March 2026 (their reporting span): 0 people referred
      ['national', 'ENG', '2025-11', 0],
      ['national', 'ENG', '2025-12', 0],
      ['national', 'ENG', '2026-01', 0],
      ['national', 'ENG', '2026-02', 0],
      ['national', 'ENG', '2026-03', 0],
    ]);
  });

  it('workforce: people referred in the year (beside the staff in post)', () => {
    expect(pick('workforce', { period: '2025/26' }, ['people_referred'])).toEqual([
      ['icb', 'QAA', 1],
      ['icb', 'QBB', 4],
      ['national', 'ENG', 4],
      ['pcn', 'U00001', 2],
      ['pcn', 'U00002', 2],
      ['region', 'Y56', 4],
    ]);
  });

  it('wellbeing: people measured and improved in the year', () => {
    expect(pick('wellbeing', { period: '2025/26' }, ['people', 'improved', 'pairs'])).toEqual([
      ['icb', 'QAA', 1, 1, 1],
      ['icb', 'QBB', 3, 2, 4],
      ['national', 'ENG', 3, 3, 5],
      ['pcn', 'U00001', 2, 2, 3],
      ['pcn', 'U00002', 1, 1, 2],
      ['region', 'Y56', 3, 3, 5],
    ]);
  });

  it('equity: people by sex and by the PCN deprivation quintile, referred and measured', () => {
    expect(
      pick('equity', { dimension: 'sex', group: 'female' }, [
        'people_referred',
        'wellbeing_people',
        'wellbeing_improved',
      ]),
    ).toEqual([
      ['icb', 'QAA', 1, 1, 1],
      ['icb', 'QBB', 3, 2, 1],
      ['national', 'ENG', 3, 2, 2],
      ['pcn', 'U00001', 1, 1, 1],
      ['pcn', 'U00002', 2, 1, 1],
      ['region', 'Y56', 3, 2, 2],
    ]);
    // Quintile 1 holds all three PCNs (U00003 referred nobody): A, B, C and D, A once though U00001 moved. Published for
    // England and regions only (no ICB: a quintile cell of an ICB is often one or two PCNs; equity-quintiles.test.ts).
    expect(pick('equity', { dimension: 'pcn_imd_quintile', group: '1' }, ['people_referred'])).toEqual([
      ['national', 'ENG', 4],
      ['region', 'Y56', 4],
    ]);
  });

  it('equity: a person whose referrals in a year disagree on a group is in each of their groups, once', () => {
    const columns = ['people_referred', 'wellbeing_people', 'wellbeing_improved'];
    expect(pick('equity', { dimension: 'age_band', group: '45-54' }, columns)).toEqual([
      ['icb', 'QAA', 1, 1, 1],
      ['icb', 'QBB', 4, 3, 2],
      ['national', 'ENG', 4, 3, 3],
      ['pcn', 'U00001', 2, 2, 2],
      ['pcn', 'U00002', 2, 1, 1],
      ['region', 'Y56', 4, 3, 3],
    ]);
    expect(pick('equity', { dimension: 'age_band', group: '55-64' }, columns)).toEqual([
      ['icb', 'QBB', 1, 1, 0],
      ['national', 'ENG', 1, 1, 0],
      ['pcn', 'U00002', 1, 1, 0],
      ['region', 'Y56', 1, 1, 0],
    ]);
  });
});
