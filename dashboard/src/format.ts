import type { Figure } from '../../functions/contract/metrics.ts';
import { financialYearOf } from '../../functions/contract/periods.ts';

/** Formatting for every figure on the dashboard: en-GB, suppression shown as *, never as zero. */
export const SUPPRESSED = '*';
export const SUPPRESSED_EXPLANATION =
  'Suppressed to protect confidentiality: fewer than 8 people, or a figure that would let one be worked out.';
export const NO_DATA = '–';

const whole = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const decimals = (digits: number) =>
  new Intl.NumberFormat('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const isSuppressed = (value: unknown): value is typeof SUPPRESSED => value === SUPPRESSED;

/** A count: 1,234; suppressed *; missing –. */
export function formatCount(value: Figure | undefined): string {
  if (isSuppressed(value)) return SUPPRESSED;
  if (typeof value !== 'number' || Number.isNaN(value)) return NO_DATA;
  return whole.format(value);
}

export function formatDecimal(value: Figure | undefined, digits = 1): string {
  if (isSuppressed(value)) return SUPPRESSED;
  if (typeof value !== 'number' || Number.isNaN(value)) return NO_DATA;
  return decimals(digits).format(value);
}

/**
 * Staff FTE: England's exact figure to one decimal; below England a published FTE is rounded to the nearest 5
 * (docs/methodology.md, Disclosure control, Staff), so a decimal would claim a precision it does not have.
 */
export function formatFte(value: Figure | undefined, level: string): string {
  return formatDecimal(value, level === 'national' ? 1 : 0);
}

/** A percentage already in percent units: 12.3%. */
export function formatPercent(value: Figure | undefined, digits = 1): string {
  const text = formatDecimal(value, digits);
  return text === SUPPRESSED || text === NO_DATA ? text : `${text}%`;
}

/** A signed percentage change: +3.0% or −14.0% (a true minus sign). */
export function formatChange(value: Figure | undefined, digits = 1): string {
  if (typeof value !== 'number') return formatPercent(value, digits);
  const text = decimals(digits).format(Math.abs(value));
  return `${value > 0 ? '+' : value < 0 ? '−' : ''}${text}%`;
}

const longDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const shortMonth = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });

/** 2026-10-31 → 31 October 2026 */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return NO_DATA;
  const date = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? NO_DATA : longDate.format(date);
}

/** 2025-04 → Apr 2025 */
export function monthLabel(month: string): string {
  const date = new Date(`${month}-01T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? month : shortMonth.format(date);
}

const longMonth = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const monthName = new Intl.DateTimeFormat('en-GB', { month: 'long', timeZone: 'UTC' });

/** 2026-11 → November 2026 */
export function longMonthLabel(month: string): string {
  const date = new Date(`${month}-01T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? month : longMonth.format(date);
}

/** The months from `first` to `last` (YYYY-MM) in words: "April to August 2025", "November 2025 to February 2026". */
export function monthSpanLabel(first: string, last: string): string {
  if (first === last) return longMonthLabel(first);
  const from =
    first.slice(0, 4) === last.slice(0, 4)
      ? monthName.format(new Date(`${first}-01T00:00:00Z`))
      : longMonthLabel(first);
  return `${from} to ${longMonthLabel(last)}`;
}

/** 2025/26 → FY 2025/26 */
export const fyLabel = (fy: string) => `FY ${fy}`;

/** The financial year (2025/26) a month (2025-04) falls in. */
export const fyOfMonth = (month: string): string => financialYearOf(month);
