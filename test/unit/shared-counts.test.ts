import { describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import {
  auditCoveredShare,
  auditPcnGroups,
  type CoveredShare,
  publishSameAs,
  recoversCell,
  type SharedContext,
} from '../../functions/refresh/shared-counts.ts';

/*
 * The cross-document rules of shared-counts.ts, worked by hand. A reader takes 0 as 0, * as 1 to 7 and a rounded
 * count v as v - 2 .. v + 2 (8 at least).
 */

describe('recoversCell: a total of parts, all published below England', () => {
  it('s8: 15 (13..17) over 10, 10 and *: the * is at most 17 - 8 - 8 = 1, so 1', () => {
    expect(recoversCell(15, [10, 10, '*'])).toBe(true);
  });
  it('20 (18..22) over 10, 10 and *: the * is 1 .. 22 - 16 = 6: not recovered', () => {
    expect(recoversCell(20, [10, 10, '*'])).toBe(false);
  });
  it('17 exact would be 15 here; 10 over 10 and 0: 8..12 both ways, not recovered; 0 is 0 already', () => {
    expect(recoversCell(10, [10, 0])).toBe(false);
  });
  it('a total 10 (8..12) over * and *: each 1..7, the other 1..7 from it: not recovered', () => {
    expect(recoversCell(10, ['*', '*'])).toBe(false);
  });
  it('a total * (1..7) over 10: contradicts the reading of *, so the reader learns the * is secondary: flagged', () => {
    expect(recoversCell('*', [10])).toBe(true);
  });
  it('a published 15 with no PCN behind it contradicts the parts: flagged', () => {
    expect(recoversCell(15, [])).toBe(true);
  });
});

const doc = (name: string, rows: Row[]): MetricDocument => ({ name, keys: [], rows }) as unknown as MetricDocument;
const pcnYear = (code: string, figures: Row): Row => ({
  level: 'pcn',
  code,
  period_type: 'fy',
  period: '2025/26',
  ...figures,
});
const KEY = ['level', 'code', 'period_type', 'period'];

describe("publishSameAs: the source document's controlled cell, `*` for `*`", () => {
  const rollout = doc('rollout', [pcnYear('U1', { referrals: '*' }), pcnYear('U2', { referrals: 10 })]);
  const shared: SharedContext = { documentOf: (n) => (n === 'rollout' ? rollout : undefined), parentOf: () => [] };
  const declared = [{ document: 'rollout', columns: { referrals: 'referrals' }, key: KEY }];

  it('copies * over a 10 of its own, keeps a 10 the source shows, withholds a count the source has no row for', () => {
    const exact = [pcnYear('U1', { referrals: 8 }), pcnYear('U2', { referrals: 11 }), pcnYear('U3', { referrals: 9 })];
    const published = [
      pcnYear('U1', { referrals: 10 }),
      pcnYear('U2', { referrals: 10 }),
      pcnYear('U3', { referrals: 10 }),
    ];
    publishSameAs('pcn_comparison', published, exact, declared, shared);
    expect(published.map((r) => r.referrals)).toEqual(['*', 10, '*']);
  });

  it('0 stays 0 where the source has no row (no referrals there either)', () => {
    const published = [pcnYear('U3', { referrals: 0 })];
    publishSameAs('pcn_comparison', published, [pcnYear('U3', { referrals: 0 })], declared, shared);
    expect(published[0]?.referrals).toBe(0);
  });

  it("a 0 where the source has no data (null: none of the area's PCNs had onboarded) is a different count: stops", () => {
    // Both documents say "no data" the same way (workforce.sql's people_referred is NULL where rollout.sql's is: review
    // 7, M11), so a 0 beside the source's NULL is a query out of step, not a reading to paper over (the special case
    // that published it as null until the SQL was fixed). Nulls on both sides are no count and are left alone.
    const source = doc('rollout', [pcnYear('U4', { referrals: null }), pcnYear('U5', { referrals: null })]);
    const from = { ...shared, documentOf: (n: string) => (n === 'rollout' ? source : undefined) };
    const zero = [pcnYear('U4', { referrals: 0 })];
    expect(() => publishSameAs('workforce', zero, [pcnYear('U4', { referrals: 0 })], declared, from)).toThrow(
      'workforce row pcn|U4|fy|2025/26| field referrals: not the same count as rollout.referrals (declared sameAs)',
    );
    const none = [pcnYear('U5', { referrals: null })];
    publishSameAs('workforce', none, [pcnYear('U5', { referrals: null })], declared, from);
    expect(none[0]?.referrals).toBeNull();
  });

  it('stops the refresh when the counts cannot be the same (13 rounds to 15, the source shows 10)', () => {
    const published = [pcnYear('U2', { referrals: 15 })];
    expect(() =>
      publishSameAs('pcn_comparison', published, [pcnYear('U2', { referrals: 13 })], declared, shared),
    ).toThrow(
      'pcn_comparison row pcn|U2|fy|2025/26| field referrals: not the same count as rollout.referrals (declared sameAs)',
    );
  });

  it('stops when the source is not built yet', () => {
    expect(() => publishSameAs('pcn_comparison', [], [], declared, { ...shared, documentOf: () => undefined })).toThrow(
      'pcn_comparison: shares counts with rollout, which must be built before it',
    );
  });
});

describe('auditPcnGroups: quintile rows against the PCN rows they add up', () => {
  // Three PCNs in quintile 1 (ICB QAA, region Y56), one in quintile 2.
  const icbOf: Record<string, string> = { U1: 'QAA', U2: 'QAA', U3: 'QAA', U4: 'QAA' };
  const shared = (pcns: Row[]): SharedContext => ({
    documentOf: () => doc('rollout', pcns),
    parentOf: (r) => (r.level === 'pcn' ? [icbOf[String(r.code)] as string] : r.level === 'icb' ? ['Y56'] : []),
    pcnGroups: {
      q: new Map([
        ['U1', '1'],
        ['U2', '1'],
        ['U3', '1'],
        ['U4', '2'],
      ]),
    },
    pcnCodes: ['U1', 'U2', 'U3', 'U4'],
  });
  const groups = {
    rows: (r: Row) => r.dimension === 'q',
    membership: 'q',
    groupColumn: 'group',
    sums: [{ document: 'rollout', columns: { people: 'people' } }],
  };
  const cell = (level: string, code: string, group: string, people: unknown): Row => ({
    level,
    code,
    period_type: 'fy',
    period: '2025/26',
    dimension: 'q',
    group,
    people: people as number,
  });

  it('England q1 15 over 10, 10, *: the * pinned, so every quintile row of the year loses its count', () => {
    const rows = [cell('national', 'ENG', '1', 15), cell('national', 'ENG', '2', 20), cell('region', 'Y56', '1', 15)];
    auditPcnGroups(
      rows,
      groups,
      shared([
        pcnYear('U1', { people: '*' }),
        pcnYear('U2', { people: 10 }),
        pcnYear('U3', { people: 10 }),
        pcnYear('U4', { people: 20 }),
      ]),
    );
    expect(rows.map((r) => r.people)).toEqual(['*', '*', '*']);
  });

  it('England q1 20 over 10, 10, *: the * is 1..6, nothing withheld', () => {
    const rows = [cell('national', 'ENG', '1', 20), cell('national', 'ENG', '2', 20)];
    auditPcnGroups(
      rows,
      groups,
      shared([
        pcnYear('U1', { people: '*' }),
        pcnYear('U2', { people: 10 }),
        pcnYear('U3', { people: 10 }),
        pcnYear('U4', { people: 20 }),
      ]),
    );
    expect(rows.map((r) => r.people)).toEqual([20, 20]);
  });
});

describe("auditCoveredShare: England's figures over a group of PCNs, withheld where the PCNs left out are recovered", () => {
  // England 2025/26: people referred 52, of which the PCNs covered (P1 30, P2 10: sent a snapshot) hold 40, so the
  // PCNs left out hold exactly 52 - 40 = 12 people, which a reader of England's figures is taken to know.
  const share: CoveredShare = {
    document: 'rollout',
    column: 'people_referred',
    covered: (r) => r.period_type === 'fy' && r.people_referred !== null,
    count: 'caseload_people',
    total: 'people_referred',
    outside: ['pcns_referring_without_snapshot'],
    figures: ['caseload_covered', 'caseload_coverage_pct'],
  };
  const england = (): Row => ({
    level: 'national',
    code: 'ENG',
    period_type: 'fy',
    period: '2025/26',
    people_referred: 52,
    caseload_people: 40,
    caseload_covered: 7.27,
    caseload_coverage_pct: 76.9,
  });
  const exact = [england(), pcnYear('P1', { people_referred: 30 }), pcnYear('P2', { people_referred: 10 })];
  const run = (outside: Row[]) => {
    const rollout = doc('rollout', [
      pcnYear('P1', { people_referred: 30 }),
      pcnYear('P2', { people_referred: 10 }),
      // A PCN not onboarded (no data) holds nobody.
      pcnYear('P9', { people_referred: null }),
      ...outside,
    ]);
    const published = [england(), pcnYear('P1', { people_referred: 30, caseload_people: null })];
    auditCoveredShare(published, exact, share, {
      documentOf: (n) => (n === 'rollout' ? rollout : undefined),
      parentOf: () => [],
    });
    return published;
  };

  it('one PCN left out (P3, published 10: 8 to 12): the 12 is its exact count, so the figures are withheld', () => {
    const [row, pcn] = run([pcnYear('P3', { people_referred: 10 })]);
    expect(row).toEqual({
      level: 'national',
      code: 'ENG',
      period_type: 'fy',
      period: '2025/26',
      people_referred: 52,
      caseload_covered: null,
      caseload_coverage_pct: null,
    });
    // The group's count is never published, on any row.
    expect(pcn && 'caseload_people' in pcn).toBe(false);
  });

  it('P3 10 (8..12) and P4 * (1..7) left out, 12: P3 12 - 7 = 5 .. 11 (8..11), P4 0 .. 4 (1..4): not pinned, shown', () => {
    const [row] = run([pcnYear('P3', { people_referred: 10 }), pcnYear('P4', { people_referred: '*' })]);
    expect([row?.caseload_covered, row?.caseload_coverage_pct, row && 'caseload_people' in row]).toEqual([
      7.27,
      76.9,
      false,
    ]);
  });

  it('P3 10 (8..12) and P4 * (1..7) holding 9 between them: P3 is 9 - 1 = 8 at most, so 8: withheld', () => {
    const nine = exact.map((r) => (r.level === 'national' ? { ...r, people_referred: 49 } : r));
    const rollout = doc('rollout', [
      pcnYear('P1', { people_referred: 30 }),
      pcnYear('P2', { people_referred: 10 }),
      pcnYear('P3', { people_referred: 10 }),
      pcnYear('P4', { people_referred: '*' }),
    ]);
    const published: Row[] = [{ ...england(), people_referred: 49 }];
    auditCoveredShare(published, nine, share, { documentOf: () => rollout, parentOf: () => [] });
    expect([published[0]?.caseload_covered, published[0]?.caseload_coverage_pct]).toEqual([null, null]);
  });

  it('a year whose PCN rows the source withholds: shown unless the PCNs left out are one, whose 12 it would be', () => {
    const rollout = doc('rollout', [{ level: 'national', code: 'ENG', period_type: 'fy', period: '2025/26' }]);
    const withOutside = (n: number) =>
      exact.map((r) => (r.level === 'national' ? { ...r, pcns_referring_without_snapshot: n } : r));
    const two = [england()];
    auditCoveredShare(two, withOutside(2), share, { documentOf: () => rollout, parentOf: () => [] });
    expect(two[0]?.caseload_covered).toBe(7.27);
    const one = [england()];
    auditCoveredShare(one, withOutside(1), share, { documentOf: () => rollout, parentOf: () => [] });
    expect([one[0]?.caseload_covered, one[0]?.caseload_coverage_pct]).toEqual([null, null]);
  });

  it('every PCN that referred people covered: nothing left out, shown', () => {
    const [row] = run([pcnYear('P5', { people_referred: 0 })]);
    expect(row?.caseload_covered).toBe(7.27);
  });
});
