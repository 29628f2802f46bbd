import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { LocalPipeline, type RefreshRetry, refreshFailedLine } from '../../cli/local-pipeline.ts';
import { uploadIdFor } from '../../functions/lib/keys.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { QueryError } from '../../functions/lib/query-engine.ts';
import { CONTACT_COLUMNS, contactRow, csvText, tempDirs } from '../support/files.ts';

/**
 * The local server's refresh after ingest, when it fails: one line says so and why (a value never echoed), the API
 * is not told of new documents, it is tried again after a growing wait, and the next upload's refresh runs at once.
 */
const dirs = tempDirs();
afterAll(() => dirs.removeAll());
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Retried after 30 s by default: the next upload's refresh comes first (and stops that retry). */
const NEXT_UPLOAD = { inMs: 30_000, attempt: 2, attempts: 5 };

async function run(failures: Error[]) {
  // Prepare: a refresh that fails with each error in turn, then succeeds.
  const store = new FsObjectStore(dirs.make('pipeline'));
  const lines: string[] = [];
  let refreshes = 0;
  let told = 0;
  const pipeline = new LocalPipeline(store, {
    refreshDelayMs: 1,
    log: (line) => lines.push(line),
    onRefreshed: () => told++,
    refresh: async (_dataDir, log) => {
      const failure = failures[refreshes++];
      if (failure) throw failure;
      log('    published');
    },
  });
  // Act: one upload per refresh.
  for (let i = 0; i <= failures.length; i++) {
    const file = csvText(CONTACT_COLUMNS, [contactRow({ event_id: `E${i}` })]);
    const key = `landing/pcn=U00001/${uploadIdFor('U00001', sha(file))}.csv`;
    await store.put(key, file);
    pipeline.landed(key, new Date('2026-10-01T09:00:00Z'));
    await pipeline.idle();
  }
  await pipeline.stop();
  return { refreshes: lines.filter((l) => !l.startsWith('ingested ')), told, attempts: refreshes };
}

describe('a failed refresh of the local server', () => {
  it('is logged with its reason, the API is not told, and the next upload retries it', async () => {
    expect(await run([new Error('publishing the uploads table: receipt receipts/U00001-a.json is not JSON')])).toEqual({
      refreshes: [
        refreshFailedLine('publishing the uploads table: receipt receipts/U00001-a.json is not JSON', NEXT_UPLOAD),
        'refreshed:    published',
      ],
      told: 1,
      attempts: 2,
    });
  });

  it('withholds a message that may hold a value, keeping the SQL file that failed', async () => {
    const conversion = "Conversion Error: Could not convert string '943 476 5919' to DATE";
    expect(
      await run([new QueryError('metrics/rollout.sql', conversion), new Error(`at line 2: ${conversion}`)]),
    ).toEqual({
      refreshes: [
        refreshFailedLine('metrics/rollout.sql: its message is withheld, as it may hold a value', NEXT_UPLOAD),
        refreshFailedLine('Error: its message is withheld, as it may hold a value', NEXT_UPLOAD),
        'refreshed:    published',
      ],
      told: 1,
      attempts: 3,
    });
  });
});

describe('a failed refresh is tried again without an upload', () => {
  /** One upload, a refresh that fails `failures` times then publishes, waits of 20, 40, 80 ms; a clock at 09:00:00. */
  async function retried(failures: number, retry: RefreshRetry) {
    const store = new FsObjectStore(dirs.make('retry'));
    const lines: string[] = [];
    const statuses: unknown[] = [];
    let refreshes = 0;
    let published: () => void = () => {};
    const told = new Promise<void>((resolve) => {
      published = resolve;
    });
    const pipeline = new LocalPipeline(store, {
      refreshDelayMs: 1,
      retry,
      clock: () => new Date('2026-10-01T09:00:00Z'),
      log: (line) => lines.push(line),
      onRefreshed: () => published(),
      refresh: async (_dataDir, log) => {
        statuses.push(pipeline.status());
        if (refreshes++ < failures) throw new TypeError(`attempt ${refreshes} failed`);
        log('    published');
      },
    });
    const file = csvText(CONTACT_COLUMNS, [contactRow({ event_id: 'E1' })]);
    const key = `landing/pcn=U00001/${uploadIdFor('U00001', sha(file))}.csv`;
    await store.put(key, file);
    pipeline.landed(key, new Date('2026-10-01T09:00:00Z'));
    await pipeline.idle();
    const afterFirst = pipeline.status();
    return { pipeline, lines: () => lines.filter((l) => !l.startsWith('ingested ')), statuses, told, afterFirst };
  }

  it('after 20 ms, then 40 ms: published on the third attempt, and the status says so at each step', async () => {
    // Prepare and act: two failures (a TypeError too is retried), waits of 20 and 40 ms.
    const { pipeline, lines, statuses, told, afterFirst } = await retried(2, { minTimeoutMs: 20, factor: 2 });
    // Assess: idle() resolved after the first attempt, the retry still to come.
    expect(afterFirst).toEqual({
      state: 'retrying',
      attempt: 1,
      attempts: 5,
      last_failed_at: '2026-10-01T09:00:00.000Z',
      next_attempt_at: '2026-10-01T09:00:00.020Z',
    });
    await told;
    expect(lines()).toEqual([
      refreshFailedLine('attempt 1 failed', { inMs: 20, attempt: 2, attempts: 5 }),
      refreshFailedLine('attempt 2 failed', { inMs: 40, attempt: 3, attempts: 5 }),
      'refreshed:    published',
    ]);
    expect(statuses.map((s) => (s as { state: string; attempt: number }).attempt)).toEqual([1, 2, 3]);
    expect(pipeline.status()).toEqual({
      state: 'idle',
      attempt: 3,
      attempts: 5,
      last_failed_at: '2026-10-01T09:00:00.000Z',
      last_succeeded_at: '2026-10-01T09:00:00.000Z',
    });
    await pipeline.stop();
  });

  it('gives up after its retries, says the next upload retries it, and the status says it failed', async () => {
    const { pipeline, lines } = await retried(10, { retries: 2, minTimeoutMs: 5, factor: 2 });
    await vi.waitFor(() => expect(pipeline.status().state).toBe('failed'), { timeout: 5000, interval: 5 });
    expect(lines()).toEqual([
      refreshFailedLine('attempt 1 failed', { inMs: 5, attempt: 2, attempts: 3 }),
      refreshFailedLine('attempt 2 failed', { inMs: 10, attempt: 3, attempts: 3 }),
      refreshFailedLine('attempt 3 failed', 'gave up'),
    ]);
    expect(pipeline.status()).toEqual({
      state: 'failed',
      attempt: 3,
      attempts: 3,
      last_failed_at: '2026-10-01T09:00:00.000Z',
    });
    await pipeline.stop();
  });

  it('stop() drops a retry still to come: the server stops without waiting for it, and it never runs', async () => {
    const { pipeline, lines, statuses } = await retried(1, { minTimeoutMs: 60_000 });
    await pipeline.stop();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(statuses).toHaveLength(1);
    expect(lines()).toEqual([refreshFailedLine('attempt 1 failed', { inMs: 60_000, attempt: 2, attempts: 5 })]);
  });
});

describe('the refresh after a burst of uploads', () => {
  it('runs once, after the last queued upload is ingested, even when an ingest outlasts the wait', async () => {
    // Prepare: three uploads queued at once (as at start), a wait far shorter than an ingest.
    const store = new FsObjectStore(dirs.make('burst'));
    const lines: string[] = [];
    const pipeline = new LocalPipeline(store, {
      refreshDelayMs: 0,
      log: (line) => lines.push(line),
      refresh: async (_dataDir, log) => log('    published'),
    });
    // Act
    for (const id of ['E1', 'E2', 'E3']) {
      const file = csvText(CONTACT_COLUMNS, [contactRow({ event_id: id })]);
      const key = `landing/pcn=U00001/${uploadIdFor('U00001', sha(file))}.csv`;
      await store.put(key, file);
      pipeline.landed(key, new Date('2026-10-01T09:00:00Z'));
    }
    await pipeline.idle();
    // Assess: three ingests, then one refresh.
    expect(lines.map((l) => l.split(' ', 1)[0])).toEqual(['ingested', 'ingested', 'ingested', 'refreshed:']);
  });
});

describe('a failed ingest of the local server', () => {
  it('is logged without a value its message may quote, and the upload stays in landing/', async () => {
    // Prepare: a store whose read of the upload fails with a message quoting a value (as a driver's might).
    class FailingStore extends FsObjectStore {
      override async getStream(key: string): ReturnType<FsObjectStore['getStream']> {
        if (key.startsWith('landing/')) throw new Error("could not read row 2: '943 476 5919'");
        return super.getStream(key);
      }
    }
    const store = new FailingStore(dirs.make('ingest-fails'));
    const lines: string[] = [];
    const pipeline = new LocalPipeline(store, { refreshDelayMs: 1, log: (line) => lines.push(line) });
    const file = csvText(CONTACT_COLUMNS, [contactRow({ event_id: 'E1' })]);
    const key = `landing/pcn=U00001/${uploadIdFor('U00001', sha(file))}.csv`;
    await store.put(key, file);
    // Act
    pipeline.landed(key, new Date('2026-10-01T09:00:00Z'));
    await pipeline.idle();
    // Assert: one line, no value; nothing refreshed; the upload kept.
    expect(lines).toEqual([
      'ingest of an upload failed (it stays in landing/): Error: its message is withheld, as it may hold a value',
    ]);
    expect(await store.list('landing/')).toEqual([key]);
  });
});
