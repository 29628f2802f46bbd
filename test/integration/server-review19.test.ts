import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../cli/server.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { PcnTokenRegistry } from '../../functions/upload/pcn-tokens.ts';
import { tempDir } from '../support/files.ts';
import { startTestServer } from '../support/local-stack.ts';
import { rawRequest } from '../support/raw-http.ts';

// Red-team review 19, R19-3: POST /api/uploads read its body before the token was checked, with no idle cut, so
// unauthenticated slow bodies held every connection for the request timeout (300 s).
describe('R19-3: /api/uploads checks the token before the body, and cuts a body that stops arriving', () => {
  const dir = tempDir('server-review19');
  let stack: LocalStack;
  let port: number;
  let token: string;
  beforeAll(async () => {
    stack = await startTestServer(join(dir.path, 'data'), { uploadIdleMs: 500 });
    port = Number(new URL(stack.url).port);
    token = (
      await new PcnTokenRegistry(new FsObjectStore(join(dir.path, 'data'))).create('U00001', { expiresInDays: 1 })
    ).token;
  });
  afterAll(async () => {
    await stack.close();
    dir.remove();
  });
  const post = (headers: string) =>
    `POST /api/uploads HTTP/1.1\r\nhost: localhost:${port}\r\ncontent-type: application/json\r\ncontent-length: 60000\r\n${headers}\r\n{"pcn`;

  it('no token: 401 at once, while the announced 60,000 bytes never come', async () => {
    // rawRequest waits up to 3 s; the body's bytes never come, so only an answer at the headers is seen in time
    const answer = await rawRequest(port, post(''), 3000);
    expect([answer.status, JSON.parse(answer.body)]).toEqual([
      401,
      { error: 'a PCN upload token is required (Authorization: Bearer spu_...)' },
    ]);
    const wrong = await rawRequest(port, post('authorization: Bearer spu_x_y\r\n'), 3000);
    expect(wrong.status).toBe(401);
  });

  it('with a token, a body that sends nothing for the idle time (0.5 s) is cut, not held to the request timeout', async () => {
    const started = performance.now();
    const answer = await rawRequest(port, post(`authorization: Bearer ${token}\r\n`), 4000);
    const ms = performance.now() - started;
    // cut at about 0.5 s (the socket closed, as the form upload's idle cut does), well before rawRequest's 4 s
    expect(answer.status).toBeNull();
    expect(ms).toBeLessThan(3500);
    // and the server answers the next request
    const next = await rawRequest(
      port,
      `POST /api/uploads HTTP/1.1\r\nhost: localhost:${port}\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}`,
      3000,
    );
    expect(next.status).toBe(401);
  });
});
