import { describe, expect, it } from 'vitest';
import { ownText } from '../../functions/lib/own-text.ts';

describe('ownText', () => {
  it('gives back the same text, whatever its length or characters, cut from a larger one or not', () => {
    const chunk = `R202601-0.1,${'3a2b'.repeat(16)},é-€-😀 ,,x`;
    const cells = chunk.split(',');
    expect(cells.map(ownText)).toEqual(['R202601-0.1', '3a2b'.repeat(16), 'é-€-😀 ', '', 'x']);
    expect(ownText(chunk.slice(12, 76))).toHaveLength(64);
  });
});
