import { S3ObjectStore } from '../../functions/lib/s3-object-store.ts';
import { AthenaStandIn, type GlueTable } from '../aws/athena-stand-in.ts';
import {
  glueTables,
  type lambdaFunction,
  readApp,
  type SynthesisedApp,
  synthesise,
  workgroups,
} from '../aws/bundles.ts';
import { TemplateAuthoriser } from '../aws/iam-authoriser.ts';
import { registerKeys, type S3IamProxy, startS3IamProxy } from '../aws/s3-iam-proxy.ts';
import { type LocalS3, startLocalS3 } from './s3.ts';

/**
 * What every `test:aws` file starts before it runs a bundle from cdk.out: the synthesised app, s3rver with every bucket
 * of the template, the IAM stand-in (each function's role's policies as synthesised) and the S3 proxy that authorises
 * every call by it.
 */
export interface AwsStandIns {
  readonly app: SynthesisedApp;
  readonly s3: LocalS3;
  /** Authorises every call of a bundle against its role's policies as synthesised; its refusals are read by tests. */
  readonly authoriser: TemplateAuthoriser;
  /** s3rver behind the authoriser: the endpoint a bundle is given. */
  readonly s3Proxy: S3IamProxy;
  /** The template's data bucket (DataLakeData...) and Athena results bucket (DataLakeAthenaResults...), by name. */
  readonly dataBucket: string;
  readonly resultsBucket: string;
  /** The data bucket straight to s3rver (not through the proxy): the test's own reads and writes. */
  readonly data: S3ObjectStore;
  /** A function's environment as synthesised, its references to buckets resolved to their names. */
  functionEnv(fn: ReturnType<typeof lambdaFunction>): Record<string, string>;
  /**
   * An Athena stand-in over s3rver, started: the template's workgroups and Glue tables (or `tables`), every call
   * authorised by `rights` (@default the synthesised template's). The caller stops it.
   */
  startAthena(rights?: TemplateAuthoriser, tables?: GlueTable[]): Promise<AthenaStandIn>;
  /** Stops the proxy and s3rver (what the caller started on them, lambdas and stand-ins, first). */
  stop(): Promise<void>;
}

/**
 * Starts the stand-ins of AwsStandIns. The app is read from AWS_TEST_CDK_OUT when set (CI synthesises once), else
 * synthesised into `cdkOut`.
 */
export async function startAwsStandIns(cdkOut: string): Promise<AwsStandIns> {
  const app = process.env.AWS_TEST_CDK_OUT ? readApp(process.env.AWS_TEST_CDK_OUT) : await synthesise(cdkOut);
  const s3 = await startLocalS3();
  let s3Proxy: S3IamProxy;
  let authoriser: TemplateAuthoriser;
  try {
    for (const bucket of Object.values(app.buckets)) await s3.createBucket(bucket);
    authoriser = new TemplateAuthoriser({ Resources: app.resources }, app.buckets);
    registerKeys(authoriser.accessKeys());
    s3Proxy = await startS3IamProxy(s3.endpoint, authoriser);
  } catch (error) {
    await s3.stop();
    throw error;
  }
  const bucketOf = (logicalIdPrefix: string) =>
    app.buckets[Object.keys(app.buckets).find((id) => id.startsWith(logicalIdPrefix)) as string] as string;
  const dataBucket = bucketOf('DataLakeData');
  const rights = authoriser;
  return {
    app,
    s3,
    authoriser,
    s3Proxy,
    dataBucket,
    resultsBucket: bucketOf('DataLakeAthenaResults'),
    data: new S3ObjectStore(s3.clientVia(s3.endpoint, 3), dataBucket),
    functionEnv: (fn) =>
      Object.fromEntries(
        Object.entries(fn.env).map(([k, v]) => [
          k,
          typeof v === 'string' ? v : ((app.buckets[(v as { Ref: string }).Ref] as string) ?? 'unresolved'),
        ]),
      ),
    async startAthena(by = rights, tables = glueTables(app)) {
      const athena = new AthenaStandIn({
        workgroups: workgroups(app, (v) => by.resolve(v)),
        tables,
        s3Directory: s3.directory,
        // Athena's own reads and writes of S3 are the service's business: a connection s3rver drops under load is
        // retried as an AWS SDK's standard retry mode does, three attempts (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html),
        // never failing the query as "read ECONNRESET" (seen once in test:aws at load 12-20). The fault tests keep
        // s3.client's single attempt.
        s3: s3.clientVia(s3.endpoint, 3),
        authoriser: by,
      });
      await athena.start();
      return athena;
    },
    async stop() {
      await s3Proxy.stop();
      await s3.stop();
    },
  };
}
