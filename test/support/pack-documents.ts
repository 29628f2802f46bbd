import type { MetaDocument, MetricDocument, MetricRow } from '../../functions/contract/metrics.ts';
import { DEFAULT_TARGETS } from '../../functions/refresh/catalogue.ts';
import { metricDocument } from './documents.ts';

/**
 * A small set of published documents whose figures were chosen by hand, for the monthly packs: two PCNs in one ICB
 * and one in another, in one region (test/integration/packs.test.ts, pack-scope.test.ts).
 */
const MONTHS = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09'];
export const meta: MetaDocument = {
  generated_at: '2025-10-05T06:00:00.000Z',
  data_as_of: '2025-09-30',
  months: MONTHS,
  financial_years: ['2024/25', '2025/26'],
  regions: [{ code: 'Y56', name: 'London', parent: 'ENG' }],
  icbs: [
    { code: 'QWE', name: 'NHS South West London Integrated Care Board', parent: 'Y56' },
    { code: 'QKK', name: 'NHS South East London Integrated Care Board', parent: 'Y56' },
  ],
  pcns: [
    { code: 'U11111', name: 'RIVERSIDE PCN', parent: 'QWE', list_size: 40000 },
    { code: 'U22222', name: 'HILLTOP PCN', parent: 'QWE', list_size: 30000 },
    { code: 'U33333', name: 'VALLEYFIELD PCN', parent: 'QKK', list_size: 50000 },
  ],
  metrics: [],
  targets: DEFAULT_TARGETS,
};

const AREAS = [
  ['pcn', 'U11111'],
  ['pcn', 'U22222'],
  ['pcn', 'U33333'],
  ['icb', 'QWE'],
  ['icb', 'QKK'],
  ['region', 'Y56'],
  ['national', 'ENG'],
] as const;

/** Referrals per 1,000 in 2025/26, by area (index in AREAS); 2024/25 is a tenth lower. */
const RATE = [14.2, 9.6, 7.3, 12.9, 7.3, 9.4, 10.8];
const row = (level: string, code: string, period: string, fields: Record<string, unknown>) =>
  ({ level, code, period_type: period.includes('/') ? 'fy' : 'month', period, ...fields }) as unknown as MetricRow;
const doc = (name: string, rows: MetricRow[]) => metricDocument(meta, name, rows);

export function documents(): MetricDocument[] {
  const each = <T>(make: (level: string, code: string, i: number) => T[]) =>
    AREAS.flatMap(([level, code], i) => make(level, code, i));
  return [
    doc(
      'rollout',
      each((level, code, i) => [
        row(level, code, '2025/26', {
          referrals_per_1000: RATE[i],
          // April to September; Riverside opened in June (4 months): its year is annualised x 12 / 4, others x 2.
          months: code === 'U11111' ? 4 : 6,
          referrals_per_1000_annualised: Math.round((RATE[i] as number) * (code === 'U11111' ? 30 : 20)) / 10,
          pct_list_referred_annualised: 2.1,
          // Riverside's declines were 1 to 7 people: suppressed, so is the rate.
          decline_rate_pct: code === 'U11111' ? '*' : 11.5,
        }),
        row(level, code, '2024/25', {
          referrals_per_1000: Math.round((RATE[i] as number) * 9) / 10,
          referrals_per_1000_annualised: Math.round((RATE[i] as number) * 9) / 10,
          months: 12,
        }),
        ...MONTHS.map((m, k) =>
          row(level, code, m, {
            referrals_per_1000: k + 1 + i / 10,
            decline_rate_pct: code === 'U11111' && m === '2025-09' ? '*' : 10 + k,
            pcns: level === 'pcn' ? 1 : 3,
            pcns_reporting: level === 'pcn' ? 1 : 3,
          }),
        ),
      ]),
    ),
    doc(
      'cof_person',
      each((level, code) => [
        row(level, code, '2025/26', { engaged_pct: 83.3, connected_pct: 61.7, mean_contacts: 7.4 }),
        row(level, code, '2024/25', { engaged_pct: 81, wellbeing_improved_pct: 68.9 }),
      ]),
    ),
    doc(
      'cof_system',
      each((level, code) => [
        row(level, code, '2024/25', {
          window_months: 6,
          service: 'gp_appointment',
          baseline_band: 'all',
          change_pct: -16.3,
        }),
        row(level, code, '2024/25', {
          window_months: 6,
          service: 'gp_appointment',
          baseline_band: '0-3',
          change_pct: 5,
        }),
        row(level, code, '2024/25', {
          window_months: 6,
          service: 'ae_attendance',
          baseline_band: 'all',
          change_pct: -7.4,
        }),
      ]),
    ),
    doc(
      'workforce',
      each((level, code) => [
        row(level, code, '2025/26', { splw_fte_per_10000: 1.19, caseload_annualised: 175 }),
        ...MONTHS.map((m) => row(level, code, m, { splw_fte_per_10000: 1.19 })),
      ]),
    ),
    doc('pcn_comparison', [
      row('pcn', 'U11111', '2025/26', {
        referral_rate_vs_national: 'high',
        referral_rate_vs_region: 'within',
        take_up_pct_vs_national: 'within',
        take_up_pct_vs_region: 'low',
      }),
      row('pcn', 'U22222', '2025/26', { referral_rate_vs_national: 'low', referral_rate_vs_region: 'low' }),
    ]),
    doc(
      'spc',
      each((level, code) => [
        {
          ...row(level, code, 'all', {
            measure: 'referrals_per_1000',
            variation: 'concern_low',
            assurance: null,
            points: 14,
          }),
          period_type: 'all',
        } as MetricRow,
      ]),
    ),
    // Alerts are about each area's own business, as the refresh publishes them (functions/refresh/alerts.ts).
    {
      ...doc('alerts', [
        row('pcn', 'U22222', '2025/26', {
          icb_code: 'QWE',
          region_code: 'Y56',
          kind: 'funnel',
          message: 'Below the 99.8% limit around England (adjusted for overdispersion)',
        }),
        row('icb', 'QWE', '2025-09', {
          region_code: 'Y56',
          kind: 'spc',
          message: 'Referrals: special cause of concern (lower) in 2025-09',
        }),
      ]),
      visibility: 'inside_area',
    },
    doc('data_quality', [
      {
        ...row('pcn', 'U11111', 'all', { uploads: 12, rows_accepted: 4321, rows_rejected: 7, months_missing: 1 }),
        period_type: 'all',
      } as MetricRow,
    ]),
    // A document the packs do not read is passed too, as the refresh passes every one.
    doc('equity', [row('pcn', 'U22222', '2025/26', { group: 'HILLTOP PCN' })]),
  ];
}
