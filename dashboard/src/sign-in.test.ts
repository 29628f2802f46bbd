import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchMeta } from './api.ts';
import {
  codeChallenge,
  currentSession,
  finishSignIn,
  loadSignInConfig,
  REFRESH_BEFORE_MS,
  Session,
  startSignIn,
  TOKEN_KEY,
} from './sign-in.ts';

/** A browser's address bar, history and session storage, enough to follow the sign-in round trip. */
function browser(url: string) {
  const store = new Map<string, string>();
  const win = {
    location: Object.assign(new URL(url), { assign: (to: string) => win.assigned.push(to) }),
    history: { replaceState: (_: unknown, __: string, to: string) => win.replaced.push(to) },
    sessionStorage: {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
      removeItem: (k: string) => void store.delete(k),
    },
    assigned: [] as string[],
    replaced: [] as string[],
    store,
  };
  return win;
}

const config = {
  authority: 'https://sp-outcomes-111122223333.auth.eu-west-2.amazoncognito.com',
  clientId: 'client123',
};

describe('signing in to the deployed dashboard (authorisation code with PKCE)', () => {
  it('derives the S256 challenge as RFC 7636 appendix B does', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('goes to the hosted page with the challenge of a verifier it keeps, and comes back to exchange the code', async () => {
    const win = browser('https://d111.cloudfront.net/outcomes?fy=2025/26');
    await startSignIn(config, win as never);
    const authorize = new URL(win.assigned[0] as string);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${config.authority}/oauth2/authorize`);
    const state = authorize.searchParams.get('state') as string;
    const verifier = win.store.get('sp-outcomes-pkce-verifier') as string;
    expect(Object.fromEntries(authorize.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client123',
      redirect_uri: 'https://d111.cloudfront.net/',
      scope: 'openid email',
      state,
      code_challenge_method: 'S256',
      code_challenge: await codeChallenge(verifier),
    });

    // Cognito's token endpoint cannot run here: a stand-in that checks what it is sent, from its documented shape.
    const back = browser(`https://d111.cloudfront.net/?code=abc&state=${state}`);
    for (const [k, v] of win.store) back.store.set(k, v);
    const sent: { url: string; body: string }[] = [];
    const tokenEndpoint = async (url: string | URL | Request, init?: RequestInit) => {
      sent.push({ url: String(url), body: String(init?.body) });
      return new Response(JSON.stringify({ access_token: 'eyJ.access.token', token_type: 'Bearer', expires_in: 3600 }));
    };
    expect(await finishSignIn(config, back as never, tokenEndpoint as typeof fetch)).toBe(true);
    expect(sent).toEqual([
      {
        url: `${config.authority}/oauth2/token`,
        body: `grant_type=authorization_code&client_id=client123&code=abc&redirect_uri=https%3A%2F%2Fd111.cloudfront.net%2F&code_verifier=${verifier}`,
      },
    ]);
    expect(back.store.get(TOKEN_KEY)).toBe('eyJ.access.token');
    expect(back.replaced).toEqual(['/']);
    expect(back.store.has('sp-outcomes-pkce-verifier')).toBe(false);
  });

  it('refuses a code whose state it did not send, without calling the token endpoint', async () => {
    const back = browser('https://d111.cloudfront.net/?code=abc&state=forged');
    back.store.set('sp-outcomes-pkce-state', 'mine');
    back.store.set('sp-outcomes-pkce-verifier', 'v');
    let called = false;
    const fetchFn = (async () => {
      called = true;
      return new Response('{}');
    }) as typeof fetch;
    expect(await finishSignIn(config, back as never, fetchFn)).toBe(false);
    expect(called).toBe(false);
    expect(back.store.has(TOKEN_KEY)).toBe(false);
  });

  it('reads /config.json, and has no sign-in where there is none (the local stack answers with its page)', async () => {
    const json = (body: unknown, status = 200) =>
      (async () => new Response(JSON.stringify(body), { status })) as typeof fetch;
    expect(await loadSignInConfig(json({ signIn: config }))).toEqual(config);
    expect(await loadSignInConfig(json({ signIn: { ...config, authority: 'http://evil' } }))).toBeNull();
    expect(await loadSignInConfig(json({}, 404))).toBeNull();
    expect(await loadSignInConfig((async () => new Response('<!doctype html>')) as typeof fetch)).toBeNull();
  });
});

/** A hand-wound clock: timers run when the test moves time past them. */
function handClock() {
  let now = 0;
  const timers: { at: number; run: () => void }[] = [];
  return {
    now: () => now,
    setTimeout: (run: () => void, ms: number) => {
      const timer = { at: now + ms, run };
      timers.push(timer);
      return timer;
    },
    clearTimeout: (timer: unknown) => {
      timers.splice(timers.indexOf(timer as (typeof timers)[number]), 1);
    },
    async advanceTo(ms: number) {
      now = ms;
      for (const timer of timers.filter((t) => t.at <= now)) {
        timers.splice(timers.indexOf(timer), 1);
        timer.run();
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
    pending: () => timers.map((t) => t.at),
  };
}

/** Cognito's token endpoint as documented: each refresh grant answers a new access token, no new refresh token. */
function tokenEndpoint(answers: (number | string)[]) {
  const sent: string[] = [];
  const fetchFn = (async (_url: string | URL | Request, init?: RequestInit) => {
    sent.push(String(init?.body));
    const answer = answers.shift();
    return typeof answer === 'number'
      ? new Response(JSON.stringify({ error: 'invalid_grant' }), { status: answer })
      : new Response(JSON.stringify({ access_token: answer, id_token: 'id', token_type: 'Bearer', expires_in: 3600 }));
  }) as typeof fetch;
  return { sent, fetchFn };
}

describe('keeping the session past the one-hour access token (refresh token in memory)', () => {
  afterEach(() => {
    currentSession()?.end();
    vi.unstubAllGlobals();
  });

  it('refreshes five minutes before each expiry, and never writes the refresh token to storage', async () => {
    const win = browser('https://d111.cloudfront.net/');
    const clock = handClock();
    const cognito = tokenEndpoint(['access-2', 'access-3']);
    const session = new Session(config, win as never, cognito.fetchFn, clock);
    expect(session.keep({ access_token: 'access-1', refresh_token: 'refresh-1', expires_in: 3600 })).toBe(true);
    expect(clock.pending()).toEqual([3_600_000 - REFRESH_BEFORE_MS]);

    await clock.advanceTo(3_600_000 - REFRESH_BEFORE_MS - 1);
    expect(cognito.sent).toEqual([]);
    await clock.advanceTo(3_600_000 - REFRESH_BEFORE_MS);
    expect(cognito.sent).toEqual(['grant_type=refresh_token&client_id=client123&refresh_token=refresh-1']);
    expect(win.store.get(TOKEN_KEY)).toBe('access-2');
    // The same refresh token again an hour later (Cognito issues none new without rotation).
    await clock.advanceTo(2 * 3_600_000 - 2 * REFRESH_BEFORE_MS);
    expect(cognito.sent).toHaveLength(2);
    expect(cognito.sent[1]).toBe('grant_type=refresh_token&client_id=client123&refresh_token=refresh-1');
    expect(win.store.get(TOKEN_KEY)).toBe('access-3');
    expect([...win.store.values()].some((v) => v.includes('refresh-1'))).toBe(false);
  });

  it('a refused refresh ends the session: the access token goes and the next 401 offers Sign in', async () => {
    const win = browser('https://d111.cloudfront.net/');
    const clock = handClock();
    const session = new Session(config, win as never, tokenEndpoint([400]).fetchFn, clock);
    session.keep({ access_token: 'access-1', refresh_token: 'revoked', expires_in: 3600 });
    expect(currentSession()).toBe(session);
    await clock.advanceTo(3_600_000);
    expect(win.store.has(TOKEN_KEY)).toBe(false);
    expect(currentSession()).toBeNull();
    expect(clock.pending()).toEqual([]);
  });

  it('the sign-in keeps the refresh token from the code exchange in the session', async () => {
    const back = browser('https://d111.cloudfront.net/?code=abc&state=s');
    back.store.set('sp-outcomes-pkce-state', 's');
    back.store.set('sp-outcomes-pkce-verifier', 'v');
    const fetchFn = (async () =>
      new Response(
        JSON.stringify({
          access_token: 'a',
          refresh_token: 'r',
          id_token: 'i',
          token_type: 'Bearer',
          expires_in: 3600,
        }),
      )) as typeof fetch;
    expect(await finishSignIn(config, back as never, fetchFn)).toBe(true);
    expect(currentSession()).not.toBeNull();
    expect([...back.store.values()]).toEqual(['a']);
  });

  it('the API client refreshes a token the API refuses as expired and asks once more', async () => {
    const win = browser('https://d111.cloudfront.net/');
    vi.stubGlobal('sessionStorage', win.sessionStorage);
    const cognito = tokenEndpoint(['fresh']);
    new Session(config, win as never, cognito.fetchFn, handClock()).keep({
      access_token: 'stale',
      refresh_token: 'r',
      expires_in: 3600,
    });
    const seen: string[] = [];
    vi.stubGlobal('fetch', async (_path: string, init: RequestInit) => {
      const authorization = (init.headers as Record<string, string>).authorization ?? '';
      seen.push(authorization);
      return authorization === 'Bearer fresh'
        ? new Response(JSON.stringify({ months: [] }))
        : new Response(JSON.stringify({ error: 'expired' }), { status: 401 });
    });
    expect(await fetchMeta()).toEqual({ months: [] });
    expect(seen).toEqual(['Bearer stale', 'Bearer fresh']);
    expect(cognito.sent).toHaveLength(1);
  });
});
