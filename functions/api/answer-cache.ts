/**
 * The API's kept answers, bounded in bytes: the least recently asked are dropped first once the bytes kept pass the
 * budget, and an answer larger than the whole budget is never kept. What an answer costs is told by its keeper (the
 * body and each compressed form of it); an answer that grows after it is kept (its Brotli form, made later) is
 * counted again then.
 */
export class AnswerCache<T> {
  private readonly entries = new Map<string, { value: T; bytes: number; used: number }>();
  private total = 0;
  /** Counts the asks: an entry's `used` is the count at its last ask (a Map re-insert per ask would cost more). */
  private clock = 0;

  constructor(readonly maxBytes: number) {
    if (!(maxBytes >= 0)) throw new Error('the answer cache needs a budget of 0 bytes or more');
  }

  /** Bytes of every answer kept. */
  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The answer kept under key, now the most recently asked. */
  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    entry.used = ++this.clock;
    return entry.value;
  }

  /** Keeps an answer of the given size; false if it is larger than the whole budget (then it is not kept). */
  set(key: string, value: T, bytes: number): boolean {
    this.remove(key);
    if (bytes > this.maxBytes) return false;
    this.entries.set(key, { value, bytes, used: ++this.clock });
    this.total += bytes;
    this.evict();
    return true;
  }

  /** An answer kept under key grew by bytes (if it is still the one kept there). */
  grow(key: string, value: T, bytes: number): void {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.value !== value) return;
    entry.bytes += bytes;
    this.total += bytes;
    this.evict();
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.total -= entry.bytes;
  }

  /** Drops the least recently asked until the budget holds (a scan per drop: drops are rare, asks are not). */
  private evict(): void {
    while (this.total > this.maxBytes) {
      let oldest: [string, { bytes: number; used: number }] | undefined;
      for (const entry of this.entries) if (oldest === undefined || entry[1].used < oldest[1].used) oldest = entry;
      if (oldest === undefined) return;
      this.entries.delete(oldest[0]);
      this.total -= oldest[1].bytes;
    }
  }
}
