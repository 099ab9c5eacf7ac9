import { Decimal } from '../../core/scalars';

/**
 * Year-end emissions forecast per enterprise (pure).
 *
 * Method SEASONAL_NAIVE (when the same months of last year are known): each remaining month m is
 * forecast as last year's value of month m, i.e. ŷ_m = y_{m−12}. Year-end = Σ observed + Σ ŷ.
 * Fallback NAIVE: remaining months = the last observed month.
 * 90 % interval: ± 1.645 · s · √r, s = RMS of the one-step seasonal-naive errors on the observed months
 * (e_m = y_m − y_{m−12}; for NAIVE e_m = y_m − y_{m−1}), r = remaining months; lower bound never below
 * what is already emitted. Distinct from accounting's quota.math.ts (which scales last year by the
 * ratio of the months so far); both are reported by name.
 */
export type SeasonalMethod = 'NONE' | 'NAIVE' | 'SEASONAL_NAIVE';

export interface YearEndForecast {
  method: SeasonalMethod;
  monthsObserved: number;
  observed: Decimal;
  value: Decimal | null;
  low: Decimal | null;
  high: Decimal | null;
  /** Set when a quota is given: the forecast (central value) exceeds it. */
  exceedsQuota: boolean | null;
  /** Set when a quota is given: even the upper bound of the interval crosses it. */
  mayExceedQuota: boolean | null;
  description: string;
}

const Z90 = new Decimal('1.645');
const r6 = (d: Decimal) => d.toDecimalPlaces(6, Decimal.ROUND_HALF_UP);

function rms(errors: Decimal[]): Decimal {
  if (errors.length === 0) return new Decimal(0);
  return errors
    .reduce((a, e) => a.add(e.pow(2)), new Decimal(0))
    .div(errors.length)
    .sqrt();
}

/** `thisYear` / `lastYear`: month (1..12) → tCO2e. */
export function forecastYearEnd(
  thisYear: Map<number, Decimal>,
  lastYear: Map<number, Decimal>,
  quota: Decimal | null = null,
): YearEndForecast {
  const months = [...thisYear.keys()].sort((a, b) => a - b);
  const observed = months.reduce((a, m) => a.add(thisYear.get(m) as Decimal), new Decimal(0));
  if (months.length === 0) {
    return {
      method: 'NONE',
      monthsObserved: 0,
      observed,
      value: null,
      low: null,
      high: null,
      exceedsQuota: null,
      mayExceedQuota: null,
      description: 'No monthly data yet.',
    };
  }
  const remaining = Array.from({ length: 12 }, (_, i) => i + 1).filter((m) => !thisYear.has(m));
  const seasonal = remaining.every((m) => lastYear.has(m)) && months.some((m) => lastYear.has(m));
  let rest = new Decimal(0);
  let errors: Decimal[];
  if (seasonal) {
    for (const m of remaining) rest = rest.add(lastYear.get(m) as Decimal);
    errors = months
      .filter((m) => lastYear.has(m))
      .map((m) => (thisYear.get(m) as Decimal).sub(lastYear.get(m) as Decimal));
  } else {
    const last = thisYear.get(months[months.length - 1] as number) as Decimal;
    rest = last.mul(remaining.length);
    errors = months
      .slice(1)
      .map((m, i) => (thisYear.get(m) as Decimal).sub(thisYear.get(months[i] as number) as Decimal));
  }
  const value = observed.add(rest);
  const half = Z90.mul(rms(errors)).mul(new Decimal(remaining.length).sqrt());
  const low = Decimal.max(value.sub(half), observed);
  const high = value.add(half);
  return {
    method: seasonal ? 'SEASONAL_NAIVE' : 'NAIVE',
    monthsObserved: months.length,
    observed,
    value: r6(value),
    low: r6(low),
    high: r6(high),
    exceedsQuota: quota ? value.gt(quota) : null,
    mayExceedQuota: quota ? high.gt(quota) : null,
    description: seasonal
      ? 'Seasonal naive: each remaining month = same month last year; 90 % interval ±1.645·RMS(y_m − y_{m−12})·√(remaining months).'
      : 'Naive: remaining months = last observed month; 90 % interval ±1.645·RMS(month-to-month change)·√(remaining months).',
  };
}

export interface Backtest {
  heldOut: number;
  method: SeasonalMethod;
  /** Mean absolute percentage error of the held-out months, in percent. */
  mape: Decimal;
  /** Absolute percentage error of the year-end total. */
  yearEndApe: Decimal;
  forecasts: { month: number; actual: Decimal; forecast: Decimal }[];
}

/**
 * Backtest on a complete year: hold out the last k months of `year`, forecast them from the first
 * 12 − k months (and `previousYear` for the seasonal method), report MAPE over the held-out months.
 */
export function backtestForecast(
  year: Map<number, Decimal>,
  previousYear: Map<number, Decimal>,
  k: number,
): Backtest {
  if (!Number.isInteger(k) || k < 1 || k > 11) throw new RangeError('k must be 1..11');
  for (let m = 1; m <= 12; m++) if (!year.has(m)) throw new RangeError('backtest needs all 12 months');
  const train = new Map([...year].filter(([m]) => m <= 12 - k));
  const f = forecastYearEnd(train, previousYear);
  const lastTrain = train.get(12 - k) as Decimal;
  const forecasts = Array.from({ length: k }, (_, i) => 12 - k + 1 + i).map((month) => ({
    month,
    actual: year.get(month) as Decimal,
    forecast: f.method === 'SEASONAL_NAIVE' ? (previousYear.get(month) as Decimal) : lastTrain,
  }));
  const apes = forecasts
    .filter((x) => !x.actual.isZero())
    .map((x) => x.actual.sub(x.forecast).abs().div(x.actual));
  const mape = apes.length
    ? apes
        .reduce((a, b) => a.add(b), new Decimal(0))
        .div(apes.length)
        .mul(100)
    : new Decimal(0);
  const actualTotal = [...year.values()].reduce((a, b) => a.add(b), new Decimal(0));
  const yearEndApe = actualTotal.isZero()
    ? new Decimal(0)
    : actualTotal
        .sub(f.value as Decimal)
        .abs()
        .div(actualTotal)
        .mul(100);
  return {
    heldOut: k,
    method: f.method,
    mape: mape.toDecimalPlaces(4, Decimal.ROUND_HALF_UP),
    yearEndApe: yearEndApe.toDecimalPlaces(4, Decimal.ROUND_HALF_UP),
    forecasts,
  };
}
