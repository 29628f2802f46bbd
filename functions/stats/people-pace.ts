import type { MetricRow } from '../contract/metrics.ts';
import { monthsOfFinancialYear } from '../contract/periods.ts';

/**
 * The monthly pace of the annual people target, like for like with a month's people referred (red-team review 19,
 * R19-8). The Long Term Plan's 900,000 a year counts people distinct within the YEAR; a month's people referred are
 * distinct within the MONTH, so someone referred in two months is in both and twelve months add up to more than the
 * year's people (the demo's 2025/26: 97,731 against 93,152). A twelfth of the target set against monthly people reads
 * "at pace" every month of a year that misses. The pace here is a twelfth of the target times the ratio of the sum of
 * the year's monthly people to its distinct people: twelve months at this pace give the target's people in the year,
 * if the year repeats as the reference year did (the projection scales the same way, projection.ts).
 */
export interface PeoplePace {
  /** People referred a month (each month's distinct people) on course for the annual target. */
  readonly monthly: number;
  /** The financial year whose months and people give the ratio. */
  readonly fy: string;
  /** Whether that year has all 12 months; otherwise its months so far (fewer repeats yet: the ratio reads low). */
  readonly complete: boolean;
  /** That year's monthly people summed, over its distinct people (1 or more), rounded to 3 decimals. */
  readonly ratio: number;
}

/** A financial year's monthly people summed over its people (distinct in the year), from England's rollout rows. */
export interface RepeatRatio {
  readonly fy: string;
  /** Whether the year has all 12 months published (and its own row says 12 months, where it says): otherwise so far. */
  readonly complete: boolean;
  /** The sum of its months' people over its people, exact (1 or more). */
  readonly ratio: number;
}

/**
 * Each financial year's ratio of monthly people summed to its people, latest first, from England's rollout rows (its
 * `fy` and `month` rows). Years without people, months, or with months adding up to fewer than its people are left out.
 * One rule for the target pace (below) and the projection to year end (catalogue.ts fyProjection, projection.ts).
 */
export function repeatRatios(rows: readonly Readonly<Record<string, unknown>>[]): RepeatRatio[] {
  const monthly = new Map<string, number>();
  for (const r of rows) {
    if (r.period_type === 'month' && typeof r.people_referred === 'number')
      monthly.set(String(r.period), r.people_referred);
  }
  return rows
    .filter((r) => r.period_type === 'fy' && typeof r.people_referred === 'number' && r.people_referred > 0)
    .map((r) => {
      const months = monthsOfFinancialYear(String(r.period)).filter((m) => monthly.has(m));
      const sum = months.reduce((total, m) => total + (monthly.get(m) as number), 0);
      // A year's own months, where its row gives them (a year held at an earlier release keeps that release's span).
      const span = typeof r.months === 'number' ? r.months : 12;
      return { fy: String(r.period), people: r.people_referred as number, months: months.length, span, sum };
    })
    .filter((y) => y.months > 0 && y.sum >= y.people)
    .sort((a, b) => (a.fy < b.fy ? 1 : a.fy > b.fy ? -1 : 0))
    .map((y) => ({ fy: y.fy, complete: y.months === 12 && y.span === 12, ratio: y.sum / y.people }));
}

/**
 * The pace from England's rollout rows (its `fy` and `month` rows): the ratio of the latest complete financial year up
 * to `upTo` (the year shown; every year when not given), or where none is complete, of the latest year's months so
 * far. Null without a year whose people and months are published (then no like-for-like pace is drawn).
 */
export function peoplePace(rows: readonly MetricRow[], annualTarget: number, upTo?: string): PeoplePace | null {
  const years = repeatRatios(rows).filter((y) => upTo === undefined || y.fy <= upTo);
  const year = years.find((y) => y.complete) ?? years[0];
  if (year === undefined) return null;
  return {
    monthly: Math.round((annualTarget / 12) * year.ratio),
    fy: year.fy,
    complete: year.complete,
    ratio: Math.round(year.ratio * 1000) / 1000,
  };
}

/** The pace in words, for the chart's note and the SPC target's definition. */
export function peoplePaceText(pace: PeoplePace | null): string {
  if (pace === null)
    return 'No target pace: no financial year has its people referred and its months published yet, so a month cannot be set against the annual target like for like.';
  const year = pace.complete
    ? pace.fy
    : `${pace.fy} so far (no complete year yet: fewer repeats so far, so it reads low)`;
  return `The target pace is the people a month that give the annual target of people referred in the year: a twelfth of it, times how far a year’s monthly people add up to more than its people (someone referred in two months is in both): ${pace.ratio.toFixed(3)} in ${year}.`;
}
