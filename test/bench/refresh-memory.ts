/**
 * Where a national refresh's memory and CPU go, step by step (issue 17), on both engines' Node side.
 *
 *   npx tsx test/bench/refresh-memory.ts local <data folder> <out folder> [<record folder>]
 *     the refresh as `npm start` runs it (DuckDB in this process, compaction configured, the fixed clock of
 *     refresh-documents.ts) on a copy of the data folder (hard links); after each step prints its wall seconds, user and system CPU
 *     seconds, minor page faults, and the process's memory: RSS, the V8 heap in use, external memory, and the rest of
 *     the RSS (DuckDB's buffers and allocator, V8's unused heap, code); the peak RSS sampled every 100 ms with the heap
 *     then; copies the published objects (metrics/**) to <out folder> for `refresh-documents.ts compare`. With a
 *     record folder, every query's rows are written there as JSON too (for `lambda`; the writing costs memory: do
 *     not measure that run). DUCKDB_* variables set the engine (functions/refresh/duckdb-settings.ts).
 *   npx tsx test/bench/refresh-memory.ts lambda <data folder> <record folder> <out folder>
 *     the refresh as the Lambda runs it (handler.ts): the AthenaEngine, its results served from files written before
 *     the run as Athena serves them: each query's result object (the CSV Athena writes at its OutputLocation, which the
 *     engine reads streamed) and its GetQueryResults pages (1,000 rows a page, every value text, which an engine from
 *     before reading the object pages through); in a child process started with the V8 heap flags AWS's Node.js
 *     runtime gives a function of the refresh's memory size (infra/constructs/metrics-refresh.ts, or
 *     REFRESH_MEMORY_MB=<n>); no DuckDB in the process. Reads the data folder through a store that writes to a temp
 *     folder (the data folder is never written). Prints the same per-step figures and the process's peak RSS against
 *     the function's memory size. REFRESH_BASELINE=<another checkout> first runs that checkout's refresh and engine
 *     the same way (published to <out folder>-baseline), then prints both runs' wall, CPU and peak RSS side by side.
 *   npx tsx test/bench/refresh-memory.ts reading <record folder> [<copies>]
 *     the engine's reading of results alone, as `lambda` serves them (each result repeated <copies> times, for results
 *     as large as a bigger dataset's): every recorded query once, its rows held to the end; REFRESH_BASELINE as above.
 * REFRESH_TREE=<another checkout> runs that checkout's refresh instead (e.g. /work/main, for a before-and-after).
 */

import { execFileSync } from 'node:child_process';
import {
  cpSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AthenaClient } from '@aws-sdk/client-athena';
import { FsObjectStore, type ObjectStore } from '../../functions/lib/object-store.ts';
import { loadSql, type QueryEngine, type Row, type SqlValue } from '../../functions/lib/query-engine.ts';
import { athenaResultCsv } from '../aws/athena-result-csv.ts';

const FIXED_CLOCK = () => new Date('2026-12-01T09:00:00.000Z');
const MB = 2 ** 20;
const mb = (bytes: number) => `${Math.round(bytes / MB)}`.padStart(6);

/** Per-step figures from onStep, and a 100 ms sampler of the RSS. */
function meter() {
  let last = { usage: process.resourceUsage(), at: performance.now() };
  const start = last;
  let peak = { rss: 0, heapUsed: 0, external: 0, step: '' };
  let current = 'start';
  const sample = () => {
    const m = process.memoryUsage();
    if (m.rss > peak.rss) peak = { rss: m.rss, heapUsed: m.heapUsed, external: m.external, step: current };
  };
  const timer = setInterval(sample, 100);
  console.log(
    `${'step'.padEnd(44)} ${'wall s'.padStart(7)} ${'user s'.padStart(7)} ${'sys s'.padStart(7)} ${'faults'.padStart(9)} ${'RSS'.padStart(6)} ${'heap'.padStart(6)} ${'extern'.padStart(6)} ${'rest'.padStart(6)} (MB)`,
  );
  return {
    onStep(step: string) {
      sample();
      const usage = process.resourceUsage();
      const m = process.memoryUsage();
      console.log(
        `${step.slice(0, 44).padEnd(44)} ${((performance.now() - last.at) / 1000).toFixed(2).padStart(7)} ${((usage.userCPUTime - last.usage.userCPUTime) / 1e6).toFixed(2).padStart(7)} ${((usage.systemCPUTime - last.usage.systemCPUTime) / 1e6).toFixed(2).padStart(7)} ${String(usage.minorPageFault - last.usage.minorPageFault).padStart(9)} ${mb(m.rss)} ${mb(m.heapUsed)} ${mb(m.external)} ${mb(m.rss - m.heapTotal - m.external)}`,
      );
      last = { usage, at: performance.now() };
      current = `after ${step}`;
    },
    finish() {
      clearInterval(timer);
      sample();
      const usage = process.resourceUsage();
      console.log(
        `peak RSS sampled ${Math.round(peak.rss / MB)} MB (${peak.step}; heap in use then ${Math.round(peak.heapUsed / MB)} MB, external ${Math.round(peak.external / MB)} MB); ` +
          `maxRSS ${Math.round(usage.maxRSS / 1024)} MB; user ${(usage.userCPUTime / 1e6).toFixed(1)} s, system ${(usage.systemCPUTime / 1e6).toFixed(1)} s, ` +
          `${usage.minorPageFault} minor faults; load average ${os
            .loadavg()
            .map((l) => l.toFixed(2))
            .join(' ')}`,
      );
      // For the parent's side-by-side lines (lambda): the refresh alone, from this meter's start.
      const summary = process.env.REFRESH_MEMORY_SUMMARY;
      if (summary)
        writeFileSync(
          summary,
          JSON.stringify({
            peakRssMb: Math.round(peak.rss / MB),
            maxRssMb: Math.round(usage.maxRSS / 1024),
            wallS: (performance.now() - start.at) / 1000,
            cpuS: (usage.userCPUTime - start.usage.userCPUTime + usage.systemCPUTime - start.usage.systemCPUTime) / 1e6,
          }),
        );
    },
  };
}

/** An engine that writes each query's rows to <folder>/<n>.json, keyed by its SQL and parameters in index.json. */
function recording(engine: QueryEngine, folder: string): QueryEngine {
  mkdirSync(folder, { recursive: true });
  const index: { file: string; params: readonly SqlValue[]; rows: string }[] = [];
  return {
    materialize: (name, file, params) => engine.materialize(name, file, params),
    defineView: (name, file) => engine.defineView(name, file),
    close: () => engine.close(),
    async query(file, params = []) {
      const rows = await engine.query(file, params);
      const name = `${index.length}.json`;
      writeFileSync(join(folder, name), JSON.stringify(rows));
      index.push({ file, params, rows: name });
      writeFileSync(join(folder, 'index.json'), JSON.stringify(index));
      return rows;
    },
  };
}

type RefreshFn = typeof import('../../functions/refresh/refresh.ts').refreshMetrics;

/** One refresh on the fixed clock with each step metered (meter above); the engine is closed after it. */
async function meteredRefresh(
  refreshMetrics: RefreshFn,
  deps: Omit<Parameters<RefreshFn>[0], 'clock' | 'onStep'>,
): Promise<void> {
  const m = meter();
  try {
    await refreshMetrics({ ...deps, clock: FIXED_CLOCK, onStep: (step) => m.onStep(step) });
    m.onStep('meta.json');
  } finally {
    await deps.engine.close();
    m.finish();
  }
}

/** Copies what a refresh published (metrics/: documents and packs) from a scratch folder to `out`. */
function keepPublished(from: string, out: string): void {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync(join(from, 'metrics'), out, { recursive: true });
}

async function local(data: string, out: string, record: string | undefined): Promise<void> {
  const { DuckDbEngine, duckDbMerger } = (await tree(
    'functions/refresh/duckdb-engine.ts',
  )) as typeof import('../../functions/refresh/duckdb-engine.ts');
  const { refreshMetrics } = (await tree(
    'functions/refresh/refresh.ts',
  )) as typeof import('../../functions/refresh/refresh.ts');
  const copy = mkdtempSync(join(tmpdir(), 'refresh-memory-'));
  try {
    // Hard links, not copies: the refresh replaces objects (write then rename) and never writes into one, so the data
    // folder is never changed, and removing the links afterwards is quick (unlinking 120,000 copied receipts is not).
    for (const folder of INPUT)
      if (existsSync(join(data, folder))) execFileSync('cp', ['-al', join(data, folder), join(copy, folder)]);
    const duck = new DuckDbEngine(copy);
    const engine = record ? recording(duck, record) : duck;
    await meteredRefresh(refreshMetrics, {
      store: new FsObjectStore(copy),
      engine,
      compaction: { merger: duckDbMerger(copy) },
    });
    keepPublished(copy, out);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** The folders of a data folder that `local` copies: the refresh's input (a bench's earlier metrics/ is not). */
const INPUT = ['curated', 'receipts', 'reference', 'compactions', 'demo-input'];

/**
 * Reads the data folder's input (INPUT), writes (and reads back what it wrote) in a folder of its own: the refresh
 * sees what `local` sees in its copy.
 */
function overlay(data: string, scratch: string): ObjectStore {
  const [source, above] = [new FsObjectStore(data), new FsObjectStore(scratch)];
  const input = (key: string) => INPUT.some((folder) => key.startsWith(`${folder}/`));
  const below = {
    get: async (key: string) => (input(key) ? source.get(key) : undefined),
    getStream: async (key: string) => (input(key) ? source.getStream(key) : undefined),
    list: async (prefix: string) => (await source.list(prefix)).filter(input),
  };
  const written = new Set<string>();
  return {
    get: async (key) => (written.has(key) ? above.get(key) : below.get(key)),
    getStream: async (key) => (written.has(key) ? above.getStream(key) : below.getStream(key)),
    async put(key, body) {
      await above.put(key, body);
      written.add(key);
    },
    list: async (prefix) =>
      [...new Set([...(await below.list(prefix)), ...[...written].filter((k) => k.startsWith(prefix))])].sort(),
    // As list: what this run wrote (its own times), then the input it did not write over.
    listModified: async (prefix) => {
      const ours = (await above.listModified(prefix)).filter((object) => written.has(object.key));
      const theirs = (await source.listModified(prefix)).filter((o) => input(o.key) && !written.has(o.key));
      return [...ours, ...theirs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async delete() {
      throw new Error('the lambda replay deletes nothing: run it on a compacted data folder');
    },
  };
}

/** Athena's column type for a recorded value (the values come back as text and are typed by it). */
const athenaType = (values: readonly SqlValue[]) => {
  const value = values.find((v) => v !== null);
  return typeof value === 'number' ? 'double' : typeof value === 'boolean' ? 'boolean' : 'varchar';
};

type Recorded = { file: string; params: SqlValue[]; rows: string }[];
type ColumnInfo = { Name: string; Type: string };
/** GetQueryResults' largest page, the one it sends when MaxResults is not given. */
const PAGE_ROWS = 1_000;

/**
 * Serves the recorded results as Athena does, from files written here before the replay starts (so the replay holds
 * nothing of them): for query <n>, n.columns.json (the result metadata), n.csv (the result object as Athena writes it:
 * test/aws/athena-result-csv.ts) and n.page<k>.json (each GetQueryResults page, the JSON Athena sends: 1,000 rows a
 * page, the first starting with the names, every value text).
 */
function serveRecorded(record: string, served: string, copies = 1): void {
  mkdirSync(served, { recursive: true });
  const index = JSON.parse(readFileSync(join(record, 'index.json'), 'utf8')) as Recorded;
  for (const [n, query] of index.entries()) {
    const recorded = JSON.parse(readFileSync(join(record, query.rows), 'utf8')) as Row[];
    // `reading` serves each result `copies` times over, for a result as large as a bigger dataset's.
    const rows = copies === 1 ? recorded : Array.from({ length: copies }, () => recorded).flat();
    const names = Object.keys(rows[0] ?? {});
    const columns: ColumnInfo[] = names.map((name) => ({
      Name: name,
      Type: athenaType(rows.map((r) => r[name] ?? null)),
    }));
    writeFileSync(join(served, `${n}.columns.json`), JSON.stringify(columns));
    const text = rows.map((row) =>
      names.map((name) => (row[name] === null || row[name] === undefined ? null : String(row[name]))),
    );
    writeFileSync(join(served, `${n}.csv`), athenaResultCsv(names, text));
    const all = [names, ...text];
    for (let page = 0; page * PAGE_ROWS < all.length || page === 0; page++) {
      const next = (page + 1) * PAGE_ROWS < all.length ? String(page + 1) : undefined;
      const body = {
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: columns },
          Rows: all
            .slice(page * PAGE_ROWS, (page + 1) * PAGE_ROWS)
            .map((values) => ({ Data: values.map((v) => (v === null ? {} : { VarCharValue: v })) })),
        },
        ...(next ? { NextToken: next } : {}),
      };
      writeFileSync(join(served, `${n}.page${page}.json`), JSON.stringify(body));
    }
  }
}

/**
 * A stand-in AthenaClient over the served files: every statement succeeds; a recorded query's result is the object at
 * its OutputLocation (readResult, below) and GetQueryResults' pages. Each page is read and parsed when asked for, as
 * the SDK parses each response: nothing is held between requests. Both engines run on it: the one that pages
 * GetQueryResults (before this branch) and the one that reads the object.
 */
function replayClient(record: string, served: string, attempt: string) {
  const index = JSON.parse(readFileSync(join(record, 'index.json'), 'utf8')) as Recorded;
  const bySql = new Map(index.map((q, n) => [`${loadSql(q.file)}|${JSON.stringify(q.params)}`, n]));
  const started = new Map<string, number | undefined>();
  /** Requests for results: in AWS each is a round trip, and the engine makes them one after another. */
  const requests = { getQueryResults: 0, getObject: 0 };
  const literal = (text: string): SqlValue =>
    text === 'NULL' ? null : text.startsWith("'") ? text.slice(1, -1).replaceAll("''", "'") : Number(text);
  const recorded = (id: string) => {
    const n = started.get(id);
    if (n === undefined) throw new Error(`no recorded rows for query ${id}`);
    return n;
  };
  const client = {
    // Answers the commands AthenaEngine sends, by their class name (the SDK's command objects carry `input`).
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }): Promise<unknown> {
      const name = command.constructor.name;
      const input = command.input;
      if (name === 'StartQueryExecutionCommand') {
        const id = `q${started.size}`;
        const sql = (input.QueryString as string).replaceAll(`_${attempt}`, '');
        const params = ((input.ExecutionParameters as string[] | undefined) ?? []).map(literal);
        started.set(id, bySql.get(`${sql}|${JSON.stringify(params)}`));
        return { QueryExecutionId: id };
      }
      if (name === 'GetQueryExecutionCommand') {
        const id = input.QueryExecutionId as string;
        return {
          QueryExecution: {
            QueryExecutionId: id,
            Status: { State: 'SUCCEEDED' },
            ResultConfiguration: { OutputLocation: `s3://replay/results/${id}.csv` },
          },
        };
      }
      if (name === 'GetQueryResultsCommand') {
        requests.getQueryResults++;
        const n = recorded(input.QueryExecutionId as string);
        const page = JSON.parse(
          readFileSync(join(served, `${n}.page${input.NextToken ? Number(input.NextToken) : 0}.json`), 'utf8'),
        ) as { ResultSet: { Rows: unknown[] }; NextToken?: string };
        const max = input.MaxResults as number | undefined;
        // A smaller page: its first rows, and where the next would start (only the first page is asked for so).
        if (max !== undefined && max < page.ResultSet.Rows.length) {
          page.ResultSet.Rows = page.ResultSet.Rows.slice(0, max);
          page.NextToken = 'more';
        }
        return page;
      }
      return {};
    },
  };
  /** The result object's body, streamed from its file as GetObject's body streams (64 KiB chunks). */
  const readResult = async (location: string) => {
    const id = /\/(q\d+)\.csv$/.exec(location)?.[1];
    requests.getObject++;
    return createReadStream(join(served, `${recorded(id ?? '')}.csv`));
  };
  return { client, readResult, requests };
}

/** The source tree whose refresh runs: REFRESH_TREE (e.g. /work/main, for a before-and-after), or this one. */
const tree = (path: string) =>
  import(pathToFileURL(join(process.env.REFRESH_TREE ?? join(import.meta.dirname, '../..'), path)).href);

async function lambdaChild(data: string, record: string, served: string, out: string): Promise<void> {
  const { AthenaEngine } = (await tree(
    'functions/refresh/athena-engine.ts',
  )) as typeof import('../../functions/refresh/athena-engine.ts');
  const { refreshMetrics } = (await tree(
    'functions/refresh/refresh.ts',
  )) as typeof import('../../functions/refresh/refresh.ts');
  const scratch = mkdtempSync(join(tmpdir(), 'refresh-memory-lambda-'));
  try {
    const { engine, requests } = replayEngine(AthenaEngine, record, served);
    await meteredRefresh(refreshMetrics, { store: overlay(data, scratch), engine });
    console.log(
      `result requests, each a round trip in AWS: ${requests.getQueryResults} GetQueryResults, ${requests.getObject} GetObject`,
    );
    const summary = process.env.REFRESH_MEMORY_SUMMARY;
    if (summary) writeFileSync(summary, JSON.stringify({ ...JSON.parse(readFileSync(summary, 'utf8')), ...requests }));
    keepPublished(scratch, out);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * An AthenaEngine (of REFRESH_TREE or this tree) over the replay client: the client answers only what AthenaEngine
 * sends (above), so it stands in for the SDK's client type. An engine from before readResult existed ignores it and
 * pages GetQueryResults.
 */
function replayEngine(
  Engine: typeof import('../../functions/refresh/athena-engine.ts').AthenaEngine,
  record: string,
  served: string,
) {
  const attempt = 'zzreplay';
  const { client, readResult, requests } = replayClient(record, served, attempt);
  const engine = new Engine(client as unknown as AthenaClient, {
    workGroup: 'replay',
    database: 'replay',
    resultsLocation: 's3://replay/results/',
    readResult,
    attempt,
    pollMs: 0,
    sleep: async () => {},
  });
  return { engine, requests };
}

/**
 * The engine's reading alone (no refresh): every recorded query run once through the AthenaEngine of REFRESH_TREE (or
 * this tree) against the served results, every row held to the end as the refresh holds them; metered as a refresh is.
 */
async function readingChild(record: string, served: string): Promise<void> {
  const { AthenaEngine } = (await tree(
    'functions/refresh/athena-engine.ts',
  )) as typeof import('../../functions/refresh/athena-engine.ts');
  const { engine, requests } = replayEngine(AthenaEngine, record, served);
  const index = JSON.parse(readFileSync(join(record, 'index.json'), 'utf8')) as Recorded;
  const held: Row[][] = [];
  const m = meter();
  for (const query of index) {
    held.push(await engine.query(query.file, query.params));
    m.onStep(query.file);
  }
  m.finish();
  console.log(
    `${held.reduce((n, rows) => n + rows.length, 0)} rows held; result requests, each a round trip in AWS: ${requests.getQueryResults} GetQueryResults, ${requests.getObject} GetObject`,
  );
  const summary = process.env.REFRESH_MEMORY_SUMMARY;
  if (summary) writeFileSync(summary, JSON.stringify({ ...JSON.parse(readFileSync(summary, 'utf8')), ...requests }));
}

/** What a child's run measured (REFRESH_MEMORY_SUMMARY), for the side-by-side lines. */
interface Summary {
  readonly peakRssMb: number;
  readonly maxRssMb: number;
  readonly wallS: number;
  readonly cpuS: number;
  readonly getQueryResults: number;
  readonly getObject: number;
}

const [command, first, second, third, fourth] = process.argv.slice(2);
if (command === 'local' && first && second) await local(first, second, third);
else if (command === 'lambda-child' && first && second && third && fourth)
  await lambdaChild(first, second, third, fourth);
else if (command === 'reading-child' && first && second) await readingChild(first, second);
else if ((command === 'lambda' && first && second && third) || (command === 'reading' && first)) {
  const reading = command === 'reading';
  const { REFRESH_MEMORY_MB } = await import('../../infra/constructs/metrics-refresh.ts');
  const memoryMb = Number(process.env.REFRESH_MEMORY_MB ?? REFRESH_MEMORY_MB);
  // AWS's Node.js runtime: new space = memory / 10, semi-space = half of it, old space = the rest (ingest.bench.ts).
  const newSpace = Math.floor(memoryMb / 10);
  const flags = [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
  const served = mkdtempSync(join(tmpdir(), 'refresh-memory-served-'));
  try {
    if (reading) serveRecorded(first as string, served, Number(second ?? 1));
    else serveRecorded(second as string, served);
    const runs = [
      ...(process.env.REFRESH_BASELINE
        ? [{ label: 'baseline', tree: process.env.REFRESH_BASELINE, out: `${third}-baseline` }]
        : []),
      { label: 'this tree', tree: process.env.REFRESH_TREE, out: third ?? '' },
    ];
    const summaries: Summary[] = [];
    for (const run of runs) {
      const summary = join(served, `${summaries.length}.summary.json`);
      console.log(
        `\n== ${run.label} (${run.tree ?? 'this checkout'}): child node ${flags.join(' ')} (the refresh function has ${memoryMb} MB)`,
      );
      execFileSync(
        process.execPath,
        [
          ...flags,
          '--import',
          'tsx',
          fileURLToPath(import.meta.url),
          ...(reading
            ? ['reading-child', first as string, served]
            : ['lambda-child', first as string, second as string, served, run.out]),
        ],
        {
          stdio: 'inherit',
          env: { ...process.env, REFRESH_MEMORY_SUMMARY: summary, ...(run.tree ? { REFRESH_TREE: run.tree } : {}) },
        },
      );
      summaries.push(JSON.parse(readFileSync(summary, 'utf8')) as Summary);
    }
    console.log(
      `\n${'run'.padEnd(12)} ${'wall s'.padStart(8)} ${'CPU s'.padStart(8)} ${'peak RSS MB'.padStart(12)} ${'maxRSS MB'.padStart(10)} ${'result requests'.padStart(16)} (function memory ${memoryMb} MB)`,
    );
    for (const [i, s] of summaries.entries())
      console.log(
        `${(runs[i]?.label ?? '').padEnd(12)} ${s.wallS.toFixed(1).padStart(8)} ${s.cpuS.toFixed(1).padStart(8)} ${String(s.peakRssMb).padStart(12)} ${String(s.maxRssMb).padStart(10)} ${String(s.getQueryResults + s.getObject).padStart(16)}`,
      );
    const [before, after] = summaries;
    if (before && after)
      console.log(
        `this tree / baseline: wall ${(after.wallS / before.wallS).toFixed(2)}x, CPU ${(after.cpuS / before.cpuS).toFixed(2)}x, peak RSS ${(after.peakRssMb / before.peakRssMb).toFixed(2)}x; load average ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
      );
  } finally {
    rmSync(served, { recursive: true, force: true });
  }
} else {
  console.error(
    'usage: refresh-memory.ts local <data> <out> [<record>] | lambda <data> <record> <out> | reading <record> [<copies>]',
  );
  process.exitCode = 2;
}
