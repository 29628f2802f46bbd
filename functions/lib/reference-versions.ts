/**
 * Versions of the PCN reference file under reference/pcns/: checked when staged, the latest in force. The reference
 * import stages versions and the refresh publishes the one in force; both take the rule from here.
 */
import { createHash } from 'node:crypto';
import Papa from 'papaparse';
import { type PcnReferenceRow, pcnReferenceRow } from '../contract/reference.ts';
import { REFERENCE_PREFIX } from './keys.ts';
import type { ObjectStore } from './object-store.ts';

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

/**
 * Keeps a new version of the PCN reference file under reference/pcns/, after checking every row. Versions sort
 * by the date they were staged; the latest one is in force.
 */
export async function stageReference(store: ObjectStore, text: string, now = new Date()): Promise<string> {
  const key = `${REFERENCE_PREFIX}${now.toISOString().slice(0, 19).replace(/[-:]/g, '')}-${createHash('sha256').update(text).digest('hex').slice(0, 8)}.csv`;
  parseReference(key, text);
  await store.put(key, text, { contentType: 'text/csv' });
  return key;
}

/** The reference version in force now (the latest staged), or undefined. */
export async function currentReference(store: ObjectStore): Promise<{ key: string; text: string } | undefined> {
  const key = (await store.list(REFERENCE_PREFIX)).filter((k) => k.endsWith('.csv')).at(-1);
  const bytes = key === undefined ? undefined : await store.get(key);
  return key === undefined || bytes === undefined ? undefined : { key, text: new TextDecoder().decode(bytes) };
}
