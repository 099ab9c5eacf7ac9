import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestSession } from '../../core/testing';
import { DEMO_ENTERPRISE_ID } from '../../seed/users';

const E = DEMO_ENTERPRISE_ID;
let db: TestDatabase;
let api: TestApi;
let admin: TestSession;
let operator: TestSession;
let foreign: string;
let foreignDiagram: string;

const LIST = `query($e: ID!, $k: String) { topologyDiagrams(enterpriseId: $e, kind: $k) { id name kind nodeCount boundNodes updatedAt } }`;
const SAVE = `mutation($e: ID!, $i: SaveDiagramInput!) { saveTopologyDiagram(enterpriseId: $e, input: $i) { id } }`;

interface Summary {
  id: string;
  name: string;
  kind: string;
  nodeCount: number;
  boundNodes: number;
  updatedAt: string;
}

beforeAll(async () => {
  db = await createTestDatabase('topology_list');
  api = await startTestApi(db.url);
  admin = await api.loginAs('admin@plant18.demo');
  operator = await api.loginAs('operator@plant18.demo');
  const ds = api.server.dataSource;
  const [park] = await ds.query(
    `INSERT INTO parks (name, jurisdiction) VALUES ('Foreign Park', 'CN-GD-SZ') RETURNING id`,
  );
  const [ent] = await ds.query(
    `INSERT INTO enterprises (park_id, name) VALUES ($1, 'Foreign Co') RETURNING id`,
    [park.id],
  );
  foreign = ent.id;
  const [d] = await ds.query(
    `INSERT INTO topology_diagram (enterprise_id, name, kind) VALUES ($1, 'Foreign SLD', 'power') RETURNING id`,
    [foreign],
  );
  foreignDiagram = d.id;
  const meter = await admin.gql<{ createMeter: { id: string } }>(
    `mutation($i: CreateMeterInput!) { createMeter(input: $i) { id } }`,
    {
      i: {
        enterpriseId: E,
        code: 'T-MAIN',
        name: 'Main',
        energyType: 'electricity',
        unit: 'kWh',
        kind: 'cumulative',
      },
    },
  );
  expect(meter.errors).toBeUndefined();
  const meterId = meter.data!.createMeter.id;
  for (const [name, kind, nodes] of [
    [
      'Main single-line',
      'power',
      [
        { key: 'in', label: 'Incomer', kind: 'incomer', x: '10', y: '10', meterId },
        { key: 'f1', label: 'Feeder 1', kind: 'feeder', x: '10', y: '60' },
      ],
    ],
    ['Water network', 'water', [{ key: 'w', label: 'Mains', kind: 'source', x: '1', y: '1' }]],
  ] as const) {
    const r = await admin.gql(SAVE, {
      e: E,
      i: { name, kind, nodes, edges: nodes.length > 1 ? [{ from: 'in', to: 'f1' }] : [] },
    });
    expect(r.errors).toBeUndefined();
  }
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

describe('topologyDiagrams', () => {
  it('lists the enterprise’s diagrams with node counts, filtered by kind', async () => {
    const all = await operator.gql<{ topologyDiagrams: Summary[] }>(LIST, { e: E });
    expect(all.errors).toBeUndefined();
    const list = all.data!.topologyDiagrams;
    expect(list.map((d) => [d.kind, d.name, d.nodeCount, d.boundNodes])).toEqual([
      ['power', 'Main single-line', 2, 1],
      ['water', 'Water network', 1, 0],
    ]);
    expect(Number.isNaN(Date.parse(list[0]!.updatedAt))).toBe(false);
    const water = await operator.gql<{ topologyDiagrams: Summary[] }>(LIST, { e: E, k: 'water' });
    expect(water.data!.topologyDiagrams.map((d) => d.name)).toEqual(['Water network']);
    // The listed id opens the live diagram.
    const open = await operator.gql<{ topologyDiagram: { name: string } }>(
      `query($e: ID!, $id: ID!) { topologyDiagram(enterpriseId: $e, id: $id) { name } }`,
      { e: E, id: list[0]!.id },
    );
    expect(open.data?.topologyDiagram.name).toBe('Main single-line');
  });

  it('rejects an unknown kind with a typed error', async () => {
    const r = await operator.gql(LIST, { e: E, k: 'plasma' });
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.data?.topologyDiagrams ?? null).toBeNull();
  });

  it('refuses another tenant and roles without aggregates:read', async () => {
    const r = await admin.gql<{ topologyDiagrams: Summary[] }>(LIST, { e: foreign });
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(r.data ?? null)).not.toContain(foreignDiagram);
    const regulator = await api.loginAs('regulator@hunan.demo');
    const denied = await regulator.gql(LIST, { e: E });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anon = await api.gql(LIST, { e: E });
    expect(anon.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
