import type { Level } from './metrics.ts';

/**
 * The shape of each area's code, the one statement of it (ODS codes: region Y56, ICB QWE, PCN U12345; England is
 * ENG). Written without zod or any import that runs, so the dashboard can take it too.
 */
export const AREA_CODE_SOURCE = {
  national: 'ENG',
  region: 'Y\\d{2}',
  icb: 'Q[A-Z0-9]{2}',
  pcn: 'U\\d{5}',
} as const satisfies Record<Level, string>;

/** Whole-string patterns of AREA_CODE_SOURCE. */
export const AREA_CODE_PATTERN: Readonly<Record<Level, RegExp>> = {
  national: new RegExp(`^${AREA_CODE_SOURCE.national}$`),
  region: new RegExp(`^${AREA_CODE_SOURCE.region}$`),
  icb: new RegExp(`^${AREA_CODE_SOURCE.icb}$`),
  pcn: new RegExp(`^${AREA_CODE_SOURCE.pcn}$`),
};

export const PCN_CODE_PATTERN = AREA_CODE_PATTERN.pcn;
export const ICB_CODE_PATTERN = AREA_CODE_PATTERN.icb;
export const REGION_CODE_PATTERN = AREA_CODE_PATTERN.region;
