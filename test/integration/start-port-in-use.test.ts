import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { start } from '../../cli/commands/start.ts';
import { tempDir } from '../support/files.ts';

/*
 * `npm start` on a port something else holds stops at once and says so, before it generates, ingests and refreshes a
 * demo for a minute (it used to find out only when the server listened at the end: `listen EADDRINUSE`).
 */
const dir = tempDir('start-port-in-use');
afterAll(() => dir.remove());

function listening(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const holder = createServer();
    holder.once('error', reject);
    holder.listen(0, '127.0.0.1', () => resolve(holder));
  });
}

describe('npm start on a port in use', () => {
  it('stops before any demo work, naming the port and how to choose another', async () => {
    const holder = await listening();
    const address = holder.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const data = `${dir.path}/data`;
    try {
      await expect(
        start({ dataDir: data, scale: 0.003, months: 2, seed: 1, port: address.port, host: '127.0.0.1' }),
      ).rejects.toThrow(`port ${address.port} on 127.0.0.1 is in use`);
      // Nothing generated, ingested or refreshed: the data folder was never made.
      expect(existsSync(data)).toBe(false);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });
});
