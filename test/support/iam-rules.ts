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
 *  5. No Allow of glue:CreateTable, glue:DeleteTable or glue:UpdateTable on a table ARN other than those listed in
 *     `mutableTables` (the refresh's own prepare steps, `<step>_*` per attempt): no other wildcard, no other table.
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
        if (named.some((name) => !options.mutableTables.includes(name))) flag(id, 5, s);
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

/*
 * IAM's evaluation of a request against policies (used by the stand-ins of test/aws to authorise each call of a
 * function against its role's policies, as synthesised). Sources, each rule beside its code:
 *  - IAM_SOURCES.evaluation: "If policies that apply to a request include an Allow statement and a Deny statement,
 *    the Deny statement trumps the Allow statement ... An implicit denial occurs when there is no applicable Deny
 *    statement but also no applicable Allow statement."
 *  - IAM_SOURCES.resource: wildcards (* and ?) match within each ARN segment, resource ARNs case-sensitively.
 *  - IAM_SOURCES.conditions: "If the key that you specify in a policy condition is not present in the request context,
 *    the values do not match and the condition is false. If the policy condition requires that the key is not matched,
 *    such as StringNotLike or ArnNotLike, and the right key is not present, the condition is true. This logic applies
 *    to all condition operators except ...IfExists and Null check."
 *  - IAM_SOURCES.conditionElement: several keys of one operator, and several operators, must all hold; several values
 *    of one key match when any does.
 */
export const IAM_SOURCES = {
  evaluation:
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html',
  resource: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html',
  conditions: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
  conditionElement: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html',
  sameAccount:
    'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html',
  intrinsics: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html',
} as const;

/** A policy statement as IAM reads it (strings only: intrinsics resolved). */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Principal?: '*' | Record<string, string | string[]>;
  readonly Condition?: Record<string, Record<string, string | boolean | (string | boolean)[]>>;
}

/** The request context's keys (case-insensitive names) and their values. */
export type RequestContext = Readonly<Record<string, string | readonly string[]>>;

export interface AccessRequest {
  readonly action: string;
  readonly resource: string;
  readonly context?: RequestContext;
}

export type Decision =
  | { readonly allowed: true; readonly statement: PolicyStatement }
  | {
      readonly allowed: false;
      readonly reason: 'explicit-deny' | 'implicit-deny';
      readonly statement?: PolicyStatement;
    };

/** `*` any run of characters, `?` one; exact otherwise. */
function globMatches(pattern: string, text: string, ignoreCase = false): boolean {
  const regex = pattern
    .split('')
    .map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${regex}$`, ignoreCase ? 'i' : '').test(text);
}

/** The six parts of an ARN: arn, partition, service, region, account, and the resource (which may hold colons). */
function arnParts(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/**
 * IAM's resource matching (IAM_SOURCES.resource): `*` alone matches every resource; otherwise each ARN segment is
 * matched on its own, `*` and `?` within a segment (the last, the resource, may hold `/` and `:`), case-sensitively.
 */
export function resourceMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const p = arnParts(pattern);
  const a = arnParts(arn);
  if (!p || !a) return pattern === arn;
  return p.every((segment, i) => globMatches(segment, a[i] as string));
}

const values = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).map((x) => String(x));

/** One condition operator's test of one context value against one policy value. */
const OPERATORS: Record<string, (context: string, policy: string) => boolean> = {
  stringequals: (c, p) => c === p,
  stringnotequals: (c, p) => c !== p,
  stringequalsignorecase: (c, p) => c.toLowerCase() === p.toLowerCase(),
  stringnotequalsignorecase: (c, p) => c.toLowerCase() !== p.toLowerCase(),
  stringlike: (c, p) => globMatches(p, c),
  stringnotlike: (c, p) => !globMatches(p, c),
  arnequals: (c, p) => c === p,
  arnnotequals: (c, p) => c !== p,
  arnlike: (c, p) => resourceMatches(p, c),
  arnnotlike: (c, p) => !resourceMatches(p, c),
  bool: (c, p) => c.toLowerCase() === p.toLowerCase(),
  numericequals: (c, p) => Number(c) === Number(p),
  numericnotequals: (c, p) => Number(c) !== Number(p),
  numericlessthan: (c, p) => Number(c) < Number(p),
  numericlessthanequals: (c, p) => Number(c) <= Number(p),
  numericgreaterthan: (c, p) => Number(c) > Number(p),
  numericgreaterthanequals: (c, p) => Number(c) >= Number(p),
};

/** Whether a statement's Condition block holds in the request context (IAM_SOURCES.conditions, conditionElement). */
export function conditionHolds(condition: PolicyStatement['Condition'], context: RequestContext = {}): boolean {
  const lookup = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), values(v)]));
  for (const [operatorName, byKey] of Object.entries(condition ?? {})) {
    let operator = operatorName.toLowerCase();
    const set = operator.startsWith('foranyvalue:') ? 'any' : operator.startsWith('forallvalues:') ? 'all' : undefined;
    if (set) operator = operator.slice(operator.indexOf(':') + 1);
    const ifExists = operator.endsWith('ifexists');
    if (ifExists) operator = operator.slice(0, -'ifexists'.length);
    const negated = operator.includes('not');
    for (const [key, policyValue] of Object.entries(byKey)) {
      const present = lookup.get(key.toLowerCase());
      if (operator === 'null') {
        // Null: "true" holds when the key is absent, "false" when it is present.
        if (values(policyValue).some((v) => v.toLowerCase() === 'true') !== (present === undefined)) return false;
        continue;
      }
      const test = OPERATORS[operator];
      if (!test) throw new Error(`condition operator ${operatorName} is not supported by this evaluator`);
      if (present === undefined) {
        // Absent key: false, but true for a negated operator, an ...IfExists one, or ForAllValues (empty set).
        if (ifExists || negated || set === 'all') continue;
        return false;
      }
      const policy = values(policyValue);
      // A negated operator holds when the value matches none of the policy's values; a positive one, any.
      const one = (c: string) => (negated ? policy.every((p) => test(c, p)) : policy.some((p) => test(c, p)));
      const holds = set === 'all' ? present.every(one) : present.some(one);
      if (!holds) return false;
    }
  }
  return true;
}

/** Whether a statement applies to the request: action, resource and condition (Principal is the caller's concern). */
export function statementApplies(statement: PolicyStatement, request: AccessRequest): boolean {
  const actionHit =
    statement.NotAction !== undefined
      ? !list(statement.NotAction).some((p) => actionMatches(p, request.action))
      : list(statement.Action).some((p) => actionMatches(p, request.action));
  if (!actionHit) return false;
  const resourceHit =
    statement.NotResource !== undefined
      ? !list(statement.NotResource).some((p) => resourceMatches(p, request.resource))
      : list(statement.Resource).some((p) => resourceMatches(p, request.resource));
  return resourceHit && conditionHolds(statement.Condition, request.context);
}

/** Whether a resource policy's statement names the principal (an ARN), "*" or {"AWS": "*"} naming everyone. */
export function principalMatches(statement: PolicyStatement, principalArn: string): boolean {
  const principal = statement.Principal;
  if (principal === undefined) return false;
  if (principal === '*') return true;
  return list(principal.AWS).some((p) => p === '*' || p === principalArn);
}

/**
 * IAM's decision for a principal in the resource's own account (IAM_SOURCES.evaluation, sameAccount): an applicable
 * Deny in any policy wins; otherwise an applicable Allow in an identity policy, or in a resource policy naming the
 * principal, allows; otherwise the request is implicitly denied.
 */
export function evaluate(
  request: AccessRequest,
  identity: readonly PolicyStatement[],
  resourcePolicy: readonly PolicyStatement[] = [],
  principalArn = '',
): Decision {
  const applicable = [
    ...identity.filter((s) => statementApplies(s, request)),
    ...resourcePolicy.filter((s) => principalMatches(s, principalArn) && statementApplies(s, request)),
  ];
  const deny = applicable.find((s) => s.Effect === 'Deny');
  if (deny) return { allowed: false, reason: 'explicit-deny', statement: deny };
  const allow = applicable.find((s) => s.Effect === 'Allow');
  return allow ? { allowed: true, statement: allow } : { allowed: false, reason: 'implicit-deny' };
}

/** What CloudFormation gives for the intrinsics a template's policies use (IAM_SOURCES.intrinsics). */
export interface CloudFormationValues {
  readonly account: string;
  readonly region: string;
  readonly partition?: string;
  readonly stackName?: string;
  /** Ref of a resource: its name or id, as its type returns it. */
  ref(logicalId: string): string;
  /** Fn::GetAtt of a resource's attribute. */
  getAtt(logicalId: string, attribute: string): string;
}

/**
 * A template value with Ref (pseudo parameters and resources), Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select and
 * Fn::Split resolved to strings, recursively (IAM_SOURCES.intrinsics). Any other intrinsic throws.
 */
export function resolveIntrinsics(value: unknown, cfn: CloudFormationValues): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, cfn));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [name, argument] = entries[0] ?? [];
  if (entries.length === 1 && (name === 'Ref' || name?.startsWith('Fn::'))) {
    const text = (v: unknown) => String(resolveIntrinsics(v, cfn));
    switch (name) {
      case 'Ref':
        return pseudo(String(argument), cfn) ?? cfn.ref(String(argument));
      case 'Fn::GetAtt': {
        const [id, ...attribute] = Array.isArray(argument) ? argument.map(String) : String(argument).split('.');
        return cfn.getAtt(id as string, attribute.join('.'));
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        const resolved = resolveIntrinsics(parts, cfn);
        return (resolved as unknown[]).map(String).join(separator);
      }
      case 'Fn::Sub': {
        const [template, variables] = Array.isArray(argument) ? argument : [argument, {}];
        const vars = resolveIntrinsics(variables, cfn) as Record<string, unknown>;
        return String(template).replace(/\$\{([^}!][^}]*)\}/g, (_, ref: string) => {
          if (ref in vars) return String(vars[ref]);
          const [id, ...attribute] = ref.split('.');
          if (attribute.length > 0) return cfn.getAtt(id as string, attribute.join('.'));
          return pseudo(ref, cfn) ?? cfn.ref(ref);
        });
      }
      case 'Fn::Select': {
        const [index, items] = argument as [unknown, unknown];
        return (resolveIntrinsics(items, cfn) as unknown[])[Number(text(index))];
      }
      case 'Fn::Split': {
        const [separator, source] = argument as [string, unknown];
        return text(source).split(separator);
      }
      default:
        throw new Error(`intrinsic ${name} is not resolved by this evaluator`);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, cfn)]));
}

function pseudo(name: string, cfn: CloudFormationValues): string | undefined {
  const partition = cfn.partition ?? 'aws';
  const values: Record<string, string> = {
    'AWS::AccountId': cfn.account,
    'AWS::Region': cfn.region,
    'AWS::Partition': partition,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': cfn.stackName ?? 'stack',
    'AWS::NoValue': '',
  };
  return values[name];
}

/**
 * Every identity-policy statement attached to a role of the template (AWS::IAM::Policy and AWS::IAM::ManagedPolicy
 * naming it in Roles, and the role's inline Policies), with intrinsics resolved.
 */
export function rolePolicyStatements(
  template: TemplateJson,
  roleLogicalId: string,
  cfn: CloudFormationValues,
): PolicyStatement[] {
  const out: PolicyStatement[] = [];
  const namesRole = (roles: unknown) =>
    list(roles as Json[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId }));
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    const documents: Json[] = [];
    if ((resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') && namesRole(props.Roles))
      documents.push(props.PolicyDocument);
    if (resource.Type === 'AWS::IAM::Role' && id === roleLogicalId)
      for (const inline of list(props.Policies as { PolicyDocument: Json }[])) documents.push(inline.PolicyDocument);
    for (const document of documents)
      for (const statement of list((document as { Statement: Json[] }).Statement))
        out.push(resolveIntrinsics(statement, cfn) as PolicyStatement);
  }
  return out;
}

/*
 * KMS's evaluation of a request on a KMS key (review 33, R33-6d). Sources (KMS_SOURCES):
 *  - KMS_SOURCES.keyPolicies: "No AWS principal, including the account root user or key creator, has any permissions
 *    to a KMS key unless they are explicitly allowed, and never denied, in a key policy, IAM policy, or grant. Unless
 *    the key policy explicitly allows it, you cannot use IAM policies to allow access to a KMS key. Without permission
 *    from the key policy, IAM policies that allow permissions have no effect. (You can use an IAM policy to deny a
 *    permission to a KMS key without permission from a key policy.)"
 *  - KMS_SOURCES.enableIam: the statement that "Allows access to the AWS account and enables IAM policies" names the
 *    account (Principal {"AWS": "arn:aws:iam::<account>:root"}): it gives the account's principals nothing by itself,
 *    but lets their IAM policies allow what it allows ("the key policy must include the policy statement that enables
 *    IAM policies", KMS_SOURCES.iamPolicies).
 *  - A key policy statement naming the role (or the role's session) allows the caller with no IAM policy at all
 *    (KMS_SOURCES.keyPolicies: "You can use the key policy alone to control access", KMS_SOURCES.controlAccess); a
 *    service principal (logs.<region>.amazonaws.com, events.amazonaws.com) has no IAM policy, so only a key policy
 *    statement naming the service allows it.
 *  - An explicit Deny in the key policy or an identity policy wins (IAM_SOURCES.evaluation). Grants are not used here.
 */
export const KMS_SOURCES = {
  keyPolicies: 'https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html',
  enableIam:
    'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam',
  iamPolicies: 'https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies.html',
  controlAccess: 'https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html',
} as const;

/** Who calls KMS: a role's session (its role ARN and account), or an AWS service principal. */
export type KmsCaller =
  | { readonly kind: 'role'; readonly sessionArn: string; readonly roleArn: string; readonly account: string }
  | { readonly kind: 'service'; readonly service: string };

/** How a key policy statement names the caller: itself, its account (the "enable IAM policies" form), or not at all. */
function keyPolicyNames(statement: PolicyStatement, caller: KmsCaller): 'caller' | 'account' | undefined {
  const principal = statement.Principal;
  if (principal === undefined) return undefined;
  if (principal === '*') return 'caller';
  if (caller.kind === 'service') return list(principal.Service).includes(caller.service) ? 'caller' : undefined;
  const named = list(principal.AWS);
  if (named.some((p) => p === '*' || p === caller.roleArn || p === caller.sessionArn)) return 'caller';
  if (named.some((p) => p === `arn:aws:iam::${caller.account}:root` || p === caller.account)) return 'account';
  return undefined;
}

/**
 * KMS's decision (KMS_SOURCES): a Deny in the key policy (naming the caller or its account) or in an identity policy
 * refuses; otherwise the key policy must allow the caller itself, or allow its account (the statement that enables
 * IAM policies) while an identity policy of the caller allows the request too.
 */
export function evaluateKms(
  request: AccessRequest,
  keyPolicy: readonly PolicyStatement[],
  caller: KmsCaller,
  identity: readonly PolicyStatement[] = [],
): Decision & { readonly keyPolicy?: 'missing' } {
  const keyApplicable = keyPolicy.filter((s) => keyPolicyNames(s, caller) && statementApplies(s, request));
  const identityApplicable = caller.kind === 'role' ? identity.filter((s) => statementApplies(s, request)) : [];
  const deny = [...keyApplicable, ...identityApplicable].find((s) => s.Effect === 'Deny');
  if (deny) return { allowed: false, reason: 'explicit-deny', statement: deny };
  const allows = keyApplicable.filter((s) => s.Effect === 'Allow');
  const direct = allows.find((s) => keyPolicyNames(s, caller) === 'caller');
  if (direct) return { allowed: true, statement: direct };
  const delegated = allows.find((s) => keyPolicyNames(s, caller) === 'account');
  const identityAllow = identityApplicable.find((s) => s.Effect === 'Allow');
  if (delegated && identityAllow) return { allowed: true, statement: identityAllow };
  // An IAM allow with no key policy statement letting IAM policies act is no allow (KMS_SOURCES.keyPolicies).
  return identityAllow
    ? { allowed: false, reason: 'implicit-deny', keyPolicy: 'missing' }
    : { allowed: false, reason: 'implicit-deny' };
}

/** The statements of a key's policy (AWS::KMS::Key KeyPolicy), intrinsics resolved. */
export function keyPolicyStatements(
  template: TemplateJson,
  keyLogicalId: string,
  cfn: CloudFormationValues,
): PolicyStatement[] {
  const resource = template.Resources[keyLogicalId];
  if (resource?.Type !== 'AWS::KMS::Key') return [];
  const document = resolveIntrinsics(resource.Properties?.KeyPolicy ?? { Statement: [] }, cfn) as {
    Statement: PolicyStatement | PolicyStatement[];
  };
  return list(document.Statement);
}
