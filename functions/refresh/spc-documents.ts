import { type Figure, type Level, type MetricDocument, type MetricRow, SUPPRESSED } from '../contract/index.ts';
import { peoplePace } from '../stats/people-pace.ts';
import { analyseSeries } from '../stats/spc.ts';
import type { Improvement } from '../stats/spc-icons.ts';
import { ENGAGEMENT_COHORT_MONTHS, type Targets } from './catalogue.ts';
import { DISCLOSURE_NOTE } from './disclosure.ts';

/**
 * Making Data Count XmR charts of the monthly series (docs/methodology.md, "Comparing PCNs and change over time"), for England and every
 * region, ICB and PCN, from the published documents: below England the points are the rounded figures. A series with
 * any suppressed month is not charted at all (review2 F4): a month is `*` when its figure is small (1-7) or to protect
 * one that is, so the months left are chosen by the outcome (the low ones go), and joining them as if consecutive
 * would hide exactly the collapse a reader needs to see, with a mean, limits and a "last value" from before it. Such a
 * row has no mean, limits, rules or icons; it says how many months are suppressed and where to look instead (the
 * yearly figures, and the chart of the area above, which sums more people). One row per area and measure keeps the
 * document small enough to load whole; the API filters it by level and code.
 */
export interface SpcMeasure {
  readonly name: string;
  readonly label: string;
  /** The published document and column the series comes from (the first column present is used). */
  readonly document: string;
  readonly columns: readonly string[];
  readonly improvement: Improvement;
  /** Months at the end left out because their cohort's follow-up window has not yet closed. */
  readonly immatureMonths?: number;
  /** A monthly target for England, from the programme targets (and England's rows of the document). */
  readonly nationalTarget?: (targets: Targets, rows: readonly MetricRow[]) => number | null;
  /**
   * A count that falls when a PCN has not sent the month yet: its months sent by fewer of the area's PCNs than
   * expected (rollout's pcns_sent and pcns_expected) are marked partial (partialMonths; review 16, R16-3).
   */
  readonly coverage?: boolean;
  /**
   * The point of a row where the published column is rounded coarser than the series varies: its quotient of the
   * row's published figures at full precision (review 31, R31-8: referrals per 1,000 to 1 decimal moves in steps of
   * 6% of its level, more than the chart's own sigma, so its special causes were the rounding's). Below England the
   * quotient of rounded figures, which recovers nothing they do not give; `*` or no figure where the column has it.
   */
  readonly point?: (row: MetricRow) => Figure | null;
}

/** Points of a quotient kept to this many decimals: plenty for the chart, a fixed precision for the document. */
const POINT_DECIMALS = 4;

/** A row's published figures' quotient x `per`, where both are numbers and the denominator positive. */
const quotient =
  (numerator: string, denominator: string, per: number, column: string) =>
  (row: MetricRow): Figure | null => {
    const n = row[numerator];
    const d = row[denominator];
    if (typeof n === 'number' && typeof d === 'number' && d > 0) return Number(((n / d) * per).toFixed(POINT_DECIMALS));
    return (row[column] ?? null) as Figure | null;
  };

export const SPC_MEASURES: readonly SpcMeasure[] = [
  {
    name: 'referrals',
    label: 'Referrals',
    document: 'rollout',
    columns: ['referrals'],
    improvement: 'up',
    coverage: true,
  },
  {
    // The rate the board report and packs print (red-team review 19, R19-5): a count moves with the area's make-up
    // (a PCN joining, leaving or moving ICB), so its chart can flag a shift the rate per 1,000 patients does not have.
    name: 'referrals_per_1000',
    label: 'Referrals per 1,000 registered patients',
    document: 'rollout',
    columns: ['referrals_per_1000'],
    improvement: 'up',
    coverage: true,
    // Charted from referrals / list_size x 1,000 as published, not the 1-decimal column (R31-8).
    point: quotient('referrals', 'list_size', 1000, 'referrals_per_1000'),
  },
  {
    name: 'people_referred',
    label: 'People referred',
    document: 'rollout',
    columns: ['people_referred'],
    improvement: 'up',
    coverage: true,
    // The Long Term Plan's 900,000 a year is people referred in the year: a monthly pace like for like with a month's
    // people, a twelfth of it times how far the months' people add up to more than the year's (review 19, R19-8).
    nationalTarget: (t, rows) => peoplePace(rows, t.annual_referrals)?.monthly ?? null,
  },
  {
    name: 'decline_rate_pct',
    label: 'Offers declined, % of offers made',
    document: 'rollout',
    columns: ['decline_rate_pct'],
    improvement: 'down',
  },
  {
    name: 'engagement_pct',
    label: 'Engagement, % of referrals',
    document: 'cof_person',
    columns: ['engaged_pct', 'take_up_pct'],
    improvement: 'up',
    // Engagement is counted within 3 months of the referral, on cohorts whose window has closed: referred at least 3
    // months before the data-as-of date (issue 14, item 5; review2 F3). The youngest months charted are the last
    // whose whole window has closed, so every month charted has had the same time to engage.
    immatureMonths: ENGAGEMENT_COHORT_MONTHS,
    nationalTarget: (t) => t.take_up_pct,
  },
  {
    name: 'splw_fte',
    label: 'Link worker FTE',
    document: 'workforce',
    columns: ['splw_fte'],
    improvement: 'up',
  },
  {
    // The rate the board report and packs print (R19-5), not the FTE count, which falls when a PCN closes.
    name: 'splw_fte_per_10000',
    label: 'Link worker FTE per 10,000 registered patients',
    document: 'workforce',
    columns: ['splw_fte_per_10000'],
    improvement: 'up',
  },
];

const round2 = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);

/** The chart a reader of a series that cannot be charted monthly should look at instead. */
const AREA_ABOVE: Record<Level, string> = {
  pcn: "its ICB's chart",
  icb: "its region's chart",
  region: "England's chart",
  national: 'the yearly figures',
};

/** Why a series with suppressed months is not charted, in words for the Trends page, the pack and the board report. */
export function notChartedReason(level: Level, suppressed: number, months: number): string {
  return `Not charted month by month: ${suppressed} of ${months} months suppressed (too few people to publish); see the yearly figures and ${AREA_ABOVE[level]}`;
}

/**
 * The last month charted: the data-as-of month less `months` (a cohort too young for the outcome). The data-as-of
 * date is the end of the last complete month (data-as-of.ts), so no later month is ever charted; without one, none is.
 */
function cutoffMonth(dataAsOf: string | null, months: number): string {
  if (dataAsOf === null) return '0000-00';
  const [y, m] = dataAsOf.slice(0, 7).split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) - months;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/**
 * The months of an area's series sent by fewer of its PCNs than expected (rollout's pcns_sent of pcns_expected:
 * onboarded and not stopped), each with how many: "1 of 2 PCNs sent". The data-as-of rule is England's (90% of its
 * PCNs), so an ICB's published month can still wait for one of its PCNs, whose referrals are then in none of its
 * figures: a fall that is a late file, not fewer referrals (red-team review 16, R16-3). Only the months with a figure.
 */
export function partialMonths(rows: readonly MetricRow[], column: string): Record<string, string> {
  const partial: Record<string, string> = {};
  for (const r of rows) {
    const sent = r.pcns_sent;
    const expected = r.pcns_expected;
    if (typeof r[column] !== 'number' && r[column] !== SUPPRESSED) continue;
    if (typeof sent !== 'number' || typeof expected !== 'number' || sent >= expected) continue;
    partial[String(r.period)] = `${sent} of ${expected} PCNs sent`;
  }
  return partial;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function spcRows(documents: readonly MetricDocument[], targets: Targets, dataAsOf: string | null): MetricRow[] {
  const out: MetricRow[] = [];
  for (const measure of SPC_MEASURES) {
    const document = documents.find((d) => d.name === measure.document);
    if (!document) continue;
    const monthly = document.rows.filter((r) => r.period_type === 'month' && document.keys.length === 0);
    const column = measure.columns.find((c) => monthly.some((r) => c in r));
    if (!column) continue;
    const cutoff = cutoffMonth(dataAsOf, measure.immatureMonths ?? 0);
    const nationalTarget = measure.nationalTarget?.(
      targets,
      document.rows.filter((r) => r.level === 'national'),
    );
    const series = new Map<string, MetricRow[]>();
    for (const row of monthly) {
      if (String(row.period) > cutoff) continue;
      const key = `${row.level}|${row.code}`;
      const rows = series.get(key);
      if (rows === undefined) series.set(key, [row]);
      else rows.push(row);
    }
    // A row's point: the measure's own (point) or the published column.
    const pointOf = (r: MetricRow): Figure | null =>
      measure.point ? measure.point(r) : ((r[column] ?? null) as Figure | null);
    for (const rows of series.values()) {
      // Months (YYYY-MM, one format and length) in order: compared as text, as localeCompare orders them, without a
      // collator per comparison (issue 17: that was most of this step nationally).
      const sorted = [...rows].sort((a, b) => byText(String(a.period), String(b.period)));
      // Months with a figure, published or suppressed; a month without one (null: no data yet) is not a point.
      const months = sorted.filter((r) => typeof pointOf(r) === 'number' || pointOf(r) === SUPPRESSED);
      if (months.length === 0) continue;
      const suppressed = months.filter((r) => pointOf(r) === SUPPRESSED).length;
      const first = sorted[0] as MetricRow;
      const target = first.level === 'national' ? (nationalTarget ?? null) : null;
      const values = Object.fromEntries(sorted.map((r) => [String(r.period), pointOf(r)]));
      const shared = {
        level: first.level,
        code: first.code,
        period_type: 'all' as const,
        period: 'all',
        measure: measure.name,
        improvement: measure.improvement,
        target,
        suppressed_months: suppressed,
        first_month: String(months[0]?.period),
        // The latest month with a figure, even when that figure is *: never an earlier month standing for it.
        last_month: String(months.at(-1)?.period),
        last_value: (months.at(-1) === undefined ? null : pointOf(months.at(-1) as MetricRow)) as Figure,
        partial_months: measure.coverage === true ? partialMonths(months, column) : {},
      };
      if (suppressed > 0) {
        out.push({
          ...shared,
          points: 0,
          not_charted: notChartedReason(first.level, suppressed, months.length),
          mean: null,
          median: null,
          upper_limit: null,
          lower_limit: null,
          upper_2sigma: null,
          lower_2sigma: null,
          variation: null,
          assurance: null,
          values,
          rules: {},
        });
        continue;
      }
      const result = analyseSeries(
        months.map((r) => pointOf(r) as number),
        { improvement: measure.improvement, target },
      );
      out.push({
        ...shared,
        points: months.length,
        not_charted: null,
        mean: round2(result.mean),
        median: round2(result.median),
        upper_limit: round2(result.upper_limit),
        lower_limit: round2(result.lower_limit),
        upper_2sigma: round2(result.upper_2sigma),
        lower_2sigma: round2(result.lower_2sigma),
        variation: result.variation,
        assurance: result.assurance,
        values,
        rules: Object.fromEntries(
          result.points.flatMap((p, i) => (p.rules.length > 0 ? [[String(months[i]?.period), p.rules.join(' ')]] : [])),
        ),
      });
    }
  }
  return out;
}

export function spcDocument(
  documents: readonly MetricDocument[],
  context: { targets: Targets; generatedAt: string; dataAsOf: string | null },
): MetricDocument {
  return {
    name: 'spc',
    title: 'Change over time: statistical process control',
    description:
      'Each monthly series (referrals, referrals per 1,000 registered patients, people referred, the offers-declined rate, engagement within 3 months of referral, of cohorts whose 3 months have passed, link worker FTE, link worker FTE per 10,000 registered patients) for England, each region, ICB and PCN as a Making Data Count XmR chart: the mean, process limits at the mean ± 2.66 × the mean moving range (moving ranges of 3.267 × their mean or more screened out first, as NHSRplotthedots does, except where the median moving range is 0: then none are), and special causes: a point beyond a limit, 6 points in a row on one side of the mean, 6 points each higher (or lower) than the one before, 2 of 3 points on one side of the mean beyond 2 sigma (those points flagged). A series of fewer than 13 points is a run chart about its median, without limits or icons. The variation icon reads the last point; the assurance icon compares the target with the limits. Below England the points are the rounded published figures (referrals per 1,000: the published referrals over the published list x 1,000 to 4 decimals, not the 1-decimal rate); a series with a suppressed month is not charted (not_charted says why and where to look instead) (docs/methodology.md, "Comparing PCNs and change over time").',
    generated_at: context.generatedAt,
    data_as_of: context.dataAsOf,
    definitions: {
      measure: SPC_MEASURES.map((m) => `${m.name} (${m.label})`).join(', '),
      improvement: 'Which way is better: up, down or neither.',
      target:
        "The monthly target, where there is one (England): engagement's take-up expectation; for people referred, the people a month that give the annual target in the year, a twelfth of it times the latest complete year's monthly people summed over its people (a month's people are distinct within the month, the target's within the year; its months so far where no year is complete).",
      points: 'Months charted (0 when the series is not charted).',
      suppressed_months: 'Months of the series published as * (1 to 7, or suppressed to protect another month).',
      not_charted:
        'Empty for a charted series; otherwise why it is not charted: with a suppressed month, the months left are not a fair series (the small months are the ones missing), so there are no mean, limits, rules or icons.',
      first_month: 'The first month with a figure.',
      last_month: 'The latest month with a figure, suppressed or not.',
      last_value: 'The figure of last_month (* when suppressed).',
      mean: 'Mean of the points.',
      median: "Median of the points: a run chart's centre line, which its shift rule reads (fewer than 13 points).",
      upper_limit: 'Upper process limit: mean + 2.66 × mean moving range (13 or more points).',
      lower_limit: 'Lower process limit: mean − 2.66 × mean moving range.',
      upper_2sigma: 'Mean + (2/3) × 2.66 × mean moving range: the line of the two-of-three rule.',
      lower_2sigma: 'Mean − (2/3) × 2.66 × mean moving range.',
      variation:
        'From the last point: improvement_high/low, concern_high/low, neither_high/low or common_cause; empty under 13 points or when not charted.',
      assurance: 'pass, fail or hit_or_miss: the target against the process limits; empty without a target.',
      values: 'The value of each month (* suppressed).',
      rules: 'The special cause rules flagging each month: outside, shift, trend, two_of_three, each :high or :low.',
      partial_months:
        "Referrals, referrals per 1,000 and people referred: the months sent by fewer of the area's PCNs than expected (rollout's pcns_sent of pcns_expected: onboarded, not stopped), each as \"1 of 2 PCNs sent\". A PCN not yet sent is in none of the month's figures, so a low point or a special cause there may be a late file, not fewer referrals. England's months are published once 90% of its PCNs have sent them; an area's may still wait for some.",
    },
    disclosure: DISCLOSURE_NOTE,
    keys: ['measure'],
    rows: spcRows(documents, context.targets, context.dataAsOf),
  };
}
