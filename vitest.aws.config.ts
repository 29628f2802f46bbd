import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { base } from './vitest.config.ts';

/** `npm run test:aws`: the cdk.out bundles against s3rver and the Athena stand-in, apart from `npm test` (minutes). */
export default defineConfig({
  plugins: [react()],
  test: { ...base, include: ['test/aws/**/*.aws.test.ts'], testTimeout: 900_000, hookTimeout: 900_000 },
});
