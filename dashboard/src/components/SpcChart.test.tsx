// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SpcChart, type SpcSeries } from './SpcChart.tsx';

afterEach(cleanup);

const months = ['2025-04', '2025-05', '2025-06', '2025-07'];
const base: SpcSeries = {
  months,
  values: { '2025-04': 30, '2025-05': 30, '2025-06': 35, '2025-07': 100 },
  rules: {},
  mean: 48.75,
  median: 32.5,
  upperLimit: null,
  lowerLimit: null,
  target: null,
  improvement: 'up',
  variation: null,
  assurance: null,
  notCharted: null,
};

describe('SpcChart', () => {
  it('a series with a suppressed month: the reason in words, no chart, no line, no icon (review2 F4)', () => {
    const reason =
      "Not charted month by month: 2 of 4 months suppressed (too few people to publish); see the yearly figures and its ICB's chart";
    render(
      <SpcChart
        title="Referrals"
        format={String}
        series={{
          ...base,
          values: { ...base.values, '2025-06': '*', '2025-07': '*' },
          mean: null,
          median: null,
          notCharted: reason,
        }}
      />,
    );
    expect(screen.getByTestId('spc-not-charted').textContent).toBe(`${reason}.`);
    expect(screen.queryByTestId('spc-chart')).toBeNull();
    expect(screen.queryByTestId('variation-icon')).toBeNull();
  });

  it('a run chart draws its median, which its shift rule reads, not the mean', () => {
    render(<SpcChart title="Referrals" format={String} series={base} />);
    const chart = screen.getByTestId('spc-chart');
    expect(chart.querySelector('[data-line="median"]')).not.toBeNull();
    expect(chart.querySelector('[data-line="mean"]')).toBeNull();
    expect(chart.querySelector('desc')?.textContent).toBe(
      '4 months from 2025-04 to 2025-07; median 32.5; fewer than 13 months, so no process limits; special cause points: 0 improvement, 0 concern, 0 neither.',
    );
    expect(screen.getByTestId('spc-legend').textContent).toContain('Median (a run chart)');
  });

  it('a chart with limits draws the mean', () => {
    render(
      <SpcChart title="Referrals" format={String} series={{ ...base, median: null, upperLimit: 120, lowerLimit: 0 }} />,
    );
    const chart = screen.getByTestId('spc-chart');
    expect(chart.querySelector('[data-line="mean"]')).not.toBeNull();
    expect(chart.querySelector('[data-line="median"]')).toBeNull();
  });
});
