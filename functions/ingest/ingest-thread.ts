import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { FileRejection } from './file-rejection.ts';
import { ChunkJudge, type JudgeContext, type JudgedChunk } from './ingest.ts';
import type { LineSink } from './read-upload.ts';

/**
 * CSV rows judged in a worker thread (issue 17): the main thread reads the file (bytes, checksum, text, the header and
 * every chunk with a quote character, as before) and hands each quote-free run of whole lines after the header to a
 * worker, which splits, guards and validates its rows (ChunkJudge, the ingest's own UploadState) and hands back each
 * line's verdict and the accepted rows' values as typed arrays (JudgedChunk). The main thread takes them in file order
 * (UploadState.takeJudged): row numbers, the row limit, the keys seen before (duplicates), the first refusal of the
 * file and the Parquet writer stay there, so the outputs are those of the ingest in one thread.
 *
 * One worker at most per upload: the main thread's share (reading, the keys seen, the Parquet writer) is about half
 * of the whole, so a second worker would wait. None where there is no second core to run it on: in Lambda a second
 * vCPU comes with 1,769 MB or more past the first (3,538 MB: AWS's 1 vCPU per 1,769 MB), none in a worker thread
 * itself (the local pipeline's ingest workers), none while another upload in this process holds the worker.
 * SP_INGEST_THREADS=0 turns it off; SP_INGEST_THREADS=every-row sends every row after the header of every file to the
 * worker (tests: the fixtures' files are smaller than one run).
 */

const DEBUG = { take: 0, worker: 0, runs: 0, send: 0, local: 0, waits: 0, waited: 0, created: performance.now(), readyAt: 0, startAt: 0 };
/** workerData of a judging worker (a bundle starts itself as its worker: see spawn). */
const MARK = 'spIngestJudge';

/** In Lambda: the memory below which a function has less than two vCPUs. */
const TWO_VCPU_MB = 3538;
/** Characters of text read before a worker is started: a small upload is judged where it is read. */
const START_AFTER_CHARS = 1024 * 1024;
/** Characters of whole lines sent at once (the last run of a file is read by the main thread). */
const RUN_CHARS = 1024 * 1024;
/**
 * Runs at the worker before the next is judged in the main thread instead (so that neither waits for the other), and
 * runs sent and not yet taken before the reader waits (memory: each is about RUN_CHARS and its typed values).
 */
const RUNS_AT_WORKER = 2;
const RUNS_QUEUED = 4;

/** A run of lines sent: judged (chunk) by the worker or, when local, in the main thread. */
interface Run {
  readonly text: string;
  readonly firstRow: number;
  readonly count: () => void;
  chunk: JudgedChunk | undefined;
  local: boolean;
}

/**
 * The worker's heap: its young generation bounded (it would otherwise take the semi-space Lambda's flags give the
 * process, 102 MB at 2,048 MB, for itself as well: 749 MB peak for the process), its old one more than it holds (the
 * validators, the guard, a run or two).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 512 };

type ToWorker =
  | { readonly type: 'start'; readonly session: number; readonly context: JudgeContext }
  | {
      readonly type: 'run';
      readonly session: number;
      readonly text: string;
      readonly firstRow: number;
      readonly newline: string;
      readonly room: number;
    }
  | { readonly type: 'end'; readonly session: number };

type FromWorker =
  | { readonly type: 'ready'; readonly session: number }
  | { readonly type: 'judged'; readonly session: number; readonly chunk: JudgedChunk }
  | { readonly type: 'failed'; readonly session: number; readonly message: string };

/** How this process judges rows: how many workers (0 or 1), and whether every row goes to one. */
export function judgeThreads(): { readonly workers: number; readonly everyRow: boolean } {
  const setting = process.env.SP_INGEST_THREADS;
  if (setting === '0') return { workers: 0, everyRow: false };
  if (setting === 'every-row') return { workers: 1, everyRow: true };
  const lambdaMb = Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? Number.POSITIVE_INFINITY);
  const cores = availableParallelism() >= 2 && lambdaMb >= TWO_VCPU_MB;
  return { workers: cores && isMainThread ? 1 : 0, everyRow: false };
}

/** The worker kept between uploads (a Lambda instance's invocations), and whether an upload holds it. */
let kept: { worker: Worker; busy: boolean } | undefined;
let sessions = 0;

/**
 * The worker: in a bundle (the Lambda's), the bundle itself, which holds this module; from TypeScript sources (tsx,
 * vitest), this module through tsx's loader, which a worker does not inherit.
 */
function spawn(): Worker {
  const here = import.meta.url;
  const options = { workerData: { [MARK]: true }, resourceLimits: WORKER_LIMITS };
  if (!here.endsWith('.ts')) return new Worker(new URL(here), options);
  // tsx's ESM entry (its package exports' `import` condition of tsx/esm/api; require.resolve gives the CommonJS one).
  const tsx = pathToFileURL(join(dirname(createRequire(here).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const code = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(here)}); });`;
  return new Worker(code, { ...options, eval: true });
}

function keptWorker(): { worker: Worker; busy: boolean } {
  if (kept === undefined) {
    const worker = spawn();
    const entry = { worker, busy: false };
    worker.on('error', () => {
      if (kept === entry) kept = undefined;
    });
    worker.on('exit', () => {
      if (kept === entry) kept = undefined;
    });
    worker.unref();
    kept = entry;
  }
  return kept;
}

/**
 * An upload's line sink (read-upload's LineSink): starts the worker once the file is large enough, sends it runs of
 * lines, and takes their verdicts in order through take (UploadState.takeJudged).
 */
export class JudgeSession implements LineSink {
  readonly minChars: number;
  readonly everyRow: boolean;
  private worker: { worker: Worker; busy: boolean } | undefined;
  private readonly session = ++sessions;
  private started = false;
  private judging = false;
  private readonly queue: Run[] = [];
  /** Runs sent to the worker and not answered yet. */
  private atWorker = 0;
  /** The judge of the runs judged in this thread while the worker has enough (send). */
  private localJudge: ChunkJudge | undefined;
  private failure: unknown;
  private waiting: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  private charsSeen = 0;
  private readonly onMessage = (message: FromWorker) => this.received(message);
  private readonly onError = (error: unknown) => this.fail(error);

  constructor(
    private readonly context: () => JudgeContext | undefined,
    private readonly room: () => number,
    private readonly take: (chunk: JudgedChunk, text: string, firstRow: number, count: () => void) => void,
    everyRow: boolean,
  ) {
    this.everyRow = everyRow;
    this.minChars = everyRow ? 1 : RUN_CHARS;
  }

  /** Text read so far, for when to start the worker (a small upload never starts it). */
  read(chars: number): void {
    this.charsSeen += chars;
    if (!this.started && (this.everyRow || this.charsSeen >= START_AFTER_CHARS)) this.start();
  }

  private start(): void {
    const context = this.context();
    if (context === undefined) return;
    this.started = true;
    DEBUG.startAt = performance.now() - DEBUG.created;
    const worker = keptWorker();
    if (worker.busy) return;
    worker.busy = true;
    worker.worker.ref();
    this.worker = worker;
    worker.worker.on('message', this.onMessage);
    worker.worker.on('error', this.onError);
    worker.worker.postMessage({ type: 'start', session: this.session, context } satisfies ToWorker);
  }

  ready(): boolean {
    return this.judging && this.failure === undefined;
  }

  whenReady(): Promise<void> {
    if (this.judging || this.worker === undefined || this.failure !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      this.readyWaiters.push(resolve);
    });
  }

  private readonly readyWaiters: (() => void)[] = [];

  /** Runs not yet taken, or a refusal found in one and not yet thrown. */
  pending(): boolean {
    return this.queue.length > 0 || this.failure !== undefined;
  }

  send(text: string, firstRow: number, newline: string, count: () => void): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const worker = this.worker as NonNullable<typeof this.worker>;
    const run: Run = { text, firstRow, count, chunk: undefined, local: false };
    this.queue.push(run);
    if (this.atWorker < RUNS_AT_WORKER) {
      this.atWorker += 1;
      const message: ToWorker = { type: 'run', session: this.session, text, firstRow, newline, room: this.room() };
      worker.worker.postMessage(message);
    } else {
      // The worker has enough to do: this run is judged here, by the same code, and taken in its turn.
      run.local = true;
      this.localJudge ??= new ChunkJudge(this.context() as JudgeContext);
      run.chunk = this.localJudge.judge(text, firstRow, newline, this.room()).chunk;
      DEBUG.local += 1;
      this.takeReady();
      if (this.failure !== undefined) return Promise.reject(this.failure);
    }
    return this.queue.length >= RUNS_QUEUED ? this.wait() : Promise.resolve();
  }

  drain(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return this.queue.length === 0 ? Promise.resolve() : this.wait(true);
  }

  private drainAll = false;

  private wait(all = false): Promise<void> {
    this.drainAll = all;
    const t0 = performance.now();
    DEBUG.waits += 1;
    return new Promise<void>((resolve, reject) => {
      this.waiting = { resolve, reject };
    }).finally(() => {
      DEBUG.waited += performance.now() - t0;
    });
  }

  private received(message: FromWorker): void {
    if (message.session !== this.session) return;
    if (message.type === 'ready') {
      this.judging = true;
      DEBUG.readyAt = performance.now() - DEBUG.created;
      for (const resolve of this.readyWaiters.splice(0)) resolve();
      return;
    }
    if (message.type === 'failed') {
      this.fail(new Error(`ingest worker thread: ${message.message}`));
      return;
    }
    if (this.failure !== undefined) return;
    // The worker answers in the order it was sent runs: the first of them not answered yet.
    const run = this.queue.find((queued) => !queued.local && queued.chunk === undefined);
    if (run === undefined) return;
    this.atWorker -= 1;
    run.chunk = message.chunk;
    DEBUG.worker += (message as unknown as { ms: number }).ms;
    this.takeReady();
    const waiting = this.waiting;
    if (this.failure !== undefined) return;
    if (waiting !== undefined && (this.drainAll ? this.queue.length === 0 : this.queue.length < RUNS_QUEUED)) {
      this.waiting = undefined;
      waiting.resolve();
    }
  }

  /** The runs judged, in file order, up to the first still being judged. */
  private takeReady(): void {
    for (let run = this.queue[0]; run?.chunk !== undefined; run = this.queue[0]) {
      this.queue.shift();
      try {
        const t0 = performance.now();
        this.take(run.chunk, run.text, run.firstRow, run.count);
        DEBUG.take += performance.now() - t0;
        DEBUG.runs += 1;
      } catch (error) {
        this.fail(error);
        return;
      }
    }
  }

  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    for (const resolve of this.readyWaiters.splice(0)) resolve();
    this.queue.length = 0;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error);
  }

  /** The worker let go, for the next upload (its runs of this upload still queued there are ignored). */
  close(): void {
    if (process.env.DEBUG_JUDGED) console.error(JSON.stringify(DEBUG));
    const worker = this.worker;
    if (worker === undefined) return;
    this.worker = undefined;
    worker.worker.off('message', this.onMessage);
    worker.worker.off('error', this.onError);
    worker.worker.postMessage({ type: 'end', session: this.session } satisfies ToWorker);
    worker.busy = false;
    worker.worker.unref();
  }
}

/** The worker's side: one ChunkJudge per upload, each run judged as it comes. */
function serve(): void {
  const port = parentPort;
  if (port === null) return;
  let current: { session: number; judge: ChunkJudge } | undefined;
  port.on('message', (message: ToWorker) => {
    try {
      if (message.type === 'start') {
        current = { session: message.session, judge: new ChunkJudge(message.context) };
        port.postMessage({ type: 'ready', session: message.session } satisfies FromWorker);
      } else if (message.type === 'end') {
        if (current?.session === message.session) current = undefined;
      } else if (current?.session === message.session) {
        const t0 = performance.now();
        const { chunk, transfer } = current.judge.judge(message.text, message.firstRow, message.newline, message.room);
        const ms = performance.now() - t0;
        port.postMessage({ type: 'judged', session: message.session, chunk, ms } as FromWorker, transfer);
      }
    } catch (error) {
      const text = error instanceof FileRejection ? error.detail.code : String((error as Error)?.stack ?? error);
      port.postMessage({ type: 'failed', session: message.session, message: text } satisfies FromWorker);
    }
  });
}

if (!isMainThread && (workerData as Record<string, unknown> | null)?.[MARK] === true) serve();
