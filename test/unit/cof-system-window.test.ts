import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICE_USE_WINDOW_MONTHS } from '../../functions/contract/index.ts';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';
import { committedEventsDb } from '../support/prepare-sql.ts';

/*
 * Red-team review 26, R26-3: cof_system took each referral's longest ended pair of windows (12 months, else 6, else 3)
 * and added them up across referrals, so a row's totals added 3-month counts of some referrals to 12-month counts of
 * others, its bands meant different things by length, and a referral month switched length as it aged. Now every
 * figure counts the 6-month pairs alone (window_months, 6 on every row): sql/metrics/cof_system.sql run here on
 * hand-written rows, with the catalogue's own parameters. One PCN, UA (ICB Q01, region Y56), reporting every month
 * from January 2024 to the month published; GP appointments. Worked by hand:
 *
 * The reviewer's case (r3.mjs), data as of 2026-11-30 (6-month cut-off 2026-05-31), three referrals of May 2024:
 *   R1 12-month windows only: 6 before (a light user, 6 a year), 5 after;
 *   R2 3-month windows only: 7 before (about 28 a year, a very heavy user), 4 after;
 *   R4 all three lengths: 3-month 1 -> 0, 6-month 5 -> 2, 12-month 9 -> 8.
 *   Before: the longest pair each (R1 12, R2 3, R4 12) added, people 3, before 6 + 7 + 9 = 22, after 5 + 4 + 8 = 17;
 *   bands 4-6 R1, 7+ R2 and R4. Now R4's 6-month pair alone: people 1, before 5, after 2, band 4-6 (5 in 6 months;
 *   its 12-month 9 was 7+, its 3-month 1 would be 0-3). No row holds R1's 6 or R2's 7.
 *
 * Maturing (r3b.mjs), R3 referred 2025-10-15 with 3-month 2 -> 1 (after dated 2026-01-15), 6-month 4 -> 3 (2026-04-15)
 * and 12-month 8 -> 6 (2026-10-15):
 *   as of 2026-02-28 (cut-off 2025-08-31): no row (its 6-month windows have not ended). Before: 2 -> 1 (3-month).
 *   as of 2026-04-30 (cut-off 2025-10-31): 4 -> 3. Before: the same.
 *   as of 2026-11-30 (cut-off 2026-05-31): 4 -> 3 still. Before: 8 -> 6 (its 12-month pair, once ended).
 */
const SYSTEM = CATALOGUE.find((d) => d.name === 'cof_system') as (typeof CATALOGUE)[number];

interface Use {
  readonly referral: string;
  readonly months: number;
  readonly window: 'before' | 'after';
  readonly on: string;
  readonly count: number;
}

/** The pair of `months`-month windows of a referral made on `referredOn`: before dated on it, after at the window's end. */
function pair(referral: string, referredOn: string, months: number, before: number, after: number): Use[] {
  const [y, m, d] = referredOn.split('-').map(Number) as [number, number, number];
  const end = new Date(Date.UTC(y, m - 1 + months, d)).toISOString().slice(0, 10);
  return [
    { referral, months, window: 'before', on: referredOn, count: before },
    { referral, months, window: 'after', on: end, count: after },
  ];
}

let open: { instance: DuckDBInstance; connection: DuckDBConnection } | undefined;
afterEach(() => {
  open?.connection.closeSync();
  open?.instance.closeSync();
  open = undefined;
});

/** cof_system's PCN rows for data as of `dataAsOf` (a month's end), published through its month. */
async function system(dataAsOf: string, referrals: Record<string, string>, uses: readonly Use[]) {
  open = await committedEventsDb();
  const { connection } = open;
  const through = dataAsOf.slice(0, 7);
  await connection.run(
    `CREATE TEMP TABLE rollups AS SELECT * FROM (VALUES ('pcn', 'month'), ('pcn', 'fy')) AS r (level, period_type)`,
  );
  await connection.run(`CREATE TEMP TABLE published_through AS SELECT '${through}' AS month`);
  await connection.run('CREATE TEMP TABLE withdrawn (upload_id VARCHAR, source_row INTEGER, event_type VARCHAR)');
  await connection.run(`CREATE TEMP TABLE pcn_months AS
    SELECT 'UA' AS pcn_code, strftime(m, '%Y-%m') AS month, true AS reporting
    FROM range(DATE '2024-01-01', DATE '${through}-01' + INTERVAL 1 MONTH, INTERVAL 1 MONTH) AS t (m)`);
  // The financial year of a referral (April to March): 2024-05 is in 2024/25, 2026-02 in 2025/26.
  const fy = (on: string) => {
    const start = Number(on.slice(0, 4)) - (Number(on.slice(5, 7)) < 4 ? 1 : 0);
    return `${start}/${String(start + 1).slice(2)}`;
  };
  await connection.run(`CREATE TEMP TABLE episodes AS
    SELECT 'UA' AS pcn_code, referral_id, 'Q01' AS icb_code, 'Y56' AS region_code, month, fy, referred_on
    FROM (VALUES ${Object.entries(referrals)
      .map(([id, on]) => `('${id}', '${on.slice(0, 7)}', '${fy(on)}', DATE '${on}')`)
      .join(', ')}) AS r (referral_id, month, fy, referred_on)`);
  await connection.run(
    `INSERT INTO committed_events (event_id, event_type, pcn_code, referral_id, occurred_on, service, "window",
      window_months, "count", upload_id, source_row, event_month)
     VALUES ${uses
       .map(
         (u, i) =>
           `('S${i}', 'service_use', 'UA', '${u.referral}', DATE '${u.on}', 'gp_appointment', '${u.window}', ${u.months}, ${u.count}, 'u1', ${i + 1}, '${u.on.slice(0, 7)}')`,
       )
       .join(', ')}`,
  );
  const params = typeof SYSTEM.params === 'function' ? SYSTEM.params({ dataAsOf }) : (SYSTEM.params ?? []);
  const reader = await connection.runAndReadAll(loadSql(`metrics/${SYSTEM.file}`), params as never);
  return reader.getRowObjectsJson().map((r) => ({
    period: r.period,
    window_months: r.window_months === undefined ? undefined : Number(r.window_months),
    baseline_band: r.baseline_band,
    people: Number(r.people),
    before_total: Number(r.before_total),
    after_total: Number(r.after_total),
  }));
}

describe('cof_system: one length of windows, never windows of different lengths added together (R26-3)', () => {
  it("the reviewer's case: no row adds R1's 12-month 6 and R2's 3-month 7; R4's 6-month pair alone", async () => {
    const rows = await system('2026-11-30', { R1: '2024-05-10', R2: '2024-05-12', R4: '2024-05-14' }, [
      ...pair('R1', '2024-05-10', 12, 6, 5),
      ...pair('R2', '2024-05-12', 3, 7, 4),
      ...pair('R4', '2024-05-14', 3, 1, 0),
      ...pair('R4', '2024-05-14', 6, 5, 2),
      ...pair('R4', '2024-05-14', 12, 9, 8),
    ]);
    // Years first (period_type fy before month), as the query orders them.
    expect(rows).toEqual([
      { period: '2024/25', window_months: 6, baseline_band: '4-6', people: 1, before_total: 5, after_total: 2 },
      { period: '2024/25', window_months: 6, baseline_band: 'all', people: 1, before_total: 5, after_total: 2 },
      { period: '2024-05', window_months: 6, baseline_band: 'all', people: 1, before_total: 5, after_total: 2 },
    ]);
  });

  it('a referral month keeps its length as it ages: no row before its 6-month windows end, then 4 -> 3 for good', async () => {
    const referrals = { R3: '2025-10-15' };
    const uses = [
      ...pair('R3', '2025-10-15', 3, 2, 1),
      ...pair('R3', '2025-10-15', 6, 4, 3),
      ...pair('R3', '2025-10-15', 12, 8, 6),
    ];
    const month = async (dataAsOf: string) =>
      (
        await system(
          dataAsOf,
          referrals,
          uses.filter((u) => u.on.slice(0, 7) <= dataAsOf.slice(0, 7)),
        )
      )
        .filter((r) => r.period === '2025-10')
        .map((r) => [r.window_months, r.people, r.before_total, r.after_total]);
    expect(await month('2026-02-28')).toEqual([]);
    expect(await month('2026-04-30')).toEqual([[6, 1, 4, 3]]);
    expect(await month('2026-11-30')).toEqual([[6, 1, 4, 3]]);
  });

  it("says its length: a key of every row, the summary's one cut-off, the SQL's 6s", () => {
    expect(SERVICE_USE_WINDOW_MONTHS).toBe(6);
    expect(SYSTEM.keys).toEqual(['window_months', 'service', 'baseline_band']);
    expect(SYSTEM.summarise?.([], { targets: {} as never, medianContacts: new Map(), dataAsOf: '2026-11-30' })).toEqual(
      {
        windows_ended: [{ months: 6, referred_on_or_before: '2026-05-31' }],
      },
    );
    // The SQL's length is written out (Athena takes a ? only in a WHERE clause, and an INTERVAL's length is a literal):
    // it must be the constant's.
    const sql = loadSql('metrics/cof_system').replace(/--.*$/gm, '');
    expect(sql.match(/window_months = (\d+)/g)).toEqual([`window_months = ${SERVICE_USE_WINDOW_MONTHS}`]);
    expect(sql.match(/INTERVAL '(\d+)' MONTH/g)).toEqual([`INTERVAL '${SERVICE_USE_WINDOW_MONTHS}' MONTH`]);
    expect(sql.match(/(\d+) AS window_months/g)).toEqual([`${SERVICE_USE_WINDOW_MONTHS} AS window_months`]);
  });
});
