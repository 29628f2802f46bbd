import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { loadSql } from '../../functions/lib/query-engine.ts';

/*
 * wellbeing.sql counts a cell's people (per PCN, period and instrument) as its pairs less the extra pairs of people
 * referred more than once in the PCN-year (repeated_people), and only those people are grouped by person (issue 17). Worked
 * out by hand, one PCN (P1, ICB I1, region R1), SWEMWBS, financial year 2025/26:
 *   person X: referrals X1 (April, improved) and X2 (April, not improved): two pairs in one month;
 *   person Y: referrals Y1 (April, not improved) and Y2 (May, not improved): one pair in each of two months;
 *   person Z: referral Z1 (May, improved);
 *   person W: referral W1 (July, improved), referred on 2025-07-15, after the cut-off (2025-06-30): in no figure.
 * April: pairs 3 (X1, X2, Y1), people 2 (X, Y), improved 1 (X). May: pairs 2 (Y2, Z1), people 2 (Y, Z), improved 1
 * (Z). The year: pairs 5, people 3 (X, Y, Z), improved 2 (X, Z); the same at every level (one PCN in one ICB and
 * region).
 */
const PAIRS: [person: string, referral: string, month: string, on: string, improved: boolean][] = [
  ['X', 'X1', '2025-04', '2025-04-02', true],
  ['X', 'X2', '2025-04', '2025-04-20', false],
  ['Y', 'Y1', '2025-04', '2025-04-05', false],
  ['Y', 'Y2', '2025-05', '2025-05-07', false],
  ['Z', 'Z1', '2025-05', '2025-05-09', true],
  ['W', 'W1', '2025-07', '2025-07-15', true],
];

async function wellbeing(): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const rows = PAIRS.map(
      ([person, referral, month, on, improved]) =>
        `('P1', 'I1', 'R1', '${month}', '2025/26', DATE '${on}', '${person}', '${referral}', 'swemwbs', 20,
          ${improved ? 25 : 21}, ${improved ? 5 : 1}, 3, ${improved})`,
    );
    await connection.run(
      `CREATE TABLE wellbeing_pairs (pcn_code VARCHAR, icb_code VARCHAR, region_code VARCHAR, month VARCHAR,
         fy VARCHAR, referred_on DATE, person_id VARCHAR, referral_id VARCHAR, instrument VARCHAR, baseline DOUBLE,
         follow_up DOUBLE, change DOUBLE, threshold INTEGER, improved BOOLEAN)`,
    );
    await connection.run(`INSERT INTO wellbeing_pairs VALUES ${rows.join(', ')}`);
    // every referral's window ended by its PCN's end of observation (episodes.sql, review 26 R26-1)
    await connection.run('ALTER TABLE wellbeing_pairs ADD COLUMN outcome_observed BOOLEAN DEFAULT true');
    await connection.run(`CREATE VIEW rollups AS ${loadSql('prepare/rollups')}`);
    // The people referred more than once in a PCN-year (the prepare table repeated_people, which wellbeing.sql reads
    // for the people who can have two pairs in one cell): X and Y, each with two referrals at P1 in 2025/26.
    await connection.run('CREATE TABLE repeated_people (pcn_code VARCHAR, fy VARCHAR, person_id VARCHAR)');
    await connection.run(`INSERT INTO repeated_people VALUES ('P1', '2025/26', 'X'), ('P1', '2025/26', 'Y')`);
    // P1 stays in one ICB and region: no PCN-period is counted distinct at each level.
    await connection.run('CREATE TABLE moved_pcns (period_type VARCHAR, period VARCHAR, pcn_code VARCHAR)');
    const reader = await connection.runAndReadAll(loadSql('metrics/wellbeing'), ['2025-06-30']);
    return reader.getRowObjectsJS().map((r) => ({
      level: r.level,
      period: r.period,
      people: Number(r.people),
      improved: Number(r.improved),
      pairs: Number(r.pairs),
    }));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('wellbeing: people are pairs less the extra pairs of people referred more than once', () => {
  it('counts a person with two pairs in a month once, and one with pairs in two months once in each and in the year', async () => {
    // In the query's order: by level, then the year before its months (period_type 'fy' before 'month').
    expect(await wellbeing()).toEqual(
      ['icb', 'national', 'pcn', 'region'].flatMap((level) => [
        { level, period: '2025/26', people: 3, improved: 2, pairs: 5 },
        { level, period: '2025-04', people: 2, improved: 1, pairs: 3 },
        { level, period: '2025-05', people: 2, improved: 1, pairs: 2 },
      ]),
    );
  });
});
