/**
 * XmR (individuals and moving range) chart limits as NHS England's Making Data Count sets them (SQL v2.6
 * defaults; the same constants as NHSRplotthedots, R/ptd_spc_standard.R): centre line the mean, MR̄ the mean of the
 * absolute differences between consecutive points, process limits mean ± 2.66·MR̄ (3σ, since σ̂ = MR̄ / 1.128) and
 * the 2σ lines at mean ± (2/3)·2.66·MR̄ used by the two-of-three rule.
 * Moving ranges are screened first, as NHSRplotthedots does by default (ptd_spc's `screen_outliers = TRUE`;
 * R/ptd_spc_standard.R): a moving range at or above 3.267·MR̄ (the upper limit of the moving range chart) is a
 * one-off jump, not the routine variation the limits describe, so it is dropped and MR̄ recomputed from the rest.
 * Without this, one step in a series inflates the limits of the whole series and hides later special causes. The
 * screen applies only where the median moving range is above 0 (screenedMovingRangeMean says why).
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
 * MR̄ after dropping moving ranges at or above MOVING_RANGE_SCREEN·MR̄ (plotthedots keeps `mr < 3.267 * amr`, one
 * pass: R/ptd_spc_standard.R), where the series has routine variation for the screen to keep.
 *
 * The screen is Nelson's (1982, the reference plotthedots and qicharts2 give; Provost & Murray, The Health Care Data
 * Guide, 2011): a few freak ranges among routine month-to-month variation, removed so that they do not widen the
 * limits (Anhøj, SPC for Healthcare, "Screening I charts for freak moving ranges"). Its premise is that most ranges
 * are routine variation. When the median moving range is 0 (at least half the months repeat the month before
 * exactly: a percentage at its ceiling of 100, FTE that moves in steps, small counts) there is no routine variation
 * at the precision the figures are recorded to: the ranges the screen would drop are the series' variation, not
 * freaks, and what it keeps is zeros and the odd small wobble. Screened, such a series gets limits a hair either side
 * of its mean and every point outside: review 6 K4 (MR̄ 0) and review 7 M3 (one kept range of 0.2 among zeros: PCN
 * limits 99.22 to 99.29, 21 of 21 points outside). These are Wheeler's "chunky data", one of the two ways an XmR
 * chart fails by false alarms rather than by hiding signals (D. J. Wheeler, "The Problem of Chunky Data", Quality
 * Digest, 2023). There MR̄ is the unscreened mean, as Making Data Count's Excel and SQL tools always compute it (they
 * do not screen: NHSRplotthedots' "Deviations from Excel defaults" vignette, nhs-r-community/NHSRplotthedots#90),
 * the wider, fail-safe limits.
 * The median, not a share of ranges or a cut in MR̄ chosen here, because it is the test of the method's own robust
 * estimate: the median moving range (Wheeler's alternative to screening, sigma = median MR / 0.954) is 0 exactly
 * when a robust estimate finds no routine variation. It never fires on continuous data (two equal values have
 * probability 0), and it covers K4: a screen that keeps only zeros has dropped fewer than a third of the ranges
 * (each dropped range is at least 3.267·MR̄, and together they are at most the k·MR̄ of all k ranges), so more than
 * two-thirds are 0 and the median is 0. When every range is 0 (a flat series) MR̄ is 0 and no point is outside.
 */
export function screenedMovingRangeMean(ranges: readonly number[]): number {
  const all = meanOf(ranges);
  if (all === 0 || medianOf(ranges) === 0) return all;
  return meanOf(ranges.filter((r) => r < MOVING_RANGE_SCREEN * all));
}

function medianOf(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
