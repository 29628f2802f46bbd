import { z } from 'zod';
import { DEFAULT_LIMITS, PCN_CODE_PATTERN, type Receipt } from '../contract/index.ts';
import { errorResponse, type HttpResponse, jsonResponse } from '../lib/http-errors.ts';
import {
  LANDING_PREFIX,
  landingKey,
  landingPrefixOf,
  RECEIPTS_PREFIX,
  receiptKey,
  UPLOAD_ID_PATTERN,
  uploadIdFor,
} from '../lib/keys.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import type { PcnTokenRegistry } from './pcn-tokens.ts';
import type { Presigner } from './presigned-post.ts';

export interface UploadApiRequest {
  readonly method: string;
  readonly path: string;
  /** The Authorization header: Bearer spu_... */
  readonly authorization?: string;
  readonly body?: string;
  /**
   * The request's query string, parsed. Neither route takes one: a non-empty query is refused (400) after the token,
   * in the core so the local server and the Lambda answer alike (sec34, R37-4). Absent: none sent.
   */
  readonly query?: URLSearchParams;
}

export type UploadApiResponse = HttpResponse;

export interface UploadApiOptions {
  /** Largest upload accepted, bytes. @default DEFAULT_LIMITS.maxBytes (100 MiB) */
  readonly maxBytes: number;
  /** How long a presigned POST may be used. @default 900 */
  readonly presignSeconds: number;
  /**
   * New uploads one PCN may send in a UTC day (R24-5b); the next is refused with 429 and Retry-After (the seconds to
   * midnight UTC). A file sent again (already received) is not a new upload. @default DAILY_UPLOADS_PER_PCN
   */
  readonly dailyUploadsPerPcn: number;
  /** @default () => new Date() */
  readonly clock: () => Date;
}

/**
 * A PCN sends two files a month (its events and its workforce return), a few more with corrections: 200 in one day is
 * some fifty times the busiest legitimate day (every month of a year's backlog of both kinds, sent again twice), yet
 * bounds an uploader caught in a loop (`--watch` on a folder its extract rewrites each minute would send 1,440). Grants
 * not yet used are not counted, so it does not bound what a token can cost a day (review 27, R27-7). README, "Sending
 * files".
 */
export const DAILY_UPLOADS_PER_PCN = 200;

/** What the uploader announces before sending: nothing in it becomes part of a key except through uploadIdFor. */
export const UploadRequest = z.strictObject({
  pcn_code: z.string().regex(PCN_CODE_PATTERN, 'must be U followed by 5 digits'),
  kind: z.enum(['events', 'workforce']),
  format: z.enum(['csv', 'jsonl']),
  compressed: z.boolean(),
  bytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'),
  /** The file's MD5, base64: becomes the POST's Content-MD5 field, which S3 checks against the body. */
  md5: z
    .string()
    .regex(/^[A-Za-z0-9+/]{22}==$/, 'must be the base64 of a 16-byte MD5 digest')
    .optional(),
});
export type UploadRequest = z.infer<typeof UploadRequest>;

export interface UploadGrant {
  readonly upload_id: string;
  readonly key: string;
  readonly expires_in_seconds: number;
  readonly post: { readonly url: string; readonly fields: Readonly<Record<string, string>> };
}

const json = jsonResponse;

/**
 * The upload API: POST /api/uploads grants a presigned POST for one landing key of the caller's own PCN;
 * GET /api/uploads/<id> returns the receipt of one of the caller's own uploads. The PCN comes from the token, never
 * from the request: another PCN's uploads look exactly like ones that do not exist.
 */
export class UploadApi {
  private readonly options: UploadApiOptions;

  constructor(
    private readonly deps: { store: ObjectStore; tokens: PcnTokenRegistry; presigner: Presigner },
    options: Partial<UploadApiOptions> = {},
  ) {
    this.options = {
      maxBytes: DEFAULT_LIMITS.maxBytes,
      presignSeconds: 900,
      dailyUploadsPerPcn: DAILY_UPLOADS_PER_PCN,
      clock: () => new Date(),
      ...options,
    };
    if (!Number.isSafeInteger(this.options.dailyUploadsPerPcn) || this.options.dailyUploadsPerPcn < 1)
      throw new Error('dailyUploadsPerPcn must be a whole number, 1 or more');
  }

  /**
   * The PCN's uploads that arrived today (UTC), from what the store holds: its landing objects and its receipts written
   * today, by upload id (a file refused for personal data keeps its receipt, its landing object deleted). No record of
   * its own: S3's listing gives each object's LastModified, and the PCN's keys are one prefix each.
   */
  private async uploadsToday(pcnCode: string, now: Date): Promise<number> {
    const { store } = this.deps;
    const day = now.toISOString().slice(0, 10);
    const ids = new Set<string>();
    const landed = await store.listModified(`${LANDING_PREFIX}pcn=${pcnCode}/`);
    const receipts = await store.listModified(`${RECEIPTS_PREFIX}${pcnCode}-`);
    for (const { key, lastModified } of [...landed, ...receipts]) {
      if (lastModified.toISOString().slice(0, 10) !== day) continue;
      const name = key.slice(key.lastIndexOf('/') + 1);
      ids.add(name.slice(0, name.indexOf('.')));
    }
    return ids.size;
  }

  async handle(request: UploadApiRequest): Promise<UploadApiResponse> {
    let pcnCode: string;
    try {
      const bearer = /^Bearer (\S+)$/.exec(request.authorization ?? '')?.[1];
      pcnCode = (await this.deps.tokens.verify(bearer)).pcnCode;
    } catch (error) {
      const response = errorResponse(error);
      if (response) return response;
      throw error;
    }
    // A route that takes no query refuses one, as the metrics API's JSON routes do (sec33, sec34).
    if (request.query !== undefined && !request.query.keys().next().done) {
      const route = request.path === '/api/uploads' ? '/api/uploads' : '/api/uploads/<id>';
      return json(400, { error: `${route} takes no query parameters` });
    }
    if (request.path === '/api/uploads') {
      if (request.method !== 'POST') return json(405, { error: 'use POST to request an upload' });
      return this.requestUpload(pcnCode, request.body ?? '');
    }
    const id = /^\/api\/uploads\/([^/]{1,200})$/.exec(request.path)?.[1];
    if (id === undefined) return json(404, { error: 'no such route: POST /api/uploads or GET /api/uploads/<id>' });
    if (request.method !== 'GET') return json(405, { error: 'use GET to read a receipt' });
    return this.receipt(pcnCode, id);
  }

  private async requestUpload(pcnCode: string, body: string): Promise<UploadApiResponse> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return json(400, { error: 'the body must be JSON: {pcn_code, kind, format, compressed, bytes, sha256}' });
    }
    const result = UploadRequest.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      // An unknown key is not named: it might be a value that identifies someone (zod's own message quotes it).
      if (issue?.code === 'unrecognized_keys')
        return json(400, {
          error: `the body has ${issue.keys.length === 1 ? 'a field that is' : `${issue.keys.length} fields that are`} not one of ${Object.keys(UploadRequest.shape).join(', ')}`,
        });
      const field = issue?.path.join('.') || 'body';
      return json(400, { error: `${field.slice(0, 60)}: ${issue?.message ?? 'invalid'}` });
    }
    const upload = result.data;
    if (upload.pcn_code !== pcnCode)
      return json(403, { error: `this token uploads for ${pcnCode} only, not ${upload.pcn_code}` });
    if (upload.bytes > this.options.maxBytes)
      return json(413, { error: `the file is larger than the ${this.options.maxBytes} bytes allowed` });

    const uploadId = uploadIdFor(pcnCode, upload.sha256);
    const stored = await this.deps.store.get(receiptKey(uploadId));
    const receipt = stored === undefined ? undefined : (JSON.parse(new TextDecoder().decode(stored)) as Receipt);
    // A transfer whose bytes were not the announced file says nothing about the file itself: it may be sent again.
    if (receipt !== undefined && receipt.file_error?.code !== 'checksum_mismatch') {
      // The same file again: it is the same upload, already counted once.
      return json(200, { upload_id: uploadId, status: 'already_received', receipt });
    }
    // A new upload: within the PCN's daily quota (R24-5b). The answer names the limit, nothing of the file.
    const now = this.options.clock();
    const limit = this.options.dailyUploadsPerPcn;
    if ((await this.uploadsToday(pcnCode, now)) >= limit) {
      const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
      const retryAfter = Math.max(1, Math.ceil((midnight - now.getTime()) / 1000));
      return json(
        429,
        {
          error: `this PCN has sent ${limit} uploads today (UTC), the most allowed in a day; send again after midnight UTC`,
          limit,
          retry_after_seconds: retryAfter,
        },
        { 'retry-after': String(retryAfter) },
      );
    }
    const key = landingKey(pcnCode, uploadId, upload.format, upload.compressed);
    const content = { bytes: upload.bytes, sha256: upload.sha256, ...(upload.md5 ? { md5: upload.md5 } : {}) };
    const post = await this.deps.presigner.presign(key, content, this.options.presignSeconds);
    const grant: UploadGrant = { upload_id: uploadId, key, expires_in_seconds: this.options.presignSeconds, post };
    return json(201, grant);
  }

  private async receipt(pcnCode: string, id: string): Promise<UploadApiResponse> {
    const notFound = json(404, { error: 'no upload of yours with this id' });
    const match = UPLOAD_ID_PATTERN.exec(id);
    if (!match || match[1] !== pcnCode) return notFound;
    const bytes = await this.deps.store.get(receiptKey(id));
    if (bytes !== undefined) return json(200, JSON.parse(new TextDecoder().decode(bytes)) as Receipt);
    const landed = await this.deps.store.list(landingPrefixOf(pcnCode, id));
    return landed.length > 0 ? json(202, { upload_id: id, status: 'processing' }) : notFound;
  }
}
