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
  return new Session(config, win, fetchFn).keep((await response.json()) as TokenResponse);
}

/** What Cognito's /oauth2/token answers (the refresh grant returns no refresh_token unless rotation is on). */
export interface TokenResponse {
  readonly access_token?: string;
  readonly refresh_token?: string;
  /** Seconds. */
  readonly expires_in?: number;
}

/** Refresh this long before the access token expires, so a request never goes out with a token about to lapse. */
export const REFRESH_BEFORE_MS = 5 * 60_000;

/** Time for a session; tests pass a hand-wound one. */
export interface SessionClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

let current: Session | null = null;

/** The signed-in session of this tab, if it was made by a sign-in here (the local stack's links have none). */
export const currentSession = (): Session | null => current;

/**
 * A signed-in session: the access token (one hour) in this tab's sessionStorage, where the API client reads it; the
 * refresh token in memory only, never in storage that another script or a later visit could read. Before the access
 * token expires, the session asks Cognito's token endpoint for a new one with the refresh token (grant_type
 * refresh_token: https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html), so the user is not
 * sent to sign in every hour. A reload loses the refresh token: the user signs in again when that access token ends.
 */
export class Session {
  private refreshToken: string | undefined;
  private expiresAt = 0;
  private timer: unknown;
  private pending: Promise<boolean> | undefined;

  constructor(
    private readonly config: SignInConfig,
    private readonly win: Pick<Window, 'sessionStorage'>,
    private readonly fetchFn: typeof fetch = fetch,
    private readonly clock: SessionClock = {
      now: () => Date.now(),
      setTimeout: (run, ms) => setTimeout(run, ms),
      clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
    },
  ) {}

  /** Keeps the tokens of a sign-in or a refresh and plans the next refresh; false when there is no access token. */
  keep(tokens: TokenResponse): boolean {
    if (!tokens.access_token) return false;
    this.win.sessionStorage.setItem(TOKEN_KEY, tokens.access_token);
    this.refreshToken = tokens.refresh_token ?? this.refreshToken;
    this.expiresAt = this.clock.now() + (tokens.expires_in ?? 3600) * 1000;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.refreshToken) {
      const wait = Math.max(0, this.expiresAt - REFRESH_BEFORE_MS - this.clock.now());
      this.timer = this.clock.setTimeout(() => void this.refresh(), wait);
    }
    current = this;
    return true;
  }

  /** Before a request: a background tab's timers may have been held back, so refresh now if the token is due. */
  async fresh(): Promise<void> {
    if (this.refreshToken && this.clock.now() >= this.expiresAt - REFRESH_BEFORE_MS) await this.refresh();
  }

  /** A new access token from the refresh token; false (and the session forgotten) when Cognito refuses it. */
  refresh(): Promise<boolean> {
    this.pending ??= this.exchange().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async exchange(): Promise<boolean> {
    const refreshToken = this.refreshToken;
    if (!refreshToken) return false;
    try {
      const response = await this.fetchFn(`${this.config.authority}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: this.config.clientId,
          refresh_token: refreshToken,
        }).toString(),
      });
      if (response.ok && this.keep((await response.json()) as TokenResponse)) return true;
    } catch {
      // A network failure ends the session like a refusal: the next 401 offers the Sign in button.
    }
    this.end();
    return false;
  }

  /** Forgets the refresh token and the access token. */
  end(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.refreshToken = undefined;
    this.win.sessionStorage.removeItem(TOKEN_KEY);
    if (current === this) current = null;
  }
}
