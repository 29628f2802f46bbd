import { formatDate } from './format.ts';

/**
 * How complete a financial year's figures are, said on every card (docs/methodology.md, "Periods"): null for a year
 * that ended on or before the data-as-of date.
 */
export function yearCompleteness(fy: string, dataAsOf: string | null): string | null {
  if (!/^\d{4}\/\d{2}$/.test(fy) || dataAsOf === null) return null;
  const start = Number(fy.slice(0, 4));
  if (dataAsOf >= `${start + 1}-03-31`) return null;
  const [year, month] = dataAsOf.split('-').map(Number) as [number, number];
  const elapsed = Math.max(0, Math.min(12, (year - start) * 12 + month - 3));
  return `${fy} is part way through: ${elapsed} of 12 months, data to ${formatDate(dataAsOf)}.`;
}
