import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { FsObjectStore } from '../functions/lib/object-store.ts';
import { stageReference } from '../functions/refresh/publish-tables.ts';
import { runGenerate } from './commands/generate.ts';
import { ingestFiles } from './commands/ingest.ts';
import { runKeygen, runPseudonymise } from './commands/pseudonymise.ts';
import { runRefresh } from './commands/refresh.ts';
import { start } from './commands/start.ts';
import { startServer } from './server.ts';

const number = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('must be a number');
  return n;
};

const program = new Command('sp-outcomes').description('Social prescribing outcomes pipeline: local tools.');

program
  .command('generate')
  .description(
    'write a seeded synthetic national demo: per-PCN monthly event and workforce files and the PCN reference file',
  )
  .requiredOption('--out <dir>', 'folder to write into')
  .option('--scale <share>', "share of England's PCNs simulated, 0-1 (1 = all, about 1,260)", number, 1)
  .option('--months <n>', 'months of activity', number, 36)
  .option('--seed <n>', 'random seed: the same seed writes the same files', number, 1)
  .option('--end <YYYY-MM>', 'last month simulated (default: the last complete month)')
  .option('--fault-rate <share>', 'share of rows given an injected fault', number, 0.003)
  .action((opts) => {
    const manifest = runGenerate({
      out: opts.out,
      scale: opts.scale,
      months: opts.months,
      seed: opts.seed,
      end: opts.end,
      faultRate: opts.faultRate,
      progress: process.stderr.isTTY,
    });
    const t = manifest.totals;
    console.log(
      `${manifest.pcns} PCNs, ${manifest.months[0]} to ${manifest.months.at(-1)}: ${manifest.files.length} files, ${t.eventRows.toLocaleString('en-GB')} event rows ` +
        `(${t.referrals.toLocaleString('en-GB')} referrals, ${t.declines.toLocaleString('en-GB')} declines), ${t.workforceRows.toLocaleString('en-GB')} workforce rows; ` +
        `injected: ${t.badRows} bad rows, ${t.duplicateRows} duplicate ids, ${t.corrections} corrections, ${t.retractions} retractions, 1 late file, 1 file with an NHS number. ` +
        `Manifest: ${opts.out}/manifest.json`,
    );
  });

program
  .command('ingest')
  .description(
    'validate files and add them to the local store (exit 0: all accepted; 1: a file was rejected; 2: rows were rejected; 3: a file could not be read)',
  )
  .argument('<files...>', 'CSV or JSON Lines files, optionally .gz')
  .option('--data <dir>', 'local store folder', '.data')
  .option('--pcn <code>', "the sending PCN (default: read from each file's first row)")
  .option('--json', 'print one JSON summary instead of lines')
  .action(async (files: string[], opts) => {
    const { exitCode } = await ingestFiles(files, { dataDir: opts.data, pcn: opts.pcn, json: opts.json });
    process.exitCode = exitCode;
  });

program
  .command('keygen')
  .description("make a PCN's secret key for pseudonymising NHS numbers (keep it; never send it)")
  .requiredOption('--pcn <code>', 'the PCN the key belongs to')
  .requiredOption('--out <file>', 'where to write the key (refuses to overwrite)')
  .action((opts) => runKeygen(opts.pcn, opts.out));

program
  .command('pseudonymise')
  .description(
    'turn an extract with nhs_number into an upload file with person_id, and check it as the server would (exit 0: ready; 1: the file would be rejected; 2: rows would be)',
  )
  .argument('<extract>', 'CSV extract: the event contract with nhs_number in place of person_id')
  .requiredOption('--key <file>', 'the PCN key file from sp-outcomes keygen')
  .requiredOption('--out <file>', 'the upload file to write')
  .action(async (extract: string, opts) => {
    process.exitCode = await runPseudonymise(extract, opts.key, opts.out);
  });

program
  .command('start')
  .description(
    'the local stack: generate and ingest the seeded national demo (into an empty data folder), refresh the metrics, serve the API and dashboard',
  )
  .option('--data <dir>', 'local store folder', '.data')
  .option('--scale <share>', 'share of PCNs in the demo', number, 0.08)
  .option('--months <n>', 'months in the demo (default: from the April before last to the last complete month)', number)
  .option('--seed <n>', 'random seed', number, 2026)
  .option('--port <n>', 'HTTP port', number, Number(process.env.PORT ?? 8080))
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .action(async (opts) => {
    await start({
      dataDir: opts.data,
      scale: opts.scale,
      months: opts.months,
      seed: opts.seed,
      port: opts.port,
      host: opts.host,
    });
  });

program
  .command('refresh')
  .description('run the metric catalogue on the local store with DuckDB and publish metrics/*.json')
  .option('--data <dir>', 'local store folder', '.data')
  .action(async (opts) => {
    await runRefresh(opts.data);
  });

program
  .command('serve')
  .description('serve the metrics API and the dashboard from the local store')
  .option('--data <dir>', 'local store folder', '.data')
  .option('--port <n>', 'HTTP port', number, Number(process.env.PORT ?? 8080))
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .action(async (opts) => {
    const { url } = await startServer({ dataDir: opts.data, port: opts.port, host: opts.host });
    console.log(`Serving ${url}  (API: ${url}/api/meta)`);
  });

program
  .command('reference')
  .description(
    'check a PCN reference file (pcn_code, pcn_name, icb_code, icb_name, region_code, region_name, list_size, valid_from, valid_to) and make it the version in force',
  )
  .argument('<file>', 'CSV file')
  .option('--data <dir>', 'local store folder', '.data')
  .action(async (file: string, opts) => {
    const key = await stageReference(new FsObjectStore(opts.data), readFileSync(file, 'utf8'));
    console.log(`staged ${key}; it is used from the next refresh`);
  });

await program.parseAsync();
