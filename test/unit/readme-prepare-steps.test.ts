import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import {
  DATA_AS_OF_TABLES,
  PUBLISHED_THROUGH,
  SENDING_PCNS,
  STOPPED_PCNS,
} from '../../functions/refresh/data-as-of.ts';
import { PREPARE_STEPS } from '../../functions/refresh/refresh.ts';

/*
 * Review 39, R39-5 (and review 40, R40-4): README's paragraph on sql/prepare/ names every prepare step and counts the
 * tables, views and Athena CREATE TABLE AS queries a refresh makes, so a new step is not left out of it again.
 * publishCompleteMonths makes stopped_pcns a table and sending_pcns a view (data-as-of.ts).
 */
const paragraph = (() => {
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf('- `sql/prepare/` is run once per refresh');
  return readme.slice(start, readme.indexOf('\n- `sql/metrics/`', start)).replace(/\s+/g, ' ');
})();

it("README's sql/prepare paragraph names every prepare step and counts the refresh's tables, views and CTAS queries", () => {
  const own = PREPARE_STEPS.filter((step) => step.name !== PUBLISHED_THROUGH);
  const tables = own.filter((step) => step.kind === 'table').length;
  const views = own.filter((step) => step.kind === 'view').map((step) => `\`${step.name}\``);
  expect(DATA_AS_OF_TABLES).toEqual([STOPPED_PCNS, SENDING_PCNS]);
  const ctas = tables + [STOPPED_PCNS, PUBLISHED_THROUGH].length;
  expect(own.filter((step) => !paragraph.includes(`\`${step.name}\``)).map((step) => step.name)).toEqual([]);
  expect([
    paragraph.match(/: (\d+) tables \(/)?.[1],
    paragraph.match(/ and (\d+) views \(([^;]*);/)?.slice(1),
    paragraph.match(/(\d+) `CREATE TABLE AS` queries a refresh in all/)?.[1],
  ]).toEqual([String(tables), [String(views.length), views.join(', ')], String(ctas)]);
  // The cost table counts the same queries (review 42, R42-6).
  expect(readFileSync('README.md', 'utf8').match(/plus each refresh's (\d+) `CREATE TABLE AS` steps/)?.[1]).toBe(
    String(ctas),
  );
});
