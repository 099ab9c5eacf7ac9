import { Dec } from './engine/decimal';

/**
 * Pure quota arithmetic (no database): monthly true-up and year-end forecast.
 *
 * True-up: for each month m with an inventory, cumulative used (Jan..m) vs pro-rata quota
 * quota × m / 12; balance = pro-rata − cumulative (negative = ahead of the allowance).
 *
 * Forecast (observed months O, n = |O|, r = 12 − n remaining, U = Σ used):
 *  - SEASONAL when all 12 months of last year are known and Σ last-year(O) > 0:
 *      k = U / Σ L(O); forecast = U + k × Σ L(remaining months);
 *      residuals e_m = A_m − k × L_m.
 *  - RUN_RATE otherwise: mean = U / n; forecast = U + mean × r; residuals e_m = A_m − mean.
 *  Interval (90 %): forecast ± 1.645 × s × √r, s = sample standard deviation of the residuals
 *  (0 when n < 2) — monthly errors treated as independent. Values rounded to 6 decimals.
 */
export type ForecastMethod = 'NONE' | 'RUN_RATE' | 'SEASONAL';

export interface TrueUpMonth {
  month: number;
  used: Dec;
  cumulativeUsed: Dec;
  proRataQuota: Dec | null;
  balance: Dec | null;
}

export interface Forecast {
  method: ForecastMethod;
  monthsObserved: number;
  value: Dec | null;
  low: Dec | null;
  high: Dec | null;
  description: string;
}

const Z90 = new Dec('1.645');
const dp6 = (d: Dec): Dec => d.toDecimalPlaces(6, Dec.ROUND_HALF_UP);

export function trueUp(monthly: Map<number, Dec>, quota: Dec | null): TrueUpMonth[] {
  let cum = new Dec(0);
  return [...monthly.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([month, used]) => {
      cum = cum.add(used);
      const proRata = quota ? quota.mul(month).div(12) : null;
      return {
        month,
        used,
        cumulativeUsed: cum,
        proRataQuota: proRata,
        balance: proRata ? proRata.sub(cum) : null,
      };
    });
}

function sampleStdDev(values: Dec[]): Dec {
  if (values.length < 2) return new Dec(0);
  const mean = values.reduce((a, b) => a.add(b), new Dec(0)).div(values.length);
  const ss = values.reduce((a, v) => a.add(v.sub(mean).pow(2)), new Dec(0));
  return ss.div(values.length - 1).sqrt();
}

export function forecastYear(monthly: Map<number, Dec>, lastYear: Map<number, Dec>): Forecast {
  const months = [...monthly.keys()].sort((a, b) => a - b);
  const n = months.length;
  if (n === 0) {
    return {
      method: 'NONE',
      monthsObserved: 0,
      value: null,
      low: null,
      high: null,
      description: 'No monthly inventory yet.',
    };
  }
  const used = months.reduce((a, m) => a.add(monthly.get(m) as Dec), new Dec(0));
  const remaining = Array.from({ length: 12 }, (_, i) => i + 1).filter((m) => !monthly.has(m));
  const r = remaining.length;
  const lastObserved = months.reduce((a, m) => a.add(lastYear.get(m) ?? 0), new Dec(0));
  let value: Dec;
  let residuals: Dec[];
  let method: ForecastMethod;
  if (lastYear.size === 12 && lastObserved.gt(0)) {
    method = 'SEASONAL';
    const k = used.div(lastObserved);
    value = used.add(k.mul(remaining.reduce((a, m) => a.add(lastYear.get(m) as Dec), new Dec(0))));
    residuals = months.map((m) => (monthly.get(m) as Dec).sub(k.mul(lastYear.get(m) as Dec)));
  } else {
    method = 'RUN_RATE';
    const mean = used.div(n);
    value = used.add(mean.mul(r));
    residuals = months.map((m) => (monthly.get(m) as Dec).sub(mean));
  }
  const half = Z90.mul(sampleStdDev(residuals)).mul(new Dec(r).sqrt());
  return {
    method,
    monthsObserved: n,
    value: dp6(value),
    low: dp6(Dec.max(value.sub(half), used)),
    high: dp6(value.add(half)),
    description:
      method === 'SEASONAL'
        ? 'Months so far scaled by last year’s seasonal profile; 90 % interval ±1.645·s·√(remaining months), s = std. dev. of monthly residuals.'
        : 'Run-rate: mean of months so far × remaining months; 90 % interval ±1.645·s·√(remaining months), s = std. dev. of monthly values.',
  };
}
