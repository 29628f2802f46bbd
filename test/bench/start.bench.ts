/**
 * bench:start — what a newcomer waits for: `npm start` on an empty data folder until it prints "Ready", split by the
 * steps it prints (1/4 generating, with each PCN's files ingested as they are written; 2/4 the ingest still queued
 * once generation ends; 3/4 compaction; 4/4 the refresh). Target: ready in at most 60 s on a 2-core machine.
 * The stack listens on a loopback port of its own and is stopped once ready; its data folder is removed then, unless
 * BENCH_START_KEEP=1. BENCH_START_COMPARE=<a folder kept so> compares the documents this run published with that
 * run's (the figures of a change that must not alter them: before and after, side by side).
 * Each step's CPU seconds are split into the main thread's (the generator; the refresh's JavaScript) and the rest.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { tempDir } from '../support/files.ts';
import { type BenchRow, printTable, saveResults } from './report.ts';

const TARGET_SECONDS = 60;
/** How long to wait for "Ready" before giving up: BENCH_START_LIMIT_S, default 10 minutes. */
const TIME_LIMIT_MS = Number(process.env.BENCH_START_LIMIT_S ?? 600) * 1000;
const dir = tempDir('bench-start');
const port = 18_000 + Math.floor(Math.random() * 2_000);
const started = performance.now();
/** The machine's 1-minute load average at launch and at "Ready": the wall-clock times depend on it. */
const loadAtLaunch = loadavg()[0] as number;
let loadAtReady: number | undefined;
const child = spawn(process.execPath, ['cli/sp-outcomes.js', 'start', '--data', dir.path, '--port', String(port)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const killer = setTimeout(() => child.kill('SIGKILL'), TIME_LIMIT_MS);

/**
 * CPU seconds the stack's process has used so far, every thread of it (the ingest workers and DuckDB's included),
 * from /proc/<pid>/stat (utime and stime, fields 14 and 15, in clock ticks of 1/100 s: proc(5)). On a machine
 * shared with other work the wall-clock times depend on the load; the CPU time much less. With `thread`, that
 * thread's alone (/proc/<pid>/task/<tid>/stat): the main thread's id is the process's. Undefined off Linux.
 */
function cpuSeconds(pid: number | undefined, thread?: number): number | undefined {
  try {
    const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd on
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Threads of the stack's process that want a core now: those running or runnable (state R in
 * /proc/<pid>/task/<tid>/stat, proc(5)), whether or not another process holds the core. Sampled every 250 ms, its
 * mean over a step says whether the step could keep both cores busy on a quiet machine (2 or more) or leaves one
 * idle (below 2) however loaded the machine is when measured. Undefined off Linux.
 */
function threadsWantingCore(pid: number | undefined): number | undefined {
  try {
    let running = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
        if (stat[stat.lastIndexOf(')') + 2] === 'R') running++;
      } catch {
        // the thread ended between the listing and the read
      }
    }
    return running;
  } catch {
    return undefined;
  }
}

/** Seconds since launch at which each numbered step ("1/4 …") began, and when "Ready" was printed. */
const steps: { name: string; at: number; cpu: number | undefined; mainCpu: number | undefined; wanting: number[] }[] =
  [];
/** Samples taken before the first step: the process starting (Node, tsx, the CLI's modules). */
const beforeSteps: number[] = [];
const sampler = setInterval(() => {
  const wanting = threadsWantingCore(child.pid);
  if (wanting !== undefined && readyAt === undefined) (steps.at(-1)?.wanting ?? beforeSteps).push(wanting);
}, 250);
let readyAt: number | undefined;
let readyCpu: number | undefined;
let readyMainCpu: number | undefined;
// Lines are taken as events, and the end awaited as the child's 'close': a `for await` over readline can lose its
// end once the child has gone (a loaded machine), leaving a top-level await that never settles, so the bench ended
// silently, without its table.
const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
createInterface({ input: child.stdout }).on('line', (line) => {
  const at = (performance.now() - started) / 1000;
  const step = /^(\d+\/\d+) (.+?)(?: …|:|$)/.exec(line);
  if (step) {
    steps.push({
      name: `${step[1]} ${step[2]}`,
      at,
      cpu: cpuSeconds(child.pid),
      mainCpu: cpuSeconds(child.pid, child.pid),
      wanting: [],
    });
    console.log(`  ${at.toFixed(1)} s: ${line}`);
  } else if (line.startsWith('    ')) console.log(`  ${at.toFixed(1)} s: ${line}`); // a step's closing figures
  if (line.startsWith('Ready in')) {
    readyAt = at;
    readyCpu = cpuSeconds(child.pid);
    readyMainCpu = cpuSeconds(child.pid, child.pid);
    loadAtReady = loadavg()[0];
    child.kill('SIGTERM');
  }
});
await closed;
clearTimeout(killer);
clearInterval(sampler);
/**
 * The published release of a data folder: meta.json and each metric document (the JSON objects of
 * metrics/releases/<release>/, by name), with the values a start takes from its clock blanked: when the refresh ran
 * (`generated_at`, meta.json's `release`), when an alert was first listed (`first_listed`: this release) and when each
 * PCN's last file landed (`last_upload`: the demo's files land just before the start, demoLandingTime). Two starts of
 * the same code publish the same figures: only these differ (checked on two starts of main a54ca7d). The PDF packs
 * are not compared: they print the date.
 */
function publishedRelease(dataDir: string): Map<string, string> {
  const clockFields = new Set(['generated_at', 'release', 'first_listed', 'last_upload']);
  const read = (path: string) =>
    JSON.stringify(JSON.parse(readFileSync(path, 'utf8')), (key, value) => (clockFields.has(key) ? '(clock)' : value));
  const meta = JSON.parse(readFileSync(join(dataDir, 'metrics', 'meta.json'), 'utf8')) as { release: string };
  const folder = join(dataDir, 'metrics', 'releases', meta.release);
  const documents = new Map([['meta.json', read(join(dataDir, 'metrics', 'meta.json'))]]);
  for (const name of readdirSync(folder).sort())
    if (name.endsWith('.json')) documents.set(name, read(join(folder, name)));
  return documents;
}

/** BENCH_START_COMPARE=<a data folder another run kept>: whether this run published the same documents, named. */
function compareReleases(other: string): { same: number; differ: string[] } {
  const mine = publishedRelease(dir.path);
  const theirs = publishedRelease(other);
  const differ = [...new Set([...mine.keys(), ...theirs.keys()])].filter((name) => mine.get(name) !== theirs.get(name));
  return { same: mine.size - differ.filter((name) => mine.has(name)).length, differ };
}
const compareWith = process.env.BENCH_START_COMPARE;
let compared: ReturnType<typeof compareReleases> | undefined;
try {
  if (readyAt !== undefined && compareWith) compared = compareReleases(compareWith);
} catch (error) {
  console.error(`  the published documents could not be compared: ${(error as Error).message}`);
}
if (compared)
  console.log(
    `  published documents against ${compareWith}'s (clock fields blanked): ${compared.same} identical` +
      (compared.differ.length > 0 ? `; DIFFERENT: ${compared.differ.join(', ')}` : ', none different'),
  );

// BENCH_START_KEEP=1 keeps the data folder (to compare its published documents with another run's); it is named.
if (process.env.BENCH_START_KEEP === '1') console.log(`  data folder kept: ${dir.path}`);
else dir.remove();
if (readyAt === undefined) {
  console.error(`npm start did not print "Ready" within ${TIME_LIMIT_MS / 1000} s (steps begun are printed above)`);
  process.exit(1);
}

const ready: number = readyAt;
const rows: BenchRow[] = [
  { bench: 'start', measure: 'starting (Node, tsx, the CLI)', value: steps[0]?.at ?? ready, unit: 's' },
  ...steps.map((step, i) => ({
    bench: 'start',
    measure: step.name,
    value: (steps[i + 1]?.at ?? ready) - step.at,
    unit: 's',
  })),
];
steps.forEach((step, i) => {
  const until = steps[i + 1]?.cpu ?? readyCpu;
  if (step.cpu !== undefined && until !== undefined)
    rows.push({ bench: 'start', measure: `${step.name}: CPU, all threads`, value: until - step.cpu, unit: 's' });
});
// Where it goes: the main thread (the generator in step 1, the refresh's JavaScript, disclosure control among it, in
// step 4) against the other threads (the ingest workers, DuckDB's threads for compaction and the refresh's SQL, V8's
// and libuv's helpers). A step whose main thread is most of its CPU cannot use a second core however idle.
steps.forEach((step, i) => {
  const until = steps[i + 1]?.mainCpu ?? readyMainCpu;
  if (step.mainCpu !== undefined && until !== undefined)
    rows.push({ bench: 'start', measure: `${step.name}: CPU, main thread`, value: until - step.mainCpu, unit: 's' });
});
const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
if (beforeSteps.length > 0)
  rows.push({ bench: 'start', measure: 'starting: threads wanting a core (mean)', value: mean(beforeSteps), unit: '' });
for (const step of steps)
  if (step.wanting.length > 0)
    rows.push({
      bench: 'start',
      measure: `${step.name}: threads wanting a core (mean)`,
      value: mean(step.wanting),
      unit: '',
    });
if (readyCpu !== undefined) {
  rows.push({ bench: 'start', measure: 'npm start to ready: CPU, all threads', value: readyCpu, unit: 's' });
  if (readyMainCpu !== undefined)
    rows.push({ bench: 'start', measure: 'npm start to ready: CPU, main thread', value: readyMainCpu, unit: 's' });
  // What the ready time cannot be less than on this machine's cores, however idle: the CPU spread over every core.
  const cores = availableParallelism();
  rows.push({
    bench: 'start',
    measure: `npm start to ready: CPU / ${cores} cores`,
    value: readyCpu / cores,
    unit: 's',
  });
}
rows.push({ bench: 'start', measure: 'load average (1 min) at launch', value: loadAtLaunch, unit: '' });
if (loadAtReady !== undefined)
  rows.push({ bench: 'start', measure: 'load average (1 min) at ready', value: loadAtReady, unit: '' });
if (compared)
  rows.push({
    bench: 'start',
    measure: 'published documents the same as BENCH_START_COMPARE',
    value: compared.same,
    unit: `of ${compared.same + compared.differ.length}`,
    pass: compared.differ.length === 0,
  });
rows.push({
  bench: 'start',
  measure: 'npm start on an empty folder, ready',
  value: readyAt,
  unit: 's',
  target: `at most ${TARGET_SECONDS} s`,
  pass: readyAt <= TARGET_SECONDS,
});
printTable(rows);
saveResults('start', rows);
