/**
 * XmR (individuals and moving range) chart limits as NHS England's Making Data Count sets them (SQL v2.6
 * defaults; the same constants as NHSRplotthedots, R/ptd_spc_standard.R): centre line the mean, MR̄ the mean of the
 * absolute differences between consecutive points, process limits mean ± 2.66·MR̄ (3σ, since σ̂ = MR̄ / 1.128) and
 * the 2σ lines at mean ± (2/3)·2.66·MR̄ used by the two-of-three rule.
 * Moving ranges are screened first, as NHSRplotthedots does by default (ptd_spc's `screen_outliers = TRUE`;
 * R/ptd_spc_standard.R): a moving range at or above 3.267·MR̄ (the upper limit of the moving range chart) is a
 * one-off jump, not the routine variation the limits describe, so it is dropped and MR̄ recomputed from the rest.
 * Without this, one step in a series inflates the limits of the whole series and hides later special causes.
 */
export const PROCESS_LIMIT_MULTIPLIER = 2.66;
export const MOVING_RANGE_SCREEN = 3.267;
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
  const movingRangeMean = screenedMovingRangeMean(ranges);
  return {
    mean,
    movingRangeMean,
    upper: mean + PROCESS_LIMIT_MULTIPLIER * movingRangeMean,
    lower: mean - PROCESS_LIMIT_MULTIPLIER * movingRangeMean,
    upper2Sigma: mean + TWO_SIGMA_MULTIPLIER * movingRangeMean,
    lower2Sigma: mean - TWO_SIGMA_MULTIPLIER * movingRangeMean,
  };
}

const meanOf = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length);

/**
 * MR̄ after dropping moving ranges at or above MOVING_RANGE_SCREEN·MR̄ (plotthedots keeps `mr < 3.267 * amr`). The
 * screen is for a few one-off jumps among routine variation (Nelson 1982, the reference plotthedots gives). When
 * every range it keeps is 0 (a series that repeats one value between its steps: percentages at a ceiling of 100, FTE
 * that changes in steps), the ranges it dropped are the series' only variation, not one-offs, and a screened MR̄ of 0
 * would give limits of zero width that put every point outside (review 6 K4; plotthedots has the same degeneracy).
 * Then MR̄ is the unscreened mean, as Making Data Count's Excel and SQL tools compute it (they do not screen:
 * nhs-r-community/NHSRplotthedots#90). When every range is 0 (a flat series) MR̄ is 0 and no point is outside.
 */
export function screenedMovingRangeMean(ranges: readonly number[]): number {
  const all = meanOf(ranges);
  if (all === 0) return 0;
  const screened = meanOf(ranges.filter((r) => r < MOVING_RANGE_SCREEN * all));
  return screened === 0 ? all : screened;
}
