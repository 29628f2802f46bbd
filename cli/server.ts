import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { MetricsApi } from '../functions/api/metrics-api.ts';
import { FsObjectStore } from '../functions/lib/object-store.ts';

export interface ServeOptions {
  readonly dataDir: string;
  /** @default 8080 */
  readonly port: number;
  /** @default 127.0.0.1 (loopback only) */
  readonly host: string;
  /** The dashboard's static build. @default dist/dashboard */
  readonly staticDir?: string;
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

/** The local stack's one HTTP server: the metrics API and the dashboard's static files. */
export function startServer(options: ServeOptions): Promise<{ server: Server; api: MetricsApi; url: string }> {
  const api = new MetricsApi(new FsObjectStore(options.dataDir));
  const staticRoot = resolve(options.staticDir ?? 'dist/dashboard');
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (url.pathname.startsWith('/api/')) {
        const response = await api.handle({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams });
        res.writeHead(response.status, { ...SECURITY_HEADERS, ...response.headers });
        res.end(req.method === 'HEAD' ? undefined : response.body);
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
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'internal error' }));
      console.error(`request failed: ${req.method} ${url.pathname}: ${(error as Error).message}`);
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      resolvePromise({
        server,
        api,
        url: `http://${options.host === '127.0.0.1' ? 'localhost' : options.host}:${port}`,
      });
    });
  });
}
