import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import { applyDisclosureControl, type DisclosureRules } from '../../functions/refresh/disclosure.ts';
import {
  type AuditSpec,
  buildAuditSystem,
  readerDisclosures,
  readerDisclosuresWithoutEngland,
} from '../../functions/refresh/disclosure-audit.ts';

/**
 * The publisher's output where a component's whole reading pins something before its pieces without England are read
 * (review 40, R40-0). Before disc35's mend the pieces' readings left the component's bounds as their own, and the
 * component's next reading (reaudit) started there: on these documents it found pins that a reading from nothing does
 * not, and the publisher withheld cells (a whole month below England in the second) that nothing recovers. Found by
 * review 40's differential of main's publisher against the branch's on random documents; both outputs read clean.
 */
const AREAS: Record<string, string[]> = {
  ENG: [],
  R1: ['ENG'],
  R2: ['ENG'],
  I1: ['R1'],
  I2: ['R1'],
  I3: ['R2'],
  P1: ['I1'],
  P2: ['I1'],
  P3: ['I2'],
  P4: ['I2'],
  P5: ['I3'],
  P6: ['I3'],
};
const LEVEL: Record<string, string> = { E: 'national', R: 'region', I: 'icb', P: 'pcn' };
const MONTHS = ['2025-04', '2025-05', '2025-06'];
const COLUMNS = ['referrals', 'a', 'b', 'c'];
// P9 moves from I1 to I2 after April: its year is part of both.
const parentsOf = (code: string, period: string) =>
  code === 'P9' ? (period === '2025-04' ? ['I1'] : period.includes('/') ? ['I1', 'I2'] : ['I2']) : AREAS[code];
const areas = {
  partOf: (row: Row) => (parentsOf(String(row.code), String(row.period)) ?? []).map((p) => `${p}|${row.period}`),
  totalOf: (row: Row) => `${row.code}|${row.period}`,
};
const RULES = {
  counts: COLUMNS,
  groups: [{ total: 'referrals', parts: ['a', 'b'] }],
  areas,
  periodKeys: [],
  monthly: COLUMNS,
} as unknown as DisclosureRules;
const SPEC = {
  columns: COLUMNS,
  groups: [{ total: 'referrals', parts: ['a', 'b'] }],
  areas,
  months: { columns: COLUMNS, keys: [] },
} as unknown as AuditSpec;

/** Each PCN's months take the next three counts (a, b, c) in turn; areas and the year are their sums. */
function documentOf(counts: readonly number[]): Row[] {
  const sums = new Map<string, Row>();
  const add = (code: string, period: string, a: number, b: number, c: number) => {
    const key = `${code}|${period}`;
    const row = sums.get(key) ?? {
      level: LEVEL[code.charAt(0)] ?? '',
      code,
      period_type: period.includes('/') ? 'fy' : 'month',
      period,
      referrals: 0,
      a: 0,
      b: 0,
      c: 0,
    };
    row.referrals = Number(row.referrals) + a + b;
    row.a = Number(row.a) + a;
    row.b = Number(row.b) + b;
    row.c = Number(row.c) + c;
    sums.set(key, row);
  };
  let at = 0;
  const next = () => counts[at++ % counts.length] ?? 0;
  for (const pcn of ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P9'])
    for (const month of MONTHS) {
      const [a, b, c] = [next(), next(), next()];
      for (const period of [month, '2025/26']) {
        const up = (code: string) => {
          add(code, period, a, b, c);
          // P9's counts go to the ICB it was in that month (its year's parts are in both ICBs' years).
          const parents = code === 'P9' ? [period === '2025-04' ? 'I1' : 'I2'] : (AREAS[code] ?? []);
          for (const parent of parents) up(parent);
        };
        up(pcn);
      }
    }
  return [...sums.values()].filter((r) => r.level === 'national' || r.referrals !== 0 || r.c !== 0);
}

/** What an audit from nothing (a fresh system per component, with and without England) pins in the published rows. */
function pinnedFromNothing(published: Row[]): string[] {
  const found = new Set<string>();
  const components = buildAuditSystem(published, SPEC).components.length;
  for (let c = 0; c < components; c++)
    for (const read of [readerDisclosures, readerDisclosuresWithoutEngland])
      for (const d of read(buildAuditSystem(published, SPEC), c) ?? [])
        found.add(`${d.cell.row.code} ${d.cell.row.period} ${d.cell.column}`);
  return [...found];
}

const cell = (rows: Row[], code: string, period: string, column: string) =>
  rows.find((r) => r.code === code && r.period === period)?.[column];

describe("the publisher's readings without England leave the component's bounds as its own reading left them", () => {
  it('publishes I2, I3 and P6 May referrals a stale reading withheld, and nothing in the output is pinned', () => {
    const rows = documentOf([10, 2, 4, 3, 10]);
    const published = applyDisclosureControl(structuredClone(rows), RULES) as Row[];
    expect(['I2', 'I3', 'P6'].map((code) => cell(published, code, '2025-05', 'referrals'))).toEqual([25, 35, 15]);
    expect(pinnedFromNothing(published)).toEqual([]);
  });

  it('publishes the May rows below England a stale reading withheld, and nothing in the output is pinned', () => {
    const rows = documentOf([7, 7, 0, 3, 1, 4, 2, 0, 0, 0, 6, 0, 10, 11, 3, 2, 2, 3, 1, 2, 3, 1, 3, 9, 1, 3]);
    const published = applyDisclosureControl(structuredClone(rows), RULES) as Row[];
    const below = (period: string) => published.filter((r) => r.period === period && r.level !== 'national');
    expect(below('2025-05').length).toBe(rows.filter((r) => r.period === '2025-05' && r.level !== 'national').length);
    expect(pinnedFromNothing(published)).toEqual([]);
  });
});
