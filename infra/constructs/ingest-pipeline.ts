import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CURATED_TABLES } from '../../functions/contract/index.ts';
import type { DataLake } from './data-lake.ts';
import {
  acknowledgeFunctionFindings,
  DEFAULT_TIMEOUT,
  pipelineFunction,
  queueVisibilityFor,
} from './lambda-defaults.ts';
import { deliverToQueue, ruleArn } from './rule-targets.ts';

/** The ingest function's memory, MB: bench:ingest runs the ingest with the V8 heap flags Lambda derives from it. */
export const INGEST_MEMORY_MB = 2048;

export interface IngestPipelineProps {
  readonly dataLake: DataLake;
  /** @default true */
  readonly retainData?: boolean;
  /** Most ingest functions the upload queue starts at once (Lambda's range for SQS is 2-1000). @default 10 */
  readonly maxConcurrency?: number;
  /** Concurrency reserved for the ingest; at least maxConcurrency. @default none reserved */
  readonly reservedConcurrency?: number;
  /** Memory for Parquet work, MB. @default 2048 */
  readonly memorySize?: number;
  /** Deliveries of one upload before it is dead-lettered. @default 5 */
  readonly maxReceiveCount?: number;
}

/**
 * S3 "Object Created" under landing/ → EventBridge → SQS (with a dead-letter queue) → the ingest Lambda, which
 * reports failed files back so the queue redelivers them. The function may read landing/ and write
 * curated/events/, curated/workforce/, receipts/ and quarantine/, and nothing else.
 */
export class IngestPipeline extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly handler: NodejsFunction;

  constructor(scope: Construct, id: string, props: IngestPipelineProps) {
    super(scope, id);
    const { dataLake } = props;
    const timeout = DEFAULT_TIMEOUT;
    const batchingWindow = Duration.seconds(5);
    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = dataLake.encryptedQueue(
      this,
      'Uploads',
      { visibilityTimeout: queueVisibilityFor(timeout, batchingWindow) },
      { id: 'DeadLetters', maxReceiveCount: props.maxReceiveCount ?? 5 },
    ));
    const ruleName = `${Stack.of(this).stackName}-upload-landed`;
    dataLake.allowEventBridgeRules('EventBridgeDeliversUploadEvents', [ruleArn(this, ruleName)]);

    new Rule(this, 'UploadLanded', {
      ruleName,
      description: 'A PCN upload landed under landing/',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [dataLake.dataBucket.bucketName] }, object: { key: [{ prefix: 'landing/' }] } },
      },
      targets: [deliverToQueue(this.queue)],
    });

    const { handler, role } = pipelineFunction(this, {
      entry: 'functions/ingest/handler.ts',
      serviceName: 'sp-outcomes-ingest',
      description: 'Validates an uploaded file and writes curated Parquet, quarantine and its receipt',
      key: dataLake.key,
      retainData: props.retainData,
      memorySize: props.memorySize ?? INGEST_MEMORY_MB,
      timeout,
      reservedConcurrency: props.reservedConcurrency,
      environment: { DATA_BUCKET: dataLake.dataBucket.bucketName },
    });
    this.handler = handler;
    // Read raw uploads and receipts; write curated Parquet, receipts and quarantine; nothing else. A file refused for
    // holding personal data is deleted once its receipt is written (its current version only: the lifecycle rule
    // expires the old one the next day).
    // Curated: only the two tables an upload makes (curated/events/, curated/workforce/: functions/ingest/ingest.ts
    // writeAccepted), never curated/uploads/ (which uploads every figure counts) or curated/pcns/ (the reference in
    // force), which the refresh alone writes. Review 33, R33-7.
    const curatedPrefixes = Object.values(CURATED_TABLES).map((table) => `${table.prefix}/`);
    dataLake.grantRead(this.handler, ['landing/', 'receipts/']);
    dataLake.grantWrite(this.handler, [...curatedPrefixes, 'receipts/', 'quarantine/']);
    dataLake.grantDelete(this.handler, ['landing/']);
    this.handler.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 5,
        maxBatchingWindow: batchingWindow,
        maxConcurrency: props.maxConcurrency ?? 10,
        reportBatchItemFailures: true,
      }),
    );

    acknowledgeFunctionFindings(this.handler, role, [
      {
        bucket: dataLake.dataBucket,
        prefixes: ['landing', 'receipts', 'quarantine', ...curatedPrefixes.map((prefix) => prefix.slice(0, -1))],
      },
    ]);
    Validations.of(this.handler).acknowledge({
      id: 'HIPAA.Security-LambdaDLQ',
      reason:
        'Invoked synchronously by the SQS event source: failed files return to the queue, whose redrive policy dead-letters them.',
    });
  }
}
