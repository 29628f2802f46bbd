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
 *     refresh does, and prints the rounds it took.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { MetricDocument } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';

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
      const file = `prepare/${step.name}${step.name.startsWith('committed_') ? '_all' : ''}`;
      await timed(step.name, () =>
        step.kind === 'view' ? engine.defineView(step.name, file) : engine.materialize(step.name, file),
      );
    }
    const geography = await timed('geography', () => engine.query('meta/geography'));
    writeFileSync(join(out, 'geography.json'), JSON.stringify(geography));
    writeFileSync(join(out, 'as-of.json'), JSON.stringify(asOf));
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
  const { everyUploadCommitted } = await import('../../functions/refresh/refresh.ts');
  const store = new FsObjectStore(data);
  await Promise.all([publishReference(store), publishUploads(store)]);
  const started = performance.now();
  await compactCurated(store, duckDbMerger(data));
  console.log(`compacted in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  console.log(`every upload has its receipt: ${await everyUploadCommitted(store)}`);
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
  readonly jointGroups?: typeof import('../../functions/refresh/shared-counts.ts').jointGroups;
}

async function load(root: string): Promise<Implementation> {
  const module = (path: string) => import(pathToFileURL(join(root, 'functions/refresh', path)).href);
  const [refresh, catalogue, spc, alerts, shared] = await Promise.all([
    module('refresh.ts'),
    module('catalogue.ts'),
    module('spc-documents.ts'),
    module('alerts.ts'),
    module('shared-counts.ts'),
  ]);
  for (const name of ['buildDocument', 'parentFinder', 'mediansOf'])
    if (typeof refresh[name] !== 'function') throw new Error(`${root}: refresh.ts does not export ${name}`);
  return { ...refresh, ...catalogue, ...spc, ...alerts, jointGroups: shared.jointGroups } as Implementation;
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

async function run(dumpFolder: string, out: string, trees: readonly [string, string][]): Promise<number> {
  const read = (name: string) => JSON.parse(readFileSync(join(dumpFolder, `${name}.json`), 'utf8'));
  const geography = read('geography') as Row[];
  const { dataAsOf } = read('as-of') as { dataAsOf: string | null };
  const implementations = new Map<string, Implementation>();
  for (const [label, root] of trees) implementations.set(label, await load(root));
  // The step is synchronous (a timer would not fire during it): memory is read after each part of it.
  const peaks = new Map<string, number>();
  // Per tree, the disclosure step's CPU and wall seconds in each round (the best is reported).
  const timings = new Map<string, { cpu: number; wall: number }[]>();
  const rounds = Number(process.env.ROUNDS ?? 1);
  // Round by round, the trees in turn, in reverse order every other round (which goes first matters on a busy machine).
  const order = Array.from({ length: rounds }, (_, round) => (round % 2 === 0 ? trees : [...trees].reverse())).flat();
  for (const [label] of order) {
    const impl = implementations.get(label) as Implementation;
    const raw = new Map<string, Row[]>(impl.CATALOGUE.map((d) => [d.name, read(d.name) as Row[]]));
    const context = {
      targets: impl.DEFAULT_TARGETS,
      medianContacts: impl.mediansOf(raw.get('contacts_distribution') ?? []),
      generatedAt: FIXED_CLOCK().toISOString(),
      dataAsOf,
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
    // As the refresh builds them: documents sharing a count (JOINT_COUNTS) controlled together, once the last of
    // them is reached, and kept in the catalogue's order (without the cross-document sameAs steps, as before).
    const names = impl.CATALOGUE.map((d) => d.name);
    const groups =
      impl.controlJointly && impl.JOINT_COUNTS && impl.jointGroups
        ? impl.jointGroups(names, impl.JOINT_COUNTS)
        : new Map<string, readonly string[]>();
    const catalogued = step(STEP, () => {
      const built: MetricDocument[] = [];
      for (const definition of impl.CATALOGUE) {
        const group = groups.get(definition.name);
        if (group === undefined)
          built.push(
            step(`  ${definition.name}`, () => impl.buildDocument(definition, raw.get(definition.name) ?? [], context)),
          );
        else if (group.at(-1) === definition.name)
          built.push(
            ...step(`  jointly ${group.join(', ')}`, () =>
              (impl.controlJointly as NonNullable<Implementation['controlJointly']>)(
                group.map((name) => ({
                  definition: impl.CATALOGUE.find((d) => d.name === name) as (typeof impl.CATALOGUE)[number],
                  rows: raw.get(name) ?? [],
                })),
                context,
                undefined,
                impl.JOINT_COUNTS ?? [],
                (rounds, imposed) =>
                  console.log(
                    `${label.padEnd(6)}   joint control: ${rounds} rounds, ${imposed} shared cells suppressed`,
                  ),
              ),
            ),
          );
      }
      return built.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
    });
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
    const files = readdirSync(join(out, first as string)).filter((f) => f.endsWith('.json'));
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
