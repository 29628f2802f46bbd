import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FileRejection } from '../../functions/ingest/file-rejection.ts';
import { type GzipProgress, gunzipMembers, gzipHeader, MAX_GZIP_MEMBERS } from '../../functions/ingest/gzip-members.ts';

/** A gzip member with its file name in the header (FNAME, flag 8), as `gzip FILE` writes it (RFC 1952, 2.3). */
const named = (text: string, name: string) => {
  const plain = gzipSync(text);
  const header = Buffer.from(plain.subarray(0, 10));
  header[3] = 8;
  return Buffer.concat([header, Buffer.from(`${name}\0`, 'latin1'), plain.subarray(10)]);
};

/** The file in pieces of `size` bytes; with `empty`, an empty piece before each (a stream may hand one over). */
async function* pieces(bytes: Buffer, size: number, empty = false) {
  for (let at = 0; at < bytes.length; at += size) {
    if (empty) yield Buffer.alloc(0);
    yield bytes.subarray(at, at + size);
  }
}

async function read(bytes: Buffer, size = 65_536, empty = false) {
  const progress: GzipProgress = { texts: [], members: 0, inflatedFrom: 0 };
  const out: Buffer[] = [];
  for await (const chunk of gunzipMembers(pieces(bytes, size, empty), progress)) out.push(Buffer.from(chunk));
  return { text: Buffer.concat(out).toString('latin1'), progress };
}

async function refusal(bytes: Buffer, size = 65_536) {
  const progress: GzipProgress = { texts: [], members: 0, inflatedFrom: 0 };
  try {
    for await (const _ of gunzipMembers(pieces(bytes, size), progress)) {
      // read through
    }
  } catch (error) {
    if (error instanceof FileRejection) return { detail: error.detail, progress };
    return { detail: { code: 'zlib', message: (error as Error).message }, progress };
  }
  return { detail: undefined, progress };
}

describe('gunzipMembers: every member of a gzip file, with every member header read (R19-4)', () => {
  // Four members (one with no data, one of 200,000 bytes) and five zero bytes of padding after them.
  const members = [
    named('a,b\n1,2\n', 'first.csv'),
    named('', 'empty.csv'),
    gzipSync(Buffer.alloc(200_000, 'x')),
    named('tail\n', 'patient 943 476 5919.csv'),
  ];
  const file = Buffer.concat([...members, Buffer.alloc(5)]);

  it.each([1, 2, 7, 19, 64, 4096, 1 << 20])(
    'read in pieces of %i bytes: the same bytes as gunzip, and every header text in order',
    async (size) => {
      const { text, progress } = await read(file, size);
      expect(text).toBe(gunzipSync(file).toString('latin1'));
      expect(text.length).toBe(8 + 0 + 200_000 + 5);
      expect(progress.texts).toEqual(['first.csv', 'empty.csv', 'patient 943 476 5919.csv']);
      expect(progress.members).toBe(4);
      // Every byte but the padding went through an inflater: headers, deflate data and trailers.
      expect(progress.inflatedFrom).toBe(file.length - 5);
    },
  );

  it('empty pieces between the others change nothing', async () => {
    for (const size of [1, 7, 4096]) {
      const { text, progress } = await read(file, size, true);
      expect(text).toBe(gunzipSync(file).toString('latin1'));
      expect(progress.texts).toEqual(['first.csv', 'empty.csv', 'patient 943 476 5919.csv']);
    }
  });

  it('a member whose CRC-32 or length disagrees with its trailer, a truncated one, or bytes after the last: refused as corrupt_gzip', async () => {
    const badCrc = Buffer.from(gzipSync('a,b\n1,2\n'));
    badCrc[badCrc.length - 8] = (badCrc[badCrc.length - 8] as number) ^ 1;
    const badSize = Buffer.from(gzipSync('a,b\n1,2\n'));
    badSize[badSize.length - 4] = (badSize[badSize.length - 4] as number) + 1;
    const good = gzipSync('a,b\n1,2\n');
    for (const bytes of [
      badCrc,
      badSize,
      Buffer.concat([good, badCrc]),
      good.subarray(0, good.length - 3),
      good.subarray(0, good.length - 8),
      named('x', 'name with no end').subarray(0, 20),
      Buffer.concat([good, Buffer.from('943 476 5919\n')]),
      Buffer.concat([good, Buffer.alloc(3), good]),
      Buffer.concat([good, Buffer.from([0x1f])]),
    ]) {
      for (const size of [1, 5, 65_536]) {
        const { detail } = await refusal(bytes, size);
        expect(detail?.code, `${bytes.toString('hex')} in ${size}`).toMatch(/^(corrupt_gzip|zlib)$/);
      }
    }
    // A truncated header's text is still read: 24 bytes are the 10 fixed ones and 14 of the name.
    expect((await refusal(named('x', 'patient 943 476 5919').subarray(0, 24))).progress.texts).toEqual([
      'patient 943 47',
    ]);
  });

  it(`more than ${MAX_GZIP_MEMBERS} members: refused, saying how to send it`, async () => {
    const one = gzipSync('');
    const { detail, progress } = await refusal(Buffer.concat(Array.from({ length: MAX_GZIP_MEMBERS + 1 }, () => one)));
    expect(detail).toEqual({
      code: 'corrupt_gzip',
      message:
        'the file is more than 10000 gzip members one after another: decompress it and compress it again as one file',
    });
    expect(progress.members).toBe(MAX_GZIP_MEMBERS + 1);
  });

  it('gzipHeader: the extra field, name and comment of a header, its length once complete; not gzip is refused', () => {
    // FEXTRA (4) + FNAME (8) + FCOMMENT (16) + FHCRC (2) = 30; 10 fixed bytes, 2 + 3 extra, 2 + 1 name, 1 + 1 comment,
    // 2 header CRC: 22 bytes.
    const header = Buffer.concat([
      Buffer.from([0x1f, 0x8b, 8, 30, 0, 0, 0, 0, 0, 3, 3, 0]),
      Buffer.from('abc', 'latin1'),
      Buffer.from('nm\0c\0', 'latin1'),
      Buffer.from([0, 0]),
    ]);
    expect(gzipHeader(header)).toEqual({ length: 22, texts: ['abc', 'nm', 'c'] });
    expect(gzipHeader(header.subarray(0, 21))).toEqual({ length: undefined, texts: ['abc', 'nm', 'c'] });
    expect(gzipHeader(header.subarray(0, 16))).toEqual({ length: undefined, texts: ['abc', 'n'] });
    expect(() => gzipHeader(Buffer.from('a,b\n'))).toThrow(FileRejection);
    // Reserved flag bits (0xe0) set: not a header gzip writes (RFC 1952: "must be zero").
    expect(() => gzipHeader(Buffer.from([0x1f, 0x8b, 8, 0x20]))).toThrow(FileRejection);
  });
});
