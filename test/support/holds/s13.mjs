// From red-team review 4, F5: // Review 4, s13: the revisions record's per-PCN contributions to cof_system's totals are 0 wherever a PCN's row had
// its totals suppressed before control (suppressBandTotals: people 1-7 or a band that would pin them), so the change
// rule is decided on wrong changes. r0 = s12 (12 months, 6 small PCNs). r1 (no new month: data-as-of stays
// 2025-09-30): U00001, U00004 and U00006 (March rows of 8+ people: contributions recorded) each send one March 2025
// referral's 'after' GP count again, 2 where it was 0 (a later row of the window replaces the earlier: review 6, K5);
// U00002 (5 people in March: its totals '*', contribution recorded as 0) sends 4 of its March referrals' as 15 each,
// 60 where they were 0, 1, 2 and 0. True changes [2, 57, 0, 2, 0, 2]: one PCN dominates (p% fails: 4 < 5.7), so
// England's March after_total must be held; the rule saw [2, 0, 0, 2, 0, 2]. Dated 2025-09-23: after s12's rows of the
// same windows (the 22nd) and on or after each window's end (March 1-4 + 6 months). March, not May as with the 3-month
// windows of before (review 26, R26-3: cof_system counts 6-month windows alone): the newest month whose windows have
// ended by 2025-09-30.
import { createHash } from 'node:crypto';
import { stages as first, reference } from './s12.mjs';

export { reference };

const h = (s) => createHash('sha256').update(s).digest('hex');
let n = 0;
const after = (pcn, rid, count) => ({
  event_id: `LATE-${pcn}-${++n}`,
  event_type: 'service_use',
  pcn_code: pcn,
  referral_id: rid,
  person_id: h(rid),
  occurred_on: '2025-09-23',
  service: 'gp_appointment',
  window: 'after',
  window_months: 6,
  count,
});
export const stages = [
  first[0],
  {
    uploads: {
      'U00001-late.jsonl': [after('U00001', 'U00001-2025-03-0', 2)],
      'U00004-late.jsonl': [after('U00004', 'U00004-2025-03-0', 2)],
      'U00006-late.jsonl': [after('U00006', 'U00006-2025-03-0', 2)],
      'U00002-late.jsonl': [0, 1, 2, 3].map((i) => after('U00002', `U00002-2025-03-${i}`, 15)),
    },
    now: '2025-10-25T00:00:00Z',
  },
];
