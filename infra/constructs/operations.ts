import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface OperationsProps {
  readonly key: IKey;
  readonly ingest: IFunction;
  readonly refresh: IFunction;
  readonly deadLetterQueues: readonly IQueue[];
  /** A refresh must have succeeded within this long, or the data is stale. @default 26 hours */
  readonly staleAfter?: Duration;
}

/**
 * What tells the team something is wrong: an encrypted SNS topic and alarms on dead letters, function errors and
 * throttles, failed refreshes and stale data (no successful refresh within its schedule).
 */
export class Operations extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Alarms', {
      masterKey: props.key,
      enforceSSL: true,
      displayName: 'Social prescribing pipeline alarms',
    });
    const alarm = (
      name: string,
      description: string,
      metric: IMetric,
      threshold: number,
      comparison = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      missing = TreatMissingData.NOT_BREACHING,
    ) => {
      const a = new Alarm(this, name, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: comparison,
        treatMissingData: missing,
      });
      a.addAlarmAction(new SnsAction(this.topic));
      this.alarms.push(a);
    };
    props.deadLetterQueues.forEach((queue, i) => {
      alarm(
        `DeadLetters${i}`,
        'Uploads or refresh requests were dead-lettered after every retry: inspect and redrive.',
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
        1,
      );
    });
    alarm(
      'IngestErrors',
      'The ingest function failed (storage trouble or a bug): files are being retried.',
      props.ingest.metricErrors({ period: Duration.minutes(5) }),
      1,
    );
    alarm(
      'IngestThrottles',
      'The ingest function is throttled at its reserved concurrency: uploads are queueing.',
      props.ingest.metricThrottles({ period: Duration.minutes(15) }),
      10,
    );
    alarm(
      'RefreshFailed',
      'A metric refresh failed: the published figures are not being updated.',
      props.refresh.metricErrors({ period: Duration.hours(1) }),
      1,
    );
    const staleAfter = props.staleAfter ?? Duration.hours(26);
    alarm(
      'DataStale',
      `No metric refresh has run for ${staleAfter.toHumanString()}: the dashboard's figures are going stale.`,
      props.refresh.metricInvocations({ period: staleAfter.toMinutes() > 1440 ? Duration.days(1) : staleAfter }),
      1,
      ComparisonOperator.LESS_THAN_THRESHOLD,
      TreatMissingData.BREACHING,
    );
  }
}
