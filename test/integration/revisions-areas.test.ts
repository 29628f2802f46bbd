import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { AREA_REVISIONS_STATE_KEY } from '../../functions/refresh/area-revisions.ts';
import { CATALOGUE, jointCounts } from '../../functions/refresh/catalogue.ts';
import { tempDir } from '../support/files.ts';
import { type GoldenEvent, releaseChain } from '../support/golden.ts';

/*
 * Acceptance tests of revisions below England (R11-1; review 15's R15-1, R15-2, R15-3, R15-9: R15-8's tests), through
 * the real ingest and refresh, releases chained on one store. A PCN (the attacker, U00001) sends one referral of its
 * own dated in an old month (January 2025, source `housing`) per release and watches its ICB's (QAA) and region's (Y56)
 * January. Each release controlled on its own, QAA's cell showed `*` while its exact was 7 or less and 10 from the
 * release it reached 8: the other PCNs' exact sum, 8 less the attacker's own count (R11-1).
 *
 * Seven PCNs, two regions. QAA: U00001 (attacker), U00002 (victim), U00003. QBB (Y56): U00004, U00005. QCC (Y58):
 * U00006, U00007. Each PCN refers size + (month index mod 3) people a month, December 2024 to April 2025 (sizes 21, 15,
 * 12, 18, 25, 14, 20; by `gp`, or `self` every third), each contacted the month after; but in January U00001 refers 2,
 * U00002 3 and U00003 none. January: QAA 5 (`*`), QBB 19 + 26 = 45, Y56 50, QCC 15 + 21 = 36, England 86.
 * Release 0 (clock 2025-05-20): December to April. Releases 1 to 5 (a day on each): one January referral of U00001's
 * each, so QAA's exact January is 5 + k, 8 at release 3 (published 10 without revisions control), and Y56's 50 + k,
 * 53 at release 3 (55 without). U00001's own rows show the same from release 1 to 4 (January 2 + k `*`, housing k `*`,
 * its year 67 + k: 70; its engagement cohort 2024/25, 21 + 2 + k: 25 to release 4, 30 at 5).
 * Release 6: U00001, U00002 and U00003 each send 2 more January referrals (`housing`).
 */
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U00001,Alpha PCN,QAA,NHS Alpha ICB,Y56,London,30000,2019-04-01,
U00002,Bravo PCN,QAA,NHS Alpha ICB,Y56,London,20000,2019-04-01,
U00003,Charlie PCN,QAA,NHS Alpha ICB,Y56,London,25000,2019-04-01,
U00004,Delta PCN,QBB,NHS Bravo ICB,Y56,London,25000,2019-04-01,
U00005,Echo PCN,QBB,NHS Bravo ICB,Y56,London,30000,2019-04-01,
U00006,Foxtrot PCN,QCC,NHS Charlie ICB,Y58,South West,20000,2019-04-01,
U00007,Golf PCN,QCC,NHS Charlie ICB,Y58,South West,22000,2019-04-01,
`;
const PCNS = ['U00001', 'U00002', 'U00003', 'U00004', 'U00005', 'U00006', 'U00007'];
const MONTHS = ['2024-12', '2025-01', '2025-02', '2025-03', '2025-04'];
let n = 0;
const referral = (pcn: string, rid: string, on: string, source: string): GoldenEvent => ({
  event_id: `E${pcn}-${++n}`,
  event_type: 'referral',
  pcn_code: pcn,
  referral_id: rid,
  person_id: createHash('sha256').update(rid).digest('hex'),
  occurred_on: on,
  referral_source: source,
  referral_reasons: 'loneliness_isolation',
  snomed_code: '871731000000106',
  age_band: '45-54',
  sex: 'female',
  ethnicity_group: 'white',
  imd_decile: 5,
  long_term_conditions: 1,
});
const SIZES: Record<string, number> = {
  U00001: 21,
  U00002: 15,
  U00003: 12,
  U00004: 18,
  U00005: 25,
  U00006: 14,
  U00007: 20,
};
const contact = (pcn: string, rid: string, on: string): GoldenEvent => ({
  event_id: `E${pcn}-${++n}`,
  event_type: 'contact',
  pcn_code: pcn,
  referral_id: rid,
  person_id: createHash('sha256').update(rid).digest('hex'),
  occurred_on: on,
  contact_mode: 'telephone',
  worker_role: 'splw',
  duration_minutes: 30,
});
const referralsOf = (pcn: string, m: string, mi: number) => {
  if (m === '2025-01' && (pcn === 'U00001' || pcn === 'U00002' || pcn === 'U00003'))
    return pcn === 'U00001' ? 2 : pcn === 'U00002' ? 3 : 0;
  return (SIZES[pcn] as number) + (mi % 3);
};
const monthOf = (pcn: string, m: string, mi: number, rows: GoldenEvent[]) => {
  for (let i = 0; i < referralsOf(pcn, m, mi); i++) {
    const rid = `${pcn}-${m}-${i}`;
    rows.push(referral(pcn, rid, `${m}-${String(1 + (i % 20)).padStart(2, '0')}`, i % 3 ? 'gp' : 'self'));
    const next = MONTHS[mi + 1];
    if (next !== undefined) rows.push(contact(pcn, rid, `${next}-2${i % 8}`));
  }
};
const decemberToApril = Object.fromEntries(
  PCNS.map((pcn) => {
    const rows: GoldenEvent[] = [];
    for (const [mi, m] of MONTHS.entries()) monthOf(pcn, m, mi, rows);
    return [`${pcn}-a.jsonl`, rows];
  }),
);
const lateJanuary = (pcn: string, batch: string, count: number) =>
  Array.from({ length: count }, (_, i) => referral(pcn, `${pcn}-late-${batch}-${i}`, '2025-01-15', 'housing'));

const dir = tempDir('revisions-areas');
const dataDir = join(dir.path, 'data');
const { release, releases } = releaseChain(dir.path, dataDir);
const DOCUMENTS = ['rollout', 'referral_sources', 'cof_person'] as const;
const AREAS = new Set(['icb', 'region']);
const idOf = (r: MetricRow) => `${String(r.level)}|${r.code}|${r.period}`;
const rowsOf = (docs: Map<string, MetricDocument> | undefined, name: string) =>
  new Map((docs?.get(name)?.rows ?? []).filter((r) => AREAS.has(String(r.level))).map((r) => [idOf(r), r] as const));
const row = (
  docs: Map<string, MetricDocument> | undefined,
  name: string,
  level: string,
  code: string,
  period: string,
) => {
  const found = rowsOf(docs, name).get(`${level}|${code}|${period}`);
  // The row must be published: a missing row fails here, named, not as a property read of undefined later.
  expect(found, `${name} ${level} ${code} ${period}`).toBeDefined();
  return found as MetricRow;
};
const count = (name: string) => (name === 'cof_person' ? 'episodes' : 'referrals');
/**
 * R15-1/R15-8: every ICB and region row of the documents that no PCN changed between `before` and `after` (every row
 * but `changed`: level|code|period) is published the same, value for value, in both releases.
 */
function unchangedRowsEqual(
  before: Map<string, MetricDocument> | undefined,
  after: Map<string, MetricDocument>,
  changed: ReadonlySet<string>,
  label: string,
) {
  for (const name of DOCUMENTS) {
    const now = rowsOf(after, name);
    let compared = 0;
    for (const [id, old] of rowsOf(before, name)) {
      if (changed.has(id)) continue;
      expect(now.get(id), `${label} ${name} ${id}`).toEqual(old);
      compared++;
    }
    // QAA, QBB, QCC, Y56, Y58: 5 areas x (5 months + 2 years) = 35 rows, less the changed ones.
    expect(compared, `${label} ${name}`).toBeGreaterThanOrEqual(35 - changed.size);
  }
}
/**
 * (c) Documents sharing a count publish it alike in every area row, held or not: the joint count (rollout's and
 * referral_sources' referrals, cof_person's episodes and its cohorts where they are the same count: catalogue.ts
 * jointCounts at the release's data-as-of date) and workforce's people referred (sameAs rollout's).
 */
function sharedCellsAgree(docs: Map<string, MetricDocument>, label: string) {
  const asOf = (docs.get('meta') as unknown as { data_as_of: string | null }).data_as_of;
  let compared = 0;
  for (const count of jointCounts(asOf)) {
    const values = new Map<string, unknown>();
    for (const cell of count.cells)
      for (const r of docs.get(cell.document)?.rows ?? []) {
        if (!AREAS.has(String(r.level)) || (cell.rows && !cell.rows(r as never))) continue;
        const id = idOf(r);
        if (!values.has(id)) values.set(id, r[cell.column]);
        else {
          expect(r[cell.column], `${label} ${count.name} ${cell.document}.${cell.column} ${id}`).toEqual(
            values.get(id),
          );
          compared++;
        }
      }
  }
  const rollout = rowsOf(docs, 'rollout');
  for (const [id, r] of rowsOf(docs, 'workforce'))
    if (rollout.has(id) && r.people_referred !== undefined)
      expect(r.people_referred, `${label} workforce people_referred ${id}`).toEqual(rollout.get(id)?.people_referred);
  // 5 areas x 7 periods, in referral_sources and cof_person's episodes at least.
  expect(compared, label).toBeGreaterThanOrEqual(70);
}
/** The attacker's own PCN rows in the documents counting its referrals. */
const attackerRows = (docs: Map<string, MetricDocument> | undefined) =>
  DOCUMENTS.map((name) => (docs?.get(name)?.rows ?? []).filter((r) => r.code === 'U00001'));
const heldSummary = (docs: Map<string, MetricDocument>, name: string) =>
  docs.get(name)?.summary?.revisions_held_below_england as { rows?: string[]; fail_closed?: boolean } | undefined;
/** The attacker's family: QAA's and Y56's January and their year 2024/25. */
const PROBED = new Set(['icb|QAA|2025-01', 'icb|QAA|2024/25', 'region|Y56|2025-01', 'region|Y56|2024/25']);

beforeAll(async () => {
  await stageReference(new FsObjectStore(dataDir), REFERENCE);
}, 60_000);
afterAll(() => dir.remove());

describe('R11-1: an ICB or region figure published before changes only when 3 or more of its PCNs change it', () => {
  it('release 0: published as it is (nothing held at a first release)', async () => {
    const r0 = await release('2025-05-20T00:00:00Z', decemberToApril);
    // QAA's January: U00001's 2 and U00002's 3, `*` (in every document counting the referrals); Y56's 50, 50.
    for (const name of DOCUMENTS) expect(row(r0, name, 'icb', 'QAA', '2025-01')[count(name)]).toBe('*');
    expect(row(r0, 'rollout', 'region', 'Y56', '2025-01').people_referred).toBe(50);
    expect(row(r0, 'rollout', 'region', 'Y56', '2025-01').referrals).toBe(50);
    expect(r0.get('rollout')?.summary?.revisions_held_below_england).toBeUndefined();
  }, 120_000);

  it('releases 1 to 5: the attacker alone changes QAA January: no boundary read, and every row it did not change stays as it was (R15-1)', async () => {
    for (let k = 1; k <= 5; k++) {
      const probe = { [`U00001-probe${k}.jsonl`]: lateJanuary('U00001', `p${k}`, 1) };
      const rk = await release(`2025-05-2${k}T00:00:00Z`, probe);
      // QAA's exact January 5 + k (8 at k = 3: 10 without revisions control, R11-1): still `*`.
      for (const name of DOCUMENTS)
        expect(row(rk, name, 'icb', 'QAA', '2025-01')[count(name)], `k=${k} ${name}`).toBe('*');
      // Y56's January 50 + k (55 from k = 3 without control): given to the control as release 0's 50, so 50, or `*`
      // where this release's control suppresses it beside the prober's own new `*`; never 55.
      expect(['*', 50], `k=${k}`).toContain(row(rk, 'rollout', 'region', 'Y56', '2025-01').referrals);
      for (const name of DOCUMENTS)
        expect(heldSummary(rk, name)?.rows, `k=${k} ${name}`).toEqual([
          'icb|QAA|2024/25',
          'icb|QAA|2025-01',
          'region|Y56|2024/25',
          'region|Y56|2025-01',
        ]);
      sharedCellsAgree(rk, `k=${k}`);
      // Where the attacker's own rows show the same as at the release before (k = 2 to 4), every area row nobody
      // changed shows the same too: no released cell's control reads the held cells' new values (R15-1: QBB's and
      // QCC's January, QAA's December flipped at the boundary).
      const before = releases[k - 1];
      if (k > 1 && JSON.stringify(attackerRows(before)) === JSON.stringify(attackerRows(rk)))
        unchangedRowsEqual(before, rk, PROBED, `k=${k}`);
    }
    // The attacker's own rows were alike from release 1 to 4 (the check above ran at k = 2, 3 and 4).
    expect(JSON.stringify(attackerRows(releases[4]))).toBe(JSON.stringify(attackerRows(releases[1])));
  }, 900_000);

  it('a release with no new data publishes the same documents, byte for byte but for its time', async () => {
    const r5 = releases[5] as Map<string, MetricDocument>;
    const again = await release('2025-05-25T12:00:00Z', {});
    const time = (docs: Map<string, MetricDocument>) =>
      (docs.get('meta') as unknown as { generated_at: string }).generated_at;
    for (const [name, document] of r5) {
      if (name === 'meta') continue;
      // (alerts names the release it compared with: the release before each.)
      const bytes = (d: MetricDocument | undefined) =>
        JSON.stringify(name === 'alerts' ? { ...d, summary: { ...d?.summary, compared_with: null } } : d);
      expect(bytes(again.get(name)).replaceAll(time(again), time(r5)), name).toBe(bytes(document));
    }
    releases.pop();
  }, 300_000);

  it('R15-2: a version bump releases no held figure: a declared bump starts again only the columns it names, an undeclared one none', async () => {
    const r5 = releases[5] as Map<string, MetricDocument>;
    const rollout = CATALOGUE.find((d) => d.name === 'rollout') as { version: string; changes?: unknown[] };
    const { version, changes } = rollout;
    try {
      // Declared: nothing of rollout's counts starts again (columns []).
      rollout.version = `${version}-bump`;
      rollout.changes = [...(changes ?? []), { version: rollout.version, from: version, columns: [] }];
      const declared = await release('2025-05-26T00:00:00Z', {});
      // Undeclared: a version the changes do not reach (fail closed: no column starts again).
      rollout.version = `${version}-undeclared`;
      const undeclared = await release('2025-05-26T06:00:00Z', {});
      for (const [label, docs] of [
        ['declared', declared],
        ['undeclared', undeclared],
      ] as const) {
        // QAA's exact January 10 (U00001's 2 + 5, U00002's 3): still `*`, as in referral_sources and cof_person (R15-2:
        // the bumped document published 10 beside the others' `*`).
        for (const name of DOCUMENTS)
          expect(row(docs, name, 'icb', 'QAA', '2025-01')[count(name)], `${label} ${name}`).toBe('*');
        // No data changed since release 5: every area row as it published them, held or not.
        unchangedRowsEqual(r5, docs, new Set(), label);
      }
    } finally {
      rollout.version = version;
      rollout.changes = changes;
    }
  }, 600_000);

  it('release 6: three of QAA PCNs change January: the new values are published', async () => {
    const r6 = await release('2025-05-27T00:00:00Z', {
      'U00001-late.jsonl': lateJanuary('U00001', 'q', 2),
      'U00002-late.jsonl': lateJanuary('U00002', 'q', 2),
      'U00003-late.jsonl': lateJanuary('U00003', 'q', 2),
    });
    // Since release 0: U00001 +7, U00002 +2, U00003 +2 (each `housing`): 3 PCNs; the two smaller, 2, at least 10% of 7;
    // net 11 > 3. QAA's January people 5 + 11 = 16, published 15; QAA's 2024/25 (U00001 21 + 2 + 23 + 21 = 67, U00002
    // 15 + 3 + 17 + 15 = 50, U00003 12 + 0 + 14 + 12 = 38: 155) 155 + 11 = 166, 165; Y56's (QBB's 18 + 19 + 20 + 18 +
    // 25 + 26 + 27 + 25 = 178: 333) 333 + 11 = 344, 345.
    expect(row(r6, 'rollout', 'icb', 'QAA', '2025-01').people_referred).toBe(15);
    // (Referrals are the same counts, each person referred once; this release's control suppresses QAA's as a
    // secondary `*`, so the people are asserted.)
    expect(row(r6, 'rollout', 'icb', 'QAA', '2024/25').people_referred).toBe(165);
    expect(row(r6, 'rollout', 'region', 'Y56', '2024/25').people_referred).toBe(345);
    expect(heldSummary(r6, 'rollout')?.rows ?? []).toEqual([]);
  }, 300_000);

  it('R15-9: an ordinary month (every PCN sends May, one late April referral): the new month is published and no year is below it; the rows nobody changed are as before', async () => {
    const before = releases.at(-1) as Map<string, MetricDocument>;
    const may = Object.fromEntries(
      PCNS.map((pcn) => [
        `${pcn}-may.jsonl`,
        Array.from({ length: 20 }, (_, i) =>
          referral(pcn, `${pcn}-2025-05-${i}`, `2025-05-${String(1 + i).padStart(2, '0')}`, 'gp'),
        ),
      ]),
    );
    const rm = await release('2025-06-20T00:00:00Z', {
      ...may,
      'U00006-lateapril.jsonl': [referral('U00006', 'U00006-late-april', '2025-04-15', 'gp')],
    });
    // QCC's (and Y58's) May: U00006 20 + U00007 20 = 40, published (a new month). April 2025: U00006 14 + 1, U00007
    // 20 + 1: 36 (37 with the late one). 2025/26: 76 (77 exact; 75 published either way), or `*` where this release's
    // control suppresses it beside its months; never a number below its May (R15-9: 35 beside May's 40).
    for (const name of DOCUMENTS) {
      for (const [level, code] of [
        ['icb', 'QCC'],
        ['region', 'Y58'],
      ] as const) {
        expect(row(rm, name, level, code, '2025-05')[count(name)], `${name} ${code} May`).toBe(40);
        const year = row(rm, name, level, code, '2025/26')[count(name)];
        expect(year === '*' || (typeof year === 'number' && year >= 40), `${name} ${code} 2025/26 ${year}`).toBe(true);
      }
    }
    expect(row(rm, 'rollout', 'icb', 'QCC', '2025-05').people_referred).toBe(40);
    const people = row(rm, 'rollout', 'icb', 'QCC', '2025/26').people_referred;
    expect(people === '*' || (typeof people === 'number' && people >= 40), `people ${people}`).toBe(true);
    // No PCN changed 2024/25 since the release before (the year's months and the year, every area): its rows are
    // as before, in the documents counting no cohort (cof_person's cohorts mature with the data-as-of date), except
    // rollout's referrals declined, which mature with it too (review 31, R31-2: counted once the referral's 3 months
    // have passed, the % only for a period all of whose referrals' have): February 2025's referrals, 3 months short
    // at the release before, are all past their 3 months at 20 June (the cut-off 20 March), so its % goes from none to
    // 0% (no declines in these files), the only change.
    const settled = (row: MetricRow | undefined) =>
      Object.fromEntries(Object.entries(row ?? {}).filter(([c]) => !c.startsWith('declined_after_referral')));
    for (const name of ['rollout', 'referral_sources'])
      for (const [id, old] of rowsOf(before, name))
        if (id.endsWith('2024/25') || /\|202(4-12|5-0[123])$/.test(id))
          expect(settled(rowsOf(rm, name).get(id)), `${name} ${id}`).toEqual(settled(old));
    expect(rowsOf(rm, 'rollout').get('icb|QAA|2025-02')?.declined_after_referral_pct).toBe(0);
  }, 300_000);
  it('(a) England released by its own rule while its regions are held: the areas publish nothing new, England only its change', async () => {
    const before = releases.at(-1) as Map<string, MetricDocument>;
    // January since England's record (release 6, 97: 86 + 5 probes + 6): U00001 +2, U00006 +1, U00007 +1: 3 PCNs, the
    // two smaller 2 at least 10% of 2, net 4 > 3: England's rule releases 101. Below England, QAA (and Y56) changed by
    // U00001 alone and QCC (and Y58) by 2 PCNs: both regions' 2024/25 held, given to the control as at release 6 (Y56
    // 61, Y58 36), and England given 101 less the held changes (4): 97, as at release 6.
    const re = await release('2025-06-21T00:00:00Z', {
      'U00001-e.jsonl': lateJanuary('U00001', 'e', 2),
      'U00006-e.jsonl': lateJanuary('U00006', 'e', 1),
      'U00007-e.jsonl': lateJanuary('U00007', 'e', 1),
    });
    const england = (re.get('rollout')?.rows ?? []).find((r) => r.level === 'national' && r.period === '2025-01');
    expect(england?.referrals).toBe(101);
    expect(heldSummary(re, 'rollout')?.rows).toEqual([
      'icb|QAA|2024/25',
      'icb|QAA|2025-01',
      'icb|QCC|2024/25',
      'icb|QCC|2025-01',
      // (U00006's late April referral of the release before, its change alone: held since, R15-9.)
      'icb|QCC|2025-04',
      'icb|QCC|2025/26',
      'region|Y56|2024/25',
      'region|Y56|2025-01',
      'region|Y58|2024/25',
      'region|Y58|2025-01',
      'region|Y58|2025-04',
      'region|Y58|2025/26',
    ]);
    // Every number an ICB or region row shows is the number it showed at the release before, held or not: what a
    // reader can put beside England's 101 is what it could put beside its 97, so England less the regions says no more
    // than England's change (4), which England's rule releases; the prober, knowing its own 2, learns the other two
    // PCNs' sum (2), as it would with no hold below England. (Where `*` falls may differ: the PCN rows are controlled
    // on their own new figures, here U00001's, U00006's and U00007's. Documents counting no cohort: cof_person's
    // mature with the date.)
    let numbers = 0;
    for (const name of ['rollout', 'referral_sources'])
      for (const [id, old] of rowsOf(before, name)) {
        const now = rowsOf(re, name).get(id) as MetricRow;
        for (const [column, value] of Object.entries(old))
          if (typeof value === 'number' && typeof now[column] === 'number') {
            expect(now[column], `${name} ${id} ${column}`).toBe(value);
            numbers++;
          }
      }
    expect(numbers).toBeGreaterThan(500);
    sharedCellsAgree(re, 'england');
  }, 300_000);

  it('(b) the first release with no record below England (just deployed) holds nothing: published as now, and recorded', async () => {
    const store = new FsObjectStore(dataDir);
    rmSync(join(dataDir, AREA_REVISIONS_STATE_KEY), { force: true });
    // U00001 sends 5 more January referrals: QAA's January people 18 + 5 = 23, published 25; its 2024/25 166 + 2 + 5 =
    // 173, 175; Y56's 344 + 7 = 351, 350. Nothing held, no row without its figures.
    const rb = await release('2025-06-22T00:00:00Z', { 'U00001-b.jsonl': lateJanuary('U00001', 'b', 5) });
    for (const name of DOCUMENTS) expect(heldSummary(rb, name), name).toBeUndefined();
    // (QAA's January `*` or 25: this release's control may suppress it beside U00001's own `*`.)
    expect(['*', 25]).toContain(row(rb, 'rollout', 'icb', 'QAA', '2025-01').people_referred);
    expect(row(rb, 'rollout', 'icb', 'QAA', '2024/25').people_referred).toBe(175);
    expect(row(rb, 'rollout', 'region', 'Y56', '2024/25').people_referred).toBe(350);
    sharedCellsAgree(rb, 'first');
    // This release wrote a record the next one can read: gzipped JSON of the record's format (version 3), rollout's rows.
    const record = JSON.parse(gunzipSync((await store.get(AREA_REVISIONS_STATE_KEY)) as Uint8Array).toString('utf8'));
    expect(record.version).toBe(3);
    expect(Object.keys(record.documents)).toContain('rollout');
  }, 300_000);

  it('R15-3: failing closed (a record below England that cannot be read) lists no rows that would have shown another value', async () => {
    const store = new FsObjectStore(dataDir);
    await store.put(AREA_REVISIONS_STATE_KEY, new TextEncoder().encode('not a record'));
    // U00001 sends one more January referral: QAA's January people 24, shown 25 as before: held all the same.
    const rf = await release('2025-06-23T00:00:00Z', { 'U00001-fc.jsonl': lateJanuary('U00001', 'fc', 1) });
    for (const name of DOCUMENTS) {
      const held = heldSummary(rf, name);
      expect(held, name).toEqual({ rows: [], fail_closed: true });
    }
    // Every ICB and region row of a period published before is given no figure: QAA's January, and QCC's too.
    expect(row(rf, 'rollout', 'icb', 'QAA', '2025-01').people_referred).toBeNull();
    expect(row(rf, 'rollout', 'icb', 'QCC', '2025-01').people_referred).toBeNull();
    sharedCellsAgree(rf, 'fail closed');
  }, 300_000);
});
