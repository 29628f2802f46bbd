import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../functions/api/handler.ts';
import { S3ObjectStore } from '../../functions/lib/s3-object-store.ts';
import { testUserPool } from '../support/cognito.ts';
import { publishRollout } from '../support/documents.ts';
import { lambdaContext } from '../support/files.ts';
import { type LocalS3, startLocalS3 } from '../support/s3.ts';

const request = JSON.parse(readFileSync('test/fixtures/events/apigw-v2-metrics-request.json', 'utf8'));
const context = lambdaContext('sp-outcomes-api', 10_000);
let s3: LocalS3;
let handler: ReturnType<typeof createApiHandler>;
let pool: Awaited<ReturnType<typeof testUserPool>>;
let store: S3ObjectStore;
const withToken = async (token: string | Promise<string>, query = request.rawQueryString) => {
  const event = structuredClone(request);
  event.headers.authorization = `Bearer ${await token}`;
  event.rawQueryString = query;
  return event;
};

beforeAll(async () => {
  s3 = await startLocalS3();
  await s3.createBucket('sp-outcomes-data');
  store = new S3ObjectStore(s3.client, 'sp-outcomes-data');
  await publishRollout(store, [
    { level: 'national', code: 'ENG', period_type: 'fy', period: '2025/26', referrals: 73 },
    { level: 'national', code: 'ENG', period_type: 'month', period: '2025-04', referrals: 73 },
    { level: 'pcn', code: 'U00001', period_type: 'fy', period: '2025/26', referrals: 40 },
    { level: 'pcn', code: 'U00002', period_type: 'fy', period: '2025/26', referrals: 33 },
  ]);
  const wide = Array.from({ length: 100 }, (_, i) => ({
    level: 'national',
    code: 'ENG',
    period_type: 'month',
    period: `20${17 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`,
    referrals: i,
  }));
  await store.put('metrics/wide.json', JSON.stringify({ name: 'wide', rows: wide }));
  const logger = new Logger({ serviceName: 'sp-outcomes-api', logLevel: 'SILENT' });
  pool = await testUserPool();
  handler = createApiHandler({ store, logger, verifier: pool.verifier, originSecret: 'test-origin-secret' });
});
afterAll(async () => {
  await s3.stop();
});

describe('the API Lambda handler, invoked with a recorded HTTP API (v2) request against s3rver', () => {
  it('answers a national user (verified Cognito access token) with the filtered document from the bucket', async () => {
    const response = await handler(await withToken(pool.accessToken(['national'])), context);
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8' });
    expect(JSON.parse(response.body).rows).toEqual([
      { level: 'national', code: 'ENG', period_type: 'fy', period: '2025/26', referrals: 73 },
    ]);
  });

  it('gzips a large answer when the browser accepts it (base64 body, isBase64Encoded), and not otherwise', async () => {
    const event = await withToken(pool.accessToken(['national']), '');
    event.rawPath = '/api/metrics/wide';
    const plain = await handler(event, context);
    // gzip only: a client that also accepts br gets Brotli once the function has made it (test/unit/compress.test.ts).
    event.headers['accept-encoding'] = 'gzip, deflate';
    const zipped = await handler(event, context);
    expect(plain).toMatchObject({ statusCode: 200, headers: { vary: 'accept-encoding' } });
    expect(plain.headers).not.toHaveProperty('content-encoding');
    expect(zipped).toMatchObject({
      statusCode: 200,
      isBase64Encoded: true,
      headers: { 'content-encoding': 'gzip', 'content-type': 'application/json; charset=utf-8' },
    });
    expect(gunzipSync(Buffer.from(zipped.body, 'base64')).toString()).toBe(plain.body);
    expect(JSON.parse(plain.body).rows).toHaveLength(100);
  });

  // Review 13, R13-6: the execute-api address answered past CloudFront's UK-only fence and headers. CloudFront adds
  // the secret header (the fixture carries the test's value); checked before the token, so nothing else is told.
  it('refuses 403 a request without the CloudFront origin header, or with another value, before the token', async () => {
    for (const value of [undefined, '', 'test-origin-secreT', `${'test-origin-secret'}x`]) {
      for (const token of [pool.accessToken(['national']), Promise.resolve('not-a-token')]) {
        const event = await withToken(token);
        if (value === undefined) delete event.headers['x-origin-verify'];
        else event.headers['x-origin-verify'] = value;
        const response = await handler(event, context);
        expect([response.statusCode, JSON.parse(response.body)]).toEqual([403, { error: 'forbidden' }]);
      }
    }
  });

  // Review 18, R18-2: while the secret is changed the functions take the new value in seconds and CloudFront in
  // minutes; the previous value is accepted beside the current one meanwhile (README, "Changing the origin secret").
  it('during a change of the secret accepts the current and the previous value, and refuses 403 any other', async () => {
    const logger = new Logger({ serviceName: 'sp-outcomes-api', logLevel: 'SILENT' });
    const rotating = createApiHandler({
      store,
      logger,
      verifier: pool.verifier,
      originSecret: 'new-origin-secret',
      previousOriginSecret: 'test-origin-secret',
    });
    const answer = async (value: string | undefined) => {
      const event = await withToken(pool.accessToken(['national']));
      if (value === undefined) delete event.headers['x-origin-verify'];
      else event.headers['x-origin-verify'] = value;
      return (await rotating(event, context)).statusCode;
    };
    expect(await answer('new-origin-secret')).toBe(200);
    expect(await answer('test-origin-secret')).toBe(200);
    for (const value of [undefined, '', 'new-origin-secreT', 'test-origin-secret ', 'other'])
      expect(await answer(value)).toBe(403);
    // Without a previous value only the current one passes (the value before the change is refused).
    const settled = createApiHandler({ store, logger, verifier: pool.verifier, originSecret: 'new-origin-secret' });
    const event = await withToken(pool.accessToken(['national']));
    expect((await settled(event, context)).statusCode).toBe(403);
    event.headers['x-origin-verify'] = 'new-origin-secret';
    expect((await settled(event, context)).statusCode).toBe(200);
  });

  it('refuses 413 an answer too large for a Lambda response, naming the document and the filter to add; a filtered one is sent', async () => {
    // Review 24, R24-6: an unfiltered national document passes the 6 MB a Lambda response carries in year 4 or 5. Made
    // large here: 100 months of England, each row with 70,000 characters of random base64 (gzip keeps ~3/4 of it).
    // A row: {"level":"national",(20) "code":"ENG",(13) "period_type":"month",(22) "period":"2017-01",(19)
    // "noise":"(9) + 70,000 + "}(2) = 70,085 bytes, 20 quotes. The answer: {"name":"huge","rows":[ (23) + 100 rows +
    // 99 commas + ]} (2) = 7,008,624 bytes, 6 + 2,000 quotes; as the Lambda's JSON string 7,008,624 + 2,006 escapes +
    // 2 quotes around = 7,010,632 bytes = 6.69 MiB, over the 6,225,920 allowed (5.94 MiB); gzipped ~3/4 of it, as base64
    // 4/3 of that, ~6.7 MiB again (random bytes: zlib's exact size varies): over it too, so 413, not 406 (ask with gzip).
    const rows = Array.from({ length: 100 }, (_, i) => ({
      level: 'national',
      code: 'ENG',
      period_type: 'month',
      period: `20${17 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`,
      noise: randomBytes(52_500).toString('base64'),
    }));
    expect(JSON.stringify({ name: 'huge', rows })).toHaveLength(7_008_624);
    await store.put('metrics/huge.json', JSON.stringify({ name: 'huge', rows }));
    const event = await withToken(pool.accessToken(['national']), '');
    event.rawPath = '/api/metrics/huge';
    const filters =
      'add period (a month such as 2026-03, or a financial year such as 2025/26), or level (national, region, icb or pcn) and code (an area of that level) to the query';
    expect(await handler(event, context)).toEqual({
      statusCode: 413,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: JSON.stringify({
        error: `/api/metrics/huge is 6.7 MB uncompressed, over the 5.9 MB an answer can carry: ${filters}`,
      }),
    });
    event.headers['accept-encoding'] = 'gzip, deflate, br';
    const zipped = await handler(event, context);
    expect(zipped.statusCode).toBe(413);
    expect(JSON.parse(zipped.body).error).toMatch(
      /^\/api\/metrics\/huge is 6\.\d MB even compressed, over the 5\.9 MB/,
    );
    expect(JSON.parse(zipped.body).error).toMatch(new RegExp(`: ${filters.replace(/[()]/g, '\\$&')}$`));
    // The filter it names, added: one row, sent as it always was.
    const filtered = await withToken(pool.accessToken(['national']), 'period=2017-01');
    filtered.rawPath = '/api/metrics/huge';
    filtered.headers['accept-encoding'] = 'gzip, deflate';
    const sent = await handler(filtered, context);
    expect(sent).toMatchObject({ statusCode: 200, isBase64Encoded: true, headers: { 'content-encoding': 'gzip' } });
    expect(JSON.parse(gunzipSync(Buffer.from(sent.body, 'base64')).toString())).toEqual({
      name: 'huge',
      rows: [rows[0]],
    });
  });

  it('passes a bad parameter back as a 400 with its message', async () => {
    const bad = await withToken(pool.accessToken(['national']), 'level=moon');
    const response = await handler(bad, context);
    expect(response).toMatchObject({
      statusCode: 400,
      body: JSON.stringify({ error: 'level must be one of national, region, icb, pcn' }),
    });
  });

  it("sends a PCN user its own pack as base64 PDF bytes (isBase64Encoded, not gzipped) and refuses another PCN's (403)", async () => {
    const pdf = Buffer.from('%PDF-1.3 a pack\n%%EOF\n', 'latin1');
    await new S3ObjectStore(s3.client, 'sp-outcomes-data').put('metrics/packs/pcn/U00001.pdf', pdf);
    const event = await withToken(pool.accessToken(['pcn-U00001']), '');
    event.rawPath = '/api/packs/pcn/U00001.pdf';
    event.headers['accept-encoding'] = 'gzip';
    const response = await handler(event, context);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.isBase64Encoded).toBe(true);
    expect(Buffer.from(response.body, 'base64').equals(pdf)).toBe(true);
    const other = await withToken(pool.accessToken(['pcn-U00001']), '');
    other.rawPath = '/api/packs/pcn/U00002.pdf';
    expect((await handler(other, context)).statusCode).toBe(403);
  });

  it('scopes by the Cognito group: a PCN user gets its own PCN row and England, not the other PCN', async () => {
    const response = await handler(await withToken(pool.accessToken(['pcn-U00001']), 'period_type=fy'), context);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body).rows.map((r: { code: string }) => r.code)).toEqual(['ENG', 'U00001']);
    const other = await handler(await withToken(pool.accessToken(['pcn-U00001']), 'level=pcn&code=U00002'), context);
    expect(other.statusCode).toBe(403);
  });

  it.each([
    ['no token', undefined, 401],
    ['an expired token', () => pool.accessToken(['national'], { expiresIn: -60 }), 401],
    [
      'a token from another user pool',
      () => pool.accessToken(['national'], { issuer: 'https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Other' }),
      401,
    ],
    ['a token for another app client', () => pool.accessToken(['national'], { clientId: 'someoneelse' }), 401],
    [
      'a tampered token (groups changed after signing)',
      async () => {
        const [h, p, sig] = (await pool.accessToken(['pcn-U00001'])).split('.') as [string, string, string];
        const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
        claims['cognito:groups'] = ['national'];
        return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
      },
      401,
    ],
    ['a user in no role group', () => pool.accessToken(['readers']), 403],
    ['a user in two role groups', () => pool.accessToken(['icb-QAA', 'pcn-U00001']), 403],
  ])('refuses %s with %i and no rows', async (_, token, status) => {
    const event = token ? await withToken(token()) : structuredClone(request);
    if (!token) delete event.headers.authorization;
    const response = await handler(event, context);
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body)).not.toHaveProperty('rows');
  });
});
