import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { type MessagePort, Worker } from 'node:worker_threads';
import type { Receipt } from '../functions/contract/index.ts';
import { FsObjectStore } from '../functions/lib/object-store.ts';
import { type IngestFilesSummary, ingestFiles, ingestOneFile } from './commands/ingest.ts';

/** A file for an ingest worker: its place in the pool's list, the time it landed and (when known) its sender. */
export interface IngestJob {
  readonly id: number;
  readonly file: string;
  readonly receivedAtMs: number;
  readonly pcn?: string;
}

/** What the main thread sends an ingest worker: a file, or the end of its files. */
export type IngestWorkerMessage = IngestJob | { readonly end: true };

/** A worker's answer for each file, in the order it was sent: its receipt, or why it could not be ingested. */
export type IngestWorkerReply =
  | { readonly id: number; readonly receipt: Receipt }
  | { readonly id: number; readonly error: string };

/** What an ingest worker is started with. */
export interface IngestWorkerData {
  readonly dataDir: string;
  /** Stage each file under landing/ as a hard link (ingestOneFile's link). */
  readonly link: boolean;
}

/**
 * An ingest worker's loop (cli/ingest-worker.ts): ingests the files it is sent one after another, in the order sent,
 * answering for each, until told there are no more. `beforeEach` is a test's seam (a worker that dies on a file).
 */
export async function serveIngestJobs(
  port: MessagePort,
  data: IngestWorkerData,
  beforeEach?: (job: IngestJob) => void,
): Promise<void> {
  const store = new FsObjectStore(data.dataDir);
  const queue: IngestJob[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  port.on('message', (message: IngestWorkerMessage) => {
    if ('end' in message) ended = true;
    else queue.push(message);
    wake?.();
  });
  for (;;) {
    const job = queue.shift();
    if (job === undefined) {
      if (ended) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
      continue;
    }
    beforeEach?.(job);
    let reply: IngestWorkerReply;
    try {
      const receipt = await ingestOneFile(store, job.file, {
        pcn: job.pcn,
        receivedAt: new Date(job.receivedAtMs),
        link: data.link,
      });
      reply = { id: job.id, receipt };
    } catch (error) {
      reply = { id: job.id, error: (error as Error).message };
    }
    port.postMessage(reply);
  }
  port.close();
}

/** The pool's closing summary: the receipts in the order the files were added, and the files that have none. */
export interface IngestPoolSummary extends IngestFilesSummary {
  /** Files that could not be ingested (no receipt), with why. */
  readonly failed: readonly { readonly file: string; readonly message: string }[];
}

export interface IngestPoolOptions {
  /** @default the number of cores */
  readonly workers?: number;
  /** Stage each file as a hard link to it (ingestOneFile's link): files never changed once written. @default false */
  readonly link?: boolean;
  /** Told at once, a line each, when a worker stops unexpectedly or a file cannot be ingested. @default console.error */
  readonly onProblem?: (line: string) => void;
  /** Paths in problem lines are shown relative to this folder. @default the working directory */
  readonly relativeTo?: string;
  /** Told of each file once it has its answer: its receipt, or undefined when it could not be ingested. */
  readonly onAnswer?: (file: string, receipt: Receipt | undefined) => void;
  /** Test seam: a worker script of the same messages (serveIngestJobs), and more data for it. */
  readonly worker?: { readonly script: URL; readonly data?: Record<string, unknown> };
}

/** Files handed to a worker ahead of its answers, so that it never waits for the main thread (busy generating). */
const AHEAD_PER_WORKER = 16;
/** Workers started in place of stopped ones before the pool gives up (a worker that cannot even start, say). */
const MAX_RESPAWNS = 8;

interface Slot {
  readonly worker: Worker;
  readonly number: number;
  /** Files sent to it and not yet answered, in the order sent: the first is the one it is ingesting. */
  readonly inFlight: (IngestJob & { tries: number })[];
  error?: Error;
  told?: boolean;
}

/**
 * Ingest worker threads fed files as they are added, so that files can be ingested while others are still being
 * written (the demo's generator hands each PCN's files over as soon as they are on disk). Each file carries the time
 * it landed, so which version of a row wins never depends on which worker ingested it or when. A worker that stops
 * is reported at once (onProblem) with the file it was ingesting; the files it had not answered for go to a new
 * worker, so none is lost. A file that has stopped two workers is not tried again: the pool fails, naming it.
 * finish() resolves once every file added has its answer.
 */
export class IngestPool {
  private readonly slots: Slot[] = [];
  private readonly queue: (IngestJob & { tries: number })[] = [];
  private readonly receipts = new Map<number, Receipt>();
  private readonly failed: { file: string; message: string }[] = [];
  private readonly started = performance.now();
  private readonly onProblem: (line: string) => void;
  private readonly done: Promise<IngestPoolSummary>;
  private settle!: { resolve: (summary: IngestPoolSummary) => void; reject: (error: Error) => void };
  private failure: Error | undefined;
  private ending = false;
  private added = 0;
  private spawned = 0;
  private readonly workers: number;

  constructor(
    private readonly dataDir: string,
    private readonly options: IngestPoolOptions = {},
  ) {
    this.onProblem = options.onProblem ?? ((line) => console.error(line));
    this.done = new Promise<IngestPoolSummary>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // Awaited in finish(); a failure before then must not go unhandled meanwhile.
    this.done.catch(() => {});
    this.workers = Math.max(1, options.workers ?? availableParallelism());
    for (let i = 0; i < this.workers; i++) this.spawn();
  }

  /** Files added so far. */
  get files(): number {
    return this.added;
  }

  /** Adds a file to ingest; throws the pool's failure once it has failed (see the class comment). */
  add(file: string, receivedAt: Date, pcn?: string): void {
    if (this.failure) throw this.failure;
    this.queue.push({ id: this.added++, file, receivedAtMs: receivedAt.getTime(), pcn, tries: 0 });
    this.dispatch();
  }

  /**
   * Puts the files not yet handed to a worker in this order (a stable sort: files that compare equal keep theirs).
   * The files a worker already holds (up to AHEAD_PER_WORKER each) go first.
   */
  reorder(compare: (a: string, b: string) => number): void {
    this.queue.sort((a, b) => compare(a.file, b.file));
  }

  /** Tells the pool no more files are coming; resolves once every file has its answer and the workers have stopped. */
  finish(): Promise<IngestPoolSummary> {
    this.ending = true;
    this.dispatch();
    return this.done;
  }

  private spawn(): void {
    const data: IngestWorkerData = { dataDir: this.dataDir, link: this.options.link ?? false };
    const script = this.options.worker?.script ?? new URL('./ingest-worker.js', import.meta.url);
    const worker = new Worker(script, { workerData: { ...this.options.worker?.data, ...data } });
    const slot: Slot = { worker, number: ++this.spawned, inFlight: [] };
    worker.on('message', (reply: IngestWorkerReply) => this.answered(slot, reply));
    worker.on('error', (error) => {
      slot.error = error; // 'exit' follows
    });
    worker.on('exit', (code) => this.exited(slot, code));
    this.slots.push(slot);
  }

  private where(file: string): string {
    return relative(this.options.relativeTo ?? process.cwd(), file);
  }

  private dispatch(): void {
    if (this.failure) return;
    for (const slot of this.slots) {
      while (slot.inFlight.length < AHEAD_PER_WORKER && this.queue.length > 0) {
        const job = this.queue.shift() as IngestJob & { tries: number };
        slot.inFlight.push(job);
        const { tries: _, ...message } = job;
        slot.worker.postMessage(message satisfies IngestWorkerMessage);
      }
    }
    if (!this.ending || this.queue.length > 0 || this.slots.some((slot) => slot.inFlight.length > 0)) return;
    for (const slot of this.slots) {
      if (slot.told) continue;
      slot.told = true;
      slot.worker.postMessage({ end: true } satisfies IngestWorkerMessage);
    }
    if (this.slots.length > 0) return;
    try {
      this.settle.resolve(this.summary());
    } catch (error) {
      this.settle.reject(error as Error);
    }
  }

  private answered(slot: Slot, reply: IngestWorkerReply): void {
    const job = slot.inFlight.shift();
    if (job === undefined || job.id !== reply.id) {
      this.fail(new Error(`ingest worker ${slot.number} answered for a file it was not sent (${reply.id})`));
      return;
    }
    if ('receipt' in reply) this.receipts.set(job.id, reply.receipt);
    else {
      this.failed.push({ file: job.file, message: reply.error });
      this.onProblem(`✖ ${this.where(job.file)}: could not be ingested: ${reply.error}`);
    }
    this.options.onAnswer?.(job.file, 'receipt' in reply ? reply.receipt : undefined);
    this.dispatch();
  }

  private exited(slot: Slot, code: number): void {
    this.slots.splice(this.slots.indexOf(slot), 1);
    if (this.failure) return;
    if (slot.told && code === 0 && slot.error === undefined) {
      this.dispatch();
      return;
    }
    const why = slot.error ? `${slot.error.message}` : `exit code ${code}`;
    const [current] = slot.inFlight;
    const doing = current ? `while ingesting ${this.where(current.file)}` : 'with no file to ingest';
    if (current && ++current.tries >= 2) {
      this.onProblem(`✖ ingest worker ${slot.number} stopped (${why}) ${doing}, the second worker that file stopped`);
      this.fail(
        new Error(
          `${this.where(current.file)} stopped two ingest workers (the last: ${why}); it has no receipt, so the ingest cannot be complete`,
        ),
      );
      return;
    }
    if (this.spawned >= this.workers + MAX_RESPAWNS) {
      this.fail(new Error(`ingest workers keep stopping (${MAX_RESPAWNS} started again; the last: ${why})`));
      return;
    }
    const unanswered = slot.inFlight.length;
    this.onProblem(
      `⚠ ingest worker ${slot.number} stopped (${why}) ${doing}` +
        (unanswered > 0 ? `; its ${unanswered} unanswered file(s) go to a new worker` : ''),
    );
    this.queue.unshift(...slot.inFlight);
    this.spawn();
    this.dispatch();
  }

  private fail(error: Error): void {
    this.failure = error;
    for (const slot of this.slots) void slot.worker.terminate();
    this.settle.reject(error);
  }

  private summary(): IngestPoolSummary {
    const receipts = [...this.receipts.entries()].sort(([a], [b]) => a - b).map(([, receipt]) => receipt);
    if (receipts.length + this.failed.length !== this.added)
      throw new Error(`ingest: ${this.added} files added, ${receipts.length + this.failed.length} answered`);
    const count = (status: Receipt['status']) => receipts.filter((r) => r.status === status).length;
    return {
      files: this.added,
      accepted: count('accepted'),
      partiallyAccepted: count('partially_accepted'),
      rejected: count('rejected'),
      rowsAccepted: receipts.reduce((sum, r) => sum + r.rows.accepted, 0),
      rowsRejected: receipts.reduce((sum, r) => sum + r.rows.rejected, 0),
      seconds: (performance.now() - this.started) / 1000,
      receipts,
      failed: this.failed,
    };
  }
}

/**
 * Ingests many files on every core (the demo's thousands of uploads) through an IngestPool, each file given the time
 * it landed from its place in the list, one millisecond apart, so that which version of a row wins does not depend
 * on which worker finished first. The result is the one a single ingest of the files in order gives.
 */
export async function ingestFilesInParallel(
  files: readonly string[],
  options: { readonly dataDir: string; readonly workers?: number; readonly landedFrom?: Date },
): Promise<IngestFilesSummary> {
  const landedFrom = (options.landedFrom ?? new Date()).getTime() - files.length;
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), files.length));
  if (workers === 1) {
    const landed = new Map(files.map((file, i) => [file, new Date(landedFrom + i)]));
    const { summary } = await ingestFiles(files, {
      dataDir: options.dataDir,
      out: () => {},
      progress: false,
      receivedAt: (file) => landed.get(file),
    });
    return summary;
  }
  const pool = new IngestPool(options.dataDir, { workers });
  files.forEach((file, i) => {
    pool.add(file, new Date(landedFrom + i));
  });
  // A file that cannot be ingested is told on stderr at once (as the one-thread ingest tells it on its output).
  const { failed: _, ...summary } = await pool.finish();
  return summary;
}
