import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyseSeries, MIN_POINTS_FOR_LIMITS } from '../../functions/stats/spc.ts';
import { assuranceIcon, variationIcon } from '../../functions/stats/spc-icons.ts';
import { screenedMovingRangeMean, xmrLimits } from '../../functions/stats/spc-limits.ts';
import { resolveConflict } from '../../functions/stats/spc-precedence.ts';
import {
  detectSpecialCauses,
  type Rule,
  type RuleFlag,
  type Side,
  shiftAboutMedianRule,
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

  it('two of three: three points on one side of the mean, two or more close to the limit; only those flagged', () => {
    /*
     * NHSRplotthedots (github.com/nhs-r-community/NHSRplotthedots, R/ptd_calculate_point_type.R, ptd_two_in_three and
     * ptd_part_of_two_in_three; R/ptd_spc_standard.R, close_to_limits = beyond the 2σ line and not beyond the limit).
     * The cases mirror its tests/testthat/test-ptd_calculate_point_type.R: "close" is 2.5 here (2σ = 2, limit = 3).
     */
    const flagged = (values: number[]) =>
      twoOfThreeRule(values, limits).map((f) => (f.high ? 'high' : f.low ? 'low' : null));
    // its cases d, e, f: (close, -, close), (-, close, close), (close, close, -) all on one side: the close points
    expect(flagged([2.5, 1, 2.5])).toEqual(['high', null, 'high']);
    expect(flagged([1, 2.5, 2.5])).toEqual([null, 'high', 'high']);
    expect(flagged([-2.5, -2.5, -1])).toEqual(['low', 'low', null]);
    // its case g, c(0,0,1,0,1,0,0): the two close points, not the ordinary point between them
    expect(flagged([1, 1, 2.5, 1, 2.5, 1, 1])).toEqual([null, null, 'high', null, 'high', null, null]);
    // its cases hv and iv: close points four apart are not two in three; iv's last two are
    expect(flagged([2.5, 1, 1, 2.5])).toEqual([null, null, null, null]);
    expect(flagged([2.5, 1, 1, 2.5, 2.5])).toEqual([null, null, null, 'high', 'high']);
    // its "opposite sides of the mean" cases: the third point below the mean spoils the window
    expect(flagged([2.5, -1, 2.5])).toEqual([null, null, null]);
    expect(flagged([2.5, 2.5, -1])).toEqual([null, null, null]);
    expect(flagged([2.5, -2.5, 0])).toEqual([null, null, null]);
    // a point on the mean is on neither side
    expect(flagged([0, 2.5, 2.5])).toEqual([null, null, null]);
    // beyond the limit is the outside rule's point, not a close one; on the limit is close; on the 2σ line is not
    expect(flagged([1, 3.5, 2.5])).toEqual([null, null, null]);
    expect(flagged([1, 3, 2.5])).toEqual([null, 'high', 'high']);
    expect(flagged([2, 2, 1])).toEqual([null, null, null]);
  });

  it('run-chart shift about the median: a point on the median neither adds to nor breaks the run', () => {
    // Perla, Provost & Murray 2011 (BMJ Qual Saf 20:46-51): six off-median points on one side, skipping the median.
    expect(shiftAboutMedianRule([1, 1, 1, 0, 1, 1, 1], 0)).toEqual([
      'high',
      'high',
      'high',
      null,
      'high',
      'high',
      'high',
    ]);
    expect(shiftAboutMedianRule([1, 1, 1, 0, 1, 1], 0)).toEqual(Array(6).fill(null));
    expect(shiftAboutMedianRule([-1, -1, -1, -1, -1, 1, -1], 0)).toEqual(Array(7).fill(null));
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

  it('a rising series below its mean: the trend beats the shift and the points outside below', () => {
    /*
     * 1..6 then seven 20s: mean = (21 + 140) / 13 = 12.384615; moving ranges five 1s, 14, six 0s: MR̄ = 19/12 =
     * 1.583333, and 14 >= 3.267 × 1.583333 = 5.172750 is screened out, so MR̄ = 5/11 = 0.454545; limits 12.384615 ±
     * 2.66 × 0.454545 = ± 1.209091: 11.175524 and 13.593706. Points 1..6 are below the lower limit (outside:low) and six
     * below the mean (shift:low), and with 20 make seven rising points (trend:high, points 1 to the first 20). Every
     * point is beyond a limit, so none is close to one and two-of-three flags nothing. Conflict: on 1..6 the trend wins.
     */
    const values = [1, 2, 3, 4, 5, 6, 20, 20, 20, 20, 20, 20, 20];
    const result = analyseSeries(values, { improvement: 'up' });
    expect(result.mean).toBeCloseTo(12.384615, 6);
    expect(result.upper_limit).toBeCloseTo(13.593706, 6);
    expect(result.lower_limit).toBeCloseTo(11.175524, 6);
    expect(result.points.map((p) => p.rules)).toEqual([
      ...Array(6).fill(['trend:high']),
      ['outside:high', 'shift:high', 'trend:high'],
      ...Array(6).fill(['outside:high', 'shift:high']),
    ]);
    expect(result.variation).toBe('improvement_high');
  });
});

describe('two of three, whole series against NHSRplotthedots', () => {
  it('review2 F8: an ordinary last point below the mean is common cause, not two_of_three:high', () => {
    /*
     * 10, 11 six times, then 12.9, 12.9, 9.5 (15 points). Mean = (126 + 25.8 + 9.5) / 15 = 10.753333. Moving ranges:
     * eleven 1s, 1.9, 0, 3.4: MR̄ = 16.3 / 14 = 1.164286 (none reaches 3.267 × MR̄ = 3.803721, nothing screened).
     * Upper limit 10.753333 + 2.66 × 1.164286 = 13.850333; 2σ line 10.753333 + (2/3)(3.097000) = 12.818000.
     * Both 12.9s are close (above 12.818, below 13.850), and the window (11, 12.9, 12.9) is all above the mean: they are
     * flagged, the 11 is not. The window (12.9, 12.9, 9.5) has 9.5 below the mean: 9.5 is common cause, so the
     * variation icon, read from the last point, is common cause (plotthedots: common_cause for the last point).
     */
    const values = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 12.9, 12.9, 9.5];
    const result = analyseSeries(values, { improvement: 'up' });
    expect(result.mean).toBeCloseTo(10.753333, 6);
    expect(result.upper_limit).toBeCloseTo(13.850333, 6);
    expect(result.upper_2sigma).toBeCloseTo(12.818, 6);
    expect(result.points.map((p) => p.rules)).toEqual([
      ...Array(12).fill([]),
      ['two_of_three:high'],
      ['two_of_three:high'],
      [],
    ]);
    expect(result.variation).toBe('common_cause');
    // Lower is better (a declines rate): no "concern (higher)" for a month that fell.
    expect(analyseSeries(values, { improvement: 'down' }).variation).toBe('common_cause');
  });

  it("plotthedots' own test: two successive close points on opposite sides of the mean are common cause", () => {
    /*
     * NHSRplotthedots tests/testthat/test-ptd_spc_standard.R, "it only reports special cause for 2of3 points close to
     * limits when they are on the same side of the mean": 1, -1 eight times, with points 15 and 16 set to 5.5 and -5.5;
     * expected point types of the last two: common_cause, common_cause. By hand: mean 0; moving ranges thirteen 2s, 6.5,
     * 11: MR̄ = 43.5 / 15 = 2.9; 11 >= 3.267 × 2.9 = 9.4743 is screened out: MR̄ = 32.5 / 14 = 2.321429; limits
     * ± 6.175; 2σ lines ± 4.116667, so 5.5 and -5.5 are both close, on opposite sides.
     */
    const values = [...Array.from({ length: 14 }, (_, i) => (i % 2 === 0 ? 1 : -1)), 5.5, -5.5];
    const result = analyseSeries(values, { improvement: 'up' });
    expect(result.upper_limit).toBeCloseTo(6.175, 6);
    expect(result.lower_2sigma).toBeCloseTo(-4.116667, 6);
    expect(result.points.slice(-2).map((p) => p.rules)).toEqual([[], []]);
    expect(result.variation).toBe('common_cause');
  });
});

describe('moving ranges screened as NHSRplotthedots does by default (screen_outliers = TRUE)', () => {
  it('a moving range at or above 3.267 × MR̄ is dropped and MR̄ recomputed', () => {
    /*
     * R/ptd_spc_standard.R: mr kept where mr < 3.267 * amr, then amr = mean(mr). Review2 F5's series: 1, 2, 1, 2, 10,
     * then 1, 2 alternating to 18 points. Mean = 35 / 18 = 1.944444. Moving ranges: 1, 1, 1, 8, 9 and twelve 1s: MR̄ =
     * 32 / 17 = 1.882353, screen 6.149647: 8 and 9 are dropped, MR̄ = 15 / 15 = 1. Upper limit 1.944444 + 2.66 =
     * 4.604444 (unscreened it was 1.944444 + 2.66 × 1.882353 = 6.951503); lower limit -0.715556. The 10 is outside:high.
     */
    const values = [1, 2, 1, 2, 10, ...Array.from({ length: 13 }, (_, i) => (i % 2 === 0 ? 1 : 2))];
    const limits = xmrLimits(values);
    expect(limits.mean).toBeCloseTo(1.944444, 6);
    expect(limits.movingRangeMean).toBe(1);
    expect(limits.upper).toBeCloseTo(4.604444, 6);
    expect(limits.lower).toBeCloseTo(-0.715556, 6);
    expect(analyseSeries(values).points[4]?.rules).toEqual(['outside:high']);
  });

  it('ranges under 3.267 × MR̄ are kept, those at or above it dropped; a flat series keeps MR̄ 0', () => {
    // ranges 1, 1, 1, 13: MR̄ = 4, screen 13.068: 13 is kept. Ranges 0, 0, 0, 13.068: MR̄ = 3.267, 13.068 = 4 × 3.267
    // >= 3.267 × 3.267 = 10.673289 would be dropped, leaving only 0s; the median range is 0, so the series' one
    // variation is no one-off and MR̄ stays the unscreened 3.267.
    expect(screenedMovingRangeMean([1, 1, 1, 13])).toBe(4);
    expect(screenedMovingRangeMean([0, 0, 0, 13.068])).toBe(3.267);
    // ranges 1, 1, 1, 1, 1, 1, 1, 1, 1, 32.67: MR̄ = 41.67 / 10 = 4.167, screen 13.6136: 32.67 dropped, MR̄ 1.
    expect(screenedMovingRangeMean([...Array(9).fill(1), 32.67])).toBe(1);
    expect(screenedMovingRangeMean([0, 0, 0])).toBe(0);
    expect(screenedMovingRangeMean([])).toBe(0);
  });
});

describe('a series that repeats one value between its steps (review 6 K4)', () => {
  it('a percentage at its ceiling with one dip: limits from the unscreened MR̄, only the dip outside', () => {
    /*
     * 14 points of 100, 92.3, 10 points of 100 (25 points). Mean = (2,400 + 92.3) / 25 = 99.692. Moving ranges: 22 of 0
     * and two of 7.7: MR̄ = 15.4 / 24 = 0.641667; the screen (3.267 × 0.641667 = 2.096325) would drop both 7.7s and
     * leave MR̄ 0 (limits 99.692 to 99.692, every point outside). Unscreened: upper 99.692 + 2.66 × 0.641667 =
     * 101.398833, lower 97.985167. Only the 92.3 is outside (low); the 100s are inside the limits (above the mean,
     * so the runs either side of the dip are shifts, as the rules say).
     */
    const values = [...Array(14).fill(100), 92.3, ...Array(10).fill(100)];
    const analysis = analyseSeries(values, { improvement: 'up' });
    expect(analysis.mean).toBeCloseTo(99.692, 9);
    expect(analysis.upper_limit).toBeCloseTo(101.398833, 6);
    expect(analysis.lower_limit).toBeCloseTo(97.985167, 6);
    expect(analysis.points.map((p) => p.rules.filter((r) => r.startsWith('outside')))).toEqual(
      values.map((v) => (v === 100 ? [] : ['outside:low'])),
    );
  });

  it('FTE that steps up for eight months and back: limits of the unscreened MR̄, not zero width', () => {
    /*
     * 12 months of 2.0, 8 of 2.6, then 2.0 (21 points). Mean = (24 + 20.8 + 2) / 21 = 2.228571. Moving ranges: 18 of
     * 0 and two of 0.6: MR̄ = 1.2 / 20 = 0.06 (the screen, 0.19602, would drop both 0.6s and leave 0). Upper 2.228571
     * + 2.66 × 0.06 = 2.388171, lower 2.068971: the 2.6s are above (outside:high), the 2.0s below (outside:low): two
     * real steps, each a special cause.
     */
    const values = [...Array(12).fill(2), ...Array(8).fill(2.6), 2];
    const limits = xmrLimits(values);
    expect(limits.movingRangeMean).toBeCloseTo(0.06, 12);
    expect(limits.upper).toBeCloseTo(2.388171, 6);
    expect(limits.lower).toBeCloseTo(2.068971, 6);
    expect(limits.upper - limits.lower).toBeCloseTo(0.3192, 12);
  });

  it('a flat series has limits at its value and no point outside', () => {
    const analysis = analyseSeries(Array(15).fill(2.5));
    expect([analysis.upper_limit, analysis.lower_limit]).toEqual([2.5, 2.5]);
    expect(analysis.points.every((p) => p.rules.length === 0)).toBe(true);
  });
});

describe('the screen needs routine variation to keep: not where the median moving range is 0 (review 7 M3)', () => {
  const outsideOf = (values: readonly number[]) =>
    analyseSeries(values, { improvement: 'up' }).points.map((p) => p.rules.filter((r) => r.startsWith('outside')));

  it("the reviewer's ceiling series with one small wobble: unscreened limits, only the 92.3 outside", () => {
    /*
     * spc-nearceil.csv: 8 x 100, 99.5, 5 x 100, 92.3, 9 x 100 (24 points). Mean = (2,200 + 99.5 + 92.3) / 24 =
     * 99.658333. Moving ranges 0.5, 0.5, 7.7, 7.7 and 19 zeros: median 0. MR̄ = 16.4 / 23 = 0.713043. The screen
     * (3.267 × 0.713043 = 2.329513) would drop the 7.7s and keep 0.5, 0.5 and the zeros: MR̄ 1 / 21 = 0.047619,
     * limits 99.53 to 99.79 and all 24 points outside (the defect). Unscreened: 99.658333 ± 2.66 × 0.713043 =
     * ± 1.896696: 97.761638 to 101.555029. Only the 92.3 is outside (low); the 99.5 is inside.
     */
    const values = [...Array(8).fill(100), 99.5, ...Array(5).fill(100), 92.3, ...Array(9).fill(100)];
    const limits = xmrLimits(values);
    expect(limits.mean).toBeCloseTo(99.658333, 6);
    expect(limits.movingRangeMean).toBeCloseTo(0.713043, 6);
    expect(limits.upper).toBeCloseTo(101.555029, 6);
    expect(limits.lower).toBeCloseTo(97.761638, 6);
    expect(outsideOf(values)).toEqual(values.map((v) => (v === 92.3 ? ['outside:low'] : [])));
  });

  it("PCN U38045's engagement (2% demo): three low months outside, not all 21 points", () => {
    /*
     * 11 x 100, 94.1, 5 x 100, 95.2, 95, 100, 100 (21 points). Mean = (1,800 + 284.3) / 21 = 99.252381. Moving ranges
     * 5.9, 5.9, 4.8, 0.2, 5.0 and 15 zeros: median 0. MR̄ = 21.8 / 20 = 1.09. The screen (3.561) would keep only
     * the 0.2 and the zeros: MR̄ 0.2 / 16 = 0.0125, limits 99.22 to 99.29, all 21 outside, "improvement_high".
     * Unscreened: 99.252381 ± 2.66 × 1.09 = ± 2.8994: 96.352981 to 102.151781. Outside: 94.1, 95.2 and 95 (low);
     * the last point, 100, is common cause.
     */
    const values = [...Array(11).fill(100), 94.1, ...Array(5).fill(100), 95.2, 95, 100, 100];
    const limits = xmrLimits(values);
    expect(limits.movingRangeMean).toBeCloseTo(1.09, 12);
    expect(limits.upper).toBeCloseTo(102.151781, 6);
    expect(limits.lower).toBeCloseTo(96.352981, 6);
    expect(outsideOf(values)).toEqual(values.map((v) => (v === 100 ? [] : ['outside:low'])));
    expect(analyseSeries(values, { improvement: 'up' }).variation).toBe('common_cause');
  });

  it("the reviewer's FTE steps with one 2.1: limits 0.32 wide, not 0.05; the 2.1 inside", () => {
    /*
     * spc-nearfte.csv: 5 x 2.0, 2.1, 6 x 2.0, 8 x 2.6, 4 x 2.0 (24 points). Mean = (30 + 2.1 + 20.8) / 24 = 2.204167.
     * Moving ranges 0.1, 0.1, 0.6, 0.6 and 19 zeros: median 0; MR̄ = 1.4 / 23 = 0.060870 (screened it was 0.2 / 21 =
     * 0.009524: limits 2.18 to 2.23). Limits 2.204167 ± 0.161913: 2.042254 to 2.366080. The 2.6s are above and the
     * 2.0s below, two real steps (an XmR chart's limits are recalculated at a step, not here); the 2.1 is inside.
     */
    const values = [...Array(5).fill(2), 2.1, ...Array(6).fill(2), ...Array(8).fill(2.6), ...Array(4).fill(2)];
    const limits = xmrLimits(values);
    expect(limits.movingRangeMean).toBeCloseTo(0.06087, 5);
    expect(limits.upper).toBeCloseTo(2.36608, 5);
    expect(limits.lower).toBeCloseTo(2.042254, 6);
    expect(outsideOf(values)[5]).toEqual([]);
    expect(outsideOf(values).filter((r) => r.length > 0)).toHaveLength(23);
  });

  it('screens where the median range is above 0, and not where more than half the ranges are 0', () => {
    // 0, 0, 1, 1, 1, 14: median 1; MR̄ 17 / 6 = 2.833333, screen 9.256500 drops the 14: 3 / 5 = 0.6.
    expect(screenedMovingRangeMean([0, 0, 1, 1, 1, 14])).toBeCloseTo(0.6, 12);
    // 0, 0, 0, 1, 1, 14 (half 0): median (0 + 1) / 2 = 0.5; MR̄ 16 / 6 = 2.666667, screen 8.712: 2 / 5 = 0.4.
    expect(screenedMovingRangeMean([0, 0, 0, 1, 1, 14])).toBeCloseTo(0.4, 12);
    // 0, 0, 0, 0, 1, 14: median 0: the 1 is no routine variation to keep; unscreened 15 / 6 = 2.5 (screened 0.2).
    expect(screenedMovingRangeMean([0, 0, 0, 0, 1, 14])).toBe(2.5);
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

  it('a run chart flags a shift about its median', () => {
    // 10 six times then 1 six times: median (1 + 10) / 2 = 5.5; six above, six below.
    expect(rulesOf([10, 10, 10, 10, 10, 10, 1, 1, 1, 1, 1, 1])).toEqual([
      ...Array(6).fill(['shift:high']),
      ...Array(6).fill(['shift:low']),
    ]);
  });

  it('a run chart reads the shift about the median, not the mean (review2 F5)', () => {
    /*
     * 5 six times, 6 four times, then 100 (11 points): mean 154 / 11 = 14, so the first ten are all below the mean (a
     * shift about the mean). The median is 5 (the 6th of 11 sorted): the six 5s lie on it and count for nothing; the
     * 6s and 100 are five points above it, one short of a shift. No rule flags anything.
     */
    const result = analyseSeries([5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 100]);
    expect(result.mean).toBe(14);
    expect(result.median).toBe(5);
    expect(result.points.every((p) => p.rules.length === 0)).toBe(true);
    // the median is the run chart's centre line; a chart with limits has none
    expect(analyseSeries(alternating(14)).median).toBeNull();
    expect(analyseSeries([1, 2, 3, 10]).median).toBe(2.5);
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
