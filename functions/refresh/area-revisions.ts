import { gunzipSync } from 'node:zlib';
import type { MetricDocument } from '../contract/metrics.ts';
import { financialYearOf } from '../contract/periods.ts';
import type { AreaRevisionsHeld } from '../contract/summaries.ts';
import { REVISIONS_PREFIX } from '../lib/keys.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import type { Row } from '../lib/query-engine.ts';
import type { MetricDefinition } from './catalogue.ts';
import { keyPart } from './disclosure-audit.ts';
import { changedColumns, gzipRecord, releasable, unitsOf } from './revisions.ts';
import type { JointCount } from './shared-counts.ts';

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
/** 3: the PCNs' contributions kept once per PCN cell, not per area row (2 kept each twice, with names: 4x its size). */
const STATE_VERSION = 3;
const TOLERANCE = 1e-6;
const AREA_LEVELS = new Set(['icb', 'region']);
/** Identity columns of a row, never replaced by a held row's values. */
const IDENTITY = new Set(['level', 'code', 'name', 'parent', 'period', 'period_type']);

/**
 * A document's record: its area rows' exact figures (in `figures` order) and its PCNs' contributions (in `columns`
 * order) by PCN cell, each as at the release that published its family's values. A PCN cell is a PCN's row (its
 * index in `AreaState.pcns`, period type, period, keys); its contributions to its ICB's and region's figures are the
 * same, so they are kept once (R11-1 fix, (d): kept per area row, the record was 4 times this size).
 */
interface AreaDocumentState {
  readonly definition: string;
  readonly figures: readonly string[];
  readonly columns: readonly string[];
  readonly areas: Readonly<Record<string, readonly unknown[]>>;
  /** A cell whose contributions are all 0 is left out. */
  readonly pcns: Readonly<Record<string, readonly number[]>>;
  /**
   * The release (generated_at) whose figures a held area row's `areas` are, by row id: a row held for a second
   * release keeps the first's. Rows not listed are the record's release's. Absent in a record written before it.
   */
  readonly since?: Readonly<Record<string, string>>;
}
interface AreaState {
  readonly version: typeof STATE_VERSION;
  readonly release: string;
  readonly pcns: readonly string[];
  readonly documents: Readonly<Record<string, AreaDocumentState>>;
  /** The data-as-of date of the record's release and of each release a held row is as at (`since`). */
  readonly as_of?: Readonly<Record<string, string | null>>;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The row's id: level | code | period type | period | keys. */
function rowIdOf(definition: MetricDefinition, row: Row): string {
  let key = `${keyPart(row.level)}|${keyPart(row.code)}|${keyPart(row.period_type)}|${keyPart(row.period)}`;
  for (const k of definition.keys) key += `|${keyPart(row[k])}`;
  return key;
}
/** A PCN row's cell id: its PCN's index | period type | period | keys (suffixOf). */
const cellIdOf = (index: number, periodType: unknown, period: unknown, suffix: string) =>
  `${index}|${keyPart(periodType)}|${keyPart(period)}${suffix}`;
/** A PCN cell of the record as a row (its keys as text, as ids make them). */
function cellRow(definition: MetricDefinition, id: string, code: string): Row {
  const [, periodType, period, ...keys] = id.split('|');
  const row: Row = { level: 'pcn', code, period_type: periodType ?? null, period: period ?? null };
  for (const [i, k] of definition.keys.entries()) row[k] = keys[i] ?? '';
  return row;
}
/** The id of a month row's year row (same area and keys). */
const yearIdOf = (definition: MetricDefinition, row: Row) =>
  rowIdOf(definition, { ...row, period_type: 'fy', period: financialYearOf(String(row.period)) });
const yearOf = (row: Row) => (row.period_type === 'month' ? financialYearOf(String(row.period)) : String(row.period));

/**
 * The unit of a hold: a region's financial year (its months and the year), for the region and every ICB of it. An
 * ICB's family is its region's (a region less its other ICBs gives an ICB's, and a PCN's contributions to its ICB and
 * its region then share one baseline, kept once).
 */
type ParentOf = (row: Row) => readonly string[];
function regionsOf(row: Row, parentOf: ParentOf): readonly string[] {
  const level = String(row.level);
  if (level === 'region') return [String(row.code)];
  const icbs = level === 'icb' ? [String(row.code)] : parentOf(row);
  return [...new Set(icbs.flatMap((icb) => parentOf({ level: 'icb', code: icb, period: row.period } as Row)))];
}
/** Where a row is: its families, and for a PCN's row its ICBs and regions (level, code). */
interface Place {
  readonly areas: readonly (readonly [string, string])[];
  readonly families: readonly string[];
}
/** Places, each worked out once per area (or PCN) and period (the refresh's Node time: a national refresh's rows). */
function placesOf(parentOf: ParentOf): (row: Row) => Place {
  const cache = new Map<string, Place>();
  return (row) => {
    const key = `${keyPart(row.level)}|${keyPart(row.code)}|${keyPart(row.period)}`;
    let place = cache.get(key);
    if (place === undefined) {
      const regions = regionsOf(row, parentOf);
      const icbs = row.level === 'pcn' ? parentOf(row) : [];
      place = {
        areas: [...icbs.map((c) => ['icb', c] as const), ...regions.map((c) => ['region', c] as const)],
        families: regions.map((r) => `${r}|${yearOf(row)}`),
      };
      cache.set(key, place);
    }
    return place;
  };
}
/** A row's keys as ids end (`|` and each key's value). */
function suffixOf(definition: MetricDefinition, row: Row): string {
  let suffix = '';
  for (const k of definition.keys) suffix += `|${keyPart(row[k])}`;
  return suffix;
}

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
    // A window of the data-as-of date (recent connections): moves at every release by construction (R22-3).
    ...(definition.windowColumns ?? []),
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

/** A PCN cell's part in an area row: its PCN's index and its values (in its document's or record's column order). */
interface Part {
  readonly pcn: number;
  readonly values: readonly number[];
}
/** The PCN cells adding to each area row, by the area row's id, in the order the cells come. */
type Parts = Map<string, Part[]>;

function addPart(parts: Parts, id: string, pcn: number, values: readonly number[]): void {
  const list = parts.get(id);
  if (list === undefined) parts.set(id, [{ pcn, values }]);
  else list.push({ pcn, values });
}

/** One column (index `j` of the parts' values) by PCN: each PCN's values summed in the parts' order, 0s left out. */
function byPcn(parts: readonly Part[] | undefined, j: number | undefined): Map<number, number> {
  const sums = new Map<number, number>();
  if (parts === undefined || j === undefined) return sums;
  for (const { pcn, values } of parts) {
    const value = values[j] ?? 0;
    if (Math.abs(value) > TOLERANCE) sums.set(pcn, (sums.get(pcn) ?? 0) + value);
  }
  return sums;
}

/**
 * The contributions a document's area rows are tested on (releasableRow), made only once one of its rows is to be
 * tested (most rows of a release show nothing new: sameRow): its PCN cells' now, the new months' of each area year,
 * and the record's. Kept as parts (a cell's values, once per area row), each column summed by PCN when a row is tested
 * (issue 17: summed into maps by area row, column and PCN for every document, they were most of the step's time).
 */
interface RevisionParts {
  readonly now: Parts;
  readonly newMonths: Parts;
  readonly recorded: Parts;
  /** The record's columns by name (the `recorded` parts' values are in its order). */
  readonly recordedColumn: ReadonlyMap<string, number>;
}

/** A PCN row's contributions now (in the tested columns' order). */
interface PcnCell {
  readonly row: Row;
  readonly values: readonly number[];
}

/** A document's rows before control, with what the revision needs of them. */
interface Revision {
  readonly definition: MetricDefinition;
  readonly of: Columns;
  readonly raw: readonly Row[];
  /** Area rows by id (this release's exact ones). */
  readonly areaRows: ReadonlyMap<string, Row>;
  /** Each raw row's id, if it is an area row's (rowIdOf). */
  readonly ids: readonly (string | undefined)[];
  /**
   * The ids of the area rows the release before published: by this document, or, for a row with a count it shares
   * with documents controlled with it (jointCounts), by any of them (sharePublishedBefore).
   */
  readonly publishedBefore: Set<string>;
  /** Of those, the ids this document did not publish itself: published before by a partner alone. */
  readonly partnersOnly: Set<string>;
  /** The periods the release before published (any level): a month not among them is new. */
  readonly periodsBefore: ReadonlySet<string>;
  readonly previousAsOf: string | null;
  /** The PCN cells now, by cell id (this release's PCN indexes). */
  readonly cells: ReadonlyMap<string, PcnCell>;
  /** The record of the document (undefined: a first release of it, or failing closed). */
  readonly recordOf: AreaDocumentState | undefined;
  /** The tested columns but identity ones, each with its index in the record's figures (undefined: not recorded). */
  readonly testedFigures: readonly (readonly [string, number | undefined])[];
  readonly failClosed: boolean;
  /** The document has month rows: a year's figures other than its counts by month follow its months'. */
  readonly withMonths: boolean;
  /** Columns whose series starts again at this release (a declared change of definition): never held. */
  readonly restarted: ReadonlySet<string>;
  /** The new months' exact counts of each area year (a month row not published before), by year row id. */
  readonly newMonths: ReadonlyMap<string, Map<string, number>>;
  /** The same, as PCN contributions by PCN year cell id (tested columns' order). */
  readonly newMonthsCells: ReadonlyMap<string, number[]>;
  readonly place: (row: Row) => Place;
  /** Whether a month's cohort column matured since the release before, by column | month (matured). */
  readonly matured: Map<string, boolean>;
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
  /** Where rows are (placesOf), made with the first documents' parentOf. */
  private place: (row: Row) => Place = () => ({ areas: [], families: [] });
  private placed = false;
  /** Each document's contributions to test its rows on, once one is tested (partsOf). */
  private readonly parts = new WeakMap<Revision, RevisionParts>();
  /** The record's PCNs are this release's, in the same order: a recorded cell's id is its id now (pcnOfRecorded). */
  private readonly samePcns: boolean;

  private constructor(
    private readonly store: ObjectStore,
    private readonly generatedAt: string,
    private readonly pcnCodes: readonly string[],
    private readonly dataAsOf: string | null | undefined,
    /** The release published now (meta.json generated_at), undefined before the first. */
    private readonly published: string | undefined,
    private readonly state: AreaState | undefined,
    /** The record could not be read (not missing: unreadable): every family published before is held. */
    private readonly unreadable: boolean,
    /** Counts several documents publish (catalogue.ts jointCounts): a held row's cells of one count alike. */
    private readonly joint: readonly JointCount[],
  ) {
    this.pcnIndex = new Map(pcnCodes.map((code, i) => [code, i]));
    const recorded = state?.pcns;
    this.samePcns =
      recorded !== undefined &&
      recorded.length === pcnCodes.length &&
      recorded.every((code, i) => code === pcnCodes[i]);
  }

  static async open(inputs: {
    store: ObjectStore;
    generatedAt: string;
    pcnCodes: readonly string[];
    dataAsOf?: string | null;
    previousRelease: string | undefined;
    joint?: readonly JointCount[];
  }): Promise<AreaRevisions> {
    const read = inputs.previousRelease === undefined ? { state: undefined } : await readState(inputs.store);
    return new AreaRevisions(
      inputs.store,
      inputs.generatedAt,
      inputs.pcnCodes,
      inputs.dataAsOf,
      inputs.previousRelease,
      read.state,
      read.unreadable === true,
      inputs.joint ?? [],
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
    parentOf: ParentOf,
  ): Row[][] {
    if (!this.placed) {
      this.place = placesOf(parentOf);
      this.placed = true;
    }
    const revisions = members.map((m) => this.revisionOf(m.definition, m.rows, previousOf(m.definition.name)));
    sharePublishedBefore(revisions, this.joint);
    // Jointly controlled documents share counts: the union of their families, and those held before them.
    const families = new Set(this.imposed);
    for (const revision of revisions) if (revision !== undefined) this.decide(revision, families);
    for (const family of families) this.imposed.add(family);
    return members.map((m, i) => {
      const revision = revisions[i];
      if (revision === undefined) return m.rows as Row[];
      this.heldIn.set(m.definition.name, new Set(families));
      return this.apply(revision, families, revisions);
    });
  }

  private revisionOf(
    definition: MetricDefinition,
    raw: readonly Row[],
    previous: MetricDocument | undefined,
  ): Revision | undefined {
    if (definition.rules.counts.length === 0) return undefined;
    const areaRows = new Map<string, Row>();
    const ids: (string | undefined)[] = [];
    for (const row of raw) {
      const id = AREA_LEVELS.has(String(row.level)) ? rowIdOf(definition, row) : undefined;
      ids.push(id);
      if (id !== undefined) areaRows.set(id, row);
    }
    // England's rows alone (the contacts distribution revised for England's medians): nothing of the areas here.
    if (areaRows.size === 0) return undefined;
    const of = columnsOf(definition);
    const publishedBefore = new Set<string>();
    const periodsBefore = new Set<string>();
    for (const row of (previous?.rows ?? []) as unknown as Row[]) {
      periodsBefore.add(String(row.period));
      if (AREA_LEVELS.has(String(row.level))) publishedBefore.add(rowIdOf(definition, row));
    }
    const first = this.published === undefined || previous === undefined;
    // No record of the document (none yet: the first release since revisions below England began, or the document's
    // first in it) holds nothing: published as now, and recorded. A record of an earlier release than the one
    // published (a crash between meta.json and the record) is still a baseline: the figures it pins were published
    // by it or before it. An unreadable record fails closed.
    const recordOf = first || this.unreadable ? undefined : this.state?.documents[definition.name];
    // A change of definition starts again the columns it declares (catalogue `changes`); unknown: none (R15-2).
    const changed = recordOf === undefined ? undefined : changedColumns(definition, recordOf.definition);
    const restarted = changed === 'all' ? new Set(of.tested) : (changed ?? new Set<string>());
    const contributions = contributionsOf(definition, raw, of, periodsBefore, this.pcnIndex, this.place);
    return {
      definition,
      of,
      raw,
      areaRows,
      ids,
      publishedBefore,
      partnersOnly: new Set(),
      periodsBefore,
      previousAsOf: previous?.data_as_of ?? null,
      ...contributions,
      recordOf,
      testedFigures: testedFiguresOf(definition, of, recordOf),
      failClosed: !first && this.unreadable,
      withMonths: [...areaRows.values()].some((r) => r.period_type === 'month'),
      restarted,
      matured: new Map(),
    };
  }

  /** A recorded PCN cell's PCN index now (its id's first part is its index in the record's PCNs), if it is one now. */
  private pcnOfRecorded(id: string): number | undefined {
    const old = Number(id.slice(0, id.indexOf('|')));
    if (this.samePcns) return this.pcnCodes[old] === undefined ? undefined : old;
    const code = this.state?.pcns[old];
    return code === undefined ? undefined : this.pcnIndex.get(code);
  }

  /** The contributions a document's area rows are tested on, made on its first row tested (RevisionParts). */
  private partsOf(revision: Revision): RevisionParts {
    let parts = this.parts.get(revision);
    if (parts === undefined) {
      const { definition, recordOf } = revision;
      // Only the periods of rows whose figures are not those recorded are ever tested (decide): the parts of the
      // others' periods are not made (a row's parts are all of its period: its PCNs' rows, a year's new months).
      const periods = new Set<string>();
      for (const [id, row] of revision.areaRows) {
        const recorded = recordOf?.areas[id];
        if (recorded !== undefined && revision.publishedBefore.has(id))
          if (!sameAsRecorded(row, recorded, revision.testedFigures)) periods.add(keyPart(row.period));
      }
      parts = {
        ...partsNow(revision, this.pcnIndex, this.place, periods),
        recorded: recordOf === undefined ? new Map() : this.thenOf(definition, recordOf, periods),
        recordedColumn: new Map((recordOf?.columns ?? []).map((c, j) => [c, j])),
      };
      this.parts.set(revision, parts);
    }
    return parts;
  }

  /** The record's PCN contributions, to the areas each PCN is in now (as `now` is made). */
  private thenOf(definition: MetricDefinition, record: AreaDocumentState, periods: ReadonlySet<string>): Parts {
    const then: Parts = new Map();
    const codes = this.state?.pcns ?? [];
    for (const [id, values] of Object.entries(record.pcns)) {
      const pcn = this.pcnOfRecorded(id);
      if (pcn === undefined) continue;
      const row = cellRow(definition, id, codes[Number(id.slice(0, id.indexOf('|')))] ?? '');
      if (!periods.has(keyPart(row.period))) continue;
      for (const areaId of areaIdsOf(this.place(row), row, suffixOf(definition, row)))
        addPart(then, areaId, pcn, values);
    }
    return then;
  }

  /** Adds to `families` those of a document held by their own change (all of them, failing closed). */
  private decide(revision: Revision, families: Set<string>): void {
    if (revision.recordOf === undefined && !revision.failClosed) return;
    for (const [id, row] of revision.areaRows) {
      if (!revision.publishedBefore.has(id)) continue;
      const own = this.place(row).families;
      if (own.every((f) => families.has(f))) continue;
      const recorded = revision.recordOf?.areas[id];
      // A row this document has no figure of, published before by a partner alone (its count's: sharePublishedBefore):
      // the partner tests the count's change on its record (a partner publishing it has one, or holds it: R15-3), and
      // this document published none of the row's other figures. Held or not as the partners decide (rev31).
      if (recorded === undefined && revision.partnersOnly.has(id)) continue;
      // Failing closed, or a row published but not recorded (a record of the release before it): held (R15-3).
      if (recorded === undefined) for (const f of own) families.add(f);
      // A row whose exact figures are those recorded shows nothing new (most rows: old periods): not tested further.
      else if (!sameAsRecorded(row, recorded, revision.testedFigures))
        if (!this.releasableRow(revision, id, row)) for (const f of own) families.add(f);
    }
  }

  /** Whether every tested figure of an area row published before may use its change since (`releasable`). */
  private releasableRow(revision: Revision, id: string, row: Row): boolean {
    const { of } = revision;
    const parts = this.partsOf(revision);
    const cells = parts.now.get(id);
    const recorded = parts.recorded.get(id);
    // A year's figures less its new months' part (published in those months' rows, controlled there).
    const newMonths = row.period_type === 'fy' ? parts.newMonths.get(id) : undefined;
    for (const [j, column] of of.tested.entries()) {
      if (revision.restarted.has(column)) continue;
      // A cohort not matured at the release before: no figure then, new now. A year's cohort grows by each month
      // matured since (its change then is that month's cohort, tested on the month's row; R22-3).
      if (this.matured(revision, row, column) || this.maturedInYear(revision, row, column)) continue;
      // A year's distinct counts and means follow its months' (a late person is in an old month's cells, tested there).
      if (newMonths !== undefined || (row.period_type === 'fy' && revision.withMonths))
        if (!of.monthly.has(column)) continue;
      const current = byPcn(cells, j);
      for (const [pcn, v] of byPcn(newMonths, j)) current.set(pcn, (current.get(pcn) ?? 0) - v);
      const then = byPcn(recorded, parts.recordedColumn.get(column));
      const changes: number[] = [];
      for (const pcn of new Set([...then.keys(), ...current.keys()])) {
        const change = (current.get(pcn) ?? 0) - (then.get(pcn) ?? 0);
        if (Math.abs(change) > TOLERANCE) changes.push(change);
      }
      if (changes.length === 0) continue;
      if (!releasable(changes, 0, of.counts.has(column))) return false;
    }
    return true;
  }

  /** A month's cohort figure immature at the release before and matured now: a new figure. */
  private matured(revision: Revision, row: Row, column: string): boolean {
    // Only a month's cohort column can be (immature): worked out once per column and month (asked for every held
    // PCN cell's columns, pcnRecord).
    if (row.period_type !== 'month' || revision.definition.cohortMonths?.[column] === undefined) return false;
    const key = `${column}|${String(row.period)}`;
    let matured = revision.matured.get(key);
    if (matured === undefined) {
      matured =
        immature(revision.definition, row, column, revision.previousAsOf) &&
        !immature(revision.definition, row, column, this.dataAsOf);
      revision.matured.set(key, matured);
    }
    return matured;
  }

  /**
   * A year's cohort column one of whose months had not matured at the release before and has now: the year's cohort
   * then gains that month's, by construction (R22-3). Only the test of a change reads it: a held year keeps its
   * recorded cohort, whose cut-off its summary states (a month's matured cohort is published on its month's row).
   */
  private maturedInYear(revision: Revision, row: Row, column: string): boolean {
    if (row.period_type !== 'fy' || revision.definition.cohortMonths?.[column] === undefined) return false;
    const start = Number(String(row.period).slice(0, 4));
    if (!Number.isInteger(start)) return false;
    for (let k = 0; k < 12; k++) {
      const month = { ...row, period_type: 'month', period: addMonths(`${start}-04`, k) };
      if (this.matured(revision, month, column)) return true;
    }
    return false;
  }

  /** The documents a document publishes counts as (sameAs), with their holds and rows given so far. */
  private sourcesOf(definition: MetricDefinition) {
    return (definition.sameAs ?? []).map((s) => ({
      held: this.heldIn.get(s.document),
      given: this.given.get(s.document),
      key: s.key,
      columns: s.columns,
    }));
  }

  /**
   * Of a held row of a document: the columns published as now (`keep`: starting again, cohorts matured since, `sameAs`
   * counts whose source document does not hold the family) and those that are another column's count (`anchors`).
   */
  private keepsOf(revision: Revision) {
    const { definition } = revision;
    const sources = this.sourcesOf(definition);
    return (row: Row, family: readonly string[]) => {
      const sameAsFree = new Set<string>();
      for (const source of sources)
        if (!family.some((f) => source.held?.has(f)))
          for (const column of Object.keys(source.columns)) sameAsFree.add(column);
      const anchors = this.jointAnchors(definition, row);
      const keep = (column: string) =>
        !anchors.has(column) &&
        (revision.restarted.has(column) || this.matured(revision, row, column) || sameAsFree.has(column));
      return { keep, anchors };
    };
  }

  /**
   * A held area row published before that the document has no record of: no figure this release (failing closed; the
   * columns kept excepted), and the record starts from its figures now. But a count it shares (jointCounts) that a
   * partner recorded: the count's one figure, as that partner gives it (sharedCounts), recorded so (held again, it
   * shows the same; recorded as now, the next release pinned it to this release's figure beside the partner's held
   * one and stopped at the joint check), its other figures none, as before.
   */
  private unrecordedRow(
    revision: Revision,
    row: Row,
    { keep, anchors }: { keep: (column: string) => boolean; anchors: ReadonlyMap<string, string> },
    group: readonly (Revision | undefined)[],
  ): { copy: Row; recorded: Row; since: string | undefined } {
    const copy: Row = { ...row };
    for (const column of Object.keys(row))
      if (!identity(revision.definition, column) && !keep(column)) copy[column] = null;
    const shared = this.sharedCounts(revision, row, group);
    if (shared === undefined) return { copy, recorded: row, since: undefined };
    for (const [column, value] of shared.figures) copy[column] = value;
    for (const [column, anchor] of anchors) if (column in copy) copy[column] = copy[anchor] ?? null;
    return { copy, recorded: copy, since: shared.since };
  }

  /**
   * A held area row a document has no record of, of a count it shares with documents controlled with it (jointCounts):
   * the count's figure as the first of them with a record of the row gives it to the control (its recorded exact
   * figure, a held year plus its new months: pinHeld), and the release it is as at; undefined where none has one.
   * Each document keeps its own record, so a count several publish is recorded in each; where one has no figure of a
   * row another published before (rollout counts an area's month from its offers declined alone, the documents made
   * from the episodes have no such row), the held count is read from the other's (rev31: before, the row took no
   * figure beside the partner's, and the refresh stopped at the joint check, publishing nothing).
   * The narrow fix, chosen over one record per joint count (review 32: a count's area figures and PCN contributions
   * kept once, read by each document), which would remove this and sharePublishedBefore but changes the record's
   * format: a record of another version reads as none, so the release after deploying would hold nothing below
   * England, unless version 3 records were read too; and each document's own change test reads its PCN contributions
   * by column from its own record. Here every record stays as it was but for the rows this step fills.
   */
  private sharedCounts(
    revision: Revision,
    row: Row,
    group: readonly (Revision | undefined)[],
  ): { figures: Map<string, Row[string]>; since: string | undefined } | undefined {
    const figures = new Map<string, Row[string]>();
    let since: string | undefined;
    if (revision.definition.keys.length > 0) return undefined;
    for (const count of this.joint) {
      const mine = count.cells.find((c) => c.document === revision.definition.name && c.rows === undefined);
      if (mine === undefined || !(mine.column in row)) continue;
      for (const partner of group) {
        if (partner === undefined || partner === revision || partner.definition.keys.length > 0) continue;
        const cell = count.cells.find((c) => c.document === partner.definition.name && c.rows === undefined);
        if (cell === undefined) continue;
        const id = rowIdOf(partner.definition, row);
        const now = partner.areaRows.get(id);
        const recorded = partner.recordOf?.areas[id];
        if (now === undefined || recorded === undefined || !partner.publishedBefore.has(id)) continue;
        const { keep } = this.keepsOf(partner)(now, this.place(now).families);
        figures.set(
          mine.column,
          this.pinHeld(partner, now, id, rowOf(partner.recordOf, recorded), keep)[cell.column] ?? null,
        );
        since = partner.recordOf?.since?.[id] ?? this.state?.release;
        break;
      }
    }
    return figures.size > 0 ? { figures, since } : undefined;
  }

  /** This document's columns that are a count another of its columns is on `row` (jointCounts): column -> that one. */
  private jointAnchors(definition: MetricDefinition, row: Row): Map<string, string> {
    const anchors = new Map<string, string>();
    for (const count of this.joint) {
      const mine = count.cells.filter((c) => c.document === definition.name);
      const anchor = mine.find((c) => c.rows === undefined);
      if (anchor === undefined) continue;
      for (const cell of mine) if (cell !== anchor && cell.rows?.(row)) anchors.set(cell.column, anchor.column);
    }
    return anchors;
  }

  /**
   * The document's rows for control: each area row of a held family published before takes its recorded exact figures
   * (a held year: plus its new months' counts), but for columns starting again, cohorts matured since and `sameAs`
   * counts whose source document does not hold the family (published as the source publishes them); a column that is
   * another's count on the row (jointCounts: cof_person's matured cohorts, its episodes) takes that one's. Records them.
   */
  private apply(revision: Revision, families: ReadonlySet<string>, group: readonly (Revision | undefined)[]): Row[] {
    const { definition } = revision;
    const sources = this.sourcesOf(definition);
    const keeps = this.keepsOf(revision);
    const isHeld = (fs: readonly string[]) => fs.some((f) => families.has(f));
    const given = new Map<string, Row>();
    const areas: Record<string, unknown[]> = {};
    const figures = figuresOf(definition, revision.raw, revision.recordOf);
    const heldRows: string[] = [];
    // The release whose figures each held row shows (the record's, or the one its record says it is as at).
    const since: Record<string, string> = {};
    const pinned = revision.raw.map((row, i) => {
      const id = revision.ids[i];
      if (id === undefined) return row;
      const family = this.place(row).families;
      if (!isHeld(family) || !revision.publishedBefore.has(id)) {
        areas[id] = exactOf(figures, row);
        return row;
      }
      const kept = keeps(row, family);
      const { keep, anchors } = kept;
      const recorded = revision.recordOf?.areas[id];
      if (recorded === undefined) {
        heldRows.push(id);
        const unrecorded = this.unrecordedRow(revision, row, kept, group);
        areas[id] = exactOf(figures, unrecorded.recorded);
        if (unrecorded.since !== undefined) since[id] = unrecorded.since;
        return unrecorded.copy;
      }
      const copy = this.pinHeld(revision, row, id, rowOf(revision.recordOf, recorded), keep);
      // A count published as another document publishes it (sameAs) whose family is held there too: the same exact
      // count as given to that document's control (a held year's new months included), else the two would differ.
      for (const source of sources) {
        if (!family.some((f) => source.held?.has(f))) continue;
        const there = source.given?.get(keyOf(row, source.key));
        if (there === undefined) continue;
        for (const [column, sourceColumn] of Object.entries(source.columns))
          if (column in copy) copy[column] = there[sourceColumn] ?? null;
      }
      for (const [column, anchor] of anchors) if (column in copy) copy[column] = copy[anchor] ?? null;
      areas[id] = exactOf(figures, copy);
      if (!sameRow(definition, copy, row)) {
        heldRows.push(id);
        const from = revision.recordOf?.since?.[id] ?? this.state?.release;
        if (from !== undefined) since[id] = from;
      }
      return copy;
    });
    this.next[definition.name] = {
      definition: definition.version,
      figures,
      columns: revision.of.tested,
      areas,
      pcns: this.pcnRecord(revision, isHeld, keeps, families.size > 0),
      ...(Object.keys(since).length > 0 ? { since } : {}),
    };
    for (const row of pinned)
      if (AREA_LEVELS.has(String(row.level))) given.set(keyOf(row, ['level', 'code', 'period_type', 'period']), row);
    this.given.set(definition.name, given);
    this.adjustEngland(revision, pinned);
    if (heldRows.length > 0 || (revision.failClosed && families.size > 0))
      this.held.set(definition.name, {
        // Failing closed every family is held: no row is listed (which would have shown other values, R15-3).
        rows: revision.failClosed ? [] : [...new Set(heldRows.map(shortId))].sort(),
        fail_closed: revision.failClosed,
        ...(Object.keys(since).length > 0 ? { as_at: this.asAtOf(since, revision.previousAsOf) } : {}),
      });
    return pinned;
  }

  /**
   * The record of the document's PCN cells: a cell of a held family's period published before keeps its record (a held
   * year: plus its new months' contributions), but the columns kept at this release's; every other cell its
   * contributions now. `anyHeld`: whether any family is held in the document (else no cell is held).
   */
  private pcnRecord(
    revision: Revision,
    isHeld: (families: readonly string[]) => boolean,
    keeps: (
      row: Row,
      families: readonly string[],
    ) => {
      keep: (column: string) => boolean;
      anchors: ReadonlyMap<string, string>;
    },
    anyHeld: boolean,
  ): Record<string, number[]> {
    const { definition, of, recordOf } = revision;
    const pcns: Record<string, number[]> = {};
    // A cell's families are looked up only where any is held (most documents of most releases hold none).
    const pinnedCell = (row: Row) =>
      anyHeld && isHeld(revision.place(row).families) && revision.periodsBefore.has(String(row.period));
    for (const [id, cell] of revision.cells)
      if (!pinnedCell(cell.row) && cell.values.some(nonzero)) pcns[id] = cell.values as number[];
    // Nothing held: no cell is pinned.
    if (recordOf === undefined || !anyHeld) return pcns;
    // The held cells: those recorded, those now (recorded 0), and the years with new months.
    const recorded = new Map<string, readonly number[]>();
    for (const [id, values] of Object.entries(recordOf.pcns)) {
      const pcn = this.pcnOfRecorded(id);
      if (pcn !== undefined) recorded.set(`${pcn}${id.slice(id.indexOf('|'))}`, values);
    }
    const recordedColumn = new Map(recordOf.columns.map((c, j) => [c, j]));
    for (const id of new Set([...recorded.keys(), ...revision.cells.keys(), ...revision.newMonthsCells.keys()])) {
      const pcn = Number(id.slice(0, id.indexOf('|')));
      const now = revision.cells.get(id);
      const row = now?.row ?? cellRow(definition, id, this.pcnCodes[pcn] ?? '');
      if (!pinnedCell(row)) continue;
      const { keep, anchors } = keeps(row, revision.place(row).families);
      const then = recorded.get(id);
      const added = revision.newMonthsCells.get(id);
      const values = of.tested.map((column, j) => {
        if (keep(column)) return now?.values[j] ?? 0;
        const at = recordedColumn.get(column);
        return (at === undefined ? 0 : (then?.[at] ?? 0)) + (added?.[j] ?? 0);
      });
      for (const [column, anchor] of anchors) {
        const j = of.tested.indexOf(column);
        const a = of.tested.indexOf(anchor);
        if (j >= 0 && a >= 0) values[j] = values[a] as number;
      }
      if (values.some(nonzero)) pcns[id] = values;
    }
    return pcns;
  }

  /**
   * England's rows as the control is given them: less the held regions' changes (counts), so that England adds up
   * with the regions it is controlled beside and no released cell's control reads a held change through England's
   * figure (R15-1). England publishes its own figures (restoreEngland), held or released by England's own rule
   * (revisions.ts): a reader who knows the held changes (the PCN that made them) has then exactly the equations the
   * control was given; one who does not, fewer (docs/methodology.md, "Revisions of figures below England").
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
   * the columns `keep` says are this release's.
   */
  private pinHeld(revision: Revision, row: Row, id: string, recorded: Row, keep: (column: string) => boolean): Row {
    const { definition } = revision;
    const copy: Row = { ...row };
    for (const [column, value] of Object.entries(recorded))
      if (!identity(definition, column) && !keep(column)) copy[column] = value;
    const newMonths = row.period_type === 'fy' ? revision.newMonths.get(id) : undefined;
    // A held year beside months new since: its counts (and months) plus theirs (R15-9).
    for (const [column, value] of newMonths ?? [])
      if (!keep(column) && (isNumber(copy[column]) || copy[column] === null))
        copy[column] = ((copy[column] as number | null) ?? 0) + value;
    return copy;
  }

  /** A release's data-as-of date: as the record says, else (a record before it) the release published now's. */
  private dataAsOfOf(release: string, publishedAsOf: string | null): string | null {
    const recorded = this.state?.as_of?.[release];
    if (recorded !== undefined) return recorded;
    return release === this.published && release === this.state?.release ? publishedAsOf : null;
  }

  /**
   * The release each held row (`level|code|period`) is as at, with its data-as-of date: of its rows (its keys), the
   * earliest release. `publishedAsOf`: the data-as-of date of the document published now.
   */
  private asAtOf(
    since: Readonly<Record<string, string>>,
    publishedAsOf: string | null,
  ): NonNullable<AreaRevisionsHeld['as_at']> {
    const earliest = new Map<string, string>();
    for (const [id, release] of Object.entries(since)) {
      const short = shortId(id);
      const before = earliest.get(short);
      if (before === undefined || release < before) earliest.set(short, release);
    }
    return Object.fromEntries(
      [...earliest]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([short, release]) => [short, { release, data_as_of: this.dataAsOfOf(release, publishedAsOf) }]),
    );
  }

  /** The record of this release, serialised and gzipped. */
  async record(): Promise<Uint8Array> {
    // The data-as-of dates of this release and of the releases held rows are as at.
    const asOf: Record<string, string | null> = { [this.generatedAt]: this.dataAsOf ?? null };
    for (const held of this.held.values())
      for (const { release, data_as_of } of Object.values(held.as_at ?? {}))
        if (!(release in asOf)) asOf[release] = data_as_of;
    for (const document of Object.values(this.next))
      for (const release of Object.values(document.since ?? {}))
        if (!(release in asOf)) asOf[release] = this.state?.as_of?.[release] ?? null;
    const state: AreaState = {
      version: STATE_VERSION,
      release: this.generatedAt,
      pcns: this.pcnCodes,
      documents: this.next,
      as_of: asOf,
    };
    return gzipRecord(JSON.stringify(state));
  }

  /** The record of this release, once made (prepareRecord), to be stored by save. */
  private recorded: Promise<Uint8Array> | undefined;

  /**
   * Starts making the record of this release (serialised here, gzipped in zlib's thread pool while the documents and
   * packs are written: issue 17, as revisions.ts), for save to store. Call once every document is pinned: nothing
   * recorded changes after. Without it, save makes it.
   */
  prepareRecord(): void {
    this.recorded ??= this.record();
    // A failure is thrown by save, where it is awaited, not as an unhandled rejection meanwhile.
    this.recorded.catch(() => undefined);
  }

  /** Records this release: call after meta.json is written (the release's commit point), as revisions.ts. */
  async save(): Promise<void> {
    await this.store.put(AREA_REVISIONS_STATE_KEY, await (this.recorded ?? this.record()));
  }
}

const nonzero = (v: number) => Math.abs(v) > TOLERANCE;

/** `level|code|period_type|period` of a row id (its area and period, without the document's keys). */
const areaPeriodOf = (id: string) => id.split('|', 4).join('|');

/**
 * Documents controlled together that publish one count (jointCounts: rollout's referrals, referral_sources' referrals,
 * cof_person's episodes) hold an area row alike: a row the release before published in any of them is, for the hold,
 * published before in each (its own row's record pinned, as theirs). Otherwise a document whose row the audit left out
 * at the release before (rollout's current year below England, withheld) published the count's new figure while
 * another held it at its figure then: two figures for one count, a held change shown beside its hold, and the refresh
 * stopped at the joint check (shared-counts.ts checkJointCells; joint30, a late PCN month then the next month's files).
 */
function sharePublishedBefore(revisions: readonly (Revision | undefined)[], joint: readonly JointCount[]): void {
  for (const count of joint) {
    const names = new Set(count.cells.map((c) => c.document));
    const sharing = revisions.filter((r): r is Revision => r !== undefined && names.has(r.definition.name));
    if (sharing.length < 2) continue;
    const published = new Set<string>();
    for (const revision of sharing) for (const id of revision.publishedBefore) published.add(areaPeriodOf(id));
    for (const revision of sharing)
      for (const id of revision.areaRows.keys())
        if (!revision.publishedBefore.has(id) && published.has(areaPeriodOf(id))) {
          revision.publishedBefore.add(id);
          revision.partnersOnly.add(id);
        }
  }
}

/** The ids of a PCN row's ICB and region rows (its period `period_type`/`period`). */
function areaIdsOf(
  place: Place,
  row: Row,
  suffix: string,
  periodType = row.period_type,
  period = row.period,
): string[] {
  return place.areas.map(([level, code]) => `${level}|${code}|${keyPart(periodType)}|${keyPart(period)}${suffix}`);
}

/** The figures a document's record keeps of each area row (every column but its identity), in one order. */
function figuresOf(definition: MetricDefinition, raw: readonly Row[], record: AreaDocumentState | undefined): string[] {
  const first = raw.find((r) => AREA_LEVELS.has(String(r.level)));
  const columns = Object.keys(first ?? {}).filter((c) => !identity(definition, c));
  return columns.length > 0 ? columns : [...(record?.figures ?? [])];
}
/** A row's exact figures, for the record (in `figures` order). */
const exactOf = (figures: readonly string[], row: Row): unknown[] => figures.map((c) => row[c] ?? null);
/** A recorded area row's figures as a row. */
function rowOf(record: AreaDocumentState | undefined, values: readonly unknown[]): Row {
  const row: Row = {};
  for (const [j, column] of (record?.figures ?? []).entries()) row[column] = (values[j] ?? null) as Row[string];
  return row;
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

/** Whether two exact figures are the same (numbers within TOLERANCE of the first). */
function sameValue(a: unknown, b: unknown): boolean {
  const x = a ?? null;
  const y = b ?? null;
  if (x === y) return true;
  if (isNumber(x) && isNumber(y) && Math.abs(x - y) <= TOLERANCE * Math.max(1, Math.abs(x))) return true;
  if (typeof x === 'bigint' || typeof y === 'bigint') return Number(x) === Number(y);
  return false;
}

/** Whether two exact rows have the same figures (of `columns`, else all). */
function sameRow(definition: MetricDefinition, a: Row, b: Row, columns?: readonly string[]): boolean {
  for (const column of columns ?? new Set([...Object.keys(a), ...Object.keys(b)]))
    if (!identity(definition, column) && !sameValue(a[column], b[column])) return false;
  return true;
}

/** A document's tested columns but identity ones, each with its index in the record's figures (testedFigures). */
function testedFiguresOf(
  definition: MetricDefinition,
  of: Columns,
  record: AreaDocumentState | undefined,
): [string, number | undefined][] {
  // As rowOf makes a recorded row: a column named twice takes its last figure.
  const at = new Map((record?.figures ?? []).map((column, j) => [column, j]));
  return of.tested.filter((column) => !identity(definition, column)).map((column) => [column, at.get(column)]);
}

/** Whether an area row's tested figures are those recorded (`recorded`: its record, in the record's figures order). */
function sameAsRecorded(row: Row, recorded: readonly unknown[], tested: Revision['testedFigures']): boolean {
  for (const [column, j] of tested)
    if (!sameValue(row[column], j === undefined ? null : (recorded[j] ?? null))) return false;
  return true;
}

/**
 * Each PCN row's contributions now (a cell of the record), and each year's part from months not published before: its
 * areas' counts (newMonths) and its PCNs' contributions by PCN year cell.
 */
function contributionsOf(
  definition: MetricDefinition,
  raw: readonly Row[],
  of: Columns,
  periodsBefore: ReadonlySet<string>,
  pcnIndex: ReadonlyMap<string, number>,
  place: (row: Row) => Place,
): Pick<Revision, 'cells' | 'newMonths' | 'newMonthsCells' | 'place'> {
  const cells = new Map<string, PcnCell>();
  const newMonthsCells = new Map<string, number[]>();
  const newMonths = new Map<string, Map<string, number>>();
  for (const row of raw) {
    const level = String(row.level);
    const newMonth = row.period_type === 'month' && !periodsBefore.has(String(row.period));
    if (AREA_LEVELS.has(level)) {
      if (newMonth) addNewMonth(definition, of, row, newMonths);
      continue;
    }
    if (level !== 'pcn') continue;
    const pcn = pcnIndex.get(String(row.code));
    if (pcn === undefined) continue;
    const suffix = suffixOf(definition, row);
    const values = of.tested.map((column) => of.contribution(row, column));
    cells.set(cellIdOf(pcn, row.period_type, row.period, suffix), { row, values });
    if (newMonth) {
      const yearCell = cellIdOf(pcn, 'fy', financialYearOf(String(row.period)), suffix);
      const sum = newMonthsCells.get(yearCell) ?? of.tested.map(() => 0);
      for (const [j, v] of values.entries()) sum[j] = (sum[j] ?? 0) + v;
      newMonthsCells.set(yearCell, sum);
    }
  }
  return { cells, newMonths, newMonthsCells, place };
}

/**
 * Each ICB and region row's PCN cells now (a PCN's rows, by its ICBs then and their regions), and each year's from
 * months not published before, by area year, of the area rows of `periods`: a cell whose contributions are all 0 adds
 * nothing.
 */
function partsNow(
  revision: Revision,
  pcnIndex: ReadonlyMap<string, number>,
  place: (row: Row) => Place,
  periods: ReadonlySet<string>,
): Pick<RevisionParts, 'now' | 'newMonths'> {
  const { definition, of } = revision;
  const now: Parts = new Map();
  const newMonths: Parts = new Map();
  for (const row of revision.raw) {
    if (String(row.level) !== 'pcn') continue;
    const pcn = pcnIndex.get(String(row.code));
    if (pcn === undefined) continue;
    const period = String(row.period);
    const year =
      row.period_type === 'month' && !revision.periodsBefore.has(period) ? financialYearOf(period) : undefined;
    // As ids make them (keyPart).
    const ofPeriod = periods.has(keyPart(row.period));
    const ofYear = year !== undefined && periods.has(year);
    if (!ofPeriod && !ofYear) continue;
    const values = of.tested.map((column) => of.contribution(row, column));
    if (!values.some(nonzero)) continue;
    // The area rows' ids made once per PCN row, not per column (issue 17: the refresh's Node time).
    const where = place(row);
    const suffix = suffixOf(definition, row);
    if (ofPeriod) for (const id of areaIdsOf(where, row, suffix)) addPart(now, id, pcn, values);
    if (ofYear) for (const id of areaIdsOf(where, row, suffix, 'fy', year)) addPart(newMonths, id, pcn, values);
  }
  return { now, newMonths };
}

/** A month new since: its counts are part of its year's figures as given to the control (a held year). */
function addNewMonth(
  definition: MetricDefinition,
  of: Columns,
  row: Row,
  newMonths: Map<string, Map<string, number>>,
): void {
  const yearId = yearIdOf(definition, row);
  const sums = newMonths.get(yearId) ?? new Map<string, number>();
  for (const column of of.counts)
    if (isNumber(row[column])) sums.set(column, (sums.get(column) ?? 0) + (row[column] as number));
  if (isNumber(row.months)) sums.set('months', (sums.get('months') ?? 0) + (row.months as number));
  newMonths.set(yearId, sums);
}

/** The record: none (a first release below England), or unreadable (fail closed); another version reads as none. */
async function readState(store: ObjectStore): Promise<{ state: AreaState | undefined; unreadable?: true }> {
  const bytes = await store.get(AREA_REVISIONS_STATE_KEY);
  if (bytes === undefined) return { state: undefined };
  try {
    const state = JSON.parse(gunzipSync(bytes).toString('utf8')) as AreaState;
    if (state.version === STATE_VERSION) return { state };
    console.warn(`${AREA_REVISIONS_STATE_KEY}: a record of version ${state.version}; started again from this release`);
    return { state: undefined };
  } catch {
    console.warn(
      `${AREA_REVISIONS_STATE_KEY}: cannot be read; figures below England published before are held (fail closed)`,
    );
    return { state: undefined, unreadable: true };
  }
}
