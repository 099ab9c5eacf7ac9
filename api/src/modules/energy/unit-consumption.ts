import Decimal from 'decimal.js';

export interface ProductionRecord {
  line: string;
  product: string;
  quantity: Decimal.Value;
  shift: string;
  team: string;
  start: Date;
  end: Date;
}

export interface EnergyPoint {
  start: Date;
  end: Date;
  kwh: Decimal.Value;
}

export type GroupBy = 'line' | 'shift' | 'team' | 'product';

export interface UnitConsumptionRow {
  key: string;
  energy: Decimal;
  quantity: Decimal;
  /** energy ÷ quantity; null when nothing was produced. */
  perUnit: Decimal | null;
  rank: number;
}

export interface UnitConsumptionResult {
  rows: UnitConsumptionRow[];
  /** Best (lowest) observed unit consumption, the benchmark others are compared with. */
  benchmark: UnitConsumptionRow | null;
}

function overlapMs(aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  return Math.max(0, Math.min(aEnd, bEnd) - Math.max(aStart, bStart));
}

/**
 * Energy per unit of product. Each production record is charged the energy of its line's meter
 * within its time range (intervals straddling the range are pro-rated by time, in decimal), then
 * rows are grouped and ranked best first. `energyByLine` holds each line's interval series.
 */
export function unitConsumption(
  records: readonly ProductionRecord[],
  energyByLine: ReadonlyMap<string, readonly EnergyPoint[]>,
  groupBy: GroupBy,
): UnitConsumptionResult {
  const groups = new Map<string, { energy: Decimal; quantity: Decimal }>();
  for (const r of records) {
    const rs = r.start.getTime();
    const re = r.end.getTime();
    let energy = new Decimal(0);
    for (const p of energyByLine.get(r.line) ?? []) {
      const ps = p.start.getTime();
      const pe = p.end.getTime();
      const o = overlapMs(rs, re, ps, pe);
      if (o === 0) continue;
      energy = energy.plus(o === pe - ps ? new Decimal(p.kwh) : new Decimal(p.kwh).times(o).div(pe - ps));
    }
    const key = r[groupBy];
    const g = groups.get(key) ?? { energy: new Decimal(0), quantity: new Decimal(0) };
    g.energy = g.energy.plus(energy);
    g.quantity = g.quantity.plus(r.quantity);
    groups.set(key, g);
  }
  return rankUnitConsumption([...groups.entries()].map(([key, g]) => ({ key, ...g })));
}

/** Ranks groups by energy per unit, best (lowest) first; groups that produced nothing go last. */
export function rankUnitConsumption(
  groups: readonly { key: string; energy: Decimal; quantity: Decimal }[],
): UnitConsumptionResult {
  const rows = groups.map((g) => ({
    key: g.key,
    energy: g.energy,
    quantity: g.quantity,
    perUnit: g.quantity.isZero() ? null : g.energy.div(g.quantity),
    rank: 0,
  }));
  rows.sort((a, b) => {
    if (a.perUnit === null) return b.perUnit === null ? a.key.localeCompare(b.key) : 1;
    if (b.perUnit === null) return -1;
    return a.perUnit.cmp(b.perUnit) || a.key.localeCompare(b.key);
  });
  rows.forEach((r, i) => {
    r.rank = i + 1;
  });
  const benchmark = rows.find((r) => r.perUnit !== null) ?? null;
  return { rows, benchmark };
}

export interface PowerSample {
  start: Date;
  end: Date;
  /** Mean active power over the sample, kW. */
  kw: Decimal.Value;
}

export interface RunStandby {
  runningKwh: Decimal;
  standbyKwh: Decimal;
  offKwh: Decimal;
  runningHours: Decimal;
  standbyHours: Decimal;
  /** Median power while running / standby: recommended reference values for start-up and standby. */
  recommendedRunningKw: Decimal | null;
  recommendedStandbyKw: Decimal | null;
}

function median(xs: Decimal[]): Decimal | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a.cmp(b));
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : s[mid - 1]!.plus(s[mid]!).div(2);
}

/**
 * Classifies each sample of an equipment's power as running (≥ runKw), standby (≥ offKw and < runKw)
 * or off, and totals energy and hours per state.
 */
export function runningStandby(
  samples: readonly PowerSample[],
  runKw: Decimal.Value,
  offKw: Decimal.Value = 0,
): RunStandby {
  const run = new Decimal(runKw);
  const off = new Decimal(offKw);
  let runningKwh = new Decimal(0);
  let standbyKwh = new Decimal(0);
  let offKwh = new Decimal(0);
  let runningHours = new Decimal(0);
  let standbyHours = new Decimal(0);
  const runKws: Decimal[] = [];
  const standbyKws: Decimal[] = [];
  for (const s of samples) {
    const kw = new Decimal(s.kw);
    const h = new Decimal(s.end.getTime() - s.start.getTime()).div(3_600_000);
    const e = kw.times(h);
    if (kw.gte(run)) {
      runningKwh = runningKwh.plus(e);
      runningHours = runningHours.plus(h);
      runKws.push(kw);
    } else if (kw.gt(off)) {
      standbyKwh = standbyKwh.plus(e);
      standbyHours = standbyHours.plus(h);
      standbyKws.push(kw);
    } else {
      offKwh = offKwh.plus(e);
    }
  }
  return {
    runningKwh,
    standbyKwh,
    offKwh,
    runningHours,
    standbyHours,
    recommendedRunningKw: median(runKws),
    recommendedStandbyKw: median(standbyKws),
  };
}

/** Parses an ERP production CSV: header `line,product,quantity,shift,team,start,end` (ISO times). */
export function parseProductionCsv(csv: string): ProductionRecord[] {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim().toLowerCase());
  const need = ['line', 'product', 'quantity', 'shift', 'team', 'start', 'end'];
  const idx = need.map((n) => header.indexOf(n));
  const missing = need.filter((_, i) => idx[i] === -1);
  if (missing.length) throw new RangeError(`production CSV lacks columns: ${missing.join(', ')}`);
  return lines.map((l, n) => {
    const cells = l.split(',').map((c) => c.trim());
    const get = (i: number) => cells[idx[i]!] ?? '';
    const start = new Date(get(5));
    const end = new Date(get(6));
    const quantity = get(2);
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || !(end > start)) {
      throw new RangeError(`production CSV row ${n + 2}: bad time range`);
    }
    if (!/^\d+(\.\d+)?$/.test(quantity)) throw new RangeError(`production CSV row ${n + 2}: bad quantity`);
    return { line: get(0), product: get(1), quantity, shift: get(3), team: get(4), start, end };
  });
}
