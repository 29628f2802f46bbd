import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { QueryEngine, Row, SqlValue } from '../../functions/lib/query-engine.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';

/**
 * DuckDB's answers over one data folder, shared by a test file's refreshes: each engine made by `engine()` answers a
 * query (the same SQL file and parameters, after the same tables and views were made with the same parameters, over
 * the same curated objects: every path and byte under `curated/`, read when the engine is first asked, so a test that
 * changes the data gets DuckDB's own answers; review 39, R39-1) with a copy of the rows a real DuckDbEngine over
 * `dataDir` gave the first time it was asked,
 * and runs DuckDB (making the tables and views so far first) only for a query not answered before. For the tests of what
 * is around the queries (the refresh handler's decisions, records, logs, metrics and alerts), which ran the same SQL
 * over the same data in every refresh: the SQL's own answers are tested by the files that test it. `real` counts the
 * DuckDB engines made, so a test can tell that it asked DuckDB itself.
 */
export function sharedQueryAnswers(dataDir: string): {
  engine: () => QueryEngine & { release(): Promise<void> };
  readonly real: number;
} {
  const answers = new Map<string, Row[]>();
  let made = 0;
  const engine = (): QueryEngine & { release(): Promise<void> } => {
    // Every table and view asked for so far, in order: a query's answer is kept under them and its own words.
    const definitions: { key: string; make: (on: QueryEngine) => Promise<void> }[] = [];
    let data: string | undefined;
    let duckDb: Promise<DuckDbEngine> | undefined;
    const real = () => {
      duckDb ??= (async () => {
        made += 1;
        const e = new DuckDbEngine(dataDir);
        for (const d of definitions.slice()) await d.make(e);
        return e;
      })();
      return duckDb;
    };
    const define = async (key: string, make: (on: QueryEngine) => Promise<void>) => {
      definitions.push({ key, make });
      // Made at once in a DuckDB already running (after those before it); otherwise when DuckDB is first needed.
      if (duckDb) await make(await duckDb);
    };
    return {
      materialize: (name, file, params) =>
        define(`materialize ${name} ${file} ${JSON.stringify(params ?? [])}`, (on) =>
          on.materialize(name, file, params),
        ),
      defineView: (name, file) => define(`view ${name} ${file}`, (on) => on.defineView(name, file)),
      query: async (file: string, params?: readonly SqlValue[]) => {
        data ??= curatedFingerprint(dataDir);
        const key = JSON.stringify([data, definitions.map((d) => d.key), file, params ?? []]);
        let rows = answers.get(key);
        if (rows === undefined) {
          rows = await (await real()).query(file, params);
          answers.set(key, structuredClone(rows));
        }
        return structuredClone(rows);
      },
      release: async () => {
        if (duckDb) await (await duckDb).release();
      },
      close: async () => {
        if (duckDb) await (await duckDb).close();
      },
    };
  };
  return {
    engine,
    get real() {
      return made;
    },
  };
}

/** Every object's path and bytes under the data folder's `curated/` (what the refresh's SQL reads), as one hash. */
function curatedFingerprint(dataDir: string): string {
  const hash = createHash('sha256');
  const root = join(dataDir, 'curated');
  const paths = (readdirSync(root, { recursive: true }) as string[])
    .filter((path) => statSync(join(root, path)).isFile())
    .sort();
  for (const path of paths)
    hash
      .update(path)
      .update('\0')
      .update(readFileSync(join(root, path)))
      .update('\0');
  return hash.digest('hex');
}
