/**
 * Energy bench: --meters (default 500) × --days (default 365) of 15-minute interval readings
 * (500 × 365 × 96 ≈ 17.5 M), generated in SQL (INSERT … SELECT generate_series, one local month per
 * statement), rolled up 15m → 1h → 1d → 1mo per TOU period in SQL; the hierarchy-node rollups
 * (workshop / line / site / enterprise) are maintained by the metering_rollup triggers during the
 * load, as in production. Then p50/p95 of the workshop dashboard queries through GraphQL (real
 * server, auth, RLS): totals (year/month/today), month TOU split and cost, today's load curve, and
 * the whole energyDashboard (12 ranges with PoP/YoY, TOU, curve, tce) — each next to the same
 * answer computed from the raw readings table in the same run, with a check that both agree.
 *
 *   npm run bench:energy -- --meters 100 --days 120      (or BENCH_METERS / BENCH_DAYS)
 */
import Decimal from 'decimal.js';
import pg from 'pg';
import { createTestDatabase } from '@opencep/migrations';
import { startTestApi } from '../api/src/core/testing';
import {
  buildRollups,
  createPlant,
  generateReadings,
  refreshNodeRollups,
} from '../api/src/modules/energy/energy.testing';
import {
  dashboardTotals,
  loadCurve,
  resolveNodeMeters,
  type Sql,
  touSplit,
} from '../api/src/modules/energy/energy.service';
import { hubei202601Plans } from '../api/src/modules/energy/tariff-catalog';
import { DEMO_ENTERPRISE_ID } from '../api/src/seed/users';

const arg = (name: string, env: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : process.env[env];
  const n = v === undefined ? def : Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer (got ${v})`);
  return n;
};
const METERS = arg('meters', 'BENCH_METERS', 500);
const DAYS = arg('days', 'BENCH_DAYS', 365);
const PER_AREA = 25;
const RUNS = arg('runs', 'BENCH_RUNS', 40);
const RAW_RUNS = arg('raw-runs', 'BENCH_RAW_RUNS', 5);
const PASSES = arg('passes', 'BENCH_PASSES', 2);
const E = DEMO_ENTERPRISE_ID;
const OFF = 8 * 3_600_000;
const cst = (s: string) => new Date(`${s}+08:00`);
// Data ends at local midnight 2026-07-01; the dashboard is asked for 2026-06-30 18:00 (today has data).
const END = cst('2026-07-01T00:00:00');
const START = new Date(END.getTime() - DAYS * 86_400_000);
const AT = cst('2026-06-30T18:00:00');

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const db = await createTestDatabase('bench_energy');
{
  // Throwaway database: sort/hash memory for the set-based load, set before the API connects.
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query(
    `ALTER DATABASE ${pg.escapeIdentifier(new URL(db.url).pathname.slice(1))} SET work_mem = '128MB'`,
  );
  await c.end();
}
const api = await startTestApi(db.url, { rateLimit: { capacity: 1_000_000, refillPerSecond: 1_000_000 } });
const sql: Sql = { query: (t, p) => api.server.dataSource.query(t, p) };
try {
  const admin = await api.loginAs('admin@plant18.demo');
  // The Hubei 2026-01 prices and periods, extended over the bench window (labelled as such).
  const hubei = hubei202601Plans().find((p) => p.id.endsWith('single_part/1-10(20)kV'))!;
  const plan = {
    ...hubei,
    name: `${hubei.name} (bench: validity extended)`,
    validFrom: '2024-01-01',
    validTo: null,
  };
  const imp = await admin.gql(
    `mutation($e: ID!, $d: String!) { importTariffPlan(enterpriseId: $e, code: "bench", definition: $d) { id } }`,
    {
      e: E,
      d: JSON.stringify(plan),
    },
  );
  if (imp.errors) throw new Error(JSON.stringify(imp.errors));

  const t0 = performance.now();
  const plant = await createPlant(
    sql,
    E,
    Math.max(1, Math.ceil(METERS / PER_AREA)),
    Math.min(PER_AREA, METERS),
  );
  const meterIds = plant.meterIds.slice(0, METERS);
  // Node membership before any data: the triggers then keep node rollups current during the load.
  await refreshNodeRollups(sql, E);
  // Load speed only: the bench's tables skip the WAL (UNLOGGED) — write-ahead logging does not
  // change what the measured read queries do. Reading partitions are created up front for that.
  await sql.query(
    `SELECT metering_ensure_reading_partition(m) FROM generate_series(date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', $2::timestamptz, interval '1 month') m`,
    [START.toISOString(), END.toISOString()],
  );
  for (const t of await sql.query<{ t: string }[]>(
    `SELECT c.oid::regclass::text AS t FROM pg_class c
     WHERE c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'metering_reading'::regclass)
        OR c.oid IN ('metering_rollup'::regclass, 'energy_node_rollup'::regclass)`,
  )) {
    await sql.query(`ALTER TABLE ${t.t} SET UNLOGGED`);
  }
  // Chunks on local month boundaries so month buckets are complete.
  const cuts: Date[] = [START];
  {
    const d = new Date(START.getTime() + OFF);
    let m = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - OFF;
    while (m < END.getTime()) {
      cuts.push(new Date(m));
      const n = new Date(m + OFF);
      m = Date.UTC(n.getUTCFullYear(), n.getUTCMonth() + 1, 1) - OFF;
    }
    cuts.push(END);
  }
  let genMs = 0;
  let rollMs = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = performance.now();
    await generateReadings(sql, E, meterIds, cuts[i]!, cuts[i + 1]!);
    const b = performance.now();
    await buildRollups(sql, E, cuts[i]!, cuts[i + 1]!);
    rollMs += performance.now() - b;
    genMs += b - a;
    process.stdout.write(
      `\rload: month ${i + 1}/${cuts.length - 1}, ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );
  }
  process.stdout.write('\n');
  await sql.query('ANALYZE');
  const counts = await sql.query<{ r: string; u: string; n: string }[]>(
    `SELECT (SELECT count(*) FROM metering_reading)::text AS r, (SELECT count(*) FROM metering_rollup)::text AS u,
            (SELECT count(*) FROM energy_node_rollup)::text AS n`,
  );
  const fmt = (x: string) => Number(x).toLocaleString('en');
  console.log(
    `data: ${METERS} meters × ${DAYS} days = ${fmt(counts[0]!.r)} readings, ${fmt(counts[0]!.u)} meter rollup rows, ${fmt(counts[0]!.n)} node rollup rows; generate ${(genMs / 1000).toFixed(1)} s, rollups incl. node triggers ${(rollMs / 1000).toFixed(1)} s (setup ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );

  // Each pass logs in afresh (the load outlasts an access token) and measures everything again.
  for (let pass = 1; pass <= PASSES; pass++) {
    const me = await api.loginAs('admin@plant18.demo');
    console.log(`\n--- measurement pass ${pass}/${PASSES} ---`);
    // ---- the workshop's dashboard queries through GraphQL ----
    const area = plant.areaIds[0]!;
    const areaMeters = meterIds.slice(0, Math.min(PER_AREA, METERS));
    const day = 86_400_000;
    const local = new Date(AT.getTime() + OFF);
    const today = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - OFF);
    const tomorrow = new Date(today.getTime() + day);
    const month = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - OFF);
    const year = new Date(Date.UTC(local.getUTCFullYear(), 0, 1) - OFF);
    const prevMonth = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - 1, 1) - OFF);
    const n = { kind: 'AREA', id: area };
    const iso = (d: Date) => d.toISOString();

    type Totals = { energyType: string; value: string }[];
    type Split = { totalKwh: string; totalCost: string; periods: { period: string; kwh: string }[] };
    type Curve = { ts: string; value: string }[];
    type Dash = {
      energyDashboard: {
        totals: { period: string; current: string; previous: string; lastYear: string }[];
        touMonth: Split;
        loadCurve: Curve;
      };
    };
    const queries = {
      totals: {
        q: `query($e: ID!, $n: EnergyNodeInput!, $y: DateTime!, $m: DateTime!, $d: DateTime!, $at: DateTime!) {
          y: energyConsumption(enterpriseId: $e, node: $n, from: $y, to: $at) { energyType value }
          m: energyConsumption(enterpriseId: $e, node: $n, from: $m, to: $at) { energyType value }
          d: energyConsumption(enterpriseId: $e, node: $n, from: $d, to: $at) { energyType value } }`,
        v: { e: E, n, y: iso(year), m: iso(month), d: iso(today), at: iso(AT) },
      },
      tou: {
        q: `query($e: ID!, $n: EnergyNodeInput!, $f: DateTime!, $t: DateTime!) {
          energyTouSplit(enterpriseId: $e, node: $n, from: $f, to: $t) { totalKwh totalCost periods { period kwh } } }`,
        v: { e: E, n, f: iso(month), t: iso(AT) },
      },
      curve: {
        q: `query($e: ID!, $n: EnergyNodeInput!, $f: DateTime!, $t: DateTime!) {
          energyLoadCurve(enterpriseId: $e, node: $n, from: $f, to: $t) { ts value } }`,
        v: { e: E, n, f: iso(today), t: iso(tomorrow) },
      },
      dashboard: {
        q: `query($e: ID!, $n: EnergyNodeInput!, $at: DateTime) { energyDashboard(enterpriseId: $e, node: $n, at: $at) {
          totals { period energyType current previous lastYear periodOverPeriod yearOverYear }
          touMonth { totalKwh totalCost periods { period kwh cost share } }
          loadCurve { ts value } tceYear { energyType tceLow } } }`,
        v: { e: E, n, at: iso(AT) },
      },
    } as const;
    type Name = keyof typeof queries;
    const names = Object.keys(queries) as Name[];
    const gqlMs: Record<Name, number[]> = { totals: [], tou: [], curve: [], dashboard: [] };
    const answers: Partial<Record<Name, Record<string, unknown>>> = {};
    for (const name of names) {
      for (let i = 0; i < 3; i++) await me.gql(queries[name].q, { ...queries[name].v }); // warm-up
    }
    // Interleaved so that background load on the shared machine hits every query alike.
    for (let i = 0; i < RUNS; i++) {
      for (const name of names) {
        const a = performance.now();
        const r = await me.gql(queries[name].q, { ...queries[name].v });
        gqlMs[name].push(performance.now() - a);
        if (r.errors) throw new Error(JSON.stringify(r.errors));
        answers[name] = r.data ?? undefined;
      }
    }

    // Floor: the cheapest authenticated GraphQL round trip (one tiny tenant query) on this machine.
    const floorMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const a = performance.now();
      await me.gql(`query($e: ID!) { tariffPlans(enterpriseId: $e) { id } }`, { e: E });
      floorMs.push(performance.now() - a);
    }
    // The same dashboard through the services directly (no HTTP, auth or RLS): the database share.
    const nodeRef = { kind: 'AREA' as const, id: area };
    const svcMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const a = performance.now();
      const nm = await resolveNodeMeters(sql, E, nodeRef);
      await dashboardTotals(sql, E, nodeRef, AT, nm);
      await touSplit(sql, E, nodeRef, { from: month, to: AT }, nm);
      await loadCurve(sql, E, nodeRef, { from: today, to: tomorrow }, nm);
      svcMs.push(performance.now() - a);
    }
    const viaNode = (await resolveNodeMeters(sql, E, nodeRef)).rollupNode !== undefined;

    // ---- the same answers from raw readings (slot [s, s+15m) ⇔ reading ts in (s, s+15m]) ----
    const minusYear = (d: Date) => {
      const l = new Date(d.getTime() + OFF);
      return new Date(
        Date.UTC(
          l.getUTCFullYear() - 1,
          l.getUTCMonth(),
          l.getUTCDate(),
          l.getUTCHours(),
          l.getUTCMinutes(),
        ) - OFF,
      );
    };
    const monthAgo = (d: Date) => {
      const l = new Date(d.getTime() + OFF);
      return new Date(
        Date.UTC(
          l.getUTCFullYear(),
          l.getUTCMonth() - 1,
          l.getUTCDate(),
          l.getUTCHours(),
          l.getUTCMinutes(),
        ) - OFF,
      );
    };
    const cur: Record<string, [Date, Date]> = {
      today: [today, AT],
      yesterday: [new Date(today.getTime() - day), today],
      month: [month, AT],
      year: [year, AT],
    };
    const prev: Record<string, [Date, Date]> = {
      today: [new Date(today.getTime() - day), new Date(AT.getTime() - day)],
      yesterday: [new Date(today.getTime() - 2 * day), new Date(today.getTime() - day)],
      month: [prevMonth, monthAgo(AT)],
      year: [minusYear(year), minusYear(AT)],
    };
    const dashRanges: [Date, Date][] = (['today', 'yesterday', 'month', 'year'] as const).flatMap((p) => [
      cur[p]!,
      prev[p]!,
      [minusYear(cur[p]![0]), minusYear(cur[p]![1])] as [Date, Date],
    ]);
    const rawSums = async (ranges: [Date, Date][]) => {
      const filters = ranges
        .map(
          (_, k) =>
            `coalesce(sum(value) FILTER (WHERE ts > $${3 + 2 * k} AND ts <= $${4 + 2 * k}), 0)::text AS r${k}`,
        )
        .join(', ');
      const lo = new Date(Math.min(...ranges.map(([f]) => f.getTime())));
      const tot = await sql.query<Record<string, string>[]>(
        `SELECT ${filters} FROM metering_reading WHERE enterprise_id = $1 AND meter_id = ANY ($2::uuid[])
         AND ts > '${iso(lo)}'`,
        [E, areaMeters, ...ranges.flatMap(([f, t]) => [iso(f), iso(t)])],
      );
      return ranges.map((_, k) => tot[0]![`r${k}`]!);
    };
    const rawTou = async () => {
      const tou = await sql.query<{ tou: string; v: string }[]>(
        `SELECT energy_tou_period($1, ts - interval '15 minutes') AS tou, sum(value)::text AS v FROM metering_reading
         WHERE enterprise_id = $1 AND meter_id = ANY ($2::uuid[]) AND ts > $3 AND ts <= $4 GROUP BY 1`,
        [E, areaMeters, iso(month), iso(AT)],
      );
      return tou.reduce(
        (acc, r) =>
          acc.plus(new Decimal(r.v).times(plan.prices[r.tou as 'sharp' | 'peak' | 'flat' | 'valley'])),
        new Decimal(0),
      );
    };
    const rawCurve = () =>
      sql.query<{ ts: Date; v: string }[]>(
        `SELECT ts - interval '15 minutes' AS ts, (sum(value) * 4)::text AS v FROM metering_reading
         WHERE enterprise_id = $1 AND meter_id = ANY ($2::uuid[]) AND ts > $3 AND ts <= $4 GROUP BY ts ORDER BY ts`,
        [E, areaMeters, iso(today), iso(tomorrow)],
      );
    const ytdRanges: [Date, Date][] = [
      [year, AT],
      [month, AT],
      [today, AT],
    ];
    const rawMs: Record<Name, number[]> = { totals: [], tou: [], curve: [], dashboard: [] };
    let raw = {
      totals: [] as string[],
      dash: [] as string[],
      cost: new Decimal(0),
      curve: [] as { ts: Date; v: string }[],
    };
    for (let i = 0; i < RAW_RUNS; i++) {
      const t1 = performance.now();
      const totals = await rawSums(ytdRanges);
      const t2 = performance.now();
      const cost = await rawTou();
      const t3 = performance.now();
      const curve = await rawCurve();
      const t4 = performance.now();
      const dash = await rawSums(dashRanges);
      await rawTou();
      await rawCurve();
      const t5 = performance.now();
      rawMs.totals.push(t2 - t1);
      rawMs.tou.push(t3 - t2);
      rawMs.curve.push(t4 - t3);
      rawMs.dashboard.push(t5 - t4);
      raw = { totals, dash, cost, curve };
    }

    // ---- identical answers? ----
    const a = answers as {
      totals: { y: Totals; m: Totals; d: Totals };
      tou: { energyTouSplit: Split };
      curve: { energyLoadCurve: Curve };
      dashboard: Dash;
    };
    const el = (t: Totals) => t.find((x) => x.energyType === 'electricity')?.value ?? '0';
    const g = a.dashboard.energyDashboard;
    const gqlDash = g.totals.flatMap((t) => [t.current, t.previous, t.lastYear]);
    const sameCurve = (c: Curve) =>
      c.length === raw.curve.length &&
      c.every(
        (p, k) => Date.parse(p.ts) === raw.curve[k]!.ts.getTime() && new Decimal(p.value).eq(raw.curve[k]!.v),
      );
    const checks = {
      totals: [el(a.totals.y), el(a.totals.m), el(a.totals.d)].every((v, k) =>
        new Decimal(v).eq(raw.totals[k]!),
      ),
      tou: new Decimal(a.tou.energyTouSplit.totalCost).eq(raw.cost),
      curve: sameCurve(a.curve.energyLoadCurve),
      dashboard:
        gqlDash.length === raw.dash.length &&
        gqlDash.every((v, k) => new Decimal(v).eq(raw.dash[k]!)) &&
        new Decimal(g.touMonth.totalCost).eq(raw.cost) &&
        sameCurve(g.loadCurve),
    };

    console.log(
      `\nworkshop (${areaMeters.length} meters) dashboard queries, served from ${viaNode ? 'node rollups' : 'meter rollups (node rollups stale!)'}`,
    );
    console.log(
      '| query | GraphQL runs | p50 ms | p95 ms | raw runs | raw p50 ms | raw p95 ms | ×p50 | ×p95 | same |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    const label: Record<Name, string> = {
      totals: 'totals year/month/today (3× energyConsumption)',
      tou: 'month TOU split + cost (energyTouSplit)',
      curve: "today's load curve, 96 points (energyLoadCurve)",
      dashboard: 'energyDashboard (12 ranges PoP/YoY + TOU + curve + tce)',
    };
    let allFast = true;
    for (const name of names) {
      const p50 = pct(gqlMs[name], 50);
      const p95 = pct(gqlMs[name], 95);
      const r50 = pct(rawMs[name], 50);
      const r95 = pct(rawMs[name], 95);
      if (!(p95 < 50)) allFast = false;
      console.log(
        `| ${label[name]} | ${RUNS} | ${p50.toFixed(1)} | ${p95.toFixed(1)} | ${RAW_RUNS} | ${r50.toFixed(0)} | ${r95.toFixed(0)} | ${(r50 / p50).toFixed(0)} | ${(r95 / p95).toFixed(0)} | ${checks[name]} |`,
      );
    }
    console.log(
      `| services directly, whole dashboard (no HTTP/auth/RLS) | ${RUNS} | ${pct(svcMs, 50).toFixed(1)} | ${pct(svcMs, 95).toFixed(1)} | | | | | | |`,
    );
    console.log(
      `| GraphQL floor (tariffPlans) | ${RUNS} | ${pct(floorMs, 50).toFixed(1)} | ${pct(floorMs, 95).toFixed(1)} | | | | | | |`,
    );
    console.log(`month cost ${g.touMonth.totalCost} CNY`);
    const d50 = pct(rawMs.dashboard, 50) / pct(gqlMs.dashboard, 50);
    console.log(
      `goal: every query p95 < 50 ms ${allFast ? 'met' : 'NOT met'}; whole dashboard ≥ 100× raw at p50 ${d50 >= 100 ? 'met' : 'NOT met'} (${d50.toFixed(0)}×)`,
    );
    if (!Object.values(checks).every(Boolean)) {
      console.log('mismatch', checks, {
        gqlDash,
        rawDash: raw.dash,
        cost: [g.touMonth.totalCost, raw.cost.toString()],
      });
      process.exitCode = 1;
    }
  }
} finally {
  await api.close();
  await db.drop();
}
