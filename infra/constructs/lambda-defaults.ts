import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { CfnBucket, IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/**
 * How every function of the pipeline is built and run: Node.js 22 on arm64, bundled locally with esbuild as ESM
 * (no Docker), the AWS SDK bundled with the rest, structured logs kept for a year in a KMS-encrypted log group.
 */
export const RUNTIME = Runtime.NODEJS_22_X;
export const ARCHITECTURE = Architecture.ARM_64;

export const BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: true,
  // The AWS SDK is bundled (this repository's pinned versions), not left to the runtime's: Lambda updates the SDK it
  // includes on its own schedule ("you will notice the version changes in your function even if your function code
  // has not changed": AWS Lambda Operator Guide, "Managing AWS SDKs in Lambda functions"), and does not say it ships
  // @aws-sdk/s3-presigned-post at all, so what npm run test:aws runs is what ships. An empty list: the CDK's
  // default for Node.js 18+ runtimes is ['@aws-sdk/*']. Review 33, R33-2.
  externalModules: [],
  // Some bundled dependencies still call require(): give the ES module one.
  banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  mainFields: ['module', 'main'],
};

export function functionLogGroup(scope: Construct, id: string, key: IKey, retainData: boolean): LogGroup {
  return new LogGroup(scope, id, {
    retention: RetentionDays.ONE_YEAR,
    encryptionKey: key,
    removalPolicy: retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
}

export const DEFAULT_TIMEOUT = Duration.minutes(5);

/**
 * The visibility timeout of a queue that triggers a function: at least six times the function's timeout, as AWS
 * recommends ("the extra time allows Lambda to retry if your function is throttled while processing a previous
 * batch": https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html), plus the batching window, for
 * which the event source already holds the messages it has received before it invokes the function.
 */
export function queueVisibilityFor(timeout: Duration, batchingWindow: Duration = Duration.seconds(0)): Duration {
  return Duration.seconds(6 * timeout.toSeconds() + batchingWindow.toSeconds());
}

/**
 * A function's own role: it may write to its own log group and is granted the rest explicitly (no AWS-managed
 * basic execution policy, which allows writing to every log group).
 */
export function functionRole(scope: Construct, id: string, logGroup: LogGroup): Role {
  const role = new Role(scope, id, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  return role;
}

/** The compliance findings every pipeline function shares, each with its reason. */
export function acknowledgeFunctionFindings(
  fn: Construct,
  role: Construct,
  scopedResources: readonly { bucket: IBucket; prefixes: readonly string[] }[] = [],
): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'The project pins Lambda to nodejs22.x, the Node line it is built and tested on; it moves with the project, not with each new runtime.',
  });
  Validations.of(fn).acknowledge({
    id: 'HIPAA.Security-LambdaInsideVPC',
    reason:
      'The function reaches only S3, SQS, Athena, Glue, KMS and CloudWatch through IAM-authorised AWS endpoints and listens on no network; a VPC would add NAT cost without adding a control.',
  });
  for (const { bucket, prefixes } of scopedResources) {
    const logicalId = Stack.of(bucket).getLogicalId(bucket.node.defaultChild as CfnBucket);
    for (const prefix of prefixes) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${prefix}/*]`,
        reason: `Every object under ${prefix}/, which this function owns by design (see the layout in ARCHITECTURE.md); no other prefix.`,
      });
    }
  }
  Validations.of(role).acknowledge({
    id: 'HIPAA.Security-IAMNoInlinePolicy',
    reason:
      'The policy is generated from grants for this one role and attached to it only; a customer-managed copy would add nothing but a second place to keep in step.',
  });
}

export interface PipelineFunctionProps {
  /** The handler module, e.g. functions/ingest/handler.ts (its export `handler`). */
  readonly entry: string;
  /** Powertools service name in every log line. */
  readonly serviceName: string;
  readonly description: string;
  /** The key that encrypts its log group. */
  readonly key: IKey;
  /** Keep its log group when the stack is deleted. @default true */
  readonly retainData?: boolean;
  /** @default 1024 */
  readonly memorySize?: number;
  /** @default DEFAULT_TIMEOUT (5 minutes) */
  readonly timeout?: Duration;
  /**
   * Concurrency taken out of the account's pool for this function alone (and its ceiling). @default none reserved:
   * the function shares the account's unreserved pool, capped by its trigger (an SQS trigger's maxConcurrency, or
   * the message groups of a FIFO queue).
   */
  readonly reservedConcurrency?: number;
  readonly environment?: Readonly<Record<string, string>>;
  /** @default BUNDLING */
  readonly bundling?: BundlingOptions;
}

/**
 * One function of the pipeline, built the same way as every other: its own KMS-encrypted log group ("Logs"), its own
 * role that may write only there ("Role"), and the function ("Handler") on the shared runtime and bundling.
 */
export function pipelineFunction(
  scope: Construct,
  props: PipelineFunctionProps,
): { handler: NodejsFunction; role: Role } {
  const logGroup = functionLogGroup(scope, 'Logs', props.key, props.retainData ?? true);
  const role = functionRole(scope, 'Role', logGroup);
  const handler = new NodejsFunction(scope, 'Handler', {
    role,
    entry: props.entry,
    handler: 'handler',
    runtime: RUNTIME,
    architecture: ARCHITECTURE,
    memorySize: props.memorySize ?? 1024,
    timeout: props.timeout ?? DEFAULT_TIMEOUT,
    reservedConcurrentExecutions: props.reservedConcurrency,
    bundling: props.bundling ?? BUNDLING,
    logGroup,
    environment: {
      ...props.environment,
      POWERTOOLS_SERVICE_NAME: props.serviceName,
      NODE_OPTIONS: '--enable-source-maps',
    },
    description: props.description,
  });
  if (props.reservedConcurrency === undefined) {
    Validations.of(handler).acknowledge({
      id: 'HIPAA.Security-LambdaConcurrency',
      reason:
        "Bounded by its trigger instead (an SQS event source's maximum concurrency, a FIFO queue's single message group, or the HTTP API stage's throttling); a reservation comes out of the account's pool, which must keep 100 unreserved, so it is set per account in the configuration (reservedConcurrency, README).",
    });
  }
  return { handler, role };
}
