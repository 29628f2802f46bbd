import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
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
          // A landing object is only ever deleted when it held personal data: its old version goes the next day.
          noncurrentVersionExpiration: Duration.days(1),
          transitions: [
            {
              storageClass: StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(props.landingInfrequentAccessAfterDays ?? 30),
            },
          ],
        },
        { id: 'old-versions', noncurrentVersionExpiration: Duration.days(365) },
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

  /** The ingest: read raw uploads, write curated Parquet, receipts and quarantine; nothing else. */
  grantIngest(grantee: IGrantable): void {
    this.dataBucket.grantRead(grantee, 'landing/*');
    this.dataBucket.grantRead(grantee, 'receipts/*');
    for (const prefix of ['curated/*', 'receipts/*', 'quarantine/*']) this.dataBucket.grantPut(grantee, prefix);
    // A file refused for holding personal data is deleted once its receipt is written.
    this.dataBucket.grantDelete(grantee, 'landing/*');
  }

  /**
   * The upload API: check PCN tokens, read receipts, sign presigned POSTs for landing/ (a presigned POST carries the
   * signer's own rights), and list landing/ key names (PCN and hash) to tell "processing" from "never sent".
   * It cannot read any upload's contents.
   */
  grantUpload(grantee: IGrantable): void {
    this.dataBucket.grantRead(grantee, 'auth/pcn-tokens/*');
    this.dataBucket.grantRead(grantee, 'receipts/*');
    this.dataBucket.grantPut(grantee, 'landing/*');
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.dataBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': ['landing/pcn=*'] } },
      }),
    );
  }

  /** The refresh: read curated data, receipts and reference data; write curated reference tables and metrics. */
  grantRefresh(grantee: IGrantable): void {
    for (const prefix of ['curated/*', 'receipts/*', 'reference/*', 'metrics/*'])
      this.dataBucket.grantRead(grantee, prefix);
    for (const prefix of ['curated/pcns/*', 'curated/uploads/*', 'metrics/*'])
      this.dataBucket.grantPut(grantee, prefix);
    this.athenaResultsBucket.grantReadWrite(grantee);
  }

  /** The metrics API: read published documents only. */
  grantMetricsRead(grantee: IGrantable): void {
    this.dataBucket.grantRead(grantee, 'metrics/*');
  }
}
