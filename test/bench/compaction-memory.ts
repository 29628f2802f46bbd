/**
 * The local compaction merger's memory over many small objects (issue 17: the national bench's first compaction
 * reached 21.6 GB of RSS). Merges every partition of a data folder's curated table that holds upload objects, as
 * compactCurated would, with one merger (one DuckDB instance for all of them), and throws the merged bytes away: the
 * data folder is only read (the merger's scratch goes under its .tmp and is removed). After each partition prints the
 * objects merged so far and the process's RSS.
 *
 *   npx tsx test/bench/compaction-memory.ts <data folder> [events|workforce] [before]
 *     `before`: the merger's instance as it was before (one thread, DuckDB's other defaults: a memory limit of 80% of
 *     the machine's memory and the external file cache on); otherwise MERGER_SETTINGS.
 */
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { EVENTS_TABLE, WORKFORCE_TABLE } from '../../functions/contract/index.ts';
import { uploadIdOf } from '../../functions/refresh/compact.ts';
import { duckDbMerger, MERGER_SETTINGS } from '../../functions/refresh/duckdb-merger.ts';

const [data, kind = 'workforce', variant = 'after'] = process.argv.slice(2);
if (!data) throw new Error('usage: compaction-memory.ts <data folder> [events|workforce] [before]');
const table = kind === 'events' ? EVENTS_TABLE : WORKFORCE_TABLE;
const settings = variant === 'before' ? { threads: '1' } : MERGER_SETTINGS;
const merger = duckDbMerger(data, { concurrency: 1, settings });
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
let objects = 0;
let peak = 0;
const started = performance.now();
console.log(`${table.name}, merger settings ${JSON.stringify(settings)}; RSS ${mb(process.memoryUsage().rss)} MB`);
for (const partition of readdirSync(join(data, table.prefix)).sort()) {
  const keys = readdirSync(join(data, table.prefix, partition))
    .map((file) => `${table.prefix}/${partition}/${file}`)
    .filter((key) => uploadIdOf(key) !== undefined);
  if (keys.length < 2) continue;
  let rows = 0;
  await merger.merge(table, keys, 1_000_000, async (_bytes, n) => {
    rows += n;
  });
  objects += keys.length;
  const rss = process.memoryUsage().rss;
  peak = Math.max(peak, rss);
  console.log(`${partition}: ${keys.length} objects, ${rows} rows; ${objects} objects so far; RSS ${mb(rss)} MB`);
}
await merger.close?.();
console.log(
  `${objects} objects merged in ${((performance.now() - started) / 1000).toFixed(1)} s; peak RSS after a partition ${mb(peak)} MB; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
