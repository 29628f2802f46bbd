import { describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import { parentsFrom, type ScanSpec, scanPublished } from '../support/disclosure-scan.ts';

/*
 * The scan must find what it is there to find. U9 moved from QAA to QBB on 2025-12-01; U1 changed only its list on
 * the same day (a new version, not a move); U2 stayed in QBB.
 */
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U1,A,QAA,ICB A,Y56,London,1000,2019-04-01,2025-11-30
U1,A,QAA,ICB A,Y56,London,1100,2025-12-01,
U2,B,QBB,ICB B,Y56,London,1000,2019-04-01,
U9,C,QAA,ICB A,Y56,London,1000,2019-04-01,2025-11-30
U9,C,QBB,ICB B,Y56,London,1000,2025-12-01,
`;
const META = {
  icbs: [
    { code: 'QAA', parent: 'Y56' },
    { code: 'QBB', parent: 'Y56' },
  ],
};
const fy = (level: string, code: string, referrals: number | '*'): MetricRow =>
  ({ level, code, period_type: 'fy', period: '2025/26', referrals }) as MetricRow;
const rollout = (rows: MetricRow[]): MetricDocument =>
  ({ name: 'rollout', keys: [], rows }) as unknown as MetricDocument;
const SPEC: ScanSpec = {
  counts: { rollout: ['referrals'] },
  rates: { rollout: [['referrals_per_1000', 'referrals', 'list_size', 1000]] },
};
const scan = (rows: MetricRow[]) => scanPublished([rollout(rows)], parentsFrom(REFERENCE, META), SPEC);

describe('the disclosure scan', () => {
  it("finds a moved PCN's suppressed year alone among the parts of the ICB it left", () => {
    // QAA's 2025/26 = U1 + U9's months there: with U1 published, QAA - U1 is U9's part.
    expect(
      scan([
        fy('icb', 'QAA', 50),
        fy('icb', 'QBB', 40),
        fy('pcn', 'U1', 45),
        fy('pcn', 'U2', '*'),
        fy('pcn', 'U9', '*'),
      ]),
    ).toEqual(['rollout area|QAA|fy|2025/26| referrals: one suppressed part (U9 2025/26) beside a published total']);
    // Both parts of QAA suppressed: nothing to find.
    expect(
      scan([
        fy('icb', 'QAA', 50),
        fy('icb', 'QBB', 40),
        fy('pcn', 'U1', '*'),
        fy('pcn', 'U2', '*'),
        fy('pcn', 'U9', '*'),
      ]),
    ).toEqual([]);
  });

  it('finds a count that is not rounded, a lone suppressed month beside its year, and a rate implying another count', () => {
    const month = (period: string, referrals: number | '*') =>
      ({ level: 'pcn', code: 'U2', period_type: 'month', period, referrals }) as MetricRow;
    expect(scan([fy('pcn', 'U2', 30), month('2025-04', 20), month('2025-05', '*')])).toEqual([
      'rollout period|pcn|U2|2025/26| referrals: one suppressed part (U2 2025-05) beside a published total',
    ]);
    expect(scan([fy('pcn', 'U2', 12)])).toEqual(['rollout pcn U2 2025/26 : count referrals = 12']);
    // 10 referrals of a list of 1,000 is 10 per 1,000; 10.4 would say the count was 10.4 +- 0.05, not 10.
    const rated = { ...fy('pcn', 'U2', 10), list_size: 1000, referrals_per_1000: 10.4 } as MetricRow;
    expect(scan([rated])).toEqual([
      'rollout pcn U2 2025/26 : referrals_per_1000 = 10.4 implies another referrals than 10',
    ]);
  });

  it('finds staff figures beside a suppressed headcount, an FTE of fewer than 8 people, and an FTE total over its parts', () => {
    const staffSpec: ScanSpec = {
      counts: { workforce: ['splw_headcount'] },
      protected: { workforce: ['splw_fte'] },
      staff: { workforce: [['splw_headcount', 'splw_fte', ['splw_accredited']]] },
      rates: {},
    };
    const row = (level: string, code: string, h: number | '*' | null, f: number | '*', a: number | '*' | null) =>
      ({
        level,
        code,
        period_type: 'month',
        period: '2025-12',
        splw_headcount: h,
        splw_fte: f,
        splw_accredited: a,
      }) as MetricRow;
    const workforce = (rows: MetricRow[]) =>
      scanPublished(
        [{ name: 'workforce', keys: [], rows } as unknown as MetricDocument],
        parentsFrom(REFERENCE, META),
        staffSpec,
      );
    expect(
      workforce([
        row('pcn', 'U1', '*', 2.4, 0), // FTE and training of a suppressed headcount
        row('pcn', 'U2', null, 0.6, null), // 0.6 FTE with no headcount: fewer than 8 people
        row('pcn', 'U9', 10, 7.9, 10), // 10 (8 or more) people share 7.9 FTE: fine
      ]),
    ).toEqual([
      'workforce pcn U1 2025-12 : splw_fte = 2.4 beside a suppressed splw_headcount',
      'workforce pcn U1 2025-12 : splw_accredited = 0 beside a suppressed splw_headcount',
      'workforce pcn U1 2025-12 : splw_fte = 2.4 without 8 or more people',
      'workforce pcn U2 2025-12 : splw_fte = 0.6 without 8 or more people',
    ]);
    // QBB's FTE suppressed, its PCNs' (U2 and U9, in QBB in December) published: QBB = U2 + U9.
    expect(
      workforce([row('icb', 'QBB', 20, '*', null), row('pcn', 'U2', 10, 9, null), row('pcn', 'U9', 10, 8.5, null)]),
    ).toEqual(['workforce area|QBB|month|2025-12| splw_fte: a suppressed total beside its parts, all published']);
  });
});
