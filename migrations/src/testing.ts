import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server-level URL tests create their databases on: TEST_ADMIN_DATABASE_URL, else DATABASE_URL. */
export function adminDatabaseUrl(): string {
  const url = process.env.TEST_ADMIN_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      'DATABASE_URL is not set: run tests through `npm test` (vitest globalSetup starts an embedded Postgres) or export DATABASE_URL',
    );
  }
  return url;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * Creates a fresh, fully migrated database for one test file, so files never share state and
 * can run in parallel. Call `drop()` in afterAll.
 */
export async function createTestDatabase(
  label = 'test',
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const admin = adminDatabaseUrl();
  const name = `opencep_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = withDatabase(admin, name);
  if (options.migrate !== false) {
    const { runMigrations } = await import('./index');
    await runMigrations(url);
  }
  return {
    url,
    name,
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
