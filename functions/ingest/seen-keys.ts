import { ownText } from '../lib/own-text.ts';

/**
 * The keys one upload has seen (its event ids: up to a file's million rows), each with the row it was first seen at,
 * for the "appears more than once in this file" rule. Held in typed arrays outside the V8 heap: a Map of a million
 * strings kept about 100 MB on the heap for the whole file, which every garbage collection then walked, and a string
 * kept from the parser would have kept its whole chunk of the file with it. Here a key's characters are copied into
 * one growing byte buffer (Latin-1, one byte a character; a key with a wider character goes into a small Map
 * instead), found again through an open-addressing table of 32-bit hashes, and compared character by character.
 */
export class SeenKeys {
  /** Entry index + 1 by hash slot; 0 is empty. A power of two in size, at most half full. */
  private slots = new Int32Array(1 << 12);
  private hashes = new Int32Array(1 << 11);
  private rows = new Int32Array(1 << 11);
  /** Where entry i's characters start in text; starts[count] is where the next one will. */
  private starts = new Int32Array((1 << 11) + 1);
  private text = new Uint8Array(1 << 15);
  private count = 0;
  private readonly wide = new Map<string, number>();

  /** How many distinct keys have been seen. */
  get size(): number {
    return this.count + this.wide.size;
  }

  /** The row the key was first seen at; undefined when it is new, and it is then recorded as seen at `row`. */
  firstOrAdd(key: string, row: number): number | undefined {
    let hash = 0x811c9dc5 | 0;
    for (let i = 0; i < key.length; i++) {
      const code = key.charCodeAt(i);
      if (code > 0xff) return this.wideFirstOrAdd(key, row);
      hash = Math.imul(hash ^ code, 0x01000193);
    }
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = (this.slots[slot] as number) - 1;
      if (entry < 0) {
        this.add(slot, hash, key, row);
        return undefined;
      }
      if (this.hashes[entry] === hash && this.matches(entry, key)) return this.rows[entry];
    }
  }

  private wideFirstOrAdd(key: string, row: number): number | undefined {
    const first = this.wide.get(key);
    // A string of its own: a key cut from the parser's chunk would keep the chunk alive.
    if (first === undefined) this.wide.set(ownText(key), row);
    return first;
  }

  private matches(entry: number, key: string): boolean {
    const start = this.starts[entry] as number;
    if ((this.starts[entry + 1] as number) - start !== key.length) return false;
    const text = this.text;
    for (let i = 0; i < key.length; i++) if (text[start + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  private add(slot: number, hash: number, key: string, row: number): void {
    const entry = this.count;
    if (entry + 1 >= this.hashes.length) this.growEntries();
    const start = this.starts[entry] as number;
    if (start + key.length > this.text.length) this.text = grown(this.text, start + key.length);
    for (let i = 0; i < key.length; i++) this.text[start + i] = key.charCodeAt(i);
    this.hashes[entry] = hash;
    this.rows[entry] = row;
    this.starts[entry + 1] = start + key.length;
    this.slots[slot] = entry + 1;
    this.count = entry + 1;
    if (this.count * 2 > this.slots.length) this.rehash();
  }

  private growEntries(): void {
    const length = this.hashes.length * 2;
    this.hashes = grown(this.hashes, length);
    this.rows = grown(this.rows, length);
    this.starts = grown(this.starts, length + 1);
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.count; entry++) {
      let slot = (this.hashes[entry] as number) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }
}

/** A copy of a typed array at least `atLeast` long (doubling), its contents kept. */
function grown<T extends Int32Array | Uint8Array>(array: T, atLeast: number): T {
  let length = array.length * 2;
  while (length < atLeast) length *= 2;
  const copy = new (array.constructor as new (length: number) => T)(length);
  copy.set(array);
  return copy;
}
