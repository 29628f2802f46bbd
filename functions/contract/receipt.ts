/**
 * The receipt every upload gets (receipts/<upload-id>.json): what was accepted, what was rejected and why.
 * Read by the uploader, the API and the data-quality metrics; it never holds a cell's value.
 */
export interface ReceiptError {
  readonly row: number;
  readonly field: string | null;
  readonly code: string;
  readonly message: string;
}

/**
 * Accepted rows that the published figures will not use as sent, counted under one reason (review 27, R27-3): the rows
 * are valid under the contract and kept, but the PCN should know. Rows are named by position only, never by a value.
 */
export interface ReceiptNote {
  readonly code: string;
  /** How many accepted rows the note is about. */
  readonly rows: number;
  /** The first of them (row numbers as in receipt errors: the header is row 1), in file order. */
  readonly first_rows: readonly number[];
  readonly message: string;
}

export interface Receipt {
  readonly contract_version: number;
  readonly upload_id: string;
  readonly pcn_code: string;
  readonly kind: 'events' | 'workforce' | null;
  readonly status: 'accepted' | 'partially_accepted' | 'rejected';
  readonly source: {
    readonly key: string;
    readonly format: 'csv' | 'jsonl';
    readonly compressed: boolean;
    readonly bytes: number;
    readonly uncompressed_bytes: number;
    readonly sha256: string;
  };
  readonly received_at: string;
  readonly processed_at: string;
  readonly rows: { readonly read: number; readonly accepted: number; readonly rejected: number };
  /** Rejected rows counted under the first reason each one failed for, so the counts add up to rows.rejected. */
  readonly rejected_by_reason: Readonly<Record<string, number>>;
  /** Why the whole file was refused, when it was. */
  readonly file_error: ReceiptError | null;
  /** The first errors, in row order; errors_total counts them all. */
  readonly errors: readonly ReceiptError[];
  readonly errors_total: number;
  /**
   * Notes on accepted rows (ReceiptNote); absent when there is none, and on receipts written before notes existed.
   * A note changes neither the status nor the counts.
   */
  readonly notes?: readonly ReceiptNote[];
  /** Accepted rows per partition month. */
  readonly partitions: Readonly<Record<string, number>>;
  readonly outputs: { readonly curated: readonly string[]; readonly quarantine: string | null };
  readonly timings_ms: { readonly read_validate: number; readonly write: number; readonly total: number };
}
