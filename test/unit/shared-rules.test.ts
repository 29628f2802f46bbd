import { describe, expect, it } from 'vitest';
import { AREA_CODE_PATTERN } from '../../functions/contract/areas.ts';
import {
  FINANCIAL_YEAR_PATTERN,
  financialYearEnd,
  financialYearOf,
  MONTH_PATTERN,
  monthsOfFinancialYear,
} from '../../functions/contract/periods.ts';
import { csvCell, csvText, neutraliseFormula } from '../../functions/lib/csv.ts';
import { UPLOAD_ID_PATTERN, uploadIdFor } from '../../functions/lib/keys.ts';

describe('area codes (one statement, contract/areas.ts)', () => {
  it('accepts each level’s ODS shape and nothing near it', () => {
    expect(
      ['ENG', 'Y56', 'QWE', 'Q1A', 'U12345'].map(
        (c) => Object.entries(AREA_CODE_PATTERN).find(([, p]) => p.test(c))?.[0],
      ),
    ).toEqual(['national', 'region', 'icb', 'icb', 'pcn']);
    expect(
      ['eng', 'Y5', 'Y567', 'Qwe', 'QWEX', 'U1234', 'U123456', ' U12345'].filter((c) =>
        Object.values(AREA_CODE_PATTERN).some((p) => p.test(c)),
      ),
    ).toEqual([]);
  });

  it('an upload id is the PCN and 32 hex digits of the hash, as uploadIdFor makes it', () => {
    const id = uploadIdFor('U12345', `${'ab'.repeat(16)}${'cd'.repeat(16)}`);
    expect(id).toBe(`U12345-${'ab'.repeat(16)}`);
    expect(UPLOAD_ID_PATTERN.exec(id)?.slice(1)).toEqual(['U12345', 'ab'.repeat(16)]);
    expect(UPLOAD_ID_PATTERN.test(`U1234-${'ab'.repeat(16)}`)).toBe(false);
  });
});

describe('financial years (April to March, contract/periods.ts)', () => {
  it('puts March in the year before and April in the year it starts', () => {
    expect(['2025-03', '2025-04', '2026-03', '1999-12', '2099-12'].map(financialYearOf)).toEqual([
      '2024/25',
      '2025/26',
      '2025/26',
      '1999/00',
      '2099/00',
    ]);
    expect(financialYearOf('2025/26')).toBe('2025/26');
    expect(financialYearOf('all')).toBe('all');
  });

  it('ends a year on 31 March and starts its months in April (its 12 months: projection.test.ts)', () => {
    expect(financialYearEnd('2024/25')).toBe('2025-03-31');
    expect([monthsOfFinancialYear('2025/26')[0], monthsOfFinancialYear('2025/26').at(-1)]).toEqual([
      '2025-04',
      '2026-03',
    ]);
  });

  it('tells months and years by their shape', () => {
    expect(['2025-01', '2025-12', '2025-00', '2025-13', '2025-1'].map((p) => MONTH_PATTERN.test(p))).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    expect(['2025/26', '2025/2026', '2025-26'].map((p) => FINANCIAL_YEAR_PATTERN.test(p))).toEqual([
      true,
      false,
      false,
    ]);
  });
});

describe('CSV cells (lib/csv.ts: API, dashboard and generator)', () => {
  it('makes text a spreadsheet would run into text, and leaves numbers alone', () => {
    expect(['=1+1', '+44', '-2', '@SUM(A1)', '\tx', '\rx', 'a=b', ''].map(neutraliseFormula)).toEqual([
      "'=1+1",
      "'+44",
      "'-2",
      "'@SUM(A1)",
      "'\tx",
      "'\rx",
      'a=b',
      '',
    ]);
    expect([csvCell(-2), csvCell('-2'), csvCell(null), csvCell(undefined), csvCell(true)]).toEqual([
      '-2',
      "'-2",
      '',
      '',
      'true',
    ]);
  });

  it('quotes only a field with a comma, quote or line break, doubling quotes, after neutralising', () => {
    expect([csvCell('a,b'), csvCell('say "hi"'), csvCell('two\nlines'), csvCell('=HYPERLINK("x")')]).toEqual([
      '"a,b"',
      '"say ""hi"""',
      '"two\nlines"',
      `"'=HYPERLINK(""x"")"`,
    ]);
  });

  it('writes a header and rows with CRLF by default, or exact values with LF for an upload file', () => {
    expect(
      csvText(
        ['code', 'n'],
        [
          ['U12345', 5],
          ['=cmd', null],
        ],
      ),
    ).toBe("code,n\r\nU12345,5\r\n'=cmd,\r\n");
    expect(csvText(['code'], [['=cmd'], ['a,b']], { neutraliseFormulas: false, newline: '\n' })).toBe(
      'code\n=cmd\n"a,b"\n',
    );
  });
});
