import { Stack } from 'aws-cdk-lib';
import type { IRule, IRuleTarget, RuleTargetConfig, RuleTargetInput } from 'aws-cdk-lib/aws-events';
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

export interface QueueDelivery {
  /**
   * The message group every event of the rule joins (Target SqsParameters.MessageGroupId:
   * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html): required for a FIFO queue ("If you
   * don't provide a MessageGroupId when sending a message to a FIFO queue, the action fails":
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html), refused here
   * for a standard one.
   */
  readonly messageGroupId?: string;
  /**
   * Where EventBridge puts events it could not deliver after its retries. A standard queue: "EventBridge DLQs are
   * standard Amazon SQS queues" (https://docs.aws.amazon.com/eventbridge/latest/userguide/rule-dlq.html).
   * @default none
   */
  readonly deadLetterQueue?: IQueue;
  /** @default EventBridge's own (185 attempts over 24 hours) */
  readonly retryAttempts?: number;
  /** What is sent in place of the event (the target's Input or InputTransformer). @default the whole event */
  readonly input?: RuleTargetInput;
}

/** EventBridge may send to the queue for this rule of this account only (aws:SourceArn, aws:SourceAccount). */
function allowRuleToSend(queue: IQueue, rule: IRule): void {
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
}

/**
 * Delivers a rule's events to a queue. Unlike aws-events-targets' SqsQueue, the queue policy lets EventBridge send
 * only for this rule of this account (aws:SourceArn, aws:SourceAccount), and SendMessage only; the key policy is
 * left to the key's owner (DataLake.allowEventBridgeRules), so EventBridge gets no kms:Encrypt or ReEncrypt.
 * A FIFO queue needs `messageGroupId` and content-based deduplication ("If you specify an SQS FIFO queue as a
 * target, the queue must have content-based deduplication enabled", EventBridge API Target SqsParameters:
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html).
 */
export function deliverToQueue(queue: IQueue, options: QueueDelivery = {}): IRuleTarget {
  const { messageGroupId, deadLetterQueue, retryAttempts, input } = options;
  if (queue.fifo !== (messageGroupId !== undefined))
    throw new Error(
      queue.fifo
        ? 'a FIFO queue target needs a messageGroupId'
        : 'messageGroupId is for FIFO queues; this queue is standard',
    );
  if (deadLetterQueue?.fifo) throw new Error("EventBridge's dead-letter queue must be a standard queue");
  return {
    bind(rule: IRule): RuleTargetConfig {
      allowRuleToSend(queue, rule);
      if (deadLetterQueue) allowRuleToSend(deadLetterQueue, rule);
      return {
        arn: queue.queueArn,
        ...(messageGroupId === undefined ? {} : { sqsParameters: { messageGroupId } }),
        ...(deadLetterQueue ? { deadLetterConfig: { arn: deadLetterQueue.queueArn } } : {}),
        ...(retryAttempts === undefined ? {} : { retryPolicy: { maximumRetryAttempts: retryAttempts } }),
        ...(input === undefined ? {} : { input }),
      };
    },
  };
}
