/**
 * The sample quantile R computes by default (`quantile(x, p)`, type 7; Hyndman & Fan 1996): with the values sorted,
 * h = (k - 1)·p and the quantile is x[⌊h⌋] + (h - ⌊h⌋)·(x[⌊h⌋ + 1] - x[⌊h⌋]) (0-based). FunnelPlotR winsorises
 * z-scores at quantile(z, 0.1) and quantile(z, 0.9) with this default (R/od_adjustment.R, `winsorisation`).
 */
export function quantileType7(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('a quantile needs at least one value');
  if (!(p >= 0 && p <= 1)) throw new RangeError('the probability must be between 0 and 1');
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * p;
  const below = Math.floor(h);
  const low = sorted[below] as number;
  const high = sorted[Math.min(below + 1, sorted.length - 1)] as number;
  return low + (h - below) * (high - low);
}
