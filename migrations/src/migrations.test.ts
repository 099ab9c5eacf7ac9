import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, runMigrations, type TestDatabase } from './index';

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('migrations');
  });
  afterAll(async () => db?.drop());

  it('applies every migration to an empty database and is idempotent', async () => {
    const again = await runMigrations(db.url);
    expect(again).toEqual([]);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM typeorm_migrations`);
    await c.end();
    expect(rows[0].n).toBeGreaterThan(0);
  });
});
