import type { XmrLimits } from './spc-limits.ts';
import type { Side } from './spc-rules.ts';

/**
 * The two Making Data Count icons. Variation: from the last point's special cause and the measure's improvement
 * direction. Assurance: where the target sits against the process limits (NHSRplotthedots,
 * R/ptd_calculate_assurance_type.R): pass when the target is at or beyond the limit on the bad side (every point
 * expected to meet it), fail when at or beyond the limit on the good side (none expected to), otherwise hit or miss.
 * A measure with no better direction has no assurance icon.
 */
export type Improvement = 'up' | 'down' | 'neither';
export type Variation =
  | 'improvement_high'
  | 'improvement_low'
  | 'concern_high'
  | 'concern_low'
  | 'neither_high'
  | 'neither_low'
  | 'common_cause';
export type Assurance = 'pass' | 'fail' | 'hit_or_miss';

/** Whether a special cause on this side is an improvement, a concern, or neither. */
export function causeKind(side: Side, improvement: Improvement): 'improvement' | 'concern' | 'neither' {
  if (improvement === 'neither') return 'neither';
  return (side === 'high') === (improvement === 'up') ? 'improvement' : 'concern';
}

export function variationIcon(lastPointSide: Side | null, improvement: Improvement): Variation {
  if (lastPointSide === null) return 'common_cause';
  return `${causeKind(lastPointSide, improvement)}_${lastPointSide}`;
}

export function assuranceIcon(
  target: number,
  limits: Pick<XmrLimits, 'upper' | 'lower'>,
  improvement: Improvement,
): Assurance | null {
  if (improvement === 'neither') return null;
  const [bad, good] = improvement === 'up' ? ['lower', 'upper'] : ['upper', 'lower'];
  const beyond = (limit: 'upper' | 'lower') => (limit === 'upper' ? target >= limits.upper : target <= limits.lower);
  if (beyond(bad as 'upper' | 'lower')) return 'pass';
  if (beyond(good as 'upper' | 'lower')) return 'fail';
  return 'hit_or_miss';
}

/** Text equivalents of the icons, for screen readers, tables and alerts. */
export const VARIATION_TEXT: Record<Variation, string> = {
  improvement_high: 'Special cause variation: improvement (higher)',
  improvement_low: 'Special cause variation: improvement (lower)',
  concern_high: 'Special cause variation: concern (higher)',
  concern_low: 'Special cause variation: concern (lower)',
  neither_high: 'Special cause variation: higher',
  neither_low: 'Special cause variation: lower',
  common_cause: 'Common cause variation: no significant change',
};
export const ASSURANCE_TEXT: Record<Assurance, string> = {
  pass: 'Consistently passes the target',
  fail: 'Consistently fails the target',
  hit_or_miss: 'Hits and misses the target at random',
};
