import { type Figure, type MetricDocument, SUPPRESSED } from '../contract/index.ts';
import { financialYearOf } from '../contract/periods.ts';
import type { Row } from '../lib/query-engine.ts';
import { controlCount, type DisclosureRules, joinedColumns, MIN_COUNT, rulesWithin } from './disclosure.ts';

/**
 * Counts published in more than one document (docs/methodology.md, "Disclosure control"). Each document is controlled
 * on its own (disclosure.ts), so the same count in two documents could be suppressed in one (secondarily, or by the
 * audit) and rounded in the other, which undoes the suppression. A count that is the same count as a cell of a
 * document controlled earlier is therefore declared (`sameAs`) and published as that cell is, `*` for `*`; and rows
 * that are the sum of a group of PCNs' cells in another document (`pcnGroups`) are checked against those cells.
 */

/** A count that is the same count as a cell of a document built before this one (the catalogue's order). */
export interface SameAs {
  /** The document whose published (controlled) cell this one publishes. */
  readonly document: string;
  /** Column here -> the same count's column there. */
  readonly columns: Readonly<Record<string, string>>;
  /** The columns naming the same cell in both documents (an area, its period). */
  readonly key: readonly string[];
}

/**
 * Rows that count a group of PCNs (England's or a region's PCNs of one deprivation quintile): each count is the sum of
 * the PCN rows of the same financial year in another document. England's such rows are not England's own total:
 * they are controlled as counts below England (`belowEngland`), and every such row is checked against the PCN rows it
 * adds up (auditPcnGroups).
 */
export interface PcnGroups {
  /** The rows (England or region) that are such groups. */
  readonly rows: (row: Row) => boolean;
  /** The group of a PCN, by PCN code (the context's `pcnGroups` map of this name). */
  readonly membership: string;
  /** The column of a row naming its group. */
  readonly groupColumn: string;
  /** Each count here is the sum, over the group's PCNs, of a count of another document's PCN rows. */
  readonly sums: readonly { readonly document: string; readonly columns: Readonly<Record<string, string>> }[];
}

/** What the cross-document rules read: documents already built, PCN groups and the areas a PCN was in. */
export interface SharedContext {
  /** A document built earlier in this refresh (undefined: not built, or not yet). */
  readonly documentOf: (name: string) => MetricDocument | undefined;
  /** Group of each PCN code, per membership name (pcn_imd_quintile: the PCN's IMD 2019 quintile). */
  readonly pcnGroups?: Readonly<Record<string, ReadonlyMap<string, string>>>;
  /** Parent areas of a row's area in its period (refresh.ts parentFinder): a PCN's ICBs, an ICB's region. */
  readonly parentOf: (row: Row) => readonly string[];
  /** Every PCN of the reference data (in force in a period when parentOf finds it an ICB then). */
  readonly pcnCodes?: readonly string[];
}

/** The level England's group rows are controlled under: neither England nor any area (no parent, never exact). */
const GROUP_OF_PCNS = 'group_of_pcns';

/** England's rows that are groups of PCNs, relabelled so that disclosure control treats them as counts below England. */
export function belowEngland(rows: readonly Row[], groups: PcnGroups | undefined): Row[] {
  if (groups === undefined) return rows as Row[];
  return rows.map((row) => (row.level === 'national' && groups.rows(row) ? { ...row, level: GROUP_OF_PCNS } : row));
}

/** Their level given back after control (the published rows are new objects). */
export function restoreEngland(published: readonly Row[]): void {
  for (const row of published) if (row.level === GROUP_OF_PCNS) row.level = 'national';
}

const keyOf = (row: Row, key: readonly string[]) => {
  let k = '';
  for (const column of key) k += `${row[column] === null || row[column] === undefined ? '' : String(row[column])}|`;
  return k;
};

/**
 * Publishes each declared shared count as its source document's published cell: `*` where that is `*`, the same
 * rounded value otherwise; where the source has no row, 0 stays 0 and any other count is withheld (`*`). `exact` are
 * the rows before control, in the order of `published`: a rounded source cell must be what this row's exact count
 * rounds to, or the declaration (or one of the two queries) is wrong and the refresh stops rather than publish two
 * different figures. The key names one row of each document.
 */
export function publishSameAs(
  name: string,
  published: readonly Row[],
  exact: readonly Row[],
  declarations: readonly SameAs[],
  shared: SharedContext,
): void {
  for (const declaration of declarations) {
    const source = shared.documentOf(declaration.document);
    if (source === undefined)
      throw new Error(`${name}: shares counts with ${declaration.document}, which must be built before it`);
    // Only the cells asked for are indexed: the source's rows stay where they are (the refresh keeps every document).
    const wanted = new Set(published.map((row) => keyOf(row, declaration.key)));
    const cells = new Map<string, Row>();
    for (const row of source.rows as unknown as Row[]) {
      const k = keyOf(row, declaration.key);
      if (wanted.has(k)) cells.set(k, row);
    }
    // The exact row of each published one, by the key: the audit may have left rows out of `published` (workforce's).
    const exactOf = new Map<string, Row>();
    for (const row of exact) exactOf.set(keyOf(row, declaration.key), row);
    for (const row of published) {
      // England's figures are exact in both; a row without the figure (workforce's months) keeps none.
      if (row.level === 'national') continue;
      const cell = cells.get(keyOf(row, declaration.key));
      for (const [column, sourceColumn] of Object.entries(declaration.columns)) {
        const count = exactOf.get(keyOf(row, declaration.key))?.[column];
        if (count === null || count === undefined) continue;
        const where = `${name} row ${keyOf(row, declaration.key)} field ${column}`;
        if (cell === undefined) {
          // No row there: a count of 0 (not published as a row), or a year the audit withheld below England (its
          // rows left out): then it is withheld here too, as `*`.
          if (typeof count === 'number' && count !== 0) row[column] = SUPPRESSED;
          continue;
        }
        const value = cell[sourceColumn] as Figure;
        if (value !== SUPPRESSED && typeof count === 'number' && controlCount(count) !== value)
          throw new Error(`${where}: not the same count as ${declaration.document}.${sourceColumn} (declared sameAs)`);
        row[column] = value;
      }
    }
  }
}

/** A cell the reader cannot see (a year withheld below England): 0 or more. */
const UNKNOWN = Symbol('unknown');

/** What a reader knows of a published count below England: 0 is 0, `*` 1 to 7, a rounded one within 2 (8 at least). */
function interval(value: unknown): [number, number] | undefined {
  if (value === UNKNOWN) return [0, Number.POSITIVE_INFINITY];
  if (value === SUPPRESSED) return [1, MIN_COUNT - 1];
  if (typeof value !== 'number') return undefined;
  if (value === 0) return [0, 0];
  return [Math.max(MIN_COUNT, value - 2), value + 2];
}

/**
 * Is any cell of `total` = sum of `parts` (published below England) recovered exactly by the reader's bounds? Each
 * cell's bound from the others is intersected with its own; a bound that collapses to one value, or contradicts the
 * reader's reading of `*` as 1 to 7 (a secondary `*` may hold more; the reader then learns something of it), counts
 * as recovered. Cells published exactly as 0 say nothing more.
 */
export function recoversCell(total: unknown, parts: readonly unknown[]): boolean {
  const bounds = interval(total);
  return bounds !== undefined && recovers(bounds, parts);
}

/** recoversCell where the reader knows the total exactly (a group of PCNs' count that England's total gives away). */
export function recoversFromExactTotal(total: number, parts: readonly unknown[]): boolean {
  return recovers([total, total], parts);
}

function recovers([totalLow, totalHigh]: [number, number], parts: readonly unknown[]): boolean {
  const all = parts.map(interval);
  if (all.some((b) => b === undefined)) return false;
  const bounds = all as [number, number][];
  let partsLow = 0;
  let partsHigh = 0;
  for (const [low, high] of bounds) {
    partsLow += low;
    partsHigh += high;
  }
  // An unknown cell's own bound and the others' bounds from it are never collapsed (infinite); Infinity - Infinity
  // is NaN, which compares false.
  const collapses = (own: [number, number], low: number, high: number) =>
    own[0] !== own[1] && Math.min(own[1], high) <= Math.max(own[0], low);
  if (collapses([totalLow, totalHigh], partsLow, partsHigh)) return true;
  for (const own of bounds)
    if (collapses(own, totalLow - (partsHigh - own[1]), totalHigh - (partsLow - own[0]))) return true;
  return false;
}

/**
 * The source's PCN rows of each year by England's and the regions' groups ("period|ENG|group", "period|<region>|group";
 * `row` undefined: the PCN has none), and the years it shows PCN rows for. A PCN in force without a row counts 0 (no
 * referrals), unless the source has no PCN row at all that year (a year withheld below England): then the reader
 * knows nothing of it.
 */
function pcnCellsByGroup(
  source: MetricDocument,
  periods: ReadonlySet<string>,
  membership: ReadonlyMap<string, string>,
  shared: SharedContext,
) {
  const cellOf = new Map<string, Row>();
  const yearsShown = new Set<string>();
  for (const pcn of source.rows as unknown as Row[]) {
    if (pcn.level !== 'pcn' || pcn.period_type !== 'fy' || !periods.has(String(pcn.period))) continue;
    cellOf.set(`${pcn.period}|${pcn.code}`, pcn);
    yearsShown.add(String(pcn.period));
  }
  const cellsOf = new Map<string, { row: Row | undefined }[]>();
  for (const period of periods)
    for (const code of shared.pcnCodes ?? []) {
      const icbs = shared.parentOf({ level: 'pcn', code, period, period_type: 'fy' });
      if (icbs.length === 0) continue;
      const group = membership.get(code) ?? 'unknown';
      const regions = new Set(icbs.flatMap((icb) => shared.parentOf({ level: 'icb', code: icb, period })));
      for (const area of ['ENG', ...regions]) {
        const k = `${period}|${area}|${group}`;
        const list = cellsOf.get(k) ?? [];
        list.push({ row: cellOf.get(`${period}|${code}`) });
        cellsOf.set(k, list);
      }
    }
  return { cellsOf, yearsShown };
}

/**
 * Rows that are a group of PCNs, checked against the PCN rows of the documents their counts add up: where a group's
 * published count and its PCNs' published cells recover any of them exactly (s8: England's quintile of 3 PCNs at 17,
 * two PCNs at 10 and one `*`, which is then 1), that count is suppressed in every group row of the financial year
 * (England's and every region's: all or nothing, as equity.sql publishes a level, since one group left out would be
 * the total less the others). Runs after disclosure control, before the rates are derived.
 */
export function auditPcnGroups(published: readonly Row[], groups: PcnGroups, shared: SharedContext): void {
  const membership = shared.pcnGroups?.[groups.membership];
  if (membership === undefined) throw new Error(`no PCN groups named ${groups.membership} for this refresh`);
  const rows = published.filter((row) => groups.rows(row) && (row.level === 'national' || row.level === 'region'));
  const periods = new Set(rows.map((row) => String(row.period)));
  const withhold = new Set<string>();
  for (const { document, columns } of groups.sums) {
    const source = shared.documentOf(document);
    if (source === undefined) throw new Error(`PCN groups add up ${document}, which must be built before them`);
    const { cellsOf, yearsShown } = pcnCellsByGroup(source, periods, membership, shared);
    for (const row of rows) {
      const parts = cellsOf.get(`${row.period}|${row.code}|${row[groups.groupColumn]}`) ?? [];
      const shown = yearsShown.has(String(row.period));
      for (const [column, sourceColumn] of Object.entries(columns)) {
        const values = parts.map((p) => (p.row === undefined ? (shown ? 0 : UNKNOWN) : p.row[sourceColumn]));
        if (recoversCell(row[column], values)) withhold.add(`${row.period}|${column}`);
      }
    }
  }
  for (const row of rows)
    for (const { columns } of groups.sums)
      for (const column of Object.keys(columns))
        if (withhold.has(`${row.period}|${column}`) && row[column] !== null && row[column] !== undefined)
          row[column] = SUPPRESSED;
}

/**
 * England figures made from a group of PCNs' count (workforce's caseload over the PCNs that sent a snapshot and have
 * referral data: docs/methodology.md, Workforce). With England's exact total, the group's count is the exact total of
 * the PCNs outside it, whose own cells another document publishes (rollout's PCN rows, rounded or `*`). The group's
 * count itself is never published (it is removed from every published row: a release's change in it would be one
 * PCN's, which the revisions policy holds back for England's counts), and the figures made from it are rounded; even
 * so, a reader is taken to know that outside total exactly, and where it would recover any outside PCN's published
 * cell (recoversCell's rule: one PCN outside, or the others' bounds pinning it) the figures are withheld (null).
 */
export interface CoveredShare {
  /** The document whose PCN rows publish each PCN's count (built before this one), and the count's column there. */
  readonly document: string;
  readonly column: string;
  /** This document's exact PCN rows of the PCNs in the group, in their period. */
  readonly covered: (row: Row) => boolean;
  /** England's exact count of the group on its rows (never published). */
  readonly count: string;
  /** England's exact total (published) that the group's count is part of, on the same rows. */
  readonly total: string;
  /**
   * England's counts of the PCNs outside the group with a count, added up (their cells are unknown where the source's
   * are withheld): each column counts PCNs none of the others do.
   */
  readonly outside: readonly string[];
  /** The figures made from the group's count, withheld (null) where the PCNs outside it would be recovered. */
  readonly figures: readonly string[];
}

export function auditCoveredShare(
  published: readonly Row[],
  exact: readonly Row[],
  share: CoveredShare,
  shared: SharedContext,
): void {
  const source = shared.documentOf(share.document);
  if (source === undefined) throw new Error(`a covered share reads ${share.document}, which must be built before it`);
  const periodOf = (row: Row) => `${row.period_type}|${row.period}`;
  const covered = new Set<string>();
  for (const row of exact) if (row.level === 'pcn' && share.covered(row)) covered.add(`${periodOf(row)}|${row.code}`);
  const outside = new Map<string, unknown[]>();
  const shown = new Set<string>();
  for (const row of source.rows as unknown as Row[]) {
    if (row.level !== 'pcn') continue;
    shown.add(periodOf(row));
    const value = row[share.column];
    // No data (null: a PCN not onboarded) is known to hold nobody; a covered PCN is inside the group.
    if (value === null || value === undefined || covered.has(`${periodOf(row)}|${row.code}`)) continue;
    const list = outside.get(periodOf(row)) ?? [];
    list.push(value);
    outside.set(periodOf(row), list);
  }
  const exactEngland = new Map(exact.filter((r) => r.level === 'national').map((r) => [periodOf(r), r]));
  for (const row of published) {
    if (row.level === 'national') {
      const england = exactEngland.get(periodOf(row));
      const count = england?.[share.count];
      const total = england?.[share.total];
      // A year whose PCN rows the source withholds (the audit's) tells the reader nothing of each PCN: the total left
      // out then gives one away only where it is one PCN's.
      const unsafe =
        typeof count === 'number' &&
        typeof total === 'number' &&
        (shown.has(periodOf(row))
          ? recoversFromExactTotal(total - count, outside.get(periodOf(row)) ?? [])
          : share.outside.reduce((sum, column) => sum + Number(england?.[column] ?? 0), 0) === 1);
      if (unsafe) for (const figure of share.figures) row[figure] = null;
    }
    delete row[share.count];
  }
}

/**
 * Where each membership's groups come from: the prepare step's own query (the public NHS Digital PCN IMD 2019 deciles
 * as SQL, sql/prepare/pcn_deprivation.sql), run again for its small result (one row a PCN).
 */
export const PCN_GROUP_SOURCES: Readonly<Record<string, { readonly file: string; readonly column: string }>> = {
  pcn_imd_quintile: { file: 'prepare/pcn_deprivation', column: 'imd_quintile' },
};

/** The PCN -> group map of a membership, from its query's rows. */
export function groupsFromRows(rows: readonly Row[], column: string): Map<string, string> {
  return new Map(rows.map((row) => [String(row.pcn_code), String(row[column])]));
}

/**
 * A count that several documents publish and control themselves (each with its own secondary suppression and audit:
 * their additive relations differ, so none can simply copy another's cells). They are controlled jointly
 * (jointFixedPoint): a cell suppressed in one is suppressed in all.
 */
export interface JointCount {
  /** Names the count in cell ids and errors. */
  readonly name: string;
  /** The columns naming the same cell in every document (an area, its period). */
  readonly key: readonly string[];
  /** Where each document publishes it: the column, on the rows `rows` selects (default: every row). */
  readonly cells: readonly {
    readonly document: string;
    readonly column: string;
    readonly rows?: (row: Row) => boolean;
  }[];
}

/**
 * Rounds of jointFixedPoint before it gives up. Each round but the last adds a cell to the suppressed union, so the
 * loop ends in at most one round more than there are shared cells; a national refresh needs a few (the bench prints
 * them). Far more would say the documents' controls keep answering each other: a refresh then stops, loudly, rather
 * than run on or publish counts the documents disagree on.
 */
export const JOINT_CONTROL_MAX_ROUNDS = 32;

/**
 * Shared cells' ids: the count's name and the cell's key (`name|` then each key column's value and `|`), each text made
 * once per distinct count and key values and found again by Maps of the values themselves, so a row's id costs
 * lookups, not a new string hashed again. Joint control reads every row's ids several times a round (jointCells,
 * imposedColumns, suppressedJointCells, rowsLeftOutJointCells): made anew each time they were a tenth of the
 * national joint step's profile (issue 17, node --cpu-prof on test/bench/disclosure-step.ts); suppressedJointCells
 * of national referral_sources went from 0.10 to 0.035 CPU s. The text is the values'
 * alone, so two rows whose key columns give the same text have equal ids, as before. One per joint control (its
 * texts are let go with it).
 */
export class JointCellIds {
  /** Per count name and key columns: a Map per key column, down to the id. */
  private readonly roots = new Map<string, Map<readonly string[], Map<unknown, unknown>>>();
  /** exactJointCells of each exact rows read (exactCellsOf), by document and joint counts. */
  private readonly exact = new WeakMap<
    readonly Row[],
    { document: string; joint: readonly JointCount[]; cells: ExactJointCells }[]
  >();

  /**
   * exactJointCells of `document`'s exact rows, read once per array of rows (and document and counts): a joint
   * control's exact rows are the same array in every round, read by its cells (jointCells), by controlAgainByYear's
   * cells imposed by year and by what the fixed point reads of each control (readJointCells). The rows are not
   * changed after they are read (a document's exact rows never are).
   */
  exactCellsOf(document: string, exact: readonly Row[], joint: readonly JointCount[]): ExactJointCells {
    let known = this.exact.get(exact);
    if (known === undefined) {
      known = [];
      this.exact.set(exact, known);
    }
    for (const k of known) if (k.document === document && k.joint === joint) return k.cells;
    const cells = exactJointCells(document, exact, joint, this);
    known.push({ document, joint, cells });
    return cells;
  }

  of(count: JointCount, row: Row): string {
    let byKey = this.roots.get(count.name);
    if (byKey === undefined) {
      byKey = new Map();
      this.roots.set(count.name, byKey);
    }
    const key = count.key;
    let node = byKey.get(key);
    if (node === undefined) {
      node = new Map();
      byKey.set(key, node);
    }
    if (key.length === 0) return `${count.name}|`;
    for (let k = 0; k < key.length - 1; k++) {
      const value = row[key[k] as string];
      let next = node.get(value) as Map<unknown, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(value, next);
      }
      node = next;
    }
    const last = row[key[key.length - 1] as string];
    let id = node.get(last) as string | undefined;
    if (id === undefined) {
      id = `${count.name}|${keyOf(row, key)}`;
      node.set(last, id);
    }
    return id;
  }
}

/** The shared cells of `document`'s rows below England (those with a count), by the column holding each. */
function sharedCellsOf(
  document: string,
  rows: readonly Row[],
  joint: readonly JointCount[],
  visit: (row: Row, column: string, id: string) => void,
  ids: JointCellIds,
): void {
  for (const count of joint)
    for (const cell of count.cells) {
      if (cell.document !== document) continue;
      for (const row of rows)
        if (row.level !== 'national' && (cell.rows === undefined || cell.rows(row)))
          visit(row, cell.column, ids.of(count, row));
    }
}

/** The cells of `document` that take part in joint control (below England, holding a count). */
export function jointCells(
  document: string,
  exact: readonly Row[],
  joint: readonly JointCount[],
  ids = new JointCellIds(),
): Set<string> {
  const cells = new Set<string>();
  sharedCellsOf(
    document,
    exact,
    joint,
    (row, column, id) => {
      if (typeof row[column] === 'number') cells.add(id);
    },
    ids,
  );
  return cells;
}

/** For applyDisclosureControl's `preSuppressed`: the columns of a row whose shared cell is in `imposed`. */
export function imposedColumns(
  document: string,
  joint: readonly JointCount[],
  imposed: ReadonlySet<string>,
  ids = new JointCellIds(),
): (row: Row) => string[] {
  const mine = joint.flatMap((count) =>
    count.cells.filter((cell) => cell.document === document).map((cell) => ({ count, cell })),
  );
  return (row) => {
    const columns: string[] = [];
    if (imposed.size === 0) return columns;
    for (const { count, cell } of mine)
      if ((cell.rows === undefined || cell.rows(row)) && imposed.has(ids.of(count, row))) columns.push(cell.column);
    return columns;
  };
}

/**
 * The shared cells a document withholds from the reader: `*`, or its row left out (the audit withholds a year's rows
 * below England) where the exact row had a count. readJointCells' `suppressed` (review 38, R38-2: one reading).
 */
export function suppressedJointCells(
  document: string,
  exact: readonly Row[],
  published: readonly Row[],
  joint: readonly JointCount[],
  ids = new JointCellIds(),
): Set<string> {
  return readJointCells(document, exactJointCells(document, exact, joint, ids).ids, published, joint, ids).suppressed;
}

/**
 * The shared cells a document withholds by leaving their row out (the audit withholds a period's rows below England)
 * where the exact row had a count: among suppressedJointCells, those not shown as `*` (jointFixedPoint's `withheldOf`).
 * readJointCells' `leftOut`.
 */
export function rowsLeftOutJointCells(
  document: string,
  exact: readonly Row[],
  published: readonly Row[],
  joint: readonly JointCount[],
  ids = new JointCellIds(),
): Set<string> {
  return readJointCells(document, exactJointCells(document, exact, joint, ids).ids, published, joint, ids).leftOut;
}

/** A document's exact rows' shared cells holding a count, and the row of each (exactJointCells). */
export interface ExactJointCells {
  readonly ids: readonly string[];
  readonly rows: readonly Row[];
}

/**
 * The shared cells of `document`'s exact rows that hold a count, in sharedCellsOf's order (a cell in two columns twice),
 * with the row of each: what jointCells, suppressedJointCells, rowsLeftOutJointCells and controlAgainByYear read of
 * the exact rows. A document's exact rows are the same in every round of its joint control, so they are read once
 * (issue 17: every round read them three times, each row through each cell's `rows`, cof_person's cohort cells making a
 * key per row: 0.7 CPU s of cof_person's each national round outside its control).
 */
export function exactJointCells(
  document: string,
  exact: readonly Row[],
  joint: readonly JointCount[],
  ids = new JointCellIds(),
): ExactJointCells {
  const cellIds: string[] = [];
  const rows: Row[] = [];
  sharedCellsOf(
    document,
    exact,
    joint,
    (row, column, id) => {
      if (typeof row[column] !== 'number') return;
      cellIds.push(id);
      rows.push(row);
    },
    ids,
  );
  return { ids: cellIds, rows };
}

/**
 * What jointFixedPoint reads of a member's control, in one pass over its published rows: `suppressed` (a shared cell
 * `*`, or holding a count in the exact rows and not shown), `leftOut` (holding a count in the exact rows and in no
 * published row) and `shown` (jointCells of the published rows, in the same order); `exactIds` the exact rows' cells
 * holding a count (exactJointCells).
 */
export function readJointCells(
  document: string,
  exactIds: readonly string[],
  published: readonly Row[],
  joint: readonly JointCount[],
  ids = new JointCellIds(),
): { readonly suppressed: Set<string>; readonly leftOut: Set<string>; readonly shown: Set<string> } {
  const suppressed = new Set<string>();
  const shown = new Set<string>();
  const seen = new Set<string>();
  sharedCellsOf(
    document,
    published,
    joint,
    (row, column, id) => {
      seen.add(id);
      const value = row[column];
      if (value === SUPPRESSED) suppressed.add(id);
      else if (typeof value === 'number') shown.add(id);
    },
    ids,
  );
  const leftOut = new Set<string>();
  for (const id of exactIds) {
    if (!shown.has(id)) suppressed.add(id);
    if (!seen.has(id)) leftOut.add(id);
  }
  return { suppressed, leftOut, shown };
}

/**
 * Controls documents sharing counts together, to a fixed point (docs/methodology.md, "Disclosure control").
 *
 * Why a fixed point over the documents' own controls rather than one audit system over both: each document keeps its
 * own rules (secondary suppression over its own families, its audit over its own equations: referral sources within a
 * row, discharge reasons, months), which are tested and measured as they are; a cell one suppresses is simply given to
 * the others as suppressed before their secondary suppression and audit run, so each protects it (and what it newly
 * suppresses in turn) by its own equations. A single system over both would need a second implementation of every rule.
 * What the fixed point does not do is audit the union of the documents' equations (a cell narrowed to 5-7 by one and
 * to 3-5 by the other); the only equations shared are the cells themselves, published identically, and the independent
 * scan (test/support/disclosure-scan.ts) audits each document with the other's suppressed cells.
 *
 * The rounds: every member is controlled with the cells imposed so far pre-suppressed (none at first); the union of
 * the shared cells any member withholds is added to `imposed`; a member is controlled again only where it shows an
 * imposed cell it has (a member already withholding every imposed cell keeps its output: that is a control of its own
 * with those cells suppressed, so documents where no shared cell changed are published as before). `imposed` only
 * grows, and a member controlled with cells pre-suppressed withholds them (checked), so the loop ends within one
 * round more than there are shared cells: then every member withholds exactly `imposed` of its cells shown (and the
 * cells of rows it left out, below), the same `*` in all.
 * More than `maxRounds` rounds throws.
 *
 * `withheldOf` (when given) names the cells among a member's withheld ones whose row it left out (the audit withholds a
 * period's rows below England): they stand for a pre-suppressed cell, but are not imposed on the others. A row left
 * out shows nothing, so no member's figure of the count there is recovered from it; imposing its every cell as `*` on
 * the others put a period's whole count below England out of sight there, and with it a region `*` over all its ICBs
 * `*` (the South West has 7: read as 7 over seven 1s, sealed), so each withheld the period too, for no figure of its
 * own (red-team review 9: referral_sources' South West `*` of other sources in April 2026 withheld April and 2026/27
 * below England in rollout and cof_person). Each member's own control still covers the count's equations there (the
 * same areas within areas and months of a year, with the same `*` elsewhere, at the fixed point).
 */
export function jointFixedPoint<T>(
  members: readonly string[],
  cellsOf: (member: string) => ReadonlySet<string>,
  control: (member: string, imposed: ReadonlySet<string>) => T,
  suppressedOf: (member: string, result: T) => ReadonlySet<string>,
  maxRounds = JOINT_CONTROL_MAX_ROUNDS,
  withheldOf?: (member: string, result: T) => ReadonlySet<string>,
  shownOf?: (member: string, result: T) => ReadonlySet<string>,
): { results: Map<string, T>; imposed: Set<string>; rounds: number } {
  const imposed = new Set<string>();
  const results = new Map<string, T>();
  const withheld = new Map<string, ReadonlySet<string>>();
  const leftOut = new Map<string, ReadonlySet<string>>();
  const shown = new Map<string, ReadonlySet<string>>();
  // A member hides a cell it withholds and shows in no column (shownOf: jointCells of its published rows). A cell it
  // publishes in two columns (cof_person's episodes and, for a period that ended by the cut-off, its cohorts:
  // catalogue.ts jointCounts) may be `*` in one by its own control (the cohort's months add up to a year the episodes'
  // do not) and shown in the other: the `*` goes to the others, and this member is controlled again with the cell
  // imposed in both columns (red-team review 17, R17-3: counted as hidden, it was never controlled again, the others
  // withheld the cell it showed, and the refresh stopped).
  const hides = (member: string, id: string) =>
    shown.get(member)?.has(id) !== true &&
    ((withheld.get(member) as ReadonlySet<string>).has(id) || leftOut.get(member)?.has(id) === true);
  let stale: readonly string[] = members;
  let rounds = 0;
  while (stale.length > 0) {
    rounds++;
    if (rounds > maxRounds)
      throw new Error(
        `joint disclosure control of ${members.join(', ')}: no fixed point after ${maxRounds} rounds (${imposed.size} shared cells suppressed, ${stale.join(', ')} still showing some)`,
      );
    for (const member of stale) {
      const result = control(member, imposed);
      const rowsLeftOut = withheldOf?.(member, result) ?? new Set<string>();
      const found = new Set([...suppressedOf(member, result)].filter((id) => !rowsLeftOut.has(id)));
      results.set(member, result);
      withheld.set(member, found);
      leftOut.set(member, rowsLeftOut);
      if (shownOf) shown.set(member, shownOf(member, result));
      for (const id of imposed)
        if (cellsOf(member).has(id) && !hides(member, id))
          throw new Error(`joint disclosure control: ${member} shows shared cell ${id} although it was pre-suppressed`);
    }
    for (const found of withheld.values()) for (const id of found) imposed.add(id);
    stale = members.filter((member) => {
      const cells = cellsOf(member);
      for (const id of imposed) if (cells.has(id) && !hides(member, id)) return true;
      return false;
    });
  }
  return { results, imposed, rounds };
}

/** A document's control: its exact rows (after beforeControl) and its published ones (refresh.ts controlDocument). */
export interface Controlled {
  readonly exact: readonly Row[];
  readonly published: Row[];
}

/**
 * A member's control in jointFixedPoint, each time after its first made again only where it can differ (issue 17: the
 * national joint step controlled each of its three documents whole in each of its two rounds, 21.8 s). A document's
 * control of one financial year (its months and its year's rows, every area) never reads another year's cells: its
 * families of areas are of one period, its months are of their year, the audit's equations follow them and it withholds
 * a period's rows. So where the cells imposed in a year are those imposed at the member's last control, that year's
 * rows are as they were, and only the other years' rows are controlled again (`control` given those rows), the years'
 * rows kept in their order. Within those years, where the document's rules join the shared columns to only some of its
 * columns (joinedColumns) and no row of them is withheld, before or now, only those columns are controlled again
 * (rulesWithin) and put into the rows as they were. Documents whose rules join rows otherwise (siblings, partitions), or
 * with rows of other periods, are controlled whole each time. Equal to controlling the document whole with the cells
 * imposed (test/unit/joint-control-years.test.ts; every document byte for byte, test/bench/disclosure-step.ts on the
 * national, 25% and 2% dumps). Nationally the second round makes again three of four years, of referrals alone in
 * rollout (with pcns_reporting), of episodes alone in cof_person and of referrals and its sources in referral_sources:
 * 7.0 CPU s of control become 3.0 (the joint step, with JointCellIds, 25.3 to 18.4 CPU s on a busy machine).
 * By the same token each year is controlled on its own, the first time too (eachYear): the same cells, with a year's
 * systems and rows at a time in memory (issue 17: in a profile of the 25% joint step, garbage collection 1.22 -> 0.65 s
 * and system builds 1.37 -> 1.08 s of samples; nationally rollout's and cof_person's controls again about halve;
 * test/unit/joint-control-split.test.ts checks every round against the document controlled whole, random documents).
 */
export function controlAgainByYear(
  document: string,
  rows: readonly Row[],
  rules: DisclosureRules,
  keys: readonly string[],
  joint: readonly JointCount[],
  ids: JointCellIds,
  /** The control of `rows` (some of the document's, all of some years), by `rules` (undefined: the document's). */
  control: (rows: readonly Row[], rules: DisclosureRules | undefined, imposed: ReadonlySet<string>) => Controlled,
): (imposed: ReadonlySet<string>) => Controlled {
  const yearOfPeriod = new Map<string, string>();
  const yearOf = (row: Row) => {
    const period = String(row.period);
    let year = yearOfPeriod.get(period);
    if (year === undefined) {
      year = row.period_type === 'fy' ? period : financialYearOf(period);
      yearOfPeriod.set(period, year);
    }
    return year;
  };
  const byYear = rows.every((row) => row.period_type === 'fy' || row.period_type === 'month');
  const columns = [
    ...new Set(joint.flatMap((count) => count.cells.filter((c) => c.document === document).map((c) => c.column))),
  ];
  const joined = joinedColumns(rules, columns);
  // The member's cells imposed, by year (the exact rows' cells holding a count read once: JointCellIds.exactCellsOf).
  const imposedByYear = (exact: readonly Row[], imposed: ReadonlySet<string>) => {
    const cellsByYear = new Map<string, Set<string>>();
    if (imposed.size === 0) return cellsByYear;
    const { ids: cellIds, rows: cellRows } = ids.exactCellsOf(document, exact, joint);
    for (let i = 0; i < cellIds.length; i++) {
      const id = cellIds[i] as string;
      if (!imposed.has(id)) continue;
      const year = yearOf(cellRows[i] as Row);
      const cells = cellsByYear.get(year);
      if (cells === undefined) cellsByYear.set(year, new Set([id]));
      else cells.add(id);
    }
    return cellsByYear;
  };
  // Some years' rows, each year controlled on its own (as one control of them all would control it: see above), their
  // exact and published rows put back in the order of `some`; controlled as one where a year's published rows are not
  // its exact rows in order, less some (rows added).
  const eachYear = (some: readonly Row[], within: DisclosureRules | undefined, imposed: ReadonlySet<string>) => {
    const years = new Map<string, Row[]>();
    for (const row of some) {
      const year = yearOf(row);
      const of = years.get(year);
      if (of === undefined) years.set(year, [row]);
      else of.push(row);
    }
    if (years.size <= 1) return control(some, within, imposed);
    const each = new Map<string, { result: Controlled; exact: number; published: number }>();
    for (const [year, of] of years) each.set(year, { result: control(of, within, imposed), exact: 0, published: 0 });
    const exact: Row[] = [];
    const published: Row[] = [];
    for (const row of some) {
      const at = each.get(yearOf(row)) as { result: Controlled; exact: number; published: number };
      const exactRow = at.result.exact[at.exact++] as Row;
      exact.push(exactRow);
      const next = at.result.published[at.published];
      if (next !== undefined && sameRow(exactRow, next, keys)) {
        published.push(next);
        at.published++;
      }
    }
    for (const at of each.values())
      if (at.exact !== at.result.exact.length || at.published !== at.result.published.length)
        return control(some, within, imposed);
    return { exact, published };
  };
  let last: { result: Controlled; imposed: Map<string, Set<string>> } | undefined;
  const whole = (imposed: ReadonlySet<string>) => {
    const result = byYear ? eachYear(rows, undefined, imposed) : control(rows, undefined, imposed);
    last = { result, imposed: imposedByYear(result.exact, imposed) };
    return result;
  };
  return (imposed) => {
    if (last === undefined || !byYear) return whole(imposed);
    const { result } = last;
    const now = imposedByYear(result.exact, imposed);
    // The years whose cells imposed are not those imposed at the last control.
    const changed = new Set<string>();
    for (const year of new Set([...now.keys(), ...last.imposed.keys()])) {
      const is = now.get(year) ?? new Set<string>();
      const was = last.imposed.get(year) ?? new Set<string>();
      if (is.size !== was.size || [...is].some((id) => !was.has(id))) changed.add(year);
    }
    last = { result, imposed: now };
    if (changed.size === 0) return result;
    const again = rows.filter((row) => changed.has(yearOf(row)));
    const before = result.published.filter((row) => changed.has(yearOf(row)));
    const published =
      (joined === undefined
        ? undefined
        : columnsAgain(
            again,
            before,
            joined,
            () => eachYear(again, rulesWithin(rules, joined), imposed).published,
            keys,
          )) ?? eachYear(again, undefined, imposed).published;
    const merged = mergeYears(result.exact, result.published, published, (row) => changed.has(yearOf(row)), keys);
    if (merged === undefined) return whole(imposed);
    last = { result: { exact: result.exact, published: merged }, imposed: now };
    return last.result;
  };
}

/** Whether two rows are of the same area, period and document keys. */
function sameRow(a: Row, b: Row, keys: readonly string[]): boolean {
  if (a.level !== b.level || a.code !== b.code || a.period !== b.period || a.period_type !== b.period_type)
    return false;
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * The rows `before` (as published, none withheld: one per row of `rows`, in order) with `joined`'s cells as controlled
 * again alone (`again`: its published rows, one per row of `rows`, or the rows were withheld); undefined where a row
 * is withheld, before or now, or the rows differ otherwise (a column one has and the other lacks).
 */
function columnsAgain(
  rows: readonly Row[],
  before: readonly Row[],
  joined: ReadonlySet<string>,
  again: () => Row[],
  keys: readonly string[],
): Row[] | undefined {
  if (before.length !== rows.length) return undefined;
  const now = again();
  if (now.length !== rows.length) return undefined;
  const out: Row[] = [];
  for (let i = 0; i < rows.length; i++) {
    const was = before[i] as Row;
    const is = now[i] as Row;
    if (!sameRow(rows[i] as Row, was, keys) || !sameRow(was, is, keys)) return undefined;
    const row = { ...was };
    for (const column of joined) {
      if (column in was !== column in is) return undefined;
      if (column in is) row[column] = is[column] as Row[string];
    }
    out.push(row);
  }
  return out;
}

/**
 * The published rows in the order of `exact`: those of the years `again` names from `published` (controlled again),
 * the others from `before`; undefined where either is not a run of `exact`'s rows in order (rows added, not only left
 * out), for the caller to control the document whole.
 */
function mergeYears(
  exact: readonly Row[],
  before: readonly Row[],
  published: readonly Row[],
  again: (row: Row) => boolean,
  keys: readonly string[],
): Row[] | undefined {
  const kept = before.filter((row) => !again(row));
  const merged: Row[] = [];
  let k = 0;
  let p = 0;
  for (const row of exact) {
    if (again(row)) {
      if (p < published.length && sameRow(row, published[p] as Row, keys)) merged.push(published[p++] as Row);
    } else if (k < kept.length && sameRow(row, kept[k] as Row, keys)) merged.push(kept[k++] as Row);
  }
  return k === kept.length && p === published.length ? merged : undefined;
}

/**
 * After joint control: every shared cell published the same in every document that has its row. Otherwise the
 * declaration (or a query) is wrong and the refresh stops rather than publish two figures for one count. (A document
 * without the row says nothing here: workforce has rows only where snapshots were sent; where the documents list
 * every area with a count, the rows withheld are suppressed cells, imposed on the others.)
 */
export function checkJointCells(
  joint: readonly JointCount[],
  documentOf: (name: string) => readonly Row[],
  ids = new JointCellIds(),
): void {
  for (const count of joint) {
    const seen = new Map<string, { document: string; value: unknown }>();
    for (const cell of count.cells)
      sharedCellsOf(
        cell.document,
        documentOf(cell.document),
        [{ ...count, cells: [cell] }],
        (row, column, id) => {
          const value = row[column];
          const other = seen.get(id);
          if (other === undefined) seen.set(id, { document: cell.document, value });
          else if (other.value !== value)
            throw new Error(
              `${cell.document} row ${keyOf(row, count.key)} field ${column}: not the same as ${other.document}'s (jointly controlled count ${count.name})`,
            );
        },
        ids,
      );
  }
}

/**
 * The documents controlled together, by document: each group (in `order`) is the documents joined by joint counts,
 * directly or through another document. Documents in no joint count are in no group.
 */
export function jointGroups(order: readonly string[], joint: readonly JointCount[]): Map<string, readonly string[]> {
  const groupOf = new Map<string, Set<string>>();
  for (const count of joint) {
    const merged = new Set<string>();
    for (const { document } of count.cells) for (const name of groupOf.get(document) ?? [document]) merged.add(name);
    for (const name of merged) groupOf.set(name, merged);
  }
  const groups = new Map<string, readonly string[]>();
  for (const [name, members] of groupOf) {
    const missing = [...members].filter((m) => !order.includes(m));
    if (missing.length > 0) throw new Error(`joint counts name ${missing.join(', ')}, not in the catalogue`);
    groups.set(
      name,
      order.filter((m) => members.has(m)),
    );
  }
  return groups;
}
