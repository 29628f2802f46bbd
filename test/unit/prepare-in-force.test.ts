import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_TABLE } from '../../functions/contract/index.ts';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { DUCKDB_TYPES } from '../../functions/lib/table-ddl.ts';
import { defineTrinoFunctions } from '../../functions/refresh/duckdb-engine.ts';
import { eventsOfCommitted } from '../support/prepare-sql.ts';

/*
 * event_months and wellbeing_pairs read the committed rows themselves, leaving out what events_in_force leaves out
 * (retraction rows, and the withdrawn rows: superseded versions and retracted events), without the view's join to the
 * geography (issue 17). They must give what the same grouping over events_in_force gives. Worked out by hand:
 *
 *   PCN U00001 (ICB QAA, region Y56). Referral R1 on 2025-04-10 (upload u1). SWEMWBS for R1:
 *   - baseline W1 sent on 2025-04-25, score 20 (u1), then corrected (u2, later recorded_at): 2025-04-10, score 22;
 *   - follow-ups W2 on 2025-05-20, score 30 (u1), retracted by X1 on 2025-06-01 (u3), and W3 on 2025-05-10, 27 (u1).
 *   event_months: April's latest event in force is 2025-04-10 (not the superseded 04-25); May's 2025-05-10 (not the
 *   retracted 05-20); June has only the retraction row, so no row. wellbeing_pairs: baseline 22 (not 20), follow-up
 *   27 (not 30), change 5 >= 3: improved. One contact C1 on 2025-05-02 (u1): the episode R1 has 1 contact, also when
 *   the reference lists the PCN twice in May (episodes read the follow-ups without the geography).
 */
const COLUMNS = [...EVENTS_TABLE.columns.map((c) => `"${c.name}" ${DUCKDB_TYPES[c.type]}`), 'event_month VARCHAR'].join(
  ', ',
);

const ROWS = [
  // upload_id, source_row, received_at, recorded_at, event_id, event_type, occurred_on, snomed_code, instrument, phase,
  // score, retracts_event_id
  `('u1', 2, TIMESTAMP '2025-06-02 09:00:00', NULL, 'E1', 'referral', DATE '2025-04-10', '871731000000106', NULL, NULL, NULL, NULL)`,
  `('u1', 3, TIMESTAMP '2025-06-02 09:00:00', TIMESTAMP '2025-04-25 10:00:00', 'W1', 'wellbeing_measure', DATE '2025-04-25', NULL, 'swemwbs', 'baseline', 20, NULL)`,
  `('u1', 4, TIMESTAMP '2025-06-02 09:00:00', NULL, 'W2', 'wellbeing_measure', DATE '2025-05-20', NULL, 'swemwbs', 'follow_up', 30, NULL)`,
  `('u1', 5, TIMESTAMP '2025-06-02 09:00:00', NULL, 'W3', 'wellbeing_measure', DATE '2025-05-10', NULL, 'swemwbs', 'follow_up', 27, NULL)`,
  `('u2', 2, TIMESTAMP '2025-06-01 09:00:00', TIMESTAMP '2025-05-30 10:00:00', 'W1', 'wellbeing_measure', DATE '2025-04-10', NULL, 'swemwbs', 'baseline', 22, NULL)`,
  `('u3', 2, TIMESTAMP '2025-06-03 09:00:00', NULL, 'X1', 'retraction', DATE '2025-06-01', NULL, NULL, NULL, NULL, 'W2')`,
  `('u1', 6, TIMESTAMP '2025-06-02 09:00:00', NULL, 'C1', 'contact', DATE '2025-05-02', NULL, NULL, NULL, NULL, NULL)`,
];

/** The geography: April to June in QAA; `repeatMay` lists May twice (a reference whose versions overlap). */
function pcnMonths(repeatMay: boolean): string {
  const months = ['2025-04', '2025-05', '2025-06', ...(repeatMay ? ['2025-05'] : [])];
  return months.map((m) => `('U00001', 'QAA', 'Y56', '${m}', '2025/26', 10000)`).join(', ');
}

/** The definitions over the view, as they were before issue 17's change: the reference the tables must equal. */
const EVENT_MONTHS_OVER_VIEW = `SELECT pcn_code, month, max(occurred_on) AS last_occurred_on, count(DISTINCT event_id) AS events
  FROM events_in_force GROUP BY pcn_code, month`;
const SCORES_OVER_VIEW = `SELECT pcn_code, referral_id, instrument,
    min_by(score, occurred_on) FILTER (WHERE phase = 'baseline') AS baseline,
    max_by(score, occurred_on) FILTER (WHERE phase = 'follow_up') AS follow_up
  FROM events_in_force WHERE event_type = 'wellbeing_measure' GROUP BY pcn_code, referral_id, instrument`;

let instance: DuckDBInstance;

async function prepare(repeatMay: boolean): Promise<Record<string, Record<string, unknown>[]>> {
  const connection = await instance.connect();
  const rows = async (sql: string) =>
    (await connection.runAndReadAll(`${sql} ORDER BY ALL`))
      .getRowObjectsJS()
      .map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([k, v]) => [
            k,
            typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.toISOString().slice(0, 10) : v,
          ]),
        ),
      );
  try {
    await connection.run(`CREATE OR REPLACE TEMP TABLE committed_events (${COLUMNS})`);
    await eventsOfCommitted(connection);
    await connection.run(`INSERT INTO committed_events (upload_id, source_row, received_at, recorded_at, event_id,
      event_type, occurred_on, snomed_code, instrument, phase, score, retracts_event_id)
      VALUES ${ROWS.join(', ')}`);
    await connection.run(`UPDATE committed_events SET pcn_code = 'U00001', event_month = strftime(occurred_on, '%Y-%m'),
      referral_id = CASE WHEN event_type = 'retraction' THEN NULL ELSE 'R1' END,
      person_id = CASE WHEN event_type = 'retraction' THEN NULL ELSE 'person-1' END`);
    await connection.run(`CREATE OR REPLACE TEMP TABLE pcn_months (pcn_code VARCHAR, icb_code VARCHAR,
      region_code VARCHAR, month VARCHAR, fy VARCHAR, list_size BIGINT)`);
    await connection.run(`INSERT INTO pcn_months VALUES ${pcnMonths(repeatMay)}`);
    // Every month in the PCN's reporting span (onboarded.sql).
    await connection.run('ALTER TABLE pcn_months ADD COLUMN reporting BOOLEAN DEFAULT true');
    for (const step of ['candidates', 'superseded', 'retracted', 'withdrawn'])
      await connection.run(`CREATE OR REPLACE TEMP TABLE ${step} AS ${loadSql(`prepare/${step}`)}`);
    // Every month published (the last complete month is the refresh's to decide: data-as-of.ts).
    await connection.run(`CREATE OR REPLACE TEMP TABLE published_through AS SELECT '9999-12' AS month`);
    // No PCN's extract has stopped (the refresh keeps them as table stopped_pcns: data-as-of.ts; episodes.sql reads it).
    await connection.run('CREATE OR REPLACE TEMP TABLE stopped_pcns (pcn_code VARCHAR, last_month VARCHAR)');
    await connection.run(`CREATE OR REPLACE TEMP VIEW events_in_force AS ${loadSql('prepare/events_in_force')}`);
    // Every month of the PCN in its reporting span (onboarded.sql).
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE onboarded AS SELECT 'U00001' AS pcn_code, '2019-01' AS first_month, '9999-12' AS last_month`,
    );
    for (const step of ['event_months', 'unreported_months', 'episodes', 'wellbeing_pairs'])
      await connection.run(`CREATE OR REPLACE TEMP TABLE ${step} AS ${loadSql(`prepare/${step}`)}`);
    return {
      eventMonths: await rows('SELECT * FROM event_months'),
      eventMonthsOverView: await rows(EVENT_MONTHS_OVER_VIEW),
      pairs: await rows('SELECT * FROM wellbeing_pairs'),
      scores: await rows('SELECT pcn_code, referral_id, instrument, baseline, follow_up FROM wellbeing_pairs'),
      scoresOverView: await rows(SCORES_OVER_VIEW),
      episodes: await rows('SELECT pcn_code, referral_id, contacts, connections, plan_agreed FROM episodes'),
    };
  } finally {
    connection.closeSync();
  }
}

let plain: Record<string, Record<string, unknown>[]>;
let overlapping: Record<string, Record<string, unknown>[]>;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  // The Trino functions the refresh's SQL uses, as the DuckDB engine defines them (macros of the whole instance).
  await defineTrinoFunctions(await instance.connect());
  plain = await prepare(false);
  overlapping = await prepare(true);
});
afterAll(() => instance.closeSync());

describe('prepare steps that read the committed rows leave out what events_in_force leaves out', () => {
  it('event_months: the latest date in force per month, no superseded or retracted date, no retraction-only month', () => {
    expect(plain.eventMonths).toEqual([
      // April: E1 and W1 (u2's version); May: W3 and C1 (W2 retracted). Counted for the events out of force (M10).
      { pcn_code: 'U00001', month: '2025-04', last_occurred_on: '2025-04-10', events: 2 },
      { pcn_code: 'U00001', month: '2025-05', last_occurred_on: '2025-05-10', events: 2 },
    ]);
    expect(plain.eventMonths).toEqual(plain.eventMonthsOverView);
  });

  it('wellbeing_pairs: the corrected baseline and the follow-up left after the retraction', () => {
    expect(plain.pairs).toEqual([
      expect.objectContaining({
        pcn_code: 'U00001',
        icb_code: 'QAA',
        region_code: 'Y56',
        month: '2025-04',
        fy: '2025/26',
        referral_id: 'R1',
        instrument: 'swemwbs',
        baseline: 22,
        follow_up: 27,
        change: 5,
        threshold: 3,
        improved: true,
        headline_rank: 1,
      }),
    ]);
    expect(plain.scores).toEqual(plain.scoresOverView);
  });

  it('give the same rows when the reference lists a PCN twice in a month (the view repeats its events)', () => {
    expect(overlapping.eventMonthsOverView).toEqual(plain.eventMonthsOverView);
    expect(overlapping.eventMonths).toEqual(plain.eventMonths);
    expect(overlapping.scoresOverView).toEqual(plain.scoresOverView);
    expect(overlapping.pairs).toEqual(plain.pairs);
  });

  it('episodes: a contact in a month the reference lists twice is counted once', () => {
    const episode = { pcn_code: 'U00001', referral_id: 'R1', contacts: 1, connections: 0, plan_agreed: false };
    expect(plain.episodes).toEqual([episode]);
    expect(overlapping.episodes).toEqual([episode]);
  });
});
