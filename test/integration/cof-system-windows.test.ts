import { describe, expect, it } from 'vitest';
import { type GoldenEvent, referralEvent } from '../support/golden.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * Service use before and after referral is one count per referral, service, window and length, the whole window's,
 * and an after count is taken only once dated on or after its window's end (the contract, functions/contract/fields.ts
 * `window` and `count`; sql/metrics/cof_system.sql). Red-team review 6, K5 (f4.mjs): the rows of a window were added
 * up, whatever their dates, so a monthly extract's "uses so far" counted as the whole window and a cumulative count
 * re-sent under a new event_id was added to the earlier one: England -37.5% where the truth was -25%.
 *
 * As the review's spec: 6 PCNs (U00001, U00003, U00005 in Y58; U00002, U00004, U00006 in Y56; ICBs QAA U00001 and
 * U00004, QBB U00002 and U00005, QCC U00003 and U00006), each referring 20 people on 1-10 April 2025 (referral i on
 * day 1 + i % 10), 6-month windows (the one length published: review 26, R26-3; this test's windows were of 3 months,
 * its dates 3 months earlier, the figures the same). A contact a month to October makes the data as of 2025-10-31:
 * the 6-month cut-off is 2025-04-30, so by the referral's age every April window has ended. Each service is one case:
 * - A&E, the review's rows exactly: before 4 on the referral date; U00001-U00003 send only an after count of 1 dated a
 *   month after referral (the uses so far: no row at or after the window's end); U00004-U00006 send that and a second
 *   row, new event_id, dated 6 months and a day after, count 3 (cumulative, the whole window).
 * - GP: every PCN sends both after rows (the truth the review worked by hand: 3 after each); U00001-U00003 put the
 *   whole window's row first in the file, so the date decides, not the order of the file.
 * - Emergency admissions: before rows re-sent. A before count of 2 on the referral date, then a second (new
 *   event_id) of 1 dated a month later (one admission had been miscoded); after 1 dated exactly 6 months after the
 *   referral (on the window's end: counted).
 * - Outpatients: two after rows of one window on one date (6 months and a day after referral), before 2. U00001-
 *   U00003: count 2 with a recorded_at, then count 6 without one (a row with recorded_at is the later); U00004-
 *   U00006: count 6, then count 2, neither with recorded_at (tied: the larger count, whatever the file's order).
 */
const PCNS = ['U00001', 'U00002', 'U00003', 'U00004', 'U00005', 'U00006'];
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
${PCNS.map((p, i) => `${p},PCN ${p},${['QAA', 'QBB', 'QCC'][i % 3]},ICB ${i % 3},${i % 2 ? 'Y56' : 'Y58'},R${i % 2},30000,2019-04-01,`).join('\n')}
`;

function uploadOf(pcn: string, firstThree: boolean): GoldenEvent[] {
  const rows: GoldenEvent[] = [];
  for (let i = 0; i < 20; i++) {
    const id = `${pcn}-${i}`;
    const day = (d: number) => String(d + (i % 10)).padStart(2, '0');
    const on = `2025-04-${day(1)}`;
    const referral = referralEvent(pcn, id, on);
    let n = 0;
    const use = (service: string, window: string, at: string, count: number, extra: GoldenEvent = {}) => ({
      event_id: `S-${id}-${++n}`,
      event_type: 'service_use',
      pcn_code: pcn,
      referral_id: id,
      person_id: referral.person_id,
      occurred_on: at,
      service,
      window,
      window_months: 6,
      count,
      ...extra,
    });
    const partial = `2025-05-${day(1)}`;
    const whole = `2025-10-${day(2)}`;
    rows.push(referral);
    rows.push(use('ae_attendance', 'before', on, 4), use('ae_attendance', 'after', partial, 1));
    if (!firstThree) rows.push(use('ae_attendance', 'after', whole, 3));
    rows.push(use('gp_appointment', 'before', on, 4));
    const gp = [use('gp_appointment', 'after', partial, 1), use('gp_appointment', 'after', whole, 3)];
    rows.push(...(firstThree ? gp.reverse() : gp));
    rows.push(
      use('emergency_admission', 'before', on, 2),
      use('emergency_admission', 'before', partial, 1),
      use('emergency_admission', 'after', `2025-10-${day(1)}`, 1),
    );
    rows.push(use('outpatient', 'before', on, 2));
    if (firstThree)
      rows.push(
        use('outpatient', 'after', whole, 2, { recorded_at: '2025-10-20T09:00:00Z' }),
        use('outpatient', 'after', whole, 6),
      );
    else rows.push(use('outpatient', 'after', whole, 6), use('outpatient', 'after', whole, 2));
    for (const month of ['04', '05', '06', '07', '08', '09', '10'])
      rows.push({
        event_id: `C-${id}-${month}`,
        event_type: 'contact',
        pcn_code: pcn,
        referral_id: id,
        person_id: referral.person_id,
        occurred_on: `2025-${month}-${month === '04' ? '20' : '15'}`,
        contact_mode: 'telephone',
        worker_role: 'splw',
        duration_minutes: 30,
      });
  }
  return rows;
}

const published = goldenProgramme('cof-system-windows', {
  uploads: Object.fromEntries(PCNS.map((pcn, i) => [`${pcn}.jsonl`, uploadOf(pcn, i < 3)])),
  reference: REFERENCE,
  now: new Date('2025-11-20T00:00:00Z'),
  timeoutMs: 180_000,
});

const FIGURES = ['people', 'before_total', 'after_total', 'change_pct', 'change_pct_ci_low', 'change_pct_ci_high'];
/** FIGURES of an area's `all` row of `service` in 2025/26. */
const figures = (level: string, code: string, service: string) => {
  const row = published.row('cof_system', level, code, '2025/26', { service, baseline_band: 'all' });
  return FIGURES.map((f) => row[f]);
};

describe('cof_system: one count per window, the whole window, an after count once the window has ended', () => {
  it('says the data is as of 2025-10-31: every April 6-month window has ended by the referral date', () => {
    const system = published.docs.get('cof_system');
    expect(system?.data_as_of).toBe('2025-10-31');
    expect(system?.summary?.windows_ended).toEqual([{ months: 6, referred_on_or_before: '2025-04-30' }]);
  });

  it("A&E, the review's spec: the uses so far left out, the cumulative count replacing the earlier one", () => {
    // U00004-U00006's 60 referrals: before 60 x 4 = 240, after the latest row, 60 x 3 = 180: (180 - 240) / 240 =
    // -25.0%; every difference is -1, so sd 0 and the interval is the point. U00001-U00003's 60 have no after count
    // dated on or after the window's end (their only one is a month in): not counted. (Summed, as before: 120
    // referrals, 480 before, 60 x 1 + 60 x (1 + 3) = 300 after, -37.5%.)
    expect(figures('national', 'ENG', 'ae_attendance')).toEqual([60, 240, 180, -25, -25, -25]);
    // Y56 holds U00002 (left out), U00004 and U00006: 40 referrals, 160 -> 120; Y58 U00005's 20: 80 -> 60.
    expect(figures('region', 'Y56', 'ae_attendance')).toEqual([40, 160, 120, -25, null, null]);
    expect(figures('region', 'Y58', 'ae_attendance')).toEqual([20, 80, 60, -25, null, null]);
  });

  it("GP: England after 360, -25.0%, the review's truth, whichever row of a window comes first in the file", () => {
    // 120 referrals, before 480; after the row dated 6 months and a day in, 3 each: 360, (360 - 480) / 480 = -25.0%.
    // (Summed: after 1 + 3 = 4 each, 480, 0%.)
    expect(figures('national', 'ENG', 'gp_appointment')).toEqual([120, 480, 360, -25, -25, -25]);
    for (const code of ['QAA', 'QBB', 'QCC'])
      expect(figures('icb', code, 'gp_appointment')).toEqual([40, 160, 120, -25, null, null]);
    // Every referral's 4 before is GP band 4-6: the band is the whole.
    const band = published.row('cof_system', 'national', 'ENG', '2025/26', {
      service: 'gp_appointment',
      baseline_band: '4-6',
    });
    expect([band.people, band.before_total, band.after_total]).toEqual([120, 480, 360]);
  });

  it('emergency admissions: a re-sent before count replaces the first; an after count dated on the end counts', () => {
    // 120 referrals, before the later row, 1 each: 120; after 1 each: 120; 0%. (Summed: before 2 + 1 = 3 each, 360,
    // -66.7%, and every referral in band 2+.) Band 1 (1 before), not 2+.
    expect(figures('national', 'ENG', 'emergency_admission')).toEqual([120, 120, 120, 0, 0, 0]);
    const band = (b: string) =>
      published.docs
        .get('cof_system')
        ?.rows.filter(
          (r) =>
            r.level === 'national' &&
            r.period === '2025/26' &&
            r.service === 'emergency_admission' &&
            r.baseline_band === b,
        )
        .map((r) => r.people);
    expect(band('1')).toEqual([120]);
    expect(band('2+')).toEqual([]);
  });

  it('outpatients: two rows of one date, the one with recorded_at, else the larger count', () => {
    // U00001-U00003's after is 2 (the row with recorded_at), U00004-U00006's 6 (the larger, though first in the file):
    // before 120 x 2 = 240, after 60 x 2 + 60 x 6 = 480, +100%. Differences 0 and +4, 60 of each: mean 2, sd
    // sqrt((60 x 16 - 240^2 / 120) / 119) = sqrt(480 / 119) = 2.0084; t(119) 1.9801 x 2.0084 / sqrt(120) = 0.3630
    // appointments, over the mean use before 2: 18.15%, so +81.8% to +118.2%. (Summed: 8 each, 960, +300%.)
    expect(figures('national', 'ENG', 'outpatient')).toEqual([120, 240, 480, 100, 81.8, 118.2]);
  });
});
