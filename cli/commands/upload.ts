import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { basename } from 'node:path';
import pRetry, { AbortError } from 'p-retry';
import type { Receipt } from '../../functions/contract/index.ts';
import { type PcnKey, parseKey } from '../../functions/upload/pseudonymise.ts';
import type { UploadGrant } from '../../functions/upload/upload-api.ts';
import { byteProgress } from '../progress.ts';
import { checkLocally } from './check-locally.ts';
import { describeReceipt } from './ingest.ts';

/**
 * The upload client: checks a file on this machine, asks the upload API for a grant, sends the file to the presigned
 * POST with retries, and waits for its receipt. The folder runner (--dir / --watch) is upload-folder.ts.
 */

/** Exit codes of `sp-outcomes upload`, documented in the README; with several files, the worst one wins. */
export const UPLOAD_EXIT = { accepted: 0, rejected: 1, partiallyRejected: 2, couldNotSend: 3 } as const;
const SEVERITY = [UPLOAD_EXIT.couldNotSend, UPLOAD_EXIT.rejected, UPLOAD_EXIT.partiallyRejected, UPLOAD_EXIT.accepted];
export const worstExit = (codes: readonly number[]) => SEVERITY.find((code) => codes.includes(code)) ?? 0;

export interface UploaderOptions {
  /** The API's base address, e.g. https://outcomes.example.nhs.uk or http://localhost:8080 */
  readonly server: string;
  /** The PCN's upload token (spu_...), from --token-file or SP_OUTCOMES_UPLOAD_TOKEN. */
  readonly token: string;
  /** The PCN's key file from `sp-outcomes keygen`. */
  readonly key: PcnKey;
  /** Attempts after the first on a network error, 5xx or 429. @default 5 */
  readonly retries?: number;
  /** First retry delay, doubled each time with jitter. @default 1000 */
  readonly retryDelayMs?: number;
  /** How long to wait for the receipt after sending. @default 300000 */
  readonly receiptTimeoutMs?: number;
  /** @default 2000 */
  readonly pollIntervalMs?: number;
  readonly progress?: boolean;
  readonly log?: (line: string) => void;
}

export type UploadStatus = 'accepted' | 'partially_accepted' | 'rejected' | 'not_sent';

export interface UploadOutcome {
  readonly file: string;
  readonly status: UploadStatus;
  readonly exit_code: number;
  readonly upload_id?: string;
  /** True when the server already had this exact file: nothing was sent again. */
  readonly already_received?: boolean;
  /** The server's receipt; for a file refused on this machine, the local check's receipt (`checked_locally`). */
  readonly receipt?: Receipt;
  readonly checked_locally?: boolean;
  /** Why the file was refused here or could not be sent; never carries a cell value. */
  readonly error?: string;
}

export function loadUploaderSecrets(keyPath: string, tokenFile?: string): { key: PcnKey; token: string } {
  const token = (tokenFile ? readFileSync(tokenFile, 'utf8') : (process.env.SP_OUTCOMES_UPLOAD_TOKEN ?? '')).trim();
  if (!token) throw new Error('no upload token: pass --token-file FILE or set SP_OUTCOMES_UPLOAD_TOKEN');
  return { key: parseKey(readFileSync(keyPath, 'utf8')), token };
}

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The server's Retry-After, in seconds, where it gave one as a number. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** The name the form gives the file it sends, whatever the extract's own name is (above). */
export const UPLOAD_FILE_NAME = 'upload.csv';

/** The longest backoff between attempts (p-retry's maxTimeout). */
const MAX_RETRY_WAIT_MS = 60_000;

/**
 * The longest Retry-After the uploader waits out before sending again: 15 minutes. It covers the edge web ACL's 429
 * (infra/edge-stack.ts, RATE_BLOCK_RETRY_AFTER_SECONDS: its rate rules' 5-minute window and AWS WAF's delay in lifting
 * a block), so an uploader behind a busy gateway address pauses and carries on; a server asking for longer (the upload
 * API's daily quota per PCN answers with the seconds to midnight UTC) is not retried.
 */
export const MAX_RETRY_AFTER_SECONDS = 900;

/**
 * 5xx and 429 are worth another try; any other 4xx is an answer. So is a 429 whose Retry-After is longer than the
 * uploader would wait: retrying it only spends the attempts.
 */
const retryable = (error: HttpStatusError) =>
  error.status >= 500 || (error.status === 429 && (error.retryAfterSeconds ?? 0) <= MAX_RETRY_AFTER_SECONDS);

/** Retry-After as seconds (the delta form; an HTTP date is read as no number). */
function retryAfterOf(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  return value !== null && /^\d{1,9}$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

function errorMessage(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === 'string') return `${status}: ${parsed.error}`;
  } catch {}
  const s3Code = /<Code>([^<]{1,60})<\/Code>/.exec(body)?.[1];
  return s3Code ? `${status}: ${s3Code}` : `the server answered ${status}`;
}

/** The upload file (pseudonymised if the extract has NHS numbers) and the checks made before anything is sent. */
async function prepare(
  file: string,
  key: PcnKey,
): Promise<{ body: Buffer; kind: 'events' | 'workforce'; refusal?: Omit<UploadOutcome, 'file'> }> {
  const { body, kind, nhsNumberErrors, receipt } = await checkLocally(readFileSync(file, 'utf8'), key);
  if (nhsNumberErrors.length > 0) {
    const rows = nhsNumberErrors.map((e) => `row ${e.row}: ${e.message} (${e.code})`);
    return {
      body,
      kind,
      refusal: {
        status: 'rejected',
        exit_code: UPLOAD_EXIT.rejected,
        error: `nothing was sent: ${nhsNumberErrors.length} rows have a missing or invalid NHS number; fix the extract and send it again. ${rows.slice(0, 5).join('; ')}${rows.length > 5 ? '; …' : ''}`,
      },
    };
  }
  if (receipt?.status === 'rejected')
    return {
      body,
      kind,
      refusal: { status: 'rejected', exit_code: UPLOAD_EXIT.rejected, receipt, checked_locally: true },
    };
  return { body, kind };
}

/** Sends one multipart/form-data body with a byte progress bar (fetch cannot report upload progress). */
function postForm(
  url: string,
  body: Buffer,
  contentType: string,
  progress: boolean,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = (url.startsWith('https:') ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers: { 'content-type': contentType, 'content-length': body.length },
    });
    const bar = byteProgress('upload', body.length, progress);
    request.on('error', (error) => {
      bar.stop();
      reject(error);
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        bar.stop();
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', reject);
    });
    const CHUNK = 256 * 1024;
    let offset = 0;
    const writeMore = () => {
      while (offset < body.length) {
        const chunk = body.subarray(offset, offset + CHUNK);
        offset += chunk.length;
        bar.add(chunk.length);
        if (!request.write(chunk)) return void request.once('drain', writeMore);
      }
      request.end();
    };
    writeMore();
  });
}

export class Uploader {
  private readonly log: (line: string) => void;

  constructor(private readonly options: UploaderOptions) {
    this.log = options.log ?? ((line) => console.error(line));
  }

  /** Retries with exponential backoff and jitter on network errors, 5xx and 429 (unless it asks to wait longer than
   * MAX_RETRY_AFTER_SECONDS), and never sooner than the answer's Retry-After; another 4xx ends at once. */
  private retrying<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    return pRetry(
      async () => {
        try {
          return await attempt();
        } catch (error) {
          if (error instanceof HttpStatusError && !retryable(error)) throw new AbortError(error);
          throw error;
        }
      },
      {
        retries: this.options.retries ?? 5,
        factor: 2,
        minTimeout: this.options.retryDelayMs ?? 1000,
        maxTimeout: MAX_RETRY_WAIT_MS,
        randomize: true,
        // p-retry awaits this before its own backoff: a Retry-After (within the bound, or retryable() ended it) is
        // waited out first, so the next attempt comes no sooner than the server asked (RFC 9110, 10.2.3).
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft <= 0) return;
          // Bounded for a 5xx too (retried whatever its Retry-After).
          const asked = error instanceof HttpStatusError ? error.retryAfterSeconds : undefined;
          const wait = asked === undefined ? undefined : Math.min(asked, MAX_RETRY_AFTER_SECONDS);
          this.log(
            `  ${what}: attempt ${attemptNumber} failed (${error.message}); retrying${wait ? ` in ${wait.toLocaleString('en-GB')} s or more, as the server asks` : ''}`,
          );
          if (wait) await new Promise((resolve) => setTimeout(resolve, wait * 1000));
        },
      },
    );
  }

  private async api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(new URL(path, this.options.server), {
      method,
      headers: {
        authorization: `Bearer ${this.options.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 400) {
      const retryAfter = retryAfterOf(response);
      const wait =
        response.status === 429 && retryAfter !== undefined && retryAfter > MAX_RETRY_AFTER_SECONDS
          ? ` (the server asks to wait ${retryAfter.toLocaleString('en-GB')} s before sending again)`
          : '';
      throw new HttpStatusError(response.status, `${errorMessage(response.status, text)}${wait}`, retryAfter);
    }
    return { status: response.status, json: JSON.parse(text) };
  }

  private async waitForReceipt(uploadId: string): Promise<Receipt | undefined> {
    const deadline = Date.now() + (this.options.receiptTimeoutMs ?? 300_000);
    while (Date.now() < deadline) {
      const { status, json } = await this.retrying('receipt', () => this.api('GET', `/api/uploads/${uploadId}`));
      if (status === 200) return json as Receipt;
      await new Promise((resolve) => setTimeout(resolve, this.options.pollIntervalMs ?? 2000));
    }
    return undefined;
  }

  /** One file: prepare and check it here, announce it, send it to the presigned POST, wait for the receipt. */
  async send(file: string): Promise<UploadOutcome> {
    let uploadId: string | undefined;
    try {
      const { body, kind, refusal } = await prepare(file, this.options.key);
      if (refusal) return { file, ...refusal };
      const sha256 = createHash('sha256').update(body).digest('hex');
      const { status, json } = await this.retrying('request upload', () =>
        this.api('POST', '/api/uploads', {
          pcn_code: this.options.key.pcn_code,
          kind,
          format: 'csv',
          compressed: false,
          bytes: body.length,
          sha256,
          md5: createHash('md5').update(body).digest('base64'),
        }),
      );
      if (status === 200) {
        const { upload_id, receipt } = json as { upload_id: string; receipt: Receipt };
        return this.outcome(file, upload_id, receipt, true);
      }
      const grant = json as UploadGrant;
      uploadId = grant.upload_id;
      const form = new FormData();
      for (const [field, value] of Object.entries(grant.post.fields)) form.append(field, value);
      // The file part is named neutrally, never after the extract: a file's own name can be a person's
      // (`john_smith_referrals.csv`; sec30's note on review 30). S3 and the local server key the upload by its grant.
      form.append('file', new Blob([new Uint8Array(body)], { type: 'text/csv' }), UPLOAD_FILE_NAME);
      const encoded = new Response(form);
      const contentType = encoded.headers.get('content-type') as string;
      const multipart = Buffer.from(await encoded.arrayBuffer());
      await this.retrying('send', async () => {
        const answer = await postForm(grant.post.url, multipart, contentType, this.options.progress ?? false);
        if (answer.status >= 300) throw new HttpStatusError(answer.status, errorMessage(answer.status, answer.text));
      });
      const receipt = await this.waitForReceipt(grant.upload_id);
      if (!receipt)
        return {
          file,
          status: 'not_sent',
          exit_code: UPLOAD_EXIT.couldNotSend,
          upload_id: uploadId,
          error: 'sent, but no receipt came in time: run again later (the same file is the same upload)',
        };
      return this.outcome(file, grant.upload_id, receipt, false);
    } catch (error) {
      const cause = error instanceof AbortError ? (error.cause as Error | undefined) : undefined;
      return {
        file,
        status: 'not_sent',
        exit_code: UPLOAD_EXIT.couldNotSend,
        ...(uploadId ? { upload_id: uploadId } : {}),
        error: (cause ?? (error as Error)).message,
      };
    }
  }

  private outcome(file: string, uploadId: string, receipt: Receipt, already: boolean): UploadOutcome {
    const exit =
      receipt.status === 'accepted'
        ? UPLOAD_EXIT.accepted
        : receipt.status === 'partially_accepted'
          ? UPLOAD_EXIT.partiallyRejected
          : UPLOAD_EXIT.rejected;
    return {
      file,
      status: receipt.status,
      exit_code: exit,
      upload_id: uploadId,
      already_received: already,
      receipt,
    };
  }
}

/** Lines for a person: what happened to the file, then the receipt's own lines. */
export function describeOutcome(outcome: UploadOutcome): string[] {
  const name = basename(outcome.file);
  if (outcome.error && !outcome.receipt)
    return [`${outcome.status === 'not_sent' ? '✖ could not send' : '✖'} ${name}: ${outcome.error}`];
  const lines = outcome.receipt ? describeReceipt(outcome.file, outcome.receipt, 5) : [];
  if (outcome.checked_locally) lines.unshift(`✖ ${name}: refused on this machine, nothing was sent:`);
  if (outcome.already_received)
    lines.push(`  ${name}: already received earlier as ${outcome.upload_id}; not sent again`);
  else if (outcome.upload_id) lines.push(`  ${name}: upload ${outcome.upload_id}`);
  return lines;
}
