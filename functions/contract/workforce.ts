import { z } from 'zod';
import { WORKFORCE_FIELDS as F } from './fields.ts';

/** One row of a workforce file: a PCN's staffing in one role for one month. */
export const workforceRow = z
  .strictObject({
    pcn_code: F.pcn_code.schema,
    snapshot_month: F.snapshot_month.schema,
    role: F.role.schema,
    headcount: F.headcount.schema,
    fte: F.fte.schema,
    accredited_training_headcount: F.accredited_training_headcount.schema,
    vacancies_fte: F.vacancies_fte.schema,
  })
  .superRefine((row, ctx) => {
    if (row.fte > row.headcount) {
      ctx.addIssue({
        code: 'custom',
        path: ['fte'],
        message: 'must not exceed headcount',
        params: { code: 'out_of_range' },
      });
    }
    if (row.accredited_training_headcount > row.headcount) {
      ctx.addIssue({
        code: 'custom',
        path: ['accredited_training_headcount'],
        message: 'must not exceed headcount',
        params: { code: 'out_of_range' },
      });
    }
  });

export type WorkforceRow = z.infer<typeof workforceRow>;
