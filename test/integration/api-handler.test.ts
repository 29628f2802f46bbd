import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../functions/api/handler.ts';
import { S3ObjectStore } from '../../functions/lib/s3-object-store.ts';
import { lambdaContext } from '../support/files.ts';
import { type LocalS3, startLocalS3 } from '../support/s3.ts';

const request = JSON.parse(readFileSync('test/fixtures/events/apigw-v2-metrics-request.json', 'utf8'));
const context = lambdaContext('sp-outcomes-api', 10_000);
let s3: LocalS3;
let handler: ReturnType<typeof createApiHandler>;

beforeAll(async () => {
  s3 = await startLocalS3();
  await s3.createBucket('sp-outcomes-data');
  const store = new S3ObjectStore(s3.client, 'sp-outcomes-data');
  await store.put(
    'metrics/rollout.json',
    JSON.stringify({
      name: 'rollout',
      rows: [
        { level: 'national', code: 'ENG', period_type: 'fy', period: '2025/26', referrals: 73 },
        { level: 'national', code: 'ENG', period_type: 'month', period: '2025-04', referrals: 73 },
      ],
    }),
  );
  const logger = new Logger({ serviceName: 'sp-outcomes-api', logLevel: 'SILENT' });
  handler = createApiHandler({ store, logger });
});
afterAll(async () => {
  await s3.stop();
});

describe('the API Lambda handler, invoked with a recorded HTTP API (v2) request against s3rver', () => {
  it('answers with the filtered document from the bucket', async () => {
    const response = await handler(structuredClone(request), context);
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8' });
    expect(JSON.parse(response.body).rows).toEqual([
      { level: 'national', code: 'ENG', period_type: 'fy', period: '2025/26', referrals: 73 },
    ]);
  });

  it('passes a bad parameter back as a 400 with its message', async () => {
    const bad = structuredClone(request);
    bad.rawQueryString = 'level=moon';
    const response = await handler(bad, context);
    expect(response).toMatchObject({
      statusCode: 400,
      body: JSON.stringify({ error: 'level must be one of national, region, icb, pcn' }),
    });
  });
});
