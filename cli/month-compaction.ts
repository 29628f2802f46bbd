import { FsObjectStore } from '../functions/lib/object-store.ts';
import {
  type CompactionResult,
  compactCurated,
  DEFAULT_COMPACTION_POLICY,
  type ParquetMerger,
} from '../functions/refresh/compact.ts';
import { duckDbMerger } from '../functions/refresh/duckdb-merger.ts';
import { CORRECTION_MONTHS } from './synthetic/generate.ts';

const NONE: CompactionResult = { partitions: 0, objectsBefore: 0, objectsAfter: 0 };

/**
 * Compaction of the demo's months while the rest of the demo is still being ingested (npm start), so that the
 * compaction step after the ingest has only the last months left. A file of month M holds rows of month M and, in
 * its corrections, of months M-1 and M-2 (CORRECTION_MONTHS: a connection's attendance is sent one or two months on;
 * a late file too, as of the month it is for), so month M's partitions are whole once every file of months up to
 * M+2 has its answer; they are compacted then, one run at a time (compactions must never
 * overlap: each recovers any that stopped part-way), several months a run when they came whole meanwhile. Safe
 * whenever it runs: compaction takes only uploads with a receipt, so an upload still being ingested is left for later.
 */
export class MonthCompaction {
  /** Files of each month added and not yet answered. */
  private readonly pending = new Map<string, number>();
  /** Months whole and not yet handed to a run. */
  private readonly ready = new Set<string>();
  private readonly started = new Set<string>();
  private allAdded = false;
  private running: Promise<void> | undefined;
  private failure: Error | undefined;
  private total = NONE;
  private readonly store: FsObjectStore;
  /** One DuckDB instance for every run, one partition at a time: the ingest workers have the cores meanwhile. */
  private readonly merger: ParquetMerger;

  constructor(
    dataDir: string,
    /** The demo's months, in order. */
    private readonly months: readonly string[],
    private readonly engine: ParquetMerger = duckDbMerger(dataDir, { concurrency: 1 }),
  ) {
    this.store = new FsObjectStore(dataDir);
    // compactCurated closes its merger when a run ends: the engine is kept open until finish() instead.
    this.merger = { merge: engine.merge.bind(engine), concurrency: engine.concurrency };
  }

  /** A file of this month was handed to the ingest. */
  added(month: string): void {
    this.pending.set(month, (this.pending.get(month) ?? 0) + 1);
  }

  /** A file of this month has its answer (a receipt or a failure). */
  answered(month: string): void {
    this.pending.set(month, (this.pending.get(month) ?? 0) - 1);
    this.check();
  }

  /** No more files will be added: months may now be whole. */
  addedAll(): void {
    this.allAdded = true;
    this.check();
  }

  private check(): void {
    if (!this.allAdded || this.failure || this.ingestOver()) return;
    // Months are whole in order: month M once every file of months up to M+2 is answered. The months whole so far
    // are compacted now, while the workers ingest the later ones (the loop stops at the first month not whole: it
    // once returned there instead, so no month was compacted before every month was whole, all of them on one
    // thread after the ingest).
    for (let i = 0; i + CORRECTION_MONTHS < this.months.length; i++) {
      const month = this.months[i] as string;
      const holding = this.months.slice(i, i + CORRECTION_MONTHS + 1); // the months whose files may hold its rows
      if (holding.some((m) => (this.pending.get(m) ?? 0) > 0)) break;
      if (!this.started.has(month)) {
        this.started.add(month);
        this.ready.add(month);
      }
    }
    this.run();
  }

  /**
   * Every file added has its answer. The months not begun by then are left to the compaction step after the ingest,
   * which merges two partitions at a time on two cores, instead of one after another on one core here.
   */
  private ingestOver(): boolean {
    return this.allAdded && [...this.pending.values()].every((files) => files === 0);
  }

  private run(): void {
    if (this.running !== undefined || this.ready.size === 0 || this.failure || this.ingestOver()) return;
    const partitions = new Set(this.ready);
    this.ready.clear();
    this.running = compactCurated(this.store, this.merger, { ...DEFAULT_COMPACTION_POLICY, partitions })
      .then((result) => {
        this.total = {
          partitions: this.total.partitions + result.partitions,
          objectsBefore: this.total.objectsBefore + result.objectsBefore,
          objectsAfter: this.total.objectsAfter + result.objectsAfter,
        };
      })
      .catch((error: Error) => {
        this.failure = error;
      })
      .finally(() => {
        this.running = undefined;
        this.run();
      });
  }

  /** Resolves once no run is going (a run's failure is kept for finish()). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /**
   * Waits for the run going, if any (the months not begun while the ingest went on are left to the caller's
   * compaction, the last month always among them), lets go of the engine, and gives what the runs did altogether;
   * throws a run's failure.
   */
  async finish(): Promise<CompactionResult> {
    await this.idle();
    await this.engine.close?.();
    if (this.failure) throw this.failure;
    return this.total;
  }
}
