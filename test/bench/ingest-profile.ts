/**
 * One ingest of a generated events CSV in this process, for a profiler:
 *   node --cpu-prof --cpu-prof-dir=DIR --import tsx test/bench/ingest-profile.ts [rows]
 *   node --expose-gc --trace-gc --import tsx test/bench/ingest-profile.ts [rows]
 * V8's collections are scheduled as the ingest Lambda's handler schedules them (PROFILE_DEFAULT_GC=1: V8's default).
 * Uses the file `npm run bench:ingest` writes (BENCH_ROWS rows under the system temp folder), staged into a fresh store.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeLargeEventsFile } from '../../cli/synthetic/generate.ts';
import { DEFAULT_LIMITS } from '../../functions/contract/upload.ts';
import { DEFAULT_INGEST_OPTIONS, ingestUpload } from '../../functions/ingest/ingest.ts';
import { scheduleIngestCollections } from '../../functions/ingest/ingest-heap.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';

const rows = Number(process.argv[2] ?? 200_000);
const work = join(tmpdir(), 'sp-outcomes-bench');
mkdirSync(work, { recursive: true });
const csv = join(work, `events-${rows}.csv`);
if (!existsSync(csv) || !existsSync(`${csv}.pcn`)) {
  writeFileSync(`${csv}.pcn`, writeLargeEventsFile(csv, rows, 1).pcnCode);
}
// As the ingest Lambda's handler does on its first call (PROFILE_DEFAULT_GC=1 keeps V8's default schedule).
if (!process.env.PROFILE_DEFAULT_GC) scheduleIngestCollections();
const storeDir = join(work, `profile-store-${process.pid}`);
try {
  const store = new FsObjectStore(storeDir);
  const key = await stageUpload(store, readFileSync(`${csv}.pcn`, 'utf8'), 'events.csv', readFileSync(csv));
  // The staged copy is garbage now; with --expose-gc it goes before the ingest starts, so the peaks are the ingest's.
  (globalThis as { gc?: () => void }).gc?.();
  const limits = { ...DEFAULT_LIMITS, maxBytes: 1024 * 1024 * 1024 };
  // The largest of each memory figure, sampled while the ingest runs (it yields between chunks of the file).
  // With --expose-gc and PROFILE_LIVE=1, a full collection before every tenth sample: `live` is then the most the heap
  // held in use (the collections change the other peaks: measure those without PROFILE_LIVE).
  const peak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0, live: 0 };
  const gc = process.env.PROFILE_LIVE ? (globalThis as { gc?: () => void }).gc : undefined;
  let samples = 0;
  const sampler = setInterval(() => {
    samples += 1;
    if (gc && samples % 10 === 0) {
      gc();
      peak.live = Math.max(peak.live, process.memoryUsage().heapUsed);
    }
    const now = process.memoryUsage();
    for (const name of ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'] as const) {
      peak[name] = Math.max(peak[name], now[name]);
    }
  }, 100);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { receipt } = await ingestUpload({ store }, { key }, { ...DEFAULT_INGEST_OPTIONS, limits });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
  let curatedBytes = 0;
  for (const key of receipt.outputs.curated) curatedBytes += (await store.get(key))?.length ?? 0;
  console.log(
    `${receipt.rows.read} rows in ${seconds.toFixed(2)} s (${Math.round(receipt.rows.read / seconds)} rows/s, CPU ${((used.user + used.system) / 1e6).toFixed(2)} s), peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB, timings ${JSON.stringify(receipt.timings_ms)}, Parquet written ${mb(curatedBytes)} MB in ${receipt.outputs.curated.length} objects; sampled peaks (MB): ${Object.entries(
      peak,
    )
      .map(([name, bytes]) => `${name} ${mb(bytes)}`)
      .join(', ')}`,
  );
} finally {
  rmSync(storeDir, { recursive: true, force: true });
}
