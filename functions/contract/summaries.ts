/**
 * The shapes of the `summary` of the published metric documents, and the funnel measures, written once for the
 * refresh that builds them and the dashboard that reads them (issue 13). Read a summary through `summaryOf`, which
 * gives it its type, rather than casting.
 */
import type { MetricDocument } from './metrics.ts';

/** A measure placed on the funnel plots of pcn_comparison (docs/methodology.md, "Comparing PCNs"). */
export interface FunnelMeasure {
  readonly name: string;
  readonly label: string;
  /** What the published rate counts, per `per`. */
  readonly unit: string;
  /** The funnel's x axis: the denominator, in words. */
  readonly axis: string;
  readonly numerator: string;
  /** A column of the row, or 'exposure': the list size pro rata to the months the PCN was open in the period. */
  readonly denominator: string;
  readonly per: number;
}

export const FUNNEL_MEASURES: readonly FunnelMeasure[] = [
  {
    name: 'referral_rate',
    label: 'Referral rate',
    unit: 'referrals per 1,000 patients',
    axis: 'Registered patients, pro rata to months open (log scale)',
    numerator: 'referrals',
    denominator: 'exposure',
    per: 1000,
  },
  {
    name: 'take_up_pct',
    label: 'Take-up',
    unit: '% engaged (a link worker contact within 3 months of referral, not declined), of referrals whose 3 months have passed',
    axis: 'Referrals made at least 3 months before (log scale)',
    // Take-up is engagement on the engagement cohort, wellbeing on the outcome cohort, as cof_person defines them.
    numerator: 'engaged',
    denominator: 'engagement_cohort',
    per: 100,
  },
  {
    name: 'wellbeing_improved_pct',
    label: 'Wellbeing improvement',
    unit: '% of referrals measured that improved',
    axis: 'Referrals measured twice (log scale)',
    numerator: 'wellbeing_improved',
    denominator: 'wellbeing_measured',
    per: 100,
  },
];

/** Funnel limits at one denominator n (proportions). */
export interface LimitPoint {
  readonly n: number;
  readonly lower95: number;
  readonly upper95: number;
  readonly lower998: number;
  readonly upper998: number;
}

/** A comparator's rate, φ (overdispersion) and τ² (the between-PCN variance added to the limits). */
export interface FunnelOverdispersion {
  readonly rate: number;
  readonly phi: number;
  readonly tau2: number;
  readonly pcns: number;
}

export type FunnelCurves = {
  readonly national: readonly LimitPoint[];
  readonly regions: Readonly<Record<string, readonly LimitPoint[]>>;
} | null;

/** One measure in one period: comparator rates, overdispersion, and limit curves adjusted and plain. */
export interface FunnelRates {
  readonly national: number | null;
  readonly regions: Readonly<Record<string, number>>;
  readonly overdispersion: {
    readonly national: FunnelOverdispersion | null;
    readonly regions: Readonly<Record<string, FunnelOverdispersion>>;
  };
  readonly curves: FunnelCurves;
  readonly curves_unadjusted: FunnelCurves;
  /**
   * Present when England's figure of the period holds a revision back: no England comparator, curves or
   * `_vs_national` positions are published (they would compare this release's PCNs with an earlier release's England);
   * `release` is the release England's figure comes from.
   */
  readonly national_held?: { readonly reason: string; readonly release: string | null };
}

/** Which referrals a document's outcome figures cover. */
export interface Cohorts {
  readonly engagement: { readonly months: number; readonly referred_on_or_before: string };
  readonly outcomes: { readonly months: number; readonly referred_on_or_before: string };
  /**
   * England's periods whose figures hold a revision back (docs/methodology.md, revisions), by period: their figures
   * are those of the release `release` (data as of `data_as_of`) and cover the referrals of its cut-offs.
   */
  readonly held?: Readonly<Record<string, HeldCohorts>>;
}

/** The cohorts of England's figures of a period held at an earlier release. */
export interface HeldCohorts {
  readonly release: string | null;
  readonly data_as_of: string | null;
  readonly engagement: { readonly months: number; readonly referred_on_or_before: string };
  readonly outcomes: { readonly months: number; readonly referred_on_or_before: string };
}

/**
 * Which connections cof_community's attendance covers: those made on or before the cut-off, `months` before the
 * data-as-of date (docs/methodology.md, "Community"; red-team review 19, R19-12).
 */
export interface AttendanceCohort {
  readonly months: number;
  readonly connected_on_or_before: string;
  /** England's periods held at an earlier release (as Cohorts.held): they cover that release's connections. */
  readonly held?: Readonly<Record<string, HeldAttendanceCohort>>;
}

/** The attendance cohort of England's figures of a period held at an earlier release. */
export interface HeldAttendanceCohort {
  readonly release: string | null;
  readonly data_as_of: string | null;
  readonly months: number;
  readonly connected_on_or_before: string;
}

/** Progress of a financial year's people referred against the annual target (rollout). */
export interface TargetProgress {
  readonly fy: string;
  readonly measure: string;
  readonly people_referred_to_date: number;
  readonly referrals_to_date: number;
  readonly target: number;
  readonly share_of_target_pct: number;
  readonly months_elapsed: number;
  readonly complete_months: readonly string[];
  readonly profile: string;
  readonly projection_to_year_end: number | null;
  readonly projection_low: number | null;
  readonly projection_high: number | null;
  readonly on_track: boolean;
  readonly status: string;
  /**
   * The ratio of monthly people summed to people in the year that the months' people were divided by (red-team review
   * 26, R26-5): the latest complete year's (`from` "latest complete year", `fy` that year), or this year's so far where
   * higher or none is complete ("year so far"; `known` false where no year is complete: the repeats to come are not
   * known, the projection reads high by them and is not called on track). Absent in releases before December 2026.
   */
  readonly repeats?: {
    readonly ratio: number;
    readonly from: string;
    readonly fy: string;
    readonly year_so_far: number | null;
    readonly known: boolean;
    /**
     * Where the ratio is this year's so far grown as the latest complete year's grew from the same month (`from` "year
     * so far, grown as the latest complete year from the same month"; review 31, R31-6): that year's ratio at the end
     * of the month (`month`), its growth to its year end, and the half-width of the 95% interval the growth's spread
     * adds, % of the projection (null where too few regions gave one): the spread of England's own growth across the
     * complete years where 3 or more give one, otherwise across the regions (`interval_from`, review 34 R34-4; absent
     * before then, when it was the regions'). Absent before December 2026, and where the latest complete year's England
     * figures hold a revision back (review 34, R34-9).
     */
    readonly same_month?: {
      readonly month: string;
      readonly ratio: number;
      readonly growth: number;
      readonly interval_pct: number | null;
      readonly interval_from?: string;
    };
  };
  /** The ratio used in words (absent in releases before December 2026). */
  readonly note?: string;
  /**
   * Present when the year's England figures hold a revision back (docs/methodology.md, revisions): its people and
   * projection are those of the release `release` (its data as of `data_as_of`), projected over that release's months.
   */
  readonly held?: { readonly release: string | null; readonly data_as_of: string | null };
}

/**
 * Rows below England that disclosure control left out of a document (docs/methodology.md, "Disclosure control": where
 * a figure would still be worked out with nothing left to suppress), so that a reader can tell them from no data
 * (red-team review 7, M8). Per period and document keys, the levels left out, never how many rows: in a document that
 * lists only areas with a figure, that would count the areas with one (3 PCN rows beside England's 3 would be 1 each).
 */
export interface WithheldBelowEngland {
  readonly reason: string;
  readonly withheld: readonly {
    readonly period_type: string;
    readonly period: string;
    /** The document's keys of the rows (contacts, instrument, dimension and group...), where it has any. */
    readonly keys?: Readonly<Record<string, unknown>>;
    /** The levels of the rows left out (region, icb, pcn; national for England's groups of PCNs). */
    readonly levels: readonly string[];
    /**
     * Present (true) where England's row of the period and keys holds figures back too (the revisions policy: no
     * figure, or an earlier release's; summary.revisions_held), so England's figure there is not this release's.
     */
    readonly england_held?: true;
  }[];
}

/**
 * ICB and region rows whose figures are as at an earlier release (docs/methodology.md, "Revisions of figures below
 * England"; red-team review 11, R11-1): a change since made by fewer than 3 of the area's PCNs, or by one mostly, is
 * not used yet, so these rows need not add up with the PCN rows beside them. `rows`: `level|code|period` (a year held
 * beside months new since: its figures then plus those months'); none listed when the record of earlier releases was
 * lost (`fail_closed`: every area row of a period published before is then shown as no figure for one release).
 */
export interface AreaRevisionsHeld {
  readonly rows: readonly string[];
  readonly fail_closed: boolean;
  /**
   * The release each row of `rows` (`level|code|period`) is as at: its `release` (generated_at) and that release's
   * data-as-of date (null where the record does not say). A row held with no figure this release (no record of it)
   * is not listed. Absent in documents published before it.
   */
  readonly as_at?: Readonly<Record<string, { readonly release: string; readonly data_as_of: string | null }>>;
}

/**
 * England's periods held in a document because their referrals less a cohort are made up by fewer than 3 PCNs, or
 * dominated by one (docs/methodology.md, "Cohorts"; red-team review 32, R32-2): a PCN's data ended (it closed or
 * merged, or its extract stopped) before its last referrals' follow-up window did, so those referrals are in no
 * cohort, and England's referrals less its cohort would be that PCN's count. Unlike a revision held for a late file,
 * this does not pass with the next files: it stays while those referrals are out of the cohort (for a closure, at
 * every later release), so England's figures of these periods are an earlier release's (`cohorts.held`: a part year)
 * or none. Absent where no period is held so.
 */
export interface CohortGapsHeld {
  readonly periods: readonly string[];
}

/** Every summary a published document may carry, by key. */
export interface MetricSummaries {
  /** rollout */
  readonly target_progress: readonly TargetProgress[];
  /** the outcome documents */
  readonly cohorts: Cohorts;
  /** cof_community: the connections its attendance covers */
  readonly attendance_cohort: AttendanceCohort;
  /** pcn_comparison: period → measure → rates */
  readonly funnel_rates: Readonly<Record<string, Readonly<Record<string, FunnelRates>>>>;
  /** pcn_comparison: measure → per (1,000 or 100) */
  readonly per: Readonly<Record<string, number>>;
  /** pcn_comparison: measure → denominator column */
  readonly denominators: Readonly<Record<string, string>>;
  /** alerts: the refresh compared with */
  readonly compared_with: string | null;
  /** alerts: region → alerts */
  readonly by_region: Readonly<Record<string, number>>;
  /** any controlled document: rows below England left out by disclosure control (M8) */
  readonly withheld_below_england: WithheldBelowEngland;
  /** any controlled document: ICB and region rows as at an earlier release (R11-1) */
  readonly revisions_held_below_england: AreaRevisionsHeld;
  /** cof_person and the documents publishing its cohorts: England's periods held by a cohort gap (R32-2) */
  readonly cohort_gaps_held: CohortGapsHeld;
}

/** A document's summary under `key`, typed; undefined when the document has none. */
export function summaryOf<K extends keyof MetricSummaries>(
  document: Pick<MetricDocument, 'summary'> | undefined,
  key: K,
): MetricSummaries[K] | undefined {
  return document?.summary?.[key] as MetricSummaries[K] | undefined;
}
