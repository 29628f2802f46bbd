/**
 * Scans published documents for disclosure by arithmetic (test/support/disclosure-scan.ts) and prints the findings
 * per document and kind, with a few examples; for comparing two refreshes' documents before and after a change.
 *
 *   npx tsx test/bench/disclosure-scan-documents.ts <documents folder> <PCN reference csv> [examples per kind]
 *
 * The documents folder is what `refresh-documents.ts publish` writes (metrics/: *.json with meta.json); the reference
 * is the data folder's reference/pcns/<version>.csv. Exits 1 when anything is found.
 *
 * EXACT=<dump folder> (the SQL's exact rows, `disclosure-step.ts dump`) also compares each count recovered exactly with
 * its exact figure and prints, per document, how many the reader recovers right (the exact value: a real disclosure)
 * and how many wrong (a reading a reader would take for a recovery, e.g. a secondary `*` read as 1 to 7); each cell
 * once (with and without the months). A month withheld below England that the reader pins in an area (read as a cell
 * of its own: disclosure-scan.ts, withheldCells) is compared with the exact row of that area and month, which the SQL
 * has though the document leaves it out. Exact values are only counted, never printed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricDocument } from '../../functions/contract/index.ts';
import {
  cohortGapProblems,
  heldPeriodsOf,
  jointProblems,
  narrowedProblems,
  parentsFrom,
  recoveredCells,
  SCAN_SPEC,
  scanDocument,
  scannedDocument,
  sharedProblems,
  withNoDataAsZero,
} from '../support/disclosure-scan.ts';

const [folder, referencePath, examples = '3'] = process.argv.slice(2);
if (!folder || !referencePath) {
  console.error('usage: disclosure-scan-documents.ts <documents folder> <PCN reference csv> [examples per kind]');
  process.exit(2);
}
const read = (name: string) => JSON.parse(readFileSync(join(folder, name), 'utf8'));
const docs = readdirSync(folder)
  .filter((f) => f.endsWith('.json') && f !== 'meta.json')
  .sort()
  .map((f) => read(f) as MetricDocument);
const parents = parentsFrom(readFileSync(referencePath, 'utf8'), read('meta.json'));
// England's figures of the periods the release holds (meta.json's revisions_held) are an earlier release's values,
// not the sums of the areas beside them.
const held = heldPeriodsOf(read('meta.json'));
for (const doc of docs)
  if (held(doc.name).size > 0)
    console.log(`${doc.name}: England held for ${[...held(doc.name)].join(', ')} (revisions_held): not read as sums`);
const kindOf = (line: string) =>
  line.includes('recovered exactly')
    ? 'recovered exactly'
    : line.includes('one suppressed part')
      ? 'lone suppressed part'
      : 'other';
let total = 0;
// Each document read as scanPublished reads it: beside the others (equity's dimensions add up to rollout's and
// cof_person's totals, pcn_comparison's regional rates are the regions' published figures) and with a PCN's counts in
// a period it sent nothing read as 0 (withNoDataAsZero). Read alone, a document's totals published elsewhere were
// unpublished parts: the 25% dump's equity showed 73 cells "recovered", 56 of them not the exact value, and
// pcn_comparison 32 rates, none of which the documents together show.
const scanned = withNoDataAsZero(docs, SCAN_SPEC);
for (const doc of scanned) {
  const found = scanDocument(doc, parents, SCAN_SPEC, held, scanned);
  total += found.length;
  const byKind = new Map<string, string[]>();
  for (const line of found) byKind.set(kindOf(line), [...(byKind.get(kindOf(line)) ?? []), line]);
  const cells = doc.rows.length;
  console.log(
    `${doc.name}: ${found.length} findings (${[...byKind].map(([k, v]) => `${k} ${v.length}`).join(', ') || 'none'}); ${cells} rows`,
  );
  for (const lines of byKind.values()) for (const line of lines.slice(0, Number(examples))) console.log(`    ${line}`);
}
// A `*` that one family read alone narrows below what a `*` protects (R11-5): reported apart, since the publisher
// widens only those it can (disclosure-scan.ts, narrowedProblems).
let narrowed = 0;
for (const doc of scanned) {
  const lines = narrowedProblems(scannedDocument(doc, SCAN_SPEC, held), parents, SCAN_SPEC);
  narrowed += lines.length;
  if (lines.length > 0) console.log(`${doc.name}: ${lines.length} \`*\` narrowed below the protection level`);
  for (const line of lines.slice(0, Number(examples))) console.log(`    ${line}`);
}
console.log(`narrowed: ${narrowed} in ${docs.length} documents (not counted in the findings)`);
// Each count recovered exactly against its exact figure (EXACT): right or wrong, per document.
const exactFolder = process.env.EXACT;
if (exactFolder !== undefined)
  for (const doc of scanned) {
    const exactPath = join(exactFolder, `${doc.name}.json`);
    let exactRows: Record<string, unknown>[];
    try {
      exactRows = JSON.parse(readFileSync(exactPath, 'utf8'));
    } catch {
      continue;
    }
    const keyOf = (r: Record<string, unknown>) =>
      [r.level, r.code, r.period, ...doc.keys.map((k) => String(r[k]))].join('|');
    const exact = new Map(exactRows.map((r) => [keyOf(r), r]));
    const seen = new Set<string>();
    let right = 0;
    let wrong = 0;
    let parts = 0;
    let absent = 0;
    for (const { row, column, value, part } of recoveredCells(
      scannedDocument(doc, SCAN_SPEC, held),
      parents,
      SCAN_SPEC,
      scanned,
    )) {
      const id = `${keyOf(row as Record<string, unknown>)}|${column}|${part ?? ''}`;
      if (seen.has(id)) continue;
      seen.add(id);
      if (part !== undefined) {
        parts++;
        continue;
      }
      const truth = exact.get(keyOf(row as Record<string, unknown>));
      if (truth === undefined) absent++;
      else if (Number(truth[column] ?? 0) === value) right++;
      else wrong++;
    }
    if (seen.size > 0)
      console.log(
        `${doc.name}: of ${seen.size} cells recovered exactly, ${right} are the exact value, ${wrong} are not (secondary or misread), ${parts} unpublished parts, ${absent} without an exact row`,
      );
  }
// Counts published in two documents (SCAN_SPEC.shared): the same value in both.
const across = sharedProblems(docs, SCAN_SPEC);
total += across.length;
console.log(`across documents: ${across.length} findings (shared counts published differently)`);
for (const line of across.slice(0, Number(examples))) console.log(`    ${line}`);
// Counts several documents control themselves (SCAN_SPEC.jointly): the same value in each.
const jointly = jointProblems(docs, SCAN_SPEC, parents);
total += jointly.length;
console.log(`jointly controlled counts: ${jointly.length} findings (published differently by two documents)`);
for (const line of jointly.slice(0, Number(examples))) console.log(`    ${line}`);
// Cohorts with a gap where few PCNs make it (as scanPublished).
const gaps = cohortGapProblems(docs, held);
total += gaps.length;
console.log(`cohort gaps: ${gaps.length} findings`);
for (const line of gaps.slice(0, Number(examples))) console.log(`    ${line}`);
console.log(`total: ${total} findings in ${docs.length} documents`);
process.exitCode = total === 0 ? 0 : 1;
