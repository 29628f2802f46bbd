import { isValidNhsNumber } from '../lib/nhs-number.ts';

/**
 * The identifiability guard: nothing that identifies a person may pass the uploader. It looks at column names
 * (a date of birth or name column is refused whatever it holds) and at every cell's text. It reports the kind
 * of identifier only, never the value.
 */
export type IdentifierKind = 'nhs_number' | 'postcode' | 'email' | 'telephone' | 'date_of_birth' | 'name' | 'address';

export const IDENTIFIER_LABELS: Record<IdentifierKind, string> = {
  nhs_number: 'an NHS number',
  postcode: 'a postcode',
  email: 'an e-mail address',
  telephone: 'a telephone number',
  date_of_birth: 'a date of birth',
  name: 'a name',
  address: 'an address',
};

const PERSONAL_COLUMNS: [IdentifierKind, RegExp][] = [
  ['nhs_number', /^(nhs|nhsno|nhsnum|nhsnumber|chinumber|patientnumber)$/],
  ['date_of_birth', /(birth|^dob)/],
  [
    'name',
    /^(name|fullname|firstname|forename|forenames|givenname|surname|lastname|familyname|patientname|middlename)$/,
  ],
  ['address', /^(address|addressline\d*|street|town|city|houseno|housenumber)$/],
  ['postcode', /^(postcode|postalcode|zip|zipcode)$/],
  ['telephone', /^(phone|telephone|tel|mobile|phonenumber|telephonenumber|mobilenumber)$/],
  ['email', /^(email|emailaddress|mail)$/],
];

/** The kind of personal data a column's name says it holds, if any. */
export function personalColumnKind(name: string): IdentifierKind | undefined {
  const normalised = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return PERSONAL_COLUMNS.find(([, pattern]) => pattern.test(normalised))?.[0];
}

// Boundaries are "not a letter or digit", so a 64-hex pseudonym or a longer id never matches by accident.
const NHS_NUMBER = /(?<![A-Za-z0-9])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![A-Za-z0-9])/g;
const TELEPHONE = /(?<![A-Za-z0-9+])(?:\+44[ -]?(?:\(0\)[ -]?)?|0)\d(?:[ -]?\d){8,9}(?![A-Za-z0-9])/;
const POSTCODE = /(?<![A-Za-z0-9])[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}(?![A-Za-z0-9])/;
const EMAIL = /[^\s@]+@[^\s@]+\.[A-Za-z]{2,}/;

function countDigits(value: string): number {
  let digits = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 48 && code <= 57) digits++;
  }
  return digits;
}

/** The kind of identifier a cell's text holds, if any. Cheap for the common case of short or digit-free cells. */
export function findIdentifier(value: string): IdentifierKind | undefined {
  if (value.length < 5) return undefined;
  if (value.includes('@') && EMAIL.test(value)) return 'email';
  const digits = countDigits(value);
  if (digits === 0) return undefined;
  if (digits >= 10) {
    NHS_NUMBER.lastIndex = 0;
    for (let match = NHS_NUMBER.exec(value); match !== null; match = NHS_NUMBER.exec(value)) {
      if (isValidNhsNumber(`${match[1]}${match[2]}${match[3]}`)) return 'nhs_number';
    }
    if (TELEPHONE.test(value)) return 'telephone';
  }
  if (digits >= 2 && POSTCODE.test(value)) return 'postcode';
  return undefined;
}
