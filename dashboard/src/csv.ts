import { csvText } from '../../functions/lib/csv.ts';
import type { Loadable } from './api.ts';

/** The CSV a chart offers for download: exactly the rows and columns it shows, suppressed figures as *. */
export function toCsv(columns: Readonly<Record<string, string>>, rows: readonly Record<string, unknown>[]): string {
  const keys = Object.keys(columns);
  return csvText(
    Object.values(columns),
    rows.map((row) => keys.map((key) => row[key])),
  );
}

export function downloadCsv(fileName: string, text: string): void {
  downloadBlob(fileName, new Blob([text], { type: 'text/csv;charset=utf-8' }));
}

/** Saves a file the page holds (a CSV, a PDF pack) under a name. */
export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/** A card's download as ChartCard takes it: a file name, its columns (key → header) and its rows. */
export interface CsvDownload {
  readonly fileName: string;
  readonly columns: Readonly<Record<string, string>>;
  readonly rows: readonly Record<string, unknown>[];
}

export interface PeriodCsv {
  /** The file's name before its period and `.csv`, e.g. `wellbeing-ENG`. */
  readonly stem: string;
  /** The period the file holds, put in its name: a financial year (2025/26, written 2025-26), a month or a date. */
  readonly period: string;
  /**
   * The header of the period column. A row keeps its own `period` (a month of a monthly series); a row without one
   * (a figure the page made, an activity's connections) is given `period`, so that every row says which it is.
   */
  readonly periodHeader: string;
  /** The data-as-of date of the document the figures come from: the last day of the last complete month they include. */
  readonly dataAsOf: string | null;
  /** Which referrals cohort-based figures cover, e.g. "referrals made by 2025-12-31" (none for other figures). */
  readonly covers?: string;
  /** Columns the same on every row, said after the figures: key → [header, value] (what a figure is compared with). */
  readonly alike?: Readonly<Record<string, readonly [string, unknown]>>;
  readonly columns: Readonly<Record<string, string>>;
  readonly rows: readonly Record<string, unknown>[];
}

/**
 * A download that says its period, completeness and coverage (review 6, K2): the period in the file name (two years
 * downloaded are two files, not two wellbeing-ENG.csv) and in a column, then the data-as-of date and, for cohort-based
 * figures, which referrals they cover, in columns (a comment line above the header would trip the tools that read it).
 */
export function periodCsv(spec: PeriodCsv): CsvDownload {
  const alike = Object.entries(spec.alike ?? {});
  const columns: Record<string, string> = {
    ...('period' in spec.columns ? {} : { period: spec.periodHeader }),
    ...spec.columns,
    ...Object.fromEntries(alike.map(([key, [header]]) => [key, header])),
    data_as_of: 'Data as of',
    ...(spec.covers === undefined ? {} : { covers: 'Referrals covered' }),
  };
  const added = {
    ...Object.fromEntries(alike.map(([key, [, value]]) => [key, value])),
    data_as_of: spec.dataAsOf,
    ...(spec.covers === undefined ? {} : { covers: spec.covers }),
  };
  return {
    fileName: `${spec.stem}-${spec.period.replaceAll('/', '-')}.csv`,
    columns,
    rows: spec.rows.map((row) => ({ ...row, period: row.period ?? spec.period, ...added })),
  };
}

/** The data-as-of date of a loaded document, else the dashboard's (meta.json's): the one its figures are as of. */
export function dataAsOfOf(document: Loadable<unknown>, fallback: string | null): string | null {
  if (document.state !== 'ready' || typeof document.value !== 'object' || document.value === null) return fallback;
  const { data_as_of } = document.value as { data_as_of?: unknown };
  return typeof data_as_of === 'string' || data_as_of === null ? data_as_of : fallback;
}
