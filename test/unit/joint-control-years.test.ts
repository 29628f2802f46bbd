import { describe, expect, it } from 'vitest';
import { SUPPRESSED } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import {
  applyDisclosureControl,
  type DisclosureRules,
  joinedColumns,
  rulesWithin,
} from '../../functions/refresh/disclosure.ts';
import {
  type Controlled,
  controlAgainByYear,
  imposedColumns,
  JointCellIds,
  type JointCount,
} from '../../functions/refresh/shared-counts.ts';

/*
 * Joint control's later rounds made again only where they can differ (shared-counts.ts, controlAgainByYear): the
 * years whose imposed cells changed, and within them the columns joined to the shared one. Each answer must be the
 * document controlled whole with the same cells imposed.
 */

const joint: JointCount[] = [
  {
    name: 'referrals',
    key: ['level', 'code', 'period_type', 'period'],
    cells: [{ document: 'doc', column: 'referrals' }],
  },
];

/** An ICB (I) of three PCNs; each row's family is its ICB's in its period (areas within areas, no England). */
const rules: DisclosureRules = {
  counts: ['referrals', 'declines'],
  areas: {
    partOf: (row) => (row.level === 'pcn' ? [`I|${row.period_type}|${row.period}`] : []),
    totalOf: (row) => `${row.code}|${row.period_type}|${row.period}`,
  },
  periodKeys: [],
};

const row = (level: string, code: string, period: string, referrals: number, declines: number): Row => ({
  level,
  code,
  period_type: 'fy',
  period,
  referrals,
  declines,
});

// Two years alike: PCNs 20, 30, 40 referrals (ICB 90) and 3, 12, 15 declines (ICB 30).
const year = (period: string) => [
  row('icb', 'I', period, 90, 30),
  row('pcn', 'P1', period, 20, 3),
  row('pcn', 'P2', period, 30, 12),
  row('pcn', 'P3', period, 40, 15),
];
const rows = [...year('2024/25'), ...year('2025/26')];

const control = (
  some: readonly Row[],
  within: DisclosureRules | undefined,
  imposed: ReadonlySet<string>,
): Controlled => ({
  exact: some,
  published: applyDisclosureControl(some, within ?? rules, imposedColumns('doc', joint, imposed, new JointCellIds())),
});

describe('controlAgainByYear', () => {
  it('controls again only the year and column whose imposed cells changed, equal to controlling whole', () => {
    const calls: { rows: number; counts: readonly string[] }[] = [];
    const again = controlAgainByYear('doc', rows, rules, [], joint, new JointCellIds(), (some, within, imposed) => {
      calls.push({ rows: some.length, counts: (within ?? rules).counts });
      return control(some, within, imposed);
    });
    const first = again(new Set());
    // Declines: P1's 3 is `*`, so the next smallest part, P2's 12 (10), goes too, in each year; referrals all shown.
    expect(first.published.map((r) => [r.code, r.referrals, r.declines])).toEqual([
      ['I', 90, 30],
      ['P1', 20, SUPPRESSED],
      ['P2', 30, SUPPRESSED],
      ['P3', 40, 15],
      ['I', 90, 30],
      ['P1', 20, SUPPRESSED],
      ['P2', 30, SUPPRESSED],
      ['P3', 40, 15],
    ]);
    // P1's referrals of 2025/26 imposed: `*`, and the next smallest part, P2's 30, with it; 2024/25 is as it was.
    const imposed = new Set(['referrals|pcn|P1|fy|2025/26|']);
    const second = again(imposed);
    expect(second.published.map((r) => [r.code, r.period, r.referrals, r.declines])).toEqual([
      ['I', '2024/25', 90, 30],
      ['P1', '2024/25', 20, SUPPRESSED],
      ['P2', '2024/25', 30, SUPPRESSED],
      ['P3', '2024/25', 40, 15],
      ['I', '2025/26', 90, 30],
      ['P1', '2025/26', SUPPRESSED, SUPPRESSED],
      ['P2', '2025/26', SUPPRESSED, SUPPRESSED],
      ['P3', '2025/26', 40, 15],
    ]);
    expect(second.published).toEqual(control(rows, undefined, imposed).published);
    // The whole document first, each year on its own; then 2025/26's four rows, its referrals alone (declines are not
    // joined to them).
    expect(calls).toEqual([
      { rows: 4, counts: ['referrals', 'declines'] },
      { rows: 4, counts: ['referrals', 'declines'] },
      { rows: 4, counts: ['referrals'] },
    ]);
    // 2024/25's rows are those published before, not made again.
    for (let i = 0; i < 4; i++) expect(second.published[i]).toBe(first.published[i]);
    // Nothing newly imposed: the same result, no control.
    expect(again(imposed)).toBe(second);
    expect(calls).toHaveLength(3);
  });

  it('controls a year whole where a row of it is withheld', () => {
    // The control given withholds a year's PCN rows (as the audit would): its columns cannot be made again alone.
    const withholding = (some: readonly Row[], within: DisclosureRules | undefined, imposed: ReadonlySet<string>) => {
      const { exact, published } = control(some, within, imposed);
      return {
        exact,
        published: published.filter((r) => !(r.period === '2025/26' && r.level === 'pcn' && imposed.size > 0)),
      };
    };
    const calls: (readonly string[])[] = [];
    const again = controlAgainByYear('doc', rows, rules, [], joint, new JointCellIds(), (some, within, imposed) => {
      calls.push((within ?? rules).counts);
      return withholding(some, within, imposed);
    });
    again(new Set());
    const second = again(new Set(['referrals|pcn|P1|fy|2025/26|']));
    // Each year whole first; the columns alone (their rows withheld now), then the year whole; its PCN rows left out.
    expect(calls).toEqual([
      ['referrals', 'declines'],
      ['referrals', 'declines'],
      ['referrals'],
      ['referrals', 'declines'],
    ]);
    expect(second.published.map((r) => `${r.code} ${r.period}`)).toEqual([
      'I 2024/25',
      'P1 2024/25',
      'P2 2024/25',
      'P3 2024/25',
      'I 2025/26',
    ]);
  });
});

describe('joinedColumns', () => {
  it('joins a group within a row, figures describing a count, and a mean with its count', () => {
    const joined = joinedColumns(
      {
        counts: ['referrals', 'source_gp', 'source_self', 'declines', 'people'],
        groups: [{ total: 'referrals', parts: ['source_gp', 'source_self'] }],
        describing: [{ counts: ['source_gp'], columns: ['practices'] }],
        means: [{ column: 'score', contributors: 'people' }],
      },
      ['referrals'],
    );
    expect([...(joined ?? [])].sort()).toEqual(['practices', 'referrals', 'source_gp', 'source_self']);
  });

  it('gives the rules of those columns alone', () => {
    const within = rulesWithin(
      {
        counts: ['referrals', 'source_gp', 'declines'],
        groups: [{ total: 'referrals', parts: ['source_gp'] }],
        monthly: ['referrals', 'declines'],
      },
      new Set(['referrals', 'source_gp']),
    );
    expect(within).toEqual({
      counts: ['referrals', 'source_gp'],
      groups: [{ total: 'referrals', parts: ['source_gp'] }],
      monthly: ['referrals'],
    });
  });

  it('leaves a document whole where its rules join rows otherwise, or months that the columns are not of', () => {
    expect(joinedColumns({ counts: ['a'], siblings: [() => 'x'] }, ['a'])).toBeUndefined();
    expect(joinedColumns({ counts: ['a', 'b'], monthly: ['b'] }, ['a'])).toBeUndefined();
  });
});
