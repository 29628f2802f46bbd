import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from './config.ts';

/** The edge stack's region: a web ACL for CloudFront is made there only (AWS::WAFv2::WebACL, Scope). */
export const EDGE_REGION = 'us-east-1';

/**
 * The rules of the web ACL, in the order AWS WAF evaluates them (lowest priority first; a Block ends the evaluation).
 * The per-client limits count what comes through CloudFront to /api/* (the dashboard's static files are CloudFront's
 * cache, which the HTTP API never sees): one address over the limit gets 429 until its rate falls, so the stage's
 * throttles (shared by every caller: README) are no longer one caller's to spend.
 */
export const EDGE_RULES = {
  ipReputation: 'AmazonIpReputationList',
  apiRate: 'ApiRatePerIp',
  uploadsRate: 'UploadsRatePerIp',
  common: 'CommonRuleSet',
  badInputs: 'KnownBadInputsRuleSet',
} as const;

export interface EdgeStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

/** A path-prefix match for a rate-based rule's scope-down statement (the URI path as sent, not transformed). */
const pathStartsWith = (prefix: string): CfnWebACL.StatementProperty => ({
  byteMatchStatement: {
    fieldToMatch: { uriPath: {} },
    positionalConstraint: 'STARTS_WITH',
    searchString: prefix,
    textTransformations: [{ priority: 0, type: 'NONE' }],
  },
});

/**
 * The request's method, exactly (WAF's `Method` field to match: "Inspect the HTTP method of the web request", JSON
 * `"Method": {}`: https://docs.aws.amazon.com/waf/latest/APIReference/API_Method.html).
 */
const methodIs = (method: string): CfnWebACL.StatementProperty => ({
  byteMatchStatement: {
    fieldToMatch: { method: {} },
    positionalConstraint: 'EXACTLY',
    searchString: method,
    textTransformations: [{ priority: 0, type: 'NONE' }],
  },
});

/**
 * Metrics for every rule; no sampled requests: a sample keeps the request's headers, the PCN uploaders' bearer tokens
 * among them, for anyone allowed wafv2:GetSampledRequests (the log below redacts them; a sample cannot).
 */
const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: false,
});

const managedGroup = (name: string, priority: number): CfnWebACL.RuleProperty => ({
  name,
  priority,
  statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: `AWSManagedRules${name}` } },
  overrideAction: { none: {} },
  visibilityConfig: visibility(name),
});

/**
 * Per-IP rate limit over a 5-minute window ("Valid settings are 60 (1 minute), 120 (2 minutes), 300 (5 minutes), and
 * 600 (10 minutes) ... The lowest limit setting allowed is 10": https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html),
 * answered 429 by a custom response for the Block action (https://docs.aws.amazon.com/waf/latest/developerguide/customizing-the-response-for-blocked-requests.html),
 * which the uploader retries with backoff as it does the stage's own 429.
 */
const ratePerIp = (
  name: string,
  priority: number,
  limit: number,
  scopeDownStatement: CfnWebACL.StatementProperty,
): CfnWebACL.RuleProperty => ({
  name,
  priority,
  statement: { rateBasedStatement: { aggregateKeyType: 'IP', evaluationWindowSec: 300, limit, scopeDownStatement } },
  action: { block: { customResponse: { responseCode: 429 } } },
  visibilityConfig: visibility(name),
});

/**
 * The deployment's edge in us-east-1: the AWS WAF web ACL the CloudFront distribution uses (webAclArn in the
 * configuration is this stack's output WebAclArn; README, "Before the first deploy"), and its log. A CLOUDFRONT web ACL
 * must be made in us-east-1 and the distribution takes it by ARN (DistributionConfig WebACLId: "To specify a web ACL
 * created using the latest version of WAF, use the ACL ARN"), so it is a stack of its own, deployed first, rather than
 * a cross-region reference (which would add a custom resource and its function to both stacks).
 */
export class EdgeStack extends Stack {
  readonly webAcl: CfnWebACL;
  readonly logs: LogGroup;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { config } = props;
    const retain = config.retainData;
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: `${config.name}-edge`,
      description: 'Per-client rate limits and AWS managed rules in front of the dashboard and its API',
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`${config.name}-edge`),
      rules: [
        // Addresses Amazon's threat intelligence lists as sources of bots and attacks: refused before they count.
        managedGroup(EDGE_RULES.ipReputation, 0),
        ratePerIp(EDGE_RULES.apiRate, 1, config.edgeRateLimits.api, pathStartsWith('/api/')),
        // Announcements only (POST /api/uploads): the receipt polls (GET /api/uploads/<id>, up to 150 a file) count under
        // the /api/* limit alone, or four uploaders behind one NHS gateway address would pass 600 (review 36, R36-5).
        ratePerIp(EDGE_RULES.uploadsRate, 2, config.edgeRateLimits.uploads, {
          andStatement: { statements: [methodIs('POST'), pathStartsWith('/api/uploads')] },
        }),
        // OWASP-style request checks (sizes, cross-site scripting, local file inclusion...) and known exploit inputs.
        managedGroup(EDGE_RULES.common, 3),
        managedGroup(EDGE_RULES.badInputs, 4),
      ],
    });

    // The log of what the web ACL refused or counted (allowed requests are dropped: the API stage logs those by route),
    // with the query string (the sign-in return's code, area codes) and the bearer token redacted. Its name must start
    // with aws-waf-logs- (https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html).
    const key = new Key(this, 'LogsKey', {
      description: 'Encrypts the edge web ACL log',
      enableKeyRotation: true,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${EDGE_REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${EDGE_REGION}:${this.account}:log-group:aws-waf-logs-${config.name}`,
          },
        },
      }),
    );
    this.logs = new LogGroup(this, 'Logs', {
      logGroupName: `aws-waf-logs-${config.name}`,
      retention: RetentionDays.ONE_YEAR,
      encryptionKey: key,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // AWS WAF adds the log group's resource policy for its log delivery itself when the logging configuration is made
    // (the deployer's logs:PutResourcePolicy: the CDK's deploy role has it).
    const logging = new CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [
        // The log group's ARN without the trailing :* (AWS::WAFv2::LoggingConfiguration, LogDestinationConfigs).
        `arn:${this.partition}:logs:${EDGE_REGION}:${this.account}:log-group:${this.logs.logGroupName}`,
      ],
      redactedFields: [
        { queryString: {} },
        { singleHeader: { Name: 'authorization' } },
        { singleHeader: { Name: 'cookie' } },
      ],
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }],
          },
        ],
      },
    });
    logging.node.addDependency(this.logs);

    new CfnOutput(this, 'WebAclArn', {
      value: this.webAcl.attrArn,
      description: 'webAclArn in the deployment configuration (README, "Before the first deploy")',
    });
  }
}
