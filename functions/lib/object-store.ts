import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { HttpError } from './http-errors.ts';
// Temp files of a put killed part-way are swept when a local refresh starts (temp-files.ts, review 21, R21-5).
import { TEMP_DIR } from './temp-files.ts';

/**
 * The storage port: the same key layout in S3 and on disk (see ARCHITECTURE.md, "Storage layout").
 * A put is atomic: a reader sees the whole object or none of it.
 */
export interface ObjectStore {
  /** The object's bytes, or undefined when there is no such key. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** The object as a stream, for uploads too large to hold twice; undefined when there is no such key. */
  getStream(key: string): Promise<Readable | undefined>;
  /**
   * Stores body under key. A put reads its body only until it resolves: the caller may then write over those bytes
   * (the refresh reuses its buffers for the next documents: functions/refresh/document-json.ts), so a store that keeps
   * the bytes keeps a copy.
   */
  put(key: string, body: Uint8Array | string, options?: { contentType?: string }): Promise<void>;
  /** Every key that starts with prefix, sorted: listModified's keys (a store may list them without the times). */
  list(prefix: string): Promise<string[]>;
  /**
   * Every key that starts with prefix, sorted, with when its object was last written (S3's LastModified, which a
   * listing gives at no extra cost; a file's modification time). What the upload quota counts with: required of
   * every store, so that a store without it fails to compile rather than the quota failing at run time.
   */
  listModified(prefix: string): Promise<StoredObject[]>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
}

/** A key and when its object was last written. */
export interface StoredObject {
  readonly key: string;
  readonly lastModified: Date;
}

/** A key that could step outside the store: from a request, so 400. */
export class InvalidKeyError extends HttpError {
  constructor(reason: string) {
    super(400, `invalid object key: ${reason}`);
  }
}

/** Keys come from uploads and URLs: refuse anything that could step outside the store. */
export function assertSafeKey(key: string): void {
  if (key.length === 0 || key.length > 1024) throw new InvalidKeyError('empty or longer than 1024 characters');
  if (key.startsWith('/')) throw new InvalidKeyError('starts with /');
  if (/[\\\0\r\n]/.test(key)) throw new InvalidKeyError('contains a backslash or control character');
  if (key.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new InvalidKeyError('contains an empty, . or .. segment');
  }
}

/** The local store's folders and objects: their owner's only (R30-10). */
export const FOLDER_MODE = 0o700;
export const FILE_MODE = 0o600;

/** The embedded default: a folder on disk with the same keys as the bucket. */
export class FsObjectStore implements ObjectStore {
  constructor(readonly root: string) {}

  private path(key: string): string {
    assertSafeKey(key);
    return join(this.root, ...key.split('/'));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async getStream(key: string): Promise<Readable | undefined> {
    const path = this.path(key);
    try {
      await stat(path);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    return createReadStream(path);
  }

  /**
   * Folders this store has made: a put into one of them does not ask the file system again (two recursive mkdirs were
   * most of a small object's cost). A folder removed behind the store's back is made again on the write that misses it.
   */
  private readonly folders = new Set<string>();

  private async folder(dir: string, again = false): Promise<void> {
    if (!again && this.folders.has(dir)) return;
    if (!this.narrowed) await this.narrowRoot();
    await mkdir(dir, { recursive: true, mode: FOLDER_MODE });
    this.folders.add(dir);
  }

  private narrowed = false;

  /**
   * The store's folder is its owner's only (review 30, R30-10: curated Parquet, quarantine, receipts and
   * private/revisions' exact per-PCN counts were 0644 in 0755 folders, readable by every account on a shared machine
   * running `serve`): made 0700, and an existing one this process owns narrowed to it, as the signing key's file is.
   */
  private async narrowRoot(): Promise<void> {
    this.narrowed = true;
    await mkdir(this.root, { recursive: true, mode: FOLDER_MODE });
    const { mode, uid } = await stat(this.root);
    if ((mode & 0o077) !== 0 && (process.getuid === undefined || uid === process.getuid()))
      await chmod(this.root, mode & 0o700);
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const target = this.path(key);
    const temp = join(this.root, TEMP_DIR, randomUUID());
    await this.folder(dirname(temp));
    await this.folder(dirname(target));
    await this.inFolder(dirname(temp), () => writeFile(temp, body, { mode: FILE_MODE }));
    await this.inFolder(dirname(target), () => rename(temp, target));
  }

  /** Runs a write; if its folder has gone (ENOENT), makes the folder again and runs it once more. */
  private async inFolder(dir: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.folder(dir, true);
      await write();
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const start = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const walk = async (dir: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isNotFound(error)) return;
        throw error;
      }
      for (const entry of entries) {
        const full = join(dir, entry.name);
        const key = relative(this.root, full).split(sep).join('/');
        if (key === TEMP_DIR) continue;
        if (entry.isDirectory()) {
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) await walk(full);
        } else if (key.startsWith(prefix)) {
          keys.push(key);
        }
      }
    };
    await walk(start === '' ? this.root : join(this.root, ...start.split('/')));
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async listModified(prefix: string): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    for (const key of await this.list(prefix)) {
      try {
        objects.push({ key, lastModified: (await stat(this.path(key))).mtime });
      } catch (error) {
        // Deleted since it was listed: as S3's listing would not have it.
        if (!isNotFound(error)) throw error;
      }
    }
    return objects;
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT';
}
