import { describe, expect, it } from 'vitest';
import { codeChallenge, finishSignIn, loadSignInConfig, startSignIn, TOKEN_KEY } from './sign-in.ts';

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
