import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import {
  type AuditSpec,
  buildAuditSystem,
  nearestFinder,
  nearestVariable,
} from '../../functions/refresh/disclosure-audit.ts';

/*
 * nearestFinder (issue 17: the publisher's searches of a round from every cell a reader recovers, made at once) against
 * nearestVariable searched from each: the same variable for every start, score (and a narrower score within it) and
 * equations skipped, on random documents of areas within areas, months within their year and columns within a row's
 * total.
 */
const MONTHS = ['2025-04', '2025-05', '2025-06', '2025-07'];
const COLUMNS = ['total', 'a', 'b', 'c'];

interface Shape {
  /** Per region, per ICB, how many PCNs. */
  readonly regions: readonly (readonly number[])[];
  /** Per row in the order made: each figure's published value (cycled). */
  readonly figures: readonly (number | '*')[];
}

/** Rows of England, its regions, ICBs and PCNs for each month and the year, with `figures` as published values. */
function rowsOf(shape: Shape): { rows: Row[]; spec: AuditSpec } {
  const parents = new Map<string, string>();
  const codes: [string, string][] = [['E', 'national']];
  shape.regions.forEach((icbs, r) => {
    codes.push([`R${r}`, 'region']);
    parents.set(`R${r}`, 'E');
    icbs.forEach((pcns, i) => {
      codes.push([`I${r}.${i}`, 'icb']);
      parents.set(`I${r}.${i}`, `R${r}`);
      for (let p = 0; p < pcns; p++) {
        codes.push([`P${r}.${i}.${p}`, 'pcn']);
        parents.set(`P${r}.${i}.${p}`, `I${r}.${i}`);
      }
    });
  });
  let at = 0;
  const next = () => shape.figures[at++ % shape.figures.length] as number | '*';
  const rows: Row[] = [];
  for (const period of [...MONTHS, '2025/26'])
    for (const [code, level] of codes)
      rows.push({
        level,
        code,
        period_type: period.includes('/') ? 'fy' : 'month',
        period,
        ...Object.fromEntries(COLUMNS.map((c) => [c, next()])),
      });
  const spec: AuditSpec = {
    columns: COLUMNS,
    groups: [{ total: 'total', parts: ['a', 'b', 'c'] }],
    areas: {
      partOf: (row) => {
        const parent = parents.get(String(row.code));
        return parent === undefined ? [] : [`${parent}|${row.period}`];
      },
      totalOf: (row) => `${row.code}|${row.period}`,
    },
    months: { columns: COLUMNS, keys: [] },
  };
  return { rows, spec };
}

type Finder = ReturnType<typeof nearestFinder>;

const figure = fc.oneof(
  { arbitrary: fc.constant<'*'>('*'), weight: 2 },
  { arbitrary: fc.constant(0), weight: 1 },
  { arbitrary: fc.integer({ min: 2, max: 8 }).map((k) => 5 * k), weight: 2 },
);
const shapes = fc.record({
  regions: fc.array(fc.array(fc.nat({ max: 4 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
  figures: fc.array(figure, { minLength: 1, maxLength: 40 }),
});

describe('nearestFinder: the searches of a round at once (issue 17)', () => {
  it('finds what nearestVariable finds from each start, with scores, ties and skipped equations at random', () => {
    let compared = 0;
    let fromLabels = 0;
    let none = 0;
    let narrower = 0;
    fc.assert(
      fc.property(
        shapes,
        // Per variable (cycled): no score (-1) or a score of 0 to 3 (ties are many).
        fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 1, maxLength: 50 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }),
        fc.nat({ max: 1_000 }),
        (shape, scoreCycle, skipCycle, shift) => {
          const { rows, spec } = rowsOf(shape);
          const system = buildAuditSystem(rows, spec);
          const scoreOf = (variable: number) => {
            const s = scoreCycle[(variable + shift) % scoreCycle.length] as number;
            return s < 0 ? undefined : s;
          };
          // Three finders of different scores at once, as protectComponent's round has them, each by its own slot.
          const scores = [
            scoreOf,
            (v: number) => (scoreOf(v) === undefined ? 1 : undefined),
            (v: number) => (v % 7 === shift % 7 ? 0 : undefined),
          ];
          // Within scoreOf: its score where given, on some of its variables only.
          const within = (v: number) => ((v * 31 + shift) % 4 === 0 ? undefined : scoreOf(v));
          for (const [c, { variables, equations }] of system.components.entries()) {
            // Equations skipped (a piece without some of them), the same for every search of the round.
            const skip =
              c % 2 === 0 ? undefined : [...equations].filter((_, k) => skipCycle[k % skipCycle.length] === true);
            const finders = scores.map((score, slot) => nearestFinder(system, score, skip, slot));
            const starts = [...variables].sort((a, b) => ((a * 7919 + shift) % 101) - ((b * 7919 + shift) % 101));
            for (const from of starts) {
              for (const [slot, score] of scores.entries()) {
                const expected = nearestVariable(system, from, score, skip);
                expect((finders[slot] as Finder)(from)).toBe(expected);
                compared++;
                if (expected === undefined) none++;
              }
              // A narrower score asked of the first finder (as the unsealing counts within the counts).
              const expected = nearestVariable(system, from, within, skip);
              expect((finders[0] as Finder)(from, within)).toBe(expected);
              compared++;
              if (expected !== undefined && expected !== nearestVariable(system, from, scoreOf, skip)) narrower++;
            }
            fromLabels += Math.max(0, starts.length - 2) * scores.length;
          }
          // A finder whose arrays a later one of its slot took searches alone, with the same answers.
          const [first] = system.components;
          if (first !== undefined) {
            const stale = nearestFinder(system, scoreOf, undefined, 0);
            const later = nearestFinder(system, scores[1] as (v: number) => number | undefined, undefined, 0);
            for (const from of first.variables) {
              expect(stale(from)).toBe(nearestVariable(system, from, scoreOf));
              expect(later(from)).toBe(nearestVariable(system, from, scores[1] as (v: number) => number | undefined));
              compared += 2;
            }
          }
        },
      ),
      { numRuns: 200, seed: 20261207 },
    );
    // Most answers came from the search at once, some of them none (no scored variable reached).
    expect(compared).toBeGreaterThan(50_000);
    expect(fromLabels).toBeGreaterThan(40_000);
    expect(none).toBeGreaterThan(100);
    // The narrower score's nearest was often not the wider one's (the search then made alone).
    expect(narrower).toBeGreaterThan(1_000);
  });
});
