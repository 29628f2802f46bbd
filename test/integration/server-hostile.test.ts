import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_POST_PATH, type LocalStack, SECURITY_HEADERS, startServer } from '../../cli/server.ts';
import { issueUserToken, signingSecret } from '../../functions/auth/local-tokens.ts';
import { identityOf } from '../../functions/auth/scope.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { PcnTokenRegistry } from '../../functions/upload/pcn-tokens.ts';
import type { UploadGrant } from '../../functions/upload/upload-api.ts';
import { tempDir } from '../support/files.ts';
import { startTestServer } from '../support/local-stack.ts';
import { rawGet, rawRequest } from '../support/raw-http.ts';

/**
 * The local server against a hostile client (issue 11, "Must not crash, must not fool"): malformed request targets,
 * foreign Host names (DNS rebinding), methods it does not serve, a path out of the static folder, and a seeded
 * fuzz of methods, paths, headers and bodies; the server answers every one with its own status and keeps serving.
 */
const dir = tempDir('server-hostile');
const dataDir = join(dir.path, 'data');
const staticDir = join(dir.path, 'dash');
const store = new FsObjectStore(dataDir);
const lines: string[] = [];
let stack: LocalStack;
let port: number;
let pcnToken: string;

beforeAll(async () => {
  mkdirSync(staticDir, { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<p>the dashboard</p>');
  // A sibling whose name starts with the static folder's: the old check served it.
  mkdirSync(join(dir.path, 'dash-old'));
  writeFileSync(join(dir.path, 'dash-old', 'secret.txt'), 'SECRET');
  await store.put(
    'metrics/meta.json',
    JSON.stringify({ months: [], icbs: [], pcns: [{ code: 'U00001', name: 'One', parent: 'QAA', list_size: 1 }] }),
  );
  await store.put(
    'metrics/rollout.json',
    JSON.stringify({
      name: 'rollout',
      rows: [{ level: 'pcn', code: 'U00001', period_type: 'all', period: 'all', referrals: 15 }],
    }),
  );
  stack = await startTestServer(dataDir, {
    staticDir,
    allowedHosts: ['outcomes.example.nhs.uk'],
    // These requests read as the loopback national user, so the answers show what the Host, path and method decide;
    // a server answering to another name needs a token by default (R13-2: local-auth.test.ts).
    requireToken: false,
    log: (line) => lines.push(line),
  });
  port = Number(new URL(stack.url).port);
  pcnToken = (await new PcnTokenRegistry(store).create('U00001', { expiresInDays: 1 })).token;
});
afterAll(async () => {
  await stack.close();
  dir.remove();
});

const alive = async () => (await rawGet(port, '/')).status;

describe('one request cannot stop the server', () => {
  it.each([
    ['//', 400],
    ['///', 400],
    ['//@', 400],
    ['/\\', 400],
    ['/%FF', 400],
    ['/%00', 400],
    ['//evil.example/api/meta', 400],
    ['http://evil.example/api/meta', 400],
    ['*', 400],
    ['/api/metrics/%FF', 404],
  ])('GET %s answers %i, and the server answers the next request', async (target, status) => {
    expect((await rawGet(port, target)).status).toBe(status);
    expect(await alive()).toBe(200);
  });
});

describe('DNS rebinding: only the names the server listens as are answered', () => {
  it.each([
    [() => `localhost:${port}`, 200],
    [() => `LOCALHOST:${port}`, 200],
    [() => `127.0.0.1:${port}`, 200],
    [() => `[::1]:${port}`, 200],
    [() => 'outcomes.example.nhs.uk', 200],
    [() => `outcomes.example.nhs.uk:${port}`, 200],
    [() => 'outcomes.example.nhs.uk:1', 421],
    [() => `evil.example:${port}`, 421],
    [() => `rebind.evil.example:${port}`, 421],
    [() => 'localhost:1', 421],
    [() => '127.0.0.1', 421],
    [() => '', 421],
  ])('Host %s: %i', async (host, status) => {
    const answer = await rawGet(port, '/api/metrics/rollout', { host: host() });
    expect(answer.status).toBe(status);
    if (status === 421) {
      expect(JSON.parse(answer.body)).toEqual({
        error: 'this server does not answer to that Host name; use the address it printed',
      });
      expect(answer.body).not.toContain('U00001');
    }
  });

  it('the Host header never decides where a presigned POST goes', async () => {
    const body = JSON.stringify({
      pcn_code: 'U00001',
      kind: 'events',
      format: 'csv',
      compressed: false,
      bytes: 10,
      sha256: 'a'.repeat(64),
    });
    for (const host of [`127.0.0.1:${port}`, 'outcomes.example.nhs.uk']) {
      const answer = await rawRequest(
        port,
        `POST /api/uploads HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer ${pcnToken}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
      );
      expect(answer.status).toBe(201);
      expect((JSON.parse(answer.body) as UploadGrant).post.url).toBe(`http://localhost:${port}${LOCAL_POST_PATH}`);
    }
    const proxied = await startServer({
      dataDir,
      port: 0,
      host: '127.0.0.1',
      publicUrl: 'https://outcomes.example.nhs.uk',
      log: () => {},
    });
    const grant = await fetch(`${proxied.url}/api/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pcnToken}` },
      body,
    });
    expect(((await grant.json()) as UploadGrant).post.url).toBe(`https://outcomes.example.nhs.uk${LOCAL_POST_PATH}`);
    await proxied.close();
  });
});

describe('what the server serves, and how', () => {
  it.each(['PUT', 'DELETE', 'TRACE', 'OPTIONS', 'PATCH', 'POST'])('%s on a page path: 405', async (method) => {
    for (const target of ['/', '/outcomes', '/assets/app.js']) {
      const answer = await rawGet(port, target, { 'content-length': '0' }, method);
      expect([answer.status, answer.headers.allow]).toEqual([405, 'GET, HEAD']);
    }
  });

  it('GET on the upload form’s path: 405, POST only', async () => {
    const answer = await rawGet(port, LOCAL_POST_PATH);
    expect([answer.status, answer.headers.allow]).toEqual([405, 'POST']);
  });

  it.each(['/..%2fdash-old/secret.txt', '/%2e%2e/dash-old/secret.txt', '/..%5cdash-old/secret.txt'])(
    'a sibling folder that shares the static folder’s name is never served (%s)',
    async (target) => {
      const answer = await rawGet(port, target);
      expect([answer.status, answer.body]).toEqual([200, '<p>the dashboard</p>']);
    },
  );

  it('every answer carries the security headers, the CSP with base-uri and form-action', async () => {
    for (const target of ['/', '/api/meta', '//', '/api/uploads']) {
      const { headers } = await rawGet(port, target);
      expect(headers['content-security-policy']).toBe(
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      );
      expect(headers['permissions-policy']).toBe(SECURITY_HEADERS['permissions-policy']);
      expect(headers['x-frame-options']).toBe('DENY');
    }
  });

  it('sends every body with its length, never chunked: GET and HEAD alike, a 304 with neither', async () => {
    const json = JSON.stringify({
      name: 'rollout',
      rows: [{ level: 'pcn', code: 'U00001', period_type: 'all', period: 'all', referrals: 15 }],
    });
    const plain = { 'accept-encoding': 'identity' };
    const get = await rawGet(port, '/api/metrics/rollout', plain);
    const head = await rawGet(port, '/api/metrics/rollout', plain, 'HEAD');
    const page = await rawGet(port, '/');
    const unchanged = await rawGet(port, '/api/metrics/rollout', { ...plain, 'if-none-match': get.headers.etag ?? '' });
    const framing = ({ status, headers, body }: Awaited<ReturnType<typeof rawGet>>) => ({
      status,
      length: headers['content-length'],
      chunked: headers['transfer-encoding'],
      body,
    });
    expect([get, head, page, unchanged].map(framing)).toEqual([
      { status: 200, length: String(json.length), chunked: undefined, body: json },
      { status: 200, length: String(json.length), chunked: undefined, body: '' },
      { status: 200, length: '20', chunked: undefined, body: '<p>the dashboard</p>' },
      { status: 304, length: undefined, chunked: undefined, body: '' },
    ]);
  });

  it('one access log line per request: method, path with query names only, status, time; never a token', async () => {
    const secret = await signingSecret(store);
    const token = await issueUserToken(secret, identityOf('pcn', 'U00001', 'tester'), { expiresInSeconds: 60 });
    lines.length = 0;
    await rawGet(port, '/api/metrics/rollout?level=pcn&code=U00001', { authorization: `Bearer ${token}` });
    await rawGet(port, '/api/uploads/9434765919', { authorization: `Bearer ${pcnToken}` });
    await rawGet(port, '/people/jo.bloggs@example.nhs.uk');
    // An NHS number beside a letter (a reviewer's /p9434765919 was logged as it was).
    await rawGet(port, '/p9434765919');
    // An NHS number one digit at a time (the fifth review: logged as it was).
    await rawGet(port, '/api/metrics/9-4-3-4-7-6-5-9-1-9', { authorization: `Bearer ${token}` });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^GET \/api\/metrics\/rollout\?level&code 200 \d+ms$/);
    expect(lines[1]).toMatch(/^GET \[path withheld\] 404 \d+ms$/);
    expect(lines[2]).toMatch(/^GET \[path withheld\] 200 \d+ms$/);
    expect(lines[3]).toMatch(/^GET \[path withheld\] 200 \d+ms$/);
    expect(lines[4]).toMatch(/^GET \[path withheld\] 404 \d+ms$/);
    expect(lines.join('\n')).not.toContain(token);
    expect(lines.join('\n')).not.toContain(pcnToken.slice(4));
  });
});

/** Seeded: FUZZ_SEED replays a failure; HTTP_FUZZ_RUNS widens the search. */
const RUNS = Number(process.env.HTTP_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);

describe(`HTTP fuzz: ${RUNS} generated requests (seed ${SEED})`, () => {
  // Node's parser refuses methods it does not know (400) before the server sees them: a few are enough.
  const method = fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE') },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,12}$/).filter((m) => m !== 'CONNECT') },
  );
  const segment = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom('api', 'uploads', 'metrics', 'meta', 'me', 'rollout', 'local-s3', 'landing', 'assets'),
    },
    { weight: 2, arbitrary: fc.constantFrom('..', '.', '', '%2e%2e', 'U00001-0123', 'rollout.csv?level=pcn') },
    { weight: 2, arbitrary: fc.constantFrom('%FF', '%00', '%2F', '%5C', '\\', '@', '?', '#', ';', '%', '%%', '~') },
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.string({ maxLength: 8, unit: 'binary' }) },
  );
  const path = fc.oneof(
    { weight: 8, arbitrary: fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '//',
        '///',
        '//@',
        '/\\',
        '*',
        'http://evil.example/',
        LOCAL_POST_PATH,
        '/api/uploads',
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );
  const headerName = fc.oneof(
    fc.constantFrom(
      'content-type',
      'authorization',
      'cookie',
      'transfer-encoding',
      'expect',
      'x-forwarded-host',
      'range',
    ),
    fc.stringMatching(/^[a-zA-Z-]{1,20}$/),
  );
  const headerValue = fc.oneof(
    fc.constantFrom(
      'multipart/form-data; boundary=x',
      'multipart/form-data',
      'application/json',
      'Bearer spu_0000000000000000_AAAA',
      'Bearer eyJhbGciOiJub25lIn0.e30.',
      'chunked',
      '100-continue',
      'bytes=0-',
    ),
    fc.stringMatching(/^[\x20-\x7e]{0,60}$/),
  );
  const request = fc.record({
    method,
    path,
    host: fc.oneof({ weight: 4, arbitrary: fc.constant('ok') }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }),
    headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 5 }),
    body: fc.uint8Array({ maxLength: 2048 }),
  });

  it('every request gets an answer below 500 (or Node’s own refusal), and the server still answers', async () => {
    const statuses = new Map<number | null, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const host = r.host === 'ok' ? `localhost:${port}` : r.host;
        const head = [`${r.method} ${r.path} HTTP/1.1`, `host: ${host}`];
        for (const [name, value] of r.headers) {
          if (['content-length', 'host', 'connection', 'transfer-encoding'].includes(name.toLowerCase())) continue;
          head.push(`${name}: ${value}`);
        }
        head.push(`content-length: ${r.body.length}`, 'connection: close');
        const answer = await rawRequest(
          port,
          Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), r.body]),
        );
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        // Node's parser itself answers 400 to what is not HTTP; the server answers everything else.
        expect(answer.status).not.toBeNull();
        expect(answer.status).toBeLessThan(500);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    expect(await alive()).toBe(200);
    expect(stack.server.listening).toBe(true);
    console.log(
      `statuses: ${[...statuses.entries()]
        .sort()
        .map(([s, n]) => `${s}×${n}`)
        .join(', ')}`,
    );
  }, 120_000);
});
