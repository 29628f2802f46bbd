/**
 * Publishes the documents of a refresh of a data folder, for comparing two versions of the SQL byte for byte.
 *
 *   npx tsx test/bench/refresh-documents.ts publish <data folder> <out folder>
 *     copies the folder's curated objects, receipts and reference (the folder itself is never written), refreshes the
 *     copy as `npm start` does (compaction included) with a fixed clock, copies every published object (metrics/**:
 *     documents and packs) to <out folder>, and prints each step's time;
 *   npx tsx test/bench/refresh-documents.ts compare <out folder A> <out folder B>
 *     compares every published object of the two byte for byte; exits 1 on any difference.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { DuckDbEngine, duckDbMerger } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';

const FIXED_CLOCK = () => new Date('2026-12-01T09:00:00.000Z');

async function publish(source: string, out: string): Promise<void> {
  const copy = mkdtempSync(join(tmpdir(), 'refresh-documents-'));
  try {
    for (const folder of ['curated', 'receipts', 'reference', 'compactions', 'demo-input'])
      if (existsSync(join(source, folder))) cpSync(join(source, folder), join(copy, folder), { recursive: true });
    const engine = new DuckDbEngine(copy);
    const started = performance.now();
    try {
      const result = await refreshMetrics({
        store: new FsObjectStore(copy),
        engine,
        clock: FIXED_CLOCK,
        compaction: { merger: duckDbMerger(copy) },
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`refresh: ${seconds} s, ${result.documents.length} documents, data as of ${result.dataAsOf}`);
      for (const [step, ms] of Object.entries(result.timings_ms)) console.log(`  ${step}: ${(ms / 1000).toFixed(2)} s`);
    } finally {
      await engine.close();
    }
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    cpSync(join(copy, 'metrics'), out, { recursive: true });
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

function compare(a: string, b: string): number {
  const files = (dir: string) => (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.includes('.'));
  const [left, right] = [new Set(files(a)), new Set(files(b))];
  const differences = [
    ...[...left].filter((f) => !right.has(f)).map((f) => `only in ${a}: ${f}`),
    ...[...right].filter((f) => !left.has(f)).map((f) => `only in ${b}: ${f}`),
    ...[...left]
      .filter((f) => right.has(f) && !readFileSync(join(a, f)).equals(readFileSync(join(b, f))))
      .map((f) => `differs: ${f}`),
  ];
  for (const line of differences) console.log(line);
  console.log(`${left.size} published objects compared; ${differences.length} differences`);
  return differences.length === 0 ? 0 : 1;
}

const [command, first, second] = process.argv.slice(2);
if (command === 'publish' && first && second) await publish(first, second);
else if (command === 'compare' && first && second) process.exitCode = compare(first, second);
else {
  console.error('usage: refresh-documents.ts publish <data folder> <out folder> | compare <out A> <out B>');
  process.exitCode = 2;
}
