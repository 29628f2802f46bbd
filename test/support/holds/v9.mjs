// Red-team review 4, v9 (F1, a held year's denominators; review 5, G3): v2 and a 7th PCN, U00007 (list 60,000), opening on
// 2025-09-01 (in the reference from the start) and sending its September (20 people) in r1. The year 2025/26 is held
// (U00003's late April file): its referrals are r0's, so its list and PCNs must be r0's too.
import { first, lateFile, september, reference as six } from './v2.mjs';

export const reference = `${six}U00007,Golf PCN,QCC,NHS Charlie ICB,Y58,South West,60000,2025-09-01,
`;
export const stages = [
  { uploads: first, now: '2025-09-20T00:00:00Z' },
  {
    uploads: {
      ...september({ U00001: 22, U00002: 15, U00003: 12, U00004: 18, U00005: 25, U00006: 14, U00007: 20 }),
      'U00003-late.jsonl': lateFile('2025-04'),
    },
    now: '2025-10-20T00:00:00Z',
  },
];
