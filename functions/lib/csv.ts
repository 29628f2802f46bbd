/**
 * Writing CSV, once for the API, the dashboard's downloads and the synthetic generator. RFC 4180: a field is quoted
 * only when it holds a comma, a quote or a line break, and a quote inside is doubled. No imports, so the dashboard
 * bundles it as it is.
 */

/**
 * A spreadsheet runs a cell that starts with = + - @ or a tab or carriage return as a formula (OWASP, "CSV
 * Injection"): a leading ' makes it text. Security logic: every CSV a person may open goes through here.
 */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export interface CsvOptions {
  /** Neutralise text that a spreadsheet would run (numbers are never touched). @default true */
  readonly neutraliseFormulas?: boolean;
  /** @default '\r\n' (RFC 4180) */
  readonly newline?: string;
}

/** One field: empty for null or undefined, text neutralised unless told otherwise, quoted where it must be. */
export function csvCell(value: unknown, neutraliseFormulas = true): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' && neutraliseFormulas ? neutraliseFormula(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A header line and one line a row, each line ended by the newline. */
export function csvText(
  header: readonly string[],
  rows: readonly (readonly unknown[])[],
  { neutraliseFormulas = true, newline = '\r\n' }: CsvOptions = {},
): string {
  const line = (cells: readonly unknown[]) => cells.map((cell) => csvCell(cell, neutraliseFormulas)).join(',');
  return `${[line(header), ...rows.map(line)].join(newline)}${newline}`;
}
