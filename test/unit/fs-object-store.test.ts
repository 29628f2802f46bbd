import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { tempDir } from '../support/files.ts';

describe('FsObjectStore.put', () => {
  it('remembers the folders it made, and makes one again that was removed behind its back', async () => {
    const dir = tempDir('fs-store');
    const store = new FsObjectStore(dir.path);
    await store.put('curated/events/event_month=2026-09/a.parquet', 'one');
    // Compaction (or a person) removes the partition folder and the temp folder the store made.
    rmSync(join(dir.path, 'curated', 'events', 'event_month=2026-09'), { recursive: true });
    rmSync(join(dir.path, '.tmp'), { recursive: true });
    await store.put('curated/events/event_month=2026-09/b.parquet', 'two');
    expect(new TextDecoder().decode(await store.get('curated/events/event_month=2026-09/b.parquet'))).toBe('two');
    expect(await store.get('curated/events/event_month=2026-09/a.parquet')).toBeUndefined();
    expect(await store.list('curated/')).toEqual(['curated/events/event_month=2026-09/b.parquet']);
    expect(existsSync(join(dir.path, '.tmp'))).toBe(true);
  });
});
