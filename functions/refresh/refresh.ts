import type { MetaDocument, MetricDocument, MetricRow } from '../contract/index.ts';
import { FINANCIAL_YEAR_PATTERN, financialYearEnd } from '../contract/periods.ts';
import { META_KEY, metricKey } from '../lib/keys.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import type { QueryEngine, Row } from '../lib/query-engine.ts';
import { newReleaseId, pruneReleases, ReleaseStore, releaseOf } from '../lib/release.ts';
import { methodologyLink } from '../reports/pack-pdf.ts';
import { writePacks } from '../reports/packs.ts';
import { peopleInYearRows } from '../stats/people-pace.ts';
import { alertsDocument, type PlaceOf } from './alerts.ts';
import { alertsBase } from './alerts-base.ts';
import { AreaRevisions } from './area-revisions.ts';
import {
  CATALOGUE,
  DEFAULT_TARGETS,
  type DeriveContext,
  JOINT_COUNTS,
  jointCounts,
  type MetricDefinition,
  noteUnobservedCohorts,
  rowKey,
  type Targets,
  type UnobservedCohorts,
} from './catalogue.ts';
import {
  type CompactionPolicy,
  type CompactionResult,
  compactCurated,
  type ParquetMerger,
  recoverCompactions,
} from './compact.ts';
import {
  DATA_AS_OF_RULE,
  type DataAsOf,
  describeStopped,
  englandAsOf,
  PUBLISHED_THROUGH,
  publishCompleteMonths,
  stoppedExtracts,
} from './data-as-of.ts';
import { DISCLOSURE_NOTE, englandRowsHeld, MIN_COUNT, withheldBelowEngland } from './disclosure.ts';
import { areasWithin, linkPartitions } from './disclosure-audit.ts';
import { englandRowsOf, writeDocuments } from './document-json.ts';
import { controlPartitioned } from './partitions.ts';
import { listReceipts, publishReference, publishUploads } from './publish-tables.ts';
import { EnglandRevisions } from './revisions.ts';
import {
  auditCoveredShare,
  auditPcnGroups,
  belowEngland,
  type Controlled,
  checkJointCells,
  controlAgainByYear,
  groupsFromRows,
  imposedColumns,
  JointCellIds,
  type JointCount,
  jointFixedPoint,
  jointGroups,
  PCN_GROUP_SOURCES,
  publishSameAs,
  readJointCells,
  restoreEngland,
  type SharedContext,
} from './shared-counts.ts';
import { spcDocument } from './spc-documents.ts';
import { hasRows, parsedStored } from './stored-document.ts';

/**
 * The prepare steps, in order. Small results are kept as tables once per refresh (so costly steps such as ranking
 * corrections are not repeated per metric); events_in_force is a view, so no copy of every event is ever made and
 * each query reads only the columns it needs. (Kept as a table it cost more than it saved: 35-75 s to materialise
 * 2.4 million events on this machine, and 1.9 GB; issue 17.)
 */
export const PREPARE_STEPS: readonly { readonly name: string; readonly kind: 'table' | 'view' }[] = [
  // The uploads table as at the start, this refresh's own copy: every reader of the events, snapshots and uploads
  // reads these three (review 24, R24-1).
  { name: 'committed_uploads', kind: 'table' },
  { name: 'committed_events', kind: 'view' },
  { name: 'committed_workforce', kind: 'view' },
  // The rows the next three steps read (ids sent more than once or named by a retraction): one pass over the events.
  { name: 'candidates', kind: 'table' },
  { name: 'superseded', kind: 'table' },
  { name: 'retracted', kind: 'table' },
  { name: 'withdrawn', kind: 'table' },
  // The months each PCN sent; each PCN's reporting span (its months reported: from it its list counts, in
  // populations, pcn_comparison and equity, and its events; review 7, M5), then the last complete month
  // (data-as-of.ts, which counts the PCNs onboarded by the spans): no step after it reads a later month.
  { name: 'event_months', kind: 'table' },
  { name: 'onboarded', kind: 'table' },
  { name: PUBLISHED_THROUGH, kind: 'table' },
  { name: 'pcn_months', kind: 'table' },
  { name: 'pcn_deprivation', kind: 'table' },
  { name: 'rollups', kind: 'view' },
  { name: 'populations', kind: 'table' },
  { name: 'events_in_force', kind: 'view' },
  { name: 'moved_pcns', kind: 'table' },
  // The PCN-months with events in force that no figure reads: episodes and wellbeing_pairs leave out their rows.
  { name: 'unreported_months', kind: 'table' },
  { name: 'episodes', kind: 'table' },
  // People referred more than once in a PCN-year: rollout, workforce and equity read it (issue 17).
  { name: 'repeated_people', kind: 'table' },
  { name: 'wellbeing_pairs', kind: 'table' },
  { name: 'workforce_in_force', kind: 'table' },
  // Events and workforce snapshots dated when their PCN is not in force, by PCN and month: the refresh's log and
  // data_quality both read it (review 7, M10).
  { name: 'out_of_force', kind: 'table' },
  // Events dated before their PCN's reporting span (stray events), by PCN and month: the refresh's log and
  // data_quality both read it (review 7, M5).
  { name: 'outside_reporting', kind: 'table' },
];

export interface RefreshDeps {
  readonly store: ObjectStore;
  readonly engine: QueryEngine;
  readonly clock?: () => Date;
  /** @default DEFAULT_TARGETS */
  readonly targets?: Targets;
  /** For a demo covering part of England: the share it covers (shown beside scaled targets). */
  readonly coverage?: MetaDocument['coverage'];
  readonly onStep?: (step: string, milliseconds: number) => void;
  /** The dashboard's address (DASHBOARD_URL): each PDF pack links to its Methodology page. @default no link */
  readonly dashboardUrl?: string;
  /**
   * Compacts the curated Parquet before reading it (compact.ts). Without it the refresh still finishes or undoes a
   * compaction that stopped part-way, so that it never reads a row twice.
   */
  readonly compaction?: { readonly merger: ParquetMerger; readonly policy?: CompactionPolicy };
  /**
   * The time the invocation has left (the Lambda context's getRemainingTimeInMillis, R24-2) and the least the write
   * phase needs: before each step up to writing the documents, a refresh with less left than `writeReserveMs` stops
   * with a RefreshOutOfTimeError, having written nothing of its release, instead of being killed part-way.
   * @default no limit
   */
  readonly time?: { readonly remainingMs: () => number; readonly writeReserveMs: number };
  /**
   * Where the refresh's warnings after its commit point go (old releases it could not delete): the Lambda's structured
   * logger (Powertools), a message and its fields. @default console.warn
   */
  readonly log?: RefreshLog;
}

/** A structured logger's warn (Powertools' Logger is one): a message and fields, never an object's content. */
export interface RefreshLog {
  warn(message: string, fields: Record<string, unknown>): void;
}

const consoleLog: RefreshLog = {
  warn: (message, fields) => console.warn(`refresh: ${message} ${JSON.stringify(fields)}`),
};

/** A refresh stopped before its write phase for want of time (RefreshDeps.time): nothing of its release is published. */
export class RefreshOutOfTimeError extends Error {
  constructor(step: string, remainingMs: number, reserveMs: number) {
    super(
      `refresh stopped before "${step}": ${Math.round(remainingMs / 1000)} s left of the invocation, and the write phase is given ${Math.round(reserveMs / 1000)} s; the release published stays`,
    );
    this.name = 'RefreshOutOfTimeError';
  }
}

export interface RefreshResult {
  readonly documents: readonly string[];
  /** The release published (metrics/releases/<release>/, named by meta.json). */
  readonly release: string;
  /** Curated objects before and after this refresh's compaction, when it ran one. */
  readonly compaction?: CompactionResult;
  readonly dataAsOf: string | null;
  readonly timings_ms: Readonly<Record<string, number>>;
  /** Bytes the engine scanned per SQL file, where it bills by them (Athena: QueryEngine.scanned). */
  readonly scanned_bytes?: Readonly<Record<string, number>>;
}

interface GeographyRow {
  pcn_code: string;
  pcn_name: string;
  icb_code: string;
  icb_name: string;
  region_code: string;
  region_name: string;
  list_size: number;
  valid_from: string;
  valid_to: string | null;
}

interface OutOfForceRow {
  pcn_code: string;
  month: string;
  events: number | bigint;
  /** Workforce snapshot rows of the month (one a role); absent: none. */
  snapshot_rows?: number | bigint;
}

/**
 * The refresh log's lines for events and workforce snapshots dated when their PCN was not in force
 * (meta/out_of_force.sql), each PCN with its months and exact counts (PCN codes and counts of events or snapshot rows
 * are not personal), or undefined when there are none.
 */
export function describeOutOfForce(rows: readonly OutOfForceRow[]): string | undefined {
  const listOf = (count: (r: OutOfForceRow) => number, unit: string) => {
    const byPcn = new Map<string, string[]>();
    for (const r of rows)
      if (count(r) > 0) byPcn.set(r.pcn_code, [...(byPcn.get(r.pcn_code) ?? []), `${r.month} (${count(r)}${unit})`]);
    return [...byPcn].map(([pcn, months]) => `${pcn}: ${months.join(', ')}`).join('; ');
  };
  const events = listOf((r) => Number(r.events), '');
  const snapshots = listOf((r) => Number(r.snapshot_rows ?? 0), ' rows');
  const lines = [
    events &&
      `refresh: events dated in a month when their PCN is not in force in the reference data are left out of every figure, England included (data_quality lists them): ${events}. Correct the dates at the PCN, or stage a reference version that has the PCN in force then (\`reference FILE\`).`,
    snapshots &&
      `refresh: workforce snapshots of a month when their PCN is not in force in the reference data are left out of every figure, England included (data_quality lists them): ${snapshots}. Correct the snapshot month at the PCN, or stage a reference version that has the PCN in force then (\`reference FILE\`).`,
  ].filter((line) => line !== '');
  return lines.length === 0 ? undefined : lines.join('\n');
}

/**
 * The refresh log's line for events dated outside their PCN's reporting span (meta/outside_reporting.sql: stray events
 * before the months it reports), each PCN with its months and exact counts, or undefined when there are none.
 */
export function describeOutsideReporting(rows: readonly OutOfForceRow[]): string | undefined {
  if (rows.length === 0) return undefined;
  const byPcn = new Map<string, string[]>();
  for (const r of rows) byPcn.set(r.pcn_code, [...(byPcn.get(r.pcn_code) ?? []), `${r.month} (${Number(r.events)})`]);
  const list = [...byPcn].map(([pcn, months]) => `${pcn}: ${months.join(', ')}`).join('; ');
  return `refresh: events dated outside their PCN’s reporting span (stray or mis-dated events, dated more than 3 months before the months their PCN reports) are left out of every figure, England included (data_quality lists them): ${list}. Correct the dates at the PCN.`;
}

/** The first day of a financial year (2024/25 starts 2024-04-01); other periods: the earliest date. */
function periodStart(period: string): string {
  return /^\d{4}\/\d{2}$/.test(period) ? `${period.slice(0, 4)}-04-01` : '0000-01-01';
}

/** The last day of a period: a month (2024-05) or a financial year (2024/25 ends 2025-03-31). */
function periodEnd(period: string): string {
  if (FINANCIAL_YEAR_PATTERN.test(period)) return financialYearEnd(period);
  if (/^\d{4}-\d{2}$/.test(period)) return `${period}-31`;
  return '9999-12-31';
}

/**
 * Parent areas of a row's area in its period: PCN → ICB (as it was then), ICB → region, region → England. A month's
 * PCNs are those in force on its first day, as pcn_months counts them; a year's PCN is in every ICB it was in during
 * the year (a PCN that moved ICB is a part of both ICBs' totals for that year).
 */
export function parentFinder(geography: readonly GeographyRow[]) {
  const regionOfIcb = new Map(geography.map((g) => [g.icb_code, g.region_code]));
  const versions = new Map<string, GeographyRow[]>();
  for (const g of geography) versions.set(g.pcn_code, [...(versions.get(g.pcn_code) ?? []), g]);
  const icbsOf = (pcn: string, period: string): readonly string[] => {
    const month = /^\d{4}-\d{2}$/.test(period);
    const [start, end] = month ? [`${period}-01`, `${period}-01`] : [periodStart(period), periodEnd(period)];
    const inForce = (versions.get(pcn) ?? []).filter(
      (v) =>
        String(v.valid_from).slice(0, 10) <= end && (v.valid_to === null || String(v.valid_to).slice(0, 10) >= start),
    );
    return Object.freeze([...new Set(inForce.map((v) => v.icb_code))]);
  };
  // Worked out once per area (a PCN's per period) and shared, frozen: disclosure control asks for every row of every
  // document, a few thousand areas and periods over millions of rows (issue 17: these arrays and strings were a tenth
  // of the step's garbage).
  const none: readonly string[] = Object.freeze([]);
  const england: readonly string[] = Object.freeze(['ENG']);
  const regionsOf = new Map<string, readonly string[]>();
  const icbsByPeriod = new Map<string, Map<string, readonly string[]>>();
  return (row: Row): readonly string[] => {
    if (row.level === 'region') return england;
    const code = String(row.code);
    if (row.level === 'icb') {
      let regions = regionsOf.get(code);
      if (regions === undefined) {
        const region = regionOfIcb.get(code);
        regions = region === undefined ? none : Object.freeze([region]);
        regionsOf.set(code, regions);
      }
      return regions;
    }
    if (row.level !== 'pcn') return none;
    const period = String(row.period);
    let byPeriod = icbsByPeriod.get(code);
    if (byPeriod === undefined) {
      byPeriod = new Map();
      icbsByPeriod.set(code, byPeriod);
    }
    let icbs = byPeriod.get(period);
    if (icbs === undefined) {
      icbs = icbsOf(code, period);
      byPeriod.set(period, icbs);
    }
    return icbs;
  };
}

/** A published document's JSON parsed, or undefined if it cannot be (said, naming its key: stored-document.ts). */
const parsedDocument = (bytes: Uint8Array, key: string) => parsedStored<MetricDocument>(bytes, key, hasRows);

/** The meta.json published by the previous refresh: its generated_at names the release now published. */
async function previousMeta(store: ObjectStore): Promise<MetaDocument | undefined> {
  const bytes = await store.get(META_KEY);
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as MetaDocument;
  } catch {
    // A release exists but cannot be read: treated as one whose state does not match (revisions.ts holds).
    return { generated_at: 'unreadable' } as MetaDocument;
  }
}

/** The release a previous meta.json names; one that names none, or none valid, is read as the layout before releases. */
function previousReleaseId(meta: MetaDocument | undefined): string | undefined {
  try {
    return releaseOf(meta);
  } catch {
    return undefined;
  }
}

/** The region and ICB of an area by the latest geography: a region is its own, an ICB its own and its region's. */
function placeFinder(geography: readonly GeographyRow[]): PlaceOf {
  const places = new Map<string, { region_code: string; icb_code: string }>();
  for (const g of geography) {
    places.set(`pcn|${g.pcn_code}`, { region_code: g.region_code, icb_code: g.icb_code });
    places.set(`icb|${g.icb_code}`, { region_code: g.region_code, icb_code: g.icb_code });
  }
  return (level, code) => (level === 'region' ? { region_code: code } : (places.get(`${level}|${code}`) ?? {}));
}

/** Exact medians from a distribution of whole numbers, where at least 8 people contribute below England. */
export function mediansOf(distribution: readonly Row[]): Map<string, number> {
  const groups = new Map<string, { level: unknown; counts: [number, number][] }>();
  for (const row of distribution) {
    const key = rowKey(row);
    const group = groups.get(key) ?? { level: row.level, counts: [] };
    group.counts.push([Number(row.contacts), Number(row.episodes)]);
    groups.set(key, group);
  }
  const medians = new Map<string, number>();
  for (const [key, { level, counts }] of groups) {
    const total = counts.reduce((sum, [, c]) => sum + c, 0);
    if (total === 0 || (level !== 'national' && total < MIN_COUNT)) continue;
    counts.sort((a, b) => a[0] - b[0]);
    const at = (position: number) => {
      let seen = 0;
      for (const [value, count] of counts) {
        seen += count;
        if (seen >= position) return value;
      }
      return counts.at(-1)?.[0] ?? 0;
    };
    const lower = at(Math.floor((total + 1) / 2));
    const upper = at(Math.floor(total / 2) + 1);
    medians.set(key, (lower + upper) / 2);
  }
  return medians;
}

type BuildContext = DeriveContext & {
  generatedAt: string;
  dataAsOf: string | null;
  parentOf: (row: Row) => readonly string[];
};

/**
 * Disclosure control of a document's rows: the exact rows (after beforeControl) and the published ones. `preSuppressed`
 * names cells to publish as `*` before secondary suppression and the audit (joint control: shared-counts.ts).
 */
export function controlDocument(
  definition: MetricDefinition,
  raw: readonly Row[],
  context: BuildContext,
  preSuppressed?: (row: Row) => readonly string[],
  /** The documents published before, for totals another document publishes (DisclosureRules.partitions). */
  documentOf?: SharedContext['documentOf'],
): { exact: readonly Row[]; published: Row[] } {
  const rules =
    definition.rules.counts.length === 0
      ? definition.rules
      : {
          ...definition.rules,
          // Family keys as [area, period_type, period, ...keys].join('|'), numbered by their parts (auditKeys).
          areas: areasWithin({ parentOf: context.parentOf, keys: definition.keys }),
          periodKeys: definition.keys,
          ...(definition.rules.partitions === undefined || documentOf === undefined
            ? {}
            : { partitions: linkPartitions(definition.rules.partitions, documentOf) }),
        };
  const exact = definition.beforeControl ? raw.map(definition.beforeControl) : raw;
  // England's rows that count a group of PCNs are controlled as counts below England, then called England again.
  const published = controlPartitioned(
    belowEngland(exact, definition.pcnGroups),
    rules,
    preSuppressed,
    context.parentOf,
  );
  restoreEngland(published);
  return { exact, published };
}

/** England's revisions (revisions.ts): the controlled rows with held figures put back, and the exact rows as published. */
type Revise = (definition: MetricDefinition, published: Row[], exact: readonly Row[]) => readonly Row[];

export function buildDocument(
  definition: MetricDefinition,
  raw: readonly Row[],
  context: BuildContext,
  /**
   * The documents built before this one and the PCN groups, for counts shared across documents (shared-counts.ts).
   * Without it (a benchmark of one document's control) the cross-document steps are left out; the refresh always
   * gives it.
   */
  shared?: Omit<SharedContext, 'parentOf'>,
  /**
   * England's figures that may not be revised yet (revisions.ts): holds them in the controlled rows and returns the
   * exact rows with England as published. Without it (a benchmark, a first look) England is published as it is.
   */
  revise?: Revise,
  /** Its rows already controlled (joint control), else controlled here. */
  controlled?: { exact: readonly Row[]; published: Row[] },
): MetricDocument {
  const { exact, published } = controlled ?? controlDocument(definition, raw, context, undefined, shared?.documentOf);
  // Counts shared with documents built before: their controlled cells, before any rate or funnel is made from them.
  if (shared !== undefined) {
    const crossDocument = { ...shared, parentOf: context.parentOf };
    if (definition.sameAs) publishSameAs(definition.name, published, exact, definition.sameAs, crossDocument);
    if (definition.pcnGroups) auditPcnGroups(published, definition.pcnGroups, crossDocument);
    if (definition.coveredShare) auditCoveredShare(published, exact, definition.coveredShare, crossDocument);
  }
  // Revisions: England's held figures, before any rate, comparator or projection is made from them.
  const revised = revise ? revise(definition, published, exact) : exact;
  const rawAsPublished = revised === exact ? raw : revised;
  for (const row of published) if (definition.derive) Object.assign(row, definition.derive(row, context));
  // Rows below England the audit left out, so that a reader can tell them from no data (review 7, M8); those whose
  // England row is held too say so (key28's note: "England's figure is published" beside a held key row).
  const withheld = withheldBelowEngland(
    exact,
    published,
    definition.keys,
    englandRowsHeld(exact, revised, definition.keys),
  );
  const summary = {
    ...(definition.summarise ? definition.summarise(rawAsPublished, context) : {}),
    ...(definition.afterControl ? definition.afterControl(published, rawAsPublished, shared?.documentOf) : {}),
    ...(withheld === undefined ? {} : { withheld_below_england: withheld }),
  };
  return {
    name: definition.name,
    title: definition.title,
    description: definition.description,
    generated_at: context.generatedAt,
    data_as_of: context.dataAsOf,
    definitions: definition.definitions,
    disclosure:
      definition.rules.counts.length === 0
        ? 'These figures count files and rows, not people: they are not suppressed.'
        : DISCLOSURE_NOTE,
    keys: definition.keys,
    rows: published as unknown as MetricRow[],
    ...(Object.keys(summary).length > 0 ? { summary } : {}),
  };
}

const catalogueOrder = (name: string) => CATALOGUE.findIndex((d) => d.name === name);

/**
 * Documents sharing counts (`joint`), controlled together to a fixed point (jointFixedPoint) and then built in turn, in
 * the order given (the catalogue's); the shared cells are checked to be published the same in all.
 */
export function controlJointly(
  members: readonly { readonly definition: MetricDefinition; readonly rows: readonly Row[] }[],
  context: BuildContext,
  shared: Omit<SharedContext, 'parentOf'> | undefined,
  joint: readonly JointCount[],
  onRounds?: (rounds: number, imposed: number) => void,
  revise?: Revise,
): MetricDocument[] {
  const byName = new Map(members.map((m) => [m.definition.name, m]));
  const exactOf = new Map(
    members.map((m) => [
      m.definition.name,
      m.definition.beforeControl ? m.rows.map(m.definition.beforeControl) : m.rows,
    ]),
  );
  // The shared cells' ids made once for every round, and each exact rows' cells read once (shared-counts.ts,
  // JointCellIds): jointCells of the exact rows are those cells.
  const ids = new JointCellIds();
  const cells = new Map(
    members.map((m) => [
      m.definition.name,
      new Set(ids.exactCellsOf(m.definition.name, exactOf.get(m.definition.name) as Row[], joint).ids),
    ]),
  );
  // Each member controlled again only in the years (and columns) its imposed cells can change (controlAgainByYear).
  const controls = new Map(
    members.map(({ definition, rows }) => [
      definition.name,
      controlAgainByYear(
        definition.name,
        rows,
        definition.rules,
        definition.keys,
        joint,
        ids,
        (some, rules, imposedNow) =>
          controlDocument(
            rules === undefined ? definition : { ...definition, rules },
            some,
            context,
            imposedColumns(definition.name, joint, imposedNow, ids),
          ),
      ),
    ]),
  );
  // What the fixed point reads of a member's control (its cells withheld, left out and shown), read in one pass over
  // its published rows (readJointCells), its exact rows' cells once (the same rows each round: JointCellIds.exactCellsOf,
  // which controlAgainByYear reads too).
  const readings = new Map<string, { result: Controlled; reading: ReturnType<typeof readJointCells> }>();
  const readingOf = (name: string, result: Controlled) => {
    const last = readings.get(name);
    if (last?.result === result) return last.reading;
    const reading = readJointCells(name, ids.exactCellsOf(name, result.exact, joint).ids, result.published, joint, ids);
    readings.set(name, { result, reading });
    return reading;
  };
  const { results, rounds, imposed } = jointFixedPoint(
    members.map((m) => m.definition.name),
    (name) => cells.get(name) as Set<string>,
    (name, imposedNow) => (controls.get(name) as (imposed: ReadonlySet<string>) => Controlled)(imposedNow),
    // suppressedJointCells.
    (name, result) => readingOf(name, result).suppressed,
    undefined,
    // Cells of rows the audit left out are not imposed on the others (shared-counts.ts, jointFixedPoint; review 9):
    // rowsLeftOutJointCells.
    (name, result) => readingOf(name, result).leftOut,
    // A cell shown in one of a member's columns is not hidden by it, whatever its other column shows (R17-3): jointCells
    // of the published rows.
    (name, result) => readingOf(name, result).shown,
  );
  onRounds?.(rounds, imposed.size);
  checkJointCells(
    joint.map((count) => ({ ...count, cells: count.cells.filter((cell) => byName.has(cell.document)) })),
    (name) => results.get(name)?.published ?? [],
    ids,
  );
  return members.map((m) =>
    buildDocument(m.definition, m.rows, context, shared, revise, results.get(m.definition.name)),
  );
}

type Waiting = { definition: MetricDefinition; rows: Row[] };

/**
 * A document's rows are built at once unless it is one of a group controlled jointly (its `group`): then they wait
 * until the group's last member is read, and the group is built together. Returns what is built now (maybe nothing).
 */
function buildWhenReady(
  definition: MetricDefinition,
  rows: Row[],
  group: readonly string[] | undefined,
  waiting: Map<string, Waiting>,
  build: (members: readonly Waiting[]) => MetricDocument[],
): MetricDocument[] {
  if (group === undefined) return build([{ definition, rows }]);
  waiting.set(definition.name, { definition, rows });
  if (!group.every((name) => waiting.has(name))) return [];
  const members = group.map((name) => waiting.get(name) as Waiting);
  for (const name of group) waiting.delete(name);
  return build(members);
}

/**
 * The catalogue's rows read in turn, the next document's query started (`start`) while this thread builds the document
 * before it (issue 17: the build is synchronous JavaScript on this thread alone, so DuckDB's threads, or Athena, work
 * meanwhile instead of waiting: wall time, not CPU; README's Benchmarks). The rows of a query started ahead
 * are read only once the build is over (nothing else runs on this thread until it ends), so no more rows are held at
 * once than when each query waited for the build before it. Such a query is timed as the time the refresh waited for
 * its rows after the build; `skip`'s query (read before the others) is never run again.
 */
function readAhead(
  read: (definition: MetricDefinition) => Promise<Row[]>,
  timed: (step: string, work: () => Promise<Row[]>) => Promise<Row[]>,
  skip: MetricDefinition | undefined,
) {
  let next: { readonly definition: MetricDefinition; readonly rows: Promise<Row[]> } | undefined;
  return {
    rows(definition: MetricDefinition): Promise<Row[]> {
      const started = next;
      next = undefined;
      return timed(definition.name, () => (started?.definition === definition ? started.rows : read(definition)));
    },
    /** Starts the first query after `after` in `order` other than `skip`'s, unless it is started already. */
    start(order: readonly MetricDefinition[], after: number): void {
      const definition = order.slice(after + 1).find((d) => d !== skip);
      if (definition === undefined || next?.definition === definition) return;
      next = { definition, rows: read(definition) };
      // Its failure is thrown where its rows are awaited, not as an unhandled rejection meanwhile.
      next.rows.catch(() => undefined);
    },
    async settled(): Promise<void> {
      await next?.rows.catch(() => undefined);
    },
  };
}

/** What the engine scanned, where it bills by bytes scanned (QueryEngine.scanned). */
function scannedBy(engine: QueryEngine): Pick<RefreshResult, 'scanned_bytes'> {
  const scanned = engine.scanned?.();
  return scanned ? { scanned_bytes: scanned } : {};
}

/**
 * Runs the whole metric catalogue and publishes the documents. Every query runs before anything is written, so a
 * failure part-way leaves the previously published documents in place (and is thrown to the caller).
 */
export async function refreshMetrics(deps: RefreshDeps): Promise<RefreshResult> {
  // A dashboard address that is not a full http(s) one only costs the packs their link: a warning, never a failure.
  const { warning } = methodologyLink(deps.dashboardUrl);
  if (warning) console.warn(warning);
  const clock = deps.clock ?? (() => new Date());
  const targets = deps.targets ?? DEFAULT_TARGETS;
  const timings: Record<string, number> = {};
  // Up to the write phase, each step starts only if the time left still covers the writes (R24-2).
  let writing = false;
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    if (deps.time && !writing) {
      const remaining = deps.time.remainingMs();
      if (remaining < deps.time.writeReserveMs)
        throw new RefreshOutOfTimeError(step, remaining, deps.time.writeReserveMs);
    }
    const started = performance.now();
    const result = await work();
    timings[step] = Math.round(performance.now() - started);
    deps.onStep?.(step, timings[step] as number);
    return result;
  };

  // Two tables of their own (curated/pcns, curated/uploads), published together: one lists receipts while the other
  // writes. The receipts (one per upload ever) are listed once a refresh, here, and the listing given to each step
  // that reads them (review 24, R24-5a: the uploads table and compaction each listed every receipt).
  let receipts: readonly string[] = [];
  await timed('publish reference and uploads', async () => {
    await Promise.all([
      publishReference(deps.store),
      listReceipts(deps.store).then((listed) => {
        receipts = listed;
        return publishUploads(deps.store, listed);
      }),
    ]);
  });
  const { compaction } = deps;
  const compacted = compaction
    ? await timed('compact curated objects', () =>
        compactCurated(deps.store, compaction.merger, compaction.policy, undefined, undefined, receipts),
      )
    : undefined;
  // Any compaction that stopped part-way is finished or undone before anything is read (a reader would see its rows
  // twice).
  await timed('recover compactions', () => recoverCompactions(deps.store));
  let asOf: DataAsOf = { dataAsOf: null, lastMonth: null, pending: [], completeMonths: [], pcnsStopped: 0 };
  for (const step of PREPARE_STEPS) {
    if (step.name === PUBLISHED_THROUGH) {
      const now = clock();
      asOf = await timed('data as of', () => publishCompleteMonths(deps.engine, now));
      continue;
    }
    // One state of the data for the whole refresh (review 24, R24-1): committed_events and committed_workforce keep
    // only the uploads of the uploads table, written once above from the receipts there at the start, and every step
    // and metric query reads the events and snapshots through them. The ingest runs beside the refresh (in AWS its own
    // queue; locally its workers): the objects of an upload that lands meanwhile, with or without its receipt yet, are
    // read by no step of this refresh (each statement lists the prefix afresh) and by every step of the next.
    const file = `prepare/${step.name}`;
    await timed(step.name, () =>
      step.kind === 'view' ? deps.engine.defineView(step.name, file) : deps.engine.materialize(step.name, file),
    );
  }
  const geography = await timed(
    'geography',
    async () => (await deps.engine.query('meta/geography')) as unknown as GeographyRow[],
  );
  // Events and workforce snapshots dated when their PCN was not in force: in no figure (events_in_force,
  // workforce_in_force), named here for the operators and in data_quality for the PCN and its area (review 7, M10).
  // The refresh goes on: one PCN's dates never stop it.
  const outOfForce = await timed(
    'events out of force',
    async () => (await deps.engine.query('meta/out_of_force')) as unknown as OutOfForceRow[],
  );
  const outOfForceMessage = describeOutOfForce(outOfForce);
  if (outOfForceMessage) console.warn(outOfForceMessage);
  // Events dated before their PCN's reporting span (stray events): in no figure either, named the same way (M5).
  const outsideReporting = describeOutsideReporting(
    (await timed(
      'events outside reporting',
      async () => await deps.engine.query('meta/outside_reporting'),
    )) as unknown as OutOfForceRow[],
  );
  if (outsideReporting) console.warn(outsideReporting);
  // PCNs whose extract has stopped: the data-as-of rule no longer waits for them (meta.json counts them); named here.
  const stopped = describeStopped(await timed('stopped extracts', () => stoppedExtracts(deps.engine, asOf)));
  if (stopped) console.warn(stopped);
  // Each region's people referred by month of each year: the projection's like-for-like ratio (review 31, R31-6).
  const peopleInYear = peopleInYearRows(await timed('people in year', () => deps.engine.query('meta/people_in_year')));
  const { dataAsOf } = asOf;

  const generatedAt = clock().toISOString();
  const read = (definition: MetricDefinition) =>
    deps.engine.query(
      `metrics/${definition.file}`,
      typeof definition.params === 'function' ? definition.params({ dataAsOf }) : (definition.params ?? []),
    );
  const query = (definition: MetricDefinition) => timed(definition.name, () => read(definition));
  // Revisions of England's exact figures (revisions.ts): opened against the release published now (meta.json).
  const previous = await previousMeta(deps.store);
  const previousRelease = previous?.generated_at;
  // The documents of the release published now, by their keys before releases (release.ts).
  const published = new ReleaseStore(deps.store, previousReleaseId(previous));
  const revisions = await EnglandRevisions.open(
    {
      store: deps.store,
      generatedAt,
      pcnCodes: [...new Set(geography.map((g) => g.pcn_code))].sort(),
      dataAsOf,
      // Events only: the revisions check England's event counts against the PCNs' (snapshots are in no such check).
      outOfForce: [...new Set(outOfForce.filter((r) => Number(r.events) > 0).map((r) => r.pcn_code))],
      // England's rows of a count several documents publish (a held row one has no record of: its partners').
      joint: JOINT_COUNTS,
    },
    previousRelease,
  );
  // And of the ICBs' and regions' figures (area-revisions.ts, review 11 R11-1), against the same release: their held
  // figures go into the rows before control (pinAreas).
  // The counts controlled jointly (catalogue.ts jointCounts); cof_person's cohorts that are not its episodes (R26-1)
  // are noted from its rows as they are read, before any control asks.
  const unobserved: UnobservedCohorts = new Map();
  const joint = jointCounts(dataAsOf, unobserved);
  const areaRevisions = await AreaRevisions.open({
    store: deps.store,
    generatedAt,
    pcnCodes: [...new Set(geography.map((g) => g.pcn_code))].sort(),
    dataAsOf,
    previousRelease,
    joint,
  });
  // Of a previous document the revisions read only its rows above the PCNs and generated_at: its PCN rows are never
  // built (englandRowsOf, document-json.ts; issue 17: England's rows alone nationally 2.1-2.3 -> 0.9 CPU s), the whole
  // parsed only if its JSON is not of a document's shape.
  const previousDocuments = new Map<string, MetricDocument | undefined>();
  const abovePcns = (level: unknown) => level !== 'pcn';
  const previousEngland = async (name: string) => {
    const bytes = await published.get(metricKey(name));
    if (bytes === undefined) return undefined;
    const areas = englandRowsOf(bytes, abovePcns);
    if (areas) return areas;
    const document = parsedDocument(bytes, metricKey(name));
    return document && { ...document, rows: document.rows.filter((r) => abovePcns(r.level)) };
  };
  let revisionsMs = 0;
  // Of which below England's (area-revisions.ts), reported on their own too.
  let areaRevisionsMs = 0;
  const revise = (definition: MetricDefinition, published: Row[], exact: readonly Row[]) => {
    const started = performance.now();
    // England's own figures, where its control was given them less the areas' held changes (area-revisions.ts).
    areaRevisions.restoreEngland(definition, published, exact);
    const revised = revisions.revise(definition, published, exact, englandOf(previousDocuments.get(definition.name)));
    revisionsMs += performance.now() - started;
    return revised;
  };
  // The medians of the contacts distribution are part of every document's context: that query runs first. England's
  // comes from its distribution as published (held where a revision is held).
  const distribution = CATALOGUE.find((d) => d.name === 'contacts_distribution');
  const distributionRows = distribution ? await query(distribution) : [];
  if (distribution) previousDocuments.set(distribution.name, await previousEngland(distribution.name));
  const distributionAsPublished = distribution
    ? revise(
        distribution,
        distributionRows.filter((r) => r.level === 'national').map((r) => ({ ...r })),
        distributionRows,
      )
    : distributionRows;
  const context = {
    targets,
    // A Map: England's medians are made again from the held distribution if a period is found held later (settle).
    medianContacts: mediansOf(distributionAsPublished),
    generatedAt,
    dataAsOf,
    completeMonths: asOf.completeMonths,
    listsSending: asOf.listsSending,
    listsContinuing: asOf.listsContinuing,
    peopleInYear,
    parentOf: parentFinder(geography),
  };
  // Each document is built as soon as its rows are read, and the rows let go: a refresh never holds every metric's
  // rows and every document at once (issue 17: the Lambda has 2,048 MB for the Athena results, documents and packs).
  // Disclosure control and derived figures are timed as one step, the sum over documents (TypeScript, not SQL).
  let buildMs = 0;
  let nationalRollout: Row[] = [];
  const catalogued: MetricDocument[] = [];
  // The PCN groups a document's rows add up (the PCNs of each deprivation quintile): one small query each.
  const pcnGroups: Record<string, ReadonlyMap<string, string>> = {};
  for (const membership of new Set(CATALOGUE.flatMap((d) => (d.pcnGroups ? [d.pcnGroups.membership] : [])))) {
    const source = PCN_GROUP_SOURCES[membership];
    if (source === undefined) throw new Error(`catalogue: no source for the PCN groups ${membership}`);
    pcnGroups[membership] = groupsFromRows(
      await timed(`pcn groups ${membership}`, () => deps.engine.query(source.file)),
      source.column,
    );
  }
  // A document sharing counts reads the documents built before it (CATALOGUE's order), kept here for the packs anyway.
  const shared = {
    documentOf: (name: string) => catalogued.find((d) => d.name === name),
    pcnGroups,
    pcnCodes: [...new Set(geography.map((g) => g.pcn_code))],
  };
  // Documents publishing the same count are controlled together (JOINT_COUNTS, shared-counts.ts): their queries run
  // one after another, where the first of them comes in the catalogue (workforce's right after cof_person's), each
  // one's rows kept until the last is read, then the group is controlled to a fixed point and built. So rows are held
  // across no other query (issue 17: the Lambda's memory).
  const groupOf = jointGroups(
    CATALOGUE.map((d) => d.name),
    JOINT_COUNTS,
  );
  const order: MetricDefinition[] = [];
  for (const definition of CATALOGUE)
    if (!order.includes(definition))
      for (const name of groupOf.get(definition.name) ?? [definition.name])
        order.push(CATALOGUE[catalogueOrder(name)] as MetricDefinition);
  const waiting = new Map<string, Waiting>();
  const ahead = readAhead(read, timed, distribution);
  try {
    for (const [i, definition] of order.entries()) {
      const rows = definition === distribution ? distributionRows : await ahead.rows(definition);
      if (definition.name === 'rollout') nationalRollout = rows.filter((r) => r.level === 'national');
      if (!previousDocuments.has(definition.name))
        previousDocuments.set(definition.name, await previousEngland(definition.name));
      // The next document's query runs while this one is built (readAhead).
      ahead.start(order, i);
      // cof_person's cohorts that are not its episodes, noted once the next query is started (its rows read after it).
      if (definition.name === 'cof_person') noteUnobservedCohorts(unobserved, rows);
      const started = performance.now();
      const built = buildWhenReady(definition, rows, groupOf.get(definition.name), waiting, (waited) => {
        // The ICBs' and regions' held figures, as at the release that published them, before control (R15-1).
        const members = pinAreas(areaRevisions, waited, previousDocuments, context.parentOf, (ms) => {
          areaRevisionsMs += ms;
        });
        return members.length === 1 && groupOf.get(definition.name) === undefined
          ? [buildDocument(definition, members[0]?.rows ?? rows, context, shared, revise)]
          : controlJointly(members, context, shared, joint, undefined, revise);
      });
      for (const document of built) {
        previousDocuments.delete(document.name);
        catalogued.push(document);
      }
      buildMs += performance.now() - started;
    }
  } finally {
    // A query started ahead is over before the refresh returns or throws: the caller may close the engine.
    await ahead.settled();
  }
  const settling = performance.now();
  settleRevisions(revisions, catalogued, context);
  revisionsMs += performance.now() - settling;
  // Which PCNs' changes hold which England periods (R21-3: operators could not see why a year never moved).
  for (const line of revisions.holdLog()) console.warn(line);
  for (const [i, document] of catalogued.entries()) {
    // What it holds back, and a break in its series (a change of its definition): revisions.ts.
    // And the ICBs' and regions' rows as at an earlier release (area-revisions.ts).
    const notes = revisionNotes(revisions.summaryOf(document.name), areaRevisions.summaryOf(document.name));
    if (notes) catalogued[i] = { ...document, summary: { ...document.summary, ...notes } };
  }
  // Documents are kept (and written) in the catalogue's order, whenever their group was built.
  catalogued.sort((a, b) => catalogueOrder(a.name) - catalogueOrder(b.name));
  // Every query has run: the engine may let go of its tables (DuckDB's memory) before the documents and packs.
  await timed('release the query engine', async () => deps.engine.release?.());
  timings['disclosure control and derived figures'] = Math.round(buildMs);
  // Of which England's revisions (revisions.ts), reported on their own.
  timings['revisions of England figures'] = Math.round(revisionsMs);
  timings['revisions of figures below England'] = Math.round(areaRevisionsMs);
  deps.onStep?.('disclosure control and derived figures', timings['disclosure control and derived figures']);
  const spc = await timed('spc', async () => spcDocument(catalogued, context));
  const funnels = catalogued.find((d) => d.name === 'pcn_comparison') as MetricDocument;
  // Compared with the previous release's documents, not the previous refresh's (R21-6: alerts-base.ts).
  const alerts = await timed('alerts', async () =>
    alertsDocument({ funnels, spc }, await alertsBase(published, asOf.dataAsOf), {
      ...context,
      placeOf: placeFinder(geography),
    }),
  );
  const built = [...catalogued, spc, alerts];
  const base = metaDocument(geography, nationalRollout, generatedAt, asOf, targets);
  const meta = {
    ...base,
    ...(deps.coverage ? { coverage: deps.coverage } : {}),
    ...(revisions.heldInRelease() ? { revisions_held: revisions.heldInRelease() } : {}),
    // England's latest months held whole as no figure yet (revisions.ts) are said so, not read as published.
    ...englandAsOf(base.months, (catalogued.find((d) => d.name === 'rollout')?.rows ?? []) as unknown as Row[]),
  };

  // The SPC and alerts documents are built from the catalogue's documents, so these are built together. Each document
  // is written in turn, serialised while the one before it is being stored (one put in flight: at most two documents'
  // JSON at once), under this release's own prefix (release.ts: metrics/releases/<release>/, never written over), and
  // meta.json goes last, naming the release: readers follow it, so they see the release before whole until it is
  // written, and this one whole after (R24-2: a refresh stopped or failed in its writes published half a release).
  // (Writing the packs while the documents are stored was tried: on a local folder it was no faster, and the
  // documents' JSON was held for the packs' whole time.)
  const documents: string[] = [];
  // The record of this release for the revisions (saved last, below) is made now: serialised here, gzipped in zlib's
  // thread pool while the documents and packs are written (issue 17: it was a step of its own after them).
  // And below England's (area-revisions.ts), likewise.
  await timed('serialise the release for revisions', async () => {
    revisions.prepareRecord();
    areaRevisions.prepareRecord();
  });
  const release = await newReleaseId(deps.store, generatedAt);
  const target = new ReleaseStore(deps.store, release);
  // Serialised piece by piece into two buffers kept for the step (writeDocuments, document-json.ts; issue 17). The
  // last step that waits for time: from here the refresh writes, and a stop leaves only an unnamed release behind.
  await timed('write documents', () => {
    writing = true;
    return writeDocuments(target, built, (name) => void documents.push(name));
  });
  // Each area's monthly PDF pack, from the documents just published (issue 18), before meta.json: the API and the
  // dashboard take a new meta.json as the sign that everything of this refresh, packs included, is in place.
  await timed('write packs', () => writePacks(target, built, meta, { dashboardUrl: deps.dashboardUrl }));
  await deps.store.put(META_KEY, JSON.stringify({ ...meta, release }), { contentType: 'application/json' });
  // After meta.json, the release's commit point: a crash before this leaves the state of the release before, which the
  // next refresh finds does not match what is published, and holds every changed England figure (revisions.ts).
  await timed('record the release for revisions', () => revisions.save());
  await timed('record the release for revisions below England', () => areaRevisions.save());
  // Releases no reader needs any more (release.ts): a failure only costs storage until the next refresh.
  // Each release that could not be deleted is named (its id; the error's name and S3's message, which names a key,
  // never an object's content), and the others are still deleted.
  const log = deps.log ?? consoleLog;
  const notDeleted = 'old release not deleted (the next refresh tries again)';
  await timed('delete old releases', () =>
    pruneReleases(deps.store, release, published.release, (id, error) =>
      log.warn(notDeleted, { release: id, error: (error as Error).name, reason: (error as Error).message }),
    ).catch((error: unknown) => {
      // Listing the releases failed: none is named.
      log.warn(notDeleted, { release: null, error: (error as Error).name, reason: (error as Error).message });
      return [];
    }),
  );
  return {
    documents,
    release,
    dataAsOf,
    timings_ms: timings,
    ...(compacted ? { compaction: compacted } : {}),
    ...scannedBy(deps.engine),
  };
}

/** A previous document's England rows (what England's revisions read). */
const englandOf = (previous: MetricDocument | undefined): MetricDocument | undefined =>
  previous && { ...previous, rows: previous.rows.filter((r) => r.level === 'national') };

/** A document's summary entries of the revisions, England's and below England's, or undefined when neither has any. */
const revisionNotes = (england: object | undefined, areas: object | undefined) =>
  england || areas ? { ...england, ...areas } : undefined;

/** Documents controlled together (one, or a joint group) with the ICBs' and regions' held figures in their rows. */
function pinAreas(
  areaRevisions: AreaRevisions,
  members: readonly Waiting[],
  previous: ReadonlyMap<string, MetricDocument | undefined>,
  parentOf: (row: Row) => readonly string[],
  timed: (ms: number) => void,
): Waiting[] {
  const started = performance.now();
  const pinned = areaRevisions.pin(members, (name) => previous.get(name), parentOf);
  timed(performance.now() - started);
  return members.map((m, i) => ({ definition: m.definition, rows: pinned[i] ?? m.rows }));
}

/**
 * A PCN's places over time for meta.pcn_versions: its versions with consecutive ones in the same ICB and region made
 * one (a new list size makes a version every month; only the place matters to the scope), so the list is about one
 * line per PCN and move, not per extract.
 */
export function placesOverTime(
  versions: readonly { g: GeographyRow; valid_from: string; valid_to: string | null }[],
): { code: string; icb: string; region: string; valid_from: string; valid_to: string | null }[] {
  const dayAfter = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const sorted = [...versions].sort(
    (a, b) => a.g.pcn_code.localeCompare(b.g.pcn_code) || a.valid_from.localeCompare(b.valid_from),
  );
  const places: { code: string; icb: string; region: string; valid_from: string; valid_to: string | null }[] = [];
  for (const v of sorted) {
    const last = places.at(-1);
    const continues =
      last !== undefined &&
      last.code === v.g.pcn_code &&
      last.icb === v.g.icb_code &&
      last.region === v.g.region_code &&
      last.valid_to !== null &&
      v.valid_from <= dayAfter(last.valid_to);
    if (continues) {
      if (v.valid_to === null || v.valid_to > (last.valid_to as string)) last.valid_to = v.valid_to;
    } else
      places.push({
        code: v.g.pcn_code,
        icb: v.g.icb_code,
        region: v.g.region_code,
        valid_from: v.valid_from,
        valid_to: v.valid_to,
      });
  }
  return places;
}

/**
 * Periods found held by a document built after others (revisions.ts, review 3 H1: every England figure of a held
 * month and its year, in every document) are held in those built before, in place; then the figures derived from
 * England's rows of the held periods are made again from the held values: England's median contacts (from the held
 * distribution), each row's derived figures, and the summaries made from the rows (rollout's projection).
 */
export function settleRevisions(revisions: EnglandRevisions, documents: MetricDocument[], context: BuildContext): void {
  const changed = revisions.settle();
  const periods = revisions.heldPeriods();
  // A document's own held periods too (revisions.ts, documentOnly: held in it alone; review 9).
  const periodsIn = (document: MetricDocument) => revisions.heldPeriodsIn(document.name);
  if (periods.size === 0 && documents.every((d) => periodsIn(d).size === 0)) return;
  const definitionOf = (name: string) => CATALOGUE.find((d) => d.name === name);
  const england = (document: MetricDocument) =>
    (document.rows as unknown as Row[]).filter(
      (r) => r.level === 'national' && periodsIn(document).has(String(r.period)),
    );
  const distribution = documents.find((d) => d.name === 'contacts_distribution');
  // The medians were made before any document was built (before a period was found held): made again from the
  // distribution as published, for the held periods.
  if (distribution) {
    const medians = context.medianContacts as Map<string, number>;
    for (const row of england(distribution)) medians.delete(rowKey(row));
    for (const [key, median] of mediansOf(england(distribution))) medians.set(key, median);
  }
  for (const document of documents) {
    const definition = definitionOf(document.name);
    if (definition === undefined) continue;
    const rows = england(document);
    if (rows.length === 0) continue;
    if (definition.derive) for (const row of rows) Object.assign(row, definition.derive(row, context));
    // Summaries made from the rows read England's (rollout's projection); the others read the context only.
    if (definition.summarise && changed.includes(document.name))
      (document as { summary?: unknown }).summary = {
        ...document.summary,
        ...definition.summarise(document.rows as unknown as Row[], context),
      };
  }
}

function metaDocument(
  geography: readonly GeographyRow[],
  rollout: readonly Row[],
  generatedAt: string,
  asOf: DataAsOf,
  targets: Targets,
): MetaDocument {
  const latest = new Map<string, GeographyRow>();
  for (const g of geography) latest.set(g.pcn_code, g);
  const current = [...latest.values()];
  const national = rollout.filter((r) => r.level === 'national');
  const months = national
    .filter((r) => r.period_type === 'month' && asOf.lastMonth !== null && String(r.period) <= asOf.lastMonth)
    .map((r) => String(r.period))
    .sort();
  const financialYears = national
    .filter((r) => r.period_type === 'fy')
    .map((r) => String(r.period))
    .sort();
  // R21-1: the areas of every version up to data_as_of, not only of the latest versions, so an ICB merged away keeps
  // its years; with the days each area existed (over all its versions).
  const day = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value)).slice(0, 10);
  const spanEnd = asOf.dataAsOf;
  const versions = geography.map((g) => ({
    g,
    valid_from: day(g.valid_from),
    valid_to: g.valid_to === null || g.valid_to === undefined ? null : day(g.valid_to),
  }));
  // Every version up to the end of the span, from the first: rows older than the span's first year (a workforce
  // snapshot imported for a past month) are placed as any others (review 23, R23-1); versions staged for later not.
  const inSpan = versions.filter((v) => spanEnd === null || v.valid_from <= spanEnd);
  // The days an area existed: its versions' first valid_from and last valid_to (null while one is open).
  const spanOf = (key: (g: GeographyRow) => string) => {
    const spans = new Map<string, { valid_from: string; valid_to: string | null }>();
    for (const v of versions) {
      const span = spans.get(key(v.g));
      if (span === undefined) spans.set(key(v.g), { valid_from: v.valid_from, valid_to: v.valid_to });
      else {
        if (v.valid_from < span.valid_from) span.valid_from = v.valid_from;
        if (span.valid_to !== null && (v.valid_to === null || v.valid_to > span.valid_to)) span.valid_to = v.valid_to;
      }
    }
    return (code: string) => spans.get(code) ?? {};
  };
  const regionSpan = spanOf((g) => g.region_code);
  const icbSpan = spanOf((g) => g.icb_code);
  const pcnSpan = spanOf((g) => g.pcn_code);
  // Each area once: by a PCN's latest version if one has it (its name and parent as they are now), else by the latest
  // version in the span that had it (an ICB merged away: its name and region before the merger).
  const areas = (key: (g: GeographyRow) => string) => {
    const byCode = new Map<string, GeographyRow>();
    for (const v of [...inSpan].sort((a, b) => a.valid_from.localeCompare(b.valid_from))) byCode.set(key(v.g), v.g);
    for (const g of current) byCode.set(key(g), g);
    return [...byCode.values()];
  };
  return {
    generated_at: generatedAt,
    data_as_of: asOf.dataAsOf,
    data_as_of_rule: DATA_AS_OF_RULE,
    // PCNs whose extract has stopped: not waited for by the rule, counted here (docs/methodology.md, "Data as of").
    pcns_stopped: asOf.pcnsStopped,
    months_pending: asOf.pending.map((m) => ({
      month: m.month,
      pcns_submitting: m.pcnsSubmitting,
      pcns_onboarded: m.pcnsOnboarded,
      pcns_stopped: m.pcnsStopped,
      pcns_open: m.pcnsOpen,
    })),
    // Published months only: those up to the last complete one (the prepare steps read no later month).
    months,
    financial_years: financialYears,
    regions: areas((g) => g.region_code)
      .map((g) => ({
        code: g.region_code,
        name: g.region_name,
        parent: 'ENG',
        ...regionSpan(g.region_code),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    icbs: areas((g) => g.icb_code)
      .map((g) => ({
        code: g.icb_code,
        name: g.icb_name,
        parent: g.region_code,
        ...icbSpan(g.icb_code),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    pcns: current
      .map((g) => ({
        code: g.pcn_code,
        name: g.pcn_name,
        parent: g.icb_code,
        list_size: g.list_size,
        ...pcnSpan(g.pcn_code),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    pcn_versions: placesOverTime(inSpan),
    metrics: CATALOGUE.map((d) => ({ name: d.name, title: d.title, description: d.description })),
    targets,
  };
}
