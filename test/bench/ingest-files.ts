/**
 * The ingest's fixed cost per file, on files shaped like the demo's (a few hundred rows each), in this process:
 *   npx tsx test/bench/ingest-files.ts [files] [rows per file]
 *   FILES_CPU_PROFILE=out.cpuprofile npx tsx test/bench/ingest-files.ts [files] [rows per file]
 * Cuts rows of the cached 300,000-row events CSV (ingest-profile.ts writes it) into that many files of one month each
 * (as the demo's monthly files are: one Parquet object per file), and also keeps the same rows as one file. Ingests the one file first (which also warms the JIT), then the small
 * files one after the other into the same store, and prints both times: the difference over the file count is the
 * cost of a file beyond its rows. FILES_CPU_PROFILE writes a CPU profile of the small files' ingest alone.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeLargeEventsFile } from '../../cli/synthetic/generate.ts';
import { ingestUpload } from '../../functions/ingest/ingest.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';

const files = Number(process.argv[2] ?? 300);
const perFile = Number(process.argv[3] ?? 500);
const work = join(tmpdir(), 'sp-outcomes-bench');
mkdirSync(work, { recursive: true });
const csv = join(work, 'events-300000.csv');
if (!existsSync(csv) || !existsSync(`${csv}.pcn`)) {
  writeFileSync(`${csv}.pcn`, writeLargeEventsFile(csv, 300_000, 1).pcnCode);
}
const pcnCode = readFileSync(`${csv}.pcn`, 'utf8');
const lines = readFileSync(csv, 'utf8').split('\n');
const header = lines[0] as string;
const occurredOn = header.split(',').indexOf('occurred_on');
const byMonth = new Map<string, string[]>();
for (const line of lines.slice(1)) {
  if (line === '') continue;
  const month = (line.split(',')[occurredOn] as string).slice(0, 7);
  const monthLines = byMonth.get(month);
  if (monthLines === undefined) byMonth.set(month, [line]);
  else monthLines.push(line);
}
/** Each file's rows: one month's, perFile at a time, month after month. */
const cut: string[][] = [];
for (const monthLines of byMonth.values()) {
  for (let at = 0; at + perFile <= monthLines.length && cut.length < files; at += perFile)
    cut.push(monthLines.slice(at, at + perFile));
}
if (cut.length < files) throw new Error(`the cached file has fewer than ${files} one-month runs of ${perFile} rows`);
const body = (rows: string[]) => Buffer.from(`${[header, ...rows].join('\n')}\n`);

const storeDir = join(work, `files-store-${process.pid}`);
try {
  const store = new FsObjectStore(storeDir);
  const whole = await stageUpload(store, pcnCode, 'events.csv', body(cut.flat()));
  const keys: string[] = [];
  // The same rows again, cut into files: the event ids repeat across uploads, as corrections do, which is allowed.
  for (const rows of cut) keys.push(await stageUpload(store, pcnCode, 'events.csv', body(rows)));
  const time = async (keysToIngest: string[]) => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    let rows = 0;
    for (const key of keysToIngest) rows += (await ingestUpload({ store }, { key })).receipt.rows.accepted;
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6, rows };
  };
  const one = await time([whole]);
  const profile = process.env.FILES_CPU_PROFILE;
  const session = new Session();
  if (profile) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const many = await time(keys);
  if (profile) writeFileSync(profile, JSON.stringify((await session.post('Profiler.stop')).profile));
  const ms = (seconds: number) => (seconds * 1000).toFixed(0);
  console.log(
    `one file of ${one.rows} rows: ${ms(one.seconds)} ms (CPU ${ms(one.cpu)} ms); ${files} files of ${perFile} rows: ${ms(many.seconds)} ms (CPU ${ms(many.cpu)} ms); per file beyond its rows: ${(((many.seconds - one.seconds) / files) * 1000).toFixed(2)} ms wall, ${(((many.cpu - one.cpu) / files) * 1000).toFixed(2)} ms CPU; per row (one file): ${((one.seconds / one.rows) * 1e6).toFixed(1)} us`,
  );
} finally {
  rmSync(storeDir, { recursive: true, force: true });
}
