/**
 * 95% confidence intervals for published means (docs/methodology.md, "Confidence intervals").
 * A mean of n values with sample standard deviation sd: mean ± t(0.975, n - 1) · sd / √n (Student's t).
 */

/** Two-sided 95% critical values of Student's t for 1 to 30 degrees of freedom (any statistics table). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
const Z975 = 1.959964;

/** t(0.975, df): the table to 30, then the Cornish-Fisher expansion (error under 0.0005 from 30 on). */
export function t975(df: number): number {
  if (!Number.isFinite(df) || df < 1) return Number.NaN;
  const whole = Math.floor(df);
  if (whole <= T975.length) return T975[whole - 1] as number;
  const z = Z975;
  return (
    z +
    (z ** 3 + z) / (4 * whole) +
    (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * whole ** 2) +
    (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * whole ** 3)
  );
}

/** The 95% interval of a mean, rounded to `digits`; null for fewer than 2 values. */
export function meanInterval(
  mean: number,
  sd: number | null,
  n: number,
  digits = 2,
): { readonly low: number; readonly high: number } | null {
  if (n < 2 || sd === null || !Number.isFinite(sd)) return null;
  const half = (t975(n - 1) * sd) / Math.sqrt(n);
  const factor = 10 ** digits;
  return { low: Math.round((mean - half) * factor) / factor, high: Math.round((mean + half) * factor) / factor };
}
