import { optionalEnv } from '../lib/config.ts';

/** DuckDB's settings for the embedded engine (DuckDbEngine), by their DuckDB names, as DuckDBInstance.create takes them. */
export interface DuckDbSettings {
  /** The buffer manager's limit (temp tables, hash tables, sorts); beyond it DuckDB spills to temp_directory. */
  readonly memory_limit: string;
  /** Where DuckDB spills what does not fit in memory_limit (each instance in a folder of its own under it). */
  readonly temp_directory?: string;
  /** Worker threads. @default DuckDB's: one per core */
  readonly threads?: string;
  /** A thread that used more than this in a task gives its freed memory back to the system after it. */
  readonly allocator_flush_threshold?: string;
  /** jemalloc's background threads give freed memory back instead of the threads that freed it. */
  readonly allocator_background_threads?: string;
}

const SIZE = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

/** A variable holding a size as DuckDB reads one ("4GB", "512 MiB"), or undefined when unset. */
function size(name: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const value = optionalEnv(name, env);
  if (value !== undefined && !SIZE.test(value.trim()))
    throw new Error(`${name} must be a size such as 4GB or 512MiB, not ${JSON.stringify(value)}`);
  return value?.trim();
}

/**
 * DuckDB's settings from the environment (read when the engine first connects), each checked here so that a wrong
 * value fails with its name:
 * - DUCKDB_MEMORY_LIMIT (default DEFAULT_MEMORY_LIMIT) and DUCKDB_TEMP_DIRECTORY (default the data folder's .tmp, beside the
 *   object store's own temporary files: the same disk);
 * - DUCKDB_THREADS (a whole number, 1 or more; default DuckDB's, one per core);
 * - DUCKDB_ALLOCATOR_FLUSH_THRESHOLD (a size) and DUCKDB_ALLOCATOR_BACKGROUND_THREADS (true or false): DuckDB's own
 *   defaults unless set.
 */
export function duckDbSettings(env: Readonly<Record<string, string | undefined>> = process.env): DuckDbSettings {
  const threads = optionalEnv('DUCKDB_THREADS', env);
  if (threads !== undefined && !/^[1-9]\d{0,2}$/.test(threads))
    throw new Error(`DUCKDB_THREADS must be a whole number from 1 to 999, not ${JSON.stringify(threads)}`);
  const background = optionalEnv('DUCKDB_ALLOCATOR_BACKGROUND_THREADS', env);
  if (background !== undefined && background !== 'true' && background !== 'false')
    throw new Error(`DUCKDB_ALLOCATOR_BACKGROUND_THREADS must be true or false, not ${JSON.stringify(background)}`);
  const temp = optionalEnv('DUCKDB_TEMP_DIRECTORY', env);
  const flush = size('DUCKDB_ALLOCATOR_FLUSH_THRESHOLD', env);
  return {
    memory_limit: size('DUCKDB_MEMORY_LIMIT', env) ?? DEFAULT_MEMORY_LIMIT,
    ...(temp ? { temp_directory: temp } : {}),
    ...(threads !== undefined ? { threads } : {}),
    ...(flush !== undefined ? { allocator_flush_threshold: flush } : {}),
    ...(background !== undefined ? { allocator_background_threads: background } : {}),
  };
}

/**
 * DuckDB's memory limit unless DUCKDB_MEMORY_LIMIT says otherwise (DuckDB's own default is 80% of the machine's
 * memory: 18.8 GiB of a shared 24 GB machine). Measured on the national 36-month refresh (issue 17, 2026-12-04, load
 * 8 to 14 from other work; test/bench/refresh-memory.ts local): uncapped, a peak RSS of 5,486 MB, 180.6 s user and
 * 42.4 s system CPU, 8.05 million minor page faults; at 2GB, 3,280 MB, 213.3 s user and 30.3 s system, 6.21 million
 * faults, the published objects identical. The prepare tables then spill to the temp directory and are read back
 * by the metric queries: more user CPU, fewer page faults. The limit covers DuckDB's buffer manager only.
 * allocator_flush_threshold at 8GB (uncapped) did not cut the faults: 8.78 million.
 */
export const DEFAULT_MEMORY_LIMIT = '2GB';

/**
 * DuckDB's worker threads while the refresh reads its metric and meta queries (DuckDbEngine.query), from
 * DUCKDB_QUERY_THREADS (a whole number, 1 or more; default DEFAULT_QUERY_THREADS); the prepare steps
 * (materialize, defineView) run with the instance's threads (DUCKDB_THREADS, default one per core). The metric queries
 * run while this process's own thread controls the document before (readAhead, refresh.ts), so a second DuckDB thread
 * only competes with it for a core: on two cores one DuckDB thread does the same work for less CPU (DuckDB's parallel
 * groupings and joins partition and merge their work for each thread; issue 17, measured in docs/benchmarks.md).
 */
export function duckDbQueryThreads(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const threads = optionalEnv('DUCKDB_QUERY_THREADS', env);
  if (threads !== undefined && !/^[1-9]\d{0,2}$/.test(threads))
    throw new Error(`DUCKDB_QUERY_THREADS must be a whole number from 1 to 999, not ${JSON.stringify(threads)}`);
  return threads ?? DEFAULT_QUERY_THREADS;
}

/** DuckDB's threads for the metric queries unless DUCKDB_QUERY_THREADS says otherwise (duckDbQueryThreads). */
export const DEFAULT_QUERY_THREADS = '1';
