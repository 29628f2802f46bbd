import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newKey, parseKey, pseudonymiseExtract } from '../../functions/upload/pseudonymise.ts';
import { ingestFiles } from './ingest.ts';

/** `sp-outcomes keygen`: a new secret key for one PCN, readable by its owner only. */
export function runKeygen(pcnCode: string, out: string, log = console.log): void {
  if (existsSync(out)) throw new Error(`${out} already exists: a PCN keeps one key (a new key gives everyone new ids)`);
  writeFileSync(out, `${JSON.stringify(newKey(pcnCode), null, 2)}\n`, { mode: 0o600 });
  log(`wrote the key for ${pcnCode} to ${out} (readable by you only): keep it safe and backed up; never send it`);
}

/**
 * `sp-outcomes pseudonymise`: the extract (nhs_number) becomes the upload file (person_id), then the file is
 * checked on this machine by the same ingest core the server runs, so its errors show before anything is sent.
 * Exit code: 0 ready to send; 2 some rows would be rejected; 1 the file would be rejected.
 */
export async function runPseudonymise(
  extractPath: string,
  keyPath: string,
  out: string,
  log = console.log,
): Promise<number> {
  const key = parseKey(readFileSync(keyPath, 'utf8'));
  const result = pseudonymiseExtract(readFileSync(extractPath, 'utf8'), key);
  for (const error of result.errors)
    log(`✖ ${extractPath}: row ${error.row}, field ${error.field}: ${error.message} (${error.code})`);
  writeFileSync(out, result.csv);
  log(
    `wrote ${result.rows.toLocaleString('en-GB')} rows to ${out}, with person_id in place of nhs_number${result.errors.length ? `; ${result.errors.length} rows left out` : ''}`,
  );
  const scratch = mkdtempSync(join(tmpdir(), 'sp-outcomes-check-'));
  try {
    const { exitCode } = await ingestFiles([out], { dataDir: scratch, pcn: key.pcn_code, out: log, progress: false });
    return result.errors.length > 0 && exitCode === 0 ? 2 : exitCode;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
