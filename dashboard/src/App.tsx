import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Navigate, NavLink, Route, Routes, useSearchParams } from 'react-router-dom';
import type { MetaDocument } from '../../functions/contract/metrics.ts';
import { ApiError, fetchMe, fetchMeta, type SignedInUser } from './api.ts';
import { FilterBar } from './components/FilterBar.tsx';
import { PackDownload } from './components/PackDownload.tsx';
import { RevisionsHeldNote } from './components/RevisionsHeldNote.tsx';
import { areaName, DashboardContext, type DashboardState } from './context.ts';
import { changeFilter, readFilters, scopeOf, writeFilters } from './filters.ts';
import { formatDate, fyLabel } from './format.ts';
import { RolloutPage } from './pages/RolloutPage.tsx';
import { englandDataAsOf } from './revisions-held.ts';
import { type SignInConfig, startSignIn } from './sign-in.ts';
import { useRefreshNotice } from './use-refresh-notice.ts';

// The first page ships with the app; the others load when first opened.
const OutcomesPage = lazy(() => import('./pages/OutcomesPage.tsx'));
const WorkforcePage = lazy(() => import('./pages/WorkforcePage.tsx'));
const ComparePage = lazy(() => import('./pages/ComparePage.tsx'));
const EquityPage = lazy(() => import('./pages/EquityPage.tsx'));
const SubmissionsPage = lazy(() => import('./pages/SubmissionsPage.tsx'));
const MethodologyPage = lazy(() => import('./pages/MethodologyPage.tsx'));
const TrendsPage = lazy(() => import('./pages/TrendsPage.tsx'));
const BoardReportPage = lazy(() => import('./pages/BoardReportPage.tsx'));

export const PAGES = [
  { path: '/rollout', label: 'National rollout' },
  { path: '/outcomes', label: 'Outcomes' },
  { path: '/workforce', label: 'Workforce' },
  { path: '/compare', label: 'Compare PCNs' },
  { path: '/trends', label: 'Trends' },
  { path: '/equity', label: 'Equity' },
  { path: '/submissions', label: 'Data submissions' },
  { path: '/report', label: 'Board report' },
] as const;

const EMPTY_META = { regions: [], icbs: [], pcns: [] } as unknown as MetaDocument;

export function App({ signIn = null }: { readonly signIn?: SignInConfig | null } = {}) {
  const [params, setParams] = useSearchParams();
  const [meta, setMeta] = useState<MetaDocument | null>(null);
  const [user, setUser] = useState<SignedInUser | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [needsSignIn, setNeedsSignIn] = useState(false);
  useEffect(() => {
    Promise.all([fetchMeta(), fetchMe()])
      .then(([m, u]) => {
        setMeta(m);
        setUser(u);
      })
      .catch((e: Error) => {
        if (e instanceof ApiError && e.status === 401 && signIn) setNeedsSignIn(true);
        else setError(e.message);
      });
  }, [signIn]);
  const notice = useRefreshNotice(meta !== null);
  const filters = useMemo(() => readFilters(params), [params]);
  // A regional, ICB or PCN user starts on their own area (the server only ever sends what their role allows).
  useEffect(() => {
    if (!meta || !user || user.role === 'national' || filters.region || filters.icb || filters.pcn) return;
    const key = user.role === 'region' ? 'region' : user.role === 'icb' ? 'icb' : 'pcn';
    setParams(writeFilters(changeFilter(filters, key, user.code, meta)), { replace: true });
  }, [meta, user, filters, setParams]);
  const state = useMemo<DashboardState | null>(() => {
    if (!meta) return null;
    const scope = scopeOf(filters);
    const fy =
      filters.fy && meta.financial_years.includes(filters.fy) ? filters.fy : (meta.financial_years.at(-1) ?? '');
    return { meta, filters, fy, scope: { ...scope, name: areaName(meta, scope.level, scope.code) } };
  }, [meta, filters]);
  const query = params.toString() ? `?${params.toString()}` : '';

  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:bg-nhs-yellow focus:p-2 focus:text-black"
      >
        Skip to main content
      </a>
      <header className="bg-nhs-blue text-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-baseline justify-between gap-2 px-4 py-3">
          <p className="text-lg font-semibold">Social prescribing outcomes</p>
          <p className="text-sm" data-testid="data-as-of">
            Data as of {formatDate(meta?.data_as_of)}
            {englandDataAsOf(meta) ? ` (${englandDataAsOf(meta)})` : ''}
            {meta?.generated_at ? ` · refreshed ${formatDate(meta.generated_at)}` : ''}
            {user && (
              <span data-testid="signed-in">
                {' '}
                · signed in:{' '}
                {user.role === 'national'
                  ? 'national'
                  : `${user.role === 'region' ? 'region' : user.role.toUpperCase()} ${areaName(meta ?? EMPTY_META, user.role, user.code)}`}
              </span>
            )}
          </p>
        </div>
        <nav aria-label="Pages" className="mx-auto max-w-7xl px-2">
          <ul className="flex flex-wrap">
            {PAGES.map((page) => (
              <li key={page.path}>
                <NavLink
                  to={`${page.path}${query}`}
                  className={({ isActive }) =>
                    `block border-b-4 px-3 py-2 text-sm font-medium focus:outline-none focus-visible:bg-nhs-yellow focus-visible:text-black ${isActive ? 'border-white' : 'border-transparent hover:border-blue-200'}`
                  }
                >
                  {page.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" className="mx-auto max-w-7xl space-y-4 px-4 py-4">
        {notice && (
          <p
            role="status"
            data-testid="refresh-notice"
            className="rounded-tremor-default border border-amber-300 bg-amber-50 p-4 text-amber-900"
          >
            {notice}
          </p>
        )}
        {error && (
          <p role="alert" className="rounded-tremor-default border border-red-300 bg-red-50 p-4 text-red-800">
            The dashboard could not load its data: {error}.
          </p>
        )}
        {needsSignIn && signIn && (
          <div className="rounded-tremor-default border border-blue-200 bg-blue-50 p-4">
            <p className="mb-2">Sign in to see the figures your role allows.</p>
            <button
              type="button"
              className="rounded-tremor-default bg-nhs-blue px-4 py-2 font-medium text-white focus:outline-none focus-visible:bg-nhs-yellow focus-visible:text-black"
              onClick={() => void startSignIn(signIn)}
            >
              Sign in
            </button>
          </div>
        )}
        {!meta && !error && !needsSignIn && (
          <p aria-busy="true" className="p-4 text-tremor-content">
            Loading…
          </p>
        )}
        {meta && state && (
          <DashboardContext.Provider value={state}>
            <FilterBar meta={meta} filters={filters} onChange={(next) => setParams(writeFilters(next))} />
            {meta.coverage && (
              <p className="rounded-tremor-default bg-blue-50 p-2 text-tremor-label text-tremor-content-emphasis">
                {meta.coverage.note}
              </p>
            )}
            <RevisionsHeldNote meta={meta} />
            <div className="flex flex-wrap items-baseline justify-between gap-2">
              <p className="text-tremor-default text-tremor-content-emphasis" data-testid="scope">
                Showing <strong>{state.scope.name}</strong>, {fyLabel(state.fy)}
              </p>
              <PackDownload level={state.scope.level} code={state.scope.code} name={state.scope.name} />
            </div>
            <Suspense fallback={<p aria-busy="true">Loading page…</p>}>
              <Routes>
                <Route path="/" element={<Navigate to={`/rollout${query}`} replace />} />
                <Route path="/rollout" element={<RolloutPage />} />
                <Route path="/outcomes" element={<OutcomesPage />} />
                <Route path="/workforce" element={<WorkforcePage />} />
                <Route path="/compare" element={<ComparePage />} />
                <Route path="/trends" element={<TrendsPage />} />
                <Route path="/equity" element={<EquityPage />} />
                <Route path="/submissions" element={<SubmissionsPage />} />
                <Route path="/report" element={<BoardReportPage />} />
                <Route path="/methodology" element={<MethodologyPage />} />
                <Route path="*" element={<p>There is no such page. Choose one above.</p>} />
              </Routes>
            </Suspense>
          </DashboardContext.Provider>
        )}
      </main>
    </div>
  );
}
