import { describe, expect, it } from 'vitest';
import { summaryOf } from '../../functions/contract/summaries.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import type { Targets } from '../../functions/refresh/catalogue.ts';
import { controlJointly } from '../../functions/refresh/refresh.ts';
import type { JointCount } from '../../functions/refresh/shared-counts.ts';
import { metricDefinition } from '../support/documents.ts';
import { SEALED_ICB_PARENT, sealedIcbArea } from '../support/hand-worked-areas.ts';

/*
 * Red-team review 9 (observation): on the 2% demo, referral_sources left out every row below England of April 2026 and
 * 2026/27 (its South West's `*` of other sources over its 7 ICBs, all `*`: sealed), and joint control imposed each of
 * those rows' referrals on rollout and cof_person as `*`; there every cell of the period was then `*`, the South West's
 * `*` over its seven `*` ICBs sealed too, and they left the period out as well, for no figure of their own. A row left
 * out shows nothing: its cells are not imposed on the others (shared-counts.ts, jointFixedPoint's withheldOf).
 *
 * Worked by hand. England = R1 + R2; R1 = I1 + I2; R2 = J1; I1 has nine PCNs in force, U1..U7 each with a row, U8 and
 * U9 with none (they sent nothing: red-team review 7's M12 gave them a row of `*`, which review 9's R9-1 found told
 * apart and read as 0; neither document gives them a row now); I2 = V1 + V2; J1 = W1 + W2. April 2025:
 *   referrals: U1..U7 10 each (I1 70), V1 20, V2 25 (I2 45, R1 115), W1 30, W2 40 (J1 = R2 70), England 185;
 *   engaged: U1..U7 1 each (I1 7), V1 20, V2 25 (I2 45, R1 52), W1 30, W2 40 (70), England 122.
 * `first` (referrals and engaged): I1's engaged 7 is `*` over seven `*` (1 each): read alone, 7 over seven 1s, true, and
 * nothing in it to suppress, so its rows below England for April 2025 are left out. `second` (referrals only) has every
 * count 8 or more: 10s, 20, 25, 30, 40 and the areas' 45, 70, 115 are multiples of 5 already, and England's 185 over
 * R1 115 (113 to 117) and R2 70 (68 to 72) pins neither. Before: first's referrals, left out, were imposed on second as
 * `*`: I1 `*` over seven `*` was sealed there too (70 read as 7 over seven 1s), and second left April out as well.
 */
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

describe('rows one document of a joint count leaves out are not imposed on the others', () => {
  const codes = Object.keys(REFERRALS);
  const context = {
    targets: {} as Targets,
    medianContacts: new Map<string, number>(),
    generatedAt: '2025-05-05T00:00:00.000Z',
    dataAsOf: '2025-04-30',
    parentOf: (row: Row) =>
      SEALED_ICB_PARENT[String(row.code)] === undefined ? [] : [SEALED_ICB_PARENT[String(row.code)] as string],
  };
  let rounds = -1;
  const [first, second] = controlJointly(
    [
      {
        definition: metricDefinition('first', { counts: ['referrals', 'engaged'] }),
        rows: codes.map(
          (code) => ({ ...sealedIcbArea(code), referrals: REFERRALS[code], engaged: ENGAGED[code] }) as Row,
        ),
      },
      {
        definition: metricDefinition('second', { counts: ['referrals'] }),
        rows: codes.map((c) => ({ ...sealedIcbArea(c), referrals: REFERRALS[c] }) as Row),
      },
    ],
    context,
    undefined,
    JOINT,
    (n) => {
      rounds = n;
    },
  );

  it('first leaves April 2025 out below England (I1 sealed on engaged), and says so', () => {
    expect(first?.rows.map((r) => `${r.code} ${r.referrals} ${r.engaged}`)).toEqual(['ENG 185 122']);
    expect(summaryOf(first as NonNullable<typeof first>, 'withheld_below_england')?.withheld).toEqual([
      { period_type: 'month', period: '2025-04', levels: ['region', 'icb', 'pcn'] },
    ]);
  });

  it('second publishes its referrals below England as its own control does (before: left out too)', () => {
    // Every row it was given, and none for U8 or U9.
    expect(second?.rows.map((r) => `${r.code} ${r.referrals}`)).toEqual(codes.map((c) => `${c} ${REFERRALS[c]}`));
    expect(summaryOf(second as NonNullable<typeof second>, 'withheld_below_england')).toBeUndefined();
    // One round: first's rows left out impose nothing, and neither shows a `*` (before: 2, second again with them).
    expect(rounds).toBe(1);
  });
});
