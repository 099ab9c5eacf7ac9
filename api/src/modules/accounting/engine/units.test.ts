import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dec, str } from './decimal';
import { conversionFactor, convert, convertCompound, dimensionOf, knownUnits } from './units';

describe('units', () => {
  it('converts within a dimension with exact factors', () => {
    expect(str(convert(new Dec('959636.71'), 'kWh', 'MWh'))).toBe('959.63671');
    expect(str(convert(new Dec('1.5'), 'GWh', 'kWh'))).toBe('1500000');
    expect(str(convert(new Dec('3600'), 'GJ', 'MWh'))).toBe('1000');
    expect(str(convert(new Dec('2'), 'MWh', 'GJ'))).toBe('7.2');
    expect(str(convert(new Dec('123456'), 'Nm3', '10^4 Nm3'))).toBe('12.3456');
    expect(str(convert(new Dec('2500'), 'kg', 't'))).toBe('2.5');
    expect(str(convert(new Dec('1'), 'TJ', 'MJ'))).toBe('1000000');
    expect(str(convert(new Dec('570.3'), 'tCO2', 'kgCO2'))).toBe('570300');
    expect(str(convertCompound(new Dec('42.71'), 'MJ/kg', 'GJ/t'))).toBe('42.71');
    expect(str(convertCompound(new Dec('0.5703'), 'kgCO2/kWh', 'tCO2/MWh'))).toBe('0.5703');
    expect(str(convertCompound(new Dec('15.3'), 'tC/TJ', 'kgC/GJ'))).toBe('15.3');
  });

  it('refuses unknown units and cross-dimension conversions', () => {
    expect(() => convert(new Dec(1), 'kwh', 'MWh')).toThrow(/UNIT_UNKNOWN/);
    expect(() => convert(new Dec(1), 'barrel', 't')).toThrow(/UNIT_UNKNOWN/);
    expect(() => convert(new Dec(1), 'm3', 'Nm3')).toThrow(/UNIT_INCOMPATIBLE/);
    expect(() => convert(new Dec(1), 't', 'GJ')).toThrow(/UNIT_INCOMPATIBLE/);
    expect(() => convert(new Dec(1), 'tCO2', 'tCO2e')).toThrow(/UNIT_INCOMPATIBLE/);
    expect(() => convertCompound(new Dec(1), 'GJ/t', 'GJ')).toThrow(/UNIT_INCOMPATIBLE/);
  });

  const units = knownUnits();
  const decimalString = fc
    .tuple(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.integer({ min: 0, max: 8 }))
    .map(([n, scale]) => str(new Dec(n.toString()).div(new Dec(10).pow(scale))));

  it('round trips: exact where the factor is a power of ten, within 1e-40 otherwise (property)', () => {
    fc.assert(
      fc.property(decimalString, fc.constantFrom(...units), fc.constantFrom(...units), (v, a, b) => {
        fc.pre(dimensionOf(a) === dimensionOf(b));
        const x = new Dec(v);
        const back = convert(convert(x, a, b), b, a);
        const f = conversionFactor(a, b);
        const powerOfTen = /^10*$|^0\.0*1$/.test(str(f));
        if (powerOfTen) expect(str(back)).toBe(str(x));
        else expect(back.sub(x).abs().lte(x.abs().mul('1e-40').add('1e-40'))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
