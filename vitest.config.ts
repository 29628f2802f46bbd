import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/integration/**/*.test.ts',
      'test/e2e/**/*.e2e.test.ts',
      'dashboard/src/**/*.test.{ts,tsx}',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // s3rver (the loopback S3 server) makes list continuation tokens with DES, which OpenSSL 3 keeps in its
    // legacy provider. Only the test workers need it; production code never does.
    execArgv: ['--openssl-legacy-provider'],
  },
});
