import { cleanup, render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { vi } from 'vitest';
import type { MetaDocument } from '../../../functions/contract/metrics.ts';
import { DashboardContext, type DashboardState } from '../context.ts';
import type { Filters } from '../filters.ts';

/*
 * What the page tests share (imported by tests only, never by the app): a page rendered in the dashboard's context for
 * an area and a year, and the browser pieces jsdom lacks or a test answers itself.
 */

/**
 * A meta document for a page test: `fields` over no months, years, areas, metrics or targets, so a test says only what
 * its page reads.
 */
export function pageMeta(
  fields: { readonly [K in keyof MetaDocument]?: unknown } & Pick<MetaDocument, 'generated_at' | 'data_as_of'>,
): MetaDocument {
  const none = { months: [], financial_years: [], regions: [], icbs: [], pcns: [], metrics: [], targets: {} };
  return { ...none, ...fields } as unknown as MetaDocument;
}

/**
 * Renders `page` as the dashboard shows it for the area `scope` in financial year `fy`, with `meta` as the app's meta
 * document; the filter bar's region, ICB and PCN are none unless `filters` chooses them.
 */
export function renderPage(
  page: ReactElement,
  meta: MetaDocument,
  scope: DashboardState['scope'],
  fy: string,
  filters: Partial<Omit<Filters, 'fy'>> = {},
): void {
  const state: DashboardState = { meta, filters: { fy, region: null, icb: null, pcn: null, ...filters }, scope, fy };
  render(<DashboardContext.Provider value={state}>{page}</DashboardContext.Provider>);
}

/**
 * Stubs the globals a page needs under jsdom (undone by vi.unstubAllGlobals): a ResizeObserver that observes nothing,
 * which the charts' containers ask for, and fetch answering every request with status 200 and the JSON that `answer`
 * gives for its URL and the name of the document it asks for (its path's last part; the pages ask for paths: read
 * against a loopback origin).
 */
export function stubPageGlobals(answer: (url: URL, name: string) => unknown): void {
  vi.stubGlobal(
    'ResizeObserver',
    class {
      observe() {}
      unobserve() {}
      disconnect() {}
    },
  );
  vi.stubGlobal(
    'fetch',
    vi.fn(async (path: string) => {
      const url = new URL(path, 'http://127.0.0.1');
      const name = url.pathname.split('/').filter(Boolean).at(-1) ?? '';
      return new Response(JSON.stringify(answer(url, name)), { status: 200 });
    }),
  );
}

/** Ends a page test (afterEach): the page unmounted and the globals stubbed by stubPageGlobals restored. */
export function endPageTest(): void {
  cleanup();
  vi.unstubAllGlobals();
}
