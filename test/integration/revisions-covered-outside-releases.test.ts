import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { coveredCaseload } from '../support/documents.ts';
import { tempDir } from '../support/files.ts';
import { type GoldenEvent, referralEvent, refreshAndRead, writeEventFiles } from '../support/golden.ts';

/*
 * England's people referred (rollout's, over every PCN) less the covered people (pinned by workforce's caseload_covered
 * and coverage) across two releases, through the refresh (red-team review 28, R28-7, its reproduction with 3 PCNs
 * outside the covered group, so that a single release passes workforce.sql's outside_people_failing).
 * Covered: U00003 and U00011-U00019 (10 PCNs; a snapshot each month, 2 link workers, 0.1 FTE). Outside: U00001,
 * U00002, U00004 (events, no snapshot). 10 people a PCN a month, April-September 2025.
 */
const HEADER = 'pcn_code,snapshot_month,role,headcount,fte,accredited_training_headcount,vacancies_fte';
const people = (pcn: string, m: string, n: number) =>
  Array.from({ length: n }, (_, i) => referralEvent(pcn, `${pcn}-${m}-${i}`, `${m}-1${i % 9}`));
const COVERED = ['U00003', ...Array.from({ length: 9 }, (_, i) => `U000${11 + i}`)];
const OUTSIDE = ['U00001', 'U00002', 'U00004'];
const M1 = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09'];
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
${['U00001', 'U00002', 'U00003', 'U00004'].map((p) => `${p},PCN ${p},QAA,NHS ICB A,Y56,London,10000,2019-04-01,`).join('\n')}
${COVERED.slice(1)
  .map((p, i) => `${p},PCN ${p},Q${'BCD'[i % 3]}B,NHS ICB ${i % 3},Y58,South West,10000,2019-04-01,`)
  .join('\n')}
`;
const receivedAt = (file: string) => {
  const m = /(\d{4})-(\d{2})(?:-wf)?\.csv$/.exec(file);
  return new Date(Date.UTC(Number(m?.[1]), Number(m?.[2]), 3, 9));
};
function snapshot(dir: string, pcn: string, month: string): string {
  const file = join(dir, `${pcn}-${month}-wf.csv`);
  writeFileSync(file, `${HEADER}\n${pcn},${month},splw,2,0.1,2,0\n`);
  return file;
}
const dir = tempDir('covered-outside-releases');
const r1 = new Map<string, MetricDocument>();
const r2 = new Map<string, MetricDocument>();
beforeAll(async () => {
  const dataDir = join(dir.path, 'data');
  await stageReference(new FsObjectStore(dataDir), REFERENCE);
  const uploads: Record<string, GoldenEvent[]> = {};
  for (const p of [...COVERED, ...OUTSIDE]) for (const m of M1) uploads[`${p}-${m}.csv`] = people(p, m, 10);
  const files = writeEventFiles(dir.path, uploads);
  for (const p of COVERED) for (const m of M1) files.push(snapshot(dir.path, p, m));
  files.sort((a, b) => receivedAt(a).getTime() - receivedAt(b).getTime());
  await ingestFiles(files, { dataDir, out: () => {}, progress: false, receivedAt });
  await refreshAndRead(dataDir, new Date('2025-10-15T06:00:00Z'), r1);
  // October: the 10 covered PCNs' 10 people and snapshots, U00001's 6 people and U00004's 10; U00002's not yet (12 of
  // 13 PCNs: October is in the release, data as of its end).
  const october: Record<string, GoldenEvent[]> = {};
  for (const p of COVERED) october[`${p}-2025-10.csv`] = people(p, '2025-10', 10);
  october['U00001-2025-10.csv'] = people('U00001', '2025-10', 6);
  october['U00004-2025-10.csv'] = people('U00004', '2025-10', 10);
  const files2 = writeEventFiles(dir.path, october);
  for (const p of COVERED) files2.push(snapshot(dir.path, p, '2025-10'));
  await ingestFiles(files2, { dataDir, out: () => {}, progress: false, receivedAt });
  await refreshAndRead(dataDir, new Date('2025-11-15T06:00:00Z'), r2);
}, 600_000);
afterAll(() => dir.remove());
const england = (docs: Map<string, MetricDocument>, name: string) =>
  (docs.get(name)?.rows ?? []).find((r) => r.level === 'national' && r.period === '2025/26');
const coveredOf = (docs: Map<string, MetricDocument>) => coveredCaseload(england(docs, 'workforce'));

describe("England's people referred less the covered people, two releases through the refresh", () => {
  it("two outside PCNs' October (6 and 10 people) beside 3 PCNs outside: the covered figures held, England's released", () => {
    // Release 1: England 13 x 60 = 780 people; covered P = 600 over 6 x 1.00 FTE-months: caseload_fte 1.00,
    // caseload_covered 600 x 6 / 6 = 600, annualised 600 x 6 x 12 / (6 x 6) = 1,200, coverage 600 / 780 = 76.9 -> 77%.
    // Outside: 3 PCNs of 60 (none dominating, 180 > 3): shown.
    expect(england(r1, 'rollout')?.people_referred).toBe(780);
    expect(coveredOf(r1)).toEqual([10, 1, 600, 1200, 77]);
    // Release 2: England 780 + 100 + 6 + 10 = 896 (12 PCNs: released); P = 700 (10 PCNs of 10). Unheld,
    // caseload_covered 700 x 7 / 7 = 700 and coverage 700 / 896 = 78.1 -> 78% gave P = 700, and 896 - 700 = 196 less
    // release 1's 180 is U00001's and U00004's Octobers, 16 (2 PCNs: U00004, knowing its own 10, has U00001's `*` 6).
    // Held: release 1's figures stay, England's people are released.
    expect(england(r2, 'rollout')?.people_referred).toBe(896);
    expect(england(r2, 'workforce')?.people_referred).toBe(896);
    expect(coveredOf(r2)).toEqual([10, 1, 600, 1200, 77]);
    expect(r2.get('workforce')?.summary?.revisions_held).toMatchObject({ periods: ['2025/26'] });
    expect(r2.get('rollout')?.summary?.revisions_held).toBeUndefined();
  });
});
