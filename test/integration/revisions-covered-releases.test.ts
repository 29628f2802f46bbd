import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { tempDir } from '../support/files.ts';
import { type GoldenEvent, referralEvent, refreshAndRead, writeEventFiles } from '../support/golden.ts';

/*
 * England's workforce figures over two monthly releases (red-team review 11, R11-2): the covered caseload's figures
 * (caseload_fte: a group's FTE) and England's link worker FTE are means over England's months of snapshots, FTE not a
 * count of people. An ordinary month (every PCN sends its new month; one PCN misses a snapshot) releases England's
 * year and new month in every document; only a change in the FTE outside the covered PCNs' reporting spans made by
 * fewer than 3 PCNs holds the covered figures, alone.
 *
 * Ten PCNs: U00001-U00003 (ICB QAA, London) and U00011-U00017 (three ICBs, South West). 10 new people a month each
 * (extracts received the 3rd of the next month), one link worker snapshot a month each (received likewise). Release 1
 * on 15 October 2025 (data as of 30 September: 6 months of 2025/26), release 2 on 15 November after October's files.
 */
const HEADER = 'pcn_code,snapshot_month,role,headcount,fte,accredited_training_headcount,vacancies_fte';
const people = (pcn: string, m: string, n: number) =>
  Array.from({ length: n }, (_, i) => referralEvent(pcn, `${pcn}-${m}-${i}`, `${m}-1${i % 9}`));
const NORMAL = Array.from({ length: 7 }, (_, i) => `U000${11 + i}`);
const STOPPED = ['U00001', 'U00002', 'U00003'];
const ALL = [...NORMAL, ...STOPPED];
const M1 = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09'];
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
${STOPPED.map((p) => `${p},PCN ${p},QAA,NHS ICB A,Y56,London,10000,2019-04-01,`).join('\n')}
${NORMAL.map((p, i) => `${p},PCN ${p},Q${'BCD'[i % 3]}B,NHS ICB ${i % 3},Y58,South West,10000,2019-04-01,`).join('\n')}
`;
const receivedAt = (file: string) => {
  const m = /(\d{4})-(\d{2})(?:-wf)?\.csv$/.exec(file);
  return new Date(Date.UTC(Number(m?.[1]), Number(m?.[2]), 3, 9));
};
const englandOf = (docs: Map<string, MetricDocument>, name: string, period: string) =>
  (docs.get(name)?.rows ?? []).find((r) => r.level === 'national' && r.period === period);
/** One snapshot file of a PCN and month: [headcount (all trained), FTE]. */
function snapshot(dir: string, pcn: string, month: string, headcount: number, fte: number): string {
  const file = join(dir, `${pcn}-${month}-wf.csv`);
  writeFileSync(file, `${HEADER}\n${pcn},${month},splw,${headcount},${fte},${headcount},0\n`);
  return file;
}

/**
 * Two releases: `first` the PCNs' April-September events (`months` of each PCN) and snapshots ([headcount, FTE] of
 * each PCN), then October's events of `october` and October's snapshots.
 */
async function twoReleases(
  dir: string,
  eventMonths: (pcn: string) => readonly string[],
  staff: (pcn: string) => readonly [number, number],
  october: readonly string[],
  octoberStaff: Readonly<Record<string, readonly [number, number]>>,
  r1: Map<string, MetricDocument>,
  r2: Map<string, MetricDocument>,
) {
  const dataDir = join(dir, 'data');
  await stageReference(new FsObjectStore(dataDir), REFERENCE);
  const uploads: Record<string, GoldenEvent[]> = {};
  for (const p of ALL) for (const m of eventMonths(p)) uploads[`${p}-${m}.csv`] = people(p, m, 10);
  const files = writeEventFiles(dir, uploads);
  for (const p of ALL) for (const m of M1) files.push(snapshot(dir, p, m, ...staff(p)));
  files.sort((a, b) => receivedAt(a).getTime() - receivedAt(b).getTime());
  await ingestFiles(files, { dataDir, out: () => {}, progress: false, receivedAt });
  await refreshAndRead(dataDir, new Date('2025-10-15T06:00:00Z'), r1);
  const oct: Record<string, GoldenEvent[]> = {};
  for (const p of october) oct[`${p}-2025-10.csv`] = people(p, '2025-10', 10);
  const files2 = writeEventFiles(dir, oct);
  for (const [p, [headcount, fte]] of Object.entries(octoberStaff))
    files2.push(snapshot(dir, p, '2025-10', headcount, fte));
  await ingestFiles(files2, { dataDir, out: () => {}, progress: false, receivedAt });
  await refreshAndRead(dataDir, new Date('2025-11-15T06:00:00Z'), r2);
}

/** twoReleases in a temporary folder of its own, made before the describe's tests: their documents by name. */
function releasedTwice(
  name: string,
  eventMonths: (pcn: string) => readonly string[],
  staff: (pcn: string) => readonly [number, number],
  october: readonly string[],
  octoberStaff: Readonly<Record<string, readonly [number, number]>>,
) {
  const dir = tempDir(name);
  const r1 = new Map<string, MetricDocument>();
  const r2 = new Map<string, MetricDocument>();
  beforeAll(() => twoReleases(dir.path, eventMonths, staff, october, octoberStaff, r1, r2), 600_000);
  afterAll(() => dir.remove());
  return { r1, r2 };
}

/*
 * Every PCN sends October: 10 people, its link workers up from 2.0 to 2.1 FTE (headcount 4, all trained).
 * - Release 1: England 2025/26 over 6 months: FTE 10 x 2 = 20 (covered: the same 20), people 10 x 60 = 600.
 * - Release 2: each PCN's FTE-months 12 -> 14.1 (+2.1, ten PCNs, none dominating: released; an FTE is no count of
 *   people, so no small-net rule: its year mean moved 2.0 -> 2.0143, a net of 0.14 for 10 PCNs, which held it before).
 *   England 2025/26: FTE (120 + 21) / 7 = 20.1429 -> 20.14, caseload_fte the same, people 700, caseload_covered
 *   700 x 7 / 141 = 34.75 -> 35; October: FTE 21, rollout's people 100. Nothing held.
 */
describe('a monthly release: every PCN sends October, FTE up 0.1 each (review 11, R11-2)', () => {
  const october = Object.fromEntries(ALL.map((p) => [p, [4, 2.1] as const]));
  const { r1, r2 } = releasedTwice(
    'covered-monthly',
    () => M1,
    () => [4, 2],
    ALL,
    october,
  );

  it('releases England’s year and October in workforce and rollout', () => {
    expect(englandOf(r1, 'workforce', '2025/26')).toMatchObject({ months: 6, splw_fte: 20, caseload_fte: 20 });
    expect(englandOf(r2, 'workforce', '2025/26')).toMatchObject({
      months: 7,
      splw_fte: 20.14,
      caseload_fte: 20.14,
      people_referred: 700,
      caseload_covered: 35,
    });
    expect(englandOf(r2, 'workforce', '2025-10')).toMatchObject({ splw_fte: 21 });
    expect(englandOf(r2, 'rollout', '2025/26')?.people_referred).toBe(700);
    expect(englandOf(r2, 'rollout', '2025-10')?.people_referred).toBe(100);
    expect(r2.get('workforce')?.summary?.revisions_held).toBeUndefined();
    expect(r2.get('rollout')?.summary?.revisions_held).toBeUndefined();
  });
});

/*
 * FTE constant (2.0 every month for every PCN), every PCN sends October's events, U00003 sends no October snapshot.
 * - Release 2: England's year FTE (120 + 9 x 2) / 7 = 19.714 -> 19.71 (was 20): a mean over England's months. Each
 *   PCN's contribution is its FTE-months (what England's figure is made of): +2 for nine PCNs, U00003's 12 unchanged;
 *   released (it was read as no PCN's change: each PCN's own year mean stayed 2.0, "fewer than 3 PCNs (0 PCNs)").
 *   Trained: +4 person-months for nine PCNs, net 36 > 9. October FTE 18 (9 PCNs); rollout 700 and 100. Nothing held.
 *   U00003 reported October without a snapshot for it (pcns_missing_snapshot_months 1), so it is left out of the PCNs
 *   covered (review 26, R26-2; until then caseload_fte 19.71, caseload_covered 700 x 7 / 138 = 35.51 -> 36, its
 *   October people over no FTE): 9 covered, 630 people over 9 x 14 = 126 FTE-months. caseload_fte is withheld
 *   (England's FTE less it would be U00003's alone: R9-5), and caseload_covered with it (England's 700 less the
 *   covered 630 is U00003's 70, its rollout cell: auditCoveredShare).
 */
describe('FTE constant, one PCN sends no October snapshot (review 11, R11-2)', () => {
  const october = Object.fromEntries(ALL.filter((p) => p !== 'U00003').map((p) => [p, [4, 2] as const]));
  const { r2 } = releasedTwice(
    'covered-missing',
    () => M1,
    () => [4, 2],
    ALL,
    october,
  );

  it('releases England’s year and October in workforce and rollout', () => {
    expect(englandOf(r2, 'workforce', '2025/26')).toMatchObject({
      months: 7,
      splw_fte: 19.71,
      splw_headcount: (240 + 36) / 7,
      people_referred: 700,
      pcns_missing_snapshot_months: 1,
      caseload_pcns: 9,
      caseload_fte: null,
      caseload_covered: null,
    });
    expect(englandOf(r2, 'workforce', '2025-10')).toMatchObject({ splw_fte: 18, splw_headcount: 36 });
    expect(englandOf(r2, 'rollout', '2025/26')?.people_referred).toBe(700);
    expect(englandOf(r2, 'rollout', '2025-10')?.people_referred).toBe(100);
    expect(r2.get('workforce')?.summary?.revisions_held).toBeUndefined();
    expect(r2.get('rollout')?.summary?.revisions_held).toBeUndefined();
  });
});

/*
 * The FTE outside the covered PCNs' reporting spans, across two releases (the reviewer's caution). U00001-U00003 send
 * events for April and May only (their extracts stop: reporting spans end in May), and snapshots to September (1 FTE,
 * headcount 2); the seven others 10 people and 2 FTE (headcount 4) a month throughout.
 * - Release 1: England 2025/26 FTE (7 x 2 + 3 x 1) = 17 a month; covered FTE-months in span 7 x 2 x 6 + 3 x 1 x 2
 *   = 90, over 6 months 15 (3 PCNs staffed after reporting: shown); people 7 x 60 + 3 x 20 = 480, caseload_covered
 *   480 x 6 / 90 = 32.
 * - Release 2: the seven send October (10 people, 2.1 FTE), and U00001 an October snapshot alone (0.63 FTE, headcount
 *   2), out of its span. England's FTE-months 102 + 14.7 + 0.63 = 117.33, / 7 = 16.7614 -> 16.76 (eight PCNs: released);
 *   October 15.33. Covered FTE-months 90 + 14.7 = 104.7 (seven PCNs), which beside England's FTE would give the FTE
 *   outside the spans 117.33 - 104.7 = 12.63 against release 1's 102 - 90 = 12: U00001's 0.63 alone (England's
 *   October less the seven's). That change is made by one PCN: the covered figures are held alone at release 1's
 *   (caseload_fte 15, caseload_covered 32, caseload_covered_annualised 64), three figures of 2025/26; England's FTE,
 *   people (550) and October are released, and rollout holds nothing.
 */
describe('the FTE outside the covered spans across two releases (review 11, R11-2 caution)', () => {
  const october: Record<string, readonly [number, number]> = {
    ...Object.fromEntries(NORMAL.map((p) => [p, [4, 2.1] as const])),
    U00001: [2, 0.63],
  };
  const { r1, r2 } = releasedTwice(
    'covered-outside',
    (p) => (STOPPED.includes(p) ? M1.slice(0, 2) : M1),
    (p) => (STOPPED.includes(p) ? [2, 1] : [4, 2]),
    NORMAL,
    october,
  );

  it('holds the covered figures alone, and releases the rest', () => {
    expect(englandOf(r1, 'workforce', '2025/26')).toMatchObject({
      months: 6,
      splw_fte: 17,
      caseload_fte: 15,
      people_referred: 480,
      caseload_covered: 32,
      pcns_staffed_after_reporting: 3,
    });
    expect(englandOf(r2, 'workforce', '2025/26')).toMatchObject({
      months: 7,
      splw_fte: 16.76,
      people_referred: 550,
      caseload_fte: 15,
      caseload_covered: 32,
      caseload_covered_annualised: 64,
    });
    expect(englandOf(r2, 'workforce', '2025-10')?.splw_fte).toBe(15.33);
    expect(englandOf(r2, 'rollout', '2025/26')?.people_referred).toBe(550);
    expect(englandOf(r2, 'rollout', '2025-10')?.people_referred).toBe(70);
    expect(r2.get('workforce')?.summary?.revisions_held).toEqual({
      figures: 3,
      periods: ['2025/26'],
      fail_closed: false,
    });
    expect(r2.get('rollout')?.summary?.revisions_held).toBeUndefined();
  });
});
