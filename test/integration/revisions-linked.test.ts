import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetaDocument, MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import { REVISIONS_STATE_KEY } from '../../functions/lib/keys.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';
import { tempDir } from '../support/files.ts';
import { disclosureFindings, type GoldenEvent, releaseChain } from '../support/golden.ts';

/*
 * Red-team review 3's scenarios (findings H1 and H2; /work/notes/review3 v2, v5 and v3), through ingest and refresh.
 * Six PCNs in two regions. Each PCN refers k people a month, k + (month index mod 3) for April to August:
 * U00001 22, U00002 15, U00003 12, U00004 18, U00005 25, U00006 14: 106 in April, 112 in May, 118 in June, 106 in
 * July, 112 in August (554 in 2025/26 to August); 106 in September. The first 3 of each PCN's April are in IMD decile 1
 * (18 in England). Each person has i mod 5 contacts the month after referral, a wellbeing pair on even i, GP use before
 * and after, a community connection when contacted, a discharge on odd i.
 * Release 0: April to August. Release 1: every PCN's September (6 PCNs: released) and U00003's late file, 2 April
 * people of IMD decile 1 and ethnicity `mixed` (a group nobody else has). Release 2 (the private record lost): U00003
 * 2 more late April people. Release 3: U00001, U00002 and U00004 each send one September contact on an August referral.
 */
const SIZES: Record<string, number> = { U00001: 22, U00002: 15, U00003: 12, U00004: 18, U00005: 25, U00006: 14 };
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U00001,Alpha PCN,QAA,NHS Alpha ICB,Y56,London,30000,2019-04-01,
U00002,Bravo PCN,QAA,NHS Alpha ICB,Y56,London,20000,2019-04-01,
U00003,Charlie PCN,QBB,NHS Bravo ICB,Y56,London,15000,2019-04-01,
U00004,Delta PCN,QBB,NHS Bravo ICB,Y56,London,25000,2019-04-01,
U00005,Echo PCN,QCC,NHS Charlie ICB,Y58,South West,30000,2019-04-01,
U00006,Foxtrot PCN,QCC,NHS Charlie ICB,Y58,South West,20000,2019-04-01,
`;
const MONTHS = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08'];
let n = 0;
const event = (pcn: string, rid: string, type: string, on: string, extra: GoldenEvent = {}): GoldenEvent => ({
  event_id: `E${pcn}-${++n}`,
  event_type: type,
  pcn_code: pcn,
  referral_id: rid,
  person_id: createHash('sha256').update(rid).digest('hex'),
  occurred_on: on,
  ...extra,
});
const addMonths = (month: string, k: number) => {
  const t = Number(month.slice(0, 4)) * 12 + Number(month.slice(5)) - 1 + k;
  return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`;
};
function person(
  pcn: string,
  rid: string,
  m: string,
  i: number,
  rows: GoldenEvent[],
  decile?: number,
  ethnicity?: string,
) {
  rows.push(
    event(pcn, rid, 'referral', `${m}-${String(1 + (i % 20)).padStart(2, '0')}`, {
      referral_source: i % 3 ? 'gp' : 'self',
      referral_reasons: i % 2 ? 'loneliness_isolation' : 'mental_health',
      snomed_code: '871731000000106',
      age_band: ['45-54', '75-84', '25-34'][i % 3] as string,
      sex: i % 2 ? 'female' : 'male',
      ethnicity_group: ethnicity ?? 'white',
      imd_decile: decile ?? 2 + (i % 9),
      long_term_conditions: i % 3,
    }),
  );
  const next = addMonths(m, 1);
  const followUp = addMonths(m, 2);
  const contacts = next <= '2025-09' ? i % 5 : 0;
  for (let j = 0; j < contacts; j++)
    rows.push(
      event(pcn, rid, 'contact', `${next}-1${j}`, {
        contact_mode: 'telephone',
        worker_role: 'splw',
        duration_minutes: 30,
      }),
    );
  if (i % 2 === 0) {
    rows.push(
      event(pcn, rid, 'wellbeing_measure', `${m}-21`, {
        instrument: 'swemwbs',
        phase: 'baseline',
        score: 15 + (i % 7),
      }),
    );
    if (followUp <= '2025-09')
      rows.push(
        event(pcn, rid, 'wellbeing_measure', `${followUp}-20`, {
          instrument: 'swemwbs',
          phase: 'follow_up',
          score: 17 + (i % 9),
        }),
      );
  }
  // GP use in 6-month windows, the one length cof_system counts (review 26, R26-3). No referral here (April to
  // September 2025) has its after window ended by the end of September, so cof_system has no figures in these
  // releases (asserted in release 1); its holds are tested in revisions-holds (F5).
  const use = (on: string, window: string, count: number) =>
    event(pcn, rid, 'service_use', on, { service: 'gp_appointment', window, window_months: 6, count });
  rows.push(use(`${m}-21`, 'before', 1 + (i % 4)));
  // The after count dated once its window has ended (the 22nd, after any referral day: the contract), or in
  // September when the window runs past it (the uses so far: not counted, as the cut-off would not count it either).
  const after = addMonths(m, 6) <= '2025-09' ? addMonths(m, 6) : '2025-09';
  if (followUp <= '2025-09') rows.push(use(`${after}-22`, 'after', i % 3));
  if (contacts > 0)
    rows.push(
      event(pcn, rid, 'community_connection', `${next}-25`, {
        activity_category: 'arts_culture',
        provider_id: `ORG${i % 4}`,
        attended: true,
      }),
    );
  if (i % 2 === 1 && followUp <= '2025-09')
    rows.push(event(pcn, rid, 'discharge', `${followUp}-27`, { discharge_reason: 'goals_met' }));
}
const aprilToAugust = Object.fromEntries(
  Object.entries(SIZES).map(([pcn, k]) => {
    const rows: GoldenEvent[] = [];
    MONTHS.forEach((m, mi) => {
      for (let i = 0; i < k + (mi % 3); i++)
        person(pcn, `${pcn}-${m}-${i}`, m, i, rows, mi === 0 && i < 3 ? 1 : undefined);
    });
    return [`${pcn}-a.jsonl`, rows];
  }),
);
const september = Object.fromEntries(
  Object.entries(SIZES).map(([pcn, k]) => {
    const rows: GoldenEvent[] = [];
    for (let i = 0; i < k; i++) person(pcn, `${pcn}-2025-09-${i}`, '2025-09', i, rows);
    return [`${pcn}-sep.jsonl`, rows];
  }),
);
const late = (batch: string) => {
  const rows: GoldenEvent[] = [];
  for (let i = 0; i < 2; i++) person('U00003', `U00003-late-${batch}-${i}`, '2025-04', i + 1, rows, 1, 'mixed');
  return rows;
};

const dir = tempDir('revisions-linked');
const dataDir = join(dir.path, 'data');
const { release, releases } = releaseChain(dir.path, dataDir);
const englandRows = (docs: Map<string, MetricDocument>, name: string, period: string) =>
  (docs.get(name)?.rows ?? []).filter((r) => r.level === 'national' && r.period === period);
const england = (docs: Map<string, MetricDocument>, name: string, period: string, extra: Partial<MetricRow> = {}) => {
  const found = englandRows(docs, name, period).filter((r) => Object.entries(extra).every(([k, v]) => r[k] === v));
  expect(found, `${name} ENG ${period} ${JSON.stringify(extra)}`).toHaveLength(1);
  return found[0] as MetricRow;
};
const meta = (docs: Map<string, MetricDocument>) => docs.get('meta') as unknown as MetaDocument;
/**
 * Every exact England count (rules.counts) of a period in every document: `document key: value`; a figure not
 * published (null: a new key held until 3 PCNs make it up) is left out.
 */
const englandCounts = (docs: Map<string, MetricDocument>, period: string) =>
  CATALOGUE.flatMap((d) =>
    englandRows(docs, d.name, period)
      .filter((r) => !(d.pcnGroups?.rows(r as never) ?? false))
      .flatMap((r) =>
        d.rules.counts
          .filter((c) => r[c] !== null && r[c] !== undefined)
          .map((c) => `${d.name} ${d.keys.map((k) => r[k]).join('/')} ${c}: ${r[c]}`),
      ),
  ).sort();
const sum = (rows: readonly MetricRow[], column: string) => rows.reduce((s, r) => s + Number(r[column] ?? 0), 0);

beforeAll(async () => {
  await stageReference(new FsObjectStore(dataDir), REFERENCE);
}, 60_000);
afterAll(() => dir.remove());

describe("review 3: a late file's change is not given back by figures that add up with it, nor by later uploads", () => {
  it('release 0: April to August published as they are', async () => {
    const r0 = await release('2025-09-20T00:00:00Z', aprilToAugust);
    expect(england(r0, 'rollout', '2025-04').referrals).toBe(106);
    // 106 + 112 + 118 + 106 + 112.
    expect(england(r0, 'rollout', '2025/26').referrals).toBe(554);
    expect(england(r0, 'equity', '2025/26', { dimension: 'imd_decile', group: '1' }).people_referred).toBe(18);
    expect(meta(r0).revisions_held).toBeUndefined();
  }, 120_000);

  it("release 1 (H1): September released; April and the year held in every document, so nothing adds up to U00003's 2", async () => {
    const r1 = await release('2025-10-20T00:00:00Z', { ...september, 'U00003-late.jsonl': late('a') });
    const [r0] = releases;
    // September: 106 referrals from 6 PCNs, released.
    expect(england(r1, 'rollout', '2025-09').referrals).toBe(106);
    // Every exact England count of April and of 2025/26, in every document, is release 0's: equity's year (every
    // dimension), contacts_distribution's year, rollout's year people (the late 2 would make April 108, decile 1 20).
    // cof_system has no England figure of either: no 6-month after window has ended by September's end.
    expect(englandRows(r1, 'cof_system', '2025-04')).toEqual([]);
    expect(englandRows(r1, 'cof_system', '2025/26')).toEqual([]);
    expect(englandCounts(r1, '2025-04')).toEqual(englandCounts(r0 as Map<string, MetricDocument>, '2025-04'));
    expect(englandCounts(r1, '2025/26')).toEqual(englandCounts(r0 as Map<string, MetricDocument>, '2025/26'));
    // So equity's dimensions all add up to the year's 554 people, and `mixed` (U00003's 2 alone) has no figure.
    const equity = englandRows(r1, 'equity', '2025/26');
    for (const dimension of ['sex', 'age_band', 'imd_decile', 'ethnicity_group'])
      expect(
        sum(
          equity.filter((r) => r.dimension === dimension),
          'people_referred',
        ),
        dimension,
      ).toBe(554);
    expect(equity.find((r) => r.dimension === 'ethnicity_group' && r.group === 'mixed')?.people_referred ?? null).toBe(
      null,
    );
    // The funnel has no England comparator for the held year (review 4, F2: 554 over 5 months beside PCN rows of 6),
    // neither the held 554 nor the current 662 (which the rate x list size would give back).
    const rates = r1.get('pcn_comparison')?.summary?.funnel_rates as Record<
      string,
      Record<string, { overdispersion: { national: unknown }; national_held?: { reason: string } }>
    >;
    expect(rates['2025/26']?.referral_rate?.overdispersion.national).toBeNull();
    expect(rates['2025/26']?.referral_rate?.national_held?.reason).toBe("England's year held, revision pending");
    expect(meta(r1).revisions_held?.periods).toEqual(expect.arrayContaining(['2025-04', '2025/26']));
    expect(meta(r1).revisions_held?.periods).not.toContain('2025-09');
    // L3: the scan reads England's held figures as published values, not sums of the areas beside them.
    // R29-1: the scan (and the audit) also read each region's piece without England's equations. By hand, in
    // cof_community (the only document where the pieces pin anything):
    // - The South West (Y58) has one ICB (QCC, of U00005 and U00006), so Y58 = QCC in every figure. August's
    //   connections are July's referrals contacted (i mod 5 > 0): U00005 25 - 5 = 20, U00006 14 - 3 = 11; data as
    //   of 30 September puts the attendance cohort's cut-off at 31 August, so all 31 are in the cohort and none are
    //   recent. Published: QCC's August 30 connections, 30 attendance cohort, 0 recent; Y58's 30, `*`, `*`. So
    //   Y58's `*` of recent connections is QCC's 0 exactly, and its `*` of the attendance cohort QCC's 30, 28 to 32:
    //   one pin, a `*` at 0. It says no one was counted, as a 0 does, so it is not counted (as in each equation read
    //   alone). Counting it made the publisher suppress 88 more cells of cof_community in releases 1 to 3 (counts of
    //   10 to 275 in every area, and their attendance %) without unpinning it (QCC's 0 stays published), and the
    //   scan still found it.
    // - London's piece (Y56, QAA and QBB) holds rows held at release 0's figures (revisions_held_below_england):
    //   QAA's August recent connections 30 (August was then the newest month) over U00001's and U00002's 0, so 28 to
    //   32 = 0 contradicts in every reading and the piece pins nothing.
    // So the published figures are main's, every one (releases 1 to 3), and the scan finds nothing. The South West's
    // August below the region, rounded (20, 11 -> 10, 31 -> 30), not `*`:
    const august = (code: string) => {
      const row = r1.get('cof_community')?.rows.find((r) => r.code === code && r.period === '2025-08');
      return [row?.connections, row?.attendance_cohort, row?.recent_connections];
    };
    expect([august('U00005'), august('U00006'), august('QCC')]).toEqual([
      [20, 20, 0],
      [10, 10, 0],
      [30, 30, 0],
    ]);
    expect(disclosureFindings(r1, REFERENCE)).toEqual([]);
  }, 120_000);

  it('release 2 (H2): the record lost, U00003 sends 2 more: held, failing closed', async () => {
    rmSync(join(dataDir, REVISIONS_STATE_KEY));
    const r2 = await release('2025-10-21T00:00:00Z', { 'U00003-late2.jsonl': late('b') });
    expect(england(r2, 'rollout', '2025-04').referrals).toBe(106);
    expect(meta(r2).revisions_held?.fail_closed).toBe(true);
    // The pieces without England as in release 1 (the South West's August figures unchanged): nothing pinned but a `*` at 0.
    expect(disclosureFindings(r2, REFERENCE)).toEqual([]);
  }, 120_000);

  it('release 3 (H2): three uploads that do not touch April release nothing of it', async () => {
    const nudge = (pcn: string) =>
      event(pcn, `${pcn}-2025-08-0`, 'contact', '2025-09-15', {
        contact_mode: 'telephone',
        worker_role: 'splw',
        duration_minutes: 30,
      });
    const r3 = await release('2025-10-22T00:00:00Z', {
      'U00001-n.jsonl': [nudge('U00001')],
      'U00002-n.jsonl': [nudge('U00002')],
      'U00004-n.jsonl': [nudge('U00004')],
    });
    // Without the fix: 110 (106 + U00003's 4), released because three PCNs uploaded.
    expect(england(r3, 'rollout', '2025-04').referrals).toBe(106);
    expect(england(r3, 'equity', '2025/26', { dimension: 'imd_decile', group: '1' }).people_referred).toBe(18);
    expect(meta(r3).revisions_held?.fail_closed).toBe(false);
    // The pieces without England as in release 1 (the South West's August figures unchanged): nothing pinned but a `*` at 0.
    expect(disclosureFindings(r3, REFERENCE)).toEqual([]);
  }, 120_000);
});
