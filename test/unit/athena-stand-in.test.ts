import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { athenaResultCsv } from '../aws/athena-result-csv.ts';
import {
  ATHENA_RULE_SOURCES,
  AthenaStandIn,
  checkPlaceholders,
  ctasColumnNameProblem,
  DDL_RESERVED_WORDS,
} from '../aws/athena-stand-in.ts';
import { tempDir } from '../support/files.ts';

/*
 * The stand-in enforces Athena's rule on execution parameters (ATHENA_RULE_SOURCES.parameters, "Considerations and
 * limitations"): "Currently, ? parameters can be placed only in the WHERE clause. Syntax like SELECT ? FROM table is
 * not supported."
 */
describe("the Athena stand-in's result objects, as Athena's documented examples have them", () => {
  it('cites the pages', () => {
    expect(ATHENA_RULE_SOURCES.csvFormat).toBe('https://github.com/dbcli/athenacli/pull/49');
    expect(ATHENA_RULE_SOURCES.csvNulls).toBe('https://pyathena.dev/master/null_handling.html');
  });

  it('writes every value quoted, names and numbers too, each row ending with a newline', () => {
    // ATHENA_RULE_SOURCES.csvFormat: `select 1 as one, 2 as two;` downloaded from the query's OutputLocation.
    expect(athenaResultCsv(['one', 'two'], [['1', '2']])).toBe('"one","two"\n"1","2"\n');
  });

  it("writes NULL as an empty field with no quotes and '' as a quoted empty field", () => {
    // ATHENA_RULE_SOURCES.csvNulls: "2,Bob,\"\"" (description '') and "3,Charlie," (description NULL), here with
    // every value quoted as Athena writes them.
    expect(
      athenaResultCsv(
        ['id', 'name', 'description'],
        [
          ['2', 'Bob', ''],
          ['3', 'Charlie', null],
        ],
      ),
    ).toBe('"id","name","description"\n"2","Bob",""\n"3","Charlie",\n');
  });
});

describe("the Athena stand-in: a CTAS table's column names need no quotes and are no reserved word", () => {
  it('cites the pages', () => {
    expect(ATHENA_RULE_SOURCES.ctasNames).toBe(
      'https://docs.aws.amazon.com/athena/latest/ug/ctas-considerations-limitations.html',
    );
    expect(ATHENA_RULE_SOURCES.reservedWords).toBe('https://docs.aws.amazon.com/athena/latest/ug/reserved-words.html');
  });

  it("holds the page's DDL list (first, last and a few between) and no word of the SELECT list only", () => {
    expect(DDL_RESERVED_WORDS.size).toBe(138);
    for (const word of ['all', 'with', 'window', 'date', 'timestamp', 'range', 'user', 'current_date'])
      expect(DDL_RESERVED_WORDS.has(word)).toBe(true);
    // reserved in SELECT statements only, not in DDL: a table may have such a column
    for (const word of ['count', 'month', 'level', 'period', 'code', 'events'])
      expect(DDL_RESERVED_WORDS.has(word)).toBe(false);
  });

  it('names the problem of each kind of name, and none of a plain one', () => {
    expect(ctasColumnNameProblem('window')).toBe("column name 'window' is a reserved word");
    expect(ctasColumnNameProblem('Window Name')).toBe("column name 'Window Name' would need quotes");
    expect(ctasColumnNameProblem('Month')).toBe("column name 'Month' would need quotes");
    expect(ctasColumnNameProblem('3_months')).toBe("column name '3_months' would need quotes");
    expect(ctasColumnNameProblem('before_3')).toBeUndefined();
    expect(ctasColumnNameProblem('_hidden')).toBeUndefined();
  });
});

describe('the Athena stand-in: ? parameters only in a WHERE clause', () => {
  it('cites the page', () => {
    expect(ATHENA_RULE_SOURCES.parameters).toBe(
      'https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements.html',
    );
  });

  it('refuses a ? in the SELECT list, a JOIN condition or FILTER (WHERE ...), at any depth', () => {
    expect(() => checkPlaceholders('SELECT ? FROM t')).toThrow(/line 1: \? parameters .* only in the WHERE clause/);
    expect(() =>
      checkPlaceholders(
        'WITH c AS (\n  SELECT e.*,\n    e.referred_on <= CAST(? AS DATE) AS cohort\n  FROM e\n)\nSELECT 1',
      ),
    ).toThrow(/line 3: .* in SELECT/);
    expect(() => checkPlaceholders('SELECT a FROM t JOIN u ON u.d <= CAST(? AS DATE)')).toThrow(/in ON/);
    expect(() => checkPlaceholders('SELECT count(*) FILTER (WHERE d <= CAST(? AS DATE)) FROM t')).toThrow(/in FILTER/);
    // After a WHERE subquery closes, the outer clause is the SELECT again.
    expect(() => checkPlaceholders('SELECT (SELECT 1 FROM u WHERE x = 1) + ? FROM t')).toThrow(/in SELECT/);
  });

  it('accepts a ? in a WHERE clause, of a statement, a CTE or a subquery, and ignores ? in text and comments', () => {
    for (const sql of [
      'SELECT a FROM t WHERE x <= CAST(? AS DATE)',
      "SELECT a FROM t WHERE event_type IN ('referral', 'declined') AND (event_type = 'declined' OR snomed_code = ?)",
      'WITH c AS (SELECT * FROM e WHERE referred_on <= CAST(? AS DATE)) SELECT * FROM c',
      'SELECT e.*, f.pcn_code IS NOT NULL AS cohort FROM e LEFT JOIN (SELECT pcn_code FROM e WHERE d <= CAST(? AS DATE)) AS f ON f.pcn_code = e.pcn_code',
      'SELECT \'?\' AS q, "a?" FROM t -- a ?\n/* ? */ WHERE x = ?',
    ])
      expect(() => checkPlaceholders(sql), sql).not.toThrow();
  });

  it('every SQL file the refresh runs puts its ? parameters in a WHERE clause', () => {
    const root = join(import.meta.dirname, '..', '..', 'sql');
    const files = readdirSync(root, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.sql'));
    const withParameters = files.filter((f) => readFileSync(join(root, f), 'utf8').includes('CAST(? AS DATE)'));
    // cof_person, contacts_distribution, equity, pcn_comparison, wellbeing (and cof_system: its window's end).
    expect(withParameters.length).toBeGreaterThanOrEqual(5);
    for (const file of files)
      expect(() => checkPlaceholders(readFileSync(join(root, file), 'utf8')), file).not.toThrow();
  });

  describe('over its API', () => {
    const dir = tempDir('athena-stand-in');
    let standIn: AthenaStandIn;
    let endpoint = '';
    /** The objects the stand-in wrote, by s3:// location: an S3 client of its own, no server. */
    const written = new Map<string, string>();
    const s3 = {
      send: async ({ input }: { input: PutObjectCommandInput }) => {
        written.set(`s3://${input.Bucket}/${input.Key}`, Buffer.from(input.Body as Uint8Array).toString('utf8'));
        return {};
      },
    } as unknown as S3Client;
    beforeAll(async () => {
      standIn = new AthenaStandIn({
        workgroups: [{ name: 'primary', enforced: false, outputLocation: 's3://results/out/' }],
        tables: [],
        s3Directory: dir.path,
        s3,
      });
      endpoint = await standIn.start();
    });
    afterAll(async () => {
      await standIn.stop();
      dir.remove();
    });

    // Athena's JSON protocol as the SDK speaks it (AWS JSON 1.1): fetch, not the SDK client, which another test file
    // of the same worker may have mocked (aws-sdk-client-mock stubs the client class).
    const call = async (operation: string, input: object) => {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonAthena.${operation}` },
        body: JSON.stringify(input),
      });
      return (await response.json()) as {
        QueryExecutionId?: string;
        QueryExecution?: {
          Status?: { State?: string; StateChangeReason?: string };
          ResultConfiguration?: { OutputLocation?: string };
        };
        ResultSet?: { Rows?: { Data: { VarCharValue?: string }[] }[] };
      };
    };

    async function outcome(QueryString: string, ExecutionParameters: string[]) {
      const { QueryExecutionId } = await call('StartQueryExecution', { QueryString, ExecutionParameters });
      for (;;) {
        const { QueryExecution } = await call('GetQueryExecution', { QueryExecutionId });
        const state = QueryExecution?.Status?.State;
        if (state === 'FAILED') return { state, reason: QueryExecution?.Status?.StateChangeReason };
        if (state === 'SUCCEEDED') {
          const { ResultSet } = await call('GetQueryResults', { QueryExecutionId });
          const location = QueryExecution?.ResultConfiguration?.OutputLocation as string;
          return {
            state,
            rows: ResultSet?.Rows?.map((r) => r.Data.map((d) => d.VarCharValue ?? null)),
            location: location.replace(QueryExecutionId as string, '<id>'),
            object: written.get(location),
          };
        }
      }
    }

    it('fails SELECT ? FROM ... and runs the same cut-off in a WHERE clause', async () => {
      const days = "(SELECT * FROM (VALUES (DATE '2025-06-30'), (DATE '2025-07-01')) AS v (d))";
      expect(await outcome(`SELECT d <= CAST(? AS DATE) AS old_enough FROM ${days}`, ["'2025-06-30'"])).toEqual({
        state: 'FAILED',
        reason:
          'INVALID_PARAMETER_USAGE: line 1: ? parameters can be placed only in the WHERE clause (this one is in SELECT)',
      });
      expect(await outcome(`SELECT d FROM ${days} AS t WHERE d <= CAST(? AS DATE)`, ["'2025-06-30'"])).toEqual({
        state: 'SUCCEEDED',
        rows: [['d'], ['2025-06-30']],
        location: 's3://results/out/<id>.csv',
        object: '"d"\n"2025-06-30"\n',
      });
    });

    // Review 33, R33-6c: Athena types a parameter by its literal's text, so a string parameter is a varchar, and
    // Trino refuses to compare a varchar with a date ("Cannot apply operator: date <= varchar(10)": the stand-in
    // cites ATHENA_RULE_SOURCES.trinoConversion). DuckDB coerces a string literal to DATE: bound as a literal, the
    // statement would run here and fail in Athena.
    it('refuses a DATE compared with a string parameter, as Trino does, and runs the same with CAST(? AS DATE)', async () => {
      const days = "(SELECT * FROM (VALUES (DATE '2025-06-30'), (DATE '2025-07-01')) AS v (d))";
      const bare = await outcome(`SELECT d FROM ${days} AS t WHERE d <= ?`, ["'2025-06-30'"]);
      expect(bare.state).toBe('FAILED');
      expect(bare.reason).toMatch(/DATE and type VARCHAR/);
      expect((await outcome(`SELECT d FROM ${days} AS t WHERE d <= CAST(? AS DATE)`, ["'2025-06-30'"])).rows).toEqual([
        ['d'],
        ['2025-06-30'],
      ]);
      // A string parameter against text, quotes in it doubled as athena-engine.ts writes them, still compares.
      const names = "(SELECT * FROM (VALUES ('O''Neil'), ('x')) AS v (s))";
      expect((await outcome(`SELECT s FROM ${names} AS t WHERE s = ?`, ["'O''Neil'"])).rows).toEqual([
        ['s'],
        ["O'Neil"],
      ]);
    });

    it("writes a SELECT's result object at its OutputLocation as Athena does: NULL bare, '' quoted, quotes doubled", async () => {
      const sql = `SELECT * FROM (VALUES (1, 'a,b', true, TIMESTAMP '2025-04-01 09:30:00'), (NULL, '', NULL, NULL), (3, 'say "hi"' || chr(10) || 'x', false, NULL)) AS v (n, s, ok, t) WHERE n IS NULL OR n > ?`;
      const result = await outcome(sql, ['0']);
      expect(result).toMatchObject({ state: 'SUCCEEDED', location: 's3://results/out/<id>.csv' });
      expect(result.object).toBe(
        '"n","s","ok","t"\n"1","a,b","true","2025-04-01 09:30:00.000"\n,"",,\n"3","say ""hi""\nx","false",\n',
      );
      // The same values as GetQueryResults gives them (a NULL has no VarCharValue).
      expect(result.rows).toEqual([
        ['n', 's', 'ok', 't'],
        ['1', 'a,b', 'true', '2025-04-01 09:30:00.000'],
        [null, '', null, null],
        ['3', 'say "hi"\nx', 'false', null],
      ]);
    });
  });
});
