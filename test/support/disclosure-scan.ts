import Papa from 'papaparse';
import {
  ACTIVITY_CATEGORIES,
  DISCHARGE_REASONS,
  FUNNEL_MEASURES,
  financialYearOf,
  type MetricDocument,
  type MetricRow,
  REFERRAL_REASONS,
  REFERRAL_SOURCES,
} from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { stoppedBefore } from '../../functions/refresh/data-as-of.ts';
import {
  ANY_COUNT,
  type AuditCell,
  type AuditSpec,
  type AuditSystem,
  auditComponent,
  buildAuditSystem,
  cellOf,
  type Disclosure,
  equationDisclosures,
  type Interval,
  linkPartitions,
  looselySecondary,
  type Partition,
  PRIMARY_SUPPRESSED,
  PROTECTION_LEVEL,
  readerDisclosures,
  relaxedReader,
  variablesOf,
  withheldGroups,
} from '../../functions/refresh/disclosure-audit.ts';
import { MIN_CONTRIBUTORS, P_PERCENT } from '../../functions/refresh/revisions.ts';
import { serviceUseBandProblems } from './disclosure-scan-bands.ts';

/**
 * Scans published documents for disclosure by arithmetic, independently of the code that publishes them:
 * - every count below England is 0, * or a multiple of 5 of at least 10;
 * - every rate below England carries no more than its rounded figures: the numerator it implies (rate x denominator
 *   / per, over the rounding interval of the rate) contains the published numerator;
 * - the regional rates of the funnel-plot summary do the same against the sums of their PCNs' published figures;
 * - no suppressed cell is the only one among the parts of a published total: areas within their parent area (as
 *   the meta document places them) and the months of a financial year beside the year's row (each month withheld
 *   below England one such part, as the publisher counts them: unseenWithheldMonths);
 * - staff: below England, headcounts are counts; no FTE or training figure where the headcount is suppressed, no
 *   FTE from 0 to 8 unless a published headcount says 8 or more people share it, and every FTE 0, * or a multiple of
 *   5 (a year's FTE is a mean of months to date: unrounded, two refreshes' years differenced give the latest month);
 * - means below England: none where its count of people is suppressed (primary or secondary), and none to more
 *   than 1 decimal (a precise mean of whole-number scores can say which count it was made from);
 * - figures about the people of a count that do not add up as it does (distinct organisations, PCNs with referrals,
 *   kinds of source), each at most the count and 0 only where it is 0: below England a count themselves, `*` wherever
 *   one of the counts they describe is (else their 0 or not says whether a suppressed count is 0), and never more than
 *   the published count (else the count is at least that);
 * - series (the SPC document) below England: every value of a count is a published count, and the mean is the mean
 *   of the values published beside it (nothing unrounded behind it);
 * - no count below England is recovered exactly by arithmetic on everything published beside it: bounds propagated
 *   over areas within areas (England exact, England = its regions, a region = its ICBs as the meta document places
 *   them, an ICB = its PCNs as the reference file places them in the period, a moved PCN split into unpublished parts),
 *   the columns of a row that add up to another, and an area's year = its months for the counts that add up over
 *   months (events, not distinct people; a month withheld below England a cell of its own, 0 or more, in each area
 *   with a row of its year: withheldCells), a count published as another document's read in that one only
 *   (publishedAsAnother), a reader
 *   taking `*` as 1 to 7 (or, where the figures contradict
 *   that, as 1 or more, a region's 0 or more), a rounded count as within 2 of its value (8 at least) and an absent row
 *   as 0 (functions/refresh/disclosure-audit.ts; the propagation is checked against enumeration in its tests).
 * Returns one line per problem.
 */
export interface ScanSpec {
  /** Count columns per document. */
  readonly counts: Readonly<Record<string, readonly string[]>>;
  /**
   * Other columns per document that are suppressed to protect people and must not be recoverable by differencing
   * (FTE): a suppressed total must not stand over parts all published either (within their rounding, their sum).
   */
  readonly protected?: Readonly<Record<string, readonly string[]>>;
  /** Staff per document: the headcount column, the FTE column, and the columns suppressed with the headcount. */
  readonly staff?: Readonly<Record<string, readonly (readonly [string, string, readonly string[]])[]>>;
  /**
   * Figures per document about the people of counts, not adding up as they do: the column, and the counts it
   * describes (the first is its bound: the column is at most it, and 0 only where it is), and a public column it is
   * at most (PCNs in force), which it must not be shown over (nor at, unless that is a count as published).
   */
  readonly describing?: Readonly<Record<string, readonly (readonly [string, readonly string[], string?])[]>>;
  /**
   * England figures whose difference is a count of a group of PCNs the published rows name, per document: England's
   * exact `total` less its exact `part` is the `total` of the PCNs whose `notGiven` is null (not given, as distinct from
   * `*`) where their `total` is not (workforce: link workers in post less those in the PCNs that gave training is the
   * headcount of the PCNs that gave headcount and no training; review 27, R27-1). A year's England figure is a mean over
   * England's months and a PCN's over its own (`months`), so a PCN's part of the difference is its figure x its months /
   * England's. complementProblems.
   */
  readonly complements?: Readonly<
    Record<string, readonly { readonly total: string; readonly part: string; readonly notGiven: string }[]>
  >;
  /** Means per document: the mean column and the count of people it is over. */
  readonly means?: Readonly<Record<string, readonly (readonly [string, string])[]>>;
  /** Measures of the SPC document that are counts. */
  readonly seriesCounts?: readonly string[];
  /**
   * Totals per document that are `*` wherever the row's count of people is (cof_system's before_total and after_total:
   * uses summed over 1 to 7 referrals, service-use-bands.ts): a reader knows such a `*` is no count from 1 to 7 but any
   * total, 0 or more, and reads it so (a published one is a rounded count like any other).
   */
  readonly totals?: Readonly<Record<string, readonly string[]>>;
  /** Counts per document whose financial year is the sum of its months (events; not distinct people or staff). */
  readonly monthly?: Readonly<Record<string, readonly string[]>>;
  /**
   * Rows of an area and period that are groups of dimensions of the same people or referrals, per document: each
   * dimension's groups add up to one total, unpublished or published by another document (`linkedTo`: equity's
   * people referred are rollout's, the contacts distribution's bins add up to cof_person's outcome cohort).
   */
  readonly partitions?: Readonly<Record<string, readonly Partition[]>>;
  /** Columns of a row adding up to another, per document. */
  readonly groups?: Readonly<Record<string, readonly { readonly total: string; readonly parts: readonly string[] }[]>>;
  /**
   * Keys a PCN (its system, its service offer), not a person, determines, per document: key columns (wellbeing's
   * instrument, cof_system's service) or count columns of a category (a referral source, an activity, a discharge
   * reason). An England figure of such a key is the figures of the PCNs that use it, and which PCNs those are is
   * public (a service specification, any period whose PCN rows show it), so an England row of one (a key column: its
   * counts, a category: that column) above 0 must be shown beside 3 or more PCNs whose rows of that key and period show
   * it as `*` or above 0 (review 28, R28-5: one PCN's 3 people, means and interval on WEMWBS published exact, its own
   * rows withheld).
   */
  readonly pcnKeys?: Readonly<Record<string, readonly string[]>>;
  /** Rates per document: column, numerator, denominator, per. */
  readonly rates: Readonly<Record<string, readonly (readonly [string, string, string, number])[]>>;
  /**
   * England rows per document that count a group of PCNs (a PCN-deprivation quintile), not England's own total:
   * scanned as counts below England (rounded, and parts of nothing but totals of their regions' rows).
   */
  readonly groupsOfPcns?: Readonly<Record<string, (row: MetricRow) => boolean>>;
  /**
   * The same count published in two documents: `document`'s `column` and `source`'s `sourceColumn` on the row of the
   * same `key`. Every published value must be the same (else one rounds what the other suppresses); where `source`
   * has no such row, `document` may show only 0 or `*`.
   */
  readonly shared?: readonly {
    readonly document: string;
    readonly source: string;
    readonly columns: Readonly<Record<string, string>>;
    readonly key: readonly string[];
  }[];
  /**
   * A count that several documents publish and control themselves (rollout's referrals, cof_person's episodes and
   * referral_sources' referrals): on the rows of the same `key` in any two of them (`periodType`: only rows of that
   * period type), the published values must be the same, or one shows what the other's secondary suppression or audit
   * withheld.
   */
  readonly jointly?: readonly {
    readonly name: string;
    readonly key: readonly string[];
    readonly cells: readonly {
      readonly document: string;
      readonly column: string;
      readonly periodType?: string;
      /**
       * The cell is the count only for periods that ended by this cohort's cut-off (the document's
       * summary.cohorts[cohort].referred_on_or_before): cof_person's cohorts are its episodes there.
       */
      readonly cohort?: string;
    }[];
  }[];
}

/**
 * The parent areas of a row's area in the row's period: one, or for a PCN that moved ICB within a year every ICB it
 * was in (its year's figure is part of each of their totals).
 */
type Parents = (row: MetricRow) => string | readonly string[] | undefined;

const isCount = (v: unknown) => v === null || v === '*' || v === 0 || (typeof v === 'number' && v >= 10 && v % 5 === 0);
const decimals = (v: number) => (String(v).split('.')[1] ?? '').length;

/** Does the rate, as published, pin down a numerator other than the published one? */
function impliesOther(rate: number, numerator: number, denominator: number, per: number): boolean {
  const half = 0.5 * 10 ** -decimals(rate);
  const low = ((rate - half) * denominator) / per;
  const high = ((rate + half) * denominator) / per;
  return !(low - 1e-9 <= numerator && numerator <= high + 1e-9);
}

const fyOf = (period: string) => {
  if (!/^\d{4}-\d{2}$/.test(period)) return period;
  const y = Number(period.slice(0, 4));
  const start = Number(period.slice(5)) >= 4 ? y : y - 1;
  return `${start}/${String(start + 1).slice(2)}`;
};

/** Names a row in a problem line. */
const rowId = (doc: MetricDocument, r: MetricRow) =>
  `${doc.name} ${r.level} ${r.code} ${r.period} ${doc.keys.map((k) => r[k]).join(' ')}`;

/** Counts: 0, * or a multiple of 5 of at least 10. */
function countProblems(doc: MetricDocument, r: MetricRow, counts: readonly string[]): string[] {
  return counts.filter((c) => !isCount(r[c])).map((c) => `${rowId(doc, r)}: count ${c} = ${r[c]}`);
}

/** Staff: nothing describing a suppressed headcount, no FTE of fewer than 8 people, and every FTE rounded to 5. */
function staffProblems(doc: MetricDocument, r: MetricRow, spec: ScanSpec): string[] {
  const problems: string[] = [];
  const shown = (v: unknown) => v !== '*' && v !== null && v !== undefined;
  for (const [headcount, fte, columns] of spec.staff?.[doc.name] ?? []) {
    const people = r[headcount];
    if (people === '*')
      for (const c of [fte, ...columns])
        if (shown(r[c])) problems.push(`${rowId(doc, r)}: ${c} = ${r[c]} beside a suppressed ${headcount}`);
    const value = r[fte];
    const many = typeof people === 'number' && people >= 10;
    if (typeof value === 'number' && value > 0 && value < 8 && !many)
      problems.push(`${rowId(doc, r)}: ${fte} = ${value} without 8 or more people`);
    if (typeof value === 'number' && value % 5 !== 0)
      problems.push(`${rowId(doc, r)}: ${fte} = ${value} is not rounded to 5`);
  }
  return problems;
}

/** Figures describing counts: counts themselves, suppressed with any of theirs, never over the first. */
function describingProblems(doc: MetricDocument, r: MetricRow, spec: ScanSpec): string[] {
  const problems: string[] = [];
  for (const [column, counts, publicBound] of spec.describing?.[doc.name] ?? []) {
    const value = r[column];
    if (value === null || value === undefined) continue;
    // Not even at a public bound of it (PCNs in force): a figure shown at its bound because it rounded above it was at
    // least that rounding less 2 (33 of 33: 33 or more, so 33).
    if (!isCount(value)) problems.push(`${rowId(doc, r)}: count ${column} = ${value}`);
    if (
      publicBound !== undefined &&
      typeof value === 'number' &&
      typeof r[publicBound] === 'number' &&
      value > Number(r[publicBound])
    )
      problems.push(`${rowId(doc, r)}: ${column} = ${value} is over its bound ${publicBound} (${r[publicBound]})`);
    const suppressed = counts.find((c) => r[c] === '*');
    if (suppressed !== undefined && value !== '*')
      problems.push(`${rowId(doc, r)}: ${column} = ${value} beside a suppressed ${suppressed}`);
    const bound = r[counts[0] ?? ''];
    if (typeof value === 'number' && typeof bound === 'number' && value > bound)
      problems.push(`${rowId(doc, r)}: ${column} = ${value} says ${counts[0]} (${bound}) is at least that`);
  }
  return problems;
}

/** Means: none beside a suppressed count of its people, none to more than 1 decimal. */
function meanProblems(doc: MetricDocument, r: MetricRow, spec: ScanSpec): string[] {
  const problems: string[] = [];
  for (const [mean, people] of spec.means?.[doc.name] ?? []) {
    const value = r[mean];
    if (typeof value !== 'number') continue;
    if (r[people] === '*') problems.push(`${rowId(doc, r)}: ${mean} = ${value} beside a suppressed ${people}`);
    if (decimals(value) > 1) problems.push(`${rowId(doc, r)}: ${mean} = ${value} to more than 1 decimal`);
  }
  return problems;
}

/** Series of counts (SPC): every value a published count, the mean the mean of the values beside it. */
function seriesProblems(doc: MetricDocument, r: MetricRow, spec: ScanSpec): string[] {
  if (doc.name !== 'spc' || !spec.seriesCounts?.includes(String(r.measure))) return [];
  const values = Object.values((r.values ?? {}) as Record<string, unknown>).filter((v) => typeof v === 'number');
  const problems = values.filter((v) => !isCount(v)).map((v) => `${rowId(doc, r)}: series value ${v}`);
  const mean = values.reduce((a: number, v) => a + Number(v), 0) / values.length;
  if (values.length > 0 && typeof r.mean === 'number' && Math.abs(r.mean - mean) > 0.01)
    problems.push(`${rowId(doc, r)}: mean ${r.mean} is not the mean of the published values (${mean})`);
  return problems;
}

/** Rates: none pins down a numerator other than the published one. */
function rateProblems(doc: MetricDocument, r: MetricRow, spec: ScanSpec): string[] {
  const problems: string[] = [];
  for (const [column, numerator, denominator, per] of spec.rates[doc.name] ?? []) {
    const [v, n, d] = [r[column], r[numerator], r[denominator]];
    if (typeof v !== 'number' || typeof n !== 'number' || typeof d !== 'number' || d <= 0) continue;
    if (impliesOther(v, n, d, per))
      problems.push(`${rowId(doc, r)}: ${column} = ${v} implies another ${numerator} than ${n}`);
  }
  return problems;
}

type Family = { total?: MetricRow; parts: MetricRow[] };

/** Parts of a published total, by key: areas within their parent, months within their year. */
function familiesOf(doc: MetricDocument, parents: Parents): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (key: string) => {
    const f = families.get(key) ?? { parts: [] };
    families.set(key, f);
    return f;
  };
  const keysOf = (r: MetricRow) => doc.keys.map((k) => String(r[k])).join('|');
  for (const r of doc.rows) {
    const parent = r.level === 'region' ? 'ENG' : parents(r);
    if (r.level !== 'national' && parent !== undefined)
      for (const p of typeof parent === 'string' ? [parent] : parent)
        family(`area|${p}|${r.period_type}|${r.period}|${keysOf(r)}`).parts.push(r);
    family(`area|${r.code}|${r.period_type}|${r.period}|${keysOf(r)}`).total = r;
    if (r.period_type === 'month')
      family(`period|${r.level}|${r.code}|${fyOf(String(r.period))}|${keysOf(r)}`).parts.push(r);
    if (r.period_type === 'fy') family(`period|${r.level}|${r.code}|${r.period}|${keysOf(r)}`).total = r;
  }
  return families;
}

/** Secondary suppression: no suppressed cell is the only one among the parts of a published total. */
function loneSuppressedPartProblems(
  doc: MetricDocument,
  parents: Parents,
  differenced: readonly string[],
  exact: readonly string[],
): string[] {
  const problems: string[] = [];
  const withheld = withheldMonthsOf(doc);
  for (const [key, { total, parts }] of familiesOf(doc, parents)) {
    if (total === undefined || parts.length < 2) continue;
    const withheldMonths =
      key.startsWith('period|') && total.level !== 'national' && total.period_type === 'fy'
        ? (withheld.get(`${total.period}|${keysOfRow(doc, total)}`) ?? [])
        : [];
    for (const c of differenced) {
      const unseen = parts.filter((p) => p[c] === '*').map((p) => `${p.code} ${p.period}`);
      unseen.push(...unseenWithheldMonths(total, withheldMonths, c));
      // An unrounded figure (FTE): a suppressed total over published parts is their sum.
      if (total[c] === '*' && exact.includes(c) && unseen.length === 0 && parts.some((p) => Number(p[c]) > 0))
        problems.push(`${doc.name} ${key} ${c}: a suppressed total beside its parts, all published`);
      if (typeof total[c] !== 'number') continue;
      if (unseen.length === 1)
        problems.push(`${doc.name} ${key} ${c}: one suppressed part (${unseen[0]}) beside a published total`);
    }
  }
  return problems;
}

const keysOfRow = (doc: MetricDocument, r: MetricRow) => doc.keys.map((k) => String(r[k])).join('|');

/**
 * The months withheld below England (England's row, and none below it, of that month and keys): England's rows of
 * them, by the financial year and keys (`2025/26|<keys>`).
 */
function withheldMonthsOf(doc: MetricDocument): Map<string, MetricRow[]> {
  const shown = new Set(doc.rows.filter((r) => r.level !== 'national').map((r) => `${r.period}|${keysOfRow(doc, r)}`));
  const withheld = new Map<string, MetricRow[]>();
  for (const r of doc.rows)
    if (r.level === 'national' && r.period_type === 'month' && !shown.has(`${r.period}|${keysOfRow(doc, r)}`)) {
      const year = `${fyOf(String(r.period))}|${keysOfRow(doc, r)}`;
      withheld.set(year, [...(withheld.get(year) ?? []), r]);
    }
  return withheld;
}

/**
 * The parts of an area's year (`year`, its row below England) that a reader cannot see for column `c` because their
 * month is withheld below England: **each month its own part**, as the publisher counts them (disclosure.ts,
 * withholdRows and absentMonthsOfYears: a withheld figure is made `*` and secondary suppression run again). Two
 * months withheld beside a year say their sum within the rounding (a 2% demo's ICB QE1: its 2025/26 connections 350
 * less its other months 335 put November and December at 7 to 23 together), as two `*` PCNs beside their ICB do, and
 * neither month alone;
 * where other figures pin one of them, the recovery is found as any other (recoveredCells, withheldCells). None where
 * England's figure of the month is 0 (every area's is then 0: nothing hidden) or the year's is 0 (so is each month).
 */
function unseenWithheldMonths(year: MetricRow, months: readonly MetricRow[], c: string): string[] {
  if (year[c] === 0) return [];
  return months.filter((m) => m[c] !== 0).map((m) => `${year.code} ${m.period} withheld`);
}

/** The funnel summary's measures: numerator, denominator, per. */
/** The funnel's measures by name (numerator and denominator columns of pcn_comparison), as the refresh places them. */
// The summary publishes regional rates as proportions (0-1), whatever unit the card shows them in.
const PROPORTION = 1;
const FUNNEL_COLUMNS = new Map(FUNNEL_MEASURES.map((m) => [m.name, [m.numerator, m.denominator] as const]));

/**
 * A region's own published figures of a funnel measure (its fy row in another document publishing both columns, as
 * the refresh's comparator reads them: review 31, R31-1), or undefined where none publishes both as numbers.
 */
function publishedRegionFigures(
  docs: readonly MetricDocument[],
  name: string,
  region: string,
  period: string,
  [numerator, denominator]: readonly [string, string],
): readonly [number, number] | undefined {
  for (const other of docs) {
    if (other.name === name) continue;
    const row = other.rows.find(
      (r) => r.level === 'region' && r.code === region && r.period_type === 'fy' && String(r.period) === period,
    );
    const n = row?.[numerator];
    const d = row?.[denominator];
    if (typeof n === 'number' && typeof d === 'number') return [Math.min(n, d), d];
  }
  return undefined;
}

/**
 * Regional rates of the funnel summary, against the region's own published figures where another document publishes
 * them (R31-1: the comparator is the region's published rate), else the sums of their PCNs' published figures.
 */
function funnelProblems(doc: MetricDocument, sub: readonly MetricRow[], docs: readonly MetricDocument[]): string[] {
  const problems: string[] = [];
  const funnel = (
    doc.summary as { funnel_rates?: Record<string, Record<string, { regions?: Record<string, number> }>> } | undefined
  )?.funnel_rates;
  for (const [period, byMeasure] of Object.entries(funnel ?? {})) {
    for (const [measure, figures] of Object.entries(byMeasure)) {
      const m = FUNNEL_COLUMNS.get(measure);
      if (!m) continue;
      for (const [region, value] of Object.entries(figures.regions ?? {})) {
        const own = publishedRegionFigures(docs, doc.name, region, period, m);
        if (own !== undefined) {
          if (own[1] > 0 && impliesOther(value, own[0], own[1], PROPORTION))
            problems.push(
              `${doc.name} summary.funnel_rates.${period}.${measure}.regions.${region} = ${value} is not the region's published ${own[0]} of ${own[1]}`,
            );
          continue;
        }
        const pcns = sub.filter((r) => r.period === period && r.region_code === region);
        if (pcns.some((r) => typeof r[m[0]] !== 'number' || typeof r[m[1]] !== 'number')) continue;
        const n = pcns.reduce((s, r) => s + Number(r[m[0]]), 0);
        const d = pcns.reduce((s, r) => s + Number(r[m[1]]), 0);
        if (d > 0 && impliesOther(value, n, d, PROPORTION))
          problems.push(
            `${doc.name} summary.funnel_rates.${period}.${measure}.regions.${region} = ${value} implies another numerator than ${n}`,
          );
      }
    }
  }
  return problems;
}

/**
 * Counts recovered exactly: the audit's bounds propagation over the document's equations, as built here from the
 * reference file and the meta document (not from the refresh's geography), with the reader of the published figures.
 */
function recoveredProblems(
  doc: MetricDocument,
  parents: Parents,
  spec: ScanSpec,
  docs: readonly MetricDocument[],
): string[] {
  const recovered = [...recoveredCells(doc, parents, spec, docs), ...recoveredStaffYears(doc, parents, spec)];
  const problems = recovered.map(({ row: r, column, part }) => {
    const what = part === undefined ? `${column} = ${r[column]}` : `${column}: its part in ${part}`;
    return `${rowId(doc, r)}: ${what} is recovered exactly from the figures beside it`;
  });
  // A cell recovered both with and without the months (the audit's two copies of it) is one problem.
  return [...new Set(problems)];
}

/** A cell recovered exactly (recoveredCells): its row, column, the value recovered and, for an unpublished part, its family. */
export interface RecoveredCell {
  readonly row: MetricRow;
  readonly column: string;
  readonly value: number;
  readonly part?: string;
}

/**
 * The cells a reader recovers exactly (recoveredProblems), with the values recovered (a bench compares them with the
 * exact figures: test/bench/disclosure-scan-documents.ts); a cell may come twice (with and without the months). A
 * month withheld below England is read as well as a cell of its own in each area with a row of its year
 * (recoveredWithheld): found there, the row is that month's, made for the reading (no row of the document).
 */
export function recoveredCells(
  doc: MetricDocument,
  parents: Parents,
  spec: ScanSpec,
  /** The other documents published with it (for the totals of spec.partitions they publish). */
  docs: readonly MetricDocument[] = [],
): RecoveredCell[] {
  const shared = publishedAsAnother(doc, spec);
  const groups = spec.groups?.[doc.name] ?? [];
  const columns = equationCounts(doc, spec, shared);
  // Staff headcounts and the counts of their people (trained), in month rows only: a month's are whole people adding
  // up over areas (review 28, R28-4: England's 4 coaches gave each `*` area 1); and in a year of one month of
  // snapshots (`months` 1), which is that month's figures again (wfdisc28's note). A year of more months is read as
  // person-months (recoveredStaffYears).
  const counted = new Set(spec.counts[doc.name] ?? []);
  const headcounts = (spec.staff?.[doc.name] ?? [])
    .flatMap(([h, , described]) => [h, ...described.filter((c) => counted.has(c))])
    .filter((c) => !shared.has(c));
  columns.push(...headcounts);
  if (columns.length === 0) return [];
  const month = (r: Row) => r.period_type === 'month' || (r.period_type === 'fy' && r.months === 1);
  const only = Object.fromEntries(headcounts.map((c) => [c, month]));
  const within = (r: Row) => [r.period_type, r.period, ...doc.keys.map((k) => String(r[k]))].join('|');
  const partOf = (r: Row): string[] => {
    if (r.level === 'national') return [];
    const parent = r.level === 'region' ? 'ENG' : parents(r as MetricRow);
    if (parent === undefined) return [];
    return (typeof parent === 'string' ? [parent] : [...parent]).map((p) => `${p}|${within(r)}`);
  };
  const auditSpec: AuditSpec = {
    columns,
    only,
    groups,
    areas: { partOf, totalOf: (r) => `${r.code}|${within(r)}` },
    months: { columns: spec.monthly?.[doc.name] ?? [], keys: doc.keys },
    // A group England shows with no row below is withheld there (an unseen part of each area), read from England's
    // rows as published even where they are an earlier release's (held), which the rows scanned leave out.
    partitions: linkPartitions(spec.partitions?.[doc.name] ?? [], (name) => docs.find((d) => d.name === name)).map(
      (partition) => ({
        ...partition,
        withheld: withheldGroups((docs.find((d) => d.name === doc.name) ?? doc).rows as unknown as Row[], partition),
      }),
    ),
  };
  const found: RecoveredCell[] = [];
  const totals = new Set(spec.totals?.[doc.name] ?? []);
  // The rows as published, and again without England's (review 29, R29-1): a reader may leave out England's
  // equations, those that make their 1-to-7 reading contradict, and read each region's piece alone. A cell found both
  // ways is one. Without England a `*` pinned to 0 is not counted, as in each equation read alone (the audit's
  // equationAlone and withoutNational): it says no one was counted, as a 0 does (revisions-linked: the South West's
  // `*` of recent connections in August over its only ICB's published 0).
  const all = doc.rows as unknown as Row[];
  // England's rows of the months withheld below England stay: they are what says a month is withheld (the audit's
  // monthEquations: an unpublished part of each year below England), and they are in no equation of England's with
  // the areas (no row below them). Left out with the rest, a year was read as the sum of its months shown, the months
  // withheld as 0 (the 25% dump: 5,155 cof_community cells "recovered", 3,958 of them not the exact value).
  const withheldEngland = new Set<unknown>([...withheldMonthsOf(doc).values()].flat());
  const belowEngland = all.filter((r) => r.level !== 'national' || withheldEngland.has(r));
  // Read without England's rows, a `*` that the rows with them show cannot be 1 to 7 (looselySecondary) is read so
  // still: leaving England's row out does not unlearn it (review 10's seal, a region's `*` of 12 to 16 by England's
  // figure over its seven ICBs' `*`, is a piece on its own without England, and read 1 to 7 its 7 over seven 1s). Each
  // copy of a cell (with and without the months: copyOf) keeps what its own copy with England's rows shows, as the
  // publisher's read of a component without England's equations keeps that component's marks (review 35, R35-4: a
  // mark from the months, read into April's areas alone without England, made R1's April 30 over its ICBs' `*` read
  // as 28, which England's 46 less R2's rounded 15 refutes whatever the `*` hide).
  const seen = new Set<string>();
  const knownCells = new Map<Row, Set<string>>();
  for (const rows of belowEngland.length < all.length && belowEngland.length > 0 ? [all, belowEngland] : [all]) {
    const system = buildAuditSystem(rows, auditSpec);
    for (let c = 0; c < system.components.length; c++) {
      const known = new Set<number>();
      for (const v of rows === all ? (looselySecondary(system, c) ?? []) : (system.components[c]?.variables ?? [])) {
        const cell = cellOf(system, v);
        if (cell === undefined) continue;
        const column = `${copyOf(system, v)}|${cell.column}`;
        if (rows !== all) {
          if (knownCells.get(cell.row)?.has(column) === true) known.add(v);
          continue;
        }
        const columnsKnown = knownCells.get(cell.row) ?? new Set<string>();
        columnsKnown.add(column);
        knownCells.set(cell.row, columnsKnown);
      }
      for (const { cell, part, value } of disclosuresOf(system, c, totals, rows === all ? undefined : known) ?? []) {
        const key = `${all.indexOf(cell.row)}|${cell.column}|${part ?? ''}|${value}`;
        if (rows !== all && (seen.has(key) || (value === 0 && part === undefined && cell.row[cell.column] === '*')))
          continue;
        seen.add(key);
        found.push({ row: cell.row as MetricRow, column: cell.column, value, ...(part === undefined ? {} : { part }) });
      }
    }
  }
  return [...found, ...recoveredWithheld(doc, parents, spec)];
}

/** Which copy of its cell a variable is: 0 the first (the areas alone), 1 the copy with the months (variablesOf). */
function copyOf(system: AuditSystem, v: number): number {
  const cell = cellOf(system, v) as AuditCell;
  return variablesOf(system, system.rowOf[v] as number, cell.column)[1] === v ? 1 : 0;
}

/**
 * recoveredCells read again with the months withheld below England as cells of their own (withheldCells): apart, so
 * that the document's own components are read as before (a component with a cell of any count is read as the
 * totals' are, disclosuresOf). With those cells the months are no longer withheld (rows below England have them), so
 * the reading again stops there. A withheld month pinned to 0 is not counted (no one was counted, as a 0 says; the
 * audit does not count a `*` pinned to 0 either). Such a cell is named as its area and month, `= *`: the document has
 * no row of it.
 */
function recoveredWithheld(doc: MetricDocument, parents: Parents, spec: ScanSpec): RecoveredCell[] {
  const withheld = withheldCells(doc, spec);
  if (withheld.length === 0) return [];
  return recoveredCells({ ...doc, rows: [...doc.rows, ...withheld] }, parents, spec).filter(
    (cell) => !WITHHELD_CELLS.has(cell.row) || cell.value > 0,
  );
}

/**
 * Staff years read as person-months (review 32, R32-1): a year's headcount is its months' headcounts summed over its
 * months (`months`, published in every row), so figure x months is the area's people-months, adding up over areas
 * exactly as a month's headcounts do, whatever months each area sent, and an area's year is its months' headcounts
 * summed (a month withheld below England an unseen part). Every year with a row of two or more months is read so, all
 * its rows and its months' (a month's headcount is its person-months): England's figure x months exact; 0 none; a figure rounded to v a mean from max(8, v - 2.5) to
 * under v + 2.5 (under 8 is `*`); a `*` a mean above 0 and under 8 (where that contradicts the figures: 1 or more, a
 * region's 0 or more). A cell pinned is recovered (its figure is the mean of the person-months pinned); the value is
 * in person-months. A year whose rows all have one month is read with the months (recoveredCells). Read again
 * without England's rows, as recoveredCells reads counts (review 34, R34-2).
 */
function recoveredStaffYears(doc: MetricDocument, parents: Parents, spec: ScanSpec): RecoveredCell[] {
  const counted = new Set(spec.counts[doc.name] ?? []);
  const shared = publishedAsAnother(doc, spec);
  const headcounts = (spec.staff?.[doc.name] ?? [])
    .flatMap(([h, , described]) => [h, ...described.filter((c) => counted.has(c))])
    .filter((c) => !shared.has(c));
  if (headcounts.length === 0) return [];
  const monthsOf = (r: MetricRow) => (typeof r.months === 'number' && r.months > 0 ? r.months : 1);
  const years = new Set(
    doc.rows.filter((r) => r.period_type === 'fy' && monthsOf(r) >= 2).map((r) => String(r.period)),
  );
  if (years.size === 0) return [];
  // Each row read (England's figures as person-months, every other figure but 0 as `*`), and the row it is read from.
  const readFrom = new Map<Row, MetricRow>();
  for (const r of doc.rows) {
    const period = String(r.period);
    const of = r.period_type === 'month' ? financialYearOf(period) : r.period_type === 'fy' ? period : undefined;
    if (of === undefined || !years.has(of)) continue;
    const reading: Row = { ...(r as unknown as Row) };
    for (const c of headcounts) {
      const value = r[c];
      if (r.level === 'national') {
        if (typeof value === 'number') reading[c] = Math.round(value * monthsOf(r));
      } else if (value === '*' || (typeof value === 'number' && value !== 0)) reading[c] = '*';
    }
    readFrom.set(reading, r);
  }
  const within = (r: Row) => [r.period_type, r.period, ...doc.keys.map((k) => String(r[k]))].join('|');
  const partOf = (r: Row): string[] => {
    if (r.level === 'national') return [];
    const parent = r.level === 'region' ? 'ENG' : parents(r as MetricRow);
    if (parent === undefined) return [];
    return (typeof parent === 'string' ? [parent] : [...parent]).map((p) => `${p}|${within(r)}`);
  };
  const system = buildAuditSystem([...readFrom.keys()], {
    columns: headcounts,
    areas: { partOf, totalOf: (r) => `${r.code}|${within(r)}` },
    months: { columns: headcounts, keys: doc.keys },
  });
  const shownRange = (cell: AuditCell, relaxed: boolean): Interval => {
    const r = readFrom.get(cell.row) as MetricRow;
    const value = r[cell.column];
    const n = monthsOf(r);
    if (typeof value === 'number') return [Math.ceil(n * Math.max(8, value - 2.5)), Math.ceil(n * (value + 2.5)) - 1];
    if (!relaxed) return [1, 8 * n - 1];
    return r.level === 'region' ? ANY_COUNT : [1, Number.POSITIVE_INFINITY];
  };
  const found: RecoveredCell[] = [];
  const seen = new Set<string>();
  const note = (cell: AuditCell, value: number, part: string | undefined) => {
    const key = `${doc.rows.indexOf(readFrom.get(cell.row) as MetricRow)}|${cell.column}|${part ?? ''}|${value}`;
    if (seen.has(key)) return;
    seen.add(key);
    found.push({
      row: readFrom.get(cell.row) as MetricRow,
      column: cell.column,
      value,
      ...(part === undefined ? {} : { part }),
    });
  };
  // The `*` that the whole's loose reading (every `*` 1 or more, a region's 0 or more) shows cannot be a mean under 8:
  // read so still without England's rows (below), as recoveredCells' known marks are; and in the component read whole
  // (review 35, R35-5): as documented; where that contradicts, the criterion's reading (its own marks read so, the
  // other `*` as documented: R35-4's, in person-months; the publisher's wholeStaffFindings); where that does too, loose.
  const known = new Map<Row, Set<string>>();
  const ownMarks: Set<string>[] = [];
  const rowNumber = new Map<Row, number>([...readFrom.keys()].map((r, i) => [r, i]));
  const cellKey = (cell: AuditCell) => `${rowNumber.get(cell.row)}|${cell.column}`;
  for (let c = 0; c < system.components.length; c++) {
    const own = new Set<string>();
    ownMarks.push(own);
    if (auditComponent(system, c, (cell) => shownRange(cell, true)) === undefined) continue;
    const { lo, hi } = system.scratch;
    for (const v of (system.components[c] as AuditSystem['components'][number]).variables) {
      const cell = cellOf(system, v);
      if (cell === undefined || readFrom.get(cell.row)?.[cell.column] !== '*') continue;
      const [low, high] = shownRange(cell, false);
      if ((lo[v] as number) <= high && (hi[v] as number) >= low) continue;
      own.add(cellKey(cell));
      const columns = known.get(cell.row) ?? new Set<string>();
      columns.add(cell.column);
      known.set(cell.row, columns);
    }
  }
  const isKnown = (cell: AuditCell) => known.get(cell.row)?.has(cell.column) === true;
  for (let c = 0; c < system.components.length; c++) {
    const own = ownMarks[c] as Set<string>;
    const read =
      auditComponent(system, c, (cell) => shownRange(cell, false)) ??
      (own.size === 0 ? undefined : auditComponent(system, c, (cell) => shownRange(cell, own.has(cellKey(cell))))) ??
      auditComponent(system, c, (cell) => shownRange(cell, true));
    for (const { cell, part, value } of read ?? []) note(cell, value, part);
  }
  // Again without England's rows (review 29, R29-1, in person-months: review 34, R34-2): a reader may leave out
  // England's equations, those that make the whole's reading contradict, and read each region's piece alone (R3's 25
  // over I31's 25 over three PCNs' `*`, each a mean under 8: 45 person-months, each PCN 15). England's rows of the
  // months withheld below England stay (recoveredCells: they say the month is withheld). A `*` pinned to 0 is not
  // counted (it says no one was counted, as a 0 does).
  const withheldEngland = new Set<unknown>([...withheldMonthsOf(doc).values()].flat());
  const below = [...readFrom.keys()].filter((r) => r.level !== 'national' || withheldEngland.has(readFrom.get(r)));
  if (below.length === readFrom.size || below.length === 0) return found;
  const pieces = buildAuditSystem(below, {
    columns: headcounts,
    areas: { partOf, totalOf: (r) => `${r.code}|${within(r)}` },
    months: { columns: headcounts, keys: doc.keys },
  });
  for (let c = 0; c < pieces.components.length; c++) {
    const read =
      auditComponent(pieces, c, (cell) => shownRange(cell, isKnown(cell))) ??
      auditComponent(pieces, c, (cell) => shownRange(cell, true));
    for (const { cell, part, value } of read ?? [])
      if (value !== 0 || part !== undefined || readFrom.get(cell.row)?.[cell.column] !== '*') note(cell, value, part);
  }
  return found;
}

/** A `*` below England that the figures of one family narrow below PROTECTION_LEVEL (narrowedCells). */
export interface NarrowedCell {
  readonly row: MetricRow;
  readonly column: string;
  /** What the family read alone leaves of the `*`: low to high, high below PROTECTION_LEVEL. */
  readonly low: number;
  readonly high: number;
  /** The family: its total's area (or year) and period. */
  readonly family: string;
  /** The family's total as published (a `*` or a rounded count) and how many of its parts are `*`. */
  readonly total: number | string;
  readonly stars: number;
}

/**
 * The `*` that one family read alone narrows below what a `*` protects (R11-5): a total below England and its parts
 * (areas within their parent area, the months of a year for the counts that add up over months, the columns of a row
 * that add up to another), read as the method documents the figures, a `*` 1 to 7, a rounded count v from
 * max(8, v - 2) to v + 2, 0 as 0 and an absent area as 0; each `*` part is then at most the total's most less the
 * others' least, and a `*` whose most is below PROTECTION_LEVEL (a region's `*` over six ICBs' `*`: each ICB at most
 * 7 - 5 = 2) is found. Its own reading of the published documents, not the publisher's audit: a `*` whose own parts
 * (its ICBs' PCNs, its months) add up to 8 or more at least is no count from 1 to 7 and is read as at least that
 * (looseLowOf: the South West's `*` over its seven ICBs' `*`, four of them over two `*` PCNs, is 11 or more); a
 * family whose reading contradicts (parts at least more than the total at most) says nothing; a moved PCN's year is
 * split between its ICBs (0 or more in each); England's exact figure bounds every `*` below it by design (the method
 * publishes England exact), so a family whose total is England's is not read here.
 */
export function narrowedCells(doc: MetricDocument, parents: Parents, spec: ScanSpec): NarrowedCell[] {
  const groups = spec.groups?.[doc.name] ?? [];
  const counts = equationCounts(doc, spec, publishedAsAnother(doc, spec));
  if (counts.length === 0) return [];
  const monthly = new Set(spec.monthly?.[doc.name] ?? []);
  const anyTotal = new Set(spec.totals?.[doc.name] ?? []);
  const families = familiesOf(doc, parents);
  const areaKey = (r: MetricRow) => `area|${r.code}|${r.period_type}|${r.period}|${keysOfRow(doc, r)}`;
  const yearKey = (r: MetricRow) => `period|${r.level}|${r.code}|${r.period}|${keysOfRow(doc, r)}`;
  const yearKeyOfMonth = (r: MetricRow) => `period|${r.level}|${r.code}|${fyOf(String(r.period))}|${keysOfRow(doc, r)}`;
  const moved = (r: MetricRow) => {
    const parent = r.level === 'pcn' ? parents(r) : undefined;
    return parent !== undefined && typeof parent !== 'string' && parent.length > 1;
  };
  // A `*` that another family fixes at 0 whatever the `*` hide (review 20, R20-2): a part of a total published 0 (a
  // PCN's month under its year's 0, a source under its row's 0 referrals), or a total whose parts are all published 0.
  // The reader takes it as 0 and leaves it out of the family read (a zero shown `*` there widens nothing).
  const zero = (r: MetricRow | undefined, c: string) => r !== undefined && r[c] === 0;
  const fixedAtZero = (r: MetricRow, c: string): boolean => {
    const key = keysOfRow(doc, r);
    const parent = r.level === 'region' ? 'ENG' : r.level === 'national' ? undefined : parents(r);
    for (const p of parent === undefined ? [] : typeof parent === 'string' ? [parent] : parent)
      if (zero(families.get(`area|${p}|${r.period_type}|${r.period}|${key}`)?.total, c)) return true;
    if (monthly.has(c) && r.period_type === 'month' && zero(families.get(yearKeyOfMonth(r))?.total, c)) return true;
    const areas = families.get(areaKey(r))?.parts ?? [];
    if (areas.length > 0 && areas.every((p) => p[c] === 0)) return true;
    if (monthly.has(c) && r.period_type === 'fy') {
      const months = families.get(yearKey(r))?.parts ?? [];
      if (months.length > 0 && months.every((p) => p[c] === 0)) return true;
    }
    for (const group of groups) {
      if (group.parts.includes(c) && r[group.total] === 0) return true;
      if (group.total === c && group.parts.every((p) => r[p] === 0)) return true;
    }
    return false;
  };
  // The least a `*` can be by its own parts (areas within it, its months), each read at its least, a `*` part by its
  // own parts in turn: 1 at least below a region, 0 for a region (secondary suppression hides a zero region).
  const loose = new Map<string, number>();
  const looseLowOf = (r: MetricRow, c: string): number => {
    const id = `${areaKey(r)}|${c}`;
    const known = loose.get(id);
    if (known !== undefined) return known;
    const leastOf = (part: MetricRow, split: boolean) => {
      const v = part[c];
      if (split || v === 0 || v === null || v === undefined || (v === '*' && fixedAtZero(part, c))) return 0;
      if (typeof v === 'number') return Math.max(MIN_SHOWN, v - HALF_ROUNDING);
      return anyTotal.has(c) ? 0 : looseLowOf(part, c);
    };
    let low = r.level === 'region' ? 0 : 1;
    const areas = families.get(areaKey(r))?.parts ?? [];
    low = Math.max(
      low,
      areas.reduce((sum, p) => sum + leastOf(p, moved(p)), 0),
    );
    if (monthly.has(c) && r.period_type === 'fy') {
      const months = families.get(yearKey(r))?.parts ?? [];
      low = Math.max(
        low,
        months.reduce((sum, p) => sum + leastOf(p, false), 0),
      );
    }
    loose.set(id, low);
    return low;
  };
  const [, most] = PRIMARY_SUPPRESSED;
  // A figure as the reader reads it: undefined where it has none.
  const read = (r: MetricRow, c: string): readonly [number, number] | undefined => {
    const v = r[c];
    if (typeof v === 'number') {
      if (r.level === 'national' || v === 0) return [v, v];
      return [Math.max(MIN_SHOWN, v - HALF_ROUNDING), v + HALF_ROUNDING];
    }
    if (v !== '*') return undefined;
    if (fixedAtZero(r, c)) return [0, 0];
    if (anyTotal.has(c)) return [0, Number.POSITIVE_INFINITY];
    const low = looseLowOf(r, c);
    return low > most ? [low, Number.POSITIVE_INFINITY] : PRIMARY_SUPPRESSED;
  };
  const found: NarrowedCell[] = [];
  const readFamily = (
    total: MetricRow,
    c: string,
    parts: readonly (readonly [MetricRow, string, boolean])[],
    family: string,
  ) => {
    const whole = read(total, c);
    if (whole === undefined) return;
    const bounds = parts.map(([r, column, split]) => {
      const b = read(r, column) ?? [0, Number.POSITIVE_INFINITY];
      return split ? ([0, b[1]] as const) : b;
    });
    const least = bounds.reduce((sum, [low]) => sum + low, 0);
    const mostOf = bounds.reduce((sum, [, high]) => sum + high, 0);
    if (least > whole[1] || mostOf < whole[0]) return;
    const stars = parts.filter(([r, column]) => r[column] === '*').length;
    parts.forEach(([r, column, split], i) => {
      const [low, high] = bounds[i] as readonly [number, number];
      if (split || r[column] !== '*' || high === Number.POSITIVE_INFINITY || high === 0) return;
      const upper = Math.min(high, whole[1] - (least - low));
      if (upper >= PROTECTION_LEVEL) return;
      const lower = Math.max(low, whole[0] - (mostOf - high));
      found.push({ row: r, column, low: lower, high: upper, family, total: total[c] as number | string, stars });
    });
  };
  for (const [key, { total, parts }] of families) {
    if (total === undefined || total.level === 'national' || parts.length === 0) continue;
    const byMonths = key.startsWith('period|');
    for (const c of counts) {
      if (byMonths && !monthly.has(c)) continue;
      readFamily(
        total,
        c,
        parts.map((p) => [p, c, !byMonths && moved(p)] as const),
        `${total.code} ${total.period}${byMonths ? ' (its months)' : ''}`,
      );
    }
  }
  for (const r of doc.rows) {
    if (r.level === 'national') continue;
    for (const group of groups)
      readFamily(
        r,
        group.total,
        group.parts.map((p) => [r, p, false] as const),
        `${r.code} ${r.period} ${group.total}`,
      );
  }
  return found;
}

/** The smallest unrounded count a published rounded count can be, and the rounding's reach (to the nearest 5). */
const MIN_SHOWN = 8;
const HALF_ROUNDING = 2;

/**
 * narrowedCells as problem lines, of a document as the scan reads it (scannedDocument; withNoDataAsZero first). Apart
 * from scanDocuments: the publisher widens only the `*` it can (zeros shown `*` under a `*` total, disclosure.ts
 * zerosToWiden), and a region's `*` over four to six ICBs' `*` is left narrowed (docs/methodology.md), so a release is
 * not failed on it; test/bench/disclosure-scan-documents.ts prints them.
 */
export function narrowedProblems(doc: MetricDocument, parents: Parents, spec: ScanSpec): string[] {
  return narrowedCells(doc, parents, spec).map(
    ({ row, column, low, high, family }) =>
      `${rowId(doc, row)}: ${column} = * is narrowed to ${low} to ${high} by the figures of ${family} (below ${PROTECTION_LEVEL})`,
  );
}

/**
 * England's exact total less its exact part (spec.complements) read as the sum of the `total` cells of the PCNs
 * outside the part, each a reader's bounds (`*` 1 to 7, 0 as 0, a rounded count within 2 of its value and 8 at least):
 * a cell of them the difference pins to one value is recovered exactly. A year is read only where no PCN is outside
 * it for some months and not others (its year row then shows its `notGiven`, and its part of the difference is not
 * known from its rows).
 */
function complementProblems(doc: MetricDocument, spec: ScanSpec): string[] {
  const problems: string[] = [];
  // A year's `*` is a mean of months, 0 to 7 (a PCN's months of 1 to 7 and of none).
  const bounds = (v: unknown, year: boolean): [number, number] | undefined => {
    if (v === '*') return [year ? 0 : 1, 7];
    if (typeof v !== 'number') return undefined;
    return v === 0 ? [0, 0] : [Math.max(MIN_SHOWN, v - HALF_ROUNDING), v + HALF_ROUNDING];
  };
  const pcnRows = doc.rows.filter((r) => r.level === 'pcn');
  for (const { total, part, notGiven } of spec.complements?.[doc.name] ?? [])
    for (const england of doc.rows) {
      if (england.level !== 'national') continue;
      const [all, known] = [england[total], england[part]];
      if (typeof all !== 'number' || typeof known !== 'number') continue;
      const year = england.period_type === 'fy';
      const outside = (r: MetricRow) => r[notGiven] === null && r[total] !== null && r[total] !== undefined;
      const rows = pcnRows.filter((r) => r.period_type === england.period_type && r.period === england.period);
      // A PCN outside in some months of the year and not others: its part of the year's difference is not known.
      if (
        year &&
        rows.some(
          (y) =>
            !outside(y) &&
            pcnRows.some(
              (m) =>
                m.code === y.code && m.period_type === 'month' && fyOf(String(m.period)) === y.period && outside(m),
            ),
        )
      )
        continue;
      const cells = rows.filter(outside).map((r) => ({
        row: r,
        bounds: bounds(r[total], year),
        weight: year ? Number(r.months) / Number(england.months) : 1,
      }));
      if (cells.length === 0 || cells.some((c) => c.bounds === undefined || !(c.weight > 0))) continue;
      const difference = all - known;
      cells.forEach((cell, i) => {
        const others = cells.filter((_, j) => j !== i);
        const low = others.reduce((sum, c) => sum + (c.bounds as [number, number])[0] * c.weight, 0);
        const high = others.reduce((sum, c) => sum + (c.bounds as [number, number])[1] * c.weight, 0);
        const [own0, own1] = cell.bounds as [number, number];
        const from = Math.max(own0, (difference - high) / cell.weight);
        const to = Math.min(own1, (difference - low) / cell.weight);
        // (A reader's bounds the difference contradicts are not a reading: nothing is pinned.)
        if (Math.abs(to - from) <= 1e-9)
          problems.push(
            `${rowId(doc, cell.row)}: ${total} = ${cell.row[total]} is recovered exactly from England's ${total} less ${part} (${notGiven} not given)`,
          );
      });
    }
  return problems;
}

/**
 * The columns `doc` publishes as another document's count (spec.shared: workforce's people referred are rollout's),
 * which the scan reads in that document, not in this one's equations. Its rows are not every area with the count
 * (workforce lists the areas that sent a snapshot: a PCN that referred people and sent none has no row, and is not 0),
 * and where the other document has no row its `*` is a figure withheld there (a year withheld below England), any
 * count, not 1 to 7 (shared-counts.ts, publishSameAs): read as this document's own, a region's `*` over seven ICBs'
 * `*` of a year rollout withheld below England "was" 7, each ICB 1 (a 2% demo: 8 such cells, none the exact value).
 * sharedProblems checks every published value is the other document's, so what it publishes is read there.
 */
function publishedAsAnother(doc: MetricDocument, spec: ScanSpec): Set<string> {
  return new Set((spec.shared ?? []).filter((s) => s.document === doc.name).flatMap((s) => Object.keys(s.columns)));
}

/**
 * The counts of `doc` read in its equations: its counts, its groups' totals and parts and its monthly counts, once
 * each, but for its staff columns and those it publishes as another document's (`shared`: publishedAsAnother).
 */
function equationCounts(doc: MetricDocument, spec: ScanSpec, shared: ReadonlySet<string>): string[] {
  const staffColumns = new Set((spec.staff?.[doc.name] ?? []).flatMap(([h, f, columns]) => [h, f, ...columns]));
  const groups = spec.groups?.[doc.name] ?? [];
  return [
    ...new Set([
      ...(spec.counts[doc.name] ?? []),
      ...groups.flatMap((g) => [g.total, ...g.parts]),
      ...(spec.monthly?.[doc.name] ?? []),
    ]),
  ].filter((c) => !staffColumns.has(c) && !shared.has(c));
}

/** The cells withheldCells makes: a month withheld below England, in an area with a row of its year. */
const WITHHELD_CELLS = new WeakSet<object>();

/**
 * A month withheld below England (England's row of it and none below) as a cell of its own in each area with a row
 * of its year and keys: `*` (any count, 0 or more) for each count adding up over months (spec.monthly), 0 where
 * England's figure of the month or the area's of the year is 0. A reader knows every equation such a cell is in:
 * England's exact month = its regions' = their ICBs' (areas without a row of the year: 0 then too), and the area's
 * year = its months; so a month England's small figure pins in an area whose year less its other months needs all of
 * it is found, where the audit reads the months withheld as one unpublished part of the year (0 or more) and so
 * cannot.
 */
function withheldCells(doc: MetricDocument, spec: ScanSpec): MetricRow[] {
  const monthly = spec.monthly?.[doc.name] ?? [];
  if (monthly.length === 0) return [];
  const withheld = withheldMonthsOf(doc);
  if (withheld.size === 0) return [];
  const cells: MetricRow[] = [];
  for (const year of doc.rows) {
    if (year.level === 'national' || year.period_type !== 'fy') continue;
    for (const month of withheld.get(`${year.period}|${keysOfRow(doc, year)}`) ?? []) {
      const cell: Record<string, unknown> = {
        level: year.level,
        code: year.code,
        period_type: 'month',
        period: month.period,
      };
      for (const k of doc.keys) cell[k] = year[k];
      for (const c of monthly) {
        const [inYear, inEngland] = [year[c], month[c]];
        if ((typeof inYear !== 'number' && inYear !== '*') || typeof inEngland !== 'number') continue;
        cell[c] = inYear === 0 || inEngland === 0 ? 0 : '*';
      }
      WITHHELD_CELLS.add(cell);
      cells.push(cell as MetricRow);
    }
  }
  return cells;
}

/**
 * What a reader recovers in a component (readerDisclosures), except where a `*` of it is a total over a suppressed
 * count of people (spec.totals): that `*` is any total, 0 or more, not a count from 1 to 7, so the reader takes it so
 * and every other `*` as 1 to 7 (or, where that contradicts the figures, as relaxedReader does). Reading such a `*` as
 * 1 to 7 reported figures "recovered" that no reader can work out: a national release's ICB after_total of 260
 * (258-262) over 7 PCNs published at 230 in all (216-244) and two PCNs' `*` beside 1-7 people, "pinned" by taking
 * both `*` as at most 7 attendances. A month withheld below England (withheldCells) is any count so too.
 */
function disclosuresOf(
  system: AuditSystem,
  component: number,
  totals: ReadonlySet<string>,
  /** `*` known from the rows with England's not to be 1 to 7 (recoveredCells' read without them). */
  known?: ReadonlySet<number>,
): Disclosure[] | undefined {
  const { variables } = system.components[component] as AuditSystem['components'][number];
  const anyTotal = (cell: AuditCell | undefined) =>
    cell !== undefined && (WITHHELD_CELLS.has(cell.row) || (totals.has(cell.column) && cell.row[cell.column] === '*'));
  let hasTotals = false;
  for (let i = 0; i < variables.length && !hasTotals; i++) hasTotals = anyTotal(cellOf(system, variables[i] as number));
  // Each equation read alone as well (equationDisclosures): a pin one equation shows stands whatever the rest of the
  // component says (a national component's 1-to-7 reading nearly always contradicts somewhere), except that a `*` the
  // whole component's loose reading shows cannot be 1 to 7 (looselySecondary: a sealed region `*` over seven `*` ICBs
  // that their PCNs show to be 11 or more) is read as the reader knows it, 1 or more.
  if (!hasTotals) {
    const whole = readerDisclosures(system, component, undefined, known);
    const secondary = new Set([...(looselySecondary(system, component) ?? []), ...(known ?? [])]);
    // The criterion's reading made here on its own (review 36, R36-2: readerDisclosures makes it with the publisher's
    // code, so a fault there would hide the same pins from both): each `*` the whole component's loose reading shows
    // cannot be 1 to 7 (or `known`) taken as relaxedReader does, every other `*` as 1 to 7, the component read whole.
    // A cell's copies (with and without the months) are marked alike. Where that contradicts the figures, nothing.
    const marked = new Map<Row, Set<string>>();
    for (const v of secondary) {
      const cell = cellOf(system, v);
      if (cell === undefined) continue;
      const columns = marked.get(cell.row) ?? new Set<string>();
      columns.add(cell.column);
      marked.set(cell.row, columns);
    }
    const criterion =
      marked.size === 0
        ? undefined
        : auditComponent(system, component, (cell) =>
            marked.get(cell.row)?.has(cell.column) === true ? relaxedReader(cell) : PRIMARY_SUPPRESSED,
          );
    return [
      ...(criterion ?? []),
      ...(whole ?? []),
      ...equationDisclosures(system, component, undefined, undefined, secondary).flatMap((e) => e.disclosures),
    ];
  }
  const anyCount = (v: number) => anyTotal(cellOf(system, v));
  const alone = equationDisclosures(
    system,
    component,
    anyCount,
    undefined,
    looselySecondary(system, component, anyCount),
  ).flatMap((e) => e.disclosures);
  const documented = auditComponent(system, component, (cell) => (anyTotal(cell) ? ANY_COUNT : PRIMARY_SUPPRESSED));
  if (documented !== undefined) return [...documented, ...alone];
  const relaxed = auditComponent(system, component, (cell) => (anyTotal(cell) ? ANY_COUNT : relaxedReader(cell)));
  return [...(relaxed ?? []), ...alone];
}

/**
 * The periods whose England figures a release holds at an earlier release's values (the revisions policy,
 * functions/refresh/revisions.ts), per document: meta.json's `revisions_held.documents`. Each document's own, not the
 * release's union (`revisions_held.periods`): a hold may stay in one document (workforce's staff columns are
 * `documentOnly`), and the others' England rows of that period are this release's sums, read as such.
 */
export function heldPeriodsOf(meta: {
  revisions_held?: { documents?: Readonly<Record<string, { periods: readonly string[] }>> };
}): HeldPeriods {
  const documents = meta?.revisions_held?.documents ?? {};
  return (document) => new Set(documents[document]?.periods ?? []);
}

/** The periods of which a release holds a document's England figures (heldPeriodsOf). */
export type HeldPeriods = (document: string) => ReadonlySet<string>;

const NONE_HELD: HeldPeriods = () => new Set();

/**
 * A document as the scan reads it: England's rows that count a group of PCNs as rows below England, of a level of
 * their own; England's rows of a held period left out.
 */
export function scannedDocument(
  published: MetricDocument,
  spec: ScanSpec,
  held: HeldPeriods = NONE_HELD,
): MetricDocument {
  const group = spec.groupsOfPcns?.[published.name];
  // England's rows of a held period are values published by an earlier release, not the sum of the regions and ICBs
  // beside them (nor their months): no equation of this release (review 3, L3). England's own rows are not scanned.
  const periods = held(published.name);
  const heldEngland = (r: MetricRow) =>
    r.level === 'national' && periods.has(String(r.period)) && !(group?.(r) ?? false);
  return {
    ...published,
    rows: published.rows
      .filter((r) => !heldEngland(r))
      .map((r) =>
        group !== undefined && r.level === 'national' && group(r)
          ? ({ ...r, level: 'group_of_pcns' } as unknown as MetricRow)
          : r,
      ),
  };
}

/** One document's problems (scanDocuments), read beside the documents published with it (`docs`). */
export function scanDocument(
  published: MetricDocument,
  parents: Parents,
  spec: ScanSpec,
  held: HeldPeriods = NONE_HELD,
  docs: readonly MetricDocument[] = [],
): string[] {
  const doc = scannedDocument(published, spec, held);
  const counts = spec.counts[doc.name] ?? [];
  const differenced = [...counts, ...(spec.protected?.[doc.name] ?? [])];
  const sub = doc.rows.filter((r) => r.level !== 'national');
  return [
    ...sub.flatMap((r) => [
      ...countProblems(doc, r, counts),
      ...staffProblems(doc, r, spec),
      ...meanProblems(doc, r, spec),
      ...describingProblems(doc, r, spec),
      ...seriesProblems(doc, r, spec),
      ...rateProblems(doc, r, spec),
      ...serviceUseBandProblems(doc, r),
    ]),
    ...loneSuppressedPartProblems(doc, parents, differenced, spec.protected?.[doc.name] ?? []),
    ...recoveredProblems(doc, parents, spec, docs),
    ...complementProblems(doc, spec),
    ...funnelProblems(doc, sub, docs),
    ...pcnKeyProblems(doc, spec),
  ];
}

/** The fewest PCNs an England figure of a key a PCN determines is shown beside (MIN_CONTRIBUTORS in revisions.ts). */
const KEY_PCNS = 3;

/**
 * England figures of a key a PCN determines (spec.pcnKeys) shown beside fewer than KEY_PCNS PCNs whose rows of the
 * key and period show it (`*` or above 0): a reader who knows which PCNs use the key has their exact figures (a `*`
 * may hide a 0, so it counts as a use). Where the period has no PCN row of the key (withheld below England), which
 * PCNs use the key is read from every period (a PCN's use of an instrument or a route is stable and public): the
 * PCNs shown using it in any.
 */
function pcnKeyProblems(doc: MetricDocument, spec: ScanSpec): string[] {
  const declared = spec.pcnKeys?.[doc.name] ?? [];
  const counts = spec.counts[doc.name] ?? [];
  const keyColumns = declared.filter((k) => doc.keys.includes(k));
  const categories = declared.filter((c) => !doc.keys.includes(c));
  if (keyColumns.length === 0 && categories.length === 0) return [];
  const used = (v: unknown) => v === '*' || (typeof v === 'number' && v > 0);
  const keyOf = (r: MetricRow, keys: readonly string[]) => keys.map((k) => String(r[k])).join('|');
  const periodOf = (r: MetricRow) => `${r.period_type}|${r.period}`;
  // The PCNs using each key (key columns: any count; a category: its column), by period and in any period, and the
  // keys and periods with PCN rows at all.
  const users = new Map<string, Set<string>>();
  const rows = new Set<string>();
  const use = (key: string, code: string) => {
    for (const k of [key, key.slice(key.indexOf('@') + 1)]) users.set(k, (users.get(k) ?? new Set()).add(code));
  };
  for (const r of doc.rows) {
    if (r.level !== 'pcn') continue;
    const [key, row] = [`${periodOf(r)}@${keyOf(r, keyColumns)}`, `${periodOf(r)}@${keyOf(r, doc.keys)}`];
    rows.add(key).add(row);
    if (keyColumns.length > 0 && counts.some((c) => used(r[c]))) use(key, String(r.code));
    for (const c of categories) if (used(r[c])) use(`${row}#${c}`, String(r.code));
  }
  // Shown using the key: in the period where it has PCN rows, else in any.
  const shown = (key: string, hasRows: boolean) =>
    users.get(hasRows ? key : key.slice(key.indexOf('@') + 1))?.size ?? 0;
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const r of doc.rows) {
    if (r.level !== 'national') continue;
    const [key, row] = [`${periodOf(r)}@${keyOf(r, keyColumns)}`, `${periodOf(r)}@${keyOf(r, doc.keys)}`];
    if (keyColumns.length > 0 && !seen.has(key) && counts.some((c) => typeof r[c] === 'number' && Number(r[c]) > 0)) {
      seen.add(key);
      const n = shown(key, rows.has(key));
      if (n < KEY_PCNS)
        problems.push(`${rowId(doc, r)}: England's figures of a key a PCN determines beside ${n} PCNs using it`);
    }
    for (const c of categories) {
      const n = shown(`${row}#${c}`, rows.has(row));
      if (typeof r[c] === 'number' && Number(r[c]) > 0 && n < KEY_PCNS)
        problems.push(`${rowId(doc, r)}: England's ${c} (a key a PCN determines) beside ${n} PCNs using it`);
    }
  }
  return problems;
}

/** Every problem in the documents: each on its own, and the counts they share (sharedProblems, jointProblems). */
export function scanPublished(
  docs: readonly MetricDocument[],
  parents: Parents,
  spec: ScanSpec,
  /** The periods of which the release holds each document's England figures (heldPeriodsOf(meta)). */
  held?: HeldPeriods,
): string[] {
  return [
    ...scanDocuments(withNoDataAsZero(docs, spec), parents, spec, held),
    ...sharedProblems(docs, spec),
    ...jointProblems(docs, spec, parents),
    ...cohortGapProblems(docs, held),
  ];
}

/**
 * The documents as a reader reads a PCN with no data (red-team review 9, R9-1): rollout's PCN row of a period whose
 * list size is null (not onboarded then: no month with events yet, M11) says the PCN sent nothing in that period, so
 * each of its counts there is 0 in every document, whatever it shows: a `*` given to it (a filler: review 7's M12 gave
 * such PCNs a row of `*`) is read as 0, not 1 to 7.
 */
export function withNoDataAsZero(docs: readonly MetricDocument[], spec: ScanSpec): readonly MetricDocument[] {
  const periodOf = (r: MetricRow) => `${r.code}|${r.period_type}|${r.period}`;
  const none = new Set(
    (docs.find((d) => d.name === 'rollout')?.rows ?? [])
      .filter((r) => r.level === 'pcn' && r.list_size === null)
      .map(periodOf),
  );
  if (none.size === 0) return docs;
  return docs.map((doc) => {
    const counts = [
      ...(spec.counts[doc.name] ?? []),
      ...(spec.groups?.[doc.name] ?? []).flatMap((g) => [g.total, ...g.parts]),
      ...(spec.monthly?.[doc.name] ?? []),
    ];
    const zero = (r: MetricRow) => {
      if (r.level !== 'pcn' || !none.has(periodOf(r))) return r;
      const read: Record<string, unknown> = { ...r };
      for (const c of counts) if (read[c] === '*') read[c] = 0;
      return read as MetricRow;
    };
    return { ...doc, rows: doc.rows.map(zero) };
  });
}

/** YYYY-MM as a count of months, and back. */
const monthIndex = (month: string) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
const monthOf = (index: number) => `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
/** The financial year of a month: 2026-03 is in 2025/26. */
const yearOfMonth = (month: string) => {
  const start = Number(month.slice(0, 4)) - (Number(month.slice(5, 7)) < 4 ? 1 : 0);
  return `${start}/${String((start + 1) % 100).padStart(2, '0')}`;
};

/**
 * Each PCN's end of observation as a reader works it out, a month index (red-team review 26, R26-1; review 29, R29-3):
 * a KNOWN end only. Its last month in force is its last month with a row in rollout (no row once it closed or merged;
 * the latest month published while it is open); where its extract has stopped by the publisher's published rule (no
 * extract covering any of the more than STOPPED_AFTER_MONTHS months ended by the release's date, generated_at: its
 * last month with a list in rollout before stoppedBefore of that date), its last month with a list if earlier. A PCN
 * only late (its list null in the latest month or two, not yet stopped) is not ended: its referrals stay in the
 * cohorts. Only PCNs with a month reported (a list) have one.
 */
function observationEnds(docs: readonly MetricDocument[]): Map<string, number> {
  const rollout = docs.find((d) => d.name === 'rollout');
  const inForce = new Map<string, number>();
  const listed = new Map<string, number>();
  for (const r of rollout?.rows ?? [])
    if (r.level === 'pcn' && r.period_type === 'month') {
      const [code, at] = [String(r.code), monthIndex(String(r.period))];
      if (at > (inForce.get(code) ?? -1)) inForce.set(code, at);
      if (r.list_size !== null && r.list_size !== undefined && at > (listed.get(code) ?? -1)) listed.set(code, at);
    }
  const generated = rollout?.generated_at;
  const stoppedFrom =
    typeof generated === 'string' ? monthIndex(stoppedBefore(generated.slice(0, 10))) : Number.NEGATIVE_INFINITY;
  const ends = new Map<string, number>();
  for (const [pcn, last] of listed) {
    const open = inForce.get(pcn) ?? last;
    ends.set(pcn, last < stoppedFrom ? Math.min(last, open) : open);
  }
  return ends;
}

/**
 * The rows (`level code period_type period`) whose cohort of `months` is not their episodes although their period ended
 * by the cut-off, as a reader finds them: a referral whose window runs past its PCN's end of observation
 * (observationEnds: a closure, or an extract stopped) is in no cohort (red-team review 26, R26-1); its referrals of the
 * `months` months up to it are in no cohort, so its rows of those months and their years, and its ICB's and region's,
 * count another figure there.
 */
function unobservedRows(docs: readonly MetricDocument[], parents: Parents, months: number): Set<string> {
  const rows = new Set<string>();
  const last = observationEnds(docs);
  const add = (level: string, code: string, month: string) => {
    rows.add(`${level} ${code} month ${month}`);
    rows.add(`${level} ${code} fy ${yearOfMonth(month)}`);
  };
  for (const [pcn, observed] of last)
    for (let at = observed - months + 1; at <= observed; at++) {
      const month = monthOf(at);
      add('pcn', pcn, month);
      const icbs = parents({ level: 'pcn', code: pcn, period_type: 'month', period: month } as MetricRow);
      for (const icb of icbs === undefined ? [] : typeof icbs === 'string' ? [icbs] : icbs) {
        add('icb', icb, month);
        const region = parents({ level: 'icb', code: icb, period_type: 'month', period: month } as MetricRow);
        if (typeof region === 'string') add('region', region, month);
      }
    }
  return rows;
}

/**
 * Which of the publisher's rules (revisions.ts, releasable, as cohortGapsMadeByFew applies them) a cohort gap of
 * `difference` referrals fails, made up by PCNs whose shares (as their rows show them) are `shares`: fewer than
 * MIN_CONTRIBUTORS PCNs; one dominating (the shares after the two largest under P_PERCENT of the largest); or the
 * difference (exact: England's figures) no larger than the number of PCNs. Undefined where it passes all three.
 */
function gapRuleFailed(difference: number, shares: readonly number[]): string | undefined {
  const sizes = shares.filter((v) => v > 0).sort((a, b) => b - a);
  if (sizes.length < MIN_CONTRIBUTORS) return `fewer than ${MIN_CONTRIBUTORS}`;
  const rest = sizes.slice(2).reduce((sum, v) => sum + v, 0);
  if (rest < (P_PERCENT / 100) * (sizes[0] as number)) return `dominated by one (${sizes.join(', ')} as shown)`;
  if (difference <= sizes.length) return `no more than 1 each (${difference} of ${sizes.length} PCNs)`;
  return undefined;
}

/**
 * England's referrals of a period less a cohort of it, as a reader works it out (red-team review 26, R26-1): a referral
 * whose window runs past its PCN's end of observation is in no cohort, so of a period old enough for the cohort (every
 * referral of a month whose window has ended by the data-as-of date: the month at most `months` before it) England's
 * referrals (rollout's, or cof_person's episodes) less its cohort are exactly the referrals of the PCNs whose data ended
 * in their window; of a year, its months old enough less the year's cohort. The reader finds those PCNs as
 * unobservedRows does (each PCN's known end of observation, observationEnds; its `months` months up to it), less those
 * whose published referrals of the month are 0. The cohort is read wherever England publishes it: cof_person's column, the
 * sum of a dimension's groups in equity (engagement) or of the contacts distribution's bins (outcome), and
 * pcn_comparison's England take-up (engaged over the cohort, 6 significant digits) beside England's engaged. Where the
 * difference is above 0 and fails any of the publisher's three rules (gapRuleFailed: fewer than 3 PCNs, one
 * dominating, or no more than 1 each; red-team review 29, R29-2: only the first was applied), it is a figure the
 * publisher holds, of PCNs whose rows control it (rounded, or `*`): a problem. England's rows of a period the release holds (`held`) are an earlier release's, not
 * differenced.
 */
export function cohortGapProblems(docs: readonly MetricDocument[], held: HeldPeriods = NONE_HELD): string[] {
  const doc = (name: string) => docs.find((d) => d.name === name);
  const person = doc('cof_person');
  const cohorts = (person?.summary as { cohorts?: Record<string, { months?: number }> } | undefined)?.cohorts;
  if (person === undefined || cohorts === undefined) return [];
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  /** England's published value of a period in a document, unless the release holds that period there. */
  const englandRows = (name: string, period: string) =>
    held(name).has(period)
      ? []
      : (doc(name)?.rows ?? []).filter((r) => r.level === 'national' && String(r.period) === period);
  const referrals = (period: string) =>
    num(englandRows('rollout', period)[0]?.referrals) ?? num(englandRows('cof_person', period)[0]?.episodes);
  // Each PCN's end of observation (a known end: observationEnds), and its published referrals by month (0 is exact:
  // nothing of it in the difference).
  const last = observationEnds(docs);
  const pcnReferrals = new Map<string, unknown>();
  for (const r of doc('rollout')?.rows ?? [])
    if (r.level === 'pcn' && r.period_type === 'month') pcnReferrals.set(`${r.code} ${r.period}`, r.referrals);
  // Each PCN's share of a difference as its rows show it: its published referrals of the months in which its data
  // ended in their window, a rounded count as shown and `*` as 7 (its largest reading: the one least likely to show
  // another PCN dominating).
  const shares = (pcns: readonly string[], months: readonly string[], ended: (month: string) => string[]) =>
    pcns.map((pcn) =>
      months
        .filter((m) => ended(m).includes(pcn))
        .reduce((sum, m) => {
          const shown = pcnReferrals.get(`${pcn} ${m}`);
          return sum + (typeof shown === 'number' ? shown : shown === '*' ? 7 : 0);
        }, 0),
    );
  const months = [
    ...new Set(
      (person.rows ?? [])
        .filter((r) => r.level === 'national' && r.period_type === 'month')
        .map((r) => String(r.period)),
    ),
  ];
  const asOf = (person as { data_as_of?: string | null }).data_as_of;
  if (typeof asOf !== 'string') return [];
  const problems: string[] = [];
  const sources: Array<{ cohort: string; column: string; engagement: boolean }> = [
    { cohort: 'engagement', column: 'engagement_cohort', engagement: true },
    { cohort: 'outcomes', column: 'outcome_cohort', engagement: false },
  ];
  for (const { cohort, column, engagement } of sources) {
    const window = cohorts[cohort]?.months;
    if (window === undefined) continue;
    const old = (month: string) => monthIndex(month) + window <= monthIndex(asOf.slice(0, 7));
    // The PCNs whose data ended in the window of a month's referrals, with referrals that month not published as 0.
    const endedIn = (month: string) =>
      [...last]
        .filter(([pcn, at]) => {
          const m = monthIndex(month);
          return m > at - window && m <= at && pcnReferrals.get(`${pcn} ${month}`) !== 0;
        })
        .map(([pcn]) => pcn);
    // England's cohort of a period wherever it is published: each reading a line of its own.
    const readings = (period: string): Array<{ where: string; value: number }> => {
      const found: Array<{ where: string; value: number }> = [];
      const own = num(englandRows('cof_person', period)[0]?.[column]);
      if (own !== undefined) found.push({ where: `cof_person ${column}`, value: own });
      if (!period.includes('/')) return found;
      const summed = (name: string, rows: readonly MetricRow[], col: string) => {
        const values = rows.map((r) => num(r[col]));
        if (rows.length > 0 && values.every((v) => v !== undefined))
          found.push({ where: name, value: values.reduce((a, v) => (a ?? 0) + (v ?? 0), 0) ?? 0 });
      };
      if (engagement) {
        const equity = englandRows('equity', period).filter((r) => r.dimension !== 'pcn_imd_quintile');
        for (const dimension of new Set(equity.map((r) => String(r.dimension))))
          summed(
            `equity ${dimension} engagement_cohort`,
            equity.filter((r) => r.dimension === dimension),
            'engagement_cohort',
          );
        const rate = (
          doc('pcn_comparison')?.summary as
            | { funnel_rates?: Record<string, Record<string, { national?: number | null }>> }
            | undefined
        )?.funnel_rates?.[period]?.take_up_pct?.national;
        const engaged = num(englandRows('cof_person', period)[0]?.engaged);
        if (typeof rate === 'number' && rate > 0 && engaged !== undefined && !held('pcn_comparison').has(period))
          found.push({ where: 'pcn_comparison take-up', value: Math.round(engaged / rate) });
      } else
        summed(
          'contacts_distribution episodes',
          englandRows('contacts_distribution', period).filter((r) => r.period_type === 'fy'),
          'episodes',
        );
      return found;
    };
    const periods = [...months.filter(old), ...new Set(months.filter(old).map(yearOfMonth))];
    for (const period of periods) {
      const inPeriod = period.includes('/') ? months.filter((m) => old(m) && yearOfMonth(m) === period) : [period];
      const values = inPeriod.map(referrals);
      if (values.some((v) => v === undefined)) continue;
      const total = values.reduce((a, v) => (a ?? 0) + (v ?? 0), 0) ?? 0;
      const pcns = [...new Set(inPeriod.flatMap(endedIn))].sort();
      if (pcns.length === 0) continue;
      for (const { where, value } of readings(period)) {
        const failed = gapRuleFailed(total - value, shares(pcns, inPeriod, endedIn));
        if (total - value > 0 && failed !== undefined)
          problems.push(
            `England ${period}: referrals ${total} less ${where} ${value} are the ${total - value} referrals of ${pcns.length} PCN${pcns.length === 1 ? '' : 's'} whose data ended in their window (${pcns.join(', ')}): ${failed}`,
          );
      }
    }
  }
  // And the engagement cohort less the outcome cohort of a month old enough for both (of a year, less its months old
  // enough for the engagement cohort only, which count theirs whole): the referrals of the PCNs whose data ended in
  // their 6-month window but after their 3-month one.
  const short = cohorts.engagement?.months;
  const long = cohorts.outcomes?.months;
  if (short === undefined || long === undefined) return problems;
  const asOfIndex = monthIndex(asOf.slice(0, 7));
  const oldFor = (months: number) => (month: string) => monthIndex(month) + months <= asOfIndex;
  const cohortOf = (period: string, column: string) => num(englandRows('cof_person', period)[0]?.[column]);
  const endedBetween = (month: string) =>
    [...last]
      .filter(([pcn, at]) => {
        const m = monthIndex(month);
        return m > at - long && m <= at - short && pcnReferrals.get(`${pcn} ${month}`) !== 0;
      })
      .map(([pcn]) => pcn);
  const old = months.filter(oldFor(long));
  for (const period of [...old, ...new Set(old.map(yearOfMonth))]) {
    const year = period.includes('/');
    const inPeriod = year ? old.filter((m) => yearOfMonth(m) === period) : [period];
    const engagementOnly = year
      ? months.filter((m) => yearOfMonth(m) === period && oldFor(short)(m) && !oldFor(long)(m))
      : [];
    const others = engagementOnly.map((m) => cohortOf(m, 'engagement_cohort'));
    const engagement = cohortOf(period, 'engagement_cohort');
    const outcome = cohortOf(period, 'outcome_cohort');
    if (engagement === undefined || outcome === undefined || others.some((v) => v === undefined)) continue;
    const difference = engagement - others.reduce((a: number, v) => a + (v ?? 0), 0) - outcome;
    const pcns = [...new Set(inPeriod.flatMap(endedBetween))].sort();
    const failed = gapRuleFailed(difference, shares(pcns, inPeriod, endedBetween));
    if (difference > 0 && pcns.length > 0 && failed !== undefined)
      problems.push(
        `England ${period}: cof_person engagement_cohort ${engagement} less outcome_cohort ${outcome} are the ${difference} referrals of ${pcns.length} PCN${pcns.length === 1 ? '' : 's'} whose data ended after their 3-month window and in their 6-month one (${pcns.join(', ')}): ${failed}`,
      );
  }
  return problems;
}

/**
 * A count several documents publish (spec.jointly) shown differently by two of them on the same row below England:
 * a number in one where the other shows `*` gives back what that one withheld (its secondary suppression or audit
 * protected its own figures with it), and two different numbers mean they are not the same count after all. A cohort
 * is the same count as its episodes only where none of the row's referrals runs past its PCN's end of observation
 * (unobservedRows; with `parents` to place the PCNs: without, every row of an ended period is read as the same count).
 */
export function jointProblems(docs: readonly MetricDocument[], spec: ScanSpec, parents?: Parents): string[] {
  const problems: string[] = [];
  for (const { name, key, cells } of spec.jointly ?? []) {
    const keyOf = (r: MetricRow) => key.map((k) => String(r[k])).join(' ');
    const shown = cells.map(({ document, column, periodType, cohort }) => {
      const doc = docs.find((d) => d.name === document);
      const cohorts = (
        doc?.summary as { cohorts?: Record<string, { months?: number; referred_on_or_before?: string }> } | undefined
      )?.cohorts;
      const cutoff = cohort === undefined ? undefined : cohorts?.[cohort]?.referred_on_or_before;
      const cohortMonths = cohort === undefined ? undefined : cohorts?.[cohort]?.months;
      const unobserved =
        parents === undefined || cohortMonths === undefined ? undefined : unobservedRows(docs, parents, cohortMonths);
      // A month ends on its last day, a financial year (2025/26) on 31 March 2026.
      const ended = (period: string) => {
        if (period.includes('/')) return `${Number(period.slice(0, 4)) + 1}-03-31`;
        const [y, m] = period.split('-').map(Number) as [number, number];
        return `${period}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
      };
      const values = new Map<string, unknown>();
      for (const r of doc?.rows ?? [])
        if (
          r.level !== 'national' &&
          (periodType === undefined || r.period_type === periodType) &&
          (cohort === undefined || (cutoff !== undefined && ended(String(r.period)) <= cutoff)) &&
          unobserved?.has(keyOf(r)) !== true
        )
          values.set(keyOf(r), r[column]);
      return { document, column, values };
    });
    for (let i = 0; i < shown.length; i++)
      for (let j = i + 1; j < shown.length; j++) {
        const [a, b] = [shown[i], shown[j]] as [(typeof shown)[number], (typeof shown)[number]];
        for (const [cell, value] of a.values) {
          if (!b.values.has(cell)) continue;
          const there = b.values.get(cell);
          if (value !== there)
            problems.push(
              `${a.document} ${cell}: ${a.column} = ${value} where ${b.document} publishes the same count (${name}) as ${b.column} = ${there}`,
            );
        }
      }
  }
  return problems;
}

/** The problems of each document on its own. */
export function scanDocuments(
  docs: readonly MetricDocument[],
  parents: Parents,
  spec: ScanSpec,
  held?: HeldPeriods,
): string[] {
  return docs.flatMap((doc) => scanDocument(doc, parents, spec, held, docs));
}

/** A count shared by two documents (spec.shared) published differently in them: one undoes the other's control. */
export function sharedProblems(docs: readonly MetricDocument[], spec: ScanSpec): string[] {
  const problems: string[] = [];
  for (const { document, source, columns, key } of spec.shared ?? []) {
    const [doc, from] = [docs.find((d) => d.name === document), docs.find((d) => d.name === source)];
    if (doc === undefined || from === undefined) continue;
    const keyOf = (r: MetricRow) => key.map((k) => String(r[k])).join(' ');
    const cells = new Map(from.rows.map((r) => [keyOf(r), r]));
    for (const r of doc.rows) {
      const cell = cells.get(keyOf(r));
      for (const [column, sourceColumn] of Object.entries(columns)) {
        const [value, there] = [r[column], cell?.[sourceColumn]];
        // A row without the figure (workforce's months have no people referred) shows nothing of it.
        if (value === null || value === undefined) continue;
        if (cell === undefined ? value !== 0 && value !== '*' : value !== there)
          problems.push(
            `${document} ${keyOf(r)}: ${column} = ${value} where ${source} publishes the same count as ${cell === undefined ? 'no row' : `${sourceColumn} = ${there}`}`,
          );
      }
    }
  }
  return problems;
}

/**
 * Parents of each area in a row's period, from the PCN reference file (effective-dated: a PCN is counted in the ICB
 * it was in on the first day of a month, and in a year in every ICB it was in during the year) and the ICB -> region
 * of the meta document. A new version of a PCN that only changes its list or name is not a move.
 */
export function parentsFrom(reference: string, meta: { icbs: { code: string; parent: string }[] }): Parents {
  // Names may hold commas ("NHS Bristol, North Somerset and South Gloucestershire ICB"): a CSV parser, not split.
  const versions = Papa.parse<Record<string, string>>(reference.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: true,
  }).data;
  const icbRegion = new Map(meta.icbs.map((i) => [i.code, i.parent]));
  return (row) => {
    if (row.level === 'icb') return icbRegion.get(String(row.code));
    if (row.level !== 'pcn') return undefined;
    const period = String(row.period);
    const year = /^\d{4}\/\d{2}$/.test(period);
    const [start, end] = year
      ? [`${period.slice(0, 4)}-04-01`, `${Number(period.slice(0, 4)) + 1}-03-31`]
      : [`${period}-01`, `${period}-01`];
    const inForce = versions.filter(
      (v) =>
        v.pcn_code === row.code &&
        (v.valid_from ?? '') <= end &&
        ((v.valid_to ?? '') === '' || (v.valid_to ?? '') >= start),
    );
    const icbs = [...new Set(inForce.map((v) => v.icb_code as string))];
    return icbs.length === 0 ? undefined : icbs;
  };
}

/**
 * cof_person's counts (each also adds up over the months of a year, by the month of referral), as the method names them:
 * written here on purpose, not imported from catalogue.ts, so that a count the catalogue leaves out is still scanned
 * (review 39, R39-13).
 */
const SCANNED_COF_PERSON_COUNTS = [
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
];

/** What the method says is a count and a rate, per document (docs/methodology.md). */
export const SCAN_SPEC: ScanSpec = {
  counts: {
    rollout: ['referrals', 'people_referred', 'declines', 'declined_after_referral'],
    cof_person: [...SCANNED_COF_PERSON_COUNTS],
    contacts_distribution: ['episodes'],
    wellbeing: ['people', 'improved'],
    cof_system: ['people', 'before_total', 'after_total'],
    cof_community: ['connections', 'attendance_cohort', 'recent_connections', 'attended'],
    equity: ['people_referred', 'engagement_cohort', 'engaged', 'connected', 'wellbeing_people', 'wellbeing_improved'],
    pcn_comparison: [
      'referrals',
      'engagement_cohort',
      'engaged',
      'connected',
      'wellbeing_measured',
      'wellbeing_improved',
    ],
    referral_sources: ['referrals'],
    workforce: [
      'people_referred',
      'splw_headcount',
      'splw_accredited',
      'splw_headcount_training_known',
      'hwbc_headcount',
      'cc_headcount',
    ],
  },
  // By the month of the event (a referral, a connection): a year's figure is its months'. Not distinct people (rollout's
  // people referred, wellbeing, equity), staff (a year's headcount is a mean of months), or year-only documents.
  monthly: {
    rollout: ['referrals', 'declines', 'declined_after_referral'],
    referral_sources: [
      'referrals',
      ...REFERRAL_SOURCES.map((s) => `source_${s}`),
      ...REFERRAL_REASONS.map((r) => `reason_${r}`),
    ],
    cof_person: [...SCANNED_COF_PERSON_COUNTS, ...DISCHARGE_REASONS.map((d) => `discharge_${d}`)],
    cof_system: ['people', 'before_total', 'after_total'],
    cof_community: [
      'connections',
      'attendance_cohort',
      'recent_connections',
      'attended',
      ...ACTIVITY_CATEGORIES.map((a) => `activity_${a}`),
      ...ACTIVITY_CATEGORIES.map((a) => `attended_${a}`),
    ],
  },
  // Beside a `*` of people, uses summed over 1 to 7 referrals (docs/methodology.md, Service use by band).
  totals: { cof_system: ['before_total', 'after_total'] },
  groups: {
    referral_sources: [{ total: 'referrals', parts: REFERRAL_SOURCES.map((s) => `source_${s}`) }],
    cof_person: [{ total: 'discharged', parts: DISCHARGE_REASONS.map((d) => `discharge_${d}`) }],
    cof_community: [
      { total: 'connections', parts: ACTIVITY_CATEGORIES.map((a) => `activity_${a}`) },
      // The connections old enough for their attendance and the recent ones (review 19, R19-12).
      { total: 'connections', parts: ['attendance_cohort', 'recent_connections'] },
      { total: 'attended', parts: ACTIVITY_CATEGORIES.map((a) => `attended_${a}`) },
    ],
  },
  // Each connection is to one organisation; a PCN with referrals has 1 or more; a kind of source that referred, 1 or
  // more (a suppressed source may hide a 0: a zero region beside England's exact figure).
  describing: {
    rollout: [['pcns_reporting', ['referrals'], 'pcns']],
    referral_sources: [['source_types', ['referrals', ...REFERRAL_SOURCES.map((s) => `source_${s}`)]]],
    cof_community: [['providers', ['connections']]],
    workforce: [['pcns_with_link_worker', ['splw_headcount'], 'pcns_reporting']],
  },
  /** Figures other than counts (FTE) suppressed to protect people. */
  protected: {
    workforce: ['splw_fte', 'hwbc_fte', 'cc_fte'],
  },
  complements: {
    workforce: [{ total: 'splw_headcount', part: 'splw_headcount_training_known', notGiven: 'splw_accredited' }],
  },
  staff: {
    workforce: [
      [
        'splw_headcount',
        'splw_fte',
        ['splw_accredited', 'splw_headcount_training_known', 'splw_fte_per_10000', 'splw_accredited_pct'],
      ],
      ['hwbc_headcount', 'hwbc_fte', []],
      ['cc_headcount', 'cc_fte', []],
    ],
  },
  means: {
    // Per referral of the outcome cohort (8 or more): the mean and median link worker contacts, and other roles'.
    cof_person: [
      ['mean_contacts', 'outcome_cohort'],
      ['mean_other_contacts', 'outcome_cohort'],
      ['median_contacts', 'outcome_cohort'],
    ],
    wellbeing: [
      ['mean_baseline', 'people'],
      ['mean_follow_up', 'people'],
      ['mean_change', 'people'],
      ['mean_change_ci_low', 'people'],
      ['mean_change_ci_high', 'people'],
    ],
  },
  seriesCounts: ['referrals', 'people_referred'],
  // Each dimension's groups of an area and year add up to the same total (every person or referral is in one group of
  // each): equity's to rollout's people referred and cof_person's engagement counts, the contacts distribution's bins
  // to cof_person's outcome cohort (review 8, N1 and N2).
  partitions: {
    equity: [
      {
        dimension: 'dimension',
        group: 'group',
        columns: [
          'people_referred',
          'engagement_cohort',
          'engaged',
          'connected',
          'wellbeing_people',
          'wellbeing_improved',
        ],
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
    contacts_distribution: [
      {
        group: 'contacts',
        columns: ['episodes'],
        linkedTo: [{ document: 'cof_person', columns: { episodes: 'outcome_cohort' } }],
      },
    ],
  },
  // Which instrument, service, referral pathway or activity is used is a PCN's (its system's, its offer's), not a
  // person's (a discharge reason is the person's episode's, from the national term set every system sends): England's
  // figures of one need 3 or more PCNs shown using it (review 28, R28-5).
  pcnKeys: {
    wellbeing: ['instrument'],
    cof_system: ['service'],
    // Referral routes a PCN sets up with one organisation (not the sectors every PCN's population is referred by).
    referral_sources: ['source_housing', 'source_police'],
    cof_community: [
      ...ACTIVITY_CATEGORIES.map((a) => `activity_${a}`),
      ...ACTIVITY_CATEGORIES.map((a) => `attended_${a}`),
    ],
  },
  // equity's rows by the deprivation quintile of the PCN: England's are the sum of that quintile's PCNs.
  groupsOfPcns: { equity: (r) => r.dimension === 'pcn_imd_quintile' },
  // workforce's people referred in a year are rollout's; pcn_comparison's PCN figures of a year are rollout's and
  // cof_person's (docs/methodology.md, Comparing PCNs).
  shared: [
    {
      document: 'workforce',
      source: 'rollout',
      columns: { people_referred: 'people_referred' },
      key: ['level', 'code', 'period_type', 'period'],
    },
    {
      document: 'pcn_comparison',
      source: 'rollout',
      columns: { referrals: 'referrals' },
      key: ['level', 'code', 'period_type', 'period'],
    },
    {
      document: 'pcn_comparison',
      source: 'cof_person',
      columns: {
        engagement_cohort: 'engagement_cohort',
        engaged: 'engaged',
        connected: 'connected',
        wellbeing_measured: 'wellbeing_measured',
        wellbeing_improved: 'wellbeing_improved',
      },
      key: ['level', 'code', 'period_type', 'period'],
    },
  ],
  // The same count published by documents that each control it (the catalogue's JOINT_COUNTS, found by
  // test/bench/shared-cells.ts): accepted referrals (each episode once, from the same episodes table), and cof_person's
  // cohorts for the periods whose every referral is old enough for them (review 16, R16-4).
  jointly: [
    {
      name: 'referrals',
      key: ['level', 'code', 'period_type', 'period'],
      cells: [
        { document: 'rollout', column: 'referrals' },
        { document: 'referral_sources', column: 'referrals' },
        { document: 'cof_person', column: 'episodes' },
        { document: 'cof_person', column: 'engagement_cohort', cohort: 'engagement' },
        { document: 'cof_person', column: 'outcome_cohort', cohort: 'outcomes' },
      ],
    },
  ],
  rates: {
    rollout: [
      ['referrals_per_1000', 'referrals', 'list_size', 1000],
      ['pct_list_referred', 'people_referred', 'list_size', 100],
      ['declined_after_referral_pct', 'declined_after_referral', 'referrals', 100],
    ],
    cof_person: [
      ['engaged_pct', 'engaged', 'engagement_cohort', 100],
      ['connected_pct', 'connected', 'engagement_cohort', 100],
      ['plans_agreed_pct', 'plans_agreed', 'engagement_cohort', 100],
      ['mean_contacts', 'splw_contacts', 'outcome_cohort', 1],
      ['share_6_to_12_pct', 'episodes_6_to_12_contacts', 'outcome_cohort', 100],
      ['wellbeing_measured_pct', 'wellbeing_measured', 'outcome_cohort', 100],
      ['wellbeing_improved_pct', 'wellbeing_improved', 'wellbeing_measured', 100],
    ],
    wellbeing: [['improved_pct', 'improved', 'people', 100]],
    cof_community: [['attendance_pct', 'attended', 'attendance_cohort', 100]],
    equity: [
      ['engaged_pct', 'engaged', 'engagement_cohort', 100],
      ['people_referred_per_1000', 'people_referred', 'list_size', 1000],
    ],
    referral_sources: [['self_referral_pct', 'source_self', 'referrals', 100]],
    workforce: [
      // Over the lists of the PCNs that sent a snapshot (review 6, K7).
      ['splw_fte_per_10000', 'splw_fte', 'list_size_reporting', 10000],
      ['caseload', 'people_referred', 'splw_fte', 1],
    ],
    pcn_comparison: [
      // The funnel's denominator for referrals is the exposure: the list pro rata to the months open.
      ['referral_rate', 'referrals', 'exposure', 1000],
      ['take_up_pct', 'engaged', 'engagement_cohort', 100],
      ['wellbeing_improved_pct', 'wellbeing_improved', 'wellbeing_measured', 100],
    ],
  },
};
