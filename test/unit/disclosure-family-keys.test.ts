import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import { applyDisclosureControl, areaFamilyKeys } from '../../functions/refresh/disclosure.ts';

// Issue 17: a document controlled again (joint control's later rounds, controlPartitioned's rounds) keys its rows'
// areas' families once, remembered by row, and the keys are those refresh.ts made before.
describe('areas family keys remembered by row', () => {
  const parents: Record<string, readonly string[]> = { R1: ['ENG'], R2: ['ENG'], Q1: ['R1'], P1: ['Q1'], P2: ['Q1'] };
  let asked = 0;
  const parentOf = (row: Row): readonly string[] => {
    asked++;
    return parents[String(row.code)] ?? [];
  };
  const keys = ['service'];
  const row = (level: string, code: string, referrals: number): Row => ({
    level,
    code,
    period_type: 'month',
    period: '2025-04',
    service: 'walk',
    referrals,
  });

  it('names a row by [area, period_type, period, ...keys], its parents and its own', () => {
    const areas = areaFamilyKeys(keys, parentOf);
    const pcn = row('pcn', 'P1', 3);
    expect(areas.partOf(pcn)).toEqual(['Q1|month|2025-04|walk']);
    expect(areas.totalOf(pcn)).toBe('P1|month|2025-04|walk');
    expect(areas.partOf({ ...pcn, service: null })).toEqual(['Q1|month|2025-04|']);
    // One object per parent finder and keys: the same for every control of a document.
    expect(areaFamilyKeys(keys, parentOf)).toBe(areas);
    expect(areaFamilyKeys(['other'], parentOf)).not.toBe(areas);
  });

  it('asks for a row parents once however often its document is controlled', () => {
    const rows = [
      row('national', 'ENG', 100),
      row('region', 'R1', 40),
      row('region', 'R2', 60),
      row('icb', 'Q1', 40),
      row('pcn', 'P1', 3),
      row('pcn', 'P2', 37),
    ];
    const rules = {
      counts: ['referrals'],
      areas: areaFamilyKeys(['service', 'again'], parentOf),
      periodKeys: ['service'],
    };
    asked = 0;
    const first = applyDisclosureControl(rows, rules);
    const once = asked;
    const second = applyDisclosureControl(rows, rules);
    // Six rows, each asked once (England's too: it is a part of nothing, but asked); not again the second time.
    expect(once).toBe(6);
    expect(asked).toBe(6);
    expect(second).toEqual(first);
    // P1's 3 is `*` and P2's 37, the only other part of Q1, goes with it (secondary suppression).
    expect(first.map((r) => r.referrals)).toEqual([100, 40, 60, 40, '*', '*']);
  });
});
