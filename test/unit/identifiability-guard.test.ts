import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AGE_BANDS,
  EVENT_FIELDS,
  REFERRAL_REASONS,
  SNOMED_DECLINED,
  SNOMED_REFERRAL,
  WORKFORCE_FIELDS,
} from '../../functions/contract/index.ts';
import { findIdentifier, identifierByRules, personalColumnKind } from '../../functions/lib/identifiability-guard.ts';
import { isChiNumber, isValidNhsNumber } from '../../functions/lib/nhs-number.ts';

/** Both the guard and every rule run in full give this answer for the text (undefined: nothing found). */
function expectBoth(text: string, kind: string | undefined): void {
  expect(findIdentifier(text)).toBe(kind);
  expect(identifierByRules(text)).toBe(kind);
}

/**
 * Every text the arbitrary makes is answered so by both: the kind (undefined: nothing found), or one of the kinds listed
 * (both giving the same one).
 */
function assertEvery(
  texts: fc.Arbitrary<string>,
  kind: string | undefined | readonly string[],
  parameters: fc.Parameters<[string]>,
): void {
  fc.assert(
    fc.property(texts, (text) => {
      if (typeof kind === 'object') {
        const found = findIdentifier(text);
        expect(kind).toContain(found);
        expect(identifierByRules(text)).toBe(found);
      } else expectBoth(text, kind);
    }),
    parameters,
  );
}

/** Every text the arbitrary makes is answered the same by the guard and by every rule run in full. */
function assertSameAnswer(texts: fc.Arbitrary<string>, parameters: fc.Parameters<[string]>): void {
  fc.assert(
    fc.property(texts, (text) => {
      expect(findIdentifier(text)).toBe(identifierByRules(text));
    }),
    parameters,
  );
}

/** Lower-case hex digits, exactly `length` of them. */
const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

/** A number after `zeros` zeros, the separator before each digit of the number at the cuts (1 to 9: between digits). */
function grouped(number: string, cuts: readonly number[], separator: string, zeros: number): string {
  const padded = `${'0'.repeat(zeros)}${number}`;
  const at = new Set(cuts.map((cut) => cut + zeros));
  return [...padded].map((digit, i) => (at.has(i) ? `${separator}${digit}` : digit)).join('');
}

describe('isValidNhsNumber (modulus 11)', () => {
  it('accepts numbers whose check digit is right', () => {
    // 943 476 5919: 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299; 299 mod 11 = 2; 11-2 = 9 = last digit.
    expect(isValidNhsNumber('9434765919')).toBe(true);
    // 401 023 2137: 4*10+0+1*8+0+2*6+3*5+2*4+1*3+3*2 = 92; 92 mod 11 = 4; 11-4 = 7.
    expect(isValidNhsNumber('4010232137')).toBe(true);
  });

  it('refuses a wrong check digit, a remainder of 10 and the wrong length', () => {
    expect(isValidNhsNumber('9434765918')).toBe(false);
    // 000 000 0010: the weighted sum is 1*2 = 2... check 11-2=9, last digit 0: wrong.
    expect(isValidNhsNumber('0000000010')).toBe(false);
    // 123 456 7890: sum = 10+18+24+28+30+30+28+24+18 = 210; 210 mod 11 = 1; 11-1 = 10: never valid.
    expect(isValidNhsNumber('1234567890')).toBe(false);
    expect(isValidNhsNumber('943476591')).toBe(false);
  });
});

describe('findIdentifier', () => {
  it.each([
    ['9434765919', 'nhs_number'],
    ['943 476 5919', 'nhs_number'],
    ['943-476-5919', 'nhs_number'],
    ['patient 4010232137 seen', 'nhs_number'],
    ['SW1A 1AA', 'postcode'],
    ['m1 1ae', 'postcode'],
    ['B338TH', 'postcode'],
    ['jane.doe@example.nhs.uk', 'email'],
    ['07700 900123', 'telephone'],
    ['+44 7700 900123', 'telephone'],
    ['020 7946 0958', 'telephone'],
    // Shapes a reviewer got past the guard: letters beside the digits, other separators, compatibility characters.
    ['NHS9434765919', 'nhs_number'],
    ['REF9434765919', 'nhs_number'],
    ['Ref9434765919', 'nhs_number'],
    ['943.476.5919', 'nhs_number'],
    ['943_476_5919', 'nhs_number'],
    ['943/476/5919', 'nhs_number'],
    ['943\u00a0476\u00a05919', 'nhs_number'],
    ['\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19', 'nhs_number'],
    // The fourth review: digits of other scripts, which NFKC keeps (Arabic-Indic, Devanagari, Bengali).
    ['\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669', 'nhs_number'],
    ['\u096f\u096a\u0969 \u096a\u096d\u096c \u096b\u096f\u0967\u096f', 'nhs_number'],
    ['\u09e6\u09ed\u09ed\u09e6\u09e6 \u09ef\u09e6\u09e6\u09e7\u09e8\u09e9', 'telephone'],
    ['NHS\u06f9\u06f4\u06f3\u06f4\u06f7\u06f6\u06f5\u06f9\u06f1\u06f9', 'nhs_number'],
    ['SW1A\u00a01AA', 'postcode'],
    ['07700\u00a0900123', 'telephone'],
    ['07700.900123', 'telephone'],
    ['a-b-c 9434765919 in a UUID-length text', 'nhs_number'],
    // Letters and ten digits from 3 up that pass the check digit: refused as an NHS number, whatever the system meant.
    ['EV4000000101', 'nhs_number'],
    // The second review: the groups written apart with letters before them.
    ['R943-476-5919', 'nhs_number'],
    ['NHS943-476-5919', 'nhs_number'],
    ['ID943 476 5919', 'nhs_number'],
    ['pt:NHS943-476-5919', 'nhs_number'],
    ['REF943.476.5919X', 'nhs_number'],
    // The third review: separators of more than one character, zero padding, brackets; postcodes and telephone
    // numbers with other separators between their parts.
    ['943--476--5919', 'nhs_number'],
    ['943 - 476 - 5919', 'nhs_number'],
    ['943..476..5919', 'nhs_number'],
    ['943  476  5919', 'nhs_number'],
    ['943\t476\t5919', 'nhs_number'],
    ['(943) 476-5919', 'nhs_number'],
    ['[943] [476] [5919]', 'nhs_number'],
    ['00009434765919', 'nhs_number'],
    ['09434765919', 'nhs_number'],
    ['0000943 476 5919', 'nhs_number'],
    ['R943--476--5919', 'nhs_number'],
    ['NHS00009434765919', 'nhs_number'],
    ['943 /-/ 476 /-/ 5919', 'nhs_number'],
    ['SW1A-1AA', 'postcode'],
    ['SW1A  1AA', 'postcode'],
    ['SW1A_1AA', 'postcode'],
    ['SW1A1AA', 'postcode'],
    ['LS1.4AP', 'postcode'],
    ['LS1:4AP', 'postcode'],
    ['(LS1 4AP)', 'postcode'],
    ['07700--900123', 'telephone'],
    ['07700 - 900 - 123', 'telephone'],
    ['(01632) 960 001', 'telephone'],
    ['(020) 7946-0958', 'telephone'],
    ['0044 7700 900123', 'telephone'],
    ['+44 (0) 20 7946 0958', 'telephone'],
    // The fifth review: an NHS number one digit at a time or in other groupings, and a postcode inside an id.
    ['9 4 3 4 7 6 5 9 1 9', 'nhs_number'],
    ['9-4-3-4-7-6-5-9-1-9', 'nhs_number'],
    ['9.4.3.4.7.6.5.9.1.9', 'nhs_number'],
    ['9_4_3_4_7_6_5_9_1_9', 'nhs_number'],
    ['9/4/3/4/7/6/5/9/1/9', 'nhs_number'],
    ['943 4765 919', 'nhs_number'],
    ['94-34-76-59-19', 'nhs_number'],
    ['9434 765919', 'nhs_number'],
    ['ORG9-4-3-4-7-6-5-9-1-9', 'nhs_number'],
    ['EV-4-0-1-0-2-3-2-1-3-7-X', 'nhs_number'],
    ['seen 9 4 3 4 7 6 5 9 1 9 today', 'nhs_number'],
    ['0-0-9-4-3-4-7-6-5-9-1-9', 'nhs_number'],
    // A run of another kind after it ends it: `.1` does not make it eleven digits.
    ['R9-4-3-4-7-6-5-9-1-9.1', 'nhs_number'],
    ['12.94-34-76-59-19', 'nhs_number'],
    ['ORG-SW1A-1AA', 'postcode'],
    ['ORG_LS1_4AP_2', 'postcode'],
    ['VCSE-SW1A-1AA', 'postcode'],
    ['id.m1.1ae', 'postcode'],
    // The sixth review: separators mixed between single digits, or changing in a 3-3-4 grouping.
    ['9-4.3 4/7-6.5 9/1-9', 'nhs_number'],
    ['9 - 4 / 3 . 4 7 6 5 9 1 9', 'nhs_number'],
    ['9-4-3-4-7.6.5.9.1.9', 'nhs_number'],
    ['ORG9.4-3_4/7 6-5.9_1/9X', 'nhs_number'],
    ['943 476-5919', 'nhs_number'],
    ['943-476 5919', 'nhs_number'],
    ['R943 476-5919', 'nhs_number'],
    // Doubled or repeated separators in groupings other than 3-3-4.
    ['94  34  76  59  19', 'nhs_number'],
    ['94--34--76--59--19', 'nhs_number'],
    ['943--4765--919', 'nhs_number'],
    ['9434--765919', 'nhs_number'],
    ['943 -- 4765 -- 919', 'nhs_number'],
    ['9--4--3--4--7--6--5--9--1--9', 'nhs_number'],
    ['R94..34..76..59..19', 'nhs_number'],
    // A number written into a UUID's or a pseudonym's shape, twenty zeros first: no UUID or HMAC starts so.
    ['00000000-0000-0000-0000-009434765919', 'nhs_number'],
    ['00000000-0000-0000-0000-9434765919ab', 'nhs_number'],
    [`${'0'.repeat(20)}ab9434765919${'c'.repeat(32)}`, 'nhs_number'],
    // A CHI number (0101901232: 1 January 90, check digit 2) standing alone in any grouping, as in 3-3-4.
    ['CHI-0101901232', 'nhs_number'],
    ['R-010190-1232', 'nhs_number'],
    ['0-1-0-1-9-0-1-2-3-2', 'nhs_number'],
    ['01 01 90 1232', 'nhs_number'],
    ['ref 01.01.90.12.32', 'nhs_number'],
    ['CHI 01--01--90--1232', 'nhs_number'],
    ['2-9-0-2-0-0-1-2-3-1', 'nhs_number'],
    // Review 3 (L1): a UK mobile glued to letters, either side, in every prefix a mobile is written with.
    ['MOB07700900123', 'telephone'],
    ['tel07700900123', 'telephone'],
    ['pt447700900123', 'telephone'],
    ['pt+447700900123', 'telephone'],
    ['pt00447700900123', 'telephone'],
    ['tel07700 900123', 'telephone'],
    ['Tel+44 7700 900123', 'telephone'],
    ['pt+44(0)7700900123', 'telephone'],
    ['07700900123MOB', 'telephone'],
    ['E1.mob07700900123x', 'telephone'],
    ['447700900123', 'telephone'],
  ])('finds %s as %s', (value, kind) => {
    expect(findIdentifier(value)).toBe(kind);
  });

  it.each([
    ['a pseudonymous person id', 'ab12cd34ef56a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6'],
    // Ten digits that pass the check first, then hex with no run of 20 of one digit (a run is padding: review 8).
    ['a pseudonym made only of digits and letters', '9434765919ab12cd34ef56a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7081'],
    ['a 10-digit number failing modulus 11', '1234567890'],
    ['a date', '2024-05-01'],
    ['a timestamp', '2024-05-01T09:30:00Z'],
    ['a PCN code', 'U12345'],
    ['a practice code', 'A81001'],
    ['an event id', 'R202405-3f.a'],
    ['an enum value', 'mental_health;loneliness_isolation'],
    ['a provider id', 'VCSE-QWE-1A'],
    ['a SNOMED code', '871731000000106'],
    ['a score', '23.5'],
    ['a zero-padded event id (not a telephone number beside letters)', 'EVT0000012345'],
    ['a date-and-sequence id whose ten digits pass the check digit', 'EV2026050007'],
    ['a date-and-sequence id with a hyphen (the demo writes these)', 'R202605-2565'],
    ['a long numeric event id', 'EV-12345678901234'],
    ['letters and a separated number failing modulus 11', 'R943-476-5918'],
    ['a date-and-sequence id with its groups apart', 'R2026-05-12-0001'],
    ['a UUID whose last group has ten digits between letters', '3f2a9c1e-7b4d-4e21-9a0f-b9434765919c'],
    // Its zeros are the group's width, not padding (the generated contract values found one: about 3 UUIDs in a million).
    ['a UUID whose last group is 00 and ten digits passing the check digit', '3f2a9c1e-7b4d-4e21-9a0f-005341950402'],
    ['a pseudonym with a valid-looking number between hex letters', `${'ab'.repeat(20)}c9434765919d${'ef'.repeat(6)}`],
    // Zero padding is zeros before ten digits: an id of zeros and fewer digits, or fifteen digits, holds no number.
    ['a zero-padded number of five digits', '000000000012345'],
    ['a zero-padded event id with a separator', 'EV-0000000012345'],
    ['a SNOMED code with zeros inside', '871711000000103'],
    ['a timestamp with an offset', '2026-05-12T09:30:00+01:00'],
    ['a timestamp with milliseconds and a negative offset', '2026-05-12T09:30:00.000-05:00'],
    // Read as a telephone number before a colon stopped being a separator in one (the generated contract values found it).
    ['a timestamp at midnight with milliseconds and an offset', '2019-01-01T00:00:00.000-05:00'],
    ['a timestamp with milliseconds and a zero offset', '2019-01-01T10:00:00.000+00:00'],
    ['a date and a time', '2024-05-01 09:30:00'],
    ['a date-and-sequence id with two separators', 'R2026-05--12-0001'],
    ['a provider id with separators', 'VCSE--QWE--1A'],
    ['a score list', '23.5 / 35'],
    // Ten digits in another grouping are read from 3 up, and not ten at a time from a longer run.
    ['a date-and-sequence id and an event number', 'R202605-2565.1'],
    ['a date-and-sequence id of single digits', 'R2026-0-5-2565'],
    ['eleven digits one at a time', '9-4-3-4-7-6-5-9-1-9-1'],
    ['eleven digits, not zero-padded', '1 9 4 3 4 7 6 5 9 1 9'],
    ['ten digits one at a time failing modulus 11', '9-4-3-4-7-6-5-9-1-8'],
    // The sixth review: a UK date and time, and an id of a site, a year and a sequence, are groups of several digits
    // whose separators change: not read as one number (the 3-3-4 rules aside), or 1 in 11 would be refused.
    ['a UK date and time', '31/05/2026 09:30'],
    ['a UK date and time with dots', '12.05.26 09.30'],
    ['a UK date and time with seconds', '30-11-2026 23:59:59'],
    ['a site, a year and a sequence', 'EV-45.2026-0001'],
    ['eleven digits one at a time, separators mixed', '9-4.3 4/7-6.5 9/1-9.1'],
    ['a date-and-sequence id with doubled separators', 'R2026--05--2565'],
    // A CHI number starts with a date: a year first (day 20 of month 26) is none, nor a day 00 or a month 13.
    ['ten digits from 0 to 2 passing the check digit, day 00 first', 'R0013901230'],
    ['ten digits from 0 to 2 passing the check digit, month 31 first, one at a time', '1-3-3-1-9-0-1-2-3-5'],
    // Beside letters a CHI number below 3 is not read: ids numbered by a date start so (R260512-0007 passes both checks).
    ['a CHI number beside letters', 'CHI0101901232'],
    ['a six-digit date and a sequence beside letters', 'R260512-0007'],
    ['a day-first date and a sequence beside letters', 'R0101901232'],
    ['ten digits from 0 to 2 passing the check digit, month 31 first', 'R1331901235'],
    ['the demo provider id whose ICB code is postcode-like (no postcode area begins with Q)', 'VCSE-QE1-1BP'],
    ['an ICB code and a sequence with a space', 'QT6 1AB'],
    ['postcode-like halves with letters no inward code uses', 'ORG-SW1A-1CI'],
    // Review 3 (L1): beside letters only a mobile's exact shape is read (07 and nine digits, 447 and nine), not beside
    // another digit: ids padded to other widths, and 0 and ten digits (a landline's shape, or zero padding).
    ['ten digits after letters, 07 first', 'EV0770090012'],
    ['twelve digits after letters, 07 first', 'MOB077009001234'],
    ['a mobile with a digit before it, beside letters', 'MOB107700900123'],
    // Not 01 first since review 6: 0, 1 and nine digits glued to letters is a landline (01234 567891), below.
    ['eleven digits after letters, 00 first (zero padding)', 'EV00234567891'],
    ['thirteen digits after letters, 447 first', 'pt4477009001234'],
    ['a mobile-shaped run between a UUID\u2019s hex letters', '3f2a9c1e-7b4d-4e21-9a0f-a07700900123'],
    ['a timestamp whose seconds are 07 and a nanosecond fraction 7 first', '2026-05-12T09:30:07.700900123+01:00'],
  ])('does not flag %s', (_what, value) => {
    expectBoth(value, undefined);
  });
});

it('flags a pseudonym only where a number stands alone in it: one random 64-hex id in 200 would otherwise', () => {
  // Every 64-hex value here holds a valid NHS number between hex letters; read as any other text it would be flagged.
  const between = `${'a'.repeat(30)}9434765919${'b'.repeat(24)}`;
  expect(between).toHaveLength(64);
  expect(findIdentifier(between)).toBeUndefined();
  // One hex digit more is no pseudonym's length: read as any other text.
  expect(findIdentifier(`${between}0`)).toBe('nhs_number');
  // A pseudonym's 64 hex with a suffix that is not hex is one inside a text (review 8, N4): as much chance as alone.
  expect(findIdentifier(`${between}x`)).toBeUndefined();
});

it('reads no zero padding in a UUID: its last group of 00 and a valid number, any other groups, is not refused', () => {
  const uuid = fc
    .tuple(hex(8), hex(4), hex(4), hex(4), nhsNumber)
    .map(([a, b, c, d, number]) => `${a}-${b}-${c}-${d}-00${number}`);
  assertEvery(uuid, undefined, { numRuns: 2000 });
  // Outside a UUID the same digits are a zero-padded NHS number.
  expect(findIdentifier('005341950402')).toBe('nhs_number');
  expect(findIdentifier('x-005341950402')).toBe('nhs_number');
});

describe('the pseudonym shortcut (64 hex digits are never an identifier) answers as every rule run in full', () => {
  const hexDigit = fc.constantFrom(...'0123456789abcdefABCDEF');
  // Pieces that the rules would flag standing alone: valid NHS numbers (943 476 5919, 401 023 2137), a mobile and a
  // landline number, digit runs of every length around ten.
  const piece = fc.oneof(
    fc.string({ unit: hexDigit, minLength: 1, maxLength: 12 }),
    fc.constantFrom('9434765919', '4010232137', '07700900123', '02079460000', '0123456789'),
    fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 8, maxLength: 12 }),
  );
  const hexText = (length: number) =>
    fc
      .array(piece, { minLength: 1, maxLength: 16 })
      .map((pieces) => pieces.join('').padEnd(length, 'a').slice(0, length));

  // Review 8: ten digits at one end that are an NHS number from 3 up or a CHI number, and a run of 20 of one hex digit
  // in the other 54 (padding), are a number padded to the shape: refused, by both.
  const padded = (text: string): boolean =>
    [
      [text.slice(0, 10), text.slice(10)],
      [text.slice(-10), text.slice(0, -10)],
    ].some(
      ([ten, rest]) =>
        /^\d{10}$/.test(ten as string) &&
        /([0-9a-f])\1{19}/i.test(rest as string) &&
        ((ten as string) >= '3' ? isValidNhsNumber(ten as string) : isChiNumber(ten as string)),
    );
  // sec33: eleven digits at one end that are a UK telephone number's shape (0, then 1-3, 5 or 7-9), and the same run.
  const paddedTelephone = (text: string): boolean =>
    [
      [text.slice(0, 11), text.slice(11)],
      [text.slice(-11), text.slice(0, -11)],
    ].some(([eleven, rest]) => /^0[1-35789]\d{9}$/.test(eleven as string) && /([0-9a-f])\1{19}/i.test(rest as string));
  it('on 64 hex digits holding numbers anywhere: never an identifier, by both, but a number padded to it', () => {
    fc.assert(
      fc.property(hexText(64), (text) => {
        expect(text).toMatch(/^[0-9a-fA-F]{64}$/);
        expectBoth(text, padded(text) ? 'nhs_number' : paddedTelephone(text) ? 'telephone' : undefined);
      }),
      { numRuns: 2000 },
    );
  });

  it('on texts beside that shape (63 or 65 characters, a character that is not hex, any text): the same answer', () => {
    const beside = fc.oneof(
      hexText(63),
      hexText(65),
      fc
        .tuple(hexText(64), fc.nat(63), fc.constantFrom(' ', '-', 'x', '@', '.', '\u00a0', '９'))
        .map(([text, at, other]) => `${text.slice(0, at)}${other}${text.slice(at + 1)}`),
      fc.tuple(fc.constantFrom('9434765919', '07700900123'), hexText(54)).map(([number, text]) => `${number} ${text}`),
      // Hex digits only, of other lengths: numbers the rules find.
      fc.constantFrom('9434765919', '4010232137', '07700900123'),
      fc.string({ maxLength: 80 }),
      // 64 digits: zeros, then a number (an NHS number zero-padded to 64 is flagged, the shortcut must not hide it).
      fc.constantFrom('9434765919', '4010232137', '1234567890', '07700900123').map((n) => n.padStart(64, '0')),
    );
    assertSameAnswer(beside, { numRuns: 4000 });
    // Worked examples: a valid NHS number standing apart from the hex is found, one inside it is not.
    expect(findIdentifier(`9434765919 ${'a'.repeat(53)}`)).toBe('nhs_number');
    expect(findIdentifier(`${'a'.repeat(27)}9434765919${'a'.repeat(27)}`)).toBeUndefined();
    expect(findIdentifier('9434765919'.padStart(64, '0'))).toBe('nhs_number');
  });
});

describe('the letters shortcut (a postcode needs three letters) answers as every rule run in full', () => {
  it('on texts made of ids, dates, timestamps, postcodes, numbers and separators', () => {
    // Postcodes of every shape (A9 9AA to AA9A 9AA), some with one or two letters too few; ids and dates as PCNs write them.
    const piece = fc.oneof(
      fc.constantFrom('SW1A 1AA', 'm1 1ae', 'B33 8TH', 'CR2 6XH', 'DN55 1PT', 'W1 1A', '1 1AA', 'M1 1A', 'A1 1A'),
      fc.constantFrom('R202601-0.1', 'U00203', 'P87620', '2026-01-02', '2026-01-02T12:00:00Z', 'E12', '9434765919'),
      fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 4 }),
      fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz'), minLength: 1, maxLength: 3 }),
      fc.constantFrom(' ', '-', '.', ':', '_', '/', ''),
      // Separator runs, brackets and zero padding, as the third review wrote them.
      fc.constantFrom('--', ' - ', '..', '  ', '(', ') ', '0000', 'LS1.4AP', 'SW1A-1AA', 'S1 -- 4AP'),
    );
    const text = fc.array(piece, { minLength: 1, maxLength: 6 }).map((pieces) => pieces.join(''));
    assertSameAnswer(text, { numRuns: 10_000 });
    // Worked examples: three letters and two digits make a postcode; with a letter fewer the rules find none either.
    expect(findIdentifier('ref SW1A 1AA')).toBe('postcode');
    expect(identifierByRules('W1 1A x')).toBeUndefined();
    expect(findIdentifier('W1 1A x')).toBeUndefined();
  });
});

describe('the digits shortcut (ten digits without a letter, or a colon for a telephone number, between them) answers as every rule run in full', () => {
  it('on texts made of digit groups, separator runs, colons, letters, timestamps and telephone prefixes', () => {
    const piece = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 5 }),
      fc.constantFrom('943', '476', '5919', '07700', '900123', '020', '7946', '0958', '+44', '0044', '(0)', '0000'),
      fc.constantFrom('2026-01-02T12:00:00Z', '2019-01-01T00:00:00.000-05:00', '12:00', ':', '::', 'T', 'Z', 'NHS'),
      fc.string({ unit: fc.constantFrom(' ', '-', '.', ':', '(', ')', '/'), minLength: 1, maxLength: 3 }),
      fc.string({ unit: fc.constantFrom(...'ABCxyz'), minLength: 1, maxLength: 2 }),
    );
    const text = fc.array(piece, { minLength: 1, maxLength: 10 }).map((pieces) => pieces.join(''));
    assertSameAnswer(text, { numRuns: 20_000 });
    // Worked examples: a time's colon ends a telephone number's stretch, another colon does not (review 7, M1); a
    // letter ends both.
    expect(findIdentifier('07700:900123')).toBe('telephone');
    expect(findIdentifier('2026-01-02T07:00:00 900123')).toBeUndefined();
    expect(findIdentifier('943:476:5919')).toBe('nhs_number');
    // One letter, the same, between 3-3-4 groups standing alone is read since sec34; a letter between other groupings is not.
    expect(findIdentifier('943x476x5919')).toBe('nhs_number');
    expect(findIdentifier('94x34x76x59x19')).toBeUndefined();
  });
});

/** A character of a separator run: anything but a letter or a digit, ASCII or not (NFKC leaves these as they are). */
const separatorCharacter = fc.constantFrom(...' -._/\\:;,|()[]*#~+=\t', '\u00a0', '\u2013', '\u3000');
const separatorRun = (minLength: number) => fc.string({ unit: separatorCharacter, minLength, maxLength: 16 });
const digits = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length });
/** Nine digits and the modulus 11 check digit that makes them an NHS number (none for a remainder of 10). */
const nhsNumber = digits(9)
  .map((nine) => {
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += Number(nine[i]) * (10 - i);
    const check = (11 - (sum % 11)) % 11;
    return check === 10 ? '' : `${nine}${check}`;
  })
  .filter((number) => number !== '');
/** Text either side of an identifier that leaves it standing alone: nothing, a space, words, brackets. */
const before = fc.constantFrom('', ' ', 'note ', 'seen: ', '(', '"', 'x-');
const after = fc.constantFrom('', ' ', ' seen', ')', '.', '"', ';');

describe('identifiers written with any separator run, padding or brackets are flagged (generated)', () => {
  // A colon or a plus is not read inside one (times; the international prefix).
  const telephoneRun = fc.string({
    unit: separatorCharacter.filter((c) => c !== ':' && c !== '+'),
    minLength: 1,
    maxLength: 16,
  });
  it('an NHS number: groups 3-3-4 apart by runs of 0 to 16 separators, zero-padded or not, alone or beside letters', () => {
    const written = fc
      .record({
        number: nhsNumber,
        first: separatorRun(0),
        second: separatorRun(0),
        zeros: fc.nat(6),
        brackets: fc.boolean(),
        before,
        after,
        letters: fc.constantFrom('', 'NHS', 'R', 'ref'),
      })
      // Zero padding is zeros before a number that starts 1 to 9; ten digits beside letters start 3 to 9, and standing
      // alone below 3 they are read only as a CHI number (a DDMMYY date first: review 8, N8).
      .filter(
        ({ number, zeros, letters }) =>
          (zeros === 0 || !number.startsWith('0')) && (number >= '3' || (letters === '' && isChiNumber(number))),
      )
      .map(({ number, first, second, zeros, brackets, before, after, letters }) => {
        const group = brackets ? `(${number.slice(0, 3)})` : number.slice(0, 3);
        const padded = `${'0'.repeat(zeros)}${group}${first}${number.slice(3, 6)}${second}${number.slice(6)}`;
        return `${letters === '' ? before : `${before}${letters}`}${padded}${after}`;
      });
    assertEvery(written, 'nhs_number', { numRuns: 5000 });
  });

  it('a postcode: outward and inward codes apart by a run of 0 to 16 separators, any case, alone or inside an id', () => {
    // Letters as Royal Mail uses them: no area begins with Q, V or X or has I, J or Z second; no inward code has C, I,
    // K, M, O or V.
    const letters = (set: string) => fc.constantFrom(...set, ...set.toLowerCase());
    const written = fc
      .record({
        first: letters('ABCDEFGHIJKLMNOPRSTUWYZ'),
        second: fc.oneof(fc.constant(''), letters('ABCDEFGHKLMNOPQRSTUVWXY')),
        district: fc.tuple(digits(1), fc.oneof(fc.constant(''), digits(1), letters('ABCDEFGHJKSTUW'))),
        run: separatorRun(0),
        sector: digits(1),
        unit: fc.string({ unit: letters('ABDEFGHJLNPQRSTUWXYZ'), minLength: 2, maxLength: 2 }),
        // An id's segments either side (the red team's ORG-SW1A-1AA) or text that leaves it alone.
        before: fc.oneof(before, fc.constantFrom('ORG-', 'VCSE_', 'x.', 'ID-QE1-')),
        after: fc.oneof(after, fc.constantFrom('-2', '_A', '.x1')),
      })
      .map(
        ({ first, second, district, run, sector, unit, before, after }) =>
          `${before}${first}${second}${district.join('')}${run}${sector}${unit}${after}`,
      );
    assertEvery(written, 'postcode', { numRuns: 5000 });
  });

  it('an NHS number: ten digits in any grouping, one separator of one kind between groups, anywhere in a field', () => {
    const written = fc
      .record({
        number: nhsNumber.filter((n) => n >= '3'),
        // Where the number is cut into groups: any of the nine places between its digits.
        cuts: fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { maxLength: 9 }),
        separator: fc.constantFrom(' ', '-', '.', '_', '/'),
        zeros: fc.nat(3),
        // Beside letters, inside an id's segments, in free text or alone; never beside another digit.
        before: fc.constantFrom('', ' ', 'ORG', 'R-', 'id_', 'note: ', 'x.'),
        after: fc.constantFrom('', ' ', 'X', '-A', '.txt', ' seen', ';'),
      })
      .map(({ number, cuts, separator, zeros, before, after }) => {
        return `${before}${grouped(number, cuts, separator, zeros)}${after}`;
      });
    assertEvery(written, 'nhs_number', { numRuns: 5000 });
  });

  it('a telephone number: 0, +44, +44 (0) or 0044, then 10 or 11 digits with runs of separators between', () => {
    const written = fc
      .record({
        prefix: fc.constantFrom('0', '+44 ', '+44(0)', '+44 (0) ', '0044 ', '0044-'),
        // The national number after the leading 0: its first digit is never apart from the 0, and is one a UK number
        // has there (1-3, 5, 7-9: no number starts 00, 04 or 06; review 9, R9-4).
        number: fc
          .tuple(fc.constantFrom('1', '2', '3', '5', '7', '8', '9'), fc.oneof(digits(8), digits(9)))
          .map(([first, rest]) => `${first}${rest}`),
        cuts: fc.uniqueArray(fc.tuple(fc.integer({ min: 1, max: 9 }), telephoneRun), {
          maxLength: 3,
          selector: ([at]) => at,
        }),
        brackets: fc.boolean(),
        before,
        after,
      })
      .map(({ prefix, number, cuts, brackets, before, after }) => {
        let text = number;
        for (const [at, run] of [...cuts].sort((a, b) => b[0] - a[0]))
          text = `${text.slice(0, at)}${run}${text.slice(at)}`;
        const whole = prefix === '0' ? `0${text}` : `${prefix}${text}`;
        const open = brackets && prefix === '0' && before !== '(';
        return `${before}${open ? `(${whole.slice(0, 5)})${whole.slice(5)}` : whole}${after}`;
      });
    // Ten digits standing alone in it may be an NHS number first: flagged either way.
    assertEvery(written, ['telephone', 'nhs_number'], { numRuns: 5000 });
  });
});

/** Nine digits and their modulus 11 check digit (none for a remainder of 10), worked out here as the standard says. */
function withCheckDigit(nine: string): string {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(nine[i]) * (10 - i);
  const check = (11 - (sum % 11)) % 11;
  return check === 10 ? '' : `${nine}${check}`;
}
const two = (n: number) => String(n).padStart(2, '0');
/** A CHI number: a date of birth as DDMMYY (29 February in any year), three digits, the check digit. */
const chiNumber = fc
  .record({ month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 31 }), year: fc.nat(99) })
  .filter(({ month, day }) => day <= ([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number))
  .chain(({ month, day, year }) =>
    digits(3).map((rest) => withCheckDigit(`${two(day)}${two(month)}${two(year)}${rest}`)),
  )
  .filter((number) => number !== '');
/** A person's number read in any grouping or beside letters: an NHS number from 3 up or a CHI number. */
const personNumber = fc.oneof(
  nhsNumber.filter((n) => n >= '3'),
  chiNumber,
);
/** Separator characters read between the groups of any grouping. */
const groupingCharacter = fc.constantFrom(' ', '-', '.', '_', '/', '\t');
/** Text either side that links no other digit to the number: nothing, letters, an id's segments, free text. */
const idBefore = fc.constantFrom('', ' ', 'ORG', 'R-', 'id_', 'note: ', 'x.', 'CHI ');
const idAfter = fc.constantFrom('', ' ', 'X', '-A', '.txt', ' seen', ';');
/** Whether a number is read with that text either side: below 3 (a CHI number) only with no letter beside it. */
const readThere = ({ number, before, after }: { number: string; before: string; after: string }) =>
  number >= '3' || (!/[A-Za-z]$/.test(before) && !/^[A-Za-z]/.test(after));

describe('isChiNumber (a DDMMYY date, then modulus 11 as an NHS number)', () => {
  it('accepts a date and a right check digit', () => {
    // 010 190 123: 0*10+1*9+0*8+1*7+9*6+0*5+1*4+2*3+3*2 = 86; 86 mod 11 = 9; 11-9 = 2.
    expect(isChiNumber('0101901232')).toBe(true);
    // 290 200 123 (29 February 00): 2*10+9*9+0+2*7+0+0+1*4+2*3+3*2 = 131; 131 mod 11 = 10; 11-10 = 1.
    expect(isChiNumber('2902001231')).toBe(true);
  });

  it('refuses a wrong check digit, a day 00, a month 13 or over, a day the month has not', () => {
    expect(isChiNumber('0101901233')).toBe(false);
    // 001 390 123: 0+0+8+21+54+0+4+6+6 = 99; 99 mod 11 = 0; check 11 -> 0: passes modulus 11, but day 00.
    expect(isValidNhsNumber('0013901230')).toBe(true);
    expect(isChiNumber('0013901230')).toBe(false);
    // 133 190 123: 10+27+24+7+54+0+4+6+6 = 138; 138 mod 11 = 6; 11-6 = 5: passes, but month 31.
    expect(isValidNhsNumber('1331901235')).toBe(true);
    expect(isChiNumber('1331901235')).toBe(false);
    // 310 490 123 (31 April): 30+9+0+28+54+0+4+6+6 = 137; 137 mod 11 = 5; 11-5 = 6: passes, but April has 30 days.
    expect(isValidNhsNumber('3104901236')).toBe(true);
    expect(isChiNumber('3104901236')).toBe(false);
  });
});

describe('the sixth review: mixed and repeated separators, CHI numbers, numbers in a UUID shape (generated)', () => {
  it('one digit at a time with separator runs of any mix between, zero-padded or not, anywhere in a field', () => {
    const written = fc
      .record({
        number: personNumber,
        zeros: fc.nat(2),
        runs: fc.array(fc.string({ unit: groupingCharacter, minLength: 1, maxLength: 3 }), {
          minLength: 12,
          maxLength: 12,
        }),
        before: idBefore,
        after: idAfter,
      })
      .filter(readThere)
      .map(({ number, zeros, runs, before, after }) => {
        const all = `${'0'.repeat(zeros)}${number}`;
        return `${before}${[...all].map((digit, i) => (i === 0 ? digit : `${runs[i]}${digit}`)).join('')}${after}`;
      });
    assertEvery(written, 'nhs_number', { numRuns: 5000 });
  });

  it('any grouping with one separator run, doubled or longer, repeated between every two groups', () => {
    const written = fc
      .record({
        number: personNumber,
        cuts: fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 9 }),
        separator: fc.string({ unit: groupingCharacter, minLength: 1, maxLength: 4 }),
        zeros: fc.nat(2),
        before: idBefore,
        after: idAfter,
      })
      .filter(readThere)
      .map(({ number, cuts, separator, zeros, before, after }) => {
        return `${before}${grouped(number, cuts, separator, zeros)}${after}`;
      });
    assertEvery(written, 'nhs_number', { numRuns: 5000 });
  });

  it('a CHI number below 3: read standing alone in any grouping, not directly beside letters (ids start with dates)', () => {
    const written = fc.tuple(
      chiNumber.filter((n) => n < '3'),
      fc.constantFrom('', ' ', '-', ' - ', '..', '/'),
      fc.constantFrom('CHI', 'R', 'ref', 'x'),
      fc.constantFrom('-', ' ', ': ', '_'),
    );
    fc.assert(
      fc.property(written, ([n, sep, letters, apart]) => {
        const grouped = `${n.slice(0, 3)}${sep}${n.slice(3, 6)}${sep}${n.slice(6)}`;
        expect(findIdentifier(`${letters}${apart}${grouped}`)).toBe('nhs_number');
        expect(findIdentifier(`${letters}${grouped}`)).toBeUndefined();
      }),
      { numRuns: 3000 },
    );
  });

  it('ids numbered by a date and a sequence beside letters are never refused, the date in any order', () => {
    const id = fc
      .record({
        year: fc.integer({ min: 2019, max: 2026 }),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 1, max: 28 }),
        sequence: fc.nat(9999),
        shape: fc.nat(4),
        prefix: fc.constantFrom('R', 'EV', 'REF'),
      })
      .map(({ year, month, day, sequence, shape, prefix }) => {
        const [y, yy, m, d, n4, n2] = [
          String(year),
          two(year % 100),
          two(month),
          two(day),
          String(sequence).padStart(4, '0'),
          two(sequence % 100),
        ];
        return `${prefix}${[`${y}${m}-${n4}`, `${y}${m}${d}-${n2}`, `${yy}${m}${d}-${n4}`, `${d}${m}${yy}-${n4}`, `${d}${m}${y}-${n2}`][shape]}`;
      });
    assertEvery(id, undefined, { numRuns: 10_000 });
  });

  it('a number written into a UUID after twenty zeros is refused; in a generated UUID, between hex letters, it is chance', () => {
    const hexLetter = fc.constantFrom(...'abcdef');
    // The last group: zeros and the number, the number and two hex letters, or a letter either side (a CHI number below
    // 3 is read only standing alone, so only after zeros).
    const lastGroup = fc
      .tuple(personNumber, hexLetter, hexLetter, fc.nat(2))
      .map(([n, a, b, shape]) => [`00${n}`, `${n}${a}${b}`, `${a}${n}${b}`][n < '3' ? 0 : shape] as string);
    fc.assert(
      fc.property(lastGroup, (last) => {
        expect(findIdentifier(`00000000-0000-0000-0000-${last}`)).toBe('nhs_number');
      }),
      { numRuns: 2000 },
    );
    // A UUID as generators write it (its version 1 to 8 first in the third group) holding the same between letters or
    // across its last hyphen: about 3 random UUIDs in 1,000 hold such a run, so it is not read there.
    const generated = fc
      .tuple(
        hex(8),
        hex(4),
        fc.integer({ min: 1, max: 8 }),
        hex(3),
        hex(4),
        nhsNumber,
        hexLetter,
        hexLetter,
        fc.boolean(),
      )
      .map(([a, b, version, c, d, n, x, y, across]) =>
        across
          ? `${a}-${b}-${version}${c}-${n.slice(0, 4)}-${n.slice(4)}${x}${y}0000`
          : `${a}-${b}-${version}${c}-${d}-${x}${n}${y}`,
      );
    assertEvery(generated, undefined, { numRuns: 2000 });
  });

  it('UK dates and times are never read as an NHS or CHI number: groups of several digits whose separators change', () => {
    const time = fc
      .record({
        day: fc.integer({ min: 1, max: 31 }),
        month: fc.integer({ min: 1, max: 12 }),
        year: fc.integer({ min: 2019, max: 2026 }),
        hour: fc.nat(23),
        minute: fc.nat(59),
        second: fc.nat(59),
        format: fc.nat(4),
      })
      .filter(({ day, month }) => day <= ([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number))
      .map(({ day, month, year, hour, minute, second, format }) => {
        const [d, m, y, h, mi, s] = [two(day), two(month), String(year), two(hour), two(minute), two(second)];
        return [
          `${d}/${m}/${y} ${h}:${mi}`,
          `${d}/${m}/${y} ${h}:${mi}:${s}`,
          `${d}.${m}.${y.slice(2)} ${h}.${mi}`,
          `${d}-${m}-${y} ${h}:${mi}`,
          `${d}/${m}/${y.slice(2)} ${h}${mi}`,
        ][format] as string;
      });
    // Days 01 to 09 with a time make 0 and ten digits, which the telephone rule reads (`01/01/2019 00:00`): that rule's
    // own question, left as it was; this one is the NHS and CHI number rules'.
    fc.assert(
      fc.property(time, (text) => {
        expect(findIdentifier(text)).not.toBe('nhs_number');
        expect(identifierByRules(text)).not.toBe('nhs_number');
      }),
      { numRuns: 5000 },
    );
  });
});

describe('values the contract accepts are never flagged (generated)', () => {
  const year = fc.integer({ min: 2019, max: 2026 });
  const two = (max: number) => fc.integer({ min: 1, max }).map((n) => String(n).padStart(2, '0'));
  const date = fc.tuple(year, two(12), two(28)).map(([y, m, d]) => `${y}-${m}-${d}`);
  const letters = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), minLength: 1, maxLength: 4 });
  // Ids as the data dictionary asks PCNs to number them: a date and a sequence, a short zero-padded sequence, a UUID.
  const id = fc.oneof(
    fc
      .tuple(letters, year, two(12), fc.constantFrom('-', '.', '_', ':', '--'), fc.integer({ min: 0, max: 999_999 }))
      .map(([prefix, y, m, separator, sequence]) => `${prefix}${y}${m}${separator}${sequence}`),
    fc.tuple(letters, fc.integer({ min: 0, max: 999_999 })).map(([p, n]) => `${p}-${String(n).padStart(6, '0')}`),
    // A site, a year and a sequence, the separators changing (a grouping of several digits: not read as one number).
    fc
      .tuple(letters, fc.integer({ min: 1, max: 99 }), year, fc.constantFrom('.-', '-.', '_-', '.:', '-_'))
      .chain(([prefix, site, y, [a, b]]) =>
        fc.integer({ min: 0, max: 9999 }).map((n) => `${prefix}-${site}${a}${y}${b}${String(n).padStart(4, '0')}`),
      ),
    fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((parts) => parts.join('-')),
    // An organisation's segments, its ICB's code and a base-36 number (the demo's VCSE-QE1-1BP, postcode-like inside).
    fc
      .tuple(
        letters,
        fc.constantFrom('-', '.', '_'),
        fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength: 3, maxLength: 3 }),
        fc.integer({ min: 0, max: 36 ** 3 - 1 }),
      )
      .map(([p, j, code, n]) => `${p}${j}Q${code.slice(1)}${j}${n.toString(36).toUpperCase()}`),
  );
  const timestamp = fc
    .tuple(
      date,
      fc.tuple(fc.integer({ min: 0, max: 23 }), fc.nat(59), fc.nat(59)),
      fc.constantFrom('', '.000', '.123'),
      fc.constantFrom('Z', '+00:00', '+01:00', '-05:00', '+05:30'),
    )
    .map(
      ([d, time, fraction, offset]) =>
        `${d}T${time.map((n) => String(n).padStart(2, '0')).join(':')}${fraction}${offset}`,
    );
  const pair =
    (field: string) =>
    (text: string): [string, string] => [field, text];
  const value: fc.Arbitrary<[string, string]> = fc.oneof(
    id.map(pair('event_id')),
    id.map(pair('referral_id')),
    id.map(pair('provider_id')),
    date.map(pair('occurred_on')),
    timestamp.map(pair('recorded_at')),
    digits(5)
      .map((v) => `U${v}`)
      .map(pair('pcn_code')),
    fc
      .tuple(letters, digits(5))
      .map(([l, d]) => `${l[0]}${d}`)
      .map(pair('practice_code')),
    hex(64).map(pair('person_id')),
    fc.constantFrom(SNOMED_REFERRAL, SNOMED_DECLINED).map(pair('snomed_code')),
    fc.constantFrom(...AGE_BANDS).map(pair('age_band')),
    fc
      .uniqueArray(fc.constantFrom(...REFERRAL_REASONS), { minLength: 1 })
      .map((v) => v.join(';'))
      .map(pair('referral_reasons')),
    fc
      .tuple(year, two(12))
      .map(([y, m]) => `${y}-${m}`)
      .map(pair('snapshot_month')),
  );
  const schemas: Record<string, { safeParse: (v: unknown) => { success: boolean } }> = Object.fromEntries(
    [...Object.entries(EVENT_FIELDS), ...Object.entries(WORKFORCE_FIELDS)].map(([name, spec]) => [name, spec.schema]),
  );

  it('ids, dates, timestamps, codes, pseudonyms, enum lists: each one a value the contract accepts', () => {
    fc.assert(
      fc.property(value, ([field, text]) => {
        // snapshot_month's own rule bounds the month by today; the shape is what matters here.
        if (field !== 'snapshot_month') expect(schemas[field]?.safeParse(text).success).toBe(true);
        expectBoth(text, undefined);
      }),
      { numRuns: 10_000 },
    );
  });

  it('timestamps to the nanosecond: the seconds and their fraction are 0 and ten digits, and no number', () => {
    // 2026-05-12T09:30:05.123456789Z holds 05.123456789, which read as zero padding and ten digits from 3 up passed the
    // check digit 1 time in 11: 12,720 of 1,200,000 such timestamps were refused before a colon ended the run.
    const timestamp = fc
      .tuple(
        date,
        fc.integer({ min: 0, max: 23 }),
        fc.nat(59),
        fc.nat(59),
        digits(9),
        fc.constantFrom('Z', '+01:00', '-05:00', '+00:00'),
      )
      .map(
        ([d, h, m, s, fraction, offset]) =>
          `${d}T${[h, m, s].map((n) => String(n).padStart(2, '0')).join(':')}.${fraction}${offset}`,
      );
    fc.assert(
      fc.property(timestamp, (text) => {
        expect(schemas.recorded_at?.safeParse(text).success).toBe(true);
        expectBoth(text, undefined);
      }),
      { numRuns: 10_000 },
    );
    // 09.434765919 is zeros and 9434765919, which passes the check digit; one digit at a time after a time, it is found.
    expect(findIdentifier('2026-05-12T09:30:09.434765919Z')).toBeUndefined();
    expect(findIdentifier('09:30 9-4-3-4-7-6-5-9-1-9')).toBe('nhs_number');
    // With an offset after it, seconds 00 to 09 and their fraction, or a fraction from 0 and the offset's hours, were read
    // as a telephone number, 0 and ten digits.
    expect(findIdentifier('2019-01-01T00:00:05.123456789+01:00')).toBeUndefined();
    expect(findIdentifier('2019-01-01T00:00:15.012345678+01:00')).toBeUndefined();
    expect(findIdentifier('2019-01-01T00:00:15.012345678-05:00')).toBeUndefined();
    expect(findIdentifier('tel:07700 900123')).toBe('telephone');
  });

  it('numbers of the contract as CSV writes them (integers, scores, FTEs): none is an identifier', () => {
    const number = fc.oneof(
      fc.integer({ min: 0, max: 600 }).map(String),
      fc.double({ min: 0, max: 100, noNaN: true }).map((n) => String(Math.round(n * 100) / 100)),
    );
    assertEvery(number, undefined, { numRuns: 2000 });
  });
});

it('passes every provider id the demo generator can make: VCSE, an ICB code, a base-36 number of 1 to 3 digits', () => {
  // The 42 ICB codes of the 2025 practice extracts (reference-data/nhs-digital/gp-reg-pat-prac-map-2025-*.csv): each
  // is Q and two letters or digits, ten of them shaped like an outward code (QE1); no postcode area begins with Q.
  const icbs = ['QE1', 'QF7', 'QGH', 'QH8', 'QHG', 'QHL', 'QHM', 'QJ2', 'QJG', 'QJK', 'QJM', 'QK1', 'QKK', 'QKS']
    .concat(['QM7', 'QMF', 'QMJ', 'QMM', 'QNC', 'QNQ', 'QNX', 'QOC', 'QOP', 'QOQ', 'QOX', 'QPM', 'QR1', 'QRL'])
    .concat(['QRV', 'QSL', 'QT1', 'QT6', 'QU9', 'QUA', 'QUE', 'QUY', 'QVV', 'QWE', 'QWO', 'QWU', 'QXU', 'QYG']);
  let flagged = 0;
  let checked = 0;
  for (const icb of icbs) {
    for (let n = 0; n < 36 ** 3; n++) {
      if (findIdentifier(`VCSE-${icb}-${n.toString(36).toUpperCase()}`) !== undefined) flagged++;
      checked++;
    }
  }
  expect(checked).toBe(42 * 46_656);
  expect(flagged).toBe(0);
  // The same shape with a postcode area in place of the ICB code holds a postcode: 1BP is an inward code.
  expect(findIdentifier('VCSE-SE1-1BP')).toBe('postcode');
});

describe('personalColumnKind', () => {
  it.each([
    ['nhs_number', 'nhs_number'],
    ['NHS Number', 'nhs_number'],
    ['date_of_birth', 'date_of_birth'],
    ['DOB', 'date_of_birth'],
    ['birth_date', 'date_of_birth'],
    ['Surname', 'name'],
    ['first_name', 'name'],
    ['address_line_1', 'address'],
    ['Postcode', 'postcode'],
    ['mobile', 'telephone'],
    ['e-mail', 'email'],
  ])('knows %s would hold %s', (column, kind) => {
    expect(personalColumnKind(column)).toBe(kind);
  });

  it('leaves every contract column alone', () => {
    for (const column of [
      'event_id',
      'person_id',
      'pcn_code',
      'practice_code',
      'provider_id',
      'occurred_on',
      'snapshot_month',
      'age_band',
      'window',
      'count',
    ]) {
      expect(personalColumnKind(column)).toBeUndefined();
    }
  });
});

/**
 * The seventh review: a date of birth, a title and a name, and an e-mail address without its @ were looked for only in
 * column names, and event_ids made of them within the contract's id characters (`A-Z a-z 0-9 . _ : -`) reached curated
 * Parquet. Each family is generated: its words in any case, its parts apart by any separators the rule reads.
 */
describe('words written into a cell: a date of birth, a title and a name, an e-mail address without its @', () => {
  it.each([
    ['DOB:1970-02-03', 'date_of_birth'],
    ['born-03.02.1970', 'date_of_birth'],
    ['Mr.John.Smith', 'name'],
    ['jsmith.at.nhs.net', 'email'],
    ['Mrs_Smith', 'name'],
    ['Dr-A-Patel', 'name'],
    ['mr O\u2019Brien', 'name'],
    ['E1-d.o.b-3/2/70', 'date_of_birth'],
    ['DateOfBirth19700203', 'date_of_birth'],
    ['ptDOB_030270', 'date_of_birth'],
    ['1970-02-03_dob', 'date_of_birth'],
    ['birthday 3 Feb 1970', 'date_of_birth'],
    ['j_smith_at_gmail_com', 'email'],
    ['jsmith-AT-trust-nhs-uk', 'email'],
    ['E1:jane.doe.at.example.co.uk', 'email'],
    // Review 3's suspicion: a name or initials and a date of birth, no word for it (a date before 2010 beside letters).
    ['SMITH-1970-02-03', 'date_of_birth'],
    ['J.SMITH.03.02.1970', 'date_of_birth'],
    ['Smith_John_3-Feb-1970', 'date_of_birth'],
    ['JS_1970/02/03', 'date_of_birth'],
    ['1970-02-03-SMITH', 'date_of_birth'],
    ['JS3Feb1970', 'date_of_birth'],
    ['Osborne-1970-02-03', 'date_of_birth'],
    ['R2009-12-31-0001', 'date_of_birth'],
  ])('flags %s as %s', (value, kind) => {
    expectBoth(value, kind);
  });

  it.each([
    // Codes in capitals: a title's letters at the start of a unit's, a clinic's or a revision's id.
    ['a unit id starting DR', 'DR-UNIT-12'],
    ['a clinic id starting MS', 'MS-CLINIC-3'],
    ['a revision in capitals', 'REV-2026-01'],
    ['a title with no capitalised word after it', 'dr-unit-12'],
    ['a title inside a longer word', 'HDR-Unit-4'],
    // The words of a date of birth inside other words, or with no date beside them; a date alone.
    ['born inside a word, beside a date', 'newborn-2026-01-02'],
    ['born inside a surname-like word, beside a date', 'Osborne-2024-02-03'],
    ['born at the start of a longer word in capitals', 'BORNEO-2024-02-03'],
    ['a birth word and a year only', 'birth-cohort-1970'],
    // A date alone from 2010 on (an old one alone is a date of birth since sec32: ids take it, and the contract keeps ids).
    ['a date alone', '2012-02-03'],
    // The demo's referral ids: a year and a month, then a base-36 sequence that spells a word now and then (the bench
    // found R202605-dob): 202605 is no date, neither 20/26/05 nor 2026 and a one-digit month and day written together.
    ['a year-and-month id with a sequence spelling dob', 'R202605-dob'],
    ['its event id', 'R202605-dob.1'],
    ['a year-and-month id with a sequence spelling born', 'R201912-born.3'],
    ['a day 32 beside dob', 'dob 32.01.1970'],
    ['a month 13 beside born', 'born 01/13/70'],
    ['a date-and-sequence id with b in it', 'B202605-2565'],
    // at between separators without an address's ending, and an address's ending without at.
    ['at in an id with no domain ending', 'EV.at.home.1'],
    ['a domain ending without at', 'provider.nhs.net'],
    ['at inside a word', 'cat.net'],
    // A date beside letters from 2010 on, a date alone, a timestamp, and dates written together or with a two-digit
    // year (a system's number, a sequence, a year-first date): the name-and-date rule's near-misses.
    ['an id dated the first day the rule leaves alone', 'R2010-01-01-0001'],
    ['a referral id dated before the contract\u2019s first event (a backfill)', 'R2018-11-05-0001'],
    ['a word and an event date', 'VISIT-2024-02-03'],
    ['a date from 2010 on alone (a child\u2019s or an event\u2019s: no telling)', '2010-02-03'],
    ['an old timestamp alone (the contract rejects the row)', '2005-05-01T10:00:00Z'],
    ['eight digits together beside letters, a system\u2019s number', 'REF10121999'],
    ['six digits beside letters, a zero-padded sequence', 'EV-010190'],
    ['six digits beside letters, a date written year first', 'R191231-0001'],
  ])('does not flag %s', (_what, value) => {
    expectBoth(value, undefined);
  });

  /** A word in a random mix of cases. */
  const anyCase = (word: string) =>
    fc
      .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
      .map((upper) => [...word].map((letter, i) => (upper[i] ? letter.toUpperCase() : letter.toLowerCase())).join(''));
  const idSeparator = fc.constantFrom('.', '_', ':', '-');
  const idSeparators = fc.string({ unit: idSeparator, minLength: 1, maxLength: 3 });
  const lower = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: 1, maxLength: 10 });
  const upper = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
  const twoDigits = (min: number, max: number) => fc.integer({ min, max }).map((n) => String(n).padStart(2, '0'));
  /** Where the identifier sits in an id: alone, or after or before an id's own part and a separator. */
  const inId = (identifier: fc.Arbitrary<string>) =>
    fc
      .tuple(fc.constantFrom('', 'E1', 'ev2026', 'R-7'), identifier, fc.constantFrom('', '1', 'x'), idSeparator)
      .map(([head, value, tail, sep]) => `${head === '' ? '' : head + sep}${value}${tail === '' ? '' : sep + tail}`);

  it('a date of birth: its word in any case, any separators, a date in any UK or ISO form, either way round', () => {
    const date = fc
      .record({
        day: twoDigits(1, 28),
        month: twoDigits(1, 12),
        year: fc.integer({ min: 1900, max: 2026 }).map(String),
        sep: fc.constantFrom('-', '.', '/', '_', ' ', ''),
        form: fc.constantFrom('iso', 'uk', 'uk-short'),
      })
      .map(({ day, month, year, sep, form }) =>
        form === 'iso' ? [year, month, day].join(sep) : [day, month, form === 'uk' ? year : year.slice(2)].join(sep),
      );
    const word = fc.constantFrom('dob', 'd.o.b', 'born', 'birth', 'birthdate', 'birthday').chain(anyCase);
    const written = fc
      .tuple(word, fc.string({ unit: fc.constantFrom('.', '_', ':', '-', ' ', '/'), maxLength: 3 }), date, fc.boolean())
      .map(([marker, sep, when, first]) => (first ? `${marker}${sep}${when}` : `${when}${sep}${marker}`));
    assertEvery(inId(written), 'date_of_birth', { numRuns: 3000 });
  });

  it('a title and a name: the title in any case, separators, initials, a capitalised word', () => {
    const title = fc.constantFrom('mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'dame', 'rev').chain(anyCase);
    const initials = fc.array(fc.tuple(upper, idSeparators), { maxLength: 3 });
    const written = fc
      .tuple(title, idSeparators, initials, upper, lower, fc.option(fc.tuple(idSeparators, upper, lower)))
      .map(
        ([t, sep, inits, capital, rest, surname]) =>
          `${t}${sep}${inits.map(([i, s]) => i + s).join('')}${capital}${rest}${surname === null ? '' : surname.join('')}`,
      );
    assertEvery(inId(written), 'name', { numRuns: 3000 });
  });

  it('an e-mail address without its @: at in any case between separators, labels, a public ending', () => {
    const label = fc.string({
      unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
      minLength: 1,
      maxLength: 12,
    });
    const ending = fc.constantFrom('nhs.net', 'nhs.uk', 'gmail.com', 'co.uk', 'com', 'org', 'net', 'org.uk', 'ac.uk');
    const written = fc
      .tuple(label, anyCase('at'), fc.array(label, { minLength: 1, maxLength: 2 }), ending, idSeparator)
      .map(([local, at, labels, end, sep]) => [local, at, ...labels, ...end.split('.')].join(sep));
    assertEvery(inId(written), 'email', { numRuns: 3000 });
  });

  it('codes in capitals after a title, and ids of letters and digits without the words: not flagged, by both', () => {
    const code = fc
      .tuple(
        fc.constantFrom('DR', 'MS', 'MR', 'REV', 'SIR', 'PROF', 'MX'),
        fc.array(
          fc.tuple(
            idSeparator,
            fc.string({ unit: fc.constantFrom(...'ABCDEFGHJKLNPQRTUVWXYZ0123456789'), minLength: 1, maxLength: 6 }),
          ),
          { minLength: 1, maxLength: 3 },
        ),
      )
      .map(([t, parts]) => t + parts.map(([s, p]) => s + p).join(''));
    fc.assert(
      fc.property(code, (text) => {
        // Only the title rule could read these (no b, no at, no @); a postcode or number among the parts is another matter
        // (a National Insurance number too: 'DR.AA553.895A' holds AA 55 38 95 A, found by CI's run of 2026-12-06; and a
        // telephone number: 'DR.0148.0208.32' holds 01480 20832, a Huntingdon number, found by the run of 2026-12-07).
        const other = identifierByRules(text);
        fc.pre(!['postcode', 'nhs_number', 'national_insurance_number', 'telephone'].includes(other ?? ''));
        expectBoth(text, undefined);
      }),
      { numRuns: 3000 },
    );
    // The counterexample of 2026-12-07: a telephone number, told as one by both readers (not a title's code).
    expectBoth('DR.0148.0208.32', 'telephone');
  });

  it('the shortcuts (four letters, a b for a date of birth, at between separators) answer as every rule run in full', () => {
    const piece = fc.oneof(
      fc.constantFrom('dob', 'DOB', 'd.o.b', 'born', 'Birth', 'birthday', 'newborn', 'at', 'AT', 'Mr', 'dr', 'Prof'),
      fc.constantFrom('John', 'Smith', 'A', 'UNIT', 'nhs', 'net', 'uk', 'gmail', 'com', 'co', 'Feb', 'x'),
      fc.constantFrom('1970-02-03', '03.02.1970', '3/2/70', '19700203', '030270', '12', '2026', 'R202605-2565'),
      fc.string({ unit: fc.constantFrom('.', '_', ':', '-', ' ', '/'), minLength: 1, maxLength: 3 }),
      fc.string({ unit: fc.constantFrom(...'abBtTMrD019'), minLength: 1, maxLength: 3 }),
    );
    const text = fc.array(piece, { minLength: 1, maxLength: 8 }).map((pieces) => pieces.join(''));
    assertSameAnswer(text, { numRuns: 5000 });
  });

  it('ids numbered by a year and a month and a base-36 sequence, as the demo writes them: never a date of birth', () => {
    const id = fc
      .tuple(
        fc.integer({ min: 2013, max: 2099 }),
        fc.integer({ min: 1, max: 12 }),
        fc.string({ unit: fc.constantFrom(...'0123456789abcdefghijklmnopqrstuvwxyz'), maxLength: 2 }),
        fc.constantFrom('dob', 'born', 'birth', 'birthday'),
        fc.string({ unit: fc.constantFrom(...'0123456789abcdefghijklmnopqrstuvwxyz'), maxLength: 2 }),
        fc.option(fc.integer({ min: 1, max: 99 })),
      )
      .map(
        ([year, month, head, word, tail, event]) =>
          `R${year}${String(month).padStart(2, '0')}-${head}${word}${tail}${event === null ? '' : `.${event}`}`,
      );
    assertEvery(id, undefined, { numRuns: 3000 });
  });
});

/**
 * Red-team review 3: L1 (a UK mobile glued to letters reached curated Parquet) and its suspicion (a name or initials and a
 * date of birth without the word). Each side generated: what must be refused, and the legitimate values beside it.
 */
describe('review 3: a mobile glued to letters, a name beside a date of birth', () => {
  const letter = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');
  const letters = fc.string({ unit: letter, minLength: 1, maxLength: 4 });
  const idSeparator = fc.constantFrom('.', '_', ':', '-');
  const mobileRun = fc.string({ unit: fc.constantFrom(' ', '-', '.', '_', '/', '(', ')'), minLength: 1, maxLength: 3 });

  it('a mobile, 07, 447, +447, 00447 or +44 (0) 7 and nine digits, together or apart after five, glued to letters either side', () => {
    const written = fc
      .record({
        prefix: fc.constantFrom('0', '44', '+44', '0044', '+44 ', '+44(0)', '0044 (0) '),
        rest: digits(9),
        apart: fc.option(mobileRun),
        // Letters, or an id's head and letters (a title and a capitalised word, `Ms.Aq`, would be read as a name first).
        before: fc.oneof(
          letters,
          fc.tuple(fc.constantFrom('E1', 'R-7', 'pt'), idSeparator, letters).map((parts) => parts.join('')),
        ),
        after: fc.constantFrom('', 'X', 'mob', '_1', '.a2'),
      })
      .map(
        ({ prefix, rest, apart, before, after }) =>
          `${before}${prefix}7${rest.slice(0, 3)}${apart ?? ''}${rest.slice(3)}${after}`,
      );
    // 0 and ten digits from 7 beside letters is an NHS number 1 time in 11 (checked first): refused either way.
    assertEvery(written, ['telephone', 'nhs_number'], { numRuns: 5000 });
  });

  it('ids beside letters a PCN system writes are not read as one: zero-padded sequences, dated ids, UUIDs, pseudonyms', () => {
    const id = fc.oneof(
      // A sequence below a million zero-padded to any width, after letters, perhaps with an event number.
      fc
        .tuple(letters, fc.nat(999_999), fc.integer({ min: 1, max: 14 }), fc.option(fc.nat(99)))
        .map(([p, n, width, event]) => `${p}${String(n).padStart(width, '0')}${event === null ? '' : `.${event}`}`),
      // A year-first date and a sequence written together (the date directly after the letters).
      fc
        .tuple(
          letters,
          fc.integer({ min: 2019, max: 2026 }),
          fc.integer({ min: 1, max: 12 }),
          fc.integer({ min: 1, max: 28 }),
          fc.nat(9999),
        )
        .map(([p, y, m, d, n]) => `${p}${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${n}`),
      // UUIDs and pseudonyms holding a mobile's digits between their hex letters.
      fc
        .tuple(hex(8), hex(4), hex(4), hex(4), fc.constantFrom('a', 'f'), digits(9))
        .map(([a, b, c, d, x, n]) => `${a}-${b}-${c}-${d}-${x}07${n}`),
      // (A letter first: twenty zeros first are no pseudonym's.)
      fc.tuple(hex(19), digits(9), hex(31)).map(([a, n, b]) => `e${a}c07${n}d${b}`),
    );
    assertEvery(id, undefined, { numRuns: 10_000 });
  });

  const surname = fc.constantFrom('SMITH', 'Smith', 'JS', 'J.S', 'Jones', 'OSBORNE', 'Patel', 'ab', 'x');
  const dateIn = (years: fc.Arbitrary<number>) =>
    fc
      .record({
        year: years,
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 1, max: 28 }),
        sep: fc.constantFrom('-', '.', '/', '_', ' ', '--'),
        form: fc.constantFrom('iso', 'uk', 'uk-unpadded', 'month-name'),
      })
      .map(({ year, month, day, sep, form }) => {
        const [m, d] = [String(month).padStart(2, '0'), String(day).padStart(2, '0')];
        if (form === 'iso') return [year, m, d].join(sep);
        if (form === 'uk') return [d, m, year].join(sep);
        if (form === 'uk-unpadded') return [day, month, year].join(sep);
        const name = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][month - 1];
        return `${day}${sep === '--' ? '' : sep}${name}${sep === '--' ? '' : sep}${year}`;
      });
  const beside = (date: fc.Arbitrary<string>) =>
    fc
      .tuple(surname, fc.string({ unit: idSeparator, maxLength: 3 }), date, fc.boolean())
      .map(([name, sep, when, first]) => (first ? `${name}${sep}${when}` : `${when}${sep}${name}`));

  it('a name or initials beside a date from 1900 to 2009, apart or with its month named, either way round: a date of birth', () => {
    assertEvery(beside(dateIn(fc.integer({ min: 1900, max: 2009 }))), 'date_of_birth', { numRuns: 5000 });
  });

  it('a UUID or pseudonym whose hex spells a day, a month named and an old year is chance, not a date of birth', () => {
    // `a03feb1970bc` is twelve hex digits: refused as a date of birth before the rule skipped pseudonym shapes (2 of
    // 1,000,000 random UUIDs in test/bench/guard.bench.ts); the same date beside a name is still read.
    expectBoth('1b2c3d4e-5f60-4a7b-8c9d-a03feb1970bc', undefined);
    expect(findIdentifier('SMITH-3feb1970')).toBe('date_of_birth');
  });

  it('the same beside a date from 2010 on, or with the date written together: not read', () => {
    const together = fc
      .tuple(
        fc.integer({ min: 1900, max: 2009 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.boolean(),
      )
      .map(([y, m, d, dayFirst]) => {
        const [mm, dd] = [String(m).padStart(2, '0'), String(d).padStart(2, '0')];
        return dayFirst ? `${dd}${mm}${y}` : `${y}${mm}${dd}`;
      });
    assertEvery(fc.oneof(beside(dateIn(fc.integer({ min: 2010, max: 2026 }))), beside(together)), undefined, {
      numRuns: 5000,
    });
  });
});

describe('review 4 F6: hex ids of 24, 32 and 40 digits (ObjectIds, GUIDs without hyphens, SHA-1s) are pseudonyms', () => {
  const hexOf = (alphabet: string, length: number) =>
    fc.string({ unit: fc.constantFrom(...alphabet), minLength: length, maxLength: length });
  const lower = '0123456789abcdef';
  const upper = '0123456789ABCDEF';
  // A GUID's hex with its version and variant where RFC 9562 puts them, as systems generate one.
  const guid = (alphabet: string) =>
    fc
      .tuple(
        hexOf(alphabet, 12),
        fc.integer({ min: 1, max: 8 }),
        hexOf(alphabet, 3),
        fc.constantFrom(...'89ab'),
        hexOf(alphabet, 15),
      )
      .map(
        ([a, version, b, variant, c]) =>
          `${a}${version}${b}${alphabet === upper ? variant.toUpperCase() : variant}${c}`,
      );
  const shapes: [string, fc.Arbitrary<string>][] = [
    ['a GUID without hyphens (32 hex)', guid(lower)],
    ['a GUID without hyphens in capitals', guid(upper)],
    [
      'a GUID with hyphens in capitals',
      guid(upper).map((g) => `${g.slice(0, 8)}-${g.slice(8, 12)}-${g.slice(12, 16)}-${g.slice(16, 20)}-${g.slice(20)}`),
    ],
    ['a MongoDB ObjectId (24 hex)', hexOf(lower, 24)],
    ['a SHA-1 (40 hex)', hexOf(lower, 40)],
  ];

  // Random ids: 2.8, 1.7 and 3.2 in 1,000 of the first, fourth and fifth were refused before (review 4's probe), so
  // 20,000 of each (a fixed seed) held about 50 such; now none of them is refused, by the shortcuts or every rule.
  it.each(shapes)('%s, at random: never refused', (_shape, id) => {
    assertEvery(id, undefined, { numRuns: 20_000, seed: 20261205 });
  });

  it('the ids review 4 found refused, each from a random generator, now pass', () => {
    for (const id of [
      '6254927764f448e580661485764d331c', // 62549277 64: an NHS number between hex letters
      'BFFCB607440A4220AD48FB4455147500',
      '1C06371EEEC64C07861876927FFD1DAC', // 07861876927: a mobile's digits between hex letters
      '22e7dc9773fe1d8644598309',
      '631c9876992775a58fa3ee4b8d240315db79f2bf',
    ]) {
      expectBoth(id, undefined);
    }
  });

  // What a person writes on purpose is a number glued to a word: hex letters at one end only, the number at the other
  // (six letters and more, so that every id is 16 characters or more: the hex ids' length).
  const hexLetters = fc.string({ unit: fc.constantFrom(...'abcdefABCDEF'), minLength: 6, maxLength: 12 });
  const zeros = fc.string({ unit: fc.constant('0'), maxLength: 8 });
  const mobile = digits(9).map((rest) => `07${rest}`);
  const glued = fc
    .tuple(
      hexLetters,
      fc.oneof(
        nhsNumber.filter((n) => n >= '3'),
        mobile,
      ),
      zeros,
      fc.boolean(),
    )
    .map(([letters, number, padding, lettersFirst]) => {
      // Zero padding makes a longer number of an NHS number only; a mobile's 0 is its own.
      const written = number.startsWith('07') ? number : `${padding}${number}`;
      return lettersFirst ? `${letters}${written}` : `${written}${letters}`;
    });

  it('a number glued to hex letters at one end, padded with zeros or not, at 16 characters and over: still refused', () => {
    // A mobile's eleven digits from 7 are an NHS number now and then (read first): refused either way.
    assertEvery(glued, ['nhs_number', 'telephone'], { numRuns: 5000, seed: 20261205 });
    expect(findIdentifier('ACE0009434765919')).toBe('nhs_number');
    expect(findIdentifier('9434765919ABCDEF')).toBe('nhs_number');
    expect(findIdentifier('DEADBEEF07700900123')).toBe('telephone');
  });

  it('a number between hex letters in an id of 24, 32 or 40 is chance; other lengths, not hex or twenty zeros first, it is read', () => {
    // Between hex letters in an all-hex id of a random id's length: not read (the id is a pseudonym).
    expect(findIdentifier('abcdef0123a9434765919def')).toBeUndefined();
    expect(findIdentifier('3f2a9c1e7b4d4e219a0fb9434765919c')).toBeUndefined();
    expect(findIdentifier('3f2a9c1e7b4d4e219a0fb9434765919c0123abcd')).toBeUndefined();
    // Fifteen, sixteen, 33 characters: read as any other text, a number beside letters (review 5, G1).
    expect(findIdentifier('ab9434765919def')).toBe('nhs_number');
    expect(findIdentifier('abc9434765919def')).toBe('nhs_number');
    expect(findIdentifier('3f2a9c1e7b4d4e219a0fb9434765919c0')).toBe('nhs_number');
    // A letter that is not hex makes it no pseudonym (n, s; x; a separator).
    expect(findIdentifier('nhs9434765919abcdef')).toBe('nhs_number');
    expect(findIdentifier('abc9434765919defx')).toBe('nhs_number');
    expect(findIdentifier('abc9434765919def-1')).toBe('nhs_number');
    expect(findIdentifier('tel07700900123abcdef')).toBe('telephone');
    // Twenty zeros first are no generated id's, as for 64 hex and the UUID.
    expect(findIdentifier('00000000000000000000a9434765919b')).toBe('nhs_number');
  });
});

describe('review 5 G1: an id built from a number and a letter or two is no pseudonym', () => {
  // Review 5's probes (identifiers written into ids as local systems build them: a number, a type letter and a
  // sequence or a date; hex words around a number): each passed when every all-hex id of 16 and more was spared.
  it.each([
    ['9434765919A00001', 'nhs_number'], // an NHS number, a letter and a 5-digit sequence (16 characters)
    ['9434765919A20250401', 'nhs_number'], // and a date
    ['9434765919E000123', 'nhs_number'], // and an episode number
    ['A9434765919BCDEF', 'nhs_number'], // between hex words (16)
    ['FACE9434765919BEEF', 'nhs_number'],
    ['C81001F9434765919', 'nhs_number'], // after an ODS-like code
    ['20250401D9434765919', 'nhs_number'], // after a date and a letter
    ['07700900123B00001', 'telephone'], // a mobile, a letter and a sequence
    ['A07700900123BCDEF', 'telephone'],
    ['447700900123F0001', 'telephone'],
    ['a03feb1970bcdef01', 'date_of_birth'], // 3 Feb 1970, written in hex letters and digits
  ])('%s is refused (%s)', (id, kind) => {
    expectBoth(id, kind);
  });

  it('a date of birth and an NHS number in one id is refused', () => {
    // Read first as what it holds whole: the NHS number after the letter.
    expect(findIdentifier('19700203A9434765919')).toBe('nhs_number');
  });
});

describe('review 4 F4: a mobile glued to letters, its digits in any grouping people write (3 to 6 digits a group)', () => {
  const letter = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');
  const run = fc.string({ unit: fc.constantFrom(' ', '-', '.', '_', '/', '(', ')'), minLength: 1, maxLength: 3 });
  // The ten digits from the 7 together, or in groups as people write a mobile: the first 2 to 5 (`77`, `770`, `7700`
  // after 0; `7700` after +44), each after it 3 to 6 (every such grouping, listed here).
  const groupings: number[][] = [[10]];
  const extend = (sizes: number[], left: number) => {
    if (left === 0) groupings.push(sizes);
    for (let size = 3; size <= Math.min(6, left); size++) extend([...sizes, size], left - size);
  };
  for (let first = 2; first <= 5; first++) extend([first], 10 - first);
  const grouped = fc
    .tuple(digits(9), fc.constantFrom(...groupings), fc.array(run, { minLength: 3, maxLength: 3 }))
    .map(([nine, sizes, runs]) => {
      const number = `7${nine}`;
      let at = 0;
      let text = '';
      sizes.forEach((size, i) => {
        text += `${i > 0 ? runs[i - 1] : ''}${number.slice(at, at + size)}`;
        at += size;
      });
      return text.slice(1); // the prefix below writes the 7
    });
  const written = fc
    .record({
      before: fc.string({ unit: letter, minLength: 1, maxLength: 4 }),
      prefix: fc.constantFrom('07', '447', '+447', '00447', '+44 7', '+44(0)7'),
      nine: grouped,
      after: fc.constantFrom('', 'X', 'mob', '_1', '.a2'),
    })
    // A title and a capitalised word (`Mr.Ab`) is read as a name first: not what this test is about.
    .filter(({ before }) => !/^(?:mrs?|ms|mx|dr|miss|prof|sir|dame|rev)$/i.test(before))
    .map(({ before, prefix, nine, after }) => `${before}${prefix}${nine}${after}`);

  it('refused, as a telephone number (or, one time in eleven, an NHS number read first), by both', () => {
    assertEvery(written, ['telephone', 'nhs_number'], { numRuns: 10_000, seed: 20261205 });
  });

  it.each([
    ['5-3-3', 'MOB07700-900-123'],
    ['5-3-3 with dots', 'tel07700.900.123'],
    ['4-3-4', 'MOB0770-090-0123'],
    ['3-4-4', 'pt077-0090-0123'],
    ['+44 4-3-3', 'pt447700-900-123'],
    ['5-3-3, a letter after', 'MOB07700-900-123X'],
  ])('the review’s %s: %s', (_grouping, text) => {
    expectBoth(text, 'telephone');
  });

  it('not read: dates and sequences after 07 (groups of 1, 2, 7 or more digits), a digit beside, a timestamp', () => {
    for (const text of [
      'Y07014-2022-11-28-1A', // an ODS code, a date and a sequence
      'U07140.2025_11/09360211',
      'R07052026-001', // a day-first date written together on the 7th and a sequence
      'R2026-07-1-2345678A', // a month after the 07
      'R2026-07-12-0001234A', // a year, July, a day and a sequence, a letter after
      'EV15-07-2026-00123X', // a day, July, a year and a sequence
      'MOB07700-900-1234', // ten digits after 07
      'MOB107700-900-123', // a digit before the 0
      '2026-05-12T09:30:07.700900123+01:00', // the seconds 07 and a nanosecond fraction
    ]) {
      expectBoth(text, undefined);
    }
  });
});

describe('guard5: a mobile glued to letters in groups of one or two digits, its digits the whole run (no date in it)', () => {
  const letter = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');
  const run = fc.string({ unit: fc.constantFrom(' ', '-', '.', '_', '/'), minLength: 1, maxLength: 2 });
  // Groups of 1, 3 or 5 digits after the first (no two-digit or four-digit group: no day, month or year among them),
  // the first group the 0 alone, 07 or 077; at least one group of one digit (the groupings the 3-to-6 rule leaves).
  const grouped = fc
    .record({
      nine: digits(9),
      first: fc.constantFrom('0', '07', '077'),
      sizes: fc.array(fc.constantFrom(1, 3, 5), { minLength: 2, maxLength: 11 }),
    })
    .map(({ nine, first, sizes }) => {
      const rest = `07${nine}`.slice(first.length);
      const groups: string[] = [first];
      let at = 0;
      for (const size of sizes) {
        if (at >= rest.length) break;
        groups.push(rest.slice(at, at + size));
        at += size;
      }
      if (at < rest.length) groups.push(rest.slice(at));
      return groups;
    })
    .filter(
      (groups) =>
        groups.slice(1).some((g) => g.length === 1) && groups.slice(1).every((g) => [1, 3, 5].includes(g.length)),
    )
    // A two-digit first group (07) and two one-digit groups after it would read as a date (2007, a month, a day).
    .filter((groups) => !(groups[0] === '07' && (groups[1] as string).length === 1));
  const written = fc
    .record({
      before: fc.string({ unit: letter, minLength: 1, maxLength: 4 }),
      plus: fc.constantFrom('', '', '+44', '44', '0044', '+44(0)'),
      groups: grouped,
      runs: fc.array(run, { minLength: 12, maxLength: 12 }),
      after: fc.constantFrom('', 'X', 'mob', '.a2'),
    })
    .filter(({ before }) => !/^(?:mrs?|ms|mx|dr|miss|prof|sir|dame|rev)$/i.test(before))
    // After +44 the 7 is a group of its own (`+44-7-700`): after 44 and (0), a two-digit group (77) could be a year.
    .filter(({ plus, groups }) => plus === '' || groups[0] === '07')
    .map(({ before, plus, groups, runs, after }) => {
      // +44 forms drop the 0 (`+44-7-700-...`, `+44(0)7-700-...`).
      const kept = plus === '' ? groups : [groups[0]?.slice(1) ?? '', ...groups.slice(1)];
      const parts = kept.filter((g) => g !== '');
      return `${before}${plus}${parts.map((g, i) => `${i > 0 ? runs[i] : ''}${g}`).join('')}${after}`;
    });

  it('refused, as a telephone number (or an NHS number read first), by both', () => {
    assertEvery(written, ['telephone', 'nhs_number'], { numRuns: 10_000, seed: 20261205 });
  });

  it.each([
    'MOB07-700-900-123',
    'tel07-7009-00123',
    'pt0-7700-900-123',
    'MOB07.7.0.0.9.0.0.1.2.3',
    'MOB0-7-7-0-0-9-0-0-1-2-3',
    'pt44-7700-900-123',
    'pt+44-7-700-900-123',
    'pt0044-7-700-900-123',
    'pt+44(0)7-700-900-123',
    'MOB07 700 900 12 3',
    'MOB077_0_09001_23A',
    'A0044-7-700-900-123',
  ])('the leftover of review 4 F4 and its kin: %s', (text) => {
    expectBoth(text, 'telephone');
  });

  it.each([
    ['an ODS code 07.. and a year and a month', 'Y07014-2022-11'],
    ['an ODS code and a month and a year', 'U07140_11_2022'],
    ['an ODS code and a day-first date, two-digit year', 'Y07014-28-11-22'],
    ['an ODS code and a year-first date, unpadded', 'U07140.2022.1.5'],
    ['an ODS code and a two-digit year first, unpadded', 'U07140.22.1.5'],
    ['a day-first date after 07 and a sequence', 'R07-05-2026-123'],
    ['the 7th unpadded and a sequence', 'R07-5-2026-1234'],
    ['a two-digit year and a sequence', 'R07-12-26-1234'],
    ['a date written together', 'R07-1-20221128'],
    ['an ODS code of five digits first', 'Y07014-1-00023'],
    ['a first group of five digits', 'MOB07700-9-00-123'],
    ['an ODS code 44.. and a sequence: 44 (0) 7 and nine digits', 'H44074.22_4_5949.1'],
    ['twelve digits after 07', 'MOB07-700-900-1234'],
    ['ten digits after 07', 'MOB07-700-900-12'],
    ['a group of seven digits', 'EV07-7009001-23'],
    ['a time’s seconds', 'T09:30:07-700-900-123'],
  ])('not read: %s (%s)', (_what, text) => {
    expectBoth(text, undefined);
  });

  it('ids of an ODS code 07.. and a date in any form UK and ISO systems write it: never refused, by both', () => {
    const id = fc
      .record({
        letter: fc.constantFrom(...'ABCDEFGHJKLMNPRUY'),
        code: digits(3),
        year: fc.integer({ min: 2019, max: 2026 }),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 1, max: 28 }),
        sep: fc.constantFrom('-', '_', '.', '/'),
        form: fc.constantFrom('ymd', 'dmy', 'ym', 'my', 'dmyy', 'yymd'),
        padded: fc.boolean(),
        after: fc.constantFrom('', 'A', '.a', '-x'),
      })
      .map(({ letter, code, year, month, day, sep, form, padded, after }) => {
        const [m, d] = padded ? [two(month), two(day)] : [String(month), String(day)];
        const yy = two(year % 100);
        const date = {
          ymd: [year, m, d],
          dmy: [d, m, year],
          ym: [year, m],
          my: [m, year],
          dmyy: [d, m, yy],
          yymd: [yy, m, d],
        }[form];
        return `${letter}07${code}${sep}${date.join(sep)}${after}`;
      });
    fc.assert(
      fc.property(id, (text) => {
        // Eleven digits in all with one separator throughout (`A07408-2022-8-5`, `A07408-26-06-01`) are a zero and ten
        // digits to the rule for any grouping, an NHS number one time in eleven (left: see the guard's README section).
        // Never a telephone number.
        const kind = findIdentifier(text);
        if (text.replace(/\D/g, '').length === 11) expect(['nhs_number', undefined]).toContain(kind);
        else expect(kind).toBeUndefined();
        expect(identifierByRules(text)).toBe(findIdentifier(text));
      }),
      { numRuns: 10_000, seed: 20261205 },
    );
  });
});

describe('guard5: a date of birth built into a UUID shape with no hex letter', () => {
  it.each([
    ['year first, the first group', '19850312-0000-0000-0000-000000000017'],
    ['day first, the first group', '12031985-0000-0000-0000-000000000001'],
    ['year and month-day, the second and third groups', '00000001-1985-0312-0000-000000000000'],
    ['day-month and year, the third and fourth groups', '00000000-0000-1203-1985-000000000042'],
    ['the first year read (1900) and the last (2009)', '19000101-0000-0000-0000-000000000001'],
    ['the last year read', '31122009-0000-0000-0000-000000000001'],
  ])('refused: %s (%s)', (_where, text) => {
    expectBoth(text, 'date_of_birth');
  });

  it.each([
    ['an event’s date (2019 on)', '20260312-0000-0000-0000-000000000017'],
    ['a year from 2010, a child’s or an event’s', '20100312-0000-0000-0000-000000000017'],
    ['a year before 1900', '18990312-0000-0000-0000-000000000017'],
    ['no such month', '19851312-0000-0000-0000-000000000017'],
    ['a date beside hex letters (chance in a generated UUID)', '19850312-3fa2-4c1e-9b7d-1a2b3c4d5e6f'],
    ['a date across groups, not whole ones', '00001985-0312-0000-0000-000000000000'],
    ['a date in the last group (a sequence number)', '00000000-0000-0000-0000-000019850312'],
    ['not a UUID’s shape', '19850312-0000-0000-000000000000017'],
  ])('not read: %s (%s)', (_what, text) => {
    expectBoth(text, undefined);
  });

  it('generated UUIDs whose first group is such a date but which hold a hex letter: never refused', () => {
    const id = fc
      .tuple(
        fc.integer({ min: 1900, max: 2009 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        hex(4),
        hex(3),
        fc.constantFrom('8', '9', 'a', 'b'),
        hex(3),
        hex(11),
        fc.constantFrom(...'abcdef'),
      )
      .map(([y, m, d, b, c, v, e, f, letter]) => `${y}${two(m)}${two(d)}-${b}-4${c}-${v}${e}-${f}${letter}`);
    assertEvery(id, undefined, { numRuns: 5000, seed: 20261205 });
  });
});

describe('guard5: invisible characters, other dashes, spaces and dots inside a number', () => {
  it.each([
    ['a zero-width space inside a 4-6 grouping', 'ab9434\u200b765919', 'nhs_number'],
    [
      'zero-width spaces between every digit',
      '9\u200b4\u200b3\u200b4\u200b7\u200b6\u200b5\u200b9\u200b1\u200b9',
      'nhs_number',
    ],
    ['a soft hyphen', '9434\u00ad765919', 'nhs_number'],
    ['a word joiner beside letters', 'R9434\u2060765919', 'nhs_number'],
    [
      'a zero-width joiner in Arabic-Indic digits',
      '\u0669\u200d\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669',
      'nhs_number',
    ],
    ['en dashes in pairs', '94\u201334\u201376\u201359\u201319', 'nhs_number'],
    ['en dashes in pairs beside a letter', 'X94\u201334\u201376\u201359\u201319', 'nhs_number'],
    [
      'minus signs one digit at a time',
      '9\u22124\u22123\u22124\u22127\u22126\u22125\u22129\u22121\u22129',
      'nhs_number',
    ],
    ['em dashes in pairs', '94\u201434\u201476\u201459\u201419', 'nhs_number'],
    ['middle dots', '94\u00b734\u00b776\u00b759\u00b719', 'nhs_number'],
    ['bullets beside letters', 'R94\u202234\u202276\u202259\u202219', 'nhs_number'],
    ['ideographic spaces', '94\u300034\u300076\u300059\u300019', 'nhs_number'],
    ['a zero-width space in a mobile glued to letters', 'MOB0770\u200b0900123', 'telephone'],
    ['a zero-width space inside a postcode', 'SW1A\u200b1AA', 'postcode'],
    ['a CHI number after a zero-width space stands apart from the letters', 'NHS\u200b0101901232', 'nhs_number'],
  ])('refused: %s', (_what, text, kind) => {
    expectBoth(text, kind);
  });

  it.each([
    ['a date and a time with an en dash', '2026\u201305\u201312 09:30'],
    ['an id with a zero-width space beside letters', 'R202605\u200b-2565'],
    ['a CHI number glued to letters by an invisible character', 'NHS\u20600101901232x'],
  ])('not read: %s', (_what, text) => {
    expectBoth(text, undefined);
  });
});

describe('guard5: an e-mail address written with (at), [at] or at and dot between spaces', () => {
  it.each([
    'jsmith(at)nhs.net',
    'jsmith [at] nhs [dot] net',
    'jsmith{AT}gmail{dot}com',
    'j.smith <at> nhs.uk',
    'jsmith at nhs dot net',
    'jsmith AT trust DOT nhs DOT uk',
  ])('refused: %s', (text) => {
    expectBoth(text, 'email');
  });

  it.each(['seen at st.marys.london', 'arrived at 10.30 org', 'Cat(alogue) nhs.uk', 'seen (at) home later'])(
    'not read: %s',
    (text) => {
      expectBoth(text, undefined);
    },
  );
});

describe('guard6: an id of an ODS code, a date written with separators and a sequence is no telephone number', () => {
  it.each([
    ['year first (the shape that was refused 12.5 times in 100)', 'H53465-2023-02-22-000993'],
    ['year first, slashes', 'A81001/2019/09/30/123456'],
    ['year first, underscores', 'Y02345_2027_01_01_000001'],
    ['year first, spaces', 'H53465 2023 02 22 000993'],
    ['no ODS code: a date and a sequence', '2023-02-22-000993'],
    ['day first, the 0 at the month (36 in 100)', 'G08488/14/01/2022/2494'],
    ['day first, the 0 at the day', 'Y73322 06 10 2019 58'],
    ['day first, a two-digit year', 'Y02345-05-01-20-123456'],
    ['a two-digit year first', 'A81001-23-02-22-000993'],
    ['a month and a year (25 in 100)', 'G08488_01_2022_2494'],
    ['a month and a year, separators mixed and a suffix (the README’s example)', 'N16882-07/2023_397.12'],
    ['a date written together, day first', 'H53465-02022023-093'],
  ])('not read: %s (%s)', (_what, text) => {
    expectBoth(text, undefined);
  });

  it.each([
    // The date stands before the number, not in it; or the digits before make no date with its first two groups.
    ['a mobile after a date', '2023-02-22 07700 900123'],
    ['a mobile in groups after an id’s date', 'H53465-2023-02-22 07700-900-123'],
    ['a landline after a date and a colon', 'seen 2023-02-22: 020 7946 0958'],
    ['a mobile after a number', '12 07700 900123'],
    ['a mobile after a year', '2023 07700 900123'],
    ['+44 after a year and a month', 'ref 2023-02 +44 7700 900123'],
    ['a year before its first two digits and no day after them', 'x 2023 01 632 960 001'],
    [
      'a date that ends with its first group: a mobile in small groups after a year and a month',
      'EV-2023-01-07-700-900-123',
    ],
    ['a date that ends with its first group: a day and eight digits', 'H53465-2023-02-05-12345678'],
    ['two digits, two and six after text, no digit before', 'seen: 02 22 000993'],
    ['the same standing alone', '02-22-000993'],
  ])('still refused: %s (%s)', (_what, text) => {
    expectBoth(text, 'telephone');
  });

  it('generated: an ODS code, a date 2019-2027 in any order, a sequence of 1 to 6 digits, one separator: never a telephone number', () => {
    const id = fc
      .record({
        letter: fc.constantFrom(...'ABCDEFGHJKLMNPRUY'),
        code: digits(5),
        year: fc.integer({ min: 2019, max: 2027 }),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 1, max: 28 }),
        form: fc.constantFrom('ymd', 'dmy', 'yymd', 'dmyy', 'my'),
        sequence: fc.integer({ min: 1, max: 6 }).chain(digits),
        sep: fc.constantFrom('-', '/', '_', ' '),
      })
      .map(({ letter, code, year, month, day, form, sequence, sep }) => {
        const [m, d, yy] = [two(month), two(day), two(year % 100)];
        const date = { ymd: [year, m, d], dmy: [d, m, year], yymd: [yy, m, d], dmyy: [d, m, yy], my: [m, year] }[form];
        return `${letter}${code}${sep}${date.join(sep)}${sep}${sequence}`;
      });
    fc.assert(
      fc.property(id, (text) => {
        // A code 0.... whose zeros pad ten digits after them is read as an NHS number one time in eleven, with one
        // separator throughout (`K00066-2024-06-74`; left: see the guard's README section); never a telephone number.
        const all = text.replace(/\D/g, '');
        const kind = findIdentifier(text);
        if (/^0+$/.test(all.slice(0, -10))) expect(['nhs_number', undefined]).toContain(kind);
        else expect(kind).toBeUndefined();
        expect(identifierByRules(text)).toBe(kind);
      }),
      { numRuns: 20_000, seed: 20261205 },
    );
  });
});

describe('guard6: a date of birth in a UUID’s whole groups beside a hex number written after zeros', () => {
  it.each([
    ['the first group, a record number in hex last', '19850312-0000-0000-0000-00000000001a'],
    ['the second and third groups', '00000001-1985-0312-0000-0000000000ab'],
    ['day first in the third and fourth groups', '00000000-0000-1203-1985-00000000fe42'],
    ['a version 4 and a variant written in', '19850312-0000-4000-8000-00000000001a'],
    // The 24 hex digits beside the date: 12 zeros in the middle groups, 4 in the last: 16.
    ['sixteen zeros beside the date', '19850312-0000-0000-0000-0000ffffffff'],
  ])('refused: %s (%s)', (_what, text) => {
    expectBoth(text, 'date_of_birth');
  });

  it.each([
    ['fifteen zeros beside the date', '19850312-0000-0000-0000-000fffffffff'],
    ['an event’s date and a hex number', '20260312-0000-0000-0000-00000000001a'],
    ['a date across groups, not whole ones', '00001985-0312-0000-0000-00000000000a'],
    ['a hex letter in the date’s place', '1985031a-0000-0000-0000-000000000000'],
  ])('not read: %s (%s)', (_what, text) => {
    expectBoth(text, undefined);
  });

  it('generated: such a date in any of the three places, a hex number of up to 8 digits last: refused, by both', () => {
    const hexDigits = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 1, maxLength: 8 });
    const id = fc
      .record({
        year: fc.integer({ min: 1900, max: 2009 }),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 1, max: 28 }),
        dayFirst: fc.boolean(),
        place: fc.nat(2),
        number: hexDigits,
      })
      .map(({ year, month, day, dayFirst, place, number }) => {
        const date = dayFirst ? `${two(day)}${two(month)}${year}` : `${year}${two(month)}${two(day)}`;
        const groups = ['00000000', '0000', '0000', '0000', number.padStart(12, '0')];
        if (place === 0) groups[0] = date;
        else [groups[place], groups[place + 1]] = [date.slice(0, 4), date.slice(4)];
        return groups.join('-');
      });
    assertEvery(id, 'date_of_birth', { numRuns: 5000, seed: 20261205 });
  });
});

describe('review 6: a UK landline glued to letters (0, +44 or 0044, then 1 or 2 and nine digits)', () => {
  it.each([
    ['review 6’s probe: a London number glued to REF', 'REF02079460958'],
    ['glued on the right', '02079460958x'],
    ['glued both sides', 'x02079460958y'],
    ['grouped as people write it, glued on the left', 'tel01632 960001'],
    ['London grouping, hyphens', 'REF020-7946-0958'],
    ['a city’s grouping, dots', 'MOB0161.496.0000'],
    ['+44 glued', 'tel+442079460958'],
    ['0044 glued', 'pt00442079460958'],
    ['+44 (0) in groups glued', 'tel+44 (0)20 7946 0958'],
    ['glued on the right, letters before it across a separator', 'REF-02079460958x'],
    [
      'London digits that read as a date written together (2 July 19), grouped as people write them',
      'REF020 7194 0958',
    ],
    ['two letters and 01234 567891 (Bedford’s shape; zero padding before review 6)', 'EV01234567891'],
    ['three capitals: no ODS code', 'TEL01632960001'],
    // Review 8, N3: a bare 44 (a spreadsheet drops the + of +44), as the mobile rule reads pt447700900123.
    ['a bare 44 (no + or 00)', 'pt442079460958'],
  ])('refused: %s (%s)', (_what, text) => {
    expectBoth(text, 'telephone');
  });

  it.each([
    ['0 and nine digits (016977’s exchange aside, no landline is)', 'REF0207946095'],
    ['0 and eleven digits', 'REF020794609581'],
    ['beside another digit', 'REF102079460958'],
    ['00 first: zero padding', 'REF00207946095'],
    ['03, not a geographic number', 'REF03001234567'],
    ['grouped as no one writes one (six digits first)', 'REF0207946-0958'],
    ['a day, a month and a four-digit year, then a sequence of three', 'R02072026123'],
    ['a day, a month and a two-digit year, then a sequence of five', 'R02072612345'],
    ['the same London number written together: 2 July 19 and a sequence to the rule', 'REF02071940958'],
    ['a month and a year, then a sequence of five', 'R01202612345'],
    ['an ODS code and a year and a month', 'A01234202605'],
    ['an ODS code and a day, a month and a two-digit year, apart', 'A01234-120526'],
    ['three digits and a date of eight', 'EV01220260512'],
    ['an ODS code and a sequence of six, together', 'Y01632960001'],
    ['an ODS code and a sequence of six, apart', 'U01632-960001'],
    ['an ODS code, a month unpadded, a year and a sequence', 'D028349-20204x'],
    ['one capital at the start of a word (an ODS code’s letter), any grouping', 'T020 7946 0958'],
    ['the tail of an id’s date and a sequence, a suffix letter after it', 'M78884/2023_10_02000937192A'],
    ['between hex letters in a 64-bit id (16 hex)', '8ec02319649205a7'],
    ['hex letters on one side, a text of hex digits only (chance in a 64-bit id)', 'abc02079460958'],
    ['a nanosecond fraction glued to its zone letter', '2026-05-12T09:30:00.02079460958Z'],
  ])('not read: %s (%s)', (_what, text) => {
    expectBoth(text, undefined);
  });

  // Local digits chosen so that no date of an id's years can be read at either end (a 4 to 9 where a day, a month
  // or a year's first digit would stand): every such number glued to letters is refused.
  const landline = fc.oneof(
    fc
      .tuple(fc.constantFrom(...'478'), fc.constantFrom(...'456789'), fc.constantFrom(...'456789'), digits(5))
      .map(([a, b, c, rest]) => `020${a}${b}${c}${rest}`),
    fc
      .tuple(fc.constantFrom(...'3456789'), fc.constantFrom(...'456789'), digits(1), fc.constantFrom(...'456789'))
      .chain(([a, b, c, d]) => digits(5).map((rest) => `01${a}${b}${c}${d}${rest}`)),
  );
  const written = (number: string, grouped: boolean) =>
    !grouped
      ? number
      : number.startsWith('020')
        ? `${number.slice(0, 3)} ${number.slice(3, 7)} ${number.slice(7)}`
        : `${number.slice(0, 5)} ${number.slice(5)}`;

  it('generated: a London or other geographic number, together or grouped, glued to letters either side: refused, by both', () => {
    const text = fc
      .record({
        number: landline,
        grouped: fc.boolean(),
        word: fc.constantFrom('REF', 'tel', 'pt', 'MOB', 'Ph'),
        right: fc.boolean(),
      })
      .map(({ number, grouped, word, right }) =>
        right ? `${written(number, grouped)}${word}` : `${word}${written(number, grouped)}`,
      );
    assertEvery(text, 'telephone', { numRuns: 5000, seed: 20261205 });
  });

  it('generated: ids of an id’s date and a sequence, or an ODS code 01../02.. and a date or a sequence of six: never refused', () => {
    const id = fc
      .record({
        head: fc.constantFrom('R', 'EV', 'REF', 'pt'),
        code: fc
          .tuple(fc.constantFrom('U', 'Y'), fc.constantFrom('01', '02'), digits(3))
          .map((parts) => parts.join('')),
        day: fc.integer({ min: 1, max: 2 }),
        anyDay: fc.integer({ min: 1, max: 28 }),
        month: fc.integer({ min: 1, max: 12 }),
        year: fc.integer({ min: 2010, max: 2039 }),
        shortYear: fc.integer({ min: 19, max: 30 }),
        form: fc.constantFrom('dmyyyy+3', 'dmyy+5', 'myyyy+5', 'code+ym', 'code+my', 'code+dmy', 'code+ymd', 'code+6'),
        sep: fc.constantFrom('', '-', '_', '/'),
        three: digits(3),
        five: digits(5),
        six: digits(6),
      })
      .map(({ head, code, day, anyDay, month, year, shortYear, form, sep, three, five, six }) => {
        const [d, m, yy] = [two(day), two(month), two(shortYear)];
        return {
          'dmyyyy+3': `${head}${d}${m}${year}${three}`,
          'dmyy+5': `${head}${d}${m}${yy}${five}`,
          'myyyy+5': `${head}0${day}${year}${five}`,
          'code+ym': `${code}${sep}${year}${m}`,
          'code+my': `${code}${sep}${m}${year}`,
          'code+dmy': `${code}${sep}${two(anyDay)}${m}${yy}`,
          'code+ymd': `${code}${sep}${yy}${m}${two(anyDay)}`,
          'code+6': `${code}${sep}${six}`,
        }[form];
      });
    assertEvery(id, undefined, { numRuns: 20_000, seed: 20261205 });
  });
});

describe('review 6: a National Insurance number (HMRC NIM39110: two prefix letters, six digits, A to D)', () => {
  // HMRC's rules, as the manual states them: neither letter D, F, I, Q, U or V; the second not O; seven pairs unused.
  const LETTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
  const NEVER = new Set([...'DFIQUV']);
  const UNUSED = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);
  const prefixes = LETTERS.flatMap((first) => LETTERS.map((second) => `${first}${second}`));
  const allowed = prefixes.filter(
    (p) => !NEVER.has(p[0] as string) && !NEVER.has(p[1] as string) && p[1] !== 'O' && !UNUSED.has(p),
  );
  const refusedByHmrc = prefixes.filter((p) => !allowed.includes(p) && p !== 'QQ');

  it('the manual’s rules leave 26 x 26 prefixes less those: 20 first letters, 19 second, 7 pairs', () => {
    expect(allowed).toHaveLength(20 * 19 - 7);
  });

  it.each([
    ['review 6’s probe (QQ: the manual’s example)', 'QQ123456C'],
    ['the manual’s example as it prints it', 'QQ 12 34 56 A'],
    ['together', 'AB123456C'],
    ['in pairs', 'AB 12 34 56 C'],
    ['in threes, hyphens', 'AB-123-456-D'],
    ['all in small letters', 'ab123456c'],
    ['after a label', 'NI:JY123456A'],
    ['inside an id, apart', 'EV-AB-12-34-56-C'],
    ['in a sentence, small letters', 'ni no ce 12 34 56 b seen'],
  ])('refused: %s (%s)', (_what, text) => {
    expectBoth(text, 'national_insurance_number');
  });

  it.each([
    ['D first', 'DA123456C'],
    ['O second', 'AO123456C'],
    ['an unused pair', 'GB123456A'],
    ['suffix E', 'AB123456E'],
    ['five digits', 'AB12345C'],
    ['seven digits', 'AB1234567C'],
    ['no suffix', 'AB123456'],
    ['cases mixed', 'Ab123456C'],
    ['a word, a date and a suffix, cases mixed (an id)', 'pt120526A'],
    ['glued to other letters', 'NINOAB123456C'],
    ['after a digit', '1AB123456C'],
    ['digits grouped two and four', 'AB12 3456C'],
  ])('not read: %s (%s)', (_what, text) => {
    expectBoth(text, undefined);
  });

  const grouping = fc.constantFrom('together', 'pairs', 'threes');
  const nino = (prefix: string, six: string, suffix: string, how: string, sep: string) => {
    const body = { together: six, pairs: six.match(/../g)?.join(sep), threes: six.match(/.../g)?.join(sep) }[how];
    return how === 'together' ? `${prefix}${body}${suffix}` : `${prefix}${sep}${body}${sep}${suffix}`;
  };

  it('generated: every prefix HMRC uses, any digits and suffix, any grouping, in capitals or small letters: refused, by both', () => {
    const text = fc
      .record({
        prefix: fc.constantFrom(...allowed, 'QQ'),
        six: digits(6),
        suffix: fc.constantFrom(...'ABCD'),
        how: grouping,
        sep: fc.constantFrom(' ', '-', '.', '_', ' / '),
        small: fc.boolean(),
        around: fc.constantFrom(['', ''], ['NI ', ''], ['x-', '-1'], ['(', ')']),
      })
      .map(({ prefix, six, suffix, how, sep, small, around }) => {
        const number = nino(prefix, six, suffix, how, sep);
        return `${around[0]}${small ? number.toLowerCase() : number}${around[1]}`;
      });
    assertEvery(text, 'national_insurance_number', { numRuns: 5000, seed: 20261205 });
  });

  it('generated: a prefix HMRC never uses, or a suffix after D, or cases mixed: not read, by both', () => {
    const text = fc
      .record({
        prefix: fc.constantFrom(...refusedByHmrc, ...allowed),
        six: digits(6),
        suffix: fc.constantFrom(...'ABCDEFXZ'),
        how: grouping,
        mixed: fc.boolean(),
      })
      .filter(({ prefix, suffix, mixed }) => refusedByHmrc.includes(prefix) || !'ABCD'.includes(suffix) || mixed)
      .map(({ prefix, six, suffix, how, mixed }) => {
        const number = nino(prefix, six, suffix, how, ' ');
        return mixed ? `${number[0]}${number.slice(1).toLowerCase()}` : number;
      });
    assertEvery(text, undefined, { numRuns: 5000, seed: 20261205 });
  });
});

describe('review 6: an NHS number glued to letters is refused when it passes modulus 11, and only then', () => {
  it.each([
    ['glued on the left', 'NHS9434765919'],
    ['glued on the right', '9434765919NHS'],
    ['glued both sides, small letters', 'ab9434765919cd'],
    ['groups apart, glued', 'NHS943 476 5919x'],
    ['another grouping, glued', 'NHS943 4765 919'],
    ['zero padded, glued', 'NHS0009434765919'],
    ['a hex word glued to it', 'deadbeef9434765919'],
  ])('refused: %s (%s)', (_what, text) => {
    expectBoth(text, 'nhs_number');
  });

  it.each([
    ['the check digit wrong', 'NHS9434765918'],
    ['a remainder of 10 (no check digit makes it a number)', 'NHS9434765960'],
    ['eleven digits', 'NHS94347659190'],
    ['a CHI number beside letters (ids start with dates)', 'CHI0101901232'],
  ])('not read: %s (%s)', (_what, text) => {
    expectBoth(text, undefined);
  });

  it('generated: every NHS number from 3 up glued to letters is refused, and the same with its check digit changed is not', () => {
    const glued = fc
      .record({ number: nhsNumber, word: fc.constantFrom('NHS', 'REF', 'pt', 'x'), right: fc.boolean() })
      .filter(({ number }) => number[0] !== undefined && number[0] >= '3');
    fc.assert(
      fc.property(glued, ({ number, word, right }) => {
        const text = (n: string) => (right ? `${n}${word}` : `${word}${n}`);
        expect(findIdentifier(text(number))).toBe('nhs_number');
        const wrong = `${number.slice(0, 9)}${(Number(number[9]) + 1) % 10}`;
        expect(isValidNhsNumber(wrong)).toBe(false);
        // A wrong check digit leaves ten digits beside letters: nothing else reads them (no 0 first: no telephone).
        expect(findIdentifier(text(wrong))).toBeUndefined();
        expect(identifierByRules(text(wrong))).toBeUndefined();
      }),
      { numRuns: 5000, seed: 20261205 },
    );
  });
});

describe('review 7 M1: a telephone or NHS number with colons between its groups (a separator of the contract’s ids)', () => {
  it.each([
    ['07700:900123', 'telephone'],
    ['tel:07700:900:123', 'telephone'],
    ['MOB:0:7700:900:123', 'telephone'],
    ['tel:44:7700:900123', 'telephone'],
    ['020:7946:0958', 'telephone'],
    ['TEL:020:7946:0958', 'telephone'],
    ['94:34:76:59:19', 'nhs_number'],
    ['9:4:3:4:7:6:5:9:1:9', 'nhs_number'],
    ['PT:94:34:76:59:19', 'nhs_number'],
    ['REF:943:4765:919', 'nhs_number'],
    ['tel07700-900:123', 'telephone'],
  ])('refused, by both: %s (%s)', (text, kind) => {
    expectBoth(text, kind);
  });

  it.each([
    ['an ISO timestamp, a fraction and an offset', '2019-01-01T00:00:00.000-05:00'],
    ['to the nanosecond, after midnight', '2019-01-01T00:00:15.012345678-05:00'],
    ['a UK date and a time', '31/05/2026 09:30:05'],
    ['a date and a time of day 01 (read as a telephone number before: its digits are a date)', '01/01/2019 00:00'],
    ['a date, a space, a time and an offset', '2026-05-12 07:30:05.123+01:00'],
    ['a time after a T, seconds and digits after', 'T09:30:07-700-900-123'],
  ])('a time’s colons are not a separator: %s (%s)', (_what, text) => {
    expectBoth(text, undefined);
  });

  it('generated: an NHS number or a mobile, grouped as people write them, colons between its groups and before it: refused', () => {
    const text = fc
      .record({
        prefix: fc.constantFrom('', 'PT:', 'tel:', 'REF:', 'id:'),
        nhs: nhsNumber.filter((number) => number >= '3'), // an NHS number from 3 up (below: a CHI number's rules)
        cuts: fc.constantFrom([3, 6], [2, 4, 6, 8], [3, 7], [1, 2, 3, 4, 5, 6, 7, 8, 9]),
        mobile: digits(6).map((six) => `07700${six}`),
        kind: fc.boolean(),
      })
      .map(({ prefix, nhs, cuts, mobile, kind }) =>
        kind ? `${prefix}${grouped(nhs, cuts, ':', 0)}` : `${prefix}${grouped(mobile, [5, 8], ':', 0)}`,
      );
    fc.assert(
      fc.property(text, (value) => {
        const kind = findIdentifier(value);
        expect(['nhs_number', 'telephone']).toContain(kind);
        expect(identifierByRules(value)).toBe(kind);
      }),
      { numRuns: 5000, seed: 20261205 },
    );
  });
});

describe('review 7 M6: an id of a sequence and a date (either way round) is no telephone or NHS number', () => {
  it.each([
    ['a sequence and the event’s date (refused as a telephone number before)', 'R-2019-01-0-2019-01-01'],
    ['an ODS code, a month, a sequence and a date', 'U00009-2019-01-32-2019-01-05'],
    ['a sequence and a date (refused as an NHS number before)', 'REF-34-2019-01-07'],
    ['glued to letters', 'REF34-2019-01-07'],
    ['a zero-padded sequence and a date', 'REF-0000-2019-01-01'],
    ['a date, day first, and a sequence', 'REF-01-01-2019-12'],
    ['colons between', 'EV:012:2019-01-07'],
    ['slashes, day first', 'REF-39/22/01/2019'],
  ])('not read: %s (%s)', (_what, text) => {
    expectBoth(text, undefined);
  });

  it.each([
    // The groups before the date are a whole number, or the number's match ends before the date.
    ['a mobile, then a date', '07700 900123-2025-04-01', 'telephone'],
    ['a 10-digit landline, then a date, day first and of one digit', '01697 73456-1-04-2025', 'telephone'],
    ['a landline with colons, then a date', 'TEL:020:7946:0958:2019-01-07', 'telephone'],
    ['a date, then a mobile', '2025-04-01-07700-900123', 'telephone'],
    ['a date day first, then a mobile, dots (the date reads into the match)', '03.09.2025.072.2943.7681', 'telephone'],
    ['an NHS number, then a date', '943 476 5919-2019-01-07', 'nhs_number'],
    ['an NHS number glued to letters, colons and a date', 'PT:9434765919:2019-01-07', 'nhs_number'],
    [
      'an NHS number in pairs, then a date of 2018 (not an id’s year)',
      '94-34-76-59-19'.concat('-2018-01-07'),
      undefined,
    ],
  ])('still: %s (%s)', (_what, text, kind) => {
    expectBoth(text, kind);
  });

  it('generated: a prefix, a sequence of 0 to 6 digits and a date 2019-2030, or the date first, any separator: no number', () => {
    const id = fc
      .record({
        // The referral's own month first, written with the id's separator (an ODS code 0.... and a year and a month
        // with another separator after them is the zero padding left in guard6: `K00066-2024-06-74`).
        prefix: fc.constantFrom('', 'REF', 'REF-', 'R-2025-04-', 'U00009-2019-01-', 'EV:', 'EV_'),
        sequence: fc.integer({ min: 1, max: 6 }).chain(digits),
        unpadded: fc.integer({ min: 0, max: 9999 }).map(String),
        padded: fc.boolean(),
        year: fc.integer({ min: 2019, max: 2030 }),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 1, max: 28 }),
        dayFirst: fc.boolean(),
        dateFirst: fc.boolean(),
        sep: fc.constantFrom('-', '/', '_', '.', ':'),
      })
      .map(({ prefix, sequence, unpadded, padded, year, month, day, dayFirst, dateFirst, sep }) => {
        const date = (dayFirst ? [two(day), two(month), year] : [year, two(month), two(day)]).join(sep);
        const number = padded ? sequence : unpadded;
        const start = prefix.endsWith('-') ? prefix.replaceAll('-', sep) : prefix;
        return { text: dateFirst ? `${start}${date}${sep}${number}` : `${start}${number}${sep}${date}`, number };
      });
    fc.assert(
      fc.property(id, ({ text, number }) => {
        const kind = findIdentifier(text);
        expect(identifierByRules(text)).toBe(kind);
        // Left (the date of birth rule's, not this one's): a sequence 1900 to 2009 beside letters reads as an old
        // year, with the date's next two groups its month and day (`REF-1970-05-12-2019`), refused before as now.
        if (kind === 'date_of_birth') expect(Number(number)).toBeGreaterThanOrEqual(1900);
        if (kind === 'date_of_birth') expect(Number(number)).toBeLessThanOrEqual(2009);
        else expect(kind).toBeUndefined();
      }),
      { numRuns: 20_000, seed: 20261205 },
    );
  });
});
