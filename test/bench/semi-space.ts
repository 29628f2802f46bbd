/**
 * A benchmark script run with V8's default young generation and with a larger one (`--max-semi-space-size`), in
 * processes of their own taking turns (the default first in odd rounds, the larger first in even ones: on a shared
 * machine the first of a pair measures differently), and each process's CPU seconds (user + system, every thread:
 * /usr/bin/time), wall seconds, peak RSS and garbage collection pauses (gc-time.ts) side by side (issue 17: the
 * disclosure step spends about a quarter of its CPU collecting garbage, most of it short-lived rows and keys that a
 * 16 MB semi-space promotes before they die).
 *
 *   npx tsx test/bench/semi-space.ts <script.ts> [arg ...]
 *     SEMI_SPACE_MB=64 (the larger semi-space, MB), ROUNDS=2, STEP=<a regex with one group: a step's seconds in
 *     the script's output> (default: the CPU seconds of disclosure-step.ts's "disclosure control and derived figures"
 *     line; refresh-documents.ts prints the step's wall seconds:
 *     `STEP='disclosure control and derived figures: ([\d.]+) s'`); `{variant}` in an argument is replaced by the run's
 *     variant (`default` or `semi<MB>`), e.g. an out folder per variant to compare the documents after; each run's
 *     output is kept in <LOG_DIR, default the temp folder>/semi-space-*.log.
 *
 * E.g. the disclosure step on a dump (disclosure-step.ts dump), both variants' documents compared afterwards:
 *   npx tsx test/bench/semi-space.ts test/bench/disclosure-step.ts run <dump> /tmp/out-{variant}
 *   npx tsx test/bench/refresh-documents.ts compare /tmp/out-default/this /tmp/out-semi64/this
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const MB = Number(process.env.SEMI_SPACE_MB ?? 64);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const STEP = new RegExp(process.env.STEP ?? 'disclosure control and derived figures\\s+[\\d.]+ s\\s+([\\d.]+) CPU s');
const LOG_DIR = process.env.LOG_DIR ?? tmpdir();
const TIME = '/usr/bin/time';

interface Run {
  readonly variant: string;
  readonly cpu: number;
  readonly wall: number;
  readonly rssMb: number;
  readonly stepCpu?: number;
  readonly gcSeconds?: number;
  readonly load: string;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function childEnv(): NodeJS.ProcessEnv {
  const { ROUNDS: _rounds, ...env } = process.env;
  return { ...env, NODE_OPTIONS: (env.NODE_OPTIONS ?? '').replace(/--max-semi-space-size=\S+/, '') };
}

async function runOnce(variant: string, flags: readonly string[], script: string, args: readonly string[]) {
  const timing = join(mkdtempSync(join(tmpdir(), 'semi-space-')), 'time');
  const log = join(LOG_DIR, `semi-space-${variant}-${process.pid}-${Date.now()}.log`);
  const out = createWriteStream(log);
  const atStart = load();
  const child = spawn(
    TIME,
    [
      '-o',
      timing,
      '-f',
      '%e %U %S %M',
      process.execPath,
      ...flags,
      '--import',
      'tsx',
      '--import',
      resolve(import.meta.dirname, 'gc-time.ts'),
      script,
      ...args.map((a) => a.replaceAll('{variant}', variant)),
    ],
    // A NODE_OPTIONS semi-space would be both variants': left out; so is ROUNDS (this driver's, not the script's:
    // disclosure-step.ts reads ROUNDS too).
    { env: childEnv() },
  );
  let text = '';
  for (const stream of [child.stdout, child.stderr])
    stream.on('data', (chunk: Buffer) => {
      out.write(chunk);
      text += chunk.toString();
    });
  const status = await new Promise<number | null>((done) => child.on('close', done));
  out.end();
  const [wall, user, system, rssKb] =
    readFileSync(timing, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
  rmSync(join(timing, '..'), { recursive: true, force: true });
  if (status !== 0) throw new Error(`${variant}: the script exited ${status} (output in ${log})`);
  const step = text.match(STEP)?.[1];
  const gc = text.match(/gc: ([\d.]+) s in pauses/)?.[1];
  const run: Run = {
    variant,
    cpu: (user ?? 0) + (system ?? 0),
    wall: wall ?? 0,
    rssMb: (rssKb ?? 0) / 1024,
    ...(step !== undefined ? { stepCpu: Number(step) } : {}),
    ...(gc !== undefined ? { gcSeconds: Number(gc) } : {}),
    load: `${atStart} → ${load()}`,
  };
  console.log(
    `${variant.padEnd(8)} ${run.cpu.toFixed(2).padStart(8)} CPU s ${run.wall.toFixed(1).padStart(7)} s wall ` +
      `${run.rssMb.toFixed(0).padStart(6)} MB peak RSS; step ${run.stepCpu?.toFixed(2) ?? '—'} s (STEP); ` +
      `gc pauses ${run.gcSeconds?.toFixed(2) ?? '—'} s; load ${run.load} (${log})`,
  );
  return run;
}

const [script, ...args] = process.argv.slice(2);
if (!script || !existsSync(TIME)) {
  console.error('usage: semi-space.ts <script.ts> [arg ...] (needs /usr/bin/time)');
  process.exit(2);
}
const variants: [string, string[]][] = [
  ['default', []],
  [`semi${MB}`, [`--max-semi-space-size=${MB}`]],
];
const runs: Run[] = [];
for (let round = 0; round < ROUNDS; round++)
  for (const [variant, flags] of round % 2 === 0 ? variants : [...variants].reverse())
    runs.push(await runOnce(variant, flags, resolve(script), args));

const summary = (variant: string) => {
  const mine = runs.filter((r) => r.variant === variant);
  const best = (of: (r: Run) => number | undefined) => Math.min(...mine.map((r) => of(r) ?? Number.NaN));
  const mean = (of: (r: Run) => number | undefined) =>
    mine.reduce((s, r) => s + (of(r) ?? Number.NaN), 0) / mine.length;
  return { best, mean };
};
const [base, larger] = variants.map(([v]) => summary(v)) as [ReturnType<typeof summary>, ReturnType<typeof summary>];
for (const [name, of] of [
  ['process CPU s', (r: Run) => r.cpu],
  ['step s (STEP)', (r: Run) => r.stepCpu],
  ['gc pause s', (r: Run) => r.gcSeconds],
  ['wall s', (r: Run) => r.wall],
  ['peak RSS MB', (r: Run) => r.rssMb],
] as const)
  console.log(
    `${name.padEnd(14)} default best ${base.best(of).toFixed(2)} mean ${base.mean(of).toFixed(2)}; ` +
      `semi${MB} best ${larger.best(of).toFixed(2)} mean ${larger.mean(of).toFixed(2)} ` +
      `(${(larger.best(of) / base.best(of)).toFixed(2)}x best, ${(larger.mean(of) / base.mean(of)).toFixed(2)}x mean)`,
  );
