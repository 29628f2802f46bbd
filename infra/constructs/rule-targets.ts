import { Stack } from 'aws-cdk-lib';
import type { IRule, IRuleTarget, RuleTargetConfig } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * The ARN of a rule given the name it will be created with. Keys and queues name the rules allowed to use them, and
 * a rule refers to its target, so the ARN has to be known before the rule exists.
 */
export function ruleArn(scope: Construct, ruleName: string): string {
  return Stack.of(scope).formatArn({ service: 'events', resource: 'rule', resourceName: ruleName });
}

/**
 * Delivers a rule's events to a queue. Unlike aws-events-targets' SqsQueue, the queue policy lets EventBridge send
 * only for this rule of this account (aws:SourceArn, aws:SourceAccount), and SendMessage only; the key policy is
 * left to the key's owner (DataLake.allowEventBridgeRules), so EventBridge gets no kms:Encrypt or ReEncrypt.
 */
export function deliverToQueue(queue: IQueue): IRuleTarget {
  return {
    bind(rule: IRule): RuleTargetConfig {
      queue.addToResourcePolicy(
        new PolicyStatement({
          principals: [new ServicePrincipal('events.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: {
            ArnEquals: { 'aws:SourceArn': rule.ruleArn },
            StringEquals: { 'aws:SourceAccount': Stack.of(rule).account },
          },
        }),
      );
      return { arn: queue.queueArn };
    },
  };
}
