import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../functions/lib/s3-object-store.ts';
import { createUploadHandler } from '../../functions/upload/handler.ts';
import { PcnTokenRegistry } from '../../functions/upload/pcn-tokens.ts';
import { S3Presigner } from '../../functions/upload/presigned-post.ts';
import type { UploadGrant } from '../../functions/upload/upload-api.ts';
import { lambdaContext } from '../support/files.ts';
import { type LocalS3, startLocalS3 } from '../support/s3.ts';

/**
 * The upload Lambda with a recorded HTTP API (v2) request, S3's own presigned POST (@aws-sdk/s3-presigned-post)
 * and s3rver on loopback. s3rver stores POST uploads but does not enforce POST policies, so the policy's conditions
 * are read back and checked here; enforcing them is S3's job (and the local server's, tested in upload-security).
 */
const recorded = JSON.parse(readFileSync('test/fixtures/events/apigw-v2-upload-request.json', 'utf8'));
const context = lambdaContext('sp-outcomes-upload', 10_000);
const BUCKET = 'sp-outcomes-data';
let s3: LocalS3;
let store: S3ObjectStore;
let handler: ReturnType<typeof createUploadHandler>;
let token: string;

const event = (body: unknown, authorization = `Bearer ${token}`) => {
  const e = structuredClone(recorded);
  e.headers.authorization = authorization;
  e.body = Buffer.from(JSON.stringify(body)).toString('base64');
  return e;
};

beforeAll(async () => {
  s3 = await startLocalS3();
  await s3.createBucket(BUCKET);
  store = new S3ObjectStore(s3.client, BUCKET);
  token = (await new PcnTokenRegistry(store).create('U00001', { expiresInDays: 30 })).token;
  handler = createUploadHandler({
    store,
    presigner: new S3Presigner(s3.client, BUCKET),
    logger: new Logger({ serviceName: 'sp-outcomes-upload', logLevel: 'SILENT' }),
    originSecret: 'test-origin-secret',
  });
});
afterAll(async () => {
  await s3.stop();
});

describe('the upload Lambda handler against s3rver', () => {
  const file = 'event_id,event_type\nE1,contact\n';
  const sha256 = createHash('sha256').update(file).digest('hex');
  const announce = { pcn_code: 'U00001', kind: 'events', format: 'csv', compressed: false, bytes: file.length, sha256 };

  it('grants an S3 presigned POST for exactly one key under the PCN’s landing prefix and exactly the declared size', async () => {
    const response = await handler(event(announce), context);
    expect(response.statusCode).toBe(201);
    const grant = JSON.parse(response.body) as UploadGrant;
    const key = `landing/pcn=U00001/U00001-${sha256.slice(0, 32)}.csv`;
    expect(grant).toMatchObject({ upload_id: `U00001-${sha256.slice(0, 32)}`, key, expires_in_seconds: 900 });
    expect(grant.post.url).toBe(`${s3.endpoint}/${BUCKET}`);
    const policy = JSON.parse(Buffer.from(grant.post.fields.Policy as string, 'base64').toString());
    expect(policy.conditions).toEqual(
      expect.arrayContaining([['content-length-range', file.length, file.length], { bucket: BUCKET }, { key }]),
    );
    const expiresIn = Date.parse(policy.expiration) - Date.now();
    expect(expiresIn).toBeGreaterThan(800_000);
    expect(expiresIn).toBeLessThanOrEqual(900_000);

    // The form the uploader sends lands the file at that key over the S3 protocol.
    const form = new FormData();
    for (const [name, value] of Object.entries(grant.post.fields)) form.append(name, value);
    form.append('file', new Blob([file]), 'upload.csv');
    expect((await fetch(grant.post.url, { method: 'POST', body: form })).status).toBe(204);
    expect(new TextDecoder().decode(await store.get(key))).toBe(file);
  });

  it('answers the receipt once it exists, 202 while the file waits for ingest, and refuses other PCNs’ ids', async () => {
    const id = `U00001-${sha256.slice(0, 32)}`;
    const get = (path: string) => {
      const e = structuredClone(recorded);
      e.headers.authorization = `Bearer ${token}`;
      e.rawPath = path;
      e.routeKey = 'GET /api/uploads/{id}';
      e.requestContext.http.method = 'GET';
      e.requestContext.http.path = path;
      delete e.body;
      e.isBase64Encoded = false;
      return handler(e, context);
    };
    expect(await get(`/api/uploads/${id}`)).toMatchObject({ statusCode: 202 });
    await store.put(`receipts/${id}.json`, JSON.stringify({ upload_id: id, status: 'accepted' }));
    expect(JSON.parse((await get(`/api/uploads/${id}`)).body)).toEqual({ upload_id: id, status: 'accepted' });
    expect(await get(`/api/uploads/U00002-${sha256.slice(0, 32)}`)).toMatchObject({ statusCode: 404 });
    // The same file again: one upload, no new grant.
    const again = await handler(event(announce), context);
    expect(again.statusCode).toBe(200);
    expect(JSON.parse(again.body)).toMatchObject({ upload_id: id, status: 'already_received' });
  });

  it('refuses a missing or wrong token with 401 before touching the bucket', async () => {
    const before = await store.list('');
    expect(await handler(event(announce, 'Bearer nope'), context)).toMatchObject({ statusCode: 401 });
    expect(await store.list('')).toEqual(before);
  });
});

// R37-4: the local server refused a query string on /api/uploads (sec34) but the Lambda passed only rawPath to
// UploadApi, so behind CloudFront the same request was served; the core refuses it now, for both.
describe('the upload Lambda refuses a query string on /api/uploads, as the local server does', () => {
  const withQuery = (method: 'GET' | 'POST', path: string, query: string, authorization = `Bearer ${token}`) => {
    const e = structuredClone(recorded);
    e.headers.authorization = authorization;
    e.rawPath = path;
    e.rawQueryString = query;
    e.requestContext.http.method = method;
    e.requestContext.http.path = path;
    if (method === 'GET') {
      e.routeKey = 'GET /api/uploads/{id}';
      delete e.body;
      e.isBase64Encoded = false;
    }
    return handler(e, context);
  };

  it.each([
    ['POST', '/api/uploads', 'x=1', '/api/uploads takes no query parameters'],
    ['POST', '/api/uploads', 'pcn_code=U00002', '/api/uploads takes no query parameters'],
    ['GET', '/api/uploads/U00001-0123', 'x=1', '/api/uploads/<id> takes no query parameters'],
  ] as const)('%s %s?%s with a valid token: 400', async (method, path, query, error) => {
    const before = await store.list('');
    const response = await withQuery(method, path, query);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error });
    expect(await store.list('')).toEqual(before);
  });

  it('without a valid token, 401 first', async () => {
    expect(await withQuery('POST', '/api/uploads', 'x=1', 'Bearer nope')).toMatchObject({ statusCode: 401 });
  });

  it('with an empty query, answered as before', async () => {
    expect(await withQuery('GET', '/api/uploads/U00001-0123', '')).toMatchObject({ statusCode: 404 });
  });
});

// Review 13, R13-6: the API's execute-api address answered anyone, past CloudFront's UK-only fence; these routes need
// no Cognito JWT at the gateway. CloudFront adds the secret header (the fixture carries the test's value).
describe('the upload Lambda answers only requests that came through CloudFront', () => {
  const file = 'event_id,event_type\nE2,contact\n';
  const sha256 = createHash('sha256').update(file).digest('hex');
  const announce = { pcn_code: 'U00001', kind: 'events', format: 'csv', compressed: false, bytes: file.length, sha256 };

  it('without the header, or with another value, a valid PCN token gets 403 and no grant; nothing is landed', async () => {
    const before = await store.list('landing/');
    for (const value of [undefined, '', 'test-origin-secreT', 'test-origin-secret ', 'x'.repeat(18)]) {
      const e = event(announce);
      if (value === undefined) delete e.headers['x-origin-verify'];
      else e.headers['x-origin-verify'] = value;
      const response = await handler(e, context);
      expect([response.statusCode, JSON.parse(response.body)]).toEqual([403, { error: 'forbidden' }]);
    }
    expect(await store.list('landing/')).toEqual(before);
    // The same request with the header: granted (201).
    expect((await handler(event(announce), context)).statusCode).toBe(201);
  });

  // Review 18, R18-2: while the secret is changed, CloudFront's edges send the old value for minutes after the
  // functions have the new one: both are accepted until the change is done, nothing else.
  it('during a change of the secret the current and the previous value are granted (201), any other 403', async () => {
    const rotating = createUploadHandler({
      store,
      presigner: new S3Presigner(s3.client, BUCKET),
      logger: new Logger({ serviceName: 'sp-outcomes-upload', logLevel: 'SILENT' }),
      originSecret: 'new-origin-secret',
      previousOriginSecret: 'test-origin-secret',
    });
    const status = async (value: string | undefined) => {
      const e = event(announce);
      if (value === undefined) delete e.headers['x-origin-verify'];
      else e.headers['x-origin-verify'] = value;
      return (await rotating(e, context)).statusCode;
    };
    expect(await status('new-origin-secret')).toBe(201);
    expect(await status('test-origin-secret')).toBe(201);
    for (const value of [undefined, '', 'new-origin-secreT', 'test-origin-secret ', 'other'])
      expect(await status(value)).toBe(403);
  });
});

describe('the upload Lambda’s log (review: the request path was logged as sent)', () => {
  it('withholds a path that holds an identifier, from a caller without a valid token too', async () => {
    const logs: string[] = [];
    const logger = new Logger({ serviceName: 'sp-outcomes-upload', logLevel: 'INFO' });
    (logger as unknown as { console: { info: (s: string) => void; warn: (s: string) => void } }).console = {
      info: (line: string) => logs.push(line),
      warn: (line: string) => logs.push(line),
    };
    const logged = createUploadHandler({
      store,
      presigner: new S3Presigner(s3.client, BUCKET),
      logger,
      originSecret: 'test-origin-secret',
    });
    const e = structuredClone(recorded);
    e.headers.authorization = 'Bearer nope';
    e.rawPath = '/api/uploads/NHS 943 476 5919 SW1A 1AA jane.doe@example.com';
    const response = await logged(e, context);
    expect(response.statusCode).toBe(401);
    const lines = logs.map((line) => JSON.parse(line) as { message: string; path?: string });
    expect(lines.find((line) => line.message === 'request')?.path).toBe('[path withheld]');
    expect(logs.join('\n')).not.toMatch(/943|SW1A|jane/);
  });
});
