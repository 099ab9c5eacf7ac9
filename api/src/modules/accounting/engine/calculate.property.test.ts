import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activity, isoPack, line, machineryPack } from '../testing';
import type { ActivityLine } from './activity';
import { calculate, inventoryToCanonicalJson } from './calculate';
import { Dec, str } from './decimal';

const pack = machineryPack();
const quantity = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 6 }))
  .map(([n, scale]) => str(new Dec(n.toString()).div(new Dec(10).pow(scale))));

// Source types whose arithmetic has no division: totals must add up exactly.
const exactSources = [
  ['electricity.purchased', 'kWh'],
  ['electricity.purchased', 'MWh'],
  ['heat.purchased', 'GJ'],
  ['process.sf6', 'kg'],
  ['process.hfc-134a', 't'],
  ['process.co2-welding', 't'],
] as const;
const exactLine = fc.tuple(fc.constantFrom(...exactSources), quantity);
const months = (year: number) =>
  Array.from({ length: 12 }, (_, i) => {
    const m = String(i + 1).padStart(2, '0');
    const end = new Date(Date.UTC(year, i + 1, 0)).getUTCDate();
    return { start: `${year}-${m}-01`, end: `${year}-${m}-${end}` };
  });

const total = (lines: ActivityLine[], period = { start: '2023-01-01', end: '2023-12-31' }) =>
  new Dec(calculate(pack, activity(lines, { period })).totals.location.exact);

describe('engine properties', () => {
  it('additivity over sources: the total equals the sum of single-source inventories (exact)', () => {
    fc.assert(
      fc.property(fc.array(exactLine, { minLength: 1, maxLength: 8 }), (items) => {
        const lines = items.map(([[st, unit], q], i) => line(`s${i}`, st, q, unit));
        const sum = lines.reduce((a, l) => a.add(total([l])), new Dec(0));
        expect(str(total(lines))).toBe(str(sum));
      }),
      { numRuns: 150 },
    );
  });

  it('additivity over periods: twelve monthly inventories sum to the annual one (exact)', () => {
    fc.assert(
      fc.property(
        fc.array(quantity, { minLength: 12, maxLength: 12 }),
        fc.constantFrom(...exactSources),
        (qs, [st, unit]) => {
          const monthly = months(2023).map((p, i) => total([line('m', st, qs[i]!, unit)], p));
          const annualQ = qs.reduce((a, q) => a.add(q), new Dec(0));
          const annual = total([line('m', st, str(annualQ), unit)]);
          expect(str(monthly.reduce((a, b) => a.add(b), new Dec(0)))).toBe(str(annual));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('additivity with combustion holds to 1e-45 relative (only the final ×44/12 division is inexact)', () => {
    const fuels = ['combustion.natural-gas', 'combustion.lpg', 'combustion.raw-coal'] as const;
    fc.assert(
      fc.property(fc.array(quantity, { minLength: 2, maxLength: 6 }), fc.constantFrom(...fuels), (qs, st) => {
        const unit = st === 'combustion.natural-gas' ? '10^4 Nm3' : 't';
        const parts = qs.map((q) => total([line('f', st, q, unit)]));
        const whole = total([line('f', st, str(qs.reduce((a, q) => a.add(q), new Dec(0))), unit)]);
        const diff = parts
          .reduce((a, b) => a.add(b), new Dec(0))
          .sub(whole)
          .abs();
        expect(diff.lte(whole.abs().mul('1e-45').add('1e-45'))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('determinism: identical input gives byte-identical canonical JSON, whatever the line order', () => {
    const iso = isoPack();
    fc.assert(
      fc.property(fc.array(exactLine, { minLength: 1, maxLength: 6 }), fc.integer(), (items, seed) => {
        const lines = items.map(([[st, unit], q], i) => line(`s${i}`, st, q, unit));
        const shuffled = [...lines].sort(
          (a, b) =>
            ((a.sourceId.length * seed) % 7) - ((b.sourceId.length * seed) % 7) ||
            (a.sourceId < b.sourceId ? 1 : -1),
        );
        for (const p of [pack, iso]) {
          const a = inventoryToCanonicalJson(calculate(p, activity(lines)));
          const b = inventoryToCanonicalJson(calculate(p, activity(lines)));
          const c = inventoryToCanonicalJson(calculate(p, activity(shuffled)));
          expect(b).toBe(a);
          expect(c).toBe(a);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('activity quantities must be plain non-negative decimal strings', () => {
    for (const q of ['1e3', '-1', '1,000', ' 1', '0x10', '.5', '01']) {
      expect(() => total([line('x', 'process.sf6', q, 'kg')]), q).toThrow(/ACTIVITY_INVALID/);
    }
  });
});
