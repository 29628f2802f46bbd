import { describe, expect, it } from 'vitest';
import {
  ACTIVITY_CATEGORIES,
  type MetricDocument,
  REFERRAL_REASONS,
  REFERRAL_SOURCES,
  SUPPRESSED,
} from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { CATALOGUE, DEFAULT_TARGETS, type MetricDefinition } from '../../functions/refresh/catalogue.ts';
import { applyDisclosureControl, capAtBound, controlCount } from '../../functions/refresh/disclosure.ts';
import { buildDocument } from '../../functions/refresh/refresh.ts';
import { parentsFrom, SCAN_SPEC, scanPublished } from '../support/disclosure-scan.ts';

/*
 * Figures about the people of a count that do not add up as it does (docs/methodology.md, "Disclosure control"):
 * cof_community.providers (each connection is to one organisation), rollout.pcns_reporting (PCNs with a referral) and
 * referral_sources.source_types (kinds of source that referred). Each is at most its count and 0 only where it is.
 *
 * The geography: England = Y56 + Y61; Y56 = QAA = U1 + U2; Y61 = QBB = U3. October 2024.
 */
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U1,A,QAA,ICB A,Y56,London,1000,2019-04-01,
U2,B,QAA,ICB A,Y56,London,1000,2019-04-01,
U3,C,QBB,ICB B,Y61,South West,1000,2019-04-01,
`;
const META = {
  icbs: [
    { code: 'QAA', parent: 'Y56' },
    { code: 'QBB', parent: 'Y61' },
  ],
};
const PARENT: Record<string, string> = {
  U1: 'QAA',
  U2: 'QAA',
  U3: 'QBB',
  QAA: 'Y56',
  QBB: 'Y61',
  Y56: 'ENG',
  Y61: 'ENG',
};
const AREAS = [
  ['national', 'ENG'],
  ['region', 'Y56'],
  ['region', 'Y61'],
  ['icb', 'QAA'],
  ['icb', 'QBB'],
  ['pcn', 'U1'],
  ['pcn', 'U2'],
  ['pcn', 'U3'],
] as const;
const MONTH = '2024-10';

const definition = (name: string) => CATALOGUE.find((m) => m.name === name) as MetricDefinition;

/** Publishes exact rows (one per area, October 2024) as the refresh does, with this geography. */
function publish(name: string, figures: (level: string, code: string) => Row): MetricDocument {
  const raw = AREAS.map(([level, code]) => ({
    level,
    code,
    period_type: 'month',
    period: MONTH,
    ...figures(level, code),
  }));
  return buildDocument(definition(name), raw, {
    targets: DEFAULT_TARGETS,
    medianContacts: new Map(),
    generatedAt: '2026-12-01T09:00:00.000Z',
    dataAsOf: '2026-09-30',
    parentOf: (row) => (row.level === 'national' ? [] : [PARENT[String(row.code)] as string]),
  });
}

// England's figures of a source only one or two PCNs use (a key a PCN determines) are held by the revisions step, not
// the control step these documents come from: the scan's rule for them is tested in england-key-few-pcns.test.ts.
const scan = (doc: MetricDocument) => scanPublished([doc], parentsFrom(REFERENCE, META), { ...SCAN_SPEC, pcnKeys: {} });
const column = (doc: MetricDocument, c: string) => Object.fromEntries(doc.rows.map((r) => [r.code, r[c]]));

/** England's 5 referrals, all at U1 (from one source, gp): every area above U1 holds them too. */
const atU1 = (level: string, code: string, n: number) =>
  level === 'national' || ['Y56', 'QAA', 'U1'].includes(code) ? n : 0;

describe('figures describing the people of a count', () => {
  it("rollout: England's 5 referrals all at one PCN; every row below England is *, and so are its PCNs with referrals", () => {
    const doc = publish('rollout', (level, code) => ({
      referrals: atU1(level, code, 5),
      people_referred: atU1(level, code, 5),
      declines: 0,
      declined_after_referral: 0,
      pcns_reporting: atU1(level, code, 1),
      pcns: level === 'national' ? 3 : level === 'pcn' ? 1 : code === 'QBB' || code === 'Y61' ? 1 : 2,
      months: 1,
      list_size: 1000,
      pcns_submitting: level === 'national' ? 3 : null,
    }));
    // The audit suppresses every zero below England (England's 5 would pin a lone *); before, pcns_reporting was 1 at
    // U1, Y56 and QAA and 0 at the others: U1 = England's 5.
    const suppressed = { Y56: '*', Y61: '*', QAA: '*', QBB: '*', U1: '*', U2: '*', U3: '*' };
    expect(column(doc, 'referrals')).toEqual({ ENG: 5, ...suppressed });
    expect(column(doc, 'pcns_reporting')).toEqual({ ENG: 1, ...suppressed });
    expect(scan(doc)).toEqual([]);
  });

  it('referral_sources: the kinds of source are * with the referrals, and wherever a source is', () => {
    const none = Object.fromEntries([
      ...REFERRAL_SOURCES.map((s) => [`source_${s}`, 0]),
      ...REFERRAL_REASONS.map((r) => [`reason_${r}`, 0]),
    ]);
    const doc = publish('referral_sources', (level, code) => ({
      referrals: atU1(level, code, 5),
      source_types: atU1(level, code, 1),
      ...none,
      source_gp: atU1(level, code, 5),
    }));
    const suppressed = { Y56: '*', Y61: '*', QAA: '*', QBB: '*', U1: '*', U2: '*', U3: '*' };
    expect(column(doc, 'referrals')).toEqual({ ENG: 5, ...suppressed });
    expect(column(doc, 'source_types')).toEqual({ ENG: 1, ...suppressed });
    expect(scan(doc)).toEqual([]);

    // GP and self-referrals: U1 20 and 3, U2 20 and 0, U3 20 and 10 (so QAA 40 and 3, QBB 20 and 10, England 60 and
    // 13). U1's 3 (and QAA's, Y56's) is *, and takes its GP referrals with it (the sources add up to the referrals);
    // Y56's * beside Y61's 10 takes Y61's self-referrals (England is exact), and Y61's GP referrals go with them. The
    // kinds of source are * wherever a source is, and else 1 or 2: a count from 1 to 7.
    const exact: Record<string, [number, number]> = {
      ENG: [60, 13],
      Y56: [40, 3],
      QAA: [40, 3],
      U1: [20, 3],
      U2: [20, 0],
      Y61: [20, 10],
      QBB: [20, 10],
      U3: [20, 10],
    };
    const mixed = publish('referral_sources', (_level, code) => {
      const [gp, self] = exact[code] as [number, number];
      return { ...none, referrals: gp + self, source_gp: gp, source_self: self, source_types: self > 0 ? 2 : 1 };
    });
    expect(column(mixed, 'referrals')).toEqual({ ENG: 73, Y56: 45, QAA: 45, U1: 25, U2: 20, Y61: 30, QBB: 30, U3: 30 });
    expect(column(mixed, 'source_self')).toEqual({
      ENG: 13,
      Y56: '*',
      QAA: '*',
      U1: '*',
      U2: 0,
      Y61: '*',
      QBB: 10,
      U3: 10,
    });
    expect(column(mixed, 'source_types')).toEqual({
      ENG: 2,
      Y56: '*',
      QAA: '*',
      U1: '*',
      U2: '*',
      Y61: '*',
      QBB: '*',
      U3: '*',
    });
    expect(scan(mixed)).toEqual([]);
  });

  it('the rule on its own: rounded as a count below England, * wherever one of its counts is', () => {
    const rules = {
      counts: ['n', 'a', 'b'],
      groups: [{ total: 'n', parts: ['a', 'b'] }],
      describing: [{ counts: ['n', 'a', 'b'], columns: ['kinds'] }],
    };
    const row = (code: string, n: number, a: number, kinds: number): Row => ({
      level: code === 'ENG' ? 'national' : 'pcn',
      code,
      period_type: 'fy',
      period: '2024/25',
      n,
      a,
      b: n - a,
      kinds,
    });
    const out = applyDisclosureControl(
      [row('ENG', 100, 50, 9), row('U1', 40, 20, 9), row('U2', 40, 37, 12), row('U3', 0, 0, 0), row('U4', 5, 5, 1)],
      rules,
    );
    // England as it is; U1 9 -> 10; U2's b of 3 is *, and a with it: kinds *; U3 0; U4's 5 is *.
    expect(out.map((r) => [r.code, r.n, r.a, r.b, r.kinds])).toEqual([
      ['ENG', 100, 50, 50, 9],
      ['U1', 40, 20, 20, 10],
      ['U2', 40, '*', '*', '*'],
      ['U3', 0, 0, 0, 0],
      ['U4', '*', '*', 0, '*'],
    ]);
  });

  it('workforce: PCNs with a link worker never pin the headcount, and go with a suppressed one', () => {
    const rules = definition('workforce').rules;
    const row = (code: string, headcount: number, fte: number, withWorker: number, reporting: number): Row => ({
      level: code === 'ENG' ? 'national' : 'icb',
      code,
      period_type: 'month',
      period: MONTH,
      splw_headcount: headcount,
      splw_fte: fte,
      pcns_with_link_worker: withWorker,
      pcns_reporting: reporting,
    });
    const out = applyDisclosureControl(
      [row('ENG', 60, 50, 40, 40), row('QAA', 17, 15, 17, 17), row('QBB', 40, 33, 21, 21), row('QCC', 3, 2.5, 2, 2)],
      rules,
    );
    // QAA: 17 link workers in 17 PCNs: the headcount shows 15, and so do the PCNs (17 beside 15 would pin it at 17).
    // QBB: 21 rounds to 20. QCC: 3 people are *, and so their 2 PCNs (a 0 or 2 would say whether any are in post).
    expect(out.map((r) => [r.code, r.splw_headcount, r.pcns_with_link_worker])).toEqual([
      ['ENG', 60, 40],
      ['QAA', 15, 15],
      ['QBB', 40, 20],
      ['QCC', '*', '*'],
    ]);
  });

  it('a figure over its public bound is shown within it, never at it: never 35 PCNs reporting of 33, nor 33 of 33', () => {
    const rules = {
      counts: ['referrals'],
      describing: [{ counts: ['referrals'], columns: ['pcns_reporting'], atMost: 'pcns' }],
    };
    const row = (code: string, referrals: number, pcns_reporting: number, pcns: number): Row => ({
      level: code === 'ENG' ? 'national' : 'icb',
      code,
      period_type: 'fy',
      period: '2024/25',
      referrals,
      pcns_reporting,
      pcns,
    });
    const out = applyDisclosureControl(
      [
        row('ENG', 5500, 84, 86),
        row('QAA', 3000, 33, 33),
        row('QBB', 2000, 31, 33),
        row('QCC', 0, 0, 2),
        row('QDD', 200, 8, 9),
        row('QEE', 300, 13, 13),
      ],
      rules,
    );
    // QAA: 33 rounds to 35, over its 33 PCNs. Shown at 33 a reader would know it rounded to 35 or more, so was 33 or
    // more: exactly 33. Shown 30, the largest multiple of 5 within 33: 28 to 32 as rounded, or 33 capped, so 28 to 33.
    // QBB: 31 rounds to 30, within 33: as rounded. QCC: 0 of 2. QDD: 8 of 9 rounds to 10; 9 of 9 would say every PCN
    // reported, and 5 is no rounded count: *. QEE: 13 of 13 rounds to 15; shown 13, it would be exactly 13: 10.
    expect(out.map((r) => [r.code, r.pcns_reporting, r.pcns])).toEqual([
      ['ENG', 84, 86],
      ['QAA', 30, 33],
      ['QBB', 30, 33],
      ['QCC', 0, 2],
      ['QDD', '*', 9],
      ['QEE', 10, 13],
    ]);
  });

  it('several bounds: the smallest the row has, so PCNs with referrals never exceed the PCNs that sent (R18-1)', () => {
    const rules = {
      counts: ['referrals'],
      describing: [{ counts: ['referrals'], columns: ['pcns_reporting'], atMost: ['pcns_sent', 'pcns'] }],
    };
    const row = (
      code: string,
      period: string,
      pcns_reporting: number,
      pcns_sent: number | null,
      pcns: number,
    ): Row => ({
      level: code === 'ENG' ? 'national' : 'icb',
      code,
      period_type: period.includes('/') ? 'fy' : 'month',
      period,
      referrals: 3000,
      pcns_reporting,
      pcns_sent,
      pcns,
    });
    const out = applyDisclosureControl(
      [
        row('ENG', '2025-11', 100, 110, 120),
        row('QAA', '2025-11', 33, 33, 40),
        row('QBB', '2025-11', 31, 33, 40),
        row('QAA', '2025/26', 38, null, 40),
      ],
      rules,
    );
    // QAA November: all 33 PCNs that sent referred; 33 rounds to 35, within its 40 in force but over its 33 that sent,
    // so 33 exactly to a reader of both: shown 30 (28 to 32 as rounded, or 33 capped). Before: 35. QBB: 31 rounds to
    // 30, within 33. QAA's year has no pcns_sent (months only): 38 rounds to 40, within its 40 PCNs (38 to 40).
    expect(out.map((r) => [r.code, r.period, r.pcns_reporting])).toEqual([
      ['ENG', '2025-11', 100],
      ['QAA', '2025-11', 30],
      ['QBB', '2025-11', 30],
      ['QAA', '2025/26', 40],
    ]);
  });

  it('capAtBound: whatever the figure within its bound, a reader knowing the rule is left two or more values', () => {
    // Every figure from 1 up to every bound from 8 to 60: the figures (1 up to the bound) shown the same way are never
    // one, and what is shown is * or a multiple of 5 within the bound.
    const shownFor = (figure: number, bound: number) => {
      const rounded = controlCount(figure);
      return typeof rounded === 'number' ? capAtBound(rounded, bound) : rounded;
    };
    for (let bound = 8; bound <= 60; bound++)
      for (let figure = 1; figure <= bound; figure++) {
        const shown = shownFor(figure, bound);
        const alike = Array.from({ length: bound }, (_, i) => i + 1).filter((o) => shownFor(o, bound) === shown);
        expect(alike.length, `${figure} of ${bound} shown ${shown}`).toBeGreaterThan(1);
        expect(shown === SUPPRESSED || (typeof shown === 'number' && shown % 5 === 0 && shown <= bound)).toBe(true);
      }
  });

  it('cof_community: providers are controlled as a count, so they never pin the connections (QJ2: 15 beside 17)', () => {
    const none = Object.fromEntries([
      ...ACTIVITY_CATEGORIES.map((a) => [`activity_${a}`, 0]),
      ...ACTIVITY_CATEGORIES.map((a) => [`attended_${a}`, 0]),
    ]);
    // Connections: U1 10 to 10 organisations, U2 7 to 7, U3 45 to 20: QAA 17 to 17 (published 15, 13 to 17: with
    // providers 17 exactly 17), QBB 45.
    const exact: Record<string, [number, number]> = {
      ENG: [62, 37],
      Y56: [17, 17],
      QAA: [17, 17],
      U1: [10, 10],
      U2: [7, 7],
      Y61: [45, 20],
      QBB: [45, 20],
      U3: [45, 20],
    };
    const doc = publish('cof_community', (_level, code) => {
      const [connections, providers] = exact[code] as [number, number];
      // A month old enough for its attendance: every connection is in the attendance cohort (R19-12).
      return {
        ...none,
        connections,
        attendance_cohort: connections,
        recent_connections: 0,
        attended: 0,
        providers,
        activity_other: connections,
      };
    });
    expect(column(doc, 'connections')).toEqual({
      ENG: 62,
      Y56: 15,
      QAA: 15,
      U1: '*',
      U2: '*',
      Y61: 45,
      QBB: 45,
      U3: 45,
    });
    // Rounded as the connections are (17 -> 15), * wherever the connections are (U1's 10 goes with U2's 7).
    expect(column(doc, 'providers')).toEqual({
      ENG: 37,
      Y56: 15,
      QAA: 15,
      U1: '*',
      U2: '*',
      Y61: 20,
      QBB: 20,
      U3: 20,
    });
    expect(scan(doc)).toEqual([]);
  });
});

describe('the scan finds what main published', () => {
  const published = (name: string, rows: Record<string, unknown>[]) =>
    ({
      name,
      keys: [],
      rows: rows.map((r) => ({ period_type: 'month', period: MONTH, ...r })),
    }) as unknown as MetricDocument;

  it("PCNs with referrals beside suppressed referrals: which PCN holds England's 5", () => {
    const rows = AREAS.map(([level, code]) => ({
      level,
      code,
      referrals: level === 'national' ? 5 : '*',
      people_referred: level === 'national' ? 5 : '*',
      declines: 0,
      declined_after_referral: 0,
      pcns_reporting: atU1(level, code, 1),
    }));
    // Not rounded, and beside suppressed referrals: 1 at U1 and its ICB and region, 0 elsewhere.
    expect(scan(published('rollout', rows))).toEqual(
      AREAS.slice(1).flatMap(([level, code]) => {
        const value = atU1(level, code, 1);
        return [
          ...(value === 1 ? [`rollout ${level} ${code} ${MONTH} : count pcns_reporting = 1`] : []),
          `rollout ${level} ${code} ${MONTH} : pcns_reporting = ${value} beside a suppressed referrals`,
        ];
      }),
    );
  });

  it('providers of 17 beside connections of 15, and of 7 beside *', () => {
    const rows = [
      {
        level: 'icb',
        code: 'QAA',
        connections: 15,
        attendance_cohort: 15,
        recent_connections: 0,
        attended: 0,
        providers: 17,
      },
      {
        level: 'pcn',
        code: 'U2',
        connections: '*',
        attendance_cohort: '*',
        recent_connections: 0,
        attended: 0,
        providers: 7,
      },
    ];
    expect(scan(published('cof_community', rows))).toEqual([
      `cof_community icb QAA ${MONTH} : count providers = 17`,
      `cof_community icb QAA ${MONTH} : providers = 17 says connections (15) is at least that`,
      `cof_community pcn U2 ${MONTH} : count providers = 7`,
      `cof_community pcn U2 ${MONTH} : providers = 7 beside a suppressed connections`,
    ]);
  });
});
