import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most test files spend their time waiting (DynamoDB Local, child processes, workflow runs), so a
    // few run side by side even on 2 cores; vitest's default (one fewer than the cores) runs them one
    // after another there. Files share nothing but DynamoDB Local, where each makes its own tables.
    maxWorkers: 3,
  },
});
