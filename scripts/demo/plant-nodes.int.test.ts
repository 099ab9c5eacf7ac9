import 'reflect-metadata';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type NodeKind,
  type NodeRef,
  resolveNodeMeters,
  type Sql,
} from '../../api/src/modules/energy/energy.service';
import { DEMO_ENTERPRISE_ID, seedDemoIdentity } from '../../api/src/seed/users';
import { startApiServer, type ApiServer } from '../../api/src/server';
import { seedDemoPlant, seedDemoTariff } from './plant';

/**
 * After `npm start` seeds the demo plant, every hierarchy node is served from its node rollups
 * (fingerprint current) and those equal the sum of its meters' rollups — also for a plant seeded
 * before node rollups existed (node tables empty), which the seed's final refresh brings in line.
 */
const E = DEMO_ENTERPRISE_ID;
const NOW = Date.UTC(2026, 0, 10, 4, 0);
let db: TestDatabase;
let api: ApiServer;
let sql: Sql;

async function nodes(): Promise<NodeRef[]> {
  const rows = await sql.query<{ kind: NodeKind; id: string }[]>(
    `SELECT 'SITE' AS kind, id FROM sites WHERE enterprise_id = $1
     UNION ALL SELECT 'AREA', id FROM areas WHERE enterprise_id = $1
     UNION ALL SELECT 'LINE', id FROM lines WHERE enterprise_id = $1`,
    [E],
  );
  return [{ kind: 'ENTERPRISE', id: E }, ...rows];
}

/** Nodes with meters: all served from node rollups that equal Σ meter rollups bucket by bucket. */
async function expectNodesCurrent(): Promise<number> {
  let checked = 0;
  for (const node of await nodes()) {
    const nm = await resolveNodeMeters(sql, E, node);
    if (!nm.meters.length) continue;
    const nodeId = node.kind === 'ENTERPRISE' ? E : node.id;
    const diff = await sql.query<{ n: string; rows: string }[]>(
      `WITH want AS (
         SELECT r.grain, r.bucket_start, m.et, m.unit, r.tou_period, sum(r.value) AS v
         FROM metering_rollup r JOIN unnest($2::uuid[], $3::text[], $4::text[]) AS m(id, et, unit) ON m.id = r.meter_id
         WHERE r.enterprise_id = $1 GROUP BY 1, 2, 3, 4, 5
       ), got AS (
         SELECT grain, bucket_start, energy_type AS et, unit, tou_period, value AS v FROM energy_node_rollup
         WHERE enterprise_id = $1 AND node_id = $5
       )
       SELECT count(*) FILTER (WHERE coalesce(want.v, 0) <> coalesce(got.v, 0))::text AS n,
              count(want.v)::text AS rows
       FROM want FULL JOIN got USING (grain, bucket_start, et, unit, tou_period)`,
      [
        E,
        nm.meters.map((m) => m.id),
        nm.meters.map((m) => m.energyType),
        nm.meters.map((m) => m.unit),
        nodeId,
      ],
    );
    expect({ node, rollupNode: nm.rollupNode, mismatched: diff[0]!.n }).toEqual({
      node,
      rollupNode: nodeId,
      mismatched: '0',
    });
    expect(Number(diff[0]!.rows)).toBeGreaterThan(0);
    checked++;
  }
  return checked;
}

beforeAll(async () => {
  db = await createTestDatabase('demo_plant_nodes');
  api = await startApiServer({
    databaseUrl: db.url,
    port: 0,
    host: '127.0.0.1',
    jwtSecret: 'demo-plant-nodes-secret-0123456789abcd',
    logLevel: 'silent',
  });
  sql = { query: (t, p) => api.dataSource.query(t, p) };
  await seedDemoIdentity(api.dataSource);
  await seedDemoTariff(api.dataSource);
}, 60_000);
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

describe('demo plant node rollups', () => {
  it('are current after seeding, and after re-seeding a plant whose nodes were never built', async () => {
    const opts = { deviceAddress: '0x00000000000000000000000000000000000000d1', days: 2, now: NOW };
    const first = await seedDemoPlant(api.dataSource, opts);
    expect(first.backfilled).toBeGreaterThan(0);
    expect(await expectNodesCurrent()).toBeGreaterThan(3);

    // A plant seeded before node rollups existed: node tables empty, seeding again creates nothing.
    await sql.query(`DELETE FROM energy_node_rollup WHERE enterprise_id = $1`, [E]);
    await sql.query(`DELETE FROM energy_node_member WHERE enterprise_id = $1`, [E]);
    await sql.query(`DELETE FROM energy_node_state WHERE enterprise_id = $1`, [E]);
    const again = await seedDemoPlant(api.dataSource, opts);
    expect(again.backfilled).toBe(0);
    expect(await expectNodesCurrent()).toBeGreaterThan(3);
  }, 120_000);
});
