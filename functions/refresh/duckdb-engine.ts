import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { QUERY_TABLES, type TableSpec } from '../contract/index.ts';
import { loadSql, type QueryEngine, QueryError, type Row, type SqlValue } from '../lib/query-engine.ts';
import { duckDbView } from '../lib/table-ddl.ts';

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

// The local compaction merger lives in duckdb-merger.ts (issue 17: one instance for all partitions).
export { duckDbMerger } from './duckdb-merger.ts';
