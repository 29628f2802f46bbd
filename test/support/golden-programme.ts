import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { tempDir } from './files.ts';
import { disclosureFindings, type GoldenEvent, publishGolden, rowFinder, writeEventFiles } from './golden.ts';

/** A hand-worked programme: its uploads, the PCN reference and the clock of its one refresh. */
export interface GoldenProgramme {
  /** Events files by name (`.csv` or `.jsonl`), written in this order. */
  uploads: Readonly<Record<string, readonly GoldenEvent[]>>;
  /** Other files by name (workforce CSVs), written as given after the events files. */
  otherFiles?: Readonly<Record<string, string>>;
  reference: string;
  now: Date;
  /** The publishing hook's time limit (a whole pipeline run on a shared machine). */
  timeoutMs?: number;
}

/**
 * Publishes a hand-worked programme once for the test file (or the describe block it is called in): writes its files
 * into a temporary folder, runs the whole local pipeline (publishGolden), checks every upload was accepted in full,
 * and removes the folder afterwards. The golden tests all opened with this same block; here it is written once so
 * each reads as the figures it proves.
 */
export function goldenProgramme(prefix: string, programme: GoldenProgramme) {
  const dir = tempDir(prefix);
  const dataDir = join(dir.path, 'data');
  const docs = new Map<string, MetricDocument>();
  beforeAll(async () => {
    const files = writeEventFiles(dir.path, programme.uploads);
    for (const [name, text] of Object.entries(programme.otherFiles ?? {})) {
      writeFileSync(join(dir.path, name), text);
      files.push(join(dir.path, name));
    }
    const receipts = await publishGolden(dataDir, files, programme.reference, programme.now, docs);
    expect(receipts.map((r) => [r.status, r.rows.rejected])).toEqual(files.map(() => ['accepted', 0]));
  }, programme.timeoutMs ?? 120_000);
  afterAll(() => dir.remove());
  return {
    /** The published documents by name (`meta` for meta.json), once the programme is published. */
    docs,
    /** The one row of a document for an area and period (rowFinder). */
    row: rowFinder(docs),
    /** The data folder the pipeline wrote, for tests that read it through the API. */
    dataDir,
    /** What the disclosure scan finds in every published document (no finding is the pass). */
    disclosureFindings: () => disclosureFindings(docs, programme.reference),
  };
}
