import { z } from 'zod';
import { PCN_CODE_PATTERN } from './areas.ts';
import {
  ACTIVITY_CATEGORIES,
  AGE_BANDS,
  CONTACT_MODES,
  DECLINE_REASONS,
  DISCHARGE_REASONS,
  EARLIEST_EVENT_DATE,
  ETHNICITY_GROUPS,
  EVENT_TYPES,
  INSTRUMENT_NAMES,
  PHASES,
  REFERRAL_REASONS,
  REFERRAL_SOURCES,
  SERVICE_WINDOWS,
  SERVICES,
  SEXES,
  SNOMED_DECLINED,
  SNOMED_REFERRAL,
  WORKER_ROLES,
} from './enums.ts';

/**
 * How a field is stored in curated Parquet and typed in Athena/DuckDB. CSV cells are coerced to the
 * JSON type this implies before validation, so one table drives parsing, validation and storage.
 */
export type StorageType = 'string' | 'int32' | 'double' | 'boolean' | 'date' | 'timestamp';

export interface FieldSpec<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  readonly storage: StorageType;
  readonly description: string;
  /** The rule in words, for the data dictionary, where the schema's own form would not read well. */
  readonly rule?: string;
}

function field<S extends z.ZodType>(schema: S, storage: StorageType, description: string, rule?: string): FieldSpec<S> {
  return { schema: schema.meta({ description }) as S, storage, description, ...(rule ? { rule } : {}) };
}

const ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
const PRACTICE_CODE_PATTERN = /^[A-Z]\d{5}$/;
const PERSON_ID_PATTERN = /^[0-9a-f]{64}$/;
const REASONS_PATTERN = new RegExp(`^(${REFERRAL_REASONS.join('|')})(;(${REFERRAL_REASONS.join('|')}))*$`);

const identifier = () => z.string().regex(ID_PATTERN, { error: 'must be 1-64 characters of A-Z a-z 0-9 . _ : -' });
const integer = (min: number, max: number) => z.int().min(min).max(max);
const eventDate = z.iso.date().refine((d) => d >= EARLIEST_EVENT_DATE, {
  error: `must not be before ${EARLIEST_EVENT_DATE}`,
  params: { code: 'out_of_range' },
});

export const pcnCode = z.string().regex(PCN_CODE_PATTERN, { error: 'must be U followed by 5 digits' });

/** Every field an events file may carry, in the order of the curated table. */
export const EVENT_FIELDS = {
  event_id: field(
    identifier(),
    'string',
    'Unique id of this event within the PCN. A later upload with the same id replaces the earlier row.',
  ),
  event_type: field(z.enum(EVENT_TYPES), 'string', 'What happened; decides which other fields apply.'),
  pcn_code: field(
    pcnCode,
    'string',
    "ODS code of the uploading Primary Care Network (U + 5 digits). Must equal the uploader's PCN.",
  ),
  practice_code: field(
    z.string().regex(PRACTICE_CODE_PATTERN, { error: 'must be one letter followed by 5 digits' }),
    'string',
    'ODS code of the GP practice (one letter + 5 digits). Optional.',
  ),
  referral_id: field(
    identifier(),
    'string',
    "Identifies the episode of care that this event belongs to. On a declined event: the referral's referral_id if the person was referred and then declined; if an offer was declined with no referral, an id no referral has.",
  ),
  person_id: field(
    z.string().regex(PERSON_ID_PATTERN, { error: 'must be exactly 64 lowercase hexadecimal characters' }),
    'string',
    "Pseudonymous person id: HMAC-SHA256 of the NHS number under the PCN's secret key, made before upload. Never the NHS number itself.",
  ),
  occurred_on: field(
    eventDate,
    'date',
    `Date the event happened, YYYY-MM-DD; not before ${EARLIEST_EVENT_DATE} and not in the future.`,
  ),
  recorded_at: field(
    z.iso.datetime({ offset: true }),
    'timestamp',
    "Optional. When the row was last changed in the PCN's system (ISO 8601 with a time zone; kept and compared to the millisecond). Of two rows with the same event_id, the one with the later recorded_at wins, whatever order they arrive in. Not more than a day after the upload is received (a row stamped later is refused as future_date).",
  ),
  referral_source: field(z.enum(REFERRAL_SOURCES), 'string', 'Who referred the person (referral).'),
  referral_reasons: field(
    z.string().regex(REASONS_PATTERN, { error: `must be a ;-separated list of: ${REFERRAL_REASONS.join(', ')}` }),
    'string',
    'Why the person was referred, ;-separated (referral).',
    `one or more of ${REFERRAL_REASONS.map((r) => `\`${r}\``).join(', ')}, separated by \`;\``,
  ),
  snomed_code: field(
    z.enum([SNOMED_REFERRAL, SNOMED_DECLINED]),
    'string',
    `SNOMED CT code: ${SNOMED_REFERRAL} on a referral, ${SNOMED_DECLINED} on a decline.`,
  ),
  age_band: field(z.enum(AGE_BANDS), 'string', 'Age band at referral (referral).'),
  sex: field(z.enum(SEXES), 'string', 'Sex (referral).'),
  ethnicity_group: field(z.enum(ETHNICITY_GROUPS), 'string', 'Ethnicity group (referral).'),
  imd_decile: field(
    integer(1, 10),
    'int32',
    "Index of Multiple Deprivation decile of the person's area, 1 = most deprived (referral). Optional.",
  ),
  long_term_conditions: field(integer(0, 20), 'int32', 'Number of long-term conditions, 0-20 (referral). Optional.'),
  decline_reason: field(z.enum(DECLINE_REASONS), 'string', 'Why the person declined (declined). Optional.'),
  contact_mode: field(z.enum(CONTACT_MODES), 'string', 'How the contact took place (contact).'),
  worker_role: field(
    z.enum(WORKER_ROLES),
    'string',
    'Role of the worker: splw link worker, hwbc health and wellbeing coach, cc care coordinator (contact, plan_agreed).',
  ),
  duration_minutes: field(integer(1, 600), 'int32', 'Length of the contact in minutes, 1-600 (contact).'),
  activity_category: field(
    z.enum(ACTIVITY_CATEGORIES),
    'string',
    'Kind of community activity the person was connected to (community_connection).',
  ),
  provider_id: field(
    identifier(),
    'string',
    'Pseudonymous or registered-charity id of the organisation receiving the referral (community_connection).',
  ),
  attended: field(
    z.boolean(),
    'boolean',
    "Whether the person went to the first session: true or false (community_connection). Before the first session has been, send false; once the person has gone, send the event again (the same event_id) with a later recorded_at, as any correction. Attendance is published for connections made at least a month before the data-as-of date, so a correction sent with the next month's file is counted.",
  ),
  instrument: field(z.enum(INSTRUMENT_NAMES), 'string', 'Validated wellbeing instrument (wellbeing_measure).'),
  phase: field(z.enum(PHASES), 'string', 'baseline or follow_up (wellbeing_measure).'),
  score: field(z.number(), 'double', "Score within the instrument's range (wellbeing_measure)."),
  service: field(z.enum(SERVICES), 'string', 'Health or care service counted (service_use).'),
  // What a service_use row is (review 6, K5): the whole window's count, one per referral, service, window and length,
  // an after count dated once its window has ended; sql/metrics/cof_system.sql reads them so.
  window: field(
    z.enum(SERVICE_WINDOWS),
    'string',
    'Window before or after the referral date (service_use). A before window ends on the referral date; an after window starts on it and ends window_months later: date an after row (occurred_on) on or after that end, or it is not counted.',
  ),
  window_months: field(
    z.union([z.literal(3), z.literal(6), z.literal(12)]),
    'int32',
    "Length of the window in months: 3, 6 or 12 (service_use). Each length is a window of its own: counts of different lengths are never added together. The published figures (before and after referral) count the 6-month windows alone: send a before and an after row of 6 months for each service; rows of 3 or 12 months are accepted and kept, in no published figure, and the upload's receipt says how many and which rows (note service_use_window_not_counted).",
  ),
  count: field(
    integer(0, 500),
    'int32',
    'Uses of the service in the whole window, 0-500 (service_use), not the uses so far. One per referral, service, window and window_months: the latest row counts (latest occurred_on, then recorded_at, then the larger count), whatever its event_id.',
  ),
  discharge_reason: field(z.enum(DISCHARGE_REASONS), 'string', 'Why the episode ended (discharge).'),
  retracts_event_id: field(
    identifier(),
    'string',
    'The event_id, previously sent by this PCN, that this row withdraws from every metric (retraction).',
  ),
} as const;

export type EventFieldName = keyof typeof EVENT_FIELDS;
export const EVENT_FIELD_NAMES = Object.keys(EVENT_FIELDS) as EventFieldName[];

/** Every field of a workforce file: one row per PCN, month and role. */
export const WORKFORCE_FIELDS = {
  pcn_code: field(pcnCode, 'string', 'ODS code of the uploading Primary Care Network.'),
  snapshot_month: field(
    // Athena's partition projection covers 2019-01 to NOW (functions/lib/table-ddl.ts): a month outside it would be
    // counted by DuckDB but never by Athena. The future half needs the clock: functions/ingest/ingest.ts.
    z
      .string()
      .regex(/^20\d\d-(0[1-9]|1[0-2])$/, { error: 'must be YYYY-MM' })
      .refine((m) => m >= EARLIEST_EVENT_DATE.slice(0, 7), {
        error: `must not be before ${EARLIEST_EVENT_DATE.slice(0, 7)}`,
        params: { code: 'out_of_range' },
      }),
    'string',
    `Month of the staffing snapshot, YYYY-MM; not before ${EARLIEST_EVENT_DATE.slice(0, 7)} and not in the future.`,
  ),
  role: field(
    z.enum(WORKER_ROLES),
    'string',
    'splw link worker, hwbc health and wellbeing coach, cc care coordinator.',
  ),
  headcount: field(integer(0, 100), 'int32', 'People in post, 0-100. Optional: empty when not known.'),
  fte: field(
    z.number().min(0).max(100),
    'double',
    'Full-time equivalent in post, 0-100, at most headcount (when headcount is given).',
  ),
  accredited_training_headcount: field(
    integer(0, 100),
    'int32',
    'People in post who have completed accredited training, 0-headcount. Optional: empty when not known.',
  ),
  vacancies_fte: field(
    z.number().min(0).max(100),
    'double',
    'Vacant posts, full-time equivalent, 0-100. Optional: empty when not known.',
  ),
} as const;

export type WorkforceFieldName = keyof typeof WORKFORCE_FIELDS;
export const WORKFORCE_FIELD_NAMES = Object.keys(WORKFORCE_FIELDS) as WorkforceFieldName[];
