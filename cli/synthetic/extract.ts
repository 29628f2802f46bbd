import { createHash } from 'node:crypto';
import Papa from 'papaparse';

/**
 * Synthetic PCN extracts: what a PCN's clinical system exports before the uploader pseudonymises it (the contract
 * with nhs_number in place of person_id). The NHS numbers are made up but pass the modulus 11 check, and come from
 * the 999 range NHS England reserves for test data, so they can never be a real person's.
 */
export function syntheticNhsNumber(seed: string): string {
  const hash = createHash('sha256').update(seed).digest();
  for (let attempt = 0; ; attempt++) {
    const digits = [
      9,
      9,
      9,
      ...Array.from({ length: 6 }, (_, i) => (hash[(i + attempt) % hash.length] as number) % 10),
    ];
    const remainder = digits.reduce((sum, digit, i) => sum + digit * (10 - i), 0) % 11;
    const check = 11 - remainder === 11 ? 0 : 11 - remainder;
    if (check !== 10) return `${digits.join('')}${check}`;
  }
}

/** Turns a generated upload file back into the extract it would have come from: one made-up NHS number per person. */
export function extractFromUploadFile(csv: string): { extract: string; nhsNumbers: string[] } {
  const { data } = Papa.parse<string[]>(csv.trim(), { skipEmptyLines: true });
  const [header, ...rows] = data as [string[], ...string[][]];
  const at = header.indexOf('person_id');
  if (at === -1) throw new Error('the file has no person_id column');
  const numbers = new Map<string, string>();
  const out = rows.map((row) =>
    row.map((cell, i) => {
      if (i !== at) return cell;
      if (!numbers.has(cell)) {
        const used = new Set(numbers.values());
        let n = 0;
        let number = syntheticNhsNumber(cell);
        while (used.has(number)) number = syntheticNhsNumber(`${cell}#${++n}`);
        numbers.set(cell, number);
      }
      return numbers.get(cell) as string;
    }),
  );
  const extractHeader = header.map((name, i) => (i === at ? 'nhs_number' : name));
  return {
    extract: `${Papa.unparse({ fields: extractHeader, data: out }, { newline: '\n' })}\n`,
    nhsNumbers: [...numbers.values()],
  };
}
