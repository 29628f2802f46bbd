/**
 * XmR (individuals and moving range) chart limits as NHS England's Making Data Count sets them (SQL v2.6
 * defaults; the same constants as NHSRplotthedots, R/ptd_spc_standard.R): centre line the mean, MR̄ the mean of the
 * absolute differences between consecutive points, process limits mean ± 2.66·MR̄ (3σ, since σ̂ = MR̄ / 1.128) and
 * the 2σ lines at mean ± (2/3)·2.66·MR̄ used by the two-of-three rule.
 */
export const PROCESS_LIMIT_MULTIPLIER = 2.66;
export const TWO_SIGMA_MULTIPLIER = (2 / 3) * PROCESS_LIMIT_MULTIPLIER;

export interface XmrLimits {
  readonly mean: number;
  readonly movingRangeMean: number;
  readonly upper: number;
  readonly lower: number;
  readonly upper2Sigma: number;
  readonly lower2Sigma: number;
}

export function xmrLimits(values: readonly number[]): XmrLimits {
  if (values.length === 0) throw new RangeError('an XmR chart needs at least one point');
  // Summed as differences from the first point, so that a constant series has exactly its value as mean (a plain
  // sum can round 0.1 + 0.1 + 0.1 away from it and put every point on one side of the mean).
  const first = values[0] as number;
  const mean = first + values.reduce((s, v) => s + (v - first), 0) / values.length;
  const ranges = values.slice(1).map((v, i) => Math.abs(v - (values[i] as number)));
  const movingRangeMean = ranges.length === 0 ? 0 : ranges.reduce((s, r) => s + r, 0) / ranges.length;
  return {
    mean,
    movingRangeMean,
    upper: mean + PROCESS_LIMIT_MULTIPLIER * movingRangeMean,
    lower: mean - PROCESS_LIMIT_MULTIPLIER * movingRangeMean,
    upper2Sigma: mean + TWO_SIGMA_MULTIPLIER * movingRangeMean,
    lower2Sigma: mean - TWO_SIGMA_MULTIPLIER * movingRangeMean,
  };
}
