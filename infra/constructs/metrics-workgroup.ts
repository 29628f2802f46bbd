import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface MetricsWorkgroupProps {
  readonly name: string;
  readonly resultsBucket: IBucket;
  readonly key: IKey;
  /** Athena cancels any query that would scan more. @default 20 */
  readonly bytesScannedCutoffGb?: number;
}

/** The Athena workgroup the refresh runs in: engine v3, its settings enforced, results encrypted, scans capped. */
export class MetricsWorkgroup extends Construct {
  readonly workgroup: CfnWorkGroup;
  readonly workgroupName: string;

  constructor(scope: Construct, id: string, props: MetricsWorkgroupProps) {
    super(scope, id);
    this.workgroupName = props.name;
    this.workgroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: props.name,
      description: 'Metric refresh for the social prescribing outcomes pipeline',
      recursiveDeleteOption: false,
      state: 'ENABLED',
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: (props.bytesScannedCutoffGb ?? 20) * 1024 ** 3,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${props.resultsBucket.bucketName}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.key.keyArn },
        },
      },
    });
  }
}
