/**
 * What the revisions below England (functions/refresh/area-revisions.ts) cost a second release, measured apart from the
 * rest of the refresh so that two versions of the code can take turns in one process (issue 17):
 *
 *   npx tsx test/bench/area-revisions.bench.ts capture <data folder> <capture file>
 *     WRITES INTO THE FOLDER (give it a copy, e.g. `cp -al` of a bench layout): refreshes it as a first release if it
 *     has none (clock 2026-12-01T09:00Z), then as a second release (clock 2026-12-01T10:00Z, the same data), keeping
 *     what the refresh gives the revisions below England (AreaRevisions.open's inputs and the record it reads, each
 *     `pin` call's documents and rows and the previous documents it reads, the geography) in <capture file> (v8
 *     serialised; RELEASES=<clock>,<clock> sets the two clocks, e.g. 2026-09-15T09:00:00Z,2026-10-05T09:00:00Z for a
 *     second release with a month new, as after a monthly upload, whose years' rows are then tested; a first compaction's merger is given MERGER_MEMORY_LIMIT, default 3GB); prints the refresh's own timings of the step ('revisions of figures below England', 'record the
 *     release for revisions below England');
 *   npx tsx test/bench/area-revisions.bench.ts run <capture file> [<label>=<source root> ...]
 *     replays the captured second release with each source tree in turn (default: this one, "this"; e.g.
 *     main=/tmp/x/main, a `git archive main functions sql`): open (read the record), every pin call in the refresh's
 *     order, the record serialised and gzipped; prints each part's CPU and wall seconds, best and mean over ROUNDS
 *     (default 2; the trees in reverse order every other round), and compares with the first tree what each gives the
 *     refresh: the rows given to control, each document's summary entry and the record (gunzipped), byte for byte;
 *     exits 1 on any difference.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { gunzipSync } from 'node:zlib';
import type { MetricDocument } from '../../functions/contract/metrics.ts';
import { META_KEY } from '../../functions/lib/keys.ts';
import { FsObjectStore, type ObjectStore } from '../../functions/lib/object-store.ts';
import type { QueryEngine, Row } from '../../functions/lib/query-engine.ts';
import { AREA_REVISIONS_STATE_KEY, AreaRevisions } from '../../functions/refresh/area-revisions.ts';
import type { MetricDefinition } from '../../functions/refresh/catalogue.ts';
import { DuckDbEngine, duckDbMerger } from '../../functions/refresh/duckdb-engine.ts';
import { MERGER_SETTINGS } from '../../functions/refresh/duckdb-merger.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';

const CLOCKS = process.env.RELEASES?.split(',') ?? ['2026-12-01T09:00:00.000Z', '2026-12-01T10:00:00.000Z'];

interface Capture {
  readonly open: {
    readonly generatedAt: string;
    readonly pcnCodes: readonly string[];
    readonly dataAsOf: string | null | undefined;
    readonly previousRelease: string | undefined;
  };
  readonly record: Uint8Array | undefined;
  readonly geography: readonly Row[];
  readonly calls: readonly {
    readonly members: readonly { readonly name: string; readonly rows: readonly Row[] }[];
    readonly previous: Readonly<Record<string, MetricDocument | undefined>>;
  }[];
}

async function capture(data: string, file: string): Promise<void> {
  const store = new FsObjectStore(data);
  let open: Capture['open'] | undefined;
  let record: Uint8Array | undefined;
  let geography: Row[] = [];
  const calls: Capture['calls'][number][] = [];
  const opening = AreaRevisions.open.bind(AreaRevisions);
  AreaRevisions.open = async (inputs) => {
    open = {
      generatedAt: inputs.generatedAt,
      pcnCodes: [...inputs.pcnCodes],
      dataAsOf: inputs.dataAsOf,
      previousRelease: inputs.previousRelease,
    };
    record = await inputs.store.get(AREA_REVISIONS_STATE_KEY);
    return opening(inputs);
  };
  const pin = AreaRevisions.prototype.pin;
  let capturing = false;
  AreaRevisions.prototype.pin = function (this: AreaRevisions, members, previousOf, parentOf) {
    if (capturing)
      calls.push(
        structuredClone({
          members: members.map((m) => ({ name: m.definition.name, rows: m.rows })),
          previous: Object.fromEntries(members.map((m) => [m.definition.name, previousOf(m.definition.name)])),
        }),
      );
    return pin.call(this, members, previousOf, parentOf);
  };
  for (const [i, clock] of CLOCKS.entries()) {
    if (i === 0 && existsSync(join(data, META_KEY))) {
      console.log(`${data} holds a release: refreshed once more, as its second`);
      continue;
    }
    capturing = i === 1;
    const duckdb = new DuckDbEngine(data);
    const engine: QueryEngine = {
      query: async (sql, params) => {
        const rows = await duckdb.query(sql, params);
        if (sql === 'meta/geography') geography = structuredClone(rows);
        return rows;
      },
      materialize: (name, sql, params) => duckdb.materialize(name, sql, params),
      defineView: (name, sql) => duckdb.defineView(name, sql),
      release: () => duckdb.release(),
      close: () => duckdb.close(),
    };
    const started = performance.now();
    const cpu = process.cpuUsage();
    try {
      const result = await refreshMetrics({
        store,
        engine,
        clock: () => new Date(clock),
        // A first compaction of a bench layout at more than the merger's 512 MB (MERGER_MEMORY_LIMIT; a bench of the
        // revisions, not of compaction: the 25% layout's first compaction ran out of memory at 512 MB on 2026-12-06).
        compaction: {
          merger: duckDbMerger(data, {
            settings: { ...MERGER_SETTINGS, memory_limit: process.env.MERGER_MEMORY_LIMIT ?? '3GB' },
          }),
        },
      });
      const used = process.cpuUsage(cpu);
      const t = result.timings_ms;
      console.log(
        `release ${i + 1} (clock ${clock}): ${((performance.now() - started) / 1000).toFixed(1)} s, ` +
          `${((used.user + used.system) / 1e6).toFixed(1)} CPU s (process; capturing ${capturing}); revisions of ` +
          `figures below England ${((t['revisions of figures below England'] ?? 0) / 1000).toFixed(2)} s, recording ` +
          `them ${((t['record the release for revisions below England'] ?? 0) / 1000).toFixed(2)} s; disclosure ` +
          `control and derived figures ${((t['disclosure control and derived figures'] ?? 0) / 1000).toFixed(2)} s`,
      );
    } finally {
      await duckdb.close();
    }
  }
  if (open === undefined) throw new Error('the refresh did not open the revisions below England');
  const captured: Capture = { open, record, geography, calls };
  writeFileSync(file, serialize(captured));
  console.log(`${file}: ${calls.length} pin calls, record ${((record?.length ?? 0) / 1e6).toFixed(2)} MB gzipped`);
}

interface Tree {
  readonly AreaRevisions: typeof AreaRevisions;
  readonly CATALOGUE: readonly MetricDefinition[];
  readonly jointCounts: (dataAsOf: string | null | undefined) => unknown;
  readonly parentFinder: (geography: readonly Row[]) => (row: Row) => readonly string[];
}

async function load(root: string): Promise<Tree> {
  const module = (path: string) => import(pathToFileURL(join(root, 'functions/refresh', path)).href);
  const [areas, catalogue, refresh] = await Promise.all([
    module('area-revisions.ts'),
    module('catalogue.ts'),
    module('refresh.ts'),
  ]);
  return { ...areas, ...catalogue, ...refresh } as Tree;
}

const sha = (text: string | Uint8Array) => createHash('sha256').update(text).digest('hex');
const json = (value: unknown) =>
  JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? `${v.toString()}n` : v)) ?? 'undefined';

async function run(file: string, trees: [string, string][]): Promise<void> {
  const bytes = readFileSync(file);
  const loaded = new Map<string, Tree>();
  for (const [label, root] of trees) loaded.set(label, await load(root));
  const rounds = Number(process.env.ROUNDS ?? 2);
  const order = Array.from({ length: rounds }, (_, r) => (r % 2 === 0 ? trees : [...trees].reverse())).flat();
  const times = new Map<string, Map<string, { cpu: number; wall: number }[]>>();
  const outputs = new Map<string, Map<string, string>>();
  let different = false;
  for (const [label] of order) {
    const tree = loaded.get(label) as Tree;
    // The captured inputs afresh for each turn (not timed): no tree sees rows another changed.
    const captured = deserialize(bytes) as Capture;
    const parentOf = tree.parentFinder(captured.geography);
    const definitionOf = new Map(tree.CATALOGUE.map((d) => [d.name, d]));
    let saved: Uint8Array | undefined;
    const store: ObjectStore = {
      get: async (key) => (key === AREA_REVISIONS_STATE_KEY ? captured.record : undefined),
      getStream: async () => undefined,
      list: async () => [],
      listModified: async () => [],
      delete: async () => {},
      put: async (_key, body) => {
        saved = typeof body === 'string' ? new TextEncoder().encode(body) : body;
      },
    };
    global.gc?.();
    const parts = new Map<string, { cpu: number; wall: number }>();
    const timed = async <T>(part: string, work: () => T | Promise<T>): Promise<T> => {
      const [wall, cpu] = [performance.now(), process.cpuUsage()];
      const result = await work();
      const used = process.cpuUsage(cpu);
      const at = parts.get(part) ?? { cpu: 0, wall: 0 };
      at.cpu += (used.user + used.system) / 1e6;
      at.wall += (performance.now() - wall) / 1000;
      parts.set(part, at);
      return result;
    };
    const revisions = await timed('open', () =>
      tree.AreaRevisions.open({
        store,
        ...captured.open,
        joint: tree.jointCounts(captured.open.dataAsOf) as never,
      }),
    );
    const given: string[] = [];
    for (const call of captured.calls) {
      const members = call.members.map((m) => ({
        definition: definitionOf.get(m.name) as MetricDefinition,
        rows: m.rows,
      }));
      const pinned = await timed('pin', () => revisions.pin(members, (name) => call.previous[name], parentOf));
      given.push(json(pinned));
    }
    await timed('record', () => revisions.save());
    const total = [...parts.values()].reduce((a, p) => ({ cpu: a.cpu + p.cpu, wall: a.wall + p.wall }), {
      cpu: 0,
      wall: 0,
    });
    parts.set('total', total);
    const mine = times.get(label) ?? new Map();
    for (const [part, t] of parts) mine.set(part, [...(mine.get(part) ?? []), t]);
    times.set(label, mine);
    console.log(
      `${label.padEnd(8)} ${[...parts].map(([p, t]) => `${p} ${t.cpu.toFixed(2)} CPU s (${t.wall.toFixed(2)} s)`).join(', ')}`,
    );
    // What the refresh is given: the rows for control, the summaries, the record.
    const names = captured.calls.flatMap((c) => c.members.map((m) => m.name));
    const output = new Map<string, string>([
      ['rows given to control', sha(given.join('\n'))],
      ['summaries', sha(json(names.map((n) => [n, revisions.summaryOf(n) ?? null])))],
      ['record', sha(saved === undefined ? '' : gunzipSync(saved))],
    ]);
    const first = outputs.get(trees[0]?.[0] ?? '');
    if (first)
      for (const [part, hash] of output)
        if (first.get(part) !== hash) {
          different = true;
          console.log(`  ${label}: ${part} differ from ${trees[0]?.[0]}'s`);
        }
    if (!outputs.has(label)) outputs.set(label, output);
  }
  console.log(`\nbest / mean CPU s over ${rounds} rounds (wall best):`);
  const base = times.get(trees[0]?.[0] ?? '');
  for (const [label, parts] of times) {
    const line = [...parts].map(([part, ts]) => {
      const best = Math.min(...ts.map((t) => t.cpu));
      const mean = ts.reduce((a, t) => a + t.cpu, 0) / ts.length;
      const wall = Math.min(...ts.map((t) => t.wall));
      const against = base?.get(part);
      const ratio =
        against && label !== trees[0]?.[0] ? ` ${(best / Math.min(...against.map((t) => t.cpu))).toFixed(2)}x` : '';
      return `${part} ${best.toFixed(2)}/${mean.toFixed(2)}${ratio} (${wall.toFixed(2)} s)`;
    });
    console.log(`  ${label.padEnd(8)} ${line.join(', ')}`);
  }
  console.log(different ? 'DIFFERENT outputs' : 'outputs identical across trees');
  if (different) process.exitCode = 1;
}

const [command, ...args] = process.argv.slice(2);
if (command === 'capture' && args.length === 2) await capture(resolve(args[0] as string), resolve(args[1] as string));
else if (command === 'run' && args.length >= 1) {
  const trees = args.slice(1).map((a) => {
    const at = a.indexOf('=');
    return [a.slice(0, at), resolve(a.slice(at + 1))] as [string, string];
  });
  await run(resolve(args[0] as string), trees.length > 0 ? trees : [['this', resolve('.')]]);
} else {
  console.error(
    'usage: area-revisions.bench.ts capture <data folder> <capture file> | run <capture file> [<label>=<root> ...]',
  );
  process.exit(2);
}
