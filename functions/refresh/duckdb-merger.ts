import { readdirSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DUCKDB_TYPES } from '../lib/table-ddl.ts';
import { releaseTempFolder, reportSwept, sweepTemp, TEMP_DIR, tempFolder } from '../lib/temp-files.ts';
import {
  EVENT_GROUP_SQL,
  groupsByEventType,
  type ParquetMerger,
  COMPACTED_ROW_GROUP_ROWS as ROW_GROUP,
} from './compact.ts';

/**
 * The merger's DuckDB instance: one thread (see below), a memory limit of its own, and no external file cache.
 * DuckDB (1.3 on) keeps what it reads from every file in an "external file cache" in its buffer pool, evicted only at
 * the memory limit, whose default is 80% of the machine's memory; a compaction reads every object once and never
 * again, so the cache only grows: on the national layout's 30,816 workforce objects (1.2 kB each) it held 489 MB
 * (duckdb_memory() tag EXTERNAL_FILE_CACHE; the process's RSS 811 MB, 244 MB without the cache), and the national
 * bench's first compaction (132,000 objects) reached 21.6 GB of RSS on a 24 GB machine (issue 17). A COPY streams its
 * row groups, so 512 MB is ample: the merge is the same, row for row.
 */
export const MERGER_SETTINGS: Readonly<Record<string, string>> = {
  threads: '1',
  memory_limit: '512MB',
  enable_external_file_cache: 'false',
};

/**
 * The instance's settings for merges `concurrency` at a time: MERGER_SETTINGS with 512 MB of the limit for each merge.
 * The events' merges sort their rows (below), and the instance's limit is shared by the merges running at once: two
 * months of the 25% bench layout (about 600 upload objects of 550 rows each) merged at once under one 512 MB limit ran
 * out of memory ("failed to allocate data", 3 times in 4) and stopped the compaction, while one merge alone, even of
 * 1,160 such objects, ran within it (peak RSS 760 MB; issue 17).
 */
export function mergerSettings(concurrency: number): Readonly<Record<string, string>> {
  return { ...MERGER_SETTINGS, memory_limit: `${512 * Math.max(1, concurrency)}MB` };
}
const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * The local merger for compaction (compact.ts): one DuckDB COPY of a partition's objects' rows, every column cast to
 * the specification's type, into files of at most maxRows rows (whole row groups), then put through the store.
 *
 * One DuckDB instance serves every partition of a compaction (opened on the first merge, closed by compactCurated
 * when it ends), and partitions are merged `concurrency` at a time, each on a connection of its own. The instance
 * runs with one thread, so each COPY is one pipeline that writes its rows in order, whole row groups, no more than
 * maxRows a file; the parallelism is across partitions instead (two months merged at once on two cores). Measured
 * on the 8% demo (4,866 objects, 40 partitions): the cost is the Parquet decoding and encoding of the rows, not
 * the instance; one COPY with PARTITION_BY for all months took as long as a COPY per month.
 *
 * The events are written in the compacted order (compact.ts, SEPARATE_EVENT_TYPES: the group, then upload and source
 * row) across the partition's files: the COPY sorts them (spilling a sort larger than its memory). DuckDB writes
 * min/max statistics of every column, VARCHAR included, for each row group; its row groups are cut by count, so a
 * group's first and last row group may hold a neighbour's rows too.
 */
export function duckDbMerger(
  root: string,
  options: {
    readonly concurrency?: number;
    /** The instance's settings. @default mergerSettings(concurrency) */
    readonly settings?: Readonly<Record<string, string>>;
  } = {},
): ParquetMerger {
  let instance: Promise<DuckDBInstance> | undefined;
  const concurrency = options.concurrency ?? Math.max(1, Math.min(2, availableParallelism()));
  return {
    concurrency,
    async merge(table, keys, maxRows, write) {
      // Opening the instance, first what a compaction or refresh killed before has left (review 21, R21-5).
      instance ??= sweepTemp(join(root, TEMP_DIR)).then((swept) => {
        reportSwept(join(root, TEMP_DIR), swept);
        return DuckDBInstance.create(':memory:', { ...(options.settings ?? mergerSettings(concurrency)) });
      });
      const connection = await (await instance).connect();
      const dir = tempFolder(join(root, TEMP_DIR), 'compact');
      try {
        const files = keys.map((key) => sqlString(join(root, ...key.split('/'))));
        const select = table.columns
          .map((c) => `CAST("${c.name}" AS ${DUCKDB_TYPES[c.type]}) AS "${c.name}"`)
          .join(', ');
        const orderBy = groupsByEventType(table) ? ` ORDER BY ${EVENT_GROUP_SQL}, "upload_id", "source_row"` : '';
        await connection.run(
          `COPY (SELECT ${select} FROM read_parquet([${files.join(', ')}], union_by_name = true)${orderBy}) TO ${sqlString(dir)} ` +
            `(FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${ROW_GROUP}, ROW_GROUPS_PER_FILE ${Math.max(1, Math.floor(maxRows / ROW_GROUP))})`,
        );
        const outputs = (readdirSync(dir) as string[]).filter((f) => f.endsWith('.parquet')).sort();
        for (const file of outputs) {
          const path = join(dir, file);
          const counted = await connection.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(path)})`);
          await write(await readFile(path), Number(counted.getRows()[0]?.[0]));
        }
      } finally {
        connection.closeSync();
        await rm(dir, { recursive: true, force: true });
        releaseTempFolder(dir);
      }
    },
    async close() {
      const open = instance;
      instance = undefined;
      (await open)?.closeSync();
    },
  };
}
