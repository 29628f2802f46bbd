import type { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { committedEventsDb, eventsInForceOfOnePcn } from '../support/prepare-sql.ts';

/*
 * Two rules of the prepare steps (red-team review), worked out by hand on one PCN (U00001, ICB QAA, region Y56):
 *
 * Take-up (episodes.engaged): a link worker contact on or after the referral (within 3 months), and no decline.
 * Contacts (episodes.splw_contacts) are those on or after the referral (within 6 months): one dated before it is
 * from an earlier episode or a slip, in no follow-up window (review2 F3).
 *   R1 referred 2025-04-10, link worker contacts on 04-09 (before) and 04-20 (after): engaged (one contact after);
 *      1 contact (04-20; 04-09 is before the referral).
 *   R2 referred 2025-04-12, one link worker contact on 04-05 (before only): not engaged; 0 contacts.
 *   R3 referred 2025-04-15, a contact the same day, but a decline: not engaged; 1 contact (the same day counts).
 *
 * A retraction withdraws its event unless a version of the event was recorded after it (the later row wins, as for
 * corrections); a version without recorded_at never undoes one, and a retraction without recorded_at is for good.
 *   R4 sent 04-20 (recorded 04-20, u1); retracted (recorded 05-02, u2); re-sent recorded 05-10 (u3): in force, u3's.
 *   R5 sent 04-21 (recorded 04-21, u1); retracted (recorded 05-02, u2); re-sent with no recorded_at (u3): withdrawn.
 *   R6 sent 04-22 (recorded 04-22, u1); retracted with no recorded_at (u2); re-sent recorded 06-01 (u3): withdrawn.
 *   R7 sent 04-23 (recorded 04-23, u1); retracted (recorded 05-02, u2); re-sent recorded 04-30 (u3, before the
 *   retraction): withdrawn.
 * So of R1-R7 the episodes are R1 (engaged), R2 (not), R3 (not) and R4 (referred 04-20, its version recorded 05-10 in
 * force), and no other.
 *
 * A retraction is an event like any other: a later row with its event_id replaces it (CONTRACT: "a later upload with
 * the same id replaces the earlier row"), and the version replaced retracts nothing (red-team review):
 *   S1 sent (u1); XS1 retracts S1 (u2); XS1 sent again retracting S2 instead (u3): S1 in force, S2 withdrawn.
 *   S3 sent (u1); XS3 retracts S3 (u2); XS3 sent again as a referral, S4 (u3): S3 and S4 both in force.
 *   S5 sent (u1); XS5 retracts S5 (u2); YS5 names XS5 (u3): a retraction of a retraction withdraws nothing (a
 *   retraction is in no metric), so S5 stays withdrawn (to bring an event back, send it again or correct the retraction).
 * So of S1-S5 the episodes are S1, S3 and S4.
 *
 * How an episode ended is its latest discharge (red-team review: it was the alphabetically last reason):
 *   R1 discharged referred_elsewhere on 04-25, then goals_met on 05-20 (re-engaged, then ended): goals_met.
 *   R2 discharged disengaged on 05-01 and goals_met on 05-01 (same day, either order): goals_met, the reason's name
 *   breaking the tie (a rule every engine follows alike; the event ids are not read).
 */
const at = (day: string | null) => (day ? `TIMESTAMP '${day} 10:00:00'` : 'NULL');
const landed = (upload: string) => `TIMESTAMP '2025-0${{ u1: 5, u2: 6, u3: 7 }[upload]}-01 09:00:00'`;
let sourceRow = 1;
/** upload_id, source_row, received_at, recorded_at, event_id, event_type, referral_id, occurred_on, worker_role, retracts_event_id */
function row(
  upload: string,
  recorded: string | null,
  id: string,
  type: string,
  referral: string | null,
  on: string,
  extra: { role?: string; retracts?: string } = {},
): string {
  sourceRow += 1;
  const text = (v: string | undefined | null) => (v ? `'${v}'` : 'NULL');
  const snomed = type === 'referral' ? `'871731000000106'` : 'NULL';
  return `('${upload}', ${sourceRow}, ${landed(upload)}, ${at(recorded)}, '${id}', '${type}', ${text(referral)},
    DATE '${on}', ${text(extra.role)}, ${text(extra.retracts)}, ${snomed})`;
}

const ROWS = [
  row('u1', null, 'E1', 'referral', 'R1', '2025-04-10'),
  row('u1', null, 'C1a', 'contact', 'R1', '2025-04-09', { role: 'splw' }),
  row('u1', null, 'C1b', 'contact', 'R1', '2025-04-20', { role: 'splw' }),
  row('u1', null, 'E2', 'referral', 'R2', '2025-04-12'),
  row('u1', null, 'C2', 'contact', 'R2', '2025-04-05', { role: 'splw' }),
  row('u1', null, 'E3', 'referral', 'R3', '2025-04-15'),
  row('u1', null, 'C3', 'contact', 'R3', '2025-04-15', { role: 'splw' }),
  row('u1', null, 'D3', 'declined', 'R3', '2025-04-16'),
  row('u1', '2025-04-20', 'E4', 'referral', 'R4', '2025-04-20'),
  row('u2', '2025-05-02', 'X4', 'retraction', null, '2025-05-02', { retracts: 'E4' }),
  row('u3', '2025-05-10', 'E4', 'referral', 'R4', '2025-04-20'),
  row('u1', '2025-04-21', 'E5', 'referral', 'R5', '2025-04-21'),
  row('u2', '2025-05-02', 'X5', 'retraction', null, '2025-05-02', { retracts: 'E5' }),
  row('u3', null, 'E5', 'referral', 'R5', '2025-04-21'),
  row('u1', '2025-04-22', 'E6', 'referral', 'R6', '2025-04-22'),
  row('u2', null, 'X6', 'retraction', null, '2025-05-02', { retracts: 'E6' }),
  row('u3', '2025-06-01', 'E6', 'referral', 'R6', '2025-04-22'),
  row('u1', '2025-04-23', 'E7', 'referral', 'R7', '2025-04-23'),
  row('u2', '2025-05-02', 'X7', 'retraction', null, '2025-05-02', { retracts: 'E7' }),
  row('u3', '2025-04-30', 'E7', 'referral', 'R7', '2025-04-23'),
  row('u1', null, 'ES1', 'referral', 'S1', '2025-04-24'),
  row('u1', null, 'ES2', 'referral', 'S2', '2025-04-24'),
  row('u2', null, 'XS1', 'retraction', null, '2025-05-02', { retracts: 'ES1' }),
  row('u3', null, 'XS1', 'retraction', null, '2025-05-03', { retracts: 'ES2' }),
  row('u1', null, 'ES3', 'referral', 'S3', '2025-04-25'),
  row('u2', null, 'XS3', 'retraction', null, '2025-05-02', { retracts: 'ES3' }),
  row('u3', null, 'XS3', 'referral', 'S4', '2025-04-26'),
  row('u1', null, 'ES5', 'referral', 'S5', '2025-04-27'),
  row('u2', null, 'XS5', 'retraction', null, '2025-05-02', { retracts: 'ES5' }),
  row('u3', null, 'YS5', 'retraction', null, '2025-05-03', { retracts: 'XS5' }),
  row('u1', null, 'DR1a', 'discharge', 'R1', '2025-04-25'),
  row('u1', null, 'DR1b', 'discharge', 'R1', '2025-05-20'),
  row('u1', null, 'DR2a', 'discharge', 'R2', '2025-05-01'),
  row('u1', null, 'DR2b', 'discharge', 'R2', '2025-05-01'),
];
const DISCHARGE_REASONS = { DR1a: 'referred_elsewhere', DR1b: 'goals_met', DR2a: 'goals_met', DR2b: 'disengaged' };

let instance: DuckDBInstance;
let episodes: Record<string, unknown>[];
let endings: Record<string, unknown>[];

beforeAll(async () => {
  const db = await committedEventsDb();
  instance = db.instance;
  const { connection } = db;
  try {
    await connection.run(`INSERT INTO committed_events (upload_id, source_row, received_at, recorded_at, event_id,
      event_type, referral_id, occurred_on, worker_role, retracts_event_id, snomed_code) VALUES ${ROWS.join(', ')}`);
    await connection.run(`UPDATE committed_events SET pcn_code = 'U00001', event_month = strftime(occurred_on, '%Y-%m'),
      person_id = CASE WHEN event_type = 'retraction' THEN NULL ELSE 'person-' || referral_id END`);
    for (const [id, reason] of Object.entries(DISCHARGE_REASONS))
      await connection.run(`UPDATE committed_events SET discharge_reason = '${reason}' WHERE event_id = '${id}'`);
    await eventsInForceOfOnePcn(connection, ['2025-04', '2025-05', '2025-06']);
    await connection.run(`CREATE TEMP TABLE episodes AS ${loadSql('prepare/episodes')}`);
    episodes = (
      await connection.runAndReadAll(`SELECT e.referral_id, strftime(e.referred_on, '%Y-%m-%d') AS referred_on,
        e.engaged, e.splw_contacts, strftime(c.recorded_at, '%Y-%m-%d') AS recorded_on
        FROM episodes AS e
        JOIN committed_events AS c ON c.referral_id = e.referral_id AND c.event_type = 'referral'
        ANTI JOIN withdrawn AS w ON w.upload_id = c.upload_id AND w.source_row = c.source_row
        ORDER BY e.referral_id`)
    ).getRowObjectsJS();
    endings = (
      await connection.runAndReadAll(
        `SELECT referral_id, discharge_reason FROM episodes WHERE discharge_reason IS NOT NULL ORDER BY referral_id`,
      )
    ).getRowObjectsJS();
  } finally {
    connection.closeSync();
  }
});
afterAll(() => instance.closeSync());

describe('episodes: take-up and retractions (worked by hand above)', () => {
  it('counts an episode engaged when any link worker contact is on or after the referral, not only the first', () => {
    expect(episodes.filter((e) => ['R1', 'R2', 'R3'].includes(e.referral_id as string))).toEqual([
      { referral_id: 'R1', referred_on: '2025-04-10', engaged: true, splw_contacts: 1n, recorded_on: null },
      { referral_id: 'R2', referred_on: '2025-04-12', engaged: false, splw_contacts: 0n, recorded_on: null },
      { referral_id: 'R3', referred_on: '2025-04-15', engaged: false, splw_contacts: 1n, recorded_on: null },
    ]);
  });

  it('lets a version recorded after a retraction undo it, and nothing else', () => {
    expect(episodes.map((e) => e.referral_id).filter((id) => (id as string).startsWith('R'))).toEqual([
      'R1',
      'R2',
      'R3',
      'R4',
    ]);
    expect(episodes.find((e) => e.referral_id === 'R4')).toEqual({
      referral_id: 'R4',
      referred_on: '2025-04-20',
      engaged: false,
      splw_contacts: 0n,
      recorded_on: '2025-05-10',
    });
  });
});

describe('retractions replaced by a later row with their event_id (worked by hand above)', () => {
  it('withdraws only what the retraction in force names: a replaced retraction, or one that names a retraction, nothing', () => {
    expect(
      episodes.filter((e) => (e.referral_id as string).startsWith('S')).map((e) => [e.referral_id, e.referred_on]),
    ).toEqual([
      ['S1', '2025-04-24'],
      ['S3', '2025-04-25'],
      ['S4', '2025-04-26'],
    ]);
  });
});

describe('how an episode ended (worked by hand above)', () => {
  it("is its latest discharge, by the reason's name on the same day", () => {
    expect(endings).toEqual([
      { referral_id: 'R1', discharge_reason: 'goals_met' },
      { referral_id: 'R2', discharge_reason: 'goals_met' },
    ]);
  });
});
