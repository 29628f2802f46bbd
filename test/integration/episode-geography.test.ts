import { describe, expect, it } from 'vitest';
import { type GoldenEvent, referralEvent } from '../support/golden.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * An episode recorded by two referral events either side of its PCN's move (sql/prepare/episodes.sql): the episode
 * is the first event's, whole. U20001 is in QBB (Y58) to 30 September 2025 and in QAA (Y56) from 1 October; one of
 * its August referrals is recorded again on 5 November (same referral id, another event). The episode began in
 * August, in QBB: taking each column's minimum on its own would give it August's month but QAA's code (QAA < QBB).
 * Its first event has no deprivation decile (optional in the contract) and the second has decile 2: the episode's
 * decile is the first event's, unknown, not filled in from the later event.
 *
 *   PCN     Aug 2025 referrals       area in August
 *   U20001  10 (one again in Nov)    QBB / Y58
 *   U20002  22                       QAA / Y56
 *   U20003  25                       QBB / Y58
 *
 * U20002 and U20003 also send a link worker contact on 20 November (after its referral's 3-month window: in no
 * figure), so that, as U20001's, their data run to November and their August referrals' engagement windows (to 12
 * November) end by their end of observation: in the engagement cohort, which is then each PCN's August episodes
 * (without it their data ended in August, their referrals were in no cohort, England's cohort was U20001's 10 alone,
 * and its cells below England `*`, episodes with them: review 26, R26-1).
 */
const referral = referralEvent;
const august = (pcn: string, n: number) =>
  Array.from({ length: n }, (_, i) => referral(pcn, `${pcn}-R${i}`, '2025-08-12', `E-${pcn}-${i}`));
const [firstOfTwice, ...restOfU20001] = august('U20001', 10);
/** A link worker contact on the PCN's first August referral, on 20 November: after its 3-month window. */
const lateContact = (pcn: string): GoldenEvent => ({
  event_id: `C-${pcn}`,
  event_type: 'contact',
  pcn_code: pcn,
  referral_id: `${pcn}-R0`,
  person_id: referral(pcn, `${pcn}-R0`, '2025-08-12').person_id,
  occurred_on: '2025-11-20',
  contact_mode: 'telephone',
  worker_role: 'splw',
  duration_minutes: 30,
});

const UPLOADS: Record<string, GoldenEvent[]> = {
  'u20001.csv': [
    { ...firstOfTwice, imd_decile: undefined },
    ...restOfU20001,
    referral('U20001', 'U20001-R0', '2025-11-05', 'E-U20001-again'),
  ],
  'u20002.csv': [...august('U20002', 22), lateContact('U20002')],
  'u20003.csv': [...august('U20003', 25), lateContact('U20003')],
};

const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U20001,Alpha PCN,QBB,NHS Bravo ICB,Y58,South West,10000,2019-04-01,2025-09-30
U20001,Alpha PCN,QAA,NHS Alpha ICB,Y56,London,10000,2025-10-01,
U20002,Bravo PCN,QAA,NHS Alpha ICB,Y56,London,20000,2019-04-01,
U20003,Charlie PCN,QBB,NHS Bravo ICB,Y58,South West,30000,2019-04-01,
`;

const { row } = goldenProgramme('episode-geography', {
  uploads: UPLOADS,
  reference: REFERENCE,
  now: new Date('2026-01-05T00:00:00Z'),
});

describe('an episode recorded before and after its PCN moved ICB', () => {
  it('is counted once, in the month and area of its first referral event', () => {
    const episodes = (level: string, code: string, period: string) => row('cof_person', level, code, period).episodes;
    // QAA August: U20002's 22 -> 20 (with QAA's code on U20001's episode: 23 -> 25).
    // QBB August: 25 + 10 = 35 -> 35. England August: 57, exact. No episode in November anywhere.
    expect(episodes('icb', 'QAA', '2025-08')).toBe(20);
    expect(episodes('icb', 'QBB', '2025-08')).toBe(35);
    expect(episodes('region', 'Y56', '2025-08')).toBe(20);
    expect(episodes('region', 'Y58', '2025-08')).toBe(35);
    expect(episodes('national', 'ENG', '2025-08')).toBe(57);
    expect(episodes('pcn', 'U20001', '2025-08')).toBe(10);
  });

  it('takes its deprivation decile from its first event, even when that event has none', () => {
    // England 2025/26 (exact at England level): 57 people; U20001-R0's decile is unknown, the other 56 are decile 2.
    const people = (group: string) =>
      row('equity', 'national', 'ENG', '2025/26', { dimension: 'imd_decile', group }).people_referred;
    expect([people('unknown'), people('2')]).toEqual([1, 56]);
  });
});
