import { describe, expect, it } from 'vitest';
import { cohortCutoff, cohortsOf } from '../../functions/refresh/catalogue.ts';
import { meanInterval, t975 } from '../../functions/refresh/confidence.ts';

describe('cohort cut-offs', () => {
  it('are whole calendar months before the data-as-of date, clamped to the end of a shorter month', () => {
    expect(cohortCutoff('2025-12-31', 3)).toBe('2025-09-30');
    expect(cohortCutoff('2025-05-31', 3)).toBe('2025-02-28');
    expect(cohortCutoff('2024-08-31', 6)).toBe('2024-02-29');
    expect(cohortCutoff('2026-01-15', 6)).toBe('2025-07-15');
    // From a month's end (every data-as-of date: the end of the last complete month), that month's end.
    expect(cohortCutoff('2026-11-30', 3)).toBe('2026-08-31');
    expect(cohortCutoff('2025-04-30', 6)).toBe('2024-10-31');
    expect(cohortCutoff('2025-02-28', 1)).toBe('2025-01-31');
    expect(cohortCutoff(null, 3)).toBe('1900-01-01');
  });

  it('are published with the months they wait', () => {
    expect(cohortsOf('2026-03-31')).toEqual({
      engagement: { months: 3, referred_on_or_before: '2025-12-31' },
      outcomes: { months: 6, referred_on_or_before: '2025-09-30' },
    });
  });
});

describe('95% intervals of a mean', () => {
  it('use Student t: the table to 30 degrees of freedom, then the expansion', () => {
    expect(t975(1)).toBe(12.706);
    expect(t975(30)).toBe(2.042);
    // published t(0.975, 60) = 2.000, t(0.975, 120) = 1.980
    expect(t975(60)).toBeCloseTo(2.0, 3);
    expect(t975(120)).toBeCloseTo(1.98, 3);
  });

  it('mean 2, sd 0.8165, 4 values: 2 +- 3.182 x 0.8165 / 2', () => {
    expect(meanInterval(2, Math.sqrt(2 / 3), 4)).toEqual({ low: 0.7, high: 3.3 });
    expect(meanInterval(2, null, 4)).toBeNull();
    expect(meanInterval(2, 1, 1)).toBeNull();
  });
});
