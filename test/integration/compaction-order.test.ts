import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_TABLE } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { tableToParquet } from '../../functions/lib/parquet.ts';
import {
  COMPACTED_ROW_GROUP_ROWS,
  compactCurated,
  compactionRecords,
  hyparquetMerger,
} from '../../functions/refresh/compact.ts';
import { duckDbMerger } from '../../functions/refresh/duckdb-merger.ts';

/**
 * The order compacted events are written in (compact.ts, SEPARATE_EVENT_TYPES; issue 17, perfsql4): the follow-up
 * kinds together first, in upload and source row order, then the referrals, the retractions, the service use and the
 * wellbeing measures, each together in that order; and the row groups it gives, in both mergers. One month of three
 * uploads from two PCNs whose 250,000 rows mix six event types (shuffled with a fixed seed), compacted, then read back
 * row by row and through the Parquet footer's statistics.
 */
const MONTH = '2026-01';
/** Upload id (its PCN first, as the ingest names them) and rows, in the order the store lists them. */
const UPLOADS = [
  { id: 'P01-b', pcn: 'P01', rows: 90_000 },
  { id: 'P01-d', pcn: 'P01', rows: 60_000 },
  { id: 'P02-a', pcn: 'P02', rows: 100_000 },
];
/** 250,000 rows: the follow-ups (contacts, declines) 150,000, referrals 30,000, service use 40,000, wellbeing 30,000. */
const TYPES = { contact: 140_000, declined: 10_000, referral: 30_000, service_use: 40_000, wellbeing_measure: 30_000 };

interface Row {
  event_type: string;
  pcn_code: string;
  upload_id: string;
  source_row: number;
}

/** The declared order written out by hand: follow-ups ('' group) first, then the separate kinds by name. */
const GROUP_RANK: Record<string, number> = {
  contact: 0,
  declined: 0,
  referral: 1,
  retraction: 2,
  service_use: 3,
  wellbeing_measure: 4,
};
const declared = (a: Row, b: Row) =>
  (GROUP_RANK[a.event_type] as number) - (GROUP_RANK[b.event_type] as number) ||
  (a.upload_id < b.upload_id ? -1 : a.upload_id > b.upload_id ? 1 : 0) ||
  a.source_row - b.source_row;

/** Rows of the uploads, the event types shuffled across them (a fixed seed). */
function uploadRows(): Row[] {
  const types = Object.entries(TYPES).flatMap(([type, n]) => Array<string>(n).fill(type));
  let seed = 17;
  for (let i = types.length - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = seed % (i + 1);
    [types[i], types[j]] = [types[j] as string, types[i] as string];
  }
  let next = 0;
  return UPLOADS.flatMap((u) =>
    Array.from({ length: u.rows }, (_, i) => ({
      event_type: types[next++] as string,
      pcn_code: u.pcn,
      upload_id: u.id,
      source_row: i + 2,
    })),
  );
}

let dir: string;
let duck: DuckDBInstance;
const ROWS = uploadRows();

async function storeWith(name: string): Promise<{ data: string; store: FsObjectStore }> {
  const data = join(dir, name);
  const store = new FsObjectStore(data);
  for (const u of UPLOADS) {
    const records = ROWS.filter((r) => r.upload_id === u.id).map((r) => ({
      ...r,
      event_id: `E${r.source_row}`,
      received_at: '2026-02-03T04:05:06Z',
      occurred_on: `${MONTH}-15`,
    }));
    await store.put(`curated/events/event_month=${MONTH}/${u.id}.parquet`, tableToParquet(EVENTS_TABLE, records));
    await store.put(`receipts/${u.id}.json`, '{}');
  }
  return { data, store };
}

async function query<T>(sql: string): Promise<T[]> {
  const connection = await duck.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as T[];
  } finally {
    connection.closeSync();
  }
}

const storedRows = (file: string) =>
  query<Row>(
    `SELECT event_type, pcn_code, upload_id, CAST(source_row AS INTEGER) AS source_row
     FROM read_parquet('${file}', file_row_number = true) ORDER BY file_row_number`,
  );

/** Each row group's rows and the min and max its footer records for event_type. */
const rowGroups = (file: string) =>
  query<{ rows: bigint; min: string | null; max: string | null }>(
    `SELECT row_group_num_rows AS rows, stats_min_value AS min, stats_max_value AS max FROM parquet_metadata('${file}')
     WHERE path_in_schema = 'event_type' ORDER BY row_group_id`,
  );

/** How many rows a scan for one event type reads: those of the row groups whose min/max may hold it. */
const rowsRead = (groups: { rows: bigint; min: string | null; max: string | null }[], type: string) =>
  groups.filter((g) => (g.min as string) <= type && type <= (g.max as string)).reduce((n, g) => n + Number(g.rows), 0);

async function compactedFile(store: FsObjectStore, data: string): Promise<string> {
  const objects = (await compactionRecords(store)).flatMap((r) => r.objects);
  expect(objects).toHaveLength(1);
  return join(data, objects[0] as string);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sp-compaction-order-'));
  duck = await DuckDBInstance.create(':memory:', { threads: '1' });
});

afterAll(() => {
  duck.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

describe('the order of compacted events', () => {
  it('the DuckDB merger writes the follow-ups first, then each separately read kind together', async () => {
    expect(COMPACTED_ROW_GROUP_ROWS).toBe(100_000);
    const { data, store } = await storeWith('duck');
    await compactCurated(store, duckDbMerger(data));
    const file = await compactedFile(store, data);
    expect(await storedRows(file)).toEqual([...ROWS].sort(declared));
    // Row groups by count, DuckDB's rounded to whole vectors of 2,048 (100,352 = 49 x 2,048): rows 0-149,999 are
    // follow-ups, 150,000-179,999 referrals, 180,000-219,999 service use, 220,000-249,999 wellbeing. So group 0 holds
    // follow-ups only, group 1 (rows 100,352-200,703) follow-ups, referrals and service use, group 2 (the last 49,296)
    // service use and the wellbeing measures.
    const groups = await rowGroups(file);
    expect(groups).toEqual([
      { rows: 100_352n, min: 'contact', max: 'declined' },
      { rows: 100_352n, min: 'contact', max: 'service_use' },
      { rows: 49_296n, min: 'service_use', max: 'wellbeing_measure' },
    ]);
    // A scan for the referrals reads group 1 only (100,352 of 250,000 rows); for the wellbeing measures group 2 only.
    expect(rowsRead(groups, 'referral')).toBe(100_352);
    expect(rowsRead(groups, 'wellbeing_measure')).toBe(49_296);
  }, 180_000);

  it('the hyparquet merger writes the same order, each group in row groups of its own', async () => {
    const { data, store } = await storeWith('hyparquet');
    await compactCurated(store, hyparquetMerger(store));
    const file = await compactedFile(store, data);
    expect(await storedRows(file)).toEqual([...ROWS].sort(declared));
    // 150,000 follow-ups in two row groups of 75,000; then 30,000 referrals, 40,000 service use, 30,000 wellbeing.
    const groups = await rowGroups(file);
    expect(groups).toEqual([
      { rows: 75_000n, min: 'contact', max: 'declined' },
      { rows: 75_000n, min: 'contact', max: 'declined' },
      { rows: 30_000n, min: 'referral', max: 'referral' },
      { rows: 40_000n, min: 'service_use', max: 'service_use' },
      { rows: 30_000n, min: 'wellbeing_measure', max: 'wellbeing_measure' },
    ]);
    expect(rowsRead(groups, 'referral')).toBe(30_000);
    expect(rowsRead(groups, 'retraction')).toBe(0);
  }, 180_000);
});
