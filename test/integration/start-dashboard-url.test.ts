import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { localServerUrl } from '../../cli/commands/start.ts';
import { META_KEY, releasedKey } from '../../functions/lib/keys.ts';
import { releaseOf } from '../../functions/lib/release.ts';
import { tempDir } from '../support/files.ts';

/*
 * `npm start` sets the address its PDF packs link to (DASHBOARD_URL, the dashboard's Methodology page) to the local
 * server's own, unless one is set by hand. A tiny demo through the installed command, stopped once ready.
 */
const dir = tempDir('start-dashboard-url');
afterAll(() => dir.remove());

describe('npm start and the packs’ dashboard address', () => {
  it('is the address the server will have: localhost on loopback, none before listening on port 0', () => {
    expect(localServerUrl('127.0.0.1', 8080)).toBe('http://localhost:8080');
    expect(localServerUrl('::1', 8081)).toBe('http://localhost:8081');
    expect(localServerUrl('0.0.0.0', 8082)).toBe('http://0.0.0.0:8082');
    expect(localServerUrl('fd00::1', 8083)).toBe('http://[fd00::1]:8083');
    expect(localServerUrl('127.0.0.1', 0)).toBeUndefined();
  });

  it("links every pack to the local server's Methodology page, the server's own address", async () => {
    const port = 21_000 + Math.floor(Math.random() * 2_000);
    const { DASHBOARD_URL: _, ...env } = process.env;
    const child = spawn(
      process.execPath,
      ['cli/sp-outcomes.js', 'start', '--data', dir.path, '--port', String(port), '--scale', '0.003', '--months', '2'],
      { stdio: ['ignore', 'pipe', 'pipe'], env },
    );
    let ready = '';
    for await (const line of createInterface({ input: child.stdout })) {
      if (line.startsWith('Ready in')) {
        ready = line;
        child.kill('SIGTERM');
      }
    }
    expect(ready).toContain(`http://localhost:${port}`);
    // The packs of the release meta.json names (metrics/releases/<release>/packs/, R24-2).
    const release = releaseOf(JSON.parse(readFileSync(join(dir.path, META_KEY), 'utf8')) as object);
    const packs = join(dir.path, releasedKey(release, 'metrics/packs/national'));
    const [pack] = readdirSync(packs);
    const urls = execFileSync('pdfinfo', ['-url', join(packs, pack as string)], { encoding: 'utf8' });
    expect(urls).toContain(`http://localhost:${port}/methodology`);
  }, 300_000);
});
