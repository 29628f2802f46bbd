import { Duration, Validations } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, HttpNoneAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { DataLake } from './data-lake.ts';
import { acknowledgeFunctionFindings, pipelineFunction } from './lambda-defaults.ts';
import { originVerifyEnvironment } from './metrics-api.ts';

export interface UploadApiProps {
  readonly dataLake: DataLake;
  /** The HTTP API the upload routes join (the metrics API's, so uploads and metrics share one address). */
  readonly httpApi: HttpApi;
  /** @default true */
  readonly retainData?: boolean;
  /** Concurrency reserved for the upload API function. @default none reserved */
  readonly reservedConcurrency?: number;
  /**
   * The values of the header CloudFront adds that the function accepts (MetricsApi.originVerify: the current one, and
   * the previous one while it is changed): requests without one are refused.
   */
  readonly originVerify: { readonly current: string; readonly previous?: string };
}

/**
 * The upload API for PCN uploaders: POST /api/uploads and GET /api/uploads/{id} on the metrics API's HTTP API, in
 * front of the upload Lambda. PCN uploaders are machines with PCN tokens, not Cognito users: the function checks the
 * token against its stored hash on every request. It may check tokens, read receipts, sign presigned POSTs for
 * landing/ (a presigned POST carries the signer's own rights) and list landing/ key names (PCN and hash) to tell
 * "processing" from "never sent"; it cannot read any upload's contents.
 */
export class UploadApi extends Construct {
  readonly handler: NodejsFunction;

  constructor(scope: Construct, id: string, props: UploadApiProps) {
    super(scope, id);
    const { dataLake } = props;
    const { handler, role } = pipelineFunction(this, {
      entry: 'functions/upload/handler.ts',
      serviceName: 'sp-outcomes-upload',
      description: 'Grants PCN uploads (presigned POST to their own landing key) and returns their receipts',
      key: dataLake.key,
      retainData: props.retainData ?? true,
      timeout: Duration.seconds(10),
      reservedConcurrency: props.reservedConcurrency,
      environment: { DATA_BUCKET: dataLake.dataBucket.bucketName, ...originVerifyEnvironment(props.originVerify) },
    });
    this.handler = handler;
    dataLake.grantRead(handler, ['auth/pcn-tokens/', 'receipts/'], ['auth/pcn-tokens/', 'receipts/', 'landing/pcn=']);
    dataLake.grantWrite(handler, ['landing/']);

    const integration = new HttpLambdaIntegration('Upload', handler);
    for (const [path, method] of [
      ['/api/uploads', HttpMethod.POST],
      ['/api/uploads/{id}', HttpMethod.GET],
    ] as const) {
      const [route] = props.httpApi.addRoutes({
        path,
        methods: [method],
        integration,
        authorizer: new HttpNoneAuthorizer(),
      });
      Validations.of(route as Construct).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'PCN upload routes authenticate with a PCN token (not a Cognito user) that the upload function checks against its stored SHA-256 on every request, so revocation holds at once.',
      });
    }

    acknowledgeFunctionFindings(handler, role, [
      { bucket: dataLake.dataBucket, prefixes: ['auth/pcn-tokens', 'receipts', 'landing'] },
    ]);
    Validations.of(handler).acknowledge({
      id: 'HIPAA.Security-LambdaDLQ',
      reason:
        'Invoked synchronously by the HTTP API for each request: a failure is the response, there is no event to dead-letter.',
    });
  }
}
