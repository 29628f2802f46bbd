import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Papa from 'papaparse';
import { PCN_CODE_PATTERN, type Receipt } from '../../functions/contract/index.ts';
import { ingestUpload } from '../../functions/ingest/ingest.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import { landingKeyFor, receiptKey, uploadIdFor } from '../../functions/lib/keys.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { progressBar } from '../progress.ts';

export interface IngestFilesOptions {
  readonly dataDir: string;
  /** The sending PCN; by default read from each file's first row. */
  readonly pcn?: string;
  readonly json?: boolean;
  /** Row errors printed per file; the rest are in quarantine. @default 5 */
  readonly errorsPerFile?: number;
  readonly out?: (line: string) => void;
  readonly progress?: boolean;
  /** When each file landed (the tie-break between two versions of a row). @default the time it is ingested */
  readonly receivedAt?: (file: string) => Date | undefined;
}

export interface IngestFilesSummary {
  readonly files: number;
  readonly accepted: number;
  readonly partiallyAccepted: number;
  readonly rejected: number;
  readonly rowsAccepted: number;
  readonly rowsRejected: number;
  readonly seconds: number;
  readonly receipts: Receipt[];
}

/** Exit codes of `sp-outcomes ingest`, documented in the README. */
export const INGEST_EXIT = { allAccepted: 0, fileRejected: 1, rowsRejected: 2, failed: 3 } as const;

const SNIFF_BYTES = 64 * 1024;

/** The PCN that sent a file, from the pcn_code of its first row (without reading more than its start). */
export function sniffPcnCode(bytes: Uint8Array): string | undefined {
  let head: Buffer;
  try {
    head =
      bytes[0] === 0x1f && bytes[1] === 0x8b
        ? gunzipSync(bytes.subarray(0, SNIFF_BYTES), { finishFlush: 2 })
        : Buffer.from(bytes.subarray(0, SNIFF_BYTES));
  } catch {
    return undefined;
  }
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n')).trim();
  if (firstLine.startsWith('{')) {
    try {
      const code = (JSON.parse(firstLine) as { pcn_code?: unknown }).pcn_code;
      return typeof code === 'string' && PCN_CODE_PATTERN.test(code) ? code : undefined;
    } catch {
      return undefined;
    }
  }
  const rows = Papa.parse<Record<string, string>>(text, { header: true, preview: 1, skipEmptyLines: true }).data;
  const code = rows[0]?.pcn_code?.trim();
  return code && PCN_CODE_PATTERN.test(code) ? code : undefined;
}

/** A receipt as lines for a person: the outcome, then the first row errors (shared by ingest and upload). */
export function describeReceipt(file: string, receipt: Receipt, errorsPerFile: number): string[] {
  const name = basename(file);
  const n = (x: number) => x.toLocaleString('en-GB');
  if (receipt.file_error) {
    const where = [
      receipt.file_error.row ? `row ${receipt.file_error.row}` : '',
      receipt.file_error.field ? `field ${receipt.file_error.field}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return [
      `✖ ${name}: rejected: ${where ? `${where}: ` : ''}${receipt.file_error.message} (${receipt.file_error.code})`,
    ];
  }
  const reasons = Object.entries(receipt.rejected_by_reason)
    .map(([code, count]) => `${code} ${n(count)}`)
    .join(', ');
  // Notes on accepted rows (a receipt written before notes has none): by count and row number, never a value.
  const notes = (receipt.notes ?? []).map((note) => {
    const which = note.rows > note.first_rows.length ? 'first at rows' : note.rows === 1 ? 'row' : 'rows';
    const rows = `${n(note.rows)} row${note.rows === 1 ? '' : 's'} (${which} ${note.first_rows.join(', ')})`;
    return `  ${name}: note: ${rows}: ${note.message} (${note.code})`;
  });
  if (receipt.status === 'accepted') return [`✔ ${name}: ${n(receipt.rows.accepted)} rows accepted`, ...notes];
  const head = receipt.status === 'rejected' ? '✖' : '⚠';
  const lines = [
    `${head} ${name}: ${n(receipt.rows.accepted)} rows accepted, ${n(receipt.rows.rejected)} rejected (${reasons})`,
    ...notes,
  ];
  for (const error of receipt.errors.slice(0, errorsPerFile)) {
    lines.push(
      `  ${name}: row ${error.row}${error.field ? `, field ${error.field}` : ''}: ${error.message} (${error.code})`,
    );
  }
  if (receipt.errors_total > errorsPerFile) {
    lines.push(`  ${name}: … ${n(receipt.errors_total - errorsPerFile)} more errors in ${receipt.outputs.quarantine}`);
  }
  return lines;
}

/** A file whose sender cannot be told (no --pcn, no valid pcn_code in its first row). */
export class UnknownSenderError extends Error {
  constructor() {
    super('cannot tell which PCN sent it (no valid pcn_code in its first row): pass --pcn U00000');
    this.name = 'UnknownSenderError';
  }
}

export interface IngestOneFileOptions {
  /** The sending PCN; by default read from the file's first row. */
  readonly pcn?: string;
  /** When the file landed. @default the time it is ingested */
  readonly receivedAt?: Date;
  /**
   * Stage the file under landing/ as a hard link to it rather than a copy: for files never changed once written,
   * such as the demo's (the generator's files are in the same data folder). A store that cannot link it copies.
   */
  readonly link?: boolean;
}

/**
 * Stages one file under landing/ (as the upload API would) and runs the ingest core on it: the receipt, or a throw
 * when the file could not be ingested (no receipt is written then; UnknownSenderError when the sender is unknown).
 */
export async function ingestOneFile(
  store: FsObjectStore,
  file: string,
  options: IngestOneFileOptions,
): Promise<Receipt> {
  const bytes = await readFile(file);
  const pcn = options.pcn ?? sniffPcnCode(bytes);
  if (pcn === undefined || !PCN_CODE_PATTERN.test(pcn)) throw new UnknownSenderError();
  const key = options.link
    ? await stageByLink(store, pcn, file, bytes)
    : await stageUpload(store, pcn, basename(file), bytes);
  const { receipt } = await ingestUpload({ store }, { key, receivedAt: options.receivedAt });
  return receipt;
}

/**
 * stageUpload's key and checks, the object made by a hard link to the file instead of a copy of its bytes: the
 * link is atomic (a reader sees the whole file or none) and the demo's 486 MB are not written twice.
 */
async function stageByLink(store: FsObjectStore, pcn: string, file: string, bytes: Uint8Array): Promise<string> {
  const uploadId = uploadIdFor(pcn, createHash('sha256').update(bytes).digest('hex'));
  const key = landingKeyFor(pcn, uploadId, basename(file));
  const target = join(store.root, ...key.split('/'));
  if (existsSync(target) || (await store.get(receiptKey(uploadId))) !== undefined) return key;
  await mkdir(dirname(target), { recursive: true });
  try {
    await link(file, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return key;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw error;
    await store.put(key, bytes);
  }
  return key;
}

/** `sp-outcomes ingest FILE...`: stage each file under landing/ and run the ingest core on it. */
export async function ingestFiles(
  files: readonly string[],
  options: IngestFilesOptions,
): Promise<{ summary: IngestFilesSummary; exitCode: number }> {
  const out = options.out ?? ((line: string) => console.log(line));
  const store = new FsObjectStore(options.dataDir);
  const started = performance.now();
  const receipts: Receipt[] = [];
  const bar = progressBar('ingest', files.length, options.progress ?? (!options.json && process.stderr.isTTY === true));
  let failed = false;
  for (const file of files) {
    try {
      const receipt = await ingestOneFile(store, file, { pcn: options.pcn, receivedAt: options.receivedAt?.(file) });
      receipts.push(receipt);
      if (!options.json) for (const line of describeReceipt(file, receipt, options.errorsPerFile ?? 5)) out(line);
    } catch (error) {
      failed = true;
      if (error instanceof UnknownSenderError) out(`✖ ${basename(file)}: ${error.message}`);
      else out(`✖ ${basename(file)}: could not be ingested: ${(error as Error).message}`);
    } finally {
      bar.tick(basename(file));
    }
  }
  bar.stop();
  return reportReceipts(files.length, receipts, failed, started, options);
}

/** The closing summary of checked files (shared with `sp-outcomes pseudonymise`), and the exit code it gives. */
export function reportReceipts(
  files: number,
  receipts: Receipt[],
  failed: boolean,
  started: number,
  options: Pick<IngestFilesOptions, 'json' | 'out'>,
): { summary: IngestFilesSummary; exitCode: number } {
  const out = options.out ?? ((line: string) => console.log(line));
  const summary: IngestFilesSummary = {
    files,
    accepted: receipts.filter((r) => r.status === 'accepted').length,
    partiallyAccepted: receipts.filter((r) => r.status === 'partially_accepted').length,
    rejected: receipts.filter((r) => r.status === 'rejected').length,
    rowsAccepted: receipts.reduce((sum, r) => sum + r.rows.accepted, 0),
    rowsRejected: receipts.reduce((sum, r) => sum + r.rows.rejected, 0),
    seconds: (performance.now() - started) / 1000,
    receipts,
  };
  if (options.json) {
    out(
      JSON.stringify({
        ...summary,
        receipts: receipts.map((r) => ({
          upload_id: r.upload_id,
          status: r.status,
          rows: r.rows,
          file_error: r.file_error,
        })),
      }),
    );
  } else {
    const n = (x: number) => x.toLocaleString('en-GB');
    out(
      `${n(summary.files)} files: ${n(summary.accepted)} accepted, ${n(summary.partiallyAccepted)} with rejected rows, ${n(summary.rejected)} rejected; ` +
        `${n(summary.rowsAccepted)} rows accepted, ${n(summary.rowsRejected)} rejected in ${summary.seconds.toFixed(1)} s`,
    );
  }
  const exitCode = failed
    ? INGEST_EXIT.failed
    : summary.rejected > 0
      ? INGEST_EXIT.fileRejected
      : summary.partiallyAccepted > 0
        ? INGEST_EXIT.rowsRejected
        : INGEST_EXIT.allAccepted;
  return { summary, exitCode };
}
