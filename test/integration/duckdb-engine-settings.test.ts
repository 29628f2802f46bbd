import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { DEFAULT_MEMORY_LIMIT, duckDbSettings } from '../../functions/refresh/duckdb-settings.ts';
import { tempDirs } from '../support/files.ts';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

/** DuckDB's own view of its settings (the engine's connection is private: reached here to read them back). */
async function settingsOf(engine: DuckDbEngine): Promise<Record<string, string>> {
  const connection = await (engine as unknown as { connect(): Promise<DuckDBConnection> }).connect();
  const reader = await connection.runAndReadAll(
    "SELECT name, value FROM duckdb_settings() WHERE name IN ('memory_limit', 'threads', 'temp_directory', " +
      "'allocator_flush_threshold', 'allocator_background_threads')",
  );
  return Object.fromEntries(reader.getRows().map(([name, value]) => [String(name), String(value)]));
}

describe('refresh/duckdb-engine: DuckDB runs with the settings given, and spills in a folder of its own', () => {
  it('applies every setting, and removes its spill folder on close, leaving the temp directory', async () => {
    const [data, spill] = [dirs.make('engine-data'), dirs.make('engine-spill')];
    const engine = new DuckDbEngine(data, {
      memory_limit: '512MiB',
      temp_directory: spill,
      threads: '1',
      allocator_flush_threshold: '256MiB',
      allocator_background_threads: 'true',
    });
    const settings = await settingsOf(engine);
    expect({ ...settings, temp_directory: undefined }).toEqual({
      memory_limit: '512.0 MiB',
      threads: '1',
      allocator_flush_threshold: '256.0 MiB',
      allocator_background_threads: 'true',
      temp_directory: undefined,
    });
    const own = settings.temp_directory as string;
    expect(own).toMatch(new RegExp(`^${spill}/duckdb-[0-9]+-[0-9a-f-]{36}$`));
    // What DuckDB would leave there after spilling.
    mkdirSync(own);
    writeFileSync(join(own, 'duckdb_temp_storage-0.tmp'), 'spilled');
    await engine.close();
    expect([existsSync(own), readdirSync(spill)]).toEqual([false, []]);
  });

  it('caps memory at the default and spills under the data folder when nothing is set', async () => {
    const data = dirs.make('engine-default');
    const engine = new DuckDbEngine(data, duckDbSettings({}));
    const settings = await settingsOf(engine);
    // 2GB is 2,000,000,000 bytes: 1.86 GiB, which DuckDB shows to one decimal.
    expect([DEFAULT_MEMORY_LIMIT, settings.memory_limit]).toEqual(['2GB', '1.8 GiB']);
    expect(settings.temp_directory).toMatch(new RegExp(`^${data}/\\.tmp/duckdb-[0-9]+-[0-9a-f-]{36}$`));
    await engine.close();
  });

  it('reads the queries with the query threads and makes the prepare steps with the instance threads', async () => {
    const data = dirs.make('engine-threads');
    const engine = new DuckDbEngine(data, { memory_limit: '512MiB', threads: '3' }, '1');
    const threads = async () => (await settingsOf(engine)).threads;
    expect(await threads()).toBe('3');
    await engine.query('meta/geography');
    expect(await threads()).toBe('1');
    await engine.materialize('committed_uploads', 'prepare/committed_uploads');
    expect(await threads()).toBe('3');
    await engine.defineView('committed_events', 'prepare/committed_events');
    await engine.query('meta/geography');
    expect(await threads()).toBe('1');
    await engine.close();
  });
});
