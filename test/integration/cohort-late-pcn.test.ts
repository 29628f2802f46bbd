import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { tempDir } from '../support/files.ts';
import {
  disclosureFindings,
  type GoldenEvent,
  referralEvent,
  refreshAndRead,
  rowFinder,
  TEN_PCNS,
  TEN_PCNS_REFERENCE,
  writeEventFiles,
} from '../support/golden.ts';

/*
 * A PCN late for the latest month (the 10% allowance of the data-as-of rule) has its end of observation at its last
 * month sent, so the referrals whose window ends in the month it has not sent are in no cohort until its file
 * arrives: then they enter, a revision of those months as any late file's (docs/methodology.md, "Cohorts"; red-team
 * review 26, R26-1).
 * Ten PCNs (U00001-U00005 in QAA, U00006-U00010 in QBB), 20 referrals a month on the 10th, April to November 2025,
 * each with a link worker contact on the 25th. Release 1, refreshed 3 December 2025: U00001-U00009 sent every month
 * (received 2 December), U00010 April to October (received 2 November): 9 of 10 sent November, 90%, so data as of
 * 30 November; engagement cut-off 31 August, outcome cut-off 31 May. U00010's end of observation is 31 October: its
 * engagement cohort is its referrals to 31 July (10 August + 3 months = 10 November, after it), its outcome cohort to
 * 30 April. So England's August engagement cohort is 9 x 20 = 180 (all engaged), its May outcome cohort 180, and
 * U00010's August 20 episodes with a cohort of 0. But England's August referrals (200) less that cohort (180) are
 * U00010's 20 exactly, one PCN's (and May's less its outcome cohort likewise): England's cof_person August, May and
 * 2025/26 are held as no figure (revisions.ts, cohortGapsMadeByFew), with equity's, pcn_comparison's and the contacts
 * distribution's 2025/26, and named in revisions_held; rollout's August (200) is published.
 * Release 2, refreshed 10 December 2025: U00010's November file arrives (received 9 December). Its end of observation
 * is 30 November: its August referrals enter the engagement cohort (20, engaged 20) and its May referrals the outcome
 * cohort. England's August is 200 of 200 (no referral out of the cohort: nothing held for it), first shown now, made
 * up by 10 PCNs (released as a new figure), and May 200 likewise. November (U00010's late file, one PCN's change of
 * rollout's November) and 2025/26 are held, as any one PCN's late file is (Revisions of England's figures).
 */
const received = (pcn: string, m: string) =>
  m === '2025-11' ? '2025-12-09T07:00:00Z' : pcn === 'U00010' ? '2025-11-02T07:00:00Z' : '2025-12-02T07:00:00Z';
const MONTHS = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11'];
const events = (pcn: string, months: readonly string[]): GoldenEvent[] =>
  months.flatMap((m) =>
    Array.from({ length: 20 }, (_, i) => {
      const referral = referralEvent(pcn, `${pcn}-${m}-${i}`, `${m}-10`);
      return [
        referral,
        {
          event_id: `C-${pcn}-${m}-${i}`,
          event_type: 'contact',
          pcn_code: pcn,
          referral_id: referral.referral_id,
          person_id: referral.person_id,
          occurred_on: `${m}-25`,
          contact_mode: 'telephone',
          worker_role: 'splw',
          duration_minutes: 30,
        } as GoldenEvent,
      ];
    }).flat(),
  );

const dir = tempDir('cohort-late-pcn');
const dataDir = join(dir.path, 'data');
afterAll(() => dir.remove());

async function release(now: string, uploads: Record<string, GoldenEvent[]>): Promise<Map<string, MetricDocument>> {
  const paths = writeEventFiles(dir.path, uploads);
  const byPath = new Map(paths.map((p) => [p, p.slice(p.lastIndexOf('/') + 1)]));
  await ingestFiles(paths, {
    dataDir,
    out: () => {},
    progress: false,
    receivedAt: (file) => {
      const [pcn, m] = (byPath.get(file) ?? '').replace('.csv', '').split('_') as [string, string];
      return new Date(received(pcn, m));
    },
  });
  const docs = new Map<string, MetricDocument>();
  await refreshAndRead(dataDir, new Date(now), docs);
  return docs;
}

const COHORT = ['episodes', 'engagement_cohort', 'engaged', 'outcome_cohort'];
const pick = (row: Record<string, unknown>) => COHORT.map((c) => row[c]);

describe('a PCN late for the latest month: its newest cohort months enter when its file arrives (R26-1)', () => {
  it('is out of the cohorts, then in, and England holds the one-PCN change as a revision', async () => {
    await stageReference(new FsObjectStore(dataDir), TEN_PCNS_REFERENCE);
    const first: Record<string, GoldenEvent[]> = {};
    for (const pcn of TEN_PCNS)
      for (const m of MONTHS.filter((m) => pcn !== 'U00010' || m !== '2025-11'))
        first[`${pcn}_${m}.csv`] = events(pcn, [m]);
    const r1 = await release('2025-12-03T06:00:00Z', first);
    const row1 = rowFinder(r1);
    expect(r1.get('cof_person')?.summary?.cohorts).toMatchObject({
      engagement: { referred_on_or_before: '2025-08-31' },
      outcomes: { referred_on_or_before: '2025-05-31' },
    });
    expect(pick(row1('cof_person', 'national', 'ENG', '2025-08'))).toEqual([null, null, null, null]);
    expect(pick(row1('cof_person', 'national', 'ENG', '2025-07'))).toEqual([200, 200, 200, 0]);
    expect(pick(row1('cof_person', 'national', 'ENG', '2025-05'))).toEqual([null, null, null, null]);
    expect(row1('rollout', 'national', 'ENG', '2025-08').referrals).toBe(200);
    const held1 = (name: string) =>
      (r1.get(name)?.summary as { revisions_held?: { periods: string[] } } | undefined)?.revisions_held?.periods;
    expect(held1('cof_person')).toEqual(['2025-05', '2025-08', '2025/26']);
    for (const name of ['equity', 'pcn_comparison', 'contacts_distribution']) expect(held1(name)).toEqual(['2025/26']);
    expect(held1('rollout')).toBeUndefined();
    expect(disclosureFindings(r1, TEN_PCNS_REFERENCE)).toEqual([]);
    expect(pick(row1('cof_person', 'pcn', 'U00010', '2025-08'))).toEqual([20, 0, 0, 0]);
    expect(pick(row1('cof_person', 'pcn', 'U00010', '2025-05'))).toEqual([20, 20, 20, 0]);

    const r2 = await release('2025-12-10T06:00:00Z', { 'U00010_2025-11.csv': events('U00010', ['2025-11']) });
    const row2 = rowFinder(r2);
    expect(r2.get('rollout')?.data_as_of).toBe(r1.get('rollout')?.data_as_of);
    expect(pick(row2('cof_person', 'pcn', 'U00010', '2025-08'))).toEqual([20, 20, 20, 0]);
    expect(pick(row2('cof_person', 'pcn', 'U00010', '2025-05'))).toEqual([20, 20, 20, 20]);
    // England: 200 in August's engagement cohort and May's outcome cohort, first shown now (10 PCNs make them up).
    expect(pick(row2('cof_person', 'national', 'ENG', '2025-08'))).toEqual([200, 200, 200, 0]);
    expect(pick(row2('cof_person', 'national', 'ENG', '2025-05'))).toEqual([200, 200, 200, 200]);
    // November, U00010's late file (one PCN's change of rollout's November), is held with its year, as before R26-1.
    const held = (r2.get('cof_person')?.summary as { revisions_held?: { periods: string[] } } | undefined)
      ?.revisions_held?.periods;
    expect(held).toEqual(['2025-11', '2025/26']);
  }, 300_000);
});
