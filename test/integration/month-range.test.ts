import { describe, expect, it } from 'vitest';
import type { MetaDocument } from '../../functions/contract/index.ts';
import { type GoldenEvent, referralEvent } from '../support/golden.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * The published months run from the first month with an event in force to the last complete one: a row sent with a
 * wrong date and then corrected (a later upload of the same event id) does not stretch them (review, MEDIUM: one
 * referral first sent as May 2019 and corrected to October 2025 added 65 empty months and five financial years to
 * every document, and a 2019/20 "year complete" with 0 people against the 900,000 target).
 *
 *   U40001  R1  first sent dated 2019-05-01, then corrected to 2025-10-06 (same event id, later upload)
 *           R2  2025-11-10
 *           R3  2025-12-02
 *   U40002  2 referrals a month, October to December 2025 (P2-10-1 ... P2-12-2)
 *   U40003  2 referrals a month, October to December 2025 (P3-10-1 ... P3-12-2)
 *   refreshed on 5 January 2026: data as of 31 December 2025.
 *
 * U40002 and U40003 are there so that England's months are made up by 3 PCNs, none dominating (a deployment holds an
 * England period of fewer, review 8, N5: test/integration/england-few-pcns.test.ts). Each month's rollout counts are
 * 1 + 1 (U40001: referrals, people), 2 + 2, 2 + 2: all but the two largest, 2, is at least 10% of the largest, 4;
 * the total 10 is above the 3 PCNs (cof_person's episodes likewise: 1, 2, 2; total 5 above 3).
 *
 * Months published: 2025-10, 2025-11, 2025-12 (3), financial years: 2025/26 only. England's referrals a month
 * 1 + 2 + 2 = 5; the year 3 x 5 = 15 (R1 once, in October: the 2019 row it corrected is in no figure).
 */
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U40001,One PCN,QWE,NHS South West London ICB,Y56,London,10000,2019-04-01,
U40002,Two PCN,QWE,NHS South West London ICB,Y56,London,10000,2019-04-01,
U40003,Three PCN,QKK,NHS South East London ICB,Y56,London,10000,2019-04-01,
`;
const UPLOADS: Record<string, GoldenEvent[]> = {
  'u40001-2019-05.csv': [referralEvent('U40001', 'R1', '2019-05-01')],
  'u40001-2025-10.csv': [referralEvent('U40001', 'R1', '2025-10-06')],
  'u40001-2025-11.csv': [referralEvent('U40001', 'R2', '2025-11-10')],
  'u40001-2025-12.csv': [referralEvent('U40001', 'R3', '2025-12-02')],
};
for (const pcn of ['U40002', 'U40003'])
  for (const month of ['10', '11', '12'])
    UPLOADS[`${pcn.toLowerCase()}-2025-${month}.csv`] = [1, 2].map((i) =>
      referralEvent(pcn, `P${pcn.slice(-1)}-${month}-${i}`, `2025-${month}-0${i + 2}`),
    );

const { docs } = goldenProgramme('month-range', {
  uploads: UPLOADS,
  reference: REFERENCE,
  now: new Date('2026-01-05T06:00:00Z'),
});

describe('a corrected date does not stretch the published months', () => {
  it('meta lists the months and years of events in force only', () => {
    const meta = docs.get('meta') as unknown as MetaDocument;
    expect(meta.data_as_of).toBe('2025-12-31');
    expect(meta.months).toEqual(['2025-10', '2025-11', '2025-12']);
    expect(meta.financial_years).toEqual(['2025/26']);
  });

  it("no document has a row for a month or year before the corrected referral's", () => {
    for (const [name, doc] of docs) {
      if (name === 'meta' || !Array.isArray(doc.rows)) continue;
      const early = doc.rows.filter((r) => typeof r.period === 'string' && String(r.period) < '2025');
      expect({ name, early: early.length }).toEqual({ name, early: 0 });
    }
  });

  it("England's referrals by month and year", () => {
    const rollout = docs.get('rollout')?.rows ?? [];
    const referrals = (period: string) => rollout.find((r) => r.level === 'national' && r.period === period)?.referrals;
    expect(['2025-10', '2025-11', '2025-12', '2025/26'].map(referrals)).toEqual([5, 5, 5, 15]);
  });
});
