import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import { bandPinsCounts, suppressBandTotals, totalsWithPeople } from '../../functions/refresh/service-use-bands.ts';

const row = (
  level: string,
  baseline_band: string,
  people: number | '*',
  before_total: number | '*',
  after_total = 30,
) => ({ level, code: 'X', baseline_band, people, before_total, after_total }) as Row;

describe('band totals that would pin their people', () => {
  it('finds the rounded figures the band bounds pin, worked by hand', () => {
    // 7+: 8 referrals, 56 uses: 10 (8 to 12) and 55 (53 to 57); at least 7 each, so at most 8 people.
    expect(bandPinsCounts('7+', 8, 56)).toBe(true);
    // 7+: 8 referrals, 63 uses: 65 (63 to 67) allows 9 people: 8 or 9.
    expect(bandPinsCounts('7+', 8, 63)).toBe(false);
    // 4-6: 12 referrals, 70 uses: 10 (8 to 12) and 70 (68 to 72); at most 6 each, so 68 / 6: at least 12 people.
    expect(bandPinsCounts('4-6', 12, 70)).toBe(true);
    // 4-6: 13 referrals, 52 uses: 15 (13 to 17) and 50 (48 to 52); at least 4 each: 13 people, 52 uses.
    expect(bandPinsCounts('4-6', 13, 52)).toBe(true);
    // 2+: 8 referrals with 2 each: 10 and 15 (13 to 17): at most 8 people.
    expect(bandPinsCounts('2+', 8, 16)).toBe(true);
    // 2+: 13 referrals, 26 uses: 15 (13 to 17) and 25 (23 to 27): at most 13 people.
    expect(bandPinsCounts('2+', 13, 26)).toBe(true);
    // 0-3 never leaves one value (at most 3 each: 3v + 6 rounds down to 3v + 5, leaving v + 1 and v + 2).
    for (let people = 8; people < 60; people++)
      for (let total = 0; total <= 3 * people; total++) expect(bandPinsCounts('0-3', people, total)).toBe(false);
    // Band 1 (the total is the people, rounded alike), band 0 (always 0) and the row `all` (no bounds).
    expect(bandPinsCounts('1', 12, 12)).toBe(false);
    expect(bandPinsCounts('0', 12, 0)).toBe(false);
    expect(bandPinsCounts('all', 8, 56)).toBe(false);
  });

  it('marks totals before control below England only', () => {
    expect(suppressBandTotals(row('pcn', '7+', 8, 56))).toEqual(row('pcn', '7+', 8, '*'));
    expect(suppressBandTotals(row('pcn', '7+', 1, 9))).toEqual({ ...row('pcn', '7+', 1, '*'), after_total: '*' });
    expect(suppressBandTotals(row('pcn', '0', 3, 0))).toEqual({ ...row('pcn', '0', 3, 0), after_total: '*' });
    expect(suppressBandTotals(row('pcn', 'all', 5, 20))).toEqual({ ...row('pcn', 'all', 5, '*'), after_total: '*' });
    expect(suppressBandTotals(row('pcn', '7+', 12, 96))).toEqual(row('pcn', '7+', 12, 96));
    expect(suppressBandTotals(row('national', '7+', 1, 9))).toEqual(row('national', '7+', 1, 9));
  });

  it('takes the totals wherever people goes after control', () => {
    expect(totalsWithPeople(row('pcn', '1', '*', 15, 10))).toEqual({ before_total: '*', after_total: '*' });
    expect(totalsWithPeople(row('icb', '0', '*', 0, 10))).toEqual({ before_total: 0, after_total: '*' });
    expect(totalsWithPeople(row('pcn', '1', 15, 15, 10))).toEqual({ before_total: 15, after_total: 10 });
  });
});
