import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import { runRefresh } from '../../cli/commands/refresh.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { releaseTempFolder, sweepTemp, tempFolder } from '../../functions/lib/temp-files.ts';
import { tempDir } from '../support/files.ts';
import { referralEvent, writeEventFiles } from '../support/golden.ts';

/*
 * Red-team review 21, R21-5: a local refresh killed mid-compaction (or after DuckDB spilled) left its merged month
 * (`.tmp/compact-…`) or its spill (`.tmp/duckdb-…`) under the data folder for good, and a put killed part-way its temp
 * file. A local refresh now sweeps them when its DuckDB engine and its compaction's merger start: the folders of a
 * process that has ended, and temp files (or folders named before process ids were) over an hour old; never what a
 * process still running has in use (a `refresh` beside a `serve` on the same folder: the local pipeline runs one
 * refresh at a time in its process, nothing stops another process), nor a store temp file being written now.
 */
const dir = tempDir('temp-sweep');
afterAll(() => dir.remove());

/** The id of a process that has ended (run and waited for). */
const endedPid = () => {
  const child = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  expect(child.status).toBe(0);
  return child.pid;
};

const REFERENCE =
  'pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to\n' +
  'U00001,Alpha PCN,QAA,NHS Alpha ICB,Y56,London,30000,2019-04-01,\n';

describe('stale temp files of the local store (review 21, R21-5)', () => {
  it('a refresh removes what a killed one left, and leaves what a running process has in use', async () => {
    const dataDir = join(dir.path, 'data');
    await stageReference(new FsObjectStore(dataDir), REFERENCE, new Date('2025-07-01T00:00:00Z'));
    const [file] = writeEventFiles(dir.path, {
      'u00001.csv': Array.from({ length: 6 }, (_, i) =>
        referralEvent('U00001', `R-${i}`, `2025-0${4 + (i % 3)}-1${i}`),
      ),
    });
    expect((await ingestFiles([file as string], { dataDir, out: () => {}, progress: false })).exitCode).toBe(0);

    const tmp = join(dataDir, '.tmp');
    const hourAgo = new Date(Date.now() - 61 * 60 * 1000);
    const leave = (name: string, old = false) => {
      const path = join(tmp, name);
      if (name.startsWith('compact-') || name.startsWith('duckdb-')) {
        mkdirSync(path, { recursive: true });
        writeFileSync(join(path, 'data_0.parquet'), 'a merged month, part-written');
      } else writeFileSync(path, 'a put, part-written');
      if (old) utimesSync(path, hourAgo, hourAgo);
      return name;
    };
    const dead = endedPid();
    const stale = [
      leave(`compact-${dead}-${randomUUID()}`), // a compaction killed: its process has ended
      leave(`duckdb-${dead}-${randomUUID()}`), // a refresh's spill, killed
      leave(`compact-${process.pid}-${randomUUID()}`), // this process's id, not in use: a process before it had it
      leave(`compact-${randomUUID()}`, true), // named before process ids were, an hour old
      leave(randomUUID(), true), // a put killed an hour ago
    ].sort();
    // A running process's (this test runner's parent, alive) and a put being written now are kept.
    const kept = [
      leave(`compact-${process.ppid}-${randomUUID()}`),
      leave(`duckdb-${process.ppid}-${randomUUID()}`),
      leave(randomUUID()),
      leave(`compact-${randomUUID()}`),
      leave('notes.txt', true), // not a name the store, the merger or DuckDB gives: not theirs to remove
    ].sort();

    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await runRefresh(dataDir, () => {});
      // The merger starts first (the refresh compacts before it reads) and sweeps the folder: one line, the 5 names.
      expect(log.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('stale temp'))).toEqual([
        `removed 5 stale temp entries left in ${tmp} by a process that stopped part-way: ${stale.join(', ')}`,
      ]);
    } finally {
      log.mockRestore();
    }
    expect(readdirSync(tmp).sort()).toEqual(kept);
  }, 120_000);

  it('this process’s folder in use is kept until released', async () => {
    const tmp = join(dir.path, 'own', '.tmp');
    mkdirSync(tmp, { recursive: true });
    const folder = tempFolder(tmp, 'compact');
    mkdirSync(folder);
    expect(await sweepTemp(tmp)).toEqual([]);
    releaseTempFolder(folder);
    expect(await sweepTemp(tmp)).toEqual([folder.slice(tmp.length + 1)]);
    expect(readdirSync(tmp)).toEqual([]);
    // A spill folder set elsewhere (DUCKDB_TEMP_DIRECTORY, perhaps shared): only the `duckdb-PID-…` folders are
    // considered there, not an old file or folder another program named by a UUID.
    const dead = endedPid();
    const shared = join(dir.path, 'shared');
    mkdirSync(shared);
    const hourAgo = new Date(Date.now() - 61 * 60 * 1000);
    const theirs = [randomUUID(), `compact-${dead}-${randomUUID()}`, `duckdb-${randomUUID()}`];
    for (const name of theirs) mkdirSync(join(shared, name));
    for (const name of theirs) utimesSync(join(shared, name), hourAgo, hourAgo);
    const spill = `duckdb-${dead}-${randomUUID()}`;
    mkdirSync(join(shared, spill));
    expect(await sweepTemp(shared, { spillOnly: true })).toEqual([spill]);
    expect(readdirSync(shared).sort()).toEqual(theirs.sort());
    // A folder that does not exist has nothing to sweep.
    expect(await sweepTemp(join(dir.path, 'none'))).toEqual([]);
  });
});
