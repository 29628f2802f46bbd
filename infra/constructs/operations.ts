import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  type Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
  Unit,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PEAK_RSS_METRIC } from '../../functions/refresh/peak-memory.ts';
import { makeAlarmTopic } from './alarm-topic.ts';

/** The refresh's last-successful-publish metric: the same names as functions/refresh/handler.ts (a test checks). */
export const PUBLISH_METRIC = { namespace: 'SpOutcomes', name: 'PublishSucceeded', dimension: 'FunctionName' } as const;
/** The HTTP API's own 429s, counted from its access log (ApiThrottled). */
export const API_THROTTLED_METRIC = { namespace: 'SpOutcomes', name: 'ApiThrottled' } as const;

export interface OperationsProps {
  readonly ingest: IFunction;
  readonly refresh: IFunction;
  /** The PCN upload function and the dashboard's API function: alarmed on their Errors. */
  readonly upload: IFunction;
  readonly api: IFunction;
  /** The HTTP API both are behind: its default stage's 5xx is alarmed on. */
  readonly httpApi: HttpApi;
  /** The stage's access log (API_ACCESS_LOG_FORMAT): its 429s are counted from it. */
  readonly apiAccessLogs: ILogGroup;
  /**
   * Days without a successful ingest before NoUploadLanded fires (1-7), or false for no such alarm. @default 7
   */
  readonly noUploadAlarmDays?: number | false;
  /** The refresh function's timeout and memory (MB): its duration and peak memory are alarmed on against them. */
  readonly refreshLimits: { readonly timeout: Duration; readonly memoryMb: number };
  readonly deadLetterQueues: readonly IQueue[];
  /** Who is told when an alarm fires: one e-mail subscription each. @default nobody */
  readonly alarmEmails?: readonly string[];
  /** The last successful publish may be this old before the data counts as stale. @default 26 hours */
  readonly staleAfter?: Duration;
  /** Keep the alarm topic's key when the stack is deleted. @default true */
  readonly retainData?: boolean;
}

/**
 * What tells the team something is wrong: an SNS topic, encrypted with a key of its own that CloudWatch may use for
 * this stack's alarms only, e-mailing the configured addresses; alarms on dead letters, function errors (ingest,
 * upload, API) and throttles, the HTTP API's 5xx and its own 429s, no upload ingested for days, failed refreshes, a
 * refresh near its timeout or its memory, and stale data (the last successful publish older than a day and a bit).
 */
export class Operations extends Construct {
  readonly topic: Topic;
  readonly key: Key;
  readonly alarms: Alarm[];
  readonly dataStale: Alarm;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // The encrypted topic CloudWatch may publish to for this stack's alarms only (alarm-topic.ts).
    const made = makeAlarmTopic(this, {
      alarmPrefix: `${stack.stackName}-`,
      description: 'Social prescribing pipeline alarm notifications',
      displayName: 'Social prescribing pipeline alarms',
      emails: props.alarmEmails,
      retainData: props.retainData,
    });
    ({ key: this.key, topic: this.topic, alarms: this.alarms } = made);
    const { alarm } = made;
    props.deadLetterQueues.forEach((queue, i) => {
      alarm(
        `DeadLetters${i}`,
        'Uploads or refresh requests were dead-lettered after every retry: inspect and redrive.',
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
        1,
      );
    });
    alarm(
      'IngestErrors',
      'The ingest function failed (storage trouble or a bug): files are being retried.',
      props.ingest.metricErrors({ period: Duration.minutes(5) }),
      1,
    );
    alarm(
      'IngestThrottles',
      'The ingest function is throttled (its reservation or the account limit): uploads are queueing.',
      props.ingest.metricThrottles({ period: Duration.minutes(15) }),
      10,
    );
    // Review 33, R33-8: the paths PCNs upload by and users read by. When they fail nothing else changes state
    // (no upload lands, so the ingest queue and its dead letters stay quiet, and the daily refresh still publishes the
    // same figures). Lambda publishes Errors per function (invocations that ended in a function error, timeouts
    // included: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html), and an HTTP API publishes
    // 5xx per stage, dimensions ApiId and Stage (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html):
    // a 500 for a function that failed or timed out, a 503 when Lambda throttled it.
    alarm(
      'UploadErrors',
      'The PCN upload function failed (an unhandled error or a timeout): PCN uploads are being refused.',
      props.upload.metricErrors({ period: Duration.minutes(5) }),
      1,
    );
    alarm(
      'ApiErrors',
      "The dashboard's API function failed (an unhandled error or a timeout): users see errors instead of figures.",
      props.api.metricErrors({ period: Duration.minutes(5) }),
      1,
    );
    const stage = props.httpApi.defaultStage;
    if (!stage) throw new Error('the HTTP API has no default stage to alarm on');
    alarm(
      'ApiServerErrors',
      'The HTTP API answered 5 or more 5xx in 5 minutes (function errors, timeouts or throttling): uploads or the dashboard are failing.',
      stage.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      5,
    );
    // Throttling (review 33, R33-3/R33-8). An HTTP API publishes 4xx, 5xx, Count, latencies and DataProcessed, and no
    // count of throttled requests (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html):
    // its 4xx mixes the 429s of its throttle with every 401 of the JWT authoriser and the functions' own 4xx, and
    // Lambda's Throttles counts only the functions' concurrency limits, not the stage's. So the stage's own 429s are
    // counted from its access log by a metric filter: status 429 where Lambda's Invoke did not answer 200
    // ($context.integrationStatus, "the status code returned from AWS Lambda, not from the backend Lambda function":
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html), which leaves out
    // the upload function's own 429 (a PCN over its daily quota) and keeps the stage's throttle (no invocation) and a
    // throttled invocation. JSON filter syntax, string values quoted, `!=` and `&&`:
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html. 10 in 5 minutes:
    // uploaders retry a 429 with backoff (5 attempts), so a few are weather; ten are a storm someone should look at.
    new MetricFilter(this, 'ApiThrottledFilter', {
      logGroup: props.apiAccessLogs,
      filterPattern: FilterPattern.all(
        FilterPattern.stringValue('$.status', '=', '429'),
        FilterPattern.stringValue('$.integrationStatus', '!=', '200'),
      ),
      metricNamespace: API_THROTTLED_METRIC.namespace,
      metricName: API_THROTTLED_METRIC.name,
      metricValue: '1',
      unit: Unit.COUNT,
      dimensions: { ApiId: '$.apiId' },
    });
    alarm(
      'ApiThrottled',
      'The HTTP API answered 10 or more requests 429 itself in 5 minutes (its throttle, shared by every caller, or Lambda throttling a function): PCN uploads and the dashboard are being refused. See README, "Before the first deploy" (the edge).',
      new Metric({
        namespace: API_THROTTLED_METRIC.namespace,
        metricName: API_THROTTLED_METRIC.name,
        dimensionsMap: { ApiId: props.httpApi.apiId },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      10,
    );

    // No upload landed: nothing above changes state when uploads stop arriving (a broken uploader, an expired token
    // everywhere, a DNS record gone), and the daily refresh still publishes the same figures. Every upload that lands
    // invokes the ingest (S3 -> EventBridge -> SQS -> Lambda), so the ingest's invocations that did not fail, summed
    // over the window, count the uploads ingested. FILL makes a window without any a 0, and missing data counts as
    // breaching besides. The window is one period of N days: "An alarm's total current evaluation period can be no
    // longer than seven days, so Period multiplied by EvaluationPeriods can't be more than 604,800 seconds"
    // (PutMetricAlarm, Period: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html),
    // hence 7 days at most. It is in ALARM after a first deploy until the first upload lands (README).
    const quietDays = props.noUploadAlarmDays ?? 7;
    if (quietDays !== false) {
      const window = Duration.days(quietDays);
      const succeeded = new MathExpression({
        expression: 'FILL(invocations, 0) - FILL(errors, 0)',
        usingMetrics: {
          invocations: props.ingest.metricInvocations({ period: window, statistic: 'Sum' }),
          errors: props.ingest.metricErrors({ period: window, statistic: 'Sum' }),
        },
        period: window,
        label: 'ingests that did not fail',
      });
      alarm(
        'NoUploadLanded',
        `No upload has been ingested for ${window.toHumanString()}: PCN uploads may be failing before they land (check the uploaders' exit codes, ApiThrottled, UploadErrors), or none were due (README, "Before the first deploy").`,
        succeeded,
        1,
        { comparison: ComparisonOperator.LESS_THAN_THRESHOLD, treatMissingData: TreatMissingData.BREACHING },
      );
    }

    alarm(
      'RefreshFailed',
      'A metric refresh failed: the published figures are not being updated.',
      props.refresh.metricErrors({ period: Duration.hours(1) }),
      1,
    );
    // Review 24, R24-2/R24-3: the refresh's two hard walls, seen coming. A national refresh grows with the months of
    // data; past its timeout Lambda stops it mid-write, past its memory the sandbox kills it. Duration's Maximum (a
    // timed-out invocation reports the whole timeout, and counts in Errors too) at 80% of the timeout: 12 minutes of
    // 15. The process's peak resident memory, which the refresh writes at the end of every run (RefreshPeakRss,
    // functions/refresh/peak-memory.ts), at 75% of the function's memory: 3,072 MB of 4,096. Either gives weeks to act
    // (more memory, a shorter step) before the first failure: the measured growth is about 1% a month
    // (docs/benchmarks.md: +25% from 36 to 60 months).
    const { timeout, memoryMb } = props.refreshLimits;
    const nearTimeoutMs = Math.round(timeout.toMilliseconds() * 0.8);
    alarm(
      'RefreshNearTimeout',
      `A metric refresh ran for ${Duration.millis(nearTimeoutMs).toHumanString()} or more (its timeout is ${timeout.toHumanString()}): it will soon be stopped part-way (README, "Limits").`,
      props.refresh.metricDuration({ period: Duration.hours(1), statistic: 'Maximum' }),
      nearTimeoutMs,
    );
    const nearMemoryMb = Math.round(memoryMb * 0.75);
    alarm(
      'RefreshMemoryHigh',
      `A metric refresh's process reached ${nearMemoryMb} MB or more (the function has ${memoryMb} MB): it will soon run out of memory (README, "Limits").`,
      new Metric({
        namespace: PEAK_RSS_METRIC.namespace,
        metricName: PEAK_RSS_METRIC.name,
        dimensionsMap: { [PEAK_RSS_METRIC.dimension]: props.refresh.functionName },
        statistic: 'Maximum',
        period: Duration.hours(1),
      }),
      nearMemoryMb,
    );

    // Stale data: the refresh writes PublishSucceeded = 1 after it has published every document. Summed over the
    // last 26 hours (one period; alarms allow up to 7 days for periods of an hour or more), the sum is at least 1 while
    // the data is fresh and missing once the last successful publish is older. Missing data is left as missing ("if
    // all data points in the alarm evaluation range are missing, the alarm transitions to INSUFFICIENT_DATA": CloudWatch
    // User Guide, "Configuring how CloudWatch alarms treat missing data"), and the notification goes out on
    // INSUFFICIENT_DATA: an alarm starts in INSUFFICIENT_DATA and CloudWatch acts only on
    // a change of state, so a new stack that has never published tells nobody (no page on day 0), the first publish
    // turns it OK, and from then on a publish more than 26 hours old turns it INSUFFICIENT_DATA and e-mails the team.
    // 'Missing = breaching' would page minutes after the first deploy, before any data could have been published;
    // 'not breaching' would never page when the refresh stops altogether.
    const staleAfter = props.staleAfter ?? Duration.hours(26);
    const published = new Metric({
      namespace: PUBLISH_METRIC.namespace,
      metricName: PUBLISH_METRIC.name,
      dimensionsMap: { [PUBLISH_METRIC.dimension]: props.refresh.functionName },
      statistic: 'Sum',
      period: staleAfter,
    });
    this.dataStale = alarm(
      'DataStale',
      `No metric refresh has published for ${staleAfter.toHumanString()} (this alarm then shows INSUFFICIENT_DATA, by design: see infra/constructs/operations.ts): the dashboard's figures are going stale.`,
      published,
      1,
      { comparison: ComparisonOperator.LESS_THAN_THRESHOLD, treatMissingData: TreatMissingData.MISSING },
    );
    this.dataStale.addInsufficientDataAction(new SnsAction(this.topic));

    if ((props.alarmEmails ?? []).length === 0) {
      Annotations.of(this).addWarningV2(
        'sp-outcomes:no-alarm-emails',
        'No alarmEmails in the configuration: the alarms change state but tell nobody (README, first deploy).',
      );
    }
  }
}
