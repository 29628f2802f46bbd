import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest/handler.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import { S3ObjectStore } from '../../functions/lib/s3-object-store.ts';
import { csvText, lambdaContext, PERSON, REQUIRED_EVENT_COLUMNS } from '../support/files.ts';
import { type LocalS3, startLocalS3 } from '../support/s3.ts';

const fixture = JSON.parse(readFileSync('test/fixtures/events/sqs-eventbridge-s3-object-created.json', 'utf8'));

const context = lambdaContext('sp-outcomes-ingest');

/** The recorded SQS message with its EventBridge body pointing at another key, URL-encoded as S3 sends it. */
function messageFor(key: string, messageId: string) {
  const record = structuredClone(fixture.Records[0]);
  const body = JSON.parse(record.body);
  body.detail.object.key = encodeURIComponent(key).replaceAll('%2F', '/');
  record.body = JSON.stringify(body);
  record.messageId = messageId;
  return record;
}

let s3: LocalS3;
let store: S3ObjectStore;
const logs: string[] = [];
let handler: ReturnType<typeof createIngestHandler>;

beforeAll(async () => {
  s3 = await startLocalS3();
  await s3.createBucket('sp-outcomes-data');
  store = new S3ObjectStore(s3.client, 'sp-outcomes-data');
  const logger = new Logger({ serviceName: 'sp-outcomes-ingest', logLevel: 'INFO' });
  // Capture the structured log lines instead of printing them.
  (logger as unknown as { console: { info: (s: string) => void; error: (s: string) => void } }).console = {
    info: (line: string) => logs.push(line),
    error: (line: string) => logs.push(line),
  };
  handler = createIngestHandler({ store, logger });
});
afterAll(async () => {
  await s3.stop();
});

describe('the ingest Lambda handler, invoked with recorded SQS → EventBridge → S3 payloads', () => {
  it('ingests a landed upload and reports a file that cannot be read back as a batch item failure', async () => {
    const header = [...REQUIRED_EVENT_COLUMNS, 'discharge_reason'];
    const body = csvText(header, [['D1', 'discharge', 'U12345', 'R1', PERSON, '2025-06-01', 'goals_met']]);
    const key = await stageUpload(store, 'U12345', 'june.csv', new TextEncoder().encode(body));
    const event = {
      Records: [messageFor(key, 'good-message'), messageFor('landing/pcn=U12345/U12345-0000.csv', 'missing-message')],
    };

    const result = await handler(event, context);

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'missing-message' }] });
    const uploadId = key.split('/').pop()?.replace('.csv', '') as string;
    const receipt = JSON.parse(new TextDecoder().decode(await store.get(`receipts/${uploadId}.json`)));
    expect(receipt.status).toBe('accepted');
    expect(receipt.received_at).toBe('2026-10-01T09:15:42.000Z'); // the EventBridge event time, not the clock
    expect(await store.list('curated/')).toEqual([`curated/events/event_month=2025-06/${uploadId}.parquet`]);

    const entries = logs.map((line) => JSON.parse(line));
    expect(entries.find((e) => e.message === 'upload ingested')).toMatchObject({
      upload_id: uploadId,
      status: 'accepted',
      rows: { read: 1, accepted: 1, rejected: 0 },
      function_request_id: context.awsRequestId,
    });
    expect(entries.find((e) => e.message === 'upload could not be ingested; it will be retried')).toMatchObject({
      level: 'ERROR',
      key: 'landing/pcn=U12345/U12345-0000.csv',
      error: 'Error',
    });
  });

  it('throws on an event that is not an SQS batch of S3 notifications, so Lambda retries it', async () => {
    const notAnS3Batch = { Records: [{ body: 'not json' }] } as unknown as Parameters<typeof handler>[0];
    await expect(handler(notAnS3Batch, context)).rejects.toThrow('Failed to parse schema');
  });
});
