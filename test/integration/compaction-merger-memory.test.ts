import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_TABLE } from '../../functions/contract/index.ts';
import { DUCKDB_TYPES } from '../../functions/lib/table-ddl.ts';
import { TEMP_DIR } from '../../functions/lib/temp-files.ts';
import { duckDbMerger } from '../../functions/refresh/duckdb-merger.ts';

/**
 * Two months of events merged at once by the local compaction merger, each month as the ingest leaves it: hundreds of
 * small objects, one per upload (the 25% bench layout has about 600 a month, of 550 rows each). Both merges sort
 * their rows (compact.ts's grouped order) in one DuckDB instance; with one 512 MB limit for the instance, two such
 * merges at once ran out of memory ("failed to allocate data", 3 of 4 tries on two of the 25% layout's months, issue
 * 17) and the bench's compaction stopped. Each merge now has 512 MB of the instance's limit.
 */
const MONTHS = ['2026-01', '2026-02'];
const OBJECTS = 400;
const ROWS = 700;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'merger-concurrent-'));
  // The store's temporary folder, which FsObjectStore makes and the merger writes its COPY into.
  mkdirSync(join(root, TEMP_DIR));
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  // Every column of the events table, filled as real rows are: ids and texts different on every row.
  const text = (i: number) => `md5(CAST(i * ${i + 7} AS VARCHAR))`;
  const values = EVENTS_TABLE.columns.map((c, index) => {
    const value = {
      string:
        c.name === 'event_type'
          ? `CASE i % 5 WHEN 0 THEN 'referral' WHEN 1 THEN 'service_use' ELSE 'contact' END`
          : text(index),
      int32: 'CAST(i % 1000 AS INTEGER)',
      double: 'i / 7.0',
      boolean: 'i % 2 = 0',
      date: "DATE '2026-01-01' + CAST(i % 28 AS INTEGER)",
      timestamp: "TIMESTAMP '2026-01-01' + to_seconds(i)",
    }[c.type];
    const named =
      c.name === 'upload_id'
        ? `'U' || lpad(CAST(i // ${ROWS} AS VARCHAR), 5, '0')`
        : c.name === 'source_row'
          ? `CAST(i % ${ROWS} AS INTEGER)`
          : value;
    return `CAST(${named} AS ${DUCKDB_TYPES[c.type]}) AS "${c.name}"`;
  });
  for (const month of MONTHS) {
    mkdirSync(join(root, 'curated', 'events'), { recursive: true });
    await connection.run(
      `COPY (SELECT ${values.join(', ')}, i // ${ROWS} AS object FROM range(${OBJECTS * ROWS}) t(i))
       TO '${join(root, 'curated', 'events', `event_month=${month}`)}' (FORMAT parquet, PARTITION_BY (object))`,
    );
  }
  connection.closeSync();
  instance.closeSync();
}, 180_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('refresh/duckdb-merger: months merged at once each within memory', () => {
  it('merges two months of 400 upload objects each at once, every row written', async () => {
    const merger = duckDbMerger(root, { concurrency: 2 });
    const written = new Map<string, number>();
    try {
      await Promise.all(
        MONTHS.map((month) => {
          const folder = join('curated', 'events', `event_month=${month}`);
          const keys = readdirSync(join(root, folder)).map((object) => `${folder}/${object}/data_0.parquet`);
          expect(keys).toHaveLength(OBJECTS);
          return merger.merge(EVENTS_TABLE, keys, 1_000_000, async (_bytes, rows) => {
            written.set(month, (written.get(month) ?? 0) + rows);
          });
        }),
      );
    } finally {
      await merger.close?.();
    }
    // 400 objects of 700 rows: 280,000 rows a month, each month one object (under 1,000,000 rows).
    expect(Object.fromEntries(written)).toEqual({ '2026-01': 280_000, '2026-02': 280_000 });
  }, 180_000);
});
