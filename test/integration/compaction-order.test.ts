import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_TABLE } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { tableToParquet } from '../../functions/lib/parquet.ts';
import { compactCurated, compactionRecords, hyparquetMerger } from '../../functions/refresh/compact.ts';
import { duckDbMerger } from '../../functions/refresh/duckdb-merger.ts';

/**
 * The order compacted events are written in (compact.ts, COMPACTED_ORDER: event_type, pcn_code, upload_id,
 * source_row) and the row groups it gives, in both mergers: one month of four uploads from three PCNs whose rows
 * mix three event types (5,000 contacts, 1,500 referrals, 2,600 wellbeing measures, shuffled), compacted with
 * row groups of at most 2,048 rows, then read back row by row and through the Parquet footer's statistics.
 */
const MONTH = '2026-01';
const ROW_GROUP_ROWS = 2_048;
/** Upload id (its PCN first, as the ingest names them) and rows, in the order the store lists them. */
const UPLOADS = [
  { id: 'P01-b', pcn: 'P01', rows: 2_500 },
  { id: 'P01-d', pcn: 'P01', rows: 1_500 },
  { id: 'P02-c', pcn: 'P02', rows: 2_100 },
  { id: 'P03-a', pcn: 'P03', rows: 3_000 },
];
const TYPES = { contact: 5_000, referral: 1_500, wellbeing_measure: 2_600 };

interface Row {
  event_type: string;
  pcn_code: string;
  upload_id: string;
  source_row: number;
  event_id: string;
}

/** Two ASCII texts in byte order. */
const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** The declared order, written out here from its definition: event_type, pcn_code, upload_id, source_row. */
const declared = (a: Row, b: Row) =>
  text(a.event_type, b.event_type) ||
  text(a.pcn_code, b.pcn_code) ||
  text(a.upload_id, b.upload_id) ||
  a.source_row - b.source_row;

/** Rows of the uploads, the event types shuffled across them (a fixed seed). */
function uploadRows(uploads: typeof UPLOADS): Row[] {
  const types = Object.entries(TYPES).flatMap(([type, n]) => Array<string>(n).fill(type));
  let seed = 17;
  for (let i = types.length - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = seed % (i + 1);
    [types[i], types[j]] = [types[j] as string, types[i] as string];
  }
  let next = 0;
  return uploads.flatMap((u) =>
    Array.from({ length: u.rows }, (_, i) => ({
      event_type: types[next++] as string,
      pcn_code: u.pcn,
      upload_id: u.id,
      source_row: i + 2,
      event_id: `E${u.id}-${i}`,
    })),
  );
}

let dir: string;
let duck: DuckDBInstance;
const rowsOf = new Map<string, Row[]>();

async function storeWith(name: string, uploads: typeof UPLOADS): Promise<{ data: string; store: FsObjectStore }> {
  const data = join(dir, name);
  const store = new FsObjectStore(data);
  const rows = uploadRows(uploads);
  for (const u of uploads) {
    const own = rows.filter((r) => r.upload_id === u.id);
    const records = own.map((r) => ({ ...r, received_at: '2026-02-03T04:05:06Z', occurred_on: `${MONTH}-15` }));
    await store.put(`curated/events/event_month=${MONTH}/${u.id}.parquet`, tableToParquet(EVENTS_TABLE, records));
    await store.put(`receipts/${u.id}.json`, '{}');
  }
  rowsOf.set(data, rows);
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

/** A compacted object's rows in the order they are stored. */
const storedRows = (file: string) =>
  query<Row>(
    `SELECT event_type, pcn_code, upload_id, source_row, event_id FROM read_parquet('${file}', file_row_number = true) ORDER BY file_row_number`,
  );

/** Each row group's rows and the min and max its footer records for a column. */
const rowGroupStatistics = (file: string, column: string) =>
  query<{ rows: bigint; min: string | null; max: string | null }>(
    `SELECT row_group_num_rows AS rows, stats_min_value AS min, stats_max_value AS max FROM parquet_metadata('${file}')
     WHERE path_in_schema = '${column}' ORDER BY row_group_id`,
  );

/** The events objects a compaction left, as files. */
async function compactedFiles(store: FsObjectStore, data: string): Promise<string[]> {
  const records = await compactionRecords(store);
  return records.flatMap((r) => r.objects).map((key) => join(data, key));
}

/** The least and greatest value of a column in each row group, from the rows read back and the groups' sizes. */
function rowGroupRanges(
  rows: readonly Row[],
  sizes: readonly number[],
  column: 'event_type' | 'pcn_code',
): { min: string; max: string }[] {
  let start = 0;
  return sizes.map((size) => {
    const values = rows.slice(start, start + size).map((r) => r[column]);
    start += size;
    values.sort(text);
    return { min: values[0] as string, max: values.at(-1) as string };
  });
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
  it('the DuckDB merger writes the rows in the declared order, with event_type statistics as narrow as its row groups allow', async () => {
    const { data, store } = await storeWith('duck', UPLOADS);
    await compactCurated(store, duckDbMerger(data, { rowGroupRows: ROW_GROUP_ROWS }));
    const [file, ...others] = await compactedFiles(store, data);
    expect(others).toEqual([]);
    // Nothing left of its work folders (the COPY's output, DuckDB's spill folder).
    expect(readdirSync(join(data, '.tmp'))).toEqual([]);
    const stored = await storedRows(file as string);
    expect(stored).toEqual([...(rowsOf.get(data) as Row[])].sort(declared));

    const groups = await rowGroupStatistics(file as string, 'event_type');
    expect(groups.map((g) => Number(g.rows))).toEqual([2_048, 2_048, 2_048, 2_048, 908]);
    // Every group records the first and last event type of its rows (sorted, so nothing between them is missing),
    // and only the groups across a change of type hold two: the changes are at rows 5,000 and 6,500.
    const sizes = groups.map((g) => Number(g.rows));
    const ranges = rowGroupRanges(stored, sizes, 'event_type');
    expect(groups.map(({ min, max }) => ({ min, max }))).toEqual(ranges);
    expect(ranges).toEqual([
      { min: 'contact', max: 'contact' },
      { min: 'contact', max: 'contact' },
      { min: 'contact', max: 'referral' },
      { min: 'referral', max: 'wellbeing_measure' },
      { min: 'wellbeing_measure', max: 'wellbeing_measure' },
    ]);
    // The PCN has statistics too (DuckDB writes them for every VARCHAR column): its range in each group.
    const pcns = await rowGroupStatistics(file as string, 'pcn_code');
    expect(pcns.map(({ min, max }) => ({ min, max }))).toEqual(rowGroupRanges(stored, sizes, 'pcn_code'));
  }, 60_000);

  it('the hyparquet merger writes the rows in the declared order, each row group one event type with its statistics', async () => {
    const { data, store } = await storeWith('hyparquet', UPLOADS);
    await compactCurated(store, hyparquetMerger(store, { rowGroupRows: ROW_GROUP_ROWS }));
    const [file, ...others] = await compactedFiles(store, data);
    expect(others).toEqual([]);
    const stored = await storedRows(file as string);
    expect(stored).toEqual([...(rowsOf.get(data) as Row[])].sort(declared));

    // Each type's rows cut into the fewest groups of at most 2,048, of near-equal sizes: 5,000 contacts in three
    // (1,666, 1,667, 1,667), 1,500 referrals in one, 2,600 wellbeing measures in two.
    const groups = await rowGroupStatistics(file as string, 'event_type');
    expect(groups).toEqual([
      { rows: 1_666n, min: 'contact', max: 'contact' },
      { rows: 1_667n, min: 'contact', max: 'contact' },
      { rows: 1_667n, min: 'contact', max: 'contact' },
      { rows: 1_500n, min: 'referral', max: 'referral' },
      { rows: 1_300n, min: 'wellbeing_measure', max: 'wellbeing_measure' },
      { rows: 1_300n, min: 'wellbeing_measure', max: 'wellbeing_measure' },
    ]);
    const sizes = groups.map((g) => Number(g.rows));
    expect(rowGroupRanges(stored, sizes, 'event_type')).toEqual(groups.map(({ min, max }) => ({ min, max })));
    const pcns = await rowGroupStatistics(file as string, 'pcn_code');
    expect(pcns.map(({ min, max }) => ({ min, max }))).toEqual(rowGroupRanges(stored, sizes, 'pcn_code'));
  }, 60_000);

  it('the hyparquet merger keeps the order within each object when a month takes several', async () => {
    const { data, store } = await storeWith('hyparquet-objects', UPLOADS);
    const policy = { minUploadObjects: 2, maxCompactedObjects: 4, maxRowsPerObject: 4_000 };
    await compactCurated(store, hyparquetMerger(store, { rowGroupRows: ROW_GROUP_ROWS }), policy);
    const files = await compactedFiles(store, data);
    // Closed once an object reaches 4,000 rows, after whole uploads: 2,500 + 1,500, then 2,100 + 3,000.
    const objects = await Promise.all(files.map(storedRows));
    expect(objects.map((rows) => rows.length)).toEqual([4_000, 5_100]);
    const [first, second] = objects as [Row[], Row[]];
    const all = rowsOf.get(data) as Row[];
    expect(first).toEqual(all.filter((r) => r.pcn_code === 'P01').sort(declared));
    expect(second).toEqual(all.filter((r) => r.pcn_code !== 'P01').sort(declared));
    for (const file of files)
      for (const group of await rowGroupStatistics(file, 'event_type')) expect(group.min).toBe(group.max);
  }, 60_000);

  for (const merger of ['duckdb', 'hyparquet'] as const)
    it(`${merger}: a month merged again with a later upload is in the declared order whatever the order of its sources`, async () => {
      const { data, store } = await storeWith(`again-${merger}`, UPLOADS);
      const make = () =>
        merger === 'duckdb'
          ? duckDbMerger(data, { rowGroupRows: ROW_GROUP_ROWS })
          : hyparquetMerger(store, { rowGroupRows: ROW_GROUP_ROWS });
      await compactCurated(store, make());
      // A later upload of P02 whose id sorts before the compacted ones' (P02-c), merged with the compacted object,
      // which is read first: no room for another compacted object (maxCompactedObjects 0) makes it a merge of all.
      const later = { id: 'P02-0', pcn: 'P02', rows: 600 };
      const laterRows = uploadRows([later]);
      await store.put(
        `curated/events/event_month=${MONTH}/${later.id}.parquet`,
        tableToParquet(
          EVENTS_TABLE,
          laterRows.map((r) => ({ ...r, received_at: '2026-03-03T04:05:06Z' })),
        ),
      );
      await store.put(`receipts/${later.id}.json`, '{}');
      const result = await compactCurated(store, make(), {
        minUploadObjects: 2,
        maxCompactedObjects: 0,
        maxRowsPerObject: 1_000_000,
      });
      expect(result).toEqual({ partitions: 1, objectsBefore: 2, objectsAfter: 1 });
      const [file, ...others] = await compactedFiles(store, data);
      expect(others).toEqual([]);
      const stored = await storedRows(file as string);
      expect(stored).toEqual([...(rowsOf.get(data) as Row[]), ...laterRows].sort(declared));
      const p02contacts = stored.filter((r) => r.pcn_code === 'P02' && r.event_type === 'contact');
      expect(p02contacts[0]?.upload_id).toBe('P02-0');
    }, 60_000);
});
