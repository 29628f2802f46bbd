// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetricRow } from '../../../functions/contract/metrics.ts';
import { endPageTest, pageMeta, renderPage, stubPageGlobals } from '../test-support/page.tsx';
import SubmissionsPage from './SubmissionsPage.tsx';

/*
 * Events and workforce snapshots dated when their PCN was not in force in the reference data are in no figure, England
 * included (red-team review 7, M10): the Data submissions page names the PCNs with their months, events (rounded up to
 * 5, as data_quality publishes them) and snapshot rows (exact), so that the dates or the reference can be corrected.
 *   U00005: events of April 2025 (10 published), snapshots of April 2025 (3 rows)
 *   U00006: snapshots of June and July 2025 (6 rows), no events out of force
 *   U00001: everything in force: named in neither line.
 */
const META = pageMeta({
  generated_at: '2025-08-05T06:00:00Z',
  data_as_of: '2025-07-31',
  financial_years: ['2025/26'],
  pcns: [
    { code: 'U00001', name: 'Alpha PCN', parent: 'QAA' },
    { code: 'U00005', name: 'Echo PCN', parent: 'QCC' },
    { code: 'U00006', name: 'Foxtrot PCN', parent: 'QCC' },
  ],
});

const quality = (
  code: string,
  events: [number, string | null, string | null],
  snapshots: [number, number, string | null, string | null],
) =>
  ({
    level: 'pcn',
    code,
    period_type: 'all',
    period: 'all',
    uploads: 3,
    files_rejected: 0,
    files_with_identifiers: 0,
    rows_accepted: 20,
    rows_rejected: 0,
    rejected_invalid: 0,
    rejected_duplicate: 0,
    rejected_other: 0,
    last_upload: '2025-08-01T09:00:00Z',
    months_missing: 0,
    events_out_of_force: events[0],
    months_out_of_force: events[0] > 0 ? 1 : 0,
    first_month_out_of_force: events[1],
    last_month_out_of_force: events[2],
    snapshot_rows_out_of_force: snapshots[0],
    snapshot_months_out_of_force: snapshots[1],
    first_snapshot_month_out_of_force: snapshots[2],
    last_snapshot_month_out_of_force: snapshots[3],
    // Review 13, R13-5: U00005's person ids were sent by another PCN too (a missing or shared key).
    person_ids_shared: code === 'U00005' ? 15 : 0,
    // Review 27, R27-3: U00006 sent service-use rows of 3 or 12 months (in no figure), 25 as published (rounded up).
    service_use_rows_other_windows: code === 'U00006' ? 25 : 0,
  }) as unknown as MetricRow;

beforeEach(() =>
  stubPageGlobals(() => ({
    name: 'data_quality',
    description: 'Data submissions.',
    rows: [
      quality('U00001', [0, null, null], [0, 0, null, null]),
      quality('U00005', [10, '2025-04', '2025-04'], [3, 1, '2025-04', '2025-04']),
      quality('U00006', [0, null, null], [6, 2, '2025-06', '2025-07']),
    ],
  })),
);
afterEach(endPageTest);

describe('the Data submissions page names what is in no figure', () => {
  it('lists the PCNs with events and with workforce snapshots dated when they were not in force', async () => {
    renderPage(<SubmissionsPage />, META, { level: 'national', code: 'ENG', name: 'England' }, '2025/26');
    await waitFor(() => expect(screen.getAllByRole('status').length).toBeGreaterThan(1));
    const texts = screen.getAllByRole('status').map((s) => s.textContent);
    expect(texts).toContain(
      'Events dated when their PCN was not in force in the reference data, left out of every figure: Echo PCN (U00005) 2025-04, 10 events (counts rounded up to a multiple of 5).',
    );
    expect(screen.getByRole('alert').textContent).toBe(
      'Person ids that another PCN has sent too, so the PCN’s pseudonymisation key is missing or shared and its ids can be traced back to NHS numbers; it needs its own key before its next file: Echo PCN (U00005), 15 ids (counts rounded up to a multiple of 5).',
    );
    expect(texts).toContain(
      'Workforce snapshots of a month when their PCN was not in force in the reference data, left out of every figure: Echo PCN (U00005) 2025-04, 3 snapshot rows; Foxtrot PCN (U00006) 2025-06 to 2025-07, 6 snapshot rows.',
    );
  });

  it('lists the PCNs that sent service-use rows of 3- or 12-month windows, accepted and in no figure (R27-3)', async () => {
    renderPage(<SubmissionsPage />, META, { level: 'national', code: 'ENG', name: 'England' }, '2025/26');
    await waitFor(() => expect(screen.getAllByRole('status').length).toBeGreaterThan(1));
    expect(screen.getAllByRole('status').map((s) => s.textContent)).toContain(
      'Service-use rows with a window of 3 or 12 months, accepted but in no figure (the service use before and after referral counts 6-month windows only: send those as well): Foxtrot PCN (U00006), 25 rows (counts rounded up to a multiple of 5).',
    );
  });
});

/*
 * Review 31, R31-9: the summary is of every file received (data_quality's period is `all`), not of the year shown, and
 * its rows accepted added up PCN figures each rounded up to a multiple of 5. Here 3 PCNs sent files, each 20 rows
 * accepted as published (so 16 to 20 each); a fourth, Golf PCN, closed on 30 June 2025 and sent nothing. The total of
 * the published figures, 60, is at most the rows accepted; at least 3 x 16 = 48. The PCNs: 3 of 4, 1 now closed.
 */
describe('the Data submissions summary says what it covers (review 31, R31-9)', () => {
  const withClosed = pageMeta({
    ...META,
    pcns: [...META.pcns, { code: 'U00007', name: 'Golf PCN', parent: 'QCC', valid_to: '2025-06-30' }],
  });

  it('every file received up to the release, not the year in the filters; the rows accepted as bounds', async () => {
    renderPage(<SubmissionsPage />, withClosed, { level: 'national', code: 'ENG', name: 'England' }, '2025/26');
    const card = await screen.findByRole('region', { name: 'Summary' });
    await waitFor(() => expect(screen.getByTestId('kpi-rows-accepted').textContent).toBe('at most 60'));
    const period = card.querySelector('[data-testid="card-period"]')?.textContent ?? '';
    expect(period).toBe(
      'All files received up to this release (5 August 2025), whatever year their events are in: not only FY 2025/26.',
    );
    expect(card.textContent).toContain(
      'at least 48: each PCN’s rows accepted are published rounded up to a multiple of 5; the exact counts are on the upload receipts',
    );
    expect(screen.getByTestId('kpi-pcns-sending').textContent).toBe('3 of 4');
    expect(card.textContent).toContain('every PCN in the reference data, 1 now closed');
  });
});
