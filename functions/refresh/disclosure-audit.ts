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
  };
  /**
   * The months of a financial year within the year, for `columns` (those whose year is the sum of its months: counts
   * of events, not of distinct people); a family is an area's year and its months with the same document `keys`.
   */
  readonly months?: { readonly columns: readonly string[]; readonly keys: readonly string[] };
}

/** A disclosed cell: a published one, or an unpublished part of a moved PCN (`part`: the family it is a part of). */
export interface Disclosure {
  /** The variable of the audit system (a published cell's, or an unpublished part's). */
  readonly variable: number;
  readonly cell: AuditCell;
  readonly value: number;
  readonly part?: string;
}

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
 * equations) so that a component can be audited again alone after it changes.
 */
export interface AuditSystem {
  readonly cells: readonly (AuditCell | undefined)[];
  /** For an unpublished part: its PCN's cell and the family it is a part of. */
  readonly parts: ReadonlyMap<number, { readonly cell: AuditCell; readonly family: string }>;
  readonly equations: readonly (readonly number[])[];
  readonly equationsOf: readonly (readonly number[])[];
  readonly components: readonly { readonly variables: readonly number[]; readonly equations: readonly number[] }[];
  readonly componentOf: Int32Array;
  /** Working bounds, reused by every audit of a component (only the component's variables are touched). */
  readonly scratch: {
    readonly lo: Float64Array;
    readonly hi: Float64Array;
    readonly queued: Uint8Array;
    /** Visit marks of a search by equations (variables, equations), each search with a new stamp. */
    readonly visited: Int32Array;
    readonly visitedEquations: Int32Array;
    stamp: number;
  };
}

/** Variables of the equations being built: one per published cell, and unpublished parts of moved PCNs. */
class Variables {
  readonly cells: (AuditCell | undefined)[] = [];
  readonly parts = new Map<number, { cell: AuditCell; family: string }>();
  private readonly byRow = new Map<Row, Map<string, number>>();

  /** The cell's variable; undefined where the cell holds no count (null, absent). */
  of(row: Row, column: string): number | undefined {
    if (typeof row[column] !== 'number' && row[column] !== '*') return undefined;
    let byColumn = this.byRow.get(row);
    if (!byColumn) {
      byColumn = new Map();
      this.byRow.set(row, byColumn);
    }
    let id = byColumn.get(column);
    if (id === undefined) {
      id = this.cells.length;
      this.cells.push({ row, column });
      byColumn.set(column, id);
    }
    return id;
  }

  part(cell: AuditCell, family: string): number {
    const id = this.cells.length;
    this.cells.push(undefined);
    this.parts.set(id, { cell, family });
    return id;
  }
}

/** Each family of areas: its total row and its part rows. */
function areaFamiliesOf(
  rows: readonly Row[],
  areas: AuditSpec['areas'],
  memberships: Map<Row, number>,
): Map<string, { total?: Row; parts: Row[] }> {
  const families = new Map<string, { total?: Row; parts: Row[] }>();
  const family = (key: string) => {
    let f = families.get(key);
    if (!f) {
      f = { parts: [] };
      families.set(key, f);
    }
    return f;
  };
  for (const row of rows) {
    family(areas.totalOf(row)).total = row;
    const partOf = areas.partOf(row);
    memberships.set(row, partOf.length);
    for (const key of partOf) family(key).parts.push(row);
  }
  return families;
}

/** Areas within areas: a family's total = its parts, a moved PCN's part in each family unpublished. */
function areaEquations(rows: readonly Row[], spec: AuditSpec, variables: Variables, equations: number[][]): void {
  const splits = new Map<number, { of: number; parts: number[] }>();
  const memberships = new Map<Row, number>();
  for (const [key, { total, parts: members }] of areaFamiliesOf(rows, spec.areas, memberships)) {
    // A family without its total row, or with no part published, says nothing a reader can rely on.
    if (total === undefined || members.length === 0) continue;
    for (const column of spec.columns) {
      const t = variables.of(total, column);
      if (t === undefined) continue;
      const equation = [t];
      for (const member of members) {
        const v = variables.of(member, column);
        if (v === undefined) continue;
        const memberOf = memberships.get(member) as number;
        if (memberOf === 1) {
          equation.push(v);
          continue;
        }
        // A moved PCN: its part in this family is unpublished; its parts add up to its own figure.
        const part = variables.part({ row: member, column }, key);
        equation.push(part);
        const split = splits.get(v) ?? { of: memberOf, parts: [] };
        split.parts.push(part);
        splits.set(v, split);
      }
      if (equation.length > 1) equations.push(equation);
    }
  }
  // A moved PCN's own figure is the sum of its unpublished parts (where every family it is a part of has its total).
  for (const [v, split] of splits) if (split.parts.length === split.of) equations.push([v, ...split.parts]);
}

/**
 * Months within their year, below England: a year's row = its months' rows (an absent month 0), and where a month is
 * withheld below England (England's row for it and none below), an unpublished part of the year (0 or more). They go
 * into a second copy of the document's cells and equations (areas and groups as well), beside the first: a reader
 * who leaves the months aside is audited as before, since where reading every `*` as 1 to 7 contradicts the figures
 * the reader of a component reads every `*` of it as 1 or more, and the months join a year's periods into one larger
 * component, where a contradiction in one month would hide what the areas of another pin.
 */
function monthEquations(rows: readonly Row[], spec: AuditSpec, variables: Variables, equations: number[][]): void {
  const months = spec.months;
  if (months === undefined) return;
  const columns = months.columns.filter((column) => spec.columns.includes(column));
  if (columns.length === 0) return;
  // The copy: the same cells as new variables (after the first's), with the areas' and groups' equations.
  const copy = buildAuditSystem(rows, { ...spec, months: undefined });
  const offset = variables.cells.length;
  const ids = new Map<Row, Map<string, number>>();
  copy.cells.forEach((cell, v) => {
    variables.cells.push(cell);
    if (cell === undefined) return;
    const byColumn = ids.get(cell.row) ?? new Map<string, number>();
    byColumn.set(cell.column, v + offset);
    ids.set(cell.row, byColumn);
  });
  for (const [v, part] of copy.parts) variables.parts.set(v + offset, part);
  for (const equation of copy.equations) equations.push(equation.map((v) => v + offset));
  const of = (row: Row, column: string): number | undefined => {
    if (typeof row[column] !== 'number' && row[column] !== '*') return undefined;
    const byColumn = ids.get(row) ?? new Map<string, number>();
    ids.set(row, byColumn);
    let id = byColumn.get(column);
    if (id === undefined) {
      id = variables.cells.length;
      variables.cells.push({ row, column });
      byColumn.set(column, id);
    }
    return id;
  };
  const keysOf = (row: Row) => months.keys.map((k) => String(row[k])).join('|');
  const families = new Map<string, { year?: Row; months: Row[] }>();
  // Months by period and keys: to England's year and keys, and whether any row below England has them.
  const englandMonths = new Map<string, string>();
  const monthsBelow = new Set<string>();
  for (const row of rows) {
    if (row.period_type !== 'month' && row.period_type !== 'fy') continue;
    const keys = keysOf(row);
    const year = financialYearOf(String(row.period));
    if (row.period_type === 'month') {
      if (row.level === 'national') englandMonths.set(`${row.period}|${keys}`, `${year}|${keys}`);
      else monthsBelow.add(`${row.period}|${keys}`);
    }
    if (row.level === 'national') continue;
    const key = `${row.level}|${row.code}|${year}|${keys}`;
    let family = families.get(key);
    if (!family) {
      family = { months: [] };
      families.set(key, family);
    }
    if (row.period_type === 'fy') family.year = row;
    else family.months.push(row);
  }
  const withheld = new Set<string>();
  for (const [month, year] of englandMonths) if (!monthsBelow.has(month)) withheld.add(year);
  for (const [key, { year, months: parts }] of families) {
    // A year without its row, or without a month published, says nothing a reader can rely on.
    if (year === undefined || parts.length === 0) continue;
    const unpublished = withheld.has(`${financialYearOf(String(year.period))}|${keysOf(year)}`);
    for (const column of columns) {
      const t = of(year, column);
      if (t === undefined) continue;
      const equation = [t];
      for (const part of parts) {
        const v = of(part, column);
        if (v !== undefined) equation.push(v);
      }
      if (unpublished) equation.push(variables.part({ row: year, column }, `${key}|months withheld`));
      if (equation.length > 1) equations.push(equation);
    }
  }
}

export function buildAuditSystem(rows: readonly Row[], spec: AuditSpec): AuditSystem {
  const variables = new Variables();
  const equations: number[][] = [];
  areaEquations(rows, spec, variables, equations);
  for (const row of rows)
    for (const group of spec.groups ?? []) {
      const t = variables.of(row, group.total);
      if (t === undefined) continue;
      const equation = [t];
      for (const column of group.parts) {
        const v = variables.of(row, column);
        if (v !== undefined) equation.push(v);
      }
      if (equation.length > 1) equations.push(equation);
    }
  monthEquations(rows, spec, variables, equations);
  return withComponents(variables.cells, variables.parts, equations);
}

function withComponents(
  cells: (AuditCell | undefined)[],
  parts: Map<number, { cell: AuditCell; family: string }>,
  equations: number[][],
): AuditSystem {
  const n = cells.length;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i] as number] as number;
      i = parent[i] as number;
    }
    return i;
  };
  const equationsOf: number[][] = Array.from({ length: n }, () => []);
  equations.forEach((equation, e) => {
    const root = find(equation[0] as number);
    for (const v of equation) {
      (equationsOf[v] as number[]).push(e);
      const r = find(v);
      if (r !== root) parent[r] = root;
    }
  });
  const componentOf = new Int32Array(n).fill(-1);
  const components: { variables: number[]; equations: number[] }[] = [];
  const byRoot = new Map<number, number>();
  for (let v = 0; v < n; v++) {
    if ((equationsOf[v] as number[]).length === 0) continue;
    const root = find(v);
    let c = byRoot.get(root);
    if (c === undefined) {
      c = components.length;
      byRoot.set(root, c);
      components.push({ variables: [], equations: [] });
    }
    componentOf[v] = c;
    (components[c] as { variables: number[] }).variables.push(v);
  }
  equations.forEach((equation, e) => {
    components[componentOf[equation[0] as number] as number]?.equations.push(e);
  });
  const scratch = {
    lo: new Float64Array(n),
    hi: new Float64Array(n),
    queued: new Uint8Array(equations.length),
    visited: new Int32Array(n),
    visitedEquations: new Int32Array(equations.length),
    stamp: 0,
  };
  return { cells, parts, equations, equationsOf, components, componentOf, scratch };
}

/** How many times each equation may be revisited before propagation stops (it is sound wherever it stops). */
const MAX_VISITS_PER_EQUATION = 64;

/**
 * Narrows `lo`/`hi` over a component's equations until nothing changes (total = sum of parts: the total within the
 * parts' sum of bounds, each part within the total less the others). Returns false where the bounds contradict.
 */
export function propagate(
  system: AuditSystem,
  equations: readonly number[],
  lo: Float64Array,
  hi: Float64Array,
): boolean {
  const { queued } = system.scratch;
  const queue: number[] = [];
  for (const e of equations) {
    queued[e] = 1;
    queue.push(e);
  }
  let budget = equations.length * MAX_VISITS_PER_EQUATION;
  const narrow = (v: number, low: number, high: number): boolean => {
    let changed = false;
    if (low > (lo[v] as number)) {
      lo[v] = low;
      changed = true;
    }
    if (high < (hi[v] as number)) {
      hi[v] = high;
      changed = true;
    }
    return changed;
  };
  let consistent = true;
  let head = 0;
  for (; head < queue.length && budget > 0 && consistent; head++, budget--) {
    const e = queue[head] as number;
    queued[e] = 0;
    const equation = system.equations[e] as readonly number[];
    const total = equation[0] as number;
    let sumLo = 0;
    let sumHi = 0;
    let unbounded = 0;
    for (let i = 1; i < equation.length; i++) {
      const v = equation[i] as number;
      sumLo += lo[v] as number;
      if (hi[v] === Number.POSITIVE_INFINITY) unbounded++;
      else sumHi += hi[v] as number;
    }
    const changed: number[] = [];
    if (narrow(total, sumLo, unbounded > 0 ? Number.POSITIVE_INFINITY : sumHi)) changed.push(total);
    const [tLo, tHi] = [lo[total] as number, hi[total] as number];
    for (let i = 1; i < equation.length; i++) {
      const v = equation[i] as number;
      const own = hi[v] === Number.POSITIVE_INFINITY;
      const othersUnbounded = unbounded - (own ? 1 : 0) > 0;
      const othersHi = othersUnbounded ? Number.POSITIVE_INFINITY : sumHi - (own ? 0 : (hi[v] as number));
      const low = othersUnbounded ? 0 : tLo - othersHi;
      const high = tHi - (sumLo - (lo[v] as number));
      if (narrow(v, low, high)) changed.push(v);
    }
    for (const v of changed) {
      if ((lo[v] as number) > (hi[v] as number)) consistent = false;
      for (const next of system.equationsOf[v] as readonly number[])
        if (next !== e && queued[next] === 0) {
          queued[next] = 1;
          queue.push(next);
        }
    }
  }
  for (; head < queue.length; head++) queued[queue[head] as number] = 0;
  return consistent;
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
  const { variables, equations } = system.components[component] as AuditSystem['components'][number];
  const { lo, hi } = system.scratch;
  const wide = new Uint8Array(variables.length);
  for (let i = 0; i < variables.length; i++) {
    const v = variables[i] as number;
    const cell = system.cells[v];
    const interval = cell
      ? publishedInterval(cell.row[cell.column], cell.row.level === 'national', suppressed(cell))
      : ANY_COUNT;
    [lo[v], hi[v]] = interval ?? ANY_COUNT;
    wide[i] = (hi[v] as number) > (lo[v] as number) ? 1 : 0;
  }
  if (!propagate(system, equations, lo, hi)) return undefined;
  const disclosed: Disclosure[] = [];
  for (let i = 0; i < variables.length; i++) {
    const v = variables[i] as number;
    if (wide[i] === 0 || lo[v] !== hi[v]) continue;
    const value = lo[v] as number;
    const cell = system.cells[v];
    if (cell) disclosed.push({ variable: v, cell, value });
    else if (value >= 1 && value < MIN_ROUNDED) {
      const part = system.parts.get(v) as { cell: AuditCell; family: string };
      disclosed.push({ variable: v, cell: part.cell, value, part: part.family });
    }
  }
  return disclosed;
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
 * The `*` cells of a component that one equation alone shows cannot be 1 to 7 (an ICB's `*` over PCNs of 115 and 25):
 * a reader sees they are secondary and takes them as `relaxedReader` does.
 */
function evidentlySecondary(system: AuditSystem, component: number): Set<AuditCell> {
  const evident = new Set<AuditCell>();
  const { variables, equations } = system.components[component] as AuditSystem['components'][number];
  const { lo, hi } = system.scratch;
  for (const v of variables) {
    const cell = system.cells[v];
    const interval = cell
      ? publishedInterval(cell.row[cell.column], cell.row.level === 'national', PRIMARY_SUPPRESSED)
      : ANY_COUNT;
    [lo[v], hi[v]] = interval ?? ANY_COUNT;
  }
  const [low, high] = PRIMARY_SUPPRESSED;
  for (const e of equations) {
    const equation = system.equations[e] as readonly number[];
    const total = equation[0] as number;
    let sumLo = 0;
    let sumHi = 0;
    for (let i = 1; i < equation.length; i++) {
      sumLo += lo[equation[i] as number] as number;
      sumHi += hi[equation[i] as number] as number;
    }
    for (let i = 0; i < equation.length; i++) {
      const v = equation[i] as number;
      const cell = system.cells[v];
      if (cell?.row[cell.column] !== '*') continue;
      const from = i === 0 ? sumLo : (lo[total] as number) - (sumHi - (hi[v] as number));
      const to = i === 0 ? sumHi : (hi[total] as number) - (sumLo - (lo[v] as number));
      if (from > high || to < low) evident.add(cell);
    }
  }
  return evident;
}

/**
 * What a reader of the published figures alone recovers in a component: taking every `*` as 1 to 7 except those one
 * equation shows to be larger (secondary); where that still contradicts the figures (a secondary `*` that only the
 * whole component shows to be larger), taking every `*` as `relaxedReader` does. Undefined where both contradict
 * (the figures do not add up as equations: counts of distinct people, who may be in two areas).
 */
export function readerDisclosures(system: AuditSystem, component: number): Disclosure[] | undefined {
  const evident = evidentlySecondary(system, component);
  const documented: SuppressedRange = (cell) => (evident.has(cell) ? relaxedReader(cell) : PRIMARY_SUPPRESSED);
  return auditComponent(system, component, documented) ?? auditComponent(system, component, relaxedReader);
}

/**
 * The variable nearest `from` by equations for which `score` gives a number (the lowest score among the nearest;
 * ties: the lowest variable), or undefined where none in its component does.
 */
export function nearestVariable(
  system: AuditSystem,
  from: number,
  score: (variable: number) => number | undefined,
): number | undefined {
  const { visited, visitedEquations } = system.scratch;
  const stamp = ++system.scratch.stamp;
  visited[from] = stamp;
  let frontier = [from];
  while (frontier.length > 0) {
    let best: number | undefined;
    let bestScore = Number.POSITIVE_INFINITY;
    const next: number[] = [];
    for (const at of frontier)
      for (const e of system.equationsOf[at] as readonly number[]) {
        if (visitedEquations[e] === stamp) continue;
        visitedEquations[e] = stamp;
        for (const v of system.equations[e] as readonly number[]) {
          if (visited[v] === stamp) continue;
          visited[v] = stamp;
          next.push(v);
          const value = score(v);
          if (value !== undefined && (value < bestScore || (value === bestScore && v < (best as number)))) {
            best = v;
            bestScore = value;
          }
        }
      }
    if (best !== undefined) return best;
    frontier = next;
  }
  return undefined;
}
