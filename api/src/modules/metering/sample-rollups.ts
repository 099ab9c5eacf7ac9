import Decimal from 'decimal.js';
import { Dec, SLOT_MS } from './cleaning';
import type { RollupGrain } from './meter.service';
import type { Sql } from './metering.service';

/**
 * Rollups of meters that do not accumulate (docs/metering.md "Instantaneous and status meters").
 *
 * Instantaneous (power, flow): the **sample mean** — every stored sample counts once, whatever the
 * spacing — with min and max, per bucket. A sample at t belongs to the bucket containing t
 * ([start, start + 15 min)). Kept as (samples, total, min, max), so it is maintained incrementally and
 * exactly: a new sample adds to its buckets; re-sent readings are not fresh rows and add nothing; a
 * second source at the same timestamp does not count again.
 *
 * Status: **time in each state**. A state holds from its sample until the next sample of the meter
 * (step function; report on change or periodically), so time after the latest sample is counted once
 * the next sample arrives. Late samples split the interval they fall in: the rollups are corrected by
 * the difference between the intervals before and after.
 */

export interface StatePoint {
  ts: number;
  state: string;
}

export interface StatePiece {
  /** start of the 15-minute slot [slot, slot + 15 min) */
  slot: number;
  state: string;
  ms: number;
}

/** Splits the time from each point to the next over 15-minute slots, per state. */
export function stateIntervals(points: readonly StatePoint[]): StatePiece[] {
  const out: StatePiece[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!.ts;
    const b = points[i + 1]!.ts;
    const state = points[i]!.state;
    for (let k = Math.floor(a / SLOT_MS); k * SLOT_MS < b; k++) {
      const lo = Math.max(a, k * SLOT_MS);
      const hi = Math.min(b, (k + 1) * SLOT_MS);
      if (hi > lo) out.push({ slot: k * SLOT_MS, state, ms: hi - lo });
    }
  }
  return out;
}

/** A status value as a state label: the decimal in canonical form ("1.0" and "1" are one state). */
export function stateLabel(value: string): string {
  return new Dec(value).toFixed();
}

interface Stored {
  ts: number;
  value: string;
  source: string;
}

export interface StateWork {
  meterId: string;
  /** fresh rows of this batch */
  fresh: Stored[];
}

/** Stored samples of each status meter around and within the range of its new samples. */
export async function readStateContext(
  db: Sql,
  enterpriseId: string,
  ranges: Map<string, { lo: number; hi: number }>,
): Promise<Map<string, Stored[]>> {
  const out = new Map<string, Stored[]>();
  if (!ranges.size) return out;
  const ids = [...ranges.keys()];
  for (const id of ids) out.set(id, []);
  const rows = await db.query<{ m: string; ts: Date; value: string; source: string }[]>(
    `SELECT w.m, r.ts, r.value::text AS value, r.source
     FROM unnest($2::uuid[], $3::timestamptz[], $4::timestamptz[]) AS w(m, lo, hi)
     CROSS JOIN LATERAL (
       (SELECT ts, value, source FROM metering_reading
         WHERE enterprise_id = $1 AND meter_id = w.m AND ts < w.lo ORDER BY ts DESC LIMIT 1)
       UNION ALL
       (SELECT ts, value, source FROM metering_reading
         WHERE enterprise_id = $1 AND meter_id = w.m AND ts >= w.lo AND ts <= w.hi OFFSET 0)
       UNION ALL
       (SELECT ts, value, source FROM metering_reading
         WHERE enterprise_id = $1 AND meter_id = w.m AND ts > w.hi ORDER BY ts LIMIT 1)
     ) r`,
    [
      enterpriseId,
      ids,
      ids.map((id) => new Date(ranges.get(id)!.lo).toISOString()),
      ids.map((id) => new Date(ranges.get(id)!.hi).toISOString()),
    ],
  );
  for (const r of rows) out.get(r.m)!.push({ ts: r.ts.getTime(), value: r.value, source: r.source });
  return out;
}

/** One point per timestamp (the highest-priority source wins), in time order. */
function dedupe(rows: readonly Stored[], priority: Record<string, number>): StatePoint[] {
  const sorted = [...rows].sort(
    (a, b) => a.ts - b.ts || (priority[a.source] ?? 9) - (priority[b.source] ?? 9),
  );
  const out: StatePoint[] = [];
  for (const r of sorted) if (out.at(-1)?.ts !== r.ts) out.push({ ts: r.ts, state: stateLabel(r.value) });
  return out;
}

/**
 * Applies new status samples: time-in-state pieces of the stretch after the batch minus those before,
 * aggregated per grain in the meter's time zone.
 */
export async function applyStateRollups(
  db: Sql,
  enterpriseId: string,
  work: readonly StateWork[],
  context: Map<string, Stored[]>,
  priority: Record<string, number>,
): Promise<void> {
  const diff = new Map<string, { m: string; slot: number; state: string; ms: number }>();
  const add = (m: string, pieces: StatePiece[], sign: 1 | -1) => {
    for (const p of pieces) {
      const k = `${m}|${p.slot}|${p.state}`;
      const cur = diff.get(k) ?? { m, slot: p.slot, state: p.state, ms: 0 };
      cur.ms += sign * p.ms;
      diff.set(k, cur);
    }
  };
  for (const w of work) {
    const before = context.get(w.meterId) ?? [];
    add(w.meterId, stateIntervals(dedupe(before, priority)), -1);
    add(w.meterId, stateIntervals(dedupe([...before, ...w.fresh], priority)), 1);
  }
  const d = [...diff.values()].filter((x) => x.ms !== 0);
  if (!d.length) return;
  await db.query(
    `WITH d AS (
       SELECT d.m, d.slot, d.state, d.ms, mt.time_zone AS tz
       FROM unnest($2::uuid[], $3::timestamptz[], $4::text[], $5::bigint[]) AS d(m, slot, state, ms)
       JOIN metering_meter mt ON mt.enterprise_id = $1 AND mt.id = d.m
     ), g AS (
       SELECT m, '15m' AS grain, slot AS b, state, ms FROM d
       UNION ALL SELECT m, '1h', date_trunc('hour', slot, tz), state, ms FROM d
       UNION ALL SELECT m, '1d', date_trunc('day', slot, tz), state, ms FROM d
       UNION ALL SELECT m, '1mo', date_trunc('month', slot, tz), state, ms FROM d
     )
     INSERT INTO metering_state_rollup AS r (enterprise_id, meter_id, grain, bucket_start, state, duration_ms)
     SELECT $1, m, grain, b, state, sum(ms) FROM g GROUP BY m, grain, b, state
     ON CONFLICT (enterprise_id, meter_id, grain, bucket_start, state) DO UPDATE
       SET duration_ms = r.duration_ms + EXCLUDED.duration_ms, updated_at = now()`,
    [
      enterpriseId,
      d.map((x) => x.m),
      d.map((x) => new Date(x.slot).toISOString()),
      d.map((x) => x.state),
      d.map((x) => String(x.ms)),
    ],
  );
}

export interface Sample {
  meterId: string;
  ts: number;
  /** meter unit, multiplier applied */
  value: Decimal;
}

/**
 * Adds fresh instantaneous samples (just inserted by `source`) to the sample rollups. A sample whose
 * timestamp another source already reported does not count again.
 */
export async function applySampleRollups(
  db: Sql,
  enterpriseId: string,
  source: string,
  samples: readonly Sample[],
): Promise<void> {
  if (!samples.length) return;
  await db.query(
    `WITH d AS (
       SELECT d.m, d.t, d.v, mt.time_zone AS tz
       FROM unnest($2::uuid[], $3::timestamptz[], $4::numeric[]) AS d(m, t, v)
       JOIN metering_meter mt ON mt.enterprise_id = $1 AND mt.id = d.m
       WHERE NOT EXISTS (SELECT 1 FROM metering_reading o
                         WHERE o.enterprise_id = $1 AND o.meter_id = d.m AND o.ts = d.t AND o.source <> $5)
     ), g AS (
       SELECT m, '15m' AS grain, date_bin('15 minutes', t, timestamptz '2000-01-01 00:00:00Z') AS b, v FROM d
       UNION ALL SELECT m, '1h', date_trunc('hour', t, tz), v FROM d
       UNION ALL SELECT m, '1d', date_trunc('day', t, tz), v FROM d
       UNION ALL SELECT m, '1mo', date_trunc('month', t, tz), v FROM d
     )
     INSERT INTO metering_sample_rollup AS r (enterprise_id, meter_id, grain, bucket_start, samples, total,
       min_value, max_value)
     SELECT $1, m, grain, b, count(*), sum(v), min(v), max(v) FROM g GROUP BY m, grain, b
     ON CONFLICT (enterprise_id, meter_id, grain, bucket_start) DO UPDATE
       SET samples = r.samples + EXCLUDED.samples, total = r.total + EXCLUDED.total,
           min_value = LEAST(r.min_value, EXCLUDED.min_value),
           max_value = GREATEST(r.max_value, EXCLUDED.max_value), updated_at = now()`,
    [
      enterpriseId,
      samples.map((s) => s.meterId),
      samples.map((s) => new Date(s.ts).toISOString()),
      samples.map((s) => s.value.toString()),
      source,
    ],
  );
}

export interface SampleStatPoint {
  bucketStart: Date;
  samples: number;
  min: string;
  max: string;
  /** sample mean, rounded half-even to 9 decimal places */
  avg: string;
}

/** Sample statistics of an instantaneous meter over [from, to). */
export async function meterSampleStats(
  db: Sql,
  enterpriseId: string,
  meterId: string,
  grain: RollupGrain,
  from: Date,
  to: Date,
): Promise<SampleStatPoint[]> {
  const rows = await db.query<{ b: Date; n: string; mn: string; mx: string; total: string }[]>(
    `SELECT bucket_start AS b, samples::text AS n, min_value::text AS mn, max_value::text AS mx, total::text
     FROM metering_sample_rollup
     WHERE enterprise_id = $1 AND meter_id = $2 AND grain = $3 AND bucket_start >= $4 AND bucket_start < $5
     ORDER BY bucket_start`,
    [enterpriseId, meterId, grain, from, to],
  );
  return rows.map((r) => ({
    bucketStart: r.b,
    samples: Number(r.n),
    min: r.mn,
    max: r.mx,
    avg: new Dec(r.total).div(r.n).toDecimalPlaces(9, Decimal.ROUND_HALF_EVEN).toFixed(),
  }));
}

export interface StateDurationPoint {
  bucketStart: Date;
  state: string;
  /** seconds, exact decimal */
  seconds: string;
}

/** Time per state of a status meter over [from, to) (buckets with zero time are left out). */
export async function meterStateDurations(
  db: Sql,
  enterpriseId: string,
  meterId: string,
  grain: RollupGrain,
  from: Date,
  to: Date,
): Promise<StateDurationPoint[]> {
  const rows = await db.query<{ b: Date; state: string; ms: string }[]>(
    `SELECT bucket_start AS b, state, duration_ms::text AS ms FROM metering_state_rollup
     WHERE enterprise_id = $1 AND meter_id = $2 AND grain = $3 AND bucket_start >= $4 AND bucket_start < $5
       AND duration_ms > 0
     ORDER BY bucket_start, state`,
    [enterpriseId, meterId, grain, from, to],
  );
  return rows.map((r) => ({
    bucketStart: r.b,
    state: r.state,
    seconds: new Dec(r.ms).div(1000).toFixed(),
  }));
}
