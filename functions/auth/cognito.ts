import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { type Identity, InvalidIdentityError, identityOf, UnauthenticatedError } from './scope.ts';

/**
 * In AWS, users sign in with Cognito; their role is their one group: `national`, `region-Y56`, `icb-QWE` or
 * `pcn-U12345` (README, "Roles"). The API Lambda verifies the access token itself with aws-jwt-verify, so scope
 * never rests on the gateway alone.
 */
export function identityFromGroups(groups: unknown, subject: string): Identity {
  const list = Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [];
  const scoped = list.filter((g) => /^(national|region-|icb-|pcn-)/.test(g));
  if (scoped.length !== 1)
    throw new InvalidIdentityError(
      scoped.length === 0 ? 'the user is in no role group' : 'the user is in more than one role group',
    );
  const [role, code] = (scoped[0] as string).split('-') as [string, string | undefined];
  return identityOf(role, code, subject);
}

export type AccessTokenVerifier = { verify(token: string): Promise<Record<string, unknown>> };

/** Verifies Cognito access tokens; the user pool's JWKS is fetched once and cached (or given, for tests offline). */
export function cognitoVerifier(
  userPoolId: string,
  clientId: string,
  jwks?: Parameters<ReturnType<typeof CognitoJwtVerifier.create>['cacheJwks']>[0],
): AccessTokenVerifier {
  const verifier = CognitoJwtVerifier.create({ userPoolId, clientId, tokenUse: 'access' });
  if (jwks) verifier.cacheJwks(jwks);
  return { verify: (token) => verifier.verify(token) as unknown as Promise<Record<string, unknown>> };
}

/** The caller's identity from an Authorization header, or the reason it was refused. */
export async function identityFromBearer(
  verifier: AccessTokenVerifier,
  authorization: string | undefined,
): Promise<Identity> {
  const token = /^Bearer ([\w.-]+)$/.exec(authorization ?? '')?.[1];
  if (!token) throw new UnauthenticatedError('sign in: no bearer token');
  let claims: Record<string, unknown>;
  try {
    claims = await verifier.verify(token);
  } catch {
    throw new UnauthenticatedError('the token is not valid or has expired');
  }
  return identityFromGroups(claims['cognito:groups'], String(claims.username ?? claims.sub ?? 'unknown'));
}
