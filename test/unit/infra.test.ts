import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { QUERY_TABLES } from '../../functions/contract/index.ts';
import { SECURITY_HEADERS } from '../../functions/lib/security-headers.ts';
import { duckDbView } from '../../functions/lib/table-ddl.ts';
import { ConfigError, currentTargets, parseConfig } from '../../infra/config.ts';
import { duckQuery } from '../support/files.ts';
import { annotationsOf, synthApp } from '../support/synth.ts';

// cdk-nag's AwsSolutions and HIPAA Security packs run on the synth: any unacknowledged finding throws.
const synth = (config: Record<string, unknown> = {}) => Template.fromStack(synthApp(config).stack);
const template = synth({ name: 'sp-outcomes', account: '111122223333' });
/**
 * Every statement of a role's policies: CDK moves statements past the inline policy's size limit into managed
 * policies of the role (RefreshRoleDefaultPolicy, then RefreshRoleOverflowPolicy1, ...).
 */
const statementsOf = (prefix: string): unknown[] =>
  ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].flatMap((type) =>
    Object.entries(template.findResources(type))
      .filter(([id]) => id.startsWith(prefix))
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as unknown[]),
  );
const refreshStatements = () => statementsOf('RefreshRole');

describe('deployment configuration', () => {
  it('has defaults for every field and names the bad one', () => {
    expect(parseConfig(undefined)).toEqual({
      name: 'sp-outcomes',
      region: 'eu-west-2',
      retainData: true,
      athenaBytesScannedCutoffGb: 20,
      landingInfrequentAccessAfterDays: 30,
      athenaResultsExpireAfterDays: 7,
      refreshSchedule: 'cron(0 6 * * ? *)',
      targets: {},
      alarmEmails: [],
      regionalAlertEmails: {},
      reservedConcurrency: {},
      ingestMaxConcurrency: 10,
      noUploadAlarmDays: 7,
      edgeRateLimits: { api: 3_000, uploads: 600 },
      lakeFormationGrants: false,
    });
    expect(() => parseConfig({ refreshSchedule: 'every morning' })).toThrow(
      'refreshSchedule: must be an EventBridge schedule such as cron(0 6 * * ? *) or rate(1 day)',
    );
    expect(() => parseConfig({ targets: { annual_referals: 1 } })).toThrow(ConfigError);
    expect(() => parseConfig({ region: 'London' })).toThrow(
      new ConfigError('invalid deployment configuration: region: must be an AWS region such as eu-west-2'),
    );
    expect(() => parseConfig({ account: '123', colour: 'blue' })).toThrow(ConfigError);
  });

  it("reads the JSON text the CDK CLI passes for -c config='{...}' (README's deploy steps) as the object in cdk.json", () => {
    expect(parseConfig('{"name":"sp-outcomes","account":"111122223333","alarmEmails":["oncall@nhs.net"]}')).toEqual(
      parseConfig({ name: 'sp-outcomes', account: '111122223333', alarmEmails: ['oncall@nhs.net'] }),
    );
    expect(() => parseConfig('{name: sp-outcomes}')).toThrow(
      new ConfigError('invalid deployment configuration: config: not JSON (give -c config=\'{"name": ...}\')'),
    );
    expect(() => parseConfig('{"region":"London"}')).toThrow(
      new ConfigError('invalid deployment configuration: region: must be an AWS region such as eu-west-2'),
    );
  });
});

describe('the stack, synthesised offline under cdk-nag', () => {
  it('encrypts every bucket, with the rotated KMS key for data and query results', () => {
    template.resourceCountIs('AWS::S3::Bucket', 4);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const buckets = Object.values(template.findResources('AWS::S3::Bucket'));
    const algorithms = buckets
      .map(
        (b) =>
          b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm,
      )
      .sort();
    expect(algorithms).toEqual(['AES256', 'AES256', 'aws:kms', 'aws:kms']); // SSE-S3: the access-log bucket (S3 requires it) and the site build
  });

  it('blocks public access, versions, and keeps data when the stack is deleted', () => {
    const buckets = Object.values(template.findResources('AWS::S3::Bucket'));
    for (const bucket of buckets) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(bucket.DeletionPolicy).toBe('Retain');
    }
    const throwaway = synth({ name: 'sp-outcomes-dev', retainData: false });
    expect(Object.values(throwaway.findResources('AWS::S3::Bucket')).map((b) => b.DeletionPolicy)).toEqual([
      'Delete',
      'Delete',
      'Delete',
      'Delete',
    ]);
  });

  it('refuses any request that is not over TLS, on every bucket', () => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(4);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('logs access, sends Object Created events to EventBridge, and ages raw uploads and query results', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { LogFilePrefix: 'data/' },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: 'landing/',
            Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          }),
          // Pruned releases' old versions go after a week and their delete markers after them (R25-9).
          {
            Id: 'pruned-releases',
            Prefix: 'metrics/releases/',
            Status: 'Enabled',
            NoncurrentVersionExpiration: { NoncurrentDays: 7 },
            ExpiredObjectDeleteMarker: true,
          },
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 7 })] },
    });
    // the pipeline's own functions only: no custom-resource helper for the notifications
    expect(
      Object.values(template.findResources('AWS::Lambda::Function'))
        .map((f) => f.Properties.Description)
        .sort(),
    ).toEqual([
      'Grants PCN uploads (presigned POST to their own landing key) and returns their receipts',
      'Runs the metric catalogue on Athena and publishes the disclosure-controlled documents',
      'Serves the published metric documents to signed-in users',
      'Validates an uploaded file and writes curated Parquet, quarantine and its receipt',
    ]);
  });

  it('caps the scan of every Athena query and enforces encrypted results', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'sp-outcomes',
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 20 * 1024 ** 3,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: Match.objectLike({
          EncryptionConfiguration: Match.objectLike({ EncryptionOption: 'SSE_KMS' }),
        }),
      }),
    });
  });

  it("Glue tables have exactly the DuckDB views' columns, both from one specification, with partition projection", async () => {
    const tables = Object.values(template.findResources('AWS::Glue::Table')).map((t) => t.Properties.TableInput);
    expect(tables.map((t) => t.Name).sort()).toEqual(QUERY_TABLES.map((t) => t.name).sort());
    const duckToAthena: Record<string, string> = {
      VARCHAR: 'string',
      INTEGER: 'int',
      DOUBLE: 'double',
      BOOLEAN: 'boolean',
      DATE: 'date',
      TIMESTAMP: 'timestamp',
    };
    for (const spec of QUERY_TABLES) {
      const glue = tables.find((t) => t.Name === spec.name);
      const glueColumns = [...glue.StorageDescriptor.Columns, ...glue.PartitionKeys].map(
        (c: { Name: string; Type: string }) => `${c.Name} ${c.Type}`,
      );
      const duck = await duckQuery(`${duckDbView(spec, '/nowhere', false)}; DESCRIBE ${spec.name}`);
      expect(glueColumns, spec.name).toEqual(
        duck.map((c) => `${c.column_name} ${duckToAthena[c.column_type as string]}`),
      );
      if (spec.partition) {
        expect(glue.Parameters).toMatchObject({
          'projection.enabled': 'true',
          [`projection.${spec.partition.name}.type`]: 'date',
          [`projection.${spec.partition.name}.format`]: 'yyyy-MM',
        });
      }
    }
  });
});

const functionNamed = (description: string) =>
  Object.values(template.findResources('AWS::Lambda::Function')).find((f) =>
    f.Properties.Description.startsWith(description),
  );

describe('the ingest pipeline', () => {
  const fn = functionNamed('Validates an uploaded file');

  it('runs the bundled handler on nodejs22.x, arm64, with nothing reserved by default and a year of encrypted logs', () => {
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 2048,
      Timeout: 300,
      Handler: 'index.handler',
    });
    expect(fn?.Properties.ReservedConcurrentExecutions).toBeUndefined();
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(logGroups).toHaveLength(5); // four functions and the API's access log
    for (const group of logGroups)
      expect(group.Properties).toMatchObject({ RetentionInDays: 365, KmsKeyId: expect.anything() });
  });

  it('takes Object Created events under landing/ through an encrypted queue with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { object: { key: [{ prefix: 'landing/' }] } },
      },
    });
    const queues = Object.values(template.findResources('AWS::SQS::Queue'));
    // ingest and refresh requests, each with its dead-letter queue, and the refresh rules' undelivered events
    expect(queues).toHaveLength(5);
    const keyId = Object.keys(template.findResources('AWS::KMS::Key')).find((id) => id.startsWith('DataLakeKey'));
    for (const queue of queues) expect(queue.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(queues.find((q) => q.Properties.RedrivePolicy)?.Properties.RedrivePolicy).toMatchObject({
      maxReceiveCount: 5,
    });
    expect(queues.find((q) => q.Properties.RedrivePolicy)?.Properties.VisibilityTimeout).toBe(6 * 300 + 5);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 5,
    });
  });

  it('may read uploads and write only curated/events/, curated/workforce/, receipts/ and quarantine/: no wildcard action on the data', () => {
    const statements = statementsOf('') as { Action: string | string[]; Resource: unknown }[];
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions).not.toContain('*');
    expect(actions).not.toContain('s3:*');
    const written = statements
      .filter((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]).some((a) => a.startsWith('s3:PutObject')))
      .flatMap((s) => JSON.stringify(s.Resource).match(/\/(\w+)\/\*/g) ?? []);
    // The refresh's compaction (functions/refresh/compact.ts) writes merged events, workforce and their records; the
    // ingest writes under curated/events/ and curated/workforce/ only, no longer all of curated/ (review 33, R33-7).
    expect([...new Set(written)].sort()).toEqual([
      '/compactions/*',
      '/events/*',
      '/landing/*',
      '/metrics/*',
      '/pcns/*',
      '/quarantine/*',
      '/receipts/*',
      '/refresh/*',
      '/revisions/*',
      '/uploads/*',
      '/workforce/*',
    ]);
    // Deleting data objects: a refused upload (the ingest), what compaction replaces and the releases of the metrics no
    // reader needs any more (the refresh: functions/lib/release.ts, R24-2; never meta.json), nothing else.
    const deleting = statements.filter((s) =>
      (Array.isArray(s.Action) ? s.Action : [s.Action]).includes('s3:DeleteObject'),
    );
    const deleted = deleting.flatMap((s) => JSON.stringify(s.Resource).match(/\/([\w/]+)\/\*/g) ?? []);
    expect([...new Set(deleted)].sort()).toEqual([
      '/compactions/*',
      '/curated/events/*',
      '/curated/workforce/*',
      '/landing/*',
      '/metrics/releases/*',
    ]);
    const ingestPolicy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) =>
      id.startsWith('IngestRole'),
    )?.[1];
    const ingestWrites = (
      (ingestPolicy as { Properties: { PolicyDocument: { Statement: unknown } } }).Properties.PolicyDocument
        .Statement as { Action: string | string[]; Resource: unknown }[]
    )
      .filter((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]).some((a) => a.startsWith('s3:PutObject')))
      .flatMap((s) => JSON.stringify(s.Resource).match(/\/[\w/]+\/\*/g) ?? []);
    expect([...new Set(ingestWrites)].sort()).toEqual([
      '/curated/events/*',
      '/curated/workforce/*',
      '/quarantine/*',
      '/receipts/*',
    ]);
  });
});

describe('renamed target keys', () => {
  it('takes link_workers_fte as trained_link_workers, with a deprecation warning on the synth', () => {
    const config = parseConfig({ targets: { link_workers_fte: 1_200, annual_referrals: 950_000 } });
    expect(currentTargets(config.targets)).toEqual({
      targets: { trained_link_workers: 1_200, annual_referrals: 950_000 },
      deprecated: ['targets.link_workers_fte is deprecated: it is targets.trained_link_workers now (the same figure)'],
    });
    expect(currentTargets(parseConfig({ targets: { trained_link_workers: 1_100 } }).targets)).toEqual({
      targets: { trained_link_workers: 1_100 },
      deprecated: [],
    });
    expect(() => parseConfig({ targets: { link_workers_fte: 1_200, trained_link_workers: 1_100 } })).toThrow(
      'targets: link_workers_fte is the old name of trained_link_workers: set trained_link_workers only',
    );
    const { stack } = synthApp({ name: 'sp-outcomes', targets: { link_workers_fte: 1_200 } });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TARGETS: '{"trained_link_workers":1200}' }) },
    });
    annotationsOf(stack).hasWarning(
      '*',
      Match.stringLikeRegexp('targets.link_workers_fte is deprecated: it is targets.trained_link_workers now'),
    );
  });
});

describe('the metric refresh and operations', () => {
  it('runs on a schedule and after uploads (one at a time from a FIFO queue), with the SQL catalogue beside its bundle', () => {
    const custom = synth({
      name: 'sp-outcomes',
      refreshSchedule: 'rate(12 hours)',
      targets: { annual_referrals: 950_000 },
    });
    custom.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(12 hours)' });
    custom.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TARGETS: '{"annual_referrals":950000}' }) },
    });
    const fn = functionNamed('Runs the metric catalogue');
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 900,
      // Review 24, R24-3: 1.6 GB of resident memory at 36 months of England, ~2.0-2.1 GB expected at 60.
      MemorySize: 4096,
    });
    // V8's heap is the runtime's own (memory - memory/10 on its command line, which NODE_OPTIONS cannot change).
    expect(fn?.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    expect(fn?.Properties.ReservedConcurrentExecutions).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: Match.absent(),
      ScalingConfig: Match.absent(),
      FunctionName: { Ref: Match.stringLikeRegexp('^RefreshHandler') },
    });
    expect(fn?.Properties.Environment.Variables).toMatchObject({
      SQL_ROOT: '/var/task/sql',
      ATHENA_WORKGROUP: 'sp-outcomes',
      GLUE_DATABASE: 'sp_outcomes',
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 6 * * ? *)' });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: { bucket: Match.anyValue(), object: { key: [{ prefix: 'receipts/' }] } },
      }),
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      ContentBasedDeduplication: true,
      DelaySeconds: 300,
      VisibilityTimeout: 6 * 900,
    });
  });

  it('may query Athena only in its workgroup and change only its own prepare tables in its database', () => {
    const statements = refreshStatements() as { Action: string[]; Resource: unknown }[];
    const athena = statements.find((s) => s.Action.includes('athena:StartQueryExecution'));
    expect(JSON.stringify(athena?.Resource)).toContain(':workgroup/sp-outcomes');
    const glue = statements.find((s) => s.Action.includes('glue:CreateTable'));
    expect(JSON.stringify(glue?.Resource)).toContain(':table/sp_outcomes/episodes');
    expect(JSON.stringify(glue?.Resource)).not.toContain(':table/sp_outcomes/*');
  });

  it('may read the result objects Athena writes for it: s3:GetObject there, kms:Decrypt on the key that encrypts them', () => {
    // functions/refresh/athena-engine.ts reads each SELECT's result object from the workgroup's location, which the
    // workgroup encrypts with SSE-KMS (https://docs.aws.amazon.com/athena/latest/ug/queries-viewing-history.html).
    const statements = refreshStatements() as { Action: string | string[]; Resource: unknown }[];
    const allows = (action: string, resource: unknown) =>
      statements.some(
        (s) =>
          [s.Action].flat().includes(action) &&
          [s.Resource].flat().some((r) => JSON.stringify(r) === JSON.stringify(resource)),
      );
    const config = Object.values(template.findResources('AWS::Athena::WorkGroup'))[0]?.Properties.WorkGroupConfiguration
      .ResultConfiguration;
    const bucket = (config.OutputLocation['Fn::Join'][1] as unknown[])[1] as { Ref: string };
    expect(config.EncryptionConfiguration.EncryptionOption).toBe('SSE_KMS');
    expect(allows('s3:GetObject', { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket.Ref, 'Arn'] }, '/*']] })).toBe(true);
    expect(allows('kms:Decrypt', config.EncryptionConfiguration.KmsKey)).toBe(true);
  });

  it('alarms on dead letters, errors, throttles, failed refreshes, the refresh near its limits and stale data, to an encrypted topic', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    // Review 33, R33-8: the upload and API functions' Errors and the HTTP API stage's 5xx besides; then the stage's own
    // 429s (ApiThrottled) and NoUploadLanded (a metric-math alarm: no MetricName of its own).
    expect(alarms.map((a) => a.MetricName ?? '(math)').sort()).toEqual([
      '(math)',
      '5xx',
      'ApiThrottled',
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesVisible',
      'Duration',
      'Errors',
      'Errors',
      'Errors',
      'Errors',
      'PublishSucceeded',
      'RefreshPeakRss',
      'Throttles',
    ]);
    const stale = alarms.find((a) => a.MetricName === 'PublishSucceeded');
    expect(stale).toMatchObject({
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'missing',
      Period: 26 * 3600,
    });
    for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
  });

  it('alarms when a refresh runs 80% of its 15 minutes, or its process reaches 75% of its 4,096 MB', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const refresh = {
      Ref: Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.startsWith('RefreshHandler')),
    };
    expect(refresh.Ref).toMatch(/^RefreshHandler/);
    // 0.8 x 900 s = 720 s = 720,000 ms (Lambda's Duration is in milliseconds); a timed-out run reports 900,000.
    expect(alarms.find((a) => a.MetricName === 'Duration')).toMatchObject({
      AlarmName: 'sp-outcomes-pipeline-RefreshNearTimeout',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: refresh }],
      Statistic: 'Maximum',
      Period: 3600,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 720_000,
      TreatMissingData: 'notBreaching',
      AlarmDescription:
        'A metric refresh ran for 12 minutes or more (its timeout is 15 minutes): it will soon be stopped part-way (README, "Limits").',
    });
    // 0.75 x 4,096 MB = 3,072 MB, of the peak the refresh writes (functions/refresh/peak-memory.ts) for this function.
    expect(alarms.find((a) => a.MetricName === 'RefreshPeakRss')).toMatchObject({
      AlarmName: 'sp-outcomes-pipeline-RefreshMemoryHigh',
      Namespace: 'SpOutcomes',
      Dimensions: [{ Name: 'FunctionName', Value: refresh }],
      Statistic: 'Maximum',
      Period: 3600,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 3072,
      TreatMissingData: 'notBreaching',
      AlarmDescription:
        'A metric refresh\'s process reached 3072 MB or more (the function has 4096 MB): it will soon run out of memory (README, "Limits").',
    });
  });
});

describe('the API and the dashboard site', () => {
  type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
  const policyOf = (prefix: string): Statement[] => {
    const found = statementsOf(prefix) as Statement[];
    if (found.length === 0) throw new Error(`no IAM policy ${prefix}`);
    return found;
  };
  const prefixes = (statements: ReturnType<typeof policyOf>, action: string) =>
    [
      ...new Set(
        statements
          .filter((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]).some((a) => a.startsWith(action)))
          .flatMap((s) => JSON.stringify(s.Resource).match(/\/([\w/-]+)\/\*/g) ?? []),
      ),
    ].sort();

  it('the upload function signs POSTs for landing/ only, reads tokens and receipts, and cannot read any upload', () => {
    const statements = policyOf('ApiUploadsRole');
    expect(prefixes(statements, 's3:PutObject')).toEqual(['/landing/*']);
    expect(prefixes(statements, 's3:GetObject')).toEqual(['/auth/pcn-tokens/*', '/receipts/*']);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 's3:ListBucket',
        Condition: { StringLike: { 's3:prefix': ['auth/pcn-tokens/*', 'receipts/*', 'landing/pcn=*'] } },
      }),
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Grants PCN uploads'),
      Runtime: 'nodejs22.x',
      Environment: { Variables: Match.objectLike({ DATA_BUCKET: Match.anyValue() }) },
    });
  });

  it("the refresh alone reads and writes the revisions record (private/revisions/), outside the API's metrics/", () => {
    const refresh = policyOf('RefreshRole');
    expect(prefixes(refresh, 's3:GetObject')).toContain('/private/revisions/*');
    expect(prefixes(refresh, 's3:PutObject')).toContain('/private/revisions/*');
    expect(prefixes(refresh, 's3:DeleteObject')).not.toContain('/private/revisions/*');
    expect(prefixes(refresh, 's3:GetObject')).toContain('/private/refresh/*');
    expect(prefixes(refresh, 's3:PutObject')).toContain('/private/refresh/*');
    const others = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].flatMap((type) =>
      Object.entries(template.findResources(type))
        .filter(([id]) => !id.startsWith('RefreshRole'))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]),
    );
    expect(JSON.stringify(others)).not.toContain('private/');
  });

  it('the metrics function verifies the Cognito token itself and reads metrics/ only', () => {
    const statements = policyOf('ApiRole');
    expect(prefixes(statements, 's3:GetObject')).toEqual(['/metrics/*']);
    expect(prefixes(statements, 's3:PutObject')).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('metric documents'),
      Environment: {
        Variables: Match.objectLike({ USER_POOL_ID: Match.anyValue(), USER_POOL_CLIENT_ID: Match.anyValue() }),
      },
    });
  });

  it('puts the Cognito authoriser on every metrics route, and only the two upload routes go to the upload function', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual([
      'GET /api/uploads/{id}',
      'GET /api/{proxy+}',
      'POST /api/uploads',
    ]);
    for (const route of routes.filter((r) => !r.RouteKey.includes('/api/uploads')))
      expect(route).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: expect.anything() });
    // PCN uploaders carry PCN tokens, checked by the upload function against stored hashes on every request.
    for (const route of routes.filter((r) => r.RouteKey.includes('/api/uploads')))
      expect(route).toMatchObject({ AuthorizationType: 'NONE' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
      DefaultRouteSettings: { ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 },
    });
    // Every request is logged by the route it matched, never by its own path or query (upload ids, area codes).
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0]?.Properties;
    expect(JSON.parse(stage.AccessLogSettings.Format)).toEqual({
      requestId: '$context.requestId',
      apiId: '$context.apiId',
      ip: '$context.identity.sourceIp',
      time: '$context.requestTime',
      method: '$context.httpMethod',
      route: '$context.routeKey',
      status: '$context.status',
      integrationStatus: '$context.integrationStatus',
      latency: '$context.responseLatency',
      user: '$context.authorizer.claims.sub',
    });
    expect(stage.AccessLogSettings.Format).not.toMatch(/\$context\.(path|resourcePath)|querystring/i);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
  });

  it('signs users in on the hosted pages with the authorisation code flow, sending codes back to the dashboard only', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'sp-outcomes-111122223333' });
    const client = Object.values(template.findResources('AWS::Cognito::UserPoolClient'))[0]?.Properties;
    expect(client).toMatchObject({
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email'],
      SupportedIdentityProviders: ['COGNITO'],
      GenerateSecret: false,
    });
    const distributionId = Object.keys(template.findResources('AWS::CloudFront::Distribution'))[0];
    expect(client.CallbackURLs).toEqual([
      { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/']] },
    ]);
    expect(() => parseConfig({ signInDomainPrefix: 'my-cognito-login' })).toThrow(
      'signInDomainPrefix: may not contain aws, amazon or cognito',
    );
  });

  it('serves the dashboard only through CloudFront: origin access control, HTTPS, security headers, /api/* uncached', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const distribution = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]?.Properties
      .DistributionConfig;
    expect(distribution.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      ResponseHeadersPolicyId: expect.anything(),
    });
    expect(distribution.CacheBehaviors).toEqual([
      expect.objectContaining({
        PathPattern: '/api/uploads*',
        ViewerProtocolPolicy: 'https-only',
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      }),
      expect.objectContaining({
        PathPattern: '/api/*',
        ViewerProtocolPolicy: 'https-only',
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS'],
      }),
    ]);
    expect(distribution.Restrictions.GeoRestriction).toEqual({ Locations: ['GB'], RestrictionType: 'whitelist' });
    // No standard logs: they would keep every URL's path and query string (the sign-in code, upload ids).
    expect(distribution.Logging).toBeUndefined();
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { LogFilePrefix: 'site/' },
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicPolicy: true }),
    });
  });

  // Review 2, F6: the deployed dashboard used CloudFront's managed SecurityHeadersPolicy (no CSP, no
  // Permissions-Policy, frames from the same origin, another referrer policy) while the local server sent its own.
  it('sends the local server’s security headers on every behaviour, plus HSTS and the sign-in domain in connect-src', () => {
    const policies = template.findResources('AWS::CloudFront::ResponseHeadersPolicy');
    expect(Object.keys(policies)).toHaveLength(1);
    const policyId = Object.keys(policies)[0] as string;
    const distribution = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]?.Properties
      .DistributionConfig;
    const behaviours = [distribution.DefaultCacheBehavior, ...distribution.CacheBehaviors];
    expect(behaviours.map((b) => b.ResponseHeadersPolicyId)).toEqual([
      { Ref: policyId },
      { Ref: policyId },
      { Ref: policyId },
    ]);
    const config = policies[policyId]?.Properties.ResponseHeadersPolicyConfig;
    // The local CSP, with the one directive the deployed app needs more: fetch() to the hosted sign-in domain's
    // token endpoint (dashboard/src/sign-in.ts). The API is on the app's origin (/api/*), so 'self' covers it.
    const signIn = 'https://sp-outcomes-111122223333.auth.eu-west-2.amazoncognito.com';
    expect(config.SecurityHeadersConfig).toEqual({
      ContentSecurityPolicy: {
        ContentSecurityPolicy: `${SECURITY_HEADERS['content-security-policy']}; connect-src 'self' ${signIn}`,
        Override: true,
      },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: false, Override: true },
    });
    expect(config.CustomHeadersConfig).toEqual({
      Items: [{ Header: 'permissions-policy', Value: SECURITY_HEADERS['permissions-policy'], Override: true }],
    });
    // Every local header is sent, under CloudFront's setting for it or as a custom header, and nothing else is.
    const sent = [
      ...Object.keys(config.SecurityHeadersConfig),
      ...config.CustomHeadersConfig.Items.map((h: { Header: string }) => h.Header),
    ];
    const cloudFrontName: Record<string, string> = {
      'content-security-policy': 'ContentSecurityPolicy',
      'x-content-type-options': 'ContentTypeOptions',
      'x-frame-options': 'FrameOptions',
      'referrer-policy': 'ReferrerPolicy',
    };
    expect(sent.sort()).toEqual(
      [...Object.keys(SECURITY_HEADERS).map((h) => cloudFrontName[h] ?? h), 'StrictTransportSecurity'].sort(),
    );
    // The origin in connect-src is the one the stack publishes as SignInUrl (the app's config.json authority).
    const output = template.findOutputs('SignInUrl').SignInUrl?.Value['Fn::Join'][1] as unknown[];
    const domains = template.findResources('AWS::Cognito::UserPoolDomain');
    const resolved = output
      .map((part) => (typeof part === 'string' ? part : domains[(part as { Ref: string }).Ref]?.Properties.Domain))
      .join('');
    expect(resolved).toBe(signIn);
  });
});
