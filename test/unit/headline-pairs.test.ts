import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSql } from '../../functions/lib/query-engine.ts';

/*
 * headline_pairs.sql keeps each referral's pair on its headline instrument (headline_rank's first: SWEMWBS, WEMWBS,
 * ONS4 life satisfaction, PAM, MYCaW, then the other ONS4 items; wellbeing_pairs.sql), which equity and cof_person read
 * for "improved on their instrument" (issue 17: chosen once, not grouped by referral in each). Worked out by hand:
 *
 *   U00001 r1: the four ONS4 items (ranks 3, 6, 7, 8) and SWEMWBS (rank 1), improved only on SWEMWBS: SWEMWBS's pair,
 *              improved.
 *   U00001 r2: the four ONS4 items, improved on every one but life satisfaction (rank 3): life satisfaction's pair,
 *              not improved.
 *   U00002 r1: the same referral_id as U00001's r1 in another PCN, MYCaW (rank 5) alone, improved: its own pair.
 *   U00001 r3: PAM (rank 4) and MYCaW (rank 5), improved on MYCaW only: PAM's pair, not improved.
 */
const PAIRS: readonly [pcn: string, referral: string, instrument: string, rank: number, improved: boolean][] = [
  ['U00001', 'r1', 'ons4_life_satisfaction', 3, false],
  ['U00001', 'r1', 'ons4_worthwhile', 6, false],
  ['U00001', 'r1', 'ons4_happiness', 7, false],
  ['U00001', 'r1', 'ons4_anxiety', 8, false],
  ['U00001', 'r1', 'swemwbs', 1, true],
  ['U00001', 'r2', 'ons4_life_satisfaction', 3, false],
  ['U00001', 'r2', 'ons4_worthwhile', 6, true],
  ['U00001', 'r2', 'ons4_happiness', 7, true],
  ['U00001', 'r2', 'ons4_anxiety', 8, true],
  ['U00002', 'r1', 'mycaw', 5, true],
  ['U00001', 'r3', 'pam_level', 4, false],
  ['U00001', 'r3', 'mycaw', 5, true],
];

let instance: DuckDBInstance;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
});
afterAll(() => instance.closeSync());

describe('headline_pairs: each referral once, on its headline instrument', () => {
  it('keeps the pair of the first instrument in headline order, with whether that pair improved', async () => {
    // Prepare
    const connection = await instance.connect();
    await connection.run(`CREATE TEMP TABLE wellbeing_pairs AS SELECT pcn_code, 'QAA' AS icb_code, 'Y56' AS region_code,
      '2025-05' AS month, '2025/26' AS fy, DATE '2025-05-01' AS referred_on, pcn_code || '-' || referral_id AS person_id,
      3 AS imd_decile, 'white' AS ethnicity_group, '25-34' AS age_band, 'female' AS sex, referral_id, instrument,
      improved, headline_rank, true AS outcome_observed
      FROM (VALUES ${PAIRS.map(([pcn, referral, instrument, rank, improved]) => `('${pcn}', '${referral}', '${instrument}', ${rank}, ${improved})`).join(', ')})
        AS p (pcn_code, referral_id, instrument, headline_rank, improved)`);

    // Act
    const reader = await connection.runAndReadAll(
      `SELECT pcn_code, referral_id, person_id, improved FROM (${loadSql('prepare/headline_pairs')}) AS h
       ORDER BY pcn_code, referral_id`,
    );
    connection.closeSync();

    // Assess
    expect(reader.getRowObjectsJS()).toEqual([
      { pcn_code: 'U00001', referral_id: 'r1', person_id: 'U00001-r1', improved: true },
      { pcn_code: 'U00001', referral_id: 'r2', person_id: 'U00001-r2', improved: false },
      { pcn_code: 'U00001', referral_id: 'r3', person_id: 'U00001-r3', improved: false },
      { pcn_code: 'U00002', referral_id: 'r1', person_id: 'U00002-r1', improved: true },
    ]);
  });
});
