// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MetaDocument } from '../../../functions/contract/metrics.ts';
import { renderPage, stubPageGlobals } from '../test-support/page.tsx';
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

const META = {
  generated_at: '2026-12-01T06:00:00Z',
  data_as_of: '2026-11-30',
  months: [],
  financial_years: ['2024/25', '2025/26'],
  regions: [],
  icbs: [],
  pcns: [],
  metrics: [],
  targets: {},
} as unknown as MetaDocument;

const cohorts = {
  engagement: { months: 3, referred_on_or_before: '2026-08-31' },
  outcomes: { months: 6, referred_on_or_before: '2026-05-31' },
};

beforeEach(() => {
  stubPageGlobals((url) => {
    const name = url.pathname.split('/').at(-1);
    const period = url.searchParams.get('period');
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
    return { name, description: name, data_as_of: '2026-11-30', summary: { cohorts }, rows };
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
