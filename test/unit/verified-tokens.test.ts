import { describe, expect, it } from 'vitest';
import { issueUserToken, userTokenVerifier } from '../../functions/auth/local-tokens.ts';
import { identityOf, UnauthenticatedError } from '../../functions/auth/scope.ts';
import { VerifiedTokens } from '../../functions/auth/verified-tokens.ts';

describe('verified tokens kept by their exact text until they expire', () => {
  it('verifies a token once while it lasts, again from its expiry, and never keeps a refusal', async () => {
    // Prepare: a verifier that counts its calls; token "a" expires at 1,000 s, "b" is refused.
    let now = 0;
    const calls: string[] = [];
    const tokens = new VerifiedTokens<string>({ now: () => now });
    const verify = async (token: string) => {
      calls.push(token);
      if (token === 'b') throw new UnauthenticatedError('the token is not valid');
      return { value: `identity of ${token}`, expiresAt: 1_000 };
    };

    // Act and assess: three asks of "a" before its expiry, one verification.
    for (now of [0, 500_000, 999_999]) expect(await tokens.verify('a', verify)).toBe('identity of a');
    expect(calls).toEqual(['a']);
    // From its expiry it is verified again (the verifier decides; here it still answers, so it is not kept).
    now = 1_000_000;
    expect(await tokens.verify('a', verify)).toBe('identity of a');
    expect(calls).toEqual(['a', 'a']);
    expect(tokens.size).toBe(0);
    // A refused token is refused each time it is sent, each time by the verifier.
    now = 0;
    await expect(tokens.verify('b', verify)).rejects.toThrow('the token is not valid');
    await expect(tokens.verify('b', verify)).rejects.toThrow('the token is not valid');
    expect(calls).toEqual(['a', 'a', 'b', 'b']);
    expect(tokens.size).toBe(0);
  });

  it('keeps at most maxEntries tokens, dropping the longest kept first', async () => {
    const calls: string[] = [];
    const tokens = new VerifiedTokens<string>({ maxEntries: 2, now: () => 0 });
    const verify = async (token: string) => {
      calls.push(token);
      return { value: token, expiresAt: 60 };
    };
    for (const token of ['x', 'y', 'z', 'y', 'x']) await tokens.verify(token, verify);
    // z pushed x out; y stayed; x came back and pushed y out.
    expect(calls).toEqual(['x', 'y', 'z', 'x']);
    expect(tokens.size).toBe(2);
  });

  it('the local server’s verifier: a kept token is refused once it expires, and a changed byte is checked afresh', async () => {
    const secret = new Uint8Array(32).fill(7);
    const issued = new Date('2026-12-01T10:00:00Z');
    const token = await issueUserToken(secret, identityOf('icb', 'QWE', 'tester'), {
      expiresInSeconds: 60,
      now: issued,
    });
    let now = issued.getTime();
    const verify = userTokenVerifier(secret, { now: () => now });
    expect(await verify(token)).toEqual({ role: 'icb', code: 'QWE', subject: 'tester' });
    now += 59_999;
    expect(await verify(token)).toEqual({ role: 'icb', code: 'QWE', subject: 'tester' });
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'AB' : 'AA'}`;
    await expect(verify(tampered)).rejects.toThrow('the token is not valid');
    now += 1;
    await expect(verify(token)).rejects.toThrow('the token has expired');
  });
});
