/**
 * Load bench (issue 12): autocannon on loopback against a real API process on its own database with
 * demo-like data (a plant with a tariff and months of 15-minute readings and rollups).
 *
 * At each concurrency level c (default 1, 4, 16, 64) it runs
 *   1. the baseline alone: `{ __typename }` over GraphQL with c connections;
 *   2. the mix: one autocannon instance per operation, each with c connections, all at once —
 *      the workshop dashboard (`energyDashboard`), the totals card (3 × `energyConsumption`), today's
 *      load curve, ingestion (`ingestReadings`, 10 new readings per request, 64 meters) and the
 *      baseline again, so every figure has a floor measured under the same load.
 * It reports requests/s and p50/p95/p99 per operation (exact, from every response time), the ratio to
 * the baseline, the first c where an operation's p99 passes 200 ms, and the API process's RSS, heap
 * and Postgres pool (total/idle/waiting) sampled every second, with the slope of RSS and heap.
 *
 *   npm run bench:load                          (≈ 2.5 min with data setup)
 *   npm run bench:load -- --duration 600 --levels 1,4,16,64 --meters 50 --days 60
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createTestDatabase } from '@opencep/migrations';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import type { Sql } from '../api/src/modules/energy/energy.service';
import {
  buildRollups,
  createPlant,
  generateReadings,
  refreshNodeRollups,
} from '../api/src/modules/energy/energy.testing';
import { hubei202601Plans } from '../api/src/modules/energy/tariff-catalog';
import { DEMO_ENTERPRISE_ID, DEMO_PASSWORD } from '../api/src/seed/users';

const E = DEMO_ENTERPRISE_ID;
const JWT_SECRET = 'load-bench-secret-load-bench-secret-0123456789';

// ---------------------------------------------------------------------------------------------
// child: the API under test, in its own process so its memory is its own

interface Sample {
  t: number;
  rss: number;
  heapUsed: number;
  poolTotal: number;
  poolIdle: number;
  poolWaiting: number;
  poolMax: number;
}

// ---------------------------------------------------------------------------------------------
// parent: data, load, report

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: { total: number; average: number };
}
interface AutocannonTracker {
  on(ev: 'response', f: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  on(ev: 'done', f: (r: AutocannonResult) => void): void;
}
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AutocannonRequest, ctx: Record<string, unknown>) => AutocannonRequest;
  onResponse?: (status: number, body: string) => void;
}
type Autocannon = (
  opts: {
    url: string;
    connections: number;
    duration: number;
    requests: AutocannonRequest[];
    timeout?: number;
  },
  cb: (err: Error | null, r: AutocannonResult) => void,
) => AutocannonTracker;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
}
const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : Number.NaN;
const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '—');
const mb = (b: number) => b / 1024 / 1024;
/** least-squares slope of y over t (per minute) */
function slopePerMin(xs: { t: number; y: number }[]): number {
  if (xs.length < 2) return 0;
  const t0 = xs[0]!.t;
  const pts = xs.map((p) => ({ x: (p.t - t0) / 60_000, y: p.y }));
  const mx = pts.reduce((s, p) => s + p.x, 0) / pts.length;
  const my = pts.reduce((s, p) => s + p.y, 0) / pts.length;
  const num = pts.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = pts.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den ? num / den : 0;
}

interface OpStats {
  op: string;
  c: number;
  phase: 'alone' | 'mix';
  rps: number;
  n: number;
  p50: number;
  p95: number;
  p99: number;
  bad: number;
}

async function main(): Promise<void> {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  const total = Number(arg('duration', '150'));
  const levels = arg('levels', '1,4,16,64').split(',').map(Number);
  const meters = Number(arg('meters', '50'));
  const days = Number(arg('days', '60'));
  if (!(total >= 8 * levels.length) || levels.some((c) => !Number.isInteger(c) || c < 1))
    throw new Error('--duration must allow ≥ 8 s per level; --levels are positive integers');
  // load time split per level: 20 % baseline alone, 80 % the mix
  const perLevel = total / levels.length;
  const aloneSec = Math.max(2, Math.round(perLevel * 0.2));
  const mixSec = Math.max(4, Math.round(perLevel - aloneSec));

  const db = await createTestDatabase('bench_load');
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  const sql: Sql = { query: async (t, p) => (await pool.query(t, p as unknown[])).rows as never };
  let child: ChildProcess | undefined;
  const samples: Sample[] = [];
  try {
    // ---- the API process ------------------------------------------------------------------
    child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', db.url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let buf = '';
      let ready = false;
      child!.stdout!.on('data', (b: Buffer) => {
        buf += b.toString();
        let nl = buf.indexOf('\n');
        while (nl >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.startsWith('READY ') && !ready) {
            ready = true;
            resolve(line.slice(6));
          } else if (line.startsWith('STATS ')) samples.push(JSON.parse(line.slice(6)) as Sample);
          nl = buf.indexOf('\n');
        }
      });
      child!.once('exit', (code) => reject(new Error(`API process exited ${code}`)));
    });
    const gql = async (query: string, variables: Record<string, unknown>, token?: string) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data!;
    };
    const login = await gql(
      `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`,
      { e: 'admin@plant18.demo', p: DEMO_PASSWORD },
    );
    const token = (login.login as { accessToken: string }).accessToken;

    // ---- demo-like data: tariff, plant, 15-minute readings and rollups --------------------------
    const t0 = performance.now();
    const hubei = hubei202601Plans().find((p) => p.id.endsWith('single_part/1-10(20)kV'))!;
    await gql(
      `mutation($e: ID!, $d: String!) { importTariffPlan(enterpriseId: $e, code: "load", definition: $d) { id } }`,
      {
        e: E,
        d: JSON.stringify({
          ...hubei,
          name: `${hubei.name} (bench)`,
          validFrom: '2024-01-01',
          validTo: null,
        }),
      },
      token,
    );
    const perArea = 25;
    const plant = await createPlant(
      sql,
      E,
      Math.max(1, Math.ceil(meters / perArea)),
      Math.min(perArea, meters),
    );
    await refreshNodeRollups(sql, E);
    const OFF = 8 * 3_600_000;
    const now = Date.now();
    const localMidnight = (ms: number) => {
      const d = new Date(ms + OFF);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - OFF;
    };
    // up to the current 15-minute slot, in chunks cut on local month starts (one chunk per bucket)
    const end = new Date(Math.floor(now / 900_000) * 900_000);
    const start = new Date(localMidnight(end.getTime()) - days * 86_400_000);
    const cuts: number[] = [start.getTime()];
    for (;;) {
      const d = new Date(cuts.at(-1)! + OFF);
      const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - OFF;
      if (next >= end.getTime()) break;
      cuts.push(next);
    }
    cuts.push(end.getTime());
    for (let i = 0; i + 1 < cuts.length; i++) {
      await generateReadings(sql, E, plant.meterIds, new Date(cuts[i]!), new Date(cuts[i + 1]!));
      await buildRollups(sql, E, new Date(cuts[i]!), new Date(cuts[i + 1]!));
    }
    await pool.query('ANALYZE');
    // ingestion targets: 64 cumulative meters outside the plant hierarchy, as devices push them
    const ingestMeters = 64;
    for (let i = 0; i < ingestMeters; i++) {
      await gql(
        `mutation($i: CreateMeterInput!) { createMeter(input: $i) { id } }`,
        {
          i: {
            enterpriseId: E,
            code: `LOAD-${i}`,
            name: `load ${i}`,
            energyType: 'electricity',
            unit: 'kWh',
            kind: 'cumulative',
          },
        },
        token,
      );
    }
    const rows = await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM metering_reading');
    console.log(
      `data: ${meters} meters × ${days} days = ${Number(rows.rows[0]!.n).toLocaleString('en')} readings with rollups, tariff, ${ingestMeters} ingest meters (setup ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );

    // ---- operations ---------------------------------------------------------------------------
    const area = { kind: 'AREA', id: plant.areaIds[0]! };
    const at = new Date(now).toISOString();
    const localNow = new Date(now + OFF);
    const today = new Date(localMidnight(now)).toISOString();
    const month = new Date(
      Date.UTC(localNow.getUTCFullYear(), localNow.getUTCMonth(), 1) - OFF,
    ).toISOString();
    const year = new Date(Date.UTC(localNow.getUTCFullYear(), 0, 1) - OFF).toISOString();
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const post = (query: string, variables: Record<string, unknown>): AutocannonRequest => ({
      method: 'POST',
      path: '/graphql',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    const fixed: Record<string, AutocannonRequest> = {
      baseline: post('{ __typename }', {}),
      dashboard: post(
        `query($e: ID!, $n: EnergyNodeInput!, $at: DateTime) { energyDashboard(enterpriseId: $e, node: $n, at: $at) {
          totals { period energyType current previous lastYear periodOverPeriod yearOverYear }
          touMonth { totalKwh totalCost periods { period kwh cost share } }
          loadCurve { ts value } tceYear { energyType tceLow } } }`,
        { e: E, n: area, at },
      ),
      totals: post(
        `query($e: ID!, $n: EnergyNodeInput!, $y: DateTime!, $m: DateTime!, $d: DateTime!, $at: DateTime!) {
          y: energyConsumption(enterpriseId: $e, node: $n, from: $y, to: $at) { energyType value }
          m: energyConsumption(enterpriseId: $e, node: $n, from: $m, to: $at) { energyType value }
          d: energyConsumption(enterpriseId: $e, node: $n, from: $d, to: $at) { energyType value } }`,
        { e: E, n: area, y: year, m: month, d: today, at },
      ),
      curve: post(
        `query($e: ID!, $n: EnergyNodeInput!, $f: DateTime!, $t: DateTime!) {
          energyLoadCurve(enterpriseId: $e, node: $n, from: $f, to: $t) { ts value } }`,
        { e: E, n: area, f: today, t: at },
      ),
    };
    // ingestion: request k carries minutes [10·⌊k/64⌋, +10) of meter k mod 64, starting 30 days back
    const INGEST = `mutation($e: ID!, $r: [ReadingInput!]!, $b: ID) {
      ingestReadings(enterpriseId: $e, readings: $r, batchId: $b) { accepted duplicates rejected } }`;
    const ingestT0 = localMidnight(now) - 30 * 86_400_000;
    let k = 0;
    const ingestTally = { accepted: 0, duplicates: 0, rejected: 0 };
    const ingestReq: AutocannonRequest = {
      method: 'POST',
      path: '/graphql',
      headers,
      setupRequest: (req) => {
        const i = k++;
        const m = i % ingestMeters;
        const block = Math.floor(i / ingestMeters);
        const readings = Array.from({ length: 10 }, (_, j) => {
          const minute = block * 10 + j;
          return {
            meterCode: `LOAD-${m}`,
            ts: new Date(ingestT0 + minute * 60_000).toISOString(),
            value: String(1000 + minute * 2),
            unit: 'kWh',
          };
        });
        return { ...req, body: JSON.stringify({ query: INGEST, variables: { e: E, r: readings } }) };
      },
    };
    const bad: Record<string, number> = {};
    const withCheck = (op: string, r: AutocannonRequest): AutocannonRequest => ({
      ...r,
      onResponse: (status, body) => {
        if (status !== 200 || body.includes('"errors"')) bad[op] = (bad[op] ?? 0) + 1;
        if (op === 'ingest') {
          const m = /"accepted":(\d+),"duplicates":(\d+),"rejected":(\d+)/.exec(body);
          if (m) {
            ingestTally.accepted += Number(m[1]);
            ingestTally.duplicates += Number(m[2]);
            ingestTally.rejected += Number(m[3]);
          }
        }
      },
    });
    const ops: Record<string, AutocannonRequest> = { ...fixed, ingest: ingestReq };

    const run = (op: string, c: number, seconds: number, phase: 'alone' | 'mix') =>
      new Promise<OpStats>((resolve, reject) => {
        const lat: number[] = [];
        const before = bad[op] ?? 0;
        const tr = autocannon(
          {
            url: url.replace(/\/graphql$/, ''),
            connections: c,
            duration: seconds,
            timeout: 30,
            requests: [withCheck(op, ops[op]!)],
          },
          (err, r) => {
            if (err) return reject(err);
            lat.sort((a, b) => a - b);
            resolve({
              op,
              c,
              phase,
              n: lat.length,
              rps: lat.length / seconds,
              p50: pct(lat, 50),
              p95: pct(lat, 95),
              p99: pct(lat, 99),
              bad: (bad[op] ?? 0) - before + r.errors + r.timeouts + r.non2xx,
            });
          },
        );
        tr.on('response', (_c, _s, _b, ms) => lat.push(ms));
      });

    // warm-up (JIT, plans, pool)
    for (const op of Object.keys(ops)) await run(op, 2, 1, 'alone');
    for (const key of Object.keys(bad)) delete bad[key];
    const tLoad = Date.now();
    const results: OpStats[] = [];
    const windows: { c: number; from: number; to: number }[] = [];
    for (const c of levels) {
      results.push(await run('baseline', c, aloneSec, 'alone'));
      const from = Date.now();
      const mix = await Promise.all(Object.keys(ops).map((op) => run(op, c, mixSec, 'mix')));
      windows.push({ c, from, to: Date.now() });
      results.push(...mix);
      const line = mix.map((r) => `${r.op} ${fmt(r.rps, 0)}/s p99 ${fmt(r.p99, 0)} ms`).join(', ');
      console.log(`  c=${c}: ${line}`);
    }
    const tEnd = Date.now();
    await new Promise((r) => setTimeout(r, 3000)); // a few samples after the load

    // ---- report -------------------------------------------------------------------------------
    console.log(
      `\nload bench: API on loopback, ${aloneSec} s baseline alone + ${mixSec} s mix per level; in the mix every operation has c connections (5c in flight)`,
    );
    console.log(
      '| c | operation | phase | req/s | p50 ms | p95 ms | p99 ms | p50 / baseline p50 (same phase) | errors |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of results) {
      const base = results.find((x) => x.c === r.c && x.phase === r.phase && x.op === 'baseline')!;
      console.log(
        `| ${r.c} | ${r.op} | ${r.phase} | ${fmt(r.rps, 0)} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${r.op === 'baseline' ? '1.0' : fmt(r.p50 / base.p50)} | ${r.bad} |`,
      );
    }
    console.log('\nfirst concurrency where p99 > 200 ms (mix):');
    for (const op of Object.keys(ops)) {
      const hit = results.find((r) => r.phase === 'mix' && r.op === op && r.p99 > 200);
      console.log(
        `  ${op.padEnd(10)} ${hit ? `c=${hit.c} (p99 ${fmt(hit.p99, 0)} ms)` : `not reached up to c=${levels.at(-1)}`}`,
      );
    }
    const ingestRps = results.filter((r) => r.op === 'ingest' && r.phase === 'mix');
    console.log(
      `ingest: ${ingestTally.accepted.toLocaleString('en')} readings accepted, ${ingestTally.duplicates} duplicates, ${ingestTally.rejected} rejected; ` +
        `peak ${fmt(Math.max(...ingestRps.map((r) => r.rps)) * 10, 0)} readings/s (10 per request)`,
    );

    const during = samples.filter((s) => s.t >= tLoad && s.t <= tEnd);
    if (during.length) {
      const rss = during.map((s) => mb(s.rss));
      const heap = during.map((s) => mb(s.heapUsed));
      const half = Math.floor(during.length / 2);
      const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      console.log(
        `\nAPI process over ${((tEnd - tLoad) / 1000).toFixed(0)} s of load (${during.length} samples, 1/s):`,
      );
      console.log(
        `  RSS  MB: start ${fmt(rss[0]!)}, min ${fmt(Math.min(...rss))}, max ${fmt(Math.max(...rss))}, end ${fmt(rss.at(-1)!)}; slope ${fmt(slopePerMin(during.map((s) => ({ t: s.t, y: mb(s.rss) }))), 2)} MB/min; mean 1st half ${fmt(avg(rss.slice(0, half)))} vs 2nd half ${fmt(avg(rss.slice(half)))}`,
      );
      console.log(
        `  heap MB: start ${fmt(heap[0]!)}, min ${fmt(Math.min(...heap))}, max ${fmt(Math.max(...heap))}, end ${fmt(heap.at(-1)!)}; slope ${fmt(slopePerMin(during.map((s) => ({ t: s.t, y: mb(s.heapUsed) }))), 2)} MB/min; mean 1st half ${fmt(avg(heap.slice(0, half)))} vs 2nd half ${fmt(avg(heap.slice(half)))}`,
      );
      const tot = during.map((s) => s.poolTotal);
      const idle = during.map((s) => s.poolIdle);
      const wait = during.map((s) => s.poolWaiting);
      console.log(
        `  pg pool (max ${during[0]!.poolMax}): total ${Math.min(...tot)}–${Math.max(...tot)}, idle ${Math.min(...idle)}–${Math.max(...idle)}, waiting ${Math.min(...wait)}–${Math.max(...wait)} (mean ${fmt(avg(wait))})`,
      );
      for (const w of windows) {
        const ws = samples.filter((s) => s.t >= w.from && s.t <= w.to);
        if (!ws.length) continue;
        console.log(
          `  c=${String(w.c).padEnd(3)} mix: RSS max ${fmt(Math.max(...ws.map((s) => mb(s.rss))))} MB, heap max ${fmt(Math.max(...ws.map((s) => mb(s.heapUsed))))} MB, pool total max ${Math.max(...ws.map((s) => s.poolTotal))}, waiting max ${Math.max(...ws.map((s) => s.poolWaiting))}`,
        );
      }
      const after = samples.filter((s) => s.t > tEnd).slice(0, 3);
      if (after.length)
        console.log(
          `  after the load: RSS ${fmt(mb(after.at(-1)!.rss))} MB, heap ${fmt(mb(after.at(-1)!.heapUsed))} MB, pool total ${after.at(-1)!.poolTotal} idle ${after.at(-1)!.poolIdle} waiting ${after.at(-1)!.poolWaiting}`,
        );
    }
  } finally {
    child?.kill('SIGKILL');
    await pool.end();
    await db.drop();
  }
}

// child or parent (last, so every declaration above is initialised)
if (process.argv[2] === '--child') {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1); // the bench died without its cleanup
  }, 1000).unref();
  const { startApiServer } = await import('../api/src/server');
  const { seedDemoIdentity } = await import('../api/src/seed/users');
  const api = await startApiServer({
    databaseUrl: process.argv[3]!,
    port: 0,
    host: '127.0.0.1',
    jwtSecret: JWT_SECRET,
    logLevel: 'silent',
    introspection: false,
    rateLimit: { capacity: 1_000_000, refillPerSecond: 1_000_000 },
  });
  await seedDemoIdentity(api.dataSource);
  const pool = (api.dataSource as DataSource & { driver: { master?: pg.Pool } }).driver.master;
  setInterval(() => {
    const m = process.memoryUsage();
    const s: Sample = {
      t: Date.now(),
      rss: m.rss,
      heapUsed: m.heapUsed,
      poolTotal: pool?.totalCount ?? -1,
      poolIdle: pool?.idleCount ?? -1,
      poolWaiting: pool?.waitingCount ?? -1,
      poolMax: (pool as (pg.Pool & { options?: { max?: number } }) | undefined)?.options?.max ?? -1,
    };
    process.stdout.write(`STATS ${JSON.stringify(s)}\n`);
  }, 1000);
  process.stdout.write(`READY ${api.url}\n`);
} else {
  await main();
}
