import { expect } from 'vitest';
import type { Receipt } from '../../functions/contract/index.ts';
import type { ObjectStore } from '../../functions/lib/object-store.ts';
import type { MemoryObjectStore } from './memory-store.ts';

/** Where the guard found what looks like personal data, as its receipt names it (never the value). */
export interface Finding {
  row: number;
  field: string | null;
  message: string;
}

/** A cell of a row that holds what looks like `label` (an NHS number, a postcode...). */
export const cellHolding = (row: number, field: string, label: string): Finding => ({
  row,
  field,
  message: `row ${row}, column ${field} holds what looks like ${label}`,
});

/**
 * The guard's refusal of a whole file (issue 11, "No identifier persisted anywhere"): rejected, the receipt naming the
 * position and the reason, and the landed file deleted. The hostile-file tests of the ingest each checked this alike.
 */
export async function expectRefusedWhole(
  ingested: { receipt: Receipt; store: ObjectStore; key: string },
  where: Finding,
): Promise<void> {
  expect(ingested.receipt.status).toBe('rejected');
  expect(ingested.receipt.file_error).toEqual({
    code: 'identifiable_data',
    row: where.row,
    field: where.field,
    message: `${where.message}; the file has been deleted, send it again without it`,
  });
  expect(await ingested.store.get(ingested.key)).toBeUndefined();
}

/** Every byte of every object the store still holds, as text (each key, then its object). */
export function everything(store: MemoryObjectStore): string {
  return [...store.objects.entries()].map(([key, bytes]) => `${key}\n${new TextDecoder().decode(bytes)}`).join('\n');
}

/** After a refusal only the upload's receipt is kept, and none of `values` is in any byte of it or its key. */
export function expectOnlyTheReceiptKept(store: MemoryObjectStore, values: readonly string[]): void {
  const kept = everything(store);
  for (const value of values) expect(kept).not.toContain(value);
  expect(store.objects.size).toBe(1);
  expect([...store.objects.keys()][0]).toMatch(/^receipts\/U00001-[0-9a-f]{32}\.json$/);
}
