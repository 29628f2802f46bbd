import { type Figure, SUPPRESSED } from '../contract/index.ts';
import { financialYearOf } from '../contract/periods.ts';
import type { WithheldBelowEngland } from '../contract/summaries.ts';
import type { Row } from '../lib/query-engine.ts';
import {
  ANY_COUNT,
  type AreaHierarchy,
  type AuditCell,
  type AuditKeys,
  type AuditSpec,
  type AuditSystem,
  auditComponent,
  auditKeys,
  buildAuditSystem,
  cellOf,
  type Disclosure,
  equationAlone,
  equationDisclosures,
  type Interval,
  keyPart,
  type LoadedValues,
  loadAllValues,
  looselySecondary,
  narrowedEquations,
  nationalEquationsOf,
  nearestFinder,
  nearestVariable,
  type Partition,
  PRIMARY_SUPPRESSED,
  PROTECTION_LEVEL,
  piecesWithoutEnglandAs,
  pinnedWhateverHidden,
  publishedValue,
  readerDisclosures,
  readerDisclosuresWithoutEngland,
  revealsWhenSuppressed,
  sealsEquation,
  TupleNumbers,
  variablesOf,
  zerosToOpen,
} from './disclosure-audit.ts';

/**
 * Disclosure control (NHS Digital method), applied to every figure below England level:
 * - a count of people or events about people from 1 to 7 is suppressed ("*"), any other rounded to the nearest 5;
 *   zero stays zero;
 * - a mean is published only where 8 or more people contribute and their count is published (not suppressed,
 *   primarily or secondarily: a mean is a sum over a count, and scores are whole numbers, so a precise mean can say
 *   which count it was made from); it is published to 1 decimal, a difference of two means (the mean change) is the
 *   difference of the two published means, and the interval of a mean is not published: with 1 decimal every group
 *   size of 10 or more fits each mean (the sums that round to it span 0.1 x n >= 1, so hold a whole number), and
 *   the published count (a multiple of 5) leaves at least 3 such sizes;
 * - secondary suppression: where the parts of a total (within a row, sibling rows such as the PCNs of an ICB, or
 *   the months of a financial year beside the year's row) have exactly one suppressed cell, the next smallest part
 *   is suppressed too (or, with no other part left, the total), so the total minus the visible parts cannot reveal
 *   it; a PCN that moved ICB within a year is a part of each ICB it was in;
 * - staff: a headcount is a count of people (suppressed from 1 to 7, rounded to 5); an FTE is a sum over the people
 *   in post, so like a mean it is published only where 8 or more contribute: a headcount of 8 or more, or without a
 *   headcount an FTE of 8 or more (one person is at most 1 FTE). A published FTE is rounded to the nearest 5 like a
 *   count (a positive FTE under 2.5, which would show as 0, is suppressed instead). A year's FTE is the mean of its
 *   months to date, so to 2 decimals n x one refresh's year-to-date minus (n - 1) x the previous one's (documents
 *   people keep) would give the latest month's FTE, of a few people too. Rounded to 5 that difference is uncertain by
 *   (2n - 1) x 2.5 FTE either way, at least 7.5: more than the FTE of the 7 people a suppressed cell may hold. And a
 *   rounded FTE says no more about its headcount than the rounded headcount does (FTE <= headcount, and rounding
 *   keeps the order), where a whole-number FTE would: 12 full-time people show a headcount of 10 (8 to 12) and an FTE
 *   of 12 (at least 12 people), so exactly 12. Wherever a headcount is suppressed (primary or secondary) its FTE and the figures describing those people (training) are too, and both take part in secondary
 *   suppression; a suppressed FTE total never stands over parts all published (within their rounding it would be
 *   their sum): its smallest part goes with it. A year's headcount x its months is person-months, adding up over
 *   areas and over its months: a year of two or more months is audited as such after the audit below
 *   (protectStaffYears);
 * - the audit (disclosure-audit.ts): after the rules above, no count below England may be recovered exactly by bounds
 *   propagated over areas within areas, a row's parts and (`monthly` counts) the months of a year from England's exact
 *   figure (a small England count pins the `*` below it; months 10, 10, 10, 10 in a year of 30 are 8 each); the
 *   nearest published count is suppressed until none is, and where none is left a component's zeros, or (a document
 *   without months) the year's rows below England for that key are withheld (named in the document's summary:
 *   withheldBelowEngland; their figures are made `*` first and secondary suppression run again, so that no withheld
 *   figure is a lone unseen part of a published total, such as its year's, nor an area's month with no row beside its
 *   year: withholdRows). Not by giving an ICB's PCNs in force with no figure a row of `*` to unseal its `*` over
 *   exactly seven `*` (review 7, M12, undone in review 9, R9-1): such a row is told from a real one (rollout's list
 *   size, data_quality), so a reader reads it as 0 and the seven as 1 each, as the audit reads a row of no data. But
 *   a sealed `*` (over exactly seven `*`) that the rest of its component shows to be above 7 withholds nothing where
 *   its reading (7 over seven 1s) is wrong (brokenSeal: review 10, the South West's April took every row of April, of
 *   August and of the year below England out of referral_sources);
 * - figures describing the people of a count without adding up as it does (distinct organisations, PCNs reporting,
 *   kinds of source: `describing`), after the audit: controlled as counts, and suppressed wherever the count is;
 * - rates are derived afterwards from the published (rounded) figures, and suppressed with their numerator: FTE per
 *   10,000 and caseload from the rounded FTE.
 * England-level figures are published as they are. docs/methodology.md, "Disclosure control".
 */
export const MIN_COUNT = 8;

export const DISCLOSURE_NOTE =
  'Below England level, counts from 1 to 7 are shown as * and other counts are rounded to the nearest 5; means need ' +
  'at least 8 people and their count published, and are shown to 1 decimal without an interval; where one part of a total (areas of a larger area, months of a year) is suppressed the next ' +
  'smallest is too; staff headcounts are counts of people, and an FTE or training figure is shown only for 8 or more ' +
  'people in a role (with the headcount), an FTE rounded to the nearest 5. Where a figure could still be worked out ' +
  "exactly from those beside it and the exact England figure, more are suppressed, or a year's figures below England " +
  'for that group are left out. Rates are calculated from the rounded ' +
  'figures. England figures are not rounded, except England by the deprivation quintile of PCNs (a group of PCNs, ' +
  'controlled as counts below England); a count published in two documents shows the same everywhere. Method: ' +
  'docs/methodology.md.';

/** Below England a published FTE is rounded to the nearest FTE_ROUNDING, as counts are rounded to the nearest 5. */
export const FTE_ROUNDING = 5;

/**
 * An FTE of 8 or more people, below England: rounded to the nearest 5; zero stays zero; a positive FTE that would round
 * to 0 (under 2.5) is suppressed rather than shown as none.
 */
export function controlFte(fte: number): Figure {
  if (fte === 0) return 0;
  const rounded = Math.round(fte / FTE_ROUNDING) * FTE_ROUNDING;
  return rounded === 0 ? SUPPRESSED : rounded;
}

export function controlCount(n: number): Figure {
  if (n === 0) return 0;
  if (n > 0 && n < MIN_COUNT) return SUPPRESSED;
  return Math.round(n / 5) * 5;
}

export interface DisclosureRules {
  /** Counts of people (or of their events): suppressed and rounded below England. */
  readonly counts: readonly string[];
  /**
   * Means published below England only where `contributors` (a raw count) is 8 or more and the count is not
   * suppressed (primary or secondary), rounded to MEAN_DECIMALS.
   */
  readonly means?: readonly MeanRule[];
  /** Columns whose values add up to `total` within a row. */
  readonly groups?: readonly { readonly total: string; readonly parts: readonly string[] }[];
  /** Ways rows are parts of one whole: rows given the same family key are siblings for secondary suppression. */
  readonly siblings?: readonly ((row: Row) => string | undefined)[];
  /**
   * Areas within areas: a row is a part of the families `partOf` names (its parent area in its period, with its keys;
   * a PCN that moved ICB within a year is a part of each ICB it was in), and the total of the family `totalOf` names
   * (its own area). Where one part of such a family is suppressed and no other part is left to suppress, the total
   * is suppressed (below England; beside England, published exactly, a zero part is).
   */
  readonly areas?: {
    readonly partOf: (row: Row) => readonly string[];
    readonly totalOf: (row: Row) => string;
    /** The same keys by their structure (disclosure-audit.ts areasWithin): numbered without their texts (auditKeys). */
    readonly hierarchy?: AreaHierarchy;
  };
  /**
   * Columns identifying a row within an area and period (the document's keys): with them, the months of a financial
   * year are parts of the year's row, and secondary suppression works across periods too.
   */
  readonly periodKeys?: readonly string[];
  /**
   * The counts whose financial year is the sum of its months (events, referrals, connections; not distinct people):
   * the audit reads a year's row as its months' rows (with `periodKeys`).
   */
  readonly monthly?: readonly string[];
  /**
   * Staff in a role, below England: `headcount` is a count of people; `fte` (a sum over them) is published only where
   * 8 or more people contribute (a headcount of 8 or more, or with no headcount an FTE of 8 or more); `fte` and
   * `columns` (figures describing the same people) are suppressed wherever the headcount is, or the FTE is.
   */
  readonly staff?: readonly StaffRule[];
  /**
   * The column counting a row's months of staff snapshots (workforce's `months`), where a year's staff figures are the
   * mean of its months: a year of one month is that month's figures again, whole people adding up over areas as a
   * month's do, so its headcounts are audited as the month's are (auditedColumns; wfdisc28's note); a year of more
   * months as person-months, figure x months (protectStaffYears; review 32, R32-1).
   */
  readonly staffMonths?: string;
  /**
   * Figures about the same people (or events) as counts that do not add up as counts do (distinct organisations,
   * PCNs or kinds of source among them): each is at most the first of `counts` and 0 exactly when it is. Below England,
   * after every rule above, `columns` are controlled as counts (rounding keeps their order, so a published figure
   * never says more of its count than the count does) and suppressed wherever one of `counts` is in the row (primary,
   * secondary or by the audit: their 0 or not, or their lower bound, would tell what it hides). They take no part in
   * secondary suppression or the audit of their own.
   */
  readonly describing?: readonly DescribingRule[];
  /**
   * Rows of an area and period that are groups of dimensions of the same people, each dimension's groups adding up to
   * the same total (equity's dimensions, the contacts distribution's bins; disclosure-audit.ts, Partition; review 8, N1
   * and N2): protected by partitions.ts (controlPartitioned), not by this module's audit.
   */
  readonly partitions?: readonly Partition[];
}

/** Columns describing the people of `counts` in a row (DisclosureRules.describing). */
export interface DescribingRule {
  readonly counts: readonly string[];
  readonly columns: readonly string[];
  /**
   * A column of the row published exactly and public (PCNs in force, from the reference data) that these figures can
   * never exceed: a rounded figure above it shows the largest multiple of 5 within it (or `*` below 10), so no page
   * shows 35 PCNs reporting of 33, and none shows the bound itself (33 of 33 would be exact): capAtBound. Several
   * columns: the smallest of those the row has a number in (rollout's PCNs with referrals are at most the PCNs that
   * sent the month, pcns_sent, published by month only, and at most the PCNs in force: red-team review 18, R18-1).
   */
  readonly atMost?: string | readonly string[];
}

/** A mean, as disclosure control treats it below England. */
export interface MeanRule {
  readonly column: string;
  /** The count of people the mean is over (a count column of the rules). */
  readonly contributors: string;
  /**
   * Below England, the difference of two published means (the first minus the second, with the sign of the exact
   * figures: a lower-is-better instrument's change is the second minus the first), not a third rounded mean: three
   * independently rounded means that must add up pin down the group size more often than two.
   */
  readonly difference?: readonly [string, string];
  /** An interval (or a bound of one) of a mean: published for England only (null below). */
  readonly englandOnly?: boolean;
}

export interface StaffRule {
  readonly headcount: string;
  readonly fte: string;
  readonly columns?: readonly string[];
  /**
   * Columns of `columns` that are the headcount itself on a row where their exact figures are equal (workforce's link
   * workers in post of the PCNs that gave training, on a row each of whose PCNs giving link workers in post gave
   * training): there the headcount goes wherever such a column does, as the column goes with the headcount, so that a
   * `*` never stands beside its own figure published (red-team review 29, R29-5: a training-known `*` beside the
   * same PCN's headcount of 10 read as 8 to 12).
   */
  readonly same?: readonly string[];
}

const isNational = (row: Row) => row.level === 'national';

/** How secondary suppression treats a family of cells. */
interface Secondary {
  /** The parts add up to an exactly published total (the regions of England): a zero part may be suppressed. */
  readonly allowZero?: boolean;
  /**
   * FTE: a suppressed total over published parts would be, within their rounding, their sum (a year's FTE the mean
   * of its months), so one of them is suppressed too.
   */
  readonly exact?: boolean;
}

/** What scanCells found: how many cells are suppressed, the first smallest non-zero one and the first zero (-1: none). */
const scanned = { suppressed: 0, smallest: -1, zero: -1 };

/** Counts the suppressed cells and finds the smallest non-zero one and the first zero (suppressNextSmallest's cells). */
function scanCells(
  rows: readonly Row[] | undefined,
  row: Row,
  column: string | undefined,
  many: readonly string[],
  n: number,
): void {
  let suppressed = 0;
  let smallest = -1;
  let smallestValue = Number.POSITIVE_INFINITY;
  let zero = -1;
  for (let i = 0; i < n; i++) {
    const value = (rows === undefined ? row : (rows[i] as Row))[column ?? (many[i] as string)];
    if (value === SUPPRESSED) suppressed++;
    else if (typeof value === 'number') {
      // Ties: the first of the smallest (a stable sort's first).
      if (value > 0 && value < smallestValue) {
        smallest = i;
        smallestValue = value;
      } else if (value === 0 && zero === -1) zero = i;
    }
  }
  scanned.suppressed = suppressed;
  scanned.smallest = smallest;
  scanned.zero = zero;
}

/**
 * While exactly one of these cells is suppressed, suppress the smallest other non-zero one (ties: the first).
 * When none is left to suppress, suppress the total instead, if there is one, or else (allowZero: the parts of an
 * exactly published total) a zero part. For FTE (exact), a suppressed total with no suppressed part
 * takes its smallest non-zero part with it. Returns whether anything changed.
 *
 * The cells are a family's rows in one column (`family` an array of rows, `columns` one column) or one row's columns
 * (`family` a row, `columns` its columns), and the total is `total[totalColumn]`. Each cell suppressed is added to
 * `targets` (its position among the cells; -1: the total), in order, for the caller to follow up (the staff figures
 * that go with a headcount, the checks to run again). Loops and indices, no objects made: this runs for every
 * family, column and round of a national document.
 */
function suppressNextSmallest(
  family: readonly Row[] | Row,
  columns: string | readonly string[],
  total: Row | undefined,
  totalColumn: string,
  how: Secondary,
  targets: number[],
  sealing?: Sealing,
): boolean {
  // No closures either: under tsx each closure made is also named.
  const rows = Array.isArray(family) ? (family as readonly Row[]) : undefined;
  const row = family as Row;
  const column = typeof columns === 'string' ? columns : undefined;
  const many = columns as readonly string[];
  const n = rows !== undefined ? rows.length : many.length;
  let changed = false;
  for (;;) {
    scanCells(rows, row, column, many, n);
    const { suppressed, smallest, zero } = scanned;
    const totalSuppressed = total !== undefined && total[totalColumn] === SUPPRESSED;
    if (!((suppressed === 1 && !totalSuppressed) || (how.exact === true && suppressed === 0 && totalSuppressed)))
      return changed;
    // Regions add up to England, published exactly: with no other non-zero region, a zero is suppressed, or England
    // minus the zeros would be the suppressed one. (A rounded total over a suppressed part is itself suppressed.)
    let index = smallest !== -1 ? smallest : how.allowZero && zero !== -1 ? zero : -1;
    // Not a part that would seal a family of its row (Sealing) where another part will do, or else the total.
    if (smallest !== -1 && sealing !== undefined) {
      index = unsealedSmallest(rows, row, column, many, n, sealing);
      if (index === -1)
        index =
          total !== undefined && !totalSuppressed && !sealing.secondary.seals(sealing.total, totalColumn, -1)
            ? -1
            : smallest;
    }
    if (index !== -1) (rows === undefined ? row : (rows[index] as Row))[column ?? (many[index] as string)] = SUPPRESSED;
    else if (total !== undefined && !totalSuppressed) total[totalColumn] = SUPPRESSED;
    else return changed;
    targets.push(index);
    changed = true;
  }
}

/**
 * Secondary suppression across rows avoids sealing a family: a `*` total over parts all `*` or 0, exactly 7 of them
 * `*` (PRIMARY_SUPPRESSED's upper bound). A reader taking each `*` of that one equation as 1 to 7 (equationDisclosures)
 * has the total at 7 and every `*` part at 1, whatever else is published, and nothing in it is left to suppress: no
 * count to make `*`, and a zero made `*` only moves the pin. In a demo refresh, region Y58 (the South West, 7 ICBs,
 * each `*`) was the first of three regions tied at 10 to be made `*` beside a region's `*` (discharges for death: 12,
 * read as 7, and its ICBs as 1 each, three of them truly 1); the next of the tie, with 6 ICBs, seals nothing.
 */
interface Sealing {
  readonly secondary: SecondarySuppression;
  /**
   * The family being checked (-1: a row's columns), whose seal is its own rule's business; the rows' indices of its
   * parts (undefined: all in row `total`); the index of its total's row.
   */
  readonly family: number;
  readonly indices: readonly number[] | undefined;
  readonly total: number;
}

/**
 * The smallest non-zero published cell (ties: the first) whose suppression seals no family (Sealing), or -1 where
 * every one would; the cells as suppressNextSmallest reads them.
 */
function unsealedSmallest(
  rows: readonly Row[] | undefined,
  row: Row,
  column: string | undefined,
  many: readonly string[],
  n: number,
  sealing: Sealing,
): number {
  const { family, indices, secondary, total } = sealing;
  let best = -1;
  let bestValue = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const value = (rows === undefined ? row : (rows[i] as Row))[column ?? (many[i] as string)];
    if (typeof value !== 'number' || value <= 0) continue;
    if (value >= bestValue) continue;
    if (secondary.seals(indices === undefined ? total : (indices[i] as number), column ?? (many[i] as string), family))
      continue;
    best = i;
    bestValue = value;
  }
  return best;
}

/** Below England a published mean has 1 decimal: every group size of 10 or more then fits it (module comment). */
export const MEAN_DECIMALS = 1;
const roundMean = (value: number) => Math.round(value * 10 ** MEAN_DECIMALS) / 10 ** MEAN_DECIMALS;

/**
 * Means with fewer than 8 contributors are not published; the others are rounded to 1 decimal, a difference is
 * the difference of the published means, and an interval is not published (null).
 */
function suppressThinMeans(row: Row, controlled: Row, means: NonNullable<DisclosureRules['means']>): void {
  for (const mean of means) {
    const value = row[mean.column];
    if (value === null || value === undefined) continue;
    if (mean.englandOnly) controlled[mean.column] = null;
    else if (Number(row[mean.contributors] ?? 0) < MIN_COUNT) controlled[mean.column] = SUPPRESSED;
    else if (typeof value === 'number') controlled[mean.column] = roundMean(value);
  }
  for (const mean of means) {
    // No array made per row and mean (issue 17: destructured pairs were a measurable part of the garbage).
    if (mean.difference === undefined) continue;
    const first = mean.difference[0];
    const second = mean.difference[1];
    const exact = row[mean.column];
    const a = controlled[first];
    const b = controlled[second];
    if (typeof exact !== 'number' || typeof a !== 'number' || typeof b !== 'number') continue;
    if (controlled[mean.column] === SUPPRESSED) continue;
    const exactDifference = Number(row[first]) - Number(row[second]);
    const sign = Math.abs(exact - exactDifference) <= Math.abs(exact + exactDifference) ? 1 : -1;
    controlled[mean.column] = roundMean(sign * (a - b));
  }
}

/** A mean goes wherever its count of people does (primary or secondary suppression). */
function suppressMeansOfSuppressed(rows: readonly Row[], means: NonNullable<DisclosureRules['means']>): void {
  for (const row of rows) {
    if (isNational(row)) continue;
    for (const mean of means)
      if (row[mean.contributors] === SUPPRESSED && row[mean.column] !== null && row[mean.column] !== undefined)
        row[mean.column] = SUPPRESSED;
  }
}

/**
 * A rounded figure over its public bound (35 PCNs reporting of 33): the largest multiple of 5 within the bound, or `*`
 * where that is under 10. Capping at the bound itself would give the figure away: a reader who sees the bound knows it
 * was capped, so the figure rounded above it, to the next multiple of 5 at least, and so was at least that less 2 (33
 * of 33: rounded to 35 or more, so 33 or more, so exactly 33; 8 of 9 shown as 9 of 9). A multiple of 5 within the bound
 * is what some figure within the bound rounds to, so the reader learns only that the figure is from it less 2 up to
 * the bound (30 of 33: 28 to 33); under 10 it could not be a rounded count, so it is suppressed.
 */
export function capAtBound(rounded: number, bound: number): Figure {
  if (rounded <= bound) return rounded;
  const within = Math.floor(bound / 5) * 5;
  return within >= 10 ? within : SUPPRESSED;
}

/** Figures describing the people of counts: controlled as counts, and suppressed wherever one of the counts is. */
function controlDescribing(rows: readonly Row[], describing: readonly DescribingRule[]): void {
  // Each rule's bounds listed once, not per row and column (issue 17: two arrays made per cell).
  const atMost = describing.map((rule) => [rule.atMost ?? []].flat());
  for (const row of rows) {
    if (isNational(row)) continue;
    for (let d = 0; d < describing.length; d++) {
      const rule = describing[d] as DescribingRule;
      const suppressed = rule.counts.some((count) => row[count] === SUPPRESSED);
      for (const column of rule.columns) {
        const value = row[column];
        if (typeof value !== 'number') continue;
        const controlled = suppressed ? SUPPRESSED : controlCount(value);
        row[column] =
          typeof controlled === 'number' ? capAtSmallest(controlled, row, atMost[d] as string[]) : controlled;
      }
    }
  }
}

/** capAtBound at the smallest of `bounds`' numbers in the row (as Math.min: NaN if one is); none: as it is. */
function capAtSmallest(rounded: number, row: Row, bounds: readonly string[]): Figure {
  let smallest = Number.POSITIVE_INFINITY;
  let any = false;
  for (let b = 0; b < bounds.length; b++) {
    const bound = row[bounds[b] as string];
    if (typeof bound !== 'number') continue;
    smallest = any ? Math.min(smallest, bound) : bound;
    any = true;
  }
  return any ? capAtBound(rounded, smallest) : rounded;
}

/** Primary suppression: counts from 1 to 7 are suppressed, others rounded to the nearest 5. */
function controlCounts(row: Row, controlled: Row, counts: DisclosureRules['counts']): void {
  for (const column of counts) {
    const value = row[column];
    if (typeof value === 'number') controlled[column] = controlCount(value);
  }
}

/**
 * Staff: the headcount is a count of people. The FTE is a sum over the people in post: like a mean, it needs 8 or
 * more of them (a headcount of 8 or more; with no headcount, or a headcount of 0 beside an FTE, an FTE of 8 or more,
 * one person being at most 1 FTE), and is then rounded to the nearest 5 (controlFte). Where either the headcount is
 * suppressed or the FTE has fewer than 8 people, so are the FTE and the figures describing the people.
 */
function controlStaff(row: Row, controlled: Row, staff: readonly StaffRule[]): void {
  for (const role of staff) {
    const headcount = row[role.headcount];
    if (typeof headcount === 'number') controlled[role.headcount] = controlCount(headcount);
    const fte = row[role.fte];
    const people = Math.max(typeof headcount === 'number' ? headcount : 0, typeof fte === 'number' ? fte : 0);
    const fewPeople = typeof fte === 'number' && fte > 0 && people < MIN_COUNT;
    if (typeof fte === 'number') controlled[role.fte] = fewPeople ? SUPPRESSED : controlFte(fte);
    if (fewPeople || controlled[role.headcount] === SUPPRESSED) suppressWithHeadcount(controlled, role);
  }
}

/** The FTE and the figures describing the people of a role go wherever their headcount does. */
function suppressWithHeadcount(row: Row, role: StaffRule): boolean {
  let changed = false;
  for (const column of [role.fte, ...(role.columns ?? [])])
    if (row[column] !== null && row[column] !== undefined && row[column] !== SUPPRESSED) {
      row[column] = SUPPRESSED;
      changed = true;
    }
  return changed;
}

/** The rules that apply to one row alone; England rows are copied unchanged. */
function controlRow(row: Row, rules: DisclosureRules): Row {
  if (isNational(row)) return { ...row };
  const controlled: Row = { ...row };
  suppressThinMeans(row, controlled, rules.means ?? []);
  controlCounts(row, controlled, rules.counts);
  controlStaff(row, controlled, rules.staff ?? []);
  return controlled;
}

/** Rows below England grouped by a family key (their indices): only families of two or more rows. */
function siblingFamilies(rows: readonly Row[], familyOf: (row: Row) => string | undefined): IndexFamily[] {
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Row;
    const key = isNational(row) ? undefined : familyOf(row);
    if (key === undefined) continue;
    const siblings = byKey.get(key);
    if (siblings) siblings.push(i);
    else byKey.set(key, [i]);
  }
  return [...byKey.values()].filter((siblings) => siblings.length > 1).map((parts) => ({ parts, total: -1 }));
}

/**
 * A family of rows by their indices: its parts, and its total's (-1: none). `months`: the months of a year, never
 * treated as England's regions (allowZero), whatever their level.
 */
type IndexFamily = { parts: number[]; total: number; months?: boolean };

/**
 * Areas within areas: each parent area's parts (a moved PCN in each ICB it was in) and its own row, from each row's
 * family keys (AuditKeys: worked out once, for these families and for the audit).
 */
function areaFamilies(rows: readonly Row[], keys: AuditKeys | undefined): IndexFamily[] {
  if (keys === undefined) return [];
  const families: IndexFamily[] = [];
  // Each key's family by its number (-1: not met yet): AuditKeys.
  const familyOf = new Int32Array(keys.texts.length).fill(-1);
  for (let i = 0; i < rows.length; i++) {
    if (isNational(rows[i] as Row)) continue;
    const parts = keys.partOf[i] as readonly number[];
    for (let k = 0; k < parts.length; k++) {
      const key = parts[k] as number;
      const family = familyOf[key] as number;
      if (family >= 0) (families[family] as IndexFamily).parts.push(i);
      else {
        familyOf[key] = families.length;
        families.push({ parts: [i], total: -1 });
      }
    }
  }
  for (let i = 0; i < rows.length; i++) {
    const family = isNational(rows[i] as Row) ? -1 : (familyOf[keys.totalOf[i] as number] as number);
    if (family >= 0) (families[family] as IndexFamily).total = i;
  }
  return families;
}

/** The months of a financial year beside the year's row, per area and document keys. */
function periodFamilies(rows: readonly Row[], periodKeys: DisclosureRules['periodKeys']): IndexFamily[] {
  if (periodKeys === undefined) return [];
  // By [level, code, year, ...keys], numbered by their parts (TupleNumbers: as their texts joined by `|`, without a
  // text per row; issue 17); each period's year worked out once.
  const yearOf = new Map<string, string>();
  const families = new TupleNumbers(3 + periodKeys.length);
  const { parts } = families;
  const familyOf = (row: Row) => {
    const period = String(row.period);
    let year = yearOf.get(period);
    if (year === undefined) {
      year = financialYearOf(period);
      yearOf.set(period, year);
    }
    parts[0] = keyPart(row.level);
    parts[1] = keyPart(row.code);
    parts[2] = year;
    for (let k = 0; k < periodKeys.length; k++) parts[k + 3] = keyPart(row[periodKeys[k] as string]);
    return families.number();
  };
  // One pass, each row's family found once: the months of a year without its row are dropped at the end (the order of
  // the others, that of their first month, is the same).
  const years = new Int32Array(rows.length).fill(-1);
  const months: (number[] | undefined)[] = [];
  const monthsMet: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Row;
    if (isNational(row)) continue;
    if (row.period_type === 'fy') years[familyOf(row)] = i;
    else if (row.period_type === 'month') {
      const family = familyOf(row);
      const monthRows = months[family];
      if (monthRows) monthRows.push(i);
      else {
        months[family] = [i];
        monthsMet.push(family);
      }
    }
  }
  const found: IndexFamily[] = [];
  for (const family of monthsMet) {
    const total = years[family] as number;
    if (total >= 0) found.push({ total, parts: months[family] as number[], months: true });
  }
  return found;
}

function allRegions(rows: readonly Row[]): boolean {
  for (const row of rows) if (row.level !== 'region') return false;
  return true;
}

/** Scratch for the cells suppressNextSmallest suppresses in one call. */
const suppressedTargets: number[] = [];

/**
 * Secondary suppression, rule by rule and round by round until nothing changes: within rows (the columns that add up
 * to a total), across sibling rows (no total among them), across areas (the parts of a parent area, with the parent's
 * row as their total) and across periods (the months of a financial year, with the year's row as their total).
 *
 * A check (a family and column, or a row and its group) that has run leaves its cells as it wants them: run again it
 * would change nothing until one of its cells changes. So every check is marked done after it runs and marked again
 * when a cell it reads is suppressed (`suppressed`), and a round runs only the marked ones, in the same order as every
 * check: the same cells are suppressed, in the same order, as by running them all in every round (issue 17: a
 * national document takes up to 16 rounds). Rows are known by their index in `rows`.
 */
class SecondarySuppression {
  private readonly columnIndex = new Map<string, number>();
  private readonly families: {
    readonly parts: readonly Row[];
    readonly indices: readonly number[];
    readonly total: number;
    readonly regions: boolean;
  }[] = [];
  /** The families of row r: familiesList[familiesStart[r]] to [familiesStart[r + 1] - 1]. */
  private readonly familiesStart: Int32Array;
  private readonly familiesList: Int32Array;
  /** Per family and column: 1 while the check must run. */
  private readonly familyMarks: Uint8Array;
  /** Per row and group: 1 while the check must run. */
  private readonly groupMarks: Uint8Array;
  /** How each column's families are treated: [parts not all regions, parts all regions]. */
  private readonly hows: (readonly [Secondary, Secondary])[];
  /** The cells suppressed since the audit last looked: row index and column. */
  readonly touchedRows: number[] = [];
  readonly touchedColumns: string[] = [];

  constructor(
    private readonly rows: readonly Row[],
    private readonly columns: readonly string[],
    private readonly groups: NonNullable<DisclosureRules['groups']>,
    families: readonly IndexFamily[],
    how: (column: string, regions: boolean) => Secondary,
    private readonly withHeadcount: ReadonlyMap<string, StaffRule>,
    /** Per column, its headcount and the rows where the two are equal (StaffRule.same). */
    private readonly sameAs: ReadonlyMap<string, SameRows> = new Map(),
  ) {
    columns.forEach((column, c) => {
      this.columnIndex.set(column, c);
    });
    const counts = new Int32Array(rows.length + 1);
    for (const { parts, total, months } of families) {
      const rowsOf = parts.map((i) => rows[i] as Row);
      this.families.push({ parts: rowsOf, indices: parts, total, regions: months !== true && allRegions(rowsOf) });
      for (const i of parts) counts[i + 1] = (counts[i + 1] as number) + 1;
      if (total >= 0) counts[total + 1] = (counts[total + 1] as number) + 1;
    }
    for (let r = 0; r < rows.length; r++) counts[r + 1] = (counts[r + 1] as number) + (counts[r] as number);
    this.familiesStart = counts;
    this.familiesList = new Int32Array(counts[rows.length] as number);
    const fill = counts.slice(0, rows.length);
    const note = (r: number, f: number) => {
      const at = fill[r] as number;
      this.familiesList[at] = f;
      fill[r] = at + 1;
    };
    families.forEach(({ parts, total }, f) => {
      for (const i of parts) note(i, f);
      if (total >= 0) note(total, f);
    });
    this.familyMarks = new Uint8Array(this.families.length * columns.length).fill(1);
    this.groupMarks = new Uint8Array(groups.length === 0 ? 0 : rows.length * groups.length).fill(1);
    this.hows = columns.map((column) => [how(column, false), how(column, true)] as const);
  }

  /**
   * Cell (row r, column) was just suppressed: the checks that read it must run again, and the audit must look again;
   * with `staff`, a headcount takes its FTE and the figures describing the people with it.
   */
  suppressed(r: number, column: string, staff: boolean): void {
    const c = this.columnIndex.get(column);
    if (c !== undefined)
      for (let j = this.familiesStart[r] as number; j < (this.familiesStart[r + 1] as number); j++)
        this.familyMarks[(this.familiesList[j] as number) * this.columns.length + c] = 1;
    const groups = this.groups.length;
    if (groups > 0) this.groupMarks.fill(1, r * groups, (r + 1) * groups);
    this.touchedRows.push(r);
    this.touchedColumns.push(column);
    // A column equal to its headcount on this row takes the headcount with it (and so the role's figures).
    const same = this.sameAs.get(column);
    if (same?.rows.has(r)) {
      const row = this.rows[r] as Row;
      if (typeof row[same.headcount] === 'number') {
        row[same.headcount] = SUPPRESSED;
        this.suppressed(r, same.headcount, true);
      }
    }
    const role = staff ? this.withHeadcount.get(column) : undefined;
    if (role === undefined) return;
    const row = this.rows[r] as Row;
    for (const other of [role.fte, ...(role.columns ?? [])])
      if (row[other] !== null && row[other] !== undefined && row[other] !== SUPPRESSED) {
        row[other] = SUPPRESSED;
        this.suppressed(r, other, false);
      }
  }

  /**
   * Whether suppressing cell (row r, column) would seal a family of row r other than `except` (Sealing): its total `*`
   * (or row r itself), every part `*` or 0 (row r as `*`), and exactly 7 parts `*`.
   */
  seals(r: number, column: string, except: number): boolean {
    const { rows, families, familiesStart, familiesList } = this;
    for (let j = familiesStart[r] as number; j < (familiesStart[r + 1] as number); j++) {
      const f = familiesList[j] as number;
      if (f === except) continue;
      const { indices, total } = families[f] as (typeof families)[number];
      if (total < 0 || (total !== r && (rows[total] as Row)[column] !== SUPPRESSED)) continue;
      let stars = 0;
      let open = false;
      for (let k = 0; k < indices.length && !open; k++) {
        const i = indices[k] as number;
        const value = i === r ? SUPPRESSED : (rows[i] as Row)[column];
        if (value === SUPPRESSED) stars++;
        else if (typeof value === 'number' && value > 0) open = true;
      }
      if (!open && stars === PRIMARY_SUPPRESSED[1]) return true;
    }
    return false;
  }

  /** Runs the rules until nothing changes. */
  run(): void {
    for (let changed = true; changed; ) {
      const withinRows = this.runWithinRows();
      changed = this.runFamilies() || withinRows;
    }
  }

  /** One round of the checks within rows that are marked; whether any suppressed something. */
  private runWithinRows(): boolean {
    const { rows, groups, groupMarks } = this;
    let changed = false;
    if (groups.length === 0) return changed;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as Row;
      if (isNational(row)) continue;
      for (let g = 0; g < groups.length; g++) {
        const mark = i * groups.length + g;
        if (groupMarks[mark] === 0) continue;
        const group = groups[g] as (typeof groups)[number];
        suppressedTargets.length = 0;
        // Within a row no staff figures go with a cell (as before: the rule is across rows).
        const sealing: Sealing = { secondary: this, family: -1, indices: undefined, total: i };
        if (suppressNextSmallest(row, group.parts, row, group.total, WITHIN_ROW, suppressedTargets, sealing))
          changed = true;
        for (const t of suppressedTargets)
          this.suppressed(i, t === -1 ? group.total : (group.parts[t] as string), false);
        groupMarks[mark] = 0;
      }
    }
    return changed;
  }

  /** One round of the checks across rows (siblings, areas, periods, in that order) that are marked. */
  private runFamilies(): boolean {
    const { rows, families, columns, familyMarks } = this;
    let changed = false;
    for (let f = 0; f < families.length; f++) {
      const { parts, indices, total, regions } = families[f] as (typeof families)[number];
      const totalRow = total >= 0 ? rows[total] : undefined;
      for (let c = 0; c < columns.length; c++) {
        const mark = f * columns.length + c;
        if (familyMarks[mark] === 0) continue;
        const column = columns[c] as string;
        const how = (this.hows[c] as readonly [Secondary, Secondary])[regions ? 1 : 0];
        suppressedTargets.length = 0;
        const sealing: Sealing = { secondary: this, family: f, indices, total };
        if (suppressNextSmallest(parts, column, totalRow, column, how, suppressedTargets, sealing)) changed = true;
        for (const t of suppressedTargets) this.suppressed(t === -1 ? total : (indices[t] as number), column, true);
        familyMarks[mark] = 0;
      }
    }
    return changed;
  }
}

const WITHIN_ROW: Secondary = {};

/** A staff column's headcount and the rows (indices) where the two are equal (StaffRule.same). */
interface SameRows {
  readonly headcount: string;
  readonly rows: ReadonlySet<number>;
}

/** For each column a role declares `same`, the rows below England where its exact figure is its headcount's. */
function sameAsHeadcount(rows: readonly Row[], staff: readonly StaffRule[]): Map<string, SameRows> {
  const same = new Map<string, SameRows>();
  for (const role of staff)
    for (const column of role.same ?? []) {
      const at = new Set<number>();
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r] as Row;
        const value = row[column];
        if (!isNational(row) && typeof value === 'number' && value === row[role.headcount]) at.add(r);
      }
      same.set(column, { headcount: role.headcount, rows: at });
    }
  return same;
}

/**
 * Applies the rules to query rows; returns new rows, with England rows unchanged. `preSuppressed` names, per row, cells
 * below England to publish as `*` whatever they hold (a count another document controlling the same count suppressed:
 * shared-counts.ts, jointFixedPoint): they are suppressed before secondary suppression and the audit, which then treat
 * them as any other `*`.
 */
export function applyDisclosureControl(
  rows: readonly Row[],
  rules: DisclosureRules,
  preSuppressed?: (row: Row) => readonly string[],
): Row[] {
  const out = rows.map((row) => controlRow(row, rules));
  if (preSuppressed !== undefined)
    for (let i = 0; i < out.length; i++) {
      const row = out[i] as Row;
      if (isNational(row)) continue;
      for (const column of preSuppressed(rows[i] as Row)) if (typeof row[column] === 'number') row[column] = SUPPRESSED;
    }
  const staff = rules.staff ?? [];
  const sensitive = [
    ...new Set([...rules.counts, ...staff.flatMap((s) => [s.headcount, s.fte, ...(s.columns ?? [])])]),
  ];
  // A suppressed FTE total takes a part with it; a suppressed headcount takes its FTE and the figures describing the
  // people with it.
  const exact = new Set(staff.map((s) => s.fte));
  const how: HowFor = (column, regions) => ({ allowZero: regions, exact: exact.has(column) });
  // Family keys of areas are worked out once per row: the rules and the audit (each time it is built) read them.
  const { areas } = rules;
  const keys: AuditKeys | undefined = areas === undefined ? undefined : auditKeys(out, areas);
  const sameAs = sameAsHeadcount(rows, staff);
  const secondary = new SecondarySuppression(
    out,
    sensitive,
    rules.groups ?? [],
    [
      ...(rules.siblings ?? []).flatMap((familyOf) => siblingFamilies(out, familyOf)),
      ...areaFamilies(out, keys).filter(({ parts, total }) => parts.length >= 2 || total >= 0),
      ...periodFamilies(out, rules.periodKeys),
    ],
    how,
    new Map(staff.map((s) => [s.headcount, s])),
    sameAs,
  );
  // A column suppressed already (pre-suppressed, or by the FTE's rule) where it equals its headcount takes it too.
  for (const [column, { headcount, rows: at }] of sameAs)
    for (const r of at) {
      const row = out[r] as Row;
      if (row[column] === SUPPRESSED && typeof row[headcount] === 'number') {
        row[headcount] = SUPPRESSED;
        secondary.suppressed(r, headcount, true);
      }
    }
  secondary.run();
  const withheld = suppressRecoverable(out, rules, keys, secondary, rows);
  // The person-months pass suppresses cells (a month's 0 among them) in rows the audit has read: the audit reads them
  // again, and so on to a fixed point (review 34, R34-1: England's June 3 was left over three regions' `*`, each read 1).
  // Each round that goes on has suppressed or withheld something, so it ends.
  while (protectStaffYears(out, rules, secondary, withheld, rows))
    suppressRecoverable(out, rules, keys, secondary, rows, withheld);
  suppressMeansOfSuppressed(out, rules.means ?? []);
  controlDescribing(out, rules.describing ?? []);
  return withheld.size === 0 ? out : out.filter((row) => !withheld.has(row));
}

/**
 * The columns whose control `columns`' can change (with them): those joined to them by the rules, a group within a row,
 * a role's staff figures, a mean and its count (and the means it is the difference of), figures describing counts and
 * those counts. Secondary suppression and the audit read and suppress a cell only beside cells so joined (a family of
 * rows, an equation, the months of a year are of one column; a group joins its columns); so controlled with rules
 * `rulesWithin` these columns, a document's rows give these columns as the whole rules do, wherever no row is withheld
 * (withholding a row takes every column of it: the caller checks). Undefined where the rules join rows or columns
 * otherwise (siblings, partitions): the document is then only controlled whole.
 */
export function joinedColumns(rules: DisclosureRules, columns: readonly string[]): Set<string> | undefined {
  if ((rules.siblings?.length ?? 0) > 0 || (rules.partitions?.length ?? 0) > 0) return undefined;
  const links: (readonly string[])[] = [
    ...(rules.groups ?? []).map((g) => [g.total, ...g.parts]),
    ...(rules.staff ?? []).map((s) => [s.headcount, s.fte, ...(s.columns ?? [])]),
    ...(rules.means ?? []).map((m) => [m.column, m.contributors, ...(m.difference ?? [])]),
    ...(rules.describing ?? []).map((d) => [...d.counts, ...d.columns]),
  ];
  const joined = new Set(columns);
  // With months (DisclosureRules.monthly) the audit reads every audited column again beside them: kept whole unless
  // the columns are of them.
  if ((rules.monthly?.length ?? 0) > 0 && !columns.some((column) => rules.monthly?.includes(column))) return undefined;
  for (let grown = true; grown; ) {
    grown = false;
    for (const link of links)
      if (link.some((column) => joined.has(column)) && link.some((column) => !joined.has(column))) {
        for (const column of link) joined.add(column);
        grown = true;
      }
  }
  return joined;
}

/** The rules of the columns `joined` (joinedColumns) alone: the other columns of a row are left as they are. */
export function rulesWithin(rules: DisclosureRules, joined: ReadonlySet<string>): DisclosureRules {
  const monthly = rules.monthly?.filter((column) => joined.has(column));
  return {
    ...rules,
    counts: rules.counts.filter((column) => joined.has(column)),
    ...(rules.means === undefined ? {} : { means: rules.means.filter((m) => joined.has(m.column)) }),
    ...(rules.groups === undefined ? {} : { groups: rules.groups.filter((g) => joined.has(g.total)) }),
    ...(rules.staff === undefined ? {} : { staff: rules.staff.filter((s) => joined.has(s.headcount)) }),
    ...(rules.describing === undefined
      ? {}
      : { describing: rules.describing.filter((d) => d.columns.some((column) => joined.has(column))) }),
    ...(monthly === undefined ? {} : { monthly }),
  };
}

/** How a column's families are treated (see Secondary), by column and whether the parts are England's regions. */
type HowFor = (column: string, regions: boolean) => Secondary;

/**
 * The audited columns: the counts that add up over areas. Staff headcounts, and the counts describing their people
 * (trained), are audited in month rows only (`only`), and in year rows of one month (`staffMonths`): a month's are whole
 * people adding up exactly over areas (review 28, R28-4: England's 4 coaches over four `*` regions and ICBs gave each
 * 1). A year's is the mean of its months: a year of more months is audited apart, as person-months (protectStaffYears).
 * FTE are left to their own rule (8 or more people).
 */
function auditedColumns(rules: DisclosureRules): Pick<AuditSpec, 'columns' | 'only'> {
  const staff = rules.staff ?? [];
  const staffColumns = new Set(staff.flatMap((s) => [s.headcount, s.fte, ...(s.columns ?? [])]));
  const headcounts = staff.flatMap((s) => [s.headcount, ...(s.columns ?? []).filter((c) => rules.counts.includes(c))]);
  const columns = [...rules.counts.filter((column) => !staffColumns.has(column)), ...headcounts];
  if (headcounts.length === 0) return { columns };
  // A year of one month of snapshots (`staffMonths` 1) is its month's figures: audited as a month is. Its family's
  // parts have that month alone too (an area's months are its total's or fewer), so the equations hold as the month's.
  // A family whose total has more months is left out here (the total is no variable): its year is audited as
  // person-months (protectStaffYears), with every other row of that year.
  const { staffMonths } = rules;
  const month =
    staffMonths === undefined
      ? (row: Row) => row.period_type === 'month'
      : (row: Row) => row.period_type === 'month' || (row.period_type === 'fy' && row[staffMonths] === 1);
  return { columns, only: Object.fromEntries(headcounts.map((column) => [column, month])) };
}

/** Half the rounding of a count below England (to the nearest 5): a rounded figure v was from v - 2.5 to under v + 2.5. */
const ROUNDED_HALF = 2.5;

/**
 * What a reader knows of a staff year's person-months (review 32, R32-1) from the figure published and the row's months
 * (`staffMonths`, published in every row). A year's headcount is its months' headcounts summed over its months
 * (sql/metrics/workforce.sql), so figure x months is the area's people-months in post: its PCNs' snapshots summed,
 * whole numbers adding up over areas exactly, whatever months each area sent. England's is exact; 0 is none; a figure
 * rounded to v is a mean from max(8, v - 2.5) to under v + 2.5 (a mean under 8 is `*`; rounding is half up); a `*` is
 * a mean above 0 and under 8. With one month these are a count's: 8 to 12 for 10, 1 to 7 for `*`.
 */
export function personMonthsInterval(value: unknown, months: number, england: boolean): Interval | undefined {
  if (value === SUPPRESSED) return [1, MIN_COUNT * months - 1];
  if (typeof value !== 'number') return undefined;
  if (england || value === 0) {
    const exact = Math.round(value * months);
    return [exact, exact];
  }
  return [
    Math.ceil(months * Math.max(MIN_COUNT, value - ROUNDED_HALF)),
    Math.ceil(months * (value + ROUNDED_HALF)) - 1,
  ];
}

/**
 * Staff years of two or more months, audited as person-months (review 32, R32-1: England's 9 coaches in June and in
 * July, 18 person-months, beside Y56's 10 and Y58's and Y59's `*` pinned Y56 to 16 and Y58 and Y59 to 1 each, where the
 * audit had protected both months). Every year with such a row is read whole, all its rows of any months: each staff
 * headcount as person-months (personMonthsInterval), England = its regions = their ICBs = their PCNs (a PCN that moved
 * ICB split into unseen parts, 0 or more), and an area's year = its months (a month's headcount is its person-months;
 * a month withheld below England an unseen part: a year's 0 beside its months' `*` shows them 0). A reader reads every
 * `*` as a mean under 8, or where that contradicts the figures, as any mean above 0 (a region's, 0 or more). Where
 * that pins a cell, or (every `*` under 8) leaves a `*` a mean under PROTECTION_LEVEL, the nearest published non-zero
 * figure below England (by equations; with none, the pinned figure itself; with none, the component's zeros below
 * England) is suppressed, secondary suppression run again (the FTE and the trained go with their headcount) and the
 * year read again; where nothing is left to suppress, the rows below England of the period found are withheld
 * (withholdRows). Each round suppresses or withholds something, so it ends. A year whose rows all have one month is
 * the month's figures again, audited with the months (auditedColumns); so are months in no equation with a year of two
 * or more months (left to the main audit). Whether it suppressed or withheld anything (the main audit then reads the
 * document again: review 34, R34-1).
 */
function protectStaffYears(
  out: Row[],
  rules: DisclosureRules,
  secondary: SecondarySuppression,
  withheld: Set<Row>,
  /** `out` unrounded, row for row (the exact figures: which marks of the loose reading are right, knownSecondary). */
  exact: readonly Row[],
): boolean {
  const { staffMonths, areas } = rules;
  if (staffMonths === undefined || areas === undefined) return false;
  const headcounts = (rules.staff ?? []).flatMap((s) => [
    s.headcount,
    ...(s.columns ?? []).filter((c) => rules.counts.includes(c)),
  ]);
  if (headcounts.length === 0) return false;
  const monthsOf = (row: Row) => {
    const months = row[staffMonths];
    return typeof months === 'number' && months > 0 ? months : 1;
  };
  const withholdingKey = (row: Row) =>
    [row.period_type, row.period, ...(rules.periodKeys ?? []).map((k) => String(row[k]))].join('|');
  let changed = false;
  for (; ; changed = true) {
    clearTouched(secondary);
    const index = staffYearReading(out, withheld, headcounts, monthsOf);
    if (index.size === 0) return changed;
    const system = buildAuditSystem([...index.keys()], {
      columns: headcounts,
      areas,
      months: { columns: headcounts, keys: rules.periodKeys ?? [] },
    });
    const reader = { out, index, monthsOf, exact };
    const known = knownStaffMarks(system, reader);
    const targets = new Set<number>();
    const withhold = new Set<string>();
    for (let c = 0; c < system.components.length; c++) {
      const { chosen, stuck } = staffYearTargets(system, c, reader, known);
      for (const v of chosen) targets.add(v);
      if (stuck !== undefined) withhold.add(withholdingKey(stuck));
    }
    if (targets.size === 0 && withhold.size === 0) return changed;
    for (const v of [...targets].sort((a, b) => a - b)) {
      const cell = cellOf(system, v) as AuditCell;
      const r = index.get(cell.row) as number;
      (out[r] as Row)[cell.column] = SUPPRESSED;
      secondary.suppressed(r, cell.column, true);
    }
    secondary.run();
    if (withhold.size > 0) {
      const counts = [...new Set([...rules.counts, ...headcounts])];
      withholdRows(out, withhold, withholdingKey, counts, rules.periodKeys ?? [], withheld, secondary);
    }
  }
}

/** A staff year's rows as read (staffYearReading), with the rows of `out` they are read from and each row's months. */
interface StaffYearReader {
  readonly out: readonly Row[];
  /** Each row read, and the index in `out` of the row it is read from. */
  readonly index: ReadonlyMap<Row, number>;
  readonly monthsOf: (row: Row) => number;
  /** `out` unrounded, row for row. */
  readonly exact: readonly Row[];
}

/**
 * The rows (not withheld) of every year with a row of two or more months, and of its months, as the person-months
 * reader reads them (protectStaffYears): England's staff headcounts as person-months (a month's, its headcount),
 * every other figure but 0 as a `*` that the readers of staffYearTargets read from the row's own figure. Each with the
 * index in `out` of its row.
 */
function staffYearReading(
  out: readonly Row[],
  withheld: ReadonlySet<Row>,
  headcounts: readonly string[],
  monthsOf: (row: Row) => number,
): Map<Row, number> {
  const index = new Map<Row, number>();
  const years = new Set<string>();
  for (const row of out)
    if (row.period_type === 'fy' && !withheld.has(row) && monthsOf(row) >= 2) years.add(String(row.period));
  if (years.size === 0) return index;
  for (let r = 0; r < out.length; r++) {
    const row = out[r] as Row;
    const period = String(row.period);
    const of = row.period_type === 'month' ? financialYearOf(period) : row.period_type === 'fy' ? period : undefined;
    if (of === undefined || withheld.has(row) || !years.has(of)) continue;
    const reading: Row = { ...row };
    for (const column of headcounts) {
      const value = row[column];
      if (isNational(row)) {
        if (typeof value === 'number') reading[column] = Math.round(value * monthsOf(row));
      } else if (value === SUPPRESSED || (typeof value === 'number' && value !== 0)) reading[column] = SUPPRESSED;
    }
    index.set(reading, r);
  }
  return index;
}

/** A staff year's reader's intervals of a cell (staffYearTargets): as documented, and relaxed where that contradicts. */
function staffIntervals({ out, index, monthsOf }: StaffYearReader) {
  const outRow = (cell: AuditCell) => out[index.get(cell.row) as number] as Row;
  const documented = (cell: AuditCell): Interval => {
    const row = outRow(cell);
    return personMonthsInterval(row[cell.column], monthsOf(row), false) ?? ANY_COUNT;
  };
  const relaxed = (cell: AuditCell): Interval => {
    const row = outRow(cell);
    if (row[cell.column] !== SUPPRESSED) return documented(cell);
    return row.level === 'region' ? ANY_COUNT : [1, Number.POSITIVE_INFINITY];
  };
  return { outRow, documented, relaxed };
}

/**
 * The `*` of a staff year's reading (by row of `out` and column: `r|column`) that a component's loose reading (every
 * `*` relaxed) shows cannot be a mean under 8, where the exact figure confirms it (knownSecondary's reading in
 * person-months: a mark can be wrong where a zero was made `*`, and is then left out). A reader knows them so in every
 * piece without England's equations, and in the other copy of the cell (the areas' equations of its month alone).
 */
function knownStaffMarks(system: AuditSystem, reader: StaffYearReader): Set<string> {
  const { outRow, documented, relaxed } = staffIntervals(reader);
  const known = new Set<string>();
  const { lo, hi } = system.scratch;
  for (let c = 0; c < system.components.length; c++) {
    if (auditComponent(system, c, relaxed) === undefined) continue;
    for (const v of (system.components[c] as AuditSystem['components'][number]).variables) {
      const cell = cellOf(system, v);
      if (cell === undefined || outRow(cell)[cell.column] !== SUPPRESSED) continue;
      const [low, high] = documented(cell);
      if ((lo[v] as number) <= high && (hi[v] as number) >= low) continue;
      const r = reader.index.get(cell.row) as number;
      const value = (reader.exact[r] as Row)[cell.column];
      const pm = typeof value === 'number' ? Math.round(value * reader.monthsOf(reader.out[r] as Row)) : 0;
      if (pm < low || pm > high) known.add(`${r}|${cell.column}`);
    }
  }
  return known;
}

/**
 * What a component of a staff year read whole pins (as documented; where that contradicts, the criterion's reading:
 * the `*` the component's loose reading shows cannot be a mean under 8 relaxed, the others documented; where that
 * does too, relaxed), and, read as documented, the `*` it leaves a mean under PROTECTION_LEVEL (staffYearTargets).
 * The criterion's reading (review 35,
 * R35-5; R35-4's, in person-months): England's July 17 coaches over R1's `*` and R2's `*`, R2's only ICB's year 15
 * (25 to 34 person-months) over its two PCNs' `*`: the figures show R2's June and July above 7, read so, and the rest
 * under 8 pins R2's July at 14, each PCN's at 7 and R1's at 3 (test/unit/staff-criterion-reading.test.ts).
 */
function wholeStaffFindings(system: AuditSystem, component: number, reader: StaffYearReader): Set<number> {
  const { outRow, documented, relaxed } = staffIntervals(reader);
  const found = new Set<number>();
  const read = auditComponent(system, component, documented);
  // Read so, a `*` left a mean under PROTECTION_LEVEL (scratch: the bounds auditComponent reached).
  if (read !== undefined)
    for (const v of (system.components[component] as AuditSystem['components'][number]).variables) {
      const cell = cellOf(system, v);
      if (cell === undefined || outRow(cell)[cell.column] !== SUPPRESSED) continue;
      if ((system.scratch.hi[v] as number) < PROTECTION_LEVEL * reader.monthsOf(outRow(cell))) found.add(v);
    }
  if (read !== undefined) {
    for (const { variable } of read) found.add(variable);
    return found;
  }
  const loose = auditComponent(system, component, relaxed);
  if (loose === undefined) return found;
  // The `*` the loose reading shows cannot be a mean under 8 (scratch: its bounds), as the reader sees them (not
  // checked against the exact figures: the reading is the reader's, as the counts' is, readerDisclosures).
  const marks = new Set<string>();
  const { lo, hi } = system.scratch;
  for (const v of (system.components[component] as AuditSystem['components'][number]).variables) {
    const cell = cellOf(system, v);
    if (cell === undefined || outRow(cell)[cell.column] !== SUPPRESSED) continue;
    const [low, high] = documented(cell);
    if ((lo[v] as number) > high || (hi[v] as number) < low) marks.add(`${reader.index.get(cell.row)}|${cell.column}`);
  }
  const marked =
    marks.size === 0
      ? undefined
      : auditComponent(system, component, (cell) =>
          marks.has(`${reader.index.get(cell.row)}|${cell.column}`) ? relaxed(cell) : documented(cell),
        );
  for (const { variable } of marked ?? loose) found.add(variable);
  return found;
}

/**
 * The figures to suppress in one component of a staff year read as person-months (protectStaffYears), or the row of a
 * cell found where none is left (`stuck`). `known`: knownStaffMarks.
 */
function staffYearTargets(
  system: AuditSystem,
  component: number,
  reader: StaffYearReader,
  known: ReadonlySet<string>,
): { chosen: Set<number>; stuck?: Row } {
  const { index, monthsOf } = reader;
  const { outRow, documented, relaxed } = staffIntervals(reader);
  // A published non-zero figure below England.
  const published = (v: number) => {
    const cell = cellOf(system, v);
    if (cell === undefined) return undefined;
    const row = outRow(cell);
    const value = row[cell.column];
    return !isNational(row) && typeof value === 'number' && value > 0 ? value : undefined;
  };
  const shown = (v: number) => {
    const cell = cellOf(system, v);
    return cell !== undefined && outRow(cell)[cell.column] === SUPPRESSED;
  };
  const { variables } = system.components[component] as AuditSystem['components'][number];
  // A component with no year of two or more months (a month's equations alone) is read as the main audit reads it
  // (a month's headcount is its person-months), which reads each equation alone and each piece without England too:
  // left to it (review 34, R34-1: read here, England's June 3 over R1's and R2's `*` narrowed each below
  // PROTECTION_LEVEL, the zeros of the month were suppressed for want of a count, and 3 over three `*` read 1 each),
  // but for its pieces without England's equations with what the years show of its `*` (below).
  const isYear = (v: number) => {
    const cell = cellOf(system, v);
    return cell !== undefined && cell.row.period_type === 'fy' && monthsOf(outRow(cell)) >= 2;
  };
  const found = variables.some(isYear) ? wholeStaffFindings(system, component, reader) : new Set<number>();
  // Nothing found read whole: each piece without England's equations read on its own (review 29, R29-1, in
  // person-months: review 34, R34-2: R3's 25 over I31's 25 over three PCNs' `*` pinned each PCN at 15 person-months,
  // their true mean 7.5, beside England's 52 over R1's `*`, truly 51 person-months), its `*` that the figures show
  // cannot be a mean under 8 (known: the years' loose reading too, for a month's own equations, which the main audit
  // reads with the months' figures alone) read so, and protected within its piece (a figure of another region leaves
  // its pins as they were).
  let piece: number[] | undefined;
  if (found.size === 0) {
    const knownHere = new Set<number>();
    for (const v of variables) {
      const cell = cellOf(system, v);
      if (cell !== undefined && known.has(`${index.get(cell.row)}|${cell.column}`)) knownHere.add(v);
    }
    for (const { variable } of piecesWithoutEnglandAs(system, component, documented, relaxed, shown, knownHere))
      found.add(variable);
    if (found.size > 0) piece = nationalEquationsOf(system, component);
  }
  const chosen = new Set<number>();
  if (found.size === 0) return { chosen };
  // Within a piece, its nearest zero below England (a `*` there adds a part the piece no longer pins).
  const zeroBelowEngland = (v: number) => {
    const cell = cellOf(system, v);
    return cell !== undefined && !isNational(cell.row) && outRow(cell)[cell.column] === 0 ? 0 : undefined;
  };
  for (const v of found) {
    const target =
      nearestVariable(system, v, published, piece) ??
      (published(v) === undefined ? undefined : v) ??
      (piece === undefined ? undefined : nearestVariable(system, v, zeroBelowEngland, piece));
    if (target !== undefined) chosen.add(target);
  }
  if (chosen.size === 0 && piece === undefined)
    for (const v of variables) {
      const cell = cellOf(system, v);
      if (cell !== undefined && !isNational(cell.row) && cell.row[cell.column] === 0) chosen.add(v);
    }
  if (chosen.size > 0) return { chosen };
  const first = [...found][0] as number;
  return { chosen, stuck: (cellOf(system, first) ?? system.parts.get(first)?.cell)?.row };
}

/**
 * The audit (disclosure-audit.ts), after the rules above: while a component of the document's equations has a cell
 * that a reader of the published figures can recover exactly, suppress for each such cell the nearest published non-zero count below England (by equations, the
 * smallest at that distance; ties: the first), and apply the rules above again. Where the component has no such count
 * left (every figure in it is England's, a zero or a `*`: England's count is small), its zeros below England are
 * suppressed too; where there are none (a document that leaves out an area with nothing, so that a row says its count
 * is not zero), its rows below England for that period and keys are withheld (returned, to be left out; the rules
 * above have already treated their cells as suppressed parts of their year): a reader then sees England's figure and nothing below it. Each round suppresses or withholds
 * something, so it ends. `withheld`: rows withheld already (a second call, after the person-months pass), added to.
 */
function suppressRecoverable(
  out: Row[],
  rules: DisclosureRules,
  keys: AuditKeys | undefined,
  secondary: SecondarySuppression,
  exact: readonly Row[],
  withheld: Set<Row> = new Set<Row>(),
): Set<Row> {
  if (rules.areas === undefined || keys === undefined) return withheld;
  let spec: AuditSpec = { ...auditedColumns(rules), groups: rules.groups, areas: rules.areas };
  const withholdingKey = (row: Row) =>
    [row.period_type, row.period, ...(rules.periodKeys ?? []).map((k) => String(row[k]))].join('|');
  // The system's rows are `out`, or after rows are withheld those kept: kept[i] is the index in `out` of its row i,
  // and systemRow[r] the system's index of out's row r (-1: withheld).
  let system = buildAuditSystem(out, spec, keys);
  let kept: number[] | undefined;
  let systemRow: Int32Array | undefined;
  // The audit reads every value once per system, and again each cell suppressed since (`synced`: the touched cells
  // read again so far).
  let values: LoadedValues = loadAllValues(system);
  let synced = 0;
  const sync = () => {
    const { touchedRows, touchedColumns } = secondary;
    for (; synced < touchedRows.length; synced++) {
      const r = touchedRows[synced] as number;
      const at = systemRow === undefined ? r : (systemRow[r] as number);
      if (at >= 0) values.reload(at, touchedColumns[synced] as string);
    }
  };
  const suppressVariable = (v: number) => {
    const r = system.rowOf[v] as number;
    const at = kept === undefined ? r : (kept[r] as number);
    const column = system.columns[system.columnOf[v] as number] as string;
    (out[at] as Row)[column] = SUPPRESSED;
    secondary.suppressed(at, column, true);
    sync();
  };
  // The exact figure of a variable's cell (`exact` is `out` unrounded, row for row); undefined for an unpublished part.
  const exactOf = (v: number) => {
    const r = system.rowOf[v] as number;
    if (r < 0) return undefined;
    const value = (exact[kept === undefined ? r : (kept[r] as number)] as Row)[
      system.columns[system.columnOf[v] as number] as string
    ];
    return typeof value === 'number' ? value : 0;
  };
  // What changed before this system was built is in it.
  clearTouched(secondary);
  let dirty: number[] = system.components.map((_, c) => c);
  // The keys of the system's rows (those of `out`, or of the rows kept).
  let systemKeys = keys;
  // The system again on the rows not withheld, every component to audit; or with the months (`areasOnly`: the system
  // now, on the rows kept now, to start from).
  const rebuild = (areasOnly?: AuditSystem) => {
    if (areasOnly === undefined) {
      // By index, no array per row (issue 17).
      const keptNow: number[] = [];
      const rowAt = new Int32Array(out.length).fill(-1);
      for (let r = 0; r < out.length; r++)
        if (!withheld.has(out[r] as Row)) {
          rowAt[r] = keptNow.length;
          keptNow.push(r);
        }
      kept = keptNow;
      systemRow = rowAt;
      const totalOf = new Int32Array(keptNow.length);
      for (let i = 0; i < keptNow.length; i++) totalOf[i] = keys.totalOf[keptNow[i] as number] as number;
      systemKeys = {
        texts: keys.texts,
        partOf: keptNow.map((i) => keys.partOf[i] as readonly number[]),
        totalOf,
      };
    }
    system = buildAuditSystem(
      areasOnly?.rows ?? (kept as number[]).map((i) => out[i] as Row),
      spec,
      systemKeys,
      areasOnly,
    );
    values = loadAllValues(system);
    clearTouched(secondary);
    synced = 0;
    // With the months, the first copy's components (fromAreasOnly) are those of the system just audited: each one's last
    // audit there found nothing to suppress or withhold (the loop reads the months only then), its values are as then,
    // and its audit reads its own variables and equations only (a target's choice, which reads both copies of a cell,
    // is made only where something is found). Audited again they would find nothing: only the components after them
    // (the copy, with the months) are audited now (issue 17: a third of the first round with the months nationally,
    // 1.1 of 13 CPU s of the joint control of rollout, referral_sources and cof_person).
    dirty = [];
    for (let c = system.fromAreasOnly ?? 0; c < system.components.length; c++) dirty.push(c);
  };
  // Called again with rows withheld already (applyDisclosureControl, after the person-months pass): on those kept.
  if (withheld.size > 0) rebuild();
  // The months of a year (`monthly` counts) are read once the areas alone find nothing, so that a month England's
  // figure pins is withheld as before, not protected by suppressing its year; then both are read (disclosure-audit.ts).
  // Rows are withheld only with the system built again at once: the system now is on the rows kept now.
  const readMonths = () => {
    if (rules.monthly === undefined || spec.months !== undefined) return false;
    spec = { ...spec, months: { columns: rules.monthly, keys: rules.periodKeys ?? [] } };
    rebuild(system);
    return true;
  };
  // A narrowed `*` is widened once every equation of its cells is in the system (the months of a year read too, where the
  // document has them): a zero made `*` is chosen only where it costs nothing in any of them (zerosToOpen), and with
  // the areas alone a zero month made `*` was the only `*` month of its year, which secondary suppression then
  // followed with another, and so on (on the 25% sample, cof_person's October 2024 withheld below England).
  const widen = () => rules.monthly === undefined || spec.months !== undefined;
  while (dirty.length > 0 || readMonths()) {
    let suppressed = 0;
    const withhold = new Set<string>();
    for (const c of dirty) {
      const { count, stuck } = protectComponent(system, c, suppressVariable, values, exactOf, widen());
      suppressed += count;
      if (stuck !== undefined) withhold.add(withholdingKey(stuck));
    }
    if (suppressed === 0 && withhold.size === 0) {
      dirty = [];
      continue;
    }
    secondary.run();
    if (withhold.size === 0) {
      sync();
      dirty = changedComponents(system, secondary, systemRow);
      synced = 0;
      continue;
    }
    withholdRows(out, withhold, withholdingKey, rules.counts, rules.periodKeys ?? [], withheld, secondary);
    rebuild();
  }
  return withheld;
}

/**
 * Withholds the rows below England of the periods and keys in `withhold` (added to `withheld`), their figures made
 * `*` first, and secondary suppression run again: a withheld figure is a part its reader does not see, of its year (the
 * months of a year beside the year's row) and of its row's other families, and a lone one beside a published total
 * and its other parts would be given back by subtraction (review 8, withyear: a region's 2024/25 60 beside its
 * February 15 and March 20, January withheld, gave January as 25). Not where England's figure is 0: every area's is
 * then 0 too, hiding nothing.
 */
function withholdRows(
  out: Row[],
  withhold: ReadonlySet<string>,
  withholdingKey: (row: Row) => string,
  counts: readonly string[],
  periodKeys: readonly string[],
  withheld: Set<Row>,
  secondary: SecondarySuppression,
): void {
  const england = new Map<string, Row>();
  for (const row of out)
    if (isNational(row) && withhold.has(withholdingKey(row))) england.set(withholdingKey(row), row);
  for (let r = 0; r < out.length; r++) {
    const row = out[r] as Row;
    if (isNational(row) || withheld.has(row)) continue;
    const key = withholdingKey(row);
    if (!withhold.has(key)) continue;
    withheld.add(row);
    const national = england.get(key);
    for (const column of counts) {
      const value = row[column];
      const shown = national?.[column];
      // A cell without a figure is unseen too where England's is above 0 (the reader cannot tell it from one withheld).
      const unseen =
        typeof value === 'number' ? shown !== 0 : value !== SUPPRESSED && typeof shown === 'number' && shown > 0;
      if (unseen) {
        row[column] = SUPPRESSED;
        secondary.suppressed(r, column, true);
      }
    }
  }
  secondary.run();
  if (absentMonthsOfYears(out, england, periodKeys, counts, withheld, secondary)) secondary.run();
}

/**
 * An area with its year's row but no row in a month withheld (nothing that month, or a document listing only areas
 * with a figure): to a reader the month is withheld there too, a part of the year it cannot see (England's row of the
 * month, not 0, says some area's is not 0). Where it is the year's only part unseen beside the year's figure, the
 * smallest other month's figure above 0 is suppressed, or with none the year's (secondary suppression's rule, for a
 * part with no row); whether anything was.
 */
function absentMonthsOfYears(
  out: Row[],
  england: ReadonlyMap<string, Row>,
  periodKeys: readonly string[],
  counts: readonly string[],
  withheld: ReadonlySet<Row>,
  secondary: SecondarySuppression,
): boolean {
  const yearKey = (row: Row, year: string) =>
    [row.level, row.code, year, ...periodKeys.map((k) => String(row[k]))].join('|');
  // England's rows of the months withheld, by their year and keys.
  const monthsWithheld = new Map<string, Row[]>();
  for (const row of england.values())
    if (row.period_type === 'month') {
      const key = yearKey(row, financialYearOf(String(row.period))).slice(`${row.level}|${row.code}|`.length);
      monthsWithheld.set(key, [...(monthsWithheld.get(key) ?? []), row]);
    }
  if (monthsWithheld.size === 0) return false;
  const families = new Map<string, { year?: number; months: Map<string, number>; withheld: Row[] }>();
  for (let r = 0; r < out.length; r++) {
    const row = out[r] as Row;
    if (isNational(row) || (row.period_type !== 'fy' && row.period_type !== 'month')) continue;
    const year = row.period_type === 'fy' ? String(row.period) : financialYearOf(String(row.period));
    const key = yearKey(row, year);
    const months = monthsWithheld.get(key.slice(`${row.level}|${row.code}|`.length));
    if (months === undefined) continue;
    const family = families.get(key) ?? { months: new Map<string, number>(), withheld: months };
    families.set(key, family);
    if (row.period_type === 'fy') family.year = r;
    else family.months.set(String(row.period), r);
  }
  let any = false;
  for (const family of families.values()) {
    if (family.year === undefined) continue;
    const absent = family.withheld.filter((m) => !family.months.has(String(m.period)));
    if (absent.length === 0) continue;
    const year = out[family.year] as Row;
    const months = [...family.months.values()];
    for (const column of counts) {
      if (typeof year[column] !== 'number' || year[column] === 0) continue;
      const unseen =
        absent.filter((m) => m[column] !== 0).length +
        months.filter((i) => (out[i] as Row)[column] === SUPPRESSED).length;
      if (unseen !== 1) continue;
      let at = family.year;
      let smallest = Number.POSITIVE_INFINITY;
      for (const i of months) {
        const value = (out[i] as Row)[column];
        if (!withheld.has(out[i] as Row) && typeof value === 'number' && value > 0 && value < smallest) {
          smallest = value;
          at = i;
        }
      }
      (out[at] as Row)[column] = SUPPRESSED;
      secondary.suppressed(at, column, true);
      any = true;
    }
  }
  return any;
}

function clearTouched(secondary: SecondarySuppression): void {
  secondary.touchedRows.length = 0;
  secondary.touchedColumns.length = 0;
}

/**
 * The components with a cell suppressed since the audit last looked (secondary's touched cells; every suppression is
 * noted there, and a suppressed cell never changes again), in order; `systemRow` maps out's rows to the system's.
 */
function changedComponents(
  system: AuditSystem,
  secondary: SecondarySuppression,
  systemRow: Int32Array | undefined,
): number[] {
  const changed = new Set<number>();
  const { touchedRows, touchedColumns } = secondary;
  for (let k = 0; k < touchedRows.length; k++) {
    const r = touchedRows[k] as number;
    const at = systemRow === undefined ? r : (systemRow[r] as number);
    if (at < 0) continue;
    for (const v of variablesOf(system, at, touchedColumns[k] as string)) {
      const c = v < 0 ? -1 : (system.componentOf[v] as number);
      if (c >= 0) changed.add(c);
    }
  }
  clearTouched(secondary);
  return [...changed].sort((a, b) => a - b);
}

/**
 * Suppresses within one component until the reader finds nothing: for each recoverable cell the nearest published
 * non-zero count below England; where the component has none, its zeros below England. Returns how many cells it
 * suppressed, and the row of a recoverable cell where nothing was left to suppress (`stuck`).
 */
function protectComponent(
  system: AuditSystem,
  component: number,
  suppress: (variable: number) => void,
  values: LoadedValues,
  exactOf: (variable: number) => number | undefined,
  /** Whether to widen narrowed `*` (widenNarrowed) once nothing is pinned. */
  widen: boolean,
): Stuck {
  // A published non-zero count below England: what may be suppressed to protect another (the smallest first).
  const { rows, columns, rowOf, columnOf } = system;
  const publishedCount = (v: number) => {
    const r = rowOf[v] as number;
    if (r < 0) return undefined;
    const row = rows[r] as Row;
    const value = row[columns[columnOf[v] as number] as string];
    return !isNational(row) && typeof value === 'number' && value > 0 ? value : undefined;
  };
  // A published zero below England (what protects a piece's pin where the piece has no count left).
  const zeroBelowEngland = (v: number) => {
    const r = rowOf[v] as number;
    return r >= 0 && !isNational(rows[r] as Row) && publishedValue(system, v) === 0 ? 0 : undefined;
  };
  // Such a count whose `*` would seal no equation (sealsEquation): chosen first, the others where none is near.
  const unsealing = (v: number) => {
    const value = publishedCount(v);
    return value === undefined || sealsEquation(system, v) ? undefined : value;
  };
  // Within a round nothing is suppressed until its targets are all chosen, so each variable's two scores are worked out
  // once a round, not once per disclosure whose search reaches it (issue 17: every search may cross the component).
  // The memo is asked for only where the reader finds something: most components find nothing, and making (and
  // looking up) a system's memo for each was 0.8 of the national dump's 38 CPU s of the documents controlled alone
  // (issue 17, cpu-prof of disclosure-step.ts: memoOf's own time).
  let memo: ScoreMemo | undefined;
  const remembered = (
    scoreMemo: ScoreMemo,
    score: (v: number) => number | undefined,
    stamps: Int32Array,
    scores: Float64Array,
  ): ((v: number) => number | undefined) => {
    const round = scoreMemo.round;
    return (v) => {
      if (stamps[v] !== round) {
        stamps[v] = round;
        scores[v] = score(v) ?? Number.NaN;
      }
      const value = scores[v] as number;
      return Number.isNaN(value) ? undefined : value;
    };
  };
  let count = 0;
  for (;;) {
    let found = readerDisclosures(system, component, values) ?? [];
    // England's equations, where what is found is what a piece without them pins: each is protected within its piece
    // (a count of another region leaves the piece's figures, and so its pin, as they were), and the pieces are not
    // connected to one another.
    let piece: number[] | undefined;
    if (found.length === 0) {
      // Nothing found in the component read whole: each equation read alone (a reader may take one alone).
      const alone = protectAlone(system, component, suppress, publishedCount, values, exactOf, widen);
      if (alone.count !== 0) {
        count += alone.count;
        continue;
      }
      // Nothing alone either: where the whole's 1-to-7 reading contradicts, each piece without England's equations
      // (a reader may leave them out: review 29, R29-1), protected as the whole's findings are (below).
      // The `*` known secondary are worked out only where the pieces are read (their loose reading reads the values
      // alone, not the marks or bounds of the component's reading: the same set before it or after).
      found = readerDisclosuresWithoutEngland(system, component, values, () =>
        knownSecondary(system, component, values, exactOf),
      );
      if (found.length === 0) return { ...alone, count };
      piece = nationalEquationsOf(system, component);
    }
    const targets = new Set<number>();
    memo ??= memoOf(system);
    memo.round++;
    const unsealingNow = remembered(memo, unsealing, memo.unsealingStamp, memo.unsealing);
    const publishedCountNow = remembered(memo, publishedCount, memo.countStamp, memo.count);
    // The component is connected and no score changes within a round: a search for an unsealing count that finds none
    // has scored every cell of the component but the one it started from, so another disclosure's search can find one
    // only at such a starting cell (a recovered count that may itself be suppressed). It is made again only then
    // (issue 17: every disclosure's search crossed a national component of tens of thousands of cells, once R11-5's
    // widening made zeros `*` in one: the joint control of rollout, referral_sources and cof_person ran for hours;
    // review 25, R25-5: the same target as searching from each).
    const searchedFrom: number[] = [];
    // Each score's searches of the round made by one finder (nearestFinder: the same targets as nearestVariable's).
    // The unsealing counts are counts (their score the count's): found among the nearest counts (issue 17: whether a
    // count's `*` would seal an equation, asked of every count of a national component, was most of a search at once).
    const nearestCount = nearestFinder(system, publishedCountNow, piece, 0);
    const nearestZero = nearestFinder(system, zeroBelowEngland, piece, 1);
    for (const disclosure of found) {
      const { variable } = disclosure;
      const unsealingLeft =
        piece !== undefined ||
        searchedFrom.length === 0 ||
        searchedFrom.some((v) => v !== variable && unsealingNow(v) !== undefined);
      let target = unsealingLeft ? nearestCount(variable, unsealingNow) : undefined;
      if (target === undefined) {
        searchedFrom.push(variable);
        target = nearestCount(variable);
      }
      // Within a piece, its nearest zero below England (a `*` there adds a part that the piece no longer pins).
      if (target === undefined && piece !== undefined) target = nearestZero(variable);
      if (target !== undefined) targets.add(target);
      // The component is connected: where one disclosure has no count near it, none has (pieces are not).
      else if (piece === undefined) break;
    }
    if (targets.size === 0 && piece === undefined)
      for (const v of (system.components[component] as AuditSystem['components'][number]).variables) {
        const r = rowOf[v] as number;
        if (r >= 0 && !isNational(rows[r] as Row) && publishedValue(system, v) === 0) targets.add(v);
      }
    if (targets.size === 0) return { count, stuck: (found[0] as Disclosure).cell.row };
    for (const target of [...targets].sort((a, b) => a - b)) suppress(target);
    count += targets.size;
  }
}

/** protectComponent's scores of a system's variables in its current round (a round number, per variable). */
interface ScoreMemo {
  round: number;
  readonly countStamp: Int32Array;
  readonly count: Float64Array;
  readonly unsealingStamp: Int32Array;
  readonly unsealing: Float64Array;
}

/** One memo per audit system, made when first asked for and let go with the system. */
const scoreMemos = new WeakMap<AuditSystem, ScoreMemo>();
function memoOf(system: AuditSystem): ScoreMemo {
  let memo = scoreMemos.get(system);
  if (memo === undefined) {
    const n = system.rowOf.length;
    memo = {
      round: 0,
      countStamp: new Int32Array(n),
      count: new Float64Array(n),
      unsealingStamp: new Int32Array(n),
      unsealing: new Float64Array(n),
    };
    scoreMemos.set(system, memo);
  }
  return memo;
}

/**
 * The `*` of a component that its loose reading shows cannot be 1 to 7 (looselySecondary) and that truly are not (as
 * brokenSeal takes them: a mark can be wrong where a zero was made `*`): each piece without England's equations reads
 * them so (readerDisclosuresWithoutEngland), since a piece that reads one as 1 to 7 is a reading the published figures
 * refute, whose pins are not counted (review 10's seal, the South West's `*` over its seven ICBs' `*`, which brokenSeal
 * leaves published). A wrong mark is left out: a `*` it marks is read 1 to 7, a reading the figures leave open, whose
 * pins are protected whether right or wrong (docs/methodology.md, "The criterion": which readings count).
 */
function knownSecondary(
  system: AuditSystem,
  component: number,
  values: LoadedValues,
  exactOf: (variable: number) => number | undefined,
): Set<number> {
  const [low, high] = PRIMARY_SUPPRESSED;
  const known = new Set<number>();
  for (const v of looselySecondary(system, component, undefined, values) ?? []) {
    const exact = exactOf(v);
    if (exact !== undefined && (exact < low || exact > high)) known.add(v);
  }
  return known;
}

/** What protecting a component did: cells suppressed, and where nothing was left to suppress, the rows stuck on. */
interface Stuck {
  readonly count: number;
  /** A row of a figure still recovered: its period's rows below England are withheld. */
  readonly stuck?: Row;
}

/**
 * Protects what each equation of a component read alone pins (equationDisclosures), within each such equation
 * (withinEquation); returns how many cells it suppressed and, where it suppressed none, the row of a pin that holds
 * whatever the `*` hide, or of a sealed equation (`stuck`: its rows are withheld, as a component's are). `exactOf`: the
 * exact figure of a variable's cell (undefined: an unpublished part).
 */
function protectAlone(
  system: AuditSystem,
  component: number,
  suppress: (variable: number) => void,
  publishedCount: (v: number) => number | undefined,
  values: LoadedValues,
  exactOf: (variable: number) => number | undefined,
  widen: boolean,
): Stuck {
  const targets = new Set<number>();
  // An equation with nothing below England left to suppress (England's figure over regions all `*`: mostly wrong
  // readings, 14 over two `*` read as 7 and 7) is left as it is: withholding its rows left out half the rows below
  // England of three documents on the 2% sample. Not where its pin holds whatever the `*` hide (England's exact
  // figure over its only region with data: no reading is wrong, and that region, its only ICB and their only PCN are
  // England's figure however shown): its rows are withheld. Nor where its total is a `*` below England (a sealed
  // equation, sealsEquation: a `*` over seven `*` parts reads as 7 over seven 1s, and no other figure changes that):
  // secondary suppression and the audit avoid sealing one where another cell will do, so it is left only where every
  // figure of its period below England is already `*` or sealed (a demo's community connections in January 2025).
  // A sealed equation is not stuck where the reader sees its reading is wrong: a `*` of it that the component's loose
  // reading shows cannot be 1 to 7 (looselySecondary: the South West's `*` of other sources in April 2026, over its
  // seven ICBs' `*`, is 11 or more by their PCNs), read so, leaves the equation pinning nothing (brokenSeal).
  let secondary: Set<number> | undefined;
  let certain: Row | undefined;
  for (const { equation, disclosures } of equationDisclosures(system, component, undefined, values)) {
    const target =
      withinEquation(system, equation, publishedCount, true) ?? withinEquation(system, equation, publishedCount, false);
    if (target !== undefined) targets.add(target);
    else if (certain === undefined) {
      certain = disclosures.find((d) => pinnedWhateverHidden(system, equation, d.variable))?.cell.row;
      if (certain !== undefined || !totalSuppressedBelowEngland(system, equation)) continue;
      secondary ??= looselySecondary(system, component, undefined, values) ?? new Set();
      if (!brokenSeal(system, equation, secondary, exactOf)) certain = disclosures[0]?.cell.row;
    }
  }
  if (widen && targets.size === 0 && certain === undefined) {
    // Never a widening that the whole component's reader would see through (revealsWhenSuppressed).
    const widening = widenNarrowed(system, component, publishedCount, values);
    if (widening.length > 0 && !revealsWhenSuppressed(system, component, widening, values))
      for (const target of widening) targets.add(target);
  }
  for (const target of [...targets].sort((a, b) => a - b)) suppress(target);
  return targets.size === 0 && certain !== undefined ? { count: 0, stuck: certain } : { count: targets.size };
}

/**
 * What widens each `*` that an equation of a component read alone narrows below PROTECTION_LEVEL (R11-5,
 * narrowedEquations), once no equation alone pins anything. Where the equation's total is a rounded count below
 * England, its smallest published count below England (as withinEquation chooses: a `*` there widens the parts it
 * bounded, an ICB's 10 over a PCN's 10 and three `*` leaving each `*` at most 12 - 8 - 2 = 2; with the 10 `*` too,
 * each is up to 7). Where it is a `*` below England (its other parts `*` or 0: no count is left in it), enough of its
 * zeros below England shown `*` that its reading contradicts (zerosToOpen: eight `*` parts under a `*`, so that some
 * `*` of it is a zero or the total hides more than 7, and the reader cannot tell which). Where it has too few (a
 * region's `*` over six ICBs' `*`: a region has at most seven) nothing is done: withholding the period's rows below
 * England instead left out 923 of referral_sources' 1,989 rows below England on the 2% demo (docs/methodology.md,
 * "A `*` narrowed below what it protects").
 */
function widenNarrowed(
  system: AuditSystem,
  component: number,
  publishedCount: (v: number) => number | undefined,
  values: LoadedValues,
): number[] {
  const targets: number[] = [];
  for (const { equation } of narrowedEquations(system, component, values)) {
    if (!totalSuppressedBelowEngland(system, equation)) {
      // Never a count whose `*` would seal an equation (where every count would, the `*` is left narrowed: a seal's
      // rows are withheld below England, R20-7).
      const count = withinEquation(system, equation, publishedCount, true, false);
      if (count !== undefined) targets.push(count);
      continue;
    }
    targets.push(...(zerosToOpen(system, equation) ?? []));
  }
  return targets;
}

/**
 * Whether a sealed equation (its total a `*` below England, nothing in it left to suppress) is no recovery: read with
 * the `*` the component's loose reading shows cannot be 1 to 7 (`secondary`, looselySecondary) as 1 or more, it pins
 * nothing, and each such `*` of it is truly not 1 to 7. A reader of the whole component then knows the seal's reading
 * (the total 7, each `*` part 1) is wrong, and one who reads the equation alone is misled by it. The loose reading
 * takes every `*` below a region as 1 or more, which a zero the audit made `*` is not, so a mark can be wrong (an ICB's
 * `*` of 1 over a PCN's 1 and a zero made `*` reads as 2 or more, and its region's seal of 7 as 8 or more): the
 * publisher, which knows the exact figures, breaks a seal only on marks that are true, and withholds the others as
 * before. On review 10's demo every seal the audit was stuck on was broken so (the South West's April: read as 7 over
 * seven 1s, the region truly above 7, a secondary `*`).
 */
function brokenSeal(
  system: AuditSystem,
  equation: number,
  secondary: ReadonlySet<number>,
  exactOf: (variable: number) => number | undefined,
): boolean {
  if (equationAlone(system, equation, undefined, secondary).length > 0) return false;
  const [low, high] = PRIMARY_SUPPRESSED;
  const { equationStart, equationVariables } = system;
  for (let i = equationStart[equation] as number; i < (equationStart[equation + 1] as number); i++) {
    const v = equationVariables[i] as number;
    if (!secondary.has(v)) continue;
    const exact = exactOf(v);
    if (exact === undefined || (exact >= low && exact <= high)) return false;
  }
  return true;
}

/** Whether equation e's total is a `*` below England (every other figure of it `*` or 0 where nothing is left in it). */
function totalSuppressedBelowEngland(system: AuditSystem, e: number): boolean {
  const v = system.equationVariables[system.equationStart[e] as number] as number;
  const r = system.rowOf[v] as number;
  return r >= 0 && !isNational(system.rows[r] as Row) && publishedValue(system, v) === SUPPRESSED;
}

/**
 * What protects a pin that one equation alone shows (equationDisclosures): a cell of that same equation, since
 * suppressing a count in another equation leaves this one's figures, and so the pin, as they were. The smallest
 * published non-zero count below England in it (ties: the first), else its first zero below England (a `*` there adds
 * a part of 1 to 7, or of any size, that the equation's figures no longer pin: the U50573 row of a year `*` over seven
 * `*` months and five 0s, with one 0 made `*`, reads as 8 or more parts of 1 to 7 beside a `*` of at most 7, which
 * contradicts; read as 1 or more, the year is 8 or more and no month one value). Never a count that the equation gives
 * whatever it shows (pinnedWhateverHidden: England's exact figure over its only region with data is that region's).
 * Undefined where it has none (every figure England's, `*`, an unpublished part or so given): the caller leaves that
 * equation as it is, or withholds its rows where its pin holds whatever the `*` hide.
 */
function withinEquation(
  system: AuditSystem,
  equation: number,
  publishedCount: (v: number) => number | undefined,
  avoidSeals: boolean,
  /** Its first zero where it has no count (false: a count or nothing; a zero made `*` there narrows the others more). */
  orZero = true,
): number | undefined {
  const { equationStart, equationVariables, rowOf, rows } = system;
  let best: number | undefined;
  let bestValue = Number.POSITIVE_INFINITY;
  let zero: number | undefined;
  for (let i = equationStart[equation] as number; i < (equationStart[equation + 1] as number); i++) {
    const v = equationVariables[i] as number;
    const value = publishedCount(v);
    if (avoidSeals && (value !== undefined || publishedValue(system, v) === 0) && sealsEquation(system, v)) continue;
    if (value !== undefined) {
      // Not a count this equation gives whatever it shows (England's exact figure over its only region with data):
      // its `*` would protect nothing.
      if (value < bestValue && !pinnedWhateverHidden(system, equation, v, true)) {
        best = v;
        bestValue = value;
      }
      continue;
    }
    const r = rowOf[v] as number;
    if (zero === undefined && r >= 0 && !isNational(rows[r] as Row) && publishedValue(system, v) === 0) zero = v;
  }
  return best ?? (orZero ? zero : undefined);
}

/** Why rows below England are left out, as a document's summary says (withheldBelowEngland). */
export const WITHHELD_REASON =
  'Withheld for disclosure control, not missing: a figure below England in these rows could otherwise be worked out ' +
  "exactly from England's figure and those beside it, with nothing left to suppress. England's figure is published.";

/**
 * The reason where England's row of some of the periods withheld holds figures back itself (the revisions policy: an
 * England key row made by few PCNs, red-team review 28, R28-5; a period made by few): those entries are marked
 * `england_held`, and the reason does not say England's figure is published there (key28's note).
 */
export const WITHHELD_REASON_ENGLAND_HELD =
  'Withheld for disclosure control, not missing: a figure below England in these rows could otherwise be worked out ' +
  "exactly from England's figure and those beside it, with nothing left to suppress. England's figure is published, " +
  "except where marked england_held: there England's row holds figures back too (no figure, or an earlier release's, " +
  'while the revisions policy holds them: summary.revisions_held).';

/**
 * The rows of `exact` that control left out of `published` (the audit's withholding), by period and document `keys`,
 * with the levels left out (red-team review 7, M8); undefined where none is. Only levels: a number of rows could count
 * the areas with a figure (WithheldBelowEngland). Control keeps the rows' order, so the two are walked side by side (a
 * published row the exact rows lack is passed over).
 */
export function withheldBelowEngland(
  exact: readonly Row[],
  published: readonly Row[],
  keys: readonly string[],
  /**
   * The periods (`period_type|period|` and the keys' values, joined by `|`) whose England row holds figures back (the
   * revisions policy): their entries are marked `england_held`.
   */
  englandHeld: ReadonlySet<string> = new Set(),
): WithheldBelowEngland | undefined {
  const periods = new Map<
    string,
    { period_type: string; period: string; keys?: Row; levels: string[]; england_held?: true }
  >();
  let j = 0;
  for (const row of exact) {
    if (j < published.length && sameArea(row, published[j] as Row, keys)) {
      j++;
      continue;
    }
    const at = [row.period_type, row.period, ...keys.map((k) => row[k])].map(String).join('|');
    let entry = periods.get(at);
    if (entry === undefined) {
      entry = {
        period_type: String(row.period_type),
        period: String(row.period),
        ...(keys.length > 0 ? { keys: Object.fromEntries(keys.map((k) => [k, row[k] ?? null])) } : {}),
        levels: [],
        ...(englandHeld.has(at) ? { england_held: true as const } : {}),
      };
      periods.set(at, entry);
    }
    if (!entry.levels.includes(String(row.level))) entry.levels.push(String(row.level));
  }
  if (periods.size === 0) return undefined;
  const rank = (level: string) => {
    const at = LEVELS_DOWN.indexOf(level);
    return at === -1 ? LEVELS_DOWN.length : at;
  };
  for (const entry of periods.values()) entry.levels.sort((a, b) => rank(a) - rank(b));
  const held = [...periods.values()].some((entry) => entry.england_held === true);
  return { reason: held ? WITHHELD_REASON_ENGLAND_HELD : WITHHELD_REASON, withheld: [...periods.values()] };
}

/** The levels of areas from the top, as a summary lists them. */
const LEVELS_DOWN = ['national', 'region', 'icb', 'pcn'];

/**
 * The periods (as withheldBelowEngland keys them) whose England row the revisions policy holds: `revised` is `exact`
 * with England's held rows replaced (revisions.ts, asPublished: a new row where one is held), row for row.
 */
export function englandRowsHeld(exact: readonly Row[], revised: readonly Row[], keys: readonly string[]): Set<string> {
  const held = new Set<string>();
  if (revised === exact) return held;
  for (let i = 0; i < exact.length; i++) {
    const row = exact[i] as Row;
    if (isNational(row) && revised[i] !== row)
      held.add([row.period_type, row.period, ...keys.map((k) => row[k])].map(String).join('|'));
  }
  return held;
}

/** Whether two rows are of the same area, period and document keys. */
function sameArea(a: Row, b: Row, keys: readonly string[]): boolean {
  if (a.code !== b.code || a.period !== b.period || a.period_type !== b.period_type) return false;
  for (const k of keys) if (a[k] !== b[k]) return false;
  return a.level === b.level;
}

/** A rate from published figures: suppressed with its numerator or denominator, null without a denominator. */
export function rate(numerator: unknown, denominator: unknown, per = 1, digits = 1): Figure {
  if (numerator === SUPPRESSED || denominator === SUPPRESSED) return SUPPRESSED;
  if (typeof numerator !== 'number' || typeof denominator !== 'number' || denominator <= 0) return null;
  const factor = 10 ** digits;
  return Math.round((numerator / denominator) * per * factor) / factor;
}
