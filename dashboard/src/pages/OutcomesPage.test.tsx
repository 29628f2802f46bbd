// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DashboardState } from '../context.ts';
import { pageMeta, renderPage, stubPageGlobals } from '../test-support/page.tsx';
import OutcomesPage from './OutcomesPage.tsx';

/*
 * Review 6, K2: downloading the wellbeing figures of 2024/25 and then 2025/26 gave two files both named
 * wellbeing-ENG.csv with no year in them. Each download now names its year, and its rows say the year, the data-as-of
 * date and which referrals the figures cover.
 */
// The file as the browser would save it: the name the link gives and the blob it points to (no module mock: the
// dashboard's tests share modules, so a mocked csv.ts would not reach a ChartCard another file loaded first).
const saved: { name: string; blob: Blob }[] = [];
const textOf = (blob: Blob) =>
  new Promise<string>((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.readAsText(blob);
  });

const META = pageMeta({
  generated_at: '2026-12-01T06:00:00Z',
  data_as_of: '2026-11-30',
  financial_years: ['2024/25', '2025/26'],
});

const cohorts = {
  engagement: { months: 3, referred_on_or_before: '2026-08-31' },
  outcomes: { months: 6, referred_on_or_before: '2026-05-31' },
};

/*
 * R19-12: community attendance covers the connections made at least a month before the data-as-of date (the attendance
 * cohort, summary.attendance_cohort): the card says which. England's 2025/26: 240 connections to 10 organisations, of
 * which 180 made by 31 October 2026 (data as of 30 November), 144 of them attended: 144 / 180 = 80.0%. England's
 * 2024/25 is held at the release of data to 31 May 2025, so its attendance covers that release's cohort: connections
 * made by 30 April 2025.
 */
const attendanceCohort = {
  months: 1,
  connected_on_or_before: '2026-10-31',
  held: { '2024/25': { release: 'r1', data_as_of: '2025-05-31', months: 1, connected_on_or_before: '2025-04-30' } },
};
const communityRow = (period: string | null) => ({
  level: 'national',
  code: 'ENG',
  period_type: 'fy',
  period,
  connections: 240,
  attendance_cohort: 180,
  recent_connections: 60,
  attended: 144,
  attendance_pct: 80,
  providers: 10,
  activity_arts_culture: 240,
  attended_arts_culture: 144,
});

beforeEach(() => {
  stubPageGlobals((url) => {
    const name = url.pathname.split('/').at(-1);
    const period = url.searchParams.get('period');
    if (name === 'cof_community')
      return {
        name,
        description: name,
        data_as_of: '2026-11-30',
        // QAA's and QBB's 2025/26 held at an earlier release below England (R22-3): QAA's as at the release of
        // 1 November 2026 (data to 31 October 2026); QBB's release not said (as a document published before as_at).
        summary: {
          cohorts,
          attendance_cohort: attendanceCohort,
          revisions_held_below_england: {
            rows: ['icb|QAA|2025/26', 'icb|QBB|2025/26'],
            fail_closed: false,
            as_at: { 'icb|QAA|2025/26': { release: '2026-11-01T06:00:00.000Z', data_as_of: '2026-10-31' } },
          },
        },
        rows: [
          communityRow(period),
          { ...communityRow(period), level: 'icb', code: 'QAA' },
          { ...communityRow(period), level: 'icb', code: 'QBB' },
        ],
      };
    const rows =
      name === 'wellbeing'
        ? [
            {
              level: 'national',
              code: 'ENG',
              period_type: 'fy',
              period,
              instrument: 'swemwbs',
              people: period === '2024/25' ? 200 : 120,
            },
          ]
        : [];
    // cof_system's windows ended: 6-month windows for referrals made by 31 May 2026 (data as of 30 November).
    const windows_ended = [{ months: 6, referred_on_or_before: '2026-05-31' }];
    return { name, description: name, data_as_of: '2026-11-30', summary: { cohorts, windows_ended }, rows };
  });
  let last: Blob | undefined;
  vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
    last = blob as Blob;
    return 'blob:download';
  });
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    saved.push({ name: this.download, blob: last as Blob });
  });
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  saved.length = 0;
});

async function downloadWellbeing(fy: string): Promise<[string, string]> {
  renderPage(<OutcomesPage />, META, { level: 'national', code: 'ENG', name: 'England' }, fy);
  const button = await waitFor(() =>
    screen.getByRole('button', { name: 'Download CSV: Wellbeing change by instrument' }),
  );
  fireEvent.click(button);
  cleanup();
  const file = saved.at(-1);
  return file ? [file.name, await textOf(file.blob)] : ['nothing saved', ''];
}

describe('the wellbeing download of the Outcomes page', () => {
  it('names its year, and says the year, the data-as-of date and the referrals covered on its rows', async () => {
    const header =
      'Financial year,Instrument,People measured twice,Meaningful change (points),Improved by at least that,' +
      'Improved %,Mean change (positive = better),95% CI low,95% CI high,Data as of,Referrals covered\r\n';
    expect(await downloadWellbeing('2024/25')).toEqual([
      'wellbeing-ENG-2024-25.csv',
      `${header}2024/25,swemwbs,200,,,,,,,2026-11-30,referrals made by 2026-05-31\r\n`,
    ]);
    expect(await downloadWellbeing('2025/26')).toEqual([
      'wellbeing-ENG-2025-26.csv',
      `${header}2025/26,swemwbs,120,,,,,,,2026-11-30,referrals made by 2026-05-31\r\n`,
    ]);
  });
});

describe('the community card says which connections its attendance covers (R19-12)', () => {
  const show = (fy: string, scope: DashboardState['scope'] = { level: 'national', code: 'ENG', name: 'England' }) =>
    renderPage(<OutcomesPage />, META, scope, fy);
  const sentenceIs = (text: string) =>
    waitFor(() => expect(screen.getByTestId('community-sentence').textContent).toBe(text));
  /** The card's note of its period that starts with `start`. */
  const periodNote = (start: string) =>
    screen.getAllByTestId('card-period').find((p) => p.textContent?.startsWith(start))?.textContent;

  it('the year so far: the percentage of the connections made by the cut-off, and the cut-off said', async () => {
    show('2025/26');
    await sentenceIs('240 connections to 10 organisations; 80.0% attended, of the 180 made by 31 October 2026.');
    expect(periodNote('Attendance covers')).toBe(
      'Attendance covers connections made by 31 October 2026: whether a person went to the first session of a later one may not be recorded yet, so those connections are counted but not their attendance.',
    );
  });

  it("England's year held at an earlier release: that release's cut-off", async () => {
    show('2024/25');
    await sentenceIs('240 connections to 10 organisations; 80.0% attended, of the 180 made by 30 April 2025.');
    expect(periodNote('Attendance covers')).toContain(
      "made by 30 April 2025: whether a person went to the first session of a later one may not be recorded yet, so those connections are counted but not their attendance. England's FY 2024/25 is held at the release of data to 31 May 2025.",
    );
  });

  it("an ICB's year held at an earlier release below England: the release and its data-as-of date said", async () => {
    show('2025/26', { level: 'icb', code: 'QAA', name: 'QAA' });
    await sentenceIs('240 connections to 10 organisations; 80.0% attended.');
    // Before: "as at an earlier release", which one not said.
    expect(periodNote("This area's")).toBe(
      "This area's FY 2025/26 is as at the release of 1 November 2026 (data to 31 October 2026) (a change made by fewer than 3 of its PCNs is not shown yet): its attendance covers connections made by that release's cut-off, not by 31 October 2026.",
    );
  });

  it("an ICB's year held, in a document that does not date it: no cut-off said, this release's not claimed (R22-3)", async () => {
    show('2025/26', { level: 'icb', code: 'QBB', name: 'QBB' });
    await sentenceIs('240 connections to 10 organisations; 80.0% attended.');
    expect(periodNote("This area's")).toBe(
      "This area's FY 2025/26 is as at an earlier release (a change made by fewer than 3 of its PCNs is not shown yet): its attendance covers connections made by that release's cut-off, not by 31 October 2026.",
    );
  });

  it('the download says which connections the attended column covers', async () => {
    show('2025/26');
    fireEvent.click(
      await waitFor(() => screen.getByRole('button', { name: 'Download CSV: Community connections by activity' })),
    );
    const file = saved.at(-1);
    expect(file?.name).toBe('community-ENG-2025-26.csv');
    const lines = (await textOf(file?.blob as Blob)).split('\r\n');
    expect(lines[0]).toBe(
      'Financial year of the connection,Activity,Connections made,Attended,Attended: of connections made by,Data as of',
    );
    expect(lines[1]).toBe('2025/26,Arts culture,240,144,2026-10-31,2026-11-30');
  });
});

describe('the GP and A&E card says which referrals it covers (review 31, R31-5)', () => {
  it("on the card, not only in its download: cof_system's windows ended, referrals made by 31 May 2026", async () => {
    renderPage(<OutcomesPage />, META, { level: 'national', code: 'ENG', name: 'England' }, '2025/26');
    const card = await screen.findByRole('region', {
      name: 'GP, A&E, admissions and outpatients over 6 months before and after referral',
    });
    await waitFor(() =>
      expect(card.querySelector('[data-testid="card-period"]')?.textContent).toContain(
        'GP and A&E use cover referrals made by 31 May 2026: later referrals have not had 6 months after referral yet.',
      ),
    );
  });
});
