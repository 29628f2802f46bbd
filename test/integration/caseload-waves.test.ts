import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { coveredCaseload } from '../support/documents.ts';
import { tempDir } from '../support/files.ts';
import { type GoldenEvent, publishGolden, referralEvent, writeEventFiles } from '../support/golden.ts';

/*
 * Caseload during a wave rollout (red-team review 8, N6). Every PCN sends a link worker snapshot every month April to
 * July 2025 (10 people, 10 FTE each: what `workforce import` of NHS Digital's publication makes for every PCN), but
 * only U00001's, U00004's and U00005's events are in from April (10 new people a month each: 40 each); U00002 is a
 * later wave with no events yet. Refresh 5 August 2025: data as of 31 July, 4 months of 2025/26. (U00004 and U00005
 * are U00001's twins, there so that every England month is made up by 3 PCNs or more, none dominating, as a deployment
 * publishes it: review 8, N5, test/integration/england-few-pcns.test.ts.)
 * Before: England's caseload over every PCN counted the FTE of a PCN whose referrals are not in the data yet. Now
 * England's caseload over every PCN is withheld (PCNs staffed before their referral data), and the caseload over the
 * PCNs covered counts each one's FTE from its first month with events. U00001's own caseload is 40 people / 10 FTE =
 * 4 so far, x 12 / 4 months = 12 a year. U00003 sends snapshots from April but its events begin in June (10 people a
 * month, June and July: 20): its FTE of April and May has no people beside it, so its own caseload is withheld, and
 * England's covered caseload counts its FTE from June only: people 3 x 40 + 20 = 140; FTE (3 x 10 x 4 months + 10 x 2
 * months) / 4 months = 35; 140 / 35 = 4 so far, 12 a year.
 */
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U00001,PCN 1,QAA,NHS ICB A,Y56,London,10000,2019-04-01,
U00002,PCN 2,QBB,NHS ICB B,Y58,South West,10000,2019-04-01,
U00003,PCN 3,QCC,NHS ICB C,Y59,South East,10000,2019-04-01,
U00004,PCN 4,QDD,NHS ICB D,Y60,Midlands,10000,2019-04-01,
U00005,PCN 5,QEE,NHS ICB E,Y61,East of England,10000,2019-04-01,
`;
const MONTHS = ['2025-04', '2025-05', '2025-06', '2025-07'];
const HEADER = 'pcn_code,snapshot_month,role,headcount,fte,accredited_training_headcount,vacancies_fte';
const dir = tempDir('caseload-waves');
const docs = new Map<string, MetricDocument>();

beforeAll(async () => {
  const uploads: Record<string, GoldenEvent[]> = {};
  const people = (pcn: string, m: string) =>
    Array.from({ length: 10 }, (_, i) => referralEvent(pcn, `${pcn}-${m}-${i}`, `${m}-1${i}`));
  for (const pcn of ['U00001', 'U00004', 'U00005']) for (const m of MONTHS) uploads[`${pcn}-${m}.csv`] = people(pcn, m);
  for (const m of MONTHS.slice(2)) uploads[`U00003-${m}.csv`] = people('U00003', m);
  const files = writeEventFiles(dir.path, uploads);
  for (const pcn of ['U00001', 'U00002', 'U00003', 'U00004', 'U00005']) {
    const f = join(dir.path, `${pcn}-workforce.csv`);
    writeFileSync(f, `${HEADER}\n${MONTHS.map((m) => `${pcn},${m},splw,10,10,10,0`).join('\n')}\n`);
    files.push(f);
  }
  await publishGolden(join(dir.path, 'data'), files, REFERENCE, new Date('2025-08-05T06:00:00Z'), docs);
}, 180_000);
afterAll(() => dir.remove());

const year = (level: string, code: string) =>
  (docs.get('workforce')?.rows ?? []).find((r) => r.level === level && r.code === code && r.period === '2025/26');

describe('caseload during a wave rollout (review 8, N6)', () => {
  it("England's caseload over every PCN is withheld: two PCNs' link workers have no referral data beside them", () => {
    const england = year('national', 'ENG');
    // 3 x 40 + 20 = 140 people; 5 PCNs x 10 FTE (the year's mean of its monthly snapshots); U00002 and U00003 staffed
    // before their referral data.
    expect([england?.people_referred, england?.splw_fte, england?.pcns_staffed_before_onboarding]).toEqual([
      140, 50, 2,
    ]);
    expect([england?.caseload, england?.caseload_annualised]).toEqual([null, null]);
  });

  it("England's caseload over the PCNs covered counts each one's FTE from its first month with events", () => {
    const england = year('national', 'ENG');
    // U00001, U00004, U00005 and U00003: 140 people over 35 FTE (mean over England's 4 months) = 4, 12 a year; they
    // hold all 140 people. The 35 FTE is withheld: England's FTE less it is the FTE of 2 PCNs' months without referral
    // data, U00002's and U00003's April and May (review 9, R9-5).
    // The rates withheld with the covered FTE (review 28, R28-2): beside coverage 100% (the covered people are England's)
    // caseload_covered 4 gives the covered FTE back within its rounding, and England's FTE less it the PCNs left out's.
    expect(coveredCaseload(england)).toEqual([4, null, null, null, null]);
  });

  it("a PCN's own caseload: shown from the start of its events, withheld where its snapshots came first", () => {
    const first = year('pcn', 'U00001');
    expect([first?.people_referred, first?.pcns_staffed_before_onboarding, first?.caseload_annualised]).toEqual([
      40, 0, 12,
    ]);
    const late = year('pcn', 'U00003');
    expect([late?.people_referred, late?.pcns_staffed_before_onboarding, late?.caseload]).toEqual([20, 1, null]);
  });
});
