import type { MetricDocument } from '../../functions/contract/metrics.ts';
import { summaryOf } from '../../functions/contract/summaries.ts';
import { fyOfMonth } from './format.ts';
import { listed, periodLabel } from './revisions-held.ts';

/**
 * Where disclosure control left rows below England out of a card's document (its summary.withheld_below_england:
 * docs/methodology.md, "Disclosure control"), one line saying so for the financial year shown (every period without
 * one), so that a missing area is not read as no data (red-team review 7, M8). Null where none is left out.
 */
export function withheldRowsNote(document: unknown, fy: string | undefined): string | null {
  if (typeof document !== 'object' || document === null) return null;
  const summary = document as Pick<MetricDocument, 'summary'>;
  const withheld = summaryOf(summary, 'withheld_below_england')?.withheld ?? [];
  const inYear = (period: string) =>
    fy === undefined || period === fy || (/^\d{4}-\d{2}$/.test(period) && fyOfMonth(period) === fy);
  const periods = [...new Set(withheld.map((entry) => entry.period).filter(inYear))];
  // Where England's row of such a period is held too (the revisions policy), its figure there is not this release's:
  // the line does not leave the reader taking England's as published (key28's note).
  const englandHeld = [
    ...new Set(
      withheld
        .filter((entry) => entry.england_held === true)
        .map((entry) => entry.period)
        .filter(inYear),
    ),
  ];
  // ICB and region rows as at an earlier release (summary.revisions_held_below_england; review 11, R11-1).
  const held = summaryOf(summary, 'revisions_held_below_england');
  const heldPeriods = [...new Set((held?.rows ?? []).map((id) => id.split('|')[2] ?? '').filter(inYear))];
  const lines = [
    periods.length === 0
      ? ''
      : `Some rows below England for ${listed(periods.map(periodLabel))} are withheld for disclosure control, not ` +
        "missing: a figure in them could otherwise be worked out from England's exact figure." +
        (englandHeld.length === 0
          ? ''
          : ` England's own figures for ${listed(englandHeld.map(periodLabel))} are held back too (none shown, or an earlier release's) while a revision is checked.`),
    heldPeriods.length === 0 && !held?.fail_closed
      ? ''
      : `Some ICB or region figures${heldPeriods.length === 0 ? '' : ` for ${listed(heldPeriods.map(periodLabel))}`} are as at an earlier release: a change made by fewer than 3 of their PCNs is not shown yet, so they need not add up with the PCN rows.`,
  ].filter((line) => line !== '');
  return lines.length === 0 ? null : lines.join(' ');
}
