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

/** One region's people referred in a month of a financial year (sql/meta/people_in_year.sql; never published). */
export interface PeopleInYearRow {
  readonly region_code: string;
  readonly fy: string;
  readonly month: string;
  /** Distinct in the month. */
  readonly monthly_people: number;
  /** Of those, not referred earlier in the year: added up to a month's end, the people in the year so far. */
  readonly new_people: number;
}

/** The rows of sql/meta/people_in_year.sql. */
export function peopleInYearRows(rows: readonly Readonly<Record<string, unknown>>[]): PeopleInYearRow[] {
  return rows.map((r) => ({
    region_code: String(r.region_code),
    fy: String(r.fy),
    month: String(r.month),
    monthly_people: Number(r.monthly_people),
    new_people: Number(r.new_people),
  }));
}

/**
 * A complete year's ratio of monthly people to people at the end of its `month`-th month (1 = April), like for like
 * with a year whose figures so far reach its `month`-th month (review 31, R31-6), from England's people by month (its
 * regions added up), and the growths whose spread is how much that growth varies, the uncertainty of assuming this
 * year grows as the latest complete year did: England's own growth from that month to the year end in each of `years`
 * where at least ENGLAND_GROWTH_YEARS give one (`spread` "England": the figure assumed is England's, and a year's
 * England is the sum of its regions, whose spread is not one region's; review 34, R34-4), otherwise each region's in
 * each of `years` (`spread` "regions": a single region's spread, wider than England's, by up to about 2.6 times in review
 * 34's reading, so it errs wide). `years` are the complete years before the one projected, latest first (the ratio is of the first). Undefined
 * where the first has no people by that month, or `month` is not 1 to 12. At the 12th (March in progress) the ratio is
 * the full year's and every growth 1: the year so far is then like for like with a whole year (review 34, R34-3: it
 * fell back to the full-year ratio alone, R31-6's bias, for the year's last month).
 */
export function ratioAtMonth(
  rows: readonly PeopleInYearRow[],
  years: readonly string[],
  month: number,
): SameMonthGrowths | undefined {
  const latest = years[0];
  if (latest === undefined || !Number.isInteger(month) || month < 1 || month > 12) return undefined;
  /** Monthly people summed and people, to the end of the `upTo`-th month of `fy`, of the rows given. */
  const sums = (fy: string, upTo: number, of: readonly PeopleInYearRow[]) => {
    const months = new Set(monthsOfFinancialYear(fy).slice(0, upTo));
    const within = of.filter((r) => r.fy === fy && months.has(r.month));
    return {
      monthly: within.reduce((s, r) => s + r.monthly_people, 0),
      people: within.reduce((s, r) => s + r.new_people, 0),
    };
  };
  const ratioOf = (s: { monthly: number; people: number }) => (s.people > 0 ? s.monthly / s.people : null);
  const england = ratioOf(sums(latest, month, rows));
  if (england === null) return undefined;
  /** The growth of a year's ratio from the month to its end, of the rows given (null without people by the month). */
  const growthOf = (fy: string, of: readonly PeopleInYearRow[]) => {
    const at = ratioOf(sums(fy, month, of));
    const end = ratioOf(sums(fy, 12, of));
    return at !== null && end !== null ? end / at : null;
  };
  const englandGrowths = years.flatMap((fy) => {
    const growth = growthOf(fy, rows);
    return growth === null ? [] : [growth];
  });
  const at = { month: monthsOfFinancialYear(latest)[month - 1] as string, ratio: england };
  if (englandGrowths.length >= ENGLAND_GROWTH_YEARS) return { ...at, growths: englandGrowths, spread: 'England' };
  const growths: number[] = [];
  for (const fy of years) {
    const inYear = rows.filter((r) => r.fy === fy);
    for (const region of [...new Set(inYear.map((r) => r.region_code))].sort()) {
      const growth = growthOf(
        fy,
        inYear.filter((r) => r.region_code === region),
      );
      if (growth !== null) growths.push(growth);
    }
  }
  return { ...at, growths, spread: 'regions' };
}

/**
 * The fewest complete years whose England growth gives the spread of the growth assumed (review 34, R34-4): with 3,
 * the prediction interval's t(0.975, 2) = 4.303; with 2, t(0.975, 1) = 12.706 from one difference, no estimate of a
 * spread to speak of, so the regions' spread stands in.
 */
export const ENGLAND_GROWTH_YEARS = 3;

/** A complete year's ratio at the same month (ratioAtMonth) and the growths whose spread is the growth's uncertainty. */
export interface SameMonthGrowths {
  readonly month: string;
  readonly ratio: number;
  readonly growths: readonly number[];
  /** "England": England's growth in each complete year (3 or more); "regions": each region's in each (fewer). */
  readonly spread: 'England' | 'regions';
}
