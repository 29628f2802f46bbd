import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { AREA_REVISIONS_STATE_KEY } from '../../functions/refresh/area-revisions.ts';
import { tempDir } from '../support/files.ts';
import { disclosureFindings, type GoldenEvent, releaseChain } from '../support/golden.ts';

/*
 * Red-team review 11, R11-1, through the real ingest and refresh, releases chained on one store: a PCN (the attacker,
 * U00001) sends one referral of its own dated in an old month (January 2025) per release and watches its ICB's (QAA)
 * and region's (Y56) referrals of January. Each release controlled on its own, QAA's cell showed `*` while its exact
 * was 7 or less and 10 from the release it reached 8: the other PCNs' exact sum, 8 less the attacker's own k.
 *
 * Seven PCNs, two regions. QAA: U00001 (attacker), U00002 (victim), U00003. QBB (Y56): U00004, U00005. QCC (Y58):
 * U00006, U00007. Each PCN refers size + (month index mod 3) people a month, December 2024 to April 2025 (sizes 22, 15,
 * 12, 18, 25, 14, 20; by `gp`, or `self` every third), each contacted the month after; but in January U00001 and
 * U00003 refer nobody and U00002 refers 3. January: QAA 3 (`*`), QBB 19 + 26 = 45, Y56 48, QCC 15 + 21 = 36.
 * Release 0 (clock 2025-05-20): December to April. Releases 1 to 5 (a day on each): one January referral of U00001's
 * each, so QAA's exact January is 3 + k, 8 at release 5 (published 10 before the fix), and Y56's 48 + k, 53 at release
 * 5 (55 before the fix, 50 until then). Release 6: U00001, U00002 and U00003 each send 2 more January referrals.
 */
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U00001,Alpha PCN,QAA,NHS Alpha ICB,Y56,London,30000,2019-04-01,
U00002,Bravo PCN,QAA,NHS Alpha ICB,Y56,London,20000,2019-04-01,
U00003,Charlie PCN,QAA,NHS Alpha ICB,Y56,London,25000,2019-04-01,
U00004,Delta PCN,QBB,NHS Bravo ICB,Y56,London,25000,2019-04-01,
U00005,Echo PCN,QBB,NHS Bravo ICB,Y56,London,30000,2019-04-01,
U00006,Foxtrot PCN,QCC,NHS Charlie ICB,Y58,South West,20000,2019-04-01,
U00007,Golf PCN,QCC,NHS Charlie ICB,Y58,South West,22000,2019-04-01,
`;
const PCNS = ['U00001', 'U00002', 'U00003', 'U00004', 'U00005', 'U00006', 'U00007'];
const MONTHS = ['2024-12', '2025-01', '2025-02', '2025-03', '2025-04'];
let n = 0;
const referral = (pcn: string, rid: string, on: string, source: string): GoldenEvent => ({
  event_id: `E${pcn}-${++n}`,
  event_type: 'referral',
  pcn_code: pcn,
  referral_id: rid,
  person_id: createHash('sha256').update(rid).digest('hex'),
  occurred_on: on,
  referral_source: source,
  referral_reasons: 'loneliness_isolation',
  snomed_code: '871731000000106',
  age_band: '45-54',
  sex: 'female',
  ethnicity_group: 'white',
  imd_decile: 5,
  long_term_conditions: 1,
});
const SIZES: Record<string, number> = {
  U00001: 22,
  U00002: 15,
  U00003: 12,
  U00004: 18,
  U00005: 25,
  U00006: 14,
  U00007: 20,
};
const contact = (pcn: string, rid: string, on: string): GoldenEvent => ({
  event_id: `E${pcn}-${++n}`,
  event_type: 'contact',
  pcn_code: pcn,
  referral_id: rid,
  person_id: createHash('sha256').update(rid).digest('hex'),
  occurred_on: on,
  contact_mode: 'telephone',
  worker_role: 'splw',
  duration_minutes: 30,
});
const referralsOf = (pcn: string, m: string, mi: number) => {
  if (m === '2025-01' && pcn !== 'U00004' && pcn !== 'U00005' && pcn !== 'U00006' && pcn !== 'U00007')
    return pcn === 'U00002' ? 3 : 0;
  return (SIZES[pcn] as number) + (mi % 3);
};
const monthOf = (pcn: string, m: string, mi: number, rows: GoldenEvent[]) => {
  for (let i = 0; i < referralsOf(pcn, m, mi); i++) {
    const rid = `${pcn}-${m}-${i}`;
    rows.push(referral(pcn, rid, `${m}-${String(1 + (i % 20)).padStart(2, '0')}`, i % 3 ? 'gp' : 'self'));
    const next = MONTHS[mi + 1];
    if (next !== undefined) rows.push(contact(pcn, rid, `${next}-2${i % 8}`));
  }
};
const decemberToApril = Object.fromEntries(
  PCNS.map((pcn) => {
    const rows: GoldenEvent[] = [];
    for (const [mi, m] of MONTHS.entries()) monthOf(pcn, m, mi, rows);
    return [`${pcn}-a.jsonl`, rows];
  }),
);
const lateJanuary = (pcn: string, batch: string, count: number) =>
  Array.from({ length: count }, (_, i) => referral(pcn, `${pcn}-late-${batch}-${i}`, '2025-01-15', 'gp'));

const dir = tempDir('revisions-areas');
const dataDir = join(dir.path, 'data');
const { release, releases } = releaseChain(dir.path, dataDir);
const row = (
  docs: Map<string, MetricDocument> | undefined,
  name: string,
  level: string,
  code: string,
  period: string,
) => {
  const found = (docs?.get(name)?.rows ?? []).filter(
    (r) => r.level === level && r.code === code && r.period === period,
  );
  expect(found, `${name} ${code} ${period}`).toHaveLength(1);
  return found[0] as MetricRow;
};
const heldRows = (docs: Map<string, MetricDocument>, name: string) =>
  (docs.get(name)?.summary?.revisions_held_below_england as { rows: string[] } | undefined)?.rows ?? [];

beforeAll(async () => {
  await stageReference(new FsObjectStore(dataDir), REFERENCE);
}, 60_000);
afterAll(() => dir.remove());

describe('R11-1: an ICB or region figure published before changes only when 3 or more of its PCNs change it', () => {
  it('release 0: published as it is (nothing held at a first release)', async () => {
    const r0 = await release('2025-05-20T00:00:00Z', decemberToApril);
    // QAA's January: U00002's 3, `*`; Y56's 48, 50.
    expect(row(r0, 'rollout', 'icb', 'QAA', '2025-01').referrals).toBe('*');
    expect(row(r0, 'rollout', 'region', 'Y56', '2025-01').people_referred).toBe(50);
    expect(r0.get('rollout')?.summary?.revisions_held_below_england).toBeUndefined();
    expect(disclosureFindings(r0, REFERENCE)).toEqual([]);
  }, 120_000);

  it('releases 1 to 5: the attacker alone changes QAA: its and Y56 changed rows keep release 0 values (before the fix, a boundary crossed at release 1)', async () => {
    const [r0] = releases;
    for (let k = 1; k <= 5; k++) {
      const rk = await release(`2025-05-2${k}T00:00:00Z`, {
        [`U00001-probe${k}.jsonl`]: lateJanuary('U00001', `p${k}`, 1),
      });
      // Every row of QAA's and Y56's 2024/25 (its months and the year: one family) is release 0's, in every document
      // counting these referrals (rollout, referral_sources, cof_person): QAA's January `*`, Y56's 50.
      for (const [level, code] of [
        ['icb', 'QAA'],
        ['region', 'Y56'],
      ] as const) {
        for (const period of ['2025-01', '2024/25'])
          for (const name of ['rollout', 'referral_sources', 'cof_person'])
            expect(row(rk, name, level, code, period), `k=${k} ${name} ${code} ${period}`).toEqual(
              row(r0, name, level, code, period),
            );
      }
      // The rows held: QAA's and Y56's January and 2024/25 (the month with its year: the year less the other months
      // would give the month), in each document counting these referrals. Not December, February, March (no PCN
      // changed them: this release's control of the same figures), nor QBB, QCC, Y58, April 2025 (unchanged).
      for (const name of ['rollout', 'referral_sources', 'cof_person'])
        expect(heldRows(rk, name), `k=${k} ${name}`).toEqual([
          'icb|QAA|2024/25',
          'icb|QAA|2025-01',
          'region|Y56|2024/25',
          'region|Y56|2025-01',
        ]);
      expect(row(rk, 'rollout', 'icb', 'QAA', '2025-01').referrals).toBe('*');
      expect(row(rk, 'rollout', 'region', 'Y56', '2025-01').people_referred).toBe(50);
      // The attacker's own row is its own new figure (controlled within the release): k referrals, `*`.
      expect(row(rk, 'rollout', 'pcn', 'U00001', '2025-01').referrals).toBe('*');
      // The held rows are read as an earlier release's values, not sums of the new PCN rows beside them.
      expect(disclosureFindings(rk, REFERENCE)).toEqual([]);
    }
  }, 900_000);

  it('release 6: three of QAA PCNs change January: the new values are published', async () => {
    const r6 = await release('2025-05-27T00:00:00Z', {
      'U00001-late.jsonl': lateJanuary('U00001', 'q', 2),
      'U00002-late.jsonl': lateJanuary('U00002', 'q', 2),
      'U00003-late.jsonl': lateJanuary('U00003', 'q', 2),
    });
    // Since release 0: U00001 +7, U00002 +2, U00003 +2: 3 PCNs; the two smaller, 2, at least 10% of 7; net 11 > 3.
    // QAA's January people 3 + 11 = 14, published 15 (its referrals, the same 14, `*` by this release's secondary
    // suppression); QAA's 2024/25 (U00001 22 + 0 + 24 + 22, U00002 15 + 3 + 17 + 15, U00003 12 + 0 + 14 + 12: 156)
    // 156 + 11 = 167, 165; Y56's (QAA's and QBB's 18 + 19 + 20 + 18 + 25 + 26 + 27 + 25 = 178) 345 (334 + 11 = 345).
    expect(row(r6, 'rollout', 'icb', 'QAA', '2025-01').people_referred).toBe(15);
    expect(row(r6, 'rollout', 'icb', 'QAA', '2024/25').referrals).toBe(165);
    expect(row(r6, 'rollout', 'region', 'Y56', '2024/25').referrals).toBe(345);
    expect(heldRows(r6, 'rollout')).toEqual([]);
    expect(disclosureFindings(r6, REFERENCE)).toEqual([]);
    // The record keeps each area row's PCN contributions as published: QAA's January referrals, by PCN index (the
    // codes sorted): U00001 7, U00002 5, U00003 2.
    const bytes = (await new FsObjectStore(dataDir).get(AREA_REVISIONS_STATE_KEY)) as Uint8Array;
    const record = JSON.parse(gunzipSync(bytes).toString('utf8'));
    expect(record.documents.rollout.rows['icb|QAA|month|2025-01'].c.referrals).toEqual([0, 7, 1, 5, 2, 2]);
    // Release 0's 156 in QAA's year, 334 in Y56's: the rows held at releases 1 to 5 showed them.
    expect(row(releases[0], 'rollout', 'icb', 'QAA', '2024/25').referrals).toBe(155);
    expect(row(releases[5], 'rollout', 'region', 'Y56', '2024/25').referrals).toBe(335);
  }, 300_000);
});
