import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import pg from 'pg';
import { DataSource } from 'typeorm';

/** A migrated test database with one park and enterprise, and a DataSource on it. */
export interface MeteringFixture {
  db: TestDatabase;
  ds: DataSource;
  pool: pg.Pool;
  enterpriseId: string;
  close(): Promise<void>;
}

export async function meteringFixture(label: string): Promise<MeteringFixture> {
  const db = await createTestDatabase(label);
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  // pool.end() resolves before the backends have exited; the drop below then terminates them and an
  // idle client's FATAL 57P01 would surface as an uncaught pool error
  pool.on('error', () => undefined);
  const park = await pool.query<{ id: string }>(
    `INSERT INTO parks (name, jurisdiction) VALUES ('Test park', 'CN-42') RETURNING id`,
  );
  const ent = await pool.query<{ id: string }>(
    `INSERT INTO enterprises (park_id, name) VALUES ($1, 'Test works') RETURNING id`,
    [park.rows[0]!.id],
  );
  const ds = new DataSource({
    type: 'postgres',
    url: db.url,
    synchronize: false,
    logging: false,
    poolSize: 4,
  });
  await ds.initialize();
  return {
    db,
    ds,
    pool,
    enterpriseId: ent.rows[0]!.id,
    async close() {
      await ds.destroy();
      await pool.end();
      await db.drop();
    },
  };
}
