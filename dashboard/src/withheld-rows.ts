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
  const withheld = summaryOf(document as Pick<MetricDocument, 'summary'>, 'withheld_below_england')?.withheld ?? [];
  const inYear = (period: string) =>
    fy === undefined || period === fy || (/^\d{4}-\d{2}$/.test(period) && fyOfMonth(period) === fy);
  const periods = [...new Set(withheld.map((entry) => entry.period).filter(inYear))];
  if (periods.length === 0) return null;
  return (
    `Some rows below England for ${listed(periods.map(periodLabel))} are withheld for disclosure control, not ` +
    "missing: a figure in them could otherwise be worked out from England's exact figure."
  );
}
