import { Readable } from 'node:stream';
import fc from 'fast-check';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { csvRows } from '../../functions/ingest/read-upload.ts';

interface Row {
  readonly cells: string[];
  readonly errors: string[];
  readonly cursor: number;
}

/** The text cut into the given chunks (the rest as one last chunk), as textOf yields a file. */
function chunksOf(text: string, cuts: readonly number[]): string[] {
  const at = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let from = 0;
  for (const cut of at) {
    if (cut > from) chunks.push(text.slice(from, cut));
    from = Math.max(from, cut);
  }
  if (from < text.length) chunks.push(text.slice(from));
  return chunks;
}

async function* yielded(chunks: readonly string[]) {
  for (const chunk of chunks) yield chunk;
}

/** The rows as the ingest read them before: PapaParse's own stream reader, with the ingest's options. */
function papaRows(chunks: readonly string[]): Promise<Row[]> {
  return new Promise((resolve, reject) => {
    const rows: Row[] = [];
    Papa.parse<string[]>(Readable.from(yielded(chunks)) as unknown as File, {
      delimiter: ',',
      quoteChar: '"',
      skipEmptyLines: false,
      step: (results) => {
        rows.push({
          cells: results.data,
          errors: results.errors.map((e) => e.code),
          cursor: results.meta.cursor,
        });
      },
      complete: () => resolve(rows),
      error: (error: unknown) => reject(error),
    });
  });
}

async function ourRows(chunks: readonly string[]): Promise<Row[]> {
  const rows: Row[] = [];
  await csvRows(yielded(chunks), (cells, errors, cursor) => {
    rows.push({ cells, errors: errors.map((e) => e.code as string), cursor });
  });
  return rows;
}

/** Cells of every kind a file may hold: plain, empty, quoted (with commas, quotes, line breaks), stray quotes. */
const cell = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z0-9 ._:;-]{0,14}$/) },
  { weight: 2, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.stringMatching(/^"[a-z,\r\n ]{0,6}"$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^"[a-z]{0,3}""[a-z]{0,3}"$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z]{0,3}"[a-z]{0,3}$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^"[a-z\n]{0,5}$/) },
);
const newline = fc.constantFrom('\n', '\r\n', '\r');

/** A file: rows of cells joined by one line ending (sometimes another one mixed in), with or without a last one. */
const file = fc
  .record({
    rows: fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 25 }),
    newline,
    stray: fc.option(fc.tuple(fc.nat(), newline), { nil: undefined }),
    last: fc.boolean(),
    quotesFree: fc.boolean(),
  })
  .map(({ rows, newline, stray, last, quotesFree }) => {
    const lines = rows.map((cells) => (quotesFree ? cells.map((c) => c.replaceAll('"', '')) : cells).join(','));
    let text = lines.join(newline) + (last ? newline : '');
    if (stray !== undefined) {
      const at = stray[0] % (text.length + 1);
      text = text.slice(0, at) + stray[1] + text.slice(at);
    }
    return text;
  });

describe('csvRows reads CSV rows as PapaParse stream reader does (issue 17: its fast mode without per-row objects)', () => {
  it('gives the same rows, cells, errors and end offsets for any file cut into any chunks', async () => {
    await fc.assert(
      fc.asyncProperty(file, fc.array(fc.nat(400), { maxLength: 8 }), async (text, cuts) => {
        const chunks = chunksOf(text, cuts);
        expect(await ourRows(chunks)).toEqual(await papaRows(chunks));
      }),
      { numRuns: 600 },
    );
  });

  it('reads a quote-free file after its first chunk itself, the same as PapaParse', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `E${i},contact,U12345,,${i % 7},2025-06-0${1 + (i % 9)}`);
    for (const ending of ['\n', '\r\n']) {
      const text = `event_id,event_type,pcn_code,practice_code,count,occurred_on${ending}${lines.join(ending)}${ending}`;
      const chunks = chunksOf(text, [37, 512, 513, 2048, 4000, 4001]);
      const ours = await ourRows(chunks);
      expect(ours).toEqual(await papaRows(chunks));
      expect(ours).toHaveLength(201);
      expect(ours[200]?.cursor).toBe(text.length);
    }
  });

  it('stops at the first row whose handler throws, with that error', async () => {
    const chunks = ['a,b\n', 'c,d\ne,f\n', 'g,h\n'];
    const seen: string[] = [];
    const reading = csvRows(yielded(chunks), (cells) => {
      seen.push(cells[0] as string);
      if (cells[0] === 'c') throw new Error('refused at c');
    });
    await expect(reading).rejects.toThrow('refused at c');
    expect(seen).toEqual(['a', 'c']);
  });
});
