import { describe, expect, it } from 'vitest';
import { activity, isoPack11, line, machineryPack, machineryPack11 } from '../testing';
import { calculate } from './calculate';

// Golden cases for cn-machinery-2015@1.1.0 (1.0.0 plus the appendix default NCVs of diesel, gasoline and
// fuel oil and the kerosene defaults). Every expectation is worked by hand from the guideline formula
// E = FC × NCV × CC × OF × 44/12 in the comment above it; none is produced by the engine.
const pack = machineryPack11();
const one = (l: ReturnType<typeof line>) => calculate(pack, activity([l]));

describe('cn-machinery-2015@1.1.0 golden cases', () => {
  it('diesel by mass with the appendix default NCV', () => {
    // FC = 30 000 kg = 30 t (kg → t factor 0.001)
    // heat   = 30 t × 42.652 GJ/t          = 1279.56 GJ = 1.27956 TJ
    // carbon = 1.27956 TJ × 20.2 tC/TJ      = 25.847112 tC
    // oxid.  = 25.847112 tC × 98 %          = 25.33016976 tC
    // CO2    = 25.33016976 × 44 = 1114.52746944; / 12 = 92.87728912 t (terminates: exact)
    const inv = one(line('forklifts', 'combustion.diesel', '30000', 'kg'));
    const l = inv.lines[0]!;
    expect(l.co2e.exact).toBe('92.87728912');
    expect(l.gasMass.exact).toBe('92.87728912');
    expect(l.steps.map((s) => s.value)).toEqual(['1279.56', '25.847112', '25.33016976']);
    expect(l.conversions[0]).toEqual({
      of: 'FC',
      from: { value: '30000', unit: 'kg' },
      to: { value: '30', unit: 't' },
      factor: '0.001',
    });
    expect(l.parameters.map((p) => [p.role, p.parameterId, p.value, p.unit, p.source])).toEqual([
      ['ncv', 'diesel.ncv', '42.652', 'GJ/t', 'default'],
      ['carbonContent', 'diesel.cc', '20.2', 'tC/TJ', 'default'],
      ['oxidationRate', 'diesel.of', '98', '%', 'default'],
    ]);
    expect(l.parameters[0]!.citation?.locator).toContain('柴油 低位发热量');
    expect(inv.totals.location).toEqual({ exact: '92.87728912', reported: '92.88' });
    expect(inv.pack).toMatchObject({ id: 'cn-machinery-2015', version: '1.1.0', hash: pack.hash });
    // the same fuel entered in tonnes gives the same figure
    expect(one(line('forklifts', 'combustion.diesel', '30', 't')).lines[0]!.co2e.exact).toBe('92.87728912');
  });

  it('a lab-measured NCV with evidence still overrides the new default', () => {
    // 30 t × 42.71 GJ/t (lab) = 1281.3 GJ; × 20.2 / 1000 = 25.88226 tC; × 0.98 = 25.3646148 tC
    // × 44 / 12 = 1116.0430512 / 12 = 93.0035876 t (same figure as the 1.0.0 measured-NCV case)
    const measured = {
      role: 'ncv' as const,
      value: '42.71',
      unit: 'GJ/t',
      evidence: { reference: 'LR-2023-017' },
      validFrom: '2023-01-01',
      validTo: '2023-12-31',
    };
    const l = one(line('d', 'combustion.diesel', '30', 't', { measuredFactors: [measured] })).lines[0]!;
    expect(l.co2e.exact).toBe('93.0035876');
    expect(l.parameters[0]).toMatchObject({ role: 'ncv', source: 'measured', value: '42.71' });
  });

  it('gasoline, fuel oil and kerosene defaults', () => {
    // gasoline 5 t: 5 × 43.070 = 215.35 GJ = 0.21535 TJ; × 18.9 = 4.070115 tC; × 0.98 = 3.9887127 tC
    //   × 44 = 175.5033588; / 12 = 14.6252799 t
    expect(one(line('g', 'combustion.gasoline', '5', 't')).lines[0]!.co2e.exact).toBe('14.6252799');
    // fuel oil 20 t: 20 × 41.816 = 836.32 GJ = 0.83632 TJ; × 21.1 = 17.646352 tC; × 0.98 = 17.29342496 tC
    //   × 44 = 760.91069824; / 12 = 63.409224853333… (non-terminating; 50 significant digits, half-up)
    const fo = one(line('fo', 'combustion.fuel-oil', '20', 't')).lines[0]!;
    expect(fo.steps[2]!.value).toBe('17.29342496');
    expect(fo.co2e.exact).toBe('63.409224853333333333333333333333333333333333333333');
    // kerosene 1 t: 43.070 GJ = 0.04307 TJ; × 19.6 = 0.844172 tC; × 0.98 = 0.82728856 tC
    //   × 44 = 36.40069664; / 12 = 3.03339138666… → …6667 at the 50th digit (half-up)
    const k = one(line('k', 'combustion.kerosene', '1', 't')).lines[0]!;
    expect(k.co2e.exact).toBe('3.0333913866666666666666666666666666666666666666667');
    expect(k.parameters.map((p) => p.parameterId)).toEqual(['kerosene.ncv', 'kerosene.cc', 'kerosene.of']);
  });

  it('every 1.0.0 case gives the same figure under 1.1.0 (only additions)', () => {
    // natural gas 10 (10^4 Nm3) → 216.2188809 (hand-worked in calculate.machinery.test.ts);
    // grid 8500 MWh × 0.5703 = 4847.55; heat 6000 GJ × 0.11 = 660
    const act = activity([
      line('ng', 'combustion.natural-gas', '10', '10^4 Nm3'),
      line('grid', 'electricity.purchased', '8500', 'MWh'),
      line('steam', 'heat.purchased', '6000', 'GJ'),
    ]);
    const old = calculate(machineryPack(), act);
    const now = calculate(pack, act);
    expect(now.totals.location.exact).toBe('5723.7688809');
    expect(old.totals.location.exact).toBe('5723.7688809');
    expect(now.lines.map((l) => l.co2e.exact)).toEqual(old.lines.map((l) => l.co2e.exact));
    // while 1.0.0 still has no diesel NCV default: refused there, never guessed
    expect(() => calculate(machineryPack(), activity([line('d', 'combustion.diesel', '30', 't')]))).toThrow(
      /PARAMETER_MISSING/,
    );
    expect(() => calculate(machineryPack(), activity([line('k', 'combustion.kerosene', '1', 't')]))).toThrow(
      /SOURCE_TYPE_UNKNOWN/,
    );
  });
});

describe('iso14064-ghgp@1.1.0 golden cases', () => {
  it('diesel by mass: scope 1 / ISO category 1, same CO2 as the machinery pack (CO2 has GWP 1)', () => {
    // 30 000 kg = 30 t × 42.652 GJ/t = 1279.56 GJ = 1.27956 TJ; × 20.2 tC/TJ = 25.847112 tC;
    // × 0.98 = 25.33016976 tC; × 44 / 12 = 1114.52746944 / 12 = 92.87728912 tCO2 = tCO2e
    const iso = isoPack11();
    const inv = calculate(iso, activity([line('forklifts', 'combustion.diesel', '30000', 'kg')]));
    expect(inv.lines[0]!.co2e.exact).toBe('92.87728912');
    expect(inv.lines[0]!.parameters.map((p) => p.parameterId)).toEqual([
      'diesel.ncv',
      'diesel.cc',
      'diesel.of',
    ]);
    expect(inv.totals.byScope.scope1).toEqual({ exact: '92.87728912', reported: '92.88' });
    expect(inv.totals.byIsoCategory['1']).toEqual({ exact: '92.87728912', reported: '92.88' });
    expect(inv.pack).toMatchObject({ id: 'iso14064-ghgp', version: '1.1.0', hash: iso.hash });
  });
});
