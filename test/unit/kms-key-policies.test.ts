import { describe, expect, it } from 'vitest';
import { TemplateAuthoriser } from '../aws/iam-authoriser.ts';
import { KMS_SOURCES, type TemplateJson } from '../support/iam-rules.ts';
import { ACCOUNT, resourceId, synthApp, templateOf } from '../support/synth.ts';

/*
 * Review 33, R33-6d: every use of an encrypted resource is allowed by the key's policy as well as by the caller's IAM
 * policy (KMS_SOURCES.keyPolicies: "Unless the key policy explicitly allows it, you cannot use IAM policies to allow
 * access to a KMS key"), evaluated on the synthesised template (no bundling, as infra-deploy.test.ts) by
 * TemplateAuthoriser, which test:aws also uses for every call of the bundles. A service (CloudWatch Logs, EventBridge,
 * CloudWatch alarms) has no IAM policy: only a key policy statement naming it lets it use the key.
 */
const template = templateOf(synthApp({ name: 'sp-outcomes', account: ACCOUNT }).stack);
const entries = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const idOf = (type: string, prefix: string): string => resourceId(template, type, prefix);
const dataBucket = idOf('AWS::S3::Bucket', 'DataLakeData');
const resultsBucket = idOf('AWS::S3::Bucket', 'DataLakeAthenaResults');
const dataKey = idOf('AWS::KMS::Key', 'DataLakeKey');
const alarmsKey = idOf('AWS::KMS::Key', 'OperationsAlarmsKey');
const keyArn = (id: string) => `arn:aws:kms:eu-west-2:${ACCOUNT}:key/${id}`;
/** The logical id of the key a template value names ({"Fn::GetAtt": [key, "Arn"]}), or undefined. */
const keyNamed = (value: unknown) => (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];

/** What each function asks of KMS, from what its code does with the encrypted bucket, queue and workgroup. */
const FUNCTION_CALLS: Record<string, { why: string; action: string }[]> = {
  // Reads landing/ and its SQS messages (Decrypt), writes curated/, receipts/, quarantine/ (GenerateDataKey).
  IngestHandler: [
    { why: 'reads an upload and its queue message', action: 'kms:Decrypt' },
    { why: 'writes curated Parquet and the receipt', action: 'kms:GenerateDataKey' },
  ],
  // Reads curated/ and Athena results, writes metrics/ and (with the caller's rights) Athena's result objects.
  RefreshHandler: [
    { why: 'reads curated objects and query results', action: 'kms:Decrypt' },
    { why: 'writes metrics and Athena results (SSE_KMS workgroup)', action: 'kms:GenerateDataKey' },
  ],
  // Reads metrics/.
  ApiHandler: [{ why: 'reads the published metrics', action: 'kms:Decrypt' }],
  // The browser's presigned POST is signed with this role's credentials: S3 encrypts it with the bucket key as it.
  ApiUploadsHandler: [{ why: "a browser's upload by its presigned POST", action: 'kms:GenerateDataKey' }],
};

const decide = (source: TemplateJson) => {
  const rights = new TemplateAuthoriser(source, { [dataBucket]: 'data', [resultsBucket]: 'results' });
  const fnRequests = Object.entries(FUNCTION_CALLS).flatMap(([fn, calls]) =>
    calls.map(({ action }) => {
      const key = rights.credentialsFor(idOf('AWS::Lambda::Function', fn)).AWS_ACCESS_KEY_ID;
      const refusal = rights.authorise(key, action, keyArn(dataKey));
      return { who: `${fn} ${action}`, allowed: refusal === undefined, message: refusal?.message };
    }),
  );
  // CloudWatch Logs encrypts each log group given a key, with the group's ARN as encryption context
  // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
  const logs = entries('AWS::Logs::LogGroup')
    .filter(([, r]) => keyNamed(r.Properties?.KmsKeyId))
    .flatMap(([id, r]) =>
      ['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
        who: `logs ${id} ${action}`,
        allowed: rights.authoriseService(
          'logs.eu-west-2.amazonaws.com',
          action,
          keyArn(keyNamed(r.Properties?.KmsKeyId) as string),
          {
            'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-2:${ACCOUNT}:log-group:${id}`,
          },
        ),
      })),
    );
  // EventBridge sends to an encrypted queue as events.amazonaws.com, for the rule (aws:SourceArn).
  const queues = new Map(
    entries('AWS::SQS::Queue').flatMap(([id, r]) =>
      keyNamed(r.Properties?.KmsMasterKeyId) ? [[id, keyNamed(r.Properties?.KmsMasterKeyId) as string]] : [],
    ),
  );
  const events = entries('AWS::Events::Rule').flatMap(([, r]) =>
    ((r.Properties?.Targets ?? []) as { Arn: unknown }[]).flatMap((target) => {
      const key = queues.get(keyNamed(target.Arn) ?? '');
      if (!key) return [];
      const name = String(r.Properties?.Name);
      return ['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({
        who: `events ${name} ${action}`,
        allowed: rights.authoriseService('events.amazonaws.com', action, keyArn(key), {
          'aws:SourceArn': `arn:aws:events:eu-west-2:${ACCOUNT}:rule/${name}`,
        }),
      }));
    }),
  );
  // CloudWatch publishes an alarm to an encrypted topic as cloudwatch.amazonaws.com, for the alarm (aws:SourceArn).
  const topics = new Map(
    entries('AWS::SNS::Topic').flatMap(([id, r]) =>
      keyNamed(r.Properties?.KmsMasterKeyId) ? [[id, keyNamed(r.Properties?.KmsMasterKeyId) as string]] : [],
    ),
  );
  const alarms = entries('AWS::CloudWatch::Alarm').flatMap(([, r]) =>
    ((r.Properties?.AlarmActions ?? []) as { Ref?: string }[]).flatMap((action) => {
      const key = topics.get(action.Ref ?? '');
      if (!key) return [];
      const name = String(r.Properties?.AlarmName);
      return ['kms:GenerateDataKey', 'kms:Decrypt'].map((kmsAction) => ({
        who: `cloudwatch ${name} ${kmsAction}`,
        allowed: rights.authoriseService('cloudwatch.amazonaws.com', kmsAction, keyArn(key), {
          'aws:SourceArn': `arn:aws:cloudwatch:eu-west-2:${ACCOUNT}:alarm:${name}`,
        }),
      }));
    }),
  );
  return { fnRequests, logs, events, alarms };
};

/** The template with the key policy statements of `key` that `drop` picks taken out; throws if none was. */
const withoutKeyStatement = (key: string, drop: (statement: Record<string, unknown>) => boolean): TemplateJson => {
  const copy = structuredClone(template) as TemplateJson;
  const policy = copy.Resources[key]?.Properties?.KeyPolicy as { Statement: Record<string, unknown>[] };
  const kept = policy.Statement.filter((s) => !drop(s));
  if (kept.length === policy.Statement.length) throw new Error(`no such statement in ${key}'s policy`);
  policy.Statement = kept;
  return copy;
};
const enablesIam = (s: Record<string, unknown>) =>
  s.Action === 'kms:*' && JSON.stringify(s.Principal).includes(':root') && s.Condition === undefined;

describe('R33-6d: KMS key policies allow what each role and service does with the keys', () => {
  const { fnRequests, logs, events, alarms } = decide(template);

  it('the template encrypts the data, results, queues, log groups and the alarm topic with its two keys', () => {
    // What the checks below cover: had a resource lost its key, the lists would shrink.
    expect(logs.length).toBe(2 * 5);
    expect(events.length).toBe(2 * 4);
    expect(alarms.length).toBeGreaterThan(0);
    expect(new Set(alarms.map((a) => a.who.split(' ')[1])).size * 2).toBe(alarms.length);
    expect(KMS_SOURCES.keyPolicies).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/kms\//);
  });

  it("each function's calls on the data key are allowed by its IAM policy and the key policy's IAM delegation", () => {
    expect(fnRequests.filter((r) => !r.allowed)).toEqual([]);
    expect(fnRequests.length).toBe(2 + 2 + 1 + 1);
  });

  it('CloudWatch Logs, EventBridge and CloudWatch alarms are allowed by the key policies alone', () => {
    expect([...logs, ...events, ...alarms].filter((r) => !r.allowed)).toEqual([]);
  });

  it('a function without its IAM grant is refused though the key policy enables IAM policies (both must allow)', () => {
    const rights = new TemplateAuthoriser(template, { [dataBucket]: 'data' });
    const key = rights.credentialsFor(idOf('AWS::Lambda::Function', 'ApiHandler')).AWS_ACCESS_KEY_ID;
    // The API only reads: its role has no kms:GenerateDataKey, whatever the key policy delegates.
    expect(rights.authorise(key, 'kms:GenerateDataKey', keyArn(dataKey))?.message).toContain(
      'because no identity-based policy allows the kms:GenerateDataKey action',
    );
    // And no function may use the alarm topic's key: nothing grants it, though its key policy enables IAM policies.
    expect(rights.authorise(key, 'kms:Decrypt', keyArn(alarmsKey))?.message).toContain(
      'because no identity-based policy allows the kms:Decrypt action',
    );
  });

  it("without the statement enabling IAM policies, every function's call is refused by the key policy", () => {
    const refused = decide(withoutKeyStatement(dataKey, enablesIam)).fnRequests;
    expect(refused.filter((r) => r.allowed)).toEqual([]);
    expect(refused[0]?.message).toBe(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/${idOf('AWS::IAM::Role', 'IngestRole')}/${idOf('AWS::Lambda::Function', 'IngestHandler')} is not authorized to perform: kms:Decrypt on resource: ${keyArn(dataKey)} because no resource-based policy allows the kms:Decrypt action`,
    );
  });

  it("without the CloudWatch Logs, EventBridge or alarm statements, that service's calls are refused", () => {
    const sid = (name: string) => (s: Record<string, unknown>) => s.Sid === name;
    expect(
      decide(withoutKeyStatement(dataKey, sid('CloudWatchLogsEncryptsThisAccountsLogGroups'))).logs.some(
        (r) => r.allowed,
      ),
    ).toBe(false);
    const noUploadEvents = decide(withoutKeyStatement(dataKey, sid('EventBridgeDeliversUploadEvents'))).events;
    expect(noUploadEvents.filter((r) => !r.allowed).map((r) => r.who)).toEqual([
      'events sp-outcomes-pipeline-upload-landed kms:GenerateDataKey',
      'events sp-outcomes-pipeline-upload-landed kms:Decrypt',
    ]);
    expect(
      decide(withoutKeyStatement(alarmsKey, sid('CloudWatchAlarmsOfThisStackPublish'))).alarms.some((r) => r.allowed),
    ).toBe(false);
  });

  it('a service is held to its statement: another log group account, another rule, another service are refused', () => {
    const rights = new TemplateAuthoriser(template, {});
    expect(
      rights.authoriseService('logs.eu-west-2.amazonaws.com', 'kms:GenerateDataKey', keyArn(dataKey), {
        'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-2:444455556666:log-group:x',
      }),
    ).toBe(false);
    expect(
      rights.authoriseService('events.amazonaws.com', 'kms:GenerateDataKey', keyArn(dataKey), {
        'aws:SourceArn': `arn:aws:events:eu-west-2:${ACCOUNT}:rule/someone-elses`,
      }),
    ).toBe(false);
    expect(rights.authoriseService('sqs.amazonaws.com', 'kms:Decrypt', keyArn(dataKey))).toBe(false);
  });
});
