import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../../functions/contract/metrics.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { applyDisclosureControl } from '../../functions/refresh/disclosure.ts';
import {
  curveEnds,
  exposureOf,
  MIN_PCNS_FOR_REGION,
  outsideShares,
  placeOnFunnels,
  regionFiguresOf,
  TOO_FEW_IN_REGION,
} from '../../functions/refresh/funnel-documents.ts';
import { PublishedRows, packContent } from '../../functions/reports/pack-content.ts';
import { documents, meta } from '../support/pack-documents.ts';

const row = (code: string, region: string, list: number, months: number, referrals: number, tookUp: number): Row => ({
  level: 'pcn',
  code,
  period_type: 'fy',
  period: '2025/26',
  region_code: region,
  icb_code: 'QAA',
  list_size: list,
  months_open: months,
  referrals,
  engagement_cohort: referrals,
  engaged: tookUp,
  connected: 0,
  wellbeing_measured: 0,
  wellbeing_improved: 0,
});
// U3 was open 6 of the 12 months; U4's 5 referrals are suppressed below England.
const RAW = [
  row('U00001', 'Y56', 10_000, 12, 101, 50),
  row('U00002', 'Y56', 20_000, 12, 199, 100),
  row('U00003', 'Y56', 10_000, 6, 52, 26),
  row('U00004', 'Y58', 10_000, 12, 5, 3),
];
const RULES = {
  counts: ['referrals', 'engagement_cohort', 'engaged', 'connected', 'wellbeing_measured', 'wellbeing_improved'],
};

function place() {
  const published = applyDisclosureControl(RAW, RULES);
  const summary = placeOnFunnels(published, RAW) as unknown as {
    funnel_rates: Record<string, Record<string, Record<string, unknown>>>;
  };
  const byCode = new Map(published.map((r) => [String(r.code), r]));
  return { byCode, referral: summary.funnel_rates['2025/26']?.referral_rate as Record<string, unknown> };
}

describe('placeOnFunnels', () => {
  it('exposure is the list pro rata to the months open', () => {
    expect(exposureOf(RAW[2] as Row, 12)).toBe(5_000);
    expect(exposureOf(RAW[0] as Row, 12)).toBe(10_000);
    expect(exposureOf({ list_size: null }, 12)).toBeNull();
    expect(exposureOf({ list_size: 10_000 }, 0)).toBe(10_000);
  });

  /*
   * By hand. England (exact, from the unrounded counts): 357 referrals / exposure 45,000 = 0.00793333.
   * Published PCN figures: U1 100/10,000, U2 200/20,000, U3 50/5,000 (pro rata), U4 * (not placed).
   * z = (asin√0.01 − asin√0.00793333)·2√n: U1 2.195994, U2 3.105604, U3 1.552802. U2 is beyond 3.090232: outside the
   * plain 99.8% limits. Winsorised (type 7, k = 3: 1.681440 and 2.923682) φ = 5.399182; w = 40,000, 80,000, 20,000,
   * Σw − Σw²/Σw = 140,000 − 60,000 = 80,000; τ² = (3·5.399182 − 2) / 80,000 = 0.000177469: adjusted, U2 is within.
   * Region Y56 from the rounded figures: 350 / 35,000 = 0.01 exactly (the unrounded 352 cannot be recovered); every
   * PCN sits on it, so φ = τ² = 0. Region Y58 has no placed PCN, so no comparator.
   */
  it('England comparator exact; regional comparator, φ and τ² from rounded figures only', () => {
    const { referral } = place();
    expect(referral.national).toBe(0.00793333);
    expect(referral.regions).toEqual({ Y56: 0.01 });
    const od = referral.overdispersion as {
      national: Record<string, number>;
      regions: Record<string, Record<string, number>>;
    };
    expect(od.national.phi).toBeCloseTo(5.39918, 4);
    expect(od.national.tau2).toBeCloseTo(0.000177469, 8);
    expect(od.national.pcns).toBe(3);
    expect(od.regions).toEqual({ Y56: { rate: 0.01, phi: 0, tau2: 0, pcns: 3 } });
    // The region's rate × its published exposure gives the rounded count, never the unrounded 352.
    expect(((referral.regions as Record<string, number>).Y56 ?? 0) * 35_000).toBeCloseTo(350, 9);
  });

  it('positions against the adjusted and the plain limits, pro rata rates, suppressed PCNs not drawn', () => {
    const { byCode } = place();
    const u2 = byCode.get('U00002') as Row;
    expect(u2.referral_rate).toBe(10);
    expect(u2.referral_rate_vs_national).toBe('within');
    expect(u2.referral_rate_vs_national_unadjusted).toBe('high');
    expect(u2.referral_rate_vs_region).toBe('within');
    expect(byCode.get('U00003')?.referral_rate).toBe(10);
    expect(byCode.get('U00003')?.exposure).toBe(5_000);
    const u4 = byCode.get('U00004') as Row;
    expect(u4.referral_rate).toBe('*');
    // Its region Y58 has no placed PCN: no comparator, no position.
    expect(u4.referral_rate_vs_region).toBeNull();
    expect(u4.referral_rate_vs_region_unadjusted).toBeNull();
  });

  /*
   * Review 6, K1: U4's 5 referrals are `*` (1-7). By hand, against England's 0.00793333 at n = 10,000 (arcsine scale,
   * asin√p0 = 0.0891875): plain lower limit sin²(0.0891875 − 3.090232 / (2·100)) = 0.0054272; adjusted (τ² =
   * 0.000177469, se = √(1 / 40,000 + τ²) = 0.0142292) sin²(0.0891875 − 3.090232 × 0.0142292) = 0.0020431. Even 7 of
   * 10,000 (0.0007) is below both: U4 is low whatever its count of 1-7, and saying so tells nothing of the count.
   */
  it('a `*` has no position, even where any count of 1-7 would be below the lower limit (review 31, R31-1)', () => {
    const u4 = place().byCode.get('U00004') as Row;
    expect(u4.referral_rate).toBe('*');
    expect(u4.referral_rate_vs_national).toBeNull();
    expect(u4.referral_rate_vs_national_unadjusted).toBeNull();
  });

  it('a `*` where 7 would be inside the limits is not placed', () => {
    // 5 referrals of 1,000: England 357 / 36,000 = 0.0099167, plain lower limit at 1,000 sin²(0.0997485 − 0.0488610)
    // = 0.0025872, and 7 / 1,000 = 0.007 is above it (1 / 1,000 below the upper): not placed.
    const small = [...RAW.slice(0, 3), row('U00004', 'Y58', 1_000, 12, 5, 3)];
    const published = applyDisclosureControl(small, RULES);
    placeOnFunnels(published, small);
    expect(published.find((r) => r.code === 'U00004')?.referral_rate_vs_national).toBeNull();
  });

  /*
   * Review 7, M13: a `*` is placed from published figures only, so every `*` over 10,000 had the same position, low.
   * Review 31, R31-1: U4's `*` hiding 40 (secondary suppression) is 0.004, above the adjusted lower limit 0.0020431
   * worked above: within, yet it was published low (and alerted). No `*` is placed now, whatever it hides, so the
   * position still tells a reader nothing of which `*` are secondary.
   */
  it('no `*` over the same published denominator is placed, whatever it hides', () => {
    const positions = [5, 0, 40].map((hidden) => {
      const raw = [...RAW.slice(0, 3), row('U00004', 'Y58', 10_000, 12, hidden, 3)];
      const published = applyDisclosureControl(raw, RULES).map((r) =>
        r.code === 'U00004' ? { ...r, referrals: '*' as const } : r,
      );
      placeOnFunnels(published, raw);
      const u4 = published.find((r) => r.code === 'U00004') as Row;
      return [u4.referral_rate, u4.referral_rate_vs_national, u4.referral_rate_vs_national_unadjusted];
    });
    expect(positions).toEqual([
      ['*', null, null],
      ['*', null, null],
      ['*', null, null],
    ]);
  });

  /*
   * Review 31, R31-1: a region's comparator left out its suppressed PCNs. Region Y56 with U5's engaged 5 of 60 (`*`):
   * placed PCNs only (published U1 50/100, U2 100/200, U3 25/50) 175 / 350 = 0.5; the region's published figure
   * (cof_person's region row: engaged 50+100+26+5 = 181 -> 180, cohort 101+199+52+60 = 412 -> 410) 180 / 410 =
   * 0.439024 (6 significant digits), which holds U5 too. φ and τ² stay from the placed PCNs (3 of them).
   */
  it("a region's comparator is its published figure where there is one, its suppressed PCNs in it", () => {
    const raw = [...RAW.slice(0, 3), row('U00005', 'Y56', 10_000, 12, 60, 5)];
    const regionRow = {
      level: 'region',
      code: 'Y56',
      period_type: 'fy',
      period: '2025/26',
      engagement_cohort: 410,
      engaged: 180,
    };
    const takeUp = (documentOf?: (name: string) => { rows: Record<string, unknown>[] } | undefined) => {
      const published = applyDisclosureControl(raw, RULES);
      expect(published.find((r) => r.code === 'U00005')?.engaged).toBe('*');
      const figures = documentOf
        ? regionFiguresOf(
            [
              { document: 'rollout', columns: { referrals: 'referrals' } },
              { document: 'cof_person', columns: { engagement_cohort: 'engagement_cohort', engaged: 'engaged' } },
            ],
            documentOf,
          )
        : undefined;
      const summary = placeOnFunnels(published, raw, figures) as unknown as {
        funnel_rates: Record<string, Record<string, { regions: Record<string, number>; overdispersion: unknown }>>;
      };
      return summary.funnel_rates['2025/26']?.take_up_pct;
    };
    expect(takeUp()?.regions).toEqual({ Y56: 0.5 });
    const withRegion = takeUp((name) => (name === 'cof_person' ? { rows: [regionRow] } : { rows: [] }));
    expect(withRegion?.regions).toEqual({ Y56: 0.439024 });
    expect(
      (withRegion?.overdispersion as { regions: Record<string, { pcns: number }> } | undefined)?.regions.Y56?.pcns,
    ).toBe(3);
    // The referral rate's exposure is no published region figure: its comparator stays the placed PCNs' (U1 100, U2
    // 200, U3 50, U5 60 = 410 over 10,000 + 20,000 + 5,000 + 10,000 = 45,000: 0.00911111).
    const referral = placeOnFunnels(
      applyDisclosureControl(raw, RULES),
      raw,
      regionFiguresOf([{ document: 'rollout', columns: { referrals: 'referrals' } }], () => ({ rows: [regionRow] })),
    ) as unknown as { funnel_rates: Record<string, Record<string, { regions: Record<string, number> }>> };
    expect(referral.funnel_rates['2025/26']?.referral_rate?.regions).toEqual({ Y56: 0.00911111 });
  });

  it('publishes adjusted and plain limit curves; the adjusted are wider', () => {
    const { referral } = place();
    type Curve = { n: number; lower998: number; upper998: number }[];
    const curves = referral.curves as { national: Curve };
    const plain = referral.curves_unadjusted as { national: Curve };
    // The PCNs' exposures run from 5,000 to 20,000, both numbers of the 1-2-5 series: the grid's ends.
    expect(curves.national[0]?.n).toBe(5_000);
    expect(curves.national.at(-1)?.n).toBe(20_000);
    expect(curves.national.at(-1)?.upper998).toBeCloseTo(0.0172657, 6);
    expect(plain.national.at(-1)?.upper998).toBeCloseTo(0.00998919, 7);
  });
});

describe('outsideShares (the calibration figures of the closing note)', () => {
  it('counts placed PCNs outside the limits per period, measure and comparison; unplaced ones are not counted', () => {
    const at = (period: string, referral: unknown, plain: unknown, rate: unknown = 10) => ({
      period,
      referral_rate: rate,
      referral_rate_vs_national: referral,
      referral_rate_vs_national_unadjusted: plain,
    });
    const rows = [
      at('2024/25', 'high', 'high'),
      at('2024/25', 'within', 'low'),
      at('2024/25', 'within', 'within'),
      at('2024/25', null, null, '*'), // suppressed: not placed
      at('2024/25', 'low', 'low', '*'), // 1-7, low whatever its count: not drawn, so no draw of the calibration
      at('2025/26', 'low', 'low'),
    ];
    const shares = outsideShares(rows);
    const pick = (period: string, against: string) =>
      shares.find((s) => s.period === period && s.measure === 'referral_rate' && s.against === against);
    // 1 of 3 placed outside: 33.3%; the plain limits flag 2 of 3: 66.7%.
    expect(pick('2024/25', 'vs_national')).toEqual({
      period: '2024/25',
      measure: 'referral_rate',
      against: 'vs_national',
      placed: 3,
      high: 1,
      low: 0,
      outside_pct: 33.3,
    });
    expect(pick('2024/25', 'vs_national_unadjusted')?.outside_pct).toBe(66.7);
    expect(pick('2025/26', 'vs_national')?.outside_pct).toBe(100);
    // No column for the region, or for the other measures: nothing placed.
    expect(pick('2024/25', 'vs_region')).toMatchObject({ placed: 0, outside_pct: null });
    expect(shares).toHaveLength(2 * 3 * 4);
  });
});

/*
 * Review 2, F7: the summary is served to every role, so a curve that started at the smallest placed PCN's
 * denominator and ended at the largest one's gave a PCN user two other PCNs' figures. By hand: exposures 3,700,
 * 12,300 and 8,100 (list sizes, open all year): the grid runs from 2,000 (the 1-2-5 number at or below 3,700) to
 * 20,000 (at or above 12,300); referral cohorts 40, 120 and 85 (multiples of 5, published as they are): 20 to 200.
 * Between the ends, 40 log-spaced points: near 40 they are 38 and 41, near 85 82 and 88, near 120 118 and 125;
 * near 3,700 3,609 and 3,829, near 8,100 7,776 and 8,249, near 12,300 11,756 and 12,471: no PCN's own figure.
 */
describe('the limit curves’ grid: round ends, no PCN’s own denominator', () => {
  const example = (lists: readonly number[], cohorts: readonly number[]) =>
    [
      row('U00001', 'Y56', lists[0] as number, 12, cohorts[0] as number, 20),
      row('U00002', 'Y56', lists[1] as number, 12, cohorts[1] as number, 60),
      // All three in one region: a region's own curves are published only with at least 3 placed PCNs.
      row('U00003', 'Y56', lists[2] as number, 12, cohorts[2] as number, 40),
    ] as Row[];
  type Curve = { n: number }[];
  type Curves = { national: Curve; regions: Record<string, Curve> };
  type MeasureCurves = { curves: Curves; curves_unadjusted: Curves };
  function curvesOf(raw: Row[]) {
    const published = applyDisclosureControl(raw, RULES);
    const summary = placeOnFunnels(published, raw) as unknown as {
      funnel_rates: Record<string, Record<string, MeasureCurves>>;
    };
    const rates = summary.funnel_rates['2025/26'] as Record<string, MeasureCurves>;
    const denominators = published.flatMap((r) => [r.exposure, r.engagement_cohort]);
    return { rates, published, denominators };
  }
  /** Every grid of a measure: England's and each region's, adjusted and plain, as their denominators. */
  const grids = (c: MeasureCurves | undefined) =>
    [c?.curves, c?.curves_unadjusted]
      .flatMap((k) => (k ? [k.national, ...Object.values(k.regions)] : []))
      .map((g) => g.map((p) => p.n));

  it('runs from the 1-2-5 number at or below the smallest to the one at or above the largest', () => {
    const { rates, published } = curvesOf(example([3_700, 12_300, 8_100], [40, 120, 85]));
    // Every PCN is placed (nothing suppressed), so each one's figure was a candidate end.
    expect(published.map((r) => [r.code, r.exposure, r.referral_rate_vs_national !== null])).toEqual([
      ['U00001', 3_700, true],
      ['U00002', 12_300, true],
      ['U00003', 8_100, true],
    ]);
    const ends = (measure: string) => {
      const all = grids(rates[measure]);
      expect(all).toHaveLength(4); // England and the region, adjusted and plain
      return all.map((g) => [g[0], g.at(-1)]);
    };
    expect(ends('referral_rate')).toEqual(Array(4).fill([2_000, 20_000]));
    expect(ends('take_up_pct')).toEqual(Array(4).fill([20, 200]));
  });

  it('no curve point is a PCN’s own denominator', () => {
    const { rates, denominators } = curvesOf(example([3_700, 12_300, 8_100], [40, 120, 85]));
    expect(denominators.sort((a, b) => Number(a) - Number(b))).toEqual([40, 85, 120, 3_700, 8_100, 12_300]);
    for (const measure of ['referral_rate', 'take_up_pct']) {
      const points = grids(rates[measure]).flat();
      expect(points.filter((n) => denominators.includes(n))).toEqual([]);
    }
  });

  it('the grid is the same when the extreme PCNs’ figures move within their 1-2-5 steps', () => {
    const before = curvesOf(example([3_700, 12_300, 8_100], [40, 120, 85])).rates;
    const after = curvesOf(example([2_100, 19_000, 8_100], [25, 195, 85])).rates;
    for (const measure of ['referral_rate', 'take_up_pct'])
      expect(grids(after[measure])).toEqual(grids(before[measure]));
  });

  it('ends on the 1-2-5 series, the next step up when every PCN has the same figure', () => {
    expect(curveEnds([5_000, 20_000])).toEqual({ low: 5_000, high: 20_000 });
    expect(curveEnds([240, 242])).toEqual({ low: 200, high: 500 });
    expect(curveEnds([999, 1_000])).toEqual({ low: 500, high: 1_000 });
    expect(curveEnds([1_000, 1_001])).toEqual({ low: 1_000, high: 2_000 });
    expect(curveEnds([100, 100])).toEqual({ low: 100, high: 200 });
    expect(curveEnds([1])).toEqual({ low: 1, high: 2 });
    expect(curveEnds([7, 49_999])).toEqual({ low: 5, high: 50_000 });
  });
});

describe('a region’s own comparator only where at least 3 of its PCNs are placed', () => {
  // Published (already rounded) figures, full-year PCNs: exposure = list size.
  const pcn = (code: string, region: string, list: number, referrals: number): Row => ({
    ...row(code, region, list, 12, referrals, Math.round(referrals / 2)),
  });
  const rows = () => [
    pcn('U00011', 'R1', 10_000, 120),
    pcn('U00021', 'R2', 10_000, 80),
    pcn('U00022', 'R2', 10_000, 130),
    pcn('U00031', 'R3', 10_000, 100),
    pcn('U00032', 'R3', 10_000, 150),
    pcn('U00033', 'R3', 20_000, 200),
  ];
  function placeAll() {
    const published = rows();
    const summary = placeOnFunnels(published, rows()).funnel_rates['2025/26']?.referral_rate;
    return { summary, byCode: new Map(published.map((r) => [String(r.code), r])) };
  }

  it('a region of 1 or 2 placed PCNs gets no rate, φ, τ², curves or positions; its rows say why', () => {
    const { summary, byCode } = placeAll();
    // With R1's comparator, anyone reading the summary reads U00011's rate (0.012); with R2's (210/20,000), U00021's
    // user works out U00022's 130. Neither is published, in any part of the summary.
    expect(Object.keys(summary?.regions ?? {})).toEqual(['R3']);
    expect(Object.keys(summary?.overdispersion.regions ?? {})).toEqual(['R3']);
    expect(Object.keys(summary?.curves?.regions ?? {})).toEqual(['R3']);
    expect(Object.keys(summary?.curves_unadjusted?.regions ?? {})).toEqual(['R3']);
    for (const code of ['U00011', 'U00021', 'U00022']) {
      const r = byCode.get(code) as Row;
      expect(r.referral_rate_vs_region, code).toBe(TOO_FEW_IN_REGION);
      expect(r.referral_rate_vs_region_unadjusted, code).toBe(TOO_FEW_IN_REGION);
      // Still placed against England (its exact rate, 780 / 70,000 = 0.0111429).
      expect(['high', 'low', 'within'], code).toContain(r.referral_rate_vs_national);
    }
    expect(summary?.national).toBe(0.0111429);
    expect(MIN_PCNS_FOR_REGION).toBe(3);
  });

  /*
   * By hand, R3: p0 = 450 / 40,000 = 0.01125. z = (asin√p − asin√p0)·2√n: U31 (0.01, 10,000) −1.219697,
   * U32 (0.015, 10,000) 3.303371, U33 (0.01, 20,000) −1.724912. Type-7 10th/90th percentiles of the sorted three:
   * −1.724912 + 0.2 × 0.505215 = −1.623869 and −1.219697 + 0.8 × 4.523068 = 2.398757; winsorised z² 1.487660,
   * 5.754036, 2.636950: φ = 3.292882. w = 40,000, 40,000, 80,000: Σw − Σw²/Σw = 160,000 − 60,000 = 100,000;
   * τ² = (3 × 3.292882 − 2) / 100,000 = 7.87865e-5. U32 at n = 10,000: plain 99.8% limits
   * sin²(asin√0.01125 ± 3.090232/200) = 0.00822467 to 0.0147420, so 0.015 is high; adjusted, √(1/40,000 + τ²) widens
   * them to 0.00558222 to 0.0188548, so it is within.
   */
  it('a region of 3 gets its comparator, worked by hand', () => {
    const { summary, byCode } = placeAll();
    expect(summary?.regions).toEqual({ R3: 0.01125 });
    const od = summary?.overdispersion.regions.R3;
    expect(od?.pcns).toBe(3);
    expect(od?.phi).toBeCloseTo(3.292882, 5);
    expect(od?.tau2).toBeCloseTo(7.87865e-5, 9);
    expect(byCode.get('U00032')?.referral_rate_vs_region).toBe('within');
    expect(byCode.get('U00032')?.referral_rate_vs_region_unadjusted).toBe('high');
    expect(byCode.get('U00031')?.referral_rate_vs_region_unadjusted).toBe('within');
    const at10k = (c: readonly { n: number; lower998: number; upper998: number }[] | undefined) =>
      c?.find((p) => p.n === 10_000);
    expect(at10k(summary?.curves_unadjusted?.regions.R3)?.upper998).toBeCloseTo(0.014742, 6);
    expect(at10k(summary?.curves?.regions.R3)?.upper998).toBeCloseTo(0.0188548, 6);
    expect(at10k(summary?.curves?.regions.R3)?.lower998).toBeCloseTo(0.00558222, 7);
  });
});

describe('the pack reads a PCN not compared with its region', () => {
  it('says why, beside its position against England', () => {
    const docs = documents().map((d) =>
      d.name !== 'pcn_comparison'
        ? d
        : {
            ...d,
            rows: d.rows.map((r) =>
              r.code === 'U22222' ? ({ ...r, referral_rate_vs_region: TOO_FEW_IN_REGION } as MetricRow) : r,
            ),
          },
    );
    const positions = packContent('pcn', 'U22222', new PublishedRows(docs), meta).positions;
    expect(positions.rows.find((r) => r[0] === 'Referrals per 1,000 registered patients')?.slice(1, 3)).toEqual([
      'below the 99.8% limit',
      'not compared: fewer than 3 PCNs placed in the region (compared with England only)',
    ]);
  });
});
