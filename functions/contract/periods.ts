/**
 * Periods: a month is YYYY-MM, a financial year runs April to March and is written 2025/26. The one statement of
 * the rule; the SQL (sql/prepare/pcn_months.sql) states it again in SQL, where TypeScript cannot reach.
 */
export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
export const FINANCIAL_YEAR_PATTERN = /^\d{4}\/\d{2}$/;
/** April. */
export const FIRST_MONTH_OF_FINANCIAL_YEAR = 4;

/** The calendar year a month's financial year starts in: 2025-04 and 2026-03 are both in the year from 2025. */
export function financialYearStartOf(month: string): number {
  const year = Number(month.slice(0, 4));
  return Number(month.slice(5, 7)) >= FIRST_MONTH_OF_FINANCIAL_YEAR ? year : year - 1;
}

/** 2025 → 2025/26 */
export const financialYearFrom = (start: number) => `${start}/${String(start + 1).slice(2)}`;

/** The financial year a period belongs to: 2025-04 and 2025/26 are both in 2025/26; any other period is itself. */
export function financialYearOf(period: string): string {
  return /^\d{4}-\d{2}$/.test(period) ? financialYearFrom(financialYearStartOf(period)) : period;
}

/** The 12 months of a financial year (2025/26: 2025-04 ... 2026-03). */
export function monthsOfFinancialYear(fy: string): string[] {
  const start = Number(fy.slice(0, 4));
  return Array.from({ length: 12 }, (_, i) => {
    const m = ((i + FIRST_MONTH_OF_FINANCIAL_YEAR - 1) % 12) + 1;
    return `${m >= FIRST_MONTH_OF_FINANCIAL_YEAR ? start : start + 1}-${String(m).padStart(2, '0')}`;
  });
}

/** The last day of a financial year: 2024/25 ends 2025-03-31. */
export const financialYearEnd = (fy: string) => `${Number(fy.slice(0, 4)) + 1}-03-31`;

/**
 * The days a period's geography is read on, as the refresh places a PCN (functions/refresh/refresh.ts parentFinder,
 * sql/prepare/pcn_months.sql): a month, its first day (the PCNs in force on it); a financial year, April 1st to
 * March 31st (a PCN in every area it was in during the year). Null for any other period ('all').
 */
export function periodDays(period: string): readonly [string, string] | null {
  if (MONTH_PATTERN.test(period)) return [`${period}-01`, `${period}-01`];
  if (FINANCIAL_YEAR_PATTERN.test(period)) return [`${period.slice(0, 4)}-04-01`, financialYearEnd(period)];
  return null;
}

/** Was a version (valid_from..valid_to, null: open) in force on any day of the period's days? */
export function inForceDuring(
  version: { readonly valid_from: string; readonly valid_to: string | null },
  days: readonly [string, string],
): boolean {
  return version.valid_from <= days[1] && (version.valid_to === null || version.valid_to >= days[0]);
}
