import { describe, expect, it } from 'vitest';
import { formatFigure, formatNumber } from '../../functions/reports/pack-content.ts';

/** The packs' en-GB numbers (functions/reports/pack-content.ts formatNumber), without Intl. */
describe('the packs’ numbers', () => {
  it('group thousands with commas and keep the decimals asked for', () => {
    expect([0, 7, 123, 999, 1000, 12345, 1234567].map((v) => formatNumber(v, 0))).toEqual([
      '0',
      '7',
      '123',
      '999',
      '1,000',
      '12,345',
      '1,234,567',
    ]);
    expect([0.04, 12.25, 999.94, 999.95, 1234.56, 1234567.891].map((v) => formatNumber(v, 1))).toEqual([
      '0.0',
      '12.3',
      '999.9',
      '1,000.0',
      '1,234.6',
      '1,234,567.9',
    ]);
  });

  it('print a fall with a hyphen, and no sign on a figure that rounds to nothing', () => {
    expect([-3, -1234.5, -0.04, -0.05, -0].map((v) => formatNumber(v, 1))).toEqual([
      '-3.0',
      '-1,234.5',
      '0.0',
      '-0.1',
      '0.0',
    ]);
    expect([formatFigure(-16.34, 'change'), formatFigure(2.5, 'change'), formatFigure(1234.5, 'percent')]).toEqual([
      '-16.3%',
      '+2.5%',
      '1,234.5%',
    ]);
  });
});
