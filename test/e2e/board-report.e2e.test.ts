import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueUserToken, signingSecret } from '../../functions/auth/local-tokens.ts';
import { identityOf } from '../../functions/auth/scope.ts';
import type { MetaDocument, MetricDocument } from '../../functions/contract/metrics.ts';
import { META_KEY, releasedKey } from '../../functions/lib/keys.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { releaseOf } from '../../functions/lib/release.ts';
import { csvLines, downloadFrom, launchChromium, openDashboardPage, stopBrowserTest } from '../support/browser.ts';
import { tempDir } from '../support/files.ts';
import { startLocalStack } from '../support/local-stack.ts';

/**
 * The board report page and the monthly pack, in headless Chromium against the local stack (generate, ingest,
 * refresh, which writes the packs, and the real server), signed in as a PCN.
 */
const dir = tempDir('e2e-board');
let browser: Browser;
let server: Server;
let base: string;
let dataDir: string;
let meta: MetaDocument;
let pcn: MetaDocument['pcns'][number];
let token: string;

// A document of the release meta.json names (metrics/releases/<release>/, R24-2).
const published = (name: string) => {
  const release = releaseOf(JSON.parse(readFileSync(join(dataDir, META_KEY), 'utf8')) as object);
  return JSON.parse(
    readFileSync(join(dataDir, releasedKey(release, `metrics/${name}.json`)), 'utf8'),
  ) as MetricDocument;
};

const openAsPcn = (path: string): Promise<Page> =>
  openDashboardPage(browser, `${base}${path}#token=${token}`, {
    settlesOn: new RegExp(`pcn=${pcn.code}`),
    heading: 'Board report',
    timeout: 30_000,
  });

beforeAll(async () => {
  ({ server, url: base, dataDir } = await startLocalStack(dir.path, { scale: 0.01, months: 6 }));
  meta = JSON.parse(readFileSync(join(dataDir, 'metrics', 'meta.json'), 'utf8')) as MetaDocument;
  // A PCN with referrals this year, so its figures are published rather than suppressed.
  const fy = meta.financial_years.at(-1);
  const rollout = published('rollout');
  pcn = meta.pcns.find((p) =>
    rollout.rows.some((r) => r.code === p.code && r.period === fy && typeof r.referrals_per_1000 === 'number'),
  ) as MetaDocument['pcns'][number];
  const secret = await signingSecret(new FsObjectStore(dataDir));
  token = await issueUserToken(secret, identityOf('pcn', pcn.code, 'e2e'), { expiresInSeconds: 600 });
  browser = await launchChromium();
}, 600_000);

// Closing Chromium took over a minute once at load 20 (CI on a shared machine): given three.
afterAll(() => stopBrowserTest(browser, server, dir), 180_000);

describe('the board report and the monthly pack', () => {
  it('shows a PCN beside its ICB, region and England, with the published figures, and passes an accessibility scan', async () => {
    const page = await openAsPcn('/report');
    const icb = meta.icbs.find((i) => i.code === pcn.parent) as MetaDocument['icbs'][number];
    const region = meta.regions.find((r) => r.code === icb.parent) as MetaDocument['regions'][number];
    expect(await page.getByTestId('board-areas').textContent()).toBe(
      `PCN: ${pcn.name} · ICB: ${icb.name} · Region: ${region.name} · England`,
    );
    const fy = meta.financial_years.at(-1);
    const figureOf = (level: string, code: string) =>
      // A year's referral rate is annualised from the area's months with data (a part year is not set beside a whole).
      published('rollout').rows.find((r) => r.level === level && r.code === code && r.period === fy)
        ?.referrals_per_1000_annualised as number;
    for (const [level, code] of [
      ['pcn', pcn.code],
      ['icb', icb.code],
      ['region', region.code],
      ['national', 'ENG'],
    ]) {
      const expected = figureOf(level as string, code as string).toLocaleString('en-GB', {
        minimumFractionDigits: 1,
        maximumFractionDigits: 1,
      });
      expect(await page.getByTestId(`figure-referrals_per_1000-${level}`).textContent()).toBe(expected);
    }
    expect(await page.locator('[data-state="error"]').count()).toBe(0);
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(
      results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id),
    ).toEqual([]);
    await page.context().close();
  });

  it('offers a CSV of exactly what a card shows', async () => {
    const page = await openAsPcn('/report');
    const download = await downloadFrom(page, 'Download CSV: Link workers');
    // Its year in the name and on every row, and the data-as-of date last (review 6, K2).
    const fy = meta.financial_years.at(-1) as string;
    expect(download.fileName).toBe(`link-workers-${pcn.code}-${fy.replace('/', '-')}.csv`);
    const lines = csvLines(download.path);
    expect(lines).toHaveLength(3);
    expect(lines[0]?.startsWith('Financial year,Measure,')).toBe(true);
    expect(lines[0]?.endsWith(',Data as of')).toBe(true);
    expect(lines[1]?.startsWith(`${fy},"Link worker FTE per 10,000 registered patients",`)).toBe(true);
    expect(lines[2]?.startsWith(`${fy},Caseload: people referred a year per link worker FTE,`)).toBe(true);
    expect(lines.slice(1).every((line) => line.endsWith(`,${meta.data_as_of}`))).toBe(true);
    await page.context().close();
  });

  it("downloads the PCN's monthly pack: a PDF with its name and no other PCN's", async () => {
    const page = await openAsPcn('/report');
    const download = await downloadFrom(page, `Download monthly pack (PDF): ${pcn.name}`);
    expect(download.fileName).toBe(`social-prescribing-pack-${pcn.code}.pdf`);
    const text = execFileSync('pdftotext', ['-layout', download.path, '-'], { encoding: 'utf8' });
    expect(text).toContain(pcn.name);
    expect(text).toContain(`Primary care network ${pcn.code}`);
    const others = meta.pcns.filter((p) => p.code !== pcn.code);
    expect(others.filter((p) => text.includes(p.code) || text.includes(p.name)).map((p) => p.code)).toEqual([]);
    // Another PCN's pack is refused to this user.
    const status = await page.evaluate(
      async ([code, bearer]) =>
        (await fetch(`/api/packs/pcn/${code}.pdf`, { headers: { authorization: `Bearer ${bearer}` } })).status,
      [others[0]?.code as string, token],
    );
    expect(status).toBe(403);
    await page.context().close();
  });

  it('prints without navigation, filters or buttons, and keeps each card on one page', async () => {
    const page = await openAsPcn('/report');
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('navigation', { name: 'Pages' }).isVisible()).toBe(false);
    expect(await page.locator('form[aria-label="Filters"]').isVisible()).toBe(false);
    expect(await page.getByTestId('pack-download').isVisible()).toBe(false);
    const breaks = await page
      .locator('[role="region"]')
      .evaluateAll((cards) => cards.map((c) => getComputedStyle(c).breakInside));
    expect(breaks.length).toBe(9);
    expect(new Set(breaks)).toEqual(new Set(['avoid']));
    await page.context().close();
  });
});
