import Papa from 'papaparse';
import { PCNS_TABLE, type PcnReferenceRow, pcnReferenceRow, type Receipt, UPLOADS_TABLE } from '../contract/index.ts';
import { tableToParquet } from '../ingest/curated-parquet.ts';
import type { ObjectStore } from '../lib/object-store.ts';

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

/** Rebuilds curated/uploads/uploads.parquet from every receipt, for the data-quality metrics. */
export async function publishUploads(store: ObjectStore): Promise<number> {
  const keys = (await store.list('receipts/')).filter((key) => key.endsWith('.json'));
  const rows: Record<string, unknown>[] = [];
  for (const key of keys) {
    const receipt = JSON.parse(new TextDecoder().decode(await store.get(key))) as Receipt;
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
    rows.push({
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
    });
  }
  if (rows.length > 0) await store.put(`${UPLOADS_TABLE.prefix}/uploads.parquet`, tableToParquet(UPLOADS_TABLE, rows));
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
