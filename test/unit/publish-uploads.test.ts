import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { UPLOADS_TABLE } from '../../functions/contract/index.ts';
import { tableToParquet } from '../../functions/lib/parquet.ts';
import { publishUploads } from '../../functions/refresh/publish-tables.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';

const receipt = (id: string, accepted: number, rejectedByReason: Record<string, number> = {}) =>
  JSON.stringify({
    upload_id: id,
    pcn_code: id.slice(0, 6),
    kind: 'events',
    status: 'accepted',
    received_at: '2026-10-01T09:00:00.000Z',
    rows: { read: accepted + 2, accepted, rejected: 2 },
    rejected_by_reason: rejectedByReason,
    file_error: null,
  });

async function table(store: MemoryObjectStore) {
  const bytes = (await store.get('curated/uploads/uploads.parquet')) as Uint8Array;
  const rows = await parquetReadObjects({
    file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  });
  return rows.map((r) => [
    r.upload_id,
    r.rows_accepted,
    r.rejected_invalid,
    r.rejected_duplicate,
    (r.received_at as Date).toISOString(),
  ]);
}

describe('the uploads table (the receipts the metrics count)', () => {
  it('reads only new receipts each refresh, and drops uploads whose receipt is gone', async () => {
    const store = new MemoryObjectStore();
    await store.put('receipts/U00001-a.json', receipt('U00001-a', 10, { invalid_value: 1, duplicate_event_id: 1 }));
    await store.put('receipts/U00002-b.json', receipt('U00002-b', 20, { out_of_range: 2 }));
    expect(await publishUploads(store)).toBe(2);

    const reads: string[] = [];
    const get = store.get.bind(store);
    store.get = async (key: string) => {
      reads.push(key);
      return get(key);
    };
    await store.put('receipts/U00003-c.json', receipt('U00003-c', 30));
    await store.delete('receipts/U00001-a.json');
    expect(await publishUploads(store)).toBe(2);
    expect(reads).toEqual(['curated/uploads/uploads.parquet', 'receipts/U00003-c.json']);
    expect(await table(store)).toEqual([
      ['U00002-b', 20, 2, 0, '2026-10-01T09:00:00.000Z'],
      ['U00003-c', 30, 0, 0, '2026-10-01T09:00:00.000Z'],
    ]);

    for (const key of await store.list('receipts/')) await store.delete(key);
    expect(await publishUploads(store)).toBe(0);
    expect(await table(store)).toEqual([]);
  });

  it('keeps the table as it is when no receipt is new or gone, and rewrites one with other columns', async () => {
    const store = new MemoryObjectStore();
    await store.put('receipts/U00001-a.json', receipt('U00001-a', 10));
    await store.put('receipts/U00002-b.json', receipt('U00002-b', 20));
    expect(await publishUploads(store)).toBe(2);
    const kept = store.objects.get('curated/uploads/uploads.parquet');

    const calls: string[] = [];
    const [get, put] = [store.get.bind(store), store.put.bind(store)];
    store.get = async (key: string) => {
      calls.push(`get ${key}`);
      return get(key);
    };
    store.put = async (key: string, body: Uint8Array | string) => {
      calls.push(`put ${key}`);
      return put(key, body);
    };
    expect(await publishUploads(store)).toBe(2);
    expect(calls).toEqual(['get curated/uploads/uploads.parquet']);
    expect(store.objects.get('curated/uploads/uploads.parquet')).toBe(kept);

    // A table an older version wrote, without the last column: not read; every receipt is read again.
    const older = { ...UPLOADS_TABLE, columns: UPLOADS_TABLE.columns.slice(0, -1) };
    const rows = [
      { upload_id: 'U00001-a', rows_accepted: 10, received_at: '2026-10-01T09:00:00.000Z' },
      { upload_id: 'U00002-b', rows_accepted: 20, received_at: '2026-10-01T09:00:00.000Z' },
    ];
    await put('curated/uploads/uploads.parquet', tableToParquet(older, rows));
    calls.length = 0;
    expect(await publishUploads(store)).toBe(2);
    expect(calls).toEqual([
      'get curated/uploads/uploads.parquet',
      'get receipts/U00001-a.json',
      'get receipts/U00002-b.json',
      'put curated/uploads/uploads.parquet',
    ]);
    const bytes = store.objects.get('curated/uploads/uploads.parquet') as Uint8Array;
    const columns = Object.keys(
      (await parquetReadObjects({ file: bytes.buffer.slice(0) as ArrayBuffer, rowEnd: 1 }))[0] ?? {},
    );
    expect(columns).toEqual(UPLOADS_TABLE.columns.map((c) => c.name));
    expect(await table(store)).toEqual([
      ['U00001-a', 10, 0, 0, '2026-10-01T09:00:00.000Z'],
      ['U00002-b', 20, 0, 0, '2026-10-01T09:00:00.000Z'],
    ]);
  });
});
