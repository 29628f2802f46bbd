// @vitest-environment jsdom
import { screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MetricRow } from '../../../functions/contract/metrics.ts';
import { DEFAULT_TARGETS } from '../../../functions/refresh/catalogue.ts';
import { endPageTest, pageMeta, renderPage, stubPageGlobals } from '../test-support/page.tsx';
import { monthlyTrend, RolloutPage } from './RolloutPage.tsx';

/*
 * An ICB's month a PCN is late for (red-team review 16, R16-3): ICB QAA has 2 PCNs expected (onboarded, extract not
 * stopped); both sent October (20 referrals), only one has sent November (10). England's November is complete (90% of
 * its PCNs), so QAA's is published: the chart must say it is partial, in words, or the 10 reads as a fall.
 */
const META = pageMeta({
  generated_at: '2026-12-04T06:00:00Z',
  data_as_of: '2026-11-30',
  months: ['2026-10', '2026-11'],
  financial_years: ['2026/27'],
  regions: [{ code: 'Y56', name: 'London', parent: 'ENG' }],
  icbs: [{ code: 'QAA', name: 'NHS Test ICB A', parent: 'Y56' }],
  targets: DEFAULT_TARGETS,
});

const month = (period: string, referrals: number, sent: number) => ({
  level: 'icb',
  code: 'QAA',
  period_type: 'month',
  period,
  referrals,
  people_referred: referrals,
  declines: 0,
  declined_after_referral: 0,
  pcns_reporting: '*',
  pcns: 3,
  months: 1,
  list_size: sent * 10_000,
  pcns_submitting: null,
  pcns_sent: sent,
  pcns_expected: 2,
});
const ROLLOUT = [month('2026-10', 20, 2), month('2026-11', 10, 1)] as unknown as MetricRow[];

beforeEach(() => stubPageGlobals((_url, name) => ({ name, description: '', rows: name === 'rollout' ? ROLLOUT : [] })));
afterEach(endPageTest);

describe('the Rollout page: a month not every PCN of the area has sent', () => {
  it('labels the partial month on the chart, with how many PCNs sent it', () => {
    expect(monthlyTrend(ROLLOUT, false, null)).toEqual([
      { Month: 'Oct 2026', Referrals: 20 },
      { Month: 'Nov 2026 (partial: 1 of 2 PCNs sent)', Referrals: 10 },
    ]);
  });

  it('says under the monthly chart which month is partial and what that means', async () => {
    renderPage(<RolloutPage />, META, { level: 'icb', code: 'QAA', name: 'NHS Test ICB A' }, '2026/27', { icb: 'QAA' });
    const card = await screen.findByRole('region', { name: 'Referrals by month' });
    expect(within(card).getByTestId('partial-months').textContent).toBe(
      "Partial month (not every PCN expected has sent it yet): November 2026: 1 of 2 PCNs sent. A PCN that has not sent a month yet is in none of its figures (nor its list in the rates' denominators), so a fall there may be a late file, not fewer referrals; the month is filled in when the file arrives.",
    );
  });

  it('says nothing where every PCN expected has sent', async () => {
    vi.unstubAllGlobals();
    stubPageGlobals((_url, name) => ({
      name,
      description: '',
      rows: name === 'rollout' ? [month('2026-10', 20, 2)] : [],
    }));
    renderPage(<RolloutPage />, META, { level: 'icb', code: 'QAA', name: 'NHS Test ICB A' }, '2026/27', { icb: 'QAA' });
    const card = await screen.findByRole('region', { name: 'Referrals by month' });
    // Loaded: the chart's legend is drawn (the loading state has none).
    await within(card).findByText('Referrals');
    expect(within(card).queryByTestId('partial-months')).toBeNull();
  });
});
