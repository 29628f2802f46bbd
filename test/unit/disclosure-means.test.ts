import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import { CATALOGUE, DEFAULT_TARGETS } from '../../functions/refresh/catalogue.ts';
import { applyDisclosureControl, controlCount } from '../../functions/refresh/disclosure.ts';
import { buildDocument } from '../../functions/refresh/refresh.ts';

/*
 * Means below England must not say how many people they are over (docs/methodology.md, "Disclosure control").
 * Scores are whole numbers, so a mean m of n people is a whole sum S = m x n; published to 2 decimals, often only one
 * n has a whole S whose mean rounds to m, and then the rounded count (and, by differencing, a suppressed one) is
 * known.
 *
 * Worked example, ONS4 life satisfaction (0-10, whole numbers), 2025/26, ICB QAA = PCN U00001 + PCN U00002:
 *   U00001  4 people: baseline 5 5 6 4 (sum 20), follow-up 7 6 6 5 (24); changes 2 1 0 1, 3 improved (+1 or more)
 *   U00002 11 people: baseline 4 5 5 6 6 3 5 7 4 5 6 (56), follow-up 6 6 5 7 8 5 5 8 6 6 7 (69); changes sum 13,
 *           squares sum 21, 9 improved
 *   QAA    15 people (England too): baseline 76, follow-up 93, changes sum 17, squares 27, 12 improved
 * U00001's 4 is suppressed, so U00002 (11 -> 10) is suppressed beside it (secondary), and QAA shows 15.
 * Before: QAA's means 5.07 (76/15), 6.2 (93/15), 1.13 (17/15) fit 15 people and no other size from 13 to 17, and
 * U00002's, published beside its suppressed count, 5.09 (56/11), 6.27, 1.18 fit 11 and no other size from 8 to 14:
 * U00001 = 15 - 11 = 4.
 * After: U00002's means are suppressed with its count; QAA's are 5.1 and 6.2 and the change 6.2 - 5.1 = 1.1, which fit
 * every size from 13 to 17 (below).
 */
const INSTRUMENT = 'ons4_life_satisfaction';
const WELLBEING = CATALOGUE.find((m) => m.name === 'wellbeing');
if (WELLBEING === undefined) throw new Error('no wellbeing document in the catalogue');

/** A row as sql/metrics/wellbeing.sql returns it, from the sums of a group of people. */
function sqlRow(level: string, code: string, n: number, improved: number, sums: [number, number, number, number]): Row {
  const [baseline, followUp, change, squares] = sums;
  return {
    level,
    code,
    period_type: 'fy',
    period: '2025/26',
    instrument: INSTRUMENT,
    people: n,
    improved,
    pairs: n,
    threshold: 1,
    mean_baseline: baseline / n,
    mean_follow_up: followUp / n,
    mean_change: change / n,
    sd_change: Math.sqrt((squares - (change * change) / n) / (n - 1)),
  };
}

const RAW: Row[] = [
  sqlRow('national', 'ENG', 15, 12, [76, 93, 17, 27]),
  sqlRow('icb', 'QAA', 15, 12, [76, 93, 17, 27]),
  sqlRow('pcn', 'U00001', 4, 3, [20, 24, 4, 6]),
  sqlRow('pcn', 'U00002', 11, 9, [56, 69, 13, 21]),
];

function publish(): Map<string, Row> {
  const doc = buildDocument(WELLBEING as NonNullable<typeof WELLBEING>, RAW, {
    targets: DEFAULT_TARGETS,
    medianContacts: new Map(),
    generatedAt: '2026-01-05T00:00:00.000Z',
    dataAsOf: '2025-12-31',
    parentOf: (row) => (row.level === 'pcn' ? ['QAA'] : []),
  });
  return new Map(doc.rows.map((r) => [String(r.code), r as unknown as Row]));
}

const decimalsOf = (v: number) => (String(v).split('.')[1] ?? '').length;
/** Math.round to `digits`, as the refresh rounds. */
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
/** Whole sums S whose mean S / n shows as `mean` to `digits`. */
function sumsFor(mean: number, n: number, digits: number): number[] {
  const half = 0.5 * 10 ** -digits;
  const sums: number[] = [];
  for (let s = Math.floor((mean - half) * n) - 1; s <= Math.ceil((mean + half) * n) + 1; s++)
    if (round(s / n, digits) === mean) sums.push(s);
  return sums;
}

/**
 * The group sizes among `sizes` that the published means of a row fit, as an attacker would find them: whole
 * baseline and follow-up sums whose means show as published (to the decimals the row's means are published to) and,
 * where the change is a third rounded mean (`changeRounded`, as before), the mean of their difference showing as the
 * change. A change that is the difference of the two means shown says nothing more.
 */
function sizesFitting(row: Row, sizes: readonly number[], changeRounded: boolean): number[] {
  const [baseline, followUp, change] = [row.mean_baseline, row.mean_follow_up, row.mean_change];
  if (typeof baseline !== 'number' || typeof followUp !== 'number' || typeof change !== 'number') return [...sizes];
  const digits = Math.max(1, decimalsOf(baseline), decimalsOf(followUp), decimalsOf(change));
  return sizes.filter((n) =>
    sumsFor(baseline, n, digits).some((b) =>
      sumsFor(followUp, n, digits).some((f) => !changeRounded || round((f - b) / n, digits) === change),
    ),
  );
}

const between = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('wellbeing means below England say nothing of their count', () => {
  it('England: the exact means to 2 decimals and the 95% interval', () => {
    // 17 / 15 = 1.1333; sd sqrt((27 - 17^2 / 15) / 14) = 0.7432; t(14) 2.145 x 0.7432 / sqrt(15) = 0.4116:
    // 0.7217 to 1.5450
    expect(publish().get('ENG')).toMatchObject({
      people: 15,
      improved: 12,
      mean_baseline: 5.07,
      mean_follow_up: 6.2,
      mean_change: 1.13,
      mean_change_ci_low: 0.72,
      mean_change_ci_high: 1.54,
      improved_pct: 80,
    });
  });

  it('a PCN whose count is suppressed beside another (secondary suppression) shows no mean', () => {
    const rows = publish();
    // U00001's 4 people: suppressed (primary); U00002's 11 -> 10 is the only other part of QAA's 15: suppressed too.
    for (const code of ['U00001', 'U00002'])
      expect(rows.get(code)).toMatchObject({
        people: '*',
        improved: '*',
        mean_baseline: '*',
        mean_follow_up: '*',
        mean_change: '*',
        mean_change_ci_low: null,
        mean_change_ci_high: null,
      });
  });

  it('the ICB: 1 decimal, the change the difference of the means shown, no interval; 13 to 17 people all fit', () => {
    const icb = publish().get('QAA') as Row;
    // 76 / 15 = 5.07 -> 5.1; 93 / 15 = 6.2; change 6.2 - 5.1 = 1.1; improved 12 -> 10, 10 / 15 = 66.7%
    expect(icb).toMatchObject({
      people: 15,
      improved: 10,
      mean_baseline: 5.1,
      mean_follow_up: 6.2,
      mean_change: 1.1,
      mean_change_ci_low: null,
      mean_change_ci_high: null,
      improved_pct: 66.7,
    });
    // A count published as 15 is 13 to 17; each size fits: e.g. 13 people, baseline 66 (5.08 -> 5.1), follow-up 81
    // (6.23 -> 6.2); 17 people, 86 (5.06) and 105 (6.18).
    expect(icb.mean_change).toBe(round(6.2 - 5.1, 1));
    expect(sizesFitting(icb, between(13, 17), false)).toEqual([13, 14, 15, 16, 17]);
  });

  it('so QAA minus U00002 cannot recover U00001: the attack that worked at 2 decimals', () => {
    // The attack on the figures as they were published: QAA's 2-decimal means pin 15, U00002's (beside its suppressed
    // count, at most 14 as U00001 has at least 1) pin 11, so U00001 = 4.
    const atTwoDecimals = (row: Row) => ({
      ...row,
      mean_baseline: round(Number(row.mean_baseline), 2),
      mean_follow_up: round(Number(row.mean_follow_up), 2),
      mean_change: round(Number(row.mean_change), 2),
    });
    expect(sizesFitting(atTwoDecimals(RAW[1] as Row), between(13, 17), true)).toEqual([15]);
    expect(sizesFitting(atTwoDecimals(RAW[3] as Row), between(8, 14), true)).toEqual([11]);
    const rows = publish();
    expect(sizesFitting(rows.get('QAA') as Row, between(13, 17), false)).toHaveLength(5);
    expect(rows.get('U00002')?.mean_baseline).toBe('*');
  });

  it('a lower-is-better change is the baseline minus the follow-up, as published', () => {
    // ONS4 anxiety, 10 people: baseline 5.25 -> 5.3, follow-up 4.34 -> 4.3; the change shown is 5.3 - 4.3 = 1.0
    // (the exact 0.91 would show as 0.9, a third rounding that could contradict the other two).
    const [out] = applyDisclosureControl(
      [
        {
          level: 'pcn',
          code: 'U1',
          period: '2025/26',
          people: 10,
          mean_baseline: 5.25,
          mean_follow_up: 4.34,
          mean_change: 0.91,
        },
      ],
      WELLBEING?.rules as NonNullable<typeof WELLBEING>['rules'],
    );
    expect(out).toMatchObject({ people: 10, mean_baseline: 5.3, mean_follow_up: 4.3, mean_change: 1 });
  });

  it('every published mean below England fits every group size of 10 or more its count allows (property)', () => {
    const score = fc.integer({ min: 0, max: 10 });
    const person = fc.tuple(score, score);
    fc.assert(
      fc.property(fc.array(person, { minLength: 8, maxLength: 60 }), (people) => {
        const n = people.length;
        const baseline = people.reduce((s, [b]) => s + b, 0);
        const followUp = people.reduce((s, [, f]) => s + f, 0);
        const [out] = applyDisclosureControl(
          [
            {
              level: 'pcn',
              code: 'U1',
              period: '2025/26',
              people: n,
              improved: 0,
              mean_baseline: baseline / n,
              mean_follow_up: followUp / n,
              mean_change: (followUp - baseline) / n,
            },
          ],
          WELLBEING?.rules as NonNullable<typeof WELLBEING>['rules'],
        );
        const shown = Number(out?.people);
        expect(shown).toBe(controlCount(n));
        const allowed = between(Math.max(8, shown - 2), shown + 2);
        // The change shown is the difference of the two means shown: nothing more to fit.
        expect(out?.mean_change).toBe(round(Number(out?.mean_follow_up) - Number(out?.mean_baseline), 1));
        const fitting = sizesFitting(out as Row, allowed, false);
        expect(fitting).toContain(n);
        expect(fitting).toEqual(expect.arrayContaining(allowed.filter((size) => size >= 10)));
        expect(fitting.length).toBeGreaterThanOrEqual(3);
      }),
      { numRuns: 400, seed: 20261203 },
    );
  });
});
