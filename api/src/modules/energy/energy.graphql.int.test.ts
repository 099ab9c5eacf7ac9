import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi, type TestSession } from '../../core/testing';
import { DEMO_ENTERPRISE_ID } from '../../seed/users';
import { AlarmEvaluator } from '../alarms/alarm-evaluator';
import { resolveNodeMeters, type Sql } from './energy.service';
import { buildRollups, createPlant, generateReadings, type PlantFixture } from './energy.testing';

const cst = (s: string) => new Date(`${s}+08:00`);
let db: TestDatabase;
let api: TestApi;
let admin: TestSession;
let operator: TestSession;
let plant: PlantFixture;
const E = DEMO_ENTERPRISE_ID;

beforeAll(async () => {
  db = await createTestDatabase('energy_gql');
  api = await startTestApi(db.url);
  const sql: Sql = { query: (t, p) => api.server.dataSource.query(t, p) };
  admin = await api.loginAs('admin@plant18.demo');
  operator = await api.loginAs('operator@plant18.demo');
  const seeded = await admin.gql<{ seedHubeiTariff: { id: string; valley: string } }>(
    `mutation { seedHubeiTariff(enterpriseId: "${E}", structure: "single_part", voltage: "1-10(20)kV") { id valley } }`,
  );
  expect(seeded.errors).toBeUndefined();
  expect(seeded.data?.seedHubeiTariff.valley).toBe('0.496924');
  plant = await createPlant(sql, E, 1, 2);
  await generateReadings(
    sql,
    E,
    plant.meterIds,
    cst('2026-01-01T00:00:00'),
    cst('2026-01-08T00:00:00'),
    'n::numeric',
  );
  await buildRollups(sql, E, cst('2026-01-01T00:00:00'), cst('2026-01-08T00:00:00'));
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

describe('energy GraphQL', () => {
  it('answers the workshop dashboard with exact decimals', async () => {
    const q = `query($e: ID!, $n: EnergyNodeInput!, $at: DateTime) { energyDashboard(enterpriseId: $e, node: $n, at: $at) {
         totals { period energyType current previous periodOverPeriod }
         touMonth { totalKwh totalCost periods { period kwh cost share } }
         loadCurve { ts value } tceYear { energyType tceLow tceHigh citation } } }`;
    const vars = {
      e: E,
      n: { kind: 'AREA', id: plant.areaIds[0] },
      at: cst('2026-01-08T00:00:00').toISOString(),
    };
    const r = await admin.gql<{
      energyDashboard: {
        totals: { period: string; current: string }[];
        touMonth: { totalKwh: string; totalCost: string; periods: { period: string; share: string }[] };
        loadCurve: { value: string }[];
        tceYear: { tceLow: string }[];
      };
    }>(q, vars);
    expect(r.errors).toBeUndefined();
    const d = r.data!.energyDashboard;
    // meters 1 + 2 → 3 kWh per slot, 7 days
    expect(d.totals.find((t) => t.period === 'month')!.current).toBe(String(7 * 96 * 3));
    expect(d.touMonth.totalKwh).toBe(String(7 * 96 * 3));
    // 7 days × 3 × 69.578576
    expect(d.touMonth.totalCost).toBe('1461.150096');
    expect(d.touMonth.periods.map((p) => p.share)).toEqual([
      '0.083333333333333333333',
      '0.25',
      '0.33333333333333333333',
      '0.33333333333333333333',
    ]);
    expect(d.tceYear[0]!.tceLow).toBe('0.2477664'); // 2016 kWh × 0.1229 kgce / 1000

    // Hierarchy-node rollups: only energy:configure may refresh them; afterwards the dashboard is
    // served from the workshop's node rollups with the very same answer.
    const denied = await operator.gql(`mutation($e: ID!) { refreshEnergyNodeRollups(enterpriseId: $e) }`, {
      e: E,
    });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const refreshed = await admin.gql<{ refreshEnergyNodeRollups: number }>(
      `mutation($e: ID!) { refreshEnergyNodeRollups(enterpriseId: $e) }`,
      { e: E },
    );
    expect(refreshed.errors).toBeUndefined();
    expect(refreshed.data!.refreshEnergyNodeRollups).toBeGreaterThan(0);
    const sql: Sql = { query: (t, p) => api.server.dataSource.query(t, p) };
    const nm = await resolveNodeMeters(sql, E, { kind: 'AREA', id: plant.areaIds[0]! });
    expect(nm.rollupNode).toBe(plant.areaIds[0]);
    const again = await admin.gql(q, vars);
    expect(again.errors).toBeUndefined();
    expect(again.data).toEqual(r.data);
  });

  it('refuses a foreign enterprise and validates ranges', async () => {
    const other = '00000000-0000-4000-8000-000000000001';
    const r = await operator.gql(
      `query($e: ID!) { energyConsumption(enterpriseId: $e, node: {kind: ENTERPRISE, id: $e}, from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z") { value } }`,
      { e: other },
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const bad = await admin.gql(
      `query($e: ID!) { energyConsumption(enterpriseId: $e, node: {kind: ENTERPRISE, id: $e}, from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z") { value } }`,
      { e: E },
    );
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // The load curve is bounded: 31 days of 15-minute points at most.
    const curve = (to: string) =>
      admin.gql<{ energyLoadCurve: unknown[] }>(
        `query($e: ID!, $to: DateTime!) { energyLoadCurve(enterpriseId: $e, node: {kind: ENTERPRISE, id: $e}, from: "2026-01-01T00:00:00Z", to: $to) { ts } }`,
        { e: E, to },
      );
    expect((await curve('2026-02-10T00:00:00Z')).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const ok = await curve('2026-02-01T00:00:00Z');
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.energyLoadCurve.length).toBeGreaterThan(0);
  });

  it('runs an alarm rule and lets an operator acknowledge the event', async () => {
    const rule = await admin.gql<{ createAlarmRule: { id: string } }>(
      `mutation($e: ID!, $i: CreateAlarmRuleInput!) { createAlarmRule(enterpriseId: $e, input: $i) { id } }`,
      {
        e: E,
        i: {
          name: 'M2 over 1.5 kWh/slot',
          meterId: plant.meterIds[1],
          spec: JSON.stringify({ kind: 'threshold', op: 'above', limit: '1.5' }),
        },
      },
    );
    expect(rule.errors).toBeUndefined();
    await new AlarmEvaluator(api.server.dataSource).runOnce(cst('2026-01-08T00:00:00'));
    const open = await operator.gql<{ alarmEvents: { id: string; status: string }[] }>(
      `query($e: ID!) { alarmEvents(enterpriseId: $e, openOnly: true) { id status message } }`,
      { e: E },
    );
    expect(open.data?.alarmEvents).toHaveLength(1);
    const ack = await operator.gql<{
      acknowledgeAlarm: { status: string; acknowledgedBy: string; ackNote: string };
    }>(
      `mutation($e: ID!, $id: ID!) { acknowledgeAlarm(enterpriseId: $e, id: $id, note: "checked") { status acknowledgedBy ackNote } }`,
      { e: E, id: open.data!.alarmEvents[0]!.id },
    );
    expect(ack.errors).toBeUndefined();
    expect(ack.data?.acknowledgeAlarm).toMatchObject({ status: 'acknowledged', ackNote: 'checked' });
    const again = await operator.gql(
      `mutation($e: ID!, $id: ID!) { acknowledgeAlarm(enterpriseId: $e, id: $id) { status } }`,
      { e: E, id: open.data!.alarmEvents[0]!.id },
    );
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });
});
