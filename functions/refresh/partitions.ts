import type { Row } from '../lib/query-engine.ts';
import { applyDisclosureControl, type DisclosureRules } from './disclosure.ts';
import { padPartitions } from './disclosure-audit.ts';

/** Controls of a document at most, each with more zeros made `*` (padPartitions adds a row to each family pinned). */
const MAX_CONTROLS = 8;

/**
 * Disclosure control (applyDisclosureControl) of a document with groups within dimensions (DisclosureRules.partitions:
 * equity's dimensions, the contacts distribution's bins; review 8, N1 and N2). Where, in the published rows, one
 * dimension of an area and period caps their total as low as another (or the document publishing the total) floors it,
 * a reader pins the total and the cells: a zero of the capping dimension is made `*` instead (a row for a group it lacks
 * there, 0 in the exact rows, published `*`: padPartitions), and the document is controlled again with those rows, until
 * the published rows pin none. Secondary suppression can make such a pin (a `*` hiding 8 or more read as 1 to 7, the
 * reading the audit protects too), so the check reads the rows as published.
 */
export function controlPartitioned(
  rows: readonly Row[],
  rules: DisclosureRules,
  preSuppressed?: (row: Row) => readonly string[],
  /** Parts in force given a row of `*` from the start (applyDisclosureControl's `filled`: joint control, M12). */
  filled: readonly Row[] = [],
  /** The codes of a row's parent areas (refresh.ts parentFinder): a zero is shown only in a group its parents show. */
  parentsOf?: (row: Row) => readonly string[],
): Row[] {
  const { partitions } = rules;
  if (partitions === undefined || partitions.length === 0)
    return applyDisclosureControl(rows, rules, preSuppressed, filled);
  // The document's own audit (disclosure.ts) leaves the partitions aside: where every cell of a family pinned is `*`
  // already, no count near it can be suppressed to help, and the audit would withhold the key in every area (on the
  // 2% demo: whole years of equity and of the contacts distribution). A zero made `*` is the protection here.
  const { partitions: _, ...without } = rules;
  let published = applyDisclosureControl(rows, without, preSuppressed, filled);
  const zeros = new Set<Row>();
  // Cells to suppress, by their row's area, period, keys (the document's and the partitions' dimension and group) and
  // column (rows are made anew by each control).
  const keys = [
    ...new Set([
      ...(rules.periodKeys ?? []),
      ...partitions.flatMap((p) => [...(p.dimension === undefined ? [] : [p.dimension]), p.group]),
    ]),
  ];
  const keyOf = (row: Row) =>
    JSON.stringify([row.level, row.code, row.period_type, row.period, ...keys.map((k) => row[k])]);
  const suppress = new Map<string, Set<string>>();
  for (let control = 1; control < MAX_CONTROLS; control++) {
    const { added, suppressed } = padPartitions(published, partitions, rules.counts, parentsOf);
    if (added.length === 0 && suppressed.length === 0) break;
    for (const row of added) {
      const zero: Row = { ...row };
      for (const count of rules.counts) if (zero[count] === '*') zero[count] = 0;
      zeros.add(zero);
    }
    for (const { row, column } of suppressed) {
      const key = keyOf(row);
      suppress.set(key, new Set([...(suppress.get(key) ?? []), column]));
    }
    published = applyDisclosureControl(
      [...rows, ...zeros],
      without,
      (row) =>
        zeros.has(row)
          ? rules.counts
          : [...(preSuppressed?.(row) ?? []), ...(suppress.size === 0 ? [] : (suppress.get(keyOf(row)) ?? []))],
      filled,
    );
  }
  return published;
}
