import { describe, expect, it } from 'vitest';
import { REFERRAL_REASONS, REFERRAL_SOURCES } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';
import { englandAndPcnRows, releaseDocuments } from '../support/revisions-release.ts';

/*
 * Red-team review 28, R28-5, for a count column of a category a PCN determines (catalogue.ts pcnKeys): a referral
 * pathway outside primary care (the police). Three PCNs, June and July 2025 and the year, one release (the first).
 * June: referrals 10, 20 and 30, of which U00001's 2 from the police (the rest from GPs): England's 2 police referrals
 * are U00001's. July: referrals 11, 21 and 31, from the police 1, 3 and 4 (3 PCNs; all but the two largest, 1, is at
 * least 10% of the largest, 4: not dominated), and U00001's 1 self-referral (the person's: not tested).
 */
const definition = (name: string) => CATALOGUE.find((d) => d.name === name) as (typeof CATALOGUE)[number];
const PCNS = ['U00001', 'U00002', 'U00003'];
const NONE = Object.fromEntries([
  ...REFERRAL_SOURCES.map((s) => [`source_${s}`, 0]),
  ...REFERRAL_REASONS.map((r) => [`reason_${r}`, 0]),
]);

const sources = (referrals: number, police: number, self = 0): Row => ({
  ...NONE,
  referrals,
  source_police: police,
  source_self: self,
  source_gp: referrals - police - self,
});
const referrals = (byPeriod: Record<string, readonly number[]>) =>
  englandAndPcnRows(
    PCNS,
    Object.fromEntries(
      Object.entries(byPeriod).map(([period, counts]) => [
        period,
        counts.map((n) => ({ referrals: n, people_referred: n, declines: 0, declined_after_referral: 0 })),
      ]),
    ),
  );

describe('England figures of a referral pathway only one PCN uses (review 28, R28-5)', () => {
  it("hold the source's unit (the referrals and every source) of the month and its year, in referral_sources alone", async () => {
    const first = await releaseDocuments(PCNS, new MemoryObjectStore(), '2025-08-05T06:00:00.000Z', new Map(), [
      [definition('rollout'), referrals({ '2025-06': [10, 20, 30], '2025-07': [11, 21, 31], '2025/26': [21, 41, 61] })],
      [
        definition('referral_sources'),
        englandAndPcnRows(PCNS, {
          '2025-06': [sources(10, 2), sources(20, 0), sources(30, 0)],
          '2025-07': [sources(11, 1, 1), sources(21, 3), sources(31, 4)],
          '2025/26': [sources(21, 3, 1), sources(41, 3), sources(61, 4)],
        }),
      ],
    ]);
    // June: 1 PCN's police referrals. Held as no figure with the rest of its unit: the referrals less the other
    // sources would give them back.
    expect(first.englandAt('referral_sources', '2025-06')).toMatchObject({
      referrals: null,
      source_police: null,
      source_gp: null,
      source_self: null,
    });
    // The year passes on its own (police 3, 3, 4), but less July (8) it would give June's 2: held with June.
    expect(first.englandAt('referral_sources', '2025/26')).toMatchObject({ referrals: null, source_police: null });
    // July: 3 PCNs' police referrals, 1 + 3 + 4 = 8; 63 referrals, 1 self-referral (one PCN's, but the person's).
    expect(first.englandAt('referral_sources', '2025-07')).toMatchObject({
      referrals: 63,
      source_police: 8,
      source_self: 1,
      source_gp: 54,
    });
    expect(first.revisions.heldOf('referral_sources')?.periods).toEqual(['2025-06', '2025/26']);
    // Not the period in other documents: rollout's June (60) and year (123) are published.
    expect(first.englandAt('rollout', '2025-06')).toMatchObject({ referrals: 60 });
    expect(first.englandAt('rollout', '2025/26')).toMatchObject({ referrals: 123 });
    expect(first.revisions.heldOf('rollout')).toBeUndefined();
    expect(first.revisions.heldByOwnChange()).toContainEqual({
      document: 'referral_sources',
      period: '2025-06',
      row: 'month|2025-06',
      column: 'source_police',
      reason: 'the key: fewer than 3 PCNs (1)',
    });
  });

  it('a source dominated by one PCN is held too', async () => {
    // June's police 20, 1 and 1: all but the two largest (1) is under 10% of the largest (2): dominated.
    const first = await releaseDocuments(PCNS, new MemoryObjectStore(), '2025-08-05T06:00:00.000Z', new Map(), [
      [definition('rollout'), referrals({ '2025-06': [30, 20, 30], '2025/26': [30, 20, 30] })],
      [
        definition('referral_sources'),
        englandAndPcnRows(PCNS, {
          '2025-06': [sources(30, 20), sources(20, 1), sources(30, 1)],
          '2025/26': [sources(30, 20), sources(20, 1), sources(30, 1)],
        }),
      ],
    ]);
    expect(first.englandAt('referral_sources', '2025-06')).toMatchObject({ referrals: null, source_police: null });
    expect(first.revisions.heldOf('referral_sources')?.periods).toEqual(['2025-06', '2025/26']);
    expect(first.englandAt('rollout', '2025-06')).toMatchObject({ referrals: 80 });
  });
});
