/**
 * The ingest's Parquet writer alone (PartitionedColumns.add and toParquet), on validated rows of the cached events
 * CSV, with two trees' writers taking turns in one process and their files compared byte for byte:
 *   npx tsx test/bench/ingest-parquet.ts [rows] [rounds] [label=<source root> ...]
 * e.g. `npx tsx test/bench/ingest-parquet.ts 300000 6 main=/tmp/main this=.`. The rows are read and validated once
 * (this tree's fast path), held as the values the ingest hands the writer, then written by each tree in turn, round
 * after round; prints each tree's CPU seconds per round and the best, and exits 1 if any file differs. With
 * PARQUET_BY_MONTH=1 the rows are given month by month (a file sorted by date) instead of in the file's order.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeLargeEventsFile } from '../../cli/synthetic/generate.ts';
import { CURATED_TABLES } from '../../functions/contract/index.ts';
import { EVENTS_KIND, fieldNamesOf, fieldsFastPathOf } from '../../functions/ingest/validate-row.ts';
import * as thisWriter from '../../functions/lib/parquet.ts';

const rows = Number(process.argv[2] ?? 300_000);
const rounds = Number(process.argv[3] ?? 4);
const trees = process.argv.slice(4).map((arg) => {
  const [label, root] = arg.split('=') as [string, string];
  return { label, root: resolve(root) };
});
if (trees.length === 0) trees.push({ label: 'this', root: resolve('.') });

const work = join(tmpdir(), 'sp-outcomes-bench');
mkdirSync(work, { recursive: true });
const csv = join(work, `events-${rows}.csv`);
if (!existsSync(csv) || !existsSync(`${csv}.pcn`))
  writeFileSync(`${csv}.pcn`, writeLargeEventsFile(csv, rows, 1).pcnCode);

// The rows as the ingest hands them to the writer: validated values by field position, the month, the row number.
const fieldNames = fieldNamesOf(EVENTS_KIND);
const fast = fieldsFastPathOf(EVENTS_KIND);
if (fast === undefined) throw new Error('no fast path for events');
const lines = readFileSync(csv, 'utf8').split('\n');
const header = (lines[0] as string).split(',');
const fieldOf = header.map((name) => fieldNames.indexOf(name));
const occurredOn = fieldNames.indexOf('occurred_on');
const held: { month: string; values: unknown[]; row: number }[] = [];
for (let i = 1; i < lines.length; i++) {
  const line = lines[i] as string;
  if (line === '') continue;
  if (line.includes('"')) throw new Error('the cached file is read without quotes');
  const byField: unknown[] = fieldNames.map(() => undefined);
  line.split(',').forEach((text, j) => {
    byField[fieldOf[j] as number] = text === '' ? undefined : text;
  });
  const values: unknown[] = fieldNames.map(() => undefined);
  if (!fast(byField, values)) throw new Error(`row ${i + 1} is not accepted by the fast path`);
  held.push({ month: (values[occurredOn] as string).slice(0, 7), values, row: i + 1 });
}
if (process.env.PARQUET_BY_MONTH) held.sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : a.row - b.row));

const lineage = { upload_id: 'U00203-00000000-0000-0000-0000-000000000000', received_at: '2026-12-01T09:30:00.000Z' };
type Writer = typeof import('../../functions/lib/parquet.ts');
const writers: { label: string; module: Writer; cpu: number[]; files?: Map<string, Uint8Array> }[] = [];
for (const { label, root } of trees) {
  // This tree's writer is imported statically (a bundle of this script then profiles it line by line).
  const module =
    root === resolve('.') ? thisWriter : ((await import(join(root, 'functions/lib/parquet.ts'))) as Writer);
  writers.push({ label, module, cpu: [] });
}

function write(module: Writer): Map<string, Uint8Array> {
  const columns = new module.PartitionedColumns(CURATED_TABLES.events, lineage);
  const slots = columns.slotsOf(fieldNames);
  for (const { month, values, row } of held) columns.add(month, values, slots, row);
  const files = new Map<string, Uint8Array>();
  for (const partition of columns.counts().keys()) files.set(partition, columns.toParquet(partition));
  return files;
}

let differ = false;
for (let round = 0; round < rounds; round++) {
  // Take turns going first.
  const order = round % 2 === 0 ? writers : [...writers].reverse();
  for (const writer of order) {
    const cpu = process.cpuUsage();
    const files = write(writer.module);
    const used = process.cpuUsage(cpu);
    writer.cpu.push((used.user + used.system) / 1e6);
    writer.files ??= files;
  }
}
const reference = writers[0]?.files as Map<string, Uint8Array>;
for (const writer of writers.slice(1)) {
  const files = writer.files as Map<string, Uint8Array>;
  const same =
    files.size === reference.size &&
    [...reference].every(([partition, bytes]) => Buffer.from(bytes).equals(Buffer.from(files.get(partition) ?? [])));
  if (!same) differ = true;
  console.log(`${writer.label}: ${same ? 'the same' : 'DIFFERENT'} ${files.size} files as ${writers[0]?.label}`);
}
for (const writer of writers) {
  console.log(
    `${writer.label}: ${held.length} rows, CPU s per round ${writer.cpu.map((s) => s.toFixed(3)).join(' ')}; best ${Math.min(...writer.cpu).toFixed(3)}`,
  );
}
if (differ) process.exit(1);
