import { execFile } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runPcnTokenCreate, runUserToken, storageProblem } from '../../cli/commands/tokens.ts';
import type { Uploader } from '../../cli/commands/upload.ts';
import { watchDir } from '../../cli/commands/upload-folder.ts';
import { SIGNING_KEY, signingSecret } from '../../functions/auth/local-tokens.ts';
import { identityOf, Scope } from '../../functions/auth/scope.ts';
import type { MetricRow } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';
import { tempDir } from '../support/files.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';

/** The smaller items of issue 11: each refusal exact, each secret file private, each loop leak-free. */
const run = promisify(execFile);
const dir = tempDir('cli-hostile');
afterAll(() => dir.remove());
const cli = (...args: string[]) =>
  run(process.execPath, ['cli/sp-outcomes.js', ...args], { encoding: 'utf8' }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('the local signing key is readable by its owner only', () => {
  it('made 0600, and an older 0644 key is narrowed to 0600 when next read', async () => {
    const store = new FsObjectStore(join(dir.path, 'key-data'));
    const secret = await signingSecret(store);
    const path = join(store.root, ...SIGNING_KEY.split('/'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    chmodSync(path, 0o644);
    expect(await signingSecret(store)).toEqual(secret);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});

describe('token --hours is bounded', () => {
  it.each(['-1', '0.5', '100000', 'soon'])(
    '--hours %s: exit 1, one clear line',
    async (hours) => {
      const result = await cli('token', '--role', 'national', '--hours', hours, '--data', join(dir.path, 'tok'));
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: `error: option '--hours <n>' argument '${hours}' is invalid. --hours must be a number of hours from 1 to 720 (30 days)\n`,
      });
    },
    30_000,
  );

  it('the same rule when called directly, and 720 hours is allowed', async () => {
    const opts = { role: 'national', user: 'x', url: 'http://localhost:8080' };
    await expect(runUserToken(join(dir.path, 'tok'), { ...opts, hours: 721 }, () => {})).rejects.toThrow(
      '--hours must be a number of hours from 1 to 720 (30 days)',
    );
    await expect(runUserToken(join(dir.path, 'tok'), { ...opts, hours: 720 }, () => {})).resolves.toMatch(/^eyJ/);
  });
});

describe('pcn-token create where it cannot write prints one line, never a stack', () => {
  it('a data folder under a file: exit 1 and the reason', async () => {
    const blocker = join(dir.path, 'not-a-folder');
    writeFileSync(blocker, '');
    const result = await cli('pcn-token', 'create', 'U00001', '--data', join(blocker, 'data'));
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `sp-outcomes: cannot write to ${join(blocker, 'data')}: part of the path is a file, not a folder (ENOTDIR)\n`,
    });
  }, 30_000);

  it.each([
    ['EACCES', 'permission denied'],
    ['EROFS', 'the file system is read-only'],
  ])('%s from the store: "%s"', async (code, reason) => {
    const store = new MemoryObjectStore();
    store.put = async () => {
      throw Object.assign(new Error(`${code}: raw message`), { code });
    };
    await expect(runPcnTokenCreate(store, 'U00001', { expiresInDays: 1, rotate: false }, () => {})).rejects.toThrow(
      `cannot write to the data bucket: ${reason} (${code})`,
    );
    expect(storageProblem(new Error('other'), 'x').message).toBe('other');
  });
});

describe('scope fails closed, and data_quality says who sees it', () => {
  const geography = {
    icbs: [
      { code: 'QAA', name: 'A', parent: 'Y01' },
      { code: 'QBB', name: 'B', parent: 'Y02' },
    ],
    pcns: [
      { code: 'U00001', name: 'One', parent: 'QAA', list_size: 1 },
      { code: 'U00002', name: 'Two', parent: 'QBB', list_size: 1 },
    ],
  };
  const scope = (role: string, code: string) => new Scope(identityOf(role, code, 't'), geography);

  it.each([
    ['national', 'ENG', true],
    ['region', 'Y01', false],
    ['icb', 'QAA', false],
    ['pcn', 'U00001', false],
  ])('a row at an unknown level is shown to %s %s: %s', (role, code, shown) => {
    for (const level of ['practice', 'ward', 'PCN', '']) expect(scope(role, code).allows(level, 'U00001')).toBe(shown);
  });

  it('regional and ICB leads see data_quality rows for their own PCNs only, as its description says', () => {
    const description = CATALOGUE.find((m) => m.name === 'data_quality')?.description ?? '';
    expect(description).toContain('to regional and ICB leads for the PCNs in their area');
    const rows: MetricRow[] = [
      { level: 'pcn', code: 'U00001', period_type: 'all', period: 'all' },
      { level: 'pcn', code: 'U00002', period_type: 'all', period: 'all' },
    ];
    expect(
      scope('region', 'Y01')
        .rows(rows)
        .map((r) => r.code),
    ).toEqual(['U00001']);
    expect(
      scope('icb', 'QBB')
        .rows(rows)
        .map((r) => r.code),
    ).toEqual(['U00002']);
    expect(
      scope('pcn', 'U00002')
        .rows(rows)
        .map((r) => r.code),
    ).toEqual(['U00002']);
  });
});

describe('upload --watch can run for months', () => {
  it('30 polls leave no abort listener behind and raise no MaxListenersExceededWarning', async () => {
    const folder = join(dir.path, 'watched');
    mkdirSync(folder);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    const controller = new AbortController();
    let polls = 0;
    const counts: number[] = [];
    const watching = watchDir(folder, {} as Uploader, () => {}, { intervalMs: 1, signal: controller.signal });
    while (polls < 30) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      counts.push(getEventListeners(controller.signal, 'abort').length);
      polls++;
    }
    controller.abort();
    await watching;
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(Math.max(...counts)).toBeLessThanOrEqual(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(warnings).toEqual([]);
  });
});
