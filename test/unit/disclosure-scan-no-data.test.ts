import { describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import { parentsFrom, type ScanSpec, scanPublished } from '../support/disclosure-scan.ts';

/*
 * Red-team review 9, R9-1: the scan reads a PCN with no data as 0 (withNoDataAsZero). Review 7's M12 gave a PCN in
 * force that sent nothing a row of `*` in rollout, keeping its list size null (not onboarded) where a real `*` PCN has
 * its list size: a reader tells it apart and reads it as 0. QAA has eight PCNs in force, U1..U8; April 2025, U1..U7 1
 * referral each, U8 none (not onboarded). M12 published QAA `*` over U1..U8 `*`.
 */
const PCNS = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `U${n}`);
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
${PCNS.map((p) => `${p},PCN ${p},QAA,ICB A,Y56,London,10000,2019-04-01,`).join('\n')}
`;
const META = { icbs: [{ code: 'QAA', parent: 'Y56' }] };
const SPEC: ScanSpec = { counts: { rollout: ['referrals'] }, rates: {} };
const april = (level: string, code: string, referrals: number | '*' | null, list_size: number | null): MetricRow =>
  ({ level, code, period_type: 'month', period: '2025-04', referrals, list_size }) as MetricRow;
const scan = (rows: MetricRow[]) =>
  scanPublished([{ name: 'rollout', keys: [], rows } as unknown as MetricDocument], parentsFrom(REFERENCE, META), SPEC);
const recovered = (code: string, level = 'pcn') =>
  `rollout ${level} ${code} 2025-04 : referrals = * is recovered exactly from the figures beside it`;

describe('the disclosure scan, on a PCN with no data (R9-1)', () => {
  const seven = PCNS.slice(0, 7).map((p) => april('pcn', p, '*', 10_000));

  it("reads M12's filler (list size null) as 0: QAA's * over seven * is 7, each PCN 1", () => {
    // QAA `*` (at most 7) = U1 + ... + U7 (each at least 1) + U8 (0): each U 1, QAA 7. Before: U8 read as 1 to 7, eight
    // `*` over one contradicted, and read loosely (1 or more) nothing was one value: no finding.
    expect(scan([april('icb', 'QAA', '*', 80_000), ...seven, april('pcn', 'U8', '*', null)])).toEqual([
      recovered('QAA', 'icb'),
      ...PCNS.slice(0, 7).map((p) => recovered(p)),
    ]);
  });

  it('reads a PCN with its list size as any other: QAA * over eight * PCNs pins nothing', () => {
    expect(scan([april('icb', 'QAA', '*', 80_000), ...seven, april('pcn', 'U8', '*', 10_000)])).toEqual([]);
  });
});
