/**
 * Copies a compacted data folder (e.g. a cached bench:refresh layout, READ-ONLY) and rewrites each events object of
 * the copy in the order compaction writes now (functions/refresh/compact.ts: EVENT_GROUP_SQL, then upload and source
 * row; COMPACTED_ROW_GROUP_ROWS a row group), so that the refresh's SQL can be measured on the layout production
 * reads. The layouts cached under /tmp/sp-outcomes-bench were compacted before events were grouped by kind (perfsql4,
 * issue 17): a scan for one kind there decodes every vector, and measures costs that the grouped layout no longer has.
 * Object names and compaction records are kept, so a refresh of the copy (refresh-documents.ts) finds what it expects.
 *
 *   npx tsx test/bench/refresh-regroup.ts <data folder> <new folder>
 *   npx tsx test/bench/refresh-profile.ts <new folder>/data
 *
 * The 25% layout (24 months, 24 objects): about 23 CPU s on one thread (load 13); its events 284 MB as cached, 357 MB grouped.
 */
import { cpSync, existsSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { COMPACTED_ROW_GROUP_ROWS, EVENT_GROUP_SQL } from '../../functions/refresh/compact.ts';

const [source, target] = process.argv.slice(2);
if (!source || !target) {
  console.error('usage: refresh-regroup.ts <data folder> <new folder>');
  process.exit(2);
}
if (existsSync(target)) {
  console.error(`${target} exists: give a new folder (the copy is written there)`);
  process.exit(2);
}
const data = join(target, 'data');
cpSync(source, data, { recursive: true });
// One thread and a bounded pool, as the compaction merger runs (MERGER_SETTINGS).
const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '1GB' });
const connection = await instance.connect();
const events = join(data, 'curated', 'events');
let objects = 0;
for (const month of readdirSync(events).sort()) {
  for (const file of readdirSync(join(events, month)).filter((f) => f.endsWith('.parquet'))) {
    const path = join(events, month, file);
    // hive_partitioning off: the month is the folder's, not a column of the object.
    await connection.run(
      `COPY (SELECT * FROM read_parquet('${path}', hive_partitioning = false) ORDER BY ${EVENT_GROUP_SQL}, "upload_id", "source_row") ` +
        `TO '${path}.regrouped' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${COMPACTED_ROW_GROUP_ROWS})`,
    );
    renameSync(`${path}.regrouped`, path);
    objects++;
  }
}
connection.closeSync();
instance.closeSync();
console.log(`${objects} events objects rewritten grouped by kind in ${data}`);
