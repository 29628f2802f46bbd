import { describe, expect, it } from 'vitest';
import type { MetricRow, ProgrammeTargets } from '../../../functions/contract/metrics.ts';
import { DEFAULT_TARGETS } from '../../../functions/refresh/catalogue.ts';
import { peoplePace, peoplePaceText } from '../../../functions/stats/people-pace.ts';
import { heldProjectionNote, monthlyTrend, trainedLinkWorkers } from './RolloutPage.tsx';

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
