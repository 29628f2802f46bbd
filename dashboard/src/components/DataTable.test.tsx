// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricRow } from '../../../functions/contract/metrics.ts';
import { formatPercent } from '../format.ts';
import { DataTable, figureColumn } from './DataTable.tsx';

afterEach(cleanup);

const row = (code: string, people: number | '*', rate: number | '*' | null): MetricRow =>
  ({ level: 'pcn', code, period: '2026/27', people, rate }) as unknown as MetricRow;

describe('the dashboard table', () => {
  const rows = [row('U00001', 120, 42.5), row('U00002', '*', '*')];
  const columns = [
    { key: 'code', header: 'PCN', rowHeader: true, cell: (r: MetricRow) => r.code },
    figureColumn<MetricRow>('people', 'People'),
    figureColumn<MetricRow>('rate', 'Engaged', (v) => formatPercent(v)),
  ];

  it('names itself, scopes its headers and right-aligns numbers', () => {
    render(<DataTable label="Engagement by PCN" testId="t" rows={rows} rowKey={(r) => r.code} columns={columns} />);
    const table = screen.getByRole('table', { name: 'Engagement by PCN' });
    expect(table.getAttribute('data-testid')).toBe('t');
    const headers = [...table.querySelectorAll('thead th')];
    expect(headers.map((h) => [h.textContent, h.getAttribute('scope'), h.className.includes('text-right')])).toEqual([
      ['PCN', 'col', false],
      ['People', 'col', true],
      ['Engaged', 'col', true],
    ]);
    const body = [...table.querySelectorAll('tbody tr')];
    expect(body.map((tr) => [...tr.children].map((c) => `${c.tagName}:${c.getAttribute('scope') ?? ''}`))).toEqual([
      ['TH:row', 'TD:', 'TD:'],
      ['TH:row', 'TD:', 'TD:'],
    ]);
    expect(body.map((tr) => [...tr.children].map((c) => c.textContent))).toEqual([
      ['U00001', '120', '42.5%'],
      ['U00002', '* (suppressed)', '* (suppressed)'],
    ]);
    // A suppressed figure carries its explanation, as FigureValue shows it everywhere else.
    expect(body[1]?.querySelectorAll('abbr[data-suppressed="true"]').length).toBe(2);
    expect(body[1]?.children[1]?.className).toContain('text-right');
  });

  it('a caption names the table instead of a label; hidden headers stay for screen readers', () => {
    render(
      <DataTable
        caption="Change by use before referral"
        label="ignored"
        hideHeader
        rows={rows}
        columns={[{ key: 'code', header: 'PCN', testId: (r) => `cell-${r.code}`, cell: (r) => r.code }]}
      />,
    );
    const table = screen.getByRole('table', { name: 'Change by use before referral' });
    expect(table.getAttribute('aria-label')).toBeNull();
    expect(table.querySelector('thead')?.className).toBe('sr-only');
    expect(screen.getByTestId('cell-U00002').textContent).toBe('U00002');
  });

  it('a sortable column says how it is sorted', () => {
    render(
      <DataTable
        label="Sorted"
        rows={rows}
        columns={[
          { key: 'code', header: 'PCN', sort: 'ascending', cell: (r) => r.code },
          { key: 'people', header: 'People', sort: 'none', numeric: true, cell: () => '' },
        ]}
      />,
    );
    expect(screen.getByRole('columnheader', { name: 'PCN' }).getAttribute('aria-sort')).toBe('ascending');
    expect(screen.getByRole('columnheader', { name: 'People' }).getAttribute('aria-sort')).toBe('none');
  });
});
