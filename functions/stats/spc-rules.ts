import type { XmrLimits } from './spc-limits.ts';

/**
 * Special cause rules of Making Data Count (SQL v2.6 defaults), each flagging every point of the run or window:
 * - outside: a point beyond a process limit;
 * - shift: SHIFT_POINTS or more consecutive points on the same side of the mean (a point on the mean breaks it);
 * - trend: TREND_POINTS or more consecutive points each higher (or each lower) than the one before (a tie breaks it);
 * - two_of_three: two of three consecutive points beyond the same 2σ line (points beyond 3σ count).
 * NHSRplotthedots (R/ptd_calculate_point_type.R) implements the same rules with its own run length of 7.
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

export function trendRule(values: readonly number[]): (Side | null)[] {
  const flags: (Side | null)[] = values.map(() => null);
  // steps[i] is the direction from point i to point i + 1; a run of TREND_POINTS - 1 steps spans TREND_POINTS points.
  const steps = values.slice(1).map((v, i) => Math.sign(v - (values[i] as number)) as Sign);
  for (const run of runs(steps, TREND_POINTS - 1))
    for (let i = run.from; i <= run.to + 1; i++) flags[i] = sideOf(run.sign);
  return flags;
}

export function twoOfThreeRule(values: readonly number[], limits: XmrLimits): { high: boolean; low: boolean }[] {
  const flags = values.map(() => ({ high: false, low: false }));
  for (let start = 0; start + TWO_OF_THREE.window <= values.length; start++) {
    const window = values.slice(start, start + TWO_OF_THREE.window);
    const high = window.filter((v) => v > limits.upper2Sigma).length >= TWO_OF_THREE.beyond;
    const low = window.filter((v) => v < limits.lower2Sigma).length >= TWO_OF_THREE.beyond;
    for (let i = start; i < start + TWO_OF_THREE.window; i++) {
      const flag = flags[i] as { high: boolean; low: boolean };
      flag.high ||= high;
      flag.low ||= low;
    }
  }
  return flags;
}

/**
 * Every rule's flags for each point, before conflicts are resolved. Without limits (a run chart), only the rules
 * about the mean apply: shift and trend.
 */
export function detectSpecialCauses(values: readonly number[], limits: XmrLimits, withLimits = true): RuleFlag[][] {
  const outside = withLimits ? outsideRule(values, limits) : values.map(() => null);
  const shift = shiftRule(values, limits.mean);
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
