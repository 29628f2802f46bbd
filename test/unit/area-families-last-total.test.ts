import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import {
  type AreaHierarchy,
  type AuditSpec,
  areasWithin,
  buildAuditSystem,
  readerDisclosures,
  variableOf,
} from '../../functions/refresh/disclosure-audit.ts';

/*
 * A family of areas whose key is the total of more than one row (review 41, R41-2): the audit system takes the LAST
 * such row as the family's total, as it always has (main before session 36: `families[own][1].total = i`, by text, in
 * one pass over the rows). Nothing else held that rule: keeping the first row instead passed every test.
 */

/** The families as main's areaFamilies made them by text: in the order first met, the last total row, every part. */
function familiesByText(rows: readonly Row[], areas: AuditSpec['areas']) {
  const byKey = new Map<string, { total: number; parts: number[] }>();
  const family = (key: string) => {
    let f = byKey.get(key);
    if (f === undefined) {
      f = { total: -1, parts: [] };
      byKey.set(key, f);
    }
    return f;
  };
  const memberships = rows.map((row, i) => {
    family(areas.totalOf(row)).total = i;
    const parts = areas.partOf(row);
    for (const key of parts) family(key).parts.push(i);
    return parts.length;
  });
  return {
    families: [...byKey].filter(([, f]) => f.total >= 0 && f.parts.length > 0),
    memberships,
  };
}

// England over two regions (England's figures are exact, a region's 0 too; others are read as rounded).
const PARENTS: Record<string, readonly string[]> = { Y56: ['ENG'], Y57: ['ENG'] };
const hierarchy: AreaHierarchy = { parentOf: (row) => PARENTS[String(row.code)] ?? [], keys: ['source'] };
const spec: AuditSpec = { columns: ['episodes'], areas: areasWithin(hierarchy) };

describe('a family of areas with two total rows (areaFamiliesOf)', () => {
  // Prepare: England's key met first as a part (Y56's row), then as the total of two rows, 30 and then 4.
  const row = (code: string, episodes: number | string): Row => ({
    level: code === 'ENG' ? 'national' : 'region',
    code,
    period_type: 'fy',
    period: '2024/25',
    source: 'gp',
    episodes,
  });
  const rows = [row('Y56', '*'), row('ENG', 30), row('Y57', 0), row('ENG', 4)];

  it("takes the last row with the family's key as its total, the parts in their order", () => {
    // Act
    const system = buildAuditSystem(rows, spec);
    // Assess: one family (the regions' keys have no parts), its total row 3, not 1.
    expect(system.areaFamilies.families).toEqual([['ENG|fy|2024/25|gp', { total: 3, parts: [0, 2] }]]);
    expect(Array.from(system.areaFamilies.memberships)).toEqual([1, 0, 1, 0]);
    // Its one equation: row 3's cell = row 0's + row 2's (the total first).
    const v = (r: number) => variableOf(system, r, 'episodes');
    expect(Array.from(system.equationStart)).toEqual([0, 3]);
    expect(Array.from(system.equationVariables)).toEqual([v(3), v(0), v(2)]);
  });

  it("reads the region's `*` from the last total: 4 - 0 = 4, disclosed", () => {
    // Act
    const system = buildAuditSystem(rows, spec);
    const component = system.componentOf[variableOf(system, 0, 'episodes')] as number;
    const found = readerDisclosures(system, component);
    // Assess: Y56's `*` is 4 (from the first total, 30 - 0 = 30, it would not be 0 to 7).
    expect(found).toEqual([
      { variable: variableOf(system, 0, 'episodes'), cell: { row: rows[0], column: 'episodes' }, value: 4 },
    ]);
  });
});

// Few codes and keys, so that keys repeat as totals and are met first as parts.
const CODES = ['ENG', 'Y56', 'QAA', 'QBB', 'U1'];
const randomRows = fc.array(
  fc.record({
    code: fc.constantFrom(...CODES),
    period_type: fc.constant('fy'),
    period: fc.constantFrom('2024/25', '2025/26'),
    source: fc.constantFrom('gp', 'self', null),
    episodes: fc.oneof(fc.nat(40), fc.constant<number | string>('*')),
  }),
  { minLength: 4, maxLength: 30 },
);
// Each code's parents, the same for every row of the code (U1 moved: a part of two ICBs; QBB given Y56 twice).
const RANDOM_PARENTS: Record<string, readonly string[]> = {
  Y56: ['ENG'],
  QAA: ['Y56'],
  QBB: ['Y56', 'Y56'],
  U1: ['QAA', 'QBB'],
};

describe('families of areas on random rows with repeated keys', () => {
  it('are those made by text in one pass (the last total row of each key), by hierarchy and by texts', () => {
    const randomHierarchy: AreaHierarchy = {
      parentOf: (row) => RANDOM_PARENTS[String(row.code)] ?? [],
      keys: ['source'],
    };
    const within = areasWithin(randomHierarchy);
    const texts: AuditSpec['areas'] = { partOf: within.partOf, totalOf: within.totalOf };
    let repeatedTotals = 0;
    fc.assert(
      fc.property(randomRows, (generated) => {
        const rows = generated as Row[];
        // Prepare
        const expected = familiesByText(rows, texts);
        const totals = new Map<string, number>();
        for (const r of rows) totals.set(texts.totalOf(r), (totals.get(texts.totalOf(r)) ?? 0) + 1);
        if (expected.families.some(([key]) => (totals.get(key) as number) > 1)) repeatedTotals++;
        for (const areas of [within, texts]) {
          // Act
          const { families, memberships } = buildAuditSystem(rows, { columns: ['episodes'], areas }).areaFamilies;
          // Assess
          expect(families).toEqual(expected.families);
          expect(Array.from(memberships)).toEqual(expected.memberships);
        }
      }),
      { numRuns: 500, seed: 412 },
    );
    // The case held: many row sets had a family with two or more total rows.
    expect(repeatedTotals).toBeGreaterThan(100);
  });
});
