import { describe, expect, it } from 'vitest';
import { SUPPRESSED } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { JOINT_COUNTS, jointCounts } from '../../functions/refresh/catalogue.ts';
import {
  imposedColumns,
  type JointCount,
  jointCells,
  jointFixedPoint,
  jointGroups,
  rowsLeftOutJointCells,
  suppressedJointCells,
} from '../../functions/refresh/shared-counts.ts';
import { SCAN_SPEC } from '../support/disclosure-scan.ts';

/*
 * Joint control of a count several documents publish (shared-counts.ts, jointFixedPoint), on model controls whose
 * answers are worked out by hand: a document's control given cells pre-suppressed returns the cells it withholds.
 */

const cells = (n: number) => Array.from({ length: n }, (_, k) => `c${k + 1}`);
const SIX = new Set(cells(6));

/**
 * A chain: A always withholds c1 (a primary `*`); given c_k (k odd) pre-suppressed, B withholds c_k+1 too, and given
 * c_k (k even), A withholds c_k+1 (each one's secondary suppression answering the other's). So round 1 finds c1 (A),
 * round 2 c2 (B, given c1), round 3 c3 (A) ... round 6 c6 (B), and round 7 controls A again with c6 and finds
 * nothing new: 7 rounds, every cell withheld by both.
 */
function chain(calls: { member: string; imposed: string[] }[]) {
  return (member: string, imposed: ReadonlySet<string>): Set<string> => {
    calls.push({ member, imposed: [...imposed].sort() });
    const found = new Set(imposed);
    if (member === 'A') found.add('c1');
    for (const id of imposed) {
      const k = Number(id.slice(1));
      const next = `c${k + 1}`;
      if (SIX.has(next) && (member === 'B') === (k % 2 === 1)) found.add(next);
    }
    return found;
  };
}

describe('jointFixedPoint', () => {
  it('ends when no document withholds a cell the others show: the chain of six cells in 7 rounds', () => {
    const calls: { member: string; imposed: string[] }[] = [];
    const { imposed, rounds, results } = jointFixedPoint(
      ['A', 'B'],
      () => SIX,
      chain(calls),
      (_member, found) => found,
    );
    expect(rounds).toBe(7);
    expect([...imposed].sort()).toEqual(cells(6));
    // Both publish the same: every cell withheld in each.
    expect([...(results.get('A') as Set<string>)].sort()).toEqual(cells(6));
    expect([...(results.get('B') as Set<string>)].sort()).toEqual(cells(6));
    // Round 1 both from nothing; then only the one showing an imposed cell, with everything imposed so far.
    expect(calls.map((c) => `${c.member}:${c.imposed.join(',')}`)).toEqual([
      'A:',
      'B:',
      'B:c1',
      'A:c1,c2',
      'B:c1,c2,c3',
      'A:c1,c2,c3,c4',
      'B:c1,c2,c3,c4,c5',
      'A:c1,c2,c3,c4,c5,c6',
    ]);
  });

  it('is monotone: each control is given every cell imposed before, and more', () => {
    const calls: { member: string; imposed: string[] }[] = [];
    jointFixedPoint(
      ['A', 'B'],
      () => SIX,
      chain(calls),
      (_m, found) => found,
    );
    for (let i = 1; i < calls.length; i++) {
      const before = (calls[i - 1] as { imposed: string[] }).imposed;
      const now = (calls[i] as { imposed: string[] }).imposed;
      expect(
        before.every((id) => now.includes(id)),
        `call ${i}`,
      ).toBe(true);
    }
  });

  it('controls a document once where its output already withholds every imposed cell it has', () => {
    const calls: string[] = [];
    // C shares no cell with the others; A and B withhold the same cell from the start.
    const { rounds } = jointFixedPoint(
      ['A', 'B', 'C'],
      (m) => (m === 'C' ? new Set(['d1']) : new Set(['c1'])),
      (m) => {
        calls.push(m);
        return m === 'C' ? new Set<string>() : new Set(['c1']);
      },
      (_m, found) => found,
    );
    expect(rounds).toBe(1);
    expect(calls).toEqual(['A', 'B', 'C']);
  });

  it('throws after its bound of rounds (the chain needs 7)', () => {
    expect(() =>
      jointFixedPoint(
        ['A', 'B'],
        () => SIX,
        chain([]),
        (_m, found) => found,
        6,
      ),
    ).toThrow(
      'joint disclosure control of A, B: no fixed point after 6 rounds (6 shared cells suppressed, A still showing some)',
    );
  });

  it("does not impose a member's rows left out on the others: they publish the count as their own control does", () => {
    // Red-team review 9: referral_sources left out April's rows below England (its South West `*` of other sources read
    // as 7 over seven 1s); its April referrals, imposed as `*` on rollout, made every April referral there `*`, so the
    // South West's 7 ICBs sealed its `*` there too and rollout left April out as well, for no figure of its own.
    // Model: A (referral_sources) always leaves April's rows out (cells a1, a2 of April, m1 of May shown); B (rollout)
    // shows every cell where nothing of April is imposed, and leaves April's rows out where any April cell is.
    const april = ['a1', 'a2'];
    type Result = { suppressed: Set<string>; leftOut: Set<string> };
    const calls: string[] = [];
    const { imposed, rounds, results } = jointFixedPoint<Result>(
      ['A', 'B'],
      () => new Set([...april, 'm1']),
      (m, given) => {
        calls.push(`${m}:${[...given].sort().join(',')}`);
        const aprilOut = m === 'A' || april.some((id) => given.has(id));
        return { suppressed: new Set(), leftOut: new Set(aprilOut ? april : []) };
      },
      // As suppressedJointCells: a cell `*` or of a row left out.
      (_m, r) => new Set([...r.suppressed, ...r.leftOut]),
      undefined,
      (_m, r) => r.leftOut,
    );
    // A hides a1 and a2 by leaving their rows out: nothing is imposed, B is controlled once from nothing and shows
    // April (before: a1, a2 imposed, a second round controlled B with them, and B left April out too).
    expect([...imposed]).toEqual([]);
    expect(rounds).toBe(1);
    expect(calls).toEqual(['A:', 'B:']);
    expect([...(results.get('B') as Result).leftOut]).toEqual([]);
  });

  it('accepts a row left out for a cell given as suppressed, and imposes the `*` cells of the others', () => {
    // A shows c1 as `*`; B, given c1, leaves its row out (a period withheld): a control of its own that hides c1.
    type Result = { suppressed: Set<string>; leftOut: Set<string> };
    const { imposed, rounds } = jointFixedPoint<Result>(
      ['A', 'B'],
      () => new Set(['c1', 'c2']),
      (m, given) =>
        m === 'A'
          ? { suppressed: new Set(['c1']), leftOut: new Set() }
          : { suppressed: new Set(), leftOut: new Set(given.has('c1') ? ['c1', 'c2'] : []) },
      (_m, r) => new Set([...r.suppressed, ...r.leftOut]),
      undefined,
      (_m, r) => r.leftOut,
    );
    // Round 1: A's c1 imposed; round 2: B given c1 leaves c1 and c2 out (not imposed on A, which shows c2).
    expect([...imposed]).toEqual(['c1']);
    expect(rounds).toBe(2);
  });

  it('throws where a control shows a cell it was given as suppressed', () => {
    expect(() =>
      jointFixedPoint(
        ['A', 'B'],
        () => new Set(['c1']),
        (m) => new Set(m === 'A' ? ['c1'] : []),
        (_m, found) => found,
      ),
    ).toThrow('joint disclosure control: B shows shared cell c1 although it was pre-suppressed');
  });
});

const COUNT: JointCount = {
  name: 'referrals',
  key: ['level', 'code', 'period_type', 'period'],
  cells: [
    { document: 'a', column: 'referrals' },
    { document: 'b', column: 'episodes', rows: (r) => r.period_type === 'fy' },
  ],
};
const row = (
  level: string,
  code: string,
  period_type: string,
  period: string,
  values: Record<string, unknown>,
): Row => ({
  level,
  code,
  period_type,
  period,
  ...values,
});

describe('the cells of a jointly controlled count', () => {
  it("a document's cells below England with a count; England's are exact and not shared", () => {
    const exact = [
      row('national', 'ENG', 'fy', '2025/26', { episodes: 9 }),
      row('pcn', 'U1', 'fy', '2025/26', { episodes: 1 }),
      row('pcn', 'U1', 'month', '2025-04', { episodes: 1 }),
      row('pcn', 'U2', 'fy', '2025/26', { episodes: null }),
    ];
    expect([...jointCells('b', exact, [COUNT])]).toEqual(['referrals|pcn|U1|fy|2025/26|']);
  });

  it('imposed cells are the columns of the rows they name, in the document that has them', () => {
    const imposed = new Set(['referrals|pcn|U1|fy|2025/26|']);
    expect(imposedColumns('a', [COUNT], imposed)(row('pcn', 'U1', 'fy', '2025/26', {}))).toEqual(['referrals']);
    expect(imposedColumns('b', [COUNT], imposed)(row('pcn', 'U1', 'fy', '2025/26', {}))).toEqual(['episodes']);
    expect(imposedColumns('b', [COUNT], imposed)(row('pcn', 'U1', 'month', '2025-04', {}))).toEqual([]);
    expect(imposedColumns('a', [COUNT], imposed)(row('pcn', 'U2', 'fy', '2025/26', {}))).toEqual([]);
  });

  it('the cells of rows left out, apart from those shown `*`', () => {
    const exact = [
      row('pcn', 'U1', 'fy', '2025/26', { referrals: 3 }),
      row('pcn', 'U2', 'fy', '2025/26', { referrals: 12 }),
      row('pcn', 'U3', 'fy', '2025/26', { referrals: 0 }),
      row('pcn', 'U5', 'fy', '2025/26', { referrals: null }),
    ];
    const published = [
      row('pcn', 'U1', 'fy', '2025/26', { referrals: SUPPRESSED }),
      row('pcn', 'U3', 'fy', '2025/26', { referrals: 0 }),
    ];
    // U2 left out with a count; U5 left out without one (no count to withhold); U1 shown `*`.
    expect([...rowsLeftOutJointCells('a', exact, published, [COUNT])]).toEqual(['referrals|pcn|U2|fy|2025/26|']);
  });

  it('a document withholds a cell it shows as * or whose row it left out', () => {
    const exact = [
      row('pcn', 'U1', 'fy', '2025/26', { referrals: 3 }),
      row('pcn', 'U2', 'fy', '2025/26', { referrals: 12 }),
      row('pcn', 'U3', 'fy', '2025/26', { referrals: 20 }),
      row('pcn', 'U4', 'fy', '2025/26', { referrals: 0 }),
    ];
    const published = [
      row('pcn', 'U1', 'fy', '2025/26', { referrals: SUPPRESSED }),
      row('pcn', 'U3', 'fy', '2025/26', { referrals: 20 }),
      row('pcn', 'U4', 'fy', '2025/26', { referrals: 0 }),
    ];
    expect([...suppressedJointCells('a', exact, published, [COUNT])].sort()).toEqual([
      'referrals|pcn|U1|fy|2025/26|',
      'referrals|pcn|U2|fy|2025/26|',
    ]);
  });

  it('a document that pads rows (as equity does) and leaves one out: the row left out is found by its cell', () => {
    const exact = [
      row('pcn', 'U1', 'fy', '2025/26', { referrals: 3 }),
      row('pcn', 'U2', 'fy', '2025/26', { referrals: 12 }),
    ];
    // Two rows published for two exact ones: U1 `*`, U2 left out, and a row the control added (U9, `*`) that the exact
    // rows lack. Counting rows (2 published of 2) says nothing was left out; by cell, U2's 12 was.
    const published = [
      row('pcn', 'U1', 'fy', '2025/26', { referrals: SUPPRESSED }),
      row('pcn', 'U9', 'fy', '2025/26', { referrals: SUPPRESSED }),
    ];
    expect([...rowsLeftOutJointCells('a', exact, published, [COUNT])]).toEqual(['referrals|pcn|U2|fy|2025/26|']);
    // Withheld: U1 shown `*`, U2 left out (and U9's `*`, a cell of the count shown `*`).
    expect([...suppressedJointCells('a', exact, published, [COUNT])].sort()).toEqual([
      'referrals|pcn|U1|fy|2025/26|',
      'referrals|pcn|U2|fy|2025/26|',
      'referrals|pcn|U9|fy|2025/26|',
    ]);
  });
});

describe('the catalogue controls jointly', () => {
  it('referrals in rollout, referral_sources and cof_person, controlled as one group', () => {
    expect(JOINT_COUNTS.map((c) => [c.name, c.cells.map((cell) => `${cell.document}.${cell.column}`)])).toEqual([
      ['referrals', ['rollout.referrals', 'referral_sources.referrals', 'cof_person.episodes']],
    ]);
    const order = ['rollout', 'referral_sources', 'cof_person', 'contacts_distribution', 'workforce', 'equity'];
    const groups = jointGroups(order, JOINT_COUNTS);
    expect(groups.get('rollout')).toEqual(['rollout', 'referral_sources', 'cof_person']);
    expect(groups.get('cof_person')).toEqual(['rollout', 'referral_sources', 'cof_person']);
    expect(groups.has('workforce')).toBe(false);
  });

  it('documents joined through a shared document are one group, in the order given', () => {
    const chained: JointCount[] = [
      {
        name: 'x',
        key: ['code'],
        cells: [
          { document: 'c', column: 'n' },
          { document: 'a', column: 'n' },
        ],
      },
      {
        name: 'y',
        key: ['code'],
        cells: [
          { document: 'a', column: 'm' },
          { document: 'e', column: 'm' },
        ],
      },
    ];
    const groups = jointGroups(['a', 'b', 'c', 'd', 'e'], chained);
    expect(groups.get('e')).toEqual(['a', 'c', 'e']);
    expect(groups.has('b')).toBe(false);
    expect(() => jointGroups(['a', 'b'], chained)).toThrow('joint counts name c, e, not in the catalogue');
  });

  it("cof_person's cohorts are its episodes for the periods that ended by their cut-offs, below England (R16-4)", () => {
    // Data as of 31 December 2025: the engagement cohort is the referrals made by 30 September (3 months), the outcome
    // cohort by 30 June (6 months). A period's every referral is in a cohort when the period ended by its cut-off.
    const counts = jointCounts('2025-12-31');
    expect(counts.map((c) => [c.name, c.cells.map((cell) => `${cell.document}.${cell.column}`)])).toEqual([
      [
        'referrals',
        [
          'rollout.referrals',
          'referral_sources.referrals',
          'cof_person.episodes',
          'cof_person.engagement_cohort',
          'cof_person.outcome_cohort',
        ],
      ],
    ]);
    const cases: [string, string, string, string[]][] = [
      ['pcn', 'month', '2025-06', ['episodes', 'engagement_cohort', 'outcome_cohort']],
      ['icb', 'month', '2025-09', ['episodes', 'engagement_cohort']], // ended 30 September: engagement only
      ['region', 'month', '2025-10', ['episodes']], // ended after both cut-offs
      ['pcn', 'fy', '2024/25', ['episodes', 'engagement_cohort', 'outcome_cohort']], // ended 31 March 2025
      ['pcn', 'fy', '2025/26', ['episodes']], // ends 31 March 2026
    ];
    for (const [level, periodType, period, columns] of cases) {
      const imposed = new Set([`referrals|${level}|X|${periodType}|${period}|`]);
      expect(imposedColumns('cof_person', counts, imposed)(row(level, 'X', periodType, period, {})), period).toEqual(
        columns,
      );
    }
    // England is exact: no cell of it is shared, its cohorts' no more than its episodes'.
    const england = row('national', 'ENG', 'month', '2025-06', {
      episodes: 9,
      engagement_cohort: 9,
      outcome_cohort: 9,
    });
    expect([...jointCells('cof_person', [england], counts)]).toEqual([]);
    // Without a data-as-of date (nothing published yet), no cohort has matured: episodes alone.
    expect(JOINT_COUNTS[0]?.cells.map((cell) => cell.column)).toEqual(['referrals', 'referrals', 'episodes']);
  });

  it('the disclosure scan checks the same counts across the same documents', () => {
    expect(
      (SCAN_SPEC.jointly ?? []).map((c) => [c.name, c.cells.map((cell) => `${cell.document}.${cell.column}`)]),
    ).toEqual(jointCounts('2025-12-31').map((c) => [c.name, c.cells.map((cell) => `${cell.document}.${cell.column}`)]));
  });
});
