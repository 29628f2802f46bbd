import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetaDocument, MetricDocument } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { currentRelease } from '../../functions/lib/release.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { tempDir } from '../support/files.ts';
import { type GoldenEvent, ingestAllAccepted, referralEvent, rowFinder } from '../support/golden.ts';

/*
 * The data-as-of rule during a national rollout in waves (docs/methodology.md, "Data as of"). Ten PCNs are open in
 * one ICB; only some upload automatically yet:
 *
 *   wave  PCNs                 first month   referrals a month
 *   1     U30001 U30002 U30003 2025-09       2 each
 *   2     U30004 U30005        2025-11       2 each
 *   -     U30006 ... U30010    not yet       -
 *
 * Refreshed on 4 January 2026, December 2025 has been sent by U30001, U30002, U30004 and U30005 (U30003 is late).
 *
 *   month    sent  onboarded  open   of onboarded  of open
 *   2025-09  3     3          10     100%          30%
 *   2025-10  3     3          10     100%          30%
 *   2025-11  5     5          10     100%          50%
 *   2025-12  4     5          10      80%          40%
 *
 * Of all PCNs open no month ever reaches 90%, so nothing would publish until the last wave; of the PCNs onboarded,
 * September to November are complete and December (80%) waits: data as of 30 November 2025. England: 6, 6 and 10
 * referrals; 22 in 2025/26 so far. The rollout still shows 5 of 10 PCNs sent November.
 */
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
${Array.from({ length: 10 }, (_, i) => `U300${String(i + 1).padStart(2, '0')}`)
  .map((code) => `${code},PCN ${code},QWE,NHS South West London ICB,Y56,London,10000,2019-04-01,`)
  .join('\n')}
`;
const WAVES: Readonly<Record<string, readonly string[]>> = {
  '2025-09': ['U30001', 'U30002', 'U30003'],
  '2025-10': ['U30001', 'U30002', 'U30003'],
  '2025-11': ['U30001', 'U30002', 'U30003', 'U30004', 'U30005'],
  '2025-12': ['U30001', 'U30002', 'U30004', 'U30005'],
};
const referrals = (pcn: string, month: string): GoldenEvent[] =>
  [0, 1].map((i) => referralEvent(pcn, `${pcn}-${month}-${i}`, `${month}-10`));

const dir = tempDir('data-as-of-waves');
const dataDir = join(dir.path, 'data');
const store = new FsObjectStore(dataDir);
let docs: Map<string, MetricDocument>;

beforeAll(async () => {
  await stageReference(store, REFERENCE);
  const uploads = Object.fromEntries(
    Object.entries(WAVES).flatMap(([month, pcns]) => pcns.map((pcn) => [`${pcn}-${month}.csv`, referrals(pcn, month)])),
  );
  await ingestAllAccepted(dir.path, dataDir, uploads);
  const engine = new DuckDbEngine(dataDir);
  await refreshMetrics({ store, engine, clock: () => new Date('2026-01-04T06:00:00Z') });
  await engine.close();
  docs = new Map();
  const published = await currentRelease(store);
  for (const key of (await published.list('metrics/')).filter((k) => k.endsWith('.json'))) {
    const doc = JSON.parse(new TextDecoder().decode(await published.get(key))) as MetricDocument;
    docs.set(doc.name ?? 'meta', doc);
  }
}, 120_000);
afterAll(() => dir.remove());

describe('data as of during a rollout in waves', () => {
  it('publishes the months sent by 90% of the PCNs onboarded, not of all PCNs open', () => {
    const meta = docs.get('meta') as unknown as MetaDocument;
    expect(meta.data_as_of).toBe('2025-11-30');
    expect(meta.months).toEqual(['2025-09', '2025-10', '2025-11']);
    expect(meta.months_pending).toEqual([
      { month: '2025-12', pcns_submitting: 4, pcns_onboarded: 5, pcns_stopped: 0, pcns_open: 10 },
    ]);
  });

  it('the rollout shows how many of the PCNs open sent each month, and the projection reads the complete months', () => {
    const row = rowFinder(docs);
    expect(row('rollout', 'national', 'ENG', '2025-09')).toMatchObject({ referrals: 6, pcns: 10, pcns_submitting: 3 });
    expect(row('rollout', 'national', 'ENG', '2025-11')).toMatchObject({ referrals: 10, pcns: 10, pcns_submitting: 5 });
    expect(row('rollout', 'national', 'ENG', '2025/26')).toMatchObject({ referrals: 22 });
    expect(docs.get('rollout')?.rows.some((r) => r.period === '2025-12')).toBe(false);
    const progress = docs.get('rollout')?.summary?.target_progress as { fy: string; complete_months: string[] }[];
    expect(progress.find((p) => p.fy === '2025/26')?.complete_months).toEqual(['2025-09', '2025-10', '2025-11']);
  });
});
