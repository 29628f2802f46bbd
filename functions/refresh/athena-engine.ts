import { randomUUID } from 'node:crypto';
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import Papa from 'papaparse';
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
   * Opens a query's result object (s3://bucket/key, as GetQueryExecution gives it) as a stream of bytes, or undefined
   * when there is none. query() reads every result this way (readResultCsv), not by paging GetQueryResults.
   * Source: https://docs.aws.amazon.com/athena/latest/ug/queries-viewing-history.html ("To access and view query
   * output files, IAM principals ... need permission to the Amazon S3 GetObject action for the query result location
   * ... If the location is encrypted, users must have the appropriate key permissions"): the workgroup encrypts
   * results with SSE-KMS (infra/constructs/metrics-workgroup.ts), so the function's role needs s3:GetObject there
   * and kms:Decrypt on that key (infra/constructs/metrics-refresh.ts).
   */
  readonly readResult: (location: string) => Promise<AsyncIterable<Uint8Array> | undefined>;
  /**
   * Suffix of this attempt's table and view names (lower-case letters and digits): refreshes that overlap, and an
   * attempt retried while an earlier one still runs, never share a prepare table. @default 8 random hex digits
   */
  readonly attempt?: string;
  /** First wait between polls; doubles up to maxPollMs. @default 200 */
  readonly pollMs?: number;
  /**
   * @default 1000: a statement is seen finished at most a second late (with 5 s, one of 6.3 s was seen at 11.2 s: about
   * 2.5 s lost on each of a refresh's ~35 statements of 3 to 30 s, a minute or more of the function's 15; review 24,
   * R24-7). One refresh polls one statement at a time, far inside the account's GetQueryExecution quota (100 calls a
   * second: "Per account API call quotas", https://docs.aws.amazon.com/athena/latest/ug/service-limits.html).
   */
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

/** A result column: its name and Athena's type for it (GetQueryResults' ResultSetMetadata). */
export interface ResultColumn {
  readonly name: string;
  readonly type: string | undefined;
}

const QUOTE = 34;
const COMMA = 44;
const NEWLINE = 10;
const NO_NULLS: readonly number[] = [];

/**
 * Finds the NULLs in Athena's result CSV, which papaparse cannot: it reads an empty field and "" alike as ''. Athena
 * quotes every value it writes and writes NULL as nothing at all (see readResultCsv), so a field is NULL exactly when
 * it ends where it starts: a comma or newline outside quotes right after the previous one (or at the start). Outside
 * or inside quotes is the parity of the quotes so far: a doubled quote inside a value turns it off and on again with
 * no character between. Fed the text piece by piece; its state carries across pieces.
 */
class NullFinder {
  private quoted = false;
  /** Where the field being read started, in the text being scanned. */
  private fieldStart = 0;
  private column = 0;
  private nulls: number[] = [];
  /** Per row completed since the last take(): the indexes of its NULL fields (most rows: none). */
  private rows: (readonly number[])[] = [];

  /** Scans text[from..]; returns the offset just after the last newline that ended a row (0: none ended). */
  scan(text: string, from: number): number {
    let rowEnd = 0;
    let i = from;
    while (i < text.length) {
      if (this.quoted) {
        // Inside a value: straight to its next quote (the value's end, or the first of a doubled quote).
        const quote = text.indexOf('"', i);
        if (quote === -1) return rowEnd;
        this.quoted = false;
        i = quote + 1;
        continue;
      }
      const c = text.charCodeAt(i);
      if (c === QUOTE) this.quoted = true;
      else if (c === COMMA || c === NEWLINE) {
        if (i === this.fieldStart) this.nulls.push(this.column);
        this.fieldStart = i + 1;
        this.column++;
        if (c === NEWLINE) {
          this.endRow();
          rowEnd = i + 1;
        }
      }
      i++;
    }
    return rowEnd;
  }

  /** The text's end is the last row's end (a result that does not end with a newline). */
  finish(length: number): void {
    if (length === this.fieldStart) this.nulls.push(this.column);
    this.endRow();
  }

  /** The first `n` characters of the text have been parsed: positions count from there on. */
  drop(n: number): void {
    this.fieldStart -= n;
  }

  take(): (readonly number[])[] {
    const rows = this.rows;
    this.rows = [];
    return rows;
  }

  private endRow(): void {
    this.rows.push(this.nulls.length === 0 ? NO_NULLS : this.nulls);
    this.nulls = [];
    this.column = 0;
  }
}

/**
 * Reads a SELECT's result object, streamed: the CSV Athena writes at the query's OutputLocation, every row typed
 * by the result's column metadata (typed, as GetQueryResults' text was). Its format, which the Athena stand-in
 * writes too (test/aws/athena-result-csv.ts):
 * - A SELECT's (DML) result is <query-id>.csv, comma-separated; a DDL statement's is <query-id>.txt, plain text; a
 *   CTAS query's OutputLocation names no object at all (its data is the table). query() runs SELECTs only.
 *   Sources: https://docs.aws.amazon.com/athena/latest/ug/querying-finding-output-files.html ("DML query results
 *   files are saved in comma-separated values (CSV) format. DDL query results are saved as plain text files");
 *   https://github.com/KoteiIto/node-athena/issues/41 (a CTAS query's OutputLocation is s3://bucket/path/query_id,
 *   with no extension, and only the .metadata file is written).
 * - A first line of column names, then one line per row, each ending with a newline; every value, names and numbers
 *   too, in double quotes, a quote inside one doubled; commas and newlines inside quotes are part of the value.
 *   Sources: an Athena result as written, '"one","two"\n"1","2"\n' (https://github.com/dbcli/athenacli/pull/49)
 *   and '"_col0"\n"1"\n' for SELECT 1; PyAthena's reader of these files (pyathena/s3fs/reader.py, AthenaCSVReader)
 *   reads doubled quotes and values across lines.
 * - NULL is an empty field with no quotes (,, or a line's end); '' is "" (so a one-column row of NULL is an empty
 *   line). Source: https://pyathena.dev/master/null_handling.html ("NULL values are represented as unquoted empty
 *   fields: ,, ... Empty strings are represented as quoted empty fields: ,"",", "based on actual testing with
 *   Athena"). papaparse reads the quoting and NullFinder the NULLs.
 * Fails with the query file, the row's number and the reason (never a value) when a row does not have the
 * metadata's columns, or the header is not their names.
 */
export async function readResultCsv(
  file: string,
  body: AsyncIterable<Uint8Array>,
  columns: readonly ResultColumn[],
): Promise<Row[]> {
  const rows: Row[] = [];
  // One string for every repeat of a text value (codes, periods, labels repeat on many rows), as JSON.parse shared
  // the paged ones; papaparse makes a string per field. Measured (refresh-memory.ts reading, 924,000 rows held): heap
  // in use at the peak 685 MB without this, 457 MB with it (the paging engine: 579-622 MB).
  const strings = new Map<string, string>();
  const shared = (value: string) => {
    const known = strings.get(value);
    if (known !== undefined) return known;
    strings.set(value, value);
    return value;
  };
  const nulls = new NullFinder();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  /** Records (header included) read so far: the next one's index; row n of the result is record n. */
  let record = 0;
  /** Parses text that is whole records, the last one's newline left off, NULLs at the given fields. */
  const parse = (text: string, recordNulls: (readonly number[])[]) => {
    // papaparse reads no record from '', which here is one: a single NULL field.
    const parsed =
      text === '' ? { data: [['']], errors: [] } : Papa.parse<string[]>(text, { delimiter: ',', newline: '\n' });
    const error = parsed.errors[0];
    if (error) throw new QueryError(file, `result row ${record + (error.row ?? 0)}: ${error.message}`);
    if (parsed.data.length !== recordNulls.length)
      throw new QueryError(
        file,
        `result rows from ${record}: ${parsed.data.length} read where ${recordNulls.length} end (not Athena's CSV)`,
      );
    for (let r = 0; r < parsed.data.length; r++, record++) {
      const values = parsed.data[r] as string[];
      if (values.length !== columns.length)
        throw new QueryError(
          file,
          `result ${record === 0 ? 'header' : `row ${record}`}: ${values.length} fields, expected ${columns.length}`,
        );
      if (record === 0) {
        // The metadata's names in order, or this is not the query's result.
        if (values.some((name, c) => name !== columns[c]?.name))
          throw new QueryError(
            file,
            `result header ${values.join(',')} is not the columns ${columns.map((c) => c.name).join(',')}`,
          );
        continue;
      }
      const nullAt = recordNulls[r] as readonly number[];
      const row: Row = {};
      for (let c = 0; c < columns.length; c++) {
        const column = columns[c] as ResultColumn;
        const value = nullAt.length > 0 && nullAt.includes(c) ? null : typed(values[c], column.type);
        row[column.name] = typeof value === 'string' ? shared(value) : value;
      }
      rows.push(row);
    }
  };
  /** Adds decoded text; parses every record it completes. */
  const add = (text: string) => {
    const from = pending.length;
    pending += text;
    const end = nulls.scan(pending, from);
    if (end === 0) return;
    parse(pending.slice(0, end - 1), nulls.take());
    pending = pending.slice(end);
    nulls.drop(end);
  };
  const decode = (chunk?: Uint8Array) => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw new QueryError(file, 'result object: not UTF-8 text');
    }
  };
  for await (const chunk of body) add(decode(chunk));
  add(decode());
  // A last record with no newline after it.
  if (pending !== '') {
    nulls.finish(pending.length);
    parse(pending, nulls.take());
  }
  return rows;
}

/** A bound parameter as Athena's ExecutionParameters want it: the SQL literal's text. */
function literal(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * What Athena says of the bytes a statement scanned: GetQueryExecution's QueryExecution.Statistics (every state; its
 * DataScannedInBytes, "the number of bytes in the data that was queried"), and that a statement over the workgroup's
 * per-query limit is cancelled and billed by Athena's pricing.
 */
export const ATHENA_SCAN_SOURCES = {
  statistics: 'https://docs.aws.amazon.com/athena/latest/APIReference/API_QueryExecutionStatistics.html',
  cancelledBilled: 'https://docs.aws.amazon.com/athena/latest/ug/workgroups-setting-control-limits-cloudwatch.html',
} as const;

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
  /** Bytes Athena scanned for each SQL file's statements (GetQueryExecution's DataScannedInBytes): what is billed. */
  private readonly scannedBytes = new Map<string, number>();

  constructor(
    private readonly client: AthenaClient,
    private readonly options: AthenaEngineOptions,
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.attempt = options.attempt ?? randomUUID().replaceAll('-', '').slice(0, 8);
    if (!/^[a-z0-9]{1,16}$/.test(this.attempt)) throw new Error(`not an attempt suffix: ${this.attempt}`);
  }

  /**
   * Bytes scanned so far, per SQL file (Athena bills by them, and a workgroup's per-query cutoff cancels a statement that
   * scans more: review 24, R24-4 and R24-8). Views are read again by each statement that reads them, so a refresh
   * scans the events several times over: the refresh logs this to show how far each statement is from the cutoff.
   */
  scanned(): Record<string, number> {
    return Object.fromEntries(this.scannedBytes);
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

  /** Runs a statement to its end; its id and where Athena wrote its result. */
  private async execute(
    file: string,
    sql: string,
    params: readonly SqlValue[],
  ): Promise<{ id: string; outputLocation: string | undefined }> {
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
      // A statement that ended, whatever its end, is counted: GetQueryExecution gives its Statistics for a FAILED or
      // CANCELLED one too (review 25, R25-7), and a statement the workgroup's per-query cutoff cancelled has scanned up
      // to the cutoff, which Athena bills (ATHENA_SCAN_SOURCES).
      if (state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED') {
        const bytes = QueryExecution?.Statistics?.DataScannedInBytes ?? 0;
        this.scannedBytes.set(file, (this.scannedBytes.get(file) ?? 0) + bytes);
      }
      if (state === 'SUCCEEDED') return { id, outputLocation: QueryExecution?.ResultConfiguration?.OutputLocation };
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
      wait = Math.min(wait * 2, this.options.maxPollMs ?? 1_000);
    }
  }

  /**
   * Runs a SELECT and reads its result object from S3 (readResultCsv): one request for the column types, then the
   * object streamed, where paging GetQueryResults took a round trip per 1,000 rows (about 900 in sequence for a
   * national refresh) and held each page's response objects as well as the rows.
   */
  async query(file: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    const { id, outputLocation } = await this.execute(file, this.sql(file), params);
    // The first page's metadata has every column's name and type; one row of it (the names) is the least it sends.
    const first = await this.client.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1 }));
    const columns: ResultColumn[] = (first.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({
      name: c.Name ?? '',
      type: c.Type,
    }));
    if (!outputLocation) throw new QueryError(file, `Athena query ${id} gave no result location`);
    const body = await this.options.readResult(outputLocation);
    if (!body) throw new QueryError(file, `Athena query ${id}: no result object at ${outputLocation}`);
    return readResultCsv(file, body, columns);
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
    const { id } = await this.execute(
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
