import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { base } from './vitest.config.ts';

/** `npm run test:load`: the national load test, apart from `npm test` because it takes minutes. */
export default defineConfig({
  plugins: [react()],
  test: { ...base, include: ['test/load/**/*.load.test.ts'], testTimeout: 1_800_000, hookTimeout: 600_000 },
});
