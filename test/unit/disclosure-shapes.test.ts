import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import { areasOfDocument } from '../../functions/refresh/disclosure.ts';
import { type AuditSpec, buildAuditSystem } from '../../functions/refresh/disclosure-audit.ts';

// Issue 17: the disclosure step's CPU, not its figures. These tests hold what the faster code relies on.

const row = (level: string, code: string, period: string, referrals: number | string, source = 'gp'): Row => ({
  level,
  code,
  period_type: period.includes('/') ? 'fy' : 'month',
  period,
  source,
  referrals,
});

describe('the audit systems of a document (disclosure-audit.ts)', () => {
  it('all have the same properties in the same order, whether built with the months, on another or neither', () => {
    // Region R1 = ICBs I1 + I2; April, May and their year. The system without the months, the one with them built on
    // it (fromAreasOnly, repeated), and the one with them built from nothing (repeated): one shape, so that the
    // audit's functions are given objects of one hidden class (they were given up to eight, and deoptimised on each).
    const parentOf: Record<string, string> = { I1: 'R1', I2: 'R1' };
    const spec: AuditSpec = {
      columns: ['referrals'],
      areas: {
        partOf: (r) => (parentOf[String(r.code)] === undefined ? [] : [`${parentOf[String(r.code)]}|${r.period}`]),
        totalOf: (r) => `${r.code}|${r.period}`,
      },
    };
    const rows: Row[] = [];
    for (const [period, i1, i2] of [
      ['2025-04', 10, '*'],
      ['2025-05', 15, 20],
      ['2025/26', 25, 25],
    ] as const)
      rows.push(row('icb', 'I1', period, i1), row('icb', 'I2', period, i2), row('region', 'R1', period, 45));
    const withMonths = { ...spec, months: { columns: ['referrals'], keys: [] } };
    const areasOnly = buildAuditSystem(rows, spec);
    const onAreasOnly = buildAuditSystem(rows, withMonths, undefined, areasOnly);
    const fromNothing = buildAuditSystem(rows, withMonths);
    // What differs between them is in the values: the months' equations, and which of them is built on another.
    expect(areasOnly.repeated).toBeUndefined();
    expect(onAreasOnly.repeated).toBeDefined();
    expect(onAreasOnly.fromAreasOnly).toBe(areasOnly.components.length);
    expect(fromNothing.fromAreasOnly).toBeUndefined();
    expect(Object.keys(onAreasOnly)).toEqual(Object.keys(areasOnly));
    expect(Object.keys(fromNothing)).toEqual(Object.keys(areasOnly));
  });
});

describe('the families of areas of a document (areasOfDocument)', () => {
  const parents = (r: Row): readonly string[] =>
    r.level === 'pcn' ? ['I1'] : r.level === 'icb' ? ['R1'] : r.level === 'region' ? ['ENG'] : [];

  it('names a family by its area, period and keys, a row a part of its parents and the total of its own area', () => {
    const areas = areasOfDocument(['source'], parents);
    const pcn = row('pcn', 'P1', '2025-04', 10);
    // Worked out by hand: [area, period_type, period, source].join('|').
    expect(areas.totalOf(pcn)).toBe('P1|month|2025-04|gp');
    expect(areas.partOf(pcn)).toEqual(['I1|month|2025-04|gp']);
    // A key without a value is '' (null and undefined alike).
    const unsourced = { ...row('icb', 'I1', '2025/26', 25), source: null };
    expect(areas.totalOf(unsourced)).toBe('I1|fy|2025/26|');
    expect(areas.partOf(unsourced)).toEqual(['R1|fy|2025/26|']);
  });

  it('is one object for one document, its keys kept with each row and worked out again where the row changed', () => {
    const keys = ['source'];
    const areas = areasOfDocument(keys, parents);
    expect(areasOfDocument(keys, parents)).toBe(areas);
    // Another document's keys (or parents) are another's families.
    expect(areasOfDocument(['band'], parents)).not.toBe(areas);
    const pcn = row('pcn', 'P1', '2025-04', 10);
    const parts = areas.partOf(pcn);
    expect(areas.partOf(pcn)).toBe(parts);
    // A row whose key or area is not what its families were worked out from is worked out again.
    pcn.source = 'self';
    expect(areas.totalOf(pcn)).toBe('P1|month|2025-04|self');
    pcn.level = 'icb';
    expect(areas.partOf(pcn)).toEqual(['R1|month|2025-04|self']);
  });
});
