// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetricRow } from '../../../functions/contract/metrics.ts';
import { endPageTest, pageMeta, renderPage, stubPageGlobals } from '../test-support/page.tsx';
import WorkforcePage, {
  accreditedContext,
  caseloadWithheld,
  coveredCaseload,
  hasNoLinkWorker,
  reportingCoverage,
  snapshotCoverage,
} from './WorkforcePage.tsx';

/*
 * FTE per 10,000 and caseload are over the PCNs that sent a workforce snapshot (docs/methodology.md, Workforce; red-team
 * review 6, K7): the Workforce card says how many of the PCNs in force that is, and where PCNs that referred people
 * sent no snapshot it says why there is no caseload rather than showing one that counts their people against no FTE.
 */
const META = pageMeta({
  generated_at: '2026-12-01T06:00:00Z',
  data_as_of: '2025-05-31',
  financial_years: ['2025/26'],
  targets: { accredited_pct: 90, caseload_min: 200, caseload_max: 250 },
});

const month = {
  level: 'national',
  code: 'ENG',
  period_type: 'month',
  period: '2025-05',
  splw_fte: 1284.5,
  splw_fte_per_10000: 0.9,
  pcns_reporting: 1284,
  pcns: 1300,
} as unknown as MetricRow;

const yearRow = (without: number, caseload: number | null) =>
  ({
    level: 'national',
    code: 'ENG',
    period_type: 'fy',
    period: '2025/26',
    pcns_reporting: 1283.5,
    pcns: 1300,
    referral_months: 2,
    pcns_referring_without_snapshot: without,
    caseload: caseload === null ? null : caseload / 6,
    caseload_annualised: caseload,
  }) as unknown as MetricRow;

let year: MetricRow = yearRow(16, null);

beforeEach(() =>
  stubPageGlobals((url) => ({
    name: 'workforce',
    description: 'Workforce.',
    rows: url.searchParams.get('level') === 'national' ? [month, year] : [],
  })),
);
afterEach(endPageTest);

async function show() {
  renderPage(<WorkforcePage />, META, { level: 'national', code: 'ENG', name: 'England' }, '2025/26');
  await waitFor(() => expect(screen.getByTestId('kpi-splw-fte').textContent).not.toBe('–'));
}

describe('the Workforce card states which PCNs its rates cover', () => {
  it('says the coverage of FTE per 10,000: PCNs that sent a snapshot of the PCNs in force', async () => {
    year = yearRow(0, 225);
    await show();
    expect(screen.getByText(/per 10,000 patients of the PCNs reporting/).textContent).toBe(
      '0.90 per 10,000 patients of the PCNs reporting (about 1 expected); 1,284 of 1,300 PCNs sent a snapshot',
    );
    // Every PCN that referred people sent a snapshot: the caseload is shown, and says so.
    expect(screen.getByTestId('kpi-caseload').textContent).toBe('225');
    expect(screen.queryByTestId('caseload-withheld')).toBeNull();
    expect(screen.getByText(/every PCN that referred people sent a/)).toBeTruthy();
  });

  it('says why there is no caseload where PCNs that referred people sent no snapshot', async () => {
    year = yearRow(16, null);
    await show();
    expect(screen.getByTestId('kpi-caseload').textContent).toBe('–');
    expect(screen.getByTestId('caseload-withheld').textContent).toBe(
      'people referred per link worker FTE a year, not shown: 16 PCNs that referred people this year sent no workforce ' +
        'snapshot, so their people have no link worker FTE beside them (1,284 of 1,300 PCNs sent a snapshot, a mean of ' +
        'the months); expected 200–250 a year',
    );
  });

  it("shows England's caseload over the PCNs that sent a snapshot, with its coverage, where not every PCN did", async () => {
    // The national demo's shape: 16 PCNs referred people without a snapshot; the 1,268 covered hold 96% of the people.
    // 37 people per FTE in 2 months is 37 x 12 / 2 = 222 a year.
    year = {
      ...yearRow(16, null),
      caseload_pcns: 1268,
      caseload_covered: 37,
      caseload_covered_annualised: 222,
      caseload_coverage_pct: 96,
    } as unknown as MetricRow;
    await show();
    expect(screen.getByTestId('kpi-caseload').textContent).toBe('222');
    expect(screen.queryByTestId('caseload-withheld')).toBeNull();
    expect(screen.getByTestId('caseload-covered').textContent).toBe(
      'people referred per link worker FTE a year (pro rata from 37 in 2 months), over the 1,268 PCNs that sent a ' +
        'snapshot for each month of referral data whose snapshots are due, holding 96% of the people referred (16 PCNs that referred people this year ' +
        'sent no workforce snapshot, so their people have no link worker FTE beside them); expected 200–250 a year',
    );
    // Withheld (it would give away the PCNs left out): the reason for no caseload, as before.
    expect(coveredCaseload({ ...year, caseload_covered_annualised: null } as unknown as MetricRow)).toBeUndefined();
    // A caseload over every PCN: that one.
    expect(
      coveredCaseload({ ...yearRow(0, 225), caseload_covered_annualised: 225 } as unknown as MetricRow),
    ).toBeUndefined();
  });

  it('the texts on their own: one PCN, none, and a row without the figures', () => {
    expect(caseloadWithheld(yearRow(1, null))).toBe(
      'not shown: 1 PCN that referred people this year sent no workforce snapshot, so their people have no link worker FTE beside them',
    );
    // A later wave's PCNs sent snapshots before their referral data began (review 8, N6): that reason, beside the other.
    expect(caseloadWithheld({ ...yearRow(0, null), pcns_staffed_before_onboarding: 3 } as unknown as MetricRow)).toBe(
      'not shown: 3 PCNs sent workforce snapshots for months before their referral data begins, so their link workers ' +
        'have no people referred beside them',
    );
    expect(caseloadWithheld({ ...yearRow(2, null), pcns_staffed_before_onboarding: 1 } as unknown as MetricRow)).toBe(
      'not shown: 2 PCNs that referred people this year sent no workforce snapshot, so their people have no link ' +
        'worker FTE beside them; 1 PCN sent workforce snapshots for months before their referral data begins, so ' +
        'their link workers have no people referred beside them',
    );
    // A PCN's snapshots go on after its extract stopped (review 9, R9-3): that reason.
    expect(caseloadWithheld({ ...yearRow(0, null), pcns_staffed_after_reporting: 1 } as unknown as MetricRow)).toBe(
      'not shown: 1 PCN sent workforce snapshots for months after their last month of referral data (their extract ' +
        'stopped or is late), so their link workers have no people referred beside them',
    );
    // A PCN reported months it sent no snapshot for (review 26, R26-2): that reason for an area, none for the PCN's own
    // caseload, which is over its own months.
    expect(caseloadWithheld({ ...yearRow(0, null), pcns_missing_snapshot_months: 1 } as unknown as MetricRow)).toBe(
      'not shown: 1 PCN reported referral data for months they sent no workforce snapshot for (months whose snapshots ' +
        'are due), so their people of ' +
        'those months have no link worker FTE beside them',
    );
    expect(
      caseloadWithheld({ ...yearRow(0, 200), level: 'pcn', pcns_missing_snapshot_months: 1 } as unknown as MetricRow),
    ).toBeUndefined();
    expect(caseloadWithheld(yearRow(0, 225))).toBeUndefined();
    expect(caseloadWithheld(undefined)).toBeUndefined();
    expect(reportingCoverage(undefined)).toBe('– of – PCNs sent a snapshot');
  });
});

describe('the accredited training card says what it covers (review 27, R27-1, R27-10)', () => {
  const staff = (pct: number | null) =>
    ({
      ...month,
      splw_accredited: 820,
      splw_accredited_pct: pct,
      pcns_with_training: 900,
      pcns_with_headcount: 1000,
    }) as unknown as MetricRow;

  it('the PCNs that gave training of those that gave headcount (not of those reporting)', () => {
    expect(accreditedContext(staff(91.1), 90)).toBe(
      'of the link workers in the 900 of 1,000 PCNs giving headcount that gave training too; expected 90%',
    );
  });

  it("England's withheld where few PCNs gave headcount without training: the reason, not a blank", () => {
    expect(accreditedContext(staff(null), 90)).toBe(
      "not shown for England this month: fewer than 3 PCNs gave headcount without training, one of them has most of their link workers or each has 1, and England's headcount less the headcount where training was given would be theirs (of the link workers in the 900 of 1,000 PCNs giving headcount that gave training too; expected 90%)",
    );
    // Below England a null % is no training given: no such reason.
    expect(accreditedContext({ ...staff(null), level: 'icb' } as unknown as MetricRow, 90)).toBe(
      'of the link workers in the 900 of 1,000 PCNs giving headcount that gave training too; expected 90%',
    );
  });
});

describe('PCNs without a link worker: by FTE, which NHS Digital publishes, not headcount alone (review 31, R31-3)', () => {
  // Four PCNs in force, three sent a May 2025 snapshot with no headcount (NHS Digital's publication has FTE only):
  // P1 FTE 0 (no link worker: listed), P2 FTE * (1 to 7 people in post: not listed), P3 FTE 0 but headcount * (a
  // link worker by the published rule, headcount above 0: not listed). P4 sent none: not known, so not listed either.
  const pcnMeta = pageMeta({
    ...META,
    pcns: [
      { code: 'P1', name: 'FIRST PCN', parent: 'I1' },
      { code: 'P2', name: 'SECOND PCN', parent: 'I1' },
      { code: 'P3', name: 'THIRD PCN', parent: 'I1' },
      { code: 'P4', name: 'FOURTH PCN', parent: 'I1' },
    ],
  });
  const pcnRow = (code: string, fte: number | string, headcount: number | string | null) =>
    ({
      level: 'pcn',
      code,
      period_type: 'month',
      period: '2025-05',
      splw_fte: fte,
      splw_headcount: headcount,
      splw_vacancies_fte: null,
    }) as unknown as MetricRow;
  const areaMonth = { ...month, pcns_reporting: 3, pcns: 4, pcns_with_link_worker_pct: 66.7 } as unknown as MetricRow;

  beforeEach(() =>
    stubPageGlobals((url) => ({
      name: 'workforce',
      description: 'Workforce.',
      rows:
        url.searchParams.get('level') === 'pcn'
          ? [pcnRow('P1', 0, null), pcnRow('P2', '*', null), pcnRow('P3', 0, '*')]
          : [areaMonth, yearRow(0, 225)],
    })),
  );

  it('lists the PCN whose snapshot has FTE 0 and no headcount, and says what the list covers', async () => {
    renderPage(<WorkforcePage />, pcnMeta, { level: 'national', code: 'ENG', name: 'England' }, '2025/26');
    await waitFor(() => expect(screen.getByTestId('gaps-coverage')).toBeTruthy());
    expect(screen.getByTestId('gaps-coverage').textContent).toBe(
      '1 PCN with no link worker in post (3 of 4 PCNs sent a snapshot for May 2025; the link workers of the 1 PCN ' +
        'that sent none are not known).',
    );
    expect(screen.getByText('FIRST PCN')).toBeTruthy();
    expect(screen.queryByText('SECOND PCN')).toBeNull();
    expect(screen.queryByText('THIRD PCN')).toBeNull();
    expect(screen.queryByTestId('no-gaps')).toBeNull();
    // The "PCNs with a link worker" % says the same: of the PCNs that sent a snapshot (the card and the KPI).
    expect(screen.getAllByText(/3 of 4 PCNs sent a snapshot for May 2025; the link workers/)).toHaveLength(2);
  });

  it('the rule on its own: FTE 0 or headcount 0, and neither above 0', () => {
    expect(hasNoLinkWorker(pcnRow('P1', 0, null))).toBe(true);
    expect(hasNoLinkWorker(pcnRow('P1', '*', 0))).toBe(false);
    expect(hasNoLinkWorker(pcnRow('P1', 0, 0))).toBe(true);
    expect(hasNoLinkWorker(pcnRow('P1', 5, null))).toBe(false);
    // Neither figure: not known, not listed.
    expect(hasNoLinkWorker({ ...pcnRow('P1', 0, null), splw_fte: null } as unknown as MetricRow)).toBe(false);
    expect(snapshotCoverage(areaMonth, '2025-05')).toBe(
      '3 of 4 PCNs sent a snapshot for May 2025; the link workers of the 1 PCN that sent none are not known',
    );
    expect(snapshotCoverage({ ...areaMonth, pcns: 3 } as unknown as MetricRow, '2025-05')).toBe(
      '3 of 3 PCNs sent a snapshot for May 2025',
    );
  });
});
