// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetricRow } from '../../../functions/contract/metrics.ts';
import { DEFAULT_TARGETS } from '../../../functions/refresh/catalogue.ts';
import { areaWithParents } from '../../../functions/reports/board-measures.ts';
import { partialSuffix } from '../coverage.ts';
import { endPageTest, pageMeta, renderPage, stubPageGlobals } from '../test-support/page.tsx';
import BoardReportPage, { boardPartialMonths } from './BoardReportPage.tsx';

/*
 * The board report's monthly rate chart in a month not every PCN expected has sent (red-team review 16, R16-3), as the
 * Rollout page labels it. ICB QAA has 2 PCNs expected: both sent October, one November (10 referrals over 10,000, 1 per
 * 1,000). Its region Y56 had all 4 of its PCNs send both months; England 10 of 10 in October and 9 of 10 in November.
 * So November is partial for the ICB (1 of 2) and England (9 of 10), not for the region; October for none.
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

const month = (level: string, code: string, period: string, sent: number, expected: number) =>
  ({
    level,
    code,
    period_type: 'month',
    period,
    referrals: sent * 10,
    referrals_per_1000: 1,
    list_size: sent * 10_000,
    pcns_sent: sent,
    pcns_expected: expected,
  }) as unknown as MetricRow;
const ROLLOUT: Record<string, MetricRow[]> = {
  QAA: [month('icb', 'QAA', '2026-10', 2, 2), month('icb', 'QAA', '2026-11', 1, 2)],
  Y56: [month('region', 'Y56', '2026-10', 4, 4), month('region', 'Y56', '2026-11', 4, 4)],
  ENG: [month('national', 'ENG', '2026-10', 10, 10), month('national', 'ENG', '2026-11', 9, 10)],
};
const rolloutOf = (a: { code: string }) => ROLLOUT[a.code] ?? [];

beforeEach(() =>
  stubPageGlobals((url, name) => {
    const code = url.searchParams.get('code') ?? '';
    // Cohorts as of data to 30 November 2026: engagement to 31 August, outcomes and 6-month windows to 31 May.
    const summary =
      name === 'cof_person'
        ? {
            cohorts: {
              engagement: { months: 3, referred_on_or_before: '2026-08-31' },
              outcomes: { months: 6, referred_on_or_before: '2026-05-31' },
            },
          }
        : name === 'cof_system'
          ? { windows_ended: [{ months: 6, referred_on_or_before: '2026-05-31' }] }
          : undefined;
    return {
      name,
      description: '',
      definitions: {},
      ...(summary ? { summary } : {}),
      rows: name === 'rollout' ? (ROLLOUT[code] ?? []) : [],
    };
  }),
);
afterEach(endPageTest);

describe("the board report's monthly rate chart: a month not every PCN expected has sent", () => {
  it('labels the month partial for each area charted that has not had every PCN send it, named by level', () => {
    const partial = boardPartialMonths(['2026-10', '2026-11'], areaWithParents(META, 'icb', 'QAA'), rolloutOf);
    expect(partialSuffix(partial.get('2026-10') ?? [])).toBe('');
    expect(partialSuffix(partial.get('2026-11') ?? [])).toBe(
      ' (partial: ICB 1 of 2 PCNs sent; England 9 of 10 PCNs sent)',
    );
    // England alone on the chart: the Rollout page's words exactly.
    const england = boardPartialMonths(['2026-11'], areaWithParents(META, 'national', 'ENG'), rolloutOf);
    expect(partialSuffix(england.get('2026-11') ?? [])).toBe(' (partial: 9 of 10 PCNs sent)');
  });

  it('says under the chart which month is partial, for which areas, and what that means', async () => {
    renderPage(<BoardReportPage />, META, { level: 'icb', code: 'QAA', name: 'NHS Test ICB A' }, '2026/27', {
      icb: 'QAA',
    });
    const card = await screen.findByRole('region', { name: 'Referrals per 1,000 registered patients by month' });
    expect((await within(card).findByTestId('partial-months')).textContent).toBe(
      "Partial month (not every PCN expected has sent it yet): November 2026: ICB 1 of 2 PCNs sent; November 2026: England 9 of 10 PCNs sent. A PCN that has not sent a month yet is in none of its figures (nor its list in the rates' denominators), so a fall there may be a late file, not fewer referrals; the month is filled in when the file arrives.",
    );
  });
});

describe('the board report says which referrals its cohort figures cover (review 31, R31-5)', () => {
  /** The words under a card's title: the year note, then what its figures cover. */
  const period = async (title: string) => {
    const card = await screen.findByRole('region', { name: title });
    await waitFor(() => expect(card.querySelector('[data-testid="card-period"]')?.textContent).toContain('cover'));
    return card.querySelector('[data-testid="card-period"]')?.textContent ?? '';
  };

  it('under "8 of 12 months": take-up to 31 August, contacts, wellbeing and GP and A&E use to 31 May', async () => {
    renderPage(<BoardReportPage />, META, { level: 'national', code: 'ENG', name: 'England' }, '2026/27');
    expect(await period('Engagement and connection')).toContain(
      'Engagement and connection cover referrals made by 31 August 2026: later referrals have not had time to engage.',
    );
    for (const title of ['Contacts', 'Wellbeing improvement'])
      expect(await period(title)).toContain(
        'Contacts and wellbeing cover referrals made by 31 May 2026: later referrals have not had time for a follow-up.',
      );
    expect(await period('GP and A&E use')).toContain(
      'GP and A&E use cover referrals made by 31 May 2026: later referrals have not had 6 months after referral yet.',
    );
  });

  it('a card of the whole year says nothing of a cohort', async () => {
    renderPage(<BoardReportPage />, META, { level: 'national', code: 'ENG', name: 'England' }, '2026/27');
    const card = await screen.findByRole('region', { name: 'Offers declined' });
    await waitFor(() => expect(card.querySelector('[data-testid="card-period"]')).not.toBeNull());
    expect(card.querySelector('[data-testid="card-period"]')?.textContent).not.toContain('cover');
  });
});
