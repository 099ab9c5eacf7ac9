import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { generatePrivateKey } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withScope } from '../../api/src/core/db';
import { createMeter } from '../../api/src/modules/metering/meter.service';
import { type IngestWorker, startIngestWorker } from '../../api/src/modules/metering/mqtt-worker';
import { meteringFixture, type MeteringFixture } from '../../api/src/modules/metering/testing';
import { Journal } from './journal';
import { acksTopic, mqttPusher, type Pusher } from './push';
import { deviceSigner, type GatewayReading } from './signing';
import { startUplink, type Uplink } from './uplink';

const MQTT_URL = 'mqtt://127.0.0.1:1883';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await sleep(50);
  }
  throw new Error('condition not met in time');
}

let fx: MeteringFixture;
let dir: string;
let deviceId: string;
const key = generatePrivateKey();
const signer = deviceSigner(key);

beforeAll(async () => {
  fx = await meteringFixture('gateway_uplink');
  await withScope(fx.ds, { enterpriseIds: [fx.enterpriseId], parkIds: [] }, (em) =>
    createMeter(em, fx.enterpriseId, {
      code: 'U-1',
      name: 'uplink meter',
      energyType: 'electricity',
      unit: 'kWh',
      kind: 'cumulative',
    }),
  );
  const dev = await fx.pool.query<{ id: string }>(
    `INSERT INTO devices (enterprise_id, name, address) VALUES ($1, 'uplink-gw', $2) RETURNING id`,
    [fx.enterpriseId, signer.address],
  );
  deviceId = dev.rows[0]!.id;
  dir = mkdtempSync(join(tmpdir(), 'opencep-uplink-'));
});

afterAll(async () => {
  await fx?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const reading = (t: number): GatewayReading => ({
  meterCode: 'U-1',
  ts: new Date(Date.UTC(2026, 2, 1) + t * 60_000).toISOString(),
  value: String(100 + t),
  unit: 'kWh',
});
const stored = async () =>
  (
    await fx.pool.query<{ n: number; d: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT ts)::int AS d FROM metering_reading WHERE enterprise_id = $1`,
      [fx.enterpriseId],
    )
  ).rows[0]!;

describe('gateway MQTT uplink: a batch leaves the journal only on the platform’s ack', () => {
  it('keeps broker-acknowledged batches until the ingest worker acks the commit, then retires them once', async () => {
    const journal = new Journal<GatewayReading>(dir);
    for (let t = 0; t < 12; t++) journal.append([reading(t)]);
    const settings = {
      device: { privateKey: key, enterpriseId: fx.enterpriseId, deviceId },
      push: { mode: 'mqtt' as const, url: MQTT_URL, batchSize: 4, intervalMs: 50, timeoutMs: 400 },
    };
    const pusher: Pusher = mqttPusher(settings);
    let uplink: Uplink | undefined;
    let worker: IngestWorker | undefined;
    // an eavesdropper on the ack topic, and a forger publishing acks that must not retire anything
    const spy = await mqtt.connectAsync(MQTT_URL, { protocolVersion: 5 });
    const acks: string[] = [];
    spy.on('message', (_t, p) => acks.push(p.toString()));
    await spy.subscribeAsync(acksTopic(fx.enterpriseId, deviceId), { qos: 1 });
    try {
      uplink = startUplink({
        journal,
        signer,
        pusher,
        batchSize: 4,
        intervalMs: 50,
        maxBackoffMs: 300,
      });
      // 1. no ingest worker in this deployment's group: Mosquitto PUBACKs every publish (the old
      //    "delivered" signal) but nobody commits, so nothing may leave the journal
      await until(() => uplink!.stats.pushFailures >= 2, 10_000);
      for (const bogus of [
        JSON.stringify({ batchId: '00000000-0000-4000-8000-000000000000', status: 'committed' }),
        JSON.stringify({ status: 'committed' }),
        'not json',
      ])
        await spy.publishAsync(acksTopic(fx.enterpriseId, deviceId), bogus, { qos: 1 });
      await sleep(500);
      expect(uplink.stats.pushed).toBe(0);
      expect(journal.pending().flatMap((r) => r.items)).toHaveLength(12);
      expect((await stored()).n).toBe(0);

      // 2. a worker joins: the unconfirmed batch is re-sent unchanged, committed, acked and retired
      const handled: { duplicates: number; acked: boolean }[] = [];
      worker = await startIngestWorker({
        ds: fx.ds,
        url: MQTT_URL,
        group: `uplink-${fx.db.name}`,
        topicFilter: `opencep/${fx.enterpriseId}/${deviceId}/readings`,
        onHandled: (e) => handled.push({ duplicates: e.duplicates, acked: e.ack !== undefined }),
      });
      await until(() => journal.pendingBytes === 0, 20_000);
      expect(uplink.stats.pushed).toBe(12);
      expect(uplink.stats.resends).toBeGreaterThanOrEqual(1);
      expect(await stored()).toEqual({ n: 12, d: 12 });
      expect(handled.length).toBeGreaterThanOrEqual(3);
      expect(handled.every((h) => h.acked)).toBe(true);
      const committed = acks
        .map((a) => {
          try {
            return JSON.parse(a) as { status?: string; accepted?: number };
          } catch {
            return null;
          }
        })
        .filter((a) => a?.status === 'committed' && a.accepted !== undefined);
      expect(committed.reduce((s, a) => s + a!.accepted!, 0)).toBe(12);

      // 3. re-sending an already committed batch (a lost ack) is answered DUPLICATE and acked again
      const again = await pusher.push(await signer.sign([reading(0), reading(1), reading(2), reading(3)]));
      expect(again).toEqual({ accepted: 0, duplicates: 4, rejected: 0 });
      expect(await stored()).toEqual({ n: 12, d: 12 });
    } finally {
      await uplink?.stop();
      await pusher.close();
      await worker?.stop();
      await spy.endAsync();
      journal.close();
    }
  }, 60_000);
});
