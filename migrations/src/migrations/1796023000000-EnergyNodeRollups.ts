import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hierarchy-node rollups for the energy dashboards (issue 7): per enterprise / site / area / line
 * node, per energy type and unit, the same 15m / 1h / 1d / 1mo × TOU-period buckets as
 * `metering_rollup`, equal to the sum of the node's member meters' rollups.
 *
 * - `energy_node_member`: which meters count toward which node — the rules of
 *   `resolveNodeMeters` (energy.service.ts): meters on the node's equipment and areas, formula
 *   meters and non-energy kinds excluded, a meter whose parent meter is in the same node skipped.
 * - `energy_node_state.members_hash`: md5 of the member list the node's rollups were built for; the
 *   API compares it with the node's current meters and falls back to the meter rollups when they
 *   differ (hierarchy edited since the last refresh), so a stale node is never served.
 * - Maintenance: statement-level triggers on `metering_rollup` (transition tables) add each
 *   statement's deltas to the nodes of the touched meters — metering's code is not changed.
 *   `energy_refresh_node_rollups(enterprise, full)` re-derives membership and adds / subtracts the
 *   rollups of meters that joined / left a node (or rebuilds everything when `full`).
 * - Concurrency: the trigger holds a shared advisory lock per enterprise, a refresh the exclusive
 *   one, so a refresh never interleaves with deltas of the same enterprise. Deltas are written in
 *   key order, so concurrent ingests touching the same node buckets lock them in the same order.
 */
export class EnergyNodeRollups1796023000000 implements MigrationInterface {
  name = 'EnergyNodeRollups1796023000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE energy_node_member (
        enterprise_id uuid NOT NULL,
        node_kind text NOT NULL CHECK (node_kind IN ('ENTERPRISE','SITE','AREA','LINE')),
        node_id uuid NOT NULL,
        meter_id uuid NOT NULL,
        energy_type text NOT NULL,
        unit text NOT NULL,
        PRIMARY KEY (enterprise_id, meter_id, node_kind, node_id)
      )`);
    await q.query(`
      CREATE TABLE energy_node_state (
        enterprise_id uuid NOT NULL,
        node_kind text NOT NULL,
        node_id uuid NOT NULL,
        members_hash text NOT NULL,
        refreshed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_id, node_kind, node_id)
      )`);
    await q.query(`
      CREATE TABLE energy_node_rollup (
        enterprise_id uuid NOT NULL,
        node_id uuid NOT NULL,
        grain text NOT NULL CHECK (grain IN ('15m','1h','1d','1mo')),
        bucket_start timestamptz NOT NULL,
        energy_type text NOT NULL,
        unit text NOT NULL,
        tou_period text NOT NULL,
        value numeric NOT NULL,
        PRIMARY KEY (enterprise_id, node_id, grain, bucket_start, energy_type, unit, tou_period)
      )`);
    for (const t of ['energy_node_member', 'energy_node_state', 'energy_node_rollup']) {
      await q.query(`SELECT opencep_enable_tenant_rls('${t}')`);
    }

    // Membership by the rules of resolveNodeMeters (ENTERPRISE / SITE / AREA / LINE nodes).
    await q.query(`
      CREATE FUNCTION energy_node_members_of(p_enterprise uuid)
      RETURNS TABLE (node_kind text, node_id uuid, meter_id uuid, energy_type text, unit text)
      LANGUAGE sql STABLE AS $$
        WITH mt AS (
          SELECT m.id, m.parent_meter_id, m.energy_type, m.unit, m.area_id AS m_area,
                 l.id AS line_id, l.area_id AS l_area
          FROM metering_meter m
          LEFT JOIN equipment e ON e.enterprise_id = m.enterprise_id AND e.id = m.equipment_id
          LEFT JOIN lines l ON l.enterprise_id = e.enterprise_id AND l.id = e.line_id
          WHERE m.enterprise_id = p_enterprise AND m.formula IS NULL AND m.kind IN ('cumulative', 'interval')
        ), cand AS (
          SELECT 'ENTERPRISE' AS k, p_enterprise AS n, id FROM mt
          UNION SELECT 'LINE', line_id, id FROM mt WHERE line_id IS NOT NULL
          UNION SELECT 'AREA', l_area, id FROM mt WHERE l_area IS NOT NULL
          UNION SELECT 'AREA', m_area, id FROM mt WHERE m_area IS NOT NULL
          UNION SELECT 'SITE', a.site_id, mt.id FROM mt
                JOIN areas a ON a.enterprise_id = p_enterprise AND (a.id = mt.l_area OR a.id = mt.m_area)
        )
        SELECT c.k, c.n, c.id, mt.energy_type, mt.unit FROM cand c JOIN mt ON mt.id = c.id
        WHERE NOT EXISTS (SELECT 1 FROM cand p WHERE p.k = c.k AND p.n = c.n AND p.id = mt.parent_meter_id)
      $$`);

    // Deltas of one metering_rollup statement → node rollups (transition tables new_rows / old_rows).
    await q.query(`
      CREATE FUNCTION energy_node_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          PERFORM pg_advisory_xact_lock_shared(7007, hashtext(e::text))
            FROM (SELECT DISTINCT enterprise_id AS e FROM new_rows) x;
          INSERT INTO energy_node_rollup AS n
            (enterprise_id, node_id, grain, bucket_start, energy_type, unit, tou_period, value)
          SELECT d.enterprise_id, nm.node_id, d.grain, d.bucket_start, nm.energy_type, nm.unit, d.tou_period,
                 sum(d.value)
          FROM new_rows d
          JOIN energy_node_member nm ON nm.enterprise_id = d.enterprise_id AND nm.meter_id = d.meter_id
          GROUP BY 1, 2, 3, 4, 5, 6, 7
          ORDER BY 1, 2, 3, 4, 5, 6, 7
          ON CONFLICT (enterprise_id, node_id, grain, bucket_start, energy_type, unit, tou_period)
          DO UPDATE SET value = n.value + EXCLUDED.value;
        ELSE
          PERFORM pg_advisory_xact_lock_shared(7007, hashtext(e::text))
            FROM (SELECT DISTINCT enterprise_id AS e FROM old_rows) x;
          INSERT INTO energy_node_rollup AS n
            (enterprise_id, node_id, grain, bucket_start, energy_type, unit, tou_period, value)
          SELECT d.enterprise_id, nm.node_id, d.grain, d.bucket_start, nm.energy_type, nm.unit, d.tou_period,
                 sum(d.value)
          FROM (
            SELECT enterprise_id, meter_id, grain, bucket_start, tou_period, -value AS value FROM old_rows
            UNION ALL
            SELECT enterprise_id, meter_id, grain, bucket_start, tou_period, value FROM new_rows
          ) d
          JOIN energy_node_member nm ON nm.enterprise_id = d.enterprise_id AND nm.meter_id = d.meter_id
          GROUP BY 1, 2, 3, 4, 5, 6, 7
          HAVING sum(d.value) <> 0
          ORDER BY 1, 2, 3, 4, 5, 6, 7
          ON CONFLICT (enterprise_id, node_id, grain, bucket_start, energy_type, unit, tou_period)
          DO UPDATE SET value = n.value + EXCLUDED.value;
        END IF;
        RETURN NULL;
      END $$`);
    // A DELETE trigger has no new_rows: its own function.
    await q.query(`
      CREATE FUNCTION energy_node_rollup_apply_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock_shared(7007, hashtext(e::text))
          FROM (SELECT DISTINCT enterprise_id AS e FROM old_rows) x;
        INSERT INTO energy_node_rollup AS n
          (enterprise_id, node_id, grain, bucket_start, energy_type, unit, tou_period, value)
        SELECT d.enterprise_id, nm.node_id, d.grain, d.bucket_start, nm.energy_type, nm.unit, d.tou_period,
               -sum(d.value)
        FROM old_rows d
        JOIN energy_node_member nm ON nm.enterprise_id = d.enterprise_id AND nm.meter_id = d.meter_id
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        HAVING sum(d.value) <> 0
        ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (enterprise_id, node_id, grain, bucket_start, energy_type, unit, tou_period)
        DO UPDATE SET value = n.value + EXCLUDED.value;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER energy_node_rollup_ins AFTER INSERT ON metering_rollup
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION energy_node_rollup_apply()`);
    await q.query(`
      CREATE TRIGGER energy_node_rollup_upd AFTER UPDATE ON metering_rollup
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION energy_node_rollup_apply()`);
    await q.query(`
      CREATE TRIGGER energy_node_rollup_del AFTER DELETE ON metering_rollup
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION energy_node_rollup_apply_delete()`);

    // Membership refresh: nodes gain / lose the rollups of meters that joined / left them.
    await q.query(`
      CREATE FUNCTION energy_refresh_node_rollups(p_enterprise uuid, p_full boolean DEFAULT false)
      RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE changed integer;
      BEGIN
        PERFORM pg_advisory_xact_lock(7007, hashtext(p_enterprise::text));
        IF p_full THEN
          DELETE FROM energy_node_rollup WHERE enterprise_id = p_enterprise;
          DELETE FROM energy_node_member WHERE enterprise_id = p_enterprise;
        END IF;
        WITH want AS MATERIALIZED (
          SELECT * FROM energy_node_members_of(p_enterprise)
        ), have AS MATERIALIZED (
          SELECT node_kind, node_id, meter_id, energy_type, unit FROM energy_node_member
          WHERE enterprise_id = p_enterprise
        ), diff AS (
          SELECT w.*, 1 AS sign FROM want w WHERE NOT EXISTS (
            SELECT 1 FROM have h WHERE (h.node_kind, h.node_id, h.meter_id, h.energy_type, h.unit)
                                     = (w.node_kind, w.node_id, w.meter_id, w.energy_type, w.unit))
          UNION ALL
          SELECT h.*, -1 FROM have h WHERE NOT EXISTS (
            SELECT 1 FROM want w WHERE (h.node_kind, h.node_id, h.meter_id, h.energy_type, h.unit)
                                     = (w.node_kind, w.node_id, w.meter_id, w.energy_type, w.unit))
        )
        INSERT INTO energy_node_rollup AS n
          (enterprise_id, node_id, grain, bucket_start, energy_type, unit, tou_period, value)
        SELECT p_enterprise, c.node_id, r.grain, r.bucket_start, c.energy_type, c.unit, r.tou_period,
               sum(c.sign * r.value)
        FROM diff c
        JOIN metering_rollup r ON r.enterprise_id = p_enterprise AND r.meter_id = c.meter_id
        GROUP BY 2, 3, 4, 5, 6, 7
        ON CONFLICT (enterprise_id, node_id, grain, bucket_start, energy_type, unit, tou_period)
        DO UPDATE SET value = n.value + EXCLUDED.value;
        GET DIAGNOSTICS changed = ROW_COUNT;
        DELETE FROM energy_node_member WHERE enterprise_id = p_enterprise;
        INSERT INTO energy_node_member (enterprise_id, node_kind, node_id, meter_id, energy_type, unit)
        SELECT p_enterprise, w.node_kind, w.node_id, w.meter_id, w.energy_type, w.unit
        FROM energy_node_members_of(p_enterprise) w;
        DELETE FROM energy_node_state WHERE enterprise_id = p_enterprise;
        INSERT INTO energy_node_state (enterprise_id, node_kind, node_id, members_hash)
        SELECT p_enterprise, node_kind, node_id,
               md5(string_agg(meter_id::text || ':' || energy_type || ':' || unit, ','
                              ORDER BY meter_id::text COLLATE "C"))
        FROM energy_node_member WHERE enterprise_id = p_enterprise
        GROUP BY node_kind, node_id;
        RETURN changed;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER energy_node_rollup_ins ON metering_rollup`);
    await q.query(`DROP TRIGGER energy_node_rollup_upd ON metering_rollup`);
    await q.query(`DROP TRIGGER energy_node_rollup_del ON metering_rollup`);
    await q.query(`DROP FUNCTION energy_refresh_node_rollups(uuid, boolean)`);
    await q.query(`DROP FUNCTION energy_node_rollup_apply(), energy_node_rollup_apply_delete()`);
    await q.query(`DROP FUNCTION energy_node_members_of(uuid)`);
    await q.query(`DROP TABLE energy_node_rollup, energy_node_state, energy_node_member`);
  }
}
