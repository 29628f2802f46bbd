import { describe, expect, it } from 'vitest';
import { MIN_COUNT } from '../../functions/refresh/disclosure.ts';
import { pcnsReportingRange, pcnsReportingText, SMALLEST_COUNT_SHOWN } from '../../functions/reports/pcns-reporting.ts';

/*
 * Review 31, R31-4: rollout's PCNs with referrals below England is rounded to 5 and capped below its bound (the PCNs
 * in force; for a month, the PCNs that sent it), never shown as the bound itself. The demo's 2026/27 region rows: every
 * PCN referred, published Y62 10 of 12, Y58 10 of 14, Y56 15 of 17, Y60 20 of 22. The largest multiple of 5 below
 * 12 and 14 is 10, below 17 is 15, below 22 is 20: each may be capped, so each reads as a range from 2 below the figure
 * (its own rounding: 8 rounds to 10) to the bound: 8 to 12, 8 to 14, 13 to 17, 18 to 22.
 */
const region = (shown: unknown, pcns: number, more: Record<string, unknown> = {}) => ({
  level: 'region',
  code: 'Y62',
  period_type: 'fy',
  period: '2026/27',
  pcns_reporting: shown,
  pcns,
  ...more,
});
const plain = (v: unknown) => String(v);

describe('PCNs with referrals where the figure may be capped below the PCNs in force (R31-4)', () => {
  it('reads the demo region rows as ranges up to all their PCNs', () => {
    expect(pcnsReportingText(region(10, 12), plain)).toBe('8 to 12');
    expect(pcnsReportingText(region(10, 14), plain)).toBe('8 to 14');
    expect(pcnsReportingText(region(15, 17), plain)).toBe('13 to 17');
    expect(pcnsReportingText(region(20, 22), plain)).toBe('18 to 22');
  });

  it('the low end is never below 8: a count of 1 to 7 below England is `*` (review 32 nit)', () => {
    // A capped figure of 5 (bound 8 to 9: shown by a release before 4 December 2026 capped at min(rounded, bound), or
    // any figure of 5 beside such a bound): a published count is 0 or 8 and more, so 8 to the bound, not 3 to it.
    expect(pcnsReportingRange(region(5, 9))).toEqual({ low: 8, high: 9 });
    expect(pcnsReportingText(region(5, 8), plain)).toBe('8');
    expect(SMALLEST_COUNT_SHOWN).toBe(MIN_COUNT);
  });

  it('where the bound is a multiple of 5 nothing rounds above it: 10 of 15 is a rounded 8 to 12, 15 of 15 is 13 to 15', () => {
    // capAtBound (disclosure.ts) shows a figure rounded above its bound as the largest multiple of 5 within it: of
    // 15, 15 itself. A count of 15 or fewer rounds to 15 at most, so 10 of 15 is never capped (it reads as it is), and
    // 15 of 15 may be anything from 13 (rounded up) to all 15, not all of them.
    expect(pcnsReportingRange(region(10, 15))).toBeUndefined();
    expect(pcnsReportingText(region(10, 15), plain)).toBe('10');
    expect(pcnsReportingRange(region(15, 15))).toEqual({ low: 13, high: 15 });
  });

  it("a month's bound is the fewer of the PCNs in force and those that sent it", () => {
    // 12 in force, 11 sent: the figure is capped below 11, so 10 is 8 to 11.
    const month = region(10, 12, { period_type: 'month', period: '2026-11', pcns_sent: 11 });
    expect(pcnsReportingText(month, plain)).toBe('8 to 11');
    // The year has no pcns_sent: only the PCNs in force bound it.
    expect(pcnsReportingRange(region(10, 12, { pcns_sent: 11 }))).toEqual({ low: 8, high: 12 });
  });

  it('England, `*`, and figures well below their bound read as they are', () => {
    expect(pcnsReportingText({ ...region(110, 110), level: 'national' }, plain)).toBe('110');
    expect(pcnsReportingText(region('*', 4), plain)).toBe('*');
    expect(pcnsReportingText(region(5, 14), plain)).toBe('5');
    expect(pcnsReportingRange(undefined)).toBeUndefined();
  });
});
