import { Card } from '@tremor/react';
import { type ReactNode, useContext } from 'react';
import type { Loadable } from '../api.ts';
import { DashboardContext } from '../context.ts';
import { downloadCsv, toCsv } from '../csv.ts';
import { isSuppressed, SUPPRESSED_EXPLANATION } from '../format.ts';
import { type MethodSection, methodLink } from '../method.ts';
import { documentRevisionsHeldNote } from '../revisions-held.ts';
import { withheldRowsNote } from '../withheld-rows.ts';
import { yearCompleteness } from '../year-completeness.ts';

/** Where the method is published in full (docs/methodology.md in the repository, served at /methodology). */
export { METHODOLOGY_PATH } from '../method.ts';

export interface CsvSpec {
  readonly fileName: string;
  /** Each column's key in the rows and its header, in the order of the file (keys are names, never integer-like). */
  readonly columns: Readonly<Record<string, string>>;
  readonly rows: readonly Record<string, unknown>[];
}

interface ChartCardProps {
  readonly title: string;
  /** How the figures are calculated, from the metric definitions. */
  readonly how?: string;
  /** Said after the document's own description, when the card adds to it (a target's source, a chart's reading). */
  readonly howMore?: string;
  /** The figures behind the card, as useMetric gives them: the card shows their loading and error states itself. */
  readonly data: Loadable<unknown>;
  /** True when there is nothing to show for the filters chosen. */
  readonly empty?: boolean;
  /** Why there is nothing to show, where the card knows better than "no figures" (figures withheld by design). */
  readonly emptyMessage?: string;
  readonly csv?: CsvSpec;
  /** Which referrals the figures cover, where an outcome needs time (cohort cut-offs). */
  readonly covers?: string;
  /**
   * What period the figures are of, where it is not the year in the filters (said instead of the year's note): the
   * Data submissions summary counts every file received (review 31, R31-9).
   */
  readonly periodNote?: string;
  /** The section of docs/methodology.md that "how this is calculated" links to. */
  readonly method?: MethodSection;
  readonly children: ReactNode;
}

/**
 * One card of figures or a chart. It owns its loading, error, empty and suppressed states, its "download CSV" of
 * exactly the data it shows, and its "how this is calculated" note, so no page repeats them.
 */
export function ChartCard({
  title,
  how,
  howMore,
  data,
  empty,
  emptyMessage,
  csv,
  covers,
  periodNote,
  method,
  children,
}: ChartCardProps) {
  const explanation = [how ?? describedBy(data), howMore].filter(Boolean).join(' ');
  const { state } = data;
  const error = data.state === 'error' ? data.message : undefined;
  const id = `card-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const dashboard = useContext(DashboardContext);
  const partYear = periodNote ?? (dashboard ? yearCompleteness(dashboard.fy, dashboard.meta.data_as_of) : null);
  // The card's own England figures that hold a revision back (its document's summary.revisions_held), and a break in
  // its series, naming the figures it changed as the card's CSV headers name them.
  const held = state === 'ready' ? documentRevisionsHeldNote(data.value, csv?.columns) : null;
  const hasSuppressed = csv?.rows.some((row) => Object.values(row).some(isSuppressed)) ?? false;
  // Rows below England its document left out for disclosure control (summary.withheld_below_england; review 7, M8).
  const withheld = state === 'ready' ? withheldRowsNote(data.value, dashboard?.fy) : null;
  return (
    <Card className="flex flex-col gap-3" aria-labelledby={`${id}-title`} role="region">
      <div className="flex items-start justify-between gap-4">
        <h2 id={`${id}-title`} className="text-tremor-title font-semibold text-tremor-content-strong">
          {title}
        </h2>
        {csv && state === 'ready' && !empty && (
          <button
            type="button"
            className="shrink-0 rounded-tremor-small border border-tremor-border px-2 py-1 text-tremor-label font-medium text-nhs-blue hover:bg-tremor-background-muted focus:outline-none focus-visible:ring-2 focus-visible:ring-nhs-blue"
            onClick={() => downloadCsv(csv.fileName, toCsv(csv.columns, csv.rows))}
            aria-label={`Download CSV: ${title}`}
          >
            Download CSV
          </button>
        )}
      </div>
      {state === 'loading' && (
        <div aria-busy="true" aria-live="polite" className="animate-pulse space-y-2" data-state="loading">
          <span className="sr-only">Loading {title}</span>
          <div className="h-4 w-1/3 rounded bg-gray-200" />
          <div className="h-24 rounded bg-gray-100" />
        </div>
      )}
      {state === 'error' && (
        <p
          role="alert"
          className="rounded-tremor-small border border-red-300 bg-red-50 p-3 text-tremor-default text-red-800"
          data-state="error"
        >
          These figures could not be loaded: {error ?? 'unknown error'}. Try again, or choose other filters.
        </p>
      )}
      {state === 'ready' && empty && (
        <p
          className="rounded-tremor-small bg-tremor-background-muted p-3 text-tremor-default text-tremor-content"
          data-state="empty"
        >
          {emptyMessage ?? 'No figures for the filters chosen. Try another year or area.'}
        </p>
      )}
      {(partYear || covers || held) && (
        <p className="text-tremor-label text-tremor-content" data-testid="card-period">
          {[partYear, covers, held].filter(Boolean).join(' ')}
        </p>
      )}
      {state === 'ready' && !empty && children}
      {state === 'ready' && hasSuppressed && (
        <p className="text-tremor-label text-tremor-content-subtle">
          <span aria-hidden="true">* </span>
          {SUPPRESSED_EXPLANATION}
        </p>
      )}
      {withheld && (
        <p className="text-tremor-label text-tremor-content-subtle" data-testid="card-withheld">
          {withheld}
        </p>
      )}
      <details className="text-tremor-label text-tremor-content">
        <summary className="cursor-pointer font-medium text-nhs-blue focus:outline-none focus-visible:ring-2 focus-visible:ring-nhs-blue">
          How this is calculated
        </summary>
        <p className="mt-1 leading-relaxed">{explanation}</p>
        <p className="mt-1">
          <a className="text-nhs-blue underline" href={methodLink(method)}>
            The full method: definitions, cohorts, intervals and disclosure control
          </a>
        </p>
      </details>
    </Card>
  );
}

/** A metric document's own description (its definition, from the catalogue), once it has loaded. */
function describedBy(data: Loadable<unknown>): string {
  if (data.state !== 'ready' || typeof data.value !== 'object' || data.value === null) return '';
  const { description } = data.value as { description?: unknown };
  return typeof description === 'string' ? description : '';
}
