/**
 * bench:dashboard — the dashboard's budgets, measured in headless Chromium against the local stack:
 * - the JavaScript the first page (National rollout) loads, gzipped: at most 250 kB;
 * - the rollout page's largest contentful paint: under 1 second (median of several cold loads).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { tempDir } from '../support/files.ts';
import { CHROMIUM, CHROMIUM_ARGS, DASHBOARD_DIST, startLocalStack } from '../support/local-stack.ts';
import { type BenchRow, printTable, saveResults } from './report.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const dir = tempDir('bench-dashboard');
console.log('starting the local stack with a small demo …');
const { server, url } = await startLocalStack(dir.path);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });

const scripts = new Set<string>();
const lcps: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { __lcp: number };
    w.__lcp = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__lcp = entry.startTime;
    }).observe({ type: 'largest-contentful-paint', buffered: true });
  });
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (path.endsWith('.js')) scripts.add(path);
  });
  await page.goto(`${url}/rollout`, { waitUntil: 'networkidle' });
  await page.getByTestId('kpi-referrals').waitFor();
  await page.waitForTimeout(300);
  lcps.push(await page.evaluate(() => (window as unknown as { __lcp: number }).__lcp));
  await context.close();
}
await browser.close();
server.close();
dir.remove();

const gzipped =
  [...scripts].reduce((sum, path) => sum + gzipSync(readFileSync(join(DASHBOARD_DIST, path))).length, 0) / 1000;
const median = [...lcps].sort((a, b) => a - b)[Math.floor(lcps.length / 2)] as number;
console.log(
  `first page loaded ${scripts.size} scripts: ${[...scripts].join(', ')}; LCP per run: ${lcps.map((l) => Math.round(l)).join(', ')} ms`,
);
const rows: BenchRow[] = [
  {
    bench: 'dashboard',
    measure: 'JavaScript loaded by the first page, gzipped',
    value: gzipped,
    unit: 'kB',
    target: 'at most 250 kB',
    pass: gzipped <= 250,
  },
  {
    bench: 'dashboard',
    measure: `rollout page largest contentful paint, median of ${RUNS}`,
    value: median,
    unit: 'ms',
    target: 'under 1,000 ms',
    pass: median < 1000,
  },
];
printTable(rows);
saveResults('dashboard', rows);
