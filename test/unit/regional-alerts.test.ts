import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { RegionalAlerts } from '../../infra/constructs/regional-alerts.ts';

function build(subscribers: Record<string, string[]>) {
  const app = new App();
  // As infra/app.ts: cdk-nag's packs run on synth, and an unacknowledged finding throws.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
  const stack = new Stack(app, 'Alerts');
  const key = new Key(stack, 'Key', { enableKeyRotation: true });
  const alerts = new RegionalAlerts(stack, 'RegionalAlerts', { key, subscribers });
  const refresh = new Role(stack, 'Refresh', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  alerts.grantPublish(refresh);
  // A stand-in for the refresh function's role, which infra/constructs/lambda-defaults.ts acknowledges for these two.
  Validations.of(refresh).acknowledge(
    { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason: "CDK's KMS grant for SNS, on the one data key." },
    {
      id: 'HIPAA.Security-IAMNoInlinePolicy',
      reason: 'As every pipeline role: a policy generated for this role only.',
    },
  );
  app.synth();
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
        Statement: Match.arrayWith([Match.objectLike({ Action: 'sns:Publish', Effect: 'Allow' })]),
      },
    });
    expect(Object.keys(alerts.topicArns())).toEqual(['Y56', 'Y58']);
  });

  it('no configuration, no topics; a bad region code stops the synth with its name', () => {
    build({}).template.resourceCountIs('AWS::SNS::Topic', 0);
    expect(() => build({ London: ['a@nhs.example'] })).toThrow('regional alerts: "London" is not a region code');
  });
});
