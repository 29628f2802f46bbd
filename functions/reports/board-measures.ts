import { SERVICE_USE_WINDOW_MONTHS } from '../contract/enums.ts';
import type { Area, Figure, Level, MetaDocument, MetricRow, ProgrammeTargets } from '../contract/metrics.ts';

/**
 * The figures a board sees for an area beside its ICB, region and England: the PCN page of the dashboard and the
 * monthly PDF pack both read this one list, so they show the same figures from the same published columns.
 * Every figure comes from a published (disclosure-controlled) document; nothing here computes a new one.
 */
export type BoardUnit = 'count' | 'rate' | 'percent' | 'change' | 'decimal';

export interface BoardMeasure {
  readonly id: string;
  readonly label: string;
  /** The published document and column the figure is read from. */
  readonly document: string;
  readonly column: string;
  /** Key columns the row must have (documents with more than one row per area and period). */
  readonly where?: Readonly<Record<string, string>>;
  readonly unit: BoardUnit;
  /** The programme expectation in words, where there is one (meta.json's targets). */
  readonly expectation?: (targets: ProgrammeTargets) => string;
  /** The Making Data Count series in the spc document that charts this measure, if any. */
  readonly spc?: string;
  /** The pcn_comparison measure that places a PCN on a funnel plot for this measure, if any. */
  readonly funnel?: string;
  /** Shown month by month as well as for the year. */
  readonly monthly?: boolean;
  /**
   * For a financial year, the column and label read instead: a rate over the months so far is not comparable between
   * areas with different months (a PCN that opened in December beside its ICB's whole year), so a year is annualised.
   */
  readonly year?: { readonly column: string; readonly label: string };
  /**
   * A figure published in another column where this one has none, with the words that say what it covers (England's
   * caseload over the PCNs that sent a workforce snapshot, as the Workforce page shows it: red-team review 19, R19-6).
   */
  readonly fallback?: (row: MetricRow) => { readonly value: number; readonly note: string } | undefined;
  /**
   * The referrals a year's figure covers, where not all of the year's (review 31, R31-5): cof_person's engagement
   * cohort (referred 3 months before the data-as-of date), its outcome cohort (6 months), or cof_system's windows
   * ended (6 months after referral). Its document's summary gives the cut-off.
   */
  readonly cohort?: 'engagement' | 'outcomes' | 'windows';
}

export const BOARD_MEASURES: readonly BoardMeasure[] = [
  {
    id: 'referrals_per_1000',
    label: 'Referrals per 1,000 registered patients',
    document: 'rollout',
    column: 'referrals_per_1000',
    unit: 'rate',
    // The chart of the rate printed, not of the count (red-team review 19, R19-5).
    spc: 'referrals_per_1000',
    funnel: 'referral_rate',
    monthly: true,
    year: {
      column: 'referrals_per_1000_annualised',
      label: 'Referrals per 1,000 patients a year (annualised)',
    },
  },
  {
    id: 'pct_list_referred_annualised',
    // Distinct people of a part year x 12 / its months: it reads slightly high early in a year, people referred again
    // later counting once (review 27, R27-6; docs/methodology.md, "% of list referred").
    label: 'People referred, % of the list (x 12 / months so far: reads slightly high early in a year)',
    document: 'rollout',
    column: 'pct_list_referred_annualised',
    unit: 'percent',
    expectation: (t) => `${t.iif_lower_pct}% to ${t.iif_upper_pct}% a year (IIF)`,
  },
  {
    id: 'decline_rate_pct',
    label: 'Offers declined, % of offers made',
    document: 'rollout',
    column: 'decline_rate_pct',
    unit: 'percent',
    spc: 'decline_rate_pct',
    monthly: true,
  },
  {
    id: 'engaged_pct',
    label: 'Engaged with a link worker, %',
    document: 'cof_person',
    column: 'engaged_pct',
    unit: 'percent',
    expectation: (t) => `${t.take_up_pct}% take-up`,
    spc: 'engagement_pct',
    // The take-up funnel's numerator is referrals engaged (pcn_comparison), not connected.
    funnel: 'take_up_pct',
    cohort: 'engagement',
  },
  {
    id: 'connected_pct',
    label: 'Connected to a community activity, %',
    document: 'cof_person',
    column: 'connected_pct',
    unit: 'percent',
    cohort: 'engagement',
  },
  {
    id: 'mean_contacts',
    label: 'Link worker contacts per referral (mean)',
    document: 'cof_person',
    column: 'mean_contacts',
    unit: 'decimal',
    expectation: (t) => `${t.contacts_min} to ${t.contacts_max} contacts`,
    cohort: 'outcomes',
  },
  {
    id: 'wellbeing_improved_pct',
    label: 'Wellbeing improved, % of referrals measured',
    document: 'cof_person',
    column: 'wellbeing_improved_pct',
    unit: 'percent',
    funnel: 'wellbeing_improved_pct',
    cohort: 'outcomes',
  },
  {
    id: 'gp_change_pct',
    label: `GP appointments, change over ${SERVICE_USE_WINDOW_MONTHS} months before and after referral`,
    document: 'cof_system',
    column: 'change_pct',
    // One length of windows (cof_system's window_months): never figures of different lengths (review 26, R26-3).
    where: { window_months: String(SERVICE_USE_WINDOW_MONTHS), service: 'gp_appointment', baseline_band: 'all' },
    unit: 'change',
    expectation: (t) => `${t.gp_change_pct}%`,
    cohort: 'windows',
  },
  {
    id: 'ae_change_pct',
    label: `A&E attendances, change over ${SERVICE_USE_WINDOW_MONTHS} months before and after referral`,
    document: 'cof_system',
    column: 'change_pct',
    where: { window_months: String(SERVICE_USE_WINDOW_MONTHS), service: 'ae_attendance', baseline_band: 'all' },
    unit: 'change',
    expectation: (t) => `${t.ae_change_pct}%`,
    cohort: 'windows',
  },
  {
    id: 'splw_fte_per_10000',
    label: 'Link worker FTE per 10,000 registered patients',
    document: 'workforce',
    column: 'splw_fte_per_10000',
    unit: 'decimal',
    spc: 'splw_fte_per_10000',
    monthly: true,
  },
  {
    id: 'caseload_annualised',
    label: 'Caseload: people referred a year per link worker FTE',
    document: 'workforce',
    column: 'caseload_annualised',
    unit: 'decimal',
    expectation: (t) => `${t.caseload_min} to ${t.caseload_max} a year`,
    fallback: coveredCaseload,
  },
];

/** The documents the board figures are read from (and, for positions and trends, pcn_comparison and spc). */
export const BOARD_DOCUMENTS = [
  ...new Set([...BOARD_MEASURES.map((m) => m.document), 'pcn_comparison', 'spc', 'alerts', 'data_quality']),
];

export interface BoardArea {
  readonly level: Level;
  readonly code: string;
  readonly name: string;
}

/** An area and the areas above it, as a PCN user may see them: the area itself first, then ICB, region, England. */
export function areaWithParents(
  meta: Pick<MetaDocument, 'regions' | 'icbs' | 'pcns'>,
  level: Level,
  code: string,
): BoardArea[] {
  const find = (list: readonly Area[], c: string | null | undefined) => list.find((a) => a.code === c);
  const areas: BoardArea[] = [];
  const pcn = level === 'pcn' ? find(meta.pcns, code) : undefined;
  if (level === 'pcn') areas.push({ level, code, name: pcn?.name ?? code });
  const icbCode = level === 'icb' ? code : pcn?.parent;
  const icb = icbCode ? find(meta.icbs, icbCode) : undefined;
  if (icbCode) areas.push({ level: 'icb', code: icbCode, name: icb?.name ?? icbCode });
  const regionCode = level === 'region' ? code : icb?.parent;
  if (regionCode)
    areas.push({ level: 'region', code: regionCode, name: find(meta.regions, regionCode)?.name ?? regionCode });
  areas.push({ level: 'national', code: 'ENG', name: 'England' });
  return areas;
}

/** A measure's label in a table of financial years. */
export const yearLabel = (measure: BoardMeasure): string => measure.year?.label ?? measure.label;

/** The row of a measure for an area and period, if published. */
export function measureRow(
  rows: readonly MetricRow[],
  measure: Pick<BoardMeasure, 'where'>,
  period: string,
): MetricRow | undefined {
  // The key columns read once, not for every row compared (issue 17: some 500 figures a pack, 1,400 packs).
  const where = measure.where === undefined ? NO_KEYS : Object.entries(measure.where);
  return rows.find((r) => r.period === period && where.every(([k, v]) => String(r[k]) === v));
}

const NO_KEYS: readonly [string, string][] = [];

/**
 * England's caseload where some PCNs that referred people sent no workforce snapshot (workforce.sql: caseload is then
 * null, their people being in no FTE), or missed a snapshot for a month they reported once it was due (review 26, R26-2;
 * review 27, R27-8): the caseload over the PCNs that sent a snapshot for every month they reported referrals in whose
 * snapshots are due, with
 * its coverage, as the Workforce page shows it (WorkforcePage coveredCaseload). None where the whole caseload is
 * published, or the covered one is not (below England; withheld).
 */
function coveredCaseload(row: MetricRow): { value: number; note: string } | undefined {
  // England's row is read by every pack (its figure and its note, each year): worked out once per row (issue 17).
  let known = coveredCaseloads.get(row);
  if (known === undefined) {
    known = coveredCaseloadOf(row) ?? null;
    coveredCaseloads.set(row, known);
  }
  return known ?? undefined;
}

/** coveredCaseload's answer by row (null: none), rows being published data that do not change. */
const coveredCaseloads = new WeakMap<MetricRow, { value: number; note: string } | null>();

function coveredCaseloadOf(row: MetricRow): { value: number; note: string } | undefined {
  const covered = row.caseload_covered_annualised;
  if (typeof covered !== 'number' || typeof row.caseload === 'number' || row.caseload === '*') return undefined;
  const pcns = typeof row.caseload_pcns === 'number' ? `${row.caseload_pcns.toLocaleString('en-GB')} PCNs` : 'PCNs';
  const share = typeof row.caseload_coverage_pct === 'number' ? `${Math.round(row.caseload_coverage_pct)}%` : 'some';
  const pcnsWord = (n: number) => `${n.toLocaleString('en-GB')} ${n === 1 ? 'PCN' : 'PCNs'}`;
  const left = row.pcns_referring_without_snapshot;
  const missing = row.pcns_missing_snapshot_months;
  const reasons = [
    ...(typeof left === 'number' && left > 0
      ? [`${pcnsWord(left)} that referred people sent no workforce snapshot`]
      : []),
    ...(typeof missing === 'number' && missing > 0
      ? [`${pcnsWord(missing)} sent none for a month ${missing === 1 ? 'it' : 'they'} reported referrals in`]
      : []),
  ];
  const without = reasons.length > 0 ? `: ${reasons.join('; ')}` : '';
  return {
    value: covered,
    note: `England's caseload ${row.period} (${Math.round(covered).toLocaleString('en-GB')} a year) is over the ${pcns} that sent a workforce snapshot for every month they reported referrals in whose snapshots are due, holding ${share} of the people referred${without}.`,
  };
}

/** The figure of a measure for an area and period: a number, "*" (suppressed) or null (not published). */
export function measureFigure(rows: readonly MetricRow[], measure: BoardMeasure, period: string): Figure {
  const column = measure.year && period.includes('/') ? measure.year.column : measure.column;
  const row = measureRow(rows, measure, period);
  const value = row?.[column];
  if (typeof value === 'number' || value === '*') return value;
  const fallback = row && measure.fallback?.(row);
  return fallback ? fallback.value : null;
}

/** What a figure read from a measure's fallback covers, in words (undefined where the figure is the measure's own). */
export function measureNote(rows: readonly MetricRow[], measure: BoardMeasure, period: string): string | undefined {
  const column = measure.year && period.includes('/') ? measure.year.column : measure.column;
  const row = measureRow(rows, measure, period);
  const value = row?.[column];
  if (row === undefined || typeof value === 'number' || value === '*') return undefined;
  return measure.fallback?.(row)?.note;
}

/**
 * A PCN's funnel position for one measure and comparator (`vs_national`, `vs_region`) in words, or undefined where it
 * has none. A suppressed rate (`*`) has no position (review 31, R31-1: it may hide a count of any size): the words say
 * so, whatever position a document published before that change gives it.
 */
export function funnelPositionText(
  row: Readonly<Record<string, unknown>> | undefined,
  funnel: string,
  against: string,
) {
  if (row?.[funnel] === '*') return 'not shown: suppressed';
  const value = row?.[`${funnel}_${against}`];
  if (typeof value !== 'string') return undefined;
  return FUNNEL_POSITION_TEXT[value] ?? value;
}

/** Funnel positions in words (pcn_comparison: within the 99.8% limits, above or below them, or not compared). */
export const FUNNEL_POSITION_TEXT: Readonly<Record<string, string>> = {
  within: 'within the limits',
  high: 'above the 99.8% limit',
  low: 'below the 99.8% limit',
  // funnel-documents.ts: the region has too few placed PCNs to publish a comparator of its own.
  too_few_in_region: 'not compared: fewer than 3 PCNs placed in the region (compared with England only)',
};
