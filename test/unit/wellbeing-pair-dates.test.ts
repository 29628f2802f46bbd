import type { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { committedEventsDb, eventsInForceOfOnePcn } from '../support/prepare-sql.ts';

/*
 * A baseline and a follow-up are a pair only when the follow-up's date (occurred_on) is after the first baseline's:
 * a change "before and after" needs time between them (wellbeing_pairs.sql; docs/methodology.md, "Wellbeing").
 * Worked out by hand, PCN U00001, every referral on 2025-04-01, SWEMWBS (threshold 3):
 *   R1 (one of each): baseline 20 on 2025-04-20, follow-up 30 on 2025-04-15 (before it) -> no pair.
 *   R2 (one of each): baseline 20 on 2025-04-20, follow-up 30 on 2025-04-20 (the same day) -> no pair.
 *   R3 (one of each): baseline 20 on 2025-04-20, follow-up 24 on 2025-05-20 -> pair, change 4, improved.
 *   R4 (two follow-ups): baseline 20 on 2025-04-20, follow-ups 35 on 2025-04-10 (before) and 22 on 2025-05-20 ->
 *     the last after the baseline, 22: change 2, not improved.
 *   R5 (two follow-ups, both before): baseline 20 on 2025-04-20, follow-ups 30 on 2025-04-05 and 32 on 2025-04-19
 *     -> no pair.
 *   R6 (two baselines): baselines 20 on 2025-04-20 and 28 on 2025-05-01, follow-up 25 on 2025-04-25 (after the
 *     first baseline, before the second) -> the first baseline, 20, and 25: change 5, improved.
 *   R7 (two baselines, one follow-up on the first's day): baselines 20 on 2025-04-20 and 21 on 2025-04-22,
 *     follow-up 30 on 2025-04-20 -> no pair (the first baseline is the one compared, the same day).
 * Only measures within 6 months of the referral are read (review2 F3): 1 April + 6 months = 1 October, both ends counted.
 *   R8 (one of each): baseline 20 on 2025-04-20, follow-up 25 on 2025-10-01 (the last day inside) -> pair, change 5.
 *   R9 (one of each): baseline 20 on 2025-04-20, follow-up 25 on 2025-10-02 (the day after) -> no pair.
 *   R10 (two follow-ups): baseline 20 on 2025-04-20, follow-ups 24 on 2025-10-01 and 30 on 2025-10-02 -> the last
 *     inside, 24: change 4, improved (30, outside, would have been +10).
 *   R11 (two follow-ups, both outside): baseline 20 on 2025-04-20, follow-ups 30 on 2025-10-02 and 31 on 2025-11-01
 *     -> no pair.
 */
function measure(row: number, referral: string, on: string, phase: string, score: number): string {
  return `(${row}, 'W${row}', '${referral}', 'wellbeing_measure', DATE '${on}', NULL, 'swemwbs', '${phase}', ${score})`;
}

const REFERRALS = ['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8', 'R9', 'R10', 'R11'];
const ROWS = [
  // source_row, event_id, referral_id, event_type, occurred_on, snomed_code, instrument, phase, score
  ...REFERRALS.map(
    (r, i) => `(${100 + i}, 'E${r}', '${r}', 'referral', DATE '2025-04-01', '871731000000106', NULL, NULL, NULL)`,
  ),
  measure(1, 'R1', '2025-04-20', 'baseline', 20),
  measure(2, 'R1', '2025-04-15', 'follow_up', 30),
  measure(3, 'R2', '2025-04-20', 'baseline', 20),
  measure(4, 'R2', '2025-04-20', 'follow_up', 30),
  measure(5, 'R3', '2025-04-20', 'baseline', 20),
  measure(6, 'R3', '2025-05-20', 'follow_up', 24),
  measure(7, 'R4', '2025-04-20', 'baseline', 20),
  measure(8, 'R4', '2025-04-10', 'follow_up', 35),
  measure(9, 'R4', '2025-05-20', 'follow_up', 22),
  measure(10, 'R5', '2025-04-20', 'baseline', 20),
  measure(11, 'R5', '2025-04-05', 'follow_up', 30),
  measure(12, 'R5', '2025-04-19', 'follow_up', 32),
  measure(13, 'R6', '2025-04-20', 'baseline', 20),
  measure(14, 'R6', '2025-05-01', 'baseline', 28),
  measure(15, 'R6', '2025-04-25', 'follow_up', 25),
  measure(16, 'R7', '2025-04-20', 'baseline', 20),
  measure(17, 'R7', '2025-04-22', 'baseline', 21),
  measure(18, 'R7', '2025-04-20', 'follow_up', 30),
  measure(19, 'R8', '2025-04-20', 'baseline', 20),
  measure(20, 'R8', '2025-10-01', 'follow_up', 25),
  measure(21, 'R9', '2025-04-20', 'baseline', 20),
  measure(22, 'R9', '2025-10-02', 'follow_up', 25),
  measure(23, 'R10', '2025-04-20', 'baseline', 20),
  measure(24, 'R10', '2025-10-01', 'follow_up', 24),
  measure(25, 'R10', '2025-10-02', 'follow_up', 30),
  measure(26, 'R11', '2025-04-20', 'baseline', 20),
  measure(27, 'R11', '2025-10-02', 'follow_up', 30),
  measure(28, 'R11', '2025-11-01', 'follow_up', 31),
];

let instance: DuckDBInstance;
let pairs: Record<string, unknown>[];

beforeAll(async () => {
  const db = await committedEventsDb();
  instance = db.instance;
  const { connection } = db;
  try {
    await connection.run(`INSERT INTO committed_events (source_row, event_id, referral_id, event_type, occurred_on,
      snomed_code, instrument, phase, score) VALUES ${ROWS.join(', ')}`);
    await connection.run(`UPDATE committed_events SET upload_id = 'u1', pcn_code = 'U00001',
      person_id = 'person-' || referral_id, received_at = TIMESTAMP '2025-07-01 09:00:00',
      event_month = strftime(occurred_on, '%Y-%m')`);
    // The PCN in force from April to November: the follow-ups' months too (a measure dated in a month when its PCN is
    // not in force is in no figure: review 8, N9).
    await eventsInForceOfOnePcn(connection, [
      '2025-04',
      '2025-05',
      '2025-06',
      '2025-07',
      '2025-08',
      '2025-09',
      '2025-10',
      '2025-11',
    ]);
    for (const step of ['episodes', 'wellbeing_pairs'])
      await connection.run(`CREATE TEMP TABLE ${step} AS ${loadSql(`prepare/${step}`)}`);
    const reader = await connection.runAndReadAll(
      'SELECT referral_id, baseline, follow_up, change, improved FROM wellbeing_pairs ORDER BY referral_id',
    );
    pairs = reader.getRowObjectsJS();
  } finally {
    connection.closeSync();
  }
});
afterAll(() => instance.closeSync());

describe('wellbeing_pairs: a follow-up counts only when dated after the baseline', () => {
  it('pairs the first baseline with the last follow-up dated after it, and no follow-up on or before it', () => {
    expect(pairs).toEqual([
      { referral_id: 'R10', baseline: 20, follow_up: 24, change: 4, improved: true },
      { referral_id: 'R3', baseline: 20, follow_up: 24, change: 4, improved: true },
      { referral_id: 'R4', baseline: 20, follow_up: 22, change: 2, improved: false },
      { referral_id: 'R6', baseline: 20, follow_up: 25, change: 5, improved: true },
      { referral_id: 'R8', baseline: 20, follow_up: 25, change: 5, improved: true },
    ]);
  });
});
