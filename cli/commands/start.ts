import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runGenerate } from './generate.ts';
import { ingestFiles } from './ingest.ts';

export interface StartOptions {
  readonly dataDir: string;
  readonly scale: number;
  readonly months: number;
  readonly seed: number;
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

/**
 * `npm start`: on an empty data folder, generate the seeded national demo and ingest it, month by month as the
 * PCNs would have sent it, through the real ingest core.
 */
export async function start(options: StartOptions): Promise<void> {
  const demoDir = join(options.dataDir, 'demo-input');
  if (existsSync(join(options.dataDir, 'receipts'))) {
    console.log(`${options.dataDir} already holds ingested data; delete it to start again from a fresh demo.`);
    return;
  }
  console.log(
    `Generating the national demo (scale ${options.scale}, ${options.months} months, seed ${options.seed}) in ${demoDir} …`,
  );
  const manifest = runGenerate({
    out: demoDir,
    scale: options.scale,
    months: options.months,
    seed: options.seed,
    progress: process.stderr.isTTY,
  });
  console.log(
    `${manifest.pcns} PCNs, ${manifest.files.length} files, ${manifest.totals.eventRows.toLocaleString('en-GB')} event rows.`,
  );
  console.log('Ingesting …');
  const { summary } = await ingestFiles(uploadFiles(demoDir), {
    dataDir: options.dataDir,
    out: () => {},
    progress: process.stderr.isTTY,
  });
  console.log(
    `Ingested ${summary.files} files in ${summary.seconds.toFixed(1)} s: ${summary.accepted} accepted, ${summary.partiallyAccepted} with rejected rows, ${summary.rejected} rejected; ` +
      `${summary.rowsAccepted.toLocaleString('en-GB')} rows in ${join(options.dataDir, 'curated')}, receipts in ${join(options.dataDir, 'receipts')}.`,
  );
}
