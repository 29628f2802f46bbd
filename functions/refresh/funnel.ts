/**
 * Funnel plot control limits for a proportion (Spiegelhalter 2005): around a target rate p0, a unit with
 * denominator n is expected within p0 ± z·sqrt(p0(1-p0)/n). z = 1.96 gives the 95% limits, 3.09 the 99.8%.
 * A unit outside the 99.8% limits is a genuine outlier; inside them the difference is noise.
 */
export const Z95 = 1.959964;
export const Z998 = 3.090232;

export interface Limits {
  readonly lower95: number;
  readonly upper95: number;
  readonly lower998: number;
  readonly upper998: number;
}

export function funnelLimits(p0: number, n: number): Limits {
  const se = Math.sqrt((p0 * (1 - p0)) / n);
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  return {
    lower95: clamp(p0 - Z95 * se),
    upper95: clamp(p0 + Z95 * se),
    lower998: clamp(p0 - Z998 * se),
    upper998: clamp(p0 + Z998 * se),
  };
}

/** 'high' or 'low' when outside the 99.8% limits, 'within' otherwise. */
export function outlier(p: number, p0: number, n: number): 'high' | 'low' | 'within' {
  const limits = funnelLimits(p0, n);
  if (p > limits.upper998) return 'high';
  if (p < limits.lower998) return 'low';
  return 'within';
}
