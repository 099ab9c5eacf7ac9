/**
 * Fault injection against the real processes (issue 12). The API and the MQTT ingest workers run as
 * child processes (scripts/fault-api.ts) on a fresh database; a load generator keeps ingesting while
 * the suite kills them with SIGKILL and restarts them. Afterwards every acknowledged reading must be
 * stored exactly once and the rollups must equal a recomputation from the raw data.
 *
 * Bounded form: scripts/faults.int.test.ts (CI). Longer form: `npm run test:faults` (bench/faults.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import mqtt from 'mqtt';
import pg from 'pg';
import { generatePrivateKey } from 'viem/accounts';
import { deviceSigner, type GatewayReading } from '../gateway/src/signing';
import { DEMO_ENTERPRISE_ID, DEMO_PASSWORD } from '../api/src/seed/users';
import { freePort } from './embedded-postgres';
import type { FaultChildConfig } from './fault-api';

const ROOT = resolve(import.meta.dirname, '..');
const CHILD = join(ROOT, 'scripts', 'fault-api.ts');
const E = DEMO_ENTERPRISE_ID;
const T0 = Date.UTC(2026, 5, 1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FaultRow {
  fault: string;
  acknowledged: number | string;
  stored: number | string;
  lost: number | string;
  duplicates: number | string;
  recovery: string;
}

export interface FaultSuiteOptions {
  /** kill -9 of the API process during GraphQL load */
  apiKills: number;
  /** kill -9 of one of two MQTT ingest workers during QoS 1 publishing */
  workerKills: number;
  /** meters per load loop (two loops for GraphQL) */
  meters?: number;
  /** readings per GraphQL batch / MQTT message */
  batchSize?: number;
  mqttUrl?: string;
  /** load time before each kill, ms */
  loadMs?: number;
  /** pause between MQTT messages, ms (the publisher must not outrun the workers by minutes) */
  mqttIntervalMs?: number;
  log?: (line: string) => void;
}

export interface FaultSuiteResult {
  rows: FaultRow[];
  /** meter/grain combinations where Σ rollup ≠ Σ segment deltas ≠ raw register span */
  rollupMismatches: string[];
  deadLetters: number;
  rejected: number;
}

interface Child {
  proc: ChildProcess;
  out: string;
}

function startChild(cfg: FaultChildConfig): Promise<Child> {
  return new Promise((resolveChild, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(cfg)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`child ${cfg.mode} not ready in 90 s: ${err}`)), 90_000);
    proc.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveChild({ proc, out: m[1]! });
      }
    });
    proc.stderr?.on('data', (b: Buffer) => {
      err += b.toString();
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child ${cfg.mode} exited ${code}: ${err.slice(-2000)}`));
    });
  });
}

function kill9(c: Child): Promise<void> {
  return new Promise((r) => {
    if (c.proc.exitCode !== null || c.proc.signalCode !== null) return r();
    c.proc.once('exit', () => r());
    c.proc.kill('SIGKILL');
  });
}

/** Cumulative register value of meter `m` at minute `t`: deterministic, so retries resend the same. */
const valueAt = (m: number, t: number) => String(1000 + t * (1 + (m % 5)) + (t % 3) * 0.125);
const tsAt = (t: number) => new Date(T0 + t * 60_000).toISOString();

interface Batch {
  id: string;
  readings: GatewayReading[];
}

const INGEST = `mutation($e: ID!, $r: [ReadingInput!]!, $b: ID) {
  ingestReadings(enterpriseId: $e, readings: $r, batchId: $b) { accepted duplicates rejected items { index status code } }
}`;

async function gql(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<{ status: number; data?: Record<string, unknown> | null; errors?: unknown[] }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json()) as { data?: Record<string, unknown> | null; errors?: unknown[] };
  return { status: res.status, ...body };
}

async function storedKeys(
  pool: pg.Pool,
  meterIds: string[],
): Promise<{ keys: Map<string, number>; rows: number }> {
  const r = await pool.query<{ code: string; ts: Date; n: number }>(
    `SELECT m.code, r.ts, count(*)::int AS n FROM metering_reading r JOIN metering_meter m ON m.id = r.meter_id
     WHERE r.enterprise_id = $1 AND r.meter_id = ANY($2::uuid[]) GROUP BY 1, 2`,
    [E, meterIds],
  );
  const keys = new Map<string, number>();
  let rows = 0;
  for (const x of r.rows) {
    keys.set(`${x.code}@${x.ts.toISOString()}`, x.n);
    rows += x.n;
  }
  return { keys, rows };
}

function tally(acked: Set<string>, stored: Map<string, number>) {
  let lost = 0;
  let dup = 0;
  for (const k of acked) if (!stored.has(k)) lost++;
  for (const n of stored.values()) if (n > 1) dup += n - 1;
  return { lost, dup };
}

/** Σ rollup per grain = Σ segment deltas = last − first register value (multiplier 1, monotonic data). */
export async function rollupMismatches(pool: pg.Pool, meterIds: string[]): Promise<string[]> {
  const r = await pool.query<{
    code: string;
    grain: string;
    v: string;
    s: string;
    d: string;
    segs: number;
    raws: number;
  }>(
    `WITH raw AS (SELECT meter_id, max(value) - min(value) AS d, count(DISTINCT ts)::int AS raws
                    FROM metering_reading WHERE enterprise_id = $1 AND meter_id = ANY($2::uuid[]) GROUP BY 1),
          seg AS (SELECT meter_id, sum(delta) AS s, count(*)::int AS segs
                    FROM metering_segment WHERE enterprise_id = $1 AND meter_id = ANY($2::uuid[]) GROUP BY 1),
          rol AS (SELECT raw.meter_id, g.grain, coalesce(sum(r.value), 0) AS v
                    FROM raw CROSS JOIN (VALUES ('15m'), ('1h'), ('1d'), ('1mo')) AS g(grain)
                    LEFT JOIN metering_rollup r ON r.enterprise_id = $1 AND r.meter_id = raw.meter_id AND r.grain = g.grain
                    GROUP BY 1, 2)
     SELECT m.code, rol.grain, rol.v::text AS v, coalesce(seg.s, 0)::text AS s, raw.d::text AS d,
            coalesce(seg.segs, 0) AS segs, raw.raws
     FROM rol JOIN raw USING (meter_id) LEFT JOIN seg USING (meter_id) JOIN metering_meter m ON m.id = rol.meter_id
     WHERE rol.v <> coalesce(seg.s, 0) OR coalesce(seg.s, 0) <> raw.d OR coalesce(seg.segs, 0) <> raw.raws`,
    [E, meterIds],
  );
  return r.rows.map(
    (x) =>
      `${x.code} ${x.grain}: rollup ${x.v}, segments ${x.s} (${x.segs} rows), raw span ${x.d} (${x.raws} ts)`,
  );
}

export async function runFaultSuite(o: FaultSuiteOptions): Promise<FaultSuiteResult> {
  const log = o.log ?? (() => undefined);
  const meters = o.meters ?? 4;
  const batchSize = o.batchSize ?? 200;
  const loadMs = o.loadMs ?? 1500;
  const mqttUrl = o.mqttUrl ?? 'mqtt://127.0.0.1:1883';
  const rows: FaultRow[] = [];
  const children: Child[] = [];
  let db: TestDatabase | undefined;
  let pool: pg.Pool | undefined;
  let rejected = 0;
  try {
    db = await createTestDatabase('faults');
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    const port = await freePort();
    const apiCfg: FaultChildConfig = { mode: 'api', databaseUrl: db.url, port };
    let api = await startChild(apiCfg);
    children.push(api);
    const url = api.out;
    const login = await gql(
      url,
      `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
      {
        e: 'admin@plant18.demo',
        p: DEMO_PASSWORD,
      },
    );
    const token = (login.data?.login as { accessToken: string } | undefined)?.accessToken;
    if (!token) throw new Error(`login failed: ${JSON.stringify(login.errors)}`);
    const createMeters = async (prefix: string, n: number) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const r = await gql(
          url,
          `mutation($i: CreateMeterInput!) { createMeter(input: $i) { id } }`,
          {
            i: {
              enterpriseId: E,
              code: `${prefix}-${i}`,
              name: `${prefix} ${i}`,
              energyType: 'electricity',
              unit: 'kWh',
              kind: 'cumulative',
            },
          },
          token,
        );
        const id = (r.data?.createMeter as { id: string } | undefined)?.id;
        if (!id) throw new Error(`createMeter failed: ${JSON.stringify(r.errors)}`);
        ids.push(id);
      }
      return ids;
    };

    // ---- 1. GraphQL ingest, API kill -9 ------------------------------------------------------
    const loops = 2;
    const gqlMeterIds = await createMeters('G', loops * meters);
    const acked = new Set<string>();
    let stop = false;
    let lastAck = 0;
    const loop = async (w: number) => {
      const perBatch = Math.max(1, Math.floor(batchSize / meters));
      for (let k = 0; !stop; k++) {
        const readings: GatewayReading[] = [];
        for (let t = k * perBatch; t < (k + 1) * perBatch; t++)
          for (let m = w * meters; m < (w + 1) * meters; m++)
            readings.push({ meterCode: `G-${m}`, ts: tsAt(t), value: valueAt(m, t), unit: 'kWh' });
        const batch: Batch = { id: randomUUID(), readings };
        // at-least-once client: the same batch (same id) until the API answers
        for (;;) {
          try {
            const r = await gql(url, INGEST, { e: E, r: batch.readings, b: batch.id }, token);
            const res = r.data?.ingestReadings as
              | { items: { index: number; status: string; code: string | null }[] }
              | undefined;
            if (res) {
              for (const it of res.items) {
                const rd = batch.readings[it.index]!;
                if (it.status === 'REJECTED') rejected++;
                else acked.add(`${rd.meterCode}@${rd.ts}`);
              }
              lastAck = Date.now();
              break;
            }
          } catch {
            // connection refused/reset while the API is down
          }
          await sleep(100);
        }
      }
    };
    const running = [0, 1].map((w) => loop(w));
    let worstRecovery = 0;
    for (let i = 0; i < o.apiKills; i++) {
      await sleep(loadMs);
      const tKill = Date.now();
      await kill9(api);
      log(`api kill -9 #${i + 1} at ${acked.size} acknowledged`);
      api = await startChild(apiCfg);
      children.push(api);
      while (lastAck < tKill) await sleep(20);
      worstRecovery = Math.max(worstRecovery, lastAck - tKill);
    }
    await sleep(loadMs);
    stop = true;
    await Promise.all(running);
    {
      const s = await storedKeys(pool, gqlMeterIds);
      const t = tally(acked, s.keys);
      rows.push({
        fault: `API kill -9 ×${o.apiKills} during GraphQL ingestReadings (2 clients)`,
        acknowledged: acked.size,
        stored: s.rows,
        lost: t.lost,
        duplicates: t.dup,
        recovery: `${(worstRecovery / 1000).toFixed(1)} s (kill → next ack, worst)`,
      });
    }
    const mismatches = await rollupMismatches(pool, gqlMeterIds);

    // ---- 2. MQTT ingest, worker kill -9 -------------------------------------------------------
    const qMeterIds = await createMeters('Q', meters);
    const signer = deviceSigner(generatePrivateKey());
    const dev = await pool.query<{ id: string }>(
      `INSERT INTO devices (enterprise_id, name, address) VALUES ($1, 'fault-gw', $2) RETURNING id`,
      [E, signer.address],
    );
    const topic = `opencep/${E}/${dev.rows[0]!.id}/readings`;
    const group = `faults-${db.name}`;
    const wcfg = (n: number): FaultChildConfig => ({
      mode: 'worker',
      databaseUrl: db!.url,
      mqttUrl,
      group,
      clientId: `${group}-w${n}`,
    });
    const workers = await Promise.all([startChild(wcfg(0)), startChild(wcfg(1))]);
    children.push(...workers);
    const pub = await mqtt.connectAsync(mqttUrl, { protocolVersion: 5, clientId: `${group}-pub` });
    const mAcked = new Set<string>();
    let mStop = false;
    const perMsg = Math.max(1, Math.floor(batchSize / meters / 4));
    const publishing = (async () => {
      for (let k = 0; !mStop; k++) {
        const readings: GatewayReading[] = [];
        for (let t = k * perMsg; t < (k + 1) * perMsg; t++)
          for (let m = 0; m < meters; m++)
            readings.push({ meterCode: `Q-${m}`, ts: tsAt(t), value: valueAt(m, t), unit: 'kWh' });
        const b = await signer.sign(readings);
        await pub.publishAsync(topic, JSON.stringify(b), { qos: 1 }); // resolves on the broker's PUBACK
        for (const r of readings) mAcked.add(`${r.meterCode}@${r.ts}`);
        await sleep(o.mqttIntervalMs ?? 100);
      }
    })();
    let worstRestart = 0;
    for (let i = 0; i < o.workerKills; i++) {
      await sleep(loadMs);
      const victim = workers[0]!;
      const t = Date.now();
      await kill9(victim);
      log(`worker kill -9 #${i + 1} at ${mAcked.size} acknowledged by the broker`);
      workers[0] = await startChild(wcfg(0));
      children.push(workers[0]);
      worstRestart = Math.max(worstRestart, Date.now() - t);
    }
    await sleep(loadMs);
    mStop = true;
    await publishing;
    await pub.endAsync();
    // wait until every broker-acknowledged reading is stored, or the count stops moving for 5 s
    let last = -1;
    let still = Date.now();
    for (;;) {
      const s = await storedKeys(pool, qMeterIds);
      if (tally(mAcked, s.keys).lost === 0) break;
      if (s.rows !== last) {
        last = s.rows;
        still = Date.now();
      } else if (Date.now() - still > 5000) break;
      await sleep(200);
    }
    {
      const s = await storedKeys(pool, qMeterIds);
      const t = tally(mAcked, s.keys);
      rows.push({
        fault: `MQTT worker kill -9 ×${o.workerKills} (1 of 2, shared sub, QoS 1)`,
        acknowledged: mAcked.size,
        stored: s.rows,
        lost: t.lost,
        duplicates: t.dup,
        recovery: `${(worstRestart / 1000).toFixed(1)} s (restart; peer kept consuming)`,
      });
    }
    mismatches.push(...(await rollupMismatches(pool, qMeterIds)));
    const dl = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM metering_dead_letter`);
    rows.push(
      {
        fault: 'Indexer kill -9 (indexer/src/crash.int.test.ts)',
        acknowledged: 'see test',
        stored: 'exactly once',
        lost: 0,
        duplicates: 0,
        recovery: 'covered there',
      },
      {
        fault: 'Gateway journal kill -9 / torn line (gateway/src/journal.test.ts)',
        acknowledged: 'see test',
        stored: 'exactly once',
        lost: 0,
        duplicates: 0,
        recovery: 'covered there',
      },
    );
    return { rows, rollupMismatches: mismatches, deadLetters: dl.rows[0]!.n, rejected };
  } finally {
    for (const c of children) await kill9(c);
    await pool?.end();
    await db?.drop();
  }
}

export function formatFaultTable(rows: FaultRow[]): string {
  const head: (keyof FaultRow)[] = ['fault', 'acknowledged', 'stored', 'lost', 'duplicates', 'recovery'];
  const w = head.map((h) => Math.max(h.length, ...rows.map((r) => String(r[h]).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(w[i]!)).join(' | ')} |`;
  return [
    line(head),
    line(w.map((n) => '-'.repeat(n))),
    ...rows.map((r) => line(head.map((h) => String(r[h])))),
  ].join('\n');
}
