import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';

// The PCN deprivation the metrics join on is NHS Digital's PCN IMD 2019, copied into reference-data/ byte for byte;
// sql/prepare/pcn_deprivation.sql carries its decile per PCN so both engines have it. They must not drift apart.
describe('sql/prepare/pcn_deprivation.sql', () => {
  const csv = Papa.parse<Record<string, string>>(readFileSync('reference-data/nhs-digital/pcn-imd-2019.csv', 'utf8'), {
    header: true,
    skipEmptyLines: true,
  }).data;
  const sql = readFileSync('sql/prepare/pcn_deprivation.sql', 'utf8');
  const rows = [...sql.matchAll(/\('(U\d{5})', (\d+)\)/g)].map((m) => [m[1], Number(m[2])]);

  it('holds every PCN of the publication with its decile, and nothing else', () => {
    const expected = csv.filter((r) => r.pcn_code !== 'U').map((r) => [r.pcn_code, Number(r.imd_decile)]);
    expect(expected).toHaveLength(1_264);
    expect(rows).toEqual(expected);
  });

  it('deciles 1-10 make quintiles 1-5, two deciles each', () => {
    expect(sql).toContain('CAST(floor(CAST(imd_decile + 1 AS DOUBLE) / 2) AS INTEGER) AS imd_quintile');
    expect(new Set(rows.map(([, d]) => d))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  });
});
