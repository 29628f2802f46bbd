import { describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { monthsOfFinancialYear } from '../../functions/contract/periods.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';
import { releaseDocuments } from '../support/revisions-release.ts';

/*
 * Red-team review 11, R11-6: an ordinary monthly release held England's whole year in every document, its headline
 * (rollout's people referred) included, because a bin of the contacts distribution (or one small group of equity's)
 * changed by few PCNs. A bin's England figure is a part of a partition (the bins add up to cof_person's outcome cohort):
 * held, its whole distribution of the period is held in its document, and nothing else: the cohort (or rollout's year)
 * released less the held bins gives only the total's change, which is published anyway.
 *
 * Three PCNs, the year 2025/26. Rollout: each PCN's referrals (people the same). The contacts distribution: each PCN's
 * episodes with 1 and with 2 link worker contacts.
 */
const ROLLOUT = CATALOGUE.find((d) => d.name === 'rollout') as (typeof CATALOGUE)[number];
const CONTACTS = CATALOGUE.find((d) => d.name === 'contacts_distribution') as (typeof CATALOGUE)[number];
const PCNS = ['U00001', 'U00002', 'U00003'];
const YEAR = '2025/26';
/** The year and its months, as a held year holds them. */
const PERIODS = [...monthsOfFinancialYear(YEAR), YEAR].sort();

/** England's row (the sum of the PCNs') and each PCN's row of the year, from each PCN's figures (PCNs `codes`). */
function rowsOf(pcns: readonly Row[], keys: Row = {}, codes: readonly string[] = PCNS): Row[] {
  const england: Row = { level: 'national', code: 'ENG', period_type: 'fy', period: YEAR, ...keys };
  for (const pcn of pcns)
    for (const [column, value] of Object.entries(pcn))
      england[column] = ((england[column] as number | undefined) ?? 0) + (value as number);
  return [
    england,
    ...pcns.map((pcn, i) => ({
      ...pcn,
      ...keys,
      level: 'pcn',
      code: codes[i] as string,
      period_type: 'fy',
      period: YEAR,
    })),
  ];
}
const rollout = (referrals: readonly number[], codes = PCNS) =>
  rowsOf(
    referrals.map((n) => ({ referrals: n, people_referred: n, declines: 0, declined_after_referral: 0 })),
    {},
    codes,
  );
/** The distribution: per PCN, its episodes in two bins (1 and 2 contacts unless given). */
const contacts = (one: readonly number[], two: readonly number[], bins = [1, 2], codes = PCNS) => [
  ...rowsOf(
    one.map((n) => ({ episodes: n })),
    { contacts: bins[0] as number },
    codes,
  ),
  ...rowsOf(
    two.map((n) => ({ episodes: n })),
    { contacts: bins[1] as number },
    codes,
  ),
];

const release = (store: MemoryObjectStore, at: string, previous: ReadonlyMap<string, MetricDocument>, rows: Row[][]) =>
  releaseDocuments(PCNS, store, at, previous, [
    [ROLLOUT, rows[0] as Row[]],
    [CONTACTS, rows[1] as Row[]],
  ]);
const bin = (published: Map<string, MetricDocument>, n: number) =>
  ((published.get('contacts_distribution') as MetricDocument).rows as unknown as Row[]).find(
    (r) => r.level === 'national' && r.contacts === n,
  )?.episodes;

describe("a part of a partition held by its own change holds its document's period alone (R11-6)", () => {
  it("a bin changed by one PCN holds the distribution's year, not rollout's", async () => {
    const store = new MemoryObjectStore();
    // First release: rollout 30 + 40 + 50 = 120; bin 1: 10 + 12 + 14 = 36, bin 2: 5 + 6 + 7 = 18. All published.
    const first = await release(store, '2025-08-05T06:00:00.000Z', new Map(), [
      rollout([30, 40, 50]),
      contacts([10, 12, 14], [5, 6, 7]),
    ]);
    expect(first.revisions.heldInRelease()).toBeUndefined();
    // A month on: every PCN referred more (rollout +10, +12, +14: 156, three PCNs, none dominating: released); bin 1
    // +3, +4, +5 = 48 (released on its own); bin 2 changed by U00001 alone (+2: 20), which the rule holds (fewer than 3
    // PCNs). Held in every document (before), rollout's 156 stayed at 120. Now the distribution's year alone is held,
    // both bins at their published 36 and 18: rollout's 156 less anything published of the bins says nothing of one bin.
    const second = await release(store, '2025-09-05T06:00:00.000Z', first.published, [
      rollout([40, 52, 64]),
      contacts([13, 16, 19], [7, 6, 7]),
    ]);
    expect(second.englandAt('rollout', YEAR)).toMatchObject({ referrals: 156, people_referred: 156 });
    expect([bin(second.published, 1), bin(second.published, 2)]).toEqual([36, 18]);
    expect([...second.revisions.heldPeriods()]).toEqual([]);
    // The year with its twelve months (a year held by its own change holds its months: settle, review 4 F5).
    expect([...second.revisions.heldPeriodsIn('contacts_distribution')].sort()).toEqual(PERIODS);
    expect(second.revisions.heldOf('rollout')).toBeUndefined();
    expect(second.revisions.heldByOwnChange().map((t) => [t.document, t.row, t.reason])).toEqual([
      ['contacts_distribution', `fy|${YEAR}|2`, 'fewer than 3 PCNs (1 PCN)'],
    ]);
  });

  it("rollout's own held change still holds every document's period, the distribution's included", async () => {
    const store = new MemoryObjectStore();
    const first = await release(store, '2025-08-05T06:00:00.000Z', new Map(), [
      rollout([30, 40, 50]),
      contacts([10, 12, 14], [5, 6, 7]),
    ]);
    // U00001 alone sends 2 late referrals (122: held at 120); the bins move by all three PCNs (released on their own),
    // but held with rollout's year in every document (review 3, H1).
    const second = await release(store, '2025-09-05T06:00:00.000Z', first.published, [
      rollout([32, 40, 50]),
      contacts([13, 16, 19], [6, 7, 8]),
    ]);
    expect(second.englandAt('rollout', YEAR).referrals).toBe(120);
    expect([bin(second.published, 1), bin(second.published, 2)]).toEqual([36, 18]);
    expect([...second.revisions.heldPeriods()].sort()).toEqual(PERIODS);
  });
});

describe('a held bin holds its period where a sum of some bins is published (review 12, R12-1)', () => {
  const COF_PERSON = CATALOGUE.find((d) => d.name === 'cof_person') as (typeof CATALOGUE)[number];
  const FOUR = ['U00001', 'U00002', 'U00003', 'U00004'];
  /** cof_person's counts of each PCN: its outcome cohort is every bin, its episodes with 6 to 12 contacts bin 8. */
  const cofPerson = (none: readonly number[], eight: readonly number[]) =>
    rowsOf(
      none.map((n, i) => {
        const row: Row = Object.fromEntries(COF_PERSON.rules.counts.map((c) => [c, 0]));
        const e = eight[i] as number;
        return {
          ...row,
          episodes: n + e,
          engagement_cohort: n + e,
          outcome_cohort: n + e,
          episodes_6_to_12_contacts: e,
        };
      }),
      {},
      FOUR,
    );
  const releaseFour = (
    store: MemoryObjectStore,
    at: string,
    previous: ReadonlyMap<string, MetricDocument>,
    [people, none, eight]: readonly (readonly number[])[],
  ) =>
    releaseDocuments(FOUR, store, at, previous, [
      [ROLLOUT, rollout(people as number[], FOUR)],
      [COF_PERSON, cofPerson(none as number[], eight as number[])],
      [CONTACTS, contacts(none as number[], eight as number[], [0, 8], FOUR)],
    ]);

  it("bin 0 changed by one PCN holds cof_person's year (its cohort less bins 6 to 12 would be that PCN's change)", async () => {
    const store = new MemoryObjectStore();
    // First: bin 0 10 + 12 + 14 + 16 = 52, bin 8 20 + 22 + 24 + 26 = 92; cof_person's outcome cohort 144, episodes
    // with 6 to 12 contacts 92; rollout 180. All published.
    const first = await releaseFour(store, '2025-08-05T06:00:00.000Z', new Map(), [
      [30, 40, 50, 60],
      [10, 12, 14, 16],
      [20, 22, 24, 26],
    ]);
    expect(first.englandAt('cof_person', YEAR)).toMatchObject({ outcome_cohort: 144, episodes_6_to_12_contacts: 92 });
    // Then: bin 0 56 (U00004 alone, +4: held); bin 8 107 (+5 from three PCNs: passes); cof_person 163 and 107 (each
    // passes on its own), but 163 - 107 = 56 against 144 - 92 = 52 gives U00004's +4: cof_person's year is held with
    // the distribution's (144 and 92). Rollout (+5 from each PCN, 200) is released.
    const second = await releaseFour(store, '2025-09-05T06:00:00.000Z', first.published, [
      [35, 45, 55, 65],
      [10, 12, 14, 20],
      [25, 27, 29, 26],
    ]);
    expect(second.englandAt('cof_person', YEAR)).toMatchObject({ outcome_cohort: 144, episodes_6_to_12_contacts: 92 });
    expect(second.englandAt('rollout', YEAR)).toMatchObject({ referrals: 200, people_referred: 200 });
    expect([...second.revisions.heldPeriods()]).toEqual([]);
    expect([...second.revisions.heldPeriodsIn('cof_person')].sort()).toEqual(PERIODS);
    expect([...second.revisions.heldPeriodsIn('contacts_distribution')].sort()).toEqual(PERIODS);
  });
});
