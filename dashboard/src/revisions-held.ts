import type { MetaDocument, MetricDocument, RevisionsHeld } from '../../functions/contract/metrics.ts';
import type { CohortGapsHeld } from '../../functions/contract/summaries.ts';
import { cohortGapNote } from '../../functions/reports/cohort-gap-note.ts';
import { formatDate, fyLabel, monthLabel } from './format.ts';

/** A held period in words: a month (2025-04 → Apr 2025), a financial year (2025/26 → FY 2025/26), else as given. */
export function periodLabel(period: string): string {
  if (/^\d{4}-\d{2}$/.test(period)) return monthLabel(period);
  if (/^\d{4}\/\d{2}$/.test(period)) return fyLabel(period);
  return period;
}

/** a, b and c */
export function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * How complete England's figures are under the revisions policy (docs/methodology.md, "Revisions of England's
 * figures"), in plain words: which periods hold a revision back, how many figures, and when they will update. A
 * figure made up by fewer than 3 PCNs (or dominated by one) is held as no figure, at a first release too (review 8,
 * N5), so the note says so rather than only "the change". Null
 * when nothing is held. A release that failed closed says so, because then the hold is not about these PCNs' changes
 * but about the refresh not being able to check what it published, and the figures update by a coarser rule.
 */
export function revisionsHeldNote(held: RevisionsHeld | undefined): string | null {
  if (!held || held.figures <= 0) return null;
  const periods = held.periods.length > 0 ? ` for ${listed(held.periods.map(periodLabel))}` : '';
  const figures = held.figures === 1 ? '1 figure' : `${held.figures.toLocaleString('en-GB')} figures`;
  if (held.fail_closed) {
    return (
      `England figures${periods} hold back a revision (${figures}): the last refresh could not check its record of ` +
      'what it had published, so England figures that changed still show the value published before. They will ' +
      'update once 3 or more PCNs have sent data since.'
    );
  }
  return (
    `England figures${periods} hold back a revision (${figures}): too few PCNs make them up, or have made the ` +
    'change, for them to be published safely (fewer than 3, or one dominating), so they still show the value ' +
    "published before (a figure not published before shows none yet). They will update when more PCNs' data arrive."
  );
}

/** A document's summary.series_break (functions/refresh/revisions.ts, SeriesBreak). */
interface SeriesBreak {
  readonly since_release: string;
  readonly reason: string;
  /** The columns whose definition changed; absent (or 'all') when every figure changed or that is not known. */
  readonly columns?: readonly string[] | 'all';
}

/** A column's name in the words the card already gives it (its CSV header), in quotes. */
const quoted = (label: string) => `\u201c${label}\u201d`;

/**
 * A break in a document's series in one line: its figures are made by a changed definition from this release, so
 * figures downloaded from earlier releases are not comparable with them (docs/methodology.md, "Revisions of England's
 * figures"). A definition change may change only some figures (red-team review 7, M4): those are named, in the words
 * the card gives them (`labels`: its CSV headers), and any the card does not show are counted; the others are counted
 * as before and still comparable. Every figure where it says so, or where which changed is not known. A release after
 * a record kept no definitions cannot say whether it changed, and says so.
 */
export function seriesBreakNote(
  seriesBreak: SeriesBreak | undefined,
  labels: Readonly<Record<string, string>> = {},
): string | null {
  if (!seriesBreak) return null;
  const since = formatDate(seriesBreak.since_release);
  if (seriesBreak.reason !== 'definition changed')
    return `From the release of ${since} these figures start a new series: figures downloaded before it may not be comparable with them.`;
  const { columns } = seriesBreak;
  if (columns === undefined || columns === 'all')
    return `How all these figures are counted changed in the release of ${since}: figures downloaded before it are not comparable with them.`;
  if (columns.length === 0) return null;
  const named = [...new Set(columns.flatMap((column) => (labels[column] ? [quoted(labels[column])] : [])))];
  const unnamed = columns.filter((column) => !labels[column]).length;
  const others = unnamed === 0 ? [] : [`${unnamed} ${unnamed === 1 ? 'figure' : 'figures'} not shown here`];
  const which = listed([...named, ...others]);
  const verb = columns.length === 1 ? 'is' : 'are';
  const those = columns.length === 1 ? 'that figure' : 'those figures';
  return `How ${which} ${verb} counted changed in the release of ${since}: downloaded before it, ${those} ${verb} not comparable with the new; the others are counted as before.`;
}

/**
 * The notes for one metric document (its summary.revisions_held and series_break), once it has loaded. `labels`: the
 * card's words for the document's columns (its CSV headers), which name the figures a break changed.
 */
export function documentRevisionsHeldNote(document: unknown, labels?: Readonly<Record<string, string>>): string | null {
  if (typeof document !== 'object' || document === null) return null;
  const { summary } = document as {
    summary?: { revisions_held?: RevisionsHeld; series_break?: SeriesBreak; cohort_gaps_held?: CohortGapsHeld };
  };
  // England's years held for a cohort gap, and why (R32-2): not a late file's hold, which passes.
  const gaps = (summary?.cohort_gaps_held?.periods ?? [])
    .filter((period) => /^\d{4}\/\d{2}$/.test(period))
    .map((fy) => cohortGapNote(document as Pick<MetricDocument, 'summary'>, fy));
  const notes = [seriesBreakNote(summary?.series_break, labels), revisionsHeldNote(summary?.revisions_held), ...gaps];
  return notes.some(Boolean) ? notes.filter(Boolean).join(' ') : null;
}

/**
 * Beside the header's "Data as of": how far England's own figures go when a new month's are all held (meta.json's
 * england_months_held and england_data_as_of), so England's column is not read as of the same date as the areas'
 * (review 5, G4). Null when no month is held whole.
 */
export function englandDataAsOf(
  meta: Pick<MetaDocument, 'england_months_held' | 'england_data_as_of'> | null | undefined,
): string | null {
  if (!meta?.england_months_held || meta.england_months_held.length === 0) return null;
  return meta.england_data_as_of
    ? `England's figures to ${formatDate(meta.england_data_as_of)}`
    : "England's figures not yet published";
}
