/**
 * What the published PCN-deprivation-quintile cells of equity give away about single PCNs, by linear algebra over the
 * map (docs/methodology.md, Equity). Everyone may read England's, every region's and every ICB's totals (rollout,
 * outcomes, the other equity dimensions) and the published quintile cells; a PCN knows its own figures, an ICB or a
 * region user its own PCNs'. Each of those is a sum over a set of ICB x quintile "atoms" (the PCNs of one ICB in one
 * quintile), so what can be worked out from them is their span: an atom's figure can be worked out exactly when its
 * unit vector is in the span of the published sums, which is when a row of their reduced row echelon form is that
 * unit vector. Disclosive: an atom of 1 PCN worked out by anyone; of 2 PCNs (each takes its own away to get the
 * other's); of 1 PCN once a PCN, an ICB or a region takes away atoms it knows. Rounding is ignored: a figure worked
 * out within a few people is still the PCN's.
 */
export interface MapPcn {
  readonly code: string;
  readonly icb: string;
  readonly region: string;
  /** '1'-'5' or 'unknown'. */
  readonly quintile: string;
}

export interface Publication {
  /** Quintile cells of each region (England's are always there). */
  readonly regions: boolean;
  /** Quintile cells of each ICB. */
  readonly icbs: boolean;
}

interface Atom {
  readonly key: string;
  readonly icb: string;
  readonly region: string;
  readonly quintile: string;
  readonly pcns: number;
}

function atomsOf(pcns: readonly MapPcn[]): Atom[] {
  const atoms = new Map<string, Atom>();
  for (const p of pcns) {
    const key = `${p.icb} q${p.quintile}`;
    const atom = atoms.get(key);
    atoms.set(key, { key, icb: p.icb, region: p.region, quintile: p.quintile, pcns: (atom?.pcns ?? 0) + 1 });
  }
  return [...atoms.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
}

/** The published sums, each as the atoms it adds up. */
function publishedSums(atoms: readonly Atom[], publication: Publication, quintiles: boolean): number[][] {
  const groups = new Map<string, number[]>();
  const add = (name: string, index: number) => groups.set(name, [...(groups.get(name) ?? []), index]);
  atoms.forEach((a, i) => {
    add('ENG', i);
    add(`region ${a.region}`, i);
    add(`icb ${a.icb}`, i);
    if (!quintiles) return;
    add(`ENG q${a.quintile}`, i);
    if (publication.regions) add(`region ${a.region} q${a.quintile}`, i);
    if (publication.icbs) add(`icb ${a.icb} q${a.quintile}`, i);
  });
  return [...groups.values()];
}

/** The atoms (by index) whose figure the sums give exactly, once the atoms `known` are taken away. */
function workedOut(sums: readonly number[][], columns: number, known: ReadonlySet<number>): number[] {
  const rows = sums.map((sum) => {
    const row = new Array<number>(columns).fill(0);
    for (const i of sum) if (!known.has(i)) row[i] = 1;
    return row;
  });
  // Reduced row echelon form, partial pivoting; entries stay small integers and halves, so 1e-9 is safe.
  let rank = 0;
  const pivots: number[] = [];
  for (let c = 0; c < columns && rank < rows.length; c++) {
    let best = rank;
    for (let r = rank + 1; r < rows.length; r++)
      if (Math.abs(rows[r]?.[c] ?? 0) > Math.abs(rows[best]?.[c] ?? 0)) best = r;
    const pivotRow = rows[best] as number[];
    if (Math.abs(pivotRow[c] ?? 0) < 1e-9) continue;
    [rows[rank], rows[best]] = [pivotRow, rows[rank] as number[]];
    const pivot = pivotRow[c] as number;
    for (let k = 0; k < columns; k++) pivotRow[k] = (pivotRow[k] as number) / pivot;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as number[];
      const factor = r === rank ? 0 : (row[c] as number);
      if (Math.abs(factor) > 1e-12)
        for (let k = 0; k < columns; k++) row[k] = (row[k] as number) - factor * (pivotRow[k] as number);
    }
    pivots.push(c);
    rank++;
  }
  return pivots.filter((c, r) => (rows[r] as number[]).every((v, k) => k === c || Math.abs(v) < 1e-9));
}

/** Every way the sums give away a single PCN's figures, as text. */
function findingsOf(atoms: readonly Atom[], sums: readonly number[][]): string[] {
  const findings: string[] = [];
  const byAnyone = new Set(workedOut(sums, atoms.length, new Set()));
  for (const pcns of [1, 2])
    for (const i of byAnyone) {
      const atom = atoms[i] as Atom;
      if (atom.pcns === pcns) findings.push(`anyone: ${atom.key} (${pcns} PCN${pcns === 1 ? '' : 's'})`);
    }
  const insiders: [string, Set<number>][] = [];
  atoms.forEach((a, i) => {
    if (a.pcns === 1) insiders.push([`the PCN of ${a.key}`, new Set([i])]);
  });
  for (const level of ['icb', 'region'] as const)
    for (const area of new Set(atoms.map((a) => a[level])))
      insiders.push([`${level} ${area}`, new Set(atoms.flatMap((a, i) => (a[level] === area ? [i] : [])))]);
  for (const [who, known] of insiders)
    for (const i of workedOut(sums, atoms.length, known)) {
      const atom = atoms[i] as Atom;
      if (!known.has(i) && !byAnyone.has(i) && atom.pcns === 1) findings.push(`${who}: ${atom.key} (1 PCN)`);
    }
  return [...new Set(findings)];
}

/**
 * Every way the publication gives away a single PCN's figures that the area totals alone do not (an ICB of one or
 * two PCNs gives them away with its total, quintiles or not: not this document's to fix), as text; none is the pass.
 */
export function quintileFindings(pcns: readonly MapPcn[], publication: Publication): string[] {
  const atoms = atomsOf(pcns);
  const totalsOnly = new Set(findingsOf(atoms, publishedSums(atoms, publication, false)));
  return findingsOf(atoms, publishedSums(atoms, publication, true)).filter((f) => !totalsOnly.has(f));
}

/** The PCNs in the smallest quintile cell of any region (the SQL's rule publishes regions only where it is >= 3). */
export function smallestRegionCell(pcns: readonly MapPcn[]): number {
  const cells = new Map<string, number>();
  for (const p of pcns) cells.set(`${p.region} ${p.quintile}`, (cells.get(`${p.region} ${p.quintile}`) ?? 0) + 1);
  return Math.min(...cells.values());
}
