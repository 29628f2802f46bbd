import { describe, expect, it } from 'vitest';
import {
  formatChange,
  formatCount,
  formatDate,
  formatDecimal,
  formatFte,
  formatPercent,
  fyLabel,
  fyOfMonth,
  longMonthLabel,
  monthLabel,
  monthSpanLabel,
} from './format.ts';

describe('en-GB formatting of figures', () => {
  it('counts: thousands separators, suppression kept as *, missing as a dash, never zero', () => {
    expect(formatCount(1_234_567)).toBe('1,234,567');
    expect(formatCount(0)).toBe('0');
    expect(formatCount('*')).toBe('*');
    expect(formatCount(null)).toBe('–');
    expect(formatCount(undefined)).toBe('–');
  });

  it('decimals, percentages and signed changes', () => {
    expect(formatDecimal(4.3836)).toBe('4.4');
    expect(formatDecimal(1_234.5, 2)).toBe('1,234.50');
    expect(formatPercent(12)).toBe('12.0%');
    expect(formatPercent('*')).toBe('*');
    expect(formatChange(-14)).toBe('−14.0%');
    expect(formatChange(3.25)).toBe('+3.3%');
    expect(formatChange(0)).toBe('0.0%');
    expect(formatChange('*')).toBe('*');
  });

  it('staff FTE: one decimal for England, whole numbers below it where FTE is published rounded to 5', () => {
    expect(formatFte(1_234.56, 'national')).toBe('1,234.6');
    expect(formatFte(35, 'icb')).toBe('35');
    expect(formatFte(1_250, 'region')).toBe('1,250');
    expect(formatFte('*', 'pcn')).toBe('*');
    expect(formatFte(null, 'pcn')).toBe('–');
  });

  it('dates, months and financial years', () => {
    expect(formatDate('2026-10-31')).toBe('31 October 2026');
    expect(formatDate('2026-11-22T16:21:54.874Z')).toBe('22 November 2026');
    expect(formatDate(null)).toBe('–');
    expect(monthLabel('2025-04')).toBe('Apr 2025');
    expect(longMonthLabel('2026-11')).toBe('November 2026');
    expect(monthSpanLabel('2025-04', '2025-04')).toBe('April 2025');
    expect(monthSpanLabel('2025-04', '2025-08')).toBe('April to August 2025');
    expect(monthSpanLabel('2025-11', '2026-02')).toBe('November 2025 to February 2026');
    expect(fyLabel('2024/25')).toBe('FY 2024/25');
    expect(fyOfMonth('2025-03')).toBe('2024/25');
    expect(fyOfMonth('2025-04')).toBe('2025/26');
    expect(fyOfMonth('2099-12')).toBe('2099/00');
  });
});
