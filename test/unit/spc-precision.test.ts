import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../../functions/contract/index.ts';
import { DEFAULT_TARGETS } from '../../functions/refresh/catalogue.ts';
import { spcDocument } from '../../functions/refresh/spc-documents.ts';
import { metricDocument, monthsFrom } from '../support/documents.ts';

/*
 * Review 31, R31-8: referrals per 1,000 are published to 1 decimal (about 1.6: steps of 6%), and the SPC chart of
 * them was read from that column, so the rounding was the largest thing on the chart. England, 13 months, list
 * 1,000,000: referrals 1,540 and 1,560 alternately for 12 months, then 1,540. By hand:
 * - exact (referrals / list x 1,000): 1.54, 1.56, ... 1.54; mean (6 x 1.54 + 6 x 1.56 + 1.54) / 13 = 20.14 / 13 =
 *   1.549231; every moving range 0.02 (none screened: 3.267 x 0.02 = 0.065); limits 1.549231 +- 2.66 x 0.02 =
 *   1.602431 and 1.496031: 1.60 and 1.50.
 * - the published column: 1.5, 1.6, ... 1.5; mean 20.1 / 13 = 1.546154; moving ranges 0.1; limits +- 0.266: 1.812154
 *   and 1.280154, 1.81 and 1.28: five times as wide, from the rounding alone.
 */
const MONTHS = monthsFrom('2025-04', 13);
const REFERRALS = [...Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 1540 : 1560)), 1540];
const rollout = metricDocument(
  { generated_at: '2026-05-04T00:00:00.000Z', data_as_of: '2026-04-30' },
  'rollout',
  MONTHS.map(
    (period, i) =>
      ({
        level: 'national',
        code: 'ENG',
        period_type: 'month',
        period,
        referrals: REFERRALS[i],
        list_size: 1_000_000,
        // As published: 1 decimal.
        referrals_per_1000: Math.round(((REFERRALS[i] as number) / 1000) * 10) / 10,
      }) as MetricRow,
  ),
);

describe('SPC of referrals per 1,000: charted from the published counts at full precision (R31-8)', () => {
  it("England's chart has the exact series' mean and limits, not the 1-decimal column's", () => {
    const spc = spcDocument([rollout], {
      targets: DEFAULT_TARGETS,
      generatedAt: '2026-05-04T00:00:00.000Z',
      dataAsOf: '2026-04-30',
    });
    const row = spc.rows.find((r) => r.measure === 'referrals_per_1000' && r.code === 'ENG');
    expect(row).toMatchObject({
      points: 13,
      mean: 1.55,
      upper_limit: 1.6,
      lower_limit: 1.5,
      last_value: 1.54,
    });
    expect((row?.values as Record<string, unknown> | undefined)?.['2025-05']).toBe(1.56);
    expect(row?.rules).toEqual({});
  });
});
