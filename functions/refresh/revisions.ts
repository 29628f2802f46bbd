import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import type { MetaDocument, MetricDocument, RevisionsHeld } from '../contract/metrics.ts';
import { financialYearOf, monthsOfFinancialYear } from '../contract/periods.ts';
import type { CohortGapsHeld } from '../contract/summaries.ts';
import { REVISIONS_STATE_KEY } from '../lib/keys.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import type { Row } from '../lib/query-engine.ts';
import type { DefinitionChange, MetricDefinition } from './catalogue.ts';
import type { MeanRule } from './disclosure.ts';
import { keyPart, type Partition } from './disclosure-audit.ts';
import type { JointCount } from './shared-counts.ts';

/**
 * A revisions policy for England's exact figures (docs/methodology.md, "Disclosure control", "Revisions of England's
 * figures").
 *
 * England's counts are published exactly and each refresh is controlled on its own, so two releases differenced give
 * what changed between them; a refresh follows each ingest, so a late file from one PCN moved England by exactly that
 * PCN's change (and data_quality says which PCN sent a file). Statistical disclosure control treats a cell as safe
 * only when enough contributors make it up (the threshold or minimum-frequency rule) and none dominates it (the (n,k)
 * dominance and p% rules: Hundepool et al., Handbook on Statistical Disclosure Control, ESSnet/Eurostat, 2010/2024,
 * ch. 4.2 and 5.2). Here the "cell" a reader can form is the change between two releases, so a changed England
 * figure is released only when the change itself passes those rules:
 * - at least MIN_CONTRIBUTORS (3) PCNs whose own exact contribution to the figure changed since the published value;
 * - no PCN dominates the change: the absolute changes of all but the two largest add up to at least P_PERCENT of the
 *   largest (the p% rule: the second largest changer, knowing its own change, cannot estimate the largest's within
 *   p%);
 * - for a count of people (`rules.counts`), the net change is larger in size than the number of PCNs that changed it:
 *   k PCNs changing a count by k in total (each by at least 1, as late files add) would each have changed it by
 *   exactly 1. Not for an FTE, mean or rate (red-team review 11, R11-2).
 * A year's mean over England's months of snapshots (`monthMeans`: workforce's staffing) is made of the PCNs' months'
 * sums, so each PCN's contribution is its months' sum (R11-2: as its own year mean, a PCN missing the new month's
 * snapshot moved England while no PCN's contribution moved).
 * Otherwise the published value stays (held), and the document's summary says how many England figures hold a
 * revision back and for which periods. A figure never published (a new month, a new key) starts from nothing: its
 * first value needs the same, so no England figure is ever one or two PCNs' own. And each period of a document is
 * tested as a figure at every release, the first and a break included (`periodsMadeByFew`: each PCN's contribution is
 * its exact contributions to the period's counts, summed): a period made up by fewer than 3 PCNs or dominated by one
 * is held (red-team review 8, N5: the first wave of a rollout, one PCN alone in a month, published as that PCN's
 * exact figures at the first release).
 *
 * Held together (one unit, all or none): a total and its parts in a row (groups), a mean and the count of people it is
 * over, a headcount and its FTE and training, a count and the figures describing its people, a group's England
 * figures (`GroupFigures`: workforce's covered caseload) and the figures they are made from (a change of the group's
 * figures alone, or of England's total less them, holds them alone, not their period: R11-2). A column the record does
 * not keep though it keeps the document (new to the policy) is differenced against the value shown, failing closed. And by period, across
 * documents (review 3, H1): figures add up across rows (a dimension's groups, cof_system's bands) and documents
 * (equity's year and rollout's months, pcn_comparison's funnel rate and rollout's year), so when any England figure of
 * a month is held, every England figure of that month and of its financial year is held, in every document; and when
 * a year's figure is held, every England figure of that year. Except where what holds the period is a document's own
 * (`documentOnly`: workforce's staff, from the snapshots, which no other document counts or adds up with; review 9): the
 * period (a month with its year, a year with its months) is held in that document only. A held period is released when
 * no figure of it is held by its own change.
 *
 * The first release (no meta.json yet) has nothing to be differenced against: it is controlled as a single release,
 * and records the state. After that, the state kept here (REVISIONS_STATE_KEY, as sensitive as curated data: exact
 * per-PCN figures) holds each England figure's published value and the PCNs' exact contributions to it as at the
 * release that published it. The state is written after meta.json (the release's commit point). If it does not match
 * what is published (a crash between meta.json and the state, a missing or foreign state, a published document from
 * another refresh), the refresh fails closed for that document: every England figure that differs from the published
 * one is held, and the record keeps the PCNs' exact contributions as they are at that refresh beside the value
 * published, the difference (the unknown part: whose, nobody knows) counted as one more contributor of its own. Later
 * changes are released only when they pass the rule with the unknown part both as a PCN of its own and as part of any
 * one PCN's change (review 3, H2: uploads that do not touch the figure release nothing).
 *
 * A change of a metric's definition (catalogue.ts, `version`, kept in the record with each document's values) is a
 * break in its series, not a revision, for the columns it changed (catalogue.ts, `changes`, declared with each new
 * version): those are published as at a first release and their record starts again from this release; the columns
 * counted as before are differenced against the record as any revision is, so a revision held in them stays held
 * (red-team review 7, M4: the whole document started again, and a held change of a column counted as before was
 * published at the bump). Where which columns changed is not known (no `changes` reaching the record's version, a
 * record kept without versions), no column starts again: fail closed. The summary states the break (`series_break`,
 * with its columns when known). The record keeps the break, and every release states it for a year after it
 * (SERIES_BREAK_STATED_DAYS), so that a reader comparing with a download or board pack of the months before is told,
 * not only on the day of the break.
 */
export const MIN_CONTRIBUTORS = 3;
/**
 * How long a break in a series is stated after its release: a year, the span of a financial year's releases, of the
 * downloads and monthly packs a reader may compare with, and of a year-on-year comparison (red-team review 7, M14: a
 * break stated by one refresh only was gone by the next day's).
 */
export const SERIES_BREAK_STATED_DAYS = 366;
export const P_PERCENT = 10;
/**
 * Means and FTEs (not whole numbers) are compared within this, relative; whole numbers (counts) exactly (review 3, L2:
 * a count of 3,000,000 moved by 2 is a change).
 */
const TOLERANCE = 1e-6;
/** England publishes means and FTEs to 2 decimals: a published one is the exact value within this. */
const PUBLISHED_TOLERANCE = 0.006;

/**
 * England figures of a group of PCNs that no PCN row has (workforce's caseload over the PCNs covered: its PCNs, their
 * link worker FTE, their people referred per FTE and their share of England's people referred). They are made from
 * the PCNs' figures, so they are held as England's figures are (until December 2026 the covered caseload was outside
 * the policy, and two releases gave one covered PCN's late file of 2 people, or its 0.6 FTE beside three other PCNs'
 * new staff, which England's FTE released: test/unit/revisions-covered.test.ts). Each PCN's contribution to such a figure is worked out from its own
 * exact row, where `rows` selects it (a PCN of the group):
 * - `sum`: that column of the row, and the figure's change is tested as any England figure's (the group's FTE: each
 *   PCN's link worker FTE);
 * - `share`: the figure split over the group's PCNs in proportion to that column (people referred per FTE, and as a
 *   percentage of England's: each PCN's people per the group's FTE), a figure that follows its unit: its people's
 *   change is tested as that column's own (the group's PCN rows' people referred), and its denominator's by the `sum`
 *   figure and England's total: rollout's, over every PCN, whose people outside the group (England's less the
 *   group's) are tested as a figure of their own (differencesOf, outsidePeople; review 28, R28-7).
 *   Tested in its own units, the small-net rule (net change larger than the PCNs making it) would read a percentage
 *   as a count;
 * - `pcns`: 1 (the number of PCNs in the group: not about people, it follows its unit as PCNs reporting does).
 * `decimals`: what England publishes the figure rounded to, so that the record's exact value is matched to the
 * published one within that rounding. The figures and the columns they are made from are held together, one unit.
 */
export interface GroupFigures {
  readonly rows: (row: Row) => boolean;
  readonly figures: Readonly<
    Record<
      string,
      ({ readonly sum: string } | { readonly share: string } | { readonly pcns: true }) & { readonly decimals: number }
    >
  >;
  /**
   * A `sum` figure over part of each PCN's months (`figure`: workforce's caseload_fte, the covered PCNs' FTE in their
   * reporting spans), a mean over England's months as `total` is (England's link worker FTE, of every PCN's months):
   * each PCN's part of `figure` is its `sum` column over its month rows that `inSpan` selects. `total` less `figure`
   * (the FTE outside the spans), which two releases give (England's October less the covered PCNs' October FTE, the
   * change of caseload_fte x months), is tested as a figure of its own: its change made by fewer than 3 PCNs, or
   * dominated by one, holds the group's figures alone (red-team review 11, R11-2).
   */
  readonly span?: { readonly figure: string; readonly total: string; readonly inSpan: (monthRow: Row) => boolean };
}

/** How far a published England figure may be from the exact one it shows: its rounding (2 decimals unless declared). */
function publishedTolerance(definition: MetricDefinition, column: string): number {
  const decimals = definition.groupFigures?.figures[column]?.decimals;
  return decimals === undefined ? PUBLISHED_TOLERANCE : Math.max(PUBLISHED_TOLERANCE, 0.5 * 10 ** -decimals + 1e-9);
}
/**
 * 2: contributions always known, the unknown part of a fail-closed hold in `x` (1 had `c: null` and uploads). 3: a
 * PCN's contribution to a year's mean of months is its months' sum (meanRuleOf; review 11, R11-2), where 2 kept its
 * year mean: a record of 2 is not read (review 12, R12-2: differenced against it, every PCN looked changed and one
 * PCN's correction was released), so the first release after it fails closed, as with no record.
 */
const STATE_VERSION = 3;

/** One England figure: its published value and the PCNs' contributions to it then. */
interface CellState {
  readonly v: number | null;
  /** The generated_at of the release that published v. */
  readonly since: string;
  /** Contributions aligned to the state's PCN codes (at a fail-closed hold: as they were at that refresh). */
  readonly c: readonly number[];
  /**
   * A fail-closed hold's unknown part: England's change since v (in contribution units: a mean's is its sum) as at the
   * refresh whose contributions c are, made by PCNs nobody knows. Absent when England had not changed since v.
   */
  readonly x?: number;
  /**
   * Held as no figure at a break in the series (its period held by another document): no value of this definition was
   * published, so its first is shown with its period, differenced against nothing (as at a first release). Without it,
   * a figure made up by one or two PCNs would wait as a new figure for 3 PCNs, and hold its period release after
   * release, as the old definition's values did.
   */
  readonly b?: true;
}

interface DocumentState {
  readonly generated_at: string;
  /**
   * The definition version (catalogue.ts, `version`) of the values recorded. Absent in a record written before it: the
   * first release after is a break in the series (the definitions those values were made by are not known).
   */
  readonly definition?: string;
  /** The last break in its series (absent before the first, and once it is a year old): stated by every release. */
  readonly series_break?: SeriesBreak;
  readonly cells: Readonly<Record<string, CellState>>;
}

/**
 * A document's statement of a break in its series (its `summary.series_break`): its figures are made by a definition
 * other than the one the earlier releases' were, so earlier downloaded figures are not comparable with them.
 */
export interface SeriesBreak {
  /** The generated_at of the first release by this definition: this one. */
  readonly since_release: string;
  readonly reason: typeof DEFINITION_CHANGED | typeof DEFINITION_NOT_RECORDED;
  /**
   * The columns whose definition changed (catalogue.ts, `changes`), sorted; absent when every column changed or that
   * is not known (the whole document). A break within the year of an earlier one keeps that one's columns too (since
   * the later release).
   */
  readonly columns?: readonly string[];
}
export const DEFINITION_CHANGED = 'definition changed';
/** A record written before definitions were recorded: whether they changed is not known, so it is a break once. */
export const DEFINITION_NOT_RECORDED = 'definition not recorded before this release';

export interface RevisionState {
  readonly version: typeof STATE_VERSION;
  /** The release (meta.json generated_at) this state records. */
  readonly release: string;
  readonly pcns: readonly string[];
  readonly documents: Readonly<Record<string, DocumentState>>;
  /**
   * Each release the record's values come from (a cell's `since`), with its data-as-of date: what a held row names as
   * its origin (review 5, G7). Absent in a record written before it: the origin is then known only for the release
   * before.
   */
  readonly as_of?: Readonly<Record<string, string | null>>;
  /**
   * The last refresh (generated_at) of the release before this record's: the last refresh whose data-as-of date differs
   * from its own (a next-morning refresh of the same data is the same release). A hold whose value is from before it
   * began in an earlier release (followMonths, R22-1). Absent in a record written before it, or where not known.
   */
  readonly release_before?: string;
}

export interface RevisionInputs {
  readonly store: ObjectStore;
  readonly generatedAt: string;
  /** The PCN codes of the geography, in one order: the state's contributions are aligned to it. */
  readonly pcnCodes: readonly string[];
  /**
   * This release's data-as-of date (a month's end, data-as-of.ts): recorded beside the release, so that a later release
   * holding its values names it (review 5, G7), and which months' cohorts have matured since the release a held figure
   * comes from. Undefined (a caller that does not say): every cohort is taken to have matured.
   */
  readonly dataAsOf?: string | null;
  /**
   * PCNs with events dated when they were not in force (meta/out_of_force.sql): those events are in no figure, so the
   * add-up check should never see them; if it fails all the same, its error names these PCNs first (review 7, M10).
   */
  readonly outOfForce?: readonly string[];
  /**
   * Counts several documents publish (catalogue.ts jointCounts): England's cells of them (those on every row) are one
   * figure, so a held England row a document has no record of shows the count as a partner recorded it (sharedBaseline).
   */
  readonly joint?: readonly JointCount[];
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The columns of a document's England rows that are exact figures about people, in units held together. */
export function unitsOf(definition: MetricDefinition): { columns: string[]; unitOf: Map<string, number> } {
  const { rules } = definition;
  const parent = new Map<string, string>();
  const find = (c: string): string => {
    const p = parent.get(c) ?? c;
    if (p === c) return c;
    const root = find(p);
    parent.set(c, root);
    return root;
  };
  const add = (c: string) => void (parent.has(c) || parent.set(c, c));
  const join = (cs: readonly string[]) => {
    for (const c of cs) add(c);
    for (const c of cs.slice(1)) parent.set(find(c), find(cs[0] as string));
  };
  for (const c of rules.counts) add(c);
  for (const g of rules.groups ?? []) join([g.total, ...g.parts]);
  for (const m of rules.means ?? []) join([m.contributors, m.column]);
  for (const s of rules.staff ?? []) join([s.headcount, s.fte, ...(s.columns ?? [])]);
  for (const d of rules.describing ?? []) join([...d.counts, ...d.columns]);
  // A group's figures: one unit of their own, so that a group made up by few PCNs holds them alone (groupsMadeByFew).
  // A held people referred or FTE they are made from holds them too: a figure held by its own change holds its period.
  const group = Object.keys(definition.groupFigures?.figures ?? {});
  if (group.length > 0) join(group);
  const columns = [...parent.keys()];
  const roots = [...new Set(columns.map(find))];
  return { columns, unitOf: new Map(columns.map((c) => [c, roots.indexOf(find(c))])) };
}

/**
 * A row's exact figures where a document's beforeControl has already marked some for publishing (`*`: cof_system's
 * band totals, service-use-bands.ts): the record takes each PCN's contribution from these, never from the `*`
 * (review 4, F5: a `*` read as 0 hid a small PCN's dominating change from the rule). Kept beside the row, not in it,
 * so nothing here is published.
 */
const exactFigures = new WeakMap<Row, Row>();
/** Keeps `exact` as the figures of `row` (a row marked for publishing before control) for the revisions record. */
export function keepExactFigures(row: Row, exact: Row): Row {
  exactFigures.set(row, exact);
  return row;
}

/** Where the held figures of an England row (or a PCN row as at a held England figure) come from. */
export interface HeldFrom {
  /** The generated_at of the release the held values were published in (null when not known: failing closed). */
  readonly release: string | null;
  /** That release's data-as-of date (its cohorts' cut-offs follow from it). */
  readonly dataAsOf: string | null;
}
/** Rows holding a revision back (review 4, F1-F3: what is derived from them says so). Beside the row: never published. */
const heldMarks = new WeakMap<Row, HeldFrom>();
/** Where a row's held figures come from, or undefined when the row holds nothing. */
export const heldFrom = (row: Row): HeldFrom | undefined => heldMarks.get(row);

/** A PCN's contribution to an England mean is its sum (mean x people): what adds up. `mean`: the column's mean rule. */
function contributionOf(
  row: Row | undefined,
  column: string,
  mean: MeanRule | Pick<MeanRule, 'contributors'> | undefined,
): number {
  if (row === undefined) return 0;
  const value = row[column];
  // A figure marked for publishing in the exact rows would count as 0: the refresh stops rather than record it.
  if (typeof value === 'string')
    throw new Error(
      `revisions: row ${keyPart(row.code)} ${keyPart(row.period)}, field ${column}: the exact figure is "${value}" (marked for publishing), so its contribution is not known`,
    );
  if (mean === undefined) return isNumber(value) ? value : 0;
  const people = row[mean.contributors];
  return isNumber(value) && isNumber(people) ? value * people : 0;
}

/**
 * The decision for one changed figure, from the PCNs' changes (Hundepool et al.: threshold, p%, and small net change).
 * `unknown`: a fail-closed hold's part whose contributors are not known (review 3, H2). It may be one PCN's own, so it
 * counts as a contributor beside the others (and never passes alone); or part of one PCN's known change, so the rule
 * must also pass with it added to any one of them: that PCN's change may cancel (one PCN fewer) or grow by it, and all
 * but the two largest may lose it (bounded: the largest grows by at most |unknown|, the rest shrinks by at most it).
 * `count`: the figure is a count of people (`rules.counts`), to which the small-net rule applies too (`passes`).
 */
export function releasable(changes: readonly number[], unknown = 0, count = true): boolean {
  const known = changes.filter((d) => Math.abs(d) > TOLERANCE);
  const size = Math.abs(unknown);
  if (size <= TOLERANCE) return passes(known, count);
  if (!passes([...known, unknown], count)) return false;
  const pcns = known.length - (known.some((d) => Math.abs(d + unknown) <= TOLERANCE) ? 1 : 0);
  if (pcns < MIN_CONTRIBUTORS) return false;
  const sizes = known.map(Math.abs).sort((a, b) => b - a);
  const rest = sizes.slice(2).reduce((s, d) => s + d, 0);
  return rest - size >= (P_PERCENT / 100) * ((sizes[0] as number) + size);
}

/**
 * Why a change is not releasable (the first rule it fails), for the record of what triggered a hold. `reading`: how
 * the contributions are read (FigureOfPcns): a level's net is its total, and a group's or key's fewer than 3 PCNs are
 * given as their number alone.
 */
export function whyHeld(changes: readonly number[], unknown = 0, count = true, reading: Reading = 'change'): string {
  const known = changes.filter((d) => Math.abs(d) > TOLERANCE);
  const of = `${known.length} PCN${known.length === 1 ? '' : 's'}${Math.abs(unknown) > TOLERANCE ? ' and an unknown part' : ''}`;
  const failed = failedRule(known, count ? ALL_RULES : WITHOUT_NET);
  if (failed === 'few') return `fewer than ${MIN_CONTRIBUTORS} PCNs (${reading === 'members' ? known.length : of})`;
  if (failed === 'dominated') return `dominated by one PCN (${of})`;
  if (failed === 'net')
    return `${reading === 'level' ? 'total' : 'net change'} no larger than the number of PCNs (${of})`;
  return `the unknown part of a fail-closed hold (${of})`;
}

/** The rules of the release test (Hundepool et al.), in the order they are tried. */
type Rule = 'few' | 'dominated' | 'net';

/**
 * Which rules to apply: fewer than MIN_CONTRIBUTORS contributors (`few`), one contributor dominating the rest (the p%
 * rule, `dominated`), and a net change no larger than the number of contributors (`net`: a count's total, not FTE).
 */
type Rules = { readonly [rule in Rule]: boolean };
const ALL_RULES: Rules = { few: true, dominated: true, net: true };
/**
 * The rules for what is no count (FTE, means, shares of a rate): a net change smaller than the number of PCNs making it
 * says nothing of any one PCN's (ten PCNs each moving their link worker FTE by 0.1 over a year of 7 months net 0.14;
 * red-team review 11, R11-2: the rule held England's year and new month at every release), so no small-net rule.
 */
const WITHOUT_NET: Rules = { few: true, dominated: true, net: false };

/**
 * The first of `rules` that the contributions fail (undefined: they pass every one applied), each over the
 * contributions larger than TOLERANCE: fewer than MIN_CONTRIBUTORS of them; the rest after the two largest under
 * P_PERCENT of the largest; the net (every contribution added, signed) no larger than how many they are.
 */
function failedRule(changes: readonly number[], rules: Rules): Rule | undefined {
  const sizes = changes.map(Math.abs).filter((d) => d > TOLERANCE);
  if (rules.few && sizes.length < MIN_CONTRIBUTORS) return 'few';
  sizes.sort((a, b) => b - a);
  const rest = sizes.slice(2).reduce((s, d) => s + d, 0);
  if (rules.dominated && sizes.length > 0 && rest < (P_PERCENT / 100) * (sizes[0] as number)) return 'dominated';
  if (rules.net && Math.abs(changes.reduce((s, d) => s + d, 0)) <= sizes.length) return 'net';
  return undefined;
}

/** Whether the changes pass the rules: every one for a count (`count`), all but the small-net rule otherwise. */
function passes(changes: readonly number[], count = true): boolean {
  return failedRule(changes, count ? ALL_RULES : WITHOUT_NET) === undefined;
}

/**
 * An England figure over a subset of PCNs (or a difference of two England figures), tested by the release test's rules
 * (`releasable`: fewer than MIN_CONTRIBUTORS PCNs, one dominating, and for a count of people a small net). Each PCN's
 * contribution is its exact part of the figure's level (levelOf: a period's counts, a staff column, a group's figures,
 * a key's rows) or of its change since the published values (differencesChangedByFew). What a hold holds is the
 * caller's. A figure nobody contributes to has nothing of anyone's to give.
 */
interface FigureOfPcns {
  /** Its first England row, which the trigger names. */
  readonly cell: Pick<RowCells, 'id' | 'period'>;
  /** What the trigger names: a column, columns added (`a + b`), a difference (`total - part`), a key. */
  readonly column: string;
  /** What the reason calls it ("the period", "the key", "the difference"...). */
  readonly what: string;
  readonly contributions: readonly number[];
  /** A fail-closed hold's part whose PCNs nobody knows (review 3, H2): of a change only. */
  readonly unknown?: number;
  /** A count of people: the small-net rule too (not an FTE, a rate's share, a level saying only who has some). */
  readonly count: boolean;
  readonly reading: Reading;
}

/** How a reason reads the contributions: a change (net change), a level (total), a group's or key's PCNs (how many). */
type Reading = 'change' | 'level' | 'members';

/** What set off a hold: the first figure failing, and why (HoldTrigger without its document). */
type Trigger = Omit<HoldTrigger, 'document'>;
/** A figure made up by few PCNs whose hold holds units alone (row id # unit), not their period. */
type HeldAlone = Trigger & { readonly units: readonly string[] };
/** A figure made up by few PCNs whose hold holds its period: in every document, or in its own alone. */
type HeldWithPeriod = Trigger & { readonly periodType: string; readonly scope: HoldScope };

/** The trigger of a figure made up by few PCNs, or undefined where it may be shown (FigureOfPcns). */
function madeByFew(figure: FigureOfPcns): Trigger | undefined {
  const { contributions, unknown = 0, count } = figure;
  if (contributions.every((v) => Math.abs(v) <= TOLERANCE) && Math.abs(unknown) <= TOLERANCE) return undefined;
  if (releasable(contributions, unknown, count)) return undefined;
  return {
    period: figure.cell.period,
    row: figure.cell.id,
    column: figure.column,
    reason: `${figure.what}: ${whyHeld(contributions, unknown, count, figure.reading)}`,
  };
}

/** Each PCN's part of the level of `columns` over `cells`: the sizes of its exact contributions to them, added. */
function levelOf(cells: Iterable<RowCells>, columns: readonly string[]): number[] {
  const made: number[] = [];
  for (const cell of cells)
    for (const column of columns)
      (cell.contributions.get(column) ?? []).forEach((v, i) => {
        made[i] = (made[i] ?? 0) + Math.abs(v);
      });
  return Array.from(made, (v) => v ?? 0);
}

/**
 * A figure of every England row of a period (PeriodFigures): its columns, added; a count of people or not; and where
 * its hold holds the period.
 */
interface PeriodFigure {
  readonly columns: readonly string[];
  readonly count: boolean;
  readonly scope: HoldScope;
}

/**
 * The periods whose figures (`figures`, each over every England row of the period: levelOf) are made up by few PCNs
 * (madeByFew), with the first figure failing. A period held in every document needs no other figure tested; one held
 * in its document alone does, where a later figure may hold it in every one (`afterLocal`: 'stop' tests none).
 */
function periodFiguresMadeByFew(
  cells: ReadonlyMap<string, RowCells>,
  figures: readonly PeriodFigure[],
  afterLocal: 'stop' | 'go on',
): HeldWithPeriod[] {
  const byPeriod = new Map<string, RowCells[]>();
  for (const cell of cells.values()) {
    const period = byPeriod.get(cell.period);
    if (period === undefined) byPeriod.set(cell.period, [cell]);
    else period.push(cell);
  }
  const few: HeldWithPeriod[] = [];
  for (const period of byPeriod.values()) {
    const first = period[0] as RowCells;
    for (const { columns, count, scope } of figures) {
      const contributions = levelOf(period, columns);
      const trigger = madeByFew({
        cell: first,
        column: columns.join(' + '),
        what: 'the period',
        contributions,
        count,
        reading: 'level',
      });
      if (trigger === undefined) continue;
      few.push({ ...trigger, periodType: first.periodType, scope });
      if (scope === 'all' || afterLocal === 'stop') break;
    }
  }
  return few;
}

/**
 * The periods of a document whose England figures are made up by fewer than MIN_CONTRIBUTORS PCNs, or dominated by
 * one (red-team review 8, N5): the rule a change must pass (`releasable`) applied to the period itself, each PCN's
 * contribution to it being the sum of its exact contributions to the period's counts (every row and count column of
 * the period). When one PCN alone sent a month (the first wave of a rollout), England's figures of that month are that
 * PCN's exact figures, small counts included, and rollout's pcns_submitting and data_quality's first_month say which
 * PCN it is; the rows below England are withheld for it, England's must be too. A period with no count above 0 has
 * nothing of anyone's to give.
 *
 * The counts are tested in two groups (review 9): those another document may publish or add up with (every count not
 * declared `documentOnly`), and the document's own (`documentOnly`: workforce's link workers trained, from the
 * snapshots, which no other document counts). A period made by few in the first holds the period in every document
 * (`scope: 'all'`); one made by few only in its own counts holds it in this document alone (`scope: 'document'`): no
 * figure of another document is, or adds up to, a count of its own, so none gives it. A count declared the same as
 * another document's (`sameAs`: workforce's people referred is rollout's) is that document's figure, tested there
 * with every PCN's contribution; here its contributions are only this document's rows' (workforce lists the PCNs that
 * sent a snapshot: England's 180 people of which 30 from its one covered PCN read as that PCN's alone), and its period
 * is held in every document where that document's test holds it (where this document has England rows: without,
 * as pcn_comparison, its England is the sum of the PCNs it lists, tested here). Before review 9 every count was summed together:
 * three PCNs' 1 trained beside no people referred (a month) held rollout's referrals in every document.
 */
export function periodsMadeByFew(
  definition: MetricDefinition,
  cells: ReadonlyMap<string, RowCells>,
  columns: readonly string[],
): HeldWithPeriod[] {
  // Only where England has a row of its own, which publishSameAs makes the other document's England cell; without one
  // (pcn_comparison) England is the sum of the PCNs this document lists, its own figure.
  const hasEngland = [...cells.values()].some((cell) => cell.england !== null);
  const elsewhere = new Set(hasEngland ? (definition.sameAs ?? []).flatMap((same) => Object.keys(same.columns)) : []);
  const counts = definition.rules.counts.filter((c) => columns.includes(c) && !elsewhere.has(c));
  const own = new Set(definition.documentOnly ?? []);
  // The document's own counts each on its own: a headcount beside a few trained (workforce's link workers in post where
  // training was given, and those trained; review 26, R26-6) would make June's 1 + 1 + 1 trained look many. Held in
  // every document, the document's own counts add nothing to that; held in it alone by one, the others add nothing.
  const figures: PeriodFigure[] = [
    { columns: counts.filter((c) => !own.has(c)), count: true, scope: 'all' },
    ...counts.filter((c) => own.has(c)).map((c) => ({ columns: [c], count: true, scope: 'document' as const })),
  ];
  return periodFiguresMadeByFew(cells, figures, 'stop');
}

/**
 * The periods whose England staff figures (DisclosureRules.staff: each role's headcount and FTE) are made up by fewer
 * than MIN_CONTRIBUTORS PCNs, or dominated by one, each column tested on its own (review 28, R28-1). A staff figure is
 * summed over the PCNs that gave it (a headcount over those that gave a headcount: the national workforce publication
 * is FTE only; a role's over the PCNs that have it), and England publishes how many gave one (pcns_with_headcount,
 * pcns_reporting), while the areas below England of a PCN that gave none show nothing, not 0: England's care
 * coordinators of the one PCN that has any, or the headcount of the one PCN that uploaded its own beside the national
 * FTE-only import, were that PCN's own `*` figures exactly. periodsMadeByFew tests the counts (splw_accredited among
 * them), not these; summed with the others, one role's few were hidden by another's many. A headcount is a count of
 * people (every rule, the small total too: 1 + 1 + 1 + 1 coaches); an FTE is not (no small-net rule, as groupsMadeByFew).
 * Held as periodsMadeByFew holds: in this document alone where the column is its own (`documentOnly`), else in every
 * one; each of its own columns made up by few is a trigger of its own.
 */
export function staffMadeByFew(
  definition: MetricDefinition,
  cells: ReadonlyMap<string, RowCells>,
  columns: readonly string[],
): HeldWithPeriod[] {
  const own = new Set(definition.documentOnly ?? []);
  const figures = (definition.rules.staff ?? [])
    .flatMap((role) => [
      { column: role.headcount, count: true },
      { column: role.fte, count: false },
    ])
    .filter(({ column }) => columns.includes(column))
    .map(
      ({ column, count }): PeriodFigure => ({ columns: [column], count, scope: own.has(column) ? 'document' : 'all' }),
    );
  return periodFiguresMadeByFew(cells, figures, 'go on');
}

/**
 * A cohort that is not its period's referrals although the period ended by its cut-off (catalogue.ts, `cohortGaps`:
 * cof_person's engagement and outcome cohorts beside its episodes). A referral whose window runs past its PCN's own end
 * of observation (it closed or merged, or its extract stopped, before the window ended: a known end, never lateness;
 * red-team review 29, R29-3) is in no cohort
 * (sql/prepare/episodes.sql; red-team review 26, R26-1), so England's referrals of such a period less its cohort are
 * exactly the referrals of the PCNs whose data ended in their window: a figure of its own (cohortGapsMadeByFew).
 */
export interface CohortGap {
  /** The period's referrals (every referral of it, old enough or not). */
  readonly total: string;
  /** The cohort: the referrals old enough whose window ended by their PCN's end of observation. */
  readonly cohort: string;
  /** The cohort's window in months: a month is in it once its window has ended by the data-as-of month. */
  readonly months: number;
  /**
   * The documents publishing England figures of this cohort or of a sum of it (equity's groups, the contacts
   * distribution's bins, pcn_comparison's England take-up): where the gap is held, its period is held in each of them
   * and in this one (local holds, as `documentOnly` ones).
   */
  readonly heldIn: readonly string[];
}

/**
 * A period whose referrals less a cohort are made up by few PCNs (cohortGapsMadeByFew): what set it off, the documents
 * its hold holds it in (`CohortGap.heldIn`, beside its own) and the PCNs' contributions, for the refresh's log.
 */
export type HeldCohortGap = Trigger & {
  readonly periodType: string;
  readonly heldIn: readonly string[];
  readonly contributions: readonly number[];
};

/**
 * England's periods whose referrals less their cohort (`CohortGap`) are made up by fewer than MIN_CONTRIBUTORS PCNs,
 * or dominated by one, or no larger than the number of PCNs making them: the difference as a figure of its own, a
 * level of referrals (madeByFew, as the period rule tests a period's counts; red-team review 32, R32-4). Each
 * PCN's contribution to a month old enough for the cohort (`months` whole months before the data-as-of month; a
 * younger month's cohort is 0 everywhere, nothing of anyone's) is its referrals less its cohort there (all its
 * referrals of the month where its data ended in their window, as its end of observation is a month's end; else 0);
 * to a year, its months' so. With one PCN whose data ended early, the difference is its exact referrals of the month,
 * which its own row shows rounded or `*` (red-team review 26 R26-1, held back once for this). `dataAsOf` undefined (a
 * caller that does not say): every month is taken to be old enough, as `maturedSince` does.
 */
export function cohortGapsMadeByFew(
  gaps: readonly CohortGap[],
  cells: ReadonlyMap<string, RowCells>,
  dataAsOf: string | null | undefined,
): HeldCohortGap[] {
  const found: HeldCohortGap[] = [];
  if (dataAsOf === null) return found;
  for (const gap of gaps) {
    const old = (month: string) => dataAsOf === undefined || addMonths(month, gap.months) <= dataAsOf.slice(0, 7);
    // Each month's difference, PCN by PCN, added to its year's (by the row's keys).
    const differences = new Map<string, number[]>();
    const add = (id: string, values: readonly number[]) => {
      const sums = differences.get(id) ?? new Array<number>(values.length).fill(0);
      values.forEach((v, i) => {
        sums[i] = (sums[i] ?? 0) + v;
      });
      differences.set(id, sums);
    };
    for (const cell of cells.values()) {
      if (cell.periodType !== 'month' || !old(cell.period)) continue;
      const total = cell.contributions.get(gap.total) ?? [];
      const cohort = cell.contributions.get(gap.cohort) ?? [];
      const difference = total.map((v, i) => v - (cohort[i] ?? 0));
      add(cell.id, difference);
      add(`fy|${financialYearOf(cell.period)}${cell.keyId}`, difference);
    }
    for (const cell of cells.values()) {
      const contributions = differences.get(cell.id);
      if (contributions === undefined) continue;
      // A level (its total, not a net change), of referrals: every rule, the small total too.
      const trigger = madeByFew({
        cell,
        column: `${gap.total} - ${gap.cohort}`,
        what: "referrals out of the cohort (their PCN's data ended in their window)",
        contributions,
        count: true,
        reading: 'level',
      });
      if (trigger !== undefined)
        found.push({ ...trigger, periodType: cell.periodType, heldIn: [...gap.heldIn], contributions });
    }
  }
  return found;
}

/**
 * The partition a row's England figures are parts of (DisclosureRules.partitions: equity's groups of a dimension, the
 * contacts distribution's bins), if any: a part's change held by its own rule holds its period in its document (and
 * in those publishing a sum of some parts, `heldWith`), not in every one (red-team review 11, R11-6). Every figure of
 * such a row is a part of a family whose whole (rollout's people referred, cof_person's cohort) another document
 * publishes, or describes that part's people. With every part of the period held at its published values, a released
 * whole less the held parts gives the whole's change, which its document publishes anyway, and nothing of any one
 * part. Held in every document (review 3, H1), one small group's or bin's change froze England's headline every
 * month: a rare group or a bin of few episodes changes by few PCNs in most months.
 */
function partitionOf(definition: MetricDefinition, cell: Pick<RowCells, 'england'>): Partition | undefined {
  const row = cell.england;
  if (row === null) return undefined;
  return (definition.rules.partitions ?? []).find((p) => p.rows?.(row) ?? true);
}

/**
 * Where a unit held by its own change holds its period: in its document alone where the unit is the document's own
 * (`documentOnly` columns); where its row is a part of a partition (partitionOf), in its document and in those
 * publishing a sum of some of its parts (`heldWith`: cof_person's episodes with 6 to 12 contacts, bins of the contacts
 * distribution; red-team review 12, R12-1: released there beside its outcome cohort, the held bins' change outside 6
 * to 12 was one PCN's); else in every document.
 */
function holdScope(
  definition: MetricDefinition,
  cell: Pick<RowCells, 'england'>,
  documentOnly: boolean,
): HoldScope | { readonly documents: readonly string[] } {
  if (documentOnly) return 'document';
  const partition = partitionOf(definition, cell);
  if (partition === undefined) return 'all';
  return partition.heldWith === undefined ? 'document' : { documents: partition.heldWith };
}

/** Holds a cell's period in `held` (every document's, or one document's): a month with its year, a year as its own. */
function holdIn(
  held: { readonly periods: Set<string>; readonly ownYears: Set<string> },
  cell: Pick<RowCells, 'period' | 'periodType'>,
): void {
  held.periods.add(cell.period);
  if (cell.periodType === 'month') held.periods.add(financialYearOf(cell.period));
  if (cell.periodType === 'fy') held.ownYears.add(cell.period);
}

/** Where a period held for a figure is held: in every document, or in the figure's document alone (documentOnly). */
export type HoldScope = 'all' | 'document';

/**
 * The units of a group's England figures (GroupFigures) made up by fewer than MIN_CONTRIBUTORS PCNs or dominated by one
 * (the p% rule), by their PCNs' contributions now (to the FTE, and the people the rates share out). England's
 * caseload over the PCNs covered, where one PCN is covered (a wave rollout's first PCN with events among PCNs sending
 * only snapshots), is that PCN's caseload and its link worker FTE to 2 decimals, whose own row shows `*` below 8
 * people: held as a period of few PCNs is (review 8, N5), as no figure until 3 or more PCNs make it up. Alone, not
 * with its period: no other figure adds up with it, and holding England's whole year for it would cost every document
 * that year. The rules are the period's (failedRule, as releasable and whyHeld apply them) without the small-net rule:
 * the contributions are FTE and shares of a rate, not counts.
 */
function groupsMadeByFew(
  definition: MetricDefinition,
  cells: ReadonlyMap<string, RowCells>,
  unitOf: ReadonlyMap<string, number>,
): HeldAlone[] {
  const tested = Object.entries(definition.groupFigures?.figures ?? {}).flatMap(([column, from]) =>
    'pcns' in from ? [] : [column],
  );
  const few: HeldAlone[] = [];
  for (const cell of cells.values())
    for (const column of tested) {
      if (!cell.values.has(column)) continue;
      const contributions = levelOf([cell], [column]);
      const trigger = madeByFew({ cell, column, what: 'the group', contributions, count: false, reading: 'members' });
      if (trigger === undefined) continue;
      few.push({ ...trigger, units: [`${cell.id}#${unitOf.get(column)}`] });
      break;
    }
  return few;
}

/** The units (row id # unit) of `units` that are a group's figures (GroupFigures), held alone (R11-2). */
function groupUnitsOf(
  definition: MetricDefinition,
  units: ReadonlySet<string>,
  unitOf: ReadonlyMap<string, number>,
): Set<string> {
  const column = Object.keys(definition.groupFigures?.figures ?? {})[0];
  const unit = column === undefined ? undefined : unitOf.get(column);
  return new Set([...units].filter((key) => unit !== undefined && key.endsWith(`#${unit}`)));
}

/**
 * A difference of England figures as two releases give it, tested as a figure of its own: each PCN's part of its
 * change (`changeIn` a row: the PCNs' changes since the published values and a fail-closed hold's unknown part, or
 * undefined where two releases do not give it). Made up by few PCNs (madeByFew), the unit of `holds` is held alone.
 */
interface DifferenceOfFigures {
  /** What the trigger names: `total - part`. */
  readonly column: string;
  readonly what: string;
  readonly count: boolean;
  /** The column whose unit (row id # unit) is held alone. */
  readonly holds: string;
  readonly changeIn: (cell: RowCells) => { contributions: number[]; unknown: number } | undefined;
}

/**
 * England's `total` less its `part`, both of this document, as two releases give its change: each PCN's part of it is
 * its change of `total` less its change of `part`. Only where both were published before and are shown now (none of a
 * column whose series breaks, nor at a first release: no baselines): otherwise no two releases give it.
 */
function differenceOf(
  { total, part }: { readonly total: string; readonly part: string },
  baselines: ReadonlyMap<string, CellState | undefined>,
): DifferenceOfFigures['changeIn'] {
  return (cell) => {
    if (!cell.values.has(total) || !cell.values.has(part)) return undefined;
    const [was, wasPart] = [baselines.get(`${cell.id}#${total}`), baselines.get(`${cell.id}#${part}`)];
    if (was === undefined || wasPart === undefined || was.v === null || wasPart.v === null) return undefined;
    const totalNow = cell.contributions.get(total) ?? [];
    const partNow = cell.contributions.get(part) ?? [];
    return {
      contributions: totalNow.map((v, i) => v - (was.c[i] ?? 0) - ((partNow[i] ?? 0) - (wasPart.c[i] ?? 0))),
      unknown: (was.x ?? 0) - (wasPart.x ?? 0),
    };
  };
}

/**
 * The differences of England figures a document's declarations give (DifferenceOfFigures), in the order tested:
 * - the group's figure over the PCNs' spans (GroupFigures, `span`) beside England's total of every PCN's months
 *   (workforce: the FTE outside the covered PCNs' reporting spans). Red-team review 11, R11-2: one stopped PCN's
 *   October snapshot was England's October FTE less the covered PCNs' October, read from caseload_fte x months, once
 *   a missing month counted as its PCN's change. Not a count: no small-net rule. Its group's figures held alone;
 * - England's `total` less its `part` (MetricDefinition.differences: workforce's link workers in post less those in
 *   the PCNs that gave training, the headcount of the PCNs that gave headcount and no training; review 27, R27-1). Both
 *   columns are tested each on its own; their difference is not, and where several PCNs with training and one without
 *   change (late snapshots), each column's change passes and the difference's is that one PCN's. A count. The unit of
 *   `part` held alone (workforce.sql withholds England's `part` where the difference itself is made by few);
 * - England's people referred less the people of the PCNs covered (`coveredShare`: outsidePeople). A count.
 * A column whose series breaks at this release starts again: no difference of it is tested.
 */
function differencesOf(
  definition: MetricDefinition,
  baselines: ReadonlyMap<string, CellState | undefined>,
  broken: ReadonlySet<string>,
  source: Revised | undefined,
): DifferenceOfFigures[] {
  const span = definition.groupFigures?.span;
  const declared = [
    ...(span === undefined
      ? []
      : [{ total: span.total, part: span.figure, count: false, what: "outside the group's spans" }]),
    ...(definition.differences ?? []).map(({ total, part }) => ({ total, part, count: true, what: 'the difference' })),
  ];
  return [
    ...declared
      .filter(({ total, part }) => !broken.has(total) && !broken.has(part))
      .map(({ total, part, count, what }) => ({
        column: `${total} - ${part}`,
        what,
        count,
        holds: part,
        changeIn: differenceOf({ total, part }, baselines),
      })),
    ...outsidePeople(definition, baselines, broken, source),
  ];
}

/**
 * England's people referred (the source document's, `coveredShare`: rollout's, over every PCN) less the people of the
 * PCNs covered (never published, but pinned by caseload_covered, its annualised rate and coverage % where the covered
 * FTE is small: review 28, R28-3) is the people of the PCNs outside the covered group, and two releases of both give
 * its change (red-team review 28, R28-7): England's people referred changed by many PCNs and the covered people by
 * many, both released, while the people outside changed by one PCN's late month (or by one PCN leaving or joining the
 * group, as a PCN whose workforce return for a due month is late does: review 29, R29-5). Each PCN's part of the change
 * is its people outside the group now less then: its source contribution where it is not in the group (the group's
 * `pcns` figure, 1 for each PCN in it, as recorded), 0 where it is. Made up by few (a count), the group's figures are
 * held alone, as for the FTE outside the group's spans. Only where the covered rates were published before and are
 * shown now (else no two releases pin the group's people) and the source was revised in this refresh (a document
 * revised alone, as in a unit test of it, has none). The people then are the source's record as at its published
 * value; where the covered figures' record is of an earlier release (held), the group's PCNs are those of that record.
 */
function outsidePeople(
  definition: MetricDefinition,
  baselines: ReadonlyMap<string, CellState | undefined>,
  broken: ReadonlySet<string>,
  source: Revised | undefined,
): DifferenceOfFigures[] {
  const share = definition.coveredShare;
  const pcns = Object.entries(definition.groupFigures?.figures ?? {}).find(([, of]) => 'pcns' in of)?.[0];
  if (share === undefined || source === undefined || pcns === undefined) return [];
  if (broken.has(pcns) || share.figures.some((f) => broken.has(f)) || source.brokenColumns.has(share.column)) return [];
  const sourceBaselines = source.baselines();
  const outsideOf = (people: number | undefined, inGroup: number | undefined) =>
    (inGroup ?? 0) > TOLERANCE ? 0 : (people ?? 0);
  const changeIn = (cell: RowCells) => {
    const rates = share.figures.filter((f) => cell.values.has(f));
    if (rates.length === 0 || !cell.values.has(pcns)) return undefined;
    if (!rates.some((f) => isNumber(baselines.get(`${cell.id}#${f}`)?.v))) return undefined;
    const group = baselines.get(`${cell.id}#${pcns}`);
    const total = sourceBaselines.get(`${cell.id}#${share.column}`);
    const totalNow = source.found.cells.get(cell.id)?.contributions.get(share.column);
    if (group === undefined || group.v === null || total === undefined || total.v === null || totalNow === undefined)
      return undefined;
    const groupNow = cell.contributions.get(pcns) ?? [];
    return {
      contributions: totalNow.map((v, i) => outsideOf(v, groupNow[i]) - outsideOf(total.c[i], group.c[i])),
      unknown: total.x ?? 0,
    };
  };
  const column = `${share.document}.${share.column} - ${share.count}`;
  return [{ column, what: 'the people outside the group', count: true, holds: pcns, changeIn }];
}

/**
 * The differences of England figures (differencesOf) whose change since the published values is made up by fewer than
 * MIN_CONTRIBUTORS PCNs, dominated by one, or (a count) no larger than the number of PCNs: each holds its unit alone.
 * `source`: the document the covered group's people are a part of (coveredShare), as revised in this refresh.
 */
function differencesChangedByFew(
  definition: MetricDefinition,
  cells: ReadonlyMap<string, RowCells>,
  unitOf: ReadonlyMap<string, number>,
  baselines: ReadonlyMap<string, CellState | undefined>,
  broken: ReadonlySet<string>,
  source: Revised | undefined,
): HeldAlone[] {
  const few: HeldAlone[] = [];
  for (const { column, what, count, holds, changeIn } of differencesOf(definition, baselines, broken, source))
    for (const cell of cells.values()) {
      const change = changeIn(cell);
      if (change === undefined) continue;
      const trigger = madeByFew({ cell, column, what, count, reading: 'change', ...change });
      if (trigger !== undefined) few.push({ ...trigger, units: [`${cell.id}#${unitOf.get(holds)}`] });
    }
  return few;
}

/**
 * England's rows (and count columns) of a key a PCN, not a person, determines (`pcnKeys` in catalogue.ts: wellbeing's
 * instrument, cof_system's service, a housing or police referral route, an activity category) made up by fewer
 * than MIN_CONTRIBUTORS PCNs or dominated by one (red-team review 28, R28-5). The period rule (periodsMadeByFew) sums
 * each PCN's contributions over every key and column of a period, so an instrument only one PCN uses, within a month
 * many PCNs sent, was published as that PCN's exact people, score means and interval, while its own rows below England
 * were withheld: which instrument a PCN uses is its choice, stable and often public, so the reader can tell whose it
 * is. Each such England row is therefore tested as a period is (a key column: each PCN's contributions to the row's
 * counts, summed over its rows of the other keys, cof_system's bands of a service; a count column of a category: that
 * column alone), by the rules `groupsMadeByFew` applies (fewer than 3 PCNs, the p% rule; no small-net rule: the level
 * says that each of k PCNs has some, not which), and where it fails it is held alone as no figure (where one was
 * published before, at that value), with the rest of its unit (a total and all its parts: a source held holds its
 * row's referrals and every source, so none is a total less the others) and its period's year (a year less its other
 * months would give the month back) or, for a year with no month held, its months (which would add up to it). Not
 * its period in other documents: nothing else publishes a key row of a PCN's choice or adds up with one (cof_system's
 * services add up to no total; wellbeing's instruments are people per instrument, cof_person's and equity's a
 * headline instrument per referral or person; a held source row's referrals are rollout's, published there).
 */
function keyRowsMadeByFew(
  definition: MetricDefinition,
  cells: ReadonlyMap<string, RowCells>,
  columns: readonly string[],
  unitOf: ReadonlyMap<string, number>,
): HeldAlone[] {
  // Units (row id # unit) held, each with the trigger that first held it.
  const held = new Map<string, Trigger>();
  for (const test of keyTestsOf(definition, cells, columns)) {
    const contributions = levelOf(test.cells, test.columns);
    const first = test.cells[0] as RowCells;
    const trigger = madeByFew({
      cell: first,
      column: test.label,
      what: 'the key',
      contributions,
      count: false,
      reading: 'members',
    });
    if (trigger === undefined) continue;
    // A key column's rows are held whole; a category column with its unit (its total and the other parts).
    for (const cell of test.cells)
      for (const column of test.holds) {
        const unit = unitOf.get(column);
        if (unit !== undefined && !held.has(`${cell.id}#${unit}`)) held.set(`${cell.id}#${unit}`, trigger);
      }
  }
  holdKeyYears(cells, held);
  const byTrigger = new Map<Trigger, string[]>();
  for (const [key, trigger] of held) {
    const units = byTrigger.get(trigger) ?? [];
    units.push(key);
    byTrigger.set(trigger, units);
  }
  return [...byTrigger].map(([trigger, units]) => ({ ...trigger, units }));
}

/**
 * What keyRowsMadeByFew tests: England's rows of one period and one value of the key columns (every count, summed;
 * all their figures held), and each category column of each England row (that column; its unit held).
 */
function keyTestsOf(
  definition: MetricDefinition,
  cells: ReadonlyMap<string, RowCells>,
  columns: readonly string[],
): Array<{ cells: RowCells[]; columns: readonly string[]; holds: readonly string[]; label: string }> {
  const declared = definition.pcnKeys ?? [];
  const keyColumns = declared.filter((k) => definition.keys.includes(k));
  const categories = declared.filter((c) => columns.includes(c));
  const counts = definition.rules.counts.filter((c) => columns.includes(c));
  const england = [...cells.values()].filter((cell) => cell.england !== null);
  const byKey = new Map<
    string,
    { cells: RowCells[]; columns: readonly string[]; holds: readonly string[]; label: string }
  >();
  if (keyColumns.length > 0)
    for (const cell of england) {
      const label = keyColumns.map((k) => `${k} ${keyPart(cell.england?.[k])}`).join(', ');
      const id = `${cell.periodType}|${cell.period}|${label}`;
      const found = byKey.get(id) ?? { cells: [], columns: counts, holds: columns, label };
      found.cells.push(cell);
      byKey.set(id, found);
    }
  return [
    ...byKey.values(),
    ...england.flatMap((cell) => categories.map((c) => ({ cells: [cell], columns: [c], holds: [c], label: c }))),
  ];
}

/**
 * A key's month held holds the same key's year (the year less its other months would give it back); a year held with
 * none of its months, its months (which would add up to it). In place: `held` maps row id # unit to its trigger.
 */
function holdKeyYears(cells: ReadonlyMap<string, RowCells>, held: Map<string, Trigger>): void {
  const units = new Set(held.keys());
  const monthsOf = new Map<string, RowCells[]>();
  for (const cell of cells.values())
    if (cell.england !== null && cell.periodType === 'month') {
      const year = `fy|${financialYearOf(cell.period)}${cell.keyId}`;
      const months = monthsOf.get(year) ?? [];
      months.push(cell);
      monthsOf.set(year, months);
    }
  for (const key of units) {
    const [id, unit] = [key.slice(0, key.lastIndexOf('#')), key.slice(key.lastIndexOf('#') + 1)];
    const cell = cells.get(id) as RowCells;
    const trigger = held.get(key) as Trigger;
    const also =
      cell.periodType === 'month'
        ? [`fy|${financialYearOf(cell.period)}${cell.keyId}`].filter((year) => cells.has(year))
        : (monthsOf.get(id) ?? []).some((month) => units.has(`${month.id}#${unit}`))
          ? []
          : (monthsOf.get(id) ?? []).map((month) => month.id);
    for (const other of also) if (!held.has(`${other}#${unit}`)) held.set(`${other}#${unit}`, trigger);
  }
}

interface RowCells {
  readonly id: string;
  readonly period: string;
  readonly periodType: string;
  readonly keyId: string;
  /** The England row in the published rows (null: England is the sum of PCN rows, no row of its own). */
  readonly england: Row | null;
  /** column -> exact current value */
  readonly values: Map<string, number>;
  /** column -> contributions aligned to pcnCodes */
  readonly contributions: Map<string, number[]>;
}

/** A unit held by its own change (row id: period type | period | keys) and why (`whyHeld`). */
export interface HoldTrigger {
  readonly document: string;
  readonly period: string;
  readonly row: string;
  readonly column: string;
  readonly reason: string;
}

/** What a document's revision found and decided, kept to the end of the refresh (periods held later apply to it). */
interface Revised {
  readonly definition: MetricDefinition;
  readonly found: FoundCells;
  readonly columns: readonly string[];
  readonly unitOf: ReadonlyMap<string, number>;
  /**
   * Each figure's published value and contributions then (made again when needed rather than kept: realigned, they
   * are as large as the record's part for the document).
   */
  readonly baselines: () => ReadonlyMap<string, CellState | undefined>;
  /** Units held by their own change (row id # unit). */
  readonly own: ReadonlySet<string>;
  /** Units of a group's figures made up by few PCNs (row id # unit): held alone, not their period. */
  readonly few: ReadonlySet<string>;
  readonly failClosed: boolean;
  /** The previous release's England rows by row id (their span columns, below). */
  readonly previousRows: ReadonlyMap<string, Row>;
  /** How many of its cells were held by period when it was built. */
  heldByPeriod: number;
  /** The release its held values come from. */
  readonly from: HeldFrom;
  /**
   * The columns whose series breaks at this release (their definition is not the record's; a break stated since is
   * not): nothing of them is differenced.
   */
  readonly brokenColumns: ReadonlySet<string>;
  /** The held years whose counts follow their months at this refresh (followMonths), by row id. */
  followed: ReadonlySet<string>;
}

/**
 * The policy for one refresh: `revise` holds each document's England figures (before derived figures are made from
 * them), `settle` holds, in documents built before, the periods a later document found held, and `save` records the
 * state after the release is published.
 */
export class EnglandRevisions {
  private readonly next: Record<string, DocumentState> = {};
  private readonly held = new Map<string, RevisionsHeld>();
  private readonly revised = new Map<string, Revised>();
  /**
   * The periods (months and financial years) of which every England figure is held, in every document: any figure of
   * the period held by its own change, or a month of the year (review 3, H1).
   */
  private readonly periods = new Set<string>();
  /** Each unit held by its own change: the first figure of it that failed the rule, and why (the period rule's causes). */
  private triggers: HoldTrigger[] = [];
  /** Years with a figure held by its own change (their months, settle). */
  private readonly ownYears = new Set<string>();
  /**
   * Periods held in one document alone, by document: held for its own figures (`documentOnly`, review 9), which no
   * other document publishes or adds up with; and its years so held (their months, settle).
   */
  private readonly local = new Map<string, { periods: Set<string>; ownYears: Set<string> }>();
  /** The documents whose series breaks at this release (their definition is not the record's), or broke in the year before. */
  private readonly breaks = new Map<string, SeriesBreak>();

  private constructor(
    private readonly inputs: RevisionInputs,
    /** The release published now (meta.json), or undefined before the first. */
    private readonly published: { release: string } | undefined,
    private readonly state: RevisionState | undefined,
  ) {}

  /** `previousRelease`: the generated_at of the meta.json published now, undefined before the first release. */
  static async open(inputs: RevisionInputs, previousRelease: string | undefined): Promise<EnglandRevisions> {
    if (previousRelease === undefined) return new EnglandRevisions(inputs, undefined, undefined);
    return new EnglandRevisions(inputs, { release: previousRelease }, await readState(inputs.store));
  }

  /** How many England figures of a document hold a revision back, for its summary. */
  heldOf(name: string): RevisionsHeld | undefined {
    return this.held.get(name);
  }

  /** The break in a document's series stated by this release (at it, or in the year before it), for its summary. */
  seriesBreakOf(name: string): SeriesBreak | undefined {
    return this.breaks.get(name);
  }

  /** A document's summary entries of this policy (what it holds back, a break in its series), or undefined if none. */
  summaryOf(
    name: string,
  ): { revisions_held?: RevisionsHeld; series_break?: SeriesBreak; cohort_gaps_held?: CohortGapsHeld } | undefined {
    const held = this.held.get(name);
    const broken = this.breaks.get(name);
    if (!held && !broken) return undefined;
    const gaps = this.cohortGapsHeldIn(name);
    return {
      ...(held ? { revisions_held: held } : {}),
      ...(broken ? { series_break: broken } : {}),
      ...(gaps ? { cohort_gaps_held: gaps } : {}),
    };
  }

  /** The periods of which every England figure is held (so far in the refresh; final after `settle`). */
  heldPeriods(): ReadonlySet<string> {
    return this.periods;
  }

  /**
   * The periods of which every England figure of one document is held: those held in every document, and those held
   * in it alone (its `documentOnly` figures; final after `settle`).
   */
  heldPeriodsIn(name: string): ReadonlySet<string> {
    const local = this.local.get(name)?.periods;
    return local === undefined || local.size === 0 ? this.periods : new Set([...this.periods, ...local]);
  }

  /** Holds the period of a unit held by its own change where holdScope says: every document, its own, or more. */
  private holdOwnChange(
    definition: MetricDefinition,
    cell: RowCells,
    documentOnly: boolean,
    hold: (cell: RowCells, scope: HoldScope) => void,
  ): void {
    const scope = holdScope(definition, cell, documentOnly);
    hold(cell, typeof scope === 'string' ? scope : 'document');
    if (typeof scope !== 'string') for (const name of scope.documents) holdIn(this.localOf(name), cell);
  }

  /**
   * Holds England's periods whose referrals less a cohort are made up by few PCNs (cohortGapsMadeByFew; R26-1) in the
   * document and in those its `cohortGaps` name, as local holds (each with its year, or a year with its months).
   */
  private holdCohortGaps(definition: MetricDefinition, cells: ReadonlyMap<string, RowCells>): void {
    for (const gap of cohortGapsMadeByFew(definition.cohortGaps ?? [], cells, this.inputs.dataAsOf)) {
      for (const name of new Set([definition.name, ...gap.heldIn])) {
        holdIn(this.localOf(name), gap);
        // Said in the document's summary (cohortGapsHeldIn): a month holds its year.
        const periods = this.cohortGapPeriods.get(name) ?? new Set<string>();
        this.cohortGapPeriods.set(name, periods);
        periods.add(gap.period);
        if (gap.periodType === 'month') periods.add(financialYearOf(gap.period));
      }
      const { heldIn: _, periodType: __, contributions, ...trigger } = gap;
      // With the PCNs making the difference, for the refresh's log (holdLog: which PCNs' data hold which periods).
      this.pushTrigger({ document: definition.name, ...trigger }, contributions);
    }
  }

  /** The periods each document holds for a cohort gap (holdCohortGaps), months with their years. */
  private readonly cohortGapPeriods = new Map<string, Set<string>>();

  /**
   * England's periods of a document held for a cohort gap (R32-2), for its summary (cohort_gaps_held): those of its
   * periods holding figures back (summary.revisions_held) that a cohort gap holds; undefined where none.
   */
  cohortGapsHeldIn(name: string): CohortGapsHeld | undefined {
    const gaps = this.cohortGapPeriods.get(name);
    const periods = (this.held.get(name)?.periods ?? []).filter((period) => gaps?.has(period));
    return periods.length === 0 ? undefined : { periods };
  }

  /** A document's periods held in it alone, and its years held so (their months, settle). */
  private localOf(name: string): { periods: Set<string>; ownYears: Set<string> } {
    let found = this.local.get(name);
    if (found === undefined) {
      found = { periods: new Set(), ownYears: new Set() };
      this.local.set(name, found);
    }
    return found;
  }

  /**
   * The units held by their own change, each with the first of its figures that failed the rule and why: what set off
   * each held period (every other held figure is held by the period rule). For measuring the policy, not published.
   */
  heldByOwnChange(): readonly HoldTrigger[] {
    return this.triggers;
  }

  /**
   * A unit held by its own change, with the PCNs whose change it is (largest first, at most 5), kept beside the
   * trigger for the refresh's log (holdLog): which PCN holds which period (red-team review 21, R21-3: a lone PCN's
   * history sent late holds its months and their year until 2 more PCNs revise them, and operators could not see why).
   */
  private pushTrigger(trigger: HoldTrigger, changes: readonly number[]): void {
    this.triggers.push(trigger);
    const pcns = changes
      .map((change, i) => ({ code: this.inputs.pcnCodes[i] as string, size: Math.abs(change) }))
      .filter((p) => p.size > TOLERANCE)
      .sort((a, b) => b.size - a.size || a.code.localeCompare(b.code))
      .slice(0, 5)
      .map((p) => p.code);
    this.changers.set(trigger, pcns);
  }

  private readonly changers = new WeakMap<HoldTrigger, readonly string[]>();

  /**
   * Lines for the refresh's log (not published: PCN codes beside what their change holds): for each set of PCNs
   * whose change of a published England figure is held by its own rule, and why, the periods it holds (each document's).
   * A period that a lone PCN's change holds stays held until 2 more PCNs change it (methodology, "Revisions of
   * England's figures"); the log is where an operator sees which PCN and months that is.
   */
  holdLog(): string[] {
    const groups = new Map<string, Map<string, Set<string>>>();
    for (const trigger of this.triggers) {
      const pcns = this.changers.get(trigger);
      if (pcns === undefined) continue;
      const key = `${pcns.join(', ') || 'no PCN'}: ${trigger.reason}`;
      const documents = groups.get(key) ?? new Map<string, Set<string>>();
      groups.set(key, documents);
      const periods = documents.get(trigger.document) ?? new Set<string>();
      documents.set(trigger.document, periods);
      periods.add(trigger.period);
    }
    return [...groups].map(
      ([key, documents]) =>
        `revisions: England figures held by the change of ${key}; ${[...documents]
          .map(([document, periods]) => `${document} ${[...periods].sort().join(' ')}`)
          .join('; ')}`,
    );
  }

  /** The same for the whole release (meta.json), or undefined when nothing is held. */
  heldInRelease(): MetaDocument['revisions_held'] | undefined {
    if (this.held.size === 0) return undefined;
    const all = [...this.held.values()];
    return {
      figures: all.reduce((s, h) => s + h.figures, 0),
      periods: [...new Set(all.flatMap((h) => h.periods))].sort(),
      fail_closed: all.some((h) => h.fail_closed),
      documents: Object.fromEntries(this.held),
    };
  }

  /**
   * Holds the England figures of `published` (in place) that may not be revised yet, and returns the exact rows with
   * England's figures as published (for summaries and funnel comparators, which read the exact rows).
   */
  revise(
    definition: MetricDefinition,
    published: Row[],
    exact: readonly Row[],
    previous: MetricDocument | undefined,
  ): readonly Row[] {
    const { columns, unitOf } = unitsOf(definition);
    if (definition.rules.counts.length === 0 || columns.length === 0) return exact;
    const found = collectCells(definition, published, exact, columns, this.inputs.pcnCodes, this.inputs.outOfForce);
    const saved = this.state?.documents[definition.name];
    // A change of definition is not a revision of data: every PCN's figures of a changed column change at once, and
    // where a part of that change is one or two PCNs' the rule would hold the period release after release, at the
    // old definition's values (453 England figures nationally). So where the record's values are of another
    // definition, the columns the new one changed (catalogue.ts, `changes`) are not differenced across the break: they
    // start their record again from this release, as at a first release, and the document says so. They still hold
    // the periods other documents find held (review 3, H1), as no figure: no value of their definition is published.
    // The columns it did not change are counted as before, so their values are differenced against the record as any
    // revision is, and a revision held in them stays held (review 7, M4: the whole record started again, and a held
    // change of a column counted as before was published at the bump, for two downloads to give). Where which columns
    // changed is not known (not declared, or a record without versions), none starts again: fail closed.
    const versionChanged =
      this.published !== undefined && saved !== undefined && saved.definition !== definition.version;
    const changed = versionChanged ? changedColumns(definition, saved.definition) : undefined;
    const brokenColumns = new Set(
      changed === undefined ? [] : changed === 'all' ? columns : columns.filter((column) => changed.has(column)),
    );
    const earlier =
      saved?.series_break &&
      daysBetween(saved.series_break.since_release, this.inputs.generatedAt) <= SERIES_BREAK_STATED_DAYS
        ? saved.series_break
        : undefined;
    // A version that changed no column (its changes counted as revisions) breaks no series: nothing to state.
    const noneChanged = changed !== undefined && changed !== 'all' && changed.size === 0;
    const stated: SeriesBreak | undefined =
      versionChanged && !noneChanged
        ? mergedBreak(
            {
              since_release: this.inputs.generatedAt,
              reason: saved.definition === undefined ? DEFINITION_NOT_RECORDED : DEFINITION_CHANGED,
              ...(changed === undefined || changed === 'all' ? {} : { columns: [...changed].sort() }),
            },
            earlier,
          )
        : earlier;
    if (stated) this.breaks.set(definition.name, stated);
    /** Every column starts again: nothing of the record is differenced. */
    const broken = brokenColumns.size === columns.length;
    const monthsColumn = definition.monthMeans?.months;
    const previousCells =
      previous && found.hasEngland && !broken
        ? englandValues(previous, monthsColumn === undefined ? columns : [...columns, monthsColumn], found.rowId)
        : undefined;
    // Fail closed: a release exists but the record is not of it, or not of this document as published. A document
    // missing from the store (deleted since) leaves the record, which names the release, as what was published.
    const failClosed =
      this.published !== undefined &&
      !broken &&
      (this.state === undefined ||
        this.state.release !== this.published.release ||
        saved === undefined ||
        (previous !== undefined &&
          (saved.generated_at !== previous.generated_at ||
            (previousCells !== undefined &&
              !matchesPublished(saved, previousCells, (column) => publishedTolerance(definition, column))))));
    const oldIndex = this.state ? alignment(this.state.pcns, this.inputs.pcnCodes) : [];
    // Columns the record does not keep though it keeps the document: new to the policy (workforce's covered caseload,
    // December 2026, published unheld before). Their published values are differenced as when failing closed: the
    // value shown stays until its change since then passes with that change as an unknown part (a release publishing
    // it as at a first release would give, beside the release before, whatever one PCN changed in between).
    const recorded = new Set(Object.keys(saved?.cells ?? {}).map((key) => key.slice(key.lastIndexOf('#') + 1)));
    const newToRecord = (column: string) => saved !== undefined && !recorded.has(column);
    const baselineOf = (cell: RowCells, column: string): CellState | undefined =>
      brokenColumns.has(column)
        ? undefined
        : failClosed || newToRecord(column)
          ? previous && failClosedBaseline(definition, cell, column, previous.generated_at, previousCells, this.inputs)
          : recordedBaseline(saved, `${cell.id}#${column}`, oldIndex);
    const baselinesOf = () => {
      const baselines = new Map<string, CellState | undefined>();
      for (const cell of found.cells.values())
        for (const column of columns) baselines.set(`${cell.id}#${column}`, baselineOf(cell, column));
      return baselines;
    };
    const baselines = baselinesOf();
    // A document revised again (the contacts distribution: for the medians, then built) is recorded once.
    this.triggers = this.triggers.filter((t) => t.document !== definition.name);
    const own =
      this.published === undefined || broken
        ? new Set<string>()
        : this.heldUnitsOf(definition, found.cells, columns, unitOf, baselines, failClosed, brokenColumns);
    // A period is held in every document (review 3, H1), or in this one alone where what holds it is the document's
    // own (`documentOnly`: no other document publishes it or adds up with it; review 9). Either way with its year
    // (a month's) or its months (a year's, settle): a year and its months add up within a document.
    const local = this.localOf(definition.name);
    const hold = (cell: Pick<RowCells, 'period' | 'periodType'>, scope: HoldScope) =>
      holdIn(scope === 'all' ? { periods: this.periods, ownYears: this.ownYears } : local, cell);
    const ownColumns = new Set(definition.documentOnly ?? []);
    const localUnits = new Set(
      [...new Set(unitOf.values())].filter((unit) =>
        columns.every((column) => unitOf.get(column) !== unit || ownColumns.has(column)),
      ),
    );
    // A group's figures (GroupFigures) held by their own change are held alone, as when made up by few: nothing adds
    // up with them, and their period held in every document froze England's year and new month at every release
    // (review 11, R11-2).
    const alone = groupUnitsOf(definition, own, unitOf);
    for (const key of own) {
      if (alone.has(key)) continue;
      const unit = Number(key.slice(key.lastIndexOf('#') + 1));
      const cell = found.cells.get(key.slice(0, key.lastIndexOf('#'))) as RowCells;
      this.holdOwnChange(definition, cell, localUnits.has(unit), hold);
    }
    // Differences of England figures as two releases give them, changed by few PCNs: the FTE outside the group's spans
    // (review 11, R11-2), a total less a part that is a count of its own (review 27, R27-1), England's people referred
    // less the covered people (review 28, R28-7); each held alone (no baselines at a first release, none of a column
    // whose series breaks).
    const differences = differencesChangedByFew(
      definition,
      found.cells,
      unitOf,
      baselines,
      brokenColumns,
      definition.coveredShare && this.revised.get(definition.coveredShare.document),
    );
    const triggerOf = ({ units: _, ...trigger }: HeldAlone): HoldTrigger => ({ document: definition.name, ...trigger });
    this.triggers.push(...differences.map(triggerOf));
    // A period made up by fewer than 3 PCNs, or dominated by one, is held at every release, the first included
    // (review 8, N5).
    const few = [
      ...periodsMadeByFew(definition, found.cells, columns),
      // Each staff figure's own PCNs (review 28, R28-1).
      ...staffMadeByFew(definition, found.cells, columns),
    ];
    for (const period of few) {
      hold(period, period.scope);
      const { periodType: _, scope: __, ...trigger } = period;
      this.triggers.push({ document: definition.name, ...trigger });
    }
    // England's referrals less a cohort of a period ended by its cut-off, the referrals of the PCNs whose data ended
    // in their window (red-team review 26, R26-1), made up by fewer than 3 PCNs or dominated by one: the period held,
    // at every release, in this document and in those publishing that cohort or a sum of it (local holds).
    this.holdCohortGaps(definition, found.cells);
    // A group's figures made up by fewer than 3 PCNs or dominated by one, at every release: held alone (review 8, N5).
    const fewGroups = groupsMadeByFew(definition, found.cells, unitOf);
    this.triggers.push(...fewGroups.map(triggerOf));
    // England's rows of a key a PCN determines made up by fewer than 3 PCNs or dominated by one: held alone (R28-5).
    const fewKeys = keyRowsMadeByFew(definition, found.cells, columns, unitOf);
    this.triggers.push(...fewKeys.map(triggerOf));
    const entry: Revised = {
      definition,
      found,
      few: new Set([
        ...fewGroups.flatMap((g) => g.units),
        ...alone,
        ...differences.flatMap((d) => d.units),
        ...fewKeys.flatMap((k) => k.units),
      ]),
      columns,
      unitOf,
      baselines: baselinesOf,
      own,
      failClosed,
      // A held row shows the span of the release its held values come from; where every column breaks, a held row's
      // figures are none, and so its span.
      previousRows: previous && found.hasEngland && !broken ? englandRows(previous, found.rowId) : new Map(),
      heldByPeriod: 0,
      from: { release: previous?.generated_at ?? null, dataAsOf: previous?.data_as_of ?? null },
      brokenColumns,
      followed: new Set(),
    };
    this.revised.set(definition.name, entry);
    const applied = this.apply(entry, baselines);
    return applied.heldRows.size === 0
      ? exact
      : asPublished(exact, found, applied.heldRows, this.inputs.pcnCodes, (id) =>
          this.originOf(entry, id, applied.heldRows, baselines),
        );
  }

  /** Holds a document's units held by their own change and every unit of a held period; records what it holds. */
  private apply(
    entry: Revised,
    baselines: ReadonlyMap<string, CellState | undefined> = entry.baselines(),
  ): ReturnType<typeof applyHolds> {
    const { definition, found, columns, unitOf, own, failClosed } = entry;
    const units = [...new Set(unitOf.values())];
    const heldUnits = new Set([...own, ...entry.few]);
    const local = this.localOf(definition.name).periods;
    entry.heldByPeriod = 0;
    for (const cell of found.cells.values())
      if (this.periods.has(cell.period) || local.has(cell.period)) {
        entry.heldByPeriod += 1;
        for (const unit of units) heldUnits.add(`${cell.id}#${unit}`);
      }
    const applied = applyHolds(
      found.cells,
      columns,
      unitOf,
      baselines,
      heldUnits,
      this.inputs,
      (cell, column) => maturedSince(definition, cell, column, entry.from.dataAsOf, this.inputs.dataAsOf),
      entry.brokenColumns,
      this.sharedBaseline(definition.name),
    );
    holdSpans(found.cells, units, heldUnits, entry.previousRows);
    // A year held beside months held since before the release published now (a hold that outlived a release: R21-3)
    // follows its months as published.
    entry.followed = followMonths(
      definition,
      found.cells,
      columns,
      unitOf,
      applied,
      baselines,
      entry,
      this.inputs,
      this.heldBeforeRelease(entry.from.release),
    );
    for (const id of applied.heldRows.keys()) {
      const england = found.cells.get(id)?.england;
      if (england) heldMarks.set(england, this.originOf(entry, id, applied.heldRows, baselines));
    }
    const stated = this.breaks.get(definition.name);
    this.next[definition.name] = {
      generated_at: this.inputs.generatedAt,
      definition: definition.version,
      ...(stated ? { series_break: stated } : {}),
      cells: applied.cellsNext,
    };
    if (applied.figures > 0 || failClosed)
      this.held.set(definition.name, {
        figures: applied.figures,
        periods: [...applied.periods].sort(),
        fail_closed: failClosed,
      });
    return applied;
  }

  /**
   * After every document is built: holds, in the documents built before, the periods found held since (their England
   * rows, in place), and returns the names of the documents whose England rows changed, whose derived figures the
   * caller makes again from the held values. A document without England rows (England the sum of its PCN rows:
   * pcn_comparison) cannot be settled here (its comparators were made from its PCN rows): it must be built after every
   * document that can hold a period, as the catalogue's order has it.
   */
  settle(): string[] {
    // A year held by its own change while none of its months is held would be published by its months, which add up
    // to it (review 4, F5 b): its months are held too. When a month of it is held, that month's figures stay as
    // published and the year's change cannot be worked out from the others, so the new months are not held for it.
    for (const fy of this.ownYears) {
      const months = monthsOfFinancialYear(fy);
      if (!months.some((month) => this.periods.has(month))) for (const month of months) this.periods.add(month);
    }
    // The same for a year held in one document alone (documentOnly), in that document.
    for (const [, local] of this.local)
      for (const fy of local.ownYears) {
        const months = monthsOfFinancialYear(fy);
        if (!months.some((month) => this.periods.has(month) || local.periods.has(month)))
          for (const month of months) local.periods.add(month);
      }
    const changed: string[] = [];
    for (const [name, entry] of this.revised) {
      const before = entry.heldByPeriod;
      const local = this.localOf(name).periods;
      let now = 0;
      for (const cell of entry.found.cells.values())
        if (this.periods.has(cell.period) || local.has(cell.period)) now += 1;
      if (now === before) continue;
      if (!entry.found.hasEngland)
        throw new Error(
          `revisions: ${name} has no England rows and was built before a period it must hold was found held: build it after every document with England rows (catalogue order)`,
        );
      this.apply(entry);
      changed.push(name);
    }
    return changed;
  }

  /**
   * For a document's held England cell it has no record of: the baseline of the same count on the same England row as
   * a partner publishing it records it (JointCount: rollout's and referral_sources' referrals, cof_person's episodes),
   * where the period is held in every document (so the partner shows its recorded value too); undefined where none
   * has one. rollout counts a month from its offers declined too, so in a programme's first month, offers declined and
   * no referral, rollout has an England row (referrals 0) and the documents made from the episodes none; a late
   * referral into that month held it in rollout at 0 and in the others as no figure: one count, two figures (the
   * England form of joint30's gap, closed below England by rev31: area-revisions.ts, sharedCounts). A period held in
   * one document alone (a cohort gap in cof_person: rollout's referrals are not held for it) is left as it is. Each
   * partner's baseline is its own when it was revised before this document, else its record's.
   */
  private sharedBaseline(name: string): (cell: RowCells, column: string) => CellState | undefined {
    const partners = new Map<string, { document: string; column: string }[]>();
    for (const count of this.inputs.joint ?? []) {
      const everyRow = count.cells.filter((c) => c.rows === undefined);
      for (const mine of everyRow.filter((c) => c.document === name))
        partners.set(mine.column, [
          ...(partners.get(mine.column) ?? []),
          ...everyRow.filter((c) => c.document !== name).map(({ document, column }) => ({ document, column })),
        ]);
    }
    const baselinesOf = new Map<string, ReadonlyMap<string, CellState | undefined>>();
    const oldIndex = this.state ? alignment(this.state.pcns, this.inputs.pcnCodes) : [];
    return (cell, column) => {
      if (!this.periods.has(cell.period) || cell.england === null) return undefined;
      for (const partner of partners.get(column) ?? []) {
        const key = `${cell.id}#${partner.column}`;
        const entry = this.revised.get(partner.document);
        if (entry !== undefined && !entry.found.hasEngland) continue;
        let baselines = baselinesOf.get(partner.document);
        if (baselines === undefined && entry !== undefined) {
          baselines = entry.baselines();
          baselinesOf.set(partner.document, baselines);
        }
        const state =
          entry === undefined
            ? recordedBaseline(this.state?.documents[partner.document], key, oldIndex)
            : baselines?.get(key);
        if (state !== undefined && state.v !== null && state.b === undefined) return state;
      }
      return undefined;
    };
  }

  /** The units (row id # unit) whose own change may not be released. */
  private heldUnitsOf(
    definition: MetricDefinition,
    cells: ReadonlyMap<string, RowCells>,
    columns: readonly string[],
    unitOf: ReadonlyMap<string, number>,
    baselines: ReadonlyMap<string, CellState | undefined>,
    failClosed: boolean,
    /** Columns whose series breaks at this release: nothing of them is differenced. */
    broken: ReadonlySet<string>,
  ): Set<string> {
    // Figures that follow their unit without a test of their own: an England-only interval (the mean's; no PCN has
    // one), figures describing a count's people (PCNs reporting, organisations, kinds of source) and a group's
    // number of PCNs and its rates of people (`groupFigures`' `pcns` and `share`): they change with the count, and
    // PCNs reporting changes by exactly the number of PCNs that changed, so the small-net test would hold every
    // change of it.
    const follower = followersOf(definition);
    // The small-net rule for counts of people alone (R11-2).
    const counts = new Set(definition.rules.counts);
    const held = new Set<string>();
    for (const cell of cells.values())
      for (const column of columns) {
        const count = counts.has(column);
        const before = baselines.get(`${cell.id}#${column}`);
        const current = cell.values.get(column) ?? null;
        const publishedValue = before?.v ?? null;
        const changed =
          publishedValue === null ? current !== null && Math.abs(current) > TOLERANCE : !same(publishedValue, current);
        // A figure held at a break (`b`) is shown with its period: nothing of its definition was published before.
        if (!changed || broken.has(column) || (follower.has(column) && !failClosed) || (before?.b && !failClosed))
          continue;
        const contributions = cell.contributions.get(column) ?? [];
        // A figure first shown now when failing closed waits a refresh (its document may be from another refresh).
        const release =
          before === undefined
            ? !failClosed && releasable(contributions, 0, count)
            : releasable(
                contributions.map((v, i) => v - (before.c[i] ?? 0)),
                before.x ?? 0,
                count,
              );
        if (release) continue;
        const unit = `${cell.id}#${unitOf.get(column)}`;
        if (!held.has(unit))
          this.pushTrigger(
            {
              document: definition.name,
              period: cell.period,
              row: cell.id,
              column,
              reason:
                before === undefined
                  ? failClosed
                    ? 'first shown while failing closed'
                    : `new figure: ${whyHeld(contributions, 0, count)}`
                  : whyHeld(
                      contributions.map((v, i) => v - (before.c[i] ?? 0)),
                      before.x ?? 0,
                      count,
                    ),
            },
            before === undefined ? contributions : contributions.map((v, i) => v - (before.c[i] ?? 0)),
          );
        held.add(unit);
      }
    return held;
  }

  /**
   * Where a held row's values come from: the release that published them (its cells' `since`, the oldest where they
   * differ) and that release's data-as-of date. Not simply the release before: from a hold's second refresh on, that
   * release re-shows the values of an earlier one, and a held year judged at its date was called complete with the
   * earlier release's people as the year's total (review 5, G7). Failing closed, the values are the release before's.
   */
  private originOf(
    entry: Revised,
    rowId: string,
    heldRows: HeldRows,
    baselines: ReadonlyMap<string, CellState | undefined>,
  ): HeldFrom {
    let since: string | undefined;
    for (const column of Object.keys(heldRows.get(rowId) ?? {})) {
      const from = baselines.get(`${rowId}#${column}`)?.since;
      if (from !== undefined && (since === undefined || from < since)) since = from;
    }
    // A year following its months (followMonths) is of the months published now: judged at this release's date.
    const now = entry.followed.has(rowId) ? { dataAsOf: this.inputs.dataAsOf ?? null } : {};
    if (since === undefined || since === entry.from.release) return { ...entry.from, ...now };
    const recorded = this.state?.as_of?.[since];
    return { release: since, dataAsOf: recorded ?? null, ...now };
  }

  /**
   * The last refresh of the release before this one (the last refresh whose data-as-of date differs from this one's):
   * the refresh before when its data-as-of differs, else as the record of the refresh before says. Undefined where the
   * record does not say (one written before R22-1, one not of the release published now, no data-as-of date given).
   */
  private releaseBefore(): string | undefined {
    const state = this.state;
    if (state === undefined || state.release !== this.published?.release || this.inputs.dataAsOf === undefined)
      return undefined;
    const last = state.as_of?.[state.release];
    if (last === undefined) return undefined;
    return last !== this.inputs.dataAsOf ? state.release : state.release_before;
  }

  /**
   * Whether a held value recorded `since` a refresh was held from a release before this one: the hold began at the
   * refresh after `since`, so it is from an earlier release when `since` is before the last refresh of the release
   * before (R21-3). A next-morning refresh of the same data-as-of date is the same release (R22-1); where the record
   * does not say which refresh ended the release before, the refresh before (`previous`) stands for it.
   */
  private heldBeforeRelease(previous: string | null): (since: string) => boolean {
    const before = this.releaseBefore() ?? previous;
    return (since) => before !== null && since < before;
  }

  /** The record of this release, once made (prepareRecord), to be stored by save. */
  private recorded: Promise<Uint8Array> | undefined;

  /**
   * Starts making the record of this release (its state serialised, then gzipped in zlib's thread pool, beside the
   * documents and packs being written on this thread: issue 17), for save to store once meta.json is written. Call
   * once every document is built and settled (settle): nothing recorded changes after. Without it, save makes it.
   */
  prepareRecord(): void {
    this.recorded ??= this.record();
    // A failure is thrown by save, where it is awaited, not as an unhandled rejection meanwhile.
    this.recorded.catch(() => undefined);
  }

  /**
   * Records the state of the release just published: call after meta.json is written (the release's commit point).
   * A crash before it leaves the state of the release before: the next refresh sees it does not match and holds.
   */
  async save(): Promise<void> {
    await this.inputs.store.put(REVISIONS_STATE_KEY, await (this.recorded ?? this.record()));
  }

  /** The state of this release, serialised and gzipped (the same bytes as zlib's gzipSync at RECORD_GZIP_LEVEL). */
  private async record(): Promise<Uint8Array> {
    // The data-as-of dates of the releases the values recorded come from, this one's among them.
    const asOf: Record<string, string | null> = { [this.inputs.generatedAt]: this.inputs.dataAsOf ?? null };
    const releaseBefore = this.releaseBefore();
    if (this.published !== undefined && this.state?.release === this.published.release)
      for (const document of Object.values(this.next))
        for (const cell of Object.values(document.cells))
          if (!(cell.since in asOf)) asOf[cell.since] = this.state.as_of?.[cell.since] ?? null;
    const state: RevisionState = {
      version: STATE_VERSION,
      release: this.inputs.generatedAt,
      pcns: this.inputs.pcnCodes,
      documents: this.next,
      as_of: asOf,
      ...(releaseBefore === undefined ? {} : { release_before: releaseBefore }),
    };
    return gzipRecord(JSON.stringify(state));
  }
}

/**
 * A revisions record (England's, and below England's: area-revisions.ts) gzipped in zlib's thread pool, at level 1.
 * The records are private and read back whole by the next refresh (gunzipSync reads any level): level 1 makes them
 * about a fifth larger than zlib's default 6 for a fifth of its CPU time (issue 17: at 14 times the 5% demo's records,
 * 54 and 22 MB of JSON, 1.92 and 1.14 CPU s at level 6 against 0.39 and 0.20 at 1; 11.7 and 5.6 MB against 14.0 and
 * 6.4), and that time was spent while the documents were written. Level 3 saved a tenth of the bytes of level 1 for
 * 60% more time.
 */
export const gzipRecord = (json: string): Promise<Uint8Array> => gzipAsync(json, { level: RECORD_GZIP_LEVEL });

/** zlib's level for the revisions records (gzipRecord). */
export const RECORD_GZIP_LEVEL = 1;

const gzipAsync = promisify(gzip);

/**
 * A figure's baseline when the record does not match what is published (failing closed): the value shown (`since`: the
 * release that shows it), beside the PCNs' contributions as they are now, and England's own change since the value
 * shown as the unknown part (`x`, in contribution units: a mean's is its sum), whose contributors nobody knows. Not the
 * contributions now less the value shown: wherever England is not the sum of the PCNs' contributions (its interval,
 * which no PCN has; a PCN closed since; a person in two PCNs' referrals) that is not zero when nothing changed.
 * Nationally, after a fail-closed release, every held England interval of wellbeing carried one (462 of its 1,617
 * cells; 1,386 in another run), so a change later made by 3 PCNs was held beside a part nobody made. Undefined when the
 * document showed no figure (nothing published: the figure waits a refresh).
 */
function failClosedBaseline(
  definition: MetricDefinition,
  cell: RowCells,
  column: string,
  since: string,
  shownCells: ReadonlyMap<string, unknown> | undefined,
  inputs: RevisionInputs,
): CellState | undefined {
  const shown = shownCells?.get(`${cell.id}#${column}`);
  if (!isNumber(shown)) return undefined;
  const c = cell.contributions.get(column) ?? new Array<number>(inputs.pcnCodes.length).fill(0);
  const current = cell.values.get(column) ?? null;
  const mean = meanRuleOf(definition, column);
  const peopleShown = mean ? shownCells?.get(`${cell.id}#${mean.contributors}`) : undefined;
  const peopleNow = mean ? (cell.values.get(mean.contributors) ?? null) : undefined;
  // Unchanged since it was published (a mean or FTE is published rounded: the current value within that rounding, over
  // the same people, is what is shown): nothing of it is unknown, whoever's contributions make it now.
  if (
    current !== null &&
    Math.abs(current - shown) <= publishedTolerance(definition, column) &&
    peopleNow === peopleShown
  )
    return { v: current, since, c };
  const sumOf = (value: number | null, people: unknown) => (value ?? 0) * (isNumber(people) ? people : 0);
  const x = mean ? sumOf(current, peopleNow) - sumOf(shown, peopleShown) : (current ?? 0) - shown;
  return { v: shown, since, c, ...(Math.abs(x) > TOLERANCE ? { x } : {}) };
}

/** A figure's baseline from the record of the release published: its contributions follow a PCN code, not a position. */
function recordedBaseline(
  saved: DocumentState | undefined,
  key: string,
  oldIndex: readonly number[],
): CellState | undefined {
  const before = saved?.cells[key];
  if (before === undefined) return undefined;
  // PCNs open and close between releases: each PCN's contribution is taken from its own position in the record.
  return { ...before, c: oldIndex.map((i) => (i === -1 ? 0 : (before.c[i] ?? 0))) };
}

type HeldRows = Map<string, Record<string, number | readonly number[] | null>>;

interface FoundCells {
  readonly cells: Map<string, RowCells>;
  readonly hasEngland: boolean;
  readonly rowId: (row: Row) => string;
  readonly exactEngland: (row: Row) => boolean;
}

/**
 * England's cells of a document: its exact England rows (published rows, before derived figures) and each PCN's
 * contribution to them; without England rows (pcn_comparison), England is the sum of the PCN rows of each period.
 */
function collectCells(
  definition: MetricDefinition,
  published: readonly Row[],
  exact: readonly Row[],
  columns: readonly string[],
  pcnCodes: readonly string[],
  outOfForce: readonly string[] = [],
): FoundCells {
  const pcnIndex = new Map(pcnCodes.map((code, i) => [code, i]));
  const rowId = (row: Row) => {
    let key = `${keyPart(row.period_type)}|${keyPart(row.period)}`;
    for (const k of definition.keys) key += `|${keyPart(row[k])}`;
    return key;
  };
  const exactEngland = (row: Row) => row.level === 'national' && !(definition.pcnGroups?.rows(row) ?? false);
  const hasEngland = exact.some(exactEngland);
  const cells = new Map<string, RowCells>();
  const cellsOf = (row: Row, england: Row | null, id = rowId(row)) => {
    let found = cells.get(id);
    if (found === undefined) {
      found = {
        id,
        period: String(row.period),
        periodType: String(row.period_type),
        keyId: definition.keys.map((k) => `|${keyPart(row[k])}`).join(''),
        england,
        values: new Map(),
        contributions: new Map(),
      };
      cells.set(id, found);
    }
    return found;
  };
  for (const row of published) if (exactEngland(row)) cellsOf(row, row);
  // Each column's mean rule found once, not per PCN row and column (issue 17: a national document has 10^5 PCN rows).
  // A mean over the months of snapshots is one over England's months: a PCN's part is its months' sum (R11-2).
  const meanOf = columns.map((column) => meanRuleOf(definition, column));
  const group = definition.groupFigures;
  const groupOf = columns.map((column) => group?.figures[column]);
  // PCNs with rows that the reference in force does not list (a reference file that dropped a PCN with events):
  // England counts their events, the record cannot, so the check below names them (review 5, G8).
  const outside = new Set<string>();
  for (const row of exact) {
    const index = row.level === 'pcn' ? pcnIndex.get(String(row.code)) : undefined;
    if (index === undefined) {
      if (row.level === 'pcn') outside.add(String(row.code));
      continue;
    }
    // The row's id once: whether England has the cell, and the cell itself.
    const id = rowId(row);
    if (hasEngland && !cells.has(id)) continue;
    const target = cellsOf(row, null, id);
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c] as string;
      let list = target.contributions.get(column);
      if (list === undefined) {
        list = new Array(pcnCodes.length).fill(0);
        target.contributions.set(column, list);
      }
      const figures = exactFigures.get(row) ?? row;
      const of = groupOf[c];
      list[index] =
        (list[index] ?? 0) +
        (of === undefined || group === undefined
          ? contributionOf(figures, column, meanOf[c])
          : groupContribution(figures, of, group, definition));
    }
  }
  const shares = columns.filter((_, c) => {
    const of = groupOf[c];
    return of !== undefined && 'share' in of;
  });
  if (group?.span !== undefined && columns.includes(group.span.figure))
    spanParts(cells, exact, group, pcnIndex, (row) =>
      rowId({ ...row, period_type: 'fy', period: financialYearOf(String(row.period)) }),
    );
  if (shares.length > 0) shareOut(cells, shares, new Map(exact.filter(exactEngland).map((row) => [rowId(row), row])));
  for (const cell of cells.values())
    for (const column of columns) {
      const value = cell.england
        ? cell.england[column]
        : (cell.contributions.get(column)?.reduce((s, v) => s + v, 0) ?? 0);
      if (isNumber(value)) cell.values.set(column, value);
    }
  keepMonths(definition, cells);
  if (hasEngland) checkContributions(definition, cells, outside, outOfForce);
  return { cells, hasEngland, rowId, exactEngland };
}

/**
 * Each PCN's part of the group's figure over the spans (GroupFigures, `span`): its `sum` column over its month rows in
 * its span, in its year's cell (`yearOf`: the row id of a month's year), not its year row's, which is of every month.
 */
function spanParts(
  cells: ReadonlyMap<string, RowCells>,
  exact: readonly Row[],
  group: GroupFigures,
  pcnIndex: ReadonlyMap<string, number>,
  yearOf: (monthRow: Row) => string,
): void {
  const span = group.span as NonNullable<GroupFigures['span']>;
  const of = group.figures[span.figure];
  if (of === undefined || !('sum' in of)) return;
  for (const cell of cells.values()) cell.contributions.get(span.figure)?.fill(0);
  for (const row of exact) {
    const index = row.level === 'pcn' ? pcnIndex.get(String(row.code)) : undefined;
    if (index === undefined || row.period_type !== 'month' || !span.inSpan(row)) continue;
    const list = cells.get(yearOf(row))?.contributions.get(span.figure);
    if (list !== undefined)
      list[index] = (list[index] ?? 0) + contributionOf(exactFigures.get(row) ?? row, of.sum, undefined);
  }
}

/**
 * England's months of snapshots, which its means over them are over (`monthMeans`; failing closed, their sums: R11-2),
 * kept with its cells' values: a held row shows the months of the release its values come from (holdSpans).
 */
function keepMonths(definition: MetricDefinition, cells: ReadonlyMap<string, RowCells>): void {
  const months = definition.monthMeans?.months;
  if (months === undefined) return;
  for (const cell of cells.values()) {
    const value = cell.england?.[months];
    if (isNumber(value)) cell.values.set(months, value);
  }
}

/** A PCN's contribution to a group's figure (GroupFigures): 0 outside the group. */
function groupContribution(
  row: Row,
  of: GroupFigures['figures'][string],
  group: GroupFigures,
  definition: MetricDefinition,
): number {
  if (!group.rows(row)) return 0;
  if ('pcns' in of) return 1;
  const column = 'sum' in of ? of.sum : of.share;
  return contributionOf(row, column, 'sum' in of ? meanRuleOf(definition, column) : undefined);
}

/**
 * A column's mean rule: its own (`rules.means`), or for a mean over the months of snapshots (`monthMeans`) the months:
 * England's figure is its months' sum over England's months, each PCN's part its own months' sum (R11-2).
 */
function meanRuleOf(
  definition: MetricDefinition,
  column: string,
): MeanRule | Pick<MeanRule, 'contributors'> | undefined {
  const mean = definition.rules.means?.find((m) => m.column === column);
  if (mean !== undefined) return mean;
  const months = definition.monthMeans;
  return months?.columns.includes(column) ? { contributors: months.months } : undefined;
}

/**
 * A share figure split over the group's PCNs in proportion to their column (collected as contributions): its exact
 * value (the published one may be withheld) times each PCN's part of the group's total.
 */
function shareOut(
  cells: ReadonlyMap<string, RowCells>,
  shares: readonly string[],
  exactEngland: ReadonlyMap<string, Row>,
): void {
  for (const cell of cells.values())
    for (const column of shares) {
      const list = cell.contributions.get(column);
      if (list === undefined) continue;
      const value = exactEngland.get(cell.id)?.[column];
      const total = list.reduce((s, v) => s + v, 0);
      for (let i = 0; i < list.length; i++)
        list[i] = isNumber(value) && total > TOLERANCE ? (value * (list[i] as number)) / total : 0;
    }
}

/**
 * England's counts of events by the month of referral (`rules.monthly`: each is counted in one PCN's row) are the sum
 * of the PCNs' contributions the record keeps; if not, the rule would be deciding on changes it cannot see (review 4,
 * F5 a: suppressed totals read as 0), so the refresh stops. Distinct people and the other counts need not add up
 * (a person referred in two PCNs is one person in England).
 */
function checkContributions(
  definition: MetricDefinition,
  cells: ReadonlyMap<string, RowCells>,
  outside: ReadonlySet<string>,
  outOfForce: readonly string[],
): void {
  for (const column of definition.rules.monthly ?? [])
    for (const cell of cells.values()) {
      const value = cell.values.get(column);
      if (value === undefined) continue;
      const sum = (cell.contributions.get(column) ?? []).reduce((s, c) => s + c, 0);
      if (Math.abs(sum - value) > TOLERANCE)
        throw new Error(
          `revisions: ${definition.name} England row ${cell.id}, field ${column}: the PCNs' exact contributions do not add up to England's figure${
            outOfForce.length === 0
              ? ''
              : `; PCNs with events dated when the reference in force does not have them in force (data_quality, events_out_of_force): ${[...outOfForce].sort().join(', ')}`
          }${
            outside.size === 0
              ? ''
              : `; PCNs with events that the reference in force does not list: ${[...outside].sort().join(', ')} (a reference version must keep every PCN that has sent events, closed with its valid_to, as \`reference import\` does: stage one that lists them)`
          }`,
        );
    }
}

/** England's figures that follow their unit without a test of their own (heldUnitsOf). */
function followersOf(definition: MetricDefinition): Set<string> {
  return new Set([
    ...(definition.rules.means ?? []).filter((m) => m.englandOnly).map((m) => m.column),
    ...(definition.rules.describing ?? []).flatMap((d) => d.columns),
    // A window of the data-as-of date (cof_community's recent connections): its change is the window's move (R22-3).
    ...(definition.windowColumns ?? []),
    ...Object.entries(definition.groupFigures?.figures ?? {}).flatMap(([column, from]) =>
      'sum' in from ? [] : [column],
    ),
  ]);
}

/**
 * True when a month's cohort figure (`definition.cohortMonths`) had not matured at the release a held value comes from
 * (`heldAsOf`) and has by this one's (`nowAsOf`): the held value is then the immature 0 of a month whose cohort this
 * release's summary says is covered (review 4, F3: England's June engagement cohort 0 beside regions adding up to
 * 120), so it is held as no figure. A month's cohort is all of its referrals or none (a cut-off is a month's end): a
 * held value of a month that had matured is the whole month's, and one of a month still immature now is the 0 every
 * area shows. A year's held value covers the months matured then: its summary states that cut-off (catalogue.ts,
 * cohortsOf). A value held through several releases was checked against the first of them that held it (the record
 * keeps it as no figure from then), so the release before this one is the one to ask.
 */
function maturedSince(
  definition: MetricDefinition,
  cell: RowCells,
  column: string,
  heldAsOf: string | null,
  nowAsOf: string | null | undefined,
): boolean {
  const months = definition.cohortMonths?.[column];
  if (months === undefined || cell.periodType !== 'month') return false;
  // Matured at a data-as-of month's end: the month's window (`months` whole months after it) has ended by then.
  const matured = (asOf: string | null | undefined) =>
    asOf === undefined || (asOf !== null && addMonths(cell.period, months) <= asOf.slice(0, 7));
  return !matured(heldAsOf) && matured(nowAsOf);
}

/** YYYY-MM plus `k` months. */
function addMonths(month: string, k: number): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const index = year * 12 + (m - 1) + k;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/**
 * Puts the held values into England's published rows; returns the state to keep and what was held. `maturedSince`:
 * a held figure whose cohort has matured since its value was published, held as no figure (and so recorded).
 */
function applyHolds(
  cells: ReadonlyMap<string, RowCells>,
  columns: readonly string[],
  unitOf: ReadonlyMap<string, number>,
  baselines: ReadonlyMap<string, CellState | undefined>,
  heldUnits: ReadonlySet<string>,
  inputs: RevisionInputs,
  maturedSince: (cell: RowCells, column: string) => boolean,
  /** The columns whose series breaks at this release: a held figure of one is recorded as held at a break (`b`). */
  broken: ReadonlySet<string> = new Set(),
  /** A held cell's baseline where it has none of its own: the same count as a partner document recorded it. */
  shared: (cell: RowCells, column: string) => CellState | undefined = () => undefined,
): { cellsNext: Record<string, CellState>; heldRows: HeldRows; figures: number; periods: Set<string> } {
  const cellsNext: Record<string, CellState> = {};
  const heldRows: HeldRows = new Map();
  const periods = new Set<string>();
  let figures = 0;
  for (const cell of cells.values())
    for (const column of columns) {
      const key = `${cell.id}#${column}`;
      const current = cell.values.get(column) ?? null;
      const held = heldUnits.has(`${cell.id}#${unitOf.get(column)}`);
      // A held count this document has no record of, which a partner publishes (sharedBaseline): the partner's figure
      // and record, so that one count shows one figure, and is differenced against it when the period is released.
      const state = baselines.get(key) ?? (held && !broken.has(column) ? shared(cell, column) : undefined);
      if (!held) {
        const contributions = cell.contributions.get(column) ?? new Array(inputs.pcnCodes.length).fill(0);
        if (current !== null || cell.england !== null)
          cellsNext[key] = { v: current, since: inputs.generatedAt, c: contributions };
        continue;
      }
      const immature = state !== undefined && state.v !== null && maturedSince(cell, column);
      const heldValue = immature ? null : (state?.v ?? null);
      const atBreak = broken.has(column) && (current !== null || cell.england !== null);
      const kept = heldRecord(state, immature, atBreak, () => ({
        v: null,
        since: inputs.generatedAt,
        c: cell.contributions.get(column) ?? new Array(inputs.pcnCodes.length).fill(0),
        b: true,
      }));
      if (kept !== undefined) cellsNext[key] = kept;
      if (!same(heldValue, current)) {
        figures += 1;
        periods.add(cell.period);
      }
      if (cell.england) {
        cell.england[column] = heldValue;
        withholdIntervals(cell.england, columns);
      }
      const rowHeld = heldRows.get(cell.id) ?? {};
      // Without an England row, the PCN rows take their contributions as at the held value's release; a fail-closed
      // hold's contributions do not add up to it (the unknown part), so the column is left out.
      rowHeld[column] = cell.england ? heldValue : state === undefined || state.x !== undefined ? null : state.c;
      heldRows.set(cell.id, rowHeld);
    }
  return { cellsNext, heldRows, figures, periods };
}

/**
 * A held year that follows its months as published (red-team review 21, R21-3), in place: England's row, the row held
 * for the exact rows as published, and the record. Returns the ids of the years so made.
 *
 * A month held holds its year (review 3, H1): the year less its published months would be the held change. On its own
 * that rule kept the year at the release before the hold, and where nothing releases the month (one PCN's history sent
 * late: no other PCN revises months that old) it stayed there for good, while the months published beside it added up
 * to more (R21-3: 700 beside months of 932). So where a month of the year has been held since before the release
 * published now (the hold outlived a release; a hold in its first release keeps the whole row as at one release, review
 * 5, as the usual late month is released within days), the year is made of its months as published:
 * - its counts of events by month (`rules.monthly`, where the year is exactly its months' sum now): the sum of its
 *   months as published; arithmetic on published figures, which gives nothing the months do not;
 * - its other counts of people (distinct people: a person referred in April and November is one): its value as
 *   published before plus the months new since (after the span it showed), as below England (area-revisions.ts,
 *   R15-9): a person in an old month and a new one is counted in both;
 * each only where its unit is of counts and what describes them (no mean, FTE or group figure, which stays held).
 * - its span (`months`, `list_size`): its months' as published (a year's list is the mean of its months'), so that its
 *   rates are over the months its counts are of.
 * The rest of the row (means, `pcns`, PCNs reporting, what describes the counts) stays held. Its origin keeps the release its
 * oldest values come from, judged at this release's date (originOf): its months are this release's. Not where a month
 * with events is shown as no figure (a month made up by few PCNs, a new month held whole): the year stays held.
 */
function followMonths(
  definition: MetricDefinition,
  cells: ReadonlyMap<string, RowCells>,
  columns: readonly string[],
  unitOf: ReadonlyMap<string, number>,
  applied: ReturnType<typeof applyHolds>,
  baselines: ReadonlyMap<string, CellState | undefined>,
  entry: Pick<Revised, 'brokenColumns' | 'previousRows' | 'from'>,
  inputs: RevisionInputs,
  /** Whether a value recorded since a refresh is from before the release before this one (heldBeforeRelease). */
  heldBefore: (since: string) => boolean,
): Set<string> {
  const followed = new Set<string>();
  const broken = entry.brokenColumns;
  // Counts whose unit is of counts and what describes them alone (no mean, FTE or group figure, which would stay held
  // beside a count that moved).
  const plain = new Set([...definition.rules.counts, ...(definition.rules.describing ?? []).flatMap((d) => d.columns)]);
  const followable = (c: string) =>
    columns.includes(c) &&
    !broken.has(c) &&
    columns.every((other) => unitOf.get(other) !== unitOf.get(c) || plain.has(other));
  const monthly = (definition.rules.monthly ?? []).filter(followable);
  const previous = entry.from.release;
  if (monthly.length === 0 || applied.heldRows.size === 0 || previous === null) return followed;
  const people = definition.rules.counts.filter((c) => !monthly.includes(c) && followable(c));
  const monthsOf = yearsMonths(cells);
  for (const year of cells.values()) {
    const held = applied.heldRows.get(year.id);
    if (year.periodType !== 'fy' || year.england === null || held === undefined) continue;
    const months = monthsOf.get(`${year.period}${year.keyId}`) ?? [];
    // Only once a month of it has been held since before the release published now.
    if (!months.some((m) => heldSince(applied.heldRows.get(m.id), m.id, baselines, heldBefore))) continue;
    const sums = monthlySums(year, months, monthly, held, applied.cellsNext, inputs.pcnCodes.length);
    if (sums.size === 0) continue;
    // The span it showed before, and the months new since (after that span), for its people.
    const before = entry.previousRows.get(year.id)?.months;
    if (isNumber(before))
      for (const column of people) {
        const sum = withNewMonths(baselines.get(`${year.id}#${column}`), months.slice(before), column, applied);
        if (column in held && sum !== undefined) sums.set(column, sum);
      }
    for (const [column, sum] of sums) {
      const current = year.values.get(column) ?? null;
      const shown = held[column];
      if (!same(typeof shown === 'number' ? shown : null, current) && same(sum.v, current)) applied.figures -= 1;
      year.england[column] = sum.v;
      held[column] = sum.v;
      applied.cellsNext[`${year.id}#${column}`] = {
        v: sum.v,
        since: inputs.generatedAt,
        c: sum.c,
        ...(Math.abs(sum.x) > TOLERANCE ? { x: sum.x } : {}),
      };
    }
    followSpan(year.england, months);
    followed.add(year.id);
  }
  return followed;
}

/** Each year's month cells (financial year and keys), in order. */
function yearsMonths(cells: ReadonlyMap<string, RowCells>): Map<string, RowCells[]> {
  const monthsOf = new Map<string, RowCells[]>();
  for (const cell of cells.values()) {
    if (cell.periodType !== 'month') continue;
    const key = `${financialYearOf(cell.period)}${cell.keyId}`;
    monthsOf.set(key, [...(monthsOf.get(key) ?? []), cell]);
  }
  for (const months of monthsOf.values()) months.sort((a, b) => a.period.localeCompare(b.period));
  return monthsOf;
}

/** True when a held row (`held`) has a figure whose value comes from before the release before this one. */
function heldSince(
  held: Record<string, unknown> | undefined,
  rowId: string,
  baselines: ReadonlyMap<string, CellState | undefined>,
  heldBefore: (since: string) => boolean,
): boolean {
  if (held === undefined) return false;
  return Object.keys(held).some((column) => {
    const since = baselines.get(`${rowId}#${column}`)?.since;
    return since !== undefined && heldBefore(since);
  });
}

type Sum = { v: number; c: number[]; x: number };

/**
 * A held year's counts of events (`monthly`) as the sum of its months as published, where the year is exactly its
 * months' sum now; none at all where a month is not as the record keeps it (the year then stays held).
 */
function monthlySums(
  year: RowCells,
  months: readonly RowCells[],
  monthly: readonly string[],
  held: Readonly<Record<string, unknown>>,
  recorded: Readonly<Record<string, CellState>>,
  pcns: number,
): Map<string, Sum> {
  const sums = new Map<string, Sum>();
  for (const column of monthly) {
    if (!(column in held)) continue;
    const current = year.values.get(column);
    const exact = months.reduce((s, m) => s + (m.values.get(column) ?? 0), 0);
    if (current === undefined || !same(current, exact)) continue;
    const sum = monthsAsPublished(months, column, recorded, pcns);
    if (sum === undefined) return new Map();
    sums.set(column, sum);
  }
  return sums;
}

/** A held year's count of people as published (`baseline`) plus its months new since, as published. */
function withNewMonths(
  baseline: CellState | undefined,
  newMonths: readonly RowCells[],
  column: string,
  applied: ReturnType<typeof applyHolds>,
): Sum | undefined {
  if (baseline === undefined || baseline.v === null) return undefined;
  const pcns = baseline.c.length;
  const added = monthsAsPublished(newMonths, column, applied.cellsNext, pcns);
  if (added === undefined) return undefined;
  return {
    v: baseline.v + added.v,
    c: added.c.map((value, i) => value + (baseline.c[i] ?? 0)),
    x: added.x + (baseline.x ?? 0),
  };
}

/** A following year's span: its months' as published (a year's list is the mean of its months', 0 where none). */
function followSpan(england: Row, months: readonly RowCells[]): void {
  const shown = months.filter((m) => m.england !== null);
  if ('months' in england) england.months = shown.length;
  if ('list_size' in england)
    england.list_size =
      shown.length === 0
        ? null
        : shown.reduce((s, m) => s + (isNumber(m.england?.list_size) ? m.england.list_size : 0), 0) / shown.length;
}

/**
 * The sum of a column over months as published, with the PCNs' contributions and the unknown parts the record keeps of
 * them; undefined where a month shown is not what the record keeps, or a month with events is shown as no figure (the
 * year then stays held as before).
 */
function monthsAsPublished(
  months: readonly RowCells[],
  column: string,
  recorded: Readonly<Record<string, CellState>>,
  pcns: number,
): { v: number; c: number[]; x: number } | undefined {
  const c = new Array<number>(pcns).fill(0);
  let v = 0;
  let x = 0;
  for (const month of months) {
    const shown = month.england?.[column];
    const record = recorded[`${month.id}#${column}`];
    if (shown === null || shown === undefined) {
      // A month shown as no figure though it has some (held as none: made by few, or new and held whole): the year
      // would be short of it beside a span that has it, so the year stays held as before.
      if ((record !== undefined && record.v !== null) || Math.abs(month.values.get(column) ?? 0) > TOLERANCE)
        return undefined;
      continue;
    }
    if (!isNumber(shown) || record === undefined || record.v === null || !same(record.v, shown) || record.b)
      return undefined;
    v += shown;
    x += record.x ?? 0;
    record.c.forEach((value, i) => {
      c[i] = (c[i] as number) + value;
    });
  }
  return { v, c, x };
}

/**
 * What the record keeps of a held figure: its baseline (as no figure where its cohort matured since), else at a break
 * in the series the figure held as none (`atBreak`, made by `heldAtBreak`), else nothing (a new figure waits).
 */
function heldRecord(
  state: CellState | undefined,
  immature: boolean,
  atBreak: boolean,
  heldAtBreak: () => CellState,
): CellState | undefined {
  if (state !== undefined) return immature ? { ...state, v: null } : state;
  return atBreak ? heldAtBreak() : undefined;
}

/**
 * The exact rows as published: England's rows take the held values; without an England row (England is the sum of the
 * PCN rows), the PCN rows take their contributions as at the held value's release, or lose the column when those are
 * not known (a comparator made from it is then left out).
 */
function asPublished(
  exact: readonly Row[],
  found: FoundCells,
  heldRows: HeldRows,
  pcnCodes: readonly string[],
  fromOf: (rowId: string) => HeldFrom,
) {
  const pcnIndex = new Map(pcnCodes.map((code, i) => [code, i]));
  return exact.map((row) => {
    const id = found.rowId(row);
    const held = heldRows.get(id);
    if (held === undefined) return row;
    const from = fromOf(id);
    if (found.hasEngland) return found.exactEngland(row) ? keepHeldFrom({ ...row, ...(held as Row) }, from) : row;
    const index = row.level === 'pcn' ? pcnIndex.get(String(row.code)) : undefined;
    if (index === undefined) return row;
    const copy: Row = keepHeldFrom({ ...row }, from);
    for (const [column, value] of Object.entries(held)) {
      if (Array.isArray(value)) copy[column] = value[index] ?? 0;
      else delete copy[column];
    }
    return copy;
  });
}

const keepHeldFrom = (row: Row, from: HeldFrom) => {
  heldMarks.set(row, from);
  return row;
};

/**
 * An England interval made from the exact rows before control and held in no unit (cof_system's change in use) would
 * move with the held change: it is withheld while its row holds a revision.
 */
function withholdIntervals(england: Row, columns: readonly string[]): void {
  for (const key of Object.keys(england))
    if (/_ci_(low|high)$/.test(key) && !columns.includes(key)) england[key] = null;
}

/** Whole numbers (counts) exactly; means, FTEs and rates within a relative tolerance (review 3, L2). */
const same = (a: number | null, b: number | null) =>
  a === null || b === null
    ? a === b
    : Number.isInteger(a) && Number.isInteger(b)
      ? a === b
      : Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(a));

/** For each old PCN index, its index now (so that contributions follow a PCN code, not a position). */
function alignment(oldCodes: readonly string[], codes: readonly string[]): number[] {
  const old = new Map(oldCodes.map((c, i) => [c, i]));
  return codes.map((c) => old.get(c) ?? -1);
}

/**
 * The columns that say what a row's figures cover: the span of time (rollout's months with data, workforce's months of
 * referrals) and the population (the mean list size, the PCNs in force and reporting). A row whose every figure is
 * held shows those of the release its figures come from, so that the figures made from them (per 1,000 on the list,
 * a year annualised x 12 / months) are of that release too. Without it a held year of 8 months' referrals was
 * annualised over the 9 months the new release has (2.1 shown as 1.9 per 1,000), and a held year's referrals from 6
 * PCNs were divided by the list of 7 when a PCN opened in the new month (4.0 shown as 3.7; review 5, G3).
 */
const SPAN_COLUMNS = ['months', 'referral_months', 'list_size', 'pcns', 'pcns_reporting'] as const;

/** Puts the previous release's span into every England row whose units are all held (none without a previous row). */
function holdSpans(
  cells: ReadonlyMap<string, RowCells>,
  units: readonly number[],
  heldUnits: ReadonlySet<string>,
  previousRows: ReadonlyMap<string, Row>,
): void {
  for (const cell of cells.values()) {
    if (!cell.england || !units.every((unit) => heldUnits.has(`${cell.id}#${unit}`))) continue;
    const before = previousRows.get(cell.id);
    for (const column of SPAN_COLUMNS)
      if (column in cell.england) cell.england[column] = before === undefined ? null : (before[column] ?? null);
  }
}

/** A published document's England rows by row id. */
function englandRows(document: MetricDocument, rowId: (row: Row) => string): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const row of document.rows as unknown as Row[]) if (row.level === 'national') rows.set(rowId(row), row);
  return rows;
}

/** The England figures a published document shows, by row and column. */
function englandValues(
  document: MetricDocument,
  columns: readonly string[],
  rowId: (row: Row) => string,
): Map<string, unknown> {
  const values = new Map<string, unknown>();
  for (const row of document.rows as unknown as Row[]) {
    if (row.level !== 'national') continue;
    const id = rowId(row);
    for (const column of columns) values.set(`${id}#${column}`, row[column]);
  }
  return values;
}

/** True when every England figure the state says is published is what the published document shows. */
function matchesPublished(
  saved: DocumentState,
  shown: ReadonlyMap<string, unknown>,
  toleranceOf: (column: string) => number,
): boolean {
  for (const [key, cell] of Object.entries(saved.cells)) {
    const value = shown.get(key);
    if (cell.v === null) {
      if (value !== null && value !== undefined) return false;
      continue;
    }
    if (!isNumber(value) || Math.abs(value - cell.v) > toleranceOf(key.slice(key.lastIndexOf('#') + 1))) return false;
  }
  return true;
}

/** The saved state, or undefined when there is none or it cannot be read (the refresh then fails closed). */
async function readState(store: ObjectStore): Promise<RevisionState | undefined> {
  const bytes = await store.get(REVISIONS_STATE_KEY);
  if (bytes === undefined) return undefined;
  try {
    const state = JSON.parse(gunzipSync(bytes).toString('utf8')) as RevisionState;
    return state.version === STATE_VERSION ? state : undefined;
  } catch {
    console.warn(`${REVISIONS_STATE_KEY}: cannot be read; England's changed figures are held (fail closed)`);
    return undefined;
  }
}

/** Whole days from one ISO timestamp to a later one. */
const daysBetween = (from: string, to: string): number => (Date.parse(to) - Date.parse(from)) / 86_400_000;

/**
 * The columns whose definition changed from version `from` (the record's) to `definition.version`, by the changes the
 * catalogue declares (each version's from the one before it, followed back to `from`), or 'all'; undefined when that
 * is not known: no version recorded, or `from` not reached (a change not declared, a version rolled back).
 */
export function changedColumns(
  definition: { readonly version: string; readonly changes?: readonly DefinitionChange[] },
  from: string | undefined,
): ReadonlySet<string> | 'all' | undefined {
  if (from === undefined) return undefined;
  const changed = new Set<string>();
  const seen = new Set<string>();
  let all = false;
  let version = definition.version;
  while (version !== from) {
    const step = seen.has(version) ? undefined : definition.changes?.find((c) => c.version === version);
    if (step === undefined) return undefined;
    seen.add(version);
    if (step.columns === 'all') all = true;
    else for (const column of step.columns) changed.add(column);
    version = step.from;
  }
  return all ? 'all' : changed;
}

/**
 * A break stated now (`now`) beside one stated since an earlier release and still stated (`earlier`): the later
 * release, the columns of both (the whole document when either is), so no column's break stops being stated early.
 */
function mergedBreak(now: SeriesBreak, earlier: SeriesBreak | undefined): SeriesBreak {
  if (earlier === undefined) return now;
  if (now.columns === undefined || earlier.columns === undefined) {
    const { columns: _, ...whole } = now;
    return whole;
  }
  return { ...now, columns: [...new Set([...now.columns, ...earlier.columns])].sort() };
}
