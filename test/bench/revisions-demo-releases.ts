/**
 * A multi-release synthetic demo on the code under a root (a worktree or `git archive` of another commit): a demo of
 * April to October 2025 (one file in about 150 delivered two months late), released after each month from June, each
 * file received on the 5th of the month after its own (a late file three months after), each release on the 12th.
 * Writes one line per release (ok, or the refresh's error) and every object's sha256 under metrics/ and private/ after
 * each release, so two roots' outputs compare byte for byte (rev31: main's and the branch's, `diff` by release).
 *
 *   npx tsx test/bench/revisions-demo-releases.ts <root> <out.txt> <seed> <scale>
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface DemoFile {
  readonly path: string;
  readonly month: string;
  readonly late: boolean;
}
const [root = '.', out = 'demo-releases.txt', seedText = '7', scaleText = '0.03'] = process.argv.slice(2);
const { generateNationalDemo } = await import(join(root, 'cli/synthetic/generate.ts'));
const { ingestFiles } = await import(join(root, 'cli/commands/ingest.ts'));
const { FsObjectStore } = await import(join(root, 'functions/lib/object-store.ts'));
const { stageReference } = await import(join(root, 'functions/lib/reference-versions.ts'));
const { DuckDbEngine } = await import(join(root, 'functions/refresh/duckdb-engine.ts'));
const { refreshMetrics } = await import(join(root, 'functions/refresh/refresh.ts'));

const work = `${out}.work`;
rmSync(work, { recursive: true, force: true });
const demoDir = join(work, 'demo');
const dataDir = join(work, 'data');
mkdirSync(dataDir, { recursive: true });
const months = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10'];
const add = (month: string, k: number) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + k, 1)).toISOString().slice(0, 7);
};
const received = (f: DemoFile) => Date.parse(`${add(f.month, f.late ? 3 : 1)}-05T00:00:00Z`);
const manifest = generateNationalDemo({
  outDir: demoDir,
  scale: Number(scaleText),
  months: months.length,
  endMonth: months.at(-1),
  seed: Number(seedText),
  faultRate: 0.003,
});
const files = manifest.files as DemoFile[];
await stageReference(new FsObjectStore(dataDir), readFileSync(join(demoDir, manifest.reference), 'utf8'));
const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
const lines: string[] = [];
const done = new Set<string>();
for (const month of months.slice(2)) {
  const clock = Date.parse(`${add(month, 1)}-12T00:00:00Z`);
  const now = files.filter((f) => !done.has(f.path) && received(f) <= clock);
  for (const f of now) done.add(f.path);
  const at = new Map(now.map((f) => [join(demoDir, f.path), received(f)]));
  await ingestFiles([...at.keys()], {
    dataDir,
    out: () => {},
    progress: false,
    receivedAt: (path: string) => new Date(at.get(path) ?? clock),
  });
  const engine = new DuckDbEngine(dataDir);
  let error = '';
  try {
    await refreshMetrics({ store: new FsObjectStore(dataDir), engine, clock: () => new Date(clock) });
  } catch (e) {
    error = String((e as Error).message).slice(0, 300);
  }
  await engine.close();
  const late = now.filter((f) => f.late).length;
  lines.push(`release ${month} files ${now.length} late ${late} ${error ? `FAILED ${error}` : 'ok'}`);
  console.log(lines.at(-1));
  for (const top of ['metrics', 'private'])
    for (const file of walk(join(dataDir, top)).sort())
      lines.push(
        `${month} ${relative(dataDir, file)} ${createHash('sha256').update(readFileSync(file)).digest('hex')}`,
      );
}
writeFileSync(out, `${lines.join('\n')}\n`);
