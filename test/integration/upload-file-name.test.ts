import { writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Uploader } from '../../cli/commands/upload.ts';
import type { LocalStack } from '../../cli/server.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { PcnTokenRegistry } from '../../functions/upload/pcn-tokens.ts';
import { newKey } from '../../functions/upload/pseudonymise.ts';
import { CONTACT_COLUMNS, csvText, tempDir } from '../support/files.ts';
import { startTestServer } from '../support/local-stack.ts';

/**
 * sec30's open note on review 30: the uploader sent the extract's own file name in the form's file part, and a name
 * can be a person's (`john_smith_referrals.csv`). Every byte the uploader sends goes through a recording proxy in front
 * of the real local server: the name is in none of them, nor in anything the server stores or logs.
 */
const dir = tempDir('upload-file-name');
const dataDir = join(dir.path, 'data');
const store = new FsObjectStore(dataDir);
const PCN = 'U00001';
const NAME = 'john_smith_referrals';
const lines: string[] = [];
const sent: Buffer[] = [];
let stack: LocalStack;
let proxy: Server;
let proxyUrl: string;
let token: string;

beforeAll(async () => {
  // The proxy first: the server's presigned POSTs must name it (publicUrl), so the form goes through it too.
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      sent.push(Buffer.from(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n`), body);
      const target = new URL(stack.url);
      const forward = request(
        {
          host: '127.0.0.1',
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.end(body);
    });
  });
  await new Promise<void>((listening) => proxy.listen(0, '127.0.0.1', listening));
  proxyUrl = `http://localhost:${(proxy.address() as AddressInfo).port}`;
  stack = await startTestServer(dataDir, { publicUrl: proxyUrl, log: (line) => lines.push(line) });
  token = (await new PcnTokenRegistry(store).create(PCN, { expiresInDays: 1 })).token;
});
afterAll(async () => {
  await stack.close();
  await new Promise((closed) => proxy.close(closed));
  dir.remove();
});

/** Every byte of every object the store holds, and each key. */
async function stored(): Promise<string> {
  const keys = await store.list('');
  const texts = await Promise.all(
    keys.map(async (key) => `${key}\n${Buffer.from((await store.get(key)) ?? []).toString('latin1')}`),
  );
  return texts.join('\n');
}

describe('the uploader does not send the extract’s own file name', () => {
  it('a file named after a person: the form names it neutrally, and nothing sent, stored or logged holds the name', async () => {
    const header = CONTACT_COLUMNS.map((h) => (h === 'person_id' ? 'nhs_number' : h));
    const cells: Record<string, string> = {
      event_id: 'X1',
      event_type: 'contact',
      pcn_code: PCN,
      referral_id: 'R1',
      nhs_number: '9434765919',
      occurred_on: '2026-09-01',
      contact_mode: 'video',
      worker_role: 'splw',
      duration_minutes: '45',
    };
    const path = join(dir.path, `${NAME}.csv`);
    writeFileSync(path, csvText(header, [header.map((h) => cells[h] ?? '')]));
    const uploader = new Uploader({
      server: proxyUrl,
      token,
      key: newKey(PCN),
      retries: 0,
      receiptTimeoutMs: 10_000,
      pollIntervalMs: 50,
      log: () => {},
    });
    const outcome = await uploader.send(path);
    expect(outcome).toMatchObject({ status: 'accepted', exit_code: 0 });
    const bytes = Buffer.concat(sent).toString('latin1');
    // The form was sent through the proxy, its file part named neutrally.
    expect(bytes).toMatch(/content-disposition: form-data; name="file"; filename="upload\.csv"/i);
    expect(bytes).not.toContain(NAME);
    await stack.pipeline.idle();
    expect(await stored()).not.toContain(NAME);
    expect(lines.join('\n')).not.toContain(NAME);
  });
});
