import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-events';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { currentTargets, type DeploymentConfig } from './config.ts';
import { DashboardSite } from './constructs/dashboard-site.ts';
import { DataLake } from './constructs/data-lake.ts';
import { EventsCatalog } from './constructs/events-catalog.ts';
import { IngestPipeline } from './constructs/ingest-pipeline.ts';
import { LakeFormationGrants } from './constructs/lake-formation-grants.ts';
import { MetricsApi } from './constructs/metrics-api.ts';
import { MetricsRefresh } from './constructs/metrics-refresh.ts';
import { MetricsWorkgroup } from './constructs/metrics-workgroup.ts';
import { Operations } from './constructs/operations.ts';
import { RegionalAlerts } from './constructs/regional-alerts.ts';
import { UploadApi } from './constructs/upload-api.ts';

export interface PipelineStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

/** The social prescribing outcomes pipeline in one stack: storage, catalog, functions, API, dashboard and alarms. */
export class PipelineStack extends Stack {
  readonly dataLake: DataLake;
  readonly catalog: EventsCatalog;
  readonly workgroup: MetricsWorkgroup;
  readonly ingest: IngestPipeline;
  readonly refresh: MetricsRefresh;
  readonly regionalAlerts: RegionalAlerts;
  readonly operations: Operations;
  readonly api: MetricsApi;
  readonly uploads: UploadApi;
  readonly site: DashboardSite;
  readonly lakeFormation?: LakeFormationGrants;

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
    this.ingest = new IngestPipeline(this, 'Ingest', {
      dataLake: this.dataLake,
      retainData: config.retainData,
      maxConcurrency: config.ingestMaxConcurrency,
      reservedConcurrency: config.reservedConcurrency.ingest,
    });
    this.regionalAlerts = new RegionalAlerts(this, 'RegionalAlerts', {
      key: this.dataLake.key,
      subscribers: config.regionalAlertEmails,
    });
    const targets = currentTargets(config.targets);
    for (const note of targets.deprecated) Annotations.of(this).addWarningV2('sp-outcomes:deprecated-target', note);
    // Review 33, R33-3/R33-4: what the defaults leave open, said on every synth until the deployment names its own.
    if (!config.dashboardDomain)
      Annotations.of(this).addWarningV2(
        'sp-outcomes:default-certificate',
        'No dashboardDomain: the dashboard and /api/* are served on *.cloudfront.net, where CloudFront applies the TLSv1 security policy (TLS 1.0 and 1.1 accepted); set dashboardDomain for TLSv1.2_2021 (README, "Before the first deploy").',
      );
    if (!config.apiDomain)
      Annotations.of(this).addWarningV2(
        'sp-outcomes:execute-api-open',
        'No apiDomain: the HTTP API\'s execute-api address stays open to anyone, around CloudFront, and the stage\'s throttles (shared by every caller) can be spent through it; set apiDomain to disable it (README, "Before the first deploy").',
      );
    if (!config.webAclArn)
      Annotations.of(this).addWarningV2(
        'sp-outcomes:no-web-acl',
        'No webAclArn: the CloudFront distribution has no AWS WAF web ACL, so no per-client rate limit, and one caller can spend the HTTP API stage\'s throttles (shared by every caller) through CloudFront; deploy the edge stack and set webAclArn to its output WebAclArn (README, "Before the first deploy").',
      );
    this.refresh = new MetricsRefresh(this, 'Refresh', {
      dataLake: this.dataLake,
      catalog: this.catalog,
      workgroup: this.workgroup,
      retainData: config.retainData,
      schedule: Schedule.expression(config.refreshSchedule),
      targets: targets.targets,
      reservedConcurrency: config.reservedConcurrency.refresh,
      alerts: this.regionalAlerts,
    });
    // Review 33, R33-5: only where Lake Formation governs the catalog (the deployer must be a data lake administrator).
    if (config.lakeFormationGrants)
      this.lakeFormation = new LakeFormationGrants(this, 'LakeFormation', {
        refreshRole: this.refresh.handler.role as IRole,
        catalog: this.catalog,
        dataBucketRegistered: config.lakeFormationGrants !== true && config.lakeFormationGrants.dataBucketRegistered,
      });
    this.api = new MetricsApi(this, 'Api', {
      dataLake: this.dataLake,
      retainData: config.retainData,
      reservedConcurrency: config.reservedConcurrency.api,
      cognitoEmail: config.cognitoEmail,
      customDomain: config.apiDomain && {
        domainName: config.apiDomain.domainName,
        certificateArn: config.apiDomain.certificateArn,
        mutualTls: config.apiDomain.originMutualTls,
      },
    });
    // Under the metrics API's node (its HTTP API carries the routes), where the upload function has always been.
    this.uploads = new UploadApi(this.api, 'Uploads', {
      dataLake: this.dataLake,
      httpApi: this.api.api,
      originVerify: this.api.originVerify,
      retainData: config.retainData,
      reservedConcurrency: config.reservedConcurrency.upload,
    });
    const signInDomainPrefix = config.signInDomainPrefix ?? `${config.name}-${this.account}`;
    this.site = new DashboardSite(this, 'Dashboard', {
      apiDomainName: this.api.domainName,
      apiOriginHeader: this.api.originHeader,
      apiClientCertificateArn: config.apiDomain?.originMutualTls?.clientCertificateArn,
      accessLogsBucket: this.dataLake.accessLogsBucket,
      // The hosted domain signInFrom makes below (UserPoolDomain.baseUrl()), known before it exists: the site's
      // address is what the domain's client sends codes back to, so the site comes first.
      signInOrigin: `https://${signInDomainPrefix}.auth.${this.region}.amazoncognito.com`,
      retainData: config.retainData,
      domain: config.dashboardDomain,
      webAclArn: config.webAclArn,
    });
    // The address users, uploaders and alert e-mails use: the dashboard's own name when it has one (sign-in returns
    // only there, so nobody signs in through the *.cloudfront.net name and its TLSv1 policy: review 33, R33-4).
    const dashboardUrl = `https://${config.dashboardDomain?.domainName ?? this.site.distribution.distributionDomainName}`;
    // The links in each region's alert message.
    this.refresh.handler.addEnvironment('DASHBOARD_URL', dashboardUrl);
    const signIn = this.api.signInFrom(dashboardUrl, signInDomainPrefix);
    new CfnOutput(this, 'DashboardUrl', { value: dashboardUrl });
    new CfnOutput(this, 'SignInUrl', { value: signIn.baseUrl() });
    // The API's custom domain's regional target: the operator's DNS record for apiDomain points here (a CNAME), and
    // until it exists CloudFront cannot reach the API (README, "Before the first deploy").
    if (this.api.customDomain)
      new CfnOutput(this, 'ApiDomainTarget', { value: this.api.customDomain.regionalDomainName });
    new CfnOutput(this, 'SiteBucket', { value: this.site.bucket.bucketName });
    new CfnOutput(this, 'DistributionId', { value: this.site.distribution.distributionId });
    // Where the dashboardDomain's DNS record points (a CNAME, or a Route 53 alias): README, "Before the first deploy".
    new CfnOutput(this, 'DistributionDomainName', { value: this.site.distribution.distributionDomainName });
    new CfnOutput(this, 'DataBucket', { value: this.dataLake.dataBucket.bucketName });
    new CfnOutput(this, 'UserPoolId', { value: this.api.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.api.client.userPoolClientId });
    this.operations = new Operations(this, 'Operations', {
      ingest: this.ingest.handler,
      refresh: this.refresh.handler,
      upload: this.uploads.handler,
      api: this.api.handler,
      httpApi: this.api.api,
      apiAccessLogs: this.api.accessLogs,
      noUploadAlarmDays: config.noUploadAlarmDays,
      refreshLimits: { timeout: this.refresh.timeout, memoryMb: this.refresh.memoryMb },
      deadLetterQueues: [this.ingest.deadLetterQueue, this.refresh.deadLetterQueue, this.refresh.undeliveredQueue],
      alarmEmails: config.alarmEmails,
      retainData: config.retainData,
    });
    new CfnOutput(this, 'RefreshFunctionName', { value: this.refresh.handler.functionName });
    // Ask for a refresh by a message here, never by invoking the function: the queue keeps refreshes one at a time.
    new CfnOutput(this, 'RefreshQueueUrl', { value: this.refresh.requests.queueUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.operations.topic.topicArn });
  }
}
