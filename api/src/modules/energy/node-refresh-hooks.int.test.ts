import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestSession } from '../../core/testing';
import { DEMO_ENTERPRISE_ID } from '../../seed/users';
import { ingest } from '../metering/metering.service';
import { type NodeKind, type NodeRef, resolveNodeMeters, type Sql } from './energy.service';
import {
  buildRollups,
  createPlant,
  generateReadings,
  type PlantFixture,
  refreshNodeRollups,
} from './energy.testing';

/**
 * Node rollups stay current without anyone calling `refreshEnergyNodeRollups`: moving equipment to
 * another workshop (updateEquipment) and creating a meter under a line (createMeter) refresh the
 * enterprise's nodes in the same transaction (node-refresh.ts). Without those hooks the moved /
 * grown nodes' fingerprints are stale and the dashboard falls back to meter rollups — the
 * `rollupNode` expectations below fail.
 */
const cst = (s: string) => new Date(`${s}+08:00`);
const FROM = cst('2026-01-01T00:00:00');
const TO = cst('2026-01-08T00:00:00');
const E = DEMO_ENTERPRISE_ID;
let db: TestDatabase;
let api: TestApi;
let admin: TestSession;
let sql: Sql;
let plant: PlantFixture;

const DASHBOARD = `query($e: ID!, $n: EnergyNodeInput!, $at: DateTime) { energyDashboard(enterpriseId: $e, node: $n, at: $at) {
  totals { period energyType current } } }`;

/** The dashboard's month-to-date total of a node (served from node or meter rollups). */
async function monthTotal(node: NodeRef): Promise<string> {
  const r = await admin.gql<{ energyDashboard: { totals: { period: string; current: string }[] } }>(
    DASHBOARD,
    { e: E, n: { kind: node.kind, id: node.id }, at: TO.toISOString() },
  );
  expect(r.errors).toBeUndefined();
  return new Decimal(r.data!.energyDashboard.totals.find((t) => t.period === 'month')!.current).toString();
}

/** Σ of the 15-minute meter rollups of the node's current meters over [FROM, TO). */
async function meterSum(node: NodeRef): Promise<string> {
  const nm = await resolveNodeMeters(sql, E, node);
  const r = await sql.query<{ v: string | null }[]>(
    `SELECT sum(value)::text AS v FROM metering_rollup
     WHERE enterprise_id = $1 AND meter_id = ANY($2::uuid[]) AND grain = '15m'
       AND bucket_start >= $3 AND bucket_start < $4`,
    [E, nm.meters.map((m) => m.id), FROM.toISOString(), TO.toISOString()],
  );
  return new Decimal(r[0]?.v ?? 0).toString();
}

/** Every node rollup bucket equals the sum of its current meters' rollup buckets. */
async function expectNodeRollupsExact(node: NodeRef): Promise<void> {
  const nm = await resolveNodeMeters(sql, E, node);
  const nodeId = node.kind === 'ENTERPRISE' ? E : node.id;
  const diff = await sql.query<{ n: string }[]>(
    `WITH want AS (
       SELECT grain, bucket_start, tou_period, sum(value) AS v FROM metering_rollup
       WHERE enterprise_id = $1 AND meter_id = ANY($2::uuid[]) GROUP BY 1, 2, 3
     ), got AS (
       SELECT grain, bucket_start, tou_period, sum(value) AS v FROM energy_node_rollup
       WHERE enterprise_id = $1 AND node_id = $3 GROUP BY 1, 2, 3
     )
     SELECT count(*)::text AS n FROM want FULL JOIN got USING (grain, bucket_start, tou_period)
     WHERE coalesce(want.v, 0) <> coalesce(got.v, 0)`,
    [E, nm.meters.map((m) => m.id), nodeId],
  );
  expect({ node, mismatched: diff[0]!.n }).toEqual({ node, mismatched: '0' });
}

/** Node is served from its node rollups and they and the dashboard agree with the meter rollups. */
async function expectCurrent(node: NodeRef, expectedMonth: string): Promise<void> {
  const nm = await resolveNodeMeters(sql, E, node);
  expect({ node, rollupNode: nm.rollupNode }).toEqual({
    node,
    rollupNode: node.kind === 'ENTERPRISE' ? E : node.id,
  });
  await expectNodeRollupsExact(node);
  const total = await monthTotal(node);
  expect(total).toBe(await meterSum(node));
  expect(total).toBe(expectedMonth);
}

const ref = (kind: NodeKind, id: string): NodeRef => ({ kind, id });

beforeAll(async () => {
  db = await createTestDatabase('energy_node_hooks');
  api = await startTestApi(db.url);
  sql = { query: (t, p) => api.server.dataSource.query(t, p) };
  admin = await api.loginAs('admin@plant18.demo');
  // Two workshops, one line each, two equipment with one meter each; meter n uses n kWh per slot.
  plant = await createPlant(sql, E, 2, 2);
  await generateReadings(sql, E, plant.meterIds, FROM, TO, 'n::numeric');
  await buildRollups(sql, E, FROM, TO);
  await refreshNodeRollups(sql, E);
}, 60_000);
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

const SLOTS = 7 * 96;

describe('node rollups follow hierarchy changes without a refresh call', () => {
  it('moves equipment to another workshop through updateEquipment', async () => {
    const [a0, a1] = plant.areaIds as [string, string];
    const [l0, l1] = plant.lineIds as [string, string];
    await expectCurrent(ref('AREA', a0), String(SLOTS * 3)); // meters 1 + 2
    await expectCurrent(ref('AREA', a1), String(SLOTS * 7)); // meters 3 + 4

    const moved = await admin.gql<{ updateEquipment: { id: string; lineId: string } }>(
      `mutation($id: ID!, $l: ID!) { updateEquipment(id: $id, input: { lineId: $l }) { id lineId } }`,
      { id: plant.equipmentIds[0], l: l1 },
    );
    expect(moved.errors).toBeUndefined();
    expect(moved.data!.updateEquipment.lineId).toBe(l1);

    // meter 1 now counts toward workshop 2 / line 2
    await expectCurrent(ref('AREA', a0), String(SLOTS * 2));
    await expectCurrent(ref('LINE', l0), String(SLOTS * 2));
    await expectCurrent(ref('AREA', a1), String(SLOTS * 8));
    await expectCurrent(ref('LINE', l1), String(SLOTS * 8));
    await expectCurrent(ref('SITE', plant.siteId), String(SLOTS * 10));
    await expectCurrent(ref('ENTERPRISE', E), String(SLOTS * 10));
  });

  it('refuses a move to a line that does not exist', async () => {
    const r = await admin.gql(
      `mutation($id: ID!, $l: ID!) { updateEquipment(id: $id, input: { lineId: $l }) { id } }`,
      { id: plant.equipmentIds[1], l: '00000000-0000-4000-8000-00000000beef' },
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('creates a meter under a line through createMeter, then ingests into it', async () => {
    const [a0] = plant.areaIds as [string];
    const [l0] = plant.lineIds as [string];
    const eq = await admin.gql<{ createEquipment: { id: string } }>(
      `mutation($l: ID!) { createEquipment(input: { lineId: $l, code: "EQ-NEW", name: "New press" }) { id } }`,
      { l: l0 },
    );
    expect(eq.errors).toBeUndefined();
    const m = await admin.gql<{ createMeter: { id: string } }>(
      `mutation($i: CreateMeterInput!) { createMeter(input: $i) { id } }`,
      {
        i: {
          enterpriseId: E,
          code: 'M-NEW',
          name: 'New press meter',
          energyType: 'electricity',
          unit: 'kWh',
          kind: 'interval',
          equipmentId: eq.data!.createEquipment.id,
          timeZone: 'Asia/Shanghai',
        },
      },
    );
    expect(m.errors).toBeUndefined();
    // Member of line 1's nodes at once, before it has data.
    const nm = await resolveNodeMeters(sql, E, ref('LINE', l0));
    expect(nm.meters.map((x) => x.id)).toContain(m.data!.createMeter.id);
    await expectCurrent(ref('LINE', l0), String(SLOTS * 2));

    // Four readings through the ingest pipeline: the node triggers add them to the nodes.
    const readings = [1, 2, 3, 4].map((i) => ({
      meterCode: 'M-NEW',
      ts: cst('2026-01-03T10:00:00').getTime() + i * 900_000,
      value: '2.5',
      unit: 'kWh',
    }));
    const r = await ingest(
      { db: api.server.dataSource },
      { enterpriseId: E, source: 'device', transport: 'service', readings },
    );
    expect(r.rejected).toBe(0);
    expect(r.accepted).toBe(4);
    await expectCurrent(ref('LINE', l0), new Decimal(SLOTS * 2).plus(10).toString());
    await expectCurrent(ref('AREA', a0), new Decimal(SLOTS * 2).plus(10).toString());
    await expectCurrent(ref('ENTERPRISE', E), new Decimal(SLOTS * 10).plus(10).toString());
  });
});
