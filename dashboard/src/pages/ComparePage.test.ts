import { describe, expect, it } from 'vitest';
import { FUNNEL_MEASURES } from '../../../functions/contract/summaries.ts';
import { comparatorMissing, comparatorRegion, notDrawnText, rateScale } from './ComparePage.tsx';

describe('why a funnel on the Compare page has no comparator', () => {
  it("England's year held: no England comparator, and the reader is pointed to the region (review 4, F2)", () => {
    expect(comparatorMissing(false, false, true)).toBe(
      "England's figure for this year is held at an earlier release while a revision is checked, so this release has no England comparator (it would compare this release's PCNs with an earlier England): compare PCNs with their region instead.",
    );
  });

  it("against the region, England's hold does not matter; a region of fewer than 3 placed PCNs does", () => {
    expect(comparatorMissing(true, false, true)).toBeUndefined();
    expect(comparatorMissing(true, true, true)).toBe(
      'Fewer than 3 PCNs in this region are placed for this measure, so there is no regional comparator: compare them with England instead.',
    );
  });

  it('nothing held and a comparator to draw: the usual message', () => {
    expect(comparatorMissing(false, false, false)).toBeUndefined();
  });
});

describe('what the funnel plot leaves out (review 6, K1)', () => {
  it('counts PCNs not drawn, and says none of them is placed (review 31, R31-1)', () => {
    expect(notDrawnText(0)).toBe('');
    expect(notDrawnText(1)).toBe(
      '1 PCN with a suppressed figure is not drawn or placed: a suppressed figure may be a count of 1-7 or a larger count hidden to protect another, so no position of it would hold.',
    );
    expect(notDrawnText(4)).toBe(
      '4 PCNs with a suppressed figure are not drawn or placed: a suppressed figure may be a count of 1-7 or a larger count hidden to protect another, so no position of it would hold.',
    );
  });
});

describe('the referral rate of a part year on the Compare page (R19-9)', () => {
  const [referral, takeUp] = FUNNEL_MEASURES;
  it('is annualised as the Board report does: x 12 / months, with its months in the unit', () => {
    // England 2026/27, 8 months: 0.0131256 per patient over the 8 months; x 1,000 x 12 / 8 = 19.69 a year, the
    // Board report's referrals_per_1000_annualised (19.7), not 13.1.
    const scale = rateScale(referral as (typeof FUNNEL_MEASURES)[number], '2026/27', 8);
    expect(scale).toEqual({
      per: 1500,
      unit: 'referrals per 1,000 patients a year (annualised from the 8 months of 2026/27 so far)',
    });
    expect(Math.round(0.0131256 * scale.per * 10) / 10).toBe(19.7);
  });

  it('a whole year, and a measure that is not a rate per patient, keep their scale', () => {
    expect(rateScale(referral as (typeof FUNNEL_MEASURES)[number], '2025/26', 12)).toEqual({
      per: 1000,
      unit: 'referrals per 1,000 patients',
    });
    const m = takeUp as (typeof FUNNEL_MEASURES)[number];
    expect(rateScale(m, '2026/27', 8)).toEqual({ per: 100, unit: m.unit });
  });
});

describe("the region compared with is the area's region of the year shown (review 23, R23-2)", () => {
  // QEE and its PCN U00009 were in region Y02 until 2026-03-31 and are in Y01 from 2026-04-01 (latest: Y01).
  const meta = {
    icbs: [{ code: 'QEE', name: 'E', parent: 'Y01' }],
    pcns: [{ code: 'U00009', name: 'Nine', parent: 'QEE', list_size: 1 }],
    pcn_versions: [
      { code: 'U00009', icb: 'QEE', region: 'Y02', valid_from: '2019-04-01', valid_to: '2026-03-31' },
      { code: 'U00009', icb: 'QEE', region: 'Y01', valid_from: '2026-04-01', valid_to: null },
    ],
  };
  it("an ICB's and a PCN's (with no row of the year) 2025/26 region is Y02, their 2026/27 region Y01", () => {
    const icb = { level: 'icb', code: 'QEE' };
    const pcn = { level: 'pcn', code: 'U00009' };
    // Before: the latest region, Y01, for both years (the summary answered for 2025/26 holds Y02's comparator).
    expect([comparatorRegion(icb, '2025/26', meta), comparatorRegion(icb, '2026/27', meta)]).toEqual(['Y02', 'Y01']);
    expect([comparatorRegion(pcn, '2025/26', meta), comparatorRegion(pcn, '2026/27', meta)]).toEqual(['Y02', 'Y01']);
  });
  it("a PCN's own row of the year names it; a region its own; England none; without versions the latest", () => {
    expect(comparatorRegion({ level: 'pcn', code: 'U00009' }, '2026/27', meta, { region_code: 'Y02' })).toBe('Y02');
    expect(comparatorRegion({ level: 'region', code: 'Y03' }, '2025/26', meta)).toBe('Y03');
    expect(comparatorRegion({ level: 'national', code: 'ENG' }, '2025/26', meta)).toBeNull();
    const { pcn_versions: _, ...older } = meta;
    expect(comparatorRegion({ level: 'icb', code: 'QEE' }, '2025/26', older)).toBe('Y01');
  });
});
