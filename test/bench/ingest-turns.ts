/**
 * Whole ingests of the cached events CSV in one process, two variants taking turns, for an A/B comparison on a busy
 * machine (in-process, so both see the same load):
 *   npx tsx test/bench/ingest-turns.ts [rows] [rounds] [label=<source root> ...]
 * Each label's tree's ingestUpload runs once a round, the order turned round each round; prints CPU seconds per run
 * and the best of each. Every run ingests the same upload with the same received_at, so the Parquet objects of every
 * tree are compared byte for byte with the first tree's (exit 1 on a difference). Uses the file `npm run bench:ingest`
 * writes (ingest-profile.ts and ingest-parquet.ts write it too).
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_LIMITS } from '../../functions/contract/upload.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';

const rows = Number(process.argv[2] ?? 300_000);
const rounds = Number(process.argv[3] ?? 4);
const trees = process.argv.slice(4).map((arg) => {
  const [label, root] = arg.split('=') as [string, string];
  return { label, root: resolve(root) };
});
const work = join(tmpdir(), 'sp-outcomes-bench');
const csv = join(work, `events-${rows}.csv`);
const pcnCode = readFileSync(`${csv}.pcn`, 'utf8');
const body = readFileSync(csv);
type Ingest = typeof import('../../functions/ingest/ingest.ts');
const runs: { label: string; module: Ingest; cpu: number[]; curated?: Map<string, Buffer> }[] = [];
for (const { label, root } of trees) {
  runs.push({ label, module: (await import(join(root, 'functions/ingest/ingest.ts'))) as Ingest, cpu: [] });
}
const limits = { ...DEFAULT_LIMITS, maxBytes: 1024 * 1024 * 1024 };
const storeDir = join(work, `turns-store-${process.pid}`);
try {
  for (let round = 0; round < rounds; round++) {
    for (const run of round % 2 === 0 ? runs : [...runs].reverse()) {
      rmSync(storeDir, { recursive: true, force: true });
      mkdirSync(storeDir, { recursive: true });
      const store = new FsObjectStore(storeDir);
      const key = await stageUpload(store, pcnCode, 'events.csv', body);
      const cpu = process.cpuUsage();
      const { receipt } = await run.module.ingestUpload(
        { store },
        { key, receivedAt: new Date('2026-12-01T09:30:00Z') },
        { ...run.module.DEFAULT_INGEST_OPTIONS, limits },
      );
      const used = process.cpuUsage(cpu);
      run.cpu.push((used.user + used.system) / 1e6);
      if (receipt.rows.accepted !== rows) throw new Error(`${run.label} accepted ${receipt.rows.accepted} of ${rows}`);
      if (run.curated === undefined) {
        run.curated = new Map();
        for (const key of receipt.outputs.curated) run.curated.set(key, Buffer.from((await store.get(key)) ?? []));
      }
    }
  }
} finally {
  rmSync(storeDir, { recursive: true, force: true });
}
let differ = false;
const [first, ...others] = runs;
for (const run of others) {
  const theirs = run.curated as Map<string, Buffer>;
  const ours = first?.curated as Map<string, Buffer>;
  const same = theirs.size === ours.size && [...ours].every(([key, bytes]) => theirs.get(key)?.equals(bytes));
  if (!same) differ = true;
  console.log(`${run.label}: ${same ? 'the same' : 'DIFFERENT'} ${theirs.size} Parquet objects as ${first?.label}`);
}
for (const run of runs) {
  console.log(
    `${run.label}: CPU s ${run.cpu.map((s) => s.toFixed(2)).join(' ')}; best ${Math.min(...run.cpu).toFixed(2)}`,
  );
}
if (differ) process.exit(1);
