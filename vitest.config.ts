import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// EDP_TEST_DB=postgres runs the same suite against PostgreSQL at 127.0.0.1:5432 (see tests/support).
export default defineConfig({
  // Vite would load graphql's ESM build for test and source files while Pothos and Apollo, loaded by
  // Node, get the CommonJS one: two graphql modules that reject each other's types. Use Node's.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
