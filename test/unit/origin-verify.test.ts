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
  });
});
