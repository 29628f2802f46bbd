import { describe, expect, it } from 'vitest';
import type { MetricRow, ProgrammeTargets } from '../../../functions/contract/metrics.ts';
import { DEFAULT_TARGETS } from '../../../functions/refresh/catalogue.ts';
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

  it('England: the target pace (900,000 people a year: 75,000 a month) is drawn beside people referred', () => {
    expect(monthlyTrend(months, true, 900_000)).toEqual([
      { Month: 'Oct 2025', Referrals: 3, 'People referred': 3, 'Target pace (people)': 75_000 },
      { Month: 'Nov 2025', Referrals: 12, 'People referred': 10, 'Target pace (people)': 75_000 },
    ]);
  });

  it('below England: referrals only, with no national target', () => {
    expect(monthlyTrend(months, false, 900_000)).toEqual([
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
