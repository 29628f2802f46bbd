import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_TABLE } from '../../functions/contract/index.ts';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { DUCKDB_TYPES } from '../../functions/lib/table-ddl.ts';
import { defineTrinoFunctions } from '../../functions/refresh/duckdb-engine.ts';
import { PREPARE_STEPS } from '../../functions/refresh/refresh.ts';
import { eventsOfCommitted } from '../support/prepare-sql.ts';

/*
 * candidates.sql keeps, in one pass over the events, every row that superseded, retracted and withdrawn read (issue
 * 17): those three then read it instead of every event, and must find exactly the rows they found from every event
 * (README "Corrections and retractions"). Worked out by hand, PCN U00001 unless named (upload, source row):
 *
 *   A  a correction in a later upload: (u1, 2) recorded 05-01, (u2, 2) recorded 05-02. Both candidates (A twice);
 *      (u1, 2) superseded (the later recorded_at wins).
 *   B  a retraction of a corrected row: (u1, 3) recorded 05-01, corrected by (u2, 3) recorded 05-03, then retraction
 *      XB (u3, 2) recorded 05-04 names B. All three candidates (B twice, and as XB's retracts_event_id; XB is a
 *      retraction). (u1, 3) superseded; B retracted at 05-04; both versions withdrawn, as neither was recorded after
 *      05-04: (u1, 3) is withdrawn twice over (superseded, and retracted), (u2, 3) once.
 *   C  a resend of the same id in the same upload, no recorded_at: (u3, 3) and (u3, 4). Both candidates; (u3, 3)
 *      superseded (same upload and landing time: the later source row wins).
 *   D  sent once, never named: (u1, 4). Not a candidate.
 *   E  retracted, never corrected: (u1, 5) recorded 05-01; XE (u2, 4) recorded 05-02 names E. Both candidates (E as
 *      XE's retracts_event_id; XE a retraction); E retracted at 05-02, (u1, 5) withdrawn.
 *   U00002 A  the same event_id as U00001's A in another PCN, sent once: (u4, 2). The same id hash (the hash is of the
 *      event_id alone), but of another PCN: the hashes are compared within a PCN only, so not a candidate.
 *   U00001 2X (u1, 6) and U000012 X (u4, 3): different ids whose pcn_code || event_id is the same text (what an earlier
 *      version hashed), of two PCNs: neither is a candidate (nor could either supersede the other).
 *   u5: an upload without a receipt (its own test below): in the events table, in no step.
 *
 * candidates: (u1, 2) (u1, 3) (u1, 5) (u2, 2) (u2, 3) (u2, 4) (u3, 2) (u3, 3) (u3, 4).
 * superseded: (u1, 2) (u1, 3) (u3, 3). retracted: (U00001, B, 05-04), (U00001, E, 05-02).
 * withdrawn: (u1, 2) (u1, 3) (u1, 3) (u1, 5) (u2, 3) (u3, 3).
 */
const COLUMNS = [...EVENTS_TABLE.columns.map((c) => `"${c.name}" ${DUCKDB_TYPES[c.type]}`), 'event_month VARCHAR'].join(
  ', ',
);

const landed = { u1: '2025-06-01', u2: '2025-06-02', u3: '2025-06-03', u4: '2025-06-04', u5: '2025-06-05' };
/** upload_id, source_row, received_at, recorded_at, pcn_code, event_id, event_type, retracts_event_id */
function row(
  upload: keyof typeof landed,
  sourceRow: number,
  recorded: string | null,
  pcn: string,
  id: string,
  retracts?: string,
): string {
  const type = retracts ? 'retraction' : 'referral';
  return `('${upload}', ${sourceRow}, TIMESTAMP '${landed[upload]} 09:00:00', ${recorded ? `TIMESTAMP '2025-${recorded} 10:00:00'` : 'NULL'}, '${pcn}', '${id}', '${type}', ${retracts ? `'${retracts}'` : 'NULL'})`;
}

const ROWS = [
  row('u1', 2, '05-01', 'U00001', 'A'),
  row('u2', 2, '05-02', 'U00001', 'A'),
  row('u1', 3, '05-01', 'U00001', 'B'),
  row('u2', 3, '05-03', 'U00001', 'B'),
  row('u3', 2, '05-04', 'U00001', 'XB', 'B'),
  row('u3', 3, null, 'U00001', 'C'),
  row('u3', 4, null, 'U00001', 'C'),
  row('u1', 4, null, 'U00001', 'D'),
  row('u1', 5, '05-01', 'U00001', 'E'),
  row('u2', 4, '05-02', 'U00001', 'XE', 'E'),
  row('u4', 2, null, 'U00002', 'A'),
  row('u1', 6, null, 'U00001', '2X'),
  row('u4', 3, null, 'U000012', 'X'),
];

const STEPS = ['candidates', 'superseded', 'retracted', 'withdrawn'] as const;
type Step = (typeof STEPS)[number];

const key = (upload_id: string, source_row: number) => ({ upload_id, source_row });
const EXPECTED: Record<Exclude<Step, 'retracted'>, { upload_id: string; source_row: number }[]> = {
  candidates: [
    key('u1', 2),
    key('u1', 3),
    key('u1', 5),
    key('u2', 2),
    key('u2', 3),
    key('u2', 4),
    key('u3', 2),
    key('u3', 3),
    key('u3', 4),
  ],
  superseded: [key('u1', 2), key('u1', 3), key('u3', 3)],
  withdrawn: [key('u1', 2), key('u1', 3), key('u1', 3), key('u1', 5), key('u2', 3), key('u3', 3)],
};
/** Every row of PCN U00001 (all but u4's two rows), in order. */
const EVERY_U00001_ROW = [
  key('u1', 2),
  key('u1', 3),
  key('u1', 4),
  key('u1', 5),
  key('u1', 6),
  key('u2', 2),
  key('u2', 3),
  key('u2', 4),
  key('u3', 2),
  key('u3', 3),
  key('u3', 4),
];
const EXPECTED_RETRACTED = [
  { pcn_code: 'U00001', event_id: 'B', retracted_at: '2025-05-04 10:00:00' },
  { pcn_code: 'U00001', event_id: 'E', retracted_at: '2025-05-02 10:00:00' },
];

let instance: DuckDBInstance;

async function withConnection<T>(
  hash: string | undefined,
  work: (c: DuckDBConnection) => Promise<T>,
  uncommitted: readonly string[] = [],
): Promise<T> {
  const connection = await instance.connect();
  try {
    await defineTrinoFunctions(connection);
    if (hash) await connection.run(`CREATE OR REPLACE TEMP MACRO xxhash64(bytes) AS ${hash}`);
    await connection.run(`CREATE OR REPLACE TEMP TABLE committed_events (${COLUMNS})`);
    await eventsOfCommitted(connection);
    await connection.run(`INSERT INTO committed_events (upload_id, source_row, received_at, recorded_at, pcn_code,
      event_id, event_type, retracts_event_id) VALUES ${ROWS.join(', ')}`);
    if (uncommitted.length > 0) {
      // Rows of an upload with no receipt: in the events table, not in committed_events (committed_uploads has none).
      await connection.run(`CREATE OR REPLACE TEMP TABLE uncommitted AS SELECT * FROM committed_events LIMIT 0`);
      await connection.run(`INSERT INTO uncommitted (upload_id, source_row, received_at, recorded_at, pcn_code,
        event_id, event_type, retracts_event_id) VALUES ${uncommitted.join(', ')}`);
      await connection.run(
        'CREATE OR REPLACE TEMP VIEW events AS SELECT * FROM committed_events UNION ALL SELECT * FROM uncommitted',
      );
    }
    return await work(connection);
  } finally {
    connection.closeSync();
  }
}

/** Each step's rows, sorted, the steps made as the refresh makes them (candidates first). */
async function steps(
  hash?: string,
  from: 'candidates' | 'committed_events' = 'candidates',
  uncommitted: readonly string[] = [],
) {
  return withConnection(
    hash,
    async (connection) => {
      const result: Record<string, Record<string, unknown>[]> = {};
      for (const step of STEPS) {
        // The definition: the three steps over every committed event, as they read before candidates existed.
        const sql = loadSql(`prepare/${step}`).replace(/\bFROM candidates\b/g, `FROM ${from}`);
        await connection.run(`CREATE OR REPLACE TEMP TABLE ${step} AS ${sql}`);
        const order = step === 'retracted' ? 'pcn_code, event_id' : 'upload_id, source_row';
        const columns =
          step === 'retracted'
            ? `pcn_code, event_id, strftime(retracted_at, '%Y-%m-%d %H:%M:%S') AS retracted_at`
            : 'upload_id, CAST(source_row AS INTEGER) AS source_row';
        result[step] = (
          await connection.runAndReadAll(`SELECT ${columns} FROM ${step} ORDER BY ${order}`)
        ).getRowObjectsJS();
      }
      return result;
    },
    uncommitted,
  );
}

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
});
afterAll(() => instance.closeSync());

describe('candidates: the rows superseded, retracted and withdrawn read, in one pass', () => {
  it('the refresh makes candidates right before the three steps that read it', () => {
    const names = PREPARE_STEPS.map((s) => s.name);
    expect(names.slice(names.indexOf('candidates'), names.indexOf('candidates') + 4)).toEqual([...STEPS]);
    expect(PREPARE_STEPS.find((s) => s.name === 'candidates')?.kind).toBe('table');
  });

  it('keeps exactly the rows worked out by hand, and the three steps find exactly their rows', async () => {
    const found = await steps();
    expect(found.candidates).toEqual(EXPECTED.candidates);
    expect(found.superseded).toEqual(EXPECTED.superseded);
    expect(found.retracted).toEqual(EXPECTED_RETRACTED);
    expect(found.withdrawn).toEqual(EXPECTED.withdrawn);
  });

  it('gives the three steps the same rows as reading every committed event', async () => {
    const fromEvery = await steps(undefined, 'committed_events');
    const fromCandidates = await steps();
    for (const step of ['superseded', 'retracted', 'withdrawn']) expect(fromCandidates[step]).toEqual(fromEvery[step]);
  });

  it('hashes the ids of an upload without a receipt, but keeps none of its rows and they change no step', async () => {
    // u5 has no receipt (an ingest stopped part-way, or one landing while the refresh runs): a later version of D
    // (u5, 2) and a retraction of A (u5, 3). D's committed row (u1, 4) shares its id with (u5, 2), so it is a candidate
    // now (read, and found to be D's only committed version); u5's rows are not, and nothing is superseded, retracted
    // or withdrawn because of them.
    const found = await steps(undefined, 'candidates', [
      row('u5', 2, '05-09', 'U00001', 'D'),
      row('u5', 3, '05-09', 'U00001', 'XA', 'A'),
    ]);
    expect(found.candidates).toEqual([
      ...EXPECTED.candidates.slice(0, 2),
      key('u1', 4),
      ...EXPECTED.candidates.slice(2),
    ]);
    expect(found.superseded).toEqual(EXPECTED.superseded);
    expect(found.retracted).toEqual(EXPECTED_RETRACTED);
    expect(found.withdrawn).toEqual(EXPECTED.withdrawn);
  });

  it('gives the same rows when every id has one hash (every row of a PCN sent twice a candidate: the worst collision there can be)', async () => {
    const found = await steps('CAST(42 AS UBIGINT)');
    // The hashes are compared within a PCN's partition, which is its pcn_code's hash: here every PCN's too, so the
    // three PCNs share one partition and every id there one hash: U00001's 11 rows, and U00002 (u4, 2) and U000012
    // (u4, 3), which have one row each, are all candidates (13; two PCNs with one hash, as ids with one hash, only add
    // rows to read).
    expect(found.candidates).toEqual([...EVERY_U00001_ROW, key('u4', 2), key('u4', 3)]);
    expect(found.superseded).toEqual(EXPECTED.superseded);
    expect(found.retracted).toEqual(EXPECTED_RETRACTED);
    expect(found.withdrawn).toEqual(EXPECTED.withdrawn);
  });
});
