/** Why a whole file was refused. Codes are stable: receipts, the CLI and the uploader all report them. */
export type FileErrorCode =
  | 'empty_file'
  | 'binary'
  | 'not_utf8'
  | 'corrupt_gzip'
  | 'gzip_bomb'
  | 'too_large'
  | 'too_many_rows'
  | 'line_too_long'
  | 'malformed_csv'
  | 'bad_header'
  | 'unknown_kind'
  | 'wrong_pcn'
  | 'identifiable_data'
  | 'invalid_key'
  | 'checksum_mismatch';

export interface FileError {
  readonly code: FileErrorCode;
  readonly message: string;
  readonly row?: number;
  readonly field?: string;
}

/** Thrown inside the ingest to stop reading a file; it becomes the receipt's file_error. Never carries a cell value. */
export class FileRejection extends Error {
  constructor(readonly detail: FileError) {
    super(detail.message);
    this.name = 'FileRejection';
  }
}

export function reject(code: FileErrorCode, message: string, where: { row?: number; field?: string } = {}): never {
  throw new FileRejection({ code, message, ...where });
}
