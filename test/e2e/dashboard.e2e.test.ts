import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueUserToken, signingSecret } from '../../functions/auth/local-tokens.ts';
import { identityOf } from '../../functions/auth/scope.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { ASSURANCE_TEXT, VARIATION_TEXT } from '../../functions/stats/spc-icons.ts';
import { csvLines, downloadFrom, launchChromium, openDashboardPage, stopBrowserTest } from '../support/browser.ts';
import { tempDir } from '../support/files.ts';
import { startLocalStack } from '../support/local-stack.ts';

const PAGES = [
  ['rollout', 'National rollout'],
  ['outcomes', 'Outcomes'],
  ['workforce', 'Workforce'],
  ['compare', 'Compare PCNs'],
  ['trends', 'Trends and what changed'],
  ['equity', 'Equity'],
  ['submissions', 'Data submissions'],
] as const;
const SCREENSHOTS = 'test/e2e/screenshots';

const dir = tempDir('e2e');
let browser: Browser;
let server: Server;
let base: string;
let dataDir: string;

const open = (path: string): Promise<Page> => openDashboardPage(browser, `${base}${path}`);

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  ({ server, url: base, dataDir } = await startLocalStack(dir.path));
  browser = await launchChromium();
}, 600_000);

// Closing Chromium took over a minute once at load 20 (CI on a shared machine): given three.
afterAll(() => stopBrowserTest(browser, server, dir), 180_000);

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

  it("the Outcomes page's service use is over 6 months before and after referral, as the API's rows (R26-3)", async () => {
    // 2025/26: the demo's referrals of that year have ended 6-month windows by 30 September 2026.
    const api = await (await fetch(`${base}/api/metrics/cof_system?level=national&code=ENG&period=2025/26`)).json();
    const gp = api.rows.find(
      (r: Record<string, unknown>) => r.service === 'gp_appointment' && r.baseline_band === 'all',
    ) as Record<string, unknown>;
    expect(new Set(api.rows.map((r: Record<string, unknown>) => r.window_months))).toEqual(new Set([6]));
    const page = await open('/outcomes?fy=2025/26');
    const card = page.getByRole('region', {
      name: 'GP, A&E, admissions and outpatients over 6 months before and after referral',
    });
    // The GP figure is England's change (the value, data-testid kpi-gp_appointment), its line below says the windows.
    const kpi = card.getByTestId('kpi-gp_appointment');
    const change = Number(gp.change_pct);
    await expect(kpi.textContent()).resolves.toBe(
      `${change > 0 ? '+' : change < 0 ? '−' : ''}${Math.abs(change).toFixed(1)}%`,
    );
    const line = kpi.locator('xpath=following-sibling::p[1]');
    await expect(line.textContent()).resolves.toContain('after, over 6 months before and after referral, for');
    await expect(line.textContent()).resolves.toContain(`${Number(gp.people).toLocaleString('en-GB')} referrals`);
    await page.context().close();
  });

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

  it('the funnel toggle switches between adjusted and plain limits, with the PCNs outside each as the API says', async () => {
    const api = await (await fetch(`${base}/api/metrics/pcn_comparison?level=pcn&period=2026/27`)).json();
    const outside = (column: string) =>
      api.rows.filter((r: Record<string, unknown>) => r[column] === 'high' || r[column] === 'low').length;
    const page = await open('/compare');
    const drawn = () => page.locator('[data-testid="funnel-plot"] [data-outlier]').count();
    await expect(drawn()).resolves.toBe(outside('referral_rate_vs_national'));
    await expect(page.getByTestId('funnel-meaning').textContent()).resolves.toMatch(
      /^What the limits mean: PCNs differ for reasons beyond chance \(here φ = [\d.]+, /,
    );
    await page.getByLabel('Limits allow for the usual spread between PCNs (recommended)').uncheck();
    await expect(drawn()).resolves.toBe(outside('referral_rate_vs_national_unadjusted'));
    expect(outside('referral_rate_vs_national_unadjusted')).toBeGreaterThan(outside('referral_rate_vs_national'));
    await page.context().close();
  });

  it('the trends page draws SPC charts with their icons in words, a legend, and the What changed panel', async () => {
    const api = await (await fetch(`${base}/api/metrics/spc?level=national&code=ENG`)).json();
    const row = (measure: string) => api.rows.find((r: Record<string, unknown>) => r.measure === measure);
    const page = await open('/trends');
    const charts = page.getByTestId('spc-chart');
    // Referrals, referrals per 1,000, people, declines, engagement, FTE, FTE per 10,000 (the rates: review 19, R19-5).
    await expect(charts.count()).resolves.toBe(7);
    const referrals = page.getByRole('region', { name: 'Referrals by month, England' });
    const variation = row('referrals').variation as keyof typeof VARIATION_TEXT;
    await expect(referrals.getByTestId('variation-icon').locator('span').textContent()).resolves.toBe(
      VARIATION_TEXT[variation],
    );
    await expect(referrals.getByTestId('assurance-icon').locator('span').textContent()).resolves.toBe(
      'Assurance: no target to assure against',
    );
    const people = page.getByRole('region', { name: 'People referred by month, England' });
    const assurance = row('people_referred').assurance as keyof typeof ASSURANCE_TEXT;
    await expect(people.getByTestId('assurance-icon').locator('span').textContent()).resolves.toBe(
      `Assurance: ${ASSURANCE_TEXT[assurance]}`,
    );
    // Engagement leaves out the 3 youngest cohorts: 11 of 14 months, a run chart without icons.
    expect(row('engagement_pct').points).toBe(11);
    const engagement = page.getByRole('region', { name: 'Engagement, % by month of referral, England' });
    await expect(engagement.getByTestId('variation-icon').locator('span').textContent()).resolves.toBe(
      'Variation: fewer than 13 months, so a run chart without icons',
    );
    // Every point is drawn, special causes with the shape of their kind; the chart says how many in words.
    const points = referrals.locator('[data-point]');
    await expect(points.count()).resolves.toBe(row('referrals').points);
    await expect(referrals.locator('svg[role="img"] desc').textContent()).resolves.toMatch(
      /^14 months from 2025-08 to 2026-09; mean [\d,]+; process limits [\d,]+ to [\d,]+; special cause points: \d+ improvement, \d+ concern, \d+ neither\.$/,
    );
    await expect(referrals.getByTestId('spc-legend').textContent()).resolves.toContain(
      'Special cause: concern (diamond)',
    );
    const alerts = await (await fetch(`${base}/api/metrics/alerts`)).json();
    const listed = await page.locator('[data-testid="what-changed"] li').count();
    expect(listed).toBe(alerts.rows.length);
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
    const download = await downloadFrom(page, 'Download CSV: Referrals by month');
    // The year in the name, and the data-as-of date on every row (review 6, K2).
    expect(download.fileName).toBe('referrals-by-month-ENG-2026-27.csv');
    const lines = csvLines(download.path);
    // Offers declined and referrals declined apart (review 6, K3); the PCNs each month covers (review 16, R16-3).
    expect(lines[0]).toBe(
      'Month,Referrals,People referred,Offers declined (no referral),Referrals declined (0 until the referrals of the month have had 3 months),PCNs sent,"PCNs expected (onboarded, not stopped)",Data as of',
    );
    expect(lines).toHaveLength(1 + 6); // April to September of FY 2026/27
    expect(lines[1]).toMatch(/^2026-04,\d+,\d+,\d+,\d+,\d+,\d+,\d{4}-\d{2}-\d{2}$/);
    await page.context().close();
  });
});
