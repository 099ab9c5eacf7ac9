import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * With sparse segments (1796030000000-SparseSegments) a clean segment is derived from the raw
 * readings and the meter's kind, unit, multiplier and interval — at read time (`metering_segment_all`)
 * and when a late reading re-derives the old contribution to subtract from the rollups. Changing one
 * of those four on a meter that already has readings would silently rewrite its history and make
 * those subtractions wrong. The API has no such mutation (a replaced CT or meter is a new meter, with
 * the register change flagged as a reset); this trigger keeps it that way for any future writer.
 * Meters without readings stay editable.
 */
export class MeterSpecImmutable1796030100000 implements MigrationInterface {
  name = 'MeterSpecImmutable1796030100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION metering_meter_spec_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (NEW.kind, NEW.unit, NEW.multiplier, NEW.interval_seconds)
             IS DISTINCT FROM (OLD.kind, OLD.unit, OLD.multiplier, OLD.interval_seconds)
           AND EXISTS (SELECT 1 FROM metering_reading r
                       WHERE r.enterprise_id = OLD.enterprise_id AND r.meter_id = OLD.id) THEN
          RAISE EXCEPTION 'meter % has readings: kind, unit, multiplier and interval are fixed (create a new meter)',
            OLD.code USING ERRCODE = '42501';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER metering_meter_spec_fixed BEFORE UPDATE OF kind, unit, multiplier, interval_seconds
      ON metering_meter FOR EACH ROW EXECUTE FUNCTION metering_meter_spec_guard()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER metering_meter_spec_fixed ON metering_meter`);
    await q.query(`DROP FUNCTION metering_meter_spec_guard()`);
  }
}
