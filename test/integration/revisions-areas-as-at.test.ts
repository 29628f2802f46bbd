import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/metrics.ts';
import { type AreaRevisionsHeld, summaryOf } from '../../functions/contract/summaries.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { tempDir } from '../support/files.ts';
import { type GoldenEvent, goldenReference, referralEvent, releaseChain } from '../support/golden.ts';

/*
 * Which release an ICB's or region's held figures are as at (summary.revisions_held_below_england.as_at): the Outcomes
 * card said "as at an earlier release" without saying which. Six PCNs, QAA (U31001-U31003, Y56) and QBB (U31004-U31006,
 * Y58), each 10 referrals a month from August 2026.
 * Release 1 (1 November 2026, data to 31 October): August to October, nothing held (a first release).
 * Release 2 (1 December 2026, data to 30 November): everyone's November, and one late September referral from U31001
 * alone: QAA's and Y56's September and 2026/27 change by one PCN, so they are held as at release 1.
 * Release 3 (the next morning, 2 December 2026, data to 30 November): another late September referral from U31001
 * alone: still held, and still as at release 1 (release 2 showed release 1's figures), not release 2.
 */
const PCNS = ['U31001', 'U31002', 'U31003', 'U31004', 'U31005', 'U31006'];
const REFERENCE = goldenReference(PCNS.map((p, i) => [p, i < 3 ? 'QAA' : 'QBB', i < 3 ? 'Y56' : 'Y58'] as const));
const dir = tempDir('revisions-areas-as-at');
const dataDir = join(dir.path, 'data');
afterAll(() => dir.remove());
const chain = releaseChain(dir.path, dataDir);
/** A release of the files given, received as it runs. */
const release = (now: string, files: Record<string, GoldenEvent[]>) => chain.release(now, files, now);
const monthsOf = (months: readonly string[]) =>
  Object.fromEntries(
    PCNS.map((p) => [
      `${p}.csv`,
      months.flatMap((m) => Array.from({ length: 10 }, (_, i) => referralEvent(p, `${p}-${m}-${i}`, `${m}-12`))),
    ]),
  );
const held = (docs: Map<string, MetricDocument>): AreaRevisionsHeld | undefined =>
  summaryOf(docs.get('rollout'), 'revisions_held_below_england');
const RELEASE_1 = { release: '2026-11-01T06:00:00.000Z', data_as_of: '2026-10-31' };

describe("an area's held figures say the release they are as at", () => {
  it('held by one PCN late September referrals: as at release 1 (1 November 2026, data to 31 October 2026)', async () => {
    await stageReference(new FsObjectStore(dataDir), REFERENCE);
    const r1 = await release('2026-11-01T06:00:00Z', monthsOf(['2026-08', '2026-09', '2026-10']));
    expect([r1.get('rollout')?.generated_at, r1.get('rollout')?.data_as_of]).toEqual([
      RELEASE_1.release,
      RELEASE_1.data_as_of,
    ]);
    expect(held(r1)).toBeUndefined();
    const late = (k: number) => ({
      [`U31001-late-${k}.csv`]: [referralEvent('U31001', `U31001-late-${k}`, '2026-09-15')],
    });
    const r2 = await release('2026-12-01T06:00:00Z', { ...monthsOf(['2026-11']), ...late(2) });
    expect(r2.get('rollout')?.data_as_of).toBe('2026-11-30');
    // The region's year family (Y56: QAA and the region), September and the year: each as at release 1.
    const rows = ['icb|QAA|2026-09', 'icb|QAA|2026/27', 'region|Y56|2026-09', 'region|Y56|2026/27'];
    expect(held(r2)?.rows).toEqual(rows);
    expect(held(r2)?.as_at).toEqual(Object.fromEntries(rows.map((r) => [r, RELEASE_1])));
    const r3 = await release('2026-12-02T06:00:00Z', late(3));
    expect([r3.get('rollout')?.generated_at, r3.get('rollout')?.data_as_of]).toEqual([
      '2026-12-02T06:00:00.000Z',
      '2026-11-30',
    ]);
    // Release 2 re-showed release 1's figures: they are still release 1's, not release 2's.
    expect(held(r3)?.rows).toEqual(rows);
    expect(held(r3)?.as_at).toEqual(Object.fromEntries(rows.map((r) => [r, RELEASE_1])));
  }, 600_000);
});
