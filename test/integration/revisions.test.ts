import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import { type MetaDocument, type MetricDocument, type MetricRow, summaryOf } from '../../functions/contract/index.ts';
import { REVISIONS_STATE_KEY } from '../../functions/lib/keys.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { tempDir } from '../support/files.ts';
import { type GoldenEvent, referralEvent, refreshAndRead, writeEventFiles } from '../support/golden.ts';

/*
 * Differencing across releases (red-team review): a refresh follows each ingest, so a late file from one PCN moved
 * England's exact figure by exactly that PCN's change. Ten PCNs of 1,000 patients each (England's list 10,000), each in
 * its own ICB. April 2025: U00001 has 2 referrals, U00002 to U00009 20 each, U00010 18: England 180.
 * Each refresh ingests its files into one data folder and publishes on its own clock.
 */
const PCNS = Array.from({ length: 10 }, (_, i) => `U0000${i + 1}`.replace('U000010', 'U00010'));
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
${PCNS.map((p, i) => `${p},PCN ${i + 1},Q${String.fromCharCode(65 + i)}A,NHS ICB ${i + 1},Y5${6 + (i % 2) * 2},Region ${i % 2},1000,2019-04-01,`).join('\n')}
`;
const referrals = (pcn: string, count: number, month: string, batch: string): GoldenEvent[] =>
  Array.from({ length: count }, (_, i) => referralEvent(pcn, `${pcn}-${month}-${batch}-${i + 1}`, `${month}-10`));
const contact = (pcn: string, on: string): GoldenEvent => {
  const referral = referralEvent(pcn, `${pcn}-2025-04-a-1`, '2025-04-10');
  return {
    event_id: `C-${pcn}-${on}`,
    event_type: 'contact',
    pcn_code: pcn,
    referral_id: referral.referral_id,
    person_id: referral.person_id,
    occurred_on: on,
    contact_mode: 'telephone',
    worker_role: 'splw',
    duration_minutes: 30,
  };
};

const dir = tempDir('revisions');
const dataDir = join(dir.path, 'data');
const store = new FsObjectStore(dataDir);
let files = 0;

async function refreshOn(now: string, uploads: Readonly<Record<string, readonly GoldenEvent[]>>) {
  // One file per PCN, as a PCN uploads its own.
  const byFile: Record<string, GoldenEvent[]> = {};
  for (const [name, rows] of Object.entries(uploads))
    for (const event of rows) {
      const file = `${name}-${event.pcn_code}`;
      if (!(file in byFile)) byFile[file] = [];
      byFile[file]?.push(event);
    }
  const paths = writeEventFiles(
    dir.path,
    Object.fromEntries(Object.entries(byFile).map(([name, rows], i) => [`${files + i}-${name}.jsonl`, rows])),
  );
  files += paths.length;
  const { summary } = await ingestFiles(paths, { dataDir, out: () => {}, progress: false });
  expect(summary.receipts.map((r) => r.status)).toEqual(paths.map(() => 'accepted'));
  const docs = new Map<string, MetricDocument>();
  await refreshAndRead(dataDir, new Date(now), docs);
  return docs;
}
const meta = (docs: Map<string, MetricDocument>) => docs.get('meta') as unknown as MetaDocument;
const row = (docs: Map<string, MetricDocument>, name: string, level: string, code: string, period: string) => {
  const found = docs.get(name)?.rows.filter((r) => r.level === level && r.code === code && r.period === period);
  expect(found, `${name} ${level} ${code} ${period}`).toHaveLength(1);
  return found?.[0] as MetricRow;
};
const england = (docs: Map<string, MetricDocument>, name: string, period: string) =>
  row(docs, name, 'national', 'ENG', period);
/** England's referral rate (per patient; the document's `per` makes it per 1,000) on the funnels of 2025/26: p0. */
const funnelCentre = (docs: Map<string, MetricDocument>) => {
  const rates = summaryOf(docs.get('pcn_comparison'), 'funnel_rates');
  return rates?.['2025/26']?.referral_rate?.national;
};

beforeAll(async () => {
  await stageReference(store, REFERENCE);
}, 60_000);
afterAll(() => dir.remove());

describe('revisions of England exact figures across releases', () => {
  let first: Map<string, MetricDocument>;
  it('the first release publishes England as it is (no release before it to difference against)', async () => {
    first = await refreshOn('2025-05-10T00:00:00Z', {
      april: [
        ...referrals('U00001', 2, '2025-04', 'a'),
        ...PCNS.slice(1, 9).flatMap((p) => referrals(p, 20, '2025-04', 'a')),
        ...referrals('U00010', 18, '2025-04', 'a'),
      ],
    });
    expect(meta(first).months).toEqual(['2025-04']);
    expect(england(first, 'rollout', '2025-04').referrals).toBe(180);
    expect(england(first, 'rollout', '2025/26').referrals).toBe(180);
    // 180 referrals per 10,000 patients.
    expect(england(first, 'rollout', '2025-04').referrals_per_1000).toBe(18);
    expect(funnelCentre(first)).toBe(0.018);
    expect(meta(first).revisions_held).toBeUndefined();
    // The private record is outside metrics/: nothing the API serves or the packs read.
    expect(existsSync(join(dataDir, REVISIONS_STATE_KEY))).toBe(true);
  }, 120_000);

  it("holds a late file from one PCN: England's April stays 180 while the PCN's own April is *", async () => {
    const docs = await refreshOn('2025-05-11T00:00:00Z', { late: referrals('U00001', 3, '2025-04', 'b') });
    // Without the policy: 183 (180 + U00001's 3), so the difference of two releases was U00001's change.
    expect(row(docs, 'rollout', 'pcn', 'U00001', '2025-04').referrals).toBe('*');
    const april = england(docs, 'rollout', '2025-04');
    expect([april.referrals, april.people_referred]).toEqual([180, 180]);
    // The year adds up its months: it is held with April (or 2025/26 less the other months would give April's).
    expect(england(docs, 'rollout', '2025/26').referrals).toBe(180);
    expect(england(docs, 'referral_sources', '2025-04').referrals).toBe(180);
    expect(england(docs, 'referral_sources', '2025-04').source_gp).toBe(180);
    expect(england(docs, 'cof_person', '2025-04').episodes).toBe(180);
    // Derived figures come from the held value: 180 per 10,000, not 18.3. The funnels publish no England centre line
    // for the held year (review 4, F2: it would compare this release's PCN rows with an earlier England).
    expect(april.referrals_per_1000).toBe(18);
    expect(funnelCentre(docs)).toBeNull();
    // The projection of the year reads the held months and year.
    const progress = docs.get('rollout')?.summary?.target_progress as { fy: string; referrals_to_date: number }[];
    expect(progress.find((p) => p.fy === '2025/26')?.referrals_to_date).toBe(180);
    // The document and meta.json say what is held, and for which periods.
    const held = meta(docs).revisions_held;
    expect(held?.periods).toEqual(['2025-04', '2025/26']);
    expect(held?.fail_closed).toBe(false);
    expect(held?.documents.rollout).toEqual({ figures: 4, periods: ['2025-04', '2025/26'], fail_closed: false });
    expect(docs.get('rollout')?.summary?.revisions_held).toEqual(held?.documents.rollout);
  }, 120_000);

  it('releases the accumulated change once two more PCNs have revised April (3 PCNs: 3 + 2 + 1)', async () => {
    const docs = await refreshOn('2025-05-12T00:00:00Z', {
      b: referrals('U00002', 2, '2025-04', 'b'),
      c: referrals('U00003', 1, '2025-04', 'b'),
    });
    const april = england(docs, 'rollout', '2025-04');
    expect([april.referrals, april.people_referred, april.referrals_per_1000]).toEqual([186, 186, 18.6]);
    expect(england(docs, 'rollout', '2025/26').referrals).toBe(186);
    expect(england(docs, 'referral_sources', '2025-04').source_gp).toBe(186);
    expect(funnelCentre(docs)).toBe(0.0186);
    expect(meta(docs).revisions_held).toBeUndefined();
  }, 120_000);

  it('a new month reported by one PCN has no England figure; reported by three, it is published', async () => {
    // Every PCN sends May events (so May is complete: data_as_of_rule), but only U00001 May referrals (10).
    const one = await refreshOn('2025-06-10T00:00:00Z', {
      may: [...referrals('U00001', 10, '2025-05', 'a'), ...PCNS.slice(1).map((p) => contact(p, '2025-05-15'))],
    });
    expect(meta(one).months).toEqual(['2025-04', '2025-05']);
    const may = england(one, 'rollout', '2025-05');
    expect([may.referrals, may.people_referred, may.referrals_per_1000]).toEqual([null, null, null]);
    expect(england(one, 'rollout', '2025/26').referrals).toBe(186);
    expect(meta(one).revisions_held?.documents.rollout?.periods).toEqual(['2025-05', '2025/26']);
    // U00002 9 and U00003 8 May referrals: 27 from three PCNs.
    const three = await refreshOn('2025-06-11T00:00:00Z', {
      b: referrals('U00002', 9, '2025-05', 'a'),
      c: referrals('U00003', 8, '2025-05', 'a'),
    });
    expect(england(three, 'rollout', '2025-05').referrals).toBe(27);
    expect(england(three, 'rollout', '2025/26').referrals).toBe(213);
    expect(meta(three).revisions_held).toBeUndefined();
  }, 240_000);

  it('fails closed when the private record is missing: every changed England figure is held', async () => {
    const kept = join(dir.path, 'state-of-june-11.json.gz');
    copyFileSync(join(dataDir, REVISIONS_STATE_KEY), kept);
    rmSync(join(dataDir, REVISIONS_STATE_KEY));
    // Four PCNs revise April (enough under the policy), but the record of what was published is gone.
    const docs = await refreshOn('2025-06-12T00:00:00Z', {
      late: PCNS.slice(3, 7).flatMap((p, i) => referrals(p, i + 2, '2025-04', 'c')),
    });
    expect(england(docs, 'rollout', '2025-04').referrals).toBe(186);
    expect(england(docs, 'rollout', '2025/26').referrals).toBe(213);
    expect(meta(docs).revisions_held?.fail_closed).toBe(true);

    // A record from another release (the one before): held again, and later revisions with it.
    copyFileSync(kept, join(dataDir, REVISIONS_STATE_KEY));
    const again = await refreshOn('2025-06-13T00:00:00Z', { late: referrals('U00008', 5, '2025-04', 'c') });
    expect(england(again, 'rollout', '2025-04').referrals).toBe(186);
    expect(meta(again).revisions_held?.fail_closed).toBe(true);
  }, 240_000);

  it('after failing closed, releases only when the changes since pass the rule beside the unknown part', async () => {
    // The last refresh failed closed with England's April published 186 and the exact April 186 + U00004-U00007's
    // 2+3+4+5 + U00008's 5 = 205: the record keeps the contributions as they were then, and the unknown part 19.
    // Three PCNs add 1 each: 1, 1, 1 beside an unknown 19, which may be one PCN's own and dominates: held (the coarse
    // rule of counting PCNs that uploaded released it here: review 3, H2).
    const three = await refreshOn('2025-06-14T00:00:00Z', {
      a: referrals('U00009', 1, '2025-04', 'd'),
      b: referrals('U00010', 1, '2025-04', 'd'),
      c: referrals('U00001', 1, '2025-04', 'd'),
    });
    expect(england(three, 'rollout', '2025-04').referrals).toBe(186);
    expect(meta(three).revisions_held?.fail_closed).toBe(false);
    // Six more PCNs add 10 each: changes 10 x 6 and 1 x 3 beside 19. As a PCN of its own: 19 is the largest, and all
    // but the two largest add up to 10 x 5 + 3 = 53 >= 1.9. Added to any one PCN's change: all but the two largest,
    // 10 x 4 + 3 = 43, less 19 is 24 >= 10% of (10 + 19). Released: 205 + 3 + 60 = 268.
    const six = await refreshOn('2025-06-15T00:00:00Z', {
      e: PCNS.slice(1, 7).flatMap((p) => referrals(p, 10, '2025-04', 'e')),
    });
    expect(england(six, 'rollout', '2025-04').referrals).toBe(268);
  }, 240_000);

  it('the private record never appears among the published documents or packs', () => {
    const published: string[] = [];
    const walk = (folder: string) => {
      for (const entry of readdirSync(folder, { withFileTypes: true }))
        entry.isDirectory() ? walk(join(folder, entry.name)) : published.push(join(folder, entry.name));
    };
    walk(join(dataDir, 'metrics'));
    const names = published.map((p) => p.slice(dataDir.length));
    expect(published.some((p) => p.endsWith('.pdf'))).toBe(true);
    expect(names.filter((p) => p.includes('revisions') || p.endsWith('.gz'))).toEqual([]);
    const stateBytes = readFileSync(join(dataDir, REVISIONS_STATE_KEY));
    expect(published.every((p) => !readFileSync(p).includes(stateBytes.subarray(0, 64)))).toBe(true);
  });
});
