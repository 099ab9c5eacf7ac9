/**
 * Ingest bench: sustained readings/s into Postgres with cleaning and rollups on, through
 *  1. the GraphQL batch mutation (real server, 10,000 readings per call),
 *  2. the ingest service directly (same pipeline, no HTTP/GraphQL),
 *  3. MQTT (signed batches → Mosquitto shared subscription → 2 ingest workers),
 * next to a baseline measured in the same run: COPY of the same rows into the same table. The paths
 * run in BENCH_ROUNDS (default 3) interleaved rounds — COPY, GraphQL, object list, service, MQTT, then
 * again with the next stretch of each series — and the medians are compared (one 50,000-row COPY
 * takes ≈ 0.3 s, so a single round is at the mercy of the scheduler).
 *
 *   BENCH_METERS=200 BENCH_READINGS=50 npm run bench -- ingest
 *
 * Duration mode (`npm run bench:ingest -- --duration 600`, or BENCH_DURATION=600): the API (with its 2
 * MQTT ingest workers, as `npm start` runs them) in a child process; this process pushes continuously
 * through GraphQL (10,000-reading compact batches) and MQTT (signed 1,000-reading messages, at most a
 * few in flight) and samples the API process's RSS and heap (after a forced GC) every 10 s, then prints
 * start / end / max and the least-squares slope in MB per minute after warm-up.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
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
import { DEMO_ENTERPRISE_ID, DEMO_PASSWORD } from '../api/src/seed/users';

process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
const METERS = Number(process.env.BENCH_METERS ?? 100);
const PER_METER = Number(process.env.BENCH_READINGS ?? 500); // per meter per path
const BATCH = 10_000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MQTT_URL = process.env.BENCH_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const E = DEMO_ENTERPRISE_ID;
const T0 = Date.UTC(2026, 4, 1);

async function throughput(): Promise<void> {
  const db = await createTestDatabase('bench_ingest');
  const api = await startTestApi(db.url, {
    rateLimit: { capacity: 1_000_000, refillPerSecond: 1_000_000 },
    bodyLimitBytes: 32 * 1024 * 1024,
    maxComplexity: 1_000_000,
  });
  const ds = api.server.dataSource;
  const admin = await api.loginAs('admin@plant18.demo');
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });

  // disjoint meter sets (one per path) so every path appends fresh series of the same shape
  const sets: Record<string, { id: string; code: string }[]> = {
    copy: [],
    graphql: [],
    graphqlObjects: [],
    service: [],
    mqtt: [],
    warm: [],
    warmCopy: [],
  };
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
  /** Round `round` of a set's series: the same shape every round, later in time (appends). */
  function rows(set: { id: string; code: string }[], round = 0): GatewayReading[] {
    const out: GatewayReading[] = [];
    for (let t = round * PER_METER; t < (round + 1) * PER_METER; t++)
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

  // 1. COPY baseline: the same rows into the same (partitioned) table, no cleaning, no rollups
  async function viaCopy(set: { id: string; code: string }[], round: number): Promise<number> {
    const data = rows(set, round);
    const ids = new Map(set.map((m) => [m.code, m.id]));
    await pool.query(`SELECT metering_ensure_reading_partition($1)`, [data[0]!.ts]);
    await pool.query(`SELECT metering_ensure_reading_partition($1)`, [data.at(-1)!.ts]);
    const c = await pool.connect();
    const t = performance.now();
    const lines = data.map((r) => `${E}\t${ids.get(r.meterCode)}\t${r.ts}\tdevice\t${r.value}\t${r.unit}\n`);
    await pipeline(
      Readable.from(lines),
      c.query(
        copyFrom('COPY metering_reading (enterprise_id, meter_id, ts, source, value, unit) FROM STDIN'),
      ),
    );
    const r = rate(data.length, performance.now() - t);
    c.release();
    return r;
  }

  // 2. GraphQL batch mutations: the compact one (tuples, validated per row by the pipeline) and the
  //    object-list one (each item coerced as a GraphQL input object), CONCURRENCY lanes each
  async function viaGraphql(
    set: { id: string; code: string }[],
    compact: boolean,
    round: number,
  ): Promise<number> {
    const data = rows(set, round);
    const q = compact
      ? `mutation($e: ID!, $r: ReadingRows!) { ingestReadingRows(enterpriseId: $e, rows: $r) { accepted rejected } }`
      : `mutation($e: ID!, $r: [ReadingInput!]!) { ingestReadings(enterpriseId: $e, readings: $r) { accepted rejected } }`;
    // CONCURRENCY gateways push at once (each its own meters, as in a plant); 1 = strictly sequential
    const lanes = Array.from({ length: CONCURRENCY }, (_, l) =>
      data.filter((_, i) => (i % METERS) % CONCURRENCY === l),
    );
    const t = performance.now();
    let accepted = 0;
    await Promise.all(
      lanes.map(async (lane) => {
        for (let i = 0; i < lane.length; i += BATCH) {
          const chunk = lane.slice(i, i + BATCH);
          const r = await admin.gql<Record<string, { accepted: number }>>(q, {
            e: E,
            r: compact ? chunk.map((x) => [x.meterCode, x.ts, x.value, x.unit]) : chunk,
          });
          if (r.errors) throw new Error(JSON.stringify(r.errors));
          accepted += Object.values(r.data!)[0]!.accepted;
        }
      }),
    );
    if (accepted !== data.length) throw new Error(`GraphQL accepted ${accepted} of ${data.length}`);
    return rate(accepted, performance.now() - t);
  }

  // 3. the ingest service directly, sequential
  async function viaService(round: number): Promise<number> {
    const data = rows(sets.service!, round);
    const t = performance.now();
    for (let i = 0; i < data.length; i += BATCH) {
      await ingest(
        { db: ds },
        { enterpriseId: E, source: 'api', transport: 'service', readings: data.slice(i, i + BATCH) },
      );
    }
    return rate(N, performance.now() - t);
  }

  // 4. MQTT: signed batches of 1,000 → Mosquitto → 2 workers (shared subscription)
  const signer = deviceSigner(generatePrivateKey());
  const dev = await pool.query(
    `INSERT INTO devices (enterprise_id, name, address) VALUES ($1, 'bench', $2) RETURNING id`,
    [E, signer.address],
  );
  const topic = `opencep/${E}/${dev.rows[0].id}/readings`;
  // count what the workers committed from their own reports (polling count(*) on the readings
  // table every 50 ms cost the database ≈ 20 ms a time and slowed the path it measured)
  let stored = 0;
  let target = 0;
  let reached: () => void = () => undefined;
  const workers = await Promise.all(
    [0, 1].map(() =>
      startIngestWorker({
        ds,
        url: MQTT_URL,
        group: `bench-${db.name}`,
        topicFilter: topic,
        onHandled: (e) => {
          if (e.topic !== topic) return;
          stored += e.accepted + e.duplicates;
          if (stored >= target) reached();
        },
      }),
    ),
  );
  const pub = await mqtt.connectAsync(MQTT_URL, { protocolVersion: 5 });
  async function viaMqtt(round: number): Promise<number> {
    const data = rows(sets.mqtt!, round);
    const batches = [];
    for (let i = 0; i < data.length; i += 1000) batches.push(await signer.sign(data.slice(i, i + 1000)));
    const done = new Promise<void>((r) => {
      reached = r;
    });
    target += N;
    const t = performance.now();
    for (const b of batches) await pub.publishAsync(topic, JSON.stringify(b), { qos: 1 });
    await done;
    return rate(N, performance.now() - t);
  }

  // untimed warm-up of both sides (JIT, connection pools, first writes), on meters of their own
  await viaCopy(sets.warmCopy!, 0);
  await viaGraphql(sets.warm!, true, 0);
  // interleaved rounds, so every path sees the same machine conditions as its baseline
  const runs: Record<string, number[]> = { copy: [], graphql: [], graphqlObjects: [], service: [], mqtt: [] };
  for (let round = 0; round < ROUNDS; round++) {
    runs.copy!.push(await viaCopy(sets.copy!, round));
    runs.graphql!.push(await viaGraphql(sets.graphql!, true, round));
    runs.graphqlObjects!.push(await viaGraphql(sets.graphqlObjects!, false, round));
    runs.service!.push(await viaService(round));
    runs.mqtt!.push(await viaMqtt(round));
  }
  await pub.endAsync();
  for (const w of workers) await w.stop();
  const mqttStored = await pool.query(
    `SELECT count(*)::int AS n FROM metering_reading WHERE meter_id = ANY($1::uuid[])`,
    [sets.mqtt!.map((m) => m.id)],
  );
  if (mqttStored.rows[0].n !== N * ROUNDS)
    throw new Error(`MQTT stored ${mqttStored.rows[0].n} of ${N * ROUNDS}`);

  const median = (xs: number[]) => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2]! : Math.round((v[v.length / 2 - 1]! + v[v.length / 2]!) / 2);
  };
  const check = await pool.query(`SELECT count(*)::int AS n FROM metering_rollup WHERE grain = '1mo'`);
  console.log(
    `ingest bench: ${METERS} meters × ${PER_METER} readings per path and round (${N} rows), ${ROUNDS} interleaved rounds, ` +
      `rollups on (${check.rows[0].n} monthly rollup rows); readings/s, median [each round]`,
  );
  const copyMedian = median(runs.copy!);
  console.log(`  ${'COPY baseline (raw rows only)'.padEnd(32)}  ${copyMedian}  [${runs.copy!.join(', ')}]`);
  const label = {
    graphql: `GraphQL rows batch, ${CONCURRENCY} conc.`,
    graphqlObjects: `GraphQL object list, ${CONCURRENCY} conc.`,
    service: 'ingest service, sequential',
    mqtt: 'MQTT (1,000/msg) → 2 workers',
  };
  for (const k of ['graphql', 'graphqlObjects', 'service', 'mqtt'] as const) {
    const m = median(runs[k]!);
    const perRound = runs[k]!.map((v, i) => `${Math.round((v / runs.copy![i]!) * 100)}%`).join(', ');
    console.log(
      `  ${label[k].padEnd(32)}  ${m}  [${runs[k]!.join(', ')}]  ${Math.round((m / copyMedian) * 100)}% of COPY` +
        ` (per round ${perRound})${k === 'graphql' ? '; goal ≥ 50%' : ''}`,
    );
  }
  await pool.end();
  await api.close();
  await db.drop();
}

// ---------------------------------------------------------------------------------------------
// duration mode

interface Mem {
  rss: number;
  heapUsed: number;
}

/** Child: the API server and two MQTT ingest workers in one process, answering memory probes. */
async function serveApi(dbUrl: string): Promise<void> {
  const api = await startTestApi(dbUrl, {
    logLevel: 'error',
    rateLimit: { capacity: 1_000_000, refillPerSecond: 1_000_000 },
    bodyLimitBytes: 32 * 1024 * 1024,
    maxComplexity: 1_000_000,
  });
  const group = `soak-${randomUUID().slice(0, 8)}`;
  const workers = await Promise.all(
    [0, 1].map(() => startIngestWorker({ ds: api.server.dataSource, url: MQTT_URL, group })),
  );
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('disconnect', () => process.exit(1)); // the bench died: do not linger
  process.on('message', async (m: { type: string }) => {
    if (m.type === 'mem') {
      gc?.();
      const u = process.memoryUsage();
      process.send!({ type: 'mem', rss: u.rss, heapUsed: u.heapUsed });
    } else if (m.type === 'stop') {
      for (const w of workers) await w.stop();
      await api.close();
      process.send!({ type: 'stopped' });
      process.exit(0);
    }
  });
  process.send!({ type: 'ready', url: api.url });
}

function ask<T>(child: ChildProcess, type: string, answer: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { type: string }) => {
      if (m.type !== answer) return;
      child.off('message', on);
      resolve(m as T);
    };
    child.on('message', on);
    child.send({ type });
  });
}

function slopePerMinute(points: { t: number; v: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mv = points.reduce((a, p) => a + p.v, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.v - mv);
    den += (p.t - mt) ** 2;
  }
  return den ? (num / den) * 60_000 : 0;
}

async function soak(durationS: number): Promise<void> {
  const db = await createTestDatabase('bench_ingest_soak');
  const child = fork(import.meta.filename, ['--serve-api', db.url], {
    execArgv: [
      '--import',
      'tsx',
      '--expose-gc',
      ...process.execArgv.filter((a) => a.startsWith('--max-semi-space-size')),
    ],
    env: process.env,
  });
  const ready = await new Promise<{ url: string }>((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (m: { type: string; url: string }) => m.type === 'ready' && resolve(m));
  });
  const gql = async <T>(query: string, variables: Record<string, unknown>, token?: string) => {
    const res = await fetch(ready.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  };
  const { login } = await gql<{ login: { accessToken: string } }>(
    `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
    { e: 'admin@plant18.demo', p: DEMO_PASSWORD },
  );
  const token = login.accessToken;
  const codes: Record<'graphql' | 'mqtt', string[]> = { graphql: [], mqtt: [] };
  for (const k of ['graphql', 'mqtt'] as const)
    for (let i = 0; i < METERS; i++) {
      await gql(
        `mutation($i: CreateMeterInput!) { createMeter(input: $i) { id } }`,
        {
          i: {
            enterpriseId: E,
            code: `${k}-${i}`,
            name: `${k} ${i}`,
            energyType: 'electricity',
            unit: 'kWh',
            kind: 'cumulative',
          },
        },
        token,
      );
      codes[k].push(`${k}-${i}`);
    }
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const signer = deviceSigner(generatePrivateKey());
  const dev = await pool.query(
    `INSERT INTO devices (enterprise_id, name, address) VALUES ($1, 'soak', $2) RETURNING id`,
    [E, signer.address],
  );
  const topic = `opencep/${E}/${dev.rows[0].id}/readings`;
  const pub = await mqtt.connectAsync(MQTT_URL, { protocolVersion: 5 });

  // series of one reading per meter per minute from T0, advancing per lane
  const next = { graphql: 0, mqtt: 0 };
  const slice = (lane: 'graphql' | 'mqtt', perMeter: number) => {
    const out: [string, string, string, string][] = [];
    for (let t = next[lane]; t < next[lane] + perMeter; t++)
      for (const [i, code] of codes[lane].entries())
        out.push([code, new Date(T0 + t * 60_000).toISOString(), String(1000 + t * (1 + (i % 7))), 'kWh']);
    next[lane] += perMeter;
    return out;
  };
  const start = performance.now();
  const end = start + durationS * 1000;
  const done = { graphql: 0, mqtt: 0 };
  const mq = { published: 0, ingested: 0, dead: 0 };
  const graphqlLane = (async () => {
    while (performance.now() < end) {
      const r = await gql<{ ingestReadingRows: { accepted: number } }>(
        `mutation($e: ID!, $r: ReadingRows!) { ingestReadingRows(enterpriseId: $e, rows: $r) { accepted } }`,
        { e: E, r: slice('graphql', Math.ceil(BATCH / METERS)) },
        token,
      );
      done.graphql += r.ingestReadingRows.accepted;
    }
  })();
  const mqttLane = (async () => {
    let published = 0;
    // a message is done once ingested (batch row) or dead-lettered (counted and reported). Only this
    // bench's topic counts: other processes on the shared broker may publish for the demo enterprise.
    const ingested = async () => {
      const r = await pool.query(
        `SELECT (SELECT count(*)::int FROM metering_ingest_batch WHERE transport = 'mqtt') AS n,
                (SELECT count(*)::int FROM metering_dead_letter WHERE topic = $1) AS dead`,
        [topic],
      );
      mq.ingested = Number(r.rows[0].n);
      mq.dead = Number(r.rows[0].dead);
      return mq.ingested + mq.dead;
    };
    while (performance.now() < end) {
      if (published - (await ingested()) >= 4) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      const readings = slice('mqtt', Math.ceil(1000 / METERS)).map(
        ([meterCode, ts, value, unit]): GatewayReading => ({ meterCode, ts, value, unit }),
      );
      await pub.publishAsync(topic, JSON.stringify(await signer.sign(readings)), { qos: 1 });
      published++;
      mq.published = published;
    }
    const drainUntil = performance.now() + 120_000;
    while ((await ingested()) < published && performance.now() < drainUntil)
      await new Promise((r) => setTimeout(r, 100));
    done.mqtt = mq.ingested * Math.ceil(1000 / METERS) * METERS;
  })();

  const samples: { t: number; rss: number; heap: number }[] = [];
  const probe = async () => {
    const m = await ask<Mem>(child, 'mem', 'mem');
    const t = performance.now() - start;
    samples.push({ t, rss: m.rss / 2 ** 20, heap: m.heapUsed / 2 ** 20 });
    console.log(
      `  t=${Math.round(t / 1000)}s rss=${(m.rss / 2 ** 20).toFixed(1)} MB heap=${(m.heapUsed / 2 ** 20).toFixed(1)} MB graphql=${done.graphql} readings, mqtt ${mq.ingested}/${mq.published} messages (${mq.dead} dead-lettered)`,
    );
  };
  await probe();
  while (performance.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(10_000, Math.max(0, end - performance.now()))));
    await probe();
  }
  await Promise.all([graphqlLane, mqttLane]);
  await probe();
  const secs = (performance.now() - start) / 1000;
  const warm = Math.min(60_000, (durationS * 1000) / 5);
  const after = samples.filter((s) => s.t >= warm);
  const f = (x: number) => x.toFixed(1);
  console.log(
    `ingest soak: ${Math.round(secs)} s, GraphQL ${done.graphql} readings (${Math.round(done.graphql / secs)}/s), ` +
      `MQTT ${done.mqtt} readings (${Math.round(done.mqtt / secs)}/s, ${mq.dead} messages dead-lettered), ` +
      'API process (API + 2 MQTT workers) sampled every 10 s (heap after a forced GC)',
  );
  for (const [k, label] of [
    ['rss', 'RSS'],
    ['heap', 'heapUsed'],
  ] as const) {
    const v = samples.map((s) => s[k]);
    console.log(
      `  ${label.padEnd(9)} start ${f(v[0]!)} MB, end ${f(v.at(-1)!)} MB, max ${f(Math.max(...v))} MB, ` +
        `slope after ${warm / 1000} s warm-up ${slopePerMinute(after.map((s) => ({ t: s.t, v: s[k] }))).toFixed(2)} MB/min`,
    );
  }
  await pub.endAsync();
  await ask(child, 'stop', 'stopped');
  await pool.end();
  await db.drop();
}

const argv = process.argv.slice(2);
const flag = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const serve = flag('--serve-api');
const duration = Number(flag('--duration') ?? process.env.BENCH_DURATION ?? 0);
if (serve) await serveApi(serve);
else if (duration > 0) await soak(duration);
else await throughput();
