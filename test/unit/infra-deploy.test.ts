import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { QUERY_TABLES } from '../../functions/contract/index.ts';
import { DATA_AS_OF_TABLES } from '../../functions/refresh/data-as-of.ts';
import { PUBLISH_METRIC as EMITTED_METRIC } from '../../functions/refresh/handler.ts';
import { PREPARE_STEPS } from '../../functions/refresh/refresh.ts';
import { ConfigError, parseConfig } from '../../infra/config.ts';
import { SPA_ROUTING_CODE } from '../../infra/constructs/dashboard-site.ts';
import { PUBLISH_METRIC } from '../../infra/constructs/operations.ts';
import { actionMatches, leastPrivilegeViolations } from '../support/iam-rules.ts';
import { ACCOUNT, type Loose, synthApp, templateOf } from '../support/synth.ts';

// What a first deploy needs to succeed and to be operable (issue 12: items 1, 4, 5, 7, 8, 12, 13), asserted on the
// synthesised template under cdk-nag (app.synth() throws on any unacknowledged finding).
const synth = (config: Record<string, unknown>) => templateOf(synthApp(config).stack);
const template = synth({ name: 'sp-outcomes', account: ACCOUNT });
const configured = synth({
  name: 'sp-outcomes',
  account: ACCOUNT,
  alarmEmails: ['pipeline-oncall@nhs.example', 'data-team@nhs.example'],
  reservedConcurrency: { ingest: 12, refresh: 3, api: 40, upload: 15 },
  ingestMaxConcurrency: 12,
  cognitoEmail: { fromEmail: 'no-reply@sp.nhs.example', fromName: 'SP outcomes', sesVerifiedDomain: 'sp.nhs.example' },
});

type Res = Loose;
const ofType = (t: typeof template, type: string): [string, Res][] =>
  Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const statementsOf = (doc: Loose): Loose[] => doc.Statement;
/** The first resource of a type, with its logical id; the test fails if there is none. */
const firstOf = (t: typeof template, type: string): [string, Res] => {
  const [found] = ofType(t, type);
  if (!found) throw new Error(`no ${type} in the template`);
  return found;
};
/** A CloudFormation string value with the partition resolved, as it would be in eu-west-2 of the aws partition. */
const resolve = (value: unknown): string => {
  if (typeof value === 'string') return value;
  const v: Loose = value;
  if (v.Ref === 'AWS::Partition') return 'aws';
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(resolve).join(v['Fn::Join'][0]);
  return JSON.stringify(value);
};
const arnLike = (pattern: string, arn: string) => actionMatches(pattern, arn);
const actions = (s: Loose): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const grants = (s: Loose, action: string) => actions(s).some((a) => actionMatches(a, action));
const keyOf = (t: typeof template, arn: unknown) => {
  const id = (arn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return t.Resources[id];
};

describe('item 1: CloudWatch Logs may use the key of every encrypted log group', () => {
  it("the key policy has AWS's documented statement for logs.eu-west-2.amazonaws.com, limited to this account's log groups", () => {
    const groups = ofType(template, 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(5);
    for (const [id, group] of groups) {
      const key = keyOf(template, group.Properties.KmsKeyId);
      const forLogs = statementsOf(key.Properties.KeyPolicy).filter(
        (s) => s.Effect === 'Allow' && s.Principal?.Service === 'logs.eu-west-2.amazonaws.com',
      );
      expect(forLogs, id).toHaveLength(1);
      const [statement] = forLogs;
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:DescribeKey'])
        expect(grants(statement, action), action).toBe(true);
      const context = statement.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'];
      expect(resolve(context)).toBe(`arn:aws:logs:eu-west-2:${ACCOUNT}:log-group:*`);
      // the function's own log group matches; another account's does not
      expect(arnLike(resolve(context), `arn:aws:logs:eu-west-2:${ACCOUNT}:log-group:/aws/lambda/ingest`)).toBe(true);
      expect(arnLike(resolve(context), 'arn:aws:logs:eu-west-2:444455556666:log-group:/aws/lambda/ingest')).toBe(false);
    }
  });
});

describe('item 4: alarms reach people', () => {
  const [topicId, topic] = firstOf(template, 'AWS::SNS::Topic');
  const alarms = ofType(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);

  it('the topic key lets CloudWatch encrypt for this stack’s alarms only, and the key is not the data key', () => {
    const key = keyOf(template, topic.Properties.KmsMasterKeyId);
    const dataKey = keyOf(template, firstOf(template, 'AWS::Logs::LogGroup')[1].Properties.KmsKeyId);
    expect(key).not.toBe(dataKey);
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const [forCloudWatch] = statementsOf(key.Properties.KeyPolicy).filter(
      (s) => s.Principal?.Service === 'cloudwatch.amazonaws.com',
    );
    expect(grants(forCloudWatch, 'kms:Decrypt') && grants(forCloudWatch, 'kms:GenerateDataKey')).toBe(true);
    expect(grants(forCloudWatch, 'kms:Encrypt')).toBe(false);
    expect(forCloudWatch.Condition.StringEquals).toEqual({ 'aws:SourceAccount': ACCOUNT });
    const sourceArn = resolve(forCloudWatch.Condition.ArnLike['aws:SourceArn']);
    expect(sourceArn).toBe(`arn:aws:cloudwatch:eu-west-2:${ACCOUNT}:alarm:sp-outcomes-pipeline-*`);
    // every alarm of the stack is covered by the condition, so none is dropped at the topic
    // 9, and review 33's three (R33-8): UploadErrors, ApiErrors, ApiServerErrors; and its follow-ups: ApiThrottled,
    // NoUploadLanded.
    expect(alarms).toHaveLength(14);
    for (const alarm of alarms)
      expect(
        arnLike(sourceArn, `arn:aws:cloudwatch:eu-west-2:${ACCOUNT}:alarm:${alarm.AlarmName}`),
        alarm.AlarmName,
      ).toBe(true);
    expect(arnLike(sourceArn, `arn:aws:cloudwatch:eu-west-2:${ACCOUNT}:alarm:someone-else`)).toBe(false);
  });

  it('the topic policy lets CloudWatch publish under the same conditions, over TLS only', () => {
    const [, policy] = firstOf(template, 'AWS::SNS::TopicPolicy');
    expect(policy.Properties.Topics).toEqual([{ Ref: topicId }]);
    const statements = statementsOf(policy.Properties.PolicyDocument);
    const publish = statements.find((s) => s.Effect === 'Allow');
    expect(publish).toMatchObject({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' });
    expect(Object.keys(publish?.Condition ?? {}).sort()).toEqual(['ArnLike', 'StringEquals']);
    expect(statements.find((s) => s.Effect === 'Deny')?.Condition).toEqual({
      Bool: { 'aws:SecureTransport': 'false' },
    });
  });

  it('each configured address gets an e-mail subscription; none configured, none made; a bad address is refused', () => {
    expect(ofType(template, 'AWS::SNS::Subscription')).toEqual([]);
    const subscriptions = ofType(configured, 'AWS::SNS::Subscription').map(([, s]) => s.Properties);
    expect(subscriptions.map((s) => [s.Protocol, s.Endpoint]).sort()).toEqual([
      ['email', 'data-team@nhs.example'],
      ['email', 'pipeline-oncall@nhs.example'],
    ]);
    for (const s of subscriptions) expect(Object.values(s.TopicArn)).toHaveLength(1);
    expect(() => parseConfig({ alarmEmails: ['oncall'] })).toThrow(
      new ConfigError('invalid deployment configuration: alarmEmails.0: must be an e-mail address'),
    );
  });

  it('every alarm notifies the topic', () => {
    for (const alarm of alarms) expect(alarm.AlarmActions, alarm.AlarmName).toEqual([{ Ref: topicId }]);
  });
});

describe('item 5: API errors stay API errors through CloudFront', () => {
  const distribution = firstOf(template, 'AWS::CloudFront::Distribution')[1].Properties.DistributionConfig;

  it('has no distribution-wide error page: a 403 from /api/* reaches the client as the API sent it', () => {
    expect(distribution.CustomErrorResponses).toBeUndefined();
    const api = distribution.CacheBehaviors.filter((b: { PathPattern: string }) => b.PathPattern.startsWith('/api/'));
    expect(api.map((b: { PathPattern: string }) => b.PathPattern)).toEqual(['/api/uploads*', '/api/*']);
    for (const behaviour of api) expect(behaviour.FunctionAssociations, behaviour.PathPattern).toBeUndefined();
  });

  it('routes the app on the default (S3) behaviour with a viewer-request function', () => {
    const [fnId, fn] = firstOf(template, 'AWS::CloudFront::Function');
    expect(distribution.DefaultCacheBehavior.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fnId, 'FunctionARN'] } },
    ]);
    expect(fn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    expect(fn.Properties.FunctionCode).toBe(SPA_ROUTING_CODE);
  });

  it('the function sends client routes to index.html and leaves files alone', () => {
    const route = (uri: string) =>
      runInNewContext(`${SPA_ROUTING_CODE}; handler({ request: { uri: ${JSON.stringify(uri)}, headers: {} } }).uri`);
    expect(route('/')).toBe('/index.html');
    expect(route('/outcomes')).toBe('/index.html');
    expect(route('/equity/icb/QWE')).toBe('/index.html');
    expect(route('/assets/index-3f9a1c.js')).toBe('/assets/index-3f9a1c.js');
    expect(route('/config.json')).toBe('/config.json');
    expect(route('/index.html')).toBe('/index.html');
  });
});

// Review 13, R13-6: the HTTP API's execute-api address answered anyone, past CloudFront's UK-only fence. CloudFront
// adds a secret header the API functions check; its value is generated by Secrets Manager and reaches CloudFront and
// the functions as a dynamic reference CloudFormation resolves at deploy, never as text in the template.
describe('only CloudFront reaches the API functions: a secret origin header, never in the template', () => {
  it('one generated secret (48 letters and digits, the data key); CloudFront sends it to the API origin, both API functions get the same reference', () => {
    for (const t of [template, configured]) {
      const secrets = ofType(t, 'AWS::SecretsManager::Secret');
      expect(secrets).toHaveLength(1);
      const [secretId, secret] = secrets[0] as [string, Res];
      expect(secret.Properties.GenerateSecretString).toEqual({
        ExcludePunctuation: true,
        IncludeSpace: false,
        PasswordLength: 48,
      });
      expect(secret.Properties.SecretString).toBeUndefined();
      expect(secret.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DataLakeKey/), 'Arn'] });
      const reference = { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']] };
      const origins = firstOf(t, 'AWS::CloudFront::Distribution')[1].Properties.DistributionConfig.Origins as Loose[];
      const api = origins.filter((o) => o.CustomOriginConfig);
      expect(api.map((o) => o.OriginCustomHeaders)).toEqual([
        [{ HeaderName: 'x-origin-verify', HeaderValue: reference }],
      ]);
      // The S3 origin (the app's files) carries no header.
      expect(origins.filter((o) => o.S3OriginConfig).map((o) => o.OriginCustomHeaders)).toEqual([undefined]);
      const withSecret = ofType(t, 'AWS::Lambda::Function')
        .filter(([, f]) => f.Properties.Environment?.Variables?.ORIGIN_VERIFY !== undefined)
        .map(([id, f]) => [id.replace(/[0-9A-F]{8}$/, ''), f.Properties.Environment.Variables.ORIGIN_VERIFY]);
      expect(withSecret).toEqual([
        ['ApiHandler', reference],
        ['ApiUploadsHandler', reference],
      ]);
    }
  });
});

// Review 18, R18-2: changing the secret's value made every API call 403 for the minutes CloudFront takes to deploy
// (the functions take a new value within seconds). During a change both values are accepted, in three deploys:
// accept (the functions take the current and the previous value, CloudFront keeps sending the previous), send
// (CloudFront sends the current), then none (the previous is no longer accepted: the template above).
describe('changing the origin secret: the functions accept the previous value until CloudFront sends the new one', () => {
  // cdk-nag: the synth throws on any unacknowledged finding.
  const withRotation = (step: unknown) =>
    templateOf(synthApp({ name: 'sp-outcomes', account: ACCOUNT }, { originVerifyRotation: step }).stack);
  const header = (t: typeof template) =>
    (firstOf(t, 'AWS::CloudFront::Distribution')[1].Properties.DistributionConfig.Origins as Loose[])
      .filter((o) => o.CustomOriginConfig)
      .map((o) => o.OriginCustomHeaders);
  const functions = (t: typeof template) =>
    ofType(t, 'AWS::Lambda::Function')
      .filter(([, f]) => f.Properties.Environment?.Variables?.ORIGIN_VERIFY !== undefined)
      .map(([id, f]) => {
        const { ORIGIN_VERIFY, ORIGIN_VERIFY_PREVIOUS } = f.Properties.Environment.Variables;
        return [id.replace(/[0-9A-F]{8}$/, ''), ORIGIN_VERIFY, ORIGIN_VERIFY_PREVIOUS];
      });
  const reference = (t: typeof template, stage: string) => {
    const [secretId] = firstOf(t, 'AWS::SecretsManager::Secret');
    return { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, `:SecretString::${stage}:}}`]] };
  };

  it('accept: both functions take the current and the previous (AWSPREVIOUS) value; CloudFront keeps sending the previous', () => {
    const t = withRotation('accept');
    const current = reference(t, '');
    const previous = reference(t, 'AWSPREVIOUS');
    expect(header(t)).toEqual([[{ HeaderName: 'x-origin-verify', HeaderValue: previous }]]);
    expect(functions(t)).toEqual([
      ['ApiHandler', current, previous],
      ['ApiUploadsHandler', current, previous],
    ]);
    // Still one secret, and no more resources than without a change.
    expect(ofType(t, 'AWS::SecretsManager::Secret')).toHaveLength(1);
    expect(Object.keys(t.Resources).length).toBe(Object.keys(template.Resources).length);
  });

  it('send: CloudFront sends the current value, the functions still take both; anything else stops the synth', () => {
    const t = withRotation('send');
    const current = reference(t, '');
    const previous = reference(t, 'AWSPREVIOUS');
    expect(header(t)).toEqual([[{ HeaderName: 'x-origin-verify', HeaderValue: current }]]);
    expect(functions(t)).toEqual([
      ['ApiHandler', current, previous],
      ['ApiUploadsHandler', current, previous],
    ]);
    // Without a change (the template above): the current value only, sent and accepted.
    expect(functions(template)).toEqual([
      ['ApiHandler', reference(template, ''), undefined],
      ['ApiUploadsHandler', reference(template, ''), undefined],
    ]);
    expect(() => withRotation('yes')).toThrow('originVerifyRotation must be accept or send');
  });
});

describe('items 7 and 8: concurrency that does not contradict itself, and what the account must allow', () => {
  /** Every SQS event source mapping with its queue and function, as the template has them. */
  const mappings = (t: typeof template) =>
    ofType(t, 'AWS::Lambda::EventSourceMapping').map(([id, m]) => {
      const queue = t.Resources[m.Properties.EventSourceArn['Fn::GetAtt'][0]];
      const fn = t.Resources[m.Properties.FunctionName.Ref];
      return { id, mapping: m.Properties, queue: queue.Properties, fn: fn.Properties };
    });

  for (const [label, t] of [
    ['default', template],
    ['reserved', configured],
  ] as const) {
    it(`(${label}) every queue's visibility timeout is at least six function timeouts plus the batching window`, () => {
      const found = mappings(t);
      expect(found).toHaveLength(2);
      for (const { id, mapping, queue, fn } of found)
        expect(queue.VisibilityTimeout, id).toBeGreaterThanOrEqual(
          6 * fn.Timeout + (mapping.MaximumBatchingWindowInSeconds ?? 0),
        );
    });

    it(`(${label}) a standard queue's trigger caps its concurrency (2 at least), and no reservation is below the cap`, () => {
      const standard = mappings(t).filter(({ queue }) => !queue.FifoQueue);
      expect(standard).toHaveLength(1); // the ingest's upload queue
      for (const { id, mapping, fn } of standard) {
        const cap = mapping.ScalingConfig?.MaximumConcurrency;
        expect(cap, id).toBeGreaterThanOrEqual(2); // Lambda's minimum for SQS maximum concurrency
        if (fn.ReservedConcurrentExecutions !== undefined)
          expect(fn.ReservedConcurrentExecutions, id).toBeGreaterThanOrEqual(cap);
      }
    });

    it(`(${label}) a FIFO queue's trigger has no batching window or maximum concurrency, and is its function's only trigger`, () => {
      const fifo = mappings(t).filter(({ queue }) => queue.FifoQueue);
      expect(fifo).toHaveLength(1); // the refresh's request queue
      for (const { id, mapping } of fifo) {
        // "Batching window is not supported for FIFO queues"; "For FIFO queues, the maximum is 10" (Lambda docs).
        expect(mapping.MaximumBatchingWindowInSeconds, id).toBeUndefined();
        expect(mapping.BatchSize, id).toBeLessThanOrEqual(10);
        // One message group starts one at a time: a cap of 2 (Lambda's least) would say otherwise.
        expect(mapping.ScalingConfig, id).toBeUndefined();
        // Nothing else may start the function (no rule targets it, nothing may invoke it), or it could overlap.
        const fnId = mapping.FunctionName.Ref;
        const rulesOnIt = ofType(t, 'AWS::Events::Rule').filter(([, r]) =>
          r.Properties.Targets.some((x: { Arn: unknown }) => JSON.stringify(x.Arn).includes(`"${fnId}"`)),
        );
        expect(rulesOnIt, id).toEqual([]);
        const invokers = ofType(t, 'AWS::Lambda::Permission').filter(([, p]) =>
          JSON.stringify(p.Properties.FunctionName).includes(`"${fnId}"`),
        );
        expect(invokers, id).toEqual([]);
      }
    });
  }

  describe('refreshes run one at a time: one FIFO queue, one message group, for every rule that asks for one', () => {
    const [queueId, requests] =
      ofType(template, 'AWS::SQS::Queue').find(([id]) => id.startsWith('RefreshRequests')) ?? [];
    const targetsOn = (t: typeof template) =>
      ofType(t, 'AWS::Events::Rule').flatMap(([ruleId, r]) =>
        (r.Properties.Targets as Loose[])
          .filter((x) => JSON.stringify(x.Arn) === JSON.stringify({ 'Fn::GetAtt': [queueId, 'Arn'] }))
          .map((x) => ({ ruleId, rule: r.Properties, target: x })),
      );

    it('the request queue and its dead-letter queue are FIFO with content-based deduplication', () => {
      expect(requests?.Properties).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: true });
      const deadLetters = template.Resources[requests?.Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0]];
      expect(deadLetters.Properties).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: true });
    });

    it('the schedule, the receipt rule and the catch-up schedule all send to it, every target with the same message group', () => {
      for (const t of [template, configured]) {
        const found = targetsOn(t);
        expect(found.map(({ rule }) => rule.ScheduleExpression ?? rule.EventPattern.detail.object.key)).toEqual([
          [{ prefix: 'receipts/' }],
          'cron(0 6 * * ? *)',
          'rate(30 minutes)',
        ]);
        expect(found.map(({ target }) => target.SqsParameters)).toEqual([
          { MessageGroupId: 'refresh' },
          { MessageGroupId: 'refresh' },
          { MessageGroupId: 'refresh' },
        ]);
      }
    });

    // Review 14, R14-4: receipts' requests within 30 minutes of the last refresh's start are deferred (handler.ts
    // decide); every 30 minutes the catch-up request, a body of its own (the event's id and time make each unique for
    // content-based deduplication), refreshes if any were, and the function knows the same interval.
    it('the catch-up request every 30 minutes is its own small body, and the function defers within the same 30', () => {
      const [catchUp] = targetsOn(template).filter(({ rule }) => rule.ScheduleExpression === 'rate(30 minutes)');
      expect(catchUp?.rule.Name).toBe('sp-outcomes-pipeline-refresh-catch-up');
      expect(catchUp?.target.Input).toBeUndefined();
      const { InputPathsMap, InputTemplate } = catchUp?.target.InputTransformer ?? {};
      expect(InputPathsMap).toEqual({ id: '$.id', time: '$.time' });
      expect(InputTemplate).toBe('{"detail-type":"Deferred Refresh Check","id":<id>,"time":<time>}');
      const refresh = ofType(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('RefreshHandler'))?.[1];
      expect(refresh?.Properties.Environment.Variables.REFRESH_MIN_INTERVAL_MINUTES).toBe('30');
    });

    it("undelivered events go to a standard queue (EventBridge's dead-letter queues are standard), under conditions", () => {
      for (const { ruleId, target } of targetsOn(template)) {
        const dlqId = target.DeadLetterConfig.Arn['Fn::GetAtt'][0];
        expect(template.Resources[dlqId].Properties.FifoQueue, ruleId).toBeUndefined();
        const policy = ofType(template, 'AWS::SQS::QueuePolicy').find(([, p]) =>
          p.Properties.Queues.some((q: { Ref: string }) => q.Ref === dlqId),
        )?.[1];
        expect(
          statementsOf(policy?.Properties.PolicyDocument).find(
            (s) => s.Condition?.ArnEquals?.['aws:SourceArn']?.['Fn::GetAtt']?.[0] === ruleId,
          ),
          ruleId,
        ).toMatchObject({
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
        });
      }
    });
  });

  it('reserves nothing by default, and exactly what the configuration says otherwise', () => {
    const reserved = (t: typeof template) =>
      Object.fromEntries(
        ofType(t, 'AWS::Lambda::Function').map(([, f]) => [
          f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME,
          f.Properties.ReservedConcurrentExecutions,
        ]),
      );
    expect(reserved(template)).toEqual({
      'sp-outcomes-ingest': undefined,
      'sp-outcomes-refresh': undefined,
      'sp-outcomes-api': undefined,
      'sp-outcomes-upload': undefined,
    });
    expect(reserved(configured)).toEqual({
      'sp-outcomes-ingest': 12,
      'sp-outcomes-refresh': 3,
      'sp-outcomes-api': 40,
      'sp-outcomes-upload': 15,
    });
    const ingestCap = mappings(configured).find((m) => m.mapping.FunctionResponseTypes)?.mapping.ScalingConfig;
    expect(ingestCap).toEqual({ MaximumConcurrency: 12 });
  });

  it('refuses a reservation that would throttle its own queue, naming the field', () => {
    // The refresh's queue starts one at a time, so a reservation of 1 throttles nothing.
    expect(parseConfig({ reservedConcurrency: { refresh: 1 } }).reservedConcurrency).toEqual({ refresh: 1 });
    expect(() => parseConfig({ reservedConcurrency: { ingest: 5 } })).toThrow(
      'reservedConcurrency.ingest: must be at least ingestMaxConcurrency, or the upload queue throttles its own batches',
    );
    expect(() => parseConfig({ ingestMaxConcurrency: 1 })).toThrow(ConfigError);
    expect(parseConfig({ reservedConcurrency: { ingest: 10, refresh: 3 } }).reservedConcurrency).toEqual({
      ingest: 10,
      refresh: 3,
    });
  });

  it("sends the user pool's e-mail through SES when an identity is configured, else Cognito's default sender", () => {
    const pool = (t: typeof template) => firstOf(t, 'AWS::Cognito::UserPool')[1].Properties;
    expect(pool(template).EmailConfiguration).toBeUndefined(); // Cognito's own sender: 50 e-mails a day
    expect(pool(configured).EmailConfiguration).toMatchObject({
      EmailSendingAccount: 'DEVELOPER',
      From: 'SP outcomes <no-reply@sp.nhs.example>',
    });
    expect(resolve(pool(configured).EmailConfiguration.SourceArn)).toBe(
      `arn:aws:ses:eu-west-2:${ACCOUNT}:identity/sp.nhs.example`,
    );
    expect(() => parseConfig({ cognitoEmail: { fromEmail: 'not an address' } })).toThrow(
      'cognitoEmail.fromEmail: must be an e-mail address',
    );
  });
});

describe('item 12: the stale-data alarm measures the age of the last successful publish', () => {
  const stale = ofType(template, 'AWS::CloudWatch::Alarm')
    .map(([, a]) => a.Properties)
    .find((a) => a.AlarmName === 'sp-outcomes-pipeline-DataStale');
  const topic = firstOf(template, 'AWS::SNS::Topic')[0];
  const refresh = ofType(template, 'AWS::Lambda::Function').find(
    ([, f]) => f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === 'sp-outcomes-refresh',
  )?.[0];

  it('reads the metric the refresh handler writes, for this refresh function', () => {
    expect(PUBLISH_METRIC).toEqual(EMITTED_METRIC);
    expect(stale).toMatchObject({
      Namespace: 'SpOutcomes',
      MetricName: 'PublishSucceeded',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: refresh } }],
    });
  });

  it('is fresh while a publish happened within 26 hours, and tells people when that stops, not on day 0', () => {
    expect(stale).toMatchObject({
      Statistic: 'Sum',
      Period: 26 * 3600,
      EvaluationPeriods: 1,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      // no publish in the window is missing data, which turns the alarm INSUFFICIENT_DATA: the state a new alarm
      // starts in (so day 0 notifies nobody) and the one a fresh alarm moves to once publishing stops
      TreatMissingData: 'missing',
      InsufficientDataActions: [{ Ref: topic }],
    });
    expect(stale?.OKActions).toBeUndefined();
  });
});

describe('item 13: least privilege, checked on every policy in the template', () => {
  const dataBucket = ofType(template, 'AWS::S3::Bucket').find(
    ([, b]) => b.Properties.LoggingConfiguration?.LogFilePrefix === 'data/',
  )?.[0] as string;
  // Each refresh attempt names its prepare steps <step>_<attempt> (functions/refresh/athena-engine.ts).
  // ... and the tables the data-as-of step makes (stopped_pcns, sending_pcns: data-as-of.ts).
  const mutableTables = [...PREPARE_STEPS.map((s) => s.name), ...DATA_AS_OF_TABLES].map((name) => `${name}_*`);

  it('the refresh may create and drop every table and view it makes, the data-as-of step’s included', () => {
    const glueChanges = JSON.stringify(
      [...ofType(template, 'AWS::IAM::Policy'), ...ofType(template, 'AWS::IAM::ManagedPolicy')]
        .flatMap(([, p]) => statementsOf(p.Properties.PolicyDocument))
        .filter((s) => [s.Action].flat().includes('glue:CreateTable'))
        .map((s) => s.Resource),
    );
    // Each attempt names them <name>_<attempt> (athena-engine.ts); a CTAS or view Glue refuses fails the refresh.
    for (const name of ['onboarded', 'stopped_pcns', 'sending_pcns']) expect(glueChanges, name).toContain(`/${name}_*`);
  });

  it('the rules hold for the default and the fully configured stack', () => {
    expect(leastPrivilegeViolations(template, { dataBucket, mutableTables })).toEqual([]);
    expect(leastPrivilegeViolations(configured, { dataBucket, mutableTables })).toEqual([]);
  });

  it('every role may list (by prefix) where it reads, so S3 answers a missing key with 404, not 403', () => {
    // A role's statements, wherever CDK put them: its default policy, then its overflow managed policies.
    const byRole = new Map<string, Loose[]>();
    for (const [id, policy] of [
      ...ofType(template, 'AWS::IAM::Policy'),
      ...ofType(template, 'AWS::IAM::ManagedPolicy'),
    ]) {
      const role = id.replace(/(DefaultPolicy|OverflowPolicy).*$/, '');
      byRole.set(role, [...(byRole.get(role) ?? []), ...statementsOf(policy.Properties.PolicyDocument)]);
    }
    for (const [id, statements] of byRole) {
      const read = statements
        .filter((s) => grants(s, 's3:GetObject'))
        .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))
        .map((r) => JSON.stringify(r))
        .filter((r) => r.includes(`"${dataBucket}"`))
        .map((r) => /"\/([^"]+)"\]\]\}$/.exec(r)?.[1] ?? r);
      if (id.startsWith('Api') || id.startsWith('Ingest') || id.startsWith('Refresh'))
        expect(read.length, id).toBeGreaterThan(0);
      const listable: string[] = statements
        .filter((s) => grants(s, 's3:ListBucket'))
        .flatMap((s) => s.Condition?.StringLike?.['s3:prefix'] ?? []);
      for (const prefix of read)
        expect(
          listable.some((pattern) => actionMatches(pattern, prefix)),
          `${id} reads ${prefix}`,
        ).toBe(true);
    }
  });

  it('the refresh may change only its own prepare tables, never a curated table the stack defines', () => {
    expect(mutableTables.filter((pattern) => QUERY_TABLES.some((t) => actionMatches(pattern, t.name)))).toEqual([]);
    // CDK moves statements past the inline policy's size limit into managed policies of the role (overflow).
    const changes = [...ofType(template, 'AWS::IAM::Policy'), ...ofType(template, 'AWS::IAM::ManagedPolicy')]
      .flatMap(([, p]) => statementsOf(p.Properties.PolicyDocument))
      .filter((s) => grants(s, 'glue:DeleteTable'));
    expect(changes).toHaveLength(1);
    const tables = (changes[0].Resource as unknown[]).map(resolve).filter((r) => r.includes(':table/'));
    expect(tables.sort()).toEqual(
      mutableTables.map((name) => `arn:aws:glue:eu-west-2:${ACCOUNT}:table/sp_outcomes/${name}`).sort(),
    );
  });

  it('EventBridge may use the data key only for the three rules of this stack that deliver to its queues', () => {
    const key = keyOf(template, firstOf(template, 'AWS::Logs::LogGroup')[1].Properties.KmsKeyId);
    const forEvents = statementsOf(key.Properties.KeyPolicy).filter(
      (s) => s.Principal?.Service === 'events.amazonaws.com',
    );
    expect(forEvents.flatMap(actions).sort()).toEqual([
      'kms:Decrypt',
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'kms:GenerateDataKey',
    ]);
    const ruleArns = forEvents.flatMap((s) => s.Condition.ArnEquals['aws:SourceArn'].map(resolve)).sort();
    const ruleNames = ofType(template, 'AWS::Events::Rule').map(([, r]) => r.Properties.Name);
    expect(ruleArns).toEqual(ruleNames.map((n) => `arn:aws:events:eu-west-2:${ACCOUNT}:rule/${n}`).sort());
  });

  // The rules must be able to fail: each one against a statement that breaks it.
  it.each([
    [1, { Action: 's3:List*', Resource: { 'Fn::GetAtt': ['DataBucket', 'Arn'] } }],
    [2, { Action: 's3:GetObject*', Resource: 'arn:aws:s3:::b/metrics/*' }],
    [3, { Action: ['kms:Decrypt', 'kms:ReEncrypt*'], Resource: 'arn:aws:kms:eu-west-2:1:key/k' }],
    [4, { Action: 's3:PutObjectLegalHold', Resource: 'arn:aws:s3:::b/landing/*' }],
    [5, { Action: 'glue:DeleteTable', Resource: 'arn:aws:glue:eu-west-2:1:table/sp_outcomes/*' }],
    [5, { Action: 'glue:UpdateTable', Resource: 'arn:aws:glue:eu-west-2:1:table/sp_outcomes/events' }],
    [6, { Action: 'sqs:*', Resource: 'arn:aws:sqs:eu-west-2:1:q' }],
  ])('rule %i catches a statement that breaks it', (rule, statement) => {
    const bad = {
      Resources: {
        Bad: {
          Type: 'AWS::IAM::Policy',
          Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', ...statement }] } },
        },
      },
    };
    const found = leastPrivilegeViolations(bad, { dataBucket: 'DataBucket', mutableTables: ['episodes'] });
    expect(found.map((v) => v.rule)).toContain(rule);
  });

  it.each([
    [7, 'AWS::KMS::Key', 'KeyPolicy', { StringEquals: { 'aws:SourceAccount': '1' } }],
    [7, 'AWS::SQS::QueuePolicy', 'PolicyDocument', undefined],
    [8, 'AWS::SNS::TopicPolicy', 'PolicyDocument', undefined],
  ])('rule %i catches an unconditioned service principal on a %s', (rule, type, property, condition) => {
    const bad = {
      Resources: {
        Bad: {
          Type: type,
          Properties: {
            [property]: {
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { Service: rule === 7 ? 'events.amazonaws.com' : 'cloudwatch.amazonaws.com' },
                  Action: 'sqs:SendMessage',
                  Resource: '*',
                  ...(condition ? { Condition: condition } : {}),
                },
              ],
            },
          },
        },
      },
    };
    expect(leastPrivilegeViolations(bad, { dataBucket: 'DataBucket', mutableTables: [] }).map((v) => v.rule)).toContain(
      rule,
    );
  });
});
