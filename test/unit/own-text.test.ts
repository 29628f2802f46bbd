import { describe, expect, it } from 'vitest';
import { ownText } from '../../functions/lib/own-text.ts';

describe('ownText', () => {
  it('gives back the same text, whatever its length or characters, cut from a larger one or not', () => {
    const chunk = `R202601-0.1,${'3a2b'.repeat(16)},é-€-😀 ,,x`;
    const cells = chunk.split(',');
    expect(cells.map(ownText)).toEqual(['R202601-0.1', '3a2b'.repeat(16), 'é-€-😀 ', '', 'x']);
    expect(ownText(chunk.slice(12, 76))).toHaveLength(64);
  });

  it('gives back a text of 13 characters or more that starts with a character of two UTF-16 units whole', () => {
    // The copy is joined from the first unit and the rest: '😀' is two units (a surrogate pair), cut between them and
    // joined again; 7 of them are 14 units.
    const emoji = `x${'😀'.repeat(7)}`.slice(1);
    expect(emoji).toHaveLength(14);
    expect(ownText(emoji)).toBe('😀'.repeat(7));
    expect([...ownText(emoji)]).toHaveLength(7);
  });
});
