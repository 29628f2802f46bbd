import { randomBytes } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  acceptsGzip,
  answerAbout,
  BROTLI_BEST_UP_TO_BYTES,
  brotliQuality,
  COMPRESS_FROM_BYTES,
  EncodedBody,
  LAMBDA_BODY_LIMIT,
  lambdaResponse,
  matchesEtag,
  preferredCoding,
} from '../../functions/api/compress.ts';

const JSON_TYPE = { 'content-type': 'application/json' };
const large = JSON.stringify({ rows: Array.from({ length: 200 }, (_, i) => ({ code: `U${10000 + i}`, n: i })) });

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

  it.each([
    ['gzip, deflate, br', 'br'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['br;q=0.8, gzip;q=0.8', 'br'],
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['*', 'br'],
    ['gzip;q=0, *', 'br'],
    ['br;q=0, *;q=0.1', 'gzip'],
    ['br;q=0, gzip;q=0', 'identity'],
    ['deflate', 'identity'],
    ['', 'identity'],
    [undefined, 'identity'],
  ] as const)('Accept-Encoding %s: the API sends %s', (header, coding) => {
    expect(preferredCoding(header)).toBe(coding);
  });

  it('makes Brotli at its best quality up to 256 KiB and at quality 5 above (a national document would hold zlib for minutes)', async () => {
    expect(BROTLI_BEST_UP_TO_BYTES).toBe(262_144);
    expect(brotliQuality(262_144)).toBe(11);
    expect(brotliQuality(262_145)).toBe(5);
    // A body one byte over the bound: its Brotli form is exactly what quality 5 writes, and decodes to the body.
    const rows = JSON.stringify({ rows: Array.from({ length: 20_000 }, (_, i) => ({ code: `U${10000 + i}`, n: i })) });
    const body = rows.slice(0, BROTLI_BEST_UP_TO_BYTES + 1);
    const encoded = await EncodedBody.of(body, JSON_TYPE);
    await encoded.brotliReady;
    const sent = encoded.forClient('br');
    expect(sent.coding).toBe('br');
    const expected = brotliCompressSync(Buffer.from(body), {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 5,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    });
    expect(Buffer.from(sent.body).equals(expected)).toBe(true);
    expect(brotliDecompressSync(expected).toString()).toBe(body);
  });

  it('encodes a body once: gzip at once, Brotli after it, each decoding to the body, with one weak entity tag', async () => {
    const encoded = await EncodedBody.of(large, JSON_TYPE);
    expect(Buffer.byteLength(large)).toBeGreaterThan(COMPRESS_FROM_BYTES);
    expect(encoded.etag).toMatch(/^W\/"[A-Za-z0-9_-]{27}"$/);
    await encoded.brotliReady;
    const br = encoded.forClient('gzip, deflate, br');
    const gz = encoded.forClient('gzip');
    const plain = encoded.forClient(undefined);
    expect(br.headers).toEqual({ ...JSON_TYPE, vary: 'accept-encoding', etag: encoded.etag, 'content-encoding': 'br' });
    expect(gz.headers).toEqual({
      ...JSON_TYPE,
      vary: 'accept-encoding',
      etag: encoded.etag,
      'content-encoding': 'gzip',
    });
    expect(plain.headers).toEqual({ ...JSON_TYPE, vary: 'accept-encoding', etag: encoded.etag });
    expect(brotliDecompressSync(br.body).toString()).toBe(large);
    expect(gunzipSync(gz.body).toString()).toBe(large);
    expect(plain.body.toString()).toBe(large);
    expect(br.body.length).toBeLessThan(gz.body.length);
    expect(encoded.bytes).toBe(br.body.length + gz.body.length + plain.body.length);
    // The same bytes every time: nothing is compressed again per request.
    expect(encoded.forClient('br').body).toBe(br.body);
    // Another body, another tag; the same body, the same tag.
    expect((await EncodedBody.of(`${large} `, JSON_TYPE)).etag).not.toBe(encoded.etag);
    expect((await EncodedBody.of(large, JSON_TYPE)).etag).toBe(encoded.etag);
  });

  it('sends gzip to a Brotli client until the Brotli form is made, and tells how many bytes it added', async () => {
    const grown: number[] = [];
    const encoded = await EncodedBody.of(large, JSON_TYPE, (bytes) => grown.push(bytes));
    const before = encoded.bytes;
    expect(encoded.forClient('br, gzip').coding).toBe('gzip');
    expect(encoded.forClient('br').coding).toBe('identity');
    await encoded.brotliReady;
    expect(encoded.forClient('br, gzip').coding).toBe('br');
    expect(grown).toEqual([encoded.forClient('br').body.length]);
    expect(encoded.bytes).toBe(before + (grown[0] as number));
  });

  it('leaves a small body as it is', async () => {
    const encoded = await EncodedBody.of('{"a":1}', JSON_TYPE);
    expect(encoded.forClient('br, gzip')).toEqual({
      coding: 'identity',
      body: Buffer.from('{"a":1}'),
      headers: { ...JSON_TYPE, vary: 'accept-encoding', etag: encoded.etag },
    });
  });

  it("gives the Lambda base64 of the client's coding, and the body as it is otherwise", async () => {
    const encoded = await EncodedBody.of(large, JSON_TYPE);
    await encoded.brotliReady;
    const response = { status: 200, headers: JSON_TYPE, body: large };
    const zipped = lambdaResponse(response, encoded, 'gzip');
    expect(zipped).toMatchObject({ statusCode: 200, isBase64Encoded: true, headers: { 'content-encoding': 'gzip' } });
    expect(gunzipSync(Buffer.from(zipped.body, 'base64')).toString()).toBe(large);
    const br = lambdaResponse(response, encoded, 'gzip, br');
    expect(brotliDecompressSync(Buffer.from(br.body, 'base64')).toString()).toBe(large);
    // Each form is turned into base64 once, and its bytes counted.
    expect(lambdaResponse(response, encoded, 'br').body).toBe(br.body);
    expect(encoded.bytes).toBe(
      large.length +
        encoded.forClient('gzip').body.length +
        encoded.forClient('br').body.length +
        zipped.body.length +
        br.body.length,
    );
    expect(lambdaResponse(response, encoded, undefined)).toEqual({
      statusCode: 200,
      headers: { ...JSON_TYPE, vary: 'accept-encoding', etag: encoded.etag },
      body: large,
    });
    expect(lambdaResponse({ status: 404, headers: JSON_TYPE, body: '{}' }, undefined, 'gzip')).toEqual({
      statusCode: 404,
      headers: JSON_TYPE,
      body: '{}',
    });
  });

  it('an answer over the 6 MB a Lambda response carries is refused with what to ask instead, not left to fail', async () => {
    // 6 MB less 64 kB for the status and headers: 6,291,456 - 65,536 = 6,225,920 bytes, 5.9 MB (MiB, as the messages).
    expect(LAMBDA_BODY_LIMIT).toBe(6_225_920);
    // 7,000,000 bytes of rows that compress well (as the national documents do) and 6,500,000 random bytes that do not.
    const rows = JSON.stringify({ rows: 'x'.repeat(7_000_000 - 11) });
    expect(rows).toHaveLength(7_000_000);
    const response = { status: 200, headers: JSON_TYPE, body: rows };
    const encoded = await EncodedBody.of(rows, JSON_TYPE);
    const filters =
      'add period (a month such as 2026-03, or a financial year such as 2025/26), or level (national, region, icb or pcn) and code (an area of that level) to the query';
    // 7,000,000 bytes and 4 quotes escaped, 2 around: 7,000,006 bytes = 6.68 MiB as the Lambda's JSON string.
    expect(lambdaResponse(response, encoded, undefined)).toEqual({
      statusCode: 406,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: JSON.stringify({
        error: `this answer is 6.7 MB uncompressed, over the 5.9 MB an answer can carry: ask with Accept-Encoding: gzip (browsers do), or ${filters}`,
      }),
    });
    expect(lambdaResponse(response, encoded, 'gzip')).toMatchObject({ statusCode: 200, isBase64Encoded: true });
    const noise = JSON.stringify({ rows: randomBytes(4_875_000).toString('base64') });
    const incompressible = await EncodedBody.of(noise, JSON_TYPE);
    const refused = lambdaResponse({ ...response, body: noise }, incompressible, 'gzip');
    expect(refused.statusCode).toBe(413);
    // 6,500,011 bytes of base64 (gzip keeps ~3/4 of it) are ~4.9 MB gzipped, ~6.5 MB again as base64.
    expect(JSON.parse(refused.body).error).toMatch(
      /^this answer is 6\.\d MB even compressed, over the 5\.9 MB an answer can carry: add period \(/,
    );
    expect(lambdaResponse({ ...response, body: noise }, incompressible, undefined).statusCode).toBe(413);
  });

  it("counts an uncompressed body as the Lambda's JSON string carries it: escaped quotes included (review 24, R24-6)", async () => {
    // 550,000 rows {"a":"b"}: 9 + 550,000 x 9 + 549,999 commas + 2 = 5,500,010 bytes, under 6,225,920; its
    // 2 + 550,000 x 4 = 2,200,002 quotes are escaped in the response, and 2 quotes go around it: 7,700,014 bytes,
    // 7.34 MiB, over. Sent as it was, the invocation failed (a bare 502); it is refused, gzip suggested (it fits).
    const body = JSON.stringify({ rows: Array.from({ length: 550_000 }, () => ({ a: 'b' })) });
    expect(body).toHaveLength(5_500_010);
    const encoded = await EncodedBody.of(body, JSON_TYPE);
    const about = answerAbout('/api/metrics/rollout', new URLSearchParams('level=region'));
    expect(lambdaResponse({ status: 200, headers: JSON_TYPE, body }, encoded, undefined, about)).toEqual({
      statusCode: 406,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: JSON.stringify({
        error:
          '/api/metrics/rollout is 7.3 MB uncompressed, over the 5.9 MB an answer can carry: ask with Accept-Encoding: gzip (browsers do), or add period (a month such as 2026-03, or a financial year such as 2025/26), or code (one area of that level) to the query',
      }),
    });
    // Gzipped it is a few kB: sent as it is to a browser.
    expect(lambdaResponse({ status: 200, headers: JSON_TYPE, body }, encoded, 'gzip', about).statusCode).toBe(200);
  });

  it('names the document and only the filters still to add, never a value asked for', async () => {
    const noise = JSON.stringify({ rows: randomBytes(4_875_000).toString('base64') });
    const encoded = await EncodedBody.of(noise, JSON_TYPE);
    const refusal = (path: string, query: string) =>
      JSON.parse(
        lambdaResponse(
          { status: 200, headers: JSON_TYPE, body: noise },
          encoded,
          'gzip',
          answerAbout(path, new URLSearchParams(query)),
        ).body,
      ).error.replace(/^(\S+) is \d\.\d MB even compressed, over the 5\.9 MB an answer can carry: /, '$1: ');
    expect(refusal('/api/metrics/wellbeing', '')).toBe(
      '/api/metrics/wellbeing: add period (a month such as 2026-03, or a financial year such as 2025/26), or level (national, region, icb or pcn) and code (an area of that level) to the query',
    );
    expect(refusal('/api/metrics/wellbeing.csv', 'period=2025/26')).toBe(
      '/api/metrics/wellbeing.csv: add level (national, region, icb or pcn) and code (an area of that level) to the query',
    );
    expect(refusal('/api/metrics/equity', 'level=pcn&period=2025/26')).toBe(
      '/api/metrics/equity: add code (one area of that level) to the query',
    );
    expect(refusal('/api/metrics/equity', 'level=pcn&code=U12345&period=all&period_type=month')).toBe(
      '/api/metrics/equity: ask for a shorter period or a smaller area',
    );
    // Not a metric route: no name to give.
    expect(refusal('/api/meta', '')).toMatch(/^this answer is \d\.\d MB even compressed, .*: add period \(/);
    expect(answerAbout('/api/metrics/Wellbeing', new URLSearchParams())).toBeUndefined();
    expect(
      answerAbout('/api/metrics/wellbeing.csv', new URLSearchParams('code=Y56&nhs=9434765919&level=region')),
    ).toEqual({
      document: 'wellbeing',
      csv: true,
      filters: new Set(['level', 'code']),
    });
  });

  it.each([
    ['W/"abc"', true],
    ['"abc"', true],
    ['"x", W/"abc"', true],
    ['*', true],
    ['W/"abd"', false],
    ['', false],
    [undefined, false],
  ])('If-None-Match %s matches W/"abc": %s', (header, matches) => {
    expect(matchesEtag(header, 'W/"abc"')).toBe(matches);
  });
});
