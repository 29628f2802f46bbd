import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { defineTrinoFunctions } from '../../functions/refresh/duckdb-engine.ts';

/*
 * data_quality's person_ids under two or more PCNs (review 13, R13-5) are found by their person_id's hash first, then
 * by the person_id itself among the referrals of the hashes found (issue 17). A hash two person_ids share (a
 * collision) may find a hash no shared person_id has, never miss one: the counts are those of the person_ids.
 *
 * Referrals: P1 and P2 each refer the 6 people s0..s5 (the same ids under both); P1 also refers a0 twice (one PCN, not
 * shared); P3 refers its own c0..c3, none under another PCN. person_ids_shared is published rounded up to 5: P1 6 ->
 * 10, P2 6 -> 10, P3 0.
 */
const PCNS = ['P1', 'P2', 'P3'];
const REFERRALS: [string, string][] = [
  ...['s0', 's1', 's2', 's3', 's4', 's5'].flatMap((p): [string, string][] => [
    ['P1', p],
    ['P2', p],
  ]),
  ['P1', 'a0'],
  ['P1', 'a0'],
  ...['c0', 'c1', 'c2', 'c3'].map((p): [string, string] => ['P3', p]),
];

let instance: DuckDBInstance;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
});
afterAll(() => instance.closeSync());

/** Each PCN's person_ids_shared, with xxhash64 as the refresh defines it or as the SQL given (a collision). */
async function sharedByPcn(hash?: string): Promise<Record<string, number>> {
  const connection: DuckDBConnection = await instance.connect();
  try {
    await defineTrinoFunctions(connection);
    if (hash) await connection.run(`CREATE OR REPLACE TEMP MACRO xxhash64(bytes) AS ${hash}`);
    const run = (sql: string) => connection.run(sql);
    // Each PCN one upload and one month with data; nothing else data_quality reads.
    await run(`CREATE OR REPLACE TEMP TABLE committed_uploads AS SELECT * FROM (VALUES
      ${PCNS.map((p) => `('${p}', 'accepted', 10, 0, 0, 0, 0, CAST(NULL AS VARCHAR), TIMESTAMP '2025-06-02 07:00:00')`).join(', ')})
      AS u (pcn_code, status, rows_accepted, rows_rejected, rejected_invalid, rejected_duplicate, rejected_other,
        file_error, received_at)`);
    await run(`CREATE OR REPLACE TEMP TABLE event_months AS SELECT * FROM (VALUES
      ${PCNS.map((p) => `('${p}', '2025-05')`).join(', ')}) AS e (pcn_code, month)`);
    await run(`CREATE OR REPLACE TEMP TABLE onboarded AS SELECT * FROM (VALUES
      ${PCNS.map((p) => `('${p}', '2025-05', '2025-05')`).join(', ')}) AS o (pcn_code, first_month, last_month)`);
    await run(`CREATE OR REPLACE TEMP TABLE pcn_months AS SELECT * FROM (VALUES
      ${PCNS.map((p) => `('${p}', '2025-05', true)`).join(', ')}) AS m (pcn_code, month, reporting)`);
    await run(`CREATE OR REPLACE TEMP TABLE published_through AS SELECT '2025-05' AS month`);
    await run(`CREATE OR REPLACE TEMP TABLE outside_reporting (pcn_code VARCHAR, month VARCHAR, events BIGINT)`);
    await run(`CREATE OR REPLACE TEMP TABLE out_of_force (pcn_code VARCHAR, month VARCHAR, events BIGINT,
      snapshot_rows BIGINT)`);
    await run(`CREATE OR REPLACE TEMP TABLE committed_events (pcn_code VARCHAR, event_month VARCHAR, upload_id VARCHAR,
      source_row INTEGER, event_type VARCHAR, window_months INTEGER)`);
    await run(`CREATE OR REPLACE TEMP TABLE withdrawn (upload_id VARCHAR, source_row INTEGER, event_type VARCHAR)`);
    await run(`CREATE OR REPLACE TEMP TABLE episodes AS SELECT * FROM (VALUES
      ${REFERRALS.map(([pcn, person]) => `('${pcn}', '${person}')`).join(', ')}) AS e (pcn_code, person_id)`);
    const rows = (await connection.runAndReadAll(loadSql('metrics/data_quality'))).getRowObjectsJS();
    return Object.fromEntries(rows.map((r) => [String(r.code), Number(r.person_ids_shared)]));
  } finally {
    connection.closeSync();
  }
}

describe('data_quality person_ids under two PCNs, found by hash first (issue 17)', () => {
  it('counts each PCN its person_ids another PCN sent too, rounded up to 5', async () => {
    expect(await sharedByPcn()).toEqual({ P1: 10, P2: 10, P3: 0 });
  });

  it('gives the same counts when every person_id has one hash (the worst collision there can be)', async () => {
    expect(await sharedByPcn('CAST(42 AS UBIGINT)')).toEqual({ P1: 10, P2: 10, P3: 0 });
  });
});
