import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_TABLE } from '../../functions/contract/index.ts';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { DUCKDB_TYPES } from '../../functions/lib/table-ddl.ts';
import { defineTrinoFunctions, TRINO_FUNCTIONS } from '../../functions/refresh/duckdb-engine.ts';

/*
 * sql/prepare/superseded.sql finds the keys sent more than once by a hash of (pcn_code, event_id), then ranks their
 * rows by the key itself (issue 17). The hash only chooses which rows are ranked, so the rows it finds must not depend
 * on it: the same with the engine's hash and with a "hash" that gives every key the same value (every key collides).
 * Worked out by hand (upload, source row):
 *   U00001 E1: u1 row 2 (recorded 10:00) and u2 row 2 (recorded 11:00): u1 row 2 superseded.
 *   U00002 E1: once (u4 row 2): kept (the same event_id from another PCN is another event).
 *   U00001 E2: once (u1 row 3): kept.
 *   U00001 E3: u3 row 2 (no recorded_at), u1 row 4 and u2 row 3 (both 09:00; u2 received later): u2 row 3 wins
 *   (a recorded_at before none, then the later upload), so u1 row 4 and u3 row 2 are superseded.
 */
const COLUMNS = [...EVENTS_TABLE.columns.map((c) => `"${c.name}" ${DUCKDB_TYPES[c.type]}`), 'event_month VARCHAR'].join(
  ', ',
);
const received = { u1: '2025-05-01', u2: '2025-06-01', u3: '2025-07-01', u4: '2025-05-01' } as const;
const ROWS: [keyof typeof received, number, string, string, string | null][] = [
  ['u1', 2, 'U00001', 'E1', '2025-04-10 10:00:00'],
  ['u2', 2, 'U00001', 'E1', '2025-04-10 11:00:00'],
  ['u4', 2, 'U00002', 'E1', '2025-04-10 08:00:00'],
  ['u1', 3, 'U00001', 'E2', '2025-04-11 10:00:00'],
  ['u3', 2, 'U00001', 'E3', null],
  ['u1', 4, 'U00001', 'E3', '2025-04-12 09:00:00'],
  ['u2', 3, 'U00001', 'E3', '2025-04-12 09:00:00'],
];

let instance: DuckDBInstance;

async function superseded(hash: 'engine' | 'constant'): Promise<string[]> {
  const connection = await instance.connect();
  try {
    await connection.run(`CREATE OR REPLACE TEMP TABLE committed_events (${COLUMNS})`);
    const values = ROWS.map(
      ([upload, row, pcn, id, recorded]) =>
        `('${upload}', ${row}, TIMESTAMP '${received[upload]} 09:00:00', ${recorded ? `TIMESTAMP '${recorded}'` : 'NULL'}, '${pcn}', '${id}', 'contact', '2025-04')`,
    );
    await connection.run(`INSERT INTO committed_events (upload_id, source_row, received_at, recorded_at, pcn_code,
      event_id, event_type, event_month) VALUES ${values.join(', ')}`);
    // Every key's hash the same value: every key is a candidate, as if all collided.
    if (hash === 'constant') await connection.run('CREATE OR REPLACE TEMP MACRO xxhash64(b) AS 42');
    const reader = await connection.runAndReadAll(
      `SELECT upload_id || ' row ' || CAST(source_row AS VARCHAR) FROM (${loadSql('prepare/superseded')}) ORDER BY 1`,
    );
    return reader.getRows().map((row) => String(row[0]));
  } finally {
    connection.closeSync();
  }
}

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await defineTrinoFunctions(connection);
  connection.closeSync();
});
afterAll(() => instance.closeSync());

describe('superseded: keys sent more than once found by hash, ranked by the key', () => {
  it('finds the earlier versions, by recorded_at, then the later upload', async () => {
    expect(await superseded('engine')).toEqual(['u1 row 2', 'u1 row 4', 'u3 row 2']);
  });

  it('finds the same rows when every key shares one hash (a collision never supersedes a row)', async () => {
    expect(await superseded('constant')).toEqual(['u1 row 2', 'u1 row 4', 'u3 row 2']);
  });

  it('the DuckDB engine names the two Trino functions the SQL uses', () => {
    expect(TRINO_FUNCTIONS.map((s) => /MACRO (\w+)\(/.exec(s)?.[1])).toEqual(['to_utf8', 'xxhash64']);
    expect(loadSql('prepare/superseded')).toMatch(/xxhash64\(to_utf8\(/);
  });
});
