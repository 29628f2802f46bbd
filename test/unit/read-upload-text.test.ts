import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../functions/contract/upload.ts';
import { FileRejection } from '../../functions/ingest/file-rejection.ts';
import { type ByteStats, readRecords } from '../../functions/ingest/read-upload.ts';

const utf8 = new TextEncoder();

/** The file's bytes in the chunks given (as a stream or S3 hands them over), read as CSV: its header, then each row's texts. */
async function rowsOf(...chunks: Uint8Array[]): Promise<string[][]> {
  const stats: ByteStats = { rawBytes: 0, uncompressedBytes: 0, compressed: false, sha256: '' };
  const rows: string[][] = [];
  async function* source() {
    for (const chunk of chunks) yield chunk;
  }
  const onHeader = (names: readonly string[]) => {
    rows.push([...names]);
  };
  await readRecords(source(), { format: 'csv', limits: DEFAULT_LIMITS, onHeader }, stats, (record) => {
    rows.push([...(record.texts ?? [])]);
  });
  return rows;
}

describe('reading text: ASCII chunks as Latin-1, the UTF-8 decoder from the first chunk that is not', () => {
  it('reads a character split between two chunks after ASCII ones, and keeps a byte order mark inside the file', async () => {
    const bytes = utf8.encode('a,b\nx,y\né€,\uFEFFz\n');
    // "a,b\nx,y\n" is 8 bytes of ASCII; é is 2 bytes, € 3: the third chunk starts in the middle of €.
    expect(await rowsOf(bytes.subarray(0, 4), bytes.subarray(4, 8), bytes.subarray(8, 11), bytes.subarray(11))).toEqual(
      [
        ['a', 'b'],
        ['x', 'y'],
        ['é€', '\uFEFFz'],
      ],
    );
  });

  it('keeps a byte order mark that starts a chunk after ASCII ones: only the start of the file is its mark', async () => {
    const bytes = utf8.encode('a,b\n\uFEFFx,y\n');
    expect(await rowsOf(bytes.subarray(0, 4), bytes.subarray(4))).toEqual([
      ['a', 'b'],
      ['\uFEFFx', 'y'],
    ]);
  });

  it("drops the file's own byte order mark, at its start", async () => {
    const bytes = utf8.encode('\uFEFFa,b\nx,y\n');
    expect(await rowsOf(bytes.subarray(0, 2), bytes.subarray(2))).toEqual([
      ['a', 'b'],
      ['x', 'y'],
    ]);
  });

  it('refuses bytes that are not UTF-8 after chunks of ASCII, naming where', async () => {
    const error = await rowsOf(utf8.encode('a,b\n'), utf8.encode('x,y\n'), Uint8Array.of(0x78, 0x2c, 0xff, 0x0a)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(FileRejection);
    expect((error as FileRejection).detail).toMatchObject({
      code: 'not_utf8',
      // 8 bytes of ASCII lines, then `x,` and the bad byte: byte 10 (from 0), on line 3 (R30-11).
      message: 'the file is not valid UTF-8 (line 3, byte 10): save it as UTF-8',
    });
  });
});
