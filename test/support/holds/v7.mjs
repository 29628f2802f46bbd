// Red-team review 4, v7 (F1, a new month held): v2 without the late file; U00001's September holds one decline, the
// only one of September, so a figure of the new month is one PCN's own: every England figure of September is held as
// no figure (null), and of 2025/26 at r0's values.
import { ev, first, reference, sep } from './v2.mjs';

export { reference };

// An offer declined (a referral_id of its own, no referral): a decline on a referral is counted only once the referral's
// 3 months have passed (review 31, R31-2), so September's would be no figure yet and hold nothing.
const decline = ev('U00001', 'U00001-2025-09-offer', 'declined', '2025-09-25', { snomed_code: '871711000000103' });
export const stages = [
  { uploads: first, now: '2025-09-20T00:00:00Z' },
  { uploads: { ...sep, 'U00001-dec.jsonl': [decline] }, now: '2025-10-20T00:00:00Z' },
];
