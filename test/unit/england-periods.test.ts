import { describe, expect, it } from 'vitest';
import type { MetricDefinition } from '../../functions/refresh/catalogue.ts';
import { periodsMadeByFew } from '../../functions/refresh/revisions.ts';

/**
 * England's cell of a row as the revisions collect it: each count's contributions by PCN (3 PCNs), keyed `id`; its
 * period type read from the period (2025/26 a financial year), its keys none and its England row none unless given.
 */
const englandCell = (
  id: string,
  period: string,
  contributions: Readonly<Record<string, number[]>>,
  { keyId = '', england = null as { level: string; code: string } | null } = {},
) => ({
  id,
  period,
  periodType: period.includes('/') ? 'fy' : 'month',
  keyId,
  england,
  values: new Map<string, number>(),
  contributions: new Map(Object.entries(contributions)),
});
/** The periods of a document's cells made up by few (periodsMadeByFew over its counts, rules.counts). */
const madeByFew = (definition: MetricDefinition, ...cells: ReturnType<typeof englandCell>[]) =>
  periodsMadeByFew(
    definition,
    new Map(cells.map((c) => [c.id, c])) as unknown as Parameters<typeof periodsMadeByFew>[1],
    (definition.rules as { counts: string[] }).counts,
  );

/** A document of one count and its keys; England's cells as the revisions collect them (3 PCNs). */
const definition = { name: 'doc', rules: { counts: ['referrals', 'source_self'] } } as unknown as MetricDefinition;
const cell = (period: string, key: string, referrals: number[], self: number[] = [0, 0, 0]) =>
  englandCell(`month|${period}|${key}`, period, { referrals, source_self: self }, { keyId: `|${key}` });
const held = (...cells: ReturnType<typeof cell>[]) => madeByFew(definition, ...cells).map((p) => [p.period, p.reason]);

describe("England's periods made up by fewer than 3 PCNs or dominated by one (review 8, N5)", () => {
  it('one PCN alone: held; three PCNs with none dominating: published', () => {
    // April: U00001's 12 referrals and 2 self-referrals (14 in all), one PCN. June: 11, 20, 22: all but the two largest
    // (11) >= 10% of the largest (2.2), and 53 > 3 PCNs.
    expect(held(cell('2025-04', 'a', [12, 0, 0], [2, 0, 0]), cell('2025-06', 'a', [11, 20, 22]))).toEqual([
      ['2025-04', 'the period: fewer than 3 PCNs (1 PCN)'],
    ]);
  });

  it('three PCNs, one dominating (p% rule, p = 10): held', () => {
    // 100, 5, 4: all but the two largest, 4, < 10% of 100 (10): the second largest could estimate the largest within 10%.
    expect(held(cell('2025-07', 'a', [100, 5, 4]))).toEqual([['2025-07', 'the period: dominated by one PCN (3 PCNs)']]);
    // 100, 5, 10: 5 < 10 still; 100, 10, 10: 10 >= 10, published.
    expect(held(cell('2025-07', 'a', [100, 5, 10]))).toHaveLength(1);
    expect(held(cell('2025-07', 'a', [100, 10, 10]))).toEqual([]);
  });

  it('three PCNs of 1 each: held (each would be told the others sent exactly 1); nothing at all: nothing to hold', () => {
    expect(held(cell('2025-08', 'a', [1, 1, 1]))).toEqual([
      ['2025-08', 'the period: total no larger than the number of PCNs (3 PCNs)'],
    ]);
    expect(held(cell('2025-09', 'a', [0, 0, 0]))).toEqual([]);
  });

  it("a PCN's contribution is its counts of every row of the period: rows of one PCN each add up to three", () => {
    // Row a: U00001's 5; row b: U00002's and U00003's 5 each: by PCN 5, 5, 5 (15 > 3): published, though each row is
    // one or two PCNs' (the rule is by period: a row's own figure is England's exact figure, its rows below controlled).
    expect(held(cell('2025-10', 'a', [5, 0, 0]), cell('2025-10', 'b', [0, 5, 5]))).toEqual([]);
    // The year of April (one PCN) is tested as its own period too.
    expect(held(cell('2025/26', 'a', [12, 0, 0]))).toEqual([['2025/26', 'the period: fewer than 3 PCNs (1 PCN)']]);
  });
});

describe("a document's own counts (documentOnly) are tested apart, and hold their period in it alone (review 9)", () => {
  const staff = {
    name: 'doc',
    rules: { counts: ['people_referred', 'splw_accredited'] },
    documentOnly: ['splw_accredited'],
  } as unknown as MetricDefinition;
  const period = (people: number[], trained: number[]) =>
    madeByFew(
      staff,
      englandCell('month|2025-06', '2025-06', { people_referred: people, splw_accredited: trained }),
    ).map((p) => [p.column, p.scope, p.reason]);

  it("1 + 1 + 1 trained beside three PCNs' people referred: held in the document alone", () => {
    // People 11, 20, 22: passes (53 > 3; 11 >= 2.2). Trained 1, 1, 1: 3 is no larger than its 3 PCNs. Summed
    // (12, 21, 23) the two passed together, and each PCN's exactly 1 trained was published.
    expect(period([11, 20, 22], [1, 1, 1])).toEqual([
      ['splw_accredited', 'document', 'the period: total no larger than the number of PCNs (3 PCNs)'],
    ]);
  });
  it("one PCN's people referred: held in every document, whatever the document's own counts", () => {
    // People 40, 0, 0: one PCN. Trained 5, 5, 5 pass alone.
    expect(period([40, 0, 0], [5, 5, 5])).toEqual([
      ['people_referred', 'all', 'the period: fewer than 3 PCNs (1 PCN)'],
    ]);
    // Both made by few: held in every document (once).
    expect(period([40, 0, 0], [1, 1, 1])).toEqual([
      ['people_referred', 'all', 'the period: fewer than 3 PCNs (1 PCN)'],
    ]);
  });
  it("a count the same as another document's (sameAs) is that document's to test: its PCNs may not all be here", () => {
    // Workforce's people referred is rollout's: England's 180 people of which 30 from the one PCN with a snapshot
    // (the others' rows are rollout's) would read as that PCN's alone. Only the trained link workers are tested here.
    const shared = { ...staff, sameAs: [{ document: 'rollout', columns: { people_referred: 'people_referred' } }] };
    const year = { people_referred: [30, 0, 0], splw_accredited: [2, 2, 2] };
    const found = madeByFew(
      shared as unknown as MetricDefinition,
      englandCell('fy|2025/26', '2025/26', year, { england: { level: 'national', code: 'ENG' } }),
    );
    expect(found).toEqual([]);
    // Without England rows of its own (pcn_comparison: England the sum of the PCNs it lists) it is tested here.
    const summed = madeByFew(shared as unknown as MetricDefinition, englandCell('fy|2025/26', '2025/26', year));
    expect(summed.map((p) => [p.column, p.scope, p.reason])).toEqual([
      ['people_referred', 'all', 'the period: fewer than 3 PCNs (1 PCN)'],
    ]);
  });
  it('a document with no own counts tests them all together, as before', () => {
    expect(period([0, 0, 0], [0, 0, 0])).toEqual([]);
    expect(
      madeByFew(
        { name: 'doc', rules: { counts: ['people_referred', 'splw_accredited'] } } as unknown as MetricDefinition,
        englandCell('x', '2025-06', { people_referred: [11, 20, 22], splw_accredited: [1, 1, 1] }),
      ),
    ).toEqual([]);
  });
});
