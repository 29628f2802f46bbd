import { createHash } from 'node:crypto';
import {
  CONTRACT_VERSION,
  CURATED_TABLES,
  EVENT_FIELD_NAMES,
  type EventRow,
  type Receipt,
  type ReceiptError,
  type UploadKind,
  WORKFORCE_FIELD_NAMES,
  type WorkforceRow,
} from '../contract/index.ts';
import { DEFAULT_LIMITS, type UploadLimits } from '../contract/upload.ts';
import {
  findIdentifier,
  IDENTIFIER_LABELS,
  type IdentifierKind,
  identifierAcrossCells,
  identifierHeld,
  personalColumnKind,
} from '../lib/identifiability-guard.ts';
import { quarantineKey, receiptKey, transferRecordKey, UPLOAD_ID_PATTERN } from '../lib/keys.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import { PartitionedColumns } from '../lib/parquet.ts';
import type { FieldsFastPath, FieldValues } from './fast-path.ts';
import { type FileError, type FileErrorCode, FileRejection, reject } from './file-rejection.ts';
import { type LandingKey, parseLandingKey } from './landing.ts';
import {
  type ByteStats,
  findIdentifierInRaw,
  findIdentifierInText,
  type RawRecord,
  readRecords,
} from './read-upload.ts';
import { ReceiptNotes } from './receipt-notes.ts';
import { SeenKeys } from './seen-keys.ts';
import {
  cellPassesItsField,
  fieldNamesOf,
  fieldsFastPathOf,
  fieldValuesValidator,
  KINDS,
  kindOfColumns,
  type RowError,
} from './validate-row.ts';

export interface IngestOptions {
  /** @default DEFAULT_LIMITS */
  readonly limits: UploadLimits;
  /** How many row errors a receipt lists (errors_total counts them all). @default 100 */
  readonly maxErrorsInReceipt: number;
  /**
   * Rejected rows kept in full in quarantine; past this, rows are only counted by reason (the receipt's
   * rejected_by_reason) and one closing line says how many were left out. @default 1000
   */
  readonly maxQuarantinedRows: number;
}

export const DEFAULT_INGEST_OPTIONS: IngestOptions = {
  limits: DEFAULT_LIMITS,
  maxErrorsInReceipt: 100,
  maxQuarantinedRows: 1000,
};

export interface IngestDeps {
  readonly store: ObjectStore;
  readonly clock?: () => Date;
}

export interface IngestRequest {
  /** landing/pcn=<PCN>/<upload-id>.<csv|jsonl>[.gz] */
  readonly key: string;
  /** When the upload landed; the tie-break between two versions of a row. @default now */
  readonly receivedAt?: Date;
}

export interface IngestResult {
  readonly receipt: Receipt;
  /** True when the upload had been ingested before and nothing was written this time. */
  readonly alreadyIngested: boolean;
}

/** Upload ids made by the upload API name the content's SHA-256 (landing.ts); the bytes that arrived must match. */
function contentMatchesId(uploadId: string, sha256: string): boolean {
  const announced = UPLOAD_ID_PATTERN.exec(uploadId)?.[2];
  return announced === undefined || sha256.startsWith(announced);
}

const KNOWN_COLUMNS: Record<UploadKind, ReadonlySet<string>> = {
  events: new Set(EVENT_FIELD_NAMES),
  workforce: new Set(WORKFORCE_FIELD_NAMES),
};
/** Every field name of either kind: the names a message or quarantine may repeat. */
const KNOWN_FIELDS: ReadonlySet<string> = new Set([...EVENT_FIELD_NAMES, ...WORKFORCE_FIELD_NAMES]);

/** How far a row's recorded_at may be after the upload arrived: a PCN system's clock a little fast (R19-10). */
const RECORDED_AT_ALLOWANCE_MS = 24 * 60 * 60 * 1000;

/** The London calendar date, which is what a PCN means by "today". */
const londonDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' });

/**
 * Ingests one landed upload: read, guard, validate, write accepted rows as Parquet, keep rejected rows with
 * their reasons, and write the receipt last. Idempotent: an upload that already has a receipt is not read again.
 */
export async function ingestUpload(
  deps: IngestDeps,
  request: IngestRequest,
  options: IngestOptions = DEFAULT_INGEST_OPTIONS,
): Promise<IngestResult> {
  const clock = deps.clock ?? (() => new Date());
  const started = performance.now();
  const landing = parseLandingKey(request.key);
  const previous = await standingReceipt(deps.store, landing);
  if (previous !== undefined) return { receipt: previous, alreadyIngested: true };
  const receivedAt = (request.receivedAt ?? clock()).toISOString();
  const state = new UploadState(
    landing.pcnCode,
    landing.uploadId,
    receivedAt,
    londonDate.format(clock()),
    options,
    landing.format,
  );
  const read = await readUpload(deps.store, landing, state, options);
  const readDone = performance.now();
  const outcome = outcomeOf(landing, read);
  const outputs = outcome.fileError === null ? await writeAccepted(deps.store, landing.uploadId, state) : NO_OUTPUTS;
  const timings = { started, readDone, writeDone: performance.now() };
  const common = receiptCommon(landing, state, read.stats, { receivedAt, processedAt: clock(), outputs, timings });
  const receipt =
    outcome.fileError === null
      ? acceptedReceipt(common, state, options)
      : rejectedReceipt(common, state, outcome.fileError);
  await commitReceipt(deps.store, landing, receipt, outcome);
  return { receipt, alreadyIngested: false };
}

/**
 * The receipt that already stands for this upload, if any; the landed object is then settled against it. A receipt
 * written for a failed transfer (by an earlier version) does not stand for the announced file.
 */
async function standingReceipt(store: ObjectStore, landing: LandingKey): Promise<Receipt | undefined> {
  const existing = await store.get(receiptKey(landing.uploadId));
  if (existing === undefined) return undefined;
  const previous = JSON.parse(new TextDecoder().decode(existing)) as Receipt;
  if (previous.file_error?.code === 'checksum_mismatch') return undefined;
  await settleLandedAgain(store, landing.key, previous);
  return previous;
}

/** What became of the file: its own rejection, none, or (bytes that are not the announced file) a failed transfer. */
interface Outcome {
  readonly fileError: FileError | null;
  readonly transferFailed: boolean;
  readonly sha256: string;
}

function outcomeOf(landing: LandingKey, read: { stats: ByteStats; fileError: FileError | null }): Outcome {
  const transferFailed = !contentMatchesId(landing.uploadId, read.stats.sha256);
  return { fileError: transferFailed ? TRANSFER_FAILED : read.fileError, transferFailed, sha256: read.stats.sha256 };
}

interface ReceiptMoments {
  readonly receivedAt: string;
  readonly processedAt: Date;
  readonly outputs: Receipt['outputs'];
  readonly timings: { readonly started: number; readonly readDone: number; readonly writeDone: number };
}

function receiptCommon(landing: LandingKey, state: UploadState, stats: ByteStats, at: ReceiptMoments): ReceiptCommon {
  const { started, readDone, writeDone } = at.timings;
  return {
    contract_version: CONTRACT_VERSION,
    upload_id: landing.uploadId,
    pcn_code: landing.pcnCode,
    kind: state.kind,
    source: {
      key: landing.key,
      format: landing.format,
      compressed: stats.compressed,
      bytes: stats.rawBytes,
      uncompressed_bytes: stats.uncompressedBytes,
      sha256: stats.sha256,
    },
    received_at: at.receivedAt,
    processed_at: at.processedAt.toISOString(),
    outputs: at.outputs,
    timings_ms: {
      read_validate: Math.round(readDone - started),
      write: Math.round(writeDone - readDone),
      total: Math.round(performance.now() - started),
    },
  };
}

/**
 * Writes the receipt: the commit of the upload. A failed transfer's record goes beside it instead, under its own
 * checksum, so the announced file can still come. Personal data must not be kept past the uploader: a file refused
 * for holding it is deleted once its receipt (size, checksum, reason; never a value) is written. The PCN still has its
 * own copy to fix and send again. Bytes that are not the announced file are not the PCN's upload at all, and go too.
 */
async function commitReceipt(store: ObjectStore, landing: LandingKey, receipt: Receipt, outcome: Outcome) {
  const key = outcome.transferFailed
    ? transferRecordKey(landing.uploadId, outcome.sha256)
    : receiptKey(landing.uploadId);
  await store.put(key, `${JSON.stringify(receipt, null, 2)}\n`, { contentType: 'application/json' });
  if (notKept(receipt) || outcome.transferFailed) await store.delete(landing.key);
}

/**
 * Refusals of a file the guard could not read to its end (review 13, R13-3): a zip or spreadsheet sent as CSV, bytes
 * after a gzip stream or a corrupt one, a file that expands past the limits. What is in them is unknown, so they are
 * not kept either: nothing can be corrected from the copy, and the PCN has its file.
 */
const UNREADABLE: ReadonlySet<string> = new Set<FileErrorCode>(['binary', 'corrupt_gzip', 'gzip_bomb', 'too_large']);

/** A refused file that must not stay in landing/: personal data found, or content the guard could not read. */
const notKept = (receipt: Receipt) => {
  const code = receipt.file_error?.code;
  return code === 'identifiable_data' || (code !== undefined && UNREADABLE.has(code));
};

const TRANSFER_FAILED: FileError = {
  code: 'checksum_mismatch',
  message:
    'the file is not the one announced: its SHA-256 differs from the one given when the upload was requested; it has been deleted, send the file again',
};

/**
 * Reads the landed file through the state. A file refused before every row was read is looked at to its end too,
 * so that no identifier stays behind unexamined; the receipt still gives the whole raw file's size and checksum.
 */
async function readUpload(
  store: ObjectStore,
  landing: LandingKey,
  state: UploadState,
  options: IngestOptions,
): Promise<{ stats: ByteStats; fileError: FileError | null }> {
  const body = await store.getStream(landing.key);
  if (body === undefined) throw new Error(`landing object not found: ${landing.key}`);
  const stats: ByteStats = { rawBytes: 0, uncompressedBytes: 0, compressed: false, sha256: '' };
  const readOptions = {
    format: landing.format,
    limits: options.limits,
    onHeader: (names: readonly string[]) => state.checkHeader(names),
  };
  try {
    await readRecords(body, readOptions, stats, (record) => state.take(record));
    return { stats, fileError: inGzipHeader(stats) ?? null };
  } catch (error) {
    if (!(error instanceof FileRejection)) throw error;
    body.destroy();
    const header = inGzipHeader(stats);
    Object.assign(stats, await measureRaw(store, landing.key));
    // Whatever else was wrong with the file (R14-1: a refused file kept the name in its header).
    if (header !== undefined && error.detail.code !== 'identifiable_data') return { stats, fileError: header };
    // An uncompressed file is its own uncompressed size; how far the reader had got depends on chunk sizes.
    if (!stats.compressed) stats.uncompressedBytes = stats.rawBytes;
    if (error.detail.code === 'identifiable_data') {
      const message = `${error.detail.message}; the file has been deleted, send it again without it`;
      return { stats, fileError: { ...error.detail, message } };
    }
    if (!contentMatchesId(landing.uploadId, stats.sha256)) return { stats, fileError: error.detail };
    const raw = await store.getStream(landing.key);
    // What the read found, told as the cell reader tells it (sec33: an old date alone as such, by the piece read).
    let held = '';
    const findHeld = (text: string): IdentifierKind | undefined => {
      const kind = findIdentifier(text);
      if (kind !== undefined) held = identifierHeld(kind, text);
      return kind;
    };
    const read = raw ? await findIdentifierInRaw(raw, options.limits, findHeld) : undefined;
    // The read-through stopped short (a corrupt stretch of gzip, or the limits): the rest cannot be examined, so the
    // file is not kept, under the code of why (review 22, R22-2); the first refusal's reason is kept in the message.
    if (read !== undefined && 'unread' in read && !UNREADABLE.has(error.detail.code)) {
      const why =
        read.unread === 'corrupt_gzip' ? 'the gzip data after it is corrupt' : 'the file is larger than the limits';
      const message = `${error.detail.message}; ${why}, so it could not be read through for personal data and has not been kept: send it again as CSV`;
      return { stats, fileError: { code: read.unread, message } };
    }
    const found = read !== undefined && 'unread' in read ? undefined : read;
    if (found === undefined && UNREADABLE.has(error.detail.code)) {
      const again = error.detail.code === 'too_large' ? 'split it and send the parts' : 'send it again as CSV';
      const message = `${error.detail.message}; it could not be read through for personal data, so it has not been kept: ${again}`;
      return { stats, fileError: { ...error.detail, message } };
    }
    if (found === undefined) return { stats, fileError: error.detail };
    // A later gzip member's header, reached only by this read (R19-4).
    if (found.gzipHeader) return { stats, fileError: gzipHeaderRefusal(found.kind) };
    const message = `line ${found.line} holds ${held}; the file has been deleted, send it again without it`;
    return { stats, fileError: { code: 'identifiable_data', row: found.line, message } };
  }
}

/** An identifier in a gzip header's texts (the file name `gzip` keeps, a comment, an extra field): the refusal. */
function inGzipHeader(stats: ByteStats): FileError | undefined {
  const found = (stats.gzipTexts ?? []).map((text) => findIdentifierInText(text, findIdentifier)).find(Boolean);
  return found === undefined ? undefined : gzipHeaderRefusal(found);
}

function gzipHeaderRefusal(kind: string): FileError {
  const message = `the gzip header (the file name gzip keeps) holds what looks like ${IDENTIFIER_LABELS[kind as IdentifierKind]}; the file has been deleted, compress it again from a file without it in its name, or with gzip -n`;
  return { code: 'identifiable_data', message };
}

const NO_OUTPUTS: Receipt['outputs'] = { curated: [], quarantine: null };

/** Accepted rows as one Parquet object per partition, then the rejected rows in quarantine. */
async function writeAccepted(store: ObjectStore, uploadId: string, state: UploadState): Promise<Receipt['outputs']> {
  const curated: string[] = [];
  const columns = state.columns;
  if (columns !== undefined) {
    const { table } = columns;
    for (const partition of columns.counts().keys()) {
      const key = `${table.prefix}/${table.partition.name}=${partition}/${uploadId}.parquet`;
      await store.put(key, columns.toParquet(partition), { contentType: 'application/vnd.apache.parquet' });
      curated.push(key);
    }
  }
  if (state.quarantined.length === 0) return { curated, quarantine: null };
  const quarantine = quarantineKey(uploadId);
  const omitted = state.rejected - state.quarantined.length;
  const closing =
    omitted > 0 ? `${JSON.stringify({ omitted_rows: omitted, rejected_by_reason: state.rejectedByReason })}\n` : '';
  await store.put(quarantine, `${state.quarantined.join('\n')}\n${closing}`, { contentType: 'application/x-ndjson' });
  return { curated, quarantine };
}

/** What every receipt carries, whatever became of the file. */
type ReceiptCommon = Omit<
  Receipt,
  'status' | 'rows' | 'rejected_by_reason' | 'file_error' | 'errors' | 'errors_total' | 'partitions'
>;

/** The file was read to its end: its rows were accepted, or rejected one by one with their reasons. */
function acceptedReceipt(common: ReceiptCommon, state: UploadState, options: IngestOptions): Receipt {
  const accepted = state.accepted();
  return {
    ...common,
    status: accepted === 0 ? 'rejected' : state.rejected > 0 ? 'partially_accepted' : 'accepted',
    rows: { read: state.read, accepted, rejected: state.rejected },
    rejected_by_reason: state.rejectedByReason,
    file_error: null,
    errors: state.errors.slice(0, options.maxErrorsInReceipt),
    errors_total: state.errorsTotal,
    partitions: state.columns ? Object.fromEntries(state.columns.counts()) : {},
    ...notesOf(state.notes),
  };
}

/** A receipt's notes (receipt-notes.ts): the field only where there is a note, so other receipts are as before. */
function notesOf(gathered: ReceiptNotes): Pick<Receipt, 'notes'> {
  const notes = gathered.notes();
  return notes === undefined ? {} : { notes };
}

/** The whole file was refused: every row it had read counts as rejected for the file's reason, and none is kept. */
function rejectedReceipt(common: ReceiptCommon, state: UploadState, fileError: FileError): Receipt {
  return {
    ...common,
    status: 'rejected',
    rows: { read: state.read, accepted: 0, rejected: state.read },
    rejected_by_reason: state.read > 0 ? { [fileError.code]: state.read } : {},
    file_error: {
      row: fileError.row ?? 0,
      field: fileError.field ?? null,
      code: fileError.code,
      message: fileError.message,
    },
    errors: [],
    errors_total: 1,
    partitions: {},
  };
}

/**
 * A new version landed under a key that already has its receipt (a replayed form, a redelivered notification): the
 * receipt stands, and the object must be the file it describes. Bytes that differ from it are not that upload and
 * are deleted; the same bytes as a file refused for holding personal data are deleted again.
 */
async function settleLandedAgain(store: ObjectStore, key: string, receipt: Receipt): Promise<void> {
  if (!(await store.list(key)).includes(key)) return;
  const { sha256 } = await measureRaw(store, key);
  if (sha256 !== receipt.source.sha256 || notKept(receipt)) await store.delete(key);
}

async function measureRaw(store: ObjectStore, key: string): Promise<{ rawBytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let rawBytes = 0;
  for await (const chunk of (await store.getStream(key)) ?? []) {
    hash.update(chunk as Uint8Array);
    rawBytes += (chunk as Uint8Array).length;
  }
  return { rawBytes, sha256: hash.digest('hex') };
}

/** What is known once the file's kind is: the kind, where its accepted rows go and how its rows are validated. */
interface KindState {
  readonly kind: UploadKind;
  readonly columns: PartitionedColumns;
  readonly validate: ReturnType<typeof fieldValuesValidator>;
  /** The accepted row's values by field position, reused row after row. */
  readonly values: FieldValues;
  /** Column of each field position (PartitionedColumns.slotsOf). */
  readonly slots: Int32Array;
  /** Positions of the fields the ingest itself reads. */
  readonly at: {
    readonly pcnCode: number;
    readonly month: number;
    readonly key: readonly number[];
    /** recorded_at's position, -1 where the kind has none. */
    readonly recordedAt: number;
    /** window_months' position (receipt notes), -1 where the kind has none. */
    readonly windowMonths: number;
  };
  /** The fast path on a CSV row's texts by field position (fieldsFastPathOf). */
  readonly fieldsFast: FieldsFastPath | undefined;
  /** Set once a CSV header has passed: its column names, the field of each, and the row's texts by field, reused. */
  csv?: {
    readonly header: readonly string[];
    readonly fieldOf: Int32Array;
    readonly byField: unknown[];
    /**
     * Each column's text in the row before, which passed the guard (a text that did not would have refused the file):
     * the same text again (the PCN's code, a referral's person and practice on its next event) is not looked at again.
     */
    readonly passed: string[];
    /**
     * Per column, how many of its texts were compared with the row before's, and how many of them were the same; -1
     * once the column has been judged not to repeat (guardTexts).
     */
    readonly compared: Int32Array;
    readonly repeated: Int32Array;
  };
}

/**
 * Texts of a column compared with the row before's before judging whether the column repeats: one that found the same
 * text in fewer than one in REPEATS_WORTH_COMPARING (an event's id, its recording time) is not compared any more, its
 * texts looked at directly. A comparison costs about what it spares when it finds the same text: for two 20-character
 * texts cut from the file (V8 slices), about 150 ns in V8's runtime, against the guard's look at a new text of a few
 * hundred.
 */
const COMPARED_BEFORE_JUDGING = 4096;
const REPEATS_WORTH_COMPARING = 8;

/** A kind's validators, compiled once per process: what each upload of that kind validates with. */
interface CompiledKind {
  readonly fieldNames: readonly string[];
  readonly validate: ReturnType<typeof fieldValuesValidator>;
  readonly fieldsFast: FieldsFastPath | undefined;
}

const COMPILED = new Map<UploadKind, CompiledKind>();

/**
 * The kind's validators, compiled on first use and then shared by every upload this process ingests (a Lambda
 * instance's invocations, the local pipeline's thousands of files): compiling them, and the fast path learning again
 * which texts it has accepted, was a fixed cost of every file. They keep no state of an upload: what the fast path
 * remembers is a function of the text alone (fast-path.ts), bounded per field.
 */
function compiledKind(kind: UploadKind): CompiledKind {
  let compiled = COMPILED.get(kind);
  if (compiled === undefined) {
    const spec = KINDS[kind] as Parameters<typeof fieldValuesValidator<EventRow | WorkforceRow>>[0];
    compiled = {
      fieldNames: fieldNamesOf(spec),
      validate: fieldValuesValidator(spec),
      fieldsFast: fieldsFastPathOf(spec),
    };
    COMPILED.set(kind, compiled);
  }
  return compiled;
}

/** What one upload has read so far: its kind, accepted columns, quarantined rows and errors. */
class UploadState {
  private current: KindState | undefined;
  read = 0;
  rejected = 0;
  readonly rejectedByReason: Record<string, number> = {};
  /** The first errors (as many as a receipt lists); errorsTotal counts them all. */
  readonly errors: ReceiptError[] = [];
  errorsTotal = 0;
  /** The first rejected rows in full (options.maxQuarantinedRows); the rest are counted by reason only. */
  readonly quarantined: string[] = [];
  /** Notes on accepted rows (receipt-notes.ts). */
  readonly notes = new ReceiptNotes();
  private readonly seenKeys = new SeenKeys();
  /** The date (or month) of the row before that was accepted, and its partition. */
  private lastDay = '';
  private lastMonth = '';
  private readonly checkedColumns = new Set<string>();
  private headerChecked = false;
  /** The latest recorded_at accepted (ms): the upload's arrival and a day (recordedAfterUpload). */
  private readonly latestRecordedAt: number;
  /** The date (YYYY-MM-DD) two days before latestRecordedAt: a recorded_at dated before it is never too late. */
  private readonly recordedFrom: string;

  constructor(
    private readonly pcnCode: string,
    private readonly uploadId: string,
    private readonly receivedAt: string,
    private readonly today: string,
    private readonly options: Pick<IngestOptions, 'maxErrorsInReceipt' | 'maxQuarantinedRows'>,
    private readonly format: 'csv' | 'jsonl',
  ) {
    this.latestRecordedAt = Date.parse(receivedAt) + RECORDED_AT_ALLOWANCE_MS;
    this.recordedFrom = new Date(this.latestRecordedAt - 2 * RECORDED_AT_ALLOWANCE_MS).toISOString().slice(0, 10);
  }

  get kind(): UploadKind | null {
    return this.current?.kind ?? null;
  }

  get columns(): PartitionedColumns | undefined {
    return this.current?.columns;
  }

  accepted(): number {
    return this.read - this.rejected;
  }

  /** The CSV header: personal columns, duplicates, kind, unknown and missing columns. */
  checkHeader(names: readonly string[]): void {
    this.checkColumnNames(names, 1);
    // Names that are not the contract's are described by position: a file without a header has data in its first
    // line, and a cell's text is never repeated.
    const seen = new Map<string, number>();
    names.forEach((name, i) => {
      const first = seen.get(name);
      if (first !== undefined)
        reject(
          'bad_header',
          `columns ${first + 1} and ${i + 1} of the header have the same name`,
          KNOWN_FIELDS.has(name) ? { row: 1, field: name } : { row: 1 },
        );
      seen.set(name, i);
    });
    const current = this.setKind(names, 1);
    const { kind } = current;
    const unknown = names.flatMap((name, i) => (KNOWN_COLUMNS[kind].has(name) ? [] : [i + 1]));
    if (unknown.length > 0) {
      reject(
        'bad_header',
        `column${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 5).join(', ')} of the header ${
          unknown.length > 1 ? 'are not fields' : 'is not a field'
        } of the contract for ${kind} files (a first line without the contract's column names?)`,
        { row: 1 },
      );
    }
    const missing = KINDS[kind].requiredColumns.filter((name) => !seen.has(name));
    if (missing.length > 0) {
      reject('bad_header', `the header lacks required column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, {
        row: 1,
        field: missing[0] as string,
      });
    }
    const fieldNames = fieldNamesOf(KINDS[kind] as Parameters<typeof fieldNamesOf>[0]);
    current.csv = {
      header: names,
      fieldOf: Int32Array.from(names, (name) => fieldNames.indexOf(name)),
      byField: fieldNames.map(() => undefined),
      passed: names.map(() => ''),
      compared: new Int32Array(names.length),
      repeated: new Int32Array(names.length),
    };
    this.headerChecked = true;
  }

  /**
   * Column names (a CSV header's cells, a JSON line's keys) pass the guard before any is repeated in a message: one
   * that holds an identifier itself is described by its position only.
   */
  private checkColumnNames(names: Iterable<string>, row: number): void {
    let position = 0;
    for (const name of names) {
      position += 1;
      if (this.checkedColumns.has(name)) continue;
      const found = findIdentifier(name);
      if (found) {
        const where = this.headerless ? `line ${row} has a field name` : `column ${position} of the header`;
        reject('identifiable_data', `${where} that holds ${identifierHeld(found, name)}`, { row });
      }
      this.checkedColumns.add(name);
      const personal = personalColumnKind(name);
      if (personal) {
        // Named by its position, not its text: the name is read for words inside it (R30-7), so a header cell that
        // holds a person's name beside the word (`Name Jane Doe`) would otherwise be echoed.
        const where = this.headerless ? `field ${position} of line ${row}` : `column ${position} of the header`;
        reject('identifiable_data', `${where} would hold ${IDENTIFIER_LABELS[personal]}: remove it before upload`, {
          row,
        });
      }
    }
  }

  private setKind(names: Iterable<string>, row: number): KindState {
    const kind = kindOfColumns(names);
    if (kind === undefined)
      reject(
        'unknown_kind',
        'neither an events file (no event_type column) nor a workforce file (no snapshot_month column)',
        { row },
      );
    const lineage = { upload_id: this.uploadId, received_at: this.receivedAt };
    const { fieldNames, validate, fieldsFast } = compiledKind(kind);
    const columns = new PartitionedColumns(CURATED_TABLES[kind], lineage);
    const position = (name: string) => fieldNames.indexOf(name);
    this.current = {
      kind,
      columns,
      validate,
      fieldsFast,
      values: fieldNames.map(() => undefined),
      slots: columns.slotsOf(fieldNames),
      at: {
        pcnCode: position('pcn_code'),
        month: position(kind === 'events' ? 'occurred_on' : 'snapshot_month'),
        key: (kind === 'events' ? ['event_id'] : ['snapshot_month', 'role']).map(position),
        recordedAt: position('recorded_at'),
        windowMonths: position('window_months'),
      },
    };
    return this.current;
  }

  /** JSON Lines: no header, so every line's keys are checked (names already seen are skipped cheaply). */
  private get headerless(): boolean {
    return this.format === 'jsonl';
  }

  take(record: RawRecord): void {
    const { row, unreadable, texts } = record;
    this.read += 1;
    const csv = this.current?.csv;
    // The row's own array of texts (read-upload's CsvRecord): guardTexts may put the row before's objects in it.
    if (texts !== undefined && csv !== undefined)
      this.guardTexts(texts as string[], csv, row, this.current?.fieldsFast);
    else this.guardCells(record, row);
    // A row that could not be read into cells is still looked at: every cell beyond the header, a broken JSON line.
    record.raw?.forEach((text, i) => {
      const found = findIdentifier(text);
      if (!found) return;
      const where = this.headerless ? `line ${row}` : `row ${row}, column ${i + 1}`;
      reject('identifiable_data', `${where} holds ${identifierHeld(found, text)}`, { row });
    });
    // A CSV row wider than its header: a number in thousands format written unquoted is cut into cells (sec30's note).
    const width = csv?.header.length;
    if (record.raw !== undefined && width !== undefined && record.raw.length > width) {
      const across = identifierAcrossCells(record.raw);
      if (across) {
        const where = `row ${row}, columns ${across.first + 1} to ${across.last + 1}`;
        reject('identifiable_data', `${where} hold what looks like ${IDENTIFIER_LABELS[across.kind]}`, { row });
      }
    }
    if (unreadable) {
      this.quarantine(row, record.cells, [{ row, field: null, code: unreadable.code, message: unreadable.message }]);
      return;
    }
    // Set by the header, or by the first readable JSON line above.
    const current = this.current ?? this.setKind(Object.keys(record.cells), row);
    if (!this.validated(current, record, row)) return;
    const { values, at } = current;
    if (values[at.pcnCode] !== this.pcnCode) {
      reject(
        'wrong_pcn',
        `row ${row} carries another PCN's code: every row must carry the uploading PCN's code ${this.pcnCode}`,
        { row, field: 'pcn_code' },
      );
    }
    const problem = this.crossRowProblem(current, row);
    if (problem) {
      this.quarantine(row, record.cells, [problem]);
      return;
    }
    const day = values[at.month] as string;
    // Rows of one month come together: its text is cut from the date once, and the same text found the same partition.
    if (day !== this.lastDay) {
      this.lastDay = day;
      this.lastMonth = day.slice(0, 7);
    }
    if (at.windowMonths >= 0) this.notes.windowMonths(values[at.windowMonths], row);
    current.columns.add(this.lastMonth, values, current.slots, row);
  }

  /** The guard on every cell of a row (a JSON line's keys are checked first, until the kind is known). */
  private guardCells(record: RawRecord, row: number): void {
    const cells = record.cells;
    if (!this.headerChecked && !record.unreadable) {
      const keys = Object.keys(cells);
      this.checkColumnNames(keys, row);
      if (this.current === undefined) this.setKind(keys, row);
    }
    for (const column in cells) {
      const found = identifierIn(cells[column]);
      if (found) {
        // A field the contract lacks is named by its position: its name might be anyone's (R19-7).
        if (!KNOWN_FIELDS.has(column)) {
          const position = Object.keys(cells).indexOf(column) + 1;
          reject(
            'identifiable_data',
            `row ${row}, field ${position} of the row holds ${identifierHeld(found, cells[column])}`,
            {
              row,
            },
          );
        }
        reject('identifiable_data', `row ${row}, column ${column} holds ${identifierHeld(found, cells[column])}`, {
          row,
          field: column,
        });
      }
    }
  }

  /**
   * guardCells on a CSV row's texts, in the header's order (the order its cells would have), empty ones skipped. A text
   * equal to the row before's in its column is replaced by that text's object: the fast path and the Parquet writer
   * compare each value with the row before's too, and two objects that are one are matched without reading them (a
   * pseudonym of 64 characters is a slice of the parser's chunk, which V8 compares in its runtime, not in place). A
   * column whose texts hardly repeat is not compared once judged so (COMPARED_BEFORE_JUDGING): each of its texts is
   * looked at, as a new text always is, so the verdict is the same. A text the fast path remembers accepting in the
   * column's field (fast-path.ts, FieldsFastPath.remembers) is not looked at again either: it was handed to the fast
   * path only after its row passed this guard, and the guard's verdict is a function of the text alone (issue 17: a
   * date, a code or an event type met again a few rows on; its look-up's hash is then the fast path's too). Each text
   * (undefined for an empty cell) is put in csv.byField at its field's position as it goes, for the fast path
   * (validated): one loop over the row's cells instead of two.
   */
  private guardTexts(
    texts: string[],
    csv: NonNullable<KindState['csv']>,
    row: number,
    fast: FieldsFastPath | undefined,
  ): void {
    const { header, passed, compared, repeated, fieldOf, byField } = csv;
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i] as string;
      const field = fieldOf[i] as number;
      if (text === '') {
        byField[field] = undefined;
        continue;
      }
      const times = compared[i] as number;
      if (times >= 0) {
        compared[i] = times + 1;
        if (text === passed[i]) {
          texts[i] = passed[i] as string;
          byField[field] = passed[i];
          repeated[i] = (repeated[i] as number) + 1;
          continue;
        }
        if (times + 1 >= COMPARED_BEFORE_JUDGING && (repeated[i] as number) * REPEATS_WORTH_COMPARING < times + 1) {
          compared[i] = -1;
        }
      }
      const found = fast?.remembers(field, text) ? undefined : findIdentifier(text);
      if (found) {
        const column = (header[i] as string).slice(0, 64);
        reject('identifiable_data', `row ${row}, column ${column} holds ${identifierHeld(found, text)}`, {
          row,
          field: column,
        });
      }
      // A column no longer compared holds no text of the row before (a cell would keep its chunk of the file).
      passed[i] = (compared[i] as number) >= 0 ? text : '';
      byField[field] = text;
    }
  }

  /**
   * Leaves the row's values in current.values when the contract accepts it; quarantines it with its errors if not. A
   * CSV row goes through the fast path on its texts first; its cells are built only when that does not accept it.
   */
  private validated(current: KindState, record: RawRecord, row: number): boolean {
    const { texts } = record;
    const { csv, fieldsFast } = current;
    // guardTexts has put the row's texts in csv.byField by field position, undefined for an empty cell (take() calls
    // it on every CSV row first, in the same loop as the guard's).
    if (texts !== undefined && csv !== undefined && fieldsFast !== undefined) {
      if (fieldsFast(csv.byField, current.values)) return true;
    }
    const cells = record.cells;
    const errors = current.validate(cells, row, current.values);
    if (errors === undefined) return true;
    this.quarantine(row, cells, errors);
    return false;
  }

  /** Rules that span rows or need the clock: dates in the future, the same event or snapshot twice in one file. */
  private crossRowProblem(current: KindState, row: number): RowError | undefined {
    const { kind, values, at } = current;
    const month = values[at.month] as string;
    if (kind === 'events' && month > this.today) {
      return { row, field: 'occurred_on', code: 'future_date', message: 'must not be in the future' };
    }
    if (kind === 'workforce' && month > this.today.slice(0, 7)) {
      return { row, field: 'snapshot_month', code: 'future_date', message: 'must not be in the future' };
    }
    if (at.recordedAt >= 0 && this.recordedAfterUpload(values[at.recordedAt])) {
      return {
        row,
        field: 'recorded_at',
        code: 'future_date',
        message: 'must not be more than a day after the upload was received',
      };
    }
    const key =
      kind === 'events'
        ? (values[at.key[0] as number] as string)
        : `${values[at.key[0] as number]}|${values[at.key[1] as number]}`;
    const first = this.seenKeys.firstOrAdd(key, row);
    if (first !== undefined) {
      return kind === 'events'
        ? {
            row,
            field: 'event_id',
            code: 'duplicate_event_id',
            message: `appears more than once in this file (first at row ${first})`,
          }
        : {
            row,
            field: 'role',
            code: 'duplicate_row',
            message: `this month and role appear more than once in this file (first at row ${first})`,
          };
    }
    return undefined;
  }

  /**
   * A recorded_at later than the upload's arrival and a day's allowance for clocks (R19-10): a version stamped in the
   * future (9999-12-31) would out-rank every later correction and retraction of its event. A stamp's date alone rules
   * out most rows without parsing it: one dated before recordedFrom is at most two days (its date's end and the widest
   * offset) after that day's start, so before the limit.
   */
  private recordedAfterUpload(stamp: unknown): boolean {
    if (typeof stamp !== 'string' || stamp < this.recordedFrom) return false;
    return Date.parse(stamp) > this.latestRecordedAt;
  }

  private quarantine(row: number, cells: Record<string, unknown>, errors: ReceiptError[]): void {
    this.rejected += 1;
    const reason = errors[0]?.code ?? 'invalid';
    this.rejectedByReason[reason] = (this.rejectedByReason[reason] ?? 0) + 1;
    this.errorsTotal += errors.length;
    for (const error of errors) {
      if (this.errors.length >= this.options.maxErrorsInReceipt) break;
      this.errors.push(error);
    }
    if (this.quarantined.length < this.options.maxQuarantinedRows)
      this.quarantined.push(JSON.stringify({ row, errors, cells: scalarCells(cells, refusedFields(cells, errors)) }));
  }
}

/** The kind of identifier in a cell's value, looking inside arrays and objects (keys and values) too. */
function identifierIn(value: unknown, depth = 0): IdentifierKind | undefined {
  if (typeof value === 'string') return findIdentifier(value);
  if (typeof value === 'number' || typeof value === 'bigint') return findIdentifier(String(value));
  if (value === null || typeof value !== 'object' || depth > 32) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const found = (Array.isArray(value) ? undefined : findIdentifier(key)) ?? identifierIn(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * The fields of a rejected row whose values quarantine describes instead of keeping: each field an error names (a
 * value refused for its format, type or code is free text as far as the contract knows: a name or an address mapped
 * into a coded column by a wrong export reads as any other refused text, and the guard finds neither: red-team review
 * 11, R11-4), and every field of a row that could not be read into its columns (its cells may be anyone's).
 */
function refusedFields(cells: Record<string, unknown>, errors: readonly ReceiptError[]): ReadonlySet<string> {
  if (errors.some((e) => MISALIGNED.has(e.code))) return new Set(Object.keys(cells));
  return new Set(errors.flatMap((e) => (e.field === null ? [] : [e.field])));
}

/** Errors after which a row's cells are not the contract's fields as sent (a broken line, a CSV row of the wrong width). */
const MISALIGNED: ReadonlySet<string> = new Set(['column_count', 'invalid_json', 'invalid']);

/**
 * A refused value described by its shape, never its text (so the PCN can find it in its own file by row and field):
 * its length and the kinds of character in it.
 */
export function describeRefused(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'bigint') return '(refused: a number, withheld)';
  if (typeof value === 'boolean') return '(refused: true or false, withheld)';
  if (typeof value !== 'string') return Array.isArray(value) ? '(a JSON array)' : '(a JSON object)';
  if (value === '') return '(refused: empty)';
  const kinds = [
    [/\p{L}/u, 'letters'],
    [/\p{N}/u, 'digits'],
    [/\s/u, 'spaces'],
    [/[^\p{L}\p{N}\s]/u, 'other characters'],
  ] as const;
  const found = kinds.filter(([pattern]) => pattern.test(value)).map(([, name]) => name);
  const length = [...value].length;
  return `(refused: ${length} character${length === 1 ? '' : 's'}, ${found.join(', ')}; withheld)`;
}

/**
 * Quarantine keeps what the contract could hold and the row passed: nested JSON is described, not copied; a field the
 * contract does not have is counted, its name and value withheld (either might be anything, a person's name
 * included); a value refused (refusedFields), or one its own field's format does not accept on its own (a row whose
 * event_type is refused was checked no further: R19-1), is described by its shape (describeRefused).
 */
function scalarCells(cells: Record<string, unknown>, refused: ReadonlySet<string>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  let unknown = 0;
  for (const [column, value] of Object.entries(cells)) {
    if (!KNOWN_FIELDS.has(column)) {
      unknown += 1;
      continue;
    }
    kept[column] =
      value !== null && typeof value === 'object'
        ? Array.isArray(value)
          ? '(a JSON array)'
          : '(a JSON object)'
        : refused.has(column) || !cellPassesItsField(column, value)
          ? describeRefused(value)
          : value;
  }
  if (unknown > 0) kept['(fields not in the contract, withheld)'] = unknown;
  return kept;
}
