import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../cli/server.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { tempDir } from '../support/files.ts';
import { startTestServer } from '../support/local-stack.ts';
import { rawGet } from '../support/raw-http.ts';

/**
 * sec33's red-team pass on the local server: a body that is announced and never finishes, on a route that reads none,
 * held the connection for the whole request timeout (5 minutes by default) after the answer, with no token at all, so
 * 512 such sockets took every connection; and a query string on /api/meta made a new answer (compressed again, Brotli
 * at its best quality) for each new string, about 50 times the CPU of a kept answer, and filled the answers kept.
 */
const dir = tempDir('server-sec33');
const dataDir = join(dir.path, 'data');
const staticDir = join(dir.path, 'dash');
const lines: string[] = [];
let stack: LocalStack;
let port: number;
/** Long enough that a connection still open when the test looks is one the server kept open. */
const REQUEST_TIMEOUT_MS = 120_000;

beforeAll(async () => {
  mkdirSync(staticDir, { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), '<p>the dashboard</p>');
  const store = new FsObjectStore(dataDir);
  await store.put('metrics/meta.json', JSON.stringify({ months: [], icbs: [], pcns: [] }));
  stack = await startTestServer(dataDir, {
    staticDir,
    requireToken: false,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    log: (line) => lines.push(line),
  });
  port = Number(new URL(stack.url).port);
});
afterAll(async () => {
  await stack.close();
  dir.remove();
});

/**
 * Sends a request's headers announcing a body of 1,000 bytes and one byte of it, then nothing more; resolves with the
 * answer's status line and whether the server closed the connection before `deadlineMs` (the test's bound, not a wait
 * for anything: the server answers at once and closes, or keeps the socket for the request timeout).
 */
function unfinishedBody(
  method: string,
  path: string,
  deadlineMs = 5_000,
): Promise<{ status: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    const finish = (closed: boolean) => {
      clearTimeout(deadline);
      socket.destroy();
      resolve({ status: received.slice(0, 12), closed });
    };
    const deadline = setTimeout(() => finish(false), deadlineMs);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => {});
    socket.write(`${method} ${path} HTTP/1.1\r\nhost: localhost:${port}\r\ncontent-length: 1000\r\n\r\nx`);
  });
}

describe('a body announced and never finished, on a route that reads none: answered, then the connection closed', () => {
  it.each([
    ['GET', '/api/meta', 'HTTP/1.1 200'],
    ['POST', '/api/meta', 'HTTP/1.1 405'],
    ['GET', '/', 'HTTP/1.1 200'],
    ['GET', '/api/uploads/U00001-0123', 'HTTP/1.1 401'],
    ['GET', '/api/refresh-status', 'HTTP/1.1 200'],
  ])('%s %s', async (method, path, status) => {
    const answer = await unfinishedBody(method, path);
    expect(answer).toEqual({ status, closed: true });
    expect((await rawGet(port, '/')).status).toBe(200);
  });
});

/**
 * Sends `paths` as GETs without a body, one after another on one connection (HTTP/1.1 keeps it by default); resolves
 * with each answer's status line and whether it announced `connection: close`, and whether the socket was still open
 * after the last answer.
 */
function keptAlive(paths: readonly string[]): Promise<{ answers: string[]; open: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const answers: string[] = [];
    let received = '';
    let open = true;
    socket.on('close', () => {
      open = false;
      resolve({ answers, open });
    });
    socket.on('error', reject);
    const ask = () => {
      socket.write(`GET ${paths[answers.length]} HTTP/1.1\r\nhost: localhost:${port}\r\n\r\n`);
    };
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = received.slice(0, end);
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (received.length < end + 4 + length) return;
      received = received.slice(end + 4 + length);
      answers.push(`${head.slice(0, 12)}${/\r\nconnection: close/i.test(head) ? ' close' : ''}`);
      if (answers.length < paths.length) ask();
      else setImmediate(() => resolve({ answers, open: open && !socket.destroyed }));
    });
    ask();
  });
}

describe('requests without a body keep their connection (review 36, R36-1: the page and its fallback closed it)', () => {
  it('the page, the single-page fallback and an API route on one socket', async () => {
    const { answers, open } = await keptAlive(['/', '/pcn/U00001', '/api/meta', '/']);
    expect(answers).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 200']);
    expect(open).toBe(true);
  });
});

describe('a query string on a route that takes none is refused, not answered (and kept) once per string', () => {
  it.each([
    ['/api/meta?nocache=1', '/api/meta takes no query parameters'],
    ['/api/meta?%FF', '/api/meta takes no query parameters'],
    ['/api/me?x=1', '/api/me takes no query parameters'],
    ['/api/refresh-status?x=1', '/api/refresh-status takes no query parameters'],
  ])('%s: 400', async (target, error) => {
    const answer = await rawGet(port, target);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ error });
  });

  it('without one, each is answered', async () => {
    for (const target of ['/api/meta', '/api/meta?', '/api/me', '/api/refresh-status'])
      expect((await rawGet(port, target)).status).toBe(200);
  });

  it('no server fault was logged', () => {
    expect(lines.filter((line) => / 5\d\d |failed/.test(line))).toEqual([]);
  });
});

describe('a client that asks for a large answer and never reads it', () => {
  const big = tempDir('server-sec33-noread');
  let slow: LocalStack;
  let slowPort: number;
  beforeAll(async () => {
    const store = new FsObjectStore(join(big.path, 'data'));
    await store.put('metrics/meta.json', JSON.stringify({ months: [], icbs: [], pcns: [] }));
    // About 20 MB of JSON: more than loopback's socket buffers hold, so the answer cannot be written out unread.
    const rows = Array.from({ length: 250_000 }, (_, i) => ({
      level: 'pcn',
      code: `U${String(i % 99_999).padStart(5, '0')}`,
      period_type: 'month',
      period: '2025-01',
      referrals: i,
    }));
    await store.put('metrics/rollout.json', JSON.stringify({ name: 'rollout', rows }));
    slow = await startTestServer(join(big.path, 'data'), { staticDir, requireToken: false, socketIdleMs: 500 });
    slowPort = Number(new URL(slow.url).port);
  });
  afterAll(async () => {
    await slow.close();
    big.remove();
  });

  it('is cut once its socket has been idle for the idle time (it was held for ever: 512 such took every connection)', async () => {
    // Whether the server closed its end: seen on the server's own socket, as the client (paused) reads nothing more and
    // so may not see the close until it reads again.
    const closed = await new Promise<boolean>((resolve) => {
      let client: ReturnType<typeof connect> | undefined;
      // The test's bound (the answer takes a moment to make, the cut 0.5 s after the writes stop), not a wait.
      const deadline = setTimeout(() => {
        client?.destroy();
        resolve(false);
      }, 30_000);
      slow.server.once('connection', (serverSide) => {
        serverSide.once('close', () => {
          clearTimeout(deadline);
          client?.destroy();
          resolve(true);
        });
      });
      client = connect({ host: '127.0.0.1', port: slowPort });
      client.on('error', () => {});
      // The first bytes read, then none: the server's writes fill the socket's buffers and stop.
      client.once('data', () => client?.pause());
      client.write(`GET /api/metrics/rollout HTTP/1.1\r\nhost: localhost:${slowPort}\r\n\r\n`);
    });
    expect(closed).toBe(true);
    expect((await rawGet(slowPort, '/api/meta')).status).toBe(200);
  });
});
