/**
 * Scans published documents for disclosure by arithmetic (test/support/disclosure-scan.ts) and prints the findings
 * per document and kind, with a few examples; for comparing two refreshes' documents before and after a change.
 *
 *   npx tsx test/bench/disclosure-scan-documents.ts <documents folder> <PCN reference csv> [examples per kind]
 *
 * The documents folder is what `refresh-documents.ts publish` writes (metrics/: *.json with meta.json); the reference
 * is the data folder's reference/pcns/<version>.csv. Exits 1 when anything is found.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricDocument } from '../../functions/contract/index.ts';
import {
  heldPeriodsOf,
  jointProblems,
  parentsFrom,
  SCAN_SPEC,
  scanDocuments,
  sharedProblems,
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
if (held.size > 0) console.log(`England held for ${[...held].join(', ')} (revisions_held): not read as sums`);
const kindOf = (line: string) =>
  line.includes('recovered exactly')
    ? 'recovered exactly'
    : line.includes('one suppressed part')
      ? 'lone suppressed part'
      : 'other';
let total = 0;
for (const doc of docs) {
  const found = scanDocuments([doc], parents, SCAN_SPEC, held);
  total += found.length;
  const byKind = new Map<string, string[]>();
  for (const line of found) byKind.set(kindOf(line), [...(byKind.get(kindOf(line)) ?? []), line]);
  const cells = doc.rows.length;
  console.log(
    `${doc.name}: ${found.length} findings (${[...byKind].map(([k, v]) => `${k} ${v.length}`).join(', ') || 'none'}); ${cells} rows`,
  );
  for (const lines of byKind.values()) for (const line of lines.slice(0, Number(examples))) console.log(`    ${line}`);
}
// Counts published in two documents (SCAN_SPEC.shared): the same value in both.
const across = sharedProblems(docs, SCAN_SPEC);
total += across.length;
console.log(`across documents: ${across.length} findings (shared counts published differently)`);
for (const line of across.slice(0, Number(examples))) console.log(`    ${line}`);
// Counts several documents control themselves (SCAN_SPEC.jointly): the same value in each.
const jointly = jointProblems(docs, SCAN_SPEC);
total += jointly.length;
console.log(`jointly controlled counts: ${jointly.length} findings (published differently by two documents)`);
for (const line of jointly.slice(0, Number(examples))) console.log(`    ${line}`);
console.log(`total: ${total} findings in ${docs.length} documents`);
process.exitCode = total === 0 ? 0 : 1;
