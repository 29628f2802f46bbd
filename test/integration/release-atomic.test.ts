import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsApi } from '../../functions/api/metrics-api.ts';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { META_KEY, RELEASES_PREFIX } from '../../functions/lib/keys.ts';
import { FsObjectStore, type ObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { currentRelease, storedReleases } from '../../functions/lib/release.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { tempDir } from '../support/files.ts';
import { ingestQuietly, TEN_PCNS_REFERENCE, tenPcnsMonth, writeEventFiles } from '../support/golden.ts';
import { storeWith } from '../support/store-with.ts';

/*
 * Review 24, R24-2 (reviewer24's zz-r24-half-release.test.ts, kept as it was but for reading the release meta.json
 * names instead of metrics/rollout.json): a refresh that stops during its last steps (the Lambda's 15 minutes or
 * 2,048 MB run out, or one pack's put fails) left the documents it wrote beside the previous meta.json: a half release,
 * served. Ten PCNs, 10 referrals each in October 2026 (received 1 November): release 1 on 2 November (data as of
 * 31 October, the last day of the last complete month: every PCN sent October). Then November's files (10 referrals
 * each, received 1 December) and a refresh on 2 December that stops at its first pack (a put that throws, as S3 would
 * after the SDK's retries; a timeout stops at the same place, without even the catch). What a reader should get until
 * a refresh succeeds: release 1 whole (meta and every document of 2 November, data as of 2026-10-31).
 * On natfix (4ec043c, before releases) the document stored and served was the 2 December one, data as of 2026-11-30.
 */

const dir = tempDir('release-atomic');
const data = join(dir.path, 'data');
let failure = '';
let metaAfterRelease1 = '';

const refresh = async (now: string, store: ObjectStore) => {
  const engine = new DuckDbEngine(data);
  try {
    return await refreshMetrics({ store, engine, clock: () => new Date(now) });
  } finally {
    await engine.close();
  }
};
const national = new URLSearchParams('level=national&code=ENG');
const identity = { role: 'national', code: 'ENG', subject: 'r24' } as never;
/** A metric document asked for England, or meta (which takes no query: sec33), as the dashboard asks for them. */
const ask = async (api: MetricsApi, path: string) => {
  const query = path === '/api/meta' ? new URLSearchParams() : national;
  const answer = await api.handle({ method: 'GET', path, query, identity });
  expect(answer.status, path).toBe(200);
  return JSON.parse(answer.body) as MetricDocument;
};

beforeAll(async () => {
  const store = new FsObjectStore(data);
  await stageReference(store, TEN_PCNS_REFERENCE);
  const october = writeEventFiles(dir.path, tenPcnsMonth('2026-10'));
  await ingestQuietly(october, data, '2026-11-01T05:00:00Z');
  await refresh('2026-11-02T06:00:00Z', store);
  metaAfterRelease1 = new TextDecoder().decode(await store.get(META_KEY));
  const november = writeEventFiles(dir.path, tenPcnsMonth('2026-11'));
  await ingestQuietly(november, data, '2026-12-01T05:00:00Z');
  const failing = storeWith(store, {
    put: (key, body) => {
      // The packs of any release (metrics/packs/ before releases, metrics/releases/<id>/packs/ since).
      if (/^metrics\/(releases\/[^/]+\/)?packs\//.test(key))
        return Promise.reject(new Error('InternalError (S3), after the retries'));
      return store.put(key, body);
    },
  });
  try {
    await refresh('2026-12-02T06:00:00Z', failing);
  } catch (error) {
    failure = (error as Error).message;
  }
}, 240_000);
afterAll(() => dir.remove());

describe('R24-2: a refresh that stops in its writes leaves the release before whole', () => {
  it('the refresh failed', () => expect(failure).toContain('InternalError'));

  it('every document served is of the release meta.json names (2 November)', async () => {
    const store = new FsObjectStore(data);
    // meta.json is the one object a release is published by: byte for byte the one of 2 November.
    expect(new TextDecoder().decode(await store.get(META_KEY))).toBe(metaAfterRelease1);
    const published = await currentRelease(store);
    const read = async (key: string) =>
      JSON.parse(new TextDecoder().decode(await published.get(key))) as MetricDocument;
    const meta = await read('metrics/meta.json');
    const rollout = await read('metrics/rollout.json');
    expect(meta.generated_at).toBe('2026-11-02T06:00:00.000Z');
    // A cold API instance (a Lambda started after the failed refresh) answers with the release meta.json names.
    const served = await ask(new MetricsApi(store), '/api/metrics/rollout');
    expect({ stored: rollout.generated_at, served: served.generated_at, data_as_of: served.data_as_of }).toEqual({
      stored: meta.generated_at,
      served: meta.generated_at,
      data_as_of: '2026-10-31',
    });
  });

  it('the stopped refresh left its documents under a release of its own that nothing names; /api/meta is unchanged', async () => {
    const store = new FsObjectStore(data);
    // Release ids are generated_at's digits: the published one and the one that stopped at its packs.
    expect(await storedReleases(store)).toEqual(['20261102T060000000Z', '20261202T060000000Z']);
    // 14 catalogue documents + spc + alerts were written before the packs failed (as published on 2 November).
    const stopped = (await store.list(`${RELEASES_PREFIX}20261202T060000000Z/`)).filter((k) => k.endsWith('.json'));
    const whole = (await store.list(`${RELEASES_PREFIX}20261102T060000000Z/`)).filter((k) => k.endsWith('.json'));
    expect(stopped.length).toBe(whole.length);
    expect(stopped.length).toBeGreaterThan(10);
    // The API's meta is the contract's: the storage's `release` is not answered.
    const meta = (await ask(new MetricsApi(store), '/api/meta')) as unknown as Record<string, unknown>;
    expect(meta.generated_at).toBe('2026-11-02T06:00:00.000Z');
    expect('release' in meta).toBe(false);
  });

  it('the next refresh that succeeds publishes its own release whole and keeps the one before', async () => {
    const store = new FsObjectStore(data);
    const result = await refresh('2026-12-03T06:00:00Z', store);
    expect(result.release).toBe('20261203T060000000Z');
    const served = await ask(new MetricsApi(store), '/api/metrics/rollout');
    // November is now complete (every PCN sent it): data as of its last day.
    expect({ served: served.generated_at, data_as_of: served.data_as_of }).toEqual({
      served: '2026-12-03T06:00:00.000Z',
      data_as_of: '2026-11-30',
    });
    // Kept: the new one, the one published before it, and the two newest before it (here the stopped one too).
    expect(await storedReleases(store)).toEqual(['20261102T060000000Z', '20261202T060000000Z', '20261203T060000000Z']);
  }, 120_000);
});
