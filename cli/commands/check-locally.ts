import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import type { Receipt, UploadKind } from '../../functions/contract/index.ts';
import { ingestUpload } from '../../functions/ingest/ingest.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import { kindOfColumns } from '../../functions/ingest/validate-row.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { type PcnKey, type PseudonymiseError, pseudonymiseExtract } from '../../functions/upload/pseudonymise.ts';

/** A file made ready to send on the PCN's own machine, and what the server's checks would say of it. */
export interface LocalCheck {
  /** The upload file: the extract pseudonymised (person_id for nhs_number), or the file as it was. */
  readonly body: Buffer;
  readonly kind: UploadKind;
  /** Rows pseudonymised, when the file was an extract. */
  readonly pseudonymisedRows?: number;
  /** Rows without a valid NHS number: the extract cannot become an upload file, and nothing else was checked. */
  readonly nhsNumberErrors: readonly PseudonymiseError[];
  /** The receipt the server's own ingest core gives the upload file here; undefined when nhsNumberErrors. */
  readonly receipt?: Receipt;
}

/**
 * Pseudonymises an extract (a file with an nhs_number column) and runs the server's own ingest core on the result
 * in a scratch folder, so its messages show before anything leaves the machine. `sp-outcomes pseudonymise` and
 * `sp-outcomes upload` both check through here.
 */
export async function checkLocally(text: string, key: PcnKey): Promise<LocalCheck> {
  const header = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { preview: 1 }).data[0]?.map((c) => c.trim()) ?? [];
  const kind = kindOfColumns(header) ?? 'events';
  let body = Buffer.from(text, 'utf8');
  let pseudonymised: { pseudonymisedRows: number } | undefined;
  if (header.includes('nhs_number')) {
    const result = pseudonymiseExtract(text, key);
    // A row without a valid NHS number cannot be linked to its person: the extract is fixed and sent again whole.
    if (result.errors.length > 0) return { body, kind, nhsNumberErrors: result.errors };
    body = Buffer.from(result.csv, 'utf8');
    pseudonymised = { pseudonymisedRows: result.rows };
  }
  const scratch = mkdtempSync(join(tmpdir(), 'sp-outcomes-check-'));
  try {
    const store = new FsObjectStore(scratch);
    const landed = await stageUpload(store, key.pcn_code, 'upload.csv', body);
    const { receipt } = await ingestUpload({ store }, { key: landed });
    return { body, kind, ...pseudonymised, nhsNumberErrors: [], receipt };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
