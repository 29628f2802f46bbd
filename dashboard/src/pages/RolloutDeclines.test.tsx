// @vitest-environment jsdom
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MetaDocument, MetricRow } from '../../../functions/contract/metrics.ts';
import { DEFAULT_TARGETS } from '../../../functions/refresh/catalogue.ts';
import { renderPage, stubPageGlobals } from '../test-support/page.tsx';
import { RolloutPage } from './RolloutPage.tsx';

/*
 * The declines card says which declines its rate counts (review 6, K3): offers declined (no referral) over referrals
 * and offers declined, and beside it the referrals declined (recorded on the referral) as a share of referrals. The
 * figures are review 6's scenario in a region: 720 referrals, none of them beside an offer declined, 180 declined
 * after referral (25%).
 */
const META = {
  generated_at: '2026-12-01T06:00:00Z',
  data_as_of: '2026-09-30',
  months: [],
  financial_years: ['2025/26'],
  regions: [{ code: 'Y56', name: 'London', parent: 'ENG' }],
  icbs: [],
  pcns: [],
  metrics: [],
  targets: DEFAULT_TARGETS,
} as unknown as MetaDocument;

const ROLLOUT = [
  {
    level: 'region',
    code: 'Y56',
    period_type: 'fy',
    period: '2025/26',
    referrals: 720,
    people_referred: 720,
    declines: 0,
    declined_after_referral: 180,
    decline_rate_pct: 0,
    declined_after_referral_pct: 25,
    pcns_reporting: 5,
    pcns: 3,
    months: 6,
  },
] as unknown as MetricRow[];

beforeEach(() =>
  stubPageGlobals((url) => {
    const name = url.pathname.split('/').filter(Boolean).at(-1) ?? '';
    return { name, description: '', rows: name === 'rollout' ? ROLLOUT : [] };
  }),
);
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('the Rollout page: which declines the decline rate counts', () => {
  it('shows offers declined and their rate, and referrals declined as a share of referrals', async () => {
    renderPage(<RolloutPage />, META, { level: 'region', code: 'Y56', name: 'London' }, '2025/26', { region: 'Y56' });
    const kpi = (await screen.findByTestId('kpi-declines')).parentElement as HTMLElement;
    expect(kpi.textContent).toBe(
      'Offers declined00.0% of referrals and offers declined. Referrals declined: 180 (25.0% of referrals)',
    );
    const card = screen.getByRole('region', { name: 'People and declines' });
    expect(within(card).getByText(/^People referred counts each person once/).textContent).toContain(
      'their rate is offers declined / (referrals + offers declined). Referrals declined are referrals the person declined within 3 months of being referred (recorded on the referral), as a share of referrals',
    );
  });
});
