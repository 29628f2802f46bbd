/**
 * bench:ingest — the ingest core against DuckDB's own CSV-to-Parquet conversion of the same file, in one run.
 * Target: the ingest within 3x of DuckDB's COPY (ratio = ingest seconds / DuckDB seconds).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeLargeEventsFile } from '../../cli/synthetic/generate.ts';
import { DEFAULT_LIMITS } from '../../functions/contract/upload.ts';
import { DEFAULT_INGEST_OPTIONS, ingestUpload } from '../../functions/ingest/ingest.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { type BenchRow, printTable, saveResults } from './report.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const work = join(tmpdir(), 'sp-outcomes-bench');
mkdirSync(work, { recursive: true });
const csv = join(work, `events-${ROWS}.csv`);
const pcnFile = `${csv}.pcn`;

if (!existsSync(csv) || !existsSync(pcnFile)) {
  console.log(`writing a ${ROWS.toLocaleString('en-GB')}-row events CSV to ${csv} …`);
  const { pcnCode } = writeLargeEventsFile(csv, ROWS, 1);
  (await import('node:fs')).writeFileSync(pcnFile, pcnCode);
}
const pcnCode = readFileSync(pcnFile, 'utf8');
const megabytes = statSync(csv).size / 1e6;
console.log(`${ROWS.toLocaleString('en-GB')} rows, ${megabytes.toFixed(0)} MB; ${RUNS} runs of each, alternating`);

async function timeIngest(): Promise<number> {
  const dir = join(work, 'store');
  rmSync(dir, { recursive: true, force: true });
  const store = new FsObjectStore(dir);
  const key = await stageUpload(store, pcnCode, 'events.csv', readFileSync(csv));
  const started = performance.now();
  // 1,000,000 rows of the full 32-column layout are about 195 MB, over the 100 MB default: the limit is configurable.
  const limits = { ...DEFAULT_LIMITS, maxBytes: 1024 * 1024 * 1024 };
  const { receipt } = await ingestUpload({ store }, { key }, { ...DEFAULT_INGEST_OPTIONS, limits });
  const seconds = (performance.now() - started) / 1000;
  if (receipt.rows.read !== ROWS) throw new Error(`ingest read ${receipt.rows.read} rows, expected ${ROWS}`);
  console.log(
    `  ingest: ${seconds.toFixed(2)} s (read+validate ${receipt.timings_ms.read_validate} ms, write ${receipt.timings_ms.write} ms), accepted ${receipt.rows.accepted.toLocaleString('en-GB')}`,
  );
  return seconds;
}

async function timeDuckDb(): Promise<number> {
  const out = join(work, 'duckdb.parquet');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const started = performance.now();
  await connection.run(`COPY (SELECT * FROM read_csv('${csv}')) TO '${out}' (FORMAT parquet)`);
  const seconds = (performance.now() - started) / 1000;
  connection.closeSync();
  instance.closeSync();
  console.log(`  DuckDB COPY: ${seconds.toFixed(2)} s`);
  return seconds;
}

const ingestTimes: number[] = [];
const duckTimes: number[] = [];
for (let run = 0; run < RUNS; run++) {
  ingestTimes.push(await timeIngest());
  duckTimes.push(await timeDuckDb());
}
const best = (xs: number[]) => Math.min(...xs);
const ratio = best(ingestTimes) / best(duckTimes);
const rows: BenchRow[] = [
  {
    bench: 'ingest',
    measure: 'ingest core, rows/s (best run)',
    value: ROWS / best(ingestTimes),
    unit: 'rows/s',
    baseline: { measure: 'DuckDB COPY read_csv → Parquet', value: ROWS / best(duckTimes) },
    ratio,
    target: 'time within 3x of DuckDB',
    pass: ratio <= 3,
  },
  { bench: 'ingest', measure: 'peak resident memory', value: process.resourceUsage().maxRSS / 1024, unit: 'MB' },
];
printTable(rows);
saveResults('ingest', rows);
