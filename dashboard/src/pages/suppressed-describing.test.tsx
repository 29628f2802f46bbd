// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetricRow } from '../../../functions/contract/metrics.ts';
import { DEFAULT_TARGETS } from '../../../functions/refresh/catalogue.ts';
import { endPageTest, pageMeta, renderPage, stubPageGlobals } from '../test-support/page.tsx';
import OutcomesPage from './OutcomesPage.tsx';
import { RolloutPage } from './RolloutPage.tsx';

/*
 * Below England the organisations of cof_community and the PCNs with referrals of rollout are counts: `*` where 1 to 7
 * or wherever their count is suppressed (docs/methodology.md, Disclosure control). The cards show them as suppressed,
 * with the explanation, not as a number or a blank.
 */
const META = pageMeta({
  generated_at: '2026-12-01T06:00:00Z',
  data_as_of: '2026-09-30',
  financial_years: ['2025/26'],
  regions: [{ code: 'Y56', name: 'London', parent: 'ENG' }],
  icbs: [{ code: 'QWE', name: 'NHS South West London ICB', parent: 'Y56' }],
  targets: DEFAULT_TARGETS,
});

const fy = (figures: Record<string, unknown>) =>
  ({ level: 'icb', code: 'QWE', period_type: 'fy', period: '2025/26', ...figures }) as unknown as MetricRow;
const ROWS: Record<string, MetricRow[]> = {
  // Attendance over the attendance cohort (R19-12): 30 of the 40 connections made by 31 August, 75.0%.
  cof_community: [
    fy({
      connections: 45,
      attendance_cohort: 40,
      recent_connections: 5,
      attended: 30,
      attendance_pct: 75,
      providers: '*',
    }),
  ],
  rollout: [fy({ referrals: '*', people_referred: '*', declines: 0, pcns_reporting: '*', pcns: 6, months: 6 })],
};

beforeEach(() => {
  stubPageGlobals((_url, name) => {
    const summary =
      name === 'cof_community' ? { attendance_cohort: { months: 1, connected_on_or_before: '2026-08-31' } } : {};
    return { name, description: '', summary, rows: ROWS[name] ?? [] };
  });
});
afterEach(endPageTest);

/** The page as an ICB user of London sees it in 2025/26. */
const show = (page: React.ReactElement) =>
  renderPage(page, META, { level: 'icb', code: 'QWE', name: 'NHS South West London ICB' }, '2025/26', {
    region: 'Y56',
    icb: 'QWE',
  });

describe('figures describing a count, suppressed below England', () => {
  it('the community card: 45 connections to * organisations, the * marked as suppressed', async () => {
    show(<OutcomesPage />);
    const sentence = await waitFor(() => {
      const p = screen.getByTestId('community-sentence');
      expect(p.textContent).toBe(
        '45 connections to * (suppressed) organisations; 75.0% attended, of the 40 made by 31 August 2026.',
      );
      return p;
    });
    expect(sentence.querySelectorAll('[data-suppressed="true"]')).toHaveLength(1);
  });

  it('the rollout card: PCNs reporting * of 6, the * marked as suppressed', async () => {
    show(<RolloutPage />);
    const label = await screen.findByText('PCNs reporting');
    const kpi = label.parentElement as HTMLElement;
    expect(kpi.textContent).toBe('PCNs reporting* (suppressed) of 6');
    expect(kpi.querySelectorAll('[data-suppressed="true"]')).toHaveLength(1);
  });
});
