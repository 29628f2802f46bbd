import { financialYearOf } from '../contract/periods.ts';
import type { Row } from '../lib/query-engine.ts';

/**
 * The disclosure audit: what a reader can work out about each published cell from everything published beside it,
 * by interval (bounds) propagation over the document's additive structure (docs/methodology.md, "Disclosure
 * control", the audit). Shared by the publisher (disclosure.ts suppresses more until it finds nothing) and the test
 * scan (test/support/disclosure-scan.ts), which checks it against enumeration on small cases.
 *
 * What a reader knows of a published count, below England: 0 is 0; a rounded count v (a multiple of 5, at least 10)
 * is an integer from max(8, v - 2) to v + 2; `*` is 1 to 7 (a suppressed count; a secondary `*` may hide anything, see
 * `SuppressedRange`). England is exact. Where the document lists every area with a figure (grouping sets: an area
 * with none has no row), an absent row is 0. Additive structure, each an equation total = sum of parts:
 * - areas within areas: England = its regions, a region = its ICBs, an ICB = its PCNs (per period and document keys);
 *   a PCN that moved ICB within a year is split into unpublished parts, one per ICB it was in (each 0 or more);
 * - columns within a row that add up to another (the referral sources to referrals);
 * - the months of a financial year within the year (the counts that add up over months: events, not distinct people):
 *   a year's row below England = its months' rows of the same area and keys; a month withheld below England (England's
 *   row and none below it) is an unpublished part of each year (0 or more).
 *
 * A cell is disclosed when the reader's interval for it holds one value only: the count is recovered exactly (a `*`
 * pinned, or a rounded count pinned to its unrounded value), or an unpublished part (of a moved PCN, or of a year's
 * withheld months) is pinned to 1-7. Bounds propagation is sound (the interval always holds every value the published
 * figures allow) and exact where the equations form a tree (areas within areas without moves); with moves, groups or
 * months it may be wider than the exact range, so it can miss a recovery that needs a linear program: the test
 * enumerates small cases to show both.
 */

/** The smallest unrounded count a published rounded count can be (the rounding rule publishes 8 as 10). */
const MIN_ROUNDED = 8;
const ROUNDING_HALF_WIDTH = 2;
/** A primary `*`: a count from 1 to 7. */
export const PRIMARY_SUPPRESSED: Interval = [1, 7];
/**
 * What a `*` below England protects (R11-5): under the reading of the published figures that the audit makes for
 * pins, its upper bound must reach PROTECTION_LEVEL, so that the reader is left at least 1 to 3 of its 1 to 7. A
 * region's `*` (at most 7) over six ICBs' `*` (at least 1 each) leaves each ICB 1 or 2: nearly the count itself. The
 * statistical offices' suppression tools state the same as a requirement on each suppressed cell's feasibility
 * interval: GaussSuppression's PrimaryDefault with protectionIntervals (frequency tables) asks its upper bound to be
 * at least 1 above the true count and the interval at least 2 wide (IntervalLimits' `upmin_` and `rlim_`;
 * https://rdrr.io/cran/GaussSuppression/man/PrimaryDefault.html), as tau-Argus asks a protection interval of each
 * primary cell. Without the value (a reader sees a `*`): from 1, at least 2 wide is up to 3. A level of 5 (an interval
 * as wide as 1 to 5) was measured: on the 2% demo every family of four or more `*` under a `*` reached it, and where
 * nothing widens them (a region has at most seven ICBs) the rows below England of the period were withheld, 1,856 of
 * referral_sources' 1,989 (docs/methodology.md).
 */
export const PROTECTION_LEVEL = 3;
/** A `*` that may hide any count, zero included (secondary suppression). */
export const ANY_COUNT: Interval = [0, Number.POSITIVE_INFINITY];

export type Interval = readonly [number, number];

/** A published cell: a row of the document and one of its count columns. */
export interface AuditCell {
  readonly row: Row;
  readonly column: string;
}

/** The reader's interval for a `*` cell (the publisher may know which `*` are secondary; the scan does not). */
export type SuppressedRange = (cell: AuditCell) => Interval;

export interface AuditSpec {
  /** The integer count columns audited. */
  readonly columns: readonly string[];
  /** Columns within a row adding up to another. */
  readonly groups?: readonly { readonly total: string; readonly parts: readonly string[] }[];
  /**
   * Areas within areas, as `DisclosureRules.areas`: a row is a part of the families `partOf` names (England's regions
   * of England's family) and the total of the family `totalOf` names. A family keys its period and document keys.
   */
  readonly areas: {
    readonly partOf: (row: Row) => readonly string[];
    readonly totalOf: (row: Row) => string;
    /** The same keys by their structure (areasWithin), from which auditKeys numbers them without their texts. */
    readonly hierarchy?: AreaHierarchy;
  };
  /**
   * The months of a financial year within the year, for `columns` (those whose year is the sum of its months: counts
   * of events, not of distinct people); a family is an area's year and its months with the same document `keys`.
   */
  readonly months?: { readonly columns: readonly string[]; readonly keys: readonly string[] };
  /**
   * Groups within dimensions (partitionEquations): the rows of one area and period whose groups of a dimension add up to
   * a total shared by every dimension (review 8, N1 and N2).
   */
  readonly partitions?: readonly Partition[];
  /**
   * Columns audited in some rows only (workforce's staff headcounts in month rows: whole people adding up over areas;
   * a year's is the mean of its months, which does not; review 28, R28-4): elsewhere the cell is no variable.
   */
  readonly only?: Readonly<Record<string, (row: Row) => boolean>>;
}

/**
 * Rows of one area and period (of one document) that are the groups of dimensions of the same people or referrals:
 * every one of them is in one group of each dimension, so each dimension's groups add up to the same total (equity's
 * people by deprivation decile, ethnicity group, age band and sex; the contacts distribution's bins, one dimension).
 * The total is unpublished in the document (0 or more), or where another document publishes exactly that count for the
 * area and period (`linkedTo`), read as that document publishes it (review 8, N1 and N2).
 */
export interface Partition {
  /** The column naming the dimension (equity's `dimension`); without it, the rows of an area and period are one. */
  readonly dimension?: string;
  /** The column naming the group within its dimension. */
  readonly group: string;
  /** The counts whose groups add up so (each its own total). */
  readonly columns: readonly string[];
  /** The rows taking part; without it, every row (equity: not the PCN-deprivation quintiles, groups of PCNs). */
  readonly rows?: (row: Row) => boolean;
  /**
   * The documents publishing the total of an area and period (its fy or month row of the same level and code): per
   * count, the column holding the same count there. Resolved into `linked` from the documents published before
   * (linkPartitions); a document not given leaves the total unpublished.
   */
  readonly linkedTo?: readonly { readonly document: string; readonly columns: Readonly<Record<string, string>> }[];
  /** The total as published elsewhere for a row's area and period and a count (undefined: unpublished). */
  readonly linked?: (row: Row, column: string) => unknown;
  /**
   * Documents publishing a sum of some of the parts (not the whole: cof_person's episodes with 6 to 12 contacts, of the
   * contacts distribution's bins): England's revisions hold a part's period there too when a part is held by its own
   * change (revisions.ts, holdScope; red-team review 12, R12-1).
   */
  readonly heldWith?: readonly string[];
  /**
   * The dimensions of each period (`period_type|period|dimension`) with a group withheld below England, worked out from
   * all of a document's rows where the rows audited are some of its families only (padPartitions); without it, from
   * the rows audited.
   */
  readonly withheld?: ReadonlySet<string>;
}

/** A disclosed cell: a published one, or an unpublished part of a moved PCN (`part`: the family it is a part of). */
export interface Disclosure {
  /** The variable of the audit system (a published cell's, or an unpublished part's). */
  readonly variable: number;
  readonly cell: AuditCell;
  readonly value: number;
  readonly part?: string;
}

/**
 * The `*` a reader knows cannot be 1 to 7 from figures outside a reading (withoutEnglandAfter's `known`), or how to work
 * them out: called only where the pieces without England are read, after the component is (issue 17: the publisher's
 * set, looselySecondary's propagation over the whole component, was worked out for every component found clean, and
 * most have no piece to read).
 */
export type Known = ReadonlySet<number> | (() => ReadonlySet<number> | undefined);

/** The interval a reader gives a published figure. England is exact; `*` as `suppressed` says. */
export function publishedInterval(value: unknown, england: boolean, suppressed: Interval): Interval | undefined {
  if (value === '*') return suppressed;
  if (typeof value !== 'number') return undefined;
  if (england || value === 0) return [value, value];
  return [Math.max(MIN_ROUNDED, value - ROUNDING_HALF_WIDTH), value + ROUNDING_HALF_WIDTH];
}

/**
 * The equations of a document, built once: variables are published cells (and unpublished parts of moved PCNs),
 * each equation's first variable the total of the others. Variables are grouped into components (connected by
 * equations) so that a component can be audited again alone after it changes. Held in typed arrays, not an object per
 * cell or per equation (issue 17: a national document has millions of cells).
 */
export interface AuditSystem {
  /** The rows the system was built from, and the columns of its variables. */
  readonly rows: readonly Row[];
  readonly columns: readonly string[];
  /** The variable of row r and column c (columns[c]) at variableAt[r * columns.length + c]; -1: none. */
  readonly variableAt: Int32Array;
  /**
   * With `months`, every cell is a variable twice: its first variable (variableAt) in the areas' and groups' equations,
   * its second (copyAt, laid out as variableAt) in a copy of them with the months' (monthEquations).
   */
  readonly copyAt?: Int32Array;
  readonly columnIndex: ReadonlyMap<string, number>;
  /** Per variable: the index of its row in `rows` (-1 for an unpublished part) and of its column in `columns`. */
  readonly rowOf: Int32Array;
  readonly columnOf: Int32Array;
  /** Per variable: its row's level (LEVEL_*; an unpublished part: LEVEL_OTHER). */
  readonly levelOf: Uint8Array;
  /** For an unpublished part: its PCN's cell and the family it is a part of. */
  readonly parts: ReadonlyMap<number, { readonly cell: AuditCell; readonly family: string }>;
  /**
   * The unpublished parts that are the totals of partitions (partitionEquations), with the value another document
   * publishes for them (undefined: none): read as that published value, and disclosed when pinned to any count of 1
   * or more.
   */
  readonly totals?: ReadonlyMap<number, unknown>;
  /** Equation e is variables equationVariables[equationStart[e]] to [equationStart[e + 1] - 1], its total first. */
  readonly equationStart: Int32Array;
  readonly equationVariables: Int32Array;
  /** The equations of variable v: equationsOfList[equationsOfStart[v]] to [equationsOfStart[v + 1] - 1]. */
  readonly equationsOfStart: Int32Array;
  readonly equationsOfList: Int32Array;
  /** Per component: its variables and its equations, in order (views of two typed arrays). */
  readonly components: readonly { readonly variables: Int32Array; readonly equations: Int32Array }[];
  readonly componentOf: Int32Array;
  /** Working arrays, reused by every audit of a component (only the component's variables are touched). */
  readonly scratch: {
    readonly lo: Float64Array;
    readonly hi: Float64Array;
    readonly queued: Uint8Array;
    /** The ring of equations to propagate (propagateFrom). */
    readonly queue: Int32Array;
    /** Visit marks of a search by equations (variables, equations), each search with a new stamp. */
    readonly visited: Int32Array;
    readonly visitedEquations: Int32Array;
    stamp: number;
    /** The variables a search by equations reached, in the order reached (nearestVariable's queue). */
    readonly reached: Int32Array;
    /** The published value of each variable of the component being audited: its kind (VALUE_*) and number. */
    readonly kind: Uint8Array;
    readonly value: Float64Array;
    /** A `*` that one equation shows cannot be 1 to 7 (evidentlySecondary). */
    readonly evident: Uint8Array;
    /** The variables an equation narrowed, in order. */
    changed: Int32Array;
    /** Per variable, when its value (kind or number) last changed (`clock`, counted by each change: loadValue, setKind). */
    readonly changedAt: Uint32Array;
    clock: number;
  };
  /** The families of areas the equations were built from, for the system with the months (buildAuditSystem). */
  readonly areaFamilies: AreaFamilies;
  /**
   * With `months`: the equations of the copy that repeat the first copy's (areas and groups), from [0] to [1] - 1; the
   * months' own follow them. An equation read alone (equationDisclosures) is read once.
   */
  readonly repeated?: readonly [number, number];
  /**
   * Where the system was built from `areasOnly` (buildAuditSystem): how many of its first components are areasOnly's,
   * the same variables and equations in the same order (its first copy's). The copy's and the months' equations hold
   * only variables made after them, so those components come after.
   */
  readonly fromAreasOnly?: number;
}

/**
 * Families of areas by key, those with their total row and a part: the index of the total row and of the part rows in
 * the system's rows; and per row, how many families it is a part of.
 */
interface AreaFamilies {
  readonly families: readonly (readonly [string, { readonly total: number; readonly parts: readonly number[] }])[];
  readonly memberships: Int32Array;
}

const LEVEL_OTHER = 0;
const LEVEL_NATIONAL = 1;
const LEVEL_REGION = 2;
/** A variable's published value: none a reader can use (an unpublished part, null), a number, or `*`. */
const VALUE_NONE = 0;
const VALUE_NUMBER = 1;
const VALUE_SUPPRESSED = 2;

/** The cell of a variable (a new object each time); undefined for an unpublished part. */
export function cellOf(system: AuditSystem, v: number): AuditCell | undefined {
  const r = system.rowOf[v] as number;
  return r < 0
    ? undefined
    : { row: system.rows[r] as Row, column: system.columns[system.columnOf[v] as number] as string };
}

/** The variable of a row (its index in the system's rows) and column; -1 where it has none. */
export function variableOf(system: AuditSystem, r: number, column: string): number {
  const c = system.columnIndex.get(column);
  return c === undefined ? -1 : (system.variableAt[r * system.columns.length + c] as number);
}

/** The variables of a row and column: its first, and its copy's with months (-1 where it has none). */
export function variablesOf(system: AuditSystem, r: number, column: string): readonly [number, number] {
  const c = system.columnIndex.get(column);
  if (c === undefined) return [-1, -1];
  const at = r * system.columns.length + c;
  return [system.variableAt[at] as number, system.copyAt === undefined ? -1 : (system.copyAt[at] as number)];
}

/** The value a variable's cell holds now (undefined for an unpublished part). */
export function publishedValue(system: AuditSystem, v: number): unknown {
  const r = system.rowOf[v] as number;
  return r < 0 ? undefined : (system.rows[r] as Row)[system.columns[system.columnOf[v] as number] as string];
}

/**
 * Families of areas, by key, those with their total row and a part: the index of the total row and of the part rows,
 * in `rows`; and how many families each row is a part of. In the order each key is first met (a row's total key, then
 * its part keys). A family is made only for a key with both (issue 17: one per row was made, most of them a PCN's
 * own key with no parts, and dropped).
 */
function areaFamiliesOf(
  rows: readonly Row[],
  areas: AuditSpec['areas'],
  keys: AuditKeys | undefined,
  memberships: Int32Array,
): [string, { total: number; parts: number[] }][] {
  const { texts, partOf, totalOf } = keys ?? auditKeys(rows, areas);
  // Per key (its number): its total row (the last with it: -1, none), how many parts, and the keys in the order met.
  const totalRow = new Int32Array(texts.length).fill(-1);
  const partCount = new Int32Array(texts.length);
  const met = new Uint8Array(texts.length);
  const order: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const totalKey = totalOf[i] as number;
    totalRow[totalKey] = i;
    if (met[totalKey] === 0) {
      met[totalKey] = 1;
      order.push(totalKey);
    }
    const parts = partOf[i] as readonly number[];
    memberships[i] = parts.length;
    for (let k = 0; k < parts.length; k++) {
      const key = parts[k] as number;
      partCount[key] = (partCount[key] as number) + 1;
      if (met[key] === 0) {
        met[key] = 1;
        order.push(key);
      }
    }
  }
  const families: [string, { total: number; parts: number[] }][] = [];
  // Each key's family by its number (-1: none), not by its text (auditKeys).
  const familyOf = new Int32Array(texts.length).fill(-1);
  for (let o = 0; o < order.length; o++) {
    const key = order[o] as number;
    const total = totalRow[key] as number;
    if (total < 0 || partCount[key] === 0) continue;
    familyOf[key] = families.length;
    families.push([texts[key] as string, { total, parts: [] }]);
  }
  for (let i = 0; i < rows.length; i++) {
    const parts = partOf[i] as readonly number[];
    for (let k = 0; k < parts.length; k++) {
      const family = familyOf[parts[k] as number] as number;
      if (family >= 0) (families[family] as (typeof families)[number])[1].parts.push(i);
    }
  }
  return families;
}

/**
 * Each row's family keys worked out beforehand (auditKeys), in the order of the rows given (the publisher works them
 * out once for every build of a document's system): `partOf[i]` and `totalOf[i]` are the numbers of the keys
 * `AuditSpec.areas` gives for row i, `texts` each number's key.
 */
export interface AuditKeys {
  readonly texts: readonly string[];
  readonly partOf: readonly (readonly number[])[];
  readonly totalOf: ArrayLike<number>;
}

/**
 * The areas within areas of a document by their structure (AuditSpec.areas `hierarchy`): a row's parent areas in its
 * period and the document's keys. Its family keys are texts `[area, period_type, period, ...keys].join('|')`, each
 * part as keyPart reads it.
 */
export interface AreaHierarchy {
  readonly parentOf: (row: Row) => readonly string[];
  readonly keys: readonly string[];
}

/** A part of a family key: null and undefined as the empty text, anything else as its text. */
export const keyPart = (value: unknown): string =>
  typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);

/**
 * The areas within areas of `hierarchy` (AuditSpec.areas): its family keys as texts, and the hierarchy itself, from
 * which auditKeys numbers the same keys without making a text per row and parent.
 */
export function areasWithin(hierarchy: AreaHierarchy): AuditSpec['areas'] & { readonly hierarchy: AreaHierarchy } {
  const { parentOf, keys } = hierarchy;
  // A family key per row and parent (issue 17: no array made per key).
  const family = (area: unknown, row: Row) => {
    let key = `${keyPart(area)}|${keyPart(row.period_type)}|${keyPart(row.period)}`;
    for (const k of keys) key += `|${keyPart(row[k])}`;
    return key;
  };
  return {
    partOf: (row: Row) => parentOf(row).map((parent) => family(parent, row)),
    totalOf: (row: Row) => family(row.code, row),
    hierarchy,
  };
}

/**
 * Numbers tuples of texts (the parts of a family key, given in `parts` before each call of `number`), each tuple once,
 * in the order first met, exactly as their texts joined by `|` would be: by a Map per part, not a text per row (issue
 * 17). Two tuples of which no part holds a `|` join to the same text only where they are equal, and never to a tuple's
 * with a `|` in a part (whose text has more parts): those with one are numbered by their text.
 */
export class TupleNumbers {
  /** The parts of the tuple to number next (the caller's scratch). */
  readonly parts: string[];
  /** Per number: its tuple's text, and whether a part holds a `|`. */
  readonly texts: string[] = [];
  readonly piped: boolean[] = [];
  private readonly root = new Map<string, unknown>();
  private readonly byText = new Map<string, number>();

  constructor(width: number) {
    this.parts = new Array<string>(width).fill('');
  }

  number(): number {
    const { parts } = this;
    const last = parts.length - 1;
    let level = this.root;
    for (let i = 0; i < last; i++) {
      const part = parts[i] as string;
      let next = level.get(part) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(part, next);
      }
      level = next;
    }
    const leaf = parts[last] as string;
    let n = level.get(leaf) as number | undefined;
    if (n !== undefined) return n;
    const text = parts.join('|');
    const piped = parts.some((part) => part.includes('|'));
    n = piped ? this.byText.get(text) : undefined;
    if (n === undefined) {
      n = this.texts.length;
      this.texts.push(text);
      this.piped.push(piped);
      if (piped) this.byText.set(text, n);
    }
    level.set(leaf, n);
    return n;
  }
}

/**
 * The family keys of `rows` (AuditKeys), each key numbered once: the families of areas are then found by number, not
 * by text, each time a document's families are (secondary suppression's, and each build of its audit's system). On
 * the national dump, finding them by text in Maps was about 3.5 of the 53 CPU s of the disclosure step (issue 17,
 * cpu-prof of disclosure-step.ts: areaFamilies and areaFamiliesOf). With a `hierarchy` (areasWithin), the keys are
 * numbered by their parts (keysByHierarchy), not by a text made and looked up per row and parent: the same numbers
 * and texts (test/unit/audit-keys-hierarchy.test.ts).
 */
export function auditKeys(rows: readonly Row[], areas: AuditSpec['areas']): AuditKeys {
  if (areas.hierarchy !== undefined) return keysByHierarchy(rows, areas.hierarchy);
  const numbers = new Map<string, number>();
  const texts: string[] = [];
  const numberOf = (key: string) => {
    let n = numbers.get(key);
    if (n === undefined) {
      n = texts.length;
      numbers.set(key, n);
      texts.push(key);
    }
    return n;
  };
  const totalOf = new Int32Array(rows.length);
  const partOf: number[][] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Row;
    totalOf[i] = numberOf(areas.totalOf(row));
    partOf[i] = areas.partOf(row).map(numberOf);
  }
  return { texts, partOf, totalOf };
}

/** No parent areas: one empty list of keys for every such row. */
const NO_KEYS: readonly number[] = Object.freeze([]);

/**
 * auditKeys by a hierarchy: each row's period and keys numbered once (TupleNumbers), then each area within that by
 * its code, in the order auditKeys meets the keys (a row's own, then its parents'). On the 25% dump the keys by text
 * were about 5% of the step's cpu-prof samples, most of it their texts hashed in `numbers` (issue 17, session 36).
 */
function keysByHierarchy(rows: readonly Row[], { parentOf, keys }: AreaHierarchy): AuditKeys {
  const periods = new TupleNumbers(2 + keys.length);
  const { parts } = periods;
  // Per period and keys (its number): each area's key number by its code.
  const byPeriod: Map<string, number>[] = [];
  const texts: string[] = [];
  const byText = new Map<string, number>();
  const numberOf = (area: string, period: number): number => {
    let codes = byPeriod[period];
    if (codes === undefined) {
      codes = new Map();
      byPeriod[period] = codes;
    }
    let n = codes.get(area);
    if (n !== undefined) return n;
    const text = `${area}|${periods.texts[period] as string}`;
    // As TupleNumbers: a key with a `|` in a part is numbered by its text.
    const piped = (periods.piped[period] as boolean) || area.includes('|');
    n = piped ? byText.get(text) : undefined;
    if (n === undefined) {
      n = texts.length;
      texts.push(text);
      if (piped) byText.set(text, n);
    }
    codes.set(area, n);
    return n;
  };
  const totalOf = new Int32Array(rows.length);
  const partOf: (readonly number[])[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Row;
    parts[0] = keyPart(row.period_type);
    parts[1] = keyPart(row.period);
    for (let k = 0; k < keys.length; k++) parts[k + 2] = keyPart(row[keys[k] as string]);
    const period = periods.number();
    totalOf[i] = numberOf(keyPart(row.code), period);
    const parents = parentOf(row);
    if (parents.length === 0) {
      partOf[i] = NO_KEYS;
      continue;
    }
    const numbers = new Array<number>(parents.length);
    for (let p = 0; p < parents.length; p++) numbers[p] = numberOf(keyPart(parents[p]), period);
    partOf[i] = numbers;
  }
  return { texts, partOf, totalOf };
}

/**
 * The system of `rows` (AuditSystem). `areasOnly`, where given, is this document's system without the months, built on
 * the same rows (the same array) and the same columns: the system with the months starts with the same variables and
 * equations (its first copy), so they are taken from it rather than worked out again (issue 17: the publisher reads
 * the months once the areas alone find nothing). Disclosure control only ever turns a published count into `*`, so the
 * variables (the cells holding a number or `*`) are those of then; where a cell that held neither then holds `*` now
 * (secondary suppression can mark a total without a figure), everything is worked out again.
 */
export function buildAuditSystem(
  rows: readonly Row[],
  spec: AuditSpec,
  keys?: AuditKeys,
  areasOnly?: AuditSystem,
): AuditSystem {
  const reused = areasOnly !== undefined && canExtend(areasOnly, rows, spec) ? areasOnly : undefined;
  const columns = reused?.columns ?? auditColumns(spec);
  const columnIndex = reused?.columnIndex ?? new Map(columns.map((column, c) => [column, c]));
  const width = columns.length;
  const only = spec.only === undefined ? undefined : columns.map((column) => spec.only?.[column]);
  // The variable of each row and column, made when first met (the numbering is the order cells are first met).
  const rowOf = new IntList(reused?.rowOf);
  const columnOf = new IntList(reused?.columnOf);
  const parts = new Map<number, { cell: AuditCell; family: string }>(reused?.parts);
  const variables =
    (ids: Int32Array) =>
    (r: number, c: number): number => {
      const at = r * width + c;
      let id = ids[at] as number;
      if (id >= 0) return id;
      const value = (rows[r] as Row)[columns[c] as string];
      if (typeof value !== 'number' && value !== '*') return -1;
      if (only !== undefined && only[c] !== undefined && !(only[c] as (row: Row) => boolean)(rows[r] as Row)) return -1;
      id = rowOf.length;
      rowOf.push(r);
      columnOf.push(c);
      ids[at] = id;
      return id;
    };
  const part = (r: number, c: number, family: string): number => {
    const id = rowOf.length;
    rowOf.push(-1);
    columnOf.push(c);
    parts.set(id, { cell: { row: rows[r] as Row, column: columns[c] as string }, family });
    return id;
  };
  const equations = new EquationList(reused);
  // Columns within a row adding up to another.
  const groups = (spec.groups ?? []).map((g) => ({
    total: columnIndex.get(g.total) as number,
    parts: g.parts.map((column) => columnIndex.get(column) as number),
  }));
  // Families of areas, found once for both copies: only those with their total row and a part say anything.
  let areaFamilies = reused?.areaFamilies;
  if (areaFamilies === undefined) {
    const memberships = new Int32Array(rows.length);
    const families = areaFamiliesOf(rows, spec.areas, keys, memberships);
    areaFamilies = { families, memberships };
  }
  const { families, memberships } = areaFamilies;
  const totals = new Map<number, unknown>(reused?.totals);
  const areasAndGroups = (of: (r: number, c: number) => number) => {
    areaEquations(families, memberships, spec, columnIndex, of, part, equations);
    if (spec.partitions !== undefined)
      partitionEquations(rows, spec.partitions, columnIndex, of, part, equations, totals);
    if (groups.length > 0)
      for (let r = 0; r < rows.length; r++)
        for (let g = 0; g < groups.length; g++) {
          const group = groups[g] as (typeof groups)[number];
          const t = of(r, group.total);
          if (t < 0) continue;
          equations.open(t);
          for (let i = 0; i < group.parts.length; i++) {
            const v = of(r, group.parts[i] as number);
            if (v >= 0) equations.add(v);
          }
          equations.close();
        }
  };
  let ids: Int32Array;
  if (reused === undefined) {
    ids = new Int32Array(rows.length * width).fill(-1);
    areasAndGroups(variables(ids));
  } else ids = reused.variableAt;
  // The months (monthEquations): a second variable for each cell, in a copy of the equations above with the months'.
  let copyAt: Int32Array | undefined;
  let repeated: [number, number] | undefined;
  const months = spec.months;
  if (months?.columns.some((column) => spec.columns.includes(column))) {
    const from = equations.start.length - 1;
    if (reused === undefined) {
      copyAt = new Int32Array(rows.length * width).fill(-1);
      areasAndGroups(variables(copyAt));
    } else {
      // Built again by the same steps on the same rows, the copy's areas and groups would be the first copy's, each
      // variable v made as reused's n + v: its cells hold a figure or `*` where they did then and only there
      // (canExtend), so each step makes its variable or part in the same order. So they are renumbered, not built
      // again. With withComponents' base below: national referral_sources' system with the months built on its system
      // without them in 0.44 CPU s, was 0.58 (issue 17, best of 5 on the national dump); the extended system equals
      // the one built from nothing (test/unit/disclosure-audit.test.ts).
      const n = reused.rowOf.length;
      copyAt = new Int32Array(reused.variableAt.length);
      for (let at = 0; at < copyAt.length; at++) {
        const v = reused.variableAt[at] as number;
        copyAt[at] = v < 0 ? -1 : n + v;
      }
      for (let v = 0; v < n; v++) {
        rowOf.push(reused.rowOf[v] as number);
        columnOf.push(reused.columnOf[v] as number);
      }
      reused.parts.forEach(({ cell, family }, p) => {
        parts.set(n + p, { cell: { row: cell.row, column: cell.column }, family });
      });
      reused.totals?.forEach((linked, t) => {
        totals.set(n + t, linked);
      });
      equations.repeat(reused, n);
    }
    repeated = [from, equations.start.length - 1];
    monthEquations(rows, months, spec.columns, columnIndex, variables(copyAt), part, equations);
  }
  const levelOf = new Uint8Array(rowOf.length);
  if (reused !== undefined) levelOf.set(reused.levelOf);
  for (let v = reused === undefined ? 0 : reused.levelOf.length; v < rowOf.length; v++) {
    const r = rowOf.data[v] as number;
    const level = r < 0 ? undefined : (rows[r] as Row).level;
    levelOf[v] = level === 'national' ? LEVEL_NATIONAL : level === 'region' ? LEVEL_REGION : LEVEL_OTHER;
  }
  const system = withComponents(
    rows,
    columns,
    ids,
    copyAt,
    columnIndex,
    rowOf.done(),
    columnOf.done(),
    levelOf,
    parts,
    equations.start.done(),
    equations.variables.done(),
    areaFamilies,
    reused,
  );
  // Every system has the same properties in the same order, those it lacks undefined (not left out, nor added by a
  // spread): the audit's functions, given systems of one shape, stay optimised for it. With up to eight shapes (one
  // per combination of these three) each new one met undid their optimised code, and past four they read every
  // property the slow way (issue 17: deoptimisations on the system's map at the start of the audit's functions).
  system.repeated = repeated;
  system.totals = totals.size === 0 ? undefined : totals;
  system.fromAreasOnly = reused === undefined ? undefined : reused.components.length;
  return system;
}

/** The columns of a system's variables: the audited counts, then any other column of a group. */
function auditColumns(spec: AuditSpec): string[] {
  return [...new Set([...spec.columns, ...(spec.groups ?? []).flatMap((g) => [g.total, ...g.parts])])];
}

/**
 * Whether the system with the months of `rows` and `spec` can start from `areasOnly` (buildAuditSystem): built without
 * the months on the same rows and columns, and every cell holds a number or `*` where it has a variable and only there
 * (control only turns a number into `*`: the cells with a variable always still do).
 */
function canExtend(areasOnly: AuditSystem, rows: readonly Row[], spec: AuditSpec): boolean {
  const { columns, variableAt } = areasOnly;
  if (areasOnly.rows !== rows || areasOnly.copyAt !== undefined) return false;
  const wanted = auditColumns(spec);
  if (wanted.length !== columns.length || wanted.some((column, c) => columns[c] !== column)) return false;
  const width = columns.length;
  for (let at = 0; at < variableAt.length; at++) {
    const row = rows[Math.floor(at / width)] as Row;
    const column = columns[at % width] as string;
    const value = row[column];
    const audited = (typeof value === 'number' || value === '*') && (spec.only?.[column]?.(row) ?? true);
    if (audited !== (variableAt[at] as number) >= 0) return false;
  }
  return true;
}

/**
 * A list of integers in a typed array that doubles as it fills: millions of cells and equations per national document,
 * kept out of the garbage collector's way (a JS array of them is copied from young to old space as it grows).
 */
class IntList {
  data: Int32Array;
  length: number;

  /** Empty, or starting with a copy of `from`. */
  constructor(from?: Int32Array) {
    this.data = new Int32Array(Math.max(1024, (from?.length ?? 0) * 2));
    this.length = from?.length ?? 0;
    if (from !== undefined) this.data.set(from);
  }

  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }

  /** The integers, in a typed array of their length (a view of the same memory). */
  done(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/** Equations as they are built: flat, each with its total first; an equation of a total alone is dropped. */
class EquationList {
  readonly start: IntList;
  readonly variables: IntList;

  /** Empty, or starting with the equations of `system`, to add more to. */
  constructor(system?: AuditSystem) {
    this.start = new IntList(system?.equationStart ?? Int32Array.of(0));
    this.variables = new IntList(system?.equationVariables);
  }

  private from = 0;

  open(total: number): void {
    this.from = this.variables.length;
    this.variables.push(total);
  }

  add(v: number): void {
    this.variables.push(v);
  }

  close(): void {
    if (this.variables.length - this.from > 1) this.start.push(this.variables.length);
    else this.variables.length = this.from;
  }

  /** Adds a copy of every equation of `system`, each variable v as v + shift. */
  repeat(system: AuditSystem, shift: number): void {
    const { equationStart, equationVariables } = system;
    const offset = this.variables.length;
    for (let i = 0; i < equationVariables.length; i++) this.variables.push((equationVariables[i] as number) + shift);
    for (let e = 1; e < equationStart.length; e++) this.start.push(offset + (equationStart[e] as number));
  }
}

/** Areas within areas: a family's total = its parts, a moved PCN's part in each family unpublished. */
function areaEquations(
  families: readonly (readonly [string, { readonly total: number; readonly parts: readonly number[] }])[],
  memberships: Int32Array,
  spec: AuditSpec,
  columnIndex: ReadonlyMap<string, number>,
  of: (r: number, c: number) => number,
  part: (r: number, c: number, family: string) => number,
  equations: EquationList,
): void {
  const splits = new Map<number, { of: number; parts: number[] }>();
  const auditedColumns = spec.columns.map((column) => columnIndex.get(column) as number);
  // (A family without its total row, or with no part published, says nothing a reader can rely on: left out.)
  // Indexed loops, not for...of: this runs once per system build (issue 17, profile: the iterators' objects).
  for (let f = 0; f < families.length; f++) {
    const [key, { total, parts: members }] = families[f] as (typeof families)[number];
    for (let a = 0; a < auditedColumns.length; a++) {
      const c = auditedColumns[a] as number;
      const t = of(total, c);
      if (t < 0) continue;
      equations.open(t);
      for (let m = 0; m < members.length; m++) {
        const member = members[m] as number;
        const v = of(member, c);
        if (v < 0) continue;
        const memberOf = memberships[member] as number;
        if (memberOf === 1) {
          equations.add(v);
          continue;
        }
        // A moved PCN: its part in this family is unpublished; its parts add up to its own figure.
        const p = part(member, c, key);
        equations.add(p);
        const split = splits.get(v);
        if (split) split.parts.push(p);
        else splits.set(v, { of: memberOf, parts: [p] });
      }
      equations.close();
    }
  }
  // A moved PCN's own figure is the sum of its unpublished parts (where every family it is a part of has its total).
  for (const [v, split] of splits)
    if (split.parts.length === split.of) {
      equations.open(v);
      for (const p of split.parts) equations.add(p);
      equations.close();
    }
}

/**
 * Months within their year, below England: a year's row = its months' rows (an absent month 0), and where a month is
 * withheld below England (England's row for it and none below), an unpublished part of the year (0 or more). They go
 * into a second copy of the document's cells and equations (areas and groups as well), beside the first: a reader
 * who leaves the months aside is audited as before, since where reading every `*` as 1 to 7 contradicts the figures
 * the reader of a component reads every `*` of it as 1 or more, and the months join a year's periods into one larger
 * component, where a contradiction in one month would hide what the areas of another pin.
 */
function monthEquations(
  rows: readonly Row[],
  months: NonNullable<AuditSpec['months']>,
  audited: readonly string[],
  columnIndex: ReadonlyMap<string, number>,
  of: (r: number, c: number) => number,
  part: (r: number, c: number, family: string) => number,
  equations: EquationList,
): void {
  const columns = months.columns
    .filter((column) => audited.includes(column))
    .map((column) => columnIndex.get(column) as number);
  // As months.keys.map((k) => String(row[k])).join('|'), without a list per row for none or one key.
  const monthKeys = months.keys;
  const keysOf = (row: Row) =>
    monthKeys.length === 0
      ? ''
      : monthKeys.length === 1
        ? String(row[monthKeys[0] as string])
        : monthKeys.map((k) => String(row[k])).join('|');
  // Each period's year worked out once.
  const yearOf = new Map<string, string>();
  const families = new Map<string, { year: number; months: number[] }>();
  // Months by period and keys: to England's year and keys, and whether any row below England has them.
  const englandMonths = new Map<string, string>();
  const monthsBelow = new Set<string>();
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as Row;
    if (row.period_type !== 'month' && row.period_type !== 'fy') continue;
    const keys = keysOf(row);
    const period = String(row.period);
    let year = yearOf.get(period);
    if (year === undefined) {
      year = financialYearOf(period);
      yearOf.set(period, year);
    }
    if (row.period_type === 'month') {
      if (row.level === 'national') englandMonths.set(`${row.period}|${keys}`, `${year}|${keys}`);
      else monthsBelow.add(`${row.period}|${keys}`);
    }
    if (row.level === 'national') continue;
    const key = `${row.level}|${row.code}|${year}|${keys}`;
    let family = families.get(key);
    if (!family) {
      family = { year: -1, months: [] };
      families.set(key, family);
    }
    if (row.period_type === 'fy') family.year = r;
    else family.months.push(r);
  }
  const withheld = new Set<string>();
  englandMonths.forEach((year, month) => {
    if (!monthsBelow.has(month)) withheld.add(year);
  });
  // forEach and indexed loops, not for...of: no iterator objects (issue 17, profile: once per system with the months).
  families.forEach(({ year, months: parts }, key) => {
    // A year without its row, or without a month published, says nothing a reader can rely on.
    if (year < 0 || parts.length === 0) return;
    const yearRow = rows[year] as Row;
    const unpublished = withheld.has(`${financialYearOf(String(yearRow.period))}|${keysOf(yearRow)}`);
    for (let k = 0; k < columns.length; k++) {
      const c = columns[k] as number;
      const t = of(year, c);
      if (t < 0) continue;
      equations.open(t);
      for (let i = 0; i < parts.length; i++) {
        const v = of(parts[i] as number, c);
        if (v >= 0) equations.add(v);
      }
      if (unpublished) equations.add(part(year, c, `${key}|months withheld`));
      equations.close();
    }
  });
}

/**
 * Groups within dimensions (AuditSpec.partitions), below England: for each area, period and count, a total (an
 * unpublished part, or the value another document publishes for it: `totals`) = the groups of each dimension, one
 * equation per dimension (an absent group 0). Where a group is withheld below England in a period (England's row for
 * it and none below), each dimension holding it has an unpublished part for it in every area (0 or more). England's
 * rows are exact: their equations say nothing about any cell (and a person whose referrals fall in two groups of a
 * dimension counts in both, so England's dimensions need not add up to the same figure).
 */
function partitionEquations(
  rows: readonly Row[],
  partitions: readonly Partition[],
  columnIndex: ReadonlyMap<string, number>,
  of: (r: number, c: number) => number,
  part: (r: number, c: number, family: string) => number,
  equations: EquationList,
  totals: Map<number, unknown>,
): void {
  for (const partition of partitions) {
    const columns = partition.columns.filter((column) => columnIndex.has(column));
    if (columns.length === 0) continue;
    const { families, withheld } = partitionFamilies(rows, partition);
    for (const [key, dimensions] of families) {
      const first = dimensions.values().next().value?.[0] as number;
      const firstRow = rows[first] as Row;
      for (const column of columns) {
        const c = columnIndex.get(column) as number;
        // One dimension with its total unpublished says nothing (the total is its groups' sum, whatever they are).
        const linked = partition.linked?.(firstRow, column);
        if (dimensions.size < 2 && linked === undefined) continue;
        const total = part(first, c, `${key}|${column}: the total of every dimension`);
        totals.set(total, linked);
        for (const [dimension, members] of dimensions) {
          equations.open(total);
          for (let i = 0; i < members.length; i++) {
            const v = of(members[i] as number, c);
            if (v >= 0) equations.add(v);
          }
          if (withheld.has(`${firstRow.period_type}|${firstRow.period}|${dimension}`))
            equations.add(part(first, c, `${key}|${column}|${dimension}: its groups withheld`));
          equations.close();
        }
      }
    }
  }
}

/**
 * A partition's families below England (by area and period: the indices of their rows by dimension), and the
 * dimensions of each period (`period_type|period|dimension`) with a group withheld below England (England's row for
 * it and none below).
 */
function partitionFamilies(
  rows: readonly Row[],
  partition: Partition,
): { families: Map<string, Map<string, number[]>>; withheld: ReadonlySet<string> } {
  const families = new Map<string, Map<string, number[]>>();
  // Keys made once per distinct area and period (Texts); England's groups and those below only where not given.
  const texts = new Texts();
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as Row;
    if (partition.rows !== undefined && !partition.rows(row)) continue;
    if (row.level === 'national') continue;
    const key = texts.of4(row.level, row.code, row.period_type, row.period);
    let dimensions = families.get(key);
    if (dimensions === undefined) {
      dimensions = new Map<string, number[]>();
      families.set(key, dimensions);
    }
    const dimension = dimensionIn(partition, row);
    const members = dimensions.get(dimension);
    if (members === undefined) dimensions.set(dimension, [r]);
    else members.push(r);
  }
  return { families, withheld: partition.withheld ?? withheldGroups(rows, partition) };
}

/**
 * The partitions with their totals linked to the documents published before (Partition.linkedTo): the value of the
 * count in the row of the same level, code, period type and period of the first document holding one (a number or
 * `*`; anything else, or no such row, leaves the total unpublished).
 */
export function linkPartitions(
  partitions: readonly Partition[],
  documentOf: (name: string) => { readonly rows: readonly unknown[] } | undefined,
): Partition[] {
  return partitions.map((partition) => {
    if (partition.linkedTo === undefined) return partition;
    const sources = partition.linkedTo.flatMap(({ document, columns }) => {
      const doc = documentOf(document);
      if (doc === undefined) return [];
      const byArea = new Map<string, Row>();
      for (const row of doc.rows as readonly Row[])
        byArea.set(`${row.level}|${row.code}|${row.period_type}|${row.period}`, row);
      return [{ byArea, columns }];
    });
    if (sources.length === 0) return partition;
    const linked = (row: Row, column: string): unknown => {
      for (const { byArea, columns } of sources) {
        const there = columns[column];
        if (there === undefined) continue;
        const value = byArea.get(`${row.level}|${row.code}|${row.period_type}|${row.period}`)?.[there];
        return typeof value === 'number' || value === '*' ? value : undefined;
      }
      return undefined;
    };
    return { ...partition, linked };
  });
}

/** Rounds of padPartitions at most (each adds a row to every family still pinned, or stops). */
const MAX_PAD_ROUNDS = 32;

/**
 * Rows to publish as `*` beside `rows` (after primary suppression) so that no reader pins the total of a partition
 * (Partition) from its dimensions alone: where one dimension caps the total (its groups' upper bounds, an absent group
 * 0) as low as another floors it (review 8, N1: female `*` alone against seven age bands `*`), the secondary suppression
 * of a zero, as a row for a group the dimension lacks in that area and period (one published elsewhere in the period:
 * first in order), every count `*`. A `*` may hide any count, 0 included, so the row is true; it raises the cap by 7
 * (or the floor by 1). The row goes to a dimension whose cells the reader pins (the one capping the total, or the one
 * flooring it: either way the bounds no longer meet), of those the one with the lowest cap. Where none of them lacks a
 * group (nine age bands, each rounded, at their upper bounds against rollout's people referred at its lower bound),
 * the smallest count the reader pins is suppressed instead (`suppressed`: read as 1 to 7 it lowers the cap below the
 * floor, so the reader knows that `*` is not, and the bounds no longer meet). Each round gives each family still
 * pinned one row or one `*` and reads it again, until none is pinned. Returns the rows added and the cells to
 * suppress: the caller controls the document again with them (secondary suppression may then pin others).
 */
export function padPartitions(
  rows: readonly Row[],
  partitions: readonly Partition[],
  counts: readonly string[],
  /**
   * The codes of a row's parent areas in its period (England's for a region: ENG): a group is added only where each
   * parent shows it (so the row's `*` is one of the parts of a published figure); without it, any area's groups.
   */
  parentsOf?: (row: Row) => readonly string[],
  /**
   * The families (area and period: `level|code|period_type|period`) to audit; without it, all. Families are
   * independent of each other here (no areas' equations): a family whose rows are as they were when last found
   * unpinned needs no audit (controlPartitioned).
   */
  families?: ReadonlySet<string>,
  /**
   * The document's areas (and groups within rows): with them and no `families`, once no family alone is pinned every
   * row is read with the areas' equations beside the partitions' (as the scan does: an ICB's group is its PCNs'
   * groups, which can pin a PCN's total its family alone leaves open); every round reads each family (changed) alone.
   */
  document?: Pick<AuditSpec, 'areas' | 'groups'>,
  /**
   * The families found unpinned alone at an earlier call, as `rows` publish them now (AloneReads, kept by
   * controlPartitioned): left out of the first round's reading of families alone, and those it finds unpinned added.
   */
  aloneReads?: AloneReads,
): { added: Row[]; suppressed: { row: Row; column: string }[]; stuck: Row[] } {
  const added: Row[] = [];
  const suppressed: { row: Row; column: string }[] = [];
  // The cells of pins left with no row to add and no count to suppress (review 10).
  const stuckCells: Row[] = [];
  // Each row's family (areaPeriodOf) and the groups' keys, made once per distinct text (Texts): rounds read every
  // row's again.
  const texts = new Texts();
  const familyOf = (row: Row) => texts.of4(row.level, row.code, row.period_type, row.period);
  for (const given of partitions) {
    const columns = given.columns.filter((column) => counts.includes(column));
    if (columns.length === 0) continue;
    // The groups withheld below England, from every row (only some families are audited).
    const partition: Partition = { ...given, withheld: withheldGroups(rows, given) };
    const unpinned = aloneReads?.unpinned(given, partition.withheld as ReadonlySet<string>);
    // Copies: a cell suppressed here is `*` in the next round's reading.
    const all = rows
      .filter(
        (row) =>
          row.level !== 'national' &&
          (partition.rows === undefined || partition.rows(row)) &&
          (families === undefined || families.has(familyOf(row))),
      )
      .map((row) => ({ ...row }));
    // The groups shown in each area and period (for padRow), worked out when first needed.
    let shownGroups: Map<string, Set<string>> | undefined;
    const groupsOf = () => {
      shownGroups ??= groupsWithin(rows, partition, texts);
      return shownGroups;
    };
    // After the first round only the families given a row or a `*` are audited again.
    let audited: readonly Row[] = all;
    // Pins (family and column) with nothing left to do here.
    const stuck = new Set<string>();
    // Read whole: every row (England's the areas' totals), copies as `all`'s.
    const whole = document !== undefined && families === undefined ? wholeRows(rows, all, partition) : undefined;
    let wholeRead = whole === undefined;
    for (let round = 0; round < MAX_PAD_ROUNDS && audited.length > 0; round++) {
      // Each family alone (a reader may take its equations alone); once none is pinned so, every row with the areas
      // too (read before, a family alone's pin gives others through the areas: England's exact figure less a pinned
      // region's is the other region's).
      const alone = pinnedAlone(audited, partition, columns, stuck, round === 0 ? unpinned : undefined, familyOf);
      let pins = alone.pins;
      let read = alone.read;
      if (pins.size === 0 && !wholeRead) {
        wholeRead = true;
        pins = pinnedFamilies([...(whole ?? []), ...added], partition, columns, stuck, document);
        read = [...all, ...added];
      }
      if (pins.size === 0) break;
      const families = familiesOf(read, partition, pins, familyOf);
      const changed = new Set<string>();
      for (const [id, pin] of pins) {
        if (changed.has(pin.key)) continue;
        const dimensions = families.get(pin.key);
        const count = smallestPinned(pin);
        const row =
          padRow(dimensions, pin.dimensions, groupsOf(), partition, pin.column, counts, parentsOf) ??
          (count === undefined
            ? padRow(dimensions, undefined, groupsOf(), partition, pin.column, counts, parentsOf)
            : undefined);
        if (row !== undefined) {
          added.push(row);
          changed.add(pin.key);
          noteGroup(groupsOf(), partition, row, texts);
        } else if (count !== undefined) {
          count[pin.column] = '*';
          suppressed.push({ row: count, column: pin.column });
          changed.add(pin.key);
        } else {
          stuck.add(id);
          stuckCells.push(...pin.cells);
        }
      }
      audited = [...all, ...added].filter((row) => changed.has(familyOf(row)));
    }
  }
  return { added, suppressed, stuck: stuckCells };
}

/**
 * The families (areaPeriodOf) that padPartitions read alone and found unpinned, per partition, as the rows were then:
 * the caller forgets a family whose published rows change (controlPartitioned: those whose counts differ after a
 * control again), and a partition's are forgotten where the groups withheld below England differ from those they were
 * read with (a family's reading alone depends on its own rows, its linked totals and those groups alone). Issue 17:
 * the check after the last control read every family of equity alone again (0.9 CPU s nationally) to find the few
 * pinned.
 */
export class AloneReads {
  private readonly byPartition = new Map<Partition, { withheld: ReadonlySet<string>; families: Set<string> }>();

  /** The families of `partition` known unpinned with these groups withheld (to add to). */
  unpinned(partition: Partition, withheld: ReadonlySet<string>): Set<string> {
    const known = this.byPartition.get(partition);
    if (known !== undefined && sameSet(known.withheld, withheld)) return known.families;
    const families = new Set<string>();
    this.byPartition.set(partition, { withheld, families });
    return families;
  }

  /** A family whose published rows changed. */
  forget(family: string): void {
    for (const { families } of this.byPartition.values()) families.delete(family);
  }
}

/**
 * The pins of `rows`' families read alone (pinnedFamilies), and the rows read. With `unpinned` (padPartitions' first
 * round: AloneReads), the families in it are left out and those found unpinned added to it. Families alone are read
 * independently (each its own components, numbered in the rows' order), so the others' pins are the same, in the same
 * order, and the families left out have none.
 */
function pinnedAlone(
  rows: readonly Row[],
  partition: Partition,
  columns: readonly string[],
  stuck: ReadonlySet<string>,
  unpinned: Set<string> | undefined,
  familyOf: (row: Row) => string,
): { read: readonly Row[]; pins: Map<string, Pin> } {
  if (unpinned === undefined) return { read: rows, pins: pinnedFamilies(rows, partition, columns, stuck) };
  const read = unpinned.size === 0 ? rows : rows.filter((row) => !unpinned.has(familyOf(row)));
  const pins = read.length === 0 ? new Map<string, Pin>() : pinnedFamilies(read, partition, columns, stuck);
  const pinned = new Set<string>();
  for (const pin of pins.values()) pinned.add(pin.key);
  for (const row of read) {
    const family = familyOf(row);
    if (!pinned.has(family)) unpinned.add(family);
  }
  return { read, pins };
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/**
 * The dimensions of each period (`period_type|period|dimension`) with a group withheld below England: England's row
 * for it and none below (as partitionFamilies finds them).
 */
export function withheldGroups(rows: readonly Row[], partition: Partition): Set<string> {
  // By period and dimension (each one's text made once: texts), England's groups and those below.
  const texts = new Texts();
  const england: string[] = [];
  const below = new Set<string>();
  for (const row of rows) {
    if (partition.rows !== undefined && !partition.rows(row)) continue;
    const group = texts.of4(row.period_type, row.period, dimensionIn(partition, row), String(row[partition.group]));
    if (row.level === 'national') england.push(group);
    else below.add(group);
  }
  const withheld = new Set<string>();
  for (const group of england) if (!below.has(group)) withheld.add(group.slice(0, group.lastIndexOf('|')));
  return withheld;
}

/**
 * Texts of four parts joined by `|` (as a template literal joins them), each made once per distinct parts and shared:
 * found by Maps of the parts themselves, so a row's key costs lookups, not a new string hashed again (issue 17: the
 * partitions' keys of every row, in every round, were a fifth of equity's garbage). The text is the parts' alone, so
 * two sets of parts giving the same text give equal keys, as before.
 */
class Texts {
  private readonly four = new Map<unknown, Map<unknown, Map<unknown, Map<unknown, string>>>>();

  of4(a: unknown, b: unknown, c: unknown, d: unknown): string {
    let byB = this.four.get(a);
    if (byB === undefined) {
      byB = new Map();
      this.four.set(a, byB);
    }
    let byC = byB.get(b);
    if (byC === undefined) {
      byC = new Map();
      byB.set(b, byC);
    }
    let byD = byC.get(c);
    if (byD === undefined) {
      byD = new Map();
      byC.set(c, byD);
    }
    let text = byD.get(d);
    if (text === undefined) {
      text = `${a}|${b}|${c}|${d}`;
      byD.set(d, text);
    }
    return text;
  }
}

/** Every row of a document: `all` (a partition's rows below England) and copies of the others (England's, ...). */
function wholeRows(rows: readonly Row[], all: readonly Row[], partition: Partition): Row[] {
  const others = rows.filter((row) => row.level === 'national' || partition.rows?.(row) === false);
  return [...others.map((row) => ({ ...row })), ...all];
}

/** A family's cells the reader pins (for one column), and their dimensions. */
interface Pin {
  /** The family: area and period (areaPeriodOf). */
  readonly key: string;
  readonly column: string;
  /** The published rows whose cell of `column` is pinned (not the total). */
  readonly cells: Row[];
  /** Their dimensions. */
  readonly dimensions: Set<string>;
}

/** The smallest published count above 0 that the reader pins in a family (for its column), if any. */
function smallestPinned(pin: Pin): Row | undefined {
  let best: Row | undefined;
  for (const row of pin.cells) {
    const value = row[pin.column];
    if (typeof value !== 'number' || value <= 0) continue;
    if (best === undefined || value < (best[pin.column] as number)) best = row;
  }
  return best;
}

export const areaPeriodOf = (row: Row) => `${row.level}|${row.code}|${row.period_type}|${row.period}`;
const dimensionIn = (partition: Partition, row: Row) =>
  partition.dimension === undefined ? '' : String(row[partition.dimension]);

/** No areas' equations: each family read alone (pinnedFamilies). One empty list for every row. */
const NO_PARENTS: readonly string[] = Object.freeze([]);
const FAMILIES_ALONE: AuditSpec['areas'] = { partOf: () => NO_PARENTS, totalOf: () => '' };

/**
 * The families (areas and periods below England) whose dimensions alone pin a cell or their total, by family and
 * column (not those `stuck`), with the cells pinned.
 */
function pinnedFamilies(
  rows: readonly Row[],
  partition: Partition,
  columns: readonly string[],
  stuck: ReadonlySet<string>,
  /** The document's areas and groups (padPartitions `document`); without them, each family alone. */
  document?: Pick<AuditSpec, 'areas' | 'groups'>,
): Map<string, Pin> {
  const system = buildAuditSystem(rows, {
    columns,
    areas: document?.areas ?? FAMILIES_ALONE,
    ...(document?.groups === undefined ? {} : { groups: document.groups }),
    partitions: [partition],
  });
  const pins = new Map<string, Pin>();
  // The family read whole, and each of its equations alone (a reader may take one alone: where people counted in two
  // groups make the dimensions contradict, one dimension against the total published elsewhere still pins). With the
  // areas, read whole only: their equations alone are the document's own audit's, the partitions' the families'.
  for (let c = 0; c < system.components.length; c++)
    for (const { cell, part } of [
      ...(readerDisclosures(system, c) ?? []),
      // With the areas, each region's piece without England's equations too (review 29, R29-1; the scan reads them).
      // The whole's loose marks are taken unchecked here (the published rows only; the document's audit keeps those
      // the exact figures confirm, knownSecondary): open, docs/methodology.md "The criterion". Worked out only where
      // the pieces are read (Known).
      ...(document === undefined
        ? equationDisclosures(system, c).flatMap((e) => e.disclosures)
        : withoutEnglandAfter(system, c, () => looselySecondary(system, c))),
    ]) {
      const key = areaPeriodOf(cell.row);
      const id = `${key}|${cell.column}`;
      if (cell.row.level === 'national' || stuck.has(id)) continue;
      let pin = pins.get(id);
      if (pin === undefined) {
        pin = { key, column: cell.column, cells: [], dimensions: new Set() };
        pins.set(id, pin);
      }
      if (part !== undefined || pin.cells.includes(cell.row)) continue;
      pin.cells.push(cell.row);
      pin.dimensions.add(dimensionIn(partition, cell.row));
    }
  return pins;
}

/** The groups of each period and dimension: of any area (by `|period...`), and of each area (`code|period...`). */
function groupsWithin(rows: readonly Row[], partition: Partition, texts: Texts): Map<string, Set<string>> {
  const groupsOf = new Map<string, Set<string>>();
  for (const row of rows)
    if (partition.rows === undefined || partition.rows(row)) noteGroup(groupsOf, partition, row, texts);
  return groupsOf;
}

function noteGroup(groupsOf: Map<string, Set<string>>, partition: Partition, row: Row, texts: Texts): void {
  const dimension = dimensionIn(partition, row);
  const group = String(row[partition.group]);
  for (const area of ['', String(row.code)]) {
    const within = texts.of4(area, row.period_type, row.period, dimension);
    const groups = groupsOf.get(within);
    if (groups === undefined) groupsOf.set(within, new Set([group]));
    else groups.add(group);
  }
}

/** Each pinned family's rows by dimension. */
function familiesOf(
  rows: readonly Row[],
  partition: Partition,
  pins: ReadonlyMap<string, Pin>,
  familyOf: (row: Row) => string,
): Map<string, Map<string, Row[]>> {
  const keys = new Set([...pins.values()].map((pin) => pin.key));
  const families = new Map<string, Map<string, Row[]>>();
  for (const row of rows) {
    const key = familyOf(row);
    if (!keys.has(key)) continue;
    const dimensions = families.get(key) ?? new Map<string, Row[]>();
    families.set(key, dimensions);
    const members = dimensions.get(dimensionIn(partition, row)) ?? [];
    dimensions.set(dimensionIn(partition, row), members);
    members.push(row);
  }
  return families;
}

/**
 * The row to add to a pinned family: of its dimensions `within` (all where none or empty) that lack a group, in the
 * one of the lowest cap (for `column`), the first such group, every count `*`; undefined where none lacks one.
 */
function padRow(
  dimensions: ReadonlyMap<string, readonly Row[]> | undefined,
  within: ReadonlySet<string> | undefined,
  groupsOf: ReadonlyMap<string, ReadonlySet<string>>,
  partition: Partition,
  column: string,
  counts: readonly string[],
  parentsOf?: (row: Row) => readonly string[],
): Row | undefined {
  const cap = (members: readonly Row[]) =>
    members.reduce((sum, row) => sum + (publishedInterval(row[column], false, PRIMARY_SUPPRESSED)?.[1] ?? 0), 0);
  let chosen: { template: Row; group: string; cap: number } | undefined;
  for (const [dimension, members] of dimensions ?? []) {
    if (within !== undefined && within.size > 0 && !within.has(dimension)) continue;
    const template = members[0] as Row;
    const present = new Set(members.map((row) => String(row[partition.group])));
    const period = `${template.period_type}|${template.period}|${dimension}`;
    const parents = parentsOf?.(template) ?? [''];
    const shown = (group: string) =>
      parents.every((parent) => groupsOf.get(`${parent}|${period}`)?.has(group) === true);
    const absent = [...(groupsOf.get(`|${period}`) ?? [])]
      .filter((group) => !present.has(group) && shown(group))
      .sort()[0];
    if (absent === undefined) continue;
    const capped = cap(members);
    if (chosen === undefined || capped < chosen.cap) chosen = { template, group: absent, cap: capped };
  }
  if (chosen === undefined) return undefined;
  const row: Row = { ...chosen.template, [partition.group]: typedLike(chosen.template[partition.group], chosen.group) };
  for (const count of counts) if (row[count] !== null && row[count] !== undefined) row[count] = '*';
  return row;
}

/** A group's label as the column holds its others (the contacts distribution's bins are numbers). */
function typedLike(example: unknown, label: string): string | number {
  return typeof example === 'number' ? Number(label) : label;
}

/**
 * The system of these variables and equations, with each variable's equations and the components. `base` (where
 * given) is a system whose variables and equations are the first of these, the others' equations holding only variables
 * after its own (buildAuditSystem from `areasOnly`): its equations of each variable and its components are taken as
 * they are, and only the others' worked out (issue 17: with the months, half of the system is the system just built,
 * and this work is bound by memory reads: base's half is not read again).
 */
function withComponents(
  rows: readonly Row[],
  columns: readonly string[],
  variableAt: Int32Array,
  copyAt: Int32Array | undefined,
  columnIndex: ReadonlyMap<string, number>,
  rowOf: Int32Array,
  columnOf: Int32Array,
  levelOf: Uint8Array,
  parts: Map<number, { cell: AuditCell; family: string }>,
  equationStart: Int32Array,
  equationVariables: Int32Array,
  areaFamilies: AreaFamilies,
  base?: AuditSystem,
): Shaped<AuditSystem> {
  const n = rowOf.length;
  const equationCount = equationStart.length - 1;
  // Where the work starts: the first variable, equation, slot of equationVariables and component not base's.
  const v0 = base === undefined ? 0 : base.rowOf.length;
  const e0 = base === undefined ? 0 : base.equationStart.length - 1;
  const s0 = base === undefined ? 0 : base.equationVariables.length;
  const c0 = base === undefined ? 0 : base.components.length;
  const parent = new Int32Array(n);
  for (let i = v0; i < n; i++) parent[i] = i;
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i] as number] as number;
      i = parent[i] as number;
    }
    return i;
  };
  // The equations of each variable, in the order of the equations.
  const equationsOfStart = new Int32Array(n + 1);
  if (base !== undefined) equationsOfStart.set(base.equationsOfStart);
  // Typed arrays are read by index, not for...of: these loops run once per build or component, mostly before the
  // function is optimised, and an iterator then costs an object per element (issue 17, profile).
  for (let i = s0; i < equationVariables.length; i++) {
    const v = equationVariables[i] as number;
    equationsOfStart[v + 1] = (equationsOfStart[v + 1] as number) + 1;
  }
  for (let v = v0; v < n; v++)
    equationsOfStart[v + 1] = (equationsOfStart[v + 1] as number) + (equationsOfStart[v] as number);
  const equationsOfList = new Int32Array(equationVariables.length);
  if (base !== undefined) equationsOfList.set(base.equationsOfList);
  const fill = equationsOfStart.slice(0, n);
  for (let e = e0; e < equationCount; e++) {
    const root = find(equationVariables[equationStart[e] as number] as number);
    for (let i = equationStart[e] as number; i < (equationStart[e + 1] as number); i++) {
      const v = equationVariables[i] as number;
      const at = fill[v] as number;
      equationsOfList[at] = e;
      fill[v] = at + 1;
      const r = find(v);
      if (r !== root) parent[r] = root;
    }
  }
  // Components numbered in the order of their first variable (base's first: its variables come first); each one's
  // variables and equations in order.
  const componentOf = new Int32Array(n).fill(-1);
  if (base !== undefined) componentOf.set(base.componentOf);
  const ofRoot = new Int32Array(n).fill(-1);
  let count = c0;
  for (let v = v0; v < n; v++) {
    if (equationsOfStart[v + 1] === equationsOfStart[v]) continue;
    const root = find(v);
    let c = ofRoot[root] as number;
    if (c < 0) {
      c = count++;
      ofRoot[root] = c;
    }
    componentOf[v] = c;
  }
  const equationComponent = (e: number) =>
    componentOf[equationVariables[equationStart[e] as number] as number] as number;
  // The components after base's: the k-th is component c0 + k.
  const fresh = count - c0;
  const variablesStart = new Int32Array(fresh + 1);
  const equationsStart = new Int32Array(fresh + 1);
  for (let v = v0; v < n; v++) {
    const c = componentOf[v] as number;
    if (c >= 0) variablesStart[c - c0 + 1] = (variablesStart[c - c0 + 1] as number) + 1;
  }
  for (let e = e0; e < equationCount; e++) {
    const k = equationComponent(e) - c0;
    equationsStart[k + 1] = (equationsStart[k + 1] as number) + 1;
  }
  for (let k = 0; k < fresh; k++) {
    variablesStart[k + 1] = (variablesStart[k + 1] as number) + (variablesStart[k] as number);
    equationsStart[k + 1] = (equationsStart[k + 1] as number) + (equationsStart[k] as number);
  }
  const variablesList = new Int32Array(variablesStart[fresh] as number);
  const equationsList = new Int32Array(equationCount - e0);
  const nextVariable = variablesStart.slice(0, fresh);
  const nextEquation = equationsStart.slice(0, fresh);
  for (let v = v0; v < n; v++) {
    const c = componentOf[v] as number;
    if (c < 0) continue;
    variablesList[nextVariable[c - c0] as number] = v;
    nextVariable[c - c0] = (nextVariable[c - c0] as number) + 1;
  }
  for (let e = e0; e < equationCount; e++) {
    const k = equationComponent(e) - c0;
    equationsList[nextEquation[k] as number] = e;
    nextEquation[k] = (nextEquation[k] as number) + 1;
  }
  const components: { variables: Int32Array; equations: Int32Array }[] = base === undefined ? [] : [...base.components];
  for (let k = 0; k < fresh; k++)
    components.push({
      variables: variablesList.subarray(variablesStart[k] as number, variablesStart[k + 1] as number),
      equations: equationsList.subarray(equationsStart[k] as number, equationsStart[k + 1] as number),
    });
  let longest = base === undefined ? 0 : base.scratch.changed.length;
  for (let e = e0; e < equationCount; e++)
    longest = Math.max(longest, (equationStart[e + 1] as number) - (equationStart[e] as number));
  const scratch = {
    lo: new Float64Array(n),
    hi: new Float64Array(n),
    queued: new Uint8Array(equationCount),
    queue: new Int32Array(2 * equationCount),
    visited: new Int32Array(n),
    visitedEquations: new Int32Array(equationCount),
    stamp: 0,
    reached: new Int32Array(n),
    kind: new Uint8Array(n),
    value: new Float64Array(n),
    evident: new Uint8Array(n),
    changed: new Int32Array(longest),
    changedAt: new Uint32Array(n),
    clock: 0,
  };
  return {
    rows,
    columns,
    variableAt,
    copyAt,
    columnIndex,
    rowOf,
    columnOf,
    levelOf,
    parts,
    equationStart,
    equationVariables,
    equationsOfStart,
    equationsOfList,
    components,
    componentOf,
    scratch,
    areaFamilies,
    repeated: undefined,
    totals: undefined,
    fromAreasOnly: undefined,
  };
}

/** `T` writable: an object made with all its properties, the optional ones undefined, set once it is made. */
type Shaped<T> = { -readonly [K in keyof T]: T[K] };

/** How many times each equation may be revisited before propagation stops (it is sound wherever it stops). */
const MAX_VISITS_PER_EQUATION = 64;

/**
 * Narrows `lo`/`hi` over a component's equations until nothing changes (total = sum of parts: the total within the
 * parts' sum of bounds, each part within the total less the others). Returns false where the bounds contradict.
 */
export function propagate(
  system: AuditSystem,
  equations: ArrayLike<number>,
  lo: Float64Array,
  hi: Float64Array,
): boolean {
  return propagateFrom(system, equations, equations.length * MAX_VISITS_PER_EQUATION, lo, hi);
}

/**
 * The bit of equation e among variable v's equations (equationsOf order), as `PreviousAudits.reasons` notes it: its
 * place for the first seven, the eighth bit for any later one (read as any equation: see reaudit).
 */
function reasonOf(system: AuditSystem, v: number, e: number): number {
  const from = system.equationsOfStart[v] as number;
  const to = system.equationsOfStart[v + 1] as number;
  for (let j = from; j < to && j - from < 7; j++) if (system.equationsOfList[j] === e) return 1 << (j - from);
  return ANY_REASON;
}

const ANY_REASON = 0x80;

/** Notes that equation e narrowed a variable's bounds (`narrowed`: the variable << 2 | LOWER and/or UPPER). */
function noteReason(
  system: AuditSystem,
  reasons: { readonly lo: Uint8Array; readonly hi: Uint8Array },
  narrowed: number,
  e: number,
): void {
  const v = narrowed >> 2;
  const bit = reasonOf(system, v, e);
  if ((narrowed & LOWER) !== 0) reasons.lo[v] = (reasons.lo[v] as number) | bit;
  if ((narrowed & UPPER) !== 0) reasons.hi[v] = (reasons.hi[v] as number) | bit;
}
/** The bounds of a variable an equation narrowed (propagateFrom's `changed`: the variable << 2 | these). */
const LOWER = 1;
const UPPER = 2;

/**
 * Whether the last propagation reached a fixpoint (its queue emptied): where it stopped on its budget instead, its
 * bounds are sound but not the fixpoint, and the re-audit (reaudit) may not start from them.
 */
let lastConverged = false;

/**
 * propagate with its queue starting as `equations` and at most `budget` visits. `reasons` (when given) notes, for
 * each variable narrowed, the equation that narrowed it (reasonOf); `record` collects each variable narrowed (once per
 * `recordStamp`, marked in `recordMark`).
 */
function propagateFrom(
  system: AuditSystem,
  equations: ArrayLike<number>,
  budgetOf: number,
  lo: Float64Array,
  hi: Float64Array,
  reasons?: { readonly lo: Uint8Array; readonly hi: Uint8Array },
  record?: number[],
  recordMark?: Int32Array,
  recordStamp = 0,
): boolean {
  const { queued, queue, changed } = system.scratch;
  const { equationStart, equationVariables, equationsOfStart, equationsOfList } = system;
  // First in, first out, in the scratch ring (no array grown per propagation): `head` and `tail` count the equations
  // taken out and put in. After the starting equations (at most all of them), one is put in only while it is not in
  // (queued), so the ring holds fewer than twice the equations: its length.
  const capacity = queue.length;
  let tail = 0;
  for (let k = 0; k < equations.length; k++) {
    const e = equations[k] as number;
    queued[e] = 1;
    queue[tail++ % capacity] = e;
  }
  let budget = budgetOf;
  let consistent = true;
  let head = 0;
  for (; head < tail && budget > 0 && consistent; head++, budget--) {
    const e = queue[head % capacity] as number;
    queued[e] = 0;
    const first = equationStart[e] as number;
    const end = equationStart[e + 1] as number;
    const total = equationVariables[first] as number;
    let sumLo = 0;
    let sumHi = 0;
    let unbounded = 0;
    for (let i = first + 1; i < end; i++) {
      const v = equationVariables[i] as number;
      sumLo += lo[v] as number;
      if (hi[v] === Number.POSITIVE_INFINITY) unbounded++;
      else sumHi += hi[v] as number;
    }
    let count = 0;
    // Narrowing: the total within the parts' sum of bounds.
    {
      const low = sumLo;
      const high = unbounded > 0 ? Number.POSITIVE_INFINITY : sumHi;
      let sides = 0;
      if (low > (lo[total] as number)) {
        lo[total] = low;
        sides |= LOWER;
      }
      if (high < (hi[total] as number)) {
        hi[total] = high;
        sides |= UPPER;
      }
      if (sides !== 0) changed[count++] = (total << 2) | sides;
    }
    const tLo = lo[total] as number;
    const tHi = hi[total] as number;
    for (let i = first + 1; i < end; i++) {
      const v = equationVariables[i] as number;
      const own = hi[v] === Number.POSITIVE_INFINITY;
      const othersUnbounded = unbounded - (own ? 1 : 0) > 0;
      const othersHi = othersUnbounded ? Number.POSITIVE_INFINITY : sumHi - (own ? 0 : (hi[v] as number));
      const low = othersUnbounded ? 0 : tLo - othersHi;
      const high = tHi - (sumLo - (lo[v] as number));
      let sides = 0;
      if (low > (lo[v] as number)) {
        lo[v] = low;
        sides |= LOWER;
      }
      if (high < (hi[v] as number)) {
        hi[v] = high;
        sides |= UPPER;
      }
      if (sides !== 0) changed[count++] = (v << 2) | sides;
    }
    for (let k = 0; k < count; k++) {
      const v = (changed[k] as number) >> 2;
      if (reasons !== undefined) noteReason(system, reasons, changed[k] as number, e);
      if (record !== undefined && (recordMark as Int32Array)[v] !== recordStamp) {
        (recordMark as Int32Array)[v] = recordStamp;
        record.push(v);
      }
      if ((lo[v] as number) > (hi[v] as number)) consistent = false;
      for (let j = equationsOfStart[v] as number; j < (equationsOfStart[v + 1] as number); j++) {
        const next = equationsOfList[j] as number;
        if (next !== e && queued[next] === 0) {
          queued[next] = 1;
          queue[tail++ % capacity] = next;
        }
      }
    }
  }
  lastConverged = head === tail;
  for (; head < tail; head++) queued[queue[head % capacity] as number] = 0;
  return consistent;
}

/** Reads the published value of each variable of a component into the scratch arrays. */
function loadValues(system: AuditSystem, variables: ArrayLike<number>): void {
  for (let i = 0; i < variables.length; i++) loadValue(system, variables[i] as number);
}

/** Reads the published value of variable v into the scratch arrays. */
function loadValue(system: AuditSystem, v: number): void {
  const { kind, value } = system.scratch;
  const r = system.rowOf[v] as number;
  const x =
    r < 0 ? system.totals?.get(v) : (system.rows[r] as Row)[system.columns[system.columnOf[v] as number] as string];
  if (typeof x === 'number') {
    if (kind[v] !== VALUE_NUMBER || value[v] !== x) system.scratch.changedAt[v] = ++system.scratch.clock;
    kind[v] = VALUE_NUMBER;
    value[v] = x;
  } else setKind(system, v, x === '*' ? VALUE_SUPPRESSED : VALUE_NONE);
}

/** Sets the kind of variable v's published value (VALUE_*), noting when it changes (scratch.changedAt). */
function setKind(system: AuditSystem, v: number, k: number): void {
  const { kind } = system.scratch;
  if (kind[v] === k) return;
  kind[v] = k;
  system.scratch.changedAt[v] = ++system.scratch.clock;
}

/**
 * The published values of every variable of a system, read once (loadAllValues) and read again only for the cells
 * named to `reload` (the publisher names every cell it suppresses): readerDisclosures then reads none itself, and
 * audits a component again from its previous audit (reaudit) rather than from nothing.
 */
export interface LoadedValues {
  readonly system: AuditSystem;
  /** Reads the value of the cell of row r (an index in the system's rows) and column again. */
  reload(r: number, column: string): void;
  /** What the previous audit of each component left (reaudit). */
  readonly previous: PreviousAudits;
  /** What each equation read alone pinned when last read (equationDisclosures). */
  readonly alone: AloneReadings;
  /**
   * Per component, a count of the changes to its values (reload, and revealsWhenSuppressed's trials, before and after):
   * readerDisclosures' last reading (lastRead) holds while it is the same.
   */
  readonly versions: Uint32Array;
  /** The last reading of a component by readerDisclosures that found nothing, with what it left (ReadNothing). */
  lastRead: ReadNothing | undefined;
  /** The last loose reading of a whole component that readerDisclosures made (KeptLoose). */
  readonly lastLoose: KeptLoose;
}

/**
 * The loose reading of a whole component (every `*` as relaxedReader takes it, propagated over its equations:
 * beyondDocumented) that readerDisclosures last made, with the values' version it read (LoadedValues.versions; -1:
 * none kept). looselySecondary's reading of the component (knownSecondary, protectAlone) is that propagation, from the
 * same box in the same order: with the same values it gives it from these bounds, not by propagating again (issue 17:
 * the publisher asks for it after reading the component, its loose reading just made).
 */
interface KeptLoose {
  component: number;
  version: number;
  /** Whether the loose reading contradicted (its bounds are then not kept). */
  contradicted: boolean;
  /** Its bounds of the component's variables, by position (the first n). */
  lo: Float64Array;
  hi: Float64Array;
}

/** Counts a change to the values of component c (none where c is -1: a variable in no component). */
function changedIn(versions: Uint32Array, c: number): void {
  if (c >= 0) versions[c] = (versions[c] as number) + 1;
}

/**
 * readerDisclosures' reading of a component that found nothing: the values' version it read (LoadedValues.versions),
 * whether the documented reading contradicted (lastContradicted) and the marks it left (scratch.evident, by position).
 * The publisher reads a component again with nothing changed once each equation alone finds nothing too
 * (readerDisclosuresWithoutEngland after protectAlone): the same values give the same reading (issue 17: that second
 * reading, its criterion's reading with it, was made for every component the publisher found clean).
 */
interface ReadNothing {
  readonly component: number;
  readonly version: number;
  readonly found: undefined | readonly [];
  readonly contradicted: boolean;
  readonly marks: Uint8Array;
}

/**
 * Each equation read alone (equationAlone) depends on the values of its own variables only, so it is read again only
 * after one of them is (issue 17: the publisher reads a component's equations alone after every cell it suppresses
 * there, and a national component has thousands of equations, nearly all unchanged).
 */
interface AloneReadings {
  /** Per equation: 1 until it is read, and again after a value of it is read again (reload). */
  readonly stale: Uint8Array;
  /** The equations whose last reading pinned something, and what. */
  readonly found: Map<number, Disclosure[]>;
  /** As `stale`, for equationNarrowed's reading (narrowedEquations). */
  readonly narrowStale: Uint8Array;
  /** The equations whose last reading narrowed a `*` below PROTECTION_LEVEL, and which. */
  readonly narrowed: Map<number, number[]>;
}

/**
 * What the documented reader found in each component at its last audit, for the next audit to start from (reaudit).
 * A component's `lo`/`hi` (system.scratch) keep that audit's fixpoint until the component is audited again: components
 * share no variable or equation.
 */
interface PreviousAudits {
  /** Per component: 1 while scratch lo/hi hold the documented reader's fixpoint (reached, not cut short, consistent). */
  readonly valid: Uint8Array;
  /** Per component: the variables read again since (each once: `pendingMark`). */
  readonly pending: (number[] | undefined)[];
  readonly pendingMark: Uint8Array;
  /** Per variable: 1 where the documented reader recovers it; per component, those variables. */
  readonly disclosedMark: Uint8Array;
  readonly disclosed: (Set<number> | undefined)[];
  /** Visit marks of a re-audit (each re-audit with new stamps). */
  readonly seen: Int32Array;
  readonly inSet: Int32Array;
  readonly equationSeen: Int32Array;
  stamp: number;
  /**
   * Per variable, for its lower and its upper bound: the equations that narrowed it since it was last set from the
   * reader's bounds (bits of reasonOf): where none of them has a bound it was worked out from set again, it still
   * holds (reaudit).
   */
  readonly reasons: { readonly lo: Uint8Array; readonly hi: Uint8Array };
  /** Per variable: marks (stamps) of its upper bound in the re-audit's set A (inSet: its lower bound, or both). */
  readonly inSetHi: Int32Array;
  /** Per equation, within one re-audit (changedBounds): its documented sums (evidentIn). */
  readonly sums: EquationSums;
}

export function loadAllValues(system: AuditSystem): LoadedValues {
  const n = system.rowOf.length;
  for (let v = 0; v < n; v++) loadValue(system, v);
  const previous: PreviousAudits = {
    valid: new Uint8Array(system.components.length),
    pending: [],
    pendingMark: new Uint8Array(n),
    disclosedMark: new Uint8Array(n),
    disclosed: [],
    seen: new Int32Array(n),
    inSet: new Int32Array(n),
    equationSeen: new Int32Array(system.equationStart.length - 1),
    stamp: 0,
    reasons: { lo: new Uint8Array(n), hi: new Uint8Array(n) },
    inSetHi: new Int32Array(n),
    sums: newEquationSums(system),
  };
  const alone: AloneReadings = {
    stale: new Uint8Array(system.equationStart.length - 1).fill(1),
    found: new Map(),
    narrowStale: new Uint8Array(system.equationStart.length - 1).fill(1),
    narrowed: new Map(),
  };
  const { equationsOfStart, equationsOfList } = system;
  const versions = new Uint32Array(system.components.length);
  return {
    system,
    previous,
    alone,
    versions,
    lastRead: undefined,
    lastLoose: { component: -1, version: -1, contradicted: false, lo: new Float64Array(0), hi: new Float64Array(0) },
    reload: (r, column) => {
      for (const v of variablesOf(system, r, column)) {
        if (v < 0) continue;
        loadValue(system, v);
        changedIn(versions, system.componentOf[v] as number);
        for (let j = equationsOfStart[v] as number; j < (equationsOfStart[v + 1] as number); j++) {
          alone.stale[equationsOfList[j] as number] = 1;
          alone.narrowStale[equationsOfList[j] as number] = 1;
        }
        const c = system.componentOf[v] as number;
        if (c < 0 || previous.valid[c] === 0 || previous.pendingMark[v] === 1) continue;
        previous.pendingMark[v] = 1;
        const pending = previous.pending[c];
        if (pending === undefined) previous.pending[c] = [v];
        else pending.push(v);
      }
    },
  };
}

/** A reader of `*`: each as 1 to 7, except those evidently secondary (scratch.evident) as `relaxedReader`; or all so. */
type Reader = 'documented' | 'relaxed';

/**
 * Sets `lo`/`hi` of each variable of a component to what the reader knows from its published value (loadValues):
 * England exact, a rounded count within its rounding, a `*` as the reader takes it, an unpublished part 0 or more.
 * `wide` (when given) marks the variables not known exactly.
 */
function readerBounds(system: AuditSystem, variables: ArrayLike<number>, reader: Reader, wide?: Uint8Array): void {
  const { lo, hi, kind, value, evident } = system.scratch;
  const { levelOf } = system;
  for (let i = 0; i < variables.length; i++) {
    const v = variables[i] as number;
    const k = kind[v] as number;
    if (k === VALUE_NUMBER) {
      const x = value[v] as number;
      if (levelOf[v] === LEVEL_NATIONAL || x === 0) {
        lo[v] = x;
        hi[v] = x;
      } else {
        lo[v] = Math.max(MIN_ROUNDED, x - ROUNDING_HALF_WIDTH);
        hi[v] = x + ROUNDING_HALF_WIDTH;
      }
    } else if (k === VALUE_SUPPRESSED) {
      if (reader === 'documented' && evident[v] === 0) {
        lo[v] = PRIMARY_SUPPRESSED[0];
        hi[v] = PRIMARY_SUPPRESSED[1];
      } else {
        // relaxedReader: a region's `*` may be 0 (beside England's exact figure), any other is 1 or more.
        lo[v] = levelOf[v] === LEVEL_REGION ? 0 : 1;
        hi[v] = Number.POSITIVE_INFINITY;
      }
    } else {
      lo[v] = ANY_COUNT[0];
      hi[v] = ANY_COUNT[1];
    }
    if (wide) wide[i] = (hi[v] as number) > (lo[v] as number) ? 1 : 0;
  }
}

/** A component, or a piece of one (its variables and equations: withoutNational). */
type Piece = AuditSystem['components'][number];

/**
 * The disclosed variables of a component (or a piece) after propagating the bounds readerBounds set; undefined on
 * contradiction.
 */
function disclosedAfterPropagation(
  system: AuditSystem,
  piece: Piece,
  wide: Uint8Array,
  reasons?: { readonly lo: Uint8Array; readonly hi: Uint8Array },
): Disclosure[] | undefined {
  const { variables, equations } = piece;
  const { lo, hi } = system.scratch;
  if (reasons !== undefined)
    for (let i = 0; i < variables.length; i++) {
      reasons.lo[variables[i] as number] = 0;
      reasons.hi[variables[i] as number] = 0;
    }
  if (!propagateFrom(system, equations, equations.length * MAX_VISITS_PER_EQUATION, lo, hi, reasons)) return undefined;
  const disclosed: Disclosure[] = [];
  pinnedOf(system, variables, wide, disclosed);
  return disclosed;
}

/**
 * The disclosed cells of one component: its bounds propagated from what is published (England exact, rounded
 * counts within their rounding, `*` as `suppressed` says, unpublished parts 0 or more). Undefined where the bounds
 * contradict (the reader's assumption about some `*` is wrong there).
 */
export function auditComponent(
  system: AuditSystem,
  component: number,
  suppressed: SuppressedRange,
): Disclosure[] | undefined {
  const { variables } = system.components[component] as AuditSystem['components'][number];
  const { lo, hi } = system.scratch;
  const wide = new Uint8Array(variables.length);
  for (let i = 0; i < variables.length; i++) {
    const v = variables[i] as number;
    const cell = cellOf(system, v);
    const interval = cell
      ? publishedInterval(cell.row[cell.column], cell.row.level === 'national', suppressed(cell))
      : totalInterval(system, v, suppressed);
    [lo[v], hi[v]] = interval ?? ANY_COUNT;
    wide[i] = (hi[v] as number) > (lo[v] as number) ? 1 : 0;
  }
  return disclosedAfterPropagation(system, system.components[component] as Piece, wide);
}

/**
 * An unpublished part pinned is disclosed when it is a count from 1 to 7 (a moved PCN's part, a year's withheld
 * months); the total of a partition (AuditSystem.totals) at any count of 1 or more: it is a count published elsewhere
 * rounded or `*`, or not at all.
 */
function partDisclosed(system: AuditSystem, v: number, value: number): boolean {
  return value >= 1 && (value < MIN_ROUNDED || system.totals?.has(v) === true);
}

/** The reader's interval of an unpublished part: 0 or more, or a partition's total as published elsewhere. */
function totalInterval(system: AuditSystem, v: number, suppressed: SuppressedRange): Interval {
  const linked = system.totals?.get(v);
  const part = system.parts.get(v);
  if (linked === undefined || part === undefined) return ANY_COUNT;
  return publishedInterval(linked, false, suppressed(part.cell)) ?? ANY_COUNT;
}

/** The documented reader: every `*` is a count from 1 to 7. */
export const documentedReader: SuppressedRange = () => PRIMARY_SUPPRESSED;

/**
 * A `*` known only to be 1 or more (a count of people below England is suppressed only if it is not zero), or for a
 * region, which may be a zero hidden beside England's exact figure, 0 or more: how a reader takes a `*` that cannot be
 * 1 to 7 (a secondary `*` hiding a larger count).
 */
export const relaxedReader: SuppressedRange = (cell) =>
  cell.row.level === 'region' ? ANY_COUNT : [1, Number.POSITIVE_INFINITY];

/**
 * Marks (scratch.evident) the `*` cells of a component (or a piece) that one equation alone shows cannot be 1 to 7 (an
 * ICB's `*` over PCNs of 115 and 25), each equation's other figures read as `reader` takes them (readerBounds, every
 * mark cleared first; scratch lo/hi are left as that reader's), and with `marks` copies them by position in the
 * piece's variables.
 * - 'documented' (evidentlySecondary, and the re-audit's evidentIn): the other `*` at 1 to 7. A reader sees such a `*`
 *   is secondary and takes it as `relaxedReader` does.
 * - 'relaxed' (the criterion's marks, review 35, R35-4: criterionReading): every `*` as relaxedReader
 *   takes it, which the figures always allow. England's May 26 over three regions' `*` says that one of them at least
 *   is above 7, not which: read documented it marks all three (each 12 or more if the other two were at most 7), so
 *   the criterion's reading (the `*` the figures show above 7 loose, every other 1 to 7) was never made. Each such
 *   mark is one the component's loose reading makes too (secondarySeenWhole, which adds the rest where needed).
 * The parts' upper bounds are summed over the finite ones, the unbounded counted (a `*` read loose, an unpublished
 * part: looseOutside). Read documented, no `*` is unbounded, so that gives what summing every bound did (a part's
 * lower bound beside an unbounded other part is minus infinity either way, a total's upper bound over one is never
 * below 1): one walk for both readings.
 */
function markEvident(system: AuditSystem, piece: Piece, reader: Reader, marks?: Uint8Array): void {
  const { variables, equations } = piece;
  const { lo, hi, kind, evident } = system.scratch;
  const { equationStart, equationVariables } = system;
  for (let i = 0; i < variables.length; i++) evident[variables[i] as number] = 0;
  readerBounds(system, variables, reader);
  const [low, high] = PRIMARY_SUPPRESSED;
  for (let k = 0; k < equations.length; k++) {
    const e = equations[k] as number;
    const first = equationStart[e] as number;
    const end = equationStart[e + 1] as number;
    const total = equationVariables[first] as number;
    let sumLo = 0;
    // The parts' upper bounds: finite ones summed, the unbounded counted.
    let sumHi = 0;
    let unbounded = 0;
    // Whether the equation has a `*`: one without is read once, not twice (issue 17: evidentlySecondary was 3.8 CPU s of
    // the national step's samples; measured with the other changes of 6e203ce, not alone).
    let starred = kind[total] === VALUE_SUPPRESSED;
    for (let i = first + 1; i < end; i++) {
      const v = equationVariables[i] as number;
      sumLo += lo[v] as number;
      if (hi[v] === Number.POSITIVE_INFINITY) unbounded++;
      else sumHi += hi[v] as number;
      if (kind[v] === VALUE_SUPPRESSED) starred = true;
    }
    if (!starred) continue;
    for (let i = first; i < end; i++) {
      const v = equationVariables[i] as number;
      if (kind[v] !== VALUE_SUPPRESSED) continue;
      if (
        looseOutside(
          i === first,
          sumLo,
          sumHi,
          unbounded,
          lo[total] as number,
          hi[total] as number,
          lo[v] as number,
          hi[v] as number,
          low,
          high,
        )
      )
        evident[v] = 1;
    }
  }
  if (marks !== undefined)
    for (let i = 0; i < variables.length; i++) marks[i] = evident[variables[i] as number] as number;
}

/** The documented reading's marks (markEvident): each `*` one equation, its other `*` at 1 to 7, shows is not 1 to 7. */
function evidentlySecondary(system: AuditSystem, piece: Piece): void {
  markEvident(system, piece, 'documented');
}

/**
 * Whether one equation read loose puts a `*` outside low to high: as its total (`isTotal`), the parts' sums; as a part,
 * the total less the other parts (`sumLo`, `sumHi` over the finite upper bounds, `unbounded` the parts without one;
 * `ownLo`, `ownHi` the `*`'s own loose bounds, taken out of the sums).
 */
function looseOutside(
  isTotal: boolean,
  sumLo: number,
  sumHi: number,
  unbounded: number,
  totalLo: number,
  totalHi: number,
  ownLo: number,
  ownHi: number,
  low: number,
  high: number,
): boolean {
  if (isTotal) return sumLo > high || (unbounded === 0 && sumHi < low);
  const othersUnbounded = unbounded - (ownHi === Number.POSITIVE_INFINITY ? 1 : 0) > 0;
  const from = othersUnbounded
    ? Number.NEGATIVE_INFINITY
    : totalLo - (sumHi - (ownHi === Number.POSITIVE_INFINITY ? 0 : ownHi));
  const to = totalHi - (sumLo - ownLo);
  return from > high || to < low;
}

/**
 * What a reader of the published figures alone recovers in a component: taking every `*` as 1 to 7 except those one
 * equation shows to be larger (secondary). Where that still contradicts the figures (a secondary `*` that only the
 * whole component shows to be larger), the reader takes every `*` as `relaxedReader` does, which the figures always
 * allow, and sees from the bounds that reading reaches which `*` cannot be 1 to 7 (secondarySeenWhole); reading those
 * so and the others as 1 to 7 again, what that finds where it does not contradict (else what the loose reading
 * finds). Undefined where the loose reading contradicts too (the figures do not add up as equations: counts of
 * distinct people, who may be in two areas). `known`: `*` the reader knows from figures not in this system cannot be 1
 * to 7 (the test-side scan's read of the rows without England's: what the rows with them show, looselySecondary),
 * marked secondary too; only where the values are read from the rows.
 */
export function readerDisclosures(
  system: AuditSystem,
  component: number,
  values?: LoadedValues,
  known?: ReadonlySet<number>,
): Disclosure[] | undefined {
  if (values?.system !== system || known !== undefined) return readComponent(system, component, values, known);
  const last = values.lastRead;
  const { variables } = system.components[component] as AuditSystem['components'][number];
  if (last !== undefined && last.component === component && last.version === values.versions[component]) {
    const { evident } = system.scratch;
    for (let i = 0; i < variables.length; i++) evident[variables[i] as number] = last.marks[i] as number;
    lastContradicted = last.contradicted;
    return last.found === undefined ? undefined : [];
  }
  const found = readComponent(system, component, values);
  values.lastRead =
    found === undefined || found.length === 0
      ? {
          component,
          version: values.versions[component] as number,
          found: found === undefined ? undefined : [],
          contradicted: lastContradicted,
          marks: marksOf(system, variables),
        }
      : undefined;
  return found;
}

/**
 * readerDisclosures' reading of a component (its last reading not kept, or not asked for); the loose reading it made,
 * if any, kept in `values` (KeptLoose).
 */
function readComponent(
  system: AuditSystem,
  component: number,
  values?: LoadedValues,
  known?: ReadonlySet<number>,
): Disclosure[] | undefined {
  const loose: LooseReading = {};
  const found = readWhole(system, component, loose, values, known);
  if (values?.system === system && loose.done === true) {
    const kept = values.lastLoose;
    const n = (system.components[component] as Piece).variables.length;
    kept.component = component;
    kept.version = values.versions[component] as number;
    kept.contradicted = loose.found === undefined;
    if (!kept.contradicted) {
      if (kept.lo.length < n) {
        kept.lo = new Float64Array(Math.max(n, 2 * kept.lo.length));
        kept.hi = new Float64Array(kept.lo.length);
      }
      kept.lo.set((loose.lo as Float64Array).subarray(0, n));
      kept.hi.set((loose.hi as Float64Array).subarray(0, n));
    }
  }
  return found;
}

/** readComponent's reading, its loose reading (where it makes one) in `loose`. */
function readWhole(
  system: AuditSystem,
  component: number,
  loose: LooseReading,
  values?: LoadedValues,
  known?: ReadonlySet<number>,
): Disclosure[] | undefined {
  const { variables } = system.components[component] as AuditSystem['components'][number];
  const previous = values?.system === system ? values.previous : undefined;
  lastContradicted = false;
  const whole = system.components[component] as Piece;
  if (previous === undefined) loadValues(system, variables);
  else if (previous.valid[component] === 1) {
    const documented = reaudit(system, component, previous);
    if (documented !== CUT_SHORT) {
      if (documented !== undefined)
        return withCriterion(
          system,
          whole,
          marksOf(system, variables, bytesFor('made', variables.length)),
          documented,
          undefined,
          loose,
        );
      // reaudit forgot the component: the next audit starts from nothing. The marks as an audit from nothing has them.
      evidentlySecondary(system, whole);
      const made = marksOf(system, variables, bytesFor('made', variables.length));
      lastContradicted = true;
      return withCriterion(system, whole, made, beyondDocumented(system, whole, loose), undefined, loose);
    }
  }
  evidentlySecondary(system, whole);
  if (known !== undefined && previous === undefined)
    for (let i = 0; i < variables.length; i++)
      if (known.has(variables[i] as number)) system.scratch.evident[variables[i] as number] = 1;
  const made = marksOf(system, variables, bytesFor('made', variables.length));
  const wide = bytesFor('wide', variables.length);
  readerBounds(system, variables, 'documented', wide);
  const documented = disclosedAfterPropagation(system, whole, wide, previous?.reasons);
  // A component whose documented reading contradicts is never valid for a re-audit (remember): its reading depends on
  // the whole component's loose bounds, which reaudit does not follow.
  if (previous !== undefined) remember(component, previous, documented);
  if (documented !== undefined) return withCriterion(system, whole, made, documented, known, loose);
  lastContradicted = true;
  return withCriterion(system, whole, made, beyondDocumented(system, whole, loose), known, loose);
}

/** The marks (scratch.evident) of `variables`, by position (into `marks` where given: its first variables.length). */
function marksOf(
  system: AuditSystem,
  variables: ArrayLike<number>,
  marks: Uint8Array = new Uint8Array(variables.length),
): Uint8Array {
  for (let i = 0; i < variables.length; i++) marks[i] = system.scratch.evident[variables[i] as number] as number;
  return marks;
}

/**
 * Typed arrays by position in a component or piece that its readings use and let go (issue 17: made anew for every
 * reading, zero-filled, a national month's component of 58,044 variables each time, they were a share of
 * criterionReading's and beyondDocumented's own time and of the collector's): one per use below, grown to the largest
 * piece met, only its first n entries read, each written before it is read. A use's array serves one call at a time:
 * `made` and `wide` readComponent's or withoutNational's reading of one piece (not both at once: the pieces are read
 * after the component), `criterion*` criterionReading's, `beyondWide` beyondDocumented's, `loose*` the LooseReading
 * kept from beyondDocumented to the criterion's reading of the same component or piece (one at a time), `whole*`
 * withoutNational's. Only the marks readerDisclosures keeps (ReadNothing) are their own.
 */
const reusable = {
  made: new Uint8Array(64),
  wide: new Uint8Array(64),
  criterionMarks: new Uint8Array(64),
  criterionWide: new Uint8Array(64),
  criterionLo: new Float64Array(64),
  criterionHi: new Float64Array(64),
  beyondWide: new Uint8Array(64),
  looseLo: new Float64Array(64),
  looseHi: new Float64Array(64),
  wholeMarks: new Uint8Array(64),
  wholeLo: new Float64Array(64),
  wholeHi: new Float64Array(64),
};
type ByteUse = 'made' | 'wide' | 'criterionMarks' | 'criterionWide' | 'beyondWide' | 'wholeMarks';
type FloatUse = 'criterionLo' | 'criterionHi' | 'looseLo' | 'looseHi' | 'wholeLo' | 'wholeHi';

/** The reusable bytes of `use`, at least n long. */
function bytesFor(use: ByteUse, n: number): Uint8Array {
  if (reusable[use].length < n) reusable[use] = new Uint8Array(Math.max(n, 2 * reusable[use].length));
  return reusable[use];
}

/** The reusable floats of `use`, at least n long. */
function floatsFor(use: FloatUse, n: number): Float64Array {
  if (reusable[use].length < n) reusable[use] = new Float64Array(Math.max(n, 2 * reusable[use].length));
  return reusable[use];
}

/**
 * What the documented reading just made of a piece found (`found`; undefined where its loose reading contradicts too),
 * or where that is nothing, what the criterion's reading finds (criterionReading; review 35, R35-4): a pin of either
 * counts, each being a reading the figures leave open. `made`: the marks the documented reading started from.
 */
function withCriterion(
  system: AuditSystem,
  piece: Piece,
  made: Uint8Array,
  found: Disclosure[] | undefined,
  known?: ReadonlySet<number>,
  loose?: LooseReading,
): Disclosure[] | undefined {
  // Made where the documented reading pins nothing: what it pins is protected first, and the caller reads again until
  // neither pins anything (issue 17: made beside every re-audit, the criterion's reading, a whole reading each time,
  // took the 25% dump's step from 16.2 to 24.3 CPU s).
  if (found !== undefined && found.length > 0) return found;
  const contradicted = lastContradicted;
  // A piece without England's equations (withoutNational) is an object of its own; a component read whole is the system's.
  const withoutEngland = piece !== system.components[system.componentOf[piece.variables[0] as number] as number];
  const more = criterionReading(system, piece, made, withoutEngland, known, loose);
  if (more === undefined) {
    lastContradicted = contradicted;
    return found;
  }
  lastContradicted = contradicted || lastContradicted;
  return more.length === 0 ? found : more;
}

/**
 * The criterion's reading of a component or piece (docs/methodology.md, "The criterion"; review 35, R35-4): the `*`
 * the figures show to be above 7 read loose, every other `*` 1 to 7. The documented reading's marks (evidentlySecondary)
 * are each `*` that one equation, its other `*` read 1 to 7, shows cannot be 1 to 7: England's May 26 over three
 * regions' `*` marks all three (each 12 or more if the other two were at most 7), though the figures say only that one
 * of them at least is above 7, not which. That reading is one the figures leave open too, and its pins are kept; this
 * one marks a `*` only where one equation read loose puts it outside 1 to 7 (markEvident, 'relaxed': each such mark is one the
 * component's loose reading makes), then, where reading the rest 1 to 7 contradicts, the loose reading's marks
 * (beyondDocumented, secondarySeenWhole). Made only where its marks differ from `made` (by position; else undefined:
 * the same reading); `known` marked too. Sets lastContradicted to whether its first reading contradicted; leaves the
 * scratch bounds and marks of the piece's variables as it found them (a re-audit starts from them). `withoutEngland`:
 * the piece is one without England's equations (withoutNational), whose equations are the others of its variables;
 * `loose`: the loose reading of the piece that beyondDocumented kept where the documented reading contradicted.
 */
function criterionReading(
  system: AuditSystem,
  piece: Piece,
  made: Uint8Array,
  withoutEngland: boolean,
  known?: ReadonlySet<number>,
  loose?: LooseReading,
): Disclosure[] | undefined {
  const { variables } = piece;
  const { lo, hi, evident } = system.scratch;
  const n = variables.length;
  // The criterion's marks (markEvident, 'relaxed', and `known`) worked out by position without walking every equation
  // (issue 17): a `*` one equation read loose puts outside 1 to 7 is one that equation puts outside it read documented
  // too (the loose reader's interval of every figure holds the documented one's, and a wider box gives the equation's
  // sums wider bounds), so it is marked in `made` (the documented reading's marks: evidentlySecondary over the same
  // equations, or the re-audit's evidentIn, the same marks kept up to date); only the `*` marked there are tried.
  const marks = bytesFor('criterionMarks', n);
  const inKnown = knownMarks(system, known);
  const sums = looseSumsOf(system);
  sums.stamp++;
  let differs = false;
  for (let i = 0; i < n; i++) {
    const v = variables[i] as number;
    const mark =
      inKnown !== undefined && inKnown[v] === 1
        ? 1
        : made[i] === 1 && looselyEvident(system, v, withoutEngland, sums)
          ? 1
          : 0;
    marks[i] = mark;
    if (mark !== made[i]) differs = true;
  }
  if (inKnown !== undefined) for (const v of known as ReadonlySet<number>) inKnown[v] = 0;
  if (!differs) {
    // As the marks were found: the scratch bounds are not touched on the way.
    for (let i = 0; i < n; i++) evident[variables[i] as number] = made[i] as number;
    return undefined;
  }
  const savedLo = floatsFor('criterionLo', n);
  const savedHi = floatsFor('criterionHi', n);
  for (let i = 0; i < n; i++) {
    const v = variables[i] as number;
    savedLo[i] = lo[v] as number;
    savedHi[i] = hi[v] as number;
    evident[v] = marks[i] as number;
  }
  const wide = bytesFor('criterionWide', n);
  readerBounds(system, variables, 'documented', wide);
  let found = disclosedAfterPropagation(system, piece, wide);
  lastContradicted = found === undefined;
  if (found === undefined) found = beyondDocumented(system, piece, loose);
  for (let i = 0; i < n; i++) {
    const v = variables[i] as number;
    lo[v] = savedLo[i] as number;
    hi[v] = savedHi[i] as number;
    evident[v] = made[i] as number;
  }
  return found ?? [];
}

/** Per system, a mark by variable of the `*` known secondary (criterionReading), all 0 between uses. */
const knownMarksOf = new WeakMap<AuditSystem, Uint8Array>();

/** `known` as marks by variable (cleared by the caller after use), or undefined where there is none. */
function knownMarks(system: AuditSystem, known: ReadonlySet<number> | undefined): Uint8Array | undefined {
  if (known === undefined || known.size === 0) return undefined;
  let marks = knownMarksOf.get(system);
  if (marks === undefined) {
    marks = new Uint8Array(system.scratch.lo.length);
    knownMarksOf.set(system, marks);
  }
  for (const v of known) marks[v] = 1;
  return marks;
}

/**
 * Per system, each equation's loose sums (looselyEvident) within one criterion's reading: the `*` a reading tries
 * share equations (issue 17: each summed every equation of its own again).
 */
const looseSums = new WeakMap<AuditSystem, EquationSums>();

function looseSumsOf(system: AuditSystem): EquationSums {
  let sums = looseSums.get(system);
  if (sums === undefined) {
    sums = newEquationSums(system);
    looseSums.set(system, sums);
  }
  return sums;
}

/**
 * Whether one equation of a component (without England's, `withoutEngland`: a piece's, pieceOf) read loose (every
 * figure as relaxedReader takes it) puts the `*` of variable v outside 1 to 7: markEvident's 'relaxed' mark of v alone.
 * Each equation's sums are kept in `kept` for its stamp.
 */
function looselyEvident(system: AuditSystem, v: number, withoutEngland: boolean, kept: EquationSums): boolean {
  const { kind } = system.scratch;
  if (kind[v] !== VALUE_SUPPRESSED) return false;
  const { equationStart, equationVariables, equationsOfStart, equationsOfList } = system;
  const [low, high] = PRIMARY_SUPPRESSED;
  const { sums } = kept;
  for (let j = equationsOfStart[v] as number; j < (equationsOfStart[v + 1] as number); j++) {
    const e = equationsOfList[j] as number;
    if (withoutEngland && hasNational(system, e)) continue;
    const first = equationStart[e] as number;
    const end = equationStart[e + 1] as number;
    const at = equationSums(system, e, relaxedBox, kept);
    const sumLo = sums[at] as number;
    const sumHi = sums[at + 1] as number;
    const unbounded = sums[at + 2] as number;
    const totalLo = sums[at + 3] as number;
    const totalHi = sums[at + 4] as number;
    relaxedBox(system, v);
    for (let i = first; i < end; i++)
      if (
        equationVariables[i] === v &&
        looseOutside(i === first, sumLo, sumHi, unbounded, totalLo, totalHi, boxLo, boxHi, low, high)
      )
        return true;
  }
  return false;
}

/** What is read from an equation whose documented reading contradicts, for the criterion's reading of it. */
interface LooseReading {
  /** The loose reading's bounds of the piece's variables by position, and what it found (beyondDocumented). */
  lo?: Float64Array;
  hi?: Float64Array;
  found?: Disclosure[] | undefined;
  converged?: boolean;
  done?: boolean;
}

/**
 * The reader's audit of a component whose documented reading contradicts (readerDisclosures): the loose reading first;
 * then the `*` its bounds show cannot be 1 to 7 marked secondary (scratch.evident, beside those one equation shows) and
 * the others read as 1 to 7. Once: the loose reading does not depend on the marks, so a second round would mark the
 * same cells; where the mixed reading still contradicts, some `*` not marked is secondary and the figures do not say
 * which, so the loose reading's findings stand (as before this step was added). `loose`: the loose reading of the same
 * piece with the same published values, kept (`done`) or to keep (issue 17: the criterion's reading of a piece whose
 * documented reading contradicted made the same loose propagation again). The loose reading reads every `*` as
 * relaxedReader does whatever the marks, so from the same values it is the same propagation from the same box, in the
 * same order: the same bounds and findings.
 */
function beyondDocumented(system: AuditSystem, piece: Piece, loose?: LooseReading): Disclosure[] | undefined {
  const { variables } = piece;
  const { lo, hi } = system.scratch;
  const n = variables.length;
  const wide = bytesFor('beyondWide', n);
  let found: Disclosure[] | undefined;
  if (loose?.done === true) {
    const keptLo = loose.lo as Float64Array;
    const keptHi = loose.hi as Float64Array;
    for (let i = 0; i < n; i++) {
      lo[variables[i] as number] = keptLo[i] as number;
      hi[variables[i] as number] = keptHi[i] as number;
    }
    found = loose.found === undefined ? undefined : [...loose.found];
    lastConverged = loose.converged === true;
  } else {
    readerBounds(system, variables, 'relaxed', wide);
    found = disclosedAfterPropagation(system, piece, wide);
    if (loose !== undefined) {
      loose.lo = floatsFor('looseLo', n);
      loose.hi = floatsFor('looseHi', n);
      for (let i = 0; i < n; i++) {
        loose.lo[i] = lo[variables[i] as number] as number;
        loose.hi[i] = hi[variables[i] as number] as number;
      }
      loose.found = found === undefined ? undefined : [...found];
      loose.converged = lastConverged;
      loose.done = true;
    }
  }
  if (found === undefined || !secondarySeenWhole(system, variables)) return found;
  readerBounds(system, variables, 'documented', wide);
  return disclosedAfterPropagation(system, piece, wide) ?? found;
}

/** Whether the last readerDisclosures found the component's documented reading contradicting (beyondDocumented). */
let lastContradicted = false;

/**
 * What a reader recovers in a component reading it without England's equations (withoutNational; review 29, R29-1),
 * where that can pin more than the component read whole: where its documented reading contradicts, or where England's
 * equations alone show a `*` cannot be 1 to 7 (marked secondary, read 1 or more: a piece without them reads it 1 to 7,
 * England's 205 over three regions' `*` beside rounded ones says each is 43 or more if the others are at most 7, yet
 * any one of them may be 7, and a region's `*` over seven PCNs' `*` is then 7, each PCN 1). Elsewhere nothing: a
 * piece's marks are then the component's, and its reading, with fewer equations, pins nothing the whole does not.
 * Reads the component first (readerDisclosures), so that the pieces start from its published values. The publisher
 * asks for it once the whole and each equation alone find nothing (protectComponent), so that their protection is
 * chosen first, as before.
 */
export function readerDisclosuresWithoutEngland(
  system: AuditSystem,
  component: number,
  values?: LoadedValues,
  known?: Known,
): Disclosure[] {
  readerDisclosures(system, component, values);
  return withoutEnglandAfter(system, component, known);
}

/**
 * readerDisclosuresWithoutEngland's reading without England, where readerDisclosures has just read the component
 * (padPartitions' read of every row: its pins are protected as the whole's are).
 */
export function withoutEnglandAfter(system: AuditSystem, component: number, known?: Known): Disclosure[] {
  return lastContradicted || nationallySecondary(system, component)
    ? withoutNational(system, component, typeof known === 'function' ? known() : known)
    : [];
}

/** Whether a `*` below England in an equation of England's is marked secondary (scratch.evident). */
function nationallySecondary(system: AuditSystem, component: number): boolean {
  const { equationStart, equationVariables, levelOf } = system;
  const { kind, evident } = system.scratch;
  for (const e of nationalEquationsOf(system, component))
    for (let i = equationStart[e] as number; i < (equationStart[e + 1] as number); i++) {
      const v = equationVariables[i] as number;
      if (levelOf[v] !== LEVEL_NATIONAL && kind[v] === VALUE_SUPPRESSED && evident[v] === 1) return true;
    }
  return false;
}

/**
 * A component whose documented reading contradicts (readerDisclosures) read again without England's equations (review
 * 29, R29-1): a reader may leave out the equations that contradict their 1-to-7 reading, England's first (England =
 * its regions, its year = its months, its groups), which splits a national component into pieces (a region's areas
 * and their months). Each piece is read as a component is (readerDisclosures: its `*` that one equation of it shows
 * cannot be 1 to 7 marked secondary, the others 1 to 7; where that contradicts, the loose reading, then the `*` it
 * shows secondary marked), on its own figures alone, as the test-side scan reads the rows without England's: a piece
 * that reads consistently gives up what it pins, whatever the rest of the component says (a secondary `*` in another
 * region made the whole contradict). A `*` pinned to 0 is not counted, as in each equation read alone
 * (equationAlone): it says that no one was counted, as a published 0 would (counted, it made the publisher suppress
 * every count near a region's `*` over its only ICB's published 0, which no `*` elsewhere unpins: 88 cells of
 * cof_community in test/integration/revisions-linked.test.ts). `known`: the `*` the whole component's loose reading
 * shows cannot be 1 to 7 (looselySecondary; the publisher's, those truly not 1 to 7 as brokenSeal takes them), read
 * in each piece as the reader knows them, 1 or more: leaving England's line out does not unlearn what the figures
 * say of them, and a piece that reads one as 1 to 7 is read wrong (review 10's seal: the South West's `*` over its
 * seven ICBs' `*`, 12 or more by the rest of the component, read alone as 7 over seven 1s; a piece of that equation
 * alone is that seal, which brokenSeal leaves published). A piece whose `*` are all truly 1 to 7 (R29-1's hand-built
 * rows: the secondary `*` in the other region) reads as before. The scratch bounds and marks (scratch.evident) of
 * the component's variables are as they were again after: they hold the component's own reading, from which its next
 * reading starts (reaudit; left as the pieces' readings, the publisher's next reading of a component whose whole
 * reading had pinned something started from them and found other values: `[[0,0,0,2,0],[0]]` in
 * test/unit/disclosure-audit.test.ts).
 */
function withoutNational(system: AuditSystem, component: number, known?: ReadonlySet<number>): Disclosure[] {
  const { variables } = system.components[component] as Piece;
  const { queued, evident, kind, lo, hi } = system.scratch;
  const { national: nationalEquations, pieces } = piecesOf(system, component);
  if (nationalEquations.length === 0) return [];
  const n = variables.length;
  const marks = bytesFor('wholeMarks', n);
  const savedLo = floatsFor('wholeLo', n);
  const savedHi = floatsFor('wholeHi', n);
  for (let i = 0; i < n; i++) {
    const v = variables[i] as number;
    marks[i] = evident[v] as number;
    savedLo[i] = lo[v] as number;
    savedHi[i] = hi[v] as number;
  }
  const found: Disclosure[] = [];
  // England's equations marked queued, so that propagation never takes them up.
  for (const e of nationalEquations) queued[e] = 1;
  for (const reading of pieces) {
    const { piece } = reading;
    const size = piece.variables.length;
    const knownHere: number[] = [];
    if (known !== undefined)
      for (let i = 0; i < size; i++) if (known.has(piece.variables[i] as number)) knownHere.push(i);
    // The piece read as last time where none of its values changed since and the same `*` are known: the same reading.
    if (readAsBefore(system, reading, knownHere, found)) continue;
    evidentlySecondary(system, piece);
    for (const i of knownHere) evident[piece.variables[i] as number] = 1;
    const made = marksOf(system, piece.variables, bytesFor('made', size));
    const wide = bytesFor('wide', size);
    readerBounds(system, piece.variables, 'documented', wide);
    const loose: LooseReading = {};
    const documented = disclosedAfterPropagation(system, piece, wide) ?? beyondDocumented(system, piece, loose);
    // The criterion's reading of the piece beside it (review 35, R35-4). It sets lastContradicted only to add its own
    // contradiction (withCriterion): read from false, kept for the piece's next reading.
    const before = lastContradicted;
    lastContradicted = false;
    const pinned = withCriterion(system, piece, made, documented, known, loose) ?? [];
    const contradicted = lastContradicted;
    lastContradicted = before || contradicted;
    const kept: Disclosure[] = [];
    for (const d of pinned) if (d.value !== 0 || kind[d.variable] !== VALUE_SUPPRESSED) kept.push(d);
    for (const d of kept) found.push({ ...d });
    reading.readAt = system.scratch.clock;
    reading.known = knownHere;
    reading.contradicted = contradicted;
    reading.found = kept;
  }
  for (const e of nationalEquations) queued[e] = 0;
  for (let i = 0; i < n; i++) {
    const v = variables[i] as number;
    evident[v] = marks[i] as number;
    lo[v] = savedLo[i] as number;
    hi[v] = savedHi[i] as number;
  }
  return found;
}

/**
 * A piece of a component without England's equations (pieceOf) and its last reading by withoutNational (issue 17: the
 * publisher reads every piece again after each cell it suppresses in the component, mostly in one region's piece).
 * A piece's reading depends on the values of its own variables (its equations hold no other) and the `*` known
 * secondary in it, nothing else: it is made again only where one of them changed since (scratch.changedAt after
 * `readAt`) or they differ.
 */
interface PieceReading {
  readonly piece: Piece;
  readAt: number;
  /** The positions of the `*` known secondary (withoutNational's `known`) in the piece's variables. */
  known: readonly number[];
  contradicted: boolean;
  /** What it found (undefined: not read yet). */
  found: readonly Disclosure[] | undefined;
}

/** Per system and component: England's equations and the pieces without them, in the order withoutNational reads them. */
const piecesWithoutEngland = new WeakMap<
  AuditSystem,
  Map<number, { readonly national: readonly number[]; readonly pieces: readonly PieceReading[] }>
>();

/**
 * England's equations of a component (nationalEquationsOf) and its pieces without them (pieceOf, from each of its
 * variables below England in turn, those with an equation), worked out once per system: they depend on its equations
 * and levels only.
 */
function piecesOf(
  system: AuditSystem,
  component: number,
): { readonly national: readonly number[]; readonly pieces: readonly PieceReading[] } {
  let bySystem = piecesWithoutEngland.get(system);
  if (bySystem === undefined) {
    bySystem = new Map();
    piecesWithoutEngland.set(system, bySystem);
  }
  const known = bySystem.get(component);
  if (known !== undefined) return known;
  const national = nationalEquationsOf(system, component);
  const pieces: PieceReading[] = [];
  if (national.length > 0) {
    const { variables } = system.components[component] as Piece;
    const { visited, reached } = system.scratch;
    const stamp = ++system.scratch.stamp;
    for (let s = 0; s < variables.length; s++) {
      const start = variables[s] as number;
      if (visited[start] === stamp || system.levelOf[start] === LEVEL_NATIONAL) continue;
      const { equations, size } = pieceOf(system, start, stamp);
      if (equations.length === 0) continue;
      pieces.push({
        piece: { variables: reached.slice(0, size), equations: Int32Array.from(equations) },
        readAt: 0,
        known: [],
        contradicted: false,
        found: undefined,
      });
    }
  }
  const made = { national, pieces };
  bySystem.set(component, made);
  return made;
}

/**
 * Where none of a piece's values changed since its last reading and the same `*` are known (`knownHere`), that
 * reading's findings added to `found` and its contradiction added (lastContradicted); whether so.
 */
function readAsBefore(
  system: AuditSystem,
  reading: PieceReading,
  knownHere: readonly number[],
  found: Disclosure[],
): boolean {
  const { variables } = reading.piece;
  const { changedAt } = system.scratch;
  if (reading.found === undefined || !sameNumbers(reading.known, knownHere)) return false;
  for (let i = 0; i < variables.length; i++)
    if ((changedAt[variables[i] as number] as number) > reading.readAt) return false;
  lastContradicted ||= reading.contradicted;
  for (const d of reading.found) found.push({ ...d });
  return true;
}

/** Whether two lists hold the same numbers in the same order. */
function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * withoutNational's reading with the caller's intervals (review 34, R34-2: staff years read as person-months, whose
 * `*` is a mean under 8, 1 to 8 x months - 1 person-months, and a rounded figure its months' range): each piece of a
 * component without England's equations read on its own, `documented` for every `*` but those one equation of the
 * piece alone shows cannot be so and those `known` (the whole's loose reading shows them not so: a reader does not
 * unlearn it by leaving England's line out), which are read as `relaxed` says; where that contradicts, every `*` as
 * `relaxed` says, then the `*` whose bounds so rule out `documented` read so and the others as documented again (that
 * reading's pins, where it does not contradict; else the loose reading's). `shown(v)`: whether the published cell of v
 * is a `*` (the reader's marks are of `*` only; a `*` pinned to 0 is not counted: it says no one was counted, as a 0
 * does). The scratch bounds of the pieces' variables are left as the last reading of each.
 */
export function piecesWithoutEnglandAs(
  system: AuditSystem,
  component: number,
  documented: SuppressedRange,
  relaxed: SuppressedRange,
  shown: (variable: number) => boolean,
  known?: ReadonlySet<number>,
): Disclosure[] {
  const nationalEquations = nationalEquationsOf(system, component);
  if (nationalEquations.length === 0) return [];
  const { variables } = system.components[component] as Piece;
  const { queued, visited, reached } = system.scratch;
  const stamp = ++system.scratch.stamp;
  const found: Disclosure[] = [];
  for (const e of nationalEquations) queued[e] = 1;
  for (let s = 0; s < variables.length; s++) {
    const start = variables[s] as number;
    if (visited[start] === stamp || system.levelOf[start] === LEVEL_NATIONAL) continue;
    const { equations, size } = pieceOf(system, start, stamp);
    if (equations.length === 0) continue;
    const piece: Piece = { variables: reached.slice(0, size), equations: Int32Array.from(equations) };
    found.push(...readPieceAs(system, piece, documented, relaxed, shown, known));
  }
  for (const e of nationalEquations) queued[e] = 0;
  return found;
}

/** One piece read as piecesWithoutEnglandAs says. */
function readPieceAs(
  system: AuditSystem,
  piece: Piece,
  documented: SuppressedRange,
  relaxed: SuppressedRange,
  shown: (variable: number) => boolean,
  known: ReadonlySet<number> | undefined,
): Disclosure[] {
  const { variables, equations } = piece;
  const { lo, hi } = system.scratch;
  const { equationStart, equationVariables } = system;
  const n = variables.length;
  const at = new Map<number, number>();
  const docLo = new Float64Array(n);
  const docHi = new Float64Array(n);
  const relLo = new Float64Array(n);
  const relHi = new Float64Array(n);
  const marked = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = variables[i] as number;
    at.set(v, i);
    const cell = cellOf(system, v);
    const interval = (reader: SuppressedRange) =>
      (cell
        ? publishedInterval(cell.row[cell.column], cell.row.level === 'national', reader(cell))
        : totalInterval(system, v, reader)) ?? ANY_COUNT;
    [docLo[i], docHi[i]] = interval(documented);
    [relLo[i], relHi[i]] = interval(relaxed);
    if (known?.has(v) === true && shown(v)) marked[i] = 1;
  }
  const read = (loose: boolean) => {
    const wide = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = variables[i] as number;
      const relaxedHere = loose || marked[i] === 1;
      lo[v] = (relaxedHere ? relLo[i] : docLo[i]) as number;
      hi[v] = (relaxedHere ? relHi[i] : docHi[i]) as number;
      wide[i] = (hi[v] as number) > (lo[v] as number) ? 1 : 0;
    }
    return disclosedAfterPropagation(system, piece, wide);
  };
  const counted = (found: Disclosure[]) =>
    found.filter((d) => d.value !== 0 || d.part !== undefined || !shown(d.variable));
  // Every `*` as documented but those known (the staff years' reading of a whole component: an equation that shows some
  // of its `*` cannot all be as documented leaves the reader free to take any one of them so).
  const first = read(false);
  if (first !== undefined) return counted(first);
  // Where that contradicts: a `*` that one equation alone, every figure read as documented, shows cannot be as
  // documented, read as relaxed too.
  for (let k = 0; k < equations.length; k++) {
    const e = equations[k] as number;
    const first = equationStart[e] as number;
    const end = equationStart[e + 1] as number;
    const total = at.get(equationVariables[first] as number) as number;
    let sumLo = 0;
    let sumHi = 0;
    for (let j = first + 1; j < end; j++) {
      const i = at.get(equationVariables[j] as number) as number;
      sumLo += docLo[i] as number;
      sumHi += docHi[i] as number;
    }
    for (let j = first; j < end; j++) {
      const v = equationVariables[j] as number;
      const i = at.get(v) as number;
      if (!shown(v)) continue;
      const from = j === first ? sumLo : (docLo[total] as number) - (sumHi - (docHi[i] as number));
      const to = j === first ? sumHi : (docHi[total] as number) - (sumLo - (docLo[i] as number));
      if (from > (docHi[i] as number) || to < (docLo[i] as number)) marked[i] = 1;
    }
  }
  let pinned = read(false);
  if (pinned === undefined) {
    const loose = read(true);
    if (loose === undefined) return [];
    let more = false;
    for (let i = 0; i < n; i++) {
      const v = variables[i] as number;
      if (marked[i] === 1 || !shown(v)) continue;
      if ((lo[v] as number) > (docHi[i] as number) || (hi[v] as number) < (docLo[i] as number)) {
        marked[i] = 1;
        more = true;
      }
    }
    pinned = (more ? read(false) : undefined) ?? loose;
  }
  return counted(pinned);
}

/** The equations of a component that hold a cell of England's (withoutNational leaves them out). */
export function nationalEquationsOf(system: AuditSystem, component: number): number[] {
  const { equations } = system.components[component] as Piece;
  const found: number[] = [];
  for (let k = 0; k < equations.length; k++)
    if (hasNational(system, equations[k] as number)) found.push(equations[k] as number);
  return found;
}

/** Whether equation e holds a cell of England's. */
function hasNational(system: AuditSystem, e: number): boolean {
  const { levelOf, equationStart, equationVariables } = system;
  for (let i = equationStart[e] as number; i < (equationStart[e + 1] as number); i++)
    if (levelOf[equationVariables[i] as number] === LEVEL_NATIONAL) return true;
  return false;
}

/**
 * The piece of `start` (withoutNational): the variables reached from it by equations without England's (in
 * scratch.reached, `size` of them, marked visited with `stamp`) and those equations.
 */
function pieceOf(system: AuditSystem, start: number, stamp: number): { equations: number[]; size: number } {
  const { equationStart, equationVariables, equationsOfStart, equationsOfList } = system;
  const { visited, visitedEquations, reached } = system.scratch;
  visited[start] = stamp;
  reached[0] = start;
  let size = 1;
  const equations: number[] = [];
  for (let head = 0; head < size; head++) {
    const at = reached[head] as number;
    for (let j = equationsOfStart[at] as number; j < (equationsOfStart[at + 1] as number); j++) {
      const e = equationsOfList[j] as number;
      if (visitedEquations[e] === stamp) continue;
      visitedEquations[e] = stamp;
      if (hasNational(system, e)) continue;
      equations.push(e);
      for (let i = equationStart[e] as number; i < (equationStart[e + 1] as number); i++) {
        const v = equationVariables[i] as number;
        if (visited[v] === stamp) continue;
        visited[v] = stamp;
        reached[size++] = v;
      }
    }
  }
  return { equations, size };
}

/** The variables (`wide`: not known exactly from what is published) that the scratch bounds pin, added to `into`. */
function pinnedOf(system: AuditSystem, variables: ArrayLike<number>, wide: Uint8Array, into: Disclosure[]): void {
  const { lo, hi } = system.scratch;
  for (let i = 0; i < variables.length; i++) {
    const v = variables[i] as number;
    if (wide[i] === 0 || lo[v] !== hi[v]) continue;
    const value = lo[v] as number;
    const cell = cellOf(system, v);
    if (cell) into.push({ variable: v, cell, value });
    else if (partDisclosed(system, v, value)) {
      const part = system.parts.get(v) as { cell: AuditCell; family: string };
      into.push({ variable: v, cell: part.cell, value, part: part.family });
    }
  }
}

/**
 * Marks (scratch.evident) each `*` whose bounds (lo/hi after the loose reading's propagation: sound, since the figures
 * allow that reading) rule out 1 to 7; whether any was newly marked.
 */
function secondarySeenWhole(system: AuditSystem, variables: ArrayLike<number>): boolean {
  const { lo, hi, kind, evident } = system.scratch;
  const [low, high] = PRIMARY_SUPPRESSED;
  let marked = false;
  for (let i = 0; i < variables.length; i++) {
    const v = variables[i] as number;
    if (kind[v] !== VALUE_SUPPRESSED || evident[v] === 1) continue;
    if ((lo[v] as number) > high || (hi[v] as number) < low) {
      evident[v] = 1;
      marked = true;
    }
  }
  return marked;
}

/** A re-audit that stopped on its budget: the component is audited from nothing instead. */
const CUT_SHORT = Symbol('cut short');

/** After a documented audit from nothing: whether the next may start from it, and what it found. */
function remember(component: number, previous: PreviousAudits, documented: Disclosure[] | undefined): void {
  const pending = previous.pending[component];
  if (pending !== undefined) for (const v of pending) previous.pendingMark[v] = 0;
  previous.pending[component] = undefined;
  forget(previous, component);
  if (documented === undefined || !lastConverged) return;
  previous.valid[component] = 1;
  const found = new Set<number>();
  for (const { variable } of documented) {
    found.add(variable);
    previous.disclosedMark[variable] = 1;
  }
  previous.disclosed[component] = found;
}

/** The documented reader's bounds of a variable (readerBounds, one variable): set in boxLo and boxHi. */
let boxLo = 0;
let boxHi = 0;
function documentedBox(system: AuditSystem, v: number, withEvident: boolean): void {
  const { kind, value, evident } = system.scratch;
  const k = kind[v] as number;
  if (k === VALUE_NUMBER) {
    const x = value[v] as number;
    if (system.levelOf[v] === LEVEL_NATIONAL || x === 0) {
      boxLo = x;
      boxHi = x;
    } else {
      boxLo = Math.max(MIN_ROUNDED, x - ROUNDING_HALF_WIDTH);
      boxHi = x + ROUNDING_HALF_WIDTH;
    }
  } else if (k === VALUE_SUPPRESSED) {
    if (!withEvident || evident[v] === 0) {
      boxLo = PRIMARY_SUPPRESSED[0];
      boxHi = PRIMARY_SUPPRESSED[1];
    } else {
      boxLo = system.levelOf[v] === LEVEL_REGION ? 0 : 1;
      boxHi = Number.POSITIVE_INFINITY;
    }
  } else {
    boxLo = ANY_COUNT[0];
    boxHi = ANY_COUNT[1];
  }
}

/** The loose reader's bounds of a variable (readerBounds, 'relaxed', one variable): set in boxLo and boxHi. */
function relaxedBox(system: AuditSystem, v: number): void {
  if (system.scratch.kind[v] === VALUE_SUPPRESSED) {
    boxLo = system.levelOf[v] === LEVEL_REGION ? 0 : 1;
    boxHi = Number.POSITIVE_INFINITY;
  } else documentedBox(system, v, false);
}

/** documentedBox without the evident marks: the bounds a reader takes each figure in before reading any equation. */
function documentedReaderBox(system: AuditSystem, v: number): void {
  documentedBox(system, v, false);
}

/**
 * Each equation's sums under one reader's box (equationSums), kept within one use: the user moves `stamp` on at the
 * start of each (the values do not change within one).
 */
interface EquationSums {
  stamp: number;
  /** Per equation, the stamp its sums were worked out in. */
  readonly at: Int32Array;
  /** Per equation (5 each): the parts' lower bounds summed, their finite upper bounds summed, how many are unbounded, the total's bounds. */
  readonly sums: Float64Array;
}

function newEquationSums(system: AuditSystem): EquationSums {
  const equations = system.equationStart.length - 1;
  return { stamp: 0, at: new Int32Array(equations), sums: new Float64Array(5 * equations) };
}

/**
 * Equation e's sums (EquationSums) with each figure's bounds from `box` (documentedReaderBox or relaxedBox), worked out
 * once per use of `kept`: returns where they start in `kept.sums`. Leaves boxLo and boxHi changed.
 */
function equationSums(
  system: AuditSystem,
  e: number,
  box: (system: AuditSystem, v: number) => void,
  kept: EquationSums,
): number {
  const { equationStart, equationVariables } = system;
  const { at, sums, stamp } = kept;
  const start = 5 * e;
  if (at[e] === stamp) return start;
  at[e] = stamp;
  const first = equationStart[e] as number;
  const end = equationStart[e + 1] as number;
  let sumLo = 0;
  let sumHi = 0;
  let unbounded = 0;
  for (let i = first + 1; i < end; i++) {
    box(system, equationVariables[i] as number);
    sumLo += boxLo;
    if (boxHi === Number.POSITIVE_INFINITY) unbounded++;
    else sumHi += boxHi;
  }
  box(system, equationVariables[first] as number);
  sums[start] = sumLo;
  sums[start + 1] = sumHi;
  sums[start + 2] = unbounded;
  sums[start + 3] = boxLo;
  sums[start + 4] = boxHi;
  return start;
}

/**
 * Whether one equation alone shows that the `*` of variable u (in it) cannot be 1 to 7 (evidentlySecondary); the
 * equation's sums kept in `kept` for its use.
 */
function evidentIn(system: AuditSystem, kept: EquationSums, e: number, u: number): boolean {
  const { equationStart, equationVariables } = system;
  const { sums } = kept;
  const first = equationStart[e] as number;
  const end = equationStart[e + 1] as number;
  const at = equationSums(system, e, documentedReaderBox, kept);
  const sumLo = sums[at] as number;
  // The parts' upper bounds summed: infinite where one is (a figure not published).
  const sumHi = sums[at + 2] === 0 ? (sums[at + 1] as number) : Number.POSITIVE_INFINITY;
  const totalLo = sums[at + 3] as number;
  const totalHi = sums[at + 4] as number;
  const [low, high] = PRIMARY_SUPPRESSED;
  documentedBox(system, u, false);
  for (let i = first; i < end; i++) {
    if (equationVariables[i] !== u) continue;
    const from = i === first ? sumLo : totalLo - (sumHi - boxHi);
    const to = i === first ? sumHi : totalHi - (sumLo - boxLo);
    if (from > high || to < low) return true;
  }
  return false;
}

/**
 * The documented reader's audit of a component again after some of its values changed (previous.pending), from the
 * fixpoint its last audit reached (previous.valid) rather than from nothing; the same result (undefined where the
 * bounds contradict), or CUT_SHORT where propagation stopped on its budget.
 *
 * Bounds propagation narrows a box to the greatest fixpoint inside it (every equation applied until none narrows
 * anything; the order does not matter). Let S be the variables whose reader bounds changed (the values read again,
 * and the `*` whose evident marks changed), and A the variables reached from S through equations by way of variables
 * that the last fixpoint F had narrowed (a variable left at its reader bounds passes nothing on). Every variable
 * outside A either was not narrowed (F is its reader bounds, unchanged) or has all its equations outside A, so F
 * outside A is the fixpoint of those equations on bounds that did not change: the new fixpoint F' lies within F
 * there. Starting from the new reader bounds on A and F elsewhere (a box between F' and the new reader bounds) and
 * propagating the equations that touch A reaches F' (or the same contradiction). Only the variables of A and those
 * narrowed since can change whether they are disclosed.
 */
function reaudit(
  system: AuditSystem,
  component: number,
  previous: PreviousAudits,
): Disclosure[] | undefined | typeof CUT_SHORT {
  const pending = previous.pending[component] ?? [];
  previous.pending[component] = undefined;
  const { lo, hi } = system.scratch;
  const stamp = ++previous.stamp;
  const nodes: number[] = [];
  for (const v of changedBounds(system, previous, pending, stamp)) {
    previous.inSetHi[v] = stamp;
    nodes.push(v << 1, (v << 1) | 1);
  }
  const equations = reach(system, previous, nodes, stamp);
  for (const node of nodes) {
    const a = node >> 1;
    documentedBox(system, a, true);
    if ((node & 1) === 0) {
      lo[a] = boxLo;
      previous.reasons.lo[a] = 0;
    } else {
      hi[a] = boxHi;
      previous.reasons.hi[a] = 0;
    }
  }
  const { equations: all } = system.components[component] as AuditSystem['components'][number];
  const narrowed: number[] = [];
  const consistent = propagateFrom(
    system,
    equations,
    all.length * MAX_VISITS_PER_EQUATION,
    lo,
    hi,
    previous.reasons,
    narrowed,
    previous.seen,
    ++previous.stamp,
  );
  if (!consistent || !lastConverged) {
    // The next audit of this component starts from nothing (the values are all read: nothing is pending).
    forget(previous, component);
    return consistent ? CUT_SHORT : undefined;
  }
  let found = previous.disclosed[component];
  if (found === undefined) {
    found = new Set();
    previous.disclosed[component] = found;
  }
  for (const node of nodes) noteDisclosed(system, previous, found, node >> 1);
  for (const v of narrowed) noteDisclosed(system, previous, found, v);
  const disclosures: Disclosure[] = [];
  for (const v of [...found].sort((a, b) => a - b)) {
    const value = lo[v] as number;
    const cell = cellOf(system, v);
    if (cell) disclosures.push({ variable: v, cell, value });
    else {
      const part = system.parts.get(v) as { cell: AuditCell; family: string };
      disclosures.push({ variable: v, cell: part.cell, value, part: part.family });
    }
  }
  return disclosures;
}

/**
 * S: the variables read again (`pending`), and the `*` whose evident mark changes (recomputed for every variable
 * sharing an equation with one read again: its other equations did not change); each marked in inSet with `stamp`.
 */
function changedBounds(
  system: AuditSystem,
  previous: PreviousAudits,
  pending: readonly number[],
  stamp: number,
): number[] {
  const { kind, evident } = system.scratch;
  const { equationStart, equationVariables, equationsOfStart, equationsOfList } = system;
  const { seen, inSet } = previous;
  previous.sums.stamp++;
  const changed: number[] = [];
  for (const v of pending) {
    previous.pendingMark[v] = 0;
    if (inSet[v] !== stamp) {
      inSet[v] = stamp;
      changed.push(v);
    }
  }
  for (const p of pending)
    for (let j = equationsOfStart[p] as number; j < (equationsOfStart[p + 1] as number); j++) {
      const e = equationsOfList[j] as number;
      for (let i = equationStart[e] as number; i < (equationStart[e + 1] as number); i++) {
        const u = equationVariables[i] as number;
        if (seen[u] === stamp) continue;
        seen[u] = stamp;
        let mark = 0;
        if (kind[u] === VALUE_SUPPRESSED)
          for (let k = equationsOfStart[u] as number; k < (equationsOfStart[u + 1] as number) && mark === 0; k++)
            if (evidentIn(system, previous.sums, equationsOfList[k] as number, u)) mark = 1;
        if (mark === evident[u]) continue;
        evident[u] = mark;
        if (inSet[u] !== stamp) {
          inSet[u] = stamp;
          changed.push(u);
        }
      }
    }
  return changed;
}

/**
 * A, by bound: extends `nodes` (each variable << 1, and 1 for its upper bound: at first both bounds of each variable of
 * S) with every bound that an equation worked out from one of them narrowed (reasons), until none is left; returns
 * the equations touching A. In an equation, a part's lower bound is worked out from the total's lower bound and the
 * other parts' upper bounds (its upper bound the other way round), and the total's from the parts' same bound.
 */
function reach(system: AuditSystem, previous: PreviousAudits, nodes: number[], stamp: number): number[] {
  const { equationStart, equationVariables, equationsOfStart, equationsOfList } = system;
  const { inSet, inSetHi, equationSeen, reasons } = previous;
  const equations: number[] = [];
  const consider = (w: number, upper: number, e: number) => {
    const marks = upper === 1 ? inSetHi : inSet;
    if (marks[w] === stamp) return;
    const why = (upper === 1 ? reasons.hi : reasons.lo)[w] as number;
    if (why === 0 || ((why & ANY_REASON) === 0 && (why & reasonOf(system, w, e)) === 0)) return;
    marks[w] = stamp;
    nodes.push((w << 1) | upper);
  };
  for (let k = 0; k < nodes.length; k++) {
    const a = (nodes[k] as number) >> 1;
    const upper = (nodes[k] as number) & 1;
    for (let j = equationsOfStart[a] as number; j < (equationsOfStart[a + 1] as number); j++) {
      const e = equationsOfList[j] as number;
      if (equationSeen[e] !== stamp) {
        equationSeen[e] = stamp;
        equations.push(e);
      }
      const first = equationStart[e] as number;
      const end = equationStart[e + 1] as number;
      const total = equationVariables[first] as number;
      if (a === total) for (let i = first + 1; i < end; i++) consider(equationVariables[i] as number, upper, e);
      else {
        consider(total, upper, e);
        for (let i = first + 1; i < end; i++) {
          const w = equationVariables[i] as number;
          if (w !== a) consider(w, 1 - upper, e);
        }
      }
    }
  }
  return equations;
}

/** Whether the documented reader now recovers variable v (disclosedAfterPropagation's test), noted in `found`. */
function noteDisclosed(system: AuditSystem, previous: PreviousAudits, found: Set<number>, v: number): void {
  const { lo, hi } = system.scratch;
  documentedBox(system, v, true);
  const pinned = boxHi > boxLo && lo[v] === hi[v];
  const disclosed = pinned && ((system.rowOf[v] as number) >= 0 || partDisclosed(system, v, lo[v] as number));
  if (disclosed === (previous.disclosedMark[v] === 1)) return;
  previous.disclosedMark[v] = disclosed ? 1 : 0;
  if (disclosed) found.add(v);
  else found.delete(v);
}

/** The next audit of a component starts from nothing. */
function forget(previous: PreviousAudits, component: number): void {
  const old = previous.disclosed[component];
  if (old !== undefined) for (const v of old) previous.disclosedMark[v] = 0;
  previous.disclosed[component] = undefined;
  previous.valid[component] = 0;
}

/**
 * Whether showing `variables` `*` (published cells of one component) would let the reader of the whole component recover
 * a figure (readerDisclosures finds something), tried without changing anything: their values are read as `*` meanwhile,
 * then put back. R11-5's widening (widenNarrowed) is chosen equation by equation, each read alone; zeros shown `*` there
 * can contradict the whole component's documented reading (a `*` read as 1 or more over a zero), whose looser reading
 * may then pin a figure that suppressing counts does not free: on the national sample the joint control of rollout,
 * referral_sources and cof_person then suppressed count after count in one component of 156,780 cells for hours (67
 * figures recovered after every round). Such a widening is not made.
 *
 * Where the component's previous audit is valid (reaudit), the trial is audited again from it, the cells tried read
 * again as the publisher's reload would, and afterwards that audit is put back as it was (savedAudit): the trial and
 * the component's next audit each start from it rather than from nothing (issue 17: before, the trial and the audit
 * after it were each a full audit, about 2 CPU s of the national step's samples for the trials alone; with this the
 * national step took 59.23 CPU s against 60.09 in one round each, within the noise at load 14 to 22). Otherwise the
 * component's previous audit is forgotten, before and after, so that its next audit starts from nothing.
 */
export function revealsWhenSuppressed(
  system: AuditSystem,
  component: number,
  variables: readonly number[],
  values: LoadedValues,
): boolean {
  const { kind, evident } = system.scratch;
  const { variables: inComponent } = system.components[component] as AuditSystem['components'][number];
  // The marks of `*` seen to be secondary are the trial's after it: kept and put back, as the values are.
  // By index (Uint8Array.from with a mapping goes through the iterator: an object per variable, issue 17).
  const marks = new Uint8Array(inComponent.length);
  for (let i = 0; i < inComponent.length; i++) marks[i] = evident[inComponent[i] as number] as number;
  const { previous } = values;
  const saved = previous.valid[component] === 1 ? savedAudit(system, component, previous) : undefined;
  const changed: number[] = [];
  const kinds: number[] = [];
  for (const v of variables)
    for (const u of variablesOf(
      system,
      system.rowOf[v] as number,
      system.columns[system.columnOf[v] as number] as string,
    )) {
      if (u < 0) continue;
      changed.push(u);
      kinds.push(kind[u] as number);
      setKind(system, u, VALUE_SUPPRESSED);
      changedIn(values.versions, system.componentOf[u] as number);
      if (saved === undefined || system.componentOf[u] !== component || previous.pendingMark[u] === 1) continue;
      previous.pendingMark[u] = 1;
      const pending = previous.pending[component];
      if (pending === undefined) previous.pending[component] = [u];
      else pending.push(u);
    }
  const forgetComponent = () => {
    const pending = previous.pending[component];
    if (pending !== undefined) for (const v of pending) previous.pendingMark[v] = 0;
    previous.pending[component] = undefined;
    forget(previous, component);
  };
  if (saved === undefined) forgetComponent();
  const found = readerDisclosures(system, component, values) ?? [];
  for (let i = changed.length - 1; i >= 0; i--) {
    const u = changed[i] as number;
    setKind(system, u, kinds[i] as number);
    changedIn(values.versions, system.componentOf[u] as number);
  }
  for (let i = 0; i < inComponent.length; i++) evident[inComponent[i] as number] = marks[i] as number;
  forgetComponent();
  if (saved !== undefined) restoreAudit(system, component, previous, saved);
  return found.length > 0;
}

/** What a component's valid previous audit (PreviousAudits) holds of its variables, copied (revealsWhenSuppressed). */
interface SavedAudit {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly evident: Uint8Array;
  readonly reasonsLo: Uint8Array;
  readonly reasonsHi: Uint8Array;
  readonly disclosed: readonly number[];
  readonly pending: readonly number[];
}

/**
 * A copy of what readerDisclosures reads and writes of a component with a valid previous audit: the fixpoint (scratch
 * lo/hi), the evident marks, the reasons, the variables disclosed and those read again since. The other marks of a
 * re-audit are stamps, new for each.
 */
function savedAudit(system: AuditSystem, component: number, previous: PreviousAudits): SavedAudit {
  const { variables } = system.components[component] as AuditSystem['components'][number];
  const { lo, hi, evident } = system.scratch;
  const n = variables.length;
  const saved = {
    lo: new Float64Array(n),
    hi: new Float64Array(n),
    evident: new Uint8Array(n),
    reasonsLo: new Uint8Array(n),
    reasonsHi: new Uint8Array(n),
    disclosed: [...(previous.disclosed[component] ?? [])],
    pending: [...(previous.pending[component] ?? [])],
  };
  for (let i = 0; i < n; i++) {
    const v = variables[i] as number;
    saved.lo[i] = lo[v] as number;
    saved.hi[i] = hi[v] as number;
    saved.evident[i] = evident[v] as number;
    saved.reasonsLo[i] = previous.reasons.lo[v] as number;
    saved.reasonsHi[i] = previous.reasons.hi[v] as number;
  }
  return saved;
}

/** Puts back a component's previous audit as savedAudit copied it (its audit since forgotten: forget). */
function restoreAudit(system: AuditSystem, component: number, previous: PreviousAudits, saved: SavedAudit): void {
  const { variables } = system.components[component] as AuditSystem['components'][number];
  const { lo, hi, evident } = system.scratch;
  for (let i = 0; i < variables.length; i++) {
    const v = variables[i] as number;
    lo[v] = saved.lo[i] as number;
    hi[v] = saved.hi[i] as number;
    evident[v] = saved.evident[i] as number;
    previous.reasons.lo[v] = saved.reasonsLo[i] as number;
    previous.reasons.hi[v] = saved.reasonsHi[i] as number;
  }
  for (const v of saved.disclosed) previous.disclosedMark[v] = 1;
  previous.disclosed[component] = new Set(saved.disclosed);
  for (const v of saved.pending) previous.pendingMark[v] = 1;
  previous.pending[component] = saved.pending.length === 0 ? undefined : [...saved.pending];
  previous.valid[component] = 1;
}

/**
 * The variable nearest `from` by equations for which `score` gives a number (the lowest score among the nearest;
 * ties: the lowest variable), or undefined where none in its component does.
 */
export function nearestVariable(
  system: AuditSystem,
  from: number,
  score: (variable: number) => number | undefined,
  /** Equations not followed (England's, for what a piece without them pins: nationalEquationsOf). */
  skip?: readonly number[],
): number | undefined {
  const { visited, visitedEquations, reached } = system.scratch;
  const { equationStart, equationVariables, equationsOfStart, equationsOfList } = system;
  const stamp = ++system.scratch.stamp;
  if (skip !== undefined) for (const e of skip) visitedEquations[e] = stamp;
  visited[from] = stamp;
  // Breadth first, a distance at a time: reached[head] to reached[tail - 1] are those at the distance being searched
  // from (no array made per distance: this runs for every cell a reader recovers).
  reached[0] = from;
  let head = 0;
  let tail = 1;
  while (head < tail) {
    let best: number | undefined;
    let bestScore = Number.POSITIVE_INFINITY;
    for (const end = tail; head < end; head++) {
      const at = reached[head] as number;
      for (let j = equationsOfStart[at] as number; j < (equationsOfStart[at + 1] as number); j++) {
        const e = equationsOfList[j] as number;
        if (visitedEquations[e] === stamp) continue;
        visitedEquations[e] = stamp;
        for (let i = equationStart[e] as number; i < (equationStart[e + 1] as number); i++) {
          const v = equationVariables[i] as number;
          if (visited[v] === stamp) continue;
          visited[v] = stamp;
          reached[tail++] = v;
          const value = score(v);
          if (value !== undefined && (value < bestScore || (value === bestScore && v < (best as number)))) {
            best = v;
            bestScore = value;
          }
        }
      }
    }
    if (best !== undefined) {
      lastSearched = tail;
      return best;
    }
  }
  lastSearched = tail;
  return undefined;
}

/** How many variables the last nearestVariable reached (nearestFinder weighs its searches by them). */
let lastSearched = 0;

/**
 * nearestVariable(system, from, score, skip) for many `from` of one component, with `score` fixed (issue 17: the
 * publisher searches from every cell a reader recovers, up to hundreds a round in a national component of tens of
 * thousands of cells, and a search that finds nothing near crosses the whole component: nationally a third of
 * cof_community's CPU). Searches are made one by one until they have reached as many variables as the component
 * has (where targets are near, each reaches few); after them the component is searched once from every variable with
 * a score at the same time, each variable reached keeping the best of the nearest ones (the lowest
 * score, ties the lowest variable: `label`), and each later search is read from there. Why that is nearestVariable's
 * answer: a variable u whose nearest scored variables are at distance d reaches them through the variables sharing an
 * equation with it at distance d - 1, whose nearest are at d - 1 (a shortest path's next variable), and each of those
 * nearest is at distance d from u; so u's best is the best of those neighbours' bests, worked out a distance at a time,
 * each equation once (at the least distance of its variables: its others are then at most one more). A `from` with a
 * score of its own is searched alone (nearestVariable never counts the variable it starts from). `score` must give the
 * same for a variable each time it is asked (protectComponent's are fixed within a round).
 *
 * A search may name a narrower score (`within`: a score only where `score` gives one, and then the same, as
 * protectComponent's unsealing counts within its counts): `score`'s best is then its answer where `within` scores it
 * too (no variable `within` scores is nearer, and none at that distance is lower: each is one of `score`'s), and none
 * where `score` reaches none; so `within` (whether a count's `*` would seal an equation, costly to work out) is asked
 * only of the variables found. Elsewhere the search is made alone, as long as such searches have reached fewer
 * variables than the component has, then by `within`'s own search at once (asked of `score`'s variables only), kept
 * while the same `within` is asked in the component.
 */
export function nearestFinder(
  system: AuditSystem,
  score: (variable: number) => number | undefined,
  skip?: readonly number[],
  /** Which of the finders in use at once this is (each keeps its own arrays): 0, 1, ... */
  slot = 0,
): (from: number, within?: (variable: number) => number | undefined) => number | undefined {
  // The variables the searches made alone in the component reached so far (for `score`, for `within`): a search at once
  // is made where they reach the component's size (a search at once reads each variable about once).
  let searched = 0;
  let labels: NearestLabels | undefined;
  let component = -1;
  // The narrower score's own search at once, made where `score`'s nearest is often not one of its own (a count whose
  // `*` would seal an equation): once such searches made alone have reached the component's size too.
  let narrower: ((variable: number) => number | undefined) | undefined;
  let narrowerLabels: NearestLabels | undefined;
  let narrowerSearched = 0;
  return (from, within) => {
    const c = system.componentOf[from] as number;
    if (c !== component) {
      component = c;
      labels = undefined;
      searched = 0;
      narrowerLabels = undefined;
      narrowerSearched = 0;
    }
    const size = c < 0 ? 0 : (system.components[c] as Piece).variables.length;
    if (labels === undefined) {
      if (c < 0 || searched < size) {
        const found = nearestVariable(system, from, within ?? score, skip);
        searched += lastSearched;
        return found;
      }
      labels = nearestLabels(system, c, score, skip, 2 * slot);
    }
    const best = labels.nearest(from);
    if (best === NOT_READ) return nearestVariable(system, from, within ?? score, skip);
    if (within === undefined || best === undefined || within(best) !== undefined) return best;
    if (narrower !== within) {
      narrower = within;
      narrowerLabels = undefined;
      narrowerSearched = 0;
    }
    if (narrowerLabels === undefined) {
      if (narrowerSearched < size) {
        const found = nearestVariable(system, from, within, skip);
        narrowerSearched += lastSearched;
        return found;
      }
      // `within` asked only where `score` gives a number (the same variables: it scores none of the others).
      narrowerLabels = nearestLabels(
        system,
        c,
        (v) => (score(v) === undefined ? undefined : within(v)),
        skip,
        2 * slot + 1,
      );
    }
    const nearest = narrowerLabels.nearest(from);
    return nearest === NOT_READ ? nearestVariable(system, from, within, skip) : nearest;
  };
}

/** nearestFinder's search from every scored variable of a component (nearestLabels). */
interface NearestLabels {
  /** The nearest scored variable from `from` (undefined: none reached), or NOT_READ where it must be searched alone. */
  nearest(from: number): number | undefined;
}
/** NearestLabels' answer where a search must be made alone. */
const NOT_READ = -1;

/**
 * nearestLabels' arrays by position in the searched component (grown to the largest met), one set per `slot` (a finder
 * for each score of protectComponent's round is in use at once), with the search using them now (`owner`).
 */
interface LabelArrays {
  owner: number;
  /** Per position: its distance (-1: not reached), its best nearest scored variable, and the score of a scored one. */
  distance: Int32Array;
  label: Int32Array;
  scores: Float64Array;
}
const labelArrays: LabelArrays[] = [];
let labelOwners = 0;
/** Per system, each variable's position in its component's variables (made when first asked for). */
const positions = new WeakMap<AuditSystem, Int32Array>();

function positionsOf(system: AuditSystem): Int32Array {
  let at = positions.get(system);
  if (at === undefined) {
    at = new Int32Array(system.rowOf.length);
    for (const { variables } of system.components)
      for (let i = 0; i < variables.length; i++) at[variables[i] as number] = i;
    positions.set(system, at);
  }
  return at;
}

function nearestLabels(
  system: AuditSystem,
  component: number,
  score: (variable: number) => number | undefined,
  skip: readonly number[] | undefined,
  slot: number,
): NearestLabels {
  const { variables } = system.components[component] as AuditSystem['components'][number];
  const m = variables.length;
  let arrays = labelArrays[slot];
  if (arrays === undefined || arrays.distance.length < m) {
    const size = Math.max(m, 2 * (arrays?.distance.length ?? 32));
    arrays = { owner: 0, distance: new Int32Array(size), label: new Int32Array(size), scores: new Float64Array(size) };
    labelArrays[slot] = arrays;
  }
  const mine = ++labelOwners;
  arrays.owner = mine;
  const { distance, label, scores } = arrays;
  const position = positionsOf(system);
  const { equationStart, equationVariables, equationsOfStart, equationsOfList } = system;
  // The scratch's equation marks and queue serve this search (none other runs during it).
  const { visitedEquations, reached } = system.scratch;
  const equationStamp = ++system.scratch.stamp;
  if (skip !== undefined) for (const e of skip) visitedEquations[e] = equationStamp;
  distance.fill(-1, 0, m);
  let tail = 0;
  for (let i = 0; i < m; i++) {
    const v = variables[i] as number;
    const value = score(v);
    if (value === undefined) continue;
    distance[i] = 0;
    label[i] = v;
    scores[i] = value;
    reached[tail++] = v;
  }
  // Whether scored variable a (a label) comes before b: the lower score, ties the lower variable.
  const better = (a: number, b: number) => {
    const sa = scores[position[a] as number] as number;
    const sb = scores[position[b] as number] as number;
    return sa < sb || (sa === sb && a < b);
  };
  let head = 0;
  for (let d = 0; head < tail; d++) {
    for (const end = tail; head < end; head++) {
      const at = reached[head] as number;
      for (let j = equationsOfStart[at] as number; j < (equationsOfStart[at + 1] as number); j++) {
        const e = equationsOfList[j] as number;
        if (visitedEquations[e] === equationStamp) continue;
        visitedEquations[e] = equationStamp;
        // The best of the equation's variables at distance d (`at` is one), then given to those at d + 1.
        let best = label[position[at] as number] as number;
        const first = equationStart[e] as number;
        const last = equationStart[e + 1] as number;
        for (let i = first; i < last; i++) {
          const p = position[equationVariables[i] as number] as number;
          if (distance[p] === d && better(label[p] as number, best)) best = label[p] as number;
        }
        for (let i = first; i < last; i++) {
          const v = equationVariables[i] as number;
          const p = position[v] as number;
          if (distance[p] === -1) {
            distance[p] = d + 1;
            label[p] = best;
            reached[tail++] = v;
          } else if (distance[p] === d + 1 && better(best, label[p] as number)) label[p] = best;
        }
      }
    }
  }
  return {
    nearest: (from) => {
      // The arrays serve a later search now, or `from` has a score of its own (not its own nearest): searched alone.
      if (arrays.owner !== mine) return NOT_READ;
      const p = position[from] as number;
      // Not reached from any scored variable: none is reached from it (in its piece, where equations are skipped).
      if (distance[p] === -1) return undefined;
      if (distance[p] === 0) return NOT_READ;
      return label[p] as number;
    },
  };
}

/** The cells that one equation read alone pins (equationDisclosures). */
export interface EquationDisclosure {
  readonly equation: number;
  readonly disclosures: readonly Disclosure[];
}

/** The readings of an equation alone, in turn (equationAlone): each a `*` wider than the one before. */
const READ_MIXED = 0;
const READ_RELAXED = 1;
const READ_ANY = 2;

/** Working bounds of one equation read alone (grown to the longest equation met). */
let aloneLo = new Float64Array(64);
let aloneHi = new Float64Array(64);

/**
 * What a reader taking each equation of a component on its own recovers: for every equation (a total and its parts:
 * an area and the areas within it, a row's columns, a year and its months), the cells that its figures alone pin to
 * one value. The component's own audit (readerDisclosures) reads all its equations together, and where reading every
 * `*` as 1 to 7 contradicts the figures somewhere in it (a national component holds thousands of cells), it reads its
 * `*` loosely and so misses a pin that one equation shows: a PCN's year shown `*` beside seven months shown `*` and
 * five 0s is 7, each month 1, whatever the rest of the component says. A reader may take that one equation alone.
 *
 * An equation alone is read as the component is, each reading only where the one before contradicts its figures:
 * every `*` as 1 to 7, except those the equation itself shows cannot be (as 1 or more, a region's 0 or more); then
 * every `*` so; then every `*` as 0 or more (which the figures always allow: a suppressed zero, a region hidden beside
 * England). A reading that does not contradict is what the reader takes: a looser one pins nothing more (its bounds
 * hold the tighter one's). A `*` pinned to 0 is not counted (it says no one was counted, as a 0 does). One equation's
 * bounds propagation is exact (one pass narrows the total to its parts' sum
 * and each part to the total less the others, and nothing narrows further). `anyCount` (when given) names the `*` that
 * are any count in every reading (the scan's totals over suppressed counts). Reads the component's values from its
 * rows (as LoadedValues holds them) and leaves its bounds (scratch.lo/hi, which hold its last audit for the next).
 */
export function equationDisclosures(
  system: AuditSystem,
  component: number,
  anyCount?: (variable: number) => boolean,
  values?: LoadedValues,
  secondary?: ReadonlySet<number>,
): EquationDisclosure[] {
  const { equations, variables } = system.components[component] as AuditSystem['components'][number];
  // The values as the rows hold them now; the publisher's LoadedValues hold them already, with each equation's last
  // reading (AloneReadings: read again only where a value of it changed).
  const alone =
    values?.system === system && anyCount === undefined && secondary === undefined ? values.alone : undefined;
  if (alone === undefined) loadValues(system, variables);
  const [from, to] = system.repeated ?? [0, 0];
  const found: EquationDisclosure[] = [];
  for (let k = 0; k < equations.length; k++) {
    const e = equations[k] as number;
    if (e >= from && e < to) continue;
    let disclosures: Disclosure[] | undefined;
    if (alone === undefined) disclosures = equationAlone(system, e, anyCount, secondary);
    else if (alone.stale[e] === 0) disclosures = alone.found.get(e);
    else {
      disclosures = equationAlone(system, e);
      alone.stale[e] = 0;
      if (disclosures.length > 0) alone.found.set(e, disclosures);
      else alone.found.delete(e);
    }
    if (disclosures !== undefined && disclosures.length > 0) found.push({ equation: e, disclosures });
  }
  return found;
}

/**
 * The cells equation e alone pins (equationDisclosures), in the order of its variables; `secondary`: the `*` known not
 * to be 1 to 7 (looselySecondary), read in its first reading as 1 or more (a region's 0 or more).
 */
export function equationAlone(
  system: AuditSystem,
  e: number,
  anyCount?: (variable: number) => boolean,
  secondary?: ReadonlySet<number>,
): Disclosure[] {
  const { equationStart, equationVariables } = system;
  const { kind } = system.scratch;
  const first = equationStart[e] as number;
  const n = (equationStart[e + 1] as number) - first;
  if (aloneLo.length < n) {
    aloneLo = new Float64Array(2 * n);
    aloneHi = new Float64Array(2 * n);
  }
  const lo = aloneLo;
  const hi = aloneHi;
  // Nothing to pin where every figure is known exactly (England, zeros).
  let wide = false;
  let stars = false;
  for (let i = 0; i < n; i++) {
    const v = equationVariables[first + i] as number;
    documentedBox(system, v, false);
    if (boxHi > boxLo) wide = true;
    if (kind[v] === VALUE_SUPPRESSED) stars = true;
  }
  if (!wide) return NOTHING_PINNED;
  for (let reading = READ_MIXED; reading <= READ_ANY; reading++) {
    if (reading > READ_MIXED && !stars) return NOTHING_PINNED;
    readAlone(system, first, n, reading, anyCount);
    if (reading === READ_MIXED && stars) markEvidentAlone(system, first, n, lo, hi, anyCount, secondary);
    if (!propagateAlone(n, lo, hi)) continue;
    // Made only where the equation pins something (most pin nothing: issue 17, the garbage of a national build).
    let disclosures: Disclosure[] | undefined;
    for (let i = 0; i < n; i++) {
      if (lo[i] !== hi[i]) continue;
      const v = equationVariables[first + i] as number;
      documentedBox(system, v, false);
      if (boxHi === boxLo) continue;
      const value = lo[i] as number;
      // A `*` pinned to 0 says that no one was counted, as a published 0 would: nothing about a person. (Read as 0 or
      // more, a zero made `*` within its row beside its area's 0 is 0; protecting that would suppress every 0 above
      // it and then withhold the rows.)
      if (value === 0 && kind[v] === VALUE_SUPPRESSED) continue;
      const cell = cellOf(system, v);
      let found: Disclosure | undefined;
      if (cell) found = { variable: v, cell, value };
      else if (partDisclosed(system, v, value)) {
        const part = system.parts.get(v) as { cell: AuditCell; family: string };
        found = { variable: v, cell: part.cell, value, part: part.family };
      }
      if (found === undefined) continue;
      if (disclosures === undefined) disclosures = [found];
      else disclosures.push(found);
    }
    return disclosures ?? NOTHING_PINNED;
  }
  return NOTHING_PINNED;
}

/**
 * The `*` of equation e read alone, below England, that its figures narrow below PROTECTION_LEVEL without pinning
 * them (R11-5; a pin is equationAlone's): the equation read as equationAlone's first reading does (every `*` 1 to 7,
 * except those it or `secondary` show cannot be), where that reading does not contradict its figures; a reading that
 * does leaves every `*` of it 1 or more, unbounded (a region's 0 or more), so narrows nothing. A region's `*` over
 * six ICBs' `*`: the region at most 7, each ICB at least 1, so each ICB at most 2. Only where the total is below
 * England: England's exact figure bounds every `*` below it by design (the method publishes it exact). Loads nothing:
 * the caller has the component's values loaded (equationDisclosures, loadAllValues).
 */
export function equationNarrowed(system: AuditSystem, e: number, secondary?: ReadonlySet<number>): number[] {
  const { equationStart, equationVariables, levelOf } = system;
  const { kind } = system.scratch;
  const first = equationStart[e] as number;
  const n = (equationStart[e + 1] as number) - first;
  if (levelOf[equationVariables[first] as number] === LEVEL_NATIONAL) return NOTHING_NARROWED;
  let stars = false;
  for (let i = 1; i < n && !stars; i++) stars = kind[equationVariables[first + i] as number] === VALUE_SUPPRESSED;
  if (!stars) return NOTHING_NARROWED;
  if (aloneLo.length < n) {
    aloneLo = new Float64Array(2 * n);
    aloneHi = new Float64Array(2 * n);
  }
  readAlone(system, first, n, READ_MIXED);
  markEvidentAlone(system, first, n, aloneLo, aloneHi, undefined, secondary);
  if (!propagateAlone(n, aloneLo, aloneHi)) return NOTHING_NARROWED;
  let narrowed: number[] | undefined;
  for (let i = 1; i < n; i++) {
    const v = equationVariables[first + i] as number;
    const high = aloneHi[i] as number;
    if (kind[v] !== VALUE_SUPPRESSED || high >= PROTECTION_LEVEL || aloneLo[i] === high) continue;
    if (cellOf(system, v) === undefined) continue;
    if (narrowed === undefined) narrowed = [v];
    else narrowed.push(v);
  }
  return narrowed ?? NOTHING_NARROWED;
}

/**
 * The equations of a component that narrow a `*` (equationNarrowed), each with the `*` it narrows. The publisher's
 * LoadedValues keep each equation's last reading, read again only where a value of it changed (as equationDisclosures
 * does: on the 25% sample, reading every equation again in every round cost the step a fifth more CPU).
 */
export function narrowedEquations(
  system: AuditSystem,
  component: number,
  values?: LoadedValues,
): { readonly equation: number; readonly narrowed: readonly number[] }[] {
  const { equations, variables } = system.components[component] as AuditSystem['components'][number];
  const alone = values?.system === system ? values.alone : undefined;
  if (alone === undefined) loadValues(system, variables);
  // The copy's equations that repeat the first copy's (system.repeated) are read too: the publisher widens only once
  // the months are read (disclosure.ts), and then audits the copy's components, not the first copy's.
  const found: { equation: number; narrowed: readonly number[] }[] = [];
  for (const e of equations) {
    let narrowed: readonly number[];
    if (alone === undefined) narrowed = equationNarrowed(system, e);
    else if (alone.narrowStale[e] === 0) narrowed = alone.narrowed.get(e) ?? NOTHING_NARROWED;
    else {
      narrowed = equationNarrowed(system, e);
      alone.narrowStale[e] = 0;
      if (narrowed.length > 0) alone.narrowed.set(e, narrowed as number[]);
      else alone.narrowed.delete(e);
    }
    if (narrowed.length > 0) found.push({ equation: e, narrowed });
  }
  return found;
}

/** What equationNarrowed finds where nothing is narrowed: one empty list, never added to. */
const NOTHING_NARROWED: number[] = Object.freeze([]) as unknown as number[];

/**
 * The zeros below England of equation e (a `*` total below England, its `*` parts narrowed: equationNarrowed) that,
 * shown `*`, make its reading contradict, so that no `*` of it is narrowed: its parts' least (a `*` read as 1) above
 * its total's most (7 for a `*`). One zero made `*` would only narrow the others more (a seventh `*` part under a `*`
 * reads as 7 over seven 1s: a seal); from the eighth `*` part on, a reader knows some `*` of the family is a zero made
 * `*` or the total hides more than 7, cannot tell which, and takes each part as 0 to 7 (R11-5, the review's "fix
 * correction": padding helps only where the reader cannot rule the zeros out). Undefined where the equation has too
 * few zeros that cost nothing elsewhere (harmlessZero; a region has at most seven ICBs, so a region's `*` never can):
 * the `*` is then left narrowed, never widened at the price of more (review 20, R20-7: choosing any zero cost 4,076
 * cells and three periods withheld below England on the 25% sample).
 */
export function zerosToOpen(system: AuditSystem, e: number): number[] | undefined {
  const { equationStart, equationVariables, levelOf } = system;
  const first = equationStart[e] as number;
  const n = (equationStart[e + 1] as number) - first;
  if (aloneLo.length < n) {
    aloneLo = new Float64Array(2 * n);
    aloneHi = new Float64Array(2 * n);
  }
  readAlone(system, first, n, READ_MIXED);
  let least = 0;
  for (let i = 1; i < n; i++) least += aloneLo[i] as number;
  const needed = (aloneHi[0] as number) - least + 1;
  if (!Number.isFinite(needed) || needed <= 0) return undefined;
  const zeros: number[] = [];
  for (let i = 1; i < n && zeros.length < needed; i++) {
    const v = equationVariables[first + i] as number;
    if (levelOf[v] === LEVEL_NATIONAL || cellOf(system, v) === undefined || publishedValue(system, v) !== 0) continue;
    if (harmlessZero(system, e, v, zeros)) zeros.push(v);
  }
  return zeros.length >= needed ? zeros : undefined;
}

/**
 * Whether showing zero v `*` (with the zeros already chosen, `chosen`, for equation e) costs nothing in v's other
 * equations, each read alone as the audit reads it with those zeros as `*` (R11-5, reviews 20's R20-2 and R20-7):
 * - no equation fixes it at 0 whatever the `*` hide (its PCN's year published 0, every month then 0; a month's row of
 *   0 referrals, every source then 0): its `*` would be read as 0 and widen nothing (R20-2);
 * - no equation would pin a figure (a seal: a seventh `*` month under a `*` year) or narrow one more than now (a sixth);
 * - no equation would have it as its only `*` part under a published total: secondary suppression would then suppress
 *   another part, and that one others in turn (on the 25% sample, most of the 4,076 cells R20-7 counted).
 * Reads the scratch values (loaded: loadAllValues) with v's and the chosen variables' kind set to `*` meanwhile.
 */
function harmlessZero(system: AuditSystem, e: number, v: number, chosen: readonly number[]): boolean {
  const { equationStart, equationVariables, equationsOfStart, equationsOfList, rowOf, columnOf } = system;
  const { kind } = system.scratch;
  const totalOf = (eq: number) => equationVariables[equationStart[eq] as number] as number;
  const sameCell = (a: number, b: number) =>
    rowOf[a] === rowOf[b] && columnOf[a] === columnOf[b] && (rowOf[a] as number) >= 0;
  const cellVariables = (u: number) => {
    const r = rowOf[u] as number;
    const [a, b] = variablesOf(system, r, system.columns[columnOf[u] as number] as string);
    return b >= 0 ? [a, b] : [a];
  };
  const own = cellVariables(v);
  const starred = [...own, ...chosen.flatMap(cellVariables)];
  const total = totalOf(e);
  // Before: how many `*` each other equation narrows now (a new zero `*` may not add to them).
  const others: number[] = [];
  for (const u of own)
    for (let j = equationsOfStart[u] as number; j < (equationsOfStart[u + 1] as number); j++) {
      const eq = equationsOfList[j] as number;
      // e and its copy (the same total: with and without the months) are what the zeros open.
      if (eq !== e && !sameCell(totalOf(eq), total) && !others.includes(eq)) others.push(eq);
    }
  const before = others.map((eq) => equationNarrowed(system, eq).length);
  const saved = starred.map((u) => kind[u] as number);
  for (const u of starred) setKind(system, u, VALUE_SUPPRESSED);
  try {
    for (let k = 0; k < others.length; k++) {
      const eq = others[k] as number;
      const start = equationStart[eq] as number;
      const n = (equationStart[eq + 1] as number) - start;
      if (aloneLo.length < n) {
        aloneLo = new Float64Array(2 * n);
        aloneHi = new Float64Array(2 * n);
      }
      // Fixed at 0 whatever the `*` hide (v read as 0 or more, as every `*`).
      readAlone(system, start, n, READ_ANY);
      if (propagateAlone(n, aloneLo, aloneHi))
        for (let i = 0; i < n; i++)
          if (own.includes(equationVariables[start + i] as number) && aloneHi[i] === 0) return false;
      // Its only `*` part under a published total (secondary suppression's lone part).
      if (kind[equationVariables[start] as number] === VALUE_NUMBER) {
        let stars = 0;
        for (let i = 1; i < n; i++) if (kind[equationVariables[start + i] as number] === VALUE_SUPPRESSED) stars++;
        if (stars === 1) return false;
      }
      if (equationAlone(system, eq).length > 0) return false;
      if (equationNarrowed(system, eq).length > (before[k] as number)) return false;
    }
    return true;
  } finally {
    starred.forEach((u, i) => {
      setKind(system, u, saved[i] as number);
    });
  }
}

/** What an equation read alone pins where it pins nothing: one empty list, never added to (equationDisclosures). */
const NOTHING_PINNED: Disclosure[] = Object.freeze([]) as unknown as Disclosure[];

/**
 * Whether equation e alone pins variable v whatever its `*` hide (every `*` read as 0 or more, and v itself so when
 * `asHidden`: as if suppressed): a pin no wrong reading makes (England's exact figure over its only region with data:
 * the region is England's figure however shown). Suppressing a cell whose value such a pin gives protects nothing.
 */
export function pinnedWhateverHidden(system: AuditSystem, e: number, v: number, asHidden = false): boolean {
  const { equationStart, equationVariables } = system;
  const first = equationStart[e] as number;
  const n = (equationStart[e + 1] as number) - first;
  if (aloneLo.length < n) {
    aloneLo = new Float64Array(2 * n);
    aloneHi = new Float64Array(2 * n);
  }
  readAlone(system, first, n, READ_ANY);
  if (asHidden)
    for (let i = 0; i < n; i++)
      if (equationVariables[first + i] === v) {
        aloneLo[i] = 0;
        aloneHi[i] = Number.POSITIVE_INFINITY;
      }
  if (!propagateAlone(n, aloneLo, aloneHi)) return false;
  for (let i = 0; i < n; i++) if (equationVariables[first + i] === v) return aloneLo[i] === aloneHi[i];
  return false;
}

/** looselySecondary's bounds, one pair per system (the scratch lo/hi hold a component's last audit for the next). */
const looseBounds = new WeakMap<AuditSystem, { readonly lo: Float64Array; readonly hi: Float64Array }>();

/**
 * The `*` of a component that its loose reading shows cannot be 1 to 7 (secondary `*` hiding larger counts): every
 * `*` read as relaxedReader does (1 or more, a region's 0 or more: what the figures allow; `anyCount`'s as 0 or more),
 * a rounded count within its rounding, England exact, an unpublished part 0 or more, and the bounds propagated over
 * the component's equations (sound wherever propagation stops), as secondarySeenWhole marks them. A reader who sees
 * such a `*` reads it so in each equation alone too: the South West's `*` over its seven ICBs' `*` in April, which
 * read alone would be 7 over seven 1s (a sealed equation, sealsEquation), is at least 11 by its ICBs' PCNs (two or
 * more `*` under four of them), so the equation pins nothing. Undefined where the loose reading contradicts the
 * figures (counts of distinct people, who may be in two areas). Reads the values from the rows, or where `values` (the
 * publisher's, kept as published by its reload of each cell it suppresses) are of this system, from them.
 */
export function looselySecondary(
  system: AuditSystem,
  component: number,
  anyCount?: (variable: number) => boolean,
  values?: LoadedValues,
): Set<number> | undefined {
  const { variables, equations } = system.components[component] as AuditSystem['components'][number];
  let bounds = looseBounds.get(system);
  if (bounds === undefined) {
    bounds = { lo: new Float64Array(system.rowOf.length), hi: new Float64Array(system.rowOf.length) };
    looseBounds.set(system, bounds);
  }
  const { lo, hi } = bounds;
  const { kind } = system.scratch;
  const [low, high] = PRIMARY_SUPPRESSED;
  // The publisher's loose reading of the component just made with these values (KeptLoose): the same bounds.
  const kept = values?.system === system ? values.lastLoose : undefined;
  if (
    anyCount === undefined &&
    kept !== undefined &&
    kept.component === component &&
    kept.version === (values as LoadedValues).versions[component]
  ) {
    if (kept.contradicted) return undefined;
    const secondary = new Set<number>();
    for (let i = 0; i < variables.length; i++) {
      const v = variables[i] as number;
      if (kind[v] === VALUE_SUPPRESSED && ((kept.lo[i] as number) > high || (kept.hi[i] as number) < low))
        secondary.add(v);
    }
    return secondary;
  }
  // The publisher's values already hold every cell as published: reading a national component's cells from the rows
  // again, each time a sealed equation is met, was 1.1 of the 25% dump's 12.5 CPU s of the joint control of rollout,
  // referral_sources and cof_person (issue 17, cpu-prof of disclosure-step.ts).
  if (values?.system !== system) loadValues(system, variables);
  for (let i = 0; i < variables.length; i++) {
    const v = variables[i] as number;
    documentedBox(system, v, false);
    if (kind[v] === VALUE_SUPPRESSED) {
      boxLo = anyCount?.(v) === true || system.levelOf[v] === LEVEL_REGION ? 0 : 1;
      boxHi = Number.POSITIVE_INFINITY;
    }
    lo[v] = boxLo;
    hi[v] = boxHi;
  }
  if (!propagateFrom(system, equations, equations.length * MAX_VISITS_PER_EQUATION, lo, hi)) return undefined;
  const secondary = new Set<number>();
  for (let i = 0; i < variables.length; i++) {
    const v = variables[i] as number;
    if (kind[v] === VALUE_SUPPRESSED && anyCount?.(v) !== true && ((lo[v] as number) > high || (hi[v] as number) < low))
      secondary.add(v);
  }
  return secondary;
}

/**
 * Whether making variable v's cell `*` would seal an equation of it: leave its total a `*` below England over parts all
 * `*` or 0 (an unpublished part counts as 0: it may be), exactly 7 of them `*` (PRIMARY_SUPPRESSED's upper bound). Read
 * alone with each `*` as 1 to 7 (equationDisclosures), that equation has its total at 7 and every `*` part at 1,
 * whatever else is published, and nothing in it is left to suppress (a zero made `*` only moves the pin). Both copies
 * of the cell (with and without the months) are looked at. The publisher chooses another cell to suppress where one
 * will do (disclosure.ts).
 */
export function sealsEquation(system: AuditSystem, v: number): boolean {
  const r = system.rowOf[v] as number;
  if (r < 0) return false;
  const [first, copy] = variablesOf(system, r, system.columns[system.columnOf[v] as number] as string);
  return sealsOne(system, first, first, copy) || (copy >= 0 && sealsOne(system, copy, first, copy));
}

/** Whether sealsOne reads variable u as `*`: one of the cell's two (`first`, `copy`), or a `*` published. */
function asStar(system: AuditSystem, u: number, first: number, copy: number): boolean {
  return u === first || u === copy || publishedValue(system, u) === '*';
}

/** sealsEquation for one variable of the cell (`first` and `copy`: the cell's two, each read as `*`). */
function sealsOne(system: AuditSystem, v: number, first: number, copy: number): boolean {
  const { equationStart, equationVariables, equationsOfStart, equationsOfList } = system;
  for (let j = equationsOfStart[v] as number; j < (equationsOfStart[v + 1] as number); j++) {
    const e = equationsOfList[j] as number;
    const start = equationStart[e] as number;
    const end = equationStart[e + 1] as number;
    if (!asStar(system, equationVariables[start] as number, first, copy)) continue;
    let stars = 0;
    let open = false;
    for (let i = start + 1; i < end && !open; i++) {
      const u = equationVariables[i] as number;
      if (asStar(system, u, first, copy)) stars++;
      else {
        const value = publishedValue(system, u);
        open = typeof value === 'number' && value > 0;
      }
    }
    if (!open && stars === PRIMARY_SUPPRESSED[1]) return true;
  }
  return false;
}

/** The reader's bounds of the figures of an equation alone (from equationVariables[first], n of them), as `reading`. */
function readAlone(
  system: AuditSystem,
  first: number,
  n: number,
  reading: number,
  anyCount?: (variable: number) => boolean,
): void {
  const { equationVariables, levelOf } = system;
  const { kind } = system.scratch;
  for (let i = 0; i < n; i++) {
    const v = equationVariables[first + i] as number;
    documentedBox(system, v, false);
    if (kind[v] === VALUE_SUPPRESSED && (anyCount?.(v) === true || reading === READ_ANY)) {
      boxLo = 0;
      boxHi = Number.POSITIVE_INFINITY;
    } else if (kind[v] === VALUE_SUPPRESSED && reading === READ_RELAXED) {
      boxLo = levelOf[v] === LEVEL_REGION ? 0 : 1;
      boxHi = Number.POSITIVE_INFINITY;
    }
    aloneLo[i] = boxLo;
    aloneHi[i] = boxHi;
  }
}

/**
 * The first reading of an equation alone: each `*` that the equation, read with every `*` as 1 to 7, shows cannot be
 * 1 to 7 (as evidentIn), or that is `secondary` (looselySecondary), set to 1 or more (a region's 0 or more) in lo/hi.
 */
function markEvidentAlone(
  system: AuditSystem,
  first: number,
  n: number,
  lo: Float64Array,
  hi: Float64Array,
  anyCount?: (variable: number) => boolean,
  secondary?: ReadonlySet<number>,
): void {
  const { equationVariables, levelOf } = system;
  const { kind } = system.scratch;
  let sumLo = 0;
  let sumHi = 0;
  for (let i = 1; i < n; i++) {
    sumLo += lo[i] as number;
    sumHi += hi[i] as number;
  }
  const [low, high] = PRIMARY_SUPPRESSED;
  // Made only where a `*` is evidently secondary (issue 17: most equations have none).
  let evident: number[] | undefined;
  for (let i = 0; i < n; i++) {
    const v = equationVariables[first + i] as number;
    if (kind[v] !== VALUE_SUPPRESSED || anyCount?.(v) === true) continue;
    const from = i === 0 ? sumLo : (lo[0] as number) - (sumHi - (hi[i] as number));
    const to = i === 0 ? sumHi : (hi[0] as number) - (sumLo - (lo[i] as number));
    if (!(from > high || to < low || secondary?.has(v) === true)) continue;
    if (evident === undefined) evident = [i];
    else evident.push(i);
  }
  if (evident === undefined) return;
  for (const i of evident) {
    lo[i] = levelOf[equationVariables[first + i] as number] === LEVEL_REGION ? 0 : 1;
    hi[i] = Number.POSITIVE_INFINITY;
  }
}

/** Bounds propagation over one equation (lo[0] = the total, the parts after it); false where its bounds contradict. */
function propagateAlone(n: number, lo: Float64Array, hi: Float64Array): boolean {
  for (let pass = 0; pass < 4; pass++) {
    let sumLo = 0;
    let sumHi = 0;
    let unbounded = 0;
    for (let i = 1; i < n; i++) {
      sumLo += lo[i] as number;
      if (hi[i] === Number.POSITIVE_INFINITY) unbounded++;
      else sumHi += hi[i] as number;
    }
    let changed = false;
    if (sumLo > (lo[0] as number)) {
      lo[0] = sumLo;
      changed = true;
    }
    if (unbounded === 0 && sumHi < (hi[0] as number)) {
      hi[0] = sumHi;
      changed = true;
    }
    if ((lo[0] as number) > (hi[0] as number)) return false;
    for (let i = 1; i < n; i++) {
      const own = hi[i] === Number.POSITIVE_INFINITY;
      // The others' upper bounds: unbounded where one of them is (a part is then 0 or more by this equation).
      const othersUnbounded = unbounded - (own ? 1 : 0) > 0;
      const low = othersUnbounded ? 0 : (lo[0] as number) - (sumHi - (own ? 0 : (hi[i] as number)));
      const high = (hi[0] as number) - (sumLo - (lo[i] as number));
      if (low > (lo[i] as number)) {
        lo[i] = low;
        changed = true;
      }
      if (high < (hi[i] as number)) {
        hi[i] = high;
        changed = true;
      }
      if ((lo[i] as number) > (hi[i] as number)) return false;
    }
    if (!changed) return true;
  }
  return true;
}
