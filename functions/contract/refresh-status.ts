/**
 * How the local server's refresh after uploads stands (GET /api/refresh-status on `npm start` / `serve`): a refresh
 * that fails is retried with a growing wait, and until one succeeds the API serves the documents last published.
 * The reason a refresh failed is in the server's log only (it may name files and SQL).
 */
export interface RefreshStatus {
  /**
   * `idle`: no refresh is running or waiting (the last one succeeded, or none has run); `refreshing`: one is running
   * (`attempt` of `attempts`); `retrying`: the last attempt failed, the next runs at `next_attempt_at`; `failed`: every
   * attempt failed, and the next upload's refresh tries again.
   */
  readonly state: 'idle' | 'refreshing' | 'retrying' | 'failed';
  /** The attempt running, or the last one made, counting from 1. */
  readonly attempt?: number;
  /** Attempts a refresh gets: the first and its retries. */
  readonly attempts: number;
  readonly next_attempt_at?: string;
  readonly last_succeeded_at?: string;
  readonly last_failed_at?: string;
}

/** Where the local server answers it. */
export const REFRESH_STATUS_PATH = '/api/refresh-status';
