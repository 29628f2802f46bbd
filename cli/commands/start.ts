import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueUserToken, signingSecret } from '../../functions/auth/local-tokens.ts';
import { identityOf } from '../../functions/auth/scope.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/refresh/publish-tables.ts';
import { ingestFilesInParallel } from '../parallel-ingest.ts';
import { type LocalStack, startServer } from '../server.ts';
import { lastCompleteMonth } from '../synthetic/generate.ts';
import { runGenerate } from './generate.ts';
import { runRefresh } from './refresh.ts';
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
}

function uploadFiles(root: string): string[] {
  const uploads = join(root, 'uploads');
  return readdirSync(uploads)
    .sort()
    .flatMap((month) =>
      readdirSync(join(uploads, month))
        .sort()
        .map((file) => join(uploads, month, file)),
    );
}

/** Months from the start of the previous financial year to the end month, so the demo has a whole year. */
export function demoMonths(endMonth: string): number {
  const [y, m] = endMonth.split('-').map(Number) as [number, number];
  const fyStart = m >= 4 ? y - 1 : y - 2;
  return (y - fyStart) * 12 + (m - 4) + 1;
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** Generates (if the data folder is new), ingests and refreshes the national demo. */
export async function prepareDemo(options: Omit<StartOptions, 'port' | 'host'>): Promise<void> {
  const store = new FsObjectStore(options.dataDir);
  const demoDir = join(options.dataDir, 'demo-input');
  if (existsSync(join(options.dataDir, 'receipts'))) {
    console.log(`Using the data already in ${options.dataDir} (delete it to start from a fresh demo).`);
    return;
  }
  const started = performance.now();
  const end = lastCompleteMonth();
  const months = options.months ?? demoMonths(end);
  console.log(
    `1/3 Generating the national demo: ${Math.round(options.scale * 100)}% of England's PCNs, ${months} months to ${end}, seed ${options.seed} …`,
  );
  const manifest = runGenerate({
    out: demoDir,
    scale: options.scale,
    months,
    seed: options.seed,
    end,
    progress: process.stderr.isTTY,
  });
  console.log(
    `    ${manifest.pcns} PCNs, ${manifest.files.length.toLocaleString('en-GB')} files, ${manifest.totals.eventRows.toLocaleString('en-GB')} event rows (${seconds(started)})`,
  );
  await stageReference(store, readFileSync(join(demoDir, manifest.reference), 'utf8'));
  console.log('2/3 Ingesting every file as the PCNs sent it …');
  // On every core: the files land one millisecond apart in the order the PCNs sent them, as one ingest after another.
  const summary = await ingestFilesInParallel(uploadFiles(demoDir), { dataDir: options.dataDir });
  console.log(
    `    ${summary.accepted.toLocaleString('en-GB')} files accepted, ${summary.partiallyAccepted.toLocaleString('en-GB')} with rejected rows, ${summary.rejected} rejected; ` +
      `${summary.rowsAccepted.toLocaleString('en-GB')} rows accepted, ${summary.rowsRejected.toLocaleString('en-GB')} rejected (${seconds(started)})`,
  );
}

/** `npm start`: demo data, metrics, then the API and dashboard on the port. */
export async function start(options: StartOptions): Promise<LocalStack> {
  const started = performance.now();
  await prepareDemo(options);
  console.log('3/3 Refreshing the metrics with DuckDB …');
  await runRefresh(options.dataDir);
  const stack = await startServer({
    dataDir: options.dataDir,
    port: options.port,
    host: options.host,
    allowedHosts: options.allowedHosts,
  });
  const { url } = stack;
  const link = signInLink(url, await nationalDemoToken(options.dataDir));
  console.log(`\nReady in ${seconds(started)}: ${url}  (API: ${url}/api/meta)  Ctrl+C to stop.`);
  console.log(`Sign in as the national demo user (8 hours): ${link}`);
  console.log('Other roles: npm run cli -- token --role icb --code QWE   (see README, "Roles")');
  return stack;
}
