import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { issueUserToken, signingSecret } from '../../functions/auth/local-tokens.ts';
import { identityOf } from '../../functions/auth/scope.ts';
import { FIRST_MONTH_OF_FINANCIAL_YEAR, financialYearStartOf } from '../../functions/contract/periods.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import type { CompactionResult } from '../../functions/refresh/compact.ts';
import { MonthCompaction } from '../month-compaction.ts';
import { IngestPool } from '../parallel-ingest.ts';
import { type LocalStack, serverUrl, startServer } from '../server.ts';
import { type GenerateManifest, lastCompleteMonth, monthsEnding } from '../synthetic/generate.ts';
import { runGenerateInTurns } from './generate.ts';
import { runCompaction, runRefresh } from './refresh.ts';
import { signInLink } from './tokens.ts';

async function nationalDemoToken(dataDir: string): Promise<string> {
  const secret = await signingSecret(new FsObjectStore(dataDir));
  return issueUserToken(secret, identityOf('national', 'ENG', 'demo-national'), { expiresInSeconds: 8 * 3600 });
}

export interface StartOptions {
  readonly dataDir: string;
  readonly scale: number;
  /** Months of demo; by default from the April before last to the last complete month (a whole year and this one). */
  readonly months?: number;
  readonly seed: number;
  readonly port: number;
  readonly host: string;
  /** More Host names the server answers to (a proxy's, say); see ServeOptions. */
  readonly allowedHosts?: readonly string[];
  /** Refuse every data request without a token, even from this machine (`--require-token`). */
  readonly requireToken?: boolean;
}

const MINUTE = 60_000;

/**
 * When a demo file lands: in the order the PCNs sent them, the order of their paths (uploads/<month delivered>/
 * <PCN>-<kind>-<month>.csv: month by month, PCN by PCN, a late file before the month's own, workforce last), 3 ms a
 * PCN apart and 5 minutes a month, ending before `now`. Worked out from the file alone, so each PCN's files can be
 * ingested as soon as they are written, in any worker, and a row's versions still win as the PCNs sent them.
 */
export function demoLandingTime(path: string, firstMonth: string, months: number, now: number): Date {
  const [, delivered = '', name = ''] = path.split('/');
  const monthNo = (month: string) => {
    const [y, m] = month.split('-').map(Number) as [number, number];
    return y * 12 + m;
  };
  const pcn = Number(name.slice(1, 6)); // PCN codes are U and five digits
  const kind = name.includes('-workforce-') ? 2 : name.endsWith('-late.csv') ? 0 : 1;
  const landedFrom = now - (months + 1) * 5 * MINUTE;
  return new Date(landedFrom + (monthNo(delivered) - monthNo(firstMonth)) * 5 * MINUTE + pcn * 3 + kind);
}

/** Months from the start of the previous financial year to the end month, so the demo has a whole year. */
export function demoMonths(endMonth: string): number {
  const [y, m] = endMonth.split('-').map(Number) as [number, number];
  const previousFyStart = financialYearStartOf(endMonth) - 1;
  return (y - previousFyStart) * 12 + (m - FIRST_MONTH_OF_FINANCIAL_YEAR) + 1;
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/**
 * Generates (if the data folder is new) and ingests the national demo: each PCN's files are handed to the ingest
 * workers as soon as they are written, so the ingest runs beside the generator instead of after it.
 */
export async function prepareDemo(
  options: Omit<StartOptions, 'port' | 'host'> & {
    /** The demo's clock (ms since 1970): its last month is the one before, its files land just before. @default now */
    readonly now?: number;
  },
): Promise<CompactionResult | undefined> {
  const store = new FsObjectStore(options.dataDir);
  const demoDir = join(options.dataDir, 'demo-input');
  if (existsSync(join(options.dataDir, 'receipts'))) {
    console.log(`Using the data already in ${options.dataDir} (delete it to start from a fresh demo).`);
    return undefined;
  }
  const started = performance.now();
  const now = options.now ?? Date.now();
  const end = lastCompleteMonth(new Date(now));
  const months = options.months ?? demoMonths(end);
  const firstMonth = monthsEnding(end, months)[0] as string;
  console.log(
    `1/4 Generating the national demo: ${Math.round(options.scale * 100)}% of England's PCNs, ${months} months to ${end}, seed ${options.seed}; each PCN's files are ingested as soon as they are written …`,
  );
  // The demo's files are never changed once written: each is staged under landing/ as a hard link, not a copy. A
  // worker that stops, or a file that cannot be ingested, is told at once (and fails the start below).
  // Each month is compacted as soon as every file that can hold its rows is ingested (MonthCompaction), while the
  // workers ingest the next months: the files still queued once generation ends are ingested month by month.
  const monthOf = new Map<string, string>();
  const compaction = new MonthCompaction(options.dataDir, monthsEnding(end, months));
  const pool = new IngestPool(options.dataDir, {
    link: true,
    relativeTo: demoDir,
    onAnswer: (file) => compaction.answered(monthOf.get(file) as string),
  });
  let manifest: GenerateManifest;
  try {
    // The generator lets the event loop run between PCNs, so that the workers' answers are heard meanwhile.
    manifest = await runGenerateInTurns({
      out: demoDir,
      scale: options.scale,
      months,
      seed: options.seed,
      end,
      progress: process.stderr.isTTY,
      // No row is recorded after its file lands (a demo started on the 1st to the 3rd of a month: the last month's
      // final days would otherwise be refused as recorded in the future).
      receivedAt: (path) => demoLandingTime(path, firstMonth, months, now).getTime(),
      onFiles: (files) => {
        for (const file of files) {
          const path = join(demoDir, file.path);
          monthOf.set(path, file.month);
          compaction.added(file.month);
          pool.add(path, demoLandingTime(file.path, firstMonth, months, now), file.pcn);
        }
      },
    });
  } catch (error) {
    // The workers stop once they have ingested what was written before the failure (or the pool's own failure).
    await pool.finish().catch(() => {});
    await compaction.finish().catch(() => {});
    throw error;
  }
  // Month by month (YYYY-MM sorts as text); a stable sort keeps each month's files in their order.
  const month = (file: string) => monthOf.get(file) as string;
  pool.reorder((a, b) => (month(a) < month(b) ? -1 : month(a) > month(b) ? 1 : 0));
  compaction.addedAll();
  const ingested = pool.finish();
  console.log(
    `    ${manifest.pcns} PCNs, ${manifest.files.length.toLocaleString('en-GB')} files, ${manifest.totals.eventRows.toLocaleString('en-GB')} event rows (${seconds(started)})`,
  );
  await stageReference(store, readFileSync(join(demoDir, manifest.reference), 'utf8'));
  console.log('2/4 Ingesting the files still queued …');
  const summary = await ingested.catch(async (error: Error) => {
    await compaction.finish().catch(() => {});
    throw error;
  });
  const compacted = await compaction.finish();
  if (summary.failed.length > 0)
    throw new Error(
      `${summary.failed.length} demo file(s) could not be ingested and have no receipt (each is named above); delete ${options.dataDir} and start again once fixed`,
    );
  console.log(
    `    ${summary.accepted.toLocaleString('en-GB')} files accepted, ${summary.partiallyAccepted.toLocaleString('en-GB')} with rejected rows, ${summary.rejected} rejected; ` +
      `${summary.rowsAccepted.toLocaleString('en-GB')} rows accepted, ${summary.rowsRejected.toLocaleString('en-GB')} rejected (${seconds(started)})`,
  );
  return compacted;
}

/**
 * The address the local server will have on this host and port, as startServer gives it (localhost on loopback);
 * undefined for port 0 (any free port: not known before it listens).
 */
export function localServerUrl(host: string, port: number): string | undefined {
  return port === 0 ? undefined : serverUrl(host, port);
}

/**
 * Refuses a port something else holds before a minute of demo work (the server listens only at the end). Another
 * process could still take it meanwhile: the server's own listen then fails as before.
 */
async function portFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `port ${port} on ${host} is in use: stop what holds it, or choose another (npm start -- --port N)`,
            )
          : error,
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** `npm start`: demo data, metrics, then the API and dashboard on the port. */
export async function start(options: StartOptions): Promise<LocalStack> {
  const started = performance.now();
  await portFree(options.host, options.port);
  const compactedEarlier = await prepareDemo(options);
  // Compaction pays for itself in the first refresh, which reads the events several times: measured on the 8% demo
  // (a loaded 2-core machine, CPU seconds of every thread), the refresh of the 4,866 objects the ingest wrote took
  // 57 s of CPU, against 14 s to compact them into 40 and 21.5 s to refresh those. So it runs before "Ready", not
  // after it as maintenance. Months were compacted while the ingest went on (prepareDemo); this is the rest, the last
  // month always among them (whatever MonthCompaction had not begun when the ingest ended), two partitions at a time.
  console.log('3/4 Compacting the curated Parquet: one object per month and kind …');
  await runCompaction(options.dataDir, console.log, compactedEarlier);
  // The PDF packs link to the dashboard's Methodology page (DASHBOARD_URL): locally, the dashboard this server
  // serves, for this refresh and the later ones the server runs after uploads. An address set by hand wins.
  const local = localServerUrl(options.host, options.port);
  if (process.env.DASHBOARD_URL === undefined && local !== undefined) process.env.DASHBOARD_URL = local;
  console.log('4/4 Refreshing the metrics with DuckDB …');
  await runRefresh(options.dataDir, console.log, { compact: false });
  const stack = await startServer({
    dataDir: options.dataDir,
    port: options.port,
    host: options.host,
    allowedHosts: options.allowedHosts,
    requireToken: options.requireToken,
  });
  const { url } = stack;
  const link = signInLink(url, await nationalDemoToken(options.dataDir));
  console.log(`\nReady in ${seconds(started)}: ${url}  (API: ${url}/api/meta)  Ctrl+C to stop.`);
  console.log(`Sign in as the national demo user (8 hours): ${link}`);
  console.log('Other roles: npm run cli -- token --role icb --code QWE   (see README, "Roles")');
  return stack;
}
