import { chmodSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { testTempDir } from '../support/files.ts';

describe('FsObjectStore.put', () => {
  it('remembers the folders it made, and makes one again that was removed behind its back', async () => {
    const dir = testTempDir('fs-store');
    const store = new FsObjectStore(dir);
    await store.put('curated/events/event_month=2026-09/a.parquet', 'one');
    // Compaction (or a person) removes the partition folder and the temp folder the store made.
    rmSync(join(dir, 'curated', 'events', 'event_month=2026-09'), { recursive: true });
    rmSync(join(dir, '.tmp'), { recursive: true });
    await store.put('curated/events/event_month=2026-09/b.parquet', 'two');
    expect(new TextDecoder().decode(await store.get('curated/events/event_month=2026-09/b.parquet'))).toBe('two');
    expect(await store.get('curated/events/event_month=2026-09/a.parquet')).toBeUndefined();
    expect(await store.list('curated/')).toEqual(['curated/events/event_month=2026-09/b.parquet']);
    expect(existsSync(join(dir, '.tmp'))).toBe(true);
  });
});

// Review 30, R30-10: the local store was world-readable (0644 objects in 0755 folders), curated and private/ included.
describe('FsObjectStore keeps its objects its owner’s only', () => {
  const modeOf = (path: string) => statSync(path).mode & 0o777;

  it('a fresh store’s folder and every folder it makes are 0700, every object 0600', async () => {
    const dir = testTempDir('fs-store-modes');
    const root = join(dir, 'data');
    const store = new FsObjectStore(root);
    await store.put('private/revisions/england-release.json.gz', 'counts');
    await store.put('receipts/U00001-1.json', '{}');
    expect([
      modeOf(root),
      modeOf(join(root, 'private')),
      modeOf(join(root, 'private', 'revisions')),
      modeOf(join(root, 'private', 'revisions', 'england-release.json.gz')),
      modeOf(join(root, 'receipts', 'U00001-1.json')),
    ]).toEqual([0o700, 0o700, 0o700, 0o600, 0o600]);
  });

  it('an existing folder open to others is narrowed to its owner on the first write', async () => {
    const dir = testTempDir('fs-store-narrow');
    const root = join(dir, 'data');
    mkdirSync(root);
    chmodSync(root, 0o755);
    await new FsObjectStore(root).put('metrics/meta.json', '{}');
    expect(modeOf(root)).toBe(0o700);
  });
});
