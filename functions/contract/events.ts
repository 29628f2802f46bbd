import { z } from 'zod';
import { INSTRUMENTS, SNOMED_DECLINED, SNOMED_REFERRAL } from './enums.ts';
import { EVENT_FIELDS as F } from './fields.ts';

const common = {
  event_id: F.event_id.schema,
  pcn_code: F.pcn_code.schema,
  practice_code: F.practice_code.schema.optional(),
  referral_id: F.referral_id.schema,
  person_id: F.person_id.schema,
  occurred_on: F.occurred_on.schema,
  recorded_at: F.recorded_at.schema.optional(),
};

/** Strict: a filled-in column that does not apply to the row's event_type is an error, not silently dropped. */
const eventOf = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.strictObject({ event_type: z.literal(type), ...common, ...shape });

export const referralEvent = eventOf('referral', {
  referral_source: F.referral_source.schema,
  referral_reasons: F.referral_reasons.schema,
  snomed_code: z.literal(SNOMED_REFERRAL, { error: `must be ${SNOMED_REFERRAL} on a referral` }),
  age_band: F.age_band.schema,
  sex: F.sex.schema,
  ethnicity_group: F.ethnicity_group.schema,
  imd_decile: F.imd_decile.schema.optional(),
  long_term_conditions: F.long_term_conditions.schema.optional(),
});

/**
 * PCN systems record a decline in one of two ways, and both are valid: the metrics tell them apart by referral_id
 * (sql/metrics/rollout.sql).
 */
export const declinedEvent = eventOf('declined', {
  snomed_code: z.literal(SNOMED_DECLINED, { error: `must be ${SNOMED_DECLINED} on a decline` }),
  decline_reason: F.decline_reason.schema.optional(),
}).meta({
  description:
    "Social prescribing declined (871711000000103). A person referred who then declines: the referral's referral_id (a referral not taken up, counted in declined_after_referral). An offer declined with no referral: a referral_id of its own that no referral has (counted in declines, beside referrals in the decline rate).",
});

export const contactEvent = eventOf('contact', {
  contact_mode: F.contact_mode.schema,
  worker_role: F.worker_role.schema,
  duration_minutes: F.duration_minutes.schema,
});

export const planAgreedEvent = eventOf('plan_agreed', { worker_role: F.worker_role.schema });

export const communityConnectionEvent = eventOf('community_connection', {
  activity_category: F.activity_category.schema,
  provider_id: F.provider_id.schema,
  attended: F.attended.schema,
});

export const wellbeingMeasureEvent = eventOf('wellbeing_measure', {
  instrument: F.instrument.schema,
  phase: F.phase.schema,
  score: F.score.schema,
}).superRefine((row, ctx) => {
  const range = INSTRUMENTS[row.instrument];
  if (row.score < range.min || row.score > range.max) {
    ctx.addIssue({
      code: 'custom',
      path: ['score'],
      message: `must be between ${range.min} and ${range.max} for ${row.instrument}`,
      params: { code: 'out_of_range' },
    });
  }
});

export const serviceUseEvent = eventOf('service_use', {
  service: F.service.schema,
  window: F.window.schema,
  window_months: F.window_months.schema,
  count: F.count.schema,
});

export const dischargeEvent = eventOf('discharge', { discharge_reason: F.discharge_reason.schema });

export const retractionEvent = eventOf('retraction', { retracts_event_id: F.retracts_event_id.schema });

/** One row of an events file, discriminated on event_type. */
export const eventRow = z.discriminatedUnion('event_type', [
  referralEvent,
  declinedEvent,
  contactEvent,
  planAgreedEvent,
  communityConnectionEvent,
  wellbeingMeasureEvent,
  serviceUseEvent,
  dischargeEvent,
  retractionEvent,
]);

export type EventRow = z.infer<typeof eventRow>;
export type EventType = EventRow['event_type'];
