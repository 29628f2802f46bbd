import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import {
  exactJointCells,
  JointCellIds,
  type JointCount,
  jointCells,
  readJointCells,
} from '../../functions/refresh/shared-counts.ts';

/*
 * Joint control reads a member's shared cells once per control (readJointCells) and its exact rows' once
 * (exactJointCells), for what suppressedJointCells, rowsLeftOutJointCells and jointCells of the published rows made in
 * five passes (issue 17). The same sets, in the same order (jointFixedPoint adds them to `imposed` in that order).
 *
 * Worked by hand. One count in two columns of document d: `a` on every row, `b` on April 2025's only (as cof_person's
 * cohort cells on the periods that ended by the cut-off). Exact: England 100 (not a shared cell); April: P1 3, P2 10,
 * P3 12 (its row left out by the audit); May: P1 9, P4 no count (null). Published: April P1 `*` in both; P2 10 in `a`,
 * `*` in `b` (R17-3: shown in one column, so shown); May P1 `*` in `a` (`b` is not a shared cell in May), P4 null.
 * Published pass, column by column and row by row: a: P1-04 `*` (suppressed), P2-04 10 (shown), P1-05 `*`
 * (suppressed), P4-05 seen only; b: P1-04 `*`, P2-04 `*` (suppressed). Then each exact cell holding a count, in order
 * (a: P1-04, P2-04, P3-04, P1-05; b: P1-04, P2-04, P3-04): P3-04 is neither shown (suppressed) nor seen (left out).
 */
const id = (code: string, period: string) => `n|pcn|${code}|month|${period}|`;
const JOINT: readonly JointCount[] = [
  {
    name: 'n',
    key: ['level', 'code', 'period_type', 'period'],
    cells: [
      { document: 'd', column: 'a' },
      { document: 'd', column: 'b', rows: (row) => row.period === '2025-04' },
    ],
  },
];
const row = (level: string, code: string, period: string, a: Row[string], b: Row[string]): Row => ({
  level,
  code,
  period_type: 'month',
  period,
  a,
  b,
});
const EXACT: Row[] = [
  row('national', 'ENG', '2025-04', 100, 100),
  row('pcn', 'P1', '2025-04', 3, 3),
  row('pcn', 'P2', '2025-04', 10, 10),
  row('pcn', 'P3', '2025-04', 12, 12),
  row('pcn', 'P1', '2025-05', 9, 9),
  row('pcn', 'P4', '2025-05', null, null),
];
const PUBLISHED: Row[] = [
  row('national', 'ENG', '2025-04', 100, 100),
  row('pcn', 'P1', '2025-04', '*', '*'),
  row('pcn', 'P2', '2025-04', 10, '*'),
  row('pcn', 'P1', '2025-05', '*', 10),
  row('pcn', 'P4', '2025-05', null, null),
];

describe('readJointCells', () => {
  it('reads the exact rows cells holding a count, in order, a cell in two columns twice', () => {
    const ids = new JointCellIds();
    const cells = exactJointCells('d', EXACT, JOINT, ids);
    const P1 = id('P1', '2025-04');
    const P2 = id('P2', '2025-04');
    const P3 = id('P3', '2025-04');
    expect(cells.ids).toEqual([P1, P2, P3, id('P1', '2025-05'), P1, P2, P3]);
    expect(cells.rows).toEqual([EXACT[1], EXACT[2], EXACT[3], EXACT[4], EXACT[1], EXACT[2], EXACT[3]]);
    expect(exactJointCells('other', EXACT, JOINT, ids)).toEqual({ ids: [], rows: [] });
  });

  it('gives the cells suppressed, left out and shown, as worked out by hand, `shown` as jointCells reads it', () => {
    const ids = new JointCellIds();
    const reading = readJointCells('d', exactJointCells('d', EXACT, JOINT, ids).ids, PUBLISHED, JOINT, ids);
    expect([...reading.suppressed]).toEqual([
      id('P1', '2025-04'),
      id('P1', '2025-05'),
      id('P2', '2025-04'),
      id('P3', '2025-04'),
    ]);
    expect([...reading.leftOut]).toEqual([id('P3', '2025-04')]);
    expect([...reading.shown]).toEqual([id('P2', '2025-04')]);
    expect([...reading.shown]).toEqual([...jointCells('d', PUBLISHED, JOINT)]);
  });
});
