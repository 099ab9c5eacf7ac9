import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Schemas every module builds on: `chain` holds the indexer mirror (STYLE: indexer tables apart). */
export class Foundation1764480000000 implements MigrationInterface {
  name = 'Foundation1764480000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS chain`);
    await q.query(`
      CREATE TABLE platform_kv (
        key text PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE platform_kv`);
    await q.query(`DROP SCHEMA chain CASCADE`);
  }
}
