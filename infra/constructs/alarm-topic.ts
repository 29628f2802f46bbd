import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** The prefix of every alarm name allowed to publish: `<stack name>-`. */
  readonly alarmPrefix: string;
  /** The key's description. */
  readonly description: string;
  /** The topic's display name (the e-mails' sender name). */
  readonly displayName: string;
  /** Who is told when an alarm fires: one e-mail subscription each. @default nobody */
  readonly emails?: readonly string[];
  /** Keep the key when the stack is deleted. @default true */
  readonly retainData?: boolean;
}

/** How an alarm made by an AlarmTopic's `alarm` compares and treats missing data, where it differs from the usual. */
export interface AlarmOptions {
  /** @default GREATER_THAN_OR_EQUAL_TO_THRESHOLD */
  readonly comparison?: ComparisonOperator;
  /** @default NOT_BREACHING */
  readonly treatMissingData?: TreatMissingData;
}

export interface AlarmTopic {
  readonly key: Key;
  readonly topic: Topic;
  /** Every alarm `alarm` has made, in the order made. */
  readonly alarms: Alarm[];
  /**
   * Makes an alarm in the topic's scope, with the id `name` and the name `<alarmPrefix><name>` (so the topic lets it
   * publish), one evaluation period, that tells the topic when it goes into ALARM.
   */
  readonly alarm: (
    name: string,
    description: string,
    metric: IMetric,
    threshold: number,
    options?: AlarmOptions,
  ) => Alarm;
}

/**
 * The topic a stack's alarms tell, made in `scope` as `AlarmsKey` and `Alarms` (the ids Operations has always had):
 * encrypted with a key of its own (cdk-nag's AwsSolutions-SNS2/SNS3: SSE and TLS only), which CloudWatch may use, and
 * the topic CloudWatch may publish to, for this stack's alarms in this account only. CloudWatch publishes alarm
 * notifications as its service principal, to an encrypted topic only if the key lets it
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html, "compatibility with AWS services"). A key of its
 * own keeps that right off the data key. An alarm's action is a topic in the alarm's own region, so each stack whose
 * alarms are in a region of their own (the edge stack's, in us-east-1) makes one. Its `alarm` makes the stack's
 * alarms, named so the topic lets them publish.
 */
export function makeAlarmTopic(scope: Construct, props: AlarmTopicProps): AlarmTopic {
  const stack = Stack.of(scope);
  const fromOurAlarms = {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: {
      'aws:SourceArn': stack.formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: `${props.alarmPrefix}*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    },
  };
  const key = new Key(scope, 'AlarmsKey', {
    enableKeyRotation: true,
    description: props.description,
    removalPolicy: props.retainData === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
  });
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CloudWatchAlarmsOfThisStackPublish',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: fromOurAlarms,
    }),
  );
  const topic = new Topic(scope, 'Alarms', { masterKey: key, enforceSSL: true, displayName: props.displayName });
  topic.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CloudWatchAlarmsOfThisStackPublish',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: fromOurAlarms,
    }),
  );
  for (const address of props.emails ?? []) topic.addSubscription(new EmailSubscription(address));
  const alarms: Alarm[] = [];
  const alarm: AlarmTopic['alarm'] = (name, description, metric, threshold, options = {}) => {
    const made = new Alarm(scope, name, {
      alarmName: `${props.alarmPrefix}${name}`,
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: options.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: options.treatMissingData ?? TreatMissingData.NOT_BREACHING,
    });
    made.addAlarmAction(new SnsAction(topic));
    alarms.push(made);
    return made;
  };
  return { key, topic, alarms, alarm };
}
