import { z } from 'zod';
import { ICB_CODE_PATTERN } from './areas.ts';
import { pcnCode } from './fields.ts';

const isoDate = z.iso.date();

/**
 * One version of a PCN in the national reference file (uploaded by the national team). PCNs open, close and
 * move between ICBs: a PCN has one row per period, and metrics join on the row in force at the event date.
 */
export const pcnReferenceRow = z
  .strictObject({
    pcn_code: pcnCode,
    pcn_name: z.string().min(1).max(200),
    icb_code: z.string().regex(ICB_CODE_PATTERN, { error: 'must be an ICB ODS code such as QWE' }),
    icb_name: z.string().min(1).max(200),
    region_code: z.enum(['Y56', 'Y58', 'Y59', 'Y60', 'Y61', 'Y62', 'Y63']),
    region_name: z.string().min(1).max(100),
    list_size: z.int().min(0).max(1_000_000),
    valid_from: isoDate,
    valid_to: isoDate.optional().meta({ description: 'Last day in force; empty while current.' }),
  })
  .refine((row) => row.valid_to === undefined || row.valid_to >= row.valid_from, {
    path: ['valid_to'],
    message: 'must not be before valid_from',
  })
  // PCNs open, close and move ICB from the first day of a month: so the version in force on an event's date is
  // the one in force on the first day of its month, which is how the metrics join the geography.
  .refine((row) => row.valid_from.endsWith('-01'), {
    path: ['valid_from'],
    message: 'must be the first day of a month',
  })
  .refine((row) => row.valid_to === undefined || lastDayOfMonth(row.valid_to), {
    path: ['valid_to'],
    message: 'must be the last day of a month',
  });

function lastDayOfMonth(date: string): boolean {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.getUTCDate() === 1;
}

export type PcnReferenceRow = z.infer<typeof pcnReferenceRow>;

/** Where a PCN sits: its code and name, and its ICB's and region's. */
export const PCN_PLACE_COLUMNS = [
  'pcn_code',
  'pcn_name',
  'icb_code',
  'icb_name',
  'region_code',
  'region_name',
] as const;

export const PCN_REFERENCE_COLUMNS = [...PCN_PLACE_COLUMNS, 'list_size', 'valid_from', 'valid_to'] as const;
