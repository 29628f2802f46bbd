import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { cognitoVerifier } from '../../functions/auth/cognito.ts';

/**
 * A stand-in for a Cognito user pool's signing key, so that tests run aws-jwt-verify's real verification offline:
 * tokens carry the claims Cognito puts in an access token, and the verifier is given the pool's JWKS up front.
 */
export const USER_POOL_ID = 'eu-west-2_TestPool1';
export const CLIENT_ID = 'testclient0123456789';
const ISSUER = `https://cognito-idp.eu-west-2.amazonaws.com/${USER_POOL_ID}`;

export async function testUserPool() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  const verifier = cognitoVerifier(USER_POOL_ID, CLIENT_ID, { keys: [jwk] } as never);
  const accessToken = (
    groups: string[],
    options: { username?: string; expiresIn?: number; issuer?: string; clientId?: string } = {},
  ) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      'cognito:groups': groups,
      client_id: options.clientId ?? CLIENT_ID,
      token_use: 'access',
      scope: 'openid',
      username: options.username ?? 'test-user',
      auth_time: now,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key-1' })
      .setSubject('7a1c0000-0000-4000-8000-000000000001')
      .setIssuer(options.issuer ?? ISSUER)
      .setIssuedAt(now - 10)
      .setExpirationTime(now + (options.expiresIn ?? 3600))
      .sign(privateKey);
  };
  return { verifier, accessToken, jwks: { keys: [jwk] } };
}
