import type { Sql } from './energy.service';

/**
 * Fixtures for integration tests and the bench: an org tree, interval electricity meters in
 * Asia/Shanghai, 15-minute readings generated in SQL, and rollups built the way metering builds
 * them (15m slot → local hour/day/month buckets, TOU period from `energy_tou_period`). Building
 * rollups here in one set-based statement is what makes a year of data for hundreds of meters
 * feasible in a test run; the metering ingest path itself is exercised in energy.int.test.ts.
 */
export interface PlantFixture {
  siteId: string;
  areaIds: string[];
  lineIds: string[];
  equipmentIds: string[];
  /** meterIds[i] is bound to equipmentIds[i]. */
  meterIds: string[];
}

/** One site, `areas` workshops, one line per workshop, `perArea` equipment with one meter each. */
export async function createPlant(
  db: Sql,
  enterpriseId: string,
  areas: number,
  perArea: number,
): Promise<PlantFixture> {
  const site = await db.query<{ id: string }[]>(
    `INSERT INTO sites (enterprise_id, name) VALUES ($1, 'Site') RETURNING id`,
    [enterpriseId],
  );
  const siteId = site[0]!.id;
  const areaRows = await db.query<{ id: string }[]>(
    `INSERT INTO areas (enterprise_id, site_id, name)
     SELECT $1, $2, 'Workshop ' || g FROM generate_series(1, $3) g ORDER BY g RETURNING id`,
    [enterpriseId, siteId, areas],
  );
  const areaIds = areaRows.map((r) => r.id);
  const lineRows = await db.query<{ id: string }[]>(
    `INSERT INTO lines (enterprise_id, area_id, name)
     SELECT $1, a.id, 'Line ' || a.n FROM unnest($2::uuid[]) WITH ORDINALITY a(id, n) ORDER BY a.n RETURNING id`,
    [enterpriseId, areaIds],
  );
  const lineIds = lineRows.map((r) => r.id);
  const eq = await db.query<{ id: string }[]>(
    `INSERT INTO equipment (enterprise_id, line_id, code, name, kind)
     SELECT $1, l.id, 'EQ-' || l.n || '-' || g, 'Equipment ' || l.n || '-' || g, CASE WHEN g % 2 = 0 THEN 'pump' ELSE 'press' END
     FROM unnest($2::uuid[]) WITH ORDINALITY l(id, n), generate_series(1, $3) g ORDER BY l.n, g RETURNING id`,
    [enterpriseId, lineIds, perArea],
  );
  const equipmentIds = eq.map((r) => r.id);
  const meters = await db.query<{ id: string }[]>(
    `INSERT INTO metering_meter (enterprise_id, code, name, energy_type, unit, kind, equipment_id, time_zone)
     SELECT $1, 'M-' || e.n, 'Meter ' || e.n, 'electricity', 'kWh', 'interval', e.id, 'Asia/Shanghai'
     FROM unnest($2::uuid[]) WITH ORDINALITY e(id, n) ORDER BY e.n RETURNING id`,
    [enterpriseId, equipmentIds],
  );
  return { siteId, areaIds, lineIds, equipmentIds, meterIds: meters.map((r) => r.id) };
}

/**
 * Generates 15-minute interval readings for [from, to): reading at slot end, value in kWh. The
 * default value is a deterministic pseudo-random 1.00–10.99 kWh; pass `valueSql` (in terms of
 * `n` = meter ordinal and `g` = slot start) for hand-computable data.
 */
export async function generateReadings(
  db: Sql,
  enterpriseId: string,
  meterIds: readonly string[],
  from: Date,
  to: Date,
  valueSql = `((n * 7919 + (extract(epoch FROM g)::bigint / 900) * 104729) % 1000)::numeric / 100 + 1`,
): Promise<void> {
  const parts = await db.query<{ p: string }[]>(
    `SELECT metering_ensure_reading_partition(m), 'metering_reading_' || to_char(m AT TIME ZONE 'UTC', 'YYYY"m"MM') AS p
     FROM generate_series(date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', $2::timestamptz, interval '1 month') m`,
    [from.toISOString(), to.toISOString()],
  );
  await db.query(
    `INSERT INTO metering_reading (enterprise_id, meter_id, ts, source, value, unit)
     SELECT $1, m.id, g + interval '15 minutes', 'device', ${valueSql}, 'kWh'
     FROM unnest($2::uuid[]) WITH ORDINALITY m(id, n),
          generate_series($3::timestamptz, $4::timestamptz - interval '15 minutes', interval '15 minutes') g`,
    [enterpriseId, meterIds, from.toISOString(), to.toISOString()],
  );
  // Fresh statistics, so set-based rollup building plans a hash join over the new rows.
  for (const { p } of parts) await db.query(`ANALYZE ${p}`);
}

/**
 * Rollups from interval readings in [from, to), aligned like metering's (meter time zone). Set-based:
 * bucket starts are computed once per slot and time zone (not per reading), 1h sums the slots, 1d the
 * hours and 1mo the days. Month buckets are complete only when [from, to) covers whole local months.
 * The insert fires the node-rollup triggers like metering's own upserts do.
 */
export async function buildRollups(db: Sql, enterpriseId: string, from: Date, to: Date): Promise<void> {
  await db.query(
    `INSERT INTO metering_rollup (enterprise_id, meter_id, grain, bucket_start, tou_period, value)
     WITH t AS MATERIALIZED (
       SELECT s, energy_tou_period($1, s) AS tou
       FROM generate_series($2::timestamptz, $3::timestamptz - interval '15 minutes', interval '15 minutes') s
     ), slot AS MATERIALIZED (
       SELECT t.s, t.tou, z.tz, date_trunc('hour', t.s, z.tz) AS h, date_trunc('day', t.s, z.tz) AS d,
              date_trunc('month', t.s, z.tz) AS mo
       FROM t CROSS JOIN (SELECT DISTINCT time_zone AS tz FROM metering_meter WHERE enterprise_id = $1) z
     ), q AS MATERIALIZED (
       SELECT r.meter_id, sl.s, sl.tou, sl.h, sl.d, sl.mo, r.value
       -- OFFSET 0: one range scan + hash join, not an index probe per reading
       FROM (SELECT meter_id, ts - interval '15 minutes' AS s, value FROM metering_reading
             WHERE enterprise_id = $1 AND ts > $2 AND ts <= $3 OFFSET 0) r
       JOIN metering_meter m ON m.enterprise_id = $1 AND m.id = r.meter_id
       JOIN slot sl ON sl.tz = m.time_zone AND sl.s = r.s
     ), hr AS MATERIALIZED (
       SELECT meter_id, h, d, mo, tou, sum(value) AS v FROM q GROUP BY 1, 2, 3, 4, 5
     ), dy AS MATERIALIZED (
       SELECT meter_id, d, mo, tou, sum(v) AS v FROM hr GROUP BY 1, 2, 3, 4
     )
     SELECT $1, meter_id, '15m', s, tou, value FROM q
     UNION ALL SELECT $1, meter_id, '1h', h, tou, v FROM hr
     UNION ALL SELECT $1, meter_id, '1d', d, tou, v FROM dy
     UNION ALL SELECT $1, meter_id, '1mo', mo, tou, sum(v) FROM dy GROUP BY meter_id, mo, tou`,
    [enterpriseId, from.toISOString(), to.toISOString()],
  );
}

/** Hierarchy-node membership and rollups brought in line (`energy_refresh_node_rollups`). */
export async function refreshNodeRollups(db: Sql, enterpriseId: string, full = false): Promise<number> {
  const r = await db.query<{ n: number }[]>(`SELECT energy_refresh_node_rollups($1, $2) AS n`, [
    enterpriseId,
    full,
  ]);
  return Number(r[0]?.n ?? 0);
}
