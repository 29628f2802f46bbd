import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';

/** The repo's byte-identical copies of the NHS Digital publications (reference-data/nhs-digital/README.md). */
export const PUBLICATIONS = join(import.meta.dirname, '../../reference-data/nhs-digital');

export const publication = (name: string) => ({ name, text: readFileSync(join(PUBLICATIONS, name), 'utf8') });

/**
 * The header and the lines whose row passes `keep`, each line exactly as published: a small fixture cut from the
 * real file, so a test that does not need the whole of England runs on the same bytes for fewer PCNs.
 */
export function cutLines(text: string, keep: (row: Record<string, string>) => boolean): string {
  const lines = text.split('\n');
  const header = Papa.parse<string[]>(lines[0] as string).data[0] as string[];
  const kept = lines.slice(1).filter((line) => {
    const cells = Papa.parse<string[]>(line.replace(/\r$/, '')).data[0];
    return cells !== undefined && keep(Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])));
  });
  return `${[lines[0], ...kept].join('\n')}\n`;
}

/** One ICB's part of a "Patients Registered at a GP Practice" extract: its practices in the mapping and totals files. */
export function extractOfIcb(month: '2025-04' | '2025-12', icb: string) {
  const map = publication(`gp-reg-pat-prac-map-${month}.csv`);
  const list = publication(`gp-reg-pat-prac-all-${month}.csv`);
  const mapText = cutLines(map.text, (row) => row.ICB_CODE === icb);
  const practices = new Set(
    Papa.parse<Record<string, string>>(mapText, { header: true }).data.map((r) => r.PRACTICE_CODE),
  );
  const pcns = new Set(Papa.parse<Record<string, string>>(mapText, { header: true }).data.map((r) => r.PCN_CODE));
  pcns.delete('U');
  return {
    map: { name: map.name, text: mapText },
    list: { name: list.name, text: cutLines(list.text, (row) => practices.has(row.CODE as string)) },
    pcns,
  };
}
