import { Duration, Fn, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import {
  type CfnStage,
  DomainName,
  EndpointType,
  HttpApi,
  HttpMethod,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AccountRecovery,
  type CfnUserPoolClient,
  Mfa,
  OAuthScope,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolEmail,
} from 'aws-cdk-lib/aws-cognito';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ORIGIN_VERIFY_HEADER, ORIGIN_VERIFY_PREVIOUS } from '../../functions/auth/origin-verify.ts';
import type { DataLake } from './data-lake.ts';
import { acknowledgeFunctionFindings, pipelineFunction } from './lambda-defaults.ts';

/**
 * The stage's access log line, kept a year, for every request (signed in or not, the uploads routes too). It names
 * the route matched ($context.routeKey: "GET /api/uploads/{id}", "GET /api/{proxy+}"), never the request's own path
 * or query, which carry upload ids, area codes and whatever a caller typed. HTTP API access-log variables:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html ($context.routeKey,
 * $context.authorizer.claims.property; $context.path would be the raw request path).
 */
export const API_ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  // Which API: the dimension of the throttled-request count (Operations), so deployments in one account stay apart.
  apiId: '$context.apiId',
  ip: '$context.identity.sourceIp',
  time: '$context.requestTime',
  method: '$context.httpMethod',
  route: '$context.routeKey',
  status: '$context.status',
  // What Lambda's Invoke answered, not the function ("For Lambda proxy integration, this parameter represents the
  // status code returned from AWS Lambda, not from the backend Lambda function"): "-" when API Gateway answered
  // without invoking it (its own throttle, a refused token), which is how Operations tells the stage's 429s from the
  // upload function's own (the daily quota).
  integrationStatus: '$context.integrationStatus',
  latency: '$context.responseLatency',
  user: '$context.authorizer.claims.sub',
} as const;

export interface MetricsApiProps {
  readonly dataLake: DataLake;
  /** @default true */
  readonly retainData?: boolean;
  /** Concurrency reserved for the metrics API function. @default none reserved (the stage's throttling caps it) */
  readonly reservedConcurrency?: number;
  /**
   * Send the user pool's e-mails through Amazon SES from this verified identity. @default Cognito's own sender,
   * which allows 50 e-mails a day (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-email.html)
   */
  readonly cognitoEmail?: {
    readonly fromEmail: string;
    readonly fromName?: string;
    readonly replyTo?: string;
    readonly sesVerifiedDomain?: string;
    readonly sesRegion?: string;
  };
  /**
   * The API's own name and its ACM certificate (in the stack's region): a regional custom domain, and the execute-api
   * address disabled (review 33, R33-3). @default the execute-api address, open to anyone who has it
   */
  readonly customDomain?: {
    readonly domainName: string;
    readonly certificateArn: string;
    /** The truststore that makes the domain require a client certificate (mutual TLS). @default none */
    readonly mutualTls?: { readonly truststoreUri: string; readonly truststoreVersion?: string };
  };
}

/** The CDK context key of a change of the origin secret's value: `-c originVerifyRotation=accept`, then `=send`. */
export const ORIGIN_VERIFY_ROTATION_CONTEXT = 'originVerifyRotation';

/** The step of a change of the origin secret, from the context; anything but accept or send stops the synth. */
function originVerifyRotation(value: unknown): 'accept' | 'send' | undefined {
  if (value === undefined) return undefined;
  if (value === 'accept' || value === 'send') return value;
  throw new Error(`${ORIGIN_VERIFY_ROTATION_CONTEXT} must be accept or send (README, "Changing the origin secret")`);
}

/** The API functions' environment for the origin header: the current value, and the previous one during a change. */
export function originVerifyEnvironment(values: { readonly current: string; readonly previous?: string }) {
  return {
    ORIGIN_VERIFY: values.current,
    ...(values.previous === undefined ? {} : { [ORIGIN_VERIFY_PREVIOUS]: values.previous }),
  };
}

/** The custom domain's truststore, from its s3://<bucket>/<key> address. */
function truststore(
  scope: Construct,
  mutualTls: { readonly truststoreUri: string; readonly truststoreVersion?: string },
) {
  const [, bucketName, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(mutualTls.truststoreUri) as unknown as [
    string,
    string,
    string,
  ];
  return { bucket: Bucket.fromBucketName(scope, 'Truststore', bucketName), key, version: mutualTls.truststoreVersion };
}

/**
 * The metrics API: an HTTP API whose every route needs a Cognito JWT, in front of the API Lambda, which may read
 * the published metric documents and nothing else. Users sign in to the Cognito user pool (MFA required). The upload
 * routes join the same HTTP API from their own construct (UploadApi).
 */
export class MetricsApi extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly api: HttpApi;
  readonly handler: NodejsFunction;
  /** The API's host name (no scheme), for CloudFront to route /api/* to: the custom domain's when there is one. */
  readonly domainName: string;
  /** The custom domain, when configured: its regional target is where the operator's DNS record points. */
  readonly customDomain?: DomainName;
  /** The stage's access log (one JSON line a request: API_ACCESS_LOG_FORMAT). */
  readonly accessLogs: LogGroup;
  /**
   * The header CloudFront adds to every request it sends here, and its value: a CloudFormation dynamic reference to
   * a generated secret, resolved at deploy, never in the template (functions/auth/origin-verify.ts says why).
   */
  readonly originHeader: { readonly name: string; readonly value: string };
  /**
   * The values of that header the API functions accept: the secret's current value and, while it is being changed
   * (ORIGIN_VERIFY_ROTATION_CONTEXT), its previous one (review 18, R18-2). Dynamic references, as the header's.
   */
  readonly originVerify: { readonly current: string; readonly previous?: string };

  constructor(scope: Construct, id: string, props: MetricsApiProps) {
    super(scope, id);
    const { dataLake } = props;
    const retain = props.retainData ?? true;
    this.userPool = new UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      ...(props.cognitoEmail
        ? {
            email: UserPoolEmail.withSES({
              fromEmail: props.cognitoEmail.fromEmail,
              fromName: props.cognitoEmail.fromName,
              replyTo: props.cognitoEmail.replyTo,
              sesVerifiedDomain: props.cognitoEmail.sesVerifiedDomain,
              sesRegion: props.cognitoEmail.sesRegion ?? Stack.of(this).region,
            }),
          }
        : {}),
      deletionProtection: retain,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // The dashboard signs users in through the user pool's hosted pages (authorisation code with PKCE, no client
    // secret in a browser); `signInFrom` sets the dashboard's address as the only place a code may be sent back to.
    this.client = this.userPool.addClient('Dashboard', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(8),
    });

    // Review 13, R13-6. Generated by Secrets Manager (letters and digits only: a header value), encrypted with the
    // data key. CloudFormation resolves `{{resolve:secretsmanager:...}}` where it is used ("can be used in all
    // resource properties... the secret value may show up in the service whose resource it's being used in":
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html): in
    // CloudFront's origin settings and the two functions' environment, readable only by those who may read those.
    const originSecret = new Secret(this, 'OriginVerify', {
      description:
        'The header value CloudFront adds to requests to the HTTP API; the API functions refuse any without it',
      encryptionKey: dataLake.key,
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    });
    // No Secrets Manager rotation schedule: a rotated value reaches neither CloudFront nor the functions, which hold the
    // value CloudFormation resolved at their last update ("Updating a secret in Secrets Manager doesn't automatically
    // update the secret in CloudFormation. In order for CloudFormation to update a secretsmanager dynamic reference,
    // you must perform a stack update that updates the resource containing the dynamic reference":
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html); a
    // scheduled rotation would only make the secret disagree with both. The change is README's three deploys.
    Validations.of(originSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating it needs CloudFront and both API functions updated with the new value (a stack update: the dynamic reference is resolved at deploy); it is not a credential to data, only proof a request came through CloudFront.',
    });
    Validations.of(originSecret).acknowledge({
      id: 'HIPAA.Security-SecretsManagerRotationEnabled',
      reason:
        'Rotating it needs CloudFront and both API functions updated with the new value (a stack update); it is not a credential to data.',
    });
    // Changing the value (README, "Changing the origin secret"): with one value the functions took the new one within
    // seconds and CloudFront within minutes, and every API call was refused 403 meanwhile (R18-2). The steps, each a
    // deploy: `accept` (the functions accept the secret's current and previous values, CloudFront still sends the
    // previous), `send` (CloudFront sends the current), then none (the previous value is no longer accepted).
    const rotation = originVerifyRotation(this.node.tryGetContext(ORIGIN_VERIFY_ROTATION_CONTEXT));
    const current = originSecret.secretValue.unsafeUnwrap();
    // Secrets Manager labels the value before the last put-secret-value AWSPREVIOUS: only referred to during a change
    // (a secret never changed has none, and a reference to it would fail the deploy).
    const previous =
      rotation === undefined
        ? undefined
        : SecretValue.secretsManager(originSecret.secretArn, { versionStage: 'AWSPREVIOUS' }).unsafeUnwrap();
    this.originHeader = { name: ORIGIN_VERIFY_HEADER, value: rotation === 'accept' ? (previous as string) : current };
    this.originVerify = { current, ...(previous === undefined ? {} : { previous }) };

    const { handler, role } = pipelineFunction(this, {
      entry: 'functions/api/handler.ts',
      serviceName: 'sp-outcomes-api',
      description: 'Serves the published metric documents to signed-in users',
      key: dataLake.key,
      retainData: retain,
      timeout: Duration.seconds(10),
      reservedConcurrency: props.reservedConcurrency,
      environment: {
        DATA_BUCKET: dataLake.dataBucket.bucketName,
        // The function verifies the access token again itself: the role in its groups scopes every answer.
        USER_POOL_ID: this.userPool.userPoolId,
        USER_POOL_CLIENT_ID: this.client.userPoolClientId,
        // Requests without CloudFront's header are refused before anything else.
        ...originVerifyEnvironment(this.originVerify),
      },
    });
    this.handler = handler;
    // Read the published documents, and nothing else.
    dataLake.grantRead(this.handler, ['metrics/']);

    // Review 33, R33-3. The stage's throttles are shared by every caller (HTTP APIs have no usage plans and take no
    // AWS WAF web ACL: README, "Before the first deploy"), and the execute-api address answers anyone. With a custom
    // domain it can be turned off ("To ensure that clients can access your API only by using a custom domain name,
    // disable the default execute-api endpoint": https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-disable-default-endpoint.html;
    // the default stage deploys automatically, so the change takes effect with the stack). A regional custom domain
    // takes a certificate of its own region; HTTP APIs support TLS 1.2 only ("For HTTP APIs, TLS 1.2 is the only
    // supported TLS version": https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-custom-domain-names.html).
    if (props.customDomain)
      this.customDomain = new DomainName(this, 'Domain', {
        domainName: props.customDomain.domainName,
        certificate: Certificate.fromCertificateArn(this, 'Certificate', props.customDomain.certificateArn),
        endpointType: EndpointType.REGIONAL,
        securityPolicy: SecurityPolicy.TLS_1_2,
        // Mutual TLS: a connection without a client certificate from the truststore's CA is refused by the domain
        // ("API Gateway ... clients must present X.509 certificates": http-api-mutual-tls.html), before any route.
        ...(props.customDomain.mutualTls ? { mtls: truststore(this, props.customDomain.mutualTls) } : {}),
      });
    this.api = new HttpApi(this, 'Http', {
      description: 'Social prescribing metrics API',
      defaultAuthorizer: new HttpUserPoolAuthorizer('Cognito', this.userPool, { userPoolClients: [this.client] }),
      createDefaultStage: true,
      ...(this.customDomain
        ? { disableExecuteApiEndpoint: true, defaultDomainMapping: { domainName: this.customDomain } }
        : {}),
    });
    this.api.addRoutes({
      path: '/api/{proxy+}',
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('Metrics', this.handler),
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_YEAR,
      encryptionKey: dataLake.key,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.accessLogs = accessLogs;
    const stage = this.api.defaultStage?.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify(API_ACCESS_LOG_FORMAT),
    };
    stage.defaultRouteSettings = { throttlingBurstLimit: 200, throttlingRateLimit: 100 };
    this.domainName = props.customDomain?.domainName ?? Fn.select(2, Fn.split('/', this.api.apiEndpoint));

    acknowledgeFunctionFindings(this.handler, role, [{ bucket: dataLake.dataBucket, prefixes: ['metrics'] }]);
    Validations.of(this.handler).acknowledge({
      id: 'HIPAA.Security-LambdaDLQ',
      reason:
        'Invoked synchronously by the HTTP API for each request: a failure is the response, there is no event to dead-letter.',
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The Plus feature plan is a per-environment cost decision; accounts are created by the national team only (no self sign-up) and need MFA.',
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG3',
      reason:
        'Threat protection needs the Cognito Plus feature plan; accounts are created by the national team only (no self sign-up) and need MFA.',
    });
  }

  /**
   * Users sign in on the user pool's hosted pages at `https://<domainPrefix>.auth.<region>.amazoncognito.com`, which
   * send the authorisation code back to the dashboard (and only there).
   */
  signInFrom(dashboardUrl: string, domainPrefix: string): UserPoolDomain {
    const domain = this.userPool.addDomain('SignIn', { cognitoDomain: { domainPrefix } });
    const client = this.client.node.defaultChild as CfnUserPoolClient;
    client.callbackUrLs = [`${dashboardUrl}/`];
    client.logoutUrLs = [`${dashboardUrl}/`];
    return domain;
  }
}
