/**
 * The keys one upload has had so far (event ids; a workforce file's month|role), each with the row that first had it:
 * the in-file duplicate check. A file may have a million rows, so the keys are kept outside the JavaScript heap: their
 * characters in one growing array, found through an open-addressing hash table of row positions. A Map of a million
 * strings held about 90 MB of heap that every full collection had to mark; this holds the same in about 30 MB of array
 * buffers, and copies each key's characters (a cell is a slice of the parser's chunk, which it would keep alive).
 */
export class SeenKeys {
  /** Key i's UTF-16 code units are chars[starts[i]] up to chars[starts[i + 1]]. */
  private chars = new Uint16Array(1 << 16);
  private starts = new Int32Array(1 << 12);
  private rows = new Int32Array(1 << 12);
  /** Open addressing: 0 is an empty slot, i + 1 is key i. Never more than half full. */
  private slots = new Int32Array(1 << 13);
  private count = 0;
  private used = 0;

  get size(): number {
    return this.count;
  }

  /** The row that first had this key, if any row had it. */
  get(key: string): number | undefined {
    const slot = this.find(key, hashOf(key));
    const at = this.slots[slot] as number;
    return at === 0 ? undefined : (this.rows[at - 1] as number);
  }

  /** Keeps the key with its row (the first row to have it: a key already kept is left as it is). */
  set(key: string, row: number): void {
    const hash = hashOf(key);
    const slot = this.find(key, hash);
    if (this.slots[slot] !== 0) return;
    this.append(key, row);
    this.slots[slot] = this.count;
    if (this.count * 2 > this.slots.length) this.rehash();
  }

  /** The slot that holds the key, or the empty slot where it would go. */
  private find(key: string, hash: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = this.slots[slot] as number;
      if (at === 0 || this.equals(at - 1, key)) return slot;
    }
  }

  private equals(index: number, key: string): boolean {
    const start = this.starts[index] as number;
    const end = index + 1 < this.count ? (this.starts[index + 1] as number) : this.used;
    if (end - start !== key.length) return false;
    for (let i = 0; i < key.length; i++) if (this.chars[start + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  private append(key: string, row: number): void {
    if (this.used + key.length > this.chars.length) this.chars = grown(this.chars, this.used + key.length);
    if (this.count === this.starts.length) {
      this.starts = grown(this.starts, this.count + 1);
      this.rows = grown(this.rows, this.count + 1);
    }
    this.starts[this.count] = this.used;
    this.rows[this.count] = row;
    for (let i = 0; i < key.length; i++) this.chars[this.used + i] = key.charCodeAt(i);
    this.used += key.length;
    this.count += 1;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    const mask = this.slots.length - 1;
    for (let index = 0; index < this.count; index++) {
      const start = this.starts[index] as number;
      const end = index + 1 < this.count ? (this.starts[index + 1] as number) : this.used;
      let slot = hashOfChars(this.chars, start, end) & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = index + 1;
    }
  }
}

/** FNV-1a over UTF-16 code units; the same over a key and over its kept characters. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function hashOfChars(chars: Uint16Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (chars[i] as number), 0x01000193);
  return hash >>> 0;
}

function grown<T extends Uint16Array | Int32Array>(array: T, needed: number): T {
  let length = array.length * 2;
  while (length < needed) length *= 2;
  const bigger = new (array.constructor as new (length: number) => T)(length);
  bigger.set(array);
  return bigger;
}
