import { describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';
import { periodType, releaseDocuments, rolloutRows } from '../support/revisions-release.ts';

/*
 * Red-team review 21, R21-3: one PCN's history sent late (a PCN of a later wave, onboarded from its first month sent)
 * changes every past month alone. Those months stay held (England's exact change would be that PCN's exact counts,
 * which its own rows show only rounded to 5 or as `*`), and a month held holds its year; the year's counts of events
 * (each in one month: `rules.monthly`) are the sum of its months as published, not the value of the release before
 * the hold; its distinct people stay held.
 */
const PCNS = ['U00001', 'U00002', 'U00003', 'U00004'];
const ROLLOUT = CATALOGUE.find((d) => d.name === 'rollout') as (typeof CATALOGUE)[number];

/**
 * Rollout's rows (test/support/revisions-release.ts; declined_after_referral 0), and England's span: a year's months
 * are the months given.
 */
function rollout(byPeriod: Record<string, readonly number[]>): Row[] {
  const months = Object.keys(byPeriod).filter((p) => periodType(p) === 'month').length;
  return rolloutRows(PCNS, byPeriod, { declined_after_referral: 0 }).map((row) =>
    row.level === 'national' ? { ...row, months: row.period_type === 'fy' ? months : 1 } : row,
  );
}

const release = (store: MemoryObjectStore, at: string, previous: ReadonlyMap<string, MetricDocument>, rows: Row[]) =>
  releaseDocuments(PCNS, store, at, previous, [[ROLLOUT, rows]]);

describe("a lone PCN's history sent late (R21-3)", () => {
  it('holds its months; once the hold outlives a release the year follows its months; 2 more PCNs release it', async () => {
    const store = new MemoryObjectStore();
    // Release 1: U00001-3 send April and May, 20 a month each: England 60 a month, the year 120.
    const r1 = await release(store, '2025-06-05T09:00:00.000Z', new Map(), [
      ...rollout({ '2025-04': [20, 20, 20, 0], '2025-05': [20, 20, 20, 0], '2025/26': [40, 40, 40, 0] }),
    ]);
    expect(r1.englandAt('rollout', '2025/26').referrals).toBe(120);
    // Release 2: U00004 sends its first file, April-June at 12 a month; the others send June. April and May change by
    // U00004's 12 alone (held at 60); June is 4 PCNs' 72 (the rest after the two largest 20 + 12 >= 10% of 20,
    // net 72 > 4: published). The year's exact 60 x 3 + 36 = 216 may not be shown (216 - 60 - 60 - 72 = 24 would be
    // U00004's April and May). In the hold's first release the year stays as at release 1 (120), one release's row.
    const backfilled = rollout({
      '2025-04': [20, 20, 20, 12],
      '2025-05': [20, 20, 20, 12],
      '2025-06': [20, 20, 20, 12],
      '2025/26': [60, 60, 60, 36],
    });
    const r2 = await release(store, '2025-07-05T09:00:00.000Z', r1.published, backfilled);
    expect(['2025-04', '2025-05', '2025-06'].map((m) => r2.englandAt('rollout', m).referrals)).toEqual([60, 60, 72]);
    expect(r2.englandAt('rollout', '2025/26')).toMatchObject({ referrals: 120, people_referred: 120 });
    // The refresh's log names the PCN and the months its change holds.
    expect(r2.revisions.holdLog()).toEqual([
      'revisions: England figures held by the change of U00004: fewer than 3 PCNs (1 PCN); rollout 2025-04 2025-05',
    ]);
    // Release 3, nothing new: April and May are held since release 1, before the release published now, so the year
    // follows its months as published: referrals (events, each in one month) 60 + 60 + 72 = 192; people referred
    // (distinct: not the months' sum) its 120 as published plus the month new since its span (2 months): June's 72,
    // 192; PCNs reporting (what describes the referrals) stays 3, not 4.
    const r3 = await release(store, '2025-07-06T09:00:00.000Z', r2.published, backfilled);
    const year = r3.englandAt('rollout', '2025/26');
    expect([year.referrals, year.people_referred, year.pcns_reporting]).toEqual([192, 192, 3]);
    expect(['2025-04', '2025-05', '2025-06'].map((m) => r3.englandAt('rollout', m).referrals)).toEqual([60, 60, 72]);
    // Held: April's and May's referrals, people and PCNs reporting (3 each), the year's three (192, 192 and 3 are
    // not the exact 216, 216 and 4): 9 figures; and April's and May's referrals declined, a cohort figure since review
    // 31, R31-2 (counted once the referral's 3 months have passed: not by July), held as no figure: 11. Nothing fails
    // closed.
    expect(r3.revisions.heldOf('rollout')).toEqual({
      figures: 11,
      periods: ['2025-04', '2025-05', '2025/26'],
      fail_closed: false,
    });
    // Release 4, nothing new again: the record kept the year as shown (192, its PCNs' parts summed), nothing moves.
    const r4 = await release(store, '2025-07-07T09:00:00.000Z', r3.published, backfilled);
    expect(r4.englandAt('rollout', '2025/26')).toMatchObject({ referrals: 192, people_referred: 192 });
    expect(r4.revisions.heldOf('rollout')?.fail_closed).toBe(false);
    // Release 5: U00001 and U00002 correct April and May, +2 each. Each month's change since its published 60: 2, 2
    // and U00004's 12: 3 PCNs, the rest after the two largest 2 >= 1.2, net 16 > 3: released, 76. The year, against
    // its record (192 = [60, 60, 60, 12] by PCN, for both): now [64, 64, 60, 36], changes 4, 4, 0, 24 (rest 4 >= 2.4,
    // net 32 > 3): released, 224 and 224, and 4 PCNs reporting.
    const r5 = await release(store, '2025-07-08T09:00:00.000Z', r4.published, [
      ...rollout({
        '2025-04': [22, 22, 20, 12],
        '2025-05': [22, 22, 20, 12],
        '2025-06': [20, 20, 20, 12],
        '2025/26': [64, 64, 60, 36],
      }),
    ]);
    expect(['2025-04', '2025-05', '2025-06'].map((m) => r5.englandAt('rollout', m).referrals)).toEqual([76, 76, 72]);
    const released = r5.englandAt('rollout', '2025/26');
    expect([released.referrals, released.people_referred, released.pcns_reporting]).toEqual([224, 224, 4]);
    expect(r5.revisions.heldOf('rollout')).toBeUndefined();
    expect(r5.revisions.holdLog()).toEqual([]);
  });

  it("a hold's first release is every refresh of its data-as-of date (R22-1)", async () => {
    const store = new MemoryObjectStore();
    const at = (generatedAt: string, previous: ReadonlyMap<string, MetricDocument>, rows: Row[], asOf: string) =>
      releaseDocuments(PCNS, store, generatedAt, previous, [[ROLLOUT, rows]], asOf);
    const first = rollout({ '2025-04': [20, 20, 20, 0], '2025-05': [20, 20, 20, 0], '2025/26': [40, 40, 40, 0] });
    const r1 = await at('2025-06-05T09:00:00.000Z', new Map(), first, '2025-05-31');
    // Release 2 (data to 30 June), as in the first case: April and May held at 60 by U00004's 12 alone, June 72, the
    // year as at release 1 (120).
    const backfilled = rollout({
      '2025-04': [20, 20, 20, 12],
      '2025-05': [20, 20, 20, 12],
      '2025-06': [20, 20, 20, 12],
      '2025/26': [60, 60, 60, 36],
    });
    const r2 = await at('2025-07-05T09:00:00.000Z', r1.published, backfilled, '2025-06-30');
    expect(r2.englandAt('rollout', '2025/26')).toMatchObject({ referrals: 120, people_referred: 120 });
    // The next morning, data to 30 June still: the same release, the hold's first: 120 (the refresh before taken for
    // the release before made it follow: 60 + 60 + 72 = 192).
    const r2b = await at('2025-07-06T06:00:00.000Z', r2.published, backfilled, '2025-06-30');
    expect(r2b.englandAt('rollout', '2025/26')).toMatchObject({ referrals: 120, people_referred: 120 });
    // And the morning after: still 120.
    const r2c = await at('2025-07-07T06:00:00.000Z', r2b.published, backfilled, '2025-06-30');
    expect(r2c.englandAt('rollout', '2025/26')).toMatchObject({ referrals: 120, people_referred: 120 });
    // Release 3 (data to 31 July, nothing new): the hold has outlived release 2, the year follows its months: 192.
    const r3 = await at('2025-08-05T09:00:00.000Z', r2c.published, backfilled, '2025-07-31');
    expect(r3.englandAt('rollout', '2025/26')).toMatchObject({ referrals: 192, people_referred: 192 });
  });

  it('a hold begun at a later refresh of a release outlives it at the next release (R22-1)', async () => {
    const store = new MemoryObjectStore();
    const at = (generatedAt: string, previous: ReadonlyMap<string, MetricDocument>, rows: Row[], asOf: string) =>
      releaseDocuments(PCNS, store, generatedAt, previous, [[ROLLOUT, rows]], asOf);
    const first = rollout({ '2025-04': [20, 20, 20, 0], '2025-05': [20, 20, 20, 0], '2025/26': [40, 40, 40, 0] });
    const r1 = await at('2025-06-05T09:00:00.000Z', new Map(), first, '2025-05-31');
    // The next morning (data to 31 May still) U00004's April and May arrive, 12 each: held at 60, the year at 120.
    const late = rollout({ '2025-04': [20, 20, 20, 12], '2025-05': [20, 20, 20, 12], '2025/26': [40, 40, 40, 24] });
    const r1b = await at('2025-06-06T06:00:00.000Z', r1.published, late, '2025-05-31');
    expect(['2025-04', '2025-05', '2025/26'].map((p) => r1b.englandAt('rollout', p).referrals)).toEqual([60, 60, 120]);
    // Release 2 (data to 30 June): June of 4 PCNs, 72. The hold began in release 1: the year follows its months,
    // 60 + 60 + 72 = 192.
    const r2 = await at(
      '2025-07-05T09:00:00.000Z',
      r1b.published,
      rollout({
        '2025-04': [20, 20, 20, 12],
        '2025-05': [20, 20, 20, 12],
        '2025-06': [20, 20, 20, 12],
        '2025/26': [60, 60, 60, 36],
      }),
      '2025-06-30',
    );
    expect(['2025-04', '2025-05', '2025-06'].map((m) => r2.englandAt('rollout', m).referrals)).toEqual([60, 60, 72]);
    expect(r2.englandAt('rollout', '2025/26')).toMatchObject({ referrals: 192, people_referred: 192 });
  });

  it('a backfill too small to show below England (3: `*`) is held all the same, and the year follows its months', async () => {
    const store = new MemoryObjectStore();
    const r1 = await release(store, '2025-06-05T09:00:00.000Z', new Map(), [
      ...rollout({ '2025-04': [20, 20, 20, 0], '2025-05': [20, 20, 20, 0], '2025/26': [40, 40, 40, 0] }),
    ]);
    // U00004's April 3 (its row shows `*`) and May 5, with June new of 4 PCNs (20, 20, 20, 8: 68). Each month's change
    // since its published 60 is U00004's alone (0, 0, 0, 3 and 0, 0, 0, 5): held at 60, and with them the year (its
    // own change, 20, 20, 20, 16, would pass).
    const late = rollout({
      '2025-04': [20, 20, 20, 3],
      '2025-05': [20, 20, 20, 5],
      '2025-06': [20, 20, 20, 8],
      '2025/26': [60, 60, 60, 16],
    });
    const r2 = await release(store, '2025-07-05T09:00:00.000Z', r1.published, late);
    expect(['2025-04', '2025-05', '2025-06', '2025/26'].map((p) => r2.englandAt('rollout', p).referrals)).toEqual([
      60, 60, 68, 120,
    ]);
    expect(r2.revisions.holdLog()).toEqual([
      'revisions: England figures held by the change of U00004: fewer than 3 PCNs (1 PCN); rollout 2025-04 2025-05',
    ]);
    // The next release: 60 + 60 + 68 = 188 (April's 3 and May's 5 in no England figure).
    const r3 = await release(store, '2025-07-06T09:00:00.000Z', r2.published, late);
    expect(r3.englandAt('rollout', '2025/26')).toMatchObject({ referrals: 188, people_referred: 188 });
  });

  it("a year that is not its months' sum in the document (a month not listed) stays held as before", async () => {
    const store = new MemoryObjectStore();
    const r1 = await release(store, '2025-06-05T09:00:00.000Z', new Map(), [
      ...rollout({ '2025-04': [20, 20, 20, 0], '2025-05': [20, 20, 20, 0], '2025/26': [40, 40, 40, 0] }),
    ]);
    // May's rows left out of the document: the year (60 + 60 + 60 + 12 = 192 exact) is not April's 72 and June's 60,
    // so what the months as published add up to is not the year's: held at 120, in the next release too.
    const gap = rollout({ '2025-04': [20, 20, 20, 12], '2025-06': [20, 20, 20, 0], '2025/26': [60, 60, 60, 12] });
    const r2 = await release(store, '2025-07-05T09:00:00.000Z', r1.published, gap);
    const r3 = await release(store, '2025-07-06T09:00:00.000Z', r2.published, gap);
    expect(r3.englandAt('rollout', '2025-04').referrals).toBe(60);
    expect(r3.englandAt('rollout', '2025/26')).toMatchObject({ referrals: 120, people_referred: 120 });
  });
});
