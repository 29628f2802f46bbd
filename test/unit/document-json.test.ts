import { describe, expect, it } from 'vitest';
import { englandRowsOf, JsonBytes, writeJson } from '../../functions/refresh/document-json.ts';

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
