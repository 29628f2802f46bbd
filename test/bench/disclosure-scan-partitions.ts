/**
 * The disclosure scan's groups within dimensions (test/support/disclosure-scan.ts, SCAN_SPEC.partitions; review 8, N1
 * and N2) on published documents, each read beside the documents publishing its totals (equity beside rollout and
 * cof_person, the contacts distribution beside cof_person): disclosure-scan-documents.ts scans each document alone, so
 * it reads those totals as unpublished. Prints per document the cells recovered exactly, and with EXACT=<dump folder>
 * (`disclosure-step.ts dump`) how many are the exact value (right) and how many not (wrong: a secondary `*` read as 1
 * to 7); exact values are only counted, never printed.
 *
 *   npx tsx test/bench/disclosure-scan-partitions.ts <documents folder> <PCN reference csv> [examples]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { heldPeriodsOf, parentsFrom, recoveredCells, SCAN_SPEC, scannedDocument } from '../support/disclosure-scan.ts';

const [folder, referencePath, examples = '5'] = process.argv.slice(2);
if (!folder || !referencePath) {
  console.error('usage: disclosure-scan-partitions.ts <documents folder> <PCN reference csv> [examples]');
  process.exit(2);
}
const read = (name: string) => JSON.parse(readFileSync(join(folder, name), 'utf8'));
const held = heldPeriodsOf(read('meta.json'));
const docs = readdirSync(folder)
  .filter((f) => f.endsWith('.json') && f !== 'meta.json')
  .sort()
  .map((f) => scannedDocument(read(f) as MetricDocument, SCAN_SPEC, held));
const parents = parentsFrom(readFileSync(referencePath, 'utf8'), read('meta.json'));
let total = 0;
for (const name of Object.keys(SCAN_SPEC.partitions ?? {})) {
  const doc = docs.find((d) => d.name === name);
  if (doc === undefined) continue;
  const exactRows: Record<string, unknown>[] | undefined = process.env.EXACT
    ? JSON.parse(readFileSync(join(process.env.EXACT, `${name}.json`), 'utf8'))
    : undefined;
  const keyOf = (r: Record<string, unknown>) =>
    [r.level, r.code, r.period, ...doc.keys.map((k) => String(r[k]))].join('|');
  const exact = new Map((exactRows ?? []).map((r) => [keyOf(r), r]));
  const seen = new Map<string, string>();
  let right = 0;
  let wrong = 0;
  for (const { row, column, value, part } of recoveredCells(doc, parents, SCAN_SPEC, docs)) {
    const id = `${keyOf(row as Record<string, unknown>)}|${column}|${part ?? ''}`;
    if (seen.has(id)) continue;
    seen.set(id, part === undefined ? `${id}: ${row[column]}` : `${id}`);
    if (part !== undefined || exactRows === undefined) continue;
    const truth = exact.get(keyOf(row as Record<string, unknown>));
    if (Number(truth?.[column] ?? 0) === value) right++;
    else wrong++;
  }
  // Families (area, period) with a cell recovered.
  const families = new Set([...seen.keys()].map((id) => id.split('|').slice(0, 3).join('|')));
  total += seen.size;
  console.log(
    `${name}: ${seen.size} cells recovered exactly in ${families.size} area-periods${exactRows ? ` (${right} the exact value, ${wrong} not)` : ''}`,
  );
  for (const line of [...seen.values()].slice(0, Number(examples))) console.log(`    ${line}`);
}
process.exitCode = total === 0 ? 0 : 1;
