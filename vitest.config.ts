import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

/**
 * Three projects (https://vitest.dev/guide/projects): `npm run test:unit` is the edit loop (no servers, no browser),
 * `test:integration` runs the pipeline, servers and CLI on loopback, `test:e2e` drives Chromium. `npm test` runs
 * all three. test:aws and test:load keep their own configs, which take `base` without the projects.
 */
export const base: { testTimeout: number; hookTimeout: number; pool: 'forks'; execArgv: string[] } = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: 'forks',
  // s3rver (the loopback S3 server) makes list continuation tokens with DES, which OpenSSL 3 keeps in its
  // legacy provider. Only the test workers need it; production code never does.
  execArgv: ['--openssl-legacy-provider'],
};

export default defineConfig({
  plugins: [react()],
  test: {
    ...base,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'dashboard/src/**/*.test.{ts,tsx}'] },
      },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.e2e.test.ts'] } },
    ],
  },
});
