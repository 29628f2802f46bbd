import { createHash } from 'node:crypto';
import { AREA_CODE_SOURCE } from '../contract/areas.ts';
import type { UploadFormat } from '../contract/upload.ts';
import { LANDING_PREFIX, landingKeyFor, receiptKey, uploadIdFor } from '../lib/keys.ts';
import type { ObjectStore } from '../lib/object-store.ts';

export interface LandingKey {
  readonly key: string;
  readonly pcnCode: string;
  readonly uploadId: string;
  readonly format: UploadFormat;
  readonly gzip: boolean;
}

const LANDING_KEY = new RegExp(
  `^${LANDING_PREFIX}pcn=(${AREA_CODE_SOURCE.pcn})/([A-Za-z0-9_-]{1,100})\\.(csv|jsonl)(\\.gz)?$`,
);

export class InvalidLandingKeyError extends Error {
  constructor(key: string) {
    super(
      `not a landing key of the form landing/pcn=<U00000>/<upload-id>.<csv|jsonl>[.gz]: ${JSON.stringify(key.slice(0, 200))}`,
    );
    this.name = 'InvalidLandingKeyError';
  }
}

export function parseLandingKey(key: string): LandingKey {
  const match = LANDING_KEY.exec(key);
  if (!match) throw new InvalidLandingKeyError(key);
  const [, pcnCode, uploadId, format, gz] = match as unknown as [
    string,
    string,
    string,
    UploadFormat,
    string | undefined,
  ];
  return { key, pcnCode, uploadId, format, gzip: gz !== undefined };
}

/**
 * Keeps a file exactly as received under landing/, named by its upload id, unless it has been received before
 * (it has a receipt, as the upload API checks before granting an upload). Returns the landing key.
 */
export async function stageUpload(
  store: ObjectStore,
  pcnCode: string,
  fileName: string,
  body: Uint8Array,
): Promise<string> {
  const sha256 = createHash('sha256').update(body).digest('hex');
  const key = landingKeyFor(pcnCode, uploadIdFor(pcnCode, sha256), fileName);
  if ((await store.list(key)).includes(key)) return key;
  if ((await store.get(receiptKey(uploadIdFor(pcnCode, sha256)))) !== undefined) return key;
  await store.put(key, body);
  return key;
}
