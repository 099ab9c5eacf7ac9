import Decimal from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hubei202601Plans } from './tariff-catalog';
import { classify, estimateLoadShift, shareOf, splitConsumption, type TariffPlan, validatePlan } from './tou';

const cst = (s: string) => new Date(`${s}+08:00`);
const hubei = hubei202601Plans().find((p) => p.id === 'hubei-2026-01/single_part/1-10(20)kV')!;

/** Night valley crossing midnight, used to test wrap-around and a mid-month tariff change. */
function nightPlan(id: string, from: string, to: string | null, valley: string): TariffPlan {
  return {
    id,
    name: id,
    validFrom: from,
    validTo: to,
    utcOffsetMinutes: 480,
    currency: 'CNY',
    prices: { sharp: '1.2', peak: '1.0', flat: '0.7', valley },
    seasons: [
      {
        name: 'all',
        months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
        schedules: [
          {
            ranges: [
              { startMinute: 22 * 60, endMinute: 6 * 60, period: 'valley' },
              { startMinute: 6 * 60, endMinute: 18 * 60, period: 'flat' },
              { startMinute: 18 * 60, endMinute: 20 * 60, period: 'sharp' },
              { startMinute: 20 * 60, endMinute: 22 * 60, period: 'peak' },
            ],
          },
        ],
      },
    ],
  };
}

describe('Hubei 2026-01 seed', () => {
  it('expands to one valid plan per price row', () => {
    const plans = hubei202601Plans();
    expect(plans).toHaveLength(7);
    for (const p of plans) expect(validatePlan(p)).toEqual([]);
    expect(hubei.prices).toEqual({
      sharp: '1.113999',
      peak: '0.910961',
      flat: '0.715686',
      valley: '0.496924',
    });
  });

  it.each([
    ['2026-01-15T00:00:00', 'valley'],
    ['2026-01-15T05:59:59', 'valley'],
    ['2026-01-15T06:00:00', 'flat'],
    ['2026-01-15T12:00:00', 'valley'],
    ['2026-01-15T14:00:00', 'flat'],
    ['2026-01-15T16:00:00', 'peak'],
    ['2026-01-15T17:59:00', 'peak'],
    ['2026-01-15T18:00:00', 'sharp'],
    ['2026-01-15T19:45:00', 'sharp'],
    ['2026-01-15T20:00:00', 'peak'],
    ['2026-01-15T23:59:59', 'peak'],
    ['2026-07-15T18:00:00', 'peak'],
    ['2026-07-15T20:00:00', 'sharp'],
    ['2026-07-15T22:00:00', 'peak'],
  ])('classifies %s CST as %s', (ts, period) => {
    expect(classify(cst(ts), hubei)).toBe(period);
  });

  it('prices one January day of 1 kWh per hour exactly', () => {
    const intervals = Array.from({ length: 24 }, (_, h) => ({
      start: new Date(cst('2026-01-15T00:00:00').getTime() + h * 3_600_000),
      end: new Date(cst('2026-01-15T00:00:00').getTime() + (h + 1) * 3_600_000),
      kwh: '1',
    }));
    const s = splitConsumption(intervals, [hubei]);
    // valley 0-6,12-14 = 8 h; flat 6-12,14-16 = 8 h; peak 16-18,20-24 = 6 h; sharp 18-20 = 2 h
    expect(s.periods.valley.kwh.toString()).toBe('8');
    expect(s.periods.flat.kwh.toString()).toBe('8');
    expect(s.periods.peak.kwh.toString()).toBe('6');
    expect(s.periods.sharp.kwh.toString()).toBe('2');
    // 8×0.496924 + 8×0.715686 + 6×0.910961 + 2×1.113999 = 3.975392 + 5.725488 + 5.465766 + 2.227998
    expect(s.totalCost.toString()).toBe('17.394644');
    expect(s.unpricedKwh.toString()).toBe('0');
  });
});

describe('splitConsumption', () => {
  it('splits an interval straddling a period boundary in proportion to time', () => {
    const s = splitConsumption(
      [{ start: cst('2026-01-15T17:30:00'), end: cst('2026-01-15T18:30:00'), kwh: '3' }],
      [hubei],
    );
    expect(s.periods.peak.kwh.toString()).toBe('1.5');
    expect(s.periods.sharp.kwh.toString()).toBe('1.5');
    // 1.5×0.910961 + 1.5×1.113999
    expect(s.totalCost.toString()).toBe('3.03744');
  });

  it('handles a range crossing midnight and a tariff change at that midnight', () => {
    const a = nightPlan('a', '2026-01-01', '2026-01-15', '0.3');
    const b = nightPlan('b', '2026-01-16', null, '0.25');
    const s = splitConsumption(
      [{ start: cst('2026-01-15T21:00:00'), end: cst('2026-01-16T07:00:00'), kwh: '10' }],
      [a, b],
    );
    // 21-22 peak (plan a) 1 kWh; 22-24 valley a 2 kWh; 00-06 valley b 6 kWh; 06-07 flat b 1 kWh
    expect(s.periods.peak.kwh.toString()).toBe('1');
    expect(s.periods.valley.kwh.toString()).toBe('8');
    expect(s.periods.flat.kwh.toString()).toBe('1');
    expect(s.periods.valley.cost.toString()).toBe('2.1'); // 2×0.3 + 6×0.25
    expect(s.totalCost.toString()).toBe('3.8'); // 1.0 + 2.1 + 0.7
  });

  it('puts energy outside every plan into unpriced', () => {
    const s = splitConsumption(
      [{ start: cst('2026-01-31T23:00:00'), end: cst('2026-02-01T01:00:00'), kwh: '4' }],
      [hubei],
    );
    expect(s.periods.peak.kwh.toString()).toBe('2');
    expect(s.unpricedKwh.toString()).toBe('2');
    expect(s.totalKwh.toString()).toBe('4');
  });

  it('conserves energy and is additive over sub-intervals (property)', () => {
    const base = cst('2026-01-01T00:00:00').getTime();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 29 * 24 * 60 }),
        fc.integer({ min: 1, max: 3 * 24 * 60 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        (startMin, lenMin, milliKwh, cut) => {
          const s = base + startMin * 60_000;
          const e = s + lenMin * 60_000;
          const kwh = new Decimal(milliKwh).div(1000);
          const whole = splitConsumption([{ start: new Date(s), end: new Date(e), kwh }], [hubei]);
          expect(whole.totalKwh.eq(kwh)).toBe(true);
          const sum = (['sharp', 'peak', 'flat', 'valley'] as const).reduce(
            (a, p) => a.plus(whole.periods[p].kwh),
            whole.unpricedKwh,
          );
          // Pro-rated pieces carry decimal.js rounding (20 significant digits): compare relative to the size.
          const tol = kwh.times('1e-15');
          expect(sum.minus(kwh).abs().lte(tol)).toBe(true);
          const m = s + Math.max(1, Math.floor(lenMin * cut)) * 60_000;
          if (m >= e) return;
          const k1 = kwh.times(m - s).div(e - s);
          const parts = splitConsumption(
            [
              { start: new Date(s), end: new Date(m), kwh: k1 },
              { start: new Date(m), end: new Date(e), kwh: kwh.minus(k1) },
            ],
            [hubei],
          );
          for (const p of ['sharp', 'peak', 'flat', 'valley'] as const) {
            expect(parts.periods[p].kwh.minus(whole.periods[p].kwh).abs().lte(tol)).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('share and load shift', () => {
  it('estimates the saving of moving peak and sharp energy to valley', () => {
    const s = splitConsumption(
      [
        { start: cst('2026-01-15T16:00:00'), end: cst('2026-01-15T18:00:00'), kwh: '100' },
        { start: cst('2026-01-15T18:00:00'), end: cst('2026-01-15T20:00:00'), kwh: '50' },
        { start: cst('2026-01-15T02:00:00'), end: cst('2026-01-15T04:00:00'), kwh: '50' },
      ],
      [hubei],
    );
    const share = shareOf(s);
    expect(share.map((x) => x.share.toString())).toEqual(['0.25', '0.5', '0', '0.25']);
    const est = estimateLoadShift(s, hubei, '0.5');
    expect(est.shiftedKwh.toString()).toBe('75');
    // removed 0.5×(100×0.910961 + 50×1.113999) = 73.398025, added 75×0.496924 = 37.2693
    expect(est.saving.toString()).toBe('36.128725');
  });
});
