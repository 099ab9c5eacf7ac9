import Decimal from 'decimal.js';

/**
 * Time-of-use (尖峰平谷) tariffs, pure: no I/O, no floats for money or energy.
 *
 * A plan is valid on a closed range of local dates and holds seasons (month sets); a season holds
 * schedules per day type, each a list of [start, end) minute ranges. A range whose end is not after
 * its start crosses midnight (22:00–06:00). Local time is UTC plus a fixed offset: the tariffs we
 * model (China) have no daylight saving, and a fixed offset keeps the TypeScript and the SQL
 * classification (`energy.tou_period`) byte-for-byte equivalent.
 */

export const TOU_PERIODS = ['sharp', 'peak', 'flat', 'valley'] as const;
export type TouPeriod = (typeof TOU_PERIODS)[number];
export const DAY_TYPES = ['workday', 'weekend', 'holiday'] as const;
export type DayType = (typeof DAY_TYPES)[number];

export interface TouRange {
  /** Minutes after local midnight, 0..1439. */
  startMinute: number;
  /** Minutes after local midnight, 1..1440; `end <= start` means the range crosses midnight. */
  endMinute: number;
  period: TouPeriod;
}

export interface TouSchedule {
  /** Day types this schedule applies to; empty or absent = every day. */
  dayTypes?: DayType[];
  ranges: TouRange[];
}

export interface TouSeason {
  name: string;
  /** 1..12 */
  months: number[];
  schedules: TouSchedule[];
  /** Season-specific prices override the plan's. Decimal strings, currency per kWh. */
  prices?: Partial<Record<TouPeriod, string>>;
}

export interface TariffPlan {
  id: string;
  name: string;
  /** Local date `YYYY-MM-DD`, inclusive. */
  validFrom: string;
  /** Local date `YYYY-MM-DD`, inclusive; null = open-ended. */
  validTo: string | null;
  /** Minutes east of UTC (China: 480). */
  utcOffsetMinutes: number;
  currency: string;
  prices: Record<TouPeriod, string>;
  seasons: TouSeason[];
  /** Local dates `YYYY-MM-DD` that count as holidays. */
  holidays?: string[];
}

export type TouValidationCode =
  | 'TOU_RANGE_INVALID'
  | 'TOU_OVERLAP'
  | 'TOU_GAP'
  | 'TOU_MONTH_UNCOVERED'
  | 'TOU_PRICE_INVALID'
  | 'TOU_VALIDITY_INVALID';

export interface TouValidationIssue {
  code: TouValidationCode;
  message: string;
}

const MINUTES_PER_DAY = 1440;
const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

/** Parses `HH:MM` (00:00..24:00) to minutes. */
export function parseClock(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new RangeError(`bad clock time ${hhmm}`);
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (Number(m[2]) > 59 || minutes > MINUTES_PER_DAY) throw new RangeError(`bad clock time ${hhmm}`);
  return minutes;
}

function rangeContains(r: TouRange, minute: number): boolean {
  return r.startMinute < r.endMinute
    ? minute >= r.startMinute && minute < r.endMinute
    : minute >= r.startMinute || minute < r.endMinute;
}

/** Checks that every schedule covers the whole day exactly once and every month has a season. */
export function validatePlan(plan: TariffPlan): TouValidationIssue[] {
  const issues: TouValidationIssue[] = [];
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(plan.validFrom) ||
    (plan.validTo !== null && plan.validTo < plan.validFrom)
  ) {
    issues.push({ code: 'TOU_VALIDITY_INVALID', message: `validity ${plan.validFrom}..${plan.validTo}` });
  }
  for (const p of TOU_PERIODS) {
    const v = plan.prices[p];
    if (v === undefined || !/^\d+(\.\d+)?$/.test(v)) {
      issues.push({ code: 'TOU_PRICE_INVALID', message: `price for ${p}: ${v}` });
    }
  }
  for (let month = 1; month <= 12; month++) {
    for (const dt of DAY_TYPES) {
      const n = plan.seasons.filter(
        (s) => s.months.includes(month) && s.schedules.some((sc) => appliesTo(sc, dt)),
      ).length;
      if (n === 0)
        issues.push({ code: 'TOU_MONTH_UNCOVERED', message: `month ${month} ${dt} has no schedule` });
    }
  }
  for (const s of plan.seasons) {
    for (const sc of s.schedules) {
      const cover = new Uint8Array(MINUTES_PER_DAY);
      for (const r of sc.ranges) {
        const ok =
          Number.isInteger(r.startMinute) &&
          Number.isInteger(r.endMinute) &&
          r.startMinute >= 0 &&
          r.startMinute < MINUTES_PER_DAY &&
          r.endMinute > 0 &&
          r.endMinute <= MINUTES_PER_DAY &&
          (TOU_PERIODS as readonly string[]).includes(r.period);
        if (!ok) {
          issues.push({ code: 'TOU_RANGE_INVALID', message: `${s.name}: ${r.startMinute}-${r.endMinute}` });
          continue;
        }
        for (let m = 0; m < MINUTES_PER_DAY; m++) if (rangeContains(r, m)) cover[m] = (cover[m] ?? 0) + 1;
      }
      const over = cover.findIndex((c) => c > 1);
      const gap = cover.indexOf(0);
      if (over >= 0) issues.push({ code: 'TOU_OVERLAP', message: `${s.name}: overlap at minute ${over}` });
      if (gap >= 0) issues.push({ code: 'TOU_GAP', message: `${s.name}: minute ${gap} not covered` });
    }
  }
  return issues;
}

function appliesTo(sc: TouSchedule, dt: DayType): boolean {
  return !sc.dayTypes || sc.dayTypes.length === 0 || sc.dayTypes.includes(dt);
}

interface LocalParts {
  /** `YYYY-MM-DD` */
  date: string;
  month: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
  /** UTC ms of the local midnight that starts this local day. */
  dayStartMs: number;
}

function localParts(ms: number, offsetMinutes: number): LocalParts {
  const local = ms + offsetMinutes * MS_PER_MINUTE;
  const d = new Date(local);
  const dayStartLocal = Math.floor(local / MS_PER_DAY) * MS_PER_DAY;
  return {
    date: d.toISOString().slice(0, 10),
    month: d.getUTCMonth() + 1,
    minute: Math.floor((local - dayStartLocal) / MS_PER_MINUTE),
    weekday: d.getUTCDay(),
    dayStartMs: dayStartLocal - offsetMinutes * MS_PER_MINUTE,
  };
}

export function dayTypeOf(plan: TariffPlan, date: string, weekday: number): DayType {
  if (plan.holidays?.includes(date)) return 'holiday';
  return weekday === 0 || weekday === 6 ? 'weekend' : 'workday';
}

function scheduleFor(plan: TariffPlan, lp: LocalParts): { season: TouSeason; schedule: TouSchedule } {
  const dt = dayTypeOf(plan, lp.date, lp.weekday);
  for (const season of plan.seasons) {
    if (!season.months.includes(lp.month)) continue;
    const schedule = season.schedules.find((sc) => appliesTo(sc, dt));
    if (schedule) return { season, schedule };
  }
  throw new RangeError(`plan ${plan.id} has no schedule for month ${lp.month} ${dt}`);
}

/** True when the plan is in force on the local date of `ts`. */
export function planCovers(plan: TariffPlan, ts: Date): boolean {
  const { date } = localParts(ts.getTime(), plan.utcOffsetMinutes);
  return date >= plan.validFrom && (plan.validTo === null || date <= plan.validTo);
}

/** The TOU period of the instant `ts` under `plan` (validity is not checked; see `planAt`). */
export function classify(ts: Date, plan: TariffPlan): TouPeriod {
  const lp = localParts(ts.getTime(), plan.utcOffsetMinutes);
  const { schedule } = scheduleFor(plan, lp);
  const r = schedule.ranges.find((x) => rangeContains(x, lp.minute));
  if (!r) throw new RangeError(`plan ${plan.id} leaves minute ${lp.minute} uncovered`);
  return r.period;
}

/** Price per kWh of `period` at `ts` (season override, else plan price). */
export function priceAt(ts: Date, plan: TariffPlan, period: TouPeriod): Decimal {
  const lp = localParts(ts.getTime(), plan.utcOffsetMinutes);
  const { season } = scheduleFor(plan, lp);
  return new Decimal(season.prices?.[period] ?? plan.prices[period]);
}

/** The plan in force at `ts`; when several overlap the one with the latest `validFrom` wins. */
export function planAt(plans: readonly TariffPlan[], ts: Date): TariffPlan | undefined {
  let best: TariffPlan | undefined;
  for (const p of plans) {
    if (planCovers(p, ts) && (!best || p.validFrom > best.validFrom)) best = p;
  }
  return best;
}

export interface EnergyInterval {
  start: Date;
  end: Date;
  /** Energy over [start, end); assumed spread evenly in time. */
  kwh: Decimal.Value;
}

export interface PeriodTotals {
  kwh: Decimal;
  cost: Decimal;
}

export interface TouSplit {
  periods: Record<TouPeriod, PeriodTotals>;
  totalKwh: Decimal;
  totalCost: Decimal;
  /** Energy in time no plan covers; it has no cost. */
  unpricedKwh: Decimal;
}

function emptyTotals(): Record<TouPeriod, PeriodTotals> {
  return {
    sharp: { kwh: new Decimal(0), cost: new Decimal(0) },
    peak: { kwh: new Decimal(0), cost: new Decimal(0) },
    flat: { kwh: new Decimal(0), cost: new Decimal(0) },
    valley: { kwh: new Decimal(0), cost: new Decimal(0) },
  };
}

/** Next UTC ms after `ms` at which the period, price or plan can change. */
function nextBoundary(ms: number, plan: TariffPlan | undefined, offsetMinutes: number): number {
  const lp = localParts(ms, offsetMinutes);
  const nextMidnight = lp.dayStartMs + MS_PER_DAY;
  if (!plan) return nextMidnight;
  const { schedule } = scheduleFor(plan, lp);
  let best = nextMidnight;
  for (const r of schedule.ranges) {
    for (const edge of [r.startMinute, r.endMinute]) {
      const at = lp.dayStartMs + edge * MS_PER_MINUTE;
      if (at > ms && at < best) best = at;
    }
  }
  return best;
}

/**
 * Splits interval energy by TOU period and prices it. An interval that straddles a period or plan
 * boundary is divided in proportion to time, in decimal (the last piece takes the remainder);
 * intervals aligned to period boundaries (15-min data) are never divided and stay exact.
 * Plans may change at any local midnight (mid-month tariff revisions).
 */
export function splitConsumption(
  intervals: Iterable<EnergyInterval>,
  plans: readonly TariffPlan[],
): TouSplit {
  const periods = emptyTotals();
  let unpriced = new Decimal(0);
  // Summed from the inputs, not the pieces: pro-rated pieces carry division rounding (1e-20 relative).
  let totalKwh = new Decimal(0);
  const offset = plans[0]?.utcOffsetMinutes ?? 0;
  for (const iv of intervals) {
    const s = iv.start.getTime();
    const e = iv.end.getTime();
    if (!(e > s)) throw new RangeError(`interval end must be after start (${iv.start.toISOString()})`);
    const kwh = new Decimal(iv.kwh);
    totalKwh = totalKwh.plus(kwh);
    const span = new Decimal(e - s);
    let t = s;
    let allocated = new Decimal(0);
    while (t < e) {
      const at = new Date(t);
      const plan = planAt(plans, at);
      const off = plan?.utcOffsetMinutes ?? offset;
      const next = Math.min(e, nextBoundary(t, plan, off));
      // The last piece takes the remainder so pieces always sum to the interval exactly.
      const part = next === e ? kwh.minus(allocated) : kwh.times(next - t).div(span);
      allocated = allocated.plus(part);
      if (plan) {
        const period = classify(at, plan);
        const bucket = periods[period];
        bucket.kwh = bucket.kwh.plus(part);
        bucket.cost = bucket.cost.plus(part.times(priceAt(at, plan, period)));
      } else {
        unpriced = unpriced.plus(part);
      }
      t = next;
    }
  }
  let totalCost = new Decimal(0);
  for (const p of TOU_PERIODS) {
    totalCost = totalCost.plus(periods[p].cost);
  }
  return { periods, totalKwh, totalCost, unpricedKwh: unpriced };
}

export interface TouShare {
  period: TouPeriod;
  kwh: Decimal;
  cost: Decimal;
  /** Fraction of priced energy, 0..1 (zero when there is none). */
  share: Decimal;
}

/** Per-period share of energy, ordered sharp → valley. */
export function shareOf(split: TouSplit): TouShare[] {
  const priced = split.totalKwh.minus(split.unpricedKwh);
  return TOU_PERIODS.map((period) => ({
    period,
    kwh: split.periods[period].kwh,
    cost: split.periods[period].cost,
    share: priced.isZero() ? new Decimal(0) : split.periods[period].kwh.div(priced),
  }));
}

export interface LoadShiftEstimate {
  /** Sharp + peak energy that would move to valley. */
  shiftedKwh: Decimal;
  costBefore: Decimal;
  costAfter: Decimal;
  saving: Decimal;
}

/**
 * "Shift this load": the saving if a fraction of the sharp and peak energy in `split` were consumed
 * in valley instead, priced at the valley price of `plan` (the plan in force for the period looked at).
 */
export function estimateLoadShift(
  split: TouSplit,
  plan: TariffPlan,
  fraction: Decimal.Value = 1,
  valleyPrice: Decimal.Value = plan.prices.valley,
): LoadShiftEstimate {
  const f = new Decimal(fraction);
  if (f.lt(0) || f.gt(1)) throw new RangeError('fraction must be within 0..1');
  const shiftedKwh = split.periods.sharp.kwh.plus(split.periods.peak.kwh).times(f);
  const removedCost = split.periods.sharp.cost.plus(split.periods.peak.cost).times(f);
  const addedCost = shiftedKwh.times(new Decimal(valleyPrice));
  const costAfter = split.totalCost.minus(removedCost).plus(addedCost);
  return { shiftedKwh, costBefore: split.totalCost, costAfter, saving: split.totalCost.minus(costAfter) };
}
