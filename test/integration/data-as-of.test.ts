import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetaDocument, MetricDocument } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { currentRelease } from '../../functions/lib/release.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { PublishedRows, packContent } from '../../functions/reports/pack-content.ts';
import { tempDir } from '../support/files.ts';
import { type GoldenEvent, ingestAllAccepted, referralEvent, rowFinder } from '../support/golden.ts';

/*
 * The data-as-of date is the end of the last complete month (docs/methodology.md, "Data as of"): a month that has
 * ended, sent by at least 90% of the PCNs open. Three PCNs in one ICB, every month from October 2025 to November 2026:
 *
 *   PCN     list     referrals a month
 *   U20001  10,000   2
 *   U20002  20,000   3
 *   U20003  30,000   5 in October 2025 and every other month after it, 6 in the months between
 *
 * England: 10 or 11 a month. Financial year 2026/27 so far, April to November 2026 (8 months): U20001 16, U20002 24,
 * U20003 5 + 6 + 5 + 6 + 5 + 6 + 5 + 6 = 44; 84 referrals of 84 people, on a list of 60,000: 1.4 per 1,000, a year
 * 1.4 x 12 / 8 = 2.1; 0.14% of the list, a year 0.21%.
 *
 * Then U20001 sends one referral dated 2 December 2026 (an extract run early in the month), and the figures are
 * refreshed on 4 December. That file covers November at most (received before December ended: red-team review 18,
 * R18-4), so December is not sent by U20001 until its December extract comes in January (review 20, R20-8: its early
 * row counted it as submitting December). Had the data been as of that event, 2026/27 would have had 9 months, 85 referrals, 85 / 60
 * x 12 / 9 = 1.9 per 1,000 a year, and December (1 referral) would have been charted as a low special cause.
 */
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U20001,One PCN,QWE,NHS South West London ICB,Y56,London,10000,2019-04-01,
U20002,Two PCN,QWE,NHS South West London ICB,Y56,London,20000,2019-04-01,
U20003,Three PCN,QWE,NHS South West London ICB,Y56,London,30000,2019-04-01,
`;
const MONTHS = [
  '2025-10',
  '2025-11',
  '2025-12',
  '2026-01',
  '2026-02',
  '2026-03',
  '2026-04',
  '2026-05',
  '2026-06',
  '2026-07',
  '2026-08',
  '2026-09',
  '2026-10',
  '2026-11',
];
const referrals = (pcn: string, month: string, count: number, day = '10'): GoldenEvent[] =>
  Array.from({ length: count }, (_, i) => referralEvent(pcn, `${pcn}-${month}-${i}`, `${month}-${day}`));
// One upload per PCN and month, as PCNs send them.
const HISTORY = Object.fromEntries(
  MONTHS.flatMap((month, i) => [
    [`u20001-${month}.csv`, referrals('U20001', month, 2)],
    [`u20002-${month}.csv`, referrals('U20002', month, 3)],
    [`u20003-${month}.csv`, referrals('U20003', month, 5 + (i % 2))],
  ]),
);

/**
 * With the early December referral, three follow-ups dated December of U20001's first referral (October 2025):
 * a link worker contact (it would make that referral engaged), a community connection and its GP appointments in the
 * 6 months before and after it. Each waits with its month: cof_person, cof_community and cof_system change no more
 * than rollout.
 */
const FIRST = referralEvent('U20001', 'U20001-2025-10-0', '2025-10-10');
const followUp = (id: string, fields: GoldenEvent): GoldenEvent => ({
  event_id: id,
  pcn_code: 'U20001',
  referral_id: FIRST.referral_id,
  person_id: FIRST.person_id,
  occurred_on: '2026-12-02',
  ...fields,
});
const DECEMBER_FOLLOW_UPS: GoldenEvent[] = [
  followUp('F-contact', {
    event_type: 'contact',
    contact_mode: 'telephone',
    worker_role: 'splw',
    duration_minutes: 30,
  }),
  followUp('F-connection', {
    event_type: 'community_connection',
    activity_category: 'arts_culture',
    provider_id: 'VCSE-1',
    attended: true,
  }),
  ...(['before', 'after'] as const).map((window) =>
    followUp(`F-service-${window}`, {
      event_type: 'service_use',
      service: 'gp_appointment',
      window,
      window_months: 6,
      count: 2,
    }),
  ),
];

const dir = tempDir('data-as-of');
const dataDir = join(dir.path, 'data');
const store = new FsObjectStore(dataDir);

/** Ingests the files into the one store, refreshes on `now` and returns the published documents by name. */
async function refreshOn(now: string, uploads: Readonly<Record<string, readonly GoldenEvent[]>> = {}) {
  // Received when the refresh runs: a file covers the months before its receipt (onboarded.sql), not those before the
  // day the test runs.
  if (Object.keys(uploads).length > 0) await ingestAllAccepted(dir.path, dataDir, uploads, () => new Date(now));
  const engine = new DuckDbEngine(dataDir);
  await refreshMetrics({ store, engine, clock: () => new Date(now) });
  await engine.close();
  const docs = new Map<string, MetricDocument>();
  const published = await currentRelease(store);
  for (const key of (await published.list('metrics/')).filter((k) => k.endsWith('.json'))) {
    const doc = JSON.parse(new TextDecoder().decode(await published.get(key))) as MetricDocument;
    docs.set(doc.name ?? 'meta', doc);
  }
  return docs;
}
const metaOf = (docs: Map<string, MetricDocument>) => docs.get('meta') as unknown as MetaDocument;
const latestMonthOfPack = (docs: Map<string, MetricDocument>) =>
  packContent(
    'national',
    'ENG',
    new PublishedRows([...docs.values()].filter((d) => d.name !== undefined)),
    metaOf(docs),
  ).month;

let november: Map<string, MetricDocument>;
let early: Map<string, MetricDocument>;
let decemberShort: Map<string, MetricDocument>;
let decemberComplete: Map<string, MetricDocument>;

beforeAll(async () => {
  await stageReference(store, REFERENCE);
  // 1 December: November has ended and all 3 PCNs sent it.
  november = await refreshOn('2026-12-01T06:00:00Z', HISTORY);
  // 4 December: one early December referral from U20001.
  early = await refreshOn('2026-12-04T06:00:00Z', {
    'u20001-2026-12.csv': [...referrals('U20001', '2026-12', 1, '02'), ...DECEMBER_FOLLOW_UPS],
  });
  // 4 January: December has ended, but no PCN has sent its December extract (U20001's early file covers November).
  decemberShort = await refreshOn('2027-01-04T06:00:00Z');
  // All three send December: U20001 one more referral (the rest of its month), the others 3 and 6: 3 of 3.
  decemberComplete = await refreshOn('2027-01-05T06:00:00Z', {
    'u20001-2026-12-rest.csv': [referralEvent('U20001', 'U20001-2026-12-rest-0', '2026-12-05')],
    'u20002-2026-12.csv': referrals('U20002', '2026-12', 3, '03'),
    'u20003-2026-12.csv': referrals('U20003', '2026-12', 6, '03'),
  });
}, 240_000);
afterAll(() => dir.remove());

describe('data as of the end of the last complete month', () => {
  it('November complete: data as of 30 November 2026, 2026/27 of 8 months, 2.1 referrals per 1,000 a year', () => {
    const row = rowFinder(november);
    expect(metaOf(november)).toMatchObject({ data_as_of: '2026-11-30', months_pending: [] });
    // The first release has nothing to difference against: England's months are all published.
    expect('england_months_held' in metaOf(november)).toBe(false);
    expect(metaOf(november).months).toEqual(MONTHS);
    expect(row('rollout', 'national', 'ENG', '2026/27')).toMatchObject({
      referrals: 84,
      people_referred: 84,
      months: 8,
      list_size: 60_000,
      referrals_per_1000: 1.4,
      referrals_per_1000_annualised: 2.1,
      pct_list_referred_annualised: 0.21,
    });
    expect(latestMonthOfPack(november)).toBe('2026-11');
  });

  it('one early December event changes no published figure, chart or alert, and is kept for later', () => {
    const meta = metaOf(early);
    expect(meta.data_as_of).toBe('2026-11-30');
    expect(meta.months).toEqual(MONTHS);
    // U20001's early row is no sending of December (its file covers November at most: R18-4, R20-8).
    expect(meta.months_pending).toEqual([
      { month: '2026-12', pcns_submitting: 0, pcns_onboarded: 3, pcns_stopped: 0, pcns_open: 3 },
    ]);
    for (const name of [
      'rollout',
      'spc',
      'cof_person',
      'cof_community',
      'cof_system',
      'equity',
      'pcn_comparison',
      'workforce',
      'referral_sources',
    ])
      expect(early.get(name)?.rows, name).toEqual(november.get(name)?.rows);
    expect(rowFinder(early)('rollout', 'national', 'ENG', '2026/27')).toMatchObject({
      months: 8,
      referrals_per_1000_annualised: 2.1,
    });
    expect(early.get('rollout')?.rows.some((r) => r.period === '2026-12')).toBe(false);
    const spc = rowFinder(early)('spc', 'national', 'ENG', 'all', { measure: 'referrals' });
    expect(spc).toMatchObject({ points: 14, first_month: '2025-10', last_month: '2026-11' });
    // Nothing changed since the refresh of 1 December: no alert (December's 1 referral would have been one).
    expect(early.get('alerts')?.rows).toEqual([]);
    expect(latestMonthOfPack(early)).toBe('2026-11');
    // The early referral and its follow-ups are in the store: U20001's rows accepted are 28 + 1 + 4 = 33, published
    // rounded up to a multiple of 5 (data_quality.sql): 35, where the 28 before them showed 30.
    expect(rowFinder(early)('data_quality', 'pcn', 'U20001', 'all')).toMatchObject({ rows_accepted: 35 });
  });

  it('December ended but sent by no PCN (an early file covers the month before): still as of 30 November', () => {
    expect(metaOf(decemberShort)).toMatchObject({
      data_as_of: '2026-11-30',
      months_pending: [{ month: '2026-12', pcns_submitting: 0, pcns_onboarded: 3, pcns_stopped: 0, pcns_open: 3 }],
    });
    expect(decemberShort.get('rollout')?.rows).toEqual(november.get('rollout')?.rows);
  });

  it('December complete: data as of 31 December; England December held by the revisions policy, the year with it', () => {
    // December is complete (3 of 3 PCNs), but its England figures are new and one of them is made up by one PCN alone:
    // cof_community's December connection is U20001's (the follow-up sent early), so it is held (null) and, by the
    // revisions policy's period rule (docs/methodology.md, "Revisions of England's figures"), so is every England
    // figure of December and of 2026/27 in every document: a total released beside it would give it back.
    // Without the hold the year would be 84 + 2 + 3 + 6 = 95 referrals in 9 months; held, it is November's release:
    // 84 in 8 months, 84 / 60 = 1.4 per 1,000, a year 1.4 x 12 / 8 = 2.1 (the months held with the figures).
    const row = rowFinder(decemberComplete);
    const meta = metaOf(decemberComplete);
    expect(meta).toMatchObject({ data_as_of: '2026-12-31', months_pending: [] });
    // December is published for the PCNs (their rows are controlled on their own), so it is among the months; England's
    // December is not, and meta.json says so beside data_as_of: England's figures are as of 30 November.
    expect(meta.months).toEqual([...MONTHS, '2026-12']);
    expect([meta.england_months_held, meta.england_data_as_of]).toEqual([['2026-12'], '2026-11-30']);
    const held = (meta as unknown as { revisions_held: { periods: string[]; documents: Record<string, unknown> } })
      .revisions_held;
    expect(held.periods).toEqual(expect.arrayContaining(['2026-12', '2026/27']));
    expect(held.documents.cof_community).toMatchObject({ periods: ['2026-12', '2026/27'] });
    expect(row('cof_community', 'national', 'ENG', '2026-12')).toMatchObject({ connections: null });
    expect(row('rollout', 'national', 'ENG', '2026-12')).toMatchObject({ referrals: null, pcns_submitting: 3 });
    expect(row('rollout', 'national', 'ENG', '2026/27')).toMatchObject({
      referrals: 84,
      months: 8,
      referrals_per_1000: 1.4,
      referrals_per_1000_annualised: 2.1,
    });
    // The chart ends with the last month England shows: November (11 = 2 + 3 + 6).
    expect(row('spc', 'national', 'ENG', 'all', { measure: 'referrals' })).toMatchObject({
      points: 14,
      last_month: '2026-11',
      last_value: 11,
    });
    expect(latestMonthOfPack(decemberComplete)).toBe('2026-12');
  });
});
