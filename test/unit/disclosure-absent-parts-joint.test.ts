import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import type { MetricDefinition, Targets } from '../../functions/refresh/catalogue.ts';
import { WITHHELD_REASON } from '../../functions/refresh/disclosure.ts';
import { controlJointly } from '../../functions/refresh/refresh.ts';
import type { JointCount } from '../../functions/refresh/shared-counts.ts';

/*
 * Red-team review 7, M12, across documents sharing a count jointly (refresh.ts, controlJointly), as undone by red-team
 * review 9, R9-1. Document `first` publishes referrals and engaged, `second` referrals only; referrals are one count in
 * both. Worked by hand.
 *
 * England = R1 + R2; R1 = I1 + I2; R2 = J1; I1 has nine PCNs in force, U1..U9 (U8 and U9 sent nothing: no row in
 * either document); I2 = V1 + V2; J1 = W1 + W2. April 2025:
 *   referrals: U1..U7 10 each (I1 70), V1 20, V2 25 (I2 45, R1 115), W1 30, W2 40 (J1 = R2 70), England 185;
 *   engaged: U1..U7 1 each (I1 7), V1 20, V2 25 (I2 45, R1 52), W1 30, W2 40 (70), England 122.
 * `first`'s engaged is sealed at I1: `*` over seven `*` (7 over seven 1s), nothing in it left to suppress. M12 gave U8
 * and U9 a row of `*` in both documents; a reader tells those from real rows (they have no data: rollout's list size,
 * data_quality) and reads them as 0, so the seven are 1 each again. Now `first`'s April rows below England are
 * withheld, and no PCN is given a row. `second`, whose referrals are all 10 or more (multiples of 5), publishes every
 * row as it is: the cells of rows `first` leaves out are not imposed on it (joint control, review 9: a left-out row shows
 * nothing, and `second`'s referrals say nothing of `first`'s engaged).
 */
const PARENT: Record<string, string> = {
  R1: 'ENG',
  R2: 'ENG',
  I1: 'R1',
  I2: 'R1',
  J1: 'R2',
  ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => [`U${n}`, 'I1'])),
  V1: 'I2',
  V2: 'I2',
  W1: 'J1',
  W2: 'J1',
};
const LEVEL: Record<string, string> = { E: 'national', R: 'region', I: 'icb', J: 'icb', U: 'pcn', V: 'pcn', W: 'pcn' };
const area = (code: string): Row => ({
  level: LEVEL[code[0] as string] as string,
  code,
  period_type: 'month',
  period: '2025-04',
});
const REFERRALS: Record<string, number> = {
  ENG: 185,
  R1: 115,
  R2: 70,
  I1: 70,
  I2: 45,
  J1: 70,
  ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((n) => [`U${n}`, 10])),
  V1: 20,
  V2: 25,
  W1: 30,
  W2: 40,
};
const ENGAGED: Record<string, number> = {
  ...REFERRALS,
  ENG: 122,
  R1: 52,
  I1: 7,
  ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((n) => [`U${n}`, 1])),
};
const definition = (name: string, counts: string[]): MetricDefinition => ({
  name,
  title: name,
  description: name,
  file: name,
  version: '1',
  keys: [],
  definitions: {},
  rules: { counts },
});
const JOINT: JointCount[] = [
  {
    name: 'referrals',
    key: ['level', 'code', 'period_type', 'period'],
    cells: [
      { document: 'first', column: 'referrals' },
      { document: 'second', column: 'referrals' },
    ],
  },
];

describe("an ICB's sealed * in one document of a joint count (review 7 M12, undone by review 9 R9-1)", () => {
  it('withholds the month below England in the sealed document, giving no PCN a row of *; the other publishes', () => {
    const codes = Object.keys(REFERRALS);
    const context = {
      targets: {} as Targets,
      medianContacts: new Map<string, number>(),
      generatedAt: '2025-05-05T00:00:00.000Z',
      dataAsOf: '2025-04-30',
      parentOf: (row: Row) => (PARENT[String(row.code)] === undefined ? [] : [PARENT[String(row.code)] as string]),
    };
    const [first, second] = controlJointly(
      [
        {
          definition: definition('first', ['referrals', 'engaged']),
          rows: codes.map((code) => ({ ...area(code), referrals: REFERRALS[code], engaged: ENGAGED[code] }) as Row),
        },
        {
          definition: definition('second', ['referrals']),
          rows: codes.map((c) => ({ ...area(c), referrals: REFERRALS[c] }) as Row),
        },
      ],
      context,
      undefined,
      JOINT,
    );
    // England's rows only, as exact; each document names April's rows below England withheld (M8).
    expect(first?.rows).toEqual([{ ...area('ENG'), referrals: 185, engaged: 122 }]);
    expect(first?.summary?.withheld_below_england).toEqual({
      reason: WITHHELD_REASON,
      withheld: [{ period_type: 'month', period: '2025-04', levels: ['region', 'icb', 'pcn'] }],
    });
    expect(second?.rows).toEqual(codes.map((code) => ({ ...area(code), referrals: REFERRALS[code] })));
    expect(second?.summary?.withheld_below_england).toBeUndefined();
  });
});
