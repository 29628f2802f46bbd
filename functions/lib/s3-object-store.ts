import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { assertSafeKey, type ObjectStore, type StoredObject } from './object-store.ts';

/** The production store: one bucket (optionally under a key prefix) with the same layout as FsObjectStore. */
export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    private readonly keyPrefix = '',
    /** Keys per list request. @default 1000 */
    private readonly options: { pageSize?: number } = {},
  ) {}

  private key(key: string): string {
    assertSafeKey(key);
    return `${this.keyPrefix}${key}`;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const body = await this.getBody(key);
    return body === undefined ? undefined : await body.transformToByteArray();
  }

  async getStream(key: string): Promise<Readable | undefined> {
    return (await this.getBody(key)) as Readable | undefined;
  }

  private async getBody(key: string) {
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return result.Body;
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async put(key: string, body: Uint8Array | string, options: { contentType?: string } = {}): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: this.key(key), Body: body, ContentType: options.contentType }),
    );
  }

  async list(prefix: string): Promise<string[]> {
    return (await this.listModified(prefix)).map((object) => object.key);
  }

  async listModified(prefix: string): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    const pages = paginateListObjectsV2(
      { client: this.client, pageSize: this.options.pageSize ?? 1000 },
      { Bucket: this.bucket, Prefix: `${this.keyPrefix}${prefix}` },
    );
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        if (object.Key)
          objects.push({
            key: object.Key.slice(this.keyPrefix.length),
            lastModified: object.LastModified ?? new Date(0),
          });
      }
    }
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
  }
}
