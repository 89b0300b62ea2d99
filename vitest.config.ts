import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'shared/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2 cores, and each file brings its own database and Redis prefix.
    fileParallelism: true,
    maxWorkers: 3,
    pool: 'forks',
    // Files in a new order on every run: each must pass alone and after any other.
    sequence: { shuffle: { files: true, tests: false } },
  },
});
