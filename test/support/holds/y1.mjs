// Review 5, G2: review 4's v7 moved to the year's end. r0 = April 2025 to February 2026 of 6 PCNs (now 2026-03-20);
// r1 = every PCN's March 2026 and U00001's one March decline: a new month one PCN alone moved, so March is held as
// null and its year 2025/26 with it, in the release that completes the year.
import { addMonths, eventsOf, reference } from './events.mjs';

export { reference };

const sizes = { U00001: 22, U00002: 15, U00003: 12, U00004: 18, U00005: 25, U00006: 14 };
const { ev, person, upTo } = eventsOf({ months: Array.from({ length: 12 }, (_, k) => addMonths('2025-04', k)), sizes });
const march = {};
for (const [pcn, k] of Object.entries(sizes)) {
  const rows = [];
  for (let i = 0; i < k; i++) person(pcn, `${pcn}-2026-03-${i}`, '2026-03', i, rows);
  march[`${pcn}-mar.jsonl`] = rows;
}
export const stages = [
  { uploads: upTo('2026-02'), now: '2026-03-20T00:00:00Z' },
  {
    uploads: {
      ...march,
      'U00001-dec.jsonl': [
        // An offer declined: a decline on a referral is counted once its 3 months have passed (review 31, R31-2).
        ev('U00001', 'U00001-2026-03-offer', 'declined', '2026-03-25', { snomed_code: '871711000000103' }),
      ],
    },
    now: '2026-04-20T00:00:00Z',
  },
];
