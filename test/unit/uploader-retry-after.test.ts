import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_SECONDS, Uploader } from '../../cli/commands/upload.ts';
import { newKey } from '../../functions/upload/pseudonymise.ts';
import { RATE_BLOCK_RETRY_AFTER_SECONDS } from '../../infra/edge-stack.ts';
import { CONTACT_COLUMNS, contactRow, csvText, tempDir } from '../support/files.ts';

// The uploader waits at least as long as a 429's Retry-After before sending again (the edge's web ACL and the upload
// API both give one), up to MAX_RETRY_AFTER_SECONDS; a longer wait is not retried. A stand-in server on loopback answers
// the announcement 429 first, then "already received" (200 with the receipt: nothing more is sent).
const dir = tempDir('uploader-retry-after');
const file = join(dir.path, 'extract.csv');
let server: Server;
let url: string;
/** What the stand-in answers each announcement in turn, and when each arrived (performance.now(), ms). */
let answers: { status: number; retryAfter?: string }[] = [];
let arrivals: number[] = [];

beforeAll(async () => {
  writeFileSync(file, csvText(CONTACT_COLUMNS, [contactRow({ event_id: 'E1', pcn_code: 'U00001' })]));
  server = createServer((request, response) => {
    arrivals.push(performance.now());
    request.resume();
    request.on('end', () => {
      const answer = answers.shift() ?? { status: 200 };
      if (answer.status === 200) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ upload_id: 'u-1', receipt: { status: 'accepted' } }));
        return;
      }
      response.writeHead(answer.status, {
        'content-type': 'application/json',
        ...(answer.retryAfter === undefined ? {} : { 'retry-after': answer.retryAfter }),
      });
      response.end(JSON.stringify({ error: 'too many requests' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  dir.remove();
});

const uploader = () =>
  new Uploader({ server: url, token: 'spu_x', key: newKey('U00001'), retries: 2, retryDelayMs: 5, log: () => {} });

describe("the uploader honours a 429's Retry-After, bounded", () => {
  it('waits at least Retry-After (1 s) before the next attempt, not its own 5 ms backoff', async () => {
    answers = [{ status: 429, retryAfter: '1' }];
    arrivals = [];
    const outcome = await uploader().send(file);
    expect(outcome).toMatchObject({ status: 'accepted', exit_code: 0, already_received: true });
    expect(arrivals).toHaveLength(2);
    // Timers fire no earlier than asked (Node rounds to the millisecond): 1,000 ms at least, less a millisecond.
    expect((arrivals[1] as number) - (arrivals[0] as number)).toBeGreaterThanOrEqual(999);
  });

  it('without Retry-After, a 429 is retried on its own backoff (5 ms, doubled, jittered: well under a second)', async () => {
    answers = [{ status: 429 }];
    arrivals = [];
    const outcome = await uploader().send(file);
    expect(outcome).toMatchObject({ status: 'accepted' });
    expect(arrivals).toHaveLength(2);
    expect((arrivals[1] as number) - (arrivals[0] as number)).toBeLessThan(1_000);
  });

  it('a Retry-After beyond the bound is not retried: the file is not sent and the wait is named', async () => {
    answers = [{ status: 429, retryAfter: String(MAX_RETRY_AFTER_SECONDS + 1) }];
    arrivals = [];
    const outcome = await uploader().send(file);
    expect(arrivals).toHaveLength(1);
    expect(outcome).toMatchObject({ status: 'not_sent', exit_code: 3 });
    expect(outcome.error).toContain(`asks to wait ${(MAX_RETRY_AFTER_SECONDS + 1).toLocaleString('en-GB')} s`);
  });

  it("the bound covers the edge web ACL's Retry-After, so an uploader blocked at the edge waits and carries on", () => {
    expect(RATE_BLOCK_RETRY_AFTER_SECONDS).toBeLessThanOrEqual(MAX_RETRY_AFTER_SECONDS);
  });
});
