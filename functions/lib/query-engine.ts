import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { optionalEnv } from './config.ts';

export type SqlValue = string | number | boolean | null;
export type Row = Record<string, SqlValue>;

/**
 * The query port: run a named SQL file from sql/ with `?` parameters bound by the engine. The same files run
 * on Athena (AthenaEngine) and DuckDB (DuckDbEngine); see ARCHITECTURE.md, "One SQL, two engines".
 */
export interface QueryEngine {
  /** Runs sql/<file>.sql and returns every row, numbers as numbers, dates and timestamps as ISO text. */
  query(file: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** Runs sql/<file>.sql once and keeps the result as table `name` for the rest of the refresh. */
  materialize(name: string, file: string, params?: readonly SqlValue[]): Promise<void>;
  /** Names sql/<file>.sql as view `name`: cheap to define, computed by each query that reads it. */
  defineView(name: string, file: string): Promise<void>;
  /**
   * Optional: the refresh has read every result it needs, so the engine may let go of what it holds for it before the
   * documents are written (DuckDB: its tables and memory). A query after it runs without them. close() still follows.
   */
  release?(): Promise<void>;
  /** Optional: bytes scanned so far per SQL file, where the engine bills by them (Athena). */
  scanned?(): Record<string, number>;
  close(): Promise<void>;
}

// In a bundled Lambda the SQL files are copied beside the bundle and SQL_ROOT names that folder; elsewhere the
// repository's sql/. Read on the first SQL file loaded, not at import.
let sqlRoot: URL | undefined;
const sqlRootUrl = (root = optionalEnv('SQL_ROOT')) =>
  root ? pathToFileURL(`${root.replace(/\/$/, '')}/`) : new URL('../../sql/', import.meta.url);

/** The text of sql/<file>.sql (file is e.g. "metrics/rollout"). */
export function loadSql(file: string): string {
  if (!/^[a-z_]+\/[a-z0-9_]+$/.test(file)) throw new Error(`not a SQL file name: ${file}`);
  sqlRoot ??= sqlRootUrl();
  return readFileSync(new URL(`${file}.sql`, sqlRoot), 'utf8');
}

export class QueryError extends Error {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
    this.name = 'QueryError';
  }
}
