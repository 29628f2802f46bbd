import { beforeAll, describe, expect, it } from 'vitest';
import { MetricsApi } from '../../functions/api/metrics-api.ts';
import type { Identity } from '../../functions/auth/scope.ts';
import type { MetricRow } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { type GoldenEvent, referralEvent } from '../support/golden.ts';
import { goldenProgramme } from '../support/golden-programme.ts';
import { quintileFindings } from '../support/quintile-audit.ts';

/*
 * Access by the deprivation of the PCN (equity, dimension pcn_imd_quintile): a quintile cell is published for England
 * and the regions only, and at each level for a year only where every cell of that level holds 3 or more PCNs (a cell
 * of one PCN is that PCN's figures; of two, either PCN takes its own away to get the other's) and no cell is left
 * with one PCN when one of its parts (an ICB or region, whose users see their own PCNs) is taken away. Never for ICBs.
 * docs/methodology.md, Equity. Worked out by hand.
 *
 * Quintiles from NHS Digital's PCN IMD 2019 (decile among PCNs; quintile 1 = deciles 1-2). PCN: list, people referred
 * on 2025-02-10 (FY 2024/25) and on 2025-05-15 (FY 2025/26), each referral one person:
 *   Region Y56, ICB QWE: U00203 q1 11,000 10 12 | U00147 q2 8,000 7 6 | U00254 q2 12,000 8 9 |
 *                        U00351 q3 20,000 3 2 | U00760 q3 25,000 4 3 | U01092 q3 15,000 5 10
 *     QWE's cells hold 1, 2 and 3 PCNs.
 *   Region Y56, ICB QKK: U01577 q1 9,000 4 3 | U02275 q1 10,000 6 5 | U00402 q2 10,000 5 5 | U02749 q3 10,000 2 4
 *   Region Y56, ICB QEE: U02731 q1 5,000 3 4 | U03153 q1 15,000 7 6 | U01198 q2 20,000 5 5 | U02610 q3 10,000 3 6
 *   Region Y58, ICB QSL, open from 2025-04-01: U02671 q1 36,000 - 14 | U03379 q1 14,000 - 6 |
 *                        U01901 q3 10,000 - 6 | U01989 q3 10,000 - 7
 * U00203's and U02671's 2025/26 referrals each have a link worker contact on 2025-08-15, the last day of their
 * 3-month engagement window (15 May + 3 months), so they are engaged (a contact on 2025-08-31 would be outside it:
 * review2 F3). The data are as of 2025-08-31 (the refresh on 2025-09-02; every PCN sends a care coordinator contact in
 * each month it is open, so each month to August is complete) and the engagement cohort is every referral (on or
 * before 2025-05-31). Months with data: February to August 2025, so 2024/25 has 2 months and 2025/26 has 5.
 *
 * 2024/25 (Y56 alone): Y56's cells hold 5, 4 and 5 PCNs; less QWE's part 4, 2, 2; less QKK's 3, 3, 4; less QEE's 3, 3,
 *   4: none is 1, so the quintile rule allows England's and Y56's rows. Y56 is all of England that year; England's
 *   quintile rows are a group of PCNs, rounded like Y56's (were they exact, the audit would leave Y56's out), so both
 *   publish: q1 10 + 4 + 6 + 3 + 7 = 30 people / 50,000 = 0.6 per 1,000, a year x 12 / 2 = 3.6;
 *   q2 7 + 8 + 5 + 5 = 25 / 50,000 = 0.5, 3.0;  q3 3 + 4 + 5 + 2 + 3 = 17 -> 15: 15 / 80,000 = 0.1875 -> 0.2, a year
 *   1.125 -> 1.1. Against rollout's PCN rows (U00203 10, U00254 10, the others *) no * is pinned: q3's five are all *.
 * 2025/26: Y58's quintile 1 holds 2 PCNs (U02671 and U03379; either would get the other's): no region row for the
 *   year. England's cells hold 7, 4 and 7 PCNs, less any region or ICB at least 2: published, rounded.
 *   England: q1 12 + 3 + 5 + 4 + 6 + 14 + 6 = 50 / 100,000 = 0.5, a year x 12 / 5 = 1.2; engaged 12 + 14 = 26 -> 25;
 *            q2 6 + 9 + 5 + 5 = 25 / 50,000 = 0.5, 1.2; q3 2 + 3 + 10 + 4 + 6 + 6 + 7 = 38 -> 40 / 100,000 = 0.4,
 *            a year 0.96 -> 1.
 * Without the rule QWE's quintile 1 in 2025/26 would be U00203's 12 people (10 rounded) beside its list 11,000.
 */

interface Pcn {
  code: string;
  icb: string;
  region: string;
  quintile: string;
  list: number;
  from: string;
  people: [number, number];
}

const pcn = (code: string, icb: string, quintile: string, list: number, before: number, after: number): Pcn => ({
  code,
  icb,
  region: icb === 'QSL' ? 'Y58' : 'Y56',
  quintile,
  list,
  from: icb === 'QSL' ? '2025-04-01' : '2019-04-01',
  people: [before, after],
});

const PCNS: Pcn[] = [
  pcn('U00203', 'QWE', '1', 11_000, 10, 12),
  pcn('U00147', 'QWE', '2', 8_000, 7, 6),
  pcn('U00254', 'QWE', '2', 12_000, 8, 9),
  pcn('U00351', 'QWE', '3', 20_000, 3, 2),
  pcn('U00760', 'QWE', '3', 25_000, 4, 3),
  pcn('U01092', 'QWE', '3', 15_000, 5, 10),
  pcn('U01577', 'QKK', '1', 9_000, 4, 3),
  pcn('U02275', 'QKK', '1', 10_000, 6, 5),
  pcn('U00402', 'QKK', '2', 10_000, 5, 5),
  pcn('U02749', 'QKK', '3', 10_000, 2, 4),
  pcn('U02731', 'QEE', '1', 5_000, 3, 4),
  pcn('U03153', 'QEE', '1', 15_000, 7, 6),
  pcn('U01198', 'QEE', '2', 20_000, 5, 5),
  pcn('U02610', 'QEE', '3', 10_000, 3, 6),
  pcn('U02671', 'QSL', '1', 36_000, 0, 14),
  pcn('U03379', 'QSL', '1', 14_000, 0, 6),
  pcn('U01901', 'QSL', '3', 10_000, 0, 6),
  pcn('U01989', 'QSL', '3', 10_000, 0, 7),
];
const ENGAGED = new Set(['U00203', 'U02671']);

const NAMES: Record<string, string> = {
  QWE: 'NHS West ICB',
  QKK: 'NHS Kay ICB',
  QEE: 'NHS East ICB',
  QSL: 'NHS Somerset ICB',
};
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
${PCNS.map((p) => `${p.code},PCN ${p.code},${p.icb},${NAMES[p.icb]},${p.region},${p.region === 'Y56' ? 'London' : 'South West'},${p.list},${p.from},`).join('\n')}
`;

/** A link worker's telephone contact on `referral`'s episode. */
const contactOn = (referral: GoldenEvent, occurred_on: string): GoldenEvent => ({
  ...referral,
  event_type: 'contact',
  occurred_on,
  referral_source: '',
  referral_reasons: '',
  snomed_code: '',
  age_band: '',
  sex: '',
  ethnicity_group: '',
  imd_decile: '',
  contact_mode: 'telephone',
  worker_role: 'splw',
  duration_minutes: 30,
});

function uploads(): Record<string, GoldenEvent[]> {
  const files: Record<string, GoldenEvent[]> = {};
  for (const p of PCNS) {
    const rows: GoldenEvent[] = [];
    const [before, after] = p.people;
    for (let i = 1; i <= before; i++) rows.push(referralEvent(p.code, `${p.code}-A${i}`, '2025-02-10'));
    for (let i = 1; i <= after; i++) {
      const referral = referralEvent(p.code, `${p.code}-B${i}`, '2025-05-15');
      rows.push(referral);
      if (ENGAGED.has(p.code)) rows.push({ ...contactOn(referral, '2025-08-15'), event_id: `C-${p.code}-${i}` });
    }
    // Every PCN sends something in each month it is open, so each month to August is complete (data as of,
    // docs/methodology.md): a care coordinator contact on its first referral, which no figure here counts.
    const first = rows[0] as GoldenEvent;
    for (const month of ['03', '04', '06', '07', '08'])
      if (`2025-${month}-01` >= p.from)
        rows.push({
          ...contactOn(first, `2025-${month}-20`),
          event_id: `CC-${p.code}-${month}`,
          worker_role: 'cc',
        });
    files[`${p.code.toLowerCase()}.jsonl`] = rows;
  }
  return files;
}

const golden = goldenProgramme('equity-quintiles', {
  uploads: uploads(),
  reference: REFERENCE,
  now: new Date('2025-09-02T00:00:00Z'),
});
const { docs, row } = golden;
const quintileRows = (rows: readonly MetricRow[] | undefined) =>
  (rows ?? []).filter((r) => r.dimension === 'pcn_imd_quintile');
let api: MetricsApi;
// After the programme is published (hooks run in the order they are registered).
beforeAll(() => {
  api = new MetricsApi(new FsObjectStore(golden.dataDir));
});

const figures = ['people_referred', 'engagement_cohort', 'engaged', 'list_size', 'months'];
const ratesOf = ['people_referred_per_1000', 'people_referred_per_1000_annualised'];
const pick = (r: MetricRow) => [r.level, r.code, r.period, r.group, ...[...figures, ...ratesOf].map((c) => r[c])];

describe('equity by PCN deprivation quintile: England and regions, only where every cell holds 3 or more PCNs', () => {
  it('the data are as worked out (as of 2025-08-31; 2 and 5 months)', () => {
    expect(docs.get('equity')?.data_as_of).toBe('2025-08-31');
    expect(row('rollout', 'pcn', 'U02671', '2025/26')).toMatchObject({ people_referred: 15 });
    expect(row('rollout', 'national', 'ENG', '2025/26')).toMatchObject({ people_referred: 113 }); // 50 + 25 + 38
  });

  it('publishes exactly these rows: England both years, Y56 in 2024/25, no ICB, all rounded', () => {
    // England's quintile rows count a group of PCNs, not England: rounded to 5 like counts below England (review,
    // finding 3), the rates from the rounded counts. So Y56's 2024/25 rows (all of England that year) are no longer
    // made exact by England's, and are published: the same rounded figures.
    expect(quintileRows(docs.get('equity')?.rows).map(pick)).toEqual([
      // level, code, period, quintile, people, cohort, engaged, list, months, per 1,000, a year
      ['national', 'ENG', '2024/25', '1', 30, 30, 0, 50_000, 2, 0.6, 3.6],
      ['national', 'ENG', '2024/25', '2', 25, 25, 0, 50_000, 2, 0.5, 3],
      // 17 -> 15: 15 / 80,000 = 0.1875 -> 0.2 per 1,000; x 12 / 2 = 1.125 -> 1.1
      ['national', 'ENG', '2024/25', '3', 15, 15, 0, 80_000, 2, 0.2, 1.1],
      // engaged 26 -> 25
      ['national', 'ENG', '2025/26', '1', 50, 50, 25, 100_000, 5, 0.5, 1.2],
      ['national', 'ENG', '2025/26', '2', 25, 25, 0, 50_000, 5, 0.5, 1.2],
      // 38 -> 40: 40 / 100,000 = 0.4 per 1,000; x 12 / 5 = 0.96 -> 1
      ['national', 'ENG', '2025/26', '3', 40, 40, 0, 100_000, 5, 0.4, 1],
      ['region', 'Y56', '2024/25', '1', 30, 30, 0, 50_000, 2, 0.6, 3.6],
      ['region', 'Y56', '2024/25', '2', 25, 25, 0, 50_000, 2, 0.5, 3],
      ['region', 'Y56', '2024/25', '3', 15, 15, 0, 80_000, 2, 0.2, 1.1],
    ]);
  });

  it('no published quintile row has the list size of a single PCN, and the disclosure scan finds nothing', () => {
    const lists = new Set(PCNS.map((p) => p.list));
    expect(quintileRows(docs.get('equity')?.rows).filter((r) => lists.has(Number(r.list_size)))).toEqual([]);
    expect(golden.disclosureFindings()).toEqual([]);
  });

  it('what was published gives away no PCN by linear algebra, with any insider; regions in 2025/26 would have', () => {
    const open2024 = PCNS.filter((p) => p.from < '2025-04-01');
    expect(quintileFindings(open2024, { regions: true, icbs: false })).toEqual([]);
    expect(quintileFindings(PCNS, { regions: false, icbs: false })).toEqual([]);
    expect(quintileFindings(PCNS, { regions: true, icbs: false })).toEqual([
      'anyone: QSL q1 (2 PCNs)',
      'anyone: QSL q3 (2 PCNs)',
    ]);
    // And ICB cells, as published before: QWE's quintile 1 (U00203 alone) and 2, QKK's, QEE's and QSL's small ones.
    expect(quintileFindings(open2024, { regions: true, icbs: true }).filter((f) => f.startsWith('anyone'))).toEqual([
      'anyone: QEE q2 (1 PCN)',
      'anyone: QEE q3 (1 PCN)',
      'anyone: QKK q2 (1 PCN)',
      'anyone: QKK q3 (1 PCN)',
      'anyone: QWE q1 (1 PCN)',
      'anyone: QEE q1 (2 PCNs)',
      'anyone: QKK q1 (2 PCNs)',
      'anyone: QWE q2 (2 PCNs)',
    ]);
  });
});

describe("the API: a PCN cannot obtain another PCN's figures through equity", () => {
  const pcnUser: Identity = { role: 'pcn', code: 'U00147', subject: 'test' };
  const get = async (identity: Identity, path: string, query = '') => {
    const response = await api.handle({ method: 'GET', path, query: new URLSearchParams(query), identity });
    return { status: response.status, body: response.encoded ? response.encoded.identity.toString() : response.body };
  };

  it('U00147 is refused U00203 directly, and its ICB QWE has no quintile rows, as CSV or JSON', async () => {
    expect((await get(pcnUser, '/api/metrics/pcn_comparison', 'level=pcn&code=U00203')).status).toBe(403);
    const csv = await get(pcnUser, '/api/metrics/equity.csv', 'level=icb&code=QWE&period=2025/26');
    expect(csv.status).toBe(200);
    const lines = csv.body.split('\r\n');
    expect(lines.filter((l) => l.startsWith('icb,QWE,fy,2025/26,sex,'))).toHaveLength(1); // the ICB's other rows are there
    expect(lines.filter((l) => l.includes('pcn_imd_quintile'))).toEqual([]);
    const json = await get(pcnUser, '/api/metrics/equity', 'level=icb&code=QWE');
    expect(json.status).toBe(200);
    expect(quintileRows(JSON.parse(json.body).rows)).toEqual([]);
  });

  it('every quintile row U00147 can see covers 3 or more PCNs: England, and its region Y56 in 2024/25', async () => {
    const json = await get(pcnUser, '/api/metrics/equity');
    expect(quintileRows(JSON.parse(json.body).rows).map((r) => [r.level, r.code, r.period, r.group])).toEqual([
      ['national', 'ENG', '2024/25', '1'],
      ['national', 'ENG', '2024/25', '2'],
      ['national', 'ENG', '2024/25', '3'],
      ['national', 'ENG', '2025/26', '1'],
      ['national', 'ENG', '2025/26', '2'],
      ['national', 'ENG', '2025/26', '3'],
      // Y56's cells hold 5, 4 and 5 PCNs
      ['region', 'Y56', '2024/25', '1'],
      ['region', 'Y56', '2024/25', '2'],
      ['region', 'Y56', '2024/25', '3'],
    ]);
  });

  it('a London region user sees no South West quintile row, where U02671 and U03379 are alone (CSV and JSON)', async () => {
    const region: Identity = { role: 'region', code: 'Y56', subject: 'test' };
    const csv = await get(region, '/api/metrics/equity.csv', 'level=region&code=Y58&period=2025/26');
    expect(csv.status).toBe(200);
    expect(csv.body.split('\r\n').filter((l) => l.includes('pcn_imd_quintile'))).toEqual([]);
    const json = await get(region, '/api/metrics/equity', 'level=icb&code=QSL');
    expect(quintileRows(JSON.parse(json.body).rows)).toEqual([]);
  });
});
