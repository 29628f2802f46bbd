import { describe, expect, it } from 'vitest';
import { type MonthFigures, monthsOfYear, projectYear } from '../../functions/refresh/projection.ts';

const month = (m: string, people: number): MonthFigures => ({ month: m, people });

describe('projecting a year of people referred', () => {
  it('with a previous year, the months so far are read against its seasonal profile', () => {
    // Previous year: 60 a month in April to September, 40 a month after: 600 in all, so April's weight is
    // 12 x 60 / 600 = 1.2 and January's 0.8. This year, April to June: 72 each, a level of 72 / 1.2 = 60 every month
    // (sd 0). Unknown: July to September (1.2 each) and October to March (0.8 each): 3.6 + 4.8 = 8.4 x 60 = 504;
    // projection 216 + 504 = 720, with no spread, so the interval is 720 to 720; against 700 it is on track.
    const previous = monthsOfYear('2024/25').map((m, i) => month(m, i < 6 ? 60 : 40));
    const result = projectYear({
      fy: '2025/26',
      dataAsOf: '2025-07-15',
      peopleToDate: 216 + 10,
      months: [month('2025-04', 72), month('2025-05', 72), month('2025-06', 72), month('2025-07', 10)],
      // July has not ended: the data-as-of rule cannot have found it complete, whatever it says of it.
      completeMonths: new Set(['2025-04', '2025-05', '2025-06', '2025-07']),
      previousYear: previous,
      target: 700,
    });
    // 226 people in 226 monthly counts: no repeat referrals, scale 1; July has not ended, so it is estimated.
    expect(result).toEqual({
      months_elapsed: 4,
      complete_months: ['2025-04', '2025-05', '2025-06'],
      profile: 'previous year',
      projection_to_year_end: 720,
      projection_low: 720,
      projection_high: 720,
      on_track: true,
      status: 'on track',
    });
  });

  it('an interval that straddles the target is "uncertain", and people referred twice are scaled out', () => {
    // Months 10 and 20 (mean 15, sd 7.071), 10 unknown months: 30 + 150 = 180; half-width 12.706 x 7.071 x
    // sqrt(10 + 100 / 2) = 695.9. Scale 27 people / 30 monthly counts = 0.9: 162, low max(27, 162 - 626.3) = 27,
    // high 162 + 626.3 = 788.
    const result = projectYear({
      fy: '2025/26',
      dataAsOf: '2025-05-31',
      peopleToDate: 27,
      months: [month('2025-04', 10), month('2025-05', 20)],
      completeMonths: new Set(['2025-04', '2025-05']),
      target: 500,
    });
    expect(result).toMatchObject({
      profile: 'flat',
      projection_to_year_end: 162,
      projection_low: 27,
      projection_high: 788,
      on_track: false,
      status: 'uncertain',
    });
  });

  it('a month the data-as-of rule found short is estimated, not read, even though it has ended', () => {
    // April 10 and May 20 complete; June ended with 90 people but too few PCNs onboarded sent it. Levels 10 and 20
    // (mean 15, sd 7.071); unknown: June to March, 10 months: observed 30 + 10 x 15 = 180, scale 120 / 120 = 1;
    // half-width 12.706 x 7.071 x sqrt(10 + 100 / 2) = 695.9: low max(120, -515.9) = 120, high 875.9 -> 876.
    // Had June been read, its level 90 would have made the mean 40.
    const result = projectYear({
      fy: '2025/26',
      dataAsOf: '2025-06-30',
      peopleToDate: 120,
      months: [month('2025-04', 10), month('2025-05', 20), month('2025-06', 90)],
      completeMonths: new Set(['2025-04', '2025-05']),
      target: 500,
    });
    expect(result).toEqual({
      months_elapsed: 3,
      complete_months: ['2025-04', '2025-05'],
      profile: 'flat',
      projection_to_year_end: 180,
      projection_low: 120,
      projection_high: 876,
      on_track: false,
      status: 'uncertain',
    });
  });

  it('the financial year runs April to March', () => {
    expect(monthsOfYear('2025/26')).toEqual([
      '2025-04',
      '2025-05',
      '2025-06',
      '2025-07',
      '2025-08',
      '2025-09',
      '2025-10',
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
    ]);
  });
});
