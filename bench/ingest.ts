/**
 * Ingest bench: sustained readings/s into Postgres with cleaning and rollups on, through
 *  1. the GraphQL batch mutation (real server, 10,000 readings per call),
 *  2. the ingest service directly (same pipeline, no HTTP/GraphQL),
 *  3. MQTT (signed batches → Mosquitto shared subscription → 2 ingest workers),
 * next to a baseline measured in the same run: COPY of the same rows into the same table.
 *
 *   BENCH_METERS=200 BENCH_READINGS=50 npm run bench -- ingest
 */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createTestDatabase } from '@opencep/migrations';
import mqtt from 'mqtt';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { generatePrivateKey } from 'viem/accounts';
import { deviceSigner, type GatewayReading } from '../gateway/src/signing';
import { withScope } from '../api/src/core/db';
import { startTestApi } from '../api/src/core/testing';
import { createMeter } from '../api/src/modules/metering/meter.service';
import { ingest } from '../api/src/modules/metering/metering.service';
import { startIngestWorker } from '../api/src/modules/metering/mqtt-worker';
import { DEMO_ENTERPRISE_ID } from '../api/src/seed/users';

process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
const METERS = Number(process.env.BENCH_METERS ?? 100);
const PER_METER = Number(process.env.BENCH_READINGS ?? 500); // per meter per path
const BATCH = 10_000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2);
const MQTT_URL = process.env.BENCH_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const E = DEMO_ENTERPRISE_ID;

const db = await createTestDatabase('bench_ingest');
const api = await startTestApi(db.url, {
  rateLimit: { capacity: 1_000_000, refillPerSecond: 1_000_000 },
  bodyLimitBytes: 32 * 1024 * 1024,
  maxComplexity: 1_000_000,
});
const ds = api.server.dataSource;
const admin = await api.loginAs('admin@plant18.demo');
const pool = new pg.Pool({ connectionString: db.url, max: 4 });

// four disjoint meter sets (one per path) so every path appends fresh series of the same shape
const sets: Record<string, { id: string; code: string }[]> = { copy: [], graphql: [], service: [], mqtt: [] };
await withScope(ds, { enterpriseIds: [E], parkIds: [] }, async (em) => {
  for (const k of Object.keys(sets)) {
    for (let i = 0; i < METERS; i++) {
      const m = await createMeter(em, E, {
        code: `${k}-${i}`,
        name: `${k} ${i}`,
        energyType: 'electricity',
        unit: 'kWh',
        kind: 'cumulative',
      });
      sets[k]!.push({ id: m.id, code: m.code });
    }
  }
});
const T0 = Date.UTC(2026, 4, 1);
function rows(set: { id: string; code: string }[]): GatewayReading[] {
  const out: GatewayReading[] = [];
  for (let t = 0; t < PER_METER; t++)
    for (const [i, m] of set.entries())
      out.push({
        meterCode: m.code,
        ts: new Date(T0 + t * 60_000).toISOString(),
        value: String(1000 + t * (1 + (i % 7))),
        unit: 'kWh',
      });
  return out;
}
const N = METERS * PER_METER;
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
const results: Record<string, number> = {};

// 1. COPY baseline: the same rows into the same (partitioned) table, no cleaning, no rollups
{
  const data = rows(sets.copy!);
  const ids = new Map(sets.copy!.map((m) => [m.code, m.id]));
  await pool.query(`SELECT metering_ensure_reading_partition($1)`, [new Date(T0).toISOString()]);
  const c = await pool.connect();
  const t = performance.now();
  const lines = data.map((r) => `${E}\t${ids.get(r.meterCode)}\t${r.ts}\tdevice\t${r.value}\t${r.unit}\n`);
  await pipeline(
    Readable.from(lines),
    c.query(copyFrom('COPY metering_reading (enterprise_id, meter_id, ts, source, value, unit) FROM STDIN')),
  );
  results.copy = rate(N, performance.now() - t);
  c.release();
}

// 2. GraphQL batch mutation
{
  const data = rows(sets.graphql!);
  const q = `mutation($e: ID!, $r: [ReadingInput!]!) { ingestReadings(enterpriseId: $e, readings: $r) { accepted rejected } }`;
  // CONCURRENCY gateways push at once (each its own meters, as in a plant); 1 = strictly sequential
  const lanes = Array.from({ length: CONCURRENCY }, (_, l) =>
    data.filter((_, i) => (i % METERS) % CONCURRENCY === l),
  );
  const t = performance.now();
  let accepted = 0;
  await Promise.all(
    lanes.map(async (lane) => {
      for (let i = 0; i < lane.length; i += BATCH) {
        const r = await admin.gql<{ ingestReadings: { accepted: number } }>(q, {
          e: E,
          r: lane.slice(i, i + BATCH),
        });
        if (r.errors) throw new Error(JSON.stringify(r.errors));
        accepted += r.data!.ingestReadings.accepted;
      }
    }),
  );
  results.graphql = rate(accepted, performance.now() - t);
}

// 3. ingest service directly
{
  const data = rows(sets.service!);
  const t = performance.now();
  for (let i = 0; i < data.length; i += BATCH) {
    await ingest(
      { db: ds },
      { enterpriseId: E, source: 'api', transport: 'service', readings: data.slice(i, i + BATCH) },
    );
  }
  results.service = rate(N, performance.now() - t);
}

// 4. MQTT: signed batches of 1,000 → Mosquitto → 2 workers (shared subscription)
{
  const signer = deviceSigner(generatePrivateKey());
  const dev = await pool.query(
    `INSERT INTO devices (enterprise_id, name, address) VALUES ($1, 'bench', $2) RETURNING id`,
    [E, signer.address],
  );
  const group = `bench-${db.name}`;
  const workers = await Promise.all([0, 1].map(() => startIngestWorker({ ds, url: MQTT_URL, group })));
  const data = rows(sets.mqtt!);
  const batches = [];
  for (let i = 0; i < data.length; i += 1000) batches.push(await signer.sign(data.slice(i, i + 1000)));
  const pub = await mqtt.connectAsync(MQTT_URL, { protocolVersion: 5 });
  const topic = `opencep/${E}/${dev.rows[0].id}/readings`;
  const count = async () =>
    Number(
      (
        await pool.query(`SELECT count(*)::int AS n FROM metering_reading WHERE meter_id = ANY($1::uuid[])`, [
          sets.mqtt!.map((m) => m.id),
        ])
      ).rows[0].n,
    );
  const t = performance.now();
  for (const b of batches) await pub.publishAsync(topic, JSON.stringify(b), { qos: 1 });
  while ((await count()) < N) await new Promise((r) => setTimeout(r, 50));
  results.mqtt = rate(N, performance.now() - t);
  await pub.endAsync();
  for (const w of workers) await w.stop();
}

const check = await pool.query(`SELECT count(*)::int AS n FROM metering_rollup WHERE grain = '1mo'`);
console.log(
  `ingest bench: ${METERS} meters × ${PER_METER} readings per path (${N} rows), rollups on (${check.rows[0].n} monthly rollup rows)`,
);
console.log(`  ${'COPY baseline (raw rows only)'.padEnd(32)}  ${results.copy} readings/s`);
const label = {
  graphql: `GraphQL batch, ${CONCURRENCY} concurrent`,
  service: 'ingest service, sequential',
  mqtt: 'MQTT (1,000/msg) → 2 workers',
};
for (const k of ['graphql', 'service', 'mqtt'] as const) {
  const pct = Math.round((results[k]! / results.copy!) * 100);
  console.log(`  ${label[k].padEnd(32)}  ${results[k]} readings/s  (${pct}% of COPY; goal ≥ 50%)`);
}
await pool.end();
await api.close();
await db.drop();
