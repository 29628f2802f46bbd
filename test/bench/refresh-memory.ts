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
 *     the refresh as the Lambda runs it (handler.ts): the AthenaEngine, its results read from a stand-in Athena client
 *     that pages the recorded rows as GetQueryResults does (1,000 rows a page, every value text, typed by the column's
 *     type), in a child process started with the V8 heap flags AWS's Node.js runtime gives a function of the refresh's
 *     memory size (infra/constructs/metrics-refresh.ts); no DuckDB in the process. Reads the data folder through a
 *     store that writes to a temp folder (the data folder is never written). Prints the same per-step figures and
 *     the process's peak RSS against the function's memory size.
 * REFRESH_TREE=<another checkout> runs that checkout's refresh instead (e.g. /work/main, for a before-and-after).
 */

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AthenaClient } from '@aws-sdk/client-athena';
import { FsObjectStore, type ObjectStore } from '../../functions/lib/object-store.ts';
import { loadSql, type QueryEngine, type Row, type SqlValue } from '../../functions/lib/query-engine.ts';

const FIXED_CLOCK = () => new Date('2026-12-01T09:00:00.000Z');
const MB = 2 ** 20;
const mb = (bytes: number) => `${Math.round(bytes / MB)}`.padStart(6);

/** Per-step figures from onStep, and a 100 ms sampler of the RSS. */
function meter() {
  let last = { usage: process.resourceUsage(), at: performance.now() };
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

/** A stand-in AthenaClient: every statement succeeds; a recorded query's rows come back in pages of 1,000. */
function replayClient(record: string, attempt: string) {
  const index = JSON.parse(readFileSync(join(record, 'index.json'), 'utf8')) as {
    file: string;
    params: SqlValue[];
    rows: string;
  }[];
  const bySql = new Map(index.map((q) => [`${loadSql(q.file)}|${JSON.stringify(q.params)}`, q.rows]));
  const started = new Map<string, string | undefined>();
  const pages = new Map<string, { columns: { Name: string; Type: string }[]; rows: Row[] }>();
  const literal = (text: string): SqlValue =>
    text === 'NULL' ? null : text.startsWith("'") ? text.slice(1, -1).replaceAll("''", "'") : Number(text);
  return {
    // Answers the four commands AthenaEngine sends, by their class name (the SDK's command objects carry `input`).
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
      if (name === 'GetQueryExecutionCommand') return { QueryExecution: { Status: { State: 'SUCCEEDED' } } };
      if (name === 'GetQueryResultsCommand') {
        const id = input.QueryExecutionId as string;
        const file = started.get(id);
        if (file === undefined) throw new Error(`no recorded rows for query ${id}`);
        if (!pages.has(id)) {
          const rows = JSON.parse(readFileSync(join(record, file), 'utf8')) as Row[];
          const names = Object.keys(rows[0] ?? {});
          const columns = names.map((n) => ({ Name: n, Type: athenaType(rows.map((r) => r[n] ?? null)) }));
          pages.set(id, { columns, rows });
        }
        const { columns, rows } = pages.get(id) as { columns: { Name: string; Type: string }[]; rows: Row[] };
        const from = input.NextToken ? Number(input.NextToken) : 0;
        // The first row of the first page repeats the column names.
        const header = from === 0 ? [{ Data: columns.map((c) => ({ VarCharValue: c.Name })) }] : [];
        const size = from === 0 ? 999 : 1000;
        const data = rows.slice(from, from + size).map((row) => ({
          Data: columns.map((c) => {
            const v = row[c.Name];
            return v === null || v === undefined ? {} : { VarCharValue: String(v) };
          }),
        }));
        const next = from + size < rows.length ? String(from + size) : undefined;
        if (next === undefined) pages.delete(id);
        return {
          ResultSet: { ResultSetMetadata: { ColumnInfo: columns }, Rows: [...header, ...data] },
          ...(next ? { NextToken: next } : {}),
        };
      }
      return {};
    },
  };
}

/** The source tree whose refresh runs: REFRESH_TREE (e.g. /work/main, for a before-and-after), or this one. */
const tree = (path: string) =>
  import(pathToFileURL(join(process.env.REFRESH_TREE ?? join(import.meta.dirname, '../..'), path)).href);

async function lambdaChild(data: string, record: string, out: string): Promise<void> {
  const { AthenaEngine } = (await tree(
    'functions/refresh/athena-engine.ts',
  )) as typeof import('../../functions/refresh/athena-engine.ts');
  const { refreshMetrics } = (await tree(
    'functions/refresh/refresh.ts',
  )) as typeof import('../../functions/refresh/refresh.ts');
  const scratch = mkdtempSync(join(tmpdir(), 'refresh-memory-lambda-'));
  try {
    const attempt = 'zzreplay';
    // The replay client answers only what AthenaEngine sends (above): it stands in for the SDK's client type.
    const engine = new AthenaEngine(replayClient(record, attempt) as unknown as AthenaClient, {
      workGroup: 'replay',
      database: 'replay',
      resultsLocation: 's3://replay/results/',
      attempt,
      pollMs: 0,
      sleep: async () => {},
    });
    await meteredRefresh(refreshMetrics, { store: overlay(data, scratch), engine });
    keepPublished(scratch, out);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const [command, first, second, third] = process.argv.slice(2);
if (command === 'local' && first && second) await local(first, second, third);
else if (command === 'lambda-child' && first && second && third) await lambdaChild(first, second, third);
else if (command === 'lambda' && first && second && third) {
  const { REFRESH_MEMORY_MB } = await import('../../infra/constructs/metrics-refresh.ts');
  // AWS's Node.js runtime: new space = memory / 10, semi-space = half of it, old space = the rest (ingest.bench.ts).
  const newSpace = Math.floor(REFRESH_MEMORY_MB / 10);
  const flags = [
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${REFRESH_MEMORY_MB - newSpace}`,
  ];
  console.log(`child node ${flags.join(' ')} (the refresh function has ${REFRESH_MEMORY_MB} MB)`);
  execFileSync(
    process.execPath,
    [...flags, '--import', 'tsx', fileURLToPath(import.meta.url), 'lambda-child', first, second, third],
    { stdio: 'inherit' },
  );
} else {
  console.error('usage: refresh-memory.ts local <data> <out> [<record>] | lambda <data> <record> <out>');
  process.exitCode = 2;
}
