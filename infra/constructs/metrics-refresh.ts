import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import { EventField, Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { REFRESH_RUNS_PREFIX, RELEASES_PREFIX, REVISIONS_PREFIX } from '../../functions/lib/keys.ts';
import { DATA_AS_OF_TABLES } from '../../functions/refresh/data-as-of.ts';
import { CATCH_UP_DETAIL_TYPE } from '../../functions/refresh/handler.ts';
import { PREPARE_STEPS } from '../../functions/refresh/refresh.ts';

import type { DataLake } from './data-lake.ts';
import type { EventsCatalog } from './events-catalog.ts';
import { acknowledgeFunctionFindings, BUNDLING, pipelineFunction, queueVisibilityFor } from './lambda-defaults.ts';
import type { MetricsWorkgroup } from './metrics-workgroup.ts';
import type { RegionalAlerts } from './regional-alerts.ts';
import { deliverToQueue, ruleArn } from './rule-targets.ts';

/** Every table and view a refresh makes in the catalog: its prepare steps and the data-as-of step's own. */
const REFRESH_TABLES = [...PREPARE_STEPS.map((step) => step.name), ...DATA_AS_OF_TABLES];
/** The Glue database every Athena caller must be able to read (the grant below; README "Before the first deploy"). */
export const DEFAULT_GLUE_DATABASE = 'default';

export interface MetricsRefreshProps {
  readonly dataLake: DataLake;
  readonly catalog: EventsCatalog;
  readonly workgroup: MetricsWorkgroup;
  /** When the scheduled refresh runs. @default cron(0 6 * * ? *): 06:00 UTC daily */
  readonly schedule?: Schedule;
  /** How long after an upload's receipt the refresh waits for more uploads to gather. @default 5 minutes */
  readonly debounce?: Duration;
  /**
   * The least time between refreshes asked for by receipts, and how often the catch-up schedule serves the requests
   * deferred within it (functions/refresh/handler.ts decide). Whole minutes, 1 or more. @default 30 minutes
   */
  readonly minInterval?: Duration;
  /** @default true */
  readonly retainData?: boolean;
  /** Programme targets overriding the defaults. @default none */
  readonly targets?: Readonly<Record<string, number>>;
  /** Concurrency reserved for the refresh (its queue starts one at a time, so 1 is enough). @default none reserved */
  readonly reservedConcurrency?: number;
  /** Where each region's "What changed" list is sent after a publish. @default none: nothing is sent */
  readonly alerts?: RegionalAlerts;
}

/**
 * The message group of every refresh request. One group: SQS returns no more messages of a group while any of it is
 * in flight, and Lambda "attempts all retries on the affected messages before Lambda receives additional messages
 * from the same group" (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html), so a FIFO event
 * source "can scale in concurrency to the number of active message groups": one.
 */
/**
 * The refresh function's memory, MB: compaction merges up to 250,000 rows at a time in it (handler.ts), and the
 * Athena results, documents and packs of a national refresh are held in it (test/bench/refresh-memory.ts measures).
 * 4,096 (review 24, R24-3; it was 2,048): the Node side of a national refresh peaked at 1,592-1,656 MB of resident
 * memory at 36 months (docs/benchmarks.md, `refresh-memory.ts lambda`) and grows with the months (the documents'
 * rows are areas x periods: +25% from 36 to 60 months there), so about 2.0-2.1 GB at 60 months, the old 2,048 MB
 * itself; 4,096 holds twice that. Lambda gives CPU in proportion ("At 1,769 MB, a function has the equivalent of one
 * vCPU": https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html), so 2.3 vCPU instead of 1.2: the
 * JavaScript still runs on one thread, but V8's collector, zlib and the SDK's streams get the rest instead of taking
 * turns with it, which shortens the refresh (the 15-minute wall, R24-2). Lambda's Node.js runtime sets V8's heap from
 * the memory itself (`--max-old-space-size` = memory - memory/10 on its command line, which wins over NODE_OPTIONS:
 * test/bench/refresh-memory.ts runs the refresh with the same flags), so no heap flag is set here. Cost: a refresh is
 * billed per GB-second, so twice the memory is twice the price of a refresh of the same length (less, as far as the
 * added CPU shortens it): at Arm's list price ($0.0000133334 a GB-second, US East, https://aws.amazon.com/lambda/pricing/)
 * a 10-minute refresh costs $0.032 instead of $0.016, ~120 refreshes a month $3.84 instead of $1.92 (README's cost
 * table). The memory alarm (operations.ts) fires at 75% of it.
 */
export const REFRESH_MEMORY_MB = 4096;

/** The refresh function's timeout: Lambda's most ("up to 15 minutes in a single invocation", Lambda quotas). */
export const REFRESH_TIMEOUT = Duration.minutes(15);

export const REFRESH_MESSAGE_GROUP = 'refresh';

/**
 * The metric refresh: on a schedule, and after uploads are ingested (receipts written; held back a few minutes so a
 * burst of uploads gathers). Both go through one FIFO queue in one message group, so refreshes run strictly one at
 * a time: they share the prepare tables by name (functions/refresh/refresh.ts PREPARE_STEPS) in one Athena
 * database, and two at once would drop each other's tables. No reserved concurrency is needed for that (nothing
 * invokes the function but its queue). A burst longer than one batch of 10 makes consecutive refreshes, never
 * overlapping ones. It may query Athena in its workgroup, replace only its own prepare tables in the Glue database,
 * read curated data and write metrics.
 */
export class MetricsRefresh extends Construct {
  readonly handler: NodejsFunction;
  readonly requests: Queue;
  readonly deadLetterQueue: Queue;
  /** Requests EventBridge could not put on the request queue after its retries (a standard queue). */
  readonly undeliveredQueue: Queue;
  readonly scheduleRule: Rule;
  /** Every `minInterval`: refresh if requests were deferred since the last successful refresh. */
  readonly catchUpRule: Rule;
  /** The function's timeout and memory, which the alarms (operations.ts) measure it against. */
  readonly timeout: Duration = REFRESH_TIMEOUT;
  readonly memoryMb: number = REFRESH_MEMORY_MB;

  constructor(scope: Construct, id: string, props: MetricsRefreshProps) {
    super(scope, id);
    const { dataLake, catalog, workgroup } = props;
    const debounce = props.debounce ?? Duration.minutes(5);
    const minInterval = props.minInterval ?? Duration.minutes(30);
    if (!Number.isInteger(minInterval.toMinutes({ integral: false })) || minInterval.toMinutes() < 1)
      throw new Error('minInterval must be a whole number of minutes, 1 or more');
    this.undeliveredQueue = dataLake.encryptedQueueAlone(this, 'Undelivered', { retentionPeriod: Duration.days(14) });
    Validations.of(this.undeliveredQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "EventBridge's dead-letter queue for the rules that feed the request queue (a standard queue, as EventBridge requires); nothing consumes it, and an alarm watches it.",
    });
    const timeout = this.timeout;
    // FIFO, with content-based deduplication as EventBridge requires of a FIFO target (rule-targets.ts). Each message
    // is a whole EventBridge event, whose id and time differ from every other event's, so two distinct requests are
    // never deduplicated as one; only EventBridge's own resend of the same event within 5 minutes is.
    ({ queue: this.requests, deadLetterQueue: this.deadLetterQueue } = dataLake.encryptedQueue(
      this,
      'Requests',
      {
        fifo: true,
        contentBasedDeduplication: true,
        // Every request (the schedule's too) waits here so receipts of a burst gather; a FIFO queue delays per queue, not
        // per message
        // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-delay-queues.html).
        deliveryDelay: debounce,
        // No batching window: "Batching window is not supported for FIFO queues"
        // (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html).
        visibilityTimeout: queueVisibilityFor(timeout),
      },
      { id: 'DeadLetters', maxReceiveCount: 3 },
    ));
    const stackName = Stack.of(this).stackName;
    const receiptRule = `${stackName}-receipt-written`;
    const scheduleRule = `${stackName}-refresh-schedule`;
    const catchUpRule = `${stackName}-refresh-catch-up`;
    // The three rules send to the request queue, and their undelivered events to the undelivered queue.
    dataLake.allowEventBridgeRules('EventBridgeDeliversRefreshRequests', [
      ruleArn(this, receiptRule),
      ruleArn(this, scheduleRule),
      ruleArn(this, catchUpRule),
    ]);
    const toRequests = deliverToQueue(this.requests, {
      messageGroupId: REFRESH_MESSAGE_GROUP,
      deadLetterQueue: this.undeliveredQueue,
      retryAttempts: 2,
    });
    new Rule(this, 'ReceiptWritten', {
      ruleName: receiptRule,
      description: 'An upload was ingested (its receipt was written): ask for a refresh',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [dataLake.dataBucket.bucketName] }, object: { key: [{ prefix: 'receipts/' }] } },
      },
      targets: [toRequests],
    });

    const { handler, role } = pipelineFunction(this, {
      entry: 'functions/refresh/handler.ts',
      serviceName: 'sp-outcomes-refresh',
      description: 'Runs the metric catalogue on Athena and publishes the disclosure-controlled documents',
      key: dataLake.key,
      retainData: props.retainData,
      timeout,
      memorySize: this.memoryMb,
      reservedConcurrency: props.reservedConcurrency,
      bundling: {
        ...BUNDLING,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // The catalogue's SQL files travel with the bundle; SQL_ROOT points at them. So do pdfkit's standard-font
          // metrics for the monthly packs: its Node build require()s "#standard-fonts/<name>" at run time, resolved
          // by the "imports" of the package.json nearest the bundle (https://github.com/foliojs/pdfkit/issues/1801).
          afterBundling: (inputDir: string, outputDir: string) => [
            `cp -r ${inputDir}/sql ${outputDir}/sql`,
            `mkdir -p ${outputDir}/pdfkit-fonts/chunks`,
            `cp ${inputDir}/node_modules/pdfkit/js/standard-fonts/*.cjs ${outputDir}/pdfkit-fonts/`,
            `cp ${inputDir}/node_modules/pdfkit/js/standard-fonts/chunks/*.cjs ${outputDir}/pdfkit-fonts/chunks/`,
            `echo '{"imports":{"#standard-fonts/*":"./pdfkit-fonts/*.cjs"}}' > ${outputDir}/package.json`,
          ],
        },
      },
      environment: {
        DATA_BUCKET: dataLake.dataBucket.bucketName,
        ATHENA_RESULTS_BUCKET: dataLake.athenaResultsBucket.bucketName,
        ATHENA_WORKGROUP: workgroup.workgroupName,
        GLUE_DATABASE: catalog.databaseName,
        SQL_ROOT: '/var/task/sql',
        TARGETS: JSON.stringify(props.targets ?? {}),
        // The catch-up schedule's rate (below): receipts' requests within it of the last start are deferred to it.
        REFRESH_MIN_INTERVAL_MINUTES: String(minInterval.toMinutes()),
        // Region → topic ARN (functions/refresh/handler.ts); the dashboard's address is added by the stack.
        ALERT_TOPICS: Stack.of(this).toJsonString(props.alerts?.topicArns() ?? {}),
      },
    });
    this.handler = handler;
    // 10 is the most a batch from a FIFO queue may hold (services-sqs-parameters.html, BatchSize). No maximum
    // concurrency: with one message group the queue starts one refresh at a time already, below Lambda's minimum of 2
    // for that setting (https://docs.aws.amazon.com/lambda/latest/dg/API_ScalingConfig.html).
    this.handler.addEventSource(new SqsEventSource(this.requests, { batchSize: 10 }));
    this.scheduleRule = new Rule(this, 'Schedule', {
      ruleName: scheduleRule,
      description: 'Scheduled metric refresh',
      schedule: props.schedule ?? Schedule.expression('cron(0 6 * * ? *)'),
      targets: [toRequests],
    });
    // Review 14, R14-4: receipts arriving steadily through a day made a whole national refresh every few minutes
    // (each batch after the last refresh's start is new to it). A request within `minInterval` of the last successful
    // refresh's start is deferred instead (recorded in private/refresh/), and this schedule asks every `minInterval`
    // for a refresh that runs only if something was deferred since: a refresh at most about every `minInterval` while
    // uploads keep coming, the first after a quiet spell still 5 minutes after it. Neither simpler way exists for a
    // FIFO source: "Batching window is not supported for FIFO queues" (MaximumBatchingWindowInSeconds,
    // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html), and a message sent back later cannot
    // wait longer than the queue's own delay ("When you set FifoQueue, you can't set DelaySeconds per message",
    // SendMessage DelaySeconds, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html;
    // a queue's delay is 15 minutes at most, sqs-delay-queues.html above). Its body names it and is unique (the
    // event's id and time), so content-based deduplication never merges two.
    this.catchUpRule = new Rule(this, 'CatchUp', {
      ruleName: catchUpRule,
      description: 'Refresh if uploads asked for one since the last refresh and were deferred',
      schedule: Schedule.rate(minInterval),
      targets: [
        deliverToQueue(this.requests, {
          messageGroupId: REFRESH_MESSAGE_GROUP,
          deadLetterQueue: this.undeliveredQueue,
          retryAttempts: 2,
          input: RuleTargetInput.fromObject({
            'detail-type': CATCH_UP_DETAIL_TYPE,
            id: EventField.eventId,
            time: EventField.time,
          }),
        }),
      ],
    });

    // Read curated data, receipts, reference data and published metrics; write the curated reference tables and
    // metrics; and what Athena needs, since it reads and writes with the refresh's own rights.
    const reads = ['curated/', 'receipts/', 'reference/', 'metrics/', 'compactions/'];
    dataLake.grantRead(this.handler, reads);
    // Compaction (functions/refresh/compact.ts) writes merged event and workforce objects and their records, and
    // deletes the objects they replace (a delete marker: the bucket is versioned).
    const compacted = ['curated/events/', 'curated/workforce/', 'compactions/'];
    dataLake.grantWrite(this.handler, ['curated/pcns/', 'curated/uploads/', 'metrics/', ...compacted]);
    dataLake.grantDelete(this.handler, compacted);
    // Releases (functions/lib/release.ts, R24-2): each refresh writes its documents and packs under
    // metrics/releases/<release>/ (PutObject on metrics/ above) and deletes releases no reader needs any more: delete
    // under that prefix only, never meta.json (the pointer readers follow) or anything else under metrics/.
    dataLake.grantDelete(this.handler, [RELEASES_PREFIX]);
    // The revisions record (functions/refresh/revisions.ts): England's published figures with each PCN's exact
    // contribution, as sensitive as curated data. The refresh alone reads and writes it (the API reads metrics/ only);
    // listing the prefix lets a first refresh find it missing (404) rather than refused.
    // And its own record of when its last successful run started and whether requests were deferred since (handler.ts
    // decide: requests already served are skipped, those within the least interval wait for the catch-up schedule).
    dataLake.grantRead(this.handler, [REVISIONS_PREFIX, REFRESH_RUNS_PREFIX]);
    dataLake.grantWrite(this.handler, [REVISIONS_PREFIX, REFRESH_RUNS_PREFIX]);
    dataLake.grantAthenaResults(this.handler);
    props.alerts?.grantPublish(this.handler);
    const stack = Stack.of(this);
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          'athena:StartQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:StopQueryExecution',
        ],
        resources: [
          stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: workgroup.workgroupName }),
        ],
      }),
    );
    const catalogArn = stack.formatArn({ service: 'glue', resource: 'catalog' });
    const databaseArn = stack.formatArn({ service: 'glue', resource: 'database', resourceName: catalog.databaseName });
    const tableArn = (name: string) =>
      stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${catalog.databaseName}/${name}` });
    // Table definitions Athena plans each statement from, with the caller's rights (GetTable on the table, the database
    // and the catalog). No glue:GetTables (no statement lists tables) and no glue:GetPartitions: both partitioned
    // tables use partition projection, which "allows Athena to avoid calling GetPartitions"
    // (https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html). Review 33, R33-7.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable'],
        resources: [catalogArn, databaseArn, tableArn('*')],
      }),
    );
    // Athena requires of every caller read access to the `default` database and the catalog, whichever database a
    // query names: "Mandatory: Access policy to the default database and catalog per AWS Region ... must be present"
    // (https://docs.aws.amazon.com/athena/latest/ug/fine-grained-access-to-glue-resources.html, "Configure AWS Glue
    // access to the catalog and database per AWS Region"). Read only: the page's policy adds glue:CreateDatabase for
    // an account without a `default` database; README ("Before the first deploy") says how to create it instead.
    // Review 33, R33-1.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['glue:GetDatabase'],
        resources: [
          catalogArn,
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: DEFAULT_GLUE_DATABASE }),
        ],
      }),
    );
    // Athena's CTAS, DROP TABLE and CREATE OR REPLACE VIEW change the catalog with the caller's rights: only the
    // prepare steps the refresh creates (functions/refresh/refresh.ts), never the curated tables the stack defines.
    // Each attempt names its steps <step>_<attempt> (functions/refresh/athena-engine.ts), so refreshes may overlap.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['glue:CreateTable', 'glue:DeleteTable', 'glue:UpdateTable'],
        resources: [catalogArn, databaseArn, ...REFRESH_TABLES.map((name) => tableArn(`${name}_*`))],
      }),
    );

    acknowledgeFunctionFindings(this.handler, role, [
      {
        bucket: dataLake.dataBucket,
        prefixes: [
          'curated',
          'receipts',
          'reference',
          'metrics',
          'curated/pcns',
          'curated/uploads',
          'curated/events',
          'curated/workforce',
          'compactions',
          REVISIONS_PREFIX.slice(0, -1),
          REFRESH_RUNS_PREFIX.slice(0, -1),
          RELEASES_PREFIX.slice(0, -1),
        ],
      },
    ]);
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:${region}:${account}:table/${catalog.databaseName}/*]`,
      reason:
        'Reading table definitions of this one database (Athena plans every query from them); changes are limited to the prepare tables by name.',
    });
    for (const name of REFRESH_TABLES)
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:${region}:${account}:table/${catalog.databaseName}/${name}_*]`,
        reason: `Each refresh attempt names its ${name} step ${name}_<attempt>, so overlapping refreshes never share one; no table the stack defines matches.`,
      });
    const resultsBucket = stack.getLogicalId(dataLake.athenaResultsBucket.node.defaultChild as CfnBucket);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${resultsBucket}.Arn>/*]`,
      reason:
        'Athena writes and the refresh reads query results anywhere in the results bucket, which holds nothing else and expires them after days.',
    });
    Validations.of(this.handler).acknowledge({
      id: 'HIPAA.Security-LambdaDLQ',
      reason:
        'Its one trigger, the request queue, dead-letters by its redrive policy; both rules feeding it put undelivered events in their own dead-letter queue.',
    });
  }
}
