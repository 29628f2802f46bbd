import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { cohortGapProblems, heldPeriodsOf } from '../support/disclosure-scan.ts';
import { tempDir } from '../support/files.ts';
import {
  disclosureFindings,
  type GoldenEvent,
  publishGolden,
  referralEvent,
  rowFinder,
  writeEventFiles,
} from '../support/golden.ts';

/*
 * England's referrals of a period less its cohort, once cohorts end at each PCN's own end of observation (red-team
 * review 26, R26-1), are exactly the referrals of the PCNs whose data ended in their window: with one such PCN, its
 * own count, which its row shows rounded. So that difference is tested as a figure of its own, as an England period
 * is (revisions.ts, cohortGapsMadeByFew): made up by fewer than 3 PCNs (or dominated by one, or no larger than the
 * number of PCNs), England's figures of the period are held, as no figure where none was published, in cof_person and
 * in the documents publishing that cohort or a sum of it (equity, pcn_comparison's England take-up, the contacts
 * distribution), named in revisions_held; rollout's referrals stay published (docs/methodology.md, "Cohorts").
 *
 * Every PCN of B and C: 20 referrals a month on the 10th, 16 of them with a link worker contact on the 25th of the same
 * month (take-up 80%: England's funnel rate is drawn only between 0 and 100%); of A, 10 referrals a month, 8 contacted
 * (the builder's first programme, moved to 20 when the scan found R29-1's findings, which hid them: red-team review 29,
 * R29-2; restored to 10 since); one file per PCN and month, received on the 2nd of the next month. Refreshed 3 December 2025: the ordinary PCNs sent April to
 * November, so data as of 30 November 2025; engagement cut-off 31 August (3 months), outcome cut-off 31 May (6 months).
 * The stopped PCNs sent April to June only (no extract covers August to November: stopped, not waited for). Their end
 * of observation is 30 June: 10 April + 3 months is 10 July, after it, so their April, May and June referrals are in
 * no engagement cohort, their April and May (old enough for it) in no outcome cohort.
 *
 * A: four PCNs, U00004 stopped, 10 referrals a month. England's April: 40 referrals, of which 30 (U00001-U00003's) in
 *   the engagement cohort: 40 - 30 = 10, U00004's April exactly (its row shows 10, a count rounded to 5). Made up by 1 PCN: April, May and
 *   June (engagement) and April and May (outcome) held as no figure with 2025/26 (the year less its other months gives
 *   a month back), in cof_person, equity, pcn_comparison and contacts_distribution. July: 30 referrals, 30 in the
 *   engagement cohort, 24 engaged (U00004 referred none: a difference of 0), published; August likewise.
 *   rollout's April (40) and 2025/26 (3 x 40 + 5 x 30 = 270) are published. pcn_comparison has no England row of its
 *   own (England is its PCNs' sum): its 2025/26 held with no earlier release, its PCN figures are not summed into an
 *   England rate, so no funnel of that year is drawn (as for any period held as no figure there).
 * B: six PCNs, U00004-U00006 stopped. England's April: 120 referrals, engagement cohort 60: 120 - 60 = 60, three PCNs'
 *   20 each (3 PCNs; the rest after the two largest, 20, is at least 10% of the largest; 60 is more than 3):
 *   published. April 120 / 60 / 48 engaged / outcome cohort 60; June 120 / 60 / 48 / 0 (June + 6 months is after
 *   November); July 60 / 60 / 48 / 0. 2025/26: 3 x 120 + 5 x 60 = 660 referrals; engagement cohort April to August of
 *   U00001-U00003, 3 x 5 x 20 = 300, 240 engaged (England's take-up 0.8); outcome cohort April and May,
 *   3 x 2 x 20 = 120, 96 with 1 contact and 24 with none.
 * C: B and U00007, whose extract stopped after July (end of observation 31 July): its April referrals are in the
 *   engagement cohort (10 April + 3 months is 10 July) but not the outcome cohort (10 October), its May to July in
 *   neither. England's April: engagement cohort 60 + 20 = 80 (its referrals out of it: U00004-U00006's, 3 PCNs:
 *   published by that test), outcome cohort 60 (U00004-U00007's out of it, 4 PCNs: published by that test), but 80 - 60
 *   = 20 is U00007's April exactly: the engagement cohort less the outcome cohort is tested too (1 PCN: April held, with
 *   2025/26). July: U00007's 20 alone out of the engagement cohort: held. May: 140 referrals, engagement cohort 60
 *   (U00001-U00003's), 48 engaged, outcome cohort 60, and 60 - 60 = 0 (U00004-U00007's May in neither cohort), 3 + 1
 *   PCNs out of each: published; June 140 / 60 / 48 / 0; August 60 / 60 / 48 / 0.
 */
const reference = (pcns: number) =>
  `${[
    'pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to',
    ...Array.from(
      { length: pcns },
      (_, i) =>
        `U0000${i + 1},PCN ${i + 1},${i % 2 === 0 ? 'QAA,NHS ICB A,Y56,London' : 'QBB,NHS ICB B,Y58,South West'},10000,2019-04-01,`,
    ),
  ].join('\n')}\n`;
const ALL = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11'];
const STOPPED = ['2025-04', '2025-05', '2025-06'];
const STOPPED_LATER = ['2025-04', '2025-05', '2025-06', '2025-07'];

function uploadsOf(
  pcns: number,
  stopped: readonly string[],
  stoppedLater: readonly string[] = [],
  size: { referrals: number; contacted: number } = { referrals: 20, contacted: 16 },
) {
  const uploads: Record<string, GoldenEvent[]> = {};
  const received = new Map<string, Date>();
  for (let p = 1; p <= pcns; p++) {
    const pcn = `U0000${p}`;
    for (const month of stopped.includes(pcn) ? STOPPED : stoppedLater.includes(pcn) ? STOPPED_LATER : ALL) {
      const name = `${pcn}-${month}.csv`;
      uploads[name] = Array.from({ length: size.referrals }, (_, i) => {
        const referral = referralEvent(pcn, `${pcn}-${month}-${i}`, `${month}-10`);
        if (i >= size.contacted) return [referral];
        const contact: GoldenEvent = {
          event_id: `C-${pcn}-${month}-${i}`,
          event_type: 'contact',
          pcn_code: pcn,
          referral_id: referral.referral_id,
          person_id: referral.person_id,
          occurred_on: `${month}-25`,
          contact_mode: 'telephone',
          worker_role: 'splw',
          duration_minutes: 30,
        };
        return [referral, contact];
      }).flat();
      const [y, m] = month.split('-').map(Number) as [number, number];
      received.set(name, new Date(Date.UTC(y, m, 2, 7)));
    }
  }
  return { uploads, received };
}

async function publish(
  name: string,
  pcns: number,
  stopped: readonly string[],
  stoppedLater: readonly string[] = [],
  size?: { referrals: number; contacted: number },
) {
  const dir = tempDir(name);
  const docs = new Map<string, MetricDocument>();
  const { uploads, received } = uploadsOf(pcns, stopped, stoppedLater, size);
  const files = writeEventFiles(dir.path, uploads);
  const byName = (file: string) => received.get(file.slice(file.lastIndexOf('/') + 1)) as Date;
  await publishGolden(join(dir.path, 'data'), files, reference(pcns), new Date('2025-12-03T06:00:00Z'), docs, byName);
  return { dir, docs };
}

const COF = ['episodes', 'engagement_cohort', 'engaged', 'outcome_cohort'];
const pick = (r: Record<string, unknown>, columns: readonly string[] = COF) => columns.map((c) => r[c]);
const heldOf = (docs: Map<string, MetricDocument>, name: string) =>
  (docs.get(name)?.summary as { revisions_held?: { periods: string[] } } | undefined)?.revisions_held?.periods;
const takeUp = (docs: Map<string, MetricDocument>) =>
  (
    docs.get('pcn_comparison')?.summary as
      | { funnel_rates?: Record<string, Record<string, { national: number | null }>> }
      | undefined
  )?.funnel_rates?.['2025/26']?.take_up_pct;

let one: Awaited<ReturnType<typeof publish>>;
let three: Awaited<ReturnType<typeof publish>>;
let later: Awaited<ReturnType<typeof publish>>;
beforeAll(async () => {
  one = await publish('cohort-gap-one', 4, ['U00004'], [], { referrals: 10, contacted: 8 });
  three = await publish('cohort-gap-three', 6, ['U00004', 'U00005', 'U00006']);
  later = await publish('cohort-gap-later', 7, ['U00004', 'U00005', 'U00006'], ['U00007']);
}, 300_000);
afterAll(() => {
  one?.dir.remove();
  three?.dir.remove();
  later?.dir.remove();
});

describe("England's referrals less its cohort: one PCN's referrals are held (R26-1)", () => {
  it('states the cut-offs of data as of 30 November 2025', () => {
    expect(one.docs.get('cof_person')?.summary?.cohorts).toMatchObject({
      engagement: { referred_on_or_before: '2025-08-31' },
      outcomes: { referred_on_or_before: '2025-05-31' },
    });
  });

  it("one PCN stopped: England's cohort figures of its months and their year are held, and say so", () => {
    const row = rowFinder(one.docs);
    for (const period of ['2025-04', '2025-05', '2025-06', '2025/26'])
      expect(pick(row('cof_person', 'national', 'ENG', period)), period).toEqual([null, null, null, null]);
    expect(pick(row('cof_person', 'national', 'ENG', '2025-07'))).toEqual([30, 30, 24, 0]);
    expect(pick(row('cof_person', 'national', 'ENG', '2025-08'))).toEqual([30, 30, 24, 0]);
    expect(heldOf(one.docs, 'cof_person')).toEqual(['2025-04', '2025-05', '2025-06', '2025/26']);
    // The referrals stay published: the cohort is what is held.
    expect(row('rollout', 'national', 'ENG', '2025-04').referrals).toBe(40);
    expect(row('rollout', 'national', 'ENG', '2025/26').referrals).toBe(270);
    expect(heldOf(one.docs, 'rollout')).toBeUndefined();
    // And where the same cohort, or a sum of it, is published.
    expect(
      pick(row('equity', 'national', 'ENG', '2025/26', { dimension: 'sex', group: 'female' }), [
        'engagement_cohort',
        'engaged',
      ]),
    ).toEqual([null, null]);
    expect(heldOf(one.docs, 'equity')).toEqual(['2025/26']);
    expect(row('contacts_distribution', 'national', 'ENG', '2025/26', { contacts: 1 }).episodes).toBeNull();
    expect(heldOf(one.docs, 'contacts_distribution')).toEqual(['2025/26']);
    expect(takeUp(one.docs)).toBeUndefined();
    // Below England the PCN's own rows: 10 referrals, none in a cohort.
    expect(pick(row('cof_person', 'pcn', 'U00004', '2025-04'))).toEqual([10, 0, 0, 0]);
    expect(pick(row('cof_person', 'pcn', 'U00001', '2025-04'), ['episodes', 'engagement_cohort'])).toEqual([10, 10]);
  });

  it("one PCN stopped: passes the scan's cohort-gap reading (England less its cohort would be its 10)", () => {
    const published = [...one.docs.values()].filter((d) => d.name !== undefined && d.rows !== undefined);
    expect(cohortGapProblems(published, heldPeriodsOf(one.docs.get('meta') as never))).toEqual([]);
  });

  it("one PCN stopped: each region's rows read without England's (held) recover nothing (review 29, R29-1)", () => {
    // R29-1 (red-team review 29): England's April, May and 2025/26 cof_person rows are held (no figure), so a reader
    // has Y56's piece without England's equations, as any reader has by leaving England's rows out. Before the audit
    // read each region's piece so, the scan read there: U00001 and U00003 each 8 link worker contacts in April and
    // May (8 of 10 contacted), shown `*` (secondary), their years (the outcome cohort, April and May) 16 shown 15; QAA
    // (= Y56) 16 a month shown 15 and `*`, its year 32 shown 30. Reading `*` as 1 to 7 (nothing in the piece shows
    // them otherwise): each PCN's year 13 to 17 = two months of at most 7, so 14; QAA's 28 to 32 = 14 + 14, so 28: 12
    // cells (QAA, U00001, U00003, Y56 in April, May and 2025/26) read as 7, 14 and 28. Those values are wrong (truly
    // 8, 16 and 32), but a reader cannot tell them from true ones (no published figure refutes the reading), so they
    // are protected as recoveries (docs/methodology.md, "The criterion"). The audit now reads the piece and suppresses
    // within it: the counts those readings rested on (the PCNs' years 15, QAA's months 15 and year 30, Y56's year 30)
    // are `*` too, so every splw_contacts figure of Y56's piece in April, May and 2025/26 is `*`, no equation of it has
    // a known total, and each `*` read as 1 to 7 is left 1 to 7. The scan, reading the rows as published with and
    // without England's, finds nothing.
    const row = rowFinder(one.docs);
    for (const [level, code] of [
      ['pcn', 'U00001'],
      ['pcn', 'U00003'],
      ['icb', 'QAA'],
      ['region', 'Y56'],
    ] as const)
      for (const period of ['2025-04', '2025-05', '2025/26'])
        expect(row('cof_person', level, code, period).splw_contacts, `${code} ${period}`).toBe('*');
    expect(disclosureFindings(one.docs, reference(4))).toEqual([]);
  });

  it("three PCNs stopped, none dominating: England's cohorts are published", () => {
    const row = rowFinder(three.docs);
    expect(pick(row('cof_person', 'national', 'ENG', '2025-04'))).toEqual([120, 60, 48, 60]);
    expect(pick(row('cof_person', 'national', 'ENG', '2025-06'))).toEqual([120, 60, 48, 0]);
    expect(pick(row('cof_person', 'national', 'ENG', '2025-07'))).toEqual([60, 60, 48, 0]);
    expect(pick(row('cof_person', 'national', 'ENG', '2025/26'))).toEqual([660, 300, 240, 120]);
    expect(heldOf(three.docs, 'cof_person')).toBeUndefined();
    expect(row('contacts_distribution', 'national', 'ENG', '2025/26', { contacts: 1 }).episodes).toBe(96);
    expect(row('contacts_distribution', 'national', 'ENG', '2025/26', { contacts: 0 }).episodes).toBe(24);
    const sex = three.docs
      .get('equity')
      ?.rows.filter((r) => r.level === 'national' && r.period === '2025/26' && r.dimension === 'sex');
    expect(sex?.reduce((s, r) => s + Number(r.engagement_cohort), 0)).toBe(300);
    expect(takeUp(three.docs)?.national).toBe(0.8);
    expect(disclosureFindings(three.docs, reference(6))).toEqual([]);
  });

  it('a PCN whose data ended between the two windows: the engagement cohort less the outcome cohort is held', () => {
    const row = rowFinder(later.docs);
    for (const period of ['2025-04', '2025-07', '2025/26'])
      expect(pick(row('cof_person', 'national', 'ENG', period)), period).toEqual([null, null, null, null]);
    expect(pick(row('cof_person', 'national', 'ENG', '2025-05'))).toEqual([140, 60, 48, 60]);
    expect(pick(row('cof_person', 'national', 'ENG', '2025-06'))).toEqual([140, 60, 48, 0]);
    expect(pick(row('cof_person', 'national', 'ENG', '2025-08'))).toEqual([60, 60, 48, 0]);
    expect(heldOf(later.docs, 'cof_person')).toEqual(['2025-04', '2025-07', '2025/26']);
    expect(
      pick(row('cof_person', 'pcn', 'U00007', '2025-04'), ['episodes', 'engagement_cohort', 'outcome_cohort']),
    ).toEqual([20, 20, 0]);
    expect(disclosureFindings(later.docs, reference(7))).toEqual([]);
  });
});
