import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from './config.ts';
import { DataLake } from './constructs/data-lake.ts';
import { EventsCatalog } from './constructs/events-catalog.ts';
import { IngestPipeline } from './constructs/ingest-pipeline.ts';
import { MetricsWorkgroup } from './constructs/metrics-workgroup.ts';

export interface PipelineStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

/** The social prescribing outcomes pipeline in one stack. Lambdas, API, dashboard and alarms follow (issue 5). */
export class PipelineStack extends Stack {
  readonly dataLake: DataLake;
  readonly catalog: EventsCatalog;
  readonly workgroup: MetricsWorkgroup;
  readonly ingest: IngestPipeline;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.dataLake = new DataLake(this, 'DataLake', {
      retainData: config.retainData,
      landingInfrequentAccessAfterDays: config.landingInfrequentAccessAfterDays,
      athenaResultsExpireAfterDays: config.athenaResultsExpireAfterDays,
    });
    this.catalog = new EventsCatalog(this, 'Catalog', {
      bucketName: this.dataLake.dataBucket.bucketName,
      databaseName: config.name.replaceAll('-', '_'),
    });
    this.workgroup = new MetricsWorkgroup(this, 'Workgroup', {
      name: config.name,
      resultsBucket: this.dataLake.athenaResultsBucket,
      key: this.dataLake.key,
      bytesScannedCutoffGb: config.athenaBytesScannedCutoffGb,
    });
    this.ingest = new IngestPipeline(this, 'Ingest', { dataLake: this.dataLake, retainData: config.retainData });
  }
}
