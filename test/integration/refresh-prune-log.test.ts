import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELEASES_PREFIX } from '../../functions/lib/keys.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { storedReleases } from '../../functions/lib/release.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { createRefreshHandler } from '../../functions/refresh/handler.ts';
import { capturedLogger } from '../support/captured-logger.ts';
import { lambdaContext, tempDir } from '../support/files.ts';
import { ingestSmallDemo } from '../support/golden.ts';
import { storeWith } from '../support/store-with.ts';

/*
 * Review 25, R25-10: a release the refresh could not delete was reported by console.warn, a line of text outside the
 * handler's structured log, with no release named. It now goes through the handler's logger (Powertools), naming the
 * release and never an object's content, and the other old releases are still deleted.
 */
const scheduled = JSON.parse(readFileSync('test/fixtures/events/eventbridge-scheduled.json', 'utf8'));
const dir = tempDir('refresh-prune-log');
const data = `${dir.path}/data`;
const { logger, logs } = capturedLogger('sp-outcomes-refresh');

beforeAll(() => ingestSmallDemo(data, `${dir.path}/demo`, 5));
afterAll(() => dir.remove());

describe('old releases the refresh cannot delete', () => {
  it('are named in the structured log by release id, without their content; the others are deleted', async () => {
    // Four releases left before (no meta.json names any: stopped part-way, or published before the data was moved).
    const old = ['01', '02', '03', '04'].map((d) => `202609${d}T060000000Z`);
    const [r01, r02, r03, r04] = old as [string, string, string, string];
    const fs = new FsObjectStore(data);
    const content = 'a document of release 01';
    for (const id of old) {
      await fs.put(`${RELEASES_PREFIX}${id}/rollout.json`, content);
      await fs.put(`${RELEASES_PREFIX}${id}/packs/national/ENG.pdf`, content);
    }
    // S3 refuses the deletes of release 01's objects (AccessDenied after the SDK's retries).
    const store = storeWith(fs, {
      delete: (key) =>
        key.startsWith(`${RELEASES_PREFIX}${r01}/`)
          ? Promise.reject(Object.assign(new Error(`Access Denied (${key})`), { name: 'AccessDenied' }))
          : fs.delete(key),
    });
    const handler = createRefreshHandler({
      store,
      engine: () => new DuckDbEngine(data),
      logger,
      writeMetric: () => {},
    });
    const result = (await handler(structuredClone(scheduled), lambdaContext('sp-outcomes-refresh', 600_000))) as {
      release: string;
    };
    // Now (the refresh's own clock): newer than every release left before.
    expect(result.release > r04).toBe(true);
    // Kept: the release published and the two newest before it (03, 04; none was published before). 01 and 02 go;
    // 01's deletes were refused, so it stays for the next refresh.
    expect(await storedReleases(fs)).toEqual([r01, r03, r04, result.release]);
    expect(r02).toBe('20260902T060000000Z');
    const warnings = logs.filter((l) => l.level === 'WARN');
    expect(warnings.map(({ message, release, error, reason }) => ({ message, release, error, reason }))).toEqual([
      {
        message: 'old release not deleted (the next refresh tries again)',
        release: r01,
        error: 'AccessDenied',
        reason: `Access Denied (${RELEASES_PREFIX}${r01}/packs/national/ENG.pdf)`,
      },
    ]);
    expect(JSON.stringify(logs)).not.toContain(content);
  });
});
