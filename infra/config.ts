import { z } from 'zod';

/**
 * Per-environment configuration, read from CDK context (`cdk.json` or `-c config='{"…"}'`) and checked here so a
 * bad value stops the synth with a message that names it.
 */
const concurrency = z.number().int().min(1).max(1_000);

/**
 * Target keys renamed, old name -> new. `link_workers_fte` named an FTE, but the Long Term Plan's "over 1,000 link
 * workers" is a headcount of trained link workers, and is compared with one: it is `trained_link_workers` now. The old
 * name is still accepted (a deployment's configuration may set it), with a warning on every synth.
 */
export const RENAMED_TARGETS = { link_workers_fte: 'trained_link_workers' } as const;
type RenamedTarget = keyof typeof RENAMED_TARGETS;
const RENAMED_TARGET_KEYS = Object.keys(RENAMED_TARGETS) as RenamedTarget[];
const email = z.email({ error: 'must be an e-mail address' });
/**
 * A Cognito prefix domain may not contain these words ("Configuring a user pool domain":
 * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html).
 */
const COGNITO_RESERVED = /aws|amazon|cognito/;

/**
 * A host name as DNS has it (RFC 1123 labels: letters, digits and inner hyphens, 1-63 each, 253 in all), lowercase, at
 * least two labels, no wildcard, no scheme, no trailing dot: what CloudFront takes as an alternate domain name and API
 * Gateway as a custom domain name.
 */
const hostName = z
  .string()
  .max(253)
  .regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
    error: 'must be a domain name such as sp.example.nhs.uk (lowercase, no scheme, no wildcard, no trailing dot)',
  });
/** An ACM certificate's ARN: arn:aws:acm:<region>:<account>:certificate/<id>. */
const ACM_CERTIFICATE = /^arn:aws:acm:([a-z]{2}-[a-z]+-\d):\d{12}:certificate\/[0-9a-f-]+$/;
const certificateArn = z.string().regex(ACM_CERTIFICATE, {
  error: 'must be an ACM certificate ARN, arn:aws:acm:<region>:<account>:certificate/<id>',
});
const regionOf = (arn: string) => ACM_CERTIFICATE.exec(arn)?.[1];
/** A name of the deployment's own and the ACM certificate that covers it (issued and validated before the deploy). */
const customDomain = z.strictObject({ domainName: hostName, certificateArn });

export const DeploymentConfig = z
  .strictObject({
    /** Prefix of every resource name. */
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{2,30}$/, {
        error: 'must be 3-31 lowercase letters, digits or hyphens, starting with a letter',
      })
      .default('sp-outcomes'),
    account: z
      .string()
      .regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id' })
      .optional(),
    region: z
      .string()
      .regex(/^[a-z]{2}-[a-z]+-\d$/, { error: 'must be an AWS region such as eu-west-2' })
      .default('eu-west-2'),
    /**
     * The hosted sign-in pages' address prefix, https://<prefix>.auth.<region>.amazoncognito.com; unique in the region.
     * Default: <name>-<account>.
     */
    signInDomainPrefix: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { error: 'must be lowercase letters, digits and hyphens' })
      .refine((prefix) => !COGNITO_RESERVED.test(prefix), { error: 'may not contain aws, amazon or cognito' })
      .optional(),
    /**
     * The dashboard's own address (review 33, R33-4): CloudFront answers for `domainName` with the ACM certificate,
     * which CloudFront takes from us-east-1 only ("CloudFront only supports ACM certificates in the US East (N.
     * Virginia) Region (us-east-1)", ViewerCertificate, CloudFront API reference:
     * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html), and the TLSv1.2_2021
     * security policy. Sign-in returns there, alerts link there. Default: the distribution's *.cloudfront.net name,
     * on which CloudFront applies TLSv1 whatever the stack asks (the same page): README, "Before the first deploy".
     */
    dashboardDomain: customDomain
      .refine((d) => regionOf(d.certificateArn) === 'us-east-1', {
        error: 'must be an ACM certificate in us-east-1: CloudFront uses certificates from that region only',
        path: ['certificateArn'],
      })
      .optional(),
    /**
     * The API's own address (review 33, R33-3): a regional custom domain with the ACM certificate, which must be in the
     * deployment's region ("You must provide a Region-specific ACM certificate. This certificate must be in the same
     * Region as your API", and "you must create a DNS record to point the custom domain name to the Regional domain":
     * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-regional-api-custom-domain-create.html);
     * the HTTP API's execute-api address is then disabled and CloudFront sends /api/* to this name. The DNS record (a
     * CNAME to the stack output ApiDomainTarget) is the operator's: README. Default: the execute-api address, open.
     */
    apiDomain: customDomain
      .extend({
        /**
         * Mutual TLS between CloudFront and the API's custom domain, so that only this distribution can open a
         * connection to it: the domain requires a client certificate issued by a CA in the truststore ("clients must
         * present X.509 certificates to verify their identity to access your API":
         * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-mutual-tls.html), and CloudFront
         * presents one from ACM in us-east-1 ("CloudFront Mutual TLS (origin) requires client certificates with Extended
         * Key Usage (EKU) for TLS Client Authentication ... you must issue certificates from your Certificate Authority
         * and import them into AWS Certificate Manager":
         * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/origin-certificate-management-certificate-manager.html).
         * Default: none; the functions' check of CloudFront's secret header is then the only proof (README).
         */
        originMutualTls: z
          .strictObject({
            /** The truststore's S3 object, s3://<bucket>/<key> (PEM: the CA that issued the client certificate). */
            truststoreUri: z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+$/, {
              error: 'must be an S3 URI, s3://<bucket>/<key>',
            }),
            /** The truststore object's version (a versioned bucket). @default its latest */
            truststoreVersion: z.string().min(1).optional(),
            /** The client certificate CloudFront presents (imported into ACM in us-east-1). */
            clientCertificateArn: certificateArn.refine((arn) => regionOf(arn) === 'us-east-1', {
              error: 'must be an ACM certificate in us-east-1: CloudFront presents client certificates from there only',
            }),
          })
          .optional(),
      })
      .optional(),
    /**
     * The AWS WAF web ACL on the CloudFront distribution (its ARN): per-client rate limits and AWS managed rule groups in
     * front of the dashboard and /api/*. A web ACL for CloudFront is made in us-east-1 only ("For CLOUDFRONT, you must
     * create your WAFv2 resources in the US East (N. Virginia) Region, us-east-1": AWS::WAFv2::WebACL, Scope), and the
     * distribution names it by ARN (DistributionConfig WebACLId): the app's `<name>-edge` stack makes one (infra/
     * edge-stack.ts, output WebAclArn), or give an organisation's own. Default: none, and the synth warns.
     */
    webAclArn: z
      .string()
      .regex(/^arn:aws:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]{1,128}\/[0-9a-f-]{36}$/, {
        error:
          "must be the ARN of a web ACL for CloudFront, arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id> (the edge stack's output WebAclArn)",
      })
      .optional(),
    /**
     * The edge stack's per-client limits: requests from one IP address in any 5 minutes (AWS WAF's rate-based rule,
     * lowest 10: https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html)
     * to /api/* in all, and to /api/uploads* (PCN uploaders) on their own. Above either, that address gets 429 until
     * its rate falls. Many users behind one NHS organisation's gateway share one address: set `api` for them.
     */
    edgeRateLimits: z
      .strictObject({
        api: z.number().int().min(10).max(2_000_000_000).default(3_000),
        uploads: z.number().int().min(10).max(2_000_000_000).default(600),
      })
      .default({ api: 3_000, uploads: 600 }),
    /**
     * Grant the refresh role Lake Formation permissions on the catalog (infra/constructs/lake-formation-grants.ts), for
     * an account whose Lake Formation settings no longer give IAM_ALLOWED_PRINCIPALS all permissions on new databases
     * and tables ("Use only IAM access control" off). The deploying role must then be a data lake administrator.
     * Default false: access is IAM's alone, as Lake Formation's initial settings leave it (README, "Before the first deploy").
     *
     * `{ "dataBucketRegistered": true }`: the same grants, for an account whose platform has registered the data bucket
     * with Lake Formation (the stack does not register it). Athena then reads the curated tables with credentials Lake
     * Formation vends, and "Anyone using Athena to query data registered with Lake Formation must have an IAM
     * permissions policy that allows the lakeformation:GetDataAccess action"
     * (https://docs.aws.amazon.com/athena/latest/ug/lf-athena-user-permissions.html): the refresh role gets it.
     */
    lakeFormationGrants: z
      .union([z.boolean(), z.strictObject({ dataBucketRegistered: z.boolean() })], {
        error: 'must be true, false or { "dataBucketRegistered": true }',
      })
      .default(false),
    /**
     * Days without a successful ingest after which the NoUploadLanded alarm fires (1-7: CloudWatch evaluates an alarm
     * over at most 7 days), or false for no such alarm.
     */
    noUploadAlarmDays: z.union([z.literal(false), z.number().int().min(1).max(7)]).default(7),
    /** Keep buckets and the key when the stack is deleted. Only a throwaway environment should set false. */
    retainData: z.boolean().default(true),
    /** Largest scan one Athena query may make before Athena cancels it. */
    athenaBytesScannedCutoffGb: z.number().int().min(1).max(1_000).default(20),
    /** How long raw uploads stay in the standard storage class. */
    landingInfrequentAccessAfterDays: z.number().int().min(30).max(3_650).default(30),
    /** How long Athena query results are kept. */
    athenaResultsExpireAfterDays: z.number().int().min(1).max(90).default(7),
    /** When the scheduled refresh runs: an EventBridge cron or rate expression. */
    refreshSchedule: z
      .string()
      .regex(/^(cron\([^)]+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/, {
        error: 'must be an EventBridge schedule such as cron(0 6 * * ? *) or rate(1 day)',
      })
      .default('cron(0 6 * * ? *)'),
    /** Programme expectations to override (docs/methodology.md), e.g. { "annual_referrals": 950000 }. */
    targets: z
      .partialRecord(
        z.enum([
          'annual_referrals',
          'take_up_pct',
          'contacts_min',
          'contacts_max',
          'gp_change_pct',
          'ae_change_pct',
          'caseload_min',
          'caseload_max',
          'accredited_pct',
          'iif_lower_pct',
          'iif_upper_pct',
          'trained_link_workers',
          ...RENAMED_TARGET_KEYS,
        ]),
        z.number(),
      )
      .refine(
        (t) => !Object.keys(RENAMED_TARGETS).some((old) => old in t && RENAMED_TARGETS[old as RenamedTarget] in t),
        {
          error: 'link_workers_fte is the old name of trained_link_workers: set trained_link_workers only',
        },
      )
      .default({}),
    /**
     * Who is told when an alarm fires: each address gets an SNS e-mail subscription (it must confirm it once, from the
     * message AWS sends). Empty: the alarms still change state but tell nobody; the synth warns.
     */
    alarmEmails: z.array(email).max(20).default([]),
    /**
     * "What changed" alerts by e-mail: one subscription list per NHS England region (region code → its leads'
     * addresses), each region its own encrypted SNS topic, so a lead receives only their region's list. Each address
     * confirms its subscription once. Empty: no topics; the alerts are on the dashboard only.
     */
    regionalAlertEmails: z
      .record(z.string(), z.array(email).max(50))
      .superRefine((lists, ctx) => {
        for (const region of Object.keys(lists))
          if (!/^Y\d{2}$/.test(region))
            ctx.addIssue({ code: 'custom', path: [region], message: 'must be a region code such as Y56' });
      })
      .default({}),
    /**
     * Concurrency reserved per function (taken out of the account's pool, so the account must keep 100 unreserved:
     * README). Default: none reserved; the SQS triggers cap themselves (ingestMaxConcurrency; the refresh's FIFO queue 1).
     */
    reservedConcurrency: z
      .strictObject({ ingest: concurrency, refresh: concurrency, api: concurrency, upload: concurrency })
      .partial()
      .default({}),
    /** Most ingest invocations the upload queue's event source starts at once (Lambda's range is 2-1000). */
    ingestMaxConcurrency: z.number().int().min(2).max(1_000).default(10),
    /**
     * Send Cognito's e-mails (temporary passwords, account recovery) through Amazon SES instead of Cognito's default
     * sender, which allows 50 e-mails a day. The address (or sesVerifiedDomain) must be a verified SES identity in
     * sesRegion, out of the SES sandbox.
     */
    cognitoEmail: z
      .strictObject({
        fromEmail: email,
        fromName: z.string().min(1).max(100).optional(),
        replyTo: email.optional(),
        /** A verified SES domain identity the address belongs to (instead of verifying the address itself). */
        sesVerifiedDomain: z
          .string()
          .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, { error: 'must be a domain name' })
          .optional(),
        /** @default the deployment's region */
        sesRegion: z
          .string()
          .regex(/^[a-z]{2}-[a-z]+-\d$/, { error: 'must be an AWS region such as eu-west-2' })
          .optional(),
      })
      .optional(),
  })
  // Reserved concurrency below what an SQS trigger may start throttles its batches, and a throttled batch counts as a
  // receive: messages are dead-lettered during bursts (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html).
  .refine((c) => c.reservedConcurrency.ingest === undefined || c.reservedConcurrency.ingest >= c.ingestMaxConcurrency, {
    error: 'must be at least ingestMaxConcurrency, or the upload queue throttles its own batches',
    path: ['reservedConcurrency', 'ingest'],
  })
  // Without signInDomainPrefix the prefix is <name>-<account> (infra/stack.ts): the same words are refused in name,
  // at synth, rather than by CloudFormation mid-deploy (whose rollback of a first create leaves every retained
  // resource behind). Review 33, R33-9.
  .refine((c) => c.signInDomainPrefix !== undefined || !COGNITO_RESERVED.test(c.name), {
    error:
      'may not contain aws, amazon or cognito while signInDomainPrefix is not set (the sign-in domain prefix is <name>-<account>): set signInDomainPrefix, or choose another name',
    path: ['name'],
  })
  .superRefine((c, ctx) => {
    if (c.apiDomain === undefined) return;
    const region = regionOf(c.apiDomain.certificateArn);
    if (region !== undefined && region !== c.region)
      ctx.addIssue({
        code: 'custom',
        path: ['apiDomain', 'certificateArn'],
        message: `must be an ACM certificate in the deployment's region, ${c.region} (a regional custom domain takes its certificate from its own region), not ${region}`,
      });
    if (c.apiDomain.domainName === c.dashboardDomain?.domainName)
      ctx.addIssue({
        code: 'custom',
        path: ['apiDomain', 'domainName'],
        message: 'must differ from dashboardDomain.domainName: one name cannot point at both CloudFront and the API',
      });
  });
// The refresh needs no such rule: its FIFO queue (one message group) starts one at a time, so any reservation fits.
export type DeploymentConfig = z.infer<typeof DeploymentConfig>;

export class ConfigError extends Error {}

/**
 * The deployment configuration from the app's `config` context: an object from cdk.json, or the JSON text given on
 * the command line (`-c config='{...}'`, as README's deploy steps do), which the CDK CLI hands the app as a string.
 */
export function parseConfig(raw: unknown): DeploymentConfig {
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      throw new ConfigError('invalid deployment configuration: config: not JSON (give -c config=\'{"name": ...}\')');
    }
  }
  const result = DeploymentConfig.safeParse(raw ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`);
  throw new ConfigError(`invalid deployment configuration: ${problems.join('; ')}`);
}

/**
 * The configured target overrides under their current names (what the refresh function reads), and a deprecation
 * note for each old name used.
 */
export function currentTargets(targets: DeploymentConfig['targets']): {
  targets: Record<string, number>;
  deprecated: string[];
} {
  const current: Record<string, number> = {};
  const deprecated: string[] = [];
  for (const [key, value] of Object.entries(targets)) {
    if (value === undefined) continue;
    const renamed = RENAMED_TARGETS[key as RenamedTarget];
    if (renamed) deprecated.push(`targets.${key} is deprecated: it is targets.${renamed} now (the same figure)`);
    current[renamed ?? key] = value;
  }
  return { targets: current, deprecated };
}
