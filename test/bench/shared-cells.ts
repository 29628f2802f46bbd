/**
 * Finds counts published by more than one document: for every two count columns of different documents (a document
 * with keys contributes one column per key value, e.g. cof_system.people[gp_appointment|all]), the cells of the same
 * area and period where both show a figure. A pair is reported where England's figures (exact) are equal in every
 * period both have, and below England the rounded figures are equal wherever both are numbers; it then lists how
 * often one shows `*` where the other shows a number (the cells separate control lets through). For finding what
 * JOINT_COUNTS (catalogue.ts) must declare, on a refresh's published documents.
 *
 *   npx tsx test/bench/shared-cells.ts <documents folder> [minimum England periods, default 6]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { SCAN_SPEC } from '../support/disclosure-scan.ts';

const [folder, minimum = '6'] = process.argv.slice(2);
if (!folder) {
  console.error('usage: shared-cells.ts <documents folder> [minimum England periods]');
  process.exit(2);
}
const docs = readdirSync(folder)
  .filter((f) => f.endsWith('.json') && f !== 'meta.json')
  .map((f) => JSON.parse(readFileSync(join(folder, f), 'utf8')) as MetricDocument)
  .filter((d) => SCAN_SPEC.counts[d.name] !== undefined);

/** Per column (document.column[keys]): area|period -> value. */
const series = new Map<string, Map<string, unknown>>();
for (const doc of docs)
  for (const row of doc.rows) {
    const keys = doc.keys.map((k) => String(row[k])).join('|');
    for (const column of SCAN_SPEC.counts[doc.name] ?? []) {
      const name = `${doc.name}.${column}${keys === '' ? '' : `[${keys}]`}`;
      const cells = series.get(name) ?? new Map<string, unknown>();
      series.set(name, cells);
      cells.set(`${row.level}|${row.code}|${row.period_type}|${row.period}`, row[column]);
    }
  }
const names = [...series.keys()].sort();
const isEngland = (cell: string) => cell.startsWith('national|');
let found = 0;
for (let i = 0; i < names.length; i++)
  for (let j = i + 1; j < names.length; j++) {
    const [a, b] = [names[i] as string, names[j] as string];
    if (a.split('.')[0] === b.split('.')[0]) continue;
    const [cellsA, cellsB] = [series.get(a) as Map<string, unknown>, series.get(b) as Map<string, unknown>];
    let england = 0;
    let below = 0;
    let differ = 0;
    let starAgainstNumber = 0;
    let nonZero = 0;
    for (const [cell, x] of cellsA) {
      if (!cellsB.has(cell)) continue;
      const y = cellsB.get(cell);
      if (typeof x === 'number' && typeof y === 'number') {
        if (x !== y) differ++;
        else if (isEngland(cell)) england++;
        else below++;
        if (x > 0) nonZero++;
      } else if ((x === '*') !== (y === '*') && (typeof x === 'number' || typeof y === 'number')) starAgainstNumber++;
    }
    if (differ > 0 || england < Number(minimum) || nonZero === 0) continue;
    found++;
    console.log(
      `${a} = ${b}: England equal in ${england} periods, below England equal in ${below} cells, * against a number in ${starAgainstNumber}`,
    );
  }
console.log(`${found} pairs of columns publishing the same count (of ${names.length} columns)`);
