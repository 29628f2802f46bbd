import type { ReactNode } from 'react';
import type { Figure, MetricRow } from '../../../functions/contract/metrics.ts';
import { figure } from '../chart-data.ts';
import { FigureValue } from './FigureValue.tsx';

/** One column of a {@link DataTable}. */
export interface Column<R> {
  /** Unique within the table (React key). */
  key: string;
  /** The header cell's content: text, or a sort button. */
  header: ReactNode;
  /** A number: header and cells right-aligned. */
  numeric?: boolean;
  /** The cell names its row: a `<th scope="row">` rather than a `<td>`. */
  rowHeader?: boolean;
  /** For a sortable column, the header's `aria-sort`. */
  sort?: 'ascending' | 'descending' | 'none';
  /** Extra classes on each body cell. */
  className?: string;
  /** A `data-testid` for each body cell. */
  testId?: (row: R) => string;
  cell: (row: R, index: number) => ReactNode;
}

const CELL = 'px-2 py-1';
const align = (numeric?: boolean) => (numeric ? 'text-right' : 'text-left');

/**
 * The dashboard's table: a caption or an accessible name, column headers with `scope`, numbers right-aligned, and
 * suppressed figures shown as {@link FigureValue} shows them (use {@link figureColumn}).
 */
export function DataTable<R>({
  columns,
  rows,
  rowKey = (_row, index) => String(index),
  caption,
  label,
  testId,
  scroll,
  hideHeader = false,
}: {
  columns: readonly Column<R>[];
  rows: readonly R[];
  rowKey?: (row: R, index: number) => string;
  /** Shown above the table; names it for screen readers. */
  caption?: ReactNode;
  /** The table's accessible name when it has no caption. */
  label?: string;
  testId?: string;
  /** A maximum height (a Tailwind class such as `max-h-[32rem]`): the table scrolls below its header, in a region
   * named by `label` that the keyboard can reach. */
  scroll?: string;
  /** Headers for screen readers only (a two-column list of items and values). */
  hideHeader?: boolean;
}) {
  const head = [scroll ? 'sticky top-0 bg-white' : '', hideHeader ? 'sr-only' : ''].filter(Boolean).join(' ');
  const table = (
    <table
      className="w-full text-tremor-default text-tremor-content-strong"
      data-testid={testId}
      aria-label={caption ? undefined : label}
    >
      {caption && <caption className="text-left text-tremor-label text-tremor-content">{caption}</caption>}
      <thead className={head || undefined}>
        <tr>
          {columns.map((c) => (
            <th key={c.key} scope="col" aria-sort={c.sort} className={`${CELL} ${align(c.numeric)}`}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={rowKey(row, i)} className="border-t border-gray-200">
            {columns.map((c) => {
              const className = [CELL, align(c.numeric), c.rowHeader ? 'font-normal' : '', c.className ?? '']
                .filter(Boolean)
                .join(' ');
              const content = c.cell(row, i);
              const id = c.testId?.(row);
              return c.rowHeader ? (
                <th key={c.key} scope="row" className={className} data-testid={id}>
                  {content}
                </th>
              ) : (
                <td key={c.key} className={className} data-testid={id}>
                  {content}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
  return scroll ? (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling table must be reachable by keyboard
    <section className={`${scroll} overflow-auto`} tabIndex={0} aria-label={label}>
      {table}
    </section>
  ) : (
    table
  );
}

/** A right-aligned column of a metric's published figures: a suppressed one is an asterisk with its explanation. */
export function figureColumn<R extends MetricRow>(
  column: string,
  header: ReactNode,
  format?: (v: Figure | undefined) => string,
): Column<R> {
  return {
    key: column,
    header,
    numeric: true,
    cell: (row) => <FigureValue value={figure(row, column)} format={format} />,
  };
}
