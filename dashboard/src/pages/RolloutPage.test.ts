import { describe, expect, it } from 'vitest';
import type { MetricRow, ProgrammeTargets } from '../../../functions/contract/metrics.ts';
import { DEFAULT_TARGETS } from '../../../functions/refresh/catalogue.ts';
import { peoplePace, peoplePaceText } from '../../../functions/stats/people-pace.ts';
import { heldProjectionNote, iifComparison, monthlyTrend, trainedLinkWorkers } from './RolloutPage.tsx';

describe('the trained link workers target on the Rollout page', () => {
  const { trained_link_workers: _, ...before } = DEFAULT_TARGETS;
  it('reads trained_link_workers, and from a meta.json written before the rename, link_workers_fte', () => {
    expect(trainedLinkWorkers({ ...DEFAULT_TARGETS, trained_link_workers: 1000 })).toBe(1000);
    const old = { ...before, link_workers_fte: 900 } as unknown as ProgrammeTargets;
    expect(trainedLinkWorkers(old)).toBe(900);
    // Both written (a hand-edited file): the new key wins.
    const both = { ...DEFAULT_TARGETS, trained_link_workers: 1000, link_workers_fte: 900 } as ProgrammeTargets;
    expect(trainedLinkWorkers(both)).toBe(1000);
    // Neither: no figure (the page shows "-").
    expect(trainedLinkWorkers(before as unknown as ProgrammeTargets)).toBeUndefined();
  });
});

describe('the monthly referrals chart on the Rollout page', () => {
  const months = [
    { period: '2025-10', referrals: 3, people_referred: 3 },
    { period: '2025-11', referrals: 12, people_referred: 10 },
  ] as unknown as MetricRow[];

  it('England: the target pace like for like with a month’s people is drawn beside people referred (R19-8)', () => {
    // 2024/25's 12 months' people add up to 945,000 and its distinct people are 900,000 (ratio 1.05): 900,000 people
    // a year is 75,000 x 1.05 = 78,750 a month's people, not a twelfth (75,000).
    const england = (period_type: string, period: string, people_referred: number) =>
      ({ level: 'national', code: 'ENG', period_type, period, people_referred }) as MetricRow;
    const rows = [
      ...Array.from({ length: 12 }, (_, i) =>
        england('month', `${i < 9 ? 2024 : 2025}-${String(((i + 3) % 12) + 1).padStart(2, '0')}`, 78_750),
      ),
      england('fy', '2024/25', 900_000),
    ];
    const pace = peoplePace(rows, 900_000, '2025/26');
    expect(monthlyTrend(months, true, pace)).toEqual([
      { Month: 'Oct 2025', Referrals: 3, 'People referred': 3, 'Target pace (people)': 78_750 },
      { Month: 'Nov 2025', Referrals: 12, 'People referred': 10, 'Target pace (people)': 78_750 },
    ]);
    expect(peoplePaceText(pace)).toBe(
      'The target pace is the people a month that give the annual target of people referred in the year: a twelfth of it, times how far a year’s monthly people add up to more than its people (someone referred in two months is in both): 1.050 in 2024/25.',
    );
    // Without a year of people and months, no pace is drawn.
    expect(monthlyTrend(months, true, null)[0]?.['Target pace (people)']).toBeNull();
  });

  it('below England: referrals only, with no national target', () => {
    expect(monthlyTrend(months, false, null)).toEqual([
      { Month: 'Oct 2025', Referrals: 3 },
      { Month: 'Nov 2025', Referrals: 12 },
    ]);
  });
});

describe('the projection of a held year on the Rollout page', () => {
  it('names the release its people and projection come from (review 4, F1)', () => {
    expect(heldProjectionNote({ held: { release: '2025-09-15T09:00:00Z', data_as_of: '2025-08-31' } })).toBe(
      "England's figures for this year are held at the release with data to 31 August 2025 while a revision is checked, so these people and this projection are that release's.",
    );
  });

  it('says nothing when the year is not held', () => {
    expect(heldProjectionNote({})).toBeUndefined();
  });
});

describe('an area’s % of the list referred against the IIF PC-01 thresholds (R26-7)', () => {
  const targets = { iif_lower_pct: 1.2, iif_upper_pct: 1.6 };
  it('a part year: the figure so far against the thresholds pro rata to its months, and why that reads favourably', () => {
    // 4 months: 1.2% x 4 / 12 = 0.40%, 1.6% x 4 / 12 = 0.533% -> 0.53%. No "a year" figure extrapolated from distinct
    // people of 4 months (R26-7: 400 people of 10,000 in April-July read 12.0% a year for a year that ends at 11.2%).
    const year = { period_type: 'fy', period: '2025/26', months: 4, pct_list_referred: 0.4 } as unknown as MetricRow;
    expect(iifComparison(year, targets)).toBe(
      "0.40% of the registered list referred in the 4 months so far, against the IIF PC-01 thresholds pro rata: 0.40% and 0.53% for 4 months (1.2% and 1.6% a year). People referred again later in the year count once, so a part year's % grows a little more slowly than its months: early in a year this reads slightly in the area's favour.",
    );
  });
  it('a whole year: against the thresholds themselves', () => {
    const year = { period_type: 'fy', period: '2024/25', months: 12, pct_list_referred: 1.12 } as unknown as MetricRow;
    expect(iifComparison(year, targets)).toBe(
      '1.12% of the registered list referred in the year (IIF PC-01 thresholds 1.2% and 1.6% a year).',
    );
  });
});
