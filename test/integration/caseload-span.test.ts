import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { coveredCaseload } from '../support/documents.ts';
import { tempDir } from '../support/files.ts';
import {
  type GoldenEvent,
  goldenReference,
  publishGolden,
  referralEvent,
  refreshAndRead,
  splwSnapshots,
  writeEventFiles,
} from '../support/golden.ts';

const MONTHS = ['2025-04', '2025-05', '2025-06', '2025-07'];
/** The events files of `pcns` each referring `n` new people a month in `months`, written into `dir`. */
function referralFiles(dir: string, pcns: readonly string[], months: readonly string[], n: number): string[] {
  const uploads: Record<string, GoldenEvent[]> = {};
  for (const p of pcns)
    for (const m of months)
      uploads[`${p}-${m}.csv`] = Array.from({ length: n }, (_, i) =>
        referralEvent(p, `${p}-${m}-${i}`, `${m}-1${i % 9}`),
      );
  return writeEventFiles(dir, uploads);
}
/**
 * One link worker snapshot a month (April to July 2025 unless given) for each [PCN, headcount, FTE], all of them
 * trained, written into `dir` as `<PCN>-workforce<suffix>.csv`.
 */
function snapshots(
  dir: string,
  staff: readonly (readonly [string, number, number])[],
  months: readonly string[] = MONTHS,
  suffix = '',
): string[] {
  return staff.map(([pcn, headcount, fte]) => {
    const file = join(dir, `${pcn}-workforce${suffix}.csv`);
    writeFileSync(file, splwSnapshots(pcn, months, headcount, fte));
    return file;
  });
}
/** Four PCNs, each its own ICB and region; U00004 (QDD, Midlands) sends snapshots only in both programmes below. */
const FOUR_REGIONS = goldenReference([
  ['U00001', 'QAA', 'Y56'],
  ['U00002', 'QBB', 'Y58'],
  ['U00003', 'QCC', 'Y59'],
  ['U00004', 'QDD', 'Y60'],
]);
const SENDING = ['U00001', 'U00002', 'U00003'];
const yearOf = (docs: Map<string, MetricDocument>, level: string, code: string) =>
  (docs.get('workforce')?.rows ?? []).find((r) => r.level === level && r.code === code && r.period === '2025/26');

/*
 * Caseload after a PCN's extract stopped (red-team review 9, R9-3). U00001 (ICB QAA, London) sends 10 new people in
 * April and in May 2025 (extracts received 3 May and 3 June), then its extract stops: its reporting span ends in May
 * (onboarded.sql). Its link worker snapshots go on to July (10 people, 10 FTE a month: a workforce import for every
 * PCN), as do ten other PCNs' (U00011-U00020, South West), each sending 10 new people a month April to July (extracts
 * received the 3rd of the next month). Refresh 5 August 2025: data as of 31 July, 4 months of 2025/26.
 * - U00001: 20 people over 10 FTE (mean of its 4 snapshots) x 12 / 4 months read 6 a year, where it referred 20 over
 *   2 months with 10 FTE, 12 a year: its June and July FTE had no referral data beside it. Now withheld
 *   (pcns_staffed_after_reporting 1), as are QAA's, London's and England's caseloads over every PCN.
 * - England over the PCNs covered (all 11): people 10 x 40 + 20 = 420; FTE-months 10 x 10 x 4 + 10 x 2 = 420, over
 *   England's 4 months of snapshots = 105 FTE (was 110: U00001's June and July); 420 / 105 = 4 so far, x 12 / 4 =
 *   12 a year (was 420 x 4 / 440 = 3.8, 11.45 a year, published 11); coverage 100%. The FTE itself is withheld: 110 -
 *   105 would be U00001's June and July, one PCN's (review 9, R9-5).
 * - A PCN reporting throughout, U00011: 40 people / 10 FTE = 4, 12 a year, pcns_staffed_after_reporting 0.
 */
describe("caseload after a PCN's extract stopped (review 9, R9-3)", () => {
  const others = Array.from({ length: 10 }, (_, i) => `U000${11 + i}`);
  const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U00001,PCN 1,QAA,NHS ICB A,Y56,London,10000,2019-04-01,
${others.map((p, i) => `${p},PCN ${p},Q${'BCD'[i % 3]}B,NHS ICB ${i % 3},Y58,South West,10000,2019-04-01,`).join('\n')}
`;
  const dir = tempDir('caseload-span');
  const docs = new Map<string, MetricDocument>();
  beforeAll(async () => {
    const files = [
      ...referralFiles(dir.path, ['U00001'], MONTHS.slice(0, 2), 10),
      ...referralFiles(dir.path, others, MONTHS, 10),
    ];
    // An events extract received on the 3rd of the month after its month; the snapshots on 3 August.
    const receivedAt = (file: string) => {
      const month = /(\d{4})-(\d{2})\.csv$/.exec(file);
      return month ? new Date(Date.UTC(Number(month[1]), Number(month[2]), 3, 9)) : new Date('2025-08-03T09:00:00Z');
    };
    files.push(...snapshots(dir.path, [['U00001', 10, 10], ...others.map((p) => [p, 10, 10] as const)]));
    const dataDir = join(dir.path, 'data');
    await stageReference(new FsObjectStore(dataDir), REFERENCE);
    files.sort((a, b) => receivedAt(a).getTime() - receivedAt(b).getTime());
    await ingestFiles(files, { dataDir, out: () => {}, progress: false, receivedAt });
    await refreshAndRead(dataDir, new Date('2025-08-05T06:00:00Z'), docs);
  }, 300_000);
  afterAll(() => dir.remove());

  it("a stopped PCN's caseload, and its areas', are withheld: its later link workers have no referral data", () => {
    for (const [level, code] of [
      ['pcn', 'U00001'],
      ['icb', 'QAA'],
      ['region', 'Y56'],
      ['national', 'ENG'],
    ] as const) {
      const year = yearOf(docs, level, code);
      expect([code, year?.pcns_staffed_after_reporting, year?.caseload, year?.caseload_annualised]).toEqual([
        code,
        1,
        null,
        null,
      ]);
    }
    const steady = yearOf(docs, 'pcn', 'U00011');
    expect([steady?.pcns_staffed_after_reporting, steady?.caseload, steady?.caseload_annualised]).toEqual([0, 4, 12]);
  });

  it("England's caseload over the PCNs covered counts each one's FTE to its last month reported", () => {
    const england = yearOf(docs, 'national', 'ENG');
    // The rates withheld with the covered FTE (review 28, R28-2): beside coverage 100% (the covered people are England's)
    // caseload_covered 4 gives the covered FTE back within its rounding, and England's FTE less it the PCN left out's.
    expect(coveredCaseload(england)).toEqual([11, null, null, null, null]);
  });
});

/*
 * England's FTE less the covered FTE (red-team review 9, R9-5). U00001-U00003 (one ICB and region each) send 20 new
 * people a month April to July 2025 and snapshots of 11 link workers, 10.4 FTE; U00004 (QDD, Midlands: a later wave)
 * sends snapshots only, 2 link workers, 1.37 FTE, so its FTE is `*` below England (fewer than 8 in the role).
 * England's splw_fte is 3 x 10.4 + 1.37 = 32.57 (to 2 decimals) and the covered FTE (U00001-U00003) 31.2: published
 * to 2 decimals, their difference was U00004's 1.37 exactly. Now the covered FTE is withheld where the FTE left out is
 * 1 or 2 PCNs' (pcns_staffed_before_onboarding + pcns_staffed_after_reporting: here 1 + 0).
 * Caseload over the 3 PCNs covered: 240 people x 4 months / 124.8 FTE-months = 7.69 so far (8), x 12 / 4 = 23.08 a
 * year (23), all of England's people.
 */
describe("England's covered FTE does not give away the FTE of a PCN left out (review 9, R9-5)", () => {
  const dir = tempDir('caseload-fte');
  const docs = new Map<string, MetricDocument>();
  beforeAll(async () => {
    const files = [
      ...referralFiles(dir.path, SENDING, MONTHS, 20),
      ...snapshots(dir.path, [...SENDING.map((p) => [p, 11, 10.4] as const), ['U00004', 2, 1.37]]),
    ];
    await publishGolden(join(dir.path, 'data'), files, FOUR_REGIONS, new Date('2025-08-05T06:00:00Z'), docs);
  }, 300_000);
  afterAll(() => dir.remove());

  it('the covered FTE is withheld where one PCN is left out; U00004 is `*` below England', () => {
    const england = yearOf(docs, 'national', 'ENG');
    expect([
      england?.splw_fte,
      england?.caseload_fte,
      england?.pcns_staffed_before_onboarding,
      england?.pcns_staffed_after_reporting,
    ]).toEqual([32.57, null, 1, 0]);
    // The rates with it (review 28, R28-2): coverage 100% and caseload_covered 8 gave the covered FTE within its
    // rounding, and 32.57 less it U00004's.
    expect([england?.caseload_covered, england?.caseload_covered_annualised, england?.caseload_coverage_pct]).toEqual([
      null,
      null,
      null,
    ]);
    expect(yearOf(docs, 'pcn', 'U00004')?.splw_fte).toBe('*');
  });
});

/*
 * The covered FTE withheld across releases (red-team review 10). U00001-U00003 (one ICB and region each) refer 20
 * new people a month with 10 link workers, 10 FTE; U00004 (a later wave) sends snapshots only (2 link workers, 1.37
 * FTE), so England's covered FTE is withheld (R9-5). Release 1 on 5 August 2025 (April to July): England 2025/26 3 x
 * 20 x 4 = 240 people. Release 2 on 5 September 2025 adds August, 60 people from the three PCNs (20 each: 3 PCNs,
 * none dominating, net 60 above 3): released, 300. When the FTE was blanked after the revisions policy had recorded
 * it, the record and the published figure differed, every later release failed closed and England's year stayed at
 * 240 in every document.
 */
describe('the covered FTE withheld is recorded as published (review 10)', () => {
  const dir = tempDir('caseload-releases');
  const first = new Map<string, MetricDocument>();
  const second = new Map<string, MetricDocument>();
  const files = (months: string[], tag: string): string[] => [
    ...referralFiles(dir.path, SENDING, months, 20),
    ...snapshots(dir.path, [...SENDING.map((p) => [p, 10, 10] as const), ['U00004', 2, 1.37]], months, `-${tag}`),
  ];
  beforeAll(async () => {
    const data = join(dir.path, 'data');
    await publishGolden(data, files(MONTHS, 'a'), FOUR_REGIONS, new Date('2025-08-05T06:00:00Z'), first);
    await publishGolden(data, files(['2025-08'], 'b'), FOUR_REGIONS, new Date('2025-09-05T06:00:00Z'), second);
  }, 300_000);
  afterAll(() => dir.remove());

  it("England's year moves on in the second release; the covered FTE is withheld in both", () => {
    const england = (docs: Map<string, MetricDocument>, name: string) =>
      (docs.get(name)?.rows ?? []).find((r) => r.level === 'national' && r.period === '2025/26');
    expect([england(first, 'rollout')?.people_referred, england(second, 'rollout')?.people_referred]).toEqual([
      240, 300,
    ]);
    expect([england(first, 'workforce')?.caseload_fte, england(second, 'workforce')?.caseload_fte]).toEqual([
      null,
      null,
    ]);
    expect(england(second, 'workforce')?.people_referred).toBe(300);
  });
});
