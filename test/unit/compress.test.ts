import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  acceptsGzip,
  COMPRESS_FROM_BYTES,
  compressResponse,
  encodeForClient,
  gzipped,
} from '../../functions/api/compress.ts';

describe('response compression', () => {
  it.each([
    ['gzip, deflate, br', true],
    ['br;q=1.0, gzip;q=0.8', true],
    ['GZIP', true],
    ['*', true],
    ['gzip;q=0', false],
    ['deflate, br', false],
    ['', false],
    [undefined, false],
  ])('Accept-Encoding %s allows gzip: %s', (header, allowed) => {
    expect(acceptsGzip(header)).toBe(allowed);
  });

  it('leaves a small body as it is and gzips a large one into base64', () => {
    const small = { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"a":1}' };
    expect(compressResponse(small, 'gzip')).toEqual({
      ...small,
      headers: { ...small.headers, vary: 'accept-encoding' },
    });
    const body = JSON.stringify({ rows: Array.from({ length: 200 }, (_, i) => ({ code: `U${10000 + i}`, n: i })) });
    expect(Buffer.byteLength(body)).toBeGreaterThan(COMPRESS_FROM_BYTES);
    const zipped = compressResponse({ ...small, body }, 'gzip');
    expect(zipped.isBase64Encoded).toBe(true);
    expect(zipped.headers).toEqual({
      'content-type': 'application/json',
      vary: 'accept-encoding',
      'content-encoding': 'gzip',
    });
    expect(gunzipSync(Buffer.from(zipped.body, 'base64')).toString()).toBe(body);
    expect(zipped.body.length).toBeLessThan(body.length / 3);
  });

  it('gives the local server a gzipped body only when the client accepts it, gzipping each body once', () => {
    const body = JSON.stringify({ rows: Array.from({ length: 200 }, (_, i) => ({ code: `U${10000 + i}`, n: i })) });
    const response = { headers: { 'content-type': 'application/json' }, body };
    const plain = encodeForClient(response, 'br');
    expect(plain).toEqual({ headers: { 'content-type': 'application/json', vary: 'accept-encoding' }, body });
    const zipped = encodeForClient(response, 'gzip, br');
    expect(zipped.headers).toEqual({
      'content-type': 'application/json',
      vary: 'accept-encoding',
      'content-encoding': 'gzip',
    });
    expect(gunzipSync(zipped.body as Buffer).toString()).toBe(body);
    // The same body again is not gzipped again: the very same bytes come back.
    expect(encodeForClient(response, 'gzip').body).toBe(zipped.body);
    expect(gzipped(`${body} `)).not.toBe(zipped.body);
    expect(encodeForClient({ ...response, body: '{"a":1}' }, 'gzip').body).toBe('{"a":1}');
  });
});
