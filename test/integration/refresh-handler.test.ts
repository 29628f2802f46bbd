import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { type QueryEngine, QueryError } from '../../functions/lib/query-engine.ts';
import { currentRelease } from '../../functions/lib/release.ts';
import { ALERTS_BASE_RECORD_KEY } from '../../functions/refresh/alerts-base.ts';
import { createRefreshHandler, publishSucceededMetric } from '../../functions/refresh/handler.ts';
import { PEAK_RSS_METRIC, peakRssMetric } from '../../functions/refresh/peak-memory.ts';
import { REFRESH_MESSAGE_GROUP } from '../../infra/constructs/metrics-refresh.ts';
import { capturedLogger } from '../support/captured-logger.ts';
import { lambdaContext, tempDir } from '../support/files.ts';
import { ingestSmallDemo } from '../support/golden.ts';
import { sharedQueryAnswers } from '../support/query-answers.ts';

const scheduled = JSON.parse(readFileSync('test/fixtures/events/eventbridge-scheduled.json', 'utf8'));
const context = lambdaContext('sp-outcomes-refresh', 600_000);
const dir = tempDir('refresh-handler');
const data = `${dir.path}/data`;
const store = new FsObjectStore(data);
const { logger, logs } = capturedLogger('sp-outcomes-refresh');
// The data no test here changes: every refresh of the file runs the same SQL over it with the same answers, so DuckDB is
// asked once (by the first refresh) and the refreshes after it are given its answers (kept by the curated objects' bytes
// too: a test that changed the data would get DuckDB's own) (each ran some 5 of its 8 CPU
// seconds in DuckDB, and the file's 13 refreshes took 60-100 s a test at load, some past the timeout).
const answers = sharedQueryAnswers(data);

beforeAll(() => ingestSmallDemo(data, `${dir.path}/demo`, 3));
afterAll(() => dir.remove());

const sqs = JSON.parse(readFileSync('test/fixtures/events/sqs-eventbridge-s3-object-created.json', 'utf8'));

describe('the refresh Lambda handler', () => {
  it('publishes every document on a scheduled event, then writes the last-successful-publish metric', async () => {
    const metrics: string[] = [];
    const at = new Date('2026-10-01T06:03:00Z');
    const handler = createRefreshHandler({
      store,
      engine: answers.engine,
      logger,
      writeMetric: (line) => metrics.push(line),
      clock: () => at,
    });
    const result = await handler(structuredClone(scheduled), context);
    // The file's first refresh asked DuckDB itself (the answers the refreshes after it are given).
    expect(answers.real).toBe(1);
    // Embedded Metric Format lines (CloudWatch's specification): the process's peak memory (review 24, R24-3), then
    // PublishSucceeded = 1 for this function, at `at`.
    const refreshed = logs.find((l) => l.message === 'metrics refreshed') as Record<string, unknown>;
    const peak = refreshed.peak_rss_mb as number;
    // The test process's own peak, in whole MB: more than the 13 documents it has just written, less than 64 GB.
    expect(peak).toBeGreaterThan(50);
    expect(peak).toBeLessThan(65_536);
    expect(metrics[0]).toBe(peakRssMetric('sp-outcomes-refresh', at, peak));
    expect(JSON.parse(metrics[0] as string)).toEqual({
      _aws: {
        Timestamp: 1_790_834_580_000,
        CloudWatchMetrics: [
          {
            Namespace: 'SpOutcomes',
            Dimensions: [['FunctionName']],
            Metrics: [{ Name: 'RefreshPeakRss', Unit: 'Megabytes' }],
          },
        ],
      },
      FunctionName: 'sp-outcomes-refresh',
      RefreshPeakRss: peak,
    });
    expect(PEAK_RSS_METRIC.name).toBe('RefreshPeakRss');
    // The function's memory (the context's) beside it, and every step's time.
    expect(refreshed.memory_mb).toBe(1024);
    expect(Object.keys(refreshed.timings_ms as object)).toEqual(
      expect.arrayContaining(['episodes', 'write documents']),
    );
    expect(metrics.slice(1).map((line) => JSON.parse(line))).toEqual([
      {
        _aws: {
          Timestamp: 1_790_834_580_000,
          CloudWatchMetrics: [
            {
              Namespace: 'SpOutcomes',
              Dimensions: [['FunctionName']],
              Metrics: [{ Name: 'PublishSucceeded', Unit: 'Count' }],
            },
          ],
        },
        FunctionName: 'sp-outcomes-refresh',
        PublishSucceeded: 1,
      },
    ]);
    expect(metrics[1]).toBe(publishSucceededMetric('sp-outcomes-refresh', at));
    for (const line of metrics) expect(line).not.toContain('\n');
    expect(result.documents).toHaveLength(13);
    expect((await (await currentRelease(store)).list('metrics/')).filter((k) => k.endsWith('.json'))).toHaveLength(14);
    expect(logs.find((l) => l.message === 'metrics refreshed')).toMatchObject({
      documents: 13,
      data_as_of: '2025-06-30',
      trigger: 'Scheduled Event',
    });
  });

  it('also refreshes on a batch of "receipt written" messages from the debounce queue', async () => {
    const handler = createRefreshHandler({ store, engine: answers.engine, logger });
    const batch = { Records: [sqs.Records[0], { ...sqs.Records[0], messageId: 'second' }] };
    const result = await handler(batch, context);
    expect(result.documents).toHaveLength(13);
    expect(logs.filter((l) => l.message === 'metrics refreshed').at(-1)).toMatchObject({
      trigger: 'uploads ingested',
      uploads: 2,
    });
  });

  describe("the schedule's event from the FIFO request queue (as deployed)", () => {
    // As Lambda receives a message from the deployed FIFO queue: the whole EventBridge event as its body.
    const fromFifo = (body: string, messageId: string, sequence: string) => ({
      ...sqs.Records[0],
      messageId,
      body,
      attributes: {
        ...sqs.Records[0].attributes,
        MessageGroupId: REFRESH_MESSAGE_GROUP,
        MessageDeduplicationId: `dedup-${messageId}`,
        SequenceNumber: sequence,
      },
      eventSourceARN: 'arn:aws:sqs:eu-west-2:111122223333:sp-outcomes-refresh-requests.fifo',
    });
    const schedule = fromFifo(JSON.stringify(scheduled), 'schedule', '18849496460467696128');
    const receipt = fromFifo(sqs.Records[0].body, 'receipt', '18849496460467696129');
    const lastRefreshed = () => logs.filter((l) => l.message === 'metrics refreshed').at(-1);

    it('alone: refreshes, and logs it as the scheduled refresh', async () => {
      const handler = createRefreshHandler({ store, engine: answers.engine, logger });
      expect((await handler({ Records: [schedule] }, context)).documents).toHaveLength(13);
      expect(lastRefreshed()).toMatchObject({ trigger: 'Scheduled Event', uploads: 0, scheduled: 1 });
    });

    it('in one batch with a receipt: one refresh for both', async () => {
      const handler = createRefreshHandler({ store, engine: answers.engine, logger });
      expect((await handler({ Records: [schedule, receipt] }, context)).documents).toHaveLength(13);
      expect(lastRefreshed()).toMatchObject({ trigger: 'uploads ingested', uploads: 1, scheduled: 1 });
    });
  });

  // Review 13, R13-4: every receipt asked for a refresh and each batch of 10 ran a whole national one, though the
  // first after a burst had read every receipt: 40 receipts written before a refresh made 4 refreshes where 1 would do.
  it('skips a batch whose receipts are all a minute or more older than the last successful refresh’s start', async () => {
    const start = new Date('2026-11-02T10:00:00Z');
    let engines = 0;
    const handler = createRefreshHandler({
      store,
      engine: () => {
        engines += 1;
        return answers.engine();
      },
      logger,
      clock: () => start,
    });
    expect((await handler(structuredClone(scheduled), context)).documents).toHaveLength(13);
    expect(JSON.parse(new TextDecoder().decode(await store.get('private/refresh/last-success.json')))).toEqual({
      started_at: '2026-11-02T10:00:00.000Z',
    });
    const receiptAt = (time: string, messageId: string) => {
      const body = JSON.parse(sqs.Records[0].body);
      return { ...sqs.Records[0], messageId, body: JSON.stringify({ ...body, time }) };
    };
    // 09:59:00 is 60 s before the start: read by that refresh, whatever the clocks' second. Skipped, engine unused.
    const served = { Records: [receiptAt('2026-11-02T09:40:00Z', 'a'), receiptAt('2026-11-02T09:59:00Z', 'b')] };
    expect(await handler(served, context)).toEqual({ skipped: true, servedBy: '2026-11-02T10:00:00.000Z' });
    expect(engines).toBe(1);
    expect(logs.at(-1)).toMatchObject({
      message: 'refresh requests already served by the last refresh',
      last_started_at: '2026-11-02T10:00:00.000Z',
      uploads: 2,
    });
    // One receipt 59 s before the start may have been written after the refresh listed receipts: the batch runs.
    const close = { Records: [receiptAt('2026-11-02T09:40:00Z', 'c'), receiptAt('2026-11-02T09:59:01Z', 'd')] };
    expect((await handler(close, context)).documents).toHaveLength(13);
    expect(engines).toBe(2);
  });

  // Review 15: a corrupt record threw from JSON.parse on every batch, so nothing refreshed until someone mended it.
  it('reads a corrupt or unreadable last-success record as none: the batch refreshes, with a warning', async () => {
    const start = new Date('2026-11-03T10:00:00Z');
    const body = JSON.parse(sqs.Records[0].body);
    // An hour before the start: with a good record saying 10:00 this batch would be skipped as already served.
    const old = { Records: [{ ...sqs.Records[0], body: JSON.stringify({ ...body, time: '2026-11-03T09:00:00Z' }) }] };
    const notATime = 'the last refresh record is not a start time; refreshing as if there were none';
    const key = 'private/refresh/last-success.json';
    // A record cut short: the refresh runs (the real one), rewrites the record, and the same batch is then served.
    await store.put(key, '{"started_at": "2026-11-03T10:0');
    const real = createRefreshHandler({ store, engine: answers.engine, logger, clock: () => start });
    expect((await real(structuredClone(old), context)).documents).toHaveLength(13);
    expect(logs.filter((l) => l.message === notATime)).toEqual([expect.objectContaining({ level: 'WARN', key })]);
    expect(await real(structuredClone(old), context)).toEqual({ skipped: true, servedBy: '2026-11-03T10:00:00.000Z' });
    // Other records that say no time, and a store that cannot read the record (S3 refusing, say): each batch goes on
    // to refresh (an engine is asked for; this one refuses at once, so the refresh fails as it would on any fault).
    const unreadable = Object.create(store, {
      get: {
        value: (k: string) =>
          k === key ? Promise.reject(Object.assign(new Error('denied'), { name: 'AccessDenied' })) : store.get(k),
      },
    }) as typeof store;
    let engines = 0;
    const refusing = (over: typeof store) =>
      createRefreshHandler({
        store: over,
        engine: () => {
          engines += 1;
          throw new Error('refreshing');
        },
        logger,
        clock: () => start,
      });
    for (const bytes of ['null\n', '{"started_at": "yesterday"}\n', '["2026-11-03T10:00:00.000Z"]\n']) {
      await store.put(key, bytes);
      await expect(refusing(store)(structuredClone(old), context)).rejects.toThrow('refreshing');
    }
    expect(logs.filter((l) => l.message === notATime)).toHaveLength(4);
    await store.put(key, '{"started_at":"2026-11-03T10:00:00.000Z"}\n');
    await expect(refusing(unreadable)(structuredClone(old), context)).rejects.toThrow('refreshing');
    expect(engines).toBe(4);
    expect(
      logs.find((l) => l.message === 'the last refresh record could not be read; refreshing as if there were none'),
    ).toMatchObject({ level: 'WARN', key, error: 'AccessDenied' });
    // And with that same good record readable, the batch is served (the refusing engine is never asked for).
    expect(await refusing(store)(structuredClone(old), context)).toEqual({
      skipped: true,
      servedBy: '2026-11-03T10:00:00.000Z',
    });
    expect(engines).toBe(4);
  });

  // Review 14, R14-4: receipts arriving steadily made a whole refresh every few minutes. Within the least interval of
  // the last successful start a request is deferred (recorded), and the catch-up schedule's request serves it.
  it('defers requests within the least interval to the catch-up schedule, which refreshes once for all of them', async () => {
    const key = 'private/refresh/last-success.json';
    const record = async () => JSON.parse(new TextDecoder().decode(await store.get(key)));
    let now = new Date('2026-11-05T10:00:00Z');
    let engines = 0;
    let refuse = false;
    const handler = createRefreshHandler({
      store,
      engine: () => {
        engines += 1;
        if (refuse) throw new Error('Athena unavailable');
        return answers.engine();
      },
      logger,
      clock: () => now,
      minIntervalMs: 30 * 60_000,
    });
    const body = JSON.parse(sqs.Records[0].body);
    const receipt = (time: string, messageId: string) => ({
      ...sqs.Records[0],
      messageId,
      body: JSON.stringify({ ...body, id: messageId, time }),
    });
    const catchUp = (time: string, messageId: string) => ({
      ...sqs.Records[0],
      messageId,
      body: JSON.stringify({ 'detail-type': 'Deferred Refresh Check', id: messageId, time }),
    });
    expect((await handler(structuredClone(scheduled), context)).documents).toHaveLength(13);
    expect(engines).toBe(1);
    // 10:15, a receipt written at 10:10: new to the 10:00 refresh, but 15 min after its start (< 30): deferred.
    now = new Date('2026-11-05T10:15:00Z');
    expect(await handler({ Records: [receipt('2026-11-05T10:10:00Z', 'r1')] }, context)).toEqual({
      skipped: true,
      deferredAt: '2026-11-05T10:15:00.000Z',
    });
    expect(await record()).toEqual({ started_at: '2026-11-05T10:00:00.000Z', deferred_at: '2026-11-05T10:15:00.000Z' });
    expect(logs.at(-1)).toMatchObject({
      message: 'refresh requests deferred to the catch-up schedule',
      last_started_at: '2026-11-05T10:00:00.000Z',
      min_interval_ms: 1_800_000,
      uploads: 1,
    });
    // 10:25, two more (29 min 59 s is still within): deferred, the first deferral kept.
    now = new Date('2026-11-05T10:29:59Z');
    const later = { Records: [receipt('2026-11-05T10:20:00Z', 'r2'), receipt('2026-11-05T10:24:00Z', 'r3')] };
    expect(await handler(later, context)).toEqual({ skipped: true, deferredAt: '2026-11-05T10:15:00.000Z' });
    expect(engines).toBe(1);
    // 10:35, the catch-up request: something was deferred, so it refreshes; Athena fails, the invocation fails
    // (SQS retries it) and the deferral stays for the next attempt or the next catch-up, the failure counted.
    now = new Date('2026-11-05T10:35:00Z');
    refuse = true;
    await expect(handler({ Records: [catchUp('2026-11-05T10:30:00Z', 'c1')] }, context)).rejects.toThrow(
      'Athena unavailable',
    );
    expect(engines).toBe(2);
    expect(await record()).toEqual({
      started_at: '2026-11-05T10:00:00.000Z',
      deferred_at: '2026-11-05T10:15:00.000Z',
      failures: 1,
      failed_at: '2026-11-05T10:35:00.000Z',
    });
    // 10:50, the catch-up again (a retry): 15 min after the failure, under the back-off's 30 (R18-5): it waits.
    now = new Date('2026-11-05T10:50:00Z');
    expect(await handler({ Records: [catchUp('2026-11-05T10:30:00Z', 'c1')] }, context)).toEqual({
      skipped: true,
      backingOffUntil: '2026-11-05T11:05:00.000Z',
    });
    expect(logs.at(-1)).toMatchObject({ message: 'catch-up backing off after failed refreshes', failures: 1 });
    expect(engines).toBe(2);
    // 11:05, the next catch-up: refreshes (one refresh for the three receipts), and the record has no deferral left.
    now = new Date('2026-11-05T11:05:00Z');
    refuse = false;
    expect((await handler({ Records: [catchUp('2026-11-05T11:00:00Z', 'c2')] }, context)).documents).toHaveLength(13);
    expect(engines).toBe(3);
    expect(logs.filter((l) => l.message === 'metrics refreshed').at(-1)).toMatchObject({
      trigger: 'deferred uploads',
      uploads: 0,
      catch_up: 1,
    });
    expect(await record()).toEqual({ started_at: '2026-11-05T11:05:00.000Z' }); // the failures reset too
    // Those receipts again (a redelivery): served by the 11:05 refresh (10:24 + 1 min <= 11:05).
    expect(await handler(later, context)).toEqual({ skipped: true, servedBy: '2026-11-05T11:05:00.000Z' });
    // 11:35, a catch-up with nothing deferred since: nothing to do, no engine.
    now = new Date('2026-11-05T11:35:00Z');
    expect(await handler({ Records: [catchUp('2026-11-05T11:30:00Z', 'c3')] }, context)).toEqual({
      skipped: true,
      servedBy: '2026-11-05T11:05:00.000Z',
    });
    expect(logs.at(-1)).toMatchObject({ message: 'no refresh requests deferred since the last refresh', catch_up: 1 });
    expect(engines).toBe(3);
    // 11:40, a receipt written 11:36: 35 min after the last start (>= 30): refreshes at once, as after a quiet spell.
    now = new Date('2026-11-05T11:40:00Z');
    refuse = true;
    await expect(handler({ Records: [receipt('2026-11-05T11:36:00Z', 'r4')] }, context)).rejects.toThrow(
      'Athena unavailable',
    );
    expect(engines).toBe(4);
  });

  it('parses each message body once per batch', async () => {
    const start = new Date('2026-11-04T10:00:00Z');
    await store.put('private/refresh/last-success.json', '{"started_at":"2026-11-04T10:00:00.000Z"}\n');
    const handler = createRefreshHandler({ store, engine: answers.engine, logger, clock: () => start });
    const body = JSON.parse(sqs.Records[0].body);
    const bodies = ['09:00:00', '09:01:00', '09:02:00'].map((t) =>
      JSON.stringify({ ...body, time: `2026-11-04T${t}Z` }),
    );
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const batch = { Records: bodies.map((b, i) => ({ ...sqs.Records[0], messageId: `m${i}`, body: b })) };
      expect(await handler(batch, context)).toEqual({ skipped: true, servedBy: '2026-11-04T10:00:00.000Z' });
      // Three bodies, each parsed once (was twice: once for its time, again for the log's detail-type).
      expect(parse.mock.calls.filter(([text]) => bodies.includes(text as string)).map(([text]) => text)).toEqual(
        bodies,
      );
    } finally {
      parse.mockRestore();
    }
  });

  it('lets the engine go after its last query, before the first document is written, and closes it last', async () => {
    const calls: string[] = [];
    const recording = (): QueryEngine => {
      const real = answers.engine();
      return {
        materialize: (name, file, params) => real.materialize(name, file, params),
        defineView: (name, file) => real.defineView(name, file),
        query: async (file, params) => {
          calls.push(`query ${file}`);
          return real.query(file, params);
        },
        release: async () => {
          calls.push('release');
          await real.release();
        },
        close: async () => {
          calls.push('close');
          await real.close();
        },
      };
    };
    const writes: FsObjectStore = Object.create(store);
    writes.put = async (key, body) => {
      if (key.startsWith('metrics/') && !calls.includes('write documents')) calls.push('write documents');
      return store.put(key, body);
    };
    const handler = createRefreshHandler({ store: writes, engine: recording, logger, writeMetric: () => {} });
    await handler(structuredClone(scheduled), context);
    const queries = calls.filter((c) => c.startsWith('query '));
    // The events dated when their PCN was not in force (logged, and named if England fails to add up: review 7, M10),
    // those dated before their PCN's reporting span (logged: M5), the PCNs whose extract has stopped (logged), the
    // regions' people by month of each year (the projection's ratio at the same month: review 31, R31-6), the
    // contacts distribution (its medians are part of every document's context), then the catalogue.
    expect(queries.slice(0, 7)).toEqual([
      'query meta/data_as_of',
      'query meta/geography',
      'query meta/out_of_force',
      'query meta/outside_reporting',
      'query meta/stopped_extracts',
      'query meta/people_in_year',
      'query metrics/contacts_distribution',
    ]);
    // The catalogue's documents, and the PCNs of each deprivation quintile (the quintile rows are checked against the
    // PCN rows they add up: shared-counts.ts).
    expect(queries).toContain('query prepare/pcn_deprivation');
    expect(queries).toHaveLength(18);
    expect(calls.slice(queries.length)).toEqual(['release', 'write documents', 'close']);
  });

  it('a query failing part-way leaves the published documents untouched and fails the invocation', async () => {
    const before = new Map<string, string>();
    for (const key of await store.list('metrics/')) before.set(key, new TextDecoder().decode(await store.get(key)));
    const failing = (): QueryEngine => {
      const real = answers.engine();
      return {
        materialize: (name, file, params) => real.materialize(name, file, params),
        defineView: (name, file) => real.defineView(name, file),
        query: async (file, params) => {
          if (file === 'metrics/equity') throw new QueryError(file, 'Athena query q-9 FAILED: GENERIC_INTERNAL_ERROR');
          return real.query(file, params);
        },
        close: () => real.close(),
        // What an Athena engine has counted by then, the failed statement's bytes included (R25-7).
        scanned: () => ({ 'prepare/episodes': 2_000, 'metrics/equity': 5_000 }),
      };
    };
    const metrics: string[] = [];
    const sent: unknown[] = [];
    const handler = createRefreshHandler({
      store,
      engine: failing,
      logger,
      writeMetric: (line) => metrics.push(line),
      alerts: {
        topics: { Y56: 'arn:topic:Y56' },
        dashboardUrl: 'https://d.example',
        publish: async (m) => sent.push(m),
      },
    });
    await expect(handler(structuredClone(scheduled), context)).rejects.toThrow(
      'metrics/equity: Athena query q-9 FAILED: GENERIC_INTERNAL_ERROR',
    );
    for (const [key, text] of before) expect(new TextDecoder().decode(await store.get(key)), key).toBe(text);
    // The last such line: an engine that could not be made (above) fails the refresh the same way now.
    expect(
      logs.filter((l) => l.message === 'refresh failed; the previous documents stay published').at(-1),
    ).toMatchObject({
      level: 'ERROR',
      error: 'QueryError',
      memory_mb: 1024,
      // The steps that ended before equity's query failed are logged with their times (review 24, R24-3).
      timings_ms: expect.objectContaining({ episodes: expect.any(Number) }),
      // And the bytes scanned per SQL file so far, with their sum (review 25, R25-7).
      scanned_bytes: { 'prepare/episodes': 2_000, 'metrics/equity': 5_000 },
      scanned_bytes_total: 7_000,
    });
    const failed = logs.filter((l) => l.message === 'refresh failed; the previous documents stay published').at(-1);
    expect(Object.keys(failed?.timings_ms as object)).not.toContain('write documents');
    // A failed refresh is not a publish (the data keeps ageing): its one metric is its peak memory.
    expect(metrics.map((line) => Object.keys(JSON.parse(line)).at(-1))).toEqual(['RefreshPeakRss']);
    expect(JSON.parse(metrics[0] as string).RefreshPeakRss).toBe(failed?.peak_rss_mb);
    expect(sent).toEqual([]); // nor is anything sent to the regional topics
  });
});

describe("each region's alerts to its SNS topic, after a successful publish", () => {
  const dashboardUrl = 'https://dashboard.example.nhs.uk';
  const published = async () =>
    JSON.parse(new TextDecoder().decode(await (await currentRelease(store)).get('metrics/alerts.json'))) as {
      rows: { region_code?: string; code: string; link: string }[];
    };

  it('sends each configured region its own list, skips unconfigured regions, and says so in the log', async () => {
    // As on a first refresh: nothing published before, so every current signal is an alert (and no base of an
    // earlier release kept: alerts-base.ts).
    await (await currentRelease(store)).delete('metrics/pcn_comparison.json');
    await (await currentRelease(store)).delete('metrics/spc.json');
    await store.delete(ALERTS_BASE_RECORD_KEY);
    const sent: { TopicArn: string; Subject: string; Message: string }[] = [];
    const order: string[] = [];
    const regions = ['Y56', 'Y58', 'Y59', 'Y60', 'Y61', 'Y62', 'Y63'];
    // Every region but Y63 has a topic.
    const topics = Object.fromEntries(regions.slice(0, -1).map((r) => [r, `arn:aws:sns:eu-west-2:111122223333:${r}`]));
    const handler = createRefreshHandler({
      store,
      engine: answers.engine,
      logger,
      writeMetric: (line) => order.push(line.includes('PublishSucceeded') ? 'metric' : 'memory'),
      alerts: {
        topics,
        dashboardUrl,
        publish: async (m) => {
          order.push('publish');
          sent.push(m);
        },
      },
    });
    await handler(structuredClone(scheduled), context);
    const alerts = await published();
    const withAlerts = [...new Set(alerts.rows.map((r) => r.region_code).filter((r) => typeof r === 'string'))].sort();
    expect(withAlerts.length).toBeGreaterThan(0); // the demo has PCNs outside the limits
    const expected = withAlerts.filter((r) => r in topics);
    expect(sent.map((m) => m.TopicArn)).toEqual(expected.map((r) => topics[r as string]));
    // The peak memory and the publish metric first (the documents are out), then the messages.
    expect(order).toEqual(['memory', 'metric', ...expected.map(() => 'publish')]);
    for (const [i, m] of sent.entries()) {
      const region = expected[i] as string;
      const rows = alerts.rows.filter((r) => r.region_code === region);
      expect(m.Subject).toBe(
        `Social prescribing: ${rows.length} new alert${rows.length === 1 ? '' : 's'} for region ${region}`,
      );
      expect(Buffer.byteLength(m.Message, 'utf8')).toBeLessThanOrEqual(262_144);
      // Only its own region's PCNs, each with a link to its view.
      for (const r of rows) expect(m.Message).toContain(`${dashboardUrl}${r.link}`);
      const others = alerts.rows.filter((r) => r.region_code !== region);
      for (const r of others) expect(m.Message).not.toContain(`${dashboardUrl}${r.link}\n`);
      // Nothing about a person: the message holds no pseudonymised person_id (a 64-hex keyed hash) or referral id.
      expect(m.Message).not.toMatch(/[0-9a-f]{64}|person_id|referral_id/);
    }
    const logged = logs.filter((l) => l.message === 'regional alerts sent').map((l) => l.region);
    expect(logged).toEqual(expected);
    // The next refresh of the same release (nothing new): the panel keeps the release's alerts, nothing is sent again
    // (review 21, R21-6).
    await handler(structuredClone(scheduled), context);
    expect((await published()).rows).toHaveLength(alerts.rows.length);
    expect(sent).toHaveLength(expected.length);
  });

  it('a topic that refuses the message is logged, and the refresh still succeeds', async () => {
    // A new release (no base kept) whose funnels were not published before: every PCN outside a limit is new.
    await (await currentRelease(store)).delete('metrics/pcn_comparison.json');
    await store.delete(ALERTS_BASE_RECORD_KEY);
    const handler = createRefreshHandler({
      store,
      engine: answers.engine,
      logger,
      writeMetric: () => {},
      alerts: {
        topics: { Y56: 'a', Y58: 'b', Y59: 'c', Y60: 'd', Y61: 'e', Y62: 'f', Y63: 'g' },
        dashboardUrl,
        publish: async () => {
          throw Object.assign(new Error('Invalid parameter: Message too long'), { name: 'InvalidParameterException' });
        },
      },
    });
    const result = await handler(structuredClone(scheduled), context);
    expect(result.documents).toHaveLength(13);
    const refused = logs.filter((l) => l.message === 'regional alerts not sent; they stay on the What changed panel');
    const regions = [...new Set((await published()).rows.map((r) => r.region_code).filter(Boolean))];
    expect(refused.map((l) => l.region).sort()).toEqual(regions.sort());
    expect(refused[0]).toMatchObject({ level: 'ERROR', error: 'InvalidParameterException' });
  });
});
