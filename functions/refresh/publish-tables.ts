import { parquetReadObjects } from 'hyparquet';
import Papa from 'papaparse';
import { PCNS_TABLE, type PcnReferenceRow, pcnReferenceRow, type Receipt, UPLOADS_TABLE } from '../contract/index.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import { tableToParquet } from '../lib/parquet.ts';

export const REFERENCE_PREFIX = 'reference/pcns/';

export class ReferenceDataError extends Error {
  constructor(key: string, problems: string[]) {
    super(
      `${key}: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? ` … and ${problems.length - 10} more` : ''}`,
    );
    this.name = 'ReferenceDataError';
  }
}

/** Reads and validates one version of the PCN reference file (CSV with the PCN_REFERENCE_COLUMNS header). */
export function parseReference(key: string, text: string): PcnReferenceRow[] {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: true,
  });
  const problems: string[] = [];
  const rows: PcnReferenceRow[] = [];
  parsed.data.forEach((raw, i) => {
    const cells = Object.fromEntries(
      Object.entries(raw)
        .filter(([, v]) => v !== '' && v !== undefined)
        .map(([k, v]) => [k, k === 'list_size' ? Number(v) : v]),
    );
    const result = pcnReferenceRow.safeParse(cells);
    if (result.success) rows.push(result.data);
    else
      for (const issue of result.error.issues)
        problems.push(`row ${i + 2}, field ${String(issue.path[0] ?? '')}: ${issue.message}`);
  });
  if (rows.length === 0 && problems.length === 0) problems.push('no rows');
  if (problems.length > 0) throw new ReferenceDataError(key, problems);
  return rows;
}

/** Publishes the latest reference version as curated/pcns/pcns.parquet; returns its key, or undefined if none. */
export async function publishReference(store: ObjectStore): Promise<string | undefined> {
  const versions = (await store.list(REFERENCE_PREFIX)).filter((key) => key.endsWith('.csv'));
  const latest = versions.at(-1);
  if (latest === undefined) return undefined;
  const rows = parseReference(latest, new TextDecoder().decode(await store.get(latest)));
  await store.put(`${PCNS_TABLE.prefix}/pcns.parquet`, tableToParquet(PCNS_TABLE, rows));
  return latest;
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

const UPLOADS_KEY = `${UPLOADS_TABLE.prefix}/uploads.parquet`;
const RECEIPT_READS_IN_FLIGHT = 16;

/**
 * The uploads table (one row per receipt) that the metrics join on: an upload counts only once its receipt exists.
 * Incremental, because receipts accumulate (about 2,500 a month nationally) and never change: the table kept from
 * the last refresh is read back, rows whose receipt is gone are dropped, and only new receipts are fetched.
 */
export async function publishUploads(store: ObjectStore): Promise<number> {
  const ids = (await store.list('receipts/'))
    .filter((key) => key.endsWith('.json'))
    .map((key) => key.slice('receipts/'.length, -'.json'.length));
  const listed = new Set(ids);
  const known = new Map<string, Record<string, unknown>>();
  const previous = await store.get(UPLOADS_KEY);
  if (previous !== undefined) {
    const buffer = previous.buffer.slice(previous.byteOffset, previous.byteOffset + previous.byteLength) as ArrayBuffer;
    for (const row of await parquetReadObjects({ file: buffer })) {
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
    const receipts = await Promise.all(batch.map((id) => store.get(`receipts/${id}.json`)));
    receipts.forEach((bytes, j) => {
      if (bytes !== undefined)
        known.set(batch[j] as string, uploadRow(JSON.parse(new TextDecoder().decode(bytes)) as Receipt));
    });
  }
  const rows = [...known.values()].sort((a, b) => String(a.upload_id).localeCompare(String(b.upload_id)));
  // With no receipts left, an empty table: a stale one would keep counting uploads whose receipts are gone.
  if (rows.length > 0 || previous !== undefined) await store.put(UPLOADS_KEY, tableToParquet(UPLOADS_TABLE, rows));
  return rows.length;
}

/**
 * Keeps a new version of the PCN reference file under reference/pcns/, after checking every row. Versions sort
 * by the date they were staged; the latest one is in force.
 */
export async function stageReference(store: ObjectStore, text: string, now = new Date()): Promise<string> {
  const { createHash } = await import('node:crypto');
  const key = `${REFERENCE_PREFIX}${now.toISOString().slice(0, 19).replace(/[-:]/g, '')}-${createHash('sha256').update(text).digest('hex').slice(0, 8)}.csv`;
  parseReference(key, text);
  await store.put(key, text, { contentType: 'text/csv' });
  return key;
}
