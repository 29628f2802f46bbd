import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { summaryOf } from '../../functions/contract/summaries.ts';
import { tempDir } from '../support/files.ts';
import { publishGolden, tenReferralsAMonth, writeEventFiles } from '../support/golden.ts';

/*
 * A PCN closing at the end of the latest month (red-team review 17, the residual of R16-2): six PCNs of 10,000 patients
 * each refer 10 new people a month, April to November 2025; U00006 closes on 30 November (valid_to, its last day in
 * force). Refreshed 5 December 2025: data as of 30 November, April-November complete (flat profile: no previous year).
 * People: 60 a month, 480 to date; rollout's England list 60,000 every month, so every level is 60 / 60 = 1 per 1,000,
 * sd 0. November's list of the PCNs still sending is 60,000 (U00006 sent it), of which still open on 1 December 50,000
 * (data_as_of.sql's list_continuing): December-March 4 x 50 x 1 = 200, 480 + 200 = 680, 680 to 680. Before, the months
 * to come were projected at 60,000: 480 + 4 x 60 = 720, a closed PCN's 40 people counted.
 */
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U00001,PCN 1,QAA,NHS ICB A,Y56,London,10000,2019-04-01,
U00002,PCN 2,QAA,NHS ICB A,Y56,London,10000,2019-04-01,
U00003,PCN 3,QAA,NHS ICB A,Y56,London,10000,2019-04-01,
U00004,PCN 4,QBB,NHS ICB B,Y58,South West,10000,2019-04-01,
U00005,PCN 5,QBB,NHS ICB B,Y58,South West,10000,2019-04-01,
U00006,PCN 6,QBB,NHS ICB B,Y58,South West,10000,2019-04-01,2025-11-30
`;
const ALL = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11'];
const dir = tempDir('projection-closing');
const docs = new Map<string, MetricDocument>();
beforeAll(async () => {
  const pcns = ['U00001', 'U00002', 'U00003', 'U00004', 'U00005', 'U00006'];
  const files = writeEventFiles(dir.path, tenReferralsAMonth(Object.fromEntries(pcns.map((pcn) => [pcn, ALL]))));
  await publishGolden(join(dir.path, 'data'), files, REFERENCE, new Date('2025-12-05T06:00:00Z'), docs);
}, 180_000);
afterAll(() => dir.remove());

describe('the projection when a PCN closes at the end of the latest month', () => {
  it('projects the months to come without it: 680, not 720', () => {
    const rows = (docs.get('rollout')?.rows ?? []).filter((r) => r.level === 'national' && r.period_type === 'month');
    expect(rows.map((r) => [r.period, r.people_referred, r.list_size])).toEqual(ALL.map((m) => [m, 60, 60_000]));
    const tp = summaryOf(docs.get('rollout'), 'target_progress')?.find((p) => p.fy === '2025/26');
    expect(tp).toMatchObject({
      people_referred_to_date: 480,
      months_elapsed: 8,
      complete_months: ALL,
      profile: 'flat',
      projection_to_year_end: 680,
      projection_low: 680,
      projection_high: 680,
    });
  });
});
