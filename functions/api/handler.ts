import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { z } from 'zod';
import { type AccessTokenVerifier, cognitoVerifier, identityFromBearer } from '../auth/cognito.ts';
import { fromCloudFront, NOT_THROUGH_CLOUDFRONT, ORIGIN_VERIFY_PREVIOUS } from '../auth/origin-verify.ts';
import { onFirstCall, optionalEnv, requireEnv } from '../lib/config.ts';
import { errorResponse } from '../lib/http-errors.ts';
import { loggedPath } from '../lib/logged-path.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import { S3ObjectStore } from '../lib/s3-object-store.ts';
import { answerAbout, lambdaResponse } from './compress.ts';
import { MetricsApi } from './metrics-api.ts';

type HttpEvent = z.infer<typeof APIGatewayProxyEventV2Schema>;

/**
 * The metrics API behind the HTTP API. The gateway's authoriser has checked the Cognito JWT; the function verifies it
 * again with aws-jwt-verify, because the role in its groups decides which rows the caller may see.
 */
export function createApiHandler(deps: {
  store: ObjectStore;
  logger: Logger;
  verifier: AccessTokenVerifier;
  /** The secret CloudFront's origin header carries (origin-verify.ts); every request without it is refused 403. */
  originSecret: string;
  /** While the secret is being changed, its previous value, accepted too (R18-2). */
  previousOriginSecret?: string;
}) {
  const api = new MetricsApi(deps.store);
  return middy()
    .use(injectLambdaContext(deps.logger))
    .use(parser({ schema: APIGatewayProxyEventV2Schema }))
    .handler(async (event: HttpEvent) => {
      // Before anything else: a request that did not come through CloudFront is answered nothing (review 13, R13-6).
      if (!fromCloudFront(event.headers, [deps.originSecret, deps.previousOriginSecret])) {
        deps.logger.warn('refused: not through CloudFront', { path: loggedPath(event.rawPath), status: 403 });
        const { status, headers, body } = NOT_THROUGH_CLOUDFRONT;
        return { statusCode: status, headers, body };
      }
      let identity: Awaited<ReturnType<typeof identityFromBearer>>;
      try {
        identity = await identityFromBearer(deps.verifier, event.headers?.authorization);
      } catch (error) {
        const refusal = errorResponse(error);
        if (!refusal) throw error;
        deps.logger.warn('refused', {
          path: loggedPath(event.rawPath),
          status: refusal.status,
          reason: (error as Error).message,
        });
        return { statusCode: refusal.status, headers: refusal.headers, body: refusal.body };
      }
      const query = new URLSearchParams(event.rawQueryString);
      const response = await api.handle({
        method: event.requestContext.http.method,
        path: event.rawPath,
        query,
        identity,
        ifNoneMatch: event.headers?.['if-none-match'],
      });
      // A PDF pack is binary (already compressed): base64 with isBase64Encoded, never gzipped again. An answer too
      // large for a Lambda's response is refused naming its document and what to add to the question (compress.ts).
      const sent = response.binary
        ? {
            statusCode: response.status,
            headers: response.headers,
            body: response.binary.toString('base64'),
            isBase64Encoded: true,
          }
        : lambdaResponse(
            response,
            response.encoded,
            event.headers?.['accept-encoding'],
            answerAbout(event.rawPath, query),
          );
      deps.logger.info('request', {
        method: event.requestContext.http.method,
        path: loggedPath(event.rawPath),
        // What the client is sent: a 413 for an answer too large to carry, not the 200 it would have been.
        status: sent.statusCode,
        role: identity.role,
        scope: identity.code,
        user: identity.subject,
      });
      return sent;
    });
}

export const handler = onFirstCall(() => {
  const config = requireEnv(['DATA_BUCKET', 'USER_POOL_ID', 'USER_POOL_CLIENT_ID', 'ORIGIN_VERIFY']);
  return createApiHandler({
    store: new S3ObjectStore(new S3Client({}), config.DATA_BUCKET),
    logger: new Logger({ serviceName: 'sp-outcomes-api' }),
    verifier: cognitoVerifier(config.USER_POOL_ID, config.USER_POOL_CLIENT_ID),
    // Resolved by CloudFormation from Secrets Manager at deploy (a dynamic reference: never in the template).
    originSecret: config.ORIGIN_VERIFY,
    previousOriginSecret: optionalEnv(ORIGIN_VERIFY_PREVIOUS),
  });
});
