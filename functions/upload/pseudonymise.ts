import { createHmac, randomBytes } from 'node:crypto';
import Papa from 'papaparse';
import { PCN_CODE_PATTERN } from '../contract/areas.ts';
import { isValidNhsNumber } from '../lib/nhs-number.ts';

/**
 * Pseudonymisation at source: on the PCN's own machine, each NHS number becomes person_id = HMAC-SHA256 of the
 * normalised number under the PCN's secret key, and the NHS number column is dropped. The same person always gets
 * the same id from the same PCN; without the key the id cannot be turned back or recomputed.
 */
export interface PcnKey {
  readonly version: 1;
  readonly pcn_code: string;
  /** 32 random bytes, base64. */
  readonly secret: string;
  readonly created_at: string;
}

export function newKey(pcnCode: string, now = new Date()): PcnKey {
  if (!PCN_CODE_PATTERN.test(pcnCode)) throw new Error('the PCN code must be U followed by 5 digits');
  return { version: 1, pcn_code: pcnCode, secret: randomBytes(32).toString('base64'), created_at: now.toISOString() };
}

export function parseKey(text: string): PcnKey {
  const key = JSON.parse(text) as Partial<PcnKey>;
  if (
    key.version !== 1 ||
    typeof key.pcn_code !== 'string' ||
    typeof key.secret !== 'string' ||
    Buffer.from(key.secret, 'base64').length !== 32
  ) {
    throw new Error('not a PCN key file made by sp-outcomes keygen');
  }
  return key as PcnKey;
}

/** An NHS number as digits only: spaces and hyphens are how people write it, not part of it. */
export const normaliseNhsNumber = (value: string) => value.replace(/[\s-]/g, '');

export function personIdFor(key: PcnKey, nhsNumber: string): string {
  return createHmac('sha256', Buffer.from(key.secret, 'base64')).update(normaliseNhsNumber(nhsNumber)).digest('hex');
}

export interface PseudonymiseError {
  readonly row: number;
  readonly field: 'nhs_number';
  readonly code: 'required' | 'invalid_nhs_number';
  readonly message: string;
}

export interface PseudonymiseResult {
  /** The contract file: person_id in place of nhs_number, every other column as it was. */
  readonly csv: string;
  readonly rows: number;
  /** Rows left out because their NHS number was missing or invalid; the messages never echo the number. */
  readonly errors: readonly PseudonymiseError[];
}

/** Turns a PCN extract (the contract with nhs_number in place of person_id) into an upload file. */
export function pseudonymiseExtract(extract: string, key: PcnKey): PseudonymiseResult {
  const parsed = Papa.parse<string[]>(extract.replace(/^\uFEFF/, ''), { skipEmptyLines: false });
  // Numbered as a spreadsheet shows them, empty lines counted before they are left out (R19-11).
  const records = parsed.data
    .map((cells, i) => ({ cells, number: i + 1 }))
    .filter(({ cells }) => !(cells.length === 1 && cells[0] === ''));
  const header = records[0]?.cells;
  const rows = records.slice(1);
  if (!header) throw new Error('the extract is empty');
  const at = header.indexOf('nhs_number');
  if (at === -1) throw new Error('the extract has no nhs_number column');
  if (header.includes('person_id')) throw new Error('the extract already has a person_id column');
  const outHeader = header.map((name, i) => (i === at ? 'person_id' : name));
  const errors: PseudonymiseError[] = [];
  const out: string[][] = [];
  rows.forEach(({ cells: row, number: rowNumber }) => {
    const number = normaliseNhsNumber(row[at] ?? '');
    if (number === '') {
      errors.push({
        row: rowNumber,
        field: 'nhs_number',
        code: 'required',
        message: "is empty: every row needs the person's NHS number",
      });
      return;
    }
    if (!isValidNhsNumber(number)) {
      errors.push({
        row: rowNumber,
        field: 'nhs_number',
        code: 'invalid_nhs_number',
        message: 'is not a valid NHS number (10 digits passing the modulus 11 check)',
      });
      return;
    }
    out.push(row.map((cell, j) => (j === at ? personIdFor(key, number) : cell)));
  });
  return { csv: `${Papa.unparse({ fields: outHeader, data: out }, { newline: '\n' })}\n`, rows: out.length, errors };
}
