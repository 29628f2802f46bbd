import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestUpload } from '../../functions/ingest/ingest.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import { InvalidKeyError } from '../../functions/lib/object-store.ts';
import { S3ObjectStore } from '../../functions/lib/s3-object-store.ts';
import { csvText, duckQuery, PERSON, REQUIRED_EVENT_COLUMNS, testTempDir } from '../support/files.ts';
import { type LocalS3, startLocalS3 } from '../support/s3.ts';

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3();
  await s3.createBucket('store-test');
  await s3.createBucket('ingest-test');
});
afterAll(async () => {
  await s3.stop();
});

describe('S3ObjectStore against an S3-protocol server', () => {
  it('puts, gets, lists (across pages) and deletes', async () => {
    const store = new S3ObjectStore(s3.client, 'store-test', 'env/', { pageSize: 7 });
    for (let i = 0; i < 20; i++) await store.put(`receipts/r${String(i).padStart(2, '0')}.json`, `{"n":${i}}`);
    await store.put('landing/pcn=U12345/x.csv', new Uint8Array([1, 2, 3]));

    expect(new TextDecoder().decode(await store.get('receipts/r07.json'))).toBe('{"n":7}');
    expect(await store.get('landing/pcn=U12345/x.csv')).toEqual(new Uint8Array([1, 2, 3]));
    const listed = await store.list('receipts/');
    expect(listed).toEqual(Array.from({ length: 20 }, (_, i) => `receipts/r${String(i).padStart(2, '0')}.json`));

    await store.delete('receipts/r07.json');
    await store.delete('receipts/never-there.json');
    expect(await store.get('receipts/r07.json')).toBeUndefined();
    expect(await store.getStream('receipts/r07.json')).toBeUndefined();
    expect(await store.list('receipts/')).toHaveLength(19);
    expect(await store.list('')).toHaveLength(20);
  });

  it('refuses keys that could escape the layout', async () => {
    const store = new S3ObjectStore(s3.client, 'store-test');
    for (const key of ['../etc/passwd', 'landing/../receipts/x', '/abs', 'a//b', 'a\\b']) {
      await expect(store.put(key, 'x')).rejects.toBeInstanceOf(InvalidKeyError);
    }
  });

  it('carries the whole ingest: landing, curated Parquet, quarantine and receipt in the bucket', async () => {
    const store = new S3ObjectStore(s3.client, 'ingest-test');
    const header = [...REQUIRED_EVENT_COLUMNS, 'worker_role'];
    const body = csvText(header, [
      ['P1', 'plan_agreed', 'U12345', 'R1', PERSON, '2025-03-31', 'splw'],
      ['P2', 'plan_agreed', 'U12345', 'R2', PERSON, '2025-04-01', 'nurse'],
    ]);
    const key = await stageUpload(store, 'U12345', 'march.csv', new TextEncoder().encode(body));
    const { receipt } = await ingestUpload({ store }, { key });
    expect(receipt.rows).toEqual({ read: 2, accepted: 1, rejected: 1 });
    expect(receipt.outputs.curated).toEqual([`curated/events/event_month=2025-03/${receipt.upload_id}.parquet`]);
    expect(await store.list('')).toEqual([
      `curated/events/event_month=2025-03/${receipt.upload_id}.parquet`,
      key,
      `quarantine/${receipt.upload_id}.jsonl`,
      `receipts/${receipt.upload_id}.json`,
    ]);
    // The Parquet object in the bucket is a real, readable file with the contract's types.
    const dir = testTempDir('s3-parquet');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${dir}/x.parquet`, (await store.get(receipt.outputs.curated[0] as string)) as Uint8Array);
    expect(await duckQuery(`SELECT event_id, worker_role, occurred_on FROM read_parquet('${dir}/x.parquet')`)).toEqual([
      { event_id: 'P1', worker_role: 'splw', occurred_on: '2025-03-31' },
    ]);
  });
});
