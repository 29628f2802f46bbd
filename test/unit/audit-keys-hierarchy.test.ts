import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import {
  type AreaHierarchy,
  type AuditSpec,
  areasWithin,
  auditKeys,
  buildAuditSystem,
  TupleNumbers,
} from '../../functions/refresh/disclosure-audit.ts';

/*
 * The family keys of areas numbered by their parts (auditKeys with areasWithin's hierarchy, issue 17) against the keys
 * as texts, as refresh.ts's controlDocument made them before (below, `textAreas`): the same numbers, texts and so the
 * same families of areas (partOf, totalOf), on random documents. The parts are drawn so that texts can meet where the
 * parts differ: a `|` inside a code, a period or a key's value, null beside '' and undefined, 1 beside '1'.
 */

/** The family keys as refresh.ts made them before areasWithin: [area, period_type, period, ...keys].join('|'). */
function textAreas({ parentOf, keys }: AreaHierarchy): AuditSpec['areas'] {
  const keyPart = (value: unknown) => (value === null || value === undefined ? '' : String(value));
  const family = (area: unknown, row: Row) => {
    let key = `${keyPart(area)}|${keyPart(row.period_type)}|${keyPart(row.period)}`;
    for (const k of keys) key += `|${keyPart(row[k])}`;
    return key;
  };
  return {
    partOf: (row: Row) => parentOf(row).map((parent) => family(parent, row)),
    totalOf: (row: Row) => family(row.code, row),
  };
}

// Every part (codes, periods, keys' values) from one small set of texts with `|` in some, so that the texts of
// different parts meet: ('a|b', 'a', 'b') and ('a', 'b|a', 'b') are both `a|b|a|b`.
const TEXTS = ['a', 'b', 'a|b', 'b|a', '|', ''];
const PART = fc.constantFrom<unknown>(...TEXTS, null, undefined, 1, '1', true, 'true');
const KEY_COLUMNS = ['source', 'band'];

const documents = fc
  .record({
    keys: fc.subarray(KEY_COLUMNS),
    // Each code's parent codes (a moved PCN: two), the same for every row of the code.
    parents: fc.dictionary(fc.constantFrom(...TEXTS), fc.array(fc.constantFrom(...TEXTS), { maxLength: 2 })),
    rows: fc.array(
      fc.record({
        code: PART,
        period_type: PART,
        period: PART,
        source: PART,
        band: PART,
        episodes: fc.nat(20),
      }),
      { maxLength: 40 },
    ),
  })
  .map(({ keys, parents, rows }) => ({
    hierarchy: {
      parentOf: (row: Row): readonly string[] => parents[String(row.code)] ?? [],
      keys,
    },
    rows: rows as Row[],
  }));

describe('tuples of texts numbered by their parts (TupleNumbers)', () => {
  it('numbers them as their texts joined by | are numbered, in the order first met', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 4 })
          .chain((width) =>
            fc.array(fc.array(fc.constantFrom(...TEXTS), { minLength: width, maxLength: width }), { maxLength: 30 }),
          ),
        (tuples) => {
          // Prepare: each text's number, in the order first met.
          const byText = new Map<string, number>();
          const expected = tuples.map((tuple) => {
            const text = tuple.join('|');
            if (!byText.has(text)) byText.set(text, byText.size);
            return byText.get(text);
          });
          // Act
          const numbers = new TupleNumbers(tuples[0]?.length ?? 1);
          const got = tuples.map((tuple) => {
            tuple.forEach((part, i) => {
              numbers.parts[i] = part;
            });
            return numbers.number();
          });
          // Assess
          expect(got).toEqual(expected);
          expect(numbers.texts).toEqual([...byText.keys()]);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('the family keys of areas numbered by their parts (auditKeys with a hierarchy)', () => {
  it('gives the numbers and texts the keys as texts give, on random documents', () => {
    fc.assert(
      fc.property(documents, ({ hierarchy, rows }) => {
        // Act
        const byParts = auditKeys(rows, areasWithin(hierarchy));
        const byText = auditKeys(rows, textAreas(hierarchy));
        // Assess: the same keys, numbered alike; so each row is the total and a part of the same families.
        expect(byParts.texts).toEqual(byText.texts);
        expect(Array.from(byParts.totalOf)).toEqual(Array.from(byText.totalOf));
        expect(byParts.partOf.map((parts) => [...parts])).toEqual(byText.partOf);
      }),
      { numRuns: 2000 },
    );
  });

  it("gives areasWithin's texts the keys as texts give", () => {
    fc.assert(
      fc.property(documents, ({ hierarchy, rows }) => {
        const within = areasWithin(hierarchy);
        const text = textAreas(hierarchy);
        for (const row of rows) {
          expect(within.totalOf(row)).toBe(text.totalOf(row));
          expect(within.partOf(row)).toEqual(text.partOf(row));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('builds the same families of areas into the audit system (England, a region, its ICBs, a moved PCN)', () => {
    // Prepare: U9 moved from QAA to QBB within 2024/25, so a part of both; the months of Y56 a family of their own.
    const PARENTS: Record<string, readonly string[]> = {
      Y56: ['ENG'],
      QAA: ['Y56'],
      QBB: ['Y56'],
      U1: ['QAA'],
      U9: ['QAA', 'QBB'],
    };
    const hierarchy: AreaHierarchy = { parentOf: (row) => PARENTS[String(row.code)] ?? [], keys: ['source'] };
    const counts: [string, string, string, number][] = [
      ['ENG', 'fy', '2024/25', 40],
      ['Y56', 'fy', '2024/25', 40],
      ['QAA', 'fy', '2024/25', 20],
      ['QBB', 'fy', '2024/25', 20],
      ['U1', 'fy', '2024/25', 10],
      ['U9', 'fy', '2024/25', 15],
      ['ENG', 'month', '2024-04', 12],
      ['Y56', 'month', '2024-04', 12],
    ];
    const rows: Row[] = counts.map(([code, period_type, period, episodes]) => ({
      code,
      period_type,
      period,
      source: 'gp',
      episodes,
    }));
    const spec = (areas: AuditSpec['areas']): AuditSpec => ({ columns: ['episodes'], areas });
    // Act
    const byParts = buildAuditSystem(rows, spec(areasWithin(hierarchy))).areaFamilies;
    const byText = buildAuditSystem(rows, spec(textAreas(hierarchy))).areaFamilies;
    // Assess: the families by key, in the order first met: each total with its parts; U9 a part of QAA and QBB.
    const fy = '|fy|2024/25|gp';
    expect(byParts.families).toEqual([
      [`ENG${fy}`, { total: 0, parts: [1] }],
      [`Y56${fy}`, { total: 1, parts: [2, 3] }],
      [`QAA${fy}`, { total: 2, parts: [4, 5] }],
      [`QBB${fy}`, { total: 3, parts: [5] }],
      ['ENG|month|2024-04|gp', { total: 6, parts: [7] }],
    ]);
    expect(Array.from(byParts.memberships)).toEqual([0, 1, 1, 1, 1, 2, 0, 1]);
    expect(byParts).toEqual(byText);
  });
});
