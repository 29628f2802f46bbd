import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import { type LocalStack, startServer } from '../../cli/server.ts';
import { type GenerateOptions, generateNationalDemo } from '../../cli/synthetic/generate.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';

export const DASHBOARD_DIST = 'dist/dashboard';

/** The newest modification time of the sources the dashboard's build is made from (its own and the shared layers). */
function newestSource(): number {
  let newest = 0;
  for (const root of ['dashboard', 'functions'])
    for (const file of readdirSync(root, { recursive: true }) as string[])
      if (/\.(tsx?|css|html|json)$/.test(file) && !file.includes('node_modules'))
        newest = Math.max(newest, statSync(join(root, file)).mtimeMs);
  return newest;
}

/**
 * The dashboard's production build, as `npm ci` (prepare) builds it; built again here when a source is newer than it,
 * so that the browser tests drive the dashboard of the code under test, not a build left from an earlier checkout
 * (two CSV-name tests failed on such a build). Test files run in parallel: one builds while the others wait for it.
 */
export async function ensureDashboardBuilt(): Promise<void> {
  const index = join(DASHBOARD_DIST, 'index.html');
  const fresh = () => existsSync(index) && statSync(index).mtimeMs >= newestSource();
  if (fresh()) return;
  const lock = `${DASHBOARD_DIST}.building`;
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock, { recursive: false });
      break;
    } catch {
      // A lock older than any build (a run killed mid-build) is taken over.
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 300_000)
        rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (fresh()) return;
    }
  }
  try {
    if (fresh()) return;
    const { build } = await import('vite');
    await build({ configFile: 'dashboard/vite.config.ts', logLevel: 'warn' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The demo generated, ingested and refreshed into `<dir>/data`, as the local pipeline would publish it. */
export async function publishDemo(
  dir: string,
  demo: Pick<GenerateOptions, 'scale' | 'months' | 'endMonth' | 'seed' | 'faultRate'>,
  clock?: () => Date,
): Promise<string> {
  const dataDir = join(dir, 'data');
  const manifest = generateNationalDemo({ outDir: join(dir, 'demo'), ...demo });
  const store = new FsObjectStore(dataDir);
  await stageReference(store, readFileSync(join(dir, 'demo', manifest.reference), 'utf8'));
  await ingestFiles(
    manifest.files.map((f) => join(dir, 'demo', f.path)),
    { dataDir, out: () => {}, progress: false },
  );
  const engine = new DuckDbEngine(dataDir);
  try {
    await refreshMetrics({ store, engine, ...(clock ? { clock } : {}) });
  } finally {
    await engine.close();
  }
  return dataDir;
}

/**
 * A small national demo through the real pipeline (generate, ingest, refresh) and the real local server on a
 * loopback port: what the browser tests and the dashboard benchmark run against.
 */
export async function startLocalStack(
  dir: string,
  options: { scale?: number; months?: number } = {},
): Promise<{ url: string; server: Server; dataDir: string }> {
  const dataDir = await publishDemo(
    dir,
    { scale: options.scale ?? 0.03, months: options.months ?? 14, endMonth: '2026-09', seed: 11, faultRate: 0.003 },
    () => new Date('2026-10-05T06:00:00Z'),
  );
  await ensureDashboardBuilt();
  const { server, url } = await startServer({ dataDir, port: 0, host: '127.0.0.1', staticDir: DASHBOARD_DIST });
  return { url, server, dataDir };
}

/** The local server as a test runs it: a free loopback port, no log, a refresh 20 ms after an ingest; `options` win. */
export function startTestServer(
  dataDir: string,
  options: Partial<Parameters<typeof startServer>[0]> = {},
): Promise<LocalStack> {
  return startServer({ dataDir, port: 0, host: '127.0.0.1', refreshDelayMs: 20, log: () => {}, ...options });
}

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A loopback port free right now, for a server that must know its proxy's address before it listens. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}
