/**
 * Measures the refresh's step after the SQL (disclosure control and derived figures, then the SPC and alerts
 * documents) on the SQL output of a refresh kept on disk, so that the step can be measured again and again without
 * running the SQL (issue 17). Nothing is written to the data folder.
 *
 *   npx tsx test/bench/disclosure-step.ts ready <data folder>
 *     does a refresh's first steps in the folder (WRITES INTO IT: give it a copy of /work/datasets/as-ingested-*): publishes
 *     curated/pcns and curated/uploads, compacts the curated objects, and says whether every upload has its receipt;
 *   npx tsx test/bench/disclosure-step.ts dump <data folder> <dump folder>
 *     runs the refresh's SQL as refreshMetrics does (prepare steps, data as of on the fixed date of
 *     refresh-documents.ts, geography, every metric) over a compacted data folder whose uploads all have receipts, and
 *     writes each result as JSON to <dump folder>; PROFILE_MEMORY_LIMIT=6GB caps DuckDB's memory;
 *   npx tsx test/bench/disclosure-step.ts run <dump folder> <out folder> [<label>=<source root> ...]
 *     builds the documents from the dump with each source tree in turn (default: this one, labelled "this"; e.g.
 *     main=/tmp/x/main, a `git archive main functions sql` with parentFinder and mediansOf exported from
 *     functions/refresh/refresh.ts), in one process, the rows read afresh from the dump before each (not timed);
 *     prints each one's CPU and wall seconds per step, writes its documents to <out folder>/<label>/ (with a meta.json
 *     of the ICBs' regions, for disclosure-scan-documents.ts), and compares every document with the first tree's
 *     byte for byte; exits 1 on any difference. ROUNDS=3 runs the trees that many times, in reverse order every other
 *     round, and prints each tree's best CPU and wall seconds of the step beside the first tree's (old vs new in one run).
 *     A tree with joint control (refresh.ts controlJointly) controls the documents sharing a count together, as the
 *     refresh does, and prints the rounds it took. Where the dump has the PCN groups (pcn-groups-*.json, written by
 *     `dump`), the cross-document steps (publishSameAs, auditPcnGroups) run as in the refresh, in its order.
 *     PREVIOUS=<data folder> (one holding a published release: metrics/ and private/, e.g. the national layout's
 *     data after a bench:refresh) runs the revisions policy (revisions.ts) as the refresh's second release against it,
 *     inside the step as the refresh times it; the folder is only read (the record the release would save is kept in
 *     memory, its size printed and written to <out folder>/<label>/ for the comparison). Reading the record and the
 *     deciding are also printed on their own: "revisions: open" (read, gunzip, parse), "revisions: decide" (every
 *     revise call, the contacts distribution's included), "revisions: settle" (the refresh's own settleRevisions,
 *     exported from refresh.ts: after every document is built, a period found held late is held in the documents
 *     built before, so the documents are the refresh's), "revisions: record" (the state serialised and gzipped).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { META_KEY, REVISIONS_STATE_KEY, releasedKey } from '../../functions/lib/keys.ts';
import { FsObjectStore, type ObjectStore } from '../../functions/lib/object-store.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { releaseOf } from '../../functions/lib/release.ts';

const FIXED_CLOCK = () => new Date('2026-12-01T09:00:00.000Z');
/** The step measured: disclosure control and derived figures over every document. */
const STEP = 'disclosure control and derived figures';

async function dump(data: string, out: string): Promise<void> {
  const { DuckDbEngine } = await import('../../functions/refresh/duckdb-engine.ts');
  const { PREPARE_STEPS } = await import('../../functions/refresh/refresh.ts');
  const { CATALOGUE } = await import('../../functions/refresh/catalogue.ts');
  const { publishCompleteMonths, PUBLISHED_THROUGH } = await import('../../functions/refresh/data-as-of.ts');
  const engine = new DuckDbEngine(data);
  // The engine's connection is private: a bench reaches it only to cap DuckDB's memory on a shared machine.
  const connection = await (engine as unknown as { connect(): Promise<DuckDBConnection> }).connect();
  if (process.env.PROFILE_MEMORY_LIMIT)
    await connection.run(`SET memory_limit = '${process.env.PROFILE_MEMORY_LIMIT}'`);
  mkdirSync(out, { recursive: true });
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const [wall, cpu] = [performance.now(), process.cpuUsage()];
    const result = await work();
    const used = process.cpuUsage(cpu);
    console.log(
      `${name.padEnd(28)} ${((performance.now() - wall) / 1000).toFixed(2).padStart(7)} s ${((used.user + used.system) / 1e6).toFixed(2).padStart(7)} CPU s`,
    );
    return result;
  };
  try {
    let asOf = { dataAsOf: null as string | null, lastMonth: null as string | null };
    for (const step of PREPARE_STEPS) {
      if (step.name === PUBLISHED_THROUGH) {
        asOf = await timed('data as of', () => publishCompleteMonths(engine, FIXED_CLOCK()));
        continue;
      }
      const file = `prepare/${step.name}`;
      await timed(step.name, () =>
        step.kind === 'view' ? engine.defineView(step.name, file) : engine.materialize(step.name, file),
      );
    }
    const geography = await timed('geography', () => engine.query('meta/geography'));
    writeFileSync(join(out, 'geography.json'), JSON.stringify(geography));
    writeFileSync(join(out, 'as-of.json'), JSON.stringify(asOf));
    // The PCN groups the cross-document checks read (shared-counts.ts), one small query each, as the refresh runs them.
    const { PCN_GROUP_SOURCES } = await import('../../functions/refresh/shared-counts.ts');
    for (const [membership, source] of Object.entries(PCN_GROUP_SOURCES))
      writeFileSync(join(out, `pcn-groups-${membership}.json`), JSON.stringify(await engine.query(source.file)));
    for (const definition of CATALOGUE) {
      const params =
        typeof definition.params === 'function' ? definition.params({ dataAsOf: asOf.dataAsOf }) : definition.params;
      const rows = await timed(definition.name, () => engine.query(`metrics/${definition.file}`, params ?? []));
      writeFileSync(join(out, `${definition.name}.json`), JSON.stringify(rows));
      console.log(`  ${rows.length} rows`);
    }
  } finally {
    await engine.close();
  }
}

async function ready(data: string): Promise<void> {
  const { FsObjectStore } = await import('../../functions/lib/object-store.ts');
  const { publishReference, publishUploads } = await import('../../functions/refresh/publish-tables.ts');
  const { compactCurated } = await import('../../functions/refresh/compact.ts');
  const { duckDbMerger } = await import('../../functions/refresh/duckdb-engine.ts');
  const store = new FsObjectStore(data);
  await Promise.all([publishReference(store), publishUploads(store)]);
  const started = performance.now();
  await compactCurated(store, duckDbMerger(data));
  console.log(`compacted in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

/** What a source tree gives the bench (a baseline's refresh.ts needs parentFinder and mediansOf exported). */
interface Implementation {
  readonly buildDocument: typeof import('../../functions/refresh/refresh.ts').buildDocument;
  readonly parentFinder: (geography: readonly Row[]) => (row: Row) => readonly string[];
  readonly mediansOf: (distribution: readonly Row[]) => Map<string, number>;
  readonly CATALOGUE: typeof import('../../functions/refresh/catalogue.ts').CATALOGUE;
  readonly DEFAULT_TARGETS: typeof import('../../functions/refresh/catalogue.ts').DEFAULT_TARGETS;
  readonly spcDocument: typeof import('../../functions/refresh/spc-documents.ts').spcDocument;
  readonly alertsDocument: typeof import('../../functions/refresh/alerts.ts').alertsDocument;
  /** Joint control of documents sharing counts, where the tree has it (the refresh's: controlJointly). */
  readonly controlJointly?: typeof import('../../functions/refresh/refresh.ts').controlJointly;
  readonly JOINT_COUNTS?: typeof import('../../functions/refresh/catalogue.ts').JOINT_COUNTS;
  /** The counts the refresh controls jointly at its data-as-of date (cof_person's cohorts with them), where the tree has it. */
  readonly jointCounts?: typeof import('../../functions/refresh/catalogue.ts').jointCounts;
  readonly noteUnobservedCohorts?: typeof import('../../functions/refresh/catalogue.ts').noteUnobservedCohorts;
  readonly jointGroups?: typeof import('../../functions/refresh/shared-counts.ts').jointGroups;
  readonly PCN_GROUP_SOURCES?: typeof import('../../functions/refresh/shared-counts.ts').PCN_GROUP_SOURCES;
  readonly groupsFromRows?: typeof import('../../functions/refresh/shared-counts.ts').groupsFromRows;
  readonly EnglandRevisions?: typeof import('../../functions/refresh/revisions.ts').EnglandRevisions;
  /** The refresh's settle step of the revisions (a period found held late is held in the documents built before). */
  readonly settleRevisions?: typeof import('../../functions/refresh/refresh.ts').settleRevisions;
}

async function load(root: string): Promise<Implementation> {
  const module = (path: string) => import(pathToFileURL(join(root, 'functions/refresh', path)).href);
  const [refresh, catalogue, spc, alerts, shared, revisions] = await Promise.all([
    module('refresh.ts'),
    module('catalogue.ts'),
    module('spc-documents.ts'),
    module('alerts.ts'),
    module('shared-counts.ts'),
    existsSync(join(root, 'functions/refresh/revisions.ts')) ? module('revisions.ts') : Promise.resolve({}),
  ]);
  for (const name of ['buildDocument', 'parentFinder', 'mediansOf'])
    if (typeof refresh[name] !== 'function') throw new Error(`${root}: refresh.ts does not export ${name}`);
  return {
    ...refresh,
    ...catalogue,
    ...spc,
    ...alerts,
    jointGroups: shared.jointGroups,
    PCN_GROUP_SOURCES: shared.PCN_GROUP_SOURCES,
    groupsFromRows: shared.groupsFromRows,
    EnglandRevisions: revisions.EnglandRevisions,
  } as Implementation;
}

/** The region and ICB of an area by the latest geography (as refresh.ts's placeFinder). */
function placeFinder(geography: readonly Row[]) {
  const places = new Map<string, { region_code: string; icb_code: string }>();
  for (const g of geography) {
    const place = { region_code: String(g.region_code), icb_code: String(g.icb_code) };
    places.set(`pcn|${g.pcn_code}`, place);
    places.set(`icb|${g.icb_code}`, place);
  }
  return (level: string, code: string) =>
    level === 'region' ? { region_code: code } : (places.get(`${level}|${code}`) ?? {});
}

/** The counts a tree's refresh controls jointly at `dataAsOf` (its jointCounts), else its JOINT_COUNTS (older trees). */
function jointCountsOf(impl: Implementation, dataAsOf: string | null, cofPerson: readonly Row[]) {
  if (!impl.jointCounts) return impl.JOINT_COUNTS ?? [];
  const unobserved: Parameters<NonNullable<Implementation['jointCounts']>>[1] = new Map();
  impl.noteUnobservedCohorts?.(unobserved, cofPerson);
  return impl.jointCounts(dataAsOf, unobserved);
}

async function run(dumpFolder: string, out: string, trees: readonly [string, string][]): Promise<number> {
  const read = (name: string) => JSON.parse(readFileSync(join(dumpFolder, `${name}.json`), 'utf8'));
  const geography = read('geography') as Row[];
  const { dataAsOf, completeMonths } = read('as-of') as { dataAsOf: string | null; completeMonths?: string[] };
  const implementations = new Map<string, Implementation>();
  for (const [label, root] of trees) implementations.set(label, await load(root));
  // The step is synchronous (a timer would not fire during it): memory is read after each part of it.
  const peaks = new Map<string, number>();
  // Per tree, the disclosure step's CPU and wall seconds in each round (the best is reported).
  const timings = new Map<string, { cpu: number; wall: number }[]>();
  const rounds = Number(process.env.ROUNDS ?? 1);
  // Round by round, the trees in turn, in reverse order every other round (which goes first matters on a busy machine).
  const order = Array.from({ length: rounds }, (_, round) => (round % 2 === 0 ? trees : [...trees].reverse())).flat();
  // Optional parts, as the refresh has them: the PCN groups (cross-document checks) and a previous release (revisions).
  const memberships = readdirSync(dumpFolder)
    .filter((f) => f.startsWith('pcn-groups-') && f.endsWith('.json'))
    .map((f) => f.slice('pcn-groups-'.length, -'.json'.length));
  const previous = process.env.PREVIOUS ? resolve(process.env.PREVIOUS) : undefined;
  const previousRelease = previous
    ? (JSON.parse(readFileSync(join(previous, 'metrics/meta.json'), 'utf8')) as { generated_at: string }).generated_at
    : undefined;
  if (memberships.length === 0) console.log('no PCN groups in the dump: the cross-document steps are left out');
  if (previous) console.log(`revisions: a second release against ${previous} (release ${previousRelease})`);
  // Per tree and round, the revisions policy's parts (CPU and wall seconds; the best round is reported).
  const revisionTimes = new Map<string, Map<string, { cpu: number; wall: number }[]>>();
  for (const [label] of order) {
    const impl = implementations.get(label) as Implementation;
    const raw = new Map<string, Row[]>(impl.CATALOGUE.map((d) => [d.name, read(d.name) as Row[]]));
    const generatedAt = FIXED_CLOCK().toISOString();
    const pcnCodes = [...new Set(geography.map((g) => String(g.pcn_code)))];
    // Timed apart from the step (the parts of the revisions policy reported on their own).
    const parts = new Map<string, { cpu: number; wall: number }>();
    const addTime = (part: string, wall: number, cpu: NodeJS.CpuUsage) => {
      const used = process.cpuUsage(cpu);
      const at = parts.get(part) ?? { cpu: 0, wall: 0 };
      at.cpu += (used.user + used.system) / 1e6;
      at.wall += (performance.now() - wall) / 1000;
      parts.set(part, at);
    };
    const timedApart = <T>(part: string, work: () => T): T => {
      const [wall, cpu] = [performance.now(), process.cpuUsage()];
      const result = work();
      addTime(part, wall, cpu);
      return result;
    };
    // The revisions policy against the previous release, as refreshMetrics opens it (its store only read: the record
    // this release would save is kept here).
    let record: Uint8Array | undefined;
    const revisions =
      previous && impl.EnglandRevisions
        ? await (async () => {
            const store = new FsObjectStore(previous);
            const readOnly: ObjectStore = {
              get: (key) => store.get(key),
              getStream: (key) => store.getStream(key),
              list: (prefix) => store.list(prefix),
              listModified: (prefix) => store.listModified(prefix),
              delete: async () => {
                throw new Error(`${previous}: the bench never deletes from the previous release`);
              },
              put: async (_key, body) => {
                record = typeof body === 'string' ? new TextEncoder().encode(body) : body;
              },
            };
            const bytes = await store.get(REVISIONS_STATE_KEY);
            const [wall, cpu] = [performance.now(), process.cpuUsage()];
            // uploadCounts is what an older tree's open() read (before the fail-closed rule counted the unknown part
            // as one more contributor); this tree ignores it. A variable, not a literal, so both trees' types accept it.
            const inputs = {
              store: readOnly,
              generatedAt,
              pcnCodes: [...pcnCodes].sort(),
              uploadCounts: async () =>
                new Map(
                  (read('data_quality') as Row[])
                    .filter((r) => r.level === 'pcn')
                    .map((r) => [String(r.code), Number(r.uploads) || 0]),
                ),
            };
            const opened = await (impl.EnglandRevisions as NonNullable<Implementation['EnglandRevisions']>).open(
              inputs,
              previousRelease,
            );
            addTime('open', wall, cpu);
            console.log(
              `${label.padEnd(6)} revisions: the previous release's record ${((bytes?.length ?? 0) / 2 ** 20).toFixed(1)} MB gzipped`,
            );
            return opened;
          })()
        : undefined;
    // Of a previous document the revisions read only its England rows and generated_at (read before the step, as the
    // refresh reads each one before building it, outside its timing).
    const previousDocuments = new Map<string, MetricDocument | undefined>();
    // The documents of the release the previous folder's meta.json names (metrics/releases/<release>/, R24-2).
    const previousId =
      revisions && previous
        ? releaseOf(JSON.parse(readFileSync(join(previous, META_KEY), 'utf8')) as object)
        : undefined;
    if (revisions && previous)
      for (const name of raw.keys()) {
        const file = join(previous, releasedKey(previousId, `metrics/${name}.json`));
        if (!existsSync(file)) continue;
        const document = JSON.parse(readFileSync(file, 'utf8')) as MetricDocument;
        previousDocuments.set(name, { ...document, rows: document.rows.filter((r) => r.level === 'national') });
      }
    type Definition = (typeof impl.CATALOGUE)[number];
    const revise = revisions
      ? (definition: Definition, published: Row[], exact: readonly Row[]) =>
          timedApart('decide', () =>
            revisions.revise(definition, published, exact, previousDocuments.get(definition.name)),
          )
      : undefined;
    // The counts controlled jointly as the refresh controls them (refreshMetrics: jointCounts at the data-as-of date,
    // cof_person's cohorts beside its episodes, R26-1's unobserved ones noted from its rows), not JOINT_COUNTS, which
    // leaves the cohorts out: with it cof_person's engagement and outcome cohorts were controlled apart from rollout's
    // referrals, and the 25% dump's documents showed 510 rows (843 read without the parents) where rollout's `*` of a
    // PCN's month stood beside cof_person's engagement cohort of it published (a scan finding the refresh does not make).
    const joint = jointCountsOf(impl, dataAsOf, raw.get('cof_person') ?? []);
    const distributionRows = raw.get('contacts_distribution') ?? [];
    const distribution = impl.CATALOGUE.find((d) => d.name === 'contacts_distribution');
    const context = {
      targets: impl.DEFAULT_TARGETS,
      // England's median from its distribution as published (held where a revision is held), as the refresh.
      medianContacts: impl.mediansOf(
        revise && distribution
          ? revise(
              distribution,
              distributionRows.filter((r) => r.level === 'national').map((r) => ({ ...r })),
              distributionRows,
            )
          : distributionRows,
      ),
      generatedAt,
      dataAsOf,
      completeMonths,
      parentOf: impl.parentFinder(geography),
    };
    const step = <T>(name: string, work: () => T): T => {
      const [wall, cpu] = [performance.now(), process.cpuUsage()];
      const result = work();
      const used = process.cpuUsage(cpu);
      const line = `${label.padEnd(6)} ${name.padEnd(42)} ${((performance.now() - wall) / 1000).toFixed(2).padStart(7)} s ${((used.user + used.system) / 1e6).toFixed(2).padStart(7)} CPU s`;
      console.log(line);
      if (name === STEP)
        timings.set(label, [
          ...(timings.get(label) ?? []),
          { cpu: (used.user + used.system) / 1e6, wall: (performance.now() - wall) / 1000 },
        ]);
      peaks.set(label, Math.max(peaks.get(label) ?? 0, process.memoryUsage.rss()));
      return result;
    };
    // As the refresh builds them (refreshMetrics): documents sharing a count (JOINT_COUNTS) one after another where
    // the first of them comes in the catalogue, controlled together at the last; each document after those it shares
    // counts with (the cross-document steps, where the dump has the PCN groups); kept in the catalogue's order.
    const names = impl.CATALOGUE.map((d) => d.name);
    const groups =
      impl.controlJointly && impl.JOINT_COUNTS && impl.jointGroups
        ? impl.jointGroups(names, impl.JOINT_COUNTS)
        : new Map<string, readonly string[]>();
    const buildOrder: Definition[] = [];
    for (const definition of impl.CATALOGUE)
      if (!buildOrder.includes(definition))
        for (const name of groups.get(definition.name) ?? [definition.name])
          buildOrder.push(impl.CATALOGUE.find((d) => d.name === name) as Definition);
    const built: MetricDocument[] = [];
    const shared =
      memberships.length > 0 && impl.PCN_GROUP_SOURCES && impl.groupsFromRows
        ? {
            documentOf: (name: string) => built.find((d) => d.name === name),
            pcnGroups: Object.fromEntries(
              memberships.map((m) => [
                m,
                (impl.groupsFromRows as NonNullable<Implementation['groupsFromRows']>)(
                  read(`pcn-groups-${m}`) as Row[],
                  (impl.PCN_GROUP_SOURCES as NonNullable<Implementation['PCN_GROUP_SOURCES']>)[m]?.column ?? '',
                ),
              ]),
            ),
            pcnCodes,
          }
        : undefined;
    // A document's rows are let go once it is built, as the refresh lets them go (its heap, and so its collector's work,
    // is then the refresh's: the built documents and the rows of the document being built).
    const keep = (document: MetricDocument) => {
      raw.delete(document.name);
      built.push(document);
    };
    const catalogued = step(STEP, () => {
      for (const definition of buildOrder) {
        const group = groups.get(definition.name);
        if (group === undefined)
          keep(
            step(`  ${definition.name}`, () =>
              impl.buildDocument(definition, raw.get(definition.name) ?? [], context, shared, revise),
            ),
          );
        else if (group.at(-1) === definition.name)
          for (const document of step(`  jointly ${group.join(', ')}`, () =>
            (impl.controlJointly as NonNullable<Implementation['controlJointly']>)(
              group.map((name) => ({
                definition: impl.CATALOGUE.find((d) => d.name === name) as Definition,
                rows: raw.get(name) ?? [],
              })),
              context,
              shared,
              joint,
              (rounds, imposed) =>
                console.log(`${label.padEnd(6)}   joint control: ${rounds} rounds, ${imposed} shared cells suppressed`),
              revise,
            ),
          ))
            keep(document);
      }
      return built;
    });
    if (revisions) {
      // As refreshMetrics after every document is built: the refresh's own settle step (periods found held by a
      // document built late are held in those built before, and their derived figures made again), then each
      // document's held figures named in its summary. Timed as the refresh times it: with the revisions, not the step.
      if (impl.settleRevisions) {
        const settle = impl.settleRevisions;
        timedApart('settle', () => settle(revisions, catalogued, context));
      } else console.log(`${label.padEnd(6)} revisions: this tree's refresh.ts does not export settleRevisions`);
      for (const [i, document] of catalogued.entries()) {
        const held = revisions.heldOf(document.name);
        if (held) catalogued[i] = { ...document, summary: { ...document.summary, revisions_held: held } };
      }
    }
    catalogued.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
    if (revisions) {
      await timedApart('record', () => revisions.save());
      console.log(
        `${label.padEnd(6)} revisions: record of this release ${((record?.length ?? 0) / 2 ** 20).toFixed(1)} MB gzipped, ${revisions.heldInRelease()?.figures ?? 0} England figures held`,
      );
      const byPart = revisionTimes.get(label) ?? new Map<string, { cpu: number; wall: number }[]>();
      for (const [part, time] of parts) {
        console.log(
          `${label.padEnd(6)} revisions: ${part.padEnd(31)} ${time.wall.toFixed(2).padStart(7)} s ${time.cpu.toFixed(2).padStart(7)} CPU s`,
        );
        byPart.set(part, [...(byPart.get(part) ?? []), time]);
      }
      revisionTimes.set(label, byPart);
    }
    const spc = step('spc', () => impl.spcDocument(catalogued, context));
    const funnels = catalogued.find((d) => d.name === 'pcn_comparison') as MetricDocument;
    // No previous refresh: the alerts compare with nothing (the same for every tree).
    const alerts = step('alerts', () =>
      impl.alertsDocument(
        { funnels, spc },
        { funnels: undefined, spc: undefined },
        { ...context, placeOf: placeFinder(geography) },
      ),
    );
    raw.clear();
    const folder = join(out, label);
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    for (const document of [...catalogued, spc, alerts])
      writeFileSync(join(folder, `${document.name}.json`), JSON.stringify(document));
    if (record) writeFileSync(join(folder, 'england-release.json.gz'), record);
    const icbs = new Map(geography.map((g) => [String(g.icb_code), String(g.region_code)]));
    writeFileSync(
      join(folder, 'meta.json'),
      JSON.stringify({ icbs: [...icbs].map(([code, parent]) => ({ code, parent })) }),
    );
  }
  if (rounds > 1)
    for (const [label, times] of timings) {
      const best = (of: 'cpu' | 'wall') => Math.min(...times.map((t) => t[of]));
      const [first] = trees[0] as [string, string];
      const base = timings.get(first) ?? times;
      const baseBest = (of: 'cpu' | 'wall') => Math.min(...base.map((t) => t[of]));
      console.log(
        `${label}: best of ${times.length} ${best('cpu').toFixed(2)} CPU s (${(best('cpu') / baseBest('cpu')).toFixed(2)}x ${first}), ${best('wall').toFixed(2)} s wall (${(best('wall') / baseBest('wall')).toFixed(2)}x)`,
      );
    }
  for (const [label, byPart] of revisionTimes)
    for (const [part, times] of byPart)
      console.log(
        `${label}: revisions ${part}, best of ${times.length} ${Math.min(...times.map((t) => t.cpu)).toFixed(2)} CPU s, ${Math.min(...times.map((t) => t.wall)).toFixed(2)} s wall`,
      );
  for (const [label, peak] of peaks)
    console.log(`${label}: largest RSS after a part of the step ${Math.round(peak / 2 ** 20)} MB`);
  console.log(
    `peak RSS of this process: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const [first, ...others] = trees.map(([label]) => label);
  let differences = 0;
  for (const other of others) {
    const files = readdirSync(join(out, first as string)).filter((f) => f.endsWith('.json') || f.endsWith('.gz'));
    let compared = 0;
    for (const file of files) {
      const [a, b] = [join(out, first as string, file), join(out, other, file)];
      compared++;
      if (!existsSync(b) || !readFileSync(a).equals(readFileSync(b))) {
        differences++;
        console.log(`differs: ${file} (${first} vs ${other})`);
      }
    }
    console.log(`${first} vs ${other}: ${compared} documents compared byte for byte; ${differences} differ`);
  }
  return differences === 0 ? 0 : 1;
}

const [command, first, second, ...rest] = process.argv.slice(2);
if (command === 'ready' && first) await ready(first);
else if (command === 'dump' && first && second) await dump(first, second);
else if (command === 'run' && first && second) {
  const trees: [string, string][] =
    rest.length === 0
      ? [['this', resolve(import.meta.dirname, '../..')]]
      : rest.map((t) => [t.slice(0, t.indexOf('=')), resolve(t.slice(t.indexOf('=') + 1))]);
  process.exitCode = await run(first, second, trees);
} else {
  console.error(
    'usage: disclosure-step.ts ready <data folder> | dump <data folder> <dump folder> | run <dump folder> <out folder> [label=root ...]',
  );
  process.exitCode = 2;
}
