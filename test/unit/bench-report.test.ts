import { describe, expect, it } from 'vitest';
import { type BenchRow, ISSUE_ROWS, issueRows } from '../bench/report.ts';

const row = (bench: string, measure: string, value: number, extra: Partial<BenchRow> = {}): BenchRow => ({
  bench,
  measure,
  value,
  unit: '',
  ...extra,
});

describe("npm run bench's table of issue 17's rows", () => {
  it('has a row for every figure the issue asks, at both refresh scales, each with its budget and met', () => {
    const results = [
      row('ingest', 'ingest core, 1,000,000 rows, rows/s (best run)', 20_000, { target: 'within 3x', pass: false }),
      row('ingest', 'ingest peak resident memory, 1,000,000 rows', 452, { target: 'under 512 MB', pass: true }),
      row('refresh', 'national, 36 months: curated objects as ingested', 93_000),
      row('refresh', 'national, 36 months: curated objects after compaction', 216, {
        baseline: { measure: 'as ingested', value: 93_000 },
      }),
      row('refresh', 'national, 36 months: whole catalogue, best run', 40, { target: 'within 5x', pass: false }),
      row('refresh', 'national, 36 months: peak memory of the refresh process', 4_100),
      row('refresh', 'national, 60 months: curated objects after compaction', 481),
      row('refresh', 'national, 60 months: whole catalogue, best run', 50, { target: 'within 5x', pass: true }),
      row('refresh', 'national, 60 months: peak memory of the refresh process', 1_500),
      row('load', 'metrics API latency p99', 43, { target: 'under 50 ms', pass: true }),
      row('dashboard', 'JavaScript loaded by the first page, gzipped', 200, { target: 'at most 250', pass: true }),
    ];
    const table = issueRows(results);
    expect(table.map((r) => [r.measure, r.target, r.pass])).toEqual([
      ['ingest core, 1,000,000 rows, rows/s (best run)', 'within 3x', false],
      ['ingest peak resident memory, 1,000,000 rows', 'under 512 MB', true],
      ['national, 36 months: whole catalogue, best run', 'within 5x', false],
      // 36 months x 2 kinds x 4 = 288 objects at most; 216 meets it, and 481 is over 60 x 2 x 4 = 480.
      ['national, 36 months: curated objects after compaction', 'at most 4 per month and kind (288)', true],
      ['national, 36 months: peak memory of the refresh process', 'under 4,096 MB', false],
      ['national, 60 months: whole catalogue, best run', 'within 5x', true],
      ['national, 60 months: curated objects after compaction', 'at most 4 per month and kind (480)', false],
      ['national, 60 months: peak memory of the refresh process', 'under 4,096 MB', true],
      ['npm start ready: not measured in this run', undefined, false],
      ['metrics API latency p99', 'under 50 ms', true],
    ]);
    // The figure before compaction rides with the row after it.
    expect(table[3]?.baseline).toEqual({ measure: 'as ingested', value: 93_000 });
    expect(ISSUE_ROWS).toHaveLength(10);
  });

  it('shows a scale that was not run as not measured, and not met', () => {
    const table = issueRows([row('refresh', 'national, 36 months: whole catalogue, best run', 40, { pass: true })]);
    expect(table.filter((r) => r.measure.includes('60 months')).map((r) => [r.measure, r.pass])).toEqual([
      ['refresh against its floor, 60 months: not measured in this run', false],
      ['curated objects read before and after compaction, 60 months: not measured in this run', false],
      ['refresh peak memory, 60 months: not measured in this run', false],
    ]);
  });
});
