import { monthsOfFinancialYear } from '../contract/periods.ts';
import { t975 } from './confidence.ts';

/**
 * Projection of a financial year's people referred to its end (docs/methodology.md, "Projection").
 * - Only complete months inform the estimate: a month that has ended by the data-as-of date and in which at least
 *   COMPLETE_SUBMISSION_SHARE of the PCNs onboarded sent any event (submittedEnough, decided once in data-as-of.ts).
 *   Incomplete months are estimated like future ones.
 * - Seasonality: where the previous year has all 12 months, month j carries weight w_j = 12 x its share of that
 *   year's people; otherwise every weight is 1.
 * - Each complete month gives a level a_m = people_m / w_m; their mean and standard deviation give the estimate
 *   of the unknown months, sum(w_j) x mean, and a 95% prediction interval, t(n - 1) x sd x sqrt(sum(w_j^2) +
 *   sum(w_j)^2 / n), from the month-to-month spread and the uncertainty of the mean.
 * - Monthly counts of people add up to more than the year's distinct people (someone referred in two months), so
 *   the total is scaled by the year's people over the sum of its months' people.
 * - "On track" only when the whole interval clears the target.
 */
export const COMPLETE_SUBMISSION_SHARE = 0.9;

export interface MonthFigures {
  readonly month: string;
  readonly people: number;
}

export interface Projection {
  readonly months_elapsed: number;
  readonly complete_months: readonly string[];
  readonly profile: 'previous year' | 'flat';
  readonly projection_to_year_end: number | null;
  readonly projection_low: number | null;
  readonly projection_high: number | null;
  readonly on_track: boolean;
  readonly status: 'year complete' | 'on track' | 'below target' | 'uncertain' | 'too early to tell';
}

/** The 12 months of a financial year (2025/26: 2025-04 ... 2026-03). */
export const monthsOfYear = monthsOfFinancialYear;

/**
 * Whether enough PCNs sent a month for it to count as complete (once it has ended): at least
 * COMPLETE_SUBMISSION_SHARE of the PCNs onboarded by then (open on its first day, having sent events for it or an
 * earlier month) sent at least one event in force dated in it. PCNs of a later rollout wave are not expected before
 * their first month. One rule for the data-as-of date and the projection (data-as-of.ts decides; projectYear reads).
 */
export function submittedEnough(m: { readonly pcnsOnboarded: number; readonly pcnsSubmitting: number }): boolean {
  return m.pcnsOnboarded > 0 && m.pcnsSubmitting >= COMPLETE_SUBMISSION_SHARE * m.pcnsOnboarded;
}

/** The last day of a month, YYYY-MM-DD. */
export const monthEnd = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
};

export function projectYear(options: {
  readonly fy: string;
  readonly dataAsOf: string;
  readonly peopleToDate: number;
  readonly months: readonly MonthFigures[];
  /** The months the data-as-of rule found complete (data-as-of.ts, submittedEnough). */
  readonly completeMonths: ReadonlySet<string>;
  /** The previous year's people by month, when it has all 12 months. */
  readonly previousYear?: readonly MonthFigures[];
  readonly target: number;
}): Projection {
  const calendar = monthsOfYear(options.fy);
  const byMonth = new Map(options.months.map((m) => [m.month, m]));
  const ended = calendar.filter((month) => monthEnd(month) <= options.dataAsOf);
  const started = calendar.filter((month) => `${month}-01` <= options.dataAsOf);
  const complete = ended.filter((month) => byMonth.has(month) && options.completeMonths.has(month));
  const previous = options.previousYear ?? [];
  const previousTotal = previous.reduce((sum, m) => sum + m.people, 0);
  const seasonal = previous.length === 12 && previousTotal > 0;
  const weight = (month: string) => {
    if (!seasonal) return 1;
    const same = previous.find((m) => m.month.slice(5) === month.slice(5));
    return (12 * (same?.people ?? 0)) / previousTotal;
  };
  const monthlySum = options.months.reduce((sum, m) => sum + m.people, 0);
  const scale = monthlySum > 0 ? options.peopleToDate / monthlySum : 1;
  const profile = seasonal ? 'previous year' : 'flat';
  const base = { months_elapsed: started.length, complete_months: complete, profile } as const;

  // A year that has ended is its own total.
  if (ended.length === 12)
    return {
      ...base,
      projection_to_year_end: options.peopleToDate,
      projection_low: options.peopleToDate,
      projection_high: options.peopleToDate,
      on_track: options.peopleToDate >= options.target,
      status: 'year complete',
    };
  const levels = complete
    .filter((month) => weight(month) > 0)
    .map((month) => (byMonth.get(month)?.people ?? 0) / weight(month));
  const n = levels.length;
  if (n < 2)
    return {
      ...base,
      projection_to_year_end: null,
      projection_low: null,
      projection_high: null,
      on_track: false,
      status: 'too early to tell',
    };
  const mean = levels.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(levels.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const unknown = calendar.filter((month) => !complete.includes(month)).map(weight);
  const w = unknown.reduce((a, b) => a + b, 0);
  const w2 = unknown.reduce((a, b) => a + b * b, 0);
  const observed = complete.reduce((sum, month) => sum + (byMonth.get(month)?.people ?? 0), 0);
  const centre = (observed + w * mean) * scale;
  const half = t975(n - 1) * sd * Math.sqrt(w2 + (w * w) / n) * scale;
  const low = Math.max(options.peopleToDate, Math.round(centre - half));
  const high = Math.round(centre + half);
  return {
    ...base,
    projection_to_year_end: Math.round(centre),
    projection_low: low,
    projection_high: high,
    on_track: low >= options.target,
    status: low >= options.target ? 'on track' : high < options.target ? 'below target' : 'uncertain',
  };
}
