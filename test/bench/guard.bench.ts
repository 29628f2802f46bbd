/**
 * The identifiability guard's cost on the ingest bench's events file: every non-empty cell of every row through
 * findIdentifier, as the ingest's guard does, beside every rule run in full on the same cells (identifierByRules: what
 * the shortcuts save), measured in one run, best of three, CPU time. Then its time on long adversarial texts: each
 * rule is matched in time linear in the text, so a text four times as long takes about four times as long.
 *   npx tsx test/bench/guard.bench.ts [rows]      (default 1,000,000; the file `npm run bench:ingest` writes, made
 *                                                 here if it is missing)
 *   GUARD_BASELINE=/tmp/old-guard.ts npx tsx ...  (another version beside it: `git show REV:functions/lib/...`)
 */
import { createReadStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeLargeEventsFile } from '../../cli/synthetic/generate.ts';
import { findIdentifier, identifierByRules } from '../../functions/lib/identifiability-guard.ts';

type Guard = (text: string) => string | undefined;

const rows = Number(process.argv[2] ?? 1_000_000);
const work = join(tmpdir(), 'sp-outcomes-bench');
mkdirSync(work, { recursive: true });
const csv = join(work, `events-${rows}.csv`);
if (!existsSync(csv) || !existsSync(`${csv}.pcn`)) {
  writeFileSync(`${csv}.pcn`, writeLargeEventsFile(csv, rows, 1).pcnCode);
}

/** CPU microseconds the guard spends on a batch of rows' cells (the split is not timed), and how many it flags. */
function timeBatch(guard: Guard, batch: readonly string[][]): { cpuUs: number; flagged: number } {
  let flagged = 0;
  const cpu = process.cpuUsage();
  for (const cells of batch) {
    for (const cell of cells) {
      if (cell !== '' && guard(cell) !== undefined) flagged++;
    }
  }
  const used = process.cpuUsage(cpu);
  return { cpuUs: used.user + used.system, flagged };
}

const GUARDS: [string, Guard][] = [
  ['findIdentifier (shortcuts)', findIdentifier],
  ['identifierByRules (every rule)', identifierByRules],
];
// Another version of the guard measured beside this one, for a change to it: GUARD_BASELINE=path/to/old/guard.ts.
if (process.env.GUARD_BASELINE) {
  const baseline = (await import(process.env.GUARD_BASELINE)) as { findIdentifier: Guard };
  GUARDS.push(['baseline findIdentifier', baseline.findIdentifier]);
}

/** One pass over the file in batches of 50,000 rows, each guard on each batch in turn. */
async function pass(): Promise<{ rows: number; cells: number; results: { cpuUs: number; flagged: number }[] }> {
  const results = GUARDS.map(() => ({ cpuUs: 0, flagged: 0 }));
  let read = 0;
  let cells = 0;
  let batch: string[][] = [];
  const flush = () => {
    GUARDS.forEach(([, guard], i) => {
      const { cpuUs, flagged } = timeBatch(guard, batch);
      (results[i] as { cpuUs: number }).cpuUs += cpuUs;
      (results[i] as { flagged: number }).flagged += flagged;
    });
    batch = [];
  };
  let header = true;
  for await (const line of createInterface({ input: createReadStream(csv) })) {
    if (header) {
      header = false;
      continue;
    }
    const row = line.split(',');
    read++;
    for (const cell of row) if (cell !== '') cells++;
    batch.push(row);
    if (batch.length === 50_000) flush();
  }
  flush();
  return { rows: read, cells, results };
}

const best = GUARDS.map(() => Number.POSITIVE_INFINITY);
let last: Awaited<ReturnType<typeof pass>> | undefined;
for (let round = 0; round < 3; round++) {
  last = await pass();
  last.results.forEach((result, i) => {
    best[i] = Math.min(best[i] as number, result.cpuUs);
  });
}
if (last === undefined) throw new Error('no pass ran');
console.log(
  `guard on ${last.rows.toLocaleString('en-GB')} rows (${last.cells.toLocaleString('en-GB')} non-empty cells), best of 3, CPU; load ${loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')}`,
);
GUARDS.forEach(([name], i) => {
  const cpuUs = best[i] as number;
  console.log(
    `  ${name.padEnd(32)} ${(cpuUs / 1e6).toFixed(2)} s = ${(cpuUs / last.rows).toFixed(3)} us/row, ${((cpuUs * 1000) / last.cells).toFixed(0)} ns/cell; flagged ${last.results[i]?.flagged} cells${i > 0 ? `; ${(cpuUs / (best[0] as number)).toFixed(2)}x the shortcuts` : ''}`,
  );
});

// Long texts built to make a backtracking matcher work hard: separator runs one longer than the rules read, digit
// groups one short, zeros without a number after them, postcode halves.
const ADVERSARIAL: [string, (length: number) => string][] = [
  ['3 digits, runs of 17 separators', (n) => `943${'-'.repeat(17)}`.repeat(n / 20)],
  ['3 digits, runs of 17 no-break spaces', (n) => `943${'\u00a0'.repeat(17)}`.repeat(n / 20)],
  ['groups of 3 digits, one separator', (n) => '943 '.repeat(n / 4)],
  ['zeros, no number after them', (n) => '0'.repeat(n)],
  ['0 and a digit, runs of 17 spaces', (n) => `07${' '.repeat(17)}`.repeat(n / 19)],
  ['outward codes, runs of 17 spaces', (n) => `SW1A${' '.repeat(17)}1A `.repeat(n / 24)],
  ['letters and nine digits', (n) => 'a943476591'.repeat(n / 10)],
];
console.log('adversarial texts (findIdentifier, best of 5): 16 KB | 64 KB | ratio (linear: about 4)');
for (const [name, make] of ADVERSARIAL) {
  const times = [16 * 1024, 64 * 1024].map((length) => {
    const text = make(length);
    let fastest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      findIdentifier(text);
      fastest = Math.min(fastest, performance.now() - started);
    }
    return fastest;
  });
  const [small, large] = times as [number, number];
  console.log(
    `  ${name.padEnd(38)} ${small.toFixed(2)} ms | ${large.toFixed(2)} ms | ${(large / Math.max(small, 1e-3)).toFixed(1)}`,
  );
}
