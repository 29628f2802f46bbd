import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ORIGIN_VERIFY_HEADER } from '../../functions/auth/origin-verify.ts';
import { parseConfig } from '../../infra/config.ts';
import { EDGE_RULES, RATE_BLOCK_RETRY_AFTER_SECONDS } from '../../infra/edge-stack.ts';
import { ACCOUNT, annotationsOf, type Loose, synthApp } from '../support/synth.ts';

// The per-client protection of the API (README, "What reaches the API"): an AWS WAF web ACL for CloudFront in the
// us-east-1 edge stack, named by the pipeline's distribution, and CloudFront's secret header that the API functions
// check. Synthesised offline under cdk-nag (app.synth() throws on any unacknowledged finding), no bundling.
const WEB_ACL = `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/sp-outcomes-edge/a1b2c3d4-5678-90ab-cdef-111122223333`;

const synth = (extra: Record<string, unknown> = {}) => synthApp({ name: 'sp-outcomes', account: ACCOUNT, ...extra });
const rulesOf = (edge: Template) => {
  const acls = Object.values(edge.findResources('AWS::WAFv2::WebACL')) as Loose[];
  expect(acls).toHaveLength(1);
  return acls[0].Properties as { Scope: string; DefaultAction: unknown; Rules: Loose[] };
};
const distributionOf = (stack: Template) =>
  (Object.values(stack.findResources('AWS::CloudFront::Distribution')) as Loose[])[0].Properties.DistributionConfig;

describe('the edge stack: a web ACL for CloudFront in us-east-1', () => {
  const built = synth();
  const edge = Template.fromStack(built.edge);
  const acl = rulesOf(edge);
  const rule = (name: string) => acl.Rules.find((r: Loose) => r.Name === name) as Loose;

  it('is a CLOUDFRONT web ACL in us-east-1 (the only region CloudFront takes one from), allowing by default', () => {
    expect(built.edge.region).toBe('us-east-1');
    expect(built.stack.region).toBe('eu-west-2');
    expect(acl.Scope).toBe('CLOUDFRONT');
    expect(acl.DefaultAction).toEqual({ Allow: {} });
    edge.hasOutput('WebAclArn', { Value: { 'Fn::GetAtt': ['WebAcl', 'Arn'] } });
  });

  it('limits each client IP: 3,000 requests to /api/* and 600 announcements (POST /api/uploads*) in any 5 minutes, answered 429', () => {
    const path = (prefix: string) => ({
      ByteMatchStatement: {
        FieldToMatch: { UriPath: {} },
        PositionalConstraint: 'STARTS_WITH',
        SearchString: prefix,
        TextTransformations: [{ Priority: 0, Type: 'NONE' }],
      },
    });
    // Receipt polls (GET /api/uploads/<id>, up to 150 a file) count only under /api/*: review 36, R36-5.
    const post = {
      ByteMatchStatement: {
        FieldToMatch: { Method: {} },
        PositionalConstraint: 'EXACTLY',
        SearchString: 'POST',
        TextTransformations: [{ Priority: 0, Type: 'NONE' }],
      },
    };
    for (const [name, limit, scopeDown] of [
      [EDGE_RULES.apiRate, 3_000, path('/api/')],
      [EDGE_RULES.uploadsRate, 600, { AndStatement: { Statements: [post, path('/api/uploads')] } }],
    ] as const) {
      expect(rule(name).Statement, name).toEqual({
        RateBasedStatement: {
          AggregateKeyType: 'IP',
          EvaluationWindowSec: 300,
          Limit: limit,
          ScopeDownStatement: scopeDown,
        },
      });
      expect(rule(name).Action, name).toEqual({
        Block: {
          CustomResponse: {
            ResponseCode: 429,
            ResponseHeaders: [{ Name: 'Retry-After', Value: '330' }],
            CustomResponseBodyKey: 'rate-limited',
          },
        },
      });
    }
  });

  it("answers a rate block with Retry-After: 330 (the 5-minute window and WAF's usual 30 s in lifting a block) and a JSON body naming no one", () => {
    // By hand: a client that stops sending is under the limit once its counted requests leave the 300 s window; AWS
    // WAF then takes "usually ... below 30 seconds" to notice the decrease: 300 + 30 = 330.
    expect(RATE_BLOCK_RETRY_AFTER_SECONDS).toBe(330);
    const bodies = (acl as Loose).CustomResponseBodies as Record<string, { ContentType: string; Content: string }>;
    expect(Object.keys(bodies)).toEqual(['rate-limited']);
    const limited = bodies['rate-limited'] as { ContentType: string; Content: string };
    expect(limited.ContentType).toBe('APPLICATION_JSON');
    const body = JSON.parse(limited.Content);
    expect(body).toEqual({ error: expect.stringMatching(/too many requests/), retry_after_seconds: 330 });
    // Nothing of the request in it (WAF's body is static: no address, no path, no token).
    expect(limited.Content).not.toMatch(/\$\{|\d+\.\d+\.\d+\.\d+|bearer|spu_|\/api\//i);
    // The managed groups' blocks keep WAF's own 403: they are not rate limits, and retrying them does not help.
    for (const name of [EDGE_RULES.ipReputation, EDGE_RULES.common, EDGE_RULES.badInputs])
      expect(rule(name).Action, name).toBeUndefined();
  });

  it("runs AWS's IP reputation list first, then the rate limits, then the common and known-bad-input rule groups", () => {
    const order = [...acl.Rules].sort((a: Loose, b: Loose) => a.Priority - b.Priority).map((r: Loose) => r.Name);
    expect(order).toEqual([
      EDGE_RULES.ipReputation,
      EDGE_RULES.apiRate,
      EDGE_RULES.uploadsRate,
      EDGE_RULES.common,
      EDGE_RULES.badInputs,
    ]);
    for (const name of [EDGE_RULES.ipReputation, EDGE_RULES.common, EDGE_RULES.badInputs]) {
      expect(rule(name).Statement, name).toEqual({
        ManagedRuleGroupStatement: { VendorName: 'AWS', Name: `AWSManagedRules${name}` },
      });
      expect(rule(name).OverrideAction, name).toEqual({ None: {} });
    }
  });

  it('keeps no sample of requests (a sample keeps the bearer token) and logs only what it blocked or counted, redacted', () => {
    for (const r of acl.Rules) expect(r.VisibilityConfig.SampledRequestsEnabled, r.Name).toBe(false);
    const logging = Object.values(edge.findResources('AWS::WAFv2::LoggingConfiguration')) as Loose[];
    expect(logging).toHaveLength(1);
    const { RedactedFields, LoggingFilter, ResourceArn } = logging[0].Properties;
    expect(ResourceArn).toEqual({ 'Fn::GetAtt': ['WebAcl', 'Arn'] });
    expect(RedactedFields).toEqual(
      expect.arrayContaining([{ QueryString: {} }, { SingleHeader: { Name: 'authorization' } }]),
    );
    expect(LoggingFilter.DefaultBehavior).toBe('DROP');
    edge.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: 'aws-waf-logs-sp-outcomes',
      KmsKeyId: Match.anyValue(),
    });
  });

  it('takes its limits from the configuration, and refuses one below AWS WAF’s lowest (10)', () => {
    const custom = rulesOf(Template.fromStack(synth({ edgeRateLimits: { api: 20_000, uploads: 50 } }).edge));
    const limit = (name: string) =>
      (custom.Rules.find((r: Loose) => r.Name === name) as Loose).Statement.RateBasedStatement.Limit;
    expect([limit(EDGE_RULES.apiRate), limit(EDGE_RULES.uploadsRate)]).toEqual([20_000, 50]);
    expect(() => parseConfig({ edgeRateLimits: { api: 5 } })).toThrow(/edgeRateLimits\.api/);
  });
});

describe('the edge stack alarms on blocks, in us-east-1 where the web ACL publishes its metrics', () => {
  const built = synth({ alarmEmails: ['ops@example.nhs.uk'] });
  const edge = Template.fromStack(built.edge);
  const alarms = Object.values(edge.findResources('AWS::CloudWatch::Alarm')) as Loose[];
  const alarmNamed = (name: string) => alarms.find((a) => a.Properties.AlarmName === `sp-outcomes-edge-${name}`);
  const topics = Object.entries(edge.findResources('AWS::SNS::Topic'));
  const topicId = () => (topics[0] as [string, Loose])[0];

  it('an encrypted topic of its own there (an alarm notifies a topic in its own region), e-mailing alarmEmails', () => {
    expect(topics).toHaveLength(1);
    const [id, topic] = topics[0] as [string, Loose];
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AlarmsKey/), 'Arn'] });
    edge.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.nhs.uk',
      TopicArn: { Ref: id },
    });
    // CloudWatch may publish (and use the key) for this stack's alarms only.
    edge.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: Match.objectLike({
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':alarm:sp-outcomes-edge-\\*$')])],
                },
              },
            }),
          }),
        ]),
      },
    });
  });

  it("each rate rule's BlockedRequests: any block in 5 minutes (someone's address is shut out for 5 minutes or more)", () => {
    for (const name of [EDGE_RULES.apiRate, EDGE_RULES.uploadsRate]) {
      const alarm = alarmNamed(`${name}Blocked`);
      // Named first, so a missing alarm fails with its name rather than at the properties below.
      expect(alarm, name).toBeDefined();
      expect(alarm?.Properties, name).toMatchObject({
        Namespace: 'AWS/WAFV2',
        MetricName: 'BlockedRequests',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      // A CloudFront web ACL's metrics have no Region dimension: WebACL (its metric name) and Rule (the rule's).
      expect(alarm?.Properties.Dimensions, name).toEqual([
        { Name: 'Rule', Value: name },
        { Name: 'WebACL', Value: 'sp-outcomes-edge' },
      ]);
      expect(alarm?.Properties.AlarmActions, name).toEqual([{ Ref: topicId() }]);
    }
  });

  it("the managed groups' blocks together: 100 or more in 5 minutes (a surge above the internet's background, or a false positive on real users)", () => {
    const alarm = alarmNamed('ManagedRulesBlocked');
    // Found first, so a missing alarm fails here rather than at its properties below.
    expect(alarm).toBeDefined();
    expect(alarm?.Properties).toMatchObject({ Threshold: 100, EvaluationPeriods: 1 });
    const metrics = alarm?.Properties.Metrics as Loose[];
    const rules = metrics
      .filter((m: Loose) => m.MetricStat)
      .map((m: Loose) => {
        const { Metric, Period, Stat } = m.MetricStat;
        expect([Metric.Namespace, Metric.MetricName, Period, Stat]).toEqual([
          'AWS/WAFV2',
          'BlockedRequests',
          300,
          'Sum',
        ]);
        return Object.fromEntries(Metric.Dimensions.map((d: Loose) => [d.Name, d.Value]));
      });
    expect(rules).toEqual(
      [EDGE_RULES.ipReputation, EDGE_RULES.common, EDGE_RULES.badInputs].map((Rule) => ({
        Rule,
        WebACL: 'sp-outcomes-edge',
      })),
    );
    expect(alarm?.Properties.AlarmActions).toEqual([{ Ref: topicId() }]);
  });
});

describe("the pipeline's distribution names the web ACL by webAclArn", () => {
  it('sets WebACLId to the configured ARN, with no warning', () => {
    const built = synth({ webAclArn: WEB_ACL });
    expect(distributionOf(Template.fromStack(built.stack)).WebACLId).toBe(WEB_ACL);
    const warnings = annotationsOf(built.stack)
      .findWarning('*', Match.anyValue())
      .map((w) => String(w.entry.data));
    expect(warnings.filter((w) => w.includes('webAclArn'))).toEqual([]);
  });

  it('without it: no web ACL, and the synth warns, naming the setting and what it leaves open', () => {
    const built = synth();
    expect(distributionOf(Template.fromStack(built.stack)).WebACLId).toBeUndefined();
    const warnings = annotationsOf(built.stack)
      .findWarning('*', Match.anyValue())
      .map((w) => String(w.entry.data))
      .filter((w) => w.includes('webAclArn'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/per-client rate limit/);
  });

  it('refuses an ARN that is not a CloudFront web ACL in us-east-1 (a regional one, another service)', () => {
    for (const arn of [
      WEB_ACL.replace('us-east-1', 'eu-west-2'),
      WEB_ACL.replace(':global/', ':regional/'),
      `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/a1b2c3d4-5678-90ab-cdef-111122223333`,
    ])
      expect(() => parseConfig({ webAclArn: arn }), arn).toThrow(
        /webAclArn: must be the ARN of a web ACL for CloudFront/,
      );
  });
});

describe('CloudFront is the way in: its secret header, which both API functions require', () => {
  const stack = Template.fromStack(synth({ webAclArn: WEB_ACL }).stack);
  const origins = distributionOf(stack).Origins as Loose[];
  const api = origins.filter((o: Loose) => o.CustomOriginConfig);

  it('the /api/* origin carries the header, its value the secret the functions compare with', () => {
    expect(api).toHaveLength(1);
    const headers = api[0].OriginCustomHeaders as { HeaderName: string; HeaderValue: unknown }[];
    expect(headers.map((h) => h.HeaderName)).toEqual([ORIGIN_VERIFY_HEADER]);
    const functions = Object.entries(stack.findResources('AWS::Lambda::Function')).filter(([id]) =>
      /^Api(Uploads)?Handler/.test(id),
    );
    expect(functions).toHaveLength(2);
    for (const [id, fn] of functions)
      expect(fn.Properties.Environment.Variables.ORIGIN_VERIFY, id).toEqual(headers[0]?.HeaderValue);
    // A dynamic reference CloudFormation resolves at deploy: the secret is never in the template.
    expect(JSON.stringify(headers[0]?.HeaderValue)).toMatch(/resolve:secretsmanager/);
  });
});

describe('optionally, mutual TLS between CloudFront and the API: only the distribution can connect to the API', () => {
  const API_CERT = `arn:aws:acm:eu-west-2:${ACCOUNT}:certificate/1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809`;
  const CLIENT_CERT = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/9f8e7d6c-5b4a-3928-1706-f5e4d3c2b1a0`;
  const apiDomain = (originMutualTls?: Record<string, unknown>) => ({
    domainName: 'api.sp.example.nhs.uk',
    certificateArn: API_CERT,
    ...(originMutualTls ? { originMutualTls } : {}),
  });

  it('the custom domain requires a client certificate from the truststore; CloudFront presents its own to that origin only', () => {
    const stack = Template.fromStack(
      synth({
        webAclArn: WEB_ACL,
        apiDomain: apiDomain({
          truststoreUri: 's3://sp-truststore/cloudfront-ca.pem',
          truststoreVersion: 'v3',
          clientCertificateArn: CLIENT_CERT,
        }),
      }).stack,
    );
    stack.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'api.sp.example.nhs.uk',
      MutualTlsAuthentication: { TruststoreUri: 's3://sp-truststore/cloudfront-ca.pem', TruststoreVersion: 'v3' },
    });
    const origins = distributionOf(stack).Origins as Loose[];
    const api = origins.find((o: Loose) => o.DomainName === 'api.sp.example.nhs.uk');
    expect(api?.CustomOriginConfig.OriginMtlsConfig).toEqual({ ClientCertificateArn: CLIENT_CERT });
    expect(origins.filter((o: Loose) => o.CustomOriginConfig?.OriginMtlsConfig)).toHaveLength(1);
  });

  it('without it, neither (the secret header is then the only proof of CloudFront)', () => {
    const stack = Template.fromStack(synth({ apiDomain: apiDomain() }).stack);
    const domains = Object.values(stack.findResources('AWS::ApiGatewayV2::DomainName')) as Loose[];
    expect(domains).toHaveLength(1);
    expect(domains[0].Properties.MutualTlsAuthentication).toBeUndefined();
    expect(
      (distributionOf(stack).Origins as Loose[]).filter((o: Loose) => o.CustomOriginConfig?.OriginMtlsConfig),
    ).toEqual([]);
  });

  it('refuses a client certificate outside us-east-1 and a truststore that is not an S3 URI', () => {
    expect(() =>
      parseConfig({
        apiDomain: apiDomain({ truststoreUri: 's3://b/ca.pem', clientCertificateArn: API_CERT }),
      }),
    ).toThrow(/apiDomain\.originMutualTls\.clientCertificateArn: must be an ACM certificate in us-east-1/);
    expect(() =>
      parseConfig({
        apiDomain: apiDomain({ truststoreUri: 'https://example.org/ca.pem', clientCertificateArn: CLIENT_CERT }),
      }),
    ).toThrow(/apiDomain\.originMutualTls\.truststoreUri: must be an S3 URI/);
  });
});

describe('deploy order', () => {
  it('the pipeline depends on the edge stack: deployed after it, destroyed before it', () => {
    const built = synth();
    expect(built.stack.dependencies.map((s) => s.stackName)).toEqual(['sp-outcomes-edge']);
    expect(built.edge.dependencies).toEqual([]);
  });
});
