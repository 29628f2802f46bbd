/**
 * The refresh's last steps alone, from a published release (issue 17): writing the documents and writing the packs,
 * as refresh.ts runs them, from the documents and meta.json a refresh published (e.g. `refresh-memory.ts local`'s
 * out folder), into a scratch folder; prints each step's wall and CPU seconds (user + system of the whole process,
 * so zlib's and the file system's threads count) and compares every object written with the release's, byte for byte.
 *
 *   npx tsx test/bench/publish-output.ts <published folder> [<another checkout>]
 *     with another checkout (e.g. /tmp/NAME-main, with a node_modules link), its refresh's writing runs first, then
 *     this tree's, on the same documents in this one process, and both are printed side by side. ROUNDS=<n> (default
 *     1) repeats each and keeps the best. A profile: `node --cpu-prof --import tsx/esm test/bench/publish-output.ts ...`.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MetaDocument, MetricDocument } from '../../functions/contract/metrics.ts';
import { metricKey } from '../../functions/lib/keys.ts';
import { FsObjectStore, type ObjectStore } from '../../functions/lib/object-store.ts';

type Publish = (
  store: ObjectStore,
  documents: readonly MetricDocument[],
  meta: MetaDocument,
  options: { dashboardUrl?: string },
  onStep: (step: string) => void,
) => Promise<void>;

/**
 * A tree's writing of the documents and packs as its refresh.ts runs them (its writeDocuments, or for a tree from
 * before it, refresh.ts's loop copied): each document serialised while the one before it is stored, then the packs
 * (the tree's writePacks).
 */
async function publisherOf(tree: string): Promise<Publish> {
  const module = (path: string) => import(pathToFileURL(join(tree, path)).href);
  const { writePacks } = (await module(
    'functions/reports/packs.ts',
  )) as typeof import('../../functions/reports/packs.ts');
  // A tree with document-json.ts writes its documents as its refresh.ts does (writeDocuments); an older tree's loop
  // is copied below.
  const documentJson = existsSync(join(tree, 'functions/refresh/document-json.ts'))
    ? ((await module(
        'functions/refresh/document-json.ts',
      )) as typeof import('../../functions/refresh/document-json.ts'))
    : undefined;
  return async (store, built, meta, options, onStep) => {
    if (documentJson) await documentJson.writeDocuments(store, built);
    else {
      let storing: Promise<void> | undefined;
      for (const document of built) {
        const json = JSON.stringify(document);
        await storing;
        storing = store.put(metricKey(document.name), json, { contentType: 'application/json' });
      }
      await storing;
    }
    onStep('write documents');
    await writePacks(store, built, meta, options);
    onStep('write packs');
  };
}

const [folder, other] = process.argv.slice(2);
if (!folder) throw new Error('usage: publish-output.ts <published folder> [<another checkout>]');
const published: string = folder;
const rounds = Number(process.env.ROUNDS ?? 1);

const meta = JSON.parse(readFileSync(join(published, 'meta.json'), 'utf8')) as MetaDocument;
// In the order the refresh writes them: the catalogue's, then spc and alerts.
const names = [...meta.metrics.map((m) => m.name), 'spc', 'alerts'];
const documents = names.map(
  (name) => JSON.parse(readFileSync(join(published, `${name}.json`), 'utf8')) as MetricDocument,
);

const files = (dir: string) =>
  (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.json') || f.endsWith('.pdf')).sort();

/** Every object written is the release's, byte for byte (meta.json is not written here). */
function compare(written: string): number {
  const expected = files(published).filter((f) => f !== 'meta.json');
  const got = new Set(files(written));
  let differences = 0;
  for (const f of expected)
    if (!got.has(f) || !readFileSync(join(published, f)).equals(readFileSync(join(written, f)))) differences += 1;
  differences += [...got].filter((f) => !expected.includes(f)).length;
  return differences;
}

/**
 * CPU seconds of the main thread alone (Linux: /proc/self/task/<pid>/stat, utime + stime in clock ticks of 10 ms):
 * what the event loop spends, against the process's CPU, which counts zlib's and the file system's threads too.
 */
function mainThreadCpu(): number {
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Step {
  wall: number;
  cpu: number;
  main: number;
}

interface Timing {
  documents: Step;
  packs: Step;
  total: Step;
  differences: number;
}

const step = (s: Step) => `${s.wall.toFixed(2)} / ${s.cpu.toFixed(2)} / ${s.main.toFixed(2)}`;
const describe = (t: Timing) =>
  `documents ${step(t.documents)}, packs ${step(t.packs)}, both ${step(t.total)} (wall / CPU / main thread CPU s)`;

/** One round of a tree's writing, into a scratch folder, compared with the release. */
async function run(label: string, publishOutput: Publish, round: number): Promise<Timing> {
  const scratch = mkdtempSync(join(tmpdir(), 'publish-output-'));
  try {
    const store = new FsObjectStore(scratch);
    const timings: Record<string, Step> = {};
    let last = { at: performance.now(), cpu: process.cpuUsage(), main: mainThreadCpu() };
    const start = last;
    const since = (from: typeof last): Step => {
      const cpu = process.cpuUsage(from.cpu);
      return {
        wall: (performance.now() - from.at) / 1000,
        cpu: (cpu.user + cpu.system) / 1e6,
        main: mainThreadCpu() - from.main,
      };
    };
    const lap = () => {
      const took = since(last);
      last = { at: performance.now(), cpu: process.cpuUsage(), main: mainThreadCpu() };
      return took;
    };
    await publishOutput(store, documents, meta, {}, (step: string) => {
      timings[step] = lap();
    });
    const total = since(start);
    const none = { wall: Number.NaN, cpu: Number.NaN, main: Number.NaN };
    const timing: Timing = {
      documents: timings['write documents'] ?? none,
      packs: timings['write packs'] ?? none,
      total,
      differences: compare(join(scratch, 'metrics')),
    };
    console.log(
      `${label} round ${round + 1}: ${describe(timing)}; ${timing.differences} objects differ; load ${loadavg()[0]?.toFixed(2)}`,
    );
    return timing;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// The trees' rounds alternate (other, this, other, ...): they share pdfkit (one node_modules), warmed by whichever
// runs first.
const trees: [string, Publish][] = [
  ...(other ? [['other', await publisherOf(other)] as [string, Publish]] : []),
  ['this', await publisherOf(join(import.meta.dirname, '../..'))],
];
const best = new Map<string, Timing>();
for (let round = 0; round < rounds; round += 1)
  for (const [label, publish] of trees) {
    const timing = await run(label, publish, round);
    const before = best.get(label);
    if (before === undefined || timing.total.wall < before.total.wall) best.set(label, timing);
  }
const results = [...best];
console.log(`\nbest of ${rounds} (wall s / process CPU s / main thread CPU s):`);
for (const [label, t] of results) console.log(`${label.padEnd(8)} ${describe(t)}; ${t.differences} differ`);
process.exitCode = results.some(([, t]) => t.differences > 0) ? 1 : 0;
