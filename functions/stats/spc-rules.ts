import { quantileType7 } from './quantile.ts';
import type { XmrLimits } from './spc-limits.ts';

/**
 * Special cause rules of Making Data Count (SQL v2.6 defaults):
 * - outside: a point beyond a process limit;
 * - shift: SHIFT_POINTS or more consecutive points on the same side of the mean (a point on the mean breaks it),
 *   every point of the run flagged; on a run chart (fewer than 13 points) the centre is the median instead, and a
 *   point on the median neither adds to nor breaks the run (see shiftAboutMedianRule);
 * - trend: TREND_POINTS or more consecutive points each higher (or each lower) than the one before (a tie breaks it),
 *   every point of the run flagged;
 * - two_of_three: in three consecutive points all on the same side of the mean, at least two lie between the 2σ line
 *   and the process limit on that side; only those points are flagged.
 * NHSRplotthedots (github.com/nhs-r-community/NHSRplotthedots, R/ptd_calculate_point_type.R) implements the same
 * rules with its own run length of 7; two_of_three follows its ptd_two_in_three / ptd_part_of_two_in_three exactly,
 * with `close_to_limits` as R/ptd_spc_standard.R defines it (beyond the 2σ line but not beyond the limit: a point
 * beyond a limit is the outside rule's, and does not count towards two of three).
 */
export const SHIFT_POINTS = 6;
export const TREND_POINTS = 6;
export const TWO_OF_THREE = { beyond: 2, window: 3 } as const;

export type Rule = 'outside' | 'shift' | 'trend' | 'two_of_three';
export type Side = 'high' | 'low';
export interface RuleFlag {
  readonly rule: Rule;
  readonly side: Side;
}

/** The order flags are listed in for a point. */
export const RULE_ORDER: readonly Rule[] = ['outside', 'shift', 'trend', 'two_of_three'];

type Sign = 1 | -1 | 0;

/** Indices of runs of at least `length` consecutive equal non-zero signs, with the sign of each run. */
function runs(signs: readonly Sign[], length: number): { from: number; to: number; sign: 1 | -1 }[] {
  const found: { from: number; to: number; sign: 1 | -1 }[] = [];
  let start = 0;
  for (let i = 1; i <= signs.length; i++) {
    if (i < signs.length && signs[i] === signs[start]) continue;
    const sign = signs[start];
    if (sign !== 0 && sign !== undefined && i - start >= length) found.push({ from: start, to: i - 1, sign });
    start = i;
  }
  return found;
}

const sideOf = (sign: 1 | -1): Side => (sign === 1 ? 'high' : 'low');

export function outsideRule(values: readonly number[], limits: XmrLimits): (Side | null)[] {
  return values.map((v) => (v > limits.upper ? 'high' : v < limits.lower ? 'low' : null));
}

export function shiftRule(values: readonly number[], mean: number): (Side | null)[] {
  const flags: (Side | null)[] = values.map(() => null);
  const signs = values.map((v) => Math.sign(v - mean) as Sign);
  for (const run of runs(signs, SHIFT_POINTS)) for (let i = run.from; i <= run.to; i++) flags[i] = sideOf(run.sign);
  return flags;
}

/**
 * The shift rule of a run chart (fewer than 13 points): SHIFT_POINTS or more consecutive points all above or all below
 * the median, where a point on the median neither adds to nor breaks the run (Perla, Provost & Murray, "The run chart:
 * a simple analytical tool for learning from variation in healthcare processes", BMJ Qual Saf 2011;20:46-51,
 * doi:10.1136/bmjqs.2009.037895; the run chart rules NHS England's Making Data Count and its improvement guides
 * teach). The points of the run are flagged; a point on the median inside it is not.
 */
export function shiftAboutMedianRule(values: readonly number[], median: number): (Side | null)[] {
  const flags: (Side | null)[] = values.map(() => null);
  const off = values.flatMap((v, i) => (v === median ? [] : [i]));
  const signs = off.map((i) => Math.sign((values[i] as number) - median) as Sign);
  for (const run of runs(signs, SHIFT_POINTS))
    for (let k = run.from; k <= run.to; k++) flags[off[k] as number] = sideOf(run.sign);
  return flags;
}

export function trendRule(values: readonly number[]): (Side | null)[] {
  const flags: (Side | null)[] = values.map(() => null);
  // steps[i] is the direction from point i to point i + 1; a run of TREND_POINTS - 1 steps spans TREND_POINTS points.
  const steps = values.slice(1).map((v, i) => Math.sign(v - (values[i] as number)) as Sign);
  for (const run of runs(steps, TREND_POINTS - 1))
    for (let i = run.from; i <= run.to + 1; i++) flags[i] = sideOf(run.sign);
  return flags;
}

export function twoOfThreeRule(values: readonly number[], limits: XmrLimits): { high: boolean; low: boolean }[] {
  // close: between the 2σ line and the process limit (on the limit counts as close, as in plotthedots).
  const close = values.map((v) =>
    v > limits.upper2Sigma && v <= limits.upper ? 1 : v < limits.lower2Sigma && v >= limits.lower ? -1 : 0,
  );
  const sides = values.map((v) => Math.sign(v - limits.mean));
  const flags = values.map(() => ({ high: false, low: false }));
  for (let start = 0; start + TWO_OF_THREE.window <= values.length; start++) {
    const window = Array.from({ length: TWO_OF_THREE.window }, (_, k) => start + k);
    const side = sides[start] as number;
    // All three on one side of the mean (a point on the mean breaks the window), two or more of them close.
    if (side === 0 || !window.every((i) => sides[i] === side)) continue;
    if (window.filter((i) => close[i] !== 0).length < TWO_OF_THREE.beyond) continue;
    for (const i of window) {
      if (close[i] === 0) continue;
      const flag = flags[i] as { high: boolean; low: boolean };
      if (side === 1) flag.high = true;
      else flag.low = true;
    }
  }
  return flags;
}

/**
 * Every rule's flags for each point, before conflicts are resolved. Without limits (a run chart), only shift (about
 * the median) and trend apply.
 */
export function detectSpecialCauses(values: readonly number[], limits: XmrLimits, withLimits = true): RuleFlag[][] {
  const outside = withLimits ? outsideRule(values, limits) : values.map(() => null);
  const shift = withLimits ? shiftRule(values, limits.mean) : shiftAboutMedianRule(values, quantileType7(values, 0.5));
  const trend = trendRule(values);
  const twoOfThree = withLimits ? twoOfThreeRule(values, limits) : values.map(() => ({ high: false, low: false }));
  return values.map((_, i) => {
    const flags: RuleFlag[] = [];
    const add = (rule: Rule, side: Side | null | undefined) => {
      if (side) flags.push({ rule, side });
    };
    add('outside', outside[i]);
    add('shift', shift[i]);
    add('trend', trend[i]);
    if (twoOfThree[i]?.high) flags.push({ rule: 'two_of_three', side: 'high' });
    if (twoOfThree[i]?.low) flags.push({ rule: 'two_of_three', side: 'low' });
    return flags;
  });
}
