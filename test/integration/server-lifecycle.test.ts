import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { refreshFailedLine } from '../../cli/local-pipeline.ts';
import { LOCAL_POST_PATH, startServer } from '../../cli/server.ts';
import type { Receipt } from '../../functions/contract/index.ts';
import { ingestUpload } from '../../functions/ingest/ingest.ts';
import { uploadIdFor } from '../../functions/lib/keys.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { PcnTokenRegistry } from '../../functions/upload/pcn-tokens.ts';
import type { UploadGrant } from '../../functions/upload/upload-api.ts';
import { CONTACT_COLUMNS, contactRow, csvText, tempDirs } from '../support/files.ts';
import { freePort } from '../support/local-stack.ts';
import { openSocket } from '../support/raw-http.ts';

/**
 * Stopping and starting (issue 11, "Graceful stop and recovery"): SIGTERM lets the upload in flight finish and be
 * ingested before the process exits; at start, every landed upload without a receipt is ingested; a stray
 * rejected promise is logged, not fatal.
 */
const run = promisify(execFile);
const dirs = tempDirs();
afterAll(() => dirs.removeAll());
/** A new data folder and its store. */
const fresh = () => {
  const dataDir = dirs.make('lifecycle');
  return { dataDir, store: new FsObjectStore(dataDir) };
};
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
/** Where the upload API lands U00001's file `text`. */
const landingKey = (text: string) => `landing/pcn=U00001/${uploadIdFor('U00001', sha(text))}.csv`;
/** The local server on a free loopback port, its log lines kept in `lines`. */
const serve = async (dataDir: string, refreshDelayMs?: number) => {
  const lines: string[] = [];
  const stack = await startServer({ dataDir, port: 0, host: '127.0.0.1', refreshDelayMs, log: (l) => lines.push(l) });
  return { stack, lines };
};
/**
 * The one PCN of these uploads, open: a month it sent is complete once it has ended, so the data are as of that
 * month's end (docs/methodology.md, "Data as of").
 */
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U00001,One PCN,QWE,NHS South West London ICB,Y56,London,10000,2019-04-01,
`;
const meta = (store: FsObjectStore) =>
  store.get('metrics/meta.json').then((b) => JSON.parse(new TextDecoder().decode(b)) as { data_as_of: string | null });

describe('at start, the server ingests what landed while it was stopped', () => {
  it('a landed upload without a receipt is ingested; an identifiable one is deleted, even one already refused', async () => {
    const { dataDir, store } = fresh();
    const good = csvText(CONTACT_COLUMNS, [contactRow()]);
    const raw = csvText(CONTACT_COLUMNS, [contactRow({ person_id: '9434765919' })]);
    const refusedBefore = csvText(CONTACT_COLUMNS, [contactRow({ person_id: '4010232137' })]);
    await stageReference(store, REFERENCE);
    const key = landingKey;
    // One refused before by the ingest itself (its real receipt), whose raw file was left in landing/.
    await store.put(key(refusedBefore), refusedBefore);
    await ingestUpload({ store }, { key: key(refusedBefore), receivedAt: new Date('2026-10-01T09:00:00Z') });
    expect(await store.list('landing/')).toEqual([]);
    await store.put(key(refusedBefore), refusedBefore);
    await store.put(key(good), good);
    await store.put(key(raw), raw);
    const { stack, lines } = await serve(dataDir, 10);
    await stack.pipeline.idle();
    await stack.close();
    expect(lines[0]).toBe('2 uploads landed without a receipt: ingesting');
    expect(await store.list('landing/')).toEqual([key(good)]);
    const receipt = (id: string) =>
      store.get(`receipts/${id}.json`).then((b) => JSON.parse(new TextDecoder().decode(b)) as Receipt);
    expect((await receipt(uploadIdFor('U00001', sha(good)))).status).toBe('accepted');
    expect((await receipt(uploadIdFor('U00001', sha(raw)))).file_error?.code).toBe('identifiable_data');
    expect((await receipt(uploadIdFor('U00001', sha(refusedBefore)))).file_error?.code).toBe('identifiable_data');
    // One refresh, once both were ingested (not one between them): it read all three receipts and published the one
    // contact, of 2026-09-01: as of the end of September, which has ended and which the one PCN sent.
    expect(lines.filter((l) => l.startsWith('refresh'))).toEqual([
      expect.stringMatching(/^refreshed: {4}\d+ metric documents, data as of 2026-09-30 \(\d+\.\d s\)$/),
    ]);
    expect((await meta(store)).data_as_of).toBe('2026-09-30');
  });
});

describe('at start, a receipt that is not JSON', () => {
  it('does not stop the server: it is named, and its upload is left as it is', async () => {
    const { dataDir, store } = fresh();
    const file = csvText(CONTACT_COLUMNS, [contactRow()]);
    const id = uploadIdFor('U00001', sha(file));
    await store.put(`landing/pcn=U00001/${id}.csv`, file);
    await store.put(`receipts/${id}.json`, '{"upload_id": ');

    const { stack, lines } = await serve(dataDir);
    await stack.pipeline.idle();
    await stack.close();

    expect(lines).toEqual([`receipt receipts/${id}.json is not JSON: its upload stays in landing/ as it is`]);
    expect(await store.list('landing/')).toEqual([`landing/pcn=U00001/${id}.csv`]);
  });
});

describe('a refresh makes the metrics API forget its answers once', () => {
  it('one upload, one refresh, one invalidation (not one when told and another when it warms up)', async () => {
    // Prepare: one upload landed while the server was stopped.
    const { dataDir, store } = fresh();
    const good = csvText(CONTACT_COLUMNS, [contactRow()]);
    await store.put(landingKey(good), good);

    // Act: the server ingests it, refreshes, and the metrics API warms up on the new documents.
    const { stack, lines } = await serve(dataDir, 10);
    await stack.pipeline.idle();
    await stack.api.warming;
    const rollout = await fetch(`${stack.url}/api/metrics/rollout?level=national&period=2026-09`);
    await stack.close();

    // Assess
    expect(lines.filter((l) => / metric documents, data as of /.test(l))).toHaveLength(1);
    expect(stack.api.invalidations).toBe(1);
    expect(rollout.status).toBe(200);
  });
});

describe('a failed refresh is never silent', () => {
  it('the log names the receipt and field, the API keeps the last figures, and the next upload retries', async () => {
    // Prepare: a server that has published the figures of one contact (2026-09-01: as of 2026-09-30).
    const { dataDir, store } = fresh();
    await stageReference(store, REFERENCE);
    const { stack, lines } = await serve(dataDir, 10);
    const land = async (text: string) => {
      const key = landingKey(text);
      await store.put(key, text);
      stack.pipeline.landed(key, new Date());
      await stack.pipeline.idle();
      await stack.api.warming;
    };
    const refreshStatus = async () =>
      (await (await fetch(`${stack.url}/api/refresh-status`)).json()) as Record<string, string | number | undefined>;
    const served = async () => {
      const response = await fetch(`${stack.url}/api/meta`);
      return [response.status, ((await response.json()) as { data_as_of: string }).data_as_of];
    };
    try {
      await land(csvText(CONTACT_COLUMNS, [contactRow()]));
      expect(await served()).toEqual([200, '2026-09-30']);

      // Act 1: a receipt of an older version (no rows) lies in receipts/, then a later contact is uploaded.
      const older = `receipts/${uploadIdFor('U00002', 'f'.repeat(64))}.json`;
      await store.put(older, JSON.stringify({ upload_id: 'U00002-old', file_error: null }));
      lines.length = 0;
      await land(csvText(CONTACT_COLUMNS, [contactRow({ event_id: 'E2', occurred_on: '2026-10-15' })]));

      // Assess 1: one clear line, no TypeError; the API still serves the last published figures.
      expect(lines.filter((l) => l.startsWith('refresh'))).toEqual([
        refreshFailedLine(
          `publishing the uploads table: receipt ${older} is not a receipt this version reads: ` +
            'pcn_code (Invalid input: expected string, received undefined); ' +
            'kind (Invalid option: expected one of "events"|"workforce"); ' +
            'status (Invalid option: expected one of "accepted"|"partially_accepted"|"rejected"); ' +
            'received_at (Invalid input: expected string, received undefined); ' +
            'rows (Invalid input: expected object, received undefined); ' +
            'rejected_by_reason (Invalid input: expected record, received undefined)',
          { inMs: 30_000, attempt: 2, attempts: 5 },
        ),
      ]);
      expect(await served()).toEqual([200, '2026-09-30']);
      expect(stack.api.invalidations).toBe(1);
      // The API says it is to be retried (in 30 s), after the refresh that published the figures served.
      const failed = await refreshStatus();
      expect(failed).toMatchObject({ state: 'retrying', attempt: 1, attempts: 5 });
      expect(Date.parse(failed.next_attempt_at as string) - Date.parse(failed.last_failed_at as string)).toBe(30_000);
      expect(Date.parse(failed.last_succeeded_at as string)).toBeLessThan(Date.parse(failed.last_failed_at as string));

      // Act 2: the operator removes the broken receipt; the next upload retries the refresh.
      await store.delete(older);
      lines.length = 0;
      await land(csvText(CONTACT_COLUMNS, [contactRow({ event_id: 'E3', occurred_on: '2026-10-20' })]));

      // Assess 2: published, with both later contacts in it: October has ended and the one PCN sent it.
      expect(lines.filter((l) => l.startsWith('refresh'))).toEqual([
        expect.stringMatching(/^refreshed: {4}\d+ metric documents, data as of 2026-10-31 \(\d+\.\d s\)$/),
      ]);
      expect(await served()).toEqual([200, '2026-10-31']);
      expect(stack.api.invalidations).toBe(2);
      const published = await refreshStatus();
      expect(published).toMatchObject({
        state: 'idle',
        attempt: 1,
        attempts: 5,
        last_failed_at: failed.last_failed_at,
      });
      expect(published.next_attempt_at).toBeUndefined();
      expect(Date.parse(published.last_succeeded_at as string)).toBeGreaterThan(
        Date.parse(failed.last_failed_at as string),
      );
    } finally {
      await stack.close();
    }
  }, 120_000);
});

describe('SIGTERM drains: the upload in flight is answered and ingested, then the process exits 0', () => {
  let child: ChildProcess | undefined;
  afterAll(() => child?.kill('SIGKILL'));

  it('serve, an upload half sent, SIGTERM, the rest sent: 204, a receipt, exit 0', async () => {
    const { dataDir, store } = fresh();
    const { token } = await new PcnTokenRegistry(store).create('U00001', { expiresInDays: 1 });
    const port = await freePort();
    child = spawn(
      process.execPath,
      ['cli/sp-outcomes.js', 'serve', '--data', dataDir, '--port', String(port), '--host', '127.0.0.1'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 200 && !stdout.includes('Serving'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(stdout).toContain(`Serving http://localhost:${port}`);

    const file = csvText(CONTACT_COLUMNS, [contactRow({ event_id: 'T1' })]);
    const grant = (await (
      await fetch(`http://localhost:${port}/api/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify({
          pcn_code: 'U00001',
          kind: 'events',
          format: 'csv',
          compressed: false,
          bytes: file.length,
          sha256: sha(file),
        }),
      })
    ).json()) as UploadGrant;
    let parts = '';
    for (const [name, value] of Object.entries(grant.post.fields))
      parts += `--B\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    parts += `--B\r\ncontent-disposition: form-data; name="file"; filename="u.csv"\r\n\r\n`;
    const tail = '\r\n--B--\r\n';
    const { socket, answer } = await openSocket(port);
    socket.write(
      `POST ${LOCAL_POST_PATH} HTTP/1.1\r\nhost: localhost:${port}\r\ncontent-type: multipart/form-data; boundary=B\r\n` +
        `content-length: ${parts.length + file.length + tail.length}\r\n\r\n${parts}${file.slice(0, 20)}`,
    );
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    // No new connections once stopping…
    await expect(fetch(`http://localhost:${port}/`)).rejects.toThrow();
    // …but the one in flight is finished.
    socket.write(`${file.slice(20)}${tail}`);
    expect((await answer).status).toBe(204);
    socket.destroy();
    expect(await exited).toBe(0);
    expect(stderr).toContain('SIGTERM: finishing the requests and uploads in flight, then stopping');
    expect(stderr).toContain('stopped');
    const receipt = await store.get(`receipts/${grant.upload_id}.json`);
    expect(JSON.parse(new TextDecoder().decode(receipt)).status).toBe('accepted');
  }, 60_000);
});

describe('process guards', () => {
  it('an unhandled rejection is logged and the process goes on', async () => {
    const script = [
      "const { installProcessGuards } = await import('./cli/server.ts');",
      'installProcessGuards((line) => console.log(line));',
      "Promise.reject(new Error('boom'));",
      "setTimeout(() => console.log('still running'), 100);",
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(stdout).toBe('unhandled rejection (the server keeps serving): boom\nstill running\n');
  }, 30_000);
});
