import { describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import { serviceUseBandProblems } from '../support/disclosure-scan-bands.ts';

/*
 * The scan's band bounds (red-team review 2, F2) on rows as main published them before the fix: a1 and r3 are the
 * review's programmes, U46082 a PCN of the 2% sample of England (refresh-layout-0.02-24).
 */
const doc = { name: 'cof_system', keys: ['service', 'baseline_band'], rows: [] } as unknown as MetricDocument;
const band = (
  code: string,
  service: string,
  baseline_band: string,
  people: number | '*',
  before_total: number | '*',
  after_total: number | '*',
  level = 'pcn',
): MetricRow =>
  ({
    level,
    code,
    period_type: 'fy',
    period: '2025/26',
    service,
    baseline_band,
    people,
    before_total,
    after_total,
  }) as unknown as MetricRow;
const scan = (row: MetricRow) => serviceUseBandProblems(doc, row);

describe('the scan knows the bands of use before referral', () => {
  it("reads main's suppressed people back off the band totals", () => {
    // r3: one frequent attender, before_total 9 shown 10 (8 to 12); at least 7 each, so at most 12 / 7: exactly 1.
    expect(scan(band('U00004', 'gp_appointment', '7+', '*', 10, '*'))).toEqual([
      'cof_system pcn U00004 2025/26 gp_appointment 7+: before_total = 10 beside a suppressed people (a total over 1 to 7 referrals)',
      'cof_system pcn U00004 2025/26 gp_appointment 7+: people * is 1 by the band bounds (7+) against before_total 10',
    ]);
    // a1 and the 2% sample: in band 1 before_total is people, so a secondary `*` (not 1 to 7: 15 says 13 to 17) is
    // read back as 13 to 17.
    expect(scan(band('U00002', 'ae_attendance', '1', '*', 15, '*'))).toEqual([
      'cof_system pcn U00002 2025/26 ae_attendance 1: before_total = 15 beside a suppressed people (a total over 1 to 7 referrals)',
      'cof_system pcn U00002 2025/26 ae_attendance 1: people * is 13 to 17 by the band bounds (1) against before_total 15',
    ]);
    expect(scan(band('U46082', 'ae_attendance', '1', '*', 15, '*'))).toHaveLength(2);
    // 0-3: at most 3 each, so 33 to 37 appointments need 11 or more people: the `*` is a secondary one.
    expect(scan(band('QCC', 'gp_appointment', '0-3', '*', 35, '*', 'icb'))[1]).toBe(
      'cof_system icb QCC 2025/26 gp_appointment 0-3: people * is 11 or more by the band bounds (0-3) against before_total 35',
    );
  });

  it('finds a rounded people pinned by its total', () => {
    // 8 referrals with 7 appointments each: people 10 (8 to 12), before_total 56 shown 55 (53 to 57): at most 8.
    expect(scan(band('U00003', 'gp_appointment', '7+', 10, 55, 40))).toEqual([
      'cof_system pcn U00003 2025/26 gp_appointment 7+: people 10 is recovered exactly (8) by the band bounds against before_total 55',
    ]);
    // 4-6: 15 (13 to 17) people and 50 (48 to 52) uses, at least 4 each: 13 people and 52 uses.
    expect(scan(band('U00005', 'gp_appointment', '4-6', 15, 50, 40))).toEqual([
      'cof_system pcn U00005 2025/26 gp_appointment 4-6: people 15 is recovered exactly (13) by the band bounds against before_total 50',
      'cof_system pcn U00005 2025/26 gp_appointment 4-6: before_total 50 is recovered exactly (52) by the band bounds',
    ]);
  });

  it('finds nothing where the bounds leave the figures as the rounding does', () => {
    // 12 referrals with 8 each: 10 (8 to 12) and 95 (93 to 97): at most 13 people, no narrower than 8 to 12.
    expect(scan(band('U00002', 'gp_appointment', '7+', 10, 95, 60))).toEqual([]);
    // Band 1: the total is the people, rounded alike.
    expect(scan(band('U00003', 'ae_attendance', '1', 15, 15, 10))).toEqual([]);
    // Totals with their people: nothing to read. Band 0's before_total is 0 whatever its people.
    expect(scan(band('U00001', 'gp_appointment', '7+', '*', '*', '*'))).toEqual([]);
    expect(scan(band('U00001', 'ae_attendance', '0', '*', 0, '*'))).toEqual([]);
    // A published people beside a `*` total (secondary, 1 or more), and England's exact figures.
    expect(scan(band('U00004', 'gp_appointment', '7+', 10, '*', 60))).toEqual([]);
    expect(scan(band('ENG', 'gp_appointment', '7+', 1, 9, 2, 'national'))).toEqual([]);
    // The row `all` has no band bounds, but a total beside its suppressed people is a sum over 1 to 7 referrals.
    expect(scan(band('U00001', 'gp_appointment', 'all', '*', 20, '*'))).toEqual([
      'cof_system pcn U00001 2025/26 gp_appointment all: before_total = 20 beside a suppressed people (a total over 1 to 7 referrals)',
    ]);
  });
});
