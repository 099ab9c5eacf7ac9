import { describe, expect, it } from 'vitest';
import { isAccountingError } from '../accounting.errors';
import { activity, line, machineryPack } from '../testing';
import { calculate } from './calculate';

// Golden cases for cn-machinery-2015@1.0.0. Every expectation is worked by hand from the guideline
// formulas in the comment above it; none is produced by the engine.
const pack = machineryPack();
const one = (l: ReturnType<typeof line>) => calculate(pack, activity([l]));

describe('cn-machinery-2015 golden cases', () => {
  it('natural gas: FC × NCV × CC × OF × 44/12', () => {
    // FC = 10 (10^4 Nm3); heat = 10 × 389.31 GJ/10^4Nm3 = 3893.1 GJ = 3.8931 TJ
    // carbon = 3.8931 TJ × 15.3 tC/TJ = 59.56443 tC; oxidised = 59.56443 × 0.99 = 58.9687857 tC
    // CO2 = 58.9687857 × 44 / 12 = 2594.6265708 / 12 = 216.2188809 t
    const inv = one(line('ng', 'combustion.natural-gas', '10', '10^4 Nm3'));
    const l = inv.lines[0]!;
    expect(l.co2e.exact).toBe('216.2188809');
    expect(l.steps.map((s) => s.value)).toEqual(['3893.1', '59.56443', '58.9687857']);
    expect(l.parameters.map((p) => [p.parameterId, p.value, p.unit, p.citation?.document])).toEqual([
      ['natural-gas.ncv', '389.31', 'GJ/10^4 Nm3', 'ndrc-2015-machinery'],
      ['natural-gas.cc', '15.3', 'tC/TJ', 'ndrc-2015-machinery'],
      ['natural-gas.of', '99', '%', 'ndrc-2015-machinery'],
    ]);
    expect(inv.totals.location).toEqual({ exact: '216.2188809', reported: '216.22' });
    // the same gas metered in Nm3: 100000 Nm3 = 10 × 10^4 Nm3, conversion recorded on the line
    const inNm3 = one(line('ng', 'combustion.natural-gas', '100000', 'Nm3'));
    expect(inNm3.lines[0]!.co2e.exact).toBe('216.2188809');
    expect(inNm3.lines[0]!.conversions[0]).toEqual({
      of: 'FC',
      from: { value: '100000', unit: 'Nm3' },
      to: { value: '10', unit: '10^4 Nm3' },
      factor: '0.0001',
    });
  });

  it('diesel by mass with a lab-measured NCV (the pack ships no diesel NCV default)', () => {
    // FC = 30000 kg = 30 t; NCV (lab report) 42.71 GJ/t → heat = 1281.3 GJ = 1.2813 TJ
    // carbon = 1.2813 × 20.2 tC/TJ = 25.88226 tC; × 0.98 = 25.3646148 tC
    // CO2 = 25.3646148 × 44 / 12 = 1116.0430512 / 12 = 93.0035876 t
    const measured = {
      role: 'ncv' as const,
      value: '42.71',
      unit: 'GJ/t',
      evidence: { reference: 'LR-2023-017' },
      validFrom: '2023-01-01',
      validTo: '2023-12-31',
    };
    const inv = one(line('diesel', 'combustion.diesel', '30000', 'kg', { measuredFactors: [measured] }));
    expect(inv.lines[0]!.co2e.exact).toBe('93.0035876');
    expect(inv.lines[0]!.parameters[0]).toMatchObject({ role: 'ncv', source: 'measured', value: '42.71' });
    // without a measured NCV there is no value to use: refused, never guessed
    expect(() => one(line('diesel', 'combustion.diesel', '30', 't'))).toThrow(/PARAMETER_MISSING/);
  });

  it('LPG and raw coal defaults', () => {
    // LPG 2 t: heat = 2 × 50.179 = 100.358 GJ = 0.100358 TJ; × 17.2 = 1.7261576 tC; × 0.98 = 1.691634448 tC
    // CO2 = 1.691634448 × 44 / 12 = 74.431915712 / 12 = 6.202659642666… (non-terminating, 50 digits)
    const lpg = one(line('lpg', 'combustion.lpg', '2', 't')).lines[0]!;
    expect(lpg.steps[2]!.value).toBe('1.691634448');
    expect(lpg.co2e.exact).toBe('6.2026596426666666666666666666666666666666666666667');
    // raw coal 300 t: heat = 300 × 20.908 = 6272.4 GJ = 6.2724 TJ; × 26.37 = 165.403188 tC; × 0.94 = 155.47899672 tC
    // CO2 = 155.47899672 × 44 / 12 = 6841.07585568 / 12 = 570.08965464 t
    expect(one(line('coal', 'combustion.raw-coal', '300', 't')).lines[0]!.co2e.exact).toBe('570.08965464');
  });

  it('purchased electricity at 0.5703 tCO2/MWh', () => {
    // 8 500 000 kWh = 8500 MWh; 8500 × 0.5703 = 4847.55 tCO2
    const inv = one(line('grid', 'electricity.purchased', '8500000', 'kWh'));
    expect(inv.lines[0]!.co2e.exact).toBe('4847.55');
    expect(inv.lines[0]!.parameters[0]!.citation?.documentReference).toBe('环办气候函〔2023〕43号');
    expect(inv.totals.byScope.scope2Location.exact).toBe('4847.55');
  });

  it('national average grid factor is chosen by year', () => {
    // 2021: 1000 MWh × 0.5568 = 556.8; 2022: 1000 MWh × 0.5366 = 536.6; 2023: 1000 MWh × 0.5306 = 530.6
    const st = 'electricity.purchased.national-average';
    const y21 = calculate(
      pack,
      activity([line('g', st, '1000', 'MWh')], { period: { start: '2021-01-01', end: '2021-12-31' } }),
    );
    expect(y21.totals.location.exact).toBe('556.8');
    // excluding market-traded non-fossil power, 2023: 1000 MWh × 0.6096 = 609.6
    expect(
      one(line('g', 'electricity.purchased.excl-market-nonfossil', '1000', 'MWh')).totals.location.exact,
    ).toBe('609.6');
    const y22 = calculate(
      pack,
      activity([line('g', st, '1000', 'MWh')], { period: { start: '2022-01-01', end: '2022-12-31' } }),
    );
    expect(y22.totals.location.exact).toBe('536.6');
    expect(one(line('g', st, '1000', 'MWh')).totals.location.exact).toBe('530.6');
    // a period straddling both years has no single applicable factor
    expect(() =>
      calculate(
        pack,
        activity([line('g', st, '1000', 'MWh')], { period: { start: '2022-07-01', end: '2023-06-30' } }),
      ),
    ).toThrow(/PARAMETER_MISSING/);
  });

  it('CO2 welding shielding gas', () => {
    // pure CO2: 12 t × 1 = 12 tCO2
    expect(one(line('weld', 'process.co2-welding', '12', 't')).lines[0]!.co2e.exact).toBe('12');
    // Ar/CO2 mix 20 t with a measured CO2 share of 18 %: 20 × 0.18 = 3.6 tCO2
    const mix = one(
      line('weld', 'process.co2-welding', '20', 't', {
        measuredFactors: [
          {
            role: 'gasMassFraction',
            value: '18',
            unit: '%',
            evidence: { reference: 'gas supplier certificate of analysis' },
            validFrom: '2023-01-01',
            validTo: '2023-12-31',
          },
        ],
      }),
    );
    expect(mix.lines[0]!.co2e.exact).toBe('3.6');
  });

  it('SF6 and HFC-134a with SAR GWPs', () => {
    // SF6 15 kg = 0.015 t × 23900 = 358.5 tCO2e
    const sf6 = one(line('gis', 'process.sf6', '15', 'kg'));
    expect(sf6.lines[0]!.gasMass.exact).toBe('0.015');
    expect(sf6.lines[0]!.co2e.exact).toBe('358.5');
    expect(sf6.totals.byGas.SF6).toEqual({
      mass: { exact: '0.015', reported: '0.02' },
      co2e: { exact: '358.5', reported: '358.5' },
    });
    // HFC-134a 100 kg = 0.1 t × 1300 = 130 tCO2e, reported under HFCs
    const hfc = one(line('chiller', 'process.hfc-134a', '100', 'kg'));
    expect(hfc.totals.byGas.HFCs.co2e.exact).toBe('130');
  });

  it('purchased heat at 0.11 tCO2/GJ', () => {
    // 6000 GJ × 0.11 = 660 tCO2; 1000 MWh of heat = 3600 GJ × 0.11 = 396 tCO2
    expect(one(line('steam', 'heat.purchased', '6000', 'GJ')).lines[0]!.co2e.exact).toBe('660');
    expect(one(line('steam', 'heat.purchased', '1000', 'MWh')).lines[0]!.co2e.exact).toBe('396');
  });

  it('has no market-based method: instruments are not applied and a warning says so', () => {
    const inv = calculate(
      pack,
      activity([line('grid', 'electricity.purchased', '1000', 'MWh')], {
        marketInstruments: [
          {
            id: 'gec',
            kind: 'certificate',
            quantity: '100',
            unit: 'MWh',
            period: { start: '2023-01-01', end: '2023-12-31' },
            evidence: { kind: 'certificate-registry', reference: 'r' },
          },
        ],
      }),
    );
    expect(inv.totals.market).toBeNull();
    expect(inv.totals.location.exact).toBe('570.3');
    expect(inv.warnings).toHaveLength(1);
  });

  it('full plant year (examples/machinery-plant-2023.activity.json)', async () => {
    const { readFileSync } = await import('node:fs');
    const { examplePath } = await import('../testing');
    const inv = calculate(pack, readFileSync(examplePath('machinery-plant-2023.activity.json'), 'utf8'));
    // boiler-ng 120 (10^4 Nm3): 120 × 389.31 = 46717.2 GJ = 46.7172 TJ; × 15.3 = 714.77316 tC;
    //   × 0.99 = 707.6254284 tC; × 44 = 31135.5188496; / 12 = 2594.6265708
    // forklift-diesel 30 t, lab NCV 42.71: 93.0035876 (see the diesel case)
    // welding-co2 12 t: 12;  switchgear-sf6 15 kg: 0.015 × 23900 = 358.5
    // grid-main 8 500 000 kWh: 8500 × 0.5703 = 4847.55;  steam 6000 GJ × 0.11 = 660
    // pv-export 150 MWh × 0.5703 = 85.545 (deducted)
    // scope 1 = 2594.6265708 + 93.0035876 + 12 + 358.5 = 3058.1301584
    // scope 2 = 4847.55 + 660 = 5507.55
    // total = 3058.1301584 + 5507.55 − 85.545 = 8480.1351584 → reported 8480.14
    const t = inv.totals;
    expect(t.bySource).toMatchObject({
      'boiler-ng': { exact: '2594.6265708' },
      'forklift-diesel': { exact: '93.0035876' },
      'welding-co2': { exact: '12' },
      'switchgear-sf6': { exact: '358.5' },
      'grid-main': { exact: '4847.55' },
      steam: { exact: '660' },
      'pv-export': { exact: '85.545' },
    });
    expect(t.byScope.scope1).toEqual({ exact: '3058.1301584', reported: '3058.13' });
    expect(t.byScope.scope2Location).toEqual({ exact: '5507.55', reported: '5507.55' });
    expect(t.exported).toEqual({ co2e: { exact: '85.545', reported: '85.55' }, deductedFromTotal: true });
    expect(t.location).toEqual({ exact: '8480.1351584', reported: '8480.14' });
    // by gas: CO2 = 8480.1351584 − 358.5 = 8121.6351584 (the export deduction is CO2)
    expect(t.byGas.CO2.co2e.exact).toBe('8121.6351584');
    expect(t.byGas.SF6.co2e.exact).toBe('358.5');
    expect(t.byCategory).toMatchObject({
      'stationary-combustion': { exact: '2687.6301584' },
      process: { exact: '370.5' },
      'purchased-electricity': { exact: '4847.55' },
      'purchased-heat': { exact: '660' },
      'exported-electricity': { exact: '-85.545' },
    });
    // intensity: 8480.1351584 / 4200 t = 2.01908… → 2.02; / 36000 (10^4 CNY) = 0.235559… → 0.24
    const perOutput = inv.intensity.perOutput!;
    expect(perOutput.unit).toBe('tCO2e/t');
    expect(perOutput.location.reported).toBe('2.02');
    expect(perOutput.location.exact.startsWith('2.0190797996190476190476')).toBe(true);
    expect(inv.intensity.perRevenue!.location.reported).toBe('0.24');
    expect(inv.intensity.perRevenue!.unit).toBe('tCO2e/10^4 CNY');
  });

  it('refuses unknown source types and duplicate source ids', () => {
    expect(() => one(line('x', 'combustion.unobtainium', '1', 't'))).toThrow(/SOURCE_TYPE_UNKNOWN/);
    try {
      calculate(pack, activity([line('a', 'process.sf6', '1', 'kg'), line('a', 'process.sf6', '1', 'kg')]));
      expect.unreachable();
    } catch (e) {
      expect(isAccountingError(e, 'DUPLICATE_SOURCE_ID')).toBe(true);
    }
  });
});
