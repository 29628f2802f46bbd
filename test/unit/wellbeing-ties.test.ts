import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_TABLE } from '../../functions/contract/index.ts';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { DUCKDB_TYPES } from '../../functions/lib/table-ddl.ts';
import { defineTrinoFunctions } from '../../functions/refresh/duckdb-engine.ts';
import { eventsOfCommitted } from '../support/prepare-sql.ts';

/*
 * wellbeing_pairs takes the first baseline and the last follow-up per instrument, in one order of the measures: by
 * date, then recorded_at (a measure without one before those with one), then event id (wellbeing_pairs.sql). Worked out
 * by hand, PCN U00001, referral R1 (2025-04-10):
 *
 *   SWEMWBS baseline, both 2025-04-10: B1 score 20 recorded 09:00, B2 score 24 recorded 08:00 -> B2 (recorded first): 24.
 *   SWEMWBS follow-up, all 2025-05-20: F9 40 without recorded_at, F1 30 and F2 26 both recorded 10:00
 *     -> order F9, F1, F2 (F2 > F1): the last is F2: 26. Change 26 - 24 = 2 < 3: not improved.
 *   An earlier day always comes first: SWEMWBS baseline B0 score 10 on 2025-04-12 (a later day, recorded earliest of
 *   all) is not the baseline.
 *   ONS4 life satisfaction baseline, both 2025-04-11 without recorded_at: L2 score 7, L1 score 5 -> L1 (smaller id): 5.
 *   ONS4 life satisfaction follow-up, both 2025-06-01: L3 8 without recorded_at, L4 6 recorded 12:00 -> L4 (last): 6.
 *     Change 6 - 5 = 1 >= 1: improved.
 *   WEMWBS baseline, both 2025-04-15: V1 score 40 recorded 09:00, V0 score 44 without recorded_at -> V0 (first): 44.
 *   WEMWBS follow-up V2 on 2025-06-10, score 50 -> 50. Change 50 - 44 = 6 >= 3: improved.
 * One of each, taken as they are (wellbeing_pairs orders only an instrument measured more than once in a phase):
 *   MYCaW baseline M1 4 on 2025-04-20, follow-up M2 2 on 2025-06-15 -> change 4 - 2 = 2 (lower is better) >= 1:
 *   improved.
 *   ONS4 happiness baseline H1 6 on 2025-04-10 alone; follow-ups H2 7 (2025-05-01) and H3 9 (2025-05-02) -> the last,
 *   9. Change 9 - 6 = 3 >= 1: improved. PAM: a baseline P1 and no follow-up: no pair.
 * The rows are loaded in two orders (as two refreshes may read them): the pairs are the same.
 */
const COLUMNS = [...EVENTS_TABLE.columns.map((c) => `"${c.name}" ${DUCKDB_TYPES[c.type]}`), 'event_month VARCHAR'].join(
  ', ',
);

const ROWS = [
  // source_row, event_id, event_type, occurred_on, recorded_at, snomed_code, instrument, phase, score
  `(1, 'E1', 'referral', DATE '2025-04-10', NULL, '871731000000106', NULL, NULL, NULL)`,
  `(2, 'B1', 'wellbeing_measure', DATE '2025-04-10', TIMESTAMP '2025-04-10 09:00:00', NULL, 'swemwbs', 'baseline', 20)`,
  `(3, 'B2', 'wellbeing_measure', DATE '2025-04-10', TIMESTAMP '2025-04-10 08:00:00', NULL, 'swemwbs', 'baseline', 24)`,
  `(4, 'B0', 'wellbeing_measure', DATE '2025-04-12', TIMESTAMP '2025-04-01 07:00:00', NULL, 'swemwbs', 'baseline', 10)`,
  `(5, 'F1', 'wellbeing_measure', DATE '2025-05-20', TIMESTAMP '2025-05-20 10:00:00', NULL, 'swemwbs', 'follow_up', 30)`,
  `(6, 'F2', 'wellbeing_measure', DATE '2025-05-20', TIMESTAMP '2025-05-20 10:00:00', NULL, 'swemwbs', 'follow_up', 26)`,
  `(7, 'F9', 'wellbeing_measure', DATE '2025-05-20', NULL, NULL, 'swemwbs', 'follow_up', 40)`,
  `(8, 'L2', 'wellbeing_measure', DATE '2025-04-11', NULL, NULL, 'ons4_life_satisfaction', 'baseline', 7)`,
  `(9, 'L1', 'wellbeing_measure', DATE '2025-04-11', NULL, NULL, 'ons4_life_satisfaction', 'baseline', 5)`,
  `(10, 'L3', 'wellbeing_measure', DATE '2025-06-01', NULL, NULL, 'ons4_life_satisfaction', 'follow_up', 8)`,
  `(11, 'L4', 'wellbeing_measure', DATE '2025-06-01', TIMESTAMP '2025-06-01 12:00:00', NULL, 'ons4_life_satisfaction', 'follow_up', 6)`,
  `(12, 'V1', 'wellbeing_measure', DATE '2025-04-15', TIMESTAMP '2025-04-15 09:00:00', NULL, 'wemwbs', 'baseline', 40)`,
  `(13, 'V0', 'wellbeing_measure', DATE '2025-04-15', NULL, NULL, 'wemwbs', 'baseline', 44)`,
  `(14, 'V2', 'wellbeing_measure', DATE '2025-06-10', TIMESTAMP '2025-06-10 10:00:00', NULL, 'wemwbs', 'follow_up', 50)`,
  `(15, 'M1', 'wellbeing_measure', DATE '2025-04-20', NULL, NULL, 'mycaw', 'baseline', 4)`,
  `(16, 'M2', 'wellbeing_measure', DATE '2025-06-15', NULL, NULL, 'mycaw', 'follow_up', 2)`,
  `(17, 'H1', 'wellbeing_measure', DATE '2025-04-10', NULL, NULL, 'ons4_happiness', 'baseline', 6)`,
  `(18, 'H2', 'wellbeing_measure', DATE '2025-05-01', NULL, NULL, 'ons4_happiness', 'follow_up', 7)`,
  `(19, 'H3', 'wellbeing_measure', DATE '2025-05-02', NULL, NULL, 'ons4_happiness', 'follow_up', 9)`,
  `(20, 'P1', 'wellbeing_measure', DATE '2025-04-12', NULL, NULL, 'pam_level', 'baseline', 2)`,
];

let instance: DuckDBInstance;

async function pairs(rows: readonly string[]): Promise<Record<string, unknown>[]> {
  const connection = await instance.connect();
  try {
    await connection.run(`CREATE OR REPLACE TEMP TABLE committed_events (${COLUMNS})`);
    await eventsOfCommitted(connection);
    await connection.run(`INSERT INTO committed_events (source_row, event_id, event_type, occurred_on, recorded_at,
      snomed_code, instrument, phase, score) VALUES ${rows.join(', ')}`);
    await connection.run(`UPDATE committed_events SET upload_id = 'u1', pcn_code = 'U00001', referral_id = 'R1',
      person_id = 'person-1', received_at = TIMESTAMP '2025-07-01 09:00:00', event_month = strftime(occurred_on, '%Y-%m')`);
    await connection.run(`CREATE OR REPLACE TEMP TABLE pcn_months AS
      SELECT 'U00001' AS pcn_code, 'QAA' AS icb_code, 'Y56' AS region_code, m AS month, '2025/26' AS fy,
        10000 AS list_size, true AS reporting FROM (VALUES ('2025-04'), ('2025-05'), ('2025-06')) AS t (m)`);
    await connection.run(`CREATE OR REPLACE TEMP TABLE published_through AS SELECT '9999-12' AS month`);
    // No PCN's extract has stopped (the refresh keeps them as table stopped_pcns: data-as-of.ts; episodes.sql reads it).
    await connection.run('CREATE OR REPLACE TEMP TABLE stopped_pcns (pcn_code VARCHAR, last_month VARCHAR)');
    for (const step of ['candidates', 'superseded', 'retracted', 'withdrawn', 'event_months'])
      await connection.run(`CREATE OR REPLACE TEMP TABLE ${step} AS ${loadSql(`prepare/${step}`)}`);
    await connection.run(`CREATE OR REPLACE TEMP VIEW events_in_force AS ${loadSql('prepare/events_in_force')}`);
    // Every month of the PCN in its reporting span (onboarded.sql).
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE onboarded AS SELECT 'U00001' AS pcn_code, '2019-01' AS first_month, '9999-12' AS last_month`,
    );
    for (const step of ['unreported_months', 'episodes', 'wellbeing_pairs'])
      await connection.run(`CREATE OR REPLACE TEMP TABLE ${step} AS ${loadSql(`prepare/${step}`)}`);
    const reader = await connection.runAndReadAll(
      'SELECT instrument, baseline, follow_up, change, improved FROM wellbeing_pairs ORDER BY instrument',
    );
    return reader.getRowObjectsJS();
  } finally {
    connection.closeSync();
  }
}

let forwards: Record<string, unknown>[];
let backwards: Record<string, unknown>[];

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  // The Trino functions the refresh's SQL uses, as the DuckDB engine defines them (macros of the whole instance).
  await defineTrinoFunctions(await instance.connect());
  forwards = await pairs(ROWS);
  backwards = await pairs([...ROWS].reverse());
});
afterAll(() => instance.closeSync());

describe('wellbeing_pairs: measures of one instrument on one day are taken in a documented order', () => {
  it('takes the first baseline and the last follow-up by date, recorded_at (none first), then event id', () => {
    expect(forwards).toEqual([
      { instrument: 'mycaw', baseline: 4, follow_up: 2, change: 2, improved: true },
      { instrument: 'ons4_happiness', baseline: 6, follow_up: 9, change: 3, improved: true },
      { instrument: 'ons4_life_satisfaction', baseline: 5, follow_up: 6, change: 1, improved: true },
      { instrument: 'swemwbs', baseline: 24, follow_up: 26, change: 2, improved: false },
      { instrument: 'wemwbs', baseline: 44, follow_up: 50, change: 6, improved: true },
    ]);
  });

  it('gives the same pairs whatever order the rows are read in', () => {
    expect(backwards).toEqual(forwards);
  });
});
