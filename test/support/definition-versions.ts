/**
 * What defines each metric's exact figures, hashed: its SQL (sql/metrics/<file>.sql), every prepare step it reads
 * (sql/prepare, followed from step to step by name), its parameters (evaluated
 * at a fixed data-as-of date), keys, disclosure rules (what the revisions record keeps: columns, units, monthly counts)
 * and cohort windows. SQL comments and layout are left out: they define nothing. Functions in the definition (derive,
 * beforeControl, summarise) are left out too: they make derived or published figures, not the exact ones the record
 * keeps; a change to them that changes exact figures must be given a new version by hand.
 *
 * test/unit/definition-versions.test.ts compares these with test/fixtures/definition-versions.json, where each hash is
 * recorded beside the catalogue version it was reviewed under. When it fails, decide for each metric named: if the
 * same data now gives different exact figures (a golden test's expected figures changed), it is a change of
 * definition: give the metric a new `version` in functions/refresh/catalogue.ts (the next release states a break in
 * its series); if not (a refactor, a faster query), keep the version. Then record the hashes:
 *
 *   npx tsx test/support/definition-versions.ts > test/fixtures/definition-versions.json
 */

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CATALOGUE, type MetricDefinition } from '../../functions/refresh/catalogue.ts';
import { PREPARE_STEPS } from '../../functions/refresh/refresh.ts';

const SQL = new URL('../../sql/', import.meta.url);
/** A SQL file's text, or undefined when there is none (the data-as-of step is made in TypeScript). */
export const readSql = (file: string): string | undefined => {
  const url = new URL(`${file}.sql`, SQL);
  return existsSync(url) ? readFileSync(url, 'utf8') : undefined;
};

/** SQL without its comments and layout. */
export function normalisedSql(sql: string): string {
  return sql
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/--[^\n]*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The prepare steps a SQL text reads, and the steps they read, by name. */
function stepsRead(sql: string, read: (file: string) => string | undefined): string[] {
  const found = new Set<string>();
  const visit = (text: string) => {
    for (const { name } of PREPARE_STEPS) {
      if (found.has(name) || !new RegExp(`\\b${name}\\b`).test(text)) continue;
      found.add(name);
      const step = read(`prepare/${name}`);
      if (step !== undefined) visit(normalisedSql(step));
    }
  };
  visit(normalisedSql(sql));
  return [...found].sort();
}

/** The hash of what defines a metric's exact figures (`read`: a SQL file's text, for testing the hash itself). */
export function definitionHash(definition: MetricDefinition, read: (file: string) => string | undefined = readSql) {
  const metric = read(`metrics/${definition.file}`);
  if (metric === undefined) throw new Error(`${definition.name}: no sql/metrics/${definition.file}.sql`);
  const files = [`metrics/${definition.file}`, ...stepsRead(metric, read).map((name) => `prepare/${name}`)];
  const hash = createHash('sha256');
  for (const file of files) {
    const text = read(file);
    if (text !== undefined) hash.update(`${file}\n${normalisedSql(text)}\n`);
  }
  const params =
    typeof definition.params === 'function' ? definition.params({ dataAsOf: '2026-03-31' }) : (definition.params ?? []);
  hash.update(
    JSON.stringify({
      params,
      keys: definition.keys,
      rules: definition.rules,
      cohortMonths: definition.cohortMonths ?? null,
      pcnGroups: definition.pcnGroups?.membership ?? null,
    }),
  );
  return hash.digest('hex').slice(0, 16);
}

/** Each metric's version and hash, as the fixture records them. */
export const definitionVersions = () =>
  Object.fromEntries(CATALOGUE.map((d) => [d.name, { version: d.version, hash: definitionHash(d) }]));

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(definitionVersions(), null, 2));
