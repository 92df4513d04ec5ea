// vitest configuration: property suites live in properties/, one file per concern.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['properties/**/*.test.ts'],
    // The long checks run in `npm run test:long` (vitest.long.config.ts).
    exclude: ['**/node_modules/**', 'properties/**/*.long.test.ts'],
    globalSetup: ['properties/setup/build.ts'],
    setupFiles: ['properties/setup/yield.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
