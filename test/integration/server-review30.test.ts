import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_POST_PATH, type LocalStack } from '../../cli/server.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { PcnTokenRegistry } from '../../functions/upload/pcn-tokens.ts';
import type { UploadGrant } from '../../functions/upload/upload-api.ts';
import { CONTACT_COLUMNS, contactRow, csvText, tempDir } from '../support/files.ts';
import { startTestServer } from '../support/local-stack.ts';
import { openSocket, rawGet, rawRequest } from '../support/raw-http.ts';

/**
 * Review 30 on the local server: a multipart body cut before its closing boundary (R30-1, it stopped the process), a
 * chunked upload request over 64 KB (R30-8, answered 500), a form refused for a long field before its file (R30-9, the
 * file's head left in .tmp), and one PCN's token holding every upload slot (R30-5).
 */
const dir = tempDir('server-review30');
const dataDir = join(dir.path, 'data');
const store = new FsObjectStore(dataDir);
const lines: string[] = [];
let stack: LocalStack;
let port: number;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  stack = await startTestServer(dataDir, {
    maxConcurrentUploads: 8,
    maxUploadsPerPcn: 2,
    log: (line) => lines.push(line),
  });
  port = Number(new URL(stack.url).port);
  const registry = new PcnTokenRegistry(store);
  for (const pcn of ['U00001', 'U00002']) tokens[pcn] = (await registry.create(pcn, { expiresInDays: 1 })).token;
});
afterAll(async () => {
  await stack.close();
  dir.remove();
});

const digest = (algorithm: string, body: string | Buffer, encoding: 'hex' | 'base64') =>
  createHash(algorithm).update(body).digest(encoding);

async function grantFor(body: string, pcn = 'U00001'): Promise<UploadGrant> {
  const response = await fetch(`${stack.url}/api/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens[pcn]}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      pcn_code: pcn,
      kind: 'events',
      format: 'csv',
      compressed: false,
      bytes: Buffer.byteLength(body),
      sha256: digest('sha256', body, 'hex'),
      md5: digest('md5', body, 'base64'),
    }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as UploadGrant;
}

const BOUNDARY = 'XB';
const fieldParts = (fields: Readonly<Record<string, string>>) =>
  Object.entries(fields)
    .map(([name, value]) => `--${BOUNDARY}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join('');
const filePart = (name = 'file') =>
  `--${BOUNDARY}\r\ncontent-disposition: form-data; name="${name}"; filename="a.csv"\r\n\r\n`;
/** A POST to the local S3 stand-in whose Content-Length is exactly the body given (however it ends). */
const postOf = (body: string) =>
  `POST ${LOCAL_POST_PATH} HTTP/1.1\r\nhost: localhost:${port}\r\n` +
  `content-type: multipart/form-data; boundary=${BOUNDARY}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
  `connection: close\r\n\r\n${body}`;
const whole = (fields: Readonly<Record<string, string>>, file: string) =>
  postOf(`${fieldParts(fields)}${filePart()}${file}\r\n--${BOUNDARY}--\r\n`);

const tempFiles = () => {
  try {
    return readdirSync(join(dataDir, '.tmp')).filter((name) => name.startsWith('upload-'));
  } catch {
    return [];
  }
};
const alive = async () => (await rawGet(port, '/api/me')).status;

describe('R30-1: a multipart body that ends before its closing boundary is refused 400, and the server goes on', () => {
  it('no token, a file part not named "file", cut short (the reviewer’s 120 bytes)', async () => {
    const answer = await rawRequest(port, postOf(`${filePart('x')}hello`));
    expect([answer.status, JSON.parse(answer.body)]).toEqual([400, { error: 'the upload was cut short' }]);
    expect(await alive()).toBe(200);
  });

  it('a genuine grant, its file part cut short (a client that stops mid-file but closes the body cleanly)', async () => {
    const file = csvText(CONTACT_COLUMNS, [contactRow()]);
    const grant = await grantFor(file);
    const answer = await rawRequest(port, postOf(`${fieldParts(grant.post.fields)}${filePart()}${file.slice(0, 20)}`));
    expect([answer.status, JSON.parse(answer.body)]).toEqual([400, { error: 'the upload was cut short' }]);
    expect(await alive()).toBe(200);
    // The slot and the key were given back: the same grant, sent whole, lands.
    expect((await rawRequest(port, whole(grant.post.fields, file))).status).toBe(204);
    expect(tempFiles()).toEqual([]);
    await stack.pipeline.idle();
  });
});

describe('R30-8: a chunked upload request body over 64 KB', () => {
  it('is answered 413 with its reason, not 500, and no server fault is logged', async () => {
    const body = 'a'.repeat(70_000);
    const chunked = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    const answer = await rawRequest(
      port,
      `POST /api/uploads HTTP/1.1\r\nhost: localhost:${port}\r\nauthorization: Bearer ${tokens.U00001}\r\n` +
        `content-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n${chunked}`,
    );
    expect([answer.status, JSON.parse(answer.body)]).toEqual([
      413,
      { error: 'the request is larger than 65536 bytes' },
    ]);
    expect(lines.filter((line) => line.includes('request failed'))).toEqual([]);
    expect(await alive()).toBe(200);
  });
});

describe('R30-9: a form refused for a long field before its file part', () => {
  it('opens no temporary file for the file that follows', async () => {
    const file = csvText(CONTACT_COLUMNS, [contactRow({ event_id: 'E9' })]);
    const grant = await grantFor(file);
    const answer = await rawRequest(port, whole({ junk: 'j'.repeat(9000), ...grant.post.fields }, file));
    expect([answer.status, JSON.parse(answer.body)]).toEqual([400, { error: 'a form field is too long' }]);
    // A whole upload after it, answered, is the point by which a temporary file opened for the refused form exists.
    const next = csvText(CONTACT_COLUMNS, [contactRow({ event_id: 'E10' })]);
    expect((await rawRequest(port, whole((await grantFor(next)).post.fields, next))).status).toBe(204);
    expect(tempFiles()).toEqual([]);
    await stack.pipeline.idle();
  });
});

describe('R30-5: one PCN cannot hold every upload slot', () => {
  it('past its share one PCN is answered 503, while another PCN’s upload lands', async () => {
    // Each stalled upload holds its slot once its file part is being written: the server says so, once for each.
    let opened = 0;
    const bothReceiving = new Promise<void>((both) => {
      const receiving = () => {
        if (++opened < 2) return;
        stack.events.off('upload-receiving', receiving);
        both();
      };
      stack.events.on('upload-receiving', receiving);
    });
    const stalled = [];
    for (const fill of ['a', 'b']) {
      const file = fill.repeat(200_000);
      const grant = await grantFor(file);
      const open = await openSocket(port);
      const head = whole(grant.post.fields, file);
      open.socket.write(head.slice(0, head.length - 150_000));
      stalled.push(open);
    }
    await bothReceiving;
    expect(tempFiles()).toHaveLength(2);
    const third = csvText(CONTACT_COLUMNS, [contactRow({ event_id: 'E20' })]);
    const refused = await rawRequest(port, whole((await grantFor(third)).post.fields, third));
    expect([refused.status, refused.headers['retry-after'], JSON.parse(refused.body)]).toEqual([
      503,
      '1',
      { error: 'too many uploads of this PCN at once: try again shortly' },
    ]);
    const other = csvText(CONTACT_COLUMNS, [contactRow({ event_id: 'E21', pcn_code: 'U00002' })]);
    expect((await rawRequest(port, whole((await grantFor(other, 'U00002')).post.fields, other))).status).toBe(204);
    for (const { socket } of stalled) socket.destroy();
    await stack.pipeline.idle();
  });
});
