/*
 * Review 34's seeded fuzz of small disclosure documents, shared by the tests that replay it (counts, staff years): the
 * same generator and the same order of draws, so a seed and a document number name the same case everywhere.
 */

/** A linear congruential generator (the C library's constants): seed 7's document 357 is the same on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** A value drawn as the fuzz draws one: 0 below `zero`, 1 to `smallMax` below `small`, otherwise 8 to 27. */
export function valuePicker(
  rnd: () => number,
  { zero, small, smallMax }: { zero: number; small: number; smallMax: number },
): () => number {
  return () => {
    const x = rnd();
    return x < zero ? 0 : x < small ? 1 + Math.floor(rnd() * smallMax) : 8 + Math.floor(rnd() * 20);
  };
}

/** England (ENG) over 2 or 3 regions R<r> of 1 or 2 ICBs I<r><i> of 1 to 3 PCNs P<r><i><p>: each area's parent. */
export function randomGeography(rnd: () => number): { parent: Record<string, string>; pcns: string[] } {
  const parent: Record<string, string> = {};
  const pcns: string[] = [];
  const regions = 2 + Math.floor(rnd() * 2);
  for (let r = 1; r <= regions; r++) {
    parent[`R${r}`] = 'ENG';
    const icbs = 1 + Math.floor(rnd() * 2);
    for (let i = 1; i <= icbs; i++) {
      parent[`I${r}${i}`] = `R${r}`;
      const n = 1 + Math.floor(rnd() * 3);
      for (let p = 1; p <= n; p++) {
        parent[`P${r}${i}${p}`] = `I${r}${i}`;
        pcns.push(`P${r}${i}${p}`);
      }
    }
  }
  return { parent, pcns };
}

/** Each PCN's two months' values, drawn in the order of `pcns`. */
export function twoMonthsEach(pcns: readonly string[], pick: () => number): Record<string, [number, number]> {
  const values: Record<string, [number, number]> = {};
  for (const p of pcns) values[p] = [pick(), pick()];
  return values;
}
