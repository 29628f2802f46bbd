import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/metrics.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { tempDir } from '../support/files.ts';
import { type GoldenEvent, goldenReference, referralEvent, releaseChain } from '../support/golden.ts';

/*
 * R22-3: cof_community's recent_connections is a window of the data-as-of date (a year's is its newest month's
 * connections) and a year's attendance_cohort grows as a month matures: both change at every release by construction,
 * and neither may be read as a revision by a few PCNs (England's year frozen, its newest month withheld, area families
 * held). Six PCNs, QAA: U30001-U30003, QBB: U30004-U30006. August-October: every PCN 10 connections a month (8 of
 * each 10 attended: i < 8). November: U30001 10 connections, U30002 and U30003 referrals only, QBB's three 10 each.
 * Release 1 (data to 30 November, cut-off 31 October). Release 2 (data to 31 December, cut-off 30 November; December
 * 10 connections each, dated 2 December): U30002/U30003's year recent goes 0 -> 10 (December is their newest month),
 * U30001's November recent 10 -> 0 (November matured): nothing was revised.
 */
const PCNS = ['U30001', 'U30002', 'U30003', 'U30004', 'U30005', 'U30006'];
const REFERENCE = goldenReference(PCNS.map((p, i) => [p, i < 3 ? 'QAA' : 'QBB', i < 3 ? 'Y56' : 'Y58'] as const));
const connection = (pcn: string, month: string, i: number, day = 10 + i): GoldenEvent => {
  const referralId = `R-${pcn}-${month}-${i}`;
  return {
    event_id: `C-${pcn}-${month}-${i}`,
    event_type: 'community_connection',
    pcn_code: pcn,
    referral_id: referralId,
    person_id: createHash('sha256').update(referralId).digest('hex'),
    occurred_on: `${month}-${String(day).padStart(2, '0')}`,
    activity_category: 'arts_culture',
    provider_id: `VCSE-${i}`,
    attended: i < 8,
    recorded_at: `${month}-${String(day).padStart(2, '0')}T17:00:00Z`,
  };
};
const dir = tempDir('r22-recent-held');
const dataDir = join(dir.path, 'data');
afterAll(() => dir.remove());
const { release } = releaseChain(dir.path, dataDir);
const row = (docs: Map<string, MetricDocument>, code: string, period: string) => {
  const r = docs.get('cof_community')?.rows.find((x) => x.code === code && x.period === period);
  return r && [r.connections, r.attendance_cohort, r.recent_connections, r.attended];
};
const HELD = (d: MetricDocument | undefined) =>
  ((d?.summary as Record<string, unknown> | undefined)?.revisions_held_below_england as { rows?: string[] } | undefined)
    ?.rows ?? [];
describe('cof_community recent connections and attendance cohort across releases (R22-3)', () => {
  it('are no revision: England and the areas publish release 2 as it is', async () => {
    await stageReference(new FsObjectStore(dataDir), REFERENCE);
    const first: Record<string, GoldenEvent[]> = {};
    for (const p of PCNS) {
      const rows: GoldenEvent[] = [];
      for (const m of ['2026-08', '2026-09', '2026-10']) for (let i = 0; i < 10; i++) rows.push(connection(p, m, i));
      if (p === 'U30001' || p >= 'U30004') for (let i = 0; i < 10; i++) rows.push(connection(p, '2026-11', i));
      for (const m of ['2026-08', '2026-09', '2026-10', '2026-11'])
        for (let i = 0; i < 10; i++) rows.push(referralEvent(p, `${p}-${m}-ref-${i}`, `${m}-12`));
      first[`${p}.csv`] = rows;
    }
    const r1 = await release('2026-12-01T06:00:00Z', first, '2026-12-01T05:00:00Z');
    // Release 1: connections Aug-Oct 3 x 60 = 180, November 4 x 10 = 40: 220; cohort (to 31 Oct) 180, recent 40;
    // attended 8 of 10 of the cohort: 144.
    expect(row(r1, 'ENG', '2026/27')).toEqual([220, 180, 40, 144]);
    const second: Record<string, GoldenEvent[]> = {};
    for (const p of PCNS)
      second[`${p}-dec.csv`] = [
        ...Array.from({ length: 10 }, (_, i) => connection(p, '2026-12', i, 2)),
        ...Array.from({ length: 10 }, (_, i) => referralEvent(p, `${p}-dec-ref-${i}`, '2026-12-02')),
      ];
    const r2 = await release('2027-01-06T09:00:00Z', second, '2027-01-02T08:00:00Z');
    const community = r2.get('cof_community') as MetricDocument;
    expect(community.data_as_of).toBe('2026-12-31');
    // England 2026/27 at release 2: connections 180 + 40 + 6 x 10 = 280; cohort (to 30 Nov) 180 + 40 = 220; recent
    // December's 60; attended 0.8 x 220 = 176.
    expect(row(r2, 'ENG', '2026/27')).toEqual([280, 220, 60, 176]);
    // November matured: 40 connections, all in the cohort, 0.8 x 40 = 32 attended; December published: 60, all recent.
    expect(row(r2, 'ENG', '2026-11')).toEqual([40, 40, 0, 32]);
    expect(row(r2, 'ENG', '2026-12')).toEqual([60, 0, 60, 0]);
    // QAA's year: connections 3 x 30 + 10 + 30 = 130, cohort 90 + 10 = 100, recent December's 30 (rounded to 5: as
    // they are). Its November: recent 10 -> 0.
    expect(row(r2, 'QAA', '2026/27')?.slice(0, 3)).toEqual([130, 100, 30]);
    expect(row(r2, 'QAA', '2026-11')?.[2]).toBe(0);
    // The covers line: no period held at release 1's cut-off.
    expect(community.summary?.attendance_cohort).toEqual({ months: 1, connected_on_or_before: '2026-11-30' });
    // Nothing held below England, in cof_community or any document built after it (equity).
    for (const [name, d] of r2) expect([name, HELD(d)]).toEqual([name, []]);
  }, 600_000);
});
