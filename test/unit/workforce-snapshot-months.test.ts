import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';

/*
 * Review 26's workforce findings, worked by hand on sql/prepare/populations.sql and sql/metrics/workforce.sql. ICB Q01
 * (region Y56), FY 2025/26 (12 months, every one published), two PCNs of list 50,000 each, link workers only:
 * - R26-2: UA and UB both report referral data all year, 400 people each. UA sends a snapshot every month (2 FTE); UB
 *   only October to March (2 FTE). Each PCN's own caseload is 400 / 2 = 200. Q01's FTE is (12 x 2 + 6 x 2) / 12 = 3,
 *   so 800 / 3 = 267 counted UB's April to September people against no link worker: withheld, with the PCNs that
 *   reported a month without a snapshot, 1 (UB), published. England's caseload over the PCNs covered leaves UB out:
 *   UA alone, 400 people, FTE 24 / 12 months = 2, 200 (was 267).
 * - R26-4: UB onboarded in October (reports and sends snapshots from October), 200 people, 2 FTE. Its caseload is
 *   200 / 2 = 100 in 6 months of referral data, 200 a year (was x 12 / its 12 months in force: 100). Q01: FTE 3,
 *   people 600, 200 over the area's 12 months.
 * - R26-6: UA gives 2 trained of 2 in post every month; UB (October to March) 2 in post, training not given. Q01:
 *   headcount (24 + 12) / 12 = 3, trained 24 / 12 = 2, of the link workers in post where training was given 24 / 12 =
 *   2: 100% (was 2 / 3 = 67%).
 */

const WORKFORCE = CATALOGUE.find((d) => d.name === 'workforce');

const months = (from: string) =>
  [
    '2025-04',
    '2025-05',
    '2025-06',
    '2025-07',
    '2025-08',
    '2025-09',
    '2025-10',
    '2025-11',
    '2025-12',
    '2026-01',
    '2026-02',
    '2026-03',
  ].filter((m) => m >= from);

interface Case {
  /** UB's first month of referral data (and of its reporting span). */
  readonly ubReportsFrom: string;
  readonly ubPeople: number;
  /** UB's accredited training headcount, or NULL (not given). */
  readonly ubTrained: string;
}

async function workforce({ ubReportsFrom, ubPeople, ubTrained }: Case): Promise<Row[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const run = (sql: string) => connection.run(sql);
    await run(`CREATE VIEW rollups AS ${loadSql('prepare/rollups')}`);
    await run(
      "CREATE TABLE onboarded AS SELECT * FROM (VALUES ('UA', '2025-04', '2026-03'), ('UB', ?, '2026-03')) AS o (pcn_code, first_month, last_month)".replace(
        '?',
        `'${ubReportsFrom}'`,
      ),
    );
    await run(`CREATE TABLE pcn_months (pcn_code VARCHAR, icb_code VARCHAR, region_code VARCHAR, month VARCHAR,
      fy VARCHAR, list_size BIGINT, reporting BOOLEAN)`);
    await run(
      `INSERT INTO pcn_months VALUES ${['UA', 'UB']
        .flatMap((pcn) =>
          months('2025-04').map(
            (m) =>
              `('${pcn}', 'Q01', 'Y56', '${m}', '2025/26', 50000, ${pcn === 'UA' || m >= ubReportsFrom ? 'true' : 'false'})`,
          ),
        )
        .join(', ')}`,
    );
    await run(`CREATE TABLE populations AS ${loadSql('prepare/populations')}`);
    await run('CREATE TABLE pcns (pcn_code VARCHAR, list_size BIGINT, valid_from DATE, valid_to DATE)');
    await run("INSERT INTO pcns VALUES ('UA', 50000, DATE '2020-01-01', NULL), ('UB', 50000, DATE '2020-01-01', NULL)");
    await run(
      'CREATE TABLE episodes (pcn_code VARCHAR, icb_code VARCHAR, region_code VARCHAR, fy VARCHAR, person_id VARCHAR)',
    );
    const people = (pcn: string, n: number) =>
      Array.from({ length: n }, (_, i) => `('${pcn}', 'Q01', 'Y56', '2025/26', '${pcn}-${i}')`);
    await run(`INSERT INTO episodes VALUES ${[...people('UA', 400), ...people('UB', ubPeople)].join(', ')}`);
    await run(`CREATE VIEW repeated_people AS ${loadSql('prepare/repeated_people')}`);
    await run('CREATE TABLE moved_pcns (period_type VARCHAR, period VARCHAR, pcn_code VARCHAR)');
    await run(`CREATE TABLE workforce_in_force (pcn_code VARCHAR, icb_code VARCHAR, region_code VARCHAR, month VARCHAR,
      fy VARCHAR, role VARCHAR, headcount INTEGER, fte DOUBLE, accredited_training_headcount INTEGER,
      vacancies_fte DOUBLE)`);
    await run(
      `INSERT INTO workforce_in_force VALUES ${[
        ...months('2025-04').map((m) => `('UA', 'Q01', 'Y56', '${m}', '2025/26', 'splw', 2, 2, 2, NULL)`),
        ...months('2025-10').map((m) => `('UB', 'Q01', 'Y56', '${m}', '2025/26', 'splw', 2, 2, ${ubTrained}, NULL)`),
      ].join(', ')}`,
    );
    const rows = (await connection.runAndReadAll(loadSql('metrics/workforce'))).getRowObjectsJS() as Row[];
    // As the query engine returns them: whole numbers as numbers.
    return rows.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
    ) as Row[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const find = (rows: readonly Row[], level: string, code: string, period = '2025/26') =>
  rows.find((r) => r.level === level && r.code === code && r.period === period) as Row;
const derived = (row: Row) => WORKFORCE?.derive?.(row, {} as never) ?? {};

describe('workforce: caseload where a PCN sent snapshots for part of the months it reported (review 26, R26-2)', () => {
  it("an area's caseload is withheld, with the count of such PCNs; each PCN's own is shown", async () => {
    const rows = await workforce({ ubReportsFrom: '2025-04', ubPeople: 400, ubTrained: 'NULL' });
    for (const [level, code] of [
      ['icb', 'Q01'],
      ['region', 'Y56'],
      ['national', 'ENG'],
    ] as const) {
      const row = find(rows, level, code);
      expect(derived(row)).toMatchObject({ caseload: null, caseload_annualised: null });
      expect([level, row.splw_fte, row.people_referred, row.pcns_missing_snapshot_months]).toEqual([level, 3, 800, 1]);
    }
    expect(find(rows, 'pcn', 'UA').pcns_missing_snapshot_months).toBe(0);
    expect(find(rows, 'pcn', 'UB').pcns_missing_snapshot_months).toBe(1);
    expect(derived(find(rows, 'pcn', 'UA'))).toMatchObject({ caseload: 200, caseload_annualised: 200 });
    expect(derived(find(rows, 'pcn', 'UB'))).toMatchObject({ caseload: 200, caseload_annualised: 200 });
    // Month rows: UB's snapshot months say its year is left out of England's covered FTE (groupFigures' span).
    expect(find(rows, 'pcn', 'UB', '2025-10').pcns_missing_snapshot_months).toBe(1);
    expect(find(rows, 'pcn', 'UA', '2025-10').pcns_missing_snapshot_months).toBe(0);
    expect(find(rows, 'pcn', 'UA', '2025-04').pcns_missing_snapshot_months).toBe(0);
    expect(find(rows, 'icb', 'Q01', '2025-10').pcns_missing_snapshot_months).toBe(1);
    expect(find(rows, 'icb', 'Q01', '2025-04').pcns_missing_snapshot_months).toBe(0);
  });

  it("England's caseload over the PCNs covered leaves such a PCN out", async () => {
    const rows = await workforce({ ubReportsFrom: '2025-04', ubPeople: 400, ubTrained: 'NULL' });
    const england = find(rows, 'national', 'ENG');
    expect(england.caseload_covered).toBeCloseTo(200, 9);
    // UA alone: 400 people over (12 x 2) / 12 = 2 FTE; its FTE withheld (England's 3 less it is UB's alone).
    expect(england).toMatchObject({ caseload_pcns: 1, caseload_people: 400, caseload_fte: null });
    expect(england.caseload_covered).toBeCloseTo(200, 9);
    expect(england.caseload_covered_annualised).toBeCloseTo(200, 9);
    expect(england.caseload_coverage_pct).toBeCloseTo(50, 9);
    const covered = WORKFORCE?.coveredShare?.covered;
    expect([covered?.(find(rows, 'pcn', 'UA')), covered?.(find(rows, 'pcn', 'UB'))]).toEqual([true, false]);
    const inSpan = WORKFORCE?.groupFigures?.span?.inSpan;
    expect([inSpan?.(find(rows, 'pcn', 'UA', '2025-10')), inSpan?.(find(rows, 'pcn', 'UB', '2025-10'))]).toEqual([
      true,
      false,
    ]);
  });
});

describe("workforce: a PCN's caseload is annualised over its months of referral data (review 26, R26-4)", () => {
  it('a PCN joining in October: 200 people in 6 months per 2 FTE is 200 a year', async () => {
    const rows = await workforce({ ubReportsFrom: '2025-10', ubPeople: 200, ubTrained: '2' });
    const ub = find(rows, 'pcn', 'UB');
    expect(derived(ub)).toMatchObject({ caseload: 100, caseload_annualised: 200 });
    expect([ub.referral_months, ub.pcns_missing_snapshot_months, ub.splw_fte, ub.people_referred]).toEqual([
      6, 0, 2, 200,
    ]);
    // The area keeps its own months: FTE (12 x 2 + 6 x 2) / 12 = 3, 600 people, 200 in 12 months.
    const icb = find(rows, 'icb', 'Q01');
    expect([icb.referral_months, icb.pcns_missing_snapshot_months, icb.splw_fte, icb.people_referred]).toEqual([
      12, 0, 3, 600,
    ]);
    expect(derived(icb)).toMatchObject({ caseload: 200, caseload_annualised: 200 });
  });
});

describe('workforce: accredited training % over the PCNs that gave training (review 26, R26-6)', () => {
  it('100% of the link workers whose training is known, where another PCN gave headcount only', async () => {
    const rows = await workforce({ ubReportsFrom: '2025-04', ubPeople: 400, ubTrained: 'NULL' });
    const icb = find(rows, 'icb', 'Q01');
    expect(derived(icb)).toMatchObject({ splw_accredited_pct: 100 });
    expect([
      icb.splw_headcount,
      icb.splw_accredited,
      icb.splw_headcount_training_known,
      icb.pcns_with_training,
    ]).toEqual([3, 2, 2, 1]);
    expect(derived(find(rows, 'pcn', 'UB'))).toMatchObject({ splw_accredited_pct: null });
  });
});
