/** What an upload may be: its formats and size limits, shared by the upload API, the uploader and the ingest. */
export type UploadFormat = 'csv' | 'jsonl';

export interface UploadLimits {
  /** Uncompressed bytes. @default 100 MB */
  readonly maxBytes: number;
  /** Data rows (not counting a CSV header). @default 1,000,000 */
  readonly maxRows: number;
  /** Characters in one line or record. @default 64 KiB */
  readonly maxLineBytes: number;
  /** Uncompressed / compressed size above which a gzip file is treated as a bomb. @default 200 */
  readonly maxCompressionRatio: number;
}

export const DEFAULT_LIMITS: UploadLimits = {
  maxBytes: 100 * 1024 * 1024,
  maxRows: 1_000_000,
  maxLineBytes: 64 * 1024,
  maxCompressionRatio: 200,
};
