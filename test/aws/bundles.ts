import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { GlueTable, Workgroup } from './athena-stand-in.ts';

/** The synthesised app, read from cdk.out: functions, their bundles and environment, tables and workgroups. */
type Resource = { Type: string; Properties: Record<string, unknown> };
export interface SynthesisedApp {
  readonly outDir: string;
  readonly resources: Record<string, Resource>;
  /** Logical id of every bucket → the name it has here (s3rver): the logical id in lower case. */
  readonly buckets: Record<string, string>;
}

export async function synthesise(outDir: string): Promise<SynthesisedApp> {
  await promisify(execFile)('npx', ['cdk', 'synth', '--no-notices', '--quiet', '-o', outDir], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return readApp(outDir);
}

/**
 * The pipeline stack's template (`<name>-pipeline`): the app also synthesises `<name>-edge` (infra/edge-stack.ts, the
 * CloudFront web ACL in us-east-1), which has no function or bucket.
 */
export function readApp(outDir: string): SynthesisedApp {
  const templates = readdirSync(outDir).filter((f) => f.endsWith('-pipeline.template.json'));
  if (templates.length !== 1) throw new Error(`expected one pipeline template in ${outDir}, found ${templates.length}`);
  const file = templates[0] as string;
  const resources = JSON.parse(readFileSync(join(outDir, file), 'utf8')).Resources as Record<string, Resource>;
  const buckets = Object.fromEntries(
    Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::S3::Bucket')
      .map(([id]) => [id, id.toLowerCase()]),
  );
  return { outDir, resources, buckets };
}

/** A CloudFormation value with Refs to buckets resolved to their local names (others to a placeholder). */
export function resolveValue(app: SynthesisedApp, value: unknown, others: Record<string, string> = {}): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v.Ref) return app.buckets[v.Ref as string] ?? others[v.Ref as string] ?? `unresolved-${v.Ref}`;
  if (v['Fn::Join']) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolveValue(app, p, others)).join(sep);
  }
  if (v['Fn::GetAtt']) return `unresolved-${(v['Fn::GetAtt'] as string[]).join('.')}`;
  return JSON.stringify(value);
}

export function glueTables(app: SynthesisedApp): GlueTable[] {
  return Object.values(app.resources)
    .filter((r) => r.Type === 'AWS::Glue::Table')
    .map((r) => {
      const input = r.Properties.TableInput as {
        Name: string;
        Parameters: Record<string, unknown>;
        PartitionKeys?: { Name: string }[];
        StorageDescriptor: { Location: unknown; Columns: { Name: string; Type: string }[] };
      };
      const location = resolveValue(app, input.StorageDescriptor.Location);
      const [, bucket, prefix] = /^s3:\/\/([^/]+)\/(.*)$/.exec(location) as unknown as [string, string, string];
      const partition = input.PartitionKeys?.[0]?.Name;
      const range = partition ? String(input.Parameters[`projection.${partition}.range`]).split(',') : [];
      return {
        name: input.Name,
        bucket,
        prefix,
        columns: input.StorageDescriptor.Columns.map((c) => ({ name: c.Name, type: c.Type })),
        ...(partition ? { partition: { name: partition, range: range as [string, string] } } : {}),
      };
    });
}

/** The template's workgroups; with `resolve` (TemplateAuthoriser.resolve), the ARN of the key results are encrypted with. */
export function workgroups(app: SynthesisedApp, resolve?: (value: unknown) => unknown): Workgroup[] {
  return Object.values(app.resources)
    .filter((r) => r.Type === 'AWS::Athena::WorkGroup')
    .map((r) => {
      const config = r.Properties.WorkGroupConfiguration as {
        EnforceWorkGroupConfiguration?: boolean;
        ResultConfiguration: {
          OutputLocation: unknown;
          EncryptionConfiguration?: { EncryptionOption: string; KmsKey?: unknown };
        };
      };
      const encryption = config.ResultConfiguration.EncryptionConfiguration;
      return {
        name: String(r.Properties.Name),
        enforced: config.EnforceWorkGroupConfiguration === true,
        outputLocation: resolveValue(app, config.ResultConfiguration.OutputLocation),
        ...(resolve && encryption?.KmsKey ? { kmsKeyArn: String(resolve(encryption.KmsKey)) } : {}),
      };
    });
}

/**
 * Every module a bundle's index.mjs imports (import statements and import() of a literal), as esbuild's metafile
 * lists them with every import left external: what the runtime must resolve besides the bundle itself.
 */
export async function bundleImports(asset: string): Promise<string[]> {
  const { metafile } = await build({
    entryPoints: [join(asset, 'index.mjs')],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    external: ['*'],
    logLevel: 'silent',
  });
  return [...new Set(Object.values(metafile.inputs).flatMap((input) => input.imports.map((i) => i.path)))].sort();
}

/** A Node built-in module, named with node: or without (bundled CommonJS code may require('fs')). */
export const isNodeBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier);

/** A function of the template: its bundle folder in cdk.out and its environment. */
export function lambdaFunction(app: SynthesisedApp, logicalIdPrefix: string) {
  const entry = Object.entries(app.resources).find(
    ([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(logicalIdPrefix),
  );
  if (!entry) throw new Error(`no function ${logicalIdPrefix} in the template`);
  const properties = entry[1].Properties as {
    Code: { S3Key: string };
    Handler: string;
    MemorySize?: number;
    Timeout?: number;
    Environment?: { Variables: Record<string, unknown> };
  };
  const asset = join(app.outDir, `asset.${properties.Code.S3Key.replace(/\.zip$/, '')}`);
  return {
    logicalId: entry[0],
    asset,
    handler: properties.Handler,
    memoryMb: properties.MemorySize ?? 128,
    timeoutSeconds: properties.Timeout ?? 3,
    env: properties.Environment?.Variables ?? {},
  };
}

// Runs a bundle as Lambda's Node.js runtime would: the handler's module imported once, then one event per line on
// stdin, each answered with a line on stdout. Requests to Cognito's JWKS address are answered from STAND_IN_JWKS.
const RUNNER = `
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { EventEmitter } from 'node:events';
const realRequest = https.request;
https.request = (uri, options, callback) => {
  if (String(uri).startsWith('https://cognito-idp.') && process.env.STAND_IN_JWKS) {
    const req = new EventEmitter();
    req.destroy = () => {};
    req.end = () => {
      const res = new PassThrough();
      res.statusCode = 200;
      res.headers = { 'content-type': 'application/json' };
      callback(res);
      res.end(process.env.STAND_IN_JWKS);
    };
    return req;
  }
  return realRequest(uri, options, callback);
};
syncBuiltinESMExports();
const [file, name] = process.env.LAMBDA_HANDLER.split('.');
const module = await import('./' + file + '.mjs');
const handler = module[name];
let n = 0;
for await (const line of createInterface({ input: process.stdin })) {
  const event = JSON.parse(line);
  const context = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: '$LATEST', memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: 'req-' + (++n), invokedFunctionArn: 'arn:aws:lambda:eu-west-2:111122223333:function:' + process.env.AWS_LAMBDA_FUNCTION_NAME,
    callbackWaitsForEmptyEventLoop: true,
  };
  const deadline = Date.now() + Number(process.env.AWS_LAMBDA_FUNCTION_TIMEOUT) * 1000;
  context.getRemainingTimeInMillis = () => deadline - Date.now();
  let answer;
  try {
    answer = { ok: true, result: await handler(event, context) };
  } catch (error) {
    answer = { ok: false, error: { name: error.name, message: error.message } };
  }
  answer.maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(JSON.stringify(answer) + '\\n');
}
`;

export interface Invocation {
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: { name: string; message: string };
  /** The process's peak resident memory so far, MB. */
  readonly maxRssMb: number;
}

/**
 * A warm Lambda: the bundle copied to a folder with no node_modules, where only Node's built-ins resolve (the AWS SDK
 * is in the bundle: infra/constructs/lambda-defaults.ts), run in a child process. What runs is what ships: nothing
 * of this repository's node_modules is linked in (review 33, R33-2).
 */
export class WarmLambda {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: ((answer: Invocation) => void)[] = [];
  readonly stderr: string[] = [];

  constructor(fn: ReturnType<typeof lambdaFunction>, dir: string, env: Record<string, string>) {
    mkdirSync(dir, { recursive: true });
    cpSync(fn.asset, dir, { recursive: true });
    writeFileSync(join(dir, 'runner.mjs'), RUNNER);
    this.child = spawn(process.execPath, ['--enable-source-maps', 'runner.mjs'], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        LAMBDA_HANDLER: fn.handler,
        AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
        AWS_LAMBDA_FUNCTION_TIMEOUT: String(fn.timeoutSeconds),
        AWS_REGION: 'eu-west-2',
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        // s3rver predates the SDK's default CRC checksums on every request.
        AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
        AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
        POWERTOOLS_LOG_LEVEL: 'WARN',
        ...env,
      },
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (!line.startsWith('{"ok"')) return;
      this.waiting.shift()?.(JSON.parse(line) as Invocation);
    });
    this.child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
  }

  invoke(event: unknown): Promise<Invocation> {
    return new Promise((resolveAnswer, reject) => {
      const onExit = (code: number) =>
        reject(new Error(`the function's process ended (${code}): ${this.stderr.join('').slice(-2000)}`));
      this.child.once('exit', onExit);
      this.waiting.push((answer) => {
        this.child.off('exit', onExit);
        resolveAnswer(answer);
      });
      this.child.stdin.write(`${JSON.stringify(event)}\n`);
    });
  }

  stop(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}
