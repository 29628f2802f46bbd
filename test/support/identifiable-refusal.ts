import { expect } from 'vitest';
import type { Receipt } from '../../functions/contract/index.ts';
import { ingestUpload } from '../../functions/ingest/ingest.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import type { ObjectStore } from '../../functions/lib/object-store.ts';
import { csvText, PERSON, REQUIRED_EVENT_COLUMNS } from './files.ts';
import { MemoryObjectStore } from './memory-store.ts';

/** The PCN the guard's tests upload as, and when. */
export const GUARD_PCN = 'U00001';
const GUARD_NOW = new Date('2026-10-01T09:00:00Z');

/** The columns of the guard's test files: the required ones and a community connection's. */
export const GUARD_COLUMNS = [...REQUIRED_EVENT_COLUMNS, 'activity_category', 'provider_id', 'attended'];

/** A community connection, in GUARD_COLUMNS order, with the given cells changed. */
export function connection(changes: Readonly<Record<string, string>> = {}): string[] {
  const cells: Record<string, string> = {
    event_id: 'E1',
    event_type: 'community_connection',
    pcn_code: GUARD_PCN,
    referral_id: 'R1',
    person_id: PERSON,
    occurred_on: '2026-09-01',
    activity_category: 'befriending_social',
    provider_id: 'VCSE-QE1-1BP',
    attended: 'true',
    ...changes,
  };
  return GUARD_COLUMNS.map((column) => cells[column] ?? '');
}

/** The rows staged as one upload of GUARD_PCN and ingested by the real ingest core, on a store of their own. */
export async function ingestRows(
  rows: string[][],
  columns: readonly string[] = GUARD_COLUMNS,
): Promise<{ receipt: Receipt; store: MemoryObjectStore; key: string }> {
  const store = new MemoryObjectStore();
  const key = await stageUpload(store, GUARD_PCN, 'upload.csv', new TextEncoder().encode(csvText(columns, rows)));
  const { receipt } = await ingestUpload({ store, clock: () => GUARD_NOW }, { key });
  return { receipt, store, key };
}

/** A whole file's bytes (or text) staged as one upload of GUARD_PCN and ingested by the real ingest core. */
export async function ingestFile(
  body: string | Uint8Array,
  name = 'upload.csv',
): Promise<{ receipt: Receipt; store: MemoryObjectStore; key: string }> {
  const store = new MemoryObjectStore();
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const key = await stageUpload(store, GUARD_PCN, name, bytes);
  const { receipt } = await ingestUpload({ store, clock: () => GUARD_NOW }, { key });
  return { receipt, store, key };
}

/** The header and two connections, the second with `cell` written as is (quotes and commas included) into `field`. */
export const plantedFile = (cell: string, field = 'provider_id', header: readonly string[] = GUARD_COLUMNS) =>
  `${[header, connection({ event_id: 'E1' }), connection({ event_id: 'E2', [field]: cell })]
    .map((cells) => cells.join(','))
    .join('\n')}\n`;

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
