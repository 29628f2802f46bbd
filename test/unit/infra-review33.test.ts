import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../infra/config.ts';
import { TemplateAuthoriser } from '../aws/iam-authoriser.ts';
import type { TemplateJson } from '../support/iam-rules.ts';
import { ACCOUNT, annotationsOf, type Loose, resourceId, synthApp, templateOf } from '../support/synth.ts';

// Review 33's findings on the AWS column, asserted on the synthesised template (no bundling: the context key the CLI
// sets, as infra-deploy.test.ts does) with IAM's evaluation (test/support/iam-rules.ts through TemplateAuthoriser).
const template = templateOf(synthApp({ name: 'sp-outcomes', account: ACCOUNT }).stack);
const idOf = (type: string, prefix: string): string => resourceId(template, type, prefix);
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

// Review 33, R33-3 and R33-4: what README documented as "not yet built" is configuration now. A deployment with its own
// names for the dashboard (CloudFront, certificate in us-east-1) and for the API (regional certificate, execute-api
// address off) synthesises under cdk-nag and uses them everywhere the address matters.
const DASHBOARD_CERT = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0f1e2d3c-4b5a-6978-8091-a2b3c4d5e6f7`;
const API_CERT = `arn:aws:acm:eu-west-2:${ACCOUNT}:certificate/1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809`;
// cdk-nag's packs: an unacknowledged finding throws.
const withDomains = (extra: Record<string, unknown>) =>
  templateOf(synthApp({ name: 'sp-outcomes', account: ACCOUNT, ...extra }).stack);
const ofType = (t: { Resources: Record<string, Loose> }, type: string) =>
  Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const distributionOf = (t: { Resources: Record<string, Loose> }) =>
  ofType(t, 'AWS::CloudFront::Distribution')[0]?.[1].Properties.DistributionConfig;

describe('R33-4: the dashboard on its own domain, with an ACM certificate and TLSv1.2_2021 at least', () => {
  const dashboardDomain = { domainName: 'sp.example.nhs.uk', certificateArn: DASHBOARD_CERT };
  let t: ReturnType<typeof withDomains>;
  beforeAll(() => {
    t = withDomains({ dashboardDomain });
  });

  it('CloudFront answers for the domain with the certificate, SNI, and the TLSv1.2_2021 security policy', () => {
    const distribution = distributionOf(t);
    expect(distribution.Aliases).toEqual(['sp.example.nhs.uk']);
    expect(distribution.ViewerCertificate).toEqual({
      AcmCertificateArn: DASHBOARD_CERT,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
  });

  it('sign-in sends codes back to the domain only; the alerts link to it; the output names it', () => {
    const [, client] = ofType(t, 'AWS::Cognito::UserPoolClient')[0] as [string, Loose];
    expect(client.Properties.CallbackURLs).toEqual(['https://sp.example.nhs.uk/']);
    expect(client.Properties.LogoutURLs).toEqual(['https://sp.example.nhs.uk/']);
    const refresh = ofType(t, 'AWS::Lambda::Function').find(([id]) => id.startsWith('RefreshHandler'))?.[1];
    expect(refresh?.Properties.Environment.Variables.DASHBOARD_URL).toBe('https://sp.example.nhs.uk');
    expect(t.Outputs.DashboardUrl?.Value).toBe('https://sp.example.nhs.uk');
    // The record the operator makes in DNS for the domain: the distribution's own name.
    const [distributionId] = ofType(t, 'AWS::CloudFront::Distribution')[0] as [string, Loose];
    expect(t.Outputs.DistributionDomainName?.Value).toEqual({ 'Fn::GetAtt': [distributionId, 'DomainName'] });
  });

  it('without it, the default certificate as before (CloudFront then applies TLSv1: README says so)', () => {
    const distribution = distributionOf(template);
    expect(distribution.Aliases).toBeUndefined();
    expect(distribution.ViewerCertificate).toBeUndefined();
  });

  it('refuses a certificate outside us-east-1, a malformed ARN and a domain that is not a host name, naming each', () => {
    const at = (certificateArn: string) => () =>
      parseConfig({ dashboardDomain: { domainName: 'sp.example.nhs.uk', certificateArn } });
    expect(at(DASHBOARD_CERT.replace('us-east-1', 'eu-west-2'))).toThrow(
      /dashboardDomain\.certificateArn: .*us-east-1/,
    );
    expect(at('arn:aws:iam::111122223333:server-certificate/x')).toThrow(/dashboardDomain\.certificateArn/);
    for (const domainName of [
      'https://sp.example.nhs.uk',
      'SP.example.nhs.uk',
      'localhost',
      '*.example.nhs.uk',
      'sp.example.nhs.uk.',
      'sp..nhs.uk',
      '-sp.nhs.uk',
    ])
      expect(
        () => parseConfig({ dashboardDomain: { domainName, certificateArn: DASHBOARD_CERT } }),
        domainName,
      ).toThrow(/dashboardDomain\.domainName: must be a domain name/);
    expect(() => parseConfig({ dashboardDomain: { domainName: 'sp.example.nhs.uk' } })).toThrow(ConfigError);
  });
});

describe('R33-3: the API on its own domain with the execute-api address off, CloudFront its only way in it knows', () => {
  const apiDomain = { domainName: 'api.sp.example.nhs.uk', certificateArn: API_CERT };
  let t: ReturnType<typeof withDomains>;
  beforeAll(() => {
    t = withDomains({ apiDomain });
  });

  it('a regional custom domain (TLS 1.2) mapped to the default stage; the execute-api endpoint disabled', () => {
    const [apiId, api] = ofType(t, 'AWS::ApiGatewayV2::Api')[0] as [string, Loose];
    expect(api.Properties.DisableExecuteApiEndpoint).toBe(true);
    const [domainId, domain] = ofType(t, 'AWS::ApiGatewayV2::DomainName')[0] as [string, Loose];
    expect(domain.Properties).toEqual({
      DomainName: 'api.sp.example.nhs.uk',
      DomainNameConfigurations: [{ CertificateArn: API_CERT, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }],
    });
    const mappings = ofType(t, 'AWS::ApiGatewayV2::ApiMapping').map(([, m]) => m.Properties);
    expect(mappings).toEqual([{ ApiId: { Ref: apiId }, DomainName: { Ref: domainId }, Stage: '$default' }]);
    // The record the operator makes in DNS: the domain's regional target.
    expect(t.Outputs.ApiDomainTarget?.Value).toEqual({ 'Fn::GetAtt': [domainId, 'RegionalDomainName'] });
  });

  it('CloudFront sends /api/* to the custom domain (the execute-api address no longer answers)', () => {
    const origins = distributionOf(t).Origins as Loose[];
    expect(origins.filter((o) => o.CustomOriginConfig).map((o) => o.DomainName)).toEqual(['api.sp.example.nhs.uk']);
  });

  it('without it, the execute-api endpoint stays (README says what that leaves open)', () => {
    const [, api] = ofType(template as { Resources: Record<string, Loose> }, 'AWS::ApiGatewayV2::Api')[0] as [
      string,
      Loose,
    ];
    expect(api.Properties.DisableExecuteApiEndpoint).toBeUndefined();
    expect(ofType(template, 'AWS::ApiGatewayV2::DomainName')).toEqual([]);
  });

  it("refuses a certificate outside the deployment's region, and the dashboard's own name", () => {
    expect(() => parseConfig({ apiDomain: { ...apiDomain, certificateArn: DASHBOARD_CERT } })).toThrow(
      /apiDomain\.certificateArn: .*eu-west-2/,
    );
    expect(() => parseConfig({ region: 'eu-west-1', apiDomain: { ...apiDomain, certificateArn: API_CERT } })).toThrow(
      /apiDomain\.certificateArn: .*eu-west-1/,
    );
    expect(() =>
      parseConfig({
        apiDomain: { domainName: 'sp.example.nhs.uk', certificateArn: API_CERT },
        dashboardDomain: { domainName: 'sp.example.nhs.uk', certificateArn: DASHBOARD_CERT },
      }),
    ).toThrow(/apiDomain\.domainName: .*dashboardDomain/);
    expect(() => parseConfig({ apiDomain: { ...apiDomain, domainName: 'api_sp.example.nhs.uk' } })).toThrow(
      /apiDomain\.domainName: must be a domain name/,
    );
  });

  it('both together synthesise under cdk-nag', () => {
    const both = withDomains({
      apiDomain,
      dashboardDomain: { domainName: 'sp.example.nhs.uk', certificateArn: DASHBOARD_CERT },
    });
    expect(distributionOf(both).ViewerCertificate.MinimumProtocolVersion).toBe('TLSv1.2_2021');
    expect(ofType(both, 'AWS::ApiGatewayV2::Api')[0]?.[1].Properties.DisableExecuteApiEndpoint).toBe(true);
  });
});

describe('R33-8 follow-ups: throttled API requests and "no upload landed" alarm, to the alarm topic', () => {
  const alarms = Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
  const topic = idOf('AWS::SNS::Topic', 'OperationsAlarms');
  const byName = (name: string) => alarms.find((a) => a.Properties.AlarmName === `sp-outcomes-pipeline-${name}`);

  it("counts the stage's own 429s from its access log (HTTP APIs publish no throttle metric), not the upload quota's", () => {
    const accessLogs = idOf('AWS::Logs::LogGroup', 'ApiAccessLogs');
    const filters = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Logs::MetricFilter');
    expect(filters).toHaveLength(1);
    expect(filters[0]?.Properties).toEqual({
      LogGroupName: { Ref: accessLogs },
      // 429 answered by API Gateway itself: the Lambda integration did not answer 200 (a function's own 429, the
      // daily upload quota, comes back through a successful invocation).
      FilterPattern: '{ ($.status = "429") && ($.integrationStatus != "200") }',
      MetricTransformations: [
        {
          MetricNamespace: 'SpOutcomes',
          MetricName: 'ApiThrottled',
          MetricValue: '1',
          Unit: 'Count',
          // Per API: two deployments in one account and region keep their counts apart.
          Dimensions: [{ Key: 'ApiId', Value: '$.apiId' }],
        },
      ],
    });
    const stage = Object.values(template.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage');
    const format = JSON.parse(stage?.Properties.AccessLogSettings.Format);
    expect(format.status).toBe('$context.status');
    expect(format.integrationStatus).toBe('$context.integrationStatus');
    expect(format.apiId).toBe('$context.apiId');
    expect(byName('ApiThrottled')?.Properties).toMatchObject({
      Namespace: 'SpOutcomes',
      MetricName: 'ApiThrottled',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: idOf('AWS::ApiGatewayV2::Api', 'ApiHttp') } }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topic }],
    });
  });

  it('alarms when no ingest succeeded for 7 days (CloudWatch allows at most 7 days of evaluation), missing data breaching', () => {
    const ingest = idOf('AWS::Lambda::Function', 'IngestHandler');
    const alarm = byName('NoUploadLanded')?.Properties;
    expect(alarm).toMatchObject({
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: topic }],
    });
    const metrics = (alarm?.Metrics ?? []) as Loose[];
    const expression = metrics.find((m) => m.Expression);
    expect(expression?.ReturnData).not.toBe(false);
    const inputs = metrics.filter((m) => m.MetricStat);
    expect(inputs.map((m) => [m.MetricStat.Metric.MetricName, m.MetricStat.Stat, m.MetricStat.Period]).sort()).toEqual([
      ['Errors', 'Sum', 7 * 86_400],
      ['Invocations', 'Sum', 7 * 86_400],
    ]);
    for (const m of inputs)
      expect(m.MetricStat.Metric.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: ingest } }]);
    const id = (name: string) => inputs.find((m) => m.MetricStat.Metric.MetricName === name)?.Id;
    expect(expression?.Expression).toBe(`FILL(${id('Invocations')}, 0) - FILL(${id('Errors')}, 0)`);
  });

  it('its window is configurable from 1 to 7 days, or off', () => {
    const threeDays = withDomains({ noUploadAlarmDays: 3 });
    const alarm = ofType(threeDays, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties)
      .find((a) => a.AlarmName === 'sp-outcomes-pipeline-NoUploadLanded');
    expect(((alarm?.Metrics ?? []) as Loose[]).filter((m) => m.MetricStat).map((m) => m.MetricStat.Period)).toEqual([
      3 * 86_400,
      3 * 86_400,
    ]);
    const off = withDomains({ noUploadAlarmDays: false });
    expect(
      ofType(off, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.AlarmName.endsWith('NoUploadLanded')),
    ).toEqual([]);
    for (const days of [0, 8, 1.5])
      expect(() => parseConfig({ noUploadAlarmDays: days }), String(days)).toThrow(/noUploadAlarmDays/);
  });
});

describe('R33-3/R33-4: a synth without the domains says what that leaves open; with them, it does not', () => {
  const warnings = (extra: Record<string, unknown>) => {
    const built = synthApp({ name: 'sp-outcomes', account: ACCOUNT, ...extra });
    return annotationsOf(built.stack)
      .findWarning('*', Match.anyValue())
      .map((w) => String(w.entry.data))
      .filter((text) => /dashboardDomain|apiDomain/.test(text));
  };

  it('warns of TLSv1 on *.cloudfront.net and of the open execute-api address, each naming its setting', () => {
    const found = warnings({});
    expect(found).toHaveLength(2);
    expect(found.find((w) => w.includes('dashboardDomain'))).toMatch(/TLSv1/);
    expect(found.find((w) => w.includes('apiDomain'))).toMatch(/execute-api/);
  });

  it('no such warning once both are set', () => {
    expect(
      warnings({
        dashboardDomain: { domainName: 'sp.example.nhs.uk', certificateArn: DASHBOARD_CERT },
        apiDomain: { domainName: 'api.sp.example.nhs.uk', certificateArn: API_CERT },
      }),
    ).toEqual([]);
  });
});

describe('R33-5: Lake Formation grants for the refresh role, where "Use only IAM access control" is off', () => {
  const grantsOf = (t: { Resources: Record<string, Loose> }) =>
    ofType(t, 'AWS::LakeFormation::PrincipalPermissions').map(([, r]) => r.Properties);
  const refreshRole = idOf('AWS::IAM::Role', 'RefreshRole');
  const resourceName = (p: Loose) =>
    p.Resource.Database ? `database ${p.Resource.Database.Name}` : `table ${p.Resource.Table.Name}`;

  it('none by default: the IAM policy alone, as Lake Formation’s initial settings leave access', () => {
    expect(grantsOf(template)).toEqual([]);
  });

  it('with lakeFormationGrants: DESCRIBE on default, DESCRIBE and CREATE_TABLE on its database, SELECT and DESCRIBE on each curated table', () => {
    const t = withDomains({ lakeFormationGrants: true });
    const grants = grantsOf(t);
    const curated = ofType(t, 'AWS::Glue::Table').map(([, r]) => r.Properties.TableInput.Name as string);
    expect(curated.length).toBeGreaterThan(0);
    expect(Object.fromEntries(grants.map((g) => [resourceName(g), g.Permissions]))).toEqual({
      'database default': ['DESCRIBE'],
      'database sp_outcomes': ['DESCRIBE', 'CREATE_TABLE'],
      ...Object.fromEntries(curated.map((name) => [`table ${name}`, ['SELECT', 'DESCRIBE']])),
    });
    for (const g of grants) {
      // To the refresh role only, grantable by nobody, in this account's catalog.
      expect(g.Principal).toEqual({ DataLakePrincipalIdentifier: { 'Fn::GetAtt': [refreshRole, 'Arn'] } });
      expect(g.PermissionsWithGrantOption).toEqual([]);
      expect(g.Resource.Database?.CatalogId ?? g.Resource.Table?.CatalogId).toBe(ACCOUNT);
      if (g.Resource.Table) expect(g.Resource.Table.DatabaseName).toBe('sp_outcomes');
    }
  });
});

describe('R33-5: a data bucket registered with Lake Formation (lakeFormationGrants.dataBucketRegistered)', () => {
  const grantsOf = (t: { Resources: Record<string, Loose> }) =>
    ofType(t, 'AWS::LakeFormation::PrincipalPermissions').map(([, r]) => r.Properties);
  const authoriserFor = (t: { Resources: Record<string, Loose> }) => {
    const json = t as { Resources: Record<string, Loose> } & TemplateJson;
    const id = (type: string, prefix: string) =>
      Object.entries(json.Resources).find(([key, r]) => r.Type === type && key.startsWith(prefix))?.[0] as string;
    const authoriser = new TemplateAuthoriser(json, { [id('AWS::S3::Bucket', 'DataLakeData')]: 'data' });
    const key = authoriser.credentialsFor(id('AWS::Lambda::Function', 'RefreshHandler')).AWS_ACCESS_KEY_ID;
    return (action: string, resource: string) => authoriser.authorise(key, action, resource) === undefined;
  };

  it("the refresh role may then ask Lake Formation for the data's credentials (lakeformation:GetDataAccess), as Athena requires of its caller", () => {
    const t = withDomains({ lakeFormationGrants: { dataBucketRegistered: true } });
    expect(authoriserFor(t)('lakeformation:GetDataAccess', '*')).toBe(true);
    // The same catalog grants as lakeFormationGrants: true, and no data location permission: the refresh creates no
    // table in the data bucket (its CTAS tables are in the Athena results location, which cannot be registered).
    expect(grantsOf(t).filter((g) => !g.Resource.Database && !g.Resource.Table)).toEqual([]);
    expect(grantsOf(t)).toEqual(grantsOf(withDomains({ lakeFormationGrants: true })));
  });

  it('not otherwise: neither by default nor with lakeFormationGrants: true', () => {
    expect(allowed('RefreshHandler', 'lakeformation:GetDataAccess', '*')).toBe(false);
    expect(authoriserFor(withDomains({ lakeFormationGrants: true }))('lakeformation:GetDataAccess', '*')).toBe(false);
  });

  it('refuses an unknown sub-option and dataBucketRegistered outside lakeFormationGrants', () => {
    expect(() => parseConfig({ lakeFormationGrants: { dataBucket: true } })).toThrow(/lakeFormationGrants/);
    expect(() => parseConfig({ dataBucketRegistered: true })).toThrow(ConfigError);
    expect(parseConfig({ lakeFormationGrants: { dataBucketRegistered: true } }).lakeFormationGrants).toEqual({
      dataBucketRegistered: true,
    });
  });
});
