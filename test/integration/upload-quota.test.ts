import { createHash } from 'node:crypto';
import { readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { S3ObjectStore } from '../../functions/lib/s3-object-store.ts';
import { createUploadHandler, dailyUploadsPerPcn } from '../../functions/upload/handler.ts';
import { PcnTokenRegistry } from '../../functions/upload/pcn-tokens.ts';
import type { Presigner } from '../../functions/upload/presigned-post.ts';
import { S3Presigner } from '../../functions/upload/presigned-post.ts';
import { DAILY_UPLOADS_PER_PCN, UploadApi, type UploadGrant } from '../../functions/upload/upload-api.ts';
import { lambdaContext, tempDir } from '../support/files.ts';
import { type LocalS3, startLocalS3 } from '../support/s3.ts';

/*
 * Review 24, R24-5b: nothing bounded how many uploads one PCN's token could send. A new upload beyond the PCN's daily
 * quota (UTC day; counted from its landing objects and receipts written that day, by upload id) is refused with 429,
 * Retry-After (seconds to midnight UTC) and the limit named; a file already received is not a new upload.
 */
const recorded = JSON.parse(readFileSync('test/fixtures/events/apigw-v2-upload-request.json', 'utf8'));
const context = lambdaContext('sp-outcomes-upload', 10_000);
const BUCKET = 'sp-outcomes-quota';
const tokens = new Map<string, string>();
let s3: LocalS3;

/** A distinct file's announcement for a PCN: n makes the content (and so the upload id) different. */
const file = (pcn: string, n: number) => {
  const text = `event_id,event_type\nE${n},contact\n`;
  const sha256 = createHash('sha256').update(text).digest('hex');
  return {
    announce: { pcn_code: pcn, kind: 'events', format: 'csv', compressed: false, bytes: text.length, sha256 },
    id: `${pcn}-${sha256.slice(0, 32)}`,
  };
};

beforeAll(async () => {
  s3 = await startLocalS3();
  await s3.createBucket(BUCKET);
});
afterAll(async () => {
  await s3.stop();
});

describe('the upload Lambda against s3rver, UPLOADS_PER_PCN_PER_DAY=3', () => {
  it('grants the third new upload of the day and refuses the fourth, 429 with Retry-After naming the limit', async () => {
    const store = new S3ObjectStore(s3.client, BUCKET);
    for (const pcn of ['U00001', 'U00002'])
      tokens.set(pcn, (await new PcnTokenRegistry(store).create(pcn, { expiresInDays: 30 })).token);
    const handler = createUploadHandler({
      store,
      presigner: new S3Presigner(s3.client, BUCKET),
      logger: new Logger({ serviceName: 'sp-outcomes-upload', logLevel: 'SILENT' }),
      originSecret: 'test-origin-secret',
      dailyUploadsPerPcn: dailyUploadsPerPcn('3'),
    });
    const ask = async (announce: object, pcn = 'U00001') => {
      const event = structuredClone(recorded);
      event.headers.authorization = `Bearer ${tokens.get(pcn)}`;
      event.body = Buffer.from(JSON.stringify(announce)).toString('base64');
      return (await handler(event, context)) as { statusCode: number; headers: Record<string, string>; body: string };
    };
    const receipt = (id: string) => JSON.stringify({ upload_id: id, pcn_code: 'U00001', file_error: null });
    // 1: landed and ingested (its landing object and its receipt: one upload).
    const one = file('U00001', 1);
    const grant = JSON.parse((await ask(one.announce)).body) as UploadGrant;
    await store.put(grant.key, 'landed');
    await store.put(`receipts/${one.id}.json`, receipt(one.id));
    // 2: landed, not yet ingested.
    const two = file('U00001', 2);
    expect((await ask(two.announce)).statusCode).toBe(201);
    await store.put(`landing/pcn=U00001/${two.id}.csv`, 'landed');
    // 3 (the limit): granted with two today; it is refused at ingest for personal data, so only its receipt stays.
    const three = file('U00001', 3);
    expect((await ask(three.announce)).statusCode).toBe(201);
    await store.put(`receipts/${three.id}.json`, receipt(three.id));
    // 4 (limit + 1): refused.
    const four = file('U00001', 4);
    const refused = await ask(four.announce);
    expect(refused.statusCode).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 86_400).toBe(true);
    expect(JSON.parse(refused.body)).toEqual({
      error: 'this PCN has sent 3 uploads today (UTC), the most allowed in a day; send again after midnight UTC',
      limit: 3,
      retry_after_seconds: retryAfter,
    });
    // Nothing of the request in the answer (its hash, its upload id), and nothing landed for it.
    expect(refused.body).not.toContain(four.id.slice(7));
    expect(await store.list(`landing/pcn=U00001/${four.id}`)).toEqual([]);
    // The first file again is no new upload: answered as before. Another PCN has its own quota.
    expect(JSON.parse((await ask(one.announce)).body)).toMatchObject({ status: 'already_received' });
    expect((await ask(file('U00002', 1).announce, 'U00002')).statusCode).toBe(201);
  });

  it('reads UPLOADS_PER_PCN_PER_DAY as a whole number, 1 or more, or refuses it by name', () => {
    expect(dailyUploadsPerPcn(undefined)).toBeUndefined();
    expect(dailyUploadsPerPcn('200')).toBe(200);
    for (const bad of ['0', '-1', '2.5', 'lots', ''])
      expect(() => dailyUploadsPerPcn(bad), bad).toThrow('UPLOADS_PER_PCN_PER_DAY must be a whole number, 1 or more');
  });
});

describe('the default quota, by the UTC day of each object', () => {
  it('counts 200 a day: the 200th is granted, the 201st refused until midnight UTC; yesterday’s do not count', async () => {
    expect(DAILY_UPLOADS_PER_PCN).toBe(200);
    const dir = tempDir('upload-quota');
    try {
      const store = new FsObjectStore(dir.path);
      const token = (await new PcnTokenRegistry(store).create('U00001', { expiresInDays: 30 })).token;
      const presigner: Presigner = { presign: async () => ({ url: 'https://s3.example/b', fields: {} }) };
      let now = new Date('2026-12-06T23:59:00.000Z');
      const api = new UploadApi({ store, tokens: new PcnTokenRegistry(store), presigner }, { clock: () => now });
      const ask = (n: number) =>
        api.handle({
          method: 'POST',
          path: '/api/uploads',
          authorization: `Bearer ${token}`,
          body: JSON.stringify(file('U00001', n).announce),
        });
      const land = async (n: number, at: string) => {
        const key = `landing/pcn=U00001/${file('U00001', n).id}.csv`;
        await store.put(key, 'landed');
        utimesSync(join(dir.path, key), new Date(at), new Date(at));
      };
      // 199 landed today (UTC), and 5 in the last minute of yesterday.
      for (let n = 1; n <= 199; n++) await land(n, '2026-12-06T00:00:00.000Z');
      for (let n = 1000; n < 1005; n++) await land(n, '2026-12-05T23:59:59.999Z');
      expect((await ask(200)).status).toBe(201);
      await land(200, '2026-12-06T23:58:59.000Z');
      const refused = await ask(201);
      expect(refused.status).toBe(429);
      // 23:59:00 to midnight.
      expect(refused.headers['retry-after']).toBe('60');
      expect(JSON.parse(refused.body)).toMatchObject({ limit: 200, retry_after_seconds: 60 });
      now = new Date('2026-12-07T00:00:00.000Z');
      expect((await ask(201)).status).toBe(201);
    } finally {
      dir.remove();
    }
  });
});
