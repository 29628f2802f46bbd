import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsApi } from '../../functions/api/metrics-api.ts';
import type { Identity } from '../../functions/auth/scope.ts';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { tempDir } from '../support/files.ts';
import {
  disclosureFindings,
  type GoldenEvent,
  publishGolden,
  referralEvent,
  rowFinder,
  writeEventFiles,
} from '../support/golden.ts';

/*
 * Access by the deprivation of the PCN (equity, dimension pcn_imd_quintile): a quintile cell is published for England
 * and the regions only, and at each level for a year only where every cell of that level holds 3 or more PCNs (a cell
 * of one PCN is that PCN's figures; of two, either PCN takes its own away to get the other's). Never for ICBs.
 * docs/methodology.md, Equity. Worked out by hand.
 *
 * Quintiles from NHS Digital's PCN IMD 2019 (decile among PCNs; quintile 1 = deciles 1-2):
 *   Region Y56, ICB QWE: U00203 (q1, list 11,000); U00147 and U00254 (q2, 8,000 and 12,000); U00351, U00760 and U01092
 *     (q3, 20,000, 25,000 and 15,000). QWE's cells hold 1, 2 and 3 PCNs.
 *   Region Y56, ICB QKK: U01577 and U02275 (q1, 9,000 and 10,000); U00402 (q2, 10,000).
 *   Region Y58, ICB QSL, open from 2025-04-01: U02671 (q1, 36,000); U01901 and U01989 (q3, 14,000 and 10,000).
 * Each referral is one person. Referred on 2025-02-10 (FY 2024/25) and 2025-05-15 (FY 2025/26):
 *   2024/25: U00203 10, U01577 4, U02275 6 (q1 20); U00147 7, U00254 8, U00402 5 (q2 20); U00351 3, U00760 4,
 *            U01092 5 (q3 12).
 *   2025/26: U00203 12, U01577 3, U02275 5, U02671 14 (q1 34); U00147 6, U00254 9, U00402 5 (q2 20); U00351 2,
 *            U00760 3, U01092 10, U01901 6, U01989 7 (q3 28).
 * U00203's and U02671's 2025/26 referrals each have a link worker contact on 2025-08-31 (engaged): the last event, so
 * the data are as of 2025-08-31 and the engagement cohort is every referral (on or before 2025-05-31). Months with
 * data: February to August 2025, so 2024/25 has 2 months and 2025/26 has 5.
 *
 * 2024/25: region Y56's cells hold 3, 3 and 3 PCNs (Y58 not open): England's and Y56's rows are published.
 *   England (exact):  q1 20 people / 30,000 = 0.667 -> 0.7 per 1,000, a year x 12 / 2 = 4.0;
 *                     q2 20 / 30,000 -> 0.7, 4.0;  q3 12 / 60,000 = 0.2, 1.2.
 *   Y56 (rounded to 5, rates from the rounded count): q1 20 -> 0.7, 4.0; q2 20 -> 0.7, 4.0;
 *                     q3 12 -> 10: 10 / 60,000 = 0.167 -> 0.2, a year 1.0.
 * 2025/26: Y58's quintile 1 is U02671 alone (and QWE's is U00203 alone): no region row for the year, since a region
 *   left out would be England less the other regions. England's cells hold 4, 3 and 5 PCNs: published, exactly.
 *   England: q1 34 / 66,000 = 0.515 -> 0.5, a year x 12 / 5 = 1.236 -> 1.2; engaged 12 + 14 = 26;
 *            q2 20 / 30,000 -> 0.7, 1.6; q3 28 / 84,000 = 0.333 -> 0.3, 0.8.
 * Without the rule QWE's quintile 1 in 2025/26 would be U00203's 12 people (10 rounded) beside its list 11,000, and
 * Y58's quintile 1 U02671's 14 (15) and 14 engaged beside its list 36,000.
 */

interface Pcn {
  code: string;
  icb: string;
  region: string;
  list: number;
  from: string;
  people: [number, number];
}

const PCNS: Pcn[] = [
  { code: 'U00203', icb: 'QWE', region: 'Y56', list: 11_000, from: '2019-04-01', people: [10, 12] },
  { code: 'U00147', icb: 'QWE', region: 'Y56', list: 8_000, from: '2019-04-01', people: [7, 6] },
  { code: 'U00254', icb: 'QWE', region: 'Y56', list: 12_000, from: '2019-04-01', people: [8, 9] },
  { code: 'U00351', icb: 'QWE', region: 'Y56', list: 20_000, from: '2019-04-01', people: [3, 2] },
  { code: 'U00760', icb: 'QWE', region: 'Y56', list: 25_000, from: '2019-04-01', people: [4, 3] },
  { code: 'U01092', icb: 'QWE', region: 'Y56', list: 15_000, from: '2019-04-01', people: [5, 10] },
  { code: 'U01577', icb: 'QKK', region: 'Y56', list: 9_000, from: '2019-04-01', people: [4, 3] },
  { code: 'U02275', icb: 'QKK', region: 'Y56', list: 10_000, from: '2019-04-01', people: [6, 5] },
  { code: 'U00402', icb: 'QKK', region: 'Y56', list: 10_000, from: '2019-04-01', people: [5, 5] },
  { code: 'U02671', icb: 'QSL', region: 'Y58', list: 36_000, from: '2025-04-01', people: [0, 14] },
  { code: 'U01901', icb: 'QSL', region: 'Y58', list: 14_000, from: '2025-04-01', people: [0, 6] },
  { code: 'U01989', icb: 'QSL', region: 'Y58', list: 10_000, from: '2025-04-01', people: [0, 7] },
];
const ENGAGED = new Set(['U00203', 'U02671']);

const NAMES: Record<string, string> = { QWE: 'NHS West ICB', QKK: 'NHS Kay ICB', QSL: 'NHS Somerset ICB' };
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
${PCNS.map((p) => `${p.code},PCN ${p.code},${p.icb},${NAMES[p.icb]},${p.region},${p.region === 'Y56' ? 'London' : 'South West'},${p.list},${p.from},`).join('\n')}
`;

function uploads(): Record<string, GoldenEvent[]> {
  const files: Record<string, GoldenEvent[]> = {};
  for (const p of PCNS) {
    const rows: GoldenEvent[] = [];
    const [before, after] = p.people;
    for (let i = 1; i <= before; i++) rows.push(referralEvent(p.code, `${p.code}-A${i}`, '2025-02-10'));
    for (let i = 1; i <= after; i++) {
      const referral = referralEvent(p.code, `${p.code}-B${i}`, '2025-05-15');
      rows.push(referral);
      if (ENGAGED.has(p.code))
        rows.push({
          ...referral,
          event_id: `C-${p.code}-${i}`,
          event_type: 'contact',
          occurred_on: '2025-08-31',
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
    }
    files[`${p.code.toLowerCase()}.jsonl`] = rows;
  }
  return files;
}

const REFRESHED_AT = new Date('2025-09-02T00:00:00Z');
const dir = tempDir('equity-quintiles');
const docs = new Map<string, MetricDocument>();
const row = rowFinder(docs);
const quintileRows = (rows: readonly MetricRow[] | undefined) =>
  (rows ?? []).filter((r) => r.dimension === 'pcn_imd_quintile');
let api: MetricsApi;

beforeAll(async () => {
  const files = writeEventFiles(dir.path, uploads());
  const data = join(dir.path, 'data');
  const receipts = await publishGolden(data, files, REFERENCE, REFRESHED_AT, docs);
  expect(receipts.map((r) => [r.status, r.rows.rejected])).toEqual(files.map(() => ['accepted', 0]));
  api = new MetricsApi(new FsObjectStore(data));
}, 120_000);
afterAll(() => dir.remove());

const figures = ['people_referred', 'engagement_cohort', 'engaged', 'list_size', 'months'];
const ratesOf = ['people_referred_per_1000', 'people_referred_per_1000_annualised'];
const pick = (r: MetricRow) => [r.level, r.code, r.period, r.group, ...[...figures, ...ratesOf].map((c) => r[c])];

describe('equity by PCN deprivation quintile: England and regions, only where every cell holds 3 or more PCNs', () => {
  it('the data are as worked out (as of 2025-08-31; 2 and 5 months)', () => {
    expect(docs.get('equity')?.data_as_of).toBe('2025-08-31');
    expect(row('rollout', 'pcn', 'U02671', '2025/26')).toMatchObject({ people_referred: 15 });
  });

  it('publishes exactly these rows: England both years, Y56 in 2024/25, no ICB and no region in 2025/26', () => {
    expect(quintileRows(docs.get('equity')?.rows).map(pick)).toEqual([
      // level, code, period, quintile, people, cohort, engaged, list, months, per 1,000, a year
      ['national', 'ENG', '2024/25', '1', 20, 20, 0, 30_000, 2, 0.7, 4],
      ['national', 'ENG', '2024/25', '2', 20, 20, 0, 30_000, 2, 0.7, 4],
      ['national', 'ENG', '2024/25', '3', 12, 12, 0, 60_000, 2, 0.2, 1.2],
      ['national', 'ENG', '2025/26', '1', 34, 34, 26, 66_000, 5, 0.5, 1.2],
      ['national', 'ENG', '2025/26', '2', 20, 20, 0, 30_000, 5, 0.7, 1.6],
      ['national', 'ENG', '2025/26', '3', 28, 28, 0, 84_000, 5, 0.3, 0.8],
      ['region', 'Y56', '2024/25', '1', 20, 20, 0, 30_000, 2, 0.7, 4],
      ['region', 'Y56', '2024/25', '2', 20, 20, 0, 30_000, 2, 0.7, 4],
      ['region', 'Y56', '2024/25', '3', 10, 10, 0, 60_000, 2, 0.2, 1],
    ]);
  });

  it('no published quintile row has the list size of a single PCN, and the disclosure scan finds nothing', () => {
    const lists = new Set(PCNS.map((p) => p.list));
    expect(quintileRows(docs.get('equity')?.rows).filter((r) => lists.has(Number(r.list_size)))).toEqual([]);
    expect(disclosureFindings(docs, REFERENCE)).toEqual([]);
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

  it('every quintile row U00147 can see covers 3 or more PCNs: England, and its region in 2024/25', async () => {
    const json = await get(pcnUser, '/api/metrics/equity');
    expect(quintileRows(JSON.parse(json.body).rows).map((r) => [r.level, r.code, r.period, r.group])).toEqual([
      ['national', 'ENG', '2024/25', '1'],
      ['national', 'ENG', '2024/25', '2'],
      ['national', 'ENG', '2024/25', '3'],
      ['national', 'ENG', '2025/26', '1'],
      ['national', 'ENG', '2025/26', '2'],
      ['national', 'ENG', '2025/26', '3'],
      ['region', 'Y56', '2024/25', '1'],
      ['region', 'Y56', '2024/25', '2'],
      ['region', 'Y56', '2024/25', '3'],
    ]);
  });

  it("a London region user sees no South West quintile row where U02671 is alone (CSV and JSON)", async () => {
    const region: Identity = { role: 'region', code: 'Y56', subject: 'test' };
    const csv = await get(region, '/api/metrics/equity.csv', 'level=region&code=Y58&period=2025/26');
    expect(csv.status).toBe(200);
    expect(csv.body.split('\r\n').filter((l) => l.includes('pcn_imd_quintile'))).toEqual([]);
    const json = await get(region, '/api/metrics/equity', 'level=icb&code=QSL');
    expect(quintileRows(JSON.parse(json.body).rows)).toEqual([]);
  });
});
