import { describe, expect, it } from 'vitest';
import { findIdentifier, identifierByRules } from '../../functions/lib/identifiability-guard.ts';

/*
 * Red-team review 9, R9-4: zero-padded counters of ten or eleven digits (a common way to number events) were refused
 * as telephone numbers, every one: the rule read 0 and any digit, and no UK number starts 00 (the international
 * prefix), 04 or 06 (Ofcom's National Telephone Numbering Plan: 01/02 geographic, 03 non-geographic, 05 corporate,
 * 07 mobile and personal, 08 and 09 special services).
 */
describe('review 9 R9-4: zero-padded counters are not telephone numbers', () => {
  it.each([
    'EV-0000000001',
    'EV-0000012345',
    'REF_0000000042',
    '0000000001', // bare, ten digits
    '00000000001', // bare, eleven digits
    'U12345-0000000007',
    'EV-00000000001', // eleven digits after a prefix
    'EV-0400000001', // 04: no UK number
    'EV-0612345678', // 06: no UK number
  ])('%s is accepted', (text) => {
    expect([text, findIdentifier(text)]).toEqual([text, undefined]);
    expect([text, identifierByRules(text)]).toEqual([text, undefined]);
  });

  it.each([
    '0207 946 0958', // 02: London
    '01632 960001', // 01: geographic
    '0300 123 4567', // 03: non-geographic
    '0500 123456', // 05: corporate (ten digits)
    '07700 900123', // 07: mobile
    '0800 123 4567', // 08: freephone
    '0909 879 0000', // 09: premium rate
    '+44 20 7946 0958',
    '0044 (0) 161 496 0000',
    'EV-02079460958', // a landline after a prefix is still read
  ])('%s is still a telephone number', (text) => {
    expect([text, findIdentifier(text)]).toEqual([text, 'telephone']);
    expect([text, identifierByRules(text)]).toEqual([text, 'telephone']);
  });
});
