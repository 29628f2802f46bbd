import { isChiNumber, isValidNhsNumber } from './nhs-number.ts';

/**
 * The identifiability guard: nothing that identifies a person may pass the uploader. It looks at column names
 * (a date of birth or name column is refused whatever it holds) and at every cell's text. It reports the kind
 * of identifier only, never the value.
 */
export type IdentifierKind =
  | 'nhs_number'
  | 'national_insurance_number'
  | 'postcode'
  | 'email'
  | 'telephone'
  | 'date_of_birth'
  | 'name'
  | 'address';

export const IDENTIFIER_LABELS: Record<IdentifierKind, string> = {
  nhs_number: 'an NHS number',
  national_insurance_number: 'a National Insurance number',
  postcode: 'a postcode',
  email: 'an e-mail address',
  telephone: 'a telephone number',
  date_of_birth: 'a date of birth',
  name: 'a name',
  address: 'an address',
};

/**
 * What a refusal says a cell holds (review 35, R35-3): `what looks like` and the kind's label, but an old date alone
 * (OLD_DATE_ALONE: a date before 2010 and nothing else, perhaps at midnight) is told as such, since it may be an event
 * date mistyped rather than a date of birth, so a PCN can find the typo. The text is read, never repeated: the message
 * names the position only.
 */
export function identifierHeld(kind: IdentifierKind, text: unknown): string {
  if (kind === 'date_of_birth' && typeof text === 'string' && isOldDateAlone(text)) return OLD_DATE_ALONE_HELD;
  return `what looks like ${IDENTIFIER_LABELS[kind]}`;
}

export const OLD_DATE_ALONE_HELD =
  'a date before 2010 alone, refused as a possible date of birth (or an event date mistyped)';

/**
 * A column's name that says it holds personal data, read as words inside the name (lower case, everything but letters
 * and digits left out), not the whole name (review 30, R30-7: `Client name`, `Patient Surname`, `Home Address`,
 * `Address 1`, `Mobile No`, `Patient NHS Number` passed an exact list). Names and addresses cannot be told by value, so
 * a column's name is the only signal for them. No field of the contract holds any of these words; a column the
 * contract lacks refuses the file anyway (bad_header), so the rule decides only whether the refused file is deleted
 * and what the PCN is told. An organisation's or a service's name (`practice_name`, `provider name`) is not a person's.
 * First match wins: an e-mail address before an address, a telephone (`NOK phone`) before a next of kin.
 */
const PERSONAL_COLUMNS: [IdentifierKind, RegExp][] = [
  ['nhs_number', /^(nhs|nhsnum|patientnumber)$|nhsno|nhsnumber|chino|chinumber/],
  ['date_of_birth', /birth|dob/],
  ['email', /email|^mail$/],
  ['telephone', /phone|mobile|telno|telnumber|contactno|contactnumber|^tel$/],
  ['postcode', /postcode|postalcode|^zip$|^zipcode$/],
  ['address', /address|street|houseno|housenumber|^town$|^city$/],
  ['name', /name|nextofkin|^nok|^title$|initials/],
];
/** Names of organisations, services and things, not of people (above). */
const NOT_A_PERSONS_NAME =
  /^(practice|pcn|icb|ccg|region|provider|service|organisation|organization|org|site|activity|team|trust|surgery|scheme|group|file|instrument|event|form|role)name$/;

/** The kind of personal data a column's name says it holds, if any. */
export function personalColumnKind(name: string): IdentifierKind | undefined {
  const normalised = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  const kind = PERSONAL_COLUMNS.find(([, pattern]) => pattern.test(normalised))?.[0];
  return kind === 'name' && NOT_A_PERSONS_NAME.test(normalised) ? undefined : kind;
}

/**
 * The longest run of separators read between the parts of an NHS number, a telephone number or a postcode. Runs are
 * of characters that are not letters or digits, so a run can never be mistaken for a part: each rule is matched in
 * time linear in the text (a long adversarial text is in the guard's bench). The bound only keeps two numbers far
 * apart in free text from being read as one; people write one to five (`943 - 476 - 5919`, `(943) 476-5919`).
 */
const MAX_SEPARATOR_RUN = 16;
/**
 * Between the groups of an NHS number or a telephone number: nothing, or a run of characters that are not letters or
 * digits (spaces, hyphens, dots, underscores, slashes, brackets, tabs), as systems and people write them.
 */
const SEP = `[^A-Za-z0-9]{0,${MAX_SEPARATOR_RUN}}`;
/**
 * An NHS number standing alone (not beside a letter or digit), its groups written together or apart, after any zeros
 * written to pad it to a width (`00009434765919`; captured first). Zero padding is zeros before ten digits that start
 * 1 to 9 (checked on each match): a run of zeros and fewer digits (`000000000012345`, a zero-padded id) holds no NHS
 * number, and a longer run of other digits is not read ten at a time (one long numeric id in eleven would pass the
 * check digit somewhere). The padding is checked after the match rather than in it: a lookahead at the start of the
 * expression made every text with ten digits (timestamps, SNOMED codes) twice as slow to scan.
 */
const NHS_NUMBER = new RegExp(`(?<![A-Za-z0-9])(0*)(\\d{3})${SEP}(\\d{3})${SEP}(\\d{4})(?![A-Za-z0-9])`, 'g');
/**
 * Ten digits with letters beside them, as in an id made from a number (`NHS9434765919`, `REF9434765919`,
 * `R943-476-5919`, `NHS943 476 5919`, `NHS00009434765919`), their groups written together or apart as above: not part
 * of a longer run of digits (zeros before it aside), and starting 3 to 9. NHS numbers are issued from 300 million up
 * (England, Wales and the Isle of Man: 3xx, 4xx, 6xx, 7xx; 999 is the test range; NHS Digital's and Wikipedia's "NHS
 * number" pages); ids that start with a year (20260512..) or a date are left alone, which with the modulus 11 check
 * digit keeps false alarms away from the date-and-sequence ids PCN systems write (R202605-2565). A CHI number below 3
 * is not read beside letters either: it starts with a date (DDMMYY), and so do ids numbered by a six-digit or a
 * day-first date (`R260512-0001`, `R12052026-01`), 1 in 11 of which would be refused (measured on every day of
 * 2019-2026: 9.09%).
 */
const NHS_NUMBER_BESIDE_LETTERS = new RegExp(`(?<!\\d)0*([3-9]\\d{2})${SEP}(\\d{3})${SEP}(\\d{4})(?!\\d)`, 'g');
/**
 * Ten digits in any other grouping: a run of digit groups with a run of separators between each two, 1 to 16 of a
 * space, `-`, `.`, `_`, `/` or a tab (`9 4 3 4 7 6 5 9 1 9`, `943 4765 919`, `94--34--76--59--19`, `943 -- 4765 -- 919`,
 * `ORG9_4_3_4_7_6_5_9_1_9`), read as an NHS number from 3 up wherever it is, beside letters or not, like a number beside
 * letters above; below 3, as a CHI number (a DDMMYY date first) where it stands alone (no letter either side:
 * `0-1-0-1-9-0-1-2-3-2`, `CHI 01 01 90 1232`), as the 3-3-4 rule above reads any ten digits standing alone (`0101901232`,
 * `010190 1232`). Two readings, each in one pass:
 * - the same separator run between every two groups, whatever the groups' lengths. A run holding more than ten digits
 *   is not read ten at a time (zeros before ten digits aside, as above): the run ends where a digit follows it directly
 *   or across the same separator (`2026-05-12-0001` is twelve digits); across another separator a new run starts with
 *   the group before it (`R9-4-3-4-7-6-5-9-1-9.1`, `12.94-34-76-59-19` hold one). A date and a time
 *   (`2026-05-12 09:30`, `31/05/2026 09:30`) is runs of different separators, none of ten digits.
 * - one digit at a time with any separators between, mixed (`9-4.3 4/7-6.5 9/1-9`): the groups linked to each other
 *   by separator runs are read as one number only when every group is one digit, so a grouping of longer groups whose
 *   separators change (a UK date and time, a site, a year and a sequence: `EV-45.2026-0001`) is not read.
 * Separators that change between groups of several digits are read only in the 3-3-4 rules (`943 476-5919`), not in
 * another grouping (`943 4765-919`, left: its shapes are the date and time's and the id's above).
 */
// space - . _ / tab, a colon that is no time's (COLON, below), and a comma or an apostrophe (straight or curly: a
// spreadsheet's thousands separators, `9,434,765,919` as Excel writes a number column "Use 1000 Separator", `9'434'765'919`
// the Swiss way: review 30, R30-2). A contract id holds neither, and a CSV line is cut into its cells before this reads it.
// A line break too, LF or CR (sec32: a quoted cell may hold one, `"9434<LF>765919"`; its row is refused for its format,
// but the file was kept in landing/ with the number in it).
const GROUPING_SEPARATORS = new Set([32, 45, 46, 95, 47, 9, 10, 13, 31, 44, 39, 0x2019]);
const NHS_NUMBER_DIGITS = 10;

/** Whether the character at `at` is an ASCII digit. */
function isDigit(value: string, at: number): boolean {
  const code = value.charCodeAt(at);
  return code >= 48 && code <= 57;
}

/** Whether the character at `at` is an ASCII letter. */
function isLetter(value: string, at: number): boolean {
  const lower = value.charCodeAt(at) | 32;
  return lower >= 97 && lower <= 122;
}

/** Whether the character at `at` is an ASCII capital. */
function isCapital(value: string, at: number): boolean {
  const code = value.charCodeAt(at);
  return code >= 65 && code <= 90;
}

/**
 * Whether a run of digits (from `start` to `end`, separators between) is zeros and an NHS number from 3 up, or zeros and
 * a CHI number standing alone (no letter either side).
 */
function runIsNhsNumber(value: string, start: number, end: number, count: number): boolean {
  if (count < NHS_NUMBER_DIGITS) return false;
  // After a digit and a colon a run is a time's seconds and their fraction, and before a colon and a digit it ends in an
  // offset's hours: timestamps the contract accepts, `2026-05-12T09:30:05.123456789Z` and `...:00.067685319-05:00`,
  // hold 0 and ten digits there, and 1 in 100 such, or 1 in 11 with a fraction from 0, would be refused.
  if (value.charCodeAt(start - 1) === 58 && isDigit(value, start - 2)) return false;
  if (value.charCodeAt(end + 1) === 58 && isDigit(value, end + 2)) return false;
  let number = '';
  let skip = count - NHS_NUMBER_DIGITS; // the zeros to pad it
  for (let i = start; i <= end; i++) {
    const code = value.charCodeAt(i);
    if (code < 48 || code > 57) continue;
    if (skip > 0) {
      if (code !== 48) return false;
      skip--;
    } else number += value[i];
  }
  const found =
    number.charCodeAt(0) >= 51
      ? isValidNhsNumber(number)
      : !isLetter(value, start - 1) && !isLetter(value, end + 1) && isChiNumber(number);
  return found && !runEndsInDate(value, start, end + 1);
}

/**
 * The years of a date in an id (an event's or a referral's date: the contract takes none before 2019,
 * EARLIEST_EVENT_DATE, and none in the future; a decade on is left for ids dated ahead, as a booking's).
 */
const ID_DATE_YEARS = [2019, 2039] as const;
const isIdYear = (n: number): boolean => n >= ID_DATE_YEARS[0] && n <= ID_DATE_YEARS[1];

/**
 * Whether three groups of digits (where each starts and how long it is) are a date of an id's years written with one
 * separator, the same, between its parts: a year, a month and a day (`2019-01-07`) or a day, a month and a year
 * (`07/01/2019`), at the widths systems write them (four digits, two and two). Only those: a two-digit year or a
 * month or a day of one digit is too many other things (an NHS number written `700 08 5 2038` is read). What is left:
 * an NHS number written in a grouping of which three groups so make a date (about 2 numbers in 10,000 can be).
 */
function isIdDateGroups(value: string, a: number, la: number, b: number, lb: number, c: number, lc: number): boolean {
  if (b - (a + la) !== 1 || c - (b + lb) !== 1 || value.charCodeAt(b - 1) !== value.charCodeAt(c - 1)) return false;
  if (isLetter(value, b - 1)) return false; // a separator, not a letter
  if (lb !== 2 || !isMonth(numberAt(value, b, 2))) return false;
  if (la === 4 && lc === 2) return isIdYear(numberAt(value, a, 4)) && isDay(numberAt(value, c, 2));
  return la === 2 && lc === 4 && isDay(numberAt(value, a, 2)) && isIdYear(numberAt(value, c, 4));
}

/**
 * Whether the four digits at `at` are a group of their own that starts a date of an id's years, year first
 * (`2023-01-01`): the last four digits the 3-3-4 rules read (`430124-2023-01-01`, a sequence of six and the event's
 * date, passed the check digit 1 time in 11 from 3 up). An NHS number whose last four digits are a year from 2019 and
 * are followed by a month and a day, as a date, is left (2 in 1,000 numbers end so, and none is written with a date).
 */
function startsIdDate(value: string, at: number): boolean {
  if (isDigit(value, at - 1) || isDigit(value, at + 4) || !isDigit(value, at + 5)) return false;
  let b = at + 5;
  while (isDigit(value, b)) b++;
  const c = b + 1;
  let end = c;
  while (isDigit(value, end)) end++;
  return end > c && isIdDateGroups(value, at, 4, at + 5, b - at - 5, c, end - c);
}

/** Where each of the first and last three groups of digits of a run starts and how long it is (reused). */
const edgeStarts = [0, 0, 0];
const edgeLengths = [0, 0, 0];

/**
 * Whether the run of digit groups value[start, end) starts or ends with a date of an id's years written with a
 * separator (above): a sequence and the event's date (`REF-34-2019-01-07`, `R-2025-04-12-2019-01-07`) or a date and a
 * sequence (`REF-07-01-2019-34`) hold ten digits that pass the check digit 1 time in 11 (review 7, M6: 2.2 in 100 ids
 * `REF-<sequence>-<date>` were refused as an NHS number, a whole file each time). An NHS number is never written in
 * groups of which three are a date of 2019 on, year in four digits: its ten digits would be a date and two to four
 * others. A number written whole beside a date (`943 476 5919 2019-01-07`) is read by the rules that need no run.
 */
function runEndsInDate(value: string, start: number, end: number): boolean {
  // The first three groups.
  let count = 0;
  for (let i = start; i < end && count < 3; ) {
    if (!isDigit(value, i)) {
      i++;
      continue;
    }
    edgeStarts[count] = i;
    while (i < end && isDigit(value, i)) i++;
    edgeLengths[count] = i - (edgeStarts[count] as number);
    count++;
  }
  if (count < 3) return false;
  const [a, b, c] = edgeStarts as [number, number, number];
  const [la, lb, lc] = edgeLengths as [number, number, number];
  if (isIdDateGroups(value, a, la, b, lb, c, lc)) return true;
  // The last three, read backwards.
  count = 0;
  for (let i = end - 1; i >= start && count < 3; ) {
    if (!isDigit(value, i)) {
      i--;
      continue;
    }
    const groupEnd = i + 1;
    while (i >= start && isDigit(value, i)) i--;
    edgeStarts[2 - count] = i + 1;
    edgeLengths[2 - count] = groupEnd - i - 1;
    count++;
  }
  const [x, y, z] = edgeStarts as [number, number, number];
  const [lx, ly, lz] = edgeLengths as [number, number, number];
  return isIdDateGroups(value, x, lx, y, ly, z, lz);
}

/** Whether value[from, to) is the same text as value[at, at + to - from). */
function sameText(value: string, from: number, to: number, at: number): boolean {
  for (let i = from; i < to; i++) if (value.charCodeAt(i) !== value.charCodeAt(at + i - from)) return false;
  return true;
}

/** Whether the text holds ten digits in any grouping (above) that make an NHS or CHI number: one pass, no backtracking. */
function hasGroupedNhsNumber(value: string): boolean {
  // The run with one separator throughout: where it starts, its digits, where its separator is (-1 while it has none).
  let runStart = 0;
  let runDigits = 0;
  let sepStart = -1;
  let sepEnd = -1;
  // The groups linked by separator runs: where they start, their digits, whether every group is one digit.
  let chainStart = 0;
  let chainDigits = 0;
  let chainSingle = true;
  // The group before (where its digits start and end) and the text since it.
  let groupStart = -1;
  let groupEnd = -1;
  let gapOk = false; // the text since the group before is 1 to 16 grouping separators
  let i = 0;
  while (i < value.length) {
    const code = value.charCodeAt(i);
    if (code < 48 || code > 57) {
      if (gapOk && (!GROUPING_SEPARATORS.has(code) || i - groupEnd >= MAX_SEPARATOR_RUN)) gapOk = false;
      i++;
      continue;
    }
    const start = i;
    while (i < value.length && value.charCodeAt(i) >= 48 && value.charCodeAt(i) <= 57) i++;
    const length = i - start;
    if (groupStart >= 0 && gapOk) {
      if (sepStart < 0 || (start - groupEnd === sepEnd - sepStart && sameText(value, groupEnd, start, sepStart))) {
        runDigits += length;
      } else {
        if (runIsNhsNumber(value, runStart, groupEnd - 1, runDigits)) return true;
        // Across a separator run of another kind a run of that kind starts with the group before it.
        runStart = groupStart;
        runDigits = groupEnd - groupStart + length;
      }
      sepStart = groupEnd;
      sepEnd = start;
      chainDigits += length;
      chainSingle &&= length === 1;
    } else {
      if (groupStart >= 0) {
        if (runIsNhsNumber(value, runStart, groupEnd - 1, runDigits)) return true;
        if (chainSingle && runIsNhsNumber(value, chainStart, groupEnd - 1, chainDigits)) return true;
      }
      runStart = start;
      runDigits = length;
      sepStart = -1;
      sepEnd = -1;
      chainStart = start;
      chainDigits = length;
      chainSingle = length === 1;
    }
    groupStart = start;
    groupEnd = i;
    gapOk = true;
  }
  if (groupStart < 0) return false;
  if (runIsNhsNumber(value, runStart, groupEnd - 1, runDigits)) return true;
  return chainSingle && runIsNhsNumber(value, chainStart, groupEnd - 1, chainDigits);
}
/**
 * In a UUID the zeros at the start of a group are the group's fixed width, not padding before a number: a random
 * UUID's last group is twelve decimal digits starting 00 and then a valid-looking NHS number about 3 times in a million
 * (16^-12 * 10^12 / 100 * 0.9 / 11), which the padding rule would otherwise refuse
 * (`3f2a9c1e-7b4d-4e21-9a0f-005341950402`). Found by the generated contract values.
 */
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** The last text asked whether it is a UUID's shape, and the answer: one cell is asked up to three times (R37-5). */
let uuidAsked = '';
let uuidAnswer = false;
/** Whether the whole text is a UUID's shape (UUID), remembered for the last text asked. */
function isUuidShape(value: string): boolean {
  if (value !== uuidAsked) {
    uuidAsked = value;
    uuidAnswer = value.length === UUID_LENGTH && UUID.test(value);
  }
  return uuidAnswer;
}
/**
 * Twenty zeros first (hyphens aside) make a pseudonym's shape no pseudonym: no HMAC starts so (a chance of 16^-20), and
 * no generated UUID does (its thirteenth digit is its version, 1 to 8: RFC 9562). A number written into that shape
 * (`00000000-0000-0000-0000-009434765919`, `00000000-0000-0000-0000-9434765919ab`) is read as in any other text.
 */
const ZEROS_FIRST = /^(?:0{20}|0{8}-0{4}-0{4}-0{4}-)/;
/**
 * In a value shaped as a pseudonym (64 hex characters, as the uploader's HMAC writes person_id, or a UUID) runs of
 * digits between hex letters are chance: about 1 in 200 random 64-hex pseudonyms holds a valid-looking NHS number
 * between letters, and 3 random UUIDs in 1,000 (2,999 of 1,000,000 read as any other text) hold an NHS or CHI number
 * between letters or across hyphens. There only a number standing alone counts.
 *
 * Hex ids of the other lengths systems write for random ids are pseudonyms too: a GUID written without its hyphens
 * (32 hex, as GP systems often export one), a MongoDB ObjectId (24), a SHA-1 (40). Read as any other text, 2.8, 1.7 and
 * 3.2 random ones in 1,000 were refused (an NHS number or a mobile's digits between hex letters), and one refusal
 * rejects the whole file: a monthly file of 2,000 GUIDs was refused 99.6% of the time (red-team review 4, F6). So an
 * id of exactly 24, 32 or 40 hex digits with a hex letter in it is read as a pseudonym, and only a number standing
 * alone counts there. Only those lengths: an id of any other length built from a number and a letter or two
 * (`9434765919A00001`, a number, a type letter and a sequence; `07700900123B00001`; `FACE9434765919BEEF`;
 * `a03feb1970bcdef01`) passed as a "pseudonym" when any length from 16 did (red-team review 5, G1). Sixteen is left
 * out too: a 64-bit random id is too short to tell from a 10-digit number and six more characters (of random 16-hex
 * ids 0.23 in 1,000 were refused even by a rule that spared only those with three letters or more, and such a rule
 * still spared `A9434765919BCDEF`), so a 16-hex id is read as any other text. What is still possible: a number built
 * into an id of exactly 24, 32 or 40 hex characters passes; no rule tells it from chance there without refusing random
 * ids (a rule asking for three letters and one in eight refused 0.04 in 1,000 random 24-hex ids and 0.01 in 1,000 of
 * 32: with one refusal rejecting a file, a file of 2,000 such ids in 12). Inside such an id (letters and digits, no
 * separator) what a person writes on purpose is more often a number glued to a word at one end (`ACE0009434765919`,
 * `9434765919ABCDEF`, `DEADBEEF07700900123`): hex letters only on one side, digits only on the other, which a random
 * id is one time in 10^9 or less at 24 hex and longer. That id is read as any other text, as before.
 */
const HEX_ID_LENGTHS: ReadonlySet<number> = new Set([24, 32, 40]);
const LETTERS_AND_NUMBER = /^(?:[a-fA-F]+\d+|\d+[a-fA-F]+)$/;
/** Whether the text is shaped as a pseudonym and may be one (above); `shape` is the text's. */
function chancePseudonym(value: string, shape: Shape): boolean {
  // The cheap tests first: every row's numbers (a SNOMED code, a duration) are hex digits only, without a letter.
  if (shape.hex) {
    if (value.length !== PSEUDONYM_LENGTH && (shape.letters === 0 || !HEX_ID_LENGTHS.has(value.length))) return false;
    if (value.length !== PSEUDONYM_LENGTH && LETTERS_AND_NUMBER.test(value)) return false;
  } else if (!isUuidShape(value)) {
    return false;
  }
  return !ZEROS_FIRST.test(value);
}
/**
 * Between the digits of a telephone number: a separator run as above without a colon or a plus. Times are written with
 * colons, and an ISO timestamp's seconds, milliseconds and offset (`2019-01-01T00:00:00.000-05:00`, a recorded_at the
 * contract accepts) would otherwise read as 0 and nine digits; a plus is the international prefix, never between a
 * number's digits, and a nanosecond fraction and its offset (`.012345678+01:00`) would otherwise read as 0 and ten.
 */
const TELEPHONE_SEP = `[^A-Za-z0-9:+]{0,${MAX_SEPARATOR_RUN}}`;
/**
 * The "0" of "+44 (0)" as it is written, or with its brackets taken out (`+44 0 20 7946 0958`, `44-0-7700900123`,
 * `4402079460958`): review 8, N3.
 */
// The 0 without brackets only before a digit a UK number has after its 0 (no number is 04.., 06.. or 00..): an ODS code
// and a sequence, `U07567_00440411/5997752`, read as 0044, 0 and ten digits otherwise.
const TRUNK_ZERO = `(?:\\(0\\)${TELEPHONE_SEP}|0${TELEPHONE_SEP}(?=[1-35789]))`;
/**
 * A UK telephone number's digits as the rule below reads them: 0 and 9 or 10 digits, or +44 or 0044 (with or without
 * "(0)" or its 0) and 9 or 10 digits; or a bare 44 (with or without the 0), as a spreadsheet stores +44.. (a number:
 * the + dropped) and as an id's characters (`A-Za-z0-9._:-`) can hold one, then a geographic (1, 2), non-geographic
 * (3) or mobile (7) number's ten digits (`442079460958`, `44-161-496-0000`, `44-0-20-7946-0958`); or a mobile whose
 * 0 a spreadsheet dropped, 7 and nine digits together, 71-75 or 77-79 (Ofcom's mobile ranges: 070 is personal
 * numbering, 076 pagers), `7700900123` (review 8, N3). A bare 44 or 7 reads a standing-alone number of 10 to 13 digits
 * from 44 or 7 as a telephone number: the cost is numeric ids of that shape (none of the bench's shapes). The digit
 * after the 0 (or after +44 without it) is one a UK number has there, 1-3, 5, 7-9 (Ofcom's National Telephone Numbering
 * Plan: no number starts 00, 04 or 06; 00 is the international prefix): zero-padded counters of ten or eleven digits,
 * `EV-0000000001`, `REF_00000000042`, were refused as telephone numbers, every one (red-team review 9, R9-4).
 */
const TELEPHONE_DIGITS = `(?:(?:(?:\\+|00)44${TELEPHONE_SEP}${TRUNK_ZERO}?|0)[1-35789](?:${TELEPHONE_SEP}\\d){8,9}|44${TELEPHONE_SEP}${TRUNK_ZERO}?[1237]\\d(?:${TELEPHONE_SEP}\\d){8}|7[1-57-9]\\d{8})`;
/**
 * A UK telephone number (the digits above), with separator runs between its digits (none between the leading 0 and
 * the digit after it): `07700--900123`, `(01632) 960 001`, `0044 7700 900123`, `442079460958`. Letters or digits
 * either side end it: no checksum, so a zero-padded id (EVT0000012345) is not one. Nor is a time's seconds and their
 * fraction, or a fraction (after a digit and a colon or a dot): a timestamp to the nanosecond with an offset,
 * `2019-01-01T09:30:05.123456789+01:00` or `...:15.012345678-05:00`, holds 0 and ten digits there (`tel:0770..` is
 * still read). Nor is the tail of an id's date and sequence (hasTelephone, below).
 */
const TELEPHONE = new RegExp(`(?<![A-Za-z0-9+])(?<!\\d[:.])${TELEPHONE_DIGITS}(?![A-Za-z0-9])`, 'g');
/**
 * A UK mobile number wherever it is, letters either side included (`MOB07700900123`, `tel07700 900123`,
 * `pt447700900123`, `pt+447700900123`: a red-team review got the first three into curated Parquet), but never beside
 * another digit: 07 and nine digits, or 447, +447 or 00447 (+44 and 0044 with or without "(0)" or its 0, and a
 * separator run; a bare 44 with its 0 or apart, `44-0-7700900123`, is the rule above's, standing alone: glued to an
 * ODS code, `F4407005202108` is a code 44070 and a date) and nine digits, together or in groups of three to six digits as people write a mobile (`07700 900123`,
 * `07700-900-123`, `0770.090.0123`, `077-0090-0123`, `+44 7700 900 123`: red-team review 4 got `MOB07700-900-123` and
 * `tel0770-090-0123` into curated Parquet when only the first grouping was read). Other groupings are dates and
 * sequences: read between any two digits, 7 in 100 ids made of an ODS code and a date (`Y07014-2022-11-28-1A`,
 * `U07140.2025_11/09360211`: a day or a month is one or two digits) and ids numbered by a day-first date written
 * together on the 7th (`R07052026-001`: seven digits from the 7) would be refused (measured on 400,000 generated
 * ids); standing alone the rule above reads a mobile in any grouping. The rule above needs no letter either side because it reads every UK number, landlines of 10
 * digits and any grouping included, which beside letters would be zero-padded ids; a mobile's shape is narrow (7 after
 * the 0 or the 44, eleven or twelve digits exactly), so ids padded to another width (`EVT0000012345`, `EV07700123`),
 * ids that start with a year or a date (20.., 19..), timestamps (the colon and dot rule above) and the demo's ids
 * (`R202605-2565.1`, `VCSE-QE1-1BP`) are not read. A pseudonym's shape (64 hex digits, a UUID) is left alone: a
 * mobile's digits between its hex letters are chance (85 of 2,000,000 random UUIDs and 254 of 500,000 random 64-hex
 * pseudonyms hold one), and only a number standing alone counts there, as for an NHS number. An id made of an ODS code
 * starting 07 and a sequence of six, together or apart (`U07140000123`, `Y07014-000001`: 14 PCN codes are U07.. and 12
 * practice codes Y07.. in the 2025 extracts), is read as one: it cannot be told from a mobile glued to a capital, and
 * any ODS code with 03 to 09 after its letter and a sequence of six was refused 1 time in 11 before this rule (zero
 * padding and an NHS number beside letters), so such ids need a sequence of another length or a date.
 */
const MOBILE = new RegExp(
  `(?<!\\d)(?<!\\d[:.])(?:(?:\\+|00)44${TELEPHONE_SEP}${TRUNK_ZERO}?|44|0)(7\\d(?:${TELEPHONE_SEP}\\d){8})(?!\\d)`,
  'g',
);
/**
 * A mobile's groups as people write them, counted from its 7: the first 2 to 5 digits (with the 0 before it `077`,
 * `0770`, `07700`; `+44 7700`, `447700`), each after it 3 to 6 (`900123`, `900 123`, `090 0123`).
 */
const MOBILE_FIRST_GROUP = [2, 5] as const;
const MOBILE_GROUP = [3, 6] as const;

/**
 * Whether a number's digits from the one after its 0 (a rule's capture: a mobile's from its 7, a landline's from its
 * area code) are together or grouped as people write one (above; a landline's area code without its 0 is 2 to 5
 * digits too, `20`, `161`, `1632`, and its local number is written in groups of 3 to 6).
 */
function groupedAsWritten(digits: string): boolean {
  let group = 0;
  let first = true;
  for (let i = 0; i <= digits.length; i++) {
    if (i < digits.length && isDigit(digits, i)) {
      group++;
      continue;
    }
    if (group === 0) continue;
    if (first && i === digits.length) return true; // no separator: all together
    const [fewest, most] = first ? MOBILE_FIRST_GROUP : MOBILE_GROUP;
    if (group < fewest || group > most) return false;
    first = false;
    group = 0;
  }
  return true;
}

/**
 * A UK mobile in any other grouping, beside letters (`MOB07-700-900-123`, `pt0-7700-900-123`, `tel07.7.0.0.9.0.0.1.2.3`,
 * `pt+44-7-700-900-123`): a run of digit groups, each two apart by a run of 1 to 16 separators (as above: no letter,
 * digit, colon or plus), whose digits are exactly a mobile's, 07 and nine (11), 447 and nine (12), +44 (0) 7 and nine
 * (13), 00447 and nine (14) or 0044 (0) 7 and nine (15), and no more: the whole run, not a slice of it (reading a mobile
 * anywhere in a run of small groups refused 28,202 of 400,000 ids made of an ODS code and a date). A run with a date in
 * it is not read: a four-digit year from 1900 to 2099 beside a month of one or two digits (`2022-11`, `11/2022`), three
 * groups of one or two digits that make a day, a month and a two-digit year either way round (`28-11-22`, `22.1.5`), or a group
 * that is a date written together (`20221128`, `28112022`, `202211`). An ODS code starting 07 and a date make 11
 * digits (`Y07014-2022-11`, `Y07014-28-11-22`); a mobile written in such groups (`MOB07-1-2019-...`) is left, as
 * people do not write one so. Nor after a time's colon (`09:30:07.700900123`: seconds and a fraction). Measured with
 * test/bench/guard.bench.ts on ids made of an ODS code (half of them 07..), a date and a sequence: none of 200,000 of
 * each shape newly refused.
 */
const MOBILE_RUN_DIGITS = /^(?:07|(?:00)?440?7)\d{9}$/;
const MOBILE_RUN_FIRST_GROUP = 4;
const MOBILE_RUN_GROUP = 6;
/** The groups of one run: where each starts and how many digits it has (reused: one run at a time). */
const runStarts: number[] = [];
const runLengths: number[] = [];

/** The number value[at, at + length) spells. */
function numberAt(value: string, at: number, length: number): number {
  let n = 0;
  for (let i = at; i < at + length; i++) n = n * 10 + value.charCodeAt(i) - 48;
  return n;
}

const isMonth = (n: number): boolean => n >= 1 && n <= 12;
const isDay = (n: number): boolean => n >= 1 && n <= 31;
const isYear = (n: number): boolean => n >= 1900 && n <= 2099;

/** Whether a group of 6 or 8 digits is a date written together: 202211, 112022, 20221128 or 28112022. */
function isDateTogether(value: string, at: number, length: number): boolean {
  if (length === 6) {
    return (
      (isYear(numberAt(value, at, 4)) && isMonth(numberAt(value, at + 4, 2))) ||
      (isMonth(numberAt(value, at, 2)) && isYear(numberAt(value, at + 2, 4)))
    );
  }
  if (length !== 8) return false;
  return (
    (isYear(numberAt(value, at, 4)) && isMonth(numberAt(value, at + 4, 2)) && isDay(numberAt(value, at + 6, 2))) ||
    (isDay(numberAt(value, at, 2)) && isMonth(numberAt(value, at + 2, 2)) && isYear(numberAt(value, at + 4, 4)))
  );
}

/** Whether the run's groups (runStarts/runLengths, `count` of them) hold a date (above). */
function runHoldsDate(value: string, count: number): boolean {
  for (let g = 0; g < count; g++) {
    const at = runStarts[g] as number;
    const length = runLengths[g] as number;
    if (isDateTogether(value, at, length)) return true;
    if (length === 4 && isYear(numberAt(value, at, 4))) {
      for (const h of [g - 1, g + 1]) {
        if (h < 0 || h >= count || (runLengths[h] as number) > 2) continue;
        if (isMonth(numberAt(value, runStarts[h] as number, runLengths[h] as number))) return true;
      }
    }
    if (g + 2 < count && length <= 2 && (runLengths[g + 1] as number) <= 2 && (runLengths[g + 2] as number) <= 2) {
      // A day, a month and a two-digit year, or a two-digit year, a month and a day.
      const [a, b, c] = [0, 1, 2].map((k) =>
        numberAt(value, runStarts[g + k] as number, runLengths[g + k] as number),
      ) as [number, number, number];
      const yearLast = (runLengths[g + 2] as number) === 2 && isDay(a);
      const yearFirst = length === 2 && isDay(c);
      if (isMonth(b) && (yearLast || yearFirst)) return true;
    }
  }
  return false;
}

/** Whether the run of groups is a mobile's digits, whole, and no date (above). */
function runIsMobile(value: string, count: number, digits: number): boolean {
  // The first group is at most 4 digits (`0770`, `0044`), or the prefix and the 7 (`00447`): an ODS code's five
  // (`Y07014`, `H44074`) never starts a run read so (a first group of the prefix and 3 digits from the 7 refused ids
  // of a code 44.. and a sequence: `H44074.22_4_5949.1` is 44 (0) 7 and nine digits).
  const first = runLengths[0] as number;
  if (digits < 11 || digits > 15 || (first > MOBILE_RUN_FIRST_GROUP && first !== digits - 9)) return false;
  for (let g = 1; g < count; g++) if ((runLengths[g] as number) > MOBILE_RUN_GROUP) return false;
  const start = runStarts[0] as number;
  const last = (runStarts[count - 1] as number) + (runLengths[count - 1] as number);
  if (value.charCodeAt(start - 1) === 58 && isDigit(value, start - 2)) return false;
  if (value.charCodeAt(last) === 58 && isDigit(value, last + 1)) return false;
  let number = '';
  for (let g = 0; g < count; g++) {
    const at = runStarts[g] as number;
    number += value.slice(at, at + (runLengths[g] as number));
  }
  return MOBILE_RUN_DIGITS.test(number) && !runHoldsDate(value, count);
}

/** Whether a separator of a mobile's run (above) is the character code: not a letter, digit, colon or plus. */
function isRunSeparator(code: number): boolean {
  const lower = code | 32;
  return !((code >= 48 && code <= 58) || (lower >= 97 && lower <= 122) || code === 43);
}

/** Whether the text holds a mobile's digits as a whole run of groups (above): one pass. */
function hasMobileRun(value: string): boolean {
  let count = 0;
  let digits = 0;
  let i = 0;
  while (i < value.length) {
    if (!isDigit(value, i)) {
      i++;
      continue;
    }
    const start = i;
    while (i < value.length && isDigit(value, i)) i++;
    // Linked to the group before when the text between is 1 to 16 separators.
    let linked = count > 0;
    const previousEnd = count > 0 ? (runStarts[count - 1] as number) + (runLengths[count - 1] as number) : 0;
    if (linked && start - previousEnd > MAX_SEPARATOR_RUN) linked = false;
    for (let k = previousEnd; linked && k < start; k++) if (!isRunSeparator(value.charCodeAt(k))) linked = false;
    if (!linked) {
      if (count > 0 && runIsMobile(value, count, digits)) return true;
      count = 0;
      digits = 0;
    }
    runStarts[count] = start;
    runLengths[count] = i - start;
    count++;
    digits += i - start;
  }
  return count > 0 && runIsMobile(value, count, digits);
}

/**
 * A telephone number standing alone is not read where it is the tail of an id made of a date and a sequence: a group
 * of digits comes before it across a run of 1 to 16 separators (no letter, colon or plus: the run goes on from an ODS
 * code, a year or a day, so it is one id), and its first two groups are parts of a date written with separators that
 * the run holds, a four-digit year, a month and a day (`2023-02-22`), a day, a month and a year (`06-10-2019`,
 * `06-10-19`), a month and a year (`02/2023`) or a two-digit year, a month and a day, or its first group is a date
 * written together (`02022023`). An id of an ODS code, a date and a sequence of one to six digits with one separator
 * (`H53465-2023-02-22-000993`, `G08488/14/01/2022/2494`, `Y73322 06 10 2019 58`, `G08488_01_2022_2494`) holds a 0 and
 * nine or ten digits standing apart there: of 200,000 generated ids of each shape, 12.5 in 100 written year first, 36
 * day first and 25 a month and a year were refused before this, none since (test/bench/guard.bench.ts, 5 Dec 2026). A telephone number as people write
 * it starts with its 0 and its area or mobile code, three to five digits (`020`, `0161`, `01632`, `07700`), not a month
 * or a day with the rest of a date beside it; one after a date (`2023-02-22 07700 900123`), after other digits
 * (`12 07700 900123`) or after text (`seen: 02 22 000993`) is still read, and so is one whose first group alone ends
 * a date (`2023 01 632 960 001`; `EV-2023-01-07-700-900-123`, a mobile in small groups after a year and a month).
 */
const dateGroupStarts: number[] = [];
const dateGroupLengths: number[] = [];
/** The most groups of the number that a date takes (a day, a month and a year). */
const DATE_GROUPS_IN = 3;

/** How many groups, from group g of `count`, a date written with separators takes (0: no date starts there). */
function dateSpanAt(value: string, g: number, count: number): number {
  const length = (k: number) => dateGroupLengths[k] as number;
  const at = (k: number) => numberAt(value, dateGroupStarts[k] as number, length(k));
  const small = (k: number) => k < count && length(k) <= 2;
  if (isDateTogether(value, dateGroupStarts[g] as number, length(g))) return 1;
  if (length(g) === 4 && isYear(at(g)) && small(g + 1) && isMonth(at(g + 1)) && small(g + 2) && isDay(at(g + 2))) {
    return 3;
  }
  if (!small(g)) return 0;
  if (isMonth(at(g)) && g + 1 < count && length(g + 1) === 4 && isYear(at(g + 1))) return 2;
  if (small(g + 1) && isMonth(at(g + 1)) && g + 2 < count) {
    const last = length(g + 2);
    if (isDay(at(g)) && ((last === 4 && isYear(at(g + 2))) || last === 2)) return 3; // day first
    if (length(g) === 2 && last <= 2 && isDay(at(g + 2))) return 3; // a two-digit year first
  }
  return 0;
}

/** Whether the telephone number at value[start, end) is the tail of an id's date and sequence (above). */
function isDatedIdTail(value: string, start: number, end: number): boolean {
  if (value.charCodeAt(start) === 43) return false; // +44: no date starts so
  // The group before it, across a run of separators.
  let k = start - 1;
  while (k >= 0 && start - k <= MAX_SEPARATOR_RUN && isRunSeparator(value.charCodeAt(k))) k--;
  if (k === start - 1 || k < 0 || !isDigit(value, k)) return false;
  const groupEnd = k + 1;
  while (k >= 0 && isDigit(value, k)) k--;
  dateGroupStarts[0] = k + 1;
  dateGroupLengths[0] = groupEnd - k - 1;
  // Its own first groups.
  let count = 1;
  for (let i = start; i < end && count <= DATE_GROUPS_IN; ) {
    if (!isDigit(value, i)) {
      i++;
      continue;
    }
    const groupStart = i;
    while (i < end && isDigit(value, i)) i++;
    dateGroupStarts[count] = groupStart;
    dateGroupLengths[count++] = i - groupStart;
  }
  // A date written together as its first group, or one written with separators that takes its first two groups: a
  // date that ends with its first group (`EV-2023-01-07-700-900-123`, the 7th and a mobile in small groups, or a
  // sequence) is not enough, as a mobile's 07 can be a day or a month.
  if (isDateTogether(value, dateGroupStarts[1] as number, dateGroupLengths[1] as number)) return true;
  return dateSpanAt(value, 0, count) === 3 || dateSpanAt(value, 1, count) > 1;
}

/** A telephone number as the rule above reads one, as the whole text (a part of a match, tested alone). */
const TELEPHONE_ALONE = new RegExp(`^${TELEPHONE_DIGITS}$`);
/** The groups of digits from a telephone number's start, on past its end (reused). */
const numberGroupStarts: number[] = [];
const numberGroupLengths: number[] = [];
/** The most groups read past a number's end: a date reaching into it (two), or a whole number after a date (up to 11). */
const DATE_GROUPS_AFTER = 12;

/**
 * A telephone number standing alone is not read where its digits are a date and a sequence with no group before them
 * (isDatedIdTail reads the rest): its first three groups are a date of an id's years (isIdDateGroups: `01-01-2019-12`,
 * `REF-07/01/2019/000`), or a date of three groups starts after its first group and before its end, the groups running
 * on past it (`REF-0000-2019-01-07`, `R-2025-04-0-2019-04-01`: a sequence and the event's date; the rule's match then
 * ends inside the date, `0000-2019-01`). Review 7, M6: ids `R-<yyyy>-<mm>-<sequence>-<date>` were refused 16.9 times
 * in 100 with a sequence of 0 to 39, 69 in 100 of 0 to 399, and every one with a sequence of four digits. A telephone
 * number followed by a date is still read where the groups before the date end in a whole number on their own
 * (`01697 73456-1-04-2025`, `07700 900123-2025-04-01`: the latter's match ends before the date), and one after a date
 * where the groups after it start one (`03.09.2025.072.2943.7681`).
 */
function isDatedIdNumber(value: string, start: number, end: number): boolean {
  if (value.charCodeAt(start) === 43) return false; // +44: no date starts so
  let count = 0;
  let past = 0;
  for (let i = start; i < value.length && past <= DATE_GROUPS_AFTER; ) {
    const groupStart = i;
    while (i < value.length && isDigit(value, i)) i++;
    numberGroupStarts[count] = groupStart;
    numberGroupLengths[count++] = i - groupStart;
    if (groupStart >= end) past++;
    // On to the next group across a run of 1 to 16 separators (no letter, colon of a time, or plus).
    let k = i;
    while (k < value.length && k - i < MAX_SEPARATOR_RUN && isRunSeparator(value.charCodeAt(k))) k++;
    if (k === i || !isDigit(value, k)) break;
    i = k;
  }
  const date = (g: number) =>
    g + 2 < count &&
    isIdDateGroups(
      value,
      numberGroupStarts[g] as number,
      numberGroupLengths[g] as number,
      numberGroupStarts[g + 1] as number,
      numberGroupLengths[g + 1] as number,
      numberGroupStarts[g + 2] as number,
      numberGroupLengths[g + 2] as number,
    );
  const endOf = (g: number) => (numberGroupStarts[g] as number) + (numberGroupLengths[g] as number);
  // Groups `from` to `to` are a whole telephone number on their own.
  const whole = (from: number, to: number) =>
    TELEPHONE_ALONE.test(value.slice(numberGroupStarts[from] as number, endOf(to)));
  if (count > 3 && date(0)) {
    // Spared unless the groups after the date start a whole number (`03.09.2025.072.2943.7681`).
    for (let k = 3; k < count; k++) if (whole(3, k)) return false;
    return true;
  }
  for (let g = 1; g < count && (numberGroupStarts[g] as number) < end; g++) {
    if (!date(g)) continue;
    // Spared unless the groups before the date end in a whole number (`01697 73456-1-04-2025`).
    for (let j = 0; j < g; j++) if (whole(j, g - 1)) return false;
    return true;
  }
  return false;
}

/**
 * Whether the text holds a telephone number standing alone (above): each place the rule matches, its context checked.
 * A number without its 0, + or 00 (a bare 44 or 7) is not read in a pseudonym's shape (`chance`): a UUID's groups hold
 * one by chance (`44700000-0000-..`, `..-4470-4000-8000-..`), as they hold an NHS number's digits across a hyphen; nor
 * as the tail of a run of digit groups (isTailOfDigits): an ODS code and sequences (`Y07981/44172/9273451`,
 * `U07905-7285401496.12`: 100 of 200,000 ids of the bench's "ODS code 07.., a sequence" were refused so).
 */
function hasTelephone(value: string, chance: boolean): boolean {
  TELEPHONE.lastIndex = 0;
  for (let match = TELEPHONE.exec(value); match !== null; match = TELEPHONE.exec(value)) {
    const end = match.index + match[0].length;
    const bare = value.charCodeAt(match.index) === 52 || value.charCodeAt(match.index) === 55; // 4, 7
    if (bare && (chance || isTailOfDigits(value, match.index))) {
      TELEPHONE.lastIndex = match.index + 1;
      continue;
    }
    if (!isDatedIdTail(value, match.index, end) && !isDatedIdNumber(value, match.index, end)) return true;
    TELEPHONE.lastIndex = match.index + 1;
  }
  return false;
}

/** Whether the text holds a mobile (above): each place the rule matches, its groups checked. */
function hasMobile(value: string): boolean {
  MOBILE.lastIndex = 0;
  for (let match = MOBILE.exec(value); match !== null; match = MOBILE.exec(value)) {
    if (groupedAsWritten(match[1] as string)) return true;
    // Another may start inside this one (each attempt reads a bounded stretch: linear in the text).
    MOBILE.lastIndex = match.index + 1;
  }
  return false;
}
/**
 * A UK landline glued to letters (`REF02079460958`, `tel01632 960001`, `tel+442079460958`: review 6 got the first
 * through; the rule above reads a landline only standing alone, and the mobile rule only a 7 after the 0): 0, +44 or
 * 0044 (with or without "(0)"), then 1 or 2 (a geographic number's area code, 01.. and 02..) and nine digits, together
 * or grouped as people write one (the area code's 2 to 5 digits, then groups of 3 to 6), never beside another digit
 * or after a time's colon or dot, and glued: a letter directly before it (`REF02079460958`, `tel+442079460958`), or
 * after it where no digits come before it across separators (`02079460958x`, `REF-02079460958x`). Ofcom numbers every
 * geographic number in 11 digits (0 and ten) but the 10-digit ones of one exchange, 016977 (Brampton), which glued
 * to letters are left: ten digits beside letters are too often a zero-padded id. A bare 44 (no + or 00, as a
 * spreadsheet stores +44..: `tel442079460958`, `PT44-1614960000`, review 8 N3) is read as the mobile rule reads one,
 * and "(0)" or its 0 after any 44 (`tel4402079460958`); an ODS code 44.. and a date (`H44120-2026057`) is left by the
 * capital before it, and a bare 44's digits written together that are an id's date and sequence as a 0's are. Not read, because the same
 * digits are an id's (measured with test/bench/guard.bench.ts, 5 Dec 2026: before these, 1 to 3 in 10,000 of its
 * ids of an ODS code, a date and a sequence were newly refused):
 * - after one capital at the start of a word: an ODS code's letter, the number's first digits the code's and the rest
 *   the id's, in any grouping (`Y01632960001`, `U01632-960001`, `D028349-20204x`: 131 practice codes are Y01..,
 *   Y02.. and so on, and 23 PCN codes U01.. or U02.., in the 2025 extracts). A landline glued to one capital passes;
 * - with a letter only after it and digits before it across separators: the tail of an id's date and a sequence and
 *   its suffix letter (`M78884/2023_10_02000937192A`: the month 02 and a zero-padded sequence);
 * - a date of an id's years written together at the start, a day, a month and a year (`R02072026123`, `R020726`
 *   and five digits) or a month and a year (`R012026` and five), or at the end after an ODS code's five digits
 *   (`A01234202605`, `A01234-120526`) or three (`EV012-20260512`); an id's years are 2010 to 2039 written in four
 *   digits and 19 to 30 in two (a two-digit year costs more: 02 and 03, 04, 07 or 08 is the 2nd of a month and a
 *   London number 020 3.., 020 4.., 020 7.. or 020 8.., so each two-digit year spares 1 in 100 of those), the date
 *   written together. Numbers in those shapes glued to letters and written together pass: Bournemouth's 01202 (a
 *   January and 2020 to 2029), London's whose next two digits are 19 to 30, and about 1 in 100 others (six digits at
 *   the end that are a date): 7 in 100 of the bench's random ones. Grouped as people write them they are read;
 * - in a text of hex digits only (`8ec02319649205a7`, `abc02079460958`): digits beside hex letters are chance, as for
 *   an NHS number or a mobile in a pseudonym's shape; a 64-bit id (16 hex) holds one about 1 time in 10,000 between
 *   hex letters, and 1 in 100,000 with hex letters on one side only (read so, 1 and 2 random ones in 200,000 were
 *   newly refused).
 */
const LANDLINE = new RegExp(
  `(?<!\\d)(?<!\\d[:.])((?:\\+|00)?44${TELEPHONE_SEP}${TRUNK_ZERO}?|0)([12]\\d(?:${TELEPHONE_SEP}\\d){8})(?!\\d)`,
  'g',
);
/** Whether eight digits at `at` are a date of an id's years written together: yyyymmdd or ddmmyyyy (above). */
function isIdDate8(digits: string, at: number): boolean {
  const year = (from: number) => {
    const n = numberAt(digits, from, 4);
    return n >= 2010 && n <= 2039;
  };
  const day = (from: number) => isDay(numberAt(digits, from, 2));
  const month = (from: number) => isMonth(numberAt(digits, from, 2));
  return (year(at) && month(at + 4) && day(at + 6)) || (day(at) && month(at + 2) && year(at + 4));
}
/** Whether six digits at `at` are a date of an id's years written together: yyyymm, mmyyyy, ddmmyy or yymmdd. */
function isIdDate6(digits: string, at: number): boolean {
  const year4 = (from: number) => {
    const n = numberAt(digits, from, 4);
    return n >= 2010 && n <= 2039;
  };
  const year2 = (from: number) => {
    const n = numberAt(digits, from, 2);
    return n >= 19 && n <= 30;
  };
  const day = (from: number) => isDay(numberAt(digits, from, 2));
  const month = (from: number) => isMonth(numberAt(digits, from, 2));
  return (
    (year4(at) && month(at + 4)) ||
    (month(at) && year4(at + 2)) ||
    (day(at) && month(at + 2) && year2(at + 4)) ||
    (year2(at) && month(at + 2) && day(at + 4))
  );
}
/**
 * Whether a landline's digits from its 1 or 2 (`grouped`, as the text has them) are an id's date and a sequence, or a
 * code and a date (above): the date's digits written together, with no separator inside them, so a number grouped as
 * people write one (`REF020 7194 0958`, London's 020 7194) is read.
 */
function landlineIsDatedId(grouped: string): boolean {
  let digits = '0';
  // cut: where a separator comes before a digit, by the digit's place in the eleven (the 0 first).
  let cuts = 0;
  for (let i = 0; i < grouped.length; i++) {
    if (isDigit(grouped, i)) digits += grouped[i];
    else cuts |= 1 << digits.length;
  }
  const together = (from: number, to: number): boolean => {
    for (let at = from + 1; at < to; at++) if (cuts & (1 << at)) return false;
    return true;
  };
  return (
    (isIdDate8(digits, 0) && together(0, 8)) ||
    (isIdDate6(digits, 0) && together(0, 6)) ||
    (isIdDate6(digits, 5) && together(5, 11)) ||
    (isIdDate8(digits, 3) && together(3, 11))
  );
}
/**
 * Whether the number at value[start..] is the tail of a run of digit groups: a digit before it across 1 to 16
 * separators (no letter, colon or plus).
 */
function isTailOfDigits(value: string, start: number): boolean {
  let k = start - 1;
  while (k >= 0 && start - k <= MAX_SEPARATOR_RUN && isRunSeparator(value.charCodeAt(k))) k--;
  return k < start - 1 && isDigit(value, k);
}
/** Whether the text holds a UK landline glued to letters (above): each place the rule matches, its context checked. */
function hasLandlineBesideLetters(value: string): boolean {
  LANDLINE.lastIndex = 0;
  for (let match = LANDLINE.exec(value); match !== null; match = LANDLINE.exec(value)) {
    const [whole, prefix, grouped] = match as unknown as [string, string, string];
    const start = match.index;
    const end = start + whole.length;
    // Standing alone it is the telephone rule's (which leaves an id's date and sequence: isDatedIdTail).
    const glued = isLetter(value, start - 1)
      ? !(isCapital(value, start - 1) && !isLetter(value, start - 2)) // not an ODS code's letter
      : isLetter(value, end) && !isTailOfDigits(value, start);
    if (glued && groupedAsWritten(grouped)) {
      // A + or 00 starts no id's date; a bare 44 or 0 may be an id's digits before one (`EV44-2026051234`).
      if (prefix.startsWith('+') || prefix.startsWith('00') || !landlineIsDatedId(grouped)) return true;
    }
    // Another may start inside this one (each attempt reads a bounded stretch: linear in the text).
    LANDLINE.lastIndex = start + 1;
  }
  return false;
}
/**
 * A National Insurance number (`QQ 12 34 56 C`, `AB123456C`): two prefix letters, six digits and a suffix A, B, C or
 * D, as HMRC's National Insurance Manual sets them out (NIM39110, "What a NINO looks like",
 * https://www.gov.uk/hmrc-internal-manuals/national-insurance-manual/nim39110): neither prefix letter is D, F, I, Q, U
 * or V, the second is not O, and BG, GB, KN, NK, NT, TN and ZZ are not used. QQ, the manual's own example, is read
 * too: it is what people write to try a form (review 6's probe), and no id is made so. Standing apart from letters and
 * digits (`NI:AB123456C`, `EV-AB-12-34-56-C`), the six digits together, in pairs or in threes, with runs of 1 to 3
 * separators between the groups and 0 to 3 around the digits (HMRC prints one space: `QQ 12 34 56 A`). In capitals or
 * all in small letters, not mixed: ids are made of a word, a date and a suffix (`pt-12-05-26-A`, `pt120526A`, a
 * patient's record numbered by day), and no one writes a number so. What it cannot tell from one: an id of exactly
 * two capitals of those, six digits and A to D (`AB 120526 C`), which is refused. Left: one glued to other letters
 * (`NINOAB123456C`), as two letters before six digits are any word's last two, and one without its suffix
 * (`AB123456`), the shape of many ids (two letters and a sequence).
 */
const NINO_SEP = '[^A-Za-z0-9]';
const NINO_DIGITS = `(?:\\d{6}|\\d{2}${NINO_SEP}{1,3}\\d{2}${NINO_SEP}{1,3}\\d{2}|\\d{3}${NINO_SEP}{1,3}\\d{3})`;
const NINO_PREFIX_EXCLUDED = ['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'];
/** The number in one case: `[A-Z]` letters as written, or as small letters. */
const ninoIn = (small: boolean): string => {
  const cased = (letters: string) => (small ? letters.toLowerCase() : letters);
  const excluded = NINO_PREFIX_EXCLUDED.map(cased).join('|');
  // First letter: not D, F, I, Q, U or V; second: nor O.
  const prefix = `(?:(?!${excluded})${cased('[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]')}|${cased('QQ')})`;
  return `${prefix}${NINO_SEP}{0,3}${NINO_DIGITS}${NINO_SEP}{0,3}${cased('[A-D]')}`;
};
const NATIONAL_INSURANCE_NUMBER = new RegExp(`(?<![A-Za-z0-9])(?:${ninoIn(false)}|${ninoIn(true)})(?![A-Za-z0-9])`);
/** A National Insurance number has six digits and three letters: a text with fewer holds none. */
const NINO_DIGITS_COUNT = 6;
const NINO_MIN_LETTERS = 3;
/**
 * A postcode: its outward and inward codes together or apart by a separator run (`SW1A 1AA`, `SW1A-1AA`, `LS1.4AP`,
 * `B338TH`), standing alone or inside an id (`ORG-SW1A-1AA`). Only letters Royal Mail uses in those places are read
 * (the postcode format of BS 7666 and Royal Mail's address guidance): no area begins with Q, V or X, none has I, J or Z
 * second, and the inward code's letters are never C, I, K, M, O or V. That is what lets an organisation id built from
 * an ICB's ODS code through: every ICB code is Q and two letters or digits (QE1, QWE; the 42 in the 2025 practice
 * extracts), so the demo's provider ids (`VCSE-QE1-1BP`, the ICB's code and a base-36 number) hold no postcode, while
 * nothing a real postcode can be is let through.
 */
const OUTWARD = '[A-PR-UWYZa-pr-uwyz][A-HK-Ya-hk-y]?\\d[A-Za-z\\d]?';
const INWARD = '\\d[ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}';
const POSTCODE = new RegExp(`(?<![A-Za-z0-9])${OUTWARD}${SEP}${INWARD}(?![A-Za-z0-9])`);
const EMAIL = /[^\s@]+@[^\s@]+\.[A-Za-z]{2,}/;

/** A pattern's letters matched in either case, without the `i` flag (which would make `[a-z]` below match capitals). */
const anyCase = (word: string): string =>
  word.replace(/[a-z]/g, (letter) => `[${letter}${letter.toUpperCase()}]`).replace(/\./g, '\\.');
/**
 * A date as UK and ISO systems write it: year first (`1970-02-03`, `1970/2/3`, `19700203`) or day first with a two- or
 * four-digit year (`03.02.1970`, `3/2/70`, `03021970`, `030270`, `3 Feb 1970`, `03-february-70`). Its parts are apart
 * by one to three separators, or together at their full widths (two digits for a day and a month); a day is 1 to 31, a
 * month 1 to 12 or a month's name, a four-digit year 1800 to 2099. Not beside another digit, so it is never a slice
 * of a longer number. The checks are what keep ids numbered by a year and a month off it: the demo's referral ids
 * are `R202605-` and a base-36 sequence, which spells `dob` now and then, and 202605 is no date (20/26/05, or 2026
 * and a month and a day of one digit each, written together). Every part has a bounded length, so each match attempt
 * costs at most a fixed number of steps.
 */
const DATE_SEP = '[^A-Za-z0-9]{1,3}';
const MONTH_NAME = `(?:${['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map(anyCase).join('|')})[A-Za-z]{0,6}`;
const DAY = '(?:0?[1-9]|[12]\\d|3[01])';
const DAY_2 = '(?:0[1-9]|[12]\\d|3[01])';
const MONTH = '(?:0?[1-9]|1[0-2])';
const MONTH_2 = '(?:0[1-9]|1[0-2])';
const YEAR = '(?:(?:1[89]|20)\\d{2}|\\d{2})';
const DATE = `(?<!\\d)(?:${[
  `(?:1[89]|20)\\d{2}${DATE_SEP}${MONTH}${DATE_SEP}${DAY}`,
  `(?:1[89]|20)\\d{2}${MONTH_2}${DAY_2}`,
  `${DAY}${DATE_SEP}${MONTH}${DATE_SEP}${YEAR}`,
  `${DAY_2}${MONTH_2}${YEAR}`,
  `${DAY}[^A-Za-z0-9]{0,3}${MONTH_NAME}[^A-Za-z0-9]{0,3}${YEAR}`,
].join('|')})(?!\\d)`;
/**
 * A word that says "date of birth": dob, d.o.b, born, birth, birthdate, birthday, in any case, standing apart from
 * other letters (a separator, a digit or the text's edge either side, or a capital after a small letter, as in
 * `DateOfBirth` or `ptDOB`), so `newborn`, `reborn` or `Osborne` are not read as one.
 */
const DOB_WORD = `(?:${['birthdate', 'birthday', 'birth', 'born', 'd.o.b', 'dob'].map(anyCase).join('|')})`;
const WORD_START = '(?:(?<![A-Za-z])|(?<=[a-z])(?=[A-Z]))';
const WORD_END = '(?:(?![A-Za-z])|(?=[A-Z][a-z]))';
/**
 * A date of birth written into a cell: the word and a date next to each other, either way round, with up to three
 * separators between (`DOB:1970-02-03`, `born-03.02.1970`, `d.o.b 3/2/70`, `1970-02-03_dob`). A date alone is not one
 * (event dates are dates), nor is the word alone.
 */
const DATE_OF_BIRTH = new RegExp(
  `${WORD_START}${DOB_WORD}${WORD_END}[^A-Za-z0-9]{0,3}${DATE}|${DATE}[^A-Za-z0-9]{0,3}${WORD_START}${DOB_WORD}${WORD_END}`,
);
/**
 * A name and a date of birth without the word (`SMITH-1970-02-03`, `J.SMITH.03.02.1970`, `Smith_John_3-Feb-1970`,
 * `JS_1970/02/03`: a red-team review got the first into curated Parquet): a date with its parts apart or its month
 * named, a four-digit year from 1900 to 2009, and a letter next to it (directly or across one to three separators),
 * not followed by T and a digit (an ISO timestamp's time). An id may carry a date and letters (`R2026-05-12-0001`, the
 * demo's `R202605-2565`), but nothing in this contract is dated before 2019 (EARLIEST_EVENT_DATE) and the years up to
 * 2009 leave a decade for referrals made before it whose ids arrive with a backfill; a date that old beside letters is a
 * person's. A date alone is still not read (an event date out of range is the contract's to reject, row by row), nor:
 * - a year from 2010 on (`SMITH-2012-02-03`, a child's date of birth, cannot be told from an id dated by its event);
 * - a date written together (`JS03021970`, `SMITH19700203`): eight digits together beside letters are as often a
 *   system's number (`REF10121999`), and 8 in 10,000 eight-digit numbers read as such a date (measured);
 * - a two-digit year (`Smith_John_030270`): six digits are as often a zero-padded sequence (`EV-010190`) or a date
 *   written year first (`R191231-0001`), and 2.7% of six-digit numbers read as a day, a month and a year 27 to 99.
 */
const OLD_YEAR = '(?:19\\d{2}|200\\d)';
/**
 * sec33: a day as an ordinal (`3rd`, `1ST`), and `of` after it (`3rd of February 1970`); a month's name written first
 * (`February 3, 1970`, `Feb-03-1970`, SQL Server's `Feb  3 1970`) or after a year (`1970-Feb-03`). A month written first
 * or after the year is one of the twelve names as written (`Jan`, `January`, `Sept`...), not after a letter: a word that
 * holds one (`Summary-3-1999`, `Decision-12-2005`: a word and a sequence) is not read as a month.
 */
const ORDINAL = `(?:${['st', 'nd', 'rd', 'th'].map(anyCase).join('|')})?`;
const OLD_DAY = `${DAY}${ORDINAL}`;
const OF = `(?:[^A-Za-z0-9]{1,3}${anyCase('of')})?`;
const MONTH_WORD = `(?<![A-Za-z])(?:${['jan(?:uary)?', 'feb(?:ruary)?', 'mar(?:ch)?', 'apr(?:il)?', 'may', 'june?', 'july?', 'aug(?:ust)?', 'sep(?:t(?:ember)?)?', 'oct(?:ober)?', 'nov(?:ember)?', 'dec(?:ember)?'].map(anyCase).join('|')})`;
const OLD_DATE = `(?<!\\d)(?:${[
  `${OLD_YEAR}${DATE_SEP}${MONTH}${DATE_SEP}${DAY}`,
  `${DAY}${DATE_SEP}${MONTH}${DATE_SEP}${OLD_YEAR}`,
  `${OLD_DAY}${OF}[^A-Za-z0-9]{0,3}${MONTH_NAME}[^A-Za-z0-9]{0,3}${OLD_YEAR}`,
  `${MONTH_WORD}[^A-Za-z0-9]{0,3}${OLD_DAY}${DATE_SEP}${OLD_YEAR}`,
  `${OLD_YEAR}${DATE_SEP}${MONTH_WORD}${DATE_SEP}${OLD_DAY}`,
].join('|')})(?!\\d)`;
/**
 * sec34: an old date with its month first, as US systems write one (`12/25/1970`, `12-25-1970`: a day over 12 was
 * left), read alone (OLD_DATE_ALONE) and after a letter (`Smith-12-25-1970`), not before one: ids of a date and a
 * sequence and a letter (`M18570_19-06-26.1969A`: the sequence a year 1900-2009 after a date, and a suffix) hold one
 * by chance, and so read 14 in 200,000 of the bench's mixed ODS code, date and sequence ids were newly refused.
 */
const MONTH_FIRST_DATE = `(?<!\\d)${MONTH}${DATE_SEP}${DAY}${DATE_SEP}${OLD_YEAR}(?!\\d)`;
const NAME_AND_DATE = new RegExp(
  `[A-Za-z][^A-Za-z0-9]{0,3}(?:${OLD_DATE}|${MONTH_FIRST_DATE})|${OLD_DATE}[^A-Za-z0-9]{0,3}(?!T\\d)[A-Za-z]`,
);
/**
 * Midnight as systems write a date's time (review 35, R35-2): `00:00`, with seconds and up to nine zero fraction digits
 * (SQL Server's datetime2 has seven, `00:00:00.0000000`), a 12-hour clock's `12:00:00 AM` (.NET's default), and a zone:
 * `Z` or an offset (`+00:00`, `+01:00` in summer time, `-00:00`, `+0000`). Noon, PM and any second past are a time of
 * day (a system's), not read.
 */
const MIDNIGHT_FRACTION = '(?::00(?:[.,:]0{1,9})?)?';
const MIDNIGHT = `[T ](?:00:00${MIDNIGHT_FRACTION}|12:00${MIDNIGHT_FRACTION}\\s?[Aa][Mm])(?:Z|[+-]\\d{2}(?::?\\d{2})?)?`;
/**
 * An old date (as above: 1900 to 2009, a four-digit year) that is the whole text, or a spreadsheet's date written as a
 * timestamp at midnight (MIDNIGHT: `1970-02-03T00:00:00`, `03/02/1970 00:00`, `1970-02-03T00:00:00+01:00`). Not read
 * alone before sec32, on the ground that an event date out of range is the contract's to reject row by row; but event_id, referral_id, provider_id and
 * retracts_event_id take any 1-64 characters of `A-Z a-z 0-9 . _ : -`, so `1970-02-03` or `03.02.1970` there (a date
 * of birth mapped into an id's column) reached curated Parquet. No field of the contract holds a date before 2019
 * (occurred_on and recorded_at are refused before it; snapshot_month has no day), so a file with such a date in any
 * cell is refused whole as holding a date of birth: an occurred_on mistyped as 2009 is refused with the rest of its file
 * (the receipt names its row and column) rather than its row alone. A timestamp at a time of day
 * (`2005-05-01T10:00:00Z`, a system's) and a date with anything else in the cell (`1970-02-03-0001`, a sequence) are
 * not read so; nor are eight digits together (`19700203`: a system's number as often) or a two-digit year (above).
 */
/** A weekday's name before a date (`Tuesday, 3 February 1970`: a long date as Excel and Windows write it). */
const WEEKDAY = `(?:${['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map(anyCase).join('|')})[A-Za-z]{0,6}[^A-Za-z0-9]{1,3}`;
const OLD_DATE_ALONE = new RegExp(`^\\s*(?:${WEEKDAY})?(?:${OLD_DATE}|${MONTH_FIRST_DATE})(?:${MIDNIGHT})?\\s*$`);
/**
 * sec34: a date with a two-digit year alone (`03/02/70`, `3/2/70`, `02/13/70`, `03-02-70`, `03.02.85`, perhaps at
 * midnight), day or month first, a year 31 to 99 or 00 to 09 (1931 to 2009 as a date of birth is read; 19 to 30 are the
 * contract's event years, 2019 on, and 10 to 18 the decade left for a backfill, as for a four-digit year). No field of
 * the contract holds one: occurred_on is `YYYY-MM-DD`, and an id takes no `/`, so with slashes a day or a month of one
 * digit is read (a spreadsheet's d/m/yy); with an id's `-` or `.` the day and the month are two digits each, as a
 * system writes a date, so an id's small sequence numbers or a version (`3-2-70`, `3.2.70`) pass. The cost: an id that is
 * exactly three two-digit groups making such a date (`01-02-03`) is refused.
 */
const SHORT_YEAR = '(?:3[1-9]|[4-9]\\d|0\\d)';
const SHORT_DATE = [
  `${DAY}/${MONTH}/${SHORT_YEAR}`,
  `${MONTH}/${DAY}/${SHORT_YEAR}`,
  `${DAY_2}-${MONTH_2}-${SHORT_YEAR}`,
  `${MONTH_2}-${DAY_2}-${SHORT_YEAR}`,
  `${DAY_2}\\.${MONTH_2}\\.${SHORT_YEAR}`,
  `${MONTH_2}\\.${DAY_2}\\.${SHORT_YEAR}`,
  // The month named, the day first (`03-FEB-70`, Oracle's DD-MON-YY; `3 Feb 70`; `3rd-February-85`).
  `${OLD_DAY}[^A-Za-z0-9]{0,3}${MONTH_WORD}[^A-Za-z0-9]{0,3}${SHORT_YEAR}`,
].join('|');
const SHORT_DATE_ALONE = new RegExp(`^\\s*(?:${SHORT_DATE})(?:${MIDNIGHT})?\\s*$`);
/** The shortest text an old date alone is (`3/2/70`: six; `3Feb1970`, `1970-2-3`: eight). */
const OLD_DATE_ALONE_MIN = 6;
/** The fewest digits such a date has (`3 Feb 70`: three). */
const SHORT_DATE_MIN_DIGITS = 3;
/**
 * The longest text the rule reads: `Wednesday,   30th   of   September   1970 12:00:00.000000000 AM+00:00` is 70, 72
 * with a space either side.
 */
const OLD_DATE_ALONE_MAX = 80;
/**
 * Every year the rule reads is four digits standing apart from other digits, 19.. or 200.: a text without such a run
 * (a timestamp, `2026-01-19T19:30:00Z`; the demo's ids, `R202601-0.1`) is spared the expression. A plain expression
 * is cheaper here than a loop over the text's characters (measured with test/bench/guard.bench.ts).
 */
const OLD_YEAR_ALONE = /(?<!\d)(?:19\d{2}|200\d)(?!\d)/;
const hasOldYear = (value: string): boolean => OLD_YEAR_ALONE.test(value);
/** The fewest digits such a date has (`3-2-1970`, `3Feb1970`: five). */
const OLD_DATE_MIN_DIGITS = 5;
/** Every spelling of the words holds a b: a text without one is spared the expression. */
const hasLetterB = (value: string): boolean => value.includes('b') || value.includes('B');
/**
 * A title and a name: Mr, Mrs, Ms, Miss, Mx, Dr, Prof, Sir, Dame or Rev in any case, standing apart from other letters,
 * then one to three separators and a capitalised word with small letters in it, after up to three initials
 * (`Mr.John.Smith`, `Mrs_Smith`, `Dr-A-Patel`, `mr O'Brien`). The small letters are what tell a name from a code: an
 * organisation's or a unit's id written in capitals (`DR-UNIT-12`, `MS-CLINIC-3`, `REV-2026`) is left alone, and so
 * is, alas, a name written all in capitals (`MR-JOHN-SMITH`): in capitals it cannot be told from such a code.
 */
const TITLE = `(?:${['miss', 'mrs', 'mr', 'ms', 'mx', 'dr', 'prof', 'sir', 'dame', 'rev'].map(anyCase).join('|')})`;
const TITLE_AND_NAME = new RegExp(`(?<![A-Za-z])${TITLE}[^A-Za-z0-9]{1,3}(?:[A-Z][^A-Za-z0-9]{1,3}){0,3}[A-Z][a-z]`);
/**
 * An e-mail address written without its @ to get past the rule above (the contract's ids may not hold one):
 * `jsmith.at.nhs.net`, `j_smith_at_gmail_com`, `jsmith-AT-trust-nhs-uk`: a letter or digit, `at` between separators
 * (`.`, `_`, `-`, `:`, one to three), then one to four labels and a top-level domain people's addresses end in (nhs.net,
 * nhs.uk, gmail.com, co.uk and org.uk end in net, uk and com). The domain's labels are bounded (63 characters, as DNS
 * bounds them), so each match attempt costs at most a fixed number of steps.
 */
const TLD = `(?:${['com', 'net', 'org', 'uk', 'scot', 'wales', 'cymru', 'london', 'io', 'me', 'info', 'biz', 'edu', 'gov', 'ie', 'eu'].map(anyCase).join('|')})`;
const EMAIL_SEP = '[._:\\-]{1,3}';
/**
 * The ways people write an address out in text to keep it from robots: `at` and `dot` in brackets, `jsmith(at)nhs.net`,
 * `jsmith [at] nhs [dot] net`, or between spaces with `dot` between the labels, `jsmith at nhs dot net` (`at` between
 * spaces before a dotted domain is hasSpacedAtAddress's, below: `seen at st.marys.london` is a place). Each part is
 * bounded, as above.
 */
const BRACKETED = (word: string) => `\\s{0,3}[([{<]\\s{0,3}${anyCase(word)}\\s{0,3}[)\\]}>]\\s{0,3}`;
const SPACED_DOT = `\\s{1,3}${anyCase('dot')}\\s{1,3}`;
const LABEL_SEP = `(?:${EMAIL_SEP}|${BRACKETED('dot')}|${SPACED_DOT})`;
const EMAIL_WRITTEN_OUT = new RegExp(
  [
    `[A-Za-z0-9]${EMAIL_SEP}${anyCase('at')}${EMAIL_SEP}(?:[A-Za-z0-9]{1,63}${EMAIL_SEP}){1,4}${TLD}(?![A-Za-z0-9])`,
    `[A-Za-z0-9]${BRACKETED('at')}(?:[A-Za-z0-9]{1,63}${LABEL_SEP}){1,4}${TLD}(?![A-Za-z0-9])`,
    `[A-Za-z0-9]\\s{1,3}${anyCase('at')}\\s{1,3}(?:[A-Za-z0-9]{1,63}(?:${BRACKETED('dot')}|${SPACED_DOT})){1,4}${TLD}(?![A-Za-z0-9])`,
  ].join('|'),
);
/**
 * An address written with `at` between spaces and its domain's dots kept, `jane.doe at nhs.net` (sec30's note on review
 * 30's R30-4): read where the word before `at` is shaped as an address's local part, not as a word of a sentence, and
 * what follows is shaped as a domain. The local part is letters and digits, starting with a letter, in labels joined by
 * dots or underscores that each start with a letter (`jane.doe`, `j_smith`), or one label of letters and then digits
 * (`jsmith85`); a plain word (`seen at st.marys.london`, `information at mind.org.uk`) is read only before a mailbox
 * provider's domain (MAILBOX_DOMAINS: `jane at gmail.com`), where no sentence has a reason to put it. The domain is one
 * to four labels and a top-level domain as above, not a website's (`www.`), and not followed by a path, another label
 * or an @ (`nhs.uk/conditions`). A hyphen ends the word before `at` (`follow-up at ageuk.org.uk` is a plain word).
 */
const SPACED_AT = /\s{1,3}[aA][tT]\s{1,3}/g;
const DOMAIN_AFTER_AT = new RegExp(
  `(?![wW]{3}\\.)((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.){1,4}${TLD})(?![A-Za-z0-9@/-]|\\.[A-Za-z0-9])`,
  'y',
);
const LOCAL_PART = /^[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z][A-Za-z0-9]*)*$/;
const LOCAL_PART_ADDRESS_LIKE = /[._]|^[A-Za-z]{2,}\d+$/;
/** The longest local part an address may have (RFC 5321's 64 octets). */
const LOCAL_PART_MAX = 64;
/**
 * Domains whose addresses are people's mailboxes and that name nothing else a sentence would put after `at`: NHSmail
 * (and a trust's subdomain of it), and the webmail and internet providers UK patients' addresses are most often at.
 */
const MAILBOX_DOMAINS = new Set([
  'nhs.net',
  'gmail.com',
  'googlemail.com',
  'hotmail.com',
  'hotmail.co.uk',
  'outlook.com',
  'live.com',
  'live.co.uk',
  'msn.com',
  'yahoo.com',
  'yahoo.co.uk',
  'ymail.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'aol.co.uk',
  'btinternet.com',
  'sky.com',
  'virginmedia.com',
  'blueyonder.co.uk',
  'ntlworld.com',
  'talktalk.net',
  'tiscali.co.uk',
  'protonmail.com',
  'proton.me',
  'gmx.com',
  'gmx.co.uk',
]);
const isMailboxDomain = (domain: string): boolean => {
  const lower = domain.toLowerCase();
  return MAILBOX_DOMAINS.has(lower) || lower.endsWith('.nhs.net');
};
/** Whether the text holds an address written with `at` between spaces (above). */
function hasSpacedAtAddress(value: string): boolean {
  SPACED_AT.lastIndex = 0;
  for (let match = SPACED_AT.exec(value); match !== null; match = SPACED_AT.exec(value)) {
    DOMAIN_AFTER_AT.lastIndex = match.index + match[0].length;
    const domain = DOMAIN_AFTER_AT.exec(value);
    if (domain === null) continue;
    const end = match.index;
    let start = end;
    while (start > 0 && end - start <= LOCAL_PART_MAX) {
      const code = value.charCodeAt(start - 1);
      const lower = code | 32;
      if ((lower >= 97 && lower <= 122) || (code >= 48 && code <= 57) || code === 46 || code === 95) start--;
      else break;
    }
    const local = value.slice(start, end);
    if (local.length > LOCAL_PART_MAX || !LOCAL_PART.test(local)) continue;
    if (LOCAL_PART_ADDRESS_LIKE.test(local) || isMailboxDomain(domain[1] as string)) return true;
  }
  return false;
}
/**
 * sec34: an address at a mailbox provider with its @ written as a dot or an underscore (`jane.doe.nhs.net`,
 * `janedoe85.gmail.com`, `jane_doe.hotmail.co.uk`: sec33's red-team pass got the first into curated Parquet, as the
 * contract's ids take `.` and `_`). A domain's shape as much as an address's, so read only before a mailbox provider's
 * domain (MAILBOX_DOMAINS, exactly: a trust's `nhs.uk` site, a charity's `mind.org.uk` are hosts' too), standing apart
 * (no id character before the local part; no label after the domain), and for NHSmail, whose addresses are
 * `first.last` and whose hosts one label (`portal.nhs.net`), with two labels or more before it; before another
 * provider's, any local part but a host's name (`www`, `mail`...). Each label is bounded, as above.
 */
const MAILBOX_DOMAIN_PATTERN = [...MAILBOX_DOMAINS]
  .sort((a, b) => b.length - a.length)
  .map(anyCase)
  .join('|');
const EMAIL_AT_AS_DOT = new RegExp(
  `(?<![A-Za-z0-9._-])([A-Za-z][A-Za-z0-9]{0,62}(?:[._-][A-Za-z0-9]{1,63}){0,7})[._](${MAILBOX_DOMAIN_PATTERN})(?![A-Za-z0-9]|[._-][A-Za-z0-9])`,
  'g',
);
/** Hosts' names under a mailbox provider's domain, not a local part. */
const MAILBOX_HOSTS = new Set(['www', 'mail', 'smtp', 'imap', 'pop', 'pop3', 'm', 'login', 'accounts', 'webmail']);
/** The fewest letters such an address has (`jd.nhs.net`: eight). */
const EMAIL_AT_AS_DOT_MIN_LETTERS = 8;
/** Whether the text holds an address with its @ written as a dot (above). */
function hasEmailAtAsDot(value: string): boolean {
  EMAIL_AT_AS_DOT.lastIndex = 0;
  for (let match = EMAIL_AT_AS_DOT.exec(value); match !== null; match = EMAIL_AT_AS_DOT.exec(value)) {
    const local = match[1] as string;
    const labels = /[._-]/.test(local);
    if ((match[2] as string).toLowerCase() === 'nhs.net' ? labels : labels || !MAILBOX_HOSTS.has(local.toLowerCase()))
      return true;
    EMAIL_AT_AS_DOT.lastIndex = match.index + 1;
  }
  return false;
}
/**
 * sec34: an initial (or up to three), a surname and a year of birth from 1900 to 2009 (`N.Smith.1970`,
 * `J. R. Smith-Jones 1970`: sec33's red-team pass got the first into curated Parquet), each initial followed by a dot or
 * a space. Not read (R37-2): the surname first (`Smith.N.1970`) and initials after `-`, `_` or `:` (`N-Smith-1985`):
 * that is the shape of an id's word, batch letter and counter (`Contact-A-1999`, `E-Visit-1950`, `Upload_A_1950`).
 * The initial is one capital standing apart, the surname a capital and small letters (as TITLE_AND_NAME reads a name:
 * a code is written in capitals, `N.SMITH.1970` passes), the year four digits standing apart. No field of the contract
 * is dated before 2019 (the years to 2009 leave a decade for a backfill's ids, as NAME_AND_DATE's); an initial and a
 * word alone (`J.Smith`) or a word and a year (`Smith.1970`, `Summary-1999`) cannot be told from an id's parts.
 */
const SURNAME = "[A-Z][a-z]{1,40}(?:['-][A-Z][a-z]{1,40})?";
const INITIAL_SEP = '[^A-Za-z0-9]{1,3}';
/** After an initial only a dot or a space, as names are written (R37-2: `-`, `_`, `:` are between an id's fields). */
const AFTER_INITIAL = '[. ]{1,3}';
const INITIAL_NAME_AND_YEAR = new RegExp(
  `(?<![A-Za-z0-9])(?:[A-Z]${AFTER_INITIAL}){1,3}${SURNAME}${INITIAL_SEP}${OLD_YEAR}(?!\\d)`,
);
/** ...which has `at` between separators, brackets or spaces: a text without one is spared the expression. */
const AT_WORD = /[._:\-\s()[\]{}<>][aA][tT][._:\-\s()[\]{}<>]/;
/** The fewest letters a title and a name (`Mr.Jo`) or an address written out (`j.at.x.uk`, `j(at)x.uk`) can have. */
const WORDS_MIN_LETTERS = 4;
/** The fewest digits a date can have (`3/2/70`). */
const DATE_MIN_DIGITS = 4;

/**
 * What one pass over a text finds: its digits, any non-ASCII character, whether it is hexadecimal digits only, its
 * letters (A-Z, a-z), and the most digits in one stretch without a letter (`numberDigits`) and without a letter or a
 * colon (`telephoneDigits`).
 */
interface Shape {
  digits: number;
  plain: boolean;
  hex: boolean;
  letters: number;
  numberDigits: number;
  telephoneDigits: number;
  /** Whether a capital is followed directly by a small letter somewhere (as a name is written: `Smith`). */
  capitalised: boolean;
}

function shapeOf(value: string): Shape {
  let digits = 0;
  let plain = true;
  let hex = true;
  let letters = 0;
  let stretch = 0;
  let numberDigits = 0;
  let telephoneStretch = 0;
  let telephoneDigits = 0;
  let capitalised = false;
  let afterCapital = false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      digits++;
      if (++stretch > numberDigits) numberDigits = stretch;
      if (++telephoneStretch > telephoneDigits) telephoneDigits = telephoneStretch;
      afterCapital = false;
      continue;
    }
    const lower = code | 32;
    if (lower >= 97 && lower <= 122) {
      letters++;
      if (afterCapital && code >= 97) capitalised = true;
      afterCapital = code <= 90;
      stretch = 0;
      telephoneStretch = 0;
      if (lower > 102) hex = false;
    } else {
      hex = false;
      afterCapital = false;
      if (code === 58) telephoneStretch = 0;
    }
    if (code > 126 || (code < 32 && code !== 9)) plain = false;
  }
  return { digits, plain, hex, letters, numberDigits, telephoneDigits, capitalised };
}

/**
 * A pseudonym as the uploader writes person_id: 64 hexadecimal digits and nothing else, a letter among them. None of
 * the rules below can find anything in one: there is no @ for an e-mail address; an NHS number, a telephone number and
 * a postcode must stand alone (no letter or digit either side), so in a text of letters and digits only they would
 * have to be the whole text, and none is 64 characters long with a letter in it (an NHS number or a telephone number
 * of 64 characters is digits only: zeros, then the number; a postcode is at most 8); and numbers beside letters are not
 * looked for in a pseudonym. Saying so at once spares three regular expressions a row; the guard's tests check the
 * answer against identifierByRules on generated texts.
 */
const PSEUDONYM_LENGTH = 64;
/** The same, told by one regular expression before the text's shape is worked out: a row's person_id, at half the cost. */
const HEX_PSEUDONYM = /^(?!0{20})(?=\d*[a-fA-F])[0-9a-fA-F]{64}$/;
/** A postcode has at least three letters (one or two before its digits, two after): a text with fewer holds none. */
const POSTCODE_MIN_LETTERS = 3;
/**
 * An NHS number's ten digits are written without a letter between them, and a telephone number's ten or more without a
 * letter or a colon (its separators): a text whose stretches hold fewer (a timestamp, `2026-01-02T12:00:00Z`: 8 and 2;
 * an id, `R202601-0.1`) holds neither, and its four regular expressions are spared.
 */
const NUMBER_MIN_DIGITS = 10;

/** A decimal digit of any script but ASCII's. */
const OTHER_DIGIT = /(?![0-9])\p{Nd}/gu;
const DIGIT = /\p{Nd}/u;

/**
 * Each decimal digit of another script as its ASCII digit. Unicode encodes every set of decimal digits as 0 to 9 in
 * ten contiguous code points (Unicode Standard, section 4.6 Numeric Value: "encoded in a contiguous range, with
 * ascending numeric values"), so a digit's value is its distance from the start of its run of digits, modulo 10.
 */
function asciiDigits(text: string): string {
  return text.replace(OTHER_DIGIT, (digit) => {
    const code = digit.codePointAt(0) as number;
    let start = code;
    while (DIGIT.test(String.fromCodePoint(start - 1))) start--;
    return String((code - start) % 10);
  });
}

/**
 * Characters that show nothing (Unicode's format characters: a zero-width space, joiner or non-joiner, a word joiner,
 * a soft hyphen, a byte order mark, direction marks) between two digits or two letters: a number with one between its
 * digits (`9434\u200b765919`) reads as the number to anyone who sees it, so the rules read it without them. Elsewhere
 * one stays a separator, as before: a number after one stands apart from the letters before it (`NHS\u200b0101901232`,
 * a CHI number, is read standing alone; without the character it would be beside letters).
 */
// Combining marks (an acute accent, the combining grapheme joiner, a variation selector, a keycap's enclosing mark) and
// blank-looking fillers (the Hangul fillers, the Braille blank) show no character of their own beside a digit either,
// and are read as such (review 30, R30-4: `9434\u0301765919` and keycap digits passed).
const INVISIBLE = /[\p{Cf}\p{Mn}\p{Me}\u115f\u1160\u3164\uffa0\u2800]+/uy;
/**
 * Dashes (and the minus sign) and spaces of other scripts and typesetting as their ASCII forms (NFKC keeps an en dash,
 * `94–34–76–59–19`, and turns most spaces but not all into U+0020), and dots written as a middle dot or a bullet as a
 * full stop, so the readings that need one separator throughout (an NHS number in any grouping) read them as they read
 * `-`, ` ` or `.`.
 */
const OTHER_DASH = /[\p{Pd}\u2212]/uy;
const OTHER_SPACE = /\p{Zs}/uy;
const OTHER_DOT = new Set([0xb7, 0x2022, 0x2027, 0x2219, 0x30fb, 0xff65]);

/** Whether the character code is an ASCII digit or letter, and which (digits 1, letters 2, others 0). */
function asciiKind(code: number): number {
  if (code >= 48 && code <= 57) return 1;
  const lower = code | 32;
  return lower >= 97 && lower <= 122 ? 2 : 0;
}

/** The text of UTF-16 code units out[0, length), in slices (an argument list has a limit). */
function textOf(out: Uint16Array, length: number): string {
  let text = '';
  for (let at = 0; at < length; at += 8192) {
    text += String.fromCharCode(...out.subarray(at, Math.min(length, at + 8192)));
  }
  return text;
}

/**
 * A text that is not plain ASCII as the rules read it (above): one pass writing code units into a buffer, each class
 * matched where the character stands (sticky expressions: nothing cut out of the text to test). Global replacements
 * were tried first, and a text built a character at a time: both cost time growing faster than the text (a 64 KB text
 * of digits and en dashes 27 ms against 1 for ASCII's: the guard's bench).
 */
function asPlain(text: string): string {
  const value = asciiDigits(text.normalize('NFKC'));
  const out = new Uint16Array(value.length);
  let length = 0;
  let i = 0;
  while (i < value.length) {
    const unit = value.charCodeAt(i);
    if (unit < 128) {
      out[length++] = unit;
      i++;
      continue;
    }
    INVISIBLE.lastIndex = i;
    if (INVISIBLE.test(value)) {
      // A run of them: left out between two digits or two letters, kept (a separator) elsewhere.
      const end = INVISIBLE.lastIndex;
      const before = length > 0 ? asciiKind(out[length - 1] as number) : 0;
      if (before === 0 || before !== asciiKind(value.charCodeAt(end))) {
        for (let k = i; k < end; k++) out[length++] = value.charCodeAt(k);
      }
      i = end;
      continue;
    }
    OTHER_DASH.lastIndex = i;
    OTHER_SPACE.lastIndex = i;
    if (OTHER_DASH.test(value)) out[length++] = 45;
    else if (OTHER_SPACE.test(value)) out[length++] = 32;
    else if (OTHER_DOT.has(unit)) out[length++] = 46;
    else out[length++] = unit; // a surrogate's halves are copied one at a time
    i++;
  }
  return textOf(out, length);
}

/**
 * Words written into ids: a date of birth, a title and a name, an e-mail address without its @ (a red-team review got
 * `DOB:1970-02-03`, `Mr.John.Smith` and `jsmith.at.nhs.net` through as event_ids). The shortcuts (too few letters, no
 * b, no `at` between separators, no capital with a small letter after it) spare texts that cannot hold them.
 */
function wordsIn(value: string, shape: Shape, shortcut: boolean): IdentifierKind | undefined {
  if (!shortcut || shape.letters >= WORDS_MIN_LETTERS) {
    if ((!shortcut || AT_WORD.test(value)) && (EMAIL_WRITTEN_OUT.test(value) || hasSpacedAtAddress(value)))
      return 'email';
    if ((!shortcut || shape.capitalised) && TITLE_AND_NAME.test(value)) return 'name';
    // The domain has a dot: the enum values on every row (`community_connection`) have none.
    if ((!shortcut || (shape.letters >= EMAIL_AT_AS_DOT_MIN_LETTERS && value.includes('.'))) && hasEmailAtAsDot(value))
      return 'email';
  }
  if (
    (!shortcut || (shape.capitalised && shape.digits >= DATE_MIN_DIGITS && hasOldYear(value))) &&
    INITIAL_NAME_AND_YEAR.test(value)
  ) {
    return 'name';
  }
  if (shape.digits >= DATE_MIN_DIGITS && (!shortcut || hasLetterB(value)) && DATE_OF_BIRTH.test(value)) {
    return 'date_of_birth';
  }
  return undefined;
}

/**
 * A colon between digit groups as the number rules read it: a separator, as a dot or a hyphen is, unless it is a
 * time's. The contract's ids are made of letters, digits and four separators (`.`, `_`, `:`, `-`), and a system that
 * joins fields with colons writes a number so (`PT:94:34:76:59:19`, `tel:07700:900:123`, `020:7946:0958`: review 7, M1
 * got them into curated Parquet while the same with dots were refused). The rules left colons out for timestamps; a
 * time's colons stay colons (the rules' guards against a time's seconds and fraction read them), every other colon is
 * written as this character, a separator of its own kind (an NHS number in one grouping needs one separator
 * throughout: `94:34:76:59:19`, not a date and a time).
 */
const COLON_AS_SEPARATOR = '\x1f';
const COLON = 58;
/** The end of the colon-linked groups of digits read last (timeAt), whether or not they are a time. */
let colonGroupsEnd = 0;

/** Whether value[.., at] (at: a digit) ends a date written with one separator: `2026-05-12`, `31/05/2026`, `31.05.26`. */
function endsWithDate(value: string, at: number): boolean {
  const groups: [number, number][] = [];
  let i = at;
  let separator = -1;
  while (groups.length < 3) {
    const groupEnd = i + 1;
    while (i >= 0 && isDigit(value, i)) i--;
    if (i + 1 === groupEnd) return false;
    groups.unshift([i + 1, groupEnd - i - 1]);
    if (groups.length === 3) break;
    const code = value.charCodeAt(i);
    if ((code !== 45 && code !== 47 && code !== 46) || (separator >= 0 && code !== separator)) return false;
    separator = code;
    i--;
  }
  const [[a, la], [b, lb], [c, lc]] = groups as [[number, number], [number, number], [number, number]];
  if (lb > 2 || !isMonth(numberAt(value, b, lb))) return false;
  if (la === 4) return lc <= 2 && isDay(numberAt(value, c, lc));
  return la <= 2 && (lc === 2 || lc === 4) && isDay(numberAt(value, a, la));
}

/**
 * Whether the colon at `at` is a time's: it links 2 or 3 groups of digits, an hour (1 or 2 digits, to 23) and minutes
 * and seconds (2 digits, to 59; 60 a leap second), after a T with no letter before it (`2026-05-12T09:30:05`), after a
 * space with a date before it (`31/05/2026 09:30`), or after a plus or minus that follows a time's seconds or fraction
 * (an offset, `...:05.123-05:00`). Sets colonGroupsEnd to where the linked groups end, so each is read once.
 */
function timeAt(value: string, at: number): boolean {
  let first = at;
  while (first > 0 && isDigit(value, first - 1)) first--;
  if (first === at || !isDigit(value, at + 1)) {
    colonGroupsEnd = at + 1;
    return false;
  }
  let groups = 0;
  let time = true;
  let i = first;
  for (;;) {
    const groupStart = i;
    while (i < value.length && isDigit(value, i)) i++;
    const length = i - groupStart;
    const n = numberAt(value, groupStart, Math.min(length, 3));
    time &&= groups === 0 ? length <= 2 && n <= 23 : length === 2 && n <= 60;
    groups++;
    if (value.charCodeAt(i) !== COLON || !isDigit(value, i + 1)) break;
    i++;
  }
  colonGroupsEnd = i;
  if (!time || groups > 3) return false;
  const before = value.charCodeAt(first - 1);
  if ((before === 84 || before === 116) && !isLetter(value, first - 2)) return true; // T, not a word's last letter
  if (before === 32 && isDigit(value, first - 2)) return endsWithDate(value, first - 2);
  if ((before === 43 || before === 45) && isDigit(value, first - 2)) {
    // An offset: the digits before it are a time's seconds (after a colon) or a fraction (after a dot).
    let k = first - 2;
    while (k >= 0 && isDigit(value, k)) k--;
    return value.charCodeAt(k) === COLON || value.charCodeAt(k) === 46;
  }
  return false;
}

/** The text with every colon that is not a time's written as COLON_AS_SEPARATOR (above); the text itself when none is. */
function colonsAsSeparators(value: string): string {
  let at = value.indexOf(':');
  if (at < 0) return value;
  let out = '';
  let from = 0;
  while (at >= 0) {
    // A colon between digits: the groups it links are a time or not, all their colons alike.
    const time = timeAt(value, at);
    const end = Math.max(colonGroupsEnd, at + 1);
    if (!time) {
      for (let k = at; k < end; k++) {
        if (value.charCodeAt(k) !== COLON) continue;
        out += value.slice(from, k) + COLON_AS_SEPARATOR;
        from = k + 1;
      }
    }
    at = value.indexOf(':', end);
  }
  return from === 0 ? value : out + value.slice(from);
}

/**
 * Whether ten digits standing alone are an NHS number or a CHI number: from 3 up, the modulus 11 check; below 3, a CHI
 * number (a DDMMYY date first, then the check). No NHS number starts 0 to 2: England, Wales and the Isle of Man issue
 * 400 000 000 0 to 499 999 999 9 and 600 000 000 0 to 799 999 999 9 (England 3xx too), Northern Ireland's Health and
 * Care numbers are 320 000 001 0 to 399 999 999 9, and CHI numbers 010 100 000 0 to 311 299 999 9 (Wikipedia, "NHS
 * number", "Format, number ranges, and check characters", https://en.wikipedia.org/wiki/NHS_number; NHS Digital's
 * Personal Demographics Service; Public Health Scotland, "CHI number"). 5xx, 8xx and 9xx are read too, as the rules
 * beside letters and in groups read "from 3 up": 999 is the test range, 943 476 5919 and 987 654 4321 the published
 * examples people try a form with, and ranges may be issued later. Review 8, N8: a Unix time in seconds (1735689600
 * to 1800000000 for 2025 to mid-January 2027, 17.. and 17/18 followed by no month) passed the check 1 time in 11 and
 * was refused as an NHS number (`1747279609-379`, `EV-1747279609-12`); it is no CHI number either. From 26 January
 * to 14 June 2027 Unix times (1801000000 to 1812999999) start with a date, the 18th of a month, and are read as CHI
 * numbers 1 time in 11 again: a system that numbers ids by the time should write it in milliseconds (13 digits: a
 * longer run is not read ten digits at a time).
 */
function isNumberInRange(digits: string): boolean {
  return digits.charCodeAt(0) >= 51 ? isValidNhsNumber(digits) : isChiNumber(digits);
}

/** An NHS, CHI or telephone number in a text with ten digits (the caller's shortcut): the rules above, in turn. */
function numberIn(value: string, shape: Shape, shortcut: boolean): IdentifierKind | undefined {
  NHS_NUMBER.lastIndex = 0;
  for (let match = NHS_NUMBER.exec(value); match !== null; match = NHS_NUMBER.exec(value)) {
    const [, padding, first, second, last] = match as unknown as [string, string, string, string, string];
    // Zeros before a number are padding before ten digits that start 1 to 9, and never in a UUID that may be one.
    if (padding !== '' && (first[0] === '0' || (isUuidShape(value) && !ZEROS_FIRST.test(value)))) continue;
    const end = match.index + match[0].length;
    if (isNumberInRange(`${first}${second}${last}`) && !startsIdDate(value, end - 4)) return 'nhs_number';
  }
  const chance = chancePseudonym(value, shape);
  if (!chance) {
    const beside = NHS_NUMBER_BESIDE_LETTERS;
    beside.lastIndex = 0;
    for (let match = beside.exec(value); match !== null; match = beside.exec(value)) {
      const end = match.index + match[0].length;
      if (isValidNhsNumber(`${match[1]}${match[2]}${match[3]}`) && !startsIdDate(value, end - 4)) return 'nhs_number';
    }
    if (hasGroupedNhsNumber(value)) return 'nhs_number';
  }
  if (!shortcut || shape.telephoneDigits >= NUMBER_MIN_DIGITS) {
    if (hasTelephone(value, chance)) return 'telephone';
    // Every spelling the rule reads holds 07 or 44 (`07700…`, `447700…`, `+44 (0) 7700…`): a text without either (the
    // SNOMED codes on every row, most ids) is spared the expression.
    if (!chance && (value.includes('07') || value.includes('44')) && hasMobile(value)) return 'telephone';
    // A mobile in small groups has a 7 (`0-7-7..`, `44-7..`): a text without one is spared the scan.
    if (!chance && value.includes('7') && hasMobileRun(value)) return 'telephone';
    // Every landline the rule reads holds 01, 02 (`0161..`, `020..`) or 44 (`+44 20..`), and a letter beside it that is
    // not a hex digit's or a text's other than hex digits (above).
    if (
      !chance &&
      shape.letters > 0 &&
      (value.includes('01') || value.includes('02') || value.includes('44')) &&
      !shape.hex &&
      hasLandlineBesideLetters(value)
    ) {
      return 'telephone';
    }
  }
  return undefined;
}

/**
 * A number written in a spreadsheet's thousands format: one to three digits, then groups of three after a comma or an
 * apostrophe (straight or curly), the same throughout, at least three groups (a billion up: a ten-digit number), not
 * part of a longer such run (review 30, R30-2: `9,434,765,919` and `7,700,900,123`, Excel's "Use 1000 Separator").
 */
const THOUSANDS = /(?<![\d,'\u2019])\d{1,3}([,'\u2019])\d{3}(?:\1\d{3}){2,}(?![\d,'\u2019])/g;
/** The text with the separators of every number in thousands format (above) left out; the text itself when none is. */
function withoutThousands(value: string): string {
  if (!value.includes(',') && !value.includes("'") && !value.includes('\u2019')) return value;
  return value.replace(THOUSANDS, (match) => match.replace(/[,'\u2019]/g, ''));
}

/**
 * A whole number in scientific notation as a spreadsheet writes a long one (Excel's Scientific format, or General in a
 * narrow column: `7.700900123E+09`, `4.47700900123E+11`; red-team sec32: a mobile whose 0 was dropped, or +44 and a
 * mobile, so written passed, and `E`, `.` and digits are an id's characters): one digit, a point, seven or more
 * digits, E or e, an optional + and an exponent of one or two digits no smaller than the digits after the point and at
 * most two larger (a number ending in zeros drops them: `9.43476591E+09` is 9434765910). Fewer digits after the point
 * (`7.7009E+09`) are a rounded number, no one's. An NHS number so written was already refused (its digits are ten in
 * one stretch); a number read through this rule is refused by the same rules as written out.
 */
const EXPONENT = /(?<![\d.])(\d)\.(\d{7,14})[eE]\+?(\d{1,2})(?!\d)/g;
/** The fewest digits such a number is written with: one, and seven after the point. */
const EXPONENT_MIN_DIGITS = 8;
/** The most zeros a number in scientific notation may have dropped at its end (above). */
const EXPONENT_DROPPED_ZEROS = 2;
/** The text with every whole number in scientific notation (above) written out as its digits; the text itself when none is. */
function withoutExponents(value: string): string {
  if (!value.includes('e') && !value.includes('E')) return value;
  return value.replace(EXPONENT, (match, first: string, after: string, exponent: string) => {
    const zeros = Number(exponent) - after.length;
    return zeros >= 0 && zeros <= EXPONENT_DROPPED_ZEROS ? `${first}${after}${'0'.repeat(zeros)}` : match;
  });
}

/** A space, a double quote or a carriage return (the raw read's line of a CRLF file ends in one: `919\r`). */
const isCellEdge = (code: number): boolean => code === 32 || code === 34 || code === 13;

/**
 * How many ASCII digits a cell is, spaces, double quotes and carriage returns either side left out (a quoted part of a
 * line the raw read cut at its commas, `"9`; a CRLF line's last cell); 0 when it holds anything else. With `fraction`, the digits before a decimal point and
 * digits after it (`919.00`: a number format's decimals, the last group's).
 */
function digitCellLength(cell: string | undefined, fraction = false): number {
  if (cell === undefined) return 0;
  let start = 0;
  let end = cell.length;
  while (start < end && isCellEdge(cell.charCodeAt(start))) start++;
  while (end > start && isCellEdge(cell.charCodeAt(end - 1))) end--;
  for (let i = start; i < end; i++) {
    if (isDigit(cell, i)) continue;
    if (!fraction || cell.charCodeAt(i) !== 46 || i === start || i + 1 === end) return 0;
    for (let k = i + 1; k < end; k++) if (!isDigit(cell, k)) return 0;
    return i - start;
  }
  return end - start;
}

/** A cell's text with spaces, double quotes and carriage returns either side left out (digitCellLength's reading). */
function digitCellText(cell: string): string {
  return cell.replace(/^[ "\r]+|[ "\r]+$/g, '');
}

/** The pieces of a row's cells cut at their commas, and the cell each piece is in (identifierAcrossCells). */
const pieceTexts: string[] = [];
const pieceCells: number[] = [];

/**
 * A number the CSV reader cut into cells at its commas (sec30's note on review 30's R30-2): an NHS number or a mobile
 * in a spreadsheet's thousands format written unquoted (`9,434,765,919`, `7,700,900,123`) is four cells, `943,476,5919`
 * three, and no cell holds it; written partly quoted (`"9,434",765,919`: review 34) it is three cells, one of them
 * `9,434`. So every cell is read as its pieces between commas (a cell with no comma is one piece; the raw read's
 * `"9` is `9`), and consecutive pieces of digits in those shapes (one to three digits then three groups of
 * three; or three, three and four; the last group with a number format's decimals, `919.00`, as Excel's Number format
 * writes it) are read together, joined by commas, as findIdentifier reads a quoted cell: the NHS
 * number's check digit, the mobile's prefix. Only for a row with more cells than its header (a row of the right width
 * was not cut, and its cells are fields of their own: reading them together would refuse ids and counts side by side),
 * and for the raw read of a file refused before its rows are read. Returns the first run found, the cells it spans
 * counted from 0, and the kind (`find`'s: findIdentifier unless given); never the text.
 */
export function identifierAcrossCells<K extends string = IdentifierKind>(
  cells: readonly string[],
  find: (text: string) => K | undefined = findIdentifier as (text: string) => K | undefined,
): { first: number; last: number; kind: K } | undefined {
  // A row of cells without a comma (every row but one with a quoted comma) is its own pieces: no copy.
  let pieces = cells;
  let cellOf: ((piece: number) => number) | undefined;
  if (cells.some((cell) => cell.includes(','))) {
    pieceTexts.length = 0;
    pieceCells.length = 0;
    cells.forEach((cell, c) => {
      for (const piece of cell.split(',')) {
        pieceTexts.push(piece);
        pieceCells.push(c);
      }
    });
    pieces = pieceTexts;
    cellOf = (piece) => pieceCells[piece] as number;
  }
  for (let i = 0; i + 2 < pieces.length; i++) {
    const first = digitCellLength(pieces[i]);
    if (first === 0 || first > 3 || digitCellLength(pieces[i + 1]) !== 3) continue;
    const third = digitCellLength(pieces[i + 2], true);
    let last = -1;
    if (third === 3 && digitCellLength(pieces[i + 2]) === 3 && digitCellLength(pieces[i + 3], true) === 3) last = i + 3;
    else if (third === 4 && first === 3) last = i + 2;
    if (last === -1) continue;
    const kind = find(
      pieces
        .slice(i, last + 1)
        .map(digitCellText)
        .join(','),
    );
    if (kind !== undefined) return cellOf ? { first: cellOf(i), last: cellOf(last), kind } : { first: i, last, kind };
  }
  return undefined;
}

/** The kind of identifier a cell's text holds, if any. Cheap for the common case of short or digit-free cells. */
export function findIdentifier(text: string): IdentifierKind | undefined {
  return identifierIn(text, true);
}

/**
 * findIdentifier without its shortcuts (the pseudonym, too few letters for a postcode, too few digits together for a
 * number): every rule run on every text with ten digits (two, for a postcode), what the shortcuts are tested against.
 */
export function identifierByRules(text: string): IdentifierKind | undefined {
  return identifierIn(text, false);
}

function identifierIn(text: string, shortcut: boolean): IdentifierKind | undefined {
  if (text.length < 5) return undefined;
  if (text.length === PSEUDONYM_LENGTH && isPaddedNumber(text)) return paddedKind;
  if (shortcut && text.length === PSEUDONYM_LENGTH && HEX_PSEUDONYM.test(text)) return undefined;
  let value = text;
  let shape = shapeOf(text);
  // Compatibility forms as their plain letters and digits first: a no-break space, full-width digits (９４３); then
  // the digits of other scripts, which NFKC keeps (Arabic-Indic ٩٤٣, Devanagari ९४३), as ASCII digits; then invisible
  // characters inside a number or a word left out, and other dashes, spaces and dots as ASCII's.
  if (!shape.plain) {
    value = asPlain(text);
    shape = shapeOf(value);
  }
  // A hex pseudonym of any length has no separator, so no rule that reads only a number standing alone can find one in
  // it, nor any word written out (each needs a separator or a letter after f); the tests check this against every rule.
  if (shortcut && shape.hex && chancePseudonym(value, shape)) return undefined;
  if (value.includes('@') && EMAIL.test(value)) return 'email';
  // An @ percent-encoded, once or twice, as a mailto link or a URL writes it (`jane.doe%40nhs.net`: R30-4).
  if (value.includes('%') && /%(?:25)?40/i.test(value) && EMAIL.test(value.replace(/%(?:25)?40/gi, '@')))
    return 'email';
  const { digits } = shape;
  const words = wordsIn(value, shape, shortcut);
  if (words !== undefined) return words;
  if (digits === 0) return undefined;
  // Generated ids inside the text (a UUID or a 24/32/40/64-hex id with a prefix or a suffix) as one letter each.
  const masked = value.length > HEX_RUN_MIN_TEXT ? withoutChanceIds(value) : value;
  if (maskedBirthDate) return 'date_of_birth';
  const maskedShape = masked === value ? shape : shapeOf(masked);
  if (shortcut ? maskedShape.numberDigits >= NUMBER_MIN_DIGITS : maskedShape.digits >= NUMBER_MIN_DIGITS) {
    const number = numberInText(masked, maskedShape, shortcut);
    if (number !== undefined) return number;
  }
  if (
    digits >= NINO_DIGITS_COUNT &&
    (!shortcut || shape.letters >= NINO_MIN_LETTERS) &&
    NATIONAL_INSURANCE_NUMBER.test(value)
  ) {
    return 'national_insurance_number';
  }
  if (digits >= 2 && (!shortcut || shape.letters >= POSTCODE_MIN_LETTERS) && POSTCODE.test(value)) return 'postcode';
  // Last: a number or a postcode in the same text is named as what it is (`R-8 3 1901 0004` is an NHS number first).
  if (
    maskedShape.digits >= OLD_DATE_MIN_DIGITS &&
    maskedShape.letters > 0 &&
    (!shortcut || hasOldYear(masked)) &&
    // A pseudonym's or UUID's hex holds a month's name now and then (`3feb1970` is eight hex digits): chance, as for
    // a mobile's digits there (2 of 1,000,000 random UUIDs were refused without this); so inside a text (masked).
    !chancePseudonym(value, shape) &&
    NAME_AND_DATE.test(masked)
  ) {
    return 'date_of_birth';
  }
  if (value.length === UUID_LENGTH && uuidHoldsBirthDate(value, shape.letters === 0)) return 'date_of_birth';
  if (digits < SHORT_DATE_MIN_DIGITS) return undefined;
  const alone = formsAlone(value, masked, maskedShape, shortcut);
  // sec34's numbers with words (both need ten digits and two letters: most cells are spared the call).
  if (alone !== undefined || (shortcut && (maskedShape.digits < NHS_NUMBER_DIGITS || maskedShape.letters < 2)))
    return alone;
  return numberWithWordsIn(masked, maskedShape, shortcut);
}

/**
 * sec32's readings, last and apart (identifierIn's own code is kept as it was: V8 compiles it as before): an old date
 * alone (isOldDateAlone), and a number in scientific notation with fewer than ten digits written (a number ending in
 * zeros drops them, `7.7009001E9`; one with ten read among the numbers' rules, numberInText).
 */
function formsAlone(value: string, masked: string, maskedShape: Shape, shortcut: boolean): IdentifierKind | undefined {
  // A date starts with a digit (or a space) or a month's or a weekday's name (NAMED_STARTS): an id starting with other
  // letters is spared the date's reading.
  const first = value.charCodeAt(0);
  if ((first <= 57 || startsNamed(value, first)) && isOldDateAlone(value)) return 'date_of_birth';
  if (
    maskedShape.digits >= EXPONENT_MIN_DIGITS &&
    (shortcut ? maskedShape.numberDigits < NUMBER_MIN_DIGITS : maskedShape.digits < NUMBER_MIN_DIGITS) &&
    masked.includes('.')
  ) {
    const whole = withoutExponents(masked);
    if (whole !== masked) return numberIn(whole, shapeOf(whole), shortcut);
  }
  return undefined;
}

/** Whether value[from, to) is digits. */
function digitsAt(value: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isDigit(value, i)) return false;
  return true;
}
/**
 * sec34: an NHS (or CHI) number with one letter, the same both times, between its 3-3-4 groups, standing alone
 * (`943x476x5919`: sec33's red-team pass got it into curated Parquet). Two different letters (an id's fields,
 * `943x476y5919`) or a letter glued before it (an id's prefix, `EV943x476x5919`) are left, and the check digit (or a CHI
 * number's date) decides, as for ten digits standing alone: ids of this exact shape are rare, and 1 in 11 of them
 * passes the check. Since review 37's R37-6 the letter may have 0 to LETTER_SEPARATORS separators on each side
 * (`943-x-476-x-5919`). A loop over the text's characters from each lone letter (a timestamp's T and Z, on every row,
 * start past the date and hour).
 */
function hasLetteredNhsNumber(value: string): boolean {
  // A timestamp's start, `2026-01-02T12:`, on every row: no three digits stand together before its 14th character but
  // the year's, and a letter follows them only past its hour, so a number's first letter is at 17 or after.
  const iso =
    value.charCodeAt(4) === 45 &&
    value.charCodeAt(7) === 45 &&
    value.charCodeAt(10) === 84 &&
    value.charCodeAt(13) === 58;
  for (let i = iso ? 17 : 3; i + 8 < value.length; i++) {
    // A letter standing apart from other letters, with a digit or a separator each side.
    if (!isLetter(value, i) || isLetter(value, i - 1) || isLetter(value, i + 1)) continue;
    const code = value.charCodeAt(i);
    const before = skipSeparators(value, i - 1, -1);
    const start = before - 2;
    if (before < 2 || !digitsAt(value, start, before + 1)) continue;
    if (isDigit(value, start - 1) || isLetter(value, start - 1)) continue;
    const second = skipSeparators(value, i + 1, 1);
    if (!digitsAt(value, second, second + 3)) continue;
    const letter = skipSeparators(value, second + 3, 1);
    if (value.charCodeAt(letter) !== code) continue;
    const last = skipSeparators(value, letter + 1, 1);
    const end = last + 4;
    if (end > value.length || !digitsAt(value, last, end) || isDigit(value, end) || isLetter(value, end)) continue;
    if (isNumberInRange(`${value.slice(start, start + 3)}${value.slice(second, second + 3)}${value.slice(last, end)}`))
      return true;
  }
  return false;
}
/** The most separators read each side of the letter in a lettered NHS number (R37-6: `943-x-476-x-5919`). */
const LETTER_SEPARATORS = 3;
/**
 * From `from`, stepping by `step`, past up to LETTER_SEPARATORS characters that are neither letters nor digits: where
 * the next letter or digit is, or a place with none (past the text's end, or past too many separators).
 */
function skipSeparators(value: string, from: number, step: 1 | -1): number {
  let at = from;
  for (let n = 0; n <= LETTER_SEPARATORS; n++, at += step) {
    if (at < 0 || at >= value.length || isDigit(value, at) || isLetter(value, at)) return at;
  }
  return -1;
}
/**
 * sec34: a UK number without its 0 after a word that says telephone (`tel.7700.900.123`, `phone-20-7946-0958`,
 * `Mobile: 7700 900123`, `telno7700900123`: sec33's pass got the first into curated Parquet; standing alone a bare
 * mobile's 7 and nine digits together is read, TELEPHONE, but a landline's ten digits from 1 or 2 are any numeric id's
 * 1 time in 5). The word (tel, telephone, phone, mob, mobile, cell, cellphone, landline, and no, num, number or nr
 * after it) stands apart from other letters; then 0 to 3 separators and ten digits, grouped as people write a number
 * (groupedAsWritten), from an area code 11-19, 20 and 03-08 (London's 020 3.. to 020 8..), 23, 24, 28, 29 (Ofcom: no
 * number starts 021, 022 or 025-027; review 37 saw `Telephone_2656.602614`, a word and two numbers), or a mobile's 71-75,
 * 77-79; not beside another digit. A landline is read only in groups (`20-7946-0958`, `161 496 0000`), a mobile in
 * groups or together (R37-1: ten digits together from 1 or 2 after the word are a telephone contact's id with a Unix
 * time in seconds, `telephone-1767225600`, every second from Nov 2023 to Feb 2027 starts 17, or a counter,
 * `tel.2345678901`; `tel 2079460958` passes for it). Not read: digits that start or end with a date of an id's years written together
 * (`TEL-2026051234`, a telephone contact's event id, a date and a sequence: isIdDate8, isIdDate6), and counters
 * (`TEL-0000000123`, `TEL-2000000001`: no area code starts so).
 */
const PHONE_WORD = `${WORD_START}(?:${['telephone', 'tel', 'phone', 'mobile', 'mob', 'cellphone', 'cell', 'landline'].map(anyCase).join('|')})(?:[^A-Za-z0-9]{0,3}(?:${['number', 'num', 'no', 'nr'].map(anyCase).join('|')}))?`;
const PHONE_WORD_NUMBER = new RegExp(
  `${PHONE_WORD}[^A-Za-z0-9+]{0,3}((?:1[1-9]|2[03489]|7[1-57-9])(?:[^A-Za-z0-9+]{0,${MAX_SEPARATOR_RUN}}\\d){8})(?!\\d)`,
  'g',
);
/** The digits a number without its 0 has (a mobile's 7 and nine, an area code's and the rest). */
const NUMBER_WITHOUT_ZERO_DIGITS = 10;
/** The fewest letters a word that says telephone has (`tel`, `mob`). */
const PHONE_WORD_MIN_LETTERS = 3;

/** Whether the text holds a number without its 0 after a word that says telephone (above). */
function hasNumberAfterPhoneWord(value: string): boolean {
  PHONE_WORD_NUMBER.lastIndex = 0;
  for (let match = PHONE_WORD_NUMBER.exec(value); match !== null; match = PHONE_WORD_NUMBER.exec(value)) {
    const grouped = match[1] as string;
    let digits = '';
    for (let i = 0; i < grouped.length; i++) if (isDigit(grouped, i)) digits += grouped[i];
    if (
      digits.length === NUMBER_WITHOUT_ZERO_DIGITS &&
      !(digits.startsWith('20') && (digits.charCodeAt(2) < 51 || digits.charCodeAt(2) > 56)) &&
      // A landline's ten digits together are an id's Unix time or counter as often (R37-1): only a mobile's.
      (grouped.length > NUMBER_WITHOUT_ZERO_DIGITS || digits.charCodeAt(0) === 55) &&
      groupedAsWritten(grouped) &&
      !(isIdDate8(digits, 0) || isIdDate6(digits, 0) || isIdDate6(digits, 4) || isIdDate8(digits, 2))
    ) {
      return true;
    }
    PHONE_WORD_NUMBER.lastIndex = match.index + 1;
  }
  return false;
}

/** An NHS number with letters between its groups, or a number without its 0 after a word (above), in a text. */
function numberWithWordsIn(value: string, shape: Shape, shortcut: boolean): IdentifierKind | undefined {
  // Not in a pseudonym's shape: a UUID's last group is twelve hex digits, and 3-3-4 digits with one hex letter twice
  // there are chance (17 of 1,000,000 random UUIDs were refused before this). Asked first, so a UUID (an event_id in
  // many systems: ten digits and two letters nearly always) is spared both scans (R37-5); no word that says telephone
  // is hex letters only, so neither reading can find anything in a text of that shape.
  if ((shape.hex || value.length === UUID_LENGTH) && chancePseudonym(value, shape)) return undefined;
  if ((!shortcut || (shape.digits >= NHS_NUMBER_DIGITS && shape.letters >= 2)) && hasLetteredNhsNumber(value)) {
    return 'nhs_number';
  }
  if (
    (!shortcut || (shape.digits >= NUMBER_WITHOUT_ZERO_DIGITS && shape.letters >= PHONE_WORD_MIN_LETTERS)) &&
    hasNumberAfterPhoneWord(value)
  ) {
    return 'telephone';
  }
  return undefined;
}

/**
 * An old date alone (OLD_DATE_ALONE). On most cells with five digits (every row's dates and ids), so told by its first
 * characters before the expression: a year first starts 19 or 200; a day first is one or two digits and then no digit
 * (`03.02.1970`, `3feb1970`); a name first starts with a month's or a weekday's first three letters (NAMED_STARTS:
 * `Feb-03-1970`, `Tuesday, 3 February 1970`); a space first is read by the expression. An event date (`2026-01-01`) and
 * an id starting with other letters (`R202605-2565`, `EV-...`) are none of these.
 */
function isOldDateAlone(value: string): boolean {
  if (value.length > OLD_DATE_ALONE_MAX || value.length < OLD_DATE_ALONE_MIN) return false;
  const first = value.charCodeAt(0);
  if (first !== 32) {
    const second = value.charCodeAt(1);
    const third = value.charCodeAt(2);
    const yearFirst = (first === 49 && second === 57) || (first === 50 && second === 48 && third === 48);
    const dayFirst = first >= 48 && first <= 57 && !(second >= 48 && second <= 57 && third >= 48 && third <= 57);
    if (!yearFirst && !dayFirst && !startsNamed(value, first)) return false;
  }
  return OLD_DATE_ALONE.test(value) || SHORT_DATE_ALONE.test(value);
}

/** Whether a text starts with a month's or a weekday's first three letters, in any case. */
function startsNamed(value: string, first: number): boolean {
  // The first letter first: most ids start with another (`R202601-0.1`, `U00203`, `EV-...`).
  const letter = (first | 32) - 97;
  if (first < 65 || letter < 0 || letter > 25 || ((NAMED_FIRST_LETTERS >> letter) & 1) === 0) return false;
  // A character's code with 32 set is a small letter's only for a letter (65-90 and 97-122 give 97-122).
  return NAMED_STARTS.has(((first | 32) << 16) | ((value.charCodeAt(1) | 32) << 8) | (value.charCodeAt(2) | 32));
}

/** The first letters of the months' and weekdays' names (j, f, m, a, s, o, n, d; t, w), one bit each from a. */
const NAMED_FIRST_LETTERS = [...'jfmasondtw'].reduce((bits, letter) => bits | (1 << (letter.charCodeAt(0) - 97)), 0);
/** The first three letters of a month's or a weekday's name, small, as one number (isOldDateAlone's test). */
const NAMED_STARTS: ReadonlySet<number> = new Set(
  ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
    .concat(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])
    .map((name) => (name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2)),
);

/**
 * An NHS, CHI or telephone number in a text with ten digits in a stretch (identifierIn's; generated ids masked): as
 * written, then with a spreadsheet's thousands separators and scientific notation read as digits.
 */
function numberInText(masked: string, maskedShape: Shape, shortcut: boolean): IdentifierKind | undefined {
  // A colon that is no time's is a separator here (COLON_AS_SEPARATOR); the shape's stretches are the text's so read.
  const numbers = colonsAsSeparators(masked);
  const number = numberIn(numbers, numbers === masked ? maskedShape : shapeOf(numbers), shortcut);
  if (number !== undefined) return number;
  // A number in a spreadsheet's thousands format (`7,700,900,123`, a mobile whose 0 was dropped) read as its digits.
  const together = withoutThousands(numbers);
  if (together !== numbers) {
    const inThousands = numberIn(together, shapeOf(together), shortcut);
    if (inThousands !== undefined) return inThousands;
  }
  // A number in scientific notation (`7.700900123E+09`, a spreadsheet's long number) read as its digits.
  const whole = withoutExponents(together);
  if (whole !== together) {
    const inExponent = numberIn(whole, shapeOf(whole), shortcut);
    if (inExponent !== undefined) return inExponent;
  }
  return undefined;
}

/**
 * A UUID, or an id of 24, 32, 40 or 64 hex digits, inside a text (review 8, N4): with a prefix or a suffix
 * (`urn:uuid:<uuid>`, the RFC 4122 URN form FHIR and HL7 exports write; `<uuid>.1`, an event numbered from its
 * referral's id; `EV-<uuid>`, `R<uuid>`), it is as much chance as bare, but its digit groups were read as any other text:
 * about 1 in 300 such ids was refused as an NHS or telephone number (651 to 817 of 200,000 in each shape), and a file
 * of 1,000 such ids refused whole 96 to 98 times in 100. So a run of that shape standing apart from other hex digits
 * (a character that is not a hex digit, or the text's edge, either side) is read as one letter, `v` (no postcode,
 * National Insurance number or date's month starts with one beside a digit, and none can be beside one: a run ends at a
 * non-hex character) wherever it is: what is beside it is read as before (`9434765919-<uuid>`, `<uuid> 943 476 5919`
 * and `<uuid>_NHS9434765919` are refused), but not the digits inside it. The same exceptions as for a whole text
 * (chancePseudonym): a UUID's shape or a hex id starting with twenty zeros, and a hex id of hex letters glued to a
 * number at one end, or with no hex letter, are read as any other text; a hex id of any other length (16 included) is
 * read as any other text; a UUID's shape holding a date of birth (uuidHoldsBirthDate) is refused as in a whole text.
 * The whole text of that shape is read as before (chancePseudonym). A hex run glued to an NHS number
 * (`9434765919abcdef...`, 24 hex) passes inside a text as it does alone.
 */
const HEX_RUN =
  /(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|[0-9A-Fa-f]{24,64})(?![0-9A-Fa-f])/g;
/** The shortest text with a hex run inside it: 24 hex digits and one character more. */
const HEX_RUN_MIN_TEXT = 24;
/** The letter a generated id inside a text is read as (above). */
const MASK = 'v';
/** Whether the last withoutChanceIds found a UUID's shape holding a date of birth (uuidHoldsBirthDate). */
let maskedBirthDate = false;
/** Whether a run of 24 to 64 hex digits (or a UUID's shape) is a generated id's, chance inside it (above). */
function chanceRun(run: string): boolean {
  if (ZEROS_FIRST.test(run)) return false;
  if (run.length === UUID_LENGTH) return true;
  if (run.length !== PSEUDONYM_LENGTH && !HEX_ID_LENGTHS.has(run.length)) return false;
  if (!/[a-fA-F]/.test(run)) return false;
  return run.length === PSEUDONYM_LENGTH || !LETTERS_AND_NUMBER.test(run);
}
/** The text with each generated id inside it (above) as MASK; sets maskedBirthDate. */
function withoutChanceIds(value: string): string {
  maskedBirthDate = false;
  HEX_RUN.lastIndex = 0;
  let out = '';
  let from = 0;
  for (let match = HEX_RUN.exec(value); match !== null; match = HEX_RUN.exec(value)) {
    const run = match[0];
    if (run.length === value.length) break; // the whole text: chancePseudonym's
    if (run.length === UUID_LENGTH && uuidHoldsBirthDate(run, !/[a-fA-F]/.test(run))) {
      maskedBirthDate = true;
      return value;
    }
    if (!chanceRun(run)) continue;
    out += value.slice(from, match.index) + MASK;
    from = match.index + run.length;
  }
  return from === 0 ? value : out + value.slice(from);
}

/**
 * An NHS or CHI number padded to a pseudonym's 64 hex characters (the red-team review 8's observation: `9434765919`
 * and 54 zeros passed as a pseudonym, while 54 zeros and the number were refused as zero padding): ten digits at one
 * end that are an NHS number from 3 up or a CHI number (isNumberInRange), and a run of 20 or more of one hex digit
 * among the other 54 (padding: zeros, or `f`). A pseudonym (HMAC-SHA256, uniformly random hex) is so by chance about
 * 7 times in 10^25: a run of 20 of one digit somewhere in 54 is at most 35 places x 16 digits x 16^-20 = 4.6e-22, and
 * ten decimal digits at an end that pass the check (10/16)^10 / 11 x 2 ends = 1.7e-3 (fewer below 3). One whose
 * first or last ten characters are an NHS number with no such run beside it is
 * chance and passes (about 1 in 600), as any ten digits between hex letters do.
 */
const PADDING_RUN =
  /0{20}|1{20}|2{20}|3{20}|4{20}|5{20}|6{20}|7{20}|8{20}|9{20}|[aA]{20}|[bB]{20}|[cC]{20}|[dD]{20}|[eE]{20}|[fF]{20}/;
const HEX_ONLY = /^[0-9A-Fa-f]+$/;
/**
 * Whether a text of a pseudonym's length is an NHS or CHI number padded to it (above), or a telephone number
 * (isPaddedTelephone); which, in paddedKind. (One call in identifierIn, as before sec33: a second line there cost
 * 3 to 6% of the guard's CPU on the events file, measured in turns.)
 */
function isPaddedNumber(text: string): boolean {
  if (paddedAt(text, 0) || paddedAt(text, PSEUDONYM_LENGTH - NHS_NUMBER_DIGITS)) {
    paddedKind = 'nhs_number';
    return true;
  }
  if (!isPaddedTelephone(text)) return false;
  paddedKind = 'telephone';
  return true;
}
let paddedKind: IdentifierKind = 'nhs_number';
/** Whether text[start, start + 10) is an NHS or CHI number and the rest of the text hex with padding in it (above). */
function paddedAt(text: string, start: number): boolean {
  // Ten digits first (a pseudonym's first ten characters are digits 1 time in 110): the rest is spared. The last
  // digit first, then the first (each a digit 10 times in 16), then the rest: on every person_id, so inline.
  let code = text.charCodeAt(start + NHS_NUMBER_DIGITS - 1);
  if (code < 48 || code > 57) return false;
  for (let k = start; k < start + NHS_NUMBER_DIGITS - 1; k++) {
    code = text.charCodeAt(k);
    if (code < 48 || code > 57) return false;
  }
  const rest = start === 0 ? text.slice(NHS_NUMBER_DIGITS) : text.slice(0, start);
  return HEX_ONLY.test(rest) && PADDING_RUN.test(rest) && isNumberInRange(text.slice(start, start + NHS_NUMBER_DIGITS));
}

/**
 * A UK telephone number padded to a pseudonym's length as an NHS number is (sec33: `07700900123` and 53 zeros, or 53
 * zeros and it, reached curated Parquet through person_id): its eleven digits at one end, 0 and then a digit a number
 * has there (1-3, 5, 7-9, as TRUNK_ZERO reads it), and the rest hex with a run of 20 of one hex digit (PADDING_RUN).
 * A pseudonym starts or ends so about 6 times in 10^15 before the run is asked for. Two characters decide for most.
 */
const TELEPHONE_PADDED_DIGITS = 11;
function isPaddedTelephone(text: string): boolean {
  return paddedTelephoneAt(text, 0) || paddedTelephoneAt(text, PSEUDONYM_LENGTH - TELEPHONE_PADDED_DIGITS);
}
function paddedTelephoneAt(text: string, start: number): boolean {
  if (text.charCodeAt(start) !== 48) return false;
  const second = text.charCodeAt(start + 1);
  if (second < 49 || second > 57 || second === 52 || second === 54) return false;
  for (let k = start + 2; k < start + TELEPHONE_PADDED_DIGITS; k++) {
    const code = text.charCodeAt(k);
    if (code < 48 || code > 57) return false;
  }
  const rest = start === 0 ? text.slice(TELEPHONE_PADDED_DIGITS) : text.slice(0, start);
  return HEX_ONLY.test(rest) && PADDING_RUN.test(rest);
}

/**
 * A date of birth built into a UUID's shape by a system that numbers people's records so
 * (`19850312-0000-0000-0000-000000000017`, `00000001-1985-0312-0000-000000000000`): a whole group of eight digits, or
 * two whole groups of four side by side, that make a date from 1900 to 2009 (a year, a month and a day, or a day, a
 * month and a year), in a UUID with no hex letter at all, or whose other 24 hex digits are 16 or more zeros (a
 * record's number in hex after the date, `19850312-0000-0000-0000-00000000001a`). A generated UUID is hex: a version
 * 4 one has no letter about 4 times in 10 million ((10/16)^30 / 2: thirty random hex digits and a variant of 8, 9, a or
 * b), and of those about 1 in 400 has such a date where this reads it; 16 zeros among its other digits (22 of them
 * random) is a chance of about 4 in 10^15. None of 1,000,000 version 4 UUIDs or 1,000,000 random 128-bit UUID shapes
 * is refused (test/bench/guard.bench.ts). A date inside a UUID beside random-looking hex
 * (`19850312-3fa2-4c1e-9b7d-1a2b3c4d5e6f`) is left: 28 of 1,000,000 version 4 UUIDs have such a date as their first
 * group and 62 of 1,000,000 random 128-bit shapes in one of the three places (measured 5 Dec 2026), so a file of
 * 50,000 generated ids would be refused more often than not, and a refusal loses the whole file; no rule on the date
 * alone tells a person's from chance there (a version 4 first group is 32 random bits: any eight digits are possible).
 * A date written together beside letters is not read anywhere else either (above); an event's date (2019 on) is no
 * person's.
 */
const UUID_LENGTH = 36;
/** Where the eight digits read as a date stand: the first group, the second and third, the third and fourth. */
const UUID_DATE_PLACES: [number, number][] = [
  [0, 4],
  [9, 14],
  [14, 19],
];
/** The fewest zeros among a UUID's 24 hex digits beside the date that make it a number written into the shape. */
const UUID_ZEROS_BESIDE_DATE = 16;
/** Whether eight characters are digits making a date from 1900 to 2009, year first (yyyymmdd) or day first (ddmmyyyy). */
function isOldDateTogether(eight: string): boolean {
  if (!/^\d{8}$/.test(eight)) return false;
  const part = (at: number, length: number) => Number(eight.slice(at, at + length));
  const yearFirst = part(0, 4) >= 1900 && part(0, 4) <= 2009 && isMonth(part(4, 2)) && isDay(part(6, 2));
  const dayFirst = isDay(part(0, 2)) && isMonth(part(2, 2)) && part(4, 4) >= 1900 && part(4, 4) <= 2009;
  return yearFirst || dayFirst;
}
/** Whether a UUID's shape holds a date of birth in whole groups, with no hex letter or zeros beside it (above). */
function uuidHoldsBirthDate(value: string, noLetter: boolean): boolean {
  if (!isUuidShape(value)) return false;
  return UUID_DATE_PLACES.some(([first, second]) => {
    if (!isOldDateTogether(`${value.slice(first, first + 4)}${value.slice(second, second + 4)}`)) return false;
    if (noLetter) return true;
    let zeros = 0;
    for (let i = 0; i < value.length; i++) {
      const inDate = (i >= first && i < first + 4) || (i >= second && i < second + 4);
      if (!inDate && value.charCodeAt(i) === 48) zeros++;
    }
    return zeros >= UUID_ZEROS_BESIDE_DATE;
  });
}
