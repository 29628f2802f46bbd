import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { MetricsApi } from '../functions/api/metrics-api.ts';
import { signingSecret, verifyUserToken } from '../functions/auth/local-tokens.ts';
import {
  type Identity,
  InvalidIdentityError,
  NATIONAL_LOCAL_USER,
  UnauthenticatedError,
} from '../functions/auth/scope.ts';
import { DEFAULT_LIMITS } from '../functions/ingest/read-upload.ts';
import { assertSafeKey, FsObjectStore, InvalidKeyError } from '../functions/lib/object-store.ts';
import { PcnTokenRegistry } from '../functions/upload/pcn-tokens.ts';
import { LocalPresigner } from '../functions/upload/presigned-post.ts';
import { UploadApi } from '../functions/upload/upload-api.ts';
import { LocalPipeline } from './local-pipeline.ts';

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
  /** Largest upload accepted, bytes. @default DEFAULT_LIMITS.maxBytes */
  readonly maxUploadBytes?: number;
  readonly log?: (line: string) => void;
  /** Refuse data requests without a valid token. @default true unless bound to loopback */
  readonly requireToken?: boolean;
}

export interface LocalStack {
  readonly server: Server;
  readonly api: MetricsApi;
  readonly pipeline: LocalPipeline;
  readonly url: string;
}

/** Loopback addresses: only this machine can connect. */
export const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);
/** Where the local stand-in for S3's presigned POST receives the form. */
export const LOCAL_POST_PATH = '/local-s3/landing';

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The request body, refusing (413) more than limit bytes without reading them all. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > limit) throw new HttpError(413, `the request is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `the request is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A multipart/form-data upload as S3 reads it: text fields, then one file. */
async function readForm(req: IncomingMessage, body: Buffer) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  let form: FormData;
  try {
    form = await new Request('http://local/', { method: 'POST', headers, body: new Uint8Array(body) }).formData();
  } catch {
    throw new HttpError(400, 'the body is not a multipart/form-data upload');
  }
  const fields: Record<string, string> = {};
  let file: File | undefined;
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') fields[name] = value;
    else if (name === 'file') file = value;
  }
  if (!file) throw new HttpError(400, 'the form has no file field');
  return { fields, file };
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

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'",
};

const PLACEHOLDER = `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Social prescribing outcomes</title></head>
<body><main><h1>Social prescribing outcomes</h1><p>The dashboard has not been built. The metrics API is running:
<a href="/api/meta">/api/meta</a>, <a href="/api/metrics/rollout?level=national">/api/metrics/rollout</a>.</p></main></body></html>`;

/**
 * The local stack's one HTTP server: the metrics API, the upload API with its stand-in for S3's presigned POST and
 * the ingest and refresh behind it, and the dashboard's static files. Bound to loopback by default, where a request
 * without a token is the national local user; bound to anything else, every data route needs a valid token.
 */
export async function startServer(options: ServeOptions): Promise<LocalStack> {
  const store = new FsObjectStore(options.dataDir);
  const api = new MetricsApi(store);
  const log = options.log ?? console.log;
  const pipeline = new LocalPipeline(store, {
    refreshDelayMs: options.refreshDelayMs,
    onRefreshed: () => api.invalidate(),
    log,
  });
  const secret = await signingSecret(store);
  const requireToken = options.requireToken ?? !isLoopback(options.host);
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_LIMITS.maxBytes;
  const staticRoot = resolve(options.staticDir ?? 'dist/dashboard');
  const presigner = new LocalPresigner();
  /** The address the server listens on, once it does: where presigned POSTs go when the Host header is unusable. */
  let listenUrl = '';
  const tokens = new PcnTokenRegistry(store);

  async function identityOf(req: IncomingMessage): Promise<Identity> {
    const header = req.headers.authorization;
    if (header === undefined) {
      if (!requireToken) return NATIONAL_LOCAL_USER;
      throw new UnauthenticatedError(
        'sign in: this server is reachable beyond this machine, so every request needs a token',
      );
    }
    const token = /^Bearer (\S+)$/.exec(header)?.[1];
    if (!token) throw new UnauthenticatedError('the Authorization header must be Bearer <token>');
    return verifyUserToken(secret, token);
  }

  async function landUpload(req: IncomingMessage): Promise<void> {
    const { fields, file } = await readForm(req, await readBody(req, maxUploadBytes + 64 * 1024));
    const refusal = presigner.refusal(fields, file.size);
    if (refusal) throw new HttpError(403, refusal);
    const key = fields.key as string;
    assertSafeKey(key);
    await store.put(key, new Uint8Array(await file.arrayBuffer()));
    pipeline.landed(key, new Date());
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, body: string, headers: Record<string, string>) => {
      res.writeHead(status, { ...SECURITY_HEADERS, ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const sendJson = (status: number, body: unknown) =>
      send(status, JSON.stringify(body), {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
      });
    try {
      if (url.pathname === LOCAL_POST_PATH && req.method === 'POST') {
        await landUpload(req);
        send(204, '', {});
        return;
      }
      if (url.pathname === '/api/uploads' || url.pathname.startsWith('/api/uploads/')) {
        const body = req.method === 'POST' ? (await readBody(req, 64 * 1024)).toString('utf8') : undefined;
        // Presigned POSTs go back to the address the client used (through a proxy, say), as S3's do.
        const host = req.headers.host ?? '';
        const origin = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(host)
          ? `http://${host}`
          : listenUrl;
        const uploads = new UploadApi(
          { store, tokens, presigner: presigner.postingTo(`${origin}${LOCAL_POST_PATH}`) },
          { maxBytes: maxUploadBytes },
        );
        const response = await uploads.handle({
          method: req.method ?? 'GET',
          path: url.pathname,
          authorization: req.headers.authorization,
          body,
        });
        send(response.status, response.body, response.headers);
        return;
      }
      if (url.pathname.startsWith('/api/')) {
        const identity = await identityOf(req);
        const response = await api.handle({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          identity,
        });
        send(response.status, response.body, response.headers);
        return;
      }
      const file = normalize(join(staticRoot, decodeURIComponent(url.pathname)));
      const inside = file.startsWith(staticRoot);
      if (inside && existsSync(file) && statSync(file).isFile()) {
        const immutable = url.pathname.startsWith('/assets/');
        res.writeHead(200, {
          ...SECURITY_HEADERS,
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        });
        res.end(readFileSync(file));
        return;
      }
      // Client-side routes all get the app's index page.
      const index = join(staticRoot, 'index.html');
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': TYPES['.html'] as string,
        'cache-control': 'no-cache',
      });
      res.end(existsSync(index) ? readFileSync(index) : PLACEHOLDER);
    } catch (error) {
      if (error instanceof HttpError) return sendJson(error.status, { error: error.message });
      if (error instanceof UnauthenticatedError) return sendJson(401, { error: error.message });
      if (error instanceof InvalidIdentityError) return sendJson(403, { error: error.message });
      if (error instanceof InvalidKeyError) return sendJson(400, { error: error.message });
      sendJson(500, { error: 'internal error' });
      console.error(`request failed: ${req.method} ${url.pathname}: ${(error as Error).message}`);
    }
  });
  const url = await new Promise<string>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      resolvePromise(`http://${isLoopback(options.host) ? 'localhost' : options.host}:${port}`);
    });
  });
  listenUrl = url;
  return { server, api, pipeline, url };
}
