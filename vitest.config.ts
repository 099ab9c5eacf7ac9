import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One vitest run covers every Node workspace. Each integration test file creates its own
// Postgres database (see migrations/src/testing.ts), so files run in parallel safely.
export default defineConfig({
  // One graphql instance: inlined deps (type-graphql) would otherwise get index.mjs while Node-loaded
  // ones (@apollo/server, graphql-ws) get index.js, and graphql refuses schemas from another realm.
  resolve: {
    alias: [
      {
        find: /^graphql$/,
        replacement: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)),
      },
    ],
  },
  test: {
    include: [
      'api/src/**/*.test.ts',
      'indexer/src/**/*.test.ts',
      'migrations/src/**/*.test.ts',
      'gateway/src/**/*.test.ts',
      'verify/src/**/*.test.ts',
      'scripts/**/*.test.ts',
      'web/src/lib/views/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['scripts/test-global-setup.ts'],
    maxWorkers: 2,
    server: { deps: { inline: ['type-graphql', 'graphql-scalars'] } },
  },
});
