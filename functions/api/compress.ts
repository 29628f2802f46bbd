import { gzipSync } from 'node:zlib';

/** What a Lambda behind an HTTP API (payload format 2.0) returns. */
export interface LambdaHttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly isBase64Encoded?: boolean;
}

/** Bodies smaller than this are sent as they are: gzip would save little and cost a header. */
export const COMPRESS_FROM_BYTES = 1_024;

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

/**
 * Gzips a response when the client allows it. A Lambda's response is capped at 6 MB
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html, "Invocation payload (request and
 * response)"), and a binary body must travel base64-encoded with isBase64Encoded set
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
 */
export function compressResponse(response: LambdaHttpResponse, acceptEncoding: string | undefined): LambdaHttpResponse {
  const headers = { ...response.headers, vary: 'accept-encoding' };
  if (!acceptsGzip(acceptEncoding) || Buffer.byteLength(response.body) < COMPRESS_FROM_BYTES)
    return { ...response, headers };
  return {
    statusCode: response.statusCode,
    headers: { ...headers, 'content-encoding': 'gzip' },
    body: gzipped(response.body).toString('base64'),
    isBase64Encoded: true,
  };
}

/** Bodies gzipped lately: the API keeps its answers per refresh (metrics-api.ts), so the same body comes again. */
const recent = new Map<string, Buffer>();
const RECENT_BODIES = 200;

/** The body gzipped, once per distinct body among the last RECENT_BODIES. */
export function gzipped(body: string): Buffer {
  let zipped = recent.get(body);
  if (zipped === undefined) {
    zipped = gzipSync(body);
    if (recent.size >= RECENT_BODIES) recent.delete(recent.keys().next().value as string);
    recent.set(body, zipped);
  }
  return zipped;
}

/**
 * The local server's form: the body as bytes, gzipped when the client allows it and it is worth it, with the headers
 * to send. Vary tells caches the answer depends on Accept-Encoding.
 */
export function encodeForClient(
  response: { readonly headers: Readonly<Record<string, string>>; readonly body: string },
  acceptEncoding: string | undefined,
): { headers: Record<string, string>; body: string | Buffer } {
  const headers = { ...response.headers, vary: 'accept-encoding' };
  if (!acceptsGzip(acceptEncoding) || Buffer.byteLength(response.body) < COMPRESS_FROM_BYTES)
    return { headers, body: response.body };
  return { headers: { ...headers, 'content-encoding': 'gzip' }, body: gzipped(response.body) };
}
