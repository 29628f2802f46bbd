import { describe, expect, it } from 'vitest';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { committedEventsDb, eventsInForceOfOnePcn } from '../support/prepare-sql.ts';

/*
 * episodes.sql takes each referral's follow-up windows from the date of its first referral event (referral_counts:
 * the earliest date of its referral events), the episode being the first event's (issue 17 made the date come from
 * one grouping of the referral events). Worked out by hand, PCN U00001, nothing withdrawn, every month published:
 *
 *   R1  referred on 2025-01-10 (event E1) and again on 2025-04-20 (event E2): windows from 10 January, engagement to
 *       10 April, outcome to 10 July.
 *       - splw contact 2025-02-01: engaged (in the engagement window); a contact
 *       - other-role contact 2025-07-09: a contact (outcome window), other role
 *       - plan agreed 2025-07-15: after 10 April, so no plan agreed
 *       - discharge 2025-07-11: after 10 July, so no discharge reason
 *       -> contacts 2, splw 1, other 1, engaged, no plan, no discharge.
 *       Windows from the later event (20 April) would give: contacts 1 (the February one before it), not engaged, a plan
 *       agreed (15 July is by 20 July) and the discharge (by 20 October).
 *   R2  referred once on 2025-03-31: engagement to 30 June (no 31 June: the month's last day), outcome to 30 September.
 *       - splw contact 2025-06-30: engaged (both ends counted); a contact
 *       - decline 2025-07-01: after the engagement window, so it does not undo engaged
 *       - discharge 2025-09-30 'completed': in the outcome window
 *       -> contacts 1, splw 1, other 0, engaged, no plan, discharge 'completed'.
 */
/** upload_id, source_row, pcn_code, event_id, event_type, referral_id, person_id, occurred_on, event_month, snomed_code, worker_role, discharge_reason */
let sourceRow = 1;
function event(id: string, type: string, referral: string, on: string, extra: { role?: string; reason?: string } = {}) {
  sourceRow += 1;
  const snomed = type === 'referral' ? `'871731000000106'` : 'NULL';
  const text = (v: string | undefined) => (v === undefined ? 'NULL' : `'${v}'`);
  return `('u1', ${sourceRow}, 'U00001', '${id}', '${type}', '${referral}', 'P-${referral}', DATE '${on}', '${on.slice(0, 7)}', ${snomed}, ${text(extra.role)}, ${text(extra.reason)})`;
}

const ROWS = [
  event('E1', 'referral', 'R1', '2025-01-10'),
  event('E2', 'referral', 'R1', '2025-04-20'),
  event('C1', 'contact', 'R1', '2025-02-01', { role: 'splw' }),
  event('C2', 'contact', 'R1', '2025-07-09', { role: 'health_coach' }),
  event('P1', 'plan_agreed', 'R1', '2025-07-15'),
  event('D1', 'discharge', 'R1', '2025-07-11', { reason: 'completed' }),
  event('E3', 'referral', 'R2', '2025-03-31'),
  event('C3', 'contact', 'R2', '2025-06-30', { role: 'splw' }),
  event('X3', 'declined', 'R2', '2025-07-01'),
  event('D3', 'discharge', 'R2', '2025-09-30', { reason: 'completed' }),
];

describe('episodes: follow-up windows from the first referral event', () => {
  it('counts each follow-up in the windows of the first event, not a later one', async () => {
    const { instance, connection } = await committedEventsDb();
    try {
      await connection.run(`INSERT INTO committed_events (upload_id, source_row, pcn_code, event_id, event_type,
        referral_id, person_id, occurred_on, event_month, snomed_code, worker_role, discharge_reason) VALUES ${ROWS.join(', ')}`);
      await eventsInForceOfOnePcn(connection, [
        '2025-01',
        '2025-02',
        '2025-03',
        '2025-04',
        '2025-06',
        '2025-07',
        '2025-09',
      ]);
      const reader = await connection.runAndReadAll(
        `SELECT referral_id, strftime(referred_on, '%Y-%m-%d') AS referred_on, CAST(contacts AS INTEGER) AS contacts,
           CAST(splw_contacts AS INTEGER) AS splw, CAST(other_contacts AS INTEGER) AS other, engaged, plan_agreed,
           discharge_reason
         FROM (${loadSql('prepare/episodes')}) AS e ORDER BY referral_id`,
      );
      expect(reader.getRowObjectsJS()).toEqual([
        {
          referral_id: 'R1',
          referred_on: '2025-01-10',
          contacts: 2,
          splw: 1,
          other: 1,
          engaged: true,
          plan_agreed: false,
          discharge_reason: null,
        },
        {
          referral_id: 'R2',
          referred_on: '2025-03-31',
          contacts: 1,
          splw: 1,
          other: 0,
          engaged: true,
          plan_agreed: false,
          discharge_reason: 'completed',
        },
      ]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
