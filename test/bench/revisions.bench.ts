/**
 * What the revisions policy (functions/refresh/revisions.ts) costs a refresh, on a copy of a bench data folder:
 *
 *   npx tsx test/bench/revisions.bench.ts <data folder>
 *
 * Copies the folder's curated objects, receipts and reference (the folder itself is never written), then refreshes the
 * copy twice with the same data: the first release (nothing to difference against: the private record is made) and a
 * second (the previous documents and the record are read, every England figure checked). Prints, for each, the whole
 * refresh's wall and CPU seconds, the revisions' own step (deciding, and writing the record), and the record's size.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { REVISIONS_STATE_KEY } from '../../functions/lib/keys.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { DuckDbEngine, duckDbMerger } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';

async function main(source: string): Promise<void> {
  const copy = mkdtempSync(join(tmpdir(), 'revisions-bench-'));
  try {
    for (const folder of ['curated', 'receipts', 'reference', 'compactions'])
      if (existsSync(join(source, folder))) cpSync(join(source, folder), join(copy, folder), { recursive: true });
    for (const [label, clock] of [
      ['first release', '2026-12-01T09:00:00.000Z'],
      ['second release (same data)', '2026-12-01T10:00:00.000Z'],
    ] as const) {
      const engine = new DuckDbEngine(copy);
      const cpu = process.cpuUsage();
      const started = performance.now();
      const result = await refreshMetrics({
        store: new FsObjectStore(copy),
        engine,
        clock: () => new Date(clock),
        compaction: { merger: duckDbMerger(copy) },
      });
      const wall = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      await engine.close();
      const t = result.timings_ms;
      const stateFile = join(copy, REVISIONS_STATE_KEY);
      const json = gunzipSync(readFileSync(stateFile)).length;
      console.log(
        `${label}: refresh ${wall.toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} CPU s (process); ` +
          `revisions deciding ${((t['revisions of England figures'] ?? 0) / 1000).toFixed(2)} s of disclosure and derived ` +
          `${((t['disclosure control and derived figures'] ?? 0) / 1000).toFixed(2)} s; writing the record ` +
          `${((t['record the release for revisions'] ?? 0) / 1000).toFixed(2)} s; record ${(statSync(stateFile).size / 1e6).toFixed(2)} MB gzip ` +
          `(${(json / 1e6).toFixed(1)} MB JSON)`,
      );
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

const [source] = process.argv.slice(2);
if (source === undefined) {
  console.error('usage: npx tsx test/bench/revisions.bench.ts <data folder>');
  process.exit(2);
}
await main(source);
