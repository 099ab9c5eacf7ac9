/**
 * Covering a time range with the fewest rollup buckets (pure). Metering rollups hold 15m, 1h, 1d
 * and 1mo buckets aligned to local time; a year-to-date total reads ≤ 11 month buckets, ≤ 30 day
 * buckets, ≤ 23 hour buckets and ≤ 3 quarter-hour buckets per meter instead of 35 000 readings.
 */

export type Grain = '15m' | '1h' | '1d' | '1mo';

export interface Segment {
  grain: Grain;
  /** Inclusive UTC start of the first bucket. */
  from: Date;
  /** Exclusive: buckets with bucket_start < to. */
  to: Date;
}

const Q = 15 * 60_000;
const H = 3_600_000;
const D = 86_400_000;

/** Floors to a 15-minute boundary (all offsets we support are whole quarter hours). */
export function floorQuarter(d: Date): Date {
  return new Date(Math.floor(d.getTime() / Q) * Q);
}

function localMonthStart(localMs: number): number {
  const d = new Date(localMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}
function addMonths(localMs: number, n: number): number {
  const d = new Date(localMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1);
}

/**
 * Segments covering [from, to) (both floored to 15 minutes) with local-time-aligned buckets.
 * `utcOffsetMinutes` is the local offset the rollups are aligned to.
 */
export function coverRange(from: Date, to: Date, utcOffsetMinutes: number): Segment[] {
  const off = utcOffsetMinutes * 60_000;
  let a = floorQuarter(from).getTime() + off;
  const b = floorQuarter(to).getTime() + off;
  const out: Segment[] = [];
  const push = (grain: Grain, s: number, e: number) => {
    if (e > s) out.push({ grain, from: new Date(s - off), to: new Date(e - off) });
  };
  if (a >= b) return out;
  // Head: climb 15m → 1h → 1d → 1mo alignment while the next boundary is inside the range;
  // whatever is left is handled by the tail.
  const climb = (grain: Grain, nextBoundary: number): boolean => {
    if (nextBoundary > b) return false;
    push(grain, a, nextBoundary);
    a = nextBoundary;
    return true;
  };
  const up = (unitMs: number) => Math.ceil(a / unitMs) * unitMs;
  if (climb('15m', up(H)) && climb('1h', up(D))) {
    climb('1d', localMonthStart(a) === a ? a : addMonths(a, 1));
  }
  // Whole months.
  let m = a;
  while (localMonthStart(m) === m && addMonths(m, 1) <= b) m = addMonths(m, 1);
  push('1mo', a, m);
  a = m;
  // Tail: descend 1d → 1h → 15m.
  const down = (grain: Grain, unitMs: number) => {
    const end = a + Math.floor((b - a) / unitMs) * unitMs;
    push(grain, a, end);
    a = end;
  };
  down('1d', D);
  down('1h', H);
  down('15m', Q);
  return out;
}

export interface LocalPeriods {
  todayFrom: Date;
  tomorrowFrom: Date;
  monthFrom: Date;
  yearFrom: Date;
}

/** Local-day, month and year starts around `at`, as UTC instants. */
export function localPeriods(at: Date, utcOffsetMinutes: number): LocalPeriods {
  const off = utcOffsetMinutes * 60_000;
  const l = at.getTime() + off;
  const day = Math.floor(l / D) * D;
  const d = new Date(l);
  return {
    todayFrom: new Date(day - off),
    tomorrowFrom: new Date(day + D - off),
    monthFrom: new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) - off),
    yearFrom: new Date(Date.UTC(d.getUTCFullYear(), 0, 1) - off),
  };
}

/** Shifts a UTC instant by whole local calendar months (day-of-month clamped). */
export function shiftMonths(ts: Date, months: number, utcOffsetMinutes: number): Date {
  const off = utcOffsetMinutes * 60_000;
  const d = new Date(ts.getTime() + off);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();
  const shifted = Date.UTC(y, mo, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes());
  return new Date(shifted - off);
}

export interface SignedSegment extends Segment {
  /** +1 adds the buckets, −1 subtracts them. */
  sign: 1 | -1;
}

const GRAIN_MS: Record<Exclude<Grain, '1mo'>, number> = { '15m': Q, '1h': H, '1d': D };

/** Number of buckets a cover reads. */
export function bucketCount(segs: readonly Segment[], utcOffsetMinutes: number): number {
  const off = utcOffsetMinutes * 60_000;
  let n = 0;
  for (const s of segs) {
    if (s.grain === '1mo') {
      const a = new Date(s.from.getTime() + off);
      const b = new Date(s.to.getTime() + off);
      n += (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth();
    } else n += (s.to.getTime() - s.from.getTime()) / GRAIN_MS[s.grain];
  }
  return n;
}

/**
 * The cheapest exact cover of [from, to) with signed segments: total(from, to) =
 * total(F, T) − total(F, from) − total(to, T) for F ∈ {from, its local day/month start} and
 * T ∈ {to, its local day/month end}. Month-to-date on the 29th reads one month bucket minus
 * a day or two instead of 28 day buckets; sums stay exact because every bucket is the exact
 * sum of its slots (per TOU period too).
 */
export function coverRangeSigned(from: Date, to: Date, utcOffsetMinutes: number): SignedSegment[] {
  const off = utcOffsetMinutes * 60_000;
  const f = floorQuarter(from).getTime();
  const t = floorQuarter(to).getTime();
  if (f >= t) return [];
  const lf = f + off;
  const lt = t + off;
  const floorDay = Math.floor(lf / D) * D - off;
  const ceilDay = Math.ceil(lt / D) * D - off;
  const floorMonth = localMonthStart(lf) - off;
  const ceilMonth = (localMonthStart(lt) === lt ? lt : addMonths(lt, 1)) - off;
  let best: SignedSegment[] | null = null;
  let bestCost = Number.POSITIVE_INFINITY;
  for (const F of new Set([f, floorDay, floorMonth])) {
    for (const T of new Set([t, ceilDay, ceilMonth])) {
      const plus = coverRange(new Date(F), new Date(T), utcOffsetMinutes);
      const minusHead = F < f ? coverRange(new Date(F), new Date(f), utcOffsetMinutes) : [];
      const minusTail = T > t ? coverRange(new Date(t), new Date(T), utcOffsetMinutes) : [];
      const cost =
        bucketCount(plus, utcOffsetMinutes) +
        bucketCount(minusHead, utcOffsetMinutes) +
        bucketCount(minusTail, utcOffsetMinutes);
      if (cost < bestCost) {
        bestCost = cost;
        best = [
          ...plus.map((s) => ({ ...s, sign: 1 as const })),
          ...minusHead.map((s) => ({ ...s, sign: -1 as const })),
          ...minusTail.map((s) => ({ ...s, sign: -1 as const })),
        ];
      }
    }
  }
  return best ?? [];
}
