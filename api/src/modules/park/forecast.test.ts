import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/scalars';
import { backtestForecast, forecastYearEnd } from './forecast';

const series = (values: number[]) => new Map(values.map((v, i) => [i + 1, new Decimal(v)]));
// A seasonal plant: winter heating peaks, summer cooling.
const y2024 = series([120, 110, 100, 90, 85, 95, 110, 115, 95, 90, 100, 115]);
const y2025 = series([126, 115, 104, 95, 89, 100, 116, 121, 99, 94, 105, 121]);

describe('year-end forecast', () => {
  it('seasonal naive: observed + last year for the remaining months, with an interval', () => {
    const jan_jun = new Map([...y2025].filter(([m]) => m <= 6));
    const f = forecastYearEnd(jan_jun, y2024, new Decimal(1000));
    expect(f.method).toBe('SEASONAL_NAIVE');
    expect(f.observed.toFixed()).toBe('629');
    expect(f.value?.toFixed()).toBe(String(629 + 110 + 115 + 95 + 90 + 100 + 115));
    expect(f.low?.lte(f.value as Decimal)).toBe(true);
    expect(f.high?.gt(f.value as Decimal)).toBe(true);
    expect(f.exceedsQuota).toBe(true);
  });
  it('warns when only the interval crosses the quota', () => {
    const jan_jun = new Map([...y2025].filter(([m]) => m <= 6));
    const f = forecastYearEnd(jan_jun, y2024, new Decimal(1256));
    expect(f.exceedsQuota).toBe(false);
    expect(f.mayExceedQuota).toBe(true);
  });
  it('falls back to naive without last year, and NONE without data', () => {
    expect(forecastYearEnd(series([10, 12]), new Map()).value?.toFixed()).toBe(String(22 + 12 * 10));
    expect(forecastYearEnd(new Map(), new Map()).method).toBe('NONE');
  });
});

describe('backtest', () => {
  it('holds out the last 3 months of a year and reports MAPE', () => {
    const b = backtestForecast(y2025, y2024, 3);
    expect(b.method).toBe('SEASONAL_NAIVE');
    expect(b.forecasts.map((x) => x.forecast.toNumber())).toEqual([90, 100, 115]);
    // |94−90|/94, |105−100|/105, |121−115|/121
    const expected = ((4 / 94 + 5 / 105 + 6 / 121) / 3) * 100;
    expect(b.mape.toNumber()).toBeCloseTo(expected, 3);
    expect(b.mape.toNumber()).toBeLessThan(10);
  });
  it('seasonal naive beats naive on a seasonal series', () => {
    expect(backtestForecast(y2025, y2024, 6).mape.lt(backtestForecast(y2025, new Map(), 6).mape)).toBe(true);
  });
  it('rejects bad k', () => {
    expect(() => backtestForecast(y2025, y2024, 12)).toThrow(RangeError);
  });
});
