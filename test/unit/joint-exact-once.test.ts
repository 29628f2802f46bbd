import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import type { Targets } from '../../functions/refresh/catalogue.ts';
import { controlJointly } from '../../functions/refresh/refresh.ts';
import type { JointCount } from '../../functions/refresh/shared-counts.ts';
import { metricDefinition } from '../support/documents.ts';
import { SEVEN_PCNS_PARENT } from '../support/hand-worked-areas.ts';

/*
 * Joint control reads each member's exact rows' shared cells once (JointCellIds.exactCellsOf), however many rounds it
 * takes: the cells of each member (jointCells), the cells imposed by year (controlAgainByYear) and what the fixed point
 * reads of each control (readJointCells) were each read from the same rows, memoised twice (refresh.ts and
 * shared-counts.ts; issue 17).
 *
 * Worked by hand. England = R1 + R2, R1 = I1 + I2, R2 = I3; I1 = P1 + P2 + P3, I2 = P4 + P5, I3 = P6 + P7; April 2025.
 * The shared count is b. `first` publishes b alone (P1 17, P2 10, P3 15, P4 20, P5 20, P6 20, P7 25: nothing to
 * suppress of its own). `second` publishes referrals = a + b (a group; a: P1 3, P2 10, ...): P1's a `*` takes P1's b
 * (the group), and P2's a (the next smallest in I1) with P2's b; both b are imposed on first: a second round.
 */
const PARENT = SEVEN_PCNS_PARENT;
const LEVEL: Record<string, string> = { E: 'national', R: 'region', I: 'icb', P: 'pcn' };
const PCN_REFERRALS: Record<string, number> = { P1: 20, P2: 20, P3: 25, P4: 30, P5: 35, P6: 40, P7: 45 };
const PCN_A: Record<string, number> = { P1: 3, P2: 10, P3: 10, P4: 10, P5: 15, P6: 20, P7: 20 };
const summed = (pcns: Record<string, number>) => {
  const sums: Record<string, number> = { ...pcns };
  for (const [pcn, n] of Object.entries(pcns))
    for (let at = PARENT[pcn]; at !== undefined; at = PARENT[at]) sums[at] = (sums[at] ?? 0) + n;
  return sums;
};
const REFERRALS = summed(PCN_REFERRALS);
const A = summed(PCN_A);
const JOINT: JointCount[] = [
  {
    name: 'b',
    key: ['level', 'code', 'period_type', 'period'],
    cells: [
      { document: 'first', column: 'b', rows: (row) => noteRead(row) },
      { document: 'second', column: 'b', rows: (row) => noteRead(row) },
    ],
  },
];
const reads = new Map<Row, number>();
const noteRead = (row: Row) => {
  reads.set(row, (reads.get(row) ?? 0) + 1);
  return true;
};

describe('joint control reads the exact rows once', () => {
  it('reads each exact row of each member once, over its rounds', () => {
    const codes = Object.keys(REFERRALS);
    const area = (code: string) => ({
      level: LEVEL[code[0] as string] as string,
      code,
      period_type: 'month',
      period: '2025-04',
    });
    const firstRows = codes.map(
      (code) => ({ ...area(code), b: (REFERRALS[code] as number) - (A[code] as number) }) as Row,
    );
    const secondRows = codes.map(
      (code) =>
        ({
          ...area(code),
          referrals: REFERRALS[code],
          a: A[code],
          b: (REFERRALS[code] as number) - (A[code] as number),
        }) as Row,
    );
    let rounds = -1;
    const [first, second] = controlJointly(
      [
        { definition: metricDefinition('first', { counts: ['b'] }), rows: firstRows },
        {
          definition: metricDefinition('second', {
            counts: ['referrals', 'a', 'b'],
            groups: [{ total: 'referrals', parts: ['a', 'b'] }],
          }),
          rows: secondRows,
        },
      ],
      {
        targets: {} as Targets,
        medianContacts: new Map<string, number>(),
        generatedAt: '2025-05-05T00:00:00.000Z',
        dataAsOf: '2025-04-30',
        parentOf: (row: Row) => (PARENT[String(row.code)] === undefined ? [] : [PARENT[String(row.code)] as string]),
      },
      undefined,
      JOINT,
      (n) => {
        rounds = n;
      },
    );
    // second's group took P1's and P2's b with their a (3, then 10 beside it): imposed on first, controlled again.
    expect(rounds).toBe(2);
    expect(first?.rows.filter((r) => r.b === '*').map((r) => r.code)).toEqual(['P1', 'P2']);
    expect(second?.rows.filter((r) => r.b === '*').map((r) => r.code)).toEqual(['P1', 'P2']);
    // Each exact row below England read once for its cells (JointCellIds.exactCellsOf), and first's once more by its
    // second control, which pre-suppresses the cells imposed on it (imposedColumns reads the rows it controls). Before:
    // first's four times (its cells, the fixed point's reading, the cells imposed by year, the control), second's twice.
    const readsOf = (rows: readonly Row[]) =>
      rows.filter((row) => row.level !== 'national').map((row) => reads.get(row) ?? 0);
    expect(readsOf(firstRows)).toEqual(Array(12).fill(2));
    expect(readsOf(secondRows)).toEqual(Array(12).fill(1));
  });
});
