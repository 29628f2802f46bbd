import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
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
