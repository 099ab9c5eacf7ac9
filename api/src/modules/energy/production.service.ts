import Decimal from 'decimal.js';
import { type NodeRef, type Range, resolveNodeMeters, type Sql } from './energy.service';
import {
  type GroupBy,
  type ProductionRecord,
  type RunStandby,
  rankUnitConsumption,
  runningStandby,
  type UnitConsumptionResult,
} from './unit-consumption';

export interface ProductionInput extends ProductionRecord {
  /** lines.id */
  line: string;
}

/** Inserts production records (manual entry or a parsed ERP CSV) in one statement. */
export async function recordProduction(
  db: Sql,
  enterpriseId: string,
  records: readonly ProductionInput[],
  source: 'manual' | 'erp',
): Promise<number> {
  if (!records.length) return 0;
  const rows = await db.query<{ n: string }[]>(
    `WITH ins AS (
       INSERT INTO energy_production_record (enterprise_id, line_id, product, quantity, shift, team, start_ts, end_ts, source)
       SELECT $1, x.line, x.product, x.quantity, x.shift, x.team, x.s, x.e, $3
       FROM jsonb_to_recordset($2::jsonb) AS x(line uuid, product text, quantity numeric, shift text, team text,
                                               s timestamptz, e timestamptz)
       RETURNING 1)
     SELECT count(*)::text AS n FROM ins`,
    [
      enterpriseId,
      JSON.stringify(
        records.map((r) => ({
          line: r.line,
          product: r.product,
          quantity: new Decimal(r.quantity).toString(),
          shift: r.shift,
          team: r.team,
          s: r.start.toISOString(),
          e: r.end.toISOString(),
        })),
      ),
      source,
    ],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * Energy per unit of product for records starting in [from, to), grouped by line, shift, team or
 * product. Each record is charged its line's electricity from 15-minute rollups inside its time
 * range, partial slots pro-rated by time — computed in SQL so only one row per record comes back.
 */
export async function unitConsumptionReport(
  db: Sql,
  enterpriseId: string,
  range: Range,
  groupBy: GroupBy,
  energyType = 'electricity',
): Promise<UnitConsumptionResult> {
  const recs = await db.query<
    { line_id: string; product: string; quantity: string; shift: string; team: string; s: Date; e: Date }[]
  >(
    `SELECT line_id, product, quantity::text, shift, team, start_ts AS s, end_ts AS e FROM energy_production_record
     WHERE enterprise_id = $1 AND start_ts >= $2 AND start_ts < $3`,
    [enterpriseId, range.from.toISOString(), range.to.toISOString()],
  );
  const lines = [...new Set(recs.map((r) => r.line_id))];
  const meterLine: { meter: string; line: string }[] = [];
  for (const line of lines) {
    const nm = await resolveNodeMeters(db, enterpriseId, { kind: 'LINE', id: line });
    for (const m of nm.meters) if (m.energyType === energyType) meterLine.push({ meter: m.id, line });
  }
  // One synthetic interval per record carrying exactly the record's energy: reuse the pure grouping.
  const energy = recs.length
    ? await db.query<{ i: number; v: string }[]>(
        `SELECT x.i, coalesce(sum(r.value * extract(epoch FROM least(x.e, r.bucket_start + interval '15 minutes')
                                      - greatest(x.s, r.bucket_start)) / 900), 0)::text AS v
         FROM jsonb_to_recordset($2::jsonb) AS x(i int, line uuid, s timestamptz, e timestamptz)
         LEFT JOIN jsonb_to_recordset($3::jsonb) AS ml(meter uuid, line uuid) ON ml.line = x.line
         LEFT JOIN metering_rollup r ON r.enterprise_id = $1 AND r.meter_id = ml.meter AND r.grain = '15m'
               AND r.bucket_start > x.s - interval '15 minutes' AND r.bucket_start < x.e
         GROUP BY x.i`,
        [
          enterpriseId,
          JSON.stringify(
            recs.map((r, i) => ({
              i,
              line: r.line_id,
              s: new Date(r.s).toISOString(),
              e: new Date(r.e).toISOString(),
            })),
          ),
          JSON.stringify(meterLine),
        ],
      )
    : [];
  const byIdx = new Map(energy.map((e) => [Number(e.i), new Decimal(e.v)]));
  const groups = new Map<string, { key: string; energy: Decimal; quantity: Decimal }>();
  recs.forEach((r, i) => {
    const key = groupBy === 'line' ? r.line_id : r[groupBy];
    const g = groups.get(key) ?? { key, energy: new Decimal(0), quantity: new Decimal(0) };
    g.energy = g.energy.plus(byIdx.get(i) ?? 0);
    g.quantity = g.quantity.plus(r.quantity);
    groups.set(key, g);
  });
  return rankUnitConsumption([...groups.values()]);
}

/** Running / standby / off energy of one equipment from its 15-minute electricity rollups. */
export async function runningStandbyReport(
  db: Sql,
  enterpriseId: string,
  equipment: NodeRef,
  range: Range,
  runKw: Decimal.Value,
  offKw: Decimal.Value = 0,
): Promise<RunStandby> {
  const nm = await resolveNodeMeters(db, enterpriseId, equipment);
  const ids = nm.meters.filter((m) => m.energyType === 'electricity').map((m) => m.id);
  const rows = ids.length
    ? await db.query<{ b: Date; v: string }[]>(
        `SELECT bucket_start AS b, sum(value)::text AS v FROM metering_rollup
         WHERE enterprise_id = $1 AND meter_id = ANY ($2::uuid[]) AND grain = '15m' AND bucket_start >= $3 AND bucket_start < $4
         GROUP BY 1 ORDER BY 1`,
        [enterpriseId, ids, range.from.toISOString(), range.to.toISOString()],
      )
    : [];
  return runningStandby(
    rows.map((r) => ({
      start: new Date(r.b),
      end: new Date(new Date(r.b).getTime() + 900_000),
      kw: new Decimal(r.v).times(4),
    })),
    runKw,
    offKw,
  );
}
