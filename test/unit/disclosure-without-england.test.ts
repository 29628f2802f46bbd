import { describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { type AuditSpec, buildAuditSystem, readerDisclosures } from '../../functions/refresh/disclosure-audit.ts';
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
const rows = (): Row[] =>
  Object.entries(SHOWN).flatMap(([key, values]) => {
    const [level, code] = key.split(' ') as [string, string];
    return PERIODS.map((period, i) => ({
      level,
      code,
      period_type: period.includes('/') ? 'fy' : 'month',
      period,
      splw_contacts: values[i] as number | '*',
    }));
  });
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

describe("the audit reads a contradicting component without England's equations too (review 29, R29-1)", () => {
  it("pins the region's piece that reads consistently once England's line is left out", () => {
    const spec: AuditSpec = {
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
    const system = buildAuditSystem(rows(), spec);
    const found = system.components.flatMap((_, c) =>
      (readerDisclosures(system, c) ?? []).map((d) => named(d.cell.row, d.value)),
    );
    expect([...new Set(found)].sort()).toEqual(EXPECTED);
  });

  it('the test-side scan reports the same 12 cells with England published exact', () => {
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
    const doc = { name: 'cof_person', keys: [], rows: rows() } as unknown as MetricDocument;
    const found = recoveredCells(doc, parents, SCAN_SPEC, [doc]).map((c) => named(c.row as unknown as Row, c.value));
    expect([...new Set(found)].sort()).toEqual(EXPECTED);
  });
});
