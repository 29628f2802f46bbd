import type { ObjectStore } from '../lib/object-store.ts';
import { FileRejection } from './file-rejection.ts';
import { type IngestOptions, ingestUpload } from './ingest.ts';

/** One S3 "Object Created" notification as the ingest needs it: the key and when it landed. */
export interface LandedObject {
  readonly messageId: string;
  readonly key: string;
  readonly landedAt: Date;
}

export interface BatchLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

export interface BatchResult {
  readonly batchItemFailures: { itemIdentifier: string }[];
}

/** S3 notifications carry keys URL-encoded (a space as +). */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/**
 * Ingests every landed object of a queue batch. A file whose ingest fails (storage trouble, a bad key) is
 * reported back as a batch item failure, so the queue retries it and, in the end, dead-letters it.
 * A file that is bad in itself is not a failure: it gets its receipt and is done.
 */
export async function ingestLandedObjects(
  objects: readonly LandedObject[],
  deps: { store: ObjectStore; logger: BatchLogger; clock?: () => Date },
  options?: IngestOptions,
): Promise<BatchResult> {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const object of objects) {
    if (!object.key.startsWith('landing/')) continue;
    try {
      const { receipt, alreadyIngested } = await ingestUpload(
        deps,
        { key: object.key, receivedAt: object.landedAt },
        options,
      );
      deps.logger.info('upload ingested', {
        upload_id: receipt.upload_id,
        pcn_code: receipt.pcn_code,
        status: receipt.status,
        rows: receipt.rows,
        file_error: receipt.file_error?.code ?? null,
        already_ingested: alreadyIngested,
        timings_ms: receipt.timings_ms,
      });
    } catch (error) {
      batchItemFailures.push({ itemIdentifier: object.messageId });
      deps.logger.error('upload could not be ingested; it will be retried', {
        key: object.key,
        error: error instanceof FileRejection ? error.detail.code : (error as Error).name,
        reason: (error as Error).message,
      });
    }
  }
  return { batchItemFailures };
}
