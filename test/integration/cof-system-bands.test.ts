import { describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { serviceUseBandProblems } from '../support/disclosure-scan-bands.ts';
import { type GoldenEvent, referralEvent } from '../support/golden.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * The system document's bands of use before referral bound each referral's use (GP 7+: 7 or more; A&E 1: exactly 1),
 * so a band's before_total bounds its people (red-team review 2, F2). Two hand-worked programmes run through the whole
 * pipeline (ingest, DuckDB, refreshMetrics). Every referral is made in April 2025 with 6-month windows before and after
 * (the one length published: review 26, R26-3; 3-month windows here before, the figures the same), the after dated
 * 2025-11-01, after every window's end (28 October at the latest); contacts up to November make the data as of
 * 2025-11-30, so every window has ended (cut-off 2025-05-31).
 * PCNs: U00001 and U00002 in QAA (Y56), U00003 and U00004 in QBB (Y58).
 */
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U00001,Alpha PCN,QAA,NHS Alpha ICB,Y56,London,30000,2019-04-01,
U00002,Bravo PCN,QAA,NHS Alpha ICB,Y56,London,30000,2019-04-01,
U00003,Charlie PCN,QBB,NHS Bravo ICB,Y58,South West,30000,2019-04-01,
U00004,Delta PCN,QBB,NHS Bravo ICB,Y58,South West,30000,2019-04-01,
`;
const NOW = new Date('2025-12-05T00:00:00Z');

/** Referrals of one PCN, each with `before` and `after` uses of `service` in 6-month windows: [how many, before, after]. */
function programme(pcn: string, service: string, groups: readonly (readonly [number, number, number])[]) {
  const events: GoldenEvent[] = [];
  let i = 0;
  for (const [referrals, before, after] of groups)
    for (let j = 0; j < referrals; j++, i++) {
      const id = `${pcn}-${i}`;
      const on = `2025-04-${String(1 + (i % 28)).padStart(2, '0')}`;
      const use = (window: string, count: number, at: string): GoldenEvent => ({
        event_id: `S-${id}-${window}`,
        event_type: 'service_use',
        pcn_code: pcn,
        referral_id: id,
        person_id: referralEvent(pcn, id, on).person_id,
        occurred_on: at,
        service,
        window,
        window_months: 6,
        count,
      });
      events.push(referralEvent(pcn, id, on), use('before', before, on), use('after', after, '2025-11-01'));
    }
  for (const month of ['05', '06', '07', '08', '09', '10', '11'])
    events.push({
      event_id: `C-${pcn}-${month}`,
      event_type: 'contact',
      pcn_code: pcn,
      referral_id: `${pcn}-0`,
      person_id: referralEvent(pcn, `${pcn}-0`, '2025-04-01').person_id,
      occurred_on: `2025-${month}-15`,
      contact_mode: 'telephone',
      worker_role: 'splw',
      duration_minutes: 20,
    });
  return events;
}

/** The programme of these uploads published once for the describe block it is called in. */
const publish = (name: string, uploads: Record<string, GoldenEvent[]>) =>
  goldenProgramme(name, { uploads, reference: REFERENCE, now: NOW, timeoutMs: 180_000 });

const FIGURES = ['people', 'before_total', 'after_total', 'change_pct'] as const;
/** FIGURES of an area's band of use before referral of `service` in 2025/26, as `published`. */
const bandFigures =
  (published: ReturnType<typeof publish>, service: string) => (level: string, code: string, band: string) =>
    FIGURES.map((f) => published.row('cof_system', level, code, '2025/26', { service, baseline_band: band })[f]);

/**
 * GP appointments (before, after): U00001 has 20 referrals with 2 and 2 and one frequent attender with 9 and 2 (the
 * review's case: alone in band 7+); U00003 has 20 with 3 and 3 and 8 with exactly 7 and 5 (band 7+: 8 referrals, 56
 * appointments); U00002 20 with 1 and 1 and 12 with 8 and 5; U00004 20 with 0 and 0 and 12 with 10 and 5.
 */
describe('cof_system GP bands: a total that would say how many people its band holds', () => {
  const gp = publish('cof-system-gp', {
    'u1.jsonl': programme('U00001', 'gp_appointment', [
      [20, 2, 2],
      [1, 9, 2],
    ]),
    'u2.jsonl': programme('U00002', 'gp_appointment', [
      [20, 1, 1],
      [12, 8, 5],
    ]),
    'u3.jsonl': programme('U00003', 'gp_appointment', [
      [20, 3, 3],
      [8, 7, 5],
    ]),
    'u4.jsonl': programme('U00004', 'gp_appointment', [
      [20, 0, 0],
      [12, 10, 5],
    ]),
  });

  it('publishes the hand-worked figures: no total beside a suppressed people, none that pins people', () => {
    const figures = bandFigures(gp, 'gp_appointment');
    // England, exact: 0-3 80 referrals, 40 + 20 + 60 + 0 = 120 before and after; 7+ 1 + 12 + 8 + 12 = 33, before
    // 9 + 96 + 56 + 120 = 281, after 2 + 60 + 40 + 60 = 162 (-42.3%); all 113, 401, 282 (-29.7%).
    expect(figures('national', 'ENG', '0-3')).toEqual([80, 120, 120, 0]);
    expect(figures('national', 'ENG', '7+')).toEqual([33, 281, 162, -42.3]);
    expect(figures('national', 'ENG', 'all')).toEqual([113, 401, 282, -29.7]);
    // U00001's frequent attender: people 1 is `*`, and so are the totals (main published before_total 9 as 10: 8 to
    // 12, at least 7 each, so exactly 1 person with 8 to 12 appointments). Its 0-3 band (20) is `*` beside it
    // (secondary suppression: 20 and the row `all`, 21, both show 20; the first goes).
    expect(figures('pcn', 'U00001', '7+')).toEqual(['*', '*', '*', '*']);
    expect(figures('pcn', 'U00001', '0-3')).toEqual(['*', '*', '*', '*']);
    expect(figures('pcn', 'U00001', 'all')).toEqual([20, 50, 40, -20]);
    // U00003's 8 referrals with 56 appointments: people 10 (8 to 12) beside 55 (53 to 57, at least 7 each: at most
    // 8 people) would pin people to 8; the before_total is `*` instead. Secondary suppression across its bands takes
    // the 0-3 total (60) with it, and then (QBB's PCNs, U00004's bands: its 0-3 total is 0) U00004's 7+ and `all`
    // totals and U00003's `all`; QBB's and Y58's 0-3 and 7+ before, and Y56's (England less Y58). The after totals
    // bound nothing and stay.
    expect(figures('pcn', 'U00003', '7+')).toEqual([10, '*', 40, '*']);
    expect(figures('pcn', 'U00003', '0-3')).toEqual([20, '*', 60, '*']);
    expect(figures('pcn', 'U00003', 'all')).toEqual([30, '*', 100, '*']);
    expect(figures('pcn', 'U00004', '7+')).toEqual([10, '*', 60, '*']);
    expect(figures('pcn', 'U00004', '0-3')).toEqual([20, 0, 0, null]);
    expect(figures('pcn', 'U00004', 'all')).toEqual([30, '*', 60, '*']);
    // U00002's bands are `*` beside U00001's in QAA (secondary), their totals with them.
    expect(figures('pcn', 'U00002', '7+')).toEqual(['*', '*', '*', '*']);
    expect(figures('pcn', 'U00002', '0-3')).toEqual(['*', '*', '*', '*']);
    expect(figures('pcn', 'U00002', 'all')).toEqual([30, 115, 80, -30.4]);
    expect(figures('icb', 'QAA', '7+')).toEqual([15, 105, 60, -42.9]);
    expect(figures('icb', 'QBB', '7+')).toEqual([20, '*', 100, '*']);
    expect(figures('region', 'Y56', '7+')).toEqual([15, '*', 60, '*']);
  });

  it('leaves the scan nothing to find, band bounds included', () => {
    expect(gp.disclosureFindings()).toEqual([]);
  });
});

/**
 * A&E attendances, the review's second case (bands 0 / 1 / 2+ of attendances before; after, every other referral 1):
 * referrals per band U00001 3 / 10 / 12, U00002 20 / 15 / 12, U00003 18 / 14 / 11, U00004 16 / 12 / 13.
 */
describe('cof_system A&E bands: band 1 before_total is its people', () => {
  const plan: Record<string, readonly number[]> = {
    U00001: [3, 10, 12],
    U00002: [20, 15, 12],
    U00003: [18, 14, 11],
    U00004: [16, 12, 13],
  };
  const uploads: Record<string, GoldenEvent[]> = {};
  for (const [pcn, counts] of Object.entries(plan)) {
    // One group per referral: its after is 1 for every other referral of the PCN (odd positions).
    const groups: [number, number, number][] = [];
    let i = 0;
    counts.forEach((k, before) => {
      for (let j = 0; j < k; j++, i++) groups.push([1, before, i % 2]);
    });
    uploads[`${pcn}.jsonl`] = programme(pcn, 'ae_attendance', groups);
  }
  const ae = publish('cof-system-ae', uploads);

  it('suppresses a band total wherever its people is suppressed, primary or secondary', () => {
    const figures = bandFigures(ae, 'ae_attendance');
    // England, exact. Band 0: 57 referrals, 0 before, after 1 + 10 + 9 + 8 = 28 (each PCN's odd positions); band 1:
    // 51, 51, 5 + 7 + 7 + 6 = 25; band 2+: 48, 96, 6 + 6 + 5 + 6 = 23; all 156, 147, 76.
    expect(figures('national', 'ENG', '0')).toEqual([57, 0, 28, null]);
    expect(figures('national', 'ENG', '1')).toEqual([51, 51, 25, -51]);
    expect(figures('national', 'ENG', '2+')).toEqual([48, 96, 23, -76]);
    expect(figures('national', 'ENG', 'all')).toEqual([156, 147, 76, -48.3]);
    // U00002's band 1 (15 referrals) is `*` as U00001's second cell in QAA; main published its before_total 15, which
    // in band 1 is the people: 13 to 17. Now `*` with it, and the after total and change too.
    expect(figures('pcn', 'U00002', '1')).toEqual(['*', '*', '*', '*']);
    // U00001's band 0 (3 referrals): `*`; its before_total is 0 whatever its people, and stays 0.
    expect(figures('pcn', 'U00001', '0')).toEqual(['*', 0, '*', '*']);
    const cofSystem = ae.docs.get('cof_system') as MetricDocument;
    const beside = cofSystem.rows.filter(
      (r) =>
        r.level !== 'national' &&
        r.people === '*' &&
        (typeof r.after_total === 'number' || (r.baseline_band !== '0' && typeof r.before_total === 'number')),
    );
    expect(beside).toEqual([]);
    expect(cofSystem.rows.flatMap((r) => serviceUseBandProblems(cofSystem, r))).toEqual([]);
  });

  it('leaves the scan nothing to find, band bounds included', () => {
    expect(ae.disclosureFindings()).toEqual([]);
  });
});
