import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { tempDir } from '../support/files.ts';
import {
  contactEvent,
  declinedEvent,
  type GoldenEvent,
  goldenReference,
  referralEvent,
  releaseChain,
} from '../support/golden.ts';

/*
 * England's row of a count several documents publish (catalogue.ts jointCounts: rollout's and referral_sources'
 * referrals, cof_person's episodes) that one of them published before and the others have no figure of: the England
 * form of joint30's gap, which rev31 closed below England (area-revisions-unrecorded.test.ts) and left at England
 * ("only possible at a programme's very first month"). rollout counts a month from its offers declined too, so a
 * programme whose first month has offers declined and no referral has an England row in rollout (referrals 0) and none
 * in the documents made from the episodes. Through the real ingest and refresh, releases chained on one store.
 *
 * Six PCNs: U00001, U00002 in QAA (Y56), U00003, U00004 in QBB (Y56), U00005, U00006 in QCC (Y58). December 2024:
 * U00001, U00002 and U00003 record 4, 5 and 6 offers declined (own referral ids, no referral); nobody is referred.
 * January to April 2025 each PCN refers 10 people a month, each contacted the next month (April's not).
 * Release 0 (20 May 2025): rollout's England December is 0 referrals and 15 declined (3 PCNs, none dominating: the
 * period is published); referral_sources and cof_person have no England row of December.
 * Release 1 (21 May): U00001 sends 5 referrals of 15 December late. England's December referrals 0 -> 5 are one PCN's
 * change (fewer than 3 PCNs): held at 0 in rollout, December with 2024/25 in every document. referral_sources and
 * cof_person have no record of England's December: before the fix they held it as no figure (as a period none was
 * published of) beside rollout's 0: one count published as two figures (the joint check, shared-counts.ts
 * checkJointCells, reads below England only, so nothing stopped). Now the count shows its figure as published before,
 * 0, in all three, and cof_person's other figures of the row none (it published none of them).
 * Release 2 (22 May): U00002 and U00003 send 4 late December referrals each. Since the record (release 0's figures:
 * 0): U00001 +5, U00002 +4, U00003 +4: 3 PCNs, the rest (4) at least 10% of the largest (5), net 13 > 3: released,
 * England's December 13 in all three documents, nothing held.
 */
const REFERENCE = goldenReference([
  ['U00001', 'QAA', 'Y56'],
  ['U00002', 'QAA', 'Y56'],
  ['U00003', 'QBB', 'Y56'],
  ['U00004', 'QBB', 'Y56'],
  ['U00005', 'QCC', 'Y58'],
  ['U00006', 'QCC', 'Y58'],
]);
const PCNS = ['U00001', 'U00002', 'U00003', 'U00004', 'U00005', 'U00006'];
const DECLINED: Record<string, number> = { U00001: 4, U00002: 5, U00003: 6 };
const MONTHS = ['2025-01', '2025-02', '2025-03', '2025-04'];
let n = 0;
const contact = (pcn: string, rid: string, on: string) => contactEvent(pcn, rid, on, `C${pcn}-${++n}`);
const offerDeclined = (pcn: string, rid: string, on: string) => declinedEvent(pcn, rid, on, `D${pcn}-${++n}`);
const programme = Object.fromEntries(
  PCNS.map((pcn) => {
    const rows: GoldenEvent[] = [];
    for (let i = 0; i < (DECLINED[pcn] ?? 0); i++)
      rows.push(offerDeclined(pcn, `${pcn}-offer-${i}`, `2024-12-${String(2 + i).padStart(2, '0')}`));
    for (const [mi, m] of MONTHS.entries())
      for (let i = 0; i < 10; i++) {
        const rid = `${pcn}-${m}-${i}`;
        rows.push(referralEvent(pcn, rid, `${m}-${String(1 + i).padStart(2, '0')}`));
        const next = MONTHS[mi + 1];
        if (next !== undefined) rows.push(contact(pcn, rid, `${next}-2${i % 8}`));
      }
    return [`${pcn}-a.jsonl`, rows];
  }),
);
const lateDecember = (pcn: string, batch: string, count: number) =>
  Array.from({ length: count }, (_, i) => referralEvent(pcn, `${pcn}-late-${batch}-${i}`, '2024-12-15'));

const dir = tempDir('england-revisions-unrecorded');
const dataDir = `${dir.path}/data`;
const { release } = releaseChain(dir.path, dataDir);
/** The documents publishing the count, and the count's column in each. */
const COUNT = { rollout: 'referrals', referral_sources: 'referrals', cof_person: 'episodes' } as const;
const englandRow = (docs: Map<string, MetricDocument>, name: string, period: string) =>
  docs.get(name)?.rows.find((r) => r.level === 'national' && r.period === period);
const heldPeriods = (docs: Map<string, MetricDocument>, name: string) =>
  (docs.get(name)?.summary?.revisions_held as { periods?: string[] } | undefined)?.periods;

beforeAll(async () => {
  await stageReference(new FsObjectStore(dataDir), REFERENCE);
}, 60_000);
afterAll(() => dir.remove());

describe("England's row of a joint count one document published before and the others have no figure of", () => {
  it('release 0: rollout publishes England December (offers declined only); the others have no such row', async () => {
    const r0 = await release('2025-05-20T00:00:00Z', programme);
    expect(englandRow(r0, 'rollout', '2024-12')).toMatchObject({ referrals: 0, declines: 15 });
    for (const name of ['referral_sources', 'cof_person'])
      expect(englandRow(r0, name, '2024-12'), name).toBeUndefined();
    expect(englandRow(r0, 'rollout', '2025-01')?.referrals).toBe(60);
  }, 300_000);

  it('release 1: one PCN late into December: every document publishes, the count held alike (as published before)', async () => {
    const r1 = await release('2025-05-21T00:00:00Z', { 'U00001-late.jsonl': lateDecember('U00001', 'a', 5) });
    for (const [name, column] of Object.entries(COUNT)) {
      expect(englandRow(r1, name, '2024-12')?.[column], name).toBe(0);
      expect(heldPeriods(r1, name), name).toEqual(expect.arrayContaining(['2024-12', '2024/25']));
    }
    const cof = englandRow(r1, 'cof_person', '2024-12');
    expect([cof?.engagement_cohort, cof?.engaged]).toEqual([null, null]);
  }, 300_000);

  it('release 2: three PCNs changed December since: released, 13 in every document', async () => {
    const r2 = await release('2025-05-22T00:00:00Z', {
      'U00002-late.jsonl': lateDecember('U00002', 'b', 4),
      'U00003-late.jsonl': lateDecember('U00003', 'b', 4),
    });
    for (const [name, column] of Object.entries(COUNT)) {
      expect(englandRow(r2, name, '2024-12')?.[column], name).toBe(13);
      expect(heldPeriods(r2, name) ?? [], name).toEqual([]);
    }
  }, 300_000);
});
