import { quantileType7 } from './quantile.ts';
import { type Assurance, assuranceIcon, type Improvement, type Variation, variationIcon } from './spc-icons.ts';
import { xmrLimits } from './spc-limits.ts';
import { resolveConflict, specialCauseSide } from './spc-precedence.ts';
import { detectSpecialCauses, RULE_ORDER, type Side } from './spc-rules.ts';

/**
 * Making Data Count: with fewer than MIN_POINTS_FOR_LIMITS points the chart is a run chart without process limits or
 * icons: its centre line is the median, and the shift rule is read about the median (spc-rules.ts).
 */
export const MIN_POINTS_FOR_LIMITS = 13;

export interface SpcPoint {
  readonly value: number;
  /** Rules that flag the point after the high/low conflict is resolved, e.g. "shift:high". */
  readonly rules: readonly string[];
  /** The side of the point's special cause, or null for common cause. */
  readonly side: Side | null;
}

export interface SpcAnalysis {
  readonly mean: number;
  /** The run chart's centre line: the median of the points (null when the chart has limits). */
  readonly median: number | null;
  readonly upper_limit: number | null;
  readonly lower_limit: number | null;
  readonly upper_2sigma: number | null;
  readonly lower_2sigma: number | null;
  readonly points: readonly SpcPoint[];
  readonly variation: Variation | null;
  readonly assurance: Assurance | null;
}

export interface SpcOptions {
  /** Which way is better. @default 'neither' */
  readonly improvement?: Improvement;
  readonly target?: number | null;
}

export function analyseSeries(values: readonly number[], options: SpcOptions = {}): SpcAnalysis {
  const improvement = options.improvement ?? 'neither';
  const limits = xmrLimits(values);
  const charted = values.length >= MIN_POINTS_FOR_LIMITS;
  const flags = detectSpecialCauses(values, limits, charted).map(resolveConflict);
  const points = values.map((value, i) => {
    const own = flags[i] ?? [];
    const ordered = [...own].sort((a, b) => RULE_ORDER.indexOf(a.rule) - RULE_ORDER.indexOf(b.rule));
    return { value, rules: ordered.map((f) => `${f.rule}:${f.side}`), side: specialCauseSide(own) };
  });
  const target = options.target ?? null;
  return {
    mean: limits.mean,
    median: charted ? null : quantileType7(values, 0.5),
    upper_limit: charted ? limits.upper : null,
    lower_limit: charted ? limits.lower : null,
    upper_2sigma: charted ? limits.upper2Sigma : null,
    lower_2sigma: charted ? limits.lower2Sigma : null,
    points,
    variation: charted ? variationIcon(points.at(-1)?.side ?? null, improvement) : null,
    assurance: charted && target !== null ? assuranceIcon(target, limits, improvement) : null,
  };
}
