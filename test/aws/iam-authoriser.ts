import {
  type AccessRequest,
  type CloudFormationValues,
  evaluate,
  evaluateKms,
  IAM_SOURCES,
  KMS_SOURCES,
  keyPolicyStatements,
  type PolicyStatement,
  type RequestContext,
  resolveIntrinsics,
  rolePolicyStatements,
  type TemplateJson,
} from '../support/iam-rules.ts';

/**
 * Who may do what, as the synthesised template says: each function's calls are authorised against its role's
 * policies (and a bucket's policy, for S3), by IAM's evaluation rules (test/support/iam-rules.ts, IAM_SOURCES). Each
 * function runs with credentials of its own (credentialsFor), so the stand-ins know whose policy applies.
 */

/** The account and region the stand-ins act in (the harness's Lambda context uses the same). */
export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-2';

/**
 * A principal outside the template, allowed everything: only the stand-ins' own rule tests (a CTAS of a table the
 * refresh may not create, to show Athena's own limits) call with it; no function's bundle does.
 */
export const UNRESTRICTED_KEY = 'STANDIN-UNRESTRICTED';

type Resource = { Type: string; Properties?: Record<string, unknown> };

export interface Refusal {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly message: string;
}

export class TemplateAuthoriser {
  private readonly resources: Record<string, Resource>;
  /** Access key → the role it stands for and the function using it. */
  private readonly principals = new Map<string, { role: string; fn: string; statements: PolicyStatement[] }>();
  /** A bucket of a test (not in the template) → the template's bucket whose policies it stands in for. */
  private readonly aliases = new Map<string, string>();
  /** Every request refused so far, for a test to read (a refusal a function swallows is still one). */
  readonly refused: Refusal[] = [];
  /** Every request decided, as `action resource`, allowed or not. */
  readonly decided: string[] = [];
  private readonly cfn: CloudFormationValues;

  constructor(
    template: TemplateJson,
    /** Logical id of each bucket → its name here. */
    private readonly buckets: Readonly<Record<string, string>>,
  ) {
    this.resources = template.Resources as Record<string, Resource>;
    const resources = this.resources;
    const arn = (service: string, resource: string, region = REGION) =>
      `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
    this.cfn = {
      account: ACCOUNT,
      region: REGION,
      stackName: 'sp-outcomes-pipeline',
      ref: (id) => {
        const r = resources[id];
        const p = r?.Properties ?? {};
        if (buckets[id]) return buckets[id] as string;
        if (r?.Type === 'AWS::Glue::Database') return String((p.DatabaseInput as { Name: string }).Name);
        if (r?.Type === 'AWS::Athena::WorkGroup') return String(p.Name);
        if (r?.Type === 'AWS::SNS::Topic') return arn('sns', String(p.TopicName ?? id));
        if (r?.Type === 'AWS::SQS::Queue') return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${id}`;
        return id;
      },
      getAtt: (id, attribute) => {
        const type = resources[id]?.Type;
        if (attribute !== 'Arn' && attribute !== 'TopicArn') return `${id}.${attribute}`;
        switch (type) {
          case 'AWS::S3::Bucket':
            return `arn:aws:s3:::${buckets[id] ?? id.toLowerCase()}`;
          case 'AWS::KMS::Key':
            return arn('kms', `key/${id}`);
          case 'AWS::SQS::Queue':
            return arn('sqs', id);
          case 'AWS::IAM::Role':
            return `arn:aws:iam::${ACCOUNT}:role/${id}`;
          case 'AWS::Logs::LogGroup':
            return arn('logs', `log-group:${id}:*`);
          case 'AWS::Lambda::Function':
            return arn('lambda', `function:${id}`);
          case 'AWS::SNS::Topic':
            return arn('sns', id);
          default:
            return `arn:aws:unresolved:${REGION}:${ACCOUNT}:${id}`;
        }
      },
    };
    for (const [id, r] of Object.entries(resources)) {
      if (r.Type !== 'AWS::Lambda::Function') continue;
      const role = (r.Properties?.Role as { 'Fn::GetAtt'?: [string, string] })?.['Fn::GetAtt']?.[0];
      if (!role) continue;
      this.principals.set(keyFor(id), { role, fn: id, statements: rolePolicyStatements(template, role, this.cfn) });
    }
  }

  /** The credentials a function's bundle runs with: its own access key (the secret is s3rver's). */
  credentialsFor(functionLogicalId: string): { AWS_ACCESS_KEY_ID: string; AWS_SECRET_ACCESS_KEY: string } {
    const key = keyFor(functionLogicalId);
    if (!this.principals.has(key)) throw new Error(`no function ${functionLogicalId} with a role in the template`);
    return { AWS_ACCESS_KEY_ID: key, AWS_SECRET_ACCESS_KEY: 'S3RVER' };
  }

  /** Every access key of a function of the template. */
  accessKeys(): string[] {
    return [...this.principals.keys()];
  }

  /** A bucket the test made for a run stands for the template's bucket of that name (its policies apply). */
  alias(localBucket: string, templateBucket: string): void {
    this.aliases.set(localBucket, templateBucket);
  }

  /** The template's name of a bucket (through an alias). */
  bucketName(bucket: string): string {
    return this.aliases.get(bucket) ?? bucket;
  }

  bucketArn(bucket: string): string {
    return `arn:aws:s3:::${this.bucketName(bucket)}`;
  }

  objectArn(bucket: string, key: string): string {
    return `${this.bucketArn(bucket)}/${key}`;
  }

  /** The KMS key ARN a bucket's default encryption uses (SSE-KMS), or undefined (SSE-S3 or none). */
  bucketKeyArn(bucket: string): string | undefined {
    const name = this.bucketName(bucket);
    const id = Object.keys(this.buckets).find((logicalId) => this.buckets[logicalId] === name);
    const encryption = (this.resources[id ?? '']?.Properties?.BucketEncryption ?? {}) as {
      ServerSideEncryptionConfiguration?: {
        ServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: unknown };
      }[];
    };
    const rule = encryption.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault;
    if (rule?.SSEAlgorithm !== 'aws:kms' || rule.KMSMasterKeyID === undefined) return undefined;
    return String(resolveIntrinsics(rule.KMSMasterKeyID, this.cfn));
  }

  /** A template value resolved as CloudFormation would here (a workgroup's key ARN...). */
  resolve(value: unknown): unknown {
    return resolveIntrinsics(value, this.cfn);
  }

  /** The statements of the bucket policy of a bucket (AWS::S3::BucketPolicy), resolved. */
  private bucketPolicy(bucket: string): PolicyStatement[] {
    const name = this.bucketName(bucket);
    for (const r of Object.values(this.resources)) {
      if (r.Type !== 'AWS::S3::BucketPolicy') continue;
      if (String(resolveIntrinsics(r.Properties?.Bucket, this.cfn)) !== name) continue;
      const document = resolveIntrinsics(r.Properties?.PolicyDocument, this.cfn) as { Statement: PolicyStatement[] };
      return document.Statement;
    }
    return [];
  }

  /** The logical id of the template's KMS key a resource ARN names (getAtt gives key/<logical id>), or undefined. */
  private keyOf(resource: string): string | undefined {
    const id = new RegExp(`^arn:aws:kms:${REGION}:${ACCOUNT}:key/(.+)$`).exec(resource)?.[1];
    return id && this.resources[id]?.Type === 'AWS::KMS::Key' ? id : undefined;
  }

  /** The statements of a key's policy, resolved (KMS_SOURCES.keyPolicies: every key has exactly one). */
  private keyPolicy(keyLogicalId: string): PolicyStatement[] {
    return keyPolicyStatements({ Resources: this.resources } as TemplateJson, keyLogicalId, this.cfn);
  }

  /**
   * KMS's decision for an AWS service acting on a key of the template for this account (CloudWatch Logs encrypting a
   * log group, EventBridge sending to an encrypted queue): a service has no IAM policy, so only the key policy can
   * allow it (KMS_SOURCES.keyPolicies). The context carries what the service sends (aws:SourceArn,
   * kms:EncryptionContext:...).
   */
  authoriseService(service: string, action: string, resource: string, context: RequestContext = {}): boolean {
    const key = this.keyOf(resource);
    if (!key) throw new Error(`${resource} is no KMS key of the template`);
    const request = { action, resource, context: { 'aws:SourceAccount': ACCOUNT, ...context } };
    return evaluateKms(request, this.keyPolicy(key), { kind: 'service', service }).allowed;
  }

  /** The caller's ARN as AWS names an assumed role's session: the role and the function's session. */
  principalArn(accessKeyId: string): string {
    const principal = this.principals.get(accessKeyId);
    if (!principal) return `arn:aws:iam::${ACCOUNT}:user/unknown-${accessKeyId}`;
    return `arn:aws:sts::${ACCOUNT}:assumed-role/${principal.role}/${principal.fn}`;
  }

  /**
   * IAM's decision for the caller's request, with the bucket's policy when the resource is in S3 (IAM_SOURCES:
   * explicit deny wins, an allow is needed). Every S3 request is made over TLS in AWS (aws:SecureTransport true, the
   * SDK's default https endpoints), though the loopback stand-ins speak plain HTTP. A refusal is recorded and its
   * message is AWS's: "User: <arn> is not authorized to perform: <action> on resource: <arn> because no
   * identity-based policy allows the <action> action" (or "with an explicit deny in a(n) ... policy").
   */
  authorise(accessKeyId: string, action: string, resource: string, context: RequestContext = {}): Refusal | undefined {
    this.decided.push(`${action} ${resource}`);
    if (accessKeyId === UNRESTRICTED_KEY) return undefined;
    const principal = this.principals.get(accessKeyId);
    const request: AccessRequest = {
      action,
      resource,
      context: { 'aws:SecureTransport': 'true', 'aws:PrincipalAccount': ACCOUNT, ...context },
    };
    const bucket = /^arn:aws:s3:::([^/]+)/.exec(resource)?.[1];
    const key = this.keyOf(resource);
    const decision = !principal
      ? ({ allowed: false, reason: 'implicit-deny' } as const)
      : key
        ? // KMS_SOURCES: a KMS key's own policy must allow, itself or by enabling IAM policies (R33-6d).
          evaluateKms(
            request,
            this.keyPolicy(key),
            {
              kind: 'role',
              sessionArn: this.principalArn(accessKeyId),
              roleArn: `arn:aws:iam::${ACCOUNT}:role/${principal.role}`,
              account: ACCOUNT,
            },
            principal.statements,
          )
        : evaluate(
            request,
            principal.statements,
            bucket ? this.bucketPolicy(bucket) : [],
            this.principalArn(accessKeyId),
          );
    if (decision.allowed) return undefined;
    const because =
      decision.reason === 'explicit-deny'
        ? `with an explicit deny in ${principal?.statements.includes(decision.statement as PolicyStatement) ? 'an identity-based' : 'a resource-based'} policy`
        : 'keyPolicy' in decision && decision.keyPolicy === 'missing'
          ? `because no resource-based policy allows the ${action} action`
          : `because no identity-based policy allows the ${action} action`;
    const refusal = {
      principal: this.principalArn(accessKeyId),
      action,
      resource,
      message: `User: ${this.principalArn(accessKeyId)} is not authorized to perform: ${action} on resource: ${resource} ${because}`,
    };
    this.refused.push(refusal);
    return refusal;
  }
}

/** A function's access key: readable in a refusal, and what s3rver is told to accept (registerKeys). */
function keyFor(functionLogicalId: string): string {
  return `ASIA${functionLogicalId.toUpperCase()}`;
}

/** The access key id of a SigV4 request (its Authorization header or X-Amz-Credential), or undefined. */
export function accessKeyOf(authorization: string | undefined, credential?: string | null): string | undefined {
  const fromHeader = /Credential=([^/]+)\//.exec(authorization ?? '')?.[1];
  return fromHeader ?? credential?.split('/')[0];
}

/**
 * The template with one grant taken away: from every identity policy statement allowing `action`, each resource whose
 * template text includes `marker` (e.g. "stopped_pcns_*", "/metrics/*"). Throws when no resource was taken.
 */
export function withoutGrant(template: TemplateJson, action: string, marker: string): TemplateJson {
  const copy = structuredClone(template) as TemplateJson;
  let taken = 0;
  for (const resource of Object.values(copy.Resources) as Resource[]) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const document = resource.Properties?.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] };
    for (const statement of document.Statement) {
      const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
      if (!actions.includes(action)) continue;
      const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      const kept = resources.filter((r) => !JSON.stringify(r).includes(marker));
      taken += resources.length - kept.length;
      statement.Resource = kept;
    }
  }
  if (taken === 0) throw new Error(`no grant of ${action} on a resource like ${marker} in the template`);
  return copy;
}

export { IAM_SOURCES, KMS_SOURCES };
