import { type Figure, SUPPRESSED } from '../contract/index.ts';
import { financialYearOf } from '../contract/periods.ts';
import type { Row } from '../lib/query-engine.ts';

/**
 * Disclosure control (NHS Digital method), applied to every figure below England level:
 * - a count of people or events about people from 1 to 7 is suppressed ("*"), any other rounded to the nearest 5;
 *   zero stays zero;
 * - a mean is published only where 8 or more people contribute;
 * - secondary suppression: where the parts of a total (within a row, sibling rows such as the PCNs of an ICB, or
 *   the months of a financial year beside the year's row) have exactly one suppressed cell, the next smallest part
 *   is suppressed too (or, with no other part left, the total), so the total minus the visible parts cannot reveal
 *   it; a PCN that moved ICB within a year is a part of each ICB it was in;
 * - staff: where 1 or 2 people are in a role below England, their FTE and training status are not published (with
 *   so few, they describe the people themselves), following NHS workforce statistics' practice;
 * - rates are derived afterwards from the published (rounded) figures, and suppressed with their numerator.
 * England-level figures are published as they are. docs/methodology.md, "Disclosure control".
 */
export const MIN_COUNT = 8;

export const DISCLOSURE_NOTE =
  'Below England level, counts from 1 to 7 are shown as * and other counts are rounded to the nearest 5; means need ' +
  'at least 8 people; where one part of a total (areas of a larger area, months of a year) is suppressed the next ' +
  'smallest is too; the FTE and training of 1 or 2 staff in a role are not shown. Rates are calculated from the ' +
  'rounded figures. England figures are not rounded. Method: docs/methodology.md.';

/** Staff figures describe the people themselves when fewer than this many are in post. */
export const MIN_STAFF = 3;

export function controlCount(n: number): Figure {
  if (n === 0) return 0;
  if (n > 0 && n < MIN_COUNT) return SUPPRESSED;
  return Math.round(n / 5) * 5;
}

export interface DisclosureRules {
  /** Counts of people (or of their events): suppressed and rounded below England. */
  readonly counts: readonly string[];
  /** Means published below England only where `contributors` (a raw count) is 8 or more. */
  readonly means?: readonly { readonly column: string; readonly contributors: string }[];
  /** Columns whose values add up to `total` within a row. */
  readonly groups?: readonly { readonly total: string; readonly parts: readonly string[] }[];
  /** Ways rows are parts of one whole: rows given the same family key are siblings for secondary suppression. */
  readonly siblings?: readonly ((row: Row) => string | undefined)[];
  /**
   * Areas within areas: a row is a part of the families `partOf` names (its parent area in its period, with its keys;
   * a PCN that moved ICB within a year is a part of each ICB it was in), and the total of the family `totalOf` names
   * (its own area). Where one part of such a family is suppressed and no other part is left to suppress, the total
   * is suppressed (below England; beside England, published exactly, a zero part is).
   */
  readonly areas?: {
    readonly partOf: (row: Row) => readonly string[];
    readonly totalOf: (row: Row) => string;
  };
  /**
   * Columns identifying a row within an area and period (the document's keys): with them, the months of a financial
   * year are parts of the year's row, and secondary suppression works across periods too.
   */
  readonly periodKeys?: readonly string[];
  /** Staff in a role: below England, where `headcount` is above 0 and below 3, `columns` are suppressed. */
  readonly staff?: readonly { readonly headcount: string; readonly columns: readonly string[] }[];
}

const isNational = (row: Row) => row.level === 'national';

/** A cell of a published row: the row and the column. */
type Cell = { readonly row: Row; readonly column: string };

/**
 * While exactly one of these cells is suppressed, suppress the smallest other non-zero one (ties: the first).
 * When none is left to suppress, suppress the total instead, if there is one, or else (allowZero: the parts of an
 * exactly published total) a zero part. Returns whether anything changed.
 */
function suppressNextSmallest(cells: readonly Cell[], total?: Cell, allowZero = false): boolean {
  const value = (c: Cell) => c.row[c.column];
  let changed = false;
  while (
    cells.filter((c) => value(c) === SUPPRESSED).length === 1 &&
    (total === undefined || value(total) !== SUPPRESSED)
  ) {
    const smallest = cells
      .filter((c) => typeof value(c) === 'number' && (value(c) as number) > 0)
      .sort((a, b) => (value(a) as number) - (value(b) as number))[0];
    // Regions add up to England, published exactly: with no other non-zero region, a zero is suppressed, or England
    // minus the zeros would be the suppressed one. (A rounded total over a suppressed part is itself suppressed.)
    const zero = allowZero ? cells.find((c) => value(c) === 0) : undefined;
    const target = smallest ?? zero ?? total;
    if (target === undefined) return changed;
    target.row[target.column] = SUPPRESSED;
    changed = true;
  }
  return changed;
}

/** Applies the rules to query rows; returns new rows, with England rows unchanged. */
export function applyDisclosureControl(rows: readonly Row[], rules: DisclosureRules): Row[] {
  const out = rows.map((row) => {
    if (isNational(row)) return { ...row };
    const controlled: Row = { ...row };
    for (const mean of rules.means ?? []) {
      const contributors = Number(row[mean.contributors] ?? 0);
      if (row[mean.column] !== null && contributors < MIN_COUNT) controlled[mean.column] = SUPPRESSED;
    }
    for (const column of rules.counts) {
      const value = row[column];
      if (typeof value === 'number') controlled[column] = controlCount(value);
    }
    for (const staff of rules.staff ?? []) {
      const headcount = Number(row[staff.headcount] ?? 0);
      if (headcount > 0 && headcount < MIN_STAFF)
        for (const column of staff.columns) if (row[column] !== null) controlled[column] = SUPPRESSED;
    }
    return controlled;
  });
  const sensitive = [...rules.counts, ...(rules.staff ?? []).flatMap((s) => s.columns)];
  const families = (rules.siblings ?? []).map((familyOf) => {
    const byKey = new Map<string, Row[]>();
    for (const row of out) {
      const key = isNational(row) ? undefined : familyOf(row);
      if (key === undefined) continue;
      const siblings = byKey.get(key);
      if (siblings) siblings.push(row);
      else byKey.set(key, [row]);
    }
    return [...byKey.values()].filter((siblings) => siblings.length > 1);
  });
  const areaFamilies = new Map<string, { parts: Row[]; total?: Row }>();
  if (rules.areas !== undefined) {
    const { partOf, totalOf } = rules.areas;
    for (const row of out) {
      if (isNational(row)) continue;
      for (const key of partOf(row)) {
        const family = areaFamilies.get(key) ?? { parts: [] };
        family.parts.push(row);
        areaFamilies.set(key, family);
      }
    }
    for (const row of out) {
      const family = isNational(row) ? undefined : areaFamilies.get(totalOf(row));
      if (family) family.total = row;
    }
  }
  const periodFamilies: { year: Row; months: Row[] }[] = [];
  if (rules.periodKeys !== undefined) {
    const familyKey = (row: Row) =>
      [row.level, row.code, financialYearOf(String(row.period)), ...(rules.periodKeys ?? []).map((k) => row[k])].join(
        '|',
      );
    const years = new Map<string, Row>();
    for (const row of out) if (!isNational(row) && row.period_type === 'fy') years.set(familyKey(row), row);
    const months = new Map<string, Row[]>();
    for (const row of out) {
      if (isNational(row) || row.period_type !== 'month') continue;
      const key = familyKey(row);
      if (years.has(key)) months.set(key, [...(months.get(key) ?? []), row]);
    }
    for (const [key, rows] of months) periodFamilies.push({ year: years.get(key) as Row, months: rows });
  }
  // Suppressing a cell for one rule can expose another: repeat until nothing changes.
  for (let changed = true; changed; ) {
    changed = false;
    for (const row of out) {
      if (isNational(row)) continue;
      for (const group of rules.groups ?? []) {
        changed =
          suppressNextSmallest(
            group.parts.map((column) => ({ row, column })),
            { row, column: group.total },
          ) || changed;
      }
    }
    for (const family of families) {
      for (const siblings of family) {
        for (const column of sensitive)
          changed =
            suppressNextSmallest(
              siblings.map((row) => ({ row, column })),
              undefined,
              siblings.every((row) => row.level === 'region'),
            ) || changed;
      }
    }
    for (const { parts, total } of areaFamilies.values()) {
      if (parts.length < 2 && total === undefined) continue;
      for (const column of sensitive)
        changed =
          suppressNextSmallest(
            parts.map((row) => ({ row, column })),
            total === undefined ? undefined : { row: total, column },
            parts.every((row) => row.level === 'region'),
          ) || changed;
    }
    for (const { year, months } of periodFamilies) {
      for (const column of sensitive)
        changed =
          suppressNextSmallest(
            months.map((row) => ({ row, column })),
            { row: year, column },
          ) || changed;
    }
  }
  return out;
}

/** A rate from published figures: suppressed with its numerator or denominator, null without a denominator. */
export function rate(numerator: unknown, denominator: unknown, per = 1, digits = 1): Figure {
  if (numerator === SUPPRESSED || denominator === SUPPRESSED) return SUPPRESSED;
  if (typeof numerator !== 'number' || typeof denominator !== 'number' || denominator <= 0) return null;
  const factor = 10 ** digits;
  return Math.round((numerator / denominator) * per * factor) / factor;
}
