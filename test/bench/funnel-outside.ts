/**
 * Funnel calibration on the demo (issue 15, "Must show"): the share of PCNs outside the 99.8% limits adjusted for
 * overdispersion (and, beside it, the plain limits), for each measure and financial year, around England and around
 * the PCN's region.
 *
 *   npx tsx test/bench/funnel-outside.ts                 # generate, ingest and refresh the demo, then measure
 *   npx tsx test/bench/funnel-outside.ts DATA_DIR        # measure an existing data folder's published documents
 *
 * Demo size: FUNNEL_SCALE (default 0.04, as test/integration/synthetic-demo.test.ts), FUNNEL_MONTHS (default 24),
 * ending FUNNEL_END (default 2025-12), seed 7. A scale of 1 is the national demo (heavy: use nice).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metricKey } from '../../functions/lib/keys.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { currentRelease } from '../../functions/lib/release.ts';
import { outsideShares } from '../../functions/refresh/funnel-documents.ts';
import { publishDemo } from '../support/local-stack.ts';

async function demoDataDir(): Promise<{ data: string; remove: () => void }> {
  const root = mkdtempSync(join(tmpdir(), 'funnel-outside-'));
  const data = await publishDemo(root, {
    scale: Number(process.env.FUNNEL_SCALE ?? 0.04),
    months: Number(process.env.FUNNEL_MONTHS ?? 24),
    endMonth: process.env.FUNNEL_END ?? '2025-12',
    seed: 7,
    faultRate: 0,
  });
  return { data, remove: () => rmSync(root, { recursive: true, force: true }) };
}

async function main() {
  const given = process.argv[2];
  const { data, remove } = given ? { data: given, remove: () => {} } : await demoDataDir();
  try {
    const bytes = await (await currentRelease(new FsObjectStore(data))).get(metricKey('pcn_comparison'));
    if (!bytes) throw new Error(`${data}: no ${metricKey('pcn_comparison')}: run a refresh first`);
    const document = JSON.parse(new TextDecoder().decode(bytes)) as { rows: Record<string, unknown>[] };
    const shares = outsideShares(document.rows);
    const cell = (s: (typeof shares)[number] | undefined) =>
      s?.outside_pct === null || s === undefined ? '-' : `${s.outside_pct}% (${s.high + s.low}/${s.placed})`;
    console.log('| FY | measure | adjusted vs England | adjusted vs region | plain vs England | plain vs region |');
    console.log('|---|---|---|---|---|---|');
    const find = (p: string, m: string, a: string) =>
      shares.find((s) => s.period === p && s.measure === m && s.against === a);
    for (const { period, measure } of shares.filter((s) => s.against === 'vs_national')) {
      const cells = ['vs_national', 'vs_region', 'vs_national_unadjusted', 'vs_region_unadjusted'].map((a) =>
        cell(find(period, measure, a)),
      );
      console.log(`| ${period} | ${measure} | ${cells.join(' | ')} |`);
    }
  } finally {
    remove();
  }
}

await main();
