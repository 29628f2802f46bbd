import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { z } from 'zod';
import { PCNS_TABLE, type Receipt, UPLOADS_TABLE } from '../contract/index.ts';
import { RECEIPTS_PREFIX, receiptKey, uploadIdOfReceiptKey } from '../lib/keys.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import { tableToParquet } from '../lib/parquet.ts';
import { currentReference, parseReference } from '../lib/reference-versions.ts';

/** Publishes the latest reference version as curated/pcns/pcns.parquet; returns its key, or undefined if none. */
export async function publishReference(store: ObjectStore): Promise<string | undefined> {
  const current = await currentReference(store);
  if (current === undefined) return undefined;
  const rows = parseReference(current.key, current.text);
  await store.put(`${PCNS_TABLE.prefix}/pcns.parquet`, tableToParquet(PCNS_TABLE, rows));
  return current.key;
}

const INVALID = new Set([
  'required',
  'invalid_type',
  'invalid_value',
  'invalid_format',
  'out_of_range',
  'not_applicable',
  'unknown_field',
  'future_date',
  'column_count',
  'invalid_json',
]);
const DUPLICATE = new Set(['duplicate_event_id', 'duplicate_row']);

/** One row of the uploads table from one receipt. */
function uploadRow(receipt: Receipt): Record<string, unknown> {
  let invalid = 0;
  let duplicate = 0;
  let other = 0;
  if (receipt.file_error === null) {
    for (const [code, count] of Object.entries(receipt.rejected_by_reason)) {
      if (INVALID.has(code)) invalid += count;
      else if (DUPLICATE.has(code)) duplicate += count;
      else other += count;
    }
  }
  return {
    upload_id: receipt.upload_id,
    pcn_code: receipt.pcn_code,
    kind: receipt.kind,
    status: receipt.status,
    received_at: receipt.received_at,
    rows_read: receipt.rows.read,
    rows_accepted: receipt.rows.accepted,
    rows_rejected: receipt.rows.rejected,
    file_error: receipt.file_error?.code ?? null,
    rejected_invalid: invalid,
    rejected_duplicate: duplicate,
    rejected_other: other,
  };
}

/** The receipt fields the uploads table reads (contract/receipt.ts); an older or hand-made receipt may lack some. */
const ReceiptFields = z.object({
  upload_id: z.string(),
  pcn_code: z.string(),
  kind: z.enum(['events', 'workforce']).nullable(),
  status: z.enum(['accepted', 'partially_accepted', 'rejected']),
  received_at: z.string(),
  rows: z.object({ read: z.number(), accepted: z.number(), rejected: z.number() }),
  rejected_by_reason: z.record(z.string(), z.number()),
  file_error: z.object({ code: z.string() }).nullable(),
});

/**
 * A receipt, checked. An upload counts once its receipt exists (ARCHITECTURE.md), so one that cannot be read stops the
 * refresh, naming its key and fields (never a value), rather than leaving the upload out of the figures unseen.
 */
function readReceipt(key: string, bytes: Uint8Array): Receipt {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new Error(`publishing the uploads table: receipt ${key} is not JSON`, { cause: error });
  }
  const checked = ReceiptFields.safeParse(json);
  if (checked.success) return json as Receipt;
  const fields = checked.error.issues.map((issue) =>
    issue.path.length === 0 ? 'the receipt is not an object' : `${issue.path.join('.')} (${issue.message})`,
  );
  const why = `receipt ${key} is not a receipt this version reads: ${fields.join('; ')}`;
  throw new Error(`publishing the uploads table: ${why}`, { cause: checked.error });
}

const UPLOADS_KEY = `${UPLOADS_TABLE.prefix}/uploads.parquet`;
const RECEIPT_READS_IN_FLIGHT = 16;

/** The uploads table's columns as this version writes them (names, types, order), to tell a table it can keep. */
let uploadsSchema: string | undefined;
const schemaOf = (file: ArrayBuffer) => JSON.stringify(parquetMetadata(file).schema);

/**
 * The upload id of every receipt stored: one listing of receipts/ (one object per upload ever, some 2,500 more a month
 * nationally), which a refresh makes once and gives to each step that needs it (review 24, R24-5a).
 */
export async function listReceipts(store: ObjectStore): Promise<string[]> {
  return (await store.list(RECEIPTS_PREFIX)).filter((key) => key.endsWith('.json')).map(uploadIdOfReceiptKey);
}

/**
 * The uploads table (one row per receipt) that the metrics join on: an upload counts only once its receipt exists.
 * Incremental, because receipts accumulate (about 2,500 a month nationally) and never change: the table kept from
 * the last refresh is read back, rows whose receipt is gone are dropped, and only new receipts are fetched. When no
 * receipt is new or gone, the kept table is kept as it is (its upload ids are read, not its rows, and it is not
 * written again: some 120,000 rows nationally after three years). A kept table whose columns are not this version's
 * (an older version wrote it) is not read: every receipt is read again. `receipts`: the upload ids listReceipts gave
 * (@default listed here).
 */
export async function publishUploads(store: ObjectStore, receipts?: readonly string[]): Promise<number> {
  const ids = receipts ?? (await listReceipts(store));
  const listed = new Set(ids);
  const previous = await store.get(UPLOADS_KEY);
  let file =
    previous === undefined
      ? undefined
      : (previous.buffer.slice(previous.byteOffset, previous.byteOffset + previous.byteLength) as ArrayBuffer);
  uploadsSchema ??= schemaOf(tableToParquet(UPLOADS_TABLE, []).buffer as ArrayBuffer);
  if (file !== undefined && schemaOf(file) !== uploadsSchema) file = undefined;
  if (file !== undefined && ids.length > 0) {
    const kept = (await parquetReadObjects({ file, columns: ['upload_id'] })).map((row) => String(row.upload_id));
    if (kept.length === listed.size && new Set(kept).size === kept.length && kept.every((id) => listed.has(id)))
      return kept.length;
  }
  const known = new Map<string, Record<string, unknown>>();
  if (file !== undefined) {
    for (const row of await parquetReadObjects({ file })) {
      const id = String(row.upload_id);
      if (!listed.has(id)) continue;
      known.set(id, {
        ...row,
        received_at: row.received_at instanceof Date ? row.received_at.toISOString() : row.received_at,
      });
    }
  }
  const fresh = ids.filter((id) => !known.has(id));
  for (let i = 0; i < fresh.length; i += RECEIPT_READS_IN_FLIGHT) {
    const batch = fresh.slice(i, i + RECEIPT_READS_IN_FLIGHT);
    const receipts = await Promise.all(batch.map((id) => store.get(receiptKey(id))));
    receipts.forEach((bytes, j) => {
      const id = batch[j] as string;
      if (bytes !== undefined) known.set(id, uploadRow(readReceipt(receiptKey(id), bytes)));
    });
  }
  const rows = [...known.values()].sort((a, b) => String(a.upload_id).localeCompare(String(b.upload_id)));
  // With no receipts left, an empty table: a stale one would keep counting uploads whose receipts are gone.
  if (rows.length > 0 || previous !== undefined) await store.put(UPLOADS_KEY, tableToParquet(UPLOADS_TABLE, rows));
  return rows.length;
}
