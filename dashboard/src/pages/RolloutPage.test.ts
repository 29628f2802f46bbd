import { describe, expect, it } from 'vitest';
import type { ProgrammeTargets } from '../../../functions/contract/metrics.ts';
import { DEFAULT_TARGETS } from '../../../functions/refresh/catalogue.ts';
import { trainedLinkWorkers } from './RolloutPage.tsx';

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
