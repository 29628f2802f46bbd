import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyseFunnel } from '../../functions/stats/funnel.ts';
import { funnelLimits, limitAt, outsideLimits, Z998 } from '../../functions/stats/funnel-limits.ts';
import {
  arcsineZ,
  betweenUnitVariance,
  dispersionRatio,
  estimateOverdispersion,
  winsorise,
} from '../../functions/stats/funnel-overdispersion.ts';
import { quantileType7 } from '../../functions/stats/quantile.ts';

/*
 * Worked example, by hand (FunnelPlotR's method for proportions):
 * units A 10/100, B 30/100, C 20/100, D 50/400, E 90/300: ΣO = 200, Σn = 1000, p0 = 0.2, asin√0.2 = 0.4636476.
 * z = (asin√p − 0.4636476)·2√n:
 *   A: asin√0.1 = 0.3217506 → (−0.1418971)·20 = −2.837941
 *   B: asin√0.3 = 0.5796397 → ( 0.1159921)·20 =  2.319843
 *   C: 0
 *   D: asin√0.125 = 0.3613671 → (−0.1022805)·40 = −4.091219
 *   E: asin√0.3 → 0.1159921·2√300 (34.641016) = 4.018085
 * sorted: −4.091219, −2.837941, 0, 2.319843, 4.018085. Type 7, k = 5: h = 0.4 for the 10th percentile,
 *   q10 = −4.091219 + 0.4·1.253278 = −3.589908; h = 3.6 for the 90th, q90 = 2.319843 + 0.6·1.698243 = 3.338788.
 * winsorised: A −2.837941, B 2.319843, C 0, D −3.589908, E 3.338788;
 * φ = (8.054 + 5.381671 + 0 + 12.887439 + 11.147505) / 5 = 7.494105.
 * w = 4n = 400, 400, 400, 1600, 1200: Σw = 4000, Σw² = 4,480,000, Σw − Σw²/Σw = 4000 − 1120 = 2880.
 * τ² = (5·7.494105 − 4) / 2880 = 33.470526 / 2880 = 0.01162171.
 * Limits at n = 100: se = √(1/400 + 0.01162171) = √0.01412171 = 0.1188348;
 *   99.8%: sin²(0.4636476 ± 3.090232·0.1188348) = sin²(0.0964220) = 0.0092681 and sin²(0.8308732) = 0.5454139;
 *   95%:   sin²(0.4636476 ± 1.959964·0.1188348) = 0.0523008 and 0.4116281.
 * Without τ², D (z = −4.09) and E (z = 4.02) are beyond ±3.090232; with it, no unit is outside.
 */
const UNITS = [
  { unit: 'A', numerator: 10, denominator: 100 },
  { unit: 'B', numerator: 30, denominator: 100 },
  { unit: 'C', numerator: 20, denominator: 100 },
  { unit: 'D', numerator: 50, denominator: 400 },
  { unit: 'E', numerator: 90, denominator: 300 },
];

describe('R type 7 quantile', () => {
  it('interpolates between order statistics as R does', () => {
    expect(quantileType7([4, 1, 3, 2, 5], 0.1)).toBeCloseTo(1.4, 12);
    expect(quantileType7([4, 1, 3, 2, 5], 0.9)).toBeCloseTo(4.6, 12);
    expect(quantileType7([7], 0.9)).toBe(7);
    expect(() => quantileType7([], 0.5)).toThrow(/at least one value/);
  });
});

describe('overdispersion (φ and τ²) of the worked example', () => {
  it('z-scores, winsorisation, φ and τ² as worked by hand', () => {
    const z = UNITS.map((u) => arcsineZ(u, 0.2));
    expect(z.map((x) => Number(x.toFixed(6)))).toEqual([-2.837941, 2.319843, 0, -4.091219, 4.018085]);
    expect(winsorise(z).map((x) => Number(x.toFixed(6)))).toEqual([-2.837941, 2.319843, 0, -3.589908, 3.338788]);
    expect(dispersionRatio(winsorise(z))).toBeCloseTo(7.494105, 6);
    const od = estimateOverdispersion(UNITS);
    expect(od.target).toBe(0.2);
    expect(od.tau2).toBeCloseTo(0.01162171, 8);
  });

  it('τ² is 0 only when k·φ < k − 1, as FunnelPlotR (tau_func) and Spiegelhalter 2005: not whenever φ ≤ 1', () => {
    /*
     * Source: github.com/nhs-r-community/FunnelPlotR, R/od_adjustment.R, tau_func: `if((n*phi) < (n - 1)) Tau2 <- 0
     * else Tau2 <- max(0, (n*phi - (n - 1)) / (sum(1/S^2) - sum((1/S^2)^2) / sum(1/S^2)))`, with 1/S² = 4n_i for
     * proportions. k = 3, w = 400, 800, 1200: Σw = 2400, Σw² = 2,240,000, Σw − Σw²/Σw = 1466.6667.
     */
    const spread = 2400 - 2_240_000 / 2400;
    // φ = 1: k·φ = 3 ≥ 2, τ² = (3 − 2) / 1466.6667 = 6.818182e-4 (this was 0 before: a departure from FunnelPlotR)
    expect(betweenUnitVariance(1, [100, 200, 300])).toBeCloseTo(1 / spread, 12);
    expect(betweenUnitVariance(1, [100, 200, 300])).toBeCloseTo(6.818182e-4, 9);
    // φ = 0.9: k·φ = 2.7 ≥ 2, τ² = 0.7 / 1466.6667 = 4.772727e-4
    expect(betweenUnitVariance(0.9, [100, 200, 300])).toBeCloseTo(4.772727e-4, 9);
    // φ = 2/3: k·φ = k − 1 exactly, so τ² = 0 / spread = 0; φ = 0.6: k·φ = 1.8 < 2, τ² = 0
    expect(betweenUnitVariance(2 / 3, [100, 200, 300])).toBeCloseTo(0, 15);
    expect(betweenUnitVariance(0.6, [100, 200, 300])).toBe(0);
    // φ = 2, k = 3: (6 − 2) / 1466.6667
    expect(betweenUnitVariance(2, [100, 200, 300])).toBeCloseTo(4 / spread, 12);
  });

  it('refuses a unit whose numerator is not between 0 and a positive denominator, naming it', () => {
    expect(() => estimateOverdispersion([{ numerator: 3, denominator: 0 }])).toThrow(/unit 1/);
    expect(() => estimateOverdispersion([...UNITS, { numerator: 5, denominator: 4 }])).toThrow(/unit 6/);
  });
});

describe('funnel limits', () => {
  it('the adjusted limits of the worked example at n = 100', () => {
    const limits = funnelLimits(0.2, 100, 0.01162171052374872);
    expect(limits.lower998).toBeCloseTo(0.0092681, 7);
    expect(limits.upper998).toBeCloseTo(0.5454139, 7);
    expect(limits.lower95).toBeCloseTo(0.0523008, 7);
    expect(limits.upper95).toBeCloseTo(0.4116281, 7);
  });

  it('unadjusted binomial limits on the arcsine scale: sin²(asin√0.2 ± 3.090232/20) at n = 100', () => {
    // 0.4636476 ± 0.1545116 → sin²(0.3091360) = 0.3042357² = 0.0925594, sin²(0.6181592) = 0.5795360² = 0.3358620
    expect(limitAt(0.2, 100, -Z998)).toBeCloseTo(0.0925594, 6);
    expect(limitAt(0.2, 100, Z998)).toBeCloseTo(0.335862, 6);
  });

  it('a limit that would pass 0 or 1 stops there rather than folding back', () => {
    // asin√0.01 = 0.1001674; 3.090232·√(1/40) = 0.4886077: the angle is negative, so the lower limit is 0.
    expect(limitAt(0.01, 10, -Z998)).toBe(0);
    expect(limitAt(0.99, 10, Z998)).toBe(1);
  });

  it('outside is beyond the 99.8% limits, high or low', () => {
    const limits = funnelLimits(0.2, 100);
    expect(outsideLimits(0.34, limits)).toBe('high');
    expect(outsideLimits(0.09, limits)).toBe('low');
    expect(outsideLimits(0.2, limits)).toBeNull();
  });

  it('property: limits widen as n falls (monotone in n), for any target and τ²', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0, max: 0.05, noNaN: true }),
        (p0, a, b, tau2) => {
          const [small, large] = a <= b ? [a, b] : [b, a];
          const wide = funnelLimits(p0, small, tau2);
          const narrow = funnelLimits(p0, large, tau2);
          return (
            wide.lower998 <= narrow.lower998 &&
            wide.upper998 >= narrow.upper998 &&
            wide.lower95 <= narrow.lower95 &&
            wide.upper95 >= narrow.upper95 &&
            wide.lower998 <= wide.lower95 &&
            wide.upper95 <= wide.upper998 &&
            narrow.lower95 <= p0 + 1e-12 &&
            narrow.upper95 >= p0 - 1e-12
          );
        },
      ),
    );
  });
});

describe('analyseFunnel', () => {
  it('the worked example: adjusted, nobody is outside; unadjusted, D is low and E high', () => {
    const adjusted = analyseFunnel(UNITS);
    expect(adjusted.phi).toBeCloseTo(7.494105, 6);
    expect(adjusted.tau2).toBeCloseTo(0.01162171, 8);
    expect(adjusted.units.map((u) => u.outside)).toEqual([null, null, null, null, null]);
    expect(adjusted.units[0]?.z).toBeCloseTo(-1.1940698, 6);
    const unadjusted = analyseFunnel(UNITS, { adjust: false });
    expect(unadjusted.phi).toBeCloseTo(7.494105, 6);
    expect(unadjusted.tau2).toBe(0);
    expect(unadjusted.units.map((u) => u.outside)).toEqual([null, null, null, 'low', 'high']);
    expect(unadjusted.units[3]?.z).toBeCloseTo(-4.091219, 6);
  });

  it('measures units from a given comparator instead of the pooled rate', () => {
    const result = analyseFunnel(UNITS, { target: 0.25 });
    expect(result.target).toBe(0.25);
    expect(result.units[2]?.z).toBeLessThan(0);
  });
});
