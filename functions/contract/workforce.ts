import { z } from 'zod';
import { WORKFORCE_FIELDS as F } from './fields.ts';

/**
 * One row of a workforce file: a PCN's staffing in one role for one month. Headcount, accredited training and
 * vacancies are optional (an additive change to version 1): the national workforce publication has FTE only, so
 * files made from it leave them empty rather than invent them.
 */
export const workforceRow = z
  .strictObject({
    pcn_code: F.pcn_code.schema,
    snapshot_month: F.snapshot_month.schema,
    role: F.role.schema,
    headcount: F.headcount.schema.optional(),
    fte: F.fte.schema,
    accredited_training_headcount: F.accredited_training_headcount.schema.optional(),
    vacancies_fte: F.vacancies_fte.schema.optional(),
  })
  .superRefine((row, ctx) => {
    if (row.headcount !== undefined && row.fte > row.headcount) {
      ctx.addIssue({
        code: 'custom',
        path: ['fte'],
        message: 'must not exceed headcount',
        params: { code: 'out_of_range' },
      });
    }
    if (
      row.headcount !== undefined &&
      row.accredited_training_headcount !== undefined &&
      row.accredited_training_headcount > row.headcount
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['accredited_training_headcount'],
        message: 'must not exceed headcount',
        params: { code: 'out_of_range' },
      });
    }
  });

export type WorkforceRow = z.infer<typeof workforceRow>;
