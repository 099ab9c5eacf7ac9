import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import pg from 'pg';
import { generatePrivateKey } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../../gateway/src/config';
import { startGateway } from '../../../../gateway/src/gateway';
import { deviceSigner } from '../../../../gateway/src/signing';
import { startSimulator } from '../../../../gateway/src/simulator/index';
import { freePort, TcpProxy } from '../../../../gateway/src/testing/tcp-proxy';
import { startTestApi, type TestApi, type TestSession } from '../../core/testing';
import { DEMO_ENTERPRISE_ID } from '../../seed/users';

let db: TestDatabase;
let api: TestApi;
let admin: TestSession;
let meterId: string;
const E = DEMO_ENTERPRISE_ID;
const T0 = Date.UTC(2026, 2, 1);

const INGEST = `mutation($e: ID!, $r: [ReadingInput!]!, $b: ID) {
  ingestReadings(enterpriseId: $e, readings: $r, batchId: $b) { batchId accepted duplicates rejected items { index status code } }
}`;

beforeAll(async () => {
  db = await createTestDatabase('metering_gql');
  api = await startTestApi(db.url, { bodyLimitBytes: 16 * 1024 * 1024, maxComplexity: 50_000 });
  admin = await api.loginAs('admin@plant18.demo');
  const r = await admin.gql<{ createMeter: { id: string } }>(
    `mutation($i: CreateMeterInput!) { createMeter(input: $i) { id } }`,
    {
      i: {
        enterpriseId: E,
        code: 'E-MAIN',
        name: 'Main',
        energyType: 'electricity',
        unit: 'kWh',
        kind: 'cumulative',
      },
    },
  );
  expect(r.errors).toBeUndefined();
  meterId = r.data!.createMeter.id;
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

describe('metering over GraphQL (real server)', () => {
  it('ingests 10,000 readings in one call, idempotently, and rolls them up', async () => {
    const readings = Array.from({ length: 10_000 }, (_, i) => ({
      meterCode: 'E-MAIN',
      ts: new Date(T0 + i * 60_000).toISOString(),
      value: String(1000 + i * 2),
      unit: 'kWh',
    }));
    const batchId = '11111111-1111-4111-8111-111111111111';
    const r = await admin.gql<{ ingestReadings: { accepted: number; duplicates: number } }>(INGEST, {
      e: E,
      r: readings,
      b: batchId,
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!.ingestReadings.accepted).toBe(10_000);
    const again = await admin.gql<{ ingestReadings: { accepted: number; duplicates: number } }>(INGEST, {
      e: E,
      r: readings,
      b: batchId,
    });
    expect(again.data!.ingestReadings).toMatchObject({ accepted: 0, duplicates: 10_000 });
    const roll = await admin.gql<{ meterRollups: { value: string }[] }>(
      `query($e: ID!, $m: ID!) { meterRollups(enterpriseId: $e, meterId: $m, grain: "1d", from: "2026-03-01T00:00:00Z", to: "2026-04-01T00:00:00Z") { value } }`,
      { e: E, m: meterId },
    );
    expect(roll.errors).toBeUndefined();
    const total = roll.data!.meterRollups.reduce((a, x) => a + Number(x.value), 0);
    expect(total).toBe(9_999 * 2);
  });

  it('CSV import reports errors by row and column; manual reading stores the photo hash', async () => {
    const csv = [
      'meter_code,ts,value,unit',
      `E-MAIN,${new Date(T0 - 3_600_000).toISOString()},990,kWh`,
      'E-MAIN,2026-02-28T23:30:00Z,991,m3',
      'NOPE,2026-02-28T23:45:00Z,1,kWh',
      'E-MAIN,2026-02-28T23:50:00Z,Infinity,kWh',
    ].join('\n');
    const r = await admin.gql<{
      importReadingsCsv: { accepted: number; errors: { row: number; column: string; code: string }[] };
    }>(
      `mutation($e: ID!, $c: String!) { importReadingsCsv(enterpriseId: $e, csv: $c) { accepted errors { row column code } } }`,
      { e: E, c: csv },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.importReadingsCsv.accepted).toBe(1);
    expect(r.data!.importReadingsCsv.errors).toEqual([
      { row: 3, column: 'unit', code: 'WRONG_UNIT' },
      { row: 4, column: 'meter_code', code: 'UNKNOWN_METER' },
      { row: 5, column: 'value', code: 'NOT_FINITE' },
    ]);
    const photo = Buffer.from('fake-jpeg-bytes');
    const m = await admin.gql<{ recordManualReading: { status: string; photoSha256: string } }>(
      `mutation($i: ManualReadingInput!) { recordManualReading(input: $i) { status photoSha256 } }`,
      {
        i: {
          enterpriseId: E,
          meterId,
          ts: new Date(T0 + 20_000 * 60_000).toISOString(),
          value: '50000',
          unit: 'kWh',
          photoBase64: photo.toString('base64'),
          photoContentType: 'image/jpeg',
        },
      },
    );
    expect(m.errors).toBeUndefined();
    expect(m.data!.recordManualReading.status).toBe('ACCEPTED');
    expect(m.data!.recordManualReading.photoSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signed device batches: valid signature accepted, tampered batch rejected per item', async () => {
    const signer = deviceSigner(generatePrivateKey());
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query(`INSERT INTO devices (enterprise_id, name, address) VALUES ($1, 'gw', $2)`, [
      E,
      signer.address,
    ]);
    await c.end();
    const batch = await signer.sign([
      { meterCode: 'E-MAIN', ts: new Date(T0 + 30_000 * 60_000).toISOString(), value: '70000', unit: 'kWh' },
    ]);
    const M = `mutation($b: SignedReadingBatchInput!) { ingestSignedReadings(batch: $b) { accepted rejected items { code } } }`;
    const ok = await api.gql<{ ingestSignedReadings: { accepted: number } }>(M, { b: batch });
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.ingestSignedReadings.accepted).toBe(1);
    const tampered = { ...batch, readings: [{ ...batch.readings[0]!, value: '1' }] };
    const bad = await api.gql<{ ingestSignedReadings: { rejected: number; items: { code: string }[] } }>(M, {
      b: tampered,
    });
    expect(bad.data!.ingestSignedReadings.items.map((i) => i.code)).toEqual(['BAD_SIGNATURE']);
  });

  it('gateway → GraphQL: buffers while the API is unreachable, then delivers everything', async () => {
    const created = await admin.gql(`mutation($i: CreateMeterInput!) { createMeter(input: $i) { id } }`, {
      i: {
        enterpriseId: E,
        code: 'GW-MAIN',
        name: 'Incomer via gateway',
        energyType: 'electricity',
        unit: 'kWh',
        kind: 'cumulative',
      },
    });
    expect(created.errors).toBeUndefined();
    const key = generatePrivateKey();
    const signer = deviceSigner(key);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const dev = await c.query(
      `INSERT INTO devices (enterprise_id, name, address) VALUES ($1, 'gw2', $2) RETURNING id`,
      [E, signer.address],
    );
    const sim = await startSimulator({
      modbusPort: await freePort(),
      opcuaPort: await freePort(),
      speed: 60,
    });
    const apiPort = Number(new URL(api.url).port);
    const proxy = new TcpProxy(await freePort(), { host: '127.0.0.1', port: apiPort });
    const dir = mkdtempSync(join(tmpdir(), 'opencep-gw-gql-'));
    try {
      const gw = await startGateway(
        parseConfig({
          device: { privateKey: key, enterpriseId: E, deviceId: dev.rows[0].id },
          journalDir: dir,
          push: {
            mode: 'graphql',
            url: `http://127.0.0.1:${proxy.port}/graphql`,
            intervalMs: 200,
            timeoutMs: 2000,
          },
          sources: [
            {
              kind: 'modbus',
              port: sim.modbusPort,
              pollMs: 100,
              points: [{ meterCode: 'GW-MAIN', register: 0, type: 'uint32', scale: '0.1', unit: 'kWh' }],
            },
          ],
        }),
      );
      // the API is down: polls pile up in the journal
      await new Promise((r) => setTimeout(r, 1500));
      expect(gw.stats.pushed).toBe(0);
      expect(gw.stats.pushFailures).toBeGreaterThan(0);
      await proxy.up();
      await gw.stop({ drainMs: 15_000 });
      expect(gw.stats.polled).toBeGreaterThan(5);
      expect(gw.stats.pushed).toBe(gw.stats.polled);
      const n = await c.query(
        `SELECT count(*)::int AS n FROM metering_reading r JOIN metering_meter m ON m.id = r.meter_id
         WHERE m.code = 'GW-MAIN' AND r.source = 'device'`,
      );
      expect(n.rows[0].n).toBe(gw.stats.polled);
    } finally {
      await c.end();
      await proxy.down();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('foreign tenants are refused', async () => {
    const r = await admin.gql(INGEST, { e: '00000000-0000-4000-8000-000000000000', r: [] });
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
