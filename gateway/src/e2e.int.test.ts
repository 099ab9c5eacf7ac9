import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withScope } from '../../api/src/core/db';
import { createMeter, type MeterSpec } from '../../api/src/modules/metering/meter.service';
import { type IngestWorker, startIngestWorker } from '../../api/src/modules/metering/mqtt-worker';
import { meteringFixture, type MeteringFixture } from '../../api/src/modules/metering/testing';
import { parseConfig } from './config';
import { type RunningGateway, startGateway } from './gateway';
import { type RunningSimulator, startSimulator } from './simulator/index';
import { freePort, TcpProxy } from './testing/tcp-proxy';

const MQTT = { host: '127.0.0.1', port: 1883 };
const METERS: MeterSpec[] = [
  { code: 'E-MAIN', name: 'Main incomer', energyType: 'electricity', unit: 'kWh', kind: 'cumulative' },
  { code: 'E-LINE1', name: 'Line 1', energyType: 'electricity', unit: 'kWh', kind: 'cumulative' },
  {
    code: 'E-LINE2',
    name: 'Line 2 (16-bit counter)',
    energyType: 'electricity',
    unit: 'kWh',
    kind: 'cumulative',
    rolloverValue: '65536',
  },
  { code: 'P-MAIN', name: 'Main power', energyType: 'electricity', unit: 'kW', kind: 'instantaneous' },
  { code: 'W-MAIN', name: 'Water', energyType: 'water', unit: 'm3', kind: 'cumulative' },
  { code: 'G-BOILER', name: 'Boiler gas', energyType: 'natural_gas', unit: 'Nm3', kind: 'cumulative' },
  { code: 'S-MAIN', name: 'Steam', energyType: 'steam', unit: 't', kind: 'cumulative' },
  { code: 'A-COMP', name: 'Compressed air', energyType: 'compressed_air', unit: 'Nm3', kind: 'cumulative' },
];

let fx: MeteringFixture;
let sim: RunningSimulator;
let worker: IngestWorker;
let proxy: TcpProxy;
let dir: string;
const key = generatePrivateKey();
const handled: { accepted: number; rejected: number; deadLetter?: string }[] = [];

async function until(cond: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not met in time');
}
const count = async () =>
  Number((await fx.pool.query('SELECT count(*)::int AS n FROM metering_reading')).rows[0].n as number);

beforeAll(async () => {
  fx = await meteringFixture('gateway_e2e');
  const address = privateKeyToAccount(key).address.toLowerCase();
  await withScope(fx.ds, { enterpriseIds: [fx.enterpriseId], parkIds: [] }, async (em) => {
    for (const m of METERS) await createMeter(em, fx.enterpriseId, m);
  });
  const dev = await fx.pool.query(
    `INSERT INTO devices (enterprise_id, name, address) VALUES ($1, 'edge-1', $2) RETURNING id`,
    [fx.enterpriseId, address],
  );
  (globalThis as { deviceId?: string }).deviceId = dev.rows[0].id;
  const [modbusPort, opcuaPort, proxyPort] = [await freePort(), await freePort(), await freePort()];
  sim = await startSimulator({ modbusPort, opcuaPort, speed: 60 });
  proxy = new TcpProxy(proxyPort, MQTT);
  await proxy.up();
  worker = await startIngestWorker({
    ds: fx.ds,
    url: `mqtt://${MQTT.host}:${MQTT.port}`,
    group: `test-${fx.db.name}`,
    // only this test's device: other tests publish on the same broker
    topicFilter: `opencep/${fx.enterpriseId}/${dev.rows[0].id}/readings`,
    onHandled: (e) => handled.push(e),
  });
  dir = mkdtempSync(join(tmpdir(), 'opencep-gw-'));
});

afterAll(async () => {
  await worker?.stop();
  await sim?.stop();
  await proxy?.down();
  await fx?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('gateway → MQTT → ingest worker → rollups (real Modbus TCP, OPC UA, Mosquitto, Postgres)', () => {
  let gw: RunningGateway;

  it('collects, survives a broker outage without losing a reading, and rolls up', async () => {
    const deviceId = (globalThis as { deviceId?: string }).deviceId!;
    const config = parseConfig({
      device: { privateKey: key, enterpriseId: fx.enterpriseId, deviceId },
      journalDir: dir,
      push: {
        mode: 'mqtt',
        url: `mqtt://127.0.0.1:${proxy.port}`,
        batchSize: 400,
        intervalMs: 200,
        timeoutMs: 2000,
      },
      sources: [
        {
          kind: 'modbus',
          port: sim.modbusPort,
          pollMs: 200,
          points: [
            { meterCode: 'E-MAIN', register: 0, type: 'uint32', scale: '0.1', unit: 'kWh' },
            { meterCode: 'E-LINE1', register: 2, type: 'uint32', scale: '0.1', unit: 'kWh' },
            { meterCode: 'E-LINE2', register: 4, type: 'uint16', unit: 'kWh' },
            { meterCode: 'P-MAIN', register: 10, type: 'float32', unit: 'kW' },
            { meterCode: 'W-MAIN', register: 12, type: 'uint32', scale: '0.001', unit: 'm3' },
          ],
        },
        {
          kind: 'opcua',
          endpoint: sim.opcuaEndpoint,
          pollMs: 250,
          points: [
            { meterCode: 'G-BOILER', nodeId: 'ns=1;s=Factory.Gas.Boiler.Total', unit: 'Nm3' },
            { meterCode: 'S-MAIN', nodeId: 'ns=1;s=Factory.Steam.Main.Total', unit: 't' },
            { meterCode: 'A-COMP', nodeId: 'ns=1;s=Factory.Air.Compressors.Total', unit: 'Nm3' },
          ],
        },
      ],
    });
    gw = await startGateway(config);
    await until(async () => (await count()) > 40, 20_000);
    // bring the 16-bit counter close to its wrap (≈ 9 kWh per real second at ×60)
    sim.sim.totals['E-LINE2'] = 65_530;

    // outage: the broker is unreachable; the gateway keeps polling into its journal
    await proxy.down();
    const before = gw.stats.polled;
    await until(async () => gw.stats.polled > before + 60 && gw.stats.pushFailures > 0, 20_000);
    expect(gw.stats.pending).toBeGreaterThan(0);
    await proxy.up();
    await gw.stop({ drainMs: 15_000 });
    expect(gw.stats.pending).toBe(0);
    // everything polled was delivered exactly once
    await until(async () => (await count()) === gw.stats.polled, 20_000);
    expect(gw.stats.pushed).toBe(gw.stats.polled);
    expect(handled.every((h) => !h.deadLetter && h.rejected === 0)).toBe(true);

    // rollups: Σ15m = Σ1h = Σ1d = register delta, per meter
    for (const code of ['E-MAIN', 'E-LINE1', 'W-MAIN', 'G-BOILER', 'A-COMP']) {
      const { rows } = await fx.pool.query(
        `SELECT (SELECT value FROM metering_reading r WHERE r.meter_id = m.id ORDER BY ts DESC LIMIT 1)
              - (SELECT value FROM metering_reading r WHERE r.meter_id = m.id ORDER BY ts LIMIT 1) AS delta,
                (SELECT sum(value) FROM metering_rollup u WHERE u.meter_id = m.id AND grain = '15m') AS q,
                (SELECT sum(value) FROM metering_rollup u WHERE u.meter_id = m.id AND grain = '1d') AS d
         FROM metering_meter m WHERE code = $1`,
        [code],
      );
      const r = rows[0];
      expect(new Decimal(r.q).eq(r.delta), code).toBe(true);
      expect(new Decimal(r.d).eq(r.delta), code).toBe(true);
      expect(new Decimal(r.delta).gt(0), code).toBe(true);
    }
    // the 16-bit register wrapped and was recognised as rollover, not as a reset
    const flags = await fx.pool.query(
      `SELECT s.flags FROM metering_segment_all s JOIN metering_meter m ON m.id = s.meter_id
       WHERE m.code = 'E-LINE2' AND 'rollover' = ANY(s.flags)`,
    );
    expect(flags.rowCount).toBeGreaterThanOrEqual(1);
  });

  it('dead-letters malformed MQTT messages with the reason', async () => {
    const mqtt = await import('mqtt');
    const c = await mqtt.default.connectAsync(`mqtt://${MQTT.host}:${MQTT.port}`, { protocolVersion: 5 });
    const deviceId = (globalThis as { deviceId?: string }).deviceId!;
    const topic = `opencep/${fx.enterpriseId}/${deviceId}/readings`;
    const n = handled.length;
    await c.publishAsync(topic, 'not json', { qos: 1 });
    await c.publishAsync(topic, JSON.stringify({ hello: 1 }), { qos: 1 });
    await c.publishAsync(
      topic,
      JSON.stringify({
        batchId: crypto.randomUUID(),
        deviceAddress: `0x${'1'.repeat(40)}`,
        readings: [{}],
        signature: `0x${'2'.repeat(130)}`,
      }),
      { qos: 1 },
    );
    await c.endAsync();
    await until(async () => handled.length >= n + 3, 10_000);
    const { rows } = await fx.pool.query('SELECT reason FROM metering_dead_letter ORDER BY id');
    expect(rows.map((r) => r.reason)).toEqual(['NOT_JSON', 'BAD_ENVELOPE', 'BAD_SIGNATURE']);
  });
});
