import { describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { applyDisclosureControl } from '../../functions/refresh/disclosure.ts';
import {
  type AuditSpec,
  buildAuditSystem,
  readerDisclosures,
  readerDisclosuresWithoutEngland,
} from '../../functions/refresh/disclosure-audit.ts';
import { parentsFrom, recoveredCells, SCAN_SPEC } from '../support/disclosure-scan.ts';

/*
 * Review 29, R29-1: a linked set of cells whose 1-to-7 reading contradicts England's exact figures is read loosely as
 * a whole, but a reader may leave England's equations out: a region's piece alone, read 1 to 7, is consistent and pins
 * cells. The reviewer's hand-built splw_contacts rows (true values in comments), April = May:
 * - Y56 side: U00001 and U00003 `*` [7], their ICB QAA and region Y56 15 [14]; years: each PCN 15 [14], QAA/Y56 30 [28].
 * - Y58 side all `*`: U00002 [9, secondary], U00004 [7], QBB and Y58 [16, secondary].
 * - England exact: 30, 30, 60.
 * With England: 30 = Y56 (13 to 17) + Y58 = QBB = U00002 + U00004 (at most 14 read 1 to 7) puts Y56 at 16 or 17 and
 * Y56 = QAA = U00001 + U00003 at most 14: the 1-to-7 reading contradicts; read loosely, nothing is pinned.
 * Without England (Y56's piece alone): U00001's year = April + May, both at most 7, and 15 rounded says 13 to 17, so
 * 13 to 14; the same for U00003; QAA's year 30 says 28 to 32 = the two PCNs' years, at most 28: QAA's year is 28, each
 * PCN's year 14, each month 7, QAA's and Y56's April and May 14 (U00001 + U00003) and Y56's year 28: 12 cells, all
 * their true values.
 */
const PERIODS = ['2025-04', '2025-05', '2025/26'] as const;
const SHOWN: Record<string, readonly [number | '*', number | '*', number | '*']> = {
  'pcn U00001': ['*', '*', 15],
  'pcn U00003': ['*', '*', 15],
  'icb QAA': [15, 15, 30],
  'region Y56': [15, 15, 30],
  'pcn U00002': ['*', '*', '*'],
  'pcn U00004': ['*', '*', '*'],
  'icb QBB': ['*', '*', '*'],
  'region Y58': ['*', '*', '*'],
  'national ENG': [30, 30, 60],
};
/** A count document's rows (splw_contacts) from each area's figures (keyed `level code`), one a period in order. */
const areaRows = (figures: Record<string, readonly (number | '*')[]>, periods: readonly string[]): Row[] =>
  Object.entries(figures).flatMap(([key, values]) => {
    const [level, code] = key.split(' ') as [string, string];
    return periods.map((period, i) => ({
      level,
      code,
      period_type: period.includes('/') ? 'fy' : 'month',
      period,
      splw_contacts: values[i] as number | '*',
    }));
  });
const rows = (): Row[] => areaRows(SHOWN, PERIODS);
const PARENT: Record<string, string> = {
  U00001: 'QAA',
  U00003: 'QAA',
  U00002: 'QBB',
  U00004: 'QBB',
  QAA: 'Y56',
  QBB: 'Y58',
  Y56: 'ENG',
  Y58: 'ENG',
};
const EXPECTED = [
  'pcn U00001 2025-04 = 7',
  'pcn U00001 2025-05 = 7',
  'pcn U00001 2025/26 = 14',
  'pcn U00003 2025-04 = 7',
  'pcn U00003 2025-05 = 7',
  'pcn U00003 2025/26 = 14',
  'icb QAA 2025-04 = 14',
  'icb QAA 2025-05 = 14',
  'icb QAA 2025/26 = 28',
  'region Y56 2025-04 = 14',
  'region Y56 2025-05 = 14',
  'region Y56 2025/26 = 28',
].sort();
const named = (row: Row, value: number) => `${row.level} ${row.code} ${row.period} = ${value}`;

const SPEC: AuditSpec = {
  columns: ['splw_contacts'],
  areas: {
    partOf: (row) => {
      const parent = PARENT[String(row.code)];
      return parent === undefined ? [] : [`${parent}|${row.period}`];
    },
    totalOf: (row) => `${row.code}|${row.period}`,
  },
  months: { columns: ['splw_contacts'], keys: [] },
};
const EXACT: Record<string, readonly [number, number, number]> = {
  'pcn U00001': [7, 7, 14],
  'pcn U00003': [7, 7, 14],
  'icb QAA': [14, 14, 28],
  'region Y56': [14, 14, 28],
  'pcn U00002': [9, 9, 18],
  'pcn U00004': [7, 7, 14],
  'icb QBB': [16, 16, 32],
  'region Y58': [16, 16, 32],
  'national ENG': [30, 30, 60],
};
const reference = `${[
  'pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to',
  'U00001,PCN 1,QAA,NHS ICB A,Y56,London,10000,2019-04-01,',
  'U00002,PCN 2,QBB,NHS ICB B,Y58,South West,10000,2019-04-01,',
  'U00003,PCN 3,QAA,NHS ICB A,Y56,London,10000,2019-04-01,',
  'U00004,PCN 4,QBB,NHS ICB B,Y58,South West,10000,2019-04-01,',
].join('\n')}\n`;
const parents = parentsFrom(reference, {
  icbs: [
    { code: 'QAA', parent: 'Y56' },
    { code: 'QBB', parent: 'Y58' },
  ],
});
/** What the test-side scan (the attacker) recovers from published rows. */
const scanned = (published: readonly Row[]) => {
  const doc = { name: 'cof_person', keys: [], rows: published } as unknown as MetricDocument;
  const found = recoveredCells(doc, parents, SCAN_SPEC, [doc]).map((c) => named(c.row as unknown as Row, c.value));
  return [...new Set(found)].sort();
};

describe("the audit reads a contradicting component without England's equations too (review 29, R29-1)", () => {
  it("pins the region's piece that reads consistently once England's line is left out", () => {
    const system = buildAuditSystem(rows(), SPEC);
    // Read whole (England's equations with the rest), the 1-to-7 reading contradicts and the loose reading pins nothing.
    expect(system.components.flatMap((_, c) => readerDisclosures(system, c) ?? [])).toEqual([]);
    const found = system.components.flatMap((_, c) =>
      readerDisclosuresWithoutEngland(system, c).map((d) => named(d.cell.row, d.value)),
    );
    expect([...new Set(found)].sort()).toEqual(EXPECTED);
  });

  it('the test-side scan reports the same 12 cells with England published exact', () => {
    expect(scanned(rows())).toEqual(EXPECTED);
  });

  it('the publisher leaves nothing the scan recovers, with or without England', () => {
    // The exact counts above, with the reviewer's `*` placed first (preSuppressed: the Y58 side all `*`, U00001's and
    // U00003's months).
    const exact = areaRows(EXACT, PERIODS);
    const starred = (row: Row) =>
      ['U00002', 'U00004', 'QBB', 'Y58'].includes(String(row.code)) ||
      (['U00001', 'U00003'].includes(String(row.code)) && row.period_type === 'month')
        ? ['splw_contacts']
        : [];
    const published = applyDisclosureControl(
      exact,
      { counts: ['splw_contacts'], areas: SPEC.areas, periodKeys: [], monthly: ['splw_contacts'] },
      starred,
    );
    // Every cell below England ends `*` (before this change U00003's year and QAA's and Y56's figures stayed 15 and 30
    // beside it): read 1 to 7 with England, 30 = Y56 + Y58 at most 14 contradicts (loose reading: nothing pinned);
    // without England, each year's `*` = its months' `*` (1 to 7 each) pins nothing.
    expect(published.map((r) => (r.level === 'national' ? r.splw_contacts : `${r.splw_contacts}`))).toEqual([
      ...Array.from({ length: 24 }, () => '*'),
      30,
      30,
      60,
    ]);
    expect(scanned(published)).toEqual([]);
  });

  it('a `*` a piece pins at 0 is not counted: nothing about a person, and nothing left to suppress for it', () => {
    // One month (revisions-linked's release 1, cut down). London (Y56, one ICB QAA): U00001 0, U00003 0, QAA 0, the
    // region's 0 made `*`. The South West (Y58, one ICB QBB): U00002 0, U00004 0, QBB 31 a row held at an earlier
    // release's figure (published 30: 28 to 32), Y58 31, `*` as the only other part of England beside Y56's `*` (the
    // next smallest part is suppressed too). England 31.
    // Read whole: QBB 28 to 32 = 0 + 0 contradicts in every reading, so the whole pins nothing; alone, Y56's `*` =
    // QAA's 0 pins it at 0 (not counted), Y58's `*` = QBB 28 to 32, England 31 = Y56 + Y58 pins neither (read 1 to 7
    // it contradicts: 31 > 14), QBB's equation contradicts. Without England: London's piece pins Y56's `*` at 0 (QAA's
    // 0), the South West's contradicts as above. A `*` at 0 says no one was counted, as a 0 does: no disclosure, and
    // no `*` elsewhere unpins it (QAA's 0 is published), so counting it only made the publisher suppress every count
    // near it (revisions-linked: 88 cells), then the zeros.
    const exact: Record<string, number> = {
      'pcn U00001': 0,
      'pcn U00003': 0,
      'icb QAA': 0,
      'region Y56': 0,
      'pcn U00002': 0,
      'pcn U00004': 0,
      'icb QBB': 31,
      'region Y58': 31,
      'national ENG': 31,
    };
    const rowsOf = (value: (key: string, count: number) => number | '*') =>
      Object.entries(exact).map(([key, count]) => {
        const [level, code] = key.split(' ') as [string, string];
        return { level, code, period_type: 'month', period: '2025-04', splw_contacts: value(key, count) };
      });
    const areas: AuditSpec['areas'] = {
      partOf: (row) => {
        const parent = PARENT[String(row.code)];
        return parent === undefined ? [] : [`${parent}|${row.period}`];
      },
      totalOf: (row) => `${row.code}|${row.period}`,
    };
    const shown = rowsOf((key, count) =>
      key === 'national ENG' ? count : key === 'region Y56' || key === 'region Y58' ? '*' : count === 31 ? 30 : count,
    );
    const system = buildAuditSystem(shown, { columns: ['splw_contacts'], areas });
    expect(system.components).toHaveLength(1);
    expect(readerDisclosures(system, 0)).toBeUndefined();
    expect(readerDisclosuresWithoutEngland(system, 0).map((d) => named(d.cell.row, d.value))).toEqual([]);
    // The scan: with England and without, nothing (it used to report Y56's `*` = 0 read without England).
    const reference = `${[
      'pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to',
      'U00001,PCN 1,QAA,NHS ICB A,Y56,London,10000,2019-04-01,',
      'U00003,PCN 3,QAA,NHS ICB A,Y56,London,10000,2019-04-01,',
      'U00002,PCN 2,QBB,NHS ICB B,Y58,South West,10000,2019-04-01,',
      'U00004,PCN 4,QBB,NHS ICB B,Y58,South West,10000,2019-04-01,',
    ].join('\n')}\n`;
    const parentsOf = parentsFrom(reference, {
      icbs: [
        { code: 'QAA', parent: 'Y56' },
        { code: 'QBB', parent: 'Y58' },
      ],
    });
    const doc = { name: 'cof_person', keys: [], rows: shown } as unknown as MetricDocument;
    expect(
      recoveredCells(doc, parentsOf, SCAN_SPEC, [doc]).map((c) => named(c.row as unknown as Row, c.value)),
    ).toEqual([]);
    // The publisher, given these figures (QBB's held 31 as the refresh gives it, before control) and Y56's 0 `*`,
    // publishes them as above: Y58 `*` beside Y56's, QBB 30 (31 rounded), the zeros 0, England 31; nothing more.
    const published = applyDisclosureControl(
      rowsOf((_, count) => count),
      { counts: ['splw_contacts'], areas, periodKeys: [] },
      (row) => (row.code === 'Y56' ? ['splw_contacts'] : []),
    );
    expect(published.map((r) => `${r.level} ${r.code} ${r.splw_contacts}`)).toEqual([
      'pcn U00001 0',
      'pcn U00003 0',
      'icb QAA 0',
      'region Y56 *',
      'pcn U00002 0',
      'pcn U00004 0',
      'icb QBB 30',
      'region Y58 *',
      'national ENG 31',
    ]);
  });

  it('three PCNs of 7 a month: the publisher suppresses what only the piece without England pins', () => {
    // Y56 side (one ICB QAA): U00001, U00003, U00005 each 7 in April, May and June (shown `*`), 21 in the year (20:
    // 18 to 22); QAA and Y56 21 a month (20) and 63 in the year (65: 63 to 67). Y58 side as above (U00002 9, U00004 7,
    // QBB and Y58 16 a month, `*`). England 37 a month, 111 the year.
    // No one equation pins or narrows a `*` below 3 values: QAA's April 18 to 22 over three `*` leaves each 4 to 7;
    // each PCN's year over its three months the same; QAA's year 63 to 67 over months 18 to 22 leaves each 19 to 22.
    // Together, without England: each month of QAA is at most 21 (three `*`), so its year at most 63: 63, each month
    // 21, each `*` 7, each PCN's year 21; Y56 the same. With England the 1-to-7 reading contradicts (37 = Y56's 18 to
    // 22 + Y58 = QBB = two `*`, at most 14) and the loose reading pins nothing. Before this change these 20 cells (all
    // true values) were published so; now the publisher suppresses further (U00005's year is left at 20: the others
    // `*`, QAA's year 5 to 67 less it is no one value).
    const threeParents: Record<string, string> = { ...PARENT, U00005: 'QAA' };
    const periods = ['2025-04', '2025-05', '2025-06', '2025/26'];
    const values: Record<string, readonly number[]> = {
      'pcn U00001': [7, 7, 7, 21],
      'pcn U00003': [7, 7, 7, 21],
      'pcn U00005': [7, 7, 7, 21],
      'icb QAA': [21, 21, 21, 63],
      'region Y56': [21, 21, 21, 63],
      'pcn U00002': [9, 9, 9, 27],
      'pcn U00004': [7, 7, 7, 21],
      'icb QBB': [16, 16, 16, 48],
      'region Y58': [16, 16, 16, 48],
      'national ENG': [37, 37, 37, 111],
    };
    const exact = areaRows(values, periods);
    const starred = (row: Row) =>
      ['U00002', 'U00004', 'QBB', 'Y58'].includes(String(row.code)) ||
      (['U00001', 'U00003', 'U00005'].includes(String(row.code)) && row.period_type === 'month')
        ? ['splw_contacts']
        : [];
    const areas: AuditSpec['areas'] = {
      partOf: (row) => {
        const parent = threeParents[String(row.code)];
        return parent === undefined ? [] : [`${parent}|${row.period}`];
      },
      totalOf: (row) => `${row.code}|${row.period}`,
    };
    const published = applyDisclosureControl(
      exact,
      { counts: ['splw_contacts'], areas, periodKeys: [], monthly: ['splw_contacts'] },
      starred,
    );
    const reference = `${[
      'pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to',
      ...['U00001', 'U00003', 'U00005'].map((c) => `${c},PCN,QAA,NHS ICB A,Y56,London,10000,2019-04-01,`),
      ...['U00002', 'U00004'].map((c) => `${c},PCN,QBB,NHS ICB B,Y58,South West,10000,2019-04-01,`),
    ].join('\n')}\n`;
    const threeParentsOf = parentsFrom(reference, {
      icbs: [
        { code: 'QAA', parent: 'Y56' },
        { code: 'QBB', parent: 'Y58' },
      ],
    });
    const doc = { name: 'cof_person', keys: [], rows: published } as unknown as MetricDocument;
    const found = recoveredCells(doc, threeParentsOf, SCAN_SPEC, [doc]).map((c) =>
      named(c.row as unknown as Row, c.value),
    );
    expect([...new Set(found)]).toEqual([]);
  });
});
