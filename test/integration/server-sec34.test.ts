import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../cli/server.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { PcnTokenRegistry } from '../../functions/upload/pcn-tokens.ts';
import { tempDir } from '../support/files.ts';
import { startTestServer } from '../support/local-stack.ts';

/**
 * sec34: /api/uploads and /api/uploads/<id> answered whatever query string came with them, while the other JSON routes
 * refuse one since sec33 (/api/meta, /api/me, /api/refresh-status). They refuse it too now: 400, after the token is
 * checked (a client without one is told 401, as the refresh status tells a client without a session first).
 */
const dir = tempDir('server-sec34');
const dataDir = join(dir.path, 'data');
let stack: LocalStack;
let token = '';
const lines: string[] = [];

beforeAll(async () => {
  stack = await startTestServer(dataDir, { log: (line) => lines.push(line) });
  token = (await new PcnTokenRegistry(new FsObjectStore(dataDir)).create('U00001', { expiresInDays: 1 })).token;
});
afterAll(async () => {
  await stack.close();
  dir.remove();
});

const body = 'event_id\n';
const uploadRequest = JSON.stringify({
  pcn_code: 'U00001',
  kind: 'events',
  format: 'csv',
  compressed: false,
  bytes: Buffer.byteLength(body),
  sha256: createHash('sha256').update(body).digest('hex'),
  md5: createHash('md5').update(body).digest('base64'),
});

async function ask(method: 'GET' | 'POST', target: string, withToken = true) {
  const response = await fetch(`${stack.url}${target}`, {
    method,
    headers: {
      ...(withToken ? { authorization: `Bearer ${token}` } : {}),
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
    },
    body: method === 'POST' ? uploadRequest : undefined,
  });
  return { status: response.status, body: await response.text() };
}

describe('a query string on /api/uploads is refused, as on the other JSON routes', () => {
  it.each([
    ['POST', '/api/uploads?x=1', '/api/uploads takes no query parameters'],
    ['POST', '/api/uploads?pcn_code=U00002', '/api/uploads takes no query parameters'],
    ['GET', '/api/uploads/U00001-0123?x=1', '/api/uploads/<id> takes no query parameters'],
    ['GET', '/api/uploads/U00001-0123?%FF', '/api/uploads/<id> takes no query parameters'],
  ] as const)('%s %s: 400', async (method, target, error) => {
    const answer = await ask(method, target);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ error });
  });

  it('without a token, 401 first', async () => {
    expect((await ask('POST', '/api/uploads?x=1', false)).status).toBe(401);
    expect((await ask('GET', '/api/uploads/U00001-0123?x=1', false)).status).toBe(401);
  });

  it('without one (or with an empty one, as the other routes), each is answered as before', async () => {
    expect((await ask('POST', '/api/uploads')).status).toBe(201);
    expect((await ask('POST', '/api/uploads?')).status).toBe(201);
    expect((await ask('GET', '/api/uploads/U00001-0123')).status).toBe(404);
  });

  it('no server fault was logged', () => {
    expect(lines.filter((line) => / 5\d\d |failed/.test(line))).toEqual([]);
  });
});
