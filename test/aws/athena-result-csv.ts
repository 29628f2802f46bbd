/**
 * A SELECT's result as Athena writes it to S3 (functions/refresh/athena-engine.ts readResultCsv cites each rule):
 * a line of column names, then a line per row, each ending with a newline; every value, names and numbers too, in
 * double quotes, with a quote inside doubled (commas and newlines inside stay as they are); NULL as an empty field
 * with no quotes, so that '' ("") and NULL differ.
 * Sources: '"one","two"\n"1","2"\n' as Athena wrote it (https://github.com/dbcli/athenacli/pull/49); NULL and ''
 * (https://pyathena.dev/master/null_handling.html: "NULL values are represented as unquoted empty fields ... Empty
 * strings are represented as quoted empty fields").
 * Kept apart from the stand-in, which loads DuckDB, so that the Lambda replay (test/bench/refresh-memory.ts) can
 * write results without it.
 */

/** One value as Athena writes it: text in double quotes, a quote doubled; NULL as nothing. */
export const athenaCsvValue = (value: string | null): string =>
  value === null ? '' : `"${value.replaceAll('"', '""')}"`;

/** One record (the names, or a row's values as Athena's text) and its newline. */
export const athenaCsvRecord = (values: readonly (string | null)[]): string =>
  `${values.map(athenaCsvValue).join(',')}\n`;

/** A whole result object: the column names, then the rows. */
export function athenaResultCsv(names: readonly string[], rows: readonly (readonly (string | null)[])[]): string {
  let text = athenaCsvRecord(names);
  for (const row of rows) text += athenaCsvRecord(row);
  return text;
}
