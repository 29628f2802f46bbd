import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type GoldenEvent, referralEvent } from '../support/golden.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * A decline is recorded in one of two ways (functions/contract, referral_id): on the referral's referral_id, by a
 * person referred who then declines, or with a referral_id of its own and no referral, an offer declined. Review 6
 * (K3) found the first counted twice: as a referral not taken up (Outcomes) and as one more offer in the decline rate
 * (declines / (referrals + declines)): take-up 75% beside declines 20% of the same referrals. Two programmes, worked
 * out by hand, each refreshed on 2025-10-20: data as of 2025-09-30, the engagement cohort referrals on or before
 * 2025-06-30 (April to June). PCNs U00001-U00006, list 30,000 each, in Y58, Y56, Y58, Y56, Y58, Y56.
 * Review 31, R31-2: referrals declined are counted only on the referrals whose 3 months have passed (April to June),
 * as take-up is; July to September, whose windows are open, count 0 and have no %; the year, in progress, no % in
 * rollout (the Rollout page's is over its closed months' referrals: R34-6). Before, July to September counted the
 * declines recorded so far, and the year's % was over every referral of it.
 *
 * A, review 6's f3 (declines on the referral only): U00001-U00006, April to September 2025, 40 referrals a month
 *   each on days 1-10; of each month's 40, 10 decline 5 days after the referral (same referral_id), 30 have a link
 *   worker contact 10 days after. England: 6 x 6 x 40 = 1,440 referrals, 360 declined after referral (25%), no offer
 *   declined (decline rate 0%); cohort 6 x 3 x 40 = 720, engaged 540 (75%).
 * B, both styles in each PCN: U00001-U00004, the same months and referrals as A, and 10 offers declined a month each
 *   (a referral_id of its own, no referral); and in U00001, 10 each of:
 *   E1 referred 2025-04-01..10, a contact 5 days after, a decline the day after the 3-month window ends (2025-07-02..
 *      11): engaged, and the decline counts nowhere (not declined by the window's end; not an offer: it has a referral).
 *   E2 referred 2025-04-11..20, declined on the window's last day (2025-07-11..20, counted: both ends count) and again
 *      5 days later: one referral declined, not engaged.
 *   E3 ten people each referred twice (2025-05-01..10 and 2025-08-01..10), each referral declined 2 days after: 20
 *      referrals declined by 10 people.
 *   England 2025/26: referrals 4 x 6 x 40 + 10 + 10 + 20 = 1,000, people 990, offers declined 4 x 6 x 10 = 240,
 *   declined after referral 240 + 10 + 20 = 270; decline rate 240 / (1,000 + 240) = 19.35 -> 19.4%, declined after
 *   referral 270 / 1,000 = 27%; cohort 4 x 3 x 40 + 30 = 510, engaged 360 + 10 = 370 (72.5%). By month (referrals,
 *   offers declined, declined after referral): April 160 + 20 = 180, 40, 40 + 10 (E2) = 50; May 170, 40, 50 (E3); June
 *   160, 40, 40; July 160, 40, 40 (E1's July declines count nowhere); August 170, 40, 50 (E3); September 160, 40, 40.
 *   Y56 (U00002, U00004, no E): 480 referrals, 120 offers declined (20% of 600 offers), 120 declined after referral
 *   (25%); cohort 240, engaged 180 (75%).
 */
const MONTHS = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09'];
const PCNS = ['U00001', 'U00002', 'U00003', 'U00004', 'U00005', 'U00006'];
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
${PCNS.map((p, i) => `${p},PCN ${p},${['QAA', 'QBB', 'QCC'][i % 3]},ICB ${i % 3},${i % 2 ? 'Y56' : 'Y58'},R${i % 2},30000,2019-04-01,`).join('\n')}
`;

const hash = (s: string) => createHash('sha256').update(s).digest('hex');
const day = (month: string, d: number) => `${month}-${String(d).padStart(2, '0')}`;
let serial = 0;
const follow = (pcn: string, id: string, on: string, fields: GoldenEvent, person = hash(id)): GoldenEvent => ({
  event_id: `F-${++serial}`,
  pcn_code: pcn,
  referral_id: id,
  person_id: person,
  occurred_on: on,
  ...fields,
});
const contact = (pcn: string, id: string, on: string) =>
  follow(pcn, id, on, { event_type: 'contact', contact_mode: 'telephone', worker_role: 'splw', duration_minutes: 30 });
const declined = (pcn: string, id: string, on: string, person = hash(id)) =>
  follow(pcn, id, on, { event_type: 'declined', snomed_code: '871711000000103', decline_reason: 'not_ready' }, person);

/** Each PCN's referrals, a quarter declined on the referral; with offers declined too when `offers`. */
function uploads(pcns: readonly string[], offers: boolean): Record<string, GoldenEvent[]> {
  const files: Record<string, GoldenEvent[]> = {};
  for (const pcn of pcns) {
    const rows: GoldenEvent[] = [];
    for (const m of MONTHS) {
      for (let i = 0; i < 40; i++) {
        const id = `${pcn}-${m}-${i}`;
        const d = 1 + (i % 10);
        rows.push(referralEvent(pcn, id, day(m, d)));
        rows.push(i % 4 === 0 ? declined(pcn, id, day(m, d + 5)) : contact(pcn, id, day(m, d + 10)));
      }
      if (offers) for (let i = 0; i < 10; i++) rows.push(declined(pcn, `${pcn}-${m}-offer-${i}`, day(m, 1 + i)));
    }
    files[`${pcn}.jsonl`] = rows;
  }
  return files;
}

/** U00001's edge cases E1-E3 (above). */
function edges(): GoldenEvent[] {
  const rows: GoldenEvent[] = [];
  for (let d = 1; d <= 10; d++) {
    const e1 = `U00001-E1-${d}`;
    rows.push(referralEvent('U00001', e1, day('2025-04', d)), contact('U00001', e1, day('2025-04', d + 5)));
    rows.push(declined('U00001', e1, day('2025-07', d + 1)));
    const e2 = `U00001-E2-${d}`;
    rows.push(referralEvent('U00001', e2, day('2025-04', d + 10)));
    rows.push(declined('U00001', e2, day('2025-07', d + 10)), declined('U00001', e2, day('2025-07', d + 15)));
    const person = hash(`E3 person ${d}`);
    for (const m of ['2025-05', '2025-08']) {
      const e3 = `U00001-E3-${m}-${d}`;
      rows.push({ ...referralEvent('U00001', e3, day(m, d)), person_id: person });
      rows.push(declined('U00001', e3, day(m, d + 2), person));
    }
  }
  return rows;
}

type Row = (name: string, level: string, code: string, period: string) => Record<string, unknown>;
const level = (code: string) => (code === 'ENG' ? 'national' : 'region');
/** referrals, offers declined, declined after referral, decline rate %, declined after referral %. */
const declines = (row: Row, code: string, period: string) => {
  const r = row('rollout', level(code), code, period);
  return [r.referrals, r.declines, r.declined_after_referral, r.decline_rate_pct, r.declined_after_referral_pct];
};
const takeUp = (row: Row, code: string) => {
  const r = row('cof_person', level(code), code, '2025/26');
  return [r.engagement_cohort, r.engaged, r.engaged_pct];
};

describe("A, review 6's scenario: every decline on its referral", () => {
  const { docs, row, disclosureFindings } = goldenProgramme('declines-on-referral', {
    uploads: uploads(PCNS, false),
    reference: REFERENCE,
    now: new Date('2025-10-20T00:00:00Z'),
  });

  it('decline rate of offers 0%, declined after referral 25%, take-up 75%', () => {
    expect(docs.get('rollout')?.data_as_of).toBe('2025-09-30');
    // Referrals declined of the cohort, April to June: 6 PCNs x 3 months x 10 = 180 (of the cohort's 720: 25%); the
    // year has referrals whose windows are open, so no % over all its 1,440.
    expect(declines(row, 'ENG', '2025/26')).toEqual([1440, 0, 180, 0, null]);
    // A month whose window has closed: 60 of 240 (25%); one still open (September): not counted yet, no %.
    expect(declines(row, 'ENG', '2025-06')).toEqual([240, 0, 60, 0, 25]);
    expect(declines(row, 'ENG', '2025-09')).toEqual([240, 0, 0, 0, null]);
    expect(takeUp(row, 'ENG')).toEqual([720, 540, 75]);
  });

  it('within the engagement cohort, engaged and declined after referral add up to the referrals, not more', () => {
    // April to June: 720 referrals, 540 engaged and 180 declined (each month's 10 of 40 per PCN).
    const months = ['2025-04', '2025-05', '2025-06'].map((m) => row('rollout', 'national', 'ENG', m));
    expect(months.map((r) => [r.referrals, r.declined_after_referral])).toEqual([
      [240, 60],
      [240, 60],
      [240, 60],
    ]);
    expect((takeUp(row, 'ENG')[1] as number) + 3 * 60).toBe(720);
  });

  it('the definitions say which decline is which', () => {
    const definitions = docs.get('rollout')?.definitions ?? {};
    expect(definitions.declines).toMatch(
      /^Offers declined: declines \(871711000000103\) whose referral_id has no referral/,
    );
    expect(definitions.declined_after_referral).toMatch(/^Referrals declined: accepted referrals with a decline on/);
    expect(definitions.decline_rate_pct).toMatch(/declines \/ \(referrals \+ declines\)/);
    expect(definitions.declined_after_referral_pct).toMatch(/declined_after_referral \/ referrals/);
  });

  it('publishes nothing the disclosure scan finds', () => {
    expect(disclosureFindings()).toEqual([]);
  });
});

describe('B, both styles in each PCN: each decline counted once, as an offer declined or as a referral declined', () => {
  const { row, disclosureFindings } = goldenProgramme('declines-both-styles', {
    uploads: { ...uploads(PCNS.slice(0, 4), true), 'U00001-edges.jsonl': edges() },
    reference: REFERENCE,
    now: new Date('2025-10-20T00:00:00Z'),
  });

  it('England: offers declined beside the referrals in the decline rate; a late decline counts nowhere, a repeated one once', () => {
    // Referrals declined, April to June only (R31-2): 50 + 50 + 40 = 140 of the cohort's 510 (E3's August referrals,
    // window open, not yet); no % for the year in progress.
    expect(declines(row, 'ENG', '2025/26')).toEqual([1000, 240, 140, 19.4, null]);
    // Referrals declined counts referrals, not people: E3's ten people declined twenty referrals.
    expect(row('rollout', 'national', 'ENG', '2025/26').people_referred).toBe(990);
    expect(takeUp(row, 'ENG')).toEqual([510, 370, 72.5]);
    expect(MONTHS.map((m) => declines(row, 'ENG', m).slice(0, 3))).toEqual([
      [180, 40, 50],
      [170, 40, 50],
      [160, 40, 40],
      [160, 40, 0],
      [170, 40, 0],
      [160, 40, 0],
    ]);
  });

  it('a region of both styles: 20% of offers declined before referral, 25% of referrals after, 75% took up', () => {
    // Referrals declined of the cohort (R31-2): U00002 and U00004, April to June, 2 x 3 x 10 = 60 of 240 (25%).
    expect(declines(row, 'Y56', '2025/26')).toEqual([480, 120, 60, 20, null]);
    expect(takeUp(row, 'Y56')).toEqual([240, 180, 75]);
  });

  it('publishes nothing the disclosure scan finds', () => {
    expect(disclosureFindings()).toEqual([]);
  });
});
