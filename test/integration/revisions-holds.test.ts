import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import { REVISIONS_STATE_KEY } from '../../functions/lib/keys.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { currentRelease } from '../../functions/lib/release.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { ENGLAND_HELD } from '../../functions/refresh/funnel-documents.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { writeEventFiles } from '../support/golden.ts';

/**
 * What is derived from held England periods (review 4, F1, F2, F5), through the real pipeline: each scenario's
 * releases in turn (test/support/holds/*.mjs, the review's specs), the published documents of each kept.
 */
type Doc = { rows: Record<string, unknown>[]; summary?: Record<string, unknown>; generated_at: string };
/** England's target progress of 2025/26 in a release's rollout document. */
const progressOf = (docs: Map<string, Doc> | undefined) =>
  (docs?.get('rollout')?.summary?.target_progress as Record<string, unknown>[] | undefined)?.find(
    (p) => p.fy === '2025/26',
  );
const dirs: string[] = [];
/** The key of the revisions record in a release's map (it is not a document). */
const RECORD = 'private:revisions';
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function releases(spec: string): Promise<Map<string, Doc>[]> {
  const { reference, stages } = await import(`../support/holds/${spec}.mjs`);
  const out = mkdtempSync(join(tmpdir(), 'holds-'));
  dirs.push(out);
  const store = new FsObjectStore(join(out, 'data'));
  await stageReference(store, reference);
  const published: Map<string, Doc>[] = [];
  for (const [i, stage] of (stages as { uploads: never; now: string }[]).entries()) {
    mkdirSync(join(out, `in${i}`));
    await ingestFiles(writeEventFiles(join(out, `in${i}`), stage.uploads), {
      dataDir: join(out, 'data'),
      out: () => {},
      progress: false,
    });
    const engine = new DuckDbEngine(join(out, 'data'));
    await refreshMetrics({ store, engine, clock: () => new Date(stage.now) });
    await engine.close();
    const docs = new Map<string, Doc>();
    const release = await currentRelease(store);
    for (const key of (await release.list('metrics/')).filter((k) => k.endsWith('.json')))
      docs.set(
        key.split('/').pop()?.replace('.json', '') as string,
        JSON.parse(new TextDecoder().decode(await release.get(key))),
      );
    // The revisions record (private) beside the documents, to see what it keeps as published.
    const record = await store.get(REVISIONS_STATE_KEY);
    if (record) docs.set(RECORD, JSON.parse(gunzipSync(record).toString('utf8')));
    published.push(docs);
  }
  return published;
}

const england = (doc: Doc | undefined, period: string, match: Record<string, unknown> = {}) =>
  doc?.rows.find(
    (r) => r.level === 'national' && r.period === period && Object.entries(match).every(([k, v]) => r[k] === v),
  );

describe("figures derived from England's held periods (review 4)", () => {
  // v2: r0 = April-August of 6 PCNs; r1 = every PCN's September and U00003's late file of 2 April referrals, which
  // one PCN alone moved: April is held, so 2025/26 is held at r0's 554 people over r0's 5 months.
  it('F1 and F2: a held year is projected over its own months, and no funnel compares PCNs with it', async () => {
    const [r0, r1] = await releases('v2');
    // r0: 554 people in 5 complete months; the people in each month add up to 554 (no one in two months), so the
    // scale is 1 and the centre is 554 + 7 x 110.8 = 1329.6 (the interval from the months' spread: r0 as published).
    expect(progressOf(r0)).toMatchObject({ people_referred_to_date: 554, projection_to_year_end: 1330 });
    expect(progressOf(r0)?.held).toBeUndefined();
    const year = england(r1?.get('rollout'), '2025/26');
    expect(year).toMatchObject({ people_referred: 554, months: 5 });
    // r1: the same 554 over the same 5 months (September, 110 people, is not in the held year): r0's projection, and
    // the summary says which release it comes from. Before the fix: 554 / 660 x (660 + 6 x 110) = 1108. It is judged
    // at r0's data-as-of date (31 August: 5 months elapsed), as r0 published it (review 5, G2).
    expect(progressOf(r1)).toMatchObject({
      people_referred_to_date: 554,
      months_elapsed: 5,
      complete_months: ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08'],
      projection_to_year_end: progressOf(r0)?.projection_to_year_end,
      projection_low: progressOf(r0)?.projection_low,
      projection_high: progressOf(r0)?.projection_high,
      held: { release: r0?.get('rollout')?.generated_at, data_as_of: '2025-08-31' },
    });
    // The funnels: no England comparator, curve or _vs_national position for the held year (it would be 554 referrals
    // over 6 months' exposure: every PCN above it); the reason is stated. Before the fix: national 0.00395714, phi 3.6.
    const funnel = (
      r1?.get('pcn_comparison')?.summary?.funnel_rates as
        | Record<string, Record<string, Record<string, unknown>>>
        | undefined
    )?.['2025/26']?.referral_rate;
    expect(funnel).toMatchObject({
      national: null,
      overdispersion: { national: null },
      national_held: { reason: ENGLAND_HELD, release: r0?.get('rollout')?.generated_at },
    });
    const pcns = r1?.get('pcn_comparison')?.rows.filter((r) => r.level === 'pcn' && r.period === '2025/26') ?? [];
    expect(pcns).toHaveLength(6);
    for (const row of pcns) {
      expect(row.referral_rate_vs_national).toBeNull();
      expect(row.referral_rate_vs_national_unadjusted).toBeNull();
    }
    // r0, not held: the comparator is England's 554 referrals over 140,000 x 5/5 = 0.00395714.
    const before = (
      r0?.get('pcn_comparison')?.summary?.funnel_rates as
        | Record<string, Record<string, Record<string, unknown>>>
        | undefined
    )?.['2025/26']?.referral_rate;
    expect(before?.national).toBe(0.00395714);
  }, 300_000);

  // v7: r0 as v2; r1 = every PCN's September and one decline, U00001's: September's declines are one PCN's own, so
  // every England figure of September is held as no figure (null, a new month) and 2025/26 at r0's values.
  it('F1: a held new month is left out of the projection, not read as a month with nobody referred', async () => {
    const [r0, r1] = await releases('v7');
    const rollout = r1?.get('rollout');
    expect(england(rollout, '2025-09')?.people_referred).toBeNull();
    // The regions publish September (their own figures; rounded to 5): 22+15+12+18 = 67 -> 65, 25+14 = 39 -> 40.
    const sep = (code: string) =>
      rollout?.rows.find((r) => r.code === code && r.period === '2025-09')?.people_referred as number;
    expect([sep('Y56'), sep('Y58')]).toEqual([65, 40]);
    expect(england(rollout, '2025/26')).toMatchObject({ people_referred: 554, months: 5 });
    const progress = progressOf(r1);
    // Worked by hand: April to August have 106, 112, 118, 106, 112 people (each PCN's size + 0, 1, 2, 0, 1): 554,
    // mean 110.8, sd sqrt(100.8 / 4) = 5.0200. Seven months unknown (flat profile: no 2024/25): centre 554 + 7 x 110.8
    // = 1329.6; half-width t(0.975, 4) 2.7764 x 5.0200 x sqrt(7 + 49 / 5) = 57.13: [1272, 1387], as r0 published.
    // Judged at r0's data-as-of date (5 months elapsed, review 5 G2). Read as 0 people, September gave 1108 [703,
    // 1513] (review 4): the year's 554 over six months' 554, the mean of six months (92.3) and their spread.
    expect(progress).toMatchObject({
      people_referred_to_date: 554,
      months_elapsed: 5,
      complete_months: ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08'],
      projection_to_year_end: 1330,
      projection_low: 1272,
      projection_high: 1387,
      status: 'below target',
      held: { release: r0?.get('rollout')?.generated_at, data_as_of: '2025-08-31' },
    });
  }, 300_000);

  // v6: r0 as v2 (data as of 2025-08-31: the engagement cohort is April and May); r1 = every PCN's September and
  // U00003's late file of 2 June referrals (data as of 2025-09-30: June's 3-month window has closed). One PCN alone
  // moved June, so June is held (and 2025/26, and July: the late referrals' community connections are July's).
  it("F3: a held month whose cohort matured since is held as no figure; a held year's cohorts are stated", async () => {
    const [r0, r1] = await releases('v6');
    const person = (docs: Map<string, Doc> | undefined) => docs?.get('cof_person');
    // r0: June (106 + 6 x 2 = 118 referrals) had no engagement cohort yet: 0 everywhere, as the summary's 31 May says.
    expect(england(person(r0), '2025-06')).toMatchObject({ episodes: 118, engagement_cohort: 0, engaged: 0 });
    expect(person(r0)?.summary?.cohorts).toEqual({
      engagement: { months: 3, referred_on_or_before: '2025-05-31' },
      outcomes: { months: 6, referred_on_or_before: '2025-02-28' },
    });
    expect(
      (r1?.get('meta') as unknown as { revisions_held?: { periods: string[] } } | undefined)?.revisions_held?.periods,
    ).toEqual(['2025-06', '2025-07', '2025/26']);
    // r1: England's June is held at r0's 118 referrals; its engagement figures, 0 at r0 because the window had not
    // closed, are no figure (before the fix 0, beside regions publishing 75 and 45: U00001-U00004's 24 + 17 + 14 + 2
    // + 20 = 77 and U00005-U00006's 27 + 16 = 43, rounded to 5). Its 6-month figures are 0 at r0 and at r1 (not
    // matured by 30 September either), as every area shows: kept.
    const june = england(person(r1), '2025-06');
    expect(june).toMatchObject({
      episodes: 118,
      engagement_cohort: null,
      engaged: null,
      connected: null,
      plans_agreed: null,
      engaged_pct: null,
      outcome_cohort: 0,
    });
    const region = (code: string) =>
      person(r1)?.rows.find((r) => r.code === code && r.period === '2025-06')?.engagement_cohort;
    expect([region('Y56'), region('Y58')]).toEqual([75, 45]);
    // The record keeps what is published (no figure), so the next release's change is June's whole cohort.
    type Cells = Record<string, { v: unknown }>;
    const record = r1?.get(RECORD) as unknown as { documents: Record<string, { cells: Cells }> };
    expect(record.documents.cof_person?.cells['month|2025-06#engagement_cohort']?.v).toBeNull();
    expect(record.documents.cof_person?.cells['month|2025-06#episodes']?.v).toBe(118);
    // The year is held at r0's engagement cohort, April and May's 106 + 112 = 218, and the summary says so: its
    // cohorts are r0's cut-offs, not this release's 30 June.
    expect(england(person(r1), '2025/26')).toMatchObject({ episodes: 554, engagement_cohort: 218 });
    expect(person(r1)?.summary?.cohorts).toMatchObject({
      engagement: { months: 3, referred_on_or_before: '2025-06-30' },
      held: {
        '2025/26': {
          release: person(r0)?.generated_at,
          data_as_of: '2025-08-31',
          engagement: { months: 3, referred_on_or_before: '2025-05-31' },
          outcomes: { months: 6, referred_on_or_before: '2025-02-28' },
        },
      },
    });
  }, 300_000);

  // s13: r0 = 12 months (October 2024 to September 2025) of 6 small PCNs; r1 (no new month): U00001, U00004, U00006
  // each send a March 2025 referral's 'after' GP count again, 2 where it was 0, U00002 (5 referrals in March: its
  // totals `*` when published) 4 of them as 15 each where they were 0, 1, 2, 0 (a later row of a window replaces the
  // earlier). Changes [2, 57, 0, 2, 0, 2]: all but the two largest add up to 4, under 10% of 57, so the p% rule holds
  // England's March after_total at r0's 45. March, the newest month whose 6-month windows have ended by 2025-09-30
  // (cof_system counts 6-month windows alone: review 26, R26-3; May with the 3-month windows of before).
  // By hand (events.mjs): a month's k referrals of a PCN have GP 1 + i % 4 before and i % 3 after (i < k); k is the
  // PCN's size (9, 3, 5, 12, 2, 7) + 0, 1, 2 in turn from October. March (+2): 11, 5, 7, 14, 4, 9 = 50 referrals;
  // before 26 + 11 + 16 + 33 + 10 + 21 = 117; after 10 + 4 + 6 + 13 + 3 + 9 = 45. 2024/25 after: October to March,
  // (+0) 9 + 3 + 4 + 12 + 1 + 6 = 35, (+1) 40, (+2) 45, twice: 240 (April to September's windows run past the date).
  it("F5: a small PCN's change to cof_system's totals is seen by the rule; the year and March stay as published", async () => {
    const [r0, r1] = await releases('s13');
    const march = (docs: Map<string, Doc> | undefined) =>
      england(docs?.get('cof_system'), '2025-03', { service: 'gp_appointment', baseline_band: 'all' });
    const fy = (docs: Map<string, Doc> | undefined) =>
      england(docs?.get('cof_system'), '2024/25', { service: 'gp_appointment', baseline_band: 'all' });
    expect(march(r0)).toMatchObject({ window_months: 6, people: 50, before_total: 117, after_total: 45 });
    expect(fy(r0)?.after_total).toBe(240);
    // Before review 4's fix March would be released at 45 + 63 = 108 (the rule saw [2, 0, 0, 2, 0, 2]).
    expect(march(r1)).toMatchObject({ people: 50, before_total: 117, after_total: 45 });
    expect(fy(r1)?.after_total).toBe(240);
    const held = r1?.get('cof_system')?.summary?.revisions_held as { periods: string[] };
    expect(held.periods).toEqual(['2024/25', '2025-03']);
  }, 300_000);

  // y1 (review 5, G2): r0 = 11 months (April to February) of 106, 112, 118 people in turn: 1,226 people, each in one
  // month (scale 1), no previous year (flat). The mean level 1,226 / 11 = 111.45 for March: centre 1,337.45; the
  // months' sd 4.987 (squares 119.01 + 1.19 + 128.53 = 248.73 over 10), t(10) = 2.228, sqrt(1 + 1/11) = 1.0445: half
  // width 11.61, so [1,326, 1,349]. r1 completes the year but holds it at r0's figures: it must keep r0's projection,
  // not call 1,226 the year's final total.
  it("G2: a year held in the release that completes it keeps its own release's projection", async () => {
    const [r0, r1] = await releases('y1');
    const asPublished = {
      people_referred_to_date: 1226,
      months_elapsed: 11,
      projection_to_year_end: 1337,
      projection_low: 1326,
      projection_high: 1349,
      on_track: false,
      status: 'below target',
    };
    expect(progressOf(r0)).toMatchObject(asPublished);
    expect(england(r1?.get('rollout'), '2025/26')).toMatchObject({ people_referred: 1226, months: 11 });
    expect(england(r1?.get('rollout'), '2026-03')).toMatchObject({ people_referred: null });
    // Before the fix: months_elapsed 12, projection 1,226 [1,226, 1,226], "year complete".
    expect(progressOf(r1)).toMatchObject({
      ...asPublished,
      complete_months: progressOf(r0)?.complete_months,
      held: { release: r0?.get('rollout')?.generated_at, data_as_of: '2026-02-28' },
    });
  }, 300_000);
  // v9 (review 4's third F1 scenario; review 5, G3): U00007 (list 60,000) opens on 1 September and sends it in r1,
  // while U00003's late April file holds 2025/26 at r0's 554 referrals and people over 5 months of 6 PCNs, whose mean
  // list is 140,000. So per 1,000: 554 / 140 = 3.957 (4.0), annualised x 12 / 5 = 9.5, and % of the list annualised
  // 554 / 140,000 x 100 x 12 / 5 = 0.95, as r0 published. Before the fix r1 divided them by 7 PCNs' 150,000
  // (3.7, 8.9, 0.89) and said 7 PCNs.
  it('G3: a held year keeps the list size and PCNs of its own release', async () => {
    const [r0, r1] = await releases('v9');
    const asPublished = {
      referrals: 554,
      people_referred: 554,
      months: 5,
      pcns: 6,
      list_size: 140000,
      referrals_per_1000: 4,
      referrals_per_1000_annualised: 9.5,
      pct_list_referred_annualised: 0.95,
    };
    expect(england(r0?.get('rollout'), '2025/26')).toMatchObject(asPublished);
    expect(england(r1?.get('rollout'), '2025/26')).toMatchObject(asPublished);
    // September, not held, is U00007's too: 7 PCNs.
    expect(england(r1?.get('rollout'), '2025-09')).toMatchObject({ pcns: 7 });
  }, 300_000);
  // y2 (review 5, G7): y1 and r2, the next day with nothing new: 2025/26 is still held at r0's values. r1 re-showed
  // them, so r2's held year comes from r0 still: r0's projection, judged at r0's 28 February. Before the fix r2 named
  // r1 (data to 31 March) and called the year complete at 1,226 [1,226, 1,226].
  it("G7: a hold's later refresh names the release its values come from", async () => {
    const [r0, r1, r2] = await releases('y2');
    const origin = { release: r0?.get('rollout')?.generated_at, data_as_of: '2026-02-28' };
    expect(progressOf(r1)?.held).toEqual(origin);
    expect(england(r2?.get('rollout'), '2025/26')).toMatchObject({ people_referred: 1226, months: 11 });
    expect(progressOf(r2)).toMatchObject({
      people_referred_to_date: 1226,
      months_elapsed: 11,
      projection_to_year_end: 1337,
      projection_low: 1326,
      projection_high: 1349,
      status: 'below target',
      held: origin,
    });
  }, 300_000);
});
