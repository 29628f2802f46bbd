import { describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';
import { englandAndPcnRows, periodType, releaseDocuments } from '../support/revisions-release.ts';

/*
 * Red-team review 9 (observations, last bullet): a workforce England month made up by few PCNs in its staff figures
 * (1 + 1 + 1 link workers trained) was held in every document, rollout's referrals of the month and year among them.
 * Workforce's staff figures come from the snapshots alone: no other document counts staff or adds up with them, so a
 * hold for them alone holds workforce's month and its year (the year is the mean of its months) and nothing else. What
 * another document does publish, workforce's people referred (rollout's count), still holds every document.
 *
 * Three PCNs; June and July 2025 and the year 2025/26. Rollout: each PCN's referrals (people the same), the year the
 * sum of the months. Workforce: each PCN's link workers in post (headcount 5, FTE 2.5) and trained (by month); the
 * year's staff the mean of its months; people referred on the year only (rollout's).
 */
const ROLLOUT = CATALOGUE.find((d) => d.name === 'rollout') as (typeof CATALOGUE)[number];
const WORKFORCE = CATALOGUE.find((d) => d.name === 'workforce') as (typeof CATALOGUE)[number];
const PCNS = ['U00001', 'U00002', 'U00003'];
type Definition = (typeof CATALOGUE)[number];

const rollout = (byPeriod: Record<string, readonly number[]>) =>
  englandAndPcnRows(
    PCNS,
    Object.fromEntries(
      Object.entries(byPeriod).map(([period, referrals]) => [
        period,
        referrals.map((n) => ({ referrals: n, people_referred: n, declines: 0, declined_after_referral: 0 })),
      ]),
    ),
  );
/**
 * Workforce's rows: each PCN's trained link workers by period (the year's given as the mean of its months), and the
 * months of snapshots each row is over (a year's: the months given), which a mean over them is weighed by (R11-2).
 */
const workforce = (byPeriod: Record<string, readonly number[]>, people: readonly number[] = [30, 40, 50]) =>
  withMonths(
    byPeriod,
    englandAndPcnRows(
      PCNS,
      Object.fromEntries(
        Object.entries(byPeriod).map(([period, trained]) => [
          period,
          trained.map((n, i) => ({
            splw_headcount: 5,
            splw_fte: 2.5,
            splw_accredited: n,
            pcns_with_link_worker: 1,
            ...(periodType(period) === 'fy' ? { people_referred: people[i] as number } : {}),
          })),
        ]),
      ),
    ),
  );
const withMonths = (byPeriod: Record<string, unknown>, rows: Row[]): Row[] => {
  const months = Object.keys(byPeriod).filter((period) => periodType(period) === 'month').length;
  return rows.map((row) => ({ ...row, months: row.period_type === 'fy' ? months : 1 }));
};

/** One release of the documents given, in the catalogue's order (rollout before workforce). (test/support/revisions-release.ts). */
const releaseOf = (
  store: MemoryObjectStore,
  generatedAt: string,
  previous: ReadonlyMap<string, MetricDocument>,
  documents: readonly (readonly [Definition, Row[]])[],
) => releaseDocuments(PCNS, store, generatedAt, previous, documents);

describe("a period held for workforce's staff alone is held in workforce alone (review 9)", () => {
  it("June's 1 + 1 + 1 trained link workers hold workforce's June and year, not rollout's June or year", async () => {
    const store = new MemoryObjectStore();
    // Rollout: June 11 + 20 + 22 = 53, July 14 + 21 + 23 = 58, the year 25 + 41 + 45 = 111: three PCNs, none
    // dominating, each total larger than 3: published. Workforce's June: 1 trained in each PCN, England 3: a total no
    // larger than its 3 PCNs says each has exactly 1 (held as no figure, first release). July 5 + 5 + 5 = 15: published
    // on its own. The year's trained is the mean of June and July, 3 per PCN (England 9): with July's 15 and the 2
    // months published it would give June's 2 x 9 - 15 = 3 back, so it is held with June. Its people referred
    // (30 + 40 + 50 = 120, rollout's count of the year) is held in workforce with its year.
    const first = await releaseOf(store, '2025-08-05T06:00:00.000Z', new Map(), [
      [ROLLOUT, rollout({ '2025-06': [11, 20, 22], '2025-07': [14, 21, 23], '2025/26': [25, 41, 45] })],
      [WORKFORCE, workforce({ '2025-06': [1, 1, 1], '2025-07': [5, 5, 5], '2025/26': [3, 3, 3] })],
    ]);
    expect(first.englandAt('rollout', '2025-06')).toMatchObject({ referrals: 53, people_referred: 53 });
    expect(first.englandAt('rollout', '2025-07')).toMatchObject({ referrals: 58, people_referred: 58 });
    expect(first.englandAt('rollout', '2025/26')).toMatchObject({ referrals: 111, people_referred: 111 });
    expect(first.revisions.heldOf('rollout')).toBeUndefined();
    expect(first.englandAt('workforce', '2025-06')).toMatchObject({
      splw_accredited: null,
      splw_headcount: null,
      splw_fte: null,
    });
    expect(first.englandAt('workforce', '2025/26')).toMatchObject({
      splw_accredited: null,
      splw_headcount: null,
      people_referred: null,
    });
    expect(first.englandAt('workforce', '2025-07')).toMatchObject({
      splw_accredited: 15,
      splw_headcount: 15,
      splw_fte: 7.5,
    });
    expect(first.revisions.heldOf('workforce')?.periods).toEqual(['2025-06', '2025/26']);
    // Held in every document: none. In workforce: June and its year.
    expect([...first.revisions.heldPeriods()]).toEqual([]);
    expect([...first.revisions.heldPeriodsIn('workforce')].sort()).toEqual(['2025-06', '2025/26']);
    expect([...first.revisions.heldPeriodsIn('rollout')]).toEqual([]);
    // What set it off: workforce's June, its own count.
    expect(first.revisions.heldByOwnChange()).toEqual([
      {
        document: 'workforce',
        period: '2025-06',
        row: 'month|2025-06',
        column: 'splw_accredited',
        reason: 'the period: total no larger than the number of PCNs (3 PCNs)',
      },
    ]);
  });

  it("one PCN's late snapshot (a revision of its staff) holds workforce's month and year, not rollout's", async () => {
    const store = new MemoryObjectStore();
    const months = { '2025-06': [11, 20, 22], '2025-07': [14, 21, 23], '2025/26': [25, 41, 45] };
    const first = await releaseOf(store, '2025-08-05T06:00:00.000Z', new Map(), [
      [ROLLOUT, rollout(months)],
      [WORKFORCE, workforce({ '2025-06': [5, 5, 5], '2025-07': [5, 5, 5], '2025/26': [5, 5, 5] })],
    ]);
    expect(first.revisions.heldInRelease()).toBeUndefined();
    // U00003 re-sends July: 2 more trained (July 17, one PCN's change of 2: held at 15); the year's mean 6 (England
    // 16, held at 15 with July: one PCN's change). Rollout unchanged: nothing of it held, though the same months.
    const second = await releaseOf(store, '2025-08-06T06:00:00.000Z', first.published, [
      [ROLLOUT, rollout(months)],
      [WORKFORCE, workforce({ '2025-06': [5, 5, 5], '2025-07': [5, 5, 7], '2025/26': [5, 5, 6] })],
    ]);
    expect(second.englandAt('workforce', '2025-07').splw_accredited).toBe(15);
    expect(second.englandAt('workforce', '2025/26').splw_accredited).toBe(15);
    expect(second.englandAt('workforce', '2025-06').splw_accredited).toBe(15);
    expect(second.revisions.heldOf('workforce')).toEqual({
      figures: 2,
      periods: ['2025-07', '2025/26'],
      fail_closed: false,
    });
    expect(second.revisions.heldOf('rollout')).toBeUndefined();
    expect([...second.revisions.heldPeriods()]).toEqual([]);
  });

  it("rollout's held year holds workforce's year: its people referred is the same count (a needed hold stays)", async () => {
    const store = new MemoryObjectStore();
    const first = await releaseOf(store, '2025-08-05T06:00:00.000Z', new Map(), [
      [ROLLOUT, rollout({ '2025-06': [11, 20, 22], '2025-07': [14, 21, 23], '2025/26': [25, 41, 45] })],
      [WORKFORCE, workforce({ '2025-06': [5, 5, 5], '2025-07': [5, 5, 5], '2025/26': [5, 5, 5] }, [25, 41, 45])],
    ]);
    expect(first.englandAt('workforce', '2025/26').people_referred).toBe(111);
    // U00001 sends 2 late July referrals: rollout's July 60 and year 113 (one PCN's change: held at 58 and 111). Its
    // people referred in workforce are the same 113: published there, 113 - 111 would give U00001's late 2.
    const second = await releaseOf(store, '2025-08-06T06:00:00.000Z', first.published, [
      [ROLLOUT, rollout({ '2025-06': [11, 20, 22], '2025-07': [16, 21, 23], '2025/26': [27, 41, 45] })],
      [WORKFORCE, workforce({ '2025-06': [5, 5, 5], '2025-07': [5, 5, 5], '2025/26': [5, 5, 5] }, [27, 41, 45])],
    ]);
    expect(second.englandAt('rollout', '2025-07').referrals).toBe(58);
    expect(second.englandAt('rollout', '2025/26').referrals).toBe(111);
    expect(second.englandAt('workforce', '2025/26').people_referred).toBe(111);
    // Held in every document: rollout's July and its year, so workforce's July staff (unchanged) are held with them.
    expect([...second.revisions.heldPeriods()].sort()).toEqual(['2025-07', '2025/26']);
    expect(second.revisions.heldOf('workforce')?.periods).toEqual(['2025/26']);
  });

  it("rollout's April of one PCN holds workforce's April and year too, and workforce does not test rollout's count", async () => {
    const store = new MemoryObjectStore();
    // Rollout: April U00001's 12 alone (held as no figure, review 8 N5), June 11 + 20 + 22 = 53, the year 23 + 20 + 22
    // = 65 (held with April: 65 - 53 is April's 12). Workforce: 5 trained in each PCN every month (15: passes alone),
    // and the year's people referred, rollout's count (U00001 23, U00002 20, U00003 22): held in every document with
    // rollout's April, workforce's April and year among them (published, its people referred would give rollout's
    // held year back, and the year less June April). Workforce's own months are many PCNs': its June is published.
    const first = await releaseOf(store, '2025-08-05T06:00:00.000Z', new Map(), [
      [ROLLOUT, rollout({ '2025-04': [12, 0, 0], '2025-06': [11, 20, 22], '2025/26': [23, 20, 22] })],
      [WORKFORCE, workforce({ '2025-04': [5, 5, 5], '2025-06': [5, 5, 5], '2025/26': [5, 5, 5] }, [23, 20, 22])],
    ]);
    expect(first.englandAt('rollout', '2025-04').referrals).toBeNull();
    expect(first.englandAt('rollout', '2025/26').referrals).toBeNull();
    expect(first.englandAt('rollout', '2025-06').referrals).toBe(53);
    expect(first.englandAt('workforce', '2025-04')).toMatchObject({ splw_accredited: null, splw_headcount: null });
    expect(first.englandAt('workforce', '2025/26')).toMatchObject({ people_referred: null, splw_accredited: null });
    expect(first.englandAt('workforce', '2025-06')).toMatchObject({ splw_accredited: 15, splw_headcount: 15 });
    expect([...first.revisions.heldPeriods()].sort()).toEqual(['2025-04', '2025/26']);
    // What set it off: rollout's April (one PCN's); nothing of workforce's own. Workforce's people
    // referred of the year (23, 20, 22 here) is rollout's to test: workforce lists only PCNs with a snapshot.
    expect(first.revisions.heldByOwnChange().map((t) => [t.document, t.period])).toEqual([['rollout', '2025-04']]);
  });
});
