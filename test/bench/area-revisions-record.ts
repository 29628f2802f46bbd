/**
 * The record of revisions below England (area-revisions.ts, R11-1): its size and the refresh time it costs.
 *
 *   npx tsx test/bench/area-revisions-record.ts <data folder>
 *     copies the folder's curated objects, receipts and reference (the folder itself is never written), refreshes the
 *     copy twice as `npm start` does, a day apart with no new data (the first release writes the record, the second
 *     reads it), and prints each refresh's time, its step 'revisions of figures below England', the record's size
 *     (gzipped, and as JSON) and the number of ICB and region rows each document holds (none expected: nothing changed).
 */
import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { currentRelease } from '../../functions/lib/release.ts';
import { AREA_REVISIONS_STATE_KEY } from '../../functions/refresh/area-revisions.ts';
import { DuckDbEngine, duckDbMerger } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';

const [source] = process.argv.slice(2);
if (!source) {
  console.error('usage: area-revisions-record.ts <data folder>');
  process.exit(2);
}
const copy = mkdtempSync(join(tmpdir(), 'area-revisions-record-'));
try {
  for (const folder of ['curated', 'receipts', 'reference', 'compactions'])
    if (existsSync(join(source, folder))) cpSync(join(source, folder), join(copy, folder), { recursive: true });
  const store = new FsObjectStore(copy);
  for (const clock of ['2026-12-01T09:00:00.000Z', '2026-12-02T09:00:00.000Z']) {
    const engine = new DuckDbEngine(copy);
    const started = performance.now();
    try {
      const result = await refreshMetrics({
        store,
        engine,
        clock: () => new Date(clock),
        compaction: { merger: duckDbMerger(copy) },
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const areas = ((result.timings_ms['revisions of figures below England'] ?? 0) / 1000).toFixed(2);
      const record = (result.timings_ms['record the release for revisions below England'] ?? 0) / 1000;
      console.log(
        `${clock}: refresh ${seconds} s; revisions below England ${areas} s, writing its record ${record.toFixed(2)} s`,
      );
      const held: [string, number][] = [];
      for (const name of result.documents) {
        const bytes = await (await currentRelease(store)).get(`metrics/${name}.json`);
        const summary = bytes && JSON.parse(Buffer.from(bytes).toString('utf8')).summary;
        const rows = summary?.revisions_held_below_england?.rows as string[] | undefined;
        if (rows !== undefined) held.push([name, rows.length]);
      }
      console.log(`  documents holding rows below England: ${held.length === 0 ? 'none' : JSON.stringify(held)}`);
    } finally {
      await engine.close();
    }
    const path = join(copy, AREA_REVISIONS_STATE_KEY);
    const bytes = await store.get(AREA_REVISIONS_STATE_KEY);
    const json = bytes === undefined ? 0 : gunzipSync(bytes).length;
    console.log(
      `  record: ${(statSync(path).size / 1e6).toFixed(2)} MB gzipped, ${(json / 1e6).toFixed(1)} MB as JSON`,
    );
  }
} finally {
  rmSync(copy, { recursive: true, force: true });
}
