/**
 * Profiles the refresh's SQL on a data folder (already compacted, e.g. a bench:refresh dataset): each prepare step and
 * metric query in turn, with its wall time and the CPU seconds of the whole process (DuckDB's threads included, so a
 * figure far less dependent on other work sharing the machine). Nothing is written to the folder.
 *
 *   npx tsx test/bench/refresh-profile.ts <data folder> [step ...]
 *     with step names (e.g. episodes equity), prints DuckDB's EXPLAIN ANALYZE of those steps too;
 *     PROFILE_ONLY=equity,wellbeing runs only those metrics (after every prepare step);
 *     PROFILE_MEMORY_LIMIT=6GB caps DuckDB's memory (several people profiling national data on one machine);
 *     PROFILE_SETTINGS=threads=1,... sets DuckDB settings (name=value, comma-separated) before any step;
 *     PROFILE_QUERY_THREADS=1,2 runs each metric query at each of these DuckDB thread counts in turn and sums each's CPU
 *       (the refresh reads them at DUCKDB_QUERY_THREADS, default 1: functions/refresh/duckdb-settings.ts);
 *     PROFILE_OPERATORS=1 prints, for the steps named, each operator's time (over DuckDB's threads) and rows as a flat
 *       list (DuckDB's JSON profile), largest first within the plan's order, instead of the drawn EXPLAIN ANALYZE;
 *     PROFILE_UNTIL=withdrawn stops after that prepare step (no later step, no metric): a few steps measured nationally
 *       without the minutes the rest take;
 *     PROFILE_BUFFERS=1 prints after each step what DuckDB's buffer manager holds, by tag, in memory and spilled to
 *       its temp files (duckdb_memory(): IN_MEMORY_TABLE is the prepare tables, HASH_TABLE and ORDER_BY a query's own):
 *       nationally at the 2 GB limit the prepare tables hold 1,442 MB in memory and 330 MB spilled from wellbeing_pairs
 *       on, so every metric query works in what is left (issue 17, perfsql2);
 *     PROFILE_BASELINE=<folder> (another version's sql/ folder, e.g. `git archive <commit> sql | tar -x -C <dir>`)
 *       runs that version of every step whose SQL differs first, side by side in the same process, and compares the
 *       two results row for row (both EXCEPT ALL directions: 0 and 0 means the same multiset of rows).
 */
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { EVENTS_TABLE, QUERY_TABLES } from '../../functions/contract/index.ts';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { duckDbView } from '../../functions/lib/table-ddl.ts';
import { CATALOGUE, cohortCutoff } from '../../functions/refresh/catalogue.ts';
import { PUBLISHED_THROUGH } from '../../functions/refresh/data-as-of.ts';
import { defineTrinoFunctions } from '../../functions/refresh/duckdb-engine.ts';
import { PREPARE_STEPS } from '../../functions/refresh/refresh.ts';
import { decidePublishedThrough } from './published-through.ts';

const [data, ...explained] = process.argv.slice(2);
if (!data) {
  console.error('usage: refresh-profile.ts <data folder> [step ...]');
  process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
await connection.run('SET preserve_insertion_order = false');
// The Trino functions the SQL uses, as the refresh's DuckDB engine defines them.
await defineTrinoFunctions(connection);
if (process.env.PROFILE_MEMORY_LIMIT) await connection.run(`SET memory_limit = '${process.env.PROFILE_MEMORY_LIMIT}'`);
// PROFILE_SETTINGS=threads=1,preserve_insertion_order=true: DuckDB settings tried against the engine's.
for (const setting of process.env.PROFILE_SETTINGS?.split(',') ?? []) {
  const [key, value] = setting.split('=');
  await connection.run(`SET ${key} = '${value}'`);
}
for (const table of QUERY_TABLES) await connection.run(duckDbView(table, data, true));

let totalWall = 0;
let totalCpu = 0;
const rows: [string, number, number][] = [];
async function step(name: string, sql: string, params: readonly (string | number)[] = []): Promise<void> {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  await connection.run(sql, params as string[]);
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - wall) / 1000;
  const cpuSeconds = (used.user + used.system) / 1e6;
  // A baseline's step (PROFILE_BASELINE) is printed beside this version's, not added to the total.
  if (!name.endsWith('(baseline)')) {
    totalWall += seconds;
    totalCpu += cpuSeconds;
  }
  rows.push([name, seconds, cpuSeconds]);
  if (process.env.PROFILE_BUFFERS) {
    const reader = await connection.runAndReadAll(
      `SELECT tag, memory_usage_bytes, temporary_storage_bytes FROM duckdb_memory()
       WHERE memory_usage_bytes + temporary_storage_bytes > 0 ORDER BY tag`,
    );
    const mb = (bytes: unknown) => Math.round(Number(bytes) / 2 ** 20);
    const held = reader.getRows().map(([tag, memory, spilled]) => `${tag} ${mb(memory)}/${mb(spilled)}`);
    console.log(`${name}: MB in memory/spilled: ${held.join(', ')}`);
  }
  if (explained.includes(name) && process.env.PROFILE_OPERATORS) {
    // Each operator's own time (summed over DuckDB's threads) and rows, largest first: a flat list, not a drawn tree.
    const file = join(tmpdir(), `refresh-profile-${process.pid}.json`);
    await connection.run(`SET enable_profiling = 'json'`);
    await connection.run(`SET profiling_output = '${file}'`);
    await connection.run(
      sql.replace(/^\s*CREATE OR REPLACE TEMP (TABLE|VIEW) (\w+) AS/, 'CREATE OR REPLACE TEMP $1 $2_profiled AS'),
      params as string[],
    );
    await connection.run('PRAGMA disable_profiling');
    const operators: [number, number, string][] = [];
    const walk = (node: Record<string, unknown>, depth: number) => {
      const info = JSON.stringify(node.extra_info ?? {}).slice(0, 160);
      operators.push([
        Number(node.operator_timing ?? 0),
        Number(node.operator_cardinality ?? 0),
        `${'  '.repeat(depth)}${String(node.operator_type ?? node.operator_name ?? '')} ${info}`,
      ]);
      for (const child of (node.children ?? []) as Record<string, unknown>[]) walk(child, depth + 1);
    };
    walk(JSON.parse(readFileSync(file, 'utf8')), 0);
    const total = operators.reduce((sum, [t]) => sum + t, 0);
    console.log(`${name}: operators ${total.toFixed(2)} s`);
    for (const [t, rows, label] of operators)
      if (t >= total * 0.01) console.log(`${t.toFixed(3).padStart(8)} s ${String(rows).padStart(10)} rows ${label}`);
  } else if (explained.includes(name)) {
    const reader = await connection.runAndReadAll(`EXPLAIN ANALYZE ${sql}`, params as string[]);
    for (const row of reader.getRows()) console.log(String(row[1]));
  }
}

// The floor of bench:refresh: one pass over every event column the prepare steps read of the events.
const prepareSql = ['events_in_force', 'candidates', 'superseded', 'retracted', 'withdrawn']
  .map((f) => loadSql(`prepare/${f}`).replace(/--.*$/gm, ''))
  .join('\n');
const FLOOR_COLUMNS = EVENTS_TABLE.columns
  .map((c) => c.name)
  .filter((name) => new RegExp(`\\b${name}\\b`).test(prepareSql))
  .map((name) => `"${name}"`)
  .join(', ');
await step(
  'floor (not in total)',
  `SELECT count(*), sum(hash(${FLOOR_COLUMNS}, event_month)) FROM read_parquet('${data}/curated/events/*/*.parquet', hive_partitioning = true)`,
);
[totalWall, totalCpu] = [0, 0];
const baseline = process.env.PROFILE_BASELINE;
/** The baseline's text of a SQL file when it differs from this version's. */
function baselineSql(file: string): string | undefined {
  // A step the baseline does not have (a new prepare table) has nothing to compare with.
  if (!baseline || !existsSync(join(baseline, `${file}.sql`))) return undefined;
  const text = readFileSync(join(baseline, `${file}.sql`), 'utf8');
  return text === loadSql(file) ? undefined : text;
}
async function compare(name: string, left: string, right: string): Promise<void> {
  const count = async (sql: string) => Number((await connection.runAndReadAll(sql)).getRows()[0]?.[0]);
  const [only, missing] = [
    await count(`SELECT count(*) FROM ((${right}) EXCEPT ALL (${left}))`),
    await count(`SELECT count(*) FROM ((${left}) EXCEPT ALL (${right}))`),
  ];
  const rows = await count(`SELECT count(*) FROM (${right})`);
  console.log(`${name}: ${rows} rows; ${only} only in this version, ${missing} only in the baseline`);
}
let dataAsOf: string | null = null;
const until = process.env.PROFILE_UNTIL;
if (until && !PREPARE_STEPS.some((s) => s.name === until)) {
  console.error(`PROFILE_UNTIL=${until} is not a prepare step: ${PREPARE_STEPS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
for (const s of PREPARE_STEPS) {
  if (s.name === PUBLISHED_THROUGH) {
    // The last complete month on today's date, as the refresh decides it (data-as-of.ts).
    const { decided, statement, params } = await decidePublishedThrough(
      connection,
      new Date().toISOString().slice(0, 10),
    );
    dataAsOf = decided.dataAsOf;
    await step(s.name, statement, params);
    if (s.name === until) break;
    continue;
  }
  const file = `prepare/${s.name}`;
  const sql = loadSql(file);
  const old = s.kind === 'table' ? baselineSql(file) : undefined;
  if (old) await step(`${s.name} (baseline)`, `CREATE OR REPLACE TEMP TABLE ${s.name}_baseline AS ${old}`);
  await step(s.name, `CREATE OR REPLACE TEMP ${s.kind === 'view' ? 'VIEW' : 'TABLE'} ${s.name} AS ${sql}`);
  if (old) {
    // A step given a column the baseline's has not (withdrawn's event_type) is compared on the baseline's columns.
    const described = await connection.runAndReadAll(`DESCRIBE ${s.name}_baseline`);
    const columns = described
      .getRows()
      .map((row) => `"${String(row[0])}"`)
      .join(', ');
    await compare(s.name, `SELECT * FROM ${s.name}_baseline`, `SELECT ${columns} FROM ${s.name}`);
    await connection.run(`DROP TABLE ${s.name}_baseline`);
  }
  if (s.name === until) break;
}
console.log(`data as of ${dataAsOf} (cut-offs ${cohortCutoff(dataAsOf, 3)}, ${cohortCutoff(dataAsOf, 6)})`);
const only = process.env.PROFILE_ONLY?.split(',');
// PROFILE_QUERY_THREADS=1,2: every metric query run at each of these DuckDB thread counts in turn (the refresh's
// DuckDbEngine reads them with DUCKDB_QUERY_THREADS, default 1), each count's CPU seconds summed.
const queryThreads = process.env.PROFILE_QUERY_THREADS?.split(',') ?? [];
for (const d of CATALOGUE) {
  if (until || (only && !only.includes(d.name))) continue;
  const params = (typeof d.params === 'function' ? d.params({ dataAsOf }) : (d.params ?? [])) as (string | number)[];
  const old = baselineSql(`metrics/${d.file}`);
  if (old) {
    await step(`${d.name} (baseline)`, old, params);
    // The comparison binds the parameters into both texts (a ? is a parameter in every metric file).
    const bind = (sql: string) => {
      let i = 0;
      return sql.replace(/--.*$/gm, '').replace(/\?/g, () => `'${String(params[i++]).replaceAll("'", "''")}'`);
    };
    await compare(d.name, bind(old), bind(loadSql(`metrics/${d.file}`)));
  }
  if (queryThreads.length === 0) await step(d.name, loadSql(`metrics/${d.file}`), params);
  else {
    // Each metric query once per thread count, the order turned round from one query to the next; the first count's
    // runs are the total, the others are printed beside it (tagged) and summed below.
    const turn = CATALOGUE.indexOf(d) % 2 === 0 ? queryThreads : [...queryThreads].reverse();
    for (const threads of turn) {
      await connection.run(`SET threads = ${Number(threads)}`);
      const name = threads === queryThreads[0] ? d.name : `${d.name} (threads ${threads})`;
      await step(name, loadSql(`metrics/${d.file}`), params);
    }
  }
}
for (const threads of queryThreads) {
  const tagged = rows.filter(([name]) =>
    CATALOGUE.some((d) => name === (threads === queryThreads[0] ? d.name : `${d.name} (threads ${threads})`)),
  );
  const cpu = tagged.reduce((sum, [, , c]) => sum + c, 0);
  const wall = tagged.reduce((sum, [, w]) => sum + w, 0);
  console.log(`metric queries at ${threads} threads: ${wall.toFixed(2)} s, ${cpu.toFixed(2)} CPU s`);
}
for (const [name, seconds, cpu] of rows)
  console.log(`${name.padEnd(24)} ${seconds.toFixed(2).padStart(7)} s  ${cpu.toFixed(2).padStart(7)} CPU s`);
console.log(`${'total'.padEnd(24)} ${totalWall.toFixed(2).padStart(7)} s  ${totalCpu.toFixed(2).padStart(7)} CPU s`);
connection.closeSync();
instance.closeSync();
