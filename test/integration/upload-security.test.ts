import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Uploader } from '../../cli/commands/upload.ts';
import { LOCAL_POST_PATH, type LocalStack } from '../../cli/server.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { PcnTokenRegistry } from '../../functions/upload/pcn-tokens.ts';
import { newKey, personIdFor } from '../../functions/upload/pseudonymise.ts';
import type { UploadGrant } from '../../functions/upload/upload-api.ts';
import { CONTACT_COLUMNS, contactRow, csvText, tempDir } from '../support/files.ts';
import { startTestServer } from '../support/local-stack.ts';

/**
 * Every refusal of the upload path on the real local server, each with its status and no side effect: nothing new
 * under landing/, curated/ or receipts/ unless the test says so.
 */
const dir = tempDir('upload-security');
const dataDir = join(dir.path, 'data');
const store = new FsObjectStore(dataDir);
const MAX = 20_000;
let stack: LocalStack;
let tokenA: string;
let tokenB: string;
const A = 'U00001';
const B = 'U00002';
const keyA = newKey(A);

const HEADER = CONTACT_COLUMNS;
const contactFile = (pcn: string, person = 'a'.repeat(64), rows = 2) =>
  csvText(
    HEADER,
    Array.from({ length: rows }, (_, i) => contactRow({ event_id: `E${i}`, pcn_code: pcn, person_id: person })),
  );

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const announce = (text: string, pcn = A) => ({
  pcn_code: pcn,
  kind: 'events',
  format: 'csv',
  compressed: false,
  bytes: Buffer.byteLength(text),
  sha256: sha(text),
});

async function api(method: string, path: string, token: string | undefined, body?: unknown) {
  const response = await fetch(`${stack.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function postForm(url: string, fields: Record<string, string>, file: string) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([file]), 'upload.csv');
  const response = await fetch(url, { method: 'POST', body: form });
  return { status: response.status, text: await response.text() };
}

const everything = () => store.list('');
/** What a request could leave behind (the refresh after an ingest writes metrics/ and curated/uploads/ too). */
const data = async () =>
  (await everything()).filter((key) =>
    ['landing/', 'receipts/', 'quarantine/', 'curated/events/', 'curated/workforce/'].some((p) => key.startsWith(p)),
  );

beforeAll(async () => {
  stack = await startTestServer(dataDir, { maxUploadBytes: MAX });
  const registry = new PcnTokenRegistry(store);
  tokenA = (await registry.create(A, { expiresInDays: 30 })).token;
  tokenB = (await registry.create(B, { expiresInDays: 30 })).token;
});
afterAll(async () => {
  // The graceful stop: the landed uploads' ingest and the refresh after it end before the folder is removed (with the
  // HTTP server's close alone, they wrote curated/ into a folder already removed, and it stayed behind).
  await stack?.close();
  dir.remove();
});

describe('the upload API refuses, with the right status and no side effect', () => {
  it('an upload announced for another PCN than the token’s (403)', async () => {
    const before = await data();
    const response = await api('POST', '/api/uploads', tokenA, announce(contactFile(B), B));
    expect(response).toEqual({ status: 403, body: { error: `this token uploads for ${A} only, not ${B}` } });
    expect(await data()).toEqual(before);
  });

  it('another PCN’s receipt looks exactly like a missing one (404), and its uploads cannot be listed', async () => {
    const file = contactFile(A);
    const grant = (await api('POST', '/api/uploads', tokenA, announce(file))).body as unknown as UploadGrant;
    expect((await postForm(grant.post.url, grant.post.fields, file)).status).toBe(204);
    await stack.pipeline.idle();
    expect((await api('GET', `/api/uploads/${grant.upload_id}`, tokenA)).status).toBe(200);
    const other = await api('GET', `/api/uploads/${grant.upload_id}`, tokenB);
    const missing = await api('GET', `/api/uploads/${A}-${'0'.repeat(32)}`, tokenA);
    expect(other).toEqual({ status: 404, body: { error: 'no upload of yours with this id' } });
    expect(missing).toEqual(other);
    expect((await api('GET', '/api/uploads', tokenB)).status).toBe(405);
  });

  it('rows carrying another PCN’s code: landed, then rejected whole at ingest; nothing reaches curated/', async () => {
    const file = contactFile(B);
    const grant = (await api('POST', '/api/uploads', tokenA, announce(file))).body as unknown as UploadGrant;
    expect((await postForm(grant.post.url, grant.post.fields, file)).status).toBe(204);
    await stack.pipeline.idle();
    const receipt = await api('GET', `/api/uploads/${grant.upload_id}`, tokenA);
    expect(receipt.body).toMatchObject({
      status: 'rejected',
      file_error: { code: 'wrong_pcn' },
      outputs: { curated: [] },
    });
    expect((await store.list('curated/')).filter((k) => k.includes(grant.upload_id))).toEqual([]);
  });

  it.each([
    ['no token', () => undefined, 'a PCN upload token is required (Authorization: Bearer spu_...)'],
    ['a made-up token', () => `spu_${'0'.repeat(16)}_${'A'.repeat(43)}`, 'the upload token is not valid'],
    [
      'a tampered token (one character of the secret changed)',
      () => `${tokenA.slice(0, -1)}${tokenA.endsWith('A') ? 'B' : 'A'}`,
      'the upload token is not valid',
    ],
    [
      'a token with another token’s id',
      () => `spu_${tokenB.slice(4, 20)}_${tokenA.slice(21)}`,
      'the upload token is not valid',
    ],
    [
      'a dashboard sign-in token',
      () => 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln',
      'a PCN upload token is required (Authorization: Bearer spu_...)',
    ],
  ])('%s (401)', async (_, token, message) => {
    const before = await data();
    for (const [method, path, body] of [
      ['POST', '/api/uploads', announce(contactFile(A))],
      ['GET', `/api/uploads/${A}-${'0'.repeat(32)}`, undefined],
    ] as const) {
      expect(await api(method, path, token(), body)).toEqual({ status: 401, body: { error: message } });
    }
    expect(await data()).toEqual(before);
  });

  it('an expired token, and a revoked one from the very next request (401)', async () => {
    const registry = new PcnTokenRegistry(store, () => new Date(Date.now() - 40 * 86_400_000));
    const old = (await registry.create('U00003', { expiresInDays: 30 })).token;
    expect(await api('POST', '/api/uploads', old, announce(contactFile('U00003'), 'U00003'))).toEqual({
      status: 401,
      body: { error: 'the upload token has expired' },
    });
    const fresh = await new PcnTokenRegistry(store).create('U00004', { expiresInDays: 30 });
    const file = contactFile('U00004');
    expect((await api('POST', '/api/uploads', fresh.token, announce(file, 'U00004'))).status).toBe(201);
    await new PcnTokenRegistry(store).revoke(fresh.record.token_id);
    const before = await data();
    expect(await api('POST', '/api/uploads', fresh.token, announce(file, 'U00004'))).toEqual({
      status: 401,
      body: { error: 'the upload token has been revoked' },
    });
    expect(await data()).toEqual(before);
  });

  it('a presigned POST used for another key, a larger body, or with its policy changed (403)', async () => {
    const file = contactFile(A, 'b'.repeat(64));
    const grant = (await api('POST', '/api/uploads', tokenA, announce(file))).body as unknown as UploadGrant;
    const before = await data();
    const otherKey = { ...grant.post.fields, key: `landing/pcn=${B}/${B}-${'1'.repeat(32)}.csv` };
    expect(await postForm(grant.post.url, otherKey, file)).toEqual({
      status: 403,
      text: JSON.stringify({ error: 'the key is not the one the policy grants' }),
    });
    expect(await postForm(grant.post.url, grant.post.fields, `${file}E9,contact,${A}`)).toEqual({
      status: 403,
      text: JSON.stringify({ error: 'the file size is outside the policy content-length-range' }),
    });
    const policy = JSON.parse(Buffer.from(grant.post.fields.policy as string, 'base64url').toString());
    const widened = Buffer.from(JSON.stringify({ ...policy, bytes: policy.bytes + 50 })).toString('base64url');
    expect(
      (await postForm(grant.post.url, { ...grant.post.fields, policy: widened }, `${file}${'x'.repeat(50)}`)).status,
    ).toBe(403);
    expect(await data()).toEqual(before);
  });

  it.each([
    ['pcn_code', { pcn_code: `../${A}` }, 'pcn_code: must be U followed by 5 digits'],
    ['sha256', { sha256: `../../metrics/meta.json${'0'.repeat(41)}` }, 'sha256: must be 64 lower-case hex digits'],
    [
      'an extra file name',
      { file_name: '../../metrics/meta.json' },
      'the body has a field that is not one of pcn_code, kind, format, compressed, bytes, sha256, md5',
    ],
    // A key might itself be personal: it is counted, never named.
    [
      'two extra keys, one an NHS number',
      { '943 476 5919': 'x', 'Jane Smith': 'y' },
      'the body has 2 fields that are not one of pcn_code, kind, format, compressed, bytes, sha256, md5',
    ],
  ])('path traversal through %s (400)', async (_, change, message) => {
    const before = await data();
    const response = await api('POST', '/api/uploads', tokenA, { ...announce(contactFile(A)), ...change });
    expect(response).toEqual({ status: 400, body: { error: message } });
    expect(await data()).toEqual(before);
  });

  it.each([
    `/api/uploads/..%2F..%2Freceipts%2F${A}-${'0'.repeat(32)}`,
    `/api/uploads/..%252F${A}-${'0'.repeat(32)}`,
    `/api/uploads/${A}-${'0'.repeat(32)}%2F..%2F..`,
    `/api/uploads/${A}-${'0'.repeat(31)}%00`,
  ])('path traversal in a receipt id %s (404)', async (path) => {
    expect(await api('GET', path, tokenA)).toEqual({ status: 404, body: { error: 'no upload of yours with this id' } });
  });

  it('path traversal in the form’s key, even with a valid policy (403), and an unsigned form (403)', async () => {
    const file = contactFile(A, 'c'.repeat(64));
    const grant = (await api('POST', '/api/uploads', tokenA, announce(file))).body as unknown as UploadGrant;
    const before = await data();
    for (const key of [
      `${grant.key}/../../../metrics/meta.json`,
      'landing/pcn=U00001/%2e%2e/%2e%2e/metrics/meta.json',
    ]) {
      expect((await postForm(grant.post.url, { ...grant.post.fields, key }, file)).status).toBe(403);
    }
    expect((await postForm(`${stack.url}${LOCAL_POST_PATH}`, { key: grant.key }, file)).status).toBe(403);
    expect(await data()).toEqual(before);
  });

  it('an oversized file: refused when announced (413) and when sent regardless (413)', async () => {
    const before = await data();
    const big = contactFile(A, 'd'.repeat(64), 1000);
    expect(Buffer.byteLength(big)).toBeGreaterThan(MAX + 64 * 1024);
    expect(await api('POST', '/api/uploads', tokenA, announce(big))).toEqual({
      status: 413,
      body: { error: `the file is larger than the ${MAX} bytes allowed` },
    });
    const small = contactFile(A, 'e'.repeat(64));
    const grant = (await api('POST', '/api/uploads', tokenA, announce(small))).body as unknown as UploadGrant;
    expect((await postForm(grant.post.url, grant.post.fields, big)).status).toBe(413);
    expect(await data()).toEqual(before);
  });
});

describe('the uploader refuses on the PCN’s machine, before sending anything', () => {
  const uploader = () =>
    new Uploader({
      server: stack.url,
      token: tokenA,
      key: keyA,
      retries: 0,
      receiptTimeoutMs: 5_000,
      pollIntervalMs: 50,
      log: () => {},
    });
  const extractHeader = HEADER.map((h) => (h === 'person_id' ? 'nhs_number' : h));
  const extract = (numbers: string[]) =>
    csvText(
      extractHeader,
      numbers.map((number, i) =>
        extractHeader.map(
          (h) =>
            ({
              event_id: `X${i}`,
              event_type: 'contact',
              pcn_code: A,
              referral_id: `R${i}`,
              nhs_number: number,
              occurred_on: '2026-09-01',
              contact_mode: 'video',
              worker_role: 'splw',
              duration_minutes: '45',
            })[h] ?? '',
        ),
      ),
    );

  it('an extract with an invalid NHS number: nothing is sent; the row is named, the number never shown', async () => {
    const before = await data();
    const path = join(dir.path, 'bad-number.csv');
    writeFileSync(path, extract(['9434765919', '9434765918']));
    const outcome = await uploader().send(path);
    expect(outcome).toMatchObject({ status: 'rejected', exit_code: 1 });
    expect(outcome.error).toBe(
      'nothing was sent: 1 rows have a missing or invalid NHS number; fix the extract and send it again. row 3: is not a valid NHS number (10 digits passing the modulus 11 check) (invalid_nhs_number)',
    );
    expect(await data()).toEqual(before);
  });

  it('a file holding raw NHS numbers in person_id, not pseudonymised: refused here; and if sent anyway, deleted', async () => {
    const raw = contactFile(A, '9434765919');
    const path = join(dir.path, 'raw.csv');
    writeFileSync(path, raw);
    const before = await data();
    const outcome = await uploader().send(path);
    expect(outcome).toMatchObject({
      status: 'rejected',
      checked_locally: true,
      receipt: { file_error: { code: 'identifiable_data', row: 2, field: 'person_id' } },
    });
    expect(await data()).toEqual(before);

    // A client that skips the checks: the server refuses the file whole, keeps only the receipt, and no value.
    const grant = (await api('POST', '/api/uploads', tokenA, announce(raw))).body as unknown as UploadGrant;
    expect((await postForm(grant.post.url, grant.post.fields, raw)).status).toBe(204);
    await stack.pipeline.idle();
    const receipt = await api('GET', `/api/uploads/${grant.upload_id}`, tokenA);
    expect(receipt.body).toMatchObject({ status: 'rejected', file_error: { code: 'identifiable_data' } });
    expect(await data()).toEqual([...before, `receipts/${grant.upload_id}.json`].sort());
    expect(JSON.stringify(receipt.body)).not.toContain('9434765919');
  });

  it('a UTF-16 file (Excel\'s "Unicode Text"): refused here for its encoding, or as identifying when it holds an NHS number; nothing sent', async () => {
    const before = await data();
    const unicodeText = (rows: string[][]) =>
      Buffer.from(`\uFEFF${[HEADER, ...rows].map((row) => row.join('\t')).join('\r\n')}\r\n`, 'utf16le');
    const plain = join(dir.path, 'unicode-text.txt');
    writeFileSync(plain, unicodeText([contactRow({ pcn_code: A })]));
    expect(await uploader().send(plain)).toMatchObject({
      status: 'rejected',
      checked_locally: true,
      receipt: {
        file_error: {
          code: 'not_utf8',
          message: 'the file is UTF-16 text (Excel\'s "Unicode Text"), not UTF-8: save it as "CSV UTF-8"',
        },
      },
    });
    const holding = join(dir.path, 'unicode-text-nhs.txt');
    writeFileSync(
      holding,
      unicodeText([
        contactRow({ pcn_code: A }),
        contactRow({ pcn_code: A, event_id: 'E2', worker_role: '(943) 476-5919' }),
      ]),
    );
    const outcome = await uploader().send(holding);
    expect(outcome).toMatchObject({
      status: 'rejected',
      checked_locally: true,
      receipt: { file_error: { code: 'identifiable_data', row: 3 } },
    });
    expect(JSON.stringify(outcome)).not.toMatch(/943|476|5919/);
    expect(await data()).toEqual(before);
  });

  it('rows carrying another PCN’s code: refused here, nothing sent', async () => {
    const path = join(dir.path, 'wrong-pcn.csv');
    writeFileSync(path, extract(['9434765919']).replaceAll(`,${A},`, `,${B},`));
    const before = await data();
    const outcome = await uploader().send(path);
    expect(outcome).toMatchObject({
      status: 'rejected',
      checked_locally: true,
      receipt: { file_error: { code: 'wrong_pcn' } },
    });
    expect(await data()).toEqual(before);
  });

  it('a good extract goes through, and person_id is the HMAC under the PCN key', async () => {
    const path = join(dir.path, 'good.csv');
    writeFileSync(path, extract(['9434765919', '4010232137']));
    const outcome = await uploader().send(path);
    expect(outcome.receipt?.errors).toEqual([]);
    expect(outcome).toMatchObject({ status: 'accepted', exit_code: 0, receipt: { rows: { read: 2, accepted: 2 } } });
    const landed = await store.get(outcome.receipt?.source.key as string);
    const text = new TextDecoder().decode(landed);
    expect(text).toContain(personIdFor(keyA, '9434765919'));
    expect(text).not.toContain('9434765919\n');
  });
});
