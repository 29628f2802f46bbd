import { Readable } from 'node:stream';
import { assertSafeKey, type ObjectStore, type StoredObject } from '../../functions/lib/object-store.ts';

/** The storage port in memory, for property tests that ingest thousands of generated files. */
export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, Uint8Array>();
  /** When each object was last written (the upload quota counts a day's by it, as S3's LastModified). */
  private readonly written = new Map<string, Date>();

  /** clock: when a put writes (a test that checks listModified's times gives its own). @default now */
  constructor(private readonly clock: () => Date = () => new Date()) {}

  async get(key: string) {
    assertSafeKey(key);
    return this.objects.get(key);
  }

  async getStream(key: string) {
    const bytes = await this.get(key);
    return bytes === undefined ? undefined : Readable.from([Buffer.from(bytes)]);
  }

  async put(key: string, body: Uint8Array | string) {
    assertSafeKey(key);
    // A copy: the caller may write over its bytes once the put resolves (ObjectStore.put).
    this.objects.set(key, typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body));
    this.written.set(key, this.clock());
  }

  async list(prefix: string) {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async listModified(prefix: string): Promise<StoredObject[]> {
    return (await this.list(prefix)).map((key) => ({ key, lastModified: this.written.get(key) as Date }));
  }

  async delete(key: string) {
    this.objects.delete(key);
    this.written.delete(key);
  }
}
