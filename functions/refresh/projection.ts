import { monthsOfFinancialYear } from '../contract/periods.ts';
import { t975 } from './confidence.ts';

/**
 * Projection of a financial year's people referred to its end (docs/methodology.md, "Projection").
 * - Only complete months inform the estimate: a month that has ended by the data-as-of date and in which at least
 *   COMPLETE_SUBMISSION_SHARE of the PCNs onboarded sent any event (submittedEnough, decided once in data-as-of.ts).
 *   Incomplete months are estimated like future ones.
 * - Seasonality: where the previous year has all 12 months, month j carries weight w_j = 12 x its share of that
 *   year's people per 1,000 registered list of England's PCNs onboarded (people_j / list_size_j, rollout's list of
 *   the PCNs from their first month with events), a rate, so that PCNs joining through the year (the rollout's
 *   waves), whatever their size, and PCNs merging are not read as a season (review 6 K6, review 7 M2). The previous
 *   year gives no profile (every weight 1, profile "flat") when fewer than PROFILE_COVERAGE_SHARE of this year's
 *   PCNs submitting were submitting in each of its months: its rates would then be mostly PCNs in their first
 *   months. Without lists for the previous year the shares are of its people per PCN submitting, and without PCN
 *   counts either, of its people (a previous year without growth gives the same profile each way).
 *   Otherwise every weight is 1.
 * - Each complete month gives a level a_m = people_m / (w_m x L_m), a rate: L_m is the month's list of the PCNs
 *   onboarded, in thousands (rollout's list_size), so that months before a wave joined do not pull the pace of the
 *   PCNs sending now down (review 8, N7: 10 a month from one PCN, then 30 from three, projected 240 where the three
 *   are on course for 280). Their mean and standard deviation give the estimate of the unknown months at the list of
 *   the PCNs still sending by the latest month ended, L (onboarded and not stopped, those late for it included:
 *   list_sending; red-team review 16, R16-2: the list of those that had sent it left the late PCNs out of every month
 *   to come, 2.6% of the projection with 8 of 110 late), less those closing at its end (list_continuing: they send
 *   no month to come), sum(w_j) x L x mean, and a 95% prediction interval, t(n - 1) x
 *   sd x L x sqrt(sum(w_j^2) + sum(w_j)^2 / n), from the month-to-month spread of the rates and the uncertainty of
 *   their mean. PCNs still to join are not projected. Where a month read has no list (a caller without lists), every
 *   L is 1: the levels are people, as before. A complete month (90% or more of the PCNs sent it) still waits for
 *   the few late for it: its people are read at its own rate over the list of the PCNs still sending, people_m x
 *   list_sending_m / list_size_m (R16-2), and become the people themselves as the late files arrive.
 * - Monthly counts of people add up to more than the year's distinct people (someone referred in two months), so
 *   the year's monthly people are divided by a ratio of monthly people summed to people (red-team review 26, R26-5).
 *   The year so far's ratio reads low: people referred again later in the year are not repeats yet (one PCN of
 *   10,000 at 100 a month, 10 of each month's 100 from August people first referred four months earlier: April to
 *   July 400 people in 400 monthly counts, ratio 1; the year 1,200 monthly counts, 1,120 people, ratio 1.071). So
 *   the ratio is the latest complete year's (the target pace's, people-pace.ts) or the year so far's where that is
 *   higher (this year repeating more than that one did). Where that year's ratio at the end of the same month of its
 *   year is known (people-pace.ts ratioAtMonth), like for like instead: this year's ratio so far times that year's
 *   growth from the same month to its end (review 31, R31-6: the demo's 2026/27 at 1.013 after 8 months, 2025/26 at
 *   1.046 then and 1.049 at its end: 1.013 x 1.003, where 1.049 alone assumed the last 4 months would add 11.5% of
 *   repeats against 1.5% so far, 3% low and outside its own interval). The growth assumed is uncertain: its 95%
 *   prediction interval from the spread of England's growth across the complete years where 3 or more give one, else
 *   of the regions' growths in each (wider: review 34, R34-4), relative to it, is added to the months' interval in
 *   quadrature. Not where the latest complete year's England figures hold a revision back: its people by month in
 *   this refresh's data are not the published figures', so its full-year ratio as published is used (the caller,
 *   catalogue.ts; review 34, R34-9). Where no year is complete, the year so far's: the repeats
 *   to come are not known, the projection reads high by them, so it is never called "on track" ("uncertain" where
 *   its interval clears the target); "below target" stands (more repeats only lower it). `repeats` says which.
 * - "On track" only when the whole interval clears the target.
 */
export const COMPLETE_SUBMISSION_SHARE = 0.9;

/**
 * The least share of this year's PCNs submitting that must have been submitting in every month of the previous year
 * for it to give a seasonal profile (review 6, K6: "fewer than ~80% of this year's PCNs were there all last year").
 */
export const PROFILE_COVERAGE_SHARE = 0.8;

export interface MonthFigures {
  readonly month: string;
  readonly people: number;
  /** England's PCNs that sent any event dated in the month (rollout's pcns_submitting), where known. */
  readonly pcns_submitting?: number;
  /**
   * England's registered list of the PCNs onboarded by the month (rollout's list_size: PCNs in force, each from its
   * first month with events), where known: the profile's denominator (review 7, M2).
   */
  readonly list_size?: number;
  /**
   * England's registered list of the PCNs still sending by the month (onboarded, not stopped), those late for it
   * included (data_as_of.sql's list_sending), where known: the list the year is projected at (red-team review 16,
   * R16-2). list_size counts a PCN only once its extract for the month has come.
   */
  readonly list_sending?: number;
  /**
   * Of list_sending, the PCNs still open on the next month's first day (data_as_of.sql's list_continuing), where
   * known: a PCN closing at the end of the month sends no month after it, so the months to come are projected without
   * it (red-team review 17's residual of R16-2).
   */
  readonly list_continuing?: number;
}

/** The ratio the year's monthly people were divided by to give people in the year (R26-5). */
export interface RepeatScaling {
  /** Monthly people summed over people in the year, rounded to 3 decimals. */
  readonly ratio: number;
  /**
   * "year so far, grown as the latest complete year from the same month": this year's ratio so far times the growth
   * of `fy`'s (the latest complete year before this one) from the same month of its year to its end (review 31,
   * R31-6); "latest complete year": the ratio of `fy` (no figure for it at the same month); "year so far": this year's
   * months so far (`fy` is this year), where it is higher than the latest complete year's or none is complete;
   * "the year itself": the year has ended, its people are its total.
   */
  readonly from:
    | 'year so far, grown as the latest complete year from the same month'
    | 'latest complete year'
    | 'year so far'
    | 'the year itself';
  readonly fy: string;
  /** This year's ratio so far, rounded to 3 decimals (null without monthly people). */
  readonly year_so_far: number | null;
  /** False where no year is complete: the repeats to come are not known, and the projection reads high by them. */
  readonly known: boolean;
  /**
   * Where the ratio is the year so far's grown like for like (R31-6): `fy`'s ratio at the end of the same month of its
   * year (`month`, YYYY-MM) and its growth from there to its year end (its full-year ratio over it), each to 3
   * decimals; and the 95% prediction interval of that growth's relative error that the projection's interval carries
   * (`interval_pct`: null where fewer than 2 growths were given), from the spread of England's own growth across the
   * complete years where 3 or more give one, otherwise across the regions (`interval_from`; review 34, R34-4).
   */
  readonly same_month?: {
    readonly month: string;
    readonly ratio: number;
    readonly growth: number;
    readonly interval_pct: number | null;
    readonly interval_from: 'England, complete years' | 'regions';
  };
}

/**
 * The latest complete year's ratio of monthly people to people at the end of the month of its year that this year's
 * figures so far reach (people-pace.ts ratioAtMonth), and the growths of its regions' (and any earlier complete
 * years' regions') ratios from that month to their year end: their spread is the uncertainty of assuming this year
 * grows as that one did (R31-6).
 */
export interface SameMonthRatio {
  readonly month: string;
  readonly ratio: number;
  readonly growths: readonly number[];
  /** Whose growths: England's in each complete year (3 or more), or each region's (the default; R34-4). */
  readonly spread?: 'England' | 'regions';
}

export interface Projection {
  readonly months_elapsed: number;
  readonly complete_months: readonly string[];
  /**
   * "previous year per 1,000 list": the previous year's people per 1,000 registered list of the PCNs onboarded;
   * "previous year per PCN": its people per PCN submitting (no lists given); "previous year": its people (no lists
   * or PCN counts given); "flat": no profile (no previous year, or too few of this year's PCNs submitting all
   * through it).
   */
  readonly profile: 'previous year per 1,000 list' | 'previous year per PCN' | 'previous year' | 'flat';
  readonly projection_to_year_end: number | null;
  readonly projection_low: number | null;
  readonly projection_high: number | null;
  readonly on_track: boolean;
  readonly status: 'year complete' | 'on track' | 'below target' | 'uncertain' | 'too early to tell';
  readonly repeats: RepeatScaling;
  /** The ratio used and its year, in words (and why a projection whose interval clears the target is "uncertain"). */
  readonly note: string;
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
  /**
   * The latest complete year before this one: its monthly people summed over its people (people-pace.ts
   * repeatRatios), when there is one. Without it the repeats to come are not known (R26-5).
   */
  readonly repeatRatio?: {
    readonly fy: string;
    readonly ratio: number;
    /** Its ratio at the end of the same month of its year as this year's figures reach, and its regions' growths. */
    readonly at_month?: SameMonthRatio;
  };
  readonly target: number;
}): Projection {
  const calendar = monthsOfYear(options.fy);
  const byMonth = new Map(options.months.map((m) => [m.month, m]));
  const ended = calendar.filter((month) => monthEnd(month) <= options.dataAsOf);
  const started = calendar.filter((month) => `${month}-01` <= options.dataAsOf);
  const complete = ended.filter((month) => byMonth.has(month) && options.completeMonths.has(month));
  const { profile, shareOf } = seasonalProfile(options.previousYear ?? [], options.months);
  const weight = (month: string) => 12 * shareOf(month);
  const monthlySum = options.months.reduce((sum, m) => sum + m.people, 0);
  const soFar = monthlySum > 0 && options.peopleToDate > 0 ? monthlySum / options.peopleToDate : null;
  const three = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
  // The ratio the months' people are divided by (R26-5): the latest complete year's, or the year so far's where it is
  // higher; with no complete year, the year so far's (1 without monthly people), the repeats to come not known.
  const previous = options.repeatRatio;
  const ended12 = ended.length === 12;
  // A year that has ended is its own total, and its own ratio is the one it states (review 27, R27-4).
  // Like for like (review 31, R31-6): this year's ratio so far, grown as the latest complete year's grew from the same
  // month of its year to its end. The full-year ratio alone assumed this year ends where that one did, however far
  // below that one's at the same month this year is (the demo: 1.013 against 1.046 after 8 months, 3% low).
  const atMonth = previous?.at_month;
  const grown =
    !ended12 && previous !== undefined && soFar !== null && atMonth !== undefined && atMonth.ratio >= 1
      ? { growth: previous.ratio / atMonth.ratio, atMonth }
      : undefined;
  const usePrevious =
    !ended12 &&
    grown === undefined &&
    previous !== undefined &&
    previous.ratio >= 1 &&
    (soFar === null || previous.ratio >= soFar);
  const ratio = grown ? Math.max(1, Number(soFar) * grown.growth) : usePrevious ? previous.ratio : (soFar ?? 1);
  const scale = 1 / ratio;
  // The uncertainty of assuming this year grows as that one did: the spread of England's growth across its complete
  // years (3 or more), or short of that of the regions' in each (R34-4), as a 95% prediction interval for one more,
  // t(0.975, n - 1) x sd x sqrt(1 + 1/n) (Hahn and Meeker 1991), relative to the growth assumed.
  const growthError = grown ? relativePredictionHalfWidth(grown.atMonth.growths, grown.growth) : null;
  const repeats: RepeatScaling = {
    ratio: Number(three(ratio)),
    from: ended12
      ? 'the year itself'
      : grown
        ? 'year so far, grown as the latest complete year from the same month'
        : usePrevious
          ? 'latest complete year'
          : 'year so far',
    fy: (grown || usePrevious) && !ended12 && previous ? previous.fy : options.fy,
    year_so_far: three(soFar),
    known: ended12 || previous !== undefined,
    ...(grown
      ? {
          same_month: {
            month: grown.atMonth.month,
            ratio: Number(three(grown.atMonth.ratio)),
            growth: Number(three(grown.growth)),
            interval_pct: growthError === null ? null : Math.round(growthError * 1000) / 10,
            interval_from: grown.atMonth.spread === 'England' ? 'England, complete years' : 'regions',
          },
        }
      : {}),
  };
  const base = { months_elapsed: started.length, complete_months: complete, profile } as const;

  // A year that has ended is its own total.
  if (ended12)
    return {
      ...base,
      projection_to_year_end: options.peopleToDate,
      projection_low: options.peopleToDate,
      projection_high: options.peopleToDate,
      on_track: options.peopleToDate >= options.target,
      status: 'year complete',
      repeats,
      note: 'The year has ended: its people referred are its total.',
    };
  // Each month's level is a rate, people per 1,000 of the list of the PCNs onboarded that month, projected at the list
  // of the PCNs onboarded by the latest month ended (review 8, N7): months before a wave joined are then not read as
  // the pace of the PCNs sending now. Without a list for every month read, people (as before).
  const read = complete.filter((month) => weight(month) > 0);
  const latestList = [...ended]
    .reverse()
    .map((month) => {
      const m = byMonth.get(month);
      return m?.list_continuing ?? m?.list_sending ?? m?.list_size ?? 0;
    })
    .find((list) => list > 0);
  const listed = latestList !== undefined && read.every((month) => (byMonth.get(month)?.list_size ?? 0) > 0);
  /** A month's list in thousands (1 where the levels are people), and the list the unknown months are projected at. */
  const thousands = (month: string) => (listed ? Number(byMonth.get(month)?.list_size) / 1000 : 1);
  const at = listed ? Number(latestList) / 1000 : 1;
  const levels = read.map((month) => (byMonth.get(month)?.people ?? 0) / weight(month) / thousands(month));
  const n = levels.length;
  if (n < 2)
    return {
      ...base,
      projection_to_year_end: null,
      projection_low: null,
      projection_high: null,
      on_track: false,
      status: 'too early to tell',
      repeats,
      note: 'Fewer than 2 complete months: too early to project.',
    };
  const mean = levels.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(levels.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const unknown = calendar.filter((month) => !complete.includes(month)).map(weight);
  const w = unknown.reduce((a, b) => a + b, 0);
  const w2 = unknown.reduce((a, b) => a + b * b, 0);
  /** A complete month's people, its late PCNs' share read at the month's own rate (R16-2). */
  const peopleOf = (month: string) => {
    const m = byMonth.get(month);
    const late = listed && m?.list_sending && m.list_size && m.list_sending > m.list_size;
    return late ? (m.people * Number(m.list_sending)) / Number(m.list_size) : (m?.people ?? 0);
  };
  const observed = complete.reduce((sum, month) => sum + peopleOf(month), 0);
  const centre = (observed + w * at * mean) * scale;
  // The months' 95% prediction interval and the growth's (R31-6), independent errors, added in quadrature.
  const monthsHalf = t975(n - 1) * sd * at * Math.sqrt(w2 + (w * w) / n) * scale;
  const half = Math.hypot(monthsHalf, centre * (growthError ?? 0));
  const low = Math.max(options.peopleToDate, Math.round(centre - half));
  const high = Math.round(centre + half);
  // Without a complete year the repeats to come are not known: the projection reads high by them, so it is never
  // "on track"; "below target" stands, since more repeats would only lower it (R26-5).
  const onTrack = low >= options.target && repeats.known;
  return {
    ...base,
    projection_to_year_end: Math.round(centre),
    projection_low: low,
    projection_high: high,
    on_track: onTrack,
    status: onTrack ? 'on track' : high < options.target ? 'below target' : 'uncertain',
    repeats,
    note: repeatsNote(repeats, options.fy, low >= options.target && !repeats.known),
  };
}

/**
 * Half the 95% prediction interval of one more growth like those given, relative to `growth` (the one assumed): t(0.975,
 * n - 1) x sd x sqrt(1 + 1/n) / growth (R31-6). Null for fewer than 2.
 */
function relativePredictionHalfWidth(growths: readonly number[], growth: number): number | null {
  const n = growths.length;
  if (n < 2 || !(growth > 0)) return null;
  const mean = growths.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(growths.reduce((s, g) => s + (g - mean) ** 2, 0) / (n - 1));
  return (t975(n - 1) * sd * Math.sqrt(1 + 1 / n)) / growth;
}

/** A month, YYYY-MM, in words ("July 2024"). */
const monthName = (month: string) =>
  new Date(`${month}-01T00:00:00Z`).toLocaleString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** Which ratio scaled the months' people to people in the year, in words (R26-5). */
export function repeatsNote(repeats: RepeatScaling, fy: string, clearsWithoutRepeats: boolean): string {
  const ratio = repeats.ratio.toFixed(3);
  const soFar = repeats.year_so_far === null ? '' : ` (${fy} so far: ${repeats.year_so_far.toFixed(3)})`;
  const same = repeats.same_month;
  if (same && repeats.year_so_far !== null) {
    const between = same.interval_from === 'regions' ? 'regions' : 'complete years in England';
    const spread =
      same.interval_pct === null
        ? ' Too few regions gave that growth to say how much it varies: the interval is of the months alone.'
        : ` The 95% interval includes how much that growth varied between ${between} (plus or minus ${same.interval_pct.toFixed(1)}% of the projection).`;
    return `Monthly people are scaled to people in the year by ${fy}'s ratio of monthly people to people so far, ${repeats.year_so_far.toFixed(3)}, grown as ${repeats.fy}'s grew from the end of ${monthName(same.month)} (${same.ratio.toFixed(3)}) to its year end (x ${same.growth.toFixed(3)}): ${ratio}. The projection assumes the rest of this year adds repeat referrals as the same months of ${repeats.fy} did.${spread}`;
  }
  if (repeats.from === 'latest complete year')
    return `Monthly people are scaled to people in the year by ${repeats.fy}'s ratio of monthly people to people, ${ratio}${soFar}: the projection assumes this year repeats as ${repeats.fy} did.`;
  if (repeats.known)
    return `Monthly people are scaled to people in the year by ${fy}'s ratio so far, ${ratio}, higher than the latest complete year's: this year repeats more.`;
  return `Monthly people are scaled to people in the year by ${fy}'s ratio so far, ${ratio}: no year is complete, so the repeat referrals to come are not yet known and the projection reads high by them${clearsWithoutRepeats ? '; its interval clears the target only before those repeats, so it is not called on track' : ''}.`;
}

/**
 * The share of a year that each calendar month carries, from the previous year. The season is read from a rate, people
 * per 1,000 registered list of the PCNs onboarded in each month (review 7, M2), so that what grew because PCNs joined
 * is not read as a season: a previous year in which PCNs went from 10 to 60 has the same rate in April as in March,
 * so its profile is flat, where its raw shares said April was a sixth of March. People per PCN (review 6, K6) took out
 * the number of PCNs but not their size: lists are long-tailed (DOMAIN.md: 28,000 to 80,000 between the 5th and 95th
 * percentiles) and waves go an ICB or region at a time, so 12 PCNs three times the size joining in October made
 * October-March read 40% busier per PCN, and 60 PCNs merging into 50 (the same patients, the same people referred)
 * made them read 20% busier. A list counts the people who could be referred, whoever their PCN is. Where the PCNs and
 * their lists are the same all year, the rates give exactly the shares of its people.
 * Previous years without lists (a caller that has none) fall back to people per PCN submitting, then to people.
 */
function seasonalProfile(
  previous: readonly MonthFigures[],
  current: readonly MonthFigures[],
): { profile: Projection['profile']; shareOf: (month: string) => number } {
  const flat = { profile: 'flat', shareOf: () => 1 / 12 } as const;
  if (previous.length !== 12 || previous.reduce((sum, m) => sum + m.people, 0) <= 0) return flat;
  const counted = previous.every((m) => (m.pcns_submitting ?? 0) > 0);
  const listed = previous.every((m) => (m.list_size ?? 0) > 0);
  // Growth in PCNs cannot be told from a season without the counts: the shares are of people, as before K6.
  const perMonth = new Map(
    previous.map((m) => [
      m.month.slice(5),
      listed ? m.people / Number(m.list_size) : counted ? m.people / Number(m.pcns_submitting) : m.people,
    ]),
  );
  if (counted) {
    // PCNs submitting in every month of the previous year: at most its fewest in a month. This year's: its most in
    // a month (the previous year's most if this year has no counts yet).
    const fewestBefore = Math.min(...previous.map((m) => Number(m.pcns_submitting)));
    const thisYear = current.map((m) => m.pcns_submitting ?? 0).filter((n) => n > 0);
    const now = Math.max(...(thisYear.length > 0 ? thisYear : previous.map((m) => Number(m.pcns_submitting))));
    if (fewestBefore < PROFILE_COVERAGE_SHARE * now) return flat;
  }
  const total = [...perMonth.values()].reduce((a, b) => a + b, 0);
  return {
    profile: listed ? 'previous year per 1,000 list' : counted ? 'previous year per PCN' : 'previous year',
    shareOf: (month) => (perMonth.get(month.slice(5)) ?? 0) / total,
  };
}
