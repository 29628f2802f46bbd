import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DataLakeProps {
  /** Keep the buckets and key when the stack is deleted. @default true */
  readonly retainData?: boolean;
  /** Days before raw uploads move to infrequent access. @default 30 */
  readonly landingInfrequentAccessAfterDays?: number;
  /** Days Athena query results are kept. @default 7 */
  readonly athenaResultsExpireAfterDays?: number;
}

/**
 * The stores: one KMS key (rotated), the data bucket (landing/, curated/, receipts/, quarantine/, reference/,
 * metrics/: prefixes with grants of their own), the Athena results bucket, and the access-log bucket they log to.
 * Every bucket is encrypted, versioned, TLS-only and closed to the public.
 */
export class DataLake extends Construct {
  readonly key: Key;
  readonly dataBucket: Bucket;
  readonly athenaResultsBucket: Bucket;
  readonly accessLogsBucket: Bucket;

  constructor(scope: Construct, id: string, props: DataLakeProps = {}) {
    super(scope, id);
    const removalPolicy = props.retainData === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.key = new Key(this, 'Key', { enableKeyRotation: true, description: 'Social prescribing data', removalPolicy });
    // Every function's log group is encrypted with this key, and CloudWatch Logs refuses to create a log group whose
    // key it may not use (the first deploy would roll back). The statement AWS documents, limited by the encryption
    // context to this account's log groups in this region:
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html (step 2, key policy).
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchLogsEncryptsThisAccountsLogGroups',
        principals: [new ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    const common = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    } as const;
    // Server access logs cannot be delivered to a bucket encrypted with a customer key: S3-managed keys here.
    this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
      ...common,
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(400), noncurrentVersionExpiration: Duration.days(30) }],
    });
    this.dataBucket = new Bucket(this, 'Data', {
      ...common,
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'data/',
      lifecycleRules: [
        {
          id: 'raw-uploads-to-infrequent-access',
          prefix: 'landing/',
          // A landing object is only deleted when it held personal data or could not be read through for it (or is not
          // the announced file): its old version goes the next day.
          noncurrentVersionExpiration: Duration.days(1),
          transitions: [
            {
              storageClass: StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(props.landingInfrequentAccessAfterDays ?? 30),
            },
          ],
        },
        { id: 'old-versions', noncurrentVersionExpiration: Duration.days(365) },
        {
          // A release the refresh has pruned (functions/lib/release.ts: four kept) is no reader's: its old versions go
          // after a week, not a year, and the delete markers left once they have gone are removed (about 1,400 keys a
          // national release, deleted at each refresh: review 25, R25-9). Where two rules' expirations overlap, the
          // shorter is honoured ("if two expiration policies overlap, the shorter expiration policy is honored",
          // https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-conflicts.html).
          id: 'pruned-releases',
          prefix: 'metrics/releases/',
          noncurrentVersionExpiration: Duration.days(7),
          expiredObjectDeleteMarker: true,
        },
      ],
    });
    // Object Created events go to EventBridge (the ingest queue's source). Set on the bucket itself rather than with
    // eventBridgeEnabled, which adds a custom-resource Lambda to do the same.
    (this.dataBucket.node.defaultChild as CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
    this.athenaResultsBucket = new Bucket(this, 'AthenaResults', {
      ...common,
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'athena-results/',
      lifecycleRules: [
        {
          expiration: Duration.days(props.athenaResultsExpireAfterDays ?? 7),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
    });
    this.acknowledgeFindings();
  }

  /** Findings of the compliance packs that do not apply here, each with its reason. */
  private acknowledgeFindings(): void {
    for (const bucket of [this.dataBucket, this.athenaResultsBucket, this.accessLogsBucket]) {
      Validations.of(bucket).acknowledge({
        id: 'HIPAA.Security-S3BucketReplicationEnabled',
        reason:
          'NHS patient-level data stays in the UK and AWS has one UK region (eu-west-2): no replica region. Versioning and retention protect against loss.',
      });
    }
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'HIPAA.Security-S3DefaultEncryptionKMS',
      reason:
        'S3 server access logs can only be delivered to a bucket encrypted with S3-managed keys (SSE-S3); the logs hold request metadata, not data.',
    });
  }

  /**
   * EventBridge may encrypt messages for the queues this key protects, for the named rules of this account only
   * (aws:SourceArn / aws:SourceAccount against the confused deputy). An SQS producer needs GenerateDataKey and Decrypt:
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
   * The rule ARNs are built from rule names, not taken from the rules: a rule refers to its queue, which refers to
   * this key, so the key may not refer back to a rule.
   */
  allowEventBridgeRules(sid: string, ruleArns: readonly string[]): void {
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid,
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnEquals: { 'aws:SourceArn': [...ruleArns] },
        },
      }),
    );
  }

  /**
   * Read under each prefix (e.g. `receipts/`): GetObject, the key to decrypt what it reads, and ListBucket for the
   * same prefixes. S3 needs ListBucket to answer 404 (NoSuchKey) rather than 403 for a missing key ("If you have the
   * s3:ListBucket permission on the bucket, Amazon S3 returns 404":
   * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html), which the stores read as "not there yet" (a
   * receipt, a published document): so every prefix a function reads from is also one it may list (listPrefixes may
   * name more, key names only).
   */
  grantRead(grantee: IGrantable, prefixes: readonly string[], listPrefixes: readonly string[] = prefixes): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: prefixes.map((prefix) => this.dataBucket.arnForObjects(`${prefix}*`)),
      }),
    );
    this.key.grant(grantee, 'kms:Decrypt');
    this.grantList(grantee, listPrefixes);
  }

  /**
   * ListBucket for key names under the prefixes only (not their contents). A prefix-conditioned ListBucket is
   * reported to give the 404 for keys under its prefix (kopia/kopia#3072, tested against S3).
   */
  grantList(grantee: IGrantable, prefixes: readonly string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.dataBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': prefixes.map((prefix) => `${prefix}*`) } },
      }),
    );
  }

  /** PutObject under each prefix (no tagging, legal hold or retention), and a data key to encrypt it with. */
  grantWrite(grantee: IGrantable, prefixes: readonly string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        resources: prefixes.map((prefix) => this.dataBucket.arnForObjects(`${prefix}*`)),
      }),
    );
    this.key.grant(grantee, 'kms:GenerateDataKey');
  }

  /** DeleteObject under each prefix (the current version only: lifecycle rules expire old versions). */
  grantDelete(grantee: IGrantable, prefixes: readonly string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:DeleteObject'],
        resources: prefixes.map((prefix) => this.dataBucket.arnForObjects(`${prefix}*`)),
      }),
    );
  }

  /**
   * What Athena needs of a caller, since it reads and writes with the caller's rights: locate both buckets, and read,
   * write and delete query results and CTAS output in the results bucket (which holds nothing else and expires
   * everything after days).
   */
  grantAthenaResults(grantee: IGrantable): void {
    const results = this.athenaResultsBucket;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:GetBucketLocation'],
        resources: [this.dataBucket.bucketArn, results.bucketArn],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [results.bucketArn],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          's3:GetObject',
          's3:PutObject',
          's3:DeleteObject',
          's3:AbortMultipartUpload',
          's3:ListMultipartUploadParts',
        ],
        resources: [results.arnForObjects('*')],
      }),
    );
    this.key.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey');
  }

  /**
   * An SQS queue encrypted with this key, TLS only, with its dead-letter queue (the same encryption): the pattern every
   * queue of the stack follows. A FIFO queue gets a FIFO dead-letter queue, as SQS requires.
   */
  encryptedQueue(
    scope: Construct,
    id: string,
    props: Omit<QueueProps, 'encryption' | 'encryptionMasterKey' | 'enforceSSL' | 'deadLetterQueue'>,
    deadLetters: { readonly id: string; readonly maxReceiveCount: number },
  ): { queue: Queue; deadLetterQueue: Queue } {
    const deadLetterQueue = this.encryptedQueueAlone(scope, deadLetters.id, {
      retentionPeriod: Duration.days(14),
      // Content-based deduplication lets an operator send to a FIFO dead-letter queue by hand.
      ...(props.fifo ? { fifo: true, contentBasedDeduplication: true } : {}),
    });
    const queue = this.encryptedQueueAlone(scope, id, {
      ...props,
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: deadLetters.maxReceiveCount },
    });
    return { queue, deadLetterQueue };
  }

  /** An SQS queue encrypted with this key, TLS only, without a dead-letter queue (one that is itself the last stop). */
  encryptedQueueAlone(scope: Construct, id: string, props: QueueProps): Queue {
    return new Queue(scope, id, {
      ...props,
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
    });
  }
}
