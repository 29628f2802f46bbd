import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import { monthsOfFinancialYear } from '../../functions/contract/periods.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';
import { applyDisclosureControl } from '../../functions/refresh/disclosure.ts';
import { SCAN_SPEC, scanDocuments } from '../support/disclosure-scan.ts';

/*
 * Review 26's workforce findings, worked by hand on sql/prepare/populations.sql and sql/metrics/workforce.sql. ICB Q01
 * (region Y56), FY 2025/26 (12 months, every one published), two PCNs of list 50,000 each, link workers only:
 * - R26-2: UA and UB both report referral data all year, 400 people each. UA sends a snapshot every month (2 FTE); UB
 *   only October to March (2 FTE). Each PCN's own caseload is 400 / 2 = 200. Q01's FTE is (12 x 2 + 6 x 2) / 12 = 3,
 *   so 800 / 3 = 267 counted UB's April to September people against no link worker: withheld, with the PCNs that
 *   reported a month without a snapshot, 1 (UB), published. England's caseload over the PCNs covered leaves UB out:
 *   UA alone, 400 people, FTE 24 / 12 months = 2, 200 (was 267).
 * - R26-4: UB onboarded in October (reports and sends snapshots from October), 200 people, 2 FTE. Its caseload is
 *   200 / 2 = 100 in 6 months of referral data, 200 a year (was x 12 / its 12 months in force: 100). Q01: FTE 3,
 *   people 600, 200 over the area's 12 months.
 * - R26-6: UA gives 2 trained of 2 in post every month; UB (October to March) 2 in post, training not given. Q01:
 *   headcount (24 + 12) / 12 = 3, trained 24 / 12 = 2, of the link workers in post where training was given 24 / 12 =
 *   2: 100% (was 2 / 3 = 67%).
 */

const WORKFORCE = CATALOGUE.find((d) => d.name === 'workforce');

const months = (from: string) => monthsOfFinancialYear('2025/26').filter((m) => m >= from);

interface Case {
  /** UB's first month of referral data (and of its reporting span). */
  readonly ubReportsFrom: string;
  readonly ubPeople: number;
  /** UB's accredited training headcount, or NULL (not given). */
  readonly ubTrained: string;
}

/** A PCN of the hand-made data: its referral data, snapshots (link workers only) and place. */
interface Pcn {
  readonly code: string;
  readonly icb?: string;
  /** Its reporting span's first month (referral data; onboarded.first_month). */
  readonly reportsFrom: string;
  readonly people: number;
  /** Its months with a snapshot (from, through). */
  readonly snapshots: readonly [string, string];
  /** SQL literals of its snapshot's link worker headcount, FTE and accredited training headcount. */
  readonly headcount: string;
  readonly fte: string;
  readonly trained: string | ((month: string) => string);
}

/** The two PCNs of review 26's cases (UA all year, UB as the case says), in ICB Q01. */
const reviewCase = ({ ubReportsFrom, ubPeople, ubTrained }: Case): Pcn[] => [
  {
    code: 'UA',
    reportsFrom: '2025-04',
    people: 400,
    snapshots: ['2025-04', '2026-03'],
    headcount: '2',
    fte: '2',
    trained: '2',
  },
  {
    code: 'UB',
    reportsFrom: ubReportsFrom,
    people: ubPeople,
    snapshots: ['2025-10', '2026-03'],
    headcount: '2',
    fte: '2',
    trained: ubTrained,
  },
];

/**
 * sql/metrics/workforce.sql over the PCNs given, FY 2025/26 published through `through` (events of every month from
 * each PCN's first to it), each PCN of list 50,000 in region Y56.
 */
async function workforce(c: Case | readonly Pcn[], through = '2026-03'): Promise<Row[]> {
  const pcns = 'ubReportsFrom' in c ? reviewCase(c) : c;
  const published = months('2025-04').filter((m) => m <= through);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const run = (sql: string) => connection.run(sql);
    await run(`CREATE VIEW rollups AS ${loadSql('prepare/rollups')}`);
    await run(
      `CREATE TABLE onboarded AS SELECT * FROM (VALUES ${pcns.map((p) => `('${p.code}', '${p.reportsFrom}', '${through}')`).join(', ')}) AS o (pcn_code, first_month, last_month)`,
    );
    await run(`CREATE TABLE pcn_months (pcn_code VARCHAR, icb_code VARCHAR, region_code VARCHAR, month VARCHAR,
      fy VARCHAR, list_size BIGINT, reporting BOOLEAN)`);
    await run(
      `INSERT INTO pcn_months VALUES ${pcns
        .flatMap((p) =>
          published.map(
            (m) => `('${p.code}', '${p.icb ?? 'Q01'}', 'Y56', '${m}', '2025/26', 50000, ${m >= p.reportsFrom})`,
          ),
        )
        .join(', ')}`,
    );
    await run(`CREATE TABLE populations AS ${loadSql('prepare/populations')}`);
    await run('CREATE TABLE pcns (pcn_code VARCHAR, list_size BIGINT, valid_from DATE, valid_to DATE)');
    await run(`INSERT INTO pcns VALUES ${pcns.map((p) => `('${p.code}', 50000, DATE '2020-01-01', NULL)`).join(', ')}`);
    await run(
      'CREATE TABLE episodes (pcn_code VARCHAR, icb_code VARCHAR, region_code VARCHAR, fy VARCHAR, person_id VARCHAR)',
    );
    const people = (p: Pcn) =>
      Array.from(
        { length: p.people },
        (_, i) => `('${p.code}', '${p.icb ?? 'Q01'}', 'Y56', '2025/26', '${p.code}-${i}')`,
      );
    await run(`INSERT INTO episodes VALUES ${pcns.flatMap(people).join(', ')}`);
    await run(`CREATE VIEW repeated_people AS ${loadSql('prepare/repeated_people')}`);
    await run('CREATE TABLE moved_pcns (period_type VARCHAR, period VARCHAR, pcn_code VARCHAR)');
    await run(`CREATE TABLE workforce_in_force (pcn_code VARCHAR, icb_code VARCHAR, region_code VARCHAR, month VARCHAR,
      fy VARCHAR, role VARCHAR, headcount INTEGER, fte DOUBLE, accredited_training_headcount INTEGER,
      vacancies_fte DOUBLE)`);
    await run(
      `INSERT INTO workforce_in_force VALUES ${pcns
        .flatMap((p) =>
          months(p.snapshots[0])
            .filter((m) => m <= p.snapshots[1])
            .map(
              (m) =>
                `('${p.code}', '${p.icb ?? 'Q01'}', 'Y56', '${m}', '2025/26', 'splw', ${p.headcount}, ${p.fte}, ${typeof p.trained === 'string' ? p.trained : p.trained(m)}, NULL)`,
            ),
        )
        .join(', ')}`,
    );
    const rows = (await connection.runAndReadAll(loadSql('metrics/workforce'))).getRowObjectsJS() as Row[];
    // As the query engine returns them: whole numbers as numbers.
    return rows.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
    ) as Row[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const find = (rows: readonly Row[], level: string, code: string, period = '2025/26') =>
  rows.find((r) => r.level === level && r.code === code && r.period === period) as Row;
const derived = (row: Row) => WORKFORCE?.derive?.(row, {} as never) ?? {};

describe('workforce: caseload where a PCN sent snapshots for part of the months it reported (review 26, R26-2)', () => {
  it("an area's caseload is withheld, with the count of such PCNs; each PCN's own is shown", async () => {
    const rows = await workforce({ ubReportsFrom: '2025-04', ubPeople: 400, ubTrained: 'NULL' });
    for (const [level, code] of [
      ['icb', 'Q01'],
      ['region', 'Y56'],
      ['national', 'ENG'],
    ] as const) {
      const row = find(rows, level, code);
      expect(derived(row)).toMatchObject({ caseload: null, caseload_annualised: null });
      expect([level, row.splw_fte, row.people_referred, row.pcns_missing_snapshot_months]).toEqual([level, 3, 800, 1]);
    }
    expect(find(rows, 'pcn', 'UA').pcns_missing_snapshot_months).toBe(0);
    expect(find(rows, 'pcn', 'UB').pcns_missing_snapshot_months).toBe(1);
    expect(derived(find(rows, 'pcn', 'UA'))).toMatchObject({ caseload: 200, caseload_annualised: 200 });
    expect(derived(find(rows, 'pcn', 'UB'))).toMatchObject({ caseload: 200, caseload_annualised: 200 });
    // Month rows: UB's snapshot months say its year is left out of England's covered FTE (groupFigures' span).
    expect(find(rows, 'pcn', 'UB', '2025-10').pcns_missing_snapshot_months).toBe(1);
    expect(find(rows, 'pcn', 'UA', '2025-10').pcns_missing_snapshot_months).toBe(0);
    expect(find(rows, 'pcn', 'UA', '2025-04').pcns_missing_snapshot_months).toBe(0);
    expect(find(rows, 'icb', 'Q01', '2025-10').pcns_missing_snapshot_months).toBe(1);
    expect(find(rows, 'icb', 'Q01', '2025-04').pcns_missing_snapshot_months).toBe(0);
  });

  it("England's caseload over the PCNs covered leaves such a PCN out", async () => {
    const rows = await workforce({ ubReportsFrom: '2025-04', ubPeople: 400, ubTrained: 'NULL' });
    const england = find(rows, 'national', 'ENG');
    // UA alone: 400 people over (12 x 2) / 12 = 2 FTE; its FTE withheld (England's 3 less it is UB's alone), and the
    // rates with it (review 28: R28-2, and R28-3: UB alone is left out, England's 800 less 400 its own people).
    expect(england).toMatchObject({
      caseload_pcns: 1,
      caseload_people: 400,
      caseload_fte: null,
      caseload_covered: null,
      caseload_covered_annualised: null,
      caseload_coverage_pct: null,
    });
    const covered = WORKFORCE?.coveredShare?.covered;
    expect([covered?.(find(rows, 'pcn', 'UA')), covered?.(find(rows, 'pcn', 'UB'))]).toEqual([true, false]);
    const inSpan = WORKFORCE?.groupFigures?.span?.inSpan;
    expect([inSpan?.(find(rows, 'pcn', 'UA', '2025-10')), inSpan?.(find(rows, 'pcn', 'UB', '2025-10'))]).toEqual([
      true,
      false,
    ]);
  });
});

describe("workforce: a PCN's caseload is annualised over its months of referral data (review 26, R26-4)", () => {
  it('a PCN joining in October: 200 people in 6 months per 2 FTE is 200 a year', async () => {
    const rows = await workforce({ ubReportsFrom: '2025-10', ubPeople: 200, ubTrained: '2' });
    const ub = find(rows, 'pcn', 'UB');
    expect(derived(ub)).toMatchObject({ caseload: 100, caseload_annualised: 200 });
    expect([ub.referral_months, ub.pcns_missing_snapshot_months, ub.splw_fte, ub.people_referred]).toEqual([
      6, 0, 2, 200,
    ]);
    // The area keeps its own months: FTE (12 x 2 + 6 x 2) / 12 = 3, 600 people, 200 in 12 months.
    const icb = find(rows, 'icb', 'Q01');
    expect([icb.referral_months, icb.pcns_missing_snapshot_months, icb.splw_fte, icb.people_referred]).toEqual([
      12, 0, 3, 600,
    ]);
    expect(derived(icb)).toMatchObject({ caseload: 200, caseload_annualised: 200 });
  });
});

describe('workforce: accredited training % over the PCNs that gave training (review 26, R26-6)', () => {
  it('100% of the link workers whose training is known, where another PCN gave headcount only', async () => {
    const rows = await workforce({ ubReportsFrom: '2025-04', ubPeople: 400, ubTrained: 'NULL' });
    const icb = find(rows, 'icb', 'Q01');
    expect(derived(icb)).toMatchObject({ splw_accredited_pct: 100 });
    expect([
      icb.splw_headcount,
      icb.splw_accredited,
      icb.splw_headcount_training_known,
      icb.pcns_with_training,
    ]).toEqual([3, 2, 2, 1]);
    expect(derived(find(rows, 'pcn', 'UB'))).toMatchObject({ splw_accredited_pct: null });
  });
});

describe('workforce: snapshots a month behind events (review 27, R27-8)', () => {
  // UA and UB report April to November (published through November), 400 people each, and sent snapshots April to
  // October (2 FTE each): November's are not due yet (no PCN sent one), so no month is missed. Q01's FTE is (7 x 4) / 7
  // = 4 over its 7 months of snapshots, 800 people in its 8 months reported: caseload 800 / 4 = 200, a year 200 x 12 /
  // 8 = 300 (each PCN 400 / 2 = 200, 300 a year). England's covered: both PCNs, FTE 28 / 7 = 4, 200, 300, all the
  // people (100%). (Before: November counted missed for both, every area's caseload and England's covered withheld.)
  const pcns = (snapshotsTo: string): Pcn[] =>
    ['UA', 'UB'].map((code) => ({
      code,
      reportsFrom: '2025-04',
      people: 400,
      snapshots: ['2025-04', snapshotsTo],
      headcount: '2',
      fte: '2',
      trained: '2',
    }));

  it('area caseloads stand, annualised over the months reported', async () => {
    const rows = await workforce(pcns('2025-10'), '2025-11');
    for (const [level, code] of [
      ['icb', 'Q01'],
      ['region', 'Y56'],
      ['national', 'ENG'],
      ['pcn', 'UA'],
    ] as const) {
      const row = find(rows, level, code);
      const fte = level === 'pcn' ? 2 : 4;
      const people = level === 'pcn' ? 400 : 800;
      expect([level, row.months, row.referral_months, row.splw_fte, row.people_referred]).toEqual([
        level,
        7,
        8,
        fte,
        people,
      ]);
      expect([row.pcns_missing_snapshot_months, row.pcns_staffed_after_reporting]).toEqual([0, 0]);
      expect(derived(row)).toMatchObject({ caseload: 200, caseload_annualised: 300 });
    }
    const england = find(rows, 'national', 'ENG');
    expect(england).toMatchObject({ caseload_pcns: 2, caseload_people: 800, caseload_fte: 4 });
    expect(england.caseload_covered).toBeCloseTo(200, 9);
    expect(england.caseload_covered_annualised).toBeCloseTo(300, 9);
    expect(england.caseload_coverage_pct).toBeCloseTo(100, 9);
  });

  it("a PCN whose snapshots stopped while the other's went on is still counted, once its month is due", async () => {
    // UB's stop after September; UA sends October: October is due (1 of the 2 PCNs sending snapshots sent it, under
    // 90%, but November is not, and the latest month due is the latest that 90% sent: September). So October, the
    // month UA sent and UB did not, is not yet missed: with 10 PCNs, 9 sending October, it would be.
    const two = [...pcns('2025-10').slice(0, 1), { ...(pcns('2025-09')[1] as Pcn) }];
    const rows = await workforce(two, '2025-11');
    expect(find(rows, 'icb', 'Q01').pcns_missing_snapshot_months).toBe(0);
    // Snapshots to December for UA make November due for none and ... (see the ten-PCN case below).
    const ten: Pcn[] = Array.from({ length: 10 }, (_, i) => ({
      ...(pcns('2025-10')[0] as Pcn),
      code: `U${i}`,
      people: 10,
      snapshots: ['2025-04', i === 0 ? '2025-09' : '2025-10'],
    }));
    const tenRows = await workforce(ten, '2025-11');
    // October: 9 of 10 sent (90%), due; U0 missed it: counted, the areas' caseload withheld, U0's own shown.
    expect(find(tenRows, 'icb', 'Q01').pcns_missing_snapshot_months).toBe(1);
    expect(derived(find(tenRows, 'icb', 'Q01'))).toMatchObject({ caseload: null, caseload_annualised: null });
    expect(find(tenRows, 'pcn', 'U0').pcns_missing_snapshot_months).toBe(1);
    expect(find(tenRows, 'pcn', 'U1').pcns_missing_snapshot_months).toBe(0);
  });
});

describe('workforce: an area annualised over its months reported (review 27, R27-2)', () => {
  it('an ICB whose PCNs all joined in October reads the pace of its PCN', async () => {
    // Q01 = UB alone: reports and sends snapshots from October, 200 people, 2 FTE: caseload 200 / 2 = 100 in its 6
    // months reported, 100 x 12 / 6 = 200 a year, as UB's. Q02 = UA (all year, 400 people, 2 FTE): 200, 200 a year.
    // Region Y56 and England: FTE (12 x 2 + 6 x 2) / 12 = 3, 600 people, 12 months reported: 200, 200 a year.
    // (Before: Q01 annualised over the 12 months its PCN was in force, 100 a year.)
    const rows = await workforce([
      { ...(reviewCase({ ubReportsFrom: '2025-04', ubPeople: 400, ubTrained: '2' })[0] as Pcn), icb: 'Q02' },
      {
        code: 'UB',
        reportsFrom: '2025-10',
        people: 200,
        snapshots: ['2025-10', '2026-03'],
        headcount: '2',
        fte: '2',
        trained: '2',
      },
    ]);
    const expected: Array<[string, string, number, number, number, number, number]> = [
      // level, code, referral months, FTE, people, caseload, a year
      ['icb', 'Q01', 6, 2, 200, 100, 200],
      ['pcn', 'UB', 6, 2, 200, 100, 200],
      ['icb', 'Q02', 12, 2, 400, 200, 200],
      ['region', 'Y56', 12, 3, 600, 200, 200],
      ['national', 'ENG', 12, 3, 600, 200, 200],
    ];
    for (const [level, code, months, fte, people, caseload, year] of expected) {
      const row = find(rows, level, code);
      expect([level, code, row.referral_months, row.splw_fte, row.people_referred]).toEqual([
        level,
        code,
        months,
        fte,
        people,
      ]);
      expect(derived(row)).toMatchObject({ caseload, caseload_annualised: year });
    }
    expect(find(rows, 'national', 'ENG').caseload_covered_annualised).toBeCloseTo(200, 9);
  });
});

describe('workforce: the accredited % over the snapshots that gave both (review 27, R27-5)', () => {
  it('training given without headcount is in neither side: 100%, not 200%', async () => {
    // UA: 2 in post, 2 trained; UB: headcount not given, 2 FTE, 2 trained, every month. England: trained 2 (UA's:
    // UB's 2 have no headcount beside them), over UA's 2 in post: 100% (before: 4 / 2 = 200%), 1 PCN with training.
    const rows = await workforce([
      {
        code: 'UA',
        reportsFrom: '2025-04',
        people: 10,
        snapshots: ['2025-04', '2026-03'],
        headcount: '2',
        fte: '2',
        trained: '2',
      },
      {
        code: 'UB',
        reportsFrom: '2025-04',
        people: 10,
        snapshots: ['2025-04', '2026-03'],
        headcount: 'NULL',
        fte: '2',
        trained: '2',
      },
    ]);
    for (const [level, code] of [
      ['icb', 'Q01'],
      ['national', 'ENG'],
    ] as const) {
      const row = find(rows, level, code);
      expect([
        row.splw_headcount,
        row.splw_accredited,
        row.splw_headcount_training_known,
        row.pcns_with_training,
      ]).toEqual([2, 2, 2, 1]);
      expect(derived(row)).toMatchObject({ splw_accredited_pct: 100 });
    }
    expect(find(rows, 'pcn', 'UB').splw_accredited).toBeNull();
  });
});

describe("workforce: England's headcount less the headcount where training was given (review 27, R27-1)", () => {
  // One month's worked example (every month alike): A 10 in post, 9 trained; B 12 and 11; D 9 and 8; C 5, training not
  // given. England: headcount 36, trained 28, in post where training was given 31: 36 - 31 = 5, C's headcount, `*` on
  // its own rows (1 to 7). C is the only PCN without training: fewer than 3, so England's 31 (and the % made from it)
  // is withheld, months and year. Below England the ICB's 36 and 31 are rounded (35, 30): nothing exact.
  const pcn = (code: string, headcount: number, trained: string | ((m: string) => string)): Pcn => ({
    code,
    reportsFrom: '2025-04',
    people: 10,
    snapshots: ['2025-04', '2026-03'],
    headcount: String(headcount),
    fte: String(headcount),
    trained,
  });
  const scanned = (rows: readonly Row[]) => {
    const published = applyDisclosureControl(rows, WORKFORCE?.rules as never).map((r) => ({ ...r, ...derived(r) }));
    const doc = { name: 'workforce', keys: [], rows: published } as unknown as MetricDocument;
    const parents = (r: MetricRow) => (r.level === 'pcn' ? 'Q01' : r.level === 'icb' ? 'Y56' : undefined);
    const spec = { ...SCAN_SPEC, counts: {}, shared: [] };
    return { published, problems: scanDocuments([doc], parents, spec).filter((p) => p.includes('less')) };
  };

  it("one PCN without training: England's training-known headcount is withheld, and the scan finds nothing", async () => {
    const rows = await workforce([pcn('A', 10, '9'), pcn('B', 12, '11'), pcn('D', 9, '8'), pcn('C', 5, 'NULL')]);
    for (const period of ['2025-06', '2025/26']) {
      const england = find(rows, 'national', 'ENG', period);
      expect([england.splw_headcount, england.splw_accredited, england.splw_headcount_training_known]).toEqual([
        36,
        28,
        null,
      ]);
      expect(derived(england)).toMatchObject({ splw_accredited_pct: null });
      expect(find(rows, 'icb', 'Q01', period).splw_headcount_training_known).toBe(31);
    }
    const { published, problems } = scanned(rows);
    expect(published.find((r) => r.code === 'C' && r.period === '2025-06')).toMatchObject({
      splw_headcount: '*',
      splw_accredited: null,
    });
    expect(problems).toEqual([]);
  });

  it('the scan knows the difference: with England showing 31, C is recovered', async () => {
    const rows = await workforce([pcn('A', 10, '9'), pcn('B', 12, '11'), pcn('D', 9, '8'), pcn('C', 5, 'NULL')]);
    for (const r of rows) if (r.level === 'national') r.splw_headcount_training_known = 31;
    const { problems } = scanned(rows);
    expect(problems).toHaveLength(13);
    expect(problems).toContain(
      "workforce pcn C 2025-06 : splw_headcount = * is recovered exactly from England's splw_headcount less splw_headcount_training_known (splw_accredited not given)",
    );
    expect(problems).toContain(
      "workforce pcn C 2025/26 : splw_headcount = * is recovered exactly from England's splw_headcount less splw_headcount_training_known (splw_accredited not given)",
    );
  });

  it('three PCNs without training, none dominating: shown; one dominating, or all 1s: withheld', async () => {
    // C 5, E 6, F 7 without training (18: the rest after the two largest, 5, is 10% of 7 or more; 18 > 3): England's
    // in post where training was given is A's and B's 22, trained 20: 90.9%.
    const shown = await workforce([
      pcn('A', 10, '9'),
      pcn('B', 12, '11'),
      pcn('C', 5, 'NULL'),
      pcn('E', 6, 'NULL'),
      pcn('F', 7, 'NULL'),
    ]);
    const england = find(shown, 'national', 'ENG', '2025-06');
    expect([england.splw_headcount, england.splw_headcount_training_known]).toEqual([40, 22]);
    expect(derived(england)).toMatchObject({ splw_accredited_pct: 90.9 });
    expect(scanned(shown).problems).toEqual([]);
    // F 80: the rest after 80 and 6 is 5, under 8: dominated. All three 1: 3 in total, each 1.
    for (const [c, e, f] of [
      [5, 6, 80],
      [1, 1, 1],
    ] as const) {
      const rows = await workforce([
        pcn('A', 10, '9'),
        pcn('B', 12, '11'),
        pcn('C', c, 'NULL'),
        pcn('E', e, 'NULL'),
        pcn('F', f, 'NULL'),
      ]);
      expect(find(rows, 'national', 'ENG', '2025-06').splw_headcount_training_known).toBeNull();
      expect(find(rows, 'national', 'ENG', '2025/26').splw_headcount_training_known).toBeNull();
    }
  });

  it('a month withheld withholds its year; the other months stand', async () => {
    // C gives training (4 of 5) every month but June: June's difference is C's 5 alone, withheld, and the year with it
    // (the year less its other months would give June). May: every PCN gave training, 36 in post where it was given.
    const rows = await workforce([
      pcn('A', 10, '9'),
      pcn('B', 12, '11'),
      pcn('D', 9, '8'),
      pcn('C', 5, (m) => (m === '2025-06' ? 'NULL' : '4')),
    ]);
    expect(find(rows, 'national', 'ENG', '2025-06').splw_headcount_training_known).toBeNull();
    expect(find(rows, 'national', 'ENG', '2025/26').splw_headcount_training_known).toBeNull();
    expect(find(rows, 'national', 'ENG', '2025-05').splw_headcount_training_known).toBe(36);
    expect(scanned(rows).problems).toEqual([]);
  });
});
