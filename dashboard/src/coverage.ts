import type { MetricRow } from '../../functions/contract/metrics.ts';
import { longMonthLabel } from './format.ts';

/**
 * How complete an area's month is (red-team review 16, R16-3). A month is published once 90% of England's PCNs have
 * sent it, so a region's or ICB's month can still wait for some of its PCNs: their referrals are in none of its figures
 * yet, and the month reads as a fall. Rollout publishes, by month for England, regions and ICBs, the PCNs whose data
 * the month holds (pcns_sent) of those expected (pcns_expected: onboarded, extract not stopped); a month with fewer is
 * partial, and the charts say so in words ("November 2026: 1 of 2 PCNs sent"), not by colour alone.
 */
export interface PartialMonth {
  readonly month: string;
  readonly sent: number;
  readonly expected: number;
  /** Whose month it is, where a chart shows more than one area (the board report: "ICB"). */
  readonly area?: string;
}

/** The month's coverage, when it is partial: fewer PCNs sent than expected. Undefined otherwise, or not known. */
export function partialOf(row: MetricRow | undefined): PartialMonth | undefined {
  const sent = row?.pcns_sent;
  const expected = row?.pcns_expected;
  if (row === undefined || typeof sent !== 'number' || typeof expected !== 'number' || sent >= expected)
    return undefined;
  return { month: String(row.period), sent, expected };
}

/** The partial months of a series of monthly rows, oldest first. */
export function partialMonths(rows: readonly MetricRow[]): PartialMonth[] {
  return rows.flatMap((r) => partialOf(r) ?? []).sort((a, b) => a.month.localeCompare(b.month));
}

/** "1 of 2 PCNs sent". */
export const sentText = (p: Pick<PartialMonth, 'sent' | 'expected'>): string =>
  `${p.sent} of ${p.expected} PCN${p.expected === 1 ? '' : 's'} sent`;

/** "1 of 2 PCNs sent", or "ICB 1 of 2 PCNs sent" where the area is named. */
const areaSentText = (p: PartialMonth): string => `${p.area === undefined ? '' : `${p.area} `}${sentText(p)}`;

/** "November 2026: 1 of 2 PCNs sent". */
export const partialText = (p: PartialMonth): string => `${longMonthLabel(p.month)}: ${areaSentText(p)}`;

/**
 * What a chart's month label says after the month where it is partial for an area charted: " (partial: 1 of 2 PCNs
 * sent)", or with several areas each named ("ICB 1 of 2 PCNs sent; England ..."); nothing where none is partial.
 */
export function partialSuffix(partial: readonly PartialMonth[]): string {
  return partial.length === 0 ? '' : ` (partial: ${partial.map(areaSentText).join('; ')})`;
}

/** Why a partial month matters, after the list of them. */
export const PARTIAL_HOW =
  "A PCN that has not sent a month yet is in none of its figures (nor its list in the rates' denominators), so a fall there may be a late file, not fewer referrals; the month is filled in when the file arrives.";

/** The sentence under a chart listing its partial months, or undefined when none is. */
export function partialNote(partial: readonly PartialMonth[]): string | undefined {
  if (partial.length === 0) return undefined;
  const one = new Set(partial.map((p) => p.month)).size === 1;
  return `Partial month${one ? '' : 's'} (not every PCN expected has sent ${one ? 'it' : 'them'} yet): ${partial.map(partialText).join('; ')}. ${PARTIAL_HOW}`;
}
