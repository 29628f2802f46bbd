// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetricRow } from '../../../functions/contract/metrics.ts';
import { CATALOGUE, DEFAULT_TARGETS } from '../../../functions/refresh/catalogue.ts';
import { endPageTest, pageMeta, renderPage, stubPageGlobals } from '../test-support/page.tsx';
import { declinedAfterReferralText, RolloutPage } from './RolloutPage.tsx';

/*
 * The declines card says which declines its rate counts (review 6, K3): offers declined (no referral) over referrals
 * and offers declined, and beside it the referrals declined (recorded on the referral) as a share of referrals. The
 * figures are review 6's scenario in a region: 720 referrals, none of them beside an offer declined, 180 declined
 * after referral (25%).
 */
const META = pageMeta({
  generated_at: '2026-12-01T06:00:00Z',
  data_as_of: '2026-09-30',
  financial_years: ['2025/26'],
  regions: [{ code: 'Y56', name: 'London', parent: 'ENG' }],
  targets: DEFAULT_TARGETS,
});

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
  stubPageGlobals((_url, name) => {
    if (name === 'cof_person') return { name, description: '', ...PERSON };
    return { name, description: '', rows: name === 'rollout' ? ROLLOUT : [] };
  });
});
afterEach(endPageTest);

describe('the Rollout page: which declines the decline rate counts', () => {
  it('shows offers declined and their rate, and referrals declined as a share of referrals', async () => {
    renderPage(<RolloutPage />, META, { level: 'region', code: 'Y56', name: 'London' }, '2025/26', { region: 'Y56' });
    const kpi = (await screen.findByTestId('kpi-declines')).parentElement as HTMLElement;
    expect(kpi.textContent).toBe(
      'Offers declined00.0% of referrals and offers declined. Referrals declined: 180 (25.0% of referrals)',
    );
    const card = screen.getByRole('region', { name: 'People and declines' });
    expect(within(card).getByText(/^People referred counts each person once/).textContent).toContain(
      'their rate is offers declined / (referrals + offers declined). Referrals declined are referrals the person declined within 3 months of being referred (recorded on the referral), counted once those 3 months have passed, as a share of the referrals of the months whose referrals have all had 3 months (every referral of those months, for a closed year and a year in progress alike)',
    );
  });
});

/*
 * Review 31, R31-2: referrals declined are counted only on referrals whose 3 months have passed, as take-up is; a
 * month's % is published once all its referrals have (rollout's declined_after_referral_pct). Review 34, R34-6: the
 * card's % of a year in progress was over cof_person's engagement cohort, which leaves out the referrals of a PCN whose
 * data ended within their 3 months while the count has their declines, and a closed year's is over all its referrals:
 * two denominators. Now a year in progress's is its closed months' (those with a % published) referrals declined over
 * their referrals, as a closed year's, a rate of published figures. The South West of cohort-late-pcn's closed-PCN
 * case (review 34's numbers): data as of 30 November 2025, April to August closed, 100 referrals a month (five PCNs of
 * 20; U00010 closed on 31 October, so its August 20 are in no engagement cohort: 480), 95 of them declined. Before:
 * 95 / 480 = 19.8%; once the year closed the same figures read 95 / 500 = 19.0%, a fall that was the denominator.
 * Now 19.0% in progress, as rollout's own % of a closed period of those figures.
 */
const SW = 'Y58';
/** The South West's rollout row of a period. */
const southWest = (period_type: 'month' | 'fy', period: string, figures: Record<string, unknown>) => ({
  level: 'region',
  code: SW,
  period_type,
  period,
  ...figures,
});
/** Rollout's own % of referrals declined of a closed year of the South West with these figures (catalogue.ts). */
function closedYearPct(referrals: number, declined_after_referral: number) {
  const rollout = CATALOGUE.find((d) => d.name === 'rollout');
  const context = { dataAsOf: '2026-07-31', targets: DEFAULT_TARGETS } as never;
  const year = southWest('fy', '2025/26', { referrals, declined_after_referral });
  return rollout?.derive?.(year, context)?.declined_after_referral_pct;
}
const months = (declined: readonly (number | '*')[]) =>
  ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11'].map((period, i) =>
    southWest('month', period, {
      referrals: i < 7 ? 100 : 80,
      people_referred: i < 7 ? 100 : 80,
      declines: 0,
      declined_after_referral: i < 5 ? declined[i] : 0,
      declined_after_referral_pct:
        i >= 5 ? null : typeof declined[i] === 'number' ? Math.round((1000 * Number(declined[i])) / 100) / 10 : '*',
    }),
  );
const OPEN_YEAR = southWest('fy', '2025/26', {
  referrals: 780,
  people_referred: 780,
  declines: 0,
  declined_after_referral: 95,
  decline_rate_pct: 0,
  declined_after_referral_pct: null,
  pcns_reporting: 5,
  pcns: 5,
  months: 8,
});

describe('referrals declined of a year in progress: one denominator with a closed year (R31-2, R34-6)', () => {
  it('gives the % over the referrals of the months whose 3 months have passed, as a closed period’s', async () => {
    ROLLOUT = [OPEN_YEAR, ...months([20, 20, 15, 20, 20])] as unknown as MetricRow[];
    // cof_person's engagement cohort (480) is no longer read for it.
    PERSON = {
      rows: [
        { level: 'region', code: SW, period_type: 'fy', period: '2025/26', engagement_cohort: 480 },
      ] as unknown as MetricRow[],
    };
    const meta = pageMeta({ ...META, regions: [{ code: SW, name: 'South West', parent: 'ENG' }] });
    renderPage(<RolloutPage />, meta, { level: 'region', code: SW, name: 'South West' }, '2025/26', { region: SW });
    const kpi = (await screen.findByTestId('kpi-declines')).parentElement as HTMLElement;
    await waitFor(() => expect(kpi.textContent).toContain('April to August'));
    // A region's months are rounded to 5: the % of their sums is approximate, and no sum is shown (R35-1).
    expect(kpi.textContent).toBe(
      'Offers declined00.0% of referrals and offers declined. Referrals declined: 95 of the referrals whose 3 months have passed; about 19% of the referrals of April to August 2025 (approximate: from monthly figures rounded to 5)',
    );
    // Rollout's own % of a period all of whose referrals have had their 3 months, of the same figures: 19.0.
    expect(closedYearPct(500, 95)).toBe(19);
  });

  it('the words on their own: a closed year, a suppressed month, no month closed yet, a cut-off within a month', () => {
    const year = { declined_after_referral: 180, declined_after_referral_pct: 25 } as unknown as MetricRow;
    expect(declinedAfterReferralText(year, [])).toBe('180 (25.0% of referrals)');
    const open = OPEN_YEAR as unknown as MetricRow;
    // A closed month's count `*`: no % (it would give the month's count from the others' and the year's).
    expect(declinedAfterReferralText(open, months([20, 20, '*', 20, 20]) as unknown as MetricRow[])).toBe(
      '95 of the referrals whose 3 months have passed (April to August 2025)',
    );
    expect(declinedAfterReferralText(open, months([]).slice(5) as unknown as MetricRow[])).toBe(
      '95 of the referrals whose 3 months have passed (no month of the year yet)',
    );
    // England (exact figures): data as of mid-month, the year's count includes referrals of the cut-off month's first
    // days (here 5 more), the % is of the months closed, with their sums (true at England).
    const england = (declined: readonly (number | '*')[]) =>
      months(declined).map((m) => ({ ...m, level: 'national', code: 'ENG' })) as unknown as MetricRow[];
    const englandYear = { ...OPEN_YEAR, level: 'national', code: 'ENG' };
    expect(
      declinedAfterReferralText(
        { ...englandYear, declined_after_referral: 100 } as unknown as MetricRow,
        england([20, 20, 15, 20, 20]),
      ),
    ).toBe(
      '100 of the referrals whose 3 months have passed; of the 500 referrals of April to August 2025, 95 declined (19.0%)',
    );
    expect(declinedAfterReferralText(englandYear as unknown as MetricRow, england([20, 20, 15, 20, 20]))).toBe(
      '95 (19.0% of the 500 referrals of April to August 2025, whose 3 months have passed)',
    );
  });
});

/*
 * Review 35, R35-1: below England each month is rounded to 5, so the sums of N rounded months are off by up to 2 x N.
 * The reviewer's region: five closed months each 18 declined of 102 referrals, published 20 of 100; the year 90 of
 * 510 (published; its % none while in progress). The sums give 100 of 500 = 20%, a "declined" count that is neither
 * published (90) nor true (also 90), and once the year closes rollout publishes 90 / 510 = 17.6% on the same figures.
 * So below England no sum is shown and the % is worded as approximate, from rounded monthly figures.
 */
describe('referrals declined of a year in progress below England: rounded months (R35-1)', () => {
  const closedMonths = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08'].map((period) =>
    southWest('month', period, { referrals: 100, declined_after_referral: 20, declined_after_referral_pct: 20 }),
  ) as unknown as MetricRow[];
  const year = southWest('fy', '2025/26', {
    referrals: 510,
    declined_after_referral: 90,
    declined_after_referral_pct: null,
  }) as unknown as MetricRow;

  it('shows no count of summed rounded months, and says the % is approximate', () => {
    const text = declinedAfterReferralText(year, closedMonths);
    expect(text).not.toContain('100 declined');
    expect(text).not.toContain('500');
    // 100 / 500 = 20%, whole: its error is several points.
    expect(text).toBe(
      '90 of the referrals whose 3 months have passed; about 20% of the referrals of April to August 2025 (approximate: from monthly figures rounded to 5)',
    );
    // Once closed, rollout's own % of the year's published figures: 90 / 510 = 17.6 (one decimal).
    expect(closedYearPct(510, 90)).toBe(17.6);
  });

  it('the same when the sums agree with the year: still no summed referrals', () => {
    expect(
      declinedAfterReferralText({ ...year, declined_after_referral: 100 } as unknown as MetricRow, closedMonths),
    ).toBe(
      '100 of the referrals whose 3 months have passed; about 20% of the referrals of April to August 2025 (approximate: from monthly figures rounded to 5)',
    );
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
