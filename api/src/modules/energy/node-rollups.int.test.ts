import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withScope } from '../../core/db';
import { ingest, registerTouClassifier } from '../metering/metering.service';
import { type MeteringFixture, meteringFixture } from '../metering/testing';
import {
  consumption,
  type NodeKind,
  type NodeRef,
  resolveNodeMeters,
  type Sql,
  saveTariffPlan,
} from './energy.service';
import { createPlant, type PlantFixture, refreshNodeRollups } from './energy.testing';
import { hubei202601Plans } from './tariff-catalog';
import { classifyTouSlots } from './tou-hook';

/**
 * Hierarchy-node rollups (migration 1796023000000): after random ingestion through metering —
 * shuffled batches, late readings, a sub-meter, an area-level meter, two energy types — every
 * node's rollups equal the sum of its meters' rollups, where "its meters" comes from
 * resolveNodeMeters (the TypeScript rules), not from the SQL membership under test.
 */
const cst = (s: string) => new Date(`${s}+08:00`);
const START = cst('2026-03-02T00:00:00').getTime();
const SLOT = 900_000;

let fx: MeteringFixture;
let db: Sql;
let plant: PlantFixture;
let E: string;
let subMeter: string;
let areaMeter: string;
let waterMeter: string;

/** Deterministic PRNG (mulberry32) so a failure is reproducible. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Reading {
  meterId: string;
  ts: number;
  value: string;
  unit: string;
}

/** Random interval readings over `slots` slots from `start`, some gaps; returned shuffled. */
function randomReadings(
  rand: () => number,
  meters: [string, string][],
  start: number,
  slots: number,
): Reading[] {
  const out: Reading[] = [];
  for (const [meterId, unit] of meters) {
    for (let i = 1; i <= slots; i++) {
      if (rand() < 0.1) continue; // gap, filled (late) by a later batch or never
      out.push({
        meterId,
        ts: start + i * SLOT,
        value: (Math.floor(rand() * 100_000) / 1000).toFixed(3),
        unit,
      });
    }
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function send(readings: readonly Reading[]): Promise<number> {
  let accepted = 0;
  for (let i = 0; i < readings.length; i += 400) {
    const r = await ingest(
      { db: fx.ds },
      { enterpriseId: E, source: 'device', transport: 'service', readings: readings.slice(i, i + 400) },
    );
    expect(r.rejected).toBe(0);
    accepted += r.accepted;
  }
  return accepted;
}

/** All ENTERPRISE / SITE / AREA / LINE nodes of the fixture. */
async function nodes(): Promise<NodeRef[]> {
  const rows = await db.query<{ kind: NodeKind; id: string }[]>(
    `SELECT 'SITE' AS kind, id FROM sites WHERE enterprise_id = $1
     UNION ALL SELECT 'AREA', id FROM areas WHERE enterprise_id = $1
     UNION ALL SELECT 'LINE', id FROM lines WHERE enterprise_id = $1`,
    [E],
  );
  return [{ kind: 'ENTERPRISE', id: E }, ...rows];
}

type Buckets = Map<string, string>;

/** Non-zero node rollup buckets of one node. */
async function nodeBuckets(nodeId: string): Promise<Buckets> {
  const rows = await db.query<{ k: string; v: string }[]>(
    `SELECT concat_ws('|', grain, bucket_start::text, energy_type, unit, tou_period) AS k, value::text AS v
     FROM energy_node_rollup WHERE enterprise_id = $1 AND node_id = $2 AND value <> 0`,
    [E, nodeId],
  );
  return new Map(rows.map((r) => [r.k, new Decimal(r.v).toString()]));
}

/** The same buckets summed from the meter rollups of the node's meters (resolveNodeMeters). */
async function expectedBuckets(node: NodeRef): Promise<Buckets> {
  const nm = await resolveNodeMeters(db, E, node);
  const rows = await db.query<{ k: string; v: string }[]>(
    `SELECT concat_ws('|', r.grain, r.bucket_start::text, m.et, m.unit, r.tou_period) AS k, sum(r.value)::text AS v
     FROM metering_rollup r JOIN unnest($2::uuid[], $3::text[], $4::text[]) AS m(id, et, unit) ON m.id = r.meter_id
     WHERE r.enterprise_id = $1 GROUP BY 1 HAVING sum(r.value) <> 0`,
    [E, nm.meters.map((m) => m.id), nm.meters.map((m) => m.energyType), nm.meters.map((m) => m.unit)],
  );
  return new Map(rows.map((r) => [r.k, new Decimal(r.v).toString()]));
}

async function expectAllNodesConsistent(): Promise<number> {
  let buckets = 0;
  for (const n of await nodes()) {
    const [got, want] = [await nodeBuckets(n.id), await expectedBuckets(n)];
    expect({ node: n, buckets: Object.fromEntries(got) }).toEqual({
      node: n,
      buckets: Object.fromEntries(want),
    });
    buckets += got.size;
  }
  return buckets;
}

beforeAll(async () => {
  fx = await meteringFixture('energy_nodes');
  fx.pool.on('error', () => undefined);
  db = {
    query: async <T>(text: string, params?: unknown[]) => (await fx.pool.query(text, params)).rows as T,
  };
  E = fx.enterpriseId;
  const base = hubei202601Plans().find((p) => p.id.endsWith('single_part/1-10(20)kV'))!;
  await saveTariffPlan(db, E, 'hubei', { ...base, validFrom: '2026-01-01', validTo: null });
  registerTouClassifier(classifyTouSlots);
  plant = await createPlant(db, E, 2, 3);
  // A sub-meter of meter 0 (same workshop: must not be counted twice), a meter bound to workshop 2
  // directly, and a water meter on equipment 1 (second energy type).
  const ins = async (code: string, et: string, unit: string, extra: string, vals: unknown[]) =>
    (
      await db.query<{ id: string }[]>(
        `INSERT INTO metering_meter (enterprise_id, code, name, energy_type, unit, kind, time_zone, ${extra})
         VALUES ($1, $2, $2, $3, $4, 'interval', 'Asia/Shanghai', ${vals.map((_, i) => `$${5 + i}`).join(', ')})
         RETURNING id`,
        [E, code, et, unit, ...vals],
      )
    )[0]!.id;
  subMeter = await ins('SUB', 'electricity', 'kWh', 'equipment_id, parent_meter_id', [
    plant.equipmentIds[0],
    plant.meterIds[0],
  ]);
  areaMeter = await ins('AREA2', 'electricity', 'kWh', 'area_id', [plant.areaIds[1]]);
  waterMeter = await ins('W1', 'water', 'm3', 'equipment_id', [plant.equipmentIds[1]]);
  await refreshNodeRollups(db, E);
});
afterAll(async () => {
  registerTouClassifier(null);
  await fx?.close();
});

describe('hierarchy-node rollups', () => {
  it('equal the sum of their meters after random, shuffled and late ingestion', async () => {
    const rand = rng(7);
    const meters: [string, string][] = [
      ...plant.meterIds.map((id): [string, string] => [id, 'kWh']),
      [subMeter, 'kWh'],
      [areaMeter, 'kWh'],
      [waterMeter, 'm3'],
    ];
    // Two days, shuffled into batches: most slots arrive after later ones (late data).
    const first = randomReadings(rand, meters, START, 192);
    const accepted = await send(first);
    expect(accepted).toBe(first.length);
    // A third day, then the gaps of the first two days filled late.
    const have = new Set(first.map((r) => `${r.meterId}|${r.ts}`));
    await send(randomReadings(rand, meters, START + 192 * SLOT, 96));
    const gaps: Reading[] = [];
    for (const [meterId, unit] of meters) {
      for (let i = 1; i <= 192; i++) {
        const ts = START + i * SLOT;
        if (!have.has(`${meterId}|${ts}`)) gaps.push({ meterId, ts, value: '1.5', unit });
      }
    }
    expect(gaps.length).toBeGreaterThan(0);
    await send(gaps);
    const late = await db.query<{ n: string }[]>(
      `SELECT count(*)::text AS n FROM metering_segment WHERE enterprise_id = $1 AND 'late' = ANY (flags)`,
      [E],
    );
    expect(Number(late[0]!.n)).toBeGreaterThan(0);
    expect(await expectAllNodesConsistent()).toBeGreaterThan(100);
    // The sub-meter is in the workshop's membership only through its parent.
    const area1 = await resolveNodeMeters(db, E, { kind: 'AREA', id: plant.areaIds[0]! });
    expect(area1.meters.map((m) => m.id)).not.toContain(subMeter);
    expect(area1.rollupNode).toBe(plant.areaIds[0]);
  });

  it('a stale node falls back to meter rollups; a refresh re-aligns it incrementally and equals a full rebuild', async () => {
    const area1: NodeRef = { kind: 'AREA', id: plant.areaIds[0]! };
    const range = { from: new Date(START), to: new Date(START + 3 * 96 * SLOT) };
    const before = (await consumption(db, E, area1, [range]))[0]!;
    // Move equipment 3 (workshop 2) onto workshop 1's line: membership of both workshops changes.
    await db.query(`UPDATE equipment SET line_id = $3 WHERE enterprise_id = $1 AND id = $2`, [
      E,
      plant.equipmentIds[3],
      plant.lineIds[0],
    ]);
    const stale = await resolveNodeMeters(db, E, area1);
    expect(stale.meters.map((m) => m.id)).toContain(plant.meterIds[3]);
    expect(stale.rollupNode).toBeUndefined();
    const moved = (await consumption(db, E, area1, [range]))[0]!;
    const m3 = await db.query<{ v: string }[]>(
      `SELECT sum(value)::text AS v FROM metering_rollup WHERE meter_id = $1 AND grain = '15m'`,
      [plant.meterIds[3]],
    );
    const elec = (t: typeof moved) => t.find((x) => x.energyType === 'electricity')!.value;
    expect(elec(moved).minus(elec(before)).toString()).toBe(new Decimal(m3[0]!.v).toString());

    expect(await refreshNodeRollups(db, E)).toBeGreaterThan(0);
    expect((await resolveNodeMeters(db, E, area1)).rollupNode).toBe(area1.id);
    expect(elec((await consumption(db, E, area1, [range]))[0]!).toString()).toBe(elec(moved).toString());
    await expectAllNodesConsistent();
    // More late data after the refresh, then a full rebuild changes nothing.
    await send([{ meterId: plant.meterIds[3]!, ts: START + 500 * SLOT, value: '2', unit: 'kWh' }]);
    await send([{ meterId: plant.meterIds[3]!, ts: START + 400 * SLOT, value: '3', unit: 'kWh' }]);
    await expectAllNodesConsistent();
    const snapshot = await nodeBuckets(E);
    await refreshNodeRollups(db, E, true);
    expect(Object.fromEntries(await nodeBuckets(E))).toEqual(Object.fromEntries(snapshot));
    await expectAllNodesConsistent();
  });

  it('tenant RLS: another enterprise sees no node rollups, and cannot write any for this one', async () => {
    const other = await db.query<{ id: string }[]>(
      `INSERT INTO enterprises (park_id, name) SELECT park_id, 'Other' FROM enterprises WHERE id = $1 RETURNING id`,
      [E],
    );
    const scope = { enterpriseIds: [other[0]!.id], parkIds: [] };
    const seen = await withScope(fx.ds, scope, (em) =>
      em.query(`SELECT count(*)::int AS n FROM energy_node_rollup`),
    );
    expect(seen[0].n).toBe(0);
    const own = await withScope(fx.ds, { enterpriseIds: [E], parkIds: [] }, (em) =>
      em.query(`SELECT count(*)::int AS n FROM energy_node_rollup`),
    );
    expect(own[0].n).toBeGreaterThan(0);
    // A refresh for this enterprise under the other's scope sees none of its meters or members:
    // it writes nothing and leaves this enterprise's node rollups as they were.
    const snapshot = await nodeBuckets(E);
    const n = await withScope(fx.ds, scope, (em) =>
      em.query(`SELECT energy_refresh_node_rollups($1) AS n`, [E]),
    );
    expect(n[0].n).toBe(0);
    expect(Object.fromEntries(await nodeBuckets(E))).toEqual(Object.fromEntries(snapshot));
    expect((await resolveNodeMeters(db, E, { kind: 'ENTERPRISE', id: E })).rollupNode).toBe(E);
    // Writing a node rollup row for this enterprise under the other's scope is refused.
    await expect(
      withScope(fx.ds, scope, (em) =>
        em.query(
          `INSERT INTO energy_node_rollup (enterprise_id, node_id, grain, bucket_start, energy_type, unit, tou_period, value)
           VALUES ($1, $1, '1d', now(), 'electricity', 'kWh', 'flat', 1)`,
          [E],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });
});
