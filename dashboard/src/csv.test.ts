import { describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/metrics.ts';
import { cohortsCoveredCsv, windowsCoveredCsv } from './cohorts.ts';
import { dataAsOfOf, periodCsv, toCsv } from './csv.ts';

/*
 * Review 6, K2: a download must say its period (in its name and on every row), the data-as-of date and, for
 * cohort-based figures, which referrals they cover. Expected text written out by hand from the rows below.
 */
const ready = (value: unknown) => ({ state: 'ready' as const, value: value as MetricDocument });
const download = (spec: Parameters<typeof periodCsv>[0]) => {
  const csv = periodCsv(spec);
  return { fileName: csv.fileName, text: toCsv(csv.columns, csv.rows) };
};

describe('periodCsv, the one helper behind every dashboard download', () => {
  it('names the year, adds a period column from each row, then data as of and the referrals covered', () => {
    const rows = [
      { period: '2025/26', instrument: 'swemwbs', people: 120 },
      { period: '2025/26', instrument: 'ons4_anxiety', people: '*' },
    ];
    expect(
      download({
        stem: 'wellbeing-ENG',
        period: '2025/26',
        periodHeader: 'Financial year',
        dataAsOf: '2026-11-30',
        covers: 'referrals made by 2026-05-31',
        columns: { instrument: 'Instrument', people: 'People measured twice' },
        rows,
      }),
    ).toEqual({
      fileName: 'wellbeing-ENG-2025-26.csv',
      text:
        'Financial year,Instrument,People measured twice,Data as of,Referrals covered\r\n' +
        '2025/26,swemwbs,120,2026-11-30,referrals made by 2026-05-31\r\n' +
        '2025/26,ons4_anxiety,*,2026-11-30,referrals made by 2026-05-31\r\n',
    });
  });

  it('two years downloaded are two files with different names and rows', () => {
    const spec = (fy: string) =>
      download({
        stem: 'community-ENG',
        period: fy,
        periodHeader: 'Financial year of the connection',
        dataAsOf: '2026-11-30',
        columns: { Activity: 'Activity', connections: 'Connections made' },
        rows: [{ Activity: 'Arts', connections: 40 }],
      });
    expect([spec('2024/25'), spec('2025/26')]).toEqual([
      {
        fileName: 'community-ENG-2024-25.csv',
        text: 'Financial year of the connection,Activity,Connections made,Data as of\r\n2024/25,Arts,40,2026-11-30\r\n',
      },
      {
        fileName: 'community-ENG-2025-26.csv',
        text: 'Financial year of the connection,Activity,Connections made,Data as of\r\n2025/26,Arts,40,2026-11-30\r\n',
      },
    ]);
  });

  it("keeps a column the page names period, each row's own (a month), and adds the same-on-every-row columns", () => {
    expect(
      download({
        stem: 'workforce-by-month-ENG-to',
        period: '2026-11',
        periodHeader: 'ignored: the columns name period',
        dataAsOf: null,
        columns: { period: 'Month', splw_fte: 'Link worker FTE' },
        alike: { comparator: ['Compared with', 'England'] },
        rows: [
          { period: '2026-10', splw_fte: 3500.5 },
          { period: '2026-11', splw_fte: 3510 },
        ],
      }),
    ).toEqual({
      fileName: 'workforce-by-month-ENG-to-2026-11.csv',
      // No data-as-of date yet (no complete month): the column is there, empty.
      text: 'Month,Link worker FTE,Compared with,Data as of\r\n2026-10,3500.5,England,\r\n2026-11,3510,England,\r\n',
    });
  });

  it("reads the data-as-of date from the loaded document, else the dashboard's", () => {
    expect([
      dataAsOfOf(ready({ data_as_of: '2026-10-31' }), '2026-11-30'),
      dataAsOfOf(ready({ data_as_of: null }), '2026-11-30'),
      dataAsOfOf(ready({ rows: [] }), '2026-11-30'),
      dataAsOfOf({ state: 'loading' }, '2026-11-30'),
    ]).toEqual(['2026-10-31', null, '2026-11-30', '2026-11-30']);
  });
});

describe('which referrals a CSV says its figures cover', () => {
  const cohorts = {
    engagement: { months: 3, referred_on_or_before: '2026-08-31' },
    outcomes: { months: 6, referred_on_or_before: '2026-05-31' },
    held: {
      '2025/26': {
        release: 'r1',
        data_as_of: '2026-09-30',
        engagement: { months: 3, referred_on_or_before: '2026-06-30' },
        outcomes: { months: 6, referred_on_or_before: '2026-03-31' },
      },
    },
  };
  const doc = ready({ data_as_of: '2026-11-30', summary: { cohorts } });

  it("by the document's cut-offs; England's held year by its release's", () => {
    expect([
      cohortsCoveredCsv(doc, '2026/27', 'national', 'engagement'),
      cohortsCoveredCsv(doc, '2025/26', 'region', 'outcomes'),
      cohortsCoveredCsv(doc, '2026/27', 'pcn'),
      cohortsCoveredCsv(doc, '2025/26', 'national', 'outcomes'),
      cohortsCoveredCsv(ready({ data_as_of: '2026-11-30' }), '2026/27', 'national'),
    ]).toEqual([
      'referrals made by 2026-08-31',
      'referrals made by 2026-05-31',
      'engagement, connection and plans: referrals made by 2026-08-31; contacts, wellbeing and discharge: referrals made by 2026-05-31',
      "referrals made by 2026-03-31 (England's 2025/26 held at the release of data to 2026-09-30)",
      undefined,
    ]);
  });

  it('service use: each window length by its own cut-off (summary.windows_ended)', () => {
    const windows = [
      { months: 3, referred_on_or_before: '2026-08-31' },
      { months: 6, referred_on_or_before: '2026-05-31' },
      { months: 12, referred_on_or_before: '2025-11-30' },
    ];
    expect(windowsCoveredCsv(ready({ summary: { windows_ended: windows } }))).toBe(
      '3-month windows: referrals made by 2026-08-31; 6-month windows: referrals made by 2026-05-31; ' +
        '12-month windows: referrals made by 2025-11-30',
    );
    expect(windowsCoveredCsv(ready({ summary: {} }))).toBeUndefined();
  });
});
