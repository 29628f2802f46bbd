// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MetaDocument, MetricRow } from '../../../functions/contract/metrics.ts';
import { DEFAULT_TARGETS } from '../../../functions/refresh/catalogue.ts';
import { renderPage, stubPageGlobals } from '../test-support/page.tsx';
import { declinedAfterReferralText, RolloutPage } from './RolloutPage.tsx';

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

let ROLLOUT = [
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

const CLOSED = ROLLOUT;
/** cof_person's row of the year (its engagement cohort) and summary, for a year in progress (R31-2). */
let PERSON: { rows: MetricRow[]; summary?: unknown } = { rows: [] };

beforeEach(() => {
  ROLLOUT = CLOSED;
  PERSON = { rows: [] };
  stubPageGlobals((url) => {
    const name = url.pathname.split('/').filter(Boolean).at(-1) ?? '';
    if (name === 'cof_person') return { name, description: '', ...PERSON };
    return { name, description: '', rows: name === 'rollout' ? ROLLOUT : [] };
  });
});
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
      'their rate is offers declined / (referrals + offers declined). Referrals declined are referrals the person declined within 3 months of being referred (recorded on the referral), counted once those 3 months have passed, as a share of the referrals whose 3 months have passed',
    );
  });
});

/*
 * Review 31, R31-2: referrals declined are counted only on referrals whose 3 months have passed, as take-up is. A year
 * in progress (data as of 30 September 2026, cohort to 30 June 2026): rollout publishes the 180 declined of the
 * cohort and no % over the year's 1,440 referrals (half of them still in their window); the card's % is over
 * cof_person's engagement cohort of the same area and year, 720: 180 / 720 = 25.0%, with the date it covers. Before,
 * the card showed the year's % over every referral (here none: "–"), and the count included open windows.
 */
describe('referrals declined of a year in progress: over the referrals whose 3 months have passed (R31-2)', () => {
  it('gives the % over the engagement cohort, and says which referrals it covers', async () => {
    ROLLOUT = [
      { ...(CLOSED[0] as MetricRow), period: '2026/27', referrals: 1440, declined_after_referral_pct: null },
    ] as unknown as MetricRow[];
    PERSON = {
      rows: [
        { level: 'region', code: 'Y56', period_type: 'fy', period: '2026/27', engagement_cohort: 720 },
      ] as unknown as MetricRow[],
      summary: {
        cohorts: {
          engagement: { months: 3, referred_on_or_before: '2026-06-30' },
          outcomes: { months: 6, referred_on_or_before: '2026-03-31' },
        },
      },
    };
    renderPage(<RolloutPage />, META, { level: 'region', code: 'Y56', name: 'London' }, '2026/27', { region: 'Y56' });
    const kpi = (await screen.findByTestId('kpi-declines')).parentElement as HTMLElement;
    await waitFor(() => expect(kpi.textContent).toContain('720'));
    expect(kpi.textContent).toBe(
      'Offers declined00.0% of referrals and offers declined. Referrals declined: 180 (25.0% of the 720 referrals made by 30 June 2026, whose 3 months have passed)',
    );
  });

  it('the words on their own: a closed year, a held England year, a suppressed count', () => {
    const year = { declined_after_referral: 180, declined_after_referral_pct: 25 } as unknown as MetricRow;
    expect(declinedAfterReferralText(year, undefined, undefined, false)).toBe('180 (25.0% of referrals)');
    const open = { declined_after_referral: 180, declined_after_referral_pct: null } as unknown as MetricRow;
    const person = { engagement_cohort: 720 } as unknown as MetricRow;
    // England's year held in cof_person: its cohort is an earlier release's, so no % from it.
    expect(declinedAfterReferralText(open, person, '2026-06-30', true)).toBe(
      '180 of the referrals made by 30 June 2026, whose 3 months have passed',
    );
    expect(
      declinedAfterReferralText(
        { declined_after_referral: '*', declined_after_referral_pct: null } as unknown as MetricRow,
        person,
        '2026-06-30',
        false,
      ),
    ).toBe('* of the referrals made by 30 June 2026, whose 3 months have passed');
  });
});

describe('PCNs reporting where every PCN referred: no bare "10 of 12" (R31-4)', () => {
  it("shows the region's capped figure as a range up to all its PCNs, and says why", async () => {
    // Region Y62, 2026/27 in the demo: all 12 PCNs referred; published 10 (rounded, capped below 12).
    ROLLOUT = [{ ...(CLOSED[0] as MetricRow), pcns_reporting: 10, pcns: 12 }] as unknown as MetricRow[];
    renderPage(<RolloutPage />, META, { level: 'region', code: 'Y56', name: 'London' }, '2025/26', { region: 'Y56' });
    const kpi = await screen.findByTestId('kpi-pcns-reporting');
    expect(kpi.textContent).toBe('8 to 12 of 12');
    expect((kpi.parentElement as HTMLElement).textContent).toContain('never shown as the whole');
  });
});
