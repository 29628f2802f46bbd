import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import type { MetricDocument } from '../contract/metrics.ts';
import { financialYearOf } from '../contract/periods.ts';
import type { AreaRevisionsHeld } from '../contract/summaries.ts';
import { REVISIONS_PREFIX } from '../lib/keys.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import type { Row } from '../lib/query-engine.ts';
import type { MetricDefinition } from './catalogue.ts';
import { changedColumns, releasable, unitsOf } from './revisions.ts';

/**
 * Revisions of the figures below England (ICBs and regions; red-team review 11, R11-1; docs/methodology.md,
 * "Revisions of figures below England").
 *
 * Each release is controlled on its own, so an area's cell that turns from `*` to 10 (or 10 to 15) between two releases
 * says where its exact value is (8, 13): a PCN that sends one event of its own per release into an old month, and
 * knows its own count, reads the other PCNs' exact sum from the release where its ICB's cell moves. So a new value of
 * an area's figure published before is used only when its change since is made as England's must be (revisions.ts,
 * `releasable`: 3 or more of the area's PCNs, none dominating, and for a count a net change larger than the number of
 * PCNs making it).
 *
 * The unit of a hold is a family: one area (an ICB or a region), one financial year (its months and the year) and
 * one document, and every document controlled with it or after it (a family held in one is held in every document
 * built after it, and jointly controlled documents hold the union of their families: they share counts). A region's
 * family holds where any of its ICBs' does.
 *
 * A held family is held BEFORE disclosure control (review 15, R15-1): the control is given the family's area rows as
 * they were at the release that published them (their exact figures then, from the record), so that no cell this
 * release publishes, held or not (a sibling ICB, another region, the same area's other months, in any document), is
 * controlled on a held cell's new value. A held year beside months new since (R15-9) is given its exact figures then
 * plus its new months' exact counts (published in those months' rows): it never shows less than its new month, and
 * never its old months' new values. PCN rows are controlled on their own new figures, as before.
 *
 * The record (AREA_REVISIONS_STATE_KEY: private, as sensitive as curated data) keeps, for each area row used, its exact
 * figures and each tested column's PCN contributions. Without a record of the release published now (lost, foreign, or
 * of another version), every family published before is held (fail closed), and the summary lists no row (R15-3). A
 * change of the document's definition starts again only the columns the catalogue declares changed (`changes`), as
 * England's (R15-2); undeclared, none.
 */
export const AREA_REVISIONS_STATE_KEY = `${REVISIONS_PREFIX}areas-release.json.gz`;
const STATE_VERSION = 2;
const TOLERANCE = 1e-6;
const AREA_LEVELS = new Set(['icb', 'region']);
/** Identity columns of a row, never replaced by a held row's values. */
const IDENTITY = new Set(['level', 'code', 'name', 'parent', 'period', 'period_type']);

/** A row's record: `c` column -> [PCN index, exact, ...] (nonzero), `e` its exact figures, `x` an unknown part. */
interface AreaRowState {
  readonly c: Readonly<Record<string, readonly number[]>>;
  readonly e: Readonly<Record<string, unknown>>;
  readonly x?: true;
}
interface AreaDocumentState {
  readonly definition: string;
  readonly rows: Readonly<Record<string, AreaRowState>>;
}
interface AreaState {
  readonly version: typeof STATE_VERSION;
  readonly release: string;
  readonly pcns: readonly string[];
  readonly documents: Readonly<Record<string, AreaDocumentState>>;
}

const keyPart = (value: unknown) => (value === null || value === undefined ? '' : String(value));
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The row's id: level | code | period type | period | keys. */
function rowIdOf(definition: MetricDefinition, row: Row): string {
  let key = `${keyPart(row.level)}|${keyPart(row.code)}|${keyPart(row.period_type)}|${keyPart(row.period)}`;
  for (const k of definition.keys) key += `|${keyPart(row[k])}`;
  return key;
}
/** The id of a month row's year row (same area and keys). */
const yearIdOf = (definition: MetricDefinition, row: Row) =>
  rowIdOf(definition, { ...row, period_type: 'fy', period: financialYearOf(String(row.period)) });

/** The family of an area row: level | code | financial year (a month's, or its own). */
const familyOf = (row: Row): string => {
  const period = String(row.period);
  return `${keyPart(row.level)}|${keyPart(row.code)}|${row.period_type === 'month' ? financialYearOf(period) : period}`;
};

/** YYYY-MM plus `k` months. */
function addMonths(month: string, k: number): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const index = year * 12 + (m - 1) + k;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** A month's cohort column not yet matured at a data-as-of date (its 0 then is no figure). */
function immature(definition: MetricDefinition, row: Row, column: string, asOf: string | null | undefined): boolean {
  const months = definition.cohortMonths?.[column];
  if (months === undefined || row.period_type !== 'month') return false;
  return asOf === null || asOf === undefined || addMonths(String(row.period), months) > asOf.slice(0, 7);
}

/** How a document's figures are read: the columns tested, and a PCN's contribution to an area's (a mean's: its sum). */
interface Columns {
  readonly tested: readonly string[];
  readonly counts: ReadonlySet<string>;
  readonly monthly: ReadonlySet<string>;
  readonly contribution: (row: Row, column: string) => number;
}

function columnsOf(definition: MetricDefinition): Columns {
  const { columns } = unitsOf(definition);
  // Figures that follow their counts (describing columns, England-only intervals, a group's England figures): held
  // with their row, not tested.
  const follower = new Set([
    ...(definition.rules.means ?? []).filter((m) => m.englandOnly).map((m) => m.column),
    ...(definition.rules.describing ?? []).flatMap((d) => d.columns),
    ...Object.keys(definition.groupFigures?.figures ?? {}),
  ]);
  const meanOf = new Map((definition.rules.means ?? []).map((m) => [m.column, m.contributors]));
  return {
    tested: columns.filter((c) => !follower.has(c)),
    counts: new Set(definition.rules.counts),
    monthly: new Set(definition.rules.monthly ?? []),
    contribution: (row, column) => {
      const value = row[column];
      if (!isNumber(value)) return 0;
      const people = meanOf.get(column);
      if (people === undefined) return value;
      const n = row[people];
      return isNumber(n) ? value * n : 0;
    },
  };
}

/** Contributions by area row id, column and PCN index. */
type Contributions = Map<string, Map<string, Map<number, number>>>;

function addTo(now: Contributions, id: string, column: string, pcn: number, value: number): void {
  let cells = now.get(id);
  if (cells === undefined) {
    cells = new Map();
    now.set(id, cells);
  }
  let byPcn = cells.get(column);
  if (byPcn === undefined) {
    byPcn = new Map();
    cells.set(column, byPcn);
  }
  byPcn.set(pcn, (byPcn.get(pcn) ?? 0) + value);
}

/** A document's rows before control, with what the revision needs of them. */
interface Revision {
  readonly definition: MetricDefinition;
  readonly of: Columns;
  readonly raw: readonly Row[];
  /** Area rows by id (this release's exact ones). */
  readonly areaRows: ReadonlyMap<string, Row>;
  /** The ids of the area rows the release before published. */
  readonly publishedBefore: ReadonlySet<string>;
  /** The periods the release before published (any level): a month not among them is new. */
  readonly periodsBefore: ReadonlySet<string>;
  readonly previousAsOf: string | null;
  readonly now: Contributions;
  /** The record of the document (undefined: failing closed, or a first release). */
  readonly recordOf: AreaDocumentState | undefined;
  readonly failClosed: boolean;
  /** The document has month rows: a year's figures other than its counts by month follow its months'. */
  readonly withMonths: boolean;
  /** Columns whose series starts again at this release (a declared change of definition): never held. */
  readonly restarted: ReadonlySet<string> | 'all';
  /** The new months' exact counts of each area year (a month row not published before), by year row id. */
  readonly newMonths: ReadonlyMap<string, Map<string, number>>;
  /** The same, as PCN contributions: the record of a held year takes them. */
  readonly newMonthsContributions: Contributions;
}

export class AreaRevisions {
  private readonly next: Record<string, AreaDocumentState> = {};
  private readonly held = new Map<string, AreaRevisionsHeld>();
  /** Families held in documents built so far: held in every document built after them. */
  private readonly imposed = new Set<string>();
  /** The families held in each document (a `sameAs` column is held only where its source document holds it). */
  private readonly heldIn = new Map<string, ReadonlySet<string>>();
  /** Each document's area rows as given to the control, by the cell key (level|code|period_type|period|): sameAs. */
  private readonly given = new Map<string, Map<string, Row>>();
  /** England's rows as they are, by document and row id, where the control was given them less held changes. */
  private readonly englandNow = new Map<string, Map<string, Row>>();
  private readonly pcnIndex: Map<string, number>;
  private readonly oldIndex: Map<number, number>;

  private constructor(
    private readonly store: ObjectStore,
    private readonly generatedAt: string,
    private readonly pcnCodes: readonly string[],
    private readonly dataAsOf: string | null | undefined,
    /** The release published now (meta.json generated_at), undefined before the first. */
    private readonly published: string | undefined,
    private readonly state: AreaState | undefined,
  ) {
    this.pcnIndex = new Map(pcnCodes.map((code, i) => [code, i]));
    this.oldIndex = new Map((state?.pcns ?? []).map((code, i) => [i, this.pcnIndex.get(code) ?? -1]));
  }

  static async open(inputs: {
    store: ObjectStore;
    generatedAt: string;
    pcnCodes: readonly string[];
    dataAsOf?: string | null;
    previousRelease: string | undefined;
  }): Promise<AreaRevisions> {
    const state = inputs.previousRelease === undefined ? undefined : await readState(inputs.store);
    return new AreaRevisions(
      inputs.store,
      inputs.generatedAt,
      inputs.pcnCodes,
      inputs.dataAsOf,
      inputs.previousRelease,
      state,
    );
  }

  /** A document's summary entry, or undefined when it holds nothing. */
  summaryOf(name: string): { revisions_held_below_england: AreaRevisionsHeld } | undefined {
    const held = this.held.get(name);
    return held === undefined ? undefined : { revisions_held_below_england: held };
  }

  /**
   * The rows of documents controlled together (one, or a joint group), before control: each held family's area rows
   * given their exact figures as at the release that published them (a held year: plus its new months' counts).
   * `previous`: each document as published now (its rows above the PCNs at least). Call in the order documents are
   * built: a family held here is held in every document after.
   */
  pin(
    members: readonly { readonly definition: MetricDefinition; readonly rows: readonly Row[] }[],
    previousOf: (name: string) => MetricDocument | undefined,
    parentOf: (row: Row) => readonly string[],
  ): Row[][] {
    const revisions = members.map((m) =>
      this.revisionOf(m.definition, m.rows, previousOf(m.definition.name), parentOf),
    );
    // Jointly controlled documents share counts: the union of their families, and those held before them.
    const families = new Set(this.imposed);
    for (const revision of revisions) if (revision !== undefined) this.decide(revision, families, parentOf);
    for (const family of families) this.imposed.add(family);
    return members.map((m, i) => {
      const revision = revisions[i];
      if (revision === undefined) return m.rows as Row[];
      this.heldIn.set(m.definition.name, new Set(families));
      return this.apply(revision, families);
    });
  }

  private revisionOf(
    definition: MetricDefinition,
    raw: readonly Row[],
    previous: MetricDocument | undefined,
    parentOf: (row: Row) => readonly string[],
  ): Revision | undefined {
    if (definition.rules.counts.length === 0) return undefined;
    const areaRows = new Map<string, Row>();
    for (const row of raw) if (AREA_LEVELS.has(String(row.level))) areaRows.set(rowIdOf(definition, row), row);
    // England's rows alone (the contacts distribution revised for England's medians): nothing of the areas here.
    if (areaRows.size === 0) return undefined;
    const of = columnsOf(definition);
    const publishedBefore = new Set<string>();
    const periodsBefore = new Set<string>();
    for (const row of (previous?.rows ?? []) as unknown as Row[]) {
      periodsBefore.add(String(row.period));
      if (AREA_LEVELS.has(String(row.level))) publishedBefore.add(rowIdOf(definition, row));
    }
    const saved = this.state?.documents[definition.name];
    const first = this.published === undefined || previous === undefined;
    // A record of an earlier release than the one published (a crash between meta.json and the record) is still a
    // baseline: the figures it pins were published by it or before it.
    const recordOf = first ? undefined : saved;
    // A change of definition starts again the columns it declares (catalogue `changes`); unknown: none (R15-2).
    const restarted =
      recordOf === undefined
        ? new Set<string>()
        : (changedColumns(definition, recordOf.definition) ?? new Set<string>());
    const { now, newMonths, newMonthsContributions } = contributionsOf(
      definition,
      raw,
      of,
      periodsBefore,
      this.pcnIndex,
      parentOf,
    );
    return {
      definition,
      of,
      raw,
      areaRows,
      publishedBefore,
      periodsBefore,
      previousAsOf: previous?.data_as_of ?? null,
      now,
      recordOf,
      failClosed: !first && recordOf === undefined,
      withMonths: [...areaRows.values()].some((r) => r.period_type === 'month'),
      restarted,
      newMonths,
      newMonthsContributions,
    };
  }

  /** Adds to `families` those of a document held by their own change (all of them, failing closed), with regions. */
  private decide(revision: Revision, families: Set<string>, parentOf: (row: Row) => readonly string[]): void {
    if (revision.restarted === 'all') return;
    for (const [id, row] of revision.areaRows) {
      if (!revision.publishedBefore.has(id) || families.has(familyOf(row))) continue;
      const state = revision.recordOf?.rows[id];
      // Failing closed: every family published before is held, whatever its values now (R15-3).
      if (revision.failClosed || state === undefined) families.add(familyOf(row));
      // A row whose exact figures are those recorded shows nothing new (most rows: old periods): not tested further.
      else if (!sameRow(revision.definition, row, { ...state.e, level: row.level } as Row, revision.of.tested))
        if (!this.releasableRow(revision, id, row, state)) families.add(familyOf(row));
    }
    // A region holds with any of its ICBs' same family (else the region less its other ICBs gives the held ICB's).
    for (const family of [...families]) {
      const [level, code, year] = family.split('|') as [string, string, string];
      if (level === 'icb')
        for (const region of parentOf({ level: 'icb', code, period: year } as Row))
          families.add(`region|${region}|${year}`);
    }
  }

  /** Whether every tested figure of an area row published before may use its change since (`releasable`). */
  private releasableRow(revision: Revision, id: string, row: Row, state: AreaRowState): boolean {
    const { of } = revision;
    const cells = revision.now.get(id);
    // A year's figures less its new months' part (published in those months' rows, controlled there).
    const newMonths = row.period_type === 'fy' ? revision.newMonthsContributions.get(id) : undefined;
    for (const column of of.tested) {
      if (revision.restarted instanceof Set && revision.restarted.has(column)) continue;
      // A cohort not matured at the release before: no figure then, new now.
      if (this.matured(revision, row, column)) continue;
      // A year's distinct counts and means follow its months' (a late person is in an old month's cells, tested there).
      if (newMonths !== undefined || (row.period_type === 'fy' && revision.withMonths))
        if (!of.monthly.has(column)) continue;
      const current = new Map(cells?.get(column) ?? []);
      for (const [pcn, v] of newMonths?.get(column) ?? []) current.set(pcn, (current.get(pcn) ?? 0) - v);
      const then = this.thenOf(state, column);
      const changes: number[] = [];
      for (const pcn of new Set([...then.keys(), ...current.keys()])) {
        const change = (current.get(pcn) ?? 0) - (then.get(pcn) ?? 0);
        if (Math.abs(change) > TOLERANCE) changes.push(change);
      }
      if (changes.length === 0 && !state.x) continue;
      if (!releasable(changes, state.x ? 1 : 0, of.counts.has(column))) return false;
    }
    return true;
  }

  /** A month's cohort figure immature at the release before and matured now: a new figure. */
  private matured(revision: Revision, row: Row, column: string): boolean {
    return (
      immature(revision.definition, row, column, revision.previousAsOf) &&
      !immature(revision.definition, row, column, this.dataAsOf)
    );
  }

  /** A recorded row's contributions to a column by PCN index now (a PCN gone from the reference: a key of its own). */
  private thenOf(state: AreaRowState | undefined, column: string): Map<number, number> {
    const then = new Map<number, number>();
    const flat = state?.c[column] ?? [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const at = this.oldIndex.get(flat[i] as number) ?? -1;
      then.set(at === -1 ? -1 - (flat[i] as number) : at, flat[i + 1] as number);
    }
    return then;
  }

  /**
   * The document's rows for control: each area row of a held family published before takes its recorded exact figures
   * (a held year: plus its new months' counts), but for columns starting again, cohorts matured since and `sameAs`
   * counts whose source document does not hold the family (published as the source publishes them). Records them.
   */
  private apply(revision: Revision, families: ReadonlySet<string>): Row[] {
    const { definition } = revision;
    const sameAsFree = new Set<string>();
    const sources = (definition.sameAs ?? []).map((s) => ({
      held: this.heldIn.get(s.document),
      given: this.given.get(s.document),
      key: s.key,
      columns: s.columns,
    }));
    const given = new Map<string, Row>();
    const rows: Record<string, AreaRowState> = {};
    const heldRows: string[] = [];
    const pinned = revision.raw.map((row) => {
      if (!AREA_LEVELS.has(String(row.level))) return row;
      const id = rowIdOf(definition, row);
      const state = revision.recordOf?.rows[id];
      const family = familyOf(row);
      if (!families.has(family) || !revision.publishedBefore.has(id)) {
        rows[id] = this.recordNow(revision, id, row);
        return row;
      }
      sameAsFree.clear();
      for (const source of sources)
        if (!source.held?.has(family)) for (const column of Object.keys(source.columns)) sameAsFree.add(column);
      const keep = (column: string) =>
        (revision.restarted instanceof Set && revision.restarted.has(column)) ||
        this.matured(revision, row, column) ||
        sameAsFree.has(column);
      if (state === undefined) {
        // No record of its figures (failing closed): no figure this release (the columns kept excepted); the record
        // starts from its figures now.
        const copy: Row = { ...row };
        for (const column of Object.keys(row)) if (!identity(definition, column) && !keep(column)) copy[column] = null;
        rows[id] = this.recordNow(revision, id, row);
        heldRows.push(id);
        return copy;
      }
      const pinned = this.pinHeld(revision, row, id, state, keep);
      // A count published as another document publishes it (sameAs) whose family is held there too: the same exact
      // count as given to that document's control (a held year's new months included), else the two would differ.
      for (const source of sources) {
        if (!source.held?.has(family)) continue;
        const there = source.given?.get(keyOf(row, source.key));
        if (there === undefined) continue;
        for (const [column, sourceColumn] of Object.entries(source.columns))
          if (column in pinned.copy) pinned.copy[column] = there[sourceColumn] ?? null;
        pinned.record.e = exactOf(definition, pinned.copy);
      }
      const { copy, record } = pinned;
      rows[id] = record;
      if (!sameRow(definition, copy, row)) heldRows.push(id);
      return copy;
    });
    this.next[definition.name] = { definition: definition.version, rows };
    for (const row of pinned)
      if (AREA_LEVELS.has(String(row.level))) given.set(keyOf(row, ['level', 'code', 'period_type', 'period']), row);
    this.given.set(definition.name, given);
    this.adjustEngland(revision, pinned);
    if (heldRows.length > 0 || (revision.failClosed && families.size > 0))
      this.held.set(definition.name, {
        // Failing closed every family is held: no row is listed (which would have shown other values, R15-3).
        rows: revision.failClosed ? [] : [...new Set(heldRows.map(shortId))].sort(),
        fail_closed: revision.failClosed,
      });
    return pinned;
  }

  /**
   * England's rows as the control is given them: less the held regions' changes (counts), so that England adds up
   * with the regions it is controlled beside and no released cell's control reads a held change through England's
   * figure (R15-1). England publishes its own figures (restoreEngland, before England's revisions).
   */
  private adjustEngland(revision: Revision, pinned: Row[]): void {
    const { definition, of } = revision;
    const deltas = new Map<string, Map<string, number>>();
    for (const [i, row] of pinned.entries()) {
      const raw = revision.raw[i] as Row;
      if (row === raw || row.level !== 'region') continue;
      const englandId = rowIdOf(definition, { ...row, level: 'national', code: 'ENG' });
      const delta = deltas.get(englandId) ?? new Map<string, number>();
      for (const column of of.counts)
        if (isNumber(raw[column]) && isNumber(row[column]))
          delta.set(column, (delta.get(column) ?? 0) + (raw[column] as number) - (row[column] as number));
      deltas.set(englandId, delta);
    }
    if (deltas.size === 0) return;
    const truths = new Map<string, Row>();
    for (const [i, row] of pinned.entries()) {
      if (row.level !== 'national') continue;
      const id = rowIdOf(definition, { ...row, code: 'ENG' });
      const delta = deltas.get(id);
      if (delta === undefined || [...delta.values()].every((d) => Math.abs(d) <= TOLERANCE)) continue;
      const copy: Row = { ...row };
      for (const [column, d] of delta) if (isNumber(copy[column])) copy[column] = (copy[column] as number) - d;
      truths.set(rowIdOf(definition, row), row);
      pinned[i] = copy;
    }
    if (truths.size > 0) this.englandNow.set(definition.name, truths);
  }

  /**
   * England's own figures back into its rows after control (published and exact), where the control was given them
   * less the held regions' changes (adjustEngland): England's revisions (revisions.ts) then hold or publish them.
   */
  restoreEngland(definition: MetricDefinition, published: readonly Row[], exact: readonly Row[]): void {
    const truths = this.englandNow.get(definition.name);
    if (truths === undefined) return;
    const counts = definition.rules.counts;
    for (const rows of [published, exact])
      for (const row of rows) {
        if (row.level !== 'national') continue;
        const truth = truths.get(rowIdOf(definition, row));
        if (truth === undefined) continue;
        for (const column of counts) if (column in truth && isNumber(row[column])) row[column] = truth[column] ?? null;
      }
  }

  /**
   * A held area row as given to the control: its recorded exact figures (a held year: plus its new months' counts), but
   * the columns `keep` says are this release's; and its record (the contributions of the figures it is given).
   */
  private pinHeld(
    revision: Revision,
    row: Row,
    id: string,
    state: AreaRowState,
    keep: (column: string) => boolean,
  ): { copy: Row; record: { c: AreaRowState['c']; e: Record<string, unknown>; x?: true } } {
    const { definition, of } = revision;
    const copy: Row = { ...row };
    for (const [column, value] of Object.entries(state.e)) if (!keep(column)) copy[column] = value as Row[string];
    const c: Record<string, number[]> = {};
    const newMonths = row.period_type === 'fy' ? revision.newMonths.get(id) : undefined;
    const newContributions = row.period_type === 'fy' ? revision.newMonthsContributions.get(id) : undefined;
    for (const column of of.tested) {
      if (keep(column)) {
        c[column] = flatOf(revision.now.get(id)?.get(column));
        continue;
      }
      const then = this.thenOf(state, column);
      for (const [pcn, v] of newContributions?.get(column) ?? []) then.set(pcn, (then.get(pcn) ?? 0) + v);
      c[column] = flatOf(then);
    }
    // A held year beside months new since: its counts (and months) plus theirs (R15-9).
    for (const [column, value] of newMonths ?? [])
      if (!keep(column) && (isNumber(copy[column]) || copy[column] === null))
        copy[column] = ((copy[column] as number | null) ?? 0) + value;
    return { copy, record: { c, e: exactOf(definition, copy), ...(state.x ? { x: true as const } : {}) } };
  }

  /** The record of a row used with its figures now. */
  private recordNow(revision: Revision, id: string, row: Row): AreaRowState {
    const c: Record<string, number[]> = {};
    for (const column of revision.of.tested) c[column] = flatOf(revision.now.get(id)?.get(column));
    return { c, e: exactOf(revision.definition, row) };
  }

  /** The record of this release, serialised and gzipped. */
  async record(): Promise<Uint8Array> {
    const state: AreaState = {
      version: STATE_VERSION,
      release: this.generatedAt,
      pcns: this.pcnCodes,
      documents: this.next,
    };
    return gzipAsync(JSON.stringify(state));
  }

  /** Records this release: call after meta.json is written (the release's commit point), as revisions.ts. */
  async save(): Promise<void> {
    await this.store.put(AREA_REVISIONS_STATE_KEY, await this.record());
  }
}

/** A cell's key in a row (the columns `key` names), as shared-counts.ts makes it for `sameAs`. */
const keyOf = (row: Row, key: readonly string[]) => {
  let k = '';
  for (const column of key) k += `${row[column] === null || row[column] === undefined ? '' : String(row[column])}|`;
  return k;
};

/** `level|code|period` of a row id. */
const shortId = (id: string) => {
  const [level, code, , period] = id.split('|');
  return `${level}|${code}|${period}`;
};

/** A row's identity (its area, period and keys), never replaced by a held row's values. */
const identity = (definition: MetricDefinition, column: string) =>
  IDENTITY.has(column) || definition.keys.includes(column);

/** A row's exact figures (every column but its identity), for the record. */
function exactOf(definition: MetricDefinition, row: Row): Record<string, unknown> {
  const e: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) if (!identity(definition, column)) e[column] = value;
  return e;
}

/** Whether two exact rows have the same figures (of `columns`, else all). */
function sameRow(definition: MetricDefinition, a: Row, b: Row, columns?: readonly string[]): boolean {
  for (const column of columns ?? new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (identity(definition, column)) continue;
    const x = a[column] ?? null;
    const y = b[column] ?? null;
    if (x === y) continue;
    if (isNumber(x) && isNumber(y) && Math.abs(x - y) <= TOLERANCE * Math.max(1, Math.abs(x))) continue;
    if (typeof x === 'bigint' || typeof y === 'bigint') {
      if (Number(x) === Number(y)) continue;
    }
    return false;
  }
  return true;
}

/**
 * Each ICB and region row's PCN contributions now (a PCN's rows, by its ICBs then and their regions); and each year's
 * part from months not published before: its areas' counts (newMonths) and its PCNs' contributions.
 */
function contributionsOf(
  definition: MetricDefinition,
  raw: readonly Row[],
  of: Columns,
  periodsBefore: ReadonlySet<string>,
  pcnIndex: ReadonlyMap<string, number>,
  parentOf: (row: Row) => readonly string[],
): { now: Contributions; newMonths: Map<string, Map<string, number>>; newMonthsContributions: Contributions } {
  const now: Contributions = new Map();
  const newMonthsContributions: Contributions = new Map();
  const newMonths = new Map<string, Map<string, number>>();
  for (const row of raw) {
    const level = String(row.level);
    const newMonth = row.period_type === 'month' && !periodsBefore.has(String(row.period));
    if (AREA_LEVELS.has(level)) {
      if (!newMonth) continue;
      // A month new since: its counts are part of its year's figures as given to the control (a held year).
      const yearId = yearIdOf(definition, row);
      const sums = newMonths.get(yearId) ?? new Map<string, number>();
      for (const column of of.counts)
        if (isNumber(row[column])) sums.set(column, (sums.get(column) ?? 0) + (row[column] as number));
      if (isNumber(row.months)) sums.set('months', (sums.get('months') ?? 0) + (row.months as number));
      newMonths.set(yearId, sums);
      continue;
    }
    if (level !== 'pcn') continue;
    const pcn = pcnIndex.get(String(row.code));
    if (pcn === undefined) continue;
    const icbs = parentOf(row);
    const regions = new Set(icbs.flatMap((icb) => parentOf({ level: 'icb', code: icb, period: row.period } as Row)));
    const areas = [...icbs.map((code) => ['icb', code] as const), ...[...regions].map((c) => ['region', c] as const)];
    // The area rows' ids made once per PCN row, not per column (issue 17: the refresh's Node time).
    const ids = areas.map(([l, code]) => {
      const area = { ...row, level: l, code };
      return [rowIdOf(definition, area), newMonth ? yearIdOf(definition, area) : ''] as const;
    });
    for (const column of of.tested) {
      const value = of.contribution(row, column);
      if (Math.abs(value) <= TOLERANCE) continue;
      for (const [id, yearId] of ids) {
        addTo(now, id, column, pcn, value);
        if (newMonth) addTo(newMonthsContributions, yearId, column, pcn, value);
      }
    }
  }
  return { now, newMonths, newMonthsContributions };
}

const gzipAsync = promisify(gzip);

/** Contributions as the record keeps them: [PCN index, exact, ...], nonzero only, in PCN order. */
function flatOf(byPcn: ReadonlyMap<number, number> | undefined): number[] {
  if (byPcn === undefined) return [];
  const flat: number[] = [];
  for (const [pcn, v] of [...byPcn].sort((a, b) => a[0] - b[0]))
    if (pcn >= 0 && Math.abs(v) > TOLERANCE) flat.push(pcn, v);
  return flat;
}

async function readState(store: ObjectStore): Promise<AreaState | undefined> {
  const bytes = await store.get(AREA_REVISIONS_STATE_KEY);
  if (bytes === undefined) return undefined;
  try {
    const state = JSON.parse(gunzipSync(bytes).toString('utf8')) as AreaState;
    return state.version === STATE_VERSION ? state : undefined;
  } catch {
    console.warn(`${AREA_REVISIONS_STATE_KEY}: cannot be read; changed figures below England are held (fail closed)`);
    return undefined;
  }
}
