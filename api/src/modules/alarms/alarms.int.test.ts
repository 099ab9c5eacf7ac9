import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_CHANNEL } from '../../core/events';
import type { Sql } from '../energy/energy.service';
import { buildRollups, createPlant, generateReadings, type PlantFixture } from '../energy/energy.testing';
import { saveTariffPlan } from '../energy/energy.service';
import { hubei202601Plans } from '../energy/tariff-catalog';
import { type MeteringFixture, meteringFixture } from '../metering/testing';
import { diagramUnbalance, liveDiagram, saveDiagram } from '../topology/topology.service';
import { AlarmEvaluator } from './alarm-evaluator';
import { AlarmError } from './alarms.errors';
import { commandAlarmEvent, createAlarmRule, listAlarmEvents } from './alarms.service';

const cst = (s: string) => new Date(`${s}+08:00`);
let fx: MeteringFixture;
let db: Sql;
let plant: PlantFixture;
let listener: pg.Client;
const notices: { topic: string; payload: { status: string } }[] = [];

async function sensor(code: string, kind: 'instantaneous' | 'status', unit: string): Promise<string> {
  const r = await db.query<{ id: string }[]>(
    `INSERT INTO metering_meter (enterprise_id, code, name, energy_type, unit, kind, time_zone)
     VALUES ($1, $2, $2, 'other', $3, $4, 'Asia/Shanghai') RETURNING id`,
    [fx.enterpriseId, code, unit, kind],
  );
  return r[0]!.id;
}

/** Readings one minute apart from `start`. */
async function readings(meterId: string, start: Date, values: (string | number)[]): Promise<void> {
  await db.query(`SELECT metering_ensure_reading_partition($1)`, [start.toISOString()]);
  await db.query(
    `INSERT INTO metering_reading (enterprise_id, meter_id, ts, source, value, unit)
     SELECT $1, $2, $3::timestamptz + (i - 1) * interval '1 minute', 'device', v::numeric, 'C'
     FROM unnest($4::text[]) WITH ORDINALITY AS x(v, i)`,
    [fx.enterpriseId, meterId, start.toISOString(), values.map(String)],
  );
}

beforeAll(async () => {
  fx = await meteringFixture('alarms');
  // DROP DATABASE … WITH (FORCE) at teardown may hit a pool client still closing; not a test failure.
  fx.pool.on('error', () => undefined);
  db = {
    query: async <T>(text: string, params?: unknown[]) => (await fx.pool.query(text, params)).rows as T,
  };
  plant = await createPlant(db, fx.enterpriseId, 1, 3);
  listener = new pg.Client({ connectionString: fx.db.url });
  await listener.connect();
  listener.on('notification', (m) => {
    if (m.payload) notices.push(JSON.parse(m.payload));
  });
  await listener.query(`LISTEN ${EVENTS_CHANNEL}`);
});
afterAll(async () => {
  await listener?.end();
  await fx?.close();
});

describe('alarm lifecycle', () => {
  it('raises once with hysteresis and minimum duration, acknowledges, clears, and pushes each step', async () => {
    const temp = await sensor('T-ROOM1', 'instantaneous', 'C');
    const ruleId = await createAlarmRule(db, fx.enterpriseId, {
      name: 'Room 1 temperature',
      severity: 'critical',
      meterId: temp,
      spec: { kind: 'threshold', op: 'above', limit: '40', hysteresis: '2', minDurationSec: 120 },
    });
    const ev = new AlarmEvaluator(fx.ds);
    const t0 = cst('2026-01-10T10:00:00');
    // 41 for 1 min (too short), then 41–43 for 3 min → raise at the third minute above the limit
    await readings(temp, t0, [35, 41, 39, 41, 42, 43, 39, 38.5]);
    expect(await ev.runOnce(cst('2026-01-10T10:10:00'))).toEqual({ raised: 1, cleared: 0 });
    // Re-running consumes nothing new: still one open event (de-duplicated by rule + subject).
    expect(await ev.runOnce(cst('2026-01-10T10:11:00'))).toEqual({ raised: 0, cleared: 0 });
    let [open] = await listAlarmEvents(db, fx.enterpriseId, { open: true });
    expect(open).toMatchObject({ ruleId, status: 'raised', severity: 'critical', raisedValue: '43' });
    expect(open!.raisedAt.toISOString()).toBe(new Date(t0.getTime() + 5 * 60_000).toISOString());

    open = await commandAlarmEvent(
      db,
      fx.enterpriseId,
      open!.id,
      'acknowledge',
      'operator@plant',
      'fan restarted',
    );
    expect(open).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'operator@plant',
      ackNote: 'fan restarted',
    });
    await expect(
      commandAlarmEvent(db, fx.enterpriseId, open.id, 'acknowledge', 'x', null),
    ).rejects.toBeInstanceOf(AlarmError);

    // 39 and 38.5 were inside the band (≥ 38); 37.9 clears.
    await readings(temp, new Date(t0.getTime() + 8 * 60_000), [38.2, 37.9]);
    expect(await ev.runOnce(cst('2026-01-10T10:12:00'))).toEqual({ raised: 0, cleared: 1 });
    const [done] = await listAlarmEvents(db, fx.enterpriseId);
    expect(done).toMatchObject({ status: 'cleared', clearedValue: '37.9', acknowledgedBy: 'operator@plant' });

    // Above again → a new event (the old one is closed).
    await readings(temp, new Date(t0.getTime() + 10 * 60_000), [45, 45, 45]);
    expect(await ev.runOnce(cst('2026-01-10T10:14:00'))).toEqual({ raised: 1, cleared: 0 });
    expect(await listAlarmEvents(db, fx.enterpriseId)).toHaveLength(2);

    await new Promise((r) => setTimeout(r, 100));
    const alarmNotices = notices
      .filter((n) => n.topic === 'alarm.event')
      .map((n) => n.payload?.status ?? JSON.stringify(n));
    expect(alarmNotices).toEqual(['raised', 'cleared', 'raised']);
  });

  it('door/smoke state, no-data and running-in-peak rules', async () => {
    const door = await sensor('DOOR-1', 'status', 'state');
    const silent = await sensor('T-SILENT', 'instantaneous', 'C');
    await createAlarmRule(db, fx.enterpriseId, {
      name: 'Door',
      meterId: door,
      spec: { kind: 'state', alarmValues: ['1'] },
    });
    await createAlarmRule(db, fx.enterpriseId, {
      name: 'Silent',
      meterId: silent,
      spec: { kind: 'no_data', minutes: 15 },
    });
    const t0 = cst('2026-01-11T09:00:00');
    const press = await sensor('P-PRESS', 'instantaneous', 'kW');
    await saveTariffPlan(db, fx.enterpriseId, 'hubei', hubei202601Plans()[1]!);
    await createAlarmRule(db, fx.enterpriseId, {
      name: 'Press in peak',
      meterId: press,
      spec: { kind: 'running_in_peak', runKw: '50' },
    });
    await readings(door, t0, [0, 1, 1, 0]);
    await readings(silent, t0, [20]);
    await readings(press, cst('2026-01-11T15:59:00'), [80, 80, 80]); // flat, then peak from 16:00
    const ev = new AlarmEvaluator(fx.ds);
    const r = await ev.runOnce(cst('2026-01-11T09:20:00'));
    expect(r).toEqual({ raised: 3, cleared: 1 }); // door raised + cleared, silent raised, press in peak
    const press1 = (await listAlarmEvents(db, fx.enterpriseId, { open: true })).find((e) =>
      e.message.startsWith('Press'),
    );
    expect(press1!.raisedAt.toISOString()).toBe(cst('2026-01-11T16:00:00').toISOString());
    await readings(silent, cst('2026-01-11T09:21:00'), [20]);
    expect(await ev.runOnce(cst('2026-01-11T09:22:00'))).toEqual({ raised: 0, cleared: 1 });
  });

  it('never blocks ingestion: readings insert while an evaluation transaction holds its rule', async () => {
    const temp = await sensor('T-LOCK', 'instantaneous', 'C');
    await createAlarmRule(db, fx.enterpriseId, {
      name: 'Lock',
      meterId: temp,
      spec: { kind: 'threshold', op: 'above', limit: '1' },
    });
    const client = await fx.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT * FROM alarm_state FOR UPDATE`);
      const started = Date.now();
      await readings(temp, cst('2026-01-12T00:00:00'), [5]);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});

describe('topology', () => {
  it('returns a single-line diagram with live values and alarm states, and detects unbalance', async () => {
    // Feeder meter = a 4th electricity meter reading 10 kWh/slot; branches are meters 1..3 (1+2+3 = 6).
    const feeder = await db.query<{ id: string }[]>(
      `INSERT INTO metering_meter (enterprise_id, code, name, energy_type, unit, kind, time_zone)
       VALUES ($1, 'FEEDER', 'Feeder', 'electricity', 'kWh', 'interval', 'Asia/Shanghai') RETURNING id`,
      [fx.enterpriseId],
    );
    const day = { from: cst('2026-01-05T00:00:00'), to: cst('2026-01-06T00:00:00') };
    await generateReadings(db, fx.enterpriseId, plant.meterIds, day.from, day.to, 'n::numeric');
    await generateReadings(db, fx.enterpriseId, [feeder[0]!.id], day.from, day.to, '6.3');
    await buildRollups(db, fx.enterpriseId, day.from, day.to);
    const id = await saveDiagram(db, fx.enterpriseId, {
      name: 'Main SLD',
      kind: 'power',
      nodes: [
        { key: 'F', label: 'Feeder 10 kV', kind: 'feeder', x: '0', y: '0', meterId: feeder[0]!.id },
        ...plant.meterIds.map((m, i) => ({
          key: `B${i + 1}`,
          label: `Branch ${i + 1}`,
          kind: 'breaker',
          x: String(i * 100),
          y: '100',
          meterId: m,
        })),
      ],
      edges: plant.meterIds.map((_, i) => ({ from: 'F', to: `B${i + 1}` })),
    });
    await createAlarmRule(db, fx.enterpriseId, {
      name: 'Branch 1 overload',
      meterId: plant.meterIds[0]!,
      spec: { kind: 'threshold', op: 'above', limit: '0.5' },
    });
    await new AlarmEvaluator(fx.ds).runOnce(cst('2026-01-06T00:00:00'));
    const live = await liveDiagram(db, fx.enterpriseId, id);
    expect(live!.nodes).toHaveLength(4);
    const b1 = live!.nodes.find((n) => n.key === 'B1')!;
    expect(b1).toMatchObject({ value: '1', unit: 'kWh', alarm: 'warning', openAlarms: 1 });
    expect(live!.nodes.find((n) => n.key === 'F')!.alarm).toBeNull();

    // 6.3 vs 6 per slot: 4.76 % difference
    const within = await diagramUnbalance(db, fx.enterpriseId, id, day, '5');
    expect(within[0]).toMatchObject({ nodeId: 'F', unbalanced: false });
    expect(within[0]!.difference.toString()).toBe('28.8');
    // Consumption over plan: meter 3 uses 3 kWh per slot → 144 kWh by noon > 100 planned for the day.
    await createAlarmRule(db, fx.enterpriseId, {
      name: 'Branch 3 daily plan',
      meterId: plant.meterIds[2]!,
      spec: { kind: 'over_plan', plan: '100', period: 'day' },
    });
    await new AlarmEvaluator(fx.ds).runOnce(cst('2026-01-05T12:00:00'));
    const plan = (await listAlarmEvents(db, fx.enterpriseId, { open: true })).find((e) =>
      e.message.startsWith('Branch 3'),
    );
    expect(plan?.raisedValue).toBe('144');

    const strict = await diagramUnbalance(db, fx.enterpriseId, id, day, '2');
    expect(strict[0]!.unbalanced).toBe(true);
    expect(strict[0]!.percent!.toFixed(4)).toBe('4.7619');
  });
});
