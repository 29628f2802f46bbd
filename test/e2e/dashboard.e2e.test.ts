import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueUserToken, signingSecret } from '../../functions/auth/local-tokens.ts';
import { identityOf } from '../../functions/auth/scope.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { tempDir } from '../support/files.ts';
import { CHROMIUM, CHROMIUM_ARGS, startLocalStack } from '../support/local-stack.ts';

const PAGES = [
  ['rollout', 'National rollout'],
  ['outcomes', 'Outcomes'],
  ['workforce', 'Workforce'],
  ['compare', 'Compare PCNs'],
  ['equity', 'Equity'],
  ['submissions', 'Data submissions'],
] as const;
const SCREENSHOTS = 'test/e2e/screenshots';

const dir = tempDir('e2e');
let browser: Browser;
let server: Server;
let base: string;
let dataDir: string;

async function open(path: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
    locale: 'en-GB',
  });
  const page = await context.newPage();
  await page.goto(`${base}${path}`);
  await page.getByRole('heading', { level: 1 }).waitFor();
  // Every card has finished loading: no skeleton is left.
  await page.waitForFunction(() => document.querySelectorAll('[data-state="loading"]').length === 0, null, {
    timeout: 20_000,
  });
  return page;
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  ({ server, url: base, dataDir } = await startLocalStack(dir.path));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  dir.remove();
});

describe('the dashboard in headless Chromium against the local stack', () => {
  it.each(PAGES)(
    '/%s loads with the demo data, without errors, and passes an accessibility scan',
    async (path, heading) => {
      const page = await open(`/${path}`);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(heading);
      expect(await page.locator('[data-state="error"]').count()).toBe(0);
      expect(await page.getByTestId('data-as-of').textContent()).toMatch(/^Data as of 30 September 2026/);
      await page.screenshot({ path: `${SCREENSHOTS}/${path}.png`, fullPage: false });
      const results = await new AxeBuilder({ page })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
        .analyze();
      const serious = results.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.nodes.length} nodes`);
      expect(serious).toEqual([]);
      await page.context().close();
    },
  );

  it('the filter bar narrows every figure and keeps the choice in the URL', async () => {
    const page = await open('/rollout');
    const england = await page.getByTestId('kpi-referrals').textContent();
    await page.getByLabel('Region').selectOption({ label: 'London' });
    await page.waitForURL(/region=Y56/);
    await page.waitForFunction(
      (before) => document.querySelector('[data-testid="kpi-referrals"]')?.textContent !== before,
      england,
    );
    const london = await page.getByTestId('kpi-referrals').textContent();
    expect(Number(london?.replaceAll(',', ''))).toBeLessThan(Number(england?.replaceAll(',', '')));
    expect(await page.getByTestId('scope').textContent()).toContain('London');
    // The URL alone brings back the same view.
    const again = await open(`/rollout?region=Y56`);
    expect(await again.getByTestId('kpi-referrals').textContent()).toBe(london);
    await page.context().close();
    await again.context().close();
  });

  it('the funnel plot draws every PCN whose figure is published', async () => {
    const api = await (await fetch(`${base}/api/metrics/pcn_comparison?level=pcn&period=2026/27`)).json();
    const placed = api.rows.filter((r: Record<string, unknown>) => typeof r.referral_rate === 'number').length;
    expect(placed).toBeGreaterThan(50);
    const page = await open('/compare');
    await expect(page.locator('[data-testid="funnel-plot"] [data-pcn]').count()).resolves.toBe(placed);
    expect(await page.locator('[data-testid="compare-table"] tbody tr').count()).toBe(api.rows.length);
    await page.context().close();
  });

  it('a PCN user signs in with a link: the token leaves the address bar, and the page shows only their PCN', async () => {
    const meta = await (await fetch(`${base}/api/meta`)).json();
    const pcn = meta.pcns[0] as { code: string; name: string; parent: string };
    const secret = await signingSecret(new FsObjectStore(dataDir));
    const token = await issueUserToken(secret, identityOf('pcn', pcn.code, 'e2e'), { expiresInSeconds: 600 });
    const page = await open(`/compare#token=${token}`);
    await page.waitForURL(new RegExp(`pcn=${pcn.code}`));
    expect(page.url()).not.toContain(token);
    expect(await page.getByTestId('signed-in').textContent()).toBe(` · signed in: PCN ${pcn.name}`);
    await page.waitForFunction(() => document.querySelectorAll('[data-state="loading"]').length === 0);
    const drawn = await page
      .locator('[data-testid="funnel-plot"] [data-pcn]')
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-pcn')));
    expect(drawn.every((code) => code === pcn.code)).toBe(true);
    const rows = await page.locator('[data-testid="compare-table"] tbody tr').count();
    expect(rows).toBe(1);
    await page.context().close();
  });

  it("downloads a chart's data as CSV, exactly the rows it shows", async () => {
    const page = await open('/rollout');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV: Referrals by month' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('referrals-by-month-ENG.csv');
    const lines = readFileSync((await download.path()) as string, 'utf8')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('Month,Referrals,People referred,Declines');
    expect(lines).toHaveLength(1 + 6); // April to September of FY 2026/27
    expect(lines[1]).toMatch(/^2026-04,\d+,\d+,\d+$/);
    await page.context().close();
  });
});
