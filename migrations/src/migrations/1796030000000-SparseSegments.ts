import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sparse segments (issue 6, ingest throughput): the ingest pipeline no longer stores a derived
 * segment that follows from the raw readings alone — flag `ok`, starting at the previous reading
 * (interval meters: one interval before the reading), both readings in the meter's unit. Such a
 * segment is *implied*: start = previous reading, delta = (value − previous value) × multiplier
 * (interval meters: value × multiplier), the first reading of a series is a zero baseline. Every
 * other segment (any quality flag but `ok`, a span over a skipped spike, a converted unit) stays a
 * row of `metering_segment`, and a stored row always wins. Rows stored before this version stay and
 * are equal to the implied ones, so nothing is rewritten.
 *
 * `metering_segment_all` shows the full cleaned series (stored ∪ implied) for readers, audits and
 * the fault suite. The source priority (device, api, manual, csv) picks the reading of a timestamp
 * that several sources reported, as the pipeline does. security_invoker: the caller's RLS applies.
 */
export class SparseSegments1796030000000 implements MigrationInterface {
  name = 'SparseSegments1796030000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE VIEW metering_segment_all WITH (security_invoker = true) AS
      WITH pts AS (
        SELECT DISTINCT ON (r.enterprise_id, r.meter_id, r.ts) r.enterprise_id, r.meter_id, r.ts, r.value
        FROM metering_reading r
        JOIN metering_meter m ON m.enterprise_id = r.enterprise_id AND m.id = r.meter_id
        WHERE m.kind IN ('cumulative', 'interval')
        ORDER BY r.enterprise_id, r.meter_id, r.ts,
                 array_position(ARRAY['device', 'api', 'manual', 'csv'], r.source)
      ), seq AS (
        SELECT p.*, lag(p.ts) OVER w AS prev_ts, lag(p.value) OVER w AS prev_value
        FROM pts p
        WINDOW w AS (PARTITION BY p.enterprise_id, p.meter_id ORDER BY p.ts)
      )
      SELECT s.enterprise_id, s.meter_id, s.ts, s.start_ts, s.delta, s.flags, true AS stored
      FROM metering_segment s
      UNION ALL
      SELECT q.enterprise_id, q.meter_id, q.ts,
             CASE WHEN m.kind = 'interval' THEN q.ts - make_interval(secs => m.interval_seconds)
                  ELSE q.prev_ts END,
             CASE WHEN m.kind = 'interval' THEN q.value * m.multiplier
                  WHEN q.prev_ts IS NULL THEN 0
                  ELSE (q.value - q.prev_value) * m.multiplier END,
             ARRAY['ok']::text[], false
      FROM seq q
      JOIN metering_meter m ON m.enterprise_id = q.enterprise_id AND m.id = q.meter_id
      WHERE NOT EXISTS (SELECT 1 FROM metering_segment s
                        WHERE s.enterprise_id = q.enterprise_id AND s.meter_id = q.meter_id AND s.ts = q.ts)`);
    await q.query(`GRANT SELECT ON metering_segment_all TO opencep_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    // the pipeline of the previous version expects every segment stored: materialise the implied ones
    await q.query(`
      INSERT INTO metering_segment (enterprise_id, meter_id, ts, start_ts, delta, flags)
      SELECT enterprise_id, meter_id, ts, start_ts, delta, flags FROM metering_segment_all WHERE NOT stored`);
    await q.query(`DROP VIEW metering_segment_all`);
  }
}
