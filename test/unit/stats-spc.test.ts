import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyseSeries, MIN_POINTS_FOR_LIMITS } from '../../functions/stats/spc.ts';
import { assuranceIcon, variationIcon } from '../../functions/stats/spc-icons.ts';
import { xmrLimits } from '../../functions/stats/spc-limits.ts';
import { resolveConflict } from '../../functions/stats/spc-precedence.ts';
import {
  detectSpecialCauses,
  type Rule,
  type RuleFlag,
  type Side,
  shiftRule,
  trendRule,
  twoOfThreeRule,
} from '../../functions/stats/spc-rules.ts';

const alternating = (length: number, first = 10, second = 14) =>
  Array.from({ length }, (_, i) => (i % 2 === 0 ? first : second));
const rulesOf = (values: readonly number[], options = {}) => analyseSeries(values, options).points.map((p) => p.rules);

describe('XmR limits', () => {
  it('mean ± 2.66·MR̄ and the 2σ lines at ± (2/3)·2.66·MR̄', () => {
    // 10, 14 repeated 7 times: mean 12, every moving range 4, so MR̄ = 4.
    const limits = xmrLimits(alternating(14));
    expect(limits.mean).toBe(12);
    expect(limits.movingRangeMean).toBe(4);
    expect(limits.upper).toBeCloseTo(12 + 10.64, 12);
    expect(limits.lower).toBeCloseTo(12 - 10.64, 12);
    expect(limits.upper2Sigma).toBeCloseTo(12 + 7.093333, 6);
    expect(limits.lower2Sigma).toBeCloseTo(12 - 7.093333, 6);
  });
});

describe('special cause rules, each on its own', () => {
  const limits = { mean: 0, movingRangeMean: 1, upper: 3, lower: -3, upper2Sigma: 2, lower2Sigma: -2 };

  it('shift: six points on one side flag all six; five do not; a point on the mean breaks the run', () => {
    expect(shiftRule([1, 1, 1, 1, 1, 1], 0)).toEqual(Array(6).fill('high'));
    expect(shiftRule([-1, -1, -1, -1, -1, 1], 0)).toEqual(Array(6).fill(null));
    expect(shiftRule([1, 1, 1, 0, 1, 1, 1], 0)).toEqual(Array(7).fill(null));
    expect(shiftRule([2, -1, -1, -1, -1, -1, -1, -1], 0)).toEqual([null, ...Array(7).fill('low')]);
  });

  it('trend: six points each higher (or lower) than the one before; a tie breaks it', () => {
    expect(trendRule([1, 2, 3, 4, 5, 6])).toEqual(Array(6).fill('high'));
    expect(trendRule([1, 2, 3, 4, 5])).toEqual(Array(5).fill(null));
    expect(trendRule([1, 2, 3, 3, 4, 5, 6])).toEqual(Array(7).fill(null));
    expect(trendRule([9, 6, 5, 4, 3, 2, 1, 7])).toEqual([...Array(7).fill('low'), null]);
  });

  it('two of three beyond the same 2σ line flag the whole window; 3σ points count; opposite sides do not', () => {
    const flagged = (values: number[]) =>
      twoOfThreeRule(values, limits).map((f) => (f.high ? 'high' : f.low ? 'low' : null));
    expect(flagged([0, 2.5, 0, 2.5, 0])).toEqual([null, 'high', 'high', 'high', null]);
    expect(flagged([0, -3.5, -2.5, 0, 0])).toEqual(['low', 'low', 'low', 'low', null]);
    expect(flagged([0, 3.5, 2.5, 0])).toEqual(['high', 'high', 'high', 'high']);
    expect(flagged([2.5, -2.5, 0])).toEqual([null, null, null]);
    // exactly on the 2σ line is not beyond it
    expect(flagged([2, 2, 0])).toEqual([null, null, null]);
  });

  it('outside: beyond a process limit, not on it', () => {
    expect(detectSpecialCauses([3.01, 3, -3.01], limits).map((f) => f.filter((r) => r.rule === 'outside'))).toEqual([
      [{ rule: 'outside', side: 'high' }],
      [],
      [{ rule: 'outside', side: 'low' }],
    ]);
  });
});

describe('conflict precedence (v2.6a): trend, then shift, then two of three, then the single point', () => {
  // A flag written rule:side, e.g. shift:low.
  const flags = (...written: `${Rule}:${Side}`[]): RuleFlag[] =>
    written.map((w) => {
      const [rule, side] = w.split(':') as [Rule, Side];
      return { rule, side };
    });
  it.each([
    [['shift:low', 'trend:high'], ['trend:high']],
    [['outside:low', 'shift:high', 'two_of_three:low'], ['shift:high']],
    [['outside:high', 'two_of_three:low'], ['two_of_three:low']],
    [
      ['outside:high', 'shift:high'],
      ['outside:high', 'shift:high'],
    ],
  ] as const)('keeps only the winning side: %j -> %j', (given, kept) => {
    expect(resolveConflict(flags(...given))).toEqual(flags(...kept));
  });

  it('a rising series below its mean: the trend beats the shift, outside and two-of-three below', () => {
    /*
     * 1..6 then seven 20s: mean = (21 + 140) / 13 = 12.384615; moving ranges five 1s, 14, six 0s: MR̄ = 19/12 =
     * 1.583333; limits 12.384615 ± 4.211667 = 8.172949 and 16.596282; 2σ lines ± 2.807778 = 9.576838 and 15.192393.
     * Points 1..6 are below the lower limit (outside:low), six below the mean (shift:low), and with 20 make seven
     * rising points (trend:high, points 1 to the first 20). Two-of-three low covers the windows up to (5, 6, 20);
     * two-of-three high the windows from (6, 20, 20). Conflict: on 1..6 and the first 20 the trend wins, so only the
     * high flags stay (point 6 keeps two_of_three:high from the window (6, 20, 20)).
     */
    const values = [1, 2, 3, 4, 5, 6, 20, 20, 20, 20, 20, 20, 20];
    const result = analyseSeries(values, { improvement: 'up' });
    expect(result.mean).toBeCloseTo(12.384615, 6);
    expect(result.upper_limit).toBeCloseTo(16.596282, 6);
    expect(result.lower_limit).toBeCloseTo(8.172949, 6);
    expect(result.points.map((p) => p.rules)).toEqual([
      ...Array(5).fill(['trend:high']),
      ['trend:high', 'two_of_three:high'],
      ['outside:high', 'shift:high', 'trend:high', 'two_of_three:high'],
      ...Array(6).fill(['outside:high', 'shift:high', 'two_of_three:high']),
    ]);
    expect(result.variation).toBe('improvement_high');
  });
});

describe('the 13-point threshold', () => {
  /*
   * 10, 14 six times then 30 (13 points): mean = (60 + 84 + 30) / 13 = 13.384615; MR̄ = (11·4 + 16) / 12 = 5;
   * upper limit 13.384615 + 13.3 = 26.684615, so 30 is outside:high (2σ line 22.251282: only 30 beyond it);
   * the points alternate about the mean, so no shift or trend.
   */
  const thirteen = [...alternating(12), 30];

  it('13 points: limits, the special cause and the icons', () => {
    const result = analyseSeries(thirteen, { improvement: 'up', target: 30 });
    expect(result.upper_limit).toBeCloseTo(26.684615, 6);
    expect(result.lower_limit).toBeCloseTo(0.084615, 6);
    expect(result.points.map((p) => p.rules)).toEqual([...Array(12).fill([]), ['outside:high']]);
    expect(result.variation).toBe('improvement_high');
    expect(result.assurance).toBe('fail');
  });

  it('12 points: a run chart, without limits, outside or two-of-three, and without icons', () => {
    const result = analyseSeries(thirteen.slice(1), { improvement: 'up', target: 30 });
    expect(MIN_POINTS_FOR_LIMITS).toBe(13);
    expect(result.upper_limit).toBeNull();
    expect(result.lower_limit).toBeNull();
    expect(result.points.every((p) => p.rules.length === 0)).toBe(true);
    expect(result.variation).toBeNull();
    expect(result.assurance).toBeNull();
  });

  it('a run chart still flags a shift about its mean', () => {
    expect(rulesOf([10, 10, 10, 10, 10, 10, 1, 1, 1, 1, 1, 1])).toEqual([
      ...Array(6).fill(['shift:high']),
      ...Array(6).fill(['shift:low']),
    ]);
  });
});

describe('variation icon, from the last point and the improvement direction', () => {
  const high = [...alternating(12), 30];
  // 10, 14 six times then −6: mean 10.615385, MR̄ 64/12 = 5.333333, lower limit −3.571282: −6 is outside:low.
  const low = [...alternating(12), -6];
  it.each([
    [high, 'up', 'improvement_high'],
    [high, 'down', 'concern_high'],
    [high, 'neither', 'neither_high'],
    [low, 'up', 'concern_low'],
    [low, 'down', 'improvement_low'],
    [low, 'neither', 'neither_low'],
    [alternating(14), 'up', 'common_cause'],
  ] as const)('%j improving %s: %s', (values, improvement, icon) => {
    expect(analyseSeries(values, { improvement }).variation).toBe(icon);
  });

  it('maps sides to icons directly', () => {
    expect(variationIcon(null, 'down')).toBe('common_cause');
    expect(variationIcon('low', 'down')).toBe('improvement_low');
  });
});

describe('assurance icon, the target against the process limits', () => {
  // 10, 14 seven times: mean 12, limits 1.36 and 22.64.
  const values = alternating(14);
  it.each([
    ['up', 1, 'pass'],
    ['up', 1.36, 'pass'],
    ['up', 23, 'fail'],
    ['up', 12, 'hit_or_miss'],
    ['down', 23, 'pass'],
    ['down', 1, 'fail'],
    ['down', 20, 'hit_or_miss'],
    ['neither', 1, null],
  ] as const)('improving %s, target %d: %s', (improvement, target, icon) => {
    const limits = xmrLimits(values);
    const exact = target === 1.36 ? limits.lower : target;
    expect(assuranceIcon(exact, limits, improvement)).toBe(icon);
    expect(analyseSeries(values, { improvement, target: exact }).assurance).toBe(icon);
  });

  it('no target, no assurance icon', () => {
    expect(analyseSeries(values, { improvement: 'up' }).assurance).toBeNull();
  });
});

describe('properties', () => {
  it('a constant series has no special cause and common cause variation', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 60 }),
        fc.constantFrom('up', 'down', 'neither'),
        (value, length, improvement) => {
          const result = analyseSeries(Array(length).fill(value), { improvement });
          return (
            result.points.every((p) => p.rules.length === 0 && p.side === null) &&
            result.variation === (length >= 13 ? 'common_cause' : null)
          );
        },
      ),
    );
  });

  it('every flagged point has rules on one side only', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 13, maxLength: 40 }), (values) =>
        analyseSeries(values).points.every((p) => new Set(p.rules.map((r) => r.split(':')[1])).size <= 1),
      ),
    );
  });
});
