import type { Row } from '../../functions/lib/query-engine.ts';

/**
 * The areas of red-team review 9's sealed ICB (R9-1), as its unit tests work it by hand: England = R1 + R2;
 * R1 = I1 + I2; R2 = J1; I1 = U1 + ... + U9 (nine PCNs in force); I2 = V1 + V2; J1 = W1 + W2. Each area's parent.
 */
export const SEALED_ICB_PARENT: Readonly<Record<string, string>> = {
  R1: 'ENG',
  R2: 'ENG',
  I1: 'R1',
  I2: 'R1',
  J1: 'R2',
  ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => [`U${n}`, 'I1'])),
  V1: 'I2',
  V2: 'I2',
  W1: 'J1',
  W2: 'J1',
};

/**
 * Seven PCNs in three ICBs and two regions, as the joint control's unit tests work them by hand: England = R1 + R2;
 * R1 = I1 + I2; R2 = I3; I1 = P1 + P2 + P3; I2 = P4 + P5; I3 = P6 + P7. Each area's parent.
 */
export const SEVEN_PCNS_PARENT: Readonly<Record<string, string>> = {
  R1: 'ENG',
  R2: 'ENG',
  I1: 'R1',
  I2: 'R1',
  I3: 'R2',
  P1: 'I1',
  P2: 'I1',
  P3: 'I1',
  P4: 'I2',
  P5: 'I2',
  P6: 'I3',
  P7: 'I3',
};

const LEVEL: Readonly<Record<string, string>> = {
  E: 'national',
  R: 'region',
  I: 'icb',
  J: 'icb',
  U: 'pcn',
  V: 'pcn',
  W: 'pcn',
};

/** The level of an area of the unit tests' hand-worked geographies, by its code's first letter: ENG, R, I or J, U to W. */
export const handWorkedLevel = (code: string): string => LEVEL[code[0] as string] as string;

/** The key of `code`'s row of April 2025 (its level read from the code's first letter). */
export const sealedIcbArea = (code: string): Row => ({
  level: handWorkedLevel(code),
  code,
  period_type: 'month',
  period: '2025-04',
});
