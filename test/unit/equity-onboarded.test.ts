import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';

/*
 * Access by the deprivation of the PCN (equity, pcn_imd_quintile): a quintile's list counts a PCN only from its first
 * month with events in force (sql/prepare/onboarded.sql), as rollout's lists do (red-team review 6, K8). Worked out
 * by hand. FY 2025/26 has two months with data, April and May 2025 (every month published).
 *
 * Quintile 1, each PCN in force both months, people referred (one referral each):
 *   Region R1, ICB I1: A 10,000 5 on 10 April | B 10,000 5 on 10 April | S 40,000 nothing (a later wave, silent)
 *   Region R2, ICB I2: C 10,000 5 on 10 April | D 10,000 5 on 10 April
 *   Region R3, ICB I3: E 10,000 5 on 10 April | F 20,000 5 on 10 May (onboarded in May)
 * England's cell: 30 people; list (A to E 50,000 in each of 2 months + F 20,000 in May) / 2 months = 60,000 (before:
 * every PCN in force, (50,000 + 20,000 + 40,000) x 2 / 2 = 110,000). People referred per 1,000: 30 / 60,000 = 0.5, a
 * year (x 12 / 2) 3.0, where S's list made it 30 / 110,000 = 0.27 -> 0.3, a year 1.6. 6 PCNs (S is none of them) from
 * 3 ICBs; England less any region or ICB keeps 4, so England is published; each region's cell holds 2: no region row.
 */

type Pcn = [code: string, icb: string, region: string, quintile: number, list: number, referred: string | null];

const QUINTILE_1: Pcn[] = [
  ['U00001', 'I1', 'R1', 1, 10_000, '2025-04-10'],
  ['U00002', 'I1', 'R1', 1, 10_000, '2025-04-10'],
  ['U00009', 'I1', 'R1', 1, 40_000, null],
  ['U00003', 'I2', 'R2', 1, 10_000, '2025-04-10'],
  ['U00004', 'I2', 'R2', 1, 10_000, '2025-04-10'],
  ['U00005', 'I3', 'R3', 1, 10_000, '2025-04-10'],
  ['U00006', 'I3', 'R3', 1, 20_000, '2025-05-10'],
];

/** equity.sql's quintile rows, from the real onboarded step over these PCNs (5 people each where they refer). */
async function quintileRows(pcns: readonly Pcn[]): Promise<Row[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const run = (sql: string) => connection.run(sql);
    const referrals = pcns.flatMap(([code, icb, region, , , on]) =>
      on === null
        ? []
        : [1, 2, 3, 4, 5].map(
            (i) =>
              `('${code}', '${icb}', '${region}', '2025/26', '${code}-p${i}', '${code}-r${i}', DATE '${on}', false, false, 3, 'white', '25-34', 'female')`,
          ),
    );
    await run(`CREATE TABLE episodes (pcn_code VARCHAR, icb_code VARCHAR, region_code VARCHAR, fy VARCHAR,
      person_id VARCHAR, referral_id VARCHAR, referred_on DATE, engaged BOOLEAN, connected BOOLEAN,
      imd_decile INTEGER, ethnicity_group VARCHAR, age_band VARCHAR, sex VARCHAR)`);
    await run(`INSERT INTO episodes VALUES ${referrals.join(', ')}`);
    // every referral's window ended by its PCN's end of observation (episodes.sql, review 26 R26-1)
    await run('ALTER TABLE episodes ADD COLUMN engagement_observed BOOLEAN DEFAULT true');
    await run('ALTER TABLE episodes ADD COLUMN outcome_observed BOOLEAN DEFAULT true');
    await run(`CREATE TABLE wellbeing_pairs AS SELECT *, CAST(NULL AS BOOLEAN) AS improved,
      CAST(NULL AS INTEGER) AS headline_rank FROM episodes WHERE false`);
    await run('CREATE TABLE moved_pcns (period_type VARCHAR, period VARCHAR, pcn_code VARCHAR)');
    // People referred more than once in a PCN-year (rollout, workforce and equity read it: issue 17).
    await run(`CREATE VIEW repeated_people AS ${loadSql('prepare/repeated_people')}`);
    await run(`CREATE VIEW rollups AS ${loadSql('prepare/rollups')}`);
    await run(
      `CREATE TABLE pcn_deprivation AS SELECT * FROM (VALUES ${pcns.map(([code, , , q]) => `('${code}', ${2 * q}, ${q})`).join(', ')}) AS d (pcn_code, imd_decile, imd_quintile)`,
    );
    await run(`CREATE TABLE pcn_months (pcn_code VARCHAR, icb_code VARCHAR, region_code VARCHAR, month VARCHAR,
      fy VARCHAR, list_size BIGINT)`);
    await run(
      `INSERT INTO pcn_months VALUES ${pcns.flatMap(([code, icb, region, , list]) => ['2025-04', '2025-05'].map((m) => `('${code}', '${icb}', '${region}', '${m}', '2025/26', ${list})`)).join(', ')}`,
    );
    // The months each PCN sent: its referrals' months, and May (its extract's latest row, a contact on 20 May, not a
    // referral); the silent PCN sent nothing.
    const sent = pcns.flatMap(([code, , , , , on]) =>
      on === null ? [] : [[code, on, 'referral'] as const, [code, '2025-05-20', 'contact'] as const],
    );
    await run('CREATE TABLE event_months (pcn_code VARCHAR, month VARCHAR, last_occurred_on DATE)');
    await run(
      `INSERT INTO event_months SELECT pcn_code, month, max(day) FROM (VALUES ${sent.map(([code, day]) => `('${code}', '${day.slice(0, 7)}', DATE '${day}')`).join(', ')}) AS s (pcn_code, month, day) GROUP BY ALL`,
    );
    // Each PCN that sent, its extract received on 3 June 2025 (after May ended) with rows to May: it reports April and
    // May (or May), its months without referrals included, to May (onboarded.sql's reporting span).
    await run(
      'CREATE TABLE committed_uploads (upload_id VARCHAR, pcn_code VARCHAR, kind VARCHAR, status VARCHAR, received_at TIMESTAMP)',
    );
    await run(
      `INSERT INTO committed_uploads VALUES ${pcns.flatMap(([code, , , , , on]) => (on === null ? [] : [`('${code}-1', '${code}', 'events', 'accepted', TIMESTAMP '2025-06-03 07:00:00')`])).join(', ')}`,
    );
    await run('CREATE TABLE committed_events (upload_id VARCHAR, event_month VARCHAR, event_type VARCHAR)');
    // onboarded.sql groups the events table by upload and reads the committed uploads' groups: every row here is one.
    await run('CREATE VIEW events AS SELECT * FROM committed_events');
    await run(
      `INSERT INTO committed_events VALUES ${sent.map(([code, day, type]) => `('${code}-1', '${day.slice(0, 7)}', '${type}')`).join(', ')}`,
    );
    await run(
      'CREATE TABLE candidates (pcn_code VARCHAR, event_id VARCHAR, retracts_event_id VARCHAR, received_at TIMESTAMP, upload_id VARCHAR)',
    );
    await run(`CREATE TABLE published_through AS SELECT '2025-05' AS month`);
    await run(`CREATE TABLE onboarded AS ${loadSql('prepare/onboarded')}`);
    const reader = await connection.runAndReadAll(loadSql('metrics/equity'), ['2025-05-31', '2025-05-31']);
    return reader.getRowObjectsJS().filter((r) => r.dimension === 'pcn_imd_quintile') as Row[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const equity = CATALOGUE.find((d) => d.name === 'equity');

describe('equity by PCN deprivation quintile: a PCN counts from the month it is onboarded', () => {
  it("a silent PCN's list no longer dilutes its quintile's rate, and a PCN joining in May counts for May", async () => {
    const rows = await quintileRows(QUINTILE_1);
    expect(rows.map((r) => `${r.level} ${r.code} ${r.group}`)).toEqual(['national ENG 1']);
    const [england] = rows as [Row];
    expect(england).toMatchObject({ people_referred: 30n, list_size: 60_000, months: 2 });
    // England's quintile rows are a group of PCNs, controlled as counts below England: 30 stays 30.
    expect(equity?.derive?.({ ...england, period_type: 'fy', people_referred: 30 }, {} as never)).toMatchObject({
      people_referred_per_1000: 0.5,
      people_referred_per_1000_annualised: 3,
    });
  });

  it('a cell counts the PCNs onboarded: 2 sending and 1 silent is a cell of 2, so the level is not published', async () => {
    // Quintile 2 beside quintile 1: G (I1) and H (I2) refer 5 people each in April, T (I3) is open and silent. In
    // force it is 3 PCNs from 3 ICBs (England was published with it); sending, its figures are two PCNs' (either takes
    // its own away to get the other's), so England has no quintile rows for the year.
    const rows = await quintileRows([
      ...QUINTILE_1,
      ['U00007', 'I1', 'R1', 2, 10_000, '2025-04-10'],
      ['U00008', 'I2', 'R2', 2, 10_000, '2025-04-10'],
      ['U00010', 'I3', 'R3', 2, 10_000, null],
    ]);
    expect(rows).toEqual([]);
  });
});
