import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** A temporary folder removed after the test file. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Runs one query on a fresh in-memory DuckDB and returns the rows as JSON-friendly objects. */
export async function duckQuery(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export const PERSON = 'a'.repeat(64);

/** Builds a CSV text from a header and rows of cells; cells are written as given. */
export function csvText(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
  eol = '\n',
): string {
  return [header.join(','), ...rows.map((r) => r.join(','))].join(eol) + eol;
}
