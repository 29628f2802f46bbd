/**
 * PCNs with referrals (rollout `pcns_reporting`) as a reader should read them (review 31, R31-4). Below England it is
 * a count rounded to 5 and then capped below its bound (the PCNs in force, and for a month the PCNs that sent it:
 * catalogue.ts rollout `describing` atMost; disclosure.ts capAtBound): a rounded figure above its bound shows the
 * largest multiple of 5 within it. So where the figure is that multiple (10 where 14 are in force), the PCNs with
 * referrals are anywhere from 2 below it (its own rounding) to all of them: "8 to 14", never a bare "10 of 14" read as
 * four PCNs with no referrals. Where the bound is itself a multiple of 5 no count rounds above it, and the figure at
 * it is a count rounded up to it at most (15 of 15: 13 to 15). Never from fewer than 8: a count of 1 to 7 below
 * England is `*` (review 32's nit: a capped 5 of 9 read "3 to 9"). England's is exact, and a figure further below its
 * bound is an ordinary count rounded to 5.
 */

/**
 * The smallest count published below England (disclosure.ts MIN_COUNT: 1 to 7 are `*`), kept here so that the dashboard
 * does not bundle the disclosure step; test/unit/pcns-reporting.test.ts checks the two agree.
 */
export const SMALLEST_COUNT_SHOWN = 8;

/** The bound the published figure is capped below: the PCNs in force, and for a month those that sent it. */
function boundOf(row: Readonly<Record<string, unknown>>): number | undefined {
  const bounds = [row.pcns, row.period_type === 'month' ? row.pcns_sent : undefined].filter(
    (v): v is number => typeof v === 'number',
  );
  return bounds.length === 0 ? undefined : Math.min(...bounds);
}

/**
 * The range of PCNs with referrals a published row allows, where its figure may be capped below its bound:
 * `{ low, high }` (high the bound), or undefined where the figure reads as it is (England's, `*`, no figure, or a
 * figure more than 5 below its bound).
 */
export function pcnsReportingRange(
  row: Readonly<Record<string, unknown>> | undefined,
): { readonly low: number; readonly high: number } | undefined {
  if (row === undefined || row.level === 'national') return undefined;
  const shown = row.pcns_reporting;
  const bound = boundOf(row);
  if (typeof shown !== 'number' || bound === undefined) return undefined;
  // The largest multiple of 5 within the bound: where a capped figure shows (capAtBound), and where a figure at a bound
  // that is a multiple of 5 may be a count rounded up to it.
  const capped = Math.floor(bound / 5) * 5;
  if (shown !== capped || shown <= 0) return undefined;
  // A published count below England is 0 or at least SMALLEST_COUNT_SHOWN (1 to 7 are `*`).
  return { low: Math.min(bound, Math.max(SMALLEST_COUNT_SHOWN, shown - 2)), high: bound };
}

/** The published figure in words: "8 to 14" where it may be capped (pcnsReportingRange), else `format(figure)`. */
export function pcnsReportingText(
  row: Readonly<Record<string, unknown>> | undefined,
  format: (value: unknown) => string,
): string {
  const range = pcnsReportingRange(row);
  if (range === undefined) return format(row?.pcns_reporting);
  return range.low === range.high ? String(range.low) : `${range.low} to ${range.high}`;
}

/** What a range means, for a note beside it. */
export const PCNS_REPORTING_RANGE_NOTE =
  'rounded to 5, and never shown as the whole: a figure that would round to the PCNs in force or above shows the multiple of 5 below, so it may be all of them';
