import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoLandingTime } from '../../cli/commands/start.ts';
import { ingestFilesInParallel } from '../../cli/parallel-ingest.ts';
import { type GenerateManifest, generateNationalDemo } from '../../cli/synthetic/generate.ts';
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

describe('the demo ingested on two worker threads', () => {
  it('writes exactly what one ingest of the files in order writes, byte for byte', async () => {
    const landedFrom = new Date('2026-01-05T09:00:00Z');
    const inOrder = temp('ingest-in-order');
    const inParallel = temp('ingest-in-parallel');
    const one = await ingestFilesInParallel(files, { dataDir: inOrder, workers: 1, landedFrom });
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
    const landedFrom = new Date('2026-01-05T09:00:00Z');
    const dataDir = temp('ingest-landed');
    const first = files.slice(0, 3);
    const { receipts } = await ingestFilesInParallel(first, { dataDir, workers: 2, landedFrom });
    const byId = new Map(receipts.map((r) => [r.upload_id, r.received_at]));
    // Worker 1 has files 0 and 2, worker 2 file 1; the last file lands at landedFrom less one millisecond.
    const landed = receipts.map((r) => byId.get(r.upload_id)).sort();
    expect(landed).toEqual(['2026-01-05T08:59:59.997Z', '2026-01-05T08:59:59.998Z', '2026-01-05T08:59:59.999Z']);
  }, 60_000);

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
