import pRetry from 'p-retry';
import type { RefreshStatus } from '../functions/contract/refresh-status.ts';
import { ingestUpload } from '../functions/ingest/ingest.ts';
import { findIdentifier } from '../functions/lib/identifiability-guard.ts';
import type { FsObjectStore } from '../functions/lib/object-store.ts';
import { QueryError } from '../functions/lib/query-engine.ts';
import { runRefresh } from './commands/refresh.ts';

/** The start of the line a failed refresh logs: the API's documents are untouched until a refresh succeeds. */
export const REFRESH_FAILED = 'refresh failed (the last published figures are still served';

/** What follows a failed attempt: the next one, none (every attempt failed), a newer refresh, or the server stops. */
export type AfterFailure = { inMs: number; attempt: number; attempts: number } | 'gave up' | 'superseded' | 'stopping';

/** The line a failed refresh logs: the reason last, after when it is tried again. */
export function refreshFailedLine(reason: string, next: AfterFailure) {
  const when =
    next === 'gave up'
      ? 'every attempt failed: the next upload retries it'
      : next === 'superseded'
        ? 'the refresh asked for since runs next'
        : next === 'stopping'
          ? 'the server is stopping'
          : `attempt ${next.attempt} of ${next.attempts} in ${next.inMs < 1000 ? `${next.inMs} ms` : `${Math.round(next.inMs / 1000)} s`}, or after the next upload`;
  return `${REFRESH_FAILED}; ${when}): ${reason}`;
}

/** A failed refresh is tried again this many times, after waits growing from `minTimeoutMs` by `factor`. */
export interface RefreshRetry {
  /** @default 4 */
  readonly retries?: number;
  /** @default 30_000 */
  readonly minTimeoutMs?: number;
  /** @default 2 */
  readonly factor?: number;
  /** @default 300_000 */
  readonly maxTimeoutMs?: number;
}
const RETRY_DEFAULTS: Required<RefreshRetry> = { retries: 4, minTimeoutMs: 30_000, factor: 2, maxTimeoutMs: 300_000 };

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
 * A refresh that fails is tried again after 30 s, 1, 2 and 4 minutes (p-retry; `retry`), or at once when an upload
 * asks for a refresh of its own; `status()` says which, for the API.
 */
export class LocalPipeline {
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** An upload was ingested since the last refresh started: one runs once the queue is empty. */
  private refreshWanted = false;
  private refreshing: Promise<void> = Promise.resolve();
  /** Refreshes chained after the one running, not yet begun. */
  private refreshesQueued = 0;
  /** A refresh is in hand: running an attempt, or between attempts (set apart by `waitingToRetry`). */
  private refreshActive = false;
  private waitingToRetry = false;
  /** Stops the retries of the refresh in hand (a newer refresh supersedes it, or the server stops). */
  private retries: AbortController | undefined;
  private stopped = false;
  private waiters: (() => void)[] = [];
  private readonly retry: Required<RefreshRetry>;
  private current: RefreshStatus;

  constructor(
    private readonly store: FsObjectStore,
    private readonly options: {
      /** Wait this long after the last ingest before refreshing. @default 2000 */
      readonly refreshDelayMs?: number;
      readonly onRefreshed?: () => void;
      /** @default runRefresh (the catalogue on DuckDB) */
      readonly refresh?: (dataDir: string, log: (line: string) => void) => Promise<void>;
      readonly log?: (line: string) => void;
      /** @default RETRY_DEFAULTS: 4 retries after 30 s, 1, 2 and 4 minutes */
      readonly retry?: RefreshRetry;
      /** @default () => new Date() */
      readonly clock?: () => Date;
    } = {},
  ) {
    this.retry = { ...RETRY_DEFAULTS, ...options.retry };
    this.current = { state: 'idle', attempts: this.retry.retries + 1 };
  }

  /** How the refresh stands: running, waiting to retry, given up, or none of these. */
  status(): RefreshStatus {
    return this.current;
  }

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

  private now() {
    return (this.options.clock ?? (() => new Date()))();
  }

  private scheduleRefresh() {
    if (this.stopped) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      // An upload landed during the wait: the refresh waits for its ingest, which asks for it again.
      if (this.pending > 0) return;
      this.refreshWanted = false;
      // This refresh reads everything the one waiting to retry would: that one stops (after its attempt, if running).
      this.retries?.abort();
      this.refreshesQueued++;
      this.refreshing = this.refreshing.then(() => this.refreshWithRetries()).finally(() => this.settle());
    }, this.options.refreshDelayMs ?? 2000);
  }

  private async refreshWithRetries(): Promise<void> {
    this.refreshesQueued--;
    if (this.stopped) return;
    const retries = new AbortController();
    this.retries = retries;
    const attempts = this.retry.retries + 1;
    this.refreshActive = true;
    let published = false;
    try {
      await pRetry(
        async (attempt) => {
          this.waitingToRetry = false;
          this.current = { ...this.current, state: 'refreshing', attempt, attempts, next_attempt_at: undefined };
          try {
            await (this.options.refresh ?? runRefresh)(this.store.root, (line) => this.log(`refreshed:${line}`));
          } catch (error) {
            // p-retry gives up at once on a TypeError (not a network one): a refresh is retried whatever failed it.
            if (!(error instanceof TypeError)) throw error;
            throw Object.assign(new Error(error.message, { cause: error }), { name: error.name });
          }
          // Published: told here, since p-retry would turn a success after abort() (a newer refresh) into a failure.
          published = true;
          this.current = {
            state: 'idle',
            attempts,
            attempt,
            last_succeeded_at: this.now().toISOString(),
            last_failed_at: this.current.last_failed_at,
          };
          this.options.onRefreshed?.();
        },
        {
          retries: this.retry.retries,
          minTimeout: this.retry.minTimeoutMs,
          factor: this.retry.factor,
          maxTimeout: this.retry.maxTimeoutMs,
          signal: retries.signal,
          // A wait for a retry never keeps the process alive, and stop() ends it.
          unref: true,
          onFailedAttempt: ({ error, attemptNumber, retriesLeft, retriesConsumed }) => {
            if (published) return;
            if (retries.signal.aborted) {
              this.log(refreshFailedLine(loggedReason(error), this.stopped ? 'stopping' : 'superseded'));
              return;
            }
            const again = retriesLeft > 0;
            // p-retry's wait before retry n+1: minTimeout x factor^n, at most maxTimeout (randomize is off).
            const inMs = Math.min(
              this.retry.minTimeoutMs * this.retry.factor ** retriesConsumed,
              this.retry.maxTimeoutMs,
            );
            const failedAt = this.now();
            this.log(
              refreshFailedLine(
                loggedReason(error),
                again ? { inMs, attempt: attemptNumber + 1, attempts } : 'gave up',
              ),
            );
            this.current = {
              ...this.current,
              state: again ? 'retrying' : 'failed',
              attempt: attemptNumber,
              last_failed_at: failedAt.toISOString(),
              next_attempt_at: again ? new Date(failedAt.getTime() + inMs).toISOString() : undefined,
            };
            this.waitingToRetry = again;
            this.settle();
          },
        },
      );
    } catch {
      // Logged by onFailedAttempt; or published, then stopped by a newer refresh or by stop().
    } finally {
      if (this.retries === retries) this.retries = undefined;
      this.refreshActive = false;
      this.waitingToRetry = false;
    }
  }

  private settle() {
    const busy = this.refreshesQueued > 0 || (this.refreshActive && !this.waitingToRetry);
    if (this.pending > 0 || this.refreshTimer !== undefined || busy) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  /**
   * Resolves once every landed upload is ingested and the refresh after them has finished (succeeded, or failed and
   * waiting to retry: the wait is not work in hand).
   */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.settle();
    });
  }

  /** No more refreshes: a retry waiting is dropped (the server is stopping). Resolves once an attempt running ends. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    this.retries?.abort();
    await this.refreshing;
  }
}
