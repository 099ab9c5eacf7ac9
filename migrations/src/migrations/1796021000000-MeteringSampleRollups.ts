import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rollups of meters that do not accumulate (docs/metering.md):
 * - `metering_sample_rollup`: instantaneous meters (power, flow) — sample count, sum, min and max per
 *   bucket (15m / 1h / 1d / 1mo), so the sample mean is `total / samples`; maintained incrementally.
 * - `metering_state_rollup`: status meters — milliseconds spent in each state per bucket (a state holds
 *   from its sample until the next sample), maintained incrementally, late samples included (a
 *   correction may be negative on the proposed row, so there is no CHECK on duration_ms; the stored
 *   sums never go below zero because every subtracted interval was added before).
 */
export class MeteringSampleRollups1796021000000 implements MigrationInterface {
  name = 'MeteringSampleRollups1796021000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE metering_sample_rollup (
        enterprise_id uuid NOT NULL,
        meter_id uuid NOT NULL,
        grain text NOT NULL CHECK (grain IN ('15m','1h','1d','1mo')),
        bucket_start timestamptz NOT NULL,
        samples bigint NOT NULL CHECK (samples > 0),
        total numeric NOT NULL,
        min_value numeric NOT NULL,
        max_value numeric NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_id, meter_id, grain, bucket_start),
        FOREIGN KEY (enterprise_id, meter_id) REFERENCES metering_meter (enterprise_id, id)
      )`);
    await q.query(`
      CREATE TABLE metering_state_rollup (
        enterprise_id uuid NOT NULL,
        meter_id uuid NOT NULL,
        grain text NOT NULL CHECK (grain IN ('15m','1h','1d','1mo')),
        bucket_start timestamptz NOT NULL,
        state text NOT NULL,
        duration_ms bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (enterprise_id, meter_id, grain, bucket_start, state),
        FOREIGN KEY (enterprise_id, meter_id) REFERENCES metering_meter (enterprise_id, id)
      )`);
    for (const t of ['metering_sample_rollup', 'metering_state_rollup'])
      await q.query(`SELECT opencep_enable_tenant_rls('${t}')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE metering_state_rollup, metering_sample_rollup`);
  }
}
