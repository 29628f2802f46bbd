import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import busboy from 'busboy';
import type { RequestContext } from '../support/iam-rules.ts';
import { accessKeyOf, type TemplateAuthoriser } from './iam-authoriser.ts';

/**
 * A proxy on loopback in front of s3rver that authorises every S3 request of a function's bundle against its role's
 * policies and the bucket's policy (TemplateAuthoriser), as S3 does, and answers a refused one as S3 does: 403,
 * <Error><Code>AccessDenied</Code>, with a message naming the action and resource. Allowed requests are forwarded
 * untouched (s3rver checks the signature with the function's own access key: registerKeys).
 */

// Which permission each S3 operation needs (the "Permissions" section of each operation's API reference page):
export const S3_RULE_SOURCES = {
  getObject: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html',
  putObject: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html',
  deleteObject: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html',
  listObjectsV2: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html',
  headBucket: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html',
  multipart: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions',
  postObject: 'https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html',
  conditionKeys: 'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html',
  kms: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html',
  missingKey: 'https://github.com/kopia/kopia/issues/3072',
} as const;

/** Lets s3rver accept each function's access key (its secret is s3rver's own), so signatures still verify. */
export function registerKeys(keys: readonly string[]): void {
  const account = createRequire(import.meta.url)('s3rver/lib/models/account.js') as {
    DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
  };
  for (const key of keys) account.DUMMY_ACCOUNT.createKeyPair(key, 'S3RVER');
}

interface Need {
  readonly action: string;
  readonly resource: string;
  readonly context?: RequestContext;
}

const accessDenied = (message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>${message.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Message></Error>`;

/** The permissions an S3 REST request (path-style) needs before S3 acts on it. */
export function s3Needs(
  authoriser: TemplateAuthoriser,
  method: string,
  bucket: string,
  key: string | undefined,
  query: URLSearchParams,
  headers: IncomingMessage['headers'],
): Need[] {
  const kmsKey = authoriser.bucketKeyArn(bucket);
  if (key === undefined || key === '') {
    const bucketArn = authoriser.bucketArn(bucket);
    if (query.has('location')) return [{ action: 's3:GetBucketLocation', resource: bucketArn }];
    if (query.has('uploads')) return [{ action: 's3:ListBucketMultipartUploads', resource: bucketArn }];
    if (query.has('versions'))
      return [{ action: 's3:ListBucketVersions', resource: bucketArn, context: prefixContext(query) }];
    // S3_RULE_SOURCES.listObjectsV2: "you must have READ access to the bucket" (s3:ListBucket); s3:prefix is the
    // request's prefix (S3_RULE_SOURCES.conditionKeys), absent when the request names none. HeadBucket needs the same
    // (S3_RULE_SOURCES.headBucket).
    if (method === 'GET' || method === 'HEAD')
      return [{ action: 's3:ListBucket', resource: bucketArn, context: prefixContext(query) }];
    if (method === 'PUT') return [{ action: 's3:CreateBucket', resource: bucketArn }];
    return [{ action: `s3:Unsupported${method}Bucket`, resource: bucketArn }];
  }
  const objectArn = authoriser.objectArn(bucket, key);
  if (method === 'GET' || method === 'HEAD') {
    if (query.has('uploadId')) return [{ action: 's3:ListMultipartUploadParts', resource: objectArn }];
    if (query.has('tagging')) return [{ action: 's3:GetObjectTagging', resource: objectArn }];
    // S3_RULE_SOURCES.getObject: s3:GetObject (s3:GetObjectVersion for a version); kms:Decrypt is checked on the
    // answer (only an object that exists is decrypted).
    return [{ action: query.has('versionId') ? 's3:GetObjectVersion' : 's3:GetObject', resource: objectArn }];
  }
  if (method === 'DELETE') {
    if (query.has('uploadId')) return [{ action: 's3:AbortMultipartUpload', resource: objectArn }];
    // S3_RULE_SOURCES.deleteObject: s3:DeleteObject, s3:DeleteObjectVersion for a version.
    return [{ action: query.has('versionId') ? 's3:DeleteObjectVersion' : 's3:DeleteObject', resource: objectArn }];
  }
  if (method === 'PUT' || method === 'POST') {
    if (query.has('tagging')) return [{ action: 's3:PutObjectTagging', resource: objectArn }];
    if (query.has('retention')) return [{ action: 's3:PutObjectRetention', resource: objectArn }];
    if (query.has('legal-hold')) return [{ action: 's3:PutObjectLegalHold', resource: objectArn }];
    const needs: Need[] = [{ action: 's3:PutObject', resource: objectArn }];
    const source = headers['x-amz-copy-source'];
    if (typeof source === 'string') {
      const [sourceBucket, ...sourceKey] = decodeURIComponent(source.replace(/^\//, '').split('?')[0] as string).split(
        '/',
      );
      needs.push({
        action: 's3:GetObject',
        resource: authoriser.objectArn(sourceBucket as string, sourceKey.join('/')),
      });
      if (kmsKey) needs.push({ action: 'kms:Decrypt', resource: kmsKey });
    }
    // S3_RULE_SOURCES.kms: "To upload an object encrypted with an AWS KMS key to Amazon S3, you need
    // kms:GenerateDataKey permissions on the key"; a multipart upload also needs kms:Decrypt
    // (S3_RULE_SOURCES.multipart). Once per object: at PutObject, or at CreateMultipartUpload (POST ?uploads).
    const startsObject = !query.has('uploadId') && !query.has('partNumber');
    if (kmsKey && startsObject) needs.push({ action: 'kms:GenerateDataKey', resource: kmsKey });
    if (kmsKey && query.has('uploads')) needs.push({ action: 'kms:Decrypt', resource: kmsKey });
    return needs;
  }
  return [{ action: `s3:Unsupported${method}Object`, resource: objectArn }];
}

function prefixContext(query: URLSearchParams): RequestContext {
  const prefix = query.get('prefix');
  return prefix === null ? {} : { 's3:prefix': prefix };
}

/** The variable a POST upload's key may hold, replaced by the file's name (S3_RULE_SOURCES.postObject). */
const FILENAME = ['$', '{filename}'].join('');

/** The fields of a browser's POST upload (S3_RULE_SOURCES.postObject): key and credential come before the file. */
async function formFields(body: Buffer, headers: IncomingMessage['headers']): Promise<Record<string, string>> {
  const fields: Record<string, string> = {};
  await new Promise<void>((resolve, reject) => {
    const parser = busboy({ headers });
    parser.on('field', (name, value) => {
      fields[name.toLowerCase()] = value;
    });
    parser.on('file', (_name, stream, info) => {
      fields[FILENAME] = info.filename ?? '';
      stream.resume();
    });
    parser.on('close', resolve);
    parser.on('error', reject);
    parser.end(body);
  });
  return fields;
}

export interface S3IamProxy {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startS3IamProxy(targetEndpoint: string, authoriser: TemplateAuthoriser): Promise<S3IamProxy> {
  const target = new URL(targetEndpoint);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void handle(Buffer.concat(chunks)).catch((error: Error) => {
        res.writeHead(500, { 'content-type': 'application/xml' });
        res.end(`<Error><Code>InternalError</Code><Message>${error.message}</Message></Error>`);
      });
    });

    const deny = (message: string) => {
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end(req.method === 'HEAD' ? undefined : accessDenied(message));
    };

    async function handle(body: Buffer): Promise<void> {
      const url = new URL(req.url ?? '/', 'http://local');
      const [bucket = '', ...keyParts] = url.pathname.replace(/^\//, '').split('/');
      const method = req.method ?? 'GET';
      let key: string | undefined = keyParts.length > 0 ? keyParts.map(decodeURIComponent).join('/') : undefined;
      let caller = accessKeyOf(req.headers.authorization, url.searchParams.get('X-Amz-Credential'));
      if (method === 'POST' && key === undefined && String(req.headers['content-type']).startsWith('multipart/')) {
        // A browser's POST upload, signed by the function that made the policy: its credential and key are fields.
        const fields = await formFields(body, req.headers);
        caller = accessKeyOf(undefined, fields['x-amz-credential']);
        key = (fields.key ?? '').replace(FILENAME, fields[FILENAME] ?? '');
      }
      for (const need of s3Needs(authoriser, method, decodeURIComponent(bucket), key, url.searchParams, req.headers)) {
        const refusal = authoriser.authorise(caller ?? '', need.action, need.resource, need.context);
        if (refusal) return deny(refusal.message);
      }
      const upstream = request(
        { host: target.hostname, port: target.port, method, path: req.url, headers: req.headers },
        (answer) => {
          const status = answer.statusCode ?? 502;
          const isObjectRead = (method === 'GET' || method === 'HEAD') && key !== undefined;
          if (isObjectRead && status === 404 && !url.searchParams.has('uploadId')) {
            // S3_RULE_SOURCES.getObject: "If you have the s3:ListBucket permission on the bucket, Amazon S3 returns an
            // HTTP status code 404 Not Found error. If you don't have the s3:ListBucket permission, Amazon S3 returns
            // an HTTP status code 403 Access Denied error." A ListBucket limited by s3:prefix answers 404 for keys
            // under its prefix (S3_RULE_SOURCES.missingKey, tested against S3), so the key is the prefix here.
            const refusal = authoriser.authorise(caller ?? '', 's3:ListBucket', authoriser.bucketArn(bucket), {
              's3:prefix': key as string,
            });
            if (refusal) {
              answer.resume();
              return deny(refusal.message);
            }
          }
          const kmsKey = authoriser.bucketKeyArn(decodeURIComponent(bucket));
          if (method === 'GET' && key !== undefined && status === 200 && kmsKey && !url.searchParams.has('uploadId')) {
            // S3_RULE_SOURCES.kms: "To download an object encrypted with an AWS KMS key, you need kms:Decrypt".
            const refusal = authoriser.authorise(caller ?? '', 'kms:Decrypt', kmsKey);
            if (refusal) {
              answer.resume();
              return deny(refusal.message);
            }
          }
          res.writeHead(status, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      upstream.end(body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
