import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeSchema, SqsSchema } from '@aws-lambda-powertools/parser/schemas';
import { AthenaClient } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import type { MetricDocument } from '../contract/index.ts';
import { onFirstCall, optionalEnv, requireEnv } from '../lib/config.ts';
import { embeddedMetric } from '../lib/embedded-metric.ts';
import { LAST_REFRESH_KEY, metricKey } from '../lib/keys.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import type { QueryEngine } from '../lib/query-engine.ts';
import { currentRelease } from '../lib/release.ts';
import { S3ObjectStore } from '../lib/s3-object-store.ts';
import { regionalAlertMessages } from './alerts.ts';
import { AthenaEngine } from './athena-engine.ts';
import { DEFAULT_TARGETS, type Targets } from './catalogue.ts';
import { type CompactionPolicy, DEFAULT_COMPACTION_POLICY, hyparquetMerger } from './compact.ts';
import { peakRssMb, peakRssMetric } from './peak-memory.ts';
import { refreshMetrics } from './refresh.ts';

/**
 * The schedule (an EventBridge event), or a batch of refresh requests from the FIFO request queue: each message body
 * is a whole EventBridge event, "receipt written" or, as deployed, the schedule's (infra/constructs/metrics-refresh.ts),
 * or the catch-up schedule's request. Any body is accepted: every request asks for the same whole refresh (`decide`).
 */
export const RefreshTrigger = z.union([EventBridgeSchema, SqsSchema]);
type RefreshTrigger = z.infer<typeof RefreshTrigger>;

/** What the handler reads of one message body: an EventBridge event's detail-type and time, if it is one. */
export interface RequestBody {
  readonly detailType: unknown;
  readonly time: unknown;
}

/** Each message body parsed once: JSON that is not an object reads as a body with neither field. */
export function requestBodies(event: RefreshTrigger): RequestBody[] {
  if (!('Records' in event)) return [];
  return event.Records.map((record) => {
    try {
      const body = JSON.parse(record.body) as unknown;
      if (typeof body !== 'object' || body === null) return { detailType: undefined, time: undefined };
      const { 'detail-type': detailType, time } = body as Record<string, unknown>;
      return { detailType, time };
    } catch {
      return { detailType: undefined, time: undefined };
    }
  });
}

/**
 * The detail-type of the catch-up schedule's request (infra/constructs/metrics-refresh.ts): "refresh now if requests
 * were deferred since the last successful refresh". Its body is this, the event's id and its time, no more.
 */
export const CATCH_UP_DETAIL_TYPE = 'Deferred Refresh Check';

const describeTrigger = (event: RefreshTrigger, bodies: readonly RequestBody[]) => {
  if (!('Records' in event)) return { trigger: event['detail-type'], run: event.id };
  const scheduled = bodies.filter((b) => b.detailType === 'Scheduled Event').length;
  const catchUp = bodies.filter((b) => b.detailType === CATCH_UP_DETAIL_TYPE).length;
  const uploads = event.Records.length - scheduled - catchUp;
  return {
    trigger: uploads > 0 ? 'uploads ingested' : scheduled > 0 ? 'Scheduled Event' : 'deferred uploads',
    uploads,
    ...(scheduled > 0 ? { scheduled } : {}),
    ...(catchUp > 0 ? { catch_up: catchUp } : {}),
    run: event.Records[0]?.messageId ?? 'batch',
  };
};

/**
 * How much older than the start of the last successful refresh every request of a batch must be for the batch to be
 * skipped: an S3 event's time is given to the second, and S3's clock and the function's may differ a little.
 */
export const ALREADY_SERVED_MARGIN_MS = 60_000;

/**
 * The refresh's own record (private/refresh/last-success.json), as read: absent (never refreshed here), unreadable
 * (review 15: it threw on every batch, so nothing refreshed until it was mended; now read as no start, so the batch
 * refreshes, which is always safe, and rewrites it), or when the last successful refresh started and, if requests
 * came since and were deferred to the catch-up schedule, when the first of them was deferred.
 */
export type RefreshRecord =
  | { readonly state: 'absent' }
  | { readonly state: 'unreadable' }
  | {
      readonly state: 'read';
      readonly startedAt: Date;
      readonly deferredAt?: Date;
      /** The refreshes failed since the last successful one: how many, and when the last of them started. */
      readonly failures?: { readonly count: number; readonly lastStartedAt: Date };
    };

/** What a batch does: refresh, or not (and why). */
export type Decision = 'refresh' | 'served' | 'defer' | 'nothing deferred' | 'backing off';

/** The longest a catch-up waits after failed refreshes (catchUpBackOffMs): the back-off stops doubling there. */
export const MAX_CATCH_UP_BACK_OFF_MS = 8 * 60 * 60_000;

/**
 * How long after the start of the last failed refresh a catch-up request waits before it refreshes again, after
 * `failures` refreshes failed in a row since the last success (review 18, R18-5: while a refresh kept failing, every
 * catch-up, each `minIntervalMs`, ran a whole national refresh, retried by SQS): the least interval after one failure,
 * doubling with each failure after it, to at most MAX_CATCH_UP_BACK_OFF_MS (8 hours: the 06:00 schedule still runs
 * daily). A success resets it; the schedule's request never waits for it, new receipts' only after
 * RECEIPTS_BACK_OFF_AFTER_FAILURES failures (decide).
 */
export function catchUpBackOffMs(failures: number, minIntervalMs: number): number {
  if (failures < 1) return 0;
  const cap = Math.max(MAX_CATCH_UP_BACK_OFF_MS, minIntervalMs);
  return Math.min(minIntervalMs * 2 ** Math.min(failures - 1, 30), cap);
}

/**
 * Failed refreshes in a row after which new receipts' requests back off too (review 20, R20-9): until then a receipt
 * refreshes at once (a file sent again may be what mends a refresh that failed on the data); from then on, while the
 * catch-up backs off, each receipt would run a national refresh that fails again (retried 3 times by SQS), hundreds of
 * them on the 1st to the 3rd of a month, so they are deferred to the catch-up.
 */
export const RECEIPTS_BACK_OFF_AFTER_FAILURES = 3;

/**
 * What a batch of requests does (review 13, R13-4; review 14, R14-4):
 * - the schedule's request always refreshes (data as of, the calendar);
 * - a catch-up request refreshes when requests were deferred since the last successful refresh (or the record cannot
 *   be read, so they may have been), else does nothing;
 * - "receipt written" requests all written (by the margin) before the last successful refresh started were read by it
 *   ("served": it listed every receipt then). A burst of uploads is many batches of 10 in the one FIFO group: without
 *   this each ran a whole national refresh after the first had covered them all;
 * - any other request (a receipt written since, an unreadable body) refreshes, unless the last successful refresh
 *   started less than `minIntervalMs` ago: then it is deferred to the catch-up schedule, which runs every
 *   `minIntervalMs` (steady uploads through a day made a refresh every few minutes, each batch after the last start
 *   being new). A deferral is recorded before its messages are deleted, and only a successful refresh, which starts
 *   after it and so reads every receipt it stood for, clears it: no request is left unserved;
 * - a catch-up that would refresh after refreshes failed since the last success waits catchUpBackOffMs from the last
 *   failed start ("backing off"; review 18, R18-5), its deferral kept. The schedule still refreshes. Receipts written
 *   since refresh as before after one or two failures (a failure may be in the data, and a file sent again may mend
 *   it); after RECEIPTS_BACK_OFF_AFTER_FAILURES or more, while the catch-up backs off, they are deferred to it
 *   ("defer", R20-9), and the catch-up serves them once its back-off has passed.
 */
export function decide(
  bodies: readonly RequestBody[],
  record: RefreshRecord,
  now: Date,
  minIntervalMs: number,
): Decision {
  if (bodies.length === 0 || bodies.some((b) => b.detailType === 'Scheduled Event')) return 'refresh';
  const catchUp = bodies.some((b) => b.detailType === CATCH_UP_DETAIL_TYPE);
  const requests = bodies.filter((b) => b.detailType !== CATCH_UP_DETAIL_TYPE);
  if (record.state !== 'read')
    return requests.length > 0 || record.state === 'unreadable' ? 'refresh' : 'nothing deferred';
  const last = record.startedAt.getTime();
  const failed = record.failures;
  const backingOff =
    failed !== undefined &&
    now.getTime() - failed.lastStartedAt.getTime() < catchUpBackOffMs(failed.count, minIntervalMs);
  const deferred = catchUp && record.deferredAt !== undefined;
  if (deferred && !backingOff) return 'refresh';
  const unserved = requests.filter(({ time }) => {
    const at = typeof time === 'string' ? Date.parse(time) : Number.NaN;
    return !(Number.isFinite(at) && at + ALREADY_SERVED_MARGIN_MS <= last);
  });
  if (unserved.length === 0) return requests.length > 0 ? 'served' : deferred ? 'backing off' : 'nothing deferred';
  if (backingOff && (failed?.count ?? 0) >= RECEIPTS_BACK_OFF_AFTER_FAILURES) return 'defer';
  return now.getTime() - last < minIntervalMs ? 'defer' : 'refresh';
}

async function readRecord(store: ObjectStore, logger: Logger): Promise<RefreshRecord> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await store.get(LAST_REFRESH_KEY);
  } catch (error) {
    logger.warn('the last refresh record could not be read; refreshing as if there were none', {
      key: LAST_REFRESH_KEY,
      error: (error as Error).name,
    });
    return { state: 'unreadable' };
  }
  if (bytes === undefined) return { state: 'absent' };
  let fields:
    | { started_at?: unknown; deferred_at?: unknown; failures?: unknown; failed_at?: unknown }
    | null
    | undefined;
  try {
    fields = JSON.parse(new TextDecoder().decode(bytes)) as typeof fields;
  } catch {
    fields = undefined;
  }
  const time = (value: unknown) => (typeof value === 'string' ? Date.parse(value) : Number.NaN);
  const startedAt = time(fields?.started_at);
  const deferredAt = time(fields?.deferred_at);
  const failedAt = time(fields?.failed_at);
  const failures = fields?.failures;
  const failed = Number.isSafeInteger(failures) && (failures as number) >= 1 && Number.isFinite(failedAt);
  if (
    Number.isFinite(startedAt) &&
    (fields?.deferred_at === undefined || Number.isFinite(deferredAt)) &&
    ((failures === undefined && fields?.failed_at === undefined) || failed)
  )
    return {
      state: 'read',
      startedAt: new Date(startedAt),
      ...(Number.isFinite(deferredAt) ? { deferredAt: new Date(deferredAt) } : {}),
      ...(failed ? { failures: { count: failures as number, lastStartedAt: new Date(failedAt) } } : {}),
    };
  logger.warn('the last refresh record is not a start time; refreshing as if there were none', {
    key: LAST_REFRESH_KEY,
  });
  return { state: 'unreadable' };
}

const writeRecord = (
  store: ObjectStore,
  fields: { started_at: string; deferred_at?: string; failures?: number; failed_at?: string },
) => store.put(LAST_REFRESH_KEY, `${JSON.stringify(fields)}\n`, { contentType: 'application/json' });

/** The record as read, in its written form: what a deferral or a failure rewrites with one field more. */
const recordFields = (record: Extract<RefreshRecord, { state: 'read' }>) => ({
  started_at: record.startedAt.toISOString(),
  ...(record.deferredAt ? { deferred_at: record.deferredAt.toISOString() } : {}),
  ...(record.failures
    ? { failures: record.failures.count, failed_at: record.failures.lastStartedAt.toISOString() }
    : {}),
});

/**
 * One more failed refresh since the last success, started at `startedAt`. Not written, it only leaves the back-off
 * shorter (the invocation fails with the refresh's own error either way).
 */
async function recordFailure(
  store: ObjectStore,
  record: Extract<RefreshRecord, { state: 'read' }>,
  startedAt: Date,
  logger: Logger,
): Promise<void> {
  const failures = (record.failures?.count ?? 0) + 1;
  try {
    await writeRecord(store, { ...recordFields(record), failures, failed_at: startedAt.toISOString() });
  } catch (error) {
    logger.warn('the failed refresh could not be recorded; the catch-up backs off less', {
      key: LAST_REFRESH_KEY,
      error: (error as Error).name,
    });
  }
}

/** The log's fields of Athena's bytes scanned per SQL file, with their sum; none for an engine that does not bill so. */
const scannedFields = (scanned: Record<string, number> | undefined) =>
  scanned ? { scanned_bytes: scanned, scanned_bytes_total: Object.values(scanned).reduce((a, b) => a + b, 0) } : {};

/** Where the last-successful-publish metric goes; the stale-data alarm (infra/constructs/operations.ts) reads it. */
export const PUBLISH_METRIC = { namespace: 'SpOutcomes', name: 'PublishSucceeded', dimension: 'FunctionName' } as const;

/** `PublishSucceeded` = 1 for this function, at `at`: one Embedded Metric Format line (embeddedMetric). */
export function publishSucceededMetric(functionName: string, at: Date): string {
  return embeddedMetric(PUBLISH_METRIC, functionName, at, 1, 'Count');
}

/** Where each region's "What changed" list goes (infra/constructs/regional-alerts.ts). */
export interface AlertNotifier {
  /** Region code → its SNS topic ARN; a region without one is not sent anything. */
  readonly topics: Readonly<Record<string, string>>;
  /** The dashboard's address, for the links in the message. */
  readonly dashboardUrl: string;
  readonly publish: (message: { TopicArn: string; Subject: string; Message: string }) => Promise<unknown>;
}

/**
 * After a successful publish: each region's alerts (metrics/alerts.json, as just published) to that region's topic.
 * A failure to send is logged, not thrown: the documents are published, and a retried refresh would compare with
 * them and find nothing new to send.
 */
async function sendRegionalAlerts(store: ObjectStore, notifier: AlertNotifier, logger: Logger): Promise<number> {
  // The release meta.json names (release.ts): the one just published, unless a later refresh has published since.
  const bytes = await (await currentRelease(store)).get(metricKey('alerts'));
  if (bytes === undefined) return 0;
  const alerts = JSON.parse(new TextDecoder().decode(bytes)) as MetricDocument;
  let sent = 0;
  for (const m of regionalAlertMessages(alerts, { dashboardUrl: notifier.dashboardUrl })) {
    const topic = notifier.topics[m.region];
    if (topic === undefined) continue;
    try {
      await notifier.publish({ TopicArn: topic, Subject: m.subject, Message: m.message });
      sent += 1;
      logger.info('regional alerts sent', { region: m.region, alerts: m.alerts, listed: m.listed });
    } catch (error) {
      logger.error('regional alerts not sent; they stay on the What changed panel', {
        region: m.region,
        error: (error as Error).name,
        reason: (error as Error).message,
      });
    }
  }
  return sent;
}

/**
 * The refresh Lambda: on its schedule (or after ingest), run the catalogue and publish the documents. A failure
 * is logged and thrown, so the invocation fails, the alarm fires, and the previous documents stay published.
 */
export function createRefreshHandler(deps: {
  store: ObjectStore;
  engine: (runId: string) => QueryEngine;
  logger: Logger;
  /** @default DEFAULT_TARGETS */
  targets?: Targets;
  /** Where the metric line goes: stdout as it is, not through console.log's prefix. @default process.stdout */
  writeMetric?: (line: string) => void;
  /** @default () => new Date() */
  clock?: () => Date;
  /** Compaction before each refresh (compact.ts), by the hyparquet merger in the function itself. @default none */
  compaction?: CompactionPolicy;
  /**
   * The least time between the starts of refreshes asked for by receipts; requests within it are deferred to the
   * catch-up schedule, which must then run this often (infra/constructs/metrics-refresh.ts). @default 0: never deferred
   */
  minIntervalMs?: number;
  /** Regional alert topics. @default none: nothing is sent */
  alerts?: AlertNotifier;
  /** The dashboard's address: the PDF packs link to its Methodology page. @default no link */
  dashboardUrl?: string;
  /**
   * The least time the invocation must have left when the refresh comes to write its release (R24-2): short of it, it
   * stops before writing, records the failure (the catch-up's back-off) and the release published stays.
   * @default WRITE_RESERVE_MS
   */
  writeReserveMs?: number;
}) {
  const writeMetric = deps.writeMetric ?? ((line: string) => process.stdout.write(`${line}\n`));
  const clock = deps.clock ?? (() => new Date());
  const minIntervalMs = deps.minIntervalMs ?? 0;
  return middy()
    .use(injectLambdaContext(deps.logger))
    .use(parser({ schema: RefreshTrigger }))
    .handler(async (event: RefreshTrigger, context: Context) => {
      const bodies = requestBodies(event);
      const { run, ...trigger } = describeTrigger(event, bodies);
      // Taken before anything is read: a receipt written after this instant may not be in this refresh.
      const startedAt = clock();
      const record = await readRecord(deps.store, deps.logger);
      const decision = decide(bodies, record, startedAt, minIntervalMs);
      const last = record.state === 'read' ? record.startedAt.toISOString() : undefined;
      if (decision === 'served' || decision === 'nothing deferred') {
        deps.logger.info(
          decision === 'served'
            ? 'refresh requests already served by the last refresh'
            : 'no refresh requests deferred since the last refresh',
          { last_started_at: last, ...trigger },
        );
        return { skipped: true as const, servedBy: last };
      }
      if (decision === 'backing off' && record.state === 'read' && record.failures) {
        // The deferral stays: a later catch-up (or the schedule, or a success on a receipt) serves it.
        const retryAfter = new Date(
          record.failures.lastStartedAt.getTime() + catchUpBackOffMs(record.failures.count, minIntervalMs),
        ).toISOString();
        deps.logger.info('catch-up backing off after failed refreshes', {
          last_started_at: last,
          failures: record.failures.count,
          last_failed_at: record.failures.lastStartedAt.toISOString(),
          retry_after: retryAfter,
          ...trigger,
        });
        return { skipped: true as const, backingOffUntil: retryAfter };
      }
      if (decision === 'defer' && record.state === 'read') {
        // Written before the messages are deleted (the invocation returns after it): a failed write fails the
        // batch, which is retried. The first deferral since the last refresh is kept; later ones add nothing.
        const deferredAt = (record.deferredAt ?? startedAt).toISOString();
        if (record.deferredAt === undefined)
          await writeRecord(deps.store, { ...recordFields(record), deferred_at: deferredAt });
        deps.logger.info('refresh requests deferred to the catch-up schedule', {
          last_started_at: last,
          deferred_at: deferredAt,
          min_interval_ms: minIntervalMs,
          // Deferred for the back-off after failed refreshes (R20-9), not for the least interval.
          ...(record.failures ? { failures: record.failures.count } : {}),
          ...trigger,
        });
        return { skipped: true as const, deferredAt };
      }
      let engine: QueryEngine | undefined;
      // Each step's time as it ends, and the process's peak memory, in the last line of every refresh, failed or not,
      // with the peak as a metric the memory alarm reads (review 24, R24-3; infra/constructs/operations.ts).
      const steps: Record<string, number> = {};
      const memory = () => {
        const mb = peakRssMb();
        writeMetric(peakRssMetric(context.functionName, clock(), mb));
        return { peak_rss_mb: mb, memory_mb: Number(context.memoryLimitInMB) };
      };
      // What the invocation has left (the Lambda's 15 minutes): a refresh killed by the timeout runs no catch below.
      const remainingMs = () => context.getRemainingTimeInMillis();
      try {
        engine = deps.engine(run);
        const compaction = deps.compaction && {
          ...deps.compaction,
          budgetMs: compactionBudgetMs(deps.compaction.budgetMs, remainingMs()),
        };
        const result = await refreshMetrics({
          store: deps.store,
          engine,
          targets: deps.targets,
          dashboardUrl: deps.dashboardUrl,
          time: { remainingMs, writeReserveMs: deps.writeReserveMs ?? WRITE_RESERVE_MS },
          log: deps.logger,
          ...(compaction ? { compaction: { merger: hyparquetMerger(deps.store), policy: compaction } } : {}),
          onStep: (step, ms) => {
            steps[step] = ms;
            deps.logger.debug('refresh step', { step, ms });
          },
        });
        deps.logger.info('metrics refreshed', {
          documents: result.documents.length,
          data_as_of: result.dataAsOf,
          timings_ms: result.timings_ms,
          // Athena's bytes scanned per SQL file, with their sum: the cost, and each statement's distance from the
          // workgroup's per-query cutoff (review 24, R24-8).
          ...scannedFields(result.scanned_bytes),
          ...memory(),
          ...trigger,
        });
        // Only once every document is published: the stale-data alarm measures the age of this line.
        writeMetric(publishSucceededMetric(context.functionName, clock()));
        // A record without deferred_at: every request deferred before this refresh started is served by it.
        await writeRecord(deps.store, { started_at: startedAt.toISOString() });
        if (deps.alerts) await sendRegionalAlerts(deps.store, deps.alerts, deps.logger);
        return result;
      } catch (error) {
        deps.logger.error('refresh failed; the previous documents stay published', {
          error: (error as Error).name,
          reason: (error as Error).message,
          // The steps that ended before it failed.
          timings_ms: steps,
          // Athena's bytes scanned per SQL file so far, the failed statement's included (review 25, R25-7): a statement
          // the workgroup's per-query cutoff cancelled shows how far over it went.
          ...scannedFields(engine?.scanned?.()),
          ...memory(),
        });
        // Counted for the catch-up's back-off (R18-5); without a record to add to, a catch-up has nothing deferred.
        if (record.state === 'read') await recordFailure(deps.store, record, startedAt, deps.logger);
        throw error;
      } finally {
        await engine?.close();
      }
    });
}

export const handler = onFirstCall(() => {
  const config = requireEnv(['DATA_BUCKET', 'ATHENA_RESULTS_BUCKET', 'ATHENA_WORKGROUP', 'GLUE_DATABASE']);
  return createRefreshHandler({
    store: new S3ObjectStore(new S3Client({}), config.DATA_BUCKET),
    // The workgroup's enforced result location (infra/constructs/metrics-workgroup.ts): each CTAS attempt gets its
    // own tables/<query-id>/ there, so the run id no longer names a location and retries never collide.
    engine: () => {
      const results = new S3ObjectStore(new S3Client({}), config.ATHENA_RESULTS_BUCKET);
      const location = `s3://${results.bucket}/results/`;
      const bucketPrefix = `s3://${results.bucket}/`;
      return new AthenaEngine(new AthenaClient({}), {
        workGroup: config.ATHENA_WORKGROUP,
        database: config.GLUE_DATABASE,
        resultsLocation: location,
        deletePrefix: async (prefix) => {
          for (const key of await results.list(prefix.slice(bucketPrefix.length))) await results.delete(key);
        },
        // Every result is in the workgroup's enforced location, in this bucket (a GetObject body, streamed).
        readResult: async (result) => {
          if (!result.startsWith(bucketPrefix)) throw new Error(`a query result outside ${bucketPrefix}: ${result}`);
          return results.getStream(result.slice(bucketPrefix.length));
        },
      });
    },
    logger: new Logger({ serviceName: 'sp-outcomes-refresh' }),
    // Compaction in the function, one FIFO message at a time with the refresh (never overlapping a read): a quarter
    // of a million rows per object keeps a merge within the function's memory; five minutes of its fifteen at most.
    compaction: compactionPolicy(optionalEnv('COMPACTION_BUDGET_MS')),
    // Set by the CDK app to its catch-up schedule's rate; unset, nothing is deferred.
    minIntervalMs: minIntervalMs(optionalEnv('REFRESH_MIN_INTERVAL_MINUTES')),
    // Per-environment overrides of the programme targets, set by the CDK app from its configuration (optional).
    targets: { ...DEFAULT_TARGETS, ...(JSON.parse(optionalEnv('TARGETS') ?? '{}') as Partial<Targets>) },
    // Region → topic ARN, set by the CDK app from the regional alert subscriptions; none configured, none sent.
    dashboardUrl: optionalEnv('DASHBOARD_URL'),
    alerts: alertNotifier(
      JSON.parse(optionalEnv('ALERT_TOPICS') ?? '{}') as Record<string, string>,
      optionalEnv('DASHBOARD_URL') ?? '',
    ),
  });
});

/**
 * The function's compaction policy. COMPACTION_BUDGET_MS (optional) sets the time it may spend on compaction, 0 turns
 * it off (a refresh still finishes or undoes a compaction that stopped part-way); test:aws runs the bundle both ways.
 */
export function compactionPolicy(budget: string | undefined): CompactionPolicy | undefined {
  if (budget !== undefined && !/^\d{1,9}$/.test(budget))
    throw new Error('COMPACTION_BUDGET_MS must be a whole number of milliseconds, 0 or more');
  const budgetMs = budget === undefined ? 5 * 60_000 : Number(budget);
  return budgetMs === 0 ? undefined : { ...DEFAULT_COMPACTION_POLICY, maxRowsPerObject: 250_000, budgetMs };
}

/**
 * What a refresh's write phase is given (R24-2): the documents (some 390 MB of JSON nationally at 36 months), 1,400 PDF
 * packs (10-15 s), meta.json and the revisions records, with room to spare. A refresh with less left before it stops
 * cleanly instead of being killed part-way.
 */
export const WRITE_RESERVE_MS = 3 * 60_000;

/**
 * What a refresh needs after compaction: its queries, the Node step (disclosure control, ~1 CPU min nationally) and
 * the write phase (WRITE_RESERVE_MS). Review 24 estimates a national refresh at 8-14 minutes with compaction's 5.
 */
export const AFTER_COMPACTION_MS = 8 * 60_000;

/**
 * Compaction's budget for this invocation: the policy's (COMPACTION_BUDGET_MS, 5 minutes by default), or less when the
 * invocation has less than that beyond AFTER_COMPACTION_MS left; 0 (only an unfinished compaction is finished or
 * undone) when it has not even that.
 */
export function compactionBudgetMs(policyMs: number | undefined, remainingMs: number): number {
  const left = Math.max(0, Math.floor(remainingMs - AFTER_COMPACTION_MS));
  return policyMs === undefined ? left : Math.min(policyMs, left);
}

/** REFRESH_MIN_INTERVAL_MINUTES (optional, whole minutes): the least time between refreshes asked for by receipts. */
export function minIntervalMs(minutes: string | undefined): number {
  if (minutes === undefined) return 0;
  if (!/^\d{1,4}$/.test(minutes)) throw new Error('REFRESH_MIN_INTERVAL_MINUTES must be a whole number of minutes');
  return Number(minutes) * 60_000;
}

function alertNotifier(topics: Record<string, string>, dashboardUrl: string): AlertNotifier | undefined {
  if (Object.keys(topics).length === 0) return undefined;
  const sns = new SNSClient({});
  return { topics, dashboardUrl, publish: (message) => sns.send(new PublishCommand(message)) };
}
