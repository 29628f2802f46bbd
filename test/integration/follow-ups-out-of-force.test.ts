import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { tempDir } from '../support/files.ts';
import { publishGolden, referralEvent, rowFinder, tenReferralsAMonth, writeEventFiles } from '../support/golden.ts';

/*
 * Follow-ups dated when their PCN was not in force (red-team review 8, N9). U00002 closes on 31 May 2025 (its system
 * still exports June). Its 10 May referrals each get one link worker contact on 10 June: out of force, so data_quality
 * lists 10 events "left out of every figure, England included". U00001 (open) sends 10 referrals a month April to
 * September and no contacts, as do U00003 and U00004 (there so that every England month is made up by 3 PCNs or more,
 * none dominating, as a deployment publishes it: review 8, N5, test/integration/england-few-pcns.test.ts). Refresh 5
 * October 2025: data as of 30 September; the engagement cohort is the referrals on or before 30 June. England's May:
 * 30 referrals in the cohort (U00001's, U00003's and U00004's 10 each), and no contact in force, so 0 engaged (before
 * the fix the 10 June contacts made U00002's 10 referrals engaged: 10). U00002's own 10 May referrals are in no
 * cohort: their windows run past its closure (its end of observation, 31 May; review 26, R26-1: before, 40 in
 * England's cohort, U00002's counted not engaged). So England's May referrals (40) less its cohort (30) would be
 * U00002's 10 exactly: one PCN's, so England's cof_person May and 2025/26 are held as no figure (revisions.ts,
 * cohortGapsMadeByFew), and the contacts' absence is read in its ICB: QAA's May 20 referrals (U00001's and U00002's),
 * 10 in the cohort (U00001's), 0 engaged (before the N9 fix: 10, U00002's referrals engaged by the June contacts).
 */
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U00001,PCN 1,QAA,NHS ICB A,Y56,London,10000,2019-04-01,
U00002,PCN 2,QAA,NHS ICB A,Y56,London,10000,2019-04-01,2025-05-31
U00003,PCN 3,QBB,NHS ICB B,Y58,South West,10000,2019-04-01,
U00004,PCN 4,QCC,NHS ICB C,Y59,South East,10000,2019-04-01,
`;
const dir = tempDir('follow-ups-out-of-force');
const docs = new Map<string, MetricDocument>();

beforeAll(async () => {
  const months = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09'];
  const uploads = tenReferralsAMonth({ U00001: months, U00003: months, U00004: months });
  uploads['U00002-2025-05.csv'] = Array.from({ length: 10 }, (_, i) =>
    referralEvent('U00002', `B-${i}`, `2025-05-1${i}`),
  );
  uploads['U00002-2025-06.csv'] = Array.from({ length: 10 }, (_, i) => ({
    event_id: `C-${i}`,
    event_type: 'contact',
    pcn_code: 'U00002',
    referral_id: `B-${i}`,
    person_id: referralEvent('U00002', `B-${i}`, '2025-05-01').person_id,
    occurred_on: '2025-06-10',
    contact_mode: 'telephone',
    worker_role: 'splw',
    duration_minutes: 20,
  }));
  const files = writeEventFiles(dir.path, uploads);
  await publishGolden(join(dir.path, 'data'), files, REFERENCE, new Date('2025-10-05T06:00:00Z'), docs);
}, 180_000);
afterAll(() => dir.remove());

describe('follow-ups dated when their PCN was not in force (review 8, N9)', () => {
  it('are in no figure, as data_quality says: England has no referral engaged in May', () => {
    const row = rowFinder(docs);
    const listed = row('data_quality', 'pcn', 'U00002', 'all');
    expect([listed.events_out_of_force, listed.first_month_out_of_force]).toEqual([10, '2025-06']);
    const may = row('cof_person', 'national', 'ENG', '2025-05');
    expect([may.episodes, may.engagement_cohort, may.engaged]).toEqual([null, null, null]);
    expect(
      (docs.get('cof_person')?.summary as { revisions_held?: { periods: string[] } } | undefined)?.revisions_held
        ?.periods,
    ).toEqual(['2025-05', '2025/26']);
    expect(row('rollout', 'national', 'ENG', '2025-05').referrals).toBe(40);
    const icb = row('cof_person', 'icb', 'QAA', '2025-05');
    expect([icb.episodes, icb.engagement_cohort, icb.engaged]).toEqual([20, 10, 0]);
    const closed = row('cof_person', 'pcn', 'U00002', '2025-05');
    expect([closed.episodes, closed.engagement_cohort, closed.engaged]).toEqual([10, 0, 0]);
  });
});
