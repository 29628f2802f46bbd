import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, describe, expect, it } from 'vitest';
import { demoLandingTime, prepareDemo } from '../../cli/commands/start.ts';
import type { GenerateManifest } from '../../cli/synthetic/generate.ts';
import type { Receipt } from '../../functions/contract/index.ts';
import { tempDirs } from '../support/files.ts';

const dirs = tempDirs();
afterAll(dirs.removeAll);

/**
 * The demo of `npm start` started on the 1st of a month. Its generator stamps recorded_at up to 72 hours after an
 * event, and the ingest refuses a recorded_at more than a day after the upload was received (R19-10, future_date): the
 * last month's final day would have rows recorded on the 2nd and 3rd, after their file landed (just before the start).
 * Each row is recorded no later than its file lands now.
 */
describe("npm start's demo on the first of a month", () => {
  it('ingests with no row refused as recorded in the future, the last day recorded by the time its file landed', async () => {
    const dataDir = dirs.make('demo-first-of-month');
    const now = Date.parse('2026-11-01T00:30:00Z');
    await prepareDemo({ dataDir, scale: 0.005, months: 2, seed: 5, now });
    const receipts = readdirSync(join(dataDir, 'receipts')).map(
      (name) => JSON.parse(readFileSync(join(dataDir, 'receipts', name), 'utf8')) as Receipt,
    );
    const manifest = JSON.parse(readFileSync(join(dataDir, 'demo-input', 'manifest.json'), 'utf8')) as GenerateManifest;
    expect(manifest.months).toEqual(['2026-09', '2026-10']);
    expect(receipts).toHaveLength(manifest.files.length);
    expect(receipts.map((r) => r.rejected_by_reason.future_date ?? 0).reduce((a, b) => a + b, 0)).toBe(0);
    // Only the injected faults are refused (at 0.3% of rows, none of them a recorded_at): the file with an NHS number
    // whole, and the other files' bad and duplicate rows.
    expect(receipts.filter((r) => r.file_error).map((r) => r.file_error?.code)).toEqual(['identifiable_data']);
    const rejected = receipts.filter((r) => !r.file_error).reduce((sum, r) => sum + r.rows.rejected, 0);
    const injected = manifest.files.reduce((sum, f) => sum + (f.identifiable ? 0 : f.badRows + f.duplicateRows), 0);
    expect(rejected).toBe(injected);

    // October's files land at 00:15 to 00:20 on 1 November (2 months, 5 minutes a month, ending before 00:30): 31
    // October's rows, stamped up to 72 hours on (to 3 November 00:00), are recorded by then; the generator's hour
    // stamps before it are kept as they were (whole hours).
    let lastDay = 0;
    let atLanding = 0;
    for (const file of manifest.files.filter((f) => f.kind === 'events' && f.month === '2026-10')) {
      const landed = demoLandingTime(file.path, '2026-09', 2, now).getTime();
      expect(landed).toBeGreaterThanOrEqual(Date.parse('2026-11-01T00:15:00Z'));
      expect(landed).toBeLessThan(Date.parse('2026-11-01T00:25:00Z'));
      const text = readFileSync(join(dataDir, 'demo-input', file.path), 'utf8');
      for (const row of Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data) {
        const recorded = Date.parse(row.recorded_at as string);
        expect(recorded).toBeLessThanOrEqual(landed);
        if (row.occurred_on === '2026-10-31') lastDay += 1;
        if (recorded === Math.floor(landed / 1000) * 1000) atLanding += 1;
        else expect(row.recorded_at).toMatch(/T\d\d:00:00Z$/);
      }
    }
    // Enough of the last day for the test to mean something: rows of 31 October recorded at their file's landing.
    expect(lastDay).toBeGreaterThan(10);
    expect(atLanding).toBeGreaterThan(0);
  }, 240_000);
});
