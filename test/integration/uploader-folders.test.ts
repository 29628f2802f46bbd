import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPcnTokenCreate, runPcnTokenList, runPcnTokenRevoke } from '../../cli/commands/tokens.ts';
import { Uploader, type UploadOutcome, worstExit } from '../../cli/commands/upload.ts';
import { uploadDir, watchDir } from '../../cli/commands/upload-folder.ts';
import type { LocalStack } from '../../cli/server.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { newKey } from '../../functions/upload/pseudonymise.ts';
import { CONTACT_COLUMNS, contactRow, csvText, tempDir } from '../support/files.ts';
import { startTestServer } from '../support/local-stack.ts';

const dir = tempDir('uploader-folders');
const store = new FsObjectStore(join(dir.path, 'data'));
let stack: LocalStack;
let uploader: Uploader;
const HEADER = CONTACT_COLUMNS;
const contact = (id: string, pcn = 'U00001', minutes = '30') =>
  contactRow({ event_id: id, pcn_code: pcn, duration_minutes: minutes });

beforeAll(async () => {
  stack = await startTestServer(join(dir.path, 'data'));
  const token = await runPcnTokenCreate(store, 'U00001', { expiresInDays: 30, rotate: false }, () => {});
  uploader = new Uploader({
    server: stack.url,
    token,
    key: newKey('U00001'),
    retries: 0,
    pollIntervalMs: 20,
    log: () => {},
  });
});
afterAll(async () => {
  // The graceful stop: the landed uploads' ingest and the refresh after it end before the folder is removed.
  await stack?.close();
  dir.remove();
});

describe('unattended folders', () => {
  it('--dir sends every file once, files each under sent/ or failed/ with its receipt, and keeps going', async () => {
    const outbox = join(dir.path, 'outbox');
    mkdirSync(outbox);
    writeFileSync(join(outbox, 'a-good.csv'), csvText(HEADER, [contact('E1'), contact('E2')]));
    writeFileSync(join(outbox, 'b-other-pcn.csv'), csvText(HEADER, [contact('E3', 'U00002')]));
    writeFileSync(join(outbox, 'c-some-bad.csv'), csvText(HEADER, [contact('E4'), contact('E5', 'U00001', 'long')]));
    writeFileSync(join(outbox, 'notes.txt'), 'not an extract');
    const seen: UploadOutcome[] = [];
    const outcomes = await uploadDir(outbox, uploader, (o) => seen.push(o));
    expect(outcomes.map((o) => [o.file.slice(outbox.length + 1), o.status, o.exit_code])).toEqual([
      ['sent/a-good.csv', 'accepted', 0],
      ['failed/b-other-pcn.csv', 'rejected', 1],
      ['sent/c-some-bad.csv', 'partially_accepted', 2],
    ]);
    expect(seen).toEqual(outcomes);
    expect(worstExit(outcomes.map((o) => o.exit_code))).toBe(1);
    expect(readdirSync(outbox).sort()).toEqual(['failed', 'notes.txt', 'sent']);
    expect(readdirSync(join(outbox, 'sent')).sort()).toEqual([
      'a-good.csv',
      'a-good.csv.receipt.json',
      'c-some-bad.csv',
      'c-some-bad.csv.receipt.json',
    ]);
    const partial = JSON.parse(readFileSync(join(outbox, 'sent', 'c-some-bad.csv.receipt.json'), 'utf8'));
    expect(partial.receipt).toMatchObject({
      rows: { read: 2, accepted: 1, rejected: 1 },
      errors: [{ row: 3, field: 'duration_minutes' }],
    });
    const failed = JSON.parse(readFileSync(join(outbox, 'failed', 'b-other-pcn.csv.receipt.json'), 'utf8'));
    expect(failed).toMatchObject({ checked_locally: true, receipt: { rejected_by_reason: { wrong_pcn: 1 } } });
  });

  it('a file that could not be sent stays where it is for the next run; exit 3 outranks the rest', async () => {
    const outbox = join(dir.path, 'offline');
    mkdirSync(outbox);
    writeFileSync(join(outbox, 'x.csv'), csvText(HEADER, [contact('E9')]));
    const offline = new Uploader({
      server: 'http://127.0.0.1:9',
      token: 'spu_x',
      key: newKey('U00001'),
      retries: 1,
      retryDelayMs: 5,
      log: () => {},
    });
    const [outcome] = await uploadDir(outbox, offline, () => {});
    expect(outcome).toMatchObject({ status: 'not_sent', exit_code: 3 });
    expect(existsSync(join(outbox, 'x.csv'))).toBe(true);
    expect(worstExit([0, 2, 3, 1])).toBe(3);
  });

  it('--watch sends a new file once it has stopped changing, then stops when asked', async () => {
    const outbox = join(dir.path, 'watched');
    mkdirSync(outbox);
    const controller = new AbortController();
    const outcomes: UploadOutcome[] = [];
    const watching = watchDir(
      outbox,
      uploader,
      (o) => {
        outcomes.push(o);
        controller.abort();
      },
      { intervalMs: 50, signal: controller.signal },
    );
    writeFileSync(join(outbox, 'late.csv'), csvText(HEADER, [contact('W1')]));
    await watching;
    expect(outcomes.map((o) => [o.file.slice(outbox.length + 1), o.status])).toEqual([['sent/late.csv', 'accepted']]);
  });
});

describe('sp-outcomes pcn-token', () => {
  it('keeps one active token per PCN, stores only its hash, lists without secrets, and revokes by id or PCN', async () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const first = await runPcnTokenCreate(store, 'U00009', { expiresInDays: 10, rotate: false }, log);
    await expect(runPcnTokenCreate(store, 'U00009', { expiresInDays: 10, rotate: false }, log)).rejects.toThrow(
      /^U00009 already has an active token \([0-9a-f]{16}\): use --rotate to replace it$/,
    );
    const second = await runPcnTokenCreate(store, 'U00009', { expiresInDays: 10, rotate: true }, log);
    const stored = (await store.list('auth/pcn-tokens/')).map((k) =>
      new TextDecoder().decode(readFileSync(join(dir.path, 'data', k))),
    );
    for (const secretPart of [first, second].map((t) => t.slice(21))) {
      expect(stored.join('\n')).not.toContain(secretPart);
    }
    lines.length = 0;
    await runPcnTokenList(store, 'U00009', log);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^U00009 {2}[0-9a-f]{16} {2}created \d{4}-\d{2}-\d{2} {2}expires \d{4}-\d{2}-\d{2} {2}revoked \d{4}-\d{2}-\d{2}$/,
    );
    expect(lines[1]).toMatch(/ {2}active$/);
    expect(lines.join('\n')).not.toContain(second.slice(21));
    expect(await runPcnTokenRevoke(store, 'U00009', () => {})).toBe(0);
    lines.length = 0;
    await runPcnTokenList(store, 'U00009', log);
    expect(lines.every((l) => / {2}revoked \d{4}-\d{2}-\d{2}$/.test(l))).toBe(true);
    expect(await runPcnTokenRevoke(store, 'ffffffffffffffff', () => {})).toBe(1);
  });
});
