import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createWriteStream, existsSync, readFileSync, statSync, type WriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { MetricsApi } from '../functions/api/metrics-api.ts';
import { signingSecret, userTokenVerifier } from '../functions/auth/local-tokens.ts';
import { type Identity, NATIONAL_LOCAL_USER, UnauthenticatedError } from '../functions/auth/scope.ts';
import { REFRESH_STATUS_PATH } from '../functions/contract/refresh-status.ts';
import { DEFAULT_LIMITS } from '../functions/contract/upload.ts';
import { errorResponse, HttpError, INTERNAL_ERROR, jsonResponse } from '../functions/lib/http-errors.ts';
import { LANDING_PREFIX, receiptKey } from '../functions/lib/keys.ts';
import { loggedPath } from '../functions/lib/logged-path.ts';
import { assertSafeKey, FOLDER_MODE, FsObjectStore } from '../functions/lib/object-store.ts';
import { SECURITY_HEADERS } from '../functions/lib/security-headers.ts';
import { PcnTokenRegistry } from '../functions/upload/pcn-tokens.ts';
import { type LocalGrant, LocalPresigner } from '../functions/upload/presigned-post.ts';
import { UploadApi } from '../functions/upload/upload-api.ts';
import { LocalPipeline, type RefreshRetry } from './local-pipeline.ts';

export interface ServeOptions {
  readonly dataDir: string;
  /** @default 8080 */
  readonly port: number;
  /** @default 127.0.0.1 (loopback only) */
  readonly host: string;
  /** The dashboard's static build. @default dist/dashboard */
  readonly staticDir?: string;
  /** Milliseconds between the last ingest of an upload and the refresh after it. @default 2000 */
  readonly refreshDelayMs?: number;
  /** How a failed refresh is tried again. @default 4 retries after 30 s, 1, 2 and 4 minutes (local-pipeline.ts) */
  readonly refreshRetry?: RefreshRetry;
  /** Largest upload accepted, bytes. @default DEFAULT_LIMITS.maxBytes */
  readonly maxUploadBytes?: number;
  readonly log?: (line: string) => void;
  /**
   * Refuse data requests without a valid token. @default true unless the server is reachable from this machine only:
   * bound to loopback AND answering to no other Host name (no allowedHosts, no publicUrl). A server on loopback behind
   * a reverse proxy sees every request come from 127.0.0.1, so loopback alone says nothing about who is asking
   * (review 13, R13-2).
   */
  readonly requireToken?: boolean;
  /**
   * Further Host header values the server answers to (name or name:port), e.g. a reverse proxy's public name.
   * @default [] (only localhost, 127.0.0.1 and [::1] with the listening port, and the bound host)
   */
  readonly allowedHosts?: readonly string[];
  /** Where presigned POSTs are sent, when clients reach the server through a proxy. @default the listening address */
  readonly publicUrl?: string;
  /** Uploads received at once; more are answered 503 (the uploader retries). @default 16 */
  readonly maxConcurrentUploads?: number;
  /**
   * Uploads of one PCN received at once; more are answered 503 (review 30, R30-5: one PCN's token with many grants
   * held every slot, and every other PCN was answered 503). The uploader sends one file at a time. @default 4
   */
  readonly maxUploadsPerPcn?: number;
  /**
   * Time allowed to receive a request's headers. @default 60000 (10 s cut off some keep-alive requests of 200
   * connections under load, measured with autocannon: 71 timeouts in 10 s, none at 60 s)
   */
  readonly headersTimeoutMs?: number;
  /** Time an upload's body may send nothing before it is cut and its connection closed. @default 30000 */
  readonly uploadIdleMs?: number;
  /** Time allowed to receive a whole request, body included. @default 300000 */
  readonly requestTimeoutMs?: number;
  /**
   * Time a connection may pass without a byte read or written (Node's server timeout), then it is closed. Node has none
   * by default once a request has been read: a client that asked for a large answer and never read it held its
   * connection for ever, and 512 such took every connection (sec33). Writing resets it, so a slow reader is not cut.
   * @default 60000
   */
  readonly socketIdleMs?: number;
  /**
   * Connections open at once; more are closed as they arrive (browsers and the uploader retry). @default 512: the
   * load test's 200 metrics connections and 48 uploads (issue 17) twice over, and half of the usual soft limit of
   * 1,024 descriptors a process may hold (`ulimit -n`), so connections alone (slow headers may hold each for
   * headersTimeoutMs) can never take the descriptors the store, DuckDB and the uploads' files need (review 15, R15-10)
   */
  readonly maxConnections?: number;
}

export interface LocalStack {
  readonly server: Server;
  readonly api: MetricsApi;
  readonly pipeline: LocalPipeline;
  readonly url: string;
  /**
   * What the server does, for whoever waits on it (tests, instead of polling): `upload-receiving` when an upload's
   * file part has its temporary file open and is being written to it (its slot taken).
   */
  readonly events: EventEmitter;
  /** Graceful stop: no new connections, requests in flight answered, landed uploads ingested, then closed. */
  readonly close: () => Promise<void>;
}

/**
 * Headers a proxy adds to a request it passes on (RFC 7239's Forwarded, the de facto X-Forwarded-*, X-Real-IP, and
 * Via, RFC 9110 7.6.3): such a request came from elsewhere, whatever address it arrived from. nginx's and Apache's
 * proxies send the upstream's own Host (127.0.0.1:PORT) by default, so the Host cannot tell (review 14, R14-3).
 */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip', 'via'];
export const forwarded = (req: IncomingMessage) => FORWARDING_HEADERS.some((name) => req.headers[name] !== undefined);

/** Loopback addresses: only this machine can connect. */
export const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

/** The address a server listening on this host and port is reached at: localhost for loopback, IPv6 in brackets. */
export function serverUrl(host: string, port: number): string {
  const name = isLoopback(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}
/** Where the local stand-in for S3's presigned POST receives the form. */
export const LOCAL_POST_PATH = '/local-s3/landing';

/**
 * Whether a request announced a body that has not all arrived. `req.complete` alone is not it: a request without a
 * body is not yet complete when a route answers at once, as the static files do, and closing then cost every page its
 * connection (review 36, R36-1).
 */
function bodyUnread(req: IncomingMessage): boolean {
  if (req.complete) return false;
  return Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}

/**
 * The request body, refusing (413) more than limit bytes without reading them all. A body that sends nothing for idleMs
 * is cut (408, the socket closed: R19-3), and one its client abandons is a refusal (400), not a server fault.
 */
async function readBody(req: IncomingMessage, limit: number, idleMs: number, socketIdleMs: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > limit) throw new HttpError(413, `the request is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  req.setTimeout(idleMs, () => req.destroy(new HttpError(408, `the request sent nothing for ${idleMs / 1000} s`)));
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new HttpError(413, `the request is larger than ${limit} bytes`);
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    throw error instanceof HttpError ? error : new HttpError(400, 'the request was cut short');
  } finally {
    // A body refused mid-way (413), cut (408) or abandoned has destroyed the request: its socket is gone (R30-8).
    // The connection's own idle time again (socketIdleMs), not none: the request has been read, the answer is to come.
    if (req.socket && !req.destroyed) req.setTimeout(socketIdleMs);
  }
  return Buffer.concat(chunks);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

// One constant for the local server and the deployed dashboard's CloudFront policy (infra/constructs/dashboard-site.ts).
export { SECURITY_HEADERS };

/**
 * A response's headers with the security headers, as the flat [name, value, ...] list writeHead takes. The API's kept
 * answers come with the same header objects every time (functions/api/compress.ts): their lists are made once.
 */
const headerLists = new WeakMap<object, string[]>();
function withSecurityHeaders(headers: Readonly<Record<string, string>>): string[] {
  let list = headerLists.get(headers);
  if (list === undefined) {
    list = Object.entries({ ...SECURITY_HEADERS, ...headers }).flat();
    headerLists.set(headers, list);
  }
  return list;
}

const PLACEHOLDER = `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Social prescribing outcomes</title></head>
<body><main><h1>Social prescribing outcomes</h1><p>The dashboard has not been built. The metrics API is running:
<a href="/api/meta">/api/meta</a>, <a href="/api/metrics/rollout?level=national">/api/metrics/rollout</a>.</p></main></body></html>`;

/**
 * Logs an unhandled rejection instead of letting one stray promise stop the server (Node's default is to exit).
 * Request handling itself never leaves one (every request's promise is caught); this is the last net. An uncaught
 * exception still stops the process, as Node advises: its state may be broken. Installed by `serve` and `start`.
 */
export function installProcessGuards(log: (line: string) => void = console.error): void {
  process.on('unhandledRejection', (reason) => {
    log(`unhandled rejection (the server keeps serving): ${(reason as Error)?.message ?? String(reason)}`);
  });
}

/** The Host header values a browser sends when it really means this server (see DNS rebinding). */
function hostAllowList(listenHost: string, port: number, extra: readonly string[]): Set<string> {
  const names = ['localhost', '127.0.0.1', '[::1]'];
  if (!isLoopback(listenHost) && listenHost !== '0.0.0.0' && listenHost !== '::')
    names.push(listenHost.includes(':') ? `[${listenHost}]` : listenHost);
  const allowed = new Set(names.map((name) => `${name}:${port}`));
  // A configured name without a port is answered on its default port and on the listening one.
  for (const host of extra) {
    const name = host.toLowerCase();
    allowed.add(name);
    if (!/:\d+$/.test(name)) allowed.add(`${name}:${port}`);
  }
  return allowed;
}

/**
 * The local stack's one HTTP server: the metrics API, the upload API with its stand-in for S3's presigned POST and
 * the ingest and refresh behind it, and the dashboard's static files. Bound to loopback by default, where a request
 * without a token is the national local user; bound to anything else, every data route needs a valid token.
 * Only Host names it listens as are answered, so a web page that points its own name at 127.0.0.1 (DNS rebinding)
 * reads nothing.
 */
export async function startServer(options: ServeOptions): Promise<LocalStack> {
  const store = new FsObjectStore(options.dataDir);
  const api = new MetricsApi(store);
  const log = options.log ?? console.log;
  const events = new EventEmitter();
  const pipeline = new LocalPipeline(store, {
    refreshDelayMs: options.refreshDelayMs,
    retry: options.refreshRetry,
    // The documents of the new refresh are parsed as soon as it is published, not by the first request after it.
    onRefreshed: () => {
      api.refreshed().catch((error: Error) => log(`metrics API warm-up failed: ${error.message}`));
    },
    log,
  });
  const verifyUserToken = userTokenVerifier(await signingSecret(store));
  const requireToken =
    options.requireToken ??
    (!isLoopback(options.host) || (options.allowedHosts ?? []).length > 0 || options.publicUrl !== undefined);
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_LIMITS.maxBytes;
  const maxConcurrentUploads = options.maxConcurrentUploads ?? 16;
  const maxUploadsPerPcn = options.maxUploadsPerPcn ?? 4;
  const uploadIdleMs = options.uploadIdleMs ?? 30_000;
  const socketIdleMs = options.socketIdleMs ?? 60_000;
  const staticRoot = resolve(options.staticDir ?? 'dist/dashboard');
  const presigner = new LocalPresigner();
  const tokens = new PcnTokenRegistry(store);
  let allowedHosts = new Set<string>();
  let postUrl = '';
  let uploadsInFlight = 0;
  const receivingKeys = new Set<string>();
  /** Uploads in flight by the PCN their key names (landing/pcn=<code>/...). */
  const inFlightByPcn = new Map<string, number>();
  const pcnOfKey = (key: string) => /^landing\/pcn=([^/]+)\//.exec(key)?.[1] ?? '';
  /** Uploads being received, settled once each has landed or been cleaned away. */
  const receiving = new Set<Promise<void>>();

  async function identityOf(req: IncomingMessage): Promise<Identity> {
    const header = req.headers.authorization;
    if (header === undefined) {
      if (!requireToken && !forwarded(req)) return NATIONAL_LOCAL_USER;
      throw new UnauthenticatedError(
        'sign in: this server is reachable beyond this machine (or through a proxy), so every request needs a token',
      );
    }
    const token = /^Bearer (\S+)$/.exec(header)?.[1];
    if (!token) throw new UnauthenticatedError('the Authorization header must be Bearer <token>');
    return verifyUserToken(token);
  }

  /**
   * S3's POST, streamed: the text fields come first and are checked (signature, expiry, key, content fields) before
   * a byte of the file is read; the file goes to a temporary file on disk, hashed as it passes, and is moved under
   * its key only when its size and digests are the ones the policy grants.
   */
  async function landUpload(req: IncomingMessage): Promise<void> {
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    const limit = maxUploadBytes + 64 * 1024;
    if (declared > limit) throw new HttpError(413, `the request is larger than ${limit} bytes`);
    // A slot is taken only once the form's signed policy has been checked (review 13, R13-1: forms that never showed
    // a signature held every slot for the request timeout, and PCNs' uploads were answered 503).
    // One live POST per upload key (review 14, R14-2: one signed form sent on many connections held every slot).
    let slotKey: string | undefined;
    const takeSlot = (key: string): HttpError | undefined => {
      if (receivingKeys.has(key)) return new HttpError(409, 'this upload is already being received');
      if (uploadsInFlight >= maxConcurrentUploads)
        return new HttpError(503, 'too many uploads at once: try again shortly', { 'retry-after': '1' });
      const pcn = pcnOfKey(key);
      if ((inFlightByPcn.get(pcn) ?? 0) >= maxUploadsPerPcn)
        return new HttpError(503, 'too many uploads of this PCN at once: try again shortly', { 'retry-after': '1' });
      inFlightByPcn.set(pcn, (inFlightByPcn.get(pcn) ?? 0) + 1);
      uploadsInFlight++;
      receivingKeys.add(key);
      slotKey = key;
      return undefined;
    };
    let done = () => {};
    const finished = new Promise<void>((resolveDone) => {
      done = resolveDone;
    });
    receiving.add(finished);
    try {
      const { grant, temp } = await receiveForm(req, takeSlot);
      try {
        assertSafeKey(grant.key);
        const target = join(store.root, ...grant.key.split('/'));
        await mkdir(dirname(target), { recursive: true, mode: FOLDER_MODE });
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      pipeline.landed(grant.key, new Date());
    } finally {
      if (slotKey !== undefined) {
        uploadsInFlight--;
        receivingKeys.delete(slotKey);
        const pcn = pcnOfKey(slotKey);
        const left = (inFlightByPcn.get(pcn) ?? 1) - 1;
        if (left > 0) inFlightByPcn.set(pcn, left);
        else inFlightByPcn.delete(pcn);
      }
      receiving.delete(finished);
      done();
    }
  }

  function receiveForm(
    req: IncomingMessage,
    takeSlot: (key: string) => HttpError | undefined,
  ): Promise<{ grant: LocalGrant; temp: string }> {
    return new Promise((resolvePromise, reject) => {
      let parser: busboy.Busboy;
      try {
        parser = busboy({
          headers: req.headers,
          limits: {
            fields: 20,
            fieldSize: 8 * 1024,
            fieldNameSize: 100,
            files: 1,
            parts: 22,
            fileSize: maxUploadBytes,
          },
        });
      } catch {
        req.resume();
        return reject(new HttpError(400, 'the body is not a multipart/form-data upload'));
      }
      const fields: Record<string, string> = {};
      let settled = false;
      let sawFile = false;
      let temp: string | undefined;
      let out: WriteStream | undefined;
      let incoming: Readable | undefined;
      const fail = (error: HttpError) => {
        if (settled) return;
        settled = true;
        // The idle cut stays while the rest of the body is drained (review 15, R15-10: it was turned off here, so only
        // the answer's own close, Node's for a "connection: close" answer, ended a client that then sent nothing).
        // The temporary file's descriptor is closed, not only its name removed (R14-2: every cut upload kept one open,
        // holding its bytes on disk until the server stopped).
        incoming?.resume();
        // The name is removed once the stream has closed: a stream destroyed before its open completed still opens
        // (and creates) the file afterwards, so removing it at once left the file behind when the fs thread pool was
        // busy (the whole CI run of 2026-12-06: server-review30 found an upload-* left after a cut-short body).
        const written = out;
        const closed =
          written && !written.closed ? new Promise<void>((ended) => written.once('close', () => ended())) : undefined;
        written?.destroy();
        // The rest of the body is read and dropped (never kept), so the client gets the answer.
        req.unpipe(parser);
        req.resume();
        // A stop waits for this upload (close()), so its temporary file is gone before the process exits.
        const file = temp;
        const removed = file ? Promise.resolve(closed).then(() => rm(file, { force: true })) : Promise.resolve();
        removed.finally(() => reject(error));
      };
      parser.on('field', (name, value, info) => {
        if (info.nameTruncated || info.valueTruncated) return fail(new HttpError(400, 'a form field is too long'));
        fields[name] = value;
      });
      parser.on('file', (name, file) => {
        // Every file stream, ignored or kept, has an 'error' listener: a body that ends before the closing boundary
        // destroys the open file stream with "Unexpected end of form", and an unheard 'error' stopped the process
        // (review 30, R30-1). fail() settles once, so the parser's own 'error' answering first is fine.
        file.on('error', () => fail(new HttpError(400, 'the upload was cut short')));
        // A form already refused (a field too long, R30-9) opens nothing: busboy goes on parsing what it holds.
        if (settled || name !== 'file' || sawFile) {
          file.resume();
          return;
        }
        sawFile = true;
        const checked = presigner.grant(fields);
        if ('refusal' in checked) {
          file.resume();
          return fail(new HttpError(403, checked.refusal));
        }
        const { grant } = checked;
        const refused = takeSlot(grant.key);
        if (refused) {
          file.resume();
          return fail(refused);
        }
        temp = join(store.root, '.tmp', `upload-${randomUUID()}`);
        const sha256 = createHash('sha256');
        const md5 = createHash('md5');
        let bytes = 0;
        const written = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
        out = written;
        incoming = file;
        written.on('error', () => fail(new HttpError(500, 'the upload could not be stored')));
        written.once('open', () => events.emit('upload-receiving'));
        file.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > grant.bytes) {
            return fail(new HttpError(403, 'the file size is outside the policy content-length-range'));
          }
          sha256.update(chunk);
          md5.update(chunk);
        });
        file.on('limit', () => fail(new HttpError(413, `the file is larger than ${maxUploadBytes} bytes`)));
        file.pipe(written);
        written.on('finish', () => {
          if (settled) return;
          if (bytes !== grant.bytes)
            return fail(new HttpError(403, 'the file size is outside the policy content-length-range'));
          // S3 answers BadDigest (400) when the body does not match Content-MD5 or x-amz-checksum-sha256.
          if (grant.md5 !== undefined && md5.digest('base64') !== grant.md5)
            return fail(new HttpError(400, 'BadDigest: the file does not match its Content-MD5'));
          if (sha256.digest('base64') !== grant.sha256Base64)
            return fail(new HttpError(400, 'BadDigest: the file does not match its x-amz-checksum-sha256'));
          settled = true;
          req.setTimeout(socketIdleMs);
          resolvePromise({ grant, temp: temp as string });
        });
      });
      parser.on('error', () => fail(new HttpError(400, 'the body is not a multipart/form-data upload')));
      parser.on('partsLimit', () => fail(new HttpError(400, 'the form has too many parts')));
      parser.on('fieldsLimit', () => fail(new HttpError(400, 'the form has too many fields')));
      parser.on('close', () => {
        if (!sawFile) fail(new HttpError(400, 'the form has no file field'));
      });
      // A body that stops arriving is cut after uploadIdleMs without a byte (R13-1), not at the request timeout: the
      // socket is closed, since a client that sends nothing is not reading an answer either.
      req.setTimeout(uploadIdleMs, () => {
        fail(new HttpError(408, `the upload sent nothing for ${uploadIdleMs / 1000} s`));
        req.socket.destroy();
      });
      req.on('error', () => fail(new HttpError(400, 'the upload was cut short')));
      req.on('close', () => {
        if (!req.complete) fail(new HttpError(400, 'the upload was cut short'));
      });
      mkdir(join(store.root, '.tmp'), { recursive: true, mode: FOLDER_MODE }).then(
        () => req.pipe(parser),
        () => fail(new HttpError(500, 'the upload could not be stored')),
      );
    });
  }

  /** How the refresh after uploads stands: any signed-in role may read it (it says nothing about any area). */
  async function refreshStatus(req: IncomingMessage, query: URLSearchParams) {
    await identityOf(req);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new HttpError(405, 'use GET to read the refresh status', { allow: 'GET, HEAD' });
    if (!query.keys().next().done) throw new HttpError(400, `${REFRESH_STATUS_PATH} takes no query parameters`);
    return jsonResponse(200, pipeline.status(), { 'cache-control': 'no-store' });
  }

  /**
   * An upload request's body, its token checked first (R19-3): an unauthenticated client is refused at its headers and
   * never holds a connection while its body trickles in. UploadApi checks the token again, as in AWS.
   */
  async function uploadRequestBody(req: IncomingMessage): Promise<string> {
    await tokens.verify(/^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1]);
    return (await readBody(req, 64 * 1024, uploadIdleMs, socketIdleMs)).toString('utf8');
  }

  /** /api/uploads and /api/uploads/<id>: UploadApi's answer. */
  async function uploadsResponse(req: IncomingMessage, url: URL) {
    // A route that takes no query refuses one (sec34), as /api/meta, /api/me and /api/refresh-status do since sec33:
    // UploadApi refuses it after the token (a client without one is told 401 first), as in the Lambda (R37-4); the
    // body of a request with a query is not read.
    const query = url.searchParams;
    const body = req.method === 'POST' && query.keys().next().done ? await uploadRequestBody(req) : undefined;
    const uploads = new UploadApi(
      { store, tokens, presigner: presigner.postingTo(`${postUrl}${LOCAL_POST_PATH}`) },
      { maxBytes: maxUploadBytes },
    );
    return uploads.handle({
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      authorization: req.headers.authorization,
      body,
    });
  }

  async function route(req: IncomingMessage, res: ServerResponse, rawUrl: string): Promise<void> {
    const send = (status: number, body: string | Buffer, headers: Readonly<Record<string, string>>) => {
      // A body still arriving that this route does not read (announced on a GET, say) is not waited for: the connection
      // is closed after the answer (sec33: a client sending it a byte at a time held the socket for the request timeout,
      // five minutes, with no token; 512 such sockets took every connection). Refusals do the same (below).
      const list = bodyUnread(req)
        ? [...withSecurityHeaders(headers), 'connection', 'close']
        : withSecurityHeaders(headers);
      // With its length the body follows the headers as it is; without, Node sends it chunked (more to write and
      // parse on every response). 204 and 304 have no body, and no length to announce.
      if (status === 204 || status === 304) res.writeHead(status, list);
      else {
        const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
        res.writeHead(status, [...list, 'content-length', String(length)]);
      }
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const host = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts.has(host))
      throw new HttpError(421, 'this server does not answer to that Host name; use the address it printed');
    // The request target must be a path: no absolute-form, no "//" authority, nothing URL would resolve elsewhere.
    if (!rawUrl.startsWith('/') || rawUrl.startsWith('//') || rawUrl.includes('\\'))
      throw new HttpError(400, 'the request path is not valid');
    let url: URL;
    try {
      url = new URL(`http://local${rawUrl}`);
    } catch {
      throw new HttpError(400, 'the request path is not valid');
    }
    if (url.pathname === LOCAL_POST_PATH) {
      if (req.method !== 'POST') throw new HttpError(405, 'use POST to upload', { allow: 'POST' });
      await landUpload(req);
      send(204, '', {});
      return;
    }
    if (url.pathname === '/api/uploads' || url.pathname.startsWith('/api/uploads/')) {
      const response = await uploadsResponse(req, url);
      send(response.status, response.body, response.headers);
      return;
    }
    if (url.pathname === REFRESH_STATUS_PATH) {
      const { status, headers, body } = await refreshStatus(req, url.searchParams);
      send(status, body, headers);
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      const identity = await identityOf(req);
      const response = await api.handle({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        identity,
        ifNoneMatch: req.headers['if-none-match'],
      });
      // A PDF pack is already compressed, sent as it is; a text answer in the best coding the client accepts, as
      // compressed once per refresh (functions/api/compress.ts).
      const sent = response.encoded?.forClient(req.headers['accept-encoding']);
      send(response.status, sent?.body ?? response.binary ?? response.body, sent?.headers ?? response.headers);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new HttpError(405, 'only GET and HEAD are allowed here', { allow: 'GET, HEAD' });
    let decoded: string;
    try {
      decoded = decodeURIComponent(url.pathname);
    } catch {
      throw new HttpError(400, 'the request path is not valid');
    }
    if (decoded.includes('\0')) throw new HttpError(400, 'the request path is not valid');
    const file = normalize(join(staticRoot, decoded));
    const inside = file.startsWith(`${staticRoot}${sep}`);
    if (inside && existsSync(file) && statSync(file).isFile()) {
      const immutable = url.pathname.startsWith('/assets/');
      send(200, readFileSync(file), {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
      return;
    }
    // Client-side routes all get the app's index page.
    const index = join(staticRoot, 'index.html');
    send(200, existsSync(index) ? readFileSync(index) : PLACEHOLDER, {
      'content-type': TYPES['.html'] as string,
      'cache-control': 'no-cache',
    });
  }

  const server = createServer(
    {
      headersTimeout: options.headersTimeoutMs ?? 60_000,
      requestTimeout: options.requestTimeoutMs ?? 300_000,
      // How often Node checks those timeouts (its default, 30 s, would let a slow client hold on half as long again).
      connectionsCheckingInterval: Math.min(1000, options.headersTimeoutMs ?? 1000),
    },
    (req, res) => {
      const started = performance.now();
      const rawUrl = req.url ?? '/';
      res.on('finish', () => {
        log(`${req.method} ${loggedPath(rawUrl)} ${res.statusCode} ${Math.round(performance.now() - started)}ms`);
      });
      route(req, res, rawUrl).catch((error: unknown) => {
        const refusal = errorResponse(error);
        if (!refusal) log(`request failed: ${req.method} ${loggedPath(rawUrl)}: ${(error as Error).message}`);
        if (res.headersSent) return void res.destroy();
        const { status, headers, body } = refusal ?? jsonResponse(500, { error: INTERNAL_ERROR });
        const close = bodyUnread(req) ? { connection: 'close' } : {};
        // With its length, as every other answer (an error's was sent chunked).
        const length = { 'content-length': String(Buffer.byteLength(body)) };
        res.writeHead(status, { ...SECURITY_HEADERS, ...close, ...headers, ...length });
        res.end(req.method === 'HEAD' ? undefined : body);
      });
    },
  );
  server.maxConnections = options.maxConnections ?? 512;
  // Without a listener a connection idle this long is destroyed (socketIdleMs).
  server.timeout = socketIdleMs;
  const port = await new Promise<number>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const address = server.address();
      resolvePromise(typeof address === 'object' && address ? address.port : options.port);
    });
  });
  const url = serverUrl(options.host, port);
  postUrl = (options.publicUrl ?? url).replace(/\/$/, '');
  const publicHost = options.publicUrl ? [new URL(options.publicUrl).host] : [];
  allowedHosts = hostAllowList(options.host, port, [...(options.allowedHosts ?? []), ...publicHost]);
  // Half-received uploads of a process that stopped abruptly are never anyone's file.
  for (const name of await readdir(join(store.root, '.tmp')).catch(() => [] as string[]))
    if (name.startsWith('upload-')) await rm(join(store.root, '.tmp', name), { force: true });
  await recoverLanded(store, pipeline, log);

  const close = async () => {
    await new Promise<void>((resolveClose) => {
      server.close(() => resolveClose());
      server.closeIdleConnections();
    });
    await Promise.all(receiving);
    await pipeline.idle();
    // A failed refresh waiting to be retried is dropped: the next start refreshes after its uploads.
    await pipeline.stop();
  };
  return { server, api, pipeline, url, events, close };
}

/**
 * Uploads that landed while the server was stopped (or were landed but not ingested when it stopped): each is
 * ingested now, in the order it landed; one whose receipt says it held personal data is deleted again.
 */
export async function recoverLanded(
  store: FsObjectStore,
  pipeline: LocalPipeline,
  log: (line: string) => void,
): Promise<number> {
  let queued = 0;
  const waiting: { key: string; landed: Date }[] = [];
  for (const key of await store.list(LANDING_PREFIX)) {
    const id = /\/([A-Za-z0-9_-]{1,100})\.(csv|jsonl)(\.gz)?$/.exec(key)?.[1];
    if (!id) continue;
    const receipt = await store.get(receiptKey(id));
    if (receipt === undefined) {
      waiting.push({ key, landed: statSync(join(store.root, ...key.split('/'))).mtime });
      continue;
    }
    let parsed: { file_error?: { code?: string } | null } | null;
    try {
      parsed = JSON.parse(new TextDecoder().decode(receipt));
    } catch {
      // Started all the same: the refresh names this receipt and stops until it is mended.
      log(`receipt ${receiptKey(id)} is not JSON: its upload stays in landing/ as it is`);
      continue;
    }
    if (parsed?.file_error?.code === 'identifiable_data') await store.delete(key);
  }
  for (const { key, landed } of waiting.sort((a, b) => a.landed.getTime() - b.landed.getTime())) {
    pipeline.landed(key, landed);
    queued++;
  }
  if (queued > 0) log(`${queued} upload${queued > 1 ? 's' : ''} landed without a receipt: ingesting`);
  return queued;
}
