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
  /** The codes of a row's parent areas (refresh.ts parentFinder): a zero is shown only in a group its parents show. */
  parentsOf?: (row: Row) => readonly string[],
): Row[] {
  const { partitions } = rules;
  if (partitions === undefined || partitions.length === 0) return applyDisclosureControl(rows, rules, preSuppressed);
  // First without the partitions' equations, to find the families the dimensions pin before the audit protects them
  // (it can only suppress counts near them, or withhold: where every cell of the family is `*`, a zero made `*` is the
  // protection); then with them, until the rows published pin no family.
  const { partitions: _, ...without } = rules;
  let published = applyDisclosureControl(rows, without, preSuppressed);
  const zeros = new Set<Row>();
  for (let control = 0; control < MAX_CONTROLS; control++) {
    const added = padPartitions(published, partitions, rules.counts, parentsOf);
    if (added.length === 0 && control > 0) break;
    for (const row of added) {
      const zero: Row = { ...row };
      for (const count of rules.counts) if (zero[count] === '*') zero[count] = 0;
      zeros.add(zero);
    }
    published = applyDisclosureControl([...rows, ...zeros], rules, (row) =>
      zeros.has(row) ? rules.counts : (preSuppressed?.(row) ?? []),
    );
  }
  return published;
}
