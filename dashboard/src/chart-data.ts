import type { Figure, MetricRow } from '../../functions/contract/metrics.ts';
import { fyOfMonth } from './format.ts';

/** A figure as a chart can draw it: suppressed and missing values become gaps, never zeros. */
export const plottable = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/** The rows of one area and period type, in period order. */
export function rowsFor(rows: readonly MetricRow[], periodType: 'month' | 'fy', fy?: string): MetricRow[] {
  return rows
    .filter(
      (r) =>
        r.period_type === periodType &&
        (fy === undefined || (periodType === 'month' ? fyOfMonth(r.period) === fy : r.period === fy)),
    )
    .sort((a, b) => a.period.localeCompare(b.period));
}

export const figure = (row: MetricRow | undefined, column: string): Figure =>
  row ? ((row[column] as Figure) ?? null) : null;
