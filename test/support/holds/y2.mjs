// Review 5, G7: y1 and a third refresh with nothing new (r2, the next day): England's March is still one PCN's
// decline, so 2025/26 stays held at r0's values. r2's held year must name r0 as its origin, not r1 (which re-showed r0's
// values), and be judged at r0's data-as-of date.
import { reference as ref, stages as s } from './y1.mjs';

export const reference = ref;
export const stages = [...s, { uploads: {}, now: '2026-04-21T00:00:00Z' }];
