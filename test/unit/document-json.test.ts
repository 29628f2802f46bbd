import { describe, expect, it, vi } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import {
  englandRowsOf,
  JsonBytes,
  jsonBytesEstimate,
  writeDocuments,
  writeJson,
} from '../../functions/refresh/document-json.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';

/**
 * englandRowsOf (functions/refresh/document-json.ts) reads a published document's England rows without parsing its
 * other rows: its result must be the object the refresh made before, the whole JSON parsed and its rows filtered to
 * level 'national', key order included, or undefined where that reading does not apply.
 */
const bytes = (text: string) => new TextEncoder().encode(text);
const parsedWhole = (text: string) => {
  const document = JSON.parse(text) as { rows: { level?: unknown }[] };
  return { ...document, rows: document.rows.filter((r) => r.level === 'national') };
};
const expectSameAsWhole = (text: string) => {
  const read = englandRowsOf(bytes(text));
  expect(read).toEqual(parsedWhole(text));
  // The same keys in the same order (JSON.stringify writes them in their order).
  expect(JSON.stringify(read)).toBe(JSON.stringify(parsedWhole(text)));
  return read;
};

describe('englandRowsOf', () => {
  it('keeps the rows of the levels asked for (the revisions below England: every row above the PCNs)', () => {
    const document = {
      name: 'rollout',
      generated_at: '2026-12-01T09:00:00.000Z',
      rows: [
        { level: 'pcn', code: 'U1', referrals: 5 },
        { level: 'icb', code: 'QE1', referrals: 12 },
        { level: 'national', code: 'ENG', referrals: 40 },
        { level: 'pcn', code: 'U2', referrals: 7 },
        { level: 'region', code: 'Y56', referrals: 20 },
      ],
    };
    const text = JSON.stringify(document);
    const read = englandRowsOf(bytes(text), (level) => level !== 'pcn');
    // The three rows above the PCNs, in their order, as the whole document parsed and filtered would give them.
    expect(read?.rows.map((r) => r.code)).toEqual(['QE1', 'ENG', 'Y56']);
    expect(JSON.stringify(read)).toBe(
      JSON.stringify({ ...document, rows: document.rows.filter((r) => r.level !== 'pcn') }),
    );
  });

  it("keeps England's rows and every other key, skipping rows whose strings hold JSON's own characters", () => {
    const document = {
      name: 'alerts',
      title: 'Alerts {with} [brackets] and "quotes" \\ and ü',
      generated_at: '2026-12-01T09:00:00.000Z',
      keys: ['measure'],
      rows: [
        { level: 'pcn', code: 'U1', message: 'a } closing brace, a "},{"level":"national"} and \\"' },
        { level: 'national', code: 'ENG', period: '2025/26', people: 120, rate: 12.5, note: null },
        { level: 'icb', code: 'QE1', message: '], ] and \\\\' },
        // An SPC-like row: arrays nested in it.
        { level: 'national', code: 'ENG', points: [1, 2, [3]], flags: [{ level: 'pcn' }] },
        { level: 'region', code: 'Y56', sealed: true },
      ],
      summary: { note: { level: 'national', code: 'not a row' }, list: [{ level: 'national' }] },
    };
    const read = expectSameAsWhole(JSON.stringify(document));
    // Two rows of five are England's; the summary's objects with a level are not rows.
    expect(read?.rows.map((r) => r.code)).toEqual(['ENG', 'ENG']);
    expect((read as unknown as typeof document).summary.note.code).toBe('not a row');
  });

  it('reads a row whose level is not its first key or is written with an escape by parsing it', () => {
    // "nation\u0061l" is "national" once parsed; {"code":..,"level":..} has its level second.
    const text =
      '{"name":"d","rows":[{"level":"nation\\u0061l","code":"ENG"},{"code":"ENG","level":"national"},{"code":"U1","level":"pcn"},{"level":"pc\\u006e","code":"U2"}]}';
    expect(expectSameAsWhole(text)?.rows).toEqual([
      { level: 'national', code: 'ENG' },
      { code: 'ENG', level: 'national' },
    ]);
  });

  it('reads JSON with whitespace between its parts, and a document with no rows or no England rows', () => {
    expectSameAsWhole(
      ' {\n "name" : "d" ,\n "rows" : [ {"level":"national","n":1} ,\t{"level":"pcn","n":2} ] ,\r\n "summary" : { } } ',
    );
    expect(expectSameAsWhole('{"name":"d","rows":[]}')?.rows).toEqual([]);
    expect(expectSameAsWhole('{"rows":[{"level":"pcn"}],"name":"rows last-but-one"}')?.rows).toEqual([]);
  });

  it('gives undefined where the whole parse must decide: no rows array, rows twice, a row not an object, cut short', () => {
    for (const text of [
      '{"name":"d"}',
      '{"name":"d","rows":{"level":"national"}}',
      '{"rows":[],"rows":[{"level":"national"}]}',
      '{"r\\u006fws":[{"level":"national"}]}',
      '{"rows":[null,{"level":"national"}]}',
      '{"rows":[{"level":"national","n":1},{"level":"pcn","n":2}',
      '{"rows":[{"level":"national","n":1}]',
      '{"rows":[{"level":"national","n":01}]}',
      '[{"level":"national"}]',
      '',
    ])
      expect(englandRowsOf(bytes(text)), text).toBeUndefined();
  });
});

describe('writeJson', () => {
  it("writes JSON.stringify's bytes: rows in pieces, left-out values, non-ASCII and lone surrogates", () => {
    // 600 rows: three pieces of up to 256 (256 + 256 + 88), each joined to the next by a comma.
    const rows = Array.from({ length: 600 }, (_, i) => ({
      level: i % 3 === 0 ? 'national' : 'pcn',
      code: `U${i}`,
      value: i % 7 === 0 ? null : i / 7,
      skipped: undefined,
      name: i % 50 === 0 ? 'Café “quoted” \u{1F600} \ud800' : 'plain',
    }));
    const documents = [
      { name: 'd', nothing: undefined, fn: () => 1, rows, summary: { a: [1, undefined] } },
      { rows: [] },
      { name: 'no rows' },
      { rows: [undefined, { level: 'national' }] },
      { rows: 'not an array' },
    ];
    for (const document of documents) {
      const bytes = new JsonBytes();
      writeJson(document, bytes);
      expect(Buffer.from(bytes.view()).equals(Buffer.from(JSON.stringify(document), 'utf8'))).toBe(true);
      // Cleared and written again (the buffer reused), the same bytes.
      bytes.clear();
      writeJson(document, bytes);
      expect(Buffer.from(bytes.view()).toString('utf8')).toBe(Buffer.from(JSON.stringify(document)).toString('utf8'));
    }
  });
});

describe('writeDocuments', () => {
  /** A document of `count` rows of about 140 bytes each (one in 40 with non-ASCII text). */
  const documentOf = (name: string, count: number) => ({
    name,
    generated_at: '2026-12-07T09:00:00.000Z',
    rows: Array.from({ length: count }, (_, i) => ({
      level: i % 10 === 0 ? 'national' : 'pcn',
      code: `U${10_000 + i}`,
      period: `2026-${String((i % 12) + 1).padStart(2, '0')}`,
      people: i % 9 === 0 ? '*' : i * 5,
      improved_pct: i % 11 === 0 ? null : Math.round(i * 7.3) / 10,
      note: i % 40 === 0 ? 'Café – “held”' : 'plain',
    })),
    summary: { months: 12 },
  });

  it("writes each document's JSON.stringify bytes into two buffers sized once, never grown as they fill", async () => {
    // 3.4 MB and 2.3 MB of JSON, beside small ones: grown from 1 MiB, the buffers would double twice and once.
    const documents = [
      documentOf('large', 30_000),
      documentOf('small', 10),
      documentOf('empty', 0),
      documentOf('middle', 20_000),
    ];
    const store = new MemoryObjectStore();
    const allocations: number[] = [];
    const allocUnsafe = Buffer.allocUnsafe;
    const spy = vi.spyOn(Buffer, 'allocUnsafe').mockImplementation((size: number) => {
      if (size >= 1 << 20) allocations.push(size);
      return allocUnsafe(size);
    });
    try {
      await writeDocuments(store, documents as unknown as MetricDocument[]);
    } finally {
      spy.mockRestore();
    }
    for (const document of documents)
      expect(
        Buffer.from(store.objects.get(`metrics/${document.name}.json`) as Uint8Array).equals(
          Buffer.from(JSON.stringify(document), 'utf8'),
        ),
        document.name,
      ).toBe(true);
    // One buffer for the documents in even places (the largest 'large'), one for the odd ('middle'), each allocated once:
    // at least the JSON's bytes of the largest document it holds, so it is never grown, and at most twice them (a
    // buffer sized by doubling from 1 MiB would be 4 MiB for 'large''s 3.4 MB; review 44, R44-8: not compared with the
    // estimate under test).
    const bytesOf = (document: object) => Buffer.byteLength(JSON.stringify(document));
    expect(allocations).toHaveLength(2);
    const [even, odd] = allocations as [number, number];
    expect(even).toBeGreaterThanOrEqual(bytesOf(documents[0] as object));
    expect(even).toBeLessThan(2 * bytesOf(documents[0] as object));
    expect(odd).toBeGreaterThanOrEqual(bytesOf(documents[3] as object));
    expect(odd).toBeLessThan(2 * bytesOf(documents[3] as object));
  });

  it('estimates a document at or above its JSON, rows of uneven sizes included', () => {
    const uneven = {
      ...documentOf('uneven', 5_000),
      rows: Array.from({ length: 5_000 }, (_, i) => ({ code: 'x'.repeat(i % 97 === 0 ? 2_000 : 10) })),
    };
    for (const document of [documentOf('a', 1), documentOf('b', 65), documentOf('c', 40_000), { rows: [] }, {}])
      expect(jsonBytesEstimate(document)).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(document)));
    // Rows far from the sampled ones' size can be underestimated: only the buffer's capacity, which then grows.
    const bytes = new JsonBytes(1000);
    writeJson(uneven, bytes);
    expect(Buffer.from(bytes.view()).equals(Buffer.from(JSON.stringify(uneven)))).toBe(true);
  });
});
