import { describe, expect, it } from 'vitest';
import { AnswerCache } from '../../functions/api/answer-cache.ts';

describe('the answer cache, bounded in bytes', () => {
  it('drops the least recently asked answers once the bytes kept pass the budget', () => {
    const cache = new AnswerCache<string>(1_000);
    cache.set('a', 'A', 400);
    cache.set('b', 'B', 400);
    expect(cache.bytes).toBe(800);
    // a is asked again: b is now the least recently asked.
    expect(cache.get('a')).toBe('A');
    cache.set('c', 'C', 300);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual(['A', undefined, 'C']);
    expect({ bytes: cache.bytes, size: cache.size }).toEqual({ bytes: 700, size: 2 });
  });

  it('never keeps an answer larger than the whole budget, and replaces one kept under the same key', () => {
    const cache = new AnswerCache<string>(1_000);
    cache.set('a', 'A', 600);
    expect(cache.set('huge', 'H', 1_001)).toBe(false);
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    cache.set('a', 'A2', 100);
    expect({ value: cache.get('a'), bytes: cache.bytes, size: cache.size }).toEqual({
      value: 'A2',
      bytes: 100,
      size: 1,
    });
  });

  it('counts an answer that grows after it is kept (its Brotli form), and only while it is the one kept', () => {
    const cache = new AnswerCache<string>(1_000);
    cache.set('a', 'A', 500);
    cache.set('b', 'B', 300);
    cache.grow('b', 'B', 100);
    expect(cache.bytes).toBe(900);
    cache.grow('b', 'an older B', 100);
    expect(cache.bytes).toBe(900);
    // Past the budget: the least recently asked (a) goes.
    cache.grow('b', 'B', 200);
    expect({ a: cache.get('a'), b: cache.get('b'), bytes: cache.bytes }).toEqual({ a: undefined, b: 'B', bytes: 600 });
    cache.clear();
    expect({ bytes: cache.bytes, size: cache.size }).toEqual({ bytes: 0, size: 0 });
  });
});
