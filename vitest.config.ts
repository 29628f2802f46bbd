import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

/**
 * Four projects (https://vitest.dev/guide/projects): `npm run test:unit` is the edit loop (no servers, no browser,
 * under 30 s on two cores), `test:infra` synthesises the CDK app, `test:integration` runs the pipeline, servers and
 * CLI on loopback, `test:e2e` drives Chromium. `npm test` runs all four. test:aws and test:load keep their own
 * configs, which take `base` without the projects: the global setup (the run's temporary folders in one folder,
 * removed at its end: test/support/run-temp-folder.ts) is in `base`, so theirs too (review 42, R42-2).
 */
export const base: {
  testTimeout: number;
  hookTimeout: number;
  pool: 'forks';
  execArgv: string[];
  globalSetup: string[];
} = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: 'forks',
  globalSetup: ['test/support/run-temp-folder.ts'],
  // s3rver (the loopback S3 server) makes list continuation tokens with DES, which OpenSSL 3 keeps in its
  // legacy provider. Only the test workers need it; production code never does.
  execArgv: ['--openssl-legacy-provider'],
};

/** Tests that synthesise the CDK app (aws-cdk-lib and cdk-nag): the `infra` project, `npm run test:infra`. */
const SYNTH_TESTS = [
  'test/unit/infra.test.ts',
  'test/unit/infra-deploy.test.ts',
  'test/unit/infra-review33.test.ts',
  'test/unit/infra-edge.test.ts',
  'test/unit/regional-alerts.test.ts',
  'test/unit/kms-key-policies.test.ts',
];

// The legacy OpenSSL provider only where s3rver runs: a worker thread refuses the flag.
const { execArgv, ...shared } = base;

export default defineConfig({
  plugins: [react()],
  test: {
    ...shared,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'dashboard/src/**/*.test.{ts,tsx}'],
          exclude: SYNTH_TESTS,
          // One worker per core keeps its modules between files (https://vitest.dev/config/#isolate): most of the
          // edit loop's time was each file importing the same modules again. No unit test mocks a module or leaves
          // state behind (sign-in.test.ts unstubs its globals after each test).
          pool: 'threads',
          isolate: false,
        },
      },
      // The CDK templates under cdk-nag: no servers, but each synth takes seconds, so not in the edit loop.
      { extends: true, test: { name: 'infra', include: SYNTH_TESTS } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'], execArgv } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.e2e.test.ts'], execArgv } },
    ],
  },
});
