import { describe, expect, it } from 'vitest';
import { parseReference, ReferenceDataError, stageReference } from '../../functions/lib/reference-versions.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';

/*
 * parseReference: two versions of one PCN in force on the same day would join each of its events to both and count
 * it twice in every metric by area, so they are refused, naming the file, the rows (as a spreadsheet numbers them:
 * the header is row 1) and the fields, and never a name or a date of the file.
 */
const HEADER = 'pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to';
const version = (pcn: string, from: string, to = '', icb = 'QWE') =>
  `${pcn},Echo PCN,${icb},NHS South West London ICB,Y56,London,12000,${from},${to}`;
const file = (...rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;

/** The problems parseReference finds in a file (none when it is accepted). */
const problemsOf = (text: string): readonly string[] => {
  try {
    parseReference('pcns.csv', text);
    return [];
  } catch (error) {
    if (!(error instanceof ReferenceDataError)) throw error;
    expect(error.file).toBe('pcns.csv');
    return error.problems;
  }
};
const COUNTED_TWICE = '; a PCN may have one version in force on any day, or its events would be counted twice';

describe('versions of one PCN', () => {
  it('accepts versions that follow one another (one ends on the last day of a month, the next starts the day after)', () => {
    const rows = parseReference(
      'pcns.csv',
      file(
        version('U00070', '2019-04-01', '2025-05-31', 'QWE'),
        version('U00070', '2025-06-01', '', 'QSL'),
        // Another PCN on the same days is no overlap.
        version('U00203', '2019-04-01'),
      ),
    );
    expect(rows.map((r) => [r.pcn_code, r.icb_code, r.valid_from, r.valid_to])).toEqual([
      ['U00070', 'QWE', '2019-04-01', '2025-05-31'],
      ['U00070', 'QSL', '2025-06-01', undefined],
      ['U00203', 'QWE', '2019-04-01', undefined],
    ]);
  });

  it('refuses a version starting on or before the end of another, naming the file, both rows and the fields', () => {
    const text = file(
      version('U00203', '2019-04-01'),
      version('U00070', '2019-04-01', '2025-05-31'),
      version('U00070', '2025-05-01', '', 'QSL'),
    );
    expect(() => parseReference('pcns.csv', text)).toThrow(
      new ReferenceDataError('pcns.csv', [
        'rows 3 and 4, fields valid_from and valid_to: two versions of PCN U00070 are in force on the same days (row 4 starts on or before row 3 ends); a PCN may have one version in force on any day, or its events would be counted twice',
      ]),
    );
    // Nothing of the rows but the PCN code: no name, no ICB, no date, no list size.
    const message = problemsOf(text).join('; ');
    for (const value of ['Echo', 'QSL', 'QWE', '2025', '2019', '12000']) expect(message).not.toContain(value);
  });

  it('says when the earlier version has no end (still in force), whatever the order of the rows', () => {
    expect(() =>
      parseReference('pcns.csv', file(version('U00070', '2025-06-01', '', 'QSL'), version('U00070', '2019-04-01'))),
    ).toThrow(
      new ReferenceDataError('pcns.csv', [
        'rows 2 and 3, fields valid_from and valid_to: two versions of PCN U00070 are in force on the same days (row 2 starts on or before row 3 ends, and row 3 has no valid_to: it is still in force); a PCN may have one version in force on any day, or its events would be counted twice',
      ]),
    );
  });

  it('finds every overlap: a long version overlapping two later ones that do not overlap each other, and a copy', () => {
    const text = file(
      version('U00070', '2019-04-01', '2025-12-31'),
      version('U00070', '2020-04-01', '2020-06-30'),
      version('U00070', '2021-04-01', '2021-06-30'),
      version('U00203', '2019-04-01', '2024-03-31'),
      version('U00203', '2019-04-01', '2024-03-31'),
    );
    expect(problemsOf(text)).toEqual([
      `rows 2 and 3, fields valid_from and valid_to: two versions of PCN U00070 are in force on the same days (row 3 starts on or before row 2 ends)${COUNTED_TWICE}`,
      `rows 2 and 4, fields valid_from and valid_to: two versions of PCN U00070 are in force on the same days (row 4 starts on or before row 2 ends)${COUNTED_TWICE}`,
      `rows 5 and 6, fields valid_from and valid_to: two versions of PCN U00203 are in force on the same days (row 6 starts on or before row 5 ends)${COUNTED_TWICE}`,
    ]);
  });

  it('reports an overlap beside the problems of other rows', () => {
    const text = file(
      version('U00070', '2019-04-01'),
      version('U00070', '2020-04-01'),
      version('U00203', '2019-04-15'),
    );
    expect(problemsOf(text)).toEqual([
      'row 4, field valid_from: must be the first day of a month',
      `rows 2 and 3, fields valid_from and valid_to: two versions of PCN U00070 are in force on the same days (row 3 starts on or before row 2 ends, and row 2 has no valid_to: it is still in force)${COUNTED_TWICE}`,
    ]);
  });
});

describe('rows numbered as the lines of the file', () => {
  it('counts blank lines, so a problem after one names the line a spreadsheet shows', () => {
    const text = `${HEADER}\n${version('U00070', '2019-04-01')}\n\n  \n${version('U00203', '2019-04-15')}\n\n`;
    expect(problemsOf(text)).toEqual(['row 5, field valid_from: must be the first day of a month']);
    expect(parseReference('pcns.csv', `${HEADER}\n\n${version('U00070', '2019-04-01')}\n`)).toHaveLength(1);
  });
});

describe('staging a reference file', () => {
  it('stores nothing when versions overlap, and names the file it was given', async () => {
    const store = new MemoryObjectStore();
    const text = file(version('U00070', '2019-04-01'), version('U00070', '2019-04-01'));
    await expect(stageReference(store, text, new Date('2026-01-05T00:00:00Z'), 'my-pcns.csv')).rejects.toThrow(
      /^my-pcns\.csv: rows 2 and 3, fields valid_from and valid_to: two versions of PCN U00070 /,
    );
    expect([...store.objects.keys()]).toEqual([]);
  });

  it('names the key it would have been kept under when no file name is given', async () => {
    const store = new MemoryObjectStore();
    const text = file(version('U00070', '2019-04-01'), version('U00070', '2019-04-01'));
    await expect(stageReference(store, text, new Date('2026-01-05T00:00:00Z'))).rejects.toThrow(
      /^reference\/pcns\/20260105T000000-[0-9a-f]{8}\.csv: rows 2 and 3, /,
    );
  });
});
