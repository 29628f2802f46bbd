/**
 * The metrics API's memory on a national release: what the API function holds after serving every document to every
 * kind of caller, as the Lambda runs it (functions/api/handler.ts: MetricsApi, then lambdaResponse).
 *
 *   npx tsx test/bench/api-memory.ts <data folder> [<data folder> ...]
 *     <data folder> holds metrics/ (meta.json and the documents it lists), e.g.
 *     /tmp/sp-outcomes-bench/refresh-layout-1-36/data; it is only read. API_BASELINE=<another checkout> (e.g.
 *     /work/main) runs that checkout's API first, the same way, and the table puts both side by side.
 *
 * Each run is a child process started with the V8 heap flags AWS's Node.js runtime gives a function of the API's
 * memory size (its bootstrap: new space = memory / 10, semi-space = half of it, old space = the rest; see
 * ingest.bench.ts) and with AWS_LAMBDA_FUNCTION_MEMORY_SIZE set as Lambda sets it. API_MEMORY_MB sets the size
 * (default 1024: pipelineFunction's default, which infra/constructs/metrics-api.ts keeps). The callers: the national
 * team (ENG), then the region with the most PCNs, an ICB in it and a PCN in that; each asks in turn for every
 * document in metrics/ (those meta.json lists, then alerts and spc) as the dashboard asks (the level and code of the
 * caller's area). Two ways of starting:
 *   lambda  documents read and parsed when first asked for (functions/api/handler.ts);
 *   local   every document read and parsed first (MetricsApi.warm, as `npm start` does after each refresh).
 * After each caller the child collects garbage and prints the V8 heap in use (what the API keeps), external memory
 * (Buffers: the answers' encoded bodies) and RSS, with the bytes of answers the API keeps (its AnswerCache);
 * the peak RSS and heap (garbage included) are sampled every 20 ms. CPU seconds (process.cpuUsage) are printed beside
 * wall seconds; the figures are printed, never asserted (the machine is shared).
 * API_ORDER=reverse asks for the documents in the opposite order to meta.json's.
 * Whole documents (no filter) are not asked for: each answer's Brotli form is made at the best quality in the
 * background (compress.ts), minutes for a national document, and those hold zlib's threads from the next gzip.
 */

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { releasedKey } from '../../functions/lib/keys.ts';
import { releaseOf } from '../../functions/lib/release.ts';

const MB = 2 ** 20;
const mb = (bytes: number) => `${Math.round(bytes / MB)}`.padStart(5);
const API_MEMORY_MB = Number(process.env.API_MEMORY_MB ?? 1024);
const ACCEPT_ENCODING = 'gzip, deflate, br, zstd';

interface Caller {
  readonly role: 'national' | 'region' | 'icb' | 'pcn';
  readonly code: string;
}

interface MetaLike {
  readonly metrics: readonly { readonly name: string }[];
  readonly icbs: readonly { readonly code: string; readonly parent?: string | null }[];
  readonly pcns: readonly { readonly code: string; readonly parent?: string | null }[];
}

/** England, the region with the most PCNs, its ICB with the most PCNs, and that ICB's first PCN (by code). */
function callersOf(meta: MetaLike): Caller[] {
  const regionOf = new Map(meta.icbs.map((icb) => [icb.code, icb.parent ?? '']));
  const count = (keys: string[]) => {
    const counts = new Map<string, number>();
    for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '';
  };
  const region = count(meta.pcns.map((pcn) => regionOf.get(pcn.parent ?? '') ?? ''));
  const icb = count(meta.pcns.filter((pcn) => regionOf.get(pcn.parent ?? '') === region).map((p) => p.parent ?? ''));
  const pcn =
    meta.pcns
      .filter((p) => p.parent === icb)
      .map((p) => p.code)
      .sort()[0] ?? '';
  return [
    { role: 'national', code: 'ENG' },
    { role: 'region', code: region },
    { role: 'icb', code: icb },
    { role: 'pcn', code: pcn },
  ];
}

type Start = 'lambda' | 'local';

interface Figures {
  readonly start: Start;
  readonly caller: string;
  readonly answers: number;
  readonly refused: number;
  readonly heapMb: number;
  readonly externalMb: number;
  readonly rssMb: number;
  readonly peakHeapMb: number;
  readonly peakRssMb: number;
  readonly answersMb: number;
  readonly wallS: number;
  readonly cpuS: number;
}

/** The child: one checkout's API over the data folder, every caller in turn; one JSON line of figures each. */
async function child(tree: string, dataDir: string, start: Start): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the child needs --expose-gc');
  const { MetricsApi } = await import(pathToFileURL(join(tree, 'functions/api/metrics-api.ts')).href);
  const { lambdaResponse } = await import(pathToFileURL(join(tree, 'functions/api/compress.ts')).href);
  const { FsObjectStore } = await import(pathToFileURL(join(tree, 'functions/lib/object-store.ts')).href);
  const meta = JSON.parse(readFileSync(join(dataDir, 'metrics', 'meta.json'), 'utf8')) as MetaLike;
  // meta.json is read once: a second read (the TTL) would find the same release and change nothing.
  const api = new MetricsApi(new FsObjectStore(dataDir), { metaTtlMs: Number.MAX_SAFE_INTEGER });
  let peak = { rss: 0, heap: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak = { rss: Math.max(peak.rss, m.rss), heap: Math.max(peak.heap, m.heapUsed) };
  };
  const sampler = setInterval(sample, 20);
  const report = (caller: string, began: { at: number; cpu: NodeJS.CpuUsage }, answers: number, refused: number) => {
    const cpu = process.cpuUsage(began.cpu);
    const wallS = (performance.now() - began.at) / 1000;
    sample();
    gc();
    gc();
    const m = process.memoryUsage();
    const figures: Figures = {
      start,
      caller,
      answers,
      refused,
      heapMb: m.heapUsed / MB,
      externalMb: m.external / MB,
      rssMb: m.rss / MB,
      peakHeapMb: peak.heap / MB,
      peakRssMb: peak.rss / MB,
      answersMb: api.answers.bytes / MB,
      wallS,
      cpuS: (cpu.user + cpu.system) / 1e6,
    };
    console.log(`FIGURES ${JSON.stringify(figures)}`);
  };
  report('(before any request)', { at: performance.now(), cpu: process.cpuUsage() }, 0, 0);
  if (start === 'local') {
    const began = { at: performance.now(), cpu: process.cpuUsage() };
    await api.warm();
    report('(warm: all parsed)', began, 0, 0);
  }
  // Every document the API serves: those meta.json lists, then the others beside it (alerts, spc: the trends page).
  const listed = meta.metrics.map((metric) => metric.name);
  // Beside them in the release meta.json names (metrics/releases/<release>/, R24-2).
  const others = readdirSync(join(dataDir, releasedKey(releaseOf(meta), 'metrics/')))
    .filter((file) => file.endsWith('.json') && file !== 'meta.json')
    .map((file) => file.slice(0, -'.json'.length))
    .filter((name) => !listed.includes(name))
    .sort();
  const names = [...listed, ...others];
  // API_ORDER=reverse asks for the documents last to first: a document parsed first costs more until its rows are read.
  if (process.env.API_ORDER === 'reverse') names.reverse();
  for (const caller of callersOf(meta)) {
    const began = { at: performance.now(), cpu: process.cpuUsage() };
    let answers = 0;
    let refused = 0;
    for (const name of names) {
      const response = await api.handle({
        method: 'GET',
        path: `/api/metrics/${name}`,
        query: new URLSearchParams({ level: caller.role, code: caller.code }),
        identity: { ...caller, subject: 'bench' },
      });
      if (response.status !== 200) throw new Error(`${name} for ${caller.role} ${caller.code}: ${response.status}`);
      // The Lambda's own last step: the compressed form, base64 (kept with the answer), or a refusal over 6 MB.
      const sent = lambdaResponse(response, response.encoded, ACCEPT_ENCODING);
      if (sent.statusCode === 200) answers++;
      else refused++;
      sample();
    }
    report(`${caller.role} ${caller.code}`, began, answers, refused);
  }
  clearInterval(sampler);
  // Brotli forms still being made in the background are not waited for: the Lambda would freeze them too.
  process.exit(0);
}

function runChild(tree: string, dataDir: string, start: Start): { lines: Figures[]; failure?: string } {
  const newSpace = Math.floor(API_MEMORY_MB / 10);
  const flags = [
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${API_MEMORY_MB - newSpace}`,
    '--expose-gc',
  ];
  console.log(`\n== ${tree}, ${start}: node ${flags.join(' ')} (AWS_LAMBDA_FUNCTION_MEMORY_SIZE=${API_MEMORY_MB})`);
  let output = '';
  let failure: string | undefined;
  try {
    output = execFileSync(
      process.execPath,
      [...flags, '--import', 'tsx', fileURLToPath(import.meta.url), '--child', tree, dataDir, start],
      {
        env: { ...process.env, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(API_MEMORY_MB) },
        encoding: 'utf8',
        maxBuffer: 64 * MB,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; status?: number; signal?: string };
    output = failed.stdout ?? '';
    const stderr = failed.stderr ?? '';
    failure = /heap out of memory|Reached heap limit/.test(stderr)
      ? 'ran out of heap (V8: JavaScript heap out of memory)'
      : `exit ${failed.status ?? failed.signal}: ${stderr.split('\n').slice(-5).join(' ')}`;
  }
  const lines = output
    .split('\n')
    .filter((line) => line.startsWith('FIGURES '))
    .map((line) => JSON.parse(line.slice(8)) as Figures);
  for (const f of lines) printFigures(f);
  if (failure) console.log(`   ${failure}`);
  return { lines, failure };
}

function printFigures(f: Figures): void {
  console.log(
    `${f.caller.padEnd(19)} sent ${String(f.answers).padStart(2)} refused ${String(f.refused).padStart(2)}` +
      ` | heap ${mb(f.heapMb * MB)} MB external ${mb(f.externalMb * MB)} MB rss ${mb(f.rssMb * MB)} MB` +
      ` | peak heap ${mb(f.peakHeapMb * MB)} MB rss ${mb(f.peakRssMb * MB)} MB` +
      ` | answers kept ${mb(f.answersMb * MB)} MB | ${f.wallS.toFixed(1)} s wall ${f.cpuS.toFixed(1)} CPU s`,
  );
}

const [flag, tree, dataDir, start] = process.argv.slice(2);
if (flag === '--child' && tree && dataDir && (start === 'lambda' || start === 'local'))
  await child(tree, dataDir, start);
else {
  const dataDirs = process.argv.slice(2);
  if (dataDirs.length === 0) {
    console.error('usage: npx tsx test/bench/api-memory.ts <data folder> [...]  (API_BASELINE=<checkout> to compare)');
    process.exit(2);
  }
  const here = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  const trees = [...(process.env.API_BASELINE ? [resolve(process.env.API_BASELINE)] : []), here];
  for (const data of dataDirs) {
    console.log(
      `\n# ${data}: the API function has ${API_MEMORY_MB} MB (half of it: ${API_MEMORY_MB / 2} MB); load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    const results = (['lambda', 'local'] as const).flatMap((how) =>
      trees.map((t) => ({ tree: t, how, ...runChild(t, resolve(data), how) })),
    );
    console.log('\nside by side (heap in use after garbage collection once every caller has been answered):');
    for (const r of results) {
      const last = r.lines.at(-1);
      const peakHeap = Math.max(...r.lines.map((l) => l.peakHeapMb));
      const peakRss = Math.max(...r.lines.map((l) => l.peakRssMb));
      const cpu = r.lines.reduce((sum, l) => sum + l.cpuS, 0);
      const wall = r.lines.reduce((sum, l) => sum + l.wallS, 0);
      console.log(
        `${r.how.padEnd(6)} ${r.tree.padEnd(20)} ${
          r.failure ??
          `heap ${mb((last?.heapMb ?? 0) * MB)} MB; peak heap ${mb(peakHeap * MB)} MB, peak RSS ${mb(peakRss * MB)} MB of ${API_MEMORY_MB} MB`
        } | ${wall.toFixed(1)} s wall, ${cpu.toFixed(1)} CPU s`,
      );
    }
  }
  console.log(
    `load at the end ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}
