/**
 * The monthly PDF packs at national scale: England's real geography (every PCN, ICB and region of the reference in
 * reference-data/), with published documents of the real shape (24 months and 2 financial years per area, some
 * cells suppressed), packs written to a folder as the refresh writes them. Prints the size and time of a pack per
 * level and the whole run (wall and CPU time); every area's packs with texts remembered (functions/reports/
 * pdf-text.ts) against the same packs with pdfkit laying out every text, side by side in this run, and that they are
 * the same bytes; then the packs stored where each put waits as an S3 PUT does (simulated) against the same packs
 * stored one after the other.
 *
 *   npx tsx test/bench/packs.bench.ts                      (nice -n 10 on a shared machine)
 *   npx tsx test/bench/packs.bench.ts <published folder>   the documents, meta.json and packs/ that
 *     `test/bench/refresh-documents.ts publish` wrote (e.g. of a national refresh): the packs are written from its
 *     documents and compared byte for byte with its packs.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadRealMap } from '../../cli/synthetic/geography.ts';
import type { Level, MetaDocument, MetricDocument, MetricRow } from '../../functions/contract/metrics.ts';
import { packKey } from '../../functions/lib/keys.ts';
import { FsObjectStore, type ObjectStore } from '../../functions/lib/object-store.ts';
import { DEFAULT_TARGETS } from '../../functions/refresh/catalogue.ts';
import { BOARD_DOCUMENTS } from '../../functions/reports/board-measures.ts';
import { PublishedRows } from '../../functions/reports/pack-content.ts';
import { buildPack, PUTS_IN_FLIGHT, packAreas, packReadersOf, writePacks } from '../../functions/reports/packs.ts';
import { rememberTexts } from '../../functions/reports/pdf-text.ts';
import { metricDocument } from '../support/documents.ts';
import { type BenchRow, printTable, saveResults } from './report.ts';

/** England's real geography with made-up figures (24 months, 2 financial years). */
function synthetic(): { meta: MetaDocument; documents: MetricDocument[] } {
  const map = loadRealMap();
  const latest = [...map.latest.values()];
  const regions = [...new Map(map.icbs.map((i) => [i.regionCode, i.regionName])).entries()];
  const months = Array.from({ length: 24 }, (_, i) => {
    const d = new Date(Date.UTC(2024, 9 + i, 1));
    return d.toISOString().slice(0, 7);
  });
  const meta: MetaDocument = {
    generated_at: '2026-10-05T06:00:00.000Z',
    data_as_of: '2026-09-30',
    months,
    financial_years: ['2025/26', '2026/27'],
    regions: regions.map(([code, name]) => ({ code, name, parent: 'ENG' })),
    icbs: map.icbs.map((i) => ({ code: i.code, name: i.name, parent: i.regionCode })),
    pcns: latest.map((p) => ({ code: p.pcn_code, name: p.pcn_name, parent: p.icb_code, list_size: p.list_size })),
    metrics: [],
    targets: DEFAULT_TARGETS,
  };

  let seed = 7;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const figure = (scale: number, level: Level) =>
    level === 'pcn' && random() < 0.1 ? '*' : Math.round(random() * scale * 10) / 10;
  const areas = packAreas(meta);
  const periods = [...months, ...meta.financial_years];
  const rowsOf = (make: (level: Level, code: string, period: string) => Record<string, unknown>[]) =>
    areas.flatMap(({ level, code }) =>
      periods.flatMap((period) =>
        make(level, code, period).map(
          (fields) =>
            ({ level, code, period_type: period.includes('/') ? 'fy' : 'month', period, ...fields }) as MetricRow,
        ),
      ),
    );
  const doc = (name: string, rows: MetricRow[]) => metricDocument(meta, name, rows);
  const documents = [
    doc(
      'rollout',
      rowsOf((l) => [
        {
          referrals_per_1000: figure(20, l),
          pct_list_referred_annualised: figure(3, l),
          decline_rate_pct: figure(20, l),
          pcns: 10,
          pcns_reporting: 9,
        },
      ]),
    ),
    doc(
      'cof_person',
      rowsOf((l) => [
        {
          engaged_pct: figure(100, l),
          connected_pct: figure(100, l),
          mean_contacts: figure(12, l),
          wellbeing_improved_pct: figure(100, l),
        },
      ]),
    ),
    doc(
      'cof_system',
      rowsOf((l) =>
        ['gp_appointment', 'ae_attendance'].flatMap((service) =>
          ['all', '0', '1', '2+'].map((band) => ({ service, baseline_band: band, change_pct: -figure(30, l) || 0 })),
        ),
      ),
    ),
    doc(
      'workforce',
      rowsOf((l) => [{ splw_fte_per_10000: figure(2, l), caseload_annualised: figure(400, l) }]),
    ),
    doc(
      'pcn_comparison',
      rowsOf((l, _c, p) =>
        l === 'pcn' && p.includes('/')
          ? [{ referral_rate_vs_national: 'within', referral_rate_vs_region: 'high', take_up_pct_vs_national: 'low' }]
          : [],
      ),
    ),
    doc(
      'spc',
      areas.flatMap(({ level, code }) =>
        ['referrals', 'decline_rate_pct', 'engagement_pct', 'splw_fte'].map(
          (measure) =>
            ({
              level,
              code,
              period_type: 'all',
              period: 'all',
              measure,
              variation: 'common_cause',
              assurance: null,
              points: 24,
            }) as MetricRow,
        ),
      ),
    ),
    // As the refresh publishes it: about each area's own business (functions/refresh/alerts.ts).
    { ...doc('alerts', []), visibility: 'inside_area' as const },
    doc(
      'data_quality',
      meta.pcns.map(
        (p) =>
          ({
            level: 'pcn',
            code: p.code,
            period_type: 'all',
            period: 'all',
            uploads: 48,
            rows_accepted: 123456,
            rows_rejected: 12,
          }) as MetricRow,
      ),
    ),
  ];
  if (documents.some((d) => !BOARD_DOCUMENTS.includes(d.name))) throw new Error('a document the packs do not read');
  return { meta, documents };
}

/** A refresh's published folder: meta.json and the documents the packs read. */
function fromFolder(folder: string): { meta: MetaDocument; documents: MetricDocument[] } {
  const read = (name: string) => JSON.parse(readFileSync(join(folder, name), 'utf8'));
  return { meta: read('meta.json'), documents: BOARD_DOCUMENTS.map((name) => read(`${name}.json`)) };
}

const published = process.argv[2];
const { meta, documents } = published ? fromFolder(published) : synthetic();
const areas = packAreas(meta);

const rows = new PublishedRows(documents);
const results: BenchRow[] = [];
for (const level of ['national', 'region', 'icb', 'pcn'] as const) {
  const at = areas.filter((a) => a.level === level);
  const sample = at.slice(0, level === 'pcn' ? 100 : at.length);
  await buildPack(sample[0]?.level as Level, sample[0]?.code as string, rows, meta); // warm
  const started = performance.now();
  const cpu = process.cpuUsage();
  let bytes = 0;
  let largest = 0;
  for (const a of sample) {
    const pdf = await buildPack(a.level, a.code, rows, meta);
    bytes += pdf.length;
    largest = Math.max(largest, pdf.length);
  }
  const used = process.cpuUsage(cpu);
  results.push(
    { bench: 'packs', measure: `${level}: packs`, value: at.length, unit: 'packs' },
    { bench: 'packs', measure: `${level}: mean pack size`, value: bytes / sample.length / 1024, unit: 'KiB' },
    { bench: 'packs', measure: `${level}: largest pack`, value: largest / 1024, unit: 'KiB' },
    {
      bench: 'packs',
      measure: `${level}: time per pack`,
      value: (performance.now() - started) / sample.length,
      unit: 'ms',
    },
    {
      bench: 'packs',
      measure: `${level}: CPU per pack`,
      value: (used.user + used.system) / 1000 / sample.length,
      unit: 'ms',
    },
  );
}

const out = join(tmpdir(), `packs-bench-${process.pid}`);
const cpu = process.cpuUsage();
const written = await writePacks(new FsObjectStore(out), documents, meta);
const used = process.cpuUsage(cpu);
rmSync(out, { recursive: true, force: true });
results.push(
  { bench: 'packs', measure: 'England: every area, packs written', value: written.packs, unit: 'packs' },
  { bench: 'packs', measure: 'England: every area, total size', value: written.bytes / 1024 / 1024, unit: 'MiB' },
  { bench: 'packs', measure: 'England: every area, wall time', value: written.milliseconds / 1000, unit: 's' },
  { bench: 'packs', measure: 'England: every area, CPU time', value: (used.user + used.system) / 1e6, unit: 's' },
);

// Every area's packs with texts remembered (as the refresh writes them, from an empty memory, as in a new process)
// against the same packs with pdfkit laying out every text, side by side in this run; a store that keeps each
// pack's digest, to show they are the same bytes (and, from a published folder, the folder's packs).
async function everyArea(remember: boolean) {
  rememberTexts(remember);
  const digests = new Map<string, string>();
  const hashing: ObjectStore = {
    get: async () => undefined,
    getStream: async () => undefined,
    list: async () => [],
    listModified: async () => [],
    delete: async () => {},
    put: async (key, body) => void digests.set(key, createHash('sha256').update(body).digest('hex')),
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  await writePacks(hashing, documents, meta);
  const used = process.cpuUsage(cpu);
  return { digests, cpu: (used.user + used.system) / 1e6, wall: (performance.now() - started) / 1000 };
}
const laidOut = await everyArea(false);
const remembered = await everyArea(true);
const same = [...remembered.digests].filter(([key, digest]) => laidOut.digests.get(key) === digest).length;
const load = loadavg()[0] as number;
// The packs for readers outside England, each region and ICB (without their alerts) against the areas' own packs
// only, as the refresh wrote them before: texts remembered, side by side in this run.
const ownOnly = await (async () => {
  rememberTexts(true); // from an empty memory, as `remembered` was
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const { level, code } of areas) await buildPack(level, code, rows, meta);
  const used = process.cpuUsage(cpu);
  return { cpu: (used.user + used.system) / 1e6, wall: (performance.now() - started) / 1000 };
})();
results.push(
  {
    bench: 'packs',
    measure: `every area, CPU: own packs and ${remembered.digests.size - areas.length} for readers outside`,
    value: remembered.cpu,
    unit: 's',
    baseline: { measure: `the ${areas.length} own packs only`, value: ownOnly.cpu },
    ratio: remembered.cpu / ownOnly.cpu,
  },
  {
    bench: 'packs',
    measure: 'every area, wall: own packs and those for readers outside',
    value: remembered.wall,
    unit: 's',
    baseline: { measure: 'own packs only', value: ownOnly.wall },
    ratio: remembered.wall / ownOnly.wall,
  },
  {
    bench: 'packs',
    measure: `every area, CPU: texts remembered (load ${load.toFixed(1)})`,
    value: remembered.cpu,
    unit: 's',
    baseline: { measure: 'pdfkit laying out every text', value: laidOut.cpu },
    ratio: remembered.cpu / laidOut.cpu,
  },
  {
    bench: 'packs',
    measure: 'every area, wall: texts remembered',
    value: remembered.wall,
    unit: 's',
    baseline: { measure: 'pdfkit laying out every text', value: laidOut.wall },
    ratio: remembered.wall / laidOut.wall,
  },
  { bench: 'packs', measure: 'the same bytes either way', value: same, unit: `of ${remembered.digests.size} packs` },
);
if (published) {
  const digest = (key: string) =>
    createHash('sha256')
      .update(readFileSync(join(published, key.replace(/^metrics\//, ''))))
      .digest('hex');
  const asPublished = [...remembered.digests].filter(([key, d]) => digest(key) === d).length;
  results.push({
    bench: 'packs',
    measure: `the same bytes as ${published}`,
    value: asPublished,
    unit: `of ${remembered.digests.size} packs`,
  });
}

// Storing the packs where each put waits, as an S3 PUT does (simulated: a store that answers after PUT_WAIT_MS and
// keeps nothing): writePacks, which stores each pack while it writes the next, against the same packs written and
// stored one after the other. England, the regions, the ICBs and the first 200 PCNs.
const PUT_WAIT_MS = 20;
const waiting: ObjectStore = {
  get: async () => undefined,
  getStream: async () => undefined,
  list: async () => [],
  listModified: async () => [],
  delete: async () => {},
  put: () => sleep(PUT_WAIT_MS),
};
const some = { ...meta, pcns: meta.pcns.slice(0, 200) };
const outside = rows.forReadersOutside();
let started = performance.now();
for (const { level, code } of packAreas(some))
  for (const readers of packReadersOf(level)) {
    const pdf = await buildPack(level, code, readers === 'inside' ? rows : outside, some);
    await waiting.put(packKey(level, code, readers), pdf);
  }
const oneByOne = (performance.now() - started) / 1000;
started = performance.now();
const overlapped = await writePacks(waiting, documents, some);
const seconds = (performance.now() - started) / 1000;
results.push({
  bench: 'packs',
  measure: `${overlapped.packs} packs, each put waiting ${PUT_WAIT_MS} ms: stored while the next are written (up to ${PUTS_IN_FLIGHT})`,
  value: seconds,
  unit: 's',
  baseline: { measure: 'written and stored one after the other', value: oneByOne },
  ratio: seconds / oneByOne,
});
printTable(results);
saveResults('packs', results);
