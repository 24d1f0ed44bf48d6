import { defineConfig } from 'vitest/config';

// EDP_TEST_DB=postgres runs the same suite against PostgreSQL at 127.0.0.1:5432 (see tests/support).
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
