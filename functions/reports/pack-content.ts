import { Scope } from '../auth/scope.ts';
import type { Figure, Level, MetaDocument, MetricDocument, MetricRow } from '../contract/metrics.ts';
import type { FunnelRates, TargetProgress } from '../contract/summaries.ts';
import { ASSURANCE_TEXT, type Assurance, VARIATION_TEXT, type Variation } from '../stats/spc-icons.ts';
import {
  areaWithParents,
  BOARD_MEASURES,
  type BoardArea,
  type BoardMeasure,
  type BoardUnit,
  funnelPositionText,
  measureFigure,
  measureNote,
  yearLabel,
} from './board-measures.ts';
import { cohortGapNote } from './cohort-gap-note.ts';
import { longDate, MONTH_NAMES } from './long-date.ts';
import { pcnsReportingRange } from './pcns-reporting.ts';

/**
 * What a monthly pack says for one area, worked out from the published documents only (so every figure below
 * England level is already disclosure-controlled). A pack for England, a region or an ICB holds aggregate rows only
 * and names no PCN: a PCN user may read its ICB's, region's and England's packs, and must see no other PCN there.
 * The documents about each area's own business (visibility 'inside_area': the alerts) are read only in the pack for
 * the area's own leads; the pack for any other reader is written without them (PublishedRows.forReadersOutside).
 */
export interface PackTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface PackChart {
  readonly title: string;
  readonly unit: BoardUnit;
  /** The area's own monthly figures, oldest first. */
  readonly points: readonly { readonly month: string; readonly value: Figure }[];
  /** The text equivalent: every month for the area and the areas above it. */
  readonly table: PackTable;
}

export interface PackContent {
  readonly area: BoardArea;
  /** The area first, then its ICB, region and England (as far as it has them). */
  readonly areas: readonly BoardArea[];
  readonly month: string | null;
  readonly financialYear: string | null;
  readonly dataAsOf: string | null;
  readonly generatedAt: string;
  readonly coverage: string | null;
  readonly headlines: PackTable;
  /** The financial year before, complete, whose outcome cohorts have had time to mature. */
  readonly previousFinancialYear: string | null;
  readonly previousHeadlines: PackTable | null;
  readonly positions: PackTable;
  /** Why the funnel column against England is empty (England's year held), or null. */
  readonly positionsNote: string | null;
  /** England's figures held by the revisions policy, in words for the cover and the England column (empty: none). */
  readonly englandHeld: readonly string[];
  /**
   * What a headline figure read from another column covers (England's caseload over the PCNs that sent a workforce
   * snapshot: red-team review 19, R19-6), for this year and the year before (empty: none).
   */
  readonly headlineNotes: readonly string[];
  readonly charts: readonly PackChart[];
  readonly alerts: readonly string[];
  /** The pack is for readers outside the area, who may not read its alerts: it says so, whether or not it has any. */
  readonly alertsWithheld: boolean;
  readonly completeness: PackTable;
  readonly completenessNote: string;
  readonly hasSuppressed: boolean;
}

export const SUPPRESSED_TEXT = '*';
export const NO_DATA_TEXT = '-';
/** The months of the monthly charts: the last year. */
export const CHART_MONTHS = 12;

/**
 * en-GB numbers without Intl (about 1,300 packs of some 400 figures each: Intl's formatting was a tenth of the time):
 * digits grouped in threes with commas, a full stop before the decimals.
 */
export function formatNumber(value: number, digits: number): string {
  const fixed = Math.abs(value).toFixed(digits);
  const point = fixed.indexOf('.');
  const whole = point < 0 ? fixed : fixed.slice(0, point);
  // Most figures have at most three digits before the point: nothing to group (issue 17: the pattern was most of it).
  const grouped = whole.length <= 3 ? whole : whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = value < 0 && Number(fixed) !== 0 ? '-' : '';
  return `${sign}${grouped}${point < 0 ? '' : fixed.slice(point)}`;
}

/**
 * A figure as the pack prints it: en-GB, * for suppressed, - for not published. Standard PDF fonts have no true
 * minus sign (WinAnsi encoding), so a fall prints with a hyphen.
 */
export function formatFigure(value: Figure | undefined, unit: BoardUnit): string {
  if (value === '*') return SUPPRESSED_TEXT;
  if (typeof value !== 'number' || Number.isNaN(value)) return NO_DATA_TEXT;
  if (unit === 'count') return formatNumber(value, 0);
  if (unit === 'percent') return `${formatNumber(value, 1)}%`;
  if (unit === 'change') return `${value > 0 ? '+' : ''}${formatNumber(value, 1)}%`;
  return formatNumber(value, 1);
}

/** 2025-09-30 → 30 September 2025. */
export function formatLongDate(iso: string | null): string {
  return (iso ? longDate(iso) : undefined) ?? NO_DATA_TEXT;
}

/** 2025-09 → Sep 2025 (long: September 2025). */
export function formatMonth(month: string, long = false): string {
  const name = MONTH_NAMES[Number(month.slice(5, 7)) - 1] ?? month;
  return `${long ? name : name.slice(0, 3)} ${month.slice(0, 4)}`;
}

/** The published documents indexed by area (level, then code), so each of some 1,300 packs reads only its own rows. */
export class PublishedRows {
  /**
   * Each document's rows by level and code. Issue 17: a key text made per row (some 3 million rows nationally) and
   * per look-up was about 4% of the packs' main thread (a CPU profile of England's packs); two maps make none.
   */
  private readonly byArea = new Map<string, Map<unknown, Map<unknown, MetricRow[]>>>();
  /** Documents about each area's own business (visibility 'inside_area'), which its own leads only may read. */
  private readonly insideArea = new Set<string>();
  /** Documents left out of these rows, for readers outside the area. */
  private readonly withheldDocuments = new Set<string>();
  /** Each document's summary (England-level facts such as a held year, the same for every reader). */
  private readonly summaries = new Map<string, Readonly<Record<string, unknown>>>();
  /** An area's rows of a document by period (inPeriod), made when first read. */
  private readonly periodsOf = new WeakMap<readonly MetricRow[], Map<unknown, MetricRow[]>>();

  constructor(documents: readonly MetricDocument[]) {
    for (const document of documents) {
      if (document.summary) this.summaries.set(document.name, document.summary);
      if (document.visibility === 'inside_area') this.insideArea.add(document.name);
      const levels = new Map<unknown, Map<unknown, MetricRow[]>>();
      for (const row of document.rows) {
        let codes = levels.get(row.level);
        if (codes === undefined) {
          codes = new Map();
          levels.set(row.level, codes);
        }
        const rows = codes.get(row.code);
        if (rows) rows.push(row);
        else codes.set(row.code, [row]);
      }
      this.byArea.set(document.name, levels);
    }
  }

  /**
   * The same rows without the documents about each area's own business: what a pack may draw on when it is served
   * to a role that may read the area (scope.ts `allows`) but is not inside it (`inside`), as the API serves them.
   */
  forReadersOutside(): PublishedRows {
    const outside = new PublishedRows([]);
    for (const [name, areas] of this.byArea)
      if (this.insideArea.has(name)) outside.withheldDocuments.add(name);
      else {
        outside.byArea.set(name, areas);
        const summary = this.summaries.get(name);
        if (summary) outside.summaries.set(name, summary);
      }
    return outside;
  }

  /** Was this document left out, the pack being for readers outside the area? */
  withheld(document: string): boolean {
    return this.withheldDocuments.has(document);
  }

  summary(document: string): Readonly<Record<string, unknown>> | undefined {
    return this.summaries.get(document);
  }

  of(document: string, level: Level, code: string): readonly MetricRow[] {
    return this.byArea.get(document)?.get(level)?.get(code) ?? [];
  }

  /**
   * An area's rows of one period, in the document's order: what a pack's figures are found in (measureRow), instead
   * of every period's rows (issue 17: some 500 figures a pack, each a search of the area's rows of every period).
   * Indexed the first time an area's rows of a document are read by period, and kept: England's and an ICB's rows
   * are read by many packs.
   */
  inPeriod(document: string, level: Level, code: string, period: string): readonly MetricRow[] {
    const rows = this.of(document, level, code);
    let periods = this.periodsOf.get(rows);
    if (periods === undefined) {
      periods = new Map();
      for (const row of rows) {
        const list = periods.get(row.period);
        if (list) list.push(row);
        else periods.set(row.period, [row]);
      }
      this.periodsOf.set(rows, periods);
    }
    return periods.get(period) ?? [];
  }

  /** Every row of a document at one level (e.g. the PCN alerts, to count those in an area). */
  atLevel(document: string, level: Level): MetricRow[] {
    const rows: MetricRow[] = [];
    for (const list of this.byArea.get(document)?.get(level)?.values() ?? []) rows.push(...list);
    return rows;
  }
}

const COLUMN_NAME: Record<Level, string> = { pcn: 'This PCN', icb: 'ICB', region: 'Region', national: 'England' };

function headlines(areas: readonly BoardArea[], rows: PublishedRows, meta: MetaDocument, fy: string | null): PackTable {
  return {
    columns: ['Measure', ...areas.map((a) => COLUMN_NAME[a.level]), 'Expectation'],
    rows: [
      ...BOARD_MEASURES.map((m) => [
        yearLabel(m),
        ...areas.map((a) =>
          fy === null
            ? NO_DATA_TEXT
            : formatFigure(measureFigure(rows.inPeriod(m.document, a.level, a.code, fy), m, fy), m.unit),
        ),
        m.expectation ? m.expectation(meta.targets) : '',
      ]),
      // How complete each column's year is: a PCN that opened mid-year, or data that began mid-year, has fewer.
      [
        'Months with data in the year',
        ...areas.map((a) => {
          const months = fy === null ? undefined : rows.inPeriod('rollout', a.level, a.code, fy)[0]?.months;
          return typeof months === 'number' ? `${months} of 12` : NO_DATA_TEXT;
        }),
        '',
      ],
    ],
  };
}

function spcText(row: MetricRow | undefined): string {
  if (!row) return NO_DATA_TEXT;
  // A series with a suppressed month is not charted (review2 F4): say why rather than "too few months".
  if (typeof row.not_charted === 'string') return row.not_charted;
  const variation = typeof row.variation === 'string' ? VARIATION_TEXT[row.variation as Variation] : undefined;
  const assurance = typeof row.assurance === 'string' ? ASSURANCE_TEXT[row.assurance as Assurance] : undefined;
  if (!variation) return `Too few months to chart (${row.points ?? 0})`;
  return assurance ? `${variation}; ${assurance.toLowerCase()}` : variation;
}

/** The funnel cell of a measure with no England comparator because England's year is held. */
export const ENGLAND_HELD_CELL = 'None: England held';

/** The year's funnel rates of a measure (pcn_comparison's summary.funnel_rates), if published. */
function funnelRates(rows: PublishedRows, fy: string | null, measure: string): FunnelRates | undefined {
  const rates = rows.summary('pcn_comparison')?.funnel_rates as
    | Readonly<Record<string, Readonly<Record<string, FunnelRates>>>>
    | undefined;
  return fy === null ? undefined : rates?.[fy]?.[measure];
}

/** Funnel position (PCNs only) and SPC icon, in words, for each measure that has either. */
function positions(area: BoardArea, rows: PublishedRows, fy: string | null): PackTable {
  const funnelRow = fy === null ? undefined : rows.inPeriod('pcn_comparison', area.level, area.code, fy)[0];
  const spcRows = rows.of('spc', area.level, area.code);
  const position = (measure: BoardMeasure, comparator: 'national' | 'region') => {
    if (area.level !== 'pcn' || !measure.funnel) return 'n/a';
    if (comparator === 'national' && funnelRates(rows, fy, measure.funnel)?.national_held) return ENGLAND_HELD_CELL;
    return funnelPositionText(funnelRow, measure.funnel, `vs_${comparator}`) ?? NO_DATA_TEXT;
  };
  const columns =
    area.level === 'pcn'
      ? ['Measure', 'Funnel: against England', 'Funnel: against the region', 'Month by month (SPC)']
      : ['Measure', 'Month by month (SPC)'];
  return {
    columns,
    rows: BOARD_MEASURES.filter((m) => m.spc || (area.level === 'pcn' && m.funnel)).map((m) => {
      const spc = m.spc ? spcText(spcRows.find((r) => r.measure === m.spc)) : '';
      return area.level === 'pcn' ? [m.label, position(m, 'national'), position(m, 'region'), spc] : [m.label, spc];
    }),
  };
}

/**
 * England's figures held by the revisions policy (docs/methodology.md, "Revisions of England's figures"), in the
 * words of the dashboard's notes (RolloutPage heldProjectionNote, meta's england_data_as_of): without them a board
 * reads England's held year, or its months with no figure yet, as this release's and like for like with the PCN's.
 */
function englandHeld(rows: PublishedRows, meta: MetaDocument, fy: string | null): string[] {
  const notes: string[] = [];
  const progress = rows.summary('rollout')?.target_progress as readonly TargetProgress[] | undefined;
  const held = progress?.find((p) => p.fy === fy && p.held)?.held;
  if (held) {
    const release = held.data_as_of
      ? `the release with data to ${formatLongDate(held.data_as_of)}`
      : 'an earlier release';
    notes.push(`England's figures for ${fy} are those of ${release} while a revision is checked.`);
  }
  // England's outcome figures of the year held for a cohort gap (a PCN's data ended), and why (R32-2).
  const gap = fy === null ? undefined : cohortGapNote({ summary: rows.summary('cof_person') }, fy);
  if (gap) notes.push(gap);
  const months = meta.england_months_held ?? [];
  if (months.length > 0) {
    const named = months.map((m) => formatMonth(m, true));
    const list = named.length === 1 ? named[0] : `${named.slice(0, -1).join(', ')} and ${named.at(-1)}`;
    const to = meta.england_data_as_of
      ? `England's figures are published to ${formatLongDate(meta.england_data_as_of)}`
      : "England's figures are not yet published";
    notes.push(
      `${to}: ${list} ${named.length === 1 ? 'has' : 'have'} no England figure yet under the revisions policy, so England's monthly figures are blank there.`,
    );
  }
  return notes;
}

/** Why the England funnel column is empty: England's year is held (the dashboard's Compare page says the same). */
function positionsNote(area: BoardArea, rows: PublishedRows, fy: string | null): string | null {
  if (area.level !== 'pcn') return null;
  const held = BOARD_MEASURES.some((m) => m.funnel && funnelRates(rows, fy, m.funnel)?.national_held);
  return held
    ? `${ENGLAND_HELD_CELL}: England's figure for ${fy} is held at an earlier release while a revision is checked, so there is no England comparator (it would compare this release's PCN with an earlier England): compare with the region instead.`
    : null;
}

function charts(areas: readonly BoardArea[], rows: PublishedRows, months: readonly string[]): PackChart[] {
  return BOARD_MEASURES.filter((m) => m.monthly).map((m) => {
    // Each area's figure of each month, found once: charted for the area, and in the table for every area.
    const figures = months.map((month) =>
      areas.map((a) => measureFigure(rows.inPeriod(m.document, a.level, a.code, month), m, month)),
    );
    return {
      title: m.label,
      unit: m.unit,
      points: months.map((month, i) => ({ month, value: figures[i]?.[0] ?? null })),
      table: {
        columns: ['Month', ...areas.map((a) => COLUMN_NAME[a.level])],
        rows: months.map((month, i) => [formatMonth(month), ...(figures[i] ?? []).map((f) => formatFigure(f, m.unit))]),
      },
    } satisfies PackChart;
  });
}

/**
 * What changed since the previous release: the area's own alerts; for an aggregate, also how many of its PCNs'. Its
 * PCNs are those whose alerts the area's own lead reads through the API (scope.ts `insideRow`: the ICB and region each
 * alert is filed under, R23-3), so the pack and the API agree on them.
 */
function alerts(area: BoardArea, rows: PublishedRows, meta: MetaDocument): string[] {
  const own = rows.of('alerts', area.level, area.code).map((r) => String(r.message));
  if (area.level === 'pcn') return own;
  const areaLead = new Scope({ role: area.level, code: area.code, subject: 'pack' }, meta);
  const pcnAlerts = rows.atLevel('alerts', 'pcn').filter((r) => areaLead.insideRow(r));
  const pcns = new Set(pcnAlerts.map((r) => r.code)).size;
  const counted =
    pcnAlerts.length === 0
      ? []
      : [
          `${formatNumber(pcnAlerts.length, 0)} PCN alert${pcnAlerts.length === 1 ? '' : 's'} for ${formatNumber(pcns, 0)} PCN${pcns === 1 ? '' : 's'} in this area (each PCN's own pack and the dashboard's Trends page list them).`,
        ];
  return [...own, ...counted];
}

/**
 * How many of the area's PCNs expected (onboarded, extract not stopped) have sent the month: "1 of 2 (partial)" where
 * fewer have, so that a fall from a late file is not read as fewer referrals (red-team review 16, R16-3).
 */
function sentOfExpected(row: Record<string, unknown> | undefined): string {
  const sent = row?.pcns_sent;
  const expected = row?.pcns_expected;
  if (typeof sent !== 'number' || typeof expected !== 'number') return NO_DATA_TEXT;
  return `${formatNumber(sent, 0)} of ${formatNumber(expected, 0)}${sent < expected ? ' (partial)' : ''}`;
}

function completeness(area: BoardArea, rows: PublishedRows, months: readonly string[]): PackTable {
  if (area.level === 'pcn') {
    const quality = rows.of('data_quality', area.level, area.code)[0];
    const cell = (key: string) => {
      const value = quality?.[key];
      if (value === undefined || value === null) return NO_DATA_TEXT;
      if (key === 'last_upload') return formatLongDate(String(value));
      return typeof value === 'number' ? formatNumber(value, 0) : String(value);
    };
    return {
      columns: ['Submissions (all months)', 'This PCN'],
      rows: [
        ['Files received', cell('uploads')],
        ['Files rejected whole', cell('files_rejected')],
        ['Rows accepted', cell('rows_accepted')],
        ['Rows rejected', cell('rows_rejected')],
        ['First month with events', cell('first_month')],
        ['Months with data', cell('months_with_data')],
        ['Months missing since the first', cell('months_missing')],
        ['Latest file received', cell('last_upload')],
      ],
    };
  }
  return {
    columns: ['Month', 'PCNs open', 'PCNs with referrals', 'Share', 'PCNs sent, of expected'],
    rows: months.map((month) => {
      const row = rows.inPeriod('rollout', area.level, area.code, month)[0];
      const open = row?.pcns;
      const reporting = row?.pcns_reporting;
      // Rounded and capped below the PCNs in force or sent (R31-4): a range where it may be all of them, no share.
      const range = pcnsReportingRange(row);
      const share =
        range === undefined && typeof open === 'number' && typeof reporting === 'number' && open > 0
          ? formatFigure((100 * reporting) / open, 'percent')
          : NO_DATA_TEXT;
      return [
        formatMonth(month),
        formatFigure(open as Figure, 'count'),
        range === undefined ? formatFigure(reporting as Figure, 'count') : `${range.low} to ${range.high}`,
        share,
        sentOfExpected(row),
      ];
    }),
  };
}

/** The content of an area's pack: the latest month, the financial year it falls in, the last 12 months. */
export function packContent(level: Level, code: string, rows: PublishedRows, meta: MetaDocument): PackContent {
  const areas = areaWithParents(meta, level, code);
  const area = areas[0] as BoardArea;
  const fy = meta.financial_years.at(-1) ?? null;
  const previousFy = meta.financial_years.at(-2) ?? null;
  const month = meta.months.at(-1) ?? null;
  const months = meta.months.slice(-CHART_MONTHS);
  const content = {
    area,
    areas,
    month,
    financialYear: fy,
    dataAsOf: meta.data_as_of,
    generatedAt: meta.generated_at,
    coverage: meta.coverage?.note ?? null,
    headlines: headlines(areas, rows, meta, fy),
    previousFinancialYear: previousFy,
    previousHeadlines: previousFy === null ? null : headlines(areas, rows, meta, previousFy),
    positions: positions(area, rows, fy),
    positionsNote: positionsNote(area, rows, fy),
    englandHeld: englandHeld(rows, meta, fy),
    headlineNotes: [fy, previousFy].flatMap((year) =>
      year === null
        ? []
        : BOARD_MEASURES.flatMap((m) =>
            areas.flatMap((a) => measureNote(rows.inPeriod(m.document, a.level, a.code, year), m, year) ?? []),
          ),
    ),
    charts: charts(areas, rows, months),
    alerts: alerts(area, rows, meta),
    alertsWithheld: rows.withheld('alerts'),
    completeness: completeness(area, rows, months),
    completenessNote:
      area.level === 'pcn'
        ? 'Files and rows sent by the PCN and what the ingest accepted (these count files and rows, not people).'
        : "PCNs in force each month, how many sent at least one accepted referral, and how many of the PCNs expected (onboarded, extract not stopped) have sent the month: a partial month's figures leave out the PCNs not yet sent, so a fall there may be a late file.",
  };
  const tables = [
    content.headlines,
    ...(content.previousHeadlines ? [content.previousHeadlines] : []),
    content.positions,
    content.completeness,
    ...content.charts.map((c) => c.table),
  ];
  return { ...content, hasSuppressed: tables.some((t) => t.rows.some((r) => r.includes(SUPPRESSED_TEXT))) };
}
