import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { z } from 'zod';
import type { ObjectStore } from '../lib/object-store.ts';
import { S3ObjectStore } from '../lib/s3-object-store.ts';
import { MetricsApi } from './metrics-api.ts';

type HttpEvent = z.infer<typeof APIGatewayProxyEventV2Schema>;

/** The metrics API behind the HTTP API (which has already checked the Cognito JWT): route, answer, log. */
export function createApiHandler(deps: { store: ObjectStore; logger: Logger }) {
  const api = new MetricsApi(deps.store);
  return middy()
    .use(injectLambdaContext(deps.logger))
    .use(parser({ schema: APIGatewayProxyEventV2Schema }))
    .handler(async (event: HttpEvent) => {
      const response = await api.handle({
        method: event.requestContext.http.method,
        path: event.rawPath,
        query: new URLSearchParams(event.rawQueryString),
      });
      deps.logger.info('request', {
        method: event.requestContext.http.method,
        path: event.rawPath,
        status: response.status,
      });
      return { statusCode: response.status, headers: response.headers, body: response.body };
    });
}

export const handler = createApiHandler({
  store: new S3ObjectStore(new S3Client({}), process.env.DATA_BUCKET ?? ''),
  logger: new Logger({ serviceName: 'sp-outcomes-api' }),
});
