import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalPipeline, REFRESH_FAILED } from '../../cli/local-pipeline.ts';
import { uploadIdFor } from '../../functions/lib/keys.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { QueryError } from '../../functions/lib/query-engine.ts';
import { CONTACT_COLUMNS, contactRow, csvText, tempDirs } from '../support/files.ts';

/**
 * The local server's refresh after ingest, when it fails: one line says so and why (a value never echoed), the API
 * is not told of new documents, and the next upload's refresh runs again.
 */
const dirs = tempDirs();
afterAll(() => dirs.removeAll());
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

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
  return { refreshes: lines.filter((l) => !l.startsWith('ingested ')), told };
}

describe('a failed refresh of the local server', () => {
  it('is logged with its reason, the API is not told, and the next upload retries it', async () => {
    expect(await run([new Error('publishing the uploads table: receipt receipts/U00001-a.json is not JSON')])).toEqual({
      refreshes: [
        `${REFRESH_FAILED}: publishing the uploads table: receipt receipts/U00001-a.json is not JSON`,
        'refreshed:    published',
      ],
      told: 1,
    });
  });

  it('withholds a message that may hold a value, keeping the SQL file that failed', async () => {
    const conversion = "Conversion Error: Could not convert string '943 476 5919' to DATE";
    expect(
      await run([new QueryError('metrics/rollout.sql', conversion), new Error(`at line 2: ${conversion}`)]),
    ).toEqual({
      refreshes: [
        `${REFRESH_FAILED}: metrics/rollout.sql: its message is withheld, as it may hold a value`,
        `${REFRESH_FAILED}: Error: its message is withheld, as it may hold a value`,
        'refreshed:    published',
      ],
      told: 1,
    });
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
