// Red-team review 4, v6 (F3): v2 with U00003's late file of 2 referrals dated June 2025, the month whose 3-month
// engagement cohort matures in r1 (r0's cut-off 2025-05-31, r1's 2025-06-30): one PCN alone moves June, so June
// (and July, 2025/26: the period rule) is held in the release in which June's engagement figures first exist.
import { first, lateFile, reference, sep } from './v2.mjs';

export { reference };

export const stages = [
  { uploads: first, now: '2025-09-20T00:00:00Z' },
  { uploads: { ...sep, 'U00003-late.jsonl': lateFile('2025-06') }, now: '2025-10-20T00:00:00Z' },
];
