import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MEMORY_LIMIT,
  DEFAULT_QUERY_THREADS,
  duckDbQueryThreads,
  duckDbSettings,
} from '../../functions/refresh/duckdb-settings.ts';

describe('refresh/duckdb-settings: the embedded engine configured from the environment', () => {
  it('caps DuckDB at the default memory limit and leaves the rest to DuckDB when nothing is set', () => {
    expect(duckDbSettings({})).toEqual({ memory_limit: DEFAULT_MEMORY_LIMIT });
  });

  it('passes every setting given, by its DuckDB name', () => {
    expect(
      duckDbSettings({
        DUCKDB_MEMORY_LIMIT: '3GB',
        DUCKDB_TEMP_DIRECTORY: '/var/spill',
        DUCKDB_THREADS: '2',
        DUCKDB_ALLOCATOR_FLUSH_THRESHOLD: '512 MiB',
        DUCKDB_ALLOCATOR_BACKGROUND_THREADS: 'true',
      }),
    ).toEqual({
      memory_limit: '3GB',
      temp_directory: '/var/spill',
      threads: '2',
      allocator_flush_threshold: '512 MiB',
      allocator_background_threads: 'true',
    });
  });

  it('treats an empty variable as unset', () => {
    expect(duckDbSettings({ DUCKDB_MEMORY_LIMIT: '', DUCKDB_THREADS: '' })).toEqual({
      memory_limit: DEFAULT_MEMORY_LIMIT,
    });
  });

  it('refuses a value DuckDB would misread, naming the variable', () => {
    expect(() => duckDbSettings({ DUCKDB_MEMORY_LIMIT: '3' })).toThrow(
      'DUCKDB_MEMORY_LIMIT must be a size such as 4GB or 512MiB, not "3"',
    );
    expect(() => duckDbSettings({ DUCKDB_THREADS: '0' })).toThrow(
      'DUCKDB_THREADS must be a whole number from 1 to 999, not "0"',
    );
    expect(() => duckDbSettings({ DUCKDB_ALLOCATOR_FLUSH_THRESHOLD: 'lots' })).toThrow(
      'DUCKDB_ALLOCATOR_FLUSH_THRESHOLD must be a size such as 4GB or 512MiB, not "lots"',
    );
    expect(() => duckDbSettings({ DUCKDB_ALLOCATOR_BACKGROUND_THREADS: 'yes' })).toThrow(
      'DUCKDB_ALLOCATOR_BACKGROUND_THREADS must be true or false, not "yes"',
    );
  });

  it('runs the metric queries on one DuckDB thread unless DUCKDB_QUERY_THREADS says otherwise', () => {
    expect([DEFAULT_QUERY_THREADS, duckDbQueryThreads({}), duckDbQueryThreads({ DUCKDB_QUERY_THREADS: '' })]).toEqual([
      '1',
      '1',
      '1',
    ]);
    expect(duckDbQueryThreads({ DUCKDB_QUERY_THREADS: '2' })).toBe('2');
    expect(() => duckDbQueryThreads({ DUCKDB_QUERY_THREADS: 'all' })).toThrow(
      'DUCKDB_QUERY_THREADS must be a whole number from 1 to 999, not "all"',
    );
  });
});
