import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { PCN_CODE_PATTERN as PCN_CODE } from '../../functions/contract/areas.ts';
import { PCN_REFERENCE_COLUMNS } from '../../functions/contract/index.ts';
import type { ObjectStore } from '../../functions/lib/object-store.ts';
import { inForceOn } from '../../functions/reference/history.ts';
import {
  type ImportResult,
  importExtract,
  readIcbChanges,
  referenceRowsInStore,
  toCsv,
} from '../../functions/reference/import.ts';
import { readExtract } from '../../functions/reference/publication.ts';

const n = (value: number) => value.toLocaleString('en-GB');
const some = (codes: readonly string[], max = 10) =>
  codes.length === 0 ? '' : ` (${codes.slice(0, max).join(', ')}${codes.length > max ? ', …' : ''})`;

/** What an import did, in lines for a person. */
export function describeImport(result: ImportResult): string[] {
  const c = result.changes;
  const lines = [
    `extract ${result.month}: ${n(result.practices)} practices, ${n(result.pcns)} PCNs with ${n(result.pcnPatients)} registered patients; ` +
      `${n(result.unallocatedPractices)} practices in no PCN with ${n(result.unallocatedPatients)} patients`,
  ];
  if (c.since === undefined) lines.push(`first extract: ${n(c.opened.length)} PCNs opened`);
  else
    lines.push(
      `since ${c.since}: ${n(c.opened.length)} PCNs opened${some(c.opened)}, ${n(c.closed.length)} closed${some(c.closed)}, ` +
        `${n(c.movedIcb.length)} moved ICB${some(c.movedIcb)}, ${n(c.renamed.length)} renamed${some(c.renamed)}, ` +
        `${n(c.listChanged.length)} list sizes changed; ${n(c.practicesMoved.length)} practices moved PCN, ` +
        `${n(c.practicesOpened)} practices new, ${n(c.practicesClosed)} gone`,
    );
  if (result.kept.length > 0)
    lines.push(
      `kept ${n(result.kept.length)} PCNs of the version in force that no imported extract has${some(result.kept)}; those in force when the extracts' history starts are closed the day before`,
    );
  lines.push(...result.outOfForce);
  lines.push(
    result.unchanged
      ? `already imported: nothing changed (${n(result.referencePcns)} PCNs, ${n(result.referenceVersions)} versions)`
      : result.staged
        ? `reference: ${n(result.referencePcns)} PCNs in ${n(result.referenceVersions)} versions, staged ${result.staged}; it is used from the next refresh`
        : `reference unchanged: ${n(result.referencePcns)} PCNs in ${n(result.referenceVersions)} versions`,
  );
  return lines;
}

export interface ReferenceImportOptions {
  readonly historyFrom?: string;
  readonly icbChanges?: string;
  /** `--allow-out-of-force U00001,U00002`: PCNs allowed out of force over months they have events in (logged). */
  readonly allowOutOfForce?: string;
}

/**
 * The PCN codes of `--allow-out-of-force` (comma-separated), checked: the override names each PCN it applies to, so
 * nothing is let through by a typo or a blanket flag.
 */
export function allowedOutOfForce(option: string | undefined): string[] | undefined {
  if (option === undefined) return undefined;
  const codes = option
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  const bad = codes.filter((c) => !PCN_CODE.test(c));
  if (codes.length === 0 || bad.length > 0)
    throw new Error(
      `--allow-out-of-force must name PCN codes, comma-separated (such as U00001,U00002)${bad.length > 0 ? `: not a PCN code: ${bad.slice(0, 5).join(', ')}` : ''}`,
    );
  return codes;
}

/** `sp-outcomes reference import MAP.csv LIST.csv`: one NHS Digital extract into the effective-dated reference. */
export async function runReferenceImport(
  store: ObjectStore,
  mapFile: string,
  listFile: string,
  options: ReferenceImportOptions = {},
  log = console.log,
): Promise<ImportResult> {
  if (options.historyFrom !== undefined && !/^20\d\d-(0[1-9]|1[0-2])$/.test(options.historyFrom))
    throw new Error('--history-from must be YYYY-MM');
  const extract = readExtract(
    { name: basename(mapFile), text: readFileSync(mapFile, 'utf8') },
    { name: basename(listFile), text: readFileSync(listFile, 'utf8') },
  );
  const icbChanges =
    options.icbChanges === undefined
      ? undefined
      : readIcbChanges(basename(options.icbChanges), readFileSync(options.icbChanges, 'utf8'));
  const allowOutOfForce = allowedOutOfForce(options.allowOutOfForce);
  const result = await importExtract(store, extract, {
    ...(options.historyFrom ? { historyFrom: options.historyFrom } : {}),
    ...(icbChanges ? { icbChanges } : {}),
    ...(allowOutOfForce ? { allowOutOfForce } : {}),
  });
  for (const line of describeImport(result)) log(line);
  return result;
}

/** `sp-outcomes reference export`: the versions in force on a date, in the contract's reference format. */
export async function runReferenceExport(store: ObjectStore, on: string, out?: string): Promise<number> {
  if (!/^\d{4}-\d\d-\d\d$/.test(on) || Number.isNaN(Date.parse(on))) throw new Error('--on must be YYYY-MM-DD');
  const rows = inForceOn(await referenceRowsInStore(store), on);
  const text = toCsv(PCN_REFERENCE_COLUMNS, rows);
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
  return rows.length;
}
