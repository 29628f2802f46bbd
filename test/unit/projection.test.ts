import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import { CATALOGUE, DEFAULT_TARGETS } from '../../functions/refresh/catalogue.ts';
import {
  type MonthFigures,
  monthsOfYear,
  projectYear,
  type SameMonthRatio,
} from '../../functions/refresh/projection.ts';

const month = (m: string, people: number): MonthFigures => ({ month: m, people });
/**
 * A complete previous year whose monthly people add up to its people (no repeats): the projections below that are
 * about something else (seasons, waves, lists) are made with it, so that their repeats are known (R26-5) and each
 * month's people are people in the year, as their figures were worked.
 */
const NO_REPEATS = { fy: '2024/25', ratio: 1 } as const;
/** What `repeats` says with NO_REPEATS and a year so far without repeats. */
const noRepeats = { ratio: 1, from: 'latest complete year', fy: '2024/25', year_so_far: 1, known: true } as const;

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
      repeatRatio: NO_REPEATS,
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
      repeats: noRepeats,
      note: "Monthly people are scaled to people in the year by 2024/25's ratio of monthly people to people, 1.000 (2025/26 so far: 1.000): the projection assumes this year repeats as 2024/25 did.",
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
      // No complete year: the year so far's ratio (120 / 120 = 1), the repeats to come not known (R26-5).
      repeats: { ratio: 1, from: 'year so far', fy: '2025/26', year_so_far: 1, known: false },
      note: expect.stringContaining('no year is complete'),
    });
  });

  describe('a previous year in which PCNs joined is not read as a season (review 6, K6)', () => {
    // These previous years carry no lists: the profile falls back to people per PCN submitting (M2's cases below).
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
        repeatRatio: NO_REPEATS,
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
        repeatRatio: NO_REPEATS,
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
        repeats: noRepeats,
        note: expect.any(String),
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
        repeats: noRepeats,
        note: expect.any(String),
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

  describe('a previous year in which PCNs of another size joined, or merged, is not read as a season (review 7, M2)', () => {
    // The previous year's months with England's list of the PCNs onboarded (rollout's list_size): the profile is its
    // people per 1,000 list. No season anywhere below unless said: every PCN refers 10 people per 1,000 list a month.
    const previousYear = (figures: (j: number) => { people: number; pcns: number; list: number }) =>
      monthsOfYear('2024/25').map((m, j) => {
        const { people, pcns, list } = figures(j);
        return { month: m, people, pcns_submitting: pcns, list_size: list };
      });
    /** This year: 60 PCNs (or `pcns`), April-September complete (data as of 30 September), `people` a month. */
    const halfYear = (people: readonly number[], previous: readonly MonthFigures[], target: number, pcns = 60) =>
      projectYear({
        fy: '2025/26',
        dataAsOf: '2025-09-30',
        peopleToDate: people.reduce((a, b) => a + b, 0),
        months: people.map((n, i) => ({
          month: monthsOfYear('2025/26')[i] as string,
          people: n,
          pcns_submitting: pcns,
        })),
        completeMonths: new Set(monthsOfYear('2025/26').slice(0, 6)),
        previousYear: previous,
        repeatRatio: NO_REPEATS,
        target,
      });
    // The reviewer's case: 48 PCNs of 10,000 patients (100 people a month each) all year; 12 PCNs of 30,000 (300 a
    // month each) join in October. Per 1,000 list: 4,800 / 480,000 and 8,400 / 840,000, 10 per 1,000 both halves, so
    // every weight is 1. (Per PCN it was 100 and 140: October-March read 40% busier, the projection 120,960.)
    // Fewest 48 PCNs submitting >= 80% of this year's 60 (48): the profile is used.
    const largerJoin = previousYear((j) =>
      j < 6 ? { people: 4800, pcns: 48, list: 480_000 } : { people: 8400, pcns: 60, list: 840_000 },
    );

    it('larger PCNs joining in October: 100,800, the year it is on, not 120,960 "on track"', () => {
      // This year 60 PCNs, 8,400 a month: levels 8,400 (weights 1), sd 0; 50,400 + 6 x 8,400 = 100,800 to 100,800;
      // against 110,000 "below target" (the shipped per-PCN profile said 120,960, "on track").
      expect(halfYear(Array(6).fill(8400), largerJoin, 110_000)).toEqual({
        months_elapsed: 6,
        complete_months: monthsOfYear('2025/26').slice(0, 6),
        profile: 'previous year per 1,000 list',
        projection_to_year_end: 100_800,
        projection_low: 100_800,
        projection_high: 100_800,
        on_track: false,
        status: 'below target',
        repeats: noRepeats,
        note: expect.any(String),
      });
    });

    it('the same with months 200 either side of 8,400: an interval around 100,800', () => {
      // Months 8,200 8,600 8,200 8,600 8,200 8,600 (50,400): levels the months, mean 8,400, deviations +-200, sd
      // sqrt(6 x 40,000 / 5) = 219.089; centre 50,400 + 6 x 8,400 = 100,800; half-width t(0.975, 5) 2.570582 x
      // 219.089 x sqrt(6 + 36 / 6) = 1,950.9: 98,849 to 102,751 (the shipped profile: 118,228 to 123,692).
      expect(halfYear([8200, 8600, 8200, 8600, 8200, 8600], largerJoin, 110_000)).toMatchObject({
        profile: 'previous year per 1,000 list',
        projection_to_year_end: 100_800,
        projection_low: 98_849,
        projection_high: 102_751,
        status: 'below target',
      });
    });

    it('smaller PCNs joining in October: 187,200 "on track", not 174,720 "below target"', () => {
      // 48 PCNs of 30,000 (300 a month) all year, 12 of 10,000 (100 a month) from October: 14,400 / 1,440,000 and
      // 15,600 / 1,560,000, 10 per 1,000 both halves: weights 1. This year 15,600 a month: 93,600 + 6 x 15,600 =
      // 187,200, against 180,000 on track. (Per PCN: 300 then 260, the projection 174,720.)
      const previous = previousYear((j) =>
        j < 6 ? { people: 14_400, pcns: 48, list: 1_440_000 } : { people: 15_600, pcns: 60, list: 1_560_000 },
      );
      expect(halfYear(Array(6).fill(15_600), previous, 180_000)).toMatchObject({
        profile: 'previous year per 1,000 list',
        projection_to_year_end: 187_200,
        projection_low: 187_200,
        projection_high: 187_200,
        status: 'on track',
      });
    });

    it('60 PCNs merging into 50 in October: 72,000, not 79,200 "on track"', () => {
      // The same 600,000 patients and 6,000 people a month all year; 60 PCNs to September, 50 after (per PCN 100 then
      // 120: the shipped profile read October-March 20% busier). Per 1,000 list 10 every month: weights 1. Fewest 50
      // >= 80% of this year's 50. This year the 50, 6,000 a month: 36,000 + 6 x 6,000 = 72,000; against 75,000
      // "below target".
      const previous = previousYear((j) => ({ people: 6000, pcns: j < 6 ? 60 : 50, list: 600_000 }));
      expect(halfYear(Array(6).fill(6000), previous, 75_000, 50)).toMatchObject({
        profile: 'previous year per 1,000 list',
        projection_to_year_end: 72_000,
        projection_low: 72_000,
        projection_high: 72_000,
        status: 'below target',
      });
    });

    it('a season and a wave of larger PCNs in one previous year: the season is kept, the size taken out', () => {
      // 12 people per 1,000 list a month April-September, 8 after (a season); the reviewer's wave: 480,000 patients to
      // September (5,760 a month), 840,000 from October (6,720). Rates 12 and 8 (total 120): weights 1.2 and 0.8.
      // This year the 60 PCNs (840,000) at 12 per 1,000 in April-June: 10,080 a month, levels 10,080 / 1.2 = 8,400;
      // unknown July-September 3 x 1.2 + October-March 6 x 0.8 = 8.4: 30,240 + 8.4 x 8,400 = 100,800 (= 840 x (6 x 12
      // + 6 x 8)). Per PCN (120 and 112, total 1,392: weights 1.034483 and 0.965517) hid most of the season and gave
      // levels 9,744 and 30,240 + 8.896552 x 9,744 = 116,928, "on track" against 105,000.
      const previous = previousYear((j) =>
        j < 6 ? { people: 5760, pcns: 48, list: 480_000 } : { people: 6720, pcns: 60, list: 840_000 },
      );
      const result = projectYear({
        fy: '2025/26',
        dataAsOf: '2025-06-30',
        peopleToDate: 30_240,
        months: ['2025-04', '2025-05', '2025-06'].map((m) => ({ month: m, people: 10_080, pcns_submitting: 60 })),
        completeMonths: new Set(['2025-04', '2025-05', '2025-06']),
        previousYear: previous,
        target: 105_000,
      });
      expect(result).toMatchObject({
        profile: 'previous year per 1,000 list',
        projection_to_year_end: 100_800,
        projection_low: 100_800,
        projection_high: 100_800,
        status: 'below target',
      });
    });

    it("K6's rule stands with lists: a previous year that was mostly PCNs joining (5 -> 60) gives no profile", () => {
      // 5, 10, ... 60 PCNs of 10,000 submitting, 100 people each: fewest 5 < 48 (80% of this year's 60): flat. This
      // year 60 PCNs, 6,000 a month: 36,000 + 6 x 6,000 = 72,000, sd 0.
      const previous = previousYear((j) => ({ people: 500 * (1 + j), pcns: 5 * (1 + j), list: 50_000 * (1 + j) }));
      expect(halfYear(Array(6).fill(6000), previous, 75_000)).toMatchObject({
        profile: 'flat',
        projection_to_year_end: 72_000,
        projection_low: 72_000,
        projection_high: 72_000,
      });
    });
  });

  describe("a rollout year: each month's level is a rate on the list of the PCNs onboarded that month (review 8, N7)", () => {
    // One PCN of 10,000 patients sends from April; two more of 10,000 join in August (rollout's England list_size:
    // 10,000 to July, 30,000 from August). Data as of 30 November: April-November complete (8 months), flat profile.
    const waveYear = (people: readonly number[], target: number) =>
      projectYear({
        fy: '2025/26',
        dataAsOf: '2025-11-30',
        peopleToDate: people.reduce((a, b) => a + b, 0),
        months: people.map((n, i) => ({
          month: monthsOfYear('2025/26')[i] as string,
          people: n,
          pcns_submitting: i < 4 ? 1 : 3,
          list_size: i < 4 ? 10_000 : 30_000,
        })),
        completeMonths: new Set(monthsOfYear('2025/26').slice(0, 8)),
        repeatRatio: NO_REPEATS,
        target,
      });

    it("10 a month from the first PCN, then 30 from three: 280, the three PCNs' pace, not 240", () => {
      // Rates per 1,000 list: 10 / 10 = 1 (April-July) and 30 / 30 = 1 (August-November): mean 1, sd 0. Unknown
      // December-March: 4 x 30 (thousand, November's list) x 1 = 120; 160 + 120 = 280, interval 280 to 280: against
      // 260 on track. (Raw people: levels 10 x 4 and 30 x 4, mean 20, sd 10.69: 160 + 4 x 20 = 240, 178 to 302,
      // "uncertain".)
      expect(waveYear([10, 10, 10, 10, 30, 30, 30, 30], 260)).toEqual({
        months_elapsed: 8,
        complete_months: monthsOfYear('2025/26').slice(0, 8),
        profile: 'flat',
        projection_to_year_end: 280,
        projection_low: 280,
        projection_high: 280,
        on_track: true,
        status: 'on track',
        repeats: noRepeats,
        note: expect.any(String),
      });
    });

    it('the interval is of the rates, scaled to the latest list', () => {
      // 9, 11, 9, 11 then 27, 33, 27, 33: rates 0.9, 1.1 (x 4), mean 1, sd sqrt(8 x 0.01 / 7) = 0.106904. Centre 160 +
      // 4 x 30 x 1 = 280; half-width t(0.975, 7) 2.364624 x 0.106904 x 30 x sqrt(4 + 16 / 8) = 18.576: 261 to 299.
      expect(waveYear([9, 11, 9, 11, 27, 33, 27, 33], 260)).toMatchObject({
        projection_to_year_end: 280,
        projection_low: 261,
        projection_high: 299,
        status: 'on track',
      });
    });

    it('PCNs late for the latest month are projected: the year at the list of the PCNs still sending (R16-2)', () => {
      // Three PCNs of 10,000 send all year: 30 people a month, April to November complete (flat profile; the
      // projection reads as complete the months data-as-of.ts gives it). One is late for November: November 20
      // people over 20,000 (list_size), the list of the PCNs still sending 30,000 (list_sending).
      // Levels: 30 / 30 = 1 (April-October) and 20 / 20 = 1: mean 1, sd 0. November read at its rate over the list
      // still sending: 20 x 30,000 / 20,000 = 30. Observed 7 x 30 + 30 = 240; December-March 4 x 30 (thousand) x 1 =
      // 120: 360, as with all three on time (12 x 30). Before: at November's list_size, 230 + 4 x 20 = 310.
      const people = [30, 30, 30, 30, 30, 30, 30, 20];
      const result = projectYear({
        fy: '2025/26',
        dataAsOf: '2025-11-30',
        peopleToDate: 230,
        months: people.map((n, i) => ({
          month: monthsOfYear('2025/26')[i] as string,
          people: n,
          list_size: i < 7 ? 30_000 : 20_000,
          list_sending: 30_000,
        })),
        completeMonths: new Set(monthsOfYear('2025/26').slice(0, 8)),
        repeatRatio: NO_REPEATS,
        target: 350,
      });
      expect(result).toMatchObject({
        projection_to_year_end: 360,
        projection_low: 360,
        projection_high: 360,
        status: 'on track',
      });
    });

    it('a PCN closing at the end of the latest month is not projected into the months to come', () => {
      // Three PCNs of 10,000 send all year, 30 people a month, April to November complete (flat profile); one closes
      // on 30 November: November's list still sending 30,000, of which still open on 1 December 20,000
      // (list_continuing). Levels 30 / 30 = 1, mean 1, sd 0. Observed 8 x 30 = 240; December-March at the list
      // continuing: 4 x 20 (thousand) x 1 = 80: 320. Before: at the list sending, 240 + 4 x 30 = 360.
      const result = projectYear({
        fy: '2025/26',
        dataAsOf: '2025-11-30',
        peopleToDate: 240,
        months: monthsOfYear('2025/26')
          .slice(0, 8)
          .map((m, i) => ({
            month: m,
            people: 30,
            list_size: 30_000,
            list_sending: 30_000,
            ...(i === 7 ? { list_continuing: 20_000 } : {}),
          })),
        completeMonths: new Set(monthsOfYear('2025/26').slice(0, 8)),
        target: 350,
      });
      expect(result).toMatchObject({
        projection_to_year_end: 320,
        projection_low: 320,
        projection_high: 320,
        status: 'below target',
      });
    });

    it('a month read without a list: the levels are people, as before', () => {
      // The same months without list_size: levels 10 x 4 and 30 x 4, mean 20, sd sqrt(8 x 100 / 7) = 10.690; 160 +
      // 4 x 20 = 240; half-width 2.364624 x 10.690 x sqrt(6) = 61.92: 178 to 302.
      const result = projectYear({
        fy: '2025/26',
        dataAsOf: '2025-11-30',
        peopleToDate: 160,
        months: [10, 10, 10, 10, 30, 30, 30, 30].map((n, i) => month(monthsOfYear('2025/26')[i] as string, n)),
        completeMonths: new Set(monthsOfYear('2025/26').slice(0, 8)),
        target: 260,
      });
      expect(result).toMatchObject({ projection_to_year_end: 240, projection_low: 178, projection_high: 302 });
    });
  });

  describe('monthly people are scaled to people in the year by a complete year’s ratio, not the year so far’s (R26-5)', () => {
    // Red-team review 26, R26-5: one PCN of 10,000, a steady service, 100 people referred every month; from August,
    // 10 of each month's 100 are people first referred four months earlier in the year. A year: 12 x 100 = 1,200
    // monthly people, 1,200 - 8 x 10 = 1,120 people; ratio 1,200 / 1,120 = 1.0714. 2024/25 was that year. Data as
    // of 31 July 2025: April-July 100 a month, 400 people in 400 monthly counts (no repeats yet: ratio so far 1).
    // Profile: the previous year's 100 per 10,000 list every month, weights 1. Levels 100 / 10 = 10 per 1,000, sd 0.
    // August-March: 8 x 10 (thousand) x 10 = 800; monthly people 400 + 800 = 1,200.
    const thisYear = ['2025-04', '2025-05', '2025-06', '2025-07'].map((m) => ({
      month: m,
      people: 100,
      pcns_submitting: 1,
      list_size: 10_000,
      list_sending: 10_000,
      list_continuing: 10_000,
    }));
    const previous = monthsOfYear('2024/25').map((m) => ({
      month: m,
      people: 100,
      pcns_submitting: 1,
      list_size: 10_000,
    }));
    const project = (peopleToDate: number, target: number, repeatRatio?: { fy: string; ratio: number }) =>
      projectYear({
        fy: '2025/26',
        dataAsOf: '2025-07-31',
        peopleToDate,
        months: thisYear,
        completeMonths: new Set(thisYear.map((m) => m.month)),
        previousYear: previous,
        ...(repeatRatio ? { repeatRatio } : {}),
        target,
      });

    /** The reviewer's case against 1,150, projected from 2024/25's ratio: read directly, and through the summary. */
    const reviewersCase = {
      projection_to_year_end: 1120,
      projection_low: 1120,
      projection_high: 1120,
      on_track: false,
      status: 'below target',
      repeats: { ratio: 1.071, from: 'latest complete year', fy: '2024/25', year_so_far: 1, known: true },
    } as const;

    it("the reviewer's example: 1,200 / 1.0714 = 1,120, below the target of 1,150 (was 1,200, on track)", () => {
      expect(project(400, 1150, { fy: '2024/25', ratio: 1200 / 1120 })).toEqual({
        months_elapsed: 4,
        complete_months: ['2025-04', '2025-05', '2025-06', '2025-07'],
        profile: 'previous year per 1,000 list',
        ...reviewersCase,
        note: "Monthly people are scaled to people in the year by 2024/25's ratio of monthly people to people, 1.071 (2025/26 so far: 1.000): the projection assumes this year repeats as 2024/25 did.",
      });
    });

    it('the same through the rollout summary: the ratio is the latest complete year’s, read from England’s rows', () => {
      // England's rollout rows: 2024/25 (12 months of 100, 1,120 people) and 2025/26 so far (4 months, 400 people).
      const england = (period_type: string, period: string, people: number, months?: number): Row => ({
        level: 'national',
        code: 'ENG',
        period_type,
        period,
        referrals: period_type === 'fy' ? 100 * Number(months) : 100,
        people_referred: people,
        pcns_submitting: 1,
        list_size: 10_000,
        ...(months === undefined ? {} : { months }),
      });
      const months = [...monthsOfYear('2024/25'), ...thisYear.map((m) => m.month)];
      const rows = [
        ...months.map((m) => england('month', m, 100)),
        england('fy', '2024/25', 1120, 12),
        england('fy', '2025/26', 400, 4),
      ];
      const rollout = CATALOGUE.find((d) => d.name === 'rollout');
      const summary = rollout?.summarise?.(rows, {
        targets: { ...DEFAULT_TARGETS, annual_referrals: 1150 },
        dataAsOf: '2025-07-31',
        completeMonths: months,
        listsSending: { '2025-07': 10_000 },
        listsContinuing: { '2025-07': 10_000 },
        medianContacts: new Map(),
      }) as { target_progress: Record<string, unknown>[] };
      expect(summary.target_progress.find((p) => p.fy === '2025/26')).toMatchObject({
        people_referred_to_date: 400,
        ...reviewersCase,
      });
      // The complete year is its own total, and says so.
      expect(summary.target_progress.find((p) => p.fy === '2024/25')).toMatchObject({
        projection_to_year_end: 1120,
        status: 'year complete',
        repeats: { ratio: 1.071, from: 'the year itself', fy: '2024/25', year_so_far: 1.071, known: true },
      });
    });

    it("a complete year states its own ratio, not a higher earlier year's (review 27, R27-4)", () => {
      // 2025/26 ended: 12 months of 100 monthly people, 1,150 people in the year: its ratio 1,200 / 1,150 = 1.043.
      // 2024/25's 1.08 is higher, but the year is its own total and its own ratio is the one it states.
      const months = monthsOfYear('2025/26').map((month) => ({ month, people: 100 }));
      const result = projectYear({
        fy: '2025/26',
        dataAsOf: '2026-04-30',
        peopleToDate: 1150,
        months,
        completeMonths: new Set(months.map((m) => m.month)),
        repeatRatio: { fy: '2024/25', ratio: 1.08 },
        target: 1100,
      });
      expect(result).toMatchObject({
        projection_to_year_end: 1150,
        status: 'year complete',
        repeats: { ratio: 1.043, from: 'the year itself', fy: '2025/26', year_so_far: 1.043, known: true },
      });
    });

    it('no complete year: the repeats to come are not known, so an interval that clears the target is "uncertain"', () => {
      // No ratio of a complete year: the year so far's, 400 / 400 = 1: 1,200 [1,200, 1,200]. It clears 1,150 only
      // before the repeats to come (the year ends at 1,120), so it is not called on track.
      expect(project(400, 1150)).toMatchObject({
        projection_to_year_end: 1200,
        projection_low: 1200,
        projection_high: 1200,
        on_track: false,
        status: 'uncertain',
        repeats: { ratio: 1, from: 'year so far', fy: '2025/26', year_so_far: 1, known: false },
        note: "Monthly people are scaled to people in the year by 2025/26's ratio so far, 1.000: no year is complete, so the repeat referrals to come are not yet known and the projection reads high by them; its interval clears the target only before those repeats, so it is not called on track.",
      });
      // "Below target" stands without them: more repeats would only lower the projection.
      expect(project(400, 1300)).toMatchObject({ projection_high: 1200, status: 'below target' });
    });

    it('a year repeating more than the latest complete year: its own ratio so far, the higher', () => {
      // 380 people in 400 monthly counts so far: ratio 400 / 380 = 1.0526, above 2024/25's 1.02. 1,200 x 380 / 400 =
      // 1,140, against 1,100 on track (with 1.02 it would have been 1,176).
      expect(project(380, 1100, { fy: '2024/25', ratio: 1.02 })).toMatchObject({
        projection_to_year_end: 1140,
        projection_low: 1140,
        status: 'on track',
        repeats: { ratio: 1.053, from: 'year so far', fy: '2025/26', year_so_far: 1.053, known: true },
      });
    });
  });

  describe('the ratio is like for like: this year so far grown as the latest complete year grew from the same month (review 31, R31-6)', () => {
    // R31-6: the demo's 2026/27 had a ratio so far of 1.013 after 8 months, where 2025/26 had 1.046 after its first 8
    // and ended at 1.049; dividing by 1.049 assumed the last 4 months add 11.5% repeats, against 1.5% so far: 3% low.
    // Here, one PCN of 10,000, April-July 2025 (4 months), 400 monthly people, 380 people: ratio so far 400 / 380 =
    // 1.0526. 2024/25: 1.100 at the end of July 2024 (its 4th month), 1.120 at year end, so it grew by 1.12 / 1.10 =
    // 1.01818 from the same month. Its regions grew by 1.01, 1.02 and 1.03 (mean 1.02, sd 0.01, n 3).
    const project = (months: readonly number[], atMonth?: SameMonthRatio) =>
      projectYear({
        fy: '2025/26',
        dataAsOf: '2025-07-31',
        peopleToDate: 380,
        months: months.map((people, i) => ({
          month: `2025-0${4 + i}`,
          people,
          pcns_submitting: 1,
          list_size: 10_000,
          list_sending: 10_000,
          list_continuing: 10_000,
        })),
        completeMonths: new Set(['2025-04', '2025-05', '2025-06', '2025-07']),
        previousYear: monthsOfYear('2024/25').map((m) => ({
          month: m,
          people: 100,
          pcns_submitting: 1,
          list_size: 10_000,
        })),
        repeatRatio: { fy: '2024/25', ratio: 1.12, ...(atMonth ? { at_month: atMonth } : {}) },
        target: 1100,
      });
    const atJuly = { month: '2024-07', ratio: 1.1, growths: [1.01, 1.02, 1.03] };

    it('a year repeating less than the last at the same month is not divided by the last one’s full-year ratio', () => {
      // Months 100 a month, levels 10 per 1,000, sd 0: 400 + 8 x 10 x 10 = 1,200 monthly people. Ratio 1.0526 x
      // 1.01818 = 1.07177: 1,200 / 1.07177 = 1,119.64 -> 1,120 (2024/25's 1.12 gave 1,071, "below target" of 1,100).
      // Interval: the months give none (sd 0); the growth's 95% prediction interval, t(0.975, 2) x sd x sqrt(1 + 1/n)
      // = 4.303 x 0.01 x 1.1547 = 0.049687, relative to the growth 0.049687 / 1.01818 = 0.048800: 1,119.64 x 0.048800
      // = 54.64, so 1,065 to 1,174, "uncertain" against 1,100.
      expect(project([100, 100, 100, 100], atJuly)).toMatchObject({
        projection_to_year_end: 1120,
        projection_low: 1065,
        projection_high: 1174,
        on_track: false,
        status: 'uncertain',
        repeats: {
          ratio: 1.072,
          from: 'year so far, grown as the latest complete year from the same month',
          fy: '2024/25',
          year_so_far: 1.053,
          known: true,
          same_month: { month: '2024-07', ratio: 1.1, growth: 1.018, interval_pct: 4.9 },
        },
      });
    });

    it('the months’ spread and the growth’s are added in quadrature', () => {
      // Months 90, 110, 90, 110: levels 9, 11, 9, 11, mean 10, sd 1.1547; 1,200 monthly people as above. The months'
      // half-width 3.182 x 1.1547 x 10 x sqrt(8 + 64 / 4) = 180.00, over the ratio 1.07177: 167.95; the growth's
      // 54.64 (above); together sqrt(167.95^2 + 54.64^2) = 176.61: 1,119.64 -> 943 to 1,296.
      expect(project([90, 110, 90, 110], atJuly)).toMatchObject({
        projection_to_year_end: 1120,
        projection_low: 943,
        projection_high: 1296,
      });
    });

    it("England's growth across 3 complete years gives the interval, not single regions' (review 34, R34-4)", () => {
      // The year so far 400 people in 400 monthly counts (ratio 1); 2024/25 at the end of July 1, at its end 1.15: grown
      // 1.15. Months 100 a month (sd 0): 1,200 monthly people / 1.15 = 1,043.48. England grew by 1.15, 1.14 and 1.16
      // in its three complete years (mean 1.15, sd 0.01): t(0.975, 2) x 0.01 x sqrt(1 + 1/3) = 4.303 x 0.01 x 1.1547 =
      // 0.049687, relative 0.049687 / 1.15 = 0.043206 (4.3%): +- 45.08, 998 to 1,089, on track for 900. Its regions
      // grew by 1.05, 1.25, 1.24, 1.04, 1.07 and 1.25 (mean 1.15, sd 0.106395): t(0.975, 5) x 0.106395 x sqrt(1 + 1/6)
      // = 2.571 x 0.106395 x 1.0801 = 0.295458, relative 0.256920 (25.7%): +- 268.09, 775 to 1,312, "uncertain": the
      // spread of one region is not that of England, their sum (the interval read 6 times too wide).
      const base = {
        fy: '2025/26',
        dataAsOf: '2025-07-31',
        peopleToDate: 400,
        months: ['2025-04', '2025-05', '2025-06', '2025-07'].map((m) => ({ month: m, people: 100, list_size: 10_000 })),
        completeMonths: new Set(['2025-04', '2025-05', '2025-06', '2025-07']),
        target: 900,
      };
      const england = projectYear({
        ...base,
        repeatRatio: {
          fy: '2024/25',
          ratio: 1.15,
          at_month: { month: '2024-07', ratio: 1, growths: [1.15, 1.14, 1.16], spread: 'England' },
        },
      });
      expect(england).toMatchObject({
        projection_to_year_end: 1043,
        projection_low: 998,
        projection_high: 1089,
        status: 'on track',
        repeats: {
          ratio: 1.15,
          same_month: {
            month: '2024-07',
            ratio: 1,
            growth: 1.15,
            interval_pct: 4.3,
            interval_from: 'England, complete years',
          },
        },
      });
      expect(england.note).toContain(
        'The 95% interval includes how much that growth varied between complete years in England (plus or minus 4.3% of the projection).',
      );
      const regions = projectYear({
        ...base,
        repeatRatio: {
          fy: '2024/25',
          ratio: 1.15,
          at_month: { month: '2024-07', ratio: 1, growths: [1.05, 1.25, 1.24, 1.04, 1.07, 1.25], spread: 'regions' },
        },
      });
      expect(regions).toMatchObject({
        projection_to_year_end: 1043,
        projection_low: 775,
        projection_high: 1312,
        status: 'uncertain',
        repeats: { same_month: { interval_pct: 25.7, interval_from: 'regions' } },
      });
      expect(regions.note).toContain('varied between regions');
    });

    it("R26-5's example still gives 1,120: its previous year at the same month had ratio 1, so it grew by 1.0714", () => {
      // 400 people in 400 monthly counts (the R26-5 year so far; peopleToDate 400 here), 2024/25 at July 1, at year end
      // 1,200 / 1,120; every region the same, so the growth adds nothing to the interval: 1,200 / 1.0714 = 1,120.
      const result = projectYear({
        fy: '2025/26',
        dataAsOf: '2025-07-31',
        peopleToDate: 400,
        months: ['2025-04', '2025-05', '2025-06', '2025-07'].map((m) => ({ month: m, people: 100, list_size: 10_000 })),
        completeMonths: new Set(['2025-04', '2025-05', '2025-06', '2025-07']),
        repeatRatio: {
          fy: '2024/25',
          ratio: 1200 / 1120,
          at_month: { month: '2024-07', ratio: 1, growths: [1200 / 1120, 1200 / 1120] },
        },
        target: 1150,
      });
      expect(result).toMatchObject({
        projection_to_year_end: 1120,
        projection_low: 1120,
        projection_high: 1120,
        status: 'below target',
        repeats: { ratio: 1.071, same_month: { month: '2024-07', ratio: 1, growth: 1.071, interval_pct: 0 } },
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
