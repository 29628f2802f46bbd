/**
 * Funnel limits for a proportion on the arcsine scale, with an additive overdispersion term τ² (FunnelPlotR,
 * R/od_limits.R, data_type "PR"): at denominator n, sin²(asin√p0 ± z·√(1/(4n) + τ²)). The angle is kept within
 * [0, π/2] before squaring the sine, so a limit that would pass 0 or 1 stops there (sin² alone would fold back).
 */

/** Two-sided 95% and 99.8% normal quantiles, as FunnelPlotR writes them (R/od_limits.R). */
export const Z95 = 1.959964;
export const Z998 = 3.090232;

export interface Limits {
  readonly lower95: number;
  readonly upper95: number;
  readonly lower998: number;
  readonly upper998: number;
}

export type Outside = 'high' | 'low' | null;

export function limitAt(target: number, n: number, z: number, tau2 = 0): number {
  const angle = Math.asin(Math.sqrt(target)) + z * Math.sqrt(1 / (4 * n) + tau2);
  const clipped = Math.min(Math.PI / 2, Math.max(0, angle));
  return Math.sin(clipped) ** 2;
}

export function funnelLimits(target: number, n: number, tau2 = 0): Limits {
  return {
    lower95: limitAt(target, n, -Z95, tau2),
    upper95: limitAt(target, n, Z95, tau2),
    lower998: limitAt(target, n, -Z998, tau2),
    upper998: limitAt(target, n, Z998, tau2),
  };
}

/** A unit is outside when its rate is beyond its 99.8% limits. */
export function outsideLimits(rate: number, limits: Limits): Outside {
  if (rate > limits.upper998) return 'high';
  if (rate < limits.lower998) return 'low';
  return null;
}
