import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import type { PcnReferenceRow } from '../../functions/contract/index.ts';
import type { Rng } from './random.ts';

/** The 42 ICBs with their NHS England region and open PCN count (Feb 2023), from shared/refdata. */
export interface Icb {
  readonly code: string;
  readonly name: string;
  readonly regionCode: string;
  readonly regionName: string;
  readonly pcnCount: number;
}

export function loadIcbs(): Icb[] {
  const text = readFileSync(new URL('./icb-regions.csv', import.meta.url), 'utf8');
  const rows = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data;
  return rows.map((row) => ({
    code: row.icb_ods_code as string,
    name: row.icb_name as string,
    regionCode: row.region_ods_code as string,
    regionName: row.region_name as string,
    pcnCount: Number(row.open_pcns_feb2023),
  }));
}

/** A simulated PCN: stable traits that shape all its activity. */
export interface SimPcn {
  readonly code: string;
  readonly name: string;
  readonly icb: Icb;
  readonly listSize: number;
  readonly practices: readonly string[];
  /** Typical IMD decile of the PCN's patients (1 = most deprived). */
  readonly deprivation: number;
  /** How active its social prescribing service is relative to the national rate (lognormal around 1). */
  readonly activity: number;
  /** First and last month it exists (YYYY-MM), when it opens or closes inside the horizon. */
  readonly opens?: string;
  readonly closes?: string;
  /** A move to another ICB on the first day of this month. */
  readonly moves?: { readonly month: string; readonly to: Icb };
}

const MEDIAN_LIST = 44_000;
const LIST_SIGMA = 0.36; // gives a 95th percentile near 80,000, as published
const MAX_LIST = 264_000;

function listSize(rng: Rng): number {
  let size = MEDIAN_LIST * Math.exp(rng.normal(0, LIST_SIGMA));
  if (rng.chance(0.012)) size *= 2.2 + rng.next() * 1.6; // the few very large PCNs
  return Math.round(Math.min(MAX_LIST, Math.max(9_000, size)) / 10) * 10;
}

function shortName(icb: Icb): string {
  return icb.name.replace(/^NHS /, '').replace(/ ICB$/, '');
}

/**
 * The PCNs of England, or a stratified share of them (scale < 1 keeps that share of each ICB's PCNs, so every
 * region and ICB is present and each PCN's own figures stay realistic).
 */
export function simulatePcns(rng: Rng, scale: number, months: readonly string[]): SimPcn[] {
  const icbs = loadIcbs();
  const used = new Set<string>();
  const pcns: SimPcn[] = [];
  const practiceLetters = 'ABCDEFGHJKLMNPRSTVWY';
  for (const icb of icbs) {
    const count = Math.max(2, Math.round(icb.pcnCount * scale));
    for (let n = 1; n <= count; n++) {
      let code: string;
      do code = `U${String(rng.int(10000, 99999))}`;
      while (used.has(code));
      used.add(code);
      const size = listSize(rng);
      const practiceCount = Math.max(1, Math.round(size / (7_000 + rng.next() * 5_000)));
      const letter = practiceLetters[icbs.indexOf(icb) % practiceLetters.length] as string;
      const practices = Array.from({ length: practiceCount }, () => `${letter}${String(rng.int(10000, 99999))}`);
      pcns.push({
        code,
        name: `${shortName(icb)} PCN ${n}`,
        icb,
        listSize: size,
        practices,
        deprivation: Math.min(10, Math.max(1, Math.round(rng.normal(4.6, 2.4)))),
        activity: Math.exp(rng.normal(0, 0.3)),
      });
    }
  }
  // The geography changes over time: a few PCNs move ICB, one opens and one closes inside the horizon.
  const middle = months[Math.floor(months.length / 2)];
  const movers = [pcns[3], pcns[Math.floor(pcns.length / 2)], pcns[pcns.length - 5]];
  for (const mover of movers) {
    if (!mover) continue;
    const others = icbs.filter((icb) => icb.regionCode === mover.icb.regionCode && icb.code !== mover.icb.code);
    if (middle && others.length > 0) Object.assign(mover, { moves: { month: middle, to: rng.pick(others) } });
  }
  if (months.length >= 6) {
    Object.assign(pcns[pcns.length - 1] as SimPcn, { opens: months[Math.floor(months.length / 3)] });
    Object.assign(pcns[pcns.length - 2] as SimPcn, { closes: months[Math.floor((months.length * 2) / 3)] });
  }
  return pcns;
}

const lastDayOf = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};
const dayBefore = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, 0)).toISOString().slice(0, 10);
};

/** The reference file rows: one per PCN and period in force. */
export function referenceRows(pcns: readonly SimPcn[]): PcnReferenceRow[] {
  const rows: PcnReferenceRow[] = [];
  const base = (pcn: SimPcn, icb: Icb) => ({
    pcn_code: pcn.code,
    pcn_name: pcn.name,
    icb_code: icb.code,
    icb_name: icb.name,
    region_code: icb.regionCode as PcnReferenceRow['region_code'],
    region_name: icb.regionName,
    list_size: pcn.listSize,
  });
  for (const pcn of pcns) {
    const from = pcn.opens ? `${pcn.opens}-01` : '2019-04-01';
    const to = pcn.closes ? lastDayOf(pcn.closes) : undefined;
    if (pcn.moves) {
      rows.push({ ...base(pcn, pcn.icb), valid_from: from, valid_to: dayBefore(pcn.moves.month) });
      rows.push({ ...base(pcn, pcn.moves.to), valid_from: `${pcn.moves.month}-01`, ...(to ? { valid_to: to } : {}) });
    } else {
      rows.push({ ...base(pcn, pcn.icb), valid_from: from, ...(to ? { valid_to: to } : {}) });
    }
  }
  return rows;
}
