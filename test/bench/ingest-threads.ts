/**
 * What worker threads could give the ingest (issue 17's lever "partitions encoded in worker threads"), measured before
 * building it: an upper bound and the cost of moving rows between threads, in one process.
 *   npx tsx test/bench/ingest-threads.ts [rows] [rounds]
 * The tool bundles itself with esbuild (as the CDK bundles the Lambda: a worker then starts plain JavaScript, not
 * tsx's transform) and runs the bundle with Lambda's heap flags for INGEST_MEMORY_MB. Each round: the unchanged ingest
 * core on the whole file in the main thread, then on its two halves (each a file with the header) in two worker threads
 * at once: total process CPU seconds (every thread), wall, peak RSS. A real design does more than that (rows numbered
 * across chunks, duplicates and file refusals merged in order), so the second figure is a lower bound of its CPU. Then
 * the cost of handing rows as texts to a worker: 10,000-row batches of split lines posted (structured clone), the
 * main thread's CPU and the worker's. Uses the file `npm run bench:ingest` writes (generated if missing).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { DEFAULT_LIMITS } from '../../functions/contract/upload.ts';
import { DEFAULT_INGEST_OPTIONS, ingestUpload } from '../../functions/ingest/ingest.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';

const work = join(tmpdir(), 'sp-outcomes-bench');
const cpuSeconds = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1e6;
};

async function ingestFile(path: string, pcnCode: string, dir: string) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const store = new FsObjectStore(dir);
  const key = await stageUpload(store, pcnCode, 'events.csv', readFileSync(path));
  const limits = { ...DEFAULT_LIMITS, maxBytes: 1024 * 1024 * 1024 };
  const { receipt } = await ingestUpload({ store }, { key }, { ...DEFAULT_INGEST_OPTIONS, limits });
  return receipt.rows;
}

function inWorker(data: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: data });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function measure(rows: number, rounds: number) {
  const csv = join(work, `events-${rows}.csv`);
  const pcnCode = readFileSync(`${csv}.pcn`, 'utf8');
  const lines = readFileSync(csv, 'utf8').split('\n');
  const header = lines[0] as string;
  const body = lines.slice(1).filter(Boolean);
  const half = body.length >> 1;
  const halves = [body.slice(0, half), body.slice(half)].map((part, i) => {
    const path = join(work, `threads-half-${i}.csv`);
    writeFileSync(path, `${[header, ...part].join('\n')}\n`);
    return path;
  });
  for (let round = 0; round < rounds; round++) {
    let cpu = cpuSeconds();
    let wall = performance.now();
    const whole = await ingestFile(csv, pcnCode, join(work, 'threads-store-0'));
    const one = { cpu: cpuSeconds() - cpu, wall: (performance.now() - wall) / 1000, accepted: whole.accepted };
    cpu = cpuSeconds();
    wall = performance.now();
    const task = (path: string, i: number) => ({
      task: 'ingest',
      path,
      pcnCode,
      dir: join(work, `threads-store-${i + 1}`),
    });
    // INGEST_THREADS_IN_TURN=1: the two workers one after the other, which tells an isolate's own cost from two
    // threads contending for the cores.
    const parts: { accepted: number }[] = [];
    if (process.env.INGEST_THREADS_IN_TURN === '1') {
      for (const [i, path] of halves.entries()) parts.push((await inWorker(task(path, i))) as { accepted: number });
    } else
      parts.push(...((await Promise.all(halves.map((path, i) => inWorker(task(path, i))))) as { accepted: number }[]));
    const two = { cpu: cpuSeconds() - cpu, wall: (performance.now() - wall) / 1000 };
    const accepted = parts.reduce((sum, part) => sum + part.accepted, 0);
    console.log(
      `round ${round + 1}: one thread ${one.cpu.toFixed(2)} CPU s (${one.wall.toFixed(2)} s wall), two workers on halves${process.env.INGEST_THREADS_IN_TURN === '1' ? ' in turn' : ''} ${two.cpu.toFixed(2)} CPU s (${two.wall.toFixed(2)} s wall), ${(two.cpu / one.cpu).toFixed(2)}x CPU; accepted ${one.accepted} and ${accepted}; peak RSS so far ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`,
    );
  }
  // Rows handed over as texts: what the main thread and the worker spend on the structured clone alone.
  const batches: string[][][] = [];
  let cpu = cpuSeconds();
  for (let i = 0; i < body.length; i += 10_000) batches.push(body.slice(i, i + 10_000).map((line) => line.split(',')));
  const split = cpuSeconds() - cpu;
  const worker = new Worker(new URL(import.meta.url), { workerData: { task: 'count' } });
  await new Promise((resolve) => worker.once('online', resolve));
  cpu = cpuSeconds();
  for (const batch of batches) worker.postMessage(batch);
  const posted = cpuSeconds() - cpu;
  worker.postMessage('end');
  const received = (await new Promise((resolve) => worker.once('message', resolve))) as { rows: number; cpu: number };
  await worker.terminate();
  console.log(
    `rows as texts to a worker: split ${split.toFixed(2)} CPU s, posting ${posted.toFixed(2)} CPU s (main thread), receiving ${received.cpu.toFixed(2)} CPU s (worker), ${received.rows} rows`,
  );
}

if (!isMainThread) {
  const data = workerData as { task: string; path: string; pcnCode: string; dir: string };
  if (data.task === 'ingest') parentPort?.postMessage(await ingestFile(data.path, data.pcnCode, data.dir));
  else {
    let rows = 0;
    let started: NodeJS.CpuUsage | undefined;
    parentPort?.on('message', (message: string[][] | 'end') => {
      started ??= process.cpuUsage();
      if (message !== 'end') rows += message.length;
      else {
        const used = process.cpuUsage(started);
        parentPort?.postMessage({ rows, cpu: (used.user + used.system) / 1e6 });
      }
    });
  }
} else if (process.argv[2] === '--bundled') {
  await measure(Number(process.argv[3]), Number(process.argv[4]));
} else {
  const rows = Number(process.argv[2] ?? 400_000);
  const rounds = Number(process.argv[3] ?? 2);
  const csv = join(work, `events-${rows}.csv`);
  if (!existsSync(`${csv}.pcn`)) {
    mkdirSync(work, { recursive: true });
    const { writeLargeEventsFile } = await import('../../cli/synthetic/generate.ts');
    writeFileSync(`${csv}.pcn`, writeLargeEventsFile(csv, rows, 1).pcnCode);
  }
  const { INGEST_MEMORY_MB } = await import('../../infra/constructs/ingest-pipeline.ts');
  const { buildSync } = await import('esbuild');
  // Beside this file, so that the packages left outside it (the CDK's, which the generator's imports reach) resolve.
  const bundle = fileURLToPath(new URL('./.ingest-threads.bundle.mjs', import.meta.url));
  buildSync({
    entryPoints: [fileURLToPath(import.meta.url)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: bundle,
    packages: 'external',
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  const newSpace = Math.floor(INGEST_MEMORY_MB / 10);
  const flags = [
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${INGEST_MEMORY_MB - newSpace}`,
  ];
  console.log(`${rows} rows, ${rounds} rounds, node ${flags.join(' ')} (Lambda's flags for ${INGEST_MEMORY_MB} MB)`);
  try {
    execFileSync(process.execPath, [...flags, bundle, '--bundled', String(rows), String(rounds)], { stdio: 'inherit' });
  } finally {
    rmSync(bundle, { force: true });
  }
}
