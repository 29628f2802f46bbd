import type { Rule, RuleFlag, Side } from './spc-rules.ts';

/**
 * Where one point is flagged both high and low, one side wins: the trend rule first, then shift, then two of three,
 * then the single point beyond a limit (Making Data Count SQL v2.6a; NHS England's SPC rule clash note, as in
 * NHSDigital/fdp-react-design-system SPCRuleClashExplanationV1.0.md: "1. trend 2. shift 3. 2 out of 3 4. single
 * point"). The losing side's flags are dropped.
 */
export const RULE_PRECEDENCE: readonly Rule[] = ['trend', 'shift', 'two_of_three', 'outside'];

export function resolveConflict(flags: readonly RuleFlag[]): RuleFlag[] {
  const sides = new Set(flags.map((f) => f.side));
  if (sides.size < 2) return [...flags];
  const winner = RULE_PRECEDENCE.map((rule) => flags.find((f) => f.rule === rule)).find((f) => f !== undefined)
    ?.side as Side;
  return flags.filter((f) => f.side === winner);
}

/** The side a point's special cause lies on after the conflict is resolved, or null for common cause. */
export function specialCauseSide(flags: readonly RuleFlag[]): Side | null {
  return resolveConflict(flags)[0]?.side ?? null;
}
