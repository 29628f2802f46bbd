import { readFileSync } from 'node:fs';
import { DEFAULT_LIMITS } from './functions/contract/upload.ts';
import { DEFAULT_INGEST_OPTIONS, ingestUpload } from './functions/ingest/ingest.ts';
import { stageUpload } from './functions/ingest/landing.ts';
import { FsObjectStore } from './functions/lib/object-store.ts';
import { PartitionedColumns } from './functions/lib/parquet.ts';
const csv = '/tmp/sp-outcomes-bench/events-300000.csv';
const store = new FsObjectStore('/tmp/pingest-addbench');
const key = await stageUpload(store, readFileSync(`${csv}.pcn`, 'utf8'), 'events.csv', readFileSync(csv));
const recorded: [string, unknown[], Int32Array, number][] = [];
const original = PartitionedColumns.prototype.add;
let table: any; let lineage: any;
PartitionedColumns.prototype.add = function (this: any, p, values, slots, row) {
  table ??= this.table; lineage ??= this.lineage;
  recorded.push([p, [...values], slots, row]);
  return original.call(this, p, values, slots, row);
};
const cpu0 = process.cpuUsage();
await ingestUpload({ store }, { key }, { ...DEFAULT_INGEST_OPTIONS, limits: { ...DEFAULT_LIMITS, maxBytes: 1 << 30 } });
console.log('ingest cpu', (process.cpuUsage(cpu0).user / 1e6).toFixed(2));
PartitionedColumns.prototype.add = original;
for (let run = 0; run < 4; run++) {
  const cpu = process.cpuUsage();
  const columns = new PartitionedColumns(table, lineage);
  for (const [p, v, s, r] of recorded) columns.add(p, v, s, r);
  const mid = process.cpuUsage(cpu);
  let bytes = 0;
  for (const p of columns.counts().keys()) bytes += columns.toParquet(p).length;
  const end = process.cpuUsage(cpu);
  console.log(`add ${(mid.user / 1e6).toFixed(2)} s, total with toParquet ${(end.user / 1e6).toFixed(2)} s, ${bytes} bytes`);
}
const names = table.columns.map((c: any) => c.name);
const fieldNames: string[] = (await import('./functions/ingest/validate-row.ts')).fieldNamesOf((await import('./functions/ingest/validate-row.ts')).KINDS.events as any);
const kinds: Record<string, string[]> = {};
const types = Object.fromEntries(table.columns.map((c: any) => [c.name, c.type]));
for (const f of fieldNames) (kinds[types[f] ?? 'none'] ??= []).push(f);
console.log(JSON.stringify(kinds));
const time = (label: string, drop: Set<string>) => {
  const idx = fieldNames.map((f, j) => (drop.has(f) ? j : -1)).filter((j) => j >= 0);
  const rows = recorded.map(([p, v, s, r]) => { const c = [...v]; for (const j of idx) c[j] = undefined; return [p, c, s, r] as const; });
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const cpu = process.cpuUsage();
    const columns = new PartitionedColumns(table, lineage);
    for (const [p, v, s, r] of rows) columns.add(p, v, s, r);
    best = Math.min(best, process.cpuUsage(cpu).user / 1e6);
  }
  console.log(label.padEnd(30), best.toFixed(2));
};
time('all', new Set());
time('no strings', new Set(kinds.string));
time('no person/referral', new Set(['person_id', 'referral_id']));
time('no event_id', new Set(['event_id']));
time('no dates/timestamps', new Set([...(kinds.date ?? []), ...(kinds.timestamp ?? [])]));
time('no numbers', new Set([...(kinds.int32 ?? []), ...(kinds.double ?? []), ...(kinds.boolean ?? [])]));
time('nothing', new Set(fieldNames));
