import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  type CfnDistribution,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  GeoRestriction,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  type ResponseHeadersPolicyProps,
  SecurityPolicyProtocol,
  SSLMethod,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { deployedContentSecurityPolicy, SECURITY_HEADERS } from '../../functions/lib/security-headers.ts';

export interface DashboardSiteProps {
  /** The metrics API's host name: CloudFront sends /api/* there, so the app and the API share one origin. */
  readonly apiDomainName: string;
  /** The header CloudFront adds to every request it sends to the API, and its value (MetricsApi.originHeader). */
  readonly apiOriginHeader: { readonly name: string; readonly value: string };
  /**
   * The client certificate (ACM, us-east-1) CloudFront presents to the API's custom domain when that requires mutual
   * TLS (apiDomain.originMutualTls). @default none
   */
  readonly apiClientCertificateArn?: string;
  readonly accessLogsBucket: IBucket;
  /**
   * Where the app signs users in and refreshes their tokens: the Cognito hosted domain's origin,
   * https://<prefix>.auth.<region>.amazoncognito.com. The only origin besides its own the app may fetch from.
   */
  readonly signInOrigin: string;
  /** @default true */
  readonly retainData?: boolean;
  /**
   * The dashboard's own name and its ACM certificate (us-east-1), served with the TLSv1.2_2021 security policy.
   * @default the distribution's *.cloudfront.net name, on which CloudFront applies TLSv1 (review 33, R33-4)
   */
  readonly domain?: { readonly domainName: string; readonly certificateArn: string };
  /**
   * The AWS WAF web ACL (scope CLOUDFRONT, in us-east-1: infra/edge-stack.ts) of the distribution, by ARN. @default none
   */
  readonly webAclArn?: string;
}

/**
 * The app routes on the client, so a deep link (/outcomes, /equity/icb/QWE) must be answered with index.html. A
 * CloudFront Function on the default (S3) behaviour rewrites paths without a file extension; the /api/* behaviours
 * never run it, so an API's 401, 403 or 404 reaches the browser and the uploader as the API sent it (JSON), where a
 * distribution-wide error response would have turned it into a 200 index page. cloudfront-js-2.0 runtime:
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-javascript-runtime-20.html
 */
export const SPA_ROUTING_CODE = `function handler(event) {
  var request = event.request;
  var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;

/** HSTS for a year, as CloudFront's managed SecurityHeadersPolicy sent it; the local server is plain HTTP and has none. */
const HSTS_MAX_AGE = Duration.days(365);

/**
 * The CloudFront response headers policy of the deployed dashboard, built from the headers the local server sends
 * (functions/lib/security-headers.ts), so the two cannot drift apart. CloudFront takes Content-Security-Policy,
 * X-Content-Type-Options, X-Frame-Options and Referrer-Policy (with HSTS and X-XSS-Protection) only as its own
 * security-header settings, each with a fixed set of values; any other header, Permissions-Policy here, is a custom
 * header (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/understanding-response-headers-policies.html).
 * Differences from the local server, each because the deployment needs it: the CSP's connect-src adds the sign-in
 * domain (deployedContentSecurityPolicy), and HSTS is sent (HTTPS only). X-XSS-Protection, which the managed policy
 * sent, is left out as locally: browsers have dropped the filter it switched on, and the CSP does that work.
 * Every header overrides one the origin sent, so the API and the bucket cannot weaken them.
 */
export function dashboardHeadersPolicy(signInOrigin: string): ResponseHeadersPolicyProps {
  const {
    'content-security-policy': _csp,
    'x-content-type-options': nosniff,
    'x-frame-options': frame,
    'referrer-policy': referrer,
    ...custom
  } = SECURITY_HEADERS;
  const frameOption = Object.values(HeadersFrameOption).find((v) => v === frame);
  const referrerPolicy = Object.values(HeadersReferrerPolicy).find((v) => v === referrer);
  // CloudFront can only send these values: a value it cannot send must fail the synth, not go out weaker.
  if (nosniff !== 'nosniff' || frameOption === undefined || referrerPolicy === undefined)
    throw new Error(
      `security headers CloudFront cannot send as they are: ${JSON.stringify({ nosniff, frame, referrer })}`,
    );
  return {
    comment: 'Dashboard and API security headers: functions/lib/security-headers.ts, plus HSTS and the sign-in domain',
    securityHeadersBehavior: {
      contentSecurityPolicy: { contentSecurityPolicy: deployedContentSecurityPolicy(signInOrigin), override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption, override: true },
      referrerPolicy: { referrerPolicy, override: true },
      strictTransportSecurity: { accessControlMaxAge: HSTS_MAX_AGE, includeSubdomains: false, override: true },
    },
    customHeadersBehavior: {
      customHeaders: Object.entries(custom).map(([header, value]) => ({ header, value, override: true })),
    },
  };
}

/**
 * The dashboard: its static build in a private bucket, served only through CloudFront (origin access control),
 * HTTPS only, with the security headers of dashboardHeadersPolicy on every behaviour; /api/* goes to the metrics API
 * uncached.
 */
export class DashboardSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly headersPolicy: ResponseHeadersPolicy;

  constructor(scope: Construct, id: string, props: DashboardSiteProps) {
    super(scope, id);
    const retain = props.retainData ?? true;
    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'site/',
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.headersPolicy = new ResponseHeadersPolicy(this, 'Headers', dashboardHeadersPolicy(props.signInOrigin));
    const apiBehavior = {
      // The secret header proves to the API's functions that a request came through here (review 13, R13-6).
      origin: new HttpOrigin(props.apiDomainName, {
        protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
        customHeaders: { [props.apiOriginHeader.name]: props.apiOriginHeader.value },
      }),
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: this.headersPolicy,
    };
    const spaRouting = new EdgeFunction(this, 'SpaRouting', {
      code: FunctionCode.fromInline(SPA_ROUTING_CODE),
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Dashboard routes without a file extension get index.html',
    });
    // Review 33, R33-4. "If the distribution uses the CloudFront domain name such as d111111abcdef8.cloudfront.net (you
    // set CloudFrontDefaultCertificate to true), CloudFront automatically sets the security policy to TLSv1 regardless
    // of the value that you set here" (MinimumProtocolVersion); with an alternate domain name and an ACM certificate
    // ("CloudFront only supports ACM certificates in the US East (N. Virginia) Region (us-east-1)": AcmCertificateArn)
    // the policy is ours: TLSv1.2_2021 (TLS 1.2 and 1.3, no CBC ciphers), SNI only ("When you're using SNI only ... you
    // must specify TLSv1 or higher"). ViewerCertificate, CloudFront API reference:
    // https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html; the policies' protocols
    // and ciphers: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html
    const viewerCertificate = props.domain
      ? {
          domainNames: [props.domain.domainName],
          certificate: Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
          minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          sslSupportMethod: SSLMethod.SNI,
        }
      : {};
    this.distribution = new Distribution(this, 'Cdn', {
      comment: 'Social prescribing outcomes dashboard',
      ...viewerCertificate,
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      geoRestriction: GeoRestriction.allowlist('GB'),
      // "To specify a web ACL created using the latest version of WAF, use the ACL ARN" (DistributionConfig WebACLId,
      // CloudFront API reference: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html).
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
      // No CloudFront standard logs (see the CFR3 acknowledgement below).
      enableLogging: false,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: this.headersPolicy,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        functionAssociations: [{ function: spaRouting, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        // PCN uploaders ask for uploads with POST (the files themselves go straight to S3 with the presigned POST).
        '/api/uploads*': { ...apiBehavior, allowedMethods: AllowedMethods.ALLOW_ALL },
        '/api/*': apiBehavior,
      },
    });
    // Origin mutual TLS: CloudFront presents this certificate to the API's custom domain, which refuses a connection
    // without one from its truststore's CA (CustomOriginConfig.OriginMtlsConfig, AWS::CloudFront::Distribution: "The
    // Amazon Resource Name (ARN) of the client certificate stored in AWS Certificate Manager (ACM) that CloudFront uses
    // to authenticate with your origin using Mutual TLS";
    // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/origin-mtls-authentication.html).
    // The L2 HttpOrigin has no setting for it: an override on the API's origin, found by its domain name.
    if (props.apiClientCertificateArn) {
      const cfn = this.distribution.node.defaultChild as CfnDistribution;
      const config = Stack.of(this).resolve(cfn.distributionConfig) as { origins: { domainName: unknown }[] };
      const domain = Stack.of(this).resolve(props.apiDomainName);
      const index = config.origins.findIndex((o) => JSON.stringify(o.domainName) === JSON.stringify(domain));
      if (index < 0) throw new Error('the API origin is not in the distribution');
      cfn.addPropertyOverride(
        `DistributionConfig.Origins.${index}.CustomOriginConfig.OriginMtlsConfig.ClientCertificateArn`,
        props.apiClientCertificateArn,
      );
    }
    // The build is copied with `aws s3 sync` after deploy (README), not by a BucketDeployment: that would add a
    // custom-resource Lambda with wide S3 permissions to the stack for a copy a deploy script does as well.

    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR3',
      reason:
        'Standard logs would keep every URL with its query string (cs-uri-stem, cs-uri-query: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html), ' +
        'with no way to leave a field out in the legacy format: the sign-in return (/?code=...&state=...), upload ids and API queries. ' +
        'The API stage logs each request by its route only (metrics-api.ts), and the site bucket keeps S3 server access logs of the static files (CloudFront forwards no query string to it).',
    });
    if (!props.webAclArn)
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason:
          'No webAclArn configured: a CloudFront web ACL is made in us-east-1 (the edge stack, deployed first), whose ARN the configuration then names; the synth warns until it does (README, "Before the first deploy").',
      });
    if (!props.domain)
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'No dashboardDomain configured: on the default *.cloudfront.net certificate CloudFront applies TLSv1 whatever the stack asks; setting dashboardDomain (an ACM certificate in us-east-1) gives TLSv1.2_2021 (README, "Before the first deploy").',
      });
    Validations.of(this).acknowledge({
      id: 'HIPAA.Security-S3BucketReplicationEnabled',
      reason: 'The site bucket holds only the dashboard build, which the pipeline redeploys: nothing to replicate.',
    });
    Validations.of(this.bucket).acknowledge({
      id: 'HIPAA.Security-S3DefaultEncryptionKMS',
      reason:
        'CloudFront origin access control reads the public-by-design app build; S3-managed encryption avoids a key policy for CloudFront.',
    });
  }
}
