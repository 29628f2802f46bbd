import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/metrics.ts';
import { summaryOf } from '../../functions/contract/summaries.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { tempDir } from '../support/files.ts';
import {
  type GoldenEvent,
  goldenReference,
  ingestQuietly,
  referralEvent,
  refreshAndRead,
  releaseChain,
  writeEventFiles,
} from '../support/golden.ts';

/*
 * Red-team review 21, R21-3: a PCN's first upload carrying its history (a PCN of a later wave, or onboarded late).
 * Five PCNs send April-October 2026 (release 1, 5 November); in release 2 (5 December) they send November and a
 * sixth PCN, open since 2019, sends its first file: April-November, 12 referrals a month. Its April-October change
 * of England's months is one PCN's alone (held: England's exact change would be its exact counts, which its own rows
 * show rounded to 5), and on main the held months held England's year at release 1's 700 for good while its
 * published months added to 932. Now the year's referrals (a count of events, the sum of its months) are the sum of
 * its months as published; its distinct people stay held. Release 4: two other PCNs correct April-October, so three
 * PCNs changed those months and none dominates: the late history is released. A refresh the morning after release 2
 * (same data-as-of date) is still the hold's first release (R22-1).
 */
const PCNS = ['U00001', 'U00002', 'U00003', 'U00004', 'U00005', 'U00006'];
const REFERENCE = goldenReference(PCNS.map((p, i) => [p, i < 3 ? 'QAA' : 'QBB', i < 3 ? 'Y56' : 'Y58'] as const));
const month = (i: number) => `2026-${String(4 + i).padStart(2, '0')}`;
const refs = (pcn: string, m: string, n: number, tag = ''): GoldenEvent[] =>
  Array.from({ length: n }, (_, i) => referralEvent(pcn, `${pcn}-${m}-${tag}${i}`, `${m}-10`));

const dir = tempDir('revisions-late-history');
const dataDir = join(dir.path, 'data');
const { release } = releaseChain(dir.path, dataDir);
afterAll(() => dir.remove());

const england = (docs: Map<string, MetricDocument>, period: string, column = 'referrals') =>
  docs.get('rollout')?.rows.find((r) => r.level === 'national' && r.period === period)?.[column];
const rollout = (docs: Map<string, MetricDocument>) => docs.get('rollout');
const APR_OCT = Array.from({ length: 7 }, (_, i) => month(i));

async function releaseReceived(now: string, receivedAt: string, files: Record<string, GoldenEvent[]>) {
  const paths = writeEventFiles(dir.path, files);
  await ingestQuietly(paths, dataDir, receivedAt);
  const docs = new Map<string, MetricDocument>();
  await refreshAndRead(dataDir, new Date(now), docs);
  return docs;
}

describe('R21-3: one PCN sending its history late', () => {
  it("England's year adds up its published months, and the history is released once 3 PCNs changed those months", async () => {
    await stageReference(new FsObjectStore(dataDir), REFERENCE);
    const first: Record<string, GoldenEvent[]> = {};
    for (const pcn of PCNS.slice(0, 5)) first[`${pcn}.csv`] = APR_OCT.flatMap((m) => refs(pcn, m, 20));
    const r1 = await release('2026-11-05T09:00:00Z', first);
    // 5 PCNs x 20 = 100 a month; the year 7 x 100 = 700.
    expect(APR_OCT.map((m) => england(r1, m))).toEqual(APR_OCT.map(() => 100));
    expect(england(r1, '2026/27')).toBe(700);

    const second: Record<string, GoldenEvent[]> = {};
    for (const pcn of PCNS.slice(0, 5)) second[`${pcn}-nov.csv`] = refs(pcn, '2026-11', 20);
    second['U00006-history.csv'] = Array.from({ length: 8 }, (_, i) => refs('U00006', month(i), 12)).flat();
    const r2 = await release('2026-12-05T09:00:00Z', second);
    // November: 5 x 20 + 12 = 112, made by 6 PCNs: published. April-October changed by U00006 alone (+12): held at 100.
    expect(england(r2, '2026-11')).toBe(112);
    expect(APR_OCT.map((m) => england(r2, m))).toEqual(APR_OCT.map(() => 100));
    // The year, in the hold's first release: as at release 1 (700 referrals and people over 7 months), one release's row.
    expect(england(r2, '2026/27')).toBe(700);
    expect(england(r2, '2026/27', 'people_referred')).toBe(700);
    expect(england(r2, '2026/27', 'months')).toBe(7);
    // The next morning's refresh of the same release (data to 30 November still; nothing new), as the daily schedule
    // makes: the hold is still in its first release (review 22, R22-1: the year followed its months, 7 x 100 + 112 =
    // 812 over 8 months, judged against the refresh before rather than the release before): still 700 over 7 months.
    const r2b = await release('2026-12-06T06:00:00Z', {});
    expect(rollout(r2b)?.data_as_of).toBe(rollout(r2)?.data_as_of);
    expect(england(r2b, '2026/27')).toBe(700);
    expect(england(r2b, '2026/27', 'people_referred')).toBe(700);
    expect(england(r2b, '2026/27', 'months')).toBe(7);

    // December's files (dated 2 December: the real clock refuses later dates as future), received on 2 January.
    const third: Record<string, GoldenEvent[]> = {};
    for (const pcn of PCNS)
      third[`z-${pcn}-dec.csv`] = Array.from({ length: 20 }, (_, i) =>
        referralEvent(pcn, `${pcn}-dec-${i}`, '2026-12-02'),
      );
    const r3 = await releaseReceived('2027-01-06T09:00:00Z', '2027-01-02T08:00:00Z', third);
    expect(england(r3, '2026-12')).toBe(120); // 6 x 20
    expect(APR_OCT.map((m) => england(r3, m))).toEqual(APR_OCT.map(() => 100));
    // April-October held since release 1, before the release published now: the year follows its months as published.
    // Referrals 700 + 112 + 120 = 932: the year includes November and December (main: 700); people referred its 700
    // as published plus the months new since its 7 months, 112 + 120: 932; its span the 9 months published.
    expect(england(r3, '2026/27')).toBe(932);
    expect(england(r3, '2026/27', 'people_referred')).toBe(932);
    expect(england(r3, '2026/27', 'months')).toBe(9);
    const progress = summaryOf(rollout(r3), 'target_progress');
    // The projection from the 9 months published, judged at this release's date (flat profile: 932 + 3 x 932 / 9 =
    // 1,242.7), not the held 7 months' at release 1's (main: 901).
    expect(progress?.[0]).toMatchObject({
      people_referred_to_date: 932,
      referrals_to_date: 932,
      months_elapsed: 9,
      projection_to_year_end: 1243,
      held: { release: '2026-11-05T09:00:00.000Z', data_as_of: '2026-12-31' },
    });

    // U00004 and U00005 correct April-October: 2 more referrals each a month. Each month's change since its published
    // 100: U00006 +12, U00004 +2, U00005 +2: 3 PCNs, the rest after the two largest (2) >= 10% of 12 (1.2), net 16 > 3.
    const fourth: Record<string, GoldenEvent[]> = {};
    for (const pcn of ['U00004', 'U00005']) fourth[`y-${pcn}-fix.csv`] = APR_OCT.flatMap((m) => refs(pcn, m, 2, 'fix'));
    const r4 = await releaseReceived('2027-01-07T09:00:00Z', '2027-01-06T12:00:00Z', fourth);
    // 100 + 12 + 2 + 2 = 116 a month; the year 7 x 116 + 112 + 120 = 1,044, its people likewise (one referral each).
    expect(APR_OCT.map((m) => england(r4, m))).toEqual(APR_OCT.map(() => 116));
    expect(england(r4, '2026/27')).toBe(1044);
    expect(england(r4, '2026/27', 'people_referred')).toBe(1044);
  }, 600_000);
});
