import {
  ACTIVITY_CATEGORIES,
  DISCHARGE_REASONS,
  type Figure,
  type ProgrammeTargets,
  REFERRAL_REASONS,
  REFERRAL_SOURCES,
  SNOMED_REFERRAL,
  SUPPRESSED,
} from '../contract/index.ts';
import type { Row, SqlValue } from '../lib/query-engine.ts';
import { type DisclosureRules, MIN_COUNT, rate } from './disclosure.ts';

/** Programme expectations shown as reference lines: configuration, not code (DOMAIN.md). */
export const DEFAULT_TARGETS: ProgrammeTargets = {
  annual_referrals: 900_000,
  take_up_pct: 80,
  contacts_min: 6,
  contacts_max: 12,
  gp_change_pct: -14,
  ae_change_pct: -12,
  caseload_min: 200,
  caseload_max: 250,
  accredited_pct: 90,
  iif_lower_pct: 1.2,
  iif_upper_pct: 1.6,
  link_workers_fte: 1_000,
};
export type Targets = ProgrammeTargets;

export interface DeriveContext {
  readonly targets: Targets;
  /** Median contacts per person for (level|code|period), from the raw distribution, where 8 or more people. */
  readonly medianContacts: ReadonlyMap<string, number>;
}

export interface MetricDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** sql/metrics/<file>.sql */
  readonly file: string;
  readonly params?: readonly SqlValue[];
  readonly keys: readonly string[];
  readonly definitions: Readonly<Record<string, string>>;
  readonly rules: DisclosureRules;
  /** Columns derived from the published (disclosure-controlled) figures of one row. */
  readonly derive?: (row: Row, ctx: DeriveContext) => Record<string, Figure | string>;
  /** Figures about the whole document, from its England rows. */
  readonly summarise?: (rows: readonly Row[], ctx: DeriveContext) => Record<string, unknown>;
}

const n = (v: unknown) => (typeof v === 'number' ? v : null);
const prefixed = (prefix: string, names: readonly string[]) => names.map((name) => `${prefix}${name}`);
export const rowKey = (row: Row) => `${row.level}|${row.code}|${row.period}`;

const SOURCES = REFERRAL_SOURCES;
const REASONS = REFERRAL_REASONS;
const DISCHARGES = DISCHARGE_REASONS;
const ACTIVITIES = ACTIVITY_CATEGORIES;

const COMMON = {
  level: 'national, region, icb or pcn.',
  code: 'ENG, or the ODS code of the region, ICB or PCN.',
  period_type: 'month or fy (financial year, April to March).',
  period: 'YYYY-MM for a month, 2024/25 for a financial year.',
};

function fyProjection(rows: readonly Row[], targets: Targets) {
  return rows
    .filter((r) => r.level === 'national' && r.period_type === 'fy')
    .map((r) => {
      const referrals = Number(r.referrals);
      const months = Number(r.months);
      const projection = months > 0 ? Math.round((referrals / months) * 12) : null;
      return {
        fy: r.period,
        referrals_to_date: referrals,
        months_with_data: months,
        projection_to_year_end: projection,
        target: targets.annual_referrals,
        share_of_target_pct: rate(referrals, targets.annual_referrals, 100),
        on_track: projection !== null && projection >= targets.annual_referrals,
      };
    });
}

export const CATALOGUE: readonly MetricDefinition[] = [
  {
    name: 'rollout',
    title: 'Referrals and rollout',
    description:
      'Accepted referrals to social prescribing (SNOMED CT 871731000000106), the distinct people referred and declines (871711000000103), against the registered list of the PCNs in force, by month and financial year. The percentage of the list referred is the IIF PC-01 measure (thresholds 1.2% and 1.6% a year); each financial year is compared with the annual target and projected to year end from its months so far.',
    file: 'rollout',
    params: [SNOMED_REFERRAL],
    keys: [],
    definitions: {
      ...COMMON,
      referrals: 'Accepted referrals (events in force, corrections applied, retractions removed).',
      people_referred: 'Distinct people (pseudonymous person_id) with an accepted referral.',
      declines: 'People who declined social prescribing.',
      pcns_reporting: 'PCNs with at least one accepted referral.',
      pcns: 'PCNs in force.',
      months: 'Months with data in the period.',
      list_size: 'Registered patients of the PCNs in force (mean over the months of a year).',
      decline_rate_pct: 'Declines as a percentage of referrals plus declines.',
      referrals_per_1000: 'Referrals per 1,000 registered patients.',
      pct_list_referred: 'People referred as a percentage of the registered list (IIF PC-01).',
    },
    rules: { counts: ['referrals', 'people_referred', 'declines'] },
    derive: (r) => ({
      decline_rate_pct:
        r.declines === SUPPRESSED || r.referrals === SUPPRESSED
          ? SUPPRESSED
          : rate(r.declines, n(r.referrals) === null ? null : Number(r.referrals) + Number(r.declines), 100),
      referrals_per_1000: rate(r.referrals, r.list_size, 1000),
      pct_list_referred: rate(r.people_referred, r.list_size, 100, 2),
    }),
    summarise: (rows, ctx) => ({ target_progress: fyProjection(rows, ctx.targets) }),
  },
  {
    name: 'referral_sources',
    title: 'Referral sources and reasons',
    description:
      'Accepted referrals by who referred the person (the sources add up to all referrals) and by the reasons given (a referral can give several), and how many kinds of source each area receives referrals from. Self-referral share is self-referrals as a percentage of referrals.',
    file: 'referral_sources',
    keys: [],
    definitions: {
      ...COMMON,
      referrals: 'Accepted referrals.',
      source_types: 'How many of the 11 kinds of referral source referred at least one person.',
      ...Object.fromEntries(SOURCES.map((s) => [`source_${s}`, `Referrals from ${s.replaceAll('_', ' ')}.`])),
      ...Object.fromEntries(
        REASONS.map((s) => [`reason_${s}`, `Referrals giving ${s.replaceAll('_', ' ')} as a reason.`]),
      ),
      self_referral_pct: 'Self-referrals as a percentage of referrals.',
    },
    rules: {
      counts: ['referrals', ...prefixed('source_', SOURCES), ...prefixed('reason_', REASONS)],
      groups: [{ total: 'referrals', parts: prefixed('source_', SOURCES) }],
    },
    derive: (r) => ({ self_referral_pct: rate(r.source_self, r.referrals, 100) }),
  },
  {
    name: 'cof_person',
    title: 'Outcomes for the person',
    description:
      'For people referred in the period: take-up (people who attended at least one community connection, against the 80% expectation), plans agreed, contacts per person (mean, median, and the share with 6 to 12 contacts) and how episodes ended.',
    file: 'cof_person',
    keys: [],
    definitions: {
      ...COMMON,
      episodes: 'People referred (accepted referrals) in the period.',
      took_up: 'Of them, people who attended at least one community connection.',
      plans_agreed: 'Of them, people with a personalised plan agreed.',
      contacts: 'Contacts with those people so far.',
      episodes_6_to_12_contacts: 'People with 6 to 12 contacts.',
      discharged: 'Episodes ended.',
      ...Object.fromEntries(DISCHARGES.map((d) => [`discharge_${d}`, `Episodes ended: ${d.replaceAll('_', ' ')}.`])),
      take_up_pct: 'Took up as a percentage of people referred.',
      plans_agreed_pct: 'Plans agreed as a percentage of people referred.',
      mean_contacts: 'Mean contacts per person referred (8 or more people).',
      median_contacts: 'Median contacts per person referred, financial years (8 or more people).',
      share_6_to_12_pct: 'People with 6 to 12 contacts as a percentage of people referred.',
    },
    rules: {
      counts: [
        'episodes',
        'took_up',
        'plans_agreed',
        'contacts',
        'episodes_6_to_12_contacts',
        'discharged',
        ...prefixed('discharge_', DISCHARGES),
      ],
      groups: [{ total: 'discharged', parts: prefixed('discharge_', DISCHARGES) }],
    },
    derive: (r, ctx) => {
      const median = ctx.medianContacts.get(rowKey(r));
      return {
        take_up_pct: rate(r.took_up, r.episodes, 100),
        plans_agreed_pct: rate(r.plans_agreed, r.episodes, 100),
        mean_contacts:
          r.episodes === SUPPRESSED || (r.level !== 'national' && Number(r.episodes) < MIN_COUNT)
            ? SUPPRESSED
            : rate(r.contacts, r.episodes),
        median_contacts: r.period_type !== 'fy' ? null : median === undefined ? SUPPRESSED : median,
        share_6_to_12_pct: rate(r.episodes_6_to_12_contacts, r.episodes, 100),
      };
    },
  },
  {
    name: 'contacts_distribution',
    title: 'Contacts per person',
    description:
      'People referred in the financial year by the number of contacts they had (20 or more counted together).',
    file: 'contacts_distribution',
    keys: ['contacts'],
    definitions: {
      ...COMMON,
      contacts: 'Number of contacts (20 means 20 or more).',
      episodes: 'People referred with that many contacts.',
    },
    rules: { counts: ['episodes'], siblings: [(r) => `${r.level}|${r.code}|${r.period}`] },
  },
  {
    name: 'wellbeing',
    title: 'Wellbeing change',
    description:
      'People measured on a validated wellbeing instrument both at baseline and at follow-up, by instrument and the period of referral: how many improved and the mean change, signed so that a positive change is always better (ONS4 anxiety and MYCaW are lower-is-better).',
    file: 'wellbeing',
    keys: ['instrument'],
    definitions: {
      ...COMMON,
      instrument: 'The wellbeing instrument.',
      pairs: 'People with a baseline and a follow-up score.',
      improved: 'Of them, people whose score improved.',
      mean_baseline: 'Mean baseline score (8 or more people).',
      mean_follow_up: 'Mean follow-up score (8 or more people).',
      mean_change: 'Mean change, positive = better (8 or more people).',
      improved_pct: 'Improved as a percentage of pairs.',
    },
    rules: {
      counts: ['pairs', 'improved'],
      means: [
        { column: 'mean_baseline', contributors: 'pairs' },
        { column: 'mean_follow_up', contributors: 'pairs' },
        { column: 'mean_change', contributors: 'pairs' },
      ],
    },
    derive: (r) => ({
      improved_pct: rate(r.improved, r.pairs, 100),
      mean_baseline:
        typeof r.mean_baseline === 'number' ? Math.round(r.mean_baseline * 100) / 100 : (r.mean_baseline as Figure),
      mean_follow_up:
        typeof r.mean_follow_up === 'number' ? Math.round(r.mean_follow_up * 100) / 100 : (r.mean_follow_up as Figure),
      mean_change:
        typeof r.mean_change === 'number' ? Math.round(r.mean_change * 100) / 100 : (r.mean_change as Figure),
    }),
  },
  {
    name: 'cof_system',
    title: 'Impact on the health and care system',
    description:
      'For people with both a before and an after window of the same length, GP appointments and A&E attendances in the window before referral and after it, by the period of referral. The change is (after - before) / before, against the expectations of -14% for GP appointments and -12% for A&E attendances.',
    file: 'cof_system',
    keys: ['service'],
    definitions: {
      ...COMMON,
      service: 'gp_appointment or ae_attendance.',
      people: 'People with both windows.',
      before_total: 'Uses of the service in the windows before referral.',
      after_total: 'Uses in the windows after referral.',
      change_pct: 'Percentage change from before to after.',
      expected_change_pct: 'The programme expectation.',
    },
    rules: { counts: ['people', 'before_total', 'after_total'] },
    derive: (r, ctx) => ({
      change_pct:
        r.after_total === SUPPRESSED || r.before_total === SUPPRESSED
          ? SUPPRESSED
          : typeof r.before_total === 'number' && r.before_total > 0 && typeof r.after_total === 'number'
            ? Math.round(((r.after_total - r.before_total) / r.before_total) * 1000) / 10
            : null,
      expected_change_pct: r.service === 'gp_appointment' ? ctx.targets.gp_change_pct : ctx.targets.ae_change_pct,
    }),
  },
  {
    name: 'cof_community',
    title: 'Impact on the community',
    description:
      'Connections made to community groups and VCSE organisations, by activity category and period of the connection, how many were attended, and how many distinct organisations received people.',
    file: 'cof_community',
    keys: [],
    definitions: {
      ...COMMON,
      connections: 'Community connections made.',
      attended: 'Connections where the person went to the first session.',
      providers: 'Distinct organisations that received people.',
      ...Object.fromEntries(ACTIVITIES.map((a) => [`activity_${a}`, `Connections to ${a.replaceAll('_', ' ')}.`])),
      attendance_pct: 'Attended as a percentage of connections.',
    },
    rules: {
      counts: ['connections', 'attended', ...prefixed('activity_', ACTIVITIES)],
      groups: [{ total: 'connections', parts: prefixed('activity_', ACTIVITIES) }],
    },
    derive: (r) => ({ attendance_pct: rate(r.attended, r.connections, 100) }),
  },
  {
    name: 'workforce',
    title: 'Workforce',
    description:
      'Link workers (SPLW), health and wellbeing coaches (HWBC) and care coordinators (CC) in post from the monthly snapshots (a year is the mean of its months): headcount, FTE, FTE per 10,000 patients (about 1 expected), accredited training (90% expected), vacancies, PCNs with at least one link worker, and caseload: people referred in the financial year per link worker FTE (200 to 250 expected). Staff figures are not about patients and are not suppressed; people referred are.',
    file: 'workforce',
    keys: [],
    definitions: {
      ...COMMON,
      months: 'Monthly snapshots in the period.',
      pcns_reporting: 'PCNs that sent a snapshot (mean per month).',
      pcns_with_link_worker: 'PCNs with at least one link worker in post (mean per month).',
      splw_headcount: 'Link workers in post.',
      splw_fte: 'Link worker full-time equivalent.',
      splw_accredited: 'Link workers with accredited training.',
      splw_vacancies_fte: 'Vacant link worker posts, FTE.',
      hwbc_headcount: 'Health and wellbeing coaches in post.',
      hwbc_fte: 'Health and wellbeing coach FTE.',
      cc_headcount: 'Care coordinators in post.',
      cc_fte: 'Care coordinator FTE.',
      list_size: 'Registered patients.',
      pcns: 'PCNs in force.',
      people_referred: 'People referred in the financial year.',
      splw_fte_per_10000: 'Link worker FTE per 10,000 registered patients.',
      splw_accredited_pct: 'Link workers with accredited training, percentage of headcount.',
      pcns_with_link_worker_pct: 'PCNs with a link worker as a percentage of PCNs reporting.',
      caseload: 'People referred in the financial year per link worker FTE.',
    },
    rules: { counts: ['people_referred'] },
    derive: (r) => ({
      // Sums of FTEs are published to 2 decimals, so that the order rows are added in cannot show (1.5999999999999999).
      ...Object.fromEntries(
        (['splw_fte', 'splw_vacancies_fte', 'hwbc_fte', 'cc_fte'] as const).map((c) => [
          c,
          typeof r[c] === 'number' ? Math.round((r[c] as number) * 100) / 100 : r[c],
        ]),
      ),
      splw_fte_per_10000: rate(r.splw_fte, r.list_size, 10_000, 2),
      splw_accredited_pct: rate(r.splw_accredited, r.splw_headcount, 100),
      pcns_with_link_worker_pct: rate(r.pcns_with_link_worker, r.pcns_reporting, 100),
      caseload: r.period_type === 'fy' ? rate(r.people_referred, r.splw_fte, 1, 0) : null,
    }),
  },
  {
    name: 'equity',
    title: 'Equity',
    description:
      'People referred, take-up and wellbeing improvement by deprivation decile (1 = most deprived), ethnicity group, age band and sex, by financial year of referral.',
    file: 'equity',
    keys: ['dimension', 'group'],
    definitions: {
      ...COMMON,
      dimension: 'imd_decile, ethnicity_group, age_band or sex.',
      group: 'The group within the dimension.',
      referrals: 'People referred.',
      took_up: 'Of them, people who attended a community connection.',
      wellbeing_pairs: 'Wellbeing measurements with a baseline and a follow-up.',
      wellbeing_improved: 'Of them, improved.',
      take_up_pct: 'Took up as a percentage of people referred.',
      wellbeing_improved_pct: 'Improved as a percentage of pairs.',
    },
    rules: {
      counts: ['referrals', 'took_up', 'wellbeing_pairs', 'wellbeing_improved'],
      siblings: [(r) => `${r.level}|${r.code}|${r.period}|${r.dimension}`],
    },
    derive: (r) => ({
      take_up_pct: rate(r.took_up, r.referrals, 100),
      wellbeing_improved_pct: rate(r.wellbeing_improved, r.wellbeing_pairs, 100),
    }),
  },
  {
    name: 'pcn_comparison',
    title: 'Comparing PCNs',
    description:
      "Each PCN's referral rate (referrals per 1,000 registered patients, the list pro rata to the months the PCN was open), take-up and wellbeing improvement in the financial year, on funnel plots around England's rate and its region's. The limits follow the NHS-R FunnelPlotR method: PCNs differ for reasons beyond chance (overdispersion, phi), so the limits are widened by the spread between PCNs (tau2) and show where a PCN would be if it differed from the comparator only as much as PCNs usually do. Outside the 99.8% limits is unusual even allowing for that: worth a conversation, not proof of better or worse care. Plain limits (chance alone) are published too. Below England everything is calculated from the rounded figures; a PCN whose figure is suppressed is not placed (docs/methodology-comparisons.md).",
    file: 'pcn_comparison',
    keys: [],
    definitions: {
      ...COMMON,
      region_code: "The PCN's region.",
      icb_code: "The PCN's ICB.",
      list_size: 'Registered patients (mean over the year).',
      months_open: 'Months of the year the PCN was open (with data nationally).',
      exposure: 'Registered patients pro rata to the months open: list size × months open / months of the year.',
      referrals: 'People referred.',
      took_up: 'Of them, people who attended a community connection.',
      wellbeing_pairs: 'Wellbeing measurements with a baseline and a follow-up.',
      wellbeing_improved: 'Of them, improved.',
      referral_rate: 'Referrals per 1,000 registered patients (exposure).',
      take_up_pct: 'Take-up, %.',
      wellbeing_improved_pct: 'Wellbeing improved, %.',
      '*_vs_national / *_vs_region':
        'high or low when outside the 99.8% limits adjusted for overdispersion (FunnelPlotR), within otherwise.',
      '*_vs_national_unadjusted / *_vs_region_unadjusted': 'The same against plain limits (chance alone).',
    },
    rules: { counts: ['referrals', 'took_up', 'wellbeing_pairs', 'wellbeing_improved'] },
  },
  {
    name: 'data_quality',
    title: 'Data submissions',
    description:
      'For each PCN: uploads received, files rejected whole (and those holding personal identifiers), rows accepted and rejected by reason, the last upload, and months missing since its first month with data. These count files and rows, not people, so they are not suppressed; they are shown to the national team and to the PCN itself.',
    file: 'data_quality',
    keys: [],
    definitions: {
      ...COMMON,
      uploads: 'Files received.',
      files_rejected: 'Files rejected whole.',
      files_with_identifiers: 'Files rejected for holding personal identifiers.',
      rows_accepted: 'Rows accepted.',
      rows_rejected: 'Rows rejected.',
      rejected_invalid: 'Rows rejected for a missing, malformed or out-of-range value.',
      rejected_duplicate: 'Rows rejected as repeated in the same file.',
      rejected_other: 'Rows rejected for other reasons.',
      last_upload: 'When the latest file landed.',
      first_month: 'First month with events.',
      months_with_data: 'Months with events.',
      months_missing: 'Months without events since the first, to the latest month nationally.',
    },
    rules: { counts: [] },
  },
];
