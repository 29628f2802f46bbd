import { describe, expect, it } from 'vitest';
import { documentBytes, utf8Bytes } from '../../functions/refresh/document-bytes.ts';

/**
 * The bytes a refresh stores for a document (functions/refresh/document-bytes.ts): its JSON in UTF-8, the bytes the
 * store made of the JSON string before, whether the string is ASCII (copied) or not (encoded).
 */
describe('a document as the bytes the refresh stores', () => {
  const asBefore = (text: string) => Buffer.from(text, 'utf8');

  it('are the UTF-8 of its JSON, for ASCII and for every other kind of character', () => {
    const texts = [
      '',
      '{"name":"rollout","rows":[{"code":"U12345","value":12.5}]}',
      // A PCN name with a letter outside ASCII (2 bytes in UTF-8), a typographic apostrophe (3 bytes),
      // a character outside the Basic Multilingual Plane (a surrogate pair, 4 bytes) and a lone surrogate (3: U+FFFD).
      'Ysbyty Gwynedd é',
      'England’s figures',
      'a 😀 b',
      'lone \ud800 surrogate',
      // Latin-1 characters that are not ASCII: copied as Latin-1 they would be one byte each, which is not UTF-8.
      '\u00a3 \u00ff \u0080',
    ];
    for (const text of texts) expect(utf8Bytes(text).equals(asBefore(text))).toBe(true);
    // '£' is C2 A3 in UTF-8, where Latin-1 would be the single byte A3.
    expect([...utf8Bytes('£')]).toEqual([0xc2, 0xa3]);
    expect([...utf8Bytes('A')]).toEqual([0x41]);
  });

  it("are JSON.stringify's text of the document, byte for byte", () => {
    const document = { name: 'spc', summary: { note: 'England’s year held' }, rows: [{ code: 'Y56', value: -0.5 }] };
    expect(documentBytes(document).equals(asBefore(JSON.stringify(document)))).toBe(true);
    expect(documentBytes(document).toString('utf8')).toBe(
      '{"name":"spc","summary":{"note":"England’s year held"},"rows":[{"code":"Y56","value":-0.5}]}',
    );
  });
});
