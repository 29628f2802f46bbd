import { describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import { REVISIONS_STATE_KEY } from '../../functions/lib/keys.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';
import { EnglandRevisions, releasable, unitsOf } from '../../functions/refresh/revisions.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';

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
  const revisions = await EnglandRevisions.open(
    { store, generatedAt, pcnCodes: PCNS, uploadCounts: async () => new Map(PCNS.map((p) => [p, 1])) },
    previous?.generated_at,
  );
  const published = exact.map((r) => ({ ...r }));
  const asPublished = revisions.revise(WELLBEING, published, exact, previous);
  await revisions.save();
  const document = { name: 'wellbeing', generated_at: generatedAt, rows: published as unknown as MetricRow[] };
  return { document: document as unknown as MetricDocument, asPublished, held: revisions.heldOf('wellbeing') };
}

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
      EnglandRevisions.open(
        { store, generatedAt, pcnCodes: PCNS, uploadCounts: async () => new Map(PCNS.map((p) => [p, 1])) },
        previous,
      );
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
