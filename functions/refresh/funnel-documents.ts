import {
  FUNNEL_MEASURES,
  type FunnelMeasure,
  type FunnelOverdispersion,
  type FunnelRates,
  type MetricSummaries,
  SUPPRESSED,
} from '../contract/index.ts';
import type { Row } from '../lib/query-engine.ts';
import { funnelLimits, type Limits, outsideLimits } from '../stats/funnel-limits.ts';
import { estimateOverdispersion, type FunnelUnit } from '../stats/funnel-overdispersion.ts';
import { heldFrom } from './revisions.ts';

/**
 * Why a period's England comparator is not published: England's figure of the period holds a revision back (its
 * rows as published take the PCNs' contributions of the release it comes from), while every PCN's row is this
 * release's, so the comparator would be of fewer months than the PCNs beside it (review 4, F2: PCNs flagged high,
 * φ and τ² inflated). A comparator made from the PCNs' current rows would give England's held figure back by
 * arithmetic (rate x list size), so neither is published; the regions' comparators are made from the PCNs' current
 * rows and stay.
 */
export const ENGLAND_HELD = "England's year held, revision pending";

/**
 * Places each PCN on funnel plots (docs/methodology.md, "Comparing PCNs and change over time"): FunnelPlotR's overdispersed limits for
 * proportions around England's rate and around the PCN's region's rate, and the plain limits too (the dashboard's
 * toggle). Disclosure (issue 14): everything below England is computed from the published, rounded PCN figures;
 * a suppressed PCN is not drawn, has no position and does not count towards its region's τ² (review 31, R31-1: a `*`
 * may hide a large count, so no position of it holds). A region's rate is its own published figure where the
 * documents the counts come from publish it (regionFigure), so that its suppressed PCNs are in it, else its placed
 * PCNs'. A region with fewer than MIN_PCNS_FOR_REGION placed PCNs gets no comparator of its own (its PCNs are
 * compared with England only). England's rate is England's own exact figure, which is published as it is.
 */
/** Denominators of the limit curves drawn: a log-spaced grid across the PCNs' range, between round ends. */
const CURVE_POINTS = 40;
/** Published rates, limits, φ and τ² keep this many significant digits: plenty to draw, no more. */
const SIGNIFICANT = 6;
const round = (x: number) => Number(x.toPrecision(SIGNIFICANT));

type Position = 'high' | 'low' | 'within';

/**
 * A region's own comparator (rate, φ, τ², curves, the PCNs' `_vs_region` positions) is published only when at least
 * this many of its PCNs are placed for the measure and year. With one, the comparator is that PCN's own rounded rate,
 * readable by roles that may not read the PCN's row; with two, either PCN (or anyone with one row) works out the
 * other's rate from it. With three or more, one row and the comparator leave two unknowns.
 */
export const MIN_PCNS_FOR_REGION = 3;
/** `_vs_region` of a placed PCN whose region has too few placed PCNs: compared with England only. */
export const TOO_FEW_IN_REGION = 'too_few_in_region';

/** A comparator's exact rate (a proportion), φ and τ²; published rounded (FunnelOverdispersion). */
export type FunnelComparator = FunnelOverdispersion;

/**
 * The exposure of a PCN in a period: its mean list size × the months it was open / the months of the period with
 * data, so that a PCN open half the year is compared with half a year of referrals (issue 14, item 8).
 */
export function exposureOf(row: Row, monthsInPeriod: number): number | null {
  const list = row.list_size;
  if (typeof list !== 'number' || !(list > 0)) return null;
  // Without months open (or months in the period) to go on, the whole list is the exposure.
  const open = Number(row.months_open ?? monthsInPeriod);
  if (!(monthsInPeriod > 0) || !(open > 0)) return Math.round(list);
  return Math.round((list * Math.min(open, monthsInPeriod)) / monthsInPeriod);
}

function comparator(units: readonly FunnelUnit[], rate: number | null, held?: object): FunnelComparator | null {
  if (held !== undefined || units.length === 0 || rate === null || !(rate > 0 && rate < 1)) return null;
  const { phi, tau2 } = estimateOverdispersion(units, rate);
  return { rate, phi, tau2, pcns: units.length };
}

/** The i-th number of the 1-2-5 series 1, 2, 5, 10, 20, 50, ...: round numbers spaced about evenly on a log scale. */
const oneTwoFive = (i: number) => ([1, 2, 5][i % 3] as number) * 10 ** Math.floor(i / 3);
/** 1-2-5 numbers up to 5 × 10^14, beyond any denominator (exact in a double, as powers of ten to 10^22 are). */
const SERIES_LENGTH = 45;

/**
 * The ends of the curves' grid: the 1-2-5 number at or below the smallest placed denominator and the one at or above
 * the largest (the next one up when both are the same). Review 2, F7: the grid ran from the smallest to the largest
 * PCN's own figure, and the summary goes to every role, so a PCN user read two other PCNs' denominators off the
 * curves. Round ends say only which 1-2-5 step the extremes fall in, and no point of the grid depends on any one
 * PCN's figure beyond that.
 */
export function curveEnds(sizes: readonly number[]): { low: number; high: number } {
  const smallest = Math.max(1, Math.min(...sizes));
  const largest = Math.max(...sizes);
  let i = 0;
  while (i + 1 < SERIES_LENGTH && oneTwoFive(i + 1) <= smallest) i++;
  let j = i + 1;
  while (j < SERIES_LENGTH && oneTwoFive(j) < largest) j++;
  if (!(j < SERIES_LENGTH)) throw new Error(`funnel denominators beyond the curves' grid: ${largest}`);
  return { low: oneTwoFive(i), high: oneTwoFive(j) };
}

function curve(c: FunnelComparator, sizes: readonly number[], tau2: number) {
  const { low, high } = curveEnds(sizes);
  return Array.from({ length: CURVE_POINTS }, (_, i) => Math.round(low * (high / low) ** (i / (CURVE_POINTS - 1))))
    .filter((n, i, all) => i === 0 || n !== all[i - 1])
    .map((n) => {
      const limits = funnelLimits(c.rate, n, tau2);
      return {
        n,
        ...(Object.fromEntries(Object.entries(limits).map(([k, v]) => [k, round(v)])) as unknown as Limits),
      };
    });
}

const positionOf = (p: number, c: FunnelComparator | null | undefined, n: number, tau2: number): Position | null => {
  if (!c) return null;
  return outsideLimits(p, funnelLimits(c.rate, n, tau2)) ?? 'within';
};

/**
 * A PCN row's rate and positions for one measure: placed PCNs by their published rate; any other row (a `*`, or no
 * denominator) not placed, with no position.
 */
function positionRow(
  row: Row,
  m: FunnelMeasure,
  denominator: unknown,
  where: {
    readonly placed: boolean;
    readonly national: FunnelComparator | null;
    readonly regional: FunnelComparator | undefined;
    readonly tooFewInRegion: boolean;
  },
): void {
  const numerator = row[m.numerator];
  const { national, tooFewInRegion } = where;
  if (!where.placed || typeof numerator !== 'number' || typeof denominator !== 'number') {
    row[m.name] = numerator === SUPPRESSED ? SUPPRESSED : null;
    setPositions(row, m.name, () => null, national, where.regional);
    return;
  }
  const p = Math.min(numerator, denominator) / denominator;
  row[m.name] = Math.round(p * m.per * 100) / 100;
  const { regional } = where;
  row[`${m.name}_vs_national`] = positionOf(p, national, denominator, national?.tau2 ?? 0);
  row[`${m.name}_vs_national_unadjusted`] = positionOf(p, national, denominator, 0);
  // Placed, but its region has no comparator (too few placed PCNs): the row says so, not just null.
  const noRegion = tooFewInRegion ? TOO_FEW_IN_REGION : null;
  row[`${m.name}_vs_region`] = noRegion ?? positionOf(p, regional, denominator, regional?.tau2 ?? 0);
  row[`${m.name}_vs_region_unadjusted`] = noRegion ?? positionOf(p, regional, denominator, 0);
}

/** Sets a row's four positions for a measure: against England and the region, adjusted and plain. */
function setPositions(
  row: Row,
  measure: string,
  position: (c: FunnelComparator | null | undefined, tau2: number) => Position | null,
  national: FunnelComparator | null,
  regional: FunnelComparator | undefined,
): void {
  row[`${measure}_vs_national`] = position(national, national?.tau2 ?? 0);
  row[`${measure}_vs_national_unadjusted`] = position(national, 0);
  row[`${measure}_vs_region`] = position(regional, regional?.tau2 ?? 0);
  row[`${measure}_vs_region_unadjusted`] = position(regional, 0);
}

/*
 * No position for a PCN whose numerator is published as `*` (review 31, R31-1). Review 6, K1 placed a `*` low where
 * even 7 of its denominator was below the lower limit, and review 7, M13 made that the same for every `*` (published
 * figures only: placing only the true 1-7 would tell a reader which `*` are secondary). But a secondary `*` hides a
 * count of any size, usually beside a large denominator, which is where "even 7 is low" holds; a primary `*` comes
 * with a small denominator, where it does not. In the demo every such position (8 alerts) was on a secondary `*`
 * whose exact rate was within the limits. FunnelPlotR and NHS practice draw no suppressed unit: neither does this,
 * and the dashboard says "not shown: suppressed".
 */

/** England's figure of a period holds a revision back (its rows as published are marked): the reason and release. */
function englandHeldOf(raw: readonly Row[]): { reason: string; release: string | null } | undefined {
  for (const row of raw) {
    const from = heldFrom(row);
    if (from) return { reason: ENGLAND_HELD, release: from.release };
  }
  return undefined;
}

const heldNote = (held: ReturnType<typeof englandHeldOf>) => (held ? { national_held: held } : {});

/** The limit curves: England's (none while England is held: regions' only) and each region's. */
function curvesOf(
  national: FunnelComparator | null,
  regions: Record<string, FunnelComparator>,
  sizes: readonly number[],
  tau2Of: (c: FunnelComparator) => number,
  englandHeld: object | undefined,
) {
  return sizes.length === 0 || (!national && !englandHeld)
    ? null
    : {
        national: national ? curve(national, sizes, tau2Of(national)) : [],
        regions: Object.fromEntries(Object.entries(regions).map(([k, c]) => [k, curve(c, sizes, tau2Of(c))])),
      };
}

/**
 * Each region's comparator from its placed PCNs, and the regions with too few placed PCNs to have one
 * (MIN_PCNS_FOR_REGION).
 */
function regionComparators(
  placed: readonly (FunnelUnit & { row: Row })[],
  published: (region: string) => number | undefined,
) {
  const regions: Record<string, FunnelComparator> = {};
  const tooFew = new Set<string>();
  for (const region of new Set(placed.map((u) => String(u.row.region_code)))) {
    const units = placed.filter((u) => String(u.row.region_code) === region);
    if (units.length < MIN_PCNS_FOR_REGION) {
      tooFew.add(region);
      continue;
    }
    // The region's published rate (its own rounded counts, its suppressed PCNs in them: review 31, R31-1), else its
    // placed PCNs' published, rounded figures: no more precise than what is published either way.
    const numerators = units.reduce((s, u) => s + u.numerator, 0);
    const c = comparator(units, published(region) ?? numerators / units.reduce((s, u) => s + u.denominator, 0));
    if (c) regions[region] = c;
  }
  return { regions, tooFew };
}

/**
 * A region's published figure of a column in a period (its row of the document the PCN rows' column comes from, as
 * that document publishes it: a number, `*` or null), or undefined where no document publishes it.
 */
export type RegionFigure = (region: string, period: string, column: string) => unknown;

/**
 * The region figures of the documents a funnel document's counts are the same as (its sameAs): each column from the
 * region row of the document it comes from, with that document's key (level, code, period type and period).
 */
export function regionFiguresOf(
  sameAs: readonly { readonly document: string; readonly columns: Readonly<Record<string, string>> }[],
  documentOf: (name: string) => { readonly rows: readonly Record<string, unknown>[] } | undefined,
): RegionFigure {
  return (region, period, column) => {
    for (const s of sameAs) {
      const source = s.columns[column];
      if (source === undefined) continue;
      const row = documentOf(s.document)?.rows.find(
        (r) => r.level === 'region' && r.code === region && r.period_type === 'fy' && String(r.period) === period,
      );
      return row?.[source];
    }
    return undefined;
  };
}

/**
 * Adds each measure's rate and position to the published PCN rows (in place) and returns the document summary:
 * per period and measure, the comparators with φ and τ², and limit curves adjusted and plain.
 */
export function placeOnFunnels(
  rows: Row[],
  raw: readonly Row[],
  regionFigure: RegionFigure = () => undefined,
): Pick<MetricSummaries, 'funnel_rates' | 'per' | 'denominators'> {
  const summary: Record<string, Record<string, FunnelRates>> = {};
  for (const period of [...new Set(raw.map((r) => String(r.period)))]) {
    const rawInPeriod = raw.filter((r) => String(r.period) === period);
    const rowsInPeriod = rows.filter((r) => String(r.period) === period);
    const monthsInPeriod = Math.max(0, ...rawInPeriod.map((r) => Number(r.months_open ?? 0)));
    const denominatorOf = (row: Row, m: FunnelMeasure): unknown =>
      m.denominator === 'exposure' ? exposureOf(row, monthsInPeriod) : row[m.denominator];
    for (const row of rowsInPeriod) row.exposure = exposureOf(row, monthsInPeriod);
    summary[period] = {};
    const held = englandHeldOf(rawInPeriod);
    for (const m of FUNNEL_MEASURES) {
      if (!rawInPeriod.some((r) => m.numerator in r)) continue;
      // England: its exact rate (England figures are published as they are).
      const sum = <T>(rs: readonly T[], f: (r: T) => unknown) => rs.reduce((s, r) => s + (Number(f(r)) || 0), 0);
      const englandDenominator = sum(rawInPeriod, (r) => denominatorOf(r, m));
      const england = englandDenominator > 0 ? sum(rawInPeriod, (r) => r[m.numerator]) / englandDenominator : null;
      // PCNs that can be placed: published (rounded) numerator and a positive denominator.
      const placed = rowsInPeriod.flatMap((row) => {
        const numerator = row[m.numerator];
        const denominator = denominatorOf(row, m);
        return typeof numerator === 'number' && typeof denominator === 'number' && denominator > 0
          ? [{ row, numerator: Math.min(numerator, denominator), denominator }]
          : [];
      });
      // England held: no England comparator (see ENGLAND_HELD).
      const national = comparator(placed, england, held);
      const { regions, tooFew } = regionComparators(placed, (region) => {
        const numerator = regionFigure(region, period, m.numerator);
        const denominator = regionFigure(region, period, m.denominator);
        return typeof numerator === 'number' && typeof denominator === 'number' && denominator > 0
          ? Math.min(numerator, denominator) / denominator
          : undefined;
      });
      const sizes = placed.map((u) => u.denominator);
      const published = (c: FunnelComparator) => ({
        rate: round(c.rate),
        phi: round(c.phi),
        tau2: round(c.tau2),
        pcns: c.pcns,
      });
      const curves = (tau2Of: (c: FunnelComparator) => number) => curvesOf(national, regions, sizes, tau2Of, held);
      summary[period][m.name] = {
        national: national ? round(national.rate) : null,
        regions: Object.fromEntries(Object.entries(regions).map(([k, c]) => [k, round(c.rate)])),
        overdispersion: {
          national: national ? published(national) : null,
          regions: Object.fromEntries(Object.entries(regions).map(([k, c]) => [k, published(c)])),
        },
        curves: curves((c) => c.tau2),
        curves_unadjusted: curves(() => 0),
        ...heldNote(held),
      };
      const placedRows = new Set(placed.map((u) => u.row));
      for (const row of rowsInPeriod)
        positionRow(row, m, denominatorOf(row, m), {
          placed: placedRows.has(row),
          national,
          regional: regions[String(row.region_code)],
          tooFewInRegion: tooFew.has(String(row.region_code)),
        });
    }
  }
  return {
    funnel_rates: summary,
    per: Object.fromEntries(FUNNEL_MEASURES.map((m) => [m.name, m.per])),
    denominators: Object.fromEntries(FUNNEL_MEASURES.map((m) => [m.name, m.denominator])),
  };
}

/** Share of the placed PCNs outside the 99.8% limits, for one measure, period and comparison. */
export interface OutsideShare {
  readonly period: string;
  readonly measure: string;
  /** vs_national, vs_region, vs_national_unadjusted or vs_region_unadjusted */
  readonly against: string;
  readonly placed: number;
  readonly high: number;
  readonly low: number;
  /** (high + low) / placed, in %, to 1 decimal place; null when none is placed. */
  readonly outside_pct: number | null;
}

/**
 * How many PCNs each funnel flags, from the published pcn_comparison rows: the check on calibration (a funnel that
 * fits flags about 0.2% of PCNs by chance at 99.8%; issue 15). A PCN not placed (suppressed) is not counted.
 */
export function outsideShares(rows: readonly Record<string, unknown>[]): OutsideShare[] {
  const against = ['vs_national', 'vs_region', 'vs_national_unadjusted', 'vs_region_unadjusted'];
  const periods = [...new Set(rows.map((r) => String(r.period)))].sort();
  return periods.flatMap((period) =>
    FUNNEL_MEASURES.flatMap((m) =>
      against.map((a) => {
        const positions = rows
          // Drawn PCNs only (a published rate; a `*` has no position since review 31, R31-1).
          .filter((r) => String(r.period) === period && typeof r[m.name] === 'number')
          .map((r) => r[`${m.name}_${a}`])
          .filter((p) => p === 'high' || p === 'low' || p === 'within');
        const high = positions.filter((p) => p === 'high').length;
        const low = positions.filter((p) => p === 'low').length;
        const placed = positions.length;
        return {
          period,
          measure: m.name,
          against: a,
          placed,
          high,
          low,
          outside_pct: placed === 0 ? null : Math.round(((high + low) / placed) * 1000) / 10,
        };
      }),
    ),
  );
}
