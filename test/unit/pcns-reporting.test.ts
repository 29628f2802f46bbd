import { describe, expect, it } from 'vitest';
import { pcnsReportingRange, pcnsReportingText } from '../../functions/reports/pcns-reporting.ts';

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
    // 15 in force: 15 is never shown, so 10 may be capped too.
    expect(pcnsReportingRange(region(10, 15))).toEqual({ low: 8, high: 15 });
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
