import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/scalars';
import { backtestForecast, forecastYearEnd } from './forecast';

// The demo year: UCI "Steel Industry Energy Consumption" (data/PROVENANCE.md), 35 040 quarter-hours of
// 2018. Monthly emissions = MWh × 0.5703 tCO2/MWh (the machinery pack's grid factor). Only one year is
// available, so the forecast falls back to NAIVE (no same month last year). Figures in docs/pathways.md.
const CSV = new URL('../../../../data/Steel_industry_data.csv', import.meta.url);

function monthlyEmissions(): Map<number, Decimal> {
  const [header, ...body] = readFileSync(CSV, 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/);
  const cols = (header as string).split(',');
  const kwh = cols.indexOf('Usage_kWh');
  const sums = new Map<number, Decimal>();
  for (const r of body) {
    const f = r.split(',');
    const m = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2})$/.exec(f[0] as string);
    if (!m) throw new Error(`bad timestamp ${f[0]}`);
    // A row is the quarter-hour ENDING at its timestamp: it belongs to the month of its start.
    const end = Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1]), Number(m[4]), Number(m[5]));
    const start = new Date(end - 15 * 60_000);
    const month = start.getUTCFullYear() < 2018 ? 1 : start.getUTCMonth() + 1;
    sums.set(month, (sums.get(month) ?? new Decimal(0)).add(f[kwh] as string));
  }
  return new Map([...sums].map(([m, v]) => [m, v.div(1000).mul('0.5703')]));
}

describe('forecast backtest on the demo year (real data)', () => {
  const year = monthlyEmissions();
  const total = [...year.values()].reduce((a, b) => a.add(b), new Decimal(0));

  it('has twelve months adding up to the year (959.63671 MWh × 0.5703)', () => {
    expect([...year.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(total.eq(new Decimal('959.63671').mul('0.5703'))).toBe(true);
  });

  for (const k of [3, 6]) {
    it(`holds out the last ${k} months: NAIVE forecast, MAPE and year-end error recomputed independently`, () => {
      const b = backtestForecast(year, new Map(), k);
      expect(b.method).toBe('NAIVE');
      const last = year.get(12 - k) as Decimal;
      expect(b.forecasts.map((x) => x.forecast.toFixed())).toEqual(Array(k).fill(last.toFixed()));
      let ape = new Decimal(0);
      let observed = new Decimal(0);
      for (let m = 1; m <= 12; m++) {
        const v = year.get(m) as Decimal;
        if (m > 12 - k) ape = ape.add(v.sub(last).abs().div(v));
        else observed = observed.add(v);
      }
      expect(b.mape.eq(ape.div(k).mul(100).toDecimalPlaces(4, Decimal.ROUND_HALF_UP))).toBe(true);
      const yearEnd = observed.add(last.mul(k));
      expect(
        b.yearEndApe.eq(
          total.sub(yearEnd).abs().div(total).mul(100).toDecimalPlaces(4, Decimal.ROUND_HALF_UP),
        ),
      ).toBe(true);
      // The forecast from the same months is the backtest's year-end (interval reported in the docs).
      const f = forecastYearEnd(new Map([...year].filter(([m]) => m <= 12 - k)), new Map());
      expect(f.value?.eq(yearEnd.toDecimalPlaces(6, Decimal.ROUND_HALF_UP))).toBe(true);
      expect(f.low?.lte(f.value as Decimal) && f.high?.gt(f.value as Decimal)).toBe(true);
    });
  }
});
