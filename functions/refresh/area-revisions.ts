import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import type { MetricDocument } from '../contract/metrics.ts';
import { financialYearOf } from '../contract/periods.ts';
import { REVISIONS_PREFIX } from '../lib/keys.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import type { Row } from '../lib/query-engine.ts';
import type { MetricDefinition } from './catalogue.ts';
import { exactFiguresOf, releasable, unitsOf } from './revisions.ts';

/**
 * Revisions of the figures below England (ICBs and regions; red-team review 11, R11-1; docs/methodology.md,
 * "Revisions of figures below England").
 *
 * Each release is controlled on its own, so an area's cell that turns from `*` to 10 (or 10 to 15) between two releases
 * says where its exact value is (8, 13): a PCN that sends one event of its own per release into an old month, and
 * knows its own count, reads the other PCNs' exact sum from the release where its ICB's cell moves. Held values are old
 * values, already public: holding never discloses; only new values can. So a new value of an area's figure published
 * before is published only when its change since is made as England's must be (revisions.ts, `releasable`: 3 or more
 * of the area's PCNs, none dominating, and for a count a net change larger than the number of PCNs making it).
 *
 * The unit of a hold is a family: one area (an ICB or a region), one financial year (its months and the year: they add
 * up) and one document (every key and column of it: a dimension's groups, a partition's parts and their total, a mean
 * and its people add up or follow each other within a row or across rows), and the documents publishing a sum of some
 * of its parts (`heldWith`, as England's). Where any cell of a family fails the rule, every row of the family that the
 * release before published and some PCN changed since keeps that release's values (the whole row: its figures and what
 * they cover), so that no held part stands beside released parts and totals it adds up with (a row no PCN changed shows
 * this release's control of the same figures: its old pattern of `*` beside this release's neighbours could leave one
 * of theirs alone). A region's family holds where any of its ICBs'
 * does (else the region less its other ICBs gives the held ICB's new value). PCN rows publish their new values: a
 * PCN's own cells are controlled within the release, and a held area row is an old value, not the sum of the new PCN
 * rows beside it (the document's summary lists the held rows, `revisions_held_below_england`, which a reader, and the
 * disclosure scan, reads as no equation of this release).
 *
 * What is tested: the cells of rows the release before published (a new period or key is new: controlled as at a first
 * release). A month's cohort figure that had not matured at the release before (catalogue `cohortMonths`: 0 then, no
 * figure) and has now is new too: not tested, and published even in a held family. A year's counts of events by month
 * (`rules.monthly`: the year is its months' sum) are tested without the new months' part (published in the new
 * months' rows, controlled there); a year's other figures follow its months' (a late person in an old month changes
 * that month's cells). A document with no month rows has its years tested whole.
 *
 * The record (AREA_REVISIONS_STATE_KEY, private, gzipped, versioned: an unknown version fails closed) keeps, for each
 * area row published, each tested column's PCN contributions (PCN index, exact) as at the values published. A record
 * not of the release published now fails closed: every family whose published rows would show other values is held,
 * and its record starts from the contributions now with an unknown part (its later changes pass only with it). A
 * change of the document's definition (catalogue `version`) breaks the series: nothing is differenced, as at a first
 * release.
 */
export const AREA_REVISIONS_STATE_KEY = `${REVISIONS_PREFIX}areas-release.json.gz`;
const STATE_VERSION = 1;
const TOLERANCE = 1e-6;
const AREA_LEVELS = new Set(['icb', 'region']);

/** A row's record: column -> [PCN index, exact, PCN index, exact, ...] (nonzero contributions), `x`: an unknown part. */
interface AreaRowState {
  readonly c: Readonly<Record<string, readonly number[]>>;
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

/** A document's summary entry: the area rows holding the release before's values (`level|code|period`). */
export interface AreaRevisionsHeld {
  /** The figures (tested columns) of the rows held, whatever their values now. */
  readonly figures: number;
  readonly rows: readonly string[];
  readonly fail_closed: boolean;
}

const keyPart = (value: unknown) => (value === null || value === undefined ? '' : String(value));
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The row's id: level | code | period type | period | keys. */
function rowIdOf(definition: MetricDefinition, row: Row): string {
  let key = `${keyPart(row.level)}|${keyPart(row.code)}|${keyPart(row.period_type)}|${keyPart(row.period)}`;
  for (const k of definition.keys) key += `|${keyPart(row[k])}`;
  return key;
}

/** The family of an area row: level | code | financial year (a month's, or its own). */
const familyOf = (row: Row): string => {
  const period = String(row.period);
  return `${keyPart(row.level)}|${keyPart(row.code)}|${row.period_type === 'month' ? financialYearOf(period) : period}`;
};

/** Identity columns of a row, never replaced by a held row's values. */
const IDENTITY = new Set(['level', 'code', 'name', 'parent', 'period', 'period_type']);

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
  // Figures that follow their count (describing columns, England-only intervals, a group's England figures): held
  // with their row, not tested (PCNs reporting changes by exactly the PCNs that changed it).
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
  cells.set(
    column,
    (cells.get(column) ?? new Map<number, number>()).set(pcn, (cells.get(column)?.get(pcn) ?? 0) + value),
  );
}

/** The id under which an area's new months' part of a year is kept (newMonthsOf). */
const newMonthsId = (definition: MetricDefinition, level: string, code: string, row: Row) =>
  rowIdOf(definition, { ...row, level, code, period_type: 'fy#new', period: financialYearOf(String(row.period)) });

/**
 * Each ICB and region row's PCN contributions now (a PCN's rows, by its ICBs then and their regions), and each year's
 * part from months not published before (newMonthsId), for its counts by month.
 */
function contributionsNow(
  definition: MetricDefinition,
  exact: readonly Row[],
  of: Columns,
  pcnIndex: ReadonlyMap<string, number>,
  parentOf: (row: Row) => readonly string[],
  previousPeriods: ReadonlySet<string>,
): Contributions {
  const now: Contributions = new Map();
  for (const row of exact) {
    if (row.level !== 'pcn') continue;
    const pcn = pcnIndex.get(String(row.code));
    if (pcn === undefined) continue;
    const icbs = parentOf(row);
    const regions = new Set(icbs.flatMap((icb) => parentOf({ level: 'icb', code: icb, period: row.period } as Row)));
    const areas = [
      ...icbs.map((code) => ['icb', code] as const),
      ...[...regions].map((code) => ['region', code] as const),
    ];
    const figures = exactFiguresOf(row);
    const newMonth = row.period_type === 'month' && !previousPeriods.has(String(row.period));
    for (const column of of.tested) {
      const value = of.contribution(figures, column);
      if (Math.abs(value) <= TOLERANCE) continue;
      for (const [level, code] of areas) {
        addTo(now, rowIdOf(definition, { ...row, level, code }), column, pcn, value);
        if (newMonth && of.monthly.has(column))
          addTo(now, newMonthsId(definition, level, code, row), column, pcn, value);
      }
    }
  }
  return now;
}

/** What one document's revision found, kept to apply its holds (again, when a later document holds more of it). */
interface Revision {
  readonly definition: MetricDefinition;
  readonly areaRows: readonly Row[];
  readonly previousRows: ReadonlyMap<string, Row>;
  readonly previousAsOf: string | null;
  readonly now: Contributions;
  readonly recordOf: AreaDocumentState | undefined;
  readonly of: Columns;
  /** Rows held without a record of their contributions (failing closed). */
  readonly unknownRows: ReadonlySet<string>;
  readonly failClosed: boolean;
  readonly families: Set<string>;
  /** The document has month rows: its years' counts by month are tested without their new months. */
  readonly withMonths: boolean;
}

export class AreaRevisions {
  private readonly next: Record<string, AreaDocumentState> = {};
  private readonly held = new Map<string, AreaRevisionsHeld>();
  /** Families held in a document by another's (`heldWith`), by document. */
  private readonly imposed = new Map<string, Set<string>>();
  /** The revisions of documents another may hold families of (`heldWith`), kept to apply them (settle). */
  private readonly targets = new Map<string, Revision>();
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
    /** The documents another's partitions name in `heldWith`. */
    private readonly heldWith: ReadonlySet<string>,
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
    /** Every definition: the documents their partitions hold families in (`heldWith`). */
    definitions: readonly MetricDefinition[];
  }): Promise<AreaRevisions> {
    const state = inputs.previousRelease === undefined ? undefined : await readState(inputs.store);
    const heldWith = new Set(
      inputs.definitions.flatMap((d) => (d.rules.partitions ?? []).flatMap((p) => p.heldWith ?? [])),
    );
    return new AreaRevisions(
      inputs.store,
      inputs.generatedAt,
      inputs.pcnCodes,
      inputs.dataAsOf,
      inputs.previousRelease,
      state,
      heldWith,
    );
  }

  /** A document's summary entry, or undefined when it holds nothing. */
  summaryOf(name: string): { revisions_held_below_england: AreaRevisionsHeld } | undefined {
    const held = this.held.get(name);
    return held === undefined ? undefined : { revisions_held_below_england: held };
  }

  /**
   * Holds, in `published` (in place, before derived figures are made), every ICB and region row of a family whose
   * change may not be released yet, at the release before's values; records the rest. `exact`: the document's exact
   * rows (each PCN's contributions); `previous`: the document published now (its rows above the PCNs at least).
   */
  revise(
    definition: MetricDefinition,
    published: Row[],
    exact: readonly Row[],
    previous: MetricDocument | undefined,
    parentOf: (row: Row) => readonly string[],
  ): void {
    if (definition.rules.counts.length === 0) return;
    const areaRows = published.filter((r) => AREA_LEVELS.has(String(r.level)));
    // England's rows alone (the contacts distribution revised for England's medians): nothing of the areas here.
    if (areaRows.length === 0) return;
    const name = definition.name;
    const of = columnsOf(definition);
    const previousRows = new Map<string, Row>();
    const previousPeriods = new Set<string>();
    for (const row of (previous?.rows ?? []) as unknown as Row[]) {
      previousPeriods.add(String(row.period));
      if (AREA_LEVELS.has(String(row.level))) previousRows.set(rowIdOf(definition, row), row);
    }
    const saved = this.state?.documents[name];
    const recordOf = this.published !== undefined && this.state?.release === this.published ? saved : undefined;
    // A change of definition breaks the series: nothing differenced (as at a first release).
    const broken = saved !== undefined && saved.definition !== definition.version;
    const compare = this.published !== undefined && previous !== undefined && !broken;
    const revision: Revision = {
      definition,
      areaRows,
      previousRows,
      previousAsOf: previous?.data_as_of ?? null,
      now: contributionsNow(definition, exact, of, this.pcnIndex, parentOf, previousPeriods),
      recordOf,
      of,
      unknownRows: new Set(),
      failClosed: compare && recordOf === undefined,
      families: new Set(this.imposed.get(name) ?? []),
      withMonths: areaRows.some((r) => r.period_type === 'month'),
    };
    if (compare) this.decide(revision, parentOf);
    // Documents publishing a sum of some of its parts hold its families too (heldWith), now or at settle.
    for (const target of (definition.rules.partitions ?? []).flatMap((p) => p.heldWith ?? [])) {
      const imposed = this.imposed.get(target) ?? new Set<string>();
      for (const family of revision.families) imposed.add(family);
      this.imposed.set(target, imposed);
    }
    if (this.heldWith.has(name)) this.targets.set(name, revision);
    this.apply(revision);
  }

  /**
   * After every document is built: holds, in the documents built before, the families a later one found held there
   * (`heldWith`: the contacts distribution's in cof_person); returns their rows held now, to derive again.
   */
  settle(): Array<{ name: string; rows: Row[] }> {
    const settled: Array<{ name: string; rows: Row[] }> = [];
    for (const [name, revision] of this.targets) {
      const more = [...(this.imposed.get(name) ?? [])].filter((family) => !revision.families.has(family));
      if (more.length === 0) continue;
      for (const family of more) revision.families.add(family);
      settled.push({ name, rows: this.apply(revision) });
    }
    return settled;
  }

  /** The families of a revision held by their own changes (or failing closed), with their regions. */
  private decide(revision: Revision, parentOf: (row: Row) => readonly string[]): void {
    const { definition, families } = revision;
    for (const row of revision.areaRows) {
      const id = rowIdOf(definition, row);
      const before = revision.previousRows.get(id);
      // Not published before: new.
      if (before === undefined || families.has(familyOf(row))) continue;
      const state = revision.recordOf?.rows[id];
      if (state === undefined) {
        // No record of a row published (failing closed): held where it would show other values.
        if (Object.keys(row).some((c) => !identity(definition, c) && !sameShown(before[c], row[c]))) {
          families.add(familyOf(row));
          (revision.unknownRows as Set<string>).add(id);
        }
        continue;
      }
      if (!this.releasableRow(revision, row, before, state)) families.add(familyOf(row));
    }
    // A region holds with any of its ICBs' same family.
    for (const family of [...families]) {
      const [level, code, year] = family.split('|') as [string, string, string];
      if (level === 'icb')
        for (const region of parentOf({ level: 'icb', code, period: year } as Row))
          families.add(`region|${region}|${year}`);
    }
  }

  /** Whether every tested figure of an area row published before may show its change since (`releasable`). */
  private releasableRow(revision: Revision, row: Row, before: Row, state: AreaRowState): boolean {
    const { definition, of } = revision;
    const id = rowIdOf(definition, row);
    const cells = revision.now.get(id);
    // A year's counts by month are tested without its new months' part (where the document has months: published in
    // those months' rows, controlled there); its other figures follow its months'.
    const year = row.period_type === 'fy' && revision.withMonths;
    const newMonths = year
      ? revision.now.get(newMonthsId(definition, String(row.level), String(row.code), row))
      : undefined;
    for (const column of of.tested) {
      // A cohort not matured at the release before: no figure then, new now.
      if (immature(definition, row, column, revision.previousAsOf)) continue;
      if (year && !of.monthly.has(column)) continue;
      const current = new Map(cells?.get(column) ?? []);
      for (const [pcn, v] of newMonths?.get(column) ?? []) current.set(pcn, (current.get(pcn) ?? 0) - v);
      const then = this.thenOf(state, column);
      const changes: number[] = [];
      for (const pcn of new Set([...then.keys(), ...current.keys()])) {
        const change = (current.get(pcn) ?? 0) - (then.get(pcn) ?? 0);
        if (Math.abs(change) > TOLERANCE) changes.push(change);
      }
      if (changes.length === 0 && (!state.x || sameShown(before[column], row[column]))) continue;
      if (!releasable(changes, state.x ? 1 : 0, of.counts.has(column))) return false;
    }
    return true;
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

  /** Whether no PCN changed a row's figures (a cohort matured since left out) since the values the record has. */
  private unchanged(revision: Revision, row: Row, id: string, matured: (row: Row, column: string) => boolean): boolean {
    const state = revision.recordOf?.rows[id];
    if (state === undefined || state.x || revision.unknownRows.has(id)) return false;
    for (const column of revision.of.tested) {
      if (matured(row, column)) continue;
      const then = this.thenOf(state, column);
      const now = revision.now.get(id)?.get(column) ?? new Map<number, number>();
      for (const pcn of new Set([...then.keys(), ...now.keys()]))
        if (Math.abs((now.get(pcn) ?? 0) - (then.get(pcn) ?? 0)) > TOLERANCE) return false;
    }
    return true;
  }

  /**
   * Puts the release before's values into every area row of a held family that it published (a cohort matured since
   * excepted), records the document, and says so in its summary; returns the rows held.
   */
  private apply(revision: Revision): Row[] {
    const { definition, of } = revision;
    const matured = (row: Row, column: string) =>
      immature(definition, row, column, revision.previousAsOf) && !immature(definition, row, column, this.dataAsOf);
    const heldRows: Row[] = [];
    const heldIds = new Set<string>();
    for (const row of revision.areaRows) {
      if (!revision.families.has(familyOf(row))) continue;
      const id = rowIdOf(definition, row);
      const before = revision.previousRows.get(id);
      // A row whose figures no PCN changed since the values shown keeps this release's control (the same figures,
      // in the pattern of `*` this release's neighbours were controlled beside): its values shown are its values now.
      if (before === undefined || this.unchanged(revision, row, id, matured)) continue;
      heldIds.add(id);
      heldRows.push(row);
      for (const column of new Set([...Object.keys(row), ...Object.keys(before)]))
        if (!identity(definition, column) && !matured(row, column)) row[column] = before[column] ?? null;
    }
    // The record: a held row keeps the contributions of the values it shows (an unknown part where none are known);
    // a row published now, its contributions now.
    const rows: Record<string, AreaRowState> = {};
    for (const row of revision.areaRows) {
      const id = rowIdOf(definition, row);
      const state = revision.recordOf?.rows[id];
      const known = heldIds.has(id) && state !== undefined && !revision.unknownRows.has(id);
      const c: Record<string, readonly number[]> = {};
      for (const column of of.tested)
        c[column] = flatOf(
          known && !matured(row, column) ? this.thenOf(state, column) : revision.now.get(id)?.get(column),
        );
      rows[id] = heldIds.has(id) && (!known || state?.x) ? { c, x: true } : { c };
    }
    this.next[definition.name] = { definition: definition.version, rows };
    if (heldRows.length > 0)
      this.held.set(definition.name, {
        // Every figure of the rows held, whatever their values now: a count of those that would show otherwise, or
        // whose exact value changed, would say when a rounding boundary was crossed.
        figures: heldRows.length * of.tested.length,
        rows: [...new Set(heldRows.map((r) => `${r.level}|${r.code}|${r.period}`))].sort(),
        fail_closed: revision.failClosed,
      });
    else this.held.delete(definition.name);
    return heldRows;
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

/** A row's identity (its area, period and keys), never replaced by a held row's values. */
const identity = (definition: MetricDefinition, column: string) =>
  IDENTITY.has(column) || definition.keys.includes(column);

const gzipAsync = promisify(gzip);

/** Contributions as the record keeps them: [PCN index, exact, ...], nonzero only, in PCN order. */
function flatOf(byPcn: ReadonlyMap<number, number> | undefined): number[] {
  if (byPcn === undefined) return [];
  const flat: number[] = [];
  for (const [pcn, v] of [...byPcn].sort((a, b) => a[0] - b[0]))
    if (pcn >= 0 && Math.abs(v) > TOLERANCE) flat.push(pcn, v);
  return flat;
}

/** Two published cells show the same (`*`, a rounded count, a mean to its decimals, none). */
const sameShown = (a: unknown, b: unknown) =>
  (a ?? null) === (b ?? null) ||
  (isNumber(a) && isNumber(b) && Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(a)));

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
