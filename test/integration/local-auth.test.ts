import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Uploader } from '../../cli/commands/upload.ts';
import { isLoopback, type LocalStack } from '../../cli/server.ts';
import { issueUserToken, signingSecret } from '../../functions/auth/local-tokens.ts';
import { identityOf } from '../../functions/auth/scope.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { PcnTokenRegistry } from '../../functions/upload/pcn-tokens.ts';
import { newKey } from '../../functions/upload/pseudonymise.ts';
import { publishRollout } from '../support/documents.ts';
import { type FaultRule, startFaultProxy } from '../support/fault-proxy.ts';
import { CONTACT_COLUMNS, contactRow, csvText, tempDir } from '../support/files.ts';
import { freePort, startTestServer } from '../support/local-stack.ts';

const dir = tempDir('local-auth');
const store = new FsObjectStore(join(dir.path, 'data'));
let open: LocalStack;
let guarded: LocalStack;
let secret: Uint8Array;
const token = (role: string, code: string, expiresInSeconds = 600, now?: Date) =>
  issueUserToken(secret, identityOf(role, code, 'tester'), { expiresInSeconds, now });

beforeAll(async () => {
  await publishRollout(store, [
    { level: 'national', code: 'ENG', period_type: 'all', period: 'all', referrals: 30 },
    { level: 'pcn', code: 'U00001', period_type: 'all', period: 'all', referrals: 15 },
    { level: 'pcn', code: 'U00002', period_type: 'all', period: 'all', referrals: 15 },
  ]);
  open = await startTestServer(join(dir.path, 'data'));
  guarded = await startTestServer(join(dir.path, 'data'), { requireToken: true });
  secret = await signingSecret(store);
});
afterAll(async () => {
  // The graceful stop: any ingest or refresh still running ends before the folder is removed.
  for (const stack of [open, guarded]) await stack?.close();
  dir.remove();
});

const get = async (stack: LocalStack, path: string, bearer?: string) => {
  const response = await fetch(`${stack.url}${path}`, bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {});
  const body = (await response.json()) as { rows?: { code: string }[]; error?: string };
  return { status: response.status, codes: body.rows?.map((r) => r.code), error: body.error };
};

describe('the local server signs users in with its own tokens', () => {
  it('needs a token whenever it is reachable beyond this machine; on loopback, no token is the national user', async () => {
    expect([isLoopback('127.0.0.1'), isLoopback('::1'), isLoopback('localhost')]).toEqual([true, true, true]);
    expect([isLoopback('0.0.0.0'), isLoopback('192.168.1.20'), isLoopback('::')]).toEqual([false, false, false]);
    expect(await get(open, '/api/metrics/rollout')).toMatchObject({ status: 200, codes: ['ENG', 'U00001', 'U00002'] });
    for (const path of [
      '/api/meta',
      '/api/me',
      '/api/metrics/rollout',
      '/api/metrics/rollout.csv',
      '/api/refresh-status',
    ])
      expect(await get(guarded, path)).toEqual({
        status: 401,
        codes: undefined,
        error:
          'sign in: this server is reachable beyond this machine (or through a proxy), so every request needs a token',
      });
  });

  // R13-2: behind a reverse proxy every request comes from 127.0.0.1, so loopback says nothing about who is asking.
  // Before, a server on loopback answering to a proxy's name (or with its public URL) served PCN rows to anyone.
  it('on loopback but answering to another name (a proxy’s) or with a public URL, every data request needs a token', async () => {
    const pcn = await token('pcn', 'U00002');
    for (const options of [
      { allowedHosts: ['outcomes.example.nhs.uk'] },
      { publicUrl: 'https://outcomes.example.nhs.uk' },
    ]) {
      const proxied = await startTestServer(join(dir.path, 'data'), options);
      try {
        expect(await get(proxied, '/api/metrics/rollout?level=pcn')).toEqual({
          status: 401,
          codes: undefined,
          error:
            'sign in: this server is reachable beyond this machine (or through a proxy), so every request needs a token',
        });
        expect(await get(proxied, '/api/metrics/rollout', pcn)).toMatchObject({
          status: 200,
          codes: ['ENG', 'U00002'],
        });
      } finally {
        await proxied.close();
      }
    }
  });

  // R14-3: nginx's and Apache's proxies send the upstream's own Host (127.0.0.1:PORT) by default, so no flag is set:
  // a request a proxy passed on (its forwarding headers) needed no token and read every PCN.
  it('on loopback with no flags, a request a proxy passed on (Forwarded, X-Forwarded-For, X-Real-IP, Via) needs a token', async () => {
    for (const header of <Record<string, string>[]>[
      { forwarded: 'for=203.0.113.9' },
      { 'x-forwarded-for': '203.0.113.9' },
      { 'x-real-ip': '203.0.113.9' },
      { via: '1.1 proxy' },
    ]) {
      const response = await fetch(`${open.url}/api/metrics/rollout?level=pcn`, { headers: header });
      expect([response.status, ((await response.json()) as { error: string }).error]).toEqual([
        401,
        'sign in: this server is reachable beyond this machine (or through a proxy), so every request needs a token',
      ]);
    }
    const pcn = await token('pcn', 'U00002');
    const withToken = await fetch(`${open.url}/api/metrics/rollout`, {
      headers: { 'x-forwarded-for': '203.0.113.9', authorization: `Bearer ${pcn}` },
    });
    expect(withToken.status).toBe(200);
  });

  it('scopes rows by the token’s role, on both servers', async () => {
    const pcn = await token('pcn', 'U00002');
    for (const stack of [open, guarded])
      expect(await get(stack, '/api/metrics/rollout', pcn)).toMatchObject({ status: 200, codes: ['ENG', 'U00002'] });
    expect((await get(guarded, '/api/metrics/rollout?level=pcn&code=U00001', pcn)).status).toBe(403);
    // The refresh status says nothing about any area: every role reads it, with a token where one is needed.
    expect((await get(guarded, '/api/refresh-status', pcn)).status).toBe(200);
  });

  it('refuses expired, tampered and foreign tokens with 401, even on loopback', async () => {
    const expired = await token('national', 'ENG', 60, new Date(Date.now() - 3_600_000));
    const [h, p, s] = (await token('pcn', 'U00002')).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, role: 'national', code: 'ENG' })).toString('base64url')}.${s}`;
    const foreign = await issueUserToken(new Uint8Array(32).fill(9), identityOf('national', 'ENG', 'x'), {
      expiresInSeconds: 600,
    });
    for (const [bad, error] of [
      [expired, 'the token has expired'],
      [tampered, 'the token is not valid'],
      [foreign, 'the token is not valid'],
    ] as const) {
      for (const stack of [open, guarded])
        expect(await get(stack, '/api/metrics/rollout', bad)).toEqual({ status: 401, codes: undefined, error });
    }
  });
});

describe('the uploader retries what is worth retrying and nothing else', () => {
  const file = (name: string, person: string) => {
    const path = join(dir.path, name);
    writeFileSync(path, csvText(CONTACT_COLUMNS, [contactRow({ person_id: person })]));
    return path;
  };
  /** Sends one file with the uploader (up to 4 retries) through a proxy that injects `faults`; returns what it saw. */
  const sendThroughProxy = async (faults: FaultRule[], token: string, name: string, person: string) => {
    // Clients reach this server through the proxy, so its presigned POSTs are addressed to the proxy too.
    const port = await freePort();
    const proxy = await startFaultProxy(`http://127.0.0.1:${port}`, faults);
    const behind = await startTestServer(join(dir.path, 'data'), { port, publicUrl: proxy.url });
    const uploader = new Uploader({
      server: proxy.url,
      token,
      key: newKey('U00001'),
      retries: 4,
      retryDelayMs: 5,
      pollIntervalMs: 20,
      log: () => {},
    });
    try {
      return { outcome: await uploader.send(file(name, person)), seen: proxy.seen };
    } finally {
      await proxy.close();
      await behind.close();
    }
  };

  it('503 and 429 from the API and SlowDown-style 503 from storage are retried until the upload succeeds', async () => {
    const { token: pcnToken } = await new PcnTokenRegistry(store).create('U00001', { expiresInDays: 1 });
    const { outcome, seen } = await sendThroughProxy(
      [
        { match: (m, p) => m === 'POST' && p === '/api/uploads', status: 503, times: 2 },
        { match: (m, p) => m === 'POST' && p.startsWith('/local-s3/'), status: 429, times: 1 },
        { match: (m, p) => m === 'POST' && p.startsWith('/local-s3/'), status: 503, times: 1 },
        { match: (m, p) => m === 'GET' && p.startsWith('/api/uploads/'), status: 500, times: 1 },
      ],
      pcnToken,
      'retry.csv',
      'f'.repeat(64),
    );
    expect(outcome).toMatchObject({ status: 'accepted', exit_code: 0 });
    expect(seen.filter((line) => line.startsWith('POST /api/uploads'))).toEqual([
      'POST /api/uploads -> 503 (injected)',
      'POST /api/uploads -> 503 (injected)',
      'POST /api/uploads -> 201',
    ]);
    expect(seen.filter((line) => line.startsWith('POST /local-s3/'))).toEqual([
      'POST /local-s3/landing -> 429 (injected)',
      'POST /local-s3/landing -> 503 (injected)',
      'POST /local-s3/landing -> 204',
    ]);
    expect(seen.filter((line) => line.startsWith('GET'))[0]).toBe(
      `GET /api/uploads/${outcome.upload_id} -> 500 (injected)`,
    );
  });

  it('a 429 asking to wait past a minute (the daily quota per PCN) is an answer: one attempt, the wait said', async () => {
    // The token of the test before (one active token per PCN), replaced.
    const { token: pcnToken } = await new PcnTokenRegistry(store).create('U00001', { expiresInDays: 1, rotate: true });
    const quota = JSON.stringify({ error: 'this PCN has sent its 200 uploads for today (UTC)' });
    const { outcome, seen } = await sendThroughProxy(
      [
        {
          match: (m, p) => m === 'POST' && p === '/api/uploads',
          status: 429,
          times: 5,
          body: quota,
          retryAfter: '3600',
        },
      ],
      pcnToken,
      'quota.csv',
      'd'.repeat(64),
    );
    expect(outcome).toEqual({
      file: join(dir.path, 'quota.csv'),
      status: 'not_sent',
      exit_code: 3,
      error:
        '429: this PCN has sent its 200 uploads for today (UTC) (the server asks to wait 3,600 s before sending again)',
    });
    expect(seen).toEqual(['POST /api/uploads -> 429 (injected)']);
  });

  it('a 4xx is an answer: one attempt, then "could not send" (exit 3) with the server’s reason', async () => {
    const { outcome, seen } = await sendThroughProxy(
      [],
      `spu_${'0'.repeat(16)}_${'A'.repeat(43)}`,
      'refused.csv',
      'e'.repeat(64),
    );
    expect(outcome).toEqual({
      file: join(dir.path, 'refused.csv'),
      status: 'not_sent',
      exit_code: 3,
      error: '401: the upload token is not valid',
    });
    expect(seen).toEqual(['POST /api/uploads -> 401']);
  });
});
