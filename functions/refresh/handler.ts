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
import { LAST_REFRESH_KEY, metricKey } from '../lib/keys.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import type { QueryEngine } from '../lib/query-engine.ts';
import { S3ObjectStore } from '../lib/s3-object-store.ts';
import { regionalAlertMessages } from './alerts.ts';
import { AthenaEngine } from './athena-engine.ts';
import { DEFAULT_TARGETS, type Targets } from './catalogue.ts';
import { type CompactionPolicy, DEFAULT_COMPACTION_POLICY, hyparquetMerger } from './compact.ts';
import { refreshMetrics } from './refresh.ts';

/**
 * The schedule (an EventBridge event), or a batch of refresh requests from the FIFO request queue: each message body
 * is a whole EventBridge event, "receipt written" or, as deployed, the schedule's (infra/constructs/metrics-refresh.ts).
 * Any body is accepted: every request asks for the same whole refresh.
 */
export const RefreshTrigger = z.union([EventBridgeSchema, SqsSchema]);
type RefreshTrigger = z.infer<typeof RefreshTrigger>;

/** What the handler reads of one message body: an EventBridge event's detail-type and time, if it is one. */
interface RequestBody {
  readonly detailType: unknown;
  readonly time: unknown;
}

/** Each message body parsed once: JSON that is not an object reads as a body with neither field. */
function requestBodies(event: RefreshTrigger): RequestBody[] {
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

const describeTrigger = (event: RefreshTrigger, bodies: readonly RequestBody[]) => {
  if (!('Records' in event)) return { trigger: event['detail-type'], run: event.id };
  const scheduled = bodies.filter((b) => b.detailType === 'Scheduled Event').length;
  const uploads = event.Records.length - scheduled;
  return {
    trigger: uploads === 0 ? 'Scheduled Event' : 'uploads ingested',
    uploads,
    ...(scheduled > 0 ? { scheduled } : {}),
    run: event.Records[0]?.messageId ?? 'batch',
  };
};

/**
 * How much older than the start of the last successful refresh every request of a batch must be for the batch to be
 * skipped: an S3 event's time is given to the second, and S3's clock and the function's may differ a little.
 */
export const ALREADY_SERVED_MARGIN_MS = 60_000;

/**
 * Whether the last successful refresh has already read everything this batch asks about (review 13, R13-4): every
 * message is a "receipt written" event older (by the margin) than that refresh's start, which listed every receipt
 * then. A burst of uploads is many batches of 10 in the one FIFO group: without this each ran a whole national
 * refresh after the first had covered them all. The schedule's request always runs (data as of, the calendar).
 */
export function alreadyServed(
  event: RefreshTrigger,
  lastStart: Date | undefined,
  bodies: readonly RequestBody[] = requestBodies(event),
): boolean {
  if (lastStart === undefined || bodies.length === 0) return false;
  return bodies.every(({ detailType, time }) => {
    if (detailType === 'Scheduled Event' || typeof time !== 'string') return false;
    const at = Date.parse(time);
    return Number.isFinite(at) && at + ALREADY_SERVED_MARGIN_MS <= lastStart.getTime();
  });
}

/**
 * When the last successful refresh started, from its record; none when there is no record, or when the record cannot
 * be read or makes no sense (review 15: a corrupt record threw on every batch, so nothing refreshed until it was
 * mended). Read as absent, nothing is "already served": the batch refreshes, which is always safe, and rewrites it.
 */
async function lastSuccessfulStart(store: ObjectStore, logger: Logger): Promise<Date | undefined> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await store.get(LAST_REFRESH_KEY);
  } catch (error) {
    logger.warn('the last refresh record could not be read; refreshing as if there were none', {
      key: LAST_REFRESH_KEY,
      error: (error as Error).name,
    });
    return undefined;
  }
  if (bytes === undefined) return undefined;
  let startedAt: unknown;
  try {
    startedAt = (JSON.parse(new TextDecoder().decode(bytes)) as { started_at?: unknown } | null)?.started_at;
  } catch {
    startedAt = undefined;
  }
  const at = typeof startedAt === 'string' ? Date.parse(startedAt) : Number.NaN;
  if (Number.isFinite(at)) return new Date(at);
  logger.warn('the last refresh record is not a start time; refreshing as if there were none', {
    key: LAST_REFRESH_KEY,
  });
  return undefined;
}

/** Where the last-successful-publish metric goes; the stale-data alarm (infra/constructs/operations.ts) reads it. */
export const PUBLISH_METRIC = { namespace: 'SpOutcomes', name: 'PublishSucceeded', dimension: 'FunctionName' } as const;

/**
 * One CloudWatch Embedded Metric Format document: `PublishSucceeded` = 1 for this function, at `at`. Written to
 * stdout as one line, CloudWatch Logs extracts the metric from the function's log group with no API call (and no
 * cloudwatch:PutMetricData right). Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function publishSucceededMetric(functionName: string, at: Date): string {
  return JSON.stringify({
    _aws: {
      Timestamp: at.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: PUBLISH_METRIC.namespace,
          Dimensions: [[PUBLISH_METRIC.dimension]],
          Metrics: [{ Name: PUBLISH_METRIC.name, Unit: 'Count' }],
        },
      ],
    },
    [PUBLISH_METRIC.dimension]: functionName,
    [PUBLISH_METRIC.name]: 1,
  });
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
  const bytes = await store.get(metricKey('alerts'));
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
  /** Regional alert topics. @default none: nothing is sent */
  alerts?: AlertNotifier;
  /** The dashboard's address: the PDF packs link to its Methodology page. @default no link */
  dashboardUrl?: string;
}) {
  const writeMetric = deps.writeMetric ?? ((line: string) => process.stdout.write(`${line}\n`));
  const clock = deps.clock ?? (() => new Date());
  return middy()
    .use(injectLambdaContext(deps.logger))
    .use(parser({ schema: RefreshTrigger }))
    .handler(async (event: RefreshTrigger, context: Context) => {
      const bodies = requestBodies(event);
      const { run, ...trigger } = describeTrigger(event, bodies);
      // Taken before anything is read: a receipt written after this instant may not be in this refresh.
      const startedAt = clock();
      const lastStart = await lastSuccessfulStart(deps.store, deps.logger);
      if (alreadyServed(event, lastStart, bodies)) {
        deps.logger.info('refresh requests already served by the last refresh', {
          last_started_at: lastStart?.toISOString(),
          ...trigger,
        });
        return { skipped: true as const, servedBy: lastStart?.toISOString() };
      }
      const engine = deps.engine(run);
      try {
        const result = await refreshMetrics({
          store: deps.store,
          engine,
          targets: deps.targets,
          dashboardUrl: deps.dashboardUrl,
          ...(deps.compaction ? { compaction: { merger: hyparquetMerger(deps.store), policy: deps.compaction } } : {}),
          onStep: (step, ms) => deps.logger.debug('refresh step', { step, ms }),
        });
        deps.logger.info('metrics refreshed', {
          documents: result.documents.length,
          data_as_of: result.dataAsOf,
          timings_ms: result.timings_ms,
          ...trigger,
        });
        // Only once every document is published: the stale-data alarm measures the age of this line.
        writeMetric(publishSucceededMetric(context.functionName, clock()));
        await deps.store.put(LAST_REFRESH_KEY, `${JSON.stringify({ started_at: startedAt.toISOString() })}\n`, {
          contentType: 'application/json',
        });
        if (deps.alerts) await sendRegionalAlerts(deps.store, deps.alerts, deps.logger);
        return result;
      } catch (error) {
        deps.logger.error('refresh failed; the previous documents stay published', {
          error: (error as Error).name,
          reason: (error as Error).message,
        });
        throw error;
      } finally {
        await engine.close();
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

function alertNotifier(topics: Record<string, string>, dashboardUrl: string): AlertNotifier | undefined {
  if (Object.keys(topics).length === 0) return undefined;
  const sns = new SNSClient({});
  return { topics, dashboardUrl, publish: (message) => sns.send(new PublishCommand(message)) };
}
