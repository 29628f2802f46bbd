import { afterAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/metrics.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { AreaRevisions } from '../../functions/refresh/area-revisions.ts';
import type { MetricDefinition } from '../../functions/refresh/catalogue.ts';
import type { JointCount } from '../../functions/refresh/shared-counts.ts';
import { tempDir } from '../support/files.ts';

/*
 * Two documents controlled together publish one count (as rollout's referrals and cof_person's episodes:
 * catalogue.ts jointCounts): `a`'s referrals, `b`'s episodes. One ICB (I1, region R1) of two PCNs, one year.
 * Release 1: P1 6, P2 4: I1 and R1 10, published by both documents.
 * Release 2: P1 alone sends one late referral: P1 7, I1 and R1 11. A change of one PCN is not releasable (fewer than
 * 3 PCNs), so R1's family (R1, its ICBs, 2025/26) is held: the control is given I1's and R1's figures as at release 1,
 * 10. `a` published its rows at release 1; `b`'s audit left its rows below England out (rollout's current year below
 * England, withheld, at the demo's release before the failure). The held count is the same count: 10 in both. Before
 * the fix, `b`'s row, not published before by `b` itself, was given its new figure, 11, beside `a`'s 10, and the
 * refresh stopped at the joint check (shared-counts.ts checkJointCells: "not the same as ...'s").
 */
const definition = (name: string, column: string) =>
  ({ name, version: 'v1', keys: [], rules: { counts: [column] } }) as unknown as MetricDefinition;
const A = definition('a', 'referrals');
const B = definition('b', 'episodes');
const JOINT: JointCount[] = [
  {
    name: 'referrals',
    key: ['level', 'code', 'period_type', 'period'],
    cells: [
      { document: 'a', column: 'referrals' },
      { document: 'b', column: 'episodes' },
    ],
  },
];
const parentOf = (row: Row): readonly string[] =>
  row.level === 'pcn' ? ['I1'] : row.level === 'icb' ? ['R1'] : row.level === 'region' ? ['ENG'] : [];
const rowsOf = (column: string, p1: number, p2: number): Row[] => {
  const row = (level: string, code: string, value: number): Row => ({
    level,
    code,
    period_type: 'fy',
    period: '2025/26',
    [column]: value,
  });
  return [
    row('national', 'ENG', p1 + p2),
    row('region', 'R1', p1 + p2),
    row('icb', 'I1', p1 + p2),
    row('pcn', 'P1', p1),
    row('pcn', 'P2', p2),
  ];
};
const document = (name: string, rows: Row[]) => ({ name, data_as_of: null, rows }) as unknown as MetricDocument;
const dir = tempDir('area-revisions-joint');
afterAll(() => dir.remove());

describe('revisions below England of documents sharing a count (joint30)', () => {
  it('a row published before by one of them is held alike in all: the shared count is one figure', async () => {
    const store = new FsObjectStore(dir.path);
    const open = (generatedAt: string, previousRelease: string | undefined) =>
      AreaRevisions.open({
        store,
        generatedAt,
        pcnCodes: ['P1', 'P2'],
        dataAsOf: null,
        previousRelease,
        joint: JOINT,
      });
    const first = await open('2025-10-12T06:00:00.000Z', undefined);
    const release1 = [rowsOf('referrals', 6, 4), rowsOf('episodes', 6, 4)];
    first.pin(
      [
        { definition: A, rows: release1[0] as Row[] },
        { definition: B, rows: release1[1] as Row[] },
      ],
      () => undefined,
      parentOf,
    );
    await first.save();

    const second = await open('2025-11-12T06:00:00.000Z', '2025-10-12T06:00:00.000Z');
    // As published at release 1: `a` all its rows; `b` England's alone (its rows below England left out).
    const previous = new Map([
      ['a', document('a', release1[0] as Row[])],
      [
        'b',
        document(
          'b',
          (release1[1] as Row[]).filter((r) => r.level === 'national'),
        ),
      ],
    ]);
    const [a, b] = second.pin(
      [
        { definition: A, rows: rowsOf('referrals', 7, 4) },
        { definition: B, rows: rowsOf('episodes', 7, 4) },
      ],
      (name) => previous.get(name),
      parentOf,
    );
    const at = (rows: Row[] | undefined, level: string, column: string) =>
      rows?.find((r) => r.level === level)?.[column];
    for (const level of ['icb', 'region']) {
      expect(at(a, level, 'referrals'), `a ${level}`).toBe(10);
      expect(at(b, level, 'episodes'), `b ${level}`).toBe(10);
    }
    // The PCNs' own rows are controlled on their own figures, as before.
    expect(at(b, 'pcn', 'episodes')).toBe(7);
  });
});
