import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PREPARE_STEPS } from '../../functions/refresh/refresh.ts';
import { REFRESH_QUEUE_MAX_CONCURRENCY } from '../config.ts';
import type { DataLake } from './data-lake.ts';
import type { EventsCatalog } from './events-catalog.ts';
import { acknowledgeFunctionFindings, BUNDLING, pipelineFunction, queueVisibilityFor } from './lambda-defaults.ts';
import type { MetricsWorkgroup } from './metrics-workgroup.ts';
import { deliverToQueue, ruleArn } from './rule-targets.ts';

export interface MetricsRefreshProps {
  readonly dataLake: DataLake;
  readonly catalog: EventsCatalog;
  readonly workgroup: MetricsWorkgroup;
  /** When the scheduled refresh runs. @default cron(0 6 * * ? *): 06:00 UTC daily */
  readonly schedule?: Schedule;
  /** How long after an upload's receipt the refresh waits for more uploads to gather. @default 5 minutes */
  readonly debounce?: Duration;
  /** @default true */
  readonly retainData?: boolean;
  /** Programme targets overriding the defaults. @default none */
  readonly targets?: Readonly<Record<string, number>>;
  /** Concurrency reserved for the refresh; at least REFRESH_QUEUE_MAX_CONCURRENCY + 1. @default none reserved */
  readonly reservedConcurrency?: number;
}

/**
 * The metric refresh: on a schedule, and after uploads are ingested (receipts written; gathered for a few minutes
 * so a burst of uploads makes one refresh). The request queue starts at most 2 at once (Lambda's minimum maximum
 * concurrency for SQS), so with the schedule up to 3 can overlap in a burst; nothing is reserved by default, as a
 * reservation below that would throttle batches, and a throttled batch counts as a receive towards the dead-letter
 * queue. Overlapping refreshes share the prepare tables by name, so one may fail the other's run (it is retried from
 * the queue); making them safe to overlap belongs to the refresh itself (per-run table names or a lock). It may query
 * Athena in its workgroup, replace only its own prepare tables in the Glue database, read curated data and write
 * metrics.
 */
export class MetricsRefresh extends Construct {
  readonly handler: NodejsFunction;
  readonly requests: Queue;
  readonly deadLetterQueue: Queue;
  readonly scheduleRule: Rule;

  constructor(scope: Construct, id: string, props: MetricsRefreshProps) {
    super(scope, id);
    const { dataLake, catalog, workgroup } = props;
    const debounce = props.debounce ?? Duration.minutes(5);
    const encryption = { encryption: QueueEncryption.KMS, encryptionMasterKey: dataLake.key, enforceSSL: true };
    const deadLetters = new Queue(this, 'DeadLetters', { ...encryption, retentionPeriod: Duration.days(14) });
    this.deadLetterQueue = deadLetters;
    const timeout = Duration.minutes(15);
    this.requests = new Queue(this, 'Requests', {
      ...encryption,
      deliveryDelay: debounce,
      visibilityTimeout: queueVisibilityFor(timeout, debounce),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: 3 },
    });
    const stackName = Stack.of(this).stackName;
    const receiptRule = `${stackName}-receipt-written`;
    const scheduleRule = `${stackName}-refresh-schedule`;
    // The receipt rule sends to the request queue; the schedule's failed deliveries go to the dead-letter queue.
    dataLake.allowEventBridgeRules('EventBridgeDeliversRefreshRequests', [
      ruleArn(this, receiptRule),
      ruleArn(this, scheduleRule),
    ]);
    new Rule(this, 'ReceiptWritten', {
      ruleName: receiptRule,
      description: 'An upload was ingested (its receipt was written): ask for a refresh',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [dataLake.dataBucket.bucketName] }, object: { key: [{ prefix: 'receipts/' }] } },
      },
      targets: [deliverToQueue(this.requests)],
    });

    const { handler, role } = pipelineFunction(this, {
      entry: 'functions/refresh/handler.ts',
      serviceName: 'sp-outcomes-refresh',
      description: 'Runs the metric catalogue on Athena and publishes the disclosure-controlled documents',
      key: dataLake.key,
      retainData: props.retainData,
      timeout,
      reservedConcurrency: props.reservedConcurrency,
      bundling: {
        ...BUNDLING,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // The catalogue's SQL files travel with the bundle; SQL_ROOT points at them.
          afterBundling: (inputDir: string, outputDir: string) => [`cp -r ${inputDir}/sql ${outputDir}/sql`],
        },
      },
      environment: {
        DATA_BUCKET: dataLake.dataBucket.bucketName,
        ATHENA_RESULTS_BUCKET: dataLake.athenaResultsBucket.bucketName,
        ATHENA_WORKGROUP: workgroup.workgroupName,
        GLUE_DATABASE: catalog.databaseName,
        SQL_ROOT: '/var/task/sql',
        TARGETS: JSON.stringify(props.targets ?? {}),
      },
    });
    this.handler = handler;
    this.handler.addEventSource(
      new SqsEventSource(this.requests, {
        batchSize: 1_000,
        maxBatchingWindow: debounce,
        maxConcurrency: REFRESH_QUEUE_MAX_CONCURRENCY,
      }),
    );
    this.scheduleRule = new Rule(this, 'Schedule', {
      ruleName: scheduleRule,
      description: 'Scheduled metric refresh',
      schedule: props.schedule ?? Schedule.expression('cron(0 6 * * ? *)'),
      targets: [new LambdaFunction(this.handler, { retryAttempts: 2, deadLetterQueue: deadLetters })],
    });

    dataLake.grantRefresh(this.handler);
    const stack = Stack.of(this);
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          'athena:StartQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:StopQueryExecution',
          'athena:GetWorkGroup',
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
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartitions'],
        resources: [catalogArn, databaseArn, tableArn('*')],
      }),
    );
    // Athena's CTAS, DROP TABLE and CREATE OR REPLACE VIEW change the catalog with the caller's rights: only the
    // prepare steps the refresh creates (functions/refresh/refresh.ts), never the curated tables the stack defines.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['glue:CreateTable', 'glue:DeleteTable', 'glue:UpdateTable'],
        resources: [catalogArn, databaseArn, ...PREPARE_STEPS.map((step) => tableArn(step.name))],
      }),
    );

    acknowledgeFunctionFindings(this.handler, role, [
      {
        bucket: dataLake.dataBucket,
        prefixes: ['curated', 'receipts', 'reference', 'metrics', 'curated/pcns', 'curated/uploads'],
      },
    ]);
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:glue:${region}:${account}:table/${catalog.databaseName}/*]`,
      reason:
        'Reading table definitions of this one database (Athena plans every query from them); changes are limited to the prepare tables by name.',
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
        'Its two triggers each dead-letter: the request queue by its redrive policy, the schedule target by its own dead-letter queue after retries.',
    });
  }
}
