import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { ReferenceDataError, stageReference } from '../functions/lib/reference-versions.ts';
import { ExtractRefusedError } from '../functions/reference/import.ts';
import { PublicationError } from '../functions/reference/publication.ts';
import { runGenerate } from './commands/generate.ts';
import { ingestFiles } from './commands/ingest.ts';
import { runKeygen, runPseudonymise } from './commands/pseudonymise.ts';
import { allowedOutOfForce, runReferenceExport, runReferenceImport } from './commands/reference.ts';
import { runRefresh } from './commands/refresh.ts';
import { start } from './commands/start.ts';
import { describeFunnel, describeSpc, funnelFromCsv, StatsInputError, spcFromCsv } from './commands/stats.ts';
import {
  MAX_TOKEN_HOURS,
  MIN_TOKEN_HOURS,
  runPcnTokenCreate,
  runPcnTokenList,
  runPcnTokenRevoke,
  runUserToken,
  tokenHoursRule,
  tokenStore,
} from './commands/tokens.ts';
import { describeOutcome, loadUploaderSecrets, Uploader, type UploadOutcome, worstExit } from './commands/upload.ts';
import { uploadDir, watchDir } from './commands/upload-folder.ts';
import { runWorkforceImport } from './commands/workforce.ts';
import { installProcessGuards, type LocalStack, startServer } from './server.ts';

const number = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('must be a number');
  return n;
};

const collect = (value: string, previous: string[]) => [...previous, value];

const tokenHours = (value: string) => {
  const n = Number(value);
  if (!(n >= MIN_TOKEN_HOURS && n <= MAX_TOKEN_HOURS)) throw new InvalidArgumentError(tokenHoursRule);
  return n;
};

/** SIGTERM or Ctrl+C: stop taking requests, answer those in flight, ingest what has landed, then exit. */
export function stopOnSignal(stack: LocalStack, log = console.error): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: finishing the requests and uploads in flight, then stopping`);
    stack.close().then(
      () => {
        log('stopped');
        process.exit(0);
      },
      (error: Error) => {
        log(`stopped with an error: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

const program = new Command('sp-outcomes')
  .description('Social prescribing outcomes pipeline: local tools.')
  // options after a subcommand are that subcommand's (`reference import … --data DIR`, not `reference`'s own)
  .enablePositionalOptions();

program
  .command('generate')
  .description(
    'write a seeded synthetic national demo: per-PCN monthly event and workforce files and the PCN reference file',
  )
  .requiredOption('--out <dir>', 'folder to write into')
  .option(
    '--scale <share>',
    "share of England's PCNs simulated, 0-1 (1 = all 1,297 of December 2025, and 3 closed since April)",
    number,
    1,
  )
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
        `(${t.referrals.toLocaleString('en-GB')} referrals, ${t.declines.toLocaleString('en-GB')} offers declined, ${t.declinedAfterReferral.toLocaleString('en-GB')} referrals declined), ${t.workforceRows.toLocaleString('en-GB')} workforce rows; ` +
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
    'turn an extract with nhs_number into an upload file with person_id, and check it as the server would (exit 0: ready; 1: not written (a missing or invalid NHS number) or the file would be rejected; 2: rows would be)',
  )
  .argument('<extract>', 'CSV extract: the event contract with nhs_number in place of person_id')
  .requiredOption('--key <file>', 'the PCN key file from sp-outcomes keygen')
  .requiredOption('--out <file>', 'the upload file to write')
  .action(async (extract: string, opts) => {
    process.exitCode = await runPseudonymise(extract, opts.key, opts.out);
  });

program
  .command('upload')
  .description(
    'pseudonymise, check and send extracts through the upload API, then print each receipt ' +
      '(exit 0: accepted; 1: rejected, here or by the server; 2: accepted with rejected rows; 3: could not send)',
  )
  .argument('[files...]', 'CSV extracts (nhs_number is replaced by person_id on this machine) or workforce files')
  .requiredOption('--server <url>', 'the service address, e.g. https://outcomes.example.nhs.uk')
  .requiredOption('--key <file>', 'the PCN key file from sp-outcomes keygen')
  .option('--token-file <file>', 'file holding the PCN upload token (or set SP_OUTCOMES_UPLOAD_TOKEN)')
  .option('--dir <dir>', 'send every CSV file in the folder once, moving each to sent/ or failed/ with its receipt')
  .option('--watch <dir>', 'keep watching the folder and send each new file once it stops changing')
  .option('--interval <seconds>', 'how often --watch looks', number, 30)
  .option('--retries <n>', 'retries on network errors, 5xx and 429 (backoff with jitter)', number, 5)
  .option('--wait <seconds>', 'how long to wait for each receipt', number, 300)
  .option('--json', 'print one JSON line per file instead of text')
  .action(async (files: string[], opts) => {
    const { key, token } = loadUploaderSecrets(opts.key, opts.tokenFile);
    const uploader = new Uploader({
      server: opts.server,
      token,
      key,
      retries: opts.retries,
      receiptTimeoutMs: opts.wait * 1000,
      progress: !opts.json && process.stderr.isTTY === true,
    });
    const report = (outcome: UploadOutcome) => {
      if (opts.json) console.log(JSON.stringify(outcome));
      else for (const line of describeOutcome(outcome)) console.log(line);
    };
    if (opts.watch) {
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      process.once('SIGTERM', () => controller.abort());
      console.error(`watching ${opts.watch} every ${opts.interval} s (Ctrl+C to stop)`);
      await watchDir(opts.watch, uploader, report, { intervalMs: opts.interval * 1000, signal: controller.signal });
      return;
    }
    const outcomes: UploadOutcome[] = opts.dir ? await uploadDir(opts.dir, uploader, report) : [];
    for (const file of files) {
      const outcome = await uploader.send(file);
      report(outcome);
      outcomes.push(outcome);
    }
    if (outcomes.length === 0) console.error('nothing to send');
    process.exitCode = worstExit(outcomes.map((o) => o.exit_code));
  });

const pcnToken = program
  .command('pcn-token')
  .description("the national team's PCN upload tokens: stored only as hashes, one active per PCN");
const storeOptions = (command: Command) =>
  command
    .option('--data <dir>', 'local store folder', '.data')
    .option('--bucket <name>', 'the deployed data bucket instead of a local folder (uses your AWS credentials)');
storeOptions(
  pcnToken
    .command('create')
    .description('issue a token for a PCN and print it once')
    .argument('<pcn>', 'PCN code, e.g. U12345')
    .option('--expires-in <days>', 'days until it expires', number, 365)
    .option('--rotate', "revoke the PCN's current token at once and issue a new one"),
).action(async (pcn: string, opts) => {
  await runPcnTokenCreate(tokenStore(opts), pcn, { expiresInDays: opts.expiresIn, rotate: opts.rotate === true });
});
storeOptions(
  pcnToken.command('list').description('tokens with their state (never the secret)').argument('[pcn]'),
).action(async (pcn: string | undefined, opts) => {
  await runPcnTokenList(tokenStore(opts), pcn);
});
storeOptions(
  pcnToken
    .command('revoke')
    .description('revoke a token id, or every token of a PCN code; refused from the next request on')
    .argument('<token-id-or-pcn>'),
).action(async (target: string, opts) => {
  process.exitCode = await runPcnTokenRevoke(tokenStore(opts), target);
});

program
  .command('token')
  .description('a sign-in token and link for the local dashboard and metrics API')
  .requiredOption('--role <role>', 'national, region, icb or pcn')
  .option('--code <code>', 'the region (Y56), ICB (QWE) or PCN (U12345) code for that role')
  .option('--user <name>', 'who it is for, shown in the access log', 'local-user')
  .option('--hours <n>', `hours until it expires (${MIN_TOKEN_HOURS} to ${MAX_TOKEN_HOURS})`, tokenHours, 8)
  .option('--data <dir>', 'local store folder', '.data')
  .option('--url <url>', 'the local server address', 'http://localhost:8080')
  .action(async (opts) => {
    await runUserToken(opts.data, opts);
  });

/** Where a command that serves the API and the dashboard listens, and the other Host names it answers to. */
const listenOptions = (command: Command) =>
  command
    .option('--port <n>', 'HTTP port', number, Number(process.env.PORT ?? 8080))
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--allowed-host <name>', 'another Host name to answer to, e.g. a proxy’s (repeatable)', collect, [])
    .option('--require-token', 'refuse every data request without a valid token, even from this machine');
const listenOn = (opts: { port: number; host: string; allowedHost: string[]; requireToken?: boolean }) => ({
  port: opts.port,
  host: opts.host,
  allowedHosts: opts.allowedHost,
  ...(opts.requireToken ? { requireToken: true } : {}),
});

listenOptions(
  program
    .command('start')
    .description(
      'the local stack: generate and ingest the seeded national demo (into an empty data folder), refresh the metrics, serve the API and dashboard',
    )
    .option('--data <dir>', 'local store folder', '.data')
    .option('--scale <share>', 'share of PCNs in the demo', number, 0.08)
    .option(
      '--months <n>',
      'months in the demo (default: from the April before last to the last complete month)',
      number,
    )
    .option('--seed <n>', 'random seed', number, 2026),
).action(async (opts) => {
  installProcessGuards();
  const stack = await start({
    dataDir: opts.data,
    scale: opts.scale,
    months: opts.months,
    seed: opts.seed,
    ...listenOn(opts),
  });
  stopOnSignal(stack);
});

program
  .command('refresh')
  .description(
    'run the metric catalogue on the local store with DuckDB and publish a release (metrics/releases/<release>/, named by metrics/meta.json)',
  )
  .option('--data <dir>', 'local store folder', '.data')
  .action(async (opts) => {
    await runRefresh(opts.data);
  });

listenOptions(
  program
    .command('serve')
    .description('serve the metrics API and the dashboard from the local store')
    .option('--data <dir>', 'local store folder', '.data'),
)
  .option('--public-url <url>', 'the address clients use, when it is not the listening one (presigned POSTs go there)')
  .action(async (opts) => {
    installProcessGuards();
    const stack = await startServer({ dataDir: opts.data, ...listenOn(opts), publicUrl: opts.publicUrl });
    stopOnSignal(stack);
    console.log(`Serving ${stack.url}  (API: ${stack.url}/api/meta)`);
  });

/** A bad reference file or extract is reported as its message (file, line, column, reason), not a stack trace. */
async function reportingBadInput(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (
      !(
        error instanceof PublicationError ||
        error instanceof ExtractRefusedError ||
        error instanceof ReferenceDataError
      )
    )
      throw error;
    console.error(error.message);
    process.exitCode = 1;
  }
}
const stageReferenceFile = (file: string, opts: { data: string; bucket?: string; allowOutOfForce?: string }) =>
  reportingBadInput(async () => {
    const allowOutOfForce = allowedOutOfForce(opts.allowOutOfForce);
    const key = await stageReference(tokenStore(opts), readFileSync(file, 'utf8'), new Date(), file, {
      ...(allowOutOfForce ? { allowOutOfForce } : {}),
      log: console.log,
    });
    console.log(`staged ${key}; it is used from the next refresh`);
  });
/** R21-2: the explicit, logged override of the check that a version keeps each PCN in force over its events. */
const ALLOW_OUT_OF_FORCE = [
  '--allow-out-of-force <PCNs>',
  'PCN codes (comma-separated) this version may leave out of force in months they have accepted events in (their events there are left out of every figure and listed); each is logged',
] as const;
const reference = storeOptions(
  program
    .command('reference')
    .description(
      'the effective-dated PCN reference: `reference FILE` (the same as `reference check FILE`) checks a reference file and makes it the version in force; `reference import` adds an NHS Digital extract; `reference export` writes the versions in force on a date',
    )
    .argument(
      '[file]',
      'a reference CSV file (pcn_code, pcn_name, icb_code, icb_name, region_code, region_name, list_size, valid_from, valid_to)',
    )
    .option(...ALLOW_OUT_OF_FORCE),
)
  .enablePositionalOptions()
  .action(async (file: string | undefined, opts) => {
    if (file === undefined) return reference.help({ error: true });
    await stageReferenceFile(file, opts);
  });
storeOptions(
  reference
    .command('check')
    .description(
      'check a PCN reference file (pcn_code, pcn_name, icb_code, icb_name, region_code, region_name, list_size, valid_from, valid_to) and make it the version in force',
    )
    .argument('<file>', 'CSV file')
    .option(...ALLOW_OUT_OF_FORCE),
).action(async (file: string, opts) => {
  await stageReferenceFile(file, opts);
});
storeOptions(
  reference
    .command('import')
    .description(
      'add one extract of NHS Digital\'s "Patients Registered at a GP Practice" (mapping and totals files) to the effective-dated PCN reference, and print what changed',
    )
    .argument('<map>', 'the mapping file, e.g. gp-reg-pat-prac-map-2025-12.csv')
    .argument('<list>', 'the totals file, e.g. gp-reg-pat-prac-all-2025-12.csv')
    .option(
      '--icb-changes <file>',
      'ICB changes (old_icb_code, new_icb_code, new_icb_name, effective_month), applied as new versions',
    )
    .option(
      '--history-from <YYYY-MM>',
      "the first extract's PCNs are in force from this month (default: the extract's month)",
    )
    .option(...ALLOW_OUT_OF_FORCE),
).action(async (map: string, list: string, opts) => {
  await reportingBadInput(async () => {
    await runReferenceImport(tokenStore(opts), map, list, {
      historyFrom: opts.historyFrom,
      icbChanges: opts.icbChanges,
      allowOutOfForce: opts.allowOutOfForce,
    });
  });
});
storeOptions(
  reference
    .command('export')
    .description('write the reference in force on a date, in the contract reference format, so it can be checked')
    .option('--on <YYYY-MM-DD>', 'the date (default: today)', new Date().toISOString().slice(0, 10))
    .option('--out <file>', 'write here instead of to standard output'),
).action(async (opts) => {
  const rows = await runReferenceExport(tokenStore(opts), opts.on, opts.out);
  console.error(`${rows.toLocaleString('en-GB')} PCNs in force on ${opts.on}`);
});

program
  .command('workforce')
  .description('workforce files from national publications')
  .command('import')
  .description(
    'turn the "Primary Care Network Workforce" publication (FTE per PCN by role) into one workforce file per PCN for a month, for the normal ingest; headcount, training and vacancies are left empty',
  )
  .argument('<publication>', 'the publication CSV (PCN_CODE, SOCIAL_PRESCRIBING_LINK_WORKER_FTE, …)')
  .requiredOption('--month <YYYY-MM>', 'the snapshot month the files are for')
  .requiredOption('--out <dir>', 'folder to write the files into')
  .action(async (publication: string, opts) => {
    await reportingBadInput(async () => {
      runWorkforceImport(publication, opts.month, opts.out);
    });
  });

/** Prints a bad-input message (file, row, column, never the value) and exits 1; anything else is a bug. */
const reportingInputErrors = (work: () => void) => {
  try {
    work();
  } catch (error) {
    if (!(error instanceof StatsInputError) && !(error instanceof RangeError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
  }
};

program
  .command('funnel')
  .description(
    "funnel plot of proportions by FunnelPlotR's method: overdispersion (phi, tau2) and each unit's 95% and 99.8% limits",
  )
  .argument('<file>', 'CSV file, one row per unit')
  .requiredOption('--numerator <column>', 'column of the numerator counts')
  .requiredOption('--denominator <column>', 'column of the denominators')
  .requiredOption('--unit <column>', 'column naming each unit')
  .option('--no-adjust', 'plain limits, without the overdispersion term tau2')
  .option('--json', 'write {"target","phi","tau2","units":[...]} to stdout')
  .action((file: string, opts) =>
    reportingInputErrors(() => {
      const result = funnelFromCsv(file, { ...opts, adjust: opts.adjust !== false });
      console.log(opts.json ? JSON.stringify(result) : describeFunnel(result).join('\n'));
    }),
  );

program
  .command('spc')
  .description('Making Data Count XmR chart of a series in row order: mean, process limits, special causes, icons')
  .argument('<file>', 'CSV file, one row per point in time order')
  .requiredOption('--value <column>', 'column of the values')
  .option(
    '--improvement <direction>',
    'which way is better: up, down or neither',
    (value: string) => {
      if (!['up', 'down', 'neither'].includes(value)) throw new InvalidArgumentError('must be up, down or neither');
      return value;
    },
    'neither',
  )
  .option('--target <n>', 'the target, for the assurance icon', number)
  .option(
    '--json',
    'write {"mean","median","upper_limit","lower_limit","points":[...],"variation","assurance"} to stdout',
  )
  .action((file: string, opts) =>
    reportingInputErrors(() => {
      const result = spcFromCsv(file, {
        value: opts.value,
        improvement: opts.improvement,
        target: opts.target ?? null,
      });
      console.log(opts.json ? JSON.stringify(result) : describeSpc(result).join('\n'));
    }),
  );

// A failure a person can act on is one line on stderr and exit 1, never a stack trace.
try {
  await program.parseAsync();
} catch (error) {
  console.error(`sp-outcomes: ${(error as Error).message}`);
  process.exitCode = 1;
}
