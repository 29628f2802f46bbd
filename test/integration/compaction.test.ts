import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import { runCompaction } from '../../cli/commands/refresh.ts';
import { MonthCompaction } from '../../cli/month-compaction.ts';
import { type GenerateManifest, generateNationalDemo } from '../../cli/synthetic/generate.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import {
  COMPACTIONS_PREFIX,
  type CompactionStep,
  compactCurated,
  compactionRecords,
  hyparquetMerger,
} from '../../functions/refresh/compact.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { duckDbMerger } from '../../functions/refresh/duckdb-merger.ts';
import { type RefreshDeps, refreshMetrics } from '../../functions/refresh/refresh.ts';

/**
 * Compaction (functions/refresh/compact.ts) on a small demo ingested through the real pipeline: the published
 * documents are the same bytes with and without it, a crash between its steps loses or doubles nothing, and a later
 * upload's corrections and retractions of compacted rows still apply.
 */
let dir: string;
let manifest: GenerateManifest;
const CLOCK = () => new Date('2026-10-05T06:00:00Z');

/** Every document of the release published (the one meta.json names: R24-2), by name, as the bytes written. */
function documents(dataDir: string): Map<string, string> {
  const metrics = join(dataDir, 'metrics');
  const meta = readFileSync(join(metrics, 'meta.json'), 'utf8');
  const release = join(metrics, 'releases', (JSON.parse(meta) as { release: string }).release);
  // The documents and the PDF packs written from them (packs/<level>/<code>.pdf), compared byte for byte.
  const files = (readdirSync(release, { recursive: true }) as string[]).filter((f) => /\.(json|pdf)$/.test(f));
  return new Map([
    ['meta.json', meta],
    ...files.sort().map((f): [string, string] => [f, readFileSync(join(release, f), 'utf8')]),
  ]);
}

/** Names of the documents whose bytes differ between two publications (or that only one has). */
function differing(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((name) => a.get(name) !== b.get(name)).sort();
}

function curatedObjects(dataDir: string): string[] {
  const files: string[] = [];
  for (const kind of ['events', 'workforce']) {
    const root = join(dataDir, 'curated', kind);
    for (const f of readdirSync(root, { recursive: true }) as string[]) if (f.endsWith('.parquet')) files.push(f);
  }
  return files;
}

async function refresh(dataDir: string, compaction?: RefreshDeps['compaction']) {
  const engine = new DuckDbEngine(dataDir);
  try {
    return await refreshMetrics({ store: new FsObjectStore(dataDir), engine, clock: CLOCK, compaction });
  } finally {
    await engine.close();
  }
}

/** A copy of the ingested store (first months only), to compact or not. */
function copyOf(name: string, from = 'early'): string {
  const target = join(dir, name);
  cpSync(join(dir, from), target, { recursive: true });
  return target;
}

/** A dozen of the demo's PCNs (the generator's smallest demo has 87), so that each refresh is quick. */
let pcns: Set<string>;

async function ingest(dataDir: string, months: (m: string) => boolean) {
  await ingestFiles(
    manifest.files.filter((f) => months(f.month) && !f.late && pcns.has(f.pcn)).map((f) => join(dir, 'demo', f.path)),
    { dataDir, out: () => {}, progress: false },
  );
}

const LAST_MONTHS = 1;
let lateMonths: Set<string>;
let baseline: Map<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sp-compaction-'));
  manifest = generateNationalDemo({
    outDir: join(dir, 'demo'),
    scale: 0.001,
    months: 4,
    endMonth: '2026-09',
    seed: 17,
    faultRate: 0.02,
  });
  lateMonths = new Set(manifest.months.slice(-LAST_MONTHS));
  pcns = new Set([...new Set(manifest.files.map((f) => f.pcn))].sort().slice(0, 12));
  const early = join(dir, 'early');
  // The reference data of those PCNs only: a month is published once 90% of the PCNs open have sent it
  // (docs/methodology.md, "Data as of"), and the others send nothing here.
  const [header, ...lines] = readFileSync(join(dir, 'demo', manifest.reference), 'utf8')
    .trimEnd()
    .split('\n');
  const reference = [header, ...lines.filter((line) => pcns.has(line.split(',')[0] as string))].join('\n');
  await stageReference(new FsObjectStore(early), `${reference}\n`);
  await ingest(early, (m) => !lateMonths.has(m));
  const plain = copyOf('plain');
  await refresh(plain);
  baseline = documents(plain);
}, 480_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('compaction', () => {
  it('publishes the same bytes with the DuckDB merger, from a bounded number of objects per month', async () => {
    const data = copyOf('duck');
    const before = curatedObjects(data).length;
    const result = await refresh(data, { merger: duckDbMerger(data) });
    expect(differing(documents(data), baseline)).toEqual([]);
    const after = curatedObjects(data);
    expect(result.compaction).toEqual({
      partitions: (manifest.months.length - LAST_MONTHS) * 2,
      objectsBefore: before,
      objectsAfter: after.length,
    });
    // One object per month and kind: this demo's months are far below a million rows. The months ingested are the
    // demo's first three, so the rows are of those months only, though a file holds its month's and, in its
    // corrections (a connection's attendance), the month or two before's: every month and kind has two objects or more.
    expect(after.length).toBe((manifest.months.length - LAST_MONTHS) * 2);
    expect(after.every((f) => /\/compacted\.[a-z0-9-]+\.0\.parquet$/.test(f))).toBe(true);
    expect(before).toBeGreaterThan(after.length * 10);
  }, 300_000);

  it('publishes the same bytes with the hyparquet merger (the Lambda step), in objects of at most maxRows rows', async () => {
    const data = copyOf('hyparquet');
    const store = new FsObjectStore(data);
    const policy = { minUploadObjects: 2, maxCompactedObjects: 4, maxRowsPerObject: 5_000 };
    await compactCurated(store, hyparquetMerger(store), policy);
    const records = await compactionRecords(store);
    expect(records.length).toBe((manifest.months.length - LAST_MONTHS) * 2);
    // Each object but a partition's last is closed once it reaches 5,000 rows (whole uploads: it may pass them).
    for (const record of records) {
      expect(record.objects.length).toBeGreaterThanOrEqual(1);
      expect(record.objects.length).toBeLessThanOrEqual(Math.ceil(record.rows / 5_000));
    }
    expect(records.some((r) => r.table === 'events' && r.objects.length > 1)).toBe(true);
    await refresh(data);
    expect(differing(documents(data), baseline)).toEqual([]);
  }, 300_000);

  for (const step of ['merged', 'committed'] as const satisfies readonly CompactionStep[]) {
    it(`loses or doubles nothing when it stops after the step "${step}" of a month`, async () => {
      const data = copyOf(`crash-${step}`);
      const store = new FsObjectStore(data);
      let partitions = 0;
      const crash = (at: CompactionStep) => {
        if (at === step && ++partitions === 2) throw new Error('crash');
      };
      await expect(compactCurated(store, duckDbMerger(data), undefined, crash)).rejects.toThrow('crash');
      // Half done: the first month committed; the second's merged objects written, its record too after "committed".
      const files = curatedObjects(data);
      expect(files.some((f) => f.includes('compacted.'))).toBe(true);
      expect(files.some((f) => !f.includes('compacted.'))).toBe(true);
      const records = (await store.list(COMPACTIONS_PREFIX)).length;
      expect(records).toBe(step === 'merged' ? 1 : 2);
      // A refresh without compaction finishes or undoes the stopped one before it reads.
      await refresh(data);
      expect(differing(documents(data), baseline)).toEqual([]);
      // And a later compaction completes the work: one object per month and kind, every record's objects present.
      await compactCurated(store, duckDbMerger(data));
      const after = curatedObjects(data);
      expect(after.every((f) => f.includes('compacted.'))).toBe(true);
      expect(after.length).toBe((manifest.months.length - LAST_MONTHS) * 2);
      const committed = (await compactionRecords(store)).flatMap((r) => r.objects).sort();
      expect(committed).toEqual((await store.list('curated/')).filter((k) => k.includes('compacted.')));
    }, 300_000);
  }

  it('applies a later upload’s corrections and retractions of compacted rows, as without compaction', async () => {
    // The later months' uploads, ingested once (receipts carry the time they landed) and laid on both stores.
    const later = copyOf('later-uploads');
    await ingest(later, (m) => lateMonths.has(m));
    const early = join(dir, 'early');
    const addLaterUploads = (target: string) => {
      for (const file of readdirSync(later, { recursive: true }) as string[]) {
        const from = join(later, file);
        if (statSync(from).isFile() && !existsSync(join(early, file))) cpSync(from, join(target, file));
      }
    };
    const compacted = copyOf('later-compacted');
    await refresh(compacted, { merger: duckDbMerger(compacted) });
    // The same history without compaction: a refresh of the first months, then the later uploads.
    const plain = copyOf('later-plain');
    await refresh(plain);
    addLaterUploads(compacted);
    addLaterUploads(plain);
    await refresh(plain);
    await refresh(compacted);
    expect(differing(documents(compacted), documents(plain))).toEqual([]);
    expect(differing(documents(plain), baseline)).toContain('rollout.json');

    // The later uploads did correct and retract rows that now live in compacted objects.
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const glob = `${compacted}/curated/events/*/*.parquet`;
    const reader = await connection.runAndReadAll(`
      WITH rows AS (SELECT *, filename LIKE '%/compacted.%' AS in_compacted FROM read_parquet('${glob}', filename = true))
      SELECT
        (SELECT count(*) FROM rows AS a JOIN rows AS b ON a.pcn_code = b.pcn_code AND a.event_id = b.event_id
          WHERE a.in_compacted AND NOT b.in_compacted AND a.event_type <> 'retraction') AS corrected,
        (SELECT count(*) FROM rows AS r JOIN rows AS e ON r.pcn_code = e.pcn_code AND r.retracts_event_id = e.event_id
          WHERE r.event_type = 'retraction' AND NOT r.in_compacted AND e.in_compacted) AS retracted`);
    const [corrected, retracted] = reader.getRows()[0] as [bigint, bigint];
    connection.closeSync();
    instance.closeSync();
    expect(Number(corrected)).toBeGreaterThan(0);
    expect(Number(retracted)).toBeGreaterThan(0);
  }, 600_000);

  it("npm start's month by month compaction: a month once its files and the next two months' are answered, while later months are still ingested; the same bytes", async () => {
    const data = copyOf('by-month');
    const store = new FsObjectStore(data);
    const before = curatedObjects(data).length;
    const months = manifest.months.slice(0, manifest.months.length - LAST_MONTHS); // the months ingested
    const [first, second, third] = months as [string, string, string];
    const files = manifest.files.filter((f) => months.includes(f.month) && !f.late && pcns.has(f.pcn));
    // A month's rows come in the files of that month and the next two (corrections: CORRECTION_MONTHS), so the first
    // month is whole only once the third's files are answered: a fourth month, one file of which is still being
    // ingested meanwhile (its store here has none), keeps the ingest going then.
    const fourth = manifest.months[months.length] as string;
    const compaction = new MonthCompaction(data, [...months, fourth]);
    for (const file of files) compaction.added(file.month);
    compaction.added(fourth);
    const answer = (month: string) => {
      for (const file of files) if (file.month === month) compaction.answered(month);
    };
    compaction.addedAll();
    answer(first);
    answer(second);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The first month's attendance may still come with the third month's files: nothing is whole yet.
    expect(await compactionRecords(store)).toEqual([]);
    answer(third);
    await compaction.idle();
    // The first month is whole and compacted while the fourth month's file is still being ingested (a check that
    // stopped at the first month not whole left every month to one run after the whole ingest).
    const partitionsOf = async () => [...new Set((await compactionRecords(store)).map((r) => r.partition))].sort();
    expect(await partitionsOf()).toEqual([first]);
    compaction.answered(fourth);
    const early = await compaction.finish();
    // The first month, both kinds. The fourth month's answer ends the ingest: the second month, whole only then, is
    // left to the compaction after the ingest with the third (two partitions at a time there, on two cores).
    expect(await partitionsOf()).toEqual([first]);
    expect(early.partitions).toBe(2);
    const lines: string[] = [];
    const total = await runCompaction(data, (line) => lines.push(line), early);
    expect(await partitionsOf()).toEqual([first, second, third]);
    expect(total).toEqual({ partitions: 6, objectsBefore: before, objectsAfter: 6 });
    expect(lines[0]).toMatch(
      new RegExp(`^ {4}${before.toLocaleString('en-GB')} curated objects now 6, 6 months and kinds compacted \\(`),
    );
    await refresh(data);
    expect(differing(documents(data), baseline)).toEqual([]);
  }, 300_000);
});
