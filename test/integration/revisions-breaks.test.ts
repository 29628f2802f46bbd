import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import type { MetaDocument, MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import { REVISIONS_STATE_KEY } from '../../functions/lib/keys.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import type { Row, SqlValue } from '../../functions/lib/query-engine.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { currentRelease } from '../../functions/lib/release.ts';
import { CATALOGUE, type DefinitionChange } from '../../functions/refresh/catalogue.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { DEFINITION_CHANGED, DEFINITION_NOT_RECORDED } from '../../functions/refresh/revisions.ts';
import { tempDir } from '../support/files.ts';
import { type GoldenEvent, referralEvent, writeEventFiles } from '../support/golden.ts';

/*
 * A change of a metric's definition between code versions is a declared break in its series, not a revision of data
 * (revisions.ts, docs/methodology.md "Revisions of England's figures"). revisions.test.ts's ten PCNs (1,000 patients
 * each, each in its own ICB; U00001 in ICB QAA, region Y56). April 2025: U00001 2 referrals, U00002 to U00009 20 each,
 * U00010 18: England 180, every one from a GP.
 *
 * The old definition: referral_sources counted one of U00001's April referrals as a self-referral (the engine below
 * changes that query's rows and nothing else), so England's April and 2025/26 were 179 from GPs and 1 self; the
 * definition now counts 180 and 0. The change is U00001's alone: +1 and -1, which the rule holds (fewer than 3 PCNs).
 */
const PCNS = Array.from({ length: 10 }, (_, i) => `U0000${i + 1}`.replace('U000010', 'U00010'));
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
${PCNS.map((p, i) => `${p},PCN ${i + 1},Q${String.fromCharCode(65 + i)}A,NHS ICB ${i + 1},Y5${6 + (i % 2) * 2},Region ${i % 2},1000,2019-04-01,`).join('\n')}
`;
const referrals = (pcn: string, count: number, month: string, batch: string): GoldenEvent[] =>
  Array.from({ length: count }, (_, i) => referralEvent(pcn, `${pcn}-${month}-${batch}-${i + 1}`, `${month}-10`));
const APRIL = [
  ...referrals('U00001', 2, '2025-04', 'a'),
  ...PCNS.slice(1, 9).flatMap((p) => referrals(p, 20, '2025-04', 'a')),
  ...referrals('U00010', 18, '2025-04', 'a'),
];

/** The areas whose rows count U00001's referrals. */
const U00001_AREAS = new Set(['pcn|U00001', 'icb|QAA', 'region|Y56', 'national|ENG']);
/** The old definition of referral_sources: one of U00001's April referrals counted as a self-referral. */
class OldCounting extends DuckDbEngine {
  override async query(file: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    const rows = await super.query(file, params);
    if (file !== 'metrics/referral_sources') return rows;
    for (const row of rows)
      if (U00001_AREAS.has(`${row.level}|${row.code}`) && (row.period === '2025-04' || row.period === '2025/26')) {
        row.source_gp = Number(row.source_gp) - 1;
        row.source_self = Number(row.source_self) + 1;
      }
    return rows;
  }
}

const sources = CATALOGUE.find((d) => d.name === 'referral_sources') as {
  version: string;
  changes?: readonly DefinitionChange[];
};
const CURRENT = sources.version;
const CHANGES = sources.changes;
/** What the new definition changed from the old (OldCounting): which source one of U00001's referrals is counted in. */
const DECLARED: readonly DefinitionChange[] = [
  { version: CURRENT, from: 'old counting', columns: ['source_gp', 'source_self'] },
];
/** Each document's own version in this code (they differ: rollout's denominators changed, review 6 K8). */
const versionOf = (name: string) => (CATALOGUE.find((d) => d.name === name) as { version: string }).version;

type Release = Map<string, MetricDocument> & { record?: Record<string, unknown> };
const dirs: { remove(): void }[] = [];
afterAll(() => {
  for (const dir of dirs) dir.remove();
});

/** A data folder of its own, the reference staged: each refresh ingests its files, then publishes on its clock. */
async function folder(name: string) {
  const dir = tempDir(`breaks-${name}`);
  dirs.push(dir);
  const dataDir = join(dir.path, 'data');
  const store = new FsObjectStore(dataDir);
  await stageReference(store, REFERENCE);
  let files = 0;
  return {
    store,
    dataDir,
    async release(
      now: string,
      uploads: readonly GoldenEvent[],
      options: { old?: boolean; version?: string; changes?: readonly DefinitionChange[] } = {},
    ): Promise<Release> {
      if (uploads.length > 0) {
        // One file per PCN, as a PCN uploads its own.
        const byPcn = new Map<string, GoldenEvent[]>();
        for (const event of uploads)
          byPcn.set(event.pcn_code as string, [...(byPcn.get(event.pcn_code as string) ?? []), event]);
        const inbox = join(dir.path, `in${files}`);
        mkdirSync(inbox);
        const paths = writeEventFiles(
          inbox,
          Object.fromEntries([...byPcn].map(([pcn, rows]) => [`${files}-${pcn}.jsonl`, rows])),
        );
        files += 1;
        const { summary } = await ingestFiles(paths, { dataDir, out: () => {}, progress: false });
        expect(summary.receipts.map((r) => r.status)).toEqual(paths.map(() => 'accepted'));
      }
      const engine = options.old ? new OldCounting(dataDir) : new DuckDbEngine(dataDir);
      // A code version whose referral_sources definition is `options.version`, declaring `options.changes`.
      sources.version = options.version ?? CURRENT;
      sources.changes = options.changes ?? CHANGES;
      try {
        await refreshMetrics({ store, engine, clock: () => new Date(now) });
      } finally {
        sources.version = CURRENT;
        sources.changes = CHANGES;
        await engine.close();
      }
      const docs: Release = new Map();
      const published = await currentRelease(store);
      for (const key of (await published.list('metrics/')).filter((k) => k.endsWith('.json'))) {
        const doc = JSON.parse(new TextDecoder().decode(await published.get(key))) as MetricDocument;
        docs.set(doc.name ?? 'meta', doc);
      }
      docs.record = JSON.parse(gunzipSync((await store.get(REVISIONS_STATE_KEY)) as Uint8Array).toString('utf8'));
      return docs;
    },
  };
}

const england = (docs: Map<string, MetricDocument>, name: string, period: string) => {
  const found = docs.get(name)?.rows.filter((r) => r.level === 'national' && r.period === period);
  expect(found, `${name} England ${period}`).toHaveLength(1);
  return found?.[0] as MetricRow;
};
const meta = (docs: Map<string, MetricDocument>) => docs.get('meta') as unknown as MetaDocument;
const sourcesOf = (docs: Map<string, MetricDocument>, period: string) => {
  const row = england(docs, 'referral_sources', period);
  return [row.referrals, row.source_gp, row.source_self];
};
/** The documents that state a break in their series, with the statement. */
const breaks = (docs: Map<string, MetricDocument>) =>
  Object.fromEntries(
    [...docs].flatMap(([name, doc]) => (doc.summary?.series_break ? [[name, doc.summary.series_break]] : [])),
  );
const recordOf = (docs: Release) =>
  docs.record as { documents: Record<string, { definition?: string; cells: Record<string, { since: string }> }> };

/** The documents the revisions record keeps (every one with England counts): worked out from the catalogue's rules. */
const RECORDED = [
  'cof_community',
  'cof_person',
  'cof_system',
  'contacts_distribution',
  'equity',
  'pcn_comparison',
  'referral_sources',
  'rollout',
  'wellbeing',
  'workforce',
];

describe('a change of definition is a break in the series, not a revision', () => {
  it('under an unchanged version the old definition is differenced and held (what a definition change did before)', async () => {
    const data = await folder('unbumped');
    const r0 = await data.release('2025-05-10T00:00:00Z', APRIL, { old: true });
    expect(sourcesOf(r0, '2025-04')).toEqual([180, 179, 1]);
    // The new definition, but its version not changed: U00001's +1 and -1 alone fail the rule, so April and 2025/26
    // stay at the old definition's values, and so they would release after release.
    const r1 = await data.release('2025-05-11T00:00:00Z', []);
    expect(sourcesOf(r1, '2025-04')).toEqual([180, 179, 1]);
    expect(sourcesOf(r1, '2025/26')).toEqual([180, 179, 1]);
    expect(meta(r1).revisions_held?.periods).toEqual(['2025-04', '2025/26']);
    // Only the sources differ from the exact figures: April's and the year's source_gp and source_self.
    expect(meta(r1).revisions_held?.documents).toEqual({
      referral_sources: { figures: 4, periods: ['2025-04', '2025/26'], fail_closed: false },
    });
    expect(breaks(r1)).toEqual({});
  }, 240_000);

  it('a new version: nothing held, the break stated for a year, and a later revision under it held as before', async () => {
    const data = await folder('bumped');
    const r0 = await data.release('2025-05-10T00:00:00Z', APRIL, { old: true, version: 'old counting' });
    expect(sourcesOf(r0, '2025-04')).toEqual([180, 179, 1]);
    expect(recordOf(r0).documents.referral_sources?.definition).toBe('old counting');
    expect(recordOf(r0).documents.rollout?.definition).toBe(versionOf('rollout'));

    // The same data by the new definition, which says it changed the two sources: they are published as they are,
    // and the document says its series breaks here, for those columns.
    const r1 = await data.release('2025-05-11T00:00:00Z', [], { changes: DECLARED });
    expect(sourcesOf(r1, '2025-04')).toEqual([180, 180, 0]);
    expect(sourcesOf(r1, '2025/26')).toEqual([180, 180, 0]);
    expect(meta(r1).revisions_held).toBeUndefined();
    const stated = {
      referral_sources: {
        since_release: '2025-05-11T00:00:00.000Z',
        reason: DEFINITION_CHANGED,
        columns: ['source_gp', 'source_self'],
      },
    };
    expect(breaks(r1)).toEqual(stated);
    // The record starts again from this release, of the new definition.
    const record = recordOf(r1).documents.referral_sources;
    expect(record?.definition).toBe(CURRENT);
    expect(record?.cells['month|2025-04#source_self']).toMatchObject({ v: 0, since: '2025-05-11T00:00:00.000Z' });

    // A late file from U00001 (3 more April referrals) under the same definition: held as before (as in
    // revisions.test.ts), against the break release's values; the same break stated again (review 7, M14: it was
    // gone by the next refresh, so a reader the next day was never told).
    const r2 = await data.release('2025-05-12T00:00:00Z', referrals('U00001', 3, '2025-04', 'b'));
    expect(england(r2, 'rollout', '2025-04').referrals).toBe(180);
    expect(sourcesOf(r2, '2025-04')).toEqual([180, 180, 0]);
    expect(sourcesOf(r2, '2025/26')).toEqual([180, 180, 0]);
    expect(meta(r2).revisions_held?.periods).toEqual(['2025-04', '2025/26']);
    expect(meta(r2).revisions_held?.documents.rollout).toEqual({
      figures: 4,
      periods: ['2025-04', '2025/26'],
      fail_closed: false,
    });
    expect(breaks(r2)).toEqual(stated);

    // Two more PCNs revise April (3 + 2 + 1 from 3 PCNs): released, 186 by the new definition.
    const r3 = await data.release('2025-05-13T00:00:00Z', [
      ...referrals('U00002', 2, '2025-04', 'b'),
      ...referrals('U00003', 1, '2025-04', 'b'),
    ]);
    expect(england(r3, 'rollout', '2025-04').referrals).toBe(186);
    expect(sourcesOf(r3, '2025-04')).toEqual([186, 186, 0]);
    expect(meta(r3).revisions_held).toBeUndefined();
    expect(breaks(r3)).toEqual(stated);
    // Stated up to 366 days after the break's release (2026-05-12 is 366 days after 2025-05-11), not after.
    expect(breaks(await data.release('2026-05-12T00:00:00Z', []))).toEqual(stated);
    expect(breaks(await data.release('2026-05-13T00:00:00Z', []))).toEqual({});
  }, 480_000);

  it('a break in a period another document holds: held as no figure, then shown with the period', async () => {
    // April as above and one self-referral from U00010: England 181, 180 from GPs and 1 self (179 and 2 by the old
    // definition). Self-referrals are U00010's alone: as a new figure they would wait for 3 PCNs, release after release.
    const data = await folder('held-break');
    const self = { ...referralEvent('U00010', 'U00010-2025-04-s-1', '2025-04-10'), referral_source: 'self' };
    const r0 = await data.release('2025-05-10T00:00:00Z', [...APRIL, self], { old: true, version: 'old counting' });
    expect(sourcesOf(r0, '2025-04')).toEqual([181, 179, 2]);
    // The new definition, and U00001's late file of 3 April referrals: rollout holds April and 2025/26 by its own
    // change, so referral_sources' April and year are held too, as no figure (none of the new definition published).
    const r1 = await data.release('2025-05-11T00:00:00Z', referrals('U00001', 3, '2025-04', 'b'), {
      changes: DECLARED,
    });
    expect(england(r1, 'rollout', '2025-04').referrals).toBe(181);
    // The sources the new definition changed are held as no figure; referrals, counted as before, at r0's 181.
    expect(sourcesOf(r1, '2025-04')).toEqual([181, null, null]);
    expect(sourcesOf(r1, '2025/26')).toEqual([181, null, null]);
    const stated = {
      referral_sources: {
        since_release: '2025-05-11T00:00:00.000Z',
        reason: DEFINITION_CHANGED,
        columns: ['source_gp', 'source_self'],
      },
    };
    expect(breaks(r1)).toEqual(stated);
    expect(meta(r1).revisions_held?.periods).toEqual(['2025-04', '2025/26']);
    expect(recordOf(r1).documents.referral_sources?.cells['month|2025-04#source_self']).toMatchObject({
      v: null,
      b: true,
    });
    // U00002 2 and U00003 1 more (3 PCNs: 3 + 2 + 1): April is released, and referral_sources' figures with it,
    // U00010's self-referral among them: 187 = 181 + 6, 186 from GPs.
    const r2 = await data.release('2025-05-12T00:00:00Z', [
      ...referrals('U00002', 2, '2025-04', 'b'),
      ...referrals('U00003', 1, '2025-04', 'b'),
    ]);
    expect(england(r2, 'rollout', '2025-04').referrals).toBe(187);
    expect(sourcesOf(r2, '2025-04')).toEqual([187, 186, 1]);
    expect(sourcesOf(r2, '2025/26')).toEqual([187, 186, 1]);
    expect(meta(r2).revisions_held).toBeUndefined();
    expect(breaks(r2)).toEqual(stated);
  }, 360_000);

  it('a record kept without definitions: one break in every document it keeps, then holds as before', async () => {
    const data = await folder('unrecorded');
    const r0 = await data.release('2025-05-10T00:00:00Z', APRIL);
    expect(Object.keys(recordOf(r0).documents).sort()).toEqual(RECORDED);
    // The record as the code before definitions wrote it.
    const file = join(data.dataDir, REVISIONS_STATE_KEY);
    const old = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'));
    for (const document of Object.values(old.documents) as { definition?: string }[]) delete document.definition;
    writeFileSync(file, gzipSync(JSON.stringify(old)));

    const r1 = await data.release('2025-05-11T00:00:00Z', []);
    const stated = { since_release: '2025-05-11T00:00:00.000Z', reason: DEFINITION_NOT_RECORDED };
    expect(breaks(r1)).toEqual(Object.fromEntries(RECORDED.map((name) => [name, stated])));
    expect(sourcesOf(r1, '2025-04')).toEqual([180, 180, 0]);
    expect(meta(r1).revisions_held).toBeUndefined();
    for (const name of RECORDED) expect(recordOf(r1).documents[name]?.definition).toBe(versionOf(name));

    // One break: the next release has the definitions recorded (still stating that break) and holds U00001's late
    // file as before.
    const r2 = await data.release('2025-05-12T00:00:00Z', referrals('U00001', 3, '2025-04', 'b'));
    expect(breaks(r2)).toEqual(Object.fromEntries(RECORDED.map((name) => [name, stated])));
    expect(england(r2, 'rollout', '2025-04').referrals).toBe(180);
    expect(meta(r2).revisions_held?.periods).toEqual(['2025-04', '2025/26']);
  }, 360_000);
});

/*
 * Red-team review 7, M4: a new version made the whole document's record start again, so a revision held in a column
 * whose definition had not changed was published at the bump with its new value, and two downloads differenced gave
 * it. Here the new definition changes source_gp and source_self only (DECLARED); the reasons are counted as before.
 * Every April referral gives loneliness_isolation (180 in England, mental_health 0). U00002 then sends one of its
 * April referrals again (the same event id, a later upload: it replaces the first) giving mental_health instead.
 */
const amended = (pcn: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    ...referralEvent(pcn, `${pcn}-2025-04-a-${i + 1}`, '2025-04-10'),
    referral_reasons: 'mental_health',
  }));
/** England's [loneliness_isolation, mental_health] reasons of a period. */
const reasonsOf = (docs: Map<string, MetricDocument>, period: string) => {
  const row = england(docs, 'referral_sources', period);
  return [row.reason_loneliness_isolation, row.reason_mental_health];
};

describe('a new version breaks the series only of the columns it changed (review 7, M4)', () => {
  it('a revision held in a column the new definition did not change stays held across the break', async () => {
    const data = await folder('columns');
    const old = { old: true, version: 'old counting' };
    const r0 = await data.release('2025-05-10T00:00:00Z', APRIL, old);
    expect(sourcesOf(r0, '2025-04')).toEqual([180, 179, 1]);
    expect(reasonsOf(r0, '2025-04')).toEqual([180, 0]);

    // r1, the old definition still: U00002's amended referral moves England's April reasons by -1 and +1, U00002's
    // change alone (1 PCN, fewer than 3): both held at r0's 180 and 0, and so April and 2025/26 in every document.
    // Only referral_sources shows the change: 2 reasons x (April, 2025/26) = 4 figures.
    const r1 = await data.release('2025-05-11T00:00:00Z', amended('U00002', 1), old);
    expect(reasonsOf(r1, '2025-04')).toEqual([180, 0]);
    expect(reasonsOf(r1, '2025/26')).toEqual([180, 0]);
    expect(meta(r1).revisions_held?.documents).toEqual({
      referral_sources: { figures: 4, periods: ['2025-04', '2025/26'], fail_closed: false },
    });

    // r2: the new definition, nothing uploaded. The reasons are counted as before, so they are differenced against
    // r0's record as any revision is: still U00002's -1 and +1 alone, still held at 180 and 0 (before the fix: 179 and
    // 1, U00002's amendment given by r1 and r2 differenced). April and 2025/26 stay held in every document, so the
    // changed sources are held as no figure (none of the new definition published); referrals, counted as before, at
    // 180. Held figures that differ from this release's exact ones: the 2 reasons (179, 1), source_gp (180) and
    // source_self (0), each for April and 2025/26: 8. The break is stated for the two columns that changed.
    const r2 = await data.release('2025-05-12T00:00:00Z', [], { changes: DECLARED });
    expect(reasonsOf(r2, '2025-04')).toEqual([180, 0]);
    expect(reasonsOf(r2, '2025/26')).toEqual([180, 0]);
    expect(sourcesOf(r2, '2025-04')).toEqual([180, null, null]);
    expect(sourcesOf(r2, '2025/26')).toEqual([180, null, null]);
    expect(meta(r2).revisions_held?.periods).toEqual(['2025-04', '2025/26']);
    expect(meta(r2).revisions_held?.documents).toEqual({
      referral_sources: { figures: 8, periods: ['2025-04', '2025/26'], fail_closed: false },
    });
    const stated = {
      since_release: '2025-05-12T00:00:00.000Z',
      reason: DEFINITION_CHANGED,
      columns: ['source_gp', 'source_self'],
    };
    expect(breaks(r2)).toEqual({ referral_sources: stated });
    // The record keeps the reasons' value published at r0 (its contributions then), the new definition's sources as
    // held at the break, and the new version.
    const record = recordOf(r2).documents.referral_sources;
    expect(record?.definition).toBe(CURRENT);
    expect(record?.cells['month|2025-04#reason_mental_health']).toMatchObject({
      v: 0,
      since: '2025-05-10T00:00:00.000Z',
    });
    expect(record?.cells['month|2025-04#source_self']).toMatchObject({ v: null, b: true });

    // r3: U00003, U00004 and U00005 each amend 2 April referrals the same way. mental_health's changes since r0:
    // U00002 +1, the three +2 each: 4 PCNs, all but the two largest 2 + 1 = 3 >= 10% of 2, net 7 > 4: released, 7;
    // loneliness_isolation's the same negated: 180 - 7 = 173. Nothing else is held, so April is released, its sources
    // by the new definition as new figures (180 from GPs, 0 self), and the break still stated.
    const r3 = await data.release('2025-05-13T00:00:00Z', [
      ...amended('U00003', 2),
      ...amended('U00004', 2),
      ...amended('U00005', 2),
    ]);
    expect(reasonsOf(r3, '2025-04')).toEqual([173, 7]);
    expect(reasonsOf(r3, '2025/26')).toEqual([173, 7]);
    expect(sourcesOf(r3, '2025-04')).toEqual([180, 180, 0]);
    expect(meta(r3).revisions_held).toBeUndefined();
    expect(breaks(r3)).toEqual({ referral_sources: stated });
  }, 480_000);

  it('a new version that does not say what it changed is differenced as a revision (fail closed), its break stated', async () => {
    const data = await folder('undeclared');
    const r0 = await data.release('2025-05-10T00:00:00Z', APRIL, { old: true, version: 'old counting' });
    expect(sourcesOf(r0, '2025-04')).toEqual([180, 179, 1]);
    // No declaration from 'old counting': which columns changed is not known, so none starts again. The sources'
    // change is U00001's +1 and -1 alone: held at r0's 179 and 1 (April and 2025/26, 4 figures), as under an unchanged
    // version; the break is stated for the whole document (no columns named).
    const r1 = await data.release('2025-05-11T00:00:00Z', [], { changes: [] });
    expect(sourcesOf(r1, '2025-04')).toEqual([180, 179, 1]);
    expect(sourcesOf(r1, '2025/26')).toEqual([180, 179, 1]);
    expect(meta(r1).revisions_held?.documents).toEqual({
      referral_sources: { figures: 4, periods: ['2025-04', '2025/26'], fail_closed: false },
    });
    expect(breaks(r1)).toEqual({
      referral_sources: { since_release: '2025-05-11T00:00:00.000Z', reason: DEFINITION_CHANGED },
    });
  }, 240_000);
});
