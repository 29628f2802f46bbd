import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from '../support/files.ts';

/**
 * Review 18, R18-2: the deployed upload handler reads the previous value of CloudFront's secret from
 * ORIGIN_VERIFY_PREVIOUS (set by the infra only while the value is changed) and accepts it beside ORIGIN_VERIFY.
 * A malformed token is refused 401 by the upload API before the bucket is touched, so no S3 is needed: 401 means
 * the origin check passed, 403 that it did not.
 */
const recorded = JSON.parse(readFileSync('test/fixtures/events/apigw-v2-upload-request.json', 'utf8'));
const NAMES = [
  'DATA_BUCKET',
  'ORIGIN_VERIFY',
  'ORIGIN_VERIFY_PREVIOUS',
  'AWS_REGION',
  'USER_POOL_ID',
  'USER_POOL_CLIENT_ID',
] as const;
const saved = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]));

beforeAll(() => {
  Object.assign(process.env, {
    DATA_BUCKET: 'sp-outcomes-data',
    ORIGIN_VERIFY: 'new-origin-secret',
    ORIGIN_VERIFY_PREVIOUS: 'test-origin-secret',
    AWS_REGION: 'eu-west-2',
    USER_POOL_ID: 'eu-west-2_abcdefghi',
    USER_POOL_CLIENT_ID: 'abcdefghijklmnopqrstuvwxyz',
  });
});
afterAll(() => {
  for (const name of NAMES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('the API Lambdas built from their environment during a change of the origin secret', () => {
  it('passes the current and the previous value (ORIGIN_VERIFY_PREVIOUS) to the token check, refuses any other 403', async () => {
    const { handler } = await import('../../functions/upload/handler.ts');
    const status = async (value: string) => {
      const e = structuredClone(recorded);
      e.headers.authorization = 'Bearer nope';
      e.headers['x-origin-verify'] = value;
      return ((await handler(e, lambdaContext('sp-outcomes-upload', 10_000))) as { statusCode: number }).statusCode;
    };
    expect(await status('new-origin-secret')).toBe(401);
    expect(await status('test-origin-secret')).toBe(401);
    expect(await status('other-origin-secret')).toBe(403);
  });

  it('the metrics API the same: a token that is no JWT is refused 401 after the origin check, 403 before it', async () => {
    const { handler } = await import('../../functions/api/handler.ts');
    const request = JSON.parse(readFileSync('test/fixtures/events/apigw-v2-metrics-request.json', 'utf8'));
    const status = async (value: string) => {
      const e = structuredClone(request);
      e.headers.authorization = 'Bearer nope';
      e.headers['x-origin-verify'] = value;
      return ((await handler(e, lambdaContext('sp-outcomes-api', 10_000))) as { statusCode: number }).statusCode;
    };
    expect(await status('new-origin-secret')).toBe(401);
    expect(await status('test-origin-secret')).toBe(401);
    expect(await status('other-origin-secret')).toBe(403);
  });
});
