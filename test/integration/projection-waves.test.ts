import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { summaryOf } from '../../functions/contract/summaries.ts';
import { tempDir } from '../support/files.ts';
import { publishGolden, tenReferralsAMonth, writeEventFiles } from '../support/golden.ts';

/*
 * Red-team review 8, N7: a rollout year with a second wave. U00001-U00003 send from April 2025; U00004-U00006 join in
 * August; every PCN has 10,000 patients and refers 10 new people a month, steadily. (The reviewer's spec had one PCN
 * in the first wave; England's figures of a month made up by fewer than 3 PCNs are now held (N5), so each wave here
 * is 3 PCNs.) Refreshed 5 December 2025: data as of 30 November, April-November complete (8 months, flat profile: no
 * previous year). People: April-July 30 a month, August-November 60: 360 to date.
 * Rollout's England list of the PCNs onboarded: 30,000 to July, 60,000 from August. Rates per 1,000 list: 30 / 30 = 1
 * and 60 / 60 = 1, mean 1, sd 0; December-March at November's list: 4 x 60 x 1 = 240; 360 + 240 = 600, 600 to 600.
 * Until December 2026 the levels were raw people, 30 x 4 and 60 x 4: mean 45, sd sqrt(8 x 225 / 7) = 16.04, 360 + 4 x
 * 45 = 540 and +- 2.3646 x 16.04 x sqrt(4 + 16 / 8) = 92.9: 447 to 633 (10% below the pace of the PCNs sending).
 */
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U00001,PCN 1,QAA,NHS ICB A,Y56,London,10000,2019-04-01,
U00002,PCN 2,QAA,NHS ICB A,Y56,London,10000,2019-04-01,
U00003,PCN 3,QAA,NHS ICB A,Y56,London,10000,2019-04-01,
U00004,PCN 4,QBB,NHS ICB B,Y58,South West,10000,2019-04-01,
U00005,PCN 5,QBB,NHS ICB B,Y58,South West,10000,2019-04-01,
U00006,PCN 6,QBB,NHS ICB B,Y58,South West,10000,2019-04-01,
`;
const ALL = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11'];
const MONTHS: Record<string, string[]> = {
  U00001: ALL,
  U00002: ALL,
  U00003: ALL,
  U00004: ALL.slice(4),
  U00005: ALL.slice(4),
  U00006: ALL.slice(4),
};
const dir = tempDir('projection-waves');
const docs = new Map<string, MetricDocument>();
beforeAll(async () => {
  const files = writeEventFiles(dir.path, tenReferralsAMonth(MONTHS));
  await publishGolden(join(dir.path, 'data'), files, REFERENCE, new Date('2025-12-05T06:00:00Z'), docs);
}, 180_000);
afterAll(() => dir.remove());

describe('the projection in a wave year (review 8, N7)', () => {
  it("projects the PCNs onboarded at their own pace: 600, not the mean month's 540", () => {
    const rows = (docs.get('rollout')?.rows ?? []).filter((r) => r.level === 'national' && r.period_type === 'month');
    // The lists the levels are read on: rollout's England list of the PCNs onboarded each month.
    expect(rows.map((r) => [r.period, r.people_referred, r.list_size])).toEqual(
      ALL.map((m, i) => [m, i < 4 ? 30 : 60, i < 4 ? 30_000 : 60_000]),
    );
    const tp = summaryOf(docs.get('rollout'), 'target_progress')?.find((p) => p.fy === '2025/26');
    expect(tp).toMatchObject({
      people_referred_to_date: 360,
      months_elapsed: 8,
      complete_months: ALL,
      profile: 'flat',
      projection_to_year_end: 600,
      projection_low: 600,
      projection_high: 600,
    });
  });
});
