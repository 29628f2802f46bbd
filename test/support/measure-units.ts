/**
 * What each published count counts, read from its SQL (sql/prepare/episodes.sql, sql/metrics/*.sql): `referrals`
 * where the SQL counts rows of `episodes` or referral events (someone referred twice counts twice), `people` where it
 * counts distinct `person_id`s, `other` for contacts, uses, connections, declines and staff. The wording test holds the
 * catalogue's definitions and the labels of the dashboard, packs and board report to it; the figures test holds the
 * table itself to a refresh of 20 referrals made by 10 people.
 */
export type CountUnit = 'referrals' | 'people' | 'other';

/** Per document: column (or `prefix_*` family) -> what one unit of it is. Every count column of the rules is here. */
export const COUNT_UNITS: Readonly<Record<string, Readonly<Record<string, CountUnit>>>> = {
  rollout: {
    referrals: 'referrals',
    people_referred: 'people',
    declines: 'other',
    declined_after_referral: 'referrals',
  },
  referral_sources: { referrals: 'referrals', 'source_*': 'referrals', 'reason_*': 'referrals' },
  cof_person: {
    episodes: 'referrals',
    engagement_cohort: 'referrals',
    engaged: 'referrals',
    connected: 'referrals',
    plans_agreed: 'referrals',
    outcome_cohort: 'referrals',
    splw_contacts: 'other',
    other_contacts: 'other',
    episodes_6_to_12_contacts: 'referrals',
    wellbeing_measured: 'referrals',
    wellbeing_improved: 'referrals',
    discharged: 'referrals',
    'discharge_*': 'referrals',
  },
  contacts_distribution: { episodes: 'referrals' },
  wellbeing: { people: 'people', improved: 'people' },
  // The column keeps its name, `people`, but counts referrals with equal windows (one row of `paired` per referral).
  cof_system: { people: 'referrals', before_total: 'other', after_total: 'other' },
  cof_community: {
    connections: 'other',
    attendance_cohort: 'other',
    recent_connections: 'other',
    attended: 'other',
    'activity_*': 'other',
    'attended_*': 'other',
  },
  workforce: { people_referred: 'people', splw_accredited: 'other', splw_headcount_training_known: 'other' },
  equity: {
    people_referred: 'people',
    engagement_cohort: 'referrals',
    engaged: 'referrals',
    connected: 'referrals',
    wellbeing_people: 'people',
    wellbeing_improved: 'people',
  },
  pcn_comparison: {
    referrals: 'referrals',
    engagement_cohort: 'referrals',
    engaged: 'referrals',
    connected: 'referrals',
    wellbeing_measured: 'referrals',
    wellbeing_improved: 'referrals',
  },
  data_quality: {},
};

/** Derived figures (rates, means, medians): what their denominator counts. */
export const RATE_UNITS: Readonly<Record<string, Readonly<Record<string, CountUnit>>>> = {
  rollout: {
    referrals_per_1000: 'referrals',
    referrals_per_1000_annualised: 'referrals',
    pct_list_referred: 'people',
    pct_list_referred_annualised: 'people',
    decline_rate_pct: 'other',
    declined_after_referral_pct: 'referrals',
  },
  cof_person: {
    engaged_pct: 'referrals',
    connected_pct: 'referrals',
    plans_agreed_pct: 'referrals',
    mean_contacts: 'referrals',
    mean_other_contacts: 'referrals',
    median_contacts: 'referrals',
    share_6_to_12_pct: 'referrals',
    wellbeing_measured_pct: 'referrals',
    wellbeing_improved_pct: 'referrals',
  },
  // The means are over the pairs (a referral's first baseline and last follow-up on the instrument).
  wellbeing: {
    improved_pct: 'people',
    mean_baseline: 'referrals',
    mean_follow_up: 'referrals',
    mean_change: 'referrals',
  },
  cof_system: { change_pct: 'other' },
  workforce: { caseload: 'people', caseload_annualised: 'people', splw_fte_per_10000: 'other' },
  equity: {
    engaged_pct: 'referrals',
    connected_pct: 'referrals',
    wellbeing_improved_pct: 'people',
    people_referred_per_1000: 'people',
    people_referred_per_1000_annualised: 'people',
  },
  pcn_comparison: { take_up_pct: 'referrals', wellbeing_improved_pct: 'referrals' },
};

/** The unit of a document's column, through its `prefix_*` family where it has one; undefined where not listed. */
export function unitOf(
  table: Readonly<Record<string, Readonly<Record<string, CountUnit>>>>,
  document: string,
  column: string,
): CountUnit | undefined {
  const units = table[document] ?? {};
  if (units[column] !== undefined) return units[column];
  const family = Object.keys(units).find((k) => k.endsWith('_*') && column.startsWith(k.slice(0, -1)));
  return family === undefined ? undefined : units[family];
}
