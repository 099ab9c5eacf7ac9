import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `metering_ensure_reading_partition` raced: two ingest transactions needing the same new month (GraphQL
 * and an MQTT worker at once) could both reach CREATE TABLE, and the loser failed its whole batch with
 * `relation "metering_reading_YYYYmMM" already exists` (an MQTT batch was dead-lettered INGEST_FAILED).
 * The creation now tolerates a partition created concurrently.
 */
export class MeteringPartitionRace1796021100000 implements MigrationInterface {
  name = 'MeteringPartitionRace1796021100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION metering_ensure_reading_partition(month_start timestamptz) RETURNS void
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        lo timestamptz := date_trunc('month', month_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
        hi timestamptz := (date_trunc('month', month_start AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
        part text := 'metering_reading_' || to_char(lo AT TIME ZONE 'UTC', 'YYYY"m"MM');
      BEGIN
        IF to_regclass(part) IS NOT NULL THEN RETURN; END IF;
        PERFORM pg_advisory_xact_lock(hashtext('metering_reading_partition'));
        IF to_regclass(part) IS NOT NULL THEN RETURN; END IF;
        BEGIN
          EXECUTE format('CREATE TABLE %I PARTITION OF metering_reading FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
          EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM PUBLIC, opencep_app', part);
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
          NULL; -- created by a concurrent transaction meanwhile
        END;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION metering_ensure_reading_partition(month_start timestamptz) RETURNS void
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
  }
}
