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

  describe('a previous year in which PCNs joined is not read as a season (review 6, K6)', () => {
    // This year: 60 PCNs submitting, data to 30 September (April to September complete), people 5,900 6,100 6,000
    // 5,950 6,050 6,000 (36,000): about 6,000 a month, so 72,000 by March if nothing changes.
    const thisYear = [5900, 6100, 6000, 5950, 6050, 6000].map((people, i) => ({
      month: monthsOfYear('2025/26')[i] as string,
      people,
      pcns_submitting: 60,
    }));
    const project = (previousYear: readonly MonthFigures[], target = 75_600) =>
      projectYear({
        fy: '2025/26',
        dataAsOf: '2025-09-30',
        peopleToDate: 36_000,
        months: thisYear,
        completeMonths: new Set(thisYear.map((m) => m.month)),
        previousYear,
        target,
      });
    // With weight 1 for every month: levels = the months; mean 6,000; deviations -100 100 0 -50 50 0, squares
    // 25,000 / 5 = 5,000, sd 70.711. Six unknown months: centre 36,000 + 6 x 6,000 = 72,000; half-width
    // t(0.975, 5) 2.571 x 70.711 x sqrt(6 + 36 / 6) = 2.571 x 70.711 x 3.4641 = 629.8: 71,370 to 72,630.
    const flatFigures = { projection_to_year_end: 72_000, projection_low: 71_370, projection_high: 72_630 };
    /** April-June complete, `people` a month from `pcns` PCNs each month (data as of 30 June). */
    const firstQuarter = (people: number, pcns: number, previousYear: readonly MonthFigures[], target: number) =>
      projectYear({
        fy: '2025/26',
        dataAsOf: '2025-06-30',
        peopleToDate: 3 * people,
        months: ['2025-04', '2025-05', '2025-06'].map((m) => ({ month: m, people, pcns_submitting: pcns })),
        completeMonths: new Set(['2025-04', '2025-05', '2025-06']),
        previousYear,
        target,
      });

    it("the reviewer's milder ramp (PCNs 49 -> 60, 100 people each) projects the year it is on, inside the interval", () => {
      // Previous year: 49, 50, ... 60 PCNs submitting, 100 people a PCN every month (4,900 ... 6,000). Fewest 49 of
      // this year's 60 (at least 80%: 48), so the profile is its people per PCN: 100 every month, weight 1 each.
      // Its raw shares (the defect) gave 76,235 [74,115, 78,355]: the true 72,000 outside, "uncertain" at 75,600.
      const previous = monthsOfYear('2024/25').map((m, j) => ({
        month: m,
        people: 100 * (49 + j),
        pcns_submitting: 49 + j,
      }));
      expect(project(previous)).toEqual({
        months_elapsed: 6,
        complete_months: thisYear.map((m) => m.month),
        profile: 'previous year per PCN',
        ...flatFigures,
        on_track: false,
        status: 'below target',
      });
    });

    it('a previous year that was mostly PCNs joining (5 -> 60) gives no profile: flat, and says so', () => {
      // Fewest 5 PCNs submitting in a month of the previous year, under 80% of this year's 60 (48): flat, weights 1.
      // Its raw shares (the defect) gave 175,151 [36,000, 332,561].
      const previous = monthsOfYear('2024/25').map((m, j) => ({
        month: m,
        people: 500 * (1 + j),
        pcns_submitting: 5 * (1 + j),
      }));
      expect(project(previous)).toMatchObject({ profile: 'flat', ...flatFigures, status: 'below target' });
    });

    it('falls back to flat even where the few PCNs there all last year had a season', () => {
      // Previous year: 30 PCNs all year, 6 people a PCN April-September, 4 after (a season); this year 60 PCNs, 360
      // a month April-June. 30 < 48: the 30 do not speak for this year's 60, so flat: levels 360, sd 0; centre
      // 1,080 + 9 x 360 = 4,320, interval 4,320 to 4,320 (with their profile it would have been 3,600).
      const previous = monthsOfYear('2024/25').map((m, j) => ({
        month: m,
        people: j < 6 ? 180 : 120,
        pcns_submitting: 30,
      }));
      const result = firstQuarter(360, 60, previous, 4000);
      expect(result).toMatchObject({
        profile: 'flat',
        projection_to_year_end: 4320,
        projection_low: 4320,
        projection_high: 4320,
        status: 'on track',
      });
    });

    it('a season with no growth gives the figure it gave before: the same PCNs all year make per-PCN shares the shares', () => {
      // The first test's previous year (60 a month April-September, 40 after) from 50 PCNs every month: people per
      // PCN 1.2 and 0.8, total 12, so April's weight 12 x 1.2 / 12 = 1.2 and January's 0.8, as from its people.
      // April-June 72 each from 50 PCNs: levels 60, and 216 + 8.4 x 60 = 720, 720 to 720, as in the first test.
      const previous = monthsOfYear('2024/25').map((m, i) => ({
        month: m,
        people: i < 6 ? 60 : 40,
        pcns_submitting: 50,
      }));
      const result = firstQuarter(72, 50, previous, 700);
      expect(result).toEqual({
        months_elapsed: 3,
        complete_months: ['2025-04', '2025-05', '2025-06'],
        profile: 'previous year per PCN',
        projection_to_year_end: 720,
        projection_low: 720,
        projection_high: 720,
        on_track: true,
        status: 'on track',
      });
    });

    it('a season and a wave in one previous year: the season is kept, the wave taken out', () => {
      // Previous year: 50 PCNs April-September, 60 from October (a wave); 6 people a PCN April-September, 4 after:
      // people 300 x 6 then 240 x 6. Per PCN 6 and 4 (total 60): weights 1.2 and 0.8. Fewest 50 >= 48. This year 60
      // PCNs, 360 a month April-June: levels 360 / 1.2 = 300; unknown July-September 3 x 1.2 + October-March
      // 6 x 0.8 = 8.4; 1,080 + 8.4 x 300 = 3,600 (= 60 PCNs x (6 x 6 + 6 x 4)). Raw shares (300 / 3,240 x 12 =
      // 1.111, 0.889) gave levels 324 and 1,080 + 8.667 x 324 = 3,888.
      const previous = monthsOfYear('2024/25').map((m, j) => ({
        month: m,
        people: j < 6 ? 300 : 240,
        pcns_submitting: j < 6 ? 50 : 60,
      }));
      const result = firstQuarter(360, 60, previous, 3700);
      expect(result).toMatchObject({
        profile: 'previous year per PCN',
        projection_to_year_end: 3600,
        projection_low: 3600,
        projection_high: 3600,
        status: 'below target',
      });
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
