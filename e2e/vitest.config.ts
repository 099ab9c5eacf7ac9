import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// Browser smoke tests of the whole portal. The global setup starts an embedded Postgres when
// DATABASE_URL is unset (same as the node suite) and builds the portal when its build is stale.
// Rooted at the repository like the node suite so workspace packages resolve the same way
// The API runs in-process; `graphql` is aliased to its CommonJS entry so the inlined
// type-graphql and the externally loaded Apollo share one `graphql` instance.
export default defineConfig({
  resolve: { alias: { graphql: require.resolve('graphql') } },
  test: {
    root: resolve(import.meta.dirname, '..'),
    include: ['e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    globalSetup: ['scripts/test-global-setup.ts', 'e2e/global-setup.ts'],
    server: { deps: { inline: ['type-graphql', 'graphql-scalars'] } },
  },
});
