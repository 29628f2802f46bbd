// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { formatPercent } from '../format.ts';
import { ChartCard } from './ChartCard.tsx';
import { FigureValue } from './FigureValue.tsx';

afterEach(cleanup);

describe('showing suppressed figures', () => {
  it('a suppressed figure is an asterisk with its explanation, never a zero', () => {
    render(
      <p data-testid="figure">
        <FigureValue value="*" />
      </p>,
    );
    const figure = screen.getByTestId('figure');
    expect(figure.textContent).toBe('* (suppressed)');
    expect(figure.querySelector('abbr')?.getAttribute('title')).toBe(
      'Suppressed to protect confidentiality: fewer than 8 people, or a figure that would let one be worked out.',
    );
  });

  it('a published figure is formatted; a missing one is a dash', () => {
    render(
      <p>
        <span data-testid="count">
          <FigureValue value={12345} />
        </span>
        <span data-testid="rate">
          <FigureValue value={80} format={(v) => formatPercent(v)} />
        </span>
        <span data-testid="missing">
          <FigureValue value={null} />
        </span>
      </p>,
    );
    expect(screen.getByTestId('count').textContent).toBe('12,345');
    expect(screen.getByTestId('rate').textContent).toBe('80.0%');
    expect(screen.getByTestId('missing').textContent).toBe('–');
  });
});

describe('ChartCard states', () => {
  const csv = { fileName: 'x.csv', columns: { a: 'A' }, rows: [{ a: '*' }] };

  it('loading, error and empty are each designed, not blank', () => {
    const { rerender } = render(
      <ChartCard title="Referrals" how="How." data={{ state: 'loading' }}>
        x
      </ChartCard>,
    );
    expect(screen.getByText('Loading Referrals')).toBeTruthy();
    rerender(
      <ChartCard title="Referrals" how="How." data={{ state: 'error', message: 'the server answered 503' }}>
        x
      </ChartCard>,
    );
    expect(screen.getByRole('alert').textContent).toBe(
      'These figures could not be loaded: the server answered 503. Try again, or choose other filters.',
    );
    rerender(
      <ChartCard title="Referrals" how="How." data={{ state: 'ready', value: null }} empty>
        x
      </ChartCard>,
    );
    expect(screen.getByText('No figures for the filters chosen. Try another year or area.')).toBeTruthy();
  });

  it('explains suppression when its data has any, and offers its CSV and how it is calculated', () => {
    render(
      <ChartCard title="Referrals" how="Accepted referrals." data={{ state: 'ready', value: null }} csv={csv}>
        chart
      </ChartCard>,
    );
    expect(screen.getByRole('button', { name: 'Download CSV: Referrals' })).toBeTruthy();
    expect(screen.getByText(/Suppressed to protect confidentiality/)).toBeTruthy();
    expect(screen.getByText('How this is calculated')).toBeTruthy();
    expect(screen.getByText('Accepted referrals.')).toBeTruthy();
  });
});
