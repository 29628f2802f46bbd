import { readdirSync, readFileSync } from 'node:fs';
// The Trino parser alone: the package's index loads all seven grammars (about 20 MB of generated parser).
import { TrinoSQL } from 'dt-sql-parser/dist/parser/trino/index.js';
import { describe, expect, it } from 'vitest';

/** Every SQL file the engines run: prepare steps, metrics and meta queries. */
const files = ['prepare', 'metrics', 'meta'].flatMap((dir) =>
  readdirSync(`sql/${dir}`)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => `sql/${dir}/${f}`),
);

/** One-engine syntax and functions that break the "one SQL, two engines" rule (ARCHITECTURE.md). */
const DENY: [RegExp, string][] = [
  [/::/, 'DuckDB cast shorthand: use CAST(x AS type)'],
  [/\bGROUP\s+BY\s+ALL\b/i, 'GROUP BY ALL is DuckDB-only'],
  [/\bQUALIFY\b/i, 'QUALIFY is DuckDB-only: filter a window in an outer query'],
  [
    /\bapprox_count_distinct\b|\bapprox_distinct\b|\bapprox_percentile\b/i,
    'approximate aggregates: counts must be exact',
  ],
  [/\bdate_add\s*\(/i, 'date_add does not exist in DuckDB: use + INTERVAL'],
  [
    /\bcount_if\s*\(/i,
    'count_if returns NULL over all-NULL input in DuckDB but 0 in Trino: use count(*) FILTER (WHERE ...)',
  ],
  [
    /\bregexp_(like|matches)\b|\bdate_format\b|\bstrftime\b|\barbitrary\b|\bany_value\b/i,
    'engine-specific function name',
  ],
  [/\bmedian\s*\(|\bquantile(_cont|_disc)?\s*\(/i, 'DuckDB-only exact percentile: derive from a distribution'],
  [/\bstring_split\b|\bstring_agg\b|\blist_\w+\s*\(|\bunnest\b/i, 'list functions differ between the engines'],
  [/\bdate_diff\s*\(\s*'month'/i, "date_diff('month') counts differently in the engines"],
  [/INTERVAL\s+\d/i, "INTERVAL needs a quoted number: INTERVAL '7' DAY"],
  [/\bILIKE\b/i, 'ILIKE is DuckDB-only'],
  [
    /\b(avg|stddev\w*|var_\w+|variance)\s*\(/i,
    'floating-point aggregates add rows in thread order, so a published figure can flip between refreshes: sum exactly (DECIMAL or BIGINT) and divide at the end',
  ],
  [/\bSELECT\s+\*\s+EXCLUDE\b|\bEXCLUDE\s*\(/i, 'SELECT * EXCLUDE is DuckDB-only'],
];

describe('every SQL file runs unchanged on Athena (Trino) and DuckDB', () => {
  it('finds the catalogue', () => {
    expect(files.length).toBeGreaterThanOrEqual(17);
  });

  it.each(files)('%s parses with the Trino grammar', (file) => {
    const sql = readFileSync(file, 'utf8').replace(/\?/g, "'param'");
    const errors = new TrinoSQL().validate(sql);
    expect(errors.map((e) => `${e.startLine}:${e.startColumn} ${e.message}`)).toEqual([]);
  });

  it.each(files)('%s uses no one-engine syntax', (file) => {
    const sql = readFileSync(file, 'utf8').replace(/--.*$/gm, '');
    const found = DENY.filter(([pattern]) => pattern.test(sql)).map(([, why]) => why);
    expect(found).toEqual([]);
  });

  it('divides only a DOUBLE, so Trino does not divide integers', () => {
    // The left operand of every division must be CAST(... AS DOUBLE).
    const problems: string[] = [];
    for (const file of files) {
      const sql = readFileSync(file, 'utf8')
        .replace(/--.*$/gm, '')
        .replace(/'[^']*'/g, "''");
      for (const match of sql.matchAll(/\//g)) {
        const before = sql.slice(0, match.index).trimEnd();
        if (!/AS DOUBLE\)$/i.test(before)) problems.push(`${file}: …${before.slice(-40)} /`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the Trino grammar does reject invalid SQL (the check can fail)', () => {
    expect(new TrinoSQL().validate('SELECT FROM WHERE').length).toBeGreaterThan(0);
    expect(new TrinoSQL().validate('SELECT x::int FROM t').length).toBeGreaterThan(0);
  });
});
