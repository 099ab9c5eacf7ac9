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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@opencep/migrations';
import pg from 'pg';
import { generatePrivateKey } from 'viem/accounts';
import { deviceSigner, type GatewayReading } from '../gateway/src/signing';
import { DEMO_ENTERPRISE_ID, DEMO_PASSWORD } from '../api/src/seed/users';
import { freePort } from './embedded-postgres';
import type { FaultChildConfig } from './fault-api';
import { tsAt, valueAt } from './fault-data';

const ROOT = resolve(import.meta.dirname, '..');
const CHILD = join(ROOT, 'scripts', 'fault-api.ts');
const E = DEMO_ENTERPRISE_ID;
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
  /** kill -9 of one of two MQTT ingest workers while a gateway publishes */
  workerKills: number;
  /** kill -9 of the MQTT gateway process itself (journal + uplink), restarted on the same journal */
  gatewayKills?: number;
  /** gateway: wait this long for the platform's ack before re-sending a batch (default 2000) */
  ackTimeoutMs?: number;
  /** ingest workers' MQTT session expiry (default 0: clean start); to compare persistent sessions */
  workerSessionExpirySeconds?: number;
  /** meters per load loop (two loops for GraphQL) */
  meters?: number;
  /** readings per GraphQL batch / MQTT message */
  batchSize?: number;
  mqttUrl?: string;
  /** load time before each kill, ms */
  loadMs?: number;
  /** gateway generator tick, ms (each tick journals 4 minutes × meters readings) */
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

export interface Child {
  proc: ChildProcess;
  out: string;
}

export function startChild(cfg: FaultChildConfig, onLine?: (line: string) => void): Promise<Child> {
  return new Promise((resolveChild, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(cfg)], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let ready = false;
    const timer = setTimeout(() => reject(new Error(`child ${cfg.mode} not ready in 90 s: ${err}`)), 90_000);
    proc.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const nl = out.lastIndexOf('\n');
      if (nl < 0) return;
      const lines = out.slice(0, nl).split('\n');
      out = out.slice(nl + 1);
      for (const line of lines) {
        const m = /^READY (\S+)/.exec(line);
        if (m && !ready) {
          ready = true;
          clearTimeout(timer);
          resolveChild({ proc, out: m[1]! });
        } else onLine?.(line);
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

export function kill9(c: Child): Promise<void> {
  return new Promise((r) => {
    if (c.proc.exitCode !== null || c.proc.signalCode !== null) return r();
    // 'close', not 'exit': the child's last stdout lines (journal reports) must be read first
    c.proc.once('close', () => r());
    c.proc.kill('SIGKILL');
  });
}

interface Batch {
  id: string;
  readings: GatewayReading[];
}

export const INGEST = `mutation($e: ID!, $r: [ReadingInput!]!, $b: ID) {
  ingestReadings(enterpriseId: $e, readings: $r, batchId: $b) { accepted duplicates rejected items { index status code } }
}`;

export async function gql(
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

export async function storedKeys(
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

export function tally(acked: Set<string>, stored: Map<string, number>) {
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
                    FROM metering_segment_all WHERE enterprise_id = $1 AND meter_id = ANY($2::uuid[]) GROUP BY 1),
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
  let journalDir: string | undefined;
  try {
    db = await createTestDatabase('faults');
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    pool.on('error', () => undefined); // idle clients terminated by the FORCE drop at cleanup
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
      log(`api kill: next ack ${((lastAck - tKill) / 1000).toFixed(1)} s after the kill`);
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

    // ---- 2. MQTT: gateway (journal + app acks) → Mosquitto → 2 workers; kill -9 workers, gateway ---
    const qMeterIds = await createMeters('Q', meters);
    const key = generatePrivateKey();
    const signer = deviceSigner(key);
    const dev = await pool.query<{ id: string }>(
      `INSERT INTO devices (enterprise_id, name, address) VALUES ($1, 'fault-gw', $2) RETURNING id`,
      [E, signer.address],
    );
    const group = `faults-${db.name}`;
    const wcfg = (n: number): FaultChildConfig => ({
      mode: 'worker',
      databaseUrl: db!.url,
      mqttUrl,
      group,
      clientId: `${group}-w${n}`,
      sessionExpirySeconds: o.workerSessionExpirySeconds,
      topicFilter: `opencep/${E}/${dev.rows[0]!.id}/readings`,
    });
    const workers = await Promise.all([startChild(wcfg(0)), startChild(wcfg(1))]);
    children.push(...workers);
    journalDir = mkdtempSync(join(tmpdir(), 'opencep-fault-gw-'));
    /** every reading of minutes ≤ journaled is on the gateway's disk (reported after the fsync) */
    let journaled = -1;
    let pendingBytes = -1;
    let resends = 0;
    let resendsBefore = 0;
    const gcfg = (): FaultChildConfig => ({
      mode: 'gateway',
      databaseUrl: db!.url,
      mqttUrl,
      gateway: {
        privateKey: key,
        enterpriseId: E,
        deviceId: dev.rows[0]!.id,
        journalDir: journalDir!,
        prefix: 'Q',
        meters,
        minutesPerTick: 4,
        tickMs: o.mqttIntervalMs ?? 50,
        startT: journaled + 1,
        // a gateway sends one batch at a time and waits for its ack: big batches keep up with the load
        batchSize: 1000,
        timeoutMs: o.ackTimeoutMs ?? 2000,
      },
    });
    const onGatewayLine = (line: string) => {
      const j = /^J (\d+)/.exec(line);
      if (j) journaled = Math.max(journaled, Number(j[1]));
      const p = /^P (\d+) (\d+)/.exec(line);
      if (p) {
        pendingBytes = Number(p[1]);
        resends = resendsBefore + Number(p[2]);
      }
    };
    let gateway = await startChild(gcfg(), onGatewayLine);
    children.push(gateway);
    log('MQTT: 2 workers and the gateway are up');
    const storedUpTo = async (t: number) => {
      const r = await pool!.query<{ n: number }>(
        `SELECT count(DISTINCT (meter_id, ts))::int AS n FROM metering_reading
         WHERE enterprise_id = $1 AND meter_id = ANY($2::uuid[]) AND ts <= $3`,
        [E, qMeterIds, tsAt(t)],
      );
      return r.rows[0]!.n >= (t + 1) * meters;
    };
    /** kill → every reading journaled before the kill is stored (bounded wait) */
    const recoveryAfter = async (tKill: number, upTo: number) => {
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        if (await storedUpTo(upTo)) return Date.now() - tKill;
        await sleep(100);
      }
      return Number.POSITIVE_INFINITY;
    };
    const worst = { worker: 0, gateway: 0 };
    const plan: ('worker' | 'gateway')[] = [];
    for (let i = 0; i < Math.max(o.workerKills, o.gatewayKills ?? 0); i++) {
      if (i < o.workerKills) plan.push('worker');
      if (i < (o.gatewayKills ?? 0)) plan.push('gateway');
    }
    const marks: { kind: 'worker' | 'gateway'; journaled: number }[] = [];
    for (const kind of plan) {
      await sleep(loadMs);
      const tKill = Date.now();
      const upTo = journaled;
      let restarting: Promise<void> = Promise.resolve();
      if (kind === 'worker') {
        await kill9(workers[0]!);
        log(`worker kill -9 at minute ${upTo} journaled by the gateway`);
        // the peer carries the load meanwhile: recovery is measured while the victim restarts
        restarting = startChild(wcfg(0)).then((w) => {
          workers[0] = w;
          children.push(w);
        });
      } else {
        await kill9(gateway);
        log(`gateway kill -9 at minute ${upTo} journaled`);
        resendsBefore = resends;
        gateway = await startChild(gcfg(), onGatewayLine);
        children.push(gateway);
      }
      marks.push({ kind, journaled: upTo });
      const rec = await recoveryAfter(tKill, upTo);
      worst[kind] = Math.max(worst[kind], rec);
      await restarting;
      log(
        `${kind} kill: recovered in ${(rec / 1000).toFixed(1)} s; restarted after ${((Date.now() - tKill) / 1000).toFixed(1)} s`,
      );
    }
    await sleep(loadMs);
    gateway.proc.stdin?.write('stop\n');
    // wait until the gateway journal is empty and every journaled reading is stored (bounded)
    {
      const deadline = Date.now() + 120_000;
      await sleep(300);
      while (Date.now() < deadline && !(pendingBytes === 0 && (await storedUpTo(journaled))))
        await sleep(200);
    }
    log(`MQTT: drained (gateway journal ${pendingBytes} bytes pending, minute ${journaled} journaled)`);
    const qKeys = new Set<string>();
    for (let t = 0; t <= journaled; t++) for (let m = 0; m < meters; m++) qKeys.add(`Q-${m}@${tsAt(t)}`);
    {
      const s = await storedKeys(pool, qMeterIds);
      const t = tally(qKeys, s.keys);
      const kinds = (k: 'worker' | 'gateway') => marks.filter((x) => x.kind === k).length;
      const rec = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'never');
      rows.push({
        fault: `MQTT worker kill -9 ×${kinds('worker')} (1 of 2, shared sub, session expiry ${o.workerSessionExpirySeconds ?? 0} s) + gateway kill -9 ×${kinds('gateway')}; app acks`,
        acknowledged: qKeys.size,
        stored: s.rows,
        lost: t.lost,
        duplicates: t.dup,
        recovery: `worker ${rec(worst.worker)}, gateway ${rec(worst.gateway)} (kill → all journaled stored, worst); ${resends} re-sends`,
      });
    }
    mismatches.push(...(await rollupMismatches(pool, qMeterIds)));
    // The workers subscribe to opencep/+/+/readings on a shared broker, so other tests' messages (fuzzing,
    // malformed payloads) reach them too and are dead-lettered here; only our device's topic counts.
    const dl = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM metering_dead_letter WHERE topic = $1`,
      [`opencep/${E}/${dev.rows[0]!.id}/readings`],
    );
    const foreign = await pool.query<{ reason: string; n: number }>(
      `SELECT reason, count(*)::int AS n FROM metering_dead_letter WHERE topic IS DISTINCT FROM $1 GROUP BY 1`,
      [`opencep/${E}/${dev.rows[0]!.id}/readings`],
    );
    if (foreign.rows.length)
      log(
        `dead letters from other publishers on the shared broker (ignored): ${JSON.stringify(foreign.rows)}`,
      );
    rows.push({
      fault: 'Indexer kill -9 (indexer/src/crash.int.test.ts)',
      acknowledged: 'see test',
      stored: 'exactly once',
      lost: 0,
      duplicates: 0,
      recovery: 'covered there',
    });
    return { rows, rollupMismatches: mismatches, deadLetters: dl.rows[0]!.n, rejected };
  } finally {
    for (const c of children) await kill9(c);
    await pool?.end();
    await db?.drop();
    if (journalDir) rmSync(journalDir, { recursive: true, force: true });
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
