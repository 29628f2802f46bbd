import { describe, expect, it } from 'vitest';
import { yearCompleteness } from './year-completeness.ts';

describe('yearCompleteness', () => {
  it('says how much of a part year the figures cover, counting the month of the data-as-of date', () => {
    expect(yearCompleteness('2025/26', '2025-12-31')).toBe(
      '2025/26 is part way through: 9 of 12 months, data to 31 December 2025.',
    );
    expect(yearCompleteness('2026/27', '2026-04-03')).toBe(
      '2026/27 is part way through: 1 of 12 months, data to 3 April 2026.',
    );
  });

  it('says nothing of a year that has ended', () => {
    expect(yearCompleteness('2024/25', '2025-03-31')).toBeNull();
    expect(yearCompleteness('2024/25', '2025-12-31')).toBeNull();
    expect(yearCompleteness('2025/26', null)).toBeNull();
  });
});
