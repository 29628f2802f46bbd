import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../../functions/contract/index.ts';
import { DEFAULT_TARGETS } from '../../functions/refresh/catalogue.ts';
import { spcRows } from '../../functions/refresh/spc-documents.ts';
import {
  BOARD_MEASURES,
  funnelPositionText,
  measureFigure,
  measureNote,
} from '../../functions/reports/board-measures.ts';
import { PublishedRows, packContent } from '../../functions/reports/pack-content.ts';
import { metricDocument, monthsFrom } from '../support/documents.ts';
import { documents, meta } from '../support/pack-documents.ts';

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

  it('gives a suppressed rate no position, whatever an earlier document says (review 31, R31-1)', () => {
    // A `*` may hide a large count (secondary suppression): "below if 1-7" was false for every such PCN in the demo.
    const row = { take_up_pct: '*', take_up_pct_vs_national: 'low', take_up_pct_vs_region: null };
    expect(funnelPositionText(row, 'take_up_pct', 'vs_national')).toBe('not shown: suppressed');
    expect(funnelPositionText(row, 'take_up_pct', 'vs_region')).toBe('not shown: suppressed');
    const placed = { take_up_pct: 52.5, take_up_pct_vs_national: 'low' };
    expect(funnelPositionText(placed, 'take_up_pct', 'vs_national')).toBe('below the 99.8% limit');
  });
});

/*
 * Red-team review 19, R19-5: the SPC reading printed beside a rate must be the rate's own chart. ICB QJ2 had 2 PCNs
 * (list 100,000) for 8 months, then one left (list 70,000). Its rate per 1,000 alternates 2.9, 3.1 throughout (even
 * months 2.9, odd 3.1, 15 months); its referral count is rate x list / 1,000 rounded to 5: 290, 310 (x4 each), then
 * 205, 215, 205, 215, 205, 215, 205.
 * - Count chart: mean = (4x290 + 4x310 + 4x205 + 3x215) / 15 = 3,865 / 15 = 257.67; the last 7 points all lie below
 *   it (a shift, 6 or more on one side), the last one too: special cause of concern (lower).
 * - Rate chart: mean = (8x2.9 + 7x3.1) / 15 = 44.9 / 15 = 2.99; every moving range 0.2, so limits 2.99 +- 2.66 x 0.2
 *   = 2.46 to 3.53 and 2-sigma lines 2.99 +- 0.355 = 2.64 to 3.35: no point outside, no run of 6 on one side
 *   (it alternates), no trend of 6: common cause.
 * Likewise FTE: the count 10 then 7 (a PCN closed) with FTE per 10,000 1.0 throughout, varying 0.9/1.1.
 */
describe('the board measures’ SPC reading is of the figure printed (R19-5)', () => {
  const MONTHS = monthsFrom('2025-04', 15);
  const rate = (i: number) => (i % 2 === 0 ? 2.9 : 3.1);
  const count = (i: number) => (i < 8 ? [290, 310] : [205, 215])[i % 2] as number;
  const doc = (name: string, rows: MetricRow[]) =>
    metricDocument({ generated_at: '2026-07-04T00:00:00.000Z', data_as_of: '2026-06-30' }, name, rows);
  const month = (period: string) => ({ level: 'icb', code: 'QJ2', period_type: 'month', period }) as const;
  const rollout = doc(
    'rollout',
    MONTHS.map((period, i) => ({ ...month(period), referrals: count(i), referrals_per_1000: rate(i) }) as MetricRow),
  );
  const workforce = doc(
    'workforce',
    MONTHS.map(
      (period, i) =>
        ({ ...month(period), splw_fte: i < 8 ? 10 : 7, splw_fte_per_10000: i % 2 === 0 ? 0.9 : 1.1 }) as MetricRow,
    ),
  );
  const spc = spcRows([rollout, workforce], DEFAULT_TARGETS, '2026-06-30');
  const reading = (id: string) => {
    const measure = BOARD_MEASURES.find((m) => m.id === id);
    return spc.find((r) => r.measure === measure?.spc);
  };

  it('referrals per 1,000: the rate’s chart (common cause), not the count’s (concern, lower)', () => {
    expect(spc.find((r) => r.measure === 'referrals')?.variation).toBe('concern_low');
    const row = reading('referrals_per_1000');
    expect(row?.values).toEqual(Object.fromEntries(MONTHS.map((m, i) => [m, rate(i)])));
    expect(row).toMatchObject({ mean: 2.99, upper_limit: 3.53, lower_limit: 2.46, variation: 'common_cause' });
  });

  it('link worker FTE per 10,000: the rate’s chart, not the FTE count’s', () => {
    expect(spc.find((r) => r.measure === 'splw_fte')?.variation).toBe('concern_low');
    // mean (8x0.9 + 7x1.1) / 15 = 14.9 / 15 = 0.99; limits 0.99 +- 2.66 x 0.2 = 0.46 to 1.53.
    expect(reading('splw_fte_per_10000')).toMatchObject({
      mean: 0.99,
      upper_limit: 1.53,
      lower_limit: 0.46,
      variation: 'common_cause',
    });
  });
});

/*
 * Red-team review 19, R19-6: England's caseload where PCNs that referred people sent no workforce snapshot. workforce
 * publishes caseload and caseload_annualised null there (their people are in no FTE) and the caseload over the PCNs
 * covered: 2026/27, 99 PCNs holding 94% of the people referred, 386 a year (the demo's figures); 11 PCNs referred
 * without a snapshot. The board report and pack show that 386, as the Workforce page does, and say what it covers.
 */
describe('the board measures’ caseload for England (R19-6)', () => {
  const caseload = BOARD_MEASURES.find((m) => m.id === 'caseload_annualised') as (typeof BOARD_MEASURES)[number];
  const england = {
    level: 'national',
    code: 'ENG',
    period_type: 'fy',
    period: '2026/27',
    caseload: null,
    caseload_annualised: null,
    caseload_covered_annualised: 386,
    caseload_pcns: 99,
    caseload_coverage_pct: 94,
    pcns_referring_without_snapshot: 11,
  } as MetricRow;

  it('shows the covered caseload where the whole one is not published, and says what it covers', () => {
    expect(measureFigure([england], caseload, '2026/27')).toBe(386);
    expect(measureNote([england], caseload, '2026/27')).toBe(
      "England's caseload 2026/27 (386 a year) is over the 99 PCNs that sent a workforce snapshot for every month they reported referrals in whose snapshots are due, holding 94% of the people referred: 11 PCNs that referred people sent no workforce snapshot.",
    );
  });

  it('says how many PCNs missed a snapshot for a month they reported referrals in (R26-2)', () => {
    // 2 PCNs sent a snapshot in the year but none for a month they reported: the whole caseload is withheld for them.
    const missing = { ...england, pcns_referring_without_snapshot: 0, pcns_missing_snapshot_months: 2 } as MetricRow;
    expect(measureNote([missing], caseload, '2026/27')).toBe(
      "England's caseload 2026/27 (386 a year) is over the 99 PCNs that sent a workforce snapshot for every month they reported referrals in whose snapshots are due, holding 94% of the people referred: 2 PCNs sent none for a month they reported referrals in.",
    );
    const both = { ...missing, pcns_referring_without_snapshot: 11, pcns_missing_snapshot_months: 1 } as MetricRow;
    expect(measureNote([both], caseload, '2026/27')).toBe(
      "England's caseload 2026/27 (386 a year) is over the 99 PCNs that sent a workforce snapshot for every month they reported referrals in whose snapshots are due, holding 94% of the people referred: 11 PCNs that referred people sent no workforce snapshot; 1 PCN sent none for a month it reported referrals in.",
    );
  });

  it('reads the whole caseload where it is published, and nothing where neither is', () => {
    const whole = { ...england, caseload: 240, caseload_annualised: 360, pcns_referring_without_snapshot: 0 };
    expect(measureFigure([whole], caseload, '2026/27')).toBe(360);
    expect(measureNote([whole], caseload, '2026/27')).toBeUndefined();
    // Below England (or withheld) there is no covered figure: "-", as before.
    const icb = { ...england, level: 'icb', code: 'QJ2', caseload_covered_annualised: null } as MetricRow;
    expect(measureFigure([icb], caseload, '2026/27')).toBeNull();
    expect(measureNote([icb], caseload, '2026/27')).toBeUndefined();
  });
});

describe('the pack’s headline caseload for England (R19-6)', () => {
  it('prints the covered caseload in England’s column and says what it covers under the table', () => {
    const docs = documents().map((d) =>
      d.name !== 'workforce'
        ? d
        : {
            ...d,
            rows: d.rows.map((r) =>
              r.level === 'national' && r.period === '2025/26'
                ? ({
                    ...r,
                    caseload_annualised: null,
                    caseload_covered_annualised: 386,
                    caseload_pcns: 99,
                    caseload_coverage_pct: 94,
                    pcns_referring_without_snapshot: 11,
                  } as MetricRow)
                : r,
            ),
          },
    );
    const content = packContent('icb', 'QWE', new PublishedRows(docs), meta);
    const line = content.headlines.rows.find((r) => String(r[0]).startsWith('Caseload'));
    // ICB, region, England: the ICB and region keep their own caseload (175); England's is the covered 386.
    expect(line?.slice(1, 4)).toEqual(['175.0', '175.0', '386.0']);
    expect(content.headlineNotes).toEqual([
      "England's caseload 2025/26 (386 a year) is over the 99 PCNs that sent a workforce snapshot for every month they reported referrals in whose snapshots are due, holding 94% of the people referred: 11 PCNs that referred people sent no workforce snapshot.",
    ]);
  });
});

/*
 * Red-team review 26, R26-3: cof_system's figures are of one length of windows (window_months, 6), and the board reads
 * that length's row whatever else a document holds: a row of 12-month windows (a change of -30% where the 6-month one
 * is -10%) is never the board's figure, and the label says the length.
 */
describe('the board measures’ service use: one stated length of windows (R26-3)', () => {
  const gp = BOARD_MEASURES.find((m) => m.id === 'gp_change_pct') as (typeof BOARD_MEASURES)[number];
  const ae = BOARD_MEASURES.find((m) => m.id === 'ae_change_pct') as (typeof BOARD_MEASURES)[number];
  const row = (window_months: number, service: string, change_pct: number) =>
    ({
      level: 'national',
      code: 'ENG',
      period_type: 'fy',
      period: '2025/26',
      window_months,
      service,
      baseline_band: 'all',
      change_pct,
    }) as MetricRow;

  it('reads the 6-month row, not another length listed before it', () => {
    const rows = [row(12, 'gp_appointment', -30), row(6, 'gp_appointment', -10), row(12, 'ae_attendance', -40)];
    expect(measureFigure(rows, gp, '2025/26')).toBe(-10);
    // No 6-month A&E row: no figure, not the 12-month one.
    expect(measureFigure(rows, ae, '2025/26')).toBeNull();
  });

  it('says the length in the label', () => {
    expect(gp.label).toBe('GP appointments, change over 6 months before and after referral');
    expect(ae.label).toBe('A&E attendances, change over 6 months before and after referral');
  });
});

describe('the packs’ published rows by area', () => {
  it('keeps an area’s rows apart from another level’s of the same code, in the document’s order', () => {
    // Indexed by level, then code (issue 17): a code at two levels, rows of one area far apart in the document.
    const row = (level: string, code: string, period: string, value: number) =>
      ({ level, code, period_type: 'month', period, referrals: value }) as unknown as MetricRow;
    const rows = [
      row('pcn', 'Q1', '2025-04', 1),
      row('icb', 'Q1', '2025-04', 2),
      row('pcn', 'U2', '2025-04', 3),
      row('pcn', 'Q1', '2025-05', 4),
      row('icb', 'Q1', '2025-05', 5),
    ];
    const published = new PublishedRows([{ name: 'rollout', rows } as never]);
    const values = (list: readonly MetricRow[]) => list.map((r) => r.referrals);
    expect(values(published.of('rollout', 'pcn', 'Q1'))).toEqual([1, 4]);
    expect(values(published.of('rollout', 'icb', 'Q1'))).toEqual([2, 5]);
    expect(values(published.inPeriod('rollout', 'icb', 'Q1', '2025-05'))).toEqual([5]);
    expect(values(published.of('rollout', 'region', 'Q1'))).toEqual([]);
    expect(values(published.atLevel('rollout', 'pcn'))).toEqual([1, 4, 3]);
    expect(values(published.forReadersOutside().of('rollout', 'icb', 'Q1'))).toEqual([2, 5]);
  });
});
