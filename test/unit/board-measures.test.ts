import { describe, expect, it } from 'vitest';
import { BOARD_MEASURES, funnelPositionText } from '../../functions/reports/board-measures.ts';

describe('the board measures’ funnel positions', () => {
  it('places each measure on the funnel whose numerator it is (pcn_comparison definitions)', () => {
    // pcn_comparison: referral_rate = referrals per 1,000 patients; take_up_pct = engaged / engagement cohort;
    // wellbeing_improved_pct = improved / measured. A review found the take-up position printed beside "Connected".
    const funnels = Object.fromEntries(BOARD_MEASURES.filter((m) => m.funnel).map((m) => [m.funnel, m.column]));
    expect(funnels).toEqual({
      referral_rate: 'referrals_per_1000',
      take_up_pct: 'engaged_pct',
      wellbeing_improved_pct: 'wellbeing_improved_pct',
    });
  });

  it('says a suppressed rate is outside the limits only if its count is 1-7 (review 7, M13)', () => {
    const row = { take_up_pct: '*', take_up_pct_vs_national: 'low', take_up_pct_vs_region: null };
    expect(funnelPositionText(row, 'take_up_pct', 'vs_national')).toBe('below the 99.8% limit if its count is 1-7');
    expect(funnelPositionText(row, 'take_up_pct', 'vs_region')).toBeUndefined();
    const placed = { take_up_pct: 52.5, take_up_pct_vs_national: 'low' };
    expect(funnelPositionText(placed, 'take_up_pct', 'vs_national')).toBe('below the 99.8% limit');
  });
});
