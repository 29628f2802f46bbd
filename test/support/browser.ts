import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { type Browser, chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './local-stack.ts';

/** The system's headless Chromium, as the browser tests run it (nothing is downloaded). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Opens `url` in a fresh window (a large screen, en-GB, downloads allowed) and waits for the page: for the address
 * the dashboard settles on (`settlesOn`, when given), its level-1 heading (named `heading`, when given), and every
 * card to have finished loading (no skeleton left) within `timeout` ms.
 */
export async function openDashboardPage(
  browser: Browser,
  url: string,
  { settlesOn, heading, timeout = 20_000 }: { settlesOn?: RegExp; heading?: string; timeout?: number } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
    locale: 'en-GB',
  });
  const page = await context.newPage();
  await page.goto(url);
  if (settlesOn) await page.waitForURL(settlesOn);
  await page.getByRole('heading', { level: 1, ...(heading ? { name: heading } : {}) }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-state="loading"]').length === 0, null, {
    timeout,
  });
  return page;
}

/** Clicks a download button of the page and gives the file's suggested name and where the browser saved it. */
export async function downloadFrom(page: Page, button: string): Promise<{ fileName: string; path: string }> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: button }).click(),
  ]);
  return { fileName: download.suggestedFilename(), path: (await download.path()) as string };
}

/** The lines of a downloaded CSV (which ends its lines with CRLF, as RFC 4180 does). */
export const csvLines = (path: string): string[] => readFileSync(path, 'utf8').trim().split('\r\n');

/** Ends what a browser test file started: the browser, the local server and the temporary folder. */
export async function stopBrowserTest(
  browser: Browser | undefined,
  server: Server | undefined,
  dir: { remove: () => void },
): Promise<void> {
  await browser?.close();
  server?.close();
  dir.remove();
}
