import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findIdentifier, identifierByRules } from '../../functions/lib/identifiability-guard.ts';
import { isChiNumber, isValidNhsNumber } from '../../functions/lib/nhs-number.ts';

/** Both the guard and every rule run in full give this answer for the text (undefined: nothing found). */
function expectBoth(text: string, kind: string | undefined): void {
  expect([text, findIdentifier(text)]).toEqual([text, kind]);
  expect([text, identifierByRules(text)]).toEqual([text, kind]);
}

describe('review 8 N3: UK telephone numbers with a bare 44 (a spreadsheet drops the +) or the 0 of "(0)" kept', () => {
  it.each([
    '442079460958', // +44 20 7946 0958 as Excel stores it
    '44-20-7946-0958',
    '441614960000', // +44 161 496 0000
    '44-161-496-0000',
    '44.161.496.0000',
    '44_113_496_0000',
    '44-113-4960000',
    'REF-442079460958',
    '44-0-20-7946-0958', // +44 (0)20 7946 0958, brackets removed
    '+44 0 20 7946 0958', // the same with its +
    '0044 0 161 496 0000',
    '4402079460958', // +44 (0)20.. as one number
    '44-0-7700900123', // +44 (0)7700 900123, brackets removed
    '44-7700900123',
    '7700900123', // 07700 900123 with its leading 0 dropped by a spreadsheet
    'tel442079460958', // a bare 44 landline glued to letters, as the mobile rule reads pt447700900123
    'PT44-1614960000',
    'tel4402079460958',
  ])('%s is a telephone number', (text) => expectBoth(text, 'telephone'));

  it.each([
    'H44120-2026057', // an ODS code 44.. and a date: one capital before it
    'H44074.22_4_5949.1',
    '445012345678', // twelve digits from 445: no UK number follows 44 with a 5
    '44120260512', // eleven digits: 44 and nine, too few for a landline
    '7600900123', // 076: pagers, not a mobile
    '77009001234', // eleven digits from 7: no 0 dropped
    'EV7700900123', // a bare 7.. beside letters is left (a number from 7 up beside letters is read as an NHS number)
  ])('%s is not a telephone number', (text) => expect(findIdentifier(text)).not.toBe('telephone'));
});

/*
 * Review 8 N4: a UUID (or a 24/32/40/64-hex id) inside a cell, with a prefix or suffix, is as much chance as the bare
 * one. These UUIDs hold ten digits beside hex letters that pass modulus 11 (a9434765919b), a mobile's digits
 * (07700900123) and zero-padded digits in their last group (005341950402): bare, each passes (chancePseudonym).
 */
const UUIDS = [
  '3f2a9c1e-7b4d-4e21-9a0f-a9434765919b',
  '3f2a9c1e-7b4d-4e21-9a0f-07700900123a',
  '3f2a9c1e-7b4d-4e21-9a0f-005341950402',
  '3F2A9C1E-7B4D-4E21-9A0F-A9434765919B',
];
describe('review 8 N4: a UUID or a long hex id inside a cell', () => {
  it.each(UUIDS)('%s passes bare, prefixed and suffixed', (uuid) => {
    for (const text of [
      uuid,
      `urn:uuid:${uuid}`,
      `EV-${uuid}`,
      `${uuid}.1`,
      `${uuid}-2`,
      `R${uuid}`,
      `X:${uuid}`,
      `EV-${uuid}.12`,
      `${uuid}_${uuid}`,
    ]) {
      expectBoth(text, undefined);
    }
  });

  it.each([
    'a9434765919b0123456789ab', // 24 (an ObjectId)
    'a9434765919b0123456789abcdef0123', // 32 (a GUID without hyphens)
    'a9434765919b0123456789abcdef0123456789ab', // 40 (a SHA-1)
  ])('a hex id %s passes with a prefix or a suffix', (id) => {
    for (const text of [id, `EV-${id}`, `${id}.1`, `obj:${id}`]) expectBoth(text, undefined);
  });

  it('an NHS number or a telephone number beside a UUID is still refused', () => {
    const uuid = UUIDS[0] as string;
    expectBoth(`9434765919-${uuid}`, 'nhs_number');
    expectBoth(`${uuid}.9434765919`, 'nhs_number');
    expectBoth(`${uuid}_NHS9434765919`, 'nhs_number');
    expectBoth(`${uuid} 943 476 5919`, 'nhs_number');
    expectBoth(`${uuid}-07700900123`, 'telephone');
    expectBoth(`urn:uuid:${uuid}:SW1A 1AA`, 'postcode');
    // Hex runs of other lengths are read as any other text: 16 hex (too short to tell from a number and six more).
    expectBoth('EV-a9434765919bcdef', 'nhs_number');
    // A UUID's shape starting with twenty zeros is no generated UUID: read as before.
    expectBoth('EV-00000000-0000-0000-0000-009434765919', 'nhs_number');
    // A hex id that is hex letters glued to a number at one end is read as before.
    expectBoth('EV-abcdefabcdefab9434765919', 'nhs_number');
  });

  it('1,000 random UUIDs in each prefixed or suffixed shape: none refused', () => {
    let refused = 0;
    for (let i = 0; i < 1000; i++) {
      const uuid = randomUUID();
      for (const text of [`urn:uuid:${uuid}`, `EV-${uuid}`, `${uuid}.1`, `R${uuid}`, `${uuid}-2`]) {
        if (findIdentifier(text) !== undefined) refused++;
      }
    }
    // Before: about 1 in 300 of each shape (review 8: 651 to 817 of 200,000), so ~17 of these 5,000.
    expect(refused).toBe(0);
  });
});

describe('review 8 N8: ten digits standing alone are read as an NHS number only in a range one can be in', () => {
  // 1747279609, 1747279617 and 1747279625 are Unix times of 15 May 2025 that pass modulus 11 (checked below); a CHI
  // number starts with a DDMMYY date, and day 17 of month 47 is none; no NHS number starts 0 to 2 (England and Wales
  // issue 400-499 and 600-799, Northern Ireland 320-399).
  it.each([
    '1747279609',
    '1747279609-379',
    '1747279609.12',
    'EV-1747279609-12',
    'U12345-1747279609',
    '1747279617',
    'EV-1747279625',
    '2999999992', // from 2: day 29 of month 99
  ])('%s passes', (text) => expectBoth(text, undefined));

  it('the examples pass modulus 11 and are no CHI number', () => {
    for (const n of ['1747279609', '1747279617', '1747279625', '2999999992']) {
      expect([n, isValidNhsNumber(n), isChiNumber(n)]).toEqual([n, true, false]);
    }
  });

  it.each([
    '9434765919', // from 3 up: read as before
    'EV-9434765919-12',
    '4010232137',
    '0101901232', // a CHI number (1 January 1990) standing alone
    'U12345-0101901232',
    '00009434765919', // zero padding
  ])('%s is still refused', (text) => expectBoth(text, 'nhs_number'));
});

describe('review 8 observation: an NHS number padded to a pseudonym`s 64 hex characters', () => {
  it('right padded (zeros or another hex digit repeated, 20 or more in a row), as left padded is, is refused', () => {
    expectBoth(`9434765919${'0'.repeat(54)}`, 'nhs_number');
    expectBoth(`9434765919${'f'.repeat(54)}`, 'nhs_number');
    expectBoth(`${'f'.repeat(54)}9434765919`, 'nhs_number');
    expectBoth(`0101901232${'0'.repeat(54)}`, 'nhs_number'); // a CHI number
    expectBoth(`${'0'.repeat(54)}9434765919`, 'nhs_number'); // as before
    expectBoth(`9434765919${'0'.repeat(53)}a`, 'nhs_number');
    expectBoth(`9434765919${'3fa2c1e9b7d41a2b3c4d5e6f3fa2c1e9b7'}${'0'.repeat(20)}`, 'nhs_number');
  });
  it('ten digits that are no NHS number, or hex with no run of 20 of one digit beside it, pass', () => {
    expectBoth(`9434765918${'0'.repeat(54)}`, undefined); // the check digit fails
    expectBoth(`1747279609${'0'.repeat(54)}`, undefined); // no NHS or CHI number
    // A pseudonym starting with ten digits that pass modulus 11 (about 1 in 1,200 do: (10/16)^10 / 11 = 8.3e-4): chance.
    expectBoth(`9434765919${'3fa2c1e9b7d41a2b3c4d5e6f3fa2c1e9b7d41a2b3c4d5e'}${'0'.repeat(8)}`, undefined);
    expectBoth(`${'3fa2c1e9b7d41a2b3c4d5e6f3fa2c1e9b7d41a2b3c4d5e'}${'0'.repeat(8)}9434765919`, undefined);
  });
});
