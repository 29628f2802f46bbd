import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { cohortGapNote } from '../../functions/reports/cohort-gap-note.ts';
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
 * A PCN late for the latest month (the 10% allowance of the data-as-of rule) is NOT censored: lateness is no known end
 * of observation (only a closure or merger in the reference data, or an extract counted as stopped, is: episodes.sql,
 * observation; red-team review 29, R29-3). Its newest referrals stay in the cohorts; follow-ups in the month it has not
 * sent are counted when its file arrives, a revision as any late file's (docs/methodology.md, "Cohorts"). Censored at
 * its last month sent (cohort27), one late PCN made England's referrals less its cohort one PCN's figure, and the
 * cohort-gap hold blanked England's cohort months and its whole year in cof_person, equity, pcn_comparison and the
 * contacts distribution, at every release while it stayed late.
 * Ten PCNs (U00001-U00005 in QAA, U00006-U00010 in QBB), 20 referrals a month on the 10th, April to November 2025,
 * 16 of them with a link worker contact on the 25th of the same month (take-up 80%: England's funnel rate
 * is drawn only between 0 and 100%). Release 1, refreshed 3 December 2025: U00001-U00009
 * sent every month (received 2 December), U00010 April to October (received 2 November): 9 of 10 sent November, 90%,
 * so data as of 30 November; engagement cut-off 31 August, outcome cut-off 31 May. U00010's last month reported is
 * October, 1 month before the last complete one: late, not stopped (stopped once no extract covers any of the 4 months
 * ended: its last month before August on 3 December), and in force: its end of observation is 30 November, as every
 * PCN's. So England's August is 10 x 20 = 200 episodes, engagement cohort 200, engaged 160 (each contact on the 25th,
 * in a month sent), outcome cohort 0 (after May); May 200 / 200 / 160 / 200; July 200 / 200 / 160 / 0.
 * 2025/26 (April to November): episodes 9 x 8 x 20 + 7 x 20 (U00010 sent no November) = 1,440 + 140 = 1,580;
 * engagement cohort April to August, 10 x 5 x 20 = 1,000, engaged 800; outcome cohort April and May, 10 x 2 x 20 = 400,
 * 320 with 1 link worker contact and 80 with none (the contacts distribution's bins); equity's sex groups (all
 * female) an engagement cohort of 1,000; pcn_comparison's England take-up 800 / 1,000 = 0.8. Nothing is held: no
 * referral of a period old enough is out of its cohort (a difference of 0 everywhere). U00010's August and May rows
 * (rounded to 5: 16 shows 15): 20 / 20 / 15 / 0 and 20 / 20 / 15 / 20 (were 20 / 0 / 0 / 0 and 20 / 20 / 15 / 0, and
 * England's August, May and 2025/26 held as no figure, in four documents).
 * Release 2, refreshed 10 December 2025: U00010's November file arrives (received 9 December): its November 20
 * referrals are one PCN's change of England's November and so of 2025/26 (rollout's and cof_person's episodes), held at
 * the values published in release 1 (Revisions of England's figures), as any one PCN's late file is: November and
 * 2025/26 named in revisions_held; 2025/26 still shows release 1's 1,580 / 1,000 / 800 / 400. August and May are
 * unchanged (200 / 200 / 160 / 0 and 200 / 200 / 160 / 200), as are U00010's rows.
 * The same files where U00010 CLOSED on 31 October 2025 (the reference's valid_to; release 1 only): a known end. Its end
 * of observation is 31 October (November is not in force for it, so 9 of 9 PCNs open sent November: data as of 30
 * November again). 10 August + 3 months = 10 November and 10 May + 6 months = 10 November are after it: its August
 * referrals are in no engagement cohort and its May referrals in no outcome cohort (its July, 10 October, and April
 * are). England's August: 200 referrals, engagement cohort 180: 200 - 180 = U00010's 20, one PCN's; May: outcome cohort
 * 180, likewise. So England's cof_person August, May and 2025/26 are held as no figure (cohortGapsMadeByFew), with
 * equity's, pcn_comparison's and the contacts distribution's 2025/26, named in revisions_held; July is 200 / 200 / 160
 * / 0 (U00010's July in the cohort) and rollout's August 200 is published. U00010's rows: August 20 / 0 / 0 / 0, May
 * 20 / 20 / 15 / 0.
 */
const received = (pcn: string, m: string) =>
  m === '2025-11' ? '2025-12-09T07:00:00Z' : pcn === 'U00010' ? '2025-11-02T07:00:00Z' : '2025-12-02T07:00:00Z';
const MONTHS = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11'];
const events = (pcn: string, months: readonly string[]): GoldenEvent[] =>
  months.flatMap((m) =>
    Array.from({ length: 20 }, (_, i) => {
      const referral = referralEvent(pcn, `${pcn}-${m}-${i}`, `${m}-10`);
      if (i >= 16) return [referral];
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
const closedDir = tempDir('cohort-closed-pcn');
const laterDir = tempDir('cohort-closed-later');
afterAll(() => {
  dir.remove();
  closedDir.remove();
  laterDir.remove();
});

/** TEN_PCNS_REFERENCE with U00010 closed on 31 October 2025. */
const CLOSED_REFERENCE = TEN_PCNS_REFERENCE.replace(
  'U00010,PCN 10,QBB,NHS ICB B,Y58,South West,10000,2019-04-01,',
  'U00010,PCN 10,QBB,NHS ICB B,Y58,South West,10000,2019-04-01,2025-10-31',
);

/** The files of every PCN's months sent by 3 December 2025: U00010's April to October. */
function firstFiles(): Record<string, GoldenEvent[]> {
  const first: Record<string, GoldenEvent[]> = {};
  for (const pcn of TEN_PCNS)
    for (const m of MONTHS.filter((m) => pcn !== 'U00010' || m !== '2025-11'))
      first[`${pcn}_${m}.csv`] = events(pcn, [m]);
  return first;
}

async function release(
  now: string,
  uploads: Record<string, GoldenEvent[]>,
  at: { path: string } = dir,
  receivedOf: (pcn: string, m: string) => string = received,
): Promise<Map<string, MetricDocument>> {
  const dataDir = join(at.path, 'data');
  const paths = writeEventFiles(at.path, uploads);
  const byPath = new Map(paths.map((p) => [p, p.slice(p.lastIndexOf('/') + 1)]));
  await ingestFiles(paths, {
    dataDir,
    out: () => {},
    progress: false,
    receivedAt: (file) => {
      const [pcn, m] = (byPath.get(file) ?? '').replace('.csv', '').split('_') as [string, string];
      return new Date(receivedOf(pcn, m));
    },
  });
  const docs = new Map<string, MetricDocument>();
  await refreshAndRead(dataDir, new Date(now), docs);
  return docs;
}

const COHORT = ['episodes', 'engagement_cohort', 'engaged', 'outcome_cohort'];
const pick = (row: Record<string, unknown>) => COHORT.map((c) => row[c]);

const YEAR = [1580, 1000, 800, 400];
/** England's 2025/26 as at 3 November 2025 (data to 31 October): see the header. */
const YEAR_TO_OCTOBER = [1400, 800, 640, 200];

describe('cohorts end at a known end (closed or stopped), never at lateness (R26-1, R29-3)', () => {
  it('keeps its referrals in the cohorts, publishes England, and revises when its file comes', async () => {
    await stageReference(new FsObjectStore(dataDir), TEN_PCNS_REFERENCE);
    const r1 = await release('2025-12-03T06:00:00Z', firstFiles());
    const row1 = rowFinder(r1);
    expect(r1.get('rollout')?.data_as_of).toBe('2025-11-30');
    expect(r1.get('cof_person')?.summary?.cohorts).toMatchObject({
      engagement: { referred_on_or_before: '2025-08-31' },
      outcomes: { referred_on_or_before: '2025-05-31' },
    });
    expect(pick(row1('cof_person', 'national', 'ENG', '2025-08'))).toEqual([200, 200, 160, 0]);
    expect(pick(row1('cof_person', 'national', 'ENG', '2025-07'))).toEqual([200, 200, 160, 0]);
    expect(pick(row1('cof_person', 'national', 'ENG', '2025-05'))).toEqual([200, 200, 160, 200]);
    expect(pick(row1('cof_person', 'national', 'ENG', '2025/26'))).toEqual(YEAR);
    expect(row1('rollout', 'national', 'ENG', '2025-08').referrals).toBe(200);
    const held1 = (name: string) =>
      (r1.get(name)?.summary as { revisions_held?: { periods: string[] } } | undefined)?.revisions_held?.periods;
    for (const name of ['cof_person', 'equity', 'pcn_comparison', 'contacts_distribution', 'rollout'])
      expect(held1(name), name).toBeUndefined();
    // The documents publishing the same cohort, or a sum of it, publish England's year too.
    const sex = r1
      .get('equity')
      ?.rows.filter((r) => r.level === 'national' && r.period === '2025/26' && r.dimension === 'sex');
    expect(sex?.reduce((s, r) => s + Number(r.engagement_cohort), 0)).toBe(1000);
    expect(row1('contacts_distribution', 'national', 'ENG', '2025/26', { contacts: 1 }).episodes).toBe(320);
    expect(row1('contacts_distribution', 'national', 'ENG', '2025/26', { contacts: 0 }).episodes).toBe(80);
    expect(
      (
        r1.get('pcn_comparison')?.summary as
          | { funnel_rates?: Record<string, Record<string, { national: number | null }>> }
          | undefined
      )?.funnel_rates?.['2025/26']?.take_up_pct?.national,
    ).toBe(0.8);
    expect(disclosureFindings(r1, TEN_PCNS_REFERENCE)).toEqual([]);
    // The late PCN's referrals are in the cohorts (its follow-ups so far were sent).
    expect(pick(row1('cof_person', 'pcn', 'U00010', '2025-08'))).toEqual([20, 20, 15, 0]);
    expect(pick(row1('cof_person', 'pcn', 'U00010', '2025-05'))).toEqual([20, 20, 15, 20]);

    const r2 = await release('2025-12-10T06:00:00Z', { 'U00010_2025-11.csv': events('U00010', ['2025-11']) });
    const row2 = rowFinder(r2);
    expect(r2.get('rollout')?.data_as_of).toBe(r1.get('rollout')?.data_as_of);
    expect(pick(row2('cof_person', 'pcn', 'U00010', '2025-08'))).toEqual([20, 20, 15, 0]);
    expect(pick(row2('cof_person', 'pcn', 'U00010', '2025-05'))).toEqual([20, 20, 15, 20]);
    expect(pick(row2('cof_person', 'national', 'ENG', '2025-08'))).toEqual([200, 200, 160, 0]);
    expect(pick(row2('cof_person', 'national', 'ENG', '2025-05'))).toEqual([200, 200, 160, 200]);
    // November, U00010's late file (one PCN's change of November), is held with its year at release 1's values.
    const held = (r2.get('cof_person')?.summary as { revisions_held?: { periods: string[] } } | undefined)
      ?.revisions_held?.periods;
    expect(held).toEqual(['2025-11', '2025/26']);
    expect(pick(row2('cof_person', 'national', 'ENG', '2025/26'))).toEqual(YEAR);
  }, 300_000);

  it('a PCN that closed (a known end): its referrals past it are in no cohort, and England holds the one-PCN gap', async () => {
    await stageReference(new FsObjectStore(join(closedDir.path, 'data')), CLOSED_REFERENCE);
    const docs = await release('2025-12-03T06:00:00Z', firstFiles(), closedDir);
    const row = rowFinder(docs);
    expect(docs.get('rollout')?.data_as_of).toBe('2025-11-30');
    for (const period of ['2025-08', '2025-05', '2025/26'])
      expect(pick(row('cof_person', 'national', 'ENG', period)), period).toEqual([null, null, null, null]);
    expect(pick(row('cof_person', 'national', 'ENG', '2025-07'))).toEqual([200, 200, 160, 0]);
    expect(row('rollout', 'national', 'ENG', '2025-08').referrals).toBe(200);
    const held = (name: string) =>
      (docs.get(name)?.summary as { revisions_held?: { periods: string[] } } | undefined)?.revisions_held?.periods;
    expect(held('cof_person')).toEqual(['2025-05', '2025-08', '2025/26']);
    for (const name of ['equity', 'pcn_comparison', 'contacts_distribution'])
      expect(held(name), name).toEqual(['2025/26']);
    expect(held('rollout')).toBeUndefined();
    expect(pick(row('cof_person', 'pcn', 'U00010', '2025-08'))).toEqual([20, 0, 0, 0]);
    expect(pick(row('cof_person', 'pcn', 'U00010', '2025-05'))).toEqual([20, 20, 15, 0]);
    expect(pick(row('cof_person', 'pcn', 'U00010', '2025-07'))).toEqual([20, 20, 15, 0]);
    expect(disclosureFindings(docs, CLOSED_REFERENCE)).toEqual([]);
  }, 300_000);
  it("a PCN that closed: England's year stays at the release before its gap, at every later release, and says why (R32-2)", async () => {
    // Each month's file received on the 2nd of the next month; U00010 sends none after October (it closed).
    const next = (m: string) =>
      m === '2025-12' ? '2026-01' : `2025-${String(Number(m.slice(5)) + 1).padStart(2, '0')}`;
    const receivedOf = (_pcn: string, m: string) => `${next(m)}-02T07:00:00Z`;
    const filesOf = (months: readonly string[], pcns: readonly string[] = TEN_PCNS) =>
      Object.fromEntries(pcns.flatMap((pcn) => months.map((m) => [`${pcn}_${m}.csv`, events(pcn, [m])])));
    const open = TEN_PCNS.filter((pcn) => pcn !== 'U00010');
    await stageReference(new FsObjectStore(join(laterDir.path, 'data')), CLOSED_REFERENCE);
    const r0 = await release('2025-11-03T06:00:00Z', filesOf(MONTHS.slice(0, 7)), laterDir, receivedOf);
    expect(r0.get('rollout')?.data_as_of).toBe('2025-10-31');
    expect(pick(rowFinder(r0)('cof_person', 'national', 'ENG', '2025/26'))).toEqual(YEAR_TO_OCTOBER);
    const r1 = await release('2025-12-03T06:00:00Z', filesOf(['2025-11'], open), laterDir, receivedOf);
    const r2 = await release('2026-01-05T06:00:00Z', filesOf(['2025-12'], open), laterDir, receivedOf);
    expect(r2.get('rollout')?.data_as_of).toBe('2025-12-31');
    const row2 = rowFinder(r2);
    // England's year is still release 0's, a part year; rollout's referrals are this release's.
    expect(pick(row2('cof_person', 'national', 'ENG', '2025/26'))).toEqual(YEAR_TO_OCTOBER);
    expect(row2('rollout', 'national', 'ENG', '2025/26').referrals).toBe(1760);
    const summary = (docs: Map<string, MetricDocument>, name: string) =>
      docs.get(name)?.summary as { cohort_gaps_held?: { periods: string[] }; cohorts?: { held?: object } } | undefined;
    expect(summary(r1, 'cof_person')?.cohort_gaps_held?.periods).toEqual(['2025-05', '2025-08', '2025/26']);
    expect(summary(r2, 'cof_person')?.cohort_gaps_held?.periods).toEqual([
      '2025-05',
      '2025-06',
      '2025-08',
      '2025-09',
      '2025/26',
    ]);
    for (const name of ['equity', 'pcn_comparison', 'contacts_distribution'])
      expect(summary(r2, name)?.cohort_gaps_held?.periods, name).toEqual(['2025/26']);
    expect(summary(r2, 'rollout')?.cohort_gaps_held).toBeUndefined();
    expect(cohortGapNote(r2.get('cof_person'), '2025/26')).toBe(
      "England's outcome figures for 2025/26 are those of the release with data to 31 October 2025, a part year " +
        '(engagement of referrals made by 31 July 2025, outcomes of those made by 30 April 2025), and stay so: a ' +
        "PCN's data ended (it closed or merged, or its extract stopped) before its last referrals' follow-up did, so " +
        'those referrals are in no cohort, and while fewer than 3 PCNs have referrals out so (or one has most of ' +
        "them) England's figures would give their number away. Figures below England are not held for this. " +
        "England's are published again only if more PCNs' data end in the same months, or a stopped extract resumes.",
    );
    expect(cohortGapNote(r2.get('cof_person'), '2024/25')).toBeUndefined();
    expect(disclosureFindings(r2, CLOSED_REFERENCE)).toEqual([]);
  }, 300_000);
});
