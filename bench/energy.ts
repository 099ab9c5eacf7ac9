/**
 * Energy bench: BENCH_METERS meters (default 500) × BENCH_DAYS days (default 365) of 15-minute
 * interval readings (500 × 365 × 96 ≈ 17.5 M), generated in SQL (INSERT … SELECT generate_series),
 * rolled up 15m → 1h → 1d → 1mo per TOU period as metering does. Then p50/p95 of the workshop
 * dashboard through GraphQL (real server: year/month/day totals with PoP/YoY, month TOU split and
 * cost, today's load curve, year tce) next to the same answers computed from the raw readings table
 * in the same run, and a check that both give identical figures.
 *
 *   BENCH_METERS=100 BENCH_DAYS=120 npm run bench -- energy
 */
import Decimal from 'decimal.js';
import { createTestDatabase } from '@opencep/migrations';
import { startTestApi } from '../api/src/core/testing';
import { buildRollups, createPlant, generateReadings } from '../api/src/modules/energy/energy.testing';
import {
  dashboardTotals,
  loadCurve,
  resolveNodeMeters,
  type Sql,
  touSplit,
} from '../api/src/modules/energy/energy.service';
import { hubei202601Plans } from '../api/src/modules/energy/tariff-catalog';
import { DEMO_ENTERPRISE_ID } from '../api/src/seed/users';

const METERS = Number(process.env.BENCH_METERS ?? 500);
const DAYS = Number(process.env.BENCH_DAYS ?? 365);
const PER_AREA = 25;
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const RAW_RUNS = Number(process.env.BENCH_RAW_RUNS ?? 3);
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
  }
  await sql.query('ANALYZE');
  const counts = await sql.query<{ r: string; u: string }[]>(
    `SELECT (SELECT count(*) FROM metering_reading)::text AS r, (SELECT count(*) FROM metering_rollup)::text AS u`,
  );
  console.log(
    `data: ${METERS} meters × ${DAYS} days = ${Number(counts[0]!.r).toLocaleString('en')} readings, ${Number(counts[0]!.u).toLocaleString('en')} rollup rows; generate ${(genMs / 1000).toFixed(1)} s, rollups ${(rollMs / 1000).toFixed(1)} s (setup ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );

  // ---- dashboard through GraphQL ----
  const area = plant.areaIds[0]!;
  const areaMeters = meterIds.slice(0, Math.min(PER_AREA, METERS));
  const query = `query($e: ID!, $n: EnergyNodeInput!, $at: DateTime) { energyDashboard(enterpriseId: $e, node: $n, at: $at) {
      totals { period energyType current previous lastYear periodOverPeriod yearOverYear }
      touMonth { totalKwh totalCost periods { period kwh cost share } }
      loadCurve { ts value } tceYear { energyType tceLow } } }`;
  type Dash = {
    energyDashboard: {
      totals: { period: string; current: string; previous: string; lastYear: string }[];
      touMonth: { totalCost: string; periods: { period: string; kwh: string }[] };
      loadCurve: { ts: string; value: string }[];
    };
  };
  const vars = { e: E, n: { kind: 'AREA', id: area }, at: AT.toISOString() };
  let dash: Dash | undefined;
  for (let i = 0; i < 3; i++) dash = (await admin.gql<Dash>(query, vars)).data ?? undefined; // warm-up
  const gqlMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const a = performance.now();
    const r = await admin.gql<Dash>(query, vars);
    gqlMs.push(performance.now() - a);
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    dash = r.data ?? undefined;
  }

  // Floor: the cheapest authenticated GraphQL round trip (one tiny tenant query) on this machine.
  const floorMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const a = performance.now();
    await admin.gql(`query($e: ID!) { tariffPlans(enterpriseId: $e) { id } }`, { e: E });
    floorMs.push(performance.now() - a);
  }
  // The same dashboard through the services directly (no HTTP, auth or RLS): the database share.
  const nodeRef = { kind: 'AREA' as const, id: area };
  const svcMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const a = performance.now();
    const nm = await resolveNodeMeters(sql, E, nodeRef);
    await dashboardTotals(sql, E, nodeRef, AT, nm);
    await touSplit(sql, E, nodeRef, { from: cst('2026-06-01T00:00:00'), to: AT }, nm);
    await loadCurve(sql, E, nodeRef, { from: cst('2026-06-30T00:00:00'), to: END }, nm);
    svcMs.push(performance.now() - a);
  }

  // ---- the same answers from raw readings ----
  const ranges = dash!.energyDashboard.totals.map((t) => t.period);
  const day = 86_400_000;
  const local = new Date(AT.getTime() + OFF);
  const today = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - OFF);
  const month = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - OFF);
  const year = new Date(Date.UTC(local.getUTCFullYear(), 0, 1) - OFF);
  const prevMonth = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - 1, 1) - OFF);
  const minusYear = (d: Date) => {
    const l = new Date(d.getTime() + OFF);
    return new Date(
      Date.UTC(l.getUTCFullYear() - 1, l.getUTCMonth(), l.getUTCDate(), l.getUTCHours(), l.getUTCMinutes()) -
        OFF,
    );
  };
  const monthAgo = (d: Date) => {
    const l = new Date(d.getTime() + OFF);
    return new Date(
      Date.UTC(
        l.getUTCFullYear(),
        l.getUTCMonth() - 1,
        Math.min(l.getUTCDate(), 31),
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
  const rawRanges: [Date, Date][] = (['today', 'yesterday', 'month', 'year'] as const).flatMap((p) => [
    cur[p]!,
    prev[p]!,
    [minusYear(cur[p]![0]), minusYear(cur[p]![1])] as [Date, Date],
  ]);
  const rawMs: number[] = [];
  let rawTotals: string[] = [];
  let rawCost = new Decimal(0);
  for (let i = 0; i < RAW_RUNS; i++) {
    const a = performance.now();
    // Totals: slot [s, s+15m) ⇔ reading ts in (s, s+15m].
    const filters = rawRanges
      .map(
        (_, k) =>
          `coalesce(sum(value) FILTER (WHERE ts > $${3 + 2 * k} AND ts <= $${4 + 2 * k}), 0)::text AS r${k}`,
      )
      .join(', ');
    const tot = await sql.query<Record<string, string>[]>(
      `SELECT ${filters} FROM metering_reading WHERE enterprise_id = $1 AND meter_id = ANY ($2::uuid[])`,
      [E, areaMeters, ...rawRanges.flatMap(([f, t]) => [f.toISOString(), t.toISOString()])],
    );
    rawTotals = rawRanges.map((_, k) => tot[0]![`r${k}`]!);
    const tou = await sql.query<{ tou: string; v: string }[]>(
      `SELECT energy_tou_period($1, ts - interval '15 minutes') AS tou, sum(value)::text AS v FROM metering_reading
       WHERE enterprise_id = $1 AND meter_id = ANY ($2::uuid[]) AND ts > $3 AND ts <= $4 GROUP BY 1`,
      [E, areaMeters, month.toISOString(), AT.toISOString()],
    );
    rawCost = tou.reduce(
      (acc, r) =>
        acc.plus(new Decimal(r.v).times(plan.prices[r.tou as 'sharp' | 'peak' | 'flat' | 'valley'])),
      new Decimal(0),
    );
    await sql.query(
      `SELECT ts, sum(value) * 4 FROM metering_reading WHERE enterprise_id = $1 AND meter_id = ANY ($2::uuid[])
       AND ts > $3 AND ts <= $4 GROUP BY ts ORDER BY ts`,
      [E, areaMeters, today.toISOString(), new Date(today.getTime() + day).toISOString()],
    );
    rawMs.push(performance.now() - a);
  }

  // ---- identical answers? ----
  const g = dash!.energyDashboard;
  const gqlTotals = ranges.flatMap((_, i) => {
    const t = g.totals[i]!;
    return [t.current, t.previous, t.lastYear];
  });
  const same =
    gqlTotals.every((v, i) => new Decimal(v).eq(rawTotals[i]!)) &&
    new Decimal(g.touMonth.totalCost).eq(rawCost);
  const p50 = pct(gqlMs, 50);
  const p95 = pct(gqlMs, 95);
  const raw50 = pct(rawMs, 50);
  console.log(
    '\nworkshop dashboard (25 meters): year/month/day totals + PoP/YoY, month TOU split & cost, load curve, tce',
  );
  console.log('| path | runs | p50 ms | p95 ms |');
  console.log('|---|---|---|---|');
  console.log(`| GraphQL over rollups | ${RUNS} | ${p50.toFixed(1)} | ${p95.toFixed(1)} |`);
  console.log(
    `| services directly (no HTTP/auth/RLS) | ${RUNS} | ${pct(svcMs, 50).toFixed(1)} | ${pct(svcMs, 95).toFixed(1)} |`,
  );
  console.log(
    `| GraphQL floor (tariffPlans) | ${RUNS} | ${pct(floorMs, 50).toFixed(1)} | ${pct(floorMs, 95).toFixed(1)} |`,
  );
  console.log(`| raw readings (SQL) | ${RAW_RUNS} | ${raw50.toFixed(1)} | ${pct(rawMs, 95).toFixed(1)} |`);
  console.log(
    `speed-up p50: ${(raw50 / p50).toFixed(0)}×; answers identical: ${same}; month cost ${g.touMonth.totalCost} CNY`,
  );
  console.log(
    `goal p95 < 50 ms: ${p95 < 50 ? 'met' : 'NOT met'}; ≥ 100× raw: ${raw50 / p50 >= 100 ? 'met' : 'NOT met'}`,
  );
  if (!same) {
    console.log('mismatch', { gqlTotals, rawTotals, cost: [g.touMonth.totalCost, rawCost.toString()] });
    process.exitCode = 1;
  }
} finally {
  await api.close();
  await db.drop();
}
