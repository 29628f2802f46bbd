import { financialYearOf } from '../contract/periods.ts';
import type { Row } from '../lib/query-engine.ts';
import { applyDisclosureControl, type DisclosureRules } from './disclosure.ts';
import {
  AloneReads,
  areaPeriodOf,
  buildAuditSystem,
  equationDisclosures,
  looselySecondary,
  padPartitions,
  withheldGroups,
} from './disclosure-audit.ts';

/** Controls of a document at most, each with more zeros made `*` or counts suppressed (padPartitions). */
const MAX_CONTROLS = 8;

/**
 * Disclosure control (applyDisclosureControl) of a document with groups within dimensions (DisclosureRules.partitions:
 * equity's dimensions, the contacts distribution's bins; review 8, N1 and N2). Where, in the published rows, one
 * dimension of an area and period caps their total as low as another (or the document publishing the total) floors it,
 * a reader pins the total and the cells: a zero of a dimension pinned is made `*` instead (a row for a group it lacks
 * there, 0 in the exact rows, published `*`), or where it lacks none its smallest count pinned is suppressed
 * (padPartitions), and the document is controlled again with those, until the published rows pin none (or, where
 * a pin is left, its financial year is withheld below England: below). Secondary
 * suppression can make such a pin (a `*` hiding 8 or more read as 1 to 7, the reading the audit protects too), so the
 * check reads the rows as published.
 *
 * Controlled again: only the blocks (a financial year and the partitions' dimension: equity's 2025/26 age bands) given
 * a row or a `*`. No rule of the document's control ties a block's rows to another's (its areas' and periods' families
 * are of one group of one dimension in one year, its siblings of one dimension, its within-row groups one row), so a
 * block controlled alone is published as the whole document controlled again would publish it; the rows keep the
 * whole control's order.
 */
export function controlPartitioned(
  rows: readonly Row[],
  rules: DisclosureRules,
  preSuppressed?: (row: Row) => readonly string[],
  /** The codes of a row's parent areas (refresh.ts parentFinder): a zero is shown only in a group its parents show. */
  parentsOf?: (row: Row) => readonly string[],
): Row[] {
  const { partitions } = rules;
  if (partitions === undefined || partitions.length === 0) return applyDisclosureControl(rows, rules, preSuppressed);
  // The document's own audit (disclosure.ts) leaves the partitions aside: where every cell of a family pinned is `*`
  // already, no count near it can be suppressed to help, and the audit would withhold the key in every area (on the
  // 2% demo: whole years of equity and of the contacts distribution). A zero made `*` is the protection here.
  const { partitions: _, ...without } = rules;
  let published = applyDisclosureControl(rows, without, preSuppressed);
  const dimensions = [...new Set(partitions.flatMap((p) => (p.dimension === undefined ? [] : [p.dimension])))];
  const blockOf = blockKeys(dimensions);
  // A row's identity: its area, period and keys (the document's, and the partitions' dimension and group): one row of
  // the document each. Rows are made anew by each control: cells to suppress are kept by it.
  const keys = [
    ...new Set([
      ...(rules.periodKeys ?? []),
      ...partitions.flatMap((p) => [...(p.dimension === undefined ? [] : [p.dimension]), p.group]),
    ]),
  ];
  const keyOf = (row: Row) => {
    let key = `${row.level}\u0000${row.code}\u0000${row.period_type}\u0000${row.period}`;
    for (const k of keys) key += `\u0000${row[k] ?? ''}`;
    return key;
  };
  // The control's input by position (the rows, then the zeros added, in order) and what is published of each (none:
  // withheld), with each one's block as a number. A control returns its input's rows in their order, less those it
  // withholds, so its output is matched to its input by walking both (sameRow), and the document's rows are the
  // published ones in position order: no key made per row and round, no sort (issue 17: building, looking up and
  // sorting by the rows' keys after each control was a fifth of equity's Node time nationally).
  const input: Row[] = [...rows];
  const slots: (Row | undefined)[] = new Array(rows.length);
  matchInOrder(rows, published, keys, (i, row) => {
    slots[i] = row;
  });
  const blockIds = new Map<string, number>();
  const blockIdOf = (row: Row) => {
    const block = blockOf(row);
    let id = blockIds.get(block);
    if (id === undefined) {
      id = blockIds.size;
      blockIds.set(block, id);
    }
    return id;
  };
  const blockAt: number[] = rows.map(blockIdOf);
  // Each input row's position by its identity, made at the first control again (for the rows padPartitions names).
  let position: Map<string, number> | undefined;
  const zeros = new Set<Row>();
  const suppress = new Map<Row, Set<string>>();
  // Without a cell of its own to suppress, a row's list is the one given (or none): no list made per row and round.
  const imposed = (row: Row): readonly string[] => {
    if (zeros.has(row)) return rules.counts;
    const given = preSuppressed?.(row) ?? NONE;
    const own = suppress.size === 0 ? undefined : suppress.get(row);
    return own === undefined ? given : [...given, ...own];
  };
  // The families to audit: all at first, then those whose published rows changed (the others were found unpinned).
  let changed: Set<string> | undefined;
  // The first check and the last read every row with the areas' equations too (padPartitions `document`: what the
  // scan reads); those between, the families changed alone.
  const document =
    rules.areas === undefined
      ? undefined
      : { areas: rules.areas, ...(rules.groups === undefined ? {} : { groups: rules.groups }) };
  // The cells left pinned by the last full read, where it found nothing more to do (no further read needed).
  let settled: Row[] | undefined;
  // The families found unpinned alone, as published now (a full read reads the others alone: AloneReads).
  const aloneReads = new AloneReads();
  for (let control = 1; control < MAX_CONTROLS; control++) {
    let { added, suppressed, stuck } = padPartitions(
      published,
      partitions,
      rules.counts,
      parentsOf,
      changed,
      document,
      aloneReads,
    );
    if (added.length === 0 && suppressed.length === 0 && changed !== undefined)
      ({ added, suppressed, stuck } = padPartitions(
        published,
        partitions,
        rules.counts,
        parentsOf,
        undefined,
        document,
        aloneReads,
      ));
    if (added.length === 0 && suppressed.length === 0) {
      settled = stuck;
      break;
    }
    position ??= new Map(rows.map((row, i) => [keyOf(row), i]));
    const again = new Set<number>();
    for (const row of added) {
      const zero: Row = { ...row };
      for (const count of rules.counts) if (zero[count] === '*') zero[count] = 0;
      zeros.add(zero);
      position.set(keyOf(zero), input.length);
      input.push(zero);
      slots.push(undefined);
      blockAt.push(blockIdOf(zero));
      again.add(blockIdOf(row));
    }
    for (const { row, column } of suppressed) {
      const at = input[position.get(keyOf(row)) as number] as Row;
      suppress.set(at, new Set([...(suppress.get(at) ?? []), column]));
      again.add(blockIdOf(row));
    }
    // The blocks controlled again, in the input's order; what each row published before and now.
    const positions: number[] = [];
    for (let i = 0; i < input.length; i++) if (again.has(blockAt[i] as number)) positions.push(i);
    const before = positions.map((i) => slots[i]);
    for (const i of positions) slots[i] = undefined;
    const subset = positions.map((i) => input[i] as Row);
    matchInOrder(subset, applyDisclosureControl(subset, without, imposed), keys, (k, row) => {
      slots[positions[k] as number] = row;
    });
    // The families (area and period) whose rows differ in a count from the last control's, or are not the same rows.
    const differing = new Set<string>();
    positions.forEach((i, k) => {
      const was = before[k];
      const now = slots[i];
      if (now !== undefined) {
        if (was === undefined || rules.counts.some((count) => was[count] !== now[count]))
          differing.add(areaPeriodOf(now));
      } else if (was !== undefined) differing.add(areaPeriodOf(was));
    });
    for (const family of differing) aloneReads.forget(family);
    changed = differing;
    published = slots.filter((row): row is Row => row !== undefined);
  }
  // The last check, of every row as published (the loop's last full read where it ended with nothing to do): a pin left
  // (no row to add, no count left to suppress, or the rounds run out) has its block (its financial year and dimension:
  // equity's 2025/26 age bands; the contacts distribution's year) withheld below England in this document, rather than
  // published pinned (review 10: one PCN's seven bins `*` beside cof_person's `*` cohort, no other bin shown up its
  // chain, was published as it was and read as 1 each). Rare: England itself must show no other group. Named in
  // withheld_below_england.
  const last =
    settled === undefined
      ? padPartitions(published, partitions, rules.counts, parentsOf, undefined, document, aloneReads)
      : { added: [], suppressed: [], stuck: settled };
  // A stuck pin of a partition with dimensions (equity's) is logged and published: a person referred in two groups of a
  // dimension makes it add up to more than the people, so such pins are mostly readings that are wrong (on the equity
  // test's four PCNs the regions' sex groups read pinned while the scan, reading the rounding exactly, recovers
  // nothing), and withholding them took whole dimensions' years. The contacts distribution's bins are an exact
  // partition of episodes: a pin left there is a recovery (review 10; measures-golden's region Y63) and is withheld.
  const exact = partitions.every((p) => p.dimension === undefined);
  const logged = exact ? [] : last.stuck;
  if (logged.length > 0)
    console.warn(
      `disclosure: groups within dimensions read as pinned with nothing to add or suppress, published: ${[
        ...new Set(logged.map((row) => `${row.level} ${row.code} ${row.period}`)),
      ].join(', ')}`,
    );
  const pinned = new Set(
    [
      ...last.added,
      ...last.suppressed.map((s) => s.row),
      ...(exact ? last.stuck : []),
      ...pinnedAloneLoosely(published, rules),
    ].map(blockOf),
  );
  if (pinned.size === 0) return published;
  return published.filter((row) => row.level === 'national' || !pinned.has(blockOf(row)));
}

/**
 * A row's block (controlPartitioned): its financial year and its values of the partitions' dimensions, as
 * JSON.stringify([year, ...values]) (null for none). Each distinct block's text is made once and shared (issue 17:
 * every round reads every row's block several times).
 */
function blockKeys(dimensions: readonly string[]): (row: Row) => string {
  const text = (row: Row) =>
    JSON.stringify([financialYearOf(String(row.period)), ...dimensions.map((d) => row[d] ?? null)]);
  if (dimensions.length > 1) return text;
  // By period, then by the dimension's value (a Map tells 1 from '1', as the text does).
  const byPeriod = new Map<string, Map<unknown, string>>();
  const dimension = dimensions[0];
  return (row) => {
    const period = String(row.period);
    let byValue = byPeriod.get(period);
    if (byValue === undefined) {
      byValue = new Map();
      byPeriod.set(period, byValue);
    }
    const value = dimension === undefined ? null : (row[dimension] ?? null);
    let block = byValue.get(value);
    if (block === undefined) {
      block = text(row);
      byValue.set(value, block);
    }
    return block;
  };
}

const NONE: readonly string[] = Object.freeze([]);

/**
 * Calls `each(i, row)` for each of `output`'s rows with the index of its row in `input`: a control's output is its
 * input's rows, in their order, less those it withholds (applyDisclosureControl), each with the identity (area, period,
 * `keys`) of its input row, one input row each.
 */
export function matchInOrder(
  input: readonly Row[],
  output: readonly Row[],
  keys: readonly string[],
  each: (i: number, row: Row) => void,
): void {
  let i = 0;
  for (const row of output) {
    while (i < input.length && !sameRow(input[i] as Row, row, keys)) i++;
    if (i === input.length) throw new Error('disclosure: a controlled row matches no row of its input');
    each(i, row);
    i++;
  }
}

/** Whether two rows are of the same area, period and keys. */
function sameRow(a: Row, b: Row, keys: readonly string[]): boolean {
  if (a.level !== b.level || a.code !== b.code || a.period_type !== b.period_type || a.period !== b.period)
    return false;
  for (const k of keys) if ((a[k] ?? '') !== (b[k] ?? '')) return false;
  return true;
}

/**
 * The rows below England with a cell that one equation of the areas alone pins, each `*` read as 1 to 7 except those
 * the whole component's loose reading shows cannot be (looselySecondary: every `*` 1 or more, a region's 0 or more),
 * in the rows as published (the criterion's reading of an equation alone, as the scan makes it). The document's own
 * audit reads each equation alone with the documented marks (a `*` that the equation's other `*` at 1 to 7 show cannot
 * be 1 to 7), which the figures leave open too: on the synthetic demo (review 36, R36-6) England's 143 over seven
 * regions' `*` marked the South West's `*` of ethnicity `other` wellbeing_people in 2025/26 (which no one of the
 * loose reading's shows cannot be 1 to 7), and read alone over its seven ICBs' `*` it is 7 over seven 1s. Their
 * blocks are withheld below England (controlPartitioned): such a pin is protected by nothing left to suppress here.
 */
function pinnedAloneLoosely(published: readonly Row[], rules: DisclosureRules): Row[] {
  if (rules.areas === undefined) return [];
  const system = buildAuditSystem(published, {
    columns: rules.counts,
    areas: rules.areas,
    ...(rules.groups === undefined ? {} : { groups: rules.groups }),
    // The partitions too (each with the groups England shows and no row below it: an unseen part of each area): the
    // loose reading of the South West's `*` with them contradicts, and no `*` of its component is marked.
    partitions: (rules.partitions ?? []).map((partition) => ({
      ...partition,
      withheld: withheldGroups(published, partition),
    })),
  });
  const rows: Row[] = [];
  for (let c = 0; c < system.components.length; c++) {
    // Where the loose reading contradicts the figures, no `*` is marked (as the scan reads it).
    const secondary = looselySecondary(system, c) ?? new Set<number>();
    for (const { disclosures } of equationDisclosures(system, c, undefined, undefined, secondary))
      for (const { cell } of disclosures) if (cell.row.level !== 'national') rows.push(cell.row);
  }
  return rows;
}
