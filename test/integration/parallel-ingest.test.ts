import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoLandingTime } from '../../cli/commands/start.ts';
import { IngestPool, ingestFilesInParallel } from '../../cli/parallel-ingest.ts';
import {
  type GenerateManifest,
  generateNationalDemo,
  generateNationalDemoInTurns,
} from '../../cli/synthetic/generate.ts';
import { tempDirs } from '../support/files.ts';

const dirs = tempDirs();
const temp = dirs.make;
afterAll(dirs.removeAll);

let demoDir: string;
let manifest: GenerateManifest;
let files: string[];
beforeAll(() => {
  demoDir = temp('parallel-demo');
  // Faults injected at 5%: rejected rows and refused files must come out the same way too.
  manifest = generateNationalDemo({
    outDir: demoDir,
    scale: 0.01,
    months: 3,
    endMonth: '2025-12',
    seed: 11,
    faultRate: 0.05,
  });
  // The first 60 files of the month, in the order start.ts sends them (enough to hold faults; the suite runs on 2 cores).
  files = manifest.files
    .map((f) => join(demoDir, f.path))
    .sort()
    .slice(0, 60);
});

/** Every object a store holds, by key, with receipts' run-dependent fields (when processed, how long) left out. */
function objects(root: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const key = relative(root, path);
        if (key.startsWith('receipts/')) {
          const { processed_at, timings_ms, ...rest } = JSON.parse(readFileSync(path, 'utf8'));
          found.set(key, JSON.stringify(rest));
        } else found.set(key, readFileSync(path).toString('base64'));
      }
    }
  };
  walk(root);
  return found;
}

const landedFrom = new Date('2026-01-05T09:00:00Z');
/** The files ingested one after another in one thread, in order: what every parallel ingest must write. */
let inOrder: string;
let one: Awaited<ReturnType<typeof ingestFilesInParallel>>;
beforeAll(async () => {
  inOrder = temp('ingest-in-order');
  one = await ingestFilesInParallel(files, { dataDir: inOrder, workers: 1, landedFrom });
}, 240_000);

/** A pool of two workers that stop on the file `stopOn` the first `times` times, its problem lines, and the first. */
function stoppingPool(dataDir: string, stopOn: string, times: number) {
  const problems: string[] = [];
  let firstProblem: (line: string) => void = () => {};
  const reported = new Promise<string>((resolve) => {
    firstProblem = resolve;
  });
  const pool = new IngestPool(dataDir, {
    workers: 2,
    link: true,
    relativeTo: demoDir,
    onProblem: (line) => {
      problems.push(line);
      firstProblem(line);
    },
    worker: {
      script: new URL('../support/stopping-ingest-worker.js', import.meta.url),
      data: { stopOn, times, marks: temp('stop-marks') },
    },
  });
  files.forEach((file, i) => {
    pool.add(file, new Date(landedFrom.getTime() - files.length + i));
  });
  return { pool, problems, reported };
}

describe('the demo ingested on two worker threads', () => {
  it('writes exactly what one ingest of the files in order writes, byte for byte', async () => {
    const inParallel = temp('ingest-in-parallel');
    const two = await ingestFilesInParallel(files, { dataDir: inParallel, workers: 2, landedFrom });

    expect(one.files).toBe(60);
    expect(one.rejected + one.partiallyAccepted).toBeGreaterThan(0);
    const { seconds: _a, receipts: receiptsOne, ...countsOne } = one;
    const { seconds: _b, receipts: receiptsTwo, ...countsTwo } = two;
    expect(countsTwo).toEqual(countsOne);
    expect(receiptsTwo.map((r) => r.upload_id).sort()).toEqual(receiptsOne.map((r) => r.upload_id).sort());

    const expected = objects(inOrder);
    const actual = objects(inParallel);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, content] of expected) expect(actual.get(key), key).toBe(content);
  }, 240_000);

  it('gives each file the time it landed from its place in the list, a millisecond apart', async () => {
    const dataDir = temp('ingest-landed');
    const first = files.slice(0, 3);
    const { receipts } = await ingestFilesInParallel(first, { dataDir, workers: 2, landedFrom });
    // Receipts in the order the files were given, whichever worker ingested each; the last lands 1 ms before landedFrom.
    expect(receipts.map((r) => r.source.sha256)).toEqual(
      first.map((file) => createHash('sha256').update(readFileSync(file)).digest('hex')),
    );
    expect(receipts.map((r) => r.received_at)).toEqual([
      '2026-01-05T08:59:59.997Z',
      '2026-01-05T08:59:59.998Z',
      '2026-01-05T08:59:59.999Z',
    ]);
  }, 60_000);

  it('hands the files still queued to the workers in the order reorder() gives, and tells each answer', async () => {
    const dataDir = temp('ingest-reordered');
    const answers: { file: string; sha256: string | undefined }[] = [];
    // Copies, not links: the next test counts the demo files' links.
    const pool = new IngestPool(dataDir, {
      workers: 1,
      onAnswer: (file, receipt) => answers.push({ file, sha256: receipt?.source.sha256 }),
    });
    const twenty = files.slice(0, 20);
    twenty.forEach((file, i) => {
      pool.add(file, new Date(landedFrom.getTime() + i));
    });
    // The first 16 were handed to the worker as they were added (it holds 16 ahead); the last 4 wait in the queue.
    pool.reorder((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    const summary = await pool.finish();
    expect(summary.files).toBe(20);
    expect(answers.map((a) => a.file)).toEqual([...twenty.slice(0, 16), ...twenty.slice(16).reverse()]);
    expect(answers.map((a) => a.sha256)).toEqual(
      answers.map((a) => createHash('sha256').update(readFileSync(a.file)).digest('hex')),
    );
  }, 120_000);

  it('tells at once of a worker that stops, with the file it was ingesting, and loses none of its files', async () => {
    const dataDir = temp('ingest-stopped-once');
    const victim = files[7] as string;
    const { pool, problems, reported } = stoppingPool(dataDir, basename(victim), 1);
    // Told before finish() is even called: the report does not wait for the end of the ingest.
    expect(await reported).toMatch(
      new RegExp(
        `^⚠ ingest worker [12] stopped \\(exit code 70\\) while ingesting ${relative(demoDir, victim)}; its \\d+ unanswered file\\(s\\) go to a new worker$`,
      ),
    );
    const summary = await pool.finish();
    expect(problems).toHaveLength(1);
    expect(summary.failed).toEqual([]);
    // Every file has its receipt, and the store holds exactly what one ingest in order writes (the landing
    // objects are hard links to the demo's files here, copies there: the same bytes).
    const { seconds: _a, receipts: receiptsOne, ...countsOne } = one;
    const { seconds: _b, receipts, failed: _c, ...counts } = summary;
    expect(counts).toEqual(countsOne);
    expect(receipts.map((r) => r.upload_id)).toEqual(receiptsOne.map((r) => r.upload_id));
    const expected = objects(inOrder);
    const actual = objects(dataDir);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, content] of expected) expect(actual.get(key), key).toBe(content);
    const landed = [...actual.keys()].filter((key) => key.startsWith('landing/'));
    expect(landed).toHaveLength(files.length);
    for (const key of landed) expect(statSync(join(dataDir, key)).nlink, key).toBe(2);
  }, 240_000);

  it('fails, naming the file, when a file stops a second worker: it is not tried again', async () => {
    const victim = files[3] as string;
    const { pool, problems } = stoppingPool(temp('ingest-stopped-twice'), basename(victim), 2);
    const where = relative(demoDir, victim);
    await expect(pool.finish()).rejects.toThrow(
      `${where} stopped two ingest workers (the last: exit code 70); it has no receipt, so the ingest cannot be complete`,
    );
    expect(problems).toHaveLength(2);
    expect(problems[1]).toMatch(
      new RegExp(
        `^✖ ingest worker [1-3] stopped \\(exit code 70\\) while ingesting ${where}, the second worker that file stopped$`,
      ),
    );
    // The pool refuses more files once it has failed.
    expect(() => pool.add(files[0] as string, landedFrom)).toThrow('stopped two ingest workers');
  }, 240_000);

  it('tells at once of a file that cannot be ingested, and lists it without a receipt', async () => {
    const problems: string[] = [];
    const pool = new IngestPool(temp('ingest-missing'), {
      workers: 2,
      relativeTo: demoDir,
      onProblem: (line) => problems.push(line),
    });
    const missing = join(demoDir, 'uploads', 'not-there.csv');
    pool.add(files[0] as string, landedFrom);
    pool.add(missing, landedFrom, 'U12345');
    const summary = await pool.finish();
    expect(summary.receipts).toHaveLength(1);
    expect(summary.failed).toEqual([{ file: missing, message: expect.stringContaining('ENOENT') }]);
    expect(problems).toEqual([expect.stringMatching(/^✖ uploads\/not-there\.csv: could not be ingested: ENOENT/)]);
  }, 60_000);

  it('generates the same demo when the generator lets the event loop run between PCNs (npm start)', async () => {
    const options = { scale: 0.005, months: 2, endMonth: '2025-12', seed: 11, faultRate: 0.05 };
    const inOneGo = temp('generated-in-one-go');
    const inTurns = temp('generated-in-turns');
    generateNationalDemo({ outDir: inOneGo, ...options });
    // The event loop turns while it generates: each PCN's files (and each month's workforce files) are followed by
    // a turn, in which the caller hears from its workers.
    let generating = true;
    let filesHandedOver = 0;
    const handedOverAtTurn: number[] = [];
    const turn = () => {
      handedOverAtTurn.push(filesHandedOver);
      if (generating) setImmediate(turn);
    };
    setImmediate(turn);
    const generated = await generateNationalDemoInTurns({
      outDir: inTurns,
      ...options,
      onFiles: (written) => {
        filesHandedOver += written.length;
      },
    });
    generating = false;
    const turns = handedOverAtTurn.length;
    const pcns = new Set(generated.files.filter((f) => f.kind === 'events').map((f) => f.pcn)).size;
    expect(turns).toBeGreaterThanOrEqual(pcns + options.months);
    // Turns came after files were handed over and before the last of them were.
    expect(handedOverAtTurn.some((n) => n > 0 && n < generated.files.length)).toBe(true);
    expect(objects(inTurns)).toEqual(objects(inOneGo));
  }, 120_000);

  it('lands the demo files of npm start in the order of their paths, whatever order they are written in', () => {
    // npm start ingests each PCN's files as soon as the generator writes them (PCN after PCN), so a file's landing
    // time comes from its path alone: uploads/<month delivered>/<PCN>-<kind>-<month>.csv, in path order.
    const now = Date.parse('2026-01-05T09:00:00Z');
    const paths = manifest.files.map((f) => f.path).sort();
    const landed = paths.map((path) =>
      demoLandingTime(path, manifest.months[0] as string, manifest.months.length, now).getTime(),
    );
    expect(manifest.files.filter((f) => f.late)).toHaveLength(1); // delivered two months on: lands among that month's
    expect(new Set(manifest.files.map((f) => f.kind))).toEqual(new Set(['events', 'workforce']));
    for (let i = 1; i < landed.length; i++) expect(landed[i], paths[i]).toBeGreaterThan(landed[i - 1] as number);
    expect(Math.max(...landed)).toBeLessThan(now);
    expect(Math.min(...landed)).toBeGreaterThan(now - 24 * 3_600_000);
  });
});
