import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, type MetricDefinition } from '../../functions/refresh/catalogue.ts';
import { definitionHash, readSql } from '../support/definition-versions.ts';

/*
 * A metric's definition version (catalogue.ts `version`) is what the revisions record keeps with its values: a new
 * one is a declared break in the series, an unchanged one is differenced under the hold policy (revisions.ts). A
 * change to what defines the exact figures must be reviewed as one or the other, so it cannot be forgotten: the hash
 * of those inputs is recorded beside the version it was reviewed under (test/support/definition-versions.ts says how).
 */
const recorded = JSON.parse(
  readFileSync(new URL('../fixtures/definition-versions.json', import.meta.url), 'utf8'),
) as Record<string, { version: string; hash: string }>;
const metric = (name: string) => CATALOGUE.find((d) => d.name === name) as MetricDefinition;

describe('definition versions', () => {
  it('every metric has the version and hash recorded for it (else: a new version, or a refactor recorded)', () => {
    const changed = CATALOGUE.filter(
      (d) => recorded[d.name]?.version !== d.version || recorded[d.name]?.hash !== definitionHash(d),
    ).map((d) => d.name);
    expect(
      changed,
      'what defines these metrics changed: give each whose figures change a new `version` in catalogue.ts, then record ' +
        'the hashes (npx tsx test/support/definition-versions.ts > test/fixtures/definition-versions.json)',
    ).toEqual([]);
    expect(Object.keys(recorded).sort()).toEqual(CATALOGUE.map((d) => d.name).sort());
  });

  it('a changed follow-up window in a prepare step changes the hash of every metric reading it, and only those', () => {
    // sql/prepare/episodes.sql's 3-month window made 4 months: read by every metric reading the episodes, wellbeing
    // through wellbeing_pairs (which joins them), data_quality (its person ids shared); not by cof_community
    // (events_in_force, pcn_months, rollups).
    const episodes = readSql('prepare/episodes') as string;
    expect(episodes).toContain("INTERVAL '3' MONTH");
    const changed = (file: string) =>
      file === 'prepare/episodes' ? episodes.replaceAll("INTERVAL '3' MONTH", "INTERVAL '4' MONTH") : readSql(file);
    const moved = CATALOGUE.filter((d) => definitionHash(d, changed) !== definitionHash(d)).map((d) => d.name);
    expect(moved).toEqual([
      'rollout',
      'referral_sources',
      'cof_person',
      'contacts_distribution',
      'wellbeing',
      'cof_system',
      'workforce',
      'equity',
      'pcn_comparison',
      // Person ids another PCN has sent too are read from episodes (review 13, R13-5).
      'data_quality',
    ]);
  });

  it("a comment or a query's layout is not a change of definition", () => {
    const sql = readSql('metrics/rollout') as string;
    const relaid = (file: string) =>
      file === 'metrics/rollout'
        ? `-- why, in plain words\n${sql.replaceAll('\n', '\n  ')}\n/* more */`
        : readSql(file);
    expect(definitionHash(metric('rollout'), relaid)).toBe(definitionHash(metric('rollout')));
    const changed = (file: string) =>
      file === 'metrics/rollout' ? sql.replace(/\bSELECT\b/, 'SELECT DISTINCT') : readSql(file);
    expect(definitionHash(metric('rollout'), changed)).not.toBe(definitionHash(metric('rollout')));
  });
});
