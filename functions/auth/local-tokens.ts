import { randomBytes } from 'node:crypto';
import { chmod, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errors, jwtVerify, SignJWT } from 'jose';
import { FsObjectStore, type ObjectStore } from '../lib/object-store.ts';
import { type Identity, InvalidIdentityError, identityOf, UnauthenticatedError } from './scope.ts';
import { VerifiedTokens, type VerifiedTokensOptions } from './verified-tokens.ts';

/**
 * Dashboard and metrics API sign-in for the local stack: tokens signed (HS256, via jose) with a secret kept in the
 * local store, issued by `sp-outcomes token --role ...`. In AWS the same identities come from Cognito groups.
 */
export const SIGNING_KEY = 'auth/local-signing-key';
const ISSUER = 'sp-outcomes-local';
const AUDIENCE = 'sp-outcomes-dashboard';

/**
 * The store's signing secret, made on first use. Anyone who can read it can sign a national token, so on disk it
 * is readable by its owner only (0600, like a PCN key), and an older, wider file is narrowed when it is read.
 */
export async function signingSecret(store: ObjectStore): Promise<Uint8Array> {
  const existing = await store.get(SIGNING_KEY);
  if (existing !== undefined && existing.length === 32) {
    await ownerOnly(store);
    return existing;
  }
  const secret = randomBytes(32);
  await store.put(SIGNING_KEY, secret);
  await ownerOnly(store);
  return secret;
}

async function ownerOnly(store: ObjectStore): Promise<void> {
  if (!(store instanceof FsObjectStore)) return;
  const path = join(store.root, ...SIGNING_KEY.split('/'));
  if (((await stat(path)).mode & 0o777) !== 0o600) await chmod(path, 0o600);
}

export async function issueUserToken(
  secret: Uint8Array,
  identity: Identity,
  options: { readonly expiresInSeconds: number; readonly now?: Date },
): Promise<string> {
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ role: identity.role, code: identity.code })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(identity.subject)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + options.expiresInSeconds)
    .sign(secret);
}

/** The identity a token carries; throws UnauthenticatedError (expired, bad signature, not ours) with a safe reason. */
export async function verifyUserToken(secret: Uint8Array, token: string, now?: Date): Promise<Identity> {
  return (await verifiedUserToken(secret, token, now)).value;
}

/**
 * verifyUserToken for a server: each token that verifies is kept (by its exact text) until it expires, so the same
 * token sent again is not checked again (functions/auth/verified-tokens.ts).
 */
export function userTokenVerifier(
  secret: Uint8Array,
  options: VerifiedTokensOptions = {},
): (token: string) => Promise<Identity> {
  const verified = new VerifiedTokens<Identity>(options);
  const { now } = options;
  return (token) =>
    verified.verify(token, (text) => verifiedUserToken(secret, text, now ? new Date(now()) : undefined));
}

async function verifiedUserToken(
  secret: Uint8Array,
  token: string,
  now?: Date,
): Promise<{ value: Identity; expiresAt: number }> {
  try {
    const { payload } = await jwtVerify(token, secret, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      ...(now ? { currentDate: now } : {}),
    });
    const value = identityOf(payload.role, payload.code, String(payload.sub ?? 'unknown'));
    return { value, expiresAt: payload.exp ?? Number.NaN };
  } catch (error) {
    if (error instanceof InvalidIdentityError) throw error;
    if (error instanceof errors.JWTExpired) throw new UnauthenticatedError('the token has expired');
    if (error instanceof errors.JOSEError) throw new UnauthenticatedError('the token is not valid');
    throw new UnauthenticatedError(`the token is not valid: ${(error as Error).message}`);
  }
}
