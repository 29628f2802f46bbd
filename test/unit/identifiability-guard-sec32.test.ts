import { describe, expect, it } from 'vitest';
import { findIdentifierInLine } from '../../functions/ingest/read-upload.ts';
import { findIdentifier, identifierAcrossCells, identifierByRules } from '../../functions/lib/identifiability-guard.ts';

/**
 * sec32: shapes that reached curated Parquet (or a refused file kept in landing/) past the guard. 9434765919 passes the
 * modulus 11 check (9x10 + 4x9 + 3x8 + 4x7 + 7x6 + 6x5 + 5x4 + 9x3 + 1x2 = 299, 299 mod 11 = 2, 11 - 2 = 9), so
 * 9434765918 does not; 07700 900123 is a mobile (Ofcom's drama range), 020 7946 0958 a London landline.
 */
const both = (text: string) => [findIdentifier(text), identifierByRules(text)];

describe('a number in thousands format cut into cells, part of it quoted (review 34)', () => {
  it.each([
    ['the first part quoted', ['E3', '9,434', '765', '919', 'true'], 1, 3],
    ['the middle quoted', ['E3', '9', '434,765', '919', 'true'], 1, 3],
    ['the last two quoted', ['E3', '9', '434', '765,919', 'true'], 1, 3],
    ['three quoted, one not', ['E3', '9,434,765', '919'], 1, 2],
    ['3-3-4, the first two quoted', ['E3', '943,476', '5919'], 1, 2],
    ['3-3-4, the last two quoted with spaces', ['E3', '943', ' 476, 5919 '], 1, 2],
  ])('%s: read together, named by the cells', (_what, cells, first, last) => {
    expect(identifierAcrossCells(cells)).toEqual({ first, last, kind: 'nhs_number' });
  });

  it('a mobile whose 0 was dropped, its first part quoted', () => {
    expect(identifierAcrossCells(['E3', '7,700', '900', '123'])).toEqual({ first: 1, last: 3, kind: 'telephone' });
  });

  it.each([
    ['ten digits failing the check digit', ['E3', '9,434', '765', '918']],
    ['a quoted decimal comma and counts', ['E3', '16,89', '765', '919']],
    ['a quoted number in thousands format that fails the check', ['1,234', '567', '890']],
  ])('%s: passes', (_what, cells) => {
    expect(identifierAcrossCells(cells)).toBeUndefined();
  });

  it('the raw read of a line (a file refused before its rows are read) finds it, quotes and all', () => {
    expect(findIdentifierInLine('E3,U00001,"9,434",765,919,true', findIdentifier)).toBe('nhs_number');
    expect(findIdentifierInLine('E3,U00001,9,"434,765",919,true', findIdentifier)).toBe('nhs_number');
    expect(findIdentifierInLine('E3,U00001,"943,476",5919', findIdentifier)).toBe('nhs_number');
    expect(findIdentifierInLine('E3,U00001,"9,434",765,918,true', findIdentifier)).toBeUndefined();
  });
});

describe('a number in scientific notation, as a spreadsheet writes a long number', () => {
  it.each([
    ['a mobile whose 0 was dropped', '7.700900123E9'],
    ['the same, E+09', '7.700900123E+09'],
    ['the same, small e', '7.700900123e9'],
    ['+44 and a mobile', '4.47700900123E+11'],
    ['44 and a landline', '4.42079460958E11'],
    ['a mobile in an id', 'EV-7.700900123E9'],
    ['a mobile ending in 0, the zero dropped', '7.70090012E9'],
    ['a mobile ending in 00, both dropped', '7.7009001E9'],
    ['a mobile in an id with a suffix', 'EV-7.700900123E9.1'],
  ])('%s is a telephone number', (_what, text) => {
    expect(both(text)).toEqual(['telephone', 'telephone']);
  });

  it('an NHS number so (already refused: stays so)', () => {
    expect(both('9.434765919E9')).toEqual(['nhs_number', 'nhs_number']);
  });

  it.each([
    ['digits lost to the format (a spreadsheet’s General format)', '7.7009E+09'],
    ['digits lost, an NHS number', '9.43477E+09'],
    ['a small number', '1.5E3'],
    ['a fraction', '2.5e-3'],
    ['a score', '1.0E1'],
    ['ten digits an exponent too small to make whole', '7.700900123E5'],
    ['an id with an E between numbers', 'R2026.05E12'],
  ])('%s passes', (_what, text) => {
    expect(both(text)).toEqual([undefined, undefined]);
  });
});

describe('a date of birth standing alone, the whole of a cell (ids take any such text: the contract keeps it)', () => {
  it.each([
    ['year first', '1970-02-03'],
    ['day first with dots', '03.02.1970'],
    ['day first with hyphens', '03-02-1970'],
    ['with slashes', '3/2/1970'],
    ['with underscores', '1970_02_03'],
    ['a month’s name', '03-Feb-1970'],
    ['a month’s name written together', '3feb1970'],
    ['a spreadsheet’s date as a midnight timestamp', '1970-02-03T00:00:00'],
    ['the same with a zone', '2004-11-30T00:00:00.000Z'],
    ['with a space and midnight', '1970-02-03 00:00'],
    // Review 35 (R35-2): other systems' midnight.
    ['SQL Server datetime2 (7 fraction digits)', '1970-02-03 00:00:00.0000000'],
    ['an ISO offset of zero', '1970-02-03T00:00:00+00:00'],
    ['an ISO offset in summer time', '1970-02-03T00:00:00+01:00'],
    ['an unknown offset', '1970-02-03T00:00:00-00:00'],
    ['an offset without its colon', '1970-02-03T00:00:00.000+0000'],
    ['.NET’s default (12:00:00 AM)', '2/3/1970 12:00:00 AM'],
    ['nanoseconds', '1970-02-03T00:00:00.000000000Z'],
  ])('%s is a date of birth', (_what, text) => {
    expect(both(text)).toEqual(['date_of_birth', 'date_of_birth']);
  });

  it.each([
    ['an event date', '2026-09-01'],
    ['the contract’s first day', '2019-01-01'],
    ['a date from 2010 (a child’s or an event’s: no telling)', '2012-02-03'],
    ['an old timestamp at a time of day (a system’s, not a birth)', '2005-05-01T10:00:00Z'],
    ['an old timestamp at noon', '1970-02-03T12:00:00Z'],
    ['an old timestamp at 12:00:00 PM', '2/3/1970 12:00:00 PM'],
    ['an old timestamp a second after midnight, with an offset', '1970-02-03T00:00:01+01:00'],
    ['an old timestamp with a fraction of a second', '1970-02-03T00:00:00.0000001Z'],
    ['an old timestamp with an offset and a time of day', '2005-05-01T10:00:00+01:00'],
    ['a year alone', '1970'],
    ['eight digits together (a system’s number as often)', '19700203'],
    ['a two-digit year of the contract’s events (a two-digit year 31 to 09 is read since sec34)', '03-02-19'],
    ['a day 32', '32-01-1970'],
    ['a date and a sequence', '1970-02-03-0001'],
  ])('%s passes', (_what, text) => {
    expect(both(text)).toEqual([undefined, undefined]);
  });
});

describe('at between spaces with a local part shaped as an address: refused, whatever the domain (decided)', () => {
  // No field of the contract holds a space: such a cell is refused for its format in every column. A word with
  // a digit or an underscore before ` at ` and a domain is refused as an address (`jsmith85 at nhs.net`), so
  // `room2 at hub.org.uk` is too: the guard cannot tell a room from a person's mailbox, and a staff address at an
  // organisation's domain is as personal as one at nhs.net.
  it.each([
    ['a room', 'room2 at hub.org.uk'],
    ['a group', 'Group_B at ageuk.org.uk'],
    ['a person', 'jsmith85 at ageuk.org.uk'],
  ])('%s', (_what, text) => {
    expect(findIdentifier(text)).toBe('email');
  });

  it('a sentence’s word passes', () => {
    expect(findIdentifier('information at mind.org.uk')).toBeUndefined();
  });
});

describe('a number cut by line breaks inside a quoted cell (a reader keeps them in the cell)', () => {
  it.each([
    ['a newline between two groups', '9434\n765919'],
    ['CRLF between two groups', '9434\r\n765919'],
    ['a newline between 1-3-3-3 groups', '9\n434\n765\n919'],
  ])('%s is an NHS number', (_what, text) => {
    expect(both(text)).toEqual(['nhs_number', 'nhs_number']);
  });

  it('two lines of small counts pass', () => {
    expect(both('12\n34\n5')).toEqual([undefined, undefined]);
  });
});

describe('the raw read of a CRLF line: its last cell ends in a carriage return', () => {
  it.each([
    ['1-3-3-3', 'E3,x,9,434,765,919\r'],
    ['3-3-4', 'E3,x,943,476,5919\r'],
    ['the first part quoted', 'E3,x,"9,434",765,919\r'],
    ['with decimals', 'E3,x,9,434,765,919.00\r'],
  ])('%s, the number last: found', (_what, line) => {
    expect(findIdentifierInLine(line, findIdentifier)).toBe('nhs_number');
  });

  it('a line of counts passes', () => {
    expect(findIdentifierInLine('E3,x,9,434,765,918\r', findIdentifier)).toBeUndefined();
  });
});
