import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from './config.ts';
import { makeAlarmTopic } from './constructs/alarm-topic.ts';

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

/** A byte match of a part of the request as sent (not transformed). */
const byteMatch = (
  fieldToMatch: CfnWebACL.FieldToMatchProperty,
  positionalConstraint: 'STARTS_WITH' | 'EXACTLY',
  searchString: string,
): CfnWebACL.StatementProperty => ({
  byteMatchStatement: {
    fieldToMatch,
    positionalConstraint,
    searchString,
    textTransformations: [{ priority: 0, type: 'NONE' }],
  },
});

/** A path-prefix match for a rate-based rule's scope-down statement (the URI path as sent, not transformed). */
const pathStartsWith = (prefix: string) => byteMatch({ uriPath: {} }, 'STARTS_WITH', prefix);

/**
 * The request's method, exactly (WAF's `Method` field to match: "Inspect the HTTP method of the web request", JSON
 * `"Method": {}`: https://docs.aws.amazon.com/waf/latest/APIReference/API_Method.html).
 */
const methodIs = (method: string) => byteMatch({ method: {} }, 'EXACTLY', method);

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

/** The rate rules' evaluation window, seconds (AWS WAF's default; 60, 120, 300 or 600 allowed). */
const RATE_WINDOW_SECONDS = 300;

/**
 * How long a client blocked by a rate rule is asked to wait (Retry-After, seconds): the evaluation window plus AWS WAF's
 * usual delay in noticing that a rate has fallen, 300 + 30. A block lasts while the client's count over the window is
 * above the limit, and "the request rate can be below the limit for a period of time before AWS WAF detects the
 * decrease and discontinues the rate limiting action. Usually, this delay is below 30 seconds"
 * (https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-caveats.html). A client that
 * stops sending is under the limit once every request it sent has left the window, so after 330 s it is let through
 * (WAF's estimate "gives more importance to more recent requests", so often sooner). A shorter value would bring the
 * uploader back while still blocked, spending its attempts (cli/commands/upload.ts waits up to 15 minutes).
 */
export const RATE_BLOCK_RETRY_AFTER_SECONDS = RATE_WINDOW_SECONDS + 30;

/** The key of the rate rules' response body in the web ACL's CustomResponseBodies. */
const RATE_LIMITED_BODY = 'rate-limited';

/**
 * The rate rules' response: 429, Retry-After and a JSON body in the shape of the API's own errors (`error`, and
 * `retry_after_seconds` as the upload API's quota answers), which the uploader reads. Static text only: WAF sends it
 * as written, so it names no address, path or token. Custom responses for a Block action set "the status code, headers,
 * and response body", and "You can specify any header name except for content-type" (the body's ContentType sets it):
 * https://docs.aws.amazon.com/waf/latest/developerguide/customizing-the-response-for-blocked-requests.html. A header
 * name matches ^[a-zA-Z0-9._$-]+$ (1-64), its value 1-255 characters, and the x-amzn-waf- prefix is added to inserted
 * request headers only (https://docs.aws.amazon.com/waf/latest/APIReference/API_CustomHTTPHeader.html); a body is
 * TEXT_PLAIN, TEXT_HTML or APPLICATION_JSON, up to 10,240 characters, defined once in the web ACL's
 * CustomResponseBodies and named by key (https://docs.aws.amazon.com/waf/latest/APIReference/API_CustomResponseBody.html).
 */
const rateLimitedResponse: CfnWebACL.CustomResponseProperty = {
  responseCode: 429,
  responseHeaders: [{ name: 'Retry-After', value: String(RATE_BLOCK_RETRY_AFTER_SECONDS) }],
  customResponseBodyKey: RATE_LIMITED_BODY,
};
const rateLimitedBody: CfnWebACL.CustomResponseBodyProperty = {
  contentType: 'APPLICATION_JSON',
  content: JSON.stringify({
    error: `too many requests from this network address in ${RATE_WINDOW_SECONDS / 60} minutes: wait the Retry-After seconds, then send again`,
    retry_after_seconds: RATE_BLOCK_RETRY_AFTER_SECONDS,
  }),
};

/**
 * Per-IP rate limit over a 5-minute window ("Valid settings are 60 (1 minute), 120 (2 minutes), 300 (5 minutes), and
 * 600 (10 minutes) ... The lowest limit setting allowed is 10": https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html),
 * answered by rateLimitedResponse, which the uploader honours (it waits out Retry-After before sending again).
 */
const ratePerIp = (
  name: string,
  priority: number,
  limit: number,
  scopeDownStatement: CfnWebACL.StatementProperty,
): CfnWebACL.RuleProperty => ({
  name,
  priority,
  statement: {
    rateBasedStatement: { aggregateKeyType: 'IP', evaluationWindowSec: RATE_WINDOW_SECONDS, limit, scopeDownStatement },
  },
  action: { block: { customResponse: rateLimitedResponse } },
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
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { config } = props;
    const retain = config.retainData;
    const aclMetricName = `${config.name}-edge`;
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: `${config.name}-edge`,
      description: 'Per-client rate limits and AWS managed rules in front of the dashboard and its API',
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(aclMetricName),
      customResponseBodies: { [RATE_LIMITED_BODY]: rateLimitedBody },
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

    // Alarms on what the web ACL blocks. AWS WAF publishes its metrics in the AWS/WAFV2 namespace once a minute
    // (https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html), a CloudFront web ACL's in us-east-1 with
    // the dimensions WebACL (the web ACL's metric name) and Rule (the rule's), no Region; the pipeline's alarms and their
    // topic are in the deployment's region, and an alarm's SNS action is a topic in its own region: so a topic here,
    // encrypted and open to this stack's alarms only, as the pipeline's (constructs/alarm-topic.ts), e-mailing the same
    // alarmEmails. Each address confirms this subscription too.
    const { alarms, alarm } = makeAlarmTopic(this, {
      alarmPrefix: `${this.stackName}-`,
      description: 'Social prescribing edge (web ACL) alarm notifications',
      displayName: 'Social prescribing edge alarms',
      emails: config.alarmEmails,
      retainData: retain,
    });
    this.alarms = alarms;
    const blocked = (rule: string) =>
      new Metric({
        namespace: 'AWS/WAFV2',
        metricName: 'BlockedRequests',
        dimensionsMap: { Rule: rule, WebACL: aclMetricName },
        statistic: 'Sum',
        period: Duration.minutes(5),
      });
    // Any rate block: one address has sent more than its limit in 5 minutes and is refused for 5 minutes or more. An
    // attack, a runaway script, or many users behind one NHS gateway address (then raise edgeRateLimits: README).
    alarm(
      `${EDGE_RULES.apiRate}Blocked`,
      `The edge web ACL refused a network address over ${config.edgeRateLimits.api.toLocaleString('en-GB')} requests to /api/* in 5 minutes (429, Retry-After ${RATE_BLOCK_RETRY_AFTER_SECONDS} s): an attack, a runaway client, or an NHS gateway's users sharing one address (raise edgeRateLimits.api). The blocked requests are in the log group aws-waf-logs-${config.name} (us-east-1).`,
      blocked(EDGE_RULES.apiRate),
      1,
    );
    alarm(
      `${EDGE_RULES.uploadsRate}Blocked`,
      `The edge web ACL refused a network address over ${config.edgeRateLimits.uploads.toLocaleString('en-GB')} upload announcements in 5 minutes (429, Retry-After ${RATE_BLOCK_RETRY_AFTER_SECONDS} s): PCN uploads from it wait, and stop after the uploader's retries (raise edgeRateLimits.uploads if the uploaders are real). The blocked requests are in the log group aws-waf-logs-${config.name} (us-east-1).`,
      blocked(EDGE_RULES.uploadsRate),
      1,
    );
    // The managed groups block the internet's background of scanners and known-bad addresses all the time, so not any
    // block: 100 in 5 minutes together, a surge (an attack under way) or a false positive on real users' requests.
    const managed = [EDGE_RULES.ipReputation, EDGE_RULES.common, EDGE_RULES.badInputs];
    alarm(
      'ManagedRulesBlocked',
      `AWS's managed rule groups at the edge (${managed.join(', ')}) refused 100 or more requests in 5 minutes: an attack under way, or a rule refusing real users (check the log group aws-waf-logs-${config.name} in us-east-1, by rule).`,
      new MathExpression({
        expression: managed.map((_, i) => `FILL(m${i}, 0)`).join(' + '),
        usingMetrics: Object.fromEntries(managed.map((rule, i) => [`m${i}`, blocked(rule)])),
        period: Duration.minutes(5),
        label: 'requests blocked by the managed rule groups',
      }),
      100,
    );

    new CfnOutput(this, 'WebAclArn', {
      value: this.webAcl.attrArn,
      description: 'webAclArn in the deployment configuration (README, "Before the first deploy")',
    });
  }
}
