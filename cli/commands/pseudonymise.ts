import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { newKey, parseKey } from '../../functions/upload/pseudonymise.ts';
import { checkLocally } from './check-locally.ts';
import { describeReceipt, reportReceipts } from './ingest.ts';

/** `sp-outcomes keygen`: a new secret key for one PCN, readable by its owner only. */
export function runKeygen(pcnCode: string, out: string, log = console.log): void {
  if (existsSync(out)) throw new Error(`${out} already exists: a PCN keeps one key (a new key gives everyone new ids)`);
  writeFileSync(out, `${JSON.stringify(newKey(pcnCode), null, 2)}\n`, { mode: 0o600 });
  log(`wrote the key for ${pcnCode} to ${out} (readable by you only): keep it safe and backed up; never send it`);
}

/**
 * `sp-outcomes pseudonymise`: the extract (nhs_number) becomes the upload file (person_id), then the file is
 * checked on this machine by the same ingest core the server runs, so its errors show before anything is sent.
 * A row without a valid NHS number cannot be linked to its person, so such an extract is not written at all (as
 * `sp-outcomes upload` refuses to send it); every row of the upload file is then the same row of the extract,
 * and the checker's row numbers are the extract's.
 * Exit code: 0 ready to send; 2 some rows would be rejected; 1 the file would be rejected or was not written.
 */
export async function runPseudonymise(
  extractPath: string,
  keyPath: string,
  out: string,
  log = console.log,
): Promise<number> {
  const started = performance.now();
  const key = parseKey(readFileSync(keyPath, 'utf8'));
  const check = await checkLocally(readFileSync(extractPath, 'utf8'), key);
  if (check.receipt === undefined) {
    for (const error of check.nhsNumberErrors)
      log(`✖ ${extractPath}: row ${error.row}, field ${error.field}: ${error.message} (${error.code})`);
    log(
      `nothing written: ${check.nhsNumberErrors.length} rows have a missing or invalid NHS number; fix them and run again`,
    );
    return 1;
  }
  writeFileSync(out, check.body);
  log(
    `wrote ${(check.pseudonymisedRows ?? 0).toLocaleString('en-GB')} rows to ${out}, with person_id in place of nhs_number`,
  );
  for (const line of describeReceipt(out, check.receipt, 5)) log(line);
  return reportReceipts(1, [check.receipt], false, started, { out: log }).exitCode;
}
