import { describe, expect, it } from 'vitest';
import { publishUploads } from '../../functions/refresh/publish-tables.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';

/**
 * An upload counts once its receipt exists (ARCHITECTURE.md): a receipt the refresh cannot read (an older version,
 * or one written by hand) stops the refresh with its key and the fields at fault, and the uploads table published
 * before stays as it was. Never a TypeError, never an upload left out unseen.
 */
const good = {
  upload_id: 'U00001-a',
  pcn_code: 'U00001',
  kind: 'events',
  status: 'accepted',
  received_at: '2026-10-01T09:00:00.000Z',
  rows: { read: 3, accepted: 3, rejected: 0 },
  rejected_by_reason: {},
  file_error: null,
};
const TABLE = 'curated/uploads/uploads.parquet';

async function refused(receipt: string): Promise<{ message: string; tableKept: boolean }> {
  // Prepare: one good receipt published, then a second, malformed one.
  const store = new MemoryObjectStore();
  await store.put('receipts/U00001-a.json', JSON.stringify(good));
  expect(await publishUploads(store)).toBe(1);
  const before = await store.get(TABLE);
  await store.put('receipts/U00001-b.json', receipt);

  // Act
  const message = await publishUploads(store).then(
    () => 'published',
    (error: Error) => `${error.name}: ${error.message}`,
  );

  // Assess: the table of the last good refresh is untouched.
  const after = await store.get(TABLE);
  return { message, tableKept: Buffer.from(after as Uint8Array).equals(Buffer.from(before as Uint8Array)) };
}

describe('a receipt the refresh cannot read stops it, naming the receipt and the field', () => {
  it('an older receipt without rows', async () => {
    const { rows: _, ...older } = { ...good, upload_id: 'U00001-b' };
    expect(await refused(JSON.stringify(older))).toEqual({
      message:
        'Error: publishing the uploads table: receipt receipts/U00001-b.json is not a receipt this version reads: ' +
        'rows (Invalid input: expected object, received undefined)',
      tableKept: true,
    });
  });

  it('a hand-made receipt with only a file error: every missing field named, in the schema order', async () => {
    expect(await refused(JSON.stringify({ file_error: { code: 'identifiable_data' } }))).toEqual({
      message:
        'Error: publishing the uploads table: receipt receipts/U00001-b.json is not a receipt this version reads: ' +
        'upload_id (Invalid input: expected string, received undefined); ' +
        'pcn_code (Invalid input: expected string, received undefined); ' +
        'kind (Invalid option: expected one of "events"|"workforce"); ' +
        'status (Invalid option: expected one of "accepted"|"partially_accepted"|"rejected"); ' +
        'received_at (Invalid input: expected string, received undefined); ' +
        'rows (Invalid input: expected object, received undefined); ' +
        'rejected_by_reason (Invalid input: expected record, received undefined)',
      tableKept: true,
    });
  });

  it('a count that is not a number', async () => {
    const wrong = { ...good, upload_id: 'U00001-b', rows: { read: 3, accepted: '3', rejected: 0 } };
    expect(await refused(JSON.stringify(wrong))).toEqual({
      message:
        'Error: publishing the uploads table: receipt receipts/U00001-b.json is not a receipt this version reads: ' +
        'rows.accepted (Invalid input: expected number, received string)',
      tableKept: true,
    });
  });

  it('a receipt that is not JSON, or not an object', async () => {
    expect(await refused('{"upload_id": "U00001-b",')).toEqual({
      message: 'Error: publishing the uploads table: receipt receipts/U00001-b.json is not JSON',
      tableKept: true,
    });
    expect(await refused('[]')).toEqual({
      message:
        'Error: publishing the uploads table: receipt receipts/U00001-b.json is not a receipt this version reads: ' +
        'the receipt is not an object',
      tableKept: true,
    });
  });
});
