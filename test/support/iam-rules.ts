/**
 * Least-privilege rules checked over every policy of a synthesised CloudFormation template (issue 12, item 13).
 * The rules are stated on what a statement would allow (action patterns are matched as IAM matches them, so a
 * `s3:Get*` is caught by a rule about s3:GetObjectVersion), not on the exact JSON the CDK app emits.
 *
 * Identity policies (AWS::IAM::Policy, AWS::IAM::Role inline policies, AWS::IAM::ManagedPolicy):
 *  1. No Allow of any s3:List* action on the data bucket without an s3:prefix condition (list by prefix).
 *  2. No Allow of s3:GetObjectVersion (nothing reads old versions).
 *  3. No Allow of kms:Encrypt or kms:ReEncrypt* (S3 and SQS encrypt with data keys: GenerateDataKey and Decrypt).
 *  4. No Allow of object legal-hold or retention rights, or of deleting object versions.
 *  5. No Allow of glue:CreateTable, glue:DeleteTable or glue:UpdateTable on a table ARN with a wildcard, nor on any
 *     table outside `mutableTables` (the refresh's own prepare steps).
 *  6. No Allow of a wildcard action over a whole service (`*`, `s3:*`, `kms:*`...), and no Resource `*` except
 *     for actions that have no resource (none are used here).
 * Resource policies (AWS::KMS::Key, AWS::SQS::QueuePolicy, AWS::SNS::TopicPolicy):
 *  7. An Allow for the EventBridge service principal has an aws:SourceArn or aws:SourceAccount condition, and on a
 *     key policy both (a key serves every queue it encrypts).
 *  8. An Allow for any service principal carries a condition (no service may act for another account's resource).
 */

type Json = unknown;
interface Statement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: Json;
  Principal?: Json;
  Condition?: Record<string, Record<string, Json>>;
  Sid?: string;
}
interface Resource {
  Type: string;
  Properties?: Record<string, Json>;
}
export interface TemplateJson {
  Resources: Record<string, Resource>;
}

export interface Violation {
  readonly resource: string;
  readonly rule: number;
  readonly statement: string;
}

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** IAM's action matching: case-insensitive, `*` any run of characters, `?` one. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
    'i',
  );
  return regex.test(action);
}

const allows = (statement: Statement, action: string) =>
  statement.Effect === 'Allow' &&
  (statement.NotAction !== undefined || list(statement.Action).some((pattern) => actionMatches(pattern, action)));

const conditionKeys = (statement: Statement) =>
  Object.values(statement.Condition ?? {}).flatMap((byKey) => Object.keys(byKey).map((k) => k.toLowerCase()));

const servicePrincipals = (statement: Statement): string[] => {
  const principal = statement.Principal as { Service?: Json } | string | undefined;
  if (principal === undefined || typeof principal === 'string') return [];
  return list(principal.Service as string | string[] | undefined).map(String);
};

function identityPolicies(template: TemplateJson): { id: string; statements: Statement[] }[] {
  const out: { id: string; statements: Statement[] }[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy')
      out.push({ id, statements: list((props.PolicyDocument as { Statement: Statement[] }).Statement) });
    if (resource.Type === 'AWS::IAM::Role')
      for (const inline of list(props.Policies as { PolicyDocument: { Statement: Statement[] } }[]))
        out.push({ id, statements: list(inline.PolicyDocument.Statement) });
  }
  return out;
}

function resourcePolicies(template: TemplateJson): { id: string; type: string; statements: Statement[] }[] {
  const out: { id: string; type: string; statements: Statement[] }[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    const document =
      resource.Type === 'AWS::KMS::Key'
        ? props.KeyPolicy
        : resource.Type === 'AWS::SQS::QueuePolicy' || resource.Type === 'AWS::SNS::TopicPolicy'
          ? props.PolicyDocument
          : undefined;
    if (document)
      out.push({ id, type: resource.Type, statements: list((document as { Statement: Statement[] }).Statement) });
  }
  return out;
}

/** True when `resource` (a CloudFormation value) is the bucket itself: its ARN, not an object ARN under it. */
const isBucketArn = (resource: Json, bucketLogicalId: string) =>
  JSON.stringify(resource) === JSON.stringify({ 'Fn::GetAtt': [bucketLogicalId, 'Arn'] });

export function leastPrivilegeViolations(
  template: TemplateJson,
  options: { dataBucket: string; mutableTables: readonly string[] },
): Violation[] {
  const violations: Violation[] = [];
  const flag = (resource: string, rule: number, statement: Statement) =>
    violations.push({ resource, rule, statement: JSON.stringify(statement) });

  for (const { id, statements } of identityPolicies(template)) {
    for (const s of statements) {
      if (s.Effect !== 'Allow') continue;
      const resources = list(s.Resource);
      const onDataBucket = resources.some((r) => isBucketArn(r, options.dataBucket));
      const listsBucket = ['s3:ListBucket', 's3:ListBucketVersions', 's3:ListBucketMultipartUploads'].some((a) =>
        allows(s, a),
      );
      if (onDataBucket && listsBucket && !conditionKeys(s).includes('s3:prefix')) flag(id, 1, s);
      if (allows(s, 's3:GetObjectVersion')) flag(id, 2, s);
      if (allows(s, 'kms:Encrypt') || allows(s, 'kms:ReEncryptFrom') || allows(s, 'kms:ReEncryptTo')) flag(id, 3, s);
      if (
        [
          's3:PutObjectLegalHold',
          's3:PutObjectRetention',
          's3:BypassGovernanceRetention',
          's3:DeleteObjectVersion',
        ].some((a) => allows(s, a))
      )
        flag(id, 4, s);
      if (['glue:CreateTable', 'glue:DeleteTable', 'glue:UpdateTable'].some((a) => allows(s, a))) {
        const tables = resources.map((r) => JSON.stringify(r)).filter((r) => r.includes(':table/'));
        const named = tables.map((r) => /:table\/[^/]+\/([^"]*)"/.exec(r)?.[1] ?? '*');
        if (named.some((name) => name.includes('*') || !options.mutableTables.includes(name))) flag(id, 5, s);
      }
      const actions = list(s.Action);
      if (s.NotAction !== undefined || actions.some((a) => a === '*' || /^[a-z0-9-]+:\*$/i.test(a))) flag(id, 6, s);
      if (resources.includes('*')) flag(id, 6, s);
    }
  }

  for (const { id, type, statements } of resourcePolicies(template)) {
    for (const s of statements) {
      if (s.Effect !== 'Allow') continue;
      const services = servicePrincipals(s);
      if (services.length === 0) continue;
      const keys = conditionKeys(s);
      if (services.includes('events.amazonaws.com')) {
        const hasArn = keys.includes('aws:sourcearn');
        const hasAccount = keys.includes('aws:sourceaccount');
        if (type === 'AWS::KMS::Key' ? !(hasArn && hasAccount) : !(hasArn || hasAccount)) flag(id, 7, s);
      }
      if (keys.length === 0) flag(id, 8, s);
    }
  }
  return violations;
}
