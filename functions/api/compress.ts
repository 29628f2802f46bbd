import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { jsonResponse } from '../lib/http-errors.ts';

/** What a Lambda behind an HTTP API (payload format 2.0) returns. */
export interface LambdaHttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly isBase64Encoded?: boolean;
}

/** Bodies smaller than this are sent as they are: compression would save little and cost a header. */
export const COMPRESS_FROM_BYTES = 1_024;

/** A content coding the API sends: Brotli, gzip, or the body as it is. */
export type Coding = 'br' | 'gzip' | 'identity';

/**
 * The coding to send for an Accept-Encoding header: of br and gzip, the one with the higher weight (br on a tie, as
 * it is smaller), never one weighted q=0; identity when neither is acceptable. `*` stands for any coding not named
 * (RFC 9110 section 12.5.3, https://www.rfc-editor.org/rfc/rfc9110#field.accept-encoding).
 */
export function preferredCoding(acceptEncoding: string | undefined): Coding {
  if (!acceptEncoding) return 'identity';
  const known = codingOf.get(acceptEncoding);
  if (known !== undefined) return known;
  const coding = parseAcceptEncoding(acceptEncoding);
  // Browsers send a handful of distinct headers: each is parsed once (the map is bounded all the same).
  if (codingOf.size >= 64) codingOf.clear();
  codingOf.set(acceptEncoding, coding);
  return coding;
}

const codingOf = new Map<string, Coding>();

function parseAcceptEncoding(acceptEncoding: string): Coding {
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(coding.trim(), Number.isFinite(weight) ? weight : 0);
  }
  const weightOf = (coding: string) => weights.get(coding) ?? weights.get('*') ?? 0;
  const br = weightOf('br');
  const gz = weightOf('gzip');
  if (br <= 0 && gz <= 0) return 'identity';
  return br >= gz ? 'br' : 'gzip';
}

/** True when an Accept-Encoding header allows gzip (a q=0 weight refuses it). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  return acceptEncoding.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/**
 * Brotli's best quality: about 30% smaller than gzip on these documents, but slow (0.3-0.7 s for a 200 kB document
 * on this 2-core machine, about 1.8 CPU s per MB), so it is made off the event loop (zlib's asynchronous calls run on
 * libuv's thread pool) and after the gzip: until it is ready, a client that accepts br gets the gzip. Above
 * BROTLI_BEST_UP_TO_BYTES it is quality 5: an unfiltered national document or a CSV download (18-77 MB) at the best
 * quality would hold zlib's four threads for minutes, and every later answer's gzip would wait behind it (the Lambda
 * times out at 10 s). Measured on the national rollout document (18.9 MB): quality 5 took 0.16 CPU s for 574 kB,
 * gzip 0.09 s for 735 kB; the best quality did not finish in the time a reader waits.
 */
export const BROTLI_BEST_UP_TO_BYTES = 256 * 1024;
export const brotliQuality = (bytes: number): number =>
  bytes <= BROTLI_BEST_UP_TO_BYTES ? constants.BROTLI_MAX_QUALITY : 5;
const BROTLI_OPTIONS = (bytes: number) => ({
  params: {
    [constants.BROTLI_PARAM_QUALITY]: brotliQuality(bytes),
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    [constants.BROTLI_PARAM_SIZE_HINT]: bytes,
  },
});

/**
 * An answer's body in every form the API sends it, made once per answer (per refresh, scope, route and filters):
 * the bytes of each coding, the headers to send with each, and the entity tag. The tag is weak, so one tag stands for
 * the same content in any coding; If-None-Match compares weakly (RFC 9110 sections 8.8.1 and 13.1.2).
 */
export class EncodedBody {
  readonly etag: string;
  readonly identity: Buffer;
  private gzipBytes: Buffer | undefined;
  private brBytes: Buffer | undefined;
  private readonly headers = new Map<Coding, Readonly<Record<string, string>>>();
  /** What a 304 Not Modified carries: the tag, Vary and Cache-Control a 200 would (RFC 9110 section 15.4.5). */
  readonly notModifiedHeaders: Readonly<Record<string, string>>;
  /** Resolves once the Brotli form is made (or given up), so a test or a warm-up can wait for it. */
  brotliReady: Promise<void> = Promise.resolve();

  private constructor(
    body: string,
    headers: Readonly<Record<string, string>>,
    private readonly onGrown: (bytes: number) => void,
  ) {
    this.identity = Buffer.from(body);
    this.etag = `W/"${createHash('sha256').update(this.identity).digest('base64url').slice(0, 27)}"`;
    const base = { ...headers, vary: 'accept-encoding', etag: this.etag };
    this.headers.set('identity', base);
    this.headers.set('gzip', { ...base, 'content-encoding': 'gzip' });
    this.headers.set('br', { ...base, 'content-encoding': 'br' });
    const cacheControl = headers['cache-control'];
    this.notModifiedHeaders = {
      vary: 'accept-encoding',
      etag: this.etag,
      ...(cacheControl === undefined ? {} : { 'cache-control': cacheControl }),
    };
  }

  /** The headers sent with the body in a coding. */
  headersFor(coding: Coding): Readonly<Record<string, string>> {
    return this.headers.get(coding) as Readonly<Record<string, string>>;
  }

  /**
   * Encodes a body: the gzip form before this resolves, the Brotli form after it, in the background; onGrown is told
   * the bytes each later form adds, Brotli or a base64 copy (the answer cache counts them).
   */
  static async of(
    body: string,
    headers: Readonly<Record<string, string>>,
    onGrown: (bytes: number) => void = () => {},
  ): Promise<EncodedBody> {
    const encoded = new EncodedBody(body, headers, onGrown);
    if (encoded.identity.length < COMPRESS_FROM_BYTES) return encoded;
    encoded.gzipBytes = await gzipAsync(encoded.identity);
    encoded.brotliReady = brotliAsync(encoded.identity, BROTLI_OPTIONS(encoded.identity.length)).then(
      (br) => {
        encoded.brBytes = br;
        onGrown(br.length);
      },
      // Without it the gzip form is sent: nothing is lost but bytes.
      () => {},
    );
    return encoded;
  }

  private readonly base64 = new Map<Coding, string>();

  /** A compressed form as base64, for the Lambda's response: encoded once per form (a warm function sends it again). */
  base64Of(coding: Coding, bytes: Buffer): string {
    let text = this.base64.get(coding);
    if (text === undefined) {
      text = bytes.toString('base64');
      this.base64.set(coding, text);
      this.onGrown(text.length);
    }
    return text;
  }

  /** Bytes held: the body and each compressed form made so far (as bytes, and as base64 once the Lambda sent it). */
  get bytes(): number {
    let base64 = 0;
    for (const text of this.base64.values()) base64 += text.length;
    return this.identity.length + (this.gzipBytes?.length ?? 0) + (this.brBytes?.length ?? 0) + base64;
  }

  /** The coding to send this client (the best it accepts among those made so far), its bytes and headers. */
  forClient(acceptEncoding: string | undefined): {
    coding: Coding;
    body: Buffer;
    headers: Readonly<Record<string, string>>;
  } {
    let coding = this.gzipBytes ? preferredCoding(acceptEncoding) : 'identity';
    if (coding === 'br' && !this.brBytes) coding = acceptsGzip(acceptEncoding) ? 'gzip' : 'identity';
    const body = coding === 'br' ? this.brBytes : coding === 'gzip' ? this.gzipBytes : this.identity;
    return { coding, body: body as Buffer, headers: this.headersFor(coding) };
  }
}

/**
 * Does an If-None-Match header match this entity tag? Weak comparison, any tag of a list, or `*` (RFC 9110 section
 * 13.1.2, https://www.rfc-editor.org/rfc/rfc9110#field.if-none-match).
 */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const mine = opaque(etag);
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === mine);
}

/**
 * What an answer is, for the message that refuses one too large to send: its metric document, whether as CSV, and
 * which filters the question already has. Only names the API itself defines are kept (a document's name matches the
 * route's pattern; a filter is one of the four), never a value asked for: a message never repeats what was typed.
 */
export interface AnswerAbout {
  readonly document: string;
  readonly csv: boolean;
  readonly filters: ReadonlySet<string>;
}

const METRIC_ROUTE = /^\/api\/metrics\/([a-z_]{1,40})(\.csv)?$/;
const FILTER_NAMES = ['level', 'code', 'period', 'period_type'] as const;

/** The metric route a request asked (functions/api/metrics-api.ts's routes), or undefined for any other path. */
export function answerAbout(path: string, query: URLSearchParams): AnswerAbout | undefined {
  const match = METRIC_ROUTE.exec(path);
  if (!match) return undefined;
  return {
    document: match[1] as string,
    csv: match[2] !== undefined,
    filters: new Set(FILTER_NAMES.filter((name) => query.has(name))),
  };
}

/**
 * What to add to a question too large to answer, from what it already has: a period (a month or a financial year
 * keeps a twelfth to a third of a national document's rows), then an area (a level, then a code of it).
 */
function narrowing(about: AnswerAbout | undefined): string {
  const add: string[] = [];
  if (!about?.filters.has('period')) add.push('period (a month such as 2026-03, or a financial year such as 2025/26)');
  if (!about?.filters.has('level')) add.push('level (national, region, icb or pcn) and code (an area of that level)');
  else if (!about.filters.has('code')) add.push('code (one area of that level)');
  return add.length > 0 ? `add ${add.join(', or ')} to the query` : 'ask for a shorter period or a smaller area';
}

/**
 * The Lambda's form of a response: compressed (Brotli or gzip, as the client accepts and as made) when an encoded
 * body comes with it, base64 then. A Lambda's response is capped at 6 MB ("Invocation payload (request and response):
 * 6 MB each for request and response (synchronous)", https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html;
 * "For synchronous invocations, the maximum payload size is 6 MB", API_Invoke), and a binary body must travel
 * base64-encoded with isBase64Encoded set
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html). An answer
 * over it would fail the invocation and reach the client as a bare 502 from the gateway; it is refused instead (review
 * 24, R24-6: an unfiltered national document passes it in year 4 or 5), naming the document and what to add to the
 * question. 413 (Content Too Large) is defined for a request's content (RFC 9110 section 15.5.14): here the content
 * is the answer's, and the remedy is in the request, a narrower question; the JSON error says which.
 */
export function lambdaResponse(
  response: { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string },
  encoded: EncodedBody | undefined,
  acceptEncoding: string | undefined,
  about?: AnswerAbout,
): LambdaHttpResponse {
  if (!encoded) return { statusCode: response.status, headers: response.headers, body: response.body };
  const what = about ? `/api/metrics/${about.document}${about.csv ? '.csv' : ''}` : 'this answer';
  const sent = encoded.forClient(acceptEncoding);
  if (sent.coding === 'identity') {
    // The body travels as a JSON string inside the Lambda's response: its quotes and backslashes are escaped there,
    // a JSON document's many quotes adding about a fifth to its bytes.
    const bytes = payloadBytes(response.body);
    if (bytes <= LAMBDA_BODY_LIMIT) return { statusCode: response.status, headers: sent.headers, body: response.body };
    const gzip = encoded.forClient('gzip');
    const fits = gzip.coding === 'gzip' && base64Length(gzip.body.length) <= LAMBDA_BODY_LIMIT;
    if (fits)
      return tooLarge(
        406,
        `${what} is ${megabytes(bytes)} uncompressed, over the ${megabytes(LAMBDA_BODY_LIMIT)} an answer can carry: ask with Accept-Encoding: gzip (browsers do), or ${narrowing(about)}`,
      );
    return tooLarge(
      413,
      `${what} is ${megabytes(bytes)} uncompressed, over the ${megabytes(LAMBDA_BODY_LIMIT)} an answer can carry: ${narrowing(about)}`,
    );
  }
  if (base64Length(sent.body.length) > LAMBDA_BODY_LIMIT)
    return tooLarge(
      413,
      `${what} is ${megabytes(base64Length(sent.body.length))} even compressed, over the ${megabytes(LAMBDA_BODY_LIMIT)} an answer can carry: ${narrowing(about)}`,
    );
  return {
    statusCode: response.status,
    headers: sent.headers,
    body: encoded.base64Of(sent.coding, sent.body),
    isBase64Encoded: true,
  };
}

/**
 * The most body a Lambda response may carry: 6 MB (6,291,456 bytes) for the whole invocation response (Lambda quotas,
 * "Invocation payload (request and response)"), less 64 kB for the status, headers and JSON framing around it (the
 * headers of an answer are under 1 kB). 5.94 MB.
 */
export const LAMBDA_BODY_LIMIT = 6 * 1024 * 1024 - 64 * 1024;

const base64Length = (bytes: number) => Math.ceil(bytes / 3) * 4;
/** A body's bytes as the JSON string of the Lambda's response (UTF-8, escapes included). */
const payloadBytes = (body: string) => Buffer.byteLength(JSON.stringify(body));
const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function tooLarge(statusCode: number, error: string): LambdaHttpResponse {
  const { headers, body } = jsonResponse(statusCode, { error });
  return { statusCode, headers, body };
}
