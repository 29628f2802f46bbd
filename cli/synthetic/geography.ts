import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import type { PcnReferenceRow, WorkforceRow } from '../../functions/contract/index.ts';
import { buildReferenceHistory } from '../../functions/reference/history.ts';
import { type Extract, pcnsOf, readExtract } from '../../functions/reference/publication.ts';
import { readWorkforcePublication } from '../../functions/reference/workforce-publication.ts';
import type { Rng } from './random.ts';

/**
 * England's real map, from NHS Digital's publications copied into reference-data/nhs-digital (Open Government
 * Licence v3.0): the April and December 2025 GP registration extracts (PCNs, their ICBs and regions, list sizes
 * summed from practices), the PCN workforce publication and IMD 2019 by PCN. Read once per process.
 */
const DATA = new URL('../../reference-data/nhs-digital/', import.meta.url);
const read = (name: string) => ({ name, text: readFileSync(new URL(name, DATA), 'utf8') });

/** The month the demo's PCNs are taken to have stood as in the April 2025 extract since (PCNs began in July 2019). */
export const HISTORY_FROM = '2019-04';
export const EXTRACT_MONTHS = ['2025-04', '2025-12'] as const;

/** An ICB with its NHS England region and the PCNs it has in the latest extract. */
export interface Icb {
  readonly code: string;
  readonly name: string;
  readonly regionCode: string;
  readonly regionName: string;
  readonly pcnCount: number;
}

/** A simulated PCN: a real PCN, and the stable traits that shape its simulated activity. */
export interface SimPcn {
  readonly code: string;
  readonly name: string;
  /** Its ICB in its latest version. */
  readonly icb: Icb;
  /** Registered patients in its latest version. */
  readonly listSize: number;
  /** Its real practices' codes. */
  readonly practices: readonly string[];
  /** IMD 2019 decile of the PCN (1 = most deprived): the centre of its referred people's deciles. */
  readonly deprivation: number;
  /** How active its social prescribing service is relative to the national rate (lognormal around 1). */
  readonly activity: number;
  /** First and last month it exists (YYYY-MM), when it opens or closes in the reference's history. */
  readonly opens?: string;
  readonly closes?: string;
}

export interface RealMap {
  /** Effective-dated versions of every PCN: April 2025 from HISTORY_FROM, December's changes from December. */
  readonly reference: readonly PcnReferenceRow[];
  readonly icbs: readonly Icb[];
  /** Every PCN in the reference, by code, with its latest version. */
  readonly latest: ReadonlyMap<string, PcnReferenceRow>;
  readonly practices: ReadonlyMap<string, readonly string[]>;
  /** IMD 2019 decile by PCN code (the 2023 PCN list). */
  readonly imdDecile: ReadonlyMap<string, number>;
  /** The workforce publication: each PCN's rows (snapshot_month to be set). */
  readonly workforce: ReadonlyMap<string, readonly WorkforceRow[]>;
}

let cached: RealMap | undefined;

export function loadRealMap(): RealMap {
  if (cached) return cached;
  const extracts: Extract[] = EXTRACT_MONTHS.map((month) =>
    readExtract(read(`gp-reg-pat-prac-map-${month}.csv`), read(`gp-reg-pat-prac-all-${month}.csv`)),
  );
  const reference = buildReferenceHistory(
    extracts.map((e) => ({ month: e.month, pcns: pcnsOf(e.practices) })),
    [],
    HISTORY_FROM,
  );
  const latest = new Map<string, PcnReferenceRow>();
  for (const row of reference) latest.set(row.pcn_code, row); // rows are sorted by PCN, then valid_from
  const practices = new Map<string, string[]>();
  for (const extract of extracts) {
    const byPcn = new Map<string, string[]>();
    for (const p of extract.practices) byPcn.set(p.pcn_code, [...(byPcn.get(p.pcn_code) ?? []), p.practice_code]);
    for (const [code, list] of byPcn) practices.set(code, list); // the latest extract a PCN is in
  }
  const lastMonth = `${EXTRACT_MONTHS[EXTRACT_MONTHS.length - 1]}-01`;
  const icbs = new Map<string, Icb>();
  for (const row of latest.values()) {
    const open = row.valid_to === undefined && row.valid_from <= lastMonth ? 1 : 0;
    const icb = icbs.get(row.icb_code);
    icbs.set(row.icb_code, {
      code: row.icb_code,
      name: row.icb_name,
      regionCode: row.region_code,
      regionName: row.region_name,
      pcnCount: (icb?.pcnCount ?? 0) + open,
    });
  }
  const imd = Papa.parse<Record<string, string>>(read('pcn-imd-2019.csv').text, { header: true, skipEmptyLines: true });
  const imdDecile = new Map(imd.data.map((r) => [r.pcn_code as string, Number(r.imd_decile)]));
  const workforce = readWorkforcePublication(
    'pcn-workforce-fte-by-role.csv',
    read('pcn-workforce-fte-by-role.csv').text,
    EXTRACT_MONTHS[1],
  );
  cached = {
    reference,
    icbs: [...icbs.values()].sort((a, b) => a.code.localeCompare(b.code)),
    latest,
    practices,
    imdDecile,
    workforce,
  };
  return cached;
}

export function loadIcbs(): readonly Icb[] {
  return loadRealMap().icbs;
}

const previousMonth = (date: string) => date.slice(0, 7);

/**
 * England's real PCNs, or a stratified share of them: scale < 1 keeps that share of each ICB's PCNs (at least 2),
 * so every region and ICB is present and each PCN's own figures stay real; the PCNs that open, close or move ICB
 * between the extracts are always kept, so the demo shows the geography changing.
 */
export function simulatePcns(rng: Rng, scale: number): SimPcn[] {
  const map = loadRealMap();
  const icbs = new Map(map.icbs.map((icb) => [icb.code, icb]));
  const versions = new Map<string, PcnReferenceRow[]>();
  for (const row of map.reference) versions.set(row.pcn_code, [...(versions.get(row.pcn_code) ?? []), row]);
  const changed = (code: string) => {
    const rows = versions.get(code) ?? [];
    const first = rows[0] as PcnReferenceRow;
    const last = rows.at(-1) as PcnReferenceRow;
    return first.valid_from !== `${HISTORY_FROM}-01` || last.valid_to !== undefined || first.icb_code !== last.icb_code;
  };
  // The ICBs' deciles, for the few PCNs newer than the IMD 2019 PCN list: the median of the ICB's other PCNs.
  const icbDeciles = new Map<string, number[]>();
  for (const row of map.latest.values()) {
    const decile = map.imdDecile.get(row.pcn_code);
    if (decile !== undefined) icbDeciles.set(row.icb_code, [...(icbDeciles.get(row.icb_code) ?? []), decile]);
  }
  const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 5;

  const chosen: PcnReferenceRow[] = [];
  for (const icb of map.icbs) {
    const members = [...map.latest.values()].filter((r) => r.icb_code === icb.code);
    const quota = scale >= 1 ? members.length : Math.max(2, Math.round(members.length * scale));
    const kept = members.filter((r) => changed(r.pcn_code));
    const others = members.filter((r) => !changed(r.pcn_code));
    while (kept.length < quota && others.length > 0)
      kept.push(others.splice(rng.int(0, others.length - 1), 1)[0] as PcnReferenceRow);
    chosen.push(...kept);
  }
  return chosen
    .sort((a, b) => a.pcn_code.localeCompare(b.pcn_code))
    .map((row) => {
      const rows = versions.get(row.pcn_code) as PcnReferenceRow[];
      const first = rows[0] as PcnReferenceRow;
      return {
        code: row.pcn_code,
        name: row.pcn_name,
        icb: icbs.get(row.icb_code) as Icb,
        listSize: row.list_size,
        practices: map.practices.get(row.pcn_code) ?? [],
        deprivation: map.imdDecile.get(row.pcn_code) ?? median(icbDeciles.get(row.icb_code) ?? []),
        activity: Math.exp(rng.normal(0, 0.3)),
        ...(first.valid_from > `${HISTORY_FROM}-01` ? { opens: first.valid_from.slice(0, 7) } : {}),
        ...(row.valid_to !== undefined ? { closes: previousMonth(row.valid_to) } : {}),
      };
    });
}

/** The reference file rows of the simulated PCNs: their real versions. */
export function referenceRows(pcns: readonly SimPcn[]): PcnReferenceRow[] {
  const codes = new Set(pcns.map((p) => p.code));
  return loadRealMap().reference.filter((r) => codes.has(r.pcn_code));
}
