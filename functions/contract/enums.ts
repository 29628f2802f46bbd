/** Enumerated values of the event file contract, version 1 (../shared/CONTRACT.md). Fixed: add, never rename. */

export const CONTRACT_VERSION = 1;

export const EVENT_TYPES = [
  'referral',
  'declined',
  'contact',
  'plan_agreed',
  'community_connection',
  'wellbeing_measure',
  'service_use',
  'discharge',
  'retraction',
] as const;

export const REFERRAL_SOURCES = [
  'gp',
  'practice_staff',
  'other_primary_care',
  'secondary_care',
  'local_authority',
  'social_care',
  'vcse',
  'housing',
  'police',
  'self',
  'other',
] as const;

export const REFERRAL_REASONS = [
  'mental_health',
  'loneliness_isolation',
  'long_term_condition',
  'financial_debt',
  'housing',
  'employment',
  'physical_activity',
  'weight_management',
  'carer_support',
  'bereavement',
  'substance_use',
  'other',
] as const;

export const AGE_BANDS = ['0-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65-74', '75-84', '85+'] as const;
export const SEXES = ['female', 'male', 'other', 'not_stated'] as const;
export const ETHNICITY_GROUPS = ['white', 'mixed', 'asian', 'black', 'other', 'not_stated'] as const;
export const DECLINE_REASONS = ['not_wanted', 'not_ready', 'already_supported', 'other'] as const;
export const CONTACT_MODES = ['face_to_face', 'telephone', 'video', 'home_visit', 'group', 'digital'] as const;
export const WORKER_ROLES = ['splw', 'hwbc', 'cc'] as const;

export const ACTIVITY_CATEGORIES = [
  'physical_activity',
  'arts_culture',
  'nature_green',
  'befriending_social',
  'mental_health_support',
  'financial_advice',
  'housing_support',
  'employment_education',
  'carer_support',
  'peer_support',
  'faith_community',
  'other',
] as const;

/** Each wellbeing instrument with its score range and the direction that counts as better. */
export const INSTRUMENTS = {
  ons4_life_satisfaction: { min: 0, max: 10, higherIsBetter: true, label: 'ONS4 life satisfaction' },
  ons4_worthwhile: { min: 0, max: 10, higherIsBetter: true, label: 'ONS4 worthwhile' },
  ons4_happiness: { min: 0, max: 10, higherIsBetter: true, label: 'ONS4 happiness' },
  ons4_anxiety: { min: 0, max: 10, higherIsBetter: false, label: 'ONS4 anxiety' },
  swemwbs: { min: 7, max: 35, higherIsBetter: true, label: 'SWEMWBS' },
  wemwbs: { min: 14, max: 70, higherIsBetter: true, label: 'WEMWBS' },
  pam_level: { min: 1, max: 4, higherIsBetter: true, label: 'Patient Activation Measure level' },
  mycaw: { min: 0, max: 6, higherIsBetter: false, label: 'MYCaW' },
} as const;
export type Instrument = keyof typeof INSTRUMENTS;
export const INSTRUMENT_NAMES = Object.keys(INSTRUMENTS) as [Instrument, ...Instrument[]];

export const PHASES = ['baseline', 'follow_up'] as const;
export const SERVICES = ['gp_appointment', 'ae_attendance', 'emergency_admission', 'outpatient'] as const;
export const SERVICE_WINDOWS = ['before', 'after'] as const;
export const WINDOW_MONTHS = [3, 6, 12] as const;
/**
 * The one length of service-use windows the published figures count (cof_system: sql/metrics/cof_system.sql, whose 6s
 * must change with it): the before and after windows of 6 months. Pairs of the other lengths a PCN may send are in no
 * figure, so no figure adds windows of different lengths and a month's figures keep one length as it ages (red-team
 * review 26, R26-3; docs/methodology.md, "Health and care system use").
 */
export const SERVICE_USE_WINDOW_MONTHS = 6;

export const DISCHARGE_REASONS = [
  'goals_met',
  'connected_to_support',
  'declined',
  'disengaged',
  'moved_away',
  'referred_elsewhere',
  'died',
  'other',
] as const;

/** SNOMED CT "Referral to social prescribing service": the one code counted for IIF PC-01. */
export const SNOMED_REFERRAL = '871731000000106';
/** SNOMED CT "Social prescribing declined". */
export const SNOMED_DECLINED = '871711000000103';

/** Earliest date an event may carry. */
export const EARLIEST_EVENT_DATE = '2019-01-01';
