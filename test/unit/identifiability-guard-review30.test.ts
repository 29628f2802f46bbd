import { describe, expect, it } from 'vitest';
import { EVENT_FIELD_NAMES, WORKFORCE_FIELD_NAMES } from '../../functions/contract/fields.ts';
import { findIdentifier, identifierByRules, personalColumnKind } from '../../functions/lib/identifiability-guard.ts';
import { loggedPath } from '../../functions/lib/logged-path.ts';

/*
 * Red-team review 30. The test names describe each value by its shape; the values themselves are never printed (the
 * assertions compare the kind found only).
 */
const kindOf = (text: string) => [findIdentifier(text), identifierByRules(text)];

describe('R30-2: an NHS number or a mobile in a spreadsheet’s thousands format is refused', () => {
  it.each([
    ['thousands commas (Excel’s "Use 1000 Separator")', '9,434,765,919'],
    ['thousands commas and two decimals', '9,434,765,919.00'],
    ['a label, then thousands commas', 'NHS 9,434,765,919'],
    ['commas in a 4-3-3 grouping', '9434,765,919'],
    ['commas in a 3-4-3 grouping', '943,4765,919'],
    ['commas between pairs', '94,34,76,59,19'],
    ['commas in the 3-3-4 grouping', '943,476,5919'],
    ['Swiss apostrophes', "9'434'765'919"],
    ['curly apostrophes', '9\u2019434\u2019765\u2019919'],
  ])('an NHS number with %s', (_shape, text) => {
    expect(kindOf(text)).toEqual(['nhs_number', 'nhs_number']);
  });

  it('a mobile whose 0 a spreadsheet dropped, in thousands format, is a telephone number', () => {
    expect(kindOf('7,700,900,123')).toEqual(['telephone', 'telephone']);
    expect(kindOf("7'700'900'123")).toEqual(['telephone', 'telephone']);
  });

  it.each([
    ['ten digits in thousands format that fail the modulus 11 check (below 3: no CHI date either)', '1,234,567,890'],
    ['ten digits from 3 up in thousands format that fail the modulus 11 check', '9,434,765,918'],
    ['a round billion', '3,000,000,000'],
    ['a decimal comma', '16,89'],
    ['a list of small numbers', '2026,04,12,1,2,3'],
  ])('passes %s', (_shape, text) => {
    expect(kindOf(text)).toEqual([undefined, undefined]);
  });

  it('the access log withholds a path holding one', () => {
    expect(loggedPath('/api/uploads/9,434,765,919')).toBe('[path withheld]');
    expect(loggedPath('/api/uploads/9%2C434%2C765%2C919')).toBe('[path withheld]');
  });
});

describe('R30-7: personal columns are told by words inside their names', () => {
  it.each([
    ['Patient Full Name', 'name'],
    ['Client name', 'name'],
    ['Person name', 'name'],
    ['Name of patient', 'name'],
    ['Preferred Name', 'name'],
    ['Given Name(s)', 'name'],
    ['Patient Surname', 'name'],
    ['Next of kin', 'name'],
    ['Title', 'name'],
    ['Home Address', 'address'],
    ['Address 1', 'address'],
    ['Address1', 'address'],
    ['Patient Postcode', 'postcode'],
    ['Mobile No', 'telephone'],
    ['Home Phone', 'telephone'],
    ['Tel No', 'telephone'],
    ['Contact number', 'telephone'],
    ['NOK Phone', 'telephone'],
    ['Email Address 1', 'email'],
    ['Patient NHS Number', 'nhs_number'],
    ['Patient DOB', 'date_of_birth'],
    ['Full Name', 'name'],
    ['NHS_Number', 'nhs_number'],
    ['Post_Code', 'postcode'],
    ['DOB', 'date_of_birth'],
  ])('%s would hold %s', (column, kind) => {
    expect(personalColumnKind(column)).toBe(kind);
  });

  it('every field of the contract, and an organisation’s name, is no personal column', () => {
    const fields = [...EVENT_FIELD_NAMES, ...WORKFORCE_FIELD_NAMES];
    expect(fields.filter((name) => personalColumnKind(name) !== undefined)).toEqual([]);
    for (const column of ['practice_name', 'Provider Name', 'PCN name', 'service name'])
      expect([column, personalColumnKind(column)]).toEqual([column, undefined]);
  });
});

describe('R30-4: combining marks, blank fillers and a percent-encoded @ hide nothing', () => {
  const keycaps = (digits: string) => [...digits].map((d) => `${d}\ufe0f\u20e3`).join('');
  it.each([
    ['an acute accent inside an NHS number', '9434\u0301765919'],
    ['a combining grapheme joiner between every digit', [...'9434765919'].join('\u034f')],
    ['keycap digits', keycaps('9434765919')],
    ['a Hangul filler inside an NHS number', '9434\u3164765919'],
    ['a Braille blank inside an NHS number', '9434\u2800765919'],
  ])('an NHS number with %s', (_shape, text) => {
    expect(kindOf(text)).toEqual(['nhs_number', 'nhs_number']);
  });

  it.each([
    ['percent-encoded once', 'jane.doe%40nhs.net'],
    ['percent-encoded twice', 'jane.doe%2540nhs.net'],
  ])('an e-mail address with its @ %s', (_shape, text) => {
    expect(kindOf(text)).toEqual(['email', 'email']);
  });

  it('a name with a combining accent, a percentage and an accented id pass', () => {
    for (const text of ['Jose\u0301', 'cafe\u0301-12', '100%40x', 'EV-12\u0301'])
      expect([text, ...kindOf(text)]).toEqual([text, undefined, undefined]);
  });
});
