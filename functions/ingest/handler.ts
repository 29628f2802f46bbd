import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { JSONStringified } from '@aws-lambda-powertools/parser/helpers';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import {
  S3EventNotificationEventBridgeSchema,
  SqsRecordSchema,
  SqsSchema,
} from '@aws-lambda-powertools/parser/schemas';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { z } from 'zod';
import { onFirstCall, requireEnv } from '../lib/config.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import { S3ObjectStore } from '../lib/s3-object-store.ts';
import { decodeS3Key, ingestLandedObjects } from './ingest-batch.ts';
import { scheduleIngestCollections } from './ingest-heap.ts';

/** S3 → EventBridge → SQS: each queue message body is an EventBridge "Object Created" event. */
export const IngestQueueEvent = SqsSchema.extend({
  Records: SqsRecordSchema.extend({ body: JSONStringified(S3EventNotificationEventBridgeSchema) }).array(),
});
export type IngestQueueEvent = z.infer<typeof IngestQueueEvent>;

export function createIngestHandler(deps: { store: ObjectStore; logger: Logger }) {
  return middy()
    .use(injectLambdaContext(deps.logger))
    .use(parser({ schema: IngestQueueEvent }))
    .handler(async (event: IngestQueueEvent) =>
      ingestLandedObjects(
        event.Records.map((record) => ({
          messageId: record.messageId,
          key: decodeS3Key(record.body.detail.object.key),
          landedAt: new Date(record.body.time),
        })),
        deps,
      ),
    );
}

export const handler = onFirstCall(() => {
  // The Lambda's process is the ingest and nothing else: V8's collections scheduled for it (ingest-heap.ts).
  scheduleIngestCollections();
  return createIngestHandler({
    store: new S3ObjectStore(new S3Client({}), requireEnv(['DATA_BUCKET']).DATA_BUCKET),
    logger: new Logger({ serviceName: 'sp-outcomes-ingest' }),
  });
});
