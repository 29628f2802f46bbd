import { crc32, createInflateRaw } from 'node:zlib';
import { reject } from './file-rejection.ts';

/**
 * Reading a gzip file member by member (RFC 1952, 2.2: "a gzip file consists of a series of members"), so that every
 * member's header is read, not only the first's (red-team review 19, R19-4: `cat a.csv.gz b.csv.gz` kept the second
 * file's name, an NHS number, unread in landing/). Node's gunzip inflates every member but hands back none of their
 * headers, so each member's deflate data goes through its own raw inflater here, and its trailer (CRC-32 and length)
 * is checked as gunzip would.
 */

/** What the reader has met so far: read while it runs (the guard reads the texts; the bomb check the bytes). */
export interface GzipProgress {
  /** Every member's header texts so far, in order (FEXTRA, FNAME, FCOMMENT). */
  readonly texts: string[];
  /** Members begun. */
  members: number;
  /** Compressed bytes the inflaters have consumed (headers and trailers included): the base of the bomb ratio. */
  inflatedFrom: number;
}

/**
 * At most this many members: each costs an inflater of its own, and 100 MB of empty members (20 bytes each) would be
 * five million. Tools that write many members keep them far fewer: bgzip's blocks hold up to 64 KB, 1,600 of them for
 * the 100 MB limit.
 */
export const MAX_GZIP_MEMBERS = 10_000;
/** A member header longer than this (a file name with no end) is refused: gzip itself writes a few hundred bytes. */
export const MAX_GZIP_HEADER_BYTES = 64 * 1024 + 1024;

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;
const RESERVED = 0xe0;
const EMPTY = Buffer.alloc(0);
const CORRUPT = 'the gzip stream is truncated or corrupt';

const latin1 = (bytes: Uint8Array, at: number, length: number) =>
  Buffer.from(bytes.buffer, bytes.byteOffset + at, Math.max(0, Math.min(length, bytes.length - at))).toString('latin1');

/**
 * A member header (RFC 1952, 2.3): its length once all of it is in `bytes` (undefined before), and the texts it may
 * carry: an extra field (FEXTRA, whose subfields are an application's own and may hold anything), the original file
 * name (FNAME, written by `gzip FILE` by default) and a comment (FCOMMENT), the last two ended by a zero byte, ISO
 * 8859-1. A header cut short gives what it holds so far, so that a truncated file's texts are still looked at.
 * Refuses what is not a gzip member header.
 */
export function gzipHeader(bytes: Uint8Array): { length: number | undefined; texts: string[] } {
  const texts: string[] = [];
  if ((bytes.length > 0 && bytes[0] !== 0x1f) || (bytes.length > 1 && bytes[1] !== 0x8b))
    reject('corrupt_gzip', CORRUPT);
  if ((bytes.length > 2 && bytes[2] !== 8) || (bytes.length > 3 && ((bytes[3] as number) & RESERVED) !== 0))
    reject('corrupt_gzip', CORRUPT);
  if (bytes.length < 10) return { length: undefined, texts };
  const flags = bytes[3] as number;
  let at = 10;
  let complete = true;
  if (flags & FEXTRA) {
    const length = (bytes[10] ?? 0) + 256 * (bytes[11] ?? 0);
    if (bytes.length > 12) texts.push(latin1(bytes, 12, length));
    at = 12 + length;
    if (bytes.length < at) complete = false;
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag) || !complete) continue;
    const end = bytes.indexOf(0, at);
    texts.push(latin1(bytes, at, (end === -1 ? bytes.length : end) - at));
    if (end === -1) complete = false;
    else at = end + 1;
  }
  if (flags & FHCRC) at += 2;
  return { length: complete && bytes.length >= at ? at : undefined, texts };
}

/**
 * The inflated bytes of a gzip file, every member's in order, each member's header texts added to `progress.texts`
 * before its data is inflated. As gunzip: zero bytes after the last member are padding; anything else after a member
 * that does not begin another is refused (corrupt_gzip), as is a member whose CRC-32 or length disagrees with its
 * trailer. Stops reading (and frees its inflater) when the reader stops.
 */
export async function* gunzipMembers(
  source: AsyncIterable<Uint8Array>,
  progress: GzipProgress,
): AsyncGenerator<Uint8Array> {
  const input = source[Symbol.asyncIterator]();
  let pending: Buffer = EMPTY;
  let sourceDone = false;
  /** One more chunk of the file onto `pending`; false at its end. */
  const pull = async (): Promise<boolean> => {
    if (sourceDone) return false;
    const next = await input.next();
    if (next.done) {
      sourceDone = true;
      return false;
    }
    const bytes = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.length);
    pending = pending.length === 0 ? bytes : Buffer.concat([pending, bytes]);
    return true;
  };
  try {
    for (;;) {
      let header = gzipHeader(pending);
      while (header.length === undefined) {
        if (pending.length > MAX_GZIP_HEADER_BYTES || !(await pull())) {
          progress.texts.push(...header.texts);
          reject('corrupt_gzip', CORRUPT);
        }
        header = gzipHeader(pending);
      }
      progress.members += 1;
      progress.texts.push(...header.texts);
      if (progress.members > MAX_GZIP_MEMBERS) {
        reject(
          'corrupt_gzip',
          `the file is more than ${MAX_GZIP_MEMBERS} gzip members one after another: decompress it and compress it again as one file`,
        );
      }
      progress.inflatedFrom += header.length;
      pending = pending.subarray(header.length);
      const inflated = yield* inflateMember(progress, {
        take: () => {
          const piece = pending;
          pending = EMPTY;
          return piece;
        },
        pull,
        giveBack: (rest) => {
          pending = rest;
        },
      });
      while (pending.length < 8) if (!(await pull())) reject('corrupt_gzip', CORRUPT);
      if (pending.readUInt32LE(0) !== inflated.crc || pending.readUInt32LE(4) !== inflated.size % 2 ** 32)
        reject('corrupt_gzip', CORRUPT);
      pending = pending.subarray(8);
      progress.inflatedFrom += 8;
      while (pending.length === 0) if (!(await pull())) return;
      if (pending[0] === 0x1f) continue;
      // Zero bytes to the end are padding (gunzip's rule); anything else is not gzip.
      do {
        for (const byte of pending) if (byte !== 0) reject('corrupt_gzip', CORRUPT);
        pending = EMPTY;
      } while (await pull());
      return;
    }
  } finally {
    await input.return?.();
  }
}

interface MemberInput {
  /** The bytes read and not yet used (emptied). */
  take(): Buffer;
  /** Reads another chunk (then in take()); false at the file's end. */
  pull(): Promise<boolean>;
  /** The bytes after the member's deflate data. */
  giveBack(rest: Buffer): void;
}

/**
 * One member's deflate data through a raw inflater: the pieces are written one at a time, each once the one before
 * is inflated, so that when the deflate stream ends inside a piece (the inflater consumes less than it was given) the
 * rest, the trailer and what follows, is known and handed back. Returns the CRC-32 and length of what it inflated.
 */
async function* inflateMember(
  progress: GzipProgress,
  input: MemberInput,
): AsyncGenerator<Uint8Array, { crc: number; size: number }> {
  const inflater = createInflateRaw();
  const base = progress.inflatedFrom;
  const feed = async () => {
    let fed = 0;
    for (;;) {
      let piece = input.take();
      while (piece.length === 0) {
        if (!(await input.pull())) {
          inflater.end();
          return;
        }
        piece = input.take();
      }
      fed += piece.length;
      await new Promise<void>((resolve, fail) => {
        inflater.write(piece, (error) => (error ? fail(error) : resolve()));
      });
      const left = fed - inflater.bytesWritten;
      if (left > 0) {
        input.giveBack(piece.subarray(piece.length - left));
        return;
      }
    }
  };
  const feeding = feed();
  // Awaited below once the inflater has ended; an inflater that fails is reported by its reader instead.
  feeding.catch(() => {});
  let crc = 0;
  let size = 0;
  try {
    for await (const chunk of inflater) {
      crc = crc32(chunk as Uint8Array, crc);
      size += (chunk as Uint8Array).length;
      progress.inflatedFrom = base + inflater.bytesWritten;
      yield chunk as Uint8Array;
    }
    await feeding;
  } finally {
    inflater.destroy();
  }
  progress.inflatedFrom = base + inflater.bytesWritten;
  return { crc, size };
}
