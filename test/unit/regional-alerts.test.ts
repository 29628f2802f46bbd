import { Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../infra/config.ts';
import { RegionalAlerts } from '../../infra/constructs/regional-alerts.ts';
import { ACCOUNT, offlineApp, synthApp, synthesised, templateOf } from '../support/synth.ts';

function build(subscribers: Record<string, string[]>) {
  const app = offlineApp();
  const { alerts, stack } = synthesised(app, () => {
    // As infra/app.ts: cdk-nag's packs run on synth, and an unacknowledged finding throws.
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
    const stack = new Stack(app, 'Alerts');
    const key = new Key(stack, 'Key', { enableKeyRotation: true });
    const alerts = new RegionalAlerts(stack, 'RegionalAlerts', { key, subscribers });
    const refresh = new Role(stack, 'Refresh', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    alerts.grantPublish(refresh);
    // A stand-in for the refresh function's role, which infra/constructs/lambda-defaults.ts acknowledges for this.
    Validations.of(refresh).acknowledge({
      id: 'HIPAA.Security-IAMNoInlinePolicy',
      reason: 'As every pipeline role: a policy generated for this role only.',
    });
    return { alerts, stack };
  });
  return { alerts, template: Template.fromStack(stack) };
}

describe('RegionalAlerts', () => {
  it('one encrypted, TLS-only topic per configured region, subscribed by its own leads only', () => {
    const { template, alerts } = build({
      Y56: ['london.lead@nhs.example'],
      Y58: ['sw.one@nhs.example', 'sw.two@nhs.example'],
    });
    template.resourceCountIs('AWS::SNS::Topic', 2);
    template.hasResourceProperties('AWS::SNS::Topic', {
      DisplayName: 'Social prescribing: what changed in region Y56',
      KmsMasterKeyId: Match.anyValue(),
    });
    template.resourceCountIs('AWS::SNS::Subscription', 3);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'london.lead@nhs.example',
      TopicArn: { Ref: Match.stringLikeRegexp('RegionalAlertsRegionY56') },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sns:Publish', Effect: 'Allow' }),
          Match.objectLike({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Effect: 'Allow' }),
        ]),
      },
    });
    expect(Object.keys(alerts.topicArns())).toEqual(['Y56', 'Y58']);
  });

  it('no configuration, no topics; a bad region code stops the synth with its name', () => {
    build({}).template.resourceCountIs('AWS::SNS::Topic', 0);
    expect(() => build({ London: ['a@nhs.example'] })).toThrow('regional alerts: "London" is not a region code');
  });
});

describe('regional alerts in the stack', () => {
  // The whole app from its configuration, as `cdk synth` builds it: cdk-nag's packs throw on any finding.
  const { stack } = synthApp({
    name: 'sp-outcomes',
    account: ACCOUNT,
    regionalAlertEmails: { Y56: ['london.lead@nhs.example'], Y63: ['nw.one@nhs.example', 'nw.two@nhs.example'] },
  });
  const json = templateOf(stack);
  const ofType = (type: string) => Object.entries(json.Resources).filter(([, r]) => r.Type === type);
  const regionTopics = ofType('AWS::SNS::Topic').filter(([id]) => id.startsWith('RegionalAlerts'));
  const refresh = ofType('AWS::Lambda::Function').find(([, f]) =>
    f.Properties.Description?.startsWith('Runs the metric catalogue'),
  )?.[1];

  it('one topic per configured region, encrypted with the data key, each with its own leads subscribed', () => {
    expect(regionTopics.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'RegionalAlertsRegionY56',
      'RegionalAlertsRegionY63',
    ]);
    const dataKey = ofType('AWS::KMS::Key').find(([id]) => id.startsWith('DataLake'))?.[0];
    for (const [, topic] of regionTopics)
      expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [dataKey, 'Arn'] });
    const [y56, y63] = regionTopics.map(([id]) => id).sort();
    const subscriptions = ofType('AWS::SNS::Subscription').map(([, s]) => [
      s.Properties.TopicArn.Ref,
      s.Properties.Endpoint,
    ]);
    expect(subscriptions.sort()).toEqual(
      [
        [y56, 'london.lead@nhs.example'],
        [y63, 'nw.one@nhs.example'],
        [y63, 'nw.two@nhs.example'],
      ].sort(),
    );
  });

  it('the refresh knows each region’s topic and the dashboard address, and may publish to those topics only', () => {
    const variables = refresh?.Properties.Environment.Variables;
    const topics = JSON.parse(JSON.stringify(stack.resolve(variables.ALERT_TOPICS)));
    // A CloudFormation join of the topic refs, region by region.
    const joined = JSON.stringify(topics);
    for (const [id] of regionTopics) expect(joined).toContain(`"Ref":"${id}"`);
    expect(joined).toContain('Y56');
    expect(joined).toContain('Y63');
    expect(JSON.stringify(variables.DASHBOARD_URL)).toContain('DomainName');
    const publish = ofType('AWS::IAM::Policy')
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[])
      .filter((s) => s.Action === 'sns:Publish');
    expect(publish.flatMap((s) => (s.Resource as { Ref: string }[]).map((r) => r.Ref)).sort()).toEqual(
      regionTopics.map(([id]) => id).sort(),
    );
  });

  it('configuration: none by default, and a bad region code or address is refused by name', () => {
    expect(parseConfig({}).regionalAlertEmails).toEqual({});
    expect(() => parseConfig({ regionalAlertEmails: { London: ['a@nhs.example'] } })).toThrow(
      new ConfigError(
        'invalid deployment configuration: regionalAlertEmails.London: must be a region code such as Y56',
      ),
    );
    expect(() => parseConfig({ regionalAlertEmails: { Y56: ['lead'] } })).toThrow(
      new ConfigError('invalid deployment configuration: regionalAlertEmails.Y56.0: must be an e-mail address'),
    );
  });
});
