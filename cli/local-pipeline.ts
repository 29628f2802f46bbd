import { ingestUpload } from '../functions/ingest/ingest.ts';
import { findIdentifier } from '../functions/lib/identifiability-guard.ts';
import type { FsObjectStore } from '../functions/lib/object-store.ts';
import { QueryError } from '../functions/lib/query-engine.ts';
import { runRefresh } from './commands/refresh.ts';

/** The start of the line a failed refresh logs: the API's documents are untouched until a refresh succeeds. */
export const REFRESH_FAILED =
  'refresh failed (the last published figures are still served; the next upload retries it)';

/**
 * Why an ingest or a refresh failed, for the operator's log: the step's own message (a receipt's key and fields, a
 * query's SQL file), withheld whole if it looks like it holds an identifier (an engine's message may quote a value).
 */
function loggedReason(error: Error): string {
  const reason = error.message.replace(/\s+/g, ' ').slice(0, 2000);
  if (!findIdentifier(reason)) return reason;
  return `${error instanceof QueryError ? error.file : error.name}: its message is withheld, as it may hold a value`;
}

/**
 * The local stack's stand-in for S3 → EventBridge → SQS → ingest Lambda, and the debounced refresh after ingest:
 * landed uploads are ingested one at a time in arrival order, then one refresh runs once uploads stop arriving.
 */
export class LocalPipeline {
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** An upload was ingested since the last refresh started: one runs once the queue is empty. */
  private refreshWanted = false;
  private refreshing: Promise<void> = Promise.resolve();
  private waiters: (() => void)[] = [];

  constructor(
    private readonly store: FsObjectStore,
    private readonly options: {
      /** Wait this long after the last ingest before refreshing. @default 2000 */
      readonly refreshDelayMs?: number;
      readonly onRefreshed?: () => void;
      /** @default runRefresh (the catalogue on DuckDB) */
      readonly refresh?: (dataDir: string, log: (line: string) => void) => Promise<void>;
      readonly log?: (line: string) => void;
    } = {},
  ) {}

  /** Queues a landed object for ingest, as the S3 event notification would. */
  landed(key: string, receivedAt: Date): void {
    this.pending++;
    this.chain = this.chain
      .then(async () => {
        const { receipt, alreadyIngested } = await ingestUpload({ store: this.store }, { key, receivedAt });
        if (!alreadyIngested) {
          this.log(
            `ingested ${receipt.upload_id}: ${receipt.status}, ${receipt.rows.accepted} rows accepted, ${receipt.rows.rejected} rejected`,
          );
          this.refreshWanted = true;
        }
      })
      .catch((error: Error) => this.log(`ingest of an upload failed (it stays in landing/): ${loggedReason(error)}`))
      .finally(() => {
        this.pending--;
        // Not between two queued uploads (at start, or a burst): a refresh then would be redone at once.
        if (this.pending === 0 && this.refreshWanted) this.scheduleRefresh();
        this.settle();
      });
  }

  private log(line: string) {
    (this.options.log ?? console.log)(line);
  }

  private scheduleRefresh() {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      // An upload landed during the wait: the refresh waits for its ingest, which asks for it again.
      if (this.pending > 0) return;
      this.refreshWanted = false;
      this.refreshing = this.refreshing
        .then(() => (this.options.refresh ?? runRefresh)(this.store.root, (line) => this.log(`refreshed:${line}`)))
        .then(() => this.options.onRefreshed?.())
        .catch((error: Error) => this.log(`${REFRESH_FAILED}: ${loggedReason(error)}`))
        .finally(() => this.settle());
    }, this.options.refreshDelayMs ?? 2000);
  }

  private settle() {
    if (this.pending > 0 || this.refreshTimer !== undefined) return;
    void this.refreshing.then(() => {
      if (this.pending > 0 || this.refreshTimer !== undefined) return;
      for (const resolve of this.waiters.splice(0)) resolve();
    });
  }

  /** Resolves once every landed upload is ingested and the refresh after them has finished. */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.settle();
    });
  }
}
