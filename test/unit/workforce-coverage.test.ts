import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';

/*
 * FTE per 10,000 and caseload over the PCNs that sent a workforce snapshot (red-team review 6, K7): FTE is summed over
 * the PCNs that sent one, so its list is theirs, and its caseload's people referred are every PCN's only where every
 * PCN that referred people sent one. Worked out by hand, FY 2025/26, link worker snapshots of April and May 2025:
 *   Region R1, ICB I1: P1 list 10,000, 2 FTE in April and May, 30 people referred
 *                      P2 list 20,000 to 30 April then 30,000, 3 FTE in April and May, 10 people referred
 *   Region R2, ICB I2: P3 list 50,000, no snapshot, 12 people referred
 *                      P4 list 40,000, 1 FTE in May only, nobody referred
 * I1: lists (10,000 + 20,000 in April, 10,000 + 30,000 in May) / 2 months = 35,000; FTE (5 + 5) / 2 = 5, 1.43 per
 *     10,000; every PCN that referred people reported: caseload 40 / 5 = 8.
 * I2: one snapshot month (May): list 40,000, FTE 1; P3 referred 12 people and sent no snapshot: no caseload.
 * England: lists (30,000 + 80,000) / 2 = 55,000, FTE (5 + 6) / 2 = 5.5: 1.0 per 10,000 (over every PCN's list,
 *     10,000 + 25,000 + 50,000 + 40,000 = 125,000, it read 0.44); May alone 6 FTE / 80,000 = 0.75 per 10,000. P3
 *     referred people: no caseload (52 / 5.5 = 9.5 counted P3's 12 people against no link worker).
 */

const WORKFORCE = CATALOGUE.find((d) => d.name === 'workforce');
let rows: Row[] = [];
const row = (level: string, code: string, period: string) =>
  rows.find((r) => r.level === level && r.code === code && r.period === period);

beforeAll(async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const run = (sql: string) => connection.run(sql);
    await run(`CREATE TABLE workforce_in_force (pcn_code VARCHAR, icb_code VARCHAR, region_code VARCHAR, month VARCHAR,
      fy VARCHAR, role VARCHAR, headcount INTEGER, fte DOUBLE, accredited_training_headcount INTEGER,
      vacancies_fte DOUBLE)`);
    await run(`INSERT INTO workforce_in_force VALUES
      ('P1', 'I1', 'R1', '2025-04', '2025/26', 'splw', 2, 2, NULL, NULL),
      ('P1', 'I1', 'R1', '2025-05', '2025/26', 'splw', 2, 2, NULL, NULL),
      ('P2', 'I1', 'R1', '2025-04', '2025/26', 'splw', 3, 3, NULL, NULL),
      ('P2', 'I1', 'R1', '2025-05', '2025/26', 'splw', 3, 3, NULL, NULL),
      ('P4', 'I2', 'R2', '2025-05', '2025/26', 'splw', 1, 1, NULL, NULL)`);
    await run('CREATE TABLE pcns (pcn_code VARCHAR, list_size BIGINT, valid_from DATE, valid_to DATE)');
    await run(`INSERT INTO pcns VALUES
      ('P1', 10000, DATE '2019-04-01', NULL),
      ('P2', 20000, DATE '2019-04-01', DATE '2025-04-30'),
      ('P2', 30000, DATE '2025-05-01', NULL),
      ('P3', 50000, DATE '2019-04-01', NULL),
      ('P4', 40000, DATE '2019-04-01', NULL)`);
    await run(`CREATE TABLE populations (level VARCHAR, code VARCHAR, period_type VARCHAR, period VARCHAR,
      list_size DOUBLE, pcns BIGINT, months BIGINT)`);
    // Every area onboarded in the year (a list: populations.sql), so its people referred are a count, 0 included.
    await run(
      `INSERT INTO populations VALUES ${[
        'pcn P1',
        'pcn P2',
        'pcn P3',
        'pcn P4',
        'icb I1',
        'icb I2',
        'region R1',
        'region R2',
        'national ENG',
      ]
        .map((area) => {
          const [level, code] = area.split(' ');
          return `('${level}', '${code}', 'fy', '2025/26', 1, 1, 2)`;
        })
        .join(', ')}`,
    );
    await run(
      'CREATE TABLE episodes (pcn_code VARCHAR, icb_code VARCHAR, region_code VARCHAR, fy VARCHAR, person_id VARCHAR)',
    );
    const people = (pcn: string, icb: string, region: string, n: number) =>
      Array.from({ length: n }, (_, i) => `('${pcn}', '${icb}', '${region}', '2025/26', '${pcn}-${i}')`);
    await run(
      `INSERT INTO episodes VALUES ${[...people('P1', 'I1', 'R1', 30), ...people('P2', 'I1', 'R1', 10), ...people('P3', 'I2', 'R2', 12)].join(', ')}`,
    );
    await run(`CREATE VIEW rollups AS ${loadSql('prepare/rollups')}`);
    await run('CREATE TABLE moved_pcns (period_type VARCHAR, period VARCHAR, pcn_code VARCHAR)');
    // People referred more than once in a PCN-year (rollout, workforce and equity read it: issue 17).
    await run(`CREATE VIEW repeated_people AS ${loadSql('prepare/repeated_people')}`);
    // Every PCN's referral data from before the year to after it (onboarded.sql): no snapshot precedes it (review 8,
    // N6) or follows its last month reported (review 9, R9-3).
    // P4's referral data begin in May (it referred nobody), the month of its one snapshot: every PCN sent a snapshot
    // for each month it reported, or none (review 26, R26-2).
    await run(
      "CREATE TABLE onboarded AS SELECT * FROM (VALUES ('P1', '2019-04', '2099-12'), ('P2', '2019-04', '2099-12'), ('P3', '2019-04', '2099-12'), ('P4', '2025-05', '2099-12')) AS o (pcn_code, first_month, last_month)",
    );
    await run(`CREATE TABLE pcn_months AS SELECT p.pcn_code, p.icb_code, p.region_code, m.month, '2025/26' AS fy,
      1 AS list_size, p.pcn_code <> 'P4' OR m.month = '2025-05' AS reporting
      FROM (VALUES ('P1', 'I1', 'R1'), ('P2', 'I1', 'R1'), ('P3', 'I2', 'R2'), ('P4', 'I2', 'R2')) AS p (pcn_code, icb_code, region_code)
      CROSS JOIN (VALUES ('2025-04'), ('2025-05')) AS m (month)`);
    rows = (await connection.runAndReadAll(loadSql('metrics/workforce'))).getRowObjectsJS() as Row[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});

describe('workforce: FTE per 10,000 and caseload over the PCNs that sent a snapshot', () => {
  it("each area's list is its reporting PCNs', month by month, as its FTE is summed", () => {
    expect(row('icb', 'I1', '2025/26')).toMatchObject({ splw_fte: 5, list_size_reporting: 35_000, pcns_reporting: 2 });
    expect(row('icb', 'I2', '2025/26')).toMatchObject({ splw_fte: 1, list_size_reporting: 40_000, pcns_reporting: 1 });
    expect(row('national', 'ENG', '2025/26')).toMatchObject({ splw_fte: 5.5, list_size_reporting: 55_000 });
    expect(row('national', 'ENG', '2025-05')).toMatchObject({ splw_fte: 6, list_size_reporting: 80_000 });
  });

  it('counts the PCNs that referred people and sent no snapshot: the caseload is made only where there are none', () => {
    expect(
      ['icb I1', 'icb I2', 'region R1', 'region R2', 'national ENG', 'pcn P1', 'pcn P4'].map((area) => {
        const [level, code] = area.split(' ') as [string, string];
        return [area, row(level, code, '2025/26')?.pcns_referring_without_snapshot];
      }),
    ).toEqual([
      ['icb I1', 0n],
      ['icb I2', 1n],
      ['region R1', 0n],
      ['region R2', 1n],
      ['national ENG', 1n],
      ['pcn P1', 0n],
      ['pcn P4', 0n],
    ]);
    // The derived figures on the exact rows (England's are published so; below England from the rounded FTE).
    const derived = (r: Row | undefined) =>
      WORKFORCE?.derive?.(
        {
          ...(r as Row),
          people_referred: Number(r?.people_referred),
          pcns_referring_without_snapshot: Number(r?.pcns_referring_without_snapshot),
          pcns_staffed_before_onboarding: Number(r?.pcns_staffed_before_onboarding),
          pcns_staffed_after_reporting: Number(r?.pcns_staffed_after_reporting),
          pcns_missing_snapshot_months: Number(r?.pcns_missing_snapshot_months),
          referral_months: 2,
        },
        {} as never,
      );
    expect(derived(row('icb', 'I1', '2025/26'))).toMatchObject({ splw_fte_per_10000: 1.43, caseload: 8 });
    expect(derived(row('national', 'ENG', '2025/26'))).toMatchObject({
      splw_fte_per_10000: 1,
      caseload: null,
      caseload_annualised: null,
    });
    expect(derived(row('national', 'ENG', '2025-05'))).toMatchObject({ splw_fte_per_10000: 0.75 });
  });

  it("England's caseload over the PCNs covered: those that sent a snapshot and have referral data, both parts theirs", () => {
    // Covered: P1, P2 and P4 (a snapshot, and onboarded: P4 referred nobody, its 0 people beside its link worker); P3
    // sent no snapshot. FTE over England's 2 snapshot months: (2 + 2 + 3 + 3 + 1) / 2 = 5.5; people 30 + 10 + 0 = 40.
    // caseload 40 / 5.5 = 7.27 (7), a year 7.27 x 12 / 2 months = 43.6 (44); coverage 40 of England's 52 = 76.9% (77).
    const england = row('national', 'ENG', '2025/26');
    expect(england).toMatchObject({ caseload_pcns: 3n, caseload_people: 40n, caseload_fte: 5.5 });
    // The rates are withheld: P3 alone is left out (52 - 40 = 12, its own people; review 28, R28-3: fewer than 3 PCNs).
    expect([england?.caseload_covered, england?.caseload_covered_annualised, england?.caseload_coverage_pct]).toEqual([
      null,
      null,
      null,
    ]);
    expect(
      WORKFORCE?.derive?.({ ...(england as Row), caseload_people: 40, caseload_pcns: 3 }, {} as never),
    ).toMatchObject({
      // No PCN staffed before or after its referral data: no FTE left out (review 9, R9-5).
      caseload_fte: 5.5,
      caseload_covered: null,
      caseload_covered_annualised: null,
      caseload_coverage_pct: null,
    });
    // England's only: no area below has them.
    for (const area of [row('icb', 'I1', '2025/26'), row('region', 'R2', '2025/26'), row('pcn', 'P1', '2025/26')])
      expect([area?.caseload_pcns, area?.caseload_people, area?.caseload_fte, area?.caseload_covered]).toEqual([
        null,
        null,
        null,
        null,
      ]);
    expect(row('national', 'ENG', '2025-05')?.caseload_covered).toBeNull();
  });
});
