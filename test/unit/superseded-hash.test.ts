import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_TABLE } from '../../functions/contract/index.ts';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { DUCKDB_TYPES } from '../../functions/lib/table-ddl.ts';
import { defineTrinoFunctions } from '../../functions/refresh/duckdb-engine.ts';
import { eventsOfCommitted } from '../support/prepare-sql.ts';

/*
 * candidates.sql finds the ids sent more than once by a 64-bit hash of the event_id within its PCN first, then superseded.sql
 * ranks the rows of those hashes by the ids themselves (issue 17). A hash shared by different ids must only add rows to rank, never
 * supersede one id's row by another's. Worked out by hand:
 *
 *   U00001 A: u1 row 2 (recorded 10:00) and u2 row 2 (recorded 11:00): u1 row 2 is superseded (the later recorded_at
 *             wins);
 *   U00001 B, U00001 C: one row each (u1 rows 3 and 4): in force;
 *   U00002 A: one row (u3 row 2), the same event_id as U00001's in another PCN, so the same hash in every engine: in
 *             force;
 *   U00001 2X (u1 row 5) and U000012 X (u4 row 2): different ids whose pcn_code || event_id is the same text (what an
 *             earlier version hashed, a collision the SQL made itself): each has one row, both in force;
 *   U00003 D: u5 rows 2 and 3 with no recorded_at, one upload: row 2 is superseded (the later source row wins);
 *   U00004 E: u6 row 2 recorded 10:00 (received 1 June) and u7 row 2 with no recorded_at, received 3 June (a new
 *             clinical system that does not stamp, correcting the old one's row: review 21, R21-4): the two cannot be
 *             ordered by recorded_at, so the later received wins and u6 row 2 is superseded (ranked as the earliest,
 *             the unstamped correction was the one superseded, and never applied).
 *
 * Superseded: exactly (u1, 2), (u5, 2) and (u6, 2), with the engine's hash and with a hash that gives every id the same value
 * (every id a candidate: the worst collision there can be).
 */
const COLUMNS = [...EVENTS_TABLE.columns.map((c) => `"${c.name}" ${DUCKDB_TYPES[c.type]}`), 'event_month VARCHAR'].join(
  ', ',
);

const ROWS = [
  // upload_id, source_row, received_at, recorded_at, pcn_code, event_id
  `('u1', 2, TIMESTAMP '2025-06-02 09:00:00', TIMESTAMP '2025-05-01 10:00:00', 'U00001', 'A')`,
  `('u2', 2, TIMESTAMP '2025-06-01 09:00:00', TIMESTAMP '2025-05-01 11:00:00', 'U00001', 'A')`,
  `('u1', 3, TIMESTAMP '2025-06-02 09:00:00', NULL, 'U00001', 'B')`,
  `('u1', 4, TIMESTAMP '2025-06-02 09:00:00', NULL, 'U00001', 'C')`,
  `('u3', 2, TIMESTAMP '2025-06-03 09:00:00', NULL, 'U00002', 'A')`,
  `('u1', 5, TIMESTAMP '2025-06-02 09:00:00', NULL, 'U00001', '2X')`,
  `('u4', 2, TIMESTAMP '2025-06-04 09:00:00', NULL, 'U000012', 'X')`,
  `('u5', 2, TIMESTAMP '2025-06-05 09:00:00', NULL, 'U00003', 'D')`,
  `('u5', 3, TIMESTAMP '2025-06-05 09:00:00', NULL, 'U00003', 'D')`,
  `('u6', 2, TIMESTAMP '2025-06-01 09:00:00', TIMESTAMP '2025-05-01 10:00:00', 'U00004', 'E')`,
  `('u7', 2, TIMESTAMP '2025-06-03 09:00:00', NULL, 'U00004', 'E')`,
];

const EXPECTED = [
  { upload_id: 'u1', source_row: 2 },
  { upload_id: 'u5', source_row: 2 },
  { upload_id: 'u6', source_row: 2 },
];

let instance: DuckDBInstance;

/** superseded.sql's rows over ROWS (after candidates.sql), with xxhash64 as the engine defines it or as `hash` says. */
async function superseded(hash?: string): Promise<Record<string, unknown>[]> {
  const connection = await instance.connect();
  try {
    await defineTrinoFunctions(connection);
    if (hash) await connection.run(`CREATE OR REPLACE TEMP MACRO xxhash64(bytes) AS ${hash}`);
    await connection.run(`CREATE OR REPLACE TEMP TABLE committed_events (${COLUMNS})`);
    await eventsOfCommitted(connection);
    await connection.run(`INSERT INTO committed_events (upload_id, source_row, received_at, recorded_at, pcn_code,
      event_id) VALUES ${ROWS.join(', ')}`);
    await connection.run(`CREATE OR REPLACE TEMP TABLE candidates AS ${loadSql('prepare/candidates')}`);
    const reader = await connection.runAndReadAll(
      `SELECT upload_id, source_row FROM (${loadSql('prepare/superseded')}) AS s ORDER BY upload_id, source_row`,
    );
    return reader.getRowObjectsJS();
  } finally {
    connection.closeSync();
  }
}

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
});
afterAll(() => instance.closeSync());

describe('superseded: ids found by their hash, versions ranked by the ids themselves', () => {
  it('supersedes exactly the earlier versions of ids sent twice, whatever else shares their hash', async () => {
    expect(await superseded()).toEqual(EXPECTED);
  });

  it('two ids whose pcn_code || event_id is the same text (one hash in any engine) do not supersede each other', async () => {
    const connection = await instance.connect();
    try {
      await defineTrinoFunctions(connection);
      const reader = await connection.runAndReadAll(
        `SELECT xxhash64(to_utf8('U00001' || '2X')) = xxhash64(to_utf8('U000012' || 'X')) AS same`,
      );
      expect(reader.getRowObjectsJS()).toEqual([{ same: true }]);
    } finally {
      connection.closeSync();
    }
    expect(await superseded()).not.toContainEqual({ upload_id: 'u1', source_row: 5 });
    expect(await superseded()).not.toContainEqual({ upload_id: 'u4', source_row: 2 });
  });

  it('gives the same rows when every id has the same hash (every id a candidate)', async () => {
    expect(await superseded('CAST(42 AS UBIGINT)')).toEqual(EXPECTED);
  });

  it('the forced hash really replaces the engine one (or the test above would prove nothing)', async () => {
    const connection = await instance.connect();
    try {
      await defineTrinoFunctions(connection);
      await connection.run('CREATE OR REPLACE TEMP MACRO xxhash64(bytes) AS CAST(42 AS UBIGINT)');
      const reader = await connection.runAndReadAll(
        `SELECT count(DISTINCT xxhash64(to_utf8(pcn_code || event_id))) AS hashes FROM (VALUES ('U00001', 'A'),
          ('U00002', 'B')) AS t (pcn_code, event_id)`,
      );
      expect(reader.getRowObjectsJS()).toEqual([{ hashes: 1n }]);
    } finally {
      connection.closeSync();
    }
  });
});
