/** Modulus 11 check of a 10-digit NHS number. */
export function isValidNhsNumber(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(digits[9]);
}

/** Days in each month, February's 29 included: a CHI number's year is two digits, so any year may be a leap year. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether ten digits are a Scottish CHI (Community Health Index) number: the date of birth as DDMMYY, two digits, a
 * digit for sex and a modulus 11 check digit computed as an NHS number's is (Public Health Scotland, "CHI number";
 * NHS Scotland's CHI data standard). So a CHI number starts 0 to 3, and its first six digits are a date.
 */
export function isChiNumber(digits: string): boolean {
  // The date first: it is a few character codes, and most ten digits that are no CHI number fail it.
  const day = (digits.charCodeAt(0) - 48) * 10 + digits.charCodeAt(1) - 48;
  const month = (digits.charCodeAt(2) - 48) * 10 + digits.charCodeAt(3) - 48;
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= (DAYS_IN_MONTH[month - 1] as number))) return false;
  return isValidNhsNumber(digits);
}
