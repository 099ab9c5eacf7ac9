import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Park layout (issue 10, park view "map or layout of the park"): one position per member enterprise on
 * the park's abstract canvas (x 0–1000, y 0–600), with an optional outline polygon and label.
 * The row is keyed by the park and the enterprise, and the foreign key (enterprise_id, park_id) makes a
 * position for an enterprise of another park impossible. RLS by park (`app_park_visible`): the API
 * reads with `park:read` (park admins, regulators of the jurisdiction, platform admins) and writes
 * with `park:layout` (park admins only), each transaction scoped to the parks of that permission.
 */
export class ParkLayout1796029000000 implements MigrationInterface {
  name = 'ParkLayout1796029000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE UNIQUE INDEX IF NOT EXISTS enterprises_id_park_uq ON enterprises (id, park_id)`);
    await q.query(`
      CREATE TABLE park_layout_position (
        park_id uuid NOT NULL REFERENCES parks(id),
        enterprise_id uuid NOT NULL,
        x numeric(7,2) NOT NULL CHECK (x >= 0 AND x <= 1000),
        y numeric(7,2) NOT NULL CHECK (y >= 0 AND y <= 600),
        label text NULL CHECK (label IS NULL OR char_length(label) BETWEEN 1 AND 80),
        outline jsonb NULL CHECK (outline IS NULL OR (jsonb_typeof(outline) = 'array'
          AND jsonb_array_length(outline) BETWEEN 3 AND 64)),
        updated_by text NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (park_id, enterprise_id),
        FOREIGN KEY (enterprise_id, park_id) REFERENCES enterprises (id, park_id)
          ON UPDATE CASCADE ON DELETE CASCADE
      )`);
    await q.query(`ALTER TABLE park_layout_position ENABLE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY park_layout_scope ON park_layout_position
       USING (app_park_visible(park_id)) WITH CHECK (app_park_visible(park_id))`,
    );
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON park_layout_position TO opencep_app`);
    await q.query(`REVOKE TRUNCATE ON park_layout_position FROM PUBLIC, opencep_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS park_layout_position`);
    await q.query(`DROP INDEX IF EXISTS enterprises_id_park_uq`);
  }
}
