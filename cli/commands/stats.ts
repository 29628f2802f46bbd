import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { analyseFunnel } from '../../functions/stats/funnel.ts';
import { analyseSeries } from '../../functions/stats/spc.ts';
import type { Improvement } from '../../functions/stats/spc-icons.ts';
import { ASSURANCE_TEXT, VARIATION_TEXT } from '../../functions/stats/spc-icons.ts';

/** A problem with the input file: names the file, row and column, never the value (it might be personal). */
export class StatsInputError extends Error {}

interface Table {
  readonly file: string;
  readonly rows: readonly Record<string, string>[];
}

function readTable(file: string, columns: readonly string[]): Table {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new StatsInputError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      cause: error,
    });
  }
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: true,
    // Told, not guessed: a one-column file (a single series for spc) has no delimiter to detect, and Papa refuses it.
    delimiter: ',',
  });
  const first = parsed.errors[0];
  if (first) throw new StatsInputError(`${file}: row ${(first.row ?? 0) + 2}: not valid CSV (${first.code})`);
  const header = parsed.meta.fields ?? [];
  for (const column of columns)
    if (!header.includes(column)) throw new StatsInputError(`${file}: no column "${column}" in the header`);
  if (parsed.data.length === 0) throw new StatsInputError(`${file}: no data rows`);
  return { file, rows: parsed.data };
}

/** A number from a cell; rows are numbered as in the file, the header being row 1. */
function numberIn(table: Table, index: number, column: string, rule: (n: number) => string | null): number {
  const cell = (table.rows[index]?.[column] ?? '').trim();
  const value = cell === '' ? Number.NaN : Number(cell);
  const problem = Number.isFinite(value) ? rule(value) : cell === '' ? 'is empty' : 'is not a number';
  if (problem) throw new StatsInputError(`${table.file}: row ${index + 2}, column "${column}": ${problem}`);
  return value;
}

export interface FunnelCommandOptions {
  readonly numerator: string;
  readonly denominator: string;
  readonly unit: string;
  readonly adjust: boolean;
}

export function funnelFromCsv(file: string, options: FunnelCommandOptions) {
  const table = readTable(file, [options.numerator, options.denominator, options.unit]);
  const seen = new Set<string>();
  const units = table.rows.map((row, i) => {
    const unit = (row[options.unit] ?? '').trim();
    if (unit === '') throw new StatsInputError(`${file}: row ${i + 2}, column "${options.unit}": is empty`);
    if (seen.has(unit)) throw new StatsInputError(`${file}: row ${i + 2}, column "${options.unit}": repeats a unit`);
    seen.add(unit);
    const denominator = numberIn(table, i, options.denominator, (n) => (n > 0 ? null : 'must be more than 0'));
    const numerator = numberIn(table, i, options.numerator, (n) =>
      n < 0 ? 'must not be negative' : n > denominator ? `must not be more than the ${options.denominator}` : null,
    );
    return { unit, numerator, denominator };
  });
  const result = analyseFunnel(units, { adjust: options.adjust });
  return {
    target: result.target,
    phi: result.phi,
    tau2: result.tau2,
    units: result.units.map((u) => ({
      unit: u.unit,
      rate: u.rate,
      z: u.z,
      lower95: u.lower95,
      upper95: u.upper95,
      lower998: u.lower998,
      upper998: u.upper998,
      outside: u.outside,
    })),
  };
}

export interface SpcCommandOptions {
  readonly value: string;
  readonly improvement: Improvement;
  readonly target: number | null;
}

export function spcFromCsv(file: string, options: SpcCommandOptions) {
  const table = readTable(file, [options.value]);
  const values = table.rows.map((_, i) => numberIn(table, i, options.value, () => null));
  const result = analyseSeries(values, { improvement: options.improvement, target: options.target });
  return {
    mean: result.mean,
    median: result.median,
    upper_limit: result.upper_limit,
    lower_limit: result.lower_limit,
    points: result.points.map((p) => ({ value: p.value, rules: p.rules })),
    variation: result.variation,
    assurance: result.assurance,
  };
}

const fixed = (n: number | null, digits = 4) => (n === null ? '–' : n.toFixed(digits));

export function describeFunnel(result: ReturnType<typeof funnelFromCsv>): string[] {
  const outside = result.units.filter((u) => u.outside !== null);
  return [
    `target ${fixed(result.target, 6)}  phi ${fixed(result.phi)}  tau2 ${fixed(result.tau2, 6)}${result.tau2 === 0 ? ' (no adjustment)' : ''}`,
    ['unit', 'rate', 'z', 'lower99.8', 'upper99.8', 'outside'].join('\t'),
    ...result.units.map((u) =>
      [u.unit, fixed(u.rate), fixed(u.z, 2), fixed(u.lower998), fixed(u.upper998), u.outside ?? ''].join('\t'),
    ),
    `${outside.length} of ${result.units.length} units outside the 99.8% limits`,
  ];
}

export function describeSpc(result: ReturnType<typeof spcFromCsv>): string[] {
  return [
    result.median === null
      ? `mean ${fixed(result.mean)}  limits ${fixed(result.lower_limit)} to ${fixed(result.upper_limit)}`
      : `median ${fixed(result.median)}  mean ${fixed(result.mean)}  no limits (fewer than 13 points: a run chart about the median)`,
    ...result.points.map((p, i) => `${i + 1}\t${p.value}\t${p.rules.join(' ')}`),
    `variation: ${result.variation === null ? 'none (run chart)' : VARIATION_TEXT[result.variation]}`,
    `assurance: ${result.assurance === null ? 'none' : ASSURANCE_TEXT[result.assurance]}`,
  ];
}
