import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { QUERY_TABLES, type TableSpec } from '../contract/index.ts';
import { loadSql, type QueryEngine, QueryError, type Row, type SqlValue } from '../lib/query-engine.ts';
import { DUCKDB_TYPES, duckDbView } from '../lib/table-ddl.ts';
import type { ParquetMerger } from './compact.ts';

function hasParquet(root: string, table: TableSpec): boolean {
  const dir = join(root, ...table.prefix.split('/'));
  try {
    const entries = readdirSync(dir, { recursive: true }) as string[];
    return entries.some((entry) => entry.endsWith('.parquet'));
  } catch {
    return false;
  }
}

/** DuckDB values as plain JSON: BIGINT counts become numbers, dates and timestamps ISO text. */
function plain(value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * The embedded engine: DuckDB in this process over the same Parquet layout as S3, through views generated from
 * the table specification. Never bundled into a Lambda.
 */
export class DuckDbEngine implements QueryEngine {
  private connection: DuckDBConnection | undefined;
  private instance: DuckDBInstance | undefined;

  constructor(private readonly root: string) {}

  private async connect(): Promise<DuckDBConnection> {
    if (this.connection) return this.connection;
    this.instance = await DuckDBInstance.create(':memory:');
    this.connection = await this.instance.connect();
    // Tables made by materialize() are read by key, never by row order: keeping insertion order only costs time.
    await this.connection.run('SET preserve_insertion_order = false');
    for (const table of QUERY_TABLES)
      await this.connection.run(duckDbView(table, this.root, hasParquet(this.root, table)));
    return this.connection;
  }

  async query(file: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    const connection = await this.connect();
    try {
      const reader = await connection.runAndReadAll(loadSql(file), params as DuckDBValue[]);
      return reader
        .getRowObjectsJS()
        .map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)])));
    } catch (error) {
      throw new QueryError(file, (error as Error).message, { cause: error });
    }
  }

  async materialize(name: string, file: string, params: readonly SqlValue[] = []): Promise<void> {
    const connection = await this.connect();
    try {
      await connection.run(`CREATE OR REPLACE TEMP TABLE ${name} AS ${loadSql(file)}`, params as DuckDBValue[]);
    } catch (error) {
      throw new QueryError(file, (error as Error).message, { cause: error });
    }
  }

  async defineView(name: string, file: string): Promise<void> {
    const connection = await this.connect();
    try {
      await connection.run(`CREATE OR REPLACE TEMP VIEW ${name} AS ${loadSql(file)}`);
    } catch (error) {
      throw new QueryError(file, (error as Error).message, { cause: error });
    }
  }

  async close(): Promise<void> {
    this.connection?.closeSync();
    this.instance?.closeSync();
    this.connection = undefined;
    this.instance = undefined;
  }
}

const ROW_GROUP = 100_000;
const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * The local merger for compaction (compact.ts): one DuckDB COPY of the objects' rows, every column cast to the
 * specification's type, into files of at most maxRows rows (whole row groups), then put through the store.
 */
export function duckDbMerger(root: string): ParquetMerger {
  return {
    async merge(table, keys, maxRows, write) {
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      const dir = join(root, '.tmp', `compact-${randomUUID()}`);
      try {
        const files = keys.map((key) => sqlString(join(root, ...key.split('/'))));
        const select = table.columns
          .map((c) => `CAST("${c.name}" AS ${DUCKDB_TYPES[c.type]}) AS "${c.name}"`)
          .join(', ');
        // One thread, so that each file holds whole row groups in order and no more than maxRows rows.
        await connection.run('SET threads = 1');
        await connection.run(
          `COPY (SELECT ${select} FROM read_parquet([${files.join(', ')}], union_by_name = true)) TO ${sqlString(dir)} ` +
            `(FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${ROW_GROUP}, ROW_GROUPS_PER_FILE ${Math.max(1, Math.floor(maxRows / ROW_GROUP))})`,
        );
        const outputs = (readdirSync(dir) as string[]).filter((f) => f.endsWith('.parquet')).sort();
        for (const file of outputs) {
          const path = join(dir, file);
          const counted = await connection.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(path)})`);
          await write(await readFile(path), Number(counted.getRows()[0]?.[0]));
        }
      } finally {
        connection.closeSync();
        instance.closeSync();
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
