import {
  ACTIVITY_CATEGORIES,
  DISCHARGE_REASONS,
  type Figure,
  type ProgrammeTargets,
  REFERRAL_REASONS,
  REFERRAL_SOURCES,
  SERVICE_USE_WINDOW_MONTHS,
  SUPPRESSED,
} from '../contract/index.ts';
import { financialYearOf } from '../contract/periods.ts';
import type { HeldAttendanceCohort, HeldCohorts } from '../contract/summaries.ts';
import type { Row, SqlValue } from '../lib/query-engine.ts';
import { type PeopleInYearRow, ratioAtMonth, repeatRatios } from '../stats/people-pace.ts';
import { meanInterval } from './confidence.ts';
import { type DisclosureRules, MIN_COUNT, rate } from './disclosure.ts';
import { placeOnFunnels, regionFiguresOf } from './funnel-documents.ts';
import { type MonthFigures, monthEnd, monthsOfYear, projectYear } from './projection.ts';
import { type CohortGap, type GroupFigures, heldFrom, keepExactFigures } from './revisions.ts';
import { suppressBandTotals, totalsWithPeople } from './service-use-bands.ts';
import type { CoveredShare, JointCount, PcnGroups, SameAs } from './shared-counts.ts';

/** Programme expectations shown as reference lines: configuration, not code (docs/methodology.md). */
export const DEFAULT_TARGETS: ProgrammeTargets = {
  annual_referrals: 900_000,
  take_up_pct: 80,
  contacts_min: 6,
  contacts_max: 12,
  gp_change_pct: -14,
  ae_change_pct: -12,
  caseload_min: 200,
  caseload_max: 250,
  accredited_pct: 90,
  iif_lower_pct: 1.2,
  iif_upper_pct: 1.6,
  trained_link_workers: 1_000,
};
export type Targets = ProgrammeTargets;

/**
 * Outcomes take time, and a fair comparison of months and years gives every referral the same time (review2 F3): each
 * outcome is counted within a fixed follow-up window from the referral date, and only on referrals whose window has
 * closed, i.e. made at least that many whole months before the data-as-of date (docs/methodology.md, "Cohorts"): the
 * cohort cut-off equals the window. Engaged, connected and plan agreed: within 3 months of the referral; contacts,
 * wellbeing follow-up and discharge: within 6 months. The windows themselves are counted in the SQL
 * (sql/prepare/episodes.sql, `INTERVAL '3' MONTH` and `INTERVAL '6' MONTH`; wellbeing_pairs.sql, 6), which must change
 * with these constants (test/integration/follow-up-windows.test.ts fails if they part).
 */
export const ENGAGEMENT_COHORT_MONTHS = 3;
export const OUTCOME_COHORT_MONTHS = 6;

/**
 * Whether a community connection was attended (went to the first session) is known only once that session has been:
 * a connection made on 28 November whose first session is on 5 December is sent attended=false on 1 December and
 * corrected with the next month's file (red-team review 19, R19-12). Community groups meet weekly to monthly and PCNs
 * send a file a month, so attendance is counted on connections made at least 1 month before the data-as-of date (the
 * attendance cohort: their first session has had a month, and its correction one monthly file, to arrive);
 * cof_community.sql's cut-off, a month's end (docs/methodology.md, "Community").
 */
export const ATTENDANCE_COHORT_MONTHS = 1;

/**
 * The last referral date old enough: `months` calendar months before `dataAsOf` (clamped to the month's end). The
 * data-as-of date is the end of a month (data-as-of.ts), and from a month's end it is that month's end: whole months,
 * as the SPC charts leave them out (2026-11-30 less 3 months is 2026-08-31, not 08-30).
 */
export function cohortCutoff(dataAsOf: string | null, months: number): string {
  if (dataAsOf === null) return '1900-01-01';
  const [year, month, day] = dataAsOf.slice(0, 10).split('-').map(Number) as [number, number, number];
  const index = year * 12 + (month - 1) - months;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const monthEnded = day === new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${y}-${String(m).padStart(2, '0')}-${String(monthEnded ? lastDay : Math.min(day, lastDay)).padStart(2, '0')}`;
}

/** The follow-up windows in words, for the definitions. */
const ENGAGEMENT_WINDOW = `within ${ENGAGEMENT_COHORT_MONTHS} months of the referral`;
const OUTCOME_WINDOW = `within ${OUTCOME_COHORT_MONTHS} months of the referral`;
/** A cohort's referrals also end with their PCN's data (sql/prepare/episodes.sql; red-team review 26, R26-1). */
const PCN_OBSERVED =
  "and the window ended by its PCN's end of observation where one is known (its last month in force, if it closed or merged, or its last month reported, if its extract stopped: none for more than 3 months; a referral whose window runs past it is in no cohort; a PCN only late keeps its referrals in, their follow-ups counted when its file arrives). England's figures of a period are held (revisions_held) where the referrals out of the cohort for that reason are fewer than 3 PCNs', mostly one PCN's, or no more than one each (likewise the engagement cohort less the outcome cohort): England's referrals less its cohort would be theirs. Such a hold does not pass with later files (for a PCN that closed or merged, at any later release): England's figures of the period stay an earlier release's (summary.cohorts.held: a part year) or none, and the document lists the period in summary.cohort_gaps_held";

/**
 * Which referrals a document's outcome figures cover, said on every card that shows them. England's periods whose
 * figures are held at an earlier release (revisions.ts; `rows`: the document's rows) cover the referrals of that
 * release's cut-offs, said under `held` by period (review 4, F3: a held year's engagement cohort is April and May's
 * while this release's cut-off is 30 June).
 */
export function cohortsOf(dataAsOf: string | null, rows: readonly Row[] = []) {
  const cutoffs = (asOf: string | null) => ({
    engagement: {
      months: ENGAGEMENT_COHORT_MONTHS,
      referred_on_or_before: cohortCutoff(asOf, ENGAGEMENT_COHORT_MONTHS),
    },
    outcomes: { months: OUTCOME_COHORT_MONTHS, referred_on_or_before: cohortCutoff(asOf, OUTCOME_COHORT_MONTHS) },
  });
  const held: Record<string, HeldCohorts> = {};
  for (const row of rows) {
    const from = row.level === 'national' ? heldFrom(row) : undefined;
    if (from !== undefined && from.dataAsOf !== dataAsOf)
      held[String(row.period)] = { release: from.release, data_as_of: from.dataAsOf, ...cutoffs(from.dataAsOf) };
  }
  return { ...cutoffs(dataAsOf), ...(Object.keys(held).length > 0 ? { held } : {}) };
}

/**
 * Which connections cof_community's attendance covers (its summary.attendance_cohort): those made on or before the
 * cut-off; England's periods held at an earlier release cover that release's, said under `held` by period (as
 * cohortsOf).
 */
export function attendanceCohortOf(dataAsOf: string | null, rows: readonly Row[] = []) {
  const cutoff = (asOf: string | null) => ({
    months: ATTENDANCE_COHORT_MONTHS,
    connected_on_or_before: cohortCutoff(asOf, ATTENDANCE_COHORT_MONTHS),
  });
  const held: Record<string, HeldAttendanceCohort> = {};
  for (const row of rows) {
    const from = row.level === 'national' ? heldFrom(row) : undefined;
    if (from !== undefined && from.dataAsOf !== dataAsOf)
      held[String(row.period)] = { release: from.release, data_as_of: from.dataAsOf, ...cutoff(from.dataAsOf) };
  }
  return { ...cutoff(dataAsOf), ...(Object.keys(held).length > 0 ? { held } : {}) };
}

export interface QueryContext {
  readonly dataAsOf: string | null;
}

export interface DeriveContext {
  readonly targets: Targets;
  readonly dataAsOf?: string | null;
  /** The months the data-as-of rule found complete (data-as-of.ts): the only months the projection reads as known. */
  readonly completeMonths?: readonly string[];
  /** England's list of the PCNs still sending by month, late ones included (data-as-of.ts): the projection's list. */
  readonly listsSending?: Readonly<Record<string, number>>;
  /** Of those, the PCNs still open after the month (data-as-of.ts): the list the months to come are projected at. */
  readonly listsContinuing?: Readonly<Record<string, number>>;
  /**
   * Each region's people referred by month of each financial year (sql/meta/people_in_year.sql, never published): the
   * projection's ratio at the same month of the latest complete year, and its spread (people-pace.ts ratioAtMonth,
   * review 31, R31-6). Without it the latest complete year's full-year ratio is used, as before.
   */
  readonly peopleInYear?: readonly PeopleInYearRow[];
  /** Median link worker contacts per referral for (level|code|period), from the raw distribution, where 8 or more referrals. */
  readonly medianContacts: ReadonlyMap<string, number>;
}

/** A change of a metric's definition: the columns the same data gives differently by `version` than by `from`. */
export interface DefinitionChange {
  readonly version: string;
  readonly from: string;
  /**
   * The columns whose values are computed differently: exact figures of the rules (counts, means, staff, describing),
   * or other columns of the document (stated with the break: rollout's `list_size`); 'all' where any may be (a
   * change to the events every figure is counted from). A column left out keeps its series, and its change is
   * differenced across the new version as any revision is.
   */
  readonly columns: readonly string[] | 'all';
}

export interface MetricDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** sql/metrics/<file>.sql */
  readonly file: string;
  /**
   * The version of the definition of the document's exact figures (its SQL, the prepare steps it reads, its
   * parameters and rules). Give it a new value (any other string: say what changed) whenever the same data would give
   * different exact figures: the revisions record keeps it with the values, and a release whose version differs from
   * the record's states a break in the series rather than differencing the new definition's values against the old
   * (revisions.ts; docs/methodology.md, "Revisions of England's figures"). test/unit/definition-versions.test.ts fails
   * on any change to those inputs until their hash is recorded beside this version in
   * test/fixtures/definition-versions.json: a refactor keeps the version, a change of definition gives a new one.
   */
  readonly version: string;
  /**
   * What each version changed from the version before it (red-team review 7, M4): declare one with every new
   * `version`. Across a new version only the columns it names start their series again; the others are counted as
   * before, so their held revisions stay held (revisions.ts). Where the record's version cannot be reached from this
   * one through these, which columns changed is not known: none starts again (fail closed), the whole document's
   * break is stated.
   */
  readonly changes?: readonly DefinitionChange[];
  /** `?` parameters, fixed or from the data-as-of date (cohort cut-offs). */
  readonly params?: readonly SqlValue[] | ((ctx: QueryContext) => readonly SqlValue[]);
  readonly keys: readonly string[];
  readonly definitions: Readonly<Record<string, string>>;
  readonly rules: DisclosureRules;
  /**
   * Counts that are the same counts as cells of a document earlier in the catalogue (same people or referrals, same
   * cohort cut-off, same period): published exactly as that document publishes them, `*` for `*`, before this
   * document's rates and post-steps (shared-counts.ts). Every document sharing a count declares it so.
   */
  readonly sameAs?: readonly SameAs[];
  /**
   * Rows counting a group of PCNs (England's and the regions' PCNs of a deprivation quintile): England's are
   * controlled as counts below England, and every one is checked against the PCN rows of the documents it adds up
   * (shared-counts.ts).
   */
  readonly pcnGroups?: PcnGroups;
  /**
   * England figures made from a group of PCNs' count (workforce's caseload over the PCNs covered): the count is never
   * published, and the figures are withheld where it would recover a PCN outside the group (shared-counts.ts).
   */
  readonly coveredShare?: CoveredShare;
  /**
   * England figures of a group of PCNs that no PCN row has (workforce's caseload over the PCNs covered), and how each
   * PCN's contribution to them is worked out: the revisions policy holds them as it holds England's other figures
   * (revisions.ts, GroupFigures).
   */
  readonly groupFigures?: GroupFigures;
  /**
   * England figures whose difference is a count of a group of PCNs of its own (workforce: link workers in post less
   * those in the PCNs that gave training, the headcount of the PCNs that gave none; review 27, R27-1): two releases of
   * both give the change of the difference, which the revisions policy tests as a figure of its own (revisions.ts,
   * differencesChangedByFew). The document withholds `part` where the difference itself is made by few.
   */
  readonly differences?: readonly { readonly total: string; readonly part: string }[];
  /**
   * What a PCN (its system, its service offer), not a person, determines which rows or columns its figures fall in:
   * key columns (wellbeing's `instrument`, cof_system's `service`) or count columns of a category (referral sources,
   * activity categories, discharge reasons). England's figures of one such key are those of the PCNs that use it, so
   * each England row of a key column (with its rows of other keys: cof_system's bands of a service), and each such
   * column of an England row, is tested as a period is: made up by fewer than 3 PCNs, or dominated by one, it is held
   * alone as no figure, with the rest of its unit (a total and all its parts) and its year or months (revisions.ts,
   * keyRowsMadeByFew; red-team review 28, R28-5). Keys a person determines (age band, sex, deprivation decile, contacts,
   * band of use before referral, referral reason) are not listed: their England rows are not a PCN's choice, and a
   * small group within many PCNs' figures is England's figure as any small count is (docs/methodology.md, "Disclosure
   * control").
   */
  readonly pcnKeys?: readonly string[];
  /**
   * Columns about data no other document publishes or adds up with (workforce's staff, from the snapshots alone): an
   * England period held for them alone (made up by few PCNs, or a revision of them held) is held in this document
   * only, not in every document (revisions.ts; review 9: three PCNs' 1 trained link worker held rollout's referrals).
   * A column another document shares (sameAs, JOINT_COUNTS) or adds up with must not be listed.
   */
  readonly documentOnly?: readonly string[];
  /**
   * Columns that are means over the period's months of snapshots (workforce: a year's staffing is the mean of its
   * months), and the column counting those months on every row. England's is its months' sum over England's months, so
   * a PCN's part of it is its own months' sum, and a PCN missing a month's snapshot is that PCN's change (revisions.ts;
   * red-team review 11, R11-2: read as each PCN's own mean, England moved while no PCN did).
   */
  readonly monthMeans?: { readonly months: string; readonly columns: readonly string[] };
  /** Figures computed from a row's exact values before disclosure control (e.g. a confidence interval); the row returned replaces it. */
  readonly beforeControl?: (row: Row) => Row;
  /**
   * Figures counted only on referrals whose follow-up window has closed (docs/methodology.md, "Cohorts"), by column:
   * the window in months. A month's is 0 until then; revisions.ts holds a month's as no figure where the release its
   * held value comes from had not yet closed it and this one has (review 4, F3).
   */
  readonly cohortMonths?: Readonly<Record<string, number>>;
  /**
   * Cohorts beside the period's referrals (cof_person's): where a PCN's data ended in a referral's window the referral
   * is in no cohort, so England's referrals less its cohort of a period old enough are those PCNs' referrals, tested as
   * a figure of its own and the period's cohort figures held where fewer than 3 PCNs make it up or one dominates
   * (revisions.ts, CohortGap; red-team review 26, R26-1).
   */
  readonly cohortGaps?: readonly CohortGap[];
  /**
   * Counts that are a window of the data-as-of date, not data (cof_community's recent_connections: the connections
   * after the attendance cohort's cut-off, a year's being its newest month's): they change at every release by
   * construction, so revisions.ts and area-revisions.ts never test them as a revision; they are held or released with
   * their row, as describing columns are (review 22, R22-3).
   */
  readonly windowColumns?: readonly string[];
  /** Columns derived from the published (disclosure-controlled) figures of one row. */
  readonly derive?: (row: Row, ctx: DeriveContext) => Record<string, Figure | string>;
  /** Figures about the whole document, from its England rows. */
  readonly summarise?: (rows: readonly Row[], ctx: DeriveContext) => Record<string, unknown>;
  /**
   * A post-step on the published (disclosure-controlled, derived) rows, given the exact rows too: it may add columns
   * to the published rows in place and returns more of the summary (e.g. placing PCNs on funnel plots). documentOf
   * gives the documents built before it, as published (a funnel's region comparators: review 31, R31-1).
   */
  readonly afterControl?: (
    published: Row[],
    raw: readonly Row[],
    documentOf?: (name: string) => { readonly rows: readonly Record<string, unknown>[] } | undefined,
  ) => Record<string, unknown>;
}

const n = (v: unknown) => (typeof v === 'number' ? v : null);
const prefixed = (prefix: string, names: readonly string[]) => names.map((name) => `${prefix}${name}`);
/** A PCN's row of a period, in any document: the cell a shared count is known by. */
const PCN_YEAR = ['level', 'code', 'period_type', 'period'] as const;

/** pcn_comparison's counts: the same as rollout's and cof_person's PCN rows of the year (its sameAs, below). */
const PCN_COMPARISON_SOURCES: readonly SameAs[] = [
  { document: 'rollout', columns: { referrals: 'referrals' }, key: PCN_YEAR },
  {
    document: 'cof_person',
    columns: {
      engagement_cohort: 'engagement_cohort',
      engaged: 'engaged',
      connected: 'connected',
      wellbeing_measured: 'wellbeing_measured',
      wellbeing_improved: 'wellbeing_improved',
    },
    key: PCN_YEAR,
  },
];
/** Any area's row of a period: the cell a count published by several documents is known by. */
const AREA_PERIOD = ['level', 'code', 'period_type', 'period'] as const;
export const rowKey = (row: Row) => `${row.level}|${row.code}|${row.period}`;

const SOURCES = REFERRAL_SOURCES;
const REASONS = REFERRAL_REASONS;
const DISCHARGES = DISCHARGE_REASONS;
const ACTIVITIES = ACTIVITY_CATEGORIES;

/**
 * Part years against annual expectations: figures of a financial year with fewer than 12 months so far (or a PCN
 * open part of it) are annualised x 12 / months (docs/methodology.md, "Periods"). Null for months and no data.
 */
function annualised<T extends Record<string, Figure>>(
  row: Row,
  figures: (months: number) => T,
): T | Record<string, null> {
  const months = Number(row.period_type === 'fy' ? row.months : 0);
  if (months > 0) return figures(months);
  const empty = figures(12);
  return Object.fromEntries(Object.keys(empty).map((k) => [k, null]));
}

/**
 * The caseload's numerator, people referred, only where every PCN that referred people in the year sent a workforce
 * snapshot (workforce.sql: pcns_referring_without_snapshot): elsewhere their people are in no FTE, so no caseload;
 * and where no PCN sent a snapshot for a month before its referral data begins (pcns_staffed_before_onboarding: its
 * link workers would be in the FTE without their people; red-team review 8, N6) or after its extract stopped
 * (pcns_staffed_after_reporting: red-team review 9, R9-3); and, for an area, where no PCN reported a month without a
 * snapshot for it once its snapshots were due (pcns_missing_snapshot_months: its people of that month have no FTE
 * beside them, read as 0 in the area's mean; review 26, R26-2; review 27, R27-8). A PCN's own caseload is over its own
 * months: its FTE the mean of its snapshots, its people those of its reporting months; an area's over the months any
 * of its PCNs reported (referral_months; review 27, R27-2).
 * The people of the PCNs reporting alone would be a new count of a group of PCNs (docs/methodology.md, Workforce).
 */
const caseloadPeople = (r: Row): unknown =>
  r.pcns_referring_without_snapshot === 0 &&
  r.pcns_staffed_before_onboarding === 0 &&
  r.pcns_staffed_after_reporting === 0 &&
  (r.level === 'pcn' || r.pcns_missing_snapshot_months === 0)
    ? r.people_referred
    : null;

const COMMON = {
  level: 'national, region, icb or pcn.',
  code: 'ENG, or the ODS code of the region, ICB or PCN.',
  period_type: 'month or fy (financial year, April to March).',
  period: 'YYYY-MM for a month, 2024/25 for a financial year.',
};

/**
 * Each financial year's people referred against the annual target, projected to year end (projection.ts). A year
 * whose figures hold a revision back (revisions.ts) is projected from the months of the release it comes from (its
 * row keeps that release's span, `months`), so the held people are not divided by a later release's months; and a
 * month with no figure (a new month held) is left out, not read as nobody referred (review 4, F1). Its months' people
 * are scaled to people in the year by the latest complete year's ratio before it (the target pace's: people-pace.ts),
 * or the year so far's where that is higher (red-team review 26, R26-5); where that year's people by month are known
 * (`peopleInYear`), the year so far's grown as that year's grew from the same month (review 31, R31-6).
 */
function fyProjection(
  rows: readonly Row[],
  targets: Targets,
  dataAsOf: string | null,
  completeMonths: ReadonlySet<string>,
  listsSending: Readonly<Record<string, number>>,
  listsContinuing: Readonly<Record<string, number>>,
  peopleInYear: readonly PeopleInYearRow[] = [],
) {
  const national = rows.filter((r) => r.level === 'national');
  const monthsOf = (fy: string, sending = true): MonthFigures[] => {
    const calendar = new Set(monthsOfYear(fy));
    return national
      .filter(
        (r) => r.period_type === 'month' && calendar.has(String(r.period)) && typeof r.people_referred === 'number',
      )
      .map((r) => ({
        month: String(r.period),
        people: Number(r.people_referred),
        // England's PCNs submitting each month: whether the previous year speaks for this year's PCNs (review 6, K6).
        ...(typeof r.pcns_submitting === 'number' ? { pcns_submitting: r.pcns_submitting } : {}),
        // England's list of the PCNs onboarded: the profile is people per 1,000 list (review 7, M2).
        ...(typeof r.list_size === 'number' ? { list_size: r.list_size } : {}),
        // ... and of the PCNs still sending, late ones included: the list the projection is made at (R16-2).
        ...(sending && (listsSending[String(r.period)] ?? 0) > 0
          ? { list_sending: listsSending[String(r.period)] }
          : {}),
        // ... of which those still open after the month: the list of the months to come.
        ...(sending && (listsContinuing[String(r.period)] ?? 0) > 0
          ? { list_continuing: listsContinuing[String(r.period)] }
          : {}),
      }))
      .sort((a, b) => a.month.localeCompare(b.month));
  };
  // Each year's monthly people summed over its people, latest first (the target pace's rule).
  const ratios = repeatRatios(national);
  const completeBefore = (fy: string) => ratios.filter((y) => y.complete && y.fy < fy);
  // The years any of whose England figures hold a revision back (a held month holds its year, and a held year its
  // months: revisions.ts): their published figures are an earlier release's, this refresh's people by month are not.
  const heldYears = new Set(national.filter((r) => heldFrom(r)).map((r) => financialYearOf(String(r.period))));
  // The latest complete year's ratio, and (R31-6) its ratio at the end of the month this year's figures reach, with the
  // growths from that month (England's in each complete year, or its regions': R34-4): the like-for-like ratio. Read
  // from this refresh's people by month (sql/meta/people_in_year.sql), so only for complete years whose England
  // figures are published as this refresh counts them (review 34, R34-9: a late file held back from England's figures
  // moved the published same-month ratio, its growth and interval). The latest one held, none: its full-year ratio as
  // published, until the revision is released; an earlier one held gives no growth.
  const repeatRatioFor = (fy: string, months: number) => {
    const years = completeBefore(fy);
    const latest = years[0];
    if (latest === undefined) return undefined;
    const atMonth = heldYears.has(latest.fy)
      ? undefined
      : ratioAtMonth(
          peopleInYear,
          years.filter((y) => !heldYears.has(y.fy)).map((y) => y.fy),
          months,
        );
    return { fy: latest.fy, ratio: latest.ratio, ...(atMonth ? { at_month: atMonth } : {}) };
  };
  // A year with no figure (held before any was published: a new year whose first month is held) has no progress.
  return national
    .filter((r) => r.period_type === 'fy' && typeof r.people_referred === 'number')
    .map((r) => {
      const fy = String(r.period);
      const start = Number(fy.slice(0, 4));
      const previous = monthsOf(`${start - 1}/${String(start).slice(2)}`);
      const held = heldFrom(r);
      const span = Number(r.months);
      // A held year: its first `months` months with figures are the months of the release its people come from.
      // (A held year's months are its release's: this release's lists of the PCNs sending do not describe them.)
      const months = held ? (span > 0 ? monthsOf(fy, false).slice(0, span) : []) : monthsOf(fy);
      // ... and judged at that release's data-as-of date: a year held in the release that completes it is not
      // complete (its people are the earlier release's, to date), so it keeps that release's projection (review 5,
      // G2). Failing closed (release unknown), the end of its last month with figures stands for that date, or with
      // none the day before the year starts: nothing of it is judged (too early to tell), rather than complete.
      const last = months[months.length - 1]?.month;
      const judgedAt = held ? (held.dataAsOf ?? (last ? monthEnd(last) : `${start}-03-31`)) : dataAsOf;
      const people = Number(r.people_referred);
      return {
        fy,
        measure: 'people referred',
        people_referred_to_date: people,
        referrals_to_date: Number(r.referrals),
        target: targets.annual_referrals,
        share_of_target_pct: rate(people, targets.annual_referrals, 100),
        ...projectYear({
          fy,
          dataAsOf: judgedAt ?? '9999-12-31',
          peopleToDate: people,
          months,
          completeMonths,
          previousYear: previous.length === 12 ? previous : undefined,
          repeatRatio: repeatRatioFor(fy, months.length),
          target: targets.annual_referrals,
        }),
        // The year holds a revision back: its figures and projection are as of that release's data.
        ...(held ? { held: { release: held.release, data_as_of: held.dataAsOf } } : {}),
      };
    });
}

/** cof_person's counts: every one of them adds up over the months of a year (episodes by the month of referral). */
const COF_PERSON_COUNTS = [
  'episodes',
  'engagement_cohort',
  'engaged',
  'connected',
  'plans_agreed',
  'outcome_cohort',
  'splw_contacts',
  'other_contacts',
  'episodes_6_to_12_contacts',
  'wellbeing_measured',
  'wellbeing_improved',
  'discharged',
  ...prefixed('discharge_', DISCHARGES),
];

/** cof_community's counts: every one of them adds up over the months of a year (by the month of the connection). */
const COF_COMMUNITY_COUNTS = [
  'connections',
  'attendance_cohort',
  'recent_connections',
  'attended',
  ...prefixed('activity_', ACTIVITIES),
  ...prefixed('attended_', ACTIVITIES),
];

/** equity's counts (each audited over its dimensions: DisclosureRules.partitions). */
/** workforce's staff figures, from the snapshots alone (documentOnly; each a year's mean of its months: monthMeans). */
const STAFF_COLUMNS = [
  'splw_headcount',
  'splw_fte',
  'splw_accredited',
  'splw_headcount_training_known',
  'pcns_with_link_worker',
  'hwbc_headcount',
  'hwbc_fte',
  'cc_headcount',
  'cc_fte',
];

const EQUITY_COUNTS = [
  'people_referred',
  'engagement_cohort',
  'engaged',
  'connected',
  'wellbeing_people',
  'wellbeing_improved',
] as const;

export const CATALOGUE: readonly MetricDefinition[] = [
  {
    name: 'rollout',
    title: 'Referrals and rollout',
    description:
      'Accepted referrals to social prescribing (SNOMED CT 871731000000106), the distinct people referred, offers declined before referral and referrals declined (871711000000103: a decline with no referral, or on the referral_id of the referral), against the registered list of the PCNs onboarded (sending events), by month and financial year. The percentage of the list referred is the IIF PC-01 measure (thresholds 1.2% and 1.6% a year); each financial year is compared with the annual target and projected to year end from its months so far.',
    file: 'rollout',
    // 2: a PCN's list counts from its first month with events (review 6, K8); 3: a decline on a referral (same
    // referral_id) is no longer an offer declined in `declines` and the decline rate but its own count,
    // declined_after_referral (review 6, K3), and an area's counts before any of its PCNs onboarded are NULL, not 0
    // (review 7, M11; landed with K3: one break); 4: a PCN's reporting span: no stray events, no data after its extract
    // stopped (review 7, M5), and the year-end projection (summary.target_progress) reads each month's level per 1,000
    // list of the PCNs onboarded, projected at the latest month's list (review 8, N7). The reporting span changes the
    // events counted only where a PCN has stray events or a stopped extract: no column starts its series again, each
    // change is differenced as a revision (held where a few PCNs make it).
    // 6: a sealed `*` (over exactly seven `*`) that the figures beside it show to be above 7 no longer withholds its
    // period below England (review 10): fewer rows withheld, fewer `*`; no exact figure changes.
    // 7: a late extract of an earlier month covers its own month, not the month before its receipt (review 16, R16-1);
    // England's projection at the list of the PCNs still sending (R16-2); by month, England, regions and ICBs have
    // pcns_sent of pcns_expected (onboarded, not stopped), so that an area's month a PCN is late for is not read as a
    // fall (R16-3): new columns; PCNs with referrals at most the PCNs that sent the month (R18-1). One release: one
    // version.
    // 8: the projection's months to come leave out a PCN closing at the end of the latest month (review 17's residual
    // of R16-2): summary.target_progress only, no column.
    // Also in 8: a PCN's span ends at the last month an extract from it covers (review 18, R18-4). One release: one
    // version.
    // 9: a `*` its family narrows to 1-2 is widened: zeros shown `*` (none pinned elsewhere) or a count (R11-5).
    // 9 also: a version without recorded_at is ranked by when its upload landed, not as the earliest (R21-4).
    // 10: a widening of a narrowed `*` is tried first and not made where the whole component's reader would then
    // recover a figure (the national regression, 2026-12-06): fewer `*` where widening used to be undone count by count.
    // 11 (review 26, R26-5): the year-end projection scales monthly people to the year's people by the latest complete
    // year's ratio (summary.target_progress); no exact figure changes.
    // Review 31, R31-2 (figures change; version left to the lead): declined_after_referral counts only referrals whose
    // 3-month window has closed (the engagement cohort), and its % is published only for periods all of whose
    // referrals have; a year in progress's % is over cof_person's engagement_cohort (the dashboard).
    // 12: declined_after_referral counts only referrals whose 3-month window has closed, its % only for closed periods (review 31, R31-2): a break in those two columns; an area row a jointly controlled document published before is held alike in each (joint30).
    // 13: the year-end projection scales by last year's repeat ratio at the same month, its interval widened by that ratio's spread across regions (review 31, R31-6); R29-1's audit of each region's piece without England
    // 14: summary.target_progress only, no column: no like-for-like ratio from a complete year whose England figures hold a revision back (review 34, R34-9); the growth's interval from England's own growth over 3+ complete years, regions short of that, with repeats.same_month.interval_from (R34-4); declined_after_referral_pct's definition names the Rollout page's one denominator for a year in progress (R34-6), approximate below England, of rounded months (review 35, R35-1)
    version: '14', // 5: a correction extends no reporting span (review 9, R9-6)
    changes: [
      { version: '4', from: '3', columns: [] },
      { version: '5', from: '4', columns: [] },
      { version: '6', from: '5', columns: [] },
      { version: '7', from: '6', columns: [] },
      { version: '8', from: '7', columns: [] },
      { version: '9', from: '8', columns: [] },
      { version: '10', from: '9', columns: [] },
      { version: '11', from: '10', columns: [] },
      { version: '12', from: '11', columns: ['declined_after_referral', 'declined_after_referral_pct'] },
      { version: '13', from: '12', columns: [] },
      { version: '14', from: '13', columns: [] },
    ],
    keys: [],
    definitions: {
      ...COMMON,
      referrals:
        'Accepted referrals (episodes of care): each referral once, in the month and area of its first referral event, however many referral events record it (corrections applied, retractions removed); a person referred twice counts twice. The same count as cof_person.episodes.',
      people_referred:
        'Distinct people (pseudonymous person_id) with an accepted referral in the period: the measure of the 900,000 people a year target.',
      declines:
        'Offers declined: declines (871711000000103) whose referral_id has no referral, the person declining before being referred. Each decline event counts, so a person who declines twice counts twice. A decline on a referral is in declined_after_referral instead.',
      declined_after_referral:
        "Referrals declined: accepted referrals with a decline on their referral_id dated up to 3 months after the referral date (the rule that makes a referral not engaged), each once, in the referral's month and area; counted only for referrals whose 3 months have passed (made at least 3 months before the data-as-of date: cof_person's engagement_cohort, and the referrals of a PCN that closed, merged or stopped sending within their 3 months, which that cohort leaves out, with the declines seen up to that end), so a month's is 0 until then and a year's covers its referrals made by that date.",
      pcns_reporting:
        'PCNs with at least one accepted referral (below England a count: 1 to 7 shown as *, others rounded to 5, and * wherever referrals is).',
      pcns_submitting:
        'England by month: PCNs that sent any event (a month is complete when 90% of the PCNs onboarded by then did: meta.json data_as_of_rule).',
      pcns_sent:
        "By month (England, regions and ICBs): PCNs whose data for the month has been received (in their reporting span: their extract covers the month, or they sent events dated in it), the PCNs whose referrals and lists the month's figures hold. Fewer than pcns_expected: the month is partial (\"1 of 2 PCNs sent\"), and a fall in its counts may be a late file, not fewer referrals. England's months are published once 90% of its PCNs have sent them; an area's may still wait for some. A count of PCNs, not of people, published exact as pcns is: whether each PCN's month is reported is public already (its own row's list_size).",
      pcns_expected:
        'By month (England, regions and ICBs): PCNs expected to send the month: in force on its first day, onboarded by then (their sustained reporting begun: data_quality first_month) and whose extract had not stopped before it (meta.json pcns_stopped). A count of PCNs, not of people, published exact as pcns is.',
      pcns: 'PCNs in force.',
      months: 'Months with data in the period.',
      list_size:
        'Registered patients of the PCNs reporting in each month (in their reporting span: from their first month of sustained reporting to their last month reported), mean over the months of a year: the denominator of every rate here. pcns counts every PCN in force, reporting or not.',
      decline_rate_pct:
        'Offers declined as a percentage of referrals plus offers declined: declines / (referrals + declines). A decline on a referral is not counted here (it is one of the referrals): see declined_after_referral_pct.',
      declined_after_referral_pct:
        "Referrals declined as a percentage of referrals: declined_after_referral / referrals, only for a period all of whose referrals' 3 months have passed (otherwise none). A year in progress's (the Rollout page) is over the same denominator: its months with a % published, their declined_after_referral over their referrals, every referral of those months (a PCN's whose data ended within their 3 months included, with the declines seen up to that end), as the year's own % once it closes; below England those months' figures are each rounded, so it is approximate (the page says about). Of the same referrals, engaged (cof_person.engaged_pct) and declined are apart, so they add up to at most 100% (engaged is over the engagement cohort, which leaves out the referrals of a PCN whose data ended within their 3 months).",
      referrals_per_1000: 'Referrals per 1,000 registered patients.',
      pct_list_referred: 'People referred as a percentage of the registered list (IIF PC-01), in the period so far.',
      referrals_per_1000_annualised:
        'Referrals per 1,000 registered patients a year: the rate in the months so far (a PCN: the months it was open) x 12 / months.',
      pct_list_referred_annualised:
        "People referred as a percentage of the list x 12 / months: compared with the IIF 1.2%-1.6% a year, the same test as the figure so far against the thresholds pro rata (x months / 12). Not a year's figure: people are distinct over the months so far, and a person referred again later in the year counts once, so a part year's % grows a little more slowly than its months and this reads high early in a year (by about the year's ratio of monthly people to people, over the ratio so far: summary.target_progress.repeats).",
    },
    rules: {
      counts: ['referrals', 'people_referred', 'declines', 'declined_after_referral'],
      // A year's referrals and declines are its months' (events; a referral declined is in its referral's month); its
      // people are distinct, counted once a year.
      monthly: ['referrals', 'declines', 'declined_after_referral'],
      // PCNs with referrals: at most the referrals, and 0 only with none (a PCN's 0 or 1 says where a suppressed count is).
      // PCNs with referrals: at most the PCNs that sent the month (pcns_sent, months only: R18-1), and those in force.
      describing: [{ counts: ['referrals'], columns: ['pcns_reporting'], atMost: ['pcns_sent', 'pcns'] }],
    },
    // Referrals declined are counted once the referral's 3 months have passed (sql/metrics/rollout.sql; R31-2).
    params: ({ dataAsOf }) => [cohortCutoff(dataAsOf, ENGAGEMENT_COHORT_MONTHS)],
    cohortMonths: { declined_after_referral: ENGAGEMENT_COHORT_MONTHS },
    derive: (r, ctx) => ({
      decline_rate_pct:
        r.declines === SUPPRESSED || r.referrals === SUPPRESSED
          ? SUPPRESSED
          : rate(r.declines, n(r.referrals) === null ? null : Number(r.referrals) + Number(r.declines), 100),
      // Over every referral of the period only where every one's window has closed (review 31, R31-2).
      declined_after_referral_pct:
        periodEnd(String(r.period)) <= cohortCutoff(ctx.dataAsOf ?? null, ENGAGEMENT_COHORT_MONTHS)
          ? rate(r.declined_after_referral, r.referrals, 100)
          : null,
      referrals_per_1000: rate(r.referrals, r.list_size, 1000),
      pct_list_referred: rate(r.people_referred, r.list_size, 100, 2),
      ...annualised(r, (months) => ({
        referrals_per_1000_annualised: rate(r.referrals, r.list_size, (1000 * 12) / months),
        pct_list_referred_annualised: rate(r.people_referred, r.list_size, (100 * 12) / months, 2),
      })),
    }),
    summarise: (rows, ctx) => ({
      target_progress: fyProjection(
        rows,
        ctx.targets,
        ctx.dataAsOf ?? null,
        new Set(ctx.completeMonths ?? []),
        ctx.listsSending ?? {},
        ctx.listsContinuing ?? {},
        ctx.peopleInYear,
      ),
    }),
  },
  {
    name: 'referral_sources',
    title: 'Referral sources and reasons',
    description:
      'Accepted referrals by who referred the person (the sources add up to all referrals) and by the reasons given (a referral can give several), and how many kinds of source each area receives referrals from. Self-referral share is self-referrals as a percentage of referrals.',
    file: 'referral_sources',
    // 4: a sealed `*` (over exactly seven `*`) that the figures beside it show to be above 7 no longer withholds its
    // period below England (review 10): fewer rows withheld, fewer `*`; no exact figure changes.
    // 5: a late extract of an earlier month covers its own month, not the month before its receipt (review 16, R16-1).
    // 6: a PCN's span ends at the last month an extract from it covers, not at its last month with events (a
    // file received mid-month no longer counts that month as sent; review 18, R18-4).
    // 7: a `*` its family narrows to 1-2 is widened: zeros shown `*` (none pinned elsewhere) or a count (R11-5).
    // 7 also: a version without recorded_at is ranked by when its upload landed, not as the earliest (R21-4).
    // 8: a widening of a narrowed `*` is tried first and not made where the whole component's reader would then
    // recover a figure (the national regression, 2026-12-06): fewer `*` where widening used to be undone count by count.
    // 9 (review 28, R28-5): England's housing or police referrals made up by fewer than 3 PCNs or dominated by one
    // hold the row's referrals and sources.
    // 10: an area row a jointly controlled document published before is published before in each (joint30): held alike, no break.
    // 11: R29-1: each region's piece is audited without England's rows
    version: '11', // 2: a PCN's reporting span: no stray events, no data after its extract stopped (review 7, M5); 3: a correction extends no reporting span (review 9, R9-6)
    // The reporting span changes the events counted only where a PCN has stray events or a stopped extract: no
    // column starts its series again, each change is differenced as a revision (held where a few PCNs make it).
    changes: [
      { version: '2', from: '1', columns: [] },
      { version: '3', from: '2', columns: [] },
      { version: '4', from: '3', columns: [] },
      { version: '5', from: '4', columns: [] },
      { version: '6', from: '5', columns: [] },
      { version: '7', from: '6', columns: [] },
      { version: '8', from: '7', columns: [] },
      { version: '9', from: '8', columns: [] },
      { version: '10', from: '9', columns: [] },
      { version: '11', from: '10', columns: [] },
    ],
    keys: [],
    definitions: {
      ...COMMON,
      referrals: 'Accepted referrals.',
      source_types:
        'How many of the 11 kinds of referral source referred at least one person (below England a count, * wherever referrals or a source is).',
      ...Object.fromEntries(SOURCES.map((s) => [`source_${s}`, `Referrals from ${s.replaceAll('_', ' ')}.`])),
      ...Object.fromEntries(
        REASONS.map((s) => [`reason_${s}`, `Referrals giving ${s.replaceAll('_', ' ')} as a reason.`]),
      ),
      self_referral_pct: 'Self-referrals as a percentage of referrals.',
    },
    rules: {
      counts: ['referrals', ...prefixed('source_', SOURCES), ...prefixed('reason_', REASONS)],
      groups: [{ total: 'referrals', parts: prefixed('source_', SOURCES) }],
      // Referrals, by the month of referral: a year's are its months'.
      monthly: ['referrals', ...prefixed('source_', SOURCES), ...prefixed('reason_', REASONS)],
      // The sources that are not 0: shown only where every source is (a suppressed one may hide a 0: a region's).
      describing: [{ counts: ['referrals', ...prefixed('source_', SOURCES)], columns: ['source_types'] }],
    },
    // A housing or police referral is a route a PCN sets up with one organisation (a housing association, a police
    // force): a PCN's. Every PCN's population is referred by practices, other primary care, a hospital trust, a
    // council and its social care, VCSE groups and themselves (and `other`): those, and the reasons (the person's
    // needs), are the person's and their referrer's. A source held holds its row's referrals and every source with it
    // (one unit: they add up), so none is the referrals less the others.
    pcnKeys: prefixed('source_', ['housing', 'police']),
    derive: (r) => ({ self_referral_pct: rate(r.source_self, r.referrals, 100) }),
  },
  {
    name: 'cof_person',
    title: 'Outcomes for the person',
    description: `Counted per accepted referral (an episode of care), not per person: someone referred twice counts twice. For the referrals made in the period, each outcome is counted within a fixed follow-up window from the referral date, and only on referrals whose window has closed by the data-as-of date (see the cohorts in the summary), so every month and year is given the same time. Engaged: at least one link worker contact ${ENGAGEMENT_WINDOW}, with no decline recorded by then; the 80% take-up expectation of Universal Personalised Care is held against it, because the social prescription is the referral to a link worker. Connected: the person attended at least one community activity ${ENGAGEMENT_WINDOW}. Plans agreed ${ENGAGEMENT_WINDOW}. Link worker contacts ${OUTCOME_WINDOW} per referral (other roles shown separately): the mean is over every referral of the cohort, those never engaged included, while the 6 to 12 expectation is about people supported. Wellbeing measured at baseline and follow-up (the follow-up ${OUTCOME_WINDOW}) and improved by the meaningful-change threshold of its headline instrument, and how episodes ended (the latest discharge ${OUTCOME_WINDOW}). Engagement, connection and plans cover referrals made at least ${ENGAGEMENT_COHORT_MONTHS} months before the data-as-of date; contacts, wellbeing and discharge at least ${OUTCOME_COHORT_MONTHS} months before. Method: docs/methodology.md.`,
    file: 'cof_person',
    // 4: a sealed `*` (over exactly seven `*`) that the figures beside it show to be above 7 no longer withholds its
    // period below England (review 10): fewer rows withheld, fewer `*`; no exact figure changes.
    // 5: a late extract of an earlier month covers its own month, not the month before its receipt (review 16, R16-1);
    // in the same release, the engagement and outcome cohorts of a period that ended by their cut-off are controlled
    // jointly with its episodes (R16-4): `*` where episodes is, below England. No exact figure changes.
    // 6: a PCN's span ends at the last month an extract from it covers, not at its last month with events (a
    // file received mid-month no longer counts that month as sent; review 18, R18-4).
    // 7: a `*` its family narrows to 1-2 is widened: zeros shown `*` (none pinned elsewhere) or a count (R11-5).
    // 7 also: a version without recorded_at is ranked by when its upload landed, not as the earliest (R21-4).
    // 8: a widening of a narrowed `*` is tried first and not made where the whole component's reader would then
    // recover a figure (the national regression, 2026-12-06): fewer `*` where widening used to be undone count by count.
    // 9: cohorts censored only at a known end (a PCN closed or merged, or its extract stopped), never at lateness (R26-1, R29-3); England's referrals-less-cohort gap held where a few PCNs make it.
    // 10: R29-1: each region's piece is audited without England's rows (more `*` where that reading pinned a figure)
    version: '10', // 2: a PCN's reporting span: no stray events, no data after its extract stopped (review 7, M5); 3: a correction extends no reporting span (review 9, R9-6)
    // The reporting span changes the events counted only where a PCN has stray events or a stopped extract: no
    // column starts its series again, each change is differenced as a revision (held where a few PCNs make it).
    changes: [
      { version: '2', from: '1', columns: [] },
      { version: '3', from: '2', columns: [] },
      { version: '4', from: '3', columns: [] },
      { version: '5', from: '4', columns: [] },
      { version: '6', from: '5', columns: [] },
      { version: '7', from: '6', columns: [] },
      { version: '8', from: '7', columns: [] },
      { version: '9', from: '8', columns: [] },
      { version: '10', from: '9', columns: [] },
    ],
    params: ({ dataAsOf }) => [
      cohortCutoff(dataAsOf, ENGAGEMENT_COHORT_MONTHS),
      cohortCutoff(dataAsOf, OUTCOME_COHORT_MONTHS),
    ],
    keys: [],
    definitions: {
      ...COMMON,
      episodes: 'Accepted referrals (episodes of care) in the period: a person referred twice counts twice.',
      engagement_cohort: `Of them, referrals made at least ${ENGAGEMENT_COHORT_MONTHS} months before the data-as-of date (their ${ENGAGEMENT_COHORT_MONTHS}-month follow-up window has closed), ${PCN_OBSERVED}.`,
      engaged: `Of the engagement cohort, referrals with at least one link worker contact ${ENGAGEMENT_WINDOW} (from the referral date to the same day ${ENGAGEMENT_COHORT_MONTHS} months later) and no decline recorded by then.`,
      connected: `Of the engagement cohort, referrals after which the person attended at least one community activity ${ENGAGEMENT_WINDOW}.`,
      plans_agreed: `Of the engagement cohort, referrals with a personalised plan agreed ${ENGAGEMENT_WINDOW}.`,
      outcome_cohort: `Referrals made at least ${OUTCOME_COHORT_MONTHS} months before the data-as-of date (their ${OUTCOME_COHORT_MONTHS}-month follow-up window has closed), ${PCN_OBSERVED}.`,
      splw_contacts: `Link worker contacts with the outcome cohort, ${OUTCOME_WINDOW}.`,
      other_contacts: `Health and wellbeing coach and care coordinator contacts with the outcome cohort, ${OUTCOME_WINDOW}.`,
      episodes_6_to_12_contacts: `Referrals (episodes) in the outcome cohort with 6 to 12 link worker contacts ${OUTCOME_WINDOW}.`,
      wellbeing_measured: `Referrals (episodes) in the outcome cohort with a baseline and a follow-up score on an instrument, the follow-up ${OUTCOME_WINDOW}.`,
      wellbeing_improved:
        "Of them, referrals whose change on their headline instrument reached the instrument's meaningful-change threshold.",
      discharged: `Episodes of the outcome cohort ended ${OUTCOME_WINDOW} (by the reason of the latest discharge in it).`,
      ...Object.fromEntries(DISCHARGES.map((d) => [`discharge_${d}`, `Episodes ended: ${d.replaceAll('_', ' ')}.`])),
      engaged_pct: 'Engaged as a percentage of the engagement cohort (against the 80% take-up expectation).',
      connected_pct: 'Connected as a percentage of the engagement cohort.',
      plans_agreed_pct: 'Plans agreed as a percentage of the engagement cohort.',
      mean_contacts: `Mean link worker contacts ${OUTCOME_WINDOW} per referral in the outcome cohort, over every referral, those never engaged included (the 6 to 12 expectation is about the people a link worker supports, so this reads low against it wherever take-up is below 100%; 8 or more referrals).`,
      mean_other_contacts: 'Mean contacts from other roles per referral in the outcome cohort (8 or more referrals).',
      median_contacts: `Median link worker contacts ${OUTCOME_WINDOW} per referral, financial years (8 or more referrals).`,
      share_6_to_12_pct: `Referrals with 6 to 12 link worker contacts ${OUTCOME_WINDOW} as a percentage of the outcome cohort (every referral, those never engaged included).`,
      wellbeing_measured_pct: 'Referrals measured at baseline and follow-up as a percentage of the outcome cohort.',
      wellbeing_improved_pct: 'Improved as a percentage of the referrals measured.',
    },
    rules: {
      counts: COF_PERSON_COUNTS,
      groups: [{ total: 'discharged', parts: prefixed('discharge_', DISCHARGES) }],
      // Episodes and their contacts, by the month of referral: a year's are its months'.
      monthly: COF_PERSON_COUNTS,
    },
    cohortMonths: {
      ...Object.fromEntries(
        ['engagement_cohort', 'engaged', 'connected', 'plans_agreed'].map((c) => [c, ENGAGEMENT_COHORT_MONTHS]),
      ),
      ...Object.fromEntries(
        COF_PERSON_COUNTS.filter(
          (c) => !['episodes', 'engagement_cohort', 'engaged', 'connected', 'plans_agreed'].includes(c),
        ).map((c) => [c, OUTCOME_COHORT_MONTHS]),
      ),
    },
    // England's episodes less a cohort of a period whose window has closed are the referrals of the PCNs whose data
    // ended in their window (R26-1): made up by fewer than 3 PCNs or dominated by one, England's figures of the period
    // are held here and where the same cohort is published (equity's engagement counts add up to it, pcn_comparison's
    // England take-up is over it, the contacts distribution's bins add up to the outcome cohort). Not wellbeing: no
    // figure of it counts the cohort's referrals, only those measured, which no figure of this release counts beside.
    // And the engagement cohort less the outcome cohort of a month old enough for both: the referrals of the PCNs whose
    // data ended after their 3-month window and in their 6-month one (each gap passing, that one may be one PCN's).
    cohortGaps: [
      {
        total: 'episodes',
        cohort: 'engagement_cohort',
        months: ENGAGEMENT_COHORT_MONTHS,
        heldIn: ['equity', 'pcn_comparison'],
      },
      { total: 'episodes', cohort: 'outcome_cohort', months: OUTCOME_COHORT_MONTHS, heldIn: ['contacts_distribution'] },
      {
        total: 'engagement_cohort',
        cohort: 'outcome_cohort',
        months: OUTCOME_COHORT_MONTHS,
        heldIn: ['equity', 'pcn_comparison', 'contacts_distribution'],
      },
    ],
    derive: (r, ctx) => {
      const median = ctx.medianContacts.get(rowKey(r));
      const perPerson = (total: unknown) =>
        r.outcome_cohort === 0
          ? null
          : r.outcome_cohort === SUPPRESSED || (r.level !== 'national' && Number(r.outcome_cohort) < MIN_COUNT)
            ? SUPPRESSED
            : rate(total, r.outcome_cohort);
      return {
        engaged_pct: rate(r.engaged, r.engagement_cohort, 100),
        connected_pct: rate(r.connected, r.engagement_cohort, 100),
        plans_agreed_pct: rate(r.plans_agreed, r.engagement_cohort, 100),
        mean_contacts: perPerson(r.splw_contacts),
        mean_other_contacts: perPerson(r.other_contacts),
        // The median goes wherever its cohort does (primary, secondary or by the audit): beside a secondary `*` it would
        // say the cohort had 8 or more referrals.
        median_contacts:
          r.period_type !== 'fy'
            ? null
            : r.outcome_cohort === SUPPRESSED
              ? SUPPRESSED
              : (median ?? (r.outcome_cohort === 0 ? null : SUPPRESSED)),
        share_6_to_12_pct: rate(r.episodes_6_to_12_contacts, r.outcome_cohort, 100),
        wellbeing_measured_pct: rate(r.wellbeing_measured, r.outcome_cohort, 100),
        wellbeing_improved_pct: rate(r.wellbeing_improved, r.wellbeing_measured, 100),
      };
    },
    summarise: (rows, ctx) => ({ cohorts: cohortsOf(ctx.dataAsOf ?? null, rows) }),
  },
  {
    name: 'contacts_distribution',
    title: 'Link worker contacts per referral',
    description: `Accepted referrals (episodes of care: a person referred twice counts twice) made in the financial year, at least ${OUTCOME_COHORT_MONTHS} months before the data-as-of date, by the number of link worker contacts ${OUTCOME_WINDOW} (20 or more counted together).`,
    file: 'contacts_distribution',
    // 2: a PCN's reporting span: no stray events, no data after its extract stopped (review 7, M5); 3: its bins add up
    // to cof_person's outcome cohort in the disclosure audit (review 8, N2): more `*` below England (a zero shown `*`,
    // or a count suppressed, where the bins and the cohort would pin it). No exact figure changes. In the same release:
    // a correction extends no reporting span (review 9, R9-6).
    // 4: a late extract of an earlier month covers its own month, not the month before its receipt (review 16, R16-1).
    // 5: a PCN's span ends at the last month an extract from it covers, not at its last month with events (a
    // file received mid-month no longer counts that month as sent; review 18, R18-4).
    // 6: a version without recorded_at is ranked by when its upload landed, not as the earliest (review 21, R21-4).
    // 7: cohorts censored only at a known end (R26-1, R29-3).
    // 8: R29-1: each region's piece is audited without England's rows
    version: '8',
    // The reporting span changes the events counted only where a PCN has stray events or a stopped extract: no
    // column starts its series again, each change is differenced as a revision (held where a few PCNs make it).
    changes: [
      { version: '2', from: '1', columns: [] },
      { version: '3', from: '2', columns: [] },
      { version: '4', from: '3', columns: [] },
      { version: '5', from: '4', columns: [] },
      { version: '6', from: '5', columns: [] },
      { version: '7', from: '6', columns: [] },
      { version: '8', from: '7', columns: [] },
    ],
    params: ({ dataAsOf }) => [cohortCutoff(dataAsOf, OUTCOME_COHORT_MONTHS)],
    keys: ['contacts'],
    definitions: {
      ...COMMON,
      contacts: 'Number of link worker contacts (20 means 20 or more).',
      episodes: 'Referrals (episodes) with that many link worker contacts.',
    },
    rules: {
      counts: ['episodes'],
      siblings: [(r) => `${r.level}|${r.code}|${r.period}`],
      // An area-year's bins add up to cof_person's outcome cohort of the area and year (sql/metrics: both count the
      // episodes referred in the year on or before the same cut-off, 6 months before the data-as-of date): review 8, N2.
      partitions: [
        {
          group: 'contacts',
          columns: ['episodes'],
          linkedTo: [{ document: 'cof_person', columns: { episodes: 'outcome_cohort' } }],
          // cof_person's episodes_6_to_12_contacts is bins 6 to 12: a bin held, it is held there too (review 12, R12-1).
          heldWith: ['cof_person'],
        },
      ],
    },
    summarise: (rows, ctx) => ({ cohorts: cohortsOf(ctx.dataAsOf ?? null, rows) }),
  },
  {
    name: 'wellbeing',
    title: 'Wellbeing change',
    description: `People measured on a validated wellbeing instrument both at baseline and at follow-up, per instrument (people, not questionnaire items), for referrals made at least 6 months before the data-as-of date, the follow-up being the last ${OUTCOME_WINDOW}: how many improved by at least the instrument's meaningful-change threshold (SWEMWBS and WEMWBS 3 points, ONS4 items 1 point, PAM 1 level, MYCaW 1 point), and the mean change over the referrals measured (a person measured in two referrals counts in both) with its 95% confidence interval, signed so that a positive change is always better (ONS4 anxiety and MYCaW are lower-is-better). Method and sources: docs/methodology.md.`,
    file: 'wellbeing',
    // 4: a late extract of an earlier month covers its own month, not the month before its receipt (review 16, R16-1).
    // 5: a PCN's span ends at the last month an extract from it covers, not at its last month with events (a
    // file received mid-month no longer counts that month as sent; review 18, R18-4).
    // 6: a `*` its family narrows to 1-2 is widened: zeros shown `*` (none pinned elsewhere) or a count (R11-5).
    // 6 also: a version without recorded_at is ranked by when its upload landed, not as the earliest (R21-4).
    // 7: a widening of a narrowed `*` is tried first and not made where the whole component's reader would then
    // recover a figure (the national regression, 2026-12-06): fewer `*` where widening used to be undone count by count.
    // 8 (review 28, R28-5): England's row of an instrument made up by fewer than 3 PCNs or dominated by one is held.
    // 9: cohorts censored only at a known end (R26-1, R29-3).
    // 10: R29-1: each region's piece is audited without England's rows
    version: '10', // 2: a PCN's reporting span: no stray events, no data after its extract stopped (review 7, M5); 3: a correction extends no reporting span (review 9, R9-6)
    // The reporting span changes the events counted only where a PCN has stray events or a stopped extract: no
    // column starts its series again, each change is differenced as a revision (held where a few PCNs make it).
    changes: [
      { version: '2', from: '1', columns: [] },
      { version: '3', from: '2', columns: [] },
      { version: '4', from: '3', columns: [] },
      { version: '5', from: '4', columns: [] },
      { version: '6', from: '5', columns: [] },
      { version: '7', from: '6', columns: [] },
      { version: '8', from: '7', columns: [] },
      { version: '9', from: '8', columns: [] },
      { version: '10', from: '9', columns: [] },
    ],
    params: ({ dataAsOf }) => [cohortCutoff(dataAsOf, OUTCOME_COHORT_MONTHS)],
    keys: ['instrument'],
    // Which instrument is used is a PCN's choice (its service specification), not a person's (review 28, R28-5).
    pcnKeys: ['instrument'],
    definitions: {
      ...COMMON,
      instrument: 'The wellbeing instrument (each ONS4 item is its own scale).',
      people: 'People with a baseline and a follow-up score on the instrument.',
      improved:
        "Of them, people whose change reached the instrument's meaningful-change threshold (in any of their referrals).",
      threshold: 'The meaningful-change threshold, in points of the instrument.',
      mean_baseline:
        'Mean baseline score over the referrals measured (a person measured in two referrals counts twice; below England: 8 or more people, their count published, 1 decimal).',
      mean_follow_up:
        'Mean follow-up score over the referrals measured (below England: 8 or more people, their count published, 1 decimal).',
      mean_change:
        'Mean change over the referrals measured, positive = better (below England: 8 or more people, their count published; the difference of the two means as published).',
      mean_change_ci_low: 'Lower end of the 95% confidence interval of the mean change (t distribution; England only).',
      mean_change_ci_high: 'Upper end of the 95% confidence interval of the mean change (England only).',
      improved_pct: 'Improved as a percentage of people measured.',
    },
    rules: {
      counts: ['people', 'improved'],
      means: [
        { column: 'mean_baseline', contributors: 'people' },
        { column: 'mean_follow_up', contributors: 'people' },
        { column: 'mean_change', contributors: 'people', difference: ['mean_follow_up', 'mean_baseline'] },
        { column: 'mean_change_ci_low', contributors: 'people', englandOnly: true },
        { column: 'mean_change_ci_high', contributors: 'people', englandOnly: true },
      ],
    },
    // Referrals made at least 6 months before the data-as-of date (review 4, F3: a held month's immature figures).
    cohortMonths: Object.fromEntries(
      [
        'people',
        'improved',
        'mean_baseline',
        'mean_follow_up',
        'mean_change',
        'mean_change_ci_low',
        'mean_change_ci_high',
      ].map((c) => [c, OUTCOME_COHORT_MONTHS]),
    ),
    beforeControl: ({ pairs, sd_change, ...row }) => {
      const interval =
        typeof row.mean_change === 'number'
          ? meanInterval(row.mean_change, typeof sd_change === 'number' ? sd_change : null, Number(pairs))
          : null;
      return { ...row, mean_change_ci_low: interval?.low ?? null, mean_change_ci_high: interval?.high ?? null };
    },
    derive: (r) => ({
      improved_pct: rate(r.improved, r.people, 100),
      mean_baseline:
        typeof r.mean_baseline === 'number' ? Math.round(r.mean_baseline * 100) / 100 : (r.mean_baseline as Figure),
      mean_follow_up:
        typeof r.mean_follow_up === 'number' ? Math.round(r.mean_follow_up * 100) / 100 : (r.mean_follow_up as Figure),
      mean_change:
        typeof r.mean_change === 'number' ? Math.round(r.mean_change * 100) / 100 : (r.mean_change as Figure),
    }),
    summarise: (rows, ctx) => ({ cohorts: cohortsOf(ctx.dataAsOf ?? null, rows) }),
  },
  {
    name: 'cof_system',
    title: 'Impact on the health and care system',
    description: `Counted per accepted referral (an episode of care), not per person (a person referred twice counts twice): for referrals with a before and an after window of ${SERVICE_USE_WINDOW_MONTHS} months (window_months; every row is of that one length: windows of 3 or 12 months, which PCNs may also send, are in no figure, so no figure adds windows of different lengths), GP appointments, A&E attendances, emergency admissions and outpatient appointments in the ${SERVICE_USE_WINDOW_MONTHS} months before referral and the ${SERVICE_USE_WINDOW_MONTHS} months after it, by the period of referral. Only windows that have ended count: a pair only for referrals made at least ${SERVICE_USE_WINDOW_MONTHS} months before the data-as-of date (the cut-off is in the summary), so uses still to come are never counted as none; and of each window the latest count only, an after count only if dated on or after its window's end (an earlier one is the uses so far). The change is (after - before) / before, with a 95% confidence interval from the per-referral differences (England only), against the expectations of -14% for GP appointments and -12% for A&E attendances. For years, the change is also shown by the band of use before referral: people who used a service most before tend to use it less after whatever happens (regression to the mean), so a fall is not by itself an effect of social prescribing. Method: docs/methodology.md.`,
    file: 'cof_system',
    // 5: a late extract of an earlier month covers its own month, not the month before its receipt (review 16, R16-1).
    // 6: a PCN's span ends at the last month an extract from it covers, not at its last month with events (a
    // file received mid-month no longer counts that month as sent; review 18, R18-4).
    // 7: a version without recorded_at is ranked by when its upload landed, not as the earliest (review 21, R21-4).
    // 9 (review 28, R28-5): England's rows of a service made up by fewer than 3 PCNs or dominated by one are held.
    version: '9', // 2: one count per window, the latest; an after count only once its window has ended (review 6, K5); 3: reporting spans (review 7, M5); 4: a correction extends no reporting span (review 9, R9-6)
    // The reporting span changes the events counted only where a PCN has stray events or a stopped extract: no
    // column starts its series again, each change is differenced as a revision (held where a few PCNs make it).
    // 8 (review 26, R26-3): every figure counts the 6-month pairs only (window_months, a new key column, 6 on every
    // row), where each referral's longest ended pair (3, 6 or 12 months) was added up: a break in the series of every
    // column.
    changes: [
      { version: '3', from: '2', columns: [] },
      { version: '4', from: '3', columns: [] },
      { version: '5', from: '4', columns: [] },
      { version: '6', from: '5', columns: [] },
      { version: '7', from: '6', columns: [] },
      { version: '8', from: '7', columns: 'all' },
      { version: '9', from: '8', columns: [] },
    ],
    params: ({ dataAsOf }) => [cohortCutoff(dataAsOf, SERVICE_USE_WINDOW_MONTHS)],
    // window_months is one value on every row (SERVICE_USE_WINDOW_MONTHS): a key, so that every row says the length of
    // its windows and nothing reading the document has to assume it. Rows of other lengths are not published: each
    // length's rows would count many of the same referrals again, and none of the disclosure steps (secondary
    // suppression, the audit, joint control) or England's revisions test (made up by 3 or more PCNs) would see that
    // (docs/methodology.md, "Health and care system use").
    keys: ['window_months', 'service', 'baseline_band'],
    // A service is sent where its system supplies it (a PCN's capability); the band of use before referral is the
    // person's, and window_months one value on every row.
    pcnKeys: ['service'],
    definitions: {
      ...COMMON,
      window_months: `Length of the windows before and after referral, in months: ${SERVICE_USE_WINDOW_MONTHS} on every row (windows of other lengths are in no figure).`,
      service: 'gp_appointment, ae_attendance, emergency_admission or outpatient.',
      baseline_band: `all, or the band of use in the ${SERVICE_USE_WINDOW_MONTHS} months before referral (GP 0-3, 4-6, 7+; others 0, 1, 2+).`,
      people: `Referrals (episodes) with both windows of ${SERVICE_USE_WINDOW_MONTHS} months, ended by the data-as-of date (made at least ${SERVICE_USE_WINDOW_MONTHS} months before it); a person referred twice counts twice.`,
      before_total: `Uses of the service in the ${SERVICE_USE_WINDOW_MONTHS} months before referral.`,
      after_total: `Uses in the ${SERVICE_USE_WINDOW_MONTHS} months after referral.`,
      change_pct: 'Percentage change from before to after.',
      change_pct_ci_low:
        'Lower end of the 95% interval of the change (England only): the t interval of the mean per-referral difference, over the mean use before.',
      change_pct_ci_high: 'Upper end of the 95% interval of the change (England only).',
      expected_change_pct: 'The programme expectation, where there is one.',
    },
    rules: {
      // The totals are counts of events (rounded, 1 to 7 `*`, secondary suppression, the audit) and also figures
      // describing their referrals: a band's bounds each referral's use (`7+`: before_total >= 7 x people), so they are
      // `*` wherever people is, and a band's before_total wherever the bounds would pin people (service-use-bands.ts).
      counts: ['people', 'before_total', 'after_total'],
      siblings: [(r) => `${r.level}|${r.code}|${r.period_type}|${r.period}|${r.window_months}|${r.service}`],
      // Referrals (episodes, not people) and their uses, by the month of referral: a year's `all` row is its months'.
      monthly: ['people', 'before_total', 'after_total'],
    },
    // A month has no pair before its windows (6 months) have ended: a held month's 0 then is not a figure.
    cohortMonths: {
      people: SERVICE_USE_WINDOW_MONTHS,
      before_total: SERVICE_USE_WINDOW_MONTHS,
      after_total: SERVICE_USE_WINDOW_MONTHS,
    },
    beforeControl: ({ sd_difference, ...exact }) => {
      const row = suppressBandTotals(exact);
      const people = Number(row.people);
      const before = Number(row.before_total);
      const after = Number(row.after_total);
      // The interval is published for England only: its midpoint is the exact change, which below England could
      // recover the unrounded totals that the published rounded ones hide.
      const interval =
        row.level === 'national' && before > 0
          ? meanInterval(
              ((after - before) / people / (before / people)) * 100,
              typeof sd_difference === 'number' ? (sd_difference / (before / people)) * 100 : null,
              people,
              1,
            )
          : null;
      const controlled = {
        ...row,
        change_pct_ci_low: interval?.low ?? null,
        change_pct_ci_high: interval?.high ?? null,
      };
      // The revisions record reads each PCN's exact totals, not the `*` marked for publishing (review 4, F5 a).
      return row === exact ? controlled : keepExactFigures(controlled, exact);
    },
    derive: (r, ctx) => ({
      ...totalsWithPeople(r),
      // A change over fewer than 8 referrals is suppressed, as a mean would be (its totals with it).
      change_pct:
        r.after_total === SUPPRESSED || r.before_total === SUPPRESSED || r.people === SUPPRESSED
          ? SUPPRESSED
          : typeof r.before_total === 'number' && r.before_total > 0 && typeof r.after_total === 'number'
            ? Math.round(((r.after_total - r.before_total) / r.before_total) * 1000) / 10
            : null,
      expected_change_pct:
        r.service === 'gp_appointment'
          ? ctx.targets.gp_change_pct
          : r.service === 'ae_attendance'
            ? ctx.targets.ae_change_pct
            : null,
    }),
    // Which referrals the figures cover: those whose after window has ended by the data-as-of date (one length).
    summarise: (_rows, ctx) => ({
      windows_ended: [
        {
          months: SERVICE_USE_WINDOW_MONTHS,
          referred_on_or_before: cohortCutoff(ctx.dataAsOf ?? null, SERVICE_USE_WINDOW_MONTHS),
        },
      ],
    }),
  },
  {
    name: 'cof_community',
    title: 'Impact on the community',
    description: `Connections made to community groups and VCSE organisations, by activity category and period of the connection, how many were attended, and how many distinct organisations received people. Whether a connection was attended (the person went to the first session) is known only once that session has been, and a PCN's system corrects it in a later file, so attendance covers connections made at least ${ATTENDANCE_COHORT_MONTHS} month before the data-as-of date (the attendance cohort; its cut-off is in the summary): the newest month's connections are counted, their attendance not yet. Method: docs/methodology.md.`,
    file: 'cof_community',
    // 4: a sealed `*` (over exactly seven `*`) that the figures beside it show to be above 7 no longer withholds its
    // period below England (review 10): fewer rows withheld, fewer `*`; no exact figure changes.
    // 5: a late extract of an earlier month covers its own month, not the month before its receipt (review 16, R16-1).
    // 6: a PCN's span ends at the last month an extract from it covers, not at its last month with events (a
    // file received mid-month no longer counts that month as sent; review 18, R18-4).
    // 7: attendance counted only on the attendance cohort, connections made at least 1 month before the data-as-of
    // date (review 19, R19-12): the newest month's attended (and the year's that holds it) are 0 until then, no longer
    // the first sessions recorded so far; attendance_pct over attendance_cohort; new columns attendance_cohort and
    // recent_connections (connections is their sum). The attended columns start their series again. And a `*` its
    // family narrows to 1-2 is widened: zeros shown `*` (none pinned elsewhere) or a count (R11-5).
    // 7 also: a version without recorded_at is ranked by when its upload landed, not as the earliest (R21-4).
    // 7 also: recent_connections (a window of the data-as-of date) is never tested as a revision, nor a year's cohort
    // below England when a month of it matured: England's year and area families no longer held by them (R22-3).
    // 8: a widening of a narrowed `*` is tried first and not made where the whole component's reader would then
    // recover a figure (the national regression, 2026-12-06): fewer `*` where widening used to be undone count by count.
    // 9 (review 28, R28-5): England's activity and attendance columns of a category made up by fewer than 3 PCNs
    // or dominated by one are held with their unit.
    // 10: R29-1: each region's piece is audited without England's rows
    version: '10', // 2: a PCN's reporting span: no stray events, no data after its extract stopped (review 7, M5); 3: a correction extends no reporting span (review 9, R9-6)
    // The reporting span changes the events counted only where a PCN has stray events or a stopped extract: no
    // column starts its series again, each change is differenced as a revision (held where a few PCNs make it).
    changes: [
      { version: '2', from: '1', columns: [] },
      { version: '3', from: '2', columns: [] },
      { version: '4', from: '3', columns: [] },
      { version: '5', from: '4', columns: [] },
      { version: '6', from: '5', columns: [] },
      { version: '7', from: '6', columns: ['attended', ...prefixed('attended_', ACTIVITIES)] },
      { version: '8', from: '7', columns: [] },
      { version: '9', from: '8', columns: [] },
      { version: '10', from: '9', columns: [] },
    ],
    params: ({ dataAsOf }) => [cohortCutoff(dataAsOf, ATTENDANCE_COHORT_MONTHS)],
    keys: [],
    definitions: {
      ...COMMON,
      connections: 'Community connections made (attendance_cohort + recent_connections).',
      attendance_cohort: `Of them, connections made at least ${ATTENDANCE_COHORT_MONTHS} month before the data-as-of date (the attendance cohort: their first session has had time to be recorded, corrections included).`,
      recent_connections: `Of them, connections made later than the attendance cohort's cut-off: whether the person went to the first session may not be recorded yet, so they are in no attendance figure until their month is ${ATTENDANCE_COHORT_MONTHS} month old.`,
      attended:
        'Of the attendance cohort, connections where the person went to the first session (as recorded by the data-as-of date).',
      providers:
        'Distinct organisations that received people (below England a count: 1 to 7 shown as *, others rounded to 5, and * wherever connections is).',
      ...Object.fromEntries(ACTIVITIES.map((a) => [`activity_${a}`, `Connections to ${a.replaceAll('_', ' ')}.`])),
      ...Object.fromEntries(
        ACTIVITIES.map((a) => [
          `attended_${a}`,
          `Connections to ${a.replaceAll('_', ' ')} attended, of the attendance cohort.`,
        ]),
      ),
      attendance_pct: 'Attended as a percentage of the attendance cohort (not of every connection).',
    },
    rules: {
      counts: COF_COMMUNITY_COUNTS,
      // The attendance cohort and the recent connections add up to the connections: a group, so that where one of
      // them is `*` the others do not give it away by subtraction (a month's cohort is all its connections or none).
      groups: [
        { total: 'connections', parts: prefixed('activity_', ACTIVITIES) },
        { total: 'connections', parts: ['attendance_cohort', 'recent_connections'] },
        { total: 'attended', parts: prefixed('attended_', ACTIVITIES) },
      ],
      // Connections, by the month of the connection: a year's are its months' (providers are distinct: not added up).
      monthly: COF_COMMUNITY_COUNTS,
      // Each connection is to one organisation: providers are at most the connections, and 0 only with none.
      describing: [{ counts: ['connections'], columns: ['providers'] }],
    },
    // Attendance waits for its cohort: a month's is 0 until it is 1 month old (its recent connections the opposite).
    cohortMonths: Object.fromEntries(
      ['attendance_cohort', 'attended', ...prefixed('attended_', ACTIVITIES)].map((c) => [c, ATTENDANCE_COHORT_MONTHS]),
    ),
    // The connections not yet in the cohort: a window moving with the data-as-of date, never a revision (R22-3).
    windowColumns: ['recent_connections'],
    // Which kinds of activity people are connected to is the local offer a PCN's link workers use.
    pcnKeys: [...prefixed('activity_', ACTIVITIES), ...prefixed('attended_', ACTIVITIES)],
    derive: (r) => ({ attendance_pct: rate(r.attended, r.attendance_cohort, 100) }),
    summarise: (rows, ctx) => ({ attendance_cohort: attendanceCohortOf(ctx.dataAsOf ?? null, rows) }),
  },
  {
    name: 'workforce',
    title: 'Workforce',
    description:
      'Link workers (SPLW), health and wellbeing coaches (HWBC) and care coordinators (CC) in post from the monthly snapshots (a year is the mean of its months): headcount, FTE, FTE per 10,000 patients (about 1 expected), accredited training (90% expected, over the link workers in post of the PCNs that gave training and headcount: pcns_with_training; withheld for England where fewer than 3 PCNs gave headcount without training, or one of them has most of their link workers, since the headcount of England less it would be theirs), vacancies, PCNs with at least one link worker, and caseload: people referred in the financial year per link worker FTE (200 to 250 expected). Both rates cover the PCNs that sent a snapshot (pcns_reporting of pcns): FTE per 10,000 is over their lists, and caseload is shown only where every PCN that referred people in the year sent one (for an area, one for every month it reported whose snapshots are due: the latest month 90% of the PCNs sending snapshots sent, and earlier), annualised over the months with referral data (of the PCN, or of any PCN of the area). For England, caseload_covered is the caseload over the PCNs that sent a snapshot for every month they have referral data in whose snapshots are due (people referred and FTE of the same PCNs), with its coverage: caseload_pcns PCNs holding caseload_coverage_pct% of the people referred in England (withheld where it would give away the people of the PCNs left out). Below England, people referred, headcounts and link workers trained are counts of people (1 to 7 shown as *, others rounded to 5); an FTE is shown only where 8 or more people are in the role (a headcount of 8 or more, or without a headcount an FTE of 8 or more), rounded to the nearest 5 (so that FTE per 10,000 and caseload, made from it, and the difference between two refreshes of a year to date say nothing of a few people), and never where its headcount is suppressed.',
    file: 'workforce',
    // 2: a PCN's list counts from its first month with events (review 6, K8). 3: FTE per 10,000 over the lists of the
    // PCNs that sent a snapshot, caseload only where every PCN that referred people sent one (review 6, K7); and a
    // snapshot dated when its PCN was not in force is in no figure (was: ICB and region "UNKNOWN", and England;
    // review 7, M10). Both landed in one release: one break. 4: England's caseload over the PCNs that sent a snapshot
    // and have referral data (caseload_covered, with its coverage), and people referred NULL where no PCN of the area
    // had onboarded (was 0; review 7, M11); caseload withheld where a PCN's snapshots precede its referral data, and
    // caseload_covered's FTE only from each PCN's first month with events (review 8, N6); a PCN's reporting span: no
    // stray events, no data after its extract stopped (review 7, M5). All three landed in one release. 5: England's
    // covered caseload and its coverage held under the revisions policy (groupFigures); caseload withheld where a PCN's
    // snapshots follow its last month reported, and caseload_covered's FTE only to it (review 9, R9-3); caseload_fte
    // withheld where 1 or 2 PCNs' FTE is left out (R9-5); a correction extends no reporting span (R9-6). One release:
    // one version.
    // 6: a late extract of an earlier month covers its own month, not the month before its receipt (review 16, R16-1).
    // 7: a PCN's span ends at the last month an extract from it covers, not at its last month with events (a
    // file received mid-month no longer counts that month as sent; review 18, R18-4).
    // 8: a version without recorded_at is ranked by when its upload landed, not as the earliest (review 21, R21-4).
    // 9 (reviews 26-28): a PCN missing a due workforce snapshot for a month it reported withholds its area's caseload and
    // leaves England's covered group (R26-2, R27-8); caseloads annualised over the months reported (R26-4, R27-2);
    // accredited training over the link workers of the PCNs that gave training and headcount (R26-6, R27-5); England's
    // training-known headcount, staff columns made by few PCNs and the covered rates beside a few PCNs outside held
    // (R27-1, R28-1, R28-2, R28-3); month staff headcounts audited as counts (R28-4).
    // 10: training-known headcount `*` where its equal headcount is (R29-5); a year of one month of snapshots audited as its month: more `*`, no break.
    // 11: staff years audited as person-months (review 32, R32-1): more `*` where a year of several months pinned a figure
    version: '11',
    changes: [
      {
        version: '4',
        from: '3',
        columns: ['people_referred', 'pcns_referring_without_snapshot', 'caseload', 'caseload_annualised'],
      },
      {
        version: '5',
        from: '4',
        columns: [
          'caseload',
          'caseload_annualised',
          'caseload_fte',
          'caseload_covered',
          'caseload_covered_annualised',
          'caseload_coverage_pct',
        ],
      },
      { version: '6', from: '5', columns: [] },
      { version: '7', from: '6', columns: [] },
      { version: '8', from: '7', columns: [] },
      {
        version: '9',
        from: '8',
        columns: [
          'referral_months',
          'caseload',
          'caseload_annualised',
          'caseload_pcns',
          'caseload_fte',
          'caseload_covered',
          'caseload_covered_annualised',
          'caseload_coverage_pct',
          'splw_accredited',
          'splw_accredited_pct',
          'pcns_with_training',
        ],
      },
      { version: '10', from: '9', columns: [] },
      { version: '11', from: '10', columns: [] },
    ],
    keys: [],
    definitions: {
      ...COMMON,
      months: 'Monthly snapshots in the period.',
      pcns_reporting: 'PCNs that sent a snapshot (mean per month).',
      pcns_with_link_worker: 'PCNs with at least one link worker in post (mean per month).',
      pcns_with_headcount: 'PCNs that gave headcounts, which the headcount figures cover (mean per month).',
      pcns_with_training:
        'PCNs that gave link workers with accredited training and link workers in post, which the accredited figures cover (mean per month).',
      pcns_with_vacancies: 'PCNs that gave link worker vacancies, which that figure covers (mean per month).',
      splw_headcount: 'Link workers in post.',
      splw_fte: 'Link worker full-time equivalent.',
      splw_accredited:
        'Link workers with accredited training, in the PCNs that gave link workers in post too (training given without headcount is in no figure).',
      splw_headcount_training_known:
        "Link workers in post in the PCNs that gave accredited training (pcns_with_training): the denominator of splw_accredited_pct. England: null where fewer than 3 PCNs gave link workers in post and no training, one of them has most of those link workers, or each has 1 (England's splw_headcount less it would be theirs), and then for the financial year too (a year: for each of its months where every month is shown).",
      splw_vacancies_fte: 'Vacant link worker posts, FTE.',
      hwbc_headcount: 'Health and wellbeing coaches in post.',
      hwbc_fte: 'Health and wellbeing coach FTE.',
      cc_headcount: 'Care coordinators in post.',
      cc_fte: 'Care coordinator FTE.',
      list_size: 'Registered patients of the PCNs onboarded (sending events).',
      list_size_reporting:
        'Registered patients of the PCNs that sent a snapshot (mean per month): the denominator of FTE per 10,000.',
      pcns: 'PCNs in force.',
      people_referred: 'People referred in the financial year.',
      pcns_referring_without_snapshot:
        'PCNs that referred people in the financial year and sent no snapshot in it: caseload is shown only where there are none.',
      pcns_staffed_before_onboarding:
        'PCNs that sent a snapshot for a month of the financial year before their first month with events (or have none yet): their link workers have no people referred beside them, so caseload is shown only where there are none.',
      pcns_staffed_after_reporting:
        'PCNs that sent a snapshot for a month of the financial year after their last month reported (their events extract stopped, or is late): their link workers have no people referred beside them in that month, so caseload is shown only where there are none.',
      pcns_missing_snapshot_months:
        "A financial year: PCNs that sent a snapshot in it but not for every month of it they reported referral data in whose snapshots are due (the latest month that 90% of the PCNs sending snapshots and reporting it sent, and earlier: workforce files come after events): their people of those months have no link worker FTE beside them, so an area's caseload is shown only where there are none (a PCN's own caseload is over its own months), and England's caseload_covered leaves them out. A month: the PCNs that sent a snapshot for it whose financial year has such a month.",
      splw_fte_per_10000:
        'Link worker FTE per 10,000 registered patients of the PCNs that sent a snapshot (pcns_reporting of pcns).',
      splw_accredited_pct:
        "Link workers with accredited training, percentage of the link workers in post in the PCNs that gave training and headcount (splw_accredited over splw_headcount_training_known; pcns_with_training of pcns_with_headcount); null where splw_headcount_training_known is (England's: few PCNs without training).",
      pcns_with_link_worker_pct: 'PCNs with a link worker as a percentage of PCNs reporting.',
      caseload:
        'People referred in the financial year so far per link worker FTE; only where every PCN that referred people sent a snapshot, no PCN sent one for a month before its first month with events or after its last month reported, and (an area) every PCN that sent one sent it for every month it reported whose snapshots are due (else null: people without FTE, or FTE without people).',
      referral_months:
        'Months of referrals in the year so far: the months the PCN, or any PCN of the area, reported referral data in (the caseload is annualised over them).',
      caseload_annualised:
        'Caseload a year: people referred per link worker FTE x 12 / months so far, against 200-250 a year.',
      caseload_pcns:
        'England: PCNs covered by caseload_covered, those that sent a snapshot in the financial year and have referral data in it.',
      caseload_fte:
        "England: link worker FTE of the PCNs covered in the months of their reporting span, from their first month with events to their last month reported (mean over the months of snapshots), the denominator of caseload_covered; null where 1 or 2 PCNs are left out, or one PCN dominates the FTE left out (England's FTE less it would be theirs).",
      caseload_covered:
        'England: people referred in the financial year so far per link worker FTE, both of the PCNs covered (caseload_pcns), rounded to a whole number; null where it would give away the people of the PCNs left out (or they are fewer than 3, one dominates, or they are no more people than PCNs), where caseload_fte is withheld, or where fewer than 3 PCNs make the group up or one dominates it (held with the other covered figures until 3 or more do: docs/methodology.md, Revisions).',
      caseload_covered_annualised:
        "England: caseload_covered x 12 / England's months of referral data so far (referral_months), against 200-250 a year; null where caseload_covered is.",
      caseload_coverage_pct:
        "England: the PCNs covered's people referred as a percentage of England's, rounded to a whole number; null where caseload_covered is.",
    },
    rules: {
      // splw_headcount_training_known is a headcount of link workers, as splw_headcount is: a count of people, and
      // suppressed with the role's headcount and FTE, as the trained are (review 26, R26-6).
      counts: ['people_referred', 'splw_accredited', 'splw_headcount_training_known'],
      staff: [
        {
          headcount: 'splw_headcount',
          fte: 'splw_fte',
          columns: ['splw_accredited', 'splw_headcount_training_known'],
          // Where every PCN of a row that gave link workers in post gave training (a PCN's own row where it did), the
          // training-known headcount is the headcount itself: controlled as one, a `*` in either is a `*` in both
          // (red-team review 29, R29-5; the headcount's `*` took it already).
          same: ['splw_headcount_training_known'],
        },
        { headcount: 'hwbc_headcount', fte: 'hwbc_fte' },
        { headcount: 'cc_headcount', fte: 'cc_fte' },
      ],
      // A year of one month of snapshots is that month's figures: its headcounts audited as the month's are; a year of
      // more months as person-months, figure x months (review 32, R32-1).
      staffMonths: 'months',
      // A PCN with a link worker has at least one in post: unrounded, the figure would pin the headcount (17 beside a
      // published 15 is 17) and its 0 would show a zero headcount suppressed beside England's (review).
      describing: [{ counts: ['splw_headcount'], columns: ['pcns_with_link_worker'], atMost: 'pcns_reporting' }],
    },
    // People referred in the year is rollout's count of the area and year (sql/metrics/workforce.sql takes it from the
    // same people counts), so it is published as rollout publishes it. One way, not jointly (JOINT_COUNTS): workforce
    // lists only areas that sent a snapshot, so its own equations for this count (an ICB = its PCNs listed) leave out
    // PCNs with referrals and no snapshot; rollout's are the true ones, and workforce controlling it too only added
    // suppressions for readings that are wrong (a 2-PCN golden test: England's 27 read as one PCN's 25).
    sameAs: [{ document: 'rollout', columns: { people_referred: 'people_referred' }, key: AREA_PERIOD }],
    // The staff figures come from the snapshots alone: no other document counts link workers, coaches or care
    // coordinators, nor anything that adds up with them (people referred is rollout's, so it is not listed). A month
    // made up by few PCNs in these (1 + 1 + 1 trained), or a revision of them held, holds workforce's month and year
    // only, not rollout's referrals (revisions.ts, periodsMadeByFew; review 9).
    documentOnly: STAFF_COLUMNS,
    // England's link workers in post less those in the PCNs that gave training is the headcount of the PCNs that gave
    // headcount and no training, which their rows name: withheld where made by few (sql/metrics/workforce.sql), and its
    // change between two releases tested as a figure of its own (review 27, R27-1).
    differences: [{ total: 'splw_headcount', part: 'splw_headcount_training_known' }],
    // England's caseload over the PCNs covered: a PCN row with people referred (not NULL: onboarded) sent a snapshot in
    // the year and has referral data. Their people (caseload_people) are never published: with England's people referred
    // they are the exact total of the PCNs left out, checked against those PCNs' rollout rows (shared-counts.ts).
    coveredShare: {
      document: 'rollout',
      column: 'people_referred',
      // A PCN that reported a month without a snapshot for it is left out (review 26, R26-2).
      covered: (r) =>
        r.period_type === 'fy' &&
        r.people_referred !== null &&
        r.people_referred !== undefined &&
        r.pcns_missing_snapshot_months === 0,
      count: 'caseload_people',
      total: 'people_referred',
      outside: ['pcns_referring_without_snapshot', 'pcns_missing_snapshot_months'],
      figures: ['caseload_covered', 'caseload_covered_annualised', 'caseload_coverage_pct'],
    },
    // The same figures are England's: two releases of them gave one covered PCN's late file of 2 people (33 and 67 a
    // link worker, then 34 and 68), and its 0.6 FTE where PCNs outside the group changed England's FTE too (3.00, then
    // 3.10: test/unit/revisions-covered.test.ts). Held as England's other figures are: the rates follow people
    // referred (only the covered PCNs' rows have any, so its PCN changes are theirs), the FTE is tested by each covered
    // PCN's link worker FTE in the months of its reporting span (its month rows with a list, below), and a group of
    // fewer than 3 PCNs, or dominated by one, shows none. A change of the covered figures holds them alone, not their
    // period: nothing else adds up with them (review 11, R11-2).
    groupFigures: {
      rows: (r) =>
        r.period_type === 'fy' &&
        r.people_referred !== null &&
        r.people_referred !== undefined &&
        r.pcns_missing_snapshot_months === 0,
      figures: {
        caseload_pcns: { pcns: true, decimals: 0 },
        caseload_fte: { sum: 'splw_fte', decimals: 2 },
        caseload_covered: { share: 'people_referred', decimals: 0 },
        caseload_covered_annualised: { share: 'people_referred', decimals: 0 },
        caseload_coverage_pct: { share: 'people_referred', decimals: 0 },
      },
      // caseload_fte is over each covered PCN's months in its reporting span (a PCN month row with a list: onboarded,
      // populations.sql): its part is its FTE of those months, and England's FTE less it, the FTE outside the spans,
      // is tested across releases as a figure of its own (review 11, R11-2). A PCN whose year has a month reported
      // without a snapshot (its month rows' pcns_missing_snapshot_months 1) is not covered: none of its months are.
      span: {
        figure: 'caseload_fte',
        total: 'splw_fte',
        inSpan: (r) => r.list_size !== null && r.list_size !== undefined && r.pcns_missing_snapshot_months === 0,
      },
    },
    // A year's staffing is the mean of its months of snapshots (sql/metrics/workforce.sql), England's over England's.
    monthMeans: {
      months: 'months',
      columns: [...STAFF_COLUMNS, 'caseload_fte'],
    },
    derive: (r) => ({
      // England's FTEs are published to 2 decimals, so that the order rows are added in cannot show (1.5999999999999999);
      // below England disclosure control has rounded them to the nearest 5 already.
      ...Object.fromEntries(
        (['splw_fte', 'splw_vacancies_fte', 'hwbc_fte', 'cc_fte'] as const).map((c) => [
          c,
          typeof r[c] === 'number' ? Math.round((r[c] as number) * 100) / 100 : r[c],
        ]),
      ),
      // FTE per 10,000 over the PCNs that sent a snapshot, and caseload only where their people are every PCN's
      // (review 6, K7): FTE of the PCNs reporting over everyone's list or people read low per 10,000 and high per FTE.
      splw_fte_per_10000: rate(r.splw_fte, r.list_size_reporting, 10_000, 2),
      // Of the link workers whose training is known: over the PCNs that gave it (review 26, R26-6).
      splw_accredited_pct: rate(r.splw_accredited, r.splw_headcount_training_known, 100),
      pcns_with_link_worker_pct: rate(r.pcns_with_link_worker, r.pcns_reporting, 100),
      caseload: r.period_type === 'fy' ? rate(caseloadPeople(r), r.splw_fte, 1, 0) : null,
      // England's over the PCNs covered: exact from the query, rounded here (again for a held year: the same figures).
      // caseload_fte comes null from the query where 1 or 2 PCNs' FTE is left out (workforce.sql; review 9, R9-5), so
      // the revisions record holds what is published.
      caseload_fte: typeof r.caseload_fte === 'number' ? Math.round(r.caseload_fte * 100) / 100 : null,
      ...Object.fromEntries(
        (['caseload_covered', 'caseload_covered_annualised', 'caseload_coverage_pct'] as const).map((c) => [
          c,
          typeof r[c] === 'number' ? Math.round(r[c] as number) : null,
        ]),
      ),
      ...annualised({ ...r, months: r.referral_months ?? null }, (months) => ({
        caseload_annualised: rate(caseloadPeople(r), r.splw_fte, 12 / months, 0),
      })),
    }),
  },
  {
    name: 'equity',
    title: 'Equity',
    description: `People referred (distinct people), engagement, connection and wellbeing improvement by deprivation decile of where the person lives (1 = most deprived), ethnicity group, age band and sex, by financial year of referral; and access: people referred per 1,000 registered patients by the deprivation quintile of the PCN (NHS Digital PCN IMD 2019), annualised for a part year, for England and the regions only, and for a year only where no quintile cell gives away the figures of a PCN (every cell holds 3 or more PCNs from 2 or more ICBs, and none is left with one PCN when an ICB or region takes its own part away). The quintile rows of England are a group of PCNs, not the total of England: rounded and suppressed like counts below England, and a count is suppressed in every quintile row of the year where, beside the PCN rows of the rollout and outcomes pages, it would give the figure of a PCN away. Engagement and connection are counted per referral (a person referred twice counts twice), ${ENGAGEMENT_WINDOW}, and cover referrals made at least ${ENGAGEMENT_COHORT_MONTHS} months before the data-as-of date (their window closed); wellbeing counts people, measured on referrals made at least ${OUTCOME_COHORT_MONTHS} months before, the follow-up ${OUTCOME_WINDOW}. Method: docs/methodology.md.`,
    file: 'equity',
    // 2: a quintile's list counts a PCN from its first month with events (onboarded; review 6, K8); 3: reporting spans
    // (review 7, M5); 4: the groups of each dimension add up to one total in the disclosure audit (review 8, N1): more
    // `*` below England (a zero shown `*`, or a count suppressed, where the dimensions would pin a total). No exact
    // figure changes. In the same release: a correction extends no reporting span (review 9, R9-6).
    // 5: a late extract of an earlier month covers its own month, not the month before its receipt (review 16, R16-1).
    // 6: a PCN's span ends at the last month an extract from it covers, not at its last month with events (a
    // file received mid-month no longer counts that month as sent; review 18, R18-4).
    // 7: a `*` its family narrows to 1-2 is widened: zeros shown `*` (none pinned elsewhere) or a count (R11-5).
    // 7 also: a version without recorded_at is ranked by when its upload landed, not as the earliest (R21-4).
    // 8: a widening of a narrowed `*` is tried first and not made where the whole component's reader would then
    // recover a figure (the national regression, 2026-12-06): fewer `*` where widening used to be undone count by count.
    // 9: cohorts censored only at a known end (R26-1, R29-3).
    // 10: R29-1: each region's piece is audited without England's rows
    version: '10',
    // The reporting span changes the events counted only where a PCN has stray events or a stopped extract: no
    // column starts its series again, each change is differenced as a revision (held where a few PCNs make it).
    changes: [
      { version: '3', from: '2', columns: [] },
      { version: '4', from: '3', columns: [] },
      { version: '5', from: '4', columns: [] },
      { version: '6', from: '5', columns: [] },
      { version: '7', from: '6', columns: [] },
      { version: '8', from: '7', columns: [] },
      { version: '9', from: '8', columns: [] },
      { version: '10', from: '9', columns: [] },
    ],
    params: ({ dataAsOf }) => [
      cohortCutoff(dataAsOf, ENGAGEMENT_COHORT_MONTHS),
      cohortCutoff(dataAsOf, OUTCOME_COHORT_MONTHS),
    ],
    keys: ['dimension', 'group'],
    definitions: {
      ...COMMON,
      dimension:
        "imd_decile (where the person lives), ethnicity_group, age_band, sex, or pcn_imd_quintile (the deprivation of the PCN's registered population, IMD 2019: 1 = most deprived fifth of PCNs; England and regions only, never ICBs or PCNs, since a cell of one PCN would be that PCN's figures: docs/methodology.md, Equity).",
      group: 'The group within the dimension.',
      people_referred:
        "Distinct people referred. pcn_imd_quintile rows, England's too, count a group of PCNs: rounded as counts below England (1 to 7 shown as *, others to the nearest 5), and * in every quintile row of the year where a count would give away a PCN's rollout or outcomes figure (as are the engagement counts).",
      engagement_cohort: `Referrals made at least ${ENGAGEMENT_COHORT_MONTHS} months before the data-as-of date (their ${ENGAGEMENT_COHORT_MONTHS}-month follow-up window has closed), ${PCN_OBSERVED}.`,
      engaged: `Of them, referrals engaged (a link worker contact ${ENGAGEMENT_WINDOW}, no decline by then).`,
      connected: `Of them, referrals after which the person attended a community activity ${ENGAGEMENT_WINDOW}.`,
      wellbeing_people: `People measured at baseline and follow-up (on a referral made at least ${OUTCOME_COHORT_MONTHS} months before, the follow-up ${OUTCOME_WINDOW}).`,
      wellbeing_improved:
        "Of them, people who improved by their headline instrument's meaningful-change threshold (in any of their referrals).",
      engaged_pct: 'Referrals engaged as a percentage of the engagement cohort.',
      connected_pct: 'Referrals connected as a percentage of the engagement cohort.',
      wellbeing_improved_pct: 'Improved as a percentage of people measured.',
      list_size:
        'pcn_imd_quintile rows: registered patients of the PCNs in the quintile (each pro rata to the months it was open and onboarded, from its first month with events), a sum over 3 or more PCNs of published practice lists, exact: the denominator of the rate.',
      months: 'pcn_imd_quintile rows: months of the year so far.',
      people_referred_per_1000:
        'pcn_imd_quintile rows: people referred per 1,000 registered patients in the year so far (from the rounded count).',
      people_referred_per_1000_annualised:
        "The same x 12 / months: the quintiles of a year (over the same months) compared with each other. Not a year's figure: a person referred again later in the year counts once, so a part year reads high beside a whole year's.",
    },
    rules: {
      counts: EQUITY_COUNTS,
      siblings: [(r) => `${r.level}|${r.code}|${r.period}|${r.dimension}`],
      // Each person (referral) of an area-year is in one group of every dimension, so each dimension's groups add up to
      // the same total (review 8, N1): people referred are rollout's people referred of the area and year (distinct
      // people per PCN added up the areas, as here; a person whose referrals fall in two groups of a dimension counts
      // in both, which a reader cannot see), the engagement counts cof_person's (the same referrals, cut-off and
      // windows: sql/metrics/equity.sql, cof_person.sql). The PCN-deprivation quintiles are groups of PCNs, not of people.
      partitions: [
        {
          dimension: 'dimension',
          group: 'group',
          columns: EQUITY_COUNTS,
          rows: (r) => r.dimension !== 'pcn_imd_quintile',
          linkedTo: [
            { document: 'rollout', columns: { people_referred: 'people_referred' } },
            {
              document: 'cof_person',
              columns: { engagement_cohort: 'engagement_cohort', engaged: 'engaged', connected: 'connected' },
            },
          ],
        },
      ],
    },
    // A PCN-deprivation quintile's row is the sum of its PCNs' rows in rollout (people referred: person ids are per
    // PCN) and cof_person (referrals of the engagement cohort): England's is a group of PCNs, not England's own total
    // (review, finding 3).
    pcnGroups: {
      rows: (r) => r.dimension === 'pcn_imd_quintile',
      membership: 'pcn_imd_quintile',
      groupColumn: 'group',
      sums: [
        { document: 'rollout', columns: { people_referred: 'people_referred' } },
        {
          document: 'cof_person',
          columns: { engagement_cohort: 'engagement_cohort', engaged: 'engaged', connected: 'connected' },
        },
      ],
    },
    derive: (r) => ({
      engaged_pct: rate(r.engaged, r.engagement_cohort, 100),
      connected_pct: rate(r.connected, r.engagement_cohort, 100),
      wellbeing_improved_pct: rate(r.wellbeing_improved, r.wellbeing_people, 100),
      people_referred_per_1000: rate(r.people_referred, r.list_size, 1000),
      ...annualised(r, (months) => ({
        people_referred_per_1000_annualised: rate(r.people_referred, r.list_size, (1000 * 12) / months),
      })),
    }),
    summarise: (rows, ctx) => ({ cohorts: cohortsOf(ctx.dataAsOf ?? null, rows) }),
  },
  {
    name: 'pcn_comparison',
    title: 'Comparing PCNs',
    description: `Each PCN's referral rate (referrals per 1,000 registered patients, the list pro rata to the months the PCN was open), take-up (engaged: a link worker contact ${ENGAGEMENT_WINDOW}, not declined by then, of referrals made at least ${ENGAGEMENT_COHORT_MONTHS} months before the data-as-of date) and wellbeing improvement (of referrals made at least ${OUTCOME_COHORT_MONTHS} months before, measured twice, the follow-up ${OUTCOME_WINDOW}), each counted per referral (a person referred twice counts twice), in the financial year, on funnel plots around England's rate and its region's. The limits follow the NHS-R FunnelPlotR method: PCNs differ for reasons beyond chance (overdispersion, phi), so the limits are widened by the spread between PCNs (tau2) and show where a PCN would be if it differed from the comparator only as much as PCNs usually do. Outside the 99.8% limits is unusual even allowing for that: worth a conversation, not proof of better or worse care. Plain limits (chance alone) are published too. Below England everything is calculated from the rounded figures; the counts are the same counts as the rollout and outcomes pages' rows for the PCN and year and are published as those pages publish them (* where they show *); a PCN whose figure is suppressed is not placed (docs/methodology.md, section Comparing PCNs and change over time).`,
    file: 'pcn_comparison',
    // 5: a late extract of an earlier month covers its own month, not the month before its receipt (review 16, R16-1).
    // 6: a PCN's span ends at the last month an extract from it covers, not at its last month with events (a
    // file received mid-month no longer counts that month as sent; review 18, R18-4).
    // 7: a version without recorded_at is ranked by when its upload landed, not as the earliest (review 21, R21-4).
    // 8: cohorts censored only at a known end (R26-1, R29-3); a `*` has no funnel position and a region's comparator is its published figure (review 31, R31-1).
    version: '8', // 2: a PCN's list counts from its first month with events (review 6, K8); 3: reporting spans (review 7, M5); 4: a correction extends no reporting span (review 9, R9-6)
    // The reporting span changes the events counted only where a PCN has stray events or a stopped extract: no
    // column starts its series again, each change is differenced as a revision (held where a few PCNs make it).
    changes: [
      { version: '3', from: '2', columns: [] },
      { version: '4', from: '3', columns: [] },
      { version: '5', from: '4', columns: [] },
      { version: '6', from: '5', columns: [] },
      { version: '7', from: '6', columns: [] },
      { version: '8', from: '7', columns: [] },
    ],
    params: ({ dataAsOf }) => [
      cohortCutoff(dataAsOf, ENGAGEMENT_COHORT_MONTHS),
      cohortCutoff(dataAsOf, OUTCOME_COHORT_MONTHS),
    ],
    // Each region's comparator is its published figure, from the documents its counts are the same as (sameAs).
    afterControl: (published, raw, documentOf) =>
      placeOnFunnels(published, raw, documentOf && regionFiguresOf(PCN_COMPARISON_SOURCES, documentOf)),
    keys: [],
    definitions: {
      ...COMMON,
      region_code: "The PCN's region.",
      icb_code: "The PCN's ICB.",
      list_size: 'Registered patients (mean over the months the PCN was open).',
      months_open: 'Months of the year (with data nationally) the PCN was open.',
      exposure: 'Registered patients pro rata to the months open: list size × months open / months of the year.',
      referrals: 'Accepted referrals: the same count as rollout.referrals of the PCN and year, published as there.',
      engagement_cohort: `Referrals made at least ${ENGAGEMENT_COHORT_MONTHS} months before the data-as-of date (their follow-up window has closed): the same count as cof_person.engagement_cohort, published as there (as are engaged, connected and the wellbeing counts).`,
      engaged: `Of the engagement cohort, referrals with a link worker contact ${ENGAGEMENT_WINDOW} and no decline by then: take-up.`,
      connected: `Of the engagement cohort, referrals after which the person attended a community activity ${ENGAGEMENT_WINDOW} (shown beside take-up).`,
      wellbeing_measured: `Referrals made at least ${OUTCOME_COHORT_MONTHS} months before the data-as-of date measured at baseline and follow-up, the follow-up ${OUTCOME_WINDOW} (each once, on its headline instrument).`,
      wellbeing_improved: "Of them, referrals improved by the headline instrument's meaningful-change threshold.",
      referral_rate: 'Referrals per 1,000 registered patients (exposure: the list pro rata to the months open).',
      take_up_pct:
        'Take-up: engaged as a percentage of the engagement cohort (the 80% expectation of Universal Personalised Care).',
      wellbeing_improved_pct: 'Wellbeing improved as a percentage of the referrals measured.',
      '*_vs_national / *_vs_region':
        "high or low when outside the 99.8% limits adjusted for overdispersion (FunnelPlotR), within otherwise; `_vs_region` is too_few_in_region where fewer than 3 of the region's PCNs are placed (compared with England only). A `*` has no position (null): a secondary `*` may hide a count of any size (review 31, R31-1).",
      '*_vs_national_unadjusted / *_vs_region_unadjusted': 'The same against plain limits (chance alone).',
    },
    rules: {
      counts: ['referrals', 'engagement_cohort', 'engaged', 'connected', 'wellbeing_measured', 'wellbeing_improved'],
    },
    // The same counts as rollout's and cof_person's PCN rows of the year (sql/metrics: each referral of the PCN once,
    // the same cohort cut-offs, the headline instrument per referral): published as those documents publish them,
    // or a cell they suppress (secondarily, or by the audit) would be shown here rounded (review, finding 2).
    sameAs: PCN_COMPARISON_SOURCES,
    summarise: (rows, ctx) => ({ cohorts: cohortsOf(ctx.dataAsOf ?? null, rows) }),
  },
  {
    name: 'data_quality',
    title: 'Data submissions',
    description:
      'For each PCN: uploads received, files rejected whole (and those holding personal identifiers), rows accepted and rejected by reason, the last upload, its first and last months reported, months missing since its first month reported, events dated before it (stray events), events and workforce snapshots dated when the PCN was not in force (all in no figure), service-use rows of a 3- or 12-month window (accepted, in no figure: the published service use counts 6-month windows), and person ids another PCN has sent too (a missing or shared pseudonymisation key). These count files and rows, not people, so they are not suppressed, but rows accepted are rounded up to a multiple of 5 (a late file would otherwise say how much of a change in England came from its PCN); they are shown to the national team, to regional and ICB leads for the PCNs in their area (who chase late and rejected submissions), and to the PCN itself.',
    file: 'data_quality',
    // 5: a late extract of an earlier month covers its own month, not the month before its receipt (review 16, R16-1).
    // 6: a PCN's span ends at the last month an extract from it covers, not at its last month with events (a
    // file received mid-month no longer counts that month as sent; review 18, R18-4).
    // 7: a version without recorded_at is ranked by when its upload landed, not as the earliest (review 21, R21-4).
    // 8: service_use_rows_other_windows added (R27-3): a new column, no break.
    version: '8', // 2: a PCN's reporting span: no stray events, no data after its extract stopped (review 7, M5); 3: a correction extends no reporting span (review 9, R9-6); 4: person ids shared with another PCN (review 13, R13-5)
    // The reporting span changes the events counted only where a PCN has stray events or a stopped extract: no
    // column starts its series again, each change is differenced as a revision (held where a few PCNs make it).
    changes: [
      { version: '2', from: '1', columns: [] },
      { version: '3', from: '2', columns: [] },
      { version: '4', from: '3', columns: [] },
      { version: '5', from: '4', columns: [] },
      { version: '6', from: '5', columns: [] },
      { version: '7', from: '6', columns: [] },
      { version: '8', from: '7', columns: [] },
    ],
    keys: [],
    definitions: {
      ...COMMON,
      uploads: 'Files received.',
      files_rejected: 'Files rejected whole.',
      files_with_identifiers: 'Files rejected for holding personal identifiers.',
      rows_accepted:
        'Rows accepted, rounded up to a multiple of 5 (0 stays 0); the exact count is on the upload receipts.',
      rows_rejected: 'Rows rejected.',
      rejected_invalid: 'Rows rejected for a missing, malformed or out-of-range value.',
      rejected_duplicate: 'Rows rejected as repeated in the same file.',
      rejected_other: 'Rows rejected for other reasons.',
      last_upload: 'When the latest file landed.',
      first_month:
        'First month reported: the first month of its sustained reporting (an event dated more than 3 months before a run of 3 or more months with events is a stray, not its reporting).',
      months_with_data: 'Months reported with events.',
      months_missing: 'Months without events since the first month reported, to the latest month nationally.',
      events_out_of_force:
        'Events dated in a month when the PCN was not in force in the reference data (after it closed or before it opened), rounded up to a multiple of 5 (0 stays 0): left out of every figure, England included, until the dates or the reference are corrected.',
      months_out_of_force: 'Months with events dated when the PCN was not in force.',
      first_month_out_of_force: 'First month with events dated when the PCN was not in force.',
      last_month_out_of_force: 'Last month with events dated when the PCN was not in force.',
      snapshot_rows_out_of_force:
        'Workforce snapshot rows (one a role and month) of months when the PCN was not in force in the reference data: left out of every figure, England included, until the snapshot month or the reference is corrected.',
      snapshot_months_out_of_force: 'Months with workforce snapshots dated when the PCN was not in force.',
      first_snapshot_month_out_of_force: 'First month with a workforce snapshot dated when the PCN was not in force.',
      last_snapshot_month_out_of_force: 'Last month with a workforce snapshot dated when the PCN was not in force.',
      last_month_reported:
        'Last month reported: its last month open with events, or with an extract received after it ended. After it its extract has stopped (or it closed), and its months are no data (not 0) in every figure.',
      events_outside_reporting:
        'Events dated before the first month reported (stray or mis-dated events), rounded up to a multiple of 5 (0 stays 0): left out of every figure, England included, until the dates are corrected.',
      months_outside_reporting: 'Months with events dated before the first month reported.',
      first_month_outside_reporting: 'First month with events dated before the first month reported.',
      last_month_outside_reporting: 'Last month with events dated before the first month reported.',
      service_use_rows_other_windows:
        'Service-use rows with a window of 3 or 12 months (window_months not 6), valid and accepted but in no figure: the published service use counts 6-month windows alone. Rows in its months reported, up to the last complete month, rounded up to a multiple of 5 (0 stays 0); the receipt of each upload says how many and which rows (note service_use_window_not_counted).',
      person_ids_shared:
        "Its referred people's person ids that another PCN has sent too, rounded up to a multiple of 5 (0 stays 0). Pseudonyms are keyed per PCN, so one person referred by two PCNs has two ids: any here means its pseudonymisation key is missing or shared with another PCN, and its ids can be traced back to NHS numbers. Its uploads need its own key (sp-outcomes keygen) before the next file.",
    },
    rules: { counts: [] },
  },
];

/** The last day of a period: a month's, or 31 March for a financial year (2025/26: 2026-03-31). */
const periodEnd = (period: string) =>
  period.includes('/') ? `${Number(period.slice(0, 4)) + 1}-03-31` : monthEnd(period);

/**
 * cof_person's rows (rowKey) whose cohort is not its episodes, by cohort column: filled from its exact rows before
 * control (noteUnobservedCohorts), read by jointCounts' cohort cells whenever they are asked.
 */
export type UnobservedCohorts = Map<string, Set<string>>;

/**
 * Notes cof_person's exact rows below England whose engagement (outcome) cohort is not their episodes. For a period
 * that ended by the cohort's cut-off, these are the PCNs (and their areas) with referrals whose window runs past the
 * PCN's own end of observation (its extract stopped, or it closed or merged, before the window ended: those referrals
 * are in no cohort; sql/prepare/episodes.sql, red-team review 26, R26-1): there the cohort is another count.
 */
export function noteUnobservedCohorts(into: UnobservedCohorts, rows: readonly Row[]): void {
  for (const column of ['engagement_cohort', 'outcome_cohort']) {
    const keys = into.get(column) ?? new Set<string>();
    into.set(column, keys);
    for (const row of rows)
      if (row.level !== 'national' && Number(row[column]) !== Number(row.episodes)) keys.add(rowKey(row));
  }
}

/**
 * Counts that several documents publish and each controls with its own secondary suppression and audit: controlled
 * jointly (shared-counts.ts, jointFixedPoint), so that a cell suppressed in one is suppressed in all (docs/methodology.md,
 * "Disclosure control"). Found by comparing the documents' cells of each area and period (test/bench/shared-cells.ts)
 * and checked against the SQL: each counts the same rows. Made for the refresh's data-as-of date: cof_person's
 * engagement and outcome cohorts are its episodes for every period that ended by their cut-off (every referral of
 * it is old enough), so below England those cells are the same count too (red-team review 16, R16-4: an episodes `*`
 * was published rounded beside it in the cohort columns, 530 PCN months nationally). England is published exact.
 * Except where referrals of the period are in no cohort because their window runs past their PCN's end of observation
 * (R26-1): those rows (`unobserved`, noted from cof_person's exact rows before control) publish a cohort that is not
 * the episodes, controlled by cof_person's own control (a PCN's such month has a cohort of 0: its referrals are all
 * observed or none).
 */
export function jointCounts(
  dataAsOf: string | null | undefined,
  unobserved?: UnobservedCohorts,
): readonly JointCount[] {
  const cohort = (column: string, months: number) => {
    if (!dataAsOf) return [];
    const cutoff = cohortCutoff(dataAsOf, months);
    const rows = (r: Row) =>
      r.level !== 'national' &&
      periodEnd(String(r.period)) <= cutoff &&
      unobserved?.get(column)?.has(rowKey(r)) !== true;
    return [{ document: 'cof_person', column, rows }];
  };
  return [
    {
      // Accepted referrals: each referral (episode) once, in the month and area of its first referral event; the
      // sources of a referral add up to it (sql/metrics/rollout.sql, cof_person.sql, referral_sources.sql, all from
      // episodes).
      name: 'referrals',
      key: AREA_PERIOD,
      cells: [
        { document: 'rollout', column: 'referrals' },
        { document: 'referral_sources', column: 'referrals' },
        { document: 'cof_person', column: 'episodes' },
        ...cohort('engagement_cohort', ENGAGEMENT_COHORT_MONTHS),
        ...cohort('outcome_cohort', OUTCOME_COHORT_MONTHS),
      ],
    },
  ];
}

/** The counts shared whatever the date (the documents each belongs with: jointGroups). */
export const JOINT_COUNTS = jointCounts(null);
