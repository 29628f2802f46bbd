import { describe, expect, it } from 'vitest';
import {
  findIdentifier,
  identifierByRules,
  identifierHeld,
  OLD_DATE_ALONE_HELD,
} from '../../functions/lib/identifiability-guard.ts';

/**
 * sec33: an old date (1900 to 2009) alone in a cell, written with its month's name first or its day as an ordinal, as
 * people, spreadsheets and databases write it. Ids take `A-Z a-z 0-9 . _ : -` (so `Feb-03-1970` is a valid event_id,
 * referral_id or provider_id: it reached curated Parquet), and no field of the contract holds a date before 2019.
 */
const both = (text: string) => [findIdentifier(text), identifierByRules(text)];

describe('an old date alone with its month named first, or its day an ordinal', () => {
  it.each([
    ['US long date', 'February 3, 1970'],
    ['month first, no comma', 'Feb 3 1970'],
    ['month first, a comma', 'Feb 3, 1970'],
    ['month first with hyphens (a valid id)', 'Feb-03-1970'],
    ['month first with dots (a valid id)', 'February.3.1970'],
    ['month first in capitals with underscores', 'FEB_03_1970'],
    ['a September written Sept', 'Sept 12 2007'],
    ['an ordinal day first', '3rd February 1970'],
    ['an ordinal day with hyphens (a valid id)', '3rd-Feb-1970'],
    ['an ordinal day, of', '3rd of February 1970'],
    ['an ordinal day in capitals', '1ST-JAN-2001'],
    ['month first and an ordinal day', 'February 3rd, 1970'],
    ['month first and an ordinal day (a valid id)', 'Jan-1st-2001'],
    ['a weekday first, UK long date', 'Tuesday, 3 February 1970'],
    ['a weekday first, US long date', 'Tuesday, February 3, 1970'],
    ['year first, the month named (a valid id)', '1970-Feb-03'],
    ['year first, the month named, spaces', '1970 Feb 3'],
    ['SQL Server style 100 (midnight, 12:00AM)', 'Feb  3 1970 12:00AM'],
    ['SQL Server style 109 (milliseconds after a colon)', 'Feb  3 1970 12:00:00:000AM'],
    ['SQL Server style 113', '03 Feb 1970 00:00:00:000'],
    ['SQL Server style 107', 'Feb 03, 1970'],
    ['a month-first date at midnight, ISO time', 'Feb-03-1970T00:00:00'],
  ])('%s is a date of birth', (_what, text) => {
    expect(both(text)).toEqual(['date_of_birth', 'date_of_birth']);
  });

  it.each([
    ['a month-first event date', 'Feb 3 2019'],
    ['a month-first date from 2010 (a child’s or an event’s: no telling)', 'March 2, 2012'],
    ['an ordinal date from 2010', '3rd February 2015'],
    ['a month and an old year, no day', 'February 1970'],
    ['a month and an old year, an id', 'Feb-1970'],
    ['a month-first old date at a time of day', 'Feb 3 1970 14:00:00'],
    ['a month-first old date and a sequence', 'Feb-03-1970-17'],
    ['a month named and eight digits together', 'FEB031970'],
    ['an id with a month and a year from 2010', 'EV-Mar-12-2015'],
    ['an ordinal and a count', '3rd-1970'],
  ])('%s passes', (_what, text) => {
    expect(both(text)).toEqual([undefined, undefined]);
  });

  it.each(['February 3, 1970', '3rd-Feb-1970', 'Feb  3 1970 12:00AM'])(
    '%s is told as an old date alone (it may be an event date mistyped)',
    (text) => {
      expect(identifierHeld('date_of_birth', text)).toBe(OLD_DATE_ALONE_HELD);
    },
  );
});

describe('a name and an old date with its month named first or its day an ordinal (as `SMITH-1970-02-03` is)', () => {
  it.each([
    ['a surname, the month first', 'SMITH_Feb_03_1970'],
    ['an initial and a surname, an ordinal day', 'J.SMITH.3rd.Feb.1970'],
    ['the date first, then a name', 'Feb-03-1970-SMITH'],
  ])('%s is a date of birth', (_what, text) => {
    expect(both(text)).toEqual(['date_of_birth', 'date_of_birth']);
  });

  it.each([
    ['an id with a month named and a year from 2010', 'EV-Feb-03-2019'],
    ['an id with an ordinal and a year from 2010', 'R-3rd-Feb-2026'],
  ])('%s passes', (_what, text) => {
    expect(both(text)).toEqual([undefined, undefined]);
  });
});

describe('a UK telephone number padded to a pseudonym’s 64 hex characters (as an NHS number so is refused)', () => {
  it.each([
    ['a mobile, zeros before', `${'0'.repeat(53)}07700900123`],
    ['a mobile, a letter repeated after', `07700900123${'a'.repeat(53)}`],
    ['a landline, capitals after', `02079460958${'F'.repeat(53)}`],
  ])('%s is a telephone number', (_what, text) => {
    expect(both(text)).toEqual(['telephone', 'telephone']);
  });

  it.each([
    ['eleven digits that are no UK number (0 then 0, 4 or 6), zeros before', `${'0'.repeat(53)}00123456789`],
    [
      'a mobile with no run of 20 of one hex digit (a pseudonym could be so)',
      `07700900123${'0123456789abcdef'.repeat(4).slice(0, 53)}`,
    ],
    ['a pseudonym', '3f1c9a2b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8'],
  ])('%s passes', (_what, text) => {
    expect(both(text)).toEqual([undefined, undefined]);
  });
});
