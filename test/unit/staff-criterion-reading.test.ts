import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import { applyDisclosureControl } from '../../functions/refresh/disclosure.ts';
import { recoveredStaff, staffRow, staffRows, staffRules } from '../support/seeded-documents.ts';

/*
 * Review 35, R35-5: R35-4's reading in person-months. A staff year read whole (its rows and its months' as
 * person-months) was read documented (every `*` a mean under 8), else loose, never with the `*` the figures show to be
 * more read loose and the rest documented: the criterion's reading (docs/methodology.md, "The criterion"), which the
 * counts' audit makes (R35-4). Review 34's seed-7 staff fuzz, document 94 (with the months). Geography: R1 (I11: P111),
 * R2 (I21: P211, P212). True coaches (June, July): P111 (0, 1), P211 (4, 1), P212 (8, 15).
 * Published before (BEFORE): England June 12, July 17, the year 14.5 (29 person-months); below England every figure
 * `*` (P111's June is a zero made `*`) but I21's year 15 (a mean of 12.5 to under 17.5: 25 to 34 person-months).
 * By hand. Loose (every `*` below a region 1 or more): R1's June = I11's = P111's is 1 or more, so R2's June = I21's is
 * at most 11, and I21's July (its year's 25 or more less that) 14 or more; R1's July 1 or more leaves I21's July at
 * most 16, so I21's June is 9 or more: I21's and R2's June and July are marked (above 7). Read so, every other `*` a
 * month's 1 to 7: I21's July is at most P211's 7 + P212's 7 = 14, so exactly 14 (each PCN 7), R1's July 17 - 14 = 3
 * (I11's and P111's too), I21's June 25 - 14 = 11 and R1's June 12 - 11 = 1 (I11's, P111's), the years R1 4 and I21 25
 * person-months. Every figure published allows it (P211's year 4 + 7 = 11 person-months, a `*`); it is wrong (R1's
 * June is 0, R2's July 16), as review 29's readings of a secondary `*` are, and counted as they are.
 */
const PARENT: Record<string, string> = {
  R1: 'ENG',
  I11: 'R1',
  P111: 'I11',
  R2: 'ENG',
  I21: 'R2',
  P211: 'I21',
  P212: 'I21',
};
const TRUE: Record<string, [number, number]> = { P111: [0, 1], P211: [4, 1], P212: [8, 15] };
const rules = staffRules(PARENT);
// What the publisher published before this change (92d42f5), headcounts; FTE `*` below England.
const BEFORE: Row[] = ['ENG', ...Object.keys(PARENT)].flatMap((c) => {
  if (c === 'ENG')
    return [
      staffRow(c, 'fy', '2025/26', 2, 14.5),
      staffRow(c, 'month', '2025-06', 1, 12),
      staffRow(c, 'month', '2025-07', 1, 17),
    ];
  return [
    staffRow(c, 'fy', '2025/26', 2, c === 'I21' ? 15 : '*'),
    staffRow(c, 'month', '2025-06', 1, '*'),
    staffRow(c, 'month', '2025-07', 1, '*'),
  ];
});
const recovered = (rows: readonly Row[]) => recoveredStaff(rows, PARENT);

describe("staff years read whole, the criterion's reading in person-months (review 35, R35-5)", () => {
  it('the true figures: England June 12, July 17; I21 June 12, July 16 (its year 14: 28 person-months)', () => {
    const rows = staffRows(PARENT, TRUE);
    const at = (c: string, p: string) => rows.find((r) => r.code === c && r.period === p)?.hwbc_headcount;
    expect([at('ENG', '2025-06'), at('ENG', '2025-07'), at('I21', '2025-06'), at('I21', '2025-07')]).toEqual([
      12, 17, 12, 16,
    ]);
    expect(at('I21', '2025/26')).toBe(14);
  });

  it('the scan reads what was published as worked by hand', () => {
    const found = recovered(BEFORE).map((f) => f.replace(/: hwbc_headcount.*/, ''));
    expect(found).toEqual(
      expect.arrayContaining([
        'staffyears region R1 2025-06 ',
        'staffyears region R1 2025-07 ',
        'staffyears region R2 2025-07 ',
        'staffyears icb I21 2025-07 ',
        'staffyears pcn P211 2025-07 ',
        'staffyears pcn P212 2025-07 ',
        'staffyears pcn P111 2025-06 ',
        'staffyears icb I21 2025/26 ',
      ]),
    );
  });

  it('the publisher protects it: the scan finds nothing in what it publishes now', () => {
    const out = applyDisclosureControl(staffRows(PARENT, TRUE), rules);
    expect(recovered(out)).toEqual([]);
  });
});
