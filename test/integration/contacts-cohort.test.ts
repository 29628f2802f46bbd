import { describe, expect, it } from 'vitest';
import { type GoldenEvent, referralEvent, TWO_ICBS_REFERENCE } from '../support/golden.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * Review 8, N2: the contacts distribution against cof_person's outcome cohort (a sum across documents).
 * U00001 (QAA, Y56): 7 referrals in April 2025 with 0, 1, 2, 3, 4, 5 and 6 link worker contacts (in May). U00002 (QAA)
 * and U00003, U00004 (QBB, Y58): 10 referrals with each of 0..7 contacts (80 each). Every PCN also sends four
 * referrals a month May-October (after the outcome cohort). England's year is published: with 3 PCNs (U00001's 7
 * beside two 80s, under 10% of the largest) or one referral a month per PCN it would be held (review 8, N5). Refresh 5 Nov 2025: data as of 31 Oct, outcome cohort =
 * referred on or before 30 April. Before the fix U00001's outcome cohort was `*` (at most 7) and its seven bins `*`
 * (at least 7): exactly 7, each bin exactly 1, so splw_contacts exactly 0 + 1 + ... + 6 = 21 (published 20).
 */
const contact = (pcn: string, ref: string, j: number): GoldenEvent => ({
  event_id: `C-${ref}-${j}`,
  event_type: 'contact',
  pcn_code: pcn,
  referral_id: ref,
  person_id: referralEvent(pcn, ref, '2025-04-01').person_id,
  occurred_on: `2025-05-${String(j + 1).padStart(2, '0')}`,
  contact_mode: 'telephone',
  worker_role: 'splw',
  duration_minutes: 20,
});
const uploads: Record<string, GoldenEvent[]> = {};
for (const [pcn, per, most] of [
  ['U00001', 1, 6],
  ['U00002', 10, 7],
  ['U00003', 10, 7],
  ['U00004', 10, 7],
] as const) {
  const april: GoldenEvent[] = [];
  const may: GoldenEvent[] = [];
  for (let k = 0; k <= most; k++)
    for (let r = 0; r < per; r++) {
      const ref = `${pcn}-k${k}-r${r}`;
      april.push(referralEvent(pcn, ref, `2025-04-1${r % 9}`));
      for (let j = 0; j < k; j++) may.push(contact(pcn, ref, j));
    }
  uploads[`${pcn}-2025-04.csv`] = april;
  const later = (m: string) => [1, 2, 3, 4].map((i) => referralEvent(pcn, `${pcn}-m${m}-${i}`, `2025-${m}-2${i}`));
  uploads[`${pcn}-2025-05.csv`] = [...may, ...later('05')];
  for (const m of ['06', '07', '08', '09', '10']) uploads[`${pcn}-2025-${m}.csv`] = later(m);
}
const { docs, disclosureFindings } = goldenProgramme('contacts-cohort', {
  uploads,
  reference: TWO_ICBS_REFERENCE,
  now: new Date('2025-11-05T06:00:00Z'),
  timeoutMs: 180_000,
});

describe("the contacts distribution against cof_person's outcome cohort (review 8, N2)", () => {
  it("no longer pins U00001's cohort from its bins and cof_person's `*`", () => {
    const bins = Object.fromEntries(
      (docs.get('contacts_distribution')?.rows ?? [])
        .filter((r) => r.level === 'pcn' && r.code === 'U00001' && r.period === '2025/26')
        .map((r) => [String(r.contacts), r.episodes]),
    );
    const cohort = (docs.get('cof_person')?.rows ?? []).find(
      (r) => r.level === 'pcn' && r.code === 'U00001' && r.period === '2025/26',
    )?.outcome_cohort;
    expect(cohort).toBe('*');
    // U00001's bins 0..6 (1 each) are `*`, its cohort `*` (at most 7): the bins floor it at 7. Bin 7 (shown by QAA,
    // U00002's 10) is added, a zero shown `*`: the bins now say 8 or more against at most 7, so a reader cannot take
    // every `*` as 1 to 7 and nothing is pinned. Nothing withheld.
    expect(bins).toEqual(Object.fromEntries([0, 1, 2, 3, 4, 5, 6, 7].map((k) => [String(k), '*'])));
    // The reader's bounds: at most 7 (cof_person's `*`); at least one per bin shown `*` (a rounded bin 8 or more).
    const least = Object.values(bins).reduce<number>(
      (s, v) => s + (v === '*' ? 1 : v === 0 ? 0 : Math.max(8, Number(v) - 2)),
      0,
    );
    expect(least).toBe(8);
  });

  it('leaves nothing the scan recovers, and England as counted', () => {
    expect(disclosureFindings()).toEqual([]);
    const england = (docs.get('contacts_distribution')?.rows ?? []).filter(
      (r) => r.level === 'national' && r.period === '2025/26',
    );
    // Bins 0..6: 1 + 10 + 10 + 10 = 31 each; bin 7: 10 + 10 + 10.
    expect(Object.fromEntries(england.map((r) => [r.contacts, r.episodes]))).toEqual({
      0: 31,
      1: 31,
      2: 31,
      3: 31,
      4: 31,
      5: 31,
      6: 31,
      7: 30,
    });
  });
});
