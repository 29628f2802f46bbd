import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { type BenchRow, issueRows, printTable } from './report.ts';

/**
 * `npm run bench`: every benchmark, one after the other (each in its own process, so none measures another's
 * garbage), then one table of every figure and ratio from test/bench/results.json.
 */
const STEPS = [
  ['ingest vs DuckDB COPY', ['npm', 'run', 'bench:ingest']],
  ['refresh vs full-scan floor, Athena scan estimate', ['npm', 'run', 'bench:refresh']],
  ['national upload load and metrics API under wrk', ['npm', 'run', 'test:load']],
  ['dashboard budgets', ['npm', 'run', 'bench:dashboard']],
  ['npm start on an empty folder', ['npm', 'run', 'bench:start']],
  ['monthly PDF packs for every area of England', ['npm', 'run', 'bench:packs']],
] as const;

rmSync('test/bench/results.json', { force: true });
const failed: string[] = [];
for (const [label, [command, ...args]] of STEPS) {
  console.log(`\n=== ${label}: ${[command, ...args].join(' ')}`);
  const { status } = spawnSync(command, args, { stdio: 'inherit' });
  if (status !== 0) failed.push(label);
}
const rows: BenchRow[] = existsSync('test/bench/results.json')
  ? JSON.parse(readFileSync('test/bench/results.json', 'utf8')).rows
  : [];
console.log('\nAll benchmarks (also in test/bench/results.json):');
printTable(rows);
console.log('\nIssue 17, every figure it asks for, from this run:');
printTable(issueRows(rows));
if (failed.length > 0) {
  console.error(`did not finish: ${failed.join(', ')}`);
  process.exitCode = 1;
}
