import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** A real S3-protocol server (s3rver) on loopback, with a fresh folder and bucket per test file. */
export interface LocalS3 {
  readonly client: S3Client;
  readonly endpoint: string;
  readonly server: S3rver;
  readonly directory: string;
  createBucket(name: string): Promise<void>;
  /** A client for the same server through another endpoint (a fault proxy), with the SDK's own retries. */
  clientVia(endpoint: string, maxAttempts: number): S3Client;
  /** Stops the server, keeping its folder and port, so that `startAgain` brings the same bucket back. */
  stopServer(): Promise<void>;
  startAgain(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalS3(): Promise<LocalS3> {
  const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  let server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const address = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${address.port}`;
  const clientVia = (at: string, maxAttempts: number) =>
    new S3Client({
      endpoint: at,
      region: 'eu-west-2',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      // s3rver predates the SDK's default CRC checksums on every request.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts,
    });
  const client = clientVia(endpoint, 1);
  return {
    client,
    endpoint,
    get server() {
      return server;
    },
    directory,
    clientVia,
    stopServer: () => server.close(),
    startAgain: async () => {
      server = new S3rver({ address: '127.0.0.1', port: address.port, silent: true, directory });
      await server.run();
    },
    createBucket: async (name) => {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    stop: async () => {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
