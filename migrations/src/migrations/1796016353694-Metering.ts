import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Metering (DESIGN §3): meters, immutable raw readings partitioned by month, the derived segment
 * series with quality flags, incremental rollups (15m/1h/1d/1mo × TOU period), dead letters,
 * ingest batches (idempotency + replay detection), device keys, manual readings and photos.
 */
export class Metering1796016353694 implements MigrationInterface {
  name = 'Metering1796016353694';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE metering_meter (
        enterprise_id uuid NOT NULL REFERENCES enterprises(id),
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        code text NOT NULL,
        name text NOT NULL,
        energy_type text NOT NULL CHECK (energy_type IN
          ('electricity','water','natural_gas','steam','compressed_air','diesel','gasoline','coal','heat','lpg','other')),
        unit text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('cumulative','interval','instantaneous','status')),
        multiplier numeric NOT NULL DEFAULT 1 CHECK (multiplier > 0),
        rollover_value numeric NULL CHECK (rollover_value IS NULL OR rollover_value > 0),
        max_rate_per_hour numeric NULL CHECK (max_rate_per_hour IS NULL OR max_rate_per_hour > 0),
        interval_seconds integer NOT NULL DEFAULT 900 CHECK (interval_seconds > 0),
        parent_meter_id uuid NULL,
        equipment_id uuid NULL,
        area_id uuid NULL,
        formula text NULL,
        time_zone text NOT NULL DEFAULT 'UTC',
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_id, id),
        UNIQUE (enterprise_id, code),
        FOREIGN KEY (enterprise_id, parent_meter_id) REFERENCES metering_meter (enterprise_id, id),
        FOREIGN KEY (enterprise_id, equipment_id) REFERENCES equipment (enterprise_id, id),
        FOREIGN KEY (enterprise_id, area_id) REFERENCES areas (enterprise_id, id)
      )`);

    // Raw readings exactly as received (value and unit as sent). Immutable: see trigger below.
    await q.query(`
      CREATE TABLE metering_reading (
        enterprise_id uuid NOT NULL,
        meter_id uuid NOT NULL,
        ts timestamptz NOT NULL,
        source text NOT NULL CHECK (source IN ('device','api','csv','manual')),
        value numeric NOT NULL,
        unit text NOT NULL,
        batch_id uuid NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_id, meter_id, ts, source)
      ) PARTITION BY RANGE (ts)`);

    await q.query(`
      CREATE FUNCTION metering_reading_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'metering_reading is append-only (% refused)', TG_OP USING ERRCODE = '42501';
      END $$`);
    await q.query(`
      CREATE TRIGGER metering_reading_no_update BEFORE UPDATE OR DELETE ON metering_reading
      FOR EACH ROW EXECUTE FUNCTION metering_reading_immutable()`);
    await q.query(`
      CREATE TRIGGER metering_reading_no_truncate BEFORE TRUNCATE ON metering_reading
      FOR EACH STATEMENT EXECUTE FUNCTION metering_reading_immutable()`);

    // Monthly partitions created on demand; the advisory lock serialises concurrent creators.
    await q.query(`
      CREATE FUNCTION metering_ensure_reading_partition(month_start timestamptz) RETURNS void
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        lo timestamptz := date_trunc('month', month_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
        hi timestamptz := (date_trunc('month', month_start AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
        part text := 'metering_reading_' || to_char(lo AT TIME ZONE 'UTC', 'YYYY"m"MM');
      BEGIN
        IF to_regclass(part) IS NOT NULL THEN RETURN; END IF;
        PERFORM pg_advisory_xact_lock(hashtext('metering_reading_partition'));
        IF to_regclass(part) IS NOT NULL THEN RETURN; END IF;
        EXECUTE format('CREATE TABLE %I PARTITION OF metering_reading FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM PUBLIC, opencep_app', part);
      END $$`);

    // Derived series: one segment per raw reading (prev reading → this reading), cleaned value in
    // the meter's unit × multiplier, with quality flags. Replaceable: recomputed on late data.
    await q.query(`
      CREATE TABLE metering_segment (
        enterprise_id uuid NOT NULL,
        meter_id uuid NOT NULL,
        ts timestamptz NOT NULL,
        start_ts timestamptz NULL,
        delta numeric NOT NULL,
        flags text[] NOT NULL DEFAULT '{}',
        computed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_id, meter_id, ts)
      )`);

    await q.query(`
      CREATE TABLE metering_rollup (
        enterprise_id uuid NOT NULL,
        meter_id uuid NOT NULL,
        grain text NOT NULL CHECK (grain IN ('15m','1h','1d','1mo')),
        bucket_start timestamptz NOT NULL,
        tou_period text NOT NULL DEFAULT 'none',
        value numeric NOT NULL,
        flagged numeric NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_id, meter_id, grain, bucket_start, tou_period)
      )`);

    // Hierarchy views: rollups per area (and enterprise) through meter.area_id; only top-level
    // meters count toward enterprise totals, so sub-meters are not double counted.
    await q.query(`
      CREATE VIEW metering_area_rollup WITH (security_invoker = true) AS
      SELECT r.enterprise_id, m.area_id, m.energy_type, m.unit, r.grain, r.bucket_start, r.tou_period,
             sum(r.value) AS value
      FROM metering_rollup r JOIN metering_meter m ON m.enterprise_id = r.enterprise_id AND m.id = r.meter_id
      WHERE m.area_id IS NOT NULL AND m.parent_meter_id IS NULL
      GROUP BY 1,2,3,4,5,6,7`);
    await q.query(`
      CREATE VIEW metering_enterprise_rollup WITH (security_invoker = true) AS
      SELECT r.enterprise_id, m.energy_type, m.unit, r.grain, r.bucket_start, r.tou_period, sum(r.value) AS value
      FROM metering_rollup r JOIN metering_meter m ON m.enterprise_id = r.enterprise_id AND m.id = r.meter_id
      WHERE m.parent_meter_id IS NULL AND m.formula IS NULL
      GROUP BY 1,2,3,4,5,6`);

    await q.query(`
      CREATE TABLE metering_ingest_batch (
        enterprise_id uuid NOT NULL,
        batch_id uuid NOT NULL,
        device_id text NULL,
        transport text NOT NULL,
        payload_sha256 bytea NOT NULL,
        item_count integer NOT NULL,
        accepted integer NOT NULL,
        duplicates integer NOT NULL,
        rejected integer NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_id, batch_id)
      )`);

    await q.query(`
      CREATE TABLE metering_dead_letter (
        id bigserial PRIMARY KEY,
        enterprise_id uuid NULL,
        transport text NOT NULL,
        topic text NULL,
        payload bytea NOT NULL,
        reason text NOT NULL,
        detail text NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE metering_photo (
        enterprise_id uuid NOT NULL,
        sha256 bytea NOT NULL,
        content_type text NOT NULL,
        bytes bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_id, sha256)
      )`);
    await q.query(`
      CREATE TABLE metering_manual_reading (
        enterprise_id uuid NOT NULL,
        meter_id uuid NOT NULL,
        ts timestamptz NOT NULL,
        value numeric NOT NULL,
        unit text NOT NULL,
        photo_sha256 bytea NULL,
        entered_by text NULL,
        note text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_id, meter_id, ts),
        FOREIGN KEY (enterprise_id, photo_sha256) REFERENCES metering_photo (enterprise_id, sha256)
      )`);

    for (const t of [
      'metering_meter',
      'metering_reading',
      'metering_segment',
      'metering_rollup',
      'metering_ingest_batch',
      'metering_photo',
      'metering_manual_reading',
    ]) {
      await q.query(`SELECT opencep_enable_tenant_rls('${t}')`);
    }
    // Raw readings and photos are evidence: the app role may add, never change or remove.
    await q.query(
      `REVOKE UPDATE, DELETE, TRUNCATE ON metering_reading, metering_photo FROM PUBLIC, opencep_app`,
    );
    // Dead letters may have no tenant (unparseable topic); written by the system worker only.
    await q.query(`REVOKE ALL ON metering_dead_letter FROM opencep_app`);
    await q.query(`GRANT SELECT ON metering_area_rollup, metering_enterprise_rollup TO opencep_app`);
    await q.query(`GRANT EXECUTE ON FUNCTION metering_ensure_reading_partition(timestamptz) TO opencep_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE metering_manual_reading, metering_photo, metering_dead_letter,
      metering_ingest_batch`);
    await q.query(`DROP VIEW metering_enterprise_rollup, metering_area_rollup`);
    await q.query(`DROP TABLE metering_rollup, metering_segment, metering_reading, metering_meter`);
    await q.query(
      `DROP FUNCTION metering_ensure_reading_partition(timestamptz), metering_reading_immutable()`,
    );
  }
}
