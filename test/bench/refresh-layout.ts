/**
 * How bench:refresh lays generated upload files out as the ingest writes them, without running the ingest on each
 * of England's 93,000 files: DuckDB reads the generator's CSV files and writes one Parquet object per upload and month
 * under `curated/<kind>/<partition>=<M>/<upload-id>.parquet`, every column of the curated table cast to its type, with
 * the lineage (upload_id, source_row, received_at) the ingest adds; then a receipt per upload, and the uploads table.
 * Used for the national datasets and for the corrections and retractions laid over them (refresh-amendments.ts).
 */
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { EVENTS_TABLE, type PartitionedTableSpec, WORKFORCE_TABLE } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { DUCKDB_TYPES } from '../../functions/lib/table-ddl.ts';
import { publishUploads } from '../../functions/refresh/publish-tables.ts';

/** Where the generated datasets are cached (BENCH_CACHE_DIR: another folder, e.g. a copy to write beside). */
export const BENCH_CACHE_DIR = process.env.BENCH_CACHE_DIR ?? join(tmpdir(), 'sp-outcomes-bench');

/** When every upload of the benchmark's datasets landed (the tie-break after recorded_at). */
export const RECEIVED_AT = '2026-10-01T00:00:00.000Z';

/**
 * The bench's own DuckDB instances (layout, receipts, floor, amendments, Athena's scan): a memory limit, and no
 * external file cache, which keeps what is read from every file until the memory limit (DuckDB's default: 80% of the
 * machine's memory) and grew with each of the national layout's 132,000 objects (issue 17; duckdb-merger.ts).
 */
export const BENCH_DUCKDB: Readonly<Record<string, string>> = {
  memory_limit: '2GB',
  enable_external_file_cache: 'false',
};

let instances = 0;

export async function duck(): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  // Beyond the limit DuckDB spills: to a folder of each instance's own under the system temp folder.
  const temp_directory = join(tmpdir(), `sp-outcomes-bench-duckdb-${process.pid}-${instances++}`);
  const instance = await DuckDBInstance.create(':memory:', { ...BENCH_DUCKDB, temp_directory });
  return { instance, connection: await instance.connect() };
}

export const secondsSince = (started: number) => `${((performance.now() - started) / 1000).toFixed(0)} s`;

/**
 * DuckDB writes `<kind>/<partition>=<M>/part_upload=<U>/data_0.parquet`; the ingest writes
 * `<kind>/<partition>=<M>/<U>.parquet`. Moves every file to the ingest's key and returns the object count.
 */
function nameAsTheIngest(staging: string, target: string): number {
  let objects = 0;
  for (const partition of readdirSync(staging)) {
    mkdirSync(join(target, partition), { recursive: true });
    for (const upload of readdirSync(join(staging, partition))) {
      const files = readdirSync(join(staging, partition, upload));
      if (files.length !== 1)
        throw new Error(`expected one Parquet file in ${partition}/${upload}, not ${files.length}`);
      const uploadId = upload.slice('part_upload='.length);
      renameSync(join(staging, partition, upload, files[0] as string), join(target, partition, `${uploadId}.parquet`));
      objects++;
    }
  }
  rmSync(staging, { recursive: true });
  return objects;
}

const KINDS = [
  { kind: 'events', table: EVENTS_TABLE, month: "strftime(CAST(occurred_on AS DATE), '%Y-%m') AS event_month" },
  { kind: 'workforce', table: WORKFORCE_TABLE, month: 'snapshot_month' },
] as const;

/**
 * Lays out the generator's upload files of one folder (`<PCN>-<kind>-...csv`, each file one upload named by its file
 * name) under `<data>/curated/`, as the ingest would write them; returns the objects written. The rows are sorted by
 * partition and upload first: a file holds rows of the month or two before too (the demo's late attendance), and
 * DuckDB's partitioned write closes a partition's file when more than 100 are open, starting a second file for it when
 * its rows come again (national, 36 months: "expected one Parquet file in event_month=2023-11/part_upload=U78443-events-
 * 2024-01, not 2").
 */
async function layOutUploads(
  connection: DuckDBConnection,
  folder: string,
  data: string,
  kinds: readonly ('events' | 'workforce')[] = ['events', 'workforce'],
): Promise<number> {
  const uploadOf = "regexp_extract(filename, '([^/]+)\\.csv$', 1)";
  const lineage: Record<string, string> = {
    upload_id: uploadOf,
    // The file's line: the ingest counts the CSV header as row 1.
    source_row: 'CAST(row_number() OVER (PARTITION BY filename) + 1 AS INTEGER)',
    received_at: `TIMESTAMP '${RECEIVED_AT.slice(0, 19).replace('T', ' ')}'`,
  };
  const columns = (table: PartitionedTableSpec) =>
    table.columns
      .map((c) => `${lineage[c.name] ?? `CAST("${c.name}" AS ${DUCKDB_TYPES[c.type]})`} AS "${c.name}"`)
      .join(', ');
  let objects = 0;
  for (const { kind, table, month } of KINDS.filter((k) => kinds.includes(k.kind))) {
    if (!readdirSync(folder).some((file) => file.includes(`-${kind}-`) && file.endsWith('.csv'))) continue;
    const staging = join(data, 'curated', `${kind}-staging`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(join(data, 'curated'), { recursive: true });
    await connection.run(`COPY (SELECT ${columns(table)}, ${month}, ${uploadOf} AS part_upload
      FROM read_csv('${folder}/*-${kind}-*.csv', header = true, filename = true, all_varchar = true)
      ORDER BY ${table.partition.name}, part_upload, source_row)
      TO '${staging}' (FORMAT parquet, PARTITION_BY (${table.partition.name}, part_upload), COMPRESSION snappy)`);
    objects += nameAsTheIngest(staging, join(data, 'curated', kind));
  }
  return objects;
}

/**
 * Lays out every upload file under `uploads/<month>/` (one month at a time: a partitioned COPY keeps a writer open per
 * partition, and all of England's 93,000 at once took 20 GB) with one writer thread, so that each partition is one
 * file, as the ingest writes one object per upload and month. Returns the objects written.
 */
export async function layOutMonths(
  uploads: string,
  data: string,
  kinds: readonly ('events' | 'workforce')[] = ['events', 'workforce'],
): Promise<number> {
  const { instance, connection } = await duck();
  await connection.run('SET threads = 1');
  await connection.run("SET memory_limit = '4GB'");
  let objects = 0;
  try {
    for (const month of readdirSync(uploads).sort())
      objects += await layOutUploads(connection, join(uploads, month), data, kinds);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return objects;
}

/**
 * An upload counts once its receipt exists: gives every loaded upload whose id is LIKE `uploadIds` the receipt the
 * ingest would have written, then publishes the uploads table (incrementally: only new receipts are read).
 */
export async function writeReceipts(data: string, uploadIds = '%'): Promise<number> {
  const started = performance.now();
  const { instance, connection } = await duck();
  mkdirSync(join(data, 'receipts'), { recursive: true });
  let written = 0;
  for (const kind of ['events', 'workforce'] as const) {
    const reader = await connection.runAndReadAll(
      `SELECT upload_id, CAST(count(*) AS INTEGER) AS n FROM read_parquet('${data}/curated/${kind}/*/*.parquet')
       WHERE upload_id LIKE $1 GROUP BY upload_id`,
      [uploadIds],
    );
    for (const [uploadId, n] of reader.getRows() as [string, number][]) {
      const receipt = {
        upload_id: uploadId,
        pcn_code: uploadId.slice(0, 6),
        kind,
        status: 'accepted',
        received_at: RECEIVED_AT,
        rows: { read: n, accepted: n, rejected: 0 },
        rejected_by_reason: {},
        file_error: null,
      };
      writeFileSync(join(data, 'receipts', `${uploadId}.json`), JSON.stringify(receipt));
      written++;
    }
  }
  connection.closeSync();
  instance.closeSync();
  await publishUploads(new FsObjectStore(data));
  console.log(`  ${written.toLocaleString('en-GB')} receipts written in ${secondsSince(started)}`);
  return written;
}
