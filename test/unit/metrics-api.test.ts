import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentToCsv, MetricsApi } from '../../functions/api/metrics-api.ts';
import { NATIONAL_LOCAL_USER } from '../../functions/auth/scope.ts';
import type { MetricRow } from '../../functions/contract/index.ts';
import { neutraliseFormula } from '../../functions/lib/csv.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { tempDir, tempDirs } from '../support/files.ts';

const rows = [
  { level: 'national', code: 'ENG', period_type: 'fy', period: '2025/26', referrals: 73, note: '=HYPERLINK("x")' },
  { level: 'pcn', code: 'U10001', period_type: 'fy', period: '2025/26', referrals: '*', note: '-2+3' },
  { level: 'pcn', code: 'U10002', period_type: 'month', period: '2025-04', referrals: 10, note: 'plain, with comma' },
] as unknown as MetricRow[];

const dir = tempDir('api');
const api = new MetricsApi(new FsObjectStore(dir.path));
const get = (path: string) => {
  const url = new URL(path, 'http://localhost');
  return api.handle({ method: 'GET', path: url.pathname, query: url.searchParams, identity: NATIONAL_LOCAL_USER });
};

beforeAll(async () => {
  await publish(new FsObjectStore(dir.path), rows, { months: ['2025-04'], icbs: [], pcns: [] });
});
afterAll(() => dir.remove());

/** A refresh's output as the API reads it: the rollout document of `rolloutRows`, then meta.json (last). */
async function publish(store: FsObjectStore, rolloutRows: readonly object[], meta: object): Promise<void> {
  await store.put('metrics/rollout.json', JSON.stringify({ name: 'rollout', rows: rolloutRows }));
  await store.put('metrics/meta.json', JSON.stringify(meta));
}

// The warm-instance tests each publish into a store of their own.
const stores = tempDirs();
afterAll(() => stores.removeAll());
const freshStore = (prefix: string) => new FsObjectStore(stores.make(prefix));

/** `store`, each key read from it recorded in `reads`. */
function countingReads(store: FsObjectStore, reads: string[]): FsObjectStore {
  return Object.assign(Object.create(store), {
    get: (key: string) => {
      reads.push(key);
      return store.get(key);
    },
  }) as FsObjectStore;
}

/** GET /api/metrics/rollout with `query`, as the national local user unless `request` says otherwise. */
const askRollout = (on: MetricsApi, query: string, request: Partial<Parameters<MetricsApi['handle']>[0]> = {}) =>
  on.handle({
    method: 'GET',
    path: '/api/metrics/rollout',
    query: new URLSearchParams(query),
    identity: NATIONAL_LOCAL_USER,
    ...request,
  });

const NO_SUCH_ROUTE = 'no such route: use /api/meta, /api/me, /api/metrics/<name> or /api/packs/<level>/<code>.pdf';

describe('the metrics API', () => {
  it('filters a document by level, code and period', async () => {
    const response = await get('/api/metrics/rollout?level=pcn&period=2025/26');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).rows).toEqual([rows[1]]);
    expect(JSON.parse((await get('/api/meta')).body)).toEqual({ months: ['2025-04'], icbs: [], pcns: [] });
  });

  it('serves CSV with suppressed figures as * and spreadsheet formulas neutralised', async () => {
    const response = await get('/api/metrics/rollout.csv');
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.body).toBe(
      'level,code,period_type,period,referrals,note\r\n' +
        'national,ENG,fy,2025/26,73,"\'=HYPERLINK(""x"")"\r\n' +
        "pcn,U10001,fy,2025/26,*,'-2+3\r\n" +
        'pcn,U10002,month,2025-04,10,"plain, with comma"\r\n',
    );
    expect(documentToCsv([])).toBe('\r\n');
    expect(neutraliseFormula('@SUM(A1)')).toBe("'@SUM(A1)");
  });

  it.each([
    ['/api/metrics/rollout?level=moon', 400, 'level must be one of national, region, icb, pcn'],
    ['/api/metrics/rollout?level=pcn&code=Y56', 400, 'code is not a valid pcn code'],
    ['/api/metrics/rollout?code=U10001', 400, 'code needs a level'],
    ['/api/metrics/rollout?period=last-year', 400, 'period must be YYYY-MM, a financial year such as 2024/25, or all'],
    ['/api/metrics/rollout?period_type=week', 400, 'period_type must be month, fy or all'],
    ['/api/metrics/rollout?sort=referrals', 400, 'an unknown query parameter: use level, code, period or period_type'],
    ['/api/metrics/rollout?9434765919=1', 400, 'an unknown query parameter: use level, code, period or period_type'],
    // A parameter given twice was answered by its first value (review: ?period=all&period=2025/26, an empty CSV).
    ['/api/metrics/rollout.csv?period=all&period=2025/26', 400, 'period is given more than once: give each once'],
    ['/api/metrics/rollout?level=pcn&level=pcn', 400, 'level is given more than once: give each once'],
    ['/api/metrics/rollout?level=pcn&code=U10001&code=U10002', 400, 'code is given more than once: give each once'],
    [
      '/api/metrics/rollout?period_type=fy&period=all&period_type=month',
      400,
      'period_type is given more than once: give each once',
    ],
    ['/api/metrics/rollout?period=&period=', 400, 'period is given more than once: give each once'],
    ['/api/metrics/unknown', 404, 'no metric called unknown'],
    // meta.json sits beside the metrics but is not one (it has no rows): it was answered with a 500.
    ['/api/metrics/meta', 404, 'no metric called meta'],
    ['/api/metrics/meta.csv', 404, 'no metric called meta'],
    ['/api/metrics/../../receipts/x', 404, NO_SUCH_ROUTE],
    ['/api/elsewhere', 404, NO_SUCH_ROUTE],
  ])('%s answers %i with a clear message', async (path, status, message) => {
    const response = await get(path);
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body)).toEqual({ error: message });
  });

  it('refuses methods other than GET', async () => {
    const response = await api.handle({
      method: 'POST',
      path: '/api/meta',
      query: new URLSearchParams(),
      identity: NATIONAL_LOCAL_USER,
    });
    expect(response.status).toBe(405);
  });
});

describe('a warm API after a refresh', () => {
  it("serves the new figures once meta.json's generated_at changes, re-reading meta at most once per TTL", async () => {
    // Prepare: a warm instance that has served the first refresh's documents.
    const store = freshStore('api-warm');
    const refresh = (generatedAt: string, referrals: number) =>
      publish(store, [{ ...rows[0], referrals }], { generated_at: generatedAt, icbs: [], pcns: [] });
    await refresh('2026-11-01T06:00:00.000Z', 73);
    let now = 0;
    const warm = new MetricsApi(store, { metaTtlMs: 30_000, now: () => now });
    const referrals = async () => JSON.parse((await askRollout(warm, 'level=national')).body).rows[0].referrals;
    expect(await referrals()).toBe(73);

    // Act: the refresh writes new documents, meta last.
    await refresh('2026-11-02T06:00:00.000Z', 80);

    // Assess: within the TTL the instance still answers from its copy; after it, with the new figures.
    now = 29_999;
    expect(await referrals()).toBe(73);
    now = 30_000;
    expect(await referrals()).toBe(80);
    // A document rewritten without a new meta (not something a refresh does) is not re-read: the cache holds.
    await store.put('metrics/rollout.json', JSON.stringify({ name: 'rollout', rows: [{ ...rows[0], referrals: 1 }] }));
    now = 90_000;
    expect(await referrals()).toBe(80);
  });
  it('a refresh seen costs one invalidation: meta.json and each document read once, though questions come meanwhile', async () => {
    // Prepare: a warm instance that has answered from the first refresh, its reads counted.
    const store = freshStore('api-refreshed');
    const refresh = (generatedAt: string, referrals: number) =>
      publish(store, [{ ...rows[0], referrals }], {
        generated_at: generatedAt,
        icbs: [],
        pcns: [],
        metrics: [{ name: 'rollout' }],
      });
    await refresh('2026-11-01T06:00:00.000Z', 73);
    const reads: string[] = [];
    const api = new MetricsApi(countingReads(store, reads));
    const ask = (query: string) =>
      askRollout(api, query).then((response) => JSON.parse(response.body).rows[0].referrals as number);
    expect(await Promise.all([ask('level=national'), ask('level=national&period=2025/26')])).toEqual([73, 73]);
    expect({ invalidations: api.invalidations, reads }).toEqual({
      invalidations: 0,
      reads: ['metrics/meta.json', 'metrics/rollout.json'],
    });

    // Act: the next refresh is published and the API told, while ten questions arrive.
    await refresh('2026-11-02T06:00:00.000Z', 80);
    reads.length = 0;
    const warming = api.refreshed();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => ask(i % 2 ? 'level=national' : 'level=national&period=2025/26')),
    );
    await warming;

    // Assess: one invalidation, one read of meta and of the document, and every answer the new figure.
    expect(answers).toEqual(Array(10).fill(80));
    expect({ invalidations: api.invalidations, reads }).toEqual({
      invalidations: 1,
      reads: ['metrics/meta.json', 'metrics/rollout.json'],
    });
  });
});

describe('answers kept per refresh', () => {
  it('filters and serialises each question once per refresh and caller scope, and never gives one scope another’s', async () => {
    const store = freshStore('api-answers');
    const geography = {
      icbs: [{ code: 'QAA', name: 'A', parent: 'Y56' }],
      pcns: [
        { code: 'U10001', name: 'One', parent: 'QAA' },
        { code: 'U10002', name: 'Two', parent: 'QAA' },
      ],
    };
    await publish(store, rows, { generated_at: '2026-11-01T06:00:00.000Z', ...geography });
    let now = 0;
    const warm = new MetricsApi(store, { metaTtlMs: 1_000, now: () => now });
    const ask = (query: string, identity = NATIONAL_LOCAL_USER) => askRollout(warm, query, { identity });
    const pcnUser = { role: 'pcn' as const, code: 'U10002', subject: 'pcn-user' };

    const first = await ask('level=pcn&period_type=fy');
    // The same question, its parameters in another order: the very same answer, not filtered or serialised again.
    expect(await ask('period_type=fy&level=pcn')).toBe(first);
    expect(JSON.parse(first.body).rows.map((r: MetricRow) => r.code)).toEqual(['U10001']);
    // Another scope asking the same question gets its own rows.
    expect(JSON.parse((await ask('level=pcn', pcnUser)).body).rows.map((r: MetricRow) => r.code)).toEqual(['U10002']);
    expect(JSON.parse((await ask('level=pcn')).body).rows.map((r: MetricRow) => r.code)).toEqual(['U10001', 'U10002']);
    // A refused question is not kept: it is refused again, and a valid one after it is answered.
    expect((await ask('level=pcn&code=U10001', pcnUser)).status).toBe(403);
    expect((await ask('level=pcn&code=U10001', pcnUser)).status).toBe(403);

    // A new refresh (a new generated_at in meta.json): answers of the last one are dropped.
    await publish(store, [{ ...rows[1], referrals: 12 }], { generated_at: '2026-11-02T06:00:00.000Z', ...geography });
    now = 1_000;
    const next = await ask('level=pcn&period_type=fy');
    expect(next).not.toBe(first);
    expect(JSON.parse(next.body).rows).toEqual([{ ...rows[1], referrals: 12 }]);
  });

  it('answers If-None-Match with 304 while the answer is the same, and 200 with a new tag after a refresh', async () => {
    const store = freshStore('api-etag');
    await publish(store, rows, { generated_at: '2026-11-01T06:00:00.000Z', icbs: [], pcns: [] });
    let now = 0;
    const warm = new MetricsApi(store, { metaTtlMs: 1_000, now: () => now });
    const ask = (ifNoneMatch?: string) => askRollout(warm, 'level=pcn', { ifNoneMatch });
    const first = await ask();
    const etag = first.headers.etag as string;
    expect(first.status).toBe(200);
    expect(first.headers).toMatchObject({ 'cache-control': 'private, no-cache', vary: 'accept-encoding' });
    expect(await ask(etag)).toEqual({
      status: 304,
      headers: { etag, vary: 'accept-encoding', 'cache-control': 'private, no-cache' },
      body: '',
    });
    expect((await ask('W/"another"')).status).toBe(200);
    await publish(store, [{ ...rows[1], referrals: 12 }], {
      generated_at: '2026-11-02T06:00:00.000Z',
      icbs: [],
      pcns: [],
    });
    now = 1_000;
    const next = await ask(etag);
    expect(next.status).toBe(200);
    expect(next.headers.etag).not.toBe(etag);
  });

  it('makes an answer once for many callers asking at once, and keeps answers within its byte budget', async () => {
    const store = freshStore('api-budget');
    const wide = Array.from({ length: 300 }, (_, i) => ({ ...rows[2], code: `U${20000 + i}` }));
    await publish(store, wide, { generated_at: '2026-11-01T06:00:00.000Z', icbs: [], pcns: [] });
    const reads: string[] = [];
    const budget = 100_000;
    const api = new MetricsApi(countingReads(store, reads), { answerBytes: budget });
    const ask = (query: string) => askRollout(api, query);
    const answers = await Promise.all(Array.from({ length: 50 }, () => ask('level=pcn')));
    expect(new Set(answers).size).toBe(1);
    expect(reads.filter((k) => k === 'metrics/rollout.json')).toHaveLength(1);
    const [answer] = answers as [Awaited<ReturnType<typeof ask>>];
    await answer.encoded?.brotliReady;
    // The answer's cost: its JSON twice (the string and the bytes), its gzip and its Brotli form.
    const one =
      Buffer.byteLength(answer.body) * 2 +
      (answer.encoded?.forClient('gzip').body.length ?? 0) +
      (answer.encoded?.forClient('br').body.length ?? 0);
    expect(api.answers.bytes).toBe(one);
    const firstKey = `${NATIONAL_LOCAL_USER.role}|${NATIONAL_LOCAL_USER.code}|/api/metrics/rollout?level=pcn`;
    expect(api.answers.get(firstKey)).toBe(answer);
    // Other questions, each its own answer: the least recently asked go once the budget is passed.
    for (const period of ['2025-04', '2025/26', 'all']) await ask(`level=pcn&period=${period}`);
    expect(api.answers.bytes).toBeLessThanOrEqual(budget);
    expect(api.answers.size).toBe(3);
    // The first answer was the least recently asked when the second large one came.
    expect(api.answers.get(firstKey)).toBeUndefined();
  });
});

it('writes a cell holding a list or an object as its JSON text in CSV (review: spc.csv read [object Object])', () => {
  const spc = [{ level: 'pcn', code: 'U10001', values: [{ month: '2025-04', value: 3 }], rules: ['shift'] }];
  expect(documentToCsv(spc as unknown as MetricRow[])).toBe(
    'level,code,values,rules\r\npcn,U10001,"[{""month"":""2025-04"",""value"":3}]","[""shift""]"\r\n',
  );
});
