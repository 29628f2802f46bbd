import { funnelLimits, type Outside, outsideLimits } from './funnel-limits.ts';
import { estimateOverdispersion, type FunnelUnit, pooledTarget } from './funnel-overdispersion.ts';

/** One unit placed on the funnel: the shape `sp-outcomes funnel --json` prints. */
export interface FunnelPlacement {
  readonly unit: string;
  readonly rate: number;
  readonly z: number;
  readonly lower95: number;
  readonly upper95: number;
  readonly lower998: number;
  readonly upper998: number;
  readonly outside: Outside;
}

export interface FunnelAnalysis {
  readonly target: number;
  readonly phi: number;
  /** The τ² the limits use: 0 without adjustment (k·φ < k − 1, or adjust: false). */
  readonly tau2: number;
  readonly units: readonly FunnelPlacement[];
}

export interface FunnelOptions {
  /** Inflate the limits for overdispersion (τ²). @default true */
  readonly adjust?: boolean;
  /** The comparator rate. @default the pooled rate of the units */
  readonly target?: number;
}

/**
 * A funnel plot for proportions by FunnelPlotR's method: φ and τ² from the winsorised arcsine z-scores, then each
 * unit's 95% and 99.8% limits at its own denominator. `z` is the unit's z-score on the adjusted scale,
 * (asin√p − asin√p0) / √(1/(4n) + τ²), so |z| > 3.090232 is the same as outside the 99.8% limits.
 */
export function analyseFunnel(
  units: readonly (FunnelUnit & { readonly unit: string })[],
  options: FunnelOptions = {},
): FunnelAnalysis {
  const target = options.target ?? pooledTarget(units);
  const { phi, tau2: estimated } = estimateOverdispersion(units, target);
  const tau2 = options.adjust === false ? 0 : estimated;
  return {
    target,
    phi,
    tau2,
    units: units.map((u) => {
      const rate = u.numerator / u.denominator;
      const limits = funnelLimits(target, u.denominator, tau2);
      const z = (Math.asin(Math.sqrt(rate)) - Math.asin(Math.sqrt(target))) / Math.sqrt(1 / (4 * u.denominator) + tau2);
      return { unit: u.unit, rate, z, ...limits, outside: outsideLimits(rate, limits) };
    }),
  };
}
