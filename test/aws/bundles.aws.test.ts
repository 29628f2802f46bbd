import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateNationalDemo } from '../../cli/synthetic/generate.ts';
import { landingKeyFor, receiptKey, uploadIdFor } from '../../functions/lib/keys.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { currentRelease } from '../../functions/lib/release.ts';
import { S3ObjectStore } from '../../functions/lib/s3-object-store.ts';
import { regionalAlertMessages } from '../../functions/refresh/alerts.ts';
import { readResultCsv } from '../../functions/refresh/athena-engine.ts';
import {
  type CompactionStep,
  compactCurated,
  compactionRecords,
  DEFAULT_COMPACTION_POLICY,
  hyparquetMerger,
} from '../../functions/refresh/compact.ts';
import { PcnTokenRegistry } from '../../functions/upload/pcn-tokens.ts';
import { type AwsStandIns, startAwsStandIns } from '../support/aws-stand-ins.ts';
import { CLIENT_ID, testUserPool, USER_POOL_ID } from '../support/cognito.ts';
import { tempDir } from '../support/files.ts';
import type { LocalS3 } from '../support/s3.ts';
import { type AthenaStandIn, MAX_CTAS_PARTITIONS, MAX_QUERY_BYTES, MAX_RESULTS } from './athena-stand-in.ts';
import {
  bundleImports,
  glueTables,
  isNodeBuiltin,
  lambdaFunction,
  type SynthesisedApp,
  WarmLambda,
  workgroups,
} from './bundles.ts';
import { TemplateAuthoriser, UNRESTRICTED_KEY, withoutGrant } from './iam-authoriser.ts';
import { checkTableObjects } from './parquet-glue-types.ts';
import { type S3IamProxy, startS3IamProxy } from './s3-iam-proxy.ts';
import { MAX_MESSAGE_BYTES, MAX_SUBJECT_CHARS, SnsStandIn } from './sns-stand-in.ts';

/**
 * The deployable artefacts, proven: the app is synthesised, each function's bundle is taken from cdk.out and run in a
 * child process where only Node's built-ins resolve (the AWS SDK is bundled), against s3rver (buckets named from the template)
 * and a stand-in for Athena that enforces Athena's documented rules (athena-stand-in.ts). Each function runs with
 * credentials of its own, and each of its S3 and Athena calls (and what Athena does in Glue and S3 for it) is
 * authorised against its role's policies in the template, by IAM's rules (iam-authoriser.ts, s3-iam-proxy.ts).
 * Scale: AWS_TEST_SCALE (share of England's PCNs, default 0.01) x AWS_TEST_MONTHS (default 6).
 */
const SCALE = Number(process.env.AWS_TEST_SCALE ?? 0.01);
const MONTHS = Number(process.env.AWS_TEST_MONTHS ?? 6);
const END_MONTH = '2026-10';
/** Lambda's invocation response limit (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). */
const LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024;

const dir = tempDir('aws-bundles');
/** s3rver with the template's buckets, the IAM stand-in and the S3 proxy authorising by it (test/support). */
let aws: AwsStandIns;
let app: SynthesisedApp;
let s3: LocalS3;
let athena: AthenaStandIn;
let sns: SnsStandIn;
/** Authorises every call of a bundle against its role's policies as synthesised; its refusals are read at the end. */
let authoriser: TemplateAuthoriser;
/** S3 for the bundles: s3rver behind the proxy that authorises each request. */
let s3Proxy: S3IamProxy;
/** A topic for each of England's seven NHS regions, as `regionalAlertEmails` makes them (infra/constructs/regional-alerts.ts). */
const ALERT_TOPICS = Object.fromEntries(
  ['Y56', 'Y58', 'Y59', 'Y60', 'Y61', 'Y62', 'Y63'].map((region) => [
    region,
    `arn:aws:sns:eu-west-2:111122223333:regional-alerts-${region}`,
  ]),
);
const DASHBOARD_URL = 'https://dashboard.example.org';
let dataBucket: string;
let resultsBucket: string;
let data: S3ObjectStore;
const lambdas: WarmLambda[] = [];
let env: Record<string, string>;
let pool: Awaited<ReturnType<typeof testUserPool>>;
let demo: ReturnType<typeof generateNationalDemo>;
const demoDir = join(dir.path, 'demo');
const sqsFixture = JSON.parse(readFileSync('test/fixtures/events/sqs-eventbridge-s3-object-created.json', 'utf8'));
const scheduled = JSON.parse(readFileSync('test/fixtures/events/eventbridge-scheduled.json', 'utf8'));
const httpFixture = JSON.parse(readFileSync('test/fixtures/events/apigw-v2-metrics-request.json', 'utf8'));
const uploadFixture = JSON.parse(readFileSync('test/fixtures/events/apigw-v2-upload-request.json', 'utf8'));

function start(logicalIdPrefix: string, extra: Record<string, string> = {}): WarmLambda {
  const fn = lambdaFunction(app, logicalIdPrefix);
  const lambda = new WarmLambda(fn, join(dir.path, `${fn.logicalId}-${lambdas.length}`), {
    ...aws.functionEnv(fn),
    ...env,
    // Its own credentials: whose policy applies to each of its calls.
    ...authoriser.credentialsFor(fn.logicalId),
    ...extra,
  });
  lambdas.push(lambda);
  return lambda;
}

/**
 * An SQS batch of EventBridge "Object Created" events for keys of the data bucket, as the queues deliver them: each
 * event's time is now, to the second, as S3 stamps an object written now (the refresh skips a batch its last run
 * already read: functions/refresh/handler.ts decide).
 */
function sqsBatch(keys: readonly string[], messagePrefix = 'm'): unknown {
  const [record] = sqsFixture.Records;
  const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    Records: keys.map((key, i) => {
      const body = JSON.parse(record.body);
      body.time = time;
      body.detail.bucket.name = dataBucket;
      body.detail.object.key = key;
      body.id = `${messagePrefix}-event-${i}`;
      return { ...structuredClone(record), messageId: `${messagePrefix}-${i}`, body: JSON.stringify(body) };
    }),
  };
}

beforeAll(async () => {
  // The generator is synchronous and slow: it runs before any server starts, so no idle connection is cut meanwhile.
  demo = generateNationalDemo({
    outDir: demoDir,
    scale: SCALE,
    months: MONTHS,
    endMonth: END_MONTH,
    seed: 12,
    faultRate: 0,
  });
  aws = await startAwsStandIns(join(dir.path, 'cdk.out'));
  ({ app, s3, authoriser, s3Proxy, dataBucket, resultsBucket, data } = aws);
  athena = await aws.startAthena();
  sns = new SnsStandIn(Object.values(ALERT_TOPICS));
  await sns.start();
  pool = await testUserPool();
  env = {
    AWS_ENDPOINT_URL_S3: s3Proxy.endpoint,
    AWS_ENDPOINT_URL_ATHENA: athena.endpoint,
    USER_POOL_ID,
    USER_POOL_CLIENT_ID: CLIENT_ID,
    STAND_IN_JWKS: JSON.stringify(pool.jwks),
  };
  await stageReference(data, readFileSync(join(demoDir, demo.reference), 'utf8'));
}, 600_000);

afterAll(async () => {
  for (const lambda of lambdas) lambda.stop();
  await athena?.stop();
  await sns?.stop();
  await aws?.stop();
  dir.remove();
});

describe("the Athena stand-in enforces Athena's documented rules", () => {
  const client = () =>
    new AthenaClient({
      endpoint: athena.endpoint,
      region: 'eu-west-2',
      // A principal allowed everything: these tests show Athena's own rules, on tables no role may create.
      credentials: { accessKeyId: UNRESTRICTED_KEY, secretAccessKey: 'x' },
    });
  const workGroup = () => workgroups(app)[0]?.name as string;
  async function run(sql: string) {
    const athenaClient = client();
    const { QueryExecutionId } = await athenaClient.send(
      new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: workGroup() }),
    );
    const states: string[] = [];
    for (;;) {
      const { QueryExecution } = await athenaClient.send(new GetQueryExecutionCommand({ QueryExecutionId }));
      const state = QueryExecution?.Status?.State as string;
      if (states.at(-1) !== state) states.push(state);
      if (['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(state))
        return {
          id: QueryExecutionId as string,
          states,
          status: QueryExecution?.Status,
          location: QueryExecution?.ResultConfiguration?.OutputLocation,
        };
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  it('passes through QUEUED and RUNNING, and pages results by at most 1,000 rows with NextToken', async () => {
    const { id, states } = await run('SELECT CAST(range AS BIGINT) AS n FROM range(2500)');
    expect(states).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    const pages: number[] = [];
    let token: string | undefined;
    do {
      const page = await client().send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }));
      pages.push(page.ResultSet?.Rows?.length ?? 0);
      token = page.NextToken;
    } while (token);
    // 2,500 rows and the header row.
    expect(pages).toEqual([MAX_RESULTS, MAX_RESULTS, 501]);
    await expect(
      client().send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1_001 })),
    ).rejects.toThrow('MaxResults must be between 1 and 1000');
  });

  it('fails a CTAS with external_location in a workgroup that enforces its result location, with AthenaError', async () => {
    expect(workgroups(app)[0]?.enforced).toBe(true);
    const { states, status } = await run(
      `CREATE TABLE t_ext WITH (format = 'PARQUET', external_location = 's3://${resultsBucket}/x/') AS SELECT 1 AS a`,
    );
    expect(states.at(-1)).toBe('FAILED');
    expect(status?.AthenaError).toMatchObject({ ErrorCategory: 2, Retryable: false });
    expect(status?.StateChangeReason).toContain('may not specify external_location');
  });

  it('fails a CTAS whose location holds objects (HIVE_PATH_ALREADY_EXISTS) and one over 100 partitions', async () => {
    const ok = await run(`CREATE TABLE t_one WITH (format = 'PARQUET') AS SELECT 1 AS a`);
    expect(ok.states.at(-1)).toBe('SUCCEEDED');
    const location = `${workgroups(app)[0]?.outputLocation}tables/${ok.id}/`;
    const { prefix } = { prefix: location.replace(`s3://${resultsBucket}/`, '') };
    expect((await new S3ObjectStore(s3.client, resultsBucket).list(prefix)).length).toBe(1);
    const many = await run(
      `CREATE TABLE t_many WITH (format = 'PARQUET', partitioned_by = ARRAY['p']) AS SELECT range AS a, range AS p FROM range(${MAX_CTAS_PARTITIONS + 1})`,
    );
    expect(many.status?.StateChangeReason).toMatch(/^HIVE_TOO_MANY_OPEN_PARTITIONS/);
    const hundred = await run(
      `CREATE TABLE t_hundred WITH (format = 'PARQUET', partitioned_by = ARRAY['p']) AS SELECT range AS a, range AS p FROM range(${MAX_CTAS_PARTITIONS})`,
    );
    expect(hundred.states.at(-1)).toBe('SUCCEEDED');
  });

  it('fails a CTAS whose column is named by a reserved word, and drops the table it began (ATHENA_RULE_SOURCES.ctasNames)', async () => {
    const failed = await run(`CREATE TABLE t_word WITH (format = 'PARQUET') AS SELECT 'before' AS "window", 3 AS n`);
    expect(failed.states.at(-1)).toBe('FAILED');
    expect(failed.status?.StateChangeReason).toBe("CTAS table 'db.t_word': column name 'window' is a reserved word");
    const plain = await run(
      `CREATE TABLE t_word WITH (format = 'PARQUET') AS SELECT 'before' AS service_window, 3 AS n`,
    );
    expect(plain.states.at(-1)).toBe('SUCCEEDED');
  });

  it("writes each result where OutputLocation says: a SELECT's CSV, which the engine reads back exactly from S3, a DDL's text, nothing for a CTAS", async () => {
    const results = new S3ObjectStore(s3.client, resultsBucket);
    const key = (location: string) => location.replace(`s3://${resultsBucket}/`, '');
    const select = await run(
      `SELECT * FROM (VALUES (1, 'a,b', 2.5, true, TIMESTAMP '2025-04-01 09:30:00'), (NULL, '', NULL, NULL, NULL), (3, 'say "hi"' || chr(10) || 'é', -1.0, false, TIMESTAMP '2025-12-31 23:59:59.999')) AS v (n, s, x, ok, t)`,
    );
    const location = select.location as string;
    expect(location).toBe(`${workgroups(app)[0]?.outputLocation}${select.id}.csv`);
    const page = await client().send(new GetQueryResultsCommand({ QueryExecutionId: select.id, MaxResults: 1 }));
    const columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({
      name: c.Name ?? '',
      type: c.Type,
    }));
    const rows = await readResultCsv(
      'test/select',
      (await results.getStream(key(location))) as AsyncIterable<Uint8Array>,
      columns,
    );
    expect(rows).toEqual([
      { n: 1, s: 'a,b', x: 2.5, ok: true, t: '2025-04-01T09:30:00.000Z' },
      { n: null, s: '', x: null, ok: null, t: null },
      { n: 3, s: 'say "hi"\né', x: -1, ok: false, t: '2025-12-31T23:59:59.999Z' },
    ]);
    const view = await run('CREATE OR REPLACE VIEW v_txt AS SELECT 1 AS a');
    expect(view.location).toBe(`${workgroups(app)[0]?.outputLocation}${view.id}.txt`);
    expect(await results.get(key(view.location as string))).toEqual(new Uint8Array());
    const ctas = await run(`CREATE TABLE t_csv WITH (format = 'PARQUET') AS SELECT 1 AS a`);
    expect(ctas.location).toBe(`${workgroups(app)[0]?.outputLocation}${ctas.id}`);
    expect(await results.get(key(ctas.location as string))).toBeUndefined();
  });

  it('refuses a query string over 262,144 bytes with InvalidRequestException, and cancels on request', async () => {
    const long = `SELECT 1 -- ${'x'.repeat(MAX_QUERY_BYTES)}`;
    await expect(
      client().send(new StartQueryExecutionCommand({ QueryString: long, WorkGroup: workGroup() })),
    ).rejects.toMatchObject({ name: 'InvalidRequestException' });
    const { QueryExecutionId } = await client().send(
      new StartQueryExecutionCommand({ QueryString: 'SELECT 1', WorkGroup: workGroup() }),
    );
    await client().send(new StopQueryExecutionCommand({ QueryExecutionId }));
    const { QueryExecution } = await client().send(new GetQueryExecutionCommand({ QueryExecutionId }));
    expect(QueryExecution?.Status?.State).toBe('CANCELLED');
  });
});

describe("the SNS stand-in enforces Publish's documented rules", () => {
  const client = () =>
    new SNSClient({
      endpoint: sns.endpoint,
      region: 'eu-west-2',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
  const topic = () => ALERT_TOPICS.Y56 as string;

  it('takes a message of 262,144 bytes of UTF-8, and refuses one byte more, a long subject and an unknown topic', async () => {
    // 'é' is two bytes in UTF-8: the limit is in bytes, not characters.
    const largest = `${'é'.repeat(MAX_MESSAGE_BYTES / 2 - 1)}ab`;
    expect(Buffer.byteLength(largest)).toBe(MAX_MESSAGE_BYTES);
    await client().send(
      new PublishCommand({ TopicArn: topic(), Message: largest, Subject: 's'.repeat(MAX_SUBJECT_CHARS) }),
    );
    await expect(
      client().send(new PublishCommand({ TopicArn: topic(), Message: `${largest}c` })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    await expect(
      client().send(
        new PublishCommand({ TopicArn: topic(), Message: 'm', Subject: 's'.repeat(MAX_SUBJECT_CHARS + 1) }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(
      client().send(new PublishCommand({ TopicArn: topic(), Message: 'm', Subject: 'two\nlines' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(
      client().send(new PublishCommand({ TopicArn: `${topic()}-gone`, Message: 'm' })),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
    expect(sns.refused.map((r) => r.code)).toEqual([
      'InvalidParameter',
      'InvalidParameter',
      'InvalidParameter',
      'NotFound',
    ]);
    // What the end-to-end refresh sends is checked from a clean record.
    sns.published.length = 0;
    sns.refused.length = 0;
  });
});

describe('the bundles from cdk.out, end to end', () => {
  let ingest: WarmLambda;
  let refresh: WarmLambda;
  let api: WarmLambda;
  const held: string[] = [];
  const sizes: {
    page: string;
    path: string;
    bytes: number;
    rowBytes: number;
    gzipBase64: number;
    months: number;
  }[] = [];

  const get = async (path: string) => {
    const url = new URL(path, 'https://example.org');
    const event = structuredClone(httpFixture);
    event.rawPath = url.pathname;
    event.rawQueryString = url.searchParams.toString();
    event.requestContext.http.path = url.pathname;
    event.headers.authorization = `Bearer ${await pool.accessToken(['national'])}`;
    event.headers['accept-encoding'] = 'gzip, deflate, br';
    const answer = await api.invoke(event);
    expect(answer.error).toBeUndefined();
    const response = answer.result as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
      isBase64Encoded?: boolean;
    };
    // Brotli once the warm function has made it, gzip until then (functions/api/compress.ts).
    const decode = response.headers['content-encoding'] === 'br' ? brotliDecompressSync : gunzipSync;
    const text = response.isBase64Encoded ? decode(Buffer.from(response.body, 'base64')).toString() : response.body;
    return { status: response.statusCode, json: JSON.parse(text), text, wire: response.body.length };
  };

  it('an upload through the upload bundle: token, presigned POST, object in the landing area', async () => {
    // CloudFront's header, as test/fixtures/events/apigw-v2-upload-request.json carries it (the template's value is a
    // Secrets Manager reference CloudFormation resolves at deploy).
    const upload = start('ApiUploadsHandler', { ORIGIN_VERIFY: 'test-origin-secret' });
    const file = demo.files.find((f) => f.kind === 'events') as (typeof demo.files)[number];
    const body = readFileSync(join(demoDir, file.path));
    const sha256 = createHash('sha256').update(body).digest('hex');
    const token = (await new PcnTokenRegistry(data).create(file.pcn, { expiresInDays: 1 })).token;
    const event = structuredClone(uploadFixture);
    event.headers.authorization = `Bearer ${token}`;
    event.body = JSON.stringify({
      pcn_code: file.pcn,
      kind: 'events',
      format: 'csv',
      compressed: false,
      bytes: body.length,
      sha256,
    });
    event.isBase64Encoded = false;
    // Without CloudFront's header (the execute-api address called directly): 403, before the token is looked at.
    const direct = structuredClone(event);
    delete direct.headers['x-origin-verify'];
    expect((await upload.invoke(direct)).result).toMatchObject({ statusCode: 403, body: '{"error":"forbidden"}' });
    const answer = await upload.invoke(event);
    const response = answer.result as { statusCode: number; body: string };
    expect(response.statusCode).toBe(201);
    const grant = JSON.parse(response.body) as { key: string; post: { url: string; fields: Record<string, string> } };
    // Through the proxy: the form's credential is the upload function's, its key one its role may put.
    expect(grant.post.url).toBe(`${s3Proxy.endpoint}/${dataBucket}`);
    const form = new FormData();
    for (const [k, v] of Object.entries(grant.post.fields)) form.append(k, v);
    form.append('file', new Blob([body]));
    const posted = await fetch(grant.post.url, { method: 'POST', body: form });
    expect(posted.status).toBeLessThan(300);
    expect(await data.get(grant.key)).toEqual(new Uint8Array(body));
    held.push(grant.key);
  });

  it('the ingest bundle on SQS <- EventBridge <- S3 events: every landed file gets its receipt', async () => {
    ingest = start('IngestHandler');
    const keys = [...held];
    const late = new Set(
      demo.files
        .filter((f) => f.month === END_MONTH && f.kind === 'events')
        .slice(0, 3)
        .map((f) => f.path),
    );
    const lateKeys: string[] = [];
    for (const file of demo.files) {
      const body = readFileSync(join(demoDir, file.path));
      const sha = createHash('sha256').update(body).digest('hex');
      const key = landingKeyFor(file.pcn, uploadIdFor(file.pcn, sha), file.path.split('/').at(-1) as string);
      if (keys.includes(key)) continue;
      await data.put(key, body);
      (late.has(file.path) ? lateKeys : keys).push(key);
    }
    held.length = 0;
    held.push(...lateKeys);
    for (let i = 0; i < keys.length; i += 10) {
      const answer = await ingest.invoke(sqsBatch(keys.slice(i, i + 10), `ingest-${i}`));
      expect(answer.error).toBeUndefined();
      expect(answer.result).toEqual({ batchItemFailures: [] });
    }
    expect((await data.list('receipts/')).length).toBe(keys.length);
  }, 600_000);

  /** Runs the refresh bundle on an event; its time and the process's peak memory go to the report. */
  const refreshOn = async (event: unknown, label: string) => {
    const started = Date.now();
    const answer = await refresh.invoke(event);
    console.info(`refresh bundle (${label}): ${Date.now() - started} ms, peak RSS so far ${answer.maxRssMb} MB`);
    expect(answer.error, label).toBeUndefined();
    expect(answer.ok, label).toBe(true);
    refreshPeakMb = Math.max(refreshPeakMb, answer.maxRssMb);
    return answer.result;
  };
  let refreshPeakMb = 0;

  it('the refresh bundle on its schedule, and the same scheduled event again (an async retry) succeeds', async () => {
    refresh = start('RefreshHandler', {
      SQL_ROOT: join(dir.path, `${lambdaFunction(app, 'RefreshHandler').logicalId}-${lambdas.length}`, 'sql'),
      ALERT_TOPICS: JSON.stringify(ALERT_TOPICS),
      DASHBOARD_URL,
      AWS_ENDPOINT_URL_SNS: sns.endpoint,
    });
    const results = new S3ObjectStore(s3.client, resultsBucket);
    const before = { statements: athena.statements.length, tables: await results.list('results/tables/') };
    await refreshOn(scheduled, 'schedule');
    // Each region's alerts went to its topic, as published, and SNS took every message (size, subject).
    const alerts = JSON.parse(
      Buffer.from((await (await currentRelease(data)).get('metrics/alerts.json')) ?? []).toString('utf8'),
    );
    const expected = regionalAlertMessages(alerts, { dashboardUrl: DASHBOARD_URL }).map((m) => ({
      TopicArn: ALERT_TOPICS[m.region],
      Message: m.message,
      Subject: m.subject,
    }));
    console.info(`regional alerts: ${alerts.rows.length} alerts, ${expected.length} SNS messages`);
    expect(expected.length).toBeGreaterThan(0);
    expect(sns.published).toEqual(expected);
    expect(sns.refused).toEqual([]);
    await refreshOn(scheduled, 'schedule, retried');
    const statements = athena.statements.slice(before.statements);
    expect(statements.filter((s) => s.startsWith('CREATE TABLE')).length).toBeGreaterThan(0);
    expect(statements.filter((s) => s.includes('external_location'))).toEqual([]);
    // Each attempt dropped its tables and deleted their data: nothing new is left under tables/.
    expect(await results.list('results/tables/')).toEqual(before.tables);
    const meta = JSON.parse(Buffer.from((await data.get('metrics/meta.json')) ?? []).toString('utf8'));
    expect(meta.generated_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // The monthly packs too: pdfkit's standard-font metrics travel with the bundle (issue 18).
    const pack = Buffer.from((await (await currentRelease(data)).get('metrics/packs/national/ENG.pdf')) ?? []);
    expect(pack.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  }, 900_000);

  it('every request a dashboard page makes is far below the 6 MB response limit', async () => {
    api = start('ApiHandler', { ORIGIN_VERIFY: 'test-origin-secret' });
    // CloudFront is the only way in (README, "What reaches the API"): a signed-in request without CloudFront's header,
    // or with another value, is refused 403 by the bundle before its token or the store is looked at.
    for (const origin of [undefined, 'not-the-secret', '']) {
      const event = structuredClone(httpFixture);
      event.rawPath = '/api/meta';
      event.rawQueryString = '';
      event.requestContext.http.path = '/api/meta';
      event.headers.authorization = `Bearer ${await pool.accessToken(['national'])}`;
      if (origin === undefined) delete event.headers['x-origin-verify'];
      else event.headers['x-origin-verify'] = origin;
      expect((await api.invoke(event)).result, String(origin)).toMatchObject({
        statusCode: 403,
        body: '{"error":"forbidden"}',
      });
    }
    const meta = (await get('/api/meta')).json as { financial_years: string[]; months: string[]; pcns: unknown[] };
    const fy = meta.financial_years.at(-1) as string;
    const area = 'level=national&code=ENG';
    const workforce = (await get(`/api/metrics/workforce?${area}`)).json as {
      rows: { period_type: string; period: string }[];
    };
    const latest = workforce.rows
      .filter((r) => r.period_type === 'month')
      .map((r) => r.period)
      .sort()
      .at(-1) as string;
    const requests: [string, string][] = [
      ['all', '/api/meta'],
      ['all', '/api/me'],
      ['rollout', `/api/metrics/rollout?${area}`],
      ['rollout', `/api/metrics/workforce?${area}&period_type=month`],
      ['outcomes', `/api/metrics/cof_person?${area}&period=${fy}`],
      ['outcomes', `/api/metrics/wellbeing?${area}&period=${fy}`],
      ['outcomes', `/api/metrics/cof_system?${area}&period=${fy}`],
      ['outcomes', `/api/metrics/cof_community?${area}&period=${fy}`],
      ['equity', `/api/metrics/equity?${area}&period=${fy}`],
      ['workforce', `/api/metrics/workforce?${area}`],
      ['workforce', `/api/metrics/workforce?level=pcn&period=${latest}`],
      ['compare', `/api/metrics/pcn_comparison?level=pcn&period=${fy}`],
      ['submissions', '/api/metrics/data_quality?level=pcn'],
    ];
    for (const [page, path] of requests) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      const rows = (response.json.rows ?? []) as { period_type?: string; period?: string }[];
      const months = new Set(rows.filter((r) => r.period_type === 'month').map((r) => r.period)).size;
      // The rows grow with PCNs and months; the rest (summaries such as the funnel curves, one per financial year)
      // does not grow with PCNs, only with the years the document covers.
      const rowBytes = Buffer.byteLength(JSON.stringify(rows));
      sizes.push({ page, path, bytes: Buffer.byteLength(response.text), rowBytes, gzipBase64: response.wire, months });
    }
    // National: about 1,300 PCNs and 60 months. An answer grows with PCNs when it lists PCNs (level=pcn, meta), and
    // with months when its rows span several months; otherwise not at all.
    const pcnFactor = 1_300 / meta.pcns.length;
    const monthFactor = 60 / meta.months.length;
    const yearFactor = 5 / Math.max(1, meta.financial_years.length);
    const rowFactor = (s: (typeof sizes)[number]) =>
      (s.path === '/api/meta' || s.path.includes('level=pcn') ? pcnFactor : 1) * (s.months > 1 ? monthFactor : 1);
    // National bytes over measured bytes: rows scale with PCNs and months, the rest at most with the years covered.
    const national = (s: (typeof sizes)[number]) =>
      s.path === '/api/meta'
        ? pcnFactor
        : (s.rowBytes * rowFactor(s) + Math.max(0, s.bytes - s.rowBytes) * Math.max(1, yearFactor)) / s.bytes;
    console.info(
      `response sizes with ${meta.pcns.length} PCNs x ${meta.months.length} months, and extrapolated to 1,300 x 60:\n${sizes
        .map(
          (s) =>
            `${s.page.padEnd(12)} ${String(s.bytes).padStart(8)} B json ${String(s.gzipBase64).padStart(7)} B sent | national ~${Math.round((s.bytes * national(s)) / 1024)} KiB json ~${Math.round((s.gzipBase64 * national(s)) / 1024)} KiB sent  ${s.path}`,
        )
        .join('\n')}`,
    );
    for (const s of sizes) {
      // Nationally, what the function returns (gzip, base64) stays under a quarter of the limit, and even a client
      // that cannot take gzip gets under half of it.
      expect(s.gzipBase64 * national(s), s.path).toBeLessThan(LAMBDA_RESPONSE_LIMIT / 4);
      expect(s.bytes * national(s), s.path).toBeLessThan(LAMBDA_RESPONSE_LIMIT / 2);
    }
  });

  it('on its SQS trigger, and the same batch redelivered, the refresh publishes new figures a warm API serves', async () => {
    const before = (await get('/api/metrics/rollout?level=national&code=ENG&period_type=month')).json as {
      generated_at: string;
      rows: { period: string; referrals: number }[];
    };
    expect(held.length).toBeGreaterThan(0);
    expect((await ingest.invoke(sqsBatch(held, 'late'))).result).toEqual({ batchItemFailures: [] });
    const receipts = (await data.list('receipts/')).slice(-3);
    const trigger = sqsBatch(receipts, 'refresh');
    const results = new S3ObjectStore(s3.client, resultsBucket);
    const tables = await results.list('results/tables/');
    // Minutes after the schedule's refresh, within the template's 30 minutes: deferred (review 14, R14-4), and the
    // catch-up schedule's request, as its rule's input makes it, refreshes for it.
    expect(await refreshOn(trigger, 'SQS trigger, deferred')).toEqual({
      skipped: true,
      deferredAt: expect.any(String),
    });
    const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const catchUp = { 'detail-type': 'Deferred Refresh Check', id: 'catch-up-event', time };
    const [record] = sqsFixture.Records;
    await refreshOn(
      { Records: [{ ...structuredClone(record), messageId: 'catch-up', body: JSON.stringify(catchUp) }] },
      'catch-up',
    );
    const refreshed = JSON.parse(Buffer.from((await data.get('metrics/meta.json')) ?? []).toString('utf8'));
    expect(Date.parse(refreshed.generated_at)).toBeGreaterThanOrEqual(Date.parse(time));
    // The same batch again (a redelivery): served by that refresh, or deferred again; never an error.
    await refreshOn(trigger, 'SQS trigger, redelivered');
    expect(await results.list('results/tables/')).toEqual(tables);
    const memoryMb = lambdaFunction(app, 'RefreshHandler').memoryMb;
    console.info(`refresh bundle peak RSS over three refreshes: ${refreshPeakMb} MB (function memory ${memoryMb} MB)`);
    expect(refreshPeakMb).toBeLessThan(memoryMb);
    // The warm instance re-reads meta.json once its copy is 30 seconds old.
    await new Promise((r) => setTimeout(r, 31_000));
    const after = (await get('/api/metrics/rollout?level=national&code=ENG&period_type=month')).json as typeof before;
    expect(after.generated_at).not.toBe(before.generated_at);
    const month = (doc: typeof before) => doc.rows.find((r) => r.period === END_MONTH)?.referrals ?? 0;
    // The late files raise England's month, unless the revisions policy holds it (docs/methodology.md, "Revisions of
    // England's figures": a figure of the month changed by fewer than 3 PCNs holds every England figure of the month):
    // then it is exactly the value published before, and meta.json, as the API serves it, names the month for rollout.
    const meta = (await get('/api/meta')).json as {
      revisions_held?: { documents: Record<string, { periods: string[] }> };
    };
    if (meta.revisions_held?.documents.rollout?.periods.includes(END_MONTH)) expect(month(after)).toBe(month(before));
    else expect(month(after)).toBeGreaterThan(month(before));
  }, 900_000);

  // Review 33, R33-2: the AWS SDK is in the bundle (infra/constructs/lambda-defaults.ts), so a bundle needs nothing
  // of the runtime's changing SDK, and the warm Lambdas above ran exactly what ships (no node_modules beside them).
  it('each bundle imports nothing but Node built-ins, and carries no node_modules', async () => {
    for (const prefix of ['IngestHandler', 'RefreshHandler', 'ApiHandler', 'ApiUploadsHandler']) {
      const fn = lambdaFunction(app, prefix);
      expect(existsSync(join(fn.asset, 'node_modules')), prefix).toBe(false);
      const imports = await bundleImports(fn.asset);
      expect(imports.length, prefix).toBeGreaterThan(0);
      expect(
        imports.filter((specifier) => !isNodeBuiltin(specifier)),
        prefix,
      ).toEqual([]);
    }
  });
});

describe('compaction through the refresh bundle, on many small upload objects', () => {
  // Three months of eight PCNs, both kinds: 45 uploads (one PCN sends no workforce file), and as many objects as the
  // ingest bundle writes for them: one per upload and month its rows fall in (issue 17). An events file holds rows of
  // its own month and, in its corrections, of the one or two before (a connection's attendance, sent one or two
  // months on: CORRECTION_MONTHS); a workforce file of its month only. Each run gets its own bucket, and its own
  // Athena stand-in whose tables point there.
  const MONTHS_USED = 3;
  const PCNS_USED = 8;
  const standIns: AthenaStandIn[] = [];
  const proxies: S3IamProxy[] = [];
  let files: typeof demo.files;
  /** Each upload's id, its rows by partition month (from its file) and the objects the ingest writes for it. */
  let uploads: { uploadId: string; rowsByMonth: Record<string, number>; objects: string[] }[];
  /** The curated objects the ingest writes for those uploads: one per upload and month its rows fall in. */
  let uploadObjects: number;
  /** The partitions (kind and month) those objects fall in: after compaction, one object each. */
  let partitions: number;
  /** Of them, those holding at least minUploadObjects objects: the partitions compacted (the others are left as they are). */
  let merged: number;
  let plainDocuments: Map<string, unknown>;

  afterAll(async () => {
    for (const standIn of standIns) await standIn.stop();
    for (const proxy of proxies) await proxy.stop();
  });

  /**
   * A bucket of its own (standing for the template's data bucket: its grants apply), the Athena stand-in over it, and
   * the refresh bundle reading it; with `rights`, authorised by another template than the synthesised one.
   */
  async function bucketRun(bucket: string, extra: Record<string, string> = {}, rights = authoriser) {
    await s3.createBucket(bucket);
    for (const each of new Set([authoriser, rights])) each.alias(bucket, dataBucket);
    const standIn = await aws.startAthena(
      rights,
      glueTables(app).map((t) => (t.bucket === dataBucket ? { ...t, bucket } : t)),
    );
    standIns.push(standIn);
    let s3Endpoint = s3Proxy.endpoint;
    if (rights !== authoriser) {
      const proxy = await startS3IamProxy(s3.endpoint, rights);
      proxies.push(proxy);
      s3Endpoint = proxy.endpoint;
    }
    const store = new S3ObjectStore(s3.clientVia(s3.endpoint, 3), bucket);
    const refreshDir = join(dir.path, `${lambdaFunction(app, 'RefreshHandler').logicalId}-${lambdas.length}`);
    const lambda = start('RefreshHandler', {
      SQL_ROOT: join(refreshDir, 'sql'),
      DATA_BUCKET: bucket,
      AWS_ENDPOINT_URL_ATHENA: standIn.endpoint,
      AWS_ENDPOINT_URL_S3: s3Endpoint,
      ...extra,
    });
    const refresh = async (label: string) => {
      const started = Date.now();
      const answer = await lambda.invoke(scheduled);
      console.info(`refresh bundle (${label}): ${Date.now() - started} ms`);
      expect(answer.error, label).toBeUndefined();
      return answer.result as { compaction?: { partitions: number; objectsBefore: number; objectsAfter: number } };
    };
    return { store, refresh, invoke: () => lambda.invoke(scheduled) };
  }

  const curated = async (store: S3ObjectStore) =>
    [...(await store.list('curated/events/')), ...(await store.list('curated/workforce/'))]
      .filter((k) => k.endsWith('.parquet'))
      .sort();

  /**
   * The objects after compaction, exactly: in each partition of two upload objects or more (minUploadObjects), one
   * compacted object (far below 250,000 rows); a partition of one upload object keeps it, untouched.
   */
  const expectCompacted = (after: readonly string[]) => {
    const byPartition = new Map<string, string[]>();
    for (const key of uploads.flatMap((u) => u.objects)) {
      const partition = key.slice(0, key.lastIndexOf('/'));
      byPartition.set(partition, [...(byPartition.get(partition) ?? []), key]);
    }
    const expected = [...byPartition].map(([partition, keys]) =>
      keys.length < DEFAULT_COMPACTION_POLICY.minUploadObjects ? (keys[0] as string) : `${partition}/compacted`,
    );
    expect(after.map((key) => key.replace(/\/compacted\.[a-z0-9-]+\.0\.parquet$/, '/compacted')).sort()).toEqual(
      expected.sort(),
    );
  };

  /**
   * Every JSON document of the release published (functions/lib/release.ts), its refresh time (generated_at, wherever
   * it appears, and the release meta.json names after it) left out.
   */
  async function published(store: S3ObjectStore): Promise<Map<string, unknown>> {
    const documents = new Map<string, unknown>();
    const release = await currentRelease(store);
    for (const key of (await release.list('metrics/')).filter((k) => k.endsWith('.json')).sort()) {
      const text = Buffer.from((await release.get(key)) ?? []).toString('utf8');
      documents.set(
        key,
        JSON.parse(text, (name, value) => (name === 'generated_at' || name === 'release' ? undefined : value)),
      );
    }
    return documents;
  }

  /** Copies every object of one bucket into another: the same uploads, receipts and reference data. */
  async function copyBucket(from: S3ObjectStore, to: S3ObjectStore) {
    for (const key of await from.list('')) await to.put(key, (await from.get(key)) as Uint8Array);
  }

  let plain: Awaited<ReturnType<typeof bucketRun>>;

  it('without compaction (COMPACTION_BUDGET_MS=0): the ingest bundle writes one object per upload and month its rows fall in', async () => {
    const months = demo.months.slice(-MONTHS_USED);
    const pcns = [...new Set(demo.files.map((f) => f.pcn))].sort().slice(0, PCNS_USED);
    files = demo.files.filter((f) => months.includes(f.month) && pcns.includes(f.pcn));
    // Both kinds in every month, several uploads each (a PCN that sends no workforce file some month sends fewer).
    const uploadsPer = new Map<string, number>();
    for (const f of files) uploadsPer.set(`${f.kind} ${f.month}`, (uploadsPer.get(`${f.kind} ${f.month}`) ?? 0) + 1);
    expect(uploadsPer.size).toBe(MONTHS_USED * 2);
    expect(Math.min(...uploadsPer.values())).toBeGreaterThanOrEqual(PCNS_USED / 2);
    // What the ingest is to write, read from the files themselves: each upload's rows by the month of its partition
    // column (events by occurred_on, workforce by snapshot_month: functions/contract/tables.ts), one object a month.
    uploads = files.map((file) => {
      const body = readFileSync(join(demoDir, file.path));
      const uploadId = uploadIdFor(file.pcn, createHash('sha256').update(body).digest('hex'));
      const column = file.kind === 'events' ? 'occurred_on' : 'snapshot_month';
      const rows = Papa.parse<Record<string, string>>(body.toString('utf8'), { header: true, skipEmptyLines: true });
      const rowsByMonth: Record<string, number> = {};
      for (const row of rows.data) {
        const month = (row[column] as string).slice(0, 7);
        rowsByMonth[month] = (rowsByMonth[month] ?? 0) + 1;
      }
      const partition = file.kind === 'events' ? 'event_month' : 'snapshot_month';
      const objects = Object.keys(rowsByMonth).map((m) => `curated/${file.kind}/${partition}=${m}/${uploadId}.parquet`);
      return { uploadId, rowsByMonth, objects: objects.sort() };
    });
    const objectsPer = new Map<string, number>();
    for (const key of uploads.flatMap((u) => u.objects)) {
      const partition = key.slice(0, key.lastIndexOf('/'));
      objectsPer.set(partition, (objectsPer.get(partition) ?? 0) + 1);
    }
    uploadObjects = [...objectsPer.values()].reduce((sum, n) => sum + n, 0);
    partitions = objectsPer.size;
    merged = [...objectsPer.values()].filter((n) => n >= DEFAULT_COMPACTION_POLICY.minUploadObjects).length;
    // Worked by hand from the files (seed 12, August to October 2026, the first eight PCNs in code order): 24 events
    // files and 21 workforce files (U06272 sends none: no staff in the workforce publication). A workforce file is one
    // object. An events file is one object for its own month and one more for each earlier month whose attendance it
    // sends: 18 hold the month before's too; 3 only their own (U05679's October, U08561's September, U08803's
    // August: the month before's attendance comes two months on, or after the demo's last month); 3 also the month
    // two before (U08561's August holds June's, U08803's September July's, U08561's October August's). 18 x 2 + 3 x 1
    // + 3 x 3 = 48, and 48 + 21 = 69 objects. Their partitions: events June (U08561's August alone: one object, too
    // few to compact, left as it is) to October, 5, and workforce August to October, 3: 8, of which 7 are compacted.
    expect({ uploads: files.length, objects: uploadObjects, partitions, merged }).toEqual({
      uploads: 45,
      objects: 69,
      partitions: 8,
      merged: 7,
    });

    plain = await bucketRun('compaction-plain', { COMPACTION_BUDGET_MS: '0' });
    await stageReference(plain.store, readFileSync(join(demoDir, demo.reference), 'utf8'));
    const ingestInto = start('IngestHandler', { DATA_BUCKET: 'compaction-plain' });
    const keys: string[] = [];
    for (const file of files) {
      const body = readFileSync(join(demoDir, file.path));
      const sha = createHash('sha256').update(body).digest('hex');
      const key = landingKeyFor(file.pcn, uploadIdFor(file.pcn, sha), file.path.split('/').at(-1) as string);
      await plain.store.put(key, body);
      keys.push(key);
    }
    const batch = (slice: readonly string[], prefix: string) => {
      const event = sqsBatch(slice, prefix) as { Records: { body: string }[] };
      for (const record of event.Records) {
        const body = JSON.parse(record.body);
        body.detail.bucket.name = 'compaction-plain';
        record.body = JSON.stringify(body);
      }
      return event;
    };
    for (let i = 0; i < keys.length; i += 10) {
      const answer = await ingestInto.invoke(batch(keys.slice(i, i + 10), `compaction-${i}`));
      expect(answer.result).toEqual({ batchItemFailures: [] });
    }
    // Each upload's receipt: its rows by month as counted from its file, and its one object per month, exactly those.
    expect((await plain.store.list('receipts/')).length).toBe(files.length);
    for (const { uploadId, rowsByMonth, objects } of uploads) {
      const receipt = JSON.parse(Buffer.from((await plain.store.get(receiptKey(uploadId))) ?? []).toString('utf8'));
      expect({ partitions: receipt.partitions, curated: [...receipt.outputs.curated].sort() }, uploadId).toEqual({
        partitions: rowsByMonth,
        curated: objects,
      });
    }
    const written = uploads.flatMap((u) => u.objects).sort();
    expect(await curated(plain.store)).toEqual(written);

    const result = await plain.refresh('no compaction');
    expect(result.compaction).toBeUndefined();
    expect(await curated(plain.store)).toEqual(written);
    expect(await plain.store.list('compactions/')).toEqual([]);
    plainDocuments = await published(plain.store);
    expect(plainDocuments.has('metrics/rollout.json')).toBe(true);
  }, 900_000);

  it('compacts a month of a kind into one object, and publishes the same documents as without compaction', async () => {
    const run = await bucketRun('compaction-run');
    await copyBucket(plain.store, run.store);
    // Published by nobody yet (the alerts compare with the last publication, and the plain run had none).
    for (const key of await run.store.list('metrics/')) await run.store.delete(key);
    const result = await run.refresh('compaction');
    const after = await curated(run.store);
    // Every partition of two upload objects or more: far below 250,000 rows, so one compacted object holds all its
    // uploads; a partition of one upload object keeps it (7 partitions compacted, 69 objects into 8: see above).
    expect(result.compaction).toEqual({
      partitions: merged,
      objectsBefore: uploadObjects,
      objectsAfter: partitions,
    });
    expectCompacted(after);
    console.info(`compaction through the refresh bundle: ${uploadObjects} upload objects -> ${after.length}`);
    expect((await run.store.list('compactions/')).length).toBe(merged);
    expect(await published(run.store)).toEqual(plainDocuments);
  }, 900_000);

  for (const step of ['merged', 'committed'] as const satisfies readonly CompactionStep[]) {
    it(`a compaction that stopped after "${step}" is ${step === 'merged' ? 'undone' : 'finished'} by the next refresh bundle: nothing lost or doubled`, async () => {
      const run = await bucketRun(`compaction-crash-${step}`);
      await copyBucket(plain.store, run.store);
      for (const key of await run.store.list('metrics/')) await run.store.delete(key);
      // The Lambda's own merger and protocol (compact.ts), stopped part-way through the second month.
      let reached = 0;
      await expect(
        compactCurated(run.store, hyparquetMerger(run.store), undefined, (at) => {
          if (at === step && ++reached === 2) throw new Error('crash');
        }),
      ).rejects.toThrow('crash');
      const records = await compactionRecords(run.store);
      const stopped = await curated(run.store);
      const orphans = stopped.filter(
        (key) => key.includes('/compacted.') && !records.some((r) => r.objects.includes(key)),
      );
      const leftOver = stopped.filter((key) => records.some((r) => r.replaces.includes(key)));
      // After "merged" the second month's objects have no record; after "committed" it has one, and the uploads it
      // replaces are still there: either way a reader would count that month twice.
      expect({ records: records.length, orphans: orphans.length > 0, leftOver: leftOver.length > 0 }).toEqual(
        step === 'merged'
          ? { records: 1, orphans: true, leftOver: false }
          : { records: 2, orphans: false, leftOver: true },
      );
      const result = await run.refresh(`after a compaction stopped at "${step}"`);
      const after = await curated(run.store);
      expectCompacted(after);
      expect(result.compaction?.objectsAfter).toBe(partitions);
      expect(await published(run.store)).toEqual(plainDocuments);
    }, 900_000);
  }

  // A grant the refresh needs, taken from the template: the same refresh that publishes above (the template as
  // synthesised) fails, with the AccessDenied Athena (for Glue) or S3 answers naming the action and the resource.
  // Without the rule (no authoriser) both refreshes would succeed, as test:aws did when the refresh could create
  // only its prepare steps' tables.
  for (const [action, marker, resource] of [
    ['glue:CreateTable', 'stopped_pcns_*', 'arn:aws:glue:eu-west-2:111122223333:table/sp_outcomes/stopped_pcns_'],
    // Review 33, R33-1: the default database Athena's Glue access page calls mandatory for every caller.
    ['glue:GetDatabase', 'database/default', 'arn:aws:glue:eu-west-2:111122223333:database/default'],
    ['s3:PutObject', '/metrics/*', '/metrics/'],
  ] as const) {
    it(`with ${action} on ${marker} taken from the template, the refresh fails with AccessDenied naming it`, async () => {
      const rights = new TemplateAuthoriser(withoutGrant({ Resources: app.resources }, action, marker), app.buckets);
      const bucket = `denied-${action.replace(':', '-').toLowerCase()}`;
      const run = await bucketRun(bucket, {}, rights);
      await copyBucket(plain.store, run.store);
      for (const key of await run.store.list('metrics/')) await run.store.delete(key);
      const answer = await run.invoke();
      expect(answer.ok).toBe(false);
      // The data bucket's name in the template's ARN: the run's bucket stands for it.
      const named = resource.startsWith('/') ? `arn:aws:s3:::${dataBucket}${resource}` : resource;
      expect(answer.error?.message).toContain(`is not authorized to perform: ${action} on resource: ${named}`);
      expect(rights.refused.length).toBeGreaterThan(0);
      for (const refusal of rights.refused) {
        expect(refusal.action).toBe(action);
        expect(refusal.resource.startsWith(named)).toBe(true);
      }
      console.info(`refused without the grant: ${rights.refused[0]?.message}`);
    }, 900_000);
  }
});

describe("every call of every bundle, authorised by its role's policies as synthesised", () => {
  it('refused none, and decided the grants a refresh depends on (its data-as-of tables, the published prefix)', () => {
    expect(authoriser.refused).toEqual([]);
    const decided = new Set(authoriser.decided);
    const glue = `arn:aws:glue:eu-west-2:111122223333:table/sp_outcomes`;
    const some = (pattern: RegExp) => [...decided].some((d) => pattern.test(d));
    // stopped_pcns is a CTAS table of each attempt, sending_pcns a view (functions/refresh/data-as-of.ts).
    expect(some(new RegExp(`^glue:CreateTable ${glue}/stopped_pcns_[a-z0-9]+$`))).toBe(true);
    expect(some(new RegExp(`^glue:CreateTable ${glue}/sending_pcns_[a-z0-9]+$`))).toBe(true);
    expect(some(new RegExp(`^glue:DeleteTable ${glue}/stopped_pcns_[a-z0-9]+$`))).toBe(true);
    expect(some(new RegExp(`^glue:GetTable ${glue}/events$`))).toBe(true);
    expect(some(new RegExp(`^s3:PutObject arn:aws:s3:::${dataBucket}/metrics/meta\\.json$`))).toBe(true);
    expect(some(new RegExp(`^s3:GetObject arn:aws:s3:::${dataBucket}/curated/events/event_month=`))).toBe(true);
    expect(some(/^kms:GenerateDataKey arn:aws:kms:eu-west-2:111122223333:key\//)).toBe(true);
    expect(some(/^athena:StartQueryExecution arn:aws:athena:eu-west-2:111122223333:workgroup\/sp-outcomes$/)).toBe(
      true,
    );
  });
});

describe("every Parquet object the bundles wrote reads as cdk.out's Glue tables declare (review 33, R33-6b)", () => {
  /**
   * Every Glue table of `source` over every bucket of this run (the compaction runs each have their own bucket standing
   * for the data bucket), each object's footer checked by Athena's rules (parquet-glue-types.ts, PARQUET_TYPE_SOURCES).
   */
  const checkAll = (source: SynthesisedApp) => {
    const buckets = readdirSync(s3.directory, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    return glueTables(source).flatMap((table) =>
      (table.bucket === dataBucket ? buckets : [table.bucket]).flatMap((bucket) =>
        checkTableObjects(s3.directory, { ...table, bucket }).map((object) => ({
          table: table.name,
          bucket,
          ...object,
        })),
      ),
    );
  };

  it('the ingest bundle writes (per upload) and the refresh bundle writes (compacted, pcns, uploads): no field Athena would refuse', () => {
    const checked = checkAll(app);
    expect(checked.filter((object) => object.problems.length > 0)).toEqual([]);
    const count = (pattern: RegExp) => checked.filter((object) => pattern.test(object.key)).length;
    // Each kind of object the bundles write was read: the check is not vacuous.
    expect(count(/^curated\/events\/event_month=[0-9-]+\/[^.]+\.parquet$/)).toBeGreaterThan(0);
    expect(count(/^curated\/workforce\/snapshot_month=[0-9-]+\/[^.]+\.parquet$/)).toBeGreaterThan(0);
    expect(count(/^curated\/events\/event_month=[0-9-]+\/compacted\.[a-z0-9-]+\.\d+\.parquet$/)).toBeGreaterThan(0);
    expect(count(/^curated\/workforce\/snapshot_month=[0-9-]+\/compacted\.[a-z0-9-]+\.\d+\.parquet$/)).toBeGreaterThan(
      0,
    );
    expect(count(/^curated\/pcns\/pcns\.parquet$/)).toBeGreaterThan(0);
    expect(count(/^curated\/uploads\/uploads\.parquet$/)).toBeGreaterThan(0);
  });

  it("with a declared type changed in a copy of cdk.out's template, every object is refused and a query fails with HIVE_BAD_DATA", async () => {
    // source_row: the ingest writes INT32 (functions/lib/parquet.ts); declared string, Athena cannot read it.
    const resources = structuredClone(app.resources);
    const events = Object.values(resources).find(
      (r) => r.Type === 'AWS::Glue::Table' && (r.Properties.TableInput as { Name: string }).Name === 'events',
    );
    if (!events) throw new Error('no Glue table events in the template');
    const columns = (
      events.Properties.TableInput as { StorageDescriptor: { Columns: { Name: string; Type: string }[] } }
    ).StorageDescriptor.Columns;
    const sourceRow = columns.find((c) => c.Name === 'source_row') as { Type: string };
    expect(sourceRow.Type).toBe('int');
    sourceRow.Type = 'string';
    const altered = { ...app, resources };
    const eventObjects = checkAll(altered).filter((object) => object.table === 'events');
    expect(eventObjects.length).toBeGreaterThan(0);
    for (const object of eventObjects)
      expect(object.problems).toEqual([
        `HIVE_BAD_DATA: Field source_row's type INT32 in parquet file s3://${object.bucket}/${object.key} is incompatible with type string defined in table schema`,
      ]);
    // The stand-in over the altered tables fails a statement reading events as Athena would, and not one reading
    // another table.
    const standIn = await aws.startAthena(authoriser, glueTables(altered));
    try {
      const client = new AthenaClient({
        endpoint: standIn.endpoint,
        region: 'eu-west-2',
        credentials: { accessKeyId: UNRESTRICTED_KEY, secretAccessKey: 'x' },
      });
      const outcome = async (QueryString: string) => {
        const { QueryExecutionId } = await client.send(
          new StartQueryExecutionCommand({ QueryString, WorkGroup: workgroups(app)[0]?.name }),
        );
        for (;;) {
          const { QueryExecution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId }));
          const state = QueryExecution?.Status?.State as string;
          if (state === 'SUCCEEDED' || state === 'FAILED') return QueryExecution?.Status;
          await new Promise((r) => setTimeout(r, 5));
        }
      };
      const failed = await outcome('SELECT count(*) AS n FROM events');
      expect(failed?.State).toBe('FAILED');
      expect(failed?.StateChangeReason).toMatch(
        /^HIVE_BAD_DATA: Field source_row's type INT32 in parquet file s3:\/\/[a-z0-9-]+\/curated\/events\/event_month=[0-9-]+\/[^ ]+\.parquet is incompatible with type string defined in table schema$/,
      );
      expect((await outcome('SELECT count(*) AS n FROM workforce'))?.State).toBe('SUCCEEDED');
    } finally {
      await standIn.stop();
    }
  });
});
