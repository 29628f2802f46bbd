import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { ConfigError, parseConfig } from '../../infra/config.ts';
import { TemplateAuthoriser } from '../aws/iam-authoriser.ts';
import type { TemplateJson } from '../support/iam-rules.ts';

// Review 33's findings on the AWS column, asserted on the synthesised template (no bundling: the context key the CLI
// sets, as infra-deploy.test.ts does) with IAM's evaluation (test/support/iam-rules.ts through TemplateAuthoriser).
type Loose = ReturnType<Template['toJSON']>[string];
const ACCOUNT = '111122223333';
const { app, stack } = buildApp(
  new App({ context: { config: { name: 'sp-outcomes', account: ACCOUNT }, 'aws:cdk:bundling-stacks': [] } }),
);
app.synth();
const template = Template.fromStack(stack).toJSON() as { Resources: Record<string, Loose> } & TemplateJson;
const idOf = (type: string, prefix: string): string => {
  const found = Object.entries(template.Resources).find(([id, r]) => r.Type === type && id.startsWith(prefix));
  if (!found) throw new Error(`no ${type} named ${prefix}*`);
  return found[0];
};
const dataBucket = idOf('AWS::S3::Bucket', 'DataLakeData');
const rights = new TemplateAuthoriser(template, { [dataBucket]: 'data' });
const keyOf = (fn: string) => rights.credentialsFor(idOf('AWS::Lambda::Function', fn)).AWS_ACCESS_KEY_ID;
const allowed = (fn: string, action: string, resource: string) =>
  rights.authorise(keyOf(fn), action, resource) === undefined;
const glue = (resource: string) => `arn:aws:glue:eu-west-2:${ACCOUNT}:${resource}`;
const object = (key: string) => `arn:aws:s3:::data/${key}`;

describe('R33-1: the refresh may read the default database, as Athena requires of every caller', () => {
  // "Mandatory: Access policy to the default database and catalog per AWS Region": GetDatabase on the catalog and on
  // database/default (https://docs.aws.amazon.com/athena/latest/ug/fine-grained-access-to-glue-resources.html).
  it('glue:GetDatabase on the catalog and database/default; nothing else of the default database', () => {
    expect(allowed('RefreshHandler', 'glue:GetDatabase', glue('catalog'))).toBe(true);
    expect(allowed('RefreshHandler', 'glue:GetDatabase', glue('database/default'))).toBe(true);
    expect(allowed('RefreshHandler', 'glue:GetTable', glue('table/default/anything'))).toBe(false);
    expect(allowed('RefreshHandler', 'glue:CreateTable', glue('database/default'))).toBe(false);
    expect(allowed('RefreshHandler', 'glue:CreateDatabase', glue('database/default'))).toBe(false);
  });
});

describe('R33-7: no grant wider than what the functions write or Athena uses', () => {
  it('the ingest writes the two curated tables it makes, receipts and quarantine, never uploads or pcns', () => {
    for (const key of [
      'curated/events/event_month=2025-04/U1.parquet',
      'curated/workforce/snapshot_month=2025-04/U1.parquet',
      'receipts/U1.json',
      'quarantine/U1.jsonl',
      'quarantine/transfers/U1-0123456789abcdef.json',
    ])
      expect(allowed('IngestHandler', 's3:PutObject', object(key)), key).toBe(true);
    for (const key of ['curated/uploads/uploads.parquet', 'curated/pcns/pcns.parquet', 'curated/other/x.parquet'])
      expect(allowed('IngestHandler', 's3:PutObject', object(key)), key).toBe(false);
  });

  it('the refresh has no athena:GetWorkGroup, glue:GetTables or glue:GetPartitions (nothing calls them)', () => {
    expect(
      allowed('RefreshHandler', 'athena:GetWorkGroup', `arn:aws:athena:eu-west-2:${ACCOUNT}:workgroup/sp-outcomes`),
    ).toBe(false);
    for (const action of ['glue:GetTables', 'glue:GetPartitions'])
      for (const resource of ['catalog', 'database/sp_outcomes', 'table/sp_outcomes/events'])
        expect(allowed('RefreshHandler', action, glue(resource)), `${action} ${resource}`).toBe(false);
    // What it still needs: the workgroup calls and table definitions.
    expect(
      allowed(
        'RefreshHandler',
        'athena:StartQueryExecution',
        `arn:aws:athena:eu-west-2:${ACCOUNT}:workgroup/sp-outcomes`,
      ),
    ).toBe(true);
    expect(allowed('RefreshHandler', 'glue:GetTable', glue('table/sp_outcomes/events'))).toBe(true);
  });
});

describe("R33-9: a name that would make Cognito's default domain prefix invalid is refused at synth", () => {
  it('refuses aws, amazon or cognito in name when signInDomainPrefix is absent, naming both settings', () => {
    for (const name of ['nhs-aws-social', 'amazonian-sp', 'sp-cognito'])
      expect(() => parseConfig({ name }), name).toThrow(ConfigError);
    expect(() => parseConfig({ name: 'nhs-aws-social' })).toThrow(/name: .*signInDomainPrefix/);
  });

  it('accepts such a name with a signInDomainPrefix of its own, and a plain name without one', () => {
    expect(parseConfig({ name: 'nhs-aws-social', signInDomainPrefix: 'nhs-social-prod' }).name).toBe('nhs-aws-social');
    expect(parseConfig({ name: 'nhs-social' }).name).toBe('nhs-social');
  });
});

describe('R33-8: alarms on the upload and API functions and on the HTTP API stage', () => {
  const alarms = Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
  const topic = idOf('AWS::SNS::Topic', 'OperationsAlarms');
  const on = (namespace: string, metric: string) =>
    alarms.filter((a) => a.Properties.Namespace === namespace && a.Properties.MetricName === metric);

  it.each([
    ['ApiUploadsHandler', 'the upload function'],
    ['ApiHandler', 'the metrics API function'],
  ])("alarms on %s's Errors (%s), telling the alarm topic", (fn) => {
    const id = idOf('AWS::Lambda::Function', fn);
    const found = on('AWS/Lambda', 'Errors').filter((a) =>
      JSON.stringify(a.Properties.Dimensions).includes(`{"Name":"FunctionName","Value":{"Ref":"${id}"}}`),
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.Properties).toMatchObject({ Statistic: 'Sum', Threshold: 1, AlarmActions: [{ Ref: topic }] });
  });

  it("alarms on the HTTP API stage's 5xx (dimensions ApiId and Stage), telling the alarm topic", () => {
    const api = idOf('AWS::ApiGatewayV2::Api', 'ApiHttp');
    const found = on('AWS/ApiGateway', '5xx');
    expect(found).toHaveLength(1);
    expect(found[0]?.Properties.Dimensions).toEqual([
      { Name: 'ApiId', Value: { Ref: api } },
      { Name: 'Stage', Value: '$default' },
    ]);
    expect(found[0]?.Properties).toMatchObject({ Statistic: 'Sum', AlarmActions: [{ Ref: topic }] });
  });
});
