import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** One row of the benchmark table: a measured figure, what it is compared with, and the target. */
export interface BenchRow {
  readonly bench: string;
  readonly measure: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: { readonly measure: string; readonly value: number };
  /** ours / baseline, for "how many times slower" figures */
  readonly ratio?: number;
  readonly target?: string;
  readonly pass?: boolean;
}

const RESULTS = 'test/bench/results.json';

export function printTable(rows: readonly BenchRow[]): void {
  const fmt = (n: number) => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-GB') : n.toFixed(2));
  console.table(
    rows.map((r) => ({
      bench: r.bench,
      measure: r.measure,
      value: `${fmt(r.value)} ${r.unit}`,
      baseline: r.baseline ? `${r.baseline.measure}: ${fmt(r.baseline.value)} ${r.unit}` : '',
      ratio: r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
      target: r.target ?? '',
      met: r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
    })),
  );
}

/** Adds this run's rows to test/bench/results.json (git-ignored), replacing earlier rows of the same bench. */
export function saveResults(bench: string, rows: readonly BenchRow[]): void {
  const earlier: BenchRow[] = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')).rows : [];
  const all = [...earlier.filter((r) => r.bench !== bench), ...rows];
  writeFileSync(RESULTS, `${JSON.stringify({ updated_at: new Date().toISOString(), rows: all }, null, 2)}\n`);
}
