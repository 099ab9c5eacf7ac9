import 'reflect-metadata';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlarmEvaluator } from '../../api/src/modules/alarms/alarm-evaluator';
import { createMeter } from '../../api/src/modules/metering/meter.service';
import { liveDiagram } from '../../api/src/modules/topology/topology.service';
import { DEMO_ENTERPRISE_ID, seedDemoIdentity } from '../../api/src/seed/users';
import { startApiServer, type ApiServer } from '../../api/src/server';
import { DEMO_DIAGRAMS, DEMO_ROOM_SENSORS, seedDemoTopology } from './plant';

const E = DEMO_ENTERPRISE_ID;
let db: TestDatabase;
let api: ApiServer;

beforeAll(async () => {
  db = await createTestDatabase('demo_topology');
  api = await startApiServer({
    databaseUrl: db.url,
    port: 0,
    host: '127.0.0.1',
    jwtSecret: 'demo-topology-secret-demo-topology-0123',
    logLevel: 'silent',
  });
  await seedDemoIdentity(api.dataSource);
  for (const code of ['E-MAIN', 'E-LINE1', 'W-MAIN', 'W-WELDING'])
    await createMeter(api.dataSource, E, {
      code,
      name: code,
      energyType: code.startsWith('E') ? 'electricity' : 'water',
      unit: code.startsWith('E') ? 'kWh' : 'm3',
      kind: 'cumulative',
    });
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

describe('demo topology seed', () => {
  it('creates the diagrams once, binds existing meters, and the room sensors carry values and alarms', async () => {
    const first = await seedDemoTopology(api.dataSource);
    const again = await seedDemoTopology(api.dataSource);
    expect(again.diagrams).toEqual(first.diagrams);
    expect(first.diagrams).toHaveLength(DEMO_DIAGRAMS.length);
    const kinds: { kind: string }[] = await api.dataSource.query(
      `SELECT kind FROM topology_diagram WHERE enterprise_id = $1 ORDER BY kind`,
      [E],
    );
    expect(kinds.map((k) => k.kind)).toEqual(['air', 'layout', 'power', 'water']);
    await new AlarmEvaluator(api.dataSource).runOnce();
    const power = (await liveDiagram(api.dataSource, E, first.diagrams[0]!))!;
    expect(power.kind).toBe('power');
    const bound = power.nodes.filter((n) => n.meterId).map((n) => n.key);
    expect(bound).toEqual(['E-LINE1', 'E-MAIN']);
    const room = (await liveDiagram(api.dataSource, E, first.diagrams[3]!))!;
    expect(room.nodes.map((n) => [n.key, n.value !== null && Number(n.value)]).sort()).toEqual(
      DEMO_ROOM_SENSORS.map((s) => [s.code, Number(s.value)]).sort(),
    );
    // The door stands open in the demo: its state rule raised a warning; the breaker is closed.
    expect(room.nodes.find((n) => n.key === 'DR1-DOOR')?.alarm).toBe('warning');
    expect(room.nodes.find((n) => n.key === 'DR1-QF1')?.alarm).toBeNull();
  });
});
