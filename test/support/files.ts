import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { onTestFinished } from 'vitest';

/** A temporary folder removed after the test file. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A temporary folder for the running test alone, removed when it finishes, passed or failed (call it inside a test). */
export function testTempDir(prefix: string): string {
  const dir = tempDir(prefix);
  onTestFinished(dir.remove);
  return dir.path;
}

/** Temporary folders made as a test file needs them and removed together (call removeAll in afterAll). */
export function tempDirs(): { make: (prefix: string) => string; removeAll: () => void } {
  const made: { remove: () => void }[] = [];
  return {
    make: (prefix) => {
      const dir = tempDir(prefix);
      made.push(dir);
      return dir.path;
    },
    removeAll: () => {
      for (const dir of made.splice(0)) dir.remove();
    },
  };
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

/** The columns every events file must have (the contract's required columns), for tests that build a small file. */
export const REQUIRED_EVENT_COLUMNS: readonly string[] = [
  'event_id',
  'event_type',
  'pcn_code',
  'referral_id',
  'person_id',
  'occurred_on',
];

/** The columns of a file of contacts: the required ones and the ones a contact needs. */
export const CONTACT_COLUMNS: readonly string[] = [
  ...REQUIRED_EVENT_COLUMNS,
  'contact_mode',
  'worker_role',
  'duration_minutes',
];

/** One valid contact, in CONTACT_COLUMNS order, with the given cells changed. */
export function contactRow(changes: Readonly<Record<string, string>> = {}): string[] {
  const cells: Record<string, string> = {
    event_id: 'E1',
    event_type: 'contact',
    pcn_code: 'U00001',
    referral_id: 'R1',
    person_id: PERSON,
    occurred_on: '2026-09-01',
    contact_mode: 'video',
    worker_role: 'splw',
    duration_minutes: '30',
    ...changes,
  };
  return CONTACT_COLUMNS.map((column) => cells[column] ?? '');
}

/** The Lambda context fields the handlers and Powertools read, for invoking a handler in a test. */
export function lambdaContext(functionName: string, remainingMs = 60_000): import('aws-lambda').Context {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-2:111122223333:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: `${functionName}-request`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/10/01/[$LATEST]test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => remainingMs,
  } as unknown as import('aws-lambda').Context;
}
