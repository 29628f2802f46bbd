// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Level, MetricRow } from '../../../functions/contract/metrics.ts';
import { endPageTest, pageMeta, renderPage, stubPageGlobals } from '../test-support/page.tsx';
import EquityPage from './EquityPage.tsx';

/*
 * The PCN-deprivation-quintile figures of the equity page are withheld by design (docs/methodology.md, Equity): never
 * for an ICB or a PCN, and for England or a region only in years where no quintile gives away a PCN. A regional lead
 * or a PCN user who picks them is told why, and where to look instead, not shown three empty charts.
 */
const META = pageMeta({
  generated_at: '2026-12-01T06:00:00Z',
  data_as_of: '2026-11-30',
  financial_years: ['2025/26', '2026/27'],
  regions: [{ code: 'Y56', name: 'London', parent: 'ENG' }],
  icbs: [{ code: 'QWE', name: 'NHS South West London ICB', parent: 'Y56' }],
  pcns: [{ code: 'U00147', name: 'Aegis PCN', parent: 'QWE', list_size: 8000 }],
});

const row = (level: Level, code: string, dimension: string, group: string): MetricRow =>
  ({
    level,
    code,
    period_type: 'fy',
    period: '2025/26',
    dimension,
    group,
    people_referred: 40,
    people_referred_per_1000: 0.5,
    people_referred_per_1000_annualised: 1.2,
    engaged_pct: 60,
    wellbeing_improved_pct: 30,
  }) as unknown as MetricRow;

/** What the API answers for an area: decile rows everywhere, quintile rows for England only. */
const ROWS: Record<string, MetricRow[]> = {
  'national/ENG': [row('national', 'ENG', 'imd_decile', '1'), row('national', 'ENG', 'pcn_imd_quintile', '1')],
  'region/Y56': [row('region', 'Y56', 'imd_decile', '1')],
  'icb/QWE': [row('icb', 'QWE', 'imd_decile', '1')],
  'pcn/U00147': [row('pcn', 'U00147', 'imd_decile', '1')],
};

beforeEach(() => {
  stubPageGlobals((url) => {
    const query = url.searchParams;
    const rows = query.get('period') === '2025/26' ? (ROWS[`${query.get('level')}/${query.get('code')}`] ?? []) : [];
    return { name: 'equity', description: 'Equity.', rows };
  });
});
afterEach(endPageTest);

async function showQuintiles(level: Level, code: string, name: string, fy = '2025/26') {
  renderPage(<EquityPage />, META, { level, code, name }, fy);
  await waitFor(() => expect(screen.getAllByRole('table').length).toBe(1));
  fireEvent.change(screen.getByLabelText('Group people by'), { target: { value: 'pcn_imd_quintile' } });
}

const emptyStates = () => [...document.querySelectorAll('[data-state="empty"]')].map((p) => p.textContent);

describe('the equity page where PCN-deprivation-quintile figures are withheld', () => {
  it('a PCN user is told they are never published for a PCN or ICB, and to choose their region or England', async () => {
    await showQuintiles('pcn', 'U00147', 'Aegis PCN');
    const why =
      "Figures by the deprivation of the PCN's patients are not published for an ICB or a PCN: in most ICBs a quintile " +
      "holds only one or two PCNs, so its figures would be one PCN's own (disclosure control). They are published for " +
      'England and the regions: choose London or England.';
    // Each of the three cards (two charts and the table) says why, and none offers an empty CSV.
    expect(emptyStates()).toEqual([why, why, why]);
    expect(screen.queryByRole('table')).toBeNull();
    expect(screen.queryByRole('button', { name: /Download CSV/ })).toBeNull();
  });

  it('an ICB user is told the same, with the region of their ICB', async () => {
    await showQuintiles('icb', 'QWE', 'NHS South West London ICB');
    expect(emptyStates()).toHaveLength(3);
    expect(emptyStates()[0]).toMatch(/not published for an ICB or a PCN.*choose London or England\.$/);
  });

  it("a regional lead is told the year's quintiles would give a PCN away, and to choose England or another year", async () => {
    await showQuintiles('region', 'Y56', 'London');
    const why =
      'Not published for London in FY 2025/26: in that year a deprivation quintile holds too few PCNs (fewer than 3, ' +
      "or one left once an ICB's or region's own PCNs are taken away), so its figures would give away a PCN's " +
      '(disclosure control). Choose England or another year.';
    expect(emptyStates()).toEqual([why, why, why]);
  });

  it('where they are published, England sees its quintiles and no notice', async () => {
    await showQuintiles('national', 'ENG', 'England');
    await waitFor(() => expect(screen.getAllByRole('table').length).toBe(1));
    expect(emptyStates()).toEqual([]);
    expect(screen.getByRole('table').querySelector('tbody th')?.textContent).toBe('Quintile 1');
  });

  it('a year with no equity figures at all keeps the ordinary empty state', async () => {
    renderPage(<EquityPage />, META, { level: 'region', code: 'Y56', name: 'London' }, '2026/27', { region: 'Y56' });
    await waitFor(() => expect(emptyStates()).toHaveLength(3));
    fireEvent.change(screen.getByLabelText('Group people by'), { target: { value: 'pcn_imd_quintile' } });
    expect(emptyStates()).toEqual(Array(3).fill('No figures for the filters chosen. Try another year or area.'));
  });
});
