/**
 * Everything two trees' ingests write for the same uploads, compared byte for byte:
 *   npx tsx test/bench/ingest-compare.ts <file or folder> <tree A> <tree B>
 * e.g. `npx tsx test/bench/ingest-compare.ts /tmp/demo /tmp/main .` after `sp-outcomes generate --out /tmp/demo`.
 * A folder is read for the generator's upload files (U00000-….csv, .csv.gz, .jsonl; the PCN from the name); a single
 * file takes its PCN from `<file>.pcn`, as the bench's cached CSV has it. Each tree ingests every upload into a store
 * of its own with one received_at and one clock, so that the curated Parquet, the quarantine and the receipts (their
 * timings_ms left out: the time each step took) must be identical. Prints the counts; exits 1 if anything differs.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { DEFAULT_LIMITS } from '../../functions/contract/upload.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';

const [input, ...roots] = process.argv.slice(2);
if (input === undefined || roots.length !== 2) {
  console.error('usage: ingest-compare.ts <file or folder> <tree A> <tree B>');
  process.exit(2);
}
const single = !statSync(input).isDirectory();
const UPLOAD = /^U\d{5}-.*\.(csv|csv\.gz|jsonl|jsonl\.gz)$/;
const files: string[] = [];
const walk = (path: string) => {
  if (!statSync(path).isDirectory()) {
    if (UPLOAD.test(basename(path))) files.push(path);
    return;
  }
  for (const name of readdirSync(path).sort()) walk(join(path, name));
};
if (single) files.push(input);
else walk(input);

type Ingest = typeof import('../../functions/ingest/ingest.ts');
const limits = { ...DEFAULT_LIMITS, maxBytes: 1024 * 1024 * 1024 };
const receivedAt = new Date('2026-12-01T09:30:00Z');
const clock = () => new Date('2026-12-06T12:00:00Z');
const outputs: Map<string, Buffer>[] = [];
for (const root of roots) {
  const module = (await import(join(resolve(root), 'functions/ingest/ingest.ts'))) as Ingest;
  const dir = join(tmpdir(), `ingest-compare-${process.pid}-${outputs.length}`);
  rmSync(dir, { recursive: true, force: true });
  const store = new FsObjectStore(dir);
  const written = new Map<string, Buffer>();
  for (const file of files) {
    const name = basename(file);
    const pcn = single ? readFileSync(`${file}.pcn`, 'utf8') : (name.split('-')[0] as string);
    const key = await stageUpload(store, pcn, name.replace(/^U\d{5}-/, ''), readFileSync(file));
    const options = { ...module.DEFAULT_INGEST_OPTIONS, limits };
    const { receipt } = await module.ingestUpload({ store, clock }, { key, receivedAt }, options);
    const { timings_ms: _timings, ...rest } = receipt;
    written.set(`receipt:${receipt.upload_id}`, Buffer.from(JSON.stringify(rest)));
    const keys = [...receipt.outputs.curated, ...(receipt.outputs.quarantine ? [receipt.outputs.quarantine] : [])];
    for (const output of keys) written.set(output, Buffer.from((await store.get(output)) ?? []));
  }
  outputs.push(written);
  rmSync(dir, { recursive: true, force: true });
}
const [a, b] = outputs as [Map<string, Buffer>, Map<string, Buffer>];
const differing = [...new Set([...a.keys(), ...b.keys()])].filter((key) => {
  const x = a.get(key);
  const y = b.get(key);
  return x === undefined || y === undefined || !x.equals(y);
});
for (const key of differing.slice(0, 10)) console.log(`differs: ${key}`);
const count = (prefix: string) => [...a.keys()].filter((key) => key.startsWith(prefix)).length;
console.log(
  `${files.length} uploads: ${a.size} outputs of ${roots[0]} (${count('receipt:')} receipts, ${count('curated/')} curated objects, ${count('quarantine/')} quarantine objects), ${b.size} of ${roots[1]}; ${differing.length} differ`,
);
process.exit(differing.length > 0 ? 1 : 0);
