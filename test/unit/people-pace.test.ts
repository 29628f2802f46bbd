import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../../functions/contract/index.ts';
import { DEFAULT_TARGETS } from '../../functions/refresh/catalogue.ts';
import { spcRows } from '../../functions/refresh/spc-documents.ts';
import { type PeopleInYearRow, peoplePace, ratioAtMonth, repeatRatios } from '../../functions/stats/people-pace.ts';
import { metricDocument, monthsFrom } from '../support/documents.ts';

/*
 * Red-team review 19, R19-8: a month's people referred are distinct within the month, the 900,000 target's within the
 * year. England's people referred alternate 76,000 and 76,400 a month for 13 months, April 2025 to April 2026. In
 * 2025/26 the 12 months add up to 6 x 76,000 + 6 x 76,400 = 914,400, but the year's distinct people are 871,000
 * (people referred in more than one month): the year misses 900,000 while every month is above 900,000 / 12 = 75,000.
 * - Like for like: ratio 914,400 / 871,000 = 1.049828..., pace 75,000 x 1.049828 = 78,737.1 -> 78,737 a month.
 * - The XmR chart: mean (7 x 76,000 + 6 x 76,400) / 13 = 990,400 / 13 = 76,184.62; every moving range 400, so the
 *   limits are 76,184.62 +- 2.66 x 400 = 75,120.62 to 77,248.62.
 * - A twelfth (75,000) lies below the lower limit: "consistently passes". The like-for-like pace (78,737) lies above
 *   the upper limit: the year consistently fails the target, as its 871,000 people do.
 */
const MONTHS = monthsFrom('2025-04', 13);
const people = (i: number) => (i % 2 === 0 ? 76_000 : 76_400);
const england = (period_type: string, period: string, people_referred: number) =>
  ({ level: 'national', code: 'ENG', period_type, period, people_referred }) as MetricRow;
const rows = [
  ...MONTHS.map((m, i) => england('month', m, people(i))),
  england('fy', '2025/26', 871_000),
  // 2026/27 so far: April alone (its one month's people are its people: no repeats yet).
  england('fy', '2026/27', 76_000),
];
const targets = { ...DEFAULT_TARGETS, annual_referrals: 900_000 };

describe('the people pace of the annual target (R19-8)', () => {
  it('is a twelfth of the target times the latest complete year’s monthly people over its people', () => {
    expect(peoplePace(rows, 900_000)).toEqual({ monthly: 78_737, fy: '2025/26', complete: true, ratio: 1.05 });
    // The year shown is 2026/27 (incomplete): the latest complete year before it still gives the ratio.
    expect(peoplePace(rows, 900_000, '2026/27')?.fy).toBe('2025/26');
    // No complete year: the year so far (April 2026 only: 76,000 / 76,000 = 1, a twelfth), said to be incomplete.
    expect(
      peoplePace(
        rows.filter((r) => r.period >= '2026'),
        900_000,
      ),
    ).toEqual({
      monthly: 75_000,
      fy: '2026/27',
      complete: false,
      ratio: 1,
    });
    // No year with people: no pace.
    expect(
      peoplePace(
        MONTHS.map((m, i) => england('month', m, people(i))),
        900_000,
      ),
    ).toBeNull();
  });

  it("England's SPC chart of people referred: the like-for-like pace, and the assurance reads the year's miss", () => {
    const rollout = metricDocument(
      { generated_at: '2026-05-04T00:00:00.000Z', data_as_of: '2026-04-30' },
      'rollout',
      rows,
    );
    const row = spcRows([rollout], targets, '2026-04-30').find((r) => r.measure === 'people_referred');
    expect(row).toMatchObject({
      target: 78_737,
      mean: 76_184.62,
      upper_limit: 77_248.62,
      lower_limit: 75_120.62,
      assurance: 'fail',
    });
  });

  it('each year’s ratio, latest first, for the projection too (R26-5); a year whose row gives fewer than 12 months is not complete', () => {
    // 2025/26: 914,400 / 871,000 = 1.049828; 2026/27 so far: 76,000 / 76,000 = 1.
    expect(repeatRatios(rows)).toEqual([
      { fy: '2026/27', complete: false, ratio: 1 },
      { fy: '2025/26', complete: true, ratio: 914_400 / 871_000 },
    ]);
    // The same year held at a release with 11 of its months (its row's months 11): its people are of 11 months, so it
    // is not complete, whatever months are published beside it.
    const held = rows.map((r) => (r.period === '2025/26' ? ({ ...r, months: 11 } as MetricRow) : r));
    expect(repeatRatios(held).find((y) => y.fy === '2025/26')?.complete).toBe(false);
  });
});

describe('a complete year’s ratio at the same month, and its regions’ growths from it (review 31, R31-6)', () => {
  // 2024/25: region A refers 10 people every month; April-July all new to the year, August-March 8 new (2 referred
  // earlier in the year). A at the end of July: 40 / 40 = 1; at year end 120 / (40 + 8 x 8 = 104) = 1.153846: growth
  // 1.153846. Region B: 20 a month, all new: 1 and 1, growth 1. England at the end of July: (40 + 80) / (40 + 80) = 1.
  // 2023/24: region A only, 5 a month, all new: growth 1.
  const months = (fy: string) => monthsFrom(`${fy.slice(0, 4)}-04`, 12);
  const rows: PeopleInYearRow[] = [
    ...months('2024/25').map((month, i) => ({
      region_code: 'A',
      fy: '2024/25',
      month,
      monthly_people: 10,
      new_people: i < 4 ? 10 : 8,
    })),
    ...months('2024/25').map((month) => ({
      region_code: 'B',
      fy: '2024/25',
      month,
      monthly_people: 20,
      new_people: 20,
    })),
    ...months('2023/24').map((month) => ({ region_code: 'A', fy: '2023/24', month, monthly_people: 5, new_people: 5 })),
  ];

  it('England’s ratio at the end of the 4th month, and every region’s growth in every complete year', () => {
    const result = ratioAtMonth(rows, ['2024/25', '2023/24'], 4);
    expect(result?.month).toBe('2024-07');
    expect(result?.ratio).toBe(1);
    expect(result?.growths).toHaveLength(3);
    expect(result?.growths[0]).toBeCloseTo(120 / 104, 10);
    expect(result?.growths.slice(1)).toEqual([1, 1]);
  });

  it('at the end of August: A 50 / 48, England 150 / 148', () => {
    const result = ratioAtMonth(rows, ['2024/25'], 5);
    expect(result?.month).toBe('2024-08');
    expect(result?.ratio).toBeCloseTo(150 / 148, 10);
    expect(result?.growths[0]).toBeCloseTo(120 / 104 / (50 / 48), 10);
  });

  it('at the end of March, the 12th month (review 34, R34-3): the full year, England 360 / 344, every growth 1', () => {
    // England 2024/25: A 120 / 104 and B 240 / 240 added up, (120 + 240) / (104 + 240); each region's ratio at its
    // 12th month is its year's, so A's, B's and 2023/24's A's growths are 1.
    const result = ratioAtMonth(rows, ['2024/25', '2023/24'], 12);
    expect(result?.month).toBe('2025-03');
    expect(result?.ratio).toBeCloseTo(360 / 344, 10);
    expect(result?.growths).toEqual([1, 1, 1]);
  });

  it("England's own growth in each complete year where 3 or more give one, the regions' only short of that (R34-4)", () => {
    // Two regions of equal size, three complete years, each region's April 100 monthly people / 100 new and its March
    // x / 100: at the end of April every ratio is 1; at year end a region's is (100 + x) / 200 and England's (200 + x1
    // + x2) / 400, the mean of its two regions'. 2024/25: A x 110 (1.05), B x 150 (1.25), England 1.15; 2023/24: A 148
    // (1.24), B 108 (1.04), England 1.14; 2022/23: A 114 (1.07), B 150 (1.25), England 1.16. The regions spread
    // widely (1.04 to 1.25) while England's growth moved by 0.01 a year: England's are the growths of the figure the
    // projection divides by (review 34, R34-4: the regions' spread is not that of their sum).
    const year = (fy: string, a: number, b: number): PeopleInYearRow[] => {
      const start = Number(fy.slice(0, 4));
      return [
        ['A', a],
        ['B', b],
      ].flatMap(([region, x]) => [
        { region_code: String(region), fy, month: `${start}-04`, monthly_people: 100, new_people: 100 },
        { region_code: String(region), fy, month: `${start + 1}-03`, monthly_people: Number(x), new_people: 100 },
      ]);
    };
    const three = [...year('2024/25', 110, 150), ...year('2023/24', 148, 108), ...year('2022/23', 114, 150)];
    const result = ratioAtMonth(three, ['2024/25', '2023/24', '2022/23'], 1);
    expect(result?.month).toBe('2024-04');
    expect(result?.ratio).toBe(1);
    expect(result?.spread).toBe('England');
    expect(result?.growths).toHaveLength(3);
    for (const [i, g] of [1.15, 1.14, 1.16].entries()) expect(result?.growths[i]).toBeCloseTo(g, 10);
    // Two complete years: too few of England's; each region's growth in each year, as before.
    const two = ratioAtMonth(three, ['2024/25', '2023/24'], 1);
    expect(two?.spread).toBe('regions');
    expect(two?.growths).toHaveLength(4);
    for (const [i, g] of [1.05, 1.25, 1.24, 1.04].entries()) expect(two?.growths[i]).toBeCloseTo(g, 10);
  });

  it('none without a complete year, for a month outside 1-12, or with no people by then', () => {
    expect(ratioAtMonth(rows, [], 4)).toBeUndefined();
    expect(ratioAtMonth(rows, ['2024/25'], 13)).toBeUndefined();
    expect(ratioAtMonth(rows, ['2024/25'], 0)).toBeUndefined();
    expect(ratioAtMonth(rows, ['2022/23'], 4)).toBeUndefined();
  });
});
