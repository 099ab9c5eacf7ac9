import Decimal from 'decimal.js';
import { coverRangeSigned } from '../energy/buckets';
import { type Range, returningRows, type Sql } from '../energy/energy.service';
import { checkUnbalance, type UnbalanceResult } from './unbalance';

export const DIAGRAM_KINDS = ['power', 'water', 'gas', 'steam', 'air', 'layout'] as const;
export type DiagramKind = (typeof DIAGRAM_KINDS)[number];

export interface DiagramNodeInput {
  key: string;
  label: string;
  kind: string;
  x: string;
  y: string;
  meterId?: string | null;
  props?: Record<string, unknown>;
}
export interface DiagramEdgeInput {
  from: string;
  to: string;
}
export interface DiagramInput {
  id?: string | null;
  name: string;
  kind: DiagramKind;
  nodes: DiagramNodeInput[];
  edges: DiagramEdgeInput[];
}

/** Creates or replaces a diagram (nodes and edges are replaced as a whole). */
export async function saveDiagram(db: Sql, enterpriseId: string, d: DiagramInput): Promise<string> {
  const keys = new Set(d.nodes.map((n) => n.key));
  if (keys.size !== d.nodes.length) throw new RangeError('node keys must be unique');
  for (const e of d.edges)
    if (!keys.has(e.from) || !keys.has(e.to))
      throw new RangeError(`edge ${e.from}→${e.to} names an unknown node`);
  const rows = returningRows<{ id: string }>(
    await db.query(
      d.id
        ? `UPDATE topology_diagram SET name = $3, kind = $4, updated_at = now() WHERE enterprise_id = $1 AND id = $2 RETURNING id`
        : `INSERT INTO topology_diagram (enterprise_id, name, kind) VALUES ($1, $2, $3) RETURNING id`,
      d.id ? [enterpriseId, d.id, d.name, d.kind] : [enterpriseId, d.name, d.kind],
    ),
  );
  const id = rows[0]?.id;
  if (!id) throw new RangeError('diagram not found');
  await db.query(`DELETE FROM topology_node WHERE enterprise_id = $1 AND diagram_id = $2`, [
    enterpriseId,
    id,
  ]);
  await db.query(
    `INSERT INTO topology_node (enterprise_id, diagram_id, key, label, kind, x, y, meter_id, props)
     SELECT $1, $2, n.key, n.label, n.kind, n.x, n.y, n.meter, coalesce(n.props, '{}')
     FROM jsonb_to_recordset($3::jsonb) AS n(key text, label text, kind text, x numeric, y numeric, meter uuid, props jsonb)`,
    [enterpriseId, id, JSON.stringify(d.nodes.map((n) => ({ ...n, meter: n.meterId ?? null })))],
  );
  await db.query(
    `INSERT INTO topology_edge (enterprise_id, diagram_id, from_key, to_key)
     SELECT $1, $2, e.f, e.t FROM jsonb_to_recordset($3::jsonb) AS e(f text, t text)`,
    [enterpriseId, id, JSON.stringify(d.edges.map((e) => ({ f: e.from, t: e.to })))],
  );
  return id;
}

export interface LiveNode {
  key: string;
  label: string;
  kind: string;
  x: string;
  y: string;
  meterId: string | null;
  props: Record<string, unknown>;
  /** Latest raw reading of the bound meter/sensor. */
  value: string | null;
  unit: string | null;
  ts: Date | null;
  /** Worst open alarm on the bound meter: 'critical' | 'warning' | 'info' | null. */
  alarm: string | null;
  openAlarms: number;
}

export interface LiveDiagram {
  id: string;
  name: string;
  kind: string;
  nodes: LiveNode[];
  edges: DiagramEdgeInput[];
}

/** The diagram with each bound node's latest value and open-alarm state, in two statements. */
export async function liveDiagram(db: Sql, enterpriseId: string, id: string): Promise<LiveDiagram | null> {
  const d = await db.query<{ id: string; name: string; kind: string }[]>(
    `SELECT id, name, kind FROM topology_diagram WHERE enterprise_id = $1 AND id = $2`,
    [enterpriseId, id],
  );
  if (!d[0]) return null;
  const nodes = await db.query<LiveNode[]>(
    `SELECT n.key, n.label, n.kind, n.x::text AS x, n.y::text AS y, n.meter_id AS "meterId", n.props,
            lr.value::text AS value, lr.unit, lr.ts,
            al.worst AS alarm, coalesce(al.n, 0)::int AS "openAlarms"
     FROM topology_node n
     LEFT JOIN LATERAL (
       SELECT r.value, r.unit, r.ts FROM metering_reading r
       WHERE n.meter_id IS NOT NULL AND r.enterprise_id = n.enterprise_id AND r.meter_id = n.meter_id
       ORDER BY r.ts DESC LIMIT 1) lr ON true
     LEFT JOIN LATERAL (
       SELECT count(*) AS n,
              (array_agg(e.severity ORDER BY CASE e.severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END))[1] AS worst
       FROM alarm_event e JOIN alarm_rule ru ON ru.enterprise_id = e.enterprise_id AND ru.id = e.rule_id
       WHERE n.meter_id IS NOT NULL AND e.enterprise_id = n.enterprise_id AND ru.meter_id = n.meter_id
         AND e.status <> 'cleared') al ON true
     WHERE n.enterprise_id = $1 AND n.diagram_id = $2 ORDER BY n.key`,
    [enterpriseId, id],
  );
  const edges = await db.query<DiagramEdgeInput[]>(
    `SELECT from_key AS "from", to_key AS "to" FROM topology_edge WHERE enterprise_id = $1 AND diagram_id = $2 ORDER BY 1, 2`,
    [enterpriseId, id],
  );
  return { ...d[0], nodes: nodes.map((n) => ({ ...n, ts: n.ts ? new Date(n.ts) : null })), edges };
}

/**
 * Parent-versus-children balance of a diagram over a period: each bound node's consumption from
 * rollups, then `checkUnbalance` (pure) with the tolerance in percent.
 */
export async function diagramUnbalance(
  db: Sql,
  enterpriseId: string,
  id: string,
  range: Range,
  tolerancePercent: Decimal.Value,
  utcOffsetMinutes = 480,
): Promise<UnbalanceResult[]> {
  const segs = coverRangeSigned(range.from, range.to, utcOffsetMinutes);
  const rows = await db.query<{ key: string; v: string | null }[]>(
    `SELECT n.key, (SELECT sum(r.value * s.sign) FROM unnest($3::text[], $4::timestamptz[], $5::timestamptz[], $6::int[]) AS s(grain, f, t, sign)
                     JOIN metering_rollup r ON r.enterprise_id = n.enterprise_id AND r.meter_id = n.meter_id
                      AND r.grain = s.grain AND r.bucket_start >= s.f AND r.bucket_start < s.t)::text AS v
     FROM topology_node n WHERE n.enterprise_id = $1 AND n.diagram_id = $2`,
    [
      enterpriseId,
      id,
      segs.map((s) => s.grain),
      segs.map((s) => s.from.toISOString()),
      segs.map((s) => s.to.toISOString()),
      segs.map((s) => s.sign),
    ],
  );
  const edges = await db.query<DiagramEdgeInput[]>(
    `SELECT from_key AS "from", to_key AS "to" FROM topology_edge WHERE enterprise_id = $1 AND diagram_id = $2`,
    [enterpriseId, id],
  );
  return checkUnbalance(
    rows.map((r) => ({ id: r.key, value: r.v === null ? null : new Decimal(r.v) })),
    edges,
    tolerancePercent,
  );
}
