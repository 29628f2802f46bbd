import { describe, expect, it } from 'vitest';
import { BOARD_MEASURES } from '../../functions/reports/board-measures.ts';

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
});
