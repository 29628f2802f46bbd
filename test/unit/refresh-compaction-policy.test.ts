import { describe, expect, it } from 'vitest';
import { DEFAULT_COMPACTION_POLICY } from '../../functions/refresh/compact.ts';
import { compactionPolicy } from '../../functions/refresh/handler.ts';

describe("the refresh function's compaction policy (COMPACTION_BUDGET_MS)", () => {
  it('compacts for at most five minutes by default, for the given time when set, and not at all at 0', () => {
    const policy = { ...DEFAULT_COMPACTION_POLICY, maxRowsPerObject: 250_000 };
    expect(compactionPolicy(undefined)).toEqual({ ...policy, budgetMs: 300_000 });
    expect(compactionPolicy('60000')).toEqual({ ...policy, budgetMs: 60_000 });
    expect(compactionPolicy('0')).toBeUndefined();
  });

  it.each(['-1', '1.5', 'five minutes', ' '])('refuses %j, naming the variable', (value) => {
    expect(() => compactionPolicy(value)).toThrow('COMPACTION_BUDGET_MS must be a whole number of milliseconds');
  });
});
