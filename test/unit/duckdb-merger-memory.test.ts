import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MERGER_SETTINGS, mergerSettings } from '../../functions/refresh/duckdb-merger.ts';

/**
 * The compaction merger's DuckDB instance keeps nothing of the objects it has read (issue 17: the national bench's
 * compaction grew to 21.6 GB). DuckDB caches what it reads from every file (its external file cache, in the buffer
 * pool, evicted only at the memory limit, by default 80% of the machine's memory); a compaction reads each object once,
 * so the cache only grew with the objects merged.
 */
let dir: string;
let files: string[];
const OBJECTS = 200;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'merger-memory-'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  // 200 small objects of 3 rows each, as an upload's workforce object of one month.
  await connection.run(
    `COPY (SELECT i // 3 AS part, 'U' || lpad(CAST(i AS VARCHAR), 5, '0') AS upload_id, i AS source_row FROM range(${OBJECTS * 3}) t(i))
     TO '${dir}' (FORMAT parquet, PARTITION_BY (part))`,
  );
  files = Array.from({ length: OBJECTS }, (_, part) => `'${join(dir, `part=${part}`, 'data_0.parquet')}'`);
  connection.closeSync();
  instance.closeSync();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Reads every object once, as a merge does, then returns the bytes DuckDB holds in its external file cache. */
async function cachedAfterReading(settings: Record<string, string>): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:', settings);
  const connection = await instance.connect();
  try {
    const read = await connection.runAndReadAll(`SELECT count(*) FROM read_parquet([${files.join(', ')}])`);
    // 200 objects of 3 rows: 600 rows read.
    expect(Number(read.getRows()[0]?.[0])).toBe(OBJECTS * 3);
    const cached = await connection.runAndReadAll(
      "SELECT memory_usage_bytes FROM duckdb_memory() WHERE tag = 'EXTERNAL_FILE_CACHE'",
    );
    return Number(cached.getRows()[0]?.[0] ?? 0);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('refresh/duckdb-merger: the merger holds nothing of the objects it has read', () => {
  it("keeps no file cache, where DuckDB's defaults keep some of every object read", async () => {
    // As the merger's instance was made before (one thread, DuckDB's other defaults): the cache holds the objects.
    expect(await cachedAfterReading({ threads: '1' })).toBeGreaterThan(0);
    expect(await cachedAfterReading({ ...MERGER_SETTINGS })).toBe(0);
  });

  it('runs within a memory limit of its own, not 80% of the machine', async () => {
    const instance = await DuckDBInstance.create(':memory:', { ...MERGER_SETTINGS });
    const connection = await instance.connect();
    const limit = await connection.runAndReadAll("SELECT current_setting('memory_limit')");
    connection.closeSync();
    instance.closeSync();
    // 512MB is 512,000,000 bytes, which DuckDB shows in MiB: 512e6 / 2^20 = 488.28 MiB.
    expect(limit.getRows()[0]?.[0]).toBe('488.2 MiB');
  });

  it('gives each merge running at once 512 MB of the limit, with no file cache', () => {
    expect(mergerSettings(1)).toEqual(MERGER_SETTINGS);
    expect(mergerSettings(2)).toEqual({ threads: '1', memory_limit: '1024MB', enable_external_file_cache: 'false' });
  });
});
