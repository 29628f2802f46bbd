/**
 * The shapes of the published metric documents (metrics/releases/<release>/<name>.json, the release named by
 * metrics/meta.json), shared with the dashboard. A figure below
 * England level that disclosure control withheld is the string "*", never a number; null means "not applicable".
 */
export const SUPPRESSED = '*' as const;
export type Figure = number | typeof SUPPRESSED | null;
export type Level = 'national' | 'region' | 'icb' | 'pcn';
export type PeriodType = 'month' | 'fy' | 'all';

export interface MetricRow {
  readonly level: Level;
  /** ENG, a region (Y56), an ICB (QWE) or a PCN (U12345). */
  readonly code: string;
  readonly period_type: PeriodType;
  /** 2024-05 for a month, 2024/25 for a financial year, all for the whole record. */
  readonly period: string;
  readonly [column: string]: Figure | string | boolean | Readonly<Record<string, Figure | string>>;
}

export interface MetricDocument {
  readonly name: string;
  readonly title: string;
  /** How the figures are calculated, in plain English. */
  readonly description: string;
  readonly generated_at: string;
  /** The latest event date the figures include. */
  readonly data_as_of: string | null;
  /** Every column's definition. */
  readonly definitions: Readonly<Record<string, string>>;
  readonly disclosure: string;
  /** Columns that, with level, code and period, identify a row. */
  readonly keys: readonly string[];
  readonly rows: readonly MetricRow[];
  readonly summary?: Readonly<Record<string, unknown>>;
  /**
   * Who sees a row (functions/auth/scope.ts). Default: the role's rules for every document (aggregates of other
   * areas are visible to a regional or ICB lead). 'inside_area': only rows about the caller's own area or an area
   * inside it: a regional lead sees their region's alerts only, an ICB lead their ICB's, a PCN its own.
   */
  readonly visibility?: 'inside_area';
}

export interface Area {
  readonly code: string;
  readonly name: string;
  readonly parent: string | null;
}

/** When an area existed: the first day of its first PCN version and the last day of its last (null: still open). */
export interface AreaSpan {
  readonly valid_from?: string;
  readonly valid_to?: string | null;
}

/** One version of a PCN's place in the geography (the reference's rows, meta/geography.sql). */
export interface PcnVersion {
  readonly code: string;
  readonly icb: string;
  readonly region: string;
  readonly valid_from: string;
  readonly valid_to: string | null;
}

export interface MetaDocument {
  readonly generated_at: string;
  /** The last day of the last complete month (data_as_of_rule); null while no month is complete. */
  readonly data_as_of: string | null;
  /** How data_as_of is chosen, in words (docs/methodology.md, "Data as of"). */
  readonly data_as_of_rule?: string;
  /**
   * PCNs open and onboarded whose extract had stopped (none for more than 3 months) before the latest month with
   * events: the rule does not wait for them (docs/methodology.md, "Data as of").
   */
  readonly pcns_stopped?: number;
  /** Months with events after data_as_of, not yet published: how many PCNs have sent each, of those onboarded and open. */
  readonly months_pending?: readonly {
    readonly month: string;
    readonly pcns_submitting: number;
    /**
     * PCNs open on the month's first day that had sent events for it or an earlier month; less pcns_stopped, the rule's
     * denominator.
     */
    readonly pcns_onboarded?: number;
    /** Of pcns_onboarded, those whose extract had stopped before the month: not waited for. */
    readonly pcns_stopped?: number;
    readonly pcns_open: number;
  }[];
  /** The months published, up to data_as_of. */
  readonly months: readonly string[];
  /**
   * Months published for regions, ICBs and PCNs whose England figures are all held as no figure yet by the revisions
   * policy (a new month made up by too few PCNs, or of a held year: docs/methodology.md). Absent when none is.
   */
  readonly england_months_held?: readonly string[];
  /** With england_months_held: the last day of the last month whose England figures are published (null: none yet). */
  readonly england_data_as_of?: string | null;
  readonly financial_years: readonly string[];
  readonly regions: readonly (Area & AreaSpan)[];
  /**
   * Every ICB of the geography the documents were published with: those of the PCNs' latest versions and those any
   * version had in the published span (an ICB merged away keeps its past years: review 21, R21-1), each with its
   * region (of its latest version) and the dates it existed.
   */
  readonly icbs: readonly (Area & AreaSpan)[];
  /** Every PCN, by its latest version (parent: its current, or last, ICB). */
  readonly pcns: readonly (Area & { readonly list_size: number } & AreaSpan)[];
  /**
   * Every PCN version in force in the published span: its ICB and region from valid_from to valid_to (null: open).
   * The dashboard's pickers and the roles' scoping read a past period's geography from these (R21-1). Absent in a
   * meta.json written before them: readers then use each PCN's latest version.
   */
  readonly pcn_versions?: readonly PcnVersion[];
  readonly metrics: readonly { readonly name: string; readonly title: string; readonly description: string }[];
  readonly targets: ProgrammeTargets;
  /**
   * Set for a demo that simulates only part of England: `share_of_england` is its share of England's registered
   * patients, which the people referred target is scaled by (the link worker target by its share of link worker FTE,
   * said in `note`).
   */
  readonly coverage?: { readonly share_of_england: number; readonly note: string };
  /**
   * England figures that still show an earlier release's value because too few PCNs changed them since (revisions
   * policy, docs/methodology.md): how many, for which periods, per document (each document's summary.revisions_held
   * says the same). Absent when none is held.
   */
  readonly revisions_held?: RevisionsHeld & { readonly documents: Readonly<Record<string, RevisionsHeld>> };
}

/** England figures holding a revision back: how many, their periods, and whether the refresh failed closed. */
export interface RevisionsHeld {
  readonly figures: number;
  readonly periods: readonly string[];
  /** True when the refresh's private record did not match the release published, so every changed figure was held. */
  readonly fail_closed: boolean;
}

/** Programme expectations, shown as reference lines (docs/methodology.md); configuration, not code. */
export interface ProgrammeTargets {
  readonly annual_referrals: number;
  readonly take_up_pct: number;
  readonly contacts_min: number;
  readonly contacts_max: number;
  readonly gp_change_pct: number;
  readonly ae_change_pct: number;
  readonly caseload_min: number;
  readonly caseload_max: number;
  readonly accredited_pct: number;
  readonly iif_lower_pct: number;
  readonly iif_upper_pct: number;
  /**
   * Link workers trained (Long Term Plan 1.40: over 1,000 by 2020/21): a headcount of trained link workers, compared
   * with link workers with accredited training, not with FTE. Deployments that set it under its old name,
   * link_workers_fte, still may (infra/config.ts).
   */
  readonly trained_link_workers: number;
}
