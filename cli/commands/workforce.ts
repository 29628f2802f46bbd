import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { WORKFORCE_FIELD_NAMES } from '../../functions/contract/index.ts';
import { toCsv } from '../../functions/reference/import.ts';
import { readWorkforcePublication } from '../../functions/reference/workforce-publication.ts';

export interface WorkforceImportResult {
  readonly files: string[];
  readonly pcns: number;
  readonly fte: { readonly splw: number; readonly hwbc: number; readonly cc: number };
}

/**
 * `sp-outcomes workforce import`: the national PCN workforce publication as one workforce file per PCN for the
 * month, in the contract's format, ready for the normal ingest.
 */
export function runWorkforceImport(publication: string, month: string, outDir: string, log = console.log) {
  if (!/^20\d\d-(0[1-9]|1[0-2])$/.test(month)) throw new Error('--month must be YYYY-MM');
  const byPcn = readWorkforcePublication(basename(publication), readFileSync(publication, 'utf8'), month);
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const fte = { splw: 0, hwbc: 0, cc: 0 };
  for (const [pcn, rows] of byPcn) {
    const path = join(outDir, `${pcn}-workforce-${month}.csv`);
    writeFileSync(path, toCsv(WORKFORCE_FIELD_NAMES, rows));
    files.push(path);
    for (const row of rows) fte[row.role] += row.fte;
  }
  const one = (n: number) => n.toLocaleString('en-GB', { maximumFractionDigits: 1 });
  log(
    `${byPcn.size.toLocaleString('en-GB')} PCNs: ${files.length.toLocaleString('en-GB')} workforce files for ${month} in ${outDir} ` +
      `(FTE: link workers ${one(fte.splw)}, health and wellbeing coaches ${one(fte.hwbc)}, care coordinators ${one(fte.cc)}; ` +
      'headcount, training and vacancies left empty). Send them through the ingest: sp-outcomes ingest <files>',
  );
  return { files, pcns: byPcn.size, fte } satisfies WorkforceImportResult;
}
