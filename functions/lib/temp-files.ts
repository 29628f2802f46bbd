/**
 * The local store's temp folder, `<data>/.tmp` (review 21, R21-5). Three things write there: FsObjectStore's put (a
 * file named by a UUID, renamed into place within moments), the compaction's merger (a folder `compact-…` a merged
 * month is written to) and the refresh's DuckDB (a folder `duckdb-…` it spills to). Each removes its own when it ends,
 * but not when the process is killed (out of memory, a power cut, a container stopped): a merged month (nationally
 * hundreds of MB) or a spill (GBs) was left for good, and the data disk filled over months of releases.
 *
 * The merger's and DuckDB's folders are named with their process's id, and this process keeps the ones it has in use
 * (tempFolder, releaseTempFolder). sweepTemp, run when a DuckDB engine or merger starts (every local refresh), removes
 * a folder whose process has ended, or of this process's id and not in use (a process before it had the same id, as in
 * a restarted container), never one another process still running has in use (a `refresh` beside a `serve` on the same
 * folder). A store temp file, or a folder named before process ids were (no id), is removed once an hour old: a put
 * takes moments, so one that old belongs to no write still running.
 */
import { randomUUID } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const TEMP_DIR = '.tmp';

/** A store temp file or a folder without a process id is stale after this long. */
export const STALE_TEMP_MS = 60 * 60 * 1000;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const WITH_PID = new RegExp(`^(?:compact|duckdb)-(\\d+)-${UUID}$`);
const WITHOUT_PID = new RegExp(`^(?:compact-|duckdb-)?${UUID}$`);

/** The folders of this process in use (absolute paths). */
const inUse = new Set<string>();

/** A new folder of this process under `parent` (not made: the caller or DuckDB makes it), kept as in use. */
export function tempFolder(parent: string, kind: 'compact' | 'duckdb'): string {
  const path = join(parent, `${kind}-${process.pid}-${randomUUID()}`);
  inUse.add(path);
  return path;
}

/** The folder is no longer in use (removed, or about to be). */
export function releaseTempFolder(path: string): void {
  inUse.delete(path);
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the stale entries of a temp folder (see above) and returns their names, sorted; a folder that is missing
 * has none. Entries of any other name are left alone. `spillOnly`: a folder that is not the store's (DuckDB's spill
 * set elsewhere with DUCKDB_TEMP_DIRECTORY, perhaps a system one shared with other programs): only the `duckdb-PID-…`
 * folders this code names are considered there, never a file or folder of another name.
 */
export async function sweepTemp(dir: string, { now = Date.now(), spillOnly = false } = {}): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names.sort()) {
    const path = join(dir, name);
    const pid = WITH_PID.exec(name)?.[1];
    if (spillOnly && (pid === undefined || !name.startsWith('duckdb-'))) continue;
    let stale: boolean;
    if (pid !== undefined) stale = Number(pid) === process.pid ? !inUse.has(path) : !running(Number(pid));
    else if (WITHOUT_PID.test(name)) {
      const info = await stat(path).catch(() => undefined);
      stale = info !== undefined && now - info.mtimeMs > STALE_TEMP_MS;
    } else stale = false;
    if (!stale) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** One line for the operator when stale entries were removed (names are UUIDs and process ids: nothing personal). */
export function reportSwept(dir: string, removed: readonly string[], log = console.log): void {
  if (removed.length > 0)
    log(
      `removed ${removed.length} stale temp ${removed.length === 1 ? 'entry' : 'entries'} left in ${dir} by a process that stopped part-way: ${removed.slice(0, 5).join(', ')}${removed.length > 5 ? ', …' : ''}`,
    );
}
