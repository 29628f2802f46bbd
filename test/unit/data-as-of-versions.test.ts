import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { expect, it } from 'vitest';
import { loadSql } from '../../functions/lib/query-engine.ts';

/*
 * sql/meta/data_as_of.sql on hand-made PCNs (red-team review 20): the list the months to come are projected at
 * (list_continuing) and the PCNs counted as having sent a month (pcns_submitting).
 *   U1  list 1,000, one reference version, reports September and October 2025.
 *   U2  list 2,000 to 31 October, then a new version from 1 November (list 2,010: the next month's list extract):
 *       the same PCN, still open (R20-4: it was read as closing, so October's list_continuing was 1,000 less 2,000).
 *   U3  list 500, closes 31 October (valid_to its last day): sends October, not November.
 *   U4  list 400; its latest file came mid-October with October rows, so its span ends in September (R18-4); an
 *       October row of its is no sending of October (R20-8: it counted towards October's complete month).
 * Stopped extracts: those whose span ends before July (none).
 *   September: 4 PCNs submitting; list_sending 1,000 + 2,000 + 500 + 400 = 3,900; every PCN has a version in force on
 *     1 October, so list_continuing 3,900.
 *   October: submitting U1, U2, U3 = 3 (before R20-8: 4); list_sending 3,900; list_continuing 3,900 - U3's 500 = 3,400
 *     (before R20-4: 1,400, U2 left out too).
 */
/** The hand-made PCNs above, as the tables data_as_of reads, on a fresh DuckDB. */
async function withTables<T>(work: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    await c.run(
      `CREATE TABLE event_months AS SELECT * FROM (VALUES ('U1', '2025-09'), ('U1', '2025-10'), ('U2', '2025-09'),
        ('U2', '2025-10'), ('U3', '2025-09'), ('U3', '2025-10'), ('U4', '2025-09'), ('U4', '2025-10')) AS t(pcn_code, month)`,
    );
    await c.run(
      `CREATE TABLE onboarded AS SELECT * FROM (VALUES ('U1', '2025-09', '2025-10'), ('U2', '2025-09', '2025-10'),
        ('U3', '2025-09', '2025-10'), ('U4', '2025-09', '2025-09')) AS t(pcn_code, first_month, last_month)`,
    );
    await c.run(`CREATE TABLE stopped_pcns AS ${loadSql('meta/stopped_pcns')}`, ['2025-07']);
    await c.run(`CREATE VIEW sending_pcns AS ${loadSql('meta/sending_pcns')}`);
    await c.run(
      `CREATE TABLE pcns AS SELECT pcn_code, CAST(valid_from AS DATE) AS valid_from, CAST(valid_to AS DATE) AS valid_to,
        list_size FROM (VALUES ('U1', '2025-04-01', NULL, 1000), ('U2', '2025-04-01', '2025-10-31', 2000),
        ('U2', '2025-11-01', NULL, 2010), ('U3', '2025-04-01', '2025-10-31', 500), ('U4', '2025-04-01', NULL, 400))
        AS t(pcn_code, valid_from, valid_to, list_size)`,
    );
    return await work(c);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

it('projects at the PCNs still open next month, new versions included, and counts a month sent only in its span', async () => {
  await withTables(async (c) => {
    const rows = (await c.runAndReadAll(loadSql('meta/data_as_of'))).getRowObjectsJS();
    expect(
      rows.map((r) => ({
        month: r.month,
        submitting: Number(r.pcns_submitting),
        sending: Number(r.list_sending),
        continuing: Number(r.list_continuing),
      })),
    ).toEqual([
      { month: '2025-09', submitting: 4, sending: 3900, continuing: 3900 },
      { month: '2025-10', submitting: 3, sending: 3900, continuing: 3400 },
    ]);
  });
});

// Issue 17: each PCN's version in force on the next month's first day is joined by the PCN (a hash join, its dates
// compared there), not found by comparing every PCN open in every month with every version of every PCN (the OR of an
// open valid_to made it a nested loop join: quadratic in PCNs, 1,300 of them nationally).
it("joins each PCN's version of the next month by the PCN, not in a nested loop", async () => {
  const plan = await withTables(async (c) =>
    (await c.runAndReadAll(`EXPLAIN ${loadSql('meta/data_as_of')}`)).getRows().map((row) => String(row[1])),
  );
  const loops = plan.join('\n').match(/NESTED_LOOP_JOIN|BLOCKWISE_NL_JOIN|PIECEWISE_MERGE_JOIN/g) ?? [];
  // The one left: the months with every PCN version in force on their first day (no PCN to join on).
  expect(loops).toHaveLength(1);
});
