import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { loadSql } from '../../functions/lib/query-engine.ts';

/*
 * A published figure must not depend on the order in which the engine adds rows: DuckDB's threads finish in any
 * order, so the same data can be summed in different orders in two refreshes. With one thread DuckDB aggregates in
 * table order, so inserting the same rows in two orders reproduces that, deterministically. The data are chosen so
 * that floating-point aggregation does depend on the order (checked first: the test can fail).
 */

/** FTE values whose DOUBLE sum depends on the order of addition: (0.1 + 0.2) + 0.3 != 0.1 + (0.2 + 0.3). */
const FTES = [0.1, 0.2, 0.3, 0.7, 1.1, 0.35, 2.05, 0.15, 0.45, 1.3];
/** Integer changes: the mean is exact in any order, stddev_samp's running update is not (ascending gives 1 ulp less). */
const CHANGES = [3, -1, 7, 2, 5, -4, 8, 1, 6, 0, 9, -2, 4];

async function run(setup: string[], sql: string, params: string[] = []): Promise<string> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run('SET threads = 1');
    for (const statement of setup) await connection.run(statement);
    const reader = await connection.runAndReadAll(sql, params);
    return JSON.stringify(reader.getRowObjectsJS(), (_, v) => (typeof v === 'bigint' ? Number(v) : v));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function workforceTables(order: 'forward' | 'reverse'): string[] {
  const rows = FTES.map(
    (fte, i) => `('P${i}', 'ICB', 'REG', '2025-0${4 + (i % 2)}', '2025/26', 'splw', 2, ${fte}, NULL, ${fte / 2})`,
  );
  if (order === 'reverse') rows.reverse();
  return [
    `CREATE TABLE workforce_in_force (pcn_code VARCHAR, icb_code VARCHAR, region_code VARCHAR, month VARCHAR,
       fy VARCHAR, role VARCHAR, headcount INTEGER, fte DOUBLE, accredited_training_headcount INTEGER,
       vacancies_fte DOUBLE)`,
    `INSERT INTO workforce_in_force VALUES ${rows.join(', ')}`,
    `CREATE TABLE populations (level VARCHAR, code VARCHAR, period_type VARCHAR, period VARCHAR, list_size BIGINT,
       pcns BIGINT, months BIGINT)`,
    `CREATE TABLE episodes (pcn_code VARCHAR, icb_code VARCHAR, region_code VARCHAR, fy VARCHAR, person_id VARCHAR)`,
    // FTE per 10,000 is over the lists of the PCNs that sent a snapshot (reference data: none here, so no list).
    'CREATE TABLE pcns (pcn_code VARCHAR, list_size BIGINT, valid_from DATE, valid_to DATE)',
    // People referred are added up for every area through the rollups view, PCNs that moved apart (none here).
    `CREATE VIEW rollups AS ${loadSql('prepare/rollups')}`,
    'CREATE TABLE moved_pcns (period_type VARCHAR, period VARCHAR, pcn_code VARCHAR)',
    // People referred more than once in a PCN-year (workforce reads it: issue 17).
    `CREATE VIEW repeated_people AS ${loadSql('prepare/repeated_people')}`,
    // Each PCN's reporting span (review 8, N6's and review 9, R9-3's caseload rules): none here.
    'CREATE TABLE onboarded (pcn_code VARCHAR, first_month VARCHAR, last_month VARCHAR)',
    // Each PCN's months in force and whether it reported in them (review 26's caseload rules, R26-2, R26-4): none here.
    `CREATE TABLE pcn_months (pcn_code VARCHAR, icb_code VARCHAR, region_code VARCHAR, month VARCHAR, fy VARCHAR,
       list_size BIGINT, reporting BOOLEAN)`,
  ];
}

function wellbeingTables(order: 'forward' | 'ascending'): string[] {
  // The same rows (each person keeps their PCN), in the listed order or by ascending change.
  const pairs = CHANGES.map((change, i) => ({ change, pcn: `P${i % 3}`, person: `person${i}` }));
  if (order === 'ascending') pairs.sort((a, b) => a.change - b.change);
  const rows = pairs.map(
    ({ change, pcn, person }) =>
      `('${pcn}', 'ICB', 'REG', '2025-04', '2025/26', DATE '2025-04-10', '${person}', 'R${person}', 'swemwbs', 20, ${20 + change}, ${change}, 3, ${change >= 3})`,
  );
  return [
    `CREATE TABLE wellbeing_pairs (pcn_code VARCHAR, icb_code VARCHAR, region_code VARCHAR, month VARCHAR, fy VARCHAR,
       referred_on DATE, person_id VARCHAR, referral_id VARCHAR, instrument VARCHAR, baseline DOUBLE, follow_up DOUBLE,
       change DOUBLE, threshold INTEGER, improved BOOLEAN)`,
    `INSERT INTO wellbeing_pairs VALUES ${rows.join(', ')}`,
    // every referral's window ended by its PCN's end of observation (episodes.sql, review 26 R26-1)
    'ALTER TABLE wellbeing_pairs ADD COLUMN outcome_observed BOOLEAN DEFAULT true',
    // wellbeing.sql adds up every area and period through the rollups view.
    `CREATE VIEW rollups AS ${loadSql('prepare/rollups')}`,
    // No PCN here is in more than one ICB or region (the prepare table wellbeing.sql reads for those).
    'CREATE TABLE moved_pcns (period_type VARCHAR, period VARCHAR, pcn_code VARCHAR)',
    // One referral a person (the pairs' own): nobody referred twice in a PCN-year, which wellbeing.sql reads from
    // repeated_people (issue 17, perfq34).
    `CREATE TABLE episodes (pcn_code VARCHAR, icb_code VARCHAR, region_code VARCHAR, fy VARCHAR, person_id VARCHAR)`,
    `INSERT INTO episodes VALUES ${pairs.map(({ pcn, person }) => `('${pcn}', 'ICB', 'REG', '2025/26', '${person}')`).join(', ')}`,
    `CREATE VIEW repeated_people AS ${loadSql('prepare/repeated_people')}`,
  ];
}

describe('published sums do not depend on the order of the rows', () => {
  it('the data do make floating-point aggregation order-dependent', async () => {
    const sumFte = 'SELECT sum(fte) AS s FROM workforce_in_force';
    expect(await run(workforceTables('forward'), sumFte)).not.toBe(await run(workforceTables('reverse'), sumFte));
    const sd = 'SELECT stddev_samp(change) AS s FROM wellbeing_pairs';
    expect(await run(wellbeingTables('forward'), sd)).not.toBe(await run(wellbeingTables('ascending'), sd));
  });

  it('workforce.sql gives the same figures, exactly, in either order', async () => {
    const forward = await run(workforceTables('forward'), loadSql('metrics/workforce'));
    expect(await run(workforceTables('reverse'), loadSql('metrics/workforce'))).toBe(forward);
    // England, the financial year: the mean of April's and May's totals (0.1+0.3+1.1+2.05+0.45 = 4 and
    // 0.2+0.7+0.35+0.15+1.3 = 2.7), 3.35 FTE; vacancies half that.
    const england = (JSON.parse(forward) as Record<string, unknown>[]).find(
      (r) => r.level === 'national' && r.period_type === 'fy',
    );
    expect(england).toMatchObject({ splw_fte: 3.35, splw_vacancies_fte: 1.675, pcns_reporting: 5 });
  });

  it('wellbeing.sql gives the same mean and standard deviation, exactly, in either order', async () => {
    const params = ['2025-12-31'];
    const forward = await run(wellbeingTables('forward'), loadSql('metrics/wellbeing'), params);
    expect(await run(wellbeingTables('ascending'), loadSql('metrics/wellbeing'), params)).toBe(forward);
    // England, April 2025: 13 changes summing to 38, squares summing to 306:
    // variance (306 - 38^2 / 13) / 12 = 16.2436 (to 4 places), sd 4.0303.
    const england = (JSON.parse(forward) as Record<string, number | string>[]).find(
      (r) => r.level === 'national' && r.period_type === 'month',
    );
    expect(england?.pairs).toBe(13);
    expect(england?.mean_change).toBeCloseTo(38 / 13, 12);
    expect(england?.sd_change).toBeCloseTo(Math.sqrt((306 - 38 ** 2 / 13) / 12), 12);
    expect(england?.sd_change).toBeCloseTo(4.0303, 4);
  });
});
