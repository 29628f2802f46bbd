import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface RegionalAlertsProps {
  /** The key the topics are encrypted with (the data key). */
  readonly key: IKey;
  /**
   * One subscription list per NHS England region: region code (Y56…Y63) → the e-mail addresses of its leads, who
   * each confirm their subscription. @default {} (no topics)
   */
  readonly subscribers?: Readonly<Record<string, readonly string[]>>;
}

const REGION_CODE = /^Y\d{2}$/;

/**
 * One encrypted SNS topic per region for the "What changed" alerts (metrics/alerts.json, issue 15): the refresh
 * publishes each region's list to its topic, and only that region's leads are subscribed to it.
 */
export class RegionalAlerts extends Construct {
  /** Region code → its topic. */
  readonly topics: ReadonlyMap<string, Topic>;
  private readonly key: IKey;

  constructor(scope: Construct, id: string, props: RegionalAlertsProps) {
    super(scope, id);
    this.key = props.key;
    const topics = new Map<string, Topic>();
    for (const [region, addresses] of Object.entries(props.subscribers ?? {})) {
      if (!REGION_CODE.test(region)) throw new Error(`regional alerts: "${region}" is not a region code such as Y56`);
      const topic = new Topic(this, `Region${region}`, {
        masterKey: props.key,
        enforceSSL: true,
        displayName: `Social prescribing: what changed in region ${region}`,
      });
      for (const address of addresses) topic.addSubscription(new EmailSubscription(address));
      topics.set(region, topic);
    }
    this.topics = topics;
  }

  /** Lets the refresh publish to every regional topic (and use the key to encrypt the messages). */
  grantPublish(grantee: IGrantable): void {
    if (this.topics.size === 0) return;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sns:Publish'], resources: [...this.topics.values()].map((t) => t.topicArn) }),
    );
    // A publisher to an encrypted topic needs exactly these two on its key (no GenerateDataKey* wildcard):
    // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
    this.key.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
  }

  /** The topic ARNs by region, for the refresh's configuration. */
  topicArns(): Record<string, string> {
    return Object.fromEntries([...this.topics].map(([region, topic]) => [region, topic.topicArn]));
  }
}
