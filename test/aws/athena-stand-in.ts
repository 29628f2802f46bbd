import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { athenaResultCsv } from './athena-result-csv.ts';

/**
 * A stand-in for Amazon Athena's JSON API (AWS JSON 1.1, X-Amz-Target: AmazonAthena.<Operation>) on loopback. It runs
 * statements on DuckDB over s3rver's objects, with the tables, workgroup and partition projection taken from the
 * synthesised template, and enforces the Athena rules our code depends on, each with its source beside it.
 */

/** A Glue table as the template declares it. */
export interface GlueTable {
  readonly name: string;
  readonly bucket: string;
  /** Key prefix under the bucket, ending with / */
  readonly prefix: string;
  readonly columns: readonly { name: string; type: string }[];
  readonly partition?: { name: string; range: [string, string] };
}

export interface Workgroup {
  readonly name: string;
  readonly enforced: boolean;
  /** s3://bucket/prefix/ */
  readonly outputLocation: string;
}

export interface AthenaStandInOptions {
  readonly workgroups: readonly Workgroup[];
  readonly tables: readonly GlueTable[];
  /** s3rver's folder: objects are <dir>/<bucket>/<key>._S3rver_object */
  readonly s3Directory: string;
  readonly s3: S3Client;
  /** Polls a query stays QUEUED, then RUNNING, before its outcome shows. @default 1 each */
  readonly pollsPerState?: number;
}

// Rule sources (Athena documentation):
export const ATHENA_RULE_SOURCES = {
  ctasLocation: 'https://docs.aws.amazon.com/athena/latest/ug/ctas-considerations-limitations.html',
  pathExists: 'https://repost.aws/knowledge-center/athena-hive-path-already-exists',
  pages: 'https://docs.aws.amazon.com/athena/latest/APIReference/API_GetQueryResults.html',
  states: 'https://docs.aws.amazon.com/athena/latest/APIReference/API_QueryExecutionStatus.html',
  error: 'https://docs.aws.amazon.com/athena/latest/APIReference/API_AthenaError.html',
  partitions: 'https://docs.aws.amazon.com/athena/latest/ug/ctas-insert-into.html',
  queryLength: 'https://repost.aws/knowledge-center/athena-query-string-length',
  tableLocation: 'https://docs.aws.amazon.com/athena/latest/ug/tables-location-format.html',
  parameters: 'https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements.html',
  outputFiles: 'https://docs.aws.amazon.com/athena/latest/ug/querying-finding-output-files.html',
  ctasOutput: 'https://github.com/KoteiIto/node-athena/issues/41',
  csvFormat: 'https://github.com/dbcli/athenacli/pull/49',
  csvNulls: 'https://pyathena.dev/master/null_handling.html',
  functions: 'https://docs.aws.amazon.com/athena/latest/ug/functions-env3.html',
  ctasNames: 'https://docs.aws.amazon.com/athena/latest/ug/ctas-considerations-limitations.html',
  reservedWords: 'https://docs.aws.amazon.com/athena/latest/ug/reserved-words.html',
  trinoString: 'https://trino.io/docs/current/functions/string.html',
  trinoBinary: 'https://trino.io/docs/current/functions/binary.html',
} as const;

/**
 * Trino functions the SQL uses that DuckDB lacks, as DuckDB macros of the stand-in's instance. Athena engine v3's
 * functions are Trino's (ATHENA_RULE_SOURCES.functions: "Functions in Athena engine version 3 are based on Trino"):
 * to_utf8(string) -> varbinary (ATHENA_RULE_SOURCES.trinoString) and xxhash64(binary) -> varbinary
 * (ATHENA_RULE_SOURCES.trinoBinary). Stood in by DuckDB's own 64-bit hash(): other hash values than Trino's, which
 * the SQL never relies on (it compares hashes only for equality and checks a match on the texts).
 */
export const TRINO_MACROS: readonly string[] = [
  'CREATE OR REPLACE MACRO to_utf8(text) AS text',
  'CREATE OR REPLACE MACRO xxhash64(bytes) AS hash(bytes)',
];

/** GetQueryResults: MaxResults is 1..1000, and 1000 when not given (ATHENA_RULE_SOURCES.pages). */
export const MAX_RESULTS = 1_000;
/** StartQueryExecution: QueryString length 1..262144 bytes, not adjustable (ATHENA_RULE_SOURCES.queryLength). */
export const MAX_QUERY_BYTES = 262_144;
/** CTAS: at most 100 partitions per query, HIVE_TOO_MANY_OPEN_PARTITIONS beyond (ATHENA_RULE_SOURCES.partitions). */
export const MAX_CTAS_PARTITIONS = 100;

/**
 * Athena's reserved keywords in DDL statements (ATHENA_RULE_SOURCES.reservedWords, "Reserved keywords to escape in DDL
 * statements"). A CTAS query's table is DDL too: "Table, database, or column names for CTAS queries should not contain
 * quotes or backticks. To ensure this, check that your table, database, or column names do not represent reserved
 * words, and do not contain special characters" (ATHENA_RULE_SOURCES.ctasNames, "CTAS query syntax").
 */
export const DDL_RESERVED_WORDS: ReadonlySet<string> = new Set(
  `ALL ALTER AND ARRAY AS AUTHORIZATION BETWEEN BIGINT BINARY BOOLEAN BOTH BY CASE CASHE CAST CHAR COLUMN CONF CONSTRAINT
  COMMIT CREATE CROSS CUBE CURRENT CURRENT_DATE CURRENT_TIMESTAMP CURSOR DATABASE DATE DAYOFWEEK DECIMAL DELETE DESCRIBE
  DISTINCT DIV DOUBLE DROP ELSE END EXCHANGE EXISTS EXTENDED EXTERNAL EXTRACT FALSE FETCH FLOAT FLOOR FOLLOWING FOR
  FOREIGN FROM FULL FUNCTION GRANT GROUP GROUPING HAVING IF IMPORT IN INNER INSERT INT INTEGER INTERSECT INTERVAL INTO IS
  JOIN LATERAL LEFT LESS LIKE LOCAL MACRO MAP MORE NONE NOT NULL NUMERIC OF ON ONLY OR ORDER OUT OUTER OVER PARTIALSCAN
  PARTITION PERCENT PRECEDING PRECISION PRESERVE PRIMARY PROCEDURE RANGE READS REDUCE REGEXP REFERENCES REVOKE RIGHT
  RLIKE ROLLBACK ROLLUP ROW ROWS SELECT SET SMALLINT START TABLE TABLESAMPLE THEN TIME TIMESTAMP TO TRANSFORM TRIGGER
  TRUE TRUNCATE UNBOUNDED UNION UNIQUEJOIN UPDATE USER USING UTC_TIMESTAMP VALUES VARCHAR VIEWS WHEN WHERE WINDOW WITH`
    .split(/\s+/)
    .map((word) => word.toLowerCase()),
);

/**
 * Why a CTAS query's column name would fail in Athena (ATHENA_RULE_SOURCES.ctasNames), or undefined: it must need no
 * quotes (lower-case letters, digits and underscores, not starting with a digit) and not be a DDL reserved word.
 */
export function ctasColumnNameProblem(name: string): string | undefined {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) return `column name '${name}' would need quotes`;
  if (DDL_RESERVED_WORDS.has(name)) return `column name '${name}' is a reserved word`;
  return undefined;
}

type State = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

interface Execution {
  readonly id: string;
  readonly query: string;
  readonly workgroup: Workgroup;
  readonly submitted: number;
  polls: number;
  state: State;
  outcome?: Promise<Outcome>;
  settled?: Outcome;
  completed?: number;
}

/**
 * The object a statement's OutputLocation names (ATHENA_RULE_SOURCES.outputFiles): a SELECT's <id>.csv, a DDL
 * statement's <id>.txt; a CTAS query's is <id> with no extension and no object there (ATHENA_RULE_SOURCES.ctasOutput).
 */
type ResultFile = '.csv' | '.txt' | '';

type Outcome =
  | {
      ok: true;
      columns: { name: string; type: string }[];
      rows: (string | null)[][];
      statementType: string;
      resultFile: ResultFile;
    }
  | { ok: false; message: string; category: 1 | 2 | 3; type: number };

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

class QueryFailure extends Error {
  constructor(
    message: string,
    readonly type = 1_000,
  ) {
    super(message);
  }
}

const ATHENA_TYPES: Record<string, string> = {
  BIGINT: 'bigint',
  HUGEINT: 'bigint',
  INTEGER: 'integer',
  SMALLINT: 'smallint',
  TINYINT: 'tinyint',
  DOUBLE: 'double',
  FLOAT: 'real',
  VARCHAR: 'varchar',
  BOOLEAN: 'boolean',
  DATE: 'date',
  TIMESTAMP: 'timestamp',
  'TIMESTAMP WITH TIME ZONE': 'timestamp',
};
const athenaType = (duck: string) => (duck.startsWith('DECIMAL') ? 'decimal' : (ATHENA_TYPES[duck] ?? 'varchar'));
const DUCK_TYPES: Record<string, string> = {
  string: 'VARCHAR',
  int: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
};

/** Clauses a keyword starts; a placeholder is in the clause last started at its depth of parentheses. */
const CLAUSE_KEYWORDS = new Set([
  'select',
  'from',
  'where',
  'group',
  'having',
  'order',
  'limit',
  'offset',
  'join',
  'on',
  'using',
  'union',
  'intersect',
  'except',
  'values',
  'with',
  'filter',
  'over',
  'window',
  'create',
  'table',
]);

/**
 * ATHENA_RULE_SOURCES.parameters, Considerations and limitations: "Currently, ? parameters can be placed only in the
 * WHERE clause. Syntax like SELECT ? FROM table is not supported." Each ? outside quoted text and comments must be
 * in a WHERE clause: the clause last started by a keyword at its own depth of parentheses, where a parenthesis that
 * does not start a subquery (a function's arguments, a condition in brackets) is part of the clause around it, and
 * FILTER (WHERE ...) or OVER (...) is not a WHERE clause. Throws for the first that is not.
 */
export function checkPlaceholders(sql: string): void {
  // Per open parenthesis, the clause in force; the outermost statement starts in none.
  const clauses: string[] = [''];
  let line = 1;
  for (const token of sql.match(
    /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|[a-z_][a-z0-9_]*|\?|\(|\)|\n|[^\s]/gi,
  ) ?? []) {
    if (token === '\n') line++;
    else if (token.startsWith("'") || token.startsWith('"') || token.startsWith('--') || token.startsWith('/*'))
      line += token.split('\n').length - 1;
    else if (token === '(') {
      const around = clauses[clauses.length - 1] as string;
      // FILTER ( and OVER ( open their own clause; any other parenthesis stays in the clause around it until a
      // keyword (SELECT of a subquery) starts another.
      clauses.push(around === 'filter' || around === 'over' ? `${around}(` : around);
    } else if (token === ')') {
      if (clauses.length > 1) clauses.pop();
    } else if (token === '?') {
      const clause = clauses[clauses.length - 1];
      if (clause !== 'where')
        throw new QueryFailure(
          `INVALID_PARAMETER_USAGE: line ${line}: ? parameters can be placed only in the WHERE clause (this one is in ${clause ? clause.replace('(', '').toUpperCase() : 'no clause'})`,
        );
    } else if (CLAUSE_KEYWORDS.has(token.toLowerCase()) && !(clauses[clauses.length - 1] as string).endsWith('('))
      clauses[clauses.length - 1] = token.toLowerCase();
  }
}

/** Binds Athena's execution parameters (SQL literal text) to the ? placeholders outside quoted text and comments. */
function bind(sql: string, params: readonly string[]): string {
  let out = '';
  let next = 0;
  // Quoted text, a line comment, a block comment, or a placeholder.
  for (const part of sql.split(/('(?:[^']|'')*'|--[^\n]*|\/\*[\s\S]*?\*\/|\?)/)) {
    if (part !== '?') {
      out += part;
      continue;
    }
    const value = params[next++];
    if (value === undefined) throw new QueryFailure('INVALID_PARAMETER_USAGE: fewer parameters than placeholders');
    out += value;
  }
  if (next !== params.length) throw new QueryFailure('INVALID_PARAMETER_USAGE: more parameters than placeholders');
  return out;
}

const s3Parts = (location: string) => {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(location);
  if (!match) throw new QueryFailure(`not an S3 location: ${location}`);
  return { bucket: match[1] as string, prefix: match[2] as string };
};

function monthNow(): string {
  return new Date().toISOString().slice(0, 7);
}

export class AthenaStandIn {
  private server: Server | undefined;
  private readonly executions = new Map<string, Execution>();
  private connection: DuckDBConnection | undefined;
  private instance: DuckDBInstance | undefined;
  /** Every statement started, in order, for tests to read. */
  readonly statements: string[] = [];
  endpoint = '';

  constructor(private readonly options: AthenaStandInOptions) {}

  async start(): Promise<string> {
    this.instance = await DuckDBInstance.create(':memory:');
    this.connection = await this.instance.connect();
    for (const macro of TRINO_MACROS) await this.connection.run(macro);
    this.server = createServer((req, res) => {
      void this.route(req).then(
        (body) => {
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify(body));
        },
        (error: Error) => {
          const type = error instanceof ApiError ? error.type : 'InternalServerException';
          res.writeHead(error instanceof ApiError ? 400 : 500, {
            'content-type': 'application/x-amz-json-1.1',
            'x-amzn-errortype': type,
          });
          res.end(JSON.stringify({ __type: type, Message: error.message }));
        },
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.endpoint;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
    this.connection?.closeSync();
    this.instance?.closeSync();
  }

  private async route(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonAthena\./, '');
    switch (operation) {
      case 'StartQueryExecution':
        return this.startQuery(input);
      case 'GetQueryExecution':
        return { QueryExecution: this.describe(this.execution(input.QueryExecutionId)) };
      case 'GetQueryResults':
        return this.results(input);
      case 'StopQueryExecution': {
        const execution = this.execution(input.QueryExecutionId);
        if (execution.state === 'QUEUED' || execution.state === 'RUNNING') {
          execution.state = 'CANCELLED';
          execution.completed = Date.now();
        }
        return {};
      }
      default:
        throw new ApiError('InvalidRequestException', `the stand-in does not offer ${operation}`);
    }
  }

  private execution(id: unknown): Execution {
    const execution = this.executions.get(String(id));
    if (!execution) throw new ApiError('InvalidRequestException', `QueryExecution ${String(id)} was not found`);
    return execution;
  }

  private startQuery(input: {
    QueryString?: string;
    WorkGroup?: string;
    ExecutionParameters?: string[];
    ResultConfiguration?: { OutputLocation?: string };
  }) {
    const query = input.QueryString ?? '';
    // ATHENA_RULE_SOURCES.queryLength: "'queryString' failed to satisfy constraint: Member must have length less than or equal to
    // 262144 ... InvalidRequestException".
    if (query.length === 0 || Buffer.byteLength(query) > MAX_QUERY_BYTES)
      throw new ApiError(
        'InvalidRequestException',
        `'queryString' failed to satisfy constraint: Member must have length less than or equal to ${MAX_QUERY_BYTES}`,
      );
    const workgroup = this.options.workgroups.find((w) => w.name === (input.WorkGroup ?? 'primary'));
    if (!workgroup) throw new ApiError('InvalidRequestException', `WorkGroup ${input.WorkGroup} is not found.`);
    const id = randomUUID();
    const execution: Execution = { id, query, workgroup, submitted: Date.now(), polls: 0, state: 'QUEUED' };
    this.executions.set(id, execution);
    this.statements.push(query);
    let sql: string;
    try {
      checkPlaceholders(query);
      sql = bind(query, input.ExecutionParameters ?? []);
    } catch (error) {
      sql = '';
      execution.outcome = Promise.resolve({ ok: false, message: (error as Error).message, category: 2, type: 1_000 });
    }
    execution.outcome ??= this.run(execution, sql).then(
      (result) => result,
      (error: Error) => ({
        ok: false as const,
        message: error.message,
        category: 2 as const,
        type: error instanceof QueryFailure ? error.type : 1_000,
      }),
    );
    void execution.outcome.then((outcome) => {
      execution.settled = outcome;
    });
    return { QueryExecutionId: id };
  }

  /** ATHENA_RULE_SOURCES.states: QUEUED, then RUNNING, then SUCCEEDED, FAILED or CANCELLED; the stand-in shows each on a poll. */
  private describe(execution: Execution) {
    const per = this.options.pollsPerState ?? 1;
    execution.polls++;
    if (execution.state === 'QUEUED' && execution.polls > per) execution.state = 'RUNNING';
    if (execution.state === 'RUNNING' && execution.polls > 2 * per && execution.settled) {
      execution.state = execution.settled.ok ? 'SUCCEEDED' : 'FAILED';
      execution.completed = Date.now();
    }
    const failed =
      execution.state === 'FAILED' && execution.settled && !execution.settled.ok ? execution.settled : null;
    return {
      QueryExecutionId: execution.id,
      Query: execution.query,
      StatementType: execution.settled?.ok ? execution.settled.statementType : 'DML',
      WorkGroup: execution.workgroup.name,
      ResultConfiguration: {
        OutputLocation: `${execution.workgroup.outputLocation}${execution.id}${execution.settled?.ok ? execution.settled.resultFile : '.csv'}`,
      },
      Status: {
        State: execution.state,
        SubmissionDateTime: execution.submitted / 1000,
        ...(execution.completed ? { CompletionDateTime: execution.completed / 1000 } : {}),
        ...(failed
          ? {
              StateChangeReason: failed.message,
              // ATHENA_RULE_SOURCES.error: ErrorCategory 1 system, 2 user, 3 other; ErrorType; Retryable; ErrorMessage.
              AthenaError: {
                ErrorCategory: failed.category,
                ErrorType: failed.type,
                Retryable: false,
                ErrorMessage: failed.message,
              },
            }
          : {}),
      },
    };
  }

  private results(input: { QueryExecutionId?: string; NextToken?: string; MaxResults?: number }) {
    const execution = this.execution(input.QueryExecutionId);
    // ATHENA_RULE_SOURCES.pages: MaxResults valid range 1..1000.
    const max = input.MaxResults ?? MAX_RESULTS;
    if (max < 1 || max > MAX_RESULTS)
      throw new ApiError('InvalidRequestException', `MaxResults must be between 1 and ${MAX_RESULTS}`);
    if (execution.state !== 'SUCCEEDED' || !execution.settled?.ok)
      throw new ApiError('InvalidRequestException', `Query has not yet finished. Current state: ${execution.state}`);
    const { columns, rows } = execution.settled;
    // The first page starts with a row of column names (a SELECT's result set as Athena returns it).
    const all = [columns.map((c) => c.name), ...rows];
    const offset = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64').toString()) : 0;
    const page = all.slice(offset, offset + max);
    const next = offset + max < all.length ? Buffer.from(String(offset + max)).toString('base64') : undefined;
    return {
      ResultSet: {
        Rows: page.map((row) => ({ Data: row.map((v) => (v === null ? {} : { VarCharValue: v })) })),
        ResultSetMetadata: {
          ColumnInfo: columns.map((c) => ({
            CatalogName: 'hive',
            SchemaName: '',
            TableName: '',
            Name: c.name,
            Label: c.name,
            Type: c.type,
            Precision: 0,
            Scale: 0,
            Nullable: 'UNKNOWN',
            CaseSensitive: c.type === 'varchar',
          })),
        },
      },
      UpdateCount: 0,
      ...(next ? { NextToken: next } : {}),
    };
  }

  /** The Glue tables as DuckDB views over s3rver's files, limited to the partition projection's range. */
  private async defineTables(connection: DuckDBConnection): Promise<void> {
    for (const table of this.options.tables) {
      const dir = join(this.options.s3Directory, table.bucket, ...table.prefix.split('/').filter(Boolean));
      const columns = [
        ...table.columns.map((c) => ({ name: c.name, type: DUCK_TYPES[c.type] ?? 'VARCHAR' })),
        ...(table.partition ? [{ name: table.partition.name, type: 'VARCHAR' }] : []),
      ];
      let files: string[] = [];
      try {
        files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('._S3rver_object'));
      } catch {
        files = [];
      }
      const select = columns.map((c) => `CAST("${c.name}" AS ${c.type}) AS "${c.name}"`).join(', ');
      if (files.length === 0) {
        const nulls = columns.map((c) => `CAST(NULL AS ${c.type}) AS "${c.name}"`).join(', ');
        await connection.run(`CREATE OR REPLACE VIEW ${table.name} AS SELECT ${nulls} WHERE 1 = 0`);
        continue;
      }
      // ATHENA_RULE_SOURCES.tableLocation: "Athena reads all files in an Amazon S3 location ... and cannot ignore any
      // files included in the prefix": every object under a partition is read, whatever its name (a compacted object
      // and the upload objects it replaces alike, so compaction deletes those before a refresh reads: compact.ts).
      const glob = `${dir}/${table.partition ? '*/' : ''}*._S3rver_object`;
      const hive = table.partition
        ? `, hive_partitioning = true, hive_types = {'${table.partition.name}': VARCHAR}`
        : '';
      // Partition projection: Athena reads only partitions inside projection.<col>.range ("2019-01,NOW").
      const [from, to] = table.partition?.range ?? ['', ''];
      const where = table.partition
        ? ` WHERE "${table.partition.name}" BETWEEN '${from}' AND '${to === 'NOW' ? monthNow() : to}'`
        : '';
      await connection.run(
        `CREATE OR REPLACE VIEW ${table.name} AS SELECT ${select} FROM read_parquet('${glob}', union_by_name = true${hive})${where}`,
      );
    }
  }

  private async keysUnder(location: string): Promise<string[]> {
    const { bucket, prefix } = s3Parts(location);
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: this.options.s3 }, { Bucket: bucket, Prefix: prefix }))
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    return keys;
  }

  private async run(execution: Execution, sql: string): Promise<Outcome> {
    const connection = this.connection as DuckDBConnection;
    await this.defineTables(connection);
    const text = sql.trim();
    const drop = /^DROP TABLE (IF EXISTS )?([a-z0-9_]+)$/i.exec(text);
    if (drop) {
      if (!drop[1] && !(await this.exists(connection, drop[2] as string)))
        throw new QueryFailure(`line 1:1: Table 'awsdatacatalog.db.${drop[2]}' does not exist`);
      await connection.run(`DROP TABLE IF EXISTS ${drop[2]}`);
      return this.ddlResult(execution);
    }
    const dropView = /^DROP VIEW IF EXISTS ([a-z0-9_]+)$/i.exec(text);
    if (dropView) {
      await connection.run(`DROP VIEW IF EXISTS ${dropView[1]}`);
      return this.ddlResult(execution);
    }
    const view = /^CREATE OR REPLACE VIEW ([a-z0-9_]+) AS ([\s\S]+)$/i.exec(text);
    if (view) {
      await connection.run(`CREATE OR REPLACE VIEW ${view[1]} AS ${view[2]}`);
      return this.ddlResult(execution);
    }
    const ctas = /^CREATE TABLE ([a-z0-9_]+) WITH \(([^)]*)\) AS ([\s\S]+)$/i.exec(text);
    if (ctas) return this.createTableAs(execution, connection, ctas[1] as string, ctas[2] as string, ctas[3] as string);
    if (/^(SELECT|WITH|--|\()/i.test(text)) {
      const reader = await connection.runAndReadAll(text);
      const types = reader.columnTypes().map((t) => athenaType(t.toString()));
      const columns = reader.columnNames().map((name, i) => ({ name, type: types[i] as string }));
      const rows = reader.getRows().map((row) => row.map((value, i) => this.text(value, types[i] as string)));
      // The result object, as Athena writes it where GetQueryExecution's OutputLocation says (athena-result-csv.ts).
      await this.putResult(
        execution,
        '.csv',
        athenaResultCsv(
          columns.map((c) => c.name),
          rows,
        ),
      );
      return { ok: true, columns, rows, statementType: 'DML', resultFile: '.csv' };
    }
    throw new QueryFailure(`the stand-in does not run this statement: ${text.slice(0, 60)}`);
  }

  /** Writes a statement's result object at <workgroup output location><id><file>, as Athena does. */
  private async putResult(execution: Execution, file: ResultFile, body: string): Promise<void> {
    const { bucket, prefix } = s3Parts(`${execution.workgroup.outputLocation}${execution.id}${file}`);
    // Bytes, so the SDK knows the length of an empty body too.
    await this.options.s3.send(new PutObjectCommand({ Bucket: bucket, Key: prefix, Body: Buffer.from(body) }));
  }

  /** A DDL statement's result: a plain text file (ATHENA_RULE_SOURCES.outputFiles), empty for these statements. */
  private async ddlResult(execution: Execution): Promise<Outcome> {
    await this.putResult(execution, '.txt', '');
    return { ok: true, columns: [], rows: [], statementType: 'DDL', resultFile: '.txt' };
  }

  private text(value: unknown, type: string): string | null {
    if (value === null || value === undefined) return null;
    const text = String(value);
    // Athena renders timestamps as yyyy-MM-dd HH:mm:ss.SSS (DuckDB leaves out a fraction of .000, or gives six digits).
    if (type === 'timestamp') {
      const [, day, time, fraction = ''] = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(text) ?? [];
      if (day === undefined) throw new QueryFailure(`not a timestamp: ${text}`);
      return `${day} ${time}.${fraction.padEnd(3, '0').slice(0, 3)}`;
    }
    return text;
  }

  private async exists(connection: DuckDBConnection, name: string): Promise<boolean> {
    const reader = await connection.runAndReadAll(
      `SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = '${name}'`,
    );
    return Number(reader.getRows()[0]?.[0]) > 0;
  }

  private async createTableAs(
    execution: Execution,
    connection: DuckDBConnection,
    name: string,
    withText: string,
    select: string,
  ): Promise<Outcome> {
    const properties = Object.fromEntries(
      [...withText.matchAll(/([a-z_]+)\s*=\s*('(?:[^']|'')*'|ARRAY\[[^\]]*\])/gi)].map((m) => [
        (m[1] as string).toLowerCase(),
        (m[2] as string).replace(/^'|'$/g, ''),
      ]),
    );
    // ATHENA_RULE_SOURCES.ctasLocation: "If the workgroup in which a query will run is configured with an enforced query results
    // location, do not specify an external_location for the CTAS query. Athena issues an error and fails a query".
    if (execution.workgroup.enforced && properties.external_location !== undefined)
      throw new QueryFailure(
        'The query results location is enforced by the workgroup; a CTAS query may not specify external_location',
        1_100,
      );
    // ATHENA_RULE_SOURCES.ctasLocation: with the workgroup's setting, Athena writes the table to <results location>/tables/<query-id>/.
    const location = execution.workgroup.enforced
      ? `${execution.workgroup.outputLocation}tables/${execution.id}/`
      : (properties.external_location ?? `${execution.workgroup.outputLocation}tables/${execution.id}/`);
    // ATHENA_RULE_SOURCES.pathExists: the CTAS location must be empty, else HIVE_PATH_ALREADY_EXISTS.
    if ((await this.keysUnder(location)).length > 0)
      throw new QueryFailure(
        `HIVE_PATH_ALREADY_EXISTS: Target directory for table 'db.${name}' already exists: ${location}`,
      );
    if (await this.exists(connection, name)) throw new QueryFailure(`Table 'awsdatacatalog.db.${name}' already exists`);
    await connection.run(`CREATE TABLE ${name} AS ${select}`);
    // ATHENA_RULE_SOURCES.ctasNames: no column of a CTAS table may need quotes or be a reserved word (DuckDB takes any).
    const described = await connection.runAndReadAll(
      `SELECT column_name FROM duckdb_columns() WHERE table_name = '${name}' ORDER BY column_index`,
    );
    const problems = described.getRows().flatMap((row) => ctasColumnNameProblem(String(row[0])) ?? []);
    if (problems.length > 0) {
      await connection.run(`DROP TABLE ${name}`);
      throw new QueryFailure(`CTAS table 'db.${name}': ${problems.join('; ')}`);
    }
    const partitionedBy = properties.partitioned_by;
    if (partitionedBy) {
      const columns = [...partitionedBy.matchAll(/'([a-z_]+)'/gi)].map((m) => `"${m[1]}"`);
      const reader = await connection.runAndReadAll(
        `SELECT count(*) FROM (SELECT DISTINCT ${columns.join(', ')} FROM ${name})`,
      );
      const partitions = Number(reader.getRows()[0]?.[0]);
      // ATHENA_RULE_SOURCES.partitions: 100 partitions per CTAS query.
      if (partitions > MAX_CTAS_PARTITIONS) {
        await connection.run(`DROP TABLE ${name}`);
        throw new QueryFailure(
          `HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of ${MAX_CTAS_PARTITIONS} open writers for partitions/buckets`,
        );
      }
    }
    // The table's data, written where Athena would write it, so that the location rule and clean-up are real.
    const file = join(tmpdir(), `ctas-${execution.id}.parquet`);
    await connection.run(`COPY ${name} TO '${file}' (FORMAT PARQUET)`);
    const { bucket, prefix } = s3Parts(location);
    await this.options.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${execution.id}_00000`, Body: readFileSync(file) }),
    );
    rmSync(file, { force: true });
    // No result object: the OutputLocation of a CTAS query names none (ATHENA_RULE_SOURCES.ctasOutput).
    return { ok: true, columns: [], rows: [], statementType: 'DDL', resultFile: '' };
  }
}
