/**
 * bench:ingest — the ingest core against DuckDB's own CSV-to-Parquet conversion of the same file, in one run.
 * Targets: the ingest within 3x of DuckDB's COPY (ratio = ingest seconds / DuckDB seconds; the aim is 2x), and the
 * ingest's peak resident memory under 512 MB for a 1,000,000-row file. Each ingest runs in a process of its own, so
 * its peak memory is its own (not the generator's, DuckDB's or the staging copy's), started with the V8 heap flags the
 * ingest Lambda runs with: AWS's Node.js runtime starts node with --max-semi-space-size and --max-old-space-size
 * derived from the function's memory size (its /var/runtime/bootstrap: new space = memory / 10, semi-space = new
 * space / 2, old space = memory - new space), and those command-line flags win over NODE_OPTIONS (Node.js CLI docs,
 * "Options from the command line take precedence over options passed through NODE_OPTIONS"), so the function's
 * memory size (INGEST_MEMORY_MB) is what sets the heap there. BENCH_HEAP_MB caps the old space instead, for an
 * experiment, and the table then says so. The child also schedules V8's collections as the ingest Lambda's handler
 * does on its first call (functions/ingest/ingest-heap.ts), where the version measured has that module. CPU seconds of
 * both sides are printed too: on a shared machine the wall times move with the load, the CPU times much less.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Receipt } from '../../functions/contract/index.ts';
import { DEFAULT_LIMITS } from '../../functions/contract/upload.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { type BenchRow, printTable, saveResults } from './report.ts';

const TIME_RATIO_TARGET = 3;
const TIME_RATIO_AIM = 2;
const MEMORY_BUDGET_MB = 512;
const HEAP_MB = process.env.BENCH_HEAP_MB ? Number(process.env.BENCH_HEAP_MB) : undefined;

interface ChildResult {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakMb: number;
  readonly receipt: Pick<Receipt, 'rows' | 'timings_ms'>;
}

/**
 * The child: one ingest of an upload already staged in the store, reported as one JSON line; with a baseline folder
 * (another checkout of the repository), that version's ingest.
 */
async function child(dir: string, key: string, baseline: string | undefined): Promise<void> {
  const module = baseline
    ? join(baseline, 'functions/ingest/ingest.ts')
    : fileURLToPath(new URL('../../functions/ingest/ingest.ts', import.meta.url));
  const { DEFAULT_INGEST_OPTIONS, ingestUpload } = (await import(
    module
  )) as typeof import('../../functions/ingest/ingest.ts');
  // What the ingest Lambda's handler does on its first call, where the version has it: V8's collections scheduled
  // for a process that only ingests (functions/ingest/ingest-heap.ts).
  const heap = join(dirname(module), 'ingest-heap.ts');
  if (existsSync(heap)) {
    ((await import(heap)) as typeof import('../../functions/ingest/ingest-heap.ts')).scheduleIngestCollections();
  }
  const store = new FsObjectStore(dir);
  // 1,000,000 rows of the full 32-column layout are about 195 MB, over the 100 MB default: the limit is configurable.
  const limits = { ...DEFAULT_LIMITS, maxBytes: 1024 * 1024 * 1024 };
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { receipt } = await ingestUpload({ store }, { key }, { ...DEFAULT_INGEST_OPTIONS, limits });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const result: ChildResult = {
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakMb: process.resourceUsage().maxRSS / 1024,
    receipt: { rows: receipt.rows, timings_ms: receipt.timings_ms },
  };
  console.log(JSON.stringify(result));
}

if (process.argv[2] === '--child') {
  await child(process.argv[3] as string, process.argv[4] as string, process.argv[5]);
  process.exit(0);
}

// Imported here, not above: the child must not load DuckDB, the generator or the CDK (its memory is what is measured).
const { DuckDBInstance } = await import('@duckdb/node-api');
const { writeLargeEventsFile } = await import('../../cli/synthetic/generate.ts');
const { INGEST_MEMORY_MB } = await import('../../infra/constructs/ingest-pipeline.ts');
/** The heap flags Lambda's Node.js bootstrap gives a function of INGEST_MEMORY_MB (see above). */
const NEW_SPACE_MB = Math.floor(INGEST_MEMORY_MB / 10);
const HEAP_FLAGS = HEAP_MB
  ? [`--max-old-space-size=${HEAP_MB}`]
  : [
      `--max-semi-space-size=${Math.floor(NEW_SPACE_MB / 2)}`,
      `--max-old-space-size=${INGEST_MEMORY_MB - NEW_SPACE_MB}`,
    ];
const HEAP_SETTING = HEAP_MB
  ? `V8 old space capped at ${HEAP_MB} MB`
  : `V8 heap as Lambda sets it for ${INGEST_MEMORY_MB} MB (${HEAP_FLAGS.join(' ')})`;
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
/** Another checkout of the repository (e.g. /work/main): its ingest runs too, alternating with this one's. */
const BASELINE = process.env.BENCH_BASELINE;
/** A folder to keep the Parquet each version wrote (its last run) in, under `ours/` and `baseline/`, for comparison. */
const KEEP = process.env.BENCH_KEEP_PARQUET;
const work = join(tmpdir(), 'sp-outcomes-bench');
mkdirSync(work, { recursive: true });
const csv = join(work, `events-${ROWS}.csv`);
const pcnFile = `${csv}.pcn`;

if (!existsSync(csv) || !existsSync(pcnFile)) {
  console.log(`writing a ${ROWS.toLocaleString('en-GB')}-row events CSV to ${csv} …`);
  const { pcnCode } = writeLargeEventsFile(csv, ROWS, 1);
  writeFileSync(pcnFile, pcnCode);
}
const pcnCode = readFileSync(pcnFile, 'utf8');
const megabytes = statSync(csv).size / 1e6;
console.log(`${ROWS.toLocaleString('en-GB')} rows, ${megabytes.toFixed(0)} MB; ${RUNS} runs of each, alternating`);

/** A store of this process's own, so two benchmarks running at once do not share one. */
const storeDir = join(work, `store-${process.pid}`);

async function timeIngest(baseline?: string): Promise<ChildResult> {
  rmSync(storeDir, { recursive: true, force: true });
  const key = await stageUpload(new FsObjectStore(storeDir), pcnCode, 'events.csv', readFileSync(csv));
  const self = fileURLToPath(import.meta.url);
  const args = [...HEAP_FLAGS, '--import', 'tsx', self, '--child', storeDir, key, ...(baseline ? [baseline] : [])];
  const output = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const result = JSON.parse(output.trim().split('\n').at(-1) as string) as ChildResult;
  const { rows, timings_ms } = result.receipt;
  if (rows.read !== ROWS) throw new Error(`ingest read ${rows.read} rows, expected ${ROWS}`);
  if (KEEP) {
    const kept = join(KEEP, baseline ? 'baseline' : 'ours');
    rmSync(kept, { recursive: true, force: true });
    cpSync(join(storeDir, 'curated'), kept, { recursive: true });
  }
  console.log(
    `  ingest${baseline ? ' (baseline)' : ''}: ${result.seconds.toFixed(2)} s (read+validate ${timings_ms.read_validate} ms, write ${timings_ms.write} ms; CPU ${result.cpuSeconds.toFixed(2)} s), accepted ${rows.accepted.toLocaleString('en-GB')}, peak ${Math.round(result.peakMb)} MB`,
  );
  return result;
}

async function timeDuckDb(): Promise<{ seconds: number; cpuSeconds: number }> {
  const out = join(work, `duckdb-${process.pid}.parquet`);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await connection.run(`COPY (SELECT * FROM read_csv('${csv}')) TO '${out}' (FORMAT parquet)`);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  connection.closeSync();
  instance.closeSync();
  rmSync(out, { force: true });
  console.log(`  DuckDB COPY: ${seconds.toFixed(2)} s (CPU ${cpuSeconds.toFixed(2)} s)`);
  return { seconds, cpuSeconds };
}

const ingests: ChildResult[] = [];
const baselines: ChildResult[] = [];
const ducks: { seconds: number; cpuSeconds: number }[] = [];
try {
  for (let run = 0; run < RUNS; run++) {
    // The two versions take turns going first: the one run just after DuckDB's two threads, or first of all, was
    // measured up to a fifth more CPU seconds on the shared machine (the same code against itself).
    if (BASELINE && run % 2 === 1) baselines.push(await timeIngest(BASELINE));
    ingests.push(await timeIngest());
    if (BASELINE && run % 2 === 0) baselines.push(await timeIngest(BASELINE));
    ducks.push(await timeDuckDb());
  }
} finally {
  rmSync(storeDir, { recursive: true, force: true });
}
const best = (xs: number[]) => Math.min(...xs);
const ingestSeconds = best(ingests.map((run) => run.seconds));
const duckTimes = ducks.map((run) => run.seconds);
const ratio = ingestSeconds / best(duckTimes);
const cpuRatio = best(ingests.map((run) => run.cpuSeconds)) / best(ducks.map((run) => run.cpuSeconds));
const peakMb = Math.max(...ingests.map((run) => run.peakMb));
const rows: BenchRow[] = [
  {
    bench: 'ingest',
    measure: `ingest core, ${ROWS.toLocaleString('en-GB')} rows, rows/s (best run)`,
    value: ROWS / ingestSeconds,
    unit: 'rows/s',
    baseline: { measure: 'DuckDB COPY read_csv → Parquet', value: ROWS / best(duckTimes) },
    ratio,
    target: `time within ${TIME_RATIO_TARGET}x of DuckDB (aim ${TIME_RATIO_AIM}x)`,
    pass: ratio <= TIME_RATIO_TARGET,
  },
  {
    bench: 'ingest',
    measure: `ingest peak resident memory, ${ROWS.toLocaleString('en-GB')} rows, ${HEAP_SETTING} (worst run)`,
    value: peakMb,
    unit: 'MB',
    ratio: peakMb / MEMORY_BUDGET_MB,
    target: `under ${MEMORY_BUDGET_MB} MB`,
    pass: peakMb < MEMORY_BUDGET_MB,
  },
];
console.log(`CPU seconds, best runs: ingest / DuckDB COPY = ${cpuRatio.toFixed(2)}x (DuckDB's on all cores)`);
if (baselines.length > 0) {
  const bestCpu = (runs: ChildResult[]) => best(runs.map((run) => run.cpuSeconds));
  const bestWall = (runs: ChildResult[]) => best(runs.map((run) => run.seconds));
  console.log(
    `baseline ${BASELINE}, best runs: wall ${bestWall(baselines).toFixed(2)} s (${(bestWall(baselines) / best(duckTimes)).toFixed(2)}x DuckDB), CPU ${bestCpu(baselines).toFixed(2)} s (${(bestCpu(baselines) / best(ducks.map((run) => run.cpuSeconds))).toFixed(2)}x DuckDB), peak ${Math.round(Math.max(...baselines.map((run) => run.peakMb)))} MB; this version / baseline: wall ${(ingestSeconds / bestWall(baselines)).toFixed(2)}x, CPU ${(bestCpu(ingests) / bestCpu(baselines)).toFixed(2)}x`,
  );
}
printTable(rows);
saveResults('ingest', rows);
