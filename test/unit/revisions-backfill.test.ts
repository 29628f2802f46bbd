import { describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';
import { releaseDocuments } from '../support/revisions-release.ts';

/*
 * Red-team review 21, R21-3: one PCN's history sent late (a PCN of a later wave, onboarded from its first month sent)
 * changes every past month alone. Those months stay held (England's exact change would be that PCN's exact counts,
 * which its own rows show only rounded to 5 or as `*`), and a month held holds its year; the year's counts of events
 * (each in one month: `rules.monthly`) are the sum of its months as published, not the value of the release before
 * the hold; its distinct people stay held.
 */
const PCNS = ['U00001', 'U00002', 'U00003', 'U00004'];
const ROLLOUT = CATALOGUE.find((d) => d.name === 'rollout') as (typeof CATALOGUE)[number];

/** Rollout's rows: each PCN's referrals per period (people referred the same, as one referral a person; no declines). */
function rollout(byPeriod: Record<string, readonly number[]>): Row[] {
  return Object.entries(byPeriod).flatMap(([period, counts]) => {
    const row = (level: string, code: string, referrals: number, reporting: number): Row => ({
      level,
      code,
      period_type: period.includes('/') ? 'fy' : 'month',
      period,
      referrals,
      people_referred: referrals,
      declines: 0,
      declined_after_referral: 0,
      pcns_reporting: reporting,
    });
    return [
      row(
        'national',
        'ENG',
        counts.reduce((s, c) => s + c, 0),
        counts.filter((c) => c > 0).length,
      ),
      ...counts.map((c, i) => row('pcn', PCNS[i] as string, c, c > 0 ? 1 : 0)),
    ];
  });
}

const release = (store: MemoryObjectStore, at: string, previous: ReadonlyMap<string, MetricDocument>, rows: Row[]) =>
  releaseDocuments(PCNS, store, at, previous, [[ROLLOUT, rows]]);

describe("a lone PCN's history sent late (R21-3)", () => {
  it('holds its months, the year adds up the months as published, and 2 more PCNs revising them release it', async () => {
    const store = new MemoryObjectStore();
    // Release 1: U00001-3 send April and May, 20 a month each: England 60 a month, the year 120.
    const r1 = await release(store, '2025-06-05T09:00:00.000Z', new Map(), [
      ...rollout({ '2025-04': [20, 20, 20, 0], '2025-05': [20, 20, 20, 0], '2025/26': [40, 40, 40, 0] }),
    ]);
    expect(r1.englandAt('rollout', '2025/26').referrals).toBe(120);
    // Release 2: U00004 sends its first file, April-June at 12 a month; the others send June. April and May change by
    // U00004's 12 alone (held at 60); June is 4 PCNs' 72 (the rest after the two largest 20 + 12 >= 10% of 20,
    // net 72 > 4: published). The year's exact 60 x 3 + 36 = 216 may not be shown (216 - 60 - 60 - 72 = 24 would be
    // U00004's April and May), nor the 120 of release 1 beside months adding up to 60 + 60 + 72 = 192: 192.
    const r2 = await release(store, '2025-07-05T09:00:00.000Z', r1.published, [
      ...rollout({
        '2025-04': [20, 20, 20, 12],
        '2025-05': [20, 20, 20, 12],
        '2025-06': [20, 20, 20, 12],
        '2025/26': [60, 60, 60, 36],
      }),
    ]);
    const year = r2.englandAt('rollout', '2025/26');
    expect(['2025-04', '2025-05', '2025-06'].map((m) => r2.englandAt('rollout', m).referrals)).toEqual([60, 60, 72]);
    expect(year.referrals).toBe(192);
    // Distinct people are not the months' sum (a person referred in April and June is one): held at release 1's 120,
    // with the PCNs reporting (3, not 4), which describe the referrals' PCNs as at the held months.
    expect([year.people_referred, year.pcns_reporting]).toEqual([120, 3]);
    // Held: April's and May's referrals, people and PCNs reporting (3 each), the year's three (192, 120 and 3 are not
    // the exact 216, 216 and 4): 9 figures.
    expect(r2.revisions.heldOf('rollout')).toEqual({
      figures: 9,
      periods: ['2025-04', '2025-05', '2025/26'],
      fail_closed: false,
    });
    // The refresh's log names the PCN and the months its change holds.
    expect(r2.revisions.holdLog()).toEqual([
      'revisions: England figures held by the change of U00004: fewer than 3 PCNs (1 PCN); rollout 2025-04 2025-05',
    ]);
    // Release 3, nothing new: the record kept the year as shown (192, the months' contributions summed), so nothing
    // fails closed and nothing moves.
    const r3 = await release(store, '2025-07-06T09:00:00.000Z', r2.published, [
      ...rollout({
        '2025-04': [20, 20, 20, 12],
        '2025-05': [20, 20, 20, 12],
        '2025-06': [20, 20, 20, 12],
        '2025/26': [60, 60, 60, 36],
      }),
    ]);
    expect(r3.englandAt('rollout', '2025/26').referrals).toBe(192);
    expect(r3.revisions.heldOf('rollout')?.fail_closed).toBe(false);
    // Release 4: U00001 and U00002 correct April and May, +2 each. Each month's change since its published 60: 2, 2
    // and U00004's 12: 3 PCNs, the rest after the two largest 2 >= 1.2, net 16 > 3: released, 76. The year, against
    // its record (192 = [60, 60, 60, 12] by PCN): now [64, 64, 60, 36], changes 4, 4, 0, 24 (rest 4 >= 2.4, net 32):
    // released, 224; its people against release 1's [40, 40, 40, 0]: changes 24, 24, 20, 36: released, 224.
    const r4 = await release(store, '2025-07-07T09:00:00.000Z', r3.published, [
      ...rollout({
        '2025-04': [22, 22, 20, 12],
        '2025-05': [22, 22, 20, 12],
        '2025-06': [20, 20, 20, 12],
        '2025/26': [64, 64, 60, 36],
      }),
    ]);
    expect(['2025-04', '2025-05', '2025-06'].map((m) => r4.englandAt('rollout', m).referrals)).toEqual([76, 76, 72]);
    const released = r4.englandAt('rollout', '2025/26');
    expect([released.referrals, released.people_referred, released.pcns_reporting]).toEqual([224, 224, 4]);
    expect(r4.revisions.heldOf('rollout')).toBeUndefined();
    expect(r4.revisions.holdLog()).toEqual([]);
  });

  it('a backfill too small to show below England (3: `*`) is held all the same, and the year adds up its months', async () => {
    const store = new MemoryObjectStore();
    const r1 = await release(store, '2025-06-05T09:00:00.000Z', new Map(), [
      ...rollout({ '2025-04': [20, 20, 20, 0], '2025-05': [20, 20, 20, 0], '2025/26': [40, 40, 40, 0] }),
    ]);
    // U00004's April 3 (its row shows `*`) and May 5: each month's change since its published 60 is U00004's alone
    // (0, 0, 0, 3 and 0, 0, 0, 5): held at 60; the year's change (0, 0, 0, 8) too. The year: 60 + 60 = 120.
    const r2 = await release(store, '2025-07-05T09:00:00.000Z', r1.published, [
      ...rollout({ '2025-04': [20, 20, 20, 3], '2025-05': [20, 20, 20, 5], '2025/26': [40, 40, 40, 8] }),
    ]);
    expect(['2025-04', '2025-05', '2025/26'].map((p) => r2.englandAt('rollout', p).referrals)).toEqual([60, 60, 120]);
    expect(r2.revisions.holdLog()).toEqual([
      'revisions: England figures held by the change of U00004: fewer than 3 PCNs (1 PCN); rollout 2025-04 2025-05 2025/26',
    ]);
  });

  it('a year that is not its months\' sum in the document (a month not listed) stays held as before', async () => {
    const store = new MemoryObjectStore();
    const r1 = await release(store, '2025-06-05T09:00:00.000Z', new Map(), [
      ...rollout({ '2025-04': [20, 20, 20, 0], '2025-05': [20, 20, 20, 0], '2025/26': [40, 40, 40, 0] }),
    ]);
    // May's rows left out of the document: the year (60 + 60 + 60 + 12 = 192 exact) is not April's 72 alone, so what
    // the months as published add up to is not the year's: held at 120.
    const r2 = await release(store, '2025-07-05T09:00:00.000Z', r1.published, [
      ...rollout({ '2025-04': [20, 20, 20, 12], '2025-06': [20, 20, 20, 0], '2025/26': [60, 60, 60, 12] }),
    ]);
    expect(r2.englandAt('rollout', '2025-04').referrals).toBe(60);
    expect(r2.englandAt('rollout', '2025/26').referrals).toBe(120);
  });
});
