import { createHash } from 'node:crypto';
import Decimal from 'decimal.js';
import { coverRangeSigned, type Grain, localPeriods, type Segment, shiftMonths } from './buckets';
import { toTce } from './coal';
import { COAL_COEFFICIENTS } from './tariff-catalog';
import { TOU_PERIODS, type TariffPlan, type TouPeriod, type TouSplit } from './tou';

/**
 * Energy views over metering rollups (`metering_rollup`: 15m/1h/1d/1mo × tou_period, buckets aligned
 * to the meter's local time). Every function takes a query runner first (a TypeORM EntityManager
 * from `withTenant`, or a pg adapter in jobs/benches), so RLS applies when called from the API.
 */
export interface Sql {
  query<T = unknown>(text: string, params?: unknown[]): Promise<T>;
}

/**
 * Rows of an `UPDATE … RETURNING`: TypeORM's EntityManager.query answers `[rows, rowCount]` for
 * UPDATE/DELETE while a pg adapter answers `rows`; this accepts both.
 */
export function returningRows<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}

export const NODE_KINDS = ['ENTERPRISE', 'SITE', 'AREA', 'LINE', 'EQUIPMENT', 'METER'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];
export interface NodeRef {
  kind: NodeKind;
  id: string;
}

export interface NodeMeter {
  id: string;
  energyType: string;
  unit: string;
  utcOffsetMinutes: number;
}

export interface NodeMeters {
  meters: NodeMeter[];
  /** Local offset the node's rollups are aligned to (all its meters must agree). */
  utcOffsetMinutes: number;
  /**
   * Node id whose maintained node rollups (`energy_node_rollup`) equal the sum of exactly these
   * meters' rollups; absent when the node has none or they were built for another member set
   * (hierarchy edited since the last `energy_refresh_node_rollups`) — then meter rollups are read.
   */
  rollupNode?: string;
}

const ROLLUP_NODE_KINDS: readonly NodeKind[] = ['ENTERPRISE', 'SITE', 'AREA', 'LINE'];

/** Same fingerprint as `energy_refresh_node_rollups` stores in `energy_node_state.members_hash`. */
export function membersHash(meters: readonly Pick<NodeMeter, 'id' | 'energyType' | 'unit'>[]): string {
  const parts = meters.map((m) => `${m.id}:${m.energyType}:${m.unit}`);
  parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('md5').update(parts.join(',')).digest('hex');
}

const DEFAULT_OFFSET = 480;

/**
 * Metered energy of a hierarchy node: meters on its equipment and areas, only the top-most of any
 * parent/sub-meter chain inside the set (no double counting), virtual (formula) meters excluded.
 */
export async function resolveNodeMeters(db: Sql, enterpriseId: string, node: NodeRef): Promise<NodeMeters> {
  const rows = await db.query<
    { id: string; energy_type: string; unit: string; off: number; h: string | null }[]
  >(
    `WITH ars AS (
       SELECT a.id, a.site_id FROM areas a
       WHERE a.enterprise_id = $1
         AND (($2 = 'AREA' AND a.id = $3::uuid) OR ($2 = 'SITE' AND a.site_id = $3::uuid) OR $2 = 'ENTERPRISE')
     ), eq AS (
       SELECT e.id FROM equipment e JOIN lines l ON l.enterprise_id = e.enterprise_id AND l.id = e.line_id
       WHERE e.enterprise_id = $1
         AND (($2 = 'EQUIPMENT' AND e.id = $3::uuid) OR ($2 = 'LINE' AND l.id = $3::uuid)
              OR l.area_id IN (SELECT id FROM ars))
     ), sel AS (
       SELECT m.id, m.parent_meter_id, m.energy_type, m.unit, m.time_zone FROM metering_meter m
       WHERE m.enterprise_id = $1 AND m.formula IS NULL AND m.kind IN ('cumulative', 'interval')
         AND (($2 = 'METER' AND m.id = $3::uuid) OR $2 = 'ENTERPRISE'
              OR m.equipment_id IN (SELECT id FROM eq) OR m.area_id IN (SELECT id FROM ars))
     )
     SELECT s.id, s.energy_type, s.unit,
            (extract(epoch FROM (now() AT TIME ZONE s.time_zone) - (now() AT TIME ZONE 'UTC')) / 60)::int AS off,
            (SELECT st.members_hash FROM energy_node_state st
             WHERE st.enterprise_id = $1 AND st.node_kind = $2 AND st.node_id = coalesce($3::uuid, $1)) AS h
     FROM sel s WHERE NOT EXISTS (SELECT 1 FROM sel p WHERE p.id = s.parent_meter_id)
     ORDER BY s.id`,
    [enterpriseId, node.kind, node.kind === 'ENTERPRISE' ? null : node.id],
  );
  const meters = rows.map((r) => ({
    id: r.id,
    energyType: r.energy_type,
    unit: r.unit,
    utcOffsetMinutes: Number(r.off),
  }));
  const offsets = new Set(meters.map((m) => m.utcOffsetMinutes));
  if (offsets.size > 1) throw new RangeError('meters of one node must share a time zone');
  const stored = rows[0]?.h ?? null;
  const usable = stored !== null && ROLLUP_NODE_KINDS.includes(node.kind) && stored === membersHash(meters);
  return {
    meters,
    utcOffsetMinutes: meters[0]?.utcOffsetMinutes ?? DEFAULT_OFFSET,
    ...(usable ? { rollupNode: node.kind === 'ENTERPRISE' ? enterpriseId : node.id } : {}),
  };
}

export interface TaggedSegment extends Segment {
  tag: number;
  /** −1 subtracts the buckets (see coverRangeSigned); default +1. */
  sign?: 1 | -1;
}

export interface RollupSum {
  tag: number;
  meterId?: string;
  energyType: string;
  unit: string;
  touPeriod: string;
  /** Local month 1..12 of the buckets (seasonal prices). */
  month: number;
  value: Decimal;
}

/**
 * Sums rollups of `meters` over tagged segments in one statement, grouped by tag, energy type,
 * TOU period and local month (and meter when `perMeter`).
 */
export async function sumRollups(
  db: Sql,
  enterpriseId: string,
  meters: readonly NodeMeter[],
  segments: readonly TaggedSegment[],
  offsetMinutes: number,
  opts: { perMeter?: boolean; energyType?: string; totalsOnly?: boolean; rollupNode?: string } = {},
): Promise<RollupSum[]> {
  const ms = opts.energyType ? meters.filter((m) => m.energyType === opts.energyType) : meters;
  if (!ms.length || !segments.length) return [];
  if (opts.rollupNode && !opts.perMeter) {
    return sumNodeRollups(db, enterpriseId, opts.rollupNode, segments, offsetMinutes, opts);
  }
  const rows = await db.query<
    { tag: number; meter_id: string | null; et: string; unit: string; tou: string; mon: number; v: string }[]
  >(
    `SELECT s.tag, ${opts.perMeter ? 'r.meter_id' : 'NULL::uuid'} AS meter_id, mm.et, mm.unit,
            ${opts.totalsOnly ? `'all'` : 'r.tou_period'} AS tou,
            ${opts.totalsOnly ? '0 + $7 * 0' : `extract(month FROM (r.bucket_start AT TIME ZONE 'UTC') + make_interval(mins => $7))::int`} AS mon,
            sum(r.value * s.sign)::text AS v
     FROM unnest($3::text[], $4::timestamptz[], $5::timestamptz[], $6::int[], $10::int[]) AS s(grain, f, t, tag, sign)
     -- LATERAL + OFFSET 0 (no pull-up) keeps one index range scan per segment; as a plain join the
     -- planner may read every bucket of the meters and hash-join them (seconds on a year of data).
     CROSS JOIN LATERAL (
       SELECT r.meter_id, r.bucket_start, r.tou_period, r.value FROM metering_rollup r
       WHERE r.enterprise_id = $1 AND r.meter_id = ANY ($2::uuid[]) AND r.grain = s.grain
         AND r.bucket_start >= s.f AND r.bucket_start < s.t
       OFFSET 0
     ) r
     JOIN unnest($2::uuid[], $8::text[], $9::text[]) AS mm(id, et, unit) ON mm.id = r.meter_id
     GROUP BY 1, 2, 3, 4, 5, 6`,
    [
      enterpriseId,
      ms.map((m) => m.id),
      segments.map((s) => s.grain),
      segments.map((s) => s.from.toISOString()),
      segments.map((s) => s.to.toISOString()),
      segments.map((s) => s.tag),
      offsetMinutes,
      ms.map((m) => m.energyType),
      ms.map((m) => m.unit),
      segments.map((s) => s.sign ?? 1),
    ],
  );
  return rows.map((r) => ({
    tag: Number(r.tag),
    meterId: r.meter_id ?? undefined,
    energyType: r.et,
    unit: r.unit,
    touPeriod: r.tou,
    month: Number(r.mon),
    value: new Decimal(r.v),
  }));
}

/** `sumRollups` over a node's maintained rollups: the same rows, a node's few buckets per segment. */
async function sumNodeRollups(
  db: Sql,
  enterpriseId: string,
  nodeId: string,
  segments: readonly TaggedSegment[],
  offsetMinutes: number,
  opts: { energyType?: string; totalsOnly?: boolean },
): Promise<RollupSum[]> {
  const rows = await db.query<
    { tag: number; et: string; unit: string; tou: string; mon: number; v: string }[]
  >(
    `SELECT s.tag, r.energy_type AS et, r.unit,
            ${opts.totalsOnly ? `'all'` : 'r.tou_period'} AS tou,
            ${opts.totalsOnly ? '0 + $7 * 0' : `extract(month FROM (r.bucket_start AT TIME ZONE 'UTC') + make_interval(mins => $7))::int`} AS mon,
            sum(r.value * s.sign)::text AS v
     FROM unnest($3::text[], $4::timestamptz[], $5::timestamptz[], $6::int[], $9::int[]) AS s(grain, f, t, tag, sign)
     CROSS JOIN LATERAL (
       SELECT r.energy_type, r.unit, r.bucket_start, r.tou_period, r.value FROM energy_node_rollup r
       WHERE r.enterprise_id = $1 AND r.node_id = $2 AND r.grain = s.grain
         AND r.bucket_start >= s.f AND r.bucket_start < s.t AND ($8::text IS NULL OR r.energy_type = $8)
       OFFSET 0
     ) r
     GROUP BY 1, 2, 3, 4, 5`,
    [
      enterpriseId,
      nodeId,
      segments.map((s) => s.grain),
      segments.map((s) => s.from.toISOString()),
      segments.map((s) => s.to.toISOString()),
      segments.map((s) => s.tag),
      offsetMinutes,
      opts.energyType ?? null,
      segments.map((s) => s.sign ?? 1),
    ],
  );
  return rows.map((r) => ({
    tag: Number(r.tag),
    energyType: r.et,
    unit: r.unit,
    touPeriod: r.tou,
    month: Number(r.mon),
    value: new Decimal(r.v),
  }));
}

export interface Range {
  from: Date;
  to: Date;
}

/**
 * Splits possibly overlapping ranges (year ⊃ month ⊃ today, and their comparisons) into disjoint
 * atoms so every rollup row is read once; `members[i]` lists the atoms that make up range i.
 */
export function atomize(ranges: readonly Range[]): { atoms: Range[]; members: number[][] } {
  const cuts = [...new Set(ranges.flatMap((r) => [r.from.getTime(), r.to.getTime()]))].sort((a, b) => a - b);
  const atoms: Range[] = [];
  const members: number[][] = ranges.map(() => []);
  for (let i = 0; i + 1 < cuts.length; i++) {
    const from = cuts[i]!;
    const to = cuts[i + 1]!;
    const owners = ranges.flatMap((r, k) => (r.from.getTime() <= from && r.to.getTime() >= to ? [k] : []));
    if (!owners.length) continue;
    for (const k of owners) members[k]!.push(atoms.length);
    atoms.push({ from: new Date(from), to: new Date(to) });
  }
  return { atoms, members };
}

/** Rollup sums per range (tag = range index), reading each overlapping stretch once. */
async function sumRanges(
  db: Sql,
  enterpriseId: string,
  nm: NodeMeters,
  ranges: readonly Range[],
): Promise<RollupSum[]> {
  const offset = nm.utcOffsetMinutes;
  const { atoms, members } = atomize(ranges);
  const segs = atoms.flatMap((r, tag) => coverRangeSigned(r.from, r.to, offset).map((s) => ({ ...s, tag })));
  const rows = await sumRollups(db, enterpriseId, nm.meters, segs, offset, {
    totalsOnly: true,
    ...(nm.rollupNode ? { rollupNode: nm.rollupNode } : {}),
  });
  const byAtom = new Map<number, RollupSum[]>();
  for (const r of rows) byAtom.set(r.tag, [...(byAtom.get(r.tag) ?? []), r]);
  return members.flatMap((atomIds, tag) =>
    atomIds.flatMap((a) => (byAtom.get(a) ?? []).map((r) => ({ ...r, tag }))),
  );
}

export interface EnergyTotal {
  energyType: string;
  unit: string;
  value: Decimal;
}

function totalsByType(rows: readonly RollupSum[], tag: number): EnergyTotal[] {
  const map = new Map<string, EnergyTotal>();
  for (const r of rows) {
    if (r.tag !== tag) continue;
    const t = map.get(r.energyType) ?? { energyType: r.energyType, unit: r.unit, value: new Decimal(0) };
    t.value = t.value.plus(r.value);
    map.set(r.energyType, t);
  }
  return [...map.values()].sort((a, b) => a.energyType.localeCompare(b.energyType));
}

/** Totals per energy type of a node over any ranges (one query for all ranges). */
export async function consumption(
  db: Sql,
  enterpriseId: string,
  node: NodeRef,
  ranges: readonly Range[],
): Promise<EnergyTotal[][]> {
  const nm = await resolveNodeMeters(db, enterpriseId, node);
  const rows = await sumRanges(db, enterpriseId, nm, ranges);
  return ranges.map((_, i) => totalsByType(rows, i));
}

export type DashboardPeriod = 'today' | 'yesterday' | 'month' | 'year';

export interface PeriodComparison {
  period: DashboardPeriod;
  range: Range;
  energyType: string;
  unit: string;
  current: Decimal;
  /** Previous period of equal elapsed length (day before, month before, year before). */
  previous: Decimal;
  /** Same range one year earlier. */
  lastYear: Decimal;
  /** (current − previous) ÷ previous; null when previous is zero. */
  periodOverPeriod: Decimal | null;
  yearOverYear: Decimal | null;
}

function change(cur: Decimal, prev: Decimal): Decimal | null {
  return prev.isZero() ? null : cur.minus(prev).div(prev);
}

/** Today, yesterday, this month and this year to `at`, per energy type, with PoP and YoY change. */
export async function dashboardTotals(
  db: Sql,
  enterpriseId: string,
  node: NodeRef,
  at: Date,
  nodeMeters?: NodeMeters,
): Promise<PeriodComparison[]> {
  const nm = nodeMeters ?? (await resolveNodeMeters(db, enterpriseId, node));
  const off = nm.utcOffsetMinutes;
  const p = localPeriods(at, off);
  const day = 86_400_000;
  const yesterdayFrom = new Date(p.todayFrom.getTime() - day);
  const base: [DashboardPeriod, Range, Range][] = [
    ['today', { from: p.todayFrom, to: at }, { from: yesterdayFrom, to: new Date(at.getTime() - day) }],
    [
      'yesterday',
      { from: yesterdayFrom, to: p.todayFrom },
      { from: new Date(yesterdayFrom.getTime() - day), to: yesterdayFrom },
    ],
    [
      'month',
      { from: p.monthFrom, to: at },
      { from: shiftMonths(p.monthFrom, -1, off), to: shiftMonths(at, -1, off) },
    ],
    [
      'year',
      { from: p.yearFrom, to: at },
      { from: shiftMonths(p.yearFrom, -12, off), to: shiftMonths(at, -12, off) },
    ],
  ];
  const ranges: Range[] = base.flatMap(([, cur, prev]) => [
    cur,
    prev,
    { from: shiftMonths(cur.from, -12, off), to: shiftMonths(cur.to, -12, off) },
  ]);
  const rows = await sumRanges(db, enterpriseId, nm, ranges);
  const out: PeriodComparison[] = [];
  base.forEach(([period, range], i) => {
    const cur = totalsByType(rows, i * 3);
    const prev = totalsByType(rows, i * 3 + 1);
    const ly = totalsByType(rows, i * 3 + 2);
    const types = new Map<string, string>();
    for (const t of [...cur, ...prev, ...ly]) types.set(t.energyType, t.unit);
    for (const [energyType, unit] of [...types.entries()].sort()) {
      const c = cur.find((x) => x.energyType === energyType)?.value ?? new Decimal(0);
      const pv = prev.find((x) => x.energyType === energyType)?.value ?? new Decimal(0);
      const l = ly.find((x) => x.energyType === energyType)?.value ?? new Decimal(0);
      out.push({
        period,
        range,
        energyType,
        unit,
        current: c,
        previous: pv,
        lastYear: l,
        periodOverPeriod: change(c, pv),
        yearOverYear: change(c, l),
      });
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tariffs

interface PlanRow {
  id: string;
  code: string;
  definition: TariffPlan;
}

/** Stores a validated plan and its normalised ranges (what `energy_tou_period` reads). */
export async function saveTariffPlan(
  db: Sql,
  enterpriseId: string,
  code: string,
  plan: TariffPlan,
  source: unknown = null,
): Promise<string> {
  const rows = await db.query<{ id: string }[]>(
    `INSERT INTO energy_tariff_plan (enterprise_id, code, name, valid_from, valid_to, utc_offset_minutes, currency,
                                     holidays, definition, source)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date[], $9, $10) RETURNING id`,
    [
      enterpriseId,
      code,
      plan.name,
      plan.validFrom,
      plan.validTo,
      plan.utcOffsetMinutes,
      plan.currency,
      plan.holidays ?? [],
      JSON.stringify(plan),
      source === null ? null : JSON.stringify(source),
    ],
  );
  const id = rows[0]!.id;
  const ranges = plan.seasons.flatMap((s, si) =>
    s.schedules.flatMap((sc, ki) =>
      sc.ranges.map((r) => ({
        si,
        ki,
        months: s.months,
        dayTypes: sc.dayTypes?.length ? sc.dayTypes : null,
        ...r,
      })),
    ),
  );
  await db.query(
    `INSERT INTO energy_tariff_range (enterprise_id, plan_id, season_idx, schedule_idx, months, day_types,
                                      start_minute, end_minute, period)
     SELECT $1, $2, x.si, x.ki, ARRAY(SELECT jsonb_array_elements_text(x.months)::int),
            CASE WHEN x.dt IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(x.dt)) END,
            x.s, x.e, x.p
     FROM jsonb_to_recordset($3::jsonb) AS x(si int, ki int, months jsonb, dt jsonb, s int, e int, p text)`,
    [
      enterpriseId,
      id,
      JSON.stringify(
        ranges.map((r) => ({
          si: r.si,
          ki: r.ki,
          months: r.months,
          dt: r.dayTypes,
          s: r.startMinute,
          e: r.endMinute,
          p: r.period,
        })),
      ),
    ],
  );
  return id;
}

/** Plans of an enterprise overlapping [from, to] local dates (all when omitted); `id` is the row id. */
export async function loadTariffPlans(db: Sql, enterpriseId: string, range?: Range): Promise<TariffPlan[]> {
  const rows = await db.query<PlanRow[]>(
    `SELECT id, code, definition FROM energy_tariff_plan
     WHERE enterprise_id = $1
       AND ($2::timestamptz IS NULL OR valid_to IS NULL OR valid_to >= ($2::timestamptz AT TIME ZONE 'UTC'
            + make_interval(mins => utc_offset_minutes))::date)
       AND ($3::timestamptz IS NULL OR valid_from <= ($3::timestamptz AT TIME ZONE 'UTC'
            + make_interval(mins => utc_offset_minutes))::date)
     ORDER BY valid_from`,
    [enterpriseId, range?.from.toISOString() ?? null, range?.to.toISOString() ?? null],
  );
  return rows.map((r) => ({ ...r.definition, id: r.id }));
}

/** Splits [from, to) at every local midnight where the plan in force changes. */
export function planWindows(
  plans: readonly TariffPlan[],
  range: Range,
): { range: Range; plan: TariffPlan | null }[] {
  const cuts = new Set<number>([range.from.getTime(), range.to.getTime()]);
  for (const p of plans) {
    const off = p.utcOffsetMinutes * 60_000;
    const start = Date.parse(`${p.validFrom}T00:00:00Z`) - off;
    if (start > range.from.getTime() && start < range.to.getTime()) cuts.add(start);
    if (p.validTo) {
      const end = Date.parse(`${p.validTo}T00:00:00Z`) + 86_400_000 - off;
      if (end > range.from.getTime() && end < range.to.getTime()) cuts.add(end);
    }
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: { range: Range; plan: TariffPlan | null }[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const from = new Date(sorted[i]!);
    const plan =
      plans
        .filter((p) => {
          const local = new Date(from.getTime() + p.utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
          return local >= p.validFrom && (p.validTo === null || local <= p.validTo);
        })
        .sort((a, b) => b.validFrom.localeCompare(a.validFrom))[0] ?? null;
    out.push({ range: { from, to: new Date(sorted[i + 1]!) }, plan });
  }
  return out;
}

function seasonPrice(plan: TariffPlan, month: number, period: TouPeriod): Decimal {
  const season = plan.seasons.find((s) => s.months.includes(month));
  return new Decimal(season?.prices?.[period] ?? plan.prices[period]);
}

function emptySplit(): TouSplit {
  const z = () => ({ kwh: new Decimal(0), cost: new Decimal(0) });
  return {
    periods: { sharp: z(), peak: z(), flat: z(), valley: z() },
    totalKwh: new Decimal(0),
    totalCost: new Decimal(0),
    unpricedKwh: new Decimal(0),
  };
}

function isTou(p: string): p is TouPeriod {
  return (TOU_PERIODS as readonly string[]).includes(p);
}

/** Folds rollup sums (tag = window index) into a TOU split priced by each window's plan. */
export function priceRollups(
  rows: readonly RollupSum[],
  windows: readonly { plan: TariffPlan | null }[],
  filter: (r: RollupSum) => boolean = () => true,
): TouSplit {
  const split = emptySplit();
  for (const r of rows) {
    if (!filter(r)) continue;
    split.totalKwh = split.totalKwh.plus(r.value);
    const plan = windows[r.tag]?.plan ?? null;
    if (!plan || !isTou(r.touPeriod)) {
      split.unpricedKwh = split.unpricedKwh.plus(r.value);
      continue;
    }
    const cost = r.value.times(seasonPrice(plan, r.month, r.touPeriod));
    const b = split.periods[r.touPeriod];
    b.kwh = b.kwh.plus(r.value);
    b.cost = b.cost.plus(cost);
    split.totalCost = split.totalCost.plus(cost);
  }
  return split;
}

/**
 * Electricity of a node over [from, to) split by TOU period and priced exactly, honouring tariff
 * changes on any date (mid-month) and seasonal prices. Rollups carry the period; prices come from
 * the plan in force for each window.
 */
export async function touSplit(
  db: Sql,
  enterpriseId: string,
  node: NodeRef,
  range: Range,
  nodeMeters?: NodeMeters,
): Promise<{ split: TouSplit; plans: TariffPlan[] }> {
  const nm = nodeMeters ?? (await resolveNodeMeters(db, enterpriseId, node));
  const plans = await loadTariffPlans(db, enterpriseId, range);
  const windows = planWindows(plans, range);
  const segs = windows.flatMap((w, tag) =>
    coverRangeSigned(w.range.from, w.range.to, nm.utcOffsetMinutes).map((s) => ({ ...s, tag })),
  );
  const rows = await sumRollups(db, enterpriseId, nm.meters, segs, nm.utcOffsetMinutes, {
    energyType: 'electricity',
    ...(nm.rollupNode ? { rollupNode: nm.rollupNode } : {}),
  });
  return { split: priceRollups(rows, windows), plans };
}

export interface CurvePoint {
  ts: Date;
  value: Decimal;
}

async function series(
  db: Sql,
  enterpriseId: string,
  nm: NodeMeters,
  energyType: string,
  grain: Grain,
  range: Range,
): Promise<CurvePoint[]> {
  const meterIds = nm.meters.filter((m) => m.energyType === energyType).map((m) => m.id);
  if (!meterIds.length) return [];
  const rows = nm.rollupNode
    ? await db.query<{ b: Date; v: string }[]>(
        `SELECT bucket_start AS b, sum(value)::text AS v FROM energy_node_rollup
         WHERE enterprise_id = $1 AND node_id = $2 AND grain = $3 AND bucket_start >= $4 AND bucket_start < $5
           AND energy_type = $6
         GROUP BY 1 ORDER BY 1`,
        [enterpriseId, nm.rollupNode, grain, range.from.toISOString(), range.to.toISOString(), energyType],
      )
    : await db.query<{ b: Date; v: string }[]>(
        `SELECT bucket_start AS b, sum(value)::text AS v FROM metering_rollup
         WHERE enterprise_id = $1 AND meter_id = ANY ($2::uuid[]) AND grain = $3 AND bucket_start >= $4 AND bucket_start < $5
         GROUP BY 1 ORDER BY 1`,
        [enterpriseId, meterIds, grain, range.from.toISOString(), range.to.toISOString()],
      );
  return rows.map((r) => ({ ts: new Date(r.b), value: new Decimal(r.v) }));
}

/** Longest load curve served (15-minute points: 31 days = 2 976 points). */
export const MAX_LOAD_CURVE_DAYS = 31;

/** Load curve: mean electric power (kW) per 15 minutes = kWh of the slot × 4. */
export async function loadCurve(
  db: Sql,
  enterpriseId: string,
  node: NodeRef,
  range: Range,
  nodeMeters?: NodeMeters,
): Promise<CurvePoint[]> {
  if (range.to.getTime() - range.from.getTime() > MAX_LOAD_CURVE_DAYS * 86_400_000) {
    throw new RangeError(`load curve range longer than ${MAX_LOAD_CURVE_DAYS} days (use the daily trend)`);
  }
  const nm = nodeMeters ?? (await resolveNodeMeters(db, enterpriseId, node));
  const pts = await series(db, enterpriseId, nm, 'electricity', '15m', range);
  return pts.map((p) => ({ ts: p.ts, value: p.value.times(4) }));
}

/** Daily totals of one energy type. */
export async function dailyTrend(
  db: Sql,
  enterpriseId: string,
  node: NodeRef,
  range: Range,
  energyType = 'electricity',
): Promise<CurvePoint[]> {
  const nm = await resolveNodeMeters(db, enterpriseId, node);
  return series(db, enterpriseId, nm, energyType, '1d', range);
}

export interface NodeTotal {
  node: NodeRef;
  name: string;
  energyType: string;
  unit: string;
  value: Decimal;
}

const CHILD_SQL: Record<'SITE' | 'AREA' | 'LINE' | 'EQUIPMENT', string> = {
  SITE: `SELECT id, name FROM sites WHERE enterprise_id = $1`,
  AREA: `SELECT id, name FROM areas WHERE enterprise_id = $1 AND ($2::uuid IS NULL OR site_id = $2::uuid)`,
  LINE: `SELECT id, name FROM lines WHERE enterprise_id = $1 AND ($2::uuid IS NULL OR area_id = $2::uuid)`,
  EQUIPMENT: `SELECT id, name FROM equipment WHERE enterprise_id = $1 AND ($2::uuid IS NULL OR line_id = $2::uuid)
              AND ($3::text IS NULL OR kind = $3)`,
};

/**
 * Side-by-side totals of nodes of one kind (same-type workshops, same-kind equipment) over a
 * period, highest first: top consumers and comparison are the same query.
 */
export async function compareNodes(
  db: Sql,
  enterpriseId: string,
  kind: 'SITE' | 'AREA' | 'LINE' | 'EQUIPMENT',
  range: Range,
  opts: { parentId?: string | null; equipmentKind?: string | null; energyType?: string; limit?: number } = {},
): Promise<NodeTotal[]> {
  const energyType = opts.energyType ?? 'electricity';
  const nodes = await db.query<{ id: string; name: string }[]>(
    CHILD_SQL[kind],
    kind === 'SITE'
      ? [enterpriseId]
      : kind === 'EQUIPMENT'
        ? [enterpriseId, opts.parentId ?? null, opts.equipmentKind ?? null]
        : [enterpriseId, opts.parentId ?? null],
  );
  const out: NodeTotal[] = [];
  const resolved = await Promise.all(
    nodes.map((n) => resolveNodeMeters(db, enterpriseId, { kind, id: n.id })),
  );
  const owner = new Map<string, number>();
  resolved.forEach((r, i) => {
    for (const m of r.meters) if (m.energyType === energyType && !owner.has(m.id)) owner.set(m.id, i);
  });
  const all = resolved.flatMap((r) => r.meters).filter((m) => owner.has(m.id));
  const unique = [...new Map(all.map((m) => [m.id, m])).values()];
  const off = resolved[0]?.utcOffsetMinutes ?? DEFAULT_OFFSET;
  const segs = coverRangeSigned(range.from, range.to, off).map((s) => ({ ...s, tag: 0 }));
  const rows = await sumRollups(db, enterpriseId, unique, segs, off, { perMeter: true });
  const totals = nodes.map(() => new Decimal(0));
  let unit = '';
  for (const r of rows) {
    const i = owner.get(r.meterId ?? '');
    if (i === undefined) continue;
    totals[i] = totals[i]!.plus(r.value);
    unit = r.unit;
  }
  nodes.forEach((n, i) => {
    out.push({ node: { kind, id: n.id }, name: n.name, energyType, unit, value: totals[i]! });
  });
  out.sort((a, b) => b.value.cmp(a.value) || a.name.localeCompare(b.name));
  return opts.limit ? out.slice(0, opts.limit) : out;
}

export interface TceTotal {
  energyType: string;
  quantity: Decimal;
  tceLow: Decimal;
  tceHigh: Decimal;
  citation: string;
}

/** Standard-coal totals per energy type (GB/T 2589-2020); types without a coefficient are skipped. */
export function tceTotals(
  totals: readonly EnergyTotal[],
  overrides: Record<string, string> = {},
): TceTotal[] {
  const out: TceTotal[] = [];
  for (const t of totals) {
    // Water, compressed air…: no coefficient in the standard, so no tce (never invented).
    if (!COAL_COEFFICIENTS.some((c) => c.energyType === t.energyType)) continue;
    const r = toTce(t.energyType, t.value, overrides[t.energyType]);
    out.push({
      energyType: t.energyType,
      quantity: r.quantity,
      tceLow: r.tceLow,
      tceHigh: r.tceHigh,
      citation: r.citation,
    });
  }
  return out;
}
