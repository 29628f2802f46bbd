/**
 * Times variants of one query side by side in one process, in turns (CPU seconds of the whole process, DuckDB's
 * threads included), after the refresh's prepare steps up to a given one, and checks that every variant gives the
 * same multiset of rows as the first (EXCEPT ALL both ways). For trying a rewrite of a prepare step or metric query
 * before changing its file (issue 17).
 *
 *   npx tsx test/bench/refresh-variants.ts <data folder> <variants file> [rounds]
 *     the variants file: a JSON object {"until": "<prepare step>", "settings": {"threads": "1"},
 *       "variants": {"name": "SQL", ...}}; the prepare steps up to and including `until` are made first (with
 *       published_through decided as the refresh does); a variant's SQL may be a file name under sql/ ("prepare/x");
 *       an optional "setup": ["SQL", ...] is run once after them, before any variant (e.g. a prepare table as a
 *       changed step would make it, for the variants that read it).
 */
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { QUERY_TABLES } from '../../functions/contract/index.ts';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { duckDbView } from '../../functions/lib/table-ddl.ts';
import { PUBLISHED_THROUGH } from '../../functions/refresh/data-as-of.ts';
import { defineTrinoFunctions } from '../../functions/refresh/duckdb-engine.ts';
import { PREPARE_STEPS } from '../../functions/refresh/refresh.ts';
import { decidePublishedThrough } from './published-through.ts';

const [data, file, roundsText] = process.argv.slice(2);
if (!data || !file) {
  console.error('usage: refresh-variants.ts <data folder> <variants file> [rounds]');
  process.exit(2);
}
const spec = JSON.parse(readFileSync(file, 'utf8')) as {
  until?: string;
  settings?: Record<string, string>;
  variants: Record<string, string>;
  setup?: string[];
  params?: (string | number)[];
};
const rounds = Number(roundsText ?? 3);
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
await connection.run('SET preserve_insertion_order = false');
await defineTrinoFunctions(connection);
for (const table of QUERY_TABLES) await connection.run(duckDbView(table, data, true));
if (spec.until) {
  for (const s of PREPARE_STEPS) {
    if (s.name === PUBLISHED_THROUGH) {
      const { statement, params } = await decidePublishedThrough(connection, new Date().toISOString().slice(0, 10));
      await connection.run(statement, params);
    } else {
      await connection.run(
        `CREATE OR REPLACE TEMP ${s.kind === 'view' ? 'VIEW' : 'TABLE'} ${s.name} AS ${loadSql(`prepare/${s.name}`)}`,
      );
    }
    if (s.name === spec.until) break;
  }
}
for (const statement of spec.setup ?? []) await connection.run(statement);
for (const [key, value] of Object.entries(spec.settings ?? {})) await connection.run(`SET ${key} = '${value}'`);
const texts = Object.entries(spec.variants).map(
  ([name, sql]) => [name, /^[a-z_]+\/[a-z_]+$/.test(sql) ? loadSql(sql) : sql] as const,
);
const params = (spec.params ?? []) as string[];
const cpu: Record<string, number[]> = {};
for (let round = 0; round < rounds; round++) {
  // Each round in another order, so that no variant always runs first.
  const order = round % 2 === 0 ? texts : [...texts].reverse();
  for (const [name, sql] of order) {
    const started = process.cpuUsage();
    await connection.run(`CREATE OR REPLACE TEMP TABLE variant_${name} AS ${sql}`, params);
    const used = process.cpuUsage(started);
    cpu[name] = [...(cpu[name] ?? []), (used.user + used.system) / 1e6];
  }
}
const count = async (sql: string) => Number((await connection.runAndReadAll(sql)).getRows()[0]?.[0]);
const [first] = texts;
for (const [name] of texts) {
  const rows = await count(`SELECT count(*) FROM variant_${name}`);
  let diff = '';
  if (name !== first?.[0])
    try {
      diff = `; ${await count(`SELECT count(*) FROM (SELECT * FROM variant_${name} EXCEPT ALL SELECT * FROM variant_${first?.[0]})`)} only here, ${await count(`SELECT count(*) FROM (SELECT * FROM variant_${first?.[0]} EXCEPT ALL SELECT * FROM variant_${name})`)} only in ${first?.[0]}`;
    } catch {
      diff = `; not comparable with ${first?.[0]} (other columns)`;
    }
  // A variant of one row (a count and a hash sum, say) is printed whole, to be compared with another by eye.
  if (rows === 1)
    diff += `; ${JSON.stringify((await connection.runAndReadAll(`SELECT * FROM variant_${name}`)).getRowObjectsJS()[0], (_, v) => (typeof v === 'bigint' ? String(v) : v))}`;
  const times = cpu[name] ?? [];
  console.log(
    `${name.padEnd(20)} ${times.map((t) => t.toFixed(2)).join(' ')} CPU s (best ${Math.min(...times).toFixed(2)}); ${rows} rows${diff}`,
  );
}
connection.closeSync();
instance.closeSync();
