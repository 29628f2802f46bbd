import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AthenaEngine } from '../../functions/refresh/athena-engine.ts';

// Response shapes as Athena returns them (GetQueryResults: every value is VarCharValue text; the first row of the
// first page holds the column names; a NULL is a Datum without VarCharValue).
const metadata = {
  ColumnInfo: [
    {
      CatalogName: 'hive',
      Name: 'level',
      Type: 'varchar',
      Nullable: 'UNKNOWN' as const,
      CaseSensitive: true,
      Precision: 2147483647,
      Scale: 0,
    },
    {
      CatalogName: 'hive',
      Name: 'referrals',
      Type: 'bigint',
      Nullable: 'UNKNOWN' as const,
      CaseSensitive: false,
      Precision: 19,
      Scale: 0,
    },
    {
      CatalogName: 'hive',
      Name: 'list_size',
      Type: 'double',
      Nullable: 'UNKNOWN' as const,
      CaseSensitive: false,
      Precision: 17,
      Scale: 0,
    },
    {
      CatalogName: 'hive',
      Name: 'took_up',
      Type: 'boolean',
      Nullable: 'UNKNOWN' as const,
      CaseSensitive: false,
      Precision: 0,
      Scale: 0,
    },
  ],
};
const datum = (...values: (string | undefined)[]) => ({
  Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })),
});
const OUTPUT = 's3://sp-outcomes-athena/results/q-1.csv';
const running = { QueryExecution: { QueryExecutionId: 'q-1', Status: { State: 'RUNNING' as const } } };
const succeeded = {
  QueryExecution: {
    QueryExecutionId: 'q-1',
    Status: { State: 'SUCCEEDED' as const },
    ResultConfiguration: { OutputLocation: OUTPUT },
  },
};

const athena = mockClient(AthenaClient);
const sleeps: number[] = [];
const deleted: string[] = [];
/** Result objects by location; what readResult was asked for. */
const objects = new Map<string, string>();
const read: string[] = [];
/** A result object's bytes in chunks of `size` (a chunk may end inside a value, a doubled quote or a character). */
async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}
const readResult = async (location: string) => {
  read.push(location);
  const text = objects.get(location);
  return text === undefined ? undefined : chunks(text, 7);
};
const engine = (attempt = 'run1') =>
  new AthenaEngine(new AthenaClient({ region: 'eu-west-2' }), {
    attempt,
    workGroup: 'sp-outcomes',
    database: 'sp_outcomes',
    resultsLocation: 's3://sp-outcomes-athena/results/',
    deletePrefix: async (location) => {
      deleted.push(location);
    },
    readResult,
    pollMs: 100,
    maxPollMs: 400,
    timeoutMs: 60_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });

beforeEach(() => {
  athena.reset();
  sleeps.length = 0;
  deleted.length = 0;
  objects.clear();
  read.length = 0;
});

describe('AthenaEngine', () => {
  it("binds parameters, polls with backoff, reads the result object at the query's OutputLocation and types the values", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(running)
      .resolvesOnce(running)
      .resolvesOnce(running)
      .resolves(succeeded);
    // MaxResults 1: the metadata and the row of names, as Athena's first page starts.
    athena.on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', MaxResults: 1 }).resolves({
      ResultSet: { ResultSetMetadata: metadata, Rows: [datum('level', 'referrals', 'list_size', 'took_up')] },
    });
    objects.set(
      OUTPUT,
      '"level","referrals","list_size","took_up"\n"national","73","75000.0","true"\n"region","35","35000.5",\n"pcn",,"10000.0","false"\n"pcn","8","5000.0","true"\n',
    );

    const rows = await engine().query('metrics/rollout', ['871731000000106']);

    expect(rows).toEqual([
      { level: 'national', referrals: 73, list_size: 75000, took_up: true },
      { level: 'region', referrals: 35, list_size: 35000.5, took_up: null },
      { level: 'pcn', referrals: null, list_size: 10000, took_up: false },
      { level: 'pcn', referrals: 8, list_size: 5000, took_up: true },
    ]);
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(start).toMatchObject({
      WorkGroup: 'sp-outcomes',
      QueryExecutionContext: { Database: 'sp_outcomes' },
      ExecutionParameters: ["'871731000000106'"],
    });
    expect(start?.QueryString).toContain('CROSS JOIN rollups');
    expect(sleeps).toEqual([100, 200, 400]);
    // One request for the columns; the rows come from the object, not from pages.
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: 'q-1', MaxResults: 1 },
    ]);
    expect(read).toEqual([OUTPUT]);
  });

  it('fails with the query file when the result object is missing', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(succeeded);
    athena.on(GetQueryResultsCommand).resolves({ ResultSet: { ResultSetMetadata: metadata, Rows: [] } });
    await expect(engine().query('metrics/rollout', ['x'])).rejects.toThrow(
      `metrics/rollout: Athena query q-1: no result object at ${OUTPUT}`,
    );
  });

  it("fails loudly with Athena's reason", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-2' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        QueryExecutionId: 'q-2',
        Status: {
          State: 'FAILED',
          StateChangeReason: "COLUMN_NOT_FOUND: line 3:10: Column 'nope' cannot be resolved",
          AthenaError: {
            ErrorCategory: 2,
            ErrorType: 1006,
            Retryable: false,
            ErrorMessage: "COLUMN_NOT_FOUND: line 3:10: Column 'nope' cannot be resolved",
          },
        },
      },
    });
    await expect(engine().query('metrics/rollout', ['x'])).rejects.toThrow(
      "metrics/rollout: Athena query q-2 FAILED: COLUMN_NOT_FOUND: line 3:10: Column 'nope' cannot be resolved",
    );
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('polls a second apart at most by default, and sums the bytes Athena scanned per SQL file (R24-7, R24-8)', async () => {
    let next = 0;
    athena.on(StartQueryExecutionCommand).callsFake(async () => ({ QueryExecutionId: `q-${++next}` }));
    // Five polls find the CTAS running, then it has succeeded having scanned 1,500 bytes; the second CTAS of the same
    // file scans 2,500 and a view's definition none (Statistics without DataScannedInBytes).
    const done = (bytes?: number) => ({
      QueryExecution: {
        ...succeeded.QueryExecution,
        Statistics: bytes === undefined ? {} : { DataScannedInBytes: bytes },
      },
    });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(running)
      .resolvesOnce(running)
      .resolvesOnce(running)
      .resolvesOnce(running)
      .resolvesOnce(running)
      .resolvesOnce(done(1_500))
      .resolvesOnce(done(2_500))
      .resolves(done());
    const defaults = new AthenaEngine(new AthenaClient({ region: 'eu-west-2' }), {
      attempt: 'p1',
      workGroup: 'w',
      database: 'd',
      resultsLocation: 's3://b/r/',
      readResult,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    await defaults.materialize('candidates', 'prepare/candidates');
    // 200 ms doubling, capped at 1 s (it was 5 s): 200, 400, 800, 1000, 1000.
    expect(sleeps).toEqual([200, 400, 800, 1_000, 1_000]);
    await defaults.materialize('episodes', 'prepare/candidates');
    await defaults.defineView('committed_events', 'prepare/committed_events');
    expect(defaults.scanned()).toEqual({ 'prepare/candidates': 4_000, 'prepare/committed_events': 0 });
  });

  it('counts the bytes scanned by a FAILED or CANCELLED statement too, with its file (R25-7)', async () => {
    let next = 0;
    athena.on(StartQueryExecutionCommand).callsFake(async () => ({ QueryExecutionId: `q-${++next}` }));
    // GetQueryExecution gives Statistics whatever the end (ATHENA_SCAN_SOURCES): a metric query that succeeds having
    // scanned 700 bytes, a CTAS cancelled by the workgroup's per-query cutoff at 10,000,000, and another metric query
    // that fails having scanned 300.
    const ended = (id: string, State: 'SUCCEEDED' | 'FAILED' | 'CANCELLED', bytes: number) => ({
      QueryExecution: {
        QueryExecutionId: id,
        Status: { State, ...(State === 'SUCCEEDED' ? {} : { StateChangeReason: `${State.toLowerCase()} for a test` }) },
        ResultConfiguration: { OutputLocation: OUTPUT },
        Statistics: { DataScannedInBytes: bytes },
      },
    });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(ended('q-1', 'SUCCEEDED', 700))
      .resolvesOnce(ended('q-2', 'CANCELLED', 10_000_000))
      .resolvesOnce(ended('q-3', 'FAILED', 300));
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: { ResultSetMetadata: metadata, Rows: [datum('level', 'referrals', 'list_size', 'took_up')] },
    });
    objects.set(OUTPUT, '"level","referrals","list_size","took_up"\n');
    const counting = engine();
    expect(await counting.query('metrics/rollout')).toEqual([]);
    await expect(counting.materialize('episodes', 'prepare/episodes')).rejects.toThrow(
      'prepare/episodes: Athena query q-2 CANCELLED: cancelled for a test',
    );
    await expect(counting.query('metrics/rollout')).rejects.toThrow(
      'metrics/rollout: Athena query q-3 FAILED: failed for a test',
    );
    expect(counting.scanned()).toEqual({ 'metrics/rollout': 1_000, 'prepare/episodes': 10_000_000 });
  });

  it('cancels a query that outlives its timeout', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-3' });
    athena.on(GetQueryExecutionCommand).resolves(running);
    athena.on(StopQueryExecutionCommand).resolves({});
    const slow = new AthenaEngine(new AthenaClient({ region: 'eu-west-2' }), {
      workGroup: 'w',
      database: 'd',
      resultsLocation: 's3://b/r/',
      readResult,
      pollMs: 1,
      timeoutMs: 0,
      sleep: async () => {},
    });
    await expect(slow.query('metrics/rollout')).rejects.toThrow(
      'metrics/rollout: Athena query q-3 still RUNNING after 0 ms: cancelled',
    );
    expect(athena.commandCalls(StopQueryExecutionCommand)[0]?.args[0].input).toEqual({ QueryExecutionId: 'q-3' });
  });

  it("materialises a prepare step as a Parquet CTAS table named for the attempt, in the workgroup's enforced location", async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-4' });
    athena.on(GetQueryExecutionCommand).resolves(succeeded);
    await engine('a1').materialize('events_in_force', 'prepare/events_in_force');
    const statements = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.QueryString ?? '');
    // Athena refuses external_location when the workgroup enforces its result location (ctas-considerations-limitations).
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(
      /^CREATE TABLE events_in_force_a1 WITH \(format = 'PARQUET', write_compression = 'SNAPPY'\) AS -- Events in force/,
    );
    expect(statements[0]).not.toContain('external_location');
  });

  it('reads every earlier step from its own attempt, so two attempts (a retry, an overlap) share no table', async () => {
    let next = 0;
    athena.on(StartQueryExecutionCommand).callsFake(async () => ({ QueryExecutionId: `q-${++next}` }));
    athena.on(GetQueryExecutionCommand).resolves(succeeded);
    athena.on(GetQueryResultsCommand).resolves({ ResultSet: { ResultSetMetadata: metadata, Rows: [] } });
    // No rows: the names alone.
    objects.set(OUTPUT, '"level","referrals","list_size","took_up"\n');
    const first = engine('a1');
    const second = engine('b2');
    await first.defineView('committed_events', 'prepare/committed_events');
    await second.defineView('committed_events', 'prepare/committed_events');
    await first.materialize('event_months', 'prepare/event_months');
    await second.materialize('event_months', 'prepare/event_months');
    await first.query('meta/data_as_of');
    await first.close();
    await second.close();

    const statements = athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.QueryString ?? '');
    expect(statements.map((s) => s.split(' AS ')[0])).toEqual([
      'CREATE OR REPLACE VIEW committed_events_a1',
      'CREATE OR REPLACE VIEW committed_events_b2',
      "CREATE TABLE event_months_a1 WITH (format = 'PARQUET', write_compression = 'SNAPPY')",
      "CREATE TABLE event_months_b2 WITH (format = 'PARQUET', write_compression = 'SNAPPY')",
      expect.any(String),
      'DROP VIEW IF EXISTS committed_events_a1',
      'DROP TABLE IF EXISTS event_months_a1',
      'DROP VIEW IF EXISTS committed_events_b2',
      'DROP TABLE IF EXISTS event_months_b2',
    ]);
    // Each reads the view of its own attempt; none reads the other's or the bare name.
    expect(statements[2]).toMatch(/FROM committed_events_a1\b/);
    expect(statements[3]).toMatch(/FROM committed_events_b2\b/);
    expect(statements[2]).not.toMatch(/(FROM|JOIN)\s+committed_events\b(?!_)/);
    // q-3 and q-4 were the CTAS queries: each attempt deletes its own table's data.
    expect(deleted).toEqual([
      's3://sp-outcomes-athena/results/tables/q-3/',
      's3://sp-outcomes-athena/results/tables/q-4/',
    ]);
  });

  it('a failed cleanup does not hide the outcome: close() still resolves', async () => {
    let next = 0;
    athena.on(StartQueryExecutionCommand).callsFake(async () => ({ QueryExecutionId: `q-${++next}` }));
    athena.on(GetQueryExecutionCommand).resolves(succeeded);
    const failing = new AthenaEngine(new AthenaClient({ region: 'eu-west-2' }), {
      workGroup: 'w',
      database: 'd',
      resultsLocation: 's3://b/results/',
      readResult,
      deletePrefix: async () => {
        throw new Error('AccessDenied');
      },
      sleep: async () => {},
    });
    await failing.materialize('retracted', 'prepare/retracted');
    await expect(failing.close()).resolves.toBeUndefined();
  });
});
