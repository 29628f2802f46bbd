import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { athenaResultCsv } from './athena-result-csv.ts';
import { ACCOUNT, accessKeyOf, REGION, type TemplateAuthoriser } from './iam-authoriser.ts';
import { PARQUET_TYPE_SOURCES, parquetTypeProblems, readParquetFooter } from './parquet-glue-types.ts';

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
  /** The KMS key ARN results are encrypted with (SSE_KMS), if any. */
  readonly kmsKeyArn?: string;
}

export interface AthenaStandInOptions {
  readonly workgroups: readonly Workgroup[];
  readonly tables: readonly GlueTable[];
  /** s3rver's folder: objects are <dir>/<bucket>/<key>._S3rver_object */
  readonly s3Directory: string;
  readonly s3: S3Client;
  /** Polls a query stays QUEUED, then RUNNING, before its outcome shows. @default 1 each */
  readonly pollsPerState?: number;
  /**
   * Authorises each call, and what each statement makes Athena do with the caller's rights in Glue and S3, against
   * the caller's role in the synthesised template (ATHENA_IAM_RULES). @default none: every call is allowed
   */
  readonly authoriser?: TemplateAuthoriser;
  /** The Glue database statements run in when the request names none. @default 'default' */
  readonly database?: string;
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
  trinoConversion: 'https://trino.io/docs/current/functions/conversion.html',
  trinoVarcharCompare: 'https://github.com/trinodb/trino/issues/7334',
  // IAM: what each call and statement needs of the caller (ATHENA_IAM_RULES).
  actions: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonathena.html',
  workgroupPolicies: 'https://docs.aws.amazon.com/athena/latest/ug/workgroups-iam-policy.html',
  glueAccess: 'https://docs.aws.amazon.com/athena/latest/ug/fine-grained-access-to-glue-resources.html',
  glueArns: 'https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html',
  access: 'https://docs.aws.amazon.com/athena/latest/ug/access.html',
  getQueryResults: 'https://docs.aws.amazon.com/athena/latest/APIReference/API_GetQueryResults.html',
  encryption: 'https://docs.aws.amazon.com/athena/latest/ug/encryption.html',
  projection: 'https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html',
  commonErrors: 'https://docs.aws.amazon.com/athena/latest/APIReference/CommonErrors.html',
  // Parquet types against the Glue table's declared types: test/aws/parquet-glue-types.ts (review 33, R33-6b).
  ...PARQUET_TYPE_SOURCES,
} as const;

/**
 * What Athena needs of the caller, checked against its role's policies when the stand-in has an authoriser:
 *  - API calls: athena:StartQueryExecution, GetQueryExecution, GetQueryResults and StopQueryExecution each on the
 *    workgroup's ARN, arn:aws:athena:<region>:<account>:workgroup/<name> (ATHENA_RULE_SOURCES.actions: the resource
 *    type of each is workgroup; ATHENA_RULE_SOURCES.workgroupPolicies). A refused call answers AccessDeniedException
 *    (ATHENA_RULE_SOURCES.commonErrors: HTTP 400).
 *  - GetQueryResults also needs s3:GetObject on the result object ("the IAM principal with permission to call
 *    GetQueryResults also must have permissions to the Amazon S3 GetObject action for the Athena query results
 *    location", ATHENA_RULE_SOURCES.getQueryResults).
 *  - Glue, as Athena calls it with the caller's rights (ATHENA_RULE_SOURCES.glueAccess): "For any non-delete Athena
 *    action on a resource ... you need permissions to call this action on the resource (table or database) and on
 *    the resource's ancestors in the Data Catalog ... For a delete action in Athena, such as DROP DATABASE or DROP
 *    TABLE, you also need permissions to call the delete action on all ancestors and descendants": a table's ancestors
 *    are its database and the catalog (ARNs: ATHENA_RULE_SOURCES.glueArns). So every statement needs
 *    glue:GetDatabase (catalog, database); a table read (directly or through a view), glue:GetTable on it; CTAS,
 *    glue:CreateTable on the new table; CREATE OR REPLACE VIEW, glue:CreateTable (glue:UpdateTable when it replaces
 *    one); DROP TABLE and DROP VIEW, glue:DeleteTable; each on the catalog, the database and the table. A table with
 *    partition projection needs no glue:GetPartitions: Athena computes its partitions from the table's properties
 *    (ATHENA_RULE_SOURCES.projection).
 *  - And, whatever the database of the statement, glue:GetDatabase on the catalog and on database/default: "For
 *    Athena to work with the AWS Glue Data Catalog, the following access policy to the default database and to the
 *    AWS Glue Data Catalog per AWS Region for GetDatabase and CreateDatabase must be present"
 *    (ATHENA_RULE_SOURCES.glueAccess, "Mandatory"; CreateDatabase only where the account has no default database,
 *    which the stand-in does not model: README tells the operator to make sure it exists). Review 33, R33-1.
 *  - S3, with the caller's rights ("The permissions required to run Athena queries include ... Amazon S3 locations
 *    where the underlying data to query is stored", ATHENA_RULE_SOURCES.access): reading a table lists its location
 *    (s3:ListBucket with s3:prefix the table's, a partition's, location) and gets each object (s3:GetObject), with
 *    kms:Decrypt of an SSE-KMS bucket's key; a CTAS lists its location (it must be empty:
 *    ATHENA_RULE_SOURCES.pathExists) and puts its data there (s3:PutObject); every result object is put at the
 *    OutputLocation (s3:PutObject); a write to a workgroup encrypting with SSE_KMS needs kms:GenerateDataKey of its
 *    key (ATHENA_RULE_SOURCES.encryption).
 * A refused Glue or S3 call fails the query, its reason naming the action and resource.
 */
export const ATHENA_IAM_RULES = 'ATHENA_IAM_RULES';

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
  /** The caller's access key (the query runs with its rights). */
  readonly caller: string;
  readonly database: string;
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

/**
 * Binds Athena's execution parameters (SQL literal text) to the ? placeholders outside quoted text and comments.
 * A quoted string parameter is bound as CAST('...' AS VARCHAR): Athena types a parameter by its literal, so it is a
 * varchar, and Trino does not coerce a varchar to a date, timestamp or number in a comparison (it converts only
 * "if such a conversion is possible", never between character and numeric types: ATHENA_RULE_SOURCES.trinoConversion;
 * a varchar against a date or timestamp fails "Cannot apply operator: timestamp(3) < varchar(19)",
 * ATHENA_RULE_SOURCES.trinoVarcharCompare). DuckDB coerces a bare string literal to DATE, so bound as a literal
 * `WHERE d <= ?` would pass here and fail in Athena; a VARCHAR-typed value DuckDB refuses the same way ("Cannot
 * compare values of type DATE and type VARCHAR"). Review 33, R33-6c.
 */
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
    out += /^'(?:[^']|'')*'$/.test(value) ? `CAST(${value} AS VARCHAR)` : value;
  }
  if (next !== params.length) throw new QueryFailure('INVALID_PARAMETER_USAGE: more parameters than placeholders');
  return out;
}

const s3Parts = (location: string) => {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(location);
  if (!match) throw new QueryFailure(`not an S3 location: ${location}`);
  return { bucket: match[1] as string, prefix: match[2] as string };
};

const workgroupArn = (name: string) => `arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/${name}`;
const glueArn = (resource: string) => `arn:aws:glue:${REGION}:${ACCOUNT}:${resource}`;

/** A catalog table as IAM sees it: the tables it reads (a view), and the S3 objects its data is in. */
interface CatalogEntry {
  readonly references: readonly string[];
  readonly data: readonly { bucket: string; prefixes: readonly string[]; keys: readonly string[] }[];
}

function monthNow(): string {
  return new Date().toISOString().slice(0, 7);
}

export class AthenaStandIn {
  private server: Server | undefined;
  private readonly executions = new Map<string, Execution>();
  /** The Glue catalog's tables and views, for IAM (ATHENA_IAM_RULES): the template's, and those statements made. */
  private readonly catalog = new Map<string, CatalogEntry>();
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
    const caller = accessKeyOf(req.headers.authorization) ?? '';
    // ATHENA_IAM_RULES: each call on its workgroup's ARN.
    const allow = (workgroup: string) => this.allowCall(caller, `athena:${operation}`, workgroupArn(workgroup));
    switch (operation) {
      case 'StartQueryExecution':
        allow(input.WorkGroup ?? 'primary');
        return this.startQuery(input, caller);
      case 'GetQueryExecution': {
        const execution = this.execution(input.QueryExecutionId);
        allow(execution.workgroup.name);
        return { QueryExecution: this.describe(execution) };
      }
      case 'GetQueryResults': {
        const execution = this.execution(input.QueryExecutionId);
        allow(execution.workgroup.name);
        // ATHENA_IAM_RULES: and s3:GetObject on the result object.
        const result = s3Parts(`${execution.workgroup.outputLocation}${execution.id}.csv`);
        this.allowCall(caller, 's3:GetObject', `arn:aws:s3:::${this.bucketName(result.bucket)}/${result.prefix}`);
        return this.results(input);
      }
      case 'StopQueryExecution': {
        const execution = this.execution(input.QueryExecutionId);
        allow(execution.workgroup.name);
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

  /** An API call the caller's policy must allow: AccessDeniedException otherwise (ATHENA_IAM_RULES). */
  private allowCall(caller: string, action: string, resource: string): void {
    const refusal = this.options.authoriser?.authorise(caller, action, resource);
    if (refusal) throw new ApiError('AccessDeniedException', refusal.message);
  }

  private bucketName(bucket: string): string {
    return this.options.authoriser?.bucketName(bucket) ?? bucket;
  }

  /**
   * Each permission a statement makes Athena use with the caller's rights (ATHENA_IAM_RULES); the first refused fails
   * the query, as Athena reports Glue's and S3's refusals.
   */
  private need(execution: Execution, action: string, resource: string, context?: Record<string, string>): void {
    const refusal = this.options.authoriser?.authorise(execution.caller, action, resource, context);
    if (!refusal) return;
    if (action.startsWith('glue:'))
      throw new QueryFailure(
        `Insufficient permissions to execute the query. ${refusal.message} (Service: AWSGlue; Status Code: 400; Error Code: AccessDeniedException)`,
      );
    throw new QueryFailure(`Permission denied on S3 path: ${resource}: ${refusal.message}`);
  }

  /**
   * Read access to the `default` database and the catalog, which Athena requires of every caller whichever database
   * the statement names (ATHENA_IAM_RULES; ATHENA_RULE_SOURCES.glueAccess, "Mandatory: Access policy to the default
   * database and catalog per AWS Region"). Review 33, R33-1.
   */
  private needDefaultDatabase(execution: Execution): void {
    this.need(execution, 'glue:GetDatabase', glueArn('catalog'));
    this.need(execution, 'glue:GetDatabase', glueArn('database/default'));
  }

  /** A Glue action on a table and its ancestors, the database and the catalog (ATHENA_IAM_RULES). */
  private needOnTable(execution: Execution, action: string, table?: string): void {
    this.need(execution, action, glueArn('catalog'));
    this.need(execution, action, glueArn(`database/${execution.database}`));
    if (table) this.need(execution, action, glueArn(`table/${execution.database}/${table}`));
  }

  /** Writing an object under the workgroup's results: s3:PutObject, and the workgroup's key (ATHENA_IAM_RULES). */
  private needWrite(execution: Execution, location: string): void {
    const { bucket, prefix } = s3Parts(location);
    this.need(execution, 's3:PutObject', `arn:aws:s3:::${this.bucketName(bucket)}/${prefix}`);
    if (execution.workgroup.kmsKeyArn) this.need(execution, 'kms:GenerateDataKey', execution.workgroup.kmsKeyArn);
  }

  /**
   * Every catalog table a SELECT reads, through views (ATHENA_IAM_RULES): the tables DuckDB's parser finds in it, less
   * its common table expressions, that are in the catalog.
   */
  private async tablesRead(connection: DuckDBConnection, select: string): Promise<string[]> {
    const reader = await connection.runAndReadAll(`SELECT json_serialize_sql('${select.replace(/'/g, "''")}')`);
    const tree = JSON.parse(String(reader.getRows()[0]?.[0]));
    if (tree.error) throw new QueryFailure(`the stand-in could not find the tables of: ${select.slice(0, 60)}`);
    const named = new Set<string>();
    const ctes = new Set<string>();
    JSON.stringify(tree, (key, value) => {
      if (value && typeof value === 'object' && value.type === 'BASE_TABLE') named.add(String(value.table_name));
      if (key === 'cte_map') for (const entry of value.map ?? []) ctes.add(String(entry.key));
      return value;
    });
    const out = new Set<string>();
    const visit = (name: string) => {
      const entry = this.catalog.get(name);
      if (!entry || out.has(name)) return;
      out.add(name);
      for (const reference of entry.references) visit(reference);
    };
    for (const name of named) if (!ctes.has(name)) visit(name);
    return [...out];
  }

  /** glue:GetTable on each table read, and reading the data of each (ATHENA_IAM_RULES). */
  private async needRead(execution: Execution, connection: DuckDBConnection, select: string): Promise<void> {
    if (!this.options.authoriser) return;
    for (const name of await this.tablesRead(connection, select)) {
      this.needOnTable(execution, 'glue:GetTable', name);
      const entry = this.catalog.get(name);
      for (const location of entry?.data ?? []) {
        const bucket = this.bucketName(location.bucket);
        for (const prefix of location.prefixes)
          this.need(execution, 's3:ListBucket', `arn:aws:s3:::${bucket}`, { 's3:prefix': prefix });
        for (const key of location.keys) this.need(execution, 's3:GetObject', `arn:aws:s3:::${bucket}/${key}`);
        const kms = this.options.authoriser.bucketKeyArn(location.bucket);
        if (location.keys.length > 0 && kms) this.need(execution, 'kms:Decrypt', kms);
      }
    }
  }

  private startQuery(
    input: {
      QueryString?: string;
      WorkGroup?: string;
      ExecutionParameters?: string[];
      ResultConfiguration?: { OutputLocation?: string };
      QueryExecutionContext?: { Database?: string };
    },
    caller: string,
  ) {
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
    const execution: Execution = {
      id,
      caller,
      database: input.QueryExecutionContext?.Database ?? this.options.database ?? 'default',
      query,
      workgroup,
      submitted: Date.now(),
      polls: 0,
      state: 'QUEUED',
    };
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
      // Partition projection: Athena reads only partitions inside projection.<col>.range ("2019-01,NOW").
      const [from, to] = table.partition?.range ?? ['', ''];
      const inRange = (file: string) => {
        if (!table.partition) return true;
        const value = new RegExp(`${table.partition.name}=([^/]+)/`).exec(file)?.[1] ?? '';
        return value >= from && value <= (to === 'NOW' ? monthNow() : to);
      };
      const keys = files.filter(inRange).map((f) => `${table.prefix}${f.replace(/\._S3rver_object$/, '')}`);
      // PARQUET_TYPE_SOURCES: each object's Parquet types must be ones Athena reads as the table's declared types
      // (DuckDB's CAST below would read nearly anything); a query reading the table fails with HIVE_BAD_DATA.
      const problem = files
        .filter(inRange)
        .flatMap((f) =>
          this.typeProblems(join(dir, f), table, `${table.prefix}${f.replace(/\._S3rver_object$/, '')}`),
        )[0];
      if (problem) this.badData.set(table.name, problem);
      else this.badData.delete(table.name);
      const partitions = [...new Set(keys.map((k) => k.slice(0, k.lastIndexOf('/') + 1)))];
      this.catalog.set(table.name, {
        references: [],
        data: [
          { bucket: table.bucket, prefixes: table.partition && keys.length > 0 ? partitions : [table.prefix], keys },
        ],
      });
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
      const where = table.partition
        ? ` WHERE "${table.partition.name}" BETWEEN '${from}' AND '${to === 'NOW' ? monthNow() : to}'`
        : '';
      await connection.run(
        `CREATE OR REPLACE VIEW ${table.name} AS SELECT ${select} FROM read_parquet('${glob}', union_by_name = true${hive})${where}`,
      );
    }
  }

  /** A Glue table's first object whose Parquet types Athena would not read as declared, as Athena's message. */
  private readonly badData = new Map<string, string>();
  /** Each object's problems, by its file's path, size and time (defineTables runs before every statement). */
  private readonly footers = new Map<string, { stamp: string; problems: string[] }>();

  private typeProblems(file: string, table: GlueTable, key: string): string[] {
    const { size, mtimeMs } = statSync(file);
    const stamp = `${size} ${mtimeMs}`;
    const cached = this.footers.get(file);
    if (cached?.stamp === stamp) return cached.problems;
    const problems = parquetTypeProblems(
      readParquetFooter(file),
      table.columns,
      table.partition !== undefined,
      `s3://${table.bucket}/${key}`,
    );
    this.footers.set(file, { stamp, problems });
    return problems;
  }

  /** PARQUET_TYPE_SOURCES: a statement reading a Glue table (directly or through a view) one of whose objects Athena
   * would refuse fails as Athena's does, with HIVE_BAD_DATA naming the field, its Parquet type and the file. */
  private async checkParquetTypes(connection: DuckDBConnection, select: string): Promise<void> {
    if (this.badData.size === 0) return;
    for (const name of await this.tablesRead(connection, select)) {
      const problem = this.badData.get(name);
      if (problem) throw new QueryFailure(problem);
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
    // ATHENA_IAM_RULES: every statement resolves its database, and needs the default database readable.
    this.needOnTable(execution, 'glue:GetDatabase');
    this.needDefaultDatabase(execution);
    const drop = /^DROP TABLE (IF EXISTS )?([a-z0-9_]+)$/i.exec(text);
    if (drop) {
      if (!drop[1] && !(await this.exists(connection, drop[2] as string)))
        throw new QueryFailure(`line 1:1: Table 'awsdatacatalog.db.${drop[2]}' does not exist`);
      // ATHENA_IAM_RULES: a delete action, on the table and its ancestors.
      this.needOnTable(execution, 'glue:GetTable', drop[2]);
      this.needOnTable(execution, 'glue:DeleteTable', drop[2]);
      await connection.run(`DROP TABLE IF EXISTS ${drop[2]}`);
      this.catalog.delete(drop[2] as string);
      return this.ddlResult(execution);
    }
    const dropView = /^DROP VIEW IF EXISTS ([a-z0-9_]+)$/i.exec(text);
    if (dropView) {
      // ATHENA_IAM_RULES: a view is a Glue table; dropping it is a delete action.
      this.needOnTable(execution, 'glue:GetTable', dropView[1]);
      this.needOnTable(execution, 'glue:DeleteTable', dropView[1]);
      await connection.run(`DROP VIEW IF EXISTS ${dropView[1]}`);
      this.catalog.delete(dropView[1] as string);
      return this.ddlResult(execution);
    }
    const view = /^CREATE OR REPLACE VIEW ([a-z0-9_]+) AS ([\s\S]+)$/i.exec(text);
    if (view) {
      const name = view[1] as string;
      // ATHENA_IAM_RULES: the view's tables are looked up (not read); the view is created, or updated if it exists.
      // Also what the view reads, for the Parquet type check of a statement reading the view (checkParquetTypes).
      const references = await this.tablesRead(connection, view[2] as string);
      for (const table of references) this.needOnTable(execution, 'glue:GetTable', table);
      this.needOnTable(execution, 'glue:GetTable', name);
      this.needOnTable(execution, this.catalog.has(name) ? 'glue:UpdateTable' : 'glue:CreateTable', name);
      await connection.run(`CREATE OR REPLACE VIEW ${name} AS ${view[2]}`);
      this.catalog.set(name, { references, data: [] });
      return this.ddlResult(execution);
    }
    const ctas = /^CREATE TABLE ([a-z0-9_]+) WITH \(([^)]*)\) AS ([\s\S]+)$/i.exec(text);
    if (ctas) return this.createTableAs(execution, connection, ctas[1] as string, ctas[2] as string, ctas[3] as string);
    if (/^(SELECT|WITH|--|\()/i.test(text)) {
      await this.needRead(execution, connection, text);
      await this.checkParquetTypes(connection, text);
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
    this.needWrite(execution, `s3://${bucket}/${prefix}`);
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
    // ATHENA_IAM_RULES: the query's tables are read, the table is created in the catalog, its location listed.
    await this.needRead(execution, connection, select);
    await this.checkParquetTypes(connection, select);
    this.needOnTable(execution, 'glue:CreateTable', name);
    const target = s3Parts(location);
    this.need(execution, 's3:ListBucket', `arn:aws:s3:::${this.bucketName(target.bucket)}`, {
      's3:prefix': target.prefix,
    });
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
    const key = `${prefix}${execution.id}_00000`;
    try {
      this.needWrite(execution, `s3://${bucket}/${key}`);
    } catch (error) {
      await connection.run(`DROP TABLE ${name}`);
      rmSync(file, { force: true });
      throw error;
    }
    await this.options.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(file) }));
    rmSync(file, { force: true });
    this.catalog.set(name, { references: [], data: [{ bucket, prefixes: [prefix], keys: [key] }] });
    // No result object: the OutputLocation of a CTAS query names none (ATHENA_RULE_SOURCES.ctasOutput).
    return { ok: true, columns: [], rows: [], statementType: 'DDL', resultFile: '' };
  }
}
