/**
 * Signing in to the deployed dashboard: the Cognito user pool's hosted pages with the authorisation code flow and
 * PKCE (RFC 7636), so no secret lives in the browser. The deployment writes /config.json with the sign-in address
 * and client id; the local stack has none and signs in with links from `sp-outcomes token` instead.
 */
export interface SignInConfig {
  /** https://<prefix>.auth.<region>.amazoncognito.com */
  readonly authority: string;
  readonly clientId: string;
}

export const TOKEN_KEY = 'sp-outcomes-token';
const VERIFIER_KEY = 'sp-outcomes-pkce-verifier';
const STATE_KEY = 'sp-outcomes-pkce-state';

type Browser = Pick<Window, 'location' | 'history' | 'sessionStorage'>;

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

export async function codeChallenge(verifier: string, subtle: SubtleCrypto = crypto.subtle): Promise<string> {
  return base64url(new Uint8Array(await subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

/** The dashboard's deployment settings, or null when it has none (the local stack). */
export async function loadSignInConfig(fetchFn: typeof fetch = fetch): Promise<SignInConfig | null> {
  try {
    const response = await fetchFn('/config.json', { headers: { accept: 'application/json' } });
    if (!response.ok) return null;
    const config = (await response.json()) as { signIn?: Partial<SignInConfig> };
    const { authority, clientId } = config.signIn ?? {};
    return typeof authority === 'string' && /^https:\/\//.test(authority) && typeof clientId === 'string'
      ? { authority, clientId }
      : null;
  } catch {
    return null; // the local server answers unknown paths with the app's page, not JSON
  }
}

/** Sends the browser to the hosted sign-in page, remembering the PKCE verifier and state for the way back. */
export async function startSignIn(config: SignInConfig, win: Browser = window): Promise<void> {
  const random = () => base64url(crypto.getRandomValues(new Uint8Array(32)));
  const verifier = random();
  const state = random();
  win.sessionStorage.setItem(VERIFIER_KEY, verifier);
  win.sessionStorage.setItem(STATE_KEY, state);
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: `${win.location.origin}/`,
    scope: 'openid email',
    state,
    code_challenge_method: 'S256',
    code_challenge: await codeChallenge(verifier),
  });
  win.location.assign(`${config.authority}/oauth2/authorize?${params}`);
}

/**
 * Back from the hosted page with ?code=&state=: exchanges the code for an access token (kept for this tab only) and
 * takes both out of the address bar. Returns whether it signed in.
 */
export async function finishSignIn(config: SignInConfig, win: Browser = window, fetchFn: typeof fetch = fetch) {
  const query = new URLSearchParams(win.location.search);
  const code = query.get('code');
  if (!code) return false;
  const expected = win.sessionStorage.getItem(STATE_KEY);
  const verifier = win.sessionStorage.getItem(VERIFIER_KEY);
  win.sessionStorage.removeItem(STATE_KEY);
  win.sessionStorage.removeItem(VERIFIER_KEY);
  win.history.replaceState(null, '', win.location.pathname);
  if (!expected || query.get('state') !== expected || !verifier) return false;
  const response = await fetchFn(`${config.authority}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code,
      redirect_uri: `${win.location.origin}/`,
      code_verifier: verifier,
    }).toString(),
  });
  if (!response.ok) return false;
  const { access_token: token } = (await response.json()) as { access_token?: string };
  if (!token) return false;
  win.sessionStorage.setItem(TOKEN_KEY, token);
  return true;
}
