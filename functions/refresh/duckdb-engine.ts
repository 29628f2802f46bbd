import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBValue,
  type DuckDBValueConverter,
  JSDuckDBValueConverter,
} from '@duckdb/node-api';
import { QUERY_TABLES, type TableSpec } from '../contract/index.ts';
import { loadSql, type QueryEngine, QueryError, type Row, type SqlValue } from '../lib/query-engine.ts';
import { duckDbView } from '../lib/table-ddl.ts';
import { releaseTempFolder, reportSwept, sweepTemp, TEMP_DIR, tempFolder } from '../lib/temp-files.ts';
import { type DuckDbSettings, duckDbQueryThreads, duckDbSettings } from './duckdb-settings.ts';

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

/** Each value straight to its plain form: DuckDB's JS conversion (nested values by it too), then plain. */
const toPlain: DuckDBValueConverter<SqlValue> = (value, type) =>
  plain(JSDuckDBValueConverter(value, type, JSDuckDBValueConverter));

/**
 * Trino functions the SQL uses (Athena engine v3 runs Trino's) that DuckDB does not have, as DuckDB macros, so that one
 * SQL text runs on both engines. Each gives what the SQL relies on, not Trino's exact values:
 * - to_utf8(varchar): Trino's varbinary of the text's UTF-8 bytes; here the text itself (hashed as it is);
 * - xxhash64(varbinary): Trino's 64-bit xxHash of the bytes; here DuckDB's own 64-bit hash(). The SQL only compares
 *   hashes for equality (equal texts, equal hashes) and never trusts a match without comparing the texts
 *   (sql/prepare/superseded.sql), so another hash function gives the same results.
 * Sources: https://trino.io/docs/current/functions/string.html ("to_utf8(string) -> varbinary") and
 * https://trino.io/docs/current/functions/binary.html ("xxhash64(binary) -> varbinary"), which Athena documents as its
 * engine v3 functions (https://docs.aws.amazon.com/athena/latest/ug/functions-env3.html: "Functions in Athena engine
 * version 3 are based on Trino", with Trino's String and Binary sections).
 */
export const TRINO_FUNCTIONS: readonly string[] = [
  'CREATE OR REPLACE MACRO to_utf8(text) AS text',
  'CREATE OR REPLACE MACRO xxhash64(bytes) AS hash(bytes)',
];

/** Defines TRINO_FUNCTIONS on a DuckDB connection (the engine's, and any other that runs the refresh's SQL). */
export async function defineTrinoFunctions(connection: DuckDBConnection): Promise<void> {
  for (const statement of TRINO_FUNCTIONS) await connection.run(statement);
}

/**
 * The embedded engine: DuckDB in this process over the same Parquet layout as S3, through views generated from
 * the table specification. Never bundled into a Lambda.
 */
export class DuckDbEngine implements QueryEngine {
  private connection: DuckDBConnection | undefined;
  private instance: DuckDBInstance | undefined;
  private spill: string | undefined;
  /** The instance's own threads (the prepare steps'), and the threads DuckDB runs with now. */
  private threads: { readonly prepare: string; current: string } | undefined;

  /**
   * @param settings DuckDB's settings. @default duckDbSettings(): from the environment, read on the first query
   * @param queryThreads DuckDB's threads for query() (duckDbQueryThreads). @default duckDbQueryThreads(): from the
   *   environment, read on the first query
   */
  constructor(
    private readonly root: string,
    private readonly settings?: DuckDbSettings,
    private readonly queryThreads?: string,
  ) {}

  /** Runs DuckDB with `threads` worker threads from the next statement on (a setting of the whole instance). */
  private async threadsFor(connection: DuckDBConnection, kind: 'prepare' | 'query'): Promise<void> {
    if (!this.threads) return;
    const wanted = kind === 'prepare' ? this.threads.prepare : (this.queryThreads ?? duckDbQueryThreads());
    if (wanted === this.threads.current) return;
    await connection.run(`SET threads = ${Number(wanted)}`);
    this.threads.current = wanted;
  }

  private async connect(): Promise<DuckDBConnection> {
    if (this.connection) return this.connection;
    const { temp_directory, ...settings } = this.settings ?? duckDbSettings();
    // A folder of this instance's own under the temp directory (DuckDB makes it when it first spills), removed on close.
    // First, what a refresh or compaction killed before has left there (review 21, R21-5; lib/temp-files.ts).
    const storeTemp = join(this.root, TEMP_DIR);
    const parent = temp_directory ?? storeTemp;
    reportSwept(storeTemp, await sweepTemp(storeTemp));
    if (parent !== storeTemp) reportSwept(parent, await sweepTemp(parent, { spillOnly: true }));
    this.spill = tempFolder(parent, 'duckdb');
    this.instance = await DuckDBInstance.create(':memory:', { ...settings, temp_directory: this.spill });
    this.connection = await this.instance.connect();
    // Tables made by materialize() are read by key, never by row order: keeping insertion order only costs time.
    await this.connection.run('SET preserve_insertion_order = false');
    await defineTrinoFunctions(this.connection);
    for (const table of QUERY_TABLES)
      await this.connection.run(duckDbView(table, this.root, hasParquet(this.root, table)));
    const threads = String(
      (await this.connection.runAndReadAll("SELECT current_setting('threads')")).getRows()[0]?.[0],
    );
    this.threads = { prepare: threads, current: threads };
    return this.connection;
  }

  async query(file: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    const connection = await this.connect();
    try {
      await this.threadsFor(connection, 'query');
      // Streamed a chunk (2,048 rows) at a time, each row built once as its plain object: neither DuckDB's copy of
      // the whole result nor a second JS copy of it is ever held (issue 17).
      const result = await connection.stream(loadSql(file), params as DuckDBValue[]);
      const names = result.deduplicatedColumnNames();
      const rows: Row[] = [];
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const columns = chunk.convertColumns(toPlain);
        for (let r = 0; r < chunk.rowCount; r++) {
          const row: Row = {};
          for (let c = 0; c < names.length; c++) row[names[c] as string] = columns[c]?.[r] ?? null;
          rows.push(row);
        }
      }
      return rows;
    } catch (error) {
      throw new QueryError(file, (error as Error).message, { cause: error });
    }
  }

  async materialize(name: string, file: string, params: readonly SqlValue[] = []): Promise<void> {
    const connection = await this.connect();
    try {
      await this.threadsFor(connection, 'prepare');
      await connection.run(`CREATE OR REPLACE TEMP TABLE ${name} AS ${loadSql(file)}`, params as DuckDBValue[]);
    } catch (error) {
      throw new QueryError(file, (error as Error).message, { cause: error });
    }
  }

  async defineView(name: string, file: string): Promise<void> {
    const connection = await this.connect();
    try {
      await this.threadsFor(connection, 'prepare');
      await connection.run(`CREATE OR REPLACE TEMP VIEW ${name} AS ${loadSql(file)}`);
    } catch (error) {
      throw new QueryError(file, (error as Error).message, { cause: error });
    }
  }

  /** Closes the instance: its tables and the memory DuckDB holds for them go before the documents are written. */
  async release(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    this.connection?.closeSync();
    this.instance?.closeSync();
    this.connection = undefined;
    this.instance = undefined;
    this.threads = undefined;
    if (this.spill) {
      rmSync(this.spill, { recursive: true, force: true });
      releaseTempFolder(this.spill);
    }
    this.spill = undefined;
  }
}

// The local compaction merger lives in duckdb-merger.ts (issue 17: one instance for all partitions).
export { duckDbMerger } from './duckdb-merger.ts';
