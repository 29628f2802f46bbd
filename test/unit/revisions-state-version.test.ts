import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { REVISIONS_STATE_KEY } from '../../functions/lib/keys.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';
import { releaseDocuments } from '../support/revisions-release.ts';

/*
 * Red-team review 12, R12-2: a record written before a change of how a PCN's contribution is counted (version 2 kept a
 * year's mean of months as each PCN's year mean; version 3 its months' sum) must not be differenced against: every PCN
 * looked changed, so one PCN's correction passed the rule. A record of another version is not read: the release fails
 * closed, as with no record (every England figure differing from the one published is held).
 */
const ROLLOUT = CATALOGUE.find((d) => d.name === 'rollout') as (typeof CATALOGUE)[number];
const PCNS = ['U00001', 'U00002', 'U00003'];
const YEAR = '2025/26';
const rollout = (referrals: readonly number[]): Row[] => {
  const row = (n: number) => ({ referrals: n, people_referred: n, declines: 0, declined_after_referral: 0 });
  const total = referrals.reduce((s, n) => s + n, 0);
  return [
    { level: 'national', code: 'ENG', period_type: 'fy', period: YEAR, ...row(total) },
    ...referrals.map((n, i) => ({ level: 'pcn', code: PCNS[i] as string, period_type: 'fy', period: YEAR, ...row(n) })),
  ];
};

describe('a revisions record of another version is not read (review 12, R12-2)', () => {
  it.each([
    // The record as written: three PCNs' +10, +12, +14 pass the rule (120 -> 156).
    ['as written', undefined, 156, false],
    // The same record labelled version 2: not read, so the change since the published 120 is an unknown part: held.
    ['of version 2', 2, 120, true],
  ])('a record %s', async (_, version, referrals, failClosed) => {
    const store = new MemoryObjectStore();
    const first = await releaseDocuments(PCNS, store, '2025-08-05T06:00:00.000Z', new Map(), [
      [ROLLOUT, rollout([30, 40, 50])],
    ]);
    if (version !== undefined) {
      const state = JSON.parse(gunzipSync((await store.get(REVISIONS_STATE_KEY)) as Uint8Array).toString('utf8'));
      await store.put(REVISIONS_STATE_KEY, gzipSync(JSON.stringify({ ...state, version })));
    }
    const second = await releaseDocuments(PCNS, store, '2025-09-05T06:00:00.000Z', first.published, [
      [ROLLOUT, rollout([40, 52, 64])],
    ]);
    expect(second.englandAt('rollout', YEAR).referrals).toBe(referrals);
    expect(second.revisions.heldInRelease()?.fail_closed ?? false).toBe(failClosed);
  });
});
