import { describe, expect, it } from 'vitest';
import { fromCloudFront, ORIGIN_VERIFY_HEADER } from '../../functions/auth/origin-verify.ts';

// Review 13, R13-6: the header CloudFront adds, compared in constant time.
describe('fromCloudFront', () => {
  const secret = 'Zq3v9K2mP8xW4tR7nB5cY1hL6dF0sJ3a';
  it('is true only for exactly the secret, under the lower-case name API Gateway (v2) gives headers', () => {
    expect(ORIGIN_VERIFY_HEADER).toBe('x-origin-verify');
    expect(fromCloudFront({ 'x-origin-verify': secret }, secret)).toBe(true);
    for (const sent of [secret.toLowerCase(), `${secret} `, secret.slice(1), '', `${secret}${secret}`])
      expect(fromCloudFront({ 'x-origin-verify': sent }, secret)).toBe(false);
    expect(fromCloudFront({ 'X-Origin-Verify': secret }, secret)).toBe(false);
    expect(fromCloudFront({}, secret)).toBe(false);
    expect(fromCloudFront(undefined, secret)).toBe(false);
  });

  it('an empty expected secret matches nothing, an empty header included', () => {
    expect(fromCloudFront({ 'x-origin-verify': '' }, '')).toBe(false);
    expect(fromCloudFront({ 'x-origin-verify': '' }, ['', undefined])).toBe(false);
  });

  // Review 18, R18-2: the current value and, while it is being changed, the previous one.
  it('with the current and the previous value, is true for exactly either; an unset previous value adds nothing', () => {
    const previous = 'Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk';
    expect(fromCloudFront({ 'x-origin-verify': secret }, [secret, previous])).toBe(true);
    expect(fromCloudFront({ 'x-origin-verify': previous }, [secret, previous])).toBe(true);
    expect(fromCloudFront({ 'x-origin-verify': previous }, [secret, undefined])).toBe(false);
    for (const sent of [`${secret}${previous}`, previous.slice(1), secret.toLowerCase(), '', 'x'])
      expect(fromCloudFront({ 'x-origin-verify': sent }, [secret, previous])).toBe(false);
    expect(fromCloudFront({}, [secret, previous])).toBe(false);
  });
});
