import { describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import { alertsDocument, regionalAlertMessages } from '../../functions/refresh/alerts.ts';
import { DEFAULT_TARGETS } from '../../functions/refresh/catalogue.ts';
import { spcDocument } from '../../functions/refresh/spc-documents.ts';
import { metricDocument, monthsFrom } from '../support/documents.ts';

const doc = (name: string, rows: MetricRow[], extra: Partial<MetricDocument> = {}): MetricDocument => ({
  ...metricDocument({ generated_at: '2026-10-01T00:00:00.000Z', data_as_of: '2026-09-30' }, name, rows),
  ...extra,
});
const monthRow = (level: MetricRow['level'], code: string, period: string, figures: Record<string, unknown>) =>
  ({ level, code, period_type: 'month', period, ...figures }) as MetricRow;

// 10, 14 six times then 30: the last point is outside the upper limit (26.68), see test/unit/stats-spc.test.ts.
const SERIES = [10, 14, 10, 14, 10, 14, 10, 14, 10, 14, 10, 14, 30];
const MONTHS = monthsFrom('2025-04', 13);
const context = { targets: DEFAULT_TARGETS, generatedAt: '2026-10-01T00:00:00.000Z', dataAsOf: '2026-04-30' };

describe('the SPC document', () => {
  const rollout = doc('rollout', [
    ...MONTHS.map((m, i) =>
      monthRow('national', 'ENG', m, { referrals: SERIES[i], people_referred: SERIES[i], decline_rate_pct: 5 }),
    ),
    // 2025/26's people: its 12 months' people (6 x 10 + 6 x 14 = 144), no one referred in two months: the people
    // pace is a twelfth of the target (people-pace.ts, R19-8).
    { level: 'national', code: 'ENG', period_type: 'fy', period: '2025/26', people_referred: 144 } as MetricRow,
    // A PCN with one suppressed month.
    ...MONTHS.map((m, i) => monthRow('pcn', 'U00001', m, { referrals: i === 3 ? '*' : 20 })),
    // Review2 F4: a PCN whose referrals collapse into suppressed months (1 to 7) for the last 6 months.
    ...MONTHS.map((m, i) => monthRow('pcn', 'U00002', m, { referrals: i < 7 ? 20 : '*' })),
    // An ICB with 12 months of figures and none yet for the last (null): a run chart of 12 points.
    ...MONTHS.map((m, i) =>
      monthRow('icb', 'QAA', m, { referrals: i < 12 ? [30, 30, 30, 30, 30, 30, 35, 35, 35, 35, 35, 100][i] : null }),
    ),
    { ...monthRow('national', 'ENG', '2025/26', { referrals: 1 }), period_type: 'fy' },
  ]);
  const cofPerson = doc('cof_person', [
    ...MONTHS.map((m, i) => monthRow('national', 'ENG', m, { take_up_pct: i < 10 ? 80 : 10 })),
  ]);
  const spc = spcDocument([rollout, cofPerson], context);
  const find = (level: string, code: string, measure: string) =>
    spc.rows.find((r) => r.level === level && r.code === code && r.measure === measure);

  it('one row per area and measure: limits, rules by month, icons', () => {
    const referrals = find('national', 'ENG', 'referrals');
    expect(referrals).toMatchObject({
      period_type: 'all',
      period: 'all',
      improvement: 'up',
      target: null,
      points: 13,
      first_month: '2025-04',
      last_month: '2026-04',
      last_value: 30,
      mean: 13.38,
      upper_limit: 26.68,
      lower_limit: 0.08,
      variation: 'improvement_high',
      assurance: null,
      rules: { '2026-04': 'outside:high' },
    });
    expect(Object.keys(referrals?.values as object)).toEqual(MONTHS);
  });

  it("people referred carries England's monthly pace of the 900,000 target and the assurance icon", () => {
    // 900,000 / 12 x (144 / 144) = 75,000 is far above the upper limit 26.68: improving up, the target is consistently failed.
    expect(find('national', 'ENG', 'people_referred')).toMatchObject({ target: 75_000, assurance: 'fail' });
  });

  it('a series with a suppressed month is not charted: no mean, limits, rules or icons, and it says why', () => {
    const pcn = find('pcn', 'U00001', 'referrals');
    expect(pcn).toMatchObject({
      points: 0,
      suppressed_months: 1,
      not_charted:
        "Not charted month by month: 1 of 13 months suppressed (too few people to publish); see the yearly figures and its ICB's chart",
      mean: null,
      median: null,
      upper_limit: null,
      lower_limit: null,
      variation: null,
      assurance: null,
      rules: {},
      first_month: '2025-04',
      last_month: '2026-04',
      last_value: 20,
    });
    expect((pcn?.values as Record<string, unknown> | undefined)?.['2025-07']).toBe('*');
  });

  it('review2 F4: referrals collapsing into * months are not hidden behind a chart of the months before', () => {
    // Before: 7 points of 20 charted as consecutive, mean 20, last_month 2025-10, last_value 20 (six months stale).
    const pcn = find('pcn', 'U00002', 'referrals');
    expect(pcn).toMatchObject({
      points: 0,
      suppressed_months: 6,
      mean: null,
      variation: null,
      rules: {},
      last_month: '2026-04',
      last_value: '*',
    });
    expect(String(pcn?.not_charted)).toContain('6 of 13 months suppressed');
  });

  it('a charted series: nothing suppressed, last_month the latest month with a figure; a run chart about its median', () => {
    /*
     * 30 six times, 35 five times, 100: mean 455 / 12 = 37.92, median (30 + 35) / 2 = 32.5 (the 6th and 7th of 12
     * sorted). About the median the six 30s are a shift below and the six after them a shift above; about the mean (the
     * rule before) the eleven points before 100 were one shift below. The month without a figure (null) is no point.
     */
    expect(find('icb', 'QAA', 'referrals')).toMatchObject({
      points: 12,
      suppressed_months: 0,
      not_charted: null,
      mean: 37.92,
      median: 32.5,
      upper_limit: null,
      variation: null,
      last_month: '2026-03',
      last_value: 100,
      rules: Object.fromEntries(MONTHS.slice(0, 12).map((m, i) => [m, i < 6 ? 'shift:low' : 'shift:high'])),
    });
    expect(find('national', 'ENG', 'referrals')).toMatchObject({
      suppressed_months: 0,
      not_charted: null,
      median: null,
    });
  });

  it('engagement leaves out the 3 months before the data-as-of month (cohorts too young)', () => {
    // data as of 2026-04: months after 2026-01 are left out, so the two low months 2026-02 and 2026-03 are not charted.
    const engagement = find('national', 'ENG', 'engagement_pct');
    expect(engagement?.last_month).toBe('2026-01');
    expect(engagement?.points).toBe(10);
    expect(engagement?.target).toBe(80);
  });
});

describe('the alerts document', () => {
  const curve = [
    { n: 1000, lower95: 0, upper95: 0, lower998: 0.001, upper998: 0.012 },
    { n: 20_000, lower95: 0, upper95: 0, lower998: 0.004, upper998: 0.009 },
  ];
  const funnels = (position: string) =>
    doc(
      'pcn_comparison',
      [
        {
          level: 'pcn',
          code: 'U00002',
          period_type: 'fy',
          period: '2026/27',
          region_code: 'Y56',
          icb_code: 'QAA',
          exposure: 19_000,
          referral_rate: 10.5,
          referral_rate_vs_national: position,
          referral_rate_vs_region: 'within',
        },
      ],
      { summary: { funnel_rates: { '2026/27': { referral_rate: { curves: { national: curve, regions: {} } } } } } },
    );
  const spcRow = (variation: string) =>
    ({
      level: 'icb',
      code: 'QAA',
      period_type: 'all',
      period: 'all',
      measure: 'referrals',
      variation,
      last_month: '2026-09',
      last_value: 40,
      upper_limit: 90,
      lower_limit: 50,
    }) as MetricRow;
  const alertContext = {
    generatedAt: context.generatedAt,
    dataAsOf: '2026-09-30',
    placeOf: (level: string, code: string) =>
      level === 'icb' && code === 'QAA' ? { region_code: 'Y56', icb_code: 'QAA' } : {},
  };

  it('lists a PCN newly outside the adjusted limits and a new special cause of concern', () => {
    const alerts = alertsDocument(
      { funnels: funnels('high'), spc: doc('spc', [spcRow('concern_low')]) },
      { funnels: funnels('within'), spc: doc('spc', [spcRow('common_cause')]) },
      alertContext,
    );
    expect(alerts.rows).toEqual([
      {
        level: 'pcn',
        code: 'U00002',
        period_type: 'fy',
        period: '2026/27',
        region_code: 'Y56',
        icb_code: 'QAA',
        kind: 'funnel',
        measure: 'referral_rate',
        comparator: 'national',
        direction: 'high',
        figure: 10.5,
        // the published curve's nearest size to 19,000 is 20,000: upper 0.009 per 1,000 = 9
        limit: 9,
        message: 'Above the 99.8% limit around England (adjusted for overdispersion)',
        link: '/compare?fy=2026%2F27&pcn=U00002&measure=referral_rate',
        // The refresh that first listed it: this one (no earlier refresh of the release).
        first_listed: alertContext.generatedAt,
      },
      {
        level: 'icb',
        code: 'QAA',
        period_type: 'month',
        period: '2026-09',
        region_code: 'Y56',
        icb_code: 'QAA',
        kind: 'spc',
        measure: 'referrals',
        direction: 'low',
        figure: 40,
        limit: 50,
        message: 'Referrals: special cause of concern (lower) in 2026-09',
        link: '/trends?icb=QAA&measure=referrals',
        // The refresh that first listed it: this one (no earlier refresh of the release).
        first_listed: alertContext.generatedAt,
      },
    ]);
    expect(alerts.summary).toEqual({ compared_with: '2026-10-01T00:00:00.000Z', by_region: { Y56: 2 } });
  });

  it('lists nothing already signalled at the previous refresh, and everything current on the first', () => {
    const current = { funnels: funnels('high'), spc: doc('spc', [spcRow('concern_low')]) };
    expect(alertsDocument(current, current, alertContext).rows).toEqual([]);
    expect(alertsDocument(current, {}, alertContext).rows.map((r) => r.kind)).toEqual(['funnel', 'spc']);
    // improvement is not a concern
    const better = { funnels: funnels('within'), spc: doc('spc', [spcRow('improvement_high')]) };
    expect(alertsDocument(better, {}, alertContext).rows).toEqual([]);
  });
});

describe("the alerts document across a release that holds England's year (review 5 G5)", () => {
  const FY = '2026/27';
  const HELD = { reason: "England's year held, revision pending", release: '2026-09-01T00:00:00.000Z' };
  const curve = [{ n: 20_000, lower95: 0, upper95: 0, lower998: 0.004, upper998: 0.009 }];
  /*
   * One release's pcn_comparison: each PCN's referral-rate position against England (null: not published, as in a
   * release that holds England's year) and its region. A held release carries national_held in its funnel summary
   * and no England curve, as funnel-documents.ts publishes it.
   */
  const release = (generatedAt: string, positions: Record<string, string | null>, held = false) =>
    doc(
      'pcn_comparison',
      Object.entries(positions).map(
        ([code, position]) =>
          ({
            level: 'pcn',
            code,
            period_type: 'fy',
            period: FY,
            region_code: code === 'U00003' ? 'Y58' : 'Y56',
            icb_code: 'QAA',
            exposure: 19_000,
            referral_rate: 10.5,
            referral_rate_vs_national: position,
            referral_rate_vs_region: held && code === 'U00003' ? 'high' : 'within',
          }) as MetricRow,
      ),
      {
        generated_at: generatedAt,
        summary: {
          funnel_rates: {
            [FY]: {
              referral_rate: held
                ? { curves: { national: [], regions: { Y58: curve } }, national_held: HELD }
                : { curves: { national: curve, regions: {} } },
            },
          },
        },
      },
    );
  const spc = doc('spc', []);
  const context = { generatedAt: '2026-10-01T00:00:00.000Z', dataAsOf: '2026-09-30', placeOf: () => ({}) };
  // Each refresh compares with the release before it and that release's alerts, as refresh.ts reads them.
  const refreshes = (...funnels: MetricDocument[]) => {
    const out: MetricDocument[] = [];
    funnels.forEach((f, i) => {
      const previous = i === 0 ? {} : { funnels: funnels[i - 1], spc, alerts: out[i - 1] };
      out.push(alertsDocument({ funnels: f, spc }, previous, { ...context, generatedAt: String(f.generated_at) }));
    });
    return out;
  };
  const national = (alerts: MetricDocument | undefined) =>
    (alerts?.rows ?? []).filter((r) => r.comparator === 'national').map((r) => `${r.code} ${r.direction}`);
  // U00001 outside (low) before the hold and after it; U00002 within before and high after; U00003 in region Y58.
  const r0 = release('2026-08-01T00:00:00.000Z', { U00001: 'low', U00002: 'within', U00003: 'high' });
  const r1 = release('2026-09-01T00:00:00.000Z', { U00001: null, U00002: null, U00003: null }, true);
  const r2 = release('2026-10-01T00:00:00.000Z', { U00001: 'low', U00002: 'high', U00003: 'high' });

  it('a PCN outside before the hold and outside after it is not new; one that moved outside is', () => {
    const [a0, a1, a2] = refreshes(r0, r1, r2);
    expect(national(a0)).toEqual(['U00001 low', 'U00003 high']);
    // While held: no position against England, so no alert around England (regions' comparisons still alert).
    expect(national(a1)).toEqual([]);
    expect(a1?.rows.map((r) => `${r.code} ${r.comparator} ${r.direction}`)).toEqual(['U00003 region high']);
    // Before this fix r2 listed U00001 low and U00003 high again (r1's null differs from their side).
    expect(national(a2)).toEqual(['U00002 high']);
  });

  it('a suppressed figure raises no alert, even where a document published before gives it a position (R31-1)', () => {
    const published = release('2026-10-01T00:00:00.000Z', { U00001: 'low', U00002: 'within', U00003: 'within' });
    const suppressed = {
      ...published,
      rows: published.rows.map((r) => (r.code === 'U00001' ? { ...r, referral_rate: '*' } : r)),
    } as MetricDocument;
    // A `*` may hide a large count (secondary suppression): "below if its count is 1-7" was false for all 8 such
    // alerts in the demo. U00001 placed (a number) raises its alert; as `*`, none.
    expect(alertsDocument({ funnels: published, spc }, {}, context).rows.map((r) => r.code)).toEqual(['U00001']);
    expect(alertsDocument({ funnels: suppressed, spc }, {}, context).rows).toEqual([]);
  });

  it("the held release's summary says no England comparison was made and keeps the positions last published", () => {
    const [, a1] = refreshes(r0, r1);
    expect(a1?.summary).toEqual({
      compared_with: '2026-08-01T00:00:00.000Z',
      by_region: { Y58: 1 },
      national_held: {
        fy: FY,
        measures: ['referral_rate'],
        reason:
          "England's year held, revision pending: no PCN was compared with England this refresh, so no alert around England (alerts around regions were made)",
        release: '2026-09-01T00:00:00.000Z',
      },
      // r0's positions outside England's limits, filed by region (the API's scope shows a lead only their own).
      national_last_published: {
        fy: FY,
        release: '2026-08-01T00:00:00.000Z',
        by_region: { Y56: { U00001: { referral_rate: 'low' } }, Y58: { U00003: { referral_rate: 'high' } } },
      },
    });
    // Once the hold ends the summary has neither.
    const [, , a2] = refreshes(r0, r1, r2);
    expect(a2?.summary).toEqual({ compared_with: '2026-09-01T00:00:00.000Z', by_region: { Y56: 1 } });
  });

  it('positions are carried through consecutive held releases, and a change of side is new', () => {
    const r1b = release('2026-09-15T00:00:00.000Z', { U00001: null, U00002: null, U00003: null }, true);
    const [, , a1b, a2] = refreshes(r0, r1, r1b, r2);
    expect(a1b?.summary?.national_last_published).toEqual(
      expect.objectContaining({ release: '2026-08-01T00:00:00.000Z' }),
    );
    expect(national(a2)).toEqual(['U00002 high']);
    // U00001 low before the hold, high after: new.
    const flipped = release('2026-10-01T00:00:00.000Z', { U00001: 'high', U00002: 'within', U00003: 'high' });
    expect(national(refreshes(r0, r1, flipped)[2])).toEqual(['U00001 high']);
  });

  it("without the held release's record (its alerts lost) the last position is unknown: listed, as on a first refresh", () => {
    const [, a1] = refreshes(r0, r1);
    const noRecord = alertsDocument({ funnels: r2, spc }, { funnels: r1, spc }, context);
    expect(national(noRecord)).toEqual(['U00001 low', 'U00002 high', 'U00003 high']);
    // A record of another financial year is not this year's.
    const otherYear = {
      ...a1,
      summary: { ...a1?.summary, national_last_published: { fy: '2025/26', release: null, by_region: {} } },
    } as MetricDocument;
    expect(national(alertsDocument({ funnels: r2, spc }, { funnels: r1, spc, alerts: otherYear }, context))).toEqual([
      'U00001 low',
      'U00002 high',
      'U00003 high',
    ]);
    // A held release after one without a record leaves none either, so the unknown is not taken for "within".
    const r1b = release('2026-09-15T00:00:00.000Z', { U00001: null, U00002: null, U00003: null }, true);
    const a1b = alertsDocument({ funnels: r1b, spc }, { funnels: r1, spc }, context);
    expect(a1b.summary?.national_held).toMatchObject({ fy: FY, measures: ['referral_rate'] });
    expect(a1b.summary?.national_last_published).toBeUndefined();
  });
});

describe("each region's alert message (the SNS topic's e-mail)", () => {
  const alert = (code: string, region: string | undefined, figure: number, extra: Record<string, unknown> = {}) =>
    ({
      level: 'pcn',
      code,
      period_type: 'fy',
      period: '2026/27',
      ...(region ? { region_code: region } : {}),
      kind: 'funnel',
      measure: 'take_up_pct',
      comparator: 'national',
      direction: 'low',
      figure,
      limit: 61.5,
      message: 'Below the 99.8% limit around England (adjusted for overdispersion)',
      link: `/compare?fy=2026%2F27&pcn=${code}&measure=take_up_pct`,
      ...extra,
    }) as MetricRow;
  const alerts = doc('alerts', [
    alert('U00001', 'Y58', 52.5),
    alert('U00002', 'Y56', 48),
    alert('U00003', 'Y58', 40.25, { limit: null }),
    // England's own series concerns no region: it goes to no regional topic.
    { ...alert('ENG', undefined, 1), level: 'national', kind: 'spc', measure: 'referrals' } as MetricRow,
  ]);

  it('one message per region with alerts, in region order, listing only its own areas, with absolute links', () => {
    const messages = regionalAlertMessages(alerts, { dashboardUrl: 'https://sp.example.nhs.uk/' });
    expect(messages.map((m) => [m.region, m.subject, m.listed, m.alerts])).toEqual([
      ['Y56', 'Social prescribing: 1 new alert for region Y56', 1, 1],
      ['Y58', 'Social prescribing: 2 new alerts for region Y58', 2, 2],
    ]);
    expect(messages[1]?.message).toBe(
      [
        'What changed in region Y58 at the refresh of 2026-10-01T00:00:00.000Z (data to 2026-09-30).',
        '2 alerts: PCNs newly outside the 99.8% funnel limits adjusted for overdispersion, and series with a new special cause of concern. Figures below England are rounded, as published.',
        'All of them: https://sp.example.nhs.uk/trends?region=Y58',
        '',
        '- PCN U00001, Take-up: Below the 99.8% limit around England (adjusted for overdispersion). Figure 52.5, limit 61.5.',
        '  https://sp.example.nhs.uk/compare?fy=2026%2F27&pcn=U00001&measure=take_up_pct',
        '- PCN U00003, Take-up: Below the 99.8% limit around England (adjusted for overdispersion). Figure 40.25.',
        '  https://sp.example.nhs.uk/compare?fy=2026%2F27&pcn=U00003&measure=take_up_pct',
      ].join('\n'),
    );
  });

  it('sends only the alerts first listed at this refresh: a later refresh of the release keeps them on the panel (R21-6)', () => {
    // U00002 (Y56) was listed at the release's first refresh, 1 October; U00001 and U00003 (Y58) are new on 2 October.
    const later = doc(
      'alerts',
      [
        alert('U00001', 'Y58', 52.5, { first_listed: '2026-10-02T00:00:00.000Z' }),
        alert('U00002', 'Y56', 48, { first_listed: '2026-10-01T00:00:00.000Z' }),
        alert('U00003', 'Y58', 40.25, { first_listed: '2026-10-02T00:00:00.000Z' }),
      ],
      { generated_at: '2026-10-02T00:00:00.000Z' },
    );
    const messages = regionalAlertMessages(later, { dashboardUrl: 'https://sp.example.nhs.uk' });
    expect(messages.map((m) => [m.region, m.alerts])).toEqual([['Y58', 2]]);
  });

  it('a list too long for one message is cut at a whole alert, within the limit, saying how many are left', () => {
    const many = doc(
      'alerts',
      Array.from({ length: 2_000 }, (_, i) => alert(`U${String(i).padStart(5, '0')}`, 'Y56', i)),
    );
    const url = 'https://sp.example.nhs.uk';
    // Each alert is about 195 bytes here: 2,000 of them do not fit in SNS's 262,144.
    const [cut] = regionalAlertMessages(many, { dashboardUrl: url });
    const listed = cut?.listed ?? 0;
    const message = cut?.message ?? '';
    const left = `\n\n...and ${2_000 - listed} more on the dashboard.`;
    expect(listed).toBeGreaterThan(1_000);
    expect(listed).toBeLessThan(2_000);
    expect(message.endsWith(left)).toBe(true);
    expect(message.split('\n- PCN ').length).toBe(listed + 1);
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(262_144);
    // Cut as late as it could be: the next alert's line would not have fitted.
    const next = regionalAlertMessages(doc('alerts', [alert(`U${String(listed).padStart(5, '0')}`, 'Y56', listed)]), {
      dashboardUrl: url,
    })[0]?.message.split('\n\n- ')[1];
    expect(Buffer.byteLength(message) + Buffer.byteLength(`\n- ${next}`)).toBeGreaterThan(262_144);
  });
});
