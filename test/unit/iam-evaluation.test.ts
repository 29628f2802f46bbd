import { type PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AthenaStandIn } from '../aws/athena-stand-in.ts';
import { TemplateAuthoriser, withoutGrant } from '../aws/iam-authoriser.ts';
import { s3Needs } from '../aws/s3-iam-proxy.ts';
import { tempDir } from '../support/files.ts';
import {
  type CloudFormationValues,
  conditionHolds,
  evaluate,
  evaluateKms,
  type KmsCaller,
  type PolicyStatement,
  resolveIntrinsics,
  resourceMatches,
  rolePolicyStatements,
  type TemplateJson,
} from '../support/iam-rules.ts';

/*
 * IAM's evaluation as the stand-ins of test/aws apply it to each call of a bundle (IAM_SOURCES in iam-rules.ts):
 * explicit Deny wins, an Allow is needed, wildcards and conditions as IAM matches them, intrinsics resolved.
 */
const BUCKET = 'arn:aws:s3:::data';
const allowAllData: PolicyStatement = { Effect: 'Allow', Action: 's3:*', Resource: `${BUCKET}/*` };

describe('IAM evaluation: explicit Deny wins, an Allow is needed', () => {
  const denyMetricsDelete: PolicyStatement = {
    Effect: 'Deny',
    Action: 's3:DeleteObject',
    Resource: `${BUCKET}/metrics/*`,
  };
  it('a Deny applying to the request beats any Allow, in either order', () => {
    const request = { action: 's3:DeleteObject', resource: `${BUCKET}/metrics/meta.json` };
    expect(evaluate(request, [allowAllData, denyMetricsDelete])).toMatchObject({
      allowed: false,
      reason: 'explicit-deny',
    });
    expect(evaluate(request, [denyMetricsDelete, allowAllData])).toMatchObject({ reason: 'explicit-deny' });
  });
  it('a Deny that does not apply leaves the Allow; no applicable Allow is an implicit deny', () => {
    expect(
      evaluate({ action: 's3:DeleteObject', resource: `${BUCKET}/curated/x` }, [allowAllData, denyMetricsDelete]),
    ).toMatchObject({ allowed: true });
    expect(evaluate({ action: 's3:GetObject', resource: 'arn:aws:s3:::other/x' }, [allowAllData])).toEqual({
      allowed: false,
      reason: 'implicit-deny',
    });
    expect(evaluate({ action: 's3:GetObject', resource: `${BUCKET}/x` }, [])).toEqual({
      allowed: false,
      reason: 'implicit-deny',
    });
  });
  it("a resource policy's Deny for everyone applies to the role; its Allow only to a principal it names", () => {
    const tlsOnly: PolicyStatement = {
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:*',
      Resource: [BUCKET, `${BUCKET}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    };
    const request = (secure: string) => ({
      action: 's3:GetObject',
      resource: `${BUCKET}/metrics/a.json`,
      context: { 'aws:SecureTransport': secure },
    });
    const role = 'arn:aws:sts::111122223333:assumed-role/R/f';
    expect(evaluate(request('true'), [allowAllData], [tlsOnly], role)).toMatchObject({ allowed: true });
    expect(evaluate(request('false'), [allowAllData], [tlsOnly], role)).toMatchObject({ reason: 'explicit-deny' });
    const grant: PolicyStatement = {
      Effect: 'Allow',
      Principal: { AWS: role },
      Action: 's3:GetObject',
      Resource: `${BUCKET}/*`,
    };
    expect(evaluate(request('true'), [], [grant], role)).toMatchObject({ allowed: true });
    expect(evaluate(request('true'), [], [grant], 'arn:aws:sts::111122223333:assumed-role/Other/g')).toMatchObject({
      reason: 'implicit-deny',
    });
  });
  it('NotAction and NotResource apply to everything but what they name', () => {
    const allButDelete: PolicyStatement = { Effect: 'Allow', NotAction: 's3:Delete*', Resource: `${BUCKET}/*` };
    expect(evaluate({ action: 's3:PutObject', resource: `${BUCKET}/k` }, [allButDelete]).allowed).toBe(true);
    expect(evaluate({ action: 's3:DeleteObject', resource: `${BUCKET}/k` }, [allButDelete]).allowed).toBe(false);
    const notPrivate: PolicyStatement = { Effect: 'Allow', Action: 's3:GetObject', NotResource: `${BUCKET}/private/*` };
    expect(evaluate({ action: 's3:GetObject', resource: `${BUCKET}/metrics/a` }, [notPrivate]).allowed).toBe(true);
    expect(evaluate({ action: 's3:GetObject', resource: `${BUCKET}/private/a` }, [notPrivate]).allowed).toBe(false);
  });
});

describe('KMS: the key policy must allow, itself or by enabling IAM policies (KMS_SOURCES, review 33 R33-6d)', () => {
  const KEY = 'arn:aws:kms:eu-west-2:111122223333:key/k';
  const role: KmsCaller = {
    kind: 'role',
    sessionArn: 'arn:aws:sts::111122223333:assumed-role/R/f',
    roleArn: 'arn:aws:iam::111122223333:role/R',
    account: '111122223333',
  };
  const enableIam: PolicyStatement = {
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::111122223333:root' },
    Action: 'kms:*',
    Resource: '*',
  };
  const iamDecrypt: PolicyStatement = { Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY };
  const decrypt = { action: 'kms:Decrypt', resource: KEY };
  it('an IAM allow counts only where the key policy enables IAM policies for the account', () => {
    expect(evaluateKms(decrypt, [enableIam], role, [iamDecrypt])).toMatchObject({ allowed: true });
    expect(evaluateKms(decrypt, [], role, [iamDecrypt])).toEqual({
      allowed: false,
      reason: 'implicit-deny',
      keyPolicy: 'missing',
    });
    // The account statement gives nothing by itself: the role's IAM policy must allow too.
    expect(evaluateKms(decrypt, [enableIam], role, [])).toEqual({ allowed: false, reason: 'implicit-deny' });
    expect(evaluateKms({ action: 'kms:Encrypt', resource: KEY }, [enableIam], role, [iamDecrypt]).allowed).toBe(false);
  });
  it('a key policy statement naming the role (or everyone) allows with no IAM policy; another role is not named', () => {
    const named: PolicyStatement = {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:role/R' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
    };
    expect(evaluateKms(decrypt, [named], role).allowed).toBe(true);
    expect(evaluateKms({ action: 'kms:GenerateDataKeyWithoutPlaintext', resource: KEY }, [named], role).allowed).toBe(
      true,
    );
    expect(evaluateKms(decrypt, [named], { ...role, roleArn: 'arn:aws:iam::111122223333:role/Other' }).allowed).toBe(
      false,
    );
    expect(evaluateKms(decrypt, [{ ...named, Principal: '*' }], role).allowed).toBe(true);
  });
  it('a Deny in the key policy (for the account) or in IAM wins over every allow', () => {
    const denyAccount: PolicyStatement = { ...enableIam, Effect: 'Deny', Action: 'kms:Decrypt' };
    expect(evaluateKms(decrypt, [enableIam, denyAccount], role, [iamDecrypt])).toMatchObject({
      reason: 'explicit-deny',
    });
    expect(evaluateKms(decrypt, [enableIam], role, [iamDecrypt, { ...iamDecrypt, Effect: 'Deny' }])).toMatchObject({
      reason: 'explicit-deny',
    });
  });
  it("a service is allowed only by a statement naming it whose conditions hold; the account's IAM delegation is not for it", () => {
    const logs: KmsCaller = { kind: 'service', service: 'logs.eu-west-2.amazonaws.com' };
    const forLogs: PolicyStatement = {
      Effect: 'Allow',
      Principal: { Service: 'logs.eu-west-2.amazonaws.com' },
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-2:111122223333:log-group:*' },
      },
    };
    const context = (account: string) => ({
      'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-2:${account}:log-group:g`,
    });
    const request = (account: string) => ({ action: 'kms:GenerateDataKey', resource: KEY, context: context(account) });
    expect(evaluateKms(request('111122223333'), [enableIam, forLogs], logs).allowed).toBe(true);
    expect(evaluateKms(request('444455556666'), [enableIam, forLogs], logs).allowed).toBe(false);
    expect(evaluateKms(request('111122223333'), [enableIam], logs).allowed).toBe(false);
  });
});

describe('IAM matching: action and resource wildcards', () => {
  it('matches actions case-insensitively, * any run and ? one character', () => {
    const allow = (action: string) =>
      evaluate({ action, resource: `${BUCKET}/k` }, [
        { Effect: 'Allow', Action: ['s3:Get*', 's3:Put?bject'], Resource: '*' },
      ]).allowed;
    expect([allow('s3:GetObject'), allow('S3:getobjectversion'), allow('s3:PutObject'), allow('s3:Put0bject')]).toEqual(
      [true, true, true, true],
    );
    expect([allow('s3:ListBucket'), allow('s3:PutObjectAcl'), allow('glue:GetTable')]).toEqual([false, false, false]);
  });
  it('matches resources case-sensitively, a wildcard within its segment', () => {
    const tables = 'arn:aws:glue:eu-west-2:111122223333:table/sp_outcomes/stopped_pcns_*';
    expect(resourceMatches(tables, 'arn:aws:glue:eu-west-2:111122223333:table/sp_outcomes/stopped_pcns_ab12')).toBe(
      true,
    );
    expect(resourceMatches(tables, 'arn:aws:glue:eu-west-2:111122223333:table/sp_outcomes/sending_pcns_ab12')).toBe(
      false,
    );
    expect(resourceMatches(tables, 'arn:aws:glue:eu-west-2:111122223333:table/other/stopped_pcns_ab12')).toBe(false);
    expect(resourceMatches(tables, 'arn:aws:glue:eu-west-2:444455556666:table/sp_outcomes/stopped_pcns_x')).toBe(false);
    expect(resourceMatches('arn:aws:glue:*:111122223333:catalog', 'arn:aws:glue:eu-west-1:111122223333:catalog')).toBe(
      true,
    );
    // A region wildcard does not reach into the account segment.
    expect(resourceMatches('arn:aws:glue:*:catalog', 'arn:aws:glue:eu-west-1:111122223333:catalog')).toBe(false);
    expect(resourceMatches(`${BUCKET}/metrics/*`, `${BUCKET}/metrics/pcn/a.json`)).toBe(true);
    expect(resourceMatches('arn:aws:s3:::Data/*', `${BUCKET}/x`)).toBe(false);
    expect(resourceMatches('*', 'arn:aws:kms:eu-west-2:1:key/k')).toBe(true);
  });
});

describe('IAM conditions', () => {
  const listMetrics = { StringLike: { 's3:prefix': ['metrics/*', 'receipts/*'] } };
  it('StringLike on s3:prefix: any value matches; an absent key is false', () => {
    expect(conditionHolds(listMetrics, { 's3:prefix': 'metrics/pcn/' })).toBe(true);
    expect(conditionHolds(listMetrics, { 's3:prefix': 'receipts/' })).toBe(true);
    expect(conditionHolds(listMetrics, { 's3:prefix': 'curated/' })).toBe(false);
    expect(conditionHolds(listMetrics, {})).toBe(false);
    // Condition key names are case-insensitive.
    expect(conditionHolds(listMetrics, { 'S3:Prefix': 'metrics/' })).toBe(true);
  });
  it('a negated operator holds for an absent key, and when the value matches none; IfExists and Null', () => {
    expect(conditionHolds({ StringNotEquals: { 'aws:SourceAccount': '111122223333' } }, {})).toBe(true);
    expect(conditionHolds({ StringNotEquals: { 'aws:SourceAccount': ['1', '2'] } }, { 'aws:SourceAccount': '2' })).toBe(
      false,
    );
    expect(conditionHolds({ StringEqualsIfExists: { 'aws:SourceAccount': '1' } }, {})).toBe(true);
    expect(conditionHolds({ StringEqualsIfExists: { 'aws:SourceAccount': '1' } }, { 'aws:SourceAccount': '2' })).toBe(
      false,
    );
    expect(conditionHolds({ Null: { 'aws:TokenIssueTime': 'true' } }, {})).toBe(true);
    expect(conditionHolds({ Null: { 'aws:TokenIssueTime': 'true' } }, { 'aws:TokenIssueTime': 'x' })).toBe(false);
  });
  it('every operator and every key must hold; ArnLike matches as resources do', () => {
    const both = {
      StringEquals: { 'aws:SourceAccount': '111122223333' },
      ArnLike: { 'aws:SourceArn': 'arn:aws:events:eu-west-2:111122223333:rule/stack-*' },
    };
    const context = {
      'aws:SourceAccount': '111122223333',
      'aws:SourceArn': 'arn:aws:events:eu-west-2:111122223333:rule/stack-a',
    };
    expect(conditionHolds(both, context)).toBe(true);
    expect(
      conditionHolds(both, { ...context, 'aws:SourceArn': 'arn:aws:events:eu-west-2:111122223333:rule/other' }),
    ).toBe(false);
    expect(() => conditionHolds({ DateLessThan: { 'aws:CurrentTime': '2020' } }, {})).toThrow('DateLessThan');
  });
});

describe('CloudFormation intrinsics in policies, resolved', () => {
  const cfn: CloudFormationValues = {
    account: '111122223333',
    region: 'eu-west-2',
    ref: (id) => (id === 'Bucket' ? 'data' : id),
    getAtt: (id, attribute) => (id === 'Bucket' && attribute === 'Arn' ? 'arn:aws:s3:::data' : `${id}.${attribute}`),
  };
  it('Ref (pseudo parameters and resources), Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select and Fn::Split', () => {
    expect(
      resolveIntrinsics(
        {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':glue:eu-west-2:', { Ref: 'AWS::AccountId' }, ':catalog'],
          ],
        },
        cfn,
      ),
    ).toBe('arn:aws:glue:eu-west-2:111122223333:catalog');
    expect(resolveIntrinsics({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/metrics/*']] }, cfn)).toBe(
      'arn:aws:s3:::data/metrics/*',
    );
    expect(resolveIntrinsics({ 'Fn::GetAtt': 'Bucket.Arn' }, cfn)).toBe('arn:aws:s3:::data');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
    expect(resolveIntrinsics({ 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*' }, cfn)).toBe(
      'arn:aws:logs:eu-west-2:111122223333:*',
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
    expect(resolveIntrinsics({ 'Fn::Sub': '${Bucket.Arn}/${Prefix}*' }, cfn)).toBe('arn:aws:s3:::data/Prefix*');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
    expect(resolveIntrinsics({ 'Fn::Sub': ['${B}/x', { B: { Ref: 'Bucket' } }] }, cfn)).toBe('data/x');
    expect(resolveIntrinsics({ 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] }, cfn)).toBe('b');
    expect(() => resolveIntrinsics({ 'Fn::ImportValue': 'x' }, cfn)).toThrow('Fn::ImportValue');
  });
  it("gathers a role's statements from the policies naming it (and no other role's)", () => {
    const template: TemplateJson = {
      Resources: {
        Mine: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            Roles: [{ Ref: 'Role' }],
            PolicyDocument: {
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 's3:GetObject',
                  Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] },
                },
              ],
            },
          },
        },
        Overflow: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: {
            Roles: [{ Ref: 'Role' }],
            PolicyDocument: { Statement: [{ Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' }] },
          },
        },
        Theirs: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            Roles: [{ Ref: 'Other' }],
            PolicyDocument: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
          },
        },
      },
    };
    expect(rolePolicyStatements(template, 'Role', cfn)).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' },
      { Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' },
    ]);
  });
});

/** A template of one function whose role may run queries and create only tables named a_*, with one bucket. */
const glue = (resource: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':glue:eu-west-2:', { Ref: 'AWS::AccountId' }, `:${resource}`]],
});
const template: TemplateJson = {
  Resources: {
    Results: { Type: 'AWS::S3::Bucket', Properties: {} },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] } } },
    FnRole: { Type: 'AWS::IAM::Role', Properties: {} },
    FnPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'FnRole' }],
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults'],
              // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
              Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:athena:${AWS::Region}:${AWS::AccountId}:workgroup/wg' },
            },
            {
              Effect: 'Allow',
              Action: 'glue:GetDatabase',
              Resource: [glue('catalog'), glue('database/db'), glue('database/default')],
            },
            {
              Effect: 'Allow',
              Action: ['glue:CreateTable', 'glue:GetTable'],
              Resource: [glue('catalog'), glue('database/db'), glue('table/db/a_*')],
            },
            { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': ['Results', 'Arn'] } },
            {
              Effect: 'Allow',
              Action: ['s3:PutObject', 's3:GetObject'],
              Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Results', 'Arn'] }, '/out/*']] },
            },
          ],
        },
      },
    },
  },
};

/** The parts of Athena's answers these tests read. */
interface AthenaAnswer {
  readonly __type?: string;
  readonly Message?: string;
  readonly QueryExecutionId?: string;
  readonly QueryExecution: { Status: { State: string; StateChangeReason?: string } };
}

describe("the Athena stand-in authorises each call and statement against the caller's role", () => {
  const dir = tempDir('athena-iam');
  const written = new Map<string, string>();
  // A real client (the stand-in's paginator checks it is one) whose requests never leave the process.
  const s3 = new S3Client({ region: 'eu-west-2' });
  s3.send = (async ({ input }: { input: PutObjectCommandInput }) => {
    written.set(`s3://${input.Bucket}/${input.Key}`, Buffer.from((input.Body as Uint8Array) ?? []).toString('utf8'));
    return { Contents: [] };
  }) as unknown as S3Client['send'];
  const start = async (authoriser: TemplateAuthoriser) => {
    const standIn = new AthenaStandIn({
      workgroups: [{ name: 'wg', enforced: true, outputLocation: 's3://results/out/' }],
      tables: [],
      s3Directory: dir.path,
      s3,
      authoriser,
      database: 'db',
    });
    return { standIn, endpoint: await standIn.start() };
  };
  let full: Awaited<ReturnType<typeof start>>;
  let fullRights: TemplateAuthoriser;
  beforeAll(async () => {
    fullRights = new TemplateAuthoriser(template, { Results: 'results' });
    full = await start(fullRights);
  });
  afterAll(async () => {
    await full.standIn.stop();
    dir.remove();
  });

  const call = async (endpoint: string, operation: string, input: object, key: string) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AmazonAthena.${operation}`,
        authorization: `AWS4-HMAC-SHA256 Credential=${key}/20261206/eu-west-2/athena/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify(input),
    });
    return { status: response.status, body: (await response.json()) as AthenaAnswer };
  };
  const outcome = async (
    endpoint: string,
    QueryString: string,
    key: string,
  ): Promise<{ state?: string; reason?: string; __type?: string }> => {
    const started = await call(endpoint, 'StartQueryExecution', { QueryString, WorkGroup: 'wg' }, key);
    if (started.status !== 200) return started.body;
    for (;;) {
      const { body } = await call(
        endpoint,
        'GetQueryExecution',
        { QueryExecutionId: started.body.QueryExecutionId },
        key,
      );
      const state = body.QueryExecution.Status.State;
      if (state === 'SUCCEEDED' || state === 'FAILED')
        return { state, reason: body.QueryExecution.Status.StateChangeReason };
    }
  };
  const fnKey = () => fullRights.credentialsFor('Fn').AWS_ACCESS_KEY_ID;
  const user = 'arn:aws:sts::111122223333:assumed-role/FnRole/Fn';

  it('runs a CTAS of a table the role may create, and fails one it may not, naming glue:CreateTable and the table', async () => {
    expect(
      await outcome(full.endpoint, `CREATE TABLE a_1 WITH (format = 'PARQUET') AS SELECT 1 AS n`, fnKey()),
    ).toEqual({
      state: 'SUCCEEDED',
      reason: undefined,
    });
    expect(
      await outcome(full.endpoint, `CREATE TABLE b_1 WITH (format = 'PARQUET') AS SELECT 1 AS n`, fnKey()),
    ).toEqual({
      state: 'FAILED',
      reason: `Insufficient permissions to execute the query. User: ${user} is not authorized to perform: glue:CreateTable on resource: arn:aws:glue:eu-west-2:111122223333:table/db/b_1 because no identity-based policy allows the glue:CreateTable action (Service: AWSGlue; Status Code: 400; Error Code: AccessDeniedException)`,
    });
  });

  it('reads a table it made (glue:GetTable, s3 list and get), and refuses DROP TABLE without glue:DeleteTable', async () => {
    expect(await outcome(full.endpoint, 'SELECT n FROM a_1', fnKey())).toEqual({
      state: 'SUCCEEDED',
      reason: undefined,
    });
    expect(fullRights.decided).toContain('glue:GetTable arn:aws:glue:eu-west-2:111122223333:table/db/a_1');
    expect((await outcome(full.endpoint, 'DROP TABLE a_1', fnKey())).reason).toContain(
      `is not authorized to perform: glue:DeleteTable on resource: arn:aws:glue:eu-west-2:111122223333:catalog`,
    );
  });

  it('answers a call its role does not allow with AccessDeniedException naming the action and workgroup', async () => {
    const stranger = await call(full.endpoint, 'StopQueryExecution', { QueryExecutionId: 'x' }, 'ASIANOBODY');
    // The execution is looked up first: an unknown id is InvalidRequestException whoever asks.
    expect(stranger.body.__type).toBe('InvalidRequestException');
    const refused = await call(
      full.endpoint,
      'StartQueryExecution',
      { QueryString: 'SELECT 1', WorkGroup: 'wg' },
      'ASIANOBODY',
    );
    expect(refused).toEqual({
      status: 400,
      body: {
        __type: 'AccessDeniedException',
        Message:
          'User: arn:aws:iam::111122223333:user/unknown-ASIANOBODY is not authorized to perform: athena:StartQueryExecution on resource: arn:aws:athena:eu-west-2:111122223333:workgroup/wg because no identity-based policy allows the athena:StartQueryExecution action',
      },
    });
  });

  it('with the grant taken from the template (withoutGrant), the CTAS the full template allows is refused', async () => {
    const fewer = new TemplateAuthoriser(withoutGrant(template, 'glue:CreateTable', 'table/db/a_*'), {
      Results: 'results',
    });
    const run = await start(fewer);
    try {
      const result = await outcome(
        run.endpoint,
        `CREATE TABLE a_2 WITH (format = 'PARQUET') AS SELECT 1 AS n`,
        fnKey(),
      );
      expect(result.reason).toContain('glue:CreateTable on resource: arn:aws:glue:eu-west-2:111122223333:table/db/a_2');
      expect(fewer.refused.map((r) => `${r.action} ${r.resource}`)).toEqual([
        'glue:CreateTable arn:aws:glue:eu-west-2:111122223333:table/db/a_2',
      ]);
    } finally {
      await run.standIn.stop();
    }
  });
});

describe("the Athena stand-in asks for the default database Athena's docs call mandatory (review 33, R33-1)", () => {
  it('with glue:GetDatabase on database/default taken from the template, SELECT 1 fails naming it', async () => {
    const dir = tempDir('athena-default-db');
    const s3 = new S3Client({ region: 'eu-west-2' });
    s3.send = (async () => ({ Contents: [] })) as unknown as S3Client['send'];
    const fewer = new TemplateAuthoriser(withoutGrant(template, 'glue:GetDatabase', 'database/default'), {
      Results: 'results',
    });
    const standIn = new AthenaStandIn({
      workgroups: [{ name: 'wg', enforced: true, outputLocation: 's3://results/out/' }],
      tables: [],
      s3Directory: dir.path,
      s3,
      authoriser: fewer,
      database: 'db',
    });
    const endpoint = await standIn.start();
    const key = fewer.credentialsFor('Fn').AWS_ACCESS_KEY_ID;
    const call = async (operation: string, input: object) =>
      (await (
        await fetch(endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': `AmazonAthena.${operation}`,
            authorization: `AWS4-HMAC-SHA256 Credential=${key}/20261206/eu-west-2/athena/aws4_request, SignedHeaders=host, Signature=0`,
          },
          body: JSON.stringify(input),
        })
      ).json()) as AthenaAnswer;
    try {
      const { QueryExecutionId } = await call('StartQueryExecution', { QueryString: 'SELECT 1', WorkGroup: 'wg' });
      let status: AthenaAnswer['QueryExecution']['Status'];
      do status = (await call('GetQueryExecution', { QueryExecutionId })).QueryExecution.Status;
      while (status.State !== 'SUCCEEDED' && status.State !== 'FAILED');
      expect(status.State).toBe('FAILED');
      expect(status.StateChangeReason).toContain(
        'glue:GetDatabase on resource: arn:aws:glue:eu-west-2:111122223333:database/default',
      );
      expect(fewer.refused.map((r) => `${r.action} ${r.resource}`)).toEqual([
        'glue:GetDatabase arn:aws:glue:eu-west-2:111122223333:database/default',
      ]);
    } finally {
      await standIn.stop();
      dir.remove();
    }
  });
});

describe('what each S3 request needs', () => {
  const authoriser = new TemplateAuthoriser(
    {
      Resources: {
        Key: { Type: 'AWS::KMS::Key', Properties: {} },
        Data: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            BucketEncryption: {
              ServerSideEncryptionConfiguration: [
                {
                  ServerSideEncryptionByDefault: {
                    SSEAlgorithm: 'aws:kms',
                    KMSMasterKeyID: { 'Fn::GetAtt': ['Key', 'Arn'] },
                  },
                },
              ],
            },
          },
        },
      },
    },
    { Data: 'data' },
  );
  const needs = (method: string, key: string | undefined, query = '', headers = {}) =>
    s3Needs(authoriser, method, 'data', key, new URLSearchParams(query), headers).map(
      (n) => `${n.action} ${n.resource}${n.context ? ` ${JSON.stringify(n.context)}` : ''}`,
    );
  it('maps each REST request to its action, resource and s3:prefix, with the bucket key for SSE-KMS writes', () => {
    const key = 'arn:aws:kms:eu-west-2:111122223333:key/Key';
    expect(needs('GET', undefined, 'list-type=2&prefix=metrics%2F')).toEqual([
      's3:ListBucket arn:aws:s3:::data {"s3:prefix":"metrics/"}',
    ]);
    expect(needs('HEAD', undefined)).toEqual(['s3:ListBucket arn:aws:s3:::data {}']);
    expect(needs('GET', 'metrics/a.json')).toEqual(['s3:GetObject arn:aws:s3:::data/metrics/a.json']);
    expect(needs('PUT', 'metrics/a.json')).toEqual([
      's3:PutObject arn:aws:s3:::data/metrics/a.json',
      `kms:GenerateDataKey ${key}`,
    ]);
    expect(needs('PUT', 'a', 'partNumber=1&uploadId=u')).toEqual(['s3:PutObject arn:aws:s3:::data/a']);
    expect(needs('POST', 'a', 'uploads')).toEqual([
      's3:PutObject arn:aws:s3:::data/a',
      `kms:GenerateDataKey ${key}`,
      `kms:Decrypt ${key}`,
    ]);
    expect(needs('DELETE', 'curated/x')).toEqual(['s3:DeleteObject arn:aws:s3:::data/curated/x']);
    expect(needs('DELETE', 'a', 'uploadId=u')).toEqual(['s3:AbortMultipartUpload arn:aws:s3:::data/a']);
    expect(needs('PUT', 'b', '', { 'x-amz-copy-source': '/data/a%20b' })).toEqual([
      's3:PutObject arn:aws:s3:::data/b',
      's3:GetObject arn:aws:s3:::data/a b',
      `kms:Decrypt ${key}`,
      `kms:GenerateDataKey ${key}`,
    ]);
  });
});
