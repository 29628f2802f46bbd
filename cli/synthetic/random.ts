/**
 * A small seeded random source (mulberry32) so that a seed always gives the same national demo.
 * Not for anything secret: the synthetic data only has to look like the programme.
 */
/** Each weights table of Rng.weighted as arrays, worked out on first use. */
const TABLES = new WeakMap<object, { keys: string[]; weights: number[]; total: number }>();

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A fresh generator whose stream depends only on this seed and the label, so parts can be made in any order. */
  fork(label: string): Rng {
    let h = this.state ^ 0x9e3779b9;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x85ebca6b) >>> 0;
    return new Rng(h);
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  poisson(mean: number): number {
    if (mean > 50) return Math.max(0, Math.round(this.normal(mean, Math.sqrt(mean))));
    const limit = Math.exp(-mean);
    let k = 0;
    for (let p = this.next(); p > limit; p *= this.next()) k++;
    return k;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /**
   * Picks a key of weights with probability proportional to its weight. The weights' keys and total are worked
   * out once per weights object (the demo's tables are constants, never changed after use), in the same order and
   * with the same arithmetic as before, so a seed gives the same picks.
   */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    let table = TABLES.get(weights);
    if (table === undefined) {
      const entries = Object.entries(weights) as [string, number][];
      let total = 0;
      for (const [, w] of entries) total += w;
      table = { keys: entries.map(([key]) => key), weights: entries.map(([, w]) => w), total };
      TABLES.set(weights, table);
    }
    let r = this.next() * table.total;
    const n = table.keys.length;
    for (let i = 0; i < n; i++) {
      r -= table.weights[i] as number;
      if (r < 0) return table.keys[i] as K;
    }
    return table.keys[n - 1] as K;
  }
}
