import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAST_REFRESH_KEY, META_KEY } from '../../functions/lib/keys.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { storedReleases } from '../../functions/lib/release.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import {
  AFTER_COMPACTION_MS,
  compactionBudgetMs,
  createRefreshHandler,
  WRITE_RESERVE_MS,
} from '../../functions/refresh/handler.ts';
import { capturedLogger } from '../support/captured-logger.ts';
import { lambdaContext, tempDir } from '../support/files.ts';
import { ingestQuietly, TEN_PCNS_REFERENCE, tenPcnsMonth, writeEventFiles } from '../support/golden.ts';

/*
 * Review 24, R24-2: the refresh Lambda had no idea of its 15 minutes. Killed by the timeout, no catch ran: no failure
 * recorded (no back-off), and whatever it had written of its release was served. Now the handler gives the refresh the
 * time left (context.getRemainingTimeInMillis) and the write phase's reserve (WRITE_RESERVE_MS, 3 minutes): a refresh
 * that comes to a step with less left stops there, before writing anything of its release, and fails cleanly.
 * Ten PCNs, 10 referrals each in October 2026: release 1 on 2 November. November's files, then an invocation on
 * 2 December whose clock runs out once its queries are done (the engine released: only the write phase's steps are
 * left): 2 minutes left < 3 minutes' reserve.
 */
const scheduled = JSON.parse(readFileSync('test/fixtures/events/eventbridge-scheduled.json', 'utf8'));
const dir = tempDir('refresh-time-left');
const data = join(dir.path, 'data');
const store = new FsObjectStore(data);
const { logger, logs } = capturedLogger('sp-outcomes-refresh', { debug: false });
const text = async (key: string) => new TextDecoder().decode(await store.get(key));

/** A handler whose invocation has 10 minutes until the engine is released, then 2: `late` says which. */
function handlerAt(now: string, clock: { late: boolean }) {
  return createRefreshHandler({
    store,
    logger,
    writeMetric: () => {},
    clock: () => new Date(now),
    engine: () => {
      const engine = new DuckDbEngine(data);
      return new Proxy(engine, {
        get(target, property) {
          if (property === 'release')
            return async () => {
              await target.release?.();
              clock.late = true;
            };
          const value = Reflect.get(target, property);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  });
}
const contextOf = (clock: { late: boolean }) => ({
  ...lambdaContext('sp-outcomes-refresh'),
  getRemainingTimeInMillis: () => (clock.late ? 120_000 : 600_000),
});

let metaBefore = '';
let recordBefore = '';
let failure: Error | undefined;
beforeAll(async () => {
  await stageReference(store, TEN_PCNS_REFERENCE);
  const october = writeEventFiles(dir.path, tenPcnsMonth('2026-10'));
  await ingestQuietly(october, data, '2026-11-01T05:00:00Z');
  // Release 1 with time to spare: its context does not run out when its engine is released.
  await handlerAt('2026-11-02T06:00:00Z', { late: false })(structuredClone(scheduled), contextOf({ late: false }));
  metaBefore = await text(META_KEY);
  recordBefore = await text(LAST_REFRESH_KEY);
  const november = writeEventFiles(dir.path, tenPcnsMonth('2026-11'));
  await ingestQuietly(november, data, '2026-12-01T05:00:00Z');
  const second = { late: false };
  try {
    await handlerAt('2026-12-02T06:00:00Z', second)(structuredClone(scheduled), contextOf(second));
  } catch (error) {
    failure = error as Error;
  }
}, 240_000);
afterAll(() => dir.remove());

describe('R24-2: a refresh short of time for its writes fails cleanly', () => {
  it('stops at the first step after the queries (spc), naming the time left and the reserve', () => {
    expect(failure?.name).toBe('RefreshOutOfTimeError');
    // 120,000 ms = 120 s left; WRITE_RESERVE_MS = 3 x 60,000 ms = 180 s.
    expect(failure?.message).toBe(
      'refresh stopped before "spc": 120 s left of the invocation, and the write phase is given 180 s; the release published stays',
    );
    expect(logs.find((l) => l.message === 'refresh failed; the previous documents stay published')).toMatchObject({
      error: 'RefreshOutOfTimeError',
    });
  });

  it('records the failure (the catch-up backs off) and writes nothing of the new release', async () => {
    // The record of 2 November's success, with one failure started at 2 December 06:00 (handler.ts recordFailure).
    expect(JSON.parse(await text(LAST_REFRESH_KEY))).toEqual({
      ...JSON.parse(recordBefore),
      failures: 1,
      failed_at: '2026-12-02T06:00:00.000Z',
    });
    expect(JSON.parse(recordBefore)).toEqual({ started_at: '2026-11-02T06:00:00.000Z' });
    expect(await text(META_KEY)).toBe(metaBefore);
    // Only release 1 (the one meta.json names) is stored: nothing of the second refresh was written.
    const { release } = JSON.parse(metaBefore) as { release: string };
    expect(release).toMatch(/^\d{8}T\d{9}Z$/);
    expect(await storedReleases(store)).toEqual([release]);
  });

  it("compaction's budget comes from the time left: at most the policy's, none with under 8 minutes left", () => {
    expect(WRITE_RESERVE_MS).toBe(180_000);
    expect(AFTER_COMPACTION_MS).toBe(480_000);
    // A fresh invocation: 900 s left - 480 s = 420 s, more than the policy's 300 s: 300 s.
    expect(compactionBudgetMs(300_000, 900_000)).toBe(300_000);
    // A retry with 10 minutes left: 600 - 480 = 120 s.
    expect(compactionBudgetMs(300_000, 600_000)).toBe(120_000);
    // 7 minutes left: nothing new is merged (an unfinished compaction is still finished or undone).
    expect(compactionBudgetMs(300_000, 420_000)).toBe(0);
    expect(compactionBudgetMs(undefined, 500_000)).toBe(20_000);
  });
});
