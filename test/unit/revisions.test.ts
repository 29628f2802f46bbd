import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import { REVISIONS_STATE_KEY } from '../../functions/lib/keys.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { CATALOGUE, type DefinitionChange, type MetricDefinition } from '../../functions/refresh/catalogue.ts';
import {
  changedColumns,
  DEFINITION_CHANGED,
  EnglandRevisions,
  releasable,
  unitsOf,
  whyHeld,
} from '../../functions/refresh/revisions.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';
import { releaseDocuments, rolloutRows as rolloutRowsOf } from '../support/revisions-release.ts';

describe('releasable: the change of an England figure, PCN by PCN', () => {
  it('needs 3 PCNs (threshold rule)', () => {
    expect(releasable([3])).toBe(false);
    expect(releasable([3, 2, 0, 0])).toBe(false);
    expect(releasable([3, 2, 1])).toBe(true);
  });
  it('no dominant PCN (p% rule, p = 10): all but the two largest changes add up to 10% of the largest', () => {
    // 100 + 1 + 1: the third is 1% of the largest; the second largest, knowing its own 1, has the largest within 1%.
    expect(releasable([100, 1, 1])).toBe(false);
    expect(releasable([10, 1, 1])).toBe(true);
  });
  it('a net change no larger than the number of PCNs pins each of them to 1 (as late files add)', () => {
    expect(releasable([1, 1, 1])).toBe(false);
    expect(releasable([-1, -1, -1])).toBe(false);
    expect(releasable([2, 1, 1])).toBe(true);
  });
  it('the small-net rule is for counts of people alone: an FTE is no count (review 11, R11-2)', () => {
    // Ten PCNs each moving their link worker FTE by 0.1: net 1.0, no larger than 10 PCNs, yet none of them is pinned.
    const tenth = Array(10).fill(0.1);
    expect(releasable(tenth)).toBe(false);
    expect(releasable(tenth, 0, false)).toBe(true);
    // The threshold and p% rules still apply to it.
    expect(releasable([0.1, 0.1], 0, false)).toBe(false);
    expect(releasable([10, 0.1, 0.1], 0, false)).toBe(false);
    expect(whyHeld([10, 0.1, 0.1], 0, false)).toBe('dominated by one PCN (3 PCNs)');
  });
});

describe('units held together', () => {
  it('a mean and the count of people it is over; the sources with referrals; the describing figures with theirs', () => {
    const wellbeing = unitsOf(CATALOGUE.find((d) => d.name === 'wellbeing') as never);
    const unit = (c: string) => wellbeing.unitOf.get(c);
    expect(['mean_baseline', 'mean_follow_up', 'mean_change', 'mean_change_ci_low'].map(unit)).toEqual(
      Array(4).fill(unit('people')),
    );
    expect(unit('improved')).not.toBe(unit('people'));
    const sources = unitsOf(CATALOGUE.find((d) => d.name === 'referral_sources') as never);
    expect(sources.unitOf.get('source_gp')).toBe(sources.unitOf.get('referrals'));
    expect(sources.unitOf.get('source_types')).toBe(sources.unitOf.get('referrals'));
    expect(sources.unitOf.get('reason_bereavement')).not.toBe(sources.unitOf.get('referrals'));
  });
});

/*
 * England's wellbeing (SWEMWBS, 2025/26) over three PCNs of 10 people each, every one with a baseline of 20 and a
 * follow-up of 23: England 30 people, means 20, 23 and a change of 3 (interval 2 to 4 as given).
 */
const WELLBEING = CATALOGUE.find((d) => d.name === 'wellbeing') as (typeof CATALOGUE)[number];
const PCNS = ['U00001', 'U00002', 'U00003'];
const wellbeingRow = (level: string, code: string, people: number, baseline: number, followUp: number): Row => ({
  level,
  code,
  period_type: 'fy',
  period: '2025/26',
  instrument: 'swemwbs',
  people,
  improved: 10,
  threshold: 3,
  mean_baseline: baseline,
  mean_follow_up: followUp,
  mean_change: followUp - baseline,
  mean_change_ci_low: level === 'national' ? followUp - baseline - 1 : null,
  mean_change_ci_high: level === 'national' ? followUp - baseline + 1 : null,
});
/** England and its PCNs, each PCN as (people, sum of baselines, sum of follow-ups). */
function release(pcns: Record<string, [number, number, number]>): Row[] {
  const totals = Object.values(pcns).reduce((t, [n, b, f]) => [t[0] + n, t[1] + b, t[2] + f], [0, 0, 0]);
  return [
    wellbeingRow('national', 'ENG', totals[0], totals[1] / totals[0], totals[2] / totals[0]),
    ...Object.entries(pcns).map(([code, [n, b, f]]) => wellbeingRow('pcn', code, n, b / n, f / n)),
  ];
}
const englandOf = (rows: readonly Row[]) => rows.find((r) => r.level === 'national') as Row;

async function publish(
  store: MemoryObjectStore,
  generatedAt: string,
  previous: MetricDocument | undefined,
  exact: readonly Row[],
) {
  const revisions = await EnglandRevisions.open({ store, generatedAt, pcnCodes: PCNS }, previous?.generated_at);
  const published = exact.map((r) => ({ ...r }));
  const asPublished = revisions.revise(WELLBEING, published, exact, previous);
  await revisions.save();
  const document = { name: 'wellbeing', generated_at: generatedAt, rows: published as unknown as MetricRow[] };
  return {
    document: document as unknown as MetricDocument,
    asPublished,
    held: revisions.heldOf('wellbeing'),
    setOffBy: revisions.heldByOwnChange(),
  };
}

describe('the record of a release', () => {
  it('is its JSON gzipped at level 1 (private, read back whole: a fifth of the default level 6’s CPU; issue 17)', async () => {
    const store = new MemoryObjectStore();
    await publish(
      store,
      '2025-11-01T00:00:00.000Z',
      undefined,
      release({ U00001: [10, 200, 230], U00002: [10, 200, 230], U00003: [10, 200, 230] }),
    );
    const record = store.objects.get(REVISIONS_STATE_KEY) as Uint8Array;
    const json = gunzipSync(record);
    expect(JSON.parse(json.toString('utf8')).release).toBe('2025-11-01T00:00:00.000Z');
    expect(Buffer.from(record).equals(gzipSync(json, { level: 1 }))).toBe(true);
  });
});

describe('a mean and its count of people are held together', () => {
  it("one PCN's new person moves neither England's count nor its means; three PCNs' new people move both", async () => {
    const store = new MemoryObjectStore();
    const first = await publish(
      store,
      '2025-11-01T00:00:00.000Z',
      undefined,
      release({ U00001: [10, 200, 230], U00002: [10, 200, 230], U00003: [10, 200, 230] }),
    );
    expect(store.objects.has(REVISIONS_STATE_KEY)).toBe(true);
    // U00001 measures one more person (baseline 10, follow-up 20): England 31 people, means 19.68 and 22.9. Published
    // together, 31 x 19.68 - 30 x 20 would give that person's baseline (10) and follow-up.
    const second = await publish(
      store,
      '2025-11-02T00:00:00.000Z',
      first.document,
      release({ U00001: [11, 210, 250], U00002: [10, 200, 230], U00003: [10, 200, 230] }),
    );
    const held = englandOf(second.document.rows as unknown as Row[]);
    expect([held.people, held.mean_baseline, held.mean_follow_up, held.mean_change]).toEqual([30, 20, 23, 3]);
    expect([held.mean_change_ci_low, held.mean_change_ci_high]).toEqual([2, 4]);
    expect(held.improved).toBe(10);
    expect(englandOf(second.asPublished).people).toBe(30);
    expect(second.held).toEqual({ figures: 6, periods: ['2025/26'], fail_closed: false });
    // What set the hold off (the people and their means are one unit: its first figure that failed, and why).
    expect(second.setOffBy).toEqual([
      {
        document: 'wellbeing',
        period: '2025/26',
        row: 'fy|2025/26|swemwbs',
        column: 'people',
        reason: 'fewer than 3 PCNs (1 PCN)',
      },
    ]);

    // U00002 measures 2 more (baselines 16 and 18, follow-ups 30 and 28) and U00003 1 more (12 and 15): with
    // U00001's, 4 more people from 3 PCNs (changes 1, 2, 1). England: 34 people, baselines 656 / 34, follow-ups
    // 783 / 34 (published to 2 decimals by the document's derived step, not here).
    const third = await publish(
      store,
      '2025-11-03T00:00:00.000Z',
      second.document,
      release({ U00001: [11, 210, 250], U00002: [12, 234, 288], U00003: [11, 212, 245] }),
    );
    const released = englandOf(third.document.rows as unknown as Row[]);
    expect(released.people).toBe(34);
    expect(released.mean_baseline).toBeCloseTo(656 / 34, 10);
    expect(released.mean_follow_up).toBeCloseTo(783 / 34, 10);
    expect(third.held).toBeUndefined();
  });

  it('fails closed when the record is from another release: the document published is not the one recorded', async () => {
    const store = new MemoryObjectStore();
    const rows = release({ U00001: [10, 200, 230], U00002: [10, 200, 230], U00003: [10, 200, 230] });
    const first = await publish(store, '2025-11-01T00:00:00.000Z', undefined, rows);
    // A document published by a refresh whose record was never saved (it stopped after meta.json).
    const lost = { ...first.document, generated_at: '2025-11-02T00:00:00.000Z' };
    const grown = release({ U00001: [12, 250, 280], U00002: [12, 250, 280], U00003: [12, 250, 280] });
    const after = await publish(store, '2025-11-03T00:00:00.000Z', lost, grown);
    expect(englandOf(after.document.rows as unknown as Row[]).people).toBe(30);
    expect(after.held).toEqual({ figures: 6, periods: ['2025/26'], fail_closed: true });
  });
});

describe('failing closed, a figure unchanged since it was published has no unknown part', () => {
  /*
   * England is not always the sum of its PCNs' contributions: its interval has no PCN contribution at all, and England
   * counts the people of a PCN closed since (not in the geography). Here England's 2025/26 SWEMWBS is the three PCNs'
   * 30 people (baselines 600, follow-ups 690) and 10 people of a closed PCN (baselines 150, follow-ups 170): 40 people,
   * means 750 / 40 and 860 / 40. Failing closed, the unknown part was the contributions now less the value shown
   * (600 - 750 = -150 for the baselines; 0 - 40 x the interval), so an unchanged figure carried one, and with it a
   * change later made by 3 PCNs (10, 34 and 12 to the baselines) could not pass beside a "-150" nobody made.
   */
  const CLOSED: [number, number, number] = [10, 150, 170];
  const rows = (pcns: Record<string, readonly [number, number, number]>, improved: readonly number[]): Row[] => {
    const [n, b, f] = Object.values(pcns).reduce((t, p) => [t[0] + p[0], t[1] + p[1], t[2] + p[2]], CLOSED);
    return [
      { ...wellbeingRow('national', 'ENG', n, b / n, f / n), improved: improved.reduce((s, v) => s + v, 0) + 5 },
      ...Object.entries(pcns).map(([code, [pn, pb, pf]], i) => ({
        ...wellbeingRow('pcn', code, pn, pb / pn, pf / pn),
        improved: improved[i] as number,
      })),
    ];
  };
  const unknownParts = (store: MemoryObjectStore) => {
    const state = JSON.parse(gunzipSync(store.objects.get(REVISIONS_STATE_KEY) as Uint8Array).toString('utf8'));
    return Object.entries(state.documents.wellbeing.cells as Record<string, { x?: number }>)
      .filter(([, cell]) => cell.x !== undefined)
      .map(([key, cell]) => [key.slice(key.indexOf('#') + 1), cell.x]);
  };

  it("a release that fails closed records only the changed figure's unknown part, and a later change by 3 PCNs passes", async () => {
    const store = new MemoryObjectStore();
    const same = { U00001: [10, 200, 230], U00002: [10, 200, 230], U00003: [10, 200, 230] } as const;
    const first = await publish(store, '2025-11-01T00:00:00.000Z', undefined, rows(same, [10, 10, 10]));
    // The record is of another release (a crash after meta.json): the next release fails closed. U00001 improved one
    // more person (England 35 to 36): held, its unknown part 1. The people and their means did not change.
    const lost = { ...first.document, generated_at: '2025-11-02T00:00:00.000Z' };
    const second = await publish(store, '2025-11-03T00:00:00.000Z', lost, rows(same, [11, 10, 10]));
    expect(second.held).toEqual({ figures: 1, periods: ['2025/26'], fail_closed: true });
    const held = englandOf(second.document.rows as unknown as Row[]);
    expect([held.people, held.improved, held.mean_baseline]).toEqual([40, 35, 750 / 40]);
    // The means are held by the period (the year holds a figure), unchanged: nothing of them is unknown.
    expect(unknownParts(store)).toEqual([['improved', 1]]);

    // Then 3 PCNs measure more people (1, 2 and 1 more; baselines +10, +34, +12; follow-ups +20, +58, +15) and
    // improve 3, 4 and 5 more (beside the unknown 1: releasable, above). England: 44 people, baselines
    // (150 + 210 + 234 + 212) / 44 = 806 / 44, follow-ups (170 + 250 + 288 + 245) / 44 = 953 / 44, improved 14 + 14 + 15
    // + 5 = 48.
    const third = await publish(
      store,
      '2025-11-04T00:00:00.000Z',
      second.document,
      rows({ U00001: [11, 210, 250], U00002: [12, 234, 288], U00003: [11, 212, 245] }, [14, 14, 15]),
    );
    const released = englandOf(third.document.rows as unknown as Row[]);
    expect([released.people, released.improved]).toEqual([44, 48]);
    expect(released.mean_baseline).toBeCloseTo(806 / 44, 10);
    expect(released.mean_follow_up).toBeCloseTo(953 / 44, 10);
    expect(third.held).toBeUndefined();
  });

  it('an identical release after failing closed holds nothing and records no unknown part', async () => {
    const store = new MemoryObjectStore();
    const same = { U00001: [10, 200, 230], U00002: [10, 200, 230], U00003: [10, 200, 230] } as const;
    const first = await publish(store, '2025-11-01T00:00:00.000Z', undefined, rows(same, [10, 10, 10]));
    const lost = { ...first.document, generated_at: '2025-11-02T00:00:00.000Z' };
    const second = await publish(store, '2025-11-03T00:00:00.000Z', lost, rows(same, [10, 10, 10]));
    expect(second.held).toEqual({ figures: 0, periods: [], fail_closed: true });
    expect(unknownParts(store)).toEqual([]);
    const third = await publish(store, '2025-11-04T00:00:00.000Z', second.document, rows(same, [10, 10, 10]));
    expect(third.held).toBeUndefined();
    expect(unknownParts(store)).toEqual([]);
  });
});

describe('an England interval made from the exact rows is withheld while its row holds a revision', () => {
  it("cof_system: one PCN's new referral holds England's totals, and the change's interval is withheld", async () => {
    const SYSTEM = CATALOGUE.find((d) => d.name === 'cof_system') as (typeof CATALOGUE)[number];
    const systemRow = (level: string, code: string, people: number, before: number, after: number): Row => ({
      level,
      code,
      period_type: 'fy',
      period: '2025/26',
      service: 'gp_appointment',
      baseline_band: 'all',
      people,
      before_total: before,
      after_total: after,
      ...(level === 'national' ? { change_pct_ci_low: -20, change_pct_ci_high: -5 } : {}),
    });
    const rows = (first: [number, number, number]) => [
      systemRow('national', 'ENG', first[0] + 20, first[1] + 60, first[2] + 50),
      systemRow('pcn', 'U00001', ...first),
      systemRow('pcn', 'U00002', 10, 30, 25),
      systemRow('pcn', 'U00003', 10, 30, 25),
    ];
    const store = new MemoryObjectStore();
    const open = (generatedAt: string, previous?: string) =>
      EnglandRevisions.open({ store, generatedAt, pcnCodes: PCNS }, previous);
    const first = await open('2025-11-01T00:00:00.000Z');
    const published1 = rows([10, 30, 25]).map((r) => ({ ...r }));
    first.revise(SYSTEM, published1, rows([10, 30, 25]), undefined);
    await first.save();
    const previous = {
      name: 'cof_system',
      generated_at: '2025-11-01T00:00:00.000Z',
      rows: published1.filter((r) => r.level === 'national'),
    } as unknown as MetricDocument;
    // U00001 adds a referral with 4 GP appointments before and 1 after: England 31, 94, 76.
    const second = await open('2025-11-02T00:00:00.000Z', '2025-11-01T00:00:00.000Z');
    const published2 = rows([11, 34, 26]).map((r) => ({ ...r }));
    second.revise(SYSTEM, published2, rows([11, 34, 26]), previous);
    const england = englandOf(published2);
    expect([england.people, england.before_total, england.after_total]).toEqual([30, 90, 75]);
    expect([england.change_pct_ci_low, england.change_pct_ci_high]).toEqual([null, null]);
  });
});

/*
 * Review 3 (findings H2, L2, H1): rollout's England April and year, and equity's year, over three PCNs. Each release is
 * published through `EnglandRevisions` as the refresh does (revise, then save after the release).
 */
const ROLLOUT = CATALOGUE.find((d) => d.name === 'rollout') as (typeof CATALOGUE)[number];
const EQUITY = CATALOGUE.find((d) => d.name === 'equity') as (typeof CATALOGUE)[number];
/** Rollout's rows of the periods given, of the three PCNs (test/support/revisions-release.ts). */
const rolloutRows = (byPeriod: Record<string, readonly number[]>): Row[] => rolloutRowsOf(PCNS, byPeriod);
/** Equity's 2025/26 rows for women: each PCN's people referred (the engagement figures 0). */
function equityRows(people: readonly number[]): Row[] {
  const row = (level: string, code: string, n: number): Row => ({
    level,
    code,
    period_type: 'fy',
    period: '2025/26',
    dimension: 'sex',
    group: 'female',
    people_referred: n,
    engagement_cohort: 0,
    engaged: 0,
    connected: 0,
    wellbeing_people: 0,
    wellbeing_improved: 0,
  });
  return [
    row(
      'national',
      'ENG',
      people.reduce((s, c) => s + c, 0),
    ),
    ...people.map((n, i) => row('pcn', PCNS[i] as string, n)),
  ];
}
type Definition = (typeof CATALOGUE)[number];
/** One release of the documents given, in that order; returns each as published (England's rows) and what is held. (test/support/revisions-release.ts). */
const releaseOf = (
  store: MemoryObjectStore,
  generatedAt: string,
  previous: ReadonlyMap<string, MetricDocument>,
  documents: readonly (readonly [Definition, Row[]])[],
) => releaseDocuments(PCNS, store, generatedAt, previous, documents);

describe('releasable with the unknown part of a fail-closed hold (review 3, H2)', () => {
  it('counts it as a PCN of its own and as part of any one PCN that changed, and never releases it alone', () => {
    // No PCN changed since the hold began: the unknown part alone (one PCN's late file, perhaps) stays held.
    expect(releasable([0, 0, 0], 2)).toBe(false);
    // 5, 4 and 3 since, unknown 2. As a 4th PCN: 5, 4, 3, 2 (all but the two largest 3 + 2 = 5 >= 10% of 5; net 14 >
    // 4). Added to any one (7,4,3 / 5,6,3 / 5,4,5): still 3 PCNs, net 14 > 3; bound: all but the two largest 3, less
    // the unknown 2, is 1 >= 10% of (5 + 2) = 0.7.
    expect(releasable([5, 4, 3], 2)).toBe(true);
    // 5 and 4 since, unknown 2: three only if the unknown part is a third PCN's; it may be one of the two (5 + 2, 4).
    // The rule without the unknown part's place (a contributor like any other) would release it.
    expect(releasable([5, 4, 2])).toBe(true);
    expect(releasable([5, 4], 2)).toBe(false);
    // The unknown part may cancel a PCN's change (-2 + 2 = 0): 5 and 4 left, two PCNs.
    expect(releasable([5, 4, -2], 2)).toBe(false);
    // It may dominate: 40 beside 3, 2, 1 (all but the two largest, 2 + 1 = 3, are under 10% of 40).
    expect(releasable([3, 2, 1], 40)).toBe(false);
  });
});

describe("a fail-closed hold is released by the changes of the figure, not by uploads (review 3, H2's v3)", () => {
  it("one PCN's late file held when the record is lost stays held through three uploads that do not touch it", async () => {
    const store = new MemoryObjectStore();
    // April 2025: U00001 10, U00002 20, U00003 30 referrals; England 30 + 20 + 10 = 60, the year the same.
    const first = await releaseOf(store, '2025-09-20T00:00:00.000Z', new Map(), [
      [ROLLOUT, rolloutRows({ '2025-04': [10, 20, 30], '2025/26': [10, 20, 30] })],
    ]);
    // The record is lost (a crash after meta.json; a store from before the policy).
    store.objects.delete(REVISIONS_STATE_KEY);
    // U00003's late file: 2 more April referrals (England 62): held, failing closed; the record now keeps the
    // contributions 10, 20, 32 beside the 60 published (the unknown part: 2).
    const second = await releaseOf(store, '2025-09-21T00:00:00.000Z', first.published, [
      [ROLLOUT, rolloutRows({ '2025-04': [10, 20, 32], '2025/26': [10, 20, 32] })],
    ]);
    expect([
      second.englandAt('rollout', '2025-04').referrals,
      second.englandAt('rollout', '2025/26').referrals,
    ]).toEqual([60, 60]);
    // Held: April's and the year's referrals and people referred (4 figures).
    expect(second.revisions.heldOf('rollout')).toEqual({
      figures: 4,
      periods: ['2025-04', '2025/26'],
      fail_closed: true,
    });
    // Three PCNs upload, nothing about April (the rows the same): the coarse rule counted them and released 62.
    const third = await releaseOf(store, '2025-09-22T00:00:00.000Z', second.published, [
      [ROLLOUT, rolloutRows({ '2025-04': [10, 20, 32], '2025/26': [10, 20, 32] })],
    ]);
    expect(third.englandAt('rollout', '2025-04').referrals).toBe(60);
    expect(third.revisions.heldOf('rollout')).toEqual({
      figures: 4,
      periods: ['2025-04', '2025/26'],
      fail_closed: false,
    });
    // Then U00001 +3, U00002 +4, U00003 +5 (13, 24, 37: England 74): changes 3, 4, 5 beside the unknown 2 pass (see
    // releasable above: 74 - 60 = 14 in all).
    const fourth = await releaseOf(store, '2025-09-23T00:00:00.000Z', third.published, [
      [ROLLOUT, rolloutRows({ '2025-04': [13, 24, 37], '2025/26': [13, 24, 37] })],
    ]);
    expect([
      fourth.englandAt('rollout', '2025-04').referrals,
      fourth.englandAt('rollout', '2025/26').referrals,
    ]).toEqual([74, 74]);
    expect(fourth.revisions.heldOf('rollout')).toBeUndefined();
  });
});

describe('counts are compared exactly (review 3, L2)', () => {
  it('a count of 3,000,000 moved by 2 by one PCN is a change, and held', async () => {
    const store = new MemoryObjectStore();
    // 1,000,000 April referrals from each PCN: England 3,000,000.
    const first = await releaseOf(store, '2025-09-20T00:00:00.000Z', new Map(), [
      [ROLLOUT, rolloutRows({ '2025-04': [1e6, 1e6, 1e6] })],
    ]);
    // U00003 +2: 3,000,002 is within 1e-6 x 3,000,000 = 3 of the published value, but a different count.
    const second = await releaseOf(store, '2025-09-21T00:00:00.000Z', first.published, [
      [ROLLOUT, rolloutRows({ '2025-04': [1e6, 1e6, 1e6 + 2] })],
    ]);
    expect(second.englandAt('rollout', '2025-04').referrals).toBe(3_000_000);
    expect(second.revisions.heldOf('rollout')?.figures).toBe(2);
  });
});

describe('a held month holds its period and year in every document (review 3, H1)', () => {
  it("equity's year, built before rollout, is held once rollout holds April, though its own change passes", async () => {
    const store = new MemoryObjectStore();
    // April and May: 10 referrals from each PCN (England 30 each); the year 60; equity's women in 2025/26: 20 per PCN
    // (England 60: every person referred is a woman).
    const first = await releaseOf(store, '2025-09-20T00:00:00.000Z', new Map(), [
      [EQUITY, equityRows([20, 20, 20])],
      [ROLLOUT, rolloutRows({ '2025-04': [10, 10, 10], '2025-05': [10, 10, 10], '2025/26': [20, 20, 20] })],
    ]);
    // U00003 sends 2 late April referrals (April 32: one PCN, held at 30); May grows by 3, 4 and 5 (42: 3 PCNs,
    // released); the year 23 + 24 + 27 = 74, changes 3, 4, 7 (would pass on its own). Equity's women: the same 74.
    // Published together as they are, equity's 74 less May's 42 and the year's other month would give April's 32.
    const second = await releaseOf(store, '2025-09-21T00:00:00.000Z', first.published, [
      [EQUITY, equityRows([23, 24, 27])],
      [ROLLOUT, rolloutRows({ '2025-04': [10, 10, 12], '2025-05': [13, 14, 15], '2025/26': [23, 24, 27] })],
    ]);
    expect(second.settled).toEqual(['equity']);
    expect([...second.revisions.heldPeriods()].sort()).toEqual(['2025-04', '2025/26']);
    expect(second.englandAt('rollout', '2025-04').referrals).toBe(30);
    expect(second.englandAt('rollout', '2025-05').referrals).toBe(42);
    expect(second.englandAt('rollout', '2025/26').referrals).toBe(60);
    expect(second.englandAt('equity', '2025/26').people_referred).toBe(60);
    expect(second.revisions.heldOf('equity')).toEqual({ figures: 1, periods: ['2025/26'], fail_closed: false });
    // The record keeps equity's year as published (60), so the next release differences against it: with a 3rd PCN's
    // April (U00001 +3: April 35 from two PCNs' 3 and 2, still held) nothing of April or the year moves.
    const third = await releaseOf(store, '2025-09-22T00:00:00.000Z', second.published, [
      [EQUITY, equityRows([26, 24, 27])],
      [ROLLOUT, rolloutRows({ '2025-04': [13, 10, 12], '2025-05': [13, 14, 15], '2025/26': [26, 24, 27] })],
    ]);
    expect(third.englandAt('equity', '2025/26').people_referred).toBe(60);
    expect(third.englandAt('rollout', '2025-04').referrals).toBe(30);
    // U00002's April +4 (13 + 14 + 12 = 39: changes 3, 4, 2 since the 30 published; net 9 > 3): released, and
    // with it the year (26 + 28 + 27 = 81) in both documents.
    const fourth = await releaseOf(store, '2025-09-23T00:00:00.000Z', third.published, [
      [EQUITY, equityRows([26, 28, 27])],
      [ROLLOUT, rolloutRows({ '2025-04': [13, 14, 12], '2025-05': [13, 14, 15], '2025/26': [26, 28, 27] })],
    ]);
    expect(fourth.settled).toEqual([]);
    expect(fourth.englandAt('rollout', '2025-04').referrals).toBe(39);
    expect(fourth.englandAt('rollout', '2025/26').referrals).toBe(81);
    expect(fourth.englandAt('equity', '2025/26').people_referred).toBe(81);
    expect(fourth.revisions.heldInRelease()).toBeUndefined();
  });
});

describe('a PCN with events that the reference in force does not list (review 5, G8)', () => {
  // England's April referrals count every PCN's events (10 = 6 + 4); the record's PCNs are the reference's, and U00009,
  // dropped from a reference file while it has events, is not one of them: the refresh cannot record its part, so it
  // stops, naming the PCN and what to do, not only the row.
  it('the refresh stops and names the PCN and the remedy', async () => {
    const rollout = CATALOGUE.find((d) => d.name === 'rollout') as (typeof CATALOGUE)[number];
    const row = (level: string, code: string, referrals: number): Row => ({
      level,
      code,
      period_type: 'month',
      period: '2025-04',
      referrals,
      declines: 0,
    });
    const exact = [row('national', 'ENG', 10), row('pcn', 'U00001', 6), row('pcn', 'U00009', 4)];
    const store = new MemoryObjectStore();
    const revisions = await EnglandRevisions.open(
      { store, generatedAt: '2025-05-20T00:00:00.000Z', pcnCodes: PCNS },
      undefined,
    );
    expect(() =>
      revisions.revise(
        rollout,
        exact.map((r) => ({ ...r })),
        exact,
        undefined,
      ),
    ).toThrow(
      "revisions: rollout England row month|2025-04, field referrals: the PCNs' exact contributions do not add up to England's figure; PCNs with events that the reference in force does not list: U00009 (a reference version must keep every PCN that has sent events, closed with its valid_to, as `reference import` does: stage one that lists them)",
    );
  });

  // Review 7, M10: events dated when their PCN is not in force are in no figure, so this should not fire for them; if
  // England and its PCNs disagree all the same (here England's 10 against U00001's 6), the error names those PCNs.
  it('names the PCNs with events dated out of force, if the check fires all the same', async () => {
    const rollout = CATALOGUE.find((d) => d.name === 'rollout') as (typeof CATALOGUE)[number];
    const row = (level: string, code: string, referrals: number): Row => ({
      level,
      code,
      period_type: 'month',
      period: '2025-04',
      referrals,
      declines: 0,
    });
    const exact = [row('national', 'ENG', 10), row('pcn', 'U00001', 6)];
    const revisions = await EnglandRevisions.open(
      {
        store: new MemoryObjectStore(),
        generatedAt: '2025-05-20T00:00:00.000Z',
        pcnCodes: PCNS,
        outOfForce: ['U00002', 'U00001'],
      },
      undefined,
    );
    expect(() =>
      revisions.revise(
        rollout,
        exact.map((r) => ({ ...r })),
        exact,
        undefined,
      ),
    ).toThrow(
      "revisions: rollout England row month|2025-04, field referrals: the PCNs' exact contributions do not add up to England's figure; PCNs with events dated when the reference in force does not have them in force (data_quality, events_out_of_force): U00001, U00002",
    );
  });
});

describe('which columns a new version changed (red-team review 7, M4)', () => {
  const declared = (version: string, changes: readonly DefinitionChange[]) => ({ version, changes });
  const chain = declared('3', [
    { version: '3', from: '2', columns: ['b'] },
    { version: '2', from: '1', columns: ['a', 'b'] },
  ]);

  it('follows the declared changes back to the recorded version; not known where they do not reach it', () => {
    expect(changedColumns(chain, '3')).toEqual(new Set());
    expect(changedColumns(chain, '2')).toEqual(new Set(['b']));
    expect(changedColumns(chain, '1')).toEqual(new Set(['a', 'b']));
    // Every column, where any may have changed, from that version back.
    const everything = declared('4', [{ version: '4', from: '3', columns: 'all' }, ...chain.changes]);
    expect(changedColumns(everything, '3')).toBe('all');
    expect(changedColumns(everything, '1')).toBe('all');
    expect(changedColumns(everything, '4')).toEqual(new Set());
    // A record without versions, a version never declared, one rolled back: not known (fail closed).
    expect(changedColumns(chain, undefined)).toBeUndefined();
    expect(changedColumns(chain, '0')).toBeUndefined();
    expect(changedColumns(declared('2', chain.changes), '3')).toBeUndefined();
    expect(changedColumns(declared('2', []), '1')).toBeUndefined();
    // A declaration going round in a circle ends.
    const circle = declared('2', [
      { version: '2', from: '1', columns: ['a'] },
      { version: '1', from: '2', columns: ['b'] },
    ]);
    expect(changedColumns(circle, '0')).toBeUndefined();
  });

  /** Versions given before `changes` were declared (December 2026): a record of an earlier one is differenced. */
  const GIVEN_BEFORE: Record<string, string> = {
    rollout: '3',
    cof_system: '2',
    workforce: '3',
    equity: '2',
    pcn_comparison: '2',
  };
  it("every new version declares the columns it changed from the one before (else a bump holds the old definition's values)", () => {
    const undeclared = CATALOGUE.filter(
      (d) =>
        d.version !== '1' &&
        GIVEN_BEFORE[d.name] !== d.version &&
        !(d.changes ?? []).some((change) => change.version === d.version),
    ).map((d) => `${d.name} ${d.version}`);
    expect(undeclared, 'give `changes` in catalogue.ts: { version, from: the version before, columns }').toEqual([]);
  });

  it('every metric whose version is not the one its hash was recorded under declares what changed since', () => {
    const recorded = JSON.parse(
      readFileSync(new URL('../fixtures/definition-versions.json', import.meta.url), 'utf8'),
    ) as Record<string, { version: string }>;
    for (const definition of CATALOGUE) {
      const from = recorded[definition.name]?.version;
      // changedColumns is undefined exactly when the recorded version cannot be reached through `changes` (the
      // refresh then fails closed): between a bump and the hash's re-recording this names the missing declaration.
      if (from !== undefined && from !== definition.version)
        expect(changedColumns(definition, from), `${definition.name}: \`changes\` from version ${from}`).toBeDefined();
      for (const change of definition.changes ?? [])
        for (const column of change.columns === 'all' ? [] : change.columns)
          expect(Object.keys(definition.definitions), `${definition.name} ${change.version}`).toContain(column);
    }
  });

  /*
   * wellbeing (version a) over 3 PCNs of 10 people each, baselines 20, follow-ups 23, 10 improved each (England 30).
   * Version b counts improved differently (U00001's 11 where it was 10), and U00001 measures one more person (baseline
   * 10, follow-up 20). Version c changes mean_baseline, and U00002 2 and U00003 1 more people.
   */
  const row = (level: string, code: string, [n, b, f]: readonly number[], improved: number): Row => ({
    ...wellbeingRow(level, code, n as number, (b as number) / (n as number), (f as number) / (n as number)),
    improved,
  });
  const rowsOf = (pcns: Record<string, readonly number[]>, improved: readonly number[]): Row[] => {
    const t = Object.values(pcns).reduce((s, p) => s.map((v, i) => v + (p[i] as number)), [0, 0, 0]);
    const all = improved.reduce((s, v) => s + v, 0);
    return [
      row('national', 'ENG', t, all),
      ...Object.entries(pcns).map(([c, p], i) => row('pcn', c, p, improved[i] as number)),
    ];
  };
  async function publishBy(
    store: MemoryObjectStore,
    definition: MetricDefinition,
    generatedAt: string,
    previous: MetricDocument | undefined,
    exact: readonly Row[],
  ) {
    const revisions = await EnglandRevisions.open({ store, generatedAt, pcnCodes: PCNS }, previous?.generated_at);
    const published = exact.map((r) => ({ ...r }));
    revisions.revise(definition, published, exact, previous);
    await revisions.save();
    const document = { name: 'wellbeing', generated_at: generatedAt, rows: published as unknown as MetricRow[] };
    return {
      document: document as unknown as MetricDocument,
      england: englandOf(published),
      held: revisions.heldOf('wellbeing'),
      stated: revisions.seriesBreakOf('wellbeing'),
    };
  }

  it("a version changing 'all' starts every column again, as a break of the whole document", async () => {
    const store = new MemoryObjectStore();
    const ten = { U00001: [10, 200, 230], U00002: [10, 200, 230], U00003: [10, 200, 230] };
    const a = { ...WELLBEING, version: 'a' };
    const r0 = await publishBy(store, a, '2025-11-01T00:00:00.000Z', undefined, rowsOf(ten, [10, 10, 10]));
    // U00001's new person, which version a's record would hold (below), is published with everything else: 31 people,
    // 11 + 10 + 10 = 31 improved; the break is stated for the whole document (no columns).
    const b = { ...WELLBEING, version: 'b', changes: [{ version: 'b', from: 'a', columns: 'all' as const }] };
    const r1 = await publishBy(
      store,
      b,
      '2025-11-02T00:00:00.000Z',
      r0.document,
      rowsOf({ ...ten, U00001: [11, 210, 250] }, [11, 10, 10]),
    );
    expect([r1.england.people, r1.england.improved]).toEqual([31, 31]);
    expect(r1.held).toBeUndefined();
    expect(r1.stated).toEqual({ since_release: '2025-11-02T00:00:00.000Z', reason: DEFINITION_CHANGED });
  });

  it('a unit the new version did not change keeps its hold; the changed column is held as none with its period', async () => {
    const store = new MemoryObjectStore();
    const b = { ...WELLBEING, version: 'b', changes: [{ version: 'b', from: 'a', columns: ['improved'] }] };
    const c = { ...b, version: 'c', changes: [{ version: 'c', from: 'b', columns: ['mean_baseline'] }, ...b.changes] };
    const ten = { U00001: [10, 200, 230], U00002: [10, 200, 230], U00003: [10, 200, 230] };
    const r0 = await publishBy(
      store,
      { ...WELLBEING, version: 'a' },
      '2025-11-01T00:00:00.000Z',
      undefined,
      rowsOf(ten, [10, 10, 10]),
    );
    expect([r0.england.people, r0.england.improved]).toEqual([30, 30]);

    // b: the people and their means are counted as before, so U00001's new person is differenced against the record:
    // 1 PCN, held at 30 people, means 20 and 23 (before the fix, 31 people and means 610 / 31 and 710 / 31 were
    // published, and with r0 gave that person's baseline 10 and follow-up 20). The year holds a figure, so improved
    // (of the new definition, 31) is held as no figure. Held figures differing from the exact: people, 3 means and
    // the interval's 2 ends, improved: 7.
    const r1 = await publishBy(
      store,
      b,
      '2025-11-02T00:00:00.000Z',
      r0.document,
      rowsOf({ ...ten, U00001: [11, 210, 250] }, [11, 10, 10]),
    );
    expect([r1.england.people, r1.england.mean_baseline, r1.england.mean_follow_up]).toEqual([30, 20, 23]);
    expect(r1.england.improved).toBeNull();
    expect(r1.held).toEqual({ figures: 7, periods: ['2025/26'], fail_closed: false });
    expect(r1.stated).toEqual({
      since_release: '2025-11-02T00:00:00.000Z',
      reason: DEFINITION_CHANGED,
      columns: ['improved'],
    });

    // c (mean_baseline changed): U00002 2 and U00003 1 more people. The people's change since r0's record, 1, 2 and 1
    // from 3 PCNs (all but the two largest 1 >= 10% of 2, net 4 > 3), and the follow-ups' sums' (20, 58, 15), pass:
    // 34 people, follow-ups 783 / 34, baselines by the new definition 656 / 34 (not differenced), and improved shown
    // with the year: 31. The break stated since c, for b's column and c's (b's is within its year).
    const r2 = await publishBy(
      store,
      c,
      '2025-11-03T00:00:00.000Z',
      r1.document,
      rowsOf({ U00001: [11, 210, 250], U00002: [12, 234, 288], U00003: [11, 212, 245] }, [11, 10, 10]),
    );
    expect([r2.england.people, r2.england.improved]).toEqual([34, 31]);
    expect(r2.england.mean_baseline).toBeCloseTo(656 / 34, 10);
    expect(r2.england.mean_follow_up).toBeCloseTo(783 / 34, 10);
    expect(r2.held).toBeUndefined();
    expect(r2.stated).toEqual({
      since_release: '2025-11-03T00:00:00.000Z',
      reason: DEFINITION_CHANGED,
      columns: ['improved', 'mean_baseline'],
    });
  });
});

describe("the release's record, made while the documents and packs are written", () => {
  it('is the record save makes at the end, byte for byte, and read back as this release', async () => {
    // The refresh makes the record once every document is settled (prepareRecord: serialised then, gzipped in zlib's
    // thread pool) and stores it after meta.json (save); made by save alone it must be the same bytes.
    const exact = release({ U00001: [10, 200, 230], U00002: [10, 200, 230], U00003: [10, 200, 230] });
    const recordOf = async (early: boolean) => {
      const store = new MemoryObjectStore();
      const revisions = await EnglandRevisions.open(
        { store, generatedAt: '2026-05-01T09:00:00.000Z', pcnCodes: PCNS },
        undefined,
      );
      revisions.revise(
        WELLBEING,
        exact.map((r) => ({ ...r })),
        exact,
        undefined,
      );
      revisions.settle();
      if (early) revisions.prepareRecord();
      expect(await store.get(REVISIONS_STATE_KEY)).toBeUndefined();
      await revisions.save();
      return (await store.get(REVISIONS_STATE_KEY)) as Uint8Array;
    };
    const [early, late] = [await recordOf(true), await recordOf(false)];
    expect(Buffer.from(early).equals(Buffer.from(late))).toBe(true);
    const state = JSON.parse(gunzipSync(early).toString('utf8'));
    expect(state.release).toBe('2026-05-01T09:00:00.000Z');
    expect(state.pcns).toEqual(PCNS);
    // England's people (3 PCNs of 10): 30, each PCN's contribution 10.
    const people = Object.entries(state.documents.wellbeing.cells).find(([key]) => key.endsWith('#people'))?.[1] as {
      v: number;
      c: number[];
    };
    expect(people.v).toBe(30);
    expect(people.c).toEqual([10, 10, 10]);
  });
});
