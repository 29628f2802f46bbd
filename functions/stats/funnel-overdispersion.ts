import { quantileType7 } from './quantile.ts';

/**
 * Overdispersion of proportions across units, as the NHS-R community's FunnelPlotR estimates it for data_type "PR"
 * (Spiegelhalter 2005, doi:10.1002/sim.1970; source: github.com/nhs-r-community/FunnelPlotR, R/od_adjustment.R):
 * 1. target p0 = Σ numerators / Σ denominators (pooled);
 * 2. arcsine z-score z_i = (asin√(O_i/n_i) − asin√p0) / s_i with s_i = 1 / (2√n_i);
 * 3. z-scores winsorised at their 10th and 90th percentiles (R's default quantile, type 7);
 * 4. φ = mean of the winsorised z²;
 * 5. additive random effect (DerSimonian & Laird 1986) with weights w_i = 1/s_i² = 4n_i:
 *    τ² = max(0, (k·φ − (k − 1)) / (Σw − Σw²/Σw)), and 0 when k·φ < k − 1 (FunnelPlotR's tau_func; Spiegelhalter
 *    2005, doi:10.1136/qshc.2005.013755). There is no separate φ ≤ 1 test: for (k − 1)/k ≤ φ ≤ 1 τ² is small but
 *    positive, as in FunnelPlotR (k − 1 is the expected sum of squares under no overdispersion, not k).
 */

/** FunnelPlotR's default `trim_by`: winsorise 10% at each end. */
export const WINSORISE_SHARE = 0.1;

export interface FunnelUnit {
  readonly numerator: number;
  readonly denominator: number;
}

export interface Overdispersion {
  /** The target the z-scores are measured from. */
  readonly target: number;
  /** Unadjusted arcsine z-score of each unit, in input order. */
  readonly z: readonly number[];
  /** The dispersion ratio φ (1 = as much variation as chance alone gives). */
  readonly phi: number;
  /** Between-unit variance τ² on the arcsine scale added to each unit's 1/(4n); 0 when k·φ < k − 1. */
  readonly tau2: number;
}

export const pooledTarget = (units: readonly FunnelUnit[]) =>
  units.reduce((s, u) => s + u.numerator, 0) / units.reduce((s, u) => s + u.denominator, 0);

export function arcsineZ(unit: FunnelUnit, target: number): number {
  return (
    (Math.asin(Math.sqrt(unit.numerator / unit.denominator)) - Math.asin(Math.sqrt(target))) *
    2 *
    Math.sqrt(unit.denominator)
  );
}

export function winsorise(z: readonly number[], share = WINSORISE_SHARE): number[] {
  const low = quantileType7(z, share);
  const high = quantileType7(z, 1 - share);
  return z.map((value) => Math.min(high, Math.max(low, value)));
}

export function dispersionRatio(winsorisedZ: readonly number[]): number {
  return winsorisedZ.reduce((s, z) => s + z * z, 0) / winsorisedZ.length;
}

/** DerSimonian–Laird τ² from φ and the weights w_i = 4n_i; 0 when k·φ < k − 1 (no adjustment). */
export function betweenUnitVariance(phi: number, denominators: readonly number[]): number {
  const k = denominators.length;
  if (k * phi < k - 1) return 0;
  const w = denominators.map((n) => 4 * n);
  const sumW = w.reduce((s, x) => s + x, 0);
  const sumW2 = w.reduce((s, x) => s + x * x, 0);
  const spread = sumW - sumW2 / sumW;
  if (spread <= 0) return 0;
  return Math.max(0, (k * phi - (k - 1)) / spread);
}

/**
 * φ and τ² for a set of units with positive denominators. `target` defaults to the pooled rate; pass the
 * comparator's own rate (England's, say) to measure the units from it instead.
 */
export function estimateOverdispersion(units: readonly FunnelUnit[], target = pooledTarget(units)): Overdispersion {
  if (units.length === 0) throw new RangeError('a funnel needs at least one unit');
  for (const [i, u] of units.entries()) {
    if (!(u.denominator > 0) || !(u.numerator >= 0) || u.numerator > u.denominator)
      throw new RangeError(`unit ${i + 1}: the numerator must be between 0 and a positive denominator`);
  }
  const z = units.map((u) => arcsineZ(u, target));
  const phi = dispersionRatio(winsorise(z));
  return {
    target,
    z,
    phi,
    tau2: betweenUnitVariance(
      phi,
      units.map((u) => u.denominator),
    ),
  };
}
