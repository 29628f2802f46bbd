/**
 * The ingest with its CSV rows judged in a worker thread (functions/ingest/ingest-thread.ts) against the same code in
 * one thread, side by side in one run:
 *   npx tsx test/bench/ingest-judge.ts [rows] [rounds]
 * The tool bundles itself with esbuild, as the CDK bundles the ingest Lambda (a bundle starts itself as its worker, so
 * this measures what Lambda would run, not tsx's loader in the worker), then each round runs one ingest per mode in a
 * fresh process with Lambda's heap flags for INGEST_MEMORY_MB and the collections the handler schedules, the two modes
 * taking turns going first: wall seconds, CPU seconds of the process (every thread), peak RSS. The two modes' curated
 * Parquet objects, quarantine and receipts (timings left out) are compared byte for byte, and must be the same. Uses
 * the file `npm run bench:ingest` writes (generated if missing).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
// Imported statically, as the Lambda's handler imports them: the bundle's worker then holds the judging module.
import { DEFAULT_LIMITS } from '../../functions/contract/upload.ts';
import { DEFAULT_INGEST_OPTIONS, ingestUpload } from '../../functions/ingest/ingest.ts';
import { scheduleIngestCollections } from '../../functions/ingest/ingest-heap.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';

const work = join(tmpdir(), 'sp-outcomes-bench');

interface Measured {
  readonly mode: string;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakMb: number;
  readonly accepted: number;
}

/** The child: one ingest of the file into a fresh store, with SP_INGEST_THREADS as the parent set it. */
async function child(csv: string, pcnCode: string, dir: string): Promise<void> {
  scheduleIngestCollections();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const store = new FsObjectStore(dir);
  const key = await stageUpload(store, pcnCode, 'events.csv', readFileSync(csv));
  const limits = { ...DEFAULT_LIMITS, maxBytes: 1024 * 1024 * 1024 };
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { receipt } = await ingestUpload(
    { store, clock: () => new Date('2026-12-06T12:00:00Z') },
    { key, receivedAt: new Date('2026-12-06T11:00:00Z') },
    { ...DEFAULT_INGEST_OPTIONS, limits },
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const result: Measured = {
    mode: process.env.SP_INGEST_THREADS ?? 'auto',
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakMb: process.resourceUsage().maxRSS / 1024,
    accepted: receipt.rows.accepted,
  };
  console.log(JSON.stringify(result));
  if (process.env.JUDGE_THREADS_CPU) console.error(threadCpu());
}

/** CPU seconds of this process's threads by name (Linux /proc), the largest first: where the CPU went. */
function threadCpu(): string {
  const tick = 100;
  const byName = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cpu = (Number(fields[11]) + Number(fields[12])) / tick;
      byName.set(`${name}#${tid}`, cpu);
    } catch {}
  }
  return [...byName].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([n, c]) => `${n} ${c.toFixed(2)}`).join(', ');
}

/** Every file under dir, by path, receipts without their timings and processing time. */
function outputs(dir: string): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!path.includes('/landing/')) {
        let bytes = readFileSync(path);
        if (path.includes('/receipts/')) {
          const receipt = JSON.parse(bytes.toString('utf8'));
          delete receipt.timings_ms;
          delete receipt.processed_at;
          bytes = Buffer.from(JSON.stringify(receipt));
        }
        found.set(relative(dir, path), bytes);
      }
    }
  };
  walk(dir);
  return found;
}

function sameOutputs(a: string, b: string): string {
  const left = outputs(a);
  const right = outputs(b);
  const keys = [...new Set([...left.keys(), ...right.keys()])].sort();
  const differ = keys.filter((key) => !(left.get(key)?.equals(right.get(key) as Buffer) ?? false));
  return differ.length === 0 ? `${keys.length} objects identical` : `DIFFER: ${differ.slice(0, 5).join(', ')}`;
}

if (isMainThread) {
  if (process.argv[2] === '--child') {
    await child(process.argv[3] as string, process.argv[4] as string, process.argv[5] as string);
    process.exit(0);
  }
  const rows = Number(process.argv[2] ?? 1_000_000);
  const rounds = Number(process.argv[3] ?? 2);
  const csv = join(work, `events-${rows}.csv`);
  if (!existsSync(`${csv}.pcn`)) {
    mkdirSync(work, { recursive: true });
    const { writeLargeEventsFile } = await import('../../cli/synthetic/generate.ts');
    writeFileSync(`${csv}.pcn`, writeLargeEventsFile(csv, rows, 1).pcnCode);
  }
  const pcnCode = readFileSync(`${csv}.pcn`, 'utf8');
  const { INGEST_MEMORY_MB } = await import('../../infra/constructs/ingest-pipeline.ts');
  const { buildSync } = await import('esbuild');
  const bundle = fileURLToPath(new URL('./.ingest-judge.bundle.mjs', import.meta.url));
  buildSync({
    entryPoints: [fileURLToPath(import.meta.url)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: bundle,
    packages: 'external',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });
  const newSpace = Math.floor(INGEST_MEMORY_MB / 10);
  const flags = [
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${INGEST_MEMORY_MB - newSpace}`,
  ];
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(
    `${rows} rows (${(statSync(csv).size / 1e6).toFixed(0)} MB), ${rounds} rounds, node ${flags.join(' ')}; load ${load()}`,
  );
  const modes = ['0', 'auto'];
  const results: Measured[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? modes : [...modes].reverse();
      for (const mode of order) {
        const env = { ...process.env };
        if (mode === 'auto') delete env.SP_INGEST_THREADS;
        else env.SP_INGEST_THREADS = mode;
        const dir = join(work, `judge-store-${mode}`);
        const prof = process.env.JUDGE_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.JUDGE_PROFILE}`] : [];
        const output = execFileSync(process.execPath, [...flags, ...prof, bundle, '--child', csv, pcnCode, dir], {
          env,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        const result = JSON.parse(output.trim().split('\n').at(-1) as string) as Measured;
        results.push(result);
        console.log(
          `round ${round + 1} threads=${mode}: ${result.seconds.toFixed(2)} s wall, ${result.cpuSeconds.toFixed(2)} CPU s, peak ${Math.round(result.peakMb)} MB, accepted ${result.accepted}; load ${load()}`,
        );
      }
      console.log(`  outputs: ${sameOutputs(join(work, 'judge-store-0'), join(work, 'judge-store-auto'))}`);
    }
  } finally {
    if (!process.env.JUDGE_PROFILE) rmSync(bundle, { force: true });
  }
  for (const mode of modes) {
    const mine = results.filter((r) => r.mode === mode);
    const best = (f: (r: Measured) => number) => Math.min(...mine.map(f)).toFixed(2);
    console.log(
      `threads=${mode}: best ${best((r) => r.seconds)} s wall, ${best((r) => r.cpuSeconds)} CPU s; peak ${Math.round(Math.max(...mine.map((r) => r.peakMb)))} MB`,
    );
  }
}
