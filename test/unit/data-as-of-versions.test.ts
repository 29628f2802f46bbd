import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { expect, it } from 'vitest';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { dataAsOfOn, monthSubmissions, stoppedBefore } from '../../functions/refresh/data-as-of.ts';

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
/** Hand-made PCNs as the tables data_as_of reads: event months, onboarded spans and reference versions. */
interface Fixture {
  /** [pcn_code, month]. */
  readonly eventMonths: readonly (readonly [string, string])[];
  /** [pcn_code, first_month, last_month]. */
  readonly onboarded: readonly (readonly [string, string, string])[];
  /** [pcn_code, valid_from, valid_to, list_size]. */
  readonly pcns: readonly (readonly [string, string, string | null, number])[];
  /** stopped_pcns.sql's parameter: a PCN whose last month is before it has stopped. */
  readonly stoppedBefore: string;
}

const values = (rows: readonly (readonly (string | number | null)[])[]) =>
  rows
    .map((r) => `(${r.map((v) => (v === null ? 'NULL' : typeof v === 'number' ? v : `'${v}'`)).join(', ')})`)
    .join(', ');

/** The PCNs above (review 20). */
const REVIEW_20: Fixture = {
  eventMonths: ['U1', 'U2', 'U3', 'U4'].flatMap((pcn) => [[pcn, '2025-09'] as const, [pcn, '2025-10'] as const]),
  onboarded: [
    ['U1', '2025-09', '2025-10'],
    ['U2', '2025-09', '2025-10'],
    ['U3', '2025-09', '2025-10'],
    ['U4', '2025-09', '2025-09'],
  ],
  pcns: [
    ['U1', '2025-04-01', null, 1000],
    ['U2', '2025-04-01', '2025-10-31', 2000],
    ['U2', '2025-11-01', null, 2010],
    ['U3', '2025-04-01', '2025-10-31', 500],
    ['U4', '2025-04-01', null, 400],
  ],
  stoppedBefore: '2025-07',
};

/** `fixture`'s tables (and stopped_pcns, sending_pcns as publishCompleteMonths makes them) on a fresh DuckDB. */
async function withTables<T>(fixture: Fixture, work: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    await c.run(
      `CREATE TABLE event_months AS SELECT * FROM (VALUES ${values(fixture.eventMonths)}) AS t(pcn_code, month)`,
    );
    await c.run(
      `CREATE TABLE onboarded AS SELECT * FROM (VALUES ${values(fixture.onboarded)}) AS t(pcn_code, first_month, last_month)`,
    );
    await c.run(`CREATE TABLE stopped_pcns AS ${loadSql('meta/stopped_pcns')}`, [fixture.stoppedBefore]);
    await c.run(`CREATE VIEW sending_pcns AS ${loadSql('meta/sending_pcns')}`);
    await c.run(
      `CREATE TABLE pcns AS SELECT pcn_code, CAST(valid_from AS DATE) AS valid_from, CAST(valid_to AS DATE) AS valid_to,
        list_size FROM (VALUES ${values(fixture.pcns)}) AS t(pcn_code, valid_from, valid_to, list_size)`,
    );
    return await work(c);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

it('projects at the PCNs still open next month, new versions included, and counts a month sent only in its span', async () => {
  await withTables(REVIEW_20, async (c) => {
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
// open valid_to made it a nested loop join: quadratic in PCNs, 1,300 of them nationally). The plan's shape, not its
// rows (the tests beside it read those): the only guard against the slow plan short of a national benchmark (R39-7).
it("joins each PCN's version of the next month by the PCN, not in a nested loop", async () => {
  const plan = await withTables(REVIEW_20, async (c) =>
    (await c.runAndReadAll(`EXPLAIN ${loadSql('meta/data_as_of')}`)).getRows().map((row) => String(row[1])),
  );
  const loops = plan.join('\n').match(/NESTED_LOOP_JOIN|BLOCKWISE_NL_JOIN|PIECEWISE_MERGE_JOIN/g) ?? [];
  // The one left: the months with every PCN version in force on their first day (no PCN to join on).
  expect(loops).toHaveLength(1);
});

/*
 * Review 39, R39-7: every figure of data_as_of.sql and the data-as-of date read from them, worked by hand (the plan test
 * above guards the query's speed, this its rows). Refreshed on 10 November 2025: a PCN whose last month reported is
 * before July 2025 has stopped (stoppedBefore: November less 4 months).
 *   A  list 1,000, open throughout, reports June to September.
 *   B  list 2,000, closes 31 August (valid_to its last day), reports June to August.
 *   C  list 300, of a later wave: reporting from August (a stray event of March 2025 before it), reports August only
 *      (late for September: its last month August is after July, so not stopped).
 *   D  list 400, reports June only, so its extract has stopped (last month June, before July).
 *   E  list 500, opens 1 August and has sent nothing (no reporting span: never onboarded).
 * The months: June to September (March has only C's stray event: none).
 *   June: open A-D 4; onboarded A, B, D 3 (C's wave from August); stopped 0; submitting A, B, D 3; list sending
 *     1,000 + 2,000 + 400 = 3,400, all still open on 1 July: continuing 3,400.
 *   July: open 4; onboarded 3; stopped D 1 (its span June to June ends before July); submitting A, B 2; sending
 *     1,000 + 2,000 = 3,000 (D no longer), continuing 3,000.
 *   August: open A-E 5; onboarded A-D 4; stopped 1; submitting A, B, C 3; sending 1,000 + 2,000 + 300 = 3,300;
 *     continuing (open on 1 September) A, C 1,300 (B closes).
 *   September: open A, C, D, E 4; onboarded A, C, D 3; stopped 1; submitting A 1; sending A, C 1,300, continuing 1,300.
 * Complete (ended, and at least 90% of the PCNs onboarded less stopped submitting): June 3 of 3; July 2 of 3 - 1 = 2
 * (D not waited for: 2 of 3 would fall short); August 3 of 4 - 1 = 3; September 1 of 2 falls short (C is late).
 * So data as of 31 August 2025, September pending.
 */
const WAVES_STOPPED_CLOSED: Fixture = {
  eventMonths: [
    ...['2025-06', '2025-07', '2025-08', '2025-09'].map((m) => ['A', m] as const),
    ...['2025-06', '2025-07', '2025-08'].map((m) => ['B', m] as const),
    ['C', '2025-03'],
    ['C', '2025-08'],
    ['D', '2025-06'],
  ],
  onboarded: [
    ['A', '2025-06', '2025-09'],
    ['B', '2025-06', '2025-08'],
    ['C', '2025-08', '2025-08'],
    ['D', '2025-06', '2025-06'],
  ],
  pcns: [
    ['A', '2025-04-01', null, 1000],
    ['B', '2025-04-01', '2025-08-31', 2000],
    ['C', '2025-04-01', null, 300],
    ['D', '2025-04-01', null, 400],
    ['E', '2025-08-01', null, 500],
  ],
  stoppedBefore: stoppedBefore('2025-11-10'),
};

it('counts each month over the PCNs open, onboarded, stopped and sending, and dates the data from them (R39-7)', async () => {
  expect(WAVES_STOPPED_CLOSED.stoppedBefore).toBe('2025-07');
  const rows = await withTables(WAVES_STOPPED_CLOSED, async (c) =>
    (await c.runAndReadAll(loadSql('meta/data_as_of'))).getRowObjectsJson(),
  );
  const months = monthSubmissions(rows);
  expect(months).toEqual([
    {
      month: '2025-06',
      pcnsSubmitting: 3,
      pcnsOnboarded: 3,
      pcnsStopped: 0,
      pcnsOpen: 4,
      listSending: 3400,
      listContinuing: 3400,
    },
    {
      month: '2025-07',
      pcnsSubmitting: 2,
      pcnsOnboarded: 3,
      pcnsStopped: 1,
      pcnsOpen: 4,
      listSending: 3000,
      listContinuing: 3000,
    },
    {
      month: '2025-08',
      pcnsSubmitting: 3,
      pcnsOnboarded: 4,
      pcnsStopped: 1,
      pcnsOpen: 5,
      listSending: 3300,
      listContinuing: 1300,
    },
    {
      month: '2025-09',
      pcnsSubmitting: 1,
      pcnsOnboarded: 3,
      pcnsStopped: 1,
      pcnsOpen: 4,
      listSending: 1300,
      listContinuing: 1300,
    },
  ]);
  const decided = dataAsOfOn(months, '2025-11-10');
  expect([decided.dataAsOf, decided.lastMonth, decided.completeMonths, decided.pending.map((m) => m.month)]).toEqual([
    '2025-08-31',
    '2025-08',
    ['2025-06', '2025-07', '2025-08'],
    ['2025-09'],
  ]);
  expect(decided.pcnsStopped).toBe(1);
});
