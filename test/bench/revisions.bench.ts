/**
 * What the revisions policy (functions/refresh/revisions.ts) costs a refresh, on a copy of a bench data folder:
 *
 *   npx tsx test/bench/revisions.bench.ts <data folder>
 *
 * Copies the folder's curated objects, receipts and reference (the folder itself is never written), then refreshes the
 * copy twice with the same data: the first release (nothing to difference against: the private record is made) and a
 * second (the previous documents and the record are read, every England figure checked). Prints, for each, the whole
 * refresh's wall and CPU seconds, the revisions' own step (deciding, and writing the record), and the record's size,
 * then what the release holds (meta.json's revisions_held), what set off each held period (the units held by their own
 * change, by document, period and reason: every other held figure is held by the period rule) and how many figures of
 * the record carry an unknown part (a fail-closed hold's; none on a second release of the same data).
 *
 *   RELEASES=2026-09-15T09:00:00Z,2026-10-05T09:00:00Z npx tsx test/bench/revisions.bench.ts <data folder>
 *
 * refreshes on those clocks instead (the same files): a month is published once it has ended, so the first release is
 * through the month before the last and the second has the last month new, as after a normal monthly upload.
 *
 *   FROM_RELEASE=1 RELEASES=2026-12-01T10:00:00Z npx tsx test/bench/revisions.bench.ts <data folder>
 *
 * copies the folder's published documents (metrics/) and its revisions record (private/) too, so the first refresh is
 * differenced against the folder's own release: what a folder's record holds and why, and which documents state a
 * break in their series (a definition version other than the record's; a record made before versions were kept is a
 * break in every document, once).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { MetaDocument } from '../../functions/contract/metrics.ts';
import { REVISIONS_STATE_KEY } from '../../functions/lib/keys.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';
import { DuckDbEngine, duckDbMerger } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { EnglandRevisions } from '../../functions/refresh/revisions.ts';

/** The policy of the refresh last run (refreshMetrics opens it; its holds' causes are read after). */
let opened: EnglandRevisions | undefined;
const open = EnglandRevisions.open.bind(EnglandRevisions);
EnglandRevisions.open = async (...args) => {
  opened = await open(...args);
  return opened;
};

async function main(source: string): Promise<void> {
  const copy = mkdtempSync(join(tmpdir(), 'revisions-bench-'));
  try {
    const folders = ['curated', 'receipts', 'reference', 'compactions'];
    if (process.env.FROM_RELEASE === '1') folders.push('metrics', 'private');
    for (const folder of folders)
      if (existsSync(join(source, folder))) cpSync(join(source, folder), join(copy, folder), { recursive: true });
    const clocks = process.env.RELEASES?.split(',') ?? ['2026-12-01T09:00:00.000Z', '2026-12-01T10:00:00.000Z'];
    for (const [i, clock] of clocks.entries()) {
      const label = `release ${i + 1} (clock ${clock})`;
      const engine = new DuckDbEngine(copy);
      const cpu = process.cpuUsage();
      const started = performance.now();
      const result = await refreshMetrics({
        store: new FsObjectStore(copy),
        engine,
        clock: () => new Date(clock),
        compaction: { merger: duckDbMerger(copy) },
      });
      const wall = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      await engine.close();
      const t = result.timings_ms;
      const stateFile = join(copy, REVISIONS_STATE_KEY);
      const json = gunzipSync(readFileSync(stateFile)).length;
      console.log(
        `${label}: refresh ${wall.toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} CPU s (process); ` +
          `revisions deciding ${((t['revisions of England figures'] ?? 0) / 1000).toFixed(2)} s of disclosure and derived ` +
          `${((t['disclosure control and derived figures'] ?? 0) / 1000).toFixed(2)} s; writing the record ` +
          `${((t['record the release for revisions'] ?? 0) / 1000).toFixed(2)} s; record ${(statSync(stateFile).size / 1e6).toFixed(2)} MB gzip ` +
          `(${(json / 1e6).toFixed(1)} MB JSON)`,
      );
      const meta = JSON.parse(readFileSync(join(copy, 'metrics/meta.json'), 'utf8')) as MetaDocument;
      const held = meta.revisions_held;
      console.log(
        `  data as of ${meta.data_as_of}; England's months held whole: ${meta.england_months_held ?? 'none'}`,
      );
      console.log(`  held: ${held ? `${held.figures} England figures of ${held.periods.join(' ')}` : 'none'}`);
      // Documents whose definition is not the record's (or the record kept none): a break in their series, not held.
      const breaks = CATALOGUE.flatMap((d) => {
        const stated = opened?.seriesBreakOf(d.name);
        return stated ? [`${d.name} (${stated.reason})`] : [];
      });
      console.log(`  series breaks: ${breaks.join(', ') || 'none'}`);
      for (const [name, h] of Object.entries(held?.documents ?? {}))
        console.log(`    ${name}: ${h.figures}${h.fail_closed ? ' (failed closed)' : ''} ${h.periods.join(' ')}`);
      const causes = new Map<string, number>();
      for (const t of opened?.heldByOwnChange() ?? []) {
        const cause = `${t.document} ${t.period}: ${t.reason.replace(/ \(.*\)$/, '')}`;
        causes.set(cause, (causes.get(cause) ?? 0) + 1);
      }
      console.log(`  set off by (units held by their own change): ${causes.size === 0 ? 'nothing' : ''}`);
      for (const [cause, units] of [...causes].sort()) console.log(`    ${units} x ${cause}`);
      const record = JSON.parse(gunzipSync(readFileSync(stateFile)).toString('utf8')) as {
        documents: Record<string, { cells: Record<string, { x?: number }> }>;
      };
      const unknown = Object.entries(record.documents)
        .map(([name, d]) => [name, Object.values(d.cells).filter((c) => c.x !== undefined).length] as const)
        .filter(([, n]) => n > 0);
      console.log(
        `  figures recorded with an unknown part: ${unknown.map(([n, c]) => `${n} ${c}`).join(', ') || 'none'}`,
      );
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

const [source] = process.argv.slice(2);
if (source === undefined) {
  console.error('usage: npx tsx test/bench/revisions.bench.ts <data folder>');
  process.exit(2);
}
await main(source);
