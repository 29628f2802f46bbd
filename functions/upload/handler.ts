import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { z } from 'zod';
import { fromCloudFront, NOT_THROUGH_CLOUDFRONT, ORIGIN_VERIFY_PREVIOUS } from '../auth/origin-verify.ts';
import { onFirstCall, optionalEnv, requireEnv } from '../lib/config.ts';
import { loggedPath } from '../lib/logged-path.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import { S3ObjectStore } from '../lib/s3-object-store.ts';
import { PcnTokenRegistry } from './pcn-tokens.ts';
import { type Presigner, S3Presigner } from './presigned-post.ts';
import { UploadApi } from './upload-api.ts';

type HttpEvent = z.infer<typeof APIGatewayProxyEventV2Schema>;

/**
 * The upload API behind the HTTP API. PCN uploaders are machines, not Cognito users: the function checks the PCN
 * token against the hashes under auth/pcn-tokens/ on every request, so a revocation holds at once.
 */
export function createUploadHandler(deps: {
  store: ObjectStore;
  presigner: Presigner;
  logger: Logger;
  /** The secret CloudFront's origin header carries (functions/auth/origin-verify.ts). */
  originSecret: string;
  /** While the secret is being changed, its previous value, accepted too (R18-2). */
  previousOriginSecret?: string;
  /** New uploads a PCN may send in a UTC day (upload-api.ts). @default DAILY_UPLOADS_PER_PCN */
  dailyUploadsPerPcn?: number;
}) {
  const api = new UploadApi(
    { store: deps.store, tokens: new PcnTokenRegistry(deps.store), presigner: deps.presigner },
    deps.dailyUploadsPerPcn === undefined ? {} : { dailyUploadsPerPcn: deps.dailyUploadsPerPcn },
  );
  return middy()
    .use(injectLambdaContext(deps.logger))
    .use(parser({ schema: APIGatewayProxyEventV2Schema }))
    .handler(async (event: HttpEvent) => {
      // Before anything else, as the metrics API (review 13, R13-6): these routes need no Cognito JWT at the gateway.
      if (!fromCloudFront(event.headers, [deps.originSecret, deps.previousOriginSecret])) {
        deps.logger.warn('refused: not through CloudFront', { path: loggedPath(event.rawPath), status: 403 });
        const { status, headers, body } = NOT_THROUGH_CLOUDFRONT;
        return { statusCode: status, headers, body };
      }
      const body =
        event.body === undefined
          ? undefined
          : event.isBase64Encoded
            ? Buffer.from(event.body, 'base64').toString('utf8')
            : event.body;
      const response = await api.handle({
        method: event.requestContext.http.method,
        path: event.rawPath,
        query: new URLSearchParams(event.rawQueryString ?? ''),
        authorization: event.headers?.authorization,
        body,
      });
      // Any caller may send any path, authenticated or not: logged as the local server logs it (an identifier withheld).
      deps.logger.info('request', {
        method: event.requestContext.http.method,
        path: loggedPath(event.rawPath),
        status: response.status,
      });
      return { statusCode: response.status, headers: response.headers, body: response.body };
    });
}

export const handler = onFirstCall(() => {
  const { DATA_BUCKET, ORIGIN_VERIFY } = requireEnv(['DATA_BUCKET', 'ORIGIN_VERIFY']);
  const s3 = new S3Client({});
  return createUploadHandler({
    store: new S3ObjectStore(s3, DATA_BUCKET),
    presigner: new S3Presigner(s3, DATA_BUCKET),
    logger: new Logger({ serviceName: 'sp-outcomes-upload' }),
    originSecret: ORIGIN_VERIFY,
    previousOriginSecret: optionalEnv(ORIGIN_VERIFY_PREVIOUS),
    dailyUploadsPerPcn: dailyUploadsPerPcn(optionalEnv('UPLOADS_PER_PCN_PER_DAY')),
  });
});

/** UPLOADS_PER_PCN_PER_DAY (optional, a whole number, 1 or more): the upload quota, checked at cold start. */
export function dailyUploadsPerPcn(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,6}$/.test(value)) throw new Error('UPLOADS_PER_PCN_PER_DAY must be a whole number, 1 or more');
  return Number(value);
}
