import { randomUUID } from 'node:crypto';
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type ResultSet,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { loadSql, type QueryEngine, QueryError, type Row, type SqlValue } from '../lib/query-engine.ts';

export interface AthenaEngineOptions {
  readonly workGroup: string;
  readonly database: string;
  /**
   * The workgroup's enforced query result location (s3://bucket/prefix/, ends with /). Athena writes each CTAS table
   * under <location>tables/<query-id>/ itself; a CTAS naming its own external_location in such a workgroup fails.
   * Source: https://docs.aws.amazon.com/athena/latest/ug/ctas-considerations-limitations.html ("Location of CTAS
   * query results": "do not specify an external_location ... Athena issues an error and fails a query").
   */
  readonly resultsLocation: string;
  /**
   * Deletes every object under an s3:// prefix: close() removes this attempt's CTAS data with it (DROP TABLE leaves
   * an external table's data behind). @default none: left to the results bucket's expiry rule
   */
  readonly deletePrefix?: (location: string) => Promise<void>;
  /**
   * Suffix of this attempt's table and view names (lower-case letters and digits): refreshes that overlap, and an
   * attempt retried while an earlier one still runs, never share a prepare table. @default 8 random hex digits
   */
  readonly attempt?: string;
  /** First wait between polls; doubles up to maxPollMs. @default 200 */
  readonly pollMs?: number;
  /** @default 5000 */
  readonly maxPollMs?: number;
  /** A query still running after this is cancelled. @default 600000 (10 minutes) */
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const NUMERIC = new Set(['tinyint', 'smallint', 'integer', 'bigint', 'double', 'float', 'real', 'decimal']);

/** Athena's text values typed by the result's column metadata. */
function typed(value: string | undefined, type: string | undefined): SqlValue {
  if (value === undefined) return null;
  if (type && NUMERIC.has(type)) return Number(value);
  if (type === 'boolean') return value === 'true';
  if (type === 'timestamp') return `${value.replace(' ', 'T')}Z`;
  return value;
}

/** A bound parameter as Athena's ExecutionParameters want it: the SQL literal's text. */
function literal(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * The production engine: the same SQL files on Athena engine v3. Starts a query, polls with backoff, cancels it
 * at the timeout, reads every page of results, and fails loudly with Athena's own reason.
 */
export class AthenaEngine implements QueryEngine {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly attempt: string;
  /** The tables this attempt made, with the CTAS query id that names their data's location. */
  private readonly tables = new Map<string, string>();
  private readonly views = new Set<string>();

  constructor(
    private readonly client: AthenaClient,
    private readonly options: AthenaEngineOptions,
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.attempt = options.attempt ?? randomUUID().replaceAll('-', '').slice(0, 8);
    if (!/^[a-z0-9]{1,16}$/.test(this.attempt)) throw new Error(`not an attempt suffix: ${this.attempt}`);
  }

  /** This attempt's name for a prepare step: episodes -> episodes_<attempt>. */
  nameOf(step: string): string {
    return `${step}_${this.attempt}`;
  }

  /** A SQL file with every prepare step made so far read from this attempt's table or view (after FROM or JOIN). */
  private sql(file: string): string {
    const steps = [...this.tables.keys(), ...this.views];
    if (steps.length === 0) return loadSql(file);
    const pattern = new RegExp(`\\b(FROM|JOIN)(\\s+)(${steps.join('|')})\\b`, 'gi');
    return loadSql(file).replace(
      pattern,
      (_, keyword, space, step: string) => `${keyword}${space}${this.nameOf(step)}`,
    );
  }

  private async execute(file: string, sql: string, params: readonly SqlValue[]): Promise<string> {
    const started = await this.client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: this.options.workGroup,
        QueryExecutionContext: { Database: this.options.database },
        ...(params.length > 0 ? { ExecutionParameters: params.map(literal) } : {}),
      }),
    );
    const id = started.QueryExecutionId;
    if (!id) throw new QueryError(file, 'Athena returned no query execution id');
    const deadline = Date.now() + (this.options.timeoutMs ?? 600_000);
    let wait = this.options.pollMs ?? 200;
    for (;;) {
      const { QueryExecution } = await this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const state = QueryExecution?.Status?.State;
      if (state === 'SUCCEEDED') return id;
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason =
          QueryExecution?.Status?.AthenaError?.ErrorMessage ??
          QueryExecution?.Status?.StateChangeReason ??
          'no reason given';
        throw new QueryError(file, `Athena query ${id} ${state}: ${reason}`);
      }
      if (Date.now() >= deadline) {
        await this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
        throw new QueryError(
          file,
          `Athena query ${id} still ${state ?? 'unknown'} after ${this.options.timeoutMs ?? 600_000} ms: cancelled`,
        );
      }
      await this.sleep(wait);
      wait = Math.min(wait * 2, this.options.maxPollMs ?? 5_000);
    }
  }

  async query(file: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    const id = await this.execute(file, this.sql(file), params);
    const rows: Row[] = [];
    let columns: { name: string; type: string | undefined }[] | undefined;
    let token: string | undefined;
    let first = true;
    do {
      const page: { ResultSet?: ResultSet; NextToken?: string } = await this.client.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, ...(token ? { NextToken: token } : {}) }),
      );
      columns ??= (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({
        name: c.Name ?? '',
        type: c.Type,
      }));
      const data = page.ResultSet?.Rows ?? [];
      // The first row of the first page repeats the column names.
      // One plain object per row, built once; each page's response is let go when the next is read.
      const names = columns;
      for (let r = first ? 1 : 0; r < data.length; r++) {
        const cells = data[r]?.Data ?? [];
        const row: Row = {};
        for (let c = 0; c < names.length; c++) {
          const column = names[c] as { name: string; type: string | undefined };
          row[column.name] = typed(cells[c]?.VarCharValue, column.type);
        }
        rows.push(row);
      }
      first = false;
      token = page.NextToken;
    } while (token);
    return rows;
  }

  /**
   * A CTAS table named for this attempt, in the workgroup's own location, tables/<query-id>/: a new name and an empty
   * location on every attempt, so a retried refresh never meets HIVE_PATH_ALREADY_EXISTS and two refreshes never read
   * each other's tables.
   */
  async materialize(name: string, file: string, params: readonly SqlValue[] = []): Promise<void> {
    if (!/^[a-z_]+$/.test(name)) throw new QueryError(file, `not a table name: ${name}`);
    const sql = this.sql(file);
    const previous = this.tables.get(name);
    if (previous) {
      await this.execute(file, `DROP TABLE IF EXISTS ${this.nameOf(name)}`, []);
      await this.deleteData(previous);
    }
    const id = await this.execute(
      file,
      `CREATE TABLE ${this.nameOf(name)} WITH (format = 'PARQUET', write_compression = 'SNAPPY') AS ${sql}`,
      params,
    );
    this.tables.set(name, id);
  }

  /** Where Athena put a CTAS query's table (see resultsLocation). */
  tableLocation(queryId: string): string {
    return `${this.options.resultsLocation}tables/${queryId}/`;
  }

  private async deleteData(queryId: string): Promise<void> {
    await this.options.deletePrefix?.(this.tableLocation(queryId));
  }

  async defineView(name: string, file: string): Promise<void> {
    if (!/^[a-z_]+$/.test(name)) throw new QueryError(file, `not a view name: ${name}`);
    await this.execute(file, `CREATE OR REPLACE VIEW ${this.nameOf(name)} AS ${this.sql(file)}`, []);
    this.views.add(name);
  }

  /**
   * Drops the views and tables this attempt made and deletes the tables' data. Best effort: the documents are already
   * written (or the refresh has failed with its own error, which a cleanup error must not hide); data left by an
   * attempt that never got here expires with the results bucket's lifecycle rule.
   */
  async close(): Promise<void> {
    const drops = [
      ...[...this.views].map((name) => ({ statement: `DROP VIEW IF EXISTS ${this.nameOf(name)}`, data: undefined })),
      ...[...this.tables].map(([name, id]) => ({ statement: `DROP TABLE IF EXISTS ${this.nameOf(name)}`, data: id })),
    ];
    for (const { statement, data } of drops) {
      try {
        await this.execute('cleanup', statement, []);
        if (data) await this.deleteData(data);
      } catch {
        // See above: expiry removes what is left.
      }
    }
    this.views.clear();
    this.tables.clear();
  }
}
