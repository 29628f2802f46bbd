// Red-team review 4 (/work/notes/review4), F1/F2; review 3's v2: release r0 = Apr..Aug of 6 PCNs (no one in IMD decile
// 1 except a few, see events.mjs); release r1 = every PCN's September (a new month, 6 contributors) AND U00003's late
// file: 2 more April referrals, new people, IMD decile 1. The policy should hold everything the late file alone moved
// (April; the year of counts that add up over months). v6 and v7 are made from its parts.
import { eventsOf, reference } from './events.mjs';

export { reference };

const sizes = { U00001: 22, U00002: 15, U00003: 12, U00004: 18, U00005: 25, U00006: 14 };
const { ev, person, upTo } = eventsOf({
  months: ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09'],
  sizes,
});

export { ev };
/** r0's uploads: April to August. */
export const first = upTo('2025-08');
/** Each PCN's September, of `k` people (v9: a PCN opening in September too). */
export const september = (pcnSizes) => {
  const files = {};
  for (const [pcn, k] of Object.entries(pcnSizes)) {
    const rows = [];
    for (let i = 0; i < k; i++) person(pcn, `${pcn}-2025-09-${i}`, '2025-09', i, rows);
    files[`${pcn}-sep.jsonl`] = rows;
  }
  return files;
};
/** Every PCN's September. */
export const sep = september(sizes);
/** U00003's late file: 2 referrals of `month`, new people in IMD decile 1. */
export const lateFile = (month) => {
  const late = [];
  for (let i = 0; i < 2; i++) person('U00003', `U00003-late-${i}`, month, i + 1, late, { decile: 1 });
  return late;
};
export const stages = [
  { uploads: first, now: '2025-09-20T00:00:00Z' },
  { uploads: { ...sep, 'U00003-late.jsonl': lateFile('2025-04') }, now: '2025-10-20T00:00:00Z' },
];
