// vitest configuration of `npm run test:long`: the long-running checks (*.long.test.ts), which the
// default suite (vitest.config.ts) excludes. One file at a time, no time limit per test.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['properties/**/*.long.test.ts'],
    testTimeout: 0,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
